/* iv_out_ring.c - copy, tear check and timestamp check of the IV output ring. */
#include "pru/iv_out_ring.h"

#include <stdbool.h>
#include <string.h>

#include "common/log.h"
#include "pru/shared_mem.h"
#include "pru/shepherd_abi.h"

#define N SHP_IV_OUT_SAMPLES_N

static void report(struct iv_ts_check *chk, enum iv_anomaly kind, uint64_t expected, uint64_t found,
		   uint64_t samples)
{
	if (chk->on_anomaly)
		chk->on_anomaly(chk->ctx, kind, expected, found, samples);
}

uint32_t iv_check_timestamps(struct iv_ts_check *chk, uint64_t *ts, uint32_t *v, uint32_t *i,
			     uint32_t n)
{
	uint64_t expected = chk->expected;
	uint32_t k = 0;
	/* fast path: the whole block continues the sequence */
	while (k < n && ts[k] == expected) {
		expected += SHP_SAMPLE_INTERVAL_NS;
		k++;
	}
	uint32_t out = k;
	for (; k < n; k++) {
		uint64_t t = ts[k];
		if (t < expected) {
			chk->stats->discarded++;
			report(chk, IV_ANOMALY_BACKWARDS, expected, t, 1);
			continue;
		}
		if (t > expected) {
			uint64_t missing = (t - expected) / SHP_SAMPLE_INTERVAL_NS;
			if (missing == 0)
				missing = 1; /* off the 10 us grid: count the slot as lost */
			chk->stats->lost += missing;
			chk->stats->gaps++;
			report(chk, IV_ANOMALY_GAP, expected, t, missing);
		}
		ts[out] = t;
		v[out] = v[k];
		i[out] = i[k];
		out++;
		expected = t + SHP_SAMPLE_INTERVAL_NS;
	}
	chk->expected = expected;
	return out;
}

void iv_out_reader_init(struct iv_out_reader *r, uint8_t *ring, uint64_t first_ts,
			iv_anomaly_fn on_anomaly, void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->ring = ring;
	r->check.expected = first_ts;
	r->check.stats = &r->stats;
	r->check.on_anomaly = on_anomaly;
	r->check.ctx = ctx;
}

uint32_t iv_out_available(struct iv_out_reader *r)
{
	uint32_t idx = pru_mem_load_u32(r->ring + SHP_IV_OUT_IDX_OFF);
	if (idx >= N) {
		if (!r->warned_index)
			log_warn("IV-out idx_pru is %u, outside the ring of %u samples: waiting",
				 idx, N);
		r->warned_index = true;
		return 0;
	}
	return (idx + N - r->next) % N;
}

/*
 * Copies count samples from ring slot from, with wide loads (pru_mem.h); the timestamps are
 * checked in the same pass. Returns true when ts[k] == expected + k * 10 us for every k.
 * Timestamps last: PRU0 rewrites slots in ring order, starting with the oldest slot of the copy,
 * whatever the order of a slot's fields. If it reached any slot while the copy ran, the oldest
 * slot's timestamp, copied after that slot's voltage and current and re-read at the end, is new
 * in the copy (the sequence check) or in the re-read (the tear check).
 */
static bool copy_samples(const uint8_t *ring, uint32_t from, uint32_t count, uint64_t *ts,
			 uint32_t *v, uint32_t *i, uint64_t expected)
{
	pru_mem_copy_from(v, ring + SHP_IV_OUT_V_OFF + (size_t)from * 4, (size_t)count * 4);
	pru_mem_copy_from(i, ring + SHP_IV_OUT_I_OFF + (size_t)from * 4, (size_t)count * 4);
	return pru_mem_copy_ts_seq(ts, ring + SHP_IV_OUT_TS_OFF + (size_t)from * 8, count, expected,
				   SHP_SAMPLE_INTERVAL_NS);
}

/* Lock-step with the simulator only (see SHP_IV_OUT_MARK_INTERVAL): never on a node. */
static void clear_marks(struct iv_out_reader *r, uint32_t from, uint32_t count)
{
	uint32_t first = (from + SHP_IV_OUT_MARK_INTERVAL - 1) / SHP_IV_OUT_MARK_INTERVAL *
			 SHP_IV_OUT_MARK_INTERVAL;
	for (uint64_t k = first; k < (uint64_t)from + count; k += SHP_IV_OUT_MARK_INTERVAL)
		pru_mem_store_u64(r->ring + SHP_IV_OUT_TS_OFF + (size_t)(k % N) * 8, 0);
}

shp_err iv_out_read(struct iv_out_reader *r, uint64_t *ts, uint32_t *v, uint32_t *i, uint32_t cap,
		    uint32_t *n)
{
	*n = 0;
	uint32_t avail = iv_out_available(r);
	uint32_t count = avail < cap ? avail : cap;
	if (count == 0)
		return SHP_OK;

	uint32_t start = r->next;
	uint32_t first = N - start < count ? N - start : count;
	uint64_t expected = r->check.expected;
	bool in_sequence = copy_samples(r->ring, start, first, ts, v, i, expected);
	if (first < count)
		in_sequence &=
			copy_samples(r->ring, 0, count - first, ts + first, v + first, i + first,
				     expected + (uint64_t)first * SHP_SAMPLE_INTERVAL_NS);

	if (r->copy_hook)
		r->copy_hook(r->copy_hook_ctx);
	/* PRU0 writes in ring order: if the oldest copied slot is unchanged (both halves, see
	 * pru_mem.h), it did not reach any slot of the copy */
	pru_mem_barrier();
	uint64_t again = pru_mem_load_u64(r->ring + SHP_IV_OUT_TS_OFF + (size_t)start * 8);
	if (again != ts[0]) {
		uint32_t idx = pru_mem_load_u32(r->ring + SHP_IV_OUT_IDX_OFF) % N;
		r->stats.overruns++;
		report(&r->check, IV_ANOMALY_OVERRUN, r->check.expected, again, count);
		/* resume half a ring behind the writer; the timestamps will tell how much is lost
		 */
		r->next = (idx + N / 2) % N;
		return SHP_OK;
	}

	if (r->marks)
		clear_marks(r, start, count);
	r->next = (start + count) % N;

	if (in_sequence) { /* the whole block continues the sequence */
		r->check.expected = expected + (uint64_t)count * SHP_SAMPLE_INTERVAL_NS;
		*n = count;
	} else {
		*n = iv_check_timestamps(&r->check, ts, v, i, count);
	}
	r->stats.delivered += *n;
	if (r->next < start || r->next == 0) /* wrapped: the cheapest moment to look */
		return shm_check_ring_canary(r->ring, SHP_RING_IV_OUT);
	return SHP_OK;
}
