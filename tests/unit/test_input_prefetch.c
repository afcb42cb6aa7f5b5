/* Unit tests of input_prefetch.c: the blocks in order and complete, with and without the
 * reader thread; a stop before the end; a read failure reported in its place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "h5/h5_common.h"
#include "sheep/input_prefetch.h"

#define FIXTURE FIXTURES_DIR "/reference_hrv_2s_lzf.h5"

/* Every block of samples [0, total) equals a direct read; the end is a block of 0. */
static void compare(bool threaded, uint64_t total)
{
	struct h5_input in;
	assert_int_equal(h5_input_open(FIXTURE, &in), SHP_OK);
	static struct shp_iv_sample want[PREFETCH_BLOCK];
	struct input_prefetch *p;
	assert_int_equal(input_prefetch_start(&in, total, threaded, &p), SHP_OK);
	uint64_t seen = 0;
	for (;;) {
		const struct shp_iv_sample *block;
		uint32_t n;
		assert_int_equal(input_prefetch_next(p, &block, &n), SHP_OK);
		if (n == 0)
			break;
		uint64_t left = total - seen;
		assert_int_equal(n, left < PREFETCH_BLOCK ? left : PREFETCH_BLOCK);
		/* the reader may be filling the next slots meanwhile: this one must stay intact */
		input_prefetch_lock(p);
		assert_int_equal(h5_input_read(&in, seen, n, want), SHP_OK);
		input_prefetch_unlock(p);
		assert_memory_equal(block, want, n * sizeof(*want));
		seen += n;
	}
	assert_int_equal(seen, total);
	input_prefetch_stop(p);
	h5_input_close(&in);
}

static void threaded_blocks_are_the_input(void **state)
{
	(void)state;
	compare(true, 200000);
	compare(true, 123457); /* a partial last block */
}

static void unthreaded_blocks_are_the_input(void **state)
{
	(void)state;
	compare(false, 200000);
	compare(false, 5);
}

static void a_stop_before_the_end_returns(void **state)
{
	(void)state;
	struct h5_input in;
	assert_int_equal(h5_input_open(FIXTURE, &in), SHP_OK);
	struct input_prefetch *p;
	assert_int_equal(input_prefetch_start(&in, in.samples, true, &p), SHP_OK);
	const struct shp_iv_sample *block;
	uint32_t n;
	assert_int_equal(input_prefetch_next(p, &block, &n), SHP_OK);
	assert_int_equal(n, PREFETCH_BLOCK);
	input_prefetch_stop(p); /* the reader waits for a free slot: it must still end */
	h5_input_close(&in);
}

static void a_read_past_the_input_fails_in_its_place(void **state)
{
	(void)state;
	for (int threaded = 0; threaded < 2; threaded++) {
		struct h5_input in;
		assert_int_equal(h5_input_open(FIXTURE, &in), SHP_OK);
		struct input_prefetch *p;
		/* more than the input holds: the block past its end cannot be read */
		assert_int_equal(input_prefetch_start(&in, 20001 + in.samples, threaded, &p),
				 SHP_OK);
		const struct shp_iv_sample *block;
		uint32_t n;
		shp_err e = SHP_OK;
		uint64_t good = 0;
		while ((e = input_prefetch_next(p, &block, &n)) == SHP_OK && n)
			good += n;
		assert_int_equal(e, SHP_ERR_INPUT);
		assert_int_equal(good, in.samples);
		input_prefetch_stop(p);
		h5_input_close(&in);
	}
}

int main(void)
{
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	if (shp_h5_init() != SHP_OK)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(threaded_blocks_are_the_input),
		cmocka_unit_test(unthreaded_blocks_are_the_input),
		cmocka_unit_test(a_stop_before_the_end_returns),
		cmocka_unit_test(a_read_past_the_input_fails_in_its_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
