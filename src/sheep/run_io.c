/* run_io.c - the data of a run: IV samples, PRU util rows, input samples, GPIO events, UART. */
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "sheep/run_internal.h"

void run_on_anomaly(void *ctx, enum iv_anomaly kind, uint64_t expected, uint64_t found,
		    uint64_t samples)
{
	struct run *h = ctx;
	if (kind == IV_ANOMALY_GAP)
		losses_note(&h->losses, LOSS_IV, expected, found, samples, true);
	else if (kind == IV_ANOMALY_BACKWARDS)
		losses_note(&h->losses, LOSS_IV_DISCARDED, found, 0, samples, true);
	if (++h->anomalies > MAX_LOGGED_ANOMALIES) {
		if (h->anomalies == MAX_LOGGED_ANOMALIES + 1)
			log_error("further IV stream anomalies are counted but not logged one by "
				  "one");
		return;
	}
	double at = (double)(expected - h->start_ns) / 1e9;
	switch (kind) {
	case IV_ANOMALY_GAP:
		log_error(
			"IV samples lost: %llu missing at %.5f s into the run (expected timestamp "
			"%llu, found %llu)",
			(unsigned long long)samples, at, (unsigned long long)expected,
			(unsigned long long)found);
		break;
	case IV_ANOMALY_BACKWARDS:
		log_error("IV sample dropped: timestamp %llu repeats or goes back (expected %llu)",
			  (unsigned long long)found, (unsigned long long)expected);
		break;
	case IV_ANOMALY_OVERRUN:
		log_error("IV ring overrun at %.5f s into the run: PRU0 overwrote %llu unread "
			  "samples "
			  "while they were copied; resynchronising",
			  at, (unsigned long long)samples);
		break;
	}
}

shp_err run_flush_staging(struct run *h)
{
	if (h->staged == 0)
		return SHP_OK;
	if (h->writer)
		SHP_TRY(h5w_append_iv(h->writer, h->ts, h->v, h->i, h->staged));
	if (h->first_ts == 0)
		h->first_ts = h->ts[0];
	h->last_ts = h->ts[h->staged - 1];
	h->samples += h->staged;
	h->staged = 0;
	return SHP_OK;
}

/* Keeps the samples of the new block [from, from+n) that lie in the tracing window. */
static uint32_t window_filter(struct run *h, uint32_t from, uint32_t n)
{
	/* the reader delivers rising timestamps: inside at both ends means inside throughout */
	if (n == 0 || (h->ts[from] >= h->win_start_ns && h->ts[from + n - 1] < h->win_end_ns))
		return n;
	uint32_t out = from;
	for (uint32_t k = from; k < from + n; k++) {
		uint64_t t = h->ts[k];
		if (t < h->win_start_ns || t >= h->win_end_ns)
			continue;
		h->ts[out] = t;
		h->v[out] = h->v[k];
		h->i[out] = h->i[k];
		out++;
	}
	return out - from;
}

/* Takes everything available from the IV ring into the staging chunk, writing full chunks. */
shp_err run_take_iv(struct run *h, uint64_t *got)
{
	*got = 0;
	for (;;) {
		uint32_t cap = CHUNK - h->staged;
		uint32_t n;
		SHP_TRY(iv_out_read(&h->iv, h->ts + h->staged, h->v + h->staged, h->i + h->staged,
				    cap, &n));
		*got += n;
		h->staged += window_filter(h, h->staged, n);
		if (h->staged == CHUNK)
			SHP_TRY(run_flush_staging(h));
		if (n < cap || h->iv.check.expected >= h->end_ns)
			return SHP_OK;
	}
}

shp_err run_take_util(struct run *h)
{
	struct util_row rows[UTIL_BATCH];
	uint32_t n;
	while ((n = util_read(&h->util, rows, UTIL_BATCH)) > 0) {
		for (uint32_t k = 0; k < n; k++)
			if (h->writer && rows[k].ts > h->start_ns && rows[k].ts <= h->end_ns)
				SHP_TRY(h5w_append_util(h->writer, rows[k].ts, rows[k].values));
		if (n < UTIL_BATCH)
			break;
	}
	return SHP_OK;
}

