/*
 * Unit tests of twin_solar.c, the harvest transducer: the single-diode module (current, V_oc,
 * MPP against a brute-force sweep), the light profile, the ADC read through the nominal
 * harvester calibration (set points at 0 V, mid and above V_oc, noise, clamping,
 * determinism per seed) and the maximum energy against the sum of the per-sample MPPs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings/calibration.h"
#include "twin/twin_solar.h"

#define ADC_MAX 262143u

static struct pru_calibration nominal_cal(void)
{
	struct cal_cape cape;
	struct pru_calibration pc;
	cal_nominal(&cape);
	assert_int_equal(cal_harvester_export(&cape.harvester, &pc), SHP_OK);
	/* pru-settings.md 2.3: harvester 52083 0 / 5000 0 / 13744 0 */
	assert_int_equal(pc.adc_current_gain, 52083);
	assert_int_equal(pc.adc_voltage_gain, 5000);
	assert_int_equal(pc.dac_voltage_gain, 13744);
	return pc;
}

static struct twin_solar solar(uint64_t seed)
{
	struct pru_calibration pc = nominal_cal();
	struct twin_solar s;
	twin_solar_init(&s, seed, &pc);
	return s;
}

/* The root of I(V) = 0 by bisection on the unclamped formula, independent of the code. */
static double voc_bisect(const struct twin_solar *s, double g)
{
	double lo = 0.0, hi = 10.0;
	for (int i = 0; i < 200; i++) {
		double m = 0.5 * (lo + hi);
		double i_m = g * s->i_ph_A - s->i_0_A * expm1(m / s->n_vt_V) - m / s->r_sh_ohm;
		if (i_m > 0.0)
			lo = m;
		else
			hi = m;
	}
	return lo;
}

static void test_module_has_the_documented_character(void **state)
{
	(void)state;
	struct twin_solar s = solar(1);
	double voc = twin_solar_voc_V(&s, 1.0);
	assert_true(voc > 2.4 && voc < 2.7);
	double isc = twin_solar_current_A(&s, 1.0, 0.0);
	assert_true(isc > 30e-3 && isc < 40e-3);
	double vmp = twin_solar_mpp_V(&s, 1.0);
	assert_true(vmp > 1.85 && vmp < 2.2);
	double vmp_q = twin_solar_mpp_V(&s, 0.25);
	assert_true(vmp_q > 1.85 && vmp_q < vmp);
	/* the MPP currents span about the older signal's 7.5 .. 30 mA */
	double imp = twin_solar_current_A(&s, 1.0, vmp);
	double imp_q = twin_solar_current_A(&s, 0.25, vmp_q);
	assert_true(imp > 28e-3 && imp < 35e-3);
	assert_true(imp_q > 7e-3 && imp_q < 9e-3);
	assert_true(fabs(s.n_vt_V - 0.155112) < 1e-6);
}

static void test_current_at_zero_is_the_photo_current(void **state)
{
	(void)state;
	struct twin_solar s = solar(1);
	for (double g = 0.1; g < 1.1; g += 0.1) {
		assert_true(fabs(twin_solar_current_A(&s, g, 0.0) - g * s.i_ph_A) <= 1e-15);
		/* a millivolt in: less by the shunt's 0.2 uA and the diode's ~nothing */
		double i = twin_solar_current_A(&s, g, 1e-3);
		double expect = g * s.i_ph_A - 1e-3 / s.r_sh_ohm;
		assert_true(fabs(i - expect) < 1e-10);
		assert_true(i < g * s.i_ph_A);
	}
}

