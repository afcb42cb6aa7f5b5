/*
 * Unit tests of cal_file.c: the test cape file (its doubles, cape info with defaults, and the
 * export vectors of pru-settings.md 2.3), nominal defaults for pairs not given, strict errors
 * with file:line and key, and the writer's exact round trip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "settings/cal_file.h"
#include "settings/calibration.h"
#include "test_check.h"

static int setup(void **state)
{
	(void)state;
	collect_errors();
	return 0;
}

static shp_err parse(const char *text, struct cal_file *cf)
{
	return cal_file_parse(text, strlen(text), "cal.yaml", cf);
}

static void expect_error(const char *text, const char *part1, const char *part2)
{
	struct cal_file cf;
	logged_errors[0] = '\0';
	assert_int_equal(parse(text, &cf), SHP_ERR_CONFIG);
	if (!strstr(logged_errors, part1) || (part2 && !strstr(logged_errors, part2)))
		fail_msg("expected '%s' and '%s' in:\n%s", part1, part2 ? part2 : "",
			 logged_errors);
}

static void loads_the_test_cape_file(void **state)
{
	(void)state;
	struct cal_file cf;
	assert_int_equal(cal_file_load(FIXTURES_DIR "/upstream_configs/test_cal_data.yaml", &cf),
			 SHP_OK);
	assert_true(cf.has_host);
	assert_string_equal(cf.host, "sheep0");
	assert_true(cf.has_cape);
	assert_string_equal(cf.info.serial_number, "xyz1");
	assert_string_equal(cf.info.version, "24B0");
	assert_string_equal(cf.info.board_name, "BeagleBone SHEPHERD2 Cape");
	assert_string_equal(cf.info.eeprom_revision, "A2");
	assert_int_equal(strlen(cf.info.cal_date), 10);
	assert_same_double(cf.cal.emulator.adc_C_A.gain, 2.2306053900482405e-07);
	assert_same_double(cf.cal.emulator.adc_C_A.offset, -0.0026222400965270985);
	assert_same_double(cf.cal.emulator.dac_V_B.gain, 7.63173766566708e-05);
	assert_same_double(cf.cal.emulator.dac_V_B.offset, -0.0010936558576905009);
	assert_same_double(cf.cal.harvester.adc_V_Sense.offset, 7.75784958272352e-05);
	assert_same_double(cf.cal.harvester.dac_V_Sim.gain, 7.630261527071238e-05);
	assert_same_double(cf.cal.harvester.dac_V_Hrv.offset, 0.000281481899873981);

	struct pru_calibration p;
	assert_int_equal(cal_emulator_export(&cf.cal.emulator, &p), SHP_OK);
	uint32_t emu[6] = {p.adc_current_gain, (uint32_t)p.adc_current_offset,
			   p.adc_voltage_gain, (uint32_t)p.adc_voltage_offset,
			   p.dac_voltage_gain, (uint32_t)p.dac_voltage_offset};
	uint32_t emu_want[6] = {57103, (uint32_t)-2622240, 256000000, 0, 13750, 795};
	assert_memory_equal(emu, emu_want, sizeof(emu));
	assert_int_equal(cal_harvester_export(&cf.cal.harvester, &p), SHP_OK);
	assert_int_equal(p.adc_current_gain, 57055);
	assert_int_equal(p.adc_current_offset, -2624115);
	assert_int_equal(p.adc_voltage_gain, 4997);
	assert_int_equal(p.adc_voltage_offset, 78);
	assert_int_equal(p.dac_voltage_gain, 13745);
	assert_int_equal(p.dac_voltage_offset, 281);
}

static void missing_pairs_take_nominal_values(void **state)
{
	(void)state;
	struct cal_file cf;
	assert_int_equal(parse("datatype: CalibrationCape\n"
			       "parameters:\n"
			       "  emulator:\n"
			       "    dac_V_A: {gain: 7.6e-05}\n",
			       &cf),
			 SHP_OK);
	assert_false(cf.has_cape);
	assert_false(cf.has_host);
	struct cal_cape nominal;
	cal_nominal(&nominal);
	assert_same_double(cf.cal.emulator.dac_V_A.gain, 7.6e-05);
	assert_same_double(cf.cal.emulator.dac_V_A.offset, 0.0); /* given pair: offset 0 */
	assert_memory_equal(&cf.cal.harvester, &nominal.harvester, sizeof(nominal.harvester));
	assert_memory_equal(&cf.cal.emulator.adc_C_A, &nominal.emulator.adc_C_A,
			    sizeof(struct shp_cal_pair));
	assert_true(signbit(cf.cal.emulator.dac_V_B.offset)); /* nominal: -0.0 */

	assert_int_equal(
		parse("datatype: CalibrationCape\nparameters: {host: null, cape: null}\n", &cf),
		SHP_OK);
	assert_false(cf.has_cape);
	assert_memory_equal(&cf.cal, &nominal, sizeof(nominal));
}

