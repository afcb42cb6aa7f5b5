/* pru_mem.c - wide, aligned copies to and from the carve-out (rules in pru_mem.h). */
#include "pru/pru_mem.h"

#include <string.h>

#include "common/compiler.h"
#include "common/cpu.h"

/*
 * Loads and stores of the carve-out side: always naturally aligned, of the given width, through
 * types that may alias the bytes they read (the carve-out is bytes to the C language). On ARM
 * they are volatile, so that the compiler issues exactly these accesses (an 8-byte LDRD at an
 * 8-byte boundary) instead of re-pairing them at other offsets; elsewhere (the simulator on
 * x86) it may merge them into vector moves.
 */
#if defined(__arm__)
#define CARVE_QUALIFIER volatile
#else
#define CARVE_QUALIFIER
#endif
typedef CARVE_QUALIFIER uint64_t __attribute__((may_alias)) carve_u64;
typedef CARVE_QUALIFIER uint32_t __attribute__((may_alias)) carve_u32;
typedef CARVE_QUALIFIER uint16_t __attribute__((may_alias)) carve_u16;
#define CARVE_LOAD(type, p) (*(const carve_##type *)(const void *)(p))
#define CARVE_STORE(type, p, v) (*(carve_##type *)(void *)(p) = (v))

/* One naturally aligned access of w = 1, 2 or 4 bytes on the carve-out side (little endian);
 * the ordinary side is copied with fixed sizes, so no call to memcpy is left. */
static void move_one(uint8_t *mem, uint8_t *carve, size_t w, int to_carve)
{
	if (w == 4) {
		uint32_t x;
		if (to_carve)
			memcpy(&x, mem, 4), CARVE_STORE(u32, carve, x);
		else
			x = CARVE_LOAD(u32, carve), memcpy(mem, &x, 4);
	} else if (w == 2) {
		uint16_t x;
		if (to_carve)
			memcpy(&x, mem, 2), CARVE_STORE(u16, carve, x);
		else
			x = CARVE_LOAD(u16, carve), memcpy(mem, &x, 2);
	} else if (to_carve) {
		*carve = *mem;
	} else {
		*mem = *carve;
	}
}

/*
 * Copies n bytes one naturally aligned access at a time (the widest that fits, up to 4 bytes):
 * the heads (up to an 8-byte boundary) and tails of the wide copies.
 */
static void copy_small(uint8_t *mem, uint8_t *carve, size_t n, int to_carve)
{
	size_t done = 0;
	while (done < n) {
		uintptr_t a = (uintptr_t)(carve + done);
		size_t w = 4;
		while (w > 1 && ((a & (w - 1)) || n - done < w))
			w /= 2;
		move_one(mem + done, carve + done, w, to_carve);
		done += w;
	}
}

/*
 * Aligned 64-bit loads, four per round: LDRD on ARM, 8 bytes per transfer instead of 4 (not
 * atomic, and need not be: see the consistency rule). The NEON copy does 32 per transfer.
 */
SHP_NO_MEM_IDIOMS void pru_mem_copy_from_portable(void *dst, const uint8_t *src, size_t n)
{
	uint8_t *d = dst;
	size_t h = pru_mem_to_boundary(src, n);
	copy_small(d, (uint8_t *)(uintptr_t)src, h, 0);
	d += h, src += h, n -= h;
	for (; n >= 32; n -= 32, src += 32, d += 32) {
		uint64_t w0 = CARVE_LOAD(u64, src), w1 = CARVE_LOAD(u64, src + 8);
		uint64_t w2 = CARVE_LOAD(u64, src + 16), w3 = CARVE_LOAD(u64, src + 24);
		/* ordinary memory: fixed-size copies, plain (possibly unaligned) stores */
		memcpy(d, &w0, 8), memcpy(d + 8, &w1, 8), memcpy(d + 16, &w2, 8);
		memcpy(d + 24, &w3, 8);
	}
	for (; n >= 8; n -= 8, src += 8, d += 8) {
		uint64_t w = CARVE_LOAD(u64, src);
		memcpy(d, &w, 8);
	}
	copy_small(d, (uint8_t *)(uintptr_t)src, n, 0);
}

SHP_NO_MEM_IDIOMS void pru_mem_copy_to_portable(uint8_t *dst, const void *src, size_t n)
{
	const uint8_t *s = src;
	size_t h = pru_mem_to_boundary(dst, n);
	copy_small((uint8_t *)(uintptr_t)s, dst, h, 1);
	dst += h, s += h, n -= h;
	for (; n >= 32; n -= 32, s += 32, dst += 32) {
		uint64_t w[4];
		memcpy(w, s, 32);
		CARVE_STORE(u64, dst, w[0]), CARVE_STORE(u64, dst + 8, w[1]);
		CARVE_STORE(u64, dst + 16, w[2]), CARVE_STORE(u64, dst + 24, w[3]);
	}
	for (; n >= 8; n -= 8, s += 8, dst += 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		CARVE_STORE(u64, dst, w);
	}
	copy_small((uint8_t *)(uintptr_t)s, dst, n, 1);
}

SHP_NO_MEM_IDIOMS bool pru_mem_copy_ts_seq_portable(uint64_t *dst, const uint8_t *src, size_t count,
						    uint64_t first, uint64_t step)
{
	uint64_t mismatch = 0;
	for (size_t k = 0; k < count; k++, first += step) {
		uint64_t t = CARVE_LOAD(u64, src + k * 8);
		dst[k] = t;
		mismatch |= t ^ first;
	}
	return mismatch == 0;
}

#ifdef SHEEP_HAVE_NEON
#define DISPATCH(name, ...)                                                                        \
	(cpu_use_neon() ? name##_neon(__VA_ARGS__) : name##_portable(__VA_ARGS__))
#else
#define DISPATCH(name, ...) name##_portable(__VA_ARGS__)
#endif

void pru_mem_copy_from(void *dst, const uint8_t *src, size_t n)
{
	DISPATCH(pru_mem_copy_from, dst, src, n);
}

void pru_mem_copy_to(uint8_t *dst, const void *src, size_t n)
{
	DISPATCH(pru_mem_copy_to, dst, src, n);
}

bool pru_mem_copy_ts_seq(uint64_t *dst, const uint8_t *src, size_t count, uint64_t first,
			 uint64_t step)
{
	return DISPATCH(pru_mem_copy_ts_seq, dst, src, count, first, step);
}

SHP_NO_MEM_IDIOMS void pru_mem_zero_portable(uint8_t *dst, size_t n)
{
	static const uint8_t zeros[8];
	uint8_t *z = (uint8_t *)(uintptr_t)zeros; /* only ever read: copy_small's source side */
	size_t h = pru_mem_to_boundary(dst, n);
	copy_small(z, dst, h, 1);
	dst += h, n -= h;
	for (; n >= 8; n -= 8, dst += 8)
		CARVE_STORE(u64, dst, 0);
	copy_small(z, dst, n, 1);
}

void pru_mem_zero(uint8_t *dst, size_t n)
{
	DISPATCH(pru_mem_zero, dst, n);
}
