/*
 * run_internal.h - the state of one run, shared by its two halves: run.c (set-up, the poll
 * loop, the end) and run_io.c (moving samples, events and bytes between rings and file).
 */
#ifndef SHP_RUN_INTERNAL_H
#define SHP_RUN_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "h5/h5_input.h"
#include "h5/h5_writer.h"
#include "monitor/monitors.h"
#include "pru/gpio_ring.h"
#include "pru/iv_in_ring.h"
#include "pru/iv_out_ring.h"
#include "pru/shared_mem.h"
#include "pru/util_ring.h"
#include "sheep/governor.h"
#include "sheep/losses.h"
#include "sheep/run.h"
#include "sheep/space_guard.h"
#include "sheep/uart.h"

#define CHUNK SHP_H5_CHUNK_SAMPLES
#define POLL_MAX_NS (50 * SHP_NS_PER_MS)
#define POLL_MIN_NS (1 * SHP_NS_PER_MS)
#define STALL_NS (5000 * SHP_NS_PER_MS)
#define RUNNING_TIMEOUT_NS (15000 * SHP_NS_PER_MS)
#define FLUSH_EVERY_NS (1000 * SHP_NS_PER_MS) /* at most ~1 s is lost in a crash */
#define PROGRESS_EVERY_NS (10000 * SHP_NS_PER_MS)
#define STATE_CHECK_NS (500 * SHP_NS_PER_MS)
#define MAX_LOGGED_ANOMALIES 20
#define UTIL_BATCH 64
#define SETUP_MARGIN_S 0.5

#define GPIO_BATCH SHP_H5_GPIO_CHUNK_EVENTS
#define UART_BUF 4096
#define GPIO_SETTLE_NS (20 * SHP_NS_PER_MS)

/* Default calibration of the cape v2.4c model (file-format.md 4, sheep-datapath.md 4.3). */
#define HRV_VOLTAGE_GAIN (1.0 / 51200.0)   /* ADC voltage */
#define ADC_CURRENT_GAIN (1.0 / 4915200.0) /* ADC current, harvester and emulator */
#define DAC_VOLTAGE_GAIN (1.0 / 13107.0)   /* DAC voltage */
#define AUX_MAIN_BIT (1u << 20)
#define AUX_BUFFER_BIT (1u << 21)

struct run {
	const struct shp_task *task;
	const struct run_options *opt;
	bool emu;
	struct shp_sysfs sysfs;
	struct shp_shm shm;
	h5w_t *writer; /* NULL: an emulation without output */
	struct iv_out_reader iv;
	struct util_reader util;
	uint64_t samples; /* IV samples taken into the recording */

	/* emulation input */
	struct h5_input input;
	bool input_open;
	struct iv_in_writer feed;
	uint64_t feed_pos;   /* next input sample to write into the ring */
	uint64_t feed_total; /* input samples to replay */
	uint64_t pad_left;   /* zero samples still to write after the input's end */
	struct shp_iv_sample feed_buf[CHUNK];
	bool underrun_logged;

	/* GPIO */
	uint32_t gpio_mask;
	struct gpio_reader gpio;
	uint64_t gpio_win_start, gpio_win_end;
	uint64_t gpio_events;
	unsigned gpio_gaps_logged;
	uint64_t *gpio_ts;
	uint16_t *gpio_val;

	/* UART */
	struct uart_port uart;
	char uart_buf[UART_BUF];

	struct monitors monitors;
	struct governor_saved governor;
	struct space_guard space;
	struct losses losses;

	int64_t start_s;
	uint64_t start_ns, end_ns;         /* run window [start, end) */
	uint64_t win_start_ns, win_end_ns; /* power_tracing window inside it */
	uint64_t first_ts, last_ts;        /* first and last sample written */
	unsigned anomalies;
	uint64_t armed_mono;
	double first_sample_ms;

	uint32_t staged;
	uint64_t ts[CHUNK];
	uint32_t v[CHUNK];
	uint32_t i[CHUNK];
};

/* run_io.c */
void run_on_anomaly(void *ctx, enum iv_anomaly kind, uint64_t expected, uint64_t found,
		    uint64_t samples);
void run_on_gpio_gap(void *ctx, const struct gpio_gap *gap);
shp_err run_flush_staging(struct run *h);
shp_err run_take_iv(struct run *h, uint64_t *got);
shp_err run_take_util(struct run *h);
shp_err run_feed_input(struct run *h);
shp_err run_take_gpio(struct run *h);
shp_err run_take_uart(struct run *h);

#endif
