/*
 * stream_uart.h - the UART stream: the target's UART (uart.h) → /uart, one row per poll that
 * found bytes, stamped with the wall clock when they were read.
 *
 * A poll hands what arrived to the writer at once: the stream holds nothing back, so it has no
 * flush. A port that could not be opened makes every call a no-op.
 */
#ifndef SHP_STREAM_UART_H
#define SHP_STREAM_UART_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "h5/h5_writer.h"
#include "sheep/uart.h"
#include "task/task.h"

#define STREAM_UART_BUF 4096

struct stream_uart {
	struct uart_port port;
	char buf[STREAM_UART_BUF];
};

/* Not open yet: stream_uart_close is safe from here on. */
void stream_uart_init(struct stream_uart *u);

/* Opens device with cfg; a port that cannot be used is a warning (see uart_open). */
void stream_uart_open(struct stream_uart *u, const char *device,
		      const struct shp_uart_logging *cfg);

/* The port is open: the file gets /uart. */
bool stream_uart_on(const struct stream_uart *u);

/* Takes what has arrived, as one row of w (NULL: none). */
shp_err stream_uart_poll(struct stream_uart *u, h5w_t *w);

/* Bytes received. */
uint64_t stream_uart_bytes(const struct stream_uart *u);

void stream_uart_close(struct stream_uart *u);

#endif