/* ---- emulation input --------------------------------------------------------------------- */

/* Writes input (then the zero padding) into the ring as far as it has room, in whole chunks. */
shp_err run_feed_input(struct run *h)
{
	uint64_t fresh = iv_in_update(&h->feed);
	if (fresh && h->iv.check.expected < h->end_ns) {
		uint64_t first_stale = h->feed.consumed - fresh;
		double at = (double)first_stale / SHP_SAMPLE_RATE_SPS;
		losses_note(&h->losses, LOSS_INPUT_STALE,
			    h->start_ns + first_stale * SHP_SAMPLE_INTERVAL_NS, 0, fresh, true);
		if (!h->underrun_logged)
			log_error(
				"input ring ran dry %.2f s into the run: PRU0 replayed %llu stale "
				"samples (the sheep could not keep the input ahead)",
				at, (unsigned long long)fresh);
		h->underrun_logged = true;
	}
	for (;;) {
		uint32_t room = iv_in_free(&h->feed);
		if (h->feed_pos < h->feed_total) {
			uint64_t left = h->feed_total - h->feed_pos;
			uint32_t n = left < CHUNK ? (uint32_t)left : CHUNK;
			if (room < n)
				return SHP_OK;
			SHP_TRY(h5_input_read(&h->input, h->feed_pos, n, h->feed_buf));
			SHP_TRY(iv_in_write(&h->feed, h->feed_buf, n));
			h->feed_pos += n;
			if (h->feed_pos == h->feed_total)
				memset(h->feed_buf, 0, sizeof(h->feed_buf));
			continue;
		}
		/* past the input's end PRU0 runs on until the stop: it gets zeros, not old data */
		uint32_t n = h->pad_left < CHUNK ? (uint32_t)h->pad_left : CHUNK;
		if (n > room)
			n = room;
		if (n == 0)
			return SHP_OK;
		SHP_TRY(iv_in_write(&h->feed, h->feed_buf, n));
		h->pad_left -= n;
	}
}

/* ---- GPIO and UART ----------------------------------------------------------------------- */

void run_on_gpio_gap(void *ctx, const struct gpio_gap *gap)
{
	struct run *h = ctx;
	if (++h->gpio_gaps_logged <= MAX_LOGGED_ANOMALIES) {
		double at = gap->after_ts > h->start_ns
				    ? (double)(gap->after_ts - h->start_ns) / 1e9
				    : 0.0;
		log_error("GPIO events lost: %s%llu after %.6f s into the run (PRU1 overwrote "
			  "them before they were read)",
			  gap->lower_bound ? "at least " : "", (unsigned long long)gap->lost, at);
	} else if (h->gpio_gaps_logged == MAX_LOGGED_ANOMALIES + 1) {
		log_error("further GPIO losses are counted and recorded but not logged one by one");
	}
	losses_note(&h->losses, LOSS_GPIO, gap->after_ts, gap->before_ts, gap->lost,
		    !gap->lower_bound);
}

shp_err run_take_gpio(struct run *h)
{
	if (!h->gpio_mask)
		return SHP_OK;
	for (;;) {
		uint32_t n, taken;
		SHP_TRY(gpio_read(&h->gpio, h->gpio_ts, h->gpio_val, GPIO_BATCH, &n, &taken));
		uint32_t first = 0, end = n;
		while (first < end && h->gpio_ts[first] < h->gpio_win_start)
			first++;
		while (end > first && h->gpio_ts[end - 1] >= h->gpio_win_end)
			end--;
		if (end > first) {
			if (h->writer)
				SHP_TRY(h5w_append_gpio(h->writer, h->gpio_ts + first,
							h->gpio_val + first, end - first));
			h->gpio_events += end - first;
		}
		if (taken < GPIO_BATCH)
			return SHP_OK;
	}
}

shp_err run_take_uart(struct run *h)
{
	size_t n = uart_poll(&h->uart, h->uart_buf, sizeof(h->uart_buf));
	if (n && h->writer)
		SHP_TRY(h5w_append_uart(h->writer, wall_ns(), h->uart_buf, n));
	return SHP_OK;
}
