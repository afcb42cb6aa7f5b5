/*
 * pru_settings.h - the three PRU settings blocks (calibration, virtual converter, virtual
 * harvester) written through the kernel module's sysfs files and proven to have arrived.
 *
 * The kernel copies the values into the PRU's shared RAM, but the PRU caches part of them only
 * when it re-initialises (pru-settings.md 1.2). So applying is: write the blocks in the
 * predecessor's order, write `mode` again (the re-init), wait for the PRU's "restarting" message
 * 0xF0 and idle, then read every file back and compare it field by field. Nothing is taken on
 * trust: a refused write, a missing re-init and a value that reads back different are each an
 * error that names the file, the field and both values.
 */
#ifndef SHP_PRU_SETTINGS_H
#define SHP_PRU_SETTINGS_H

#include <stddef.h>

#include "common/error.h"
#include "pru/pru_settings_text.h"
#include "pru/sysfs.h"

/* What to write; NULL = leave that file alone. */
struct pru_settings {
	const struct pru_calibration *calibration;
	const struct pru_harvester *harvester;
	const struct pru_converter *converter;
};

/* The text the predecessor writes to each file (pru-settings.md 1.1); returns its length, or 0
 * if it does not fit in len bytes (PRU_SETTINGS_TEXT_MAX always suffices). */
size_t pru_calibration_text(const struct pru_calibration *c, char *buf, size_t len);
size_t pru_converter_text(const struct pru_converter *c, char *buf, size_t len);
size_t pru_harvester_text(const struct pru_harvester *h, char *buf, size_t len);

/*
 * Parses a file's content as the kernel shows it on read: exactly the block's number of
 * white-space separated decimal tokens, each in its field's range. Anything else gives
 * SHP_ERR_SYSFS and a message naming the file and what was found.
 */
shp_err pru_calibration_parse(const char *text, struct pru_calibration *out);
shp_err pru_converter_parse(const char *text, struct pru_converter *out);
shp_err pru_harvester_parse(const char *text, struct pru_harvester *out);

/*
 * Compares what was written with what reads back: each differing field is logged as
 * "virtual_converter_settings: field 6 (Constant_us_per_nF_n28) reads 57113, 57114 was
 * written"; SHP_ERR_PRU if any differs.
 */
shp_err pru_calibration_compare(const struct pru_calibration *written,
				const struct pru_calibration *read);
shp_err pru_converter_compare(const struct pru_converter *written,
			      const struct pru_converter *read);
shp_err pru_harvester_compare(const struct pru_harvester *written,
			      const struct pru_harvester *read);

/*
 * Writes the given blocks for mode ("emulator", "harvester", ...) and re-initialises the PRU:
 *  - a PRU that is not idle is stopped first; one that stays busy is refused (SHP_ERR_PRU);
 *  - the order is the predecessor's: for the emulator modes (emu*) calibration, converter,
 *    harvester; for the others harvester, calibration, converter;
 *  - then `mode` is written again and the PRU must answer with 0xF0 within 3 s and be idle; a
 *    PRU message 0xE0 seen meanwhile means it refused a write (the simulator's way of saying
 *    -EBUSY / -EINVAL);
 *  - finally every written file is read back and compared.
 * A write that sysfs refuses gives SHP_ERR_SYSFS (logged by sysfs_write with the file, the
 * errno text and the text written); every other failure SHP_ERR_PRU, logged.
 */
shp_err pru_settings_apply(const struct shp_sysfs *s, const char *mode,
			   const struct pru_settings *set);

#endif
