/* cmd_repair.c - `shepherd-sheep repair PATH...`: recordings back to their last commit. */
#include "cli/cmd_repair.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/fs.h"
#include "common/log.h"
#include "h5/h5_common.h"
#include "h5/h5_repair.h"
#include "h5/journal.h"
#include "task/timefmt.h"

static void report(const char *name, const struct repair_result *r)
{
	switch (r->outcome) {
	case REPAIR_HEALTHY:
		log_debug("%s: complete, nothing to repair", name);
		break;
	case REPAIR_TIDIED:
		log_info("%s: complete; removed the journal of its finished close", name);
		break;
	case REPAIR_REMOVED:
		log_warn("%s: removed: the recording never reached its first commit", name);
		break;
	case REPAIR_BUSY:
		log_info("%s: being recorded by a running sheep: left alone", name);
		break;
	case REPAIR_ROLLED: {
		char iso[48];
		format_iso_local((int64_t)(r->commit_wall_ns / 1000000000u), iso, sizeof(iso));
		log_warn("%s: repaired: rolled forward to its commit %llu of %s (%llu samples, "
			 "%.2f s; %llu GPIO events; %llu rows of partial chunks appended)",
			 name, (unsigned long long)r->generation, iso,
			 (unsigned long long)r->samples, (double)r->samples / 1e5,
			 (unsigned long long)r->gpio_events, (unsigned long long)r->tail_rows);
		break;
	}
	}
}

static shp_err repair_one(const char *path, unsigned *repaired)
{
	char name[4096];
	h5_repair_name(path, name, sizeof(name));
	struct repair_result r;
	shp_err e = h5_repair(name, &r);
	if (e != SHP_OK) {
		log_error("%s: the repair failed; its journal stays for another attempt", name);
		return e;
	}
	report(name, &r);
	if (r.outcome != REPAIR_HEALTHY && r.outcome != REPAIR_BUSY)
		(*repaired)++;
	return SHP_OK;
}

/* Every unfinished recording in dir (not recursive). */
static shp_err repair_dir(const char *dir, unsigned *repaired)
{
	DIR *d = opendir(dir);
	if (!d) {
		log_error("%s: cannot read the directory", dir);
		return SHP_ERR_OUTPUT;
	}
	shp_err result = SHP_OK;
	char last[4096] = "";
	struct dirent *ent;
	while ((ent = readdir(d)) != NULL) {
		if (!h5_repair_is_leftover(ent->d_name))
			continue;
		char path[4096], name[4096];
		if (snprintf(path, sizeof(path), "%s/%s", dir, ent->d_name) >= (int)sizeof(path))
			continue;
		h5_repair_name(path, name, sizeof(name));
		if (strcmp(name, last) == 0)
			continue; /* .journal.0 and .journal.1 of the same recording */
		snprintf(last, sizeof(last), "%s", name);
		shp_err e = repair_one(path, repaired);
		if (result == SHP_OK)
			result = e;
	}
	closedir(d);
	return result;
}

/* Neither the recording named by path nor any leftover of it exists: a wrong argument. */
static bool nothing_there(const char *path)
{
	static const char *const suffixes[] = {"", ".incomplete", ".journal.0", ".journal.1"};
	char name[4096], probe[4096 + 16];
	struct stat st;
	h5_repair_name(path, name, sizeof(name));
	for (size_t k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++) {
		snprintf(probe, sizeof(probe), "%s%s", name, suffixes[k]);
		if (lstat(probe, &st) == 0)
			return false;
	}
	return true;
}

shp_err repair_paths(int n, char *const *paths, unsigned *repaired)
{
	shp_err result = SHP_OK;
	for (int k = 0; k < n; k++) {
		struct stat st;
		bool dir = stat(paths[k], &st) == 0 && S_ISDIR(st.st_mode);
		if (!dir && nothing_there(paths[k])) {
			log_error("%s: no such recording or directory", paths[k]);
			if (result == SHP_OK)
				result = SHP_ERR_OUTPUT;
			continue;
		}
		shp_err e = dir ? repair_dir(paths[k], repaired) : repair_one(paths[k], repaired);
		if (result == SHP_OK)
			result = e;
	}
	return result;
}

void repair_output_dir(const char *output_path)
{
	char dir[4096];
	struct stat st;
	if (stat(output_path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(dir, sizeof(dir), "%s", output_path);
	} else if (!fs_parent_dir(output_path, dir, sizeof(dir)) || stat(dir, &st) != 0 ||
		   !S_ISDIR(st.st_mode)) {
		return; /* made by the run */
	}
	unsigned repaired = 0;
	char *paths[1] = {dir};
	if (repair_paths(1, paths, &repaired) != SHP_OK)
		log_warn("%s: a recording there could not be repaired (see above)", dir);
}

void repair_after_run(const char *recording)
{
	char slot[4096 + 16];
	struct stat st;
	if (!recording[0] || !journal_path(slot, sizeof(slot), recording, 0) ||
	    stat(slot, &st) != 0)
		return; /* closed cleanly */
	unsigned repaired = 0;
	char *paths[1] = {(char *)recording};
	repair_paths(1, paths, &repaired);
}

shp_err cmd_repair(int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		fputs("Usage: shepherd-sheep repair PATH...\n\n"
		      "Brings recordings that were not closed cleanly (a power cut, a kill) to their "
		      "last commit:\n"
		      "applies the newest complete journal slot (NAME.journal.0/1), appends the rows "
		      "of partial\n"
		      "chunks it holds, and gives NAME.incomplete its name. PATH is a recording or a "
		      "directory\n"
		      "(every unfinished recording in it). Harmless on complete files; a recording "
		      "being written\n"
		      "is left alone. The sheep runs this on the output directory before every run.\n",
		      c == 'h' ? stdout : stderr);
		return c == 'h' ? SHP_OK : SHP_ERR_USAGE;
	}
	if (optind >= argc) {
		fputs("shepherd-sheep repair: needs a recording or directory (try --help)\n",
		      stderr);
		return SHP_ERR_USAGE;
	}
	SHP_TRY(shp_h5_init()); /* the LZF filter, for the tails' chunks */
	unsigned repaired = 0;
	shp_err e = repair_paths(argc - optind, argv + optind, &repaired);
	if (e == SHP_OK && repaired == 0)
		log_info("nothing to repair");
	return e;
}
