/*
 * Unit tests of the twin against the converter scenarios of pru-settings.md 8 (the ones
 * shepherd-core checks its Python model with): V_intermediate_init 2 V, nominal emulator
 * calibration, ivsample input, the load as the emulator's current ADC code. The relations of
 * the table must hold for the firmware's integer model too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_twin_util.h"

static const char *const all_sources[] = {"direct",  "diode+capacitor", "diode+resistor+capacitor",
					  "BQ25504", "BQ25504s",        "BQ25570",
					  "BQ25570s"};

struct run {
	struct twin *t;
	double leak_J; /* sum of V_mid * I_leak over the samples */
	uint32_t last_dac;
};

static void start(struct run *r, const char *name)
{
	struct vsource vs;
	struct twin_settings s;
	memset(&s, 0, sizeof(s));
	assert_int_equal(vs_fixture(name, &vs), SHP_OK);
	vs.V_intermediate_init_mV = 2000;
	assert_int_equal(vs_export(&vs, SHP_DTYPE_IVSAMPLE, false, &s.conv), SHP_OK);
	assert_int_equal(vh_export_emulation(&vs.harvester, SHP_DTYPE_IVSAMPLE, 0, NAN, &s.hrv),
			 SHP_OK);
	tw_cal_emulator(&s.cal);
	r->t = twin_new();
	assert_non_null(r->t);
	assert_true(twin_init(r->t, &s, true));
	assert_int_equal(twin_V_mid_uV(r->t), 2000000);
	r->leak_J = 0;
	r->last_dac = 0;
}

static void step(struct run *r, double V, double I, double load_A)
{
	const double leak_nA = r->t->s.conv.scalar[8];
	r->leak_J += twin_V_mid_uV(r->t) * leak_nA * 1e-15 * 1e-5;
	uint32_t ov, oc;
	r->last_dac = twin_emulate(r->t, (uint32_t)llround(V * 1e6), (uint32_t)llround(I * 1e9),
				   tw_load_code(load_A), &ov, &oc);
}

static bool near(double a, double b, double rel)
{
	return fabs(a - b) <= rel * fabs(b);
}

static void test_minimum(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(all_sources) / sizeof(all_sources[0]); k++) {
		struct run r;
		start(&r, all_sources[k]);
		step(&r, 0, 0, 0);
		const struct twin_energy e = twin_energy(r.t);
		assert_int_equal(e.samples, 1);
		assert_true(e.into_storage_J == 0);
		assert_true(e.harvested_J == 0);
		assert_true(e.out_of_storage_J >= 0);
		twin_free(r.t);
	}
}

static void run_static(double V, double I)
{
	struct run r;
	start(&r, "BQ25504");
	for (int k = 0; k < 2000; k++)
		step(&r, V, I, 0);
	const struct twin_energy e = twin_energy(r.t);
	assert_true(e.into_storage_J == 0);
	assert_true(r.leak_J > 0);
	assert_true(near(e.out_of_storage_J, r.leak_J, 1e-4));
	twin_free(r.t);
}

static void test_static_1(void **state)
{
	(void)state;
	run_static(3.0, 0);
}

static void test_static_2(void **state)
{
	(void)state;
	run_static(0, 3e-3);
}

static void test_charge(void **state)
{
	(void)state;
	static const char *const sources[] = {"diode+resistor+capacitor", "BQ25504", "BQ25504s",
					      "BQ25570", "BQ25570s"};
	for (size_t k = 0; k < sizeof(sources) / sizeof(sources[0]); k++) {
		struct run r;
		start(&r, sources[k]);
		for (int n = 0; n < 8000; n++)
			step(&r, 1.0 + 1e-3 * n, 1.5e-3, 0);
		step(&r, 1.0, 1e-3, 0);
		const struct twin_energy e = twin_energy(r.t);
		assert_true(e.into_storage_J > 0);
		if (r.leak_J == 0)
			assert_true(e.out_of_storage_J == 0);
		else
			assert_true(near(e.out_of_storage_J, r.leak_J, 0.2));
		assert_true(r.last_dac > 0);
		assert_true(twin_V_mid_uV(r.t) > 2000000);
		twin_free(r.t);
	}
}

static void test_drain(void **state)
{
	(void)state;
	static const char *const sources[] = {"BQ25504s", "BQ25570", "BQ25570s"};
	for (size_t k = 0; k < sizeof(sources) / sizeof(sources[0]); k++) {
		struct run r;
		start(&r, sources[k]);
		for (int n = 0; n < 4000; n++)
			step(&r, 1e-3 * n, 2e-3, 0);
		const struct twin_energy pre = twin_energy(r.t);
		assert_true(pre.into_storage_J > 0);
		r.leak_J = 0;
		const uint32_t V_before = twin_V_mid_uV(r.t);
		for (int n = 0; n < 4000; n++) {
			step(&r, 0, 0, 1e-6 * n);
			assert_true(r.last_dac <= 0xFFFF);
		}
		const struct twin_energy e = twin_energy(r.t);
		assert_true(e.into_storage_J == pre.into_storage_J);
		assert_true(e.out_of_storage_J - pre.out_of_storage_J > r.leak_J);
		assert_true(twin_V_mid_uV(r.t) < V_before);
		twin_free(r.t);
	}
}

static void test_over_voltage(void **state)
{
	(void)state;
	struct run r;
	start(&r, "BQ25504");
	for (int n = 0; n < 100; n++) {
		step(&r, 10.0, 3e-3, 0);
		/* P_inp = eta * V_clipped * I with eta <= 255/256: the clipped voltage is the
		 * source's V_input_max of 3 V, below 5 V */
		const uint64_t P = r.t->conv.P_inp_fW_n8;
		assert_true(P > 0);
		assert_true(P <= 256ull * 5000000u * 3000000u);
		assert_true(P % (3000000ull * 3000000u) == 0);
	}
	assert_true(twin_energy(r.t).into_storage_J > 0);
	twin_free(r.t);
}

static void test_over_current(void **state)
{
	(void)state;
	struct run r;
	start(&r, "BQ25504");
	for (int n = 0; n < 100; n++)
		step(&r, 5.0, 100e-3, 0);
	assert_true(twin_energy(r.t).into_storage_J > 0);
	twin_free(r.t);
}

static void test_cycle(void **state)
{
	(void)state;
	struct run r;
	start(&r, "BQ25504s");
	for (int n = 0; n < 2000; n++)
		step(&r, 5.0, 4e-3, 0);
	assert_true(r.last_dac > 0);
	for (int n = 0; n < 2000; n++)
		step(&r, 0, 0, 40e-3);
	assert_int_equal(r.last_dac, 0);
	for (int n = 0; n < 2000; n++)
		step(&r, 5.0, 4e-3, 0);
	assert_true(r.last_dac > 0);
	const struct twin_energy e = twin_energy(r.t);
	assert_true(e.out_of_storage_J > 3 * r.leak_J);
	assert_true(e.into_storage_J > e.out_of_storage_J);
	twin_free(r.t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimum),      cmocka_unit_test(test_static_1),
		cmocka_unit_test(test_static_2),     cmocka_unit_test(test_charge),
		cmocka_unit_test(test_drain),        cmocka_unit_test(test_over_voltage),
		cmocka_unit_test(test_over_current), cmocka_unit_test(test_cycle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
