/*
 * Unit tests of cli/cmd_run.c: a task list's tasks in order, the node prepared once and only for
 * tasks that drive the PRUs, failures that do not stop the list, the first failure's code, a
 * stop signal that ends it, a task's verbose, and a file that is not usable running nothing.
 *
 * The node's functions (node_prepare_run, kmod_check_access, prog_run_task, fwmod_run) are
 * replaced with the linker's --wrap by recorders here, whether or not their modules are linked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_run.h"
#include "common/log.h"
#include "common/stop.h"
#include "fwmod/fwmod.h"
#include "node/kmod.h"
#include "node/node_run.h"
#include "prog/programmer.h"
#include "test_check.h"
#include "test_util.h"

shp_err __wrap_node_prepare_run(const char *sysfs_root);
shp_err __wrap_kmod_check_access(const char *sysfs_root);
shp_err __wrap_prog_run_task(const struct shp_programming *task, const struct node_paths *p);
shp_err __wrap_fwmod_run(const struct shp_firmware_mod *task);

static char dir[64];
static char file[128];
static const struct node_paths paths = {"/sim/sysfs", "/sim/mem", "/sim/gpio", "/sim/eeprom"};

/* what the stand-ins were called with, in order: "prepare", "access", "prog:<file>",
 * "fwmod:<file>", each with the console level it saw */
static char calls[1024];
static int levels[16];
static int ncalls;

/* what the stand-ins answer: by the call's name, SHP_OK when not listed */
static const char *fail_name;
static shp_err fail_with;
static const char *stop_at; /* this call records SIGTERM as a signal would */

static shp_err record(const char *name)
{
	size_t used = strlen(calls);
	snprintf(calls + used, sizeof(calls) - used, "%s%s", used ? " " : "", name);
	if (ncalls < 16)
		levels[ncalls] = shp_log_console_level();
	ncalls++;
	if (stop_at && strcmp(stop_at, name) == 0)
		shp_stop_signal = SIGTERM;
	return fail_name && strcmp(fail_name, name) == 0 ? fail_with : SHP_OK;
}

shp_err __wrap_node_prepare_run(const char *sysfs_root)
{
	assert_string_equal(sysfs_root, "/sim/sysfs");
	return record("prepare");
}

shp_err __wrap_kmod_check_access(const char *sysfs_root)
{
	assert_string_equal(sysfs_root, "/sim/sysfs");
	return record("access");
}

shp_err __wrap_prog_run_task(const struct shp_programming *task, const struct node_paths *p)
{
	assert_ptr_equal(p, &paths);
	char name[PATH_MAX + 16];
	snprintf(name, sizeof(name), "prog:%s", task->firmware_file);
	return record(name);
}

shp_err __wrap_fwmod_run(const struct shp_firmware_mod *task)
{
	char name[PATH_MAX + 16];
	snprintf(name, sizeof(name), "fwmod:%s", task->firmware_file);
	return record(name);
}

static int setup(void **state)
{
	(void)state;
	if (!test_tmpdir(dir, sizeof(dir)))
		return -1;
	snprintf(file, sizeof(file), "%s/tasks.yaml", dir);
	shp_log_set_console_level(SHP_LOG_WARNING);
	collect_errors();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_rm_rf(dir);
	return 0;
}

/* Runs `run FILE` on yaml; the stand-ins answer as set. */
static shp_err run(const char *yaml, bool verbose)
{
	calls[0] = '\0';
	ncalls = 0;
	shp_stop_signal = 0;
	reset_errors();
	test_write_file(dir, "tasks.yaml", yaml);
	char *argv[] = {"run", file, NULL};
	shp_err e = cmd_run(2, argv, &paths, verbose);
	fail_name = NULL;
	stop_at = NULL;
	return e;
}

#define OBSERVER                                                                                   \
	"datatype: ObserverTasks\nparameters:\n  observer: sheep05\n  owner_id: null\n"            \
	"  time_prep: 2033-03-13 14:10:16\n  root_path: /r\n"
