/* fs.h - small file-system helpers shared by the commands. */
#ifndef SHP_FS_H
#define SHP_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A 32-bit off_t (armhf without _FILE_OFFSET_BITS=64) breaks every file past 2 GiB: fopen
 * refuses inputs (EOVERFLOW), fstat fails, fallocate offsets turn negative. Checked here, for
 * every file that includes this header.
 */
_Static_assert(sizeof(off_t) == 8, "off_t must be 64-bit: build with _FILE_OFFSET_BITS=64");

/*
 * Creates dir and its missing parents. Returns 0, or the errno of the step that failed with that
 * step's path in failed (len bytes) if failed is not NULL.
 */
int fs_make_dirs(const char *dir, char *failed, size_t len);

/* The same for the directory a file path lies in (nothing to do for a bare name). */
int fs_make_parent(const char *path);

/*
 * The size of the file at path in bytes (st_size: a 64-bit off_t on every ABI, so right past 2 and
 * 4 GiB on armhf too); 0 if it cannot be stat'ed.
 */
uint64_t fs_file_size(const char *path);

/* The directory path lies in: "." for a bare name, "/" for a name at the root. False if it does
 * not fit in len. */
bool fs_parent_dir(const char *path, char *out, size_t len);

/* Writes all len bytes at off (retrying short writes and EINTR). False with errno set (EIO for a
 * write that wrote nothing). */
bool fs_pwrite_full(int fd, const void *buf, size_t len, uint64_t off);

/* fsyncs the directory path lies in, so that a new, renamed or removed name in it is durable.
 * Returns 0 or -1 (errno). */
int fs_sync_parent(const char *path);

/* Renames from to to; with replace false, refuses an existing to (EEXIST) atomically. Returns 0
 * or -1 (errno). */
int fs_rename(const char *from, const char *to, bool replace);

/* The first line of a small file (sysfs, /proc) without its newline; false if unreadable. */
bool fs_read_line(const char *path, char *buf, size_t len);

/* Writes text to path in one write, truncating it first, as sysfs wants it (the shell's
 * `echo -n text > path`); 0 or an errno. */
int fs_write_text(const char *path, const char *text);

#endif
