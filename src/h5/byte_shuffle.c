/* byte_shuffle.c - HDF5's shuffle by 8x8 byte transposes in 64-bit words; NEON dispatch. */
#include "h5/byte_shuffle.h"

#include <string.h>

#include "common/cpu.h"

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

/* Transposes for 8- and 4-byte elements; what they leave over, and other sizes, byte by byte. */
void byte_shuffle_portable(const uint8_t *src, uint8_t *dst, size_t count, size_t elem_size)
{
	/* the sheep runs on little-endian machines only: byte j of a word is its j-th byte */
	size_t i = elem_size == 8   ? shuffle_u64(src, dst, count)
		   : elem_size == 4 ? shuffle_u32(src, dst, count)
				    : 0;
	byte_shuffle_rest(src, dst, count, elem_size, i); /* the tail, and other element sizes */
}

void byte_shuffle_rest(const uint8_t *src, uint8_t *dst, size_t count, size_t elem_size,
		       size_t from)
{
	for (size_t i = from; i < count; i++)
		for (size_t j = 0; j < elem_size; j++)
			dst[j * count + i] = src[i * elem_size + j];
}

void byte_shuffle(const uint8_t *src, uint8_t *dst, size_t count, size_t elem_size)
{
#ifdef SHEEP_HAVE_NEON
	if (cpu_use_neon()) {
		byte_shuffle_neon(src, dst, count, elem_size);
		return;
	}
#endif
	byte_shuffle_portable(src, dst, count, elem_size);
}

/* Machine words (64 bits on x86-64, 32 on ARM) of repeated bytes. */
typedef size_t word_t;
#define WORD_BYTES(b) ((word_t)-1 / 0xFFu * (uint8_t)(b))

/* Two words at a time against the first byte replicated; glibc's memcmp is bytewise on ARM. */
bool byte_plane_is_constant_portable(const uint8_t *p, size_t n)
{
	if (n == 0)
		return true;
	word_t rep = WORD_BYTES(p[0]);
	size_t k = 0;
	for (; k + 2 * sizeof(word_t) <= n; k += 2 * sizeof(word_t)) {
		word_t w[2];
		memcpy(w, p + k, sizeof(w));
		if ((w[0] ^ rep) | (w[1] ^ rep))
			return false;
	}
	for (; k < n; k++)
		if (p[k] != p[0])
			return false;
	return true;
}

bool byte_plane_is_constant(const uint8_t *p, size_t n)
{
#ifdef SHEEP_HAVE_NEON
	if (cpu_use_neon())
		return byte_plane_is_constant_neon(p, n);
#endif
	return byte_plane_is_constant_portable(p, n);
}

/* A word at a time: b + shift per byte without carries between bytes, compared with a. */
bool byte_plane_is_shifted_portable(const uint8_t *a, const uint8_t *b, size_t n, uint8_t shift)
{
	const word_t low7 = WORD_BYTES(0x7F), high = WORD_BYTES(0x80), rep = WORD_BYTES(shift);
	size_t k = 0;
	for (; k + sizeof(word_t) <= n; k += sizeof(word_t)) {
		word_t x, y;
		memcpy(&x, a + k, sizeof(x));
		memcpy(&y, b + k, sizeof(y));
		if ((((y & low7) + (rep & low7)) ^ ((y ^ rep) & high)) != x)
			return false;
	}
	for (; k < n; k++)
		if (a[k] != (uint8_t)(b[k] + shift))
			return false;
	return true;
}

bool byte_plane_is_shifted(const uint8_t *a, const uint8_t *b, size_t n, uint8_t shift)
{
#ifdef SHEEP_HAVE_NEON
	if (cpu_use_neon())
		return byte_plane_is_shifted_neon(a, b, n, shift);
#endif
	return byte_plane_is_shifted_portable(a, b, n, shift);
}
