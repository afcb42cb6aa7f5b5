/*
 * stream_feed.h - the input feed of an emulation: the input recording → PRU0's IV input ring,
 * in µV and nA, then zeros until PRU0 stops.
 *
 * The feed keeps the ring as full as PRU0's reading allows, in whole chunks of 10 000 samples:
 * ~10.5 s before the start (the pre-fill), then at every poll. After the input's end PRU0 runs
 * on until the stop at the next whole second plus one sync window; it gets zeros, not old data.
 * Every input sample PRU0 read before the feed wrote it (it then replays stale data, without a
 * word) is counted from its read index and, once the run has started, is a row of /losses.
 * Nothing of the feed goes to the writer, so it has no flush.
 */
#ifndef SHP_STREAM_FEED_H
#define SHP_STREAM_FEED_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "h5/h5_input.h"
#include "h5/h5_writer.h"
#include "pru/iv_in_ring.h"
#include "sheep/losses.h"
#include "sheep/streams.h"

struct stream_feed {
	struct h5_input input;
	bool input_open;
	struct iv_in_writer ring;
	struct losses *losses;
	bool started;      /* the run's window is set: stale samples are losses of the run */
	uint64_t start_ns; /* the run's start */
	uint64_t pos;      /* next input sample to write into the ring */
	uint64_t total;    /* input samples to replay */
	uint64_t pad_left; /* zero samples still to write after the input's end */
	bool underrun_logged;
	struct shp_iv_sample buf[SHP_H5_CHUNK_SAMPLES];
};

/* Opens and checks the input recording; *samples: how many it holds. */
shp_err stream_feed_open(struct stream_feed *f, const char *path, uint64_t *samples);

/* Replays the input's first n samples (n <= what it holds). */
void stream_feed_replay(struct stream_feed *f, uint64_t n);

/* ring: the IV input struct, prepared by shm_init_rings. Fills it before the start. */
shp_err stream_feed_prefill(struct stream_feed *f, uint8_t *ring);

/* The run's window is set: the zeros after the input's end are known, stale input is a loss. */
shp_err stream_feed_start(struct stream_feed *f, const struct stream_window *win,
			  struct losses *losses);

/* Tops up the ring as far as PRU0 has made room. */
shp_err stream_feed_poll(struct stream_feed *f);

/* Samples PRU0 read before they were written. */
uint64_t stream_feed_underrun(const struct stream_feed *f);

void stream_feed_close(struct stream_feed *f);

#endif
