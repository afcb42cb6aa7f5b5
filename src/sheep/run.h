/*
 * run.h - one task run: a harvest (IV samples from PRU0 into a recording) or an emulation (a
 * recording replayed into PRU0 while the target's consumption, GPIO edges and UART output are
 * recorded).
 *
 * Set-up checks everything that can be checked before the file is created (the input, sysfs,
 * ring layout, memory device, start time, output path); a run that fails before recording
 * anything leaves no file behind. During the run every available sample and event is taken at
 * each poll and checked (tear, timestamp sequence, start second, ring laps), IV samples are
 * written in chunks of exactly 10 000, GPIO events in chunks of 100 000. Only data inside the
 * requested windows is written, each sample and event exactly once. An emulation keeps the
 * input ring ~10 s ahead of PRU0 and counts every sample PRU0 took before it was written.
 */
#ifndef SHP_RUN_H
#define SHP_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "task/task.h"

struct run_options {
	const char *sysfs_root;
	const char *mem_device;
	const char *uart_device; /* tty of the target's UART (emulation) */
	bool shuffle;            /* byte-shuffle before compression */
	double start_delay_s; /* lead time when the task has no time_start; 0: the kind's default */
	bool status_line;     /* live status on stderr */
	struct shp_sys_logging monitors; /* which monitors run (the task's, or the CLI's) */
	const char *cpu_governor;        /* NULL: leave the governor alone */
	const char *cpu_sysfs;           /* the sysfs cpu directory */
	const char *eeprom_path;         /* the cape EEPROM file (cal_source.h) */
	const char *gpio_root;           /* the sysfs GPIO tree (node/sysfs_gpio.h) */
};

struct run_result {
	char path[4096]; /* empty: no file (none asked for, or nothing recorded) */
	bool emulation;
	uint64_t samples;
	uint64_t lost;
	uint64_t discarded;
	uint64_t util_rows;
	uint64_t gpio_events;
	uint64_t gpio_lost;
	uint64_t uart_bytes;
	uint64_t input_samples;  /* emulation: input samples replayed */
	uint64_t input_underrun; /* emulation: samples PRU0 read before they were written */
	uint64_t file_bytes;
	double duration_s;
	double cpu_s;
	double armed_mono_s;    /* CLOCK_MONOTONIC when the start was armed (0: never) */
	double first_sample_ms; /* first samples read this long after the start second */
};

shp_err sheep_run(const struct shp_task *task, const struct run_options *opt,
		  struct run_result *result);

#endif
