/*
 * Unit tests of the virtual harvester: every fixture resolved and exported against the [calc]
 * vectors of pru-settings.md 3.5, aliases and ids, the validator's corrections and checks, the
 * exporters' refusals and Python's round-half-even.
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
#include "settings/round_even.h"
#include "settings/vharvester.h"

static int issues;
static char messages[4096];

static void collect(void *ctx, const struct settings_issue *issue)
{
	(void)ctx;
	issues++;
	size_t used = strlen(messages);
	snprintf(messages + used, sizeof(messages) - used, "%d: %s\n", issue->field, issue->msg);
}

static int resolve(const struct vh_partial *p, struct vharvester *out)
{
	issues = 0;
	messages[0] = '\0';
	return vh_resolve(p, out, collect, NULL);
}

static struct vharvester fixture(const char *name)
{
	struct vharvester vh;
	if (vh_fixture(name, &vh) != SHP_OK)
		fail_msg("fixture %s does not resolve", name);
	return vh;
}

static void assert_vector(const struct pru_harvester *got, const uint32_t want[12],
			  const char *what)
{
	const uint32_t have[12] = {got->algorithm,       got->hrv_mode,         got->window_size,
				   got->voltage_uV,      got->voltage_min_uV,   got->voltage_max_uV,
				   got->voltage_step_uV, got->current_limit_nA, got->setpoint_n8,
				   got->interval_n,      got->duration_n,       got->wait_cycles_n};
	for (int k = 0; k < 12; k++)
		if (have[k] != want[k])
			fail_msg("%s: field %d is %u, expected %u", what, k, have[k], want[k]);
}

/* pru-settings.md 3.5, "PRU vectors for recording" */
static const struct {
	const char *name;
	uint32_t vector[12];
	uint32_t window_samples;
} recording[] = {
	{"ivcurve", {16, 4, 909, 2500000, 0, 5000000, 5507, 50000000, 179, 10000, 10, 0}, 909},
	{"ivsurface", {16, 4, 909, 2500000, 0, 5000000, 5507, 50000000, 179, 10000, 10, 0}, 909},
	{"iv110", {16, 4, 909, 2500000, 0, 5000000, 5507, 50000000, 179, 10000, 10, 0}, 909},
	{"iv1000", {16, 4, 100, 2500000, 0, 5000000, 50505, 50000000, 179, 10000, 10, 0}, 100},
	{"isc_voc", {8, 6, 8, 2500000, 0, 5000000, 714286, 50000000, 179, 10000, 10, 4}, 10},
	{"cv10", {256, 6, 8, 1000000, 0, 5000000, 714286, 50000000, 179, 10000, 10, 1}, 0},
	{"cv20", {256, 6, 8, 2000000, 0, 5000000, 714286, 50000000, 179, 10000, 10, 1}, 0},
	{"cv24", {256, 6, 8, 2400000, 0, 5000000, 714286, 50000000, 179, 10000, 10, 1}, 0},
	{"cv33", {256, 6, 8, 3300000, 0, 5000000, 714286, 50000000, 179, 10000, 10, 1}, 0},
	{"mppt_voc", {4096, 6, 8, 2500000, 0, 5000000, 714286, 5000, 195, 10000, 120, 1}, 0},
	{"mppt_bq_solar",
	 {4096, 6, 8, 2500000, 0, 5000000, 714286, 5000, 195, 1600000, 25600, 1},
	 0},
	{"mppt_bq", {4096, 6, 8, 2500000, 0, 5000000, 714286, 5000, 195, 1600000, 25600, 1}, 0},
	{"mppt_bq_thermoelectric",
	 {4096, 6, 8, 2500000, 0, 5000000, 714286, 5000, 128, 1600000, 25600, 1},
	 0},
	{"mppt_bqt", {4096, 6, 8, 2500000, 0, 5000000, 714286, 5000, 128, 1600000, 25600, 1}, 0},
	{"mppt_po", {8192, 6, 8, 2500000, 0, 5000000, 10000, 50000000, 179, 1800, 10, 1}, 0},
	{"mppt_opt", {16384, 6, 8, 2500000, 0, 5000000, 1000, 50000000, 179, 2, 2, 1}, 0},
};

