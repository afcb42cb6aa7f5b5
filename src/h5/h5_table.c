/* h5_table.c - row-wise groups with a shared time column, buffered to whole chunks. */
#include "h5/h5_table.h"

#include <stdlib.h>
#include <string.h>

#include "h5/h5_series.h"
#include "h5/h5_tail.h"

#define ROWS SHP_H5_TABLE_CHUNK_ROWS

struct h5w_table {
	hid_t group;
	unsigned ncols;
	struct series time;
	struct series col[SHP_H5_TABLE_MAX_COLUMNS];
	enum h5w_col_type type[SHP_H5_TABLE_MAX_COLUMNS];
	unsigned width[SHP_H5_TABLE_MAX_COLUMNS]; /* values per row (1 for 1-D) */
	uint8_t *buf[SHP_H5_TABLE_MAX_COLUMNS];   /* ROWS rows; strings as char * */
	uint64_t times[ROWS];
	uint32_t pending;
	hid_t str_type;      /* vlen UTF-8: h5py reads str */
	hid_t bytes_type;    /* vlen ASCII: h5py reads bytes */
	bool failed;         /* a write failed: the table takes no more rows */
	bool *writer_failed; /* ... and neither does the file */
};

static size_t type_size(enum h5w_col_type t)
{
	switch (t) {
	case H5W_COL_U8:
		return 1;
	case H5W_COL_U16:
		return 2;
	case H5W_COL_STR:
	case H5W_COL_BYTES:
		return sizeof(char *);
	default:
		return 8;
	}
}

static bool is_text(enum h5w_col_type t)
{
	return t == H5W_COL_STR || t == H5W_COL_BYTES;
}

static void type_ids(const struct h5w_table *tab, enum h5w_col_type t, hid_t *file_type,
		     hid_t *mem_type)
{
	switch (t) {
	case H5W_COL_U8:
		*file_type = H5T_STD_U8LE, *mem_type = H5T_NATIVE_UINT8;
		break;
	case H5W_COL_U16:
		*file_type = H5T_STD_U16LE, *mem_type = H5T_NATIVE_UINT16;
		break;
	case H5W_COL_U64:
		*file_type = H5T_STD_U64LE, *mem_type = H5T_NATIVE_UINT64;
		break;
	case H5W_COL_I64:
		*file_type = H5T_STD_I64LE, *mem_type = H5T_NATIVE_INT64;
		break;
	case H5W_COL_STR:
		*file_type = *mem_type = tab->str_type;
		break;
	default:
		*file_type = *mem_type = tab->bytes_type;
		break;
	}
}

static void drop_strings(struct h5w_table *t)
{
	for (unsigned c = 0; c < t->ncols; c++)
		if (is_text(t->type[c]))
			for (uint32_t r = 0; r < t->pending; r++)
				free(((char **)(void *)t->buf[c])[r]);
}

void table_free(struct h5w_table *t)
{
	if (!t)
		return;
	drop_strings(t);
	series_close(&t->time);
	for (unsigned c = 0; c < t->ncols; c++) {
		series_close(&t->col[c]);
		free(t->buf[c]);
	}
	if (t->str_type >= 0)
		H5Tclose(t->str_type);
	if (t->bytes_type >= 0)
		H5Tclose(t->bytes_type);
	if (t->group >= 0)
		H5Gclose(t->group);
	free(t);
}

