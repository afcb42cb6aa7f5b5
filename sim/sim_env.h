/*
 * sim_env.h - what points a shell and the sheep at a running simulator: ROOT/env, a file of
 * `export` lines (`. ROOT/env`), and the --help text.
 */
#ifndef SIM_ENV_H
#define SIM_ENV_H

#include <stdio.h>

/* Where the simulator's files are. eeprom: NULL when there is none (--eeprom none). */
struct sim_paths {
	const char *sysfs, *mem, *eeprom, *gpio;
};

/*
 * Writes path: exports of SHEPHERD_SYSFS_ROOT, SHEPHERD_MEM_DEVICE, SHEPHERD_EEPROM (if any),
 * SHEPHERD_GPIO_ROOT, SHEPHERD_MODPROBE (sim-modprobe next to this executable),
 * SHEPHERD_SETTLE_SCALE=0.01 and SHEPHERD_SYSTEMCTL=/bin/true. -1 on error (errno set).
 */
int sim_env_write(const char *path, const struct sim_paths *paths);

/* The --help text. */
void sim_usage(FILE *out);

#endif
