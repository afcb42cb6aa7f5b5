/*
 * Unit tests of the virtual source: every fixture resolved and exported against the [calc]
 * scalars and tables of pru-settings.md 4.4, aliases, the converter mode with ivcurve input
 * and intermediate logging, inheritance with overrides, the nested harvester replaced whole,
 * the warnings of dropped features and the checks.
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
#include "settings/fixtures.h"
#include "settings/model_fields.h"
#include "settings/vsource.h"

static int issues;
static char messages[4096];
static char warnings[4096];

static void collect(void *ctx, const struct settings_issue *issue)
{
	(void)ctx;
	issues++;
	size_t used = strlen(messages);
	snprintf(messages + used, sizeof(messages) - used, "%s%d[%d][%d]: %s\n",
		 issue->in_harvester ? "harvester " : "", issue->field, issue->row, issue->col,
		 issue->msg);
}

static void capture(void *ctx, uint64_t t, int level, const char *msg)
{
	(void)ctx;
	(void)t;
	if (level == SHP_LOG_WARNING) {
		size_t used = strlen(warnings);
		snprintf(warnings + used, sizeof(warnings) - used, "%s\n", msg);
	}
}

static int resolve(const struct vs_partial *p, struct vsource *out)
{
	issues = 0;
	messages[0] = '\0';
	return vs_resolve(p, out, collect, NULL);
}

static struct vsource fixture(const char *name)
{
	struct vsource vs;
	if (vs_fixture(name, &vs) != SHP_OK)
		fail_msg("fixture %s does not resolve", name);
	return vs;
}

static struct pru_converter export(const struct vsource *vs, enum shp_energy_dtype dtype_in,
				   bool log_intermediate)
{
	struct pru_converter out;
	if (vs_export(vs, dtype_in, log_intermediate, &out) != SHP_OK)
		fail_msg("%s does not export", vs->name);
	return out;
}

static void assert_scalars(const struct pru_converter *got, const uint32_t want[24],
			   const char *what)
{
	for (int k = 0; k < 24; k++)
		if (got->scalar[k] != want[k])
			fail_msg("%s: scalar %d is %u, expected %u", what, k, got->scalar[k],
				 want[k]);
}

/* pru-settings.md 4.4, "Exported scalar fields 0...23", aliases with the values of their base */
static const struct {
	const char *names[3];
	uint32_t scalar[24];
	const char *harvester;
} table[] = {
	{{"neutral"},
	 {0, 0,       10000000, 4200000000u, 0,       0, 2684354560u, 3000000, 0, 1000, 0, 0,
	  0, 2800000, 2200000,  1,           1400000, 0, 10000000,    2400000, 0, 0,    0, 0},
	 "mppt_opt"},
	{{"direct"},
	 {0, 0,       10000000, 4200000000u, 0,       0, 2684354560u, 3000000, 0, 1000, 0, 0,
	  0, 2800000, 2200000,  1,           1400000, 0, 10000000,    2400000, 0, 0,    0, 0},
	 "direct"},
	{{"dio_cap", "diode+capacitor"},
	 {1,       0,       10000000, 4200000000u, 300000, 0,       57113,   3000000,
	  0,       2000000, 1800000,  30877,       0,      2800000, 2200000, 1,
	  1400000, 0,       10000000, 2400000,     0,      0,       0,       0},
	 "cv20"},
	{{"dio_res_cap", "diode+resistor+capacitor"},
	 {1,       0,       10000000, 4200000000u, 300000, 41943,   57113,   3000000,
	  0,       2000000, 1800000,  30877,       0,      2800000, 2200000, 1,
	  1400000, 0,       10000000, 2400000,     0,      0,       0,       0},
	 "cv20"},
	{{"BQ25504"},
	 {3,       0,       3000000, 100000000, 0,    0,       26843,   3000000,
	  330,     1000000, 0,       29227,     6400, 2800000, 2340000, 0,
	  1400000, 130000,  3600000, 2400000,   0,    17,      12,      0},
	 "mppt_bq_solar"},
	{{"BQ25504s", "BQ25504-Schmitt"},
	 {3,       0,       3000000, 100000000, 0,    0,       26843,   3000000,
	  330,     1000000, 0,       29227,     6400, 2800000, 2340000, 1,
	  1400000, 130000,  3600000, 2400000,   0,    17,      12,      0},
	 "mppt_bq_solar"},
	{{"BQ25570"},
	 {7,       0,       5100000, 100000000, 0,      0,       81344,   3400000,
	  0,       3000000, 2400000, 24545,     6400,   3000000, 2500000, 0,
	  1400000, 100000,  5500000, 2200000,   200000, 17,      12,      9},
	 "mppt_bq_solar"},
	{{"BQ25570s", "BQ25570-Schmitt", "default"},
	 {7,       0,       5100000, 100000000, 0,      0,       81344,   3400000,
	  0,       3000000, 2400000, 24545,     6400,   3000000, 2500000, 1,
	  1400000, 100000,  5500000, 2200000,   200000, 17,      12,      9},
	 "mppt_bq_solar"},
};

