/*
 * twin_calibration.h - calibration.c of PRU0 (pru-settings.md 2.4): ADC codes to nA / uV and
 * uV to DAC codes with the calibration block's integers, including the negative-offset
 * residue. Static inlines: the converter calls two of them every sample.
 */
#ifndef SHP_TWIN_CALIBRATION_H
#define SHP_TWIN_CALIBRATION_H

#include <stdint.h>

#include "settings/calibration.h"
#include "twin_internal.h"
#include "twin_math.h"

/*
 * A negative offset is not simply clipped at 0: what the reading fell short of it is
 * remembered (up to the cap) and taken off the next readings, so that noise around zero
 * current does not turn into a positive mean.
 */
static inline uint32_t twin_cal_nA(const struct pru_calibration *c, uint32_t *residue_nA,
				   uint32_t raw)
{
	const uint32_t I_nA = (uint32_t)(twin_mul64(raw, c->adc_current_gain) >> 8);
	if (c->adc_current_offset >= 0)
		return twin_add32(I_nA, (uint32_t)c->adc_current_offset);
	/* plain u32 sum as in the firmware; |INT32_MIN| still fits */
	const uint32_t I_off = (uint32_t)(-(int64_t)c->adc_current_offset) + *residue_nA;
	if (I_nA > I_off) {
		*residue_nA = 0;
		return I_nA - I_off;
	}
	const uint32_t r = I_off - I_nA;
	*residue_nA = r > TWIN_RESIDUE_MAX_nA ? TWIN_RESIDUE_MAX_nA : r;
	return 0;
}

/* The harvester's voltage ADC; mul32 saturates before the shift. */
static inline uint32_t twin_cal_uV(const struct pru_calibration *c, uint32_t raw)
{
	const uint32_t V_uV = twin_mul32(raw, c->adc_voltage_gain) >> 8;
	if (c->adc_voltage_offset >= 0)
		return twin_add32(V_uV, (uint32_t)c->adc_voltage_offset);
	return twin_sub32(V_uV, (uint32_t)(-(int64_t)c->adc_voltage_offset));
}

/*
 * In the firmware's widths: the (offset-corrected) voltage is a u32 (with a negative offset
 * V + |off| is a wrapping u32 sum), dac_raw = mul64(V, gain) >> 20 is truncated to a u32, and
 * only that is clamped to 0xFFFF.
 */
static inline uint32_t twin_cal_dac(const struct pru_calibration *c, uint32_t V_uV)
{
	uint32_t V;
	if (c->dac_voltage_offset >= 0) {
		const uint32_t off = (uint32_t)c->dac_voltage_offset;
		if (V_uV <= off)
			return 0;
		V = V_uV - off;
	} else {
		V = V_uV + (uint32_t)(-(int64_t)c->dac_voltage_offset);
	}
	const uint32_t raw = (uint32_t)(twin_mul64(V, c->dac_voltage_gain) >> 20);
	return raw > 0xFFFFu ? 0xFFFFu : raw;
}

#endif
