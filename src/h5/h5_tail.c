/* h5_tail.c - encoding the tails of partial chunks, and appending them in a repair. */
#include "h5/h5_tail.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "h5/h5_common.h"

#define ENTRY_HEADER 12u
#define REFER_BYTES 4096u /* rows from this size on are referred to, not copied */

void tail_reset(struct tail_buf *t)
{
	t->len = 0;
	t->npieces = 0;
	t->bytes = 0;
	t->failed = false;
}

void tail_free(struct tail_buf *t)
{
	free(t->data);
	free(t->pieces);
	memset(t, 0, sizeof(*t));
}

static void add_piece(struct tail_buf *t, const void *ext, size_t off, size_t len)
{
	if (t->failed || len == 0)
		return;
	t->bytes += len;
	struct tail_piece *last = t->npieces ? &t->pieces[t->npieces - 1] : NULL;
	if (!ext && last && !last->ext && last->off + last->len == off) {
		last->len += len; /* the buffer grows on: one piece */
		return;
	}
	if (t->npieces == t->pieces_cap) {
		size_t cap = t->pieces_cap ? t->pieces_cap * 2 : 16;
		struct tail_piece *p = realloc(t->pieces, cap * sizeof(*p));
		if (!p) {
			t->failed = true;
			return;
		}
		t->pieces = p;
		t->pieces_cap = cap;
	}
	t->pieces[t->npieces++] = (struct tail_piece){ext, off, len};
}

void tail_each(const struct tail_buf *t, void (*f)(void *ctx, const void *bytes, size_t len),
	       void *ctx)
{
	for (size_t k = 0; k < t->npieces; k++) {
		const struct tail_piece *p = &t->pieces[k];
		f(ctx, p->ext ? p->ext : t->data + p->off, p->len);
	}
}

static uint8_t *room(struct tail_buf *t, size_t n)
{
	if (t->failed)
		return NULL;
	if (t->cap - t->len < n) {
		size_t cap = t->cap ? t->cap : 4096;
		while (cap - t->len < n)
			cap *= 2;
		uint8_t *p = realloc(t->data, cap);
		if (!p) {
			t->failed = true;
			return NULL;
		}
		t->data = p;
		t->cap = cap;
	}
	uint8_t *p = t->data + t->len;
	add_piece(t, NULL, t->len, n);
	t->len += n;
	return p;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* both targets are little endian (h5_common.c checks) */
}

static void put_header(struct tail_buf *t, uint8_t kind, const char *path, uint32_t nrows,
		       uint32_t row_bytes)
{
	size_t plen = strlen(path);
	uint8_t *p = room(t, ENTRY_HEADER + plen);
	if (!p)
		return;
	p[0] = kind;
	p[1] = 0;
	p[2] = (uint8_t)plen;
	p[3] = (uint8_t)(plen >> 8);
	put_u32(p + 4, nrows);
	put_u32(p + 8, row_bytes);
	memcpy(p + ENTRY_HEADER, path, plen);
}

void tail_put_fixed(struct tail_buf *t, const char *path, const void *rows, uint32_t nrows,
		    uint32_t row_bytes)
{
	if (nrows == 0)
		return;
	put_header(t, 0, path, nrows, row_bytes);
	size_t bytes = (size_t)nrows * row_bytes;
	if (bytes >= REFER_BYTES) {
		add_piece(t, rows, 0, bytes);
		return;
	}
	uint8_t *p = room(t, bytes);
	if (p)
		memcpy(p, rows, bytes);
}

void tail_put_text(struct tail_buf *t, const char *path, char *const *rows, uint32_t nrows)
{
	if (nrows == 0)
		return;
	put_header(t, 1, path, nrows, 0);
	for (uint32_t r = 0; r < nrows; r++) {
		size_t n = strlen(rows[r]);
		uint8_t *p = room(t, 4 + n);
		if (!p)
			return;
		put_u32(p, (uint32_t)n);
		memcpy(p + 4, rows[r], n);
	}
}

/* ---- the repair's side ------------------------------------------------------------------- */

struct reader {
	const uint8_t *p, *end;
};

