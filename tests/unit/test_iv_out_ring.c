/* Unit tests of iv_out_ring.c: timestamp sequence checks, reads with wrap, marks, canary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "pru/iv_out_ring.h"
#include "pru/shared_mem.h"
#include "pru/shepherd_abi.h"
#include "test_rings.h"

#define N SHP_IV_OUT_SAMPLES_N
#define T0 1700000000000000000ull
#define DT SHP_SAMPLE_INTERVAL_NS

struct seen {
	int calls;
	enum iv_anomaly last_kind;
	uint64_t last_samples;
};

static void record_anomaly(void *ctx, enum iv_anomaly kind, uint64_t expected, uint64_t found,
			   uint64_t samples)
{
	(void)expected;
	(void)found;
	struct seen *s = ctx;
	s->calls++;
	s->last_kind = kind;
	s->last_samples = samples;
}

static uint32_t check(struct iv_ts_check *chk, uint64_t *ts, uint32_t n)
{
	uint32_t v[16], i[16];
	for (uint32_t k = 0; k < n; k++) {
		v[k] = k;
		i[k] = 100 + k;
	}
	return iv_check_timestamps(chk, ts, v, i, n);
}

static void clean_sequence_is_kept_whole(void **state)
{
	(void)state;
	struct iv_stats st = {0};
	struct seen seen = {0};
	struct iv_ts_check chk = {T0, &st, record_anomaly, &seen};
	uint64_t ts[5] = {T0, T0 + DT, T0 + 2 * DT, T0 + 3 * DT, T0 + 4 * DT};
	assert_int_equal(check(&chk, ts, 5), 5);
	assert_true(chk.expected == T0 + 5 * DT);
	assert_int_equal(seen.calls, 0);
	assert_int_equal(st.lost, 0);
}

static void gap_is_counted_exactly(void **state)
{
	(void)state;
	struct iv_stats st = {0};
	struct seen seen = {0};
	struct iv_ts_check chk = {T0, &st, record_anomaly, &seen};
	uint64_t ts[5] = {T0, T0 + DT, T0 + 2 * DT, T0 + 5 * DT, T0 + 6 * DT};
	assert_int_equal(check(&chk, ts, 5), 5);
	assert_int_equal(st.lost, 2);
	assert_int_equal(st.gaps, 1);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.last_kind, IV_ANOMALY_GAP);
	assert_int_equal(seen.last_samples, 2);
	assert_true(chk.expected == T0 + 7 * DT);
}

static void repeated_and_backwards_samples_are_dropped(void **state)
{
	(void)state;
	struct iv_stats st = {0};
	struct iv_ts_check chk = {T0, &st, NULL, NULL};
	uint64_t ts[6] = {T0, T0 + DT, T0 + DT, T0, T0 + 2 * DT, T0 + 3 * DT};
	uint32_t v[6] = {10, 11, 12, 13, 14, 15}, i[6] = {20, 21, 22, 23, 24, 25};
	assert_int_equal(iv_check_timestamps(&chk, ts, v, i, 6), 4);
	assert_int_equal(st.discarded, 2);
	/* compacted in order: the duplicates are gone, the rest keeps its values */
	assert_true(ts[2] == T0 + 2 * DT);
	assert_int_equal(v[2], 14);
	assert_int_equal(i[3], 25);
}

static void off_grid_timestamp_counts_as_loss(void **state)
{
	(void)state;
	struct iv_stats st = {0};
	struct iv_ts_check chk = {T0, &st, NULL, NULL};
	uint64_t ts[3] = {T0, T0 + DT + 3, T0 + 2 * DT + 3};
	assert_int_equal(check(&chk, ts, 3), 3);
	assert_int_equal(st.lost, 1);
	assert_true(chk.expected == T0 + 3 * DT + 3);
}

