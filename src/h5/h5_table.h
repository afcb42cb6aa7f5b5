/*
 * h5_table.h - a group of row-wise datasets sharing one time column (/pru_util, /uart, the
 * monitors, the sheep's own log).
 *
 * Each table is group/time (u8 ns, compressed with the task's setting) plus its columns, all
 * growing together by one row per append. Rows are buffered to whole chunks of 100 and written
 * when a chunk is full (fixed-size columns through the direct codec) and at close; on h5w_flush
 * the buffered rows go into the commit journal as a tail (h5_tail.h), not into the file.
 */
#ifndef SHP_H5_TABLE_H
#define SHP_H5_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define SHP_H5_TABLE_CHUNK_ROWS 100u
#define SHP_H5_TABLE_MAX_COLUMNS 4

enum h5w_col_type {
	H5W_COL_U8,
	H5W_COL_U16,
	H5W_COL_U64,
	H5W_COL_I64,
	H5W_COL_STR,   /* variable-length UTF-8 text (h5py: str) */
	H5W_COL_BYTES, /* variable-length ASCII bytes (h5py: bytes) */
};

struct h5w_column {
	const char *name;
	enum h5w_col_type type;
	unsigned width;          /* values per row; 0: a 1-D dataset */
	bool compressed;         /* the file's compression, else none */
	const char *unit;        /* NULL: no attribute */
	const char *description; /* NULL: no attribute */
};

typedef struct h5w_table h5w_table_t;
typedef struct h5w h5w_t;

/*
 * Creates group/time and the columns (the group is created if missing). The table belongs to
 * the writer, which flushes and closes it.
 */
shp_err h5w_table_create(h5w_t *w, const char *group, const struct h5w_column *cols, unsigned ncols,
			 h5w_table_t **out);

/*
 * Appends one row: values[c] points to the column's width (or 1) values of its type; for a
 * string column, to the bytes (no NUL inside), with lens[c] their number.
 */
shp_err h5w_table_append(h5w_table_t *t, uint64_t time_ns, const void *const values[],
			 const size_t lens[]);

uint64_t h5w_table_rows(const h5w_table_t *t);

#endif
