/* run_plan.c - the windows and the output file of a run or a simulation (run_plan.h). */
#include "sheep/run_plan.h"

#include <stdlib.h>
#include <unistd.h>

#include "common/log.h"
#include "common/time_bounds.h"
#include "h5/h5_reader.h"
#include "sheep/output_path.h"

uint64_t run_plan_seconds_to_ns(double s)
{
	/* start + delay + duration stays below SHP_RUN_NS_MAX, which fits in 64 bits (static
	 * assertions in common/time_bounds.h) */
	uint64_t ns = SHP_SPAN_MAX_NS;
	(void)shp_seconds_to_ns(s, SHP_SAMPLE_INTERVAL_NS, &ns);
	return ns;
}

uint64_t run_plan_input_samples(const struct shp_task *task, uint64_t held)
{
	uint64_t want = held;
	if (!task->has_duration)
		return want;
	uint64_t d = run_plan_seconds_to_ns(task->duration_s) / SHP_SAMPLE_INTERVAL_NS;
	if (d < want)
		want = d;
	else if (d > want)
		log_info("the input holds %.2f s, less than the task's duration of %.2f s: "
			 "emulating %.2f s",
			 (double)want / SHP_SAMPLE_RATE_SPS, task->duration_s,
			 (double)want / SHP_SAMPLE_RATE_SPS);
	return want;
}

/* The window [start + delay, start + delay + duration) inside the run [start, end). */
static void tracing_window(const struct run_windows *w, double delay_s, double duration_s,
			   uint64_t *from, uint64_t *to)
{
	*from = w->start_ns + run_plan_seconds_to_ns(delay_s);
	*to = w->end_ns;
	if (duration_s >= 0 && *from + run_plan_seconds_to_ns(duration_s) < *to)
		*to = *from + run_plan_seconds_to_ns(duration_s);
}

void run_plan_windows(const struct shp_task *task, uint64_t start_ns, uint64_t duration_ns,
		      bool gpio, struct run_windows *w)
{
	*w = (struct run_windows){.start_ns = start_ns, .end_ns = start_ns + duration_ns};
	w->iv_from = w->start_ns;
	w->iv_to = w->end_ns;
	const struct shp_power_tracing *pt = &task->power_tracing;
	if (pt->present) {
		tracing_window(w, pt->delay_s, pt->duration_s, &w->iv_from, &w->iv_to);
		if (w->iv_from >= w->end_ns)
			log_warn("power_tracing.delay reaches past the end of the run: no IV "
				 "samples will be recorded");
	}
	if (gpio)
		tracing_window(w, task->gpio_tracing.delay_s, task->gpio_tracing.duration_s,
			       &w->gpio_from, &w->gpio_to);
}

shp_err run_plan_create_output(const struct run_output_spec *o, char *path, size_t len, h5w_t **w)
{
	const struct shp_task *task = o->task;
	bool emu = task->kind == SHP_TASK_EMULATION;
	char host[256] = "unknown";
	gethostname(host, sizeof(host) - 1);
	SHP_TRY(output_path_resolve(task->output_path, emu ? "emu" : "hrv", o->start_s,
				    task->force_overwrite, path, len));
	char *config = task_to_yaml(task, o->start_s);
	if (!config)
		return SHP_ERR_NOMEM;
	struct h5w_info info = {
		.mode = emu ? "emulator" : "harvester",
		.hostname = host,
		.config_yaml = config,
		.datatype = shp_dtype_file_name(o->settings->datatype),
		.window_samples = o->settings->window_samples,
		.voltage = o->settings->voltage,
		.current = o->settings->current,
		.compression = task->compression,
		.shuffle = o->shuffle,
		.gpio = o->gpio,
		.uart = o->uart,
		.overwrite = task->force_overwrite,
	};
	shp_err e = h5w_create(path, &info, w);
	free(config);
	if (e != SHP_OK) {
		path[0] = '\0';
		return e;
	}
	log_info("recording to %s (%s%s)", path, shp_compression_name(info.compression),
		 info.shuffle && info.compression != SHP_COMP_NONE ? " with shuffle" : "");
	return SHP_OK;
}

shp_err run_plan_close_output(struct durability *d, h5w_t *w, char *path, shp_err e,
			      uint64_t *samples)
{
	shp_err cl = durability_close(d, w);
	if (cl != SHP_OK && path[0]) {
		/* what the file really holds: the state of its last flush */
		uint64_t rows = 0;
		if (h5r_dataset_rows(path, "/data/time", &rows) == SHP_OK)
			log_error("%s keeps %llu samples (%.2f s), readable", path,
				  (unsigned long long)rows, (double)rows / SHP_SAMPLE_RATE_SPS);
		*samples = rows;
	}
	if (e == SHP_OK || e == SHP_ERR_DATA_LOSS)
		e = cl != SHP_OK ? cl : e;
	if (*samples == 0 && e != SHP_OK && e != SHP_ERR_DATA_LOSS && path[0]) {
		/* nothing recorded: leave no half-made file behind */
		unlink(path);
		log_info("removed %s: nothing was recorded", path);
		path[0] = '\0';
	}
	return e;
}
