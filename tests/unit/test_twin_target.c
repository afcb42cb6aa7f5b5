/*
 * Unit tests of the twin's targets (twin_target.h): the spec parser with its error messages,
 * the format round trip, the integer formulas of voltage, current and ADC code, the
 * controlled variants, and the closed loop of twin_emulate_block.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_twin_util.h"
#include "twin/twin_target.h"

static struct twin_target parse_ok(const char *spec)
{
	struct twin_target t;
	char why[160];
	if (!twin_target_parse(spec, &t, why, sizeof(why)))
		fail_msg("'%s' refused: %s", spec, why);
	return t;
}

static void parse_bad(const char *spec, const char *needle)
{
	struct twin_target t;
	char why[160] = "";
	if (twin_target_parse(spec, &t, why, sizeof(why)))
		fail_msg("'%s' accepted", spec);
	if (!strstr(why, needle))
		fail_msg("'%s': message '%s' lacks '%s'", spec, why, needle);
}

static void test_parse(void **state)
{
	(void)state;
	struct twin_target t = parse_ok("none");
	assert_int_equal(t.kind, TWIN_TARGET_NONE);
	t = parse_ok("resistor:1000");
	assert_int_equal(t.kind, TWIN_TARGET_RESISTOR);
	assert_true(t.active == 1000000);
	assert_false(t.controlled);
	t = parse_ok("resistor:0.001");
	assert_true(t.active == 1);
	t = parse_ok("resistor:47.25:controlled");
	assert_true(t.active == 47250);
	assert_true(t.controlled);
	t = parse_ok("resistor:.5");
	assert_true(t.active == 500);
	t = parse_ok("current:0.001");
	assert_int_equal(t.kind, TWIN_TARGET_CURRENT);
	assert_true(t.active == 1000000);
	assert_true(t.sleep == 0);
	t = parse_ok("current:2e-3:1e-6:controlled");
	assert_true(t.active == 2000000);
	assert_true(t.sleep == 1000);
	assert_true(t.controlled);
	t = parse_ok("current:0.5:0");
	assert_true(t.sleep == 0);
	t = parse_ok("power:0.01");
	assert_int_equal(t.kind, TWIN_TARGET_POWER);
	assert_true(t.active == 10000000);
	t = parse_ok("power:1e-3:1e-6:controlled");
	assert_true(t.active == 1000000 && t.sleep == 1000 && t.controlled);

	parse_bad("bulb:3", "unknown target kind 'bulb'");
	parse_bad("", "unknown target kind ''");
	parse_bad("resistor", "missing");
	parse_bad("resistor:", "missing");
	parse_bad("resistor:-5", "negative");
	parse_bad("resistor:0", "zero");
	parse_bad("resistor:0.000", "zero");
	parse_bad("resistor:abc", "not a number");
	parse_bad("resistor:1.2.3", "not a number");
	parse_bad("resistor:1.2345", "more than 3 decimals");
	parse_bad("resistor:1e3", "not a number");
	parse_bad("resistor:10:20", "too many fields");
	parse_bad("current", "missing");
	parse_bad("current:", "missing");
	parse_bad("current:-1", "negative");
	parse_bad("current:0", "zero");
	parse_bad("current:1e-12", "zero");
	parse_bad("current:1mA", "not a number");
	parse_bad("current:nan", "not a number");
	parse_bad("current:5", "too large");
	parse_bad("current:1:-1", "negative");
	parse_bad("current:1:2:3", "too many fields");
	parse_bad("power:x", "not a number");
	parse_bad("power:1:2:controlled:4", "too many fields");
	parse_bad("none:controlled", "too many fields");
	parse_bad("a:b:c:d:e:f", "too many fields");
}

/* format prints the integer n-units exactly (no %g rounding), so parse(format(t)) == t for
 * every value, also those with more than 10 significant digits */
static void test_format_round_trip(void **state)
{
	(void)state;
	static const struct {
		const char *spec, *formatted;
	} specs[] = {{"none", "none"},
		     {"resistor:1000", "resistor:1000"},
		     {"resistor:47.25:controlled", "resistor:47.25:controlled"},
		     {"resistor:0.001", "resistor:0.001"},
		     {"resistor:2.5", "resistor:2.5"},
		     {"current:0.002", "current:0.002"},
		     {"current:0.002:1e-06:controlled", "current:0.002:0.000001:controlled"},
		     {"power:0.01", "power:0.01"},
		     {"power:0.001:1e-06", "power:0.001:0.000001"},
		     {"power:3", "power:3"},
		     /* 11 and 13 significant digits: %.10g gave 4.294967295 -> ok but
		      * 1234.567891 for the power */
		     {"current:4.294967295", "current:4.294967295"},
		     {"power:1234.567891234", "power:1234.567891234"},
		     {"power:9999.999999999:0.123456789", "power:9999.999999999:0.123456789"}};
	for (size_t k = 0; k < sizeof(specs) / sizeof(specs[0]); k++) {
		const struct twin_target t = parse_ok(specs[k].spec);
		char buf[96];
		twin_target_format(&t, buf, sizeof(buf));
		assert_string_equal(buf, specs[k].formatted);
		const struct twin_target u = parse_ok(buf);
		assert_int_equal(t.kind, u.kind);
		assert_int_equal(t.controlled, u.controlled);
		assert_true(t.active == u.active && t.sleep == u.sleep);
	}
	/* round(A * 1e9) is half-even (nearbyint): 2.5 nA -> 2, 3.5 nA -> 4 */
	assert_true(parse_ok("current:2.5e-9").active == 2);
	assert_true(parse_ok("current:3.5e-9").active == 4);
}

