/* task.c - the task-file schema: the kinds, HarvestTask and EmulationTask fields, sub-models, a
 * file of one task. */
#define _GNU_SOURCE /* open_memstream */
#include "task/task.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "settings/fixtures.h"
#include "task/task_fields.h"
#include "task/task_schema.h"
#include "task/task_settings.h"
#include "task/timefmt.h"
#include "task/yaml_node.h"

/* ---- fields of both task kinds ------------------------------------------------------------------
 */

static void f_output_path(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *base)
{
	struct shp_task *t = T(base);
	if (ynode_kind(n) == YN_NULL && t->kind == SHP_TASK_EMULATION) {
		t->has_output = false; /* an emulation without a recording */
		return;
	}
	t->has_output = schema_text(c, n, path, t->output_path, sizeof(t->output_path),
				    "a file or directory path");
}

static void f_force_overwrite(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	schema_bool(c, n, path, &T(b)->force_overwrite);
}

static void f_abort_on_error(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	if (schema_bool(c, n, path, &T(b)->abort_on_error) && T(b)->abort_on_error)
		log_warn("%s: %s is deprecated and ignored", c->source, path);
}

static void f_use_cal_default(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	schema_bool(c, n, path, &T(b)->use_cal_default);
}

static void f_compression(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	enum ynode_kind k = ynode_kind(n);
	const char *t = ynode_text(n);
	if (k == YN_NULL || (k == YN_STRING && (strcmp(t, "null") == 0 || strcmp(t, "None") == 0 ||
						strcmp(t, "none") == 0)))
		T(b)->compression = SHP_COMP_NONE;
	else if (strcmp(t, "lzf") == 0)
		T(b)->compression = SHP_COMP_LZF;
	else if (strcmp(t, "1") == 0 || strcmp(t, "gzip1") == 0 || strcmp(t, "gzip") == 0 ||
		 strcmp(t, "default") == 0)
		T(b)->compression = SHP_COMP_GZIP1;
	else
		ynode_error(c, n, path, "unknown compression '%s' (allowed: lzf, 1 or gzip1, null)",
			    t);
}

static void f_time_start(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	enum ynode_kind k = ynode_kind(n);
	if (k == YN_NULL) {
		T(b)->has_time_start = false;
		return;
	}
	double t = NAN;
	bool number = k == YN_INT || k == YN_FLOAT;
	if (number)
		t = strtod(ynode_text(n), NULL); /* 1e400 is inf: out of range below */
	if (!number && !(k == YN_STRING && parse_iso_datetime(ynode_text(n), &t))) {
		ynode_error(c, n, path,
			    "expected null, Unix seconds or an ISO 8601 date-time like "
			    "2026-11-25T10:00:00Z, found %s '%s'",
			    ynode_kind_name(k), ynode_text(n));
		return;
	}
	/* before 2000 surely a mistake (ms? relative?); from 2500 on beyond the ns timestamps */
	if (!time_start_in_range(t)) {
		ynode_error(c, n, path,
			    "'%s' is out of range (" SHP_TIME_START_MIN_ISO
			    " <= time_start < " SHP_TIME_START_MAX_ISO ")",
			    ynode_text(n));
		return;
	}
	T(b)->has_time_start = true;
	T(b)->time_start = t;
}

static void f_duration(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	if (ynode_kind(n) == YN_NULL) {
		T(b)->has_duration = false;
		return;
	}
	T(b)->has_duration = schema_seconds(c, n, path, &T(b)->duration_s, false);
}

void f_verbose(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	int64_t v;
	if (!ynode_int(n, &v) || v < 0 || v > 4) {
		ynode_error(c, n, path, "expected an integer from 0 to 4, found '%s'",
			    ynode_text(n));
		return;
	}
	T(b)->verbose = (int)v;
}

/* ---- virtual_harvester ----------------------------------------------------------------- */

static void f_virtual_harvester(struct ynode_ctx *c, const yaml_node_t *n, const char *path,
				void *b)
{
	struct vharvester *vh = &T(b)->virtual_harvester;
	if (task_read_harvester(c, n, path, vh) && (uint32_t)vh->algorithm < VH_ISC_VOC)
		ynode_error(c, n, path,
			    "harvester '%s' (algorithm %s) cannot record: a HarvestTask needs one "
			    "of isc_voc, ivcurve, cv, mppt_voc, mppt_po, mppt_opt",
			    vh->name, vh_algorithm_name(vh->algorithm));
}

/* ---- power_tracing ----------------------------------------------------------------------- */

#define PT(base) ((struct shp_power_tracing *)(base))

static void pt_intermediate(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	schema_bool(c, n, path, &PT(b)->intermediate_voltage);
}

static void pt_delay(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	schema_seconds(c, n, path, &PT(b)->delay_s, true);
}

static void pt_duration(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	schema_limit(c, n, path, &PT(b)->duration_s);
}

static void pt_not_implemented(struct ynode_ctx *c, const yaml_node_t *n, const char *path, bool *v)
{
	if (schema_bool(c, n, path, v) && *v)
		ynode_error(c, n, path, "only false is implemented (as in the predecessor)");
}

