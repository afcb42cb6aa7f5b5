/*
 * h5_tail.h - the rows of partial chunks, kept durable in the commit journal instead of the file.
 *
 * GPIO events and table rows reach the file only in whole chunks (written once, through the
 * direct codec), so a flush never rewrites a partial chunk and leaves no dead copies behind. The
 * rows of the chunk being filled go into each commit's journal slot as a tail; a repair after a
 * crash appends them to their datasets (h5_repair.c), and a clean close writes them as the last,
 * partial chunk.
 *
 * An entry: u8 kind (0 fixed-size rows, 1 text), u8 0, u16 path length, u32 rows, u32 bytes per
 * row (fixed) or 0, the dataset's path, then the rows: fixed ones as they are in memory (little
 * endian on every target), text as u32 length + bytes each.
 */
#ifndef SHP_H5_TAIL_H
#define SHP_H5_TAIL_H

#include <hdf5.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* A piece of a tail: bytes in the tail's own buffer, or rows it refers to where they are (the
 * writer's staging of GPIO events, up to 1 MB, is not copied). */
struct tail_piece {
	const void *ext; /* NULL: at off in data */
	size_t off, len;
};

struct tail_buf {
	uint8_t *data;
	size_t len, cap;
	struct tail_piece *pieces;
	size_t npieces, pieces_cap;
	size_t bytes; /* of all pieces */
	bool failed;  /* out of memory: the tail is incomplete */
};

void tail_reset(struct tail_buf *t);
void tail_free(struct tail_buf *t);
/* Rows of fixed size; big ones are referred to, not copied: they must stay unchanged until
 * the commit that stores the tail is done. */
void tail_put_fixed(struct tail_buf *t, const char *path, const void *rows, uint32_t nrows,
		    uint32_t row_bytes);
void tail_put_text(struct tail_buf *t, const char *path, char *const *rows, uint32_t nrows);

/* The tail's bytes, piece by piece: f(ctx, bytes, len) in order. */
void tail_each(const struct tail_buf *t, void (*f)(void *ctx, const void *bytes, size_t len),
	       void *ctx);

/* Appends every entry of a tail to its dataset in file; *rows counts the rows appended. */
shp_err tail_apply(hid_t file, const uint8_t *tail, size_t len, uint64_t *rows);

#endif
