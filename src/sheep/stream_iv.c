/* stream_iv.c - IV samples from PRU0's output ring into the recording, in whole chunks. */
#include "sheep/stream_iv.h"

#include <string.h>

#include "common/clock.h"
#include "common/log.h"

#define CHUNK SHP_H5_CHUNK_SAMPLES

static void log_anomaly(const struct stream_iv *s, enum iv_anomaly kind, uint64_t expected,
			uint64_t found, uint64_t samples)
{
	double at = (double)(expected - s->win.start_ns) / 1e9;
	switch (kind) {
	case IV_ANOMALY_GAP:
		log_error(
			"IV samples lost: %llu missing at %.5f s into the run (expected timestamp %llu, found %llu)",
			(unsigned long long)samples, at, (unsigned long long)expected,
			(unsigned long long)found);
		break;
	case IV_ANOMALY_BACKWARDS:
		log_error("IV sample dropped: timestamp %llu repeats or goes back (expected %llu)",
			  (unsigned long long)found, (unsigned long long)expected);
		break;
	case IV_ANOMALY_OVERRUN:
		log_error(
			"IV ring overrun at %.5f s into the run: PRU0 overwrote %llu unread samples while they were copied; resynchronising",
			at, (unsigned long long)samples);
		break;
	}
}

static void on_anomaly(void *ctx, enum iv_anomaly kind, uint64_t expected, uint64_t found,
		       uint64_t samples)
{
	struct stream_iv *s = ctx;
	if (kind == IV_ANOMALY_GAP)
		losses_note(s->losses, LOSS_IV, expected, found, samples, true);
	else if (kind == IV_ANOMALY_BACKWARDS)
		losses_note(s->losses, LOSS_IV_DISCARDED, found, 0, samples, true);
	if (++s->anomalies <= STREAM_MAX_LOGGED)
		log_anomaly(s, kind, expected, found, samples);
	else if (s->anomalies == STREAM_MAX_LOGGED + 1)
		log_error("further IV stream anomalies are counted but not logged one by one");
}

void stream_iv_open(struct stream_iv *s, uint8_t *ring, const struct stream_window *win, bool marks,
		    struct losses *losses)
{
	memset(s, 0, sizeof(*s));
	s->win = *win;
	s->losses = losses;
	iv_out_reader_init(&s->reader, ring, win->start_ns, on_anomaly, s);
	s->reader.marks = marks;
}

shp_err stream_iv_flush(struct stream_iv *s, h5w_t *w)
{
	if (s->staged == 0)
		return SHP_OK;
	if (w)
		SHP_TRY(h5w_append_iv(w, s->ts, s->v, s->i, s->staged));
	if (s->first_ts == 0)
		s->first_ts = s->ts[0];
	s->last_ts = s->ts[s->staged - 1];
	s->written += s->staged;
	s->staged = 0;
	return SHP_OK;
}

/* Keeps the samples of the new block [from, from+n) that lie in the tracing window. */
static uint32_t window_filter(struct stream_iv *s, uint32_t from, uint32_t n)
{
	uint64_t lo = s->win.from_ns, hi = s->win.to_ns;
	/* the reader delivers rising timestamps: inside at both ends means inside throughout */
	if (n == 0 || (s->ts[from] >= lo && s->ts[from + n - 1] < hi))
		return n;
	uint32_t out = from;
	for (uint32_t k = from; k < from + n; k++) {
		uint64_t t = s->ts[k];
		if (t < lo || t >= hi)
			continue;
		s->ts[out] = t;
		s->v[out] = s->v[k];
		s->i[out] = s->i[k];
		out++;
	}
	return out - from;
}

shp_err stream_iv_poll(struct stream_iv *s, h5w_t *w, uint64_t *got)
{
	*got = 0;
	uint64_t until = mono_ns() + STREAM_POLL_BUDGET_NS;
	for (;;) {
		uint32_t cap = CHUNK - s->staged;
		uint32_t n;
		SHP_TRY(iv_out_read(&s->reader, s->ts + s->staged, s->v + s->staged,
				    s->i + s->staged, cap, &n));
		*got += n;
		s->staged += window_filter(s, s->staged, n);
		if (s->staged == CHUNK)
			SHP_TRY(stream_iv_flush(s, w));
		/* a producer faster than the sheep (the simulator at full speed) must not hold off
		 * the loop's commits: a poll ends after STREAM_POLL_BUDGET_NS */
		if (n < cap || stream_iv_done(s) || mono_ns() >= until)
			return SHP_OK;
	}
}

bool stream_iv_done(const struct stream_iv *s)
{
	return s->reader.check.expected >= s->win.end_ns;
}

uint32_t stream_iv_available(struct stream_iv *s)
{
	return iv_out_available(&s->reader);
}

struct stream_iv_figures stream_iv_figures(const struct stream_iv *s)
{
	return (struct stream_iv_figures){
		.next_ts = s->reader.check.expected,
		.taken = s->written + s->staged,
		.written = s->written,
		.first_ts = s->first_ts,
		.last_ts = s->last_ts,
		.lost = s->reader.stats.lost,
		.discarded = s->reader.stats.discarded,
	};
}
