/*
 * vharvester.c - the virtual harvester model: algorithms, class defaults, the validator's
 * corrections and checks, and the export to the PRU's twelve integers (pru-settings.md 3).
 *
 * The formulas follow shepherd-core's expressions operation by operation (ms * SPS * 1e-3, not
 * ms * 100), so that every double, and so every tie of the round-half-even, is the same.
 */
#include "settings/vharvester.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "settings/calibration.h"
#include "settings/model_fields.h"
#include "settings/round_even.h"

#define SAMPLERATE_SPS 100000.0

static const struct {
	const char *name;
	enum vh_algorithm algorithm;
} algorithm_names[] = {
	{"neutral", VH_NEUTRAL},         {"isc_voc", VH_ISC_VOC},
	{"ivcurve", VH_IVCURVE},         {"cv", VH_CV},
	{"mppt_voc", VH_MPPT_VOC},       {"mppt_po", VH_MPPT_PO},
	{"mppt_opt", VH_MPPT_OPT},       {"direct", VH_NEUTRAL}, /* the aliases after the names */
	{"disable", VH_NEUTRAL},         {"ivcurves", VH_IVCURVE},
	{"ivsurface", VH_IVCURVE},       {"constant", VH_CV},
	{"perturb_observe", VH_MPPT_PO}, {"optimal", VH_MPPT_OPT},
};

const char *vh_algorithm_name(enum vh_algorithm algorithm)
{
	for (size_t k = 0; k < sizeof(algorithm_names) / sizeof(algorithm_names[0]); k++)
		if (algorithm_names[k].algorithm == algorithm)
			return algorithm_names[k].name;
	return "none";
}

bool vh_algorithm_parse(const char *name, enum vh_algorithm *out)
{
	for (size_t k = 0; k < sizeof(algorithm_names) / sizeof(algorithm_names[0]); k++)
		if (strcmp(algorithm_names[k].name, name) == 0) {
			*out = algorithm_names[k].algorithm;
			return true;
		}
	return false;
}

const char *vh_algorithm_names(void)
{
	return "neutral (direct, disable), isc_voc, ivcurve (ivcurves, ivsurface), cv (constant), "
	       "mppt_voc, mppt_po (perturb_observe), mppt_opt (optimal)";
}

enum shp_energy_dtype vh_datatype(const struct vharvester *vh)
{
	if (vh->algorithm == VH_ISC_VOC)
		return SHP_DTYPE_ISC_VOC;
	if (vh->algorithm == VH_IVCURVE)
		return SHP_DTYPE_IVCURVE;
	return SHP_DTYPE_IVSAMPLE;
}

uint32_t vh_window_samples(const struct vharvester *vh)
{
	switch (vh_datatype(vh)) {
	case SHP_DTYPE_IVCURVE:
		return vh->samples_n * (1 + vh->wait_cycles);
	case SHP_DTYPE_ISC_VOC:
		return 2 * (1 + vh->wait_cycles);
	default:
		return 0;
	}
}

void vh_defaults(struct vharvester *vh)
{
	*vh = (struct vharvester){
		.samples_n = 8,
		.voltage_mV = 2500,
		.voltage_min_mV = 0,
		.voltage_max_mV = 5000,
		.current_limit_uA = 50000,
		.voltage_step_mV = NAN,
		.setpoint_n = 0.70,
		.interval_ms = 100,
		.duration_ms = 0.1,
		.rising = true,
		.enable_linear_extrapolation = true,
		.wait_cycles = 1,
	};
}

/* The corrections of the model's "before" validator, on the resolved values. */
static void correct(struct vharvester *vh)
{
	/* 4 LSB of the nominal calibration's harvester ADC and DAC (upstream's raw_to_si(4)) */
	struct cal_cape nominal;
	cal_nominal(&nominal);
	const struct shp_cal_pair *adc = &nominal.harvester.adc_C_Hrv;
	const struct shp_cal_pair *dac = &nominal.harvester.dac_V_Hrv;
	double current_min_uA = 1e6 * (4 * adc->gain + adc->offset); /* 0.8138 uA */
	vh->current_limit_uA = fmax(current_min_uA, vh->current_limit_uA);
	/* the ramp includes min and max; fewer than 2 samples are reported as out of range */
	if (isnan(vh->voltage_step_mV) && vh->samples_n >= 2)
		vh->voltage_step_mV =
			fabs(vh->voltage_max_mV - vh->voltage_min_mV) / (double)(vh->samples_n - 1);
	double step_min_mV = 1e3 * (4 * dac->gain + dac->offset); /* 0.30518 mV */
	vh->voltage_step_mV = fmax(step_min_mV, vh->voltage_step_mV);
}

