/*
 * Unit tests of calibration.c: the nominal pairs as upstream computes them, their export to the
 * PRU's six integers, the test cape file's export, range checks, Python's round().
 * Expected values: pru-settings.md 2.2 and 2.3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "settings/calibration.h"
#include "settings/round_even.h"
#include "test_check.h"

static int errors_logged;
static char last_error[1024];

static void capture(void *ctx, uint64_t t, int level, const char *msg)
{
	(void)ctx;
	(void)t;
	if (level >= SHP_LOG_ERROR) {
		errors_logged++;
		snprintf(last_error, sizeof(last_error), "%s", msg);
	}
}

static int setup(void **state)
{
	(void)state;
	errors_logged = 0;
	last_error[0] = '\0';
	shp_log_set_sink(capture, NULL, SHP_LOG_DEBUG);
	return 0;
}

static void assert_tokens(const struct pru_calibration *p, uint32_t ig, int32_t io, uint32_t vg,
			  int32_t vo, uint32_t dg, int32_t dof)
{
	assert_int_equal(p->adc_current_gain, ig);
	assert_int_equal(p->adc_current_offset, io);
	assert_int_equal(p->adc_voltage_gain, vg);
	assert_int_equal(p->adc_voltage_offset, vo);
	assert_int_equal(p->dac_voltage_gain, dg);
	assert_int_equal(p->dac_voltage_offset, dof);
}

/* The values of tests/fixtures/upstream_configs/test_cal_data.yaml. */
static void test_cape(struct cal_cape *c)
{
	c->emulator.adc_C_A = (struct shp_cal_pair){2.2306053900482405e-07, -0.0026222400965270985};
	c->emulator.adc_C_B = (struct shp_cal_pair){2.2306053900482405e-07, -0.0026222400965270985};
	c->emulator.dac_V_A = (struct shp_cal_pair){7.62628031430141e-05, 0.0007950027045164898};
	c->emulator.dac_V_B = (struct shp_cal_pair){7.63173766566708e-05, -0.0010936558576905009};
	c->harvester.adc_C_Hrv =
		(struct shp_cal_pair){2.228708065317991e-07, -0.0026241147072037603};
	c->harvester.adc_V_Sense =
		(struct shp_cal_pair){1.952036492090002e-05, 7.75784958272352e-05};
	c->harvester.dac_V_Sim =
		(struct shp_cal_pair){7.630261527071238e-05, 0.0004594023208512876};
	c->harvester.dac_V_Hrv = (struct shp_cal_pair){7.62877291921811e-05, 0.000281481899873981};
}

static void nominal_pairs_are_upstreams_doubles(void **state)
{
	(void)state;
	struct cal_cape c;
	cal_nominal(&c);
	const double adc_c = 2.0345052083333335e-07, adc_v = 1.953125e-05,
		     dac = 7.629510948348211e-05;
	const double gains[CAL_PAIR_COUNT] = {dac, dac, adc_v, adc_c, dac, dac, adc_c, adc_c};
	for (int k = 0; k < CAL_PAIR_COUNT; k++) {
		assert_same_double(cal_pair_at(&c, k)->gain, gains[k]);
		assert_same_double(cal_pair_at(&c, k)->offset, -0.0);
	}
	/* 1 / the truncated codes: 1/13107 V, not 5 V / 2^16 */
	assert_same_double(c.harvester.dac_V_Hrv.gain, 1.0 / 13107.0);
	assert_true(c.harvester.dac_V_Hrv.gain != 5.0 / 65536.0);
	assert_same_double(c.emulator.adc_C_A.gain, 1.0 / 4915200.0);
}

static void pairs_are_in_model_order(void **state)
{
	(void)state;
	static const char *const names[CAL_PAIR_COUNT] = {"dac_V_Hrv", "dac_V_Sim", "adc_V_Sense",
							  "adc_C_Hrv", "dac_V_A",   "dac_V_B",
							  "adc_C_A",   "adc_C_B"};
	struct cal_cape c;
	for (int k = 0; k < CAL_PAIR_COUNT; k++) {
		assert_string_equal(cal_pairs[k].name, names[k]);
		assert_string_equal(cal_pairs[k].part, k < 4 ? "harvester" : "emulator");
	}
	assert_ptr_equal(cal_pair_at(&c, 0), &c.harvester.dac_V_Hrv);
	assert_ptr_equal(cal_pair_at(&c, 3), &c.harvester.adc_C_Hrv);
	assert_ptr_equal(cal_pair_at(&c, 4), &c.emulator.dac_V_A);
	assert_ptr_equal(cal_pair_at(&c, 7), &c.emulator.adc_C_B);
}

