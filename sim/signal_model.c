/* signal_model.c - integer-only signal formulas (see signal_model.h). */
#include "signal_model.h"

#include "pru/shepherd_abi.h"

#define LIGHT_PERIOD 2000000ull
#define FLICKER_PERIOD 1000ull
#define CODE_MAX ((1 << 18) - 1)

static uint32_t clamp18(int64_t v)
{
	return v < 0 ? 0 : v > CODE_MAX ? CODE_MAX : (uint32_t)v;
}

void sim_signal_harvest(uint64_t seed, uint64_t ts0, uint32_t count, uint32_t *voltage,
			uint32_t *current)
{
	uint64_t n = ts0 / SHP_SAMPLE_INTERVAL_NS;
	uint64_t mix = seed * 0xD1B54A32D192ED03ull;
	for (uint32_t k = 0; k < count; k++, n++) {
		uint64_t ph = n % LIGHT_PERIOD;
		int64_t tri = (int64_t)(ph < LIGHT_PERIOD / 2 ? ph : LIGHT_PERIOD - ph);
		int64_t light = 16384 + tri * 49152 / 1000000;
		uint64_t fp = n % FLICKER_PERIOD;
		int64_t ft = (int64_t)(fp < FLICKER_PERIOD / 2 ? fp : FLICKER_PERIOD - fp);
		int64_t lightf = light - light / 32 + light * ft / 8000;
		uint64_t r = sim_splitmix64(n + mix);
		current[k] = clamp18(lightf * 150000 / 65536 + (int64_t)(r & 0x3FF) - 512);
		voltage[k] =
			clamp18(98000 + lightf * 8000 / 65536 + (int64_t)((r >> 10) & 0x7F) - 64);
	}
}

void sim_signal_util(uint64_t seed, uint64_t w, uint32_t *p0_max, uint32_t *p0_sum,
		     uint32_t *p0_count, uint32_t *p1_max)
{
	uint64_t r = sim_splitmix64(w ^ (seed * 0x9E3779B97F4A7C15ull) ^ 0x5555);
	uint32_t mean = 3000 + (uint32_t)(r % 300);
	*p0_count = SHP_SAMPLES_PER_SYNC;
	*p0_sum = mean * SHP_SAMPLES_PER_SYNC;
	*p0_max = 4200 + (uint32_t)((r >> 16) % 800);
	*p1_max = 600 + (uint32_t)((r >> 32) % 200);
}
