/*
 * simulate.h - `shepherd-sheep simulate`: a task run through the PRU's twin (twin/twin.h) in
 * this process, as fast as it goes, into the recording a node would have written for it.
 *
 * The task, its checks and the PRU settings are those of `run` (run_settings_prepare, with the
 * same calibration choice); there is no PRU, no sysfs and no wait for the start second. An
 * emulation replays its input through twin_emulate_block with a target on the output; a
 * harvest harvests the solar transducer (twin/twin_solar.h). The file has run's layout and
 * attributes (run_plan.h) with the IV samples of the power_tracing window and, in an emulation
 * with GPIO tracing, the power-good pin (BAT_OK, bit 9) as PRU1 would trace it. The PRU's
 * utilisation, the node monitors and the UART are not simulated: those groups stay empty.
 */
#ifndef SHP_SIMULATE_H
#define SHP_SIMULATE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "task/task.h"
#include "twin/twin.h"
#include "twin/twin_target.h"

struct simulate_options {
	const char *eeprom_path;   /* the cape EEPROM for the calibration, as `run` */
	bool shuffle;              /* byte-shuffle before compression, as `run` */
	struct twin_target target; /* the load of an emulation */
	uint64_t seed;             /* the transducer's of a harvest */
	bool reader_thread;        /* decode the input in a thread of its own */
};

struct simulate_result {
	char path[4096]; /* empty: no file */
	bool emulation;
	uint64_t samples;     /* simulated */
	uint64_t recorded;    /* IV samples in the file (the power_tracing window) */
	uint64_t gpio_events; /* in the file */
	double simulated_s, wall_s, cpu_s;
	struct twin_energy energy;
	double max_energy_J; /* harvest: the transducer's true maximum over the run */
};

/* Runs task (loaded and checked by task_load); res is filled also on failure. */
shp_err sheep_simulate(const struct shp_task *task, const struct simulate_options *opt,
		       struct simulate_result *res);

#endif