static void recording_vectors_of_every_fixture(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(recording) / sizeof(recording[0]); k++) {
		struct vharvester vh = fixture(recording[k].name);
		struct pru_harvester out;
		assert_int_equal(vh_export_recording(&vh, &out), SHP_OK);
		assert_vector(&out, recording[k].vector, recording[k].name);
		assert_int_equal(vh_window_samples(&vh), recording[k].window_samples);
	}
}

/* pru-settings.md 3.5, "PRU vectors for emulation with ivsample input" */
static const struct {
	const char *name;
	uint32_t vector[12];
} emulation[] = {
	{"cv10", {256, 7, 0, 1000000, 0, 5000000, 714286, 50000000, 179, 10000, 16, 1}},
	{"cv20", {256, 7, 0, 2000000, 0, 5000000, 714286, 50000000, 179, 10000, 16, 1}},
	{"cv24", {256, 7, 0, 2400000, 0, 5000000, 714286, 50000000, 179, 10000, 16, 1}},
	{"cv33", {256, 7, 0, 3300000, 0, 5000000, 714286, 50000000, 179, 10000, 16, 1}},
	{"mppt_voc", {4096, 7, 0, 2500000, 0, 5000000, 714286, 5000, 195, 10000, 120, 1}},
	{"mppt_bq_solar", {4096, 7, 0, 2500000, 0, 5000000, 714286, 5000, 195, 1600000, 25600, 1}},
	{"mppt_bq_thermoelectric",
	 {4096, 7, 0, 2500000, 0, 5000000, 714286, 5000, 128, 1600000, 25600, 1}},
	{"mppt_po", {8192, 7, 0, 2500000, 0, 5000000, 10000, 50000000, 179, 1800, 16, 1}},
	{"mppt_opt", {16384, 7, 0, 2500000, 0, 5000000, 1000, 50000000, 179, 16, 16, 1}},
	{"direct", {1, 7, 0, 2500000, 0, 5000000, 714286, 50000000, 179, 10000, 16, 1}},
};

static void emulation_vectors_with_ivsample_input(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(emulation) / sizeof(emulation[0]); k++) {
		struct vharvester vh = fixture(emulation[k].name);
		struct pru_harvester out;
		assert_int_equal(vh_export_emulation(&vh, SHP_DTYPE_IVSAMPLE, 0, NAN, &out),
				 SHP_OK);
		assert_vector(&out, emulation[k].vector, emulation[k].name);
		assert_int_equal(vh_datatype(&vh), SHP_DTYPE_IVSAMPLE);
	}
}

static void ivcurve_input_takes_the_files_window_and_step(void **state)
{
	(void)state;
	/* the ivcurve recorder's curves: 909 samples, steps of 5000 mV / 908 */
	double step_V = 5000.0 / 908 / 1000;
	for (size_t k = 0; k < sizeof(emulation) / sizeof(emulation[0]); k++) {
		struct vharvester vh = fixture(emulation[k].name);
		struct pru_harvester out;
		assert_int_equal(vh_export_emulation(&vh, SHP_DTYPE_IVCURVE, 909, step_V, &out),
				 SHP_OK);
		uint32_t want[12];
		memcpy(want, emulation[k].vector, sizeof(want));
		want[2] = 909;
		want[6] = 5507;
		assert_vector(&out, want, emulation[k].name);
	}
	/* a step the input's config carries wins for IV samples too */
	struct vharvester vh = fixture("cv20");
	struct pru_harvester out;
	assert_int_equal(vh_export_emulation(&vh, SHP_DTYPE_IVSAMPLE, 0, 0.002, &out), SHP_OK);
	assert_int_equal(out.voltage_step_uV, 2000);
	assert_int_equal(out.window_size, 0);
}

