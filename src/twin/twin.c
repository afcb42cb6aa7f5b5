/*
 * twin.c - the twin's life cycle (new / firmware load / re-init) and the EMU firmware's
 * sample pipeline (pru-settings.md 7.1): harvester, converter, DAC channels A and B, the
 * output ring's pair, the energy sums, and the closed loop with a target
 * (twin_emulate_block). The per-sample stages are static inlines of twin_converter.h and
 * twin_hrv_emu.h, so that one sample compiles into one loop body here.
 */
#include <stdlib.h>
#include <string.h>

#include "twin.h"
#include "twin_calibration.h"
#include "twin_converter.h"
#include "twin_hrv_emu.h"
#include "twin_internal.h"
#include "twin_target.h"

/* ~2^10 / (n + 0.5) per 131.072 mV bin; entry 0 is larger on purpose in the firmware */
const uint32_t twin_div_lut[TWIN_DIV_LUT_SIZE] = {
	16383, 683, 410, 293, 228, 186, 158, 137, 120, 108, 98, 89, 82, 76, 71, 66, 62, 59, 55, 53,
	50,    48,  46,  44,  42,  40,  39,  37,  36,  35,  34, 33, 32, 31, 30, 29, 28, 27, 27, 26,
};

#define TWIN_J_PER_FW_SAMPLE (1e-15 * 1e-5)

void twin_statics_reset(struct twin_statics *st)
{
	memset(st, 0, sizeof(*st));
	/* so that the first sample after a firmware load checks the thresholds */
	st->sample_count = 0xFFFFFFF0u;
	st->is_outputting = false;
}

struct twin *twin_new(void)
{
	struct twin *t = calloc(1, sizeof(*t));
	if (t)
		twin_statics_reset(&t->st);
	return t;
}

void twin_free(struct twin *t)
{
	free(t);
}

void twin_load_firmware(struct twin *t)
{
	twin_statics_reset(&t->st);
}

bool twin_init(struct twin *t, const struct twin_settings *s, bool emulation)
{
	t->s = *s;
	t->emulation = emulation;
	memset(&t->sums, 0, sizeof(t->sums));
	memset(&t->conv, 0, sizeof(t->conv));
	/* sample_init: channel A gets the aux code, and so does B when linked to main */
	t->dac_a = s->aux_word & 0xFFFFu;
	t->dac_b = TWIN_AUX_MODE(s->aux_word) == 1u ? (s->aux_word & 0xFFFFu) : 0u;
	if (emulation) {
		twin_conv_init(t);
		t->algo_ok = twin_hrv_emu_algorithm_ok(&s->hrv);
	} else {
		t->algo_ok = twin_hrv_rec_algorithm_ok(s->hrv.algorithm);
	}
	twin_hrv_init(t);
	return t->algo_ok;
}

bool twin_hrv_emu_algorithm_ok(const struct pru_harvester *cfg)
{
	/* The EMU firmware reports MSG_ERR_HRV_ALGO from its per-sample dispatch, which
	 * ivsample input (window <= 1) never reaches: only then is an ivcurve / isc_voc number
	 * (8 .. 255) an error. */
	if (cfg->window_size <= 1)
		return true;
	return !(cfg->algorithm >= VH_ISC_VOC && cfg->algorithm < VH_CV);
}

static inline uint32_t twin_emulate_inline(struct twin *t, uint32_t V, uint32_t I,
					   uint32_t adc_current, uint32_t *out_voltage,
					   uint32_t *out_current)
{
	twin_emu_harvest(t, &V, &I);
	t->sums.vi_fW += (double)((uint64_t)V * I);
	twin_conv_inp(t, V, I);
	twin_conv_out(t, adc_current);
	twin_conv_storage(t);
	const uint32_t dac = twin_conv_states(t);
	struct twin_conv *c = &t->conv;
	t->dac_b = dac;
	const uint32_t aux = TWIN_AUX_MODE(t->s.aux_word);
	if (aux == 1u)
		t->dac_a = dac;
	else if (aux == 2u)
		t->dac_a = twin_cal_dac(&t->s.cal, (uint32_t)(c->V_mid_uV_n32 >> 32));
	if (c->mode & TWIN_CONV_FEEDBACK)
		t->hrv.voltage_set_uV = c->V_input_request_uV;
	if (c->mode & TWIN_CONV_LOG_MID) {
		*out_voltage = (uint32_t)(c->V_mid_uV_n32 >> 32);
		*out_current = twin_conv_I_mid_inline(t);
	} else {
		*out_voltage = dac;
		*out_current = adc_current;
	}
	t->sums.samples++;
	t->sums.samples_power_good += c->power_good;
	t->sums.inp_fW_n8 += (double)c->P_inp_fW_n8;
	t->sums.out_fW_n4 += (double)c->P_out_fW_n4;
	return dac;
}

