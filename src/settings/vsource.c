/*
 * vsource.c - the virtual source model: class defaults, checks, and the export to the
 * converter's 24 scalars and two efficiency tables (pru-settings.md 4.2, 4.3).
 *
 * As in vharvester.c, every formula keeps shepherd-core's order of operations; the capacitor
 * constant is Python's floor division of doubles, done the way CPython does it.
 */
#include "settings/vsource.h"

#include <math.h>
#include <stdio.h>

#include "common/log.h"
#include "settings/fixtures.h"
#include "settings/model_fields.h"
#include "settings/round_even.h"

#define SAMPLERATE_SPS 100000.0

void vs_defaults(struct vsource *vs)
{
	*vs = (struct vsource){
		.V_input_max_mV = 10000,
		.I_input_max_mA = 4200,
		.V_intermediate_init_mV = 3000,
		.V_intermediate_enable_threshold_mV = 1,
		.V_intermediate_disable_threshold_mV = 0,
		.V_pwr_good_enable_threshold_mV = 2800,
		.V_pwr_good_disable_threshold_mV = 2200,
		.immediate_pwr_good_signal = true,
		.C_output_uF = 1.0,
		.V_output_log_gpio_threshold_mV = 1400,
		.V_intermediate_max_mV = 10000,
		.LUT_input_V_min_log2_uV = 0,
		.LUT_input_I_min_log2_nA = 1,
		.V_output_mV = 2400,
		.LUT_output_I_min_log2_nA = 1,
	};
	for (int v = 0; v < VS_LUT_SIZE; v++) {
		vs->LUT_output_efficiency[v] = 1.0;
		for (int i = 0; i < VS_LUT_SIZE; i++)
			vs->LUT_input_efficiency[v][i] = 1.0;
	}
	if (vh_fixture("mppt_opt", &vs->harvester) != SHP_OK)
		vh_defaults(&vs->harvester); /* not reached: the fixtures resolve */
}

int vs_validate(const struct vsource *vs, settings_report_fn report, void *ctx)
{
	int problems = settings_check_bounds(vs_fields, VSF_COUNT, vs, false, report, ctx);
	if (vh_datatype(&vs->harvester) != SHP_DTYPE_IVSAMPLE)
		problems += settings_report(
			report, ctx, false, VSF_HARVESTER, -1, -1,
			"harvester '%s' (algorithm %s) records %s data and cannot emulate: a source "
			"needs one that yields IV samples (cv, mppt_voc, mppt_po, mppt_opt, direct)",
			vs->harvester.name, vh_algorithm_name(vs->harvester.algorithm),
			shp_dtype_file_name(vh_datatype(&vs->harvester)));
	return problems;
}

/* a // b of Python floats: floor of the exact quotient, via fmod as CPython's float_floor_div */
static double py_floor_div(double a, double b)
{
	double mod = fmod(a, b);
	double div = (a - mod) / b;
	if (mod != 0 && (b < 0) != (mod < 0))
		div -= 1.0;
	if (div == 0)
		return copysign(0.0, a / b);
	double floor_div = floor(div);
	if (div - floor_div > 0.5)
		floor_div += 1.0;
	return floor_div;
}

/* The voltage drops when the output switches on, charging C_output from the storage. */
struct internal_states {
	double dV_enable_output_mV, V_enable_output_threshold_mV, V_disable_output_threshold_mV;
};

static struct internal_states calc_internal_states(const struct vsource *vs)
{
	double dV_en = 0, dV_low = 0;
	if (vs->C_intermediate_uF > 0 && vs->C_output_uF > 0) {
		double v_old = vs->V_intermediate_enable_threshold_mV;
		double v_out = vs->V_output_mV; /* also without buck, as upstream */
		double ratio = vs->C_output_uF / vs->C_intermediate_uF;
		double radicand = pow(v_old, 2) - ratio * pow(v_out, 2);
		/* pow(x, 0.5) as upstream, not sqrt; a negative x is a complex result there,
		 * replaced by 0 below */
		dV_en = radicand >= 0 ? v_old - pow(radicand, 0.5) : NAN;
		dV_low = 1 - ratio >= 0 ? v_out * (1 - pow(1 - ratio, 0.5)) : NAN;
	}
	if (!(dV_en >= 0))
		dV_en = 0;
	if (!(dV_low >= 0)) {
		log_warn("virtual source '%s': C_output shouldn't be larger than C_intermediate",
			 vs->name);
		dV_low = 0;
	}
	struct internal_states s = {dV_en, vs->V_intermediate_enable_threshold_mV,
				    vs->V_intermediate_disable_threshold_mV};
	if (vs->enable_buck) {
		double v_pre = vs->V_output_mV + vs->V_buck_drop_mV;
		if (vs->V_intermediate_enable_threshold_mV <= v_pre) {
			s.dV_enable_output_mV = dV_low;
			s.V_enable_output_threshold_mV = v_pre + dV_low;
		}
		if (!(vs->V_intermediate_disable_threshold_mV > v_pre))
			s.V_disable_output_threshold_mV = v_pre;
	}
	return s;
}

static uint32_t converter_mode(const struct vsource *vs, enum shp_energy_dtype dtype_in,
			       bool log_intermediate)
{
	bool storage = vs->C_intermediate_uF > 0;
	bool boost = vs->enable_boost && storage;
	if (vs->enable_boost && !boost)
		log_warn("virtual source '%s': boost disabled, it needs a storage capacitor "
			 "(C_intermediate_uF > 0)",
			 vs->name);
	bool feedback =
		vs->enable_feedback_to_hrv && storage && !boost && dtype_in == SHP_DTYPE_IVCURVE;
	if (vs->enable_feedback_to_hrv && !feedback)
		log_warn("virtual source '%s': feedback to the harvester disabled, it needs a "
			 "storage capacitor%s, no boost%s and an ivcurve input%s",
			 vs->name, storage ? "" : " (missing)", boost ? " (boost is on)" : "",
			 dtype_in == SHP_DTYPE_IVCURVE ? "" : " (the input is not one)");
	return 1u * storage + 2u * boost + 4u * vs->enable_buck + 8u * log_intermediate +
	       16u * feedback;
}

