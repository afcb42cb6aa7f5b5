/*
 * stream_util.h - the PRU utilisation stream: PRU1's util ring → /pru_util, one row per 100 ms
 * window that ends inside the run (start, end].
 *
 * A poll hands every new row to the writer, which keeps them to whole chunks of 100 and writes
 * a partial one at its flush: the stream holds nothing back, so it has no flush.
 */
#ifndef SHP_STREAM_UTIL_H
#define SHP_STREAM_UTIL_H

#include <stdint.h>

#include "common/error.h"
#include "h5/h5_writer.h"
#include "pru/util_ring.h"
#include "sheep/streams.h"

struct stream_util {
	struct util_reader reader;
	uint64_t start_ns, end_ns;
};

void stream_util_open(struct stream_util *u, uint8_t *ring, const struct stream_window *win);

/* Takes every new row, handing those of the run to w (NULL: none). */
shp_err stream_util_poll(struct stream_util *u, h5w_t *w);

#endif
