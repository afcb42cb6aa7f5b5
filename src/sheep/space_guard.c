/* space_guard.c - fallocate'd reserve, RLIMIT_FSIZE and statvfs checks for the recording. */
#define _GNU_SOURCE /* fallocate */
#include "sheep/space_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/log.h"

#define MIB (1024.0 * 1024.0)

uint64_t space_guard_reserve_from_env(void)
{
	const char *v = getenv("SHEPHERD_DISK_RESERVE_MB");
	char *end;
	if (!v || !*v)
		return (uint64_t)SHP_DISK_RESERVE_DEFAULT_MB << 20;
	double mb = strtod(v, &end);
	if (*end || !(mb >= 0 && mb < 1e6)) {
		log_warn("SHEPHERD_DISK_RESERVE_MB='%s' is not a number of MB: using %d", v,
			 SHP_DISK_RESERVE_DEFAULT_MB);
		return (uint64_t)SHP_DISK_RESERVE_DEFAULT_MB << 20;
	}
	return (uint64_t)(mb * MIB);
}

void space_guard_open(struct space_guard *g, const char *path, uint64_t reserve_bytes)
{
	memset(g, 0, sizeof(*g));
	g->fd = -1;
	snprintf(g->path, sizeof(g->path), "%s", path);
	if (reserve_bytes == 0)
		return;
	g->fd = open(path, O_WRONLY | O_CLOEXEC);
	g->reserve = g->base_reserve = reserve_bytes;
	g->fallocate_ok = true;
	if (g->fd < 0) {
		log_warn("free-space guard off for %s: %s", path, strerror(errno));
		return;
	}
	/* what the file holds already was not written in the first interval: no 3x of it */
	struct stat st;
	if (fstat(g->fd, &st) == 0 && st.st_size > 0)
		g->last_size = (uint64_t)st.st_size;
}

static shp_err too_little(const struct space_guard *g, double left_mb, const char *why)
{
	log_error("stopping: only %.1f MB left for %s (%s, less than the %.0f MB needed to close "
		  "it safely); the file keeps what was recorded",
		  left_mb < 0 ? 0.0 : left_mb, g->path, why, (double)g->reserve / MIB);
	return SHP_ERR_OUTPUT;
}

shp_err space_guard_check(struct space_guard *g, uint64_t file_size)
{
	if (g->fd < 0)
		return SHP_OK;
	/* room for three times what the last interval wrote, at least the configured reserve */
	uint64_t grew = file_size > g->last_size ? file_size - g->last_size : 0;
	g->last_size = file_size;
	g->reserve = 3 * grew > g->base_reserve ? 3 * grew : g->base_reserve;
	struct rlimit lim;
	if (getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY &&
	    file_size + g->reserve > (uint64_t)lim.rlim_cur)
		return too_little(g, ((double)lim.rlim_cur - (double)file_size) / MIB,
				  "the process' file size limit");
	if (file_size > (uint64_t)INT64_MAX - g->reserve) /* off_t cannot hold the reserve's end */
		return too_little(g, 0, "the file is as large as a file offset allows");
	if (g->fallocate_ok) {
		if (fallocate(g->fd, FALLOC_FL_KEEP_SIZE, (off_t)file_size, (off_t)g->reserve) == 0)
			return SHP_OK;
		if (errno == ENOSPC || errno == EFBIG || errno == EDQUOT)
			return too_little(g, 0, strerror(errno));
		g->fallocate_ok = false; /* EOPNOTSUPP and the like: statvfs from now on */
	}
	struct statvfs vfs;
	if (fstatvfs(g->fd, &vfs) == 0) {
		double left = (double)vfs.f_bavail * (double)vfs.f_frsize;
		if (left < (double)g->reserve)
			return too_little(g, left / MIB, "the disk is full");
	}
	return SHP_OK;
}

void space_guard_close(struct space_guard *g)
{
	if (g->fd < 0)
		return;
	struct stat st;
	/* truncating to the same size frees the blocks allocated past the end */
	if (fstat(g->fd, &st) == 0 && ftruncate(g->fd, st.st_size) != 0)
		log_debug("%s: reserve not given back: %s", g->path, strerror(errno));
	close(g->fd);
	g->fd = -1;
}