static bool scalar(const struct vsource *vs, const char *field, double v, uint32_t *out)
{
	if (!(v >= 0 && v <= (double)UINT32_MAX)) {
		log_error("virtual source '%s': %s = %.17g does not fit the PRU's unsigned 32 bits",
			  vs->name, field, v);
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* Python's round() of v as a u32 field; false (logged) if it does not fit. */
static bool rounded(const struct vsource *vs, const char *field, double v, uint32_t *out)
{
	return scalar(vs, field, shp_round_half_even(v), out);
}

static void export_luts(const struct vsource *vs, struct pru_converter *out)
{
	for (int v = 0; v < VS_LUT_SIZE; v++)
		for (int i = 0; i < VS_LUT_SIZE; i++) {
			double n8 = shp_round_half_even(256 * vs->LUT_input_efficiency[v][i]);
			out->lut_input[v][i] = (uint8_t)fmin(255, fmax(0, n8));
		}
	for (int i = 0; i < VS_LUT_SIZE; i++) {
		double eta = vs->LUT_output_efficiency[i];
		out->lut_output[i] =
			eta > 0 ? (uint32_t)fmin(1 << 14, shp_round_half_even(16 / eta)) : 1u << 14;
	}
}

shp_err vs_export(const struct vsource *vs, enum shp_energy_dtype dtype_in, bool log_intermediate,
		  struct pru_converter *out)
{
	struct internal_states st = calc_internal_states(vs);
	uint32_t *s = out->scalar;
	*out = (struct pru_converter){0};
	s[0] = converter_mode(vs, dtype_in, log_intermediate);
	bool ok = rounded(vs, "interval_startup_delay_drain_ms",
			  vs->interval_startup_delay_drain_ms * SAMPLERATE_SPS * 1e-3, &s[1]);
	ok &= rounded(vs, "V_input_max_mV", vs->V_input_max_mV * 1e3, &s[2]);
	ok &= rounded(vs, "I_input_max_mA", vs->I_input_max_mA * 1e6, &s[3]);
	ok &= rounded(vs, "V_input_drop_mV", vs->V_input_drop_mV * 1e3, &s[4]);
	ok &= rounded(vs, "R_input_mOhm", vs->R_input_mOhm * (1e-6 * 4194304.0), &s[5]);
	/* (10 us / C in nF) * 2^28: 1000 * 2^28 // (C_uF * SPS), C at least 1 nF */
	double cap_uF = fmax(vs->C_intermediate_uF, 0.001);
	ok &= scalar(vs, "C_intermediate_uF",
		     py_floor_div(1000.0 * 268435456.0, cap_uF * SAMPLERATE_SPS), &s[6]);
	ok &= rounded(vs, "V_intermediate_init_mV", vs->V_intermediate_init_mV * 1e3, &s[7]);
	ok &= rounded(vs, "I_intermediate_leak_nA", vs->I_intermediate_leak_nA, &s[8]);
	ok &= rounded(vs, "V_enable_output_threshold", st.V_enable_output_threshold_mV * 1e3,
		      &s[9]);
	ok &= rounded(vs, "V_disable_output_threshold", st.V_disable_output_threshold_mV * 1e3,
		      &s[10]);
	ok &= rounded(vs, "dV_enable_output", st.dV_enable_output_mV * 1e3, &s[11]);
	ok &= rounded(vs, "interval_check_thresholds_ms",
		      vs->interval_check_thresholds_ms * SAMPLERATE_SPS * 1e-3, &s[12]);
	ok &= rounded(vs, "V_pwr_good_enable_threshold_mV",
		      vs->V_pwr_good_enable_threshold_mV * 1e3, &s[13]);
	ok &= rounded(vs, "V_pwr_good_disable_threshold_mV",
		      vs->V_pwr_good_disable_threshold_mV * 1e3, &s[14]);
	s[15] = vs->immediate_pwr_good_signal;
	ok &= rounded(vs, "V_output_log_gpio_threshold_mV",
		      vs->V_output_log_gpio_threshold_mV * 1e3, &s[16]);
	ok &= rounded(vs, "V_input_boost_threshold_mV", vs->V_input_boost_threshold_mV * 1e3,
		      &s[17]);
	ok &= rounded(vs, "V_intermediate_max_mV", vs->V_intermediate_max_mV * 1e3, &s[18]);
	ok &= rounded(vs, "V_output_mV", vs->V_output_mV * 1e3, &s[19]);
	ok &= rounded(vs, "V_buck_drop_mV", vs->V_buck_drop_mV * 1e3, &s[20]);
	s[21] = vs->LUT_input_V_min_log2_uV;
	/* the PRU takes a log2 of the shifted value: one less (pru-settings.md 4.3) */
	ok &= scalar(vs, "LUT_input_I_min_log2_nA", (double)vs->LUT_input_I_min_log2_nA - 1,
		     &s[22]);
	ok &= scalar(vs, "LUT_output_I_min_log2_nA", (double)vs->LUT_output_I_min_log2_nA - 1,
		     &s[23]);
	export_luts(vs, out);
	return ok ? SHP_OK : SHP_ERR_CONFIG;
}
