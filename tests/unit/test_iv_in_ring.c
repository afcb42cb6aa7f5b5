/* Unit tests of iv_in_ring.c: pre-fill, free space, wrap, idx_sys, exact underrun counting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "pru/iv_in_ring.h"
#include "pru/shared_mem.h"

#define N SHP_IV_INP_SAMPLES_N

struct fixture {
	uint8_t *ring;
	struct iv_in_writer w;
	struct shp_iv_sample *buf;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->ring = calloc(1, SHP_IV_INP_SIZE);
	f->buf = calloc(N, sizeof(*f->buf));
	if (!f || !f->ring || !f->buf)
		return -1;
	pru_mem_store_u32(f->ring + SHP_IV_INP_IDX_PRU_OFF, SHP_IDX_OUT_OF_BOUND);
	pru_mem_store_u32(f->ring + SHP_IV_INP_CANARY_OFF, SHP_CANARY_VALUE_U32);
	for (uint32_t k = 0; k < N; k++)
		f->buf[k] = (struct shp_iv_sample){k, ~k};
	iv_in_writer_init(&f->w, f->ring);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->ring);
	free(f->buf);
	free(f);
	return 0;
}

/* PRU0 has read up to and including ring slot `slot`. */
static void pru_read(struct fixture *f, uint32_t slot)
{
	pru_mem_store_u32(f->ring + SHP_IV_INP_IDX_PRU_OFF, slot);
}

static struct shp_iv_sample slot_value(const struct fixture *f, uint32_t slot)
{
	struct shp_iv_sample s;
	memcpy(&s, f->ring + SHP_IV_INP_SAMPLE_OFF + (size_t)slot * 8, 8);
	return s;
}

static void prefill_takes_all_but_one_slot(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(iv_in_update(&f->w), 0);
	assert_int_equal(iv_in_free(&f->w), N - 1);
	assert_int_equal(iv_in_write(&f->w, f->buf, 1040000), SHP_OK);
	assert_int_equal(pru_mem_load_u32(f->ring + SHP_IV_INP_IDX_SYS_OFF), 1040000);
	assert_int_equal(iv_in_free(&f->w), N - 1 - 1040000);
	assert_int_equal(slot_value(f, 12345).voltage, 12345);
	assert_int_equal(slot_value(f, 12345).current, ~12345u);
}

static void consumption_frees_space_across_the_wrap(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(iv_in_write(&f->w, f->buf, 1040000), SHP_OK);
	pru_read(f, 9999); /* 10 000 read */
	assert_int_equal(iv_in_update(&f->w), 0);
	assert_int_equal(iv_in_ahead(&f->w), 1030000);
	assert_int_equal(iv_in_free(&f->w), N - 1 - 1030000);
	/* 18 576 more fit; the write wraps and lands at slot 0 */
	assert_int_equal(iv_in_write(&f->w, f->buf, 18575), SHP_OK);
	assert_int_equal(iv_in_free(&f->w), 0);
	pru_read(f, 30000);
	iv_in_update(&f->w);
	assert_int_equal(iv_in_write(&f->w, f->buf + 100, 20000), SHP_OK);
	assert_int_equal(f->w.next, (1040000 + 18575 + 20000) % N);
	assert_int_equal(slot_value(f, N - 1).voltage, N - 1040000 - 1);
	assert_int_equal(slot_value(f, 0).voltage, N - 1040000); /* the wrapped part */
	assert_int_equal(slot_value(f, 9999).voltage, 100);      /* the third write */
	assert_int_equal(f->w.underrun, 0);
}

static void pru_overtaking_the_writer_is_counted_exactly(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(iv_in_write(&f->w, f->buf, 50000), SHP_OK);
	pru_read(f, 49999); /* all read, nothing stale yet */
	assert_int_equal(iv_in_update(&f->w), 0);
	pru_read(f, 50099); /* 100 slots read that were never written */
	assert_int_equal(iv_in_update(&f->w), 100);
	pru_read(f, 50149);
	assert_int_equal(iv_in_update(&f->w), 50);
	assert_int_equal(f->w.underrun, 150);
	assert_true(iv_in_ahead(&f->w) < 0);
	/* the writer catches up: no further underrun while it stays ahead */
	assert_int_equal(iv_in_write(&f->w, f->buf, 10000), SHP_OK);
	pru_read(f, 55000);
	assert_int_equal(iv_in_update(&f->w), 0);
	assert_int_equal(f->w.underrun, 150);
}

static void out_of_range_index_is_ignored(void **state)
{
	struct fixture *f = *state;
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	assert_int_equal(iv_in_write(&f->w, f->buf, 1000), SHP_OK);
	pru_read(f, N + 5);
	assert_int_equal(iv_in_update(&f->w), 0);
	assert_int_equal(f->w.consumed, 0);
}

static void damaged_canary_fails_at_the_wrap(void **state)
{
	struct fixture *f = *state;
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	pru_mem_store_u32(f->ring + SHP_IV_INP_CANARY_OFF, 0);
	assert_int_equal(iv_in_write(&f->w, f->buf, 1000), SHP_OK);
	pru_read(f, N - 2);
	iv_in_update(&f->w);
	assert_int_equal(iv_in_write(&f->w, f->buf, N - 1000), SHP_ERR_CANARY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(prefill_takes_all_but_one_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(consumption_frees_space_across_the_wrap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(pru_overtaking_the_writer_is_counted_exactly, setup,
						teardown),
		cmocka_unit_test_setup_teardown(out_of_range_index_is_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(damaged_canary_fails_at_the_wrap, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
