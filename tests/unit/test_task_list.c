/*
 * Unit tests of task_list.c and task_programming.c: a file of every datatype as the list it runs,
 * the predecessor's examples (node-control.md 3.1, 5.3), selection and order, bounds, types,
 * unknown and missing keys, member problems at their paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "task/task.h"
#include "test_check.h"
#include "test_util.h"

static char dir[64];
static char file[128];

static int warnings_logged;
static char logged_warnings[4096];

/* Errors as test_check.h collects them, warnings besides. */
static void capture(void *ctx, uint64_t t, int level, const char *msg)
{
	capture_errors(ctx, t, level, msg);
	if (level == SHP_LOG_WARNING) {
		warnings_logged++;
		size_t used = strlen(logged_warnings);
		snprintf(logged_warnings + used, sizeof(logged_warnings) - used, "%s\n", msg);
	}
}

static int setup(void **state)
{
	(void)state;
	if (!test_tmpdir(dir, sizeof(dir)))
		return -1;
	snprintf(file, sizeof(file), "%s/task.yaml", dir);
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	shp_log_set_sink(capture, NULL, SHP_LOG_DEBUG);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_rm_rf(dir);
	return 0;
}

/* Loads yaml as the task file, for host. */
static shp_err load(const char *yaml, const char *host, struct shp_task_list *list)
{
	reset_errors();
	warnings_logged = 0;
	logged_warnings[0] = '\0';
	test_write_file(dir, "task.yaml", yaml);
	return task_list_load(file, host, list);
}

/* The file must be refused with message among the errors. */
static void refused(const char *yaml, const char *message)
{
	struct shp_task_list list;
	shp_err e = load(yaml, "sheep05", &list);
	if (e != SHP_ERR_CONFIG || !strstr(logged_errors, message))
		fail_msg("expected '%s' for\n%s\ngot %d:\n%s", message, yaml, e, logged_errors);
	assert_int_equal(list.n, 0);
}

/* The file must be accepted; the list is returned (free it). */
static void accepted(const char *yaml, struct shp_task_list *list)
{
	shp_err e = load(yaml, "sheep05", list);
	if (e != SHP_OK)
		fail_msg("refused\n%s\n%s", yaml, logged_errors);
}

/* ---- every datatype ------------------------------------------------------------------------ */

static void a_single_task_is_a_list_of_one(void **state)
{
	(void)state;
	static const struct {
		const char *yaml;
		enum shp_task_kind kind;
	} cases[] = {
		{"datatype: HarvestTask\nparameters: {output_path: /tmp/h.h5}\n", SHP_TASK_HARVEST},
		{"datatype: EmulationTask\nparameters: {input_path: /tmp/h.h5}\n",
		 SHP_TASK_EMULATION},
		{"datatype: ProgrammingTask\nparameters: {firmware_file: /tmp/a.hex, mcu_type: "
		 "nrf52, protocol: SWD}\n",
		 SHP_TASK_PROGRAMMING},
		{"datatype: FirmwareModTask\nparameters: {data: /tmp/b.hex, data_type: path_hex, "
		 "firmware_file: /tmp/c.hex}\n",
		 SHP_TASK_FIRMWARE_MOD},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct shp_task_list list;
		accepted(cases[k].yaml, &list);
		assert_int_equal(list.n, 1);
		assert_int_equal(list.task[0]->kind, cases[k].kind);
		assert_string_equal(list.datatype, task_kind_name(cases[k].kind));
		assert_string_equal(list.member[0], "");
		assert_string_equal(list.observer, "");
		assert_string_equal(list.task[0]->source, file);
		task_list_free(&list);
		assert_int_equal(list.n, 0);
	}
}

static void the_kind_names(void **state)
{
	(void)state;
	assert_string_equal(task_kind_name(SHP_TASK_HARVEST), "HarvestTask");
	assert_string_equal(task_kind_name(SHP_TASK_EMULATION), "EmulationTask");
	assert_string_equal(task_kind_name(SHP_TASK_PROGRAMMING), "ProgrammingTask");
	assert_string_equal(task_kind_name(SHP_TASK_FIRMWARE_MOD), "FirmwareModTask");
	assert_string_equal(task_protocol_name(SHP_PROG_SBW), "SBW");
	assert_string_equal(task_fw_data_type_name(SHP_FW_PATH_ELF), "path_elf");
}

static void unknown_datatype_and_bad_files(void **state)
{
	(void)state;
	refused("datatype: ExperimentTask\nparameters: {}\n",
		"datatype: unknown task type 'ExperimentTask' (allowed: HarvestTask, "
		"EmulationTask, ProgrammingTask, FirmwareModTask, ObserverTasks, TestbedTasks)");
	refused("datatype: ObserverTasks\n", "parameters: required field of a task file");
	refused("", "the task file is empty");
	refused("datatype: [\n", "not valid YAML");
	refused("datatype: ObserverTasks\nparameters: [1]\n",
		"parameters: expected a mapping of ObserverTasks fields, found a list");
	struct shp_task_list list;
	assert_int_equal(task_list_load("/nonexistent/task.yaml", "sheep05", &list),
			 SHP_ERR_CONFIG);
	assert_non_null(strstr(logged_errors, "cannot read task file /nonexistent/task.yaml"));
	assert_int_equal(list.n, 0);
}

