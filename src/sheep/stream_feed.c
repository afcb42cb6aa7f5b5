/* stream_feed.c - an emulation's input recording into PRU0's input ring. */
#include "sheep/stream_feed.h"

#include <string.h>

#include "common/log.h"
#include "pru/shepherd_abi.h"

#define CHUNK SHP_H5_CHUNK_SAMPLES

shp_err stream_feed_open(struct stream_feed *f, const char *path, uint64_t *samples)
{
	SHP_TRY(h5_input_open(path, &f->input));
	f->input_open = true;
	*samples = f->input.samples;
	return SHP_OK;
}

void stream_feed_replay(struct stream_feed *f, uint64_t n)
{
	f->total = n;
	log_info("input %s: %llu samples (%.2f s), replaying %.2f s", f->input.path,
		 (unsigned long long)f->input.samples,
		 (double)f->input.samples / SHP_SAMPLE_RATE_SPS, (double)n / SHP_SAMPLE_RATE_SPS);
}

shp_err stream_feed_prefill(struct stream_feed *f, uint8_t *ring)
{
	iv_in_writer_init(&f->ring, ring);
	f->pad_left = 0;
	SHP_TRY(stream_feed_poll(f)); /* ~10.5 s of input before the start */
	log_debug("input ring pre-filled with %llu samples", (unsigned long long)f->ring.written);
	return SHP_OK;
}

shp_err stream_feed_start(struct stream_feed *f, const struct stream_window *win,
			  struct losses *losses)
{
	f->start_ns = win->start_ns;
	f->losses = losses;
	f->started = true;
	/* the PRU takes whole seconds and runs 100 ms past them: pad the input that far */
	uint64_t stop_ns = (win->end_ns + SHP_NS_PER_S - 1) / SHP_NS_PER_S * SHP_NS_PER_S;
	f->pad_left = (stop_ns + SHP_SYNC_INTERVAL_NS - win->end_ns) / SHP_SAMPLE_INTERVAL_NS + 1;
	return stream_feed_poll(f); /* the zeros after a short input's end */
}

static void note_stale(struct stream_feed *f, uint64_t fresh)
{
	uint64_t first_stale = f->ring.consumed - fresh;
	double at = (double)first_stale / SHP_SAMPLE_RATE_SPS;
	losses_note(f->losses, LOSS_INPUT_STALE, f->start_ns + first_stale * SHP_SAMPLE_INTERVAL_NS,
		    0, fresh, true);
	if (!f->underrun_logged)
		log_error(
			"input ring ran dry %.2f s into the run: PRU0 replayed %llu stale samples (the sheep could not keep the input ahead)",
			at, (unsigned long long)fresh);
	f->underrun_logged = true;
}

/* Writes input (then the zero padding) into the ring as far as it has room, in whole chunks. */
shp_err stream_feed_poll(struct stream_feed *f)
{
	uint64_t fresh = iv_in_update(&f->ring);
	if (fresh && f->started)
		note_stale(f, fresh);
	for (;;) {
		uint32_t room = iv_in_free(&f->ring);
		if (f->pos < f->total) {
			uint64_t left = f->total - f->pos;
			uint32_t n = left < CHUNK ? (uint32_t)left : CHUNK;
			if (room < n)
				return SHP_OK;
			SHP_TRY(h5_input_read(&f->input, f->pos, n, f->buf));
			SHP_TRY(iv_in_write(&f->ring, f->buf, n));
			f->pos += n;
			if (f->pos == f->total)
				memset(f->buf, 0, sizeof(f->buf));
			continue;
		}
		/* past the input's end PRU0 runs on until the stop: it gets zeros, not old data */
		uint32_t n = f->pad_left < CHUNK ? (uint32_t)f->pad_left : CHUNK;
		if (n > room)
			n = room;
		if (n == 0)
			return SHP_OK;
		SHP_TRY(iv_in_write(&f->ring, f->buf, n));
		f->pad_left -= n;
	}
}

uint64_t stream_feed_underrun(const struct stream_feed *f)
{
	return f->ring.underrun;
}

void stream_feed_close(struct stream_feed *f)
{
	if (f->input_open)
		h5_input_close(&f->input);
	f->input_open = false;
}