/* pru-settings.md 3.5, the resolved parameters */
static void resolved_parameters_equal_the_table(void **state)
{
	(void)state;
	struct vharvester vh = fixture("ivcurve");
	assert_int_equal(vh.algorithm, VH_IVCURVE);
	assert_int_equal(vh.samples_n, 909);
	assert_false(vh.rising);
	assert_true(vh.enable_linear_extrapolation);
	assert_int_equal(vh.wait_cycles, 0);
	assert_true(fabs(vh.voltage_step_mV - 5.50661) < 5e-6);
	assert_true(vh.current_limit_uA == 50000 && vh.interval_ms == 100 && vh.duration_ms == 0.1);
	vh = fixture("iv1000");
	assert_int_equal(vh.samples_n, 100);
	assert_true(fabs(vh.voltage_step_mV - 50.5051) < 5e-5);
	vh = fixture("isc_voc");
	assert_true(vh.rising);
	assert_int_equal(vh.wait_cycles, 4);
	assert_true(fabs(vh.voltage_step_mV - 714.286) < 5e-4);
	vh = fixture("mppt_voc");
	assert_true(vh.current_limit_uA == 5 && vh.setpoint_n == 0.76 && vh.duration_ms == 1.2);
	vh = fixture("mppt_bqt");
	assert_true(vh.setpoint_n == 0.5 && vh.interval_ms == 16000 && vh.duration_ms == 256);
	vh = fixture("mppt_po");
	assert_true(vh.voltage_step_mV == 10 && vh.interval_ms == 18);
	vh = fixture("mppt_opt");
	assert_true(vh.voltage_step_mV == 1 && vh.interval_ms == 0.01 && vh.duration_ms == 0.1);
	vh = fixture("direct");
	assert_int_equal(vh.algorithm, VH_NEUTRAL);
	assert_true(vh.voltage_mV == 2500 && vh.voltage_min_mV == 0 && vh.voltage_max_mV == 5000);
	assert_string_equal(vh.name, "direct");
}

/* field by field (not memcmp: padding), the name aside */
static bool same_but_name(struct vharvester a, struct vharvester b)
{
	for (int k = VHF_NAME + 1; k < VHF_COUNT; k++)
		if (memcmp((char *)&a + vh_fields[k].offset, (char *)&b + vh_fields[k].offset,
			   vh_fields[k].size) != 0)
			return false;
	return true;
}

static void aliases_and_ids(void **state)
{
	(void)state;
	assert_true(same_but_name(fixture("ivsurface"), fixture("ivcurve")));
	assert_true(same_but_name(fixture("iv110"), fixture("ivcurve")));
	assert_true(same_but_name(fixture("mppt_bq"), fixture("mppt_bq_solar")));
	assert_true(same_but_name(fixture("mppt_bqt"), fixture("mppt_bq_thermoelectric")));
	assert_false(same_but_name(fixture("mppt_bq"), fixture("mppt_bqt")));
	/* names match whatever the case; the fixture keeps its own spelling */
	struct vharvester vh = fixture("MPPT_Opt");
	assert_string_equal(vh.name, "mppt_opt");

	static const struct {
		int64_t id;
		const char *name;
	} ids[] = {{1100, "ivcurve"},
		   {1101, "ivsurface"},
		   {1102, "iv1000"},
		   {1103, "iv110"},
		   {1200, "isc_voc"},
		   {2100, "cv20"},
		   {2101, "cv24"},
		   {2102, "cv10"}, /* cv33 has 2102 too: the later wins */
		   {2200, "mppt_voc"},
		   {2201, "mppt_bq"},
		   {2202, "mppt_bqt"},
		   {2203, "mppt_bq_solar"},
		   {2204, "mppt_bq_thermoelectric"},
		   {2205, "mppt_po"},
		   {2206, "mppt_opt"},
		   {3000, "direct"}};
	for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		struct vh_partial p = {.h = {.has_id = true, .id = ids[k].id}};
		assert_int_equal(resolve(&p, &vh), 0);
		assert_string_equal(vh.name, ids[k].name);
	}
	assert_true(vh_fixture_by_name("neutral") && vh_fixture_by_id(1000));
	assert_true(vh_fixture_by_name("cv33")->h.id == 2102);
	assert_int_equal(fixture("cv10").voltage_mV, 1000);
}