static void file_size_limit(void **state)
{
	(void)state;
	/* 64 MiB and one byte: refused by its size (a sparse file, never read into the task) */
	struct shp_task_list list;
	reset_errors();
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), 64 * 1024 * 1024 + 1), 0);
	fclose(f);
	assert_int_equal(task_list_load(file, "sheep05", &list), SHP_ERR_CONFIG);
	assert_non_null(strstr(logged_errors, "is larger than 67108864 bytes"));
	f = fopen(file, "w");
	assert_non_null(f);
	fwrite("datatype: Harvest\0Task\n", 1, 24, f);
	fclose(f);
	reset_errors();
	assert_int_equal(task_list_load(file, "sheep05", &list), SHP_ERR_CONFIG);
	assert_non_null(strstr(logged_errors, "contains NUL bytes: not a YAML text file"));
}

/* ---- ProgrammingTask ----------------------------------------------------------------------- */

/* herd's file as the pinned core writes it (node-control.md 3.1), exactly */
static const char herd_programming[] = "datatype: ProgrammingTask\n"
				       "created: 2026-12-01 14:12:08.914187+00:00\n"
				       "parameters:\n"
				       "  firmware_file: /tmp/target_image.hex\n"
				       "  mcu_type: nrf52\n"
				       "  protocol: SWD\n"
				       "  simulate: true\n";

static void herd_programming_task_gets_the_defaults(void **state)
{
	(void)state;
	struct shp_task_list list;
	accepted(herd_programming, &list);
	assert_int_equal(list.n, 1);
	const struct shp_programming *p = &list.task[0]->programming;
	assert_string_equal(p->firmware_file, "/tmp/target_image.hex");
	assert_int_equal(p->target_port, 'A');
	assert_int_equal(p->mcu_port, 1);
	assert_string_equal(p->mcu_type, "nrf52");
	assert_same_double(p->voltage, 3.0);
	assert_int_equal(p->datarate, 200000);
	assert_int_equal(p->protocol, SHP_PROG_SWD);
	assert_true(p->simulate);
	assert_int_equal(p->verbose, 2);
	assert_int_equal(list.task[0]->verbose, 2);
	assert_int_equal(errors_logged, 0);
	task_list_free(&list);
}

static void programming_task_every_field(void **state)
{
	(void)state;
	struct shp_task_list list;
	accepted("datatype: ProgrammingTask\nparameters:\n"
		 "  firmware_file: '  /data/fw 1.IHX '\n"
		 "  target_port: B\n  mcu_port: 2\n  mcu_type: ' MSP430FR '\n"
		 "  voltage: 1\n  datarate: 1000000\n  protocol: SBW\n  simulate: no\n"
		 "  verbose: 4\n",
		 &list);
	const struct shp_programming *p = &list.task[0]->programming;
	assert_string_equal(p->firmware_file, "/data/fw 1.IHX"); /* stripped */
	assert_int_equal(p->target_port, 'B');
	assert_int_equal(p->mcu_port, 2);
	assert_string_equal(p->mcu_type, "MSP430FR");
	assert_same_double(p->voltage, 1.0);
	assert_int_equal(p->datarate, 1000000);
	assert_int_equal(p->protocol, SHP_PROG_SBW);
	assert_false(p->simulate);
	assert_int_equal(p->verbose, 4);
	assert_int_equal(list.task[0]->verbose, 4);
	task_list_free(&list);
}

/* A ProgrammingTask whose field key has value, the required ones given otherwise. */
static void programming_with(const char *key, const char *value, char *out, size_t len)
{
	static const char *const required[][2] = {
		{"firmware_file", "/tmp/a.hex"}, {"mcu_type", "nRF52"}, {"protocol", "SWD"}};
	size_t used = (size_t)snprintf(out, len, "datatype: ProgrammingTask\nparameters:\n");
	for (size_t k = 0; k < 3; k++)
		if (strcmp(required[k][0], key) != 0)
			used += (size_t)snprintf(out + used, len - used, "  %s: %s\n",
						 required[k][0], required[k][1]);
	snprintf(out + used, len - used, "  %s: %s\n", key, value);
}

