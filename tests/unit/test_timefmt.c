/* Unit tests of timefmt.c: ISO 8601 date-times with and without zones, past 2038, durations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "task/task.h"
#include "task/timefmt.h"

/*
 * Past the 32-bit limits: 2^31 s (2038-01-19), 2040, 2^32 s (2106-02-07), and the year 9999 (a day
 * before its end, so that its local time east of UTC keeps four digits).
 */
static const struct {
	const char *iso;
	int64_t epoch_s;
} late[] = {
	{"2038-01-19T03:14:08Z", 2147483648},  {"2040-06-01T00:00:00Z", 2222121600},
	{"2100-12-31T23:59:59Z", 4133980799},  {"2106-02-07T06:28:16Z", 4294967296},
	{"2499-12-31T23:59:59Z", 16725225599}, {"9999-12-30T23:59:59Z", 253402214399},
};

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

/* Only plain decimals: no exponent, hex, inf or nan, which strtod alone would take. */
static void durations_are_plain_decimals(void **state)
{
	(void)state;
	double s;
	static const char *const bad[] = {
		"PT1e15S",   "PT1E3S",   "PTinfS",    "PTnanS",    "PTINFINITYS", "PT0x10S",
		"PT-5S",     "PT+5S",    "PT.5S",     "PT5.S",     "PT 5S",       "P1e2D",
		"1e3:00:00", "1:2:3e1",  "1.5:00:00", "01:002:03", "01:02:003",   " 1:02:03",
		"+1:02:03",  "-1:02:03", "1:60:00",   "1:00:60",   "1:00:59.",    "inf",
		"nan",       "1:02:03 "};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		if (parse_duration_text(bad[k], &s))
			fail_msg("read '%s' as %g s", bad[k], s);
	assert_true(parse_duration_text("P1.5D", &s));
	assert_true(s == 129600.0);
	assert_true(parse_duration_text("P366D", &s));
	assert_true(s == 31622400.0);
	assert_true(parse_duration_text("PT1000000000000000S", &s)); /* the range is the schema's */
	assert_true(s == 1e15);
	assert_true(parse_duration_text("8784:00:00", &s));
	assert_true(s == 31622400.0);
	assert_true(parse_duration_text("1:5:7", &s));
	assert_true(s == 3907.0);
	assert_true(parse_duration_text("01:02:03.5", &s));
	assert_true(s == 3723.5);
	assert_true(parse_duration_text("00:00:59.999", &s));
	assert_true(s == 59.999);
	/* a digit run no double holds is infinite, never undefined: the schema refuses it */
	char huge[420] = "PT";
	memset(huge + 2, '9', 400);
	strcpy(huge + 402, "S");
	assert_true(parse_duration_text(huge, &s));
	assert_true(isinf(s));
	memset(huge, '9', 400);
	strcpy(huge + 400, ":00:00");
	assert_true(parse_duration_text(huge, &s));
	assert_true(isinf(s));
}

static void parses_datetimes_after_2038(void **state)
{
	(void)state;
	double t;
	for (size_t k = 0; k < sizeof(late) / sizeof(late[0]); k++) {
		assert_true(parse_iso_datetime(late[k].iso, &t));
		assert_true(t == (double)late[k].epoch_s);
	}
	assert_true(parse_iso_datetime("2040-06-01T02:00:00+02:00", &t));
	assert_true(t == 2222121600.0);
	assert_true(parse_iso_datetime("2040-05-31 19:00:00.5-05:00", &t));
	assert_true(t == 2222121600.5);
	assert_false(parse_iso_datetime("2040-02-30T00:00:00Z", &t));
}

static void naive_datetime_after_2038_is_local_time(void **state)
{
	(void)state;
	/* beyond the tz database's explicit transitions: its rule for every year decides */
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	double t;
	assert_true(parse_iso_datetime("2040-06-01T02:00:00", &t)); /* summer time */
	assert_true(t == 2222121600.0);
	assert_true(parse_iso_datetime("2040-12-01T01:00:00", &t)); /* winter time */
	assert_true(t == 2237932800.0);
	setenv("TZ", "UTC", 1);
	tzset();
}

