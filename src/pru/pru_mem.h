/*
 * pru_mem.h - the only way the sheep reads and writes the PRU's memory (the DDR carve-out).
 *
 * On the node the carve-out is mapped from /dev/mem with O_SYNC, which Linux maps uncached
 * (strongly ordered on ARMv7), and the PRUs are bus masters outside the CPU's cache coherency
 * domain. That sets four rules, which hold for the simulator's file mapping too:
 *
 * 1. Shared words (ring indices, canaries) are read and written with single, naturally aligned
 *    32-bit loads and stores, which ARMv7 makes single-copy atomic. Never exclusives: the
 *    architecture does not promise LDREX/STREX on memory that is not normal cacheable memory
 *    (they may fault or never succeed), and they would buy nothing, since the PRU does not use
 *    them either. GCC implements 64-bit __atomic accesses on ARMv7 with LDREXD/STREXD, so there
 *    are none here (an armhf CTest test disassembles the ring code and fails on any).
 * 2. A single 64-bit timestamp (a slot looked at on its own) is read as two 32-bit loads, low
 *    word then high word; the PRU writes it as two 32-bit stores. Bulk copies move timestamps
 *    with the wide loads of rule 4, no more atomic than that. Consistency rule: a slot is
 *    trusted only after the PRU published it (its index moved past it, read before the slot
 *    with a barrier between), and the PRU does not touch a published slot until it laps the
 *    ring. A slot the PRU overwrites while it is copied can give a mix of old and new bytes, so
 *    every copy is checked afterwards: the IV reader re-reads the oldest copied slot and counts
 *    the copy as overrun if either half changed (one lap of the IV ring changes both halves of
 *    a timestamp: 6 s = 6e9 ns moves the high word by 1 or 2 and the low word by 6e9 mod 2^32
 *    != 0, so a torn slot never passes); the GPIO reader re-reads PRU1's index after the copy
 *    and the last copied slot at the next read; the utilisation ring, one entry per 100 ms and
 *    40 s long, is read far behind its writer.
 * 3. Barriers are full-system (`dmb sy`): `dmb ish` orders only the CPU's inner shareable
 *    domain, which the PRUs are not part of. An index is loaded before the data it publishes,
 *    with a barrier between (acquire); data are stored before the index that publishes them,
 *    with a barrier between (release).
 * 4. Bulk data are copied with wide loads and stores (NEON: 16 or 32 bytes per instruction;
 *    otherwise 8, LDRD/STRD): an uncached access costs a whole bus transaction, so word loads
 *    cap a copy at about 30-40 MB/s on the AM335x (BeagleLogic's measurement of the same
 *    memory), which for the sheep's 1.6 MB/s would be ~4.5 % of the node's CPU. Every access
 *    is naturally aligned (heads and tails use narrower aligned ones): glibc's memcpy is not
 *    used on the carve-out, it may issue unaligned loads, which fault on strongly ordered
 *    memory.
 */
#ifndef SHP_PRU_MEM_H
#define SHP_PRU_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Orders this CPU's accesses to the carve-out against the PRUs' (rule 3). */
static inline void pru_mem_barrier(void)
{
#if defined(__arm__) || defined(__aarch64__)
	__asm__ __volatile__("dmb sy" ::: "memory");
#else
	/* elsewhere only the simulator shares the memory: a full fence between CPUs suffices */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/* Bytes from p to the next 8-byte boundary, at most n: the head of a wide copy. */
static inline size_t pru_mem_to_boundary(const uint8_t *p, size_t n)
{
	size_t h = (8u - ((uintptr_t)p & 7u)) & 7u;
	return h < n ? h : n;
}

/* An aligned 32-bit shared word, then a barrier: what it publishes can be read after it. */
static inline uint32_t pru_mem_load_u32(const uint8_t *p)
{
	uint32_t v = *(const volatile uint32_t *)(const void *)p;
	pru_mem_barrier();
	return v;
}

/* A barrier, then an aligned 32-bit store: what was written before is visible with it. */
static inline void pru_mem_store_u32(uint8_t *p, uint32_t v)
{
	pru_mem_barrier();
	*(volatile uint32_t *)(void *)p = v;
}

/* A 64-bit timestamp as two 32-bit loads, low word first (rule 2; p is 8-byte aligned). */
static inline uint64_t pru_mem_load_u64(const uint8_t *p)
{
	const volatile uint32_t *w = (const volatile uint32_t *)(const void *)p;
	uint32_t lo = w[0];
	uint32_t hi = w[1];
	return (uint64_t)hi << 32 | lo;
}

/* A 64-bit value as two 32-bit stores, low word first. */
static inline void pru_mem_store_u64(uint8_t *p, uint64_t v)
{
	volatile uint32_t *w = (volatile uint32_t *)(void *)p;
	w[0] = (uint32_t)v;
	w[1] = (uint32_t)(v >> 32);
}

/*
 * Copies n bytes out of the carve-out into ordinary memory (rule 4). No barrier: load the index
 * that publishes the data first.
 */
void pru_mem_copy_from(void *dst, const uint8_t *src, size_t n);

/* Copies n bytes of ordinary memory into the carve-out (rule 4). */
void pru_mem_copy_to(uint8_t *dst, const void *src, size_t n);

/*
 * Copies count 64-bit timestamps out of the carve-out (src 8-byte aligned) and checks them in
 * the same pass: true if dst[k] == first + k * step for every k.
 */
bool pru_mem_copy_ts_seq(uint64_t *dst, const uint8_t *src, size_t count, uint64_t first,
			 uint64_t step);

/* Zeroes n bytes of the carve-out with wide aligned stores. */
void pru_mem_zero(uint8_t *dst, size_t n);

/* The portable versions, which the NEON ones replace where the CPU has NEON (tests use both). */
void pru_mem_copy_from_portable(void *dst, const uint8_t *src, size_t n);
void pru_mem_copy_to_portable(uint8_t *dst, const void *src, size_t n);
bool pru_mem_copy_ts_seq_portable(uint64_t *dst, const uint8_t *src, size_t count, uint64_t first,
				  uint64_t step);
void pru_mem_zero_portable(uint8_t *dst, size_t n);
#ifdef SHEEP_HAVE_NEON
void pru_mem_zero_neon(uint8_t *dst, size_t n);
void pru_mem_copy_from_neon(void *dst, const uint8_t *src, size_t n);
void pru_mem_copy_to_neon(uint8_t *dst, const void *src, size_t n);
bool pru_mem_copy_ts_seq_neon(uint64_t *dst, const uint8_t *src, size_t count, uint64_t first,
			      uint64_t step);
#endif

#endif