static const uint8_t bq_input_lut[12][12] = {
	{3, 3, 5, 13, 26, 38, 38, 51, 64, 77, 77, 90},
	{26, 51, 77, 102, 128, 141, 143, 146, 148, 151, 154, 156},
	{51, 102, 128, 154, 166, 169, 172, 174, 177, 179, 182, 184},
	{90, 141, 166, 182, 187, 189, 192, 192, 195, 197, 197, 200},
	{115, 166, 179, 187, 192, 197, 200, 202, 205, 207, 207, 210},
	{128, 179, 189, 195, 200, 202, 205, 207, 210, 212, 212, 215},
	{133, 187, 195, 200, 205, 207, 210, 212, 215, 218, 218, 220},
	{136, 192, 197, 202, 207, 210, 212, 215, 218, 220, 220, 223},
	{141, 197, 200, 205, 210, 212, 218, 220, 223, 223, 223, 225},
	{143, 200, 202, 207, 212, 218, 223, 225, 225, 225, 225, 228},
	{148, 202, 205, 210, 215, 220, 225, 228, 228, 228, 228, 230},
	{154, 205, 207, 212, 218, 223, 228, 230, 230, 230, 230, 230},
};
static const uint32_t bq25570_output_lut[12] = {40, 32, 27, 22, 20, 19, 18, 18, 18, 17, 17, 17};

static void assert_luts(const struct pru_converter *c, bool bq_input, bool bq25570_output,
			const char *what)
{
	for (int v = 0; v < 12; v++)
		for (int i = 0; i < 12; i++)
			if (c->lut_input[v][i] != (bq_input ? bq_input_lut[v][i] : 255))
				fail_msg("%s: input LUT [%d][%d] is %u", what, v, i,
					 c->lut_input[v][i]);
	for (int i = 0; i < 12; i++)
		if (c->lut_output[i] != (bq25570_output ? bq25570_output_lut[i] : 16))
			fail_msg("%s: output LUT [%d] is %u", what, i, c->lut_output[i]);
}

static void every_fixture_exports_the_table(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(table) / sizeof(table[0]); k++)
		for (int n = 0; n < 3 && table[k].names[n]; n++) {
			const char *name = table[k].names[n];
			struct vsource vs = fixture(name);
			assert_string_equal(vs.name, vs_fixture_by_name(name)->v.name);
			assert_string_equal(vs.harvester.name, table[k].harvester);
			struct pru_converter c = export(&vs, SHP_DTYPE_IVSAMPLE, false);
			assert_scalars(&c, table[k].scalar, name);
			bool bq = strncmp(name, "BQ", 2) == 0 || strcmp(name, "default") == 0;
			bool bq25570 =
				bq && (strstr(name, "25570") || strcmp(name, "default") == 0);
			assert_luts(&c, bq, bq25570, name);
		}
}

static void converter_mode_with_ivcurve_input_and_logging(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(table) / sizeof(table[0]); k++) {
		const char *name = table[k].names[0];
		struct vsource vs = fixture(name);
		bool diode = strncmp(name, "dio", 3) == 0;
		uint32_t mode = table[k].scalar[0];
		assert_int_equal(export(&vs, SHP_DTYPE_IVCURVE, false).scalar[0],
				 diode ? 17 : mode);
		assert_int_equal(export(&vs, SHP_DTYPE_IVSAMPLE, true).scalar[0], mode + 8);
		assert_int_equal(export(&vs, SHP_DTYPE_IVCURVE, true).scalar[0],
				 (diode ? 17 : mode) + 8);
	}
	/* the diode's feedback dropped for IV samples, with a warning */
	warnings[0] = '\0';
	struct vsource vs = fixture("diode+capacitor");
	export(&vs, SHP_DTYPE_IVSAMPLE, false);
	assert_non_null(strstr(warnings, "feedback to the harvester disabled"));
}

