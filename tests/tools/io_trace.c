/*
 * io_trace.c - an LD_PRELOAD shim that records, in order, every operation that changes files in
 * one directory: what tests/e2e/crash_images.py needs to rebuild the file images a power cut can
 * leave.
 *
 * Off unless both SHEEP_IO_TRACE (the trace file, appended to) and SHEEP_IO_TRACE_DIR (the
 * directory watched, not recursive below it: the recording and its journals live side by side)
 * are set. Then each call of the functions below that touches a file in that directory (by path,
 * or by a file descriptor opened there) is done and, with the result, appended to the trace as one
 * record: opens (with whether they created the file), writes with their offset and bytes (plain
 * write()s get theirs from the file position after the write), truncations, fallocate, the
 * syncs, renames, unlinks, dups and closes. Records appear in the order the calls completed: a
 * traced call and its record happen under one lock with all signals blocked, so a signal handler
 * that writes cannot deadlock on it and two threads cannot interleave.
 *
 * Not seen: stdio (glibc calls write internally, past the PLT), mmap'ed writes, fcntl(F_DUPFD),
 * io_uring, mkdir, links; file descriptors above 65535. None of them touch the sheep's recording.
 *
 * Record: a struct io_trace_rec (native byte order), then path, path2 and data of the lengths it
 * gives. The layout is restated in crash_images.py (TRACE_HEADER).
 */
/* the shim defines both the plain and the 64-bit names (no redirection of one to the other) and
 * the functions that _FORTIFY_SOURCE would wrap inline */
#undef _FILE_OFFSET_BITS
#undef _TIME_BITS
#undef _FORTIFY_SOURCE
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define IO_TRACE_MAGIC 0x52544f49u /* "IOTR" */
#define MAX_FDS 65536
#define TRACE_FD_MIN 900 /* out of the way of programs that dup2 onto low numbers */

enum io_op {
	OP_OPEN = 1,       /* path, flags, mode; result = fd; arg = 1 when it created the file */
	OP_WRITE = 2,      /* fd, offset, data (what was written, result bytes) */
	OP_TRUNCATE = 3,   /* fd (or path with fd -1), length in offset */
	OP_FALLOCATE = 4,  /* fd, mode in flags, offset, length in arg */
	OP_FSYNC = 5,      /* fd */
	OP_FDATASYNC = 6,  /* fd */
	OP_SYNC_RANGE = 7, /* fd, offset, length in arg, flags */
	OP_SYNCFS = 8,     /* fd (sync(): fd -1) */
	OP_RENAME = 9,     /* path -> path2, renameat2 flags */
	OP_UNLINK = 10,    /* path, unlinkat flags */
	OP_CLOSE = 11,     /* fd */
	OP_DUP = 12,       /* fd -> result */
};

struct io_trace_rec {
	uint32_t magic;
	uint16_t op;
	uint16_t pad;
	int32_t pid;
	int32_t fd;
	int64_t result; /* the call's return value; -errno on failure */
	int64_t offset;
	int64_t arg;
	uint64_t mono_ns; /* CLOCK_MONOTONIC at completion */
	uint64_t ino;     /* st_ino of the file after an open (0 otherwise) */
	uint32_t flags;
	uint32_t mode; /* open: st_mode after the open; the mode argument is not needed */
	uint32_t path_len;
	uint32_t path2_len;
	uint64_t data_len;
};
_Static_assert(sizeof(struct io_trace_rec) == 80, "crash_images.py reads 80-byte headers");

static int trace_fd = -1;
/* the directory as given (made absolute) and with its symbolic links resolved: a path may come
 * either way */
