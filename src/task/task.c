/* task.c - the task-file schema: wrapper, HarvestTask fields, sub-models, defaults and dump. */
#define _GNU_SOURCE /* open_memstream */
#include "task/task.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "task/timefmt.h"
#include "task/yaml_node.h"

#define MAX_TASK_FILE_BYTES (1024 * 1024)

typedef void (*field_fn)(struct ynode_ctx *c, const yaml_node_t *node, const char *path,
			 void *base);

struct field {
	const char *name;
	field_fn parse;
	bool required;
};

/* ---- generic mapping walk ---------------------------------------------------------------- */

static void join_path(char *out, size_t len, const char *path, const char *key)
{
	snprintf(out, len, "%s%s%s", path, *path ? "." : "", key);
}

static void allowed_names(const struct field *fields, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (const struct field *f = fields; f->name && used < len; f++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", f->name);
}

static void parse_mapping(struct ynode_ctx *c, const yaml_node_t *node, const char *path,
			  const struct field *fields, void *base, const char *model)
{
	if (ynode_kind(node) != YN_MAPPING) {
		ynode_error(c, node, path, "expected a mapping of %s fields, found %s", model,
			    ynode_kind_name(ynode_kind(node)));
		return;
	}
	size_t nfields = 0;
	while (fields[nfields].name)
		nfields++;
	bool seen[64] = {false};
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
	     p++) {
		const yaml_node_t *key = yaml_document_get_node(c->doc, p->key);
		const yaml_node_t *value = yaml_document_get_node(c->doc, p->value);
		const char *name = ynode_text(key);
		char sub[256];
		join_path(sub, sizeof(sub), path, name);
		size_t k = 0;
		while (k < nfields && strcmp(fields[k].name, name) != 0)
			k++;
		if (k == nfields) {
			char allowed[1024];
			allowed_names(fields, allowed, sizeof(allowed));
			ynode_error(c, key, sub, "unknown field of %s (allowed: %s)", model,
				    allowed);
			continue;
		}
		if (seen[k]) {
			ynode_error(c, key, sub, "given twice");
			continue;
		}
		seen[k] = true;
		fields[k].parse(c, value, sub, base);
	}
	for (size_t k = 0; k < nfields; k++) {
		char sub[256];
		join_path(sub, sizeof(sub), path, fields[k].name);
		if (fields[k].required && !seen[k])
			ynode_error(c, node, sub, "required field of %s is missing", model);
	}
}

static bool want_bool(struct ynode_ctx *c, const yaml_node_t *node, const char *path, bool *out)
{
	if (ynode_bool(node, out))
		return true;
	ynode_error(c, node, path, "expected true or false, found %s '%s'",
		    ynode_kind_name(ynode_kind(node)), ynode_text(node));
	return false;
}

static bool want_seconds(struct ynode_ctx *c, const yaml_node_t *node, const char *path,
			 double *out, bool allow_zero)
{
	enum ynode_kind k = ynode_kind(node);
	double v;
	if (ynode_number(node, &v) ||
	    (k == YN_STRING && parse_duration_text(ynode_text(node), &v))) {
		if (v > 0 || (allow_zero && v == 0)) {
			*out = v;
			return true;
		}
		ynode_error(c, node, path, "must be %s seconds, found %s",
			    allow_zero ? "zero or more" : "more than 0", ynode_text(node));
		return false;
	}
	ynode_error(c, node, path,
		    "expected seconds (a number, ISO 8601 like PT10S, or HH:MM:SS), found %s '%s'",
		    ynode_kind_name(k), ynode_text(node));
	return false;
}

/* ---- HarvestTask fields ------------------------------------------------------------------ */

#define HRV(base) ((struct shp_harvest_task *)(base))

static void f_output_path(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *base)
{
	enum ynode_kind k = ynode_kind(n);
	const char *text = ynode_text(n);
	if (k == YN_NULL || k == YN_MAPPING || k == YN_SEQUENCE || text[0] == '\0') {
		ynode_error(c, n, path, "expected a file or directory path, found %s",
			    ynode_kind_name(k));
		return;
	}
	if (strlen(text) >= sizeof(HRV(base)->output_path)) {
		ynode_error(c, n, path, "path is too long");
		return;
	}
	strcpy(HRV(base)->output_path, text);
}