int vh_validate(struct vharvester *vh, bool in_source, settings_report_fn report, void *ctx)
{
	int problems = 0;
	if (strcasecmp(vh->name, "neutral") == 0)
		problems +=
			settings_report(report, ctx, in_source, VHF_NAME, -1, -1,
					"'neutral' is the base of the harvester fixtures, not a "
					"harvester to use (try mppt_opt)");
	else if (vh->algorithm == 0)
		problems += settings_report(report, ctx, in_source, VHF_ALGORITHM, -1, -1,
					    "harvester '%s' has no algorithm (required, one of %s)",
					    vh->name, vh_algorithm_names());
	correct(vh);
	int out_of_bounds = settings_check_bounds(vh_fields, VHF_COUNT, vh, in_source, report, ctx);
	problems += out_of_bounds;
	if (out_of_bounds) /* as pydantic: the model's checks only on fields that passed */
		return problems;
	if (vh->voltage_min_mV > vh->voltage_max_mV)
		problems += settings_report(report, ctx, in_source, VHF_VOLTAGE_MIN, -1, -1,
					    "voltage_min_mV (%g) is above voltage_max_mV (%g)",
					    vh->voltage_min_mV, vh->voltage_max_mV);
	else if (vh->voltage_mV < vh->voltage_min_mV || vh->voltage_mV > vh->voltage_max_mV)
		problems += settings_report(
			report, ctx, in_source, VHF_VOLTAGE, -1, -1,
			"voltage_mV (%g) is outside voltage_min_mV .. voltage_max_mV (%g .. %g)",
			vh->voltage_mV, vh->voltage_min_mV, vh->voltage_max_mV);
	return problems;
}

/* Python's round() of v as a u32 field of the PRU; false (logged) if it does not fit. */
static bool field_u32(const struct vharvester *vh, const char *field, double v, uint32_t *out)
{
	double r = shp_round_half_even(v);
	if (!(r >= 0 && r <= (double)UINT32_MAX)) {
		log_error("harvester '%s': %s = %.17g does not fit the PRU's unsigned 32 bits",
			  vh->name, field, v);
		return false;
	}
	*out = (uint32_t)r;
	return true;
}

static shp_err export(const struct vharvester *vh, bool for_emu, uint32_t window_size,
		      double voltage_step_mV, struct pru_harvester *out)
{
	/* the timing constraints: a window of the harvester's own samples_n, not the input's */
	double window_length = (double)vh->samples_n * (1 + vh->wait_cycles);
	double time_min_ms = (1 + vh->wait_cycles) * 1000 / SAMPLERATE_SPS;
	if (for_emu)
		time_min_ms = fmax(time_min_ms, window_length * 1000 / SAMPLERATE_SPS);
	double interval_ms = fmin(fmax(vh->interval_ms, time_min_ms), 1e6);
	double duration_ms = fmin(fmax(vh->duration_ms, time_min_ms), interval_ms);

	*out = (struct pru_harvester){
		.algorithm = (uint32_t)vh->algorithm,
		.hrv_mode = 1u * for_emu + 2u * vh->rising + 4u * vh->enable_linear_extrapolation,
		.window_size = window_size,
		.wait_cycles_n = vh->wait_cycles,
	};
	bool ok = field_u32(vh, "voltage_mV", vh->voltage_mV * 1e3, &out->voltage_uV);
	ok &= field_u32(vh, "voltage_min_mV", vh->voltage_min_mV * 1e3, &out->voltage_min_uV);
	ok &= field_u32(vh, "voltage_max_mV", vh->voltage_max_mV * 1e3, &out->voltage_max_uV);
	ok &= field_u32(vh, "voltage_step_mV", voltage_step_mV * 1e3, &out->voltage_step_uV);
	ok &= field_u32(vh, "current_limit_uA", vh->current_limit_uA * 1e3, &out->current_limit_nA);
	ok &= field_u32(vh, "setpoint_n", fmin(255, vh->setpoint_n * 256), &out->setpoint_n8);
	ok &= field_u32(vh, "interval_ms", interval_ms * SAMPLERATE_SPS * 1e-3, &out->interval_n);
	ok &= field_u32(vh, "duration_ms", duration_ms * SAMPLERATE_SPS * 1e-3, &out->duration_n);
	return ok ? SHP_OK : SHP_ERR_CONFIG;
}

shp_err vh_export_recording(const struct vharvester *vh, struct pru_harvester *out)
{
	if ((uint32_t)vh->algorithm < VH_ISC_VOC) {
		log_error("harvester '%s' (algorithm %s) cannot record: the harvesting firmware "
			  "needs isc_voc, ivcurve, cv or an mppt algorithm",
			  vh->name, vh_algorithm_name(vh->algorithm));
		return SHP_ERR_CONFIG;
	}
	return export(vh, false, vh->samples_n, vh->voltage_step_mV, out);
}

shp_err vh_export_emulation(const struct vharvester *vh, enum shp_energy_dtype dtype_in,
			    uint32_t window_size, double voltage_step_V, struct pru_harvester *out)
{
	if (vh_datatype(vh) != SHP_DTYPE_IVSAMPLE) {
		log_error("harvester '%s' (algorithm %s) cannot emulate: it records %s data, the "
			  "emulator needs one that yields IV samples (cv, mppt_*, neutral)",
			  vh->name, vh_algorithm_name(vh->algorithm),
			  shp_dtype_file_name(vh_datatype(vh)));
		return SHP_ERR_CONFIG;
	}
	if (dtype_in == SHP_DTYPE_ISC_VOC) {
		log_error("harvester '%s': an isc_voc input cannot be emulated (not implemented "
			  "upstream either)",
			  vh->name);
		return SHP_ERR_CONFIG;
	}
	if (dtype_in == SHP_DTYPE_IVCURVE && (window_size == 0 || isnan(voltage_step_V))) {
		log_error("harvester '%s': an ivcurve input needs its window size and voltage step "
			  "(window %u, step %g V)",
			  vh->name, window_size, voltage_step_V);
		return SHP_ERR_CONFIG;
	}
	/* a window given wins; without one, IV samples have none */
	double step_mV = isnan(voltage_step_V) ? vh->voltage_step_mV : 1e3 * voltage_step_V;
	return export(vh, true, window_size, step_mV, out);
}
