/*
 * cal_file.h - the CalibrationCape YAML file: what `eeprom write` takes and `eeprom read -c`
 * writes (pru-settings.md 9).
 *
 *   datatype: CalibrationCape
 *   parameters:
 *     host: sheep0                            # optional
 *     cape: {serial_number: xyz1, ...}        # optional; missing fields take the defaults
 *     emulator: {adc_C_A, adc_C_B, dac_V_A, dac_V_B: {gain, offset}}
 *     harvester: {adc_C_Hrv, adc_V_Sense, dac_V_Sim, dac_V_Hrv: {gain, offset}}
 *
 * Loaded strictly with the task files' schema helpers: an unknown key, a wrong type or a missing
 * serial number is an error naming file:line, the key and what is allowed. A pair that is not
 * given takes its nominal value, an offset that is not given 0, as upstream's model defaults do.
 */
#ifndef SHP_CAL_FILE_H
#define SHP_CAL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/error.h"
#include "settings/calibration.h"
#include "settings/cape_eeprom.h"

struct cal_file {
	struct cal_cape cal;
	bool has_cape;         /* the file has cape: (else info is unset) */
	struct cape_info info; /* cape: with the defaults for what it leaves out */
	bool has_host;
	char host[256];
};

/* Reads a CalibrationCape from text (len bytes; source names it in messages). SHP_ERR_CONFIG
 * after logging every problem. */
shp_err cal_file_parse(const char *text, size_t len, const char *source, struct cal_file *out);

/* The same from a file. */
shp_err cal_file_load(const char *path, struct cal_file *out);

/* Writes cf in the same format, keys in the test fixture's order; every double in the fewest
 * digits that read back as the same double. */
void cal_file_write(FILE *f, const struct cal_file *cf);

/* The same into a file (replaced); SHP_ERR_OUTPUT with a message if it cannot be written. */
shp_err cal_file_save(const char *path, const struct cal_file *cf);

/* v as a YAML 1.1 float that reads back exactly: 7.62877291921811e-05, -0.0, 2.0e-07. */
void cal_format_double(double v, char *buf, size_t len);

#endif
