/*
 * twin_converter.h - virtual_converter.c of PRU0 (pru-settings.md 7.2): init, the input
 * stage (drop, clip, boost / diode, efficiency LUT), the output stage (leak, load current,
 * buck efficiency), the storage capacitor with the division LUT, the output switch, power-good
 * and the GPIO-pause flag. Static inlines so that the whole sample inlines into one loop.
 */
#ifndef SHP_TWIN_CONVERTER_H
#define SHP_TWIN_CONVERTER_H

#include <stdint.h>

#include "twin_calibration.h"
#include "twin_internal.h"
#include "twin_math.h"

/* scalar[] indices of struct pru_converter (pru-settings.md 4.1) */
enum {
	TC_MODE,
	TC_STARTUP_DELAY_N,
	TC_V_INPUT_MAX,
	TC_I_INPUT_MAX,
	TC_V_INPUT_DROP,
	TC_R_INPUT_N22,
	TC_CONST_US_PER_NF_N28,
	TC_V_MID_INIT,
	TC_I_MID_LEAK,
	TC_V_ENABLE,
	TC_V_DISABLE,
	TC_DV_ENABLE,
	TC_INTERVAL_CHECK_N,
	TC_V_PG_ENABLE,
	TC_V_PG_DISABLE,
	TC_IMMEDIATE_PG,
	TC_V_LOG_GPIO,
	TC_V_BOOST_THRESHOLD,
	TC_V_MID_MAX,
	TC_V_OUTPUT,
	TC_V_BUCK_DROP,
	TC_LUT_INP_V_LOG2,
	TC_LUT_INP_I_LOG2,
	TC_LUT_OUT_I_LOG2,
};

static inline void twin_conv_init(struct twin *t)
{
	const uint32_t *sc = t->s.conv.scalar;
	struct twin_conv *c = &t->conv;
	c->mode = sc[TC_MODE];
	c->startup_n = sc[TC_STARTUP_DELAY_N];
	c->P_inp_fW_n8 = 0;
	c->P_out_fW_n4 = 0;
	c->V_mid_uV_n32 = (uint64_t)sc[TC_V_MID_INIT] << 32;
	c->V_out_dac_uV = sc[TC_V_OUTPUT];
	c->V_out_dac_raw = twin_cal_dac(&t->s.cal, sc[TC_V_OUTPUT]);
	c->power_good = true;
	c->gpio_paused = false;
	c->V_enable_n32 = (uint64_t)sc[TC_V_ENABLE] << 32;
	c->V_disable_n32 = (uint64_t)sc[TC_V_DISABLE] << 32;
	c->dV_enable_n32 = (uint64_t)sc[TC_DV_ENABLE] << 32;
	/* switching on must not take V_mid below zero */
	if (c->dV_enable_n32 > c->V_enable_n32)
		c->V_enable_n32 = c->dV_enable_n32;
	c->V_input_request_uV = sc[TC_V_MID_INIT];
}

/* A shift by a settings value: the PRU's LSR uses the low 5 bits of the count, so 32 + n shifts
 * by n; in C a count >= 32 would be undefined. */
static inline uint32_t twin_shr_pru(uint32_t x, uint32_t s)
{
	return x >> (s & 31u);
}

/* P / V by a reciprocal table over 131 mV bins; the index wraps at 8 bits before the clamp. */
static inline uint64_t twin_conv_div_inline(uint64_t P_fW_n4, uint32_t V_uV)
{
	uint32_t idx = (uint8_t)(V_uV >> 17);
	if (idx > TWIN_DIV_LUT_SIZE - 1)
		idx = TWIN_DIV_LUT_SIZE - 1;
	return twin_mul64(P_fW_n4 >> 10, twin_div_lut[idx]) >> 17;
}

static inline void twin_conv_inp(struct twin *t, uint32_t V, uint32_t I)
{
	const uint32_t *sc = t->s.conv.scalar;
	struct twin_conv *c = &t->conv;
	V = twin_sub32(V, sc[TC_V_INPUT_DROP]);
	if (V > sc[TC_V_INPUT_MAX])
		V = sc[TC_V_INPUT_MAX];
	if (I > sc[TC_I_INPUT_MAX])
		I = sc[TC_I_INPUT_MAX];

	uint32_t eta_n8 = 256;
	if (c->mode & TWIN_CONV_BOOST) {
		if (V < sc[TC_V_BOOST_THRESHOLD])
			V = 0;
		/* the row index is an 8-bit variable in the firmware: it wraps before the clamp */
		uint32_t row = (uint8_t)twin_shr_pru(V, sc[TC_LUT_INP_V_LOG2]);
		uint32_t col = twin_log2safe(twin_shr_pru(I, sc[TC_LUT_INP_I_LOG2]));
		if (row > 11)
			row = 11;
		if (col > 11)
			col = 11;
		eta_n8 = t->s.conv.lut_input[row][col];
	} else if (c->mode & TWIN_CONV_STORAGE) {
		const uint32_t Vm = (uint32_t)(c->V_mid_uV_n32 >> 32);
		const uint32_t V_diff = V >= Vm ? V - Vm : 0;
		const uint32_t V_R = (uint32_t)(((uint64_t)I * sc[TC_R_INPUT_N22]) >> 22);
		if (V_R > V_diff)
			V = Vm;
		else
			V -= V_R;
		if (c->mode & TWIN_CONV_FEEDBACK)
			c->V_input_request_uV = Vm + V_R + sc[TC_V_INPUT_DROP];
		else if (V < Vm)
			V = 0;
	} else {
		/* no storage: the node follows the input, nothing is integrated */
		c->V_mid_uV_n32 = (uint64_t)V << 32;
		V = 0;
	}
	c->P_inp_fW_n8 = twin_mul64((uint64_t)eta_n8 * V, I);
}