static void programming_values_at_their_bounds(void **state)
{
	(void)state;
	static const char *const good[][2] = {
		{"voltage", "4.999"},        {"voltage", "1.0"},         {"datarate", "1"},
		{"protocol", "JTAG"},        {"protocol", "UART"},       {"mcu_port", "1"},
		{"firmware_file", "a.ihex"}, {"firmware_file", "b.Hex"}, {"mcu_type", "'x ~!'"},
		{"target_port", "A"},        {"verbose", "0"},
	};
	for (size_t k = 0; k < sizeof(good) / sizeof(good[0]); k++) {
		char yaml[512];
		struct shp_task_list list;
		programming_with(good[k][0], good[k][1], yaml, sizeof(yaml));
		accepted(yaml, &list);
		task_list_free(&list);
	}
	static const char *const bad[][3] = {
		{"voltage", "0.99",
		 "parameters.voltage: expected the target's supply in volts, 1 <= "
		 "voltage < 5, found '0.99'"},
		{"voltage", "5", "found '5'"},
		{"voltage", "three", "found 'three'"},
		{"voltage", ".nan", "found '.nan'"},
		{"datarate", "0",
		 "parameters.datarate: expected bit/s as an integer, 0 < datarate <= "
		 "1000000, found '0'"},
		{"datarate", "1000001", "found '1000001'"},
		{"datarate", "2e5", "found '2e5'"},
		{"mcu_port", "0", "parameters.mcu_port: expected the programmer's pin set 1 or 2"},
		{"mcu_port", "3", "found '3'"},
		{"protocol", "swd",
		 "parameters.protocol: expected protocol SWD, SBW, JTAG or UART, "
		 "found 'swd'"},
		{"target_port", "C", "parameters.target_port: expected target port A or B"},
		{"firmware_file", "/tmp/a.bin",
		 "parameters.firmware_file: '/tmp/a.bin' is not an "
		 "Intel HEX file name: the suffix must be .hex, .ihex "
		 "or .ihx"},
		{"firmware_file", "/tmp/.hex", "'/tmp/.hex' is not an Intel HEX file name"},
		{"firmware_file", "/tmp/hex", "'/tmp/hex' is not an Intel HEX file name"},
		{"firmware_file", "null",
		 "parameters.firmware_file: expected the path of an Intel "
		 "HEX file, found null"},
		{"firmware_file", "' '", "found an empty one"},
		{"mcu_type", "\"nRF\\u00e9\"",
		 "parameters.mcu_type: only printable ASCII is allowed "
		 "in an MCU name, found byte 0xc3 at 3"},
		{"mcu_type", "\"a\\tb\"", "found byte 0x09 at 1"},
		{"mcu_type", "[nrf52]", "parameters.mcu_type: expected an MCU name"},
		{"simulate", "maybe", "parameters.simulate: expected true or false"},
		{"verbose", "5", "parameters.verbose: expected an integer from 0 to 4"},
		{"fw_name", "x",
		 "parameters.fw_name: unknown field of ProgrammingTask (allowed: "
		 "firmware_file, target_port, mcu_port, mcu_type, voltage, datarate, "
		 "protocol, simulate, verbose)"},
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		char yaml[512];
		programming_with(bad[k][0], bad[k][1], yaml, sizeof(yaml));
		refused(yaml, bad[k][2]);
		assert_int_equal(errors_logged, 2); /* the problem and the summary */
	}
}

static void programming_required_fields(void **state)
{
	(void)state;
	refused("datatype: ProgrammingTask\nparameters: {}\n",
		"parameters.firmware_file: required field of ProgrammingTask is missing");
	assert_non_null(strstr(logged_errors, "parameters.mcu_type: required field"));
	assert_non_null(strstr(logged_errors, "parameters.protocol: required field"));
	assert_non_null(strstr(logged_errors, "3 problems in the task file"));
	assert_int_equal(errors_logged, 4);
}

/* ---- FirmwareModTask ----------------------------------------------------------------------- */

/* the minimal file of node-control.md 5.3, exactly */
static const char firmware_mod_minimal[] = "datatype: FirmwareModTask\n"
					   "parameters:\n"
					   "  data: /var/shepherd/content/fw/build.elf\n"
					   "  data_type: path_elf\n"
					   "  custom_id: 42\n"
					   "  firmware_file: /tmp/fw1.hex\n";

static void firmware_mod_minimal_task(void **state)
{
	(void)state;
	struct shp_task_list list;
	accepted(firmware_mod_minimal, &list);
	assert_int_equal(list.n, 1);
	const struct shp_firmware_mod *m = &list.task[0]->firmware_mod;
	assert_string_equal(m->data, "/var/shepherd/content/fw/build.elf");
	assert_int_equal(m->data_type, SHP_FW_PATH_ELF);
	assert_true(m->has_custom_id);
	assert_int_equal(m->custom_id, 42);
	assert_string_equal(m->firmware_file, "/tmp/fw1.hex");
	assert_int_equal(m->verbose, 2);
	assert_int_equal(warnings_logged, 0);
	task_list_free(&list);
}

static void firmware_mod_embedded_hex_warns(void **state)
{
	(void)state;
	struct shp_task_list list;
	accepted("datatype: FirmwareModTask\nparameters:\n  data: KLUv/SAEIQAAdGVzdA==\n"
		 "  data_type: hex\n  custom_id: null\n  firmware_file: /tmp/fw.hex\n"
		 "  verbose: 3\n",
		 &list);
	const struct shp_firmware_mod *m = &list.task[0]->firmware_mod;
	assert_string_equal(m->data, "KLUv/SAEIQAAdGVzdA==");
	assert_int_equal(m->data_type, SHP_FW_HEX);
	assert_false(m->has_custom_id);
	assert_int_equal(m->verbose, 3);
	assert_int_equal(list.task[0]->verbose, 3);
	assert_int_equal(warnings_logged, 1);
	assert_non_null(strstr(logged_warnings,
			       "parameters.data_type: Firmware is scheduled to get "
			       "custom-ID but is not in elf-format"));
	task_list_free(&list);
}

/* A FirmwareModTask of these values, extra lines appended. */
static void firmware_mod_yaml(const char *const v[5], char *out, size_t len)
{
	snprintf(out, len,
		 "datatype: FirmwareModTask\nparameters:\n  data_type: %s\n  custom_id: %s\n"
		 "  data: %s\n  firmware_file: %s\n%s",
		 v[0], v[1], v[2], v[3], v[4]);
}