static void f_force_overwrite(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	want_bool(c, n, path, &HRV(b)->force_overwrite);
}

static void f_abort_on_error(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	if (want_bool(c, n, path, &HRV(b)->abort_on_error) && HRV(b)->abort_on_error)
		log_warn("%s: %s is deprecated and ignored", c->source, path);
}

static void f_use_cal_default(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	want_bool(c, n, path, &HRV(b)->use_cal_default);
}

static void f_compression(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	enum ynode_kind k = ynode_kind(n);
	const char *t = ynode_text(n);
	if (k == YN_NULL || (k == YN_STRING && (strcmp(t, "null") == 0 || strcmp(t, "None") == 0 ||
						strcmp(t, "none") == 0)))
		HRV(b)->compression = SHP_COMP_NONE;
	else if (strcmp(t, "lzf") == 0)
		HRV(b)->compression = SHP_COMP_LZF;
	else if (strcmp(t, "1") == 0 || strcmp(t, "gzip1") == 0 || strcmp(t, "gzip") == 0 ||
		 strcmp(t, "default") == 0)
		HRV(b)->compression = SHP_COMP_GZIP1;
	else
		ynode_error(c, n, path, "unknown compression '%s' (allowed: lzf, 1 or gzip1, null)",
			    t);
}

static void f_time_start(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	enum ynode_kind k = ynode_kind(n);
	double t;
	if (k == YN_NULL) {
		HRV(b)->has_time_start = false;
		return;
	}
	if (ynode_number(n, &t) || (k == YN_STRING && parse_iso_datetime(ynode_text(n), &t))) {
		if (t < 946684800.0) { /* before 2000: surely a mistake (ms? relative?) */
			ynode_error(c, n, path,
				    "'%s' is not a plausible start time (Unix seconds or "
				    "ISO 8601 date-time)",
				    ynode_text(n));
			return;
		}
		HRV(b)->has_time_start = true;
		HRV(b)->time_start = t;
		return;
	}
	ynode_error(c, n, path,
		    "expected null, Unix seconds or an ISO 8601 date-time like "
		    "2026-11-25T10:00:00Z, found %s '%s'",
		    ynode_kind_name(k), ynode_text(n));
}

static void f_duration(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	if (ynode_kind(n) == YN_NULL) {
		HRV(b)->has_duration = false;
		return;
	}
	HRV(b)->has_duration = want_seconds(c, n, path, &HRV(b)->duration_s, false);
}

static void f_verbose(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	int64_t v;
	if (!ynode_int(n, &v) || v < 0 || v > 4) {
		ynode_error(c, n, path, "expected an integer from 0 to 4, found '%s'",
			    ynode_text(n));
		return;
	}
	HRV(b)->verbose = (int)v;
}

/* ---- virtual_harvester ------------------------------------------------------------------- */

static const struct {
	const char *name;
	const char *datatype;
} harvesters[] = {
	{"neutral", "ivtrace"},       {"cv10", "ivtrace"},
	{"cv20", "ivtrace"},          {"cv33", "ivtrace"},
	{"mppt_voc", "ivtrace"},      {"mppt_bq", "ivtrace"},
	{"mppt_bq_solar", "ivtrace"}, {"mppt_bq_thermoelectric", "ivtrace"},
	{"mppt_po", "ivtrace"},       {"mppt_opt", "ivtrace"},
};

static const char *const vh_passthrough[] = {"datatype",
					     "window_size",
					     "voltage_mV",
					     "voltage_min_mV",
					     "voltage_max_mV",
					     "current_limit_uA",
					     "voltage_step_mV",
					     "setpoint_n",
					     "interval_ms",
					     "duration_ms",
					     "rising",
					     "enable_linear_extrapolation",
					     "wait_cycles",
					     "id",
					     "description",
					     "comment",
					     "created",
					     "updated_last",
					     "owner",
					     "group",
					     "visible",
					     "inherit_from",
					     NULL};

