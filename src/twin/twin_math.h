/*
 * twin_math.h - the firmware's "safe" integer helpers (pru-settings.md 6), with the exact
 * saturation rules of math64_safe.c, as static inlines so that the per-sample path keeps them
 * in registers.
 */
#ifndef SHP_TWIN_MATH_H
#define SHP_TWIN_MATH_H

#include <stdint.h>

static inline uint32_t twin_add32(uint32_t a, uint32_t b)
{
	const uint32_t c = a + b;
	return c < a ? UINT32_MAX : c;
}

static inline uint64_t twin_add64(uint64_t a, uint64_t b)
{
	const uint64_t c = a + b;
	return c < a ? UINT64_MAX : c;
}

static inline uint32_t twin_sub32(uint32_t a, uint32_t b)
{
	return a > b ? a - b : 0u;
}

static inline uint64_t twin_sub64(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0u;
}

static inline uint32_t twin_mul32(uint32_t a, uint32_t b)
{
	const uint64_t p = (uint64_t)a * b;
	return p < 0xFFFFFFFFu ? (uint32_t)p : UINT32_MAX;
}

/* Number of significant bits, 0 for 0. */
static inline uint32_t twin_bitlen64(uint64_t x)
{
	return x ? 64u - (uint32_t)__builtin_clzll(x) : 0u;
}

/*
 * The firmware decides overflow from the operands' bit lengths, not from the product: a sum
 * above 64 saturates even where the true product would fit. Below that bound high*high is 0
 * and low*low plus the shifted cross terms is the exact product, so a plain multiply gives
 * the same bits.
 */
static inline uint64_t twin_mul64(uint64_t a, uint64_t b)
{
	if (((a | b) >> 32) == 0)
		return a * b;
	if (twin_bitlen64(a) + twin_bitlen64(b) > 64u)
		return UINT64_MAX;
	return a * b;
}

/* floor(log2 x), 0 for 0 (so 0 and 1 share bin 0). */
static inline uint32_t twin_log2safe(uint32_t x)
{
	return x ? 31u - (uint32_t)__builtin_clz(x) : 0u;
}

#endif
