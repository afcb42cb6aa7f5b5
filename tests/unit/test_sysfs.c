/* Unit tests of sysfs.c: strict number parsing, state names, messages, file access. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/log.h"
#include "pru/sysfs.h"
#include "test_util.h"

static void parses_plain_and_padded_numbers(void **state)
{
	(void)state;
	uint64_t v = 0;
	assert_true(parse_u64_strict("0", &v));
	assert_int_equal(v, 0);
	assert_true(parse_u64_strict("16777216", &v));
	assert_int_equal(v, 16777216);
	assert_true(parse_u64_strict(" 42\n", &v));
	assert_int_equal(v, 42);
	assert_true(parse_u64_strict("18446744073709551615", &v));
	assert_true(v == UINT64_MAX);
}

static void rejects_odd_numbers(void **state)
{
	(void)state;
	uint64_t v = 7;
	assert_false(parse_u64_strict("", &v));
	assert_false(parse_u64_strict("-1", &v));
	assert_false(parse_u64_strict("12abc", &v));
	assert_false(parse_u64_strict("0x10", &v));
	assert_false(parse_u64_strict("1 2", &v));
	assert_false(parse_u64_strict("18446744073709551616", &v)); /* overflow */
	assert_int_equal(v, 7);                                     /* untouched on failure */
}

static void maps_state_names(void **state)
{
	(void)state;
	assert_int_equal(sysfs_parse_state("idle"), SHP_STATE_IDLE);
	assert_int_equal(sysfs_parse_state("armed"), SHP_STATE_ARMED);
	assert_int_equal(sysfs_parse_state("running"), SHP_STATE_RUNNING);
	assert_int_equal(sysfs_parse_state("reset"), SHP_STATE_RESET);
	assert_int_equal(sysfs_parse_state("unknown"), SHP_STATE_UNKNOWN);
	assert_int_equal(sysfs_parse_state("Running"), SHP_STATE_UNKNOWN);
	assert_string_equal(shp_state_name(SHP_STATE_STARTING), "starting");
}

static void parses_messages(void **state)
{
	(void)state;
	struct shp_pru_msg m;
	bool got = true;
	assert_true(sysfs_parse_msg("0 ", &m, &got));
	assert_false(got);
	assert_true(sysfs_parse_msg("", &m, &got));
	assert_false(got);
	assert_true(sysfs_parse_msg("240 1 2", &m, &got));
	assert_true(got);
	assert_int_equal(m.type, 0xF0);
	assert_int_equal(m.value[0], 1);
	assert_int_equal(m.value[1], 2);
	assert_false(sysfs_parse_msg("garbage", &m, &got));
	assert_false(sysfs_parse_msg("300 1 2", &m, &got));
	assert_false(sysfs_parse_msg("224 1 2 extra", &m, &got));
}

static void reads_strip_newline_and_report_odd_content(void **state)
{
	(void)state;
	char dir[64];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	test_write_file(dir, "state", "running\n");
	test_write_file(dir, "number", "123\n");
	test_write_file(dir, "odd", "12 monkeys");
	struct shp_sysfs s;
	assert_int_equal(sysfs_open(&s, dir), SHP_OK);
	enum shp_pru_state st;
	assert_int_equal(sysfs_read_state(&s, &st), SHP_OK);
	assert_int_equal(st, SHP_STATE_RUNNING);
	uint64_t v;
	assert_int_equal(sysfs_read_u64(&s, "number", &v), SHP_OK);
	assert_int_equal(v, 123);
	assert_int_equal(sysfs_read_u64(&s, "odd", &v), SHP_ERR_SYSFS);
	assert_int_equal(sysfs_read_u64(&s, "missing", &v), SHP_ERR_SYSFS);
	assert_int_equal(sysfs_write_u64(&s, "number", 77), SHP_OK);
	assert_int_equal(sysfs_read_u64(&s, "number", &v), SHP_OK);
	assert_int_equal(v, 77);
	test_rm_rf(dir);
}

static void shortens_text_for_messages(void **state)
{
	(void)state;
	char buf[96], small[30], text[1200];
	assert_string_equal(sysfs_shorten("52083 0 \n5000 0 \n13744 0", buf, sizeof(buf)),
			    "52083 0 \\n5000 0 \\n13744 0");
	for (int k = 0; k < 1000; k++)
		text[k] = (char)('0' + k % 10);
	text[1000] = '\0';
	sysfs_shorten(text, buf, sizeof(buf));
	assert_true(strlen(buf) < sizeof(buf));
	assert_int_equal(strncmp(buf, text, 60), 0);
	assert_non_null(strstr(buf, "... (1000 bytes)"));
	sysfs_shorten(text, small, sizeof(small));
	assert_string_equal(small, "012345... (1000 bytes)");
}

static void open_fails_without_directory(void **state)
{
	(void)state;
	struct shp_sysfs s;
	assert_int_equal(sysfs_open(&s, "/nonexistent/shepherd"), SHP_ERR_SYSFS);
	char dir[64];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	assert_int_equal(sysfs_open(&s, dir), SHP_ERR_SYSFS); /* no state file */
	test_rm_rf(dir);
}

int main(void)
{
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_plain_and_padded_numbers),
		cmocka_unit_test(rejects_odd_numbers),
		cmocka_unit_test(maps_state_names),
		cmocka_unit_test(parses_messages),
		cmocka_unit_test(reads_strip_newline_and_report_odd_content),
		cmocka_unit_test(shortens_text_for_messages),
		cmocka_unit_test(open_fails_without_directory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
