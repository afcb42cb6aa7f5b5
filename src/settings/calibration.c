/*
 * calibration.c - the nominal calibration of cape v2.4c and the export of a calibration to the
 * six integers the PRU firmware scales its samples with (pru-settings.md 2.2, 2.3).
 *
 * The nominal pairs are computed the way upstream computes them, not written down as constants:
 * the forward functions truncate to an integer code, and gain = 1 / (f(1) - f(0)) of those
 * integers (so the DAC's gain is 1/13107 V, not 5 V / 2^16). The doubles are thereby bit for bit
 * those of the predecessor, which matters because they are stored in every recording.
 */
#include "settings/calibration.h"

#include <math.h>
#include <stddef.h>

#include "common/log.h"
#include "settings/round_even.h"

#define PAIR(part, member)                                                                         \
	{                                                                                          \
#part, #member,                                                                    \
			offsetof(struct cal_cape, part) + offsetof(struct cal_##part, member)      \
	}

const struct cal_pair_ref cal_pairs[CAL_PAIR_COUNT] = {
	PAIR(harvester, dac_V_Hrv), PAIR(harvester, dac_V_Sim), PAIR(harvester, adc_V_Sense),
	PAIR(harvester, adc_C_Hrv), PAIR(emulator, dac_V_A),    PAIR(emulator, dac_V_B),
	PAIR(emulator, adc_C_A),    PAIR(emulator, adc_C_B),
};

struct shp_cal_pair *cal_pair_at(struct cal_cape *cal, int k)
{
	return (struct shp_cal_pair *)((char *)cal + cal_pairs[k].offset);
}

const struct shp_cal_pair *cal_pair_at_const(const struct cal_cape *cal, int k)
{
	return (const struct shp_cal_pair *)((const char *)cal + cal_pairs[k].offset);
}

/* Hardware of cape v2.4c (ST:core/calibration_hw_def.py). */
#define R_SHUNT_OHM 2.0
#define G_INST_AMP 48.0
#define ADC_VREF_V 4.096
#define ADC_RANGE_FACTOR 1.25
#define ADC_BITS 18
#define DAC_VREF_V 2.5
#define DAC_GAIN 2.0
#define DAC_BITS 16

/*
 * The forward functions: SI unit -> raw code, truncated toward zero as Python's int(); not
 * clamped to the converter's range (the probe at 1 A is far beyond it).
 */
static double adc_current_to_raw(double amp)
{
	double volt = G_INST_AMP * R_SHUNT_OHM * amp;
	return trunc(volt * (double)(1u << ADC_BITS) / (ADC_RANGE_FACTOR * ADC_VREF_V));
}

static double adc_voltage_to_raw(double volt)
{
	return trunc(volt * (double)(1u << ADC_BITS) / (ADC_RANGE_FACTOR * ADC_VREF_V));
}

static double dac_voltage_to_raw(double volt)
{
	return trunc(volt * (double)(1u << DAC_BITS) / (DAC_VREF_V * DAC_GAIN));
}

/* CalibrationPair.from_fn: probe at 0 and 1; the offset of a zero f(0) is -0.0. */
static struct shp_cal_pair pair_from_fn(double (*fn)(double))
{
	double offset = fn(0.0);
	double gain_inv = fn(1.0) - offset;
	return (struct shp_cal_pair){.gain = 1.0 / gain_inv, .offset = -offset / gain_inv};
}

void cal_nominal(struct cal_cape *cal)
{
	struct shp_cal_pair dac = pair_from_fn(dac_voltage_to_raw);
	struct shp_cal_pair adc_v = pair_from_fn(adc_voltage_to_raw);
	struct shp_cal_pair adc_c = pair_from_fn(adc_current_to_raw);
	cal->harvester = (struct cal_harvester){
		.dac_V_Hrv = dac, .dac_V_Sim = dac, .adc_V_Sense = adc_v, .adc_C_Hrv = adc_c};
	cal->emulator = (struct cal_emulator){
		.dac_V_A = dac, .dac_V_B = dac, .adc_C_A = adc_c, .adc_C_B = adc_c};
}

bool cal_pair_plausible(const struct shp_cal_pair *pair)
{
	return isfinite(pair->gain) && pair->gain > 0 && isfinite(pair->offset);
}

/* A gain token must fit [0, 2^32), an offset [-2^31, 2^31); NaN fits neither. */
static bool export_gain(const char *part, const char *token, double v, uint32_t *out)
{
	double r = shp_round_half_even(v);
	if (!(r >= 0.0 && r < 4294967296.0)) {
		log_error("%s calibration: %s = %g does not fit the PRU's range [0, 2^32)", part,
			  token, r);
		return false;
	}
	*out = (uint32_t)r;
	return true;
}

static bool export_offset(const char *part, const char *token, double v, int32_t *out)
{
	double r = shp_round_half_even(v);
	if (!(r >= -2147483648.0 && r < 2147483648.0)) {
		log_error("%s calibration: %s = %g does not fit the PRU's range [-2^31, 2^31)",
			  part, token, r);
		return false;
	}
	*out = (int32_t)r;
	return true;
}

/*
 * Upstream's expressions in their order of evaluation: 1e9 * 2^8 * gain is (1e9 * 256) * gain,
 * and the DAC's token is 2^20 / (1e6 * gain). Every token is checked, so that each bad one is
 * named.
 */
static shp_err export_pairs(const char *part, const struct shp_cal_pair *adc_c,
			    const struct shp_cal_pair *adc_v, const struct shp_cal_pair *dac,
			    struct pru_calibration *out)
{
	struct pru_calibration r;
	bool ok = export_gain(part, "adc_current_gain", 1e9 * 256.0 * adc_c->gain,
			      &r.adc_current_gain);
	ok &= export_offset(part, "adc_current_offset", 1e9 * adc_c->offset, &r.adc_current_offset);
	if (adc_v) {
		ok &= export_gain(part, "adc_voltage_gain", 1e6 * 256.0 * adc_v->gain,
				  &r.adc_voltage_gain);
		ok &= export_offset(part, "adc_voltage_offset", 1e6 * adc_v->offset,
				    &r.adc_voltage_offset);
	} else { /* the emulator's ADC voltage is fixed at 1 uV per LSB */
		r.adc_voltage_gain = 256000000u;
		r.adc_voltage_offset = 0;
	}
	ok &= export_gain(part, "dac_voltage_gain", 1048576.0 / (1e6 * dac->gain),
			  &r.dac_voltage_gain);
	ok &= export_offset(part, "dac_voltage_offset", 1e6 * dac->offset, &r.dac_voltage_offset);
	if (!ok)
		return SHP_ERR_CONFIG;
	*out = r;
	return SHP_OK;
}

shp_err cal_harvester_export(const struct cal_harvester *cal, struct pru_calibration *out)
{
	return export_pairs("harvester", &cal->adc_C_Hrv, &cal->adc_V_Sense, &cal->dac_V_Hrv, out);
}

shp_err cal_emulator_export(const struct cal_emulator *cal, struct pru_calibration *out)
{
	return export_pairs("emulator", &cal->adc_C_A, NULL, &cal->dac_V_A, out);
}