static void firmware_mod_values_at_their_bounds(void **state)
{
	(void)state;
	/* data_type, custom_id, data, firmware_file, more */
	static const char *const good[][5] = {
		{"elf", "0", "abc", "/tmp/f.hex", ""},
		{"elf", "65535", "abcd", "/tmp/f.hex", "  verbose: 0\n"},
		{"hex", "null", "abcd", "/tmp/f.hex", ""},
		{"path_hex", "null", "/a.hex", "/tmp/f.hex", ""},
		{"path_elf", "1", "x", "/tmp/f.ihex", ""},
		{"path_elf", "1", "' /a.elf '", "f", ""},
	};
	for (size_t k = 0; k < sizeof(good) / sizeof(good[0]); k++) {
		char yaml[512];
		struct shp_task_list list;
		firmware_mod_yaml(good[k], yaml, sizeof(yaml));
		accepted(yaml, &list);
		task_list_free(&list);
	}
	static const struct {
		const char *v[5];
		const char *message;
	} bad[] = {
		{{"elf", "-1", "abcd", "/f.hex", ""},
		 "parameters.custom_id: expected null or a node id from 0 to 65535, found '-1'"},
		{{"elf", "65536", "abcd", "/f.hex", ""}, "found '65536'"},
		{{"elf", "'7'", "abcd", "/f.hex", ""}, "found '7'"},
		{{"bin", "7", "abcd", "/f.hex", ""},
		 "parameters.data_type: expected data_type hex, elf, path_hex or path_elf, found "
		 "'bin'"},
		{{"ELF", "7", "abcd", "/f.hex", ""}, "found 'ELF'"},
		{{"elf", "7", "abcd", "{a: 1}", ""},
		 "parameters.firmware_file: expected the path the HEX file is written to, found a "
		 "mapping"},
		{{"elf", "7", "null", "/f.hex", ""},
		 "parameters.data: expected embedded firmware (base64) or a file path, found null"},
		{{"elf", "7", "abcd", "/f.hex", "  verbose: -1\n"},
		 "parameters.verbose: expected an integer from 0 to 4"},
		{{"elf", "7", "abcd", "/f.hex", "  extra: 1\n"},
		 "parameters.extra: unknown field of FirmwareModTask (allowed: data, data_type, "
		 "custom_id, firmware_file, verbose)"},
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		char yaml[512];
		firmware_mod_yaml(bad[k].v, yaml, sizeof(yaml));
		refused(yaml, bad[k].message);
	}
}

static void firmware_mod_data_by_its_type(void **state)
{
	(void)state;
	refused("datatype: FirmwareModTask\nparameters: {data: ab, data_type: elf, custom_id: 1, "
		"firmware_file: /tmp/f.hex}\n",
		"parameters.data: embedded firmware (data_type elf) must have 3 to 8000000 "
		"characters of base64, found 2");
	refused("datatype: FirmwareModTask\nparameters: {data: /a.elf, data_type: path_elf, "
		"custom_id: null, firmware_file: /tmp/f.hex}\n",
		"parameters.custom_id: an ELF firmware (data_type path_elf) gets SHEPHERD_NODE_ID "
		"patched: custom_id must be a node id from 0 to 65535, not null");
	refused("datatype: FirmwareModTask\nparameters: {data: /a.elf, data_type: elf, "
		"firmware_file: /tmp/f.hex}\n",
		"parameters.custom_id: an ELF firmware (data_type elf)");
	refused("datatype: FirmwareModTask\nparameters: {data_type: elf}\n",
		"parameters.data: required field of FirmwareModTask is missing");
	assert_non_null(strstr(logged_errors, "parameters.firmware_file: required field"));

	/* 8 000 000 characters are the most */
	size_t n = 8000000;
	char *yaml = malloc(n + 256);
	assert_non_null(yaml);
	int head = snprintf(yaml, 256,
			    "datatype: FirmwareModTask\nparameters:\n  data_type: hex\n"
			    "  firmware_file: /tmp/f.hex\n  data: ");
	memset(yaml + head, 'A', n);
	strcpy(yaml + head + n, "\n");
	struct shp_task_list list;
	accepted(yaml, &list);
	assert_int_equal(strlen(list.task[0]->firmware_mod.data), n);
	task_list_free(&list);
	strcpy(yaml + head + n, "A\n");
	refused(yaml, "must have 3 to 8000000 characters of base64, found 8000001");
	free(yaml);
}

/* ---- ObserverTasks ------------------------------------------------------------------------- */

static void observer_tasks_without_members(void **state)
{
	(void)state;
	struct shp_task_list list;
	accepted("datatype: ObserverTasks\nparameters:\n  observer: peeping tom\n"
		 "  owner_id: 666\n  time_prep: 2044-01-01 12:13:14\n  root_path: /usr\n",
		 &list);
	assert_int_equal(list.n, 0);
	assert_string_equal(list.datatype, "ObserverTasks");
	assert_string_equal(list.observer, "peeping tom");
	task_list_free(&list);
}

#define OBSERVER_HEAD                                                                              \
	"datatype: ObserverTasks\nparameters:\n  observer: sheep01\n  owner_id: null\n"            \
	"  time_prep: 2033-03-13 14:10:16\n  root_path: /var/shepherd/experiments/x\n"

