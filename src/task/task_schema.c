/* task_schema.c - strict walk of a mapping against a field table, and typed value readers. */
#include "task/task_schema.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/time_bounds.h"
#include "task/timefmt.h"

void schema_join(char *out, size_t len, const char *path, const char *key)
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

void schema_mapping(struct ynode_ctx *c, const yaml_node_t *node, const char *path,
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
		schema_join(sub, sizeof(sub), path, name);
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
		schema_join(sub, sizeof(sub), path, fields[k].name);
		if (fields[k].required && !seen[k])
			ynode_error(c, node, sub, "required field of %s is missing", model);
	}
}

bool schema_bool(struct ynode_ctx *c, const yaml_node_t *node, const char *path, bool *out)
{
	if (ynode_bool(node, out))
		return true;
	ynode_error(c, node, path, "expected true or false, found %s '%s'",
		    ynode_kind_name(ynode_kind(node)), ynode_text(node));
	return false;
}

/* The last component of a dotted path: the key as the task file spells it. */
static const char *key_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	return dot ? dot + 1 : path;
}

/* v in the fewest digits that read back as v: 2e+14, 31622401, inf. */
static void format_value(double v, char *buf, size_t len)
{
	for (int digits = 6; digits <= 17; digits++) {
		snprintf(buf, len, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

bool schema_seconds(struct ynode_ctx *c, const yaml_node_t *node, const char *path, double *out,
		    bool allow_zero)
{
	enum ynode_kind k = ynode_kind(node);
	const char *text = ynode_text(node);
	double v;
	if (k == YN_INT || k == YN_FLOAT) {
		v = strtod(text, NULL); /* 1e400 is inf: out of range below */
	} else if (k != YN_STRING || !parse_duration_text(text, &v)) {
		ynode_error(
			c, node, path,
			"expected seconds (a number, ISO 8601 like PT10S, or HH:MM:SS), found %s '%s'",
			ynode_kind_name(k), text);
		return false;
	}
	/* written so that NaN is out of range too */
	if ((allow_zero ? v >= 0 : v > 0) && v <= (double)SHP_SPAN_MAX_S) {
		*out = v;
		return true;
	}
	char value[32];
	format_value(v, value, sizeof(value));
	const char *key = key_of(path), *lower = allow_zero ? "<=" : "<";
	if (k == YN_STRING)
		ynode_error(c, node, path,
			    "'%s' = %s s is out of range (0 %s %s <= " SHP_SPAN_MAX_TEXT ")", text,
			    value, lower, key);
	else
		ynode_error(c, node, path,
			    "%s s is out of range (0 %s %s <= " SHP_SPAN_MAX_TEXT ")", value, lower,
			    key);
	return false;
}

bool schema_limit(struct ynode_ctx *c, const yaml_node_t *node, const char *path, double *out)
{
	if (ynode_kind(node) == YN_NULL) {
		*out = -1;
		return true;
	}
	return schema_seconds(c, node, path, out, false);
}

bool schema_text(struct ynode_ctx *c, const yaml_node_t *node, const char *path, char *out,
		 size_t len, const char *what)
{
	enum ynode_kind k = ynode_kind(node);
	const char *text = ynode_text(node);
	if (k == YN_NULL || k == YN_MAPPING || k == YN_SEQUENCE) {
		ynode_error(c, node, path, "expected %s, found %s", what, ynode_kind_name(k));
		return false;
	}
	if (text[0] == '\0') {
		ynode_error(c, node, path, "expected %s, found an empty one", what);
		return false;
	}
	if (strlen(text) >= len) {
		ynode_error(c, node, path, "too long (at most %zu characters)", len - 1);
		return false;
	}
	memcpy(out, text, strlen(text) + 1);
	return true;
}

const char *schema_stripped(struct ynode_ctx *c, const yaml_node_t *n, const char *path,
			    const char *what, size_t *len)
{
	enum ynode_kind k = ynode_kind(n);
	if (k == YN_NULL || k == YN_MAPPING || k == YN_SEQUENCE) {
		ynode_error(c, n, path, "expected %s, found %s", what, ynode_kind_name(k));
		return NULL;
	}
	const char *t = ynode_text(n);
	while (isspace((unsigned char)*t))
		t++;
	size_t l = strlen(t);
	while (l > 0 && isspace((unsigned char)t[l - 1]))
		l--;
	if (l == 0) {
		ynode_error(c, n, path, "expected %s, found an empty one", what);
		return NULL;
	}
	*len = l;
	return t;
}

const yaml_node_t *schema_value(struct ynode_ctx *c, const yaml_node_t *map, const char *key)
{
	if (ynode_kind(map) != YN_MAPPING)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++)
		if (strcmp(ynode_text(yaml_document_get_node(c->doc, p->key)), key) == 0)
			return yaml_document_get_node(c->doc, p->value);
	return NULL;
}

void schema_put_str(FILE *f, const char *s)
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

void schema_write_flow(FILE *f, yaml_document_t *doc, const yaml_node_t *node)
{
	switch (ynode_kind(node)) {
	case YN_MAPPING:
		fputc('{', f);
		for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
		     p < node->data.mapping.pairs.top; p++) {
			if (p != node->data.mapping.pairs.start)
				fputs(", ", f);
			schema_put_str(f, ynode_text(yaml_document_get_node(doc, p->key)));
			fputs(": ", f);
			schema_write_flow(f, doc, yaml_document_get_node(doc, p->value));
		}
		fputc('}', f);
		break;
	case YN_SEQUENCE:
		fputc('[', f);
		for (yaml_node_item_t *i = node->data.sequence.items.start;
		     i < node->data.sequence.items.top; i++) {
			if (i != node->data.sequence.items.start)
				fputs(", ", f);
			schema_write_flow(f, doc, yaml_document_get_node(doc, *i));
		}
		fputc(']', f);
		break;
	case YN_STRING:
		schema_put_str(f, ynode_text(node));
		break;
	case YN_NULL:
		fputs("null", f);
		break;
	default: /* bool and numbers keep their spelling */
		fputs(ynode_text(node), f);
		break;
	}
}

static void w_datatype(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	(void)c;
	(void)path;
	((struct schema_wrapper *)b)->datatype = n;
}

static void w_parameters(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	(void)c;
	(void)path;
	((struct schema_wrapper *)b)->parameters = n;
}

static void w_ignore(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	(void)c;
	(void)n;
	(void)path;
	(void)b;
}

void schema_wrapper(struct ynode_ctx *c, const yaml_node_t *root, const char *what,
		    struct schema_wrapper *out)
{
	static const struct field fields[] = {
		{"datatype", w_datatype, true}, {"parameters", w_parameters, true},
		{"comment", w_ignore, false},   {"created", w_ignore, false},
		{"lib_ver", w_ignore, false},   {NULL, NULL, false},
	};
	char model[96];
	snprintf(model, sizeof(model), "%s (datatype, parameters)", what);
	*out = (struct schema_wrapper){0};
	schema_mapping(c, root, "", fields, out, model);
}