/* PRU0's side: writes count samples from slot, idx_pru = slot of the last one. */
static void pru_write(uint8_t *ring, uint32_t slot, uint32_t count, uint64_t ts0)
{
	for (uint32_t k = 0; k < count; k++) {
		uint32_t s = (slot + k) % N;
		uint64_t ts = ts0 + (uint64_t)k * DT;
		uint32_t v = (uint32_t)(ts / DT % 1000), i = v + 7;
		memcpy(ring + SHP_IV_OUT_TS_OFF + (size_t)s * 8, &ts, 8);
		memcpy(ring + SHP_IV_OUT_V_OFF + (size_t)s * 4, &v, 4);
		memcpy(ring + SHP_IV_OUT_I_OFF + (size_t)s * 4, &i, 4);
		pru_mem_store_u32(ring + SHP_IV_OUT_IDX_OFF, s);
	}
}

/* Reads 299 samples across the ring end; with marks, the simulator's lock-step convention. */
static void read_across_the_ring_end(bool marks)
{
	uint8_t *ring = test_iv_out_ring_new();
	struct iv_out_reader r;
	iv_out_reader_init(&r, ring, T0, NULL, NULL);
	assert_false(r.marks); /* off unless the simulator asks for them */
	r.marks = marks;
	r.next = N - 100;
	pru_write(ring, N - 100, 300, T0);
	/* idx_pru names the sample just written: it is not counted yet */
	assert_int_equal(iv_out_available(&r), 299);

	static uint64_t ts[1000];
	static uint32_t v[1000], i[1000];
	uint32_t n;
	assert_int_equal(iv_out_read(&r, ts, v, i, 1000, &n), SHP_OK);
	assert_int_equal(n, 299);
	for (uint32_t k = 0; k < n; k++) {
		assert_true(ts[k] == T0 + k * DT);
		assert_int_equal(v[k], (uint32_t)((T0 / DT + k) % 1000));
		assert_int_equal(i[k], v[k] + 7);
	}
	assert_int_equal(r.next, 199);
	assert_int_equal(r.stats.delivered, 299);
	/* with marks the consumed slot 0 is cleared, else the ring is left exactly as PRU0 wrote
	 * it; the unconsumed slot 199 is untouched either way */
	for (uint32_t k = 0; k < 300; k++) {
		uint32_t slot = (N - 100 + k) % N;
		uint64_t t = pru_mem_load_u64(ring + SHP_IV_OUT_TS_OFF + (size_t)slot * 8);
		uint64_t want = marks && slot % SHP_IV_OUT_MARK_INTERVAL == 0 && k < 299
					? 0
					: T0 + (uint64_t)k * DT;
		assert_true(t == want);
	}
	test_iv_out_ring_free(ring);
}

static void reads_across_the_ring_end(void **state)
{
	(void)state;
	read_across_the_ring_end(false);
}

static void marks_only_when_asked(void **state)
{
	(void)state;
	read_across_the_ring_end(true);
}

/* PRU0 came round during the copy and has written one half of the first slot's timestamp. */
struct tear {
	uint8_t *ring;
	int word; /* 0: the low word written, 1: the high word */
};

static void tear_first_slot(void *ctx)
{
	struct tear *t = ctx;
	uint8_t *slot = t->ring + SHP_IV_OUT_TS_OFF;
	uint64_t lapped = pru_mem_load_u64(slot) + (uint64_t)N * DT; /* one lap later */
	uint32_t half = t->word ? (uint32_t)(lapped >> 32) : (uint32_t)lapped;
	pru_mem_store_u32(slot + 4 * t->word, half);
}

static void torn_copy_is_discarded(void **state)
{
	(void)state;
	for (int word = 0; word < 2; word++) {
		uint8_t *ring = test_iv_out_ring_new();
		struct seen seen = {0};
		struct tear tear = {ring, word};
		struct iv_out_reader r;
		iv_out_reader_init(&r, ring, T0, record_anomaly, &seen);
		r.copy_hook = tear_first_slot;
		r.copy_hook_ctx = &tear;
		pru_write(ring, 0, 1000, T0);
		static uint64_t ts[1000];
		static uint32_t v[1000], i[1000];
		uint32_t n = 1;
		assert_int_equal(iv_out_read(&r, ts, v, i, 1000, &n), SHP_OK);
		assert_int_equal(n, 0);
		assert_int_equal(r.stats.overruns, 1);
		assert_int_equal(seen.last_kind, IV_ANOMALY_OVERRUN);
		assert_int_equal(r.stats.delivered, 0);
		test_iv_out_ring_free(ring);
	}
}

