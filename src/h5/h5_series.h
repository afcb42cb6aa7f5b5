/*
 * h5_series.h - an appendable HDF5 dataset (inside src/h5 only).
 *
 * A series is a 1-D or 2-D dataset that grows by appends: its extent always equals what was
 * written. Whole aligned chunks of fixed-size rows bypass HDF5's filter pipeline when the series
 * has a codec (chunk_codec.c); everything else (text, a file's last partial chunk) goes through
 * it, with the chunk cache disabled.
 */
#ifndef SHP_H5_SERIES_H
#define SHP_H5_SERIES_H

#include <hdf5.h>
#include <stdbool.h>

#include "h5/chunk_codec.h"
#include "h5/h5_common.h"

#define SHP_H5_TIME_DESC "system time [s] = value * gain + (offset)"

/* An appendable dataset: rows of cols values of one type. */
struct series {
	hid_t ds;
	hid_t mem_type;
	hsize_t rows;
	hsize_t cols;              /* 0 for a 1-D dataset */
	hsize_t chunk_rows;        /* rows per chunk */
	size_t elem_size;          /* bytes per value */
	struct chunk_codec *codec; /* whole chunks bypass HDF5's pipeline */
	struct chunk_hints hints;
	char path[96]; /* in the file, for the journal's tails */
};

/* Creates the dataset name in loc with the given compression; returns its id or -1. */
hid_t series_create(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, hsize_t cols,
		    hsize_t chunk_rows, enum shp_compression compression, bool shuffle,
		    struct series *s);

/* Appends rows; on failure the extent is set back to what is really there. */
herr_t series_append(struct series *s, const void *data, hsize_t rows);

void series_close(struct series *s);

/* unit and description attributes, plus gain and offset if cal is given. */
herr_t series_describe(hid_t ds, const char *unit, const char *desc,
		       const struct shp_cal_pair *cal);

/* The time column of a monitor-like group: u8 ns with unit, description, gain 1e-9, offset 0. */
herr_t series_describe_time(hid_t ds);

/* Tables (h5_table.h) as the writer drives them. */
struct h5w_column;
struct tail_buf;
struct table_codecs {
	struct chunk_codec *packed; /* the file's compression (NULL: pipeline only) */
	struct chunk_codec *plain;  /* no compression, for uncompressed columns */
};
struct h5w_table *table_create(hid_t file, const char *group, const struct h5w_column *cols,
			       unsigned ncols, enum shp_compression compression, bool shuffle,
			       const struct table_codecs *codecs, bool *failed);
herr_t table_flush(struct h5w_table *t); /* writes buffered rows (at close: a partial chunk) */
void table_tail(const struct h5w_table *t, struct tail_buf *tail); /* buffered rows as a tail */
void table_free(struct h5w_table *t);                              /* closes without flushing */

#endif
