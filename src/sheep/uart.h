/*
 * uart.h - the target's UART output from a tty (default /dev/ttyS1), read without blocking.
 *
 * The port is opened non-exclusively with the task's baud rate, data bits, stop bits and
 * parity in raw mode; whatever has arrived is taken at each poll and becomes one /uart row.
 */
#ifndef SHP_UART_H
#define SHP_UART_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "task/task.h"

#define SHP_UART_DEFAULT_DEVICE "/dev/ttyS1"

struct uart_port {
	int fd; /* -1: not open */
	char device[256];
	uint64_t bytes;
};

/*
 * Opens and configures device. A device that is missing, cannot be opened, is no tty or refuses
 * the settings is a warning: the run goes on without UART (fd stays -1).
 */
void uart_open(struct uart_port *u, const char *device, const struct shp_uart_logging *cfg);

/* Reads what has arrived (at most cap bytes) into buf, NUL bytes removed; returns the count. */
size_t uart_poll(struct uart_port *u, char *buf, size_t cap);

void uart_close(struct uart_port *u);

#endif
