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
#include "test_check.h"
#include "test_util.h"

static shp_err parse(const char *yaml, struct shp_task *task)
{
	reset_errors();
	return task_parse(yaml, strlen(yaml), "task.yaml", task);
}

#define WRAP "datatype: HarvestTask\nparameters:\n"
#define EMU "datatype: EmulationTask\nparameters:\n  input_path: /data/hrv.h5\n"

static void minimal_task_gets_the_defaults(void **state)
{
	(void)state;
	struct shp_task t;
	assert_int_equal(parse(WRAP "  output_path: /tmp/x.h5\n", &t), SHP_OK);
	const struct shp_task *h = &t;
	assert_string_equal(h->output_path, "/tmp/x.h5");
	assert_false(h->force_overwrite);
	assert_int_equal(h->compression, SHP_COMP_LZF);
	assert_false(h->has_time_start);
	assert_false(h->has_duration);
	assert_string_equal(h->virtual_harvester.name, "mppt_opt");
	assert_int_equal(h->virtual_harvester.algorithm, VH_MPPT_OPT);
	assert_int_equal(vh_datatype(&h->virtual_harvester), SHP_DTYPE_IVSAMPLE);
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
	const struct shp_task *h = &t;
	assert_true(h->force_overwrite);
	assert_int_equal(h->compression, SHP_COMP_GZIP1);
	assert_true(h->has_time_start);
	assert_true(h->time_start == 1893553445.0);
	assert_true(h->duration_s == 90.0);
	assert_string_equal(h->virtual_harvester.name, "cv20");
	assert_true(h->virtual_harvester.algorithm == VH_CV &&
		    h->virtual_harvester.voltage_mV == 2000);
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
	assert_int_equal(t.compression, SHP_COMP_NONE);
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  output_compression: gzip1\n", &t),
			 SHP_OK);
	assert_int_equal(t.compression, SHP_COMP_GZIP1);
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  output_compression: '1'\n", &t),
			 SHP_OK);
	assert_int_equal(t.compression, SHP_COMP_GZIP1);
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  output_compression: zstd\n", &t),
			 SHP_ERR_CONFIG);
	assert_non_null(strstr(logged_errors, "output_compression"));
}

static void unknown_key_names_key_line_and_allowed(void **state)
{
	(void)state;
	struct shp_task t;
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  duraton: 10\n", &t), SHP_ERR_CONFIG);
	assert_non_null(strstr(logged_errors, "task.yaml:4:3"));
	assert_non_null(strstr(logged_errors, "parameters.duraton"));
	assert_non_null(strstr(logged_errors, "allowed:"));
	assert_non_null(strstr(logged_errors, "duration"));
}

static void wrong_types_and_ranges_are_rejected(void **state)
{
	(void)state;
	struct shp_task t;
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  duration: ten\n", &t), SHP_ERR_CONFIG);
	assert_non_null(strstr(logged_errors, "parameters.duration"));
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  duration: -1\n", &t), SHP_ERR_CONFIG);
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  verbose: 9\n", &t), SHP_ERR_CONFIG);
	assert_non_null(strstr(logged_errors, "0 to 4"));
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  force_overwrite: maybe\n", &t),
			 SHP_ERR_CONFIG);
	assert_int_equal(parse(WRAP "  output_path: [a, b]\n", &t), SHP_ERR_CONFIG);
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  time_start: tomorrow\n", &t),
			 SHP_ERR_CONFIG);
	/* beyond what nanosecond timestamps hold: refused with the limit named */
	assert_int_equal(
		parse(WRAP "  output_path: a.h5\n  time_start: 2600-01-01T00:00:00Z\n", &t),
		SHP_ERR_CONFIG);
	assert_non_null(strstr(logged_errors, "2500-01-01T00:00:00Z"));
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  time_start: 1e12\n", &t),
			 SHP_ERR_CONFIG);
	assert_int_equal(
		parse(WRAP "  output_path: a.h5\n  time_start: 2499-12-31T23:59:59Z\n", &t),
		SHP_OK);
	assert_int_equal(
		parse(WRAP "  output_path: a.h5\n  virtual_harvester: {name: magic}\n", &t),
		SHP_ERR_CONFIG);
	assert_int_equal(
		parse(WRAP "  output_path: a.h5\n  power_tracing: {calculate_power: true}\n", &t),
		SHP_ERR_CONFIG);
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  sys_logging: {kernel: 1}\n", &t),
			 SHP_ERR_CONFIG);
}

