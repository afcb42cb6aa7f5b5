/* gpio_edge.c - waiting for a falling edge on a sysfs GPIO value file (gpio_edge.h). */
#include "node/gpio_edge.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/stop.h"

#define EDGE_POLL_MS 10 /* how long one poll sleeps: the shortest press a plain file shows */

struct gpio_edge {
	int fd;
	dev_t dev; /* the file fd reads, to notice a value file that was replaced */
	ino_t ino;
	bool level; /* the last level read */
	char path[4096];
};

/* (Re)opens the value file; the kernel's stays, a plain tree's may be replaced by a rename. */
static shp_err open_value(struct gpio_edge *e, char *why, size_t why_len)
{
	int fd = open(e->path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(why, why_len, "cannot open %s: %s", e->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return SHP_ERR_SYSFS;
	}
	if (e->fd >= 0)
		close(e->fd);
	e->fd = fd;
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	return SHP_OK;
}

static bool replaced(const struct gpio_edge *e)
{
	struct stat st;
	return stat(e->path, &st) == 0 && (st.st_ino != e->ino || st.st_dev != e->dev);
}

/* Reads the level into e->level; a file caught empty or mid-rewrite keeps the last level. */
static shp_err read_level(struct gpio_edge *e, char *why, size_t why_len)
{
	if (replaced(e))
		SHP_TRY(open_value(e, why, why_len));
	char text[8];
	ssize_t n = pread(e->fd, text, sizeof(text), 0);
	if (n < 0) {
		snprintf(why, why_len, "cannot read %s: %s", e->path, strerror(errno));
		return SHP_ERR_SYSFS;
	}
	if (n > 0 && (text[0] == '0' || text[0] == '1'))
		e->level = text[0] == '1';
	return SHP_OK;
}

shp_err gpio_edge_open(const char *root, unsigned gpio, struct gpio_edge **out, char *why,
		       size_t why_len)
{
	struct gpio_edge *e = calloc(1, sizeof(*e));
	if (!e)
		return SHP_ERR_NOMEM;
	snprintf(e->path, sizeof(e->path), "%s/gpio%u/value", root, gpio);
	e->fd = -1;
	e->level = true; /* the button idles high */
	shp_err err = open_value(e, why, why_len);
	if (!err)
		err = read_level(e, why, why_len);
	if (err) {
		gpio_edge_close(e);
		return err;
	}
	*out = e;
	return SHP_OK;
}

void gpio_edge_close(struct gpio_edge *edge)
{
	if (!edge)
		return;
	if (edge->fd >= 0)
		close(edge->fd);
	free(edge);
}

shp_err gpio_edge_wait(struct gpio_edge *edge, double timeout_s, bool fresh, bool *seen, char *why,
		       size_t why_len)
{
	*seen = false;
	if (fresh) {
		SHP_TRY(read_level(edge, why, why_len)); /* also clears the kernel's notification */
	}
	uint64_t deadline =
		timeout_s < 0 ? UINT64_MAX : mono_ns() + (uint64_t)llround(timeout_s * 1e9);
	for (;;) {
		if (shp_stop_signal)
			return SHP_ERR_INTERRUPTED;
		bool before = edge->level;
		struct pollfd p = {.fd = edge->fd, .events = POLLPRI};
		int r = poll(&p, 1, EDGE_POLL_MS);
		bool notified = r > 0 && (p.revents & POLLPRI);
		SHP_TRY(read_level(edge, why, why_len));
		if (notified || (before && !edge->level)) {
			*seen = true;
			return SHP_OK;
		}
		if (mono_ns() >= deadline)
			return SHP_OK;
	}
}
