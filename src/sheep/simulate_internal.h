/*
 * simulate_internal.h - the state of one simulation, shared by its set-up and end
 * (simulate.c) and its loop over blocks of samples (simulate_loop.c).
 */
#ifndef SHP_SIMULATE_INTERNAL_H
#define SHP_SIMULATE_INTERNAL_H

#include "h5/h5_input.h"
#include "h5/h5_writer.h"
#include "sheep/durability.h"
#include "sheep/input_prefetch.h"
#include "sheep/losses.h"
#include "sheep/run_plan.h"
#include "sheep/run_settings.h"
#include "sheep/simulate.h"
#include "twin/twin_solar.h"

#define SIM_BLOCK SHP_H5_CHUNK_SAMPLES

struct simulation {
	const struct shp_task *task;
	const struct simulate_options *opt;
	bool emu;
	uint32_t gpio_mask; /* 0: no GPIO tracing */
	struct h5_input input;
	bool input_open;
	struct input_prefetch *prefetch;
	struct run_settings settings;
	struct twin *twin;
	struct twin_solar cell;
	int64_t start_s;
	uint64_t samples; /* of the run */
	struct run_windows win;
	uint64_t iv_first, iv_end; /* the power_tracing window in samples of the run */
	h5w_t *writer;             /* NULL: no output */
	struct losses losses;
	struct durability durability;

	uint64_t done;        /* samples simulated */
	uint64_t recorded;    /* IV samples handed to the writer */
	uint64_t gpio_events; /* GPIO events handed to the writer */
	bool gpio_pg;         /* power-good after the last sample (PRU1's BAT_OK) */
	uint32_t staged;      /* IV samples waiting for a whole chunk */
	uint64_t stage_ts[SIM_BLOCK];
	uint32_t stage_v[SIM_BLOCK], stage_i[SIM_BLOCK];
	/* one block's output */
	uint64_t ts[SIM_BLOCK];
	uint32_t v[SIM_BLOCK], i[SIM_BLOCK];
	uint8_t flags[SIM_BLOCK];
	uint64_t gpio_ts[SIM_BLOCK];
	uint16_t gpio_val[SIM_BLOCK];
};

/* simulate_loop.c: every sample of the run, block by block, into the writer. */
shp_err simulate_samples(struct simulation *s);

/* simulate_loop.c: the staged IV samples (the file's last, partial chunk) to the writer. */
shp_err simulate_flush(struct simulation *s);

#endif
