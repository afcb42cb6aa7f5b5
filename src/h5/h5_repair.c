/* h5_repair.c - rolling a recording forward to its last commit (see h5_repair.h). */
#include "h5/h5_repair.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/log.h"
#include "h5/commit_vfd.h"
#include "h5/h5_common.h"
#include "h5/h5_tail.h"
#include "h5/journal.h"

#define INCOMPLETE ".incomplete"

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && strcmp(s + n - m, suffix) == 0;
}

int h5_repair_is_leftover(const char *name)
{
	return ends_with(name, INCOMPLETE) || ends_with(name, ".journal.0") ||
	       ends_with(name, ".journal.1");
}

void h5_repair_name(const char *path, char *out, size_t len)
{
	size_t n = strlen(path);
	if (ends_with(path, INCOMPLETE))
		n -= strlen(INCOMPLETE);
	else if (ends_with(path, ".journal.0") || ends_with(path, ".journal.1"))
		n -= strlen(".journal.0");
	snprintf(out, len, "%.*s", (int)n, path);
}

static bool any_slot(const char *recording)
{
	for (unsigned k = 0; k < JOURNAL_SLOTS; k++) {
		char path[4096 + 16];
		if (journal_path(path, sizeof(path), recording, k) && journal_slot_is_ours(path))
			return true;
	}
	return false;
}

/* Records and length of the slot into target, durably. */
static shp_err apply_slot(const char *target, const struct journal_slot *s)
{
	int fd = open(target, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		log_error("%s: cannot open for the repair: %s", target, strerror(errno));
		return SHP_ERR_OUTPUT;
	}
	shp_err e = journal_apply(fd, s);
	if (e == SHP_OK && fdatasync(fd) != 0)
		e = SHP_ERR_OUTPUT;
	if (e != SHP_OK)
		log_error("%s: rolling forward to commit %llu failed: %s (its journal stays for "
			  "another repair)",
			  target, (unsigned long long)s->h.generation, strerror(errno));
	close(fd);
	return e;
}

/* The tail's rows, appended through HDF5 under a commit of their own (which removes the slots). */
static shp_err append_tail(const char *recording, const char *target, const struct journal_slot *s,
			   uint64_t *rows)
{
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
	hid_t file = -1;
	if (fapl >= 0 && commit_vfd_set_fapl(fapl, recording, s->h.generation) >= 0 &&
	    H5Pset_file_locking(fapl, 0, 1) >= 0)
		file = H5Fopen(target, H5F_ACC_RDWR, fapl);
	if (fapl >= 0)
		H5Pclose(fapl);
	if (file < 0) {
		log_error("%s: cannot open with HDF5 after rolling forward: %s", target,
			  shp_h5_error());
		return SHP_ERR_OUTPUT;
	}
	shp_err e = tail_apply(file, s->body + s->h.records_bytes, (size_t)s->h.tail_bytes, rows);
	if (e != SHP_OK) {
		struct commit_vfd *v = commit_vfd_of(file);
		if (v)
			commit_vfd_freeze(v); /* the slots stay: the next repair starts again */
	}
	if (H5Fclose(file) < 0 && e == SHP_OK) {
		log_error("%s: closing after the repair failed: %s", target, shp_h5_error());
		e = SHP_ERR_OUTPUT;
	}
	return e;
}

/* A committed recording that never got its name gets it first (a repair cut off later then
 * finds it under its name), then it is rolled forward. */
static shp_err roll_forward(const char *recording, const char *tmp, bool unborn,
			    const struct journal_slot *s, struct repair_result *r)
{
	if (unborn) {
		if (fs_rename(tmp, recording, true) != 0) {
			log_error("%s: cannot give the recording its name: %s", recording,
				  strerror(errno));
			return SHP_ERR_OUTPUT;
		}
		if (fs_sync_parent(recording) != 0) {
			log_error("%s: syncing its directory failed: %s", recording,
				  strerror(errno));
			return SHP_ERR_OUTPUT;
		}
	}
	SHP_TRY(apply_slot(recording, s));
	if (s->h.tail_bytes)
		SHP_TRY(append_tail(recording, recording, s, &r->tail_rows));
	else
		journal_remove(recording);
	if (fs_sync_parent(recording) != 0)
		log_warn("%s: syncing its directory failed: %s", recording, strerror(errno));
	r->outcome = REPAIR_ROLLED;
	return SHP_OK;
}

/*
 * The lock a writer holds on slot 0 (commit_vfd.c), taken for the whole repair: -1 if a running
 * writer or another repair has it, else its fd, or -2 without a slot 0 (a writer makes and
 * locks its slots before its file, so a NAME.incomplete without them is not a writer's).
 */
static int lock_slots(const char *recording)
{
	char path[4096 + 16];
	if (!journal_path(path, sizeof(path), recording, 0))
		return -2;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -2;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static shp_err repair_unlocked(const char *recording, const char *tmp, struct repair_result *r);

shp_err h5_repair(const char *recording, struct repair_result *r)
{
	memset(r, 0, sizeof(*r));
	char tmp[4096 + 16];
	if (snprintf(tmp, sizeof(tmp), "%s" INCOMPLETE, recording) >= (int)sizeof(tmp))
		return SHP_ERR_OUTPUT;
	int lock = lock_slots(recording);
	if (lock == -1) {
		r->outcome = REPAIR_BUSY;
		return SHP_OK;
	}
	shp_err e = repair_unlocked(recording, tmp, r);
	if (lock >= 0)
		close(lock);
	return e;
}

static shp_err repair_unlocked(const char *recording, const char *tmp, struct repair_result *r)
{
	if (!any_slot(recording)) {
		r->outcome =
			REPAIR_HEALTHY; /* no journal of ours: nothing to do, nothing to remove */
		if (exists(tmp))
			log_warn("%s: left alone: no journal of a recording beside it", tmp);
		return SHP_OK;
	}
	struct journal_slot slot;
	bool found;
	SHP_TRY(journal_read_latest(recording, &slot, &found));
	bool unborn = exists(tmp);
	if (!found) {
		/* no complete commit: a recording killed before its first one, or the slots a
		 * finished close did not remove */
		if (unborn)
			unlink(tmp);
		journal_remove(recording);
		r->outcome = !unborn && exists(recording) ? REPAIR_TIDIED : REPAIR_REMOVED;
		fs_sync_parent(recording);
		return SHP_OK;
	}
	r->generation = slot.h.generation;
	r->samples = slot.h.summary.iv_samples;
	r->gpio_events = slot.h.summary.gpio_events;
	r->commit_wall_ns = slot.h.summary.wall_ns;
	shp_err e = SHP_OK;
	if (!unborn && !exists(recording)) { /* slots without their recording */
		journal_remove(recording);
		fs_sync_parent(recording);
		r->outcome = REPAIR_REMOVED;
	} else {
		e = roll_forward(recording, tmp, unborn, &slot, r);
	}
	journal_slot_free(&slot);
	return e;
}
