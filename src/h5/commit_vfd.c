/* commit_vfd.c - the committing HDF5 file driver (protocol in commit_vfd.h). */
#include "h5/commit_vfd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/log.h"
#include "h5/h5_tail.h"
#include "h5/held_writes.h"

#define MAXADDR (((haddr_t)1 << 62) - 1)
#define STAGE_BYTES (64u * 1024u)

struct fapl_info {
	char recording[4096];
	uint64_t resume_after;
};

struct commit_vfd {
	H5FD_t pub; /* first: HDF5 hands this back */
	struct fapl_info info;
	int fd;
	int slot_fd[JOURNAL_SLOTS];
	bool writable, dirty;
	bool frozen;  /* nothing more reaches the file or the slots */
	bool failed;  /* a write failed: no commit may follow (HDF5 flushes on regardless) */
	bool no_sync; /* SHEPHERD_NO_SYNC=1, for the benchmark only: see sync_fd */
	haddr_t eoa, eof;
	uint64_t committed; /* file length of the last commit: writes below it are held */
	uint64_t generation;
	struct held_writes held;
	const struct tail_buf *tail;
	struct journal_summary summary;
	struct commit_stats stats;
	dev_t dev;
	ino_t ino;
	uint8_t *stage; /* STAGE_BYTES for the slot's small pieces */
};

static hid_t driver_id = H5I_INVALID_HID;

static herr_t push_error(const char *what, int err)
{
	H5Epush2(H5E_DEFAULT, __FILE__, what, __LINE__, H5E_ERR_CLS, H5E_VFL, H5E_WRITEERROR,
		 "%s: %s", what, strerror(err));
	return -1;
}

