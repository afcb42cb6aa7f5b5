/*
 * run_plan.h - what `run` and `simulate` work out alike from a task: the samples an emulation
 * replays, the run's windows (power_tracing, gpio_tracing) and the output file with its
 * attributes. One place, so that a simulated recording is laid out as a node's.
 */
#ifndef SHP_RUN_PLAN_H
#define SHP_RUN_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "h5/h5_writer.h"
#include "sheep/durability.h"
#include "sheep/run_settings.h"
#include "task/task.h"

/* The run [start, end) and, inside it, the IV and GPIO tracing windows [from, to). */
struct run_windows {
	uint64_t start_ns, end_ns;
	uint64_t iv_from, iv_to;
	uint64_t gpio_from, gpio_to; /* both 0 without GPIO tracing */
};

/*
 * Task seconds in whole samples (ns). Every value here passed the task's range check; were one
 * refused all the same, the longest span stands in: bounded, never wrapped.
 */
uint64_t run_plan_seconds_to_ns(double s);

/* The input samples an emulation replays: what the input holds (held), capped by the task's
 * duration; logs when the input is the shorter. */
uint64_t run_plan_input_samples(const struct shp_task *task, uint64_t held);

/* The windows of a run of duration_ns from start_ns; gpio: GPIO is traced. Warns when the
 * power_tracing delay reaches past the end. */
void run_plan_windows(const struct shp_task *task, uint64_t start_ns, uint64_t duration_ns,
		      bool gpio, struct run_windows *w);

struct run_output_spec {
	const struct shp_task *task;
	const struct run_settings *settings; /* the datatype, window and calibration pairs */
	int64_t start_s;
	bool shuffle;
	bool gpio; /* GPIO is traced */
	bool uart; /* UART is logged */
};

/* Resolves the task's output path into path (len bytes), creates the recording with the
 * task's config and the settings' attributes and logs where it goes. path empty on failure. */
shp_err run_plan_create_output(const struct run_output_spec *o, char *path, size_t len, h5w_t **w);

/*
 * The recording's last commit (durability_close) after the run ended with e. When the close
 * fails, *samples becomes what the file at path really holds (its last commit). A run that
 * failed with no IV sample in its file removes the file and empties path. Returns e, or the
 * close's error where e is SHP_OK or SHP_ERR_DATA_LOSS.
 */
shp_err run_plan_close_output(struct durability *d, h5w_t *w, char *path, shp_err e,
			      uint64_t *samples);

#endif
