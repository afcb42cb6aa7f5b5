/* Unit tests of time_bounds.c: the checked seconds-to-ns conversion at its limits, the sums. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include "common/time_bounds.h"

#define NS 1000000000ull
#define SAMPLE_NS 10000u

static void limits_are_accepted(void **state)
{
	(void)state;
	uint64_t ns = 1;
	assert_true(shp_seconds_to_ns(0.0, 1, &ns));
	assert_true(ns == 0);
	assert_true(shp_seconds_to_ns(-0.0, 1, &ns));
	assert_true(ns == 0);
	assert_true(shp_seconds_to_ns((double)SHP_SPAN_MAX_S, 1, &ns));
	assert_true(ns == SHP_SPAN_MAX_NS);
	assert_true(shp_seconds_to_ns((double)SHP_SPAN_MAX_S, SAMPLE_NS, &ns));
	assert_true(ns == SHP_SPAN_MAX_NS);
	assert_true(shp_seconds_to_ns(nextafter((double)SHP_SPAN_MAX_S, 0), SAMPLE_NS, &ns));
	assert_true(ns == SHP_SPAN_MAX_NS); /* rounded to the sample: never beyond the maximum */
	assert_true(shp_seconds_to_ns(1e6, SAMPLE_NS, &ns));
	assert_true(ns == 1000000ull * NS);
}

static void beyond_the_limits_is_refused_and_leaves_the_output(void **state)
{
	(void)state;
	const double bad[] = {
		nextafter((double)SHP_SPAN_MAX_S, INFINITY), /* max + 1 ulp */
		(double)SHP_SPAN_MAX_S + 1,
		-1e-300,
		-1.0,
		NAN,
		-NAN,
		INFINITY,
		-INFINITY,
		2e14,   /* ran as "0.00 s" */
		1.9e13, /* wrapped */
		1e15,
		18446744073.709553, /* 2^64 ns */
		1e300,
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		uint64_t ns = 12345;
		if (shp_seconds_to_ns(bad[k], 1, &ns) || shp_seconds_to_ns(bad[k], SAMPLE_NS, &ns))
			fail_msg("accepted %g s", bad[k]);
		assert_true(ns == 12345);
	}
}

static void steps_must_divide_a_second(void **state)
{
	(void)state;
	uint64_t ns = 7;
	assert_false(shp_seconds_to_ns(1.0, 0, &ns));
	assert_false(shp_seconds_to_ns(1.0, 3, &ns));
	assert_false(shp_seconds_to_ns(1.0, 2 * NS, &ns));
	assert_true(ns == 7);
	assert_true(shp_seconds_to_ns(2.5, NS, &ns));
	assert_true(ns == 3 * NS); /* half away from zero, as llround */
}

static void rounds_to_the_nearest_step(void **state)
{
	(void)state;
	uint64_t ns;
	assert_true(shp_seconds_to_ns(1e-5, SAMPLE_NS, &ns));
	assert_true(ns == SAMPLE_NS);
	assert_true(shp_seconds_to_ns(4e-6, SAMPLE_NS, &ns));
	assert_true(ns == 0);
	assert_true(shp_seconds_to_ns(6e-6, SAMPLE_NS, &ns));
	assert_true(ns == SAMPLE_NS);
	assert_true(shp_seconds_to_ns(12.34567, SAMPLE_NS, &ns));
	assert_true(ns == 12345670000ull);
	assert_true(shp_seconds_to_ns(1e-9, 1, &ns));
	assert_true(ns == 1);
}

/* The largest sums a run forms: the latest start, the longest delay and duration, the PRU's pad. */
static void largest_sums_fit_in_64_bits(void **state)
{
	(void)state;
	uint64_t delay, duration, start = SHP_TIME_START_MAX_S * NS, sum;
	assert_true(shp_seconds_to_ns((double)SHP_SPAN_MAX_S, SAMPLE_NS, &delay));
	assert_true(shp_seconds_to_ns((double)SHP_SPAN_MAX_S, SAMPLE_NS, &duration));
	assert_false(__builtin_add_overflow(start, delay, &sum));
	assert_false(__builtin_add_overflow(sum, duration, &sum));
	/* rounded up to the next whole second, then the 100 ms stop window */
	assert_false(__builtin_add_overflow(sum, NS - 1, &sum));
	sum = sum / NS * NS;
	assert_false(__builtin_add_overflow(sum, NS / 10, &sum));
	assert_true(sum <= SHP_RUN_NS_MAX);
	assert_true(SHP_RUN_NS_MAX <= UINT64_MAX);
	/* and the margin is real: 2^64 ns is reached only some 52 years later */
	assert_true(UINT64_MAX - SHP_RUN_NS_MAX > 50ull * 365 * 86400 * NS);
}

static void time_start_bounds_are_the_documented_dates(void **state)
{
	(void)state;
	assert_true(SHP_TIME_START_MIN_S == 946684800ull);   /* 2000-01-01T00:00:00Z */
	assert_true(SHP_TIME_START_MAX_S == 16725225600ull); /* 2500-01-01T00:00:00Z */
	assert_true(SHP_SPAN_MAX_S == 366ull * 86400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(limits_are_accepted),
		cmocka_unit_test(beyond_the_limits_is_refused_and_leaves_the_output),
		cmocka_unit_test(steps_must_divide_a_second),
		cmocka_unit_test(rounds_to_the_nearest_step),
		cmocka_unit_test(largest_sums_fit_in_64_bits),
		cmocka_unit_test(time_start_bounds_are_the_documented_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
