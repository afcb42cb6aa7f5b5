/* iv_in_ring.c - keeping the IV input ring ahead of PRU0, with exact underrun counting. */
#include "pru/iv_in_ring.h"

#include <string.h>

#include "common/log.h"
#include "pru/shared_mem.h"

#define N SHP_IV_INP_SAMPLES_N

void iv_in_writer_init(struct iv_in_writer *w, uint8_t *ring)
{
	memset(w, 0, sizeof(*w));
	w->ring = ring;
}

uint64_t iv_in_update(struct iv_in_writer *w)
{
	uint32_t idx = pru_mem_load_u32(w->ring + SHP_IV_INP_IDX_PRU_OFF);
	if (idx == SHP_IDX_OUT_OF_BOUND && !w->pru_started)
		return 0;
	if (idx >= N) {
		if (!w->warned_index)
			log_warn("input ring: PRU0 read index %u is out of range; ignored", idx);
		w->warned_index = true;
		return 0;
	}
	uint64_t before = w->consumed;
	if (!w->pru_started) {
		w->pru_started = true;
		w->consumed = (uint64_t)idx + 1; /* PRU0 starts at slot 0 */
	} else {
		w->consumed += (idx + N - w->last_idx) % N;
	}
	w->last_idx = idx;
	/* only what was consumed since the last update counts as new underrun */
	uint64_t stale_before = before > w->written ? before - w->written : 0;
	uint64_t stale_now = w->consumed > w->written ? w->consumed - w->written : 0;
	uint64_t fresh = stale_now > stale_before ? stale_now - stale_before : 0;
	w->underrun += fresh;
	return fresh;
}

int64_t iv_in_ahead(const struct iv_in_writer *w)
{
	return (int64_t)w->written - (int64_t)w->consumed;
}

uint32_t iv_in_free(const struct iv_in_writer *w)
{
	int64_t ahead = iv_in_ahead(w);
	if (ahead < 0)
		ahead = 0; /* PRU0 is past the written data: the whole ring but its slot is free */
	int64_t free = (int64_t)N - 1 - ahead;
	return free > 0 ? (uint32_t)free : 0;
}

shp_err iv_in_write(struct iv_in_writer *w, const struct shp_iv_sample *s, uint32_t n)
{
	uint8_t *base = w->ring + SHP_IV_INP_SAMPLE_OFF;
	while (n > 0) {
		uint32_t part = N - w->next;
		if (part > n)
			part = n;
		pru_mem_copy_to(base + (size_t)w->next * sizeof(*s), s, (size_t)part * sizeof(*s));
		w->next = (w->next + part) % N;
		w->written += part;
		s += part;
		n -= part;
		pru_mem_store_u32(w->ring + SHP_IV_INP_IDX_SYS_OFF, w->next);
		if (w->next == 0)
			SHP_TRY(shm_check_ring_canary(w->ring, SHP_RING_IV_INP));
	}
	return SHP_OK;
}
