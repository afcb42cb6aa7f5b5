/*
 * twin_hrv_block.c - the harvest loop against the solar transducer (twin_solar.h). On its
 * own so that a program using only the emulation does not need the transducer linked.
 */
#include "twin.h"
#include "twin_internal.h"
#include "twin_solar.h"

void twin_harvest_block(struct twin *t, const struct twin_solar *cell, uint64_t k0, uint32_t n,
			uint32_t *out_voltage, uint32_t *out_current)
{
	for (uint32_t k = 0; k < n; k++) {
		uint32_t adc_v, adc_i;
		twin_solar_read(cell, k0 + k, t->hrv.dac, &adc_v, &adc_i);
		twin_harvest(t, adc_v, adc_i, &out_voltage[k], &out_current[k]);
	}
}
