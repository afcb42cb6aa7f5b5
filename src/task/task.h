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

enum shp_task_kind {
	SHP_TASK_HARVEST,
	SHP_TASK_EMULATION,
	SHP_TASK_PROGRAMMING,  /* ProgrammingTask (node-control.md 3.1) */
	SHP_TASK_FIRMWARE_MOD, /* FirmwareModTask (4.1) */
};

enum shp_prog_protocol { SHP_PROG_SWD, SHP_PROG_SBW, SHP_PROG_JTAG, SHP_PROG_UART };

/* ProgrammingTask: the firmware file need not exist when the task is read (an ObserverTasks'
 * fw1_mod creates it); prog_run_task checks it. */
struct shp_programming {
	char firmware_file[PATH_MAX]; /* suffix .hex, .ihex or .ihx (any case) */
	char target_port;             /* 'A' (default) or 'B' */
	unsigned mcu_port;            /* 1 (default) or 2: the programmer's pin set */
	char mcu_type[64];            /* as given: nrf52, nRF52, msp430, MSP430FR, ... */
	double voltage;               /* V, 1 <= v < 5, default 3 */
	uint32_t datarate;            /* bit/s, 1 ... 1 000 000, default 200 000 */
	enum shp_prog_protocol protocol;
	bool simulate; /* target dummy, one attempt */
	int verbose;   /* 0..4, default 2 */
};

enum shp_fw_data_type { SHP_FW_HEX, SHP_FW_ELF, SHP_FW_PATH_HEX, SHP_FW_PATH_ELF };

/* FirmwareModTask */
struct shp_firmware_mod {
	char *data; /* malloc'd (task_free): base64 of zstd (hex, elf) or a path (path_*) */
	enum shp_fw_data_type data_type;
	bool has_custom_id; /* false: custom_id null */
	uint16_t custom_id;
	char firmware_file[PATH_MAX];
	int verbose;
};

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

	/* ProgrammingTask, FirmwareModTask */
	struct shp_programming programming;
	struct shp_firmware_mod firmware_mod;
};

/* The type name of a kind as task files write it ("HarvestTask", ...). */
const char *task_kind_name(enum shp_task_kind kind);

/* The names task files write for a protocol ("SWD", ...) and a data type ("path_elf", ...). */
const char *task_protocol_name(enum shp_prog_protocol protocol);
const char *task_fw_data_type_name(enum shp_fw_data_type type);

/* Frees what a task owns (the FirmwareModTask's data); the struct itself stays. */
void task_free(struct shp_task *task);

/*
 * What one task file asks of this node (node-control.md 5.2): a single task, or the members of
 * an ObserverTasks (or of the entry of a TestbedTasks whose observer is this host) in the fixed
 * order fw1_mod, fw2_mod, fw1_prog, fw2_prog, emulation. An ObserverTasks without members is an
 * empty list (nothing to run, success).
 */
#define SHP_TASK_LIST_MAX 5
struct shp_task_list {
	char datatype[32];  /* the file's datatype */
	char observer[128]; /* ObserverTasks / TestbedTasks: the observer's name, else empty */
	unsigned n;
	struct shp_task *task[SHP_TASK_LIST_MAX]; /* malloc'd, in the order they run */
	char member[SHP_TASK_LIST_MAX][16];       /* "fw1_mod" ... "emulation", or "" */
};

/*
 * Loads any task file. hostname selects the entry of a TestbedTasks (NULL: this machine's,
 * trimmed); none matching is SHP_ERR_CONFIG "Observer '<name>' is not in TestbedTask-Set". Every
 * problem of every member is reported; any makes the whole file SHP_ERR_CONFIG and nothing runs.
 */
shp_err task_list_load(const char *path, const char *hostname, struct shp_task_list *list);
void task_list_free(struct shp_task_list *list);

/* This machine's name as a TestbedTasks entry is chosen by (the predecessor's
 * platform.node().strip(): uname's nodename, trimmed); SHEPHERD_HOSTNAME, if set and not
 * empty, stands in for it (tests, a simulated node). */
void task_host_name(char *out, size_t len);

/* The PRU1 tracer mask (cape v2.4 bits) for the traced target GPIOs. */
uint32_t task_gpio_mask(const struct shp_task *task);

/* Loads and validates a file of one task (any of the four kinds above). Every problem is
 * logged; returns SHP_ERR_CONFIG on any. */
shp_err task_load(const char *path, struct shp_task *task);

/* Same for text in memory; source names it in messages. */
shp_err task_parse(const char *text, size_t len, const char *source, struct shp_task *task);

/*
 * The task as YAML for the recording's root attribute "config": every field with its effective
 * value, time_start as the resolved start. Returns a malloc'd string, NULL if out of memory.
 */
char *task_to_yaml(const struct shp_task *task, int64_t time_start_s);

#endif
