/* Unit tests of task.c: defaults, every field type, strict rejection, the config dump. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "task/task.h"

static int errors_logged;
static char last_error[8192]; /* every error message of the last parse, one per line */

static void capture(void *ctx, uint64_t t, int level, const char *msg)
{
	(void)ctx;
	(void)t;
	if (level >= SHP_LOG_ERROR) {
		errors_logged++;
		size_t used = strlen(last_error);
		snprintf(last_error + used, sizeof(last_error) - used, "%s\n", msg);
	}
}

static shp_err parse(const char *yaml, struct shp_task *task)
{
	errors_logged = 0;
	last_error[0] = '\0';
	return task_parse(yaml, strlen(yaml), "task.yaml", task);
}

#define WRAP "datatype: HarvestTask\nparameters:\n"

static void minimal_task_gets_the_defaults(void **state)
{
	(void)state;
	struct shp_task t;
	assert_int_equal(parse(WRAP "  output_path: /tmp/x.h5\n", &t), SHP_OK);
	const struct shp_harvest_task *h = &t.harvest;
	assert_string_equal(h->output_path, "/tmp/x.h5");
	assert_false(h->force_overwrite);
	assert_int_equal(h->compression, SHP_COMP_LZF);
	assert_false(h->has_time_start);
	assert_false(h->has_duration);
	assert_string_equal(h->virtual_harvester.name, "mppt_opt");
	assert_string_equal(h->virtual_harvester.datatype, "ivtrace");
	assert_true(h->power_tracing.present);
	assert_true(h->power_tracing.duration_s < 0);
	assert_true(h->sys_logging.kernel && h->sys_logging.sheep);
	assert_int_equal(h->verbose, 2);
}

static void every_field_is_read(void **state)
{
	(void)state;
	struct shp_task t;
	const char *yaml = "datatype: HarvestTask\n"
			   "comment: nightly\n"
			   "parameters:\n"
			   "  output_path: /data/hrv\n"
			   "  force_overwrite: yes\n"
			   "  output_compression: 1\n"
			   "  time_start: 2030-01-02T03:04:05Z\n"
			   "  duration: PT1M30S\n"
			   "  use_cal_default: true\n"
			   "  virtual_harvester: {name: cv20}\n"
			   "  power_tracing: {delay: 2.5, duration: 10}\n"
			   "  sys_logging: {kernel: false, dmesg: false}\n"
			   "  verbose: 3\n";
	assert_int_equal(parse(yaml, &t), SHP_OK);
	const struct shp_harvest_task *h = &t.harvest;
	assert_true(h->force_overwrite);
	assert_int_equal(h->compression, SHP_COMP_GZIP1);
	assert_true(h->has_time_start);
	assert_true(h->time_start == 1893553445.0);
	assert_true(h->duration_s == 90.0);
	assert_string_equal(h->virtual_harvester.name, "cv20");
	assert_true(h->power_tracing.delay_s == 2.5);
	assert_true(h->power_tracing.duration_s == 10.0);
	assert_false(h->sys_logging.kernel);
	assert_true(h->sys_logging.sys_util);
	assert_int_equal(h->verbose, 3);
}

static void compression_spellings(void **state)
{
	(void)state;
	struct shp_task t;
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  output_compression: null\n", &t),
			 SHP_OK);
	assert_int_equal(t.harvest.compression, SHP_COMP_NONE);
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  output_compression: gzip1\n", &t),
			 SHP_OK);
	assert_int_equal(t.harvest.compression, SHP_COMP_GZIP1);
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  output_compression: '1'\n", &t),
			 SHP_OK);
	assert_int_equal(t.harvest.compression, SHP_COMP_GZIP1);
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  output_compression: zstd\n", &t),
			 SHP_ERR_CONFIG);
	assert_non_null(strstr(last_error, "output_compression"));
}

static void unknown_key_names_key_line_and_allowed(void **state)
{
	(void)state;
	struct shp_task t;
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  duraton: 10\n", &t), SHP_ERR_CONFIG);
	assert_non_null(strstr(last_error, "task.yaml:4:3"));
	assert_non_null(strstr(last_error, "parameters.duraton"));
	assert_non_null(strstr(last_error, "allowed:"));
	assert_non_null(strstr(last_error, "duration"));
}

