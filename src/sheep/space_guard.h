/*
 * space_guard.h - stopping before the disk is full, while closing the file still fits.
 *
 * A write that fails for lack of space leaves HDF5 unable to finish the file. So the run keeps
 * a reserve (default 16 MB, env SHEPHERD_DISK_RESERVE_MB, 0 = off) allocated beyond the end of
 * the recording with fallocate (blocks taken, size unchanged); when the next reserve cannot be
 * had, or the process' own file size limit (RLIMIT_FSIZE) is that close, the run stops and
 * closes the file inside the reserve. The reserve grows to three times what was written
 * between two checks (one second), so a fast stream cannot outrun it. Where fallocate is not
 * supported, free space is checked with statvfs instead. The reserve beyond the end is given back
 * at close.
 */
#ifndef SHP_SPACE_GUARD_H
#define SHP_SPACE_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

#define SHP_DISK_RESERVE_DEFAULT_MB 16

struct space_guard {
	int fd;                /* -1: off */
	uint64_t base_reserve; /* configured */
	uint64_t reserve;      /* in force: grows to 3 x what one check interval writes */
	uint64_t last_size;
	bool fallocate_ok;
	char path[4096];
};

/* reserve_bytes 0 turns the guard off. */
void space_guard_open(struct space_guard *g, const char *path, uint64_t reserve_bytes);

/* SHP_ERR_OUTPUT, with a message, when less than the reserve is left beyond file_size. */
shp_err space_guard_check(struct space_guard *g, uint64_t file_size);

/* Gives back what is reserved beyond the file's end and closes. */
void space_guard_close(struct space_guard *g);

/* The reserve asked for by the environment (SHEPHERD_DISK_RESERVE_MB), in bytes. */
uint64_t space_guard_reserve_from_env(void);

#endif
