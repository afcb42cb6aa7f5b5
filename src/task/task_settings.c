/*
 * task_settings.c - virtual_harvester and virtual_source from YAML to resolved models, and back.
 *
 * Reading checks only what a field is (number, integer in range, boolean, name, algorithm,
 * 12 x 12 table); what a value may be, alone or with the others, is the settings room's to
 * say once the model is resolved. Its issues name a field, which is mapped back to the node
 * the task gave it with, so that a bound or a contradiction is reported at its line too.
 */
#include "task/task_settings.h"

#include <math.h>
#include <string.h>

#include "settings/fixtures.h"
#include "settings/model_fields.h"
#include "task/task_schema.h"

#define MAX_FIELDS 32
_Static_assert(VSF_COUNT <= MAX_FIELDS && VHF_COUNT <= MAX_FIELDS, "node maps hold every field");

/* Where a model's fields came from in the task file. */
struct node_map {
	char path[256];
	const yaml_node_t *mapping;
	const yaml_node_t *value[MAX_FIELDS];
	const yaml_node_t *inherit, *id;
};

/* What a mapping is read into: a partial of one model. */
struct target {
	const struct settings_field *fields;
	size_t nfields;
	const char *model; /* the upstream class, for messages */
	struct settings_head *head;
	void *values;
	struct node_map *map;
	struct vh_partial *harvester; /* a source's nested harvester, and its nodes */
	struct node_map *harvester_map;
};

enum meta { META_ID, META_INHERIT, META_TEXT, META_BOOL };

static const struct {
	const char *name;
	enum meta kind;
} metadata[] = {
	{"id", META_ID},
	{"inherit_from", META_INHERIT},
	{"description", META_TEXT},
	{"comment", META_TEXT},
	{"created", META_TEXT},
	{"updated_last", META_TEXT},
	{"owner", META_TEXT},
	{"group", META_TEXT},
	{"visible2group", META_BOOL},
	{"visible2all", META_BOOL},
};
#define METADATA_N (sizeof(metadata) / sizeof(metadata[0]))

static void allowed_keys(const struct target *t, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < t->nfields + METADATA_N && used < len; k++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", k ? ", " : "",
					 k < t->nfields ? t->fields[k].name
							: metadata[k - t->nfields].name);
}

static const yaml_node_t *item(struct ynode_ctx *c, const yaml_node_t *seq, size_t k)
{
	if (ynode_kind(seq) != YN_SEQUENCE ||
	    k >= (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start))
		return NULL;
	return yaml_document_get_node(c->doc, seq->data.sequence.items.start[k]);
}