/* Parses one field line under the wrapper w; the result, with logged_errors holding the message. */
static shp_err parse_field(const char *w, const char *field, const char *value, struct shp_task *t)
{
	char yaml[1024];
	char *fill = strchr(field, '%');
	if (fill) /* a field inside a mapping: "power_tracing: {delay: %s}" */
		snprintf(yaml, sizeof(yaml), "%s  output_path: a.h5\n  %.*s%s%s\n", w,
			 (int)(fill - field), field, value, fill + 2);
	else
		snprintf(yaml, sizeof(yaml), "%s  output_path: a.h5\n  %s: %s\n", w, field, value);
	return parse(yaml, t);
}

/* Each duration and delay: the limits accepted, just beyond refused with the key and the range. */
static void durations_and_delays_are_bounded(void **state)
{
	(void)state;
	static const struct {
		const char *wrapper, *field, *path;
		bool zero_ok; /* a delay may be 0, a duration may not */
	} fields[] = {
		{WRAP, "duration", "parameters.duration", false},
		{WRAP, "power_tracing: {delay: %s}", "parameters.power_tracing.delay", true},
		{WRAP, "power_tracing: {duration: %s}", "parameters.power_tracing.duration", false},
		{EMU, "duration", "parameters.duration", false},
		{EMU, "power_tracing: {delay: %s}", "parameters.power_tracing.delay", true},
		{EMU, "power_tracing: {duration: %s}", "parameters.power_tracing.duration", false},
		{EMU, "gpio_tracing: {delay: %s}", "parameters.gpio_tracing.delay", true},
		{EMU, "gpio_tracing: {duration: %s}", "parameters.gpio_tracing.duration", false},
	};
	static const char *const at_limit[] = {"31622400", "31622400.0", "PT8784H", "P366D",
					       "P52WT48H", "8784:00:00", "0.00001"};
	static const char *const beyond[] = {"31622400.00000001",
					     "31622401",
					     "PT8784H0.001S",
					     "P367D",
					     "'8784:00:01'",
					     "2e14",
					     "1.9e13",
					     "PT1000000000000000S",
					     "1e400",
					     "-0.5",
					     "-1"};
	static const char *const not_seconds[] = {"PT1e15S", "PTinfS",  "PTnanS",      ".nan",
						  ".inf",    "PT0x10S", "'1e3:00:00'", "'1:2:3e1'"};
	struct shp_task t;
	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		const char *key = strrchr(fields[f].path, '.') + 1;
		char range[128];
		snprintf(range, sizeof(range),
			 "s is out of range (0 %s %s <= 31622400 s, 366 days)",
			 fields[f].zero_ok ? "<=" : "<", key);
		for (size_t k = 0; k < sizeof(at_limit) / sizeof(at_limit[0]); k++)
			if (parse_field(fields[f].wrapper, fields[f].field, at_limit[k], &t) !=
			    SHP_OK)
				fail_msg("%s: refused %s: %s", fields[f].path, at_limit[k],
					 logged_errors);
		for (size_t k = 0; k < sizeof(beyond) / sizeof(beyond[0]); k++) {
			if (parse_field(fields[f].wrapper, fields[f].field, beyond[k], &t) !=
			    SHP_ERR_CONFIG)
				fail_msg("%s: accepted %s", fields[f].path, beyond[k]);
			char where[160];
			snprintf(where, sizeof(where), "%s: ", fields[f].path);
			if (!strstr(logged_errors, where) || !strstr(logged_errors, range))
				fail_msg("%s = %s: %s", fields[f].path, beyond[k], logged_errors);
		}
		for (size_t k = 0; k < sizeof(not_seconds) / sizeof(not_seconds[0]); k++) {
			if (parse_field(fields[f].wrapper, fields[f].field, not_seconds[k], &t) !=
			    SHP_ERR_CONFIG)
				fail_msg("%s: accepted %s", fields[f].path, not_seconds[k]);
			assert_non_null(strstr(logged_errors, "expected seconds"));
		}
		shp_err zero = parse_field(fields[f].wrapper, fields[f].field, "0", &t);
		assert_int_equal(zero, fields[f].zero_ok ? SHP_OK : SHP_ERR_CONFIG);
		if (!fields[f].zero_ok)
			assert_non_null(strstr(logged_errors, range));
	}
	/* the value as the file gave it, and its seconds */
	assert_int_equal(parse_field(WRAP, "duration", "2e14", &t), SHP_ERR_CONFIG);
	assert_non_null(strstr(logged_errors,
			       "task.yaml:4:13: parameters.duration: 2e+14 s is out of "
			       "range (0 < duration <= 31622400 s, 366 days)"));
	assert_int_equal(parse_field(WRAP, "duration", "PT1000000000000000S", &t), SHP_ERR_CONFIG);
	assert_non_null(strstr(logged_errors, "'PT1000000000000000S' = 1e+15 s is out of range"));
	assert_int_equal(parse_field(WRAP, "duration", "31622401", &t), SHP_ERR_CONFIG);
	assert_non_null(strstr(logged_errors, " 31622401 s is out of range"));
	assert_int_equal(parse_field(WRAP, "duration", "1e400", &t), SHP_ERR_CONFIG);
	assert_non_null(strstr(logged_errors, " inf s is out of range"));
	/* the limit itself is kept exactly */
	assert_int_equal(parse_field(WRAP, "duration", "P366D", &t), SHP_OK);
	assert_true(t.has_duration && t.duration_s == 31622400.0);
	/* null stays "no limit" for the windows, "default" for the run */
	assert_int_equal(parse_field(EMU, "gpio_tracing: {duration: %s}", "null", &t), SHP_OK);
	assert_true(t.gpio_tracing.duration_s < 0);
	assert_int_equal(parse_field(WRAP, "duration", "null", &t), SHP_OK);
	assert_false(t.has_duration);
}