static char trace_dir[2][PATH_MAX];
static atomic_uchar traced[MAX_FDS];
static atomic_flag lock = ATOMIC_FLAG_INIT;
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define REAL(name) static __typeof__(name) *real_##name
REAL(open);
REAL(open64);
REAL(openat);
REAL(openat64);
REAL(creat);
REAL(creat64);
REAL(write);
REAL(writev);
REAL(pwrite);
REAL(pwrite64);
REAL(pwritev);
REAL(pwritev64);
REAL(pwritev2);
REAL(pwritev64v2);
REAL(ftruncate);
REAL(ftruncate64);
REAL(truncate);
REAL(truncate64);
REAL(fallocate);
REAL(fallocate64);
REAL(posix_fallocate);
REAL(posix_fallocate64);
REAL(fsync);
REAL(fdatasync);
REAL(sync_file_range);
REAL(syncfs);
REAL(sync);
REAL(rename);
REAL(renameat);
REAL(renameat2);
REAL(unlink);
REAL(unlinkat);
REAL(close);
REAL(dup);
REAL(dup2);
REAL(dup3);
REAL(lseek64);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

static void resolve(void)
{
#define LOOKUP(name) real_##name = (__typeof__(real_##name))dlsym(RTLD_NEXT, #name)
	LOOKUP(open);
	LOOKUP(open64);
	LOOKUP(openat);
	LOOKUP(openat64);
	LOOKUP(creat);
	LOOKUP(creat64);
	LOOKUP(write);
	LOOKUP(writev);
	LOOKUP(pwrite);
	LOOKUP(pwrite64);
	LOOKUP(pwritev);
	LOOKUP(pwritev64);
	LOOKUP(pwritev2);
	LOOKUP(pwritev64v2);
	LOOKUP(ftruncate);
	LOOKUP(ftruncate64);
	LOOKUP(truncate);
	LOOKUP(truncate64);
	LOOKUP(fallocate);
	LOOKUP(fallocate64);
	LOOKUP(posix_fallocate);
	LOOKUP(posix_fallocate64);
	LOOKUP(fsync);
	LOOKUP(fdatasync);
	LOOKUP(sync_file_range);
	LOOKUP(syncfs);
	LOOKUP(sync);
	LOOKUP(rename);
	LOOKUP(renameat);
	LOOKUP(renameat2);
	LOOKUP(unlink);
	LOOKUP(unlinkat);
	LOOKUP(close);
	LOOKUP(dup);
	LOOKUP(dup2);
	LOOKUP(dup3);
	LOOKUP(lseek64);
#undef LOOKUP
}

