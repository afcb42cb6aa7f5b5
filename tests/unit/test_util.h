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

/* A task dump indented under a wrapper, to parse it again; NULL if out of memory. Free it. */
static inline char *test_rewrap(const char *wrapper, const char *dump)
{
	size_t wrapper_len = strlen(wrapper), dump_len = strlen(dump);
	size_t lines = 1; /* at most one more than there are newlines */
	for (const char *p = dump; *p; p++)
		lines += *p == '\n';
	char *wrapped = malloc(wrapper_len + dump_len + 2 * lines + 1);
	if (!wrapped)
		return NULL;
	memcpy(wrapped, wrapper, wrapper_len);
	char *out = wrapped + wrapper_len;
	for (const char *line = dump; *line;) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line + 1) : strlen(line);
		memcpy(out, "  ", 2);
		memcpy(out + 2, line, n);
		out += 2 + n;
		line += n;
	}
	*out = '\0';
	return wrapped;
}

#endif
