/* Unit tests of timefmt.c: ISO 8601 date-times with and without zones, durations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "task/timefmt.h"

static void parses_zoned_datetimes(void **state)
{
	(void)state;
	double t;
	assert_true(parse_iso_datetime("2023-11-14T22:13:20Z", &t));
	assert_true(t == 1700000000.0);
	assert_true(parse_iso_datetime("2023-11-14 23:13:20+01:00", &t));
	assert_true(t == 1700000000.0);
	assert_true(parse_iso_datetime("2023-11-14T17:13:20-0500", &t));
	assert_true(t == 1700000000.0);
	assert_true(parse_iso_datetime("2023-11-14T22:13:20.25Z", &t));
	assert_true(t == 1700000000.25);
	assert_true(parse_iso_datetime("2023-11-14Z", &t));
	assert_true(t == 1699920000.0);
}

static void naive_datetime_is_local_time(void **state)
{
	(void)state;
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	double t;
	assert_true(parse_iso_datetime("2023-11-14T23:13:20", &t));
	assert_true(t == 1700000000.0);
	char buf[48];
	format_iso_local(1700000000, buf, sizeof(buf));
	assert_string_equal(buf, "2023-11-14 23:13:20+01:00");
	format_file_stamp(1700000000, buf, sizeof(buf));
	assert_string_equal(buf, "2023-11-14_23-13-20");
	setenv("TZ", "UTC", 1);
	tzset();
}

static void rejects_bad_datetimes(void **state)
{
	(void)state;
	double t;
	assert_false(parse_iso_datetime("2023-13-01T00:00:00Z", &t));
	assert_false(parse_iso_datetime("2023-02-31T00:00:00Z", &t));
	assert_false(parse_iso_datetime("2023-11-14T25:00:00Z", &t));
	assert_false(parse_iso_datetime("yesterday", &t));
	assert_false(parse_iso_datetime("2023-11-14T10:00:00 CET", &t));
}

static void parses_durations(void **state)
{
	(void)state;
	double s;
	assert_true(parse_duration_text("PT10S", &s));
	assert_true(s == 10.0);
	assert_true(parse_duration_text("PT1H30M", &s));
	assert_true(s == 5400.0);
	assert_true(parse_duration_text("P1DT0.5S", &s));
	assert_true(s == 86400.5);
	assert_true(parse_duration_text("01:02:03", &s));
	assert_true(s == 3723.0);
	assert_false(parse_duration_text("P1M", &s)); /* months have no fixed length */
	assert_false(parse_duration_text("P", &s));
	assert_false(parse_duration_text("10 minutes", &s));
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_zoned_datetimes),
		cmocka_unit_test(naive_datetime_is_local_time),
		cmocka_unit_test(rejects_bad_datetimes),
		cmocka_unit_test(parses_durations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
