/* cal_file.c - the CalibrationCape YAML: strict loading with defaults, and the writer. */
#include "settings/cal_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "task/task_schema.h"
#include "task/yaml_node.h"

#define MAX_CAL_FILE_BYTES (1024 * 1024)

/* The key a field function was called for: the last component of its dotted path. */
static const char *key_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	return dot ? dot + 1 : path;
}

/* ---- a pair: {gain, offset} ------------------------------------------------------------- */

static void f_gain(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *base)
{
	double v;
	if (!ynode_number(n, &v) || !(v > 0)) {
		ynode_error(c, n, path, "expected a number > 0 (V or A per LSB), found %s '%s'",
			    ynode_kind_name(ynode_kind(n)), ynode_text(n));
		return;
	}
	((struct shp_cal_pair *)base)->gain = v;
}

static void f_offset(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *base)
{
	double v;
	if (!ynode_number(n, &v)) {
		ynode_error(c, n, path, "expected a finite number (V or A), found %s '%s'",
			    ynode_kind_name(ynode_kind(n)), ynode_text(n));
		return;
	}
	((struct shp_cal_pair *)base)->offset = v;
}

static const struct field pair_fields[] = {
	{"gain", f_gain, true},
	{"offset", f_offset, false},
	{NULL, NULL, false},
};

/* The pair of cal named by part and the key of path; a given pair's offset defaults to 0. */
static void parse_pair(struct ynode_ctx *c, const yaml_node_t *n, const char *path,
		       struct cal_cape *cal, const char *part)
{
	for (int k = 0; k < CAL_PAIR_COUNT; k++) {
		if (strcmp(cal_pairs[k].part, part) != 0 ||
		    strcmp(cal_pairs[k].name, key_of(path)) != 0)
			continue;
		struct shp_cal_pair *p = cal_pair_at(cal, k);
		p->offset = 0;
		schema_mapping(c, n, path, pair_fields, p, "CalibrationPair (gain, offset)");
		return;
	}
}

static void f_hrv_pair(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *base)
{
	parse_pair(c, n, path, base, "harvester");
}

static void f_emu_pair(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *base)
{
	parse_pair(c, n, path, base, "emulator");
}

/* In the order of the test fixture (and of `eeprom read -c`). */
static const struct field emulator_fields[] = {
	{"adc_C_A", f_emu_pair, false},
	{"adc_C_B", f_emu_pair, false},
	{"dac_V_A", f_emu_pair, false},
	{"dac_V_B", f_emu_pair, false},
	{NULL, NULL, false},
};

static const struct field harvester_fields[] = {
	{"adc_C_Hrv", f_hrv_pair, false},
	{"adc_V_Sense", f_hrv_pair, false},
	{"dac_V_Sim", f_hrv_pair, false},
	{"dac_V_Hrv", f_hrv_pair, false},
	{NULL, NULL, false},
};

/* ---- cape: the cape info ---------------------------------------------------------------- */

/* A string of its field's size, not empty (as upstream's model wants every field of the cape). */
static void f_cape_text(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *base)
{
	for (const struct cape_field *f = cape_fields; f->name; f++)
		if (strcmp(f->name, key_of(path)) == 0)
			schema_text(c, n, path, cape_info_field(base, f), f->size + 1, "a string");
}

static void f_header(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *base)
{
	(void)base;
	if (ynode_kind(n) == YN_MAPPING || ynode_kind(n) == YN_SEQUENCE)
		ynode_error(c, n, path, "expected the 4 header bytes, found %s",
			    ynode_kind_name(ynode_kind(n)));
	else
		log_debug("%s: %s is ignored: the BeagleBone cape magic AA 55 33 EE is written",
			  c->source, path);
}

static const struct field cape_info_fields[] = {
	{"header", f_header, false},
	{"eeprom_revision", f_cape_text, false},
	{"board_name", f_cape_text, false},
	{"version", f_cape_text, false},
	{"manufacturer", f_cape_text, false},
	{"part_number", f_cape_text, false},
	{"serial_number", f_cape_text, true},
	{"cal_date", f_cape_text, false},
	{NULL, NULL, false},
};

/* ---- parameters and the wrapper --------------------------------------------------------- */

static void f_host(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *base)
{
	struct cal_file *cf = base;
	if (ynode_kind(n) == YN_NULL)
		return;
	cf->has_host = schema_text(c, n, path, cf->host, sizeof(cf->host), "null or a hostname");
}

static void f_cape(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *base)
{
	struct cal_file *cf = base;
	if (ynode_kind(n) == YN_NULL)
		return;
	cf->has_cape = true;
	cape_info_defaults(&cf->info);
	schema_mapping(c, n, path, cape_info_fields, &cf->info, "CapeData");
}

static void f_emulator(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *base)
{
	schema_mapping(c, n, path, emulator_fields, &((struct cal_file *)base)->cal,
		       "CalibrationEmulator");
}

