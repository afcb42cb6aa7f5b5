/* stream_gpio.c - GPIO edge events from PRU1's ring into the recording. */
#include "sheep/stream_gpio.h"

#include <stdlib.h>

#include "common/clock.h"
#include "common/log.h"

#define BATCH 16384u /* events per read from the ring: 160 KB of buffer */

shp_err stream_gpio_init(struct stream_gpio *g, bool on)
{
	g->on = on;
	if (!on)
		return SHP_OK;
	g->ts = malloc(BATCH * sizeof(*g->ts));
	g->val = malloc(BATCH * sizeof(*g->val));
	return g->ts && g->val ? SHP_OK : SHP_ERR_NOMEM;
}

static void on_gap(void *ctx, const struct gpio_gap *gap)
{
	struct stream_gpio *g = ctx;
	if (++g->gaps_logged <= STREAM_MAX_LOGGED) {
		uint64_t start = g->win.start_ns;
		double at = gap->after_ts > start ? (double)(gap->after_ts - start) / 1e9 : 0.0;
		log_error(
			"GPIO events lost: %s%llu after %.6f s into the run (PRU1 overwrote them before they were read)",
			gap->lower_bound ? "at least " : "", (unsigned long long)gap->lost, at);
	} else if (g->gaps_logged == STREAM_MAX_LOGGED + 1) {
		log_error("further GPIO losses are counted and recorded but not logged one by one");
	}
	losses_note(g->losses, LOSS_GPIO, gap->after_ts, gap->before_ts, gap->lost,
		    !gap->lower_bound);
}

void stream_gpio_open(struct stream_gpio *g, uint8_t *ring, const struct stream_window *win,
		      struct losses *losses)
{
	g->win = *win;
	g->losses = losses;
	gpio_reader_init(&g->reader, ring, on_gap, g);
}

shp_err stream_gpio_poll(struct stream_gpio *g, h5w_t *w)
{
	if (!g->on)
		return SHP_OK;
	uint64_t until = mono_ns() + STREAM_POLL_BUDGET_NS;
	for (;;) {
		uint32_t n, taken;
		SHP_TRY(gpio_read(&g->reader, g->ts, g->val, BATCH, &n, &taken));
		uint32_t first = 0, end = n;
		while (first < end && g->ts[first] < g->win.from_ns)
			first++;
		while (end > first && g->ts[end - 1] >= g->win.to_ns)
			end--;
		if (end > first) {
			if (w)
				SHP_TRY(h5w_append_gpio(w, g->ts + first, g->val + first,
							end - first));
			g->events += end - first;
		}
		if (taken < BATCH || mono_ns() >= until) /* see STREAM_POLL_BUDGET_NS */
			return SHP_OK;
	}
}

struct stream_gpio_figures stream_gpio_figures(const struct stream_gpio *g)
{
	return (struct stream_gpio_figures){
		.events = g->events,
		.lost = g->reader.stats.lost,
		.gaps = g->reader.stats.gaps,
	};
}

void stream_gpio_close(struct stream_gpio *g)
{
	free(g->ts);
	free(g->val);
	g->ts = NULL;
	g->val = NULL;
}