static void resolved_fields_follow_the_chain(void **state)
{
	(void)state;
	struct vsource vs = fixture("BQ25570");
	assert_true(vs.enable_boost && vs.enable_buck && !vs.enable_feedback_to_hrv);
	assert_true(vs.I_input_max_mA == 100 && vs.I_intermediate_leak_nA == 0);
	assert_true(vs.LUT_input_efficiency[0][0] == 0.01 &&
		    vs.LUT_input_efficiency[11][11] == 0.9);
	assert_int_equal(vs.LUT_input_V_min_log2_uV, 17);
	assert_int_equal(vs.LUT_input_I_min_log2_nA, 13);
	assert_int_equal(vs.LUT_output_I_min_log2_nA, 10);
	assert_true(vs.LUT_output_efficiency[0] == 0.40 && vs.LUT_output_efficiency[11] == 0.92);
	assert_true(vs.interval_startup_delay_drain_ms == 0);
	assert_int_equal(vs.harvester.algorithm, VH_MPPT_VOC);
	assert_true(vs.harvester.interval_ms == 16000);
	vs = fixture("dio_res_cap");
	assert_true(vs.R_input_mOhm == 10000 && vs.V_input_drop_mV == 300 &&
		    vs.C_intermediate_uF == 47);
	assert_int_equal(vs.harvester.algorithm, VH_CV);
	assert_true(vs.harvester.voltage_mV == 2000);
	/* ids */
	static const struct {
		int64_t id;
		const char *name;
	} ids[] = {{1000, "neutral"},
		   {1010, "direct"},
		   {1011, "diode+capacitor"},
		   {1012, "dio_cap"},
		   {1013, "diode+resistor+capacitor"},
		   {1014, "dio_res_cap"},
		   {1020, "BQ25504"},
		   {1021, "BQ25504s"},
		   {1022, "BQ25504-Schmitt"},
		   {1030, "BQ25570"},
		   {1031, "BQ25570s"},
		   {1032, "BQ25570-Schmitt"},
		   {1033, "default"}};
	for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		struct vs_partial p = {.h = {.has_id = true, .id = ids[k].id}};
		assert_int_equal(resolve(&p, &vs), 0);
		assert_string_equal(vs.name, ids[k].name);
	}
	vs = fixture("bq25570S");
	assert_string_equal(vs.name, "BQ25570s");
}

#define GIVE(p, field, member, value)                                                              \
	do {                                                                                       \
		(p).h.given |= SETTINGS_BIT(field);                                                \
		(p).v.member = (value);                                                            \
	} while (0)

