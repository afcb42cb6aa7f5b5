/*
 * h5_input.h - a Shepherd recording as the input of an emulation.
 *
 * Everything that can be wrong with an input file is checked when it is opened, before any PRU
 * is touched: that it is HDF5 at all, the root "mode" (a harvest recording), the datatype (IV
 * samples), the three datasets (1-D, integer, equal length, not empty, at most 366 days of
 * samples; IV curves need window_samples >= 1), their calibration (gain > 0 and finite, offset
 * finite, as the reference Reader demands), and that the first and the last chunk can be read,
 * which catches files cut short. Each problem gets one message naming the file and what is wrong.
 */
#ifndef SHP_H5_INPUT_H
#define SHP_H5_INPUT_H

#include <hdf5.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "h5/h5_common.h"
#include "pru/shepherd_abi.h"
#include "settings/energy_dtype.h"

struct h5_input {
	hid_t file;
	hid_t time, voltage, current;
	uint64_t samples;
	struct shp_cal_pair cal_voltage; /* V = raw * gain + offset */
	struct shp_cal_pair cal_current; /* A = raw * gain + offset */
	char mode[32];
	char datatype[32];           /* as in the file: an ivsample or an ivcurve alias */
	enum shp_energy_dtype dtype; /* IV samples, or voltage sweeps for the PRU's harvester */
	uint32_t window_samples;     /* IV curves: samples per curve; 0 otherwise */
	char path[4096];
};

/*
 * Opens and checks path; on failure everything is closed again. The checks run first in a
 * child process (h5_input_check_isolated): libhdf5 1.10 can crash or loop forever on some
 * damaged files, and that must cost a message, not the sheep.
 */
shp_err h5_input_open(const char *path, struct h5_input *in);

/*
 * The checks in a forked child, plus a lookup of every chunk in the datasets' chunk index.
 * A crash or a hang (SHEPHERD_CHECK_TIMEOUT_S, default 60 s) refuses the file with a message.
 */
shp_err h5_input_check_isolated(const char *path);

/* The checks in this process only (the child's part; the fuzzer's entry). */
shp_err h5_input_open_direct(const char *path, struct h5_input *in);
void h5_input_close(struct h5_input *in);

/*
 * Reads n samples from index first and converts them for the PRU's input ring: voltage in uV
 * and current in nA, as u32, truncated like the predecessor and clamped to 0 .. 2^32-1.
 */
shp_err h5_input_read(const struct h5_input *in, uint64_t first, uint32_t n,
		      struct shp_iv_sample *out);

/*
 * The voltage step of the input's curves, for the emulation's harvester (pru-settings.md 3.2):
 * the step its harvester was configured with (config: virtual_harvester.voltage_step_mV, as
 * this sheep and the predecessor store it), else, with from_samples, the smallest positive
 * difference between consecutive calibrated voltages of the first 2000 samples (the predecessor
 * takes the raw codes as millivolts there). NAN if neither gives a value > 0.
 */
double h5_input_voltage_step_V(const struct h5_input *in, bool from_samples);

/* Reads n raw voltage codes from index first. */
shp_err h5_input_read_voltage_raw(const struct h5_input *in, uint64_t first, uint32_t n,
				  uint32_t *out);

/* Reads n raw timestamps (ns) from index first. */
shp_err h5_input_read_time(const struct h5_input *in, uint64_t first, uint32_t n, uint64_t *out);

/* The conversion alone: value = raw * gain + offset in SI, scaled by scale (1e6 or 1e9). */
uint32_t h5_input_to_pru_unit(uint32_t raw, const struct shp_cal_pair *cal, double scale);

#endif
