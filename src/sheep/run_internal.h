/*
 * run_internal.h - the state of one run, shared by its three parts: run.c (set-up), run_loop.c
 * (the poll loop) and run_end.c (the end checks and the finish). The run owns its task, the
 * PRU's sysfs and memory, the writer and the windows; each stream owns its own state.
 */
#ifndef SHP_RUN_INTERNAL_H
#define SHP_RUN_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "h5/h5_writer.h"
#include "monitor/monitors.h"
#include "node/cape.h"
#include "pru/shared_mem.h"
#include "sheep/durability.h"
#include "sheep/governor.h"
#include "sheep/losses.h"
#include "sheep/run.h"
#include "sheep/run_settings.h"
#include "sheep/stream_feed.h"
#include "sheep/stream_gpio.h"
#include "sheep/stream_iv.h"
#include "sheep/stream_uart.h"
#include "sheep/stream_util.h"

struct run {
	const struct shp_task *task;
	const struct run_options *opt;
	bool emu;
	uint32_t gpio_mask; /* 0: no GPIO tracing */
	struct shp_sysfs sysfs;
	struct shp_shm shm;
	h5w_t *writer; /* NULL: an emulation without output */
	struct durability durability;
	struct losses losses;
	struct governor_saved governor;
	struct run_settings settings; /* what PRU0 is told, and the file's calibration */
	struct cape cape;
	bool cape_entered; /* the end must switch the cape off */

	double begun_s; /* wall clock when the run began: the default start counts from it */
	int64_t start_s;
	uint64_t start_ns, end_ns;         /* run window [start, end) */
	uint64_t win_start_ns, win_end_ns; /* power_tracing window inside it */
	uint64_t gpio_win_start, gpio_win_end;
	uint64_t input_samples; /* emulation: input samples replayed */
	uint64_t armed_mono;
	double first_sample_ms;

	/* the streams, in the order the loop polls them */
	struct stream_feed feed;
	struct stream_gpio gpio;
	struct stream_iv iv;
	struct stream_util util;
	struct stream_uart uart;
	struct monitors monitors;
};

/* run_loop.c: arms the start, waits for the PRU and records until the window is complete. */
shp_err run_recording(struct run *h);

/* run_node.c: the task's PRU firmware, then the cape on with the mode's front-end. */
shp_err run_node_enter(struct run *h);

/* run_node.c, emulation, after the settings: level converter, IO and supply to io_port. */
shp_err run_node_route_ports(struct run *h);

/* run_node.c, emulation: the level converter off and its 2 s settle (once the PRU stopped, as
 * run_finish calls it; the predecessor switched it off while the PRU still ran). */
void run_node_io_off(struct run *h);

/* run_node.c: mode none, stops until idle, aux 0, front-ends and cape off (after the file). */
shp_err run_node_leave(struct run *h);

/* run_end.c: stops the PRU, completes and closes the file, checks; fills the result. */
shp_err run_finish(struct run *h, shp_err e, struct run_result *res);

#endif
