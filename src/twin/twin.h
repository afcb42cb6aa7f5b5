/*
 * twin.h - the PRU's twin: what PRU0's firmware computes per 10 us sample, bit for bit, driven
 * only by the three settings blocks the sheep writes (pru-settings.md 6-7). The simulator runs
 * it behind its rings, `shepherd-sheep simulate` runs it in-process; both get the same samples.
 *
 * Life cycle as on the PRU: twin_new() is a freshly loaded firmware (its function statics at
 * their initial values: the calibration's negative residue, the converter's sample counter and
 * output switch, the harvesters' algorithm state); twin_init() is PRU0's re-init at a reset,
 * which re-reads the settings and initialises converter and harvester but leaves those statics
 * as they are; twin_load_firmware() puts them back, as a firmware swap does.
 *
 * One handle is one PRU0; it is not thread safe. Nothing here allocates after twin_new().
 */
#ifndef SHP_TWIN_H
#define SHP_TWIN_H

#include <stdbool.h>
#include <stdint.h>

#include "settings/calibration.h"
#include "settings/vharvester.h"
#include "settings/vsource.h"

/* The shared RAM PRU0 reads at its re-init. */
struct twin_settings {
	struct pru_calibration cal;
	struct pru_converter conv;
	struct pru_harvester hrv;
	uint32_t aux_word; /* dac_auxiliary_voltage_raw: bits 0-15 code A; (aux >> 20) & 3: 1 link
			    * A to main, 2 V_mid on A ("buffer"), 0 and 3 neither */
};

/* Running sums over the samples since twin_init(), in joules (10 us per sample). */
struct twin_energy {
	uint64_t samples;
	uint64_t samples_power_good; /* samples after which power-good was high */
	double harvested_J;          /* the harvester's output V*I (emulation: into the converter,
				      * before input drop, clipping and efficiency) */
	double into_storage_J;       /* P_inp: after the input stage and its efficiency */
	double out_of_storage_J;     /* P_out: the buck's input power plus leakage */
	double to_target_J;          /* twin_emulate_block: the target's V*I */
};

struct twin;

/* A freshly loaded firmware, not yet initialised (twin_init before any sample). NULL: no
 * memory. */
struct twin *twin_new(void);
void twin_free(struct twin *t);

/* A firmware (re)load: every function static back to its initial value. */
void twin_load_firmware(struct twin *t);

/*
 * PRU0's re-init with these blocks, for an emulation (EMU firmware) or a harvest (HRV
 * firmware). False: the harvester's algorithm is one this firmware rejects (the PRU posts
 * MSG_ERR_HRV_ALGO 0xE8 and then passes samples through unchanged). For the HRV firmware the
 * twin then stores the raw readings, a deliberate deviation: the firmware writes no output
 * slot, but the simulator must put something into the ring. Sets the DAC codes as sample_init
 * does: emulation B 0 (or the aux code when aux is linked to main), A the aux code; harvest
 * 0xFFFF (open circuit, or the aux code when linked to main). Resets the energy sums.
 */
bool twin_init(struct twin *t, const struct twin_settings *s, bool emulation);

/* ---- emulation (EMU firmware, pru-settings.md 7.1) --------------------------------------- */

/*
 * One sample: the input (uV, nA) from the input ring and the emulator's current ADC code
 * (raw 18 bit) read in this sample. Fills what goes into the output ring (normally the DAC
 * code and the ADC code; in intermediate-logging mode V_mid in uV and I_mid in nA) and returns
 * the DAC code written to channel B, the target's supply from the next sample on.
 */
uint32_t twin_emulate(struct twin *t, uint32_t v_uV, uint32_t i_nA, uint32_t adc_current,
		      uint32_t *out_voltage, uint32_t *out_current);

/* After the last sample: the BAT_OK pin (power-good), whether PRU1 pauses GPIO logging (output
 * below V_output_log_gpio_threshold), the DAC codes of channel B and of channel A (aux).
 * Before the first sample: the DAC codes after init (B 0, or the aux code when aux is linked
 * to main; A the aux code). */
bool twin_power_good(const struct twin *t);
bool twin_gpio_paused(const struct twin *t);
uint32_t twin_dac_b(const struct twin *t);
uint32_t twin_dac_a(const struct twin *t);

/* Per-sample flags of twin_emulate_block / twin_harvest_block. */
#define TWIN_FLAG_POWER_GOOD 0x01u
#define TWIN_FLAG_GPIO_PAUSED 0x02u

struct twin_target;

/*
 * n samples of emulation with a target on the output closing the loop (twin_target.h): per
 * sample the target's current ADC code from the previous DAC code and power-good, then
 * twin_emulate. in: n interleaved (uV, nA) pairs; out_voltage, out_current: n each; flags
 * (may be NULL): n bytes of TWIN_FLAG_* after each sample. Adds the target's energy.
 */
void twin_emulate_block(struct twin *t, const struct twin_target *target, const uint32_t *in,
			uint32_t n, uint32_t *out_voltage, uint32_t *out_current, uint8_t *flags);

/* ---- harvest (HRV firmware, pru-settings.md 7.5) ----------------------------------------- */

/* The DAC code the harvester has set (what the transducer sees in the next sample). */
uint32_t twin_harvest_dac(const struct twin *t);

/*
 * One sample: the ADC codes read in it (voltage, current; raw 18 bit). Fills what goes into
 * the output ring (raw codes, as the harvester stores them) and returns the DAC code set for
 * the next sample.
 */
uint32_t twin_harvest(struct twin *t, uint32_t adc_voltage, uint32_t adc_current,
		      uint32_t *out_voltage, uint32_t *out_current);

struct twin_solar;

/*
 * n samples of harvest from the transducer (twin_solar.h), samples k0 .. k0+n-1 of its run:
 * per sample it is read at the DAC code set before, then twin_harvest. Adds the harvested
 * energy (stored V*I through the harvester calibration).
 */
void twin_harvest_block(struct twin *t, const struct twin_solar *cell, uint64_t k0, uint32_t n,
			uint32_t *out_voltage, uint32_t *out_current);

/* The sums since twin_init. */
struct twin_energy twin_energy(const struct twin *t);

#endif
