/*
 * gpio_model.h - the simulator's PRU1: a deterministic schedule of GPIO edge events.
 *
 * Events come every dt = round(1e9 / rate) ns; with bursts only in the first on_ns of every
 * period_ns (else continuously: on = period = dt). Event k (from 0) of a run started at t0:
 *
 *   per_period = ceil(on_ns / dt)
 *   time(k)    = t0 + (k / per_period) * period_ns + (k % per_period) * dt
 *   value(k)   = the low bits of (k + 1) spread over the set bits of the tracer mask
 *                (bit j of the counter goes to the j-th set bit of the mask, counting up)
 *
 * so consecutive events always differ in a traced pin, as edges do.
 */
#ifndef SIM_GPIO_MODEL_H
#define SIM_GPIO_MODEL_H

#include <stdint.h>

struct gpio_schedule {
	uint64_t dt_ns;     /* 0: no events */
	uint64_t on_ns;     /* burst length */
	uint64_t period_ns; /* burst period */
	uint64_t per_period;
};

/* rate_hz 0 disables; burst_on_ms/period_ms 0 means continuous. Returns -1 if inconsistent. */
int gpio_schedule_init(struct gpio_schedule *s, double rate_hz, double burst_on_ms,
		       double burst_period_ms);

uint64_t gpio_event_time(const struct gpio_schedule *s, uint64_t t0, uint64_t k);

/* Index of the first event at or after time t (t >= t0). */
uint64_t gpio_first_event_at(const struct gpio_schedule *s, uint64_t t0, uint64_t t);

uint16_t gpio_event_value(uint64_t k, uint32_t mask);

#endif