static void test_current_is_zero_at_voc_and_never_negative(void **state)
{
	(void)state;
	struct twin_solar s = solar(1);
	const double gs[] = {0.005, 0.05, 0.2425, 0.25, 0.5, 0.75, 1.0, 1.03, 2.0};
	for (size_t j = 0; j < sizeof(gs) / sizeof(gs[0]); j++) {
		double g = gs[j];
		double voc = twin_solar_voc_V(&s, g);
		assert_true(fabs(voc - voc_bisect(&s, g)) < 1e-9);
		assert_true(twin_solar_current_A(&s, g, voc) == 0.0);
		assert_true(twin_solar_current_A(&s, g, voc - 1e-6) > 0.0);
		double last = INFINITY;
		for (int i = 0; i <= 5000; i++) {
			double v = i * 1e-3;
			double c = twin_solar_current_A(&s, g, v);
			assert_true(c >= 0.0);
			assert_true(c <= last);
			if (v >= voc)
				assert_true(c == 0.0);
			last = c;
		}
	}
	assert_true(twin_solar_voc_V(&s, 0.0) == 0.0);
	assert_true(twin_solar_max_power_W(&s, 0.0) == 0.0);
	assert_true(twin_solar_current_A(&s, 0.0, 1.0) == 0.0);
}

static void test_module_without_shunt(void **state)
{
	(void)state;
	struct twin_solar s = solar(1);
	s.r_sh_ohm = INFINITY;
	twin_solar_prepare(&s);
	double voc = twin_solar_voc_V(&s, 0.5);
	assert_true(fabs(voc - s.n_vt_V * log1p(0.5 * s.i_ph_A / s.i_0_A)) < 1e-12);
	assert_true(twin_solar_current_A(&s, 0.5, voc) == 0.0);
	assert_true(twin_solar_current_A(&s, 0.5, voc - 1e-6) > 0.0);
	/* more power than with the shunt */
	struct twin_solar with = solar(1);
	assert_true(twin_solar_max_power_W(&s, 0.5) > twin_solar_max_power_W(&with, 0.5));
	double vm = twin_solar_mpp_V(&s, 0.5);
	assert_true(vm > 0.0 && vm < voc);
}

static void test_voc_rises_with_light(void **state)
{
	(void)state;
	struct twin_solar s = solar(1);
	double last = 0.0;
	for (double g = 0.01; g < 1.2; g += 0.01) {
		double voc = twin_solar_voc_V(&s, g);
		assert_true(voc > last);
		last = voc;
	}
	/* with the shunt the closed form without it is an upper bound */
	double v0 = s.n_vt_V * log1p(0.25 * s.i_ph_A / s.i_0_A);
	assert_true(twin_solar_voc_V(&s, 0.25) < v0);
	assert_true(twin_solar_voc_V(&s, 0.25) > v0 - 0.02);
}

static void test_mpp_is_the_maximum_of_a_sweep(void **state)
{
	(void)state;
	struct twin_solar s = solar(1);
	const double gs[] = {0.01, 0.2425, 0.25, 0.6, 1.0, 1.03};
	for (size_t j = 0; j < sizeof(gs) / sizeof(gs[0]); j++) {
		double g = gs[j];
		double voc = twin_solar_voc_V(&s, g);
		const int n = 400000;
		double best = 0.0, best_v = 0.0;
		for (int i = 0; i <= n; i++) {
			double v = voc * i / n;
			double p = v * twin_solar_current_A(&s, g, v);
			if (p > best) {
				best = p;
				best_v = v;
			}
		}
		double pm = twin_solar_max_power_W(&s, g);
		double vm = twin_solar_mpp_V(&s, g);
		assert_true(pm >= best * (1.0 - 1e-15));
		assert_true(pm <= best * (1.0 + 1e-9));
		assert_true(vm > 0.0 && vm < voc);
		assert_true(fabs(vm - best_v) <= 2.0 * voc / n);
		/* the power at that voltage is the MPP's */
		double p_at = vm * twin_solar_current_A(&s, g, vm);
		assert_true(fabs(p_at - pm) <= 1e-12 * pm);
	}
}