static void vh_name(struct ynode_ctx *c, const yaml_node_t *n, const char *path,
		    struct shp_virtual_harvester *vh)
{
	const char *t = ynode_text(n);
	for (size_t k = 0; k < sizeof(harvesters) / sizeof(harvesters[0]); k++) {
		if (strcmp(t, harvesters[k].name) == 0) {
			snprintf(vh->name, sizeof(vh->name), "%s", t);
			vh->datatype = harvesters[k].datatype;
			return;
		}
	}
	if (strncmp(t, "ivcurve", 7) == 0 || strncmp(t, "iv1", 3) == 0 ||
	    strcmp(t, "isc_voc") == 0) {
		ynode_error(c, n, path,
			    "harvester '%s' records IV curves, which this sheep does not "
			    "support yet (use an ivsample harvester such as mppt_opt)",
			    t);
		return;
	}
	char allowed[512] = "";
	size_t used = 0;
	for (size_t k = 0; k < sizeof(harvesters) / sizeof(harvesters[0]); k++)
		used += (size_t)snprintf(allowed + used, sizeof(allowed) - used, "%s%s",
					 k ? ", " : "", harvesters[k].name);
	ynode_error(c, n, path, "unknown harvester '%s' (allowed: %s)", t, allowed);
}

static void f_virtual_harvester(struct ynode_ctx *c, const yaml_node_t *n, const char *path,
				void *b)
{
	struct shp_virtual_harvester *vh = &HRV(b)->virtual_harvester;
	if (ynode_kind(n) != YN_MAPPING) {
		ynode_error(c, n, path, "expected a mapping like {name: mppt_opt}, found %s",
			    ynode_kind_name(ynode_kind(n)));
		return;
	}
	vh->extra_n = 0;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		const yaml_node_t *key = yaml_document_get_node(c->doc, p->key);
		const yaml_node_t *value = yaml_document_get_node(c->doc, p->value);
		char sub[256];
		join_path(sub, sizeof(sub), path, ynode_text(key));
		if (strcmp(ynode_text(key), "name") == 0) {
			vh_name(c, value, sub, vh);
			continue;
		}
		size_t k = 0;
		while (vh_passthrough[k] && strcmp(vh_passthrough[k], ynode_text(key)) != 0)
			k++;
		if (!vh_passthrough[k]) {
			ynode_error(c, key, sub, "unknown field of VirtualHarvesterConfig");
			continue;
		}
		enum ynode_kind kind = ynode_kind(value);
		if (kind == YN_MAPPING || kind == YN_SEQUENCE || vh->extra_n == SHP_VH_EXTRA_MAX) {
			ynode_error(c, value, sub, "expected a single value");
			continue;
		}
		struct shp_vh_field *f = &vh->extra[vh->extra_n++];
		snprintf(f->key, sizeof(f->key), "%s", ynode_text(key));
		snprintf(f->value, sizeof(f->value), "%s",
			 kind == YN_NULL ? "null" : ynode_text(value));
		log_warn("%s: %s is recorded in the config but not applied: the PRU uses the "
			 "settings of '%s'",
			 c->source, sub, vh->name[0] ? vh->name : "the named harvester");
	}
}

/* ---- power_tracing ----------------------------------------------------------------------- */

#define PT(base) ((struct shp_power_tracing *)(base))

static void pt_intermediate(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	want_bool(c, n, path, &PT(b)->intermediate_voltage);
}

static void pt_delay(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	want_seconds(c, n, path, &PT(b)->delay_s, true);
}

static void pt_duration(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	if (ynode_kind(n) == YN_NULL)
		PT(b)->duration_s = -1;
	else
		want_seconds(c, n, path, &PT(b)->duration_s, false);
}

static void pt_not_implemented(struct ynode_ctx *c, const yaml_node_t *n, const char *path, bool *v)
{
	if (want_bool(c, n, path, v) && *v)
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
	struct shp_power_tracing *pt = &HRV(b)->power_tracing;
	pt->present = ynode_kind(n) != YN_NULL;
	if (pt->present)
		parse_mapping(c, n, path, power_tracing_fields, pt, "PowerTracing");
}

/* ---- sys_logging ------------------------------------------------------------------------- */

#define SL(base) ((struct shp_sys_logging *)(base))

static void sl_kernel(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	want_bool(c, n, path, &SL(b)->kernel);
}

static void sl_time_sync(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	want_bool(c, n, path, &SL(b)->time_sync);
}

