/* Unit tests of output_path.c: directory naming, collisions, suffixes, parent creation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "common/log.h"
#include "sheep/output_path.h"
#include "test_util.h"

static void directory_gets_a_timestamped_name(void **state)
{
	(void)state;
	char dir[64], out[512], want[512];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	assert_int_equal(output_path_resolve(dir, "hrv", 1700000000, false, out, sizeof(out)),
			 SHP_OK);
	snprintf(want, sizeof(want), "%s/hrv_2023-11-14_22-13-20.h5", dir);
	assert_string_equal(out, want);
	test_rm_rf(dir);
}

static void existing_file_is_kept_unless_forced(void **state)
{
	(void)state;
	char dir[64], path[256], out[512], want[512];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/rec.h5", dir);
	test_write_file(dir, "rec.h5", "x");
	assert_int_equal(output_path_resolve(path, "hrv", 0, false, out, sizeof(out)), SHP_OK);
	snprintf(want, sizeof(want), "%s/rec.0.h5", dir);
	assert_string_equal(out, want);
	test_write_file(dir, "rec.0.h5", "x");
	assert_int_equal(output_path_resolve(path, "hrv", 0, false, out, sizeof(out)), SHP_OK);
	snprintf(want, sizeof(want), "%s/rec.1.h5", dir);
	assert_string_equal(out, want);
	assert_int_equal(output_path_resolve(path, "hrv", 0, true, out, sizeof(out)), SHP_OK);
	assert_string_equal(out, path);
	test_rm_rf(dir);
}

static void parents_are_created(void **state)
{
	(void)state;
	char dir[64], path[256], out[512], sub[256];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/a/b/c.hdf5", dir);
	assert_int_equal(output_path_resolve(path, "hrv", 0, false, out, sizeof(out)), SHP_OK);
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	struct stat st;
	assert_int_equal(stat(sub, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	test_rm_rf(dir);
}

static void trailing_slash_creates_the_directory(void **state)
{
	(void)state;
	char dir[64], req[256], out[512], want[512];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(req, sizeof(req), "%s/new/recordings/", dir);
	assert_int_equal(output_path_resolve(req, "hrv", 1700000000, false, out, sizeof(out)),
			 SHP_OK);
	snprintf(want, sizeof(want), "%s/new/recordings/hrv_2023-11-14_22-13-20.h5", dir);
	assert_string_equal(out, want);
	struct stat st;
	req[strlen(req) - 1] = '\0';
	assert_int_equal(stat(req, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	test_rm_rf(dir);
}

static void bad_suffix_and_impossible_parent_fail(void **state)
{
	(void)state;
	char out[512];
	assert_int_equal(
		output_path_resolve("/tmp/recording.txt", "hrv", 0, false, out, sizeof(out)),
		SHP_ERR_OUTPUT);
	assert_int_equal(output_path_resolve("/tmp/recording", "hrv", 0, false, out, sizeof(out)),
			 SHP_ERR_OUTPUT);
	assert_int_equal(
		output_path_resolve("/proc/sheep-test/x.h5", "hrv", 0, false, out, sizeof(out)),
		SHP_ERR_OUTPUT);
	assert_int_equal(
		output_path_resolve("/etc/hostname/x.h5", "hrv", 0, false, out, sizeof(out)),
		SHP_ERR_OUTPUT);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(directory_gets_a_timestamped_name),
		cmocka_unit_test(existing_file_is_kept_unless_forced),
		cmocka_unit_test(parents_are_created),
		cmocka_unit_test(trailing_slash_creates_the_directory),
		cmocka_unit_test(bad_suffix_and_impossible_parent_fail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
