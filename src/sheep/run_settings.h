/*
 * run_settings.h - what a run tells PRU0 besides its mode: the calibration (the cape EEPROM's or
 * the nominal one), the virtual harvester and, in an emulation, the virtual converter.
 *
 * Everything is worked out from the task and the input before any PRU is touched, so that a
 * setting the firmware cannot take is refused with the task's error, not halfway through the
 * set-up. The blocks are written after the mode is selected (a mode write leaves them alone,
 * a firmware swap resets them to the kernel's test patterns) and read back.
 */
#ifndef SHP_RUN_SETTINGS_H
#define SHP_RUN_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "h5/h5_input.h"
#include "pru/sysfs.h"
#include "settings/calibration.h"
#include "settings/energy_dtype.h"
#include "settings/vharvester.h"
#include "settings/vsource.h"
#include "task/task.h"

struct run_settings {
	bool emulation;
	struct cal_cape cape; /* the calibration of this node: the EEPROM's or the nominal one */
	struct pru_calibration calibration;
	struct pru_harvester harvester;
	struct pru_converter converter; /* emulation only */
	/* the recording's /data attributes */
	enum shp_energy_dtype datatype;
	uint32_t window_samples;
	struct shp_cal_pair voltage, current; /* gain and offset of /data/voltage and current */
};

/*
 * Chooses the calibration (use_cal_default, else the EEPROM at eeprom_path, falling back to the
 * nominal one with a warning) and exports the task's settings; input is the emulation's input
 * (NULL for a harvest). SHP_ERR_CONFIG, logged, for what the firmware cannot run.
 */
shp_err run_settings_prepare(struct run_settings *rs, const struct shp_task *task,
			     const struct h5_input *input, const char *eeprom_path);

/* Writes the blocks to the PRU (idle, in the mode just selected), re-initialises it and reads
 * them back. */
shp_err run_settings_apply(const struct run_settings *rs, const struct shp_sysfs *s);

/* The dac_auxiliary_voltage_raw word for the task's voltage_aux, with this node's DAC A pair. */
uint32_t run_settings_aux_word(const struct run_settings *rs, const struct shp_task *task);

#endif
