/* yaml_node.c - YAML 1.1 scalar typing (null, bool, int, float) and positioned error messages. */
#include "task/yaml_node.h"

#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
static const char *const trues[] = {"true", "True", "TRUE", "yes", "Yes",
				    "YES",  "on",   "On",   "ON",  NULL};
static const char *const falses[] = {"false", "False", "FALSE", "no",  "No",
				     "NO",    "off",   "Off",   "OFF", NULL};

static bool looks_int(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool looks_float(const char *s)
{
	static regex_t re;
	static bool compiled;
	if (!compiled) {
		regcomp(&re, "^[-+]?([0-9]+\\.[0-9]*|\\.[0-9]+|[0-9]+)([eE][-+]?[0-9]+)?$",
			REG_EXTENDED | REG_NOSUB);
		compiled = true;
	}
	return regexec(&re, s, 0, NULL, 0) == 0;
}

const char *ynode_text(const yaml_node_t *node)
{
	if (!node || node->type != YAML_SCALAR_NODE)
		return "";
	return (const char *)node->data.scalar.value;
}

enum ynode_kind ynode_kind(const yaml_node_t *node)
{
	if (!node)
		return YN_NULL;
	if (node->type == YAML_MAPPING_NODE)
		return YN_MAPPING;
	if (node->type == YAML_SEQUENCE_NODE)
		return YN_SEQUENCE;
	if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return YN_STRING;
	const char *s = ynode_text(node);
	if (in_list(s, nulls))
		return YN_NULL;
	if (in_list(s, trues) || in_list(s, falses))
		return YN_BOOL;
	if (looks_int(s))
		return YN_INT;
	if (looks_float(s))
		return YN_FLOAT;
	return YN_STRING;
}

const char *ynode_kind_name(enum ynode_kind kind)
{
	static const char *const names[] = {"null",     "a boolean", "an integer", "a number",
					    "a string", "a mapping", "a list"};
	return names[kind];
}

bool ynode_bool(const yaml_node_t *node, bool *value)
{
	if (ynode_kind(node) != YN_BOOL)
		return false;
	*value = in_list(ynode_text(node), trues);
	return true;
}

bool ynode_int(const yaml_node_t *node, int64_t *value)
{
	if (ynode_kind(node) != YN_INT)
		return false;
	errno = 0;
	long long v = strtoll(ynode_text(node), NULL, 10);
	if (errno != 0)
		return false;
	*value = v;
	return true;
}

bool ynode_number(const yaml_node_t *node, double *value)
{
	enum ynode_kind k = ynode_kind(node);
	if (k != YN_INT && k != YN_FLOAT)
		return false;
	double v = strtod(ynode_text(node), NULL);
	if (!isfinite(v))
		return false;
	*value = v;
	return true;
}

void ynode_error(struct ynode_ctx *ctx, const yaml_node_t *node, const char *path, const char *fmt,
		 ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (node)
		log_error("%s:%zu:%zu: %s: %s", ctx->source, node->start_mark.line + 1,
			  node->start_mark.column + 1, path, msg);
	else
		log_error("%s: %s: %s", ctx->source, path, msg);
	ctx->errors++;
}

shp_err ynode_read_file(const char *path, const char *what, size_t max, char **text, size_t *len)
{
	*text = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		log_error("cannot read %s %s: %s", what, path, strerror(errno));
		return SHP_ERR_CONFIG;
	}
	/* a regular file needs no more than its size (the limit may be large), one byte beyond
	 * it tells a file that grew meanwhile */
	struct stat st;
	size_t cap = max;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size < max)
		cap = (size_t)st.st_size;
	char *buf = malloc(cap + 1);
	if (!buf) {
		fclose(f);
		return SHP_ERR_NOMEM;
	}
	size_t n = fread(buf, 1, cap + 1, f);
	if (n > cap && cap < max) { /* grew since: take it as it is now, up to the limit */
		char *bigger = realloc(buf, max + 1);
		if (!bigger) {
			free(buf);
			fclose(f);
			return SHP_ERR_NOMEM;
		}
		buf = bigger;
		n += fread(buf + n, 1, max + 1 - n, f);
	}
	int read_error = ferror(f);
	fclose(f);
	if (read_error)
		log_error("cannot read %s %s: read error", what, path);
	else if (n > max)
		log_error("%s %s is larger than %zu bytes: surely not one", what, path, max);
	else if (memchr(buf, '\0', n))
		log_error("%s %s contains NUL bytes: not a YAML text file", what, path);
	else {
		buf[n] = '\0';
		*text = buf;
		*len = n;
		return SHP_OK;
	}
	free(buf);
	return SHP_ERR_CONFIG;
}

bool ynode_load(const char *text, size_t len, const char *source, yaml_document_t *doc)
{
	yaml_parser_t parser;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	bool ok = yaml_parser_load(&parser, doc);
	if (!ok)
		log_error("%s:%zu:%zu: not valid YAML: %s %s", source, parser.problem_mark.line + 1,
			  parser.problem_mark.column + 1, parser.problem ? parser.problem : "",
			  parser.context ? parser.context : "");
	yaml_parser_delete(&parser);
	return ok;
}