static void cap_limits_a_read(void **state)
{
	(void)state;
	uint8_t *ring = test_iv_out_ring_new();
	struct iv_out_reader r;
	iv_out_reader_init(&r, ring, T0, NULL, NULL);
	pru_write(ring, 0, 500, T0);
	static uint64_t ts[64];
	static uint32_t v[64], i[64];
	uint32_t n;
	assert_int_equal(iv_out_read(&r, ts, v, i, 64, &n), SHP_OK);
	assert_int_equal(n, 64);
	assert_int_equal(iv_out_available(&r), 499 - 64);
	test_iv_out_ring_free(ring);
}

static void lapped_reader_counts_the_gap(void **state)
{
	(void)state;
	uint8_t *ring = test_iv_out_ring_new();
	struct iv_out_reader r;
	iv_out_reader_init(&r, ring, T0, NULL, NULL);
	/* the reader slept while PRU0 wrote 1.5 rings: the first N/2 + 100 samples are gone */
	pru_write(ring, 0, N + N / 2, T0);
	static uint64_t ts[N];
	static uint32_t v[N], i[N];
	uint32_t n, total = 0;
	do {
		assert_int_equal(iv_out_read(&r, ts, v, i, N, &n), SHP_OK);
		total += n;
	} while (n > 0);
	assert_true(total == r.stats.delivered);
	assert_true(r.stats.lost > 0);
	/* every sample is either delivered or counted as lost, nothing twice */
	assert_true(r.stats.delivered + r.stats.lost == r.check.expected / DT - T0 / DT);
	test_iv_out_ring_free(ring);
}

static void damaged_canary_is_reported_on_wrap(void **state)
{
	(void)state;
	uint8_t *ring = test_iv_out_ring_new();
	struct iv_out_reader r;
	iv_out_reader_init(&r, ring, T0, NULL, NULL);
	r.next = N - 10;
	pru_write(ring, N - 10, 20, T0);
	pru_mem_store_u32(ring + SHP_IV_OUT_CANARY_OFF, 0);
	static uint64_t ts[64];
	static uint32_t v[64], i[64];
	uint32_t n;
	assert_int_equal(iv_out_read(&r, ts, v, i, 64, &n), SHP_ERR_CANARY);
	test_iv_out_ring_free(ring);
}

static void index_out_of_range_means_nothing_yet(void **state)
{
	(void)state;
	uint8_t *ring = test_iv_out_ring_new();
	struct iv_out_reader r;
	iv_out_reader_init(&r, ring, T0, NULL, NULL);
	pru_mem_store_u32(ring + SHP_IV_OUT_IDX_OFF, SHP_IDX_OUT_OF_BOUND);
	assert_int_equal(iv_out_available(&r), 0);
	test_iv_out_ring_free(ring);
}

int main(void)
{
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_sequence_is_kept_whole),
		cmocka_unit_test(gap_is_counted_exactly),
		cmocka_unit_test(repeated_and_backwards_samples_are_dropped),
		cmocka_unit_test(off_grid_timestamp_counts_as_loss),
		cmocka_unit_test(reads_across_the_ring_end),
		cmocka_unit_test(marks_only_when_asked),
		cmocka_unit_test(torn_copy_is_discarded),
		cmocka_unit_test(cap_limits_a_read),
		cmocka_unit_test(lapped_reader_counts_the_gap),
		cmocka_unit_test(damaged_canary_is_reported_on_wrap),
		cmocka_unit_test(index_out_of_range_means_nothing_yet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
