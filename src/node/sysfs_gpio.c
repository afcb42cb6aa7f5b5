/* sysfs_gpio.c - export, direction and value of a pin in the sysfs GPIO tree. */
#include "node/sysfs_gpio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fs.h"

#define EXPORT_WAIT_STEPS 200 /* after an export, up to 2 s for gpioN/ to appear */
#define EXPORT_WAIT_STEP_NS 10000000L

const char *sysfs_gpio_root(void)
{
	const char *env = getenv("SHEPHERD_GPIO_ROOT");
	return env && *env ? env : SYSFS_GPIO_DEFAULT_ROOT;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

shp_err sysfs_gpio_set(const char *root, unsigned gpio, bool value, char *why, size_t why_len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/gpio%u/value", root, gpio);
	int err = fs_write_text(path, value ? "1" : "0");
	if (err) {
		snprintf(why, why_len, "cannot write %s: %s", path, strerror(err));
		return SHP_ERR_SYSFS;
	}
	return SHP_OK;
}

/* The directory of pin gpio, exported first if it is missing. */
static shp_err ensure_pin(const char *root, unsigned gpio, char *why, size_t why_len)
{
	char path[4096];
	if (!is_dir(root)) {
		snprintf(why, why_len, "no GPIO tree at %s", root);
		return SHP_ERR_SYSFS;
	}
	snprintf(path, sizeof(path), "%s/gpio%u", root, gpio);
	if (is_dir(path))
		return SHP_OK;
	char export_path[4096], number[16];
	snprintf(export_path, sizeof(export_path), "%s/export", root);
	snprintf(number, sizeof(number), "%u", gpio);
	int err = fs_write_text(export_path, number);
	/* the directory comes a little later (udev; the simulator's tree): wait for it a while */
	for (int i = 0; !err && !is_dir(path) && i < EXPORT_WAIT_STEPS; i++)
		nanosleep(&(struct timespec){0, EXPORT_WAIT_STEP_NS}, NULL);
	if (!is_dir(path)) {
		snprintf(why, why_len, "%s is missing and exporting it failed (%s)", path,
			 err ? strerror(err) : "no such pin appeared");
		return SHP_ERR_SYSFS;
	}
	return SHP_OK;
}

/* Writes text to the pin's attribute file (direction, edge). */
static shp_err write_attr(const char *root, unsigned gpio, const char *attr, const char *text,
			  char *why, size_t why_len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/gpio%u/%s", root, gpio, attr);
	int err = fs_write_text(path, text);
	if (err) {
		snprintf(why, why_len, "cannot write %s: %s", path, strerror(err));
		return SHP_ERR_SYSFS;
	}
	return SHP_OK;
}

shp_err sysfs_gpio_output(const char *root, unsigned gpio, bool value, char *why, size_t why_len)
{
	SHP_TRY(ensure_pin(root, gpio, why, why_len));
	SHP_TRY(write_attr(root, gpio, "direction", "out", why, why_len));
	return sysfs_gpio_set(root, gpio, value, why, why_len);
}

bool sysfs_gpio_is_output(const char *root, unsigned gpio)
{
	char path[4096], text[8] = "";
	snprintf(path, sizeof(path), "%s/gpio%u/direction", root, gpio);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	return strncmp(text, "out", 3) == 0 && (text[3] == '\0' || text[3] == '\n');
}

shp_err sysfs_gpio_input(const char *root, unsigned gpio, const char *edge, char *why,
			 size_t why_len)
{
	SHP_TRY(ensure_pin(root, gpio, why, why_len));
	SHP_TRY(write_attr(root, gpio, "direction", "in", why, why_len));
	if (edge)
		SHP_TRY(write_attr(root, gpio, "edge", edge, why, why_len));
	return SHP_OK;
}
