/*
 * Unit tests of cape_eeprom.c: the image's layout (pru-settings.md 9: cape info offsets, the
 * nominal calibration block's bytes), parse/build round trips, what is implausible (erased chip,
 * empty serial number, gain <= 0, bad UTF-8, short images), and over-long strings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "settings/calibration.h"
#include "settings/cape_eeprom.h"
#include "test_check.h"

/* The nominal calibration block of pru-settings.md 9 [calc], harvester then emulator. */
static const char nominal_block_hex[] = "3f14001400140014"
					"8000000000000000"
					"3f14001400140014"
					"8000000000000000"
					"3ef47ae147ae147b"
					"8000000000000000"
					"3e8b4e81b4e81b4f"
					"8000000000000000"
					"3f14001400140014"
					"8000000000000000"
					"3f14001400140014"
					"8000000000000000"
					"3e8b4e81b4e81b4f"
					"8000000000000000"
					"3e8b4e81b4e81b4f"
					"8000000000000000";

static void from_hex(const char *hex, uint8_t *out, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * k, "%2x", &v), 1);
		out[k] = (uint8_t)v;
	}
}

static void nominal_cape(struct cape_eeprom *ee)
{
	cape_info_defaults(&ee->info);
	snprintf(ee->info.serial_number, sizeof(ee->info.serial_number), "sim0001");
	cal_nominal(&ee->cal);
}

static void nominal_block_is_the_spec_bytes(void **state)
{
	(void)state;
	uint8_t want[CAPE_EEPROM_CAL_SIZE];
	from_hex(nominal_block_hex, want, sizeof(want));
	struct cape_eeprom ee;
	nominal_cape(&ee);
	uint8_t image[CAPE_EEPROM_IMAGE_SIZE];
	assert_int_equal(cape_eeprom_build(&ee, image), SHP_OK);
	assert_memory_equal(image + 512, want, sizeof(want));
	/* the same block from the spec's bytes reads back as the nominal doubles */
	memcpy(image + 512, want, sizeof(want));
	struct cape_eeprom back;
	char why[256];
	assert_int_equal(cape_eeprom_parse(image, sizeof(image), &back, why, sizeof(why)), SHP_OK);
	assert_same_double(back.cal.emulator.adc_C_A.gain, 2.0345052083333335e-07);
	assert_same_double(back.cal.harvester.adc_V_Sense.gain, 1.953125e-05);
	assert_same_double(back.cal.emulator.dac_V_B.gain, 7.629510948348211e-05);
	assert_true(signbit(back.cal.harvester.dac_V_Hrv.offset));
}

static void cape_info_at_its_offsets(void **state)
{
	(void)state;
	struct cape_eeprom ee;
	nominal_cape(&ee);
	snprintf(ee.info.cal_date, sizeof(ee.info.cal_date), "2024-05-17");
	uint8_t image[CAPE_EEPROM_IMAGE_SIZE];
	assert_int_equal(cape_eeprom_build(&ee, image), SHP_OK);
	static const uint8_t header[] = {0xAA, 0x55, 0x33, 0xEE};
	assert_memory_equal(image, header, 4);
	assert_memory_equal(image + 4, "A2", 2); /* fills its field: no NUL */
	assert_memory_equal(image + 6, "BeagleBone SHEPHERD2 Cape", 26);
	assert_memory_equal(image + 38, "24B0", 4);
	assert_memory_equal(image + 42, "NES TU DRESDEN", 15);
	assert_memory_equal(image + 58, "BB-SHPRD", 9);
	assert_memory_equal(image + 76, "sim0001", 8);
	assert_memory_equal(image + 88, "2024-05-17", 11);
	/* one NUL, then the erased bytes stay; 74..75 and 100..511 are not written */
	assert_int_equal(image[6 + 26], 0xFF);
	assert_int_equal(image[74], 0xFF);
	assert_int_equal(image[75], 0xFF);
	for (size_t k = 100; k < 512; k++)
		assert_int_equal(image[k], 0xFF);
}