/* time_start: from 2000-01-01 to before 2500-01-01, as Unix seconds or ISO 8601. */
static void time_start_is_bounded(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"946684800",     "2000-01-01T00:00:00Z", "16725225599",
		"16725225599.5", "2499-12-31T23:59:59Z", "2499-12-31T23:59:59.999Z"};
	static const char *const out[] = {"946684799.999",
					  "1999-12-31T23:59:59Z",
					  "16725225600",
					  "2500-01-01T00:00:00Z",
					  "2600-01-01T00:00:00Z",
					  "1e12",
					  "1e400",
					  "-1",
					  "0",
					  "9999-12-30T23:59:59Z"};
	struct shp_task t;
	for (size_t k = 0; k < sizeof(ok) / sizeof(ok[0]); k++)
		if (parse_field(WRAP, "time_start", ok[k], &t) != SHP_OK || !t.has_time_start)
			fail_msg("refused %s: %s", ok[k], logged_errors);
	for (size_t k = 0; k < sizeof(out) / sizeof(out[0]); k++) {
		if (parse_field(WRAP, "time_start", out[k], &t) != SHP_ERR_CONFIG)
			fail_msg("accepted %s", out[k]);
		char msg[256];
		snprintf(msg, sizeof(msg),
			 "parameters.time_start: '%s' is out of range (2000-01-01T00:00:00Z <= "
			 "time_start < 2500-01-01T00:00:00Z)",
			 out[k]);
		if (!strstr(logged_errors, msg))
			fail_msg("%s: %s", out[k], logged_errors);
	}
	assert_int_equal(parse_field(WRAP, "time_start", ".nan", &t), SHP_ERR_CONFIG);
	assert_int_equal(parse_field(WRAP, "time_start", "yesterday", &t), SHP_ERR_CONFIG);
	assert_non_null(strstr(logged_errors, "expected null, Unix seconds"));
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
	assert_int_equal(
		parse("datatype: ProgrammingTask\nparameters: {firmware_file: a.hex}\n", &t),
		SHP_ERR_CONFIG);
	/* a ProgrammingTask is read now (test_task_list.c), but this one lacks two fields */
	assert_non_null(strstr(logged_errors, "parameters.mcu_type: required field of "
					      "ProgrammingTask is missing"));
	assert_non_null(strstr(logged_errors, "parameters.protocol: required field"));
	assert_int_equal(parse("datatype: ObserverTasks\nparameters: {}\n", &t), SHP_ERR_CONFIG);
	assert_non_null(
		strstr(logged_errors, "ObserverTasks is a list of tasks, only `run` takes"));
	assert_int_equal(parse("datatype: SleepTask\nparameters: {}\n", &t), SHP_ERR_CONFIG);
	assert_non_null(strstr(logged_errors,
			       "unknown task type 'SleepTask' (allowed: HarvestTask, "
			       "EmulationTask, ProgrammingTask, FirmwareModTask, "
			       "ObserverTasks, TestbedTasks)"));
	assert_int_equal(parse("datatype: HarvestTask\nparameters: 5\n", &t), SHP_ERR_CONFIG);
	assert_int_equal(parse("- just\n- a list\n", &t), SHP_ERR_CONFIG);
	assert_int_equal(parse("", &t), SHP_ERR_CONFIG);
	assert_int_equal(parse("datatype: [unclosed\n", &t), SHP_ERR_CONFIG);
	assert_int_equal(parse(WRAP "  output_path: a.h5\n  output_path: b.h5\n", &t),
			 SHP_ERR_CONFIG);
}

