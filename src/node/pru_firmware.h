/*
 * pru_firmware.h - the PRU firmware files and swapping them (node-control.md 1.4, 1.5).
 *
 * The kernel's rule for a pru0_firmware write (pru_fw_kernel_pick) is shared with the
 * simulator, which must take the same texts as the kernel does.
 */
#ifndef SHP_PRU_FIRMWARE_H
#define SHP_PRU_FIRMWARE_H

#include <stdbool.h>

#include "common/error.h"

enum pru_fw {
	PRU_FW_EMU,  /* am335x-pru0-shepherd-EMU-fw: emulation, debug, the default */
	PRU_FW_HRV,  /* am335x-pru0-shepherd-HRV-fw: harvesting */
	PRU_FW_SWD,  /* am335x-pru0-programmer-SWD-fw: nRF52 programmer (+ dummy) */
	PRU_FW_SBW,  /* am335x-pru0-programmer-SBW-fw: MSP430FR programmer (+ dummy) */
	PRU_FW_PRU1, /* am335x-pru1-shepherd-fw: GPIO tracer, sync, util */
	PRU_FW_COUNT_,
};

/* The file name in /lib/firmware. */
const char *pru_fw_name(enum pru_fw fw);

/* 0 or 1: the PRU the firmware runs on. */
int pru_fw_pru(enum pru_fw fw);

/*
 * The sheep's choice for a request (load_pru_firmware): the first of EMU, HRV, SWD, SBW, PRU1
 * whose name contains the lower-cased request; none: EMU. ("hrv" -> HRV, "pru1" -> PRU1,
 * "default" and "sync" -> EMU.)
 */
enum pru_fw pru_fw_pick(const char *request);

/*
 * The kernel's choice for a text written to pru0_firmware: starts with "emu" or the EMU name ->
 * EMU, "hrv" / HRV name -> HRV, "swd" / SWD name -> SWD, "sbw" / SBW name -> SBW, anything else
 * -> EMU. (pru1_firmware: always PRU1; a text starting with "sync" changes nothing.)
 */
enum pru_fw pru_fw_kernel_pick(const char *text);

/*
 * Loads fw onto its PRU as the predecessor does: up to 6 attempts of writing the full name to
 * sysfs_root/pru<N>_firmware, a 2 s settle, and the read-back; a write or read error (-EBUSY:
 * the PRU is not idle) reloads the kernel module before the next attempt. SHP_ERR_PRU with
 * "PRU-Driver still locked up ..." after the sixth; SHP_ERR_INTERRUPTED on a stop signal.
 */
shp_err pru_fw_load(const char *sysfs_root, enum pru_fw fw);

/* The name sysfs_root/pru<pru>_firmware reads now, into buf. */
shp_err pru_fw_loaded(const char *sysfs_root, int pru, char *buf, unsigned len);

#endif