static void wrong_types_and_ranges_are_rejected(void **state)
{
	(void)state;
	struct shp_task t;
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  duration: ten\n", &t), SHP_ERR_CONFIG);
	assert_non_null(strstr(last_error, "parameters.duration"));
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  duration: -1\n", &t), SHP_ERR_CONFIG);
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  verbose: 9\n", &t), SHP_ERR_CONFIG);
	assert_non_null(strstr(last_error, "0 to 4"));
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  force_overwrite: maybe\n", &t),
			 SHP_ERR_CONFIG);
	assert_int_equal(parse(WRAP "  output_path: [a, b]\n", &t), SHP_ERR_CONFIG);
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  time_start: tomorrow\n", &t),
			 SHP_ERR_CONFIG);
	assert_int_equal(
		parse(WRAP "  output_path: a.h5\n  virtual_harvester: {name: magic}\n", &t),
		SHP_ERR_CONFIG);
	assert_int_equal(
		parse(WRAP "  output_path: a.h5\n  power_tracing: {calculate_power: true}\n", &t),
		SHP_ERR_CONFIG);
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  sys_logging: {kernel: 1}\n", &t),
			 SHP_ERR_CONFIG);
}

static void all_problems_are_reported_together(void **state)
{
	(void)state;
	struct shp_task t;
	assert_int_equal(parse(WRAP "  duration: x\n  verbose: 7\n  nope: 1\n", &t),
			 SHP_ERR_CONFIG);
	/* duration, verbose, unknown key, missing output_path, and the summary line */
	assert_int_equal(errors_logged, 5);
}

static void wrapper_is_checked(void **state)
{
	(void)state;
	struct shp_task t;
	assert_int_equal(parse("parameters:\n  output_path: a.h5\n", &t), SHP_ERR_CONFIG);
	assert_int_equal(parse("datatype: EmulationTask\nparameters: {input_path: a.h5}\n", &t),
			 SHP_ERR_CONFIG);
	assert_non_null(strstr(last_error, "problem"));
	assert_int_equal(parse("datatype: HarvestTask\nparameters: 5\n", &t), SHP_ERR_CONFIG);
	assert_int_equal(parse("- just\n- a list\n", &t), SHP_ERR_CONFIG);
	assert_int_equal(parse("", &t), SHP_ERR_CONFIG);
	assert_int_equal(parse("datatype: [unclosed\n", &t), SHP_ERR_CONFIG);
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  output_path: b.h5\n", &t),
			 SHP_ERR_CONFIG);
}

static void dump_reads_back_the_same(void **state)
{
	(void)state;
	struct shp_task t, back;
	const char *yaml = WRAP "  output_path: \"/data/odd \\\"name\\\".h5\"\n"
				"  output_compression: null\n  duration: 12.5\n"
				"  power_tracing: {delay: 1}\n  sys_logging: null\n";
	assert_int_equal(parse(yaml, &t), SHP_OK);
	char *dump = task_to_yaml(&t, 1893553445);
	assert_non_null(dump);
	size_t len = strlen(dump) + 64;
	char *wrapped = malloc(len + strlen(dump) * 2);
	assert_non_null(wrapped);
	/* indent the dump under the wrapper to parse it again */
	strcpy(wrapped, WRAP);
	for (const char *line = dump; *line;) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line + 1) : strlen(line);
		strcat(wrapped, "  ");
		strncat(wrapped, line, n);
		line += n;
	}
	assert_int_equal(parse(wrapped, &back), SHP_OK);
	assert_string_equal(back.harvest.output_path, "/data/odd \"name\".h5");
	assert_int_equal(back.harvest.compression, SHP_COMP_NONE);
	assert_true(back.harvest.duration_s == 12.5);
	assert_true(back.harvest.time_start == 1893553445.0);
	assert_true(back.harvest.power_tracing.delay_s == 1.0);
	assert_false(back.harvest.sys_logging.present);
	free(wrapped);
	free(dump);
}

static void missing_file_is_a_config_error(void **state)
{
	(void)state;
	struct shp_task t;
	assert_int_equal(task_load("/nonexistent/task.yaml", &t), SHP_ERR_CONFIG);
	assert_int_equal(task_load("/tmp", &t), SHP_ERR_CONFIG); /* a directory */
}

int main(void)
{
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	shp_log_set_sink(capture, NULL, SHP_LOG_DEBUG);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(minimal_task_gets_the_defaults),
		cmocka_unit_test(every_field_is_read),
		cmocka_unit_test(compression_spellings),
		cmocka_unit_test(unknown_key_names_key_line_and_allowed),
		cmocka_unit_test(wrong_types_and_ranges_are_rejected),
		cmocka_unit_test(all_problems_are_reported_together),
		cmocka_unit_test(wrapper_is_checked),
		cmocka_unit_test(dump_reads_back_the_same),
		cmocka_unit_test(missing_file_is_a_config_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
