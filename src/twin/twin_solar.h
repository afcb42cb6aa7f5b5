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

/* The light profile (twin_solar.c): a triangle between TWIN_SOLAR_LIGHT_MIN and
 * TWIN_SOLAR_LIGHT_MAX over TWIN_SOLAR_PERIOD samples, times 1 +- TWIN_SOLAR_FLICKER at
 * 100 Hz. One sample is TWIN_SOLAR_SAMPLE_S. */
#define TWIN_SOLAR_SAMPLE_S 10e-6
#define TWIN_SOLAR_PERIOD 2000000u      /* samples: 20 s */
#define TWIN_SOLAR_FLICKER_PERIOD 1000u /* samples: 10 ms */
#define TWIN_SOLAR_LIGHT_MIN 0.25
#define TWIN_SOLAR_LIGHT_MAX 1.0
#define TWIN_SOLAR_FLICKER 0.03

struct twin_solar {
	uint64_t seed;
	struct pru_calibration cal; /* the harvester calibration: DAC code -> V, V/I -> ADC codes */
	/* the module: photo current at full light, diode saturation current, ideality times the
	 * cells in series times the thermal voltage, shunt resistance (series resistance 0) */
	double i_ph_A, i_0_A, n_vt_V, r_sh_ohm;
	double noise_v_codes, noise_i_codes; /* ADC noise, peak, in codes (0 .. 32767) */

	/* Derived from the fields above by twin_solar_init / twin_solar_prepare; not to be set. */
	uint64_t noise_key;                 /* the seed, mixed */
	double inv_n_vt, inv_i_0, inv_r_sh; /* 1/n_vt_V, 1/i_0_A, 1/r_sh_ohm (0: none) */
	double v_oc_top;                    /* above every V_oc of the profile's light */
	double dac_V_per_code, dac_V_offset;
	double adc_v_per_V, adc_v_offset; /* voltage code = V * adc_v_per_V - adc_v_offset */
	double adc_i_per_A, adc_i_offset; /* current code = I * adc_i_per_A - adc_i_offset */
	int32_t noise_v_peak, noise_i_peak;
};

/* The module of the simulator's transducer with this seed and harvester calibration. */
void twin_solar_init(struct twin_solar *s, uint64_t seed, const struct pru_calibration *cal);

/* After a field (seed, cal, a module parameter, the noise) was changed by hand: derives the
 * rest again. */
void twin_solar_prepare(struct twin_solar *s);

/* Irradiance at sample k of the run, in full light (TWIN_SOLAR_LIGHT_MIN * (1 - flicker) ..
 * TWIN_SOLAR_LIGHT_MAX * (1 + flicker)). The same for every seed. */
double twin_solar_light(const struct twin_solar *s, uint64_t k);

/* The cell's current in A at voltage v (>= 0; 0 at and above V_oc) under light g. */
double twin_solar_current_A(const struct twin_solar *s, double g, double v);

/* Open-circuit voltage under light g (0 for g <= 0). */
double twin_solar_voc_V(const struct twin_solar *s, double g);

/* The cell's true maximum power under light g, in W (its MPP; 0 for g <= 0). */
double twin_solar_max_power_W(const struct twin_solar *s, double g);

/* The voltage of that maximum (0 for g <= 0). */
double twin_solar_mpp_V(const struct twin_solar *s, double g);

/* The transducer's true maximum energy in J over samples k0 .. k0+n-1: the sum of
 * twin_solar_max_power_W(light(k)) * TWIN_SOLAR_SAMPLE_S (to 1e-9 relative). */
double twin_solar_max_energy_J(const struct twin_solar *s, uint64_t k0, uint64_t n);

/* What the ADCs read at sample k with the DAC at dac_code: raw 18-bit voltage and current. */
void twin_solar_read(const struct twin_solar *s, uint64_t k, uint32_t dac_code,
		     uint32_t *adc_voltage, uint32_t *adc_current);

#endif
