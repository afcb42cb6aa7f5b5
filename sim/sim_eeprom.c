/* sim_eeprom.c - the images behind shepherd-pru-sim --eeprom. */
#include "sim_eeprom.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "settings/cal_file.h"

/* The test cape file (tests/fixtures/upstream_configs/test_cal_data.yaml), as its doubles. */
static void sample_calibration(struct cal_cape *cal)
{
	cal->emulator.adc_C_A =
		(struct shp_cal_pair){2.2306053900482405e-07, -0.0026222400965270985};
	cal->emulator.adc_C_B =
		(struct shp_cal_pair){2.2306053900482405e-07, -0.0026222400965270985};
	cal->emulator.dac_V_A = (struct shp_cal_pair){7.62628031430141e-05, 0.0007950027045164898};
	cal->emulator.dac_V_B = (struct shp_cal_pair){7.63173766566708e-05, -0.0010936558576905009};
	cal->harvester.adc_C_Hrv =
		(struct shp_cal_pair){2.228708065317991e-07, -0.0026241147072037603};
	cal->harvester.adc_V_Sense =
		(struct shp_cal_pair){1.952036492090002e-05, 7.75784958272352e-05};
	cal->harvester.dac_V_Sim =
		(struct shp_cal_pair){7.630261527071238e-05, 0.0004594023208512876};
	cal->harvester.dac_V_Hrv =
		(struct shp_cal_pair){7.62877291921811e-05, 0.000281481899873981};
}

static bool build(struct sim_eeprom *out, const struct cape_eeprom *ee, const char *arg)
{
	out->present = true;
	if (cape_eeprom_build(ee, out->image) != SHP_OK) {
		fprintf(stderr, "shepherd-pru-sim: --eeprom %s: the cape info does not fit\n", arg);
		return false;
	}
	return true;
}

bool sim_eeprom_parse(const char *arg, struct sim_eeprom *out)
{
	memset(out, 0, sizeof(*out));
	struct cape_eeprom ee;
	cape_info_defaults(&ee.info);
	snprintf(ee.info.serial_number, sizeof(ee.info.serial_number), SIM_EEPROM_SERIAL);
	if (strcmp(arg, "none") == 0)
		return true;
	if (strcmp(arg, "erased") == 0) {
		out->present = true;
		memset(out->image, 0xFF, sizeof(out->image));
		return true;
	}
	if (strcmp(arg, "nominal") == 0) {
		cal_nominal(&ee.cal);
		return build(out, &ee, arg);
	}
	if (strcmp(arg, "sample") == 0) {
		sample_calibration(&ee.cal);
		snprintf(ee.info.serial_number, sizeof(ee.info.serial_number), "xyz1");
		return build(out, &ee, arg);
	}
	struct cal_file cf;
	if (cal_file_load(arg, &cf) != SHP_OK) {
		fprintf(stderr,
			"shepherd-pru-sim: --eeprom takes nominal, sample, erased, none or a CalibrationCape YAML file, not '%s'\n",
			arg);
		return false;
	}
	ee.cal = cf.cal;
	if (cf.has_cape)
		ee.info = cf.info;
	return build(out, &ee, arg);
}

int sim_eeprom_create(const struct sim_eeprom *ee, const char *path)
{
	if (!ee->present) {
		unlink(path); /* one left by a simulator that was killed */
		return 0;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, ee->image, sizeof(ee->image));
	int err = n < 0 ? errno : 0;
	if (close(fd) != 0 && !err)
		err = errno;
	if (n >= 0 && (size_t)n != sizeof(ee->image))
		err = EIO;
	errno = err;
	return err ? -1 : 0;
}
