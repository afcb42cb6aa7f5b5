/*
 * test_prog_image.c - the node-independent parts of programming (prog_image.h): target names,
 * pin sets, the attempts' rates (node-control.md 3.3), the sheep's checks of the control values
 * (3.6), the image's size limits, the messages' log lines (3.9) and the overall timeout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/log.h"
#include "prog/prog_image.h"
#include "test_util.h"

static void target_names_as_the_predecessor_picks_them(void **state)
{
	(void)state;
	char out[64];
	bool known;
	prog_target_of("nrf52", out, sizeof(out), &known);
	assert_string_equal(out, "nrf52");
	assert_true(known);
	prog_target_of("nRF52", out, sizeof(out), &known);
	assert_string_equal(out, "nrf52");
	prog_target_of("MSP430FR", out, sizeof(out), &known);
	assert_string_equal(out, "msp430");
	assert_true(known);
	prog_target_of("Arduino", out, sizeof(out), &known);
	assert_string_equal(out, "arduino");
	assert_false(known);
}

static void pin_sets_per_mcu_port(void **state)
{
	(void)state;
	uint32_t pin[PROG_PIN_COUNT];
	prog_pins_of(1, pin);
	uint32_t one[PROG_PIN_COUNT] = {5, 4, 10, 0, 0, 0};
	assert_memory_equal(pin, one, sizeof(one));
	prog_pins_of(2, pin);
	uint32_t two[PROG_PIN_COUNT] = {8, 9, 11, 0, 0, 0};
	assert_memory_equal(pin, two, sizeof(two));
	prog_pins_of(7, pin); /* any value but 1 */
	assert_memory_equal(pin, two, sizeof(two));
}

static void rates_of_the_five_attempts(void **state)
{
	(void)state;
	const uint32_t r200[] = {200000, 120000, 72000, 43200, 25920};
	const uint32_t r500[] = {500000, 300000, 180000, 108000, 64800};
	for (unsigned k = 0; k < PROG_ATTEMPTS; k++) {
		assert_int_equal(prog_rate_of(200000, k), r200[k]);
		assert_int_equal(prog_rate_of(500000, k), r500[k]);
	}
}

static void control_values_checked(void **state)
{
	(void)state;
	char why[160];
	struct prog_ctrl c = {.target = "nrf52", .datarate = 200000};
	prog_pins_of(1, c.pin);
	assert_int_equal(prog_ctrl_check(&c, why, sizeof(why)), SHP_OK);
	c.datarate = 0;
	assert_int_equal(prog_ctrl_check(&c, why, sizeof(why)), SHP_ERR_PROGRAM);
	assert_non_null(strstr(why, "ValueError"));
	c.datarate = 1000001;
	assert_int_equal(prog_ctrl_check(&c, why, sizeof(why)), SHP_ERR_PROGRAM);
	c.datarate = 1000000;
	assert_int_equal(prog_ctrl_check(&c, why, sizeof(why)), SHP_OK);
	c.pin[2] = c.pin[0];
	assert_int_equal(prog_ctrl_check(&c, why, sizeof(why)), SHP_ERR_PROGRAM);
	assert_non_null(strstr(why, "twice"));
	prog_pins_of(1, c.pin);
	c.pin[1] = 0;
	assert_int_equal(prog_ctrl_check(&c, why, sizeof(why)), SHP_ERR_PROGRAM);
}

static void hex_suffixes(void **state)
{
	(void)state;
	assert_true(prog_hex_suffix("/tmp/a.hex"));
	assert_true(prog_hex_suffix("/tmp/a.IHEX"));
	assert_true(prog_hex_suffix("a.ihx"));
	assert_false(prog_hex_suffix("/tmp/a.bin"));
	assert_false(prog_hex_suffix("/tmp/hex"));
	assert_false(prog_hex_suffix("/tmp.hex/a"));
}

static void image_size_limits(void **state)
{
	(void)state;
	char dir[64], path[128];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	uint8_t *data;
	size_t len;
	test_write_file(dir, "empty.hex", "");
	snprintf(path, sizeof(path), "%s/empty.hex", dir);
	assert_int_equal(prog_image_load(path, &data, &len), SHP_ERR_FIRMWARE);
	assert_null(data);
	test_write_file(dir, "one.hex", ":00000001FF\n");
	snprintf(path, sizeof(path), "%s/one.hex", dir);
	assert_int_equal(prog_image_load(path, &data, &len), SHP_OK);
	assert_int_equal(len, 12);
	assert_memory_equal(data, ":00000001FF\n", 12);
	free(data);
	snprintf(path, sizeof(path), "%s/big.hex", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fseek(f, PROG_IMAGE_MAX, SEEK_SET), 0);
	fputc('\n', f); /* one byte more than the buffer */
	fclose(f);
	assert_int_equal(prog_image_load(path, &data, &len), SHP_ERR_FIRMWARE);
	snprintf(path, sizeof(path), "%s/missing.hex", dir);
	assert_int_equal(prog_image_load(path, &data, &len), SHP_ERR_FIRMWARE);
	test_rm_rf(dir);
}

static void message_lines(void **state)
{
	(void)state;
	char buf[160];
	int level;
	struct shp_pru_msg m = {.type = PROG_MSG_WRITE_ERROR, .value = {0x10, 255}};
	prog_msg_text(&m, buf, sizeof(buf), &level);
	assert_string_equal(buf, "PROGRAMMER-WRITE-ERROR: ihex to address @0x10, data=255 [0xff]");
	assert_int_equal(level, SHP_LOG_ERROR);
	m = (struct shp_pru_msg){.type = PROG_MSG_VERIFY_ERROR, .value = {0x4000, 16}};
	prog_msg_text(&m, buf, sizeof(buf), &level);
	assert_string_equal(buf,
			    "PROGRAMMER-VERIFY-ERROR: read-back failed @0x4000, data=16 [0x10]");
	m = (struct shp_pru_msg){.type = PROG_MSG_PARSE_ERROR, .value = {12, 0}};
	prog_msg_text(&m, buf, sizeof(buf), &level);
	assert_string_equal(buf, "PROGRAMMER-PARSE-ERROR: ihex_return=12, line=0");
	m = (struct shp_pru_msg){.type = 0xF0, .value = {0, 7}};
	prog_msg_text(&m, buf, sizeof(buf), &level);
	assert_string_equal(buf, "PRU is restarting its main routine, val=[0, 7]");
	assert_int_equal(level, SHP_LOG_DEBUG);
	m = (struct shp_pru_msg){.type = 0xE3, .value = {1, 2}};
	prog_msg_text(&m, buf, sizeof(buf), &level);
	assert_string_equal(buf, "UNKNOWN PROGRAMMER-ERROR: type=0xe3, val0=1, val1=2");
}

static void timeout_grows_with_size_and_slowness(void **state)
{
	(void)state;
	/* 29 240 text bytes at the fifth attempt's 25 920 bit/s: ~1188 s */
	double t = prog_timeout_s(29240, 25920);
	assert_true(t > 1100 && t < 1300);
	assert_true(prog_timeout_s(796, 200000) >= 60.0);
	assert_true(prog_timeout_s(796, 200000) < prog_timeout_s(796, 100000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(target_names_as_the_predecessor_picks_them),
		cmocka_unit_test(pin_sets_per_mcu_port),
		cmocka_unit_test(rates_of_the_five_attempts),
		cmocka_unit_test(control_values_checked),
		cmocka_unit_test(hex_suffixes),
		cmocka_unit_test(image_size_limits),
		cmocka_unit_test(message_lines),
		cmocka_unit_test(timeout_grows_with_size_and_slowness),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