uint32_t twin_emulate(struct twin *t, uint32_t v_uV, uint32_t i_nA, uint32_t adc_current,
		      uint32_t *out_voltage, uint32_t *out_current)
{
	return twin_emulate_inline(t, v_uV, i_nA, adc_current, out_voltage, out_current);
}

void twin_emulate_block(struct twin *t, const struct twin_target *target, const uint32_t *in,
			uint32_t n, uint32_t *out_voltage, uint32_t *out_current, uint8_t *flags)
{
	/* The target's current depends only on (DAC code, power-good), which change rarely:
	 * recomputing it (a 64-bit division for resistor and power) only on a change keeps
	 * the loop at the converter's own cost. */
	uint32_t key_dac = UINT32_MAX;
	bool key_pg = false;
	uint32_t V = 0, I = 0, adc = 0;
	double target_fW = 0;
	for (uint32_t k = 0; k < n; k++) {
		const uint32_t dac = t->dac_b;
		const bool pg = t->conv.power_good;
		if (dac != key_dac || pg != key_pg) {
			key_dac = dac;
			key_pg = pg;
			V = twin_target_voltage_uV(dac);
			I = twin_target_current_nA(target, V, pg);
			adc = twin_target_adc(I);
		}
		twin_emulate_inline(t, in[2 * k], in[2 * k + 1], adc, &out_voltage[k],
				    &out_current[k]);
		target_fW += (double)((uint64_t)V * I);
		if (flags)
			flags[k] = (uint8_t)((t->conv.power_good ? TWIN_FLAG_POWER_GOOD : 0u) |
					     (t->conv.gpio_paused ? TWIN_FLAG_GPIO_PAUSED : 0u));
	}
	t->sums.target_fW += target_fW;
}

bool twin_power_good(const struct twin *t)
{
	return t->conv.power_good;
}

bool twin_gpio_paused(const struct twin *t)
{
	return t->conv.gpio_paused;
}

uint32_t twin_dac_b(const struct twin *t)
{
	return t->dac_b;
}

uint32_t twin_dac_a(const struct twin *t)
{
	return t->dac_a;
}

struct twin_energy twin_energy(const struct twin *t)
{
	struct twin_energy e;
	e.samples = t->sums.samples;
	e.samples_power_good = t->sums.samples_power_good;
	e.harvested_J = t->sums.vi_fW * TWIN_J_PER_FW_SAMPLE;
	e.into_storage_J = t->sums.inp_fW_n8 / 256.0 * TWIN_J_PER_FW_SAMPLE;
	e.out_of_storage_J = t->sums.out_fW_n4 / 16.0 * TWIN_J_PER_FW_SAMPLE;
	e.to_target_J = t->sums.target_fW * TWIN_J_PER_FW_SAMPLE;
	return e;
}

/* ---- single stages, for the unit tests ------------------------------------------------- */

uint32_t twin_cal_adc_to_nA(struct twin *t, uint32_t raw)
{
	return twin_cal_nA(&t->s.cal, &t->st.residue_nA, raw);
}

uint32_t twin_cal_adc_to_uV(const struct twin *t, uint32_t raw)
{
	return twin_cal_uV(&t->s.cal, raw);
}

uint32_t twin_cal_uV_to_dac(const struct twin *t, uint32_t uV)
{
	return twin_cal_dac(&t->s.cal, uV);
}

uint64_t twin_conv_div(uint64_t P_fW_n4, uint32_t V_uV)
{
	return twin_conv_div_inline(P_fW_n4, V_uV);
}

uint32_t twin_conv_I_mid_out_nA(const struct twin *t)
{
	return twin_conv_I_mid_inline(t);
}

void twin_conv_inp_power(struct twin *t, uint32_t V_uV, uint32_t I_nA)
{
	twin_conv_inp(t, V_uV, I_nA);
}

void twin_hrv_emu_run(struct twin *t, uint32_t *V_uV, uint32_t *I_nA)
{
	twin_emu_harvest(t, V_uV, I_nA);
}
