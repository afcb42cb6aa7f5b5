/*
 * Unit tests of cal_source.c: the calibration a run uses. use_cal_default and every unusable
 * EEPROM (missing, short, erased, no serial number) give the nominal values, the latter with
 * exactly one warning naming the path and the reason; a good EEPROM gives its values and an
 * info line with the serial number. The default path honours SHEPHERD_EEPROM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "settings/cal_source.h"
#include "settings/calibration.h"
#include "settings/cape_eeprom.h"
#include "test_util.h"

static int warnings, infos;
static char last_warning[1024], last_info[1024];

static void capture(void *ctx, uint64_t t, int level, const char *msg)
{
	(void)ctx;
	(void)t;
	if (level == SHP_LOG_WARNING) {
		warnings++;
		snprintf(last_warning, sizeof(last_warning), "%s", msg);
	} else if (level == SHP_LOG_INFO) {
		infos++;
		snprintf(last_info, sizeof(last_info), "%s", msg);
	}
}

static char dir[64];

static int setup(void **state)
{
	(void)state;
	warnings = infos = 0;
	last_warning[0] = last_info[0] = '\0';
	shp_log_set_sink(capture, NULL, SHP_LOG_DEBUG);
	return test_tmpdir(dir, sizeof(dir)) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	test_rm_rf(dir);
	return 0;
}

static void write_image(const char *path, const uint8_t *image, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(image, 1, len, f), len);
	fclose(f);
}

static void good_image(uint8_t image[CAPE_EEPROM_IMAGE_SIZE], const char *serial)
{
	struct cape_eeprom ee;
	cape_info_defaults(&ee.info);
	snprintf(ee.info.serial_number, sizeof(ee.info.serial_number), "%s", serial);
	cal_nominal(&ee.cal);
	ee.cal.emulator.dac_V_A =
		(struct shp_cal_pair){7.62628031430141e-05, 0.0007950027045164898};
	assert_int_equal(cape_eeprom_build(&ee, image), SHP_OK);
}

static void assert_nominal(const struct cal_cape *cal)
{
	struct cal_cape nominal;
	cal_nominal(&nominal);
	assert_memory_equal(cal, &nominal, sizeof(nominal));
}

static void use_default_gives_nominal(void **state)
{
	(void)state;
	struct cal_cape cal;
	struct cal_run_source src;
	assert_int_equal(cal_for_run("/nonexistent/eeprom", true, &cal, &src), SHP_OK);
	assert_nominal(&cal);
	assert_int_equal(src.origin, CAL_NOMINAL_BY_TASK);
	assert_int_equal(warnings, 0);
	assert_int_equal(infos, 1);
	assert_non_null(strstr(last_info, "use_cal_default"));
}

static void the_eeprom_s_calibration(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/eeprom", dir);
	uint8_t image[CAPE_EEPROM_IMAGE_SIZE];
	good_image(image, "cape42");
	write_image(path, image, sizeof(image));
	struct cal_cape cal;
	struct cal_run_source src;
	assert_int_equal(cal_for_run(path, false, &cal, &src), SHP_OK);
	assert_int_equal(src.origin, CAL_FROM_EEPROM);
	assert_string_equal(src.info.serial_number, "cape42");
	assert_true(cal.emulator.dac_V_A.gain == 7.62628031430141e-05);
	assert_int_equal(warnings, 0);
	assert_int_equal(infos, 1);
	assert_non_null(strstr(last_info, "cape42"));
	assert_non_null(strstr(last_info, path));

	/* a larger chip (the at24 file is the whole chip): the first 640 bytes count */
	uint8_t big[4096];
	memset(big, 0xFF, sizeof(big));
	memcpy(big, image, sizeof(image));
	write_image(path, big, sizeof(big));
	assert_int_equal(cal_for_run(path, false, &cal, NULL), SHP_OK);
	assert_true(cal.emulator.dac_V_A.gain == 7.62628031430141e-05);
}

/* Each unusable EEPROM: nominal values, one warning with the path and reason. */
static void expect_fallback(const char *path, const char *reason)
{
	warnings = infos = 0;
	struct cal_cape cal;
	memset(&cal, 0x33, sizeof(cal));
	struct cal_run_source src;
	assert_int_equal(cal_for_run(path, false, &cal, &src), SHP_OK);
	assert_nominal(&cal);
	assert_int_equal(src.origin, CAL_NOMINAL_FALLBACK);
	assert_int_equal(warnings, 1);
	assert_int_equal(infos, 0);
	if (!strstr(last_warning, path) || !strstr(last_warning, reason))
		fail_msg("'%s' and '%s' expected in: %s", path, reason, last_warning);
}

static void unusable_eeproms_fall_back_with_one_warning(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/eeprom", dir);
	expect_fallback(path, "No such file");

	uint8_t image[CAPE_EEPROM_IMAGE_SIZE];
	good_image(image, "cape42");
	write_image(path, image, 600);
	expect_fallback(path, "600 bytes");

	memset(image, 0xFF, sizeof(image));
	write_image(path, image, sizeof(image));
	expect_fallback(path, "erased");

	good_image(image, "");
	write_image(path, image, sizeof(image));
	expect_fallback(path, "serial_number");

	good_image(image, "cape42");
	memset(image + CAPE_EEPROM_CAL_OFFSET + 48, 0, 8); /* adc_C_Hrv gain 0 */
	write_image(path, image, sizeof(image));
	expect_fallback(path, "harvester.adc_C_Hrv");

	expect_fallback(dir, ""); /* a directory: read error */
}

static void default_path_honours_the_environment(void **state)
{
	(void)state;
	unsetenv("SHEPHERD_EEPROM");
	assert_string_equal(cape_eeprom_default_path(), "/sys/bus/i2c/devices/2-0054/eeprom");
	setenv("SHEPHERD_EEPROM", "", 1);
	assert_string_equal(cape_eeprom_default_path(), "/sys/bus/i2c/devices/2-0054/eeprom");
	char path[128];
	snprintf(path, sizeof(path), "%s/eeprom", dir);
	setenv("SHEPHERD_EEPROM", path, 1);
	assert_string_equal(cape_eeprom_default_path(), path);
	uint8_t image[CAPE_EEPROM_IMAGE_SIZE];
	good_image(image, "env1");
	write_image(path, image, sizeof(image));
	struct cal_cape cal;
	struct cal_run_source src;
	assert_int_equal(cal_for_run(NULL, false, &cal, &src), SHP_OK);
	assert_int_equal(src.origin, CAL_FROM_EEPROM);
	assert_string_equal(src.info.serial_number, "env1");
	unsetenv("SHEPHERD_EEPROM");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(use_default_gives_nominal, setup, teardown),
		cmocka_unit_test_setup_teardown(the_eeprom_s_calibration, setup, teardown),
		cmocka_unit_test_setup_teardown(unusable_eeproms_fall_back_with_one_warning, setup,
						teardown),
		cmocka_unit_test_setup_teardown(default_path_honours_the_environment, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