#define GIVE(p, field, member, value)                                                              \
	do {                                                                                       \
		(p).h.given |= SETTINGS_BIT(field);                                                \
		(p).v.member = (value);                                                            \
	} while (0)

static void fields_overlay_the_fixture(void **state)
{
	(void)state;
	struct vh_partial p;
	struct vharvester vh;
	vh_partial_named("mppt_voc", &p);
	GIVE(p, VHF_SETPOINT, setpoint_n, 0.9);
	GIVE(p, VHF_WAIT_CYCLES, wait_cycles, 3);
	assert_int_equal(resolve(&p, &vh), 0);
	assert_int_equal(vh.algorithm, VH_MPPT_VOC);
	assert_true(vh.setpoint_n == 0.9 && vh.current_limit_uA == 5 && vh.duration_ms == 1.2);
	assert_int_equal(vh.wait_cycles, 3);
	/* inherit_from: the base's fields under the base's name unless one is given */
	p = (struct vh_partial){.h = {.inherit_from = "cv20"}};
	GIVE(p, VHF_VOLTAGE, voltage_mV, 1800);
	assert_int_equal(resolve(&p, &vh), 0);
	assert_string_equal(vh.name, "cv20");
	assert_true(vh.algorithm == VH_CV && vh.voltage_mV == 1800);
	GIVE(p, VHF_NAME, name[0], 'x');
	assert_int_equal(resolve(&p, &vh), 0);
	assert_string_equal(vh.name, "x");
	/* a custom harvester: the class defaults, the step computed from its ramp */
	vh_partial_named("ramp", &p);
	GIVE(p, VHF_ALGORITHM, algorithm, VH_IVCURVE);
	GIVE(p, VHF_SAMPLES_N, samples_n, 11);
	GIVE(p, VHF_VOLTAGE_MIN, voltage_min_mV, 1000);
	GIVE(p, VHF_VOLTAGE_MAX, voltage_max_mV, 3000);
	assert_int_equal(resolve(&p, &vh), 0);
	assert_true(vh.voltage_step_mV == 200);
	assert_true(vh.setpoint_n == 0.7 && vh.wait_cycles == 1 && vh.rising);
	assert_int_equal(vh_window_samples(&vh), 22);
	GIVE(p, VHF_VOLTAGE_STEP, voltage_step_mV, NAN); /* null: computed too */
	assert_int_equal(resolve(&p, &vh), 0);
	assert_true(vh.voltage_step_mV == 200);
}

static void validator_corrections(void **state)
{
	(void)state;
	struct vharvester vh;
	vh_defaults(&vh);
	snprintf(vh.name, sizeof(vh.name), "custom");
	vh.algorithm = VH_CV;
	vh.current_limit_uA = 0.5;
	vh.voltage_step_mV = 0.1;
	issues = 0;
	messages[0] = '\0';
	/* raised to the nominal ADC's 4 LSB and the DAC's 4 LSB, then below the bounds of 1 */
	assert_int_equal(vh_validate(&vh, false, collect, NULL), 2);
	assert_true(vh.current_limit_uA == 1e6 * (4 * (1.0 / 4915200)));
	assert_true(fabs(vh.current_limit_uA - 0.8138) < 1e-4);
	assert_true(vh.voltage_step_mV == 1e3 * (4 * (1.0 / 13107)));
	assert_true(fabs(vh.voltage_step_mV - 0.30518) < 1e-5);
	assert_non_null(strstr(messages, "(1 <= current_limit_uA <= 50000)"));
	assert_non_null(strstr(messages, "voltage_step_mV"));
	/* a value within bounds is kept */
	vh_defaults(&vh);
	vh.algorithm = VH_CV;
	vh.current_limit_uA = 1;
	assert_int_equal(vh_validate(&vh, false, collect, NULL), 0);
	assert_true(vh.current_limit_uA == 1);
}

