/*
 * simulate_loop.c - the samples of a simulation: block by block through the twin, the IV
 * samples of the power_tracing window to the writer in whole chunks, the power-good pin as PRU1
 * traces it (an event per change, none while GPIO logging is paused).
 */
#include "common/clock.h"
#include "common/log.h"
#include "common/stop.h"
#include "sheep/simulate_internal.h"

#define BAT_OK_BIT (1u << 9) /* the GPIO trace's power-good bit (sheep-datapath.md 1.4) */

_Static_assert(PREFETCH_BLOCK == SIM_BLOCK, "the input comes in the loop's blocks");
_Static_assert(sizeof(struct shp_iv_sample) == 2 * sizeof(uint32_t),
	       "input samples are interleaved (uV, nA) pairs, as the twin reads them");

static uint64_t ts_of(const struct simulation *s, uint64_t k)
{
	return s->win.start_ns + k * SHP_SAMPLE_INTERVAL_NS;
}

static shp_err append_iv(struct simulation *s, const uint64_t *ts, const uint32_t *v,
			 const uint32_t *i, uint32_t n)
{
	input_prefetch_lock(s->prefetch);
	shp_err e = h5w_append_iv(s->writer, ts, v, i, n);
	input_prefetch_unlock(s->prefetch);
	if (e == SHP_OK)
		s->recorded += n;
	return e;
}

shp_err simulate_flush(struct simulation *s)
{
	if (s->staged == 0 || !s->writer)
		return SHP_OK;
	uint32_t n = s->staged;
	s->staged = 0;
	return append_iv(s, s->stage_ts, s->stage_v, s->stage_i, n);
}

/* The block's samples [k0, k0 + n) of the run that lie in the power_tracing window. */
static shp_err keep_iv(struct simulation *s, uint64_t k0, uint32_t n)
{
	uint64_t lo = k0 > s->iv_first ? k0 : s->iv_first;
	uint64_t hi = k0 + n < s->iv_end ? k0 + n : s->iv_end;
	if (lo >= hi)
		return SHP_OK;
	uint32_t from = (uint32_t)(lo - k0), len = (uint32_t)(hi - lo);
	if (!s->writer) {
		s->recorded += len;
		return SHP_OK;
	}
	if (s->staged == 0 && len == SIM_BLOCK) { /* a whole chunk: no copy */
		for (uint32_t k = 0; k < len; k++)
			s->ts[k] = ts_of(s, lo + k);
		return append_iv(s, s->ts, s->v, s->i, len);
	}
	while (len > 0) {
		uint32_t take = SIM_BLOCK - s->staged;
		if (take > len)
			take = len;
		for (uint32_t k = 0; k < take; k++) {
			s->stage_ts[s->staged + k] = ts_of(s, k0 + from + k);
			s->stage_v[s->staged + k] = s->v[from + k];
			s->stage_i[s->staged + k] = s->i[from + k];
		}
		s->staged += take;
		from += take;
		len -= take;
		if (s->staged == SIM_BLOCK)
			SHP_TRY(simulate_flush(s));
	}
	return SHP_OK;
}

/*
 * PRU1's trace of BAT_OK, as the simulator's (sim/pru1_gpio.c): an event with the masked word
 * at each sample after which power-good differs from the sample before (from its state after
 * the twin's init on), none for a change in a sample with GPIO logging paused.
 */
static shp_err trace_gpio(struct simulation *s, uint64_t k0, uint32_t n)
{
	uint32_t events = 0;
	for (uint32_t k = 0; k < n; k++) {
		uint8_t f = s->flags[k];
		bool pg = f & TWIN_FLAG_POWER_GOOD;
		if (pg == s->gpio_pg)
			continue;
		s->gpio_pg = pg;
		uint64_t t = ts_of(s, k0 + k);
		if ((f & TWIN_FLAG_GPIO_PAUSED) || t < s->win.gpio_from || t >= s->win.gpio_to)
			continue;
		s->gpio_ts[events] = t;
		s->gpio_val[events] = pg ? BAT_OK_BIT : 0;
		events++;
	}
	if (events == 0)
		return SHP_OK;
	s->gpio_events += events;
	if (!s->writer)
		return SHP_OK;
	input_prefetch_lock(s->prefetch);
	shp_err e = h5w_append_gpio(s->writer, s->gpio_ts, s->gpio_val, events);
	input_prefetch_unlock(s->prefetch);
	return e;
}

/* The next block through the twin: *n samples from sample k0 on. */
static shp_err next_block(struct simulation *s, uint64_t k0, uint32_t *n)
{
	if (!s->emu) {
		uint64_t left = s->samples - k0;
		*n = left < SIM_BLOCK ? (uint32_t)left : SIM_BLOCK;
		twin_harvest_block(s->twin, &s->cell, k0, *n, s->v, s->i);
		return SHP_OK;
	}
	const struct shp_iv_sample *in;
	SHP_TRY(input_prefetch_next(s->prefetch, &in, n));
	if (*n == 0) {
		log_error("input %s ended after %llu samples, %llu were expected", s->input.path,
			  (unsigned long long)k0, (unsigned long long)s->samples);
		return SHP_ERR_INPUT;
	}
	twin_emulate_block(s->twin, &s->opt->target, (const uint32_t *)(const void *)in, *n, s->v,
			   s->i, (s->gpio_mask & BAT_OK_BIT) ? s->flags : NULL);
	return SHP_OK;
}

shp_err simulate_samples(struct simulation *s)
{
	if (s->writer)
		durability_start(&s->durability, mono_ns());
	for (uint64_t k0 = 0; k0 < s->samples;) {
		if (shp_stop_signal) {
			log_warn("signal %d: stopping the simulation after %.2f s",
				 (int)shp_stop_signal, (double)k0 / SHP_SAMPLE_RATE_SPS);
			return SHP_ERR_INTERRUPTED;
		}
		uint32_t n;
		SHP_TRY(next_block(s, k0, &n));
		SHP_TRY(keep_iv(s, k0, n));
		if (s->gpio_mask & BAT_OK_BIT)
			SHP_TRY(trace_gpio(s, k0, n));
		k0 += n;
		s->done = k0;
		if (s->writer) {
			input_prefetch_lock(s->prefetch);
			shp_err e = durability_commit_if_due(&s->durability, s->writer, mono_ns());
			input_prefetch_unlock(s->prefetch);
			SHP_TRY(e);
		}
	}
	return SHP_OK;
}