static void sl_sheep(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	want_bool(c, n, path, &SL(b)->sheep);
}

static void sl_sys_util(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	want_bool(c, n, path, &SL(b)->sys_util);
}

static const struct field sys_logging_fields[] = {
	{"kernel", sl_kernel, false},  {"time_sync", sl_time_sync, false},
	{"sheep", sl_sheep, false},    {"sys_util", sl_sys_util, false},
	{"dmesg", sl_kernel, false},   {"ptp", sl_time_sync, false}, /* deprecated aliases */
	{"shepherd", sl_sheep, false}, {NULL, NULL, false},
};

static void f_sys_logging(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	struct shp_sys_logging *sl = &HRV(b)->sys_logging;
	sl->present = ynode_kind(n) != YN_NULL;
	if (!sl->present)
		sl->kernel = sl->time_sync = sl->sheep = sl->sys_util = false;
	else
		parse_mapping(c, n, path, sys_logging_fields, sl, "SystemLogging");
}

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

static void harvest_defaults(struct shp_harvest_task *h)
{
	memset(h, 0, sizeof(*h));
	h->compression = SHP_COMP_LZF;
	snprintf(h->virtual_harvester.name, sizeof(h->virtual_harvester.name), "mppt_opt");
	h->virtual_harvester.datatype = "ivtrace";
	h->power_tracing = (struct shp_power_tracing){
		.present = true, .delay_s = 0, .duration_s = -1, .samplerate = 100000};
	h->sys_logging = (struct shp_sys_logging){.present = true,
						  .kernel = true,
						  .time_sync = true,
						  .sheep = true,
						  .sys_util = true};
	h->verbose = 2;
}

/* ---- wrapper ----------------------------------------------------------------------------- */

struct wrapper {
	struct shp_task *task;
	const yaml_node_t *parameters;
	bool kind_known;
};

static void w_datatype(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	struct wrapper *w = b;
	const char *t = ynode_text(n);
	if (strcmp(t, "HarvestTask") == 0) {
		w->task->kind = SHP_TASK_HARVEST;
		w->kind_known = true;
	} else if (strcmp(t, "EmulationTask") == 0 || strcmp(t, "FirmwareModTask") == 0 ||
		   strcmp(t, "ProgrammingTask") == 0 || strcmp(t, "ObserverTasks") == 0 ||
		   strcmp(t, "TestbedTasks") == 0) {
		ynode_error(c, n, path,
			    "%s is not supported by this version of the sheep yet (supported: "
			    "HarvestTask)",
			    t);
	} else {
		ynode_error(c, n, path, "unknown task type '%s' (allowed: HarvestTask)", t);
	}
}

static void w_parameters(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	(void)c;
	(void)path;
	((struct wrapper *)b)->parameters = n;
}

static void w_ignore(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	(void)c;
	(void)n;
	(void)path;
	(void)b;
}

static const struct field wrapper_fields[] = {
	{"datatype", w_datatype, true}, {"parameters", w_parameters, true},
	{"comment", w_ignore, false},   {"created", w_ignore, false},
	{"lib_ver", w_ignore, false},   {NULL, NULL, false},
};

shp_err task_parse(const char *text, size_t len, const char *source, struct shp_task *task)
{
	memset(task, 0, sizeof(*task));
	snprintf(task->source, sizeof(task->source), "%s", source);
	harvest_defaults(&task->harvest);

	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		log_error("%s:%zu:%zu: not valid YAML: %s %s", source, parser.problem_mark.line + 1,
			  parser.problem_mark.column + 1, parser.problem ? parser.problem : "",
			  parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return SHP_ERR_CONFIG;
	}
	struct ynode_ctx c = {.doc = &doc, .source = source, .errors = 0};
	const yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		log_error("%s: the task file is empty", source);
		c.errors++;
	} else {
		struct wrapper w = {.task = task};
		parse_mapping(&c, root, "", wrapper_fields, &w,
			      "a task file (datatype, parameters)");
		if (w.kind_known && w.parameters)
			parse_mapping(&c, w.parameters, "parameters", harvest_fields,
				      &task->harvest, "HarvestTask");
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (c.errors) {
		log_error("%s: %d problem%s in the task file", source, c.errors,
			  c.errors > 1 ? "s" : "");
		return SHP_ERR_CONFIG;
	}
	return SHP_OK;
}

