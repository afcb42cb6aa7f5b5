/* gpio_model.c - event times and values of the simulated PRU1. */
#include "gpio_model.h"

#include <math.h>

int gpio_schedule_init(struct gpio_schedule *s, double rate_hz, double burst_on_ms,
		       double burst_period_ms)
{
	*s = (struct gpio_schedule){0};
	if (rate_hz <= 0)
		return 0;
	s->dt_ns = (uint64_t)llround(1e9 / rate_hz);
	if (s->dt_ns == 0)
		return -1;
	if (burst_on_ms > 0) {
		s->on_ns = (uint64_t)llround(burst_on_ms * 1e6);
		s->period_ns = (uint64_t)llround(burst_period_ms * 1e6);
		if (s->on_ns > s->period_ns || s->period_ns == 0)
			return -1;
	} else {
		s->on_ns = s->period_ns = s->dt_ns;
	}
	s->per_period = (s->on_ns + s->dt_ns - 1) / s->dt_ns;
	return 0;
}

uint64_t gpio_event_time(const struct gpio_schedule *s, uint64_t t0, uint64_t k)
{
	return t0 + (k / s->per_period) * s->period_ns + (k % s->per_period) * s->dt_ns;
}

uint64_t gpio_first_event_at(const struct gpio_schedule *s, uint64_t t0, uint64_t t)
{
	uint64_t rel = t - t0;
	uint64_t period = rel / s->period_ns;
	uint64_t into = rel - period * s->period_ns;
	uint64_t j = (into + s->dt_ns - 1) / s->dt_ns;
	if (j >= s->per_period) {
		period++;
		j = 0;
	}
	return period * s->per_period + j;
}

uint16_t gpio_event_value(uint64_t k, uint32_t mask)
{
	uint64_t count = k + 1;
	uint16_t value = 0;
	for (unsigned bit = 0; bit < 16 && count; bit++) {
		if (!(mask >> bit & 1u))
			continue;
		if (count & 1u)
			value |= (uint16_t)(1u << bit);
		count >>= 1;
	}
	return value;
}