static void observer_tasks_run_whatever_their_observer(void **state)
{
	(void)state;
	struct shp_task_list list;
	accepted(OBSERVER_HEAD "  abort_on_error: false\n"
			       "  fw1_prog: {firmware_file: /tmp/a.hex, mcu_type: nRF52, "
			       "protocol: SWD}\n"
			       "  fw2_mod: null\n"
			       "  emulation: {input_path: /tmp/in.h5, time_start: 2033-03-13 "
			       "14:15:16+00:00}\n",
		 &list);
	/* the host asked for is sheep05: an ObserverTasks does not care */
	assert_string_equal(list.observer, "sheep01");
	assert_int_equal(list.n, 2);
	assert_string_equal(list.member[0], "fw1_prog");
	assert_int_equal(list.task[0]->kind, SHP_TASK_PROGRAMMING);
	assert_string_equal(list.member[1], "emulation");
	assert_int_equal(list.task[1]->kind, SHP_TASK_EMULATION);
	assert_same_double(list.task[1]->time_start, 1994336116.0);
	task_list_free(&list);
}

static void observer_tasks_fields_are_checked(void **state)
{
	(void)state;
	refused("datatype: ObserverTasks\nparameters:\n  observer: sheep01\n"
		"  time_prep: 2033-03-13 14:10:16\n  root_path: /x\n",
		"parameters.owner_id: required field of ObserverTasks is missing");
	refused("datatype: ObserverTasks\nparameters: {owner_id: null}\n",
		"parameters.observer: required field of ObserverTasks is missing");
	assert_non_null(strstr(logged_errors, "parameters.time_prep: required field"));
	assert_non_null(strstr(logged_errors, "parameters.root_path: required field"));
	refused(OBSERVER_HEAD "  owner_id: me\n", "parameters.owner_id: given twice");
	refused("datatype: ObserverTasks\nparameters:\n  observer: sheep01\n  owner_id: me\n"
		"  time_prep: soon\n  root_path: ''\n  abort_on_error: 3\n  fw3_prog: null\n",
		"parameters.owner_id: expected null or an owner's id (an integer), found a string "
		"'me'");
	assert_non_null(strstr(logged_errors, "parameters.time_prep: expected a date-time like "
					      "2033-03-13 14:10:16 (or Unix seconds), found a "
					      "string 'soon'"));
	assert_non_null(strstr(logged_errors, "parameters.root_path: expected the experiment's "
					      "directory, found an empty one"));
	assert_non_null(strstr(logged_errors, "parameters.abort_on_error: expected true or false"));
	assert_non_null(strstr(logged_errors, "parameters.fw3_prog: unknown field of ObserverTasks "
					      "(allowed: observer, owner_id, time_prep, "
					      "root_path, abort_on_error, fw1_mod, fw2_mod, "
					      "fw1_prog, fw2_prog, emulation)"));
	assert_non_null(strstr(logged_errors, "5 problems in the task file"));
	refused(OBSERVER_HEAD "  fw1_mod: [a]\n",
		"parameters.fw1_mod: expected a mapping of FirmwareModTask fields, found a list");
	refused(OBSERVER_HEAD "  fw2_prog: {firmware_file: a.hex, mcu_type: x, protocol: SBW, "
			      "datarate: 0}\n",
		"parameters.fw2_prog.datarate: expected bit/s");
	struct shp_task_list list;
	accepted(OBSERVER_HEAD "  abort_on_error: true\n", &list);
	assert_non_null(strstr(logged_warnings, "parameters.abort_on_error is deprecated"));
	task_list_free(&list);
}

static void emulation_member_is_an_emulation_task(void **state)
{
	(void)state;
	/* the same checks as an EmulationTask file, at the member's path */
	refused(OBSERVER_HEAD "  emulation:\n    input_path: /tmp/in.h5\n"
			      "    virtual_source: {name: BQ25570-Schmit}\n",
		"parameters.emulation.virtual_source.name: no source fixture is named");
	refused(OBSERVER_HEAD "  emulation: {input_path: /tmp/in.h5, voltage_aux: 5}\n",
		"parameters.emulation.voltage_aux: expected volts from 0 to 4.5");
	refused(OBSERVER_HEAD "  emulation: {output_path: /tmp/out.h5}\n",
		"parameters.emulation.input_path: required field of EmulationTask is missing");
	refused(OBSERVER_HEAD "  emulation: {input_path: /tmp/in.h5, gpio_actuation: {}}\n",
		"parameters.emulation.gpio_actuation: GPIO actuation is not implemented");
	/* in a list a start in the past refuses the whole list, before its tasks run */
	refused(OBSERVER_HEAD "  fw1_mod: {data: /a.elf, data_type: path_elf, custom_id: 1, "
			      "firmware_file: /tmp/f.hex}\n"
			      "  emulation: {input_path: /tmp/in.h5, time_start: 2001-01-01 "
			      "00:00:00+00:00}\n",
		"parameters.emulation.time_start: '2001-01-01 00:00:00+00:00' lies in the past: an "
		"emulation cannot start then (the whole task list is refused)");
	/* the position of the problem: line 8 (the emulation's), column of the value */
	refused(OBSERVER_HEAD "  emulation:\n    input_path: /tmp/in.h5\n    duration: -1\n",
		":9:15: parameters.emulation.duration: ");
	char where[256];
	snprintf(where, sizeof(where), "%s:9:15: ", file);
	assert_non_null(strstr(logged_errors, where));
}

/* ---- TestbedTasks -------------------------------------------------------------------------- */