static void bad_harvesters_are_reported(void **state)
{
	(void)state;
	struct vh_partial p;
	struct vharvester vh;
	vh_partial_named("mppt_opx", &p);
	assert_int_equal(resolve(&p, &vh), 1);
	assert_non_null(strstr(messages, "'mppt_opx'"));
	assert_non_null(strstr(messages, "mppt_opt (2206)"));
	assert_non_null(strstr(messages, "cv10 (2102)"));
	/* a name that is no fixture, fields but no algorithm: the known names again */
	GIVE(p, VHF_VOLTAGE, voltage_mV, 2000);
	assert_int_equal(resolve(&p, &vh), 1);
	assert_non_null(strstr(messages, "no algorithm is given (known: neutral (1000)"));
	/* the base only */
	vh_partial_named("Neutral", &p);
	assert_int_equal(resolve(&p, &vh), 1);
	assert_non_null(strstr(messages, "'neutral' is the base"));
	/* unknown id and base, self-reference */
	p = (struct vh_partial){.h = {.has_id = true, .id = 4242}};
	assert_int_equal(resolve(&p, &vh), 1);
	assert_non_null(strstr(messages, "-3: no harvester fixture has the id 4242"));
	p = (struct vh_partial){.h = {.inherit_from = "cv99"}};
	assert_int_equal(resolve(&p, &vh), 1);
	assert_non_null(strstr(messages, "-2: no harvester fixture is named 'cv99'"));
	vh_partial_named("cv20", &p);
	snprintf(p.h.inherit_from, sizeof(p.h.inherit_from), "CV20");
	assert_int_equal(resolve(&p, &vh), 1);
	assert_non_null(strstr(messages, "inherits from itself"));
	/* bounds: all reported */
	vh_partial_named("cv20", &p);
	GIVE(p, VHF_SAMPLES_N, samples_n, 2001);
	GIVE(p, VHF_SETPOINT, setpoint_n, 1.5);
	GIVE(p, VHF_INTERVAL, interval_ms, 0.001);
	GIVE(p, VHF_VOLTAGE_MIN, voltage_min_mV, 2500);
	assert_int_equal(resolve(&p, &vh), 3);
	assert_non_null(strstr(messages, "2001 is out of range (8 <= samples_n <= 2000)"));
	assert_non_null(strstr(messages, "1.5 is out of range (0 <= setpoint_n <= 1)"));
	assert_non_null(strstr(messages, "0.001 is out of range (0.01 <= interval_ms <= 1000000)"));
	/* the order of min, voltage and max: only once every field is in bounds (as pydantic) */
	vh_partial_named("cv20", &p);
	GIVE(p, VHF_VOLTAGE_MIN, voltage_min_mV, 2500);
	assert_int_equal(resolve(&p, &vh), 1);
	assert_non_null(strstr(messages, "voltage_mV (2000) is outside voltage_min_mV"));
	GIVE(p, VHF_VOLTAGE_MAX, voltage_max_mV, 2000);
	GIVE(p, VHF_VOLTAGE_MIN, voltage_min_mV, 2400);
	assert_int_equal(resolve(&p, &vh), 1);
	assert_non_null(strstr(messages, "voltage_min_mV (2400) is above voltage_max_mV (2000)"));
	/* a ramp's computed step, 400 mV / 2000 raised to 4 DAC LSB, is below 1 mV */
	GIVE(p, VHF_SAMPLES_N, samples_n, 2000);
	assert_int_equal(resolve(&p, &vh), 1);
	assert_non_null(
		strstr(messages, "0.30518043793392846 is out of range (1 <= voltage_step_mV"));
	/* no name at all */
	p = (struct vh_partial){0};
	GIVE(p, VHF_ALGORITHM, algorithm, VH_CV);
	assert_int_equal(resolve(&p, &vh), 1);
	assert_non_null(strstr(messages, "needs a name"));
}

