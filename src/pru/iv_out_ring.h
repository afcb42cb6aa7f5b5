/*
 * iv_out_ring.h - reading the IV output ring (PRU0 writes, the sheep reads).
 *
 * The reader takes whatever is available at each poll, copies it out of the ring, and proves the
 * copy: a copy is torn if PRU0 overwrote its first slot while it was being copied (checked by
 * re-reading that slot's timestamp afterwards), and every sample's timestamp must follow the
 * previous one by exactly 10 us. Losses are therefore counted from timestamps, not from fill
 * levels: a gap of k missing samples is reported as k lost samples, a repeated or backwards
 * timestamp is dropped so that no sample is ever delivered twice.
 */
#ifndef SHP_IV_OUT_RING_H
#define SHP_IV_OUT_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

enum iv_anomaly {
	IV_ANOMALY_GAP,       /* samples missing between expected and found timestamp */
	IV_ANOMALY_BACKWARDS, /* timestamp repeats or goes back: sample dropped */
	IV_ANOMALY_OVERRUN,   /* the PRU overwrote data while it was copied: copy discarded */
};

typedef void (*iv_anomaly_fn)(void *ctx, enum iv_anomaly kind, uint64_t expected_ts,
			      uint64_t found_ts, uint64_t samples);

struct iv_stats {
	uint64_t delivered; /* samples handed to the caller */
	uint64_t lost;      /* samples missing in the timestamp sequence */
	uint64_t discarded; /* samples dropped as repeated / backwards */
	uint64_t gaps;      /* number of separate gaps */
	uint64_t overruns;  /* torn copies */
};

/* Timestamp sequence checker, separate from the ring so it can be tested on its own. */
struct iv_ts_check {
	uint64_t expected; /* timestamp the next sample must have */
	struct iv_stats *stats;
	iv_anomaly_fn on_anomaly;
	void *ctx;
};

/*
 * Checks ts[0..n) against the expected sequence, compacts ts/v/i in place to the samples worth
 * keeping and returns their number. Advances chk->expected past the last kept sample.
 */
uint32_t iv_check_timestamps(struct iv_ts_check *chk, uint64_t *ts, uint32_t *v, uint32_t *i,
			     uint32_t n);

struct iv_out_reader {
	uint8_t *ring;
	uint32_t next; /* ring index of the next sample to read */
	struct iv_ts_check check;
	struct iv_stats stats;
	bool marks;        /* clear consumer marks: only for the simulator's lock-step (off) */
	bool warned_index; /* logged an out-of-range idx_pru once */
	void (*copy_hook)(void *ctx); /* tests only: runs between the copy and its check */
	void *copy_hook_ctx;
};

/* ring: start of the IV-out struct; first_ts: timestamp the first sample must carry. */
void iv_out_reader_init(struct iv_out_reader *r, uint8_t *ring, uint64_t first_ts,
			iv_anomaly_fn on_anomaly, void *ctx);

/* Samples PRU0 has written that are not read yet (modulo the ring size). */
uint32_t iv_out_available(struct iv_out_reader *r);

/*
 * Copies up to cap available samples into ts/v/i, checks them and returns the number of
 * samples delivered in *n. Fails only on a damaged canary (checked whenever the cursor wraps).
 */
shp_err iv_out_read(struct iv_out_reader *r, uint64_t *ts, uint32_t *v, uint32_t *i, uint32_t cap,
		    uint32_t *n);

#endif
