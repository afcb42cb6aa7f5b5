/* gpio_ring.c - lap detection, tear check and ordered delivery of GPIO edge events. */
#include "pru/gpio_ring.h"

#include <string.h>

#include "common/log.h"
#include "pru/shared_mem.h"
#include "pru/shepherd_abi.h"

#define N SHP_GPIO_SAMPLES_N
#define RESYNC_MARGIN (N / 4) /* after a lap, start this far ahead of PRU1's write position */

static uint64_t slot_ts(const struct gpio_reader *r, uint32_t slot)
{
	return pru_mem_load_u64(r->ring + SHP_GPIO_TS_OFF + (size_t)slot * 8);
}

static void lose(struct gpio_reader *r, uint64_t lost, uint64_t before_ts, bool lower_bound)
{
	if (lost == 0)
		return;
	r->stats.lost += lost;
	r->stats.gaps++;
	struct gpio_gap gap = {r->last_ts, before_ts, lost, lower_bound};
	if (r->on_gap)
		r->on_gap(r->ctx, &gap);
}

void gpio_reader_init(struct gpio_reader *r, uint8_t *ring, gpio_gap_fn on_gap, void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->ring = ring;
	r->on_gap = on_gap;
	r->ctx = ctx;
}

static bool load_index(struct gpio_reader *r, uint32_t *idx)
{
	*idx = pru_mem_load_u32(r->ring + SHP_GPIO_IDX_OFF);
	if (*idx < N)
		return true;
	if (!r->warned_index)
		log_warn("GPIO ring: PRU1 write index %u is out of range; ignored", *idx);
	r->warned_index = true;
	return false;
}

uint32_t gpio_available(const struct gpio_reader *r)
{
	uint32_t idx = pru_mem_load_u32(r->ring + SHP_GPIO_IDX_OFF);
	return idx < N ? (idx + N - r->next) % N : 0;
}

shp_err gpio_read(struct gpio_reader *r, uint64_t *ts, uint16_t *value, uint32_t cap, uint32_t *n,
		  uint32_t *taken)
{
	*n = 0;
	*taken = 0;
	uint32_t i1;
	if (!load_index(r, &i1))
		return SHP_OK;
	uint32_t avail = (i1 + N - r->next) % N;
	if (r->copied_any && slot_ts(r, (r->next + N - 1) % N) != r->copied_ts) {
		/* PRU1 wrote over the last slot copied: it went round the ring at least once */
		r->next = (i1 + RESYNC_MARGIN) % N;
		r->copied_ts = slot_ts(r, (r->next + N - 1) % N);
		lose(r, (uint64_t)avail + RESYNC_MARGIN, slot_ts(r, r->next), true);
		avail = N - RESYNC_MARGIN;
	}
	uint32_t count = avail < cap ? avail : cap;
	if (count > N - r->next)
		count = N - r->next;
	if (count == 0)
		return SHP_OK;

	const uint8_t *src_ts = r->ring + SHP_GPIO_TS_OFF + (size_t)r->next * 8;
	const uint8_t *src_val = r->ring + SHP_GPIO_MASK_OFF + (size_t)r->next * 2;
	pru_mem_copy_from(ts, src_ts, (size_t)count * 8);
	pru_mem_copy_from(value, src_val, (size_t)count * 2);
	uint64_t tail_ts = ts[count - 1]; /* the lap check's witness for the next read */
	if (r->copy_hook)
		r->copy_hook(r->copy_hook_ctx);

	/* slots PRU1 wrote during the copy, plus the one it may be writing: did they reach ours?
	 * (the barrier: the index is read after the copy's loads, not before) */
	pru_mem_barrier();
	uint32_t i2 = pru_mem_load_u32(r->ring + SHP_GPIO_IDX_OFF);
	uint32_t moved = i2 < N ? (i2 + N - i1) % N : 0;
	int64_t overwritten = (int64_t)avail + moved + 1 - N;
	uint32_t skip = 0;
	if (overwritten > 0) {
		skip = overwritten > count ? count : (uint32_t)overwritten;
		lose(r, skip, skip < count ? ts[skip] : 0, false);
	}

	uint32_t out = 0;
	uint64_t last = r->last_ts;
	for (uint32_t k = skip; k < count; k++) {
		if (ts[k] <= last) {
			r->stats.discarded++;
			continue;
		}
		last = ts[k];
		ts[out] = ts[k];
		value[out] = value[k];
		out++;
	}
	if (out < count - skip)
		log_warn("GPIO ring: %u events out of time order (repeated or backwards) dropped",
			 count - skip - out);
	r->last_ts = last;
	r->copied_ts = tail_ts;
	r->copied_any = true;
	r->next = (r->next + count) % N;
	r->stats.delivered += out;
	*n = out;
	*taken = count;
	if (r->next == 0)
		return shm_check_ring_canary(r->ring, SHP_RING_GPIO);
	return SHP_OK;
}