/* node-control.md 5.3 with the elided fields written as a real file has them */
#define ROOT "/var/shepherd/experiments/meaningful Test-Name_2033-03-13_14-15-16"
static const char testbed_example[] =
	"datatype: TestbedTasks\n"
	"parameters:\n"
	"  name: meaningful Test-Name\n"
	"  observer_tasks:\n"
	"  - observer: sheep05\n"
	"    owner_id: null\n"
	"    time_prep: 2033-03-13 14:10:16\n"
	"    root_path: " ROOT "\n"
	"    fw1_mod:\n"
	"      data: /var/shepherd/content/fw/nes_lab/nrf52_demo_rf/build.elf\n"
	"      data_type: path_elf\n"
	"      custom_id: 7\n"
	"      firmware_file: " ROOT "/fw1_sheep05.hex\n"
	"    fw2_mod:\n"
	"      data: /var/shepherd/content/fw/nes_lab/msp430_deep_sleep/build.elf\n"
	"      data_type: path_elf\n"
	"      custom_id: 7\n"
	"      firmware_file: " ROOT "/fw2_sheep05.hex\n"
	"    fw1_prog:\n"
	"      firmware_file: " ROOT "/fw1_sheep05.hex\n"
	"      target_port: A\n"
	"      mcu_port: 1\n"
	"      mcu_type: nRF52\n"
	"      voltage: 3.0\n"
	"      datarate: 500000\n"
	"      protocol: SWD\n"
	"    fw2_prog:\n"
	"      firmware_file: " ROOT "/fw2_sheep05.hex\n"
	"      target_port: A\n"
	"      mcu_port: 2\n"
	"      mcu_type: MSP430FR\n"
	"      voltage: 3.0\n"
	"      datarate: 500000\n"
	"      protocol: SBW\n"
	"    emulation:\n"
	"      input_path: eenv/group/user/thermoelectric_1h_wash.h5\n"
	"      output_path: " ROOT "/emu_sheep05.h5\n"
	"      time_start: 2033-03-13 14:15:16+00:00\n"
	"      duration: null\n"
	"      enable_io: false\n"
	"      io_port: A\n"
	"      pwr_port: A\n"
	"      virtual_source: {name: BQ25570-Schmitt}\n"
	"      power_tracing: null\n"
	"      gpio_tracing: null\n"
	"      uart_logging: null\n"
	"      gpio_actuation: null\n"
	"      sys_logging: {}\n"
	"  - observer: sheep13\n"
	"    owner_id: null\n"
	"    time_prep: 2033-03-13 14:10:16\n"
	"    root_path: " ROOT "\n"
	"    fw1_mod:\n"
	"      data: /var/shepherd/content/fw/nes_lab/nrf52_demo_rf/build.elf\n"
	"      data_type: path_elf\n"
	"      custom_id: 13\n"
	"      firmware_file: " ROOT "/fw1_sheep13.hex\n"
	"    fw1_prog:\n"
	"      firmware_file: " ROOT "/fw1_sheep13.hex\n"
	"      target_port: B\n"
	"      mcu_port: 1\n"
	"      mcu_type: nRF52\n"
	"      voltage: 3.0\n"
	"      datarate: 500000\n"
	"      protocol: SWD\n"
	"    emulation:\n"
	"      input_path: eenv/group/user/thermoelectric_1h_wash.h5\n"
	"      output_path: " ROOT "/emu_sheep13.h5\n"
	"      time_start: 2033-03-13 14:15:16+00:00\n"
	"      duration: null\n"
	"      enable_io: false\n"
	"      io_port: B\n"
	"      pwr_port: B\n"
	"      virtual_source: {name: BQ25570-Schmitt}\n"
	"      power_tracing: null\n"
	"      gpio_tracing: null\n"
	"      uart_logging: null\n"
	"      gpio_actuation: null\n"
	"      sys_logging: {}\n"
	"  email_results: false\n"
	"  owner_id: null\n";

