/*
 * status.h - the live status line on a terminal: one line, rewritten in place at most twice a
 * second, erased before any log line is printed. Off a terminal it prints nothing; progress then
 * goes to the log at a slow pace instead.
 */
#ifndef SHP_STATUS_H
#define SHP_STATUS_H

#include <stdbool.h>
#include <stdint.h>

struct status_figures {
	double elapsed_s;
	double total_s;
	uint64_t samples;
	uint64_t bytes;
	double ring_fill; /* 0..1 */
	uint64_t lost;
};

/* enable: draw on stderr (call with isatty result and user choice). */
void status_init(bool enable);
bool status_enabled(void);
void status_update(const struct status_figures *f);
void status_clear(void);

#endif
