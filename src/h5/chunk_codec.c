/* chunk_codec.c - shuffle by 8x8 byte transposes, then deflate or LZF, as HDF5's filters do. */
#include "h5/chunk_codec.h"

#include <lzf.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* One step of the transpose: swaps the bit field of a (shifted down) with that of b. */
#define SWAP_STEP(a, b, shift, mask)                                                               \
	do {                                                                                       \
		uint64_t t_ = (((a) >> (shift)) ^ (b)) & (mask);                                   \
		(b) ^= t_;                                                                         \
		(a) ^= t_ << (shift);                                                              \
	} while (0)

/*
 * Shuffle of 8 elements at a time as a byte-matrix transpose in 64-bit words: row k is element
 * k (byte j = column j, little endian); swapping 4x4, then 2x2 blocks, then single bytes leaves
 * in word j byte j of the 8 elements, in element order, which is what shuffle stores.
 */
static inline void transpose_rounds_2_3(uint64_t *r0, uint64_t *r1, uint64_t *r2, uint64_t *r3)
{
	SWAP_STEP(*r0, *r2, 16, 0x0000FFFF0000FFFFull);
	SWAP_STEP(*r1, *r3, 16, 0x0000FFFF0000FFFFull);
	SWAP_STEP(*r0, *r1, 8, 0x00FF00FF00FF00FFull);
	SWAP_STEP(*r2, *r3, 8, 0x00FF00FF00FF00FFull);
}

static size_t shuffle_u64(const uint8_t *src, uint8_t *dst, size_t count)
{
	size_t i = 0;
	for (; i + 8 <= count; i += 8) {
		uint64_t r[8];
		memcpy(r, src + i * 8, sizeof(r));
		SWAP_STEP(r[0], r[4], 32, 0x00000000FFFFFFFFull);
		SWAP_STEP(r[1], r[5], 32, 0x00000000FFFFFFFFull);
		SWAP_STEP(r[2], r[6], 32, 0x00000000FFFFFFFFull);
		SWAP_STEP(r[3], r[7], 32, 0x00000000FFFFFFFFull);
		transpose_rounds_2_3(&r[0], &r[1], &r[2], &r[3]);
		transpose_rounds_2_3(&r[4], &r[5], &r[6], &r[7]);
		for (size_t j = 0; j < 8; j++)
			memcpy(dst + j * count + i, &r[j], 8);
	}
	return i;
}

/* With 4-byte elements the upper halves are zero: the first round only packs two per word. */
static size_t shuffle_u32(const uint8_t *src, uint8_t *dst, size_t count)
{
	size_t i = 0;
	for (; i + 8 <= count; i += 8) {
		uint32_t w[8];
		memcpy(w, src + i * 4, sizeof(w));
		uint64_t r[4];
		for (int k = 0; k < 4; k++)
			r[k] = w[k] | (uint64_t)w[k + 4] << 32;
		transpose_rounds_2_3(&r[0], &r[1], &r[2], &r[3]);
		for (size_t j = 0; j < 4; j++)
			memcpy(dst + j * count + i, &r[j], 8);
	}
	return i;
}

void chunk_shuffle(const uint8_t *src, uint8_t *dst, size_t count, size_t elem_size)
{
	/* the sheep runs on little-endian machines only: byte j of a word is its j-th byte */
	size_t i = elem_size == 8   ? shuffle_u64(src, dst, count)
		   : elem_size == 4 ? shuffle_u32(src, dst, count)
				    : 0;
	for (; i < count; i++) /* the tail, and other element sizes */
		for (size_t j = 0; j < elem_size; j++)
			dst[j * count + i] = src[i * elem_size + j];
}

shp_err chunk_codec_init(struct chunk_codec *c, enum shp_compression compression, int shuffle,
			 size_t max_bytes)
{
	memset(c, 0, sizeof(*c));
	c->compression = compression;
	c->shuffle = compression != SHP_COMP_NONE && shuffle;
	c->capacity = max_bytes;
	c->shuffled = malloc(max_bytes);
	c->packed = malloc(compressBound((uLong)max_bytes));
	if (!c->shuffled || !c->packed) {
		chunk_codec_free(c);
		return SHP_ERR_NOMEM;
	}
	return SHP_OK;
}

