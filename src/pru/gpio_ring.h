/*
 * gpio_ring.h - reading the GPIO edge ring (PRU1 writes, the sheep reads).
 *
 * idx_pru is the next free slot, so the available count is exact as long as PRU1 has not gone a
 * whole ring (3 000 000 events, 2 s at 1.5 MHz) past the reader. Whether it has is not left to
 * fill levels: the reader remembers the timestamp of the last slot it copied, and if that slot
 * holds another event at the next read, PRU1 lapped it. Events PRU1 overwrote while they were
 * being copied are found by re-reading idx_pru after the copy. Every loss is reported with the
 * time span it falls in; events are delivered strictly in time order, never twice.
 */
#ifndef SHP_GPIO_RING_H
#define SHP_GPIO_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

struct gpio_gap {
	uint64_t after_ts;  /* last event delivered before the gap (0: none yet) */
	uint64_t before_ts; /* first event available after it (0: unknown) */
	uint64_t lost;      /* events lost; a lower bound if lower_bound */
	bool lower_bound;   /* a lapped ring: PRU1 may have gone round more than once */
};

typedef void (*gpio_gap_fn)(void *ctx, const struct gpio_gap *gap);

struct gpio_stats {
	uint64_t delivered;
	uint64_t lost;      /* overwritten before they were read */
	uint64_t gaps;      /* separate losses */
	uint64_t discarded; /* out of time order (repeated or backwards): not delivered */
};

struct gpio_reader {
	uint8_t *ring;
	uint32_t next;      /* slot of the next event to read */
	bool copied_any;    /* slot next-1 holds an event this reader copied */
	uint64_t copied_ts; /* its timestamp as copied */
	uint64_t last_ts;   /* last event delivered */
	struct gpio_stats stats;
	gpio_gap_fn on_gap;
	void *ctx;
	bool warned_index;
	void (*copy_hook)(void *ctx); /* tests only: runs between the copy and its check */
	void *copy_hook_ctx;
};

void gpio_reader_init(struct gpio_reader *r, uint8_t *ring, gpio_gap_fn on_gap, void *ctx);

/* Events PRU1 has written that are not read yet (modulo the ring size). */
uint32_t gpio_available(const struct gpio_reader *r);

/*
 * Copies up to cap events (never across the ring end) into ts/value, returning the number
 * delivered in *n and the number of ring slots consumed in *taken (the caller reads again while
 * taken == cap). Fails only on a damaged canary, checked whenever the cursor wraps.
 */
shp_err gpio_read(struct gpio_reader *r, uint64_t *ts, uint16_t *value, uint32_t cap, uint32_t *n,
		  uint32_t *taken);

#endif
