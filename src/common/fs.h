/* fs.h - small file-system helpers shared by the commands. */
#ifndef SHP_FS_H
#define SHP_FS_H

#include <stddef.h>

/*
 * Creates dir and its missing parents. Returns 0, or the errno of the step that failed with that
 * step's path in failed (len bytes) if failed is not NULL.
 */
int fs_make_dirs(const char *dir, char *failed, size_t len);

/* The same for the directory a file path lies in (nothing to do for a bare name). */
int fs_make_parent(const char *path);

#endif