static void f_harvester(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *base)
{
	schema_mapping(c, n, path, harvester_fields, &((struct cal_file *)base)->cal,
		       "CalibrationHarvester");
}

static const struct field parameter_fields[] = {
	{"host", f_host, false},           {"cape", f_cape, false}, {"emulator", f_emulator, false},
	{"harvester", f_harvester, false}, {NULL, NULL, false},
};

shp_err cal_file_parse(const char *text, size_t len, const char *source, struct cal_file *out)
{
	memset(out, 0, sizeof(*out));
	cal_nominal(&out->cal);
	yaml_document_t doc;
	if (!ynode_load(text, len, source, &doc))
		return SHP_ERR_CONFIG;
	struct ynode_ctx c = {.doc = &doc, .source = source, .errors = 0};
	const yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		log_error("%s: the calibration file is empty", source);
		c.errors++;
	} else {
		struct schema_wrapper w;
		schema_wrapper(&c, root, "a calibration file", &w);
		bool cape = w.datatype && strcmp(ynode_text(w.datatype), "CalibrationCape") == 0;
		if (w.datatype && !cape)
			ynode_error(&c, w.datatype, "datatype",
				    "expected CalibrationCape, found '%s'", ynode_text(w.datatype));
		if (cape && w.parameters)
			schema_mapping(&c, w.parameters, "parameters", parameter_fields, out,
				       "CalibrationCape");
	}
	yaml_document_delete(&doc);
	if (c.errors) {
		log_error("%s: %d problem%s in the calibration file", source, c.errors,
			  c.errors > 1 ? "s" : "");
		return SHP_ERR_CONFIG;
	}
	return SHP_OK;
}

shp_err cal_file_load(const char *path, struct cal_file *out)
{
	char *text;
	size_t n;
	shp_err e = ynode_read_file(path, "calibration file", MAX_CAL_FILE_BYTES, &text, &n);
	if (e == SHP_OK)
		e = cal_file_parse(text, n, path, out);
	free(text);
	return e;
}

/* ---- the writer ------------------------------------------------------------------------- */

void cal_format_double(double v, char *buf, size_t len)
{
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(buf, len, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	/* YAML 1.1 (PyYAML) reads a float only with a '.' in the mantissa: 2e-07 would be text */
	if (strpbrk(buf, ".ni")) /* a '.', or nan / inf (not written for plausible pairs) */
		return;
	char *e = strchr(buf, 'e');
	size_t at = e ? (size_t)(e - buf) : strlen(buf);
	if (strlen(buf) + 3 > len)
		return;
	memmove(buf + at + 2, buf + at, strlen(buf) - at + 1);
	memcpy(buf + at, ".0", 2);
}

static void write_pair(FILE *f, const struct cal_cape *cal, int k)
{
	char gain[40], offset[40];
	const struct shp_cal_pair *p = cal_pair_at_const(cal, k);
	cal_format_double(p->gain, gain, sizeof(gain));
	cal_format_double(p->offset, offset, sizeof(offset));
	fprintf(f, "    %s:\n      gain: %s\n      offset: %s\n", cal_pairs[k].name, gain, offset);
}

void cal_file_write(FILE *f, const struct cal_file *cf)
{
	/* the fixture's order: emulator adc_C_A, adc_C_B, dac_V_A, dac_V_B; harvester adc_C_Hrv,
	 * adc_V_Sense, dac_V_Sim, dac_V_Hrv (indices into cal_pairs) */
	static const int emulator_order[] = {6, 7, 4, 5};
	static const int harvester_order[] = {3, 2, 1, 0};
	fputs("datatype: CalibrationCape\nparameters:\n", f);
	if (cf->has_host) {
		fputs("  host: ", f);
		schema_put_str(f, cf->host);
		fputc('\n', f);
	}
	if (cf->has_cape) {
		fputs("  cape:\n", f);
		for (const struct cape_field *fl = cape_fields; fl->name; fl++) {
			fprintf(f, "    %s: ", fl->name);
			schema_put_str(f, cape_info_field_const(&cf->info, fl));
			fputc('\n', f);
		}
	}
	fputs("  emulator:\n", f);
	for (int k = 0; k < 4; k++)
		write_pair(f, &cf->cal, emulator_order[k]);
	fputs("  harvester:\n", f);
	for (int k = 0; k < 4; k++)
		write_pair(f, &cf->cal, harvester_order[k]);
}

shp_err cal_file_save(const char *path, const struct cal_file *cf)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		log_error("cannot write calibration file %s: %s", path, strerror(errno));
		return SHP_ERR_OUTPUT;
	}
	cal_file_write(f, cf);
	bool failed = ferror(f) != 0;
	if (fclose(f) != 0 || failed) {
		log_error("cannot write calibration file %s: write error", path);
		return SHP_ERR_OUTPUT;
	}
	return SHP_OK;
}
