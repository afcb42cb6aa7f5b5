/*
 * yaml_node.h - typed access to a libyaml document, the way PyYAML (YAML 1.1) types plain scalars.
 *
 * libyaml gives every plain scalar the string tag; the sheep must still tell null, booleans,
 * integers and floats from strings, and report problems with their position in the file.
 */
#ifndef SHP_YAML_NODE_H
#define SHP_YAML_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "common/error.h"

struct ynode_ctx {
	yaml_document_t *doc;
	const char *source;
	int errors;
};

enum ynode_kind { YN_NULL, YN_BOOL, YN_INT, YN_FLOAT, YN_STRING, YN_MAPPING, YN_SEQUENCE };

enum ynode_kind ynode_kind(const yaml_node_t *node);
const char *ynode_kind_name(enum ynode_kind kind);
const char *ynode_text(const yaml_node_t *node); /* scalar value, "" otherwise */

bool ynode_bool(const yaml_node_t *node, bool *value);
bool ynode_int(const yaml_node_t *node, int64_t *value);
bool ynode_number(const yaml_node_t *node, double *value); /* int or float, finite */

/*
 * Reads the YAML text file path of at most max bytes: an unreadable, larger or binary file is
 * refused with a message naming it as what ("task file"). *text is malloc'd, NUL-terminated.
 */
shp_err ynode_read_file(const char *path, const char *what, size_t max, char **text, size_t *len);

/* Parses text into doc; a syntax error is logged as "source:line:col: not valid YAML: ...". */
bool ynode_load(const char *text, size_t len, const char *source, yaml_document_t *doc);

/* Logs "source:line:col: path: message" and counts the error. */
void ynode_error(struct ynode_ctx *ctx, const yaml_node_t *node, const char *path, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));

#endif
