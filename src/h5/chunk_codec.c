/* chunk_codec.c - shuffle, then deflate or LZF (by planes after a shuffle), for whole chunks. */
#include "h5/chunk_codec.h"

#include <lzf.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "h5/byte_shuffle.h"
#include "h5/lzf_codec.h"

shp_err chunk_codec_init(struct chunk_codec *c, enum shp_compression compression, int shuffle,
			 size_t max_bytes)
{
	memset(c, 0, sizeof(*c));
	c->compression = compression;
	c->shuffle = compression != SHP_COMP_NONE && shuffle;
	c->capacity = max_bytes;
	c->shuffled = malloc(max_bytes);
	c->packed = malloc(compressBound((uLong)max_bytes));
	c->lzf = malloc(sizeof(*c->lzf));
	if (!c->shuffled || !c->packed || !c->lzf) {
		chunk_codec_free(c);
		return SHP_ERR_NOMEM;
	}
	return SHP_OK;
}

void chunk_codec_free(struct chunk_codec *c)
{
	free(c->shuffled);
	free(c->packed);
	free(c->lzf);
	c->shuffled = c->packed = NULL;
	c->lzf = NULL;
}

#define NOISE_SAVING_PERCENT 3u
#define NOISE_RECHECK_EVERY 16u

/* A plane as last encoded and its tokens (see chunk_codec.h). */
struct plane_memo {
	size_t n, len;
	uint8_t *plane; /* n bytes */
	uint8_t *code;  /* len bytes of LZF tokens */
};

static void memo_drop(struct plane_memo **m)
{
	if (*m) {
		free((*m)->plane);
		free((*m)->code);
		free(*m);
	}
	*m = NULL;
}

void chunk_hints_free(struct chunk_hints *h)
{
	for (size_t j = 0; j < CHUNK_MAX_PLANES; j++)
		memo_drop(&h->memo[j]);
	memset(h, 0, sizeof(*h));
}

/* Keeps plane and its tokens (len <= n) for the next chunk; a failed allocation only forgoes
 * the memo. */
static void memo_keep(struct plane_memo **m, const uint8_t *plane, size_t n, const uint8_t *code,
		      size_t len)
{
	if (*m && (*m)->n != n)
		memo_drop(m);
	if (!*m) {
		struct plane_memo *k = calloc(1, sizeof(*k));
		if (!k || !(k->plane = malloc(n)) || !(k->code = malloc(n))) {
			memo_drop(&k);
			return;
		}
		k->n = n;
		*m = k;
	}
	memcpy((*m)->plane, plane, n);
	memcpy((*m)->code, code, len);
	(*m)->len = len;
}

/*
 * The memo's tokens for plane, if plane is the memo's plane plus a constant: the literal bytes
 * shifted by it, written to dst; 0 otherwise (and then the memo is of no further use).
 */
static size_t memo_reuse(struct plane_memo *m, const uint8_t *plane, size_t n, uint8_t *dst,
			 size_t cap)
{
	uint8_t shift = (uint8_t)(plane[0] - m->plane[0]);
	if (m->n != n || m->len > cap || !byte_plane_is_shifted(plane, m->plane, n, shift))
		return 0;
	for (size_t k = 0; k < m->len;) {
		uint8_t ctrl = m->code[k++];
		if (ctrl < 32) { /* ctrl + 1 literals */
			for (size_t e = k + ctrl + 1u; k < e; k++)
				m->code[k] = (uint8_t)(m->code[k] + shift);
		} else { /* a match: its length byte (if any) and distance byte stay */
			k += (ctrl >> 5) == 7 ? 2 : 1;
		}
	}
	memcpy(m->plane, plane, n);
	memcpy(dst, m->code, m->len);
	return m->len;
}

/*
 * A plane through the plane encoder in pieces of at most LZF_PLANE_MAX bytes (GPIO chunks have
 * 100 000 rows): the pieces' tokens concatenate, only no match reaches back into the piece
 * before. Returns 0 if it does not fit in cap.
 */
