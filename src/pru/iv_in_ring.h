/*
 * iv_in_ring.h - writing the IV input ring of an emulation (the sheep writes, PRU0 reads).
 *
 * PRU0 never looks at idx_sys: once it reads past what was written, it replays stale samples
 * without a word. The writer therefore counts, not only indexes: it follows PRU0's read index
 * (idx_pru, the sample just read) at every poll, unwraps it into a running count of consumed
 * samples, and compares that with the count it has written. The free space is what PRU0 has
 * consumed minus one slot (never the one it reads right now); consumption beyond what was
 * written is an underrun, counted sample by sample.
 */
#ifndef SHP_IV_IN_RING_H
#define SHP_IV_IN_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "pru/shepherd_abi.h"

struct iv_in_writer {
	uint8_t *ring;
	uint32_t next;     /* ring slot the next sample goes to */
	uint64_t written;  /* samples written since the start */
	uint64_t consumed; /* samples PRU0 has read, from idx_pru */
	uint32_t last_idx; /* idx_pru at the last update */
	bool pru_started;  /* idx_pru has left "nothing read yet" */
	uint64_t underrun; /* samples PRU0 read before they were written */
	bool warned_index;
};

/* ring: start of the input struct, prepared by shm_init_rings (idx_pru "nothing read yet"). */
void iv_in_writer_init(struct iv_in_writer *w, uint8_t *ring);

/*
 * Follows idx_pru; must run at least once per ring length of consumption (10.5 s). Returns the
 * number of samples newly found consumed before they were written (0 normally).
 */
uint64_t iv_in_update(struct iv_in_writer *w);

/* Slots that can be written now without touching anything PRU0 has not read. */
uint32_t iv_in_free(const struct iv_in_writer *w);

/* Written samples PRU0 has not read yet (negative: it is replaying stale ones). */
int64_t iv_in_ahead(const struct iv_in_writer *w);

/*
 * Writes n samples (n <= iv_in_free) at the write position, splitting at the ring end, then
 * publishes idx_sys. Fails only on a damaged canary, checked whenever the position wraps.
 */
shp_err iv_in_write(struct iv_in_writer *w, const struct shp_iv_sample *s, uint32_t n);

#endif
