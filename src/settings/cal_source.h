/*
 * cal_source.h - where the calibration of a run comes from: the nominal values when the task
 * says use_cal_default, else the cape EEPROM, falling back to the nominal values with one
 * warning when the EEPROM is missing, short, unreadable or holds implausible data (as the
 * predecessor's retrieve_calibration does, pru-settings.md 9).
 */
#ifndef SHP_CAL_SOURCE_H
#define SHP_CAL_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "settings/calibration.h"
#include "settings/cape_eeprom.h"

/* The EEPROM file: the environment's SHEPHERD_EEPROM if set and not empty, else
 * CAPE_EEPROM_DEFAULT_PATH. */
const char *cape_eeprom_default_path(void);

enum cal_origin {
	CAL_FROM_EEPROM,      /* the cape's calibration */
	CAL_NOMINAL_BY_TASK,  /* use_cal_default: true */
	CAL_NOMINAL_FALLBACK, /* the EEPROM was not usable (warned) */
};

struct cal_run_source {
	enum cal_origin origin;
	struct cape_info info; /* CAL_FROM_EEPROM: the cape it came from */
};

/*
 * Reads up to CAPE_EEPROM_IMAGE_SIZE bytes of the EEPROM file into image; *len gets the count.
 * SHP_ERR_SYSFS if the file does not exist (ENOENT, ENODEV, ENXIO: no cape, or no at24 driver),
 * SHP_ERR_INPUT if it cannot be opened or read otherwise; why gets the reason. Nothing logged.
 */
shp_err cape_eeprom_read_file(const char *path, uint8_t image[CAPE_EEPROM_IMAGE_SIZE], size_t *len,
			      char *why, size_t why_len);

/*
 * The calibration a run uses, in *out. use_default: the nominal values (logged at info); else
 * the EEPROM at eeprom_path (NULL: cape_eeprom_default_path()): its calibration with an info
 * line naming the cape's serial number, or the nominal values and exactly one warning naming
 * the path and the reason. source (may be NULL) says which it was. Never fails: SHP_OK.
 */
shp_err cal_for_run(const char *eeprom_path, bool use_default, struct cal_cape *out,
		    struct cal_run_source *source);

#endif