static void test_light_profile(void **state)
{
	(void)state;
	struct twin_solar s = solar(1);
	const double lo = TWIN_SOLAR_LIGHT_MIN * (1.0 - TWIN_SOLAR_FLICKER);
	const double hi = TWIN_SOLAR_LIGHT_MAX * (1.0 + TWIN_SOLAR_FLICKER);
	double min = 10.0, max = -10.0;
	for (uint64_t k = 0; k < TWIN_SOLAR_PERIOD; k++) {
		double g = twin_solar_light(&s, k);
		if (g < min)
			min = g;
		if (g > max)
			max = g;
	}
	assert_true(min >= lo - 1e-15 && min <= lo + 1e-4);
	assert_true(max <= hi + 1e-15 && max >= hi - 1e-3);
	/* points of the formula: the light's slope times the flicker's */
	assert_true(fabs(twin_solar_light(&s, 0) - lo) < 1e-15);
	assert_true(fabs(twin_solar_light(&s, 500) - (0.25 + 0.75 * 500e-6) * 1.03) < 1e-15);
	assert_true(fabs(twin_solar_light(&s, 1000000) - 0.97) < 1e-15);
	assert_true(fabs(twin_solar_light(&s, 1000500) - (1.0 - 0.75 * 500e-6) * 1.03) < 1e-15);
	assert_true(fabs(twin_solar_light(&s, 1750250) - (0.25 + 0.75 * 0.24975) * 1.0) < 1e-15);
	/* periodic with 20 s, the same for another seed */
	struct twin_solar other = solar(99);
	for (uint64_t k = 0; k < 3000000; k += 7919) {
		double g = twin_solar_light(&s, k);
		assert_true(g == twin_solar_light(&s, k + TWIN_SOLAR_PERIOD));
		assert_true(g == twin_solar_light(&s, k + UINT64_C(123456789) * TWIN_SOLAR_PERIOD));
		assert_true(g == twin_solar_light(&other, k));
	}
	/* not periodic with less: half the period is the other slope */
	assert_true(twin_solar_light(&s, 250000) != twin_solar_light(&s, 250000 + 1000000));
	/* the flicker: 100 Hz, from 0.97 to 1.03 of the slope */
	assert_true(twin_solar_light(&s, 1500) / twin_solar_light(&s, 1000) > 1.06);
}

static void test_read_is_deterministic_per_seed(void **state)
{
	(void)state;
	struct twin_solar a = solar(42), b = solar(42), c = solar(43);
	int differ = 0;
	const int n = 10000;
	for (int k = 0; k < n; k++) {
		uint32_t dac = 13000 + (uint32_t)(k * 7 % 13000); /* 1 .. 2 V, below V_oc */
		uint32_t av, ai, bv, bi, cv, ci;
		twin_solar_read(&a, (uint64_t)k, dac, &av, &ai);
		twin_solar_read(&b, (uint64_t)k, dac, &bv, &bi);
		twin_solar_read(&c, (uint64_t)k, dac, &cv, &ci);
		assert_int_equal(av, bv);
		assert_int_equal(ai, bi);
		if (ai != ci && av != cv)
			differ++;
	}
	assert_true(differ > n * 9 / 10);
}

/* floor((value - offset) * 2^8 / gain) as the file's header puts it, without noise. */
static int64_t code_of(double value_u, int32_t offset, uint32_t gain)
{
	return (int64_t)floor((value_u - offset) * 256.0 / gain);
}