static void overrides_on_a_fixture(void **state)
{
	(void)state;
	struct vsource vs;
	uint32_t want[24];
	/* {inherit_from: BQ25570, V_output_mV: 3300}: the base's name, the buck's new states */
	struct vs_partial p = {.h = {.inherit_from = "BQ25570"}};
	GIVE(p, VSF_V_OUTPUT, V_output_mV, 3300);
	assert_int_equal(resolve(&p, &vs), 0);
	assert_string_equal(vs.name, "BQ25570");
	struct pru_converter c = export(&vs, SHP_DTYPE_IVSAMPLE, false);
	memcpy(want, table[6].scalar, sizeof(want));
	want[19] = 3300000;
	/* enable 3000 <= V_pre = 3300 + 200 (buck drop): dV = 3300 (1 - sqrt(1 - 1/33)) =
	 * 50.385 mV, enabled that much above V_pre, disabled at V_pre */
	want[11] = 50385;
	want[9] = 3550385;
	want[10] = 3500000;
	assert_scalars(&c, want, "BQ25570 at 3.3 V");
	assert_luts(&c, true, true, "BQ25570 at 3.3 V");
	/* {name: BQ25570, C_output_uF: 0}: the fixture, then no output capacitor */
	vs_partial_named("BQ25570", &p);
	GIVE(p, VSF_C_OUTPUT, C_output_uF, 0);
	assert_int_equal(resolve(&p, &vs), 0);
	c = export(&vs, SHP_DTYPE_IVSAMPLE, false);
	memcpy(want, table[6].scalar, sizeof(want));
	want[11] = 0;
	assert_scalars(&c, want, "BQ25570 without C_output");
	/* an output capacitor larger than the storage: a warning, that drop is 0 */
	warnings[0] = '\0';
	vs_partial_named("BQ25570", &p);
	GIVE(p, VSF_C_OUTPUT, C_output_uF, 50);
	assert_int_equal(resolve(&p, &vs), 0);
	c = export(&vs, SHP_DTYPE_IVSAMPLE, false);
	assert_non_null(strstr(warnings, "C_output shouldn't be larger than C_intermediate"));
	assert_int_equal(c.scalar[11], 1709006); /* 3000 - sqrt(3000^2 - 50/33 * 2200^2) */
	/* boost without storage: dropped, with a warning */
	warnings[0] = '\0';
	vs_partial_named("BQ25504", &p);
	GIVE(p, VSF_C_INTERMEDIATE, C_intermediate_uF, 0);
	assert_int_equal(resolve(&p, &vs), 0);
	c = export(&vs, SHP_DTYPE_IVSAMPLE, false);
	assert_int_equal(c.scalar[0], 0);
	assert_int_equal(c.scalar[6], 2684354560u);
	assert_non_null(strstr(warnings, "boost disabled"));
	/* the capacitor constant is a floor division: exact quotients stay whole */
	vs_partial_named("neutral", &p);
	GIVE(p, VSF_C_INTERMEDIATE, C_intermediate_uF, 2.56);
	assert_int_equal(resolve(&p, &vs), 0);
	assert_int_equal(export(&vs, SHP_DTYPE_IVSAMPLE, false).scalar[6], 1048576);
	GIVE(p, VSF_C_INTERMEDIATE, C_intermediate_uF, 25.6);
	assert_int_equal(resolve(&p, &vs), 0);
	assert_int_equal(export(&vs, SHP_DTYPE_IVSAMPLE, false).scalar[6], 104857);
}

static void nested_harvester_is_replaced_whole(void **state)
{
	(void)state;
	struct vsource vs;
	struct vs_partial p;
	vs_partial_named("BQ25504", &p);
	p.h.given |= SETTINGS_BIT(VSF_HARVESTER);
	vh_partial_named("cv33", &p.harvester);
	assert_int_equal(resolve(&p, &vs), 0);
	assert_string_equal(vs.harvester.name, "cv33");
	assert_true(vs.harvester.voltage_mV == 3300 && vs.C_intermediate_uF == 100);
	/* a harvester of a few fields is not merged with the base's mppt_bq_solar */
	p = (struct vs_partial){
		.h = {.inherit_from = "BQ25504", .given = SETTINGS_BIT(VSF_HARVESTER)}};
	p.harvester.h.given = SETTINGS_BIT(VHF_VOLTAGE);
	p.harvester.v.voltage_mV = 1000;
	assert_int_equal(resolve(&p, &vs), 1);
	assert_non_null(strstr(messages, "harvester -1[-1][-1]: a harvester needs a name"));
	/* ... but may inherit on its own */
	snprintf(p.harvester.h.inherit_from, sizeof(p.harvester.h.inherit_from), "cv20");
	assert_int_equal(resolve(&p, &vs), 0);
	assert_true(vs.harvester.algorithm == VH_CV && vs.harvester.voltage_mV == 1000);
	assert_true(vs.I_intermediate_leak_nA == 330);
}