static size_t items(const yaml_node_t *seq)
{
	return (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

/* A list of VS_LUT_SIZE efficiencies into row; false (reported) if it is none. */
static bool read_lut_row(struct ynode_ctx *c, const yaml_node_t *n, const char *path, double *row)
{
	if (ynode_kind(n) != YN_SEQUENCE || items(n) != VS_LUT_SIZE) {
		ynode_error(c, n, path,
			    "expected a list of %d efficiencies (0 to 1), found %s%s%zu%s",
			    VS_LUT_SIZE, ynode_kind_name(ynode_kind(n)),
			    ynode_kind(n) == YN_SEQUENCE ? " of " : "",
			    ynode_kind(n) == YN_SEQUENCE ? items(n) : 0,
			    ynode_kind(n) == YN_SEQUENCE ? " entries" : "");
		return false;
	}
	bool ok = true;
	for (size_t k = 0; k < VS_LUT_SIZE; k++) {
		const yaml_node_t *entry = item(c, n, k);
		if (!ynode_number(entry, &row[k])) {
			ynode_error(c, entry, path, "entry [%zu]: expected a number, found %s '%s'",
				    k, ynode_kind_name(ynode_kind(entry)), ynode_text(entry));
			ok = false;
		}
	}
	return ok;
}

static bool read_lut_table(struct ynode_ctx *c, const yaml_node_t *n, const char *path,
			   double table[VS_LUT_SIZE][VS_LUT_SIZE])
{
	if (ynode_kind(n) != YN_SEQUENCE || items(n) != VS_LUT_SIZE) {
		ynode_error(c, n, path,
			    "expected a list of %d rows (input voltage) of %d efficiencies (input "
			    "current), found %s%s%zu%s",
			    VS_LUT_SIZE, VS_LUT_SIZE, ynode_kind_name(ynode_kind(n)),
			    ynode_kind(n) == YN_SEQUENCE ? " of " : "",
			    ynode_kind(n) == YN_SEQUENCE ? items(n) : 0,
			    ynode_kind(n) == YN_SEQUENCE ? " rows" : "");
		return false;
	}
	bool ok = true;
	for (size_t r = 0; r < VS_LUT_SIZE; r++) {
		char sub[300];
		snprintf(sub, sizeof(sub), "%s[%zu]", path, r);
		ok &= read_lut_row(c, item(c, n, r), sub, table[r]);
	}
	return ok;
}

static bool read_uint(struct ynode_ctx *c, const yaml_node_t *n, const char *path,
		      const struct settings_field *f, uint32_t *out)
{
	double v;
	/* an integral float passes, as pydantic's lax int */
	if (!ynode_number(n, &v) || v != floor(v) || !(v >= f->min && v <= f->max)) {
		ynode_error(c, n, path, "expected an integer from %.0f to %.0f, found %s '%s'",
			    f->min, f->max, ynode_kind_name(ynode_kind(n)), ynode_text(n));
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

static bool read_mapping(struct ynode_ctx *c, const yaml_node_t *n, const char *path,
			 struct target *t);

static bool read_field(struct ynode_ctx *c, const yaml_node_t *n, const char *path,
		       const struct target *t, const struct settings_field *f)
{
	void *at = (char *)t->values + f->offset;
	switch (f->type) {
	case SFT_NAME:
		return schema_text(c, n, path, at, f->size, "a name");
	case SFT_ALGORITHM:
		if (ynode_kind(n) == YN_STRING && vh_algorithm_parse(ynode_text(n), at))
			return true;
		ynode_error(c, n, path, "unknown algorithm '%s' (allowed: %s)", ynode_text(n),
			    vh_algorithm_names());
		return false;
	case SFT_NUMBER:
		if (f->nullable && ynode_kind(n) == YN_NULL) {
			*(double *)at = NAN;
			return true;
		}
		if (ynode_number(n, at))
			return true;
		ynode_error(c, n, path, "expected a number%s, found %s '%s'",
			    f->nullable ? " or null" : "", ynode_kind_name(ynode_kind(n)),
			    ynode_text(n));
		return false;
	case SFT_UINT:
		return read_uint(c, n, path, f, at);
	case SFT_BOOL:
		return schema_bool(c, n, path, at);
	case SFT_LUT2:
		return read_lut_table(c, n, path, at);
	case SFT_LUT1:
		return read_lut_row(c, n, path, at);
	case SFT_HARVESTER: {
		struct target h = {vh_fields,
				   VHF_COUNT,
				   "VirtualHarvesterConfig",
				   &t->harvester->h,
				   &t->harvester->v,
				   t->harvester_map,
				   NULL,
				   NULL};
		return read_mapping(c, n, path, &h);
	}
	}
	return false;
}

static bool read_metadata(struct ynode_ctx *c, const yaml_node_t *n, const char *path,
			  const struct target *t, enum meta kind)
{
	int64_t id;
	bool flag;
	switch (kind) {
	case META_ID:
		if (ynode_int(n, &id) && id >= 0) {
			t->head->has_id = true;
			t->head->id = id;
			t->map->id = n;
			return true;
		}
		ynode_error(c, n, path, "expected a fixture id (an integer >= 0), found %s '%s'",
			    ynode_kind_name(ynode_kind(n)), ynode_text(n));
		return false;
	case META_INHERIT:
		t->map->inherit = n;
		return schema_text(c, n, path, t->head->inherit_from, sizeof(t->head->inherit_from),
				   "the name of a fixture");
	case META_BOOL:
		return schema_bool(c, n, path, &flag);
	case META_TEXT:
		if (ynode_kind(n) != YN_MAPPING && ynode_kind(n) != YN_SEQUENCE)
			return true;
		ynode_error(c, n, path, "expected text, found %s", ynode_kind_name(ynode_kind(n)));
		return false;
	}
	return false;
}

/* One key of the mapping; seen marks fields (bits 0..) and metadata (bits 32..). */
static bool read_key(struct ynode_ctx *c, const yaml_node_t *key, const yaml_node_t *value,
		     const char *path, struct target *t, uint64_t *seen)
{
	const char *name = ynode_text(key);
	int field = settings_field_index(t->fields, t->nfields, name);
	size_t meta = 0;
	while (field < 0 && meta < METADATA_N && strcmp(metadata[meta].name, name) != 0)
		meta++;
	if (field < 0 && meta == METADATA_N) {
		char allowed[1024];
		allowed_keys(t, allowed, sizeof(allowed));
		ynode_error(c, key, path, "unknown field of %s (allowed: %s)", t->model, allowed);
		return false;
	}
	uint64_t bit = field >= 0 ? SETTINGS_BIT(field) : SETTINGS_BIT(32 + meta);
	if (*seen & bit) {
		ynode_error(c, key, path, "given twice");
		return false;
	}
	*seen |= bit;
	if (field < 0)
		return read_metadata(c, value, path, t, metadata[meta].kind);
	t->map->value[field] = value;
	t->head->given |= SETTINGS_BIT(field);
	return read_field(c, value, path, t, &t->fields[field]);
}

static bool read_mapping(struct ynode_ctx *c, const yaml_node_t *n, const char *path,
			 struct target *t)
{
	snprintf(t->map->path, sizeof(t->map->path), "%s", path);
	t->map->mapping = n;
	if (ynode_kind(n) != YN_MAPPING) {
		ynode_error(c, n, path, "expected a mapping of %s fields like {name: %s}, found %s",
			    t->model, t->fields == vh_fields ? "mppt_opt" : "neutral",
			    ynode_kind_name(ynode_kind(n)));
		return false;
	}
	bool ok = true;
	uint64_t seen = 0;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		const yaml_node_t *key = yaml_document_get_node(c->doc, p->key);
		char sub[256];
		schema_join(sub, sizeof(sub), path, ynode_text(key));
		ok &= read_key(c, key, yaml_document_get_node(c->doc, p->value), sub, t, &seen);
	}
	return ok;
}

/* ---- the settings room's issues, at their nodes ------------------------------------------- */

struct report_ctx {
	struct ynode_ctx *c;
	const struct node_map *own; /* the model read */
	const struct settings_field *own_fields;
	const struct node_map *harvester; /* a source's harvester as given, else NULL */
};

static void report_issue(void *ctx, const struct settings_issue *issue)
{
	struct report_ctx *r = ctx;
	const struct node_map *m = r->own;
	const struct settings_field *fields = r->own_fields;
	char path[300];
	snprintf(path, sizeof(path), "%s", m->path);
	if (issue->in_harvester) {
		fields = vh_fields;
		if (r->harvester && r->harvester->mapping) {
			m = r->harvester;
			snprintf(path, sizeof(path), "%s", m->path);
		} else { /* from a fixture or the default: at the source */
			schema_join(path, sizeof(path), m->path, "harvester");
			m = NULL;
		}
	}
	const yaml_node_t *node = NULL;
	char at[300];
	snprintf(at, sizeof(at), "%s", path);
	if (issue->field >= 0) {
		schema_join(at, sizeof(at), path, fields[issue->field].name);
		node = m ? m->value[issue->field] : NULL;
		if (node && issue->row >= 0)
			node = item(r->c, node, (size_t)issue->row);
		if (node && issue->col >= 0)
			node = item(r->c, node, (size_t)issue->col);
	} else if (issue->field == SETTINGS_INHERIT) {
		schema_join(at, sizeof(at), path, "inherit_from");
		node = m ? m->inherit : NULL;
	} else if (issue->field == SETTINGS_ID) {
		schema_join(at, sizeof(at), path, "id");
		node = m ? m->id : NULL;
	}
	if (!node)
		node = m ? m->mapping : r->own->mapping;
	ynode_error(r->c, node, at, "%s", issue->msg);
}

bool task_read_harvester(struct ynode_ctx *c, const yaml_node_t *node, const char *path,
			 struct vharvester *out)
{
	struct vh_partial p = {0};
	struct node_map map = {0};
	struct target t = {vh_fields, VHF_COUNT, "VirtualHarvesterConfig", &p.h, &p.v, &map,
			   NULL,      NULL};
	if (!read_mapping(c, node, path, &t))
		return false;
	struct report_ctx r = {c, &map, vh_fields, NULL};
	return vh_resolve(&p, out, report_issue, &r) == 0;
}

bool task_read_source(struct ynode_ctx *c, const yaml_node_t *node, const char *path,
		      struct vsource *out)
{
	struct vs_partial p = {0};
	struct node_map map = {0}, harvester_map = {0};
	struct target t = {vs_fields, VSF_COUNT, "VirtualSourceConfig", &p.h,
			   &p.v,      &map,      &p.harvester,          &harvester_map};
	if (!read_mapping(c, node, path, &t))
		return false;
	struct report_ctx r = {c, &map, vs_fields, &harvester_map};
	return vs_resolve(&p, out, report_issue, &r) == 0;
}

/* ---- the config dump ---------------------------------------------------------------------- */

/*
 * A number PyYAML reads back as the same float: with a dot (2500.0, as upstream's dump writes
 * it), and an exponent only after a dot (1.0e-05; PyYAML takes 1e-05 for a string).
 */
static void put_number(FILE *f, double v)
{
	if (isnan(v)) {
		fputs("null", f);
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {
		fprintf(f, "%.1f", v);
		return;
	}
	char buf[40];
	settings_format_number(v, buf, sizeof(buf));
	char *e = strchr(buf, 'e');
	if (e && !memchr(buf, '.', (size_t)(e - buf)))
		fprintf(f, "%.*s.0%s", (int)(e - buf), buf, e);
	else
		fputs(buf, f);
}

static void put_row(FILE *f, const double *row)
{
	fputc('[', f);
	for (int k = 0; k < VS_LUT_SIZE; k++) {
		if (k)
			fputs(", ", f);
		put_number(f, row[k]);
	}
	fputc(']', f);
}

static void put_fields(FILE *f, const struct settings_field *fields, size_t n, const void *model,
		       const char *indent)
{
	for (size_t k = 0; k < n; k++) {
		const void *at = (const char *)model + fields[k].offset;
		fprintf(f, "%s%s:", indent, fields[k].name);
		if (fields[k].type != SFT_HARVESTER)
			fputc(' ', f);
		switch (fields[k].type) {
		case SFT_NAME:
			schema_put_str(f, at);
			break;
		case SFT_ALGORITHM:
			fputs(vh_algorithm_name(*(const enum vh_algorithm *)at), f);
			break;
		case SFT_NUMBER:
			put_number(f, *(const double *)at);
			break;
		case SFT_UINT:
			fprintf(f, "%u", (unsigned)*(const uint32_t *)at);
			break;
		case SFT_BOOL:
			fputs(*(const bool *)at ? "true" : "false", f);
			break;
		case SFT_LUT1:
			put_row(f, at);
			break;
		case SFT_LUT2:
			fputc('[', f);
			for (int r = 0; r < VS_LUT_SIZE; r++) {
				if (r)
					fputs(", ", f);
				put_row(f, (const double *)at + r * VS_LUT_SIZE);
			}
			fputc(']', f);
			break;
		case SFT_HARVESTER: {
			char deeper[64];
			snprintf(deeper, sizeof(deeper), "%s  ", indent);
			fputc('\n', f);
			put_fields(f, vh_fields, VHF_COUNT, at, deeper);
			continue; /* its lines end themselves */
		}
		}
		fputc('\n', f);
	}
}

void task_put_harvester(FILE *f, const struct vharvester *vh, const char *indent)
{
	put_fields(f, vh_fields, VHF_COUNT, vh, indent);
}

void task_put_source(FILE *f, const struct vsource *vs, const char *indent)
{
	put_fields(f, vs_fields, VSF_COUNT, vs, indent);
}