static void test_read_at_zero_mid_and_above_voc(void **state)
{
	(void)state;
	struct twin_solar s = solar(7);
	const struct pru_calibration *c = &s.cal;
	const int32_t pv = s.noise_v_peak, pi = s.noise_i_peak;
	assert_int_equal(pv, 32);
	assert_int_equal(pi, 256);
	for (uint64_t k = 0; k < 3000000; k += 104729) {
		double g = twin_solar_light(&s, k);
		uint32_t v, i;
		/* 0 V: the photo current, no voltage */
		twin_solar_read(&s, k, 0, &v, &i);
		assert_true(v <= (uint32_t)pv);
		int64_t ei =
			code_of(g * s.i_ph_A * 1e9, c->adc_current_offset, c->adc_current_gain);
		assert_true(ei > 35000 && ei < 190000);
		assert_true(llabs((int64_t)i - ei) <= pi);
		/* mid: DAC code for ~1.5 V */
		uint32_t dac = 19661;
		double v_set =
			dac * 1048576.0 / c->dac_voltage_gain + c->dac_voltage_offset; /* uV */
		assert_true(fabs(v_set - 1.5e6) < 100.0);
		twin_solar_read(&s, k, dac, &v, &i);
		int64_t ev = code_of(v_set, c->adc_voltage_offset, c->adc_voltage_gain);
		assert_true(llabs((int64_t)v - ev) <= pv);
		double cur = twin_solar_current_A(&s, g, v_set * 1e-6);
		ei = code_of(cur * 1e9, c->adc_current_offset, c->adc_current_gain);
		assert_true(llabs((int64_t)i - ei) <= pi);
		assert_true(cur < g * s.i_ph_A && cur > 0.9 * g * s.i_ph_A);
		/* far above V_oc (4.58 V): V_oc and no current */
		twin_solar_read(&s, k, 60000, &v, &i);
		double voc = twin_solar_voc_V(&s, g);
		ev = code_of(voc * 1e6, c->adc_voltage_offset, c->adc_voltage_gain);
		assert_true(ev > 115000 && ev < 135000);
		assert_true(llabs((int64_t)v - ev) <= pv);
		assert_true(i <= (uint32_t)pi);
		/* beyond the DAC's 16 bits: as its full scale */
		uint32_t v2, i2;
		twin_solar_read(&s, k, 0xFFFF, &v, &i);
		twin_solar_read(&s, k, 0x12345678, &v2, &i2);
		assert_int_equal(v, v2);
		assert_int_equal(i, i2);
	}
}

static void test_noise_is_small_and_zero_mean(void **state)
{
	(void)state;
	struct twin_solar s = solar(3), quiet = solar(3);
	quiet.noise_v_codes = 0;
	quiet.noise_i_codes = 0;
	twin_solar_prepare(&quiet);
	const int n = 200000;
	double sum_v = 0.0, sum_i = 0.0;
	int64_t max_v = 0, max_i = 0;
	for (int k = 0; k < n; k++) {
		/* below V_oc, where neither code is near a clamp */
		uint32_t dac = 13000 + (uint32_t)(k % 13000);
		uint32_t v, i, qv, qi;
		twin_solar_read(&s, (uint64_t)k, dac, &v, &i);
		twin_solar_read(&quiet, (uint64_t)k, dac, &qv, &qi);
		int64_t dv = (int64_t)v - qv, di = (int64_t)i - qi;
		sum_v += (double)dv;
		sum_i += (double)di;
		if (llabs(dv) > max_v)
			max_v = llabs(dv);
		if (llabs(di) > max_i)
			max_i = llabs(di);
		/* the voltage never reads above the set point by more than the noise peak */
		double v_set = dac * 1048576.0 / s.cal.dac_voltage_gain;
		assert_true((double)v <= floor(v_set * 256.0 / s.cal.adc_voltage_gain) + 32);
	}
	/* s.d. of the mean: 32/sqrt(6)/sqrt(n) = 0.03, 256/sqrt(6)/sqrt(n) = 0.23 */
	assert_true(fabs(sum_v / n) < 0.2);
	assert_true(fabs(sum_i / n) < 1.5);
	assert_true(max_v <= 32 && max_v >= 24);
	assert_true(max_i <= 256 && max_i >= 200);
}