static void pt_calculate_power(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	pt_not_implemented(c, n, path, &PT(b)->calculate_power);
}

static void pt_discard_current(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	pt_not_implemented(c, n, path, &PT(b)->discard_current);
}

static void pt_discard_voltage(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	pt_not_implemented(c, n, path, &PT(b)->discard_voltage);
}

static void pt_samplerate(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	int64_t v;
	if (!ynode_int(n, &v) || v != 100000)
		ynode_error(c, n, path,
			    "only 100000 (samples per second) is implemented, found '%s'",
			    ynode_text(n));
	else
		PT(b)->samplerate = (uint32_t)v;
}

static const struct field power_tracing_fields[] = {
	{"intermediate_voltage", pt_intermediate, false},
	{"delay", pt_delay, false},
	{"duration", pt_duration, false},
	{"calculate_power", pt_calculate_power, false},
	{"samplerate", pt_samplerate, false},
	{"discard_current", pt_discard_current, false},
	{"discard_voltage", pt_discard_voltage, false},
	{NULL, NULL, false},
};

static void f_power_tracing(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	struct shp_power_tracing *pt = &T(b)->power_tracing;
	pt->present = ynode_kind(n) != YN_NULL;
	if (pt->present)
		schema_mapping(c, n, path, power_tracing_fields, pt, "PowerTracing");
}

/* ---- sys_logging ------------------------------------------------------------------------- */

#define SL(base) ((struct shp_sys_logging *)(base))

static void sl_kernel(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	schema_bool(c, n, path, &SL(b)->kernel);
}

static void sl_time_sync(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	schema_bool(c, n, path, &SL(b)->time_sync);
}

static void sl_sheep(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	schema_bool(c, n, path, &SL(b)->sheep);
}

static void sl_sys_util(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	schema_bool(c, n, path, &SL(b)->sys_util);
}

static const struct field sys_logging_fields[] = {
	{"kernel", sl_kernel, false},  {"time_sync", sl_time_sync, false},
	{"sheep", sl_sheep, false},    {"sys_util", sl_sys_util, false},
	{"dmesg", sl_kernel, false},   {"ptp", sl_time_sync, false}, /* deprecated aliases */
	{"shepherd", sl_sheep, false}, {NULL, NULL, false},
};

static void f_sys_logging(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	struct shp_sys_logging *sl = &T(b)->sys_logging;
	sl->present = ynode_kind(n) != YN_NULL;
	if (!sl->present)
		sl->kernel = sl->time_sync = sl->sheep = sl->sys_util = false;
	else
		schema_mapping(c, n, path, sys_logging_fields, sl, "SystemLogging");
}

/* ---- the two models ---------------------------------------------------------------------- */

static const struct field harvest_fields[] = {
	{"output_path", f_output_path, true},
	{"force_overwrite", f_force_overwrite, false},
	{"output_compression", f_compression, false},
	{"time_start", f_time_start, false},
	{"duration", f_duration, false},
	{"abort_on_error", f_abort_on_error, false},
	{"use_cal_default", f_use_cal_default, false},
	{"virtual_harvester", f_virtual_harvester, false},
	{"power_tracing", f_power_tracing, false},
	{"sys_logging", f_sys_logging, false},
	{"verbose", f_verbose, false},
	{NULL, NULL, false},
};

static const struct field emulation_fields[] = {
	{"input_path", f_input_path, true},
	{"output_path", f_output_path, false},
	{"force_overwrite", f_force_overwrite, false},
	{"output_compression", f_compression, false},
	{"time_start", f_time_start, false},
	{"duration", f_duration, false},
	{"abort_on_error", f_abort_on_error, false},
	{"use_cal_default", f_use_cal_default, false},
	{"enable_io", f_enable_io, false},
	{"io_port", f_io_port, false},
	{"pwr_port", f_pwr_port, false},
	{"voltage_aux", f_voltage_aux, false},
	{"virtual_source", f_virtual_source, false},
	{"power_tracing", f_power_tracing, false},
	{"gpio_tracing", f_gpio_tracing, false},
	{"uart_logging", f_uart_logging, false},
	{"gpio_actuation", f_gpio_actuation, false},
	{"sys_logging", f_sys_logging, false},
	{"verbose", f_verbose, false},
	{NULL, NULL, false},
};