static void unknown_key_names_file_line_and_allowed(void **state)
{
	(void)state;
	expect_error("datatype: CalibrationCape\n"
		     "parameters:\n"
		     "  harvester:\n"
		     "    adc_C_Hrv: {gain: 1.0e-7}\n"
		     "    dac_V_Hvr: {gain: 1.0e-7}\n",
		     "cal.yaml:5:", "parameters.harvester.dac_V_Hvr");
	assert_non_null(
		strstr(logged_errors, "allowed: adc_C_Hrv, adc_V_Sense, dac_V_Sim, dac_V_Hrv"));
	expect_error("datatype: CalibrationCape\nparameters:\n  emulator:\n    adc_C_A: "
		     "{gain: 1.0e-7, ofset: 0.1}\n",
		     "cal.yaml:4:", "parameters.emulator.adc_C_A.ofset");
	assert_non_null(strstr(logged_errors, "allowed: gain, offset"));
	expect_error("datatype: CalibrationCape\nparameters:\n  cape: {serial_number: a, colour: "
		     "red}\n",
		     "parameters.cape.colour", "serial_number");
	expect_error("datatype: CalibrationCape\nparameters:\n  hostname: x\n",
		     "cal.yaml:3:", "allowed: host, cape, emulator, harvester");
}

static void wrong_types_are_errors(void **state)
{
	(void)state;
	expect_error("datatype: CalibrationCape\nparameters:\n  emulator:\n    dac_V_A:\n"
		     "      gain: fast\n",
		     "cal.yaml:5:", "parameters.emulator.dac_V_A.gain");
	assert_non_null(strstr(logged_errors, "number > 0"));
	expect_error(
		"datatype: CalibrationCape\nparameters:\n  emulator:\n    dac_V_A: {gain: 0}\n",
		"dac_V_A.gain", "number > 0");
	expect_error("datatype: CalibrationCape\nparameters:\n  emulator:\n    dac_V_A: {gain: "
		     "-1.0e-5}\n",
		     "dac_V_A.gain", NULL);
	expect_error("datatype: CalibrationCape\nparameters:\n  emulator:\n    dac_V_A: {gain: "
		     "1.0e-5, offset: [1]}\n",
		     "dac_V_A.offset", "finite number");
	expect_error("datatype: CalibrationCape\nparameters:\n  emulator:\n    dac_V_A: {offset: "
		     "0.1}\n",
		     "dac_V_A.gain", "missing");
	expect_error("datatype: CalibrationCape\nparameters:\n  emulator: 3\n",
		     "parameters.emulator", "mapping");
	expect_error("datatype: CalibrationCape\nparameters:\n  cape: {serial_number: [1, 2]}\n",
		     "parameters.cape.serial_number", "string");
}

static void cape_needs_a_fitting_serial_number(void **state)
{
	(void)state;
	expect_error("datatype: CalibrationCape\nparameters:\n  cape:\n    version: 24B0\n",
		     "parameters.cape.serial_number", "missing");
	expect_error("datatype: CalibrationCape\nparameters:\n  cape: {serial_number: \"\"}\n",
		     "parameters.cape.serial_number", NULL);
	/* 13 bytes for a 12-byte field */
	expect_error("datatype: CalibrationCape\nparameters:\n  cape: {serial_number: "
		     "1234567890123}\n",
		     "parameters.cape.serial_number", "too long");
	expect_error("datatype: CalibrationCape\nparameters:\n  cape: {serial_number: a, "
		     "version: 24B0X}\n",
		     "parameters.cape.version", "too long");
	/* every field of the cape needs a character, as upstream's model wants */
	expect_error("datatype: CalibrationCape\nparameters:\n  cape: {serial_number: a, "
		     "version: \"\"}\n",
		     "parameters.cape.version", "empty");
	struct cal_file cf;
	assert_int_equal(parse("datatype: CalibrationCape\nparameters:\n  cape: {serial_number: "
			       "123456789012, cal_date: 2022-11-11, header: x}\n",
			       &cf),
			 SHP_OK);
	assert_string_equal(cf.info.serial_number, "123456789012");
	assert_string_equal(cf.info.version, "24B0");
	assert_string_equal(cf.info.cal_date, "2022-11-11");
	assert_string_equal(cf.info.manufacturer, "NES TU DRESDEN");
}