#define FW1_MOD                                                                                    \
	"  fw1_mod: {data: /a.elf, data_type: path_elf, custom_id: 1, firmware_file: /1.hex}\n"
#define FW2_MOD "  fw2_mod: {data: /b.hex, data_type: path_hex, firmware_file: /2.hex}\n"
#define FW1_PROG "  fw1_prog: {firmware_file: /1.hex, mcu_type: nRF52, protocol: SWD}\n"
#define FW2_PROG "  fw2_prog: {firmware_file: /2.hex, mcu_type: MSP430FR, protocol: SBW}\n"

static const char all_four[] = OBSERVER FW2_PROG FW1_PROG FW2_MOD FW1_MOD;

static void members_run_in_their_order_after_one_preparation(void **state)
{
	(void)state;
	assert_int_equal(run(all_four, false), SHP_OK);
	assert_string_equal(calls, "prepare access fwmod:/1.hex access fwmod:/2.hex prog:/1.hex "
				   "prog:/2.hex");
	assert_int_equal(errors_logged, 0);
}

static void firmware_mods_alone_leave_the_module_alone(void **state)
{
	(void)state;
	assert_int_equal(run(OBSERVER FW1_MOD FW2_MOD, false), SHP_OK);
	assert_string_equal(calls, "access fwmod:/1.hex access fwmod:/2.hex");
	/* a single ProgrammingTask drives the PRUs */
	assert_int_equal(run("datatype: ProgrammingTask\nparameters: {firmware_file: /t.hex, "
			     "mcu_type: nrf52, protocol: SWD, simulate: true}\n",
			     false),
			 SHP_OK);
	assert_string_equal(calls, "prepare prog:/t.hex");
}

static void a_failure_does_not_stop_the_list_and_the_first_is_the_code(void **state)
{
	(void)state;
	fail_name = "fwmod:/2.hex";
	fail_with = SHP_ERR_FIRMWARE;
	assert_int_equal(run(all_four, false), SHP_ERR_FIRMWARE);
	assert_string_equal(calls, "prepare access fwmod:/1.hex access fwmod:/2.hex prog:/1.hex "
				   "prog:/2.hex");
	assert_non_null(strstr(logged_errors, "FirmwareModTask (fw2_mod) failed: target firmware "
					      "unusable"));
	fail_name = "prog:/1.hex";
	fail_with = SHP_ERR_PROGRAM;
	assert_int_equal(run(all_four, false), SHP_ERR_PROGRAM);
	assert_int_equal(ncalls, 7);
	assert_non_null(strstr(logged_errors, "ProgrammingTask (fw1_prog) failed: programming the "
					      "target failed"));
}

static void no_access_fails_the_firmware_mod_only(void **state)
{
	(void)state;
	fail_name = "access";
	fail_with = SHP_ERR_SYSFS;
	assert_int_equal(run(OBSERVER FW1_MOD FW1_PROG, false), SHP_ERR_SYSFS);
	/* fwmod_run is not reached; the programming still runs */
	assert_string_equal(calls, "prepare access prog:/1.hex");
}

static void a_stop_signal_ends_the_list(void **state)
{
	(void)state;
	fail_name = "prog:/1.hex";
	fail_with = SHP_ERR_INTERRUPTED;
	assert_int_equal(run(all_four, false), SHP_ERR_INTERRUPTED);
	assert_string_equal(calls, "prepare access fwmod:/1.hex access fwmod:/2.hex prog:/1.hex");
	/* a signal a task did not notice ends the list too, even after a failure */
	fail_name = "fwmod:/1.hex";
	fail_with = SHP_ERR_FIRMWARE;
	stop_at = "fwmod:/2.hex";
	assert_int_equal(run(all_four, false), SHP_ERR_INTERRUPTED);
	assert_string_equal(calls, "prepare access fwmod:/1.hex access fwmod:/2.hex");
}

