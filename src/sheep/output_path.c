/* output_path.c - naming rules for recordings and creation of their directory. */
#include "sheep/output_path.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/log.h"
#include "task/timefmt.h"

static shp_err make_dirs(const char *dir)
{
	char failed[4096];
	int err = fs_make_dirs(dir, failed, sizeof(failed));
	if (err) {
		log_error("cannot create output directory %s: %s", failed, strerror(err));
		return SHP_ERR_OUTPUT;
	}
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		log_error("output directory %s is not a directory", dir);
		return SHP_ERR_OUTPUT;
	}
	return SHP_OK;
}

static const char *suffix_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(path, '.');
	return (dot && (!slash || dot > slash)) ? dot : NULL;
}

/* A name is taken by a recording, or by the leftovers of one that a crash cut off and its
 * repair did not finish (NAME.incomplete, NAME.journal.N): those are kept. */
static bool taken_unfinished(const char *name)
{
	static const char *const leftovers[] = {".incomplete", ".journal.0", ".journal.1"};
	for (size_t k = 0; k < sizeof(leftovers) / sizeof(leftovers[0]); k++) {
		char path[4096 + 16];
		snprintf(path, sizeof(path), "%s%s", name, leftovers[k]);
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
}

static bool taken(const char *name)
{
	return access(name, F_OK) == 0 || taken_unfinished(name);
}

shp_err output_path_resolve(const char *requested, const char *prefix, int64_t start_s, bool force,
			    char *out, size_t len)
{
	struct stat st;
	size_t req_len = strlen(requested);
	if (req_len > 1 && requested[req_len - 1] == '/') /* a directory, to be created */
		SHP_TRY(make_dirs(requested));
	if (stat(requested, &st) == 0 && S_ISDIR(st.st_mode)) {
		char stamp[32];
		format_file_stamp(start_s, stamp, sizeof(stamp));
		size_t dir_len = req_len;
		while (dir_len > 1 && requested[dir_len - 1] == '/')
			dir_len--;
		if (snprintf(out, len, "%.*s/%s_%s.h5", (int)dir_len, requested, prefix, stamp) >=
		    (int)len)
			return SHP_ERR_OUTPUT;
	} else {
		const char *suffix = suffix_of(requested);
		if (!suffix ||
		    (strcasecmp(suffix, ".h5") != 0 && strcasecmp(suffix, ".hdf5") != 0)) {
			log_error("output_path %s must be a directory or end in .h5 or .hdf5",
				  requested);
			return SHP_ERR_OUTPUT;
		}
		if (snprintf(out, len, "%s", requested) >= (int)len)
			return SHP_ERR_OUTPUT;
	}

	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", out);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		SHP_TRY(make_dirs(dir));
	}

	if (force ? !taken_unfinished(out) : !taken(out))
		return SHP_OK;
	/* keep the existing recording: <stem>.<n><suffix>, first unused n */
	const char *suffix = suffix_of(out);
	size_t stem_len = (size_t)(suffix - out);
	char candidate[4096];
	for (unsigned n = 0; n < 100000; n++) {
		if (snprintf(candidate, sizeof(candidate), "%.*s.%u%s", (int)stem_len, out, n,
			     suffix) >= (int)sizeof(candidate))
			return SHP_ERR_OUTPUT;
		if (!taken(candidate)) {
			if (taken_unfinished(out))
				log_warn("%s has the journal of a recording whose repair did not "
					 "finish (see shepherd-sheep repair): recording to %s",
					 out, candidate);
			else
				log_warn("%s exists and force_overwrite is off: recording to %s",
					 out, candidate);
			if (snprintf(out, len, "%s", candidate) >= (int)len)
				return SHP_ERR_OUTPUT;
			return SHP_OK;
		}
	}
	log_error("no free file name next to %s", out);
	return SHP_ERR_OUTPUT;
}
