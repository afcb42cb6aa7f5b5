/*
 * task_schema.h - the pieces task files are checked with: a table of fields per model, walked
 * strictly (unknown keys, duplicates and missing required fields are errors), and value readers
 * that report a wrong type with what was expected.
 */
#ifndef SHP_TASK_SCHEMA_H
#define SHP_TASK_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "task/yaml_node.h"

typedef void (*field_fn)(struct ynode_ctx *c, const yaml_node_t *node, const char *path,
			 void *base);

struct field {
	const char *name;
	field_fn parse;
	bool required;
};

/* "path.key" (or "key" at the top). */
void schema_join(char *out, size_t len, const char *path, const char *key);

/* The nodes of shepherd-core's file wrapper {datatype, parameters, comment?, created?, lib_ver?}.
 */
struct schema_wrapper {
	const yaml_node_t *datatype;   /* NULL: missing (reported) */
	const yaml_node_t *parameters; /* NULL: missing (reported) */
};

/* Walks the wrapper at root; what names the file in messages ("a task file"). */
void schema_wrapper(struct ynode_ctx *c, const yaml_node_t *root, const char *what,
		    struct schema_wrapper *out);

/* Walks a mapping against fields (NULL-terminated); model names it in messages. */
void schema_mapping(struct ynode_ctx *c, const yaml_node_t *node, const char *path,
		    const struct field *fields, void *base, const char *model);

bool schema_bool(struct ynode_ctx *c, const yaml_node_t *node, const char *path, bool *out);

/*
 * Seconds as a number, ISO 8601 duration or HH:MM:SS; > 0 (or >= 0 with allow_zero) and at most
 * SHP_SPAN_MAX_S (366 days, common/time_bounds.h). A value out of range is reported with its key
 * and the range.
 */
bool schema_seconds(struct ynode_ctx *c, const yaml_node_t *node, const char *path, double *out,
		    bool allow_zero);

/* A duration that may be null (no limit): null gives -1, else schema_seconds (> 0). */
bool schema_limit(struct ynode_ctx *c, const yaml_node_t *node, const char *path, double *out);

/* A scalar that is not null and not empty, copied into out (len bytes). */
bool schema_text(struct ynode_ctx *c, const yaml_node_t *node, const char *path, char *out,
		 size_t len, const char *what);

/*
 * The scalar's text without leading and trailing blanks (the predecessor's models strip
 * strings), *len its length; not NUL-terminated there. NULL (reported, what naming what was
 * expected) for null, a mapping, a list or nothing but blanks.
 */
const char *schema_stripped(struct ynode_ctx *c, const yaml_node_t *node, const char *path,
			    const char *what, size_t *len);

/* The value of key in the mapping node; NULL if it has none (or node is no mapping). */
const yaml_node_t *schema_value(struct ynode_ctx *c, const yaml_node_t *node, const char *key);

/* Writes node in YAML flow style (strings quoted), for dumping fields kept verbatim. */
void schema_write_flow(FILE *f, yaml_document_t *doc, const yaml_node_t *node);

/* A double-quoted YAML string. */
void schema_put_str(FILE *f, const char *s);

#endif
