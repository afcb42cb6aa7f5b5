/* stream_uart.c - the target's UART output into the recording. */
#include "sheep/stream_uart.h"

#include "common/clock.h"

void stream_uart_init(struct stream_uart *u)
{
	u->port.fd = -1;
}

void stream_uart_open(struct stream_uart *u, const char *device, const struct shp_uart_logging *cfg)
{
	uart_open(&u->port, device, cfg);
}

bool stream_uart_on(const struct stream_uart *u)
{
	return u->port.fd >= 0;
}

shp_err stream_uart_poll(struct stream_uart *u, h5w_t *w)
{
	size_t n = uart_poll(&u->port, u->buf, sizeof(u->buf));
	if (n && w)
		SHP_TRY(h5w_append_uart(w, wall_ns(), u->buf, n));
	return SHP_OK;
}

uint64_t stream_uart_bytes(const struct stream_uart *u)
{
	return u->port.bytes;
}

void stream_uart_close(struct stream_uart *u)
{
	uart_close(&u->port);
}