static void one_nul_and_the_rest_of_a_field_untouched(void **state)
{
	(void)state;
	uint8_t image[CAPE_EEPROM_IMAGE_SIZE];
	memset(image, 0x5A, sizeof(image));
	struct cape_info info;
	cape_info_defaults(&info);
	snprintf(info.serial_number, sizeof(info.serial_number), "ab");
	assert_int_equal(cape_info_build(&info, image), SHP_OK);
	assert_memory_equal(image + 76, "ab", 3);
	for (size_t k = 79; k < 88; k++)
		assert_int_equal(image[k], 0x5A);
	struct cape_info back;
	char why[256];
	assert_int_equal(cape_info_parse(image, sizeof(image), &back, why, sizeof(why)), SHP_OK);
	assert_string_equal(back.serial_number, "ab");
	assert_string_equal(back.board_name, "BeagleBone SHEPHERD2 Cape");
}

static void round_trip(void **state)
{
	(void)state;
	struct cape_eeprom ee;
	cape_info_defaults(&ee.info);
	snprintf(ee.info.serial_number, sizeof(ee.info.serial_number), "123456789012");
	snprintf(ee.info.version, sizeof(ee.info.version), "25A1");
	snprintf(ee.info.board_name, sizeof(ee.info.board_name), "Kap\xc3\xa9 \xe2\x82\xac");
	const double values[16] = {7.62877291921811e-05,
				   0.000281481899873981,
				   5e-324,
				   -1e300,
				   1e-5,
				   -0.0,
				   1.0,
				   0.0,
				   0.1,
				   -0.1,
				   1e308,
				   3.0,
				   2e-7,
				   -2e-7,
				   4.9e-5,
				   1.0 / 3.0};
	for (int k = 0; k < CAL_PAIR_COUNT; k++)
		*cal_pair_at(&ee.cal, k) = (struct shp_cal_pair){values[2 * k], values[2 * k + 1]};
	uint8_t image[CAPE_EEPROM_IMAGE_SIZE];
	assert_int_equal(cape_eeprom_build(&ee, image), SHP_OK);
	/* big endian: the first gain's sign/exponent byte first */
	uint64_t bits;
	memcpy(&bits, &values[0], 8);
	assert_int_equal(image[512], (uint8_t)(bits >> 56));
	assert_int_equal(image[519], (uint8_t)bits);

	struct cape_eeprom back;
	char why[256];
	assert_int_equal(cape_eeprom_parse(image, sizeof(image), &back, why, sizeof(why)), SHP_OK);
	for (const struct cape_field *f = cape_fields; f->name; f++)
		assert_string_equal(cape_info_field(&back.info, f), cape_info_field(&ee.info, f));
	assert_string_equal(back.info.board_name, "Kap\xc3\xa9 \xe2\x82\xac");
	for (int k = 0; k < CAL_PAIR_COUNT; k++) {
		assert_same_double(cal_pair_at(&back.cal, k)->gain, values[2 * k]);
		assert_same_double(cal_pair_at(&back.cal, k)->offset, values[2 * k + 1]);
	}
	/* the serial number fills its 12 bytes: no NUL, read to the field's end */
	assert_memory_equal(image + 76, "123456789012", 12);
	assert_memory_equal(image + 88, ee.info.cal_date, strlen(ee.info.cal_date));
}

