/*
 * gpio_edge.h - falling edges of an input pin of the sysfs GPIO tree (the launcher's button,
 * node-control.md 2.2 and 6).
 *
 * The wait polls the pin's value file for POLLPRI with a short timeout and re-reads the level
 * after every wake-up: the kernel's sysfs GPIO wakes the poll at the edge the pin's `edge` file
 * asks for, and a 1 -> 0 change between two readings counts as that edge too. So the same code
 * works on a plain file tree (the simulator's ROOT/gpio, a test's directory), where poll()
 * never reports POLLPRI and only sleeps; a press then needs to last one poll slice (10 ms).
 * A value file replaced by another (the simulator publishes its files by rename) is opened
 * again.
 */
#ifndef SHP_GPIO_EDGE_H
#define SHP_GPIO_EDGE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

struct gpio_edge;

/* Opens the value file of pin gpio (already an input, sysfs_gpio_input) and reads its level. */
shp_err gpio_edge_open(const char *root, unsigned gpio, struct gpio_edge **out, char *why,
		       size_t why_len);
void gpio_edge_close(struct gpio_edge *edge);

/*
 * Waits at most timeout_s seconds (negative: without end) for a falling edge; *seen tells
 * whether one came. With fresh, what happened before the call does not count (the level now
 * is the reference, a pending kernel notification is dropped); without it, an edge since the
 * last call counts at once. SHP_ERR_INTERRUPTED as soon as a stop signal is recorded
 * (common/stop.h), SHP_ERR_SYSFS (why) if the file cannot be read.
 */
shp_err gpio_edge_wait(struct gpio_edge *edge, double timeout_s, bool fresh, bool *seen, char *why,
		       size_t why_len);

#endif
