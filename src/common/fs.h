/* fs.h - small file-system helpers shared by the commands. */
#ifndef SHP_FS_H
#define SHP_FS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Creates dir and its missing parents. Returns 0, or the errno of the step that failed with that
 * step's path in failed (len bytes) if failed is not NULL.
 */
int fs_make_dirs(const char *dir, char *failed, size_t len);

/* The same for the directory a file path lies in (nothing to do for a bare name). */
int fs_make_parent(const char *path);

/* The first line of a small file (sysfs, /proc) without its newline; false if unreadable. */
bool fs_read_line(const char *path, char *buf, size_t len);

#endif
