/*
 * simulate.c - a task through the PRU's twin (simulate.h): the set-up as `run` has it (input,
 * settings, windows, output), the samples (simulate_loop.c), the end and the figures.
 */
#include "sheep/simulate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"
#include "sheep/simulate_internal.h"

static double cpu_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static shp_err open_input(struct simulation *s)
{
	SHP_TRY(h5_input_open(s->task->input_path, &s->input));
	s->input_open = true;
	s->samples = run_plan_input_samples(s->task, s->input.samples);
	log_info("input %s: %llu samples (%.2f s), simulating %.2f s", s->input.path,
		 (unsigned long long)s->input.samples,
		 (double)s->input.samples / SHP_SAMPLE_RATE_SPS,
		 (double)s->samples / SHP_SAMPLE_RATE_SPS);
	return SHP_OK;
}

/* The task's time_start (any, there is nothing to arm), else the next whole second. */
static void choose_start(struct simulation *s)
{
	if (s->task->has_time_start)
		s->start_s = (int64_t)llround(s->task->time_start);
	else
		s->start_s = (int64_t)(wall_ns() / SHP_NS_PER_S) + 1;
}

static shp_err open_output(struct simulation *s, struct simulate_result *res)
{
	if (!s->task->has_output) {
		log_info("no output_path: the simulation's data is dropped");
		return SHP_OK;
	}
	struct run_output_spec spec = {
		.task = s->task,
		.settings = &s->settings,
		.start_s = s->start_s,
		.shuffle = s->opt->shuffle,
		.gpio = s->gpio_mask != 0,
		/* a node's file has the table (empty here: the UART is not simulated) */
		.uart = s->emu && s->task->uart_logging.present,
	};
	SHP_TRY(run_plan_create_output(&spec, res->path, sizeof(res->path), &s->writer));
	log_info("simulated: /data%s; not simulated, left empty: /pru_util, the monitors' groups "
		 "(/sysutil, /kernel, /ptp, /phc2sys, /ntp, /sheep) and /uart",
		 s->gpio_mask ? " and /gpio (power-good, bit 9)" : "");
	losses_init(&s->losses, s->writer);
	SHP_TRY(durability_open(&s->durability, s->writer, res->path));
	return durability_commit(&s->durability, s->writer);
}

static shp_err start_twin(struct simulation *s)
{
	s->twin = twin_new();
	if (!s->twin)
		return SHP_ERR_NOMEM;
	struct twin_settings ts = {
		.cal = s->settings.calibration,
		.conv = s->settings.converter,
		.hrv = s->settings.harvester,
		.aux_word = s->emu ? run_settings_aux_word(&s->settings, s->task) : 0,
	};
	if (!twin_init(s->twin, &ts, s->emu)) {
		log_error("the %s firmware rejects the harvester's algorithm (the PRU would post "
			  "MSG_ERR_HRV_ALGO)",
			  s->emu ? "emulation" : "harvest");
		return SHP_ERR_PRU;
	}
	if (!s->emu)
		twin_solar_init(&s->cell, s->opt->seed, &s->settings.calibration);
	s->gpio_pg = twin_power_good(s->twin); /* the converter's init sets it */
	return SHP_OK;
}

static shp_err set_up(struct simulation *s, struct simulate_result *res)
{
	if (s->emu) {
		SHP_TRY(open_input(s));
	} else if (!s->task->has_duration) {
		log_error("%s: simulate needs the harvest's duration (a node would run %.0f s)",
			  s->task->source, SHP_DURATION_DEFAULT_S);
		return SHP_ERR_CONFIG;
	} else {
		s->samples = run_plan_seconds_to_ns(s->task->duration_s) / SHP_SAMPLE_INTERVAL_NS;
	}
	SHP_TRY(run_settings_prepare(&s->settings, s->task, s->emu ? &s->input : NULL,
				     s->opt->eeprom_path));
	choose_start(s);
	run_plan_windows(s->task, (uint64_t)s->start_s * SHP_NS_PER_S,
			 s->samples * SHP_SAMPLE_INTERVAL_NS, s->gpio_mask != 0, &s->win);
	s->iv_first = (s->win.iv_from - s->win.start_ns) / SHP_SAMPLE_INTERVAL_NS;
	s->iv_end = (s->win.iv_to - s->win.start_ns) / SHP_SAMPLE_INTERVAL_NS;
	SHP_TRY(start_twin(s));
	SHP_TRY(open_output(s, res));
	if (s->emu)
		SHP_TRY(input_prefetch_start(&s->input, s->samples, s->opt->reader_thread,
					     &s->prefetch));
	return SHP_OK;
}

/* The end as run's: the last partial chunk (also after a stop for space: it fits in the
 * reserve), /losses, the file's last commit. */
static shp_err finish(struct simulation *s, shp_err e, struct simulate_result *res)
{
	input_prefetch_stop(s->prefetch);
	s->prefetch = NULL;
	shp_err fl = simulate_flush(s);
	if (e == SHP_OK)
		e = fl;
	shp_err lo = losses_finish(&s->losses);
	if (e == SHP_OK)
		e = lo;
	if (s->writer) {
		e = run_plan_close_output(&s->durability, s->writer, res->path, e, &s->recorded);
		s->writer = NULL;
	}
	return e;
}

shp_err sheep_simulate(const struct shp_task *task, const struct simulate_options *opt,
		       struct simulate_result *res)
{
	memset(res, 0, sizeof(*res));
	struct simulation *s = calloc(1, sizeof(*s));
	if (!s)
		return SHP_ERR_NOMEM;
	uint64_t wall0 = mono_ns();
	double cpu0 = cpu_s();
	s->task = task;
	s->opt = opt;
	s->emu = task->kind == SHP_TASK_EMULATION;
	s->gpio_mask = task_gpio_mask(task);
	durability_init(&s->durability);
	res->emulation = s->emu;
	shp_err e = set_up(s, res);
	if (e == SHP_OK)
		e = simulate_samples(s);
	e = finish(s, e, res);

	res->samples = s->done;
	res->recorded = s->recorded;
	res->gpio_events = s->gpio_events;
	res->simulated_s = (double)s->done / SHP_SAMPLE_RATE_SPS;
	if (s->twin)
		res->energy = twin_energy(s->twin);
	res->wall_s = (double)(mono_ns() - wall0) / 1e9;
	res->cpu_s = cpu_s() - cpu0;
	/* the reference for the summary, outside the figures of the simulation's speed */
	if (!s->emu && s->twin && s->done)
		res->max_energy_J = twin_solar_max_energy_J(&s->cell, 0, s->done);
	if (s->twin)
		twin_free(s->twin);
	if (s->input_open)
		h5_input_close(&s->input);
	free(s);
	return e;
}