/* A ProgrammingTask and a FirmwareModTask dump every field and read back the same. */
static void node_task_dumps_read_back_the_same(void **state)
{
	(void)state;
	struct shp_task t, back;
	const char *prog = "datatype: ProgrammingTask\nparameters:\n"
			   "  firmware_file: '/tmp/a \"b\".ihx'\n  target_port: B\n  mcu_port: 2\n"
			   "  mcu_type: MSP430FR\n  voltage: 3.30000001\n  datarate: 64800\n"
			   "  protocol: SBW\n  simulate: true\n  verbose: 3\n";
	assert_int_equal(parse(prog, &t), SHP_OK);
	char *dump = task_to_yaml(&t, 0);
	assert_non_null(dump);
	assert_non_null(strstr(dump, "protocol: SBW\n"));
	char *wrapped = test_rewrap("datatype: ProgrammingTask\nparameters:\n", dump);
	assert_int_equal(parse(wrapped, &back), SHP_OK);
	const struct shp_programming *a = &t.programming, *b = &back.programming;
	assert_string_equal(b->firmware_file, "/tmp/a \"b\".ihx");
	assert_string_equal(b->firmware_file, a->firmware_file);
	assert_int_equal(b->target_port, 'B');
	assert_int_equal(b->mcu_port, 2);
	assert_string_equal(b->mcu_type, "MSP430FR");
	assert_same_double(b->voltage, 3.30000001);
	assert_int_equal(b->datarate, 64800);
	assert_int_equal(b->protocol, SHP_PROG_SBW);
	assert_true(b->simulate);
	assert_int_equal(b->verbose, 3);
	free(wrapped);
	free(dump);

	const char *mod = "datatype: FirmwareModTask\nparameters: {data: KLUv/SAEIQAAdGVzdA==, "
			  "data_type: elf, custom_id: 65535, firmware_file: /tmp/f.hex}\n";
	assert_int_equal(parse(mod, &t), SHP_OK);
	dump = task_to_yaml(&t, 0);
	assert_non_null(dump);
	wrapped = test_rewrap("datatype: FirmwareModTask\nparameters:\n", dump);
	assert_int_equal(parse(wrapped, &back), SHP_OK);
	assert_string_equal(back.firmware_mod.data, "KLUv/SAEIQAAdGVzdA==");
	assert_int_equal(back.firmware_mod.data_type, SHP_FW_ELF);
	assert_true(back.firmware_mod.has_custom_id);
	assert_int_equal(back.firmware_mod.custom_id, 65535);
	assert_string_equal(back.firmware_mod.firmware_file, "/tmp/f.hex");
	task_free(&t);
	task_free(&back);
	assert_null(t.firmware_mod.data);
	free(wrapped);
	free(dump);
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
	char *wrapped = test_rewrap(WRAP, dump);
	assert_non_null(wrapped);
	assert_int_equal(parse(wrapped, &back), SHP_OK);
	assert_string_equal(back.output_path, "/data/odd \"name\".h5");
	assert_int_equal(back.compression, SHP_COMP_NONE);
	assert_true(back.duration_s == 12.5);
	assert_true(back.time_start == 1893553445.0);
	assert_true(back.power_tracing.delay_s == 1.0);
	assert_false(back.sys_logging.present);
	free(wrapped);
	free(dump);
}

