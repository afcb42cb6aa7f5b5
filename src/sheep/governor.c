/* governor.c - set and restore scaling_governor through cpufreq sysfs. */
#include "sheep/governor.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/fs.h"
#include "common/log.h"

/* The first word of a one-line sysfs file. */
static bool read_word(const char *path, char *buf, size_t len)
{
	if (!fs_read_line(path, buf, len))
		return false;
	buf[strcspn(buf, " ")] = '\0';
	return true;
}

static bool write_word(const char *path, const char *word)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	bool ok = fputs(word, f) >= 0;
	return fclose(f) == 0 && ok;
}

static bool offered(const char *cpu_root, const char *name)
{
	char path[256], list[512];
	snprintf(path, sizeof(path), "%s/cpu0/cpufreq/scaling_available_governors", cpu_root);
	if (!fs_read_line(path, list, sizeof(list)))
		return true; /* not listed: let the write decide */
	for (char *save = NULL, *t = strtok_r(list, " \n", &save); t;
	     t = strtok_r(NULL, " \n", &save))
		if (strcmp(t, name) == 0)
			return true;
	return false;
}

void governor_set(const char *cpu_root, const char *name, struct governor_saved *saved)
{
	saved->n = 0;
	if (!offered(cpu_root, name)) {
		log_warn("CPU governor '%s' is not offered by this kernel: governor unchanged",
			 name);
		return;
	}
	for (int cpu = 0; cpu < SHP_GOVERNOR_MAX_CPUS; cpu++) {
		char *path = saved->path[saved->n];
		snprintf(path, sizeof(saved->path[0]), "%s/cpu%d/cpufreq/scaling_governor",
			 cpu_root, cpu);
		char *old = saved->old[saved->n];
		if (!read_word(path, old, sizeof(saved->old[0])))
			break;
		char now[32];
		if (!write_word(path, name) || !read_word(path, now, sizeof(now)) ||
		    strcmp(now, name) != 0) {
			log_warn("cannot set CPU governor of cpu%d to '%s': %s", cpu, name,
				 strerror(errno));
			continue;
		}
		log_info("cpu%d: governor %s (was %s)", cpu, name, old);
		saved->n++;
	}
	if (saved->n == 0)
		log_warn("CPU frequency scaling (cpufreq) is not available here: governor "
			 "unchanged");
}

void governor_restore(struct governor_saved *saved)
{
	for (int k = 0; k < saved->n; k++)
		if (!write_word(saved->path[k], saved->old[k]))
			log_warn("cannot restore the CPU governor %s in %s", saved->old[k],
				 saved->path[k]);
	saved->n = 0;
}
