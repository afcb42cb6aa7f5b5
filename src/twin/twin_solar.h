/*
 * twin_solar.h - the harvest transducer: a small solar module (single-diode model) under a
 * deterministic irradiance profile, read by the harvester's ADCs at the voltage its DAC sets.
 *
 * The light has the character of the simulator's older signal: a slow 20 s triangle between a
 * quarter and full light, 100 Hz mains flicker of a few per cent, and noise on the ADC codes,
 * all a pure function of (seed, sample number since the run's start). The cell cannot be
 * driven above its open-circuit voltage (the cape's input cannot push current into it): a set
 * point above V_oc reads V_oc and no current. The DAC code is turned into volts and the cell's
 * voltage and current into ADC codes through the harvester calibration block the sheep wrote.
 * The exact parameters and formulas are in twin_solar.c and in the simulator's --help.
 */
#ifndef SHP_TWIN_SOLAR_H
#define SHP_TWIN_SOLAR_H

#include <stdint.h>

#include "settings/calibration.h"

struct twin_solar {
	uint64_t seed;
	struct pru_calibration cal; /* the harvester calibration: DAC code -> V, V/I -> ADC codes */
	/* the module: photo current at full light, diode saturation current, ideality times the
	 * cells in series times the thermal voltage, shunt resistance */
	double i_ph_A, i_0_A, n_vt_V, r_sh_ohm;
	double noise_v_codes, noise_i_codes; /* ADC noise, peak, in codes */
};

/* The module of the simulator's transducer with this seed and harvester calibration. */
void twin_solar_init(struct twin_solar *s, uint64_t seed, const struct pru_calibration *cal);

/* Irradiance at sample k of the run, 0..1 of full light. */
double twin_solar_light(const struct twin_solar *s, uint64_t k);

/* The cell's current in A at voltage v (>= 0; 0 at and above V_oc) under light g. */
double twin_solar_current_A(const struct twin_solar *s, double g, double v);

/* Open-circuit voltage under light g. */
double twin_solar_voc_V(const struct twin_solar *s, double g);

/* The cell's true maximum power under light g, in W (its MPP). */
double twin_solar_max_power_W(const struct twin_solar *s, double g);

/* What the ADCs read at sample k with the DAC at dac_code: raw 18-bit voltage and current. */
void twin_solar_read(const struct twin_solar *s, uint64_t k, uint32_t dac_code,
		     uint32_t *adc_voltage, uint32_t *adc_current);

#endif