static void emulation_defaults(void **state)
{
	(void)state;
	struct shp_task t;
	assert_int_equal(parse(EMU, &t), SHP_OK);
	assert_int_equal(t.kind, SHP_TASK_EMULATION);
	assert_string_equal(t.input_path, "/data/hrv.h5");
	assert_false(t.has_output); /* output_path defaults to none */
	assert_int_equal(t.compression, SHP_COMP_LZF);
	assert_true(t.enable_io);
	assert_int_equal(t.io_port, 'A');
	assert_int_equal(t.pwr_port, 'A');
	assert_int_equal(t.aux_kind, SHP_AUX_VOLTAGE);
	assert_true(t.voltage_aux == 0.0);
	assert_string_equal(t.virtual_source.name, "neutral");
	assert_true(t.gpio_tracing.present);
	assert_int_equal(t.gpio_tracing.uart_baudrate, 115200);
	assert_int_equal(task_gpio_mask(&t), 0x3FF); /* all 18 target GPIOs: the ten cape bits */
	assert_true(t.uart_logging.present);
	assert_int_equal(t.uart_logging.baudrate, 115200);
	assert_int_equal(t.uart_logging.bytesize, 8);
	assert_int_equal(t.uart_logging.parity, 'N');
	/* an input is required */
	assert_int_equal(parse("datatype: EmulationTask\nparameters: {output_path: x.h5}\n", &t),
			 SHP_ERR_CONFIG);
	assert_non_null(strstr(logged_errors, "parameters.input_path"));
}

static void emulation_fields_are_read(void **state)
{
	(void)state;
	struct shp_task t;
	const char *yaml = EMU
		"  output_path: /data/emu/\n"
		"  duration: 30\n"
		"  enable_io: false\n"
		"  io_port: B\n"
		"  voltage_aux: buffer\n"
		"  virtual_source: {name: BQ25504, C_intermediate_uF: 47, "
		"LUT_output_efficiency: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, "
		"0.25]}\n"
		"  power_tracing: {delay: 1, duration: 5}\n"
		"  gpio_tracing: {gpios: [0, 1, 7, 17, 12], delay: 2}\n"
		"  uart_logging: {baudrate: 9600, bytesize: 7, stopbits: 2, parity: E}\n"
		"  gpio_actuation: null\n";
	assert_int_equal(parse(yaml, &t), SHP_OK);
	assert_true(t.has_output);
	assert_string_equal(t.output_path, "/data/emu/");
	assert_false(t.enable_io);
	assert_int_equal(t.io_port, 'B');
	assert_int_equal(t.aux_kind, SHP_AUX_BUFFER);
	assert_string_equal(t.virtual_source.name, "BQ25504");
	assert_true(t.virtual_source.C_intermediate_uF == 47);
	assert_true(t.virtual_source.LUT_output_efficiency[11] == 0.25);
	assert_true(t.virtual_source.enable_boost &&
		    t.virtual_source.I_intermediate_leak_nA == 330);
	assert_string_equal(t.virtual_source.harvester.name, "mppt_bq_solar");
	/* GPIO0 -> bit 8, GPIO1 -> bit 7, GPIO7 -> bit 0, GPIO17 -> bit 9, GPIO12 is not traced */
	assert_int_equal(task_gpio_mask(&t), (1u << 8) | (1u << 7) | (1u << 0) | (1u << 9));
	assert_true(t.gpio_tracing.delay_s == 2.0);
	assert_int_equal(t.uart_logging.baudrate, 9600);
	assert_int_equal(t.uart_logging.bytesize, 7);
	assert_true(t.uart_logging.stopbits == 2.0);
	assert_int_equal(t.uart_logging.parity, 'E');

	assert_int_equal(
		parse(EMU "  voltage_aux: 3.3\n  gpio_tracing: null\n  uart_logging: null\n", &t),
		SHP_OK);
	assert_true(t.voltage_aux == 3.3);
	assert_int_equal(task_gpio_mask(&t), 0);
	assert_false(t.uart_logging.present);
	assert_int_equal(parse(EMU "  gpio_tracing: {gpios: [2, 3, 4, 5, 6, 8]}\n", &t), SHP_OK);
	assert_int_equal(task_gpio_mask(&t), 0x7Eu);
}