static void test_codes_clamp(void **state)
{
	(void)state;
	struct twin_solar s = solar(5);
	/* a very fine ADC: 1/256 nA and 1/256 uV per LSB */
	s.cal.adc_current_gain = 1;
	s.cal.adc_voltage_gain = 1;
	twin_solar_prepare(&s);
	for (uint64_t k = 0; k < 100000; k += 997) {
		uint32_t v, i;
		twin_solar_read(&s, k, 26000, &v, &i);
		assert_int_equal(v, ADC_MAX);
		assert_int_equal(i, ADC_MAX);
	}
	/* offsets far above every value: 0 */
	s = solar(5);
	s.cal.adc_current_offset = 100000000; /* 100 mA */
	s.cal.adc_voltage_offset = 10000000;  /* 10 V */
	twin_solar_prepare(&s);
	for (uint64_t k = 0; k < 100000; k += 997) {
		uint32_t v, i;
		twin_solar_read(&s, k, 26000, &v, &i);
		assert_int_equal(v, 0);
		assert_int_equal(i, 0);
	}
	/* a negative DAC offset: code 0 is 0 V, not below */
	s = solar(5);
	s.cal.dac_voltage_offset = -500000;
	s.noise_v_codes = 0;
	s.noise_i_codes = 0;
	twin_solar_prepare(&s);
	uint32_t v, i;
	twin_solar_read(&s, 0, 0, &v, &i);
	assert_int_equal(v, 0);
	int64_t ei = code_of(twin_solar_light(&s, 0) * s.i_ph_A * 1e9, 0, s.cal.adc_current_gain);
	assert_true(llabs((int64_t)i - ei) <= 1);
}

static void test_max_energy_is_the_sum_of_max_power(void **state)
{
	(void)state;
	struct twin_solar s = solar(1);
	const uint64_t starts[] = {0, 123457, 998000, 1999000, UINT64_C(1000000000007)};
	for (size_t j = 0; j < sizeof(starts) / sizeof(starts[0]); j++) {
		const uint64_t n = 4000;
		double sum = 0.0;
		for (uint64_t k = starts[j]; k < starts[j] + n; k++)
			sum += twin_solar_max_power_W(&s, twin_solar_light(&s, k)) * 10e-6;
		double e = twin_solar_max_energy_J(&s, starts[j], n);
		assert_true(fabs(e - sum) <= 1e-9 * sum);
		/* between a quarter and full light's MPP power */
		assert_true(e > n * 10e-6 * 0.0140 && e < n * 10e-6 * 0.0710);
	}
	assert_true(twin_solar_max_energy_J(&s, 5, 0) == 0.0);
	assert_true(fabs(twin_solar_max_energy_J(&s, 77, 1) -
			 twin_solar_max_power_W(&s, twin_solar_light(&s, 77)) * 10e-6) <= 1e-15);
	/* a whole period twice is twice one, and windows add up */
	double one = twin_solar_max_energy_J(&s, 0, TWIN_SOLAR_PERIOD);
	double two = twin_solar_max_energy_J(&s, 0, 2 * TWIN_SOLAR_PERIOD);
	assert_true(fabs(two - 2.0 * one) <= 1e-9 * two);
	double a = twin_solar_max_energy_J(&s, 0, 700001);
	double b = twin_solar_max_energy_J(&s, 700001, TWIN_SOLAR_PERIOD - 700001);
	assert_true(fabs(a + b - one) <= 1e-9 * one);
	/* over 20 s: about the mean of the quarter and full light's MPP powers */
	assert_true(one > 20.0 * 0.035 && one < 20.0 * 0.045);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_has_the_documented_character),
		cmocka_unit_test(test_current_at_zero_is_the_photo_current),
		cmocka_unit_test(test_current_is_zero_at_voc_and_never_negative),
		cmocka_unit_test(test_module_without_shunt),
		cmocka_unit_test(test_voc_rises_with_light),
		cmocka_unit_test(test_mpp_is_the_maximum_of_a_sweep),
		cmocka_unit_test(test_light_profile),
		cmocka_unit_test(test_read_is_deterministic_per_seed),
		cmocka_unit_test(test_read_at_zero_mid_and_above_voc),
		cmocka_unit_test(test_noise_is_small_and_zero_mean),
		cmocka_unit_test(test_codes_clamp),
		cmocka_unit_test(test_max_energy_is_the_sum_of_max_power),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