static void erased_image_is_implausible(void **state)
{
	(void)state;
	uint8_t image[CAPE_EEPROM_IMAGE_SIZE];
	memset(image, 0xFF, sizeof(image));
	struct cape_eeprom ee;
	char why[256] = "";
	assert_int_equal(cape_eeprom_parse(image, sizeof(image), &ee, why, sizeof(why)),
			 SHP_ERR_INPUT);
	assert_non_null(strstr(why, "erased"));
	/* erased cape info with something in the block: 0xFF is no UTF-8 */
	image[600] = 0;
	assert_int_equal(cape_eeprom_parse(image, sizeof(image), &ee, why, sizeof(why)),
			 SHP_ERR_INPUT);
	assert_non_null(strstr(why, "eeprom_revision"));
	assert_non_null(strstr(why, "UTF-8"));
	memset(image, 0xFF, sizeof(image));

	/* a valid cape info over an erased calibration block: NaN */
	struct cape_eeprom good;
	nominal_cape(&good);
	assert_int_equal(cape_info_build(&good.info, image), SHP_OK);
	assert_int_equal(cape_eeprom_parse(image, sizeof(image), &ee, why, sizeof(why)),
			 SHP_ERR_INPUT);
	assert_non_null(strstr(why, "harvester.dac_V_Hrv"));
	assert_non_null(strstr(why, "nan"));
}

static void empty_serial_is_implausible(void **state)
{
	(void)state;
	struct cape_eeprom ee;
	nominal_cape(&ee);
	ee.info.serial_number[0] = '\0';
	uint8_t image[CAPE_EEPROM_IMAGE_SIZE];
	assert_int_equal(cape_eeprom_build(&ee, image), SHP_OK);
	assert_int_equal(image[76], 0);
	struct cape_eeprom back;
	char why[256] = "";
	assert_int_equal(cape_eeprom_parse(image, sizeof(image), &back, why, sizeof(why)),
			 SHP_ERR_INPUT);
	assert_non_null(strstr(why, "serial_number"));
	/* all zeros (a blank chip of another kind): the same */
	memset(image, 0, sizeof(image));
	assert_int_equal(cape_eeprom_parse(image, sizeof(image), &back, why, sizeof(why)),
			 SHP_ERR_INPUT);
	assert_non_null(strstr(why, "serial_number"));
	/* any other field empty: upstream's model refuses it too */
	nominal_cape(&ee);
	ee.info.version[0] = '\0';
	assert_int_equal(cape_eeprom_build(&ee, image), SHP_OK);
	assert_int_equal(cape_eeprom_parse(image, sizeof(image), &back, why, sizeof(why)),
			 SHP_ERR_INPUT);
	assert_non_null(strstr(why, "version"));
}

static void gain_not_above_zero_is_implausible(void **state)
{
	(void)state;
	static const double bad[][2] = {{0.0, 0.0}, {-1e-5, 0.0}, {1e-5, INFINITY}, {NAN, 0.0}};
	for (size_t t = 0; t < sizeof(bad) / sizeof(bad[0]); t++) {
		struct cape_eeprom ee;
		nominal_cape(&ee);
		ee.cal.emulator.adc_C_B = (struct shp_cal_pair){bad[t][0], bad[t][1]};
		uint8_t image[CAPE_EEPROM_IMAGE_SIZE];
		assert_int_equal(cape_eeprom_build(&ee, image), SHP_OK);
		struct cape_eeprom back;
		char why[256] = "";
		assert_int_equal(cape_eeprom_parse(image, sizeof(image), &back, why, sizeof(why)),
				 SHP_ERR_INPUT);
		assert_non_null(strstr(why, "emulator.adc_C_B"));
	}
}

static void bad_utf8_is_implausible(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"\xc0\x80",         /* overlong NUL */
		"ab\x80",           /* a lone continuation byte */
		"\xe2\x82",         /* cut short */
		"\xed\xa0\x80",     /* a surrogate */
		"\xf4\x90\x80\x80", /* beyond U+10FFFF */
	};
	for (size_t t = 0; t < sizeof(bad) / sizeof(bad[0]); t++) {
		struct cape_eeprom ee;
		nominal_cape(&ee);
		snprintf(ee.info.manufacturer, sizeof(ee.info.manufacturer), "%s", bad[t]);
		uint8_t image[CAPE_EEPROM_IMAGE_SIZE];
		assert_int_equal(cape_eeprom_build(&ee, image), SHP_OK);
		struct cape_eeprom back;
		char why[256] = "";
		assert_int_equal(cape_eeprom_parse(image, sizeof(image), &back, why, sizeof(why)),
				 SHP_ERR_INPUT);
		assert_non_null(strstr(why, "manufacturer"));
	}
}