static void emulation_values_are_checked(void **state)
{
	(void)state;
	struct shp_task t;
	static const char *const bad[] = {
		"  io_port: C\n",
		"  voltage_aux: 5\n",
		"  voltage_aux: mid\n",
		"  virtual_source: {name: magic}\n",
		"  virtual_source: neutral\n",
		"  virtual_source: {name: BQ25504, LUT_input_efficiency: [[0.1, 0.2], [0.3]]}\n",
		"  virtual_source: {name: BQ25504, harvester: {name: ivcurve}}\n",
		"  gpio_tracing: {gpios: [18]}\n",
		"  gpio_tracing: {gpios: 3}\n",
		"  gpio_tracing: {uart_decode: true}\n",
		"  gpio_tracing: {uart_pin: PIN8}\n",
		"  gpio_tracing: {uart_baudrate: 100}\n",
		"  uart_logging: {baudrate: 1234}\n",
		"  uart_logging: {bytesize: 9}\n",
		"  uart_logging: {stopbits: 3}\n",
		"  uart_logging: {parity: X}\n",
		"  gpio_actuation: {gpios: [1]}\n",
		"  virtual_harvester: {name: cv20}\n", /* a HarvestTask field */
		"  input_path: null\n",
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		char yaml[512];
		snprintf(yaml, sizeof(yaml), "datatype: EmulationTask\nparameters:\n%s%s", bad[k],
			 strstr(bad[k], "input_path") ? "" : "  input_path: a.h5\n");
		if (parse(yaml, &t) != SHP_ERR_CONFIG)
			fail_msg("accepted: %s", bad[k]);
	}
	/* a derived source may carry its own name */
	assert_int_equal(parse(EMU "  virtual_source: {name: mine, inherit_from: BQ25504}\n", &t),
			 SHP_OK);
	assert_string_equal(t.virtual_source.name, "mine");
	assert_true(t.virtual_source.C_intermediate_uF == 100);
}

static void emulation_dump_reads_back_the_same(void **state)
{
	(void)state;
	struct shp_task t, back;
	const char *yaml = EMU "  output_path: out.h5\n  voltage_aux: 2.5\n"
			       "  virtual_source: {name: direct, V_output_mV: 2000}\n"
			       "  gpio_tracing: {gpios: [3, 17], duration: 4}\n"
			       "  uart_logging: {baudrate: 460800, parity: O}\n";
	assert_int_equal(parse(yaml, &t), SHP_OK);
	char *dump = task_to_yaml(&t, 1893553445);
	assert_non_null(dump);
	char *wrapped = test_rewrap("datatype: EmulationTask\nparameters:\n", dump);
	assert_non_null(wrapped);
	assert_int_equal(parse(wrapped, &back), SHP_OK);
	assert_string_equal(back.input_path, "/data/hrv.h5");
	assert_string_equal(back.output_path, "out.h5");
	assert_true(back.voltage_aux == 2.5);
	assert_string_equal(back.virtual_source.name, "direct");
	assert_true(back.virtual_source.V_output_mV == 2000);
	assert_string_equal(back.virtual_source.harvester.name, "direct");
	assert_int_equal(task_gpio_mask(&back), task_gpio_mask(&t));
	assert_true(back.gpio_tracing.duration_s == 4.0);
	assert_int_equal(back.uart_logging.baudrate, 460800);
	assert_int_equal(back.uart_logging.parity, 'O');
	assert_true(back.time_start == 1893553445.0);
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
	collect_errors();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(minimal_task_gets_the_defaults),
		cmocka_unit_test(every_field_is_read),
		cmocka_unit_test(compression_spellings),
		cmocka_unit_test(unknown_key_names_key_line_and_allowed),
		cmocka_unit_test(wrong_types_and_ranges_are_rejected),
		cmocka_unit_test(durations_and_delays_are_bounded),
		cmocka_unit_test(time_start_is_bounded),
		cmocka_unit_test(all_problems_are_reported_together),
		cmocka_unit_test(wrapper_is_checked),
		cmocka_unit_test(dump_reads_back_the_same),
		cmocka_unit_test(node_task_dumps_read_back_the_same),
		cmocka_unit_test(missing_file_is_a_config_error),
		cmocka_unit_test(emulation_defaults),
		cmocka_unit_test(emulation_fields_are_read),
		cmocka_unit_test(emulation_values_are_checked),
		cmocka_unit_test(emulation_dump_reads_back_the_same),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
