/* sim_env.c - ROOT/env: the environment that points the sheep at this simulator. */
#include "sim_env.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* path in single quotes for a POSIX shell (a quote inside becomes '\'') */
static void put_quoted(FILE *f, const char *name, const char *path)
{
	fprintf(f, "export %s='", name);
	for (const char *c = path; *c; c++) {
		if (*c == '\'')
			fputs("'\\''", f);
		else
			fputc(*c, f);
	}
	fputs("'\n", f);
}

/* sim-modprobe beside the running executable (/proc/self/exe). */
static void modprobe_path(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		snprintf(buf, len, "sim-modprobe"); /* from PATH, then */
		return;
	}
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(buf, len, "%s/sim-modprobe", exe);
}

int sim_env_write(const char *path, const struct sim_paths *paths)
{
	char modprobe[PATH_MAX + 16];
	modprobe_path(modprobe, sizeof(modprobe));
	if (access(modprobe, X_OK) != 0)
		fprintf(stderr,
			"shepherd-pru-sim: warning: %s is missing: the env file names it all the "
			"same\n",
			modprobe);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("# shepherd-pru-sim: point a shell and the sheep at this simulator (. THIS_FILE)\n",
	      f);
	put_quoted(f, "SHEPHERD_SYSFS_ROOT", paths->sysfs);
	put_quoted(f, "SHEPHERD_MEM_DEVICE", paths->mem);
	if (paths->eeprom)
		put_quoted(f, "SHEPHERD_EEPROM", paths->eeprom);
	put_quoted(f, "SHEPHERD_GPIO_ROOT", paths->gpio);
	put_quoted(f, "SHEPHERD_MODPROBE", modprobe);
	fputs("# the predecessor's settle sleeps, for hardware: the simulator settles at once\n"
	      "export SHEPHERD_SETTLE_SCALE=0.01\n"
	      "# no service manager is stood in for: systemctl does nothing (the time sync is\n"
	      "# left alone)\n"
	      "export SHEPHERD_SYSTEMCTL=/bin/true\n",
	      f);
	int err = ferror(f) ? EIO : 0;
	if (fclose(f) != 0 && !err)
		err = errno;
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}
