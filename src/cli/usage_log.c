/* usage_log.c - the invocation log: append a row, show the last one. */
#include "cli/usage_log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/fs.h"
#include "common/log.h"
#include "task/timefmt.h"

static void put_csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
	fputc('"', f);
}

void usage_log_append(const char *path, uint64_t start_ns, uint64_t stop_ns, int argc, char **argv)
{
	fs_make_parent(path);
	FILE *f = fopen(path, "a");
	if (!f) {
		log_debug("usage log %s not written: %s", path, strerror(errno));
		return;
	}
	/* st_size, not ftell: a long cannot say where a log past 2 GiB ends on armhf */
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && st.st_size == 0)
		fprintf(f, "%s\n", SHP_USAGE_LOG_HEADER);
	char a[48], b[48];
	format_iso_local((int64_t)(start_ns / 1000000000ull), a, sizeof(a));
	format_iso_local((int64_t)(stop_ns / 1000000000ull), b, sizeof(b));
	fprintf(f, "%s, %s, %.3f, ", a, b, (double)(stop_ns - start_ns) / 1e9);
	char cmd[4096] = "";
	size_t used = 0;
	for (int k = 0; k < argc && used < sizeof(cmd); k++)
		used += (size_t)snprintf(cmd + used, sizeof(cmd) - used, "%s%s", k ? " " : "",
					 argv[k]);
	put_csv_field(f, cmd);
	fputc('\n', f);
	if (fclose(f) != 0)
		log_debug("usage log %s not written: %s", path, strerror(errno));
}

shp_err usage_log_print_last(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		log_error("no usage log at %s: %s", path, strerror(errno));
		return SHP_ERR_CONFIG;
	}
	char line[8192], last[8192] = "";
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, SHP_USAGE_LOG_HEADER, strlen(SHP_USAGE_LOG_HEADER)) != 0 &&
		    line[0] != '\n')
			snprintf(last, sizeof(last), "%s", line);
	fclose(f);
	if (!last[0]) {
		log_error("the usage log %s has no entries yet", path);
		return SHP_ERR_CONFIG;
	}
	fputs(SHP_USAGE_LOG_HEADER "\n", stdout);
	fputs(last, stdout);
	if (last[strlen(last) - 1] != '\n')
		fputc('\n', stdout);
	return SHP_OK;
}