/* "a//b/./c/../d" -> "a/b/d", in place; only ever shortens */
static void normalize(char *p)
{
	char *out = p, *in = p;
	while (*in) {
		while (*in == '/')
			in++;
		char *seg = in;
		while (*in && *in != '/')
			in++;
		size_t len = (size_t)(in - seg);
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			while (out > p && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		memmove(out, seg, len);
		out += len;
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

static int absolute(int dirfd, const char *path, char *out, size_t size);

static void init(void)
{
	resolve();
	const char *file = getenv("SHEEP_IO_TRACE");
	const char *dir = getenv("SHEEP_IO_TRACE_DIR");
	if (!file || !*file || !dir || !*dir || !realpath(dir, trace_dir[1]) ||
	    !absolute(AT_FDCWD, dir, trace_dir[0], sizeof(trace_dir[0])))
		return;
	normalize(trace_dir[1]);
	int fd = (int)syscall(SYS_openat, AT_FDCWD, file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			      0644);
	if (fd < 0)
		return;
	trace_fd = fcntl(fd, F_DUPFD_CLOEXEC, TRACE_FD_MIN);
	if (trace_fd < 0)
		trace_fd = fd;
	else
		syscall(SYS_close, fd);
}

static void child_after_fork(void)
{
	atomic_flag_clear(&lock);
}

__attribute__((constructor)) static void io_trace_start(void)
{
	pthread_once(&once, init);
	pthread_atfork(NULL, NULL, child_after_fork);
}

static int enabled(void)
{
	pthread_once(&once, init);
	return trace_fd >= 0;
}

/* Writes the decimal digits of v >= 0 and a NUL to out (snprintf is not async-signal-safe). */
static void append_int(char *out, int v)
{
	char digits[16];
	int n = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 && n < 15);
	while (n > 0)
		*out++ = digits[--n];
	*out = '\0';
}

/* The absolute, normalized form of path (relative to dirfd) into out; 0 if it cannot be had. */
static int absolute(int dirfd, const char *path, char *out, size_t size)
{
	if (!path)
		return 0;
	size_t n = 0;
	if (path[0] != '/') {
		if (dirfd == AT_FDCWD) {
			if (syscall(SYS_getcwd, out, size) < 0)
				return 0;
			n = strlen(out);
		} else {
			char link[32] = "/proc/self/fd/";
			append_int(link + strlen(link), dirfd);
			ssize_t len = readlink(link, out, size - 1);
			if (len < 0)
				return 0;
			n = (size_t)len;
		}
		if (n + 1 >= size)
			return 0;
		out[n++] = '/';
	}
	size_t len = strlen(path);
	if (n + len + 1 > size)
		return 0;
	memcpy(out + n, path, len + 1);
	normalize(out);
	return 1;
}

/* In the watched directory, or the directory itself (for its fsync). */
static int watched(const char *abs)
{
	for (int k = 0; k < 2; k++) {
		size_t len = strlen(trace_dir[k]);
		if (strncmp(abs, trace_dir[k], len) != 0)
			continue;
		const char *rest = abs + len;
		if (*rest == '\0' || (*rest == '/' && !strchr(rest + 1, '/')))
			return 1;
	}
	return 0;
}

static int fd_traced(int fd)
{
	return fd >= 0 && fd < MAX_FDS && atomic_load_explicit(&traced[fd], memory_order_relaxed);
}

static void fd_mark(int fd, int on)
{
	if (fd >= 0 && fd < MAX_FDS)
		atomic_store(&traced[fd], (unsigned char)on);
}

/* A traced call runs between enter() and leave(): signals blocked, the lock held. */
static void enter(sigset_t *saved)
{
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, saved);
	while (atomic_flag_test_and_set_explicit(&lock, memory_order_acquire))
		;
}

static void leave(const sigset_t *saved, int err)
{
	atomic_flag_clear_explicit(&lock, memory_order_release);
	pthread_sigmask(SIG_SETMASK, saved, NULL);
	errno = err;
}

static void emit(struct io_trace_rec *r, const char *path, const char *path2, const void *data,
		 const struct iovec *iov, int iovcnt)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	r->magic = IO_TRACE_MAGIC;
	r->pid = (int32_t)getpid();
	r->mono_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	r->path_len = path ? (uint32_t)strlen(path) : 0;
	r->path2_len = path2 ? (uint32_t)strlen(path2) : 0;
	struct iovec v[64];
	int n = 0;
	v[n++] = (struct iovec){r, sizeof(*r)};
	if (r->path_len)
		v[n++] = (struct iovec){(void *)path, r->path_len};
	if (r->path2_len)
		v[n++] = (struct iovec){(void *)path2, r->path2_len};
	if (data && r->data_len)
		v[n++] = (struct iovec){(void *)data, r->data_len};
	/* a gathered write: only the first data_len bytes of iov[] */
	uint64_t left = iov ? r->data_len : 0;
	for (int k = 0; k < iovcnt && left > 0 && n < 64; k++) {
		size_t len = iov[k].iov_len < left ? iov[k].iov_len : (size_t)left;
		v[n++] = (struct iovec){iov[k].iov_base, len};
		left -= len;
	}
	/* one writev on an O_APPEND file: whole records, even from forked children */
	size_t total = 0;
	for (int k = 0; k < n; k++)
		total += v[k].iov_len;
	ssize_t done = syscall(SYS_writev, trace_fd, v, n);
	if (done >= 0 && (size_t)done != total) {
		static const char msg[] = "io_trace: short write to the trace\n";
		syscall(SYS_write, 2, msg, sizeof(msg) - 1);
	}
}

