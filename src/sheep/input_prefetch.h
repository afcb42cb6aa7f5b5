/*
 * input_prefetch.h - an emulation input read ahead: blocks of up to 10 000 samples (uV, nA, as
 * h5_input_read gives them), in order from sample 0, decoded by a reader thread of its own
 * into a bounded ring of PREFETCH_SLOTS blocks while the caller works on the previous ones.
 * Without the thread (threaded false) each block is read when it is asked for.
 *
 * libhdf5 is built without thread safety: the reader thread holds the prefetcher's HDF5 lock
 * for each of its reads, and every other HDF5 call made while the prefetcher lives (the
 * writer's) must hold it too (input_prefetch_lock / _unlock; no-ops without the thread).
 */
#ifndef SHP_INPUT_PREFETCH_H
#define SHP_INPUT_PREFETCH_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "h5/h5_input.h"

#define PREFETCH_SLOTS 4
#define PREFETCH_BLOCK 10000u

struct input_prefetch;

/* Reads samples [0, total) of in (open for the prefetcher's whole life). */
shp_err input_prefetch_start(const struct h5_input *in, uint64_t total, bool threaded,
			     struct input_prefetch **out);

/*
 * The next block: *n samples (0 at the end) at *block, valid until the next call. The block
 * before it is given back to the reader. An error of the read is returned here, in order.
 */
shp_err input_prefetch_next(struct input_prefetch *p, const struct shp_iv_sample **block,
			    uint32_t *n);

void input_prefetch_lock(struct input_prefetch *p);
void input_prefetch_unlock(struct input_prefetch *p);

/* Stops the reader (also before the end) and frees everything. NULL is fine. */
void input_prefetch_stop(struct input_prefetch *p);

#endif
