/* Unit tests of h5_input.c: conversion to the PRU's units and reading a reference recording. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "common/log.h"
#include "h5/h5_common.h"
#include "h5/h5_input.h"
#include "h5/h5_reader.h"

static void converts_truncates_and_clamps(void **state)
{
	(void)state;
	struct shp_cal_pair v = {1.953125e-05, 0.0}; /* 18-bit ADC: 19.53125 uV per code */
	assert_int_equal(h5_input_to_pru_unit(100000, &v, 1e6), 1953125);
	assert_int_equal(h5_input_to_pru_unit(3, &v, 1e6), 58);   /* 58.59 uV, truncated */
	struct shp_cal_pair i = {2.5e-10, -1e-6};                 /* offset -1 uA */
	assert_int_equal(h5_input_to_pru_unit(1000, &i, 1e9), 0); /* negative: clamped to 0 */
	assert_int_equal(h5_input_to_pru_unit(8000, &i, 1e9), 1000);
	struct shp_cal_pair big = {1.0, 0.0};
	assert_int_equal(h5_input_to_pru_unit(UINT32_MAX, &big, 1e6), UINT32_MAX);
}

/* The edges of the truncation, the same on every CPU (ARM uses VCVT's saturation for them). */
static void truncation_edges(void **state)
{
	(void)state;
	const struct {
		double gain, offset;
		uint32_t raw, want;
	} cases[] = {
		{1.0, -0.5, 0, 0},                     /* below zero */
		{1.0, -0.0, 0, 0},                     /* negative zero */
		{1.0, 0.999, 0, 0},                    /* truncated, not rounded */
		{1.0, 0.0, 7, 7},                      /* exact */
		{1.0, 0.9999999, 7, 7},                /* just below the next integer */
		{1.0, 4294967294.5, 0, 4294967294u},   /* just below the top */
		{1.0, 4294967295.0, 0, UINT32_MAX},    /* the top */
		{1.0, 4294967295.75, 0, UINT32_MAX},   /* beyond it */
		{1e300, 0.0, 1, UINT32_MAX},           /* far beyond */
		{-1.0, 0.0, 5, 0},                     /* a negative gain */
		{__builtin_nan(""), 0.0, 5, 0},        /* NaN */
		{1.0, __builtin_inf(), 0, UINT32_MAX}, /* +inf */
		{1.0, -__builtin_inf(), 0, 0},         /* -inf */
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct shp_cal_pair c = {cases[k].gain, cases[k].offset};
		uint32_t got = h5_input_to_pru_unit(cases[k].raw, &c, 1.0);
		if (got != cases[k].want)
			fail_msg("case %zu: got %u, want %u", k, got, cases[k].want);
	}
}

static void reads_a_reference_recording_in_pru_units(void **state)
{
	(void)state;
	const char *path = FIXTURES_DIR "/reference_hrv_2s_gzip1.h5";
	struct h5_input in;
	assert_int_equal(h5_input_open(path, &in), SHP_OK);
	assert_int_equal(in.samples, 200000);
	assert_string_equal(in.mode, "harvester");
	void *raw_v, *raw_i;
	size_t count, size;
	assert_int_equal(h5r_read_dataset(path, "/data/voltage", &raw_v, &count, &size), SHP_OK);
	assert_int_equal(h5r_read_dataset(path, "/data/current", &raw_i, &count, &size), SHP_OK);
	static struct shp_iv_sample out[20000];
	assert_int_equal(h5_input_read(&in, 180000, 20000, out), SHP_OK);
	for (size_t k = 0; k < 20000; k++) {
		uint32_t rv = ((uint32_t *)raw_v)[180000 + k], ri = ((uint32_t *)raw_i)[180000 + k];
		assert_int_equal(out[k].voltage, (uint32_t)floor(rv * (3e-9 * 1e6)));
		assert_int_equal(out[k].current, (uint32_t)floor(ri * (2.5e-10 * 1e9)));
	}
	assert_int_equal(h5_input_read(&in, 199999, 2, out), SHP_ERR_INPUT); /* past the end */
	free(raw_v);
	free(raw_i);
	h5_input_close(&in);
}

int main(void)
{
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	if (shp_h5_init() != SHP_OK)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(converts_truncates_and_clamps),
		cmocka_unit_test(truncation_edges),
		cmocka_unit_test(reads_a_reference_recording_in_pru_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