static void nominal_export_lines(void **state)
{
	(void)state;
	struct cal_cape c;
	cal_nominal(&c);
	struct pru_calibration p;
	assert_int_equal(cal_emulator_export(&c.emulator, &p), SHP_OK);
	assert_tokens(&p, 52083, 0, 256000000, 0, 13744, 0);
	assert_int_equal(cal_harvester_export(&c.harvester, &p), SHP_OK);
	assert_tokens(&p, 52083, 0, 5000, 0, 13744, 0);
	assert_int_equal(errors_logged, 0);
}

static void test_cape_file_export_lines(void **state)
{
	(void)state;
	struct cal_cape c;
	test_cape(&c);
	struct pru_calibration p;
	assert_int_equal(cal_emulator_export(&c.emulator, &p), SHP_OK);
	assert_tokens(&p, 57103, -2622240, 256000000, 0, 13750, 795);
	assert_int_equal(cal_harvester_export(&c.harvester, &p), SHP_OK);
	assert_tokens(&p, 57055, -2624115, 4997, 78, 13745, 281);
}

static void emulator_export_uses_port_a_only(void **state)
{
	(void)state;
	struct cal_cape c;
	test_cape(&c);
	struct pru_calibration a, b;
	assert_int_equal(cal_emulator_export(&c.emulator, &a), SHP_OK);
	c.emulator.adc_C_B = (struct shp_cal_pair){1e-3, 5.0};
	c.emulator.dac_V_B = (struct shp_cal_pair){1e-9, -7.0};
	assert_int_equal(cal_emulator_export(&c.emulator, &b), SHP_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	/* and the harvester's dac_V_Sim never reaches the PRU */
	c.harvester.dac_V_Sim = (struct shp_cal_pair){1e-9, -7.0};
	assert_int_equal(cal_harvester_export(&c.harvester, &b), SHP_OK);
	assert_tokens(&b, 57055, -2624115, 4997, 78, 13745, 281);
}

static void out_of_range_export_is_refused(void **state)
{
	(void)state;
	struct cal_cape c;
	cal_nominal(&c);
	struct pru_calibration p, untouched;
	memset(&p, 0x5A, sizeof(p));
	untouched = p;

	/* 3 A offset: 3e9 nA does not fit an i32 */
	c.harvester.adc_C_Hrv.offset = 3.0;
	assert_int_equal(cal_harvester_export(&c.harvester, &p), SHP_ERR_CONFIG);
	assert_memory_equal(&p, &untouched, sizeof(p));
	assert_non_null(strstr(last_error, "adc_current_offset"));

	/* a DAC gain of 1 pV/LSB: 2^20 / 1e-6 LSB per uV is beyond u32 */
	cal_nominal(&c);
	c.emulator.dac_V_A.gain = 1e-12;
	errors_logged = 0;
	assert_int_equal(cal_emulator_export(&c.emulator, &p), SHP_ERR_CONFIG);
	assert_int_equal(errors_logged, 1);
	assert_non_null(strstr(last_error, "dac_voltage_gain"));

	/* a negative gain gives a negative token; several bad tokens are each named */
	cal_nominal(&c);
	c.harvester.adc_V_Sense.gain = -1e-5;
	c.harvester.dac_V_Hrv.offset = -5000.0;
	errors_logged = 0;
	assert_int_equal(cal_harvester_export(&c.harvester, &p), SHP_ERR_CONFIG);
	assert_int_equal(errors_logged, 2);
	assert_non_null(strstr(last_error, "dac_voltage_offset"));

	/* NaN fits no range */
	cal_nominal(&c);
	c.emulator.adc_C_A.gain = NAN;
	assert_int_equal(cal_emulator_export(&c.emulator, &p), SHP_ERR_CONFIG);
	assert_memory_equal(&p, &untouched, sizeof(p));
}

static void offsets_at_the_edges_of_i32(void **state)
{
	(void)state;
	struct cal_cape c;
	cal_nominal(&c);
	struct pru_calibration p;
	/* 2147483647.4 uV rounds to 2^31 - 1: fits; 2147483647.6 rounds to 2^31: does not */
	c.harvester.adc_V_Sense.offset = 2147.4836474;
	assert_int_equal(cal_harvester_export(&c.harvester, &p), SHP_OK);
	assert_int_equal(p.adc_voltage_offset, 2147483647);
	c.harvester.adc_V_Sense.offset = 2147.4836476;
	assert_int_equal(cal_harvester_export(&c.harvester, &p), SHP_ERR_CONFIG);
	c.harvester.adc_V_Sense.offset = -2147.4836484;
	assert_int_equal(cal_harvester_export(&c.harvester, &p), SHP_OK);
	assert_int_equal(p.adc_voltage_offset, INT32_MIN);
	c.harvester.adc_V_Sense.offset = -2147.4836490;
	assert_int_equal(cal_harvester_export(&c.harvester, &p), SHP_ERR_CONFIG);
}

static void rounds_half_to_even(void **state)
{
	(void)state;
	assert_same_double(shp_round_half_even(0.5), 0.0);
	assert_same_double(shp_round_half_even(1.5), 2.0);
	assert_same_double(shp_round_half_even(2.5), 2.0);
	assert_same_double(shp_round_half_even(3.5), 4.0);
	assert_same_double(shp_round_half_even(-0.5), -0.0);
	assert_same_double(shp_round_half_even(-1.5), -2.0);
	assert_same_double(shp_round_half_even(-2.5), -2.0);
	assert_same_double(shp_round_half_even(-0.4), -0.0);
	assert_same_double(shp_round_half_even(0.49999999999999994), 0.0);
	assert_same_double(shp_round_half_even(2.5000000000000004), 3.0);
	assert_same_double(shp_round_half_even(52083.33333333333), 52083.0);
	assert_same_double(shp_round_half_even(-2622240.0965270985), -2622240.0);
	/* from 2^52 on every double is an integer; 2^53 + 2 stays */
	assert_same_double(shp_round_half_even(4503599627370497.0), 4503599627370497.0);
	assert_same_double(shp_round_half_even(9007199254740994.0), 9007199254740994.0);
	assert_true(isinf(shp_round_half_even(INFINITY)));
	assert_true(isnan(shp_round_half_even(NAN)));
}

static void plausible_pairs(void **state)
{
	(void)state;
	assert_true(cal_pair_plausible(&(struct shp_cal_pair){1e-5, -0.0}));
	assert_true(cal_pair_plausible(&(struct shp_cal_pair){5e-324, -1e300}));
	assert_false(cal_pair_plausible(&(struct shp_cal_pair){0.0, 0.0}));
	assert_false(cal_pair_plausible(&(struct shp_cal_pair){-0.0, 0.0}));
	assert_false(cal_pair_plausible(&(struct shp_cal_pair){-1e-5, 0.0}));
	assert_false(cal_pair_plausible(&(struct shp_cal_pair){NAN, 0.0}));
	assert_false(cal_pair_plausible(&(struct shp_cal_pair){INFINITY, 0.0}));
	assert_false(cal_pair_plausible(&(struct shp_cal_pair){1e-5, NAN}));
	assert_false(cal_pair_plausible(&(struct shp_cal_pair){1e-5, -INFINITY}));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(nominal_pairs_are_upstreams_doubles, setup),
		cmocka_unit_test_setup(pairs_are_in_model_order, setup),
		cmocka_unit_test_setup(nominal_export_lines, setup),
		cmocka_unit_test_setup(test_cape_file_export_lines, setup),
		cmocka_unit_test_setup(emulator_export_uses_port_a_only, setup),
		cmocka_unit_test_setup(out_of_range_export_is_refused, setup),
		cmocka_unit_test_setup(offsets_at_the_edges_of_i32, setup),
		cmocka_unit_test_setup(rounds_half_to_even, setup),
		cmocka_unit_test_setup(plausible_pairs, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
