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

#define EXPORT_POLL_NS 5000000L /* 5 ms */
#define EXPORT_WAIT_POLLS 400   /* 2 s */

const char *sysfs_gpio_root(void)
{
	const char *env = getenv("SHEPHERD_GPIO_ROOT");
	return env && *env ? env : SYSFS_GPIO_DEFAULT_ROOT;
}

/* Writes text to path (one write, as sysfs wants it); 0 or an errno. */
static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC); /* as the shell's echo > */
	if (fd < 0)
		return errno;
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	int err = n < 0 ? errno : (size_t)n != len ? EIO : 0;
	if (close(fd) != 0 && !err)
		err = errno;
	return err;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* An export returns before udev (or the simulator) has made gpioN/ on some systems: as the
 * predecessor's GPIO library, wait a while for it. */
static void wait_for_dir(const char *path)
{
	for (int k = 0; k < EXPORT_WAIT_POLLS && !is_dir(path); k++) {
		struct timespec ts = {.tv_sec = 0, .tv_nsec = EXPORT_POLL_NS};
		nanosleep(&ts, NULL);
	}
}

shp_err sysfs_gpio_set(const char *root, unsigned gpio, bool value, char *why, size_t why_len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/gpio%u/value", root, gpio);
	int err = write_text(path, value ? "1" : "0");
	if (err) {
		snprintf(why, why_len, "cannot write %s: %s", path, strerror(err));
		return SHP_ERR_SYSFS;
	}
	return SHP_OK;
}

shp_err sysfs_gpio_output(const char *root, unsigned gpio, bool value, char *why, size_t why_len)
{
	char path[4096];
	if (!is_dir(root)) {
		snprintf(why, why_len, "no GPIO tree at %s", root);
		return SHP_ERR_SYSFS;
	}
	snprintf(path, sizeof(path), "%s/gpio%u", root, gpio);
	if (!is_dir(path)) {
		char export_path[4096], number[16];
		snprintf(export_path, sizeof(export_path), "%s/export", root);
		snprintf(number, sizeof(number), "%u", gpio);
		int err = write_text(export_path, number);
		if (!err)
			wait_for_dir(path);
		if (!is_dir(path)) {
			snprintf(why, why_len, "%s is missing and exporting it failed (%s)", path,
				 err ? strerror(err) : "no such pin appeared");
			return SHP_ERR_SYSFS;
		}
	}
	snprintf(path, sizeof(path), "%s/gpio%u/direction", root, gpio);
	int err = write_text(path, "out");
	if (err) {
		snprintf(why, why_len, "cannot write %s: %s", path, strerror(err));
		return SHP_ERR_SYSFS;
	}
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
