/* Unit tests of stream_iv.c: whole chunks, the tracing window, the flush, losses, the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "pru/pru_mem.h"
#include "pru/shepherd_abi.h"
#include "sheep/stream_iv.h"
#include "test_rings.h"

#define T0 1700000000000000000ull
#define DT SHP_SAMPLE_INTERVAL_NS

/* PRU0's side: sample k of the run at slot k, skipping the samples in [skip_from, skip_to). */
static void pru_write(uint8_t *ring, uint32_t count, uint32_t skip_from, uint32_t skip_to)
{
	uint32_t slot = 0;
	for (uint32_t k = 0; k < count; k++, slot++) {
		if (k >= skip_from && k < skip_to) {
			slot--;
			continue;
		}
		uint64_t ts = T0 + (uint64_t)k * DT;
		uint32_t v = k, i = k + 7;
		memcpy(ring + SHP_IV_OUT_TS_OFF + (size_t)slot * 8, &ts, 8);
		memcpy(ring + SHP_IV_OUT_V_OFF + (size_t)slot * 4, &v, 4);
		memcpy(ring + SHP_IV_OUT_I_OFF + (size_t)slot * 4, &i, 4);
		pru_mem_store_u32(ring + SHP_IV_OUT_IDX_OFF, slot);
	}
}

/* The run is 20 000 samples; the window keeps [1 000, 16 000) of them. */
static void window_and_whole_chunks(void **state)
{
	(void)state;
	uint8_t *ring = test_iv_out_ring_new();
	static struct stream_iv s;
	struct losses losses;
	losses_init(&losses, NULL);
	struct stream_window win = {T0, T0 + 20000 * DT, T0 + 1000 * DT, T0 + 16000 * DT};
	stream_iv_open(&s, ring, &win, false, &losses);
	assert_false(stream_iv_done(&s));
	pru_write(ring, 20001, 0, 0); /* the last sample written is not counted yet */
	assert_int_equal(stream_iv_available(&s), 20000);

	uint64_t got;
	assert_int_equal(stream_iv_poll(&s, NULL, &got), SHP_OK);
	assert_int_equal(got, 20000);
	assert_true(stream_iv_done(&s));
	struct stream_iv_figures f = stream_iv_figures(&s);
	assert_int_equal(f.written, 10000); /* one whole chunk; the rest waits for the flush */
	assert_int_equal(f.taken, 15000);
	assert_true(f.first_ts == T0 + 1000 * DT);
	assert_true(f.last_ts == T0 + 10999 * DT);
	assert_true(f.next_ts == T0 + 20000 * DT);

	assert_int_equal(stream_iv_flush(&s, NULL), SHP_OK);
	f = stream_iv_figures(&s);
	assert_int_equal(f.written, 15000);
	assert_int_equal(f.taken, 15000);
	assert_true(f.last_ts == T0 + 15999 * DT);
	assert_int_equal(f.lost, 0);
	assert_int_equal(losses.rows, 0);
	test_iv_out_ring_free(ring);
}

static void gap_is_a_loss_row(void **state)
{
	(void)state;
	uint8_t *ring = test_iv_out_ring_new();
	static struct stream_iv s;
	struct losses losses;
	losses_init(&losses, NULL);
	struct stream_window win = {T0, T0 + 1000 * DT, T0, T0 + 1000 * DT};
	stream_iv_open(&s, ring, &win, false, &losses);
	pru_write(ring, 501, 100, 130); /* 30 samples never written */

	uint64_t got;
	assert_int_equal(stream_iv_poll(&s, NULL, &got), SHP_OK);
	assert_int_equal(got, 470);
	assert_int_equal(stream_iv_flush(&s, NULL), SHP_OK);
	struct stream_iv_figures f = stream_iv_figures(&s);
	assert_int_equal(f.lost, 30);
	assert_int_equal(f.written, 470);
	assert_true(f.next_ts == T0 + 500 * DT);
	assert_false(stream_iv_done(&s));
	assert_int_equal(losses.rows, 1);
	assert_int_equal(losses_finish(&losses), SHP_OK);
	test_iv_out_ring_free(ring);
}

int main(void)
{
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(window_and_whole_chunks),
		cmocka_unit_test(gap_is_a_loss_row),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