static void bad_sources_are_reported(void **state)
{
	(void)state;
	struct vsource vs;
	struct vs_partial p;
	vs_partial_named("BQ2557O", &p);
	assert_int_equal(resolve(&p, &vs), 1);
	assert_non_null(strstr(messages, "no source fixture is named 'BQ2557O'"));
	assert_non_null(strstr(messages, "BQ25570 (1030)"));
	/* a name of its own with fields: a custom source from the class defaults */
	warnings[0] = '\0';
	GIVE(p, VSF_C_INTERMEDIATE, C_intermediate_uF, 10);
	assert_int_equal(resolve(&p, &vs), 0);
	assert_true(vs.C_intermediate_uF == 10 && vs.V_output_mV == 2400);
	assert_string_equal(vs.harvester.name, "mppt_opt");
	assert_non_null(strstr(warnings, "is no fixture"));
	/* harvesters that cannot emulate */
	static const char *const recorders[] = {"isc_voc", "ivcurve", "iv1000"};
	for (size_t k = 0; k < 3; k++) {
		vs_partial_named("dio_cap", &p);
		p.h.given |= SETTINGS_BIT(VSF_HARVESTER);
		vh_partial_named(recorders[k], &p.harvester);
		assert_int_equal(resolve(&p, &vs), 1);
		assert_non_null(strstr(messages, "cannot emulate"));
	}
	/* bounds, LUT entries with their place */
	vs_partial_named("BQ25504", &p);
	GIVE(p, VSF_C_INTERMEDIATE, C_intermediate_uF, 2e5);
	GIVE(p, VSF_LUT_INPUT_I_LOG2, LUT_input_I_min_log2_nA, 0);
	p.h.given |= SETTINGS_BIT(VSF_LUT_OUTPUT);
	for (int i = 0; i < 12; i++)
		p.v.LUT_output_efficiency[i] = 0.5;
	p.v.LUT_output_efficiency[3] = 1.5;
	assert_int_equal(resolve(&p, &vs), 3);
	assert_non_null(
		strstr(messages, "200000 is out of range (0 <= C_intermediate_uF <= 100000)"));
	assert_non_null(strstr(messages, "0 is out of range (1 <= LUT_input_I_min_log2_nA <= 20)"));
	assert_non_null(strstr(messages, "[3][-1]: entry [3] = 1.5 is out of range (0 to 1)"));
	/* the harvester's problems are the harvester's */
	vs_partial_named("BQ25504", &p);
	p.h.given |= SETTINGS_BIT(VSF_HARVESTER);
	vh_partial_named("mppt_voc", &p.harvester);
	p.harvester.h.given |= SETTINGS_BIT(VHF_SETPOINT);
	p.harvester.v.setpoint_n = 2;
	assert_int_equal(resolve(&p, &vs), 1);
	assert_non_null(strstr(messages, "harvester 8[-1][-1]: 2 is out of range"));
	p = (struct vs_partial){.h = {.inherit_from = "BQ25590"}};
	assert_int_equal(resolve(&p, &vs), 1);
	assert_non_null(strstr(messages, "no source fixture is named 'BQ25590'"));
}

static void defaults_are_upstreams(void **state)
{
	(void)state;
	struct vsource d, n = fixture("neutral");
	vs_defaults(&d);
	assert_string_equal(d.harvester.name, "mppt_opt");
	assert_int_equal(d.harvester.algorithm, VH_MPPT_OPT);
	/* neutral is the class defaults: field by field (not memcmp: padding) */
	for (int k = VSF_NAME + 1; k < VSF_COUNT; k++)
		if (vs_fields[k].type != SFT_HARVESTER &&
		    memcmp((char *)&d + vs_fields[k].offset, (char *)&n + vs_fields[k].offset,
			   vs_fields[k].size) != 0)
			fail_msg("%s differs", vs_fields[k].name);
}

/* A value set without its given-bit would be dropped silently: every other field is zero. */
static void fixtures_hold_only_their_given_fields(void **state)
{
	(void)state;
	for (size_t k = 0; k < vs_fixture_count(); k++) {
		const struct vs_partial *fx = vs_fixture_at(k);
		for (int f = 0; f < VSF_COUNT; f++) {
			if (fx->h.given & SETTINGS_BIT(f) || vs_fields[f].type == SFT_HARVESTER)
				continue;
			const unsigned char *at =
				(const unsigned char *)&fx->v + vs_fields[f].offset;
			for (size_t b = 0; b < vs_fields[f].size; b++)
				if (at[b])
					fail_msg("%s: %s set but not given", fx->v.name,
						 vs_fields[f].name);
		}
		bool harvester = fx->h.given & SETTINGS_BIT(VSF_HARVESTER);
		assert_int_equal(harvester, fx->harvester.h.given != 0);
	}
	assert_int_equal(vs_fixture_count(), 13);
}

int main(void)
{
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	shp_log_set_sink(capture, NULL, SHP_LOG_DEBUG);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_fixture_exports_the_table),
		cmocka_unit_test(converter_mode_with_ivcurve_input_and_logging),
		cmocka_unit_test(resolved_fields_follow_the_chain),
		cmocka_unit_test(overrides_on_a_fixture),
		cmocka_unit_test(nested_harvester_is_replaced_whole),
		cmocka_unit_test(bad_sources_are_reported),
		cmocka_unit_test(defaults_are_upstreams),
		cmocka_unit_test(fixtures_hold_only_their_given_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