static void a_failed_preparation_runs_nothing(void **state)
{
	(void)state;
	fail_name = "prepare";
	fail_with = SHP_ERR_SYSFS;
	assert_int_equal(run(all_four, false), SHP_ERR_SYSFS);
	assert_string_equal(calls, "prepare");
	assert_non_null(strstr(logged_errors, "run failed: PRU control (sysfs) not usable"));
}

static void an_unusable_file_runs_nothing(void **state)
{
	(void)state;
	assert_int_equal(run(OBSERVER FW1_MOD
			     "  fw1_prog: {firmware_file: /1.bin, mcu_type: nRF52, "
			     "protocol: SWD}\n",
			     false),
			 SHP_ERR_CONFIG);
	assert_int_equal(ncalls, 0);
	char host[128], message[256];
	task_host_name(host, sizeof(host));
	snprintf(message, sizeof(message),
		 "Task-Set was not usable for this observer '%s', with original error = invalid "
		 "task configuration",
		 host);
	assert_non_null(strstr(logged_errors, message));
	assert_non_null(strstr(logged_errors, "parameters.fw1_prog.firmware_file: '/1.bin'"));
	/* a TestbedTasks without this host */
	assert_int_equal(run("datatype: TestbedTasks\nparameters:\n  name: x\n  owner_id: null\n"
			     "  observer_tasks:\n  - {observer: 'no such host', owner_id: null, "
			     "time_prep: 2033-01-01 00:00:00, root_path: /r}\n",
			     false),
			 SHP_ERR_CONFIG);
	assert_int_equal(ncalls, 0);
	assert_non_null(strstr(logged_errors, "is not in TestbedTask-Set"));
	/* no members: nothing to do, not even the preparation */
	assert_int_equal(run(OBSERVER, false), SHP_OK);
	assert_int_equal(ncalls, 0);
}

static void verbose_3_shows_debug_during_its_task_only(void **state)
{
	(void)state;
	assert_int_equal(run(OBSERVER "  fw1_mod: {data: /a.hex, data_type: path_hex, "
				      "firmware_file: /1.hex, verbose: 3}\n" FW1_PROG,
			     false),
			 SHP_OK);
	assert_string_equal(calls, "prepare access fwmod:/1.hex prog:/1.hex");
	assert_int_equal(levels[0], SHP_LOG_WARNING);
	assert_int_equal(levels[1], SHP_LOG_DEBUG);
	assert_int_equal(levels[2], SHP_LOG_DEBUG);
	assert_int_equal(levels[3], SHP_LOG_WARNING);
	assert_int_equal(shp_log_console_level(), SHP_LOG_WARNING);
	/* with the global -v the console stays where it is */
	assert_int_equal(run(OBSERVER "  fw1_prog: {firmware_file: /1.hex, mcu_type: a, protocol: "
				      "SWD, verbose: 4}\n",
			     true),
			 SHP_OK);
	assert_int_equal(levels[1], SHP_LOG_WARNING);
}

static void bad_options(void **state)
{
	(void)state;
	char *bad[] = {"run", "--start-delay", "0.5", file, NULL};
	assert_int_equal(cmd_run(4, bad, &paths, false), SHP_ERR_USAGE);
	char *two[] = {"run", file, file, NULL};
	assert_int_equal(cmd_run(3, two, &paths, false), SHP_ERR_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(members_run_in_their_order_after_one_preparation),
		cmocka_unit_test(firmware_mods_alone_leave_the_module_alone),
		cmocka_unit_test(a_failure_does_not_stop_the_list_and_the_first_is_the_code),
		cmocka_unit_test(no_access_fails_the_firmware_mod_only),
		cmocka_unit_test(a_stop_signal_ends_the_list),
		cmocka_unit_test(a_failed_preparation_runs_nothing),
		cmocka_unit_test(an_unusable_file_runs_nothing),
		cmocka_unit_test(verbose_3_shows_debug_during_its_task_only),
		cmocka_unit_test(bad_options),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
