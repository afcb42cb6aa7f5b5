/*
 * fwmod.h - FirmwareModTask (node-control.md 4): the embedded or referenced firmware is
 * extracted next to firmware_file, an ELF gets SHEPHERD_NODE_ID patched to custom_id and is
 * turned into Intel HEX with objcopy, and the HEX ends up at firmware_file.
 */
#ifndef SHP_FWMOD_H
#define SHP_FWMOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "task/task.h"

/*
 * Runs the task. SHP_OK; SHP_ERR_FIRMWARE (message logged) for a payload that is not base64 of
 * a zstd frame, a file that is not the ELF or HEX its data_type says, an ELF without custom_id,
 * an objcopy failure; SHP_ERR_OUTPUT when the files cannot be written. An ELF without the
 * symbol SHEPHERD_NODE_ID is converted unpatched and the HEX put in place, but the task fails
 * with SHP_ERR_FIRMWARE (the predecessor succeeds there): the id asked for is not in it.
 */
shp_err fwmod_run(const struct shp_firmware_mod *task);

/* base64 (standard alphabet, padding, whitespace ignored) of a zstd frame -> malloc'd bytes. */
shp_err fwmod_decode(const char *text, uint8_t **out, size_t *out_len);

/*
 * Writes value (little or big endian as the ELF is) over the 2 bytes of symbol SHEPHERD_NODE_ID
 * in the ELF file at path, through the PT_LOAD segment that holds the symbol's address.
 * *patched false (and SHP_OK) when the ELF has no such symbol.
 */
shp_err fwmod_patch_node_id(const char *path, uint16_t value, bool *patched);

/* objcopy -O ihex elf_path hex_path. */
shp_err fwmod_elf_to_hex(const char *elf_path, const char *hex_path);

/* What a file holds: an ELF (magic), Intel HEX (every line a record with a right checksum and an
 * EOF record), or neither. */
enum fwmod_kind { FWMOD_ELF, FWMOD_HEX, FWMOD_OTHER };
enum fwmod_kind fwmod_detect(const char *path);

#endif