static herr_t fail(const char *what, int err)
{
	log_debug("commit driver: %s: %s", what, strerror(err));
	return push_error(what, err);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * SHEPHERD_NO_SYNC=1 skips the fdatasyncs (still counted) so that bench/bench.py can measure
 * what they cost. Benchmarking only, never in production: without them a power cut can leave a
 * commit whose data never reached the card, and the file may not open.
 */
static int sync_fd(struct commit_vfd *v, int fd)
{
	uint64_t t0 = now_ns();
	int rc = v->no_sync ? 0 : fdatasync(fd);
	v->stats.sync_ns += now_ns() - t0;
	v->stats.syncs++;
	return rc;
}

/* ---- the commit -------------------------------------------------------------------------- */

struct slot_writer {
	int fd;
	uint64_t off; /* next body offset */
	uint8_t *stage;
	size_t staged;
	uint32_t crc;
	bool ok;
};

static void sw_flush(struct slot_writer *w)
{
	if (w->staged && w->ok)
		w->ok = fs_pwrite_full(w->fd, w->stage, w->staged, w->off);
	w->off += w->staged;
	w->staged = 0;
}

static void sw_put(struct slot_writer *w, const void *data, size_t len)
{
	w->crc = journal_crc(w->crc, data, len);
	if (len > STAGE_BYTES / 2) {
		sw_flush(w);
		if (w->ok)
			w->ok = fs_pwrite_full(w->fd, data, len, w->off);
		w->off += len;
		return;
	}
	if (w->staged + len > STAGE_BYTES)
		sw_flush(w);
	memcpy(w->stage + w->staged, data, len);
	w->staged += len;
}

static void sw_put_piece(void *ctx, const void *data, size_t len)
{
	sw_put(ctx, data, len);
}

/* Steps 2 and 3 of commit_vfd.h into slot fd; errno set on failure. */
static bool write_slot(struct commit_vfd *v, int fd, struct journal_header *h)
{
	struct slot_writer w = {fd, JOURNAL_HEADER_BYTES, v->stage, 0, 0, true};
	static const uint8_t zeros[8];
	for (size_t k = 0; k < v->held.n; k++) {
		const struct held *e = &v->held.e[k];
		uint8_t rec[JOURNAL_RECORD_HEADER];
		for (int b = 0; b < 8; b++) {
			rec[b] = (uint8_t)(e->addr >> (8 * b));
			rec[8 + b] = (uint8_t)((uint64_t)e->len >> (8 * b));
		}
		sw_put(&w, rec, sizeof(rec));
		sw_put(&w, e->data, e->len);
		sw_put(&w, zeros, (8 - e->len % 8) % 8);
	}
	sw_flush(&w);
	h->records = (uint32_t)v->held.n;
	h->records_bytes = w.off - JOURNAL_HEADER_BYTES;
	if (v->tail)
		tail_each(v->tail, sw_put_piece, &w);
	sw_flush(&w);
	h->tail_bytes = v->tail ? v->tail->bytes : 0;
	h->body_crc = w.crc;
	uint8_t head[JOURNAL_HEADER_BYTES];
	journal_encode_header(h, head);
	v->stats.journal_bytes += w.off;
	return w.ok && fs_pwrite_full(fd, head, sizeof(head), 0);
}

static herr_t commit(struct commit_vfd *v)
{
	if (sync_fd(v, v->fd) != 0) /* 1: new data and the last apply are durable */
		return fail("syncing the recording", errno);
	struct journal_header h = {
		.generation = v->generation + 1,
		.length = v->eoa,
		.summary = v->summary,
	};
	h.summary.wall_ns = (uint64_t)time(NULL) * 1000000000u;
	int slot = v->slot_fd[h.generation % JOURNAL_SLOTS];
	if (!write_slot(v, slot, &h) || sync_fd(v, slot) != 0) /* 2: the commit point */
		return fail("writing the commit journal", errno);
	for (size_t k = 0; k < v->held.n; k++) /* 3: apply */
		if (!fs_pwrite_full(v->fd, v->held.e[k].data, v->held.e[k].len, v->held.e[k].addr))
			return fail("applying a commit", errno);
	if (v->eof != v->eoa && ftruncate(v->fd, (off_t)v->eoa) != 0)
		return fail("setting the recording's length", errno);
	v->eof = v->eoa;
	v->committed = v->eoa;
	v->generation = h.generation;
	v->stats.commits++;
	held_clear(&v->held);
	v->dirty = false;
	return 0;
}

/* ---- driver callbacks -------------------------------------------------------------------- */

static void *fapl_copy(const void *old)
{
	struct fapl_info *n = malloc(sizeof(*n));
	if (n)
		memcpy(n, old, sizeof(*n));
	return n;
}

static herr_t fapl_free(void *info)
{
	free(info);
	return 0;
}

static void *fapl_get(H5FD_t *file)
{
	return fapl_copy(&((struct commit_vfd *)(void *)file)->info);
}

static void free_vfd(struct commit_vfd *v)
{
	held_free(&v->held);
	free(v->stage);
	free(v);
}

/*
 * Opens both slots and locks slot 0 before the recording itself is opened: held while the
 * recording is written, the lock tells a repair to leave it alone (a repair that resumes holds
 * it already). *made: which slot files this call created.
 */
static bool open_slots(struct commit_vfd *v, bool made[JOURNAL_SLOTS])
{
	for (unsigned k = 0; k < JOURNAL_SLOTS; k++) {
		char path[4096 + 16];
		if (!journal_path(path, sizeof(path), v->info.recording, k))
			return errno = ENAMETOOLONG, false;
		v->slot_fd[k] = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		made[k] = v->slot_fd[k] >= 0;
		if (!made[k] && errno == EEXIST)
			v->slot_fd[k] = open(path, O_RDWR | O_CLOEXEC);
		if (v->slot_fd[k] < 0)
			return false;
	}
	if (v->info.resume_after)
		return true;
	if (flock(v->slot_fd[0], LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			errno = EBUSY;
		return false;
	}
	return true;
}

/* A new recording's slots start empty, durably: an older recording's slot of a higher
 * generation must not come back after a power cut. */
static bool empty_slots(struct commit_vfd *v)
{
	for (unsigned k = 0; k < JOURNAL_SLOTS; k++)
		if (ftruncate(v->slot_fd[k], 0) != 0 || sync_fd(v, v->slot_fd[k]) != 0)
			return false;
	return true;
}

static void unlink_made(const struct commit_vfd *v, const bool made[JOURNAL_SLOTS])
{
	for (unsigned k = 0; k < JOURNAL_SLOTS; k++) {
		char path[4096 + 16];
		if (made[k] && journal_path(path, sizeof(path), v->info.recording, k))
			unlink(path);
	}
}

static void close_fds(struct commit_vfd *v)
{
	for (unsigned k = 0; k < JOURNAL_SLOTS; k++)
		if (v->slot_fd[k] >= 0)
			close(v->slot_fd[k]);
	if (v->fd >= 0)
		close(v->fd);
}

static H5FD_t *vfd_open(const char *name, unsigned flags, hid_t fapl, haddr_t maxaddr)
{
	(void)maxaddr;
	const struct fapl_info *info = H5Pget_driver_info(fapl);
	struct commit_vfd *v = calloc(1, sizeof(*v));
	if (!info || !v) {
		free(v);
		fail("opening", ENOMEM);
		return NULL;
	}
	v->info = *info;
	v->fd = v->slot_fd[0] = v->slot_fd[1] = -1;
	v->writable = flags & H5F_ACC_RDWR;
	const char *no_sync = getenv("SHEPHERD_NO_SYNC");
	v->no_sync = v->writable && no_sync && strcmp(no_sync, "1") == 0;
	if (v->no_sync)
		log_warn("SHEPHERD_NO_SYNC=1: commits are not synced (for benchmarks only)");
	int o = v->writable ? O_RDWR : O_RDONLY;
	if (flags & H5F_ACC_TRUNC)
		o |= O_TRUNC;
	if (flags & H5F_ACC_CREAT)
		o |= O_CREAT;
	if (flags & H5F_ACC_EXCL)
		o |= O_EXCL;
	struct stat st;
	bool made[JOURNAL_SLOTS] = {false, false};
	bool fresh = v->writable && !info->resume_after;
	bool ok = !v->writable || ((v->stage = malloc(STAGE_BYTES)) != NULL && open_slots(v, made));
	int err = errno;
	if (ok) {
		ok = (v->fd = open(name, o | O_CLOEXEC, 0644)) >= 0 && fstat(v->fd, &st) == 0;
		err = errno;
		/* the slots are emptied, and the new names durable, before a first commit */
		if (ok && fresh)
			ok = empty_slots(v) && fs_sync_parent(name) == 0;
	}
	if (!ok) {
		if (!err)
			err = EIO;
		unlink_made(v, made); /* only what this open created: a live writer's stay */
		close_fds(v);
		free_vfd(v);
		if (err == ENOENT && !(flags & H5F_ACC_CREAT))
			push_error(name, err); /* HDF5 tries an open before it creates: no news */
		else
			fail(name, err);
		return NULL;
	}
	v->dev = st.st_dev;
	v->ino = st.st_ino;
	v->eof = (haddr_t)st.st_size;
	v->committed = (uint64_t)st.st_size;
	v->generation = info->resume_after;
	return &v->pub;
}

static herr_t vfd_close(H5FD_t *file)
{
	struct commit_vfd *v = (struct commit_vfd *)(void *)file;
	herr_t rc = 0;
	if (v->writable && !v->frozen) {
		if (v->dirty)
			rc = commit(v);
		if (rc >= 0 && sync_fd(v, v->fd) != 0)
			rc = fail("syncing the recording", errno);
		for (unsigned k = 1; rc >= 0 && k <= JOURNAL_SLOTS; k++) { /* the older first */
			char path[4096 + 16];
			unsigned slot = (unsigned)((v->generation + k) % JOURNAL_SLOTS);
			if (journal_path(path, sizeof(path), v->info.recording, slot))
				unlink(path);
		}
		if (rc >= 0)
			fs_sync_parent(v->info.recording);
	}
	close_fds(v);
	free_vfd(v);
	return rc;
}

static int vfd_cmp(const H5FD_t *a, const H5FD_t *b)
{
	const struct commit_vfd *x = (const void *)a, *y = (const void *)b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

static herr_t vfd_query(const H5FD_t *file, unsigned long *flags)
{
	(void)file;
	*flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA |
		 H5FD_FEAT_DATA_SIEVE | H5FD_FEAT_AGGREGATE_SMALLDATA |
		 H5FD_FEAT_DEFAULT_VFD_COMPATIBLE;
	return 0;
}

static haddr_t vfd_get_eoa(const H5FD_t *file, H5FD_mem_t type)
{
	(void)type;
	return ((const struct commit_vfd *)(const void *)file)->eoa;
}

static herr_t vfd_set_eoa(H5FD_t *file, H5FD_mem_t type, haddr_t addr)
{
	(void)type;
	struct commit_vfd *v = (struct commit_vfd *)(void *)file;
	if (addr != v->eoa)
		v->dirty = true;
	v->eoa = addr;
	return 0;
}

static haddr_t vfd_get_eof(const H5FD_t *file, H5FD_mem_t type)
{
	(void)type;
	return ((const struct commit_vfd *)(const void *)file)->eof;
}

static herr_t vfd_get_handle(H5FD_t *file, hid_t fapl, void **handle)
{
	(void)fapl;
	*handle = file;
	return 0;
}

static herr_t vfd_read(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size,
		       void *buf)
{
	(void)type;
	(void)dxpl;
	struct commit_vfd *v = (struct commit_vfd *)(void *)file;
	uint8_t *p = buf;
	size_t done = 0;
	while (done < size) {
		ssize_t n = pread(v->fd, p + done, size - done, (off_t)(addr + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail("reading", errno);
		if (n == 0) { /* past the end: zeros, as the sec2 driver gives */
			memset(p + done, 0, size - done);
			break;
		}
		done += (size_t)n;
	}
	held_overlay(&v->held, addr, size, p); /* what the next commit will have written */
	return 0;
}

static herr_t vfd_write(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size,
			const void *buf)
{
	(void)type;
	(void)dxpl;
	struct commit_vfd *v = (struct commit_vfd *)(void *)file;
	if (v->frozen)
		return 0; /* the file stays at its last commit */
	v->dirty = true;
	const uint8_t *p = buf;
	if (addr < v->committed) {
		size_t n = v->committed - addr < size ? (size_t)(v->committed - addr) : size;
		if (!held_put(&v->held, addr, n, p)) {
			v->failed = v->frozen = true;
			return fail("holding a write", ENOMEM);
		}
		if (v->held.bytes > v->stats.held_bytes_peak)
			v->stats.held_bytes_peak = v->held.bytes;
		addr += n;
		p += n;
		size -= n;
	}
	if (size == 0)
		return 0;
	if (!fs_pwrite_full(v->fd, p, size, addr)) {
		v->failed = v->frozen = true; /* the state to commit is incomplete now */
		return fail("writing", errno);
	}
	if (addr + size > v->eof)
		v->eof = addr + size;
	return 0;
}

static herr_t vfd_flush(H5FD_t *file, hid_t dxpl, hbool_t closing)
{
	(void)dxpl;
	(void)closing;
	struct commit_vfd *v = (struct commit_vfd *)(void *)file;
	if (v->failed)
		return fail("committing after a failed write", EIO);
	if (!v->writable || v->frozen || !v->dirty)
		return 0;
	herr_t rc = commit(v);
	if (rc < 0)
		v->frozen = true; /* the slots still hold the last commit */
	return rc;
}

static herr_t vfd_truncate(H5FD_t *file, hid_t dxpl, hbool_t closing)
{
	(void)dxpl;
	(void)closing;
	struct commit_vfd *v = (struct commit_vfd *)(void *)file;
	if (v->eof != v->eoa)
		v->dirty = true; /* the commit sets the length */
	return 0;
}

static const H5FD_class_t commit_class = {
	.name = "shepherd_commit",
	.maxaddr = MAXADDR,
	.fc_degree = H5F_CLOSE_WEAK,
	.fapl_size = sizeof(struct fapl_info),
	.fapl_get = fapl_get,
	.fapl_copy = fapl_copy,
	.fapl_free = fapl_free,
	.open = vfd_open,
	.close = vfd_close,
	.cmp = vfd_cmp,
	.query = vfd_query,
	.get_eoa = vfd_get_eoa,
	.set_eoa = vfd_set_eoa,
	.get_eof = vfd_get_eof,
	.get_handle = vfd_get_handle,
	.read = vfd_read,
	.write = vfd_write,
	.flush = vfd_flush,
	.truncate = vfd_truncate,
	.fl_map = H5FD_FLMAP_DICHOTOMY,
};

hid_t commit_vfd_register(void)
{
	if (driver_id < 0)
		driver_id = H5FDregister(&commit_class);
	return driver_id;
}

herr_t commit_vfd_set_fapl(hid_t fapl, const char *recording, uint64_t resume_after)
{
	struct fapl_info info;
	memset(&info, 0, sizeof(info));
	if (commit_vfd_register() < 0 || snprintf(info.recording, sizeof(info.recording), "%s",
						  recording) >= (int)sizeof(info.recording))
		return -1;
	info.resume_after = resume_after;
	return H5Pset_driver(fapl, driver_id, &info);
}

struct commit_vfd *commit_vfd_of(hid_t file)
{
	hid_t fapl = H5Fget_access_plist(file);
	bool ours = fapl >= 0 && H5Pget_driver(fapl) == driver_id;
	if (fapl >= 0)
		H5Pclose(fapl);
	void *handle = NULL;
	if (!ours || H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0)
		return NULL;
	return handle;
}

void commit_vfd_set_tail(struct commit_vfd *v, const struct tail_buf *tail,
			 const struct journal_summary *summary)
{
	v->tail = tail;
	if (summary)
		v->summary = *summary;
	v->dirty = true;
}

void commit_vfd_freeze(struct commit_vfd *v)
{
	v->frozen = true;
}

const struct commit_stats *commit_vfd_stats(const struct commit_vfd *v)
{
	return &v->stats;
}