static void string_too_long_is_refused(void **state)
{
	(void)state;
	struct cape_eeprom ee;
	nominal_cape(&ee);
	uint8_t image[CAPE_EEPROM_IMAGE_SIZE], before[CAPE_EEPROM_IMAGE_SIZE];
	memset(image, 0x11, sizeof(image));
	memcpy(before, image, sizeof(image));
	/* 13 bytes for the 12 of serial_number: the member's last byte is no NUL */
	memcpy(ee.info.serial_number, "1234567890123", CAPE_SERIAL_LEN + 1);
	assert_int_equal(cape_info_build(&ee.info, image), SHP_ERR_CONFIG);
	assert_memory_equal(image, before, sizeof(image));
	nominal_cape(&ee);
	memcpy(ee.info.version, "24B0X", CAPE_VERSION_LEN + 1);
	assert_int_equal(cape_eeprom_build(&ee, image), SHP_ERR_CONFIG);
	/* exactly the field's size is fine */
	nominal_cape(&ee);
	memcpy(ee.info.board_name, "0123456789abcdef0123456789abcdef", CAPE_BOARD_NAME_LEN + 1);
	assert_int_equal(cape_eeprom_build(&ee, image), SHP_OK);
	assert_memory_equal(image + 6, "0123456789abcdef0123456789abcdef", 32);
	assert_memory_equal(image + 38, "24B0", 4);
}

static void short_image_is_refused(void **state)
{
	(void)state;
	struct cape_eeprom ee;
	nominal_cape(&ee);
	uint8_t image[CAPE_EEPROM_IMAGE_SIZE];
	assert_int_equal(cape_eeprom_build(&ee, image), SHP_OK);
	struct cape_eeprom back;
	char why[256] = "";
	assert_int_equal(cape_eeprom_parse(image, 639, &back, why, sizeof(why)), SHP_ERR_INPUT);
	assert_non_null(strstr(why, "639"));
	assert_int_equal(cape_eeprom_parse(image, 0, &back, why, sizeof(why)), SHP_ERR_INPUT);
	assert_int_equal(cape_info_parse(image, 99, &back.info, why, sizeof(why)), SHP_ERR_INPUT);
	assert_int_equal(cape_info_parse(image, 100, &back.info, why, sizeof(why)), SHP_OK);
}

static void defaults_are_the_tools(void **state)
{
	(void)state;
	struct cape_info info;
	cape_info_defaults(&info);
	assert_string_equal(info.eeprom_revision, "A2");
	assert_string_equal(info.board_name, "BeagleBone SHEPHERD2 Cape");
	assert_string_equal(info.version, "24B0");
	assert_string_equal(info.manufacturer, "NES TU DRESDEN");
	assert_string_equal(info.part_number, "BB-SHPRD");
	assert_string_equal(info.serial_number, "");
	/* YYYY-MM-DD */
	assert_int_equal(strlen(info.cal_date), 10);
	assert_int_equal(info.cal_date[4], '-');
	assert_int_equal(info.cal_date[7], '-');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nominal_block_is_the_spec_bytes),
		cmocka_unit_test(cape_info_at_its_offsets),
		cmocka_unit_test(one_nul_and_the_rest_of_a_field_untouched),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(erased_image_is_implausible),
		cmocka_unit_test(empty_serial_is_implausible),
		cmocka_unit_test(gain_not_above_zero_is_implausible),
		cmocka_unit_test(bad_utf8_is_implausible),
		cmocka_unit_test(string_too_long_is_refused),
		cmocka_unit_test(short_image_is_refused),
		cmocka_unit_test(defaults_are_the_tools),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