static bool take(struct reader *r, size_t n, const uint8_t **out)
{
	if ((size_t)(r->end - r->p) < n)
		return false;
	*out = r->p;
	r->p += n;
	return true;
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* The rows of text entry as NUL-terminated strings (one allocation). */
static char **text_rows(struct reader *r, uint32_t nrows)
{
	const uint8_t *start = r->p;
	size_t bytes = 0;
	for (uint32_t k = 0; k < nrows; k++) {
		const uint8_t *h, *s;
		if (!take(r, 4, &h) || !take(r, get_u32(h), &s))
			return NULL;
		bytes += get_u32(h) + 1;
	}
	char **rows = malloc(nrows * sizeof(char *) + bytes);
	if (!rows)
		return NULL;
	char *text = (char *)(rows + nrows);
	for (uint32_t k = 0; k < nrows; k++) {
		uint32_t n = get_u32(start);
		memcpy(text, start + 4, n);
		text[n] = '\0';
		rows[k] = text;
		text += n + 1;
		start += 4 + n;
	}
	return rows;
}

/* Extends ds by nrows and writes them (mem: their memory type). */
static herr_t append_rows(hid_t ds, hid_t mem, const void *data, uint32_t nrows)
{
	hid_t space = H5Dget_space(ds);
	hsize_t dims[2] = {0, 0}, start[2] = {0, 0}, count[2];
	int rank = space >= 0 ? H5Sget_simple_extent_dims(space, dims, NULL) : -1;
	if (space >= 0)
		H5Sclose(space);
	if (rank < 1 || rank > 2)
		return -1;
	start[0] = dims[0];
	count[0] = nrows;
	count[1] = dims[1];
	dims[0] += nrows;
	if (H5Dset_extent(ds, dims) < 0 || (space = H5Dget_space(ds)) < 0)
		return -1;
	hid_t mspace = H5Screate_simple(rank, count, NULL);
	herr_t rc = -1;
	if (mspace >= 0 &&
	    H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL) >= 0)
		rc = H5Dwrite(ds, mem, mspace, space, H5P_DEFAULT, data);
	if (mspace >= 0)
		H5Sclose(mspace);
	H5Sclose(space);
	return rc;
}

/* The dataset's type fits the entry: fixed rows of exactly row_bytes, or text. */
static bool entry_fits(hid_t ds, hid_t ftype, hid_t mem, bool text, uint32_t row_bytes)
{
	if (text)
		return H5Tis_variable_str(ftype) > 0;
	if (H5Tget_class(ftype) == H5T_VLEN || H5Tis_variable_str(ftype) != 0)
		return false;
	hid_t space = H5Dget_space(ds);
	hsize_t dims[2] = {0, 1};
	int rank = space >= 0 ? H5Sget_simple_extent_dims(space, dims, NULL) : -1;
	if (space >= 0)
		H5Sclose(space);
	uint64_t want = (uint64_t)H5Tget_size(mem) * (rank == 2 ? dims[1] : 1);
	return (rank == 1 || rank == 2) && want == row_bytes;
}

static shp_err apply_entry(hid_t file, struct reader *r, uint64_t *rows)
{
	const uint8_t *h, *path_bytes, *data = NULL;
	if (!take(r, ENTRY_HEADER, &h))
		return SHP_ERR_INPUT;
	size_t plen = (size_t)h[2] | (size_t)h[3] << 8;
	uint32_t nrows = get_u32(h + 4), row_bytes = get_u32(h + 8);
	bool text = h[0] == 1;
	char path[4096];
	if (h[0] > 1 || plen >= sizeof(path) || !take(r, plen, &path_bytes))
		return SHP_ERR_INPUT;
	memcpy(path, path_bytes, plen);
	path[plen] = '\0';
	uint64_t fixed_bytes = (uint64_t)nrows * row_bytes;
	char **strings = NULL;
	if (!text &&
	    (fixed_bytes > (uint64_t)(r->end - r->p) || !take(r, (size_t)fixed_bytes, &data)))
		return SHP_ERR_INPUT;
	if (text && !(strings = text_rows(r, nrows)))
		return SHP_ERR_INPUT;
	hid_t ds = H5Dopen2(file, path, H5P_DEFAULT);
	hid_t ftype = ds >= 0 ? H5Dget_type(ds) : -1;
	hid_t mem = !text && ftype >= 0 ? H5Tget_native_type(ftype, H5T_DIR_ASCEND) : ftype;
	herr_t rc = -1;
	bool fits = mem >= 0 && entry_fits(ds, ftype, mem, text, row_bytes);
	if (fits)
		rc = append_rows(ds, mem, text ? (const void *)strings : data, nrows);
	if (mem >= 0 && mem != ftype)
		H5Tclose(mem);
	if (ftype >= 0)
		H5Tclose(ftype);
	if (ds >= 0)
		H5Dclose(ds);
	free(strings);
	if (mem >= 0 && !fits) {
		log_error("the journal's rows for %s do not fit the dataset's type", path);
		return SHP_ERR_INPUT;
	}
	if (rc < 0) {
		log_error("appending %u rows to %s failed: %s", nrows, path, shp_h5_error());
		return SHP_ERR_OUTPUT;
	}
	*rows += nrows;
	return SHP_OK;
}

shp_err tail_apply(hid_t file, const uint8_t *tail, size_t len, uint64_t *rows)
{
	struct reader r = {tail, tail + len};
	*rows = 0;
	while (r.p < r.end)
		SHP_TRY(apply_entry(file, &r, rows));
	return SHP_OK;
}
