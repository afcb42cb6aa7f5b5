/* cal_source.c - the calibration of a run: nominal by request, the EEPROM's, or nominal again. */
#include "settings/cal_source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

const char *cape_eeprom_default_path(void)
{
	const char *env = getenv("SHEPHERD_EEPROM");
	return env && *env ? env : CAPE_EEPROM_DEFAULT_PATH;
}

shp_err cape_eeprom_read_file(const char *path, uint8_t image[CAPE_EEPROM_IMAGE_SIZE], size_t *len,
			      char *why, size_t why_len)
{
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		snprintf(why, why_len, "%s", strerror(err));
		return err == ENOENT || err == ENODEV || err == ENXIO ? SHP_ERR_SYSFS
								      : SHP_ERR_INPUT;
	}
	/* the at24 file may hand out less than asked for at once: read on to the end */
	size_t got = 0;
	while (got < CAPE_EEPROM_IMAGE_SIZE) {
		ssize_t n = pread(fd, image + got, CAPE_EEPROM_IMAGE_SIZE - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, why_len, "read error: %s", strerror(errno));
			close(fd);
			return SHP_ERR_INPUT;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return SHP_OK;
}

shp_err cal_for_run(const char *eeprom_path, bool use_default, struct cal_cape *out,
		    struct cal_run_source *source)
{
	struct cal_run_source dummy;
	if (!source)
		source = &dummy;
	memset(source, 0, sizeof(*source));
	if (use_default) {
		cal_nominal(out);
		source->origin = CAL_NOMINAL_BY_TASK;
		log_info("calibration: the nominal values of cape v2.4c (use_cal_default)");
		return SHP_OK;
	}
	if (!eeprom_path)
		eeprom_path = cape_eeprom_default_path();
	uint8_t image[CAPE_EEPROM_IMAGE_SIZE];
	size_t len;
	char why[256];
	struct cape_eeprom parsed;
	shp_err e = cape_eeprom_read_file(eeprom_path, image, &len, why, sizeof(why));
	if (e == SHP_OK)
		e = cape_eeprom_parse(image, len, &parsed, why, sizeof(why));
	if (e != SHP_OK) {
		cal_nominal(out);
		source->origin = CAL_NOMINAL_FALLBACK;
		log_warn(
			"calibration: cannot use the cape EEPROM %s (%s): using the nominal values",
			eeprom_path, why);
		return SHP_OK;
	}
	*out = parsed.cal;
	source->origin = CAL_FROM_EEPROM;
	source->info = parsed.info;
	log_info(
		"calibration: from the cape EEPROM %s (serial number %s, version %s, calibrated %s)",
		eeprom_path, parsed.info.serial_number, parsed.info.version,
		parsed.info.cal_date[0] ? parsed.info.cal_date : "?");
	return SHP_OK;
}
