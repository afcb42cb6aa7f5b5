/*
 * task.h - the task files that drive a run (shared/spec/sheep-datapath.md section 6).
 *
 * A file is the wrapper {datatype, parameters, comment?, created?, lib_ver?}. The parameters are
 * checked as strictly as the predecessor's pydantic models: unknown keys, wrong types and values
 * out of range are each reported with file, line, column, the key and what is allowed, and all
 * problems of a file are reported in one go. Defaults are those of shepherd-core v2025.05.3.
 */
#ifndef SHP_TASK_H
#define SHP_TASK_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "h5/h5_common.h"

#define SHP_DURATION_DEFAULT_S 1e6 /* "no duration": 10^6 s, as the predecessor */
#define SHP_VH_EXTRA_MAX 24

enum shp_task_kind { SHP_TASK_HARVEST };

struct shp_power_tracing {
	bool present; /* false: "power_tracing: null" (records everything, as the predecessor) */
	bool intermediate_voltage;
	double delay_s;
	double duration_s; /* < 0: no limit */
	bool calculate_power;
	uint32_t samplerate;
	bool discard_current;
	bool discard_voltage;
};

struct shp_sys_logging {
	bool present;
	bool kernel;
	bool time_sync;
	bool sheep;
	bool sys_util;
};

struct shp_vh_field {
	char key[40];
	char value[64];
};

struct shp_virtual_harvester {
	char name[48];
	const char *datatype; /* file datatype this algorithm records */
	size_t extra_n;       /* further fields, kept verbatim for the config dump */
	struct shp_vh_field extra[SHP_VH_EXTRA_MAX];
};

struct shp_harvest_task {
	char output_path[PATH_MAX];
	bool force_overwrite;
	enum shp_compression compression;
	bool has_time_start;
	double time_start; /* Unix seconds */
	bool has_duration;
	double duration_s;
	bool abort_on_error;
	bool use_cal_default;
	struct shp_virtual_harvester virtual_harvester;
	struct shp_power_tracing power_tracing;
	struct shp_sys_logging sys_logging;
	int verbose;
};

struct shp_task {
	enum shp_task_kind kind;
	char source[PATH_MAX];
	struct shp_harvest_task harvest;
};

/* Loads and validates a task file. Every problem is logged; returns SHP_ERR_CONFIG on any. */
shp_err task_load(const char *path, struct shp_task *task);

/* Same for text in memory; source names it in messages. */
shp_err task_parse(const char *text, size_t len, const char *source, struct shp_task *task);

/*
 * The task as YAML for the recording's root attribute "config": every field with its effective
 * value, time_start as the resolved start. Returns a malloc'd string, NULL if out of memory.
 */
char *task_to_yaml(const struct shp_task *task, int64_t time_start_s);

#endif
