/* Unit tests of node_env.c: the settle scale and node_command (status, timeout, a missing
 * program, captured output, the sysfs root handed to the command). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/stop.h"
#include "node/node_env.h"

static void the_scale_is_checked(void **state)
{
	(void)state;
	unsetenv("SHEPHERD_SETTLE_SCALE");
	assert_true(node_settle_scale() == 1.0);
	setenv("SHEPHERD_SETTLE_SCALE", "0.01", 1);
	assert_true(node_settle_scale() == 0.01);
	setenv("SHEPHERD_SETTLE_SCALE", "0", 1);
	assert_true(node_settle_scale() == 0.0);
	const char *bad[] = {"2", "-0.5", "fast", "0.5s", "nan", ""};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		setenv("SHEPHERD_SETTLE_SCALE", bad[k], 1);
		assert_true(node_settle_scale() == 1.0);
	}
}

static void a_settle_sleeps_the_scaled_time_and_stops_on_a_signal(void **state)
{
	(void)state;
	setenv("SHEPHERD_SETTLE_SCALE", "0.5", 1);
	uint64_t t0 = mono_ns();
	assert_int_equal(node_settle(0.2), SHP_OK);
	assert_true(mono_ns() - t0 >= 100 * SHP_NS_PER_MS);
	shp_stop_signal = 15;
	assert_int_equal(node_settle(1000.0), SHP_ERR_INTERRUPTED);
	shp_stop_signal = 0;
	setenv("SHEPHERD_SETTLE_SCALE", "0", 1);
	assert_int_equal(node_settle(1000.0), SHP_OK);
}

static void commands_report_status_output_and_environment(void **state)
{
	(void)state;
	struct node_cmd_result res;
	char *ok[] = {"sh", "-c", "echo out; echo err >&2; echo \"root=$SHEPHERD_SYSFS_ROOT\"",
		      NULL};
	node_command(ok, "/tmp/some/sysfs", 30, true, &res);
	assert_int_equal(res.status, 0);
	assert_false(res.timed_out);
	assert_false(res.not_found);
	assert_non_null(strstr(res.output, "out"));
	assert_non_null(strstr(res.output, "err"));
	assert_non_null(strstr(res.output, "root=/tmp/some/sysfs"));
	char *three[] = {"/bin/sh", "-c", "exit 3", NULL};
	node_command(three, NULL, 30, false, &res);
	assert_int_equal(res.status, 3);
	assert_false(res.timed_out);
}

static void a_missing_program_and_a_hang_are_told_apart(void **state)
{
	(void)state;
	struct node_cmd_result res;
	char *missing[] = {"/nonexistent/modprobe", "-a", "shepherd", NULL};
	node_command(missing, NULL, 30, true, &res);
	assert_true(res.not_found);
	assert_int_equal(res.status, -1);
	char *hang[] = {"sleep", "30", NULL};
	node_command(hang, NULL, 0.2, true, &res);
	assert_true(res.timed_out);
	assert_int_equal(res.status, -1);
	assert_false(res.not_found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_scale_is_checked),
		cmocka_unit_test(a_settle_sleeps_the_scaled_time_and_stops_on_a_signal),
		cmocka_unit_test(commands_report_status_output_and_environment),
		cmocka_unit_test(a_missing_program_and_a_hang_are_told_apart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
