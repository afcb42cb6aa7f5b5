/*
 * stream_gpio.h - the GPIO stream: PRU1's edge ring → the GPIO tracing window → the writer.
 *
 * A poll takes every event available in batches of 100 000 and hands the ones inside the window
 * to the writer, which keeps them to whole chunks of 100 000 and writes a partial one at its
 * flush: the stream holds nothing back, so it has no flush. Every loss the ring reader finds
 * becomes a row of /losses; the first STREAM_MAX_LOGGED are logged one by one. Without GPIO
 * tracing (mask 0) every call is a no-op.
 */
#ifndef SHP_STREAM_GPIO_H
#define SHP_STREAM_GPIO_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "h5/h5_writer.h"
#include "pru/gpio_ring.h"
#include "sheep/losses.h"
#include "sheep/streams.h"

struct stream_gpio {
	bool on; /* GPIO is traced */
	struct gpio_reader reader;
	struct stream_window win;
	struct losses *losses;
	uint64_t events; /* events handed to the writer */
	unsigned gaps_logged;
	uint64_t *ts;  /* one batch */
	uint16_t *val; /* one batch */
};

struct stream_gpio_figures {
	uint64_t events; /* recorded */
	uint64_t lost;   /* overwritten before they were read */
	uint64_t gaps;
};

/* Allocates the batch buffers when on: SHP_ERR_NOMEM if that fails. */
shp_err stream_gpio_init(struct stream_gpio *g, bool on);

/* ring: the GPIO struct; only events in [win->from_ns, win->to_ns) are recorded. */
void stream_gpio_open(struct stream_gpio *g, uint8_t *ring, const struct stream_window *win,
		      struct losses *losses);

/* Takes every available event, handing those in the window to w (NULL: none). */
shp_err stream_gpio_poll(struct stream_gpio *g, h5w_t *w);

struct stream_gpio_figures stream_gpio_figures(const struct stream_gpio *g);

/* Frees the buffers. */
void stream_gpio_close(struct stream_gpio *g);

#endif
