/* Unit tests of gpio_ring.c: count-style index, wrap, laps, torn copies, time order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "pru/gpio_ring.h"
#include "pru/shared_mem.h"

#define N SHP_GPIO_SAMPLES_N
#define CAP 100000u

struct fixture {
	uint8_t *mem;
	uint8_t *ring;
	uint32_t cursor;   /* PRU1's next free slot */
	uint64_t produced; /* events written so far; event k has timestamp 1000 + 10 k */
	struct gpio_reader r;
	struct gpio_gap gaps[8];
	unsigned ngaps;
	uint64_t ts[CAP];
	uint16_t val[CAP];
};

static void on_gap(void *ctx, const struct gpio_gap *gap)
{
	struct fixture *f = ctx;
	if (f->ngaps < 8)
		f->gaps[f->ngaps] = *gap;
	f->ngaps++;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->mem = aligned_alloc(8, SHP_GPIO_SIZE + 8);
	if (!f->mem)
		return -1;
	memset(f->mem, 0, SHP_GPIO_SIZE + 8);
	f->ring = f->mem + 4; /* the u64 array 8-byte aligned, as in the carve-out */
	pru_mem_store_u32(f->ring + SHP_GPIO_CANARY_OFF, SHP_CANARY_VALUE_U32);
	gpio_reader_init(&f->r, f->ring, on_gap, f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->mem);
	free(f);
	return 0;
}

static uint64_t event_ts(uint64_t k)
{
	return 1000 + 10 * k;
}

/* PRU1 writes n events, publishing the index at the end (publish=false: not yet). */
static void produce(struct fixture *f, uint64_t n, bool publish)
{
	for (uint64_t k = 0; k < n; k++) {
		uint64_t t = event_ts(f->produced);
		uint16_t v = (uint16_t)(f->produced & 0x3FF);
		memcpy(f->ring + SHP_GPIO_TS_OFF + (size_t)f->cursor * 8, &t, 8);
		memcpy(f->ring + SHP_GPIO_MASK_OFF + (size_t)f->cursor * 2, &v, 2);
		f->cursor = (f->cursor + 1) % N;
		f->produced++;
	}
	if (publish)
		pru_mem_store_u32(f->ring + SHP_GPIO_IDX_OFF, f->cursor);
}

/* Reads everything available; checks each event continues from *next_k; returns the count. */
static uint64_t drain(struct fixture *f, uint64_t *next_k)
{
	uint64_t total = 0;
	for (;;) {
		uint32_t n, taken;
		assert_int_equal(gpio_read(&f->r, f->ts, f->val, CAP, &n, &taken), SHP_OK);
		for (uint32_t k = 0; k < n; k++) {
			if (f->ts[k] !=
			    event_ts(*next_k)) /* after a loss: jump to where it goes on */
				*next_k = (f->ts[k] - 1000) / 10;
			assert_int_equal(f->val[k], *next_k & 0x3FF);
			(*next_k)++;
		}
		total += n;
		if (taken == 0)
			return total;
	}
}

static void reads_everything_in_order_across_the_wrap(void **state)
{
	struct fixture *f = *state;
	uint64_t next = 0;
	assert_int_equal(drain(f, &next), 0);
	for (int round = 0; round < 5; round++) {
		produce(f, 1234567, true);
		assert_int_equal(gpio_available(&f->r), 1234567);
		assert_int_equal(drain(f, &next), 1234567);
	}
	assert_int_equal(next, 5 * 1234567ull);
	assert_int_equal(f->r.stats.delivered, 5 * 1234567ull);
	assert_int_equal(f->r.stats.lost, 0);
	assert_int_equal(f->ngaps, 0);
}

