/* sys_util.c - node utilisation rows from /proc/stat, meminfo, diskstats and net/dev. */
#include "monitor/sys_util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"

#define PERIOD_NS (1000 * SHP_NS_PER_MS)
#define TEXT_MAX 65536

static const struct h5w_column columns[] = {
	{"cpu", H5W_COL_U8, 0, false, "%", "cpu_util [%]"},
	{"ram", H5W_COL_U8, 2, false, "%", "ram_available [%], ram_used [%]"},
	{"io", H5W_COL_U64, 4, false, "n, n, byte, byte",
	 "io_read [n], io_write [n], io_read [byte], io_write [byte]"},
	{"net", H5W_COL_U64, 2, false, "byte", "nw_sent [byte], nw_recv [byte]"},
};

bool sys_parse_stat(const char *text, uint64_t *busy, uint64_t *total)
{
	uint64_t v[8] = {0};
	/* cpu  user nice system idle iowait irq softirq steal ... */
	int n = sscanf(text,
		       "cpu %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
		       " %" SCNu64 " %" SCNu64,
		       &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	if (n < 4)
		return false;
	*total = 0;
	for (int k = 0; k < 8; k++)
		*total += v[k];
	*busy = *total - v[3] - v[4]; /* idle and iowait are not busy */
	return true;
}

static bool meminfo_field(const char *text, const char *name, uint64_t *kib)
{
	const char *p = strstr(text, name);
	return p && sscanf(p + strlen(name), " %" SCNu64, kib) == 1;
}

bool sys_parse_meminfo(const char *text, uint64_t *total_kib, uint64_t *avail_kib)
{
	return meminfo_field(text, "MemTotal:", total_kib) &&
	       meminfo_field(text, "MemAvailable:", avail_kib) && *total_kib > 0;
}

/* Whole disks only: partitions (sda1, mmcblk0p1, nvme0n1p1) and loop/ram devices are left out. */
static bool whole_disk(const char *name)
{
	if (strncmp(name, "loop", 4) == 0 || strncmp(name, "ram", 3) == 0 ||
	    strncmp(name, "zram", 4) == 0)
		return false;
	size_t len = strlen(name);
	if (len == 0 || !isdigit((unsigned char)name[len - 1]))
		return true;
	if (strncmp(name, "mmcblk", 6) == 0 || strncmp(name, "nvme", 4) == 0)
		return strchr(name + 4, 'p') == NULL;
	return strncmp(name, "sd", 2) != 0 && strncmp(name, "vd", 2) != 0 &&
	       strncmp(name, "hd", 2) != 0 && strncmp(name, "xvd", 3) != 0;
}

void sys_parse_diskstats(const char *text, uint64_t io[4])
{
	memset(io, 0, 4 * sizeof(*io));
	for (const char *line = text; line && *line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		char name[64];
		uint64_t f[7];
		if (sscanf(line,
			   " %*u %*u %63s %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
			   " %" SCNu64 " %" SCNu64,
			   name, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6]) != 8 ||
		    !whole_disk(name))
			continue;
		io[0] += f[0];       /* reads completed */
		io[1] += f[4];       /* writes completed */
		io[2] += f[2] * 512; /* sectors read */
		io[3] += f[6] * 512; /* sectors written */
	}
}

void sys_parse_net_dev(const char *text, uint64_t net[2])
{
	net[0] = net[1] = 0;
	for (const char *line = text; line && *line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *colon = strchr(line, ':');
		const char *eol = strchr(line, '\n');
		if (!colon || (eol && colon > eol))
			continue; /* the two header lines */
		uint64_t f[9];
		if (sscanf(colon + 1,
			   " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
			   " %" SCNu64 " %" SCNu64 " %" SCNu64,
			   &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8]) != 9)
			continue;
		net[1] += f[0]; /* received bytes */
		net[0] += f[8]; /* transmitted bytes */
	}
}

static bool read_text(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return true;
}

static bool sample(struct sys_util_monitor *m, struct sys_counters *c)
{
	static char text[TEXT_MAX];
	if (!read_text(m->fd_stat, text, sizeof(text)) ||
	    !sys_parse_stat(text, &c->cpu_busy, &c->cpu_total) ||
	    !read_text(m->fd_mem, text, sizeof(text)) ||
	    !sys_parse_meminfo(text, &c->mem_total_kib, &c->mem_avail_kib))
		return false;
	memset(c->io, 0, sizeof(c->io));
	memset(c->net, 0, sizeof(c->net));
	if (m->fd_disk >= 0 && read_text(m->fd_disk, text, sizeof(text)))
		sys_parse_diskstats(text, c->io);
	if (m->fd_net >= 0 && read_text(m->fd_net, text, sizeof(text)))
		sys_parse_net_dev(text, c->net);
	return true;
}

static void close_fds(struct sys_util_monitor *m)
{
	int *fds[] = {&m->fd_stat, &m->fd_mem, &m->fd_disk, &m->fd_net};
	for (size_t k = 0; k < 4; k++) {
		if (*fds[k] >= 0)
			close(*fds[k]);
		*fds[k] = -1;
	}
}

shp_err sys_util_open(struct sys_util_monitor *m, h5w_t *w)
{
	memset(m, 0, sizeof(*m));
	m->fd_stat = open("/proc/stat", O_RDONLY | O_CLOEXEC);
	m->fd_mem = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	m->fd_disk = open("/proc/diskstats", O_RDONLY | O_CLOEXEC);
	m->fd_net = open("/proc/net/dev", O_RDONLY | O_CLOEXEC);
	if (m->fd_stat < 0 || m->fd_mem < 0 || !sample(m, &m->prev)) {
		log_warn("system monitor off: /proc/stat or /proc/meminfo cannot be read");
		close_fds(m);
		return SHP_OK;
	}
	shp_err e = h5w_table_create(w, "sys_util", columns, 4, &m->table);
	if (e != SHP_OK)
		close_fds(m);
	m->next_ns = mono_ns() + PERIOD_NS;
	return e;
}

static uint64_t delta(uint64_t now, uint64_t before)
{
	return now >= before ? now - before : 0; /* a counter that went back (reset) gives 0 */
}

shp_err sys_util_poll(struct sys_util_monitor *m, uint64_t mono_now)
{
	if (!m->table || mono_now < m->next_ns)
		return SHP_OK;
	m->next_ns = mono_now + PERIOD_NS; /* a late poll delays, never bunches, the next row */
	struct sys_counters c;
	if (!sample(m, &c))
		return SHP_OK;
	uint64_t total = delta(c.cpu_total, m->prev.cpu_total);
	uint64_t busy = delta(c.cpu_busy, m->prev.cpu_busy);
	uint8_t cpu = (uint8_t)(total ? (busy * 100 + total / 2) / total : 0);
	uint64_t avail = c.mem_avail_kib * 100 / c.mem_total_kib;
	uint8_t ram[2] = {(uint8_t)avail, (uint8_t)(100 - avail)};
	uint64_t io[4], net[2];
	for (int k = 0; k < 4; k++)
		io[k] = delta(c.io[k], m->prev.io[k]);
	for (int k = 0; k < 2; k++)
		net[k] = delta(c.net[k], m->prev.net[k]);
	m->prev = c;
	const void *row[4] = {&cpu, ram, io, net};
	m->rows++;
	return h5w_table_append(m->table, wall_ns(), row, NULL);
}

void sys_util_close(struct sys_util_monitor *m)
{
	close_fds(m);
	m->table = NULL;
}