static int64_t result_of(int64_t ret, int err)
{
	return ret < 0 ? -(int64_t)err : ret;
}

static int st_of(int fd, struct io_trace_rec *r)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -1;
	r->ino = (uint64_t)st.st_ino;
	r->mode = (uint32_t)st.st_mode;
	return 0;
}

static int traced_open(int dirfd, const char *path, int flags, mode_t mode)
{
	char abs[PATH_MAX];
	if (!enabled() || !absolute(dirfd, path, abs, sizeof(abs)) || !watched(abs))
		return real_openat(dirfd, path, flags, mode);
	sigset_t saved;
	enter(&saved);
	struct stat before;
	int existed = fstatat(AT_FDCWD, abs, &before, 0) == 0;
	int fd = real_openat(dirfd, path, flags, mode);
	int err = errno;
	struct io_trace_rec r = {.op = OP_OPEN, .fd = -1, .flags = (uint32_t)flags};
	r.result = result_of(fd, err);
	r.arg = fd >= 0 && !existed && (flags & O_CREAT);
	if (fd >= 0) {
		st_of(fd, &r);
		fd_mark(fd, 1);
	}
	emit(&r, abs, NULL, NULL, NULL, 0);
	leave(&saved, err);
	return fd;
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	return traced_open(AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	return traced_open(AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	return traced_open(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	return traced_open(dirfd, path, flags | O_LARGEFILE, mode);
}

int creat(const char *path, mode_t mode)
{
	return traced_open(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

int creat64(const char *path, mode_t mode)
{
	return traced_open(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC | O_LARGEFILE, mode);
}

/* _FORTIFY_SOURCE's checked variants (no mode: they refuse O_CREAT without one) */
int __open_2(const char *path, int flags)
{
	return traced_open(AT_FDCWD, path, flags, 0);
}

int __open64_2(const char *path, int flags)
{
	return traced_open(AT_FDCWD, path, flags | O_LARGEFILE, 0);
}

int __openat_2(int dirfd, const char *path, int flags)
{
	return traced_open(dirfd, path, flags, 0);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
	return traced_open(dirfd, path, flags | O_LARGEFILE, 0);
}

/* Records a finished write of ret bytes at offset (-1: where the file position was). */
static void record_write(int fd, int64_t offset, ssize_t ret, int err, const void *data,
			 const struct iovec *iov, int iovcnt)
{
	struct io_trace_rec r = {.op = OP_WRITE, .fd = fd};
	r.result = result_of(ret, err);
	if (offset < 0) /* from the position after it: right for O_APPEND as well */
		offset = ret > 0 ? real_lseek64(fd, 0, SEEK_CUR) - ret
				 : real_lseek64(fd, 0, SEEK_CUR);
	r.offset = offset;
	r.data_len = ret > 0 ? (uint64_t)ret : 0;
	emit(&r, NULL, NULL, data, iov, iovcnt);
}

ssize_t write(int fd, const void *buf, size_t count)
{
	if (!enabled() || !fd_traced(fd))
		return real_write(fd, buf, count);
	sigset_t saved;
	enter(&saved);
	ssize_t ret = real_write(fd, buf, count);
	int err = errno;
	record_write(fd, -1, ret, err, buf, NULL, 0);
	leave(&saved, err);
	return ret;
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
	if (!enabled() || !fd_traced(fd))
		return real_writev(fd, iov, iovcnt);
	sigset_t saved;
	enter(&saved);
	ssize_t ret = real_writev(fd, iov, iovcnt);
	int err = errno;
	record_write(fd, -1, ret, err, NULL, iov, iovcnt);
	leave(&saved, err);
	return ret;
}

#define TRACED_PWRITE(name, off_type)                                                              \
	ssize_t name(int fd, const void *buf, size_t count, off_type offset)                       \
	{                                                                                          \
		if (!enabled() || !fd_traced(fd))                                                  \
			return real_##name(fd, buf, count, offset);                                \
		sigset_t saved;                                                                    \
		enter(&saved);                                                                     \
		ssize_t ret = real_##name(fd, buf, count, offset);                                 \
		int err = errno;                                                                   \
		record_write(fd, (int64_t)offset, ret, err, buf, NULL, 0);                         \
		leave(&saved, err);                                                                \
		return ret;                                                                        \
	}
TRACED_PWRITE(pwrite, off_t)
TRACED_PWRITE(pwrite64, off64_t)

#define TRACED_PWRITEV(name, off_type)                                                             \
	ssize_t name(int fd, const struct iovec *iov, int iovcnt, off_type offset)                 \
	{                                                                                          \
		if (!enabled() || !fd_traced(fd))                                                  \
			return real_##name(fd, iov, iovcnt, offset);                               \
		sigset_t saved;                                                                    \
		enter(&saved);                                                                     \
		ssize_t ret = real_##name(fd, iov, iovcnt, offset);                                \
		int err = errno;                                                                   \
		record_write(fd, (int64_t)offset, ret, err, NULL, iov, iovcnt);                    \
		leave(&saved, err);                                                                \
		return ret;                                                                        \
	}
TRACED_PWRITEV(pwritev, off_t)
TRACED_PWRITEV(pwritev64, off64_t)

#define TRACED_PWRITEV2(name, off_type)                                                            \
	ssize_t name(int fd, const struct iovec *iov, int iovcnt, off_type offset, int flags)      \
	{                                                                                          \
		if (!enabled() || !fd_traced(fd))                                                  \
			return real_##name(fd, iov, iovcnt, offset, flags);                        \
		sigset_t saved;                                                                    \
		enter(&saved);                                                                     \
		ssize_t ret = real_##name(fd, iov, iovcnt, offset, flags);                         \
		int err = errno;                                                                   \
		record_write(fd, (int64_t)offset, ret, err, NULL, iov, iovcnt);                    \
		leave(&saved, err);                                                                \
		return ret;                                                                        \
	}
TRACED_PWRITEV2(pwritev2, off_t)
TRACED_PWRITEV2(pwritev64v2, off64_t)

/* Calls of one fd and an int64 argument pair, recorded as op with offset and arg. */
#define TRACED_FD_CALL(ret_type, name, params, args, kind, offset_expr, arg_expr, flags_expr)      \
	ret_type name params                                                                       \
	{                                                                                          \
		if (!enabled() || !fd_traced(fd))                                                  \
			return real_##name args;                                                   \
		sigset_t saved;                                                                    \
		enter(&saved);                                                                     \
		ret_type ret = real_##name args;                                                   \
		int err = errno;                                                                   \
		struct io_trace_rec r = {.op = kind, .fd = fd};                                    \
		r.result = result_of((int64_t)ret, err);                                           \
		r.offset = (int64_t)(offset_expr);                                                 \
		r.arg = (int64_t)(arg_expr);                                                       \
		r.flags = (uint32_t)(flags_expr);                                                  \
		emit(&r, NULL, NULL, NULL, NULL, 0);                                               \
		leave(&saved, err);                                                                \
		return ret;                                                                        \
	}
TRACED_FD_CALL(int, ftruncate, (int fd, off_t length), (fd, length), OP_TRUNCATE, length, 0, 0)
TRACED_FD_CALL(int, ftruncate64, (int fd, off64_t length), (fd, length), OP_TRUNCATE, length, 0, 0)
TRACED_FD_CALL(int, fallocate, (int fd, int mode, off_t offset, off_t len), (fd, mode, offset, len),
	       OP_FALLOCATE, offset, len, mode)
TRACED_FD_CALL(int, fallocate64, (int fd, int mode, off64_t offset, off64_t len),
	       (fd, mode, offset, len), OP_FALLOCATE, offset, len, mode)
TRACED_FD_CALL(int, fsync, (int fd), (fd), OP_FSYNC, 0, 0, 0)
TRACED_FD_CALL(int, fdatasync, (int fd), (fd), OP_FDATASYNC, 0, 0, 0)
TRACED_FD_CALL(int, sync_file_range, (int fd, off64_t offset, off64_t nbytes, unsigned int flags),
	       (fd, offset, nbytes, flags), OP_SYNC_RANGE, offset, nbytes, flags)
TRACED_FD_CALL(int, syncfs, (int fd), (fd), OP_SYNCFS, 0, 0, 0)

/* posix_fallocate returns the error instead of setting errno */
#define TRACED_POSIX_FALLOCATE(name, off_type)                                                     \
	int name(int fd, off_type offset, off_type len)                                            \
	{                                                                                          \
		if (!enabled() || !fd_traced(fd))                                                  \
			return real_##name(fd, offset, len);                                       \
		sigset_t saved;                                                                    \
		enter(&saved);                                                                     \
		int ret = real_##name(fd, offset, len);                                            \
		int err = errno;                                                                   \
		struct io_trace_rec r = {.op = OP_FALLOCATE, .fd = fd};                            \
		r.result = ret == 0 ? 0 : -(int64_t)ret;                                           \
		r.offset = (int64_t)offset;                                                        \
		r.arg = (int64_t)len;                                                              \
		emit(&r, NULL, NULL, NULL, NULL, 0);                                               \
		leave(&saved, err);                                                                \
		return ret;                                                                        \
	}
TRACED_POSIX_FALLOCATE(posix_fallocate, off_t)
TRACED_POSIX_FALLOCATE(posix_fallocate64, off64_t)

void sync(void)
{
	if (!enabled()) {
		real_sync();
		return;
	}
	sigset_t saved;
	enter(&saved);
	real_sync();
	struct io_trace_rec r = {.op = OP_SYNCFS, .fd = -1};
	emit(&r, NULL, NULL, NULL, NULL, 0);
	leave(&saved, errno);
}

#define TRACED_TRUNCATE(name, off_type)                                                            \
	int name(const char *path, off_type length)                                                \
	{                                                                                          \
		char abs[PATH_MAX];                                                                \
		if (!enabled() || !absolute(AT_FDCWD, path, abs, sizeof(abs)) || !watched(abs))    \
			return real_##name(path, length);                                          \
		sigset_t saved;                                                                    \
		enter(&saved);                                                                     \
		int ret = real_##name(path, length);                                               \
		int err = errno;                                                                   \
		struct io_trace_rec r = {.op = OP_TRUNCATE, .fd = -1};                             \
		r.result = result_of(ret, err);                                                    \
		r.offset = (int64_t)length;                                                        \
		emit(&r, abs, NULL, NULL, NULL, 0);                                                \
		leave(&saved, err);                                                                \
		return ret;                                                                        \
	}
TRACED_TRUNCATE(truncate, off_t)
TRACED_TRUNCATE(truncate64, off64_t)

static int traced_rename(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
			 unsigned flags,
			 int (*call)(int, const char *, int, const char *, unsigned))
{
	char from[PATH_MAX], to[PATH_MAX];
	if (!enabled() || !absolute(olddirfd, oldpath, from, sizeof(from)) ||
	    !absolute(newdirfd, newpath, to, sizeof(to)) || (!watched(from) && !watched(to)))
		return call(olddirfd, oldpath, newdirfd, newpath, flags);
	sigset_t saved;
	enter(&saved);
	int ret = call(olddirfd, oldpath, newdirfd, newpath, flags);
	int err = errno;
	struct io_trace_rec r = {.op = OP_RENAME, .fd = -1, .flags = flags};
	r.result = result_of(ret, err);
	emit(&r, from, to, NULL, NULL, 0);
	leave(&saved, err);
	return ret;
}

static int call_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
			  unsigned flags)
{
	if (flags == 0 && !real_renameat2)
		return real_renameat(olddirfd, oldpath, newdirfd, newpath);
	return real_renameat2(olddirfd, oldpath, newdirfd, newpath, flags);
}

static int call_rename(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
		       unsigned flags)
{
	(void)olddirfd, (void)newdirfd, (void)flags;
	return real_rename(oldpath, newpath);
}

int rename(const char *oldpath, const char *newpath)
{
	return traced_rename(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0, call_rename);
}

int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	return traced_rename(olddirfd, oldpath, newdirfd, newpath, 0, call_renameat2);
}

int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
	      unsigned int flags)
{
	return traced_rename(olddirfd, oldpath, newdirfd, newpath, flags, call_renameat2);
}

static int traced_unlink(int dirfd, const char *path, int flags)
{
	char abs[PATH_MAX];
	if (!enabled() || !absolute(dirfd, path, abs, sizeof(abs)) || !watched(abs))
		return real_unlinkat(dirfd, path, flags);
	sigset_t saved;
	enter(&saved);
	int ret = real_unlinkat(dirfd, path, flags);
	int err = errno;
	struct io_trace_rec r = {.op = OP_UNLINK, .fd = -1, .flags = (uint32_t)flags};
	r.result = result_of(ret, err);
	emit(&r, abs, NULL, NULL, NULL, 0);
	leave(&saved, err);
	return ret;
}

int unlink(const char *path)
{
	return traced_unlink(AT_FDCWD, path, 0);
}

int unlinkat(int dirfd, const char *path, int flags)
{
	return traced_unlink(dirfd, path, flags);
}

int close(int fd)
{
	if (!enabled() || (fd != trace_fd && !fd_traced(fd)))
		return real_close(fd);
	if (fd == trace_fd)
		return 0; /* the trace outlives programs that close every descriptor */
	sigset_t saved;
	enter(&saved);
	fd_mark(fd, 0);
	int ret = real_close(fd);
	int err = errno;
	struct io_trace_rec r = {.op = OP_CLOSE, .fd = fd};
	r.result = result_of(ret, err);
	emit(&r, NULL, NULL, NULL, NULL, 0);
	leave(&saved, err);
	return ret;
}

/* which: 1 dup, 2 dup2, 3 dup3 */
static int call_dup(int which, int fd, int newfd, int flags)
{
	if (which == 1)
		return real_dup(fd);
	return which == 2 ? real_dup2(fd, newfd) : real_dup3(fd, newfd, flags);
}

static int traced_dup(int which, int fd, int newfd, int flags)
{
	if (!enabled())
		return call_dup(which, fd, newfd, flags);
	if (newfd >= 0 && newfd == trace_fd) {
		errno = EBUSY; /* the trace's descriptor is not the program's to replace */
		return -1;
	}
	if (!fd_traced(fd) && !fd_traced(newfd))
		return call_dup(which, fd, newfd, flags);
	sigset_t saved;
	enter(&saved);
	int ret = call_dup(which, fd, newfd, flags);
	int err = errno;
	if (ret >= 0)
		fd_mark(ret, fd_traced(fd));
	struct io_trace_rec r = {.op = OP_DUP, .fd = fd};
	r.result = result_of(ret, err);
	emit(&r, NULL, NULL, NULL, NULL, 0);
	leave(&saved, err);
	return ret;
}

int dup(int fd)
{
	return traced_dup(1, fd, -1, 0);
}

int dup2(int fd, int newfd)
{
	return traced_dup(2, fd, newfd, 0);
}

int dup3(int fd, int newfd, int flags)
{
	return traced_dup(3, fd, newfd, flags);
}