/* What the task dump writes (format_iso_local) reads back as the same second, in any zone. */
static void late_times_round_trip_through_the_formatter(void **state)
{
	(void)state;
	const char *zones[] = {"UTC", "Europe/Berlin", "America/New_York"};
	char buf[48];
	double t;
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		setenv("TZ", zones[z], 1);
		tzset();
		for (size_t k = 0; k < sizeof(late) / sizeof(late[0]); k++) {
			format_iso_local(late[k].epoch_s, buf, sizeof(buf));
			assert_true(parse_iso_datetime(buf, &t));
			assert_true(t == (double)late[k].epoch_s);
		}
	}
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	format_iso_local(2222121600, buf, sizeof(buf));
	assert_string_equal(buf, "2040-06-01 02:00:00+02:00");
	setenv("TZ", "UTC", 1);
	tzset();
	format_iso_local(2222121600, buf, sizeof(buf));
	assert_string_equal(buf, "2040-06-01 00:00:00+00:00");
	format_iso_local(4294967296, buf, sizeof(buf));
	assert_string_equal(buf, "2106-02-07 06:28:16+00:00");
	format_file_stamp(2222121600, buf, sizeof(buf));
	assert_string_equal(buf, "2040-06-01_00-00-00");
}

/* A task's time_start in 2040, as ISO text and as Unix seconds, through the task's own dump. */
static void task_time_start_in_2040(void **state)
{
	(void)state;
	const char *texts[] = {
		"datatype: HarvestTask\nparameters:\n  output_path: /tmp/x.h5\n"
		"  time_start: 2040-06-01T00:00:00Z\n",
		"datatype: HarvestTask\nparameters:\n  output_path: /tmp/x.h5\n"
		"  time_start: 2222121600\n",
	};
	for (size_t k = 0; k < 2; k++) {
		struct shp_task task;
		assert_int_equal(task_parse(texts[k], strlen(texts[k]), "task.yaml", &task),
				 SHP_OK);
		assert_true(task.has_time_start);
		assert_true(task.time_start == 2222121600.0);
		char *dump = task_to_yaml(&task, (int64_t)task.time_start);
		assert_non_null(dump);
		const char *line = strstr(dump, "time_start: ");
		assert_non_null(line);
		char value[48];
		assert_int_equal(sscanf(line, "time_start: %47[^\n]", value), 1);
		assert_string_equal(value, "2040-06-01 00:00:00+00:00");
		double t;
		assert_true(parse_iso_datetime(value, &t));
		assert_true(t == 2222121600.0);
		free(dump);
	}
}

static void time_start_range_ends_before_the_nanosecond_limit(void **state)
{
	(void)state;
	double t;
	assert_true(time_start_in_range(2222121600.0));
	assert_true(time_start_in_range(SHP_TIME_START_MIN_S));
	assert_false(time_start_in_range(SHP_TIME_START_MIN_S - 0.001));
	assert_false(time_start_in_range(0));
	assert_false(time_start_in_range(-INFINITY));
	assert_false(time_start_in_range(INFINITY));
	assert_true(parse_iso_datetime(SHP_TIME_START_MIN_ISO, &t));
	assert_true(t == SHP_TIME_START_MIN_S);
	assert_true(time_start_in_range(SHP_TIME_START_MAX_S - 1));
	assert_false(time_start_in_range(SHP_TIME_START_MAX_S));
	assert_false(time_start_in_range(1e300));
	assert_false(time_start_in_range(NAN));
	assert_true(parse_iso_datetime(SHP_TIME_START_MAX_ISO, &t));
	assert_true(t == SHP_TIME_START_MAX_S);
	/* the limit leaves room: its nanoseconds plus ~54 years still fit in 64 bits */
	assert_true(SHP_TIME_START_MAX_S * 1e9 + 54 * 365.25 * 86400e9 < 18446744073709551615.0);
}

static void unbreakable_times_are_printed_as_seconds(void **state)
{
	(void)state;
	char buf[48];
	format_iso_local(INT64_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "@9223372036854775807");
	format_file_stamp(INT64_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "@9223372036854775807");
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
		cmocka_unit_test(durations_are_plain_decimals),
		cmocka_unit_test(parses_datetimes_after_2038),
		cmocka_unit_test(naive_datetime_after_2038_is_local_time),
		cmocka_unit_test(late_times_round_trip_through_the_formatter),
		cmocka_unit_test(task_time_start_in_2040),
		cmocka_unit_test(time_start_range_ends_before_the_nanosecond_limit),
		cmocka_unit_test(unbreakable_times_are_printed_as_seconds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
