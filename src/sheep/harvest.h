/*
 * harvest.h - the harvest run: IV samples from the PRU0 output ring into a Shepherd recording.
 *
 * Set-up checks everything that can be checked before the file is created (sysfs, ring layout,
 * memory device, start time, output path); a run that fails before recording anything leaves no
 * file behind. During the run every available sample is taken at each poll, checked (tear,
 * timestamp sequence, start second) and written in chunks of exactly 10 000 samples. Only
 * samples inside the requested window [start, start + duration) are written, each exactly once.
 */
#ifndef SHP_HARVEST_H
#define SHP_HARVEST_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "task/task.h"

struct run_options {
	const char *sysfs_root;
	const char *mem_device;
	bool shuffle;         /* byte-shuffle before compression */
	double start_delay_s; /* lead time when the task has no time_start */
	bool status_line;     /* live status on stderr */
};

struct run_result {
	char path[4096];
	uint64_t samples;
	uint64_t lost;
	uint64_t discarded;
	uint64_t util_rows;
	uint64_t file_bytes;
	double duration_s;
	double cpu_s;
	double armed_mono_s;    /* CLOCK_MONOTONIC when the start was armed (0: never) */
	double first_sample_ms; /* first samples read this long after the start second */
};

shp_err harvest_run(const struct shp_task *task, const struct run_options *opt,
		    struct run_result *result);

#endif
