/*
 * sys_util.h - CPU, RAM, disk IO and network use of the node, about once a second, into
 * /sys_util (the predecessor's psutil monitor, from /proc directly).
 *
 *   cpu u1       % of all cores busy since the previous row (rounded)
 *   ram u1[2]    [available %, used %] of MemTotal (used = 100 - available, as psutil)
 *   io  u8[4]    deltas of disk reads, writes, bytes read, bytes written (whole disks)
 *   net u8[2]    deltas of bytes sent and received (all interfaces)
 *
 * The four /proc files stay open and are re-read in place: one row costs four reads.
 */
#ifndef SHP_SYS_UTIL_H
#define SHP_SYS_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "h5/h5_writer.h"

struct sys_counters {
	uint64_t cpu_busy, cpu_total;
	uint64_t mem_total_kib, mem_avail_kib;
	uint64_t io[4];  /* reads, writes, bytes read, bytes written */
	uint64_t net[2]; /* bytes sent, received */
};

struct sys_util_monitor {
	int fd_stat, fd_mem, fd_disk, fd_net;
	struct sys_counters prev;
	h5w_table_t *table;
	uint64_t next_ns; /* CLOCK_MONOTONIC of the next row */
	uint64_t rows;
};

/* Parsers of the /proc texts (tested on their own); false if the text is not understood. */
bool sys_parse_stat(const char *text, uint64_t *busy, uint64_t *total);
bool sys_parse_meminfo(const char *text, uint64_t *total_kib, uint64_t *avail_kib);
void sys_parse_diskstats(const char *text, uint64_t io[4]);
void sys_parse_net_dev(const char *text, uint64_t net[2]);

/* Opens /proc and creates /sys_util; a /proc that cannot be read is a warning (no rows). */
shp_err sys_util_open(struct sys_util_monitor *m, h5w_t *w);

/* Writes a row when one is due. */
shp_err sys_util_poll(struct sys_util_monitor *m, uint64_t mono_now);

void sys_util_close(struct sys_util_monitor *m);

#endif