static void set_defaults(struct shp_task *t)
{
	t->compression = SHP_COMP_LZF;
	t->power_tracing = (struct shp_power_tracing){
		.present = true, .delay_s = 0, .duration_s = -1, .samplerate = 100000};
	t->sys_logging = (struct shp_sys_logging){.present = true,
						  .kernel = true,
						  .time_sync = true,
						  .sheep = true,
						  .sys_util = true};
	t->verbose = 2;
	/* the defaults of upstream's task models: {name: mppt_opt} and {name: neutral} */
	vh_fixture("mppt_opt", &t->virtual_harvester);
	t->enable_io = true;
	t->io_port = 'A';
	t->pwr_port = 'A';
	t->aux_kind = SHP_AUX_VOLTAGE;
	vs_fixture("neutral", &t->virtual_source);
	t->gpio_tracing = (struct shp_gpio_tracing){.present = true,
						    .gpios = (1u << 18) - 1,
						    .duration_s = -1,
						    .uart_pin = "GPIO8",
						    .uart_baudrate = 115200};
	t->uart_logging = (struct shp_uart_logging){
		.present = true, .baudrate = 115200, .bytesize = 8, .stopbits = 1, .parity = 'N'};
	/* ProgrammingTask (node-control.md 3.1), FirmwareModTask (4.1) */
	t->programming = (struct shp_programming){.target_port = 'A',
						  .mcu_port = 1,
						  .voltage = 3.0,
						  .datarate = 200000,
						  .verbose = 2};
	t->firmware_mod.verbose = 2;
}

/* ---- the kinds ----------------------------------------------------------------------------- */

static const struct {
	const char *name;
	const struct field *fields;
} kinds[] = {
	[SHP_TASK_HARVEST] = {"HarvestTask", harvest_fields},
	[SHP_TASK_EMULATION] = {"EmulationTask", emulation_fields},
	[SHP_TASK_PROGRAMMING] = {"ProgrammingTask", programming_fields},
	[SHP_TASK_FIRMWARE_MOD] = {"FirmwareModTask", firmware_mod_fields},
};

const char *task_kind_name(enum shp_task_kind kind)
{
	return (unsigned)kind < sizeof(kinds) / sizeof(kinds[0]) ? kinds[kind].name : "?";
}

bool task_kind_of(const char *name, enum shp_task_kind *kind)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (strcmp(name, kinds[k].name) == 0) {
			*kind = (enum shp_task_kind)k;
			return true;
		}
	return false;
}

void task_init(struct shp_task *task, enum shp_task_kind kind, const char *source)
{
	memset(task, 0, sizeof(*task));
	task->kind = kind;
	snprintf(task->source, sizeof(task->source), "%s", source);
	set_defaults(task);
	task->has_output = kind != SHP_TASK_EMULATION; /* a harvest's is required */
}

void task_read_params(struct ynode_ctx *c, const yaml_node_t *node, const char *path,
		      struct shp_task *task)
{
	schema_mapping(c, node, path, kinds[task->kind].fields, task, kinds[task->kind].name);
	task->programming.verbose = task->firmware_mod.verbose = task->verbose;
	if (task->kind == SHP_TASK_FIRMWARE_MOD)
		task_check_firmware_mod(c, node, path, task);
}

void task_free(struct shp_task *task)
{
	free(task->firmware_mod.data);
	task->firmware_mod.data = NULL;
}

/* ---- a file of one task ------------------------------------------------------------------ */

/* The task kind of the wrapper's datatype; false (reported) for one that is not a single task. */
static bool task_kind(struct ynode_ctx *c, const yaml_node_t *n, enum shp_task_kind *kind)
{
	const char *t = ynode_text(n);
	if (task_kind_of(t, kind))
		return true;
	if (strcmp(t, "ObserverTasks") == 0 || strcmp(t, "TestbedTasks") == 0)
		ynode_error(c, n, "datatype",
			    "%s is a list of tasks, only `run` takes it (here: one HarvestTask, "
			    "EmulationTask, ProgrammingTask or FirmwareModTask)",
			    t);
	else
		ynode_error(c, n, "datatype",
			    "unknown task type '%s' (allowed: " TASK_DATATYPES ")", t);
	return false;
}

shp_err task_parse(const char *text, size_t len, const char *source, struct shp_task *task)
{
	task_init(task, SHP_TASK_HARVEST, source);

	yaml_document_t doc;
	if (!ynode_load(text, len, source, &doc))
		return SHP_ERR_CONFIG;
	struct ynode_ctx c = {.doc = &doc, .source = source, .errors = 0};
	const yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		log_error("%s: the task file is empty", source);
		c.errors++;
	} else {
		struct schema_wrapper w;
		schema_wrapper(&c, root, "a task file", &w);
		enum shp_task_kind kind;
		if (w.datatype && task_kind(&c, w.datatype, &kind)) {
			task_init(task, kind, source);
			if (w.parameters)
				task_read_params(&c, w.parameters, "parameters", task);
		}
	}
	yaml_document_delete(&doc);
	return task_parse_result(&c, task);
}

shp_err task_parse_result(struct ynode_ctx *c, struct shp_task *task)
{
	if (!c->errors)
		return SHP_OK;
	log_error("%s: %d problem%s in the task file", c->source, c->errors,
		  c->errors > 1 ? "s" : "");
	if (task)
		task_free(task);
	return SHP_ERR_CONFIG;
}

shp_err task_load(const char *path, struct shp_task *task)
{
	char *text;
	size_t n;
	task_init(task, SHP_TASK_HARVEST, path);
	shp_err e = ynode_read_file(path, "task file", TASK_FILE_MAX_BYTES, &text, &n);
	if (e == SHP_OK)
		e = task_parse(text, n, path, task);
	free(text);
	return e;
}
