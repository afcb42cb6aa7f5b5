/*
 * losses.h - every loss of a run, where and how large, as rows of /losses (created at the
 * first loss, so a complete recording has the predecessor's layout exactly).
 *
 *   time   u8   where it begins: the first missing sample's timestamp (iv), the repeated
 *               timestamp (iv_discarded), the last event before the gap (gpio), the first
 *               stale sample's due time (input_stale)
 *   stream str  iv | iv_discarded | gpio | input_stale
 *   count  u8   samples or events
 *   until  u8   the first timestamp after the loss (0: unknown)
 *   exact  u1   1, or 0 where only a lower bound is known (a lapped GPIO ring)
 *
 * Repeated timestamps come one sample at a time from the checker; a run of them is one row.
 */
#ifndef SHP_LOSSES_H
#define SHP_LOSSES_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "h5/h5_writer.h"

enum loss_stream { LOSS_IV, LOSS_IV_DISCARDED, LOSS_GPIO, LOSS_INPUT_STALE };

struct losses {
	h5w_t *writer; /* NULL: counted only */
	h5w_table_t *table;
	uint64_t rows;
	bool run_open; /* a run of discarded samples being gathered */
	uint64_t run_at, run_last, run_count;
	shp_err error; /* first failure writing the table */
};

void losses_init(struct losses *l, h5w_t *writer);

void losses_note(struct losses *l, enum loss_stream stream, uint64_t at_ns, uint64_t until_ns,
		 uint64_t count, bool exact);

/* Writes a pending run; returns the first error seen writing rows. */
shp_err losses_finish(struct losses *l);

#endif
