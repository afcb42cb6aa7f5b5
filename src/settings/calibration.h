/*
 * calibration.h - the cape's calibration: pairs SI = raw * gain + offset per ADC/DAC channel,
 * the nominal values of cape v2.4c, and their export to the six integers of the PRU's
 * calibration_settings (pru-settings.md 2).
 *
 * Pure data: no file is read here (the EEPROM image is cape_eeprom.h, the YAML file
 * cal_file.h).
 */
#ifndef SHP_CALIBRATION_H
#define SHP_CALIBRATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cal_pair.h"
#include "common/error.h"

struct cal_harvester {
	struct shp_cal_pair dac_V_Hrv, dac_V_Sim, adc_V_Sense, adc_C_Hrv;
};

struct cal_emulator {
	struct shp_cal_pair dac_V_A, dac_V_B, adc_C_A, adc_C_B;
};

struct cal_cape {
	struct cal_harvester harvester;
	struct cal_emulator emulator;
};

/* The eight pairs in model order, which is also the EEPROM's: harvester dac_V_Hrv, dac_V_Sim,
 * adc_V_Sense, adc_C_Hrv, then emulator dac_V_A, dac_V_B, adc_C_A, adc_C_B. */
#define CAL_PAIR_COUNT 8

struct cal_pair_ref {
	const char *part; /* "harvester" or "emulator" */
	const char *name; /* "dac_V_Hrv", ... */
	size_t offset;    /* in struct cal_cape */
};

extern const struct cal_pair_ref cal_pairs[CAL_PAIR_COUNT];

/* Pair k (0 .. CAL_PAIR_COUNT-1) of cal. */
struct shp_cal_pair *cal_pair_at(struct cal_cape *cal, int k);
const struct shp_cal_pair *cal_pair_at_const(const struct cal_cape *cal, int k);

/* The six tokens of calibration_settings, in the order the kernel parses them. */
struct pru_calibration {
	uint32_t adc_current_gain;  /* nA per LSB * 2^8 */
	int32_t adc_current_offset; /* nA */
	uint32_t adc_voltage_gain;  /* uV per LSB * 2^8 */
	int32_t adc_voltage_offset; /* uV */
	uint32_t dac_voltage_gain;  /* LSB per uV * 2^20 */
	int32_t dac_voltage_offset; /* uV */
};

/* The nominal calibration of cape v2.4c (pru-settings.md 2.3), offsets -0.0 as upstream. */
void cal_nominal(struct cal_cape *cal);

/* A gain that is finite and > 0, an offset that is finite. */
bool cal_pair_plausible(const struct shp_cal_pair *pair);

/*
 * The PRU's integers for a harvest / an emulation (the emulator part uses port A's pairs).
 * A value outside its integer range is logged with its name and gives SHP_ERR_CONFIG.
 */
shp_err cal_harvester_export(const struct cal_harvester *cal, struct pru_calibration *out);
shp_err cal_emulator_export(const struct cal_emulator *cal, struct pru_calibration *out);

#endif
