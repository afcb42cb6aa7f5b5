/*
 * pru1_gpio.c - the simulated PRU1's GPIO tracer: the scheduled edges (gpio_model.h) and, in an
 * emulation through the twin, BAT_OK on trace bit 9 and the pause of GPIO logging.
 *
 * With the twin's flags, per sample n of the batch: BAT_OK is power-good after sample n; every
 * event in sample n carries it on bit 9 and its change from sample n - 1 is an event of its own
 * at sample n's timestamp (merged into a scheduled event at that very time); the schedule's
 * counter is spread over the traced pins but bit 9; nothing in a sample with GPIO logging paused
 * is recorded (the pins still change). Bit 9 only where the tracer mask has it.
 */
#include "pru_model.h"

#include <string.h>

#define N_GPIO SHP_GPIO_SAMPLES_N
#define PUBLISH_EVERY 4096u

static void publish(struct sim_pru *p)
{
	__atomic_store_n((uint32_t *)(void *)(p->gpio + SHP_GPIO_IDX_OFF), p->gpio_cursor,
			 __ATOMIC_RELEASE);
}

/* One event into the ring; idx_pru (the next free slot) published every 4096 events. */
static void put(struct sim_pru *p, uint32_t *since_publish, uint64_t t, uint16_t value)
{
	uint32_t s = p->gpio_cursor;
	memcpy(p->gpio + SHP_GPIO_TS_OFF + (size_t)s * 8, &t, 8);
	memcpy(p->gpio + SHP_GPIO_MASK_OFF + (size_t)s * 2, &value, 2);
	p->gpio_cursor = (s + 1) % N_GPIO;
	p->gpio_events++;
	if (++*since_publish == PUBLISH_EVERY) {
		publish(p);
		*since_publish = 0;
	}
}

void sim_pru1_gpio(struct sim_pru *p, uint64_t ts0, uint32_t count, const uint8_t *flags)
{
	const uint64_t dt = SHP_SAMPLE_INTERVAL_NS;
	bool bat_ok = flags && (p->gpio_mask & SIM_GPIO_BAT_OK);
	uint32_t pins = flags ? p->gpio_mask & ~SIM_GPIO_BAT_OK : p->gpio_mask;
	bool scheduled = p->gpio_sched.dt_ns != 0 && pins != 0;
	if (count == 0 || (!scheduled && !bat_ok))
		return;
	uint64_t t_end = ts0 + (uint64_t)count * dt;
	uint32_t since_publish = 0;
	uint32_t next = 0; /* the next sample whose power-good is compared */
	for (;;) {
		uint64_t t = scheduled ? gpio_event_time(&p->gpio_sched, p->start_ns, p->gpio_next)
				       : t_end;
		bool due = t < t_end;
		/* an event in the gap a forward timestamp jump (a fault) left: it keeps the state
		 * from before the batch */
		bool gap = due && t < ts0;
		uint32_t n = !due ? count : gap ? 0 : (uint32_t)((t - ts0) / dt);
		/* the changes of BAT_OK up to the event's sample */
		uint32_t upto = !due ? count : gap ? 0 : n + 1;
		for (; bat_ok && next < upto; next++) {
			bool pg = flags[next] & TWIN_FLAG_POWER_GOOD;
			if (pg == p->gpio_pg)
				continue;
			p->gpio_pg = pg;
			uint64_t ts = ts0 + (uint64_t)next * dt;
			if ((due && ts == t) || (flags[next] & TWIN_FLAG_GPIO_PAUSED))
				continue; /* the scheduled event carries it / not recorded */
			put(p, &since_publish, ts,
			    (uint16_t)(p->gpio_pins | (pg ? SIM_GPIO_BAT_OK : 0)));
		}
		if (!due)
			break;
		uint16_t value = gpio_event_value(p->gpio_next, pins);
		p->gpio_pins = value;
		p->gpio_next++;
		if (!gap && flags && (flags[n] & TWIN_FLAG_GPIO_PAUSED))
			continue;
		if (bat_ok && p->gpio_pg)
			value |= SIM_GPIO_BAT_OK;
		put(p, &since_publish, t, value);
	}
	publish(p);
}
