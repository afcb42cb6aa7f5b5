/* kmsg.c - kernel log records from /dev/kmsg into /kernel. */
#include "monitor/kmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"

#define PERIOD_NS (250 * SHP_NS_PER_MS)
#define RECORD_MAX 8192 /* a read of /dev/kmsg must hold a whole record */

static const struct h5w_column columns[] = {
	{"message", H5W_COL_STR, 0, true, NULL, NULL},
};

bool kmsg_parse(const char *rec, size_t len, uint64_t *usec, const char **text, size_t *text_len)
{
	const char *semi = memchr(rec, ';', len);
	if (!semi)
		return false;
	unsigned prio;
	uint64_t seq;
	if (sscanf(rec, "%u,%" SCNu64 ",%" SCNu64, &prio, &seq, usec) != 3)
		return false;
	*text = semi + 1;
	const char *end = rec + len;
	const char *nl = memchr(*text, '\n', (size_t)(end - *text));
	if (nl)
		end = nl; /* continuation lines (" KEY=value") follow the first newline */
	*text_len = (size_t)(end - *text);
	if (*text_len > SHP_KMSG_TEXT_MAX)
		*text_len = SHP_KMSG_TEXT_MAX;
	return true;
}

shp_err kmsg_open(struct kmsg_monitor *m, h5w_t *w, const char *path)
{
	memset(m, 0, sizeof(*m));
	m->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (m->fd < 0) {
		log_warn("kernel log monitor off: cannot open %s: %s", path, strerror(errno));
		return SHP_OK;
	}
	lseek(m->fd, 0, SEEK_END); /* only what happens from now on */
	shp_err e = h5w_table_create(w, "kernel", columns, 1, &m->table);
	if (e != SHP_OK)
		kmsg_close(m);
	m->next_ns = mono_ns();
	return e;
}

shp_err kmsg_poll(struct kmsg_monitor *m, uint64_t mono_now)
{
	if (!m->table || mono_now < m->next_ns)
		return SHP_OK;
	m->next_ns = mono_now + PERIOD_NS;
	char rec[RECORD_MAX];
	for (;;) {
		ssize_t n = read(m->fd, rec, sizeof(rec));
		if (n < 0 && errno == EPIPE) {
			m->missed++; /* overwritten in the kernel's buffer before it was read */
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return SHP_OK; /* EAGAIN: nothing new */
		uint64_t usec;
		const char *text;
		size_t len;
		if (!kmsg_parse(rec, (size_t)n, &usec, &text, &len))
			continue;
		/* the kernel stamps with its monotonic clock: shift onto the wall clock */
		uint64_t mono = mono_ns(), wall = wall_ns(), at = usec * 1000;
		uint64_t ts = at <= mono ? wall - (mono - at) : wall;
		const void *row[1] = {text};
		size_t lens[1] = {len};
		SHP_TRY(h5w_table_append(m->table, ts, row, lens));
		m->lines++;
	}
}

void kmsg_close(struct kmsg_monitor *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	if (m->missed)
		log_warn("kernel log: %llu records were overwritten before they were read",
			 (unsigned long long)m->missed);
	m->missed = 0;
	m->table = NULL;
}