static inline void twin_conv_out(struct twin *t, uint32_t adc_current)
{
	const uint32_t *sc = t->s.conv.scalar;
	struct twin_conv *c = &t->conv;
	const uint64_t P_leak = twin_mul64(sc[TC_I_MID_LEAK], c->V_mid_uV_n32 >> 28);
	const uint32_t I_out = twin_cal_nA(&t->s.cal, &t->st.residue_nA, adc_current);
	uint32_t inv_eta_n4 = 16;
	if (c->mode & TWIN_CONV_BUCK) {
		uint32_t k = twin_log2safe(twin_shr_pru(I_out, sc[TC_LUT_OUT_I_LOG2]));
		if (k > 11)
			k = 11;
		inv_eta_n4 = t->s.conv.lut_output[k];
	}
	c->P_out_fW_n4 =
		twin_add64(twin_mul64((uint64_t)inv_eta_n4 * c->V_out_dac_uV, I_out), P_leak);
	if (c->startup_n > 0) {
		c->startup_n--;
		c->P_out_fW_n4 = 0;
	}
}

static inline void twin_conv_storage(struct twin *t)
{
	const uint32_t *sc = t->s.conv.scalar;
	struct twin_conv *c = &t->conv;
	if (c->mode & TWIN_CONV_STORAGE) {
		uint32_t Vm = (uint32_t)(c->V_mid_uV_n32 >> 32);
		if (Vm < 1)
			Vm = 1;
		const uint64_t P_in4 = c->P_inp_fW_n8 >> 4;
		const uint64_t k = sc[TC_CONST_US_PER_NF_N28];
		if (P_in4 > c->P_out_fW_n4) {
			const uint64_t I4 = twin_conv_div_inline(P_in4 - c->P_out_fW_n4, Vm);
			c->V_mid_uV_n32 = twin_add64(c->V_mid_uV_n32, twin_mul64(k, I4));
		} else {
			const uint64_t I4 = twin_conv_div_inline(c->P_out_fW_n4 - P_in4, Vm);
			c->V_mid_uV_n32 = twin_sub64(c->V_mid_uV_n32, twin_mul64(k, I4));
		}
	}
	if ((c->V_mid_uV_n32 >> 32) > sc[TC_V_MID_MAX])
		c->V_mid_uV_n32 = (uint64_t)sc[TC_V_MID_MAX] << 32;
	if ((c->V_mid_uV_n32 >> 32) < 1)
		c->V_mid_uV_n32 = (uint64_t)1 << 32;
}

static inline uint32_t twin_conv_states(struct twin *t)
{
	const uint32_t *sc = t->s.conv.scalar;
	struct twin_conv *c = &t->conv;
	struct twin_statics *st = &t->st;
	const bool check = ++st->sample_count >= sc[TC_INTERVAL_CHECK_N];
	const uint32_t Vm = (uint32_t)(c->V_mid_uV_n32 >> 32);
	if (check) {
		st->sample_count = 0;
		/* if / else: with a disable threshold above the enable one the firmware does
		 * not switch off and on again in the same check (the spec lists both tests
		 * without saying; the Python model is written as if / elif) */
		if (st->is_outputting) {
			if (c->V_mid_uV_n32 < c->V_disable_n32)
				st->is_outputting = false;
		} else if (c->V_mid_uV_n32 >= c->V_enable_n32) {
			st->is_outputting = true;
			c->V_mid_uV_n32 = twin_sub64(c->V_mid_uV_n32, c->dV_enable_n32);
		}
	}
	if (check || sc[TC_IMMEDIATE_PG]) {
		if (c->power_good) {
			if (Vm <= sc[TC_V_PG_DISABLE])
				c->power_good = false;
		} else if (Vm >= sc[TC_V_PG_ENABLE]) {
			c->power_good = st->is_outputting;
		}
	}
	if (st->is_outputting || c->startup_n > 0) {
		if (!(c->mode & TWIN_CONV_BUCK) || Vm <= sc[TC_V_OUTPUT] + sc[TC_V_BUCK_DROP])
			c->V_out_dac_uV = twin_sub32(Vm, sc[TC_V_BUCK_DROP]);
		else
			c->V_out_dac_uV = sc[TC_V_OUTPUT];
		c->V_out_dac_raw = twin_cal_dac(&t->s.cal, c->V_out_dac_uV);
	} else {
		c->V_out_dac_uV = 0;
		c->V_out_dac_raw = 0;
	}
	c->gpio_paused = c->V_out_dac_uV < sc[TC_V_LOG_GPIO];
	return c->V_out_dac_raw;
}

/* The logged current of intermediate mode: div() gets V_mid in uV*2^4, so its bin is off. */
static inline uint32_t twin_conv_I_mid_inline(const struct twin *t)
{
	return (uint32_t)twin_conv_div_inline(t->conv.P_out_fW_n4,
					      (uint32_t)(t->conv.V_mid_uV_n32 >> 28));
}

#endif
