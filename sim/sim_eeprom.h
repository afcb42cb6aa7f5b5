/*
 * sim_eeprom.h - the simulator's cape EEPROM: ROOT/eeprom, the 640 bytes the sheep reads and
 * writes (cape info and calibration, pru-settings.md 9), made at start from --eeprom.
 *
 * The image is built by the sheep's own code (settings/cape_eeprom.h), so both agree on the
 * layout by construction; the tests check that layout against the spec on their own.
 */
#ifndef SIM_EEPROM_H
#define SIM_EEPROM_H

#include <stdbool.h>
#include <stdint.h>

#include "settings/cape_eeprom.h"

#define SIM_EEPROM_FILE "eeprom"
#define SIM_EEPROM_SERIAL "sim0001"

struct sim_eeprom {
	bool present; /* false: --eeprom none, no file */
	uint8_t image[CAPE_EEPROM_IMAGE_SIZE];
};

/*
 * The --eeprom argument: nominal (the nominal calibration, serial sim0001), sample (the values
 * of the test cape file test_cal_data.yaml, serial xyz1), erased (all 0xFF), none (no file) or
 * the path of a CalibrationCape YAML file (its calibration and cape:, else serial sim0001).
 * False after a message on stderr.
 */
bool sim_eeprom_parse(const char *arg, struct sim_eeprom *out);

/* Writes the image to path (nothing for none); 0, or -1 with errno. */
int sim_eeprom_create(const struct sim_eeprom *ee, const char *path);

#endif
