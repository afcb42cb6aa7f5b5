/*
 * twin_target.h - the load on the emulator's output, in integers, so that the simulator and
 * `simulate` agree with any test to the last code:
 *
 *   V_uV(n) = floor(dac(n-1) * 10^6 / 13107)     the nominal DAC; before the first sample the
 *                                                 DAC code after init (0, or the aux code
 *                                                 when aux is linked to main)
 *   resistor:OHM        I_nA = floor(V_uV * 10^6 / mOHM)   (OHM with up to 3 decimals)
 *   current:A[:SLEEP_A] I_nA = round(A * 1e9) (half-even), 0 while V_uV = 0
 *   power:W[:SLEEP_W]   I_nA = floor(nW * 10^6 / V_uV), nW = round(W * 1e9) (half-even),
 *                       0 while V_uV = 0
 *   ADC code            min(2^18 - 1, floor(I_nA * 4915200 / 10^9))   the nominal current ADC
 *
 * A trailing `:controlled` makes the target follow power-good (BAT_OK) of sample n-1: while it
 * is low a current or power target draws its sleep value (none given: nothing) and a resistor
 * draws nothing.
 */
#ifndef SHP_TWIN_TARGET_H
#define SHP_TWIN_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum twin_target_kind {
	TWIN_TARGET_NONE,
	TWIN_TARGET_RESISTOR,
	TWIN_TARGET_CURRENT,
	TWIN_TARGET_POWER
};

struct twin_target {
	enum twin_target_kind kind;
	bool controlled;
	uint64_t active; /* resistor: mOhm; current: nA; power: nW */
	uint64_t sleep;  /* current: nA; power: nW (controlled, power-good low) */
};

/* Parses SPEC as above ("none" too). False: why names the problem. */
bool twin_target_parse(const char *spec, struct twin_target *out, char *why, size_t why_len);

/* The spec back in the form above (for logs and the file's notes), with the numbers exact:
 * twin_target_parse of it gives the same target. */
void twin_target_format(const struct twin_target *t, char *buf, size_t len);

/* The target's supply voltage in uV for the DAC code of the previous sample. */
uint32_t twin_target_voltage_uV(uint32_t dac_code);

/* The current it draws in nA at that voltage, with power-good of the previous sample. */
uint32_t twin_target_current_nA(const struct twin_target *t, uint32_t v_uV, bool power_good);

/* The emulator's current ADC code for that current. */
uint32_t twin_target_adc(uint32_t i_nA);

#endif
