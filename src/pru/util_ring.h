/*
 * util_ring.h - reading the PRU utilisation ring (one entry per 100 ms window, PRU1 writes).
 *
 * Each entry becomes one /pru_util row: mean and max PRU0 loop time and max PRU1 loop time in ns.
 * Unlike the predecessor, reading never writes into the shared memory.
 */
#ifndef SHP_UTIL_RING_H
#define SHP_UTIL_RING_H

#include <stdint.h>

struct util_row {
	uint64_t ts;
	uint16_t values[3]; /* pru0 mean, pru0 max, pru1 max [ns] */
};

struct util_reader {
	uint8_t *ring;
	uint32_t next;
	uint32_t warnings; /* real-time warnings issued (capped) */
	uint64_t rows;
};

void util_reader_init(struct util_reader *r, uint8_t *ring);

/* Reads up to cap new entries into rows; returns how many. */
uint32_t util_read(struct util_reader *r, struct util_row *rows, uint32_t cap);

#endif
