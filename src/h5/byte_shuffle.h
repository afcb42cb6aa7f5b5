/*
 * byte_shuffle.h - HDF5's shuffle filter on whole chunks: all first bytes of the elements, then
 * all second bytes, and so on (byte plane j at offset j * count).
 *
 * Two implementations of the same result: 8x8 byte transposes in 64-bit words (portable,
 * about 1.2 instructions per byte on x86, 3.8 on ARM, where 64-bit shifts take two or three
 * instructions each), and NEON de-interleaving loads (VLD4, then VUZP for 8-byte elements) at
 * about 0.1 to 0.15 instructions per byte, used where the CPU has NEON (common/cpu.h).
 */
#ifndef SHP_BYTE_SHUFFLE_H
#define SHP_BYTE_SHUFFLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Shuffles count elements of elem_size bytes from src into dst (they must not overlap). */
void byte_shuffle(const uint8_t *src, uint8_t *dst, size_t count, size_t elem_size);

/* Whether the n bytes of a plane are all the same (the upper bytes of small numbers). */
bool byte_plane_is_constant(const uint8_t *p, size_t n);

/* Whether a[k] == b[k] + shift (mod 256) for all k < n. */
bool byte_plane_is_shifted(const uint8_t *a, const uint8_t *b, size_t n, uint8_t shift);

/* The elements from index from on, byte by byte: the tail of the faster shuffles. */
void byte_shuffle_rest(const uint8_t *src, uint8_t *dst, size_t count, size_t elem_size,
		       size_t from);

/* The implementations behind them, for the tests and the benchmark. */
void byte_shuffle_portable(const uint8_t *src, uint8_t *dst, size_t count, size_t elem_size);
bool byte_plane_is_constant_portable(const uint8_t *p, size_t n);
bool byte_plane_is_shifted_portable(const uint8_t *a, const uint8_t *b, size_t n, uint8_t shift);
#ifdef SHEEP_HAVE_NEON
void byte_shuffle_neon(const uint8_t *src, uint8_t *dst, size_t count, size_t elem_size);
bool byte_plane_is_constant_neon(const uint8_t *p, size_t n);
bool byte_plane_is_shifted_neon(const uint8_t *a, const uint8_t *b, size_t n, uint8_t shift);
#endif

#endif
