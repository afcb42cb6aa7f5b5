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
#include "common/time_bounds.h"
#include "h5/h5_common.h"
#include "settings/vharvester.h"
#include "settings/vsource.h"

#define SHP_DURATION_DEFAULT_S 1e6 /* "no duration": 10^6 s, as the predecessor */
_Static_assert((unsigned long long)SHP_DURATION_DEFAULT_S <= SHP_SPAN_MAX_S,
	       "the default duration lies in the range of the task's durations");

enum shp_task_kind { SHP_TASK_HARVEST, SHP_TASK_EMULATION };

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

struct shp_gpio_tracing {
	bool present;   /* false: "gpio_tracing: null", no GPIO is recorded */
	uint32_t gpios; /* bit k: target GPIO k (0..17) is traced */
	double delay_s;
	double duration_s; /* < 0: no limit */
	bool uart_decode;
	char uart_pin[16];
	uint32_t uart_baudrate;
};

struct shp_uart_logging {
	bool present; /* false: "uart_logging: null", no UART is recorded */
	uint32_t baudrate;
	unsigned bytesize; /* 5..8 */
	double stopbits;   /* 1, 1.5 or 2 */
	char parity;       /* N, E, O, M, S */
};

enum shp_aux_kind { SHP_AUX_VOLTAGE, SHP_AUX_MAIN, SHP_AUX_BUFFER };

/* One task's parameters; fields that only one kind has are left at their defaults otherwise. */
struct shp_task {
	enum shp_task_kind kind;
	char source[PATH_MAX];

	/* both kinds */
	bool has_output; /* an EmulationTask may have output_path null: nothing is written */
	char output_path[PATH_MAX];
	bool force_overwrite;
	enum shp_compression compression;
	bool has_time_start;
	double time_start; /* Unix seconds */
	bool has_duration;
	double duration_s;
	bool abort_on_error;
	bool use_cal_default;
	struct shp_power_tracing power_tracing;
	struct shp_sys_logging sys_logging;
	int verbose;

	/* HarvestTask: resolved (fixture, inheritance, defaults, checks), as it will record */
	struct vharvester virtual_harvester;

	/* EmulationTask */
	char input_path[PATH_MAX];
	bool enable_io;
	char io_port; /* 'A' or 'B' */
	char pwr_port;
	enum shp_aux_kind aux_kind;
	double voltage_aux;            /* V, for SHP_AUX_VOLTAGE */
	struct vsource virtual_source; /* resolved, with its harvester */
	struct shp_gpio_tracing gpio_tracing;
	struct shp_uart_logging uart_logging;
};

/* The PRU1 tracer mask (cape v2.4 bits) for the traced target GPIOs. */
uint32_t task_gpio_mask(const struct shp_task *task);

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
