/*
 * kmsg.h - kernel log lines written during the run, from /dev/kmsg, into /kernel.
 *
 * /dev/kmsg is read without blocking from its end (lines from before the run stay out); each
 * record is "priority,sequence,microseconds,flags;text". The time is the kernel's monotonic
 * stamp moved onto the wall clock; the text is cut to 128 characters as the predecessor did.
 * Records the kernel overwrote before they were read are counted (the read fails with EPIPE).
 */
#ifndef SHP_KMSG_H
#define SHP_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "h5/h5_writer.h"

#define SHP_KMSG_TEXT_MAX 128

struct kmsg_monitor {
	int fd;
	h5w_table_t *table;
	uint64_t next_ns;
	uint64_t lines;
	uint64_t missed;
};

/*
 * Parses one record: its text (escapes like \x0a kept as they are, cut to 128 characters) and
 * its kernel time in microseconds. False if it is not a record.
 */
bool kmsg_parse(const char *rec, size_t len, uint64_t *usec, const char **text, size_t *text_len);

/* Opens /dev/kmsg (path for tests) and creates /kernel; unreadable: a warning, no rows. */
shp_err kmsg_open(struct kmsg_monitor *m, h5w_t *w, const char *path);
shp_err kmsg_poll(struct kmsg_monitor *m, uint64_t mono_now);
void kmsg_close(struct kmsg_monitor *m);

#endif
