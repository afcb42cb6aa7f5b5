/*
 * stream_iv.h - the IV stream: PRU0's output ring → a staging chunk → the power-tracing window
 * → the writer, with the account of every anomaly the ring reader finds.
 *
 * A poll takes everything available. The samples inside the window go into a staging chunk of
 * 10 000, and each full chunk goes to the writer at once; the rest waits until the chunk is full
 * or stream_iv_flush hands it over at the end, because only the file's last IV chunk may be
 * partial. So the stream holds back at most 9 999 samples (0.1 s). Gaps and repeated timestamps
 * become rows of /losses; the first STREAM_MAX_LOGGED anomalies are logged one by one.
 */
#ifndef SHP_STREAM_IV_H
#define SHP_STREAM_IV_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "h5/h5_writer.h"
#include "pru/iv_out_ring.h"
#include "sheep/losses.h"
#include "sheep/streams.h"

struct stream_iv {
	struct iv_out_reader reader;
	struct stream_window win;
	struct losses *losses;
	uint64_t written;           /* samples handed to the writer */
	uint64_t first_ts, last_ts; /* first and last sample handed over */
	unsigned anomalies;
	uint32_t staged;
	uint64_t ts[SHP_H5_CHUNK_SAMPLES];
	uint32_t v[SHP_H5_CHUNK_SAMPLES];
	uint32_t i[SHP_H5_CHUNK_SAMPLES];
};

struct stream_iv_figures {
	uint64_t next_ts;           /* timestamp of the next sample due */
	uint64_t taken;             /* samples taken into the recording, staged ones included */
	uint64_t written;           /* samples handed to the writer */
	uint64_t first_ts, last_ts; /* of the samples handed over (0: none) */
	uint64_t lost, discarded;
};

/*
 * ring: the IV-out struct; the first sample must carry win->start_ns. marks: clear consumer
 * marks (the simulator's lock-step only).
 */
void stream_iv_open(struct stream_iv *s, uint8_t *ring, const struct stream_window *win, bool marks,
		    struct losses *losses);

/* Takes everything available (*got: samples read), writing full chunks to w (NULL: none). */
shp_err stream_iv_poll(struct stream_iv *s, h5w_t *w, uint64_t *got);

/* Hands the staged samples (the file's last, partial chunk) to w. */
shp_err stream_iv_flush(struct stream_iv *s, h5w_t *w);

/* Every sample of the run's window has been read. */
bool stream_iv_done(const struct stream_iv *s);

/* Samples PRU0 has written that are not read yet. */
uint32_t stream_iv_available(struct stream_iv *s);

struct stream_iv_figures stream_iv_figures(const struct stream_iv *s);

#endif