void chunk_codec_free(struct chunk_codec *c)
{
	free(c->shuffled);
	free(c->packed);
	c->shuffled = c->packed = NULL;
}

/* liblzf's format (lzf_d.c): a control byte below 32 starts 1..32 literals; above, its top
 * three bits are the match length - 2 (7: one more length byte follows) and the low five bits
 * with the next byte the distance - 1. */
#define LZF_MAX_LITERALS 32u
#define LZF_MAX_MATCH 264u /* 2 + 7 + 255 */
#define NOISE_SAVING_PERCENT 3u
#define NOISE_RECHECK_EVERY 16u

size_t lzf_put_literals(const uint8_t *src, size_t count, uint8_t *dst, size_t cap)
{
	size_t need = count + (count + LZF_MAX_LITERALS - 1) / LZF_MAX_LITERALS;
	if (need > cap)
		return 0;
	uint8_t *op = dst;
	while (count) {
		size_t n = count < LZF_MAX_LITERALS ? count : LZF_MAX_LITERALS;
		*op++ = (uint8_t)(n - 1);
		memcpy(op, src, n);
		op += n;
		src += n;
		count -= n;
	}
	return (size_t)(op - dst);
}

size_t lzf_put_run(uint8_t value, size_t count, uint8_t *dst, size_t cap)
{
	if (count == 0)
		return 0;
	size_t used = lzf_put_literals(&value, 1, dst, cap);
	if (!used)
		return 0;
	count--;
	while (count >= 3) { /* copies of the byte just before: distance 1 */
		size_t len = count < LZF_MAX_MATCH ? count : LZF_MAX_MATCH;
		if (count - len == 1 || count - len == 2)
			len -= 3; /* never leave a tail too short for a match */
		size_t token = len - 2 >= 7 ? 3 : 2;
		if (used + token > cap)
			return 0;
		if (token == 3) {
			dst[used++] = 7u << 5;
			dst[used++] = (uint8_t)(len - 2 - 7);
		} else {
			dst[used++] = (uint8_t)((len - 2) << 5);
		}
		dst[used++] = 0; /* distance - 1 = 0 */
		count -= len;
	}
	for (; count; count--) {
		size_t n = lzf_put_literals(&value, 1, dst + used, cap - used);
		if (!n)
			return 0;
		used += n;
	}
	return used;
}

static int is_constant(const uint8_t *p, size_t n)
{
	return n == 0 || memcmp(p, p + 1, n - 1) == 0;
}

/* One byte plane of a shuffled chunk; returns the bytes written, 0 if it does not fit. */
static size_t lzf_plane(const uint8_t *plane, size_t n, uint8_t *dst, size_t cap, uint8_t *noise,
			int recheck)
{
	if (is_constant(plane, n))
		return lzf_put_run(plane[0], n, dst, cap);
	if (*noise && !recheck)
		return lzf_put_literals(plane, n, dst, cap);
	unsigned len = lzf_compress(plane, (unsigned)n, dst, (unsigned)(cap < n ? cap : n));
	*noise = len == 0 || (size_t)len * 100 > n * (100 - NOISE_SAVING_PERCENT);
	return len ? len : lzf_put_literals(plane, n, dst, cap);
}

static size_t lzf_by_planes(struct chunk_codec *c, struct chunk_hints *hints, const uint8_t *src,
			    size_t count, size_t elem_size)
{
	size_t nbytes = count * elem_size, used = 0;
	int recheck = hints->chunks++ % NOISE_RECHECK_EVERY == 0;
	for (size_t j = 0; j < elem_size; j++) {
		size_t n = lzf_plane(src + j * count, count, c->packed + used, nbytes - used,
				     &hints->noise[j], recheck);
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
		chunk_shuffle(src, c->shuffled, count, elem_size);
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
