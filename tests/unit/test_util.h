/* test_util.h - small helpers shared by the unit tests: temporary directories and files. */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Creates a fresh temporary directory; the path lives in a static buffer per call site. */
static inline char *test_tmpdir(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/sheep-unit-XXXXXX");
	return mkdtemp(buf);
}

static inline void test_write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static inline void test_rm_rf(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

#endif