static size_t encode_pieces(struct lzf_encoder *enc, const uint8_t *plane, size_t n, uint8_t *dst,
			    size_t cap)
{
	size_t used = 0;
	for (size_t at = 0; at < n; at += LZF_PLANE_MAX) {
		size_t piece = n - at < LZF_PLANE_MAX ? n - at : LZF_PLANE_MAX;
		size_t len = lzf_encode_plane(enc, plane + at, piece, dst + used, cap - used);
		if (len == 0)
			return 0;
		used += len;
	}
	return used;
}

/* One byte plane of a shuffled chunk; returns the bytes written, 0 if it does not fit. */
static size_t lzf_plane(struct lzf_encoder *enc, const uint8_t *plane, size_t n, uint8_t *dst,
			size_t cap, uint8_t *noise, struct plane_memo **memo, int recheck)
{
	if (byte_plane_is_constant(plane, n)) {
		memo_drop(memo);
		return lzf_put_run(plane[0], n, dst, cap);
	}
	if (*noise && !recheck)
		return lzf_put_literals(plane, n, dst, cap);
	if (*memo) {
		size_t len = memo_reuse(*memo, plane, n, dst, cap);
		if (len)
			return len;
		memo_drop(memo);
	}
	size_t len = encode_pieces(enc, plane, n, dst, cap < n ? cap : n);
	*noise = len == 0 || len * 100 > n * (100 - NOISE_SAVING_PERCENT);
	if (len && recheck && !*noise) /* a candidate: tried on the next chunk */
		memo_keep(memo, plane, n, dst, len);
	return len ? len : lzf_put_literals(plane, n, dst, cap);
}

static size_t lzf_by_planes(struct chunk_codec *c, struct chunk_hints *hints, const uint8_t *src,
			    size_t count, size_t elem_size)
{
	size_t nbytes = count * elem_size, used = 0;
	int recheck = hints->chunks++ % NOISE_RECHECK_EVERY == 0;
	for (size_t j = 0; j < elem_size; j++) {
		size_t n = lzf_plane(c->lzf, src + j * count, count, c->packed + used,
				     nbytes - used, &hints->noise[j], &hints->memo[j], recheck);
		if (n == 0)
			return 0; /* does not shrink: stored as it is */
		used += n;
	}
	return used < nbytes ? used : 0;
}

shp_err chunk_codec_encode(struct chunk_codec *c, struct chunk_hints *hints, const void *data,
			   size_t count, size_t elem_size, const void **out, size_t *out_len,
			   uint32_t *filter_mask)
{
	size_t nbytes = count * elem_size;
	if (nbytes > c->capacity)
		return SHP_ERR_OUTPUT;
	const uint8_t *src = data;
	*filter_mask = 0;
	if (c->shuffle) {
		byte_shuffle(src, c->shuffled, count, elem_size);
		src = c->shuffled;
	}
	/* the compressor is the last filter: index 1 behind shuffle, else 0 */
	unsigned compressor_bit = c->shuffle ? 1u : 0u;
	switch (c->compression) {
	case SHP_COMP_NONE:
		*out = src;
		*out_len = nbytes;
		return SHP_OK;
	case SHP_COMP_GZIP1: {
		uLongf len = compressBound((uLong)nbytes);
		if (compress2(c->packed, &len, src, (uLong)nbytes, 1) != Z_OK)
			return SHP_ERR_OUTPUT;
		*out = c->packed;
		*out_len = len;
		return SHP_OK;
	}
	case SHP_COMP_LZF: {
		size_t len =
			c->shuffle && hints && elem_size <= CHUNK_MAX_PLANES
				? lzf_by_planes(c, hints, src, count, elem_size)
				: lzf_compress(src, (unsigned)nbytes, c->packed, (unsigned)nbytes);
		if (len == 0) { /* did not shrink: stored as it is, filter marked as skipped */
			*out = src;
			*out_len = nbytes;
			*filter_mask = 1u << compressor_bit;
		} else {
			*out = c->packed;
			*out_len = len;
		}
		return SHP_OK;
	}
	}
	return SHP_ERR_OUTPUT;
}