static void wrapper_is_checked(void **state)
{
	(void)state;
	expect_error("datatype: HarvestTask\nparameters: {}\n", "cal.yaml:1:", "CalibrationCape");
	expect_error("parameters: {}\n", "datatype", "missing");
	expect_error("datatype: CalibrationCape\n", "parameters", "missing");
	expect_error("datatype: CalibrationCape\nparameters: {emulator: {\n",
		     "cal.yaml:", "not valid YAML");
	expect_error("", "empty", NULL);
	struct cal_file cf;
	assert_int_equal(parse("datatype: CalibrationCape\nparameters: {}\ncomment: x\n"
			       "created: 2024-01-01\nlib_ver: 2025.5.3\n",
			       &cf),
			 SHP_OK);
	assert_int_equal(cal_file_load("/nonexistent/cal.yaml", &cf), SHP_ERR_CONFIG);
}

static void writer_round_trips_every_double(void **state)
{
	(void)state;
	struct cal_file cf;
	memset(&cf, 0, sizeof(cf));
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
				   4.9406564584124654e-324,
				   1.0 / 3.0};
	for (int k = 0; k < CAL_PAIR_COUNT; k++)
		*cal_pair_at(&cf.cal, k) = (struct shp_cal_pair){values[2 * k], values[2 * k + 1]};
	cf.has_cape = true;
	cape_info_defaults(&cf.info);
	snprintf(cf.info.serial_number, sizeof(cf.info.serial_number), "a\"b\\c");
	cf.has_host = true;
	snprintf(cf.host, sizeof(cf.host), "sheep7");

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	cal_file_write(f, &cf);
	fclose(f);
	struct cal_file back;
	assert_int_equal(cal_file_parse(text, len, "written", &back), SHP_OK);
	for (int k = 0; k < CAL_PAIR_COUNT; k++) {
		assert_same_double(cal_pair_at(&back.cal, k)->gain, values[2 * k]);
		assert_same_double(cal_pair_at(&back.cal, k)->offset, values[2 * k + 1]);
	}
	assert_memory_equal(&back.info, &cf.info, sizeof(cf.info));
	assert_string_equal(back.host, "sheep7");
	/* floats as YAML 1.1 spells them: a '.' in every mantissa */
	assert_non_null(strstr(text, "offset: -0.0\n"));
	assert_non_null(strstr(text, "gain: 2.0e-07\n"));
	assert_non_null(strstr(text, "gain: 1.0\n"));
	assert_non_null(strstr(text, "datatype: CalibrationCape\nparameters:\n"));
	free(text);
}

static void formats_doubles_shortest(void **state)
{
	(void)state;
	char buf[40];
	cal_format_double(7.62877291921811e-05, buf, sizeof(buf));
	assert_string_equal(buf, "7.62877291921811e-05");
	cal_format_double(-0.0026222400965270985, buf, sizeof(buf));
	assert_string_equal(buf, "-0.0026222400965270985");
	cal_format_double(0.1, buf, sizeof(buf));
	assert_string_equal(buf, "0.1");
	cal_format_double(-0.0, buf, sizeof(buf));
	assert_string_equal(buf, "-0.0");
	cal_format_double(1e-05, buf, sizeof(buf));
	assert_string_equal(buf, "1.0e-05");
	cal_format_double(1e22, buf, sizeof(buf));
	assert_string_equal(buf, "1.0e+22");
	cal_format_double(2.0345052083333335e-07, buf, sizeof(buf));
	assert_string_equal(buf, "2.0345052083333335e-07");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(loads_the_test_cape_file, setup),
		cmocka_unit_test_setup(missing_pairs_take_nominal_values, setup),
		cmocka_unit_test_setup(unknown_key_names_file_line_and_allowed, setup),
		cmocka_unit_test_setup(wrong_types_are_errors, setup),
		cmocka_unit_test_setup(cape_needs_a_fitting_serial_number, setup),
		cmocka_unit_test_setup(wrapper_is_checked, setup),
		cmocka_unit_test_setup(writer_round_trips_every_double, setup),
		cmocka_unit_test_setup(formats_doubles_shortest, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
