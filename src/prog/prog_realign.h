/*
 * prog_realign.h - the image as the PRU programmer takes it (node-control.md 3.5): srec_cat
 * widens every data range to 4-byte boundaries with 0xFF and cuts records of at most 16 bytes;
 * 2-byte addresses for an MSP430 (an image above 0xFFFF is refused there), 4-byte otherwise.
 */
#ifndef SHP_PROG_REALIGN_H
#define SHP_PROG_REALIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/*
 * Runs node_srec_cat() on in_path and writes out_path (timeout 30 s). SHP_ERR_FIRMWARE with
 * srec_cat's own message (bad checksum, no data, address range too large) when it fails;
 * SHP_ERR_CONFIG when srec_cat is missing ("install srecord").
 */
shp_err prog_realign(const char *in_path, bool two_byte_addresses, const char *out_path);

#endif
