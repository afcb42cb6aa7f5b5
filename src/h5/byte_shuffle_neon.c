/*
 * byte_shuffle_neon.c - the shuffle with NEON de-interleaving loads, 16 elements per round.
 *
 * VLD4.8 puts byte k of every 4-byte group into register k: for 4-byte elements those are the
 * four byte planes of 16 elements (two loads of 32 bytes). For 8-byte elements register k then
 * holds bytes k and k + 4 of 8 elements alternately; VUZP of the registers of two such loads
 * separates them into planes k and k + 4 of 16 elements. The stores walk down the planes with a
 * post-increment of the plane size. Inline assembly, because GCC keeps the intrinsics' register
 * structs in moves and on the stack (about 0.4 instructions per byte instead of 0.15). Uses only
 * q8-q15, which the ARM calling convention lets a function clobber. The elements left over go
 * through the portable code.
 */
#include <arm_neon.h>

#include "h5/byte_shuffle.h"

static size_t shuffle_u32(const uint8_t *src, uint8_t *dst, size_t count)
{
	size_t rounds = count / 16;
	if (rounds == 0)
		return 0;
	const uint8_t *s = src;
	uint8_t *d = dst;
	size_t back = 4 * count - 16; /* from plane 3 + 16 back to plane 0 of the next round */
	for (size_t r = 0; r < rounds; r++)
		__asm__ __volatile__("vld4.8 {d16,d18,d20,d22}, [%[s]]!\n\t"
				     "vld4.8 {d17,d19,d21,d23}, [%[s]]!\n\t"
				     "vst1.8 {d16-d17}, [%[d]], %[stride]\n\t"
				     "vst1.8 {d18-d19}, [%[d]], %[stride]\n\t"
				     "vst1.8 {d20-d21}, [%[d]], %[stride]\n\t"
				     "vst1.8 {d22-d23}, [%[d]], %[stride]\n\t"
				     "sub %[d], %[d], %[back]"
				     : [s] "+r"(s), [d] "+r"(d)
				     : [stride] "r"(count), [back] "r"(back)
				     : "d16", "d17", "d18", "d19", "d20", "d21", "d22", "d23",
				       "memory");
	return rounds * 16;
}

static size_t shuffle_u64(const uint8_t *src, uint8_t *dst, size_t count)
{
	size_t rounds = count / 16;
	if (rounds == 0)
		return 0;
	const uint8_t *s = src;
	uint8_t *d = dst;
	size_t back = 8 * count - 16;
	for (size_t r = 0; r < rounds; r++)
		__asm__ __volatile__("vld4.8 {d16,d18,d20,d22}, [%[s]]!\n\t"
				     "vld4.8 {d17,d19,d21,d23}, [%[s]]!\n\t"
				     "vld4.8 {d24,d26,d28,d30}, [%[s]]!\n\t"
				     "vld4.8 {d25,d27,d29,d31}, [%[s]]!\n\t"
				     "vuzp.8 q8, q12\n\t"
				     "vuzp.8 q9, q13\n\t"
				     "vuzp.8 q10, q14\n\t"
				     "vuzp.8 q11, q15\n\t"
				     "vst1.8 {d16-d17}, [%[d]], %[stride]\n\t"
				     "vst1.8 {d18-d19}, [%[d]], %[stride]\n\t"
				     "vst1.8 {d20-d21}, [%[d]], %[stride]\n\t"
				     "vst1.8 {d22-d23}, [%[d]], %[stride]\n\t"
				     "vst1.8 {d24-d25}, [%[d]], %[stride]\n\t"
				     "vst1.8 {d26-d27}, [%[d]], %[stride]\n\t"
				     "vst1.8 {d28-d29}, [%[d]], %[stride]\n\t"
				     "vst1.8 {d30-d31}, [%[d]], %[stride]\n\t"
				     "sub %[d], %[d], %[back]"
				     : [s] "+r"(s), [d] "+r"(d)
				     : [stride] "r"(count), [back] "r"(back)
				     : "d16", "d17", "d18", "d19", "d20", "d21", "d22", "d23",
				       "d24", "d25", "d26", "d27", "d28", "d29", "d30", "d31",
				       "memory");
	return rounds * 16;
}

void byte_shuffle_neon(const uint8_t *src, uint8_t *dst, size_t count, size_t elem_size)
{
	size_t done = elem_size == 8   ? shuffle_u64(src, dst, count)
		      : elem_size == 4 ? shuffle_u32(src, dst, count)
				       : 0;
	if (done == 0)
		byte_shuffle_portable(src, dst, count, elem_size);
	else
		byte_shuffle_rest(src, dst, count, elem_size, done); /* the last (< 16) elements */
}

/* 32 bytes per round against the first byte; the verdict is looked at every 256 bytes. */
bool byte_plane_is_constant_neon(const uint8_t *p, size_t n)
{
	size_t k = 0;
	if (n >= 256) {
		uint8x16_t first = vdupq_n_u8(p[0]);
		for (; k + 256 <= n; k += 256) {
			uint8x16_t diff = vdupq_n_u8(0);
			for (size_t j = k; j < k + 256; j += 32) {
				uint8x16_t a = veorq_u8(vld1q_u8(p + j), first);
				uint8x16_t b = veorq_u8(vld1q_u8(p + j + 16), first);
				diff = vorrq_u8(diff, vorrq_u8(a, b));
			}
			uint64x2_t d = vreinterpretq_u64_u8(diff);
			if (vgetq_lane_u64(d, 0) | vgetq_lane_u64(d, 1))
				return false;
		}
	}
	for (; k < n; k++)
		if (p[k] != p[0])
			return false;
	return true;
}

/* 32 bytes per round; the verdict is looked at every 256 bytes. */
bool byte_plane_is_shifted_neon(const uint8_t *a, const uint8_t *b, size_t n, uint8_t shift)
{
	size_t k = 0;
	uint8x16_t s = vdupq_n_u8(shift);
	for (; k + 256 <= n; k += 256) {
		uint8x16_t diff = vdupq_n_u8(0);
		for (size_t j = k; j < k + 256; j += 32) {
			uint8x16_t x = veorq_u8(vld1q_u8(a + j), vaddq_u8(vld1q_u8(b + j), s));
			uint8x16_t y =
				veorq_u8(vld1q_u8(a + j + 16), vaddq_u8(vld1q_u8(b + j + 16), s));
			diff = vorrq_u8(diff, vorrq_u8(x, y));
		}
		uint64x2_t d = vreinterpretq_u64_u8(diff);
		if (vgetq_lane_u64(d, 0) | vgetq_lane_u64(d, 1))
			return false;
	}
	return byte_plane_is_shifted_portable(a + k, b + k, n - k, shift);
}
