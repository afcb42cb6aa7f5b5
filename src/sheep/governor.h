/*
 * governor.h - the CPU frequency governor during a run (`run --cpu-governor NAME`).
 *
 * The predecessor's notes show `performance` buys the BeagleBone about 60 % CPU headroom. The
 * governor of every CPU is set at the start and the previous one put back at the end. A machine
 * without cpufreq, or without that governor, gets a warning and runs unchanged.
 */
#ifndef SHP_GOVERNOR_H
#define SHP_GOVERNOR_H

#define SHP_GOVERNOR_MAX_CPUS 64
#define SHP_CPU_SYSFS_DEFAULT "/sys/devices/system/cpu"

struct governor_saved {
	int n;
	char path[SHP_GOVERNOR_MAX_CPUS][160];
	char old[SHP_GOVERNOR_MAX_CPUS][32];
};

/* Sets name on all CPUs under cpu_root (the sysfs cpu directory); saved keeps what was there. */
void governor_set(const char *cpu_root, const char *name, struct governor_saved *saved);

/* Puts the saved governors back. */
void governor_restore(struct governor_saved *saved);

#endif
