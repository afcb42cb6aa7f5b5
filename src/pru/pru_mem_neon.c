/*
 * pru_mem_neon.c - the carve-out copies with NEON: 32 bytes per VLD1/VST1 of four D registers
 * (inline assembly, because GCC's arm_neon.h for AArch32 has no such intrinsic and would split
 * the transfer), 16 bytes per Q register where intrinsics do. Compiled with -mfpu=neon and used
 * only where the CPU has NEON (common/cpu.h); heads and tails go through the portable code.
 */
#include <arm_neon.h>

#include "pru/pru_mem.h"

void pru_mem_copy_from_neon(void *dst, const uint8_t *src, size_t n)
{
	uint8_t *d = dst;
	size_t h = pru_mem_to_boundary(src, n);
	pru_mem_copy_from_portable(d, src, h);
	d += h, src += h, n -= h;
	for (; n >= 32; n -= 32)
		__asm__ __volatile__("vld1.64 {d0-d3}, [%[s]:64]!\n\t"
				     "vst1.8 {d0-d3}, [%[d]]!"
				     : [s] "+r"(src), [d] "+r"(d)
				     :
				     : "d0", "d1", "d2", "d3", "memory");
	pru_mem_copy_from_portable(d, src, n);
}

void pru_mem_copy_to_neon(uint8_t *dst, const void *src, size_t n)
{
	const uint8_t *s = src;
	size_t h = pru_mem_to_boundary(dst, n);
	pru_mem_copy_to_portable(dst, s, h);
	dst += h, s += h, n -= h;
	for (; n >= 32; n -= 32)
		__asm__ __volatile__("vld1.8 {d0-d3}, [%[s]]!\n\t"
				     "vst1.64 {d0-d3}, [%[d]:64]!"
				     : [s] "+r"(s), [d] "+r"(dst)
				     :
				     : "d0", "d1", "d2", "d3", "memory");
	pru_mem_copy_to_portable(dst, s, n);
}

void pru_mem_zero_neon(uint8_t *dst, size_t n)
{
	size_t h = pru_mem_to_boundary(dst, n);
	pru_mem_zero_portable(dst, h);
	dst += h, n -= h;
	size_t blocks = n / 32;
	if (blocks)
		__asm__ __volatile__("vmov.i64 q0, #0\n\t"
				     "vmov.i64 q1, #0\n"
				     "1:\n\t"
				     "vst1.64 {d0-d3}, [%[d]:64]!\n\t"
				     "subs %[b], %[b], #1\n\t"
				     "bne 1b"
				     : [d] "+r"(dst), [b] "+r"(blocks)
				     :
				     : "d0", "d1", "d2", "d3", "cc", "memory");
	pru_mem_zero_portable(dst, n % 32);
}

/* Eight timestamps per round, two per register: load, store, compare with the expected
 * pairs, accumulate the differences. */
bool pru_mem_copy_ts_seq_neon(uint64_t *dst, const uint8_t *src, size_t count, uint64_t first,
			      uint64_t step)
{
	const uint64_t *s = (const uint64_t *)(const void *)src;
	uint64x2_t e0 = vcombine_u64(vcreate_u64(first), vcreate_u64(first + step));
	uint64x2_t e1 = vaddq_u64(e0, vdupq_n_u64(2 * step));
	uint64x2_t e2 = vaddq_u64(e0, vdupq_n_u64(4 * step));
	uint64x2_t e3 = vaddq_u64(e0, vdupq_n_u64(6 * step));
	uint64x2_t advance = vdupq_n_u64(8 * step);
	uint64x2_t diff = vdupq_n_u64(0);
	size_t k = 0;
	for (; k + 8 <= count; k += 8) {
		uint64x2_t a = vld1q_u64(s + k), b = vld1q_u64(s + k + 2);
		uint64x2_t c = vld1q_u64(s + k + 4), d = vld1q_u64(s + k + 6);
		vst1q_u64(dst + k, a);
		vst1q_u64(dst + k + 2, b);
		vst1q_u64(dst + k + 4, c);
		vst1q_u64(dst + k + 6, d);
		diff = vorrq_u64(diff, vorrq_u64(veorq_u64(a, e0), veorq_u64(b, e1)));
		diff = vorrq_u64(diff, vorrq_u64(veorq_u64(c, e2), veorq_u64(d, e3)));
		e0 = vaddq_u64(e0, advance);
		e1 = vaddq_u64(e1, advance);
		e2 = vaddq_u64(e2, advance);
		e3 = vaddq_u64(e3, advance);
	}
	uint64_t any = vgetq_lane_u64(diff, 0) | vgetq_lane_u64(diff, 1);
	bool rest = pru_mem_copy_ts_seq_portable(dst + k, src + k * 8, count - k, first + k * step,
						 step);
	return any == 0 && rest;
}
