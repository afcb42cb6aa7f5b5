/*
 * emu_model.h - the simulator's emulation model: what PRU0 makes of an input sample.
 *
 * An ideal converter (no losses) puts the input power V_in * I_in into a storage capacitor C.
 * An output regulator feeds the target, a resistor R, at a fixed V_out from that capacitor while
 * power is good; power-good switches on when the capacitor reaches V_on and off when it falls
 * below V_off (hysteresis), so a weak input shows the target browning out and recovering.
 * Per 10 us sample, in IEEE double arithmetic in exactly this order (tests redo it in Python
 * and compare sample by sample):
 *
 *   p_in = (V_in_uV * 1e-6) * (I_in_nA * 1e-9)
 *   E    = E + p_in * 1e-5
 *   if on:  E = E - (V_out * V_out / R) * 1e-5;  if E < 0: E = 0
 *   V    = sqrt(2 * E / C);  if V > V_max: V = V_max, E = C * V_max * V_max / 2
 *   if on and V < V_off: on = false;  else if not on and V >= V_on: on = true
 *   output voltage code = on ? round(V_out * 13107) : 0        (DAC, 1/13107 V per LSB)
 *   output current code = on ? round(V_out / R * 4915200) : 0  (ADC, 1/4915200 A per LSB)
 *
 * starting from E = 0, off. Parameters: C 47 uF, V_on 3.0 V, V_off 2.2 V, V_out 2.0 V,
 * V_max 4.5 V, R from --target-ohm (default 1000 ohm: 4 mW while on).
 */
#ifndef SIM_EMU_MODEL_H
#define SIM_EMU_MODEL_H

#include <stdbool.h>
#include <stdint.h>

struct emu_model {
	double energy_j;
	bool on;
	double r_ohm;
};

#define EMU_C_F 47e-6
#define EMU_V_ON 3.0
#define EMU_V_OFF 2.2
#define EMU_V_OUT 2.0
#define EMU_V_MAX 4.5

void emu_model_reset(struct emu_model *m, double r_ohm);

/* One sample: input in uV and nA, output as raw DAC voltage and ADC current codes. */
void emu_model_step(struct emu_model *m, uint32_t v_uv, uint32_t i_na, uint32_t *v_code,
		    uint32_t *i_code);

#endif