shp_err task_load(const char *path, struct shp_task *task)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		log_error("cannot read task file %s: %s", path, strerror(errno));
		return SHP_ERR_CONFIG;
	}
	char *text = malloc(MAX_TASK_FILE_BYTES + 1);
	if (!text) {
		fclose(f);
		return SHP_ERR_NOMEM;
	}
	size_t n = fread(text, 1, MAX_TASK_FILE_BYTES + 1, f);
	int read_error = ferror(f);
	fclose(f);
	shp_err e;
	if (read_error) {
		log_error("cannot read task file %s: read error", path);
		e = SHP_ERR_CONFIG;
	} else if (n > MAX_TASK_FILE_BYTES) {
		log_error("task file %s is larger than %d bytes: surely not a task", path,
			  MAX_TASK_FILE_BYTES);
		e = SHP_ERR_CONFIG;
	} else if (memchr(text, '\0', n)) {
		log_error("task file %s contains NUL bytes: not a YAML text file", path);
		e = SHP_ERR_CONFIG;
	} else {
		e = task_parse(text, n, path, task);
	}
	free(text);
	return e;
}

/* ---- dump -------------------------------------------------------------------------------- */

static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void put_seconds(FILE *f, double s)
{
	if (s == floor(s) && fabs(s) < 1e15)
		fprintf(f, "%.0f", s);
	else
		fprintf(f, "%.6f", s);
}

static const char *bool_str(bool b)
{
	return b ? "true" : "false";
}

char *task_to_yaml(const struct shp_task *task, int64_t time_start_s)
{
	const struct shp_harvest_task *h = &task->harvest;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fputs("output_path: ", f);
	put_str(f, h->output_path);
	fprintf(f, "\nforce_overwrite: %s\n", bool_str(h->force_overwrite));
	fprintf(f, "output_compression: %s\n",
		h->compression == SHP_COMP_LZF     ? "lzf"
		: h->compression == SHP_COMP_GZIP1 ? "'1'"
						   : "null");
	char iso[48];
	format_iso_local(time_start_s, iso, sizeof(iso));
	fprintf(f, "time_start: %s\n", iso);
	fputs("duration: ", f);
	put_seconds(f, h->has_duration ? h->duration_s : SHP_DURATION_DEFAULT_S);
	fprintf(f, "\nabort_on_error: %s\n", bool_str(h->abort_on_error));
	fprintf(f, "use_cal_default: %s\n", bool_str(h->use_cal_default));
	fputs("virtual_harvester:\n  name: ", f);
	put_str(f, h->virtual_harvester.name);
	fputc('\n', f);
	for (size_t k = 0; k < h->virtual_harvester.extra_n; k++) {
		fprintf(f, "  %s: ", h->virtual_harvester.extra[k].key);
		put_str(f, h->virtual_harvester.extra[k].value);
		fputc('\n', f);
	}
	const struct shp_power_tracing *pt = &h->power_tracing;
	if (!pt->present) {
		fputs("power_tracing: null\n", f);
	} else {
		fprintf(f, "power_tracing:\n  intermediate_voltage: %s\n  delay: ",
			bool_str(pt->intermediate_voltage));
		put_seconds(f, pt->delay_s);
		fputs("\n  duration: ", f);
		if (pt->duration_s < 0)
			fputs("null", f);
		else
			put_seconds(f, pt->duration_s);
		fprintf(f,
			"\n  calculate_power: %s\n  samplerate: %u\n  discard_current: %s\n"
			"  discard_voltage: %s\n",
			bool_str(pt->calculate_power), pt->samplerate,
			bool_str(pt->discard_current), bool_str(pt->discard_voltage));
	}
	const struct shp_sys_logging *sl = &h->sys_logging;
	if (!sl->present)
		fputs("sys_logging: null\n", f);
	else
		fprintf(f,
			"sys_logging:\n  kernel: %s\n  time_sync: %s\n  sheep: %s\n  sys_util: "
			"%s\n",
			bool_str(sl->kernel), bool_str(sl->time_sync), bool_str(sl->sheep),
			bool_str(sl->sys_util));
	fprintf(f, "verbose: %d\n", h->verbose);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
