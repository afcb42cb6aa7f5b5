/*
 * pru_firmware.c - swapping a PRU's firmware through sysfs as the predecessor does
 * (node-control.md 1.4): write the full name, settle, read it back; a driver that refuses
 * (-EBUSY and the like) gets the kernel module reloaded. The names and the two pick rules are
 * in pru_firmware_names.c, which the simulator shares.
 */
#include "node/pru_firmware.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/log.h"
#include "node/kmod.h"
#include "node/node_env.h"

#define FW_ATTEMPTS 6
#define FW_SETTLE_S 2.0 /* the predecessor's sleep between the write and the read-back */

static int fw_path(const char *sysfs_root, int pru, char *path, size_t len)
{
	return snprintf(path, len, "%s/pru%d_firmware", sysfs_root, pru) < (int)len ? 0
										    : ENAMETOOLONG;
}

/* Reads path into buf without trailing white space; 0 or an errno. */
static int read_name(const char *path, char *buf, unsigned len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno;
	ssize_t n = read(fd, buf, len - 1);
	int err = n < 0 ? errno : 0;
	close(fd);
	if (err)
		return err;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\r' ||
			 buf[n - 1] == '\t' || buf[n - 1] == '\0'))
		buf[--n] = '\0';
	return 0;
}

shp_err pru_fw_loaded(const char *sysfs_root, int pru, char *buf, unsigned len)
{
	char path[4096];
	if (len == 0)
		return SHP_ERR_SYSFS;
	buf[0] = '\0';
	int err = fw_path(sysfs_root, pru, path, sizeof(path));
	if (!err)
		err = read_name(path, buf, len);
	if (err) {
		log_error("cannot read %s: %s", path, strerror(err));
		return SHP_ERR_SYSFS;
	}
	return SHP_OK;
}

shp_err pru_fw_load(const char *sysfs_root, enum pru_fw fw)
{
	const char *name = pru_fw_name(fw);
	int pru = pru_fw_pru(fw);
	char path[4096];
	if (fw_path(sysfs_root, pru, path, sizeof(path)) != 0) {
		log_error("sysfs root path is too long: %s", sysfs_root);
		return SHP_ERR_SYSFS;
	}
	for (int attempt = 1; attempt <= FW_ATTEMPTS; attempt++) {
		log_debug("loading PRU%d firmware %s (attempt %d/%d)", pru, name, attempt,
			  FW_ATTEMPTS);
		char back[128] = "";
		int err = fs_write_text(path, name);
		if (!err) {
			SHP_TRY(node_settle(FW_SETTLE_S));
			err = read_name(path, back, sizeof(back));
		}
		if (err) {
			log_warn("%s: %s", path, strerror(err));
			log_warn("PRU-Driver is locked up (during pru-fw change) -> will restart "
				 "kernel-module");
			shp_err e = kmod_reload(sysfs_root);
			if (e == SHP_ERR_INTERRUPTED)
				return e;
			continue;
		}
		if (strcmp(back, name) == 0) {
			log_info("PRU%d runs firmware %s", pru, name);
			return SHP_OK;
		}
		log_error("Requested PRU-FW (%s) was not set (is '%s'), retry-count=%d", name, back,
			  attempt);
	}
	log_error("PRU-Driver still locked up (during pru-fw change) -> consider restarting node");
	return SHP_ERR_PRU;
}