static void exporters_refuse_what_the_firmware_cannot(void **state)
{
	(void)state;
	struct pru_harvester out;
	struct vharvester direct = fixture("direct"), ivcurve = fixture("ivcurve");
	struct vharvester isc_voc = fixture("isc_voc"), cv = fixture("cv20");
	assert_int_equal(vh_export_recording(&direct, &out), SHP_ERR_CONFIG);
	assert_int_equal(vh_export_emulation(&ivcurve, SHP_DTYPE_IVSAMPLE, 0, NAN, &out),
			 SHP_ERR_CONFIG);
	assert_int_equal(vh_export_emulation(&isc_voc, SHP_DTYPE_IVSAMPLE, 0, NAN, &out),
			 SHP_ERR_CONFIG);
	assert_int_equal(vh_export_emulation(&cv, SHP_DTYPE_ISC_VOC, 10, 0.001, &out),
			 SHP_ERR_CONFIG);
	assert_int_equal(vh_export_emulation(&cv, SHP_DTYPE_IVCURVE, 0, 0.001, &out),
			 SHP_ERR_CONFIG);
	assert_int_equal(vh_export_emulation(&cv, SHP_DTYPE_IVCURVE, 909, NAN, &out),
			 SHP_ERR_CONFIG);
	assert_int_equal(vh_datatype(&ivcurve), SHP_DTYPE_IVCURVE);
	assert_int_equal(vh_datatype(&isc_voc), SHP_DTYPE_ISC_VOC);
	assert_string_equal(shp_dtype_file_name(vh_datatype(&ivcurve)), "ivcurve");
	assert_string_equal(shp_dtype_file_name(vh_datatype(&cv)), "ivtrace");
}

static void round_half_even(void **state)
{
	(void)state;
	assert_true(shp_round_half_even(0.5) == 0);
	assert_true(shp_round_half_even(1.5) == 2);
	assert_true(shp_round_half_even(2.5) == 2);
	assert_true(shp_round_half_even(3.5) == 4);
	assert_true(shp_round_half_even(-0.5) == 0 && signbit(shp_round_half_even(-0.5)));
	assert_true(shp_round_half_even(-1.5) == -2);
	assert_true(shp_round_half_even(714.2857142857143 * 1000) == 714286);
	assert_true(shp_round_half_even(2.4999999999999996) == 2);
	/* ties in the exporter: these products are exactly k + 0.5 */
	struct vharvester vh;
	vh_defaults(&vh);
	snprintf(vh.name, sizeof(vh.name), "ties");
	vh.algorithm = VH_CV;
	vh.voltage_min_mV = 0.0025;    /* 2.5 uV -> 2 */
	vh.voltage_mV = 0.0035;        /* 3.5 uV -> 4 */
	vh.voltage_max_mV = 1000.0005; /* 1000000.5 uV -> 1000000 */
	vh.setpoint_n = 2.5 / 256;     /* 2.5 -> 2 */
	vh.voltage_step_mV = 1.0045;   /* 1004.5 uV -> 1004 */
	assert_int_equal(vh_validate(&vh, false, collect, NULL), 0);
	struct pru_harvester out;
	assert_int_equal(vh_export_recording(&vh, &out), SHP_OK);
	assert_int_equal(out.voltage_min_uV, 2);
	assert_int_equal(out.voltage_uV, 4);
	assert_int_equal(out.voltage_max_uV, 1000000);
	assert_int_equal(out.setpoint_n8, 2);
	assert_int_equal(out.voltage_step_uV, 1004);
}

