/* Unit tests of pru_mem.c: wide copies and timestamp checks, portable and NEON paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "common/cpu.h"
#include "pru/pru_mem.h"

typedef void (*copy_fn)(void *dst, const uint8_t *src, size_t n);
typedef void (*copy_to_fn)(uint8_t *dst, const void *src, size_t n);
typedef bool (*ts_seq_fn)(uint64_t *dst, const uint8_t *src, size_t count, uint64_t first,
			  uint64_t step);
typedef void (*zero_fn)(uint8_t *dst, size_t n);

struct paths {
	const char *name;
	copy_fn from;
	copy_to_fn to;
	ts_seq_fn ts_seq;
	zero_fn zero;
};

#define GUARD 0x5A
#define SPAN 600

static _Alignas(64) uint8_t carve[SPAN + 64]; /* stands in for the carve-out */
static _Alignas(64) uint8_t plain[SPAN + 64];

static uint8_t pattern(size_t k)
{
	return (uint8_t)(k * 37u + 11u);
}

/* Every length 0..SPAN-64 at every alignment of both sides; the bytes around stay untouched. */
static void check_copies(const struct paths *p)
{
	for (size_t src_off = 0; src_off < 8; src_off++) {
		for (size_t dst_off = 0; dst_off < 8; dst_off++) {
			for (size_t n = 0; n + 64 < SPAN; n += (n < 80 ? 1 : 29)) {
				for (size_t k = 0; k < sizeof(carve); k++)
					carve[k] = pattern(k);
				memset(plain, GUARD, sizeof(plain));
				p->from(plain + dst_off, carve + src_off, n);
				for (size_t k = 0; k < sizeof(plain); k++) {
					bool inside = k >= dst_off && k < dst_off + n;
					uint8_t want =
						inside ? pattern(k - dst_off + src_off) : GUARD;
					if (plain[k] != want)
						fail_msg("%s from: src+%zu dst+%zu n=%zu: byte %zu",
							 p->name, src_off, dst_off, n, k);
				}
				memset(carve, GUARD, sizeof(carve));
				for (size_t k = 0; k < sizeof(plain); k++)
					plain[k] = pattern(k);
				p->to(carve + dst_off, plain + src_off, n);
				for (size_t k = 0; k < sizeof(carve); k++) {
					bool inside = k >= dst_off && k < dst_off + n;
					uint8_t want =
						inside ? pattern(k - dst_off + src_off) : GUARD;
					if (carve[k] != want)
						fail_msg("%s to: src+%zu dst+%zu n=%zu: byte %zu",
							 p->name, src_off, dst_off, n, k);
				}
			}
		}
	}
}

/* Copies a sequence unchanged, and finds a difference in any bit of any element. */
static void check_ts_seq(const struct paths *p)
{
	const uint64_t first = 1700000000123450000ull, step = 10000;
	static uint64_t out[40];
	for (size_t count = 0; count <= 37; count++) {
		for (size_t k = 0; k < count; k++)
			pru_mem_store_u64(carve + k * 8, first + k * step);
		memset(out, 0, sizeof(out));
		assert_true(p->ts_seq(out, carve, count, first, step));
		for (size_t k = 0; k < count; k++)
			assert_true(out[k] == first + k * step);
		for (size_t bad = 0; bad < count; bad++) {
			for (unsigned bit = 0; bit < 64; bit += 21) {
				uint8_t *slot = carve + bad * 8;
				pru_mem_store_u64(slot, pru_mem_load_u64(slot) ^ 1ull << bit);
				if (p->ts_seq(out, carve, count, first, step))
					fail_msg("%s: element %zu of %zu, bit %u not noticed",
						 p->name, bad, count, bit);
				assert_true(out[bad] == ((first + bad * step) ^ (1ull << bit)));
				pru_mem_store_u64(slot, pru_mem_load_u64(slot) ^ 1ull << bit);
			}
		}
	}
}

/* Zeroes exactly the bytes asked for, at every alignment and length. */
static void check_zero(const struct paths *p)
{
	for (size_t off = 0; off < 8; off++) {
		for (size_t n = 0; n + 64 < SPAN; n += (n < 80 ? 1 : 29)) {
			memset(carve, GUARD, sizeof(carve));
			p->zero(carve + off, n);
			for (size_t k = 0; k < sizeof(carve); k++)
				if (carve[k] != (k >= off && k < off + n ? 0 : GUARD))
					fail_msg("%s zero: +%zu n=%zu: byte %zu", p->name, off, n,
						 k);
		}
	}
}

static void check_all(const struct paths *p)
{
	check_copies(p);
	check_ts_seq(p);
	check_zero(p);
}

static void portable_paths(void **state)
{
	(void)state;
	struct paths p = {"portable", pru_mem_copy_from_portable, pru_mem_copy_to_portable,
			  pru_mem_copy_ts_seq_portable, pru_mem_zero_portable};
	check_all(&p);
}

#ifdef SHEEP_HAVE_NEON
static void neon_paths(void **state)
{
	(void)state;
	if (!cpu_use_neon())
		skip(); /* an armhf CPU without NEON (or SHEPHERD_NO_NEON): nothing to compare */
	struct paths p = {"neon", pru_mem_copy_from_neon, pru_mem_copy_to_neon,
			  pru_mem_copy_ts_seq_neon, pru_mem_zero_neon};
	check_all(&p);
}
#endif

static void dispatched_paths(void **state)
{
	(void)state;
	struct paths p = {"dispatched", pru_mem_copy_from, pru_mem_copy_to, pru_mem_copy_ts_seq,
			  pru_mem_zero};
	check_all(&p);
}

/* Two 32-bit halves, low word at the lower address (little endian), both directions. */
static void u64_as_two_halves(void **state)
{
	(void)state;
	pru_mem_store_u64(carve, 0x1122334455667788ull);
	uint32_t lo, hi;
	memcpy(&lo, carve, 4);
	memcpy(&hi, carve + 4, 4);
	assert_int_equal(lo, 0x55667788u);
	assert_int_equal(hi, 0x11223344u);
	pru_mem_store_u32(carve + 4, 0xA0B0C0D0u);
	assert_true(pru_mem_load_u64(carve) == 0xA0B0C0D055667788ull);
	assert_int_equal(pru_mem_load_u32(carve), 0x55667788u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(portable_paths),
#ifdef SHEEP_HAVE_NEON
		cmocka_unit_test(neon_paths),
#endif
		cmocka_unit_test(dispatched_paths),
		cmocka_unit_test(u64_as_two_halves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