static void testbed_example_for_sheep05(void **state)
{
	(void)state;
	struct shp_task_list list;
	accepted(testbed_example, &list);
	assert_string_equal(list.datatype, "TestbedTasks");
	assert_string_equal(list.observer, "sheep05");
	assert_int_equal(list.n, 5);
	static const char *const order[] = {"fw1_mod", "fw2_mod", "fw1_prog", "fw2_prog",
					    "emulation"};
	for (int k = 0; k < 5; k++)
		assert_string_equal(list.member[k], order[k]);

	const struct shp_firmware_mod *m1 = &list.task[0]->firmware_mod;
	assert_int_equal(list.task[0]->kind, SHP_TASK_FIRMWARE_MOD);
	assert_string_equal(m1->data, "/var/shepherd/content/fw/nes_lab/nrf52_demo_rf/build.elf");
	assert_int_equal(m1->data_type, SHP_FW_PATH_ELF);
	assert_int_equal(m1->custom_id, 7);
	assert_string_equal(m1->firmware_file, ROOT "/fw1_sheep05.hex");
	const struct shp_firmware_mod *m2 = &list.task[1]->firmware_mod;
	assert_string_equal(m2->data,
			    "/var/shepherd/content/fw/nes_lab/msp430_deep_sleep/build.elf");
	assert_string_equal(m2->firmware_file, ROOT "/fw2_sheep05.hex");

	const struct shp_programming *p1 = &list.task[2]->programming;
	assert_int_equal(list.task[2]->kind, SHP_TASK_PROGRAMMING);
	assert_string_equal(p1->firmware_file, ROOT "/fw1_sheep05.hex");
	assert_int_equal(p1->mcu_port, 1);
	assert_string_equal(p1->mcu_type, "nRF52");
	assert_int_equal(p1->datarate, 500000);
	assert_int_equal(p1->protocol, SHP_PROG_SWD);
	assert_false(p1->simulate);
	const struct shp_programming *p2 = &list.task[3]->programming;
	assert_string_equal(p2->firmware_file, ROOT "/fw2_sheep05.hex");
	assert_int_equal(p2->mcu_port, 2);
	assert_string_equal(p2->mcu_type, "MSP430FR");
	assert_int_equal(p2->protocol, SHP_PROG_SBW);
	assert_same_double(p2->voltage, 3.0);

	const struct shp_task *emu = list.task[4];
	assert_int_equal(emu->kind, SHP_TASK_EMULATION);
	assert_string_equal(emu->input_path, "eenv/group/user/thermoelectric_1h_wash.h5");
	assert_true(emu->has_output);
	assert_string_equal(emu->output_path, ROOT "/emu_sheep05.h5");
	assert_same_double(emu->time_start, 1994336116.0);
	assert_false(emu->has_duration);
	assert_false(emu->enable_io);
	assert_string_equal(emu->virtual_source.name, "BQ25570-Schmitt");
	assert_false(emu->power_tracing.present);
	assert_false(emu->gpio_tracing.present);
	assert_false(emu->uart_logging.present);
	/* sys_logging: {} keeps every monitor on */
	assert_true(emu->sys_logging.present && emu->sys_logging.kernel);
	task_list_free(&list);
}

static void testbed_example_for_sheep13(void **state)
{
	(void)state;
	struct shp_task_list list;
	test_write_file(dir, "task.yaml", testbed_example);
	reset_errors();
	assert_int_equal(task_list_load(file, "sheep13", &list), SHP_OK);
	assert_string_equal(list.observer, "sheep13");
	assert_int_equal(list.n, 3);
	assert_string_equal(list.member[0], "fw1_mod");
	assert_int_equal(list.task[0]->firmware_mod.custom_id, 13);
	assert_string_equal(list.member[1], "fw1_prog");
	assert_int_equal(list.task[1]->programming.target_port, 'B');
	assert_string_equal(list.member[2], "emulation");
	assert_int_equal(list.task[2]->io_port, 'B');
	task_list_free(&list);
}

static void testbed_without_this_observer(void **state)
{
	(void)state;
	struct shp_task_list list;
	test_write_file(dir, "task.yaml", testbed_example);
	reset_errors();
	assert_int_equal(task_list_load(file, "sheep99", &list), SHP_ERR_CONFIG);
	assert_int_equal(errors_logged, 1);
	assert_string_equal(logged_errors, "Observer 'sheep99' is not in TestbedTask-Set\n");
	assert_int_equal(list.n, 0);
	/* exactly: not a prefix, not in another case */
	assert_int_equal(task_list_load(file, "sheep0", &list), SHP_ERR_CONFIG);
	assert_int_equal(task_list_load(file, "SHEEP05", &list), SHP_ERR_CONFIG);
	/* this machine's name when none is given: not one of the example's */
	unsetenv("SHEPHERD_HOSTNAME");
	assert_int_equal(task_list_load(file, NULL, &list), SHP_ERR_CONFIG);
	assert_non_null(strstr(logged_errors, "is not in TestbedTask-Set"));
	/* ... unless a stand-in's name is given */
	setenv("SHEPHERD_HOSTNAME", " sheep13\n", 1);
	char host[128];
	task_host_name(host, sizeof(host));
	assert_string_equal(host, "sheep13");
	assert_int_equal(task_list_load(file, NULL, &list), SHP_OK);
	assert_string_equal(list.observer, "sheep13");
	assert_int_equal(list.n, 3);
	task_list_free(&list);
	unsetenv("SHEPHERD_HOSTNAME");
}

static void testbed_first_entry_of_the_host_wins(void **state)
{
	(void)state;
	struct shp_task_list list;
	accepted("datatype: TestbedTasks\nparameters:\n  name: twice\n  owner_id: 3\n"
		 "  email_results: true\n  observer_tasks:\n"
		 "  - {observer: sheep05, owner_id: null, time_prep: 2033-01-01 00:00:00, "
		 "root_path: /a, fw1_prog: {firmware_file: /a.hex, mcu_type: a, protocol: SWD}}\n"
		 "  - {observer: sheep05, owner_id: null, time_prep: 2033-01-01 00:00:00, "
		 "root_path: /b, fw2_prog: {firmware_file: /b.hex, mcu_type: b, protocol: SBW}}\n",
		 &list);
	assert_int_equal(list.n, 1);
	assert_string_equal(list.member[0], "fw1_prog");
	assert_string_equal(list.task[0]->programming.firmware_file, "/a.hex");
	task_list_free(&list);
}