static void a_lap_is_detected_and_reported_as_a_lower_bound(void **state)
{
	struct fixture *f = *state;
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	uint64_t next = 0;
	produce(f, 1000, true);
	assert_int_equal(drain(f, &next), 1000);
	/* PRU1 runs a whole ring and 500 more past the reader: the index alone shows 500 */
	produce(f, N + 500, true);
	assert_int_equal(gpio_available(&f->r), 500);
	uint64_t got = drain(f, &next);
	assert_int_equal(f->ngaps, 1);
	assert_true(f->gaps[0].lower_bound);
	assert_int_equal(f->gaps[0].after_ts, event_ts(999));
	/* delivered + lost never exceeds what was produced, and nothing is delivered twice */
	assert_true(got + f->r.stats.lost <= (uint64_t)N + 500);
	assert_true(got > 0);
	assert_int_equal(next, f->produced);
	/* the real loss was N + 500 - got; the report is a lower bound of it */
	assert_true(f->gaps[0].lost <= (uint64_t)N + 500 - got);
	assert_true(f->gaps[0].lost >= 500);
	/* after the lap, reading goes on without further losses */
	produce(f, 70000, true);
	assert_int_equal(drain(f, &next), 70000);
	assert_int_equal(f->ngaps, 1);
}

static void write_300_more(void *ctx)
{
	produce(ctx, 300, true);
}

static void events_overwritten_during_the_copy_are_dropped_and_counted(void **state)
{
	struct fixture *f = *state;
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	uint64_t next = 0;
	produce(f, 10, true);
	assert_int_equal(drain(f, &next), 10);
	/* N - 100 events wait; while the reader copies, PRU1 writes 300 more: the oldest 200
	 * waiting ones are overwritten, plus the slot it may be writing right now */
	produce(f, N - 100, true);
	f->r.copy_hook = write_300_more;
	f->r.copy_hook_ctx = f;
	uint32_t n, taken;
	assert_int_equal(gpio_read(&f->r, f->ts, f->val, CAP, &n, &taken), SHP_OK);
	f->r.copy_hook = NULL;
	assert_int_equal(taken, CAP);
	assert_int_equal(n, CAP - 201);
	assert_int_equal(f->r.stats.lost, 201);
	assert_int_equal(f->ngaps, 1);
	assert_false(f->gaps[0].lower_bound);
	assert_int_equal(f->gaps[0].lost, 201);
	assert_int_equal(f->gaps[0].after_ts, event_ts(9));
	assert_int_equal(f->ts[0], event_ts(10 + 201)); /* delivery resumes right after the loss */
	assert_int_equal(f->gaps[0].before_ts, f->ts[0]);
}

static void out_of_order_events_are_not_delivered(void **state)
{
	struct fixture *f = *state;
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	uint64_t next = 0;
	produce(f, 100, true);
	/* slot 50 repeats slot 49's timestamp, slot 60 goes back in time */
	uint64_t t = event_ts(49);
	memcpy(f->ring + SHP_GPIO_TS_OFF + 50 * 8, &t, 8);
	t = event_ts(10);
	memcpy(f->ring + SHP_GPIO_TS_OFF + 60 * 8, &t, 8);
	uint32_t n, taken;
	assert_int_equal(gpio_read(&f->r, f->ts, f->val, CAP, &n, &taken), SHP_OK);
	assert_int_equal(taken, 100);
	assert_int_equal(n, 98);
	assert_int_equal(f->r.stats.discarded, 2);
	for (uint32_t k = 1; k < n; k++)
		assert_true(f->ts[k] > f->ts[k - 1]);
	(void)next;
}

static void damaged_canary_fails_at_the_wrap(void **state)
{
	struct fixture *f = *state;
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	uint64_t next = 0;
	pru_mem_store_u32(f->ring + SHP_GPIO_CANARY_OFF, 0xBAD);
	produce(f, N - 10, true);
	assert_int_equal(drain(f, &next), N - 10);
	produce(f, 20, true);
	uint32_t n, taken;
	assert_int_equal(gpio_read(&f->r, f->ts, f->val, CAP, &n, &taken), SHP_ERR_CANARY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(reads_everything_in_order_across_the_wrap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_lap_is_detected_and_reported_as_a_lower_bound,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			events_overwritten_during_the_copy_are_dropped_and_counted, setup,
			teardown),
		cmocka_unit_test_setup_teardown(out_of_order_events_are_not_delivered, setup,
						teardown),
		cmocka_unit_test_setup_teardown(damaged_canary_fails_at_the_wrap, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
