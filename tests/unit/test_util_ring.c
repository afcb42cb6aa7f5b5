/* Unit tests of util_ring.c: one-behind index, means, clamping, wrap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "pru/shared_mem.h"
#include "pru/util_ring.h"

static void put(uint8_t *ring, uint32_t slot, uint64_t ts, uint32_t max, uint32_t sum,
		uint32_t count, uint32_t p1)
{
	memcpy(ring + SHP_UTIL_TS_OFF + slot * 8, &ts, 8);
	memcpy(ring + SHP_UTIL_P0_MAX_OFF + slot * 4, &max, 4);
	memcpy(ring + SHP_UTIL_P0_SUM_OFF + slot * 4, &sum, 4);
	memcpy(ring + SHP_UTIL_P0_COUNT_OFF + slot * 4, &count, 4);
	memcpy(ring + SHP_UTIL_P1_MAX_OFF + slot * 4, &p1, 4);
	pru_mem_store_u32(ring + SHP_UTIL_IDX_OFF, slot);
}

/* A zeroed ring whose u64 array is 8-byte aligned, as in the carve-out; free with free(ring-4). */
static uint8_t *new_ring(struct util_reader *r)
{
	uint8_t *mem = aligned_alloc(8, SHP_UTIL_SIZE + 8);
	assert_non_null(mem);
	memset(mem, 0, SHP_UTIL_SIZE + 8);
	util_reader_init(r, mem + 4);
	return mem + 4;
}

static void reads_entries_with_means(void **state)
{
	(void)state;
	struct util_reader r;
	uint8_t *ring = new_ring(&r);
	put(ring, 0, 100, 4000, 30000000, 10000, 700);
	put(ring, 1, 200, 70000, 5000, 0, 600); /* zero count, over-range max */
	put(ring, 2, 300, 4100, 31000000, 10000, 650);
	struct util_row rows[8];
	assert_int_equal(util_read(&r, rows, 8), 2); /* entry 2 is the one just written */
	assert_true(rows[0].ts == 100);
	assert_int_equal(rows[0].values[0], 3000);
	assert_int_equal(rows[0].values[1], 4000);
	assert_int_equal(rows[0].values[2], 700);
	assert_int_equal(rows[1].values[0], 5000); /* sum / max(count, 1) */
	assert_int_equal(rows[1].values[1], 65535);
	/* the shared memory is not modified (the predecessor wrote 1 into zero counts) */
	uint32_t count;
	memcpy(&count, ring + SHP_UTIL_P0_COUNT_OFF + 4, 4);
	assert_int_equal(count, 0);
	assert_int_equal(util_read(&r, rows, 8), 0);
	free(ring - 4);
}

static void wraps_around(void **state)
{
	(void)state;
	struct util_reader r;
	uint8_t *ring = new_ring(&r);
	r.next = SHP_UTIL_SAMPLES_N - 2;
	put(ring, SHP_UTIL_SAMPLES_N - 2, 1, 1, 1, 1, 1);
	put(ring, SHP_UTIL_SAMPLES_N - 1, 2, 1, 1, 1, 1);
	put(ring, 0, 3, 1, 1, 1, 1);
	put(ring, 1, 4, 1, 1, 1, 1);
	struct util_row rows[8];
	assert_int_equal(util_read(&r, rows, 8), 3);
	assert_true(rows[2].ts == 3);
	assert_int_equal(r.next, 1);
	free(ring - 4);
}

int main(void)
{
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_entries_with_means),
		cmocka_unit_test(wraps_around),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