/* A TestbedTasks of count entries for sheep00, sheep01, ... */
static char *testbed_of(size_t count)
{
	size_t len = 256 + count * 160;
	char *yaml = malloc(len);
	if (!yaml)
		return NULL;
	size_t used = (size_t)snprintf(yaml, len,
				       "datatype: TestbedTasks\nparameters:\n  name: many\n"
				       "  owner_id: null\n  observer_tasks:%s\n",
				       count ? "" : " []");
	for (size_t k = 0; k < count; k++)
		used += (size_t)snprintf(yaml + used, len - used,
					 "  - {observer: sheep%02zu, owner_id: null, time_prep: "
					 "2033-01-01 00:00:00, root_path: /r}\n",
					 k);
	return yaml;
}

static void testbed_fields_are_checked(void **state)
{
	(void)state;
	char *yaml = testbed_of(0);
	refused(yaml, "parameters.observer_tasks: expected 1 to 128 ObserverTasks, found 0");
	free(yaml);
	yaml = testbed_of(129);
	refused(yaml, "parameters.observer_tasks: expected 1 to 128 ObserverTasks, found 129");
	free(yaml);
	yaml = testbed_of(128);
	struct shp_task_list list;
	accepted(yaml, &list);
	assert_string_equal(list.observer, "sheep05");
	assert_int_equal(list.n, 0);
	free(yaml);

	refused("datatype: TestbedTasks\nparameters: {observer_tasks: [{observer: sheep05, "
		"owner_id: null, time_prep: 2033-01-01 00:00:00, root_path: /r}]}\n",
		"parameters.name: required field of TestbedTasks is missing");
	assert_non_null(strstr(logged_errors, "parameters.owner_id: required field of TestbedTasks "
					      "is missing"));
	refused("datatype: TestbedTasks\nparameters: {name: x, owner_id: 1.5, email_results: "
		"sometimes, observer_tasks: {a: 1}, lib: 1}\n",
		"parameters.owner_id: expected null or an owner's id (an integer), found a number "
		"'1.5'");
	assert_non_null(strstr(logged_errors, "parameters.email_results: expected true or false"));
	assert_non_null(strstr(logged_errors, "parameters.observer_tasks: expected a list of "
					      "ObserverTasks, found a mapping"));
	assert_non_null(strstr(logged_errors, "parameters.lib: unknown field of TestbedTasks "
					      "(allowed: name, observer_tasks, email_results, "
					      "owner_id)"));
}

static void testbed_problems_of_every_entry_are_reported(void **state)
{
	(void)state;
	/* sheep05's entry is fine; the others' problems still refuse the file */
	refused("datatype: TestbedTasks\nparameters:\n  name: x\n  owner_id: null\n"
		"  observer_tasks:\n"
		"  - {observer: sheep01, owner_id: null, time_prep: 2033-01-01 00:00:00, "
		"root_path: /r, fw1_prog: {firmware_file: /a.hex, mcu_type: a, protocol: SWD, "
		"datarate: 2000000}}\n"
		"  - {observer: sheep05, owner_id: null, time_prep: 2033-01-01 00:00:00, "
		"root_path: /r}\n"
		"  - {observer: sheep09, time_prep: 2033-01-01 00:00:00, root_path: /r, "
		"emulation: {input_path: /i.h5, io_port: C}, fw2_mod: {data: x}}\n",
		"parameters.observer_tasks[0].fw1_prog.datarate: expected bit/s as an integer, 0 < "
		"datarate <= 1000000, found '2000000'");
	assert_non_null(strstr(logged_errors, "parameters.observer_tasks[2].owner_id: required "
					      "field of ObserverTasks is missing"));
	assert_non_null(strstr(logged_errors, "parameters.observer_tasks[2].emulation.io_port: "
					      "expected target port A or B, found 'C'"));
	assert_non_null(strstr(logged_errors, "parameters.observer_tasks[2].fw2_mod.data_type: "
					      "required field of FirmwareModTask is missing"));
	assert_non_null(strstr(logged_errors, "parameters.observer_tasks[2].fw2_mod.firmware_file: "
					      "required field"));
	assert_non_null(strstr(logged_errors, "5 problems in the task file"));
	/* the file's problems, not the selection, are what is reported */
	assert_null(strstr(logged_errors, "not in TestbedTask-Set"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_single_task_is_a_list_of_one),
		cmocka_unit_test(the_kind_names),
		cmocka_unit_test(unknown_datatype_and_bad_files),
		cmocka_unit_test(file_size_limit),
		cmocka_unit_test(herd_programming_task_gets_the_defaults),
		cmocka_unit_test(programming_task_every_field),
		cmocka_unit_test(programming_values_at_their_bounds),
		cmocka_unit_test(programming_required_fields),
		cmocka_unit_test(firmware_mod_minimal_task),
		cmocka_unit_test(firmware_mod_embedded_hex_warns),
		cmocka_unit_test(firmware_mod_values_at_their_bounds),
		cmocka_unit_test(firmware_mod_data_by_its_type),
		cmocka_unit_test(observer_tasks_without_members),
		cmocka_unit_test(observer_tasks_run_whatever_their_observer),
		cmocka_unit_test(observer_tasks_fields_are_checked),
		cmocka_unit_test(emulation_member_is_an_emulation_task),
		cmocka_unit_test(testbed_example_for_sheep05),
		cmocka_unit_test(testbed_example_for_sheep13),
		cmocka_unit_test(testbed_without_this_observer),
		cmocka_unit_test(testbed_first_entry_of_the_host_wins),
		cmocka_unit_test(testbed_fields_are_checked),
		cmocka_unit_test(testbed_problems_of_every_entry_are_reported),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