struct h5w_table *table_create(hid_t file, const char *group, const struct h5w_column *cols,
			       unsigned ncols, enum shp_compression compression, bool shuffle,
			       const struct table_codecs *codecs, bool *failed)
{
	if (ncols > SHP_H5_TABLE_MAX_COLUMNS)
		return NULL;
	struct h5w_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->time.ds = -1;
	t->writer_failed = failed;
	for (unsigned c = 0; c < SHP_H5_TABLE_MAX_COLUMNS; c++)
		t->col[c].ds = -1;
	t->str_type = H5Tcopy(H5T_C_S1);
	t->bytes_type = H5Tcopy(H5T_C_S1);
	bool ok = t->str_type >= 0 && H5Tset_size(t->str_type, H5T_VARIABLE) >= 0 &&
		  H5Tset_cset(t->str_type, H5T_CSET_UTF8) >= 0 && t->bytes_type >= 0 &&
		  H5Tset_size(t->bytes_type, H5T_VARIABLE) >= 0 &&
		  H5Tset_cset(t->bytes_type, H5T_CSET_ASCII) >= 0;
	t->group = -1;
	if (ok)
		t->group = H5Lexists(file, group, H5P_DEFAULT) > 0
				   ? H5Gopen2(file, group, H5P_DEFAULT)
				   : H5Gcreate2(file, group, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	ok = ok && t->group >= 0 &&
	     series_create(t->group, "time", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, ROWS, compression,
			   shuffle, &t->time) >= 0 &&
	     series_describe_time(t->time.ds) >= 0;
	t->time.codec = codecs->packed;
	t->ncols = ncols;
	for (unsigned c = 0; ok && c < ncols; c++) {
		const struct h5w_column *col = &cols[c];
		hid_t file_type, mem_type;
		type_ids(t, col->type, &file_type, &mem_type);
		t->type[c] = col->type;
		t->width[c] = col->width ? col->width : 1;
		t->buf[c] = malloc(ROWS * t->width[c] * type_size(col->type));
		bool squeeze = col->compressed && !is_text(col->type);
		ok = t->buf[c] &&
		     series_create(t->group, col->name, file_type, mem_type, col->width, ROWS,
				   col->compressed ? compression : SHP_COMP_NONE,
				   squeeze && shuffle, &t->col[c]) >= 0 &&
		     (!col->unit || shp_h5_attr_str(t->col[c].ds, "unit", col->unit) >= 0) &&
		     (!col->description ||
		      shp_h5_attr_str(t->col[c].ds, "description", col->description) >= 0);
		if (!is_text(col->type)) /* text goes through HDF5, whole chunks at a time */
			t->col[c].codec = col->compressed ? codecs->packed : codecs->plain;
	}
	if (!ok) {
		table_free(t);
		return NULL;
	}
	return t;
}

herr_t table_flush(struct h5w_table *t)
{
	if (t->pending == 0 || t->failed)
		return t->failed ? -1 : 0;
	herr_t rc = series_append(&t->time, t->times, t->pending);
	for (unsigned c = 0; rc >= 0 && c < t->ncols; c++)
		rc = series_append(&t->col[c], t->buf[c], t->pending);
	drop_strings(t);
	t->pending = 0;
	if (rc < 0)
		t->failed = *t->writer_failed = true;
	return rc;
}

shp_err h5w_table_append(h5w_table_t *t, uint64_t time_ns, const void *const values[],
			 const size_t lens[])
{
	if (t->failed || *t->writer_failed)
		return SHP_ERR_OUTPUT;
	for (unsigned c = 0; c < t->ncols; c++) {
		if (is_text(t->type[c])) {
			char *copy = malloc(lens[c] + 1);
			if (!copy) {
				for (unsigned k = 0; k < c; k++) /* undo this row's strings */
					if (is_text(t->type[k]))
						free(((char **)(void *)t->buf[k])[t->pending]);
				return SHP_ERR_NOMEM;
			}
			memcpy(copy, values[c], lens[c]);
			copy[lens[c]] = '\0';
			((char **)(void *)t->buf[c])[t->pending] = copy;
		} else {
			size_t row = t->width[c] * type_size(t->type[c]);
			memcpy(t->buf[c] + t->pending * row, values[c], row);
		}
	}
	t->times[t->pending++] = time_ns;
	if (t->pending == ROWS && table_flush(t) < 0)
		return SHP_ERR_OUTPUT;
	return SHP_OK;
}

void table_tail(const struct h5w_table *t, struct tail_buf *tail)
{
	if (t->failed)
		return;
	tail_put_fixed(tail, t->time.path, t->times, t->pending, sizeof(uint64_t));
	for (unsigned c = 0; c < t->ncols; c++) {
		if (is_text(t->type[c]))
			tail_put_text(tail, t->col[c].path, (char *const *)(void *)t->buf[c],
				      t->pending);
		else
			tail_put_fixed(tail, t->col[c].path, t->buf[c], t->pending,
				       (uint32_t)(t->width[c] * type_size(t->type[c])));
	}
}

uint64_t h5w_table_rows(const h5w_table_t *t)
{
	return t->time.rows + t->pending;
}