/* A value set without its given-bit would be dropped silently: every other field is zero. */
static void fixtures_hold_only_their_given_fields(void **state)
{
	(void)state;
	for (size_t k = 0; k < vh_fixture_count(); k++) {
		const struct vh_partial *fx = vh_fixture_at(k);
		for (int f = 0; f < VHF_COUNT; f++) {
			if (fx->h.given & SETTINGS_BIT(f))
				continue;
			const unsigned char *at =
				(const unsigned char *)&fx->v + vh_fields[f].offset;
			for (size_t b = 0; b < vh_fields[f].size; b++)
				if (at[b])
					fail_msg("%s: %s set but not given", fx->v.name,
						 vh_fields[f].name);
		}
		assert_true(fx->h.has_id && fx->v.name[0]);
	}
	assert_int_equal(vh_fixture_count(), 18);
	assert_null(vh_fixture_at(18));
}

static void algorithm_names_and_aliases(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum vh_algorithm algorithm;
	} names[] = {
		{"neutral", VH_NEUTRAL},   {"direct", VH_NEUTRAL},  {"disable", VH_NEUTRAL},
		{"isc_voc", VH_ISC_VOC},   {"ivcurve", VH_IVCURVE}, {"ivcurves", VH_IVCURVE},
		{"ivsurface", VH_IVCURVE}, {"cv", VH_CV},           {"constant", VH_CV},
		{"mppt_voc", VH_MPPT_VOC}, {"mppt_po", VH_MPPT_PO}, {"perturb_observe", VH_MPPT_PO},
		{"mppt_opt", VH_MPPT_OPT}, {"optimal", VH_MPPT_OPT}};
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		enum vh_algorithm a = 0;
		assert_true(vh_algorithm_parse(names[k].name, &a));
		assert_int_equal(a, names[k].algorithm);
	}
	enum vh_algorithm a;
	assert_false(vh_algorithm_parse("MPPT_OPT", &a));
	assert_string_equal(vh_algorithm_name(VH_MPPT_PO), "mppt_po");
	assert_string_equal(vh_algorithm_name(VH_NEUTRAL), "neutral");
	enum shp_energy_dtype d;
	assert_true(shp_dtype_parse("ivsurface", &d) && d == SHP_DTYPE_IVCURVE);
	assert_true(shp_dtype_parse("ivsamples", &d) && d == SHP_DTYPE_IVSAMPLE);
	assert_true(shp_dtype_parse("ivtrace", &d) && d == SHP_DTYPE_IVSAMPLE);
	assert_true(shp_dtype_parse("isc_voc", &d) && d == SHP_DTYPE_ISC_VOC);
	assert_false(shp_dtype_parse("IVTRACE", &d));
	assert_string_equal(shp_dtype_file_name(SHP_DTYPE_ISC_VOC), "isc_voc");
}

int main(void)
{
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(recording_vectors_of_every_fixture),
		cmocka_unit_test(emulation_vectors_with_ivsample_input),
		cmocka_unit_test(ivcurve_input_takes_the_files_window_and_step),
		cmocka_unit_test(resolved_parameters_equal_the_table),
		cmocka_unit_test(aliases_and_ids),
		cmocka_unit_test(fields_overlay_the_fixture),
		cmocka_unit_test(validator_corrections),
		cmocka_unit_test(bad_harvesters_are_reported),
		cmocka_unit_test(exporters_refuse_what_the_firmware_cannot),
		cmocka_unit_test(round_half_even),
		cmocka_unit_test(fixtures_hold_only_their_given_fields),
		cmocka_unit_test(algorithm_names_and_aliases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
