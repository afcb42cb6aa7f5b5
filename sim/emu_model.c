/* emu_model.c - converter, storage capacitor and resistive target with power-good hysteresis. */
#include "emu_model.h"

#include <math.h>

void emu_model_reset(struct emu_model *m, double r_ohm)
{
	m->energy_j = 0.0;
	m->on = false;
	m->r_ohm = r_ohm;
}

void emu_model_step(struct emu_model *m, uint32_t v_uv, uint32_t i_na, uint32_t *v_code,
		    uint32_t *i_code)
{
	double p_in = ((double)v_uv * 1e-6) * ((double)i_na * 1e-9);
	m->energy_j = m->energy_j + p_in * 1e-5;
	if (m->on) {
		m->energy_j = m->energy_j - (EMU_V_OUT * EMU_V_OUT / m->r_ohm) * 1e-5;
		if (m->energy_j < 0)
			m->energy_j = 0;
	}
	double v = sqrt(2.0 * m->energy_j / EMU_C_F);
	if (v > EMU_V_MAX) {
		v = EMU_V_MAX;
		m->energy_j = EMU_C_F * EMU_V_MAX * EMU_V_MAX / 2.0;
	}
	if (m->on && v < EMU_V_OFF)
		m->on = false;
	else if (!m->on && v >= EMU_V_ON)
		m->on = true;
	*v_code = m->on ? (uint32_t)lround(EMU_V_OUT * 13107.0) : 0;
	*i_code = m->on ? (uint32_t)lround(EMU_V_OUT / m->r_ohm * 4915200.0) : 0;
}
