/*
 * signal_model.h - the simulator's deterministic harvesting signal.
 *
 * A solar cell under slowly changing light with mains flicker and sensor noise, as raw 18-bit
 * ADC codes. Each value is a pure function of (seed, sample timestamp), computed with 64-bit
 * integer arithmetic only, so a test can regenerate every sample exactly (numpy uint64 wraps
 * the same way) without trusting the simulator's code. The formula:
 *
 *   n      = timestamp_ns / 10000                      (absolute sample number)
 *   tri    = triangle(n mod 2 000 000) in 0..1 000 000 (20 s light cycle)
 *   light  = 16384 + tri * 49152 / 1 000 000           (Q16, 0.25 .. 1.0)
 *   ft     = triangle(n mod 1000) in 0..500            (100 Hz flicker)
 *   lightf = light - light / 32 + light * ft / 8000
 *   r      = splitmix64(n + seed * 0xD1B54A32D192ED03)
 *   current = clamp18(lightf * 150000 / 65536 + (r & 0x3FF) - 512)
 *   voltage = clamp18(98000 + lightf * 8000 / 65536 + ((r >> 10) & 0x7F) - 64)
 *
 * where triangle(p) over period P is p for p < P/2, else P - p.
 */
#ifndef SIM_SIGNAL_MODEL_H
#define SIM_SIGNAL_MODEL_H

#include <stdint.h>

static inline uint64_t sim_splitmix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

/* Fills voltage/current codes for count samples starting at timestamp ts0 (10 us apart). */
void sim_signal_harvest(uint64_t seed, uint64_t ts0, uint32_t count, uint32_t *voltage,
			uint32_t *current);

/* PRU utilisation of window number w: PRU0 max, sum, count and PRU1 max loop times in ns. */
void sim_signal_util(uint64_t seed, uint64_t w, uint32_t *p0_max, uint32_t *p0_sum,
		     uint32_t *p0_count, uint32_t *p1_max);

#endif