static void test_formulas(void **state)
{
	(void)state;
	/* V = floor(dac * 10^6 / 13107) */
	assert_int_equal(twin_target_voltage_uV(0), 0);
	assert_int_equal(twin_target_voltage_uV(13107), 1000000);
	assert_int_equal(twin_target_voltage_uV(31457), 2400015);  /* 2400015.26 */
	assert_int_equal(twin_target_voltage_uV(0xFFFF), 5000000); /* 13107 * 5 = 65535 */
	/* resistor: floor(V * 10^6 / mOhm) */
	const struct twin_target r = parse_ok("resistor:1000");
	assert_int_equal(twin_target_current_nA(&r, 2400015, true), 2400015);
	assert_int_equal(twin_target_current_nA(&r, 2400015, false), 2400015);
	const struct twin_target r3 = parse_ok("resistor:3.3:controlled");
	assert_int_equal(twin_target_current_nA(&r3, 1000000, true), 303030303);
	assert_int_equal(twin_target_current_nA(&r3, 1000000, false), 0);
	const struct twin_target rs = parse_ok("resistor:0.001");
	assert_int_equal(twin_target_current_nA(&rs, 5000000, true), UINT32_MAX);
	/* current: constant while V > 0, sleep while power-good is low (controlled) */
	const struct twin_target c = parse_ok("current:0.001:0.000002:controlled");
	assert_int_equal(twin_target_current_nA(&c, 0, true), 0);
	assert_int_equal(twin_target_current_nA(&c, 1, true), 1000000);
	assert_int_equal(twin_target_current_nA(&c, 1, false), 2000);
	const struct twin_target cu = parse_ok("current:0.001:0.000002");
	assert_int_equal(twin_target_current_nA(&cu, 1, false), 1000000);
	const struct twin_target cn = parse_ok("current:0.001:controlled");
	assert_int_equal(twin_target_current_nA(&cn, 1, false), 0);
	/* power: floor(nW * 10^6 / V) */
	const struct twin_target p = parse_ok("power:0.003:0.000003:controlled");
	assert_int_equal(twin_target_current_nA(&p, 0, true), 0);
	assert_int_equal(twin_target_current_nA(&p, 3000000, true), 1000000);
	assert_int_equal(twin_target_current_nA(&p, 7000000, true), 428571);
	assert_int_equal(twin_target_current_nA(&p, 3000000, false), 1000);
	assert_int_equal(twin_target_current_nA(&p, 1, true), UINT32_MAX);
	const struct twin_target none = parse_ok("none");
	assert_int_equal(twin_target_current_nA(&none, 3000000, true), 0);
	/* ADC: min(2^18 - 1, floor(I * 4915200 / 10^9)) */
	assert_int_equal(twin_target_adc(0), 0);
	assert_int_equal(twin_target_adc(1000000), 4915);
	assert_int_equal(twin_target_adc(203), 0);
	assert_int_equal(twin_target_adc(204), 1);
	assert_int_equal(twin_target_adc(53333333), 262143);
	assert_int_equal(twin_target_adc(60000000), 262143);
}

/* the loop: the target sees the previous DAC code and power-good; the same samples through
 * twin_emulate with the formulas applied by hand give identical outputs */
static void test_emulate_block(void **state)
{
	(void)state;
	struct twin_settings s;
	tw_settings("BQ25504s", NULL, SHP_DTYPE_IVSAMPLE, false, 0, NAN, &s);
	const struct twin_target target = parse_ok("resistor:1000:controlled");
	enum { N = 30000 };
	static uint32_t in[2 * N], ov[N], oc[N], rv[N], rc[N];
	static uint8_t flags[N];
	for (uint32_t k = 0; k < N; k++) {
		in[2 * k] = 1200000 + (k % 1000) * 100;
		in[2 * k + 1] = k < N / 2 ? 20000 : 5000000;
	}
	struct twin *a = twin_new(), *b = twin_new();
	assert_true(twin_init(a, &s, true));
	assert_true(twin_init(b, &s, true));
	twin_emulate_block(a, &target, in, N / 3, ov, oc, flags);
	twin_emulate_block(a, &target, in + 2 * (N / 3), N - N / 3, ov + N / 3, oc + N / 3,
			   flags + N / 3);
	uint32_t dac = 0;
	bool pg = true, saw_low = false, saw_high_again = false;
	double target_J = 0;
	for (uint32_t k = 0; k < N; k++) {
		const uint32_t V = twin_target_voltage_uV(dac);
		const uint32_t I = twin_target_current_nA(&target, V, pg);
		dac = twin_emulate(b, in[2 * k], in[2 * k + 1], twin_target_adc(I), &rv[k], &rc[k]);
		pg = twin_power_good(b);
		target_J += (double)V * I * 1e-20;
		assert_int_equal(ov[k], rv[k]);
		assert_int_equal(oc[k], rc[k]);
		const uint8_t f = (uint8_t)((pg ? TWIN_FLAG_POWER_GOOD : 0) |
					    (twin_gpio_paused(b) ? TWIN_FLAG_GPIO_PAUSED : 0));
		assert_int_equal(flags[k], f);
		saw_low |= !pg;
		saw_high_again |= saw_low && pg;
	}
	/* the run drains below power-good (the load sleeps) and recovers with more input */
	assert_true(saw_low);
	assert_true(saw_high_again);
	const struct twin_energy ea = twin_energy(a), eb = twin_energy(b);
	assert_true(fabs(ea.to_target_J - target_J) <= 1e-9 * target_J);
	assert_true(ea.to_target_J > 0);
	assert_true(eb.to_target_J == 0);
	assert_true(ea.out_of_storage_J == eb.out_of_storage_J);
	assert_int_equal(ea.samples_power_good, eb.samples_power_good);
	twin_free(a);
	twin_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_formulas),
		cmocka_unit_test(test_emulate_block),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
