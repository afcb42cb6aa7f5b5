/*
 * Unit tests of task_settings.c: harvesters and sources as task files give them, herd's
 * expanded fixtures and the predecessor's configs included, resolved to the PRU vectors of
 * pru-settings.md 3.5 and 4.4; every kind of bad input reported with its line and key; the
 * config dump read back to the same models.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "settings/model_fields.h"
#include "task/task.h"
#include "test_check.h"
#include "test_util.h"

static shp_err parse(const char *yaml, struct shp_task *task)
{
	reset_errors();
	return task_parse(yaml, strlen(yaml), "task.yaml", task);
}

static struct shp_task *load(const char *relative)
{
	static struct shp_task t;
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, relative);
	reset_errors();
	if (task_load(path, &t) != SHP_OK)
		fail_msg("%s: %s", relative, logged_errors);
	return &t;
}

#define HRV "datatype: HarvestTask\nparameters:\n  output_path: a.h5\n"
#define EMU "datatype: EmulationTask\nparameters:\n  input_path: in.h5\n"

static void assert_harvester_vector(const struct pru_harvester *o, const uint32_t want[12])
{
	const uint32_t have[12] = {o->algorithm,       o->hrv_mode,         o->window_size,
				   o->voltage_uV,      o->voltage_min_uV,   o->voltage_max_uV,
				   o->voltage_step_uV, o->current_limit_nA, o->setpoint_n8,
				   o->interval_n,      o->duration_n,       o->wait_cycles_n};
	for (int k = 0; k < 12; k++)
		if (have[k] != want[k])
			fail_msg("harvester field %d is %u, expected %u", k, have[k], want[k]);
}

static void herd_harvest_tasks(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		uint32_t vector[12];
	} files[] = {
		{"herd_tasks/herd_harvest_cv20.yaml",
		 {256, 6, 8, 2000000, 0, 5000000, 714286, 50000000, 179, 10000, 10, 1}},
		{"herd_tasks/herd_harvest_mppt_opt.yaml",
		 {16384, 6, 8, 2500000, 0, 5000000, 1000, 50000000, 179, 2, 2, 1}},
		{"herd_tasks/herd_harvest_default.yaml",
		 {16384, 6, 8, 2500000, 0, 5000000, 1000, 50000000, 179, 2, 2, 1}},
		{"upstream_configs/example_config_harvest.yaml", /* ivsurface */
		 {16, 4, 909, 2500000, 0, 5000000, 5507, 50000000, 179, 10000, 10, 0}},
	};
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		struct shp_task *t = load(files[k].file);
		struct pru_harvester out;
		assert_int_equal(vh_export_recording(&t->virtual_harvester, &out), SHP_OK);
		assert_harvester_vector(&out, files[k].vector);
	}
	assert_int_equal(vh_window_samples(&load(files[3].file)->virtual_harvester), 909);
}

static void herd_emulation_tasks(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		uint32_t scalar[24];
		uint32_t harvester[12];
		uint8_t lut_input_0_0;
	} files[] = {
		{"herd_tasks/herd_emulate_BQ25504.yaml",
		 {3,       0,       3000000, 100000000, 0,    0,       26843,   3000000,
		  330,     1000000, 0,       29227,     6400, 2800000, 2340000, 0,
		  1400000, 130000,  3600000, 2400000,   0,    17,      12,      0},
		 {4096, 7, 0, 2500000, 0, 5000000, 714286, 5000, 195, 1600000, 25600, 1},
		 3},
		{"herd_tasks/herd_emulate_dio_cap.yaml",
		 {1,       0,       10000000, 4200000000u, 300000, 0,       57113,   3000000,
		  0,       2000000, 1800000,  30877,       0,      2800000, 2200000, 1,
		  1400000, 0,       10000000, 2400000,     0,      0,       0,       0},
		 {256, 7, 0, 2000000, 0, 5000000, 714286, 50000000, 179, 10000, 16, 1},
		 255},
		{"herd_tasks/herd_emulate_diode+capacitor.yaml",
		 {1,       0,       10000000, 4200000000u, 300000, 0,       57113,   3000000,
		  0,       2000000, 1800000,  30877,       0,      2800000, 2200000, 1,
		  1400000, 0,       10000000, 2400000,     0,      0,       0,       0},
		 {256, 7, 0, 2000000, 0, 5000000, 714286, 50000000, 179, 10000, 16, 1},
		 255},
		{"herd_tasks/herd_emulate_default.yaml", /* neutral with mppt_opt */
		 {0,       0,    10000000, 4200000000u, 0, 0,       2684354560u, 3000000,
		  0,       1000, 0,        0,           0, 2800000, 2200000,     1,
		  1400000, 0,    10000000, 2400000,     0, 0,       0,           0},
		 {16384, 7, 0, 2500000, 0, 5000000, 1000, 50000000, 179, 16, 16, 1},
		 255},
	};
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		struct shp_task *t = load(files[k].file);
		struct pru_converter c;
		assert_int_equal(vs_export(&t->virtual_source, SHP_DTYPE_IVSAMPLE, false, &c),
				 SHP_OK);
		for (int s = 0; s < 24; s++)
			if (c.scalar[s] != files[k].scalar[s])
				fail_msg("%s: scalar %d is %u, expected %u", files[k].file, s,
					 c.scalar[s], files[k].scalar[s]);
		assert_int_equal(c.lut_input[0][0], files[k].lut_input_0_0);
		assert_int_equal(c.lut_output[11], 16);
		struct pru_harvester h;
		assert_int_equal(vh_export_emulation(&t->virtual_source.harvester,
						     SHP_DTYPE_IVSAMPLE, 0, NAN, &h),
				 SHP_OK);
		assert_harvester_vector(&h, files[k].harvester);
	}
	struct shp_task *t = load(files[0].file);
	struct pru_converter c;
	assert_int_equal(vs_export(&t->virtual_source, SHP_DTYPE_IVSAMPLE, false, &c), SHP_OK);
	assert_int_equal(c.lut_input[8][6], 218); /* 0.85 */
	assert_int_equal(c.lut_input[11][11], 230);
}

static void predecessors_emulation_config(void **state)
{
	(void)state;
	/* inherit_from BQ25570, the harvester named, three fields changed */
	struct shp_task *t = load("upstream_configs/example_config_emulation.yaml");
	const struct vsource *vs = &t->virtual_source;
	assert_string_equal(vs->name, "BQ25570");
	assert_true(vs->V_intermediate_init_mV == 3600 && vs->V_buck_drop_mV == 0 &&
		    vs->V_output_mV == 3000);
	assert_true(vs->enable_buck && vs->C_intermediate_uF == 33);
	assert_string_equal(vs->harvester.name, "mppt_bq_solar");
	struct pru_converter c;
	assert_int_equal(vs_export(vs, SHP_DTYPE_IVSAMPLE, false, &c), SHP_OK);
	assert_int_equal(c.scalar[7], 3600000);
	assert_int_equal(c.scalar[19], 3000000);
	assert_int_equal(c.scalar[20], 0);
	load("upstream_configs/test_config_emulation.yaml");
	load("upstream_configs/test_config_harvest.yaml");
}

static void defaults_and_names(void **state)
{
	(void)state;
	struct shp_task t;
	assert_int_equal(parse(HRV, &t), SHP_OK);
	assert_string_equal(t.virtual_harvester.name, "mppt_opt");
	assert_true(t.virtual_harvester.interval_ms == 0.01);
	assert_int_equal(parse(EMU, &t), SHP_OK);
	assert_string_equal(t.virtual_source.name, "neutral");
	assert_string_equal(t.virtual_source.harvester.name, "mppt_opt");
	assert_int_equal(parse(EMU "  virtual_source: {name: bq25570s}\n", &t), SHP_OK);
	assert_string_equal(t.virtual_source.name, "BQ25570s");
	assert_int_equal(parse(EMU "  virtual_source: {id: 1033}\n", &t), SHP_OK);
	assert_string_equal(t.virtual_source.name, "default");
	assert_int_equal(parse(HRV "  virtual_harvester: {id: 2102}\n", &t), SHP_OK);
	assert_string_equal(t.virtual_harvester.name, "cv10");
	/* an ivcurve recorder: the file's datatype and window follow */
	assert_int_equal(parse(HRV "  virtual_harvester: {name: iv1000, wait_cycles: 2}\n", &t),
			 SHP_OK);
	assert_int_equal(vh_datatype(&t.virtual_harvester), SHP_DTYPE_IVCURVE);
	assert_int_equal(vh_window_samples(&t.virtual_harvester), 300);
	/* a custom harvester, voltage_step_mV null: computed */
	assert_int_equal(parse(HRV "  virtual_harvester: {name: ramp, algorithm: ivcurves, "
				   "samples_n: 11, voltage_mV: 500, voltage_max_mV: 1000, "
				   "voltage_step_mV: null}\n",
			       &t),
			 SHP_OK);
	assert_true(t.virtual_harvester.algorithm == VH_IVCURVE &&
		    t.virtual_harvester.voltage_step_mV == 100);
}

/* The task is refused and the log has every one of the wanted texts. */
static void refused(const char *yaml, const char *const *wanted)
{
	struct shp_task t;
	if (parse(yaml, &t) != SHP_ERR_CONFIG)
		fail_msg("accepted:\n%s", yaml);
	for (; *wanted; wanted++)
		if (!strstr(logged_errors, *wanted))
			fail_msg("no '%s' in:\n%s", *wanted, logged_errors);
}

#define REFUSED(yaml, ...) refused(yaml, (const char *const[]){__VA_ARGS__, NULL})

static void bad_harvesters(void **state)
{
	(void)state;
	REFUSED(HRV "  virtual_harvester: {name: cv20, voltage: 3}\n",
		"task.yaml:4:35: parameters.virtual_harvester.voltage: unknown field of "
		"VirtualHarvesterConfig (allowed: name, algorithm, samples_n, voltage_mV",
		"visible2all)");
	REFUSED(HRV "  virtual_harvester: {name: mppt_opx}\n",
		"task.yaml:4:29: parameters.virtual_harvester.name: no harvester fixture is named "
		"'mppt_opx' (known: neutral (1000), ivcurve (1100)",
		"mppt_opt (2206), direct (3000))");
	REFUSED(HRV "  virtual_harvester:\n    name: cv20\n    voltage_mV: 6000\n",
		"task.yaml:6:17: parameters.virtual_harvester.voltage_mV: 6000 is out of range (0 "
		"<= voltage_mV <= 5000)");
	REFUSED(HRV "  virtual_harvester: {name: cv20, voltage_mV: high}\n",
		"parameters.virtual_harvester.voltage_mV: expected a number, found a string "
		"'high'");
	REFUSED(HRV "  virtual_harvester: {name: cv20, samples_n: 8.5}\n",
		"samples_n: expected an integer from 8 to 2000, found a number '8.5'");
	REFUSED(HRV "  virtual_harvester: {name: cv20, samples_n: 7}\n",
		"expected an integer from 8 to 2000, found an integer '7'");
	REFUSED(HRV "  virtual_harvester: {name: cv20, rising: 1}\n",
		"rising: expected true or false");
	REFUSED(HRV "  virtual_harvester: {name: cv20, algorithm: mppt}\n",
		"algorithm: unknown algorithm 'mppt' (allowed: neutral (direct, disable)");
	REFUSED(HRV "  virtual_harvester: {name: neutral}\n", "'neutral' is the base");
	REFUSED(HRV "  virtual_harvester: {name: direct}\n",
		"task.yaml:4:22: parameters.virtual_harvester: harvester 'direct' (algorithm "
		"neutral) cannot record");
	REFUSED(HRV "  virtual_harvester: mppt_opt\n", "expected a mapping");
	REFUSED(HRV "  virtual_harvester: {name: cv20, name: cv10}\n", "name: given twice");
	REFUSED(HRV "  virtual_harvester: {inherit_from: cv99}\n",
		"task.yaml:4:37: parameters.virtual_harvester.inherit_from: no harvester "
		"fixture is named 'cv99'");
	REFUSED(HRV "  virtual_harvester: {id: 77}\n",
		"task.yaml:4:27: parameters.virtual_harvester.id: no harvester fixture has the id 77");
	REFUSED(HRV "  virtual_harvester: {name: cv20, id: -1}\n", "id: expected a fixture id");
	REFUSED(HRV "  virtual_harvester: {name: cv20, visible2all: maybe}\n",
		"visible2all: expected true or false");
	REFUSED(HRV "  virtual_harvester: {name: cv20, description: [a]}\n",
		"description: expected text, found a list");
	REFUSED(HRV "  virtual_harvester: {name: cv20, voltage_min_mV: 2500}\n",
		"voltage_mV: voltage_mV (2000) is outside voltage_min_mV .. voltage_max_mV");
	/* every problem of the mapping at once: two, and the summary */
	REFUSED(HRV "  virtual_harvester: {name: cv20, voltage_mV: 6000, setpoint_n: 3}\n",
		"voltage_mV: 6000", "setpoint_n: 3 is out of range");
	assert_int_equal(errors_logged, 3);
}

static void bad_sources(void **state)
{
	(void)state;
	REFUSED(EMU "  virtual_source: {name: BQ25504, harvester: {name: isc_voc}}\n",
		"task.yaml:4:46: parameters.virtual_source.harvester: harvester 'isc_voc' "
		"(algorithm isc_voc) records isc_voc data and cannot emulate");
	REFUSED(EMU "  virtual_source: {name: dio_cap, harvester: {name: ivcurve}}\n",
		"records ivcurve data and cannot emulate");
	REFUSED(EMU "  virtual_source: {inherit_from: BQ2550, V_output_mV: 3300}\n",
		"task.yaml:4:34: parameters.virtual_source.inherit_from: no source "
		"fixture is named 'BQ2550' (known: neutral (1000), direct (1010)",
		"default (1033))");
	REFUSED(EMU "  virtual_source: {name: BQ2557O}\n",
		"parameters.virtual_source.name: no source fixture is named 'BQ2557O'");
	REFUSED(EMU "  virtual_source: {name: BQ25504, V_output: 3300}\n",
		"parameters.virtual_source.V_output: unknown field of VirtualSourceConfig (allowed: "
		"name, enable_boost");
	REFUSED(EMU "  virtual_source: {name: BQ25504, harvester: {name: mppt_voc, setpoint_n: "
		    "2}}\n",
		"task.yaml:4:75: parameters.virtual_source.harvester.setpoint_n: 2 is out of "
		"range");
	REFUSED(EMU "  virtual_source: {name: BQ25504, harvester: {name: mppt_voc, frob: 2}}\n",
		"parameters.virtual_source.harvester.frob: unknown field of VirtualHarvesterConfig");
	REFUSED(EMU "  virtual_source: {name: BQ25504, C_intermediate_uF: -1}\n",
		"C_intermediate_uF: -1 is out of range (0 <= C_intermediate_uF <= 100000)");
	REFUSED(EMU "  virtual_source: {name: BQ25504, LUT_input_I_min_log2_nA: 0}\n",
		"expected an integer from 1 to 20, found an integer '0'");
	REFUSED(EMU "  virtual_source: {name: BQ25504, harvester: cv20}\n",
		"parameters.virtual_source.harvester: expected a mapping of VirtualHarvesterConfig");
	/* tables: rows, columns, entries, each at its line */
	char lut[2048] = EMU "  virtual_source:\n    name: BQ25504\n    LUT_input_efficiency:\n";
	for (int r = 0; r < 11; r++)
		strcat(lut, "    - [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n");
	REFUSED(lut, "task.yaml:7:5: parameters.virtual_source.LUT_input_efficiency: expected a "
		     "list of 12 rows (input voltage) of 12 efficiencies (input current), found a "
		     "list of 11 rows");
	strcat(lut, "    - [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n");
	REFUSED(lut, "task.yaml:18:7: parameters.virtual_source.LUT_input_efficiency[11]: "
		     "expected a list of 12 efficiencies (0 to 1), found a list of 11 entries");
	REFUSED(EMU "  virtual_source:\n    name: BQ25504\n    LUT_output_efficiency: [1, 1, 1, "
		    "1, 1, 1.5, 1, 1, 1, 1, 1, 1]\n",
		"task.yaml:6:44: parameters.virtual_source.LUT_output_efficiency: entry [5] = 1.5 "
		"is out of range (0 to 1)");
	REFUSED(EMU "  virtual_source: {name: BQ25504, LUT_output_efficiency: [1, 1, 1, 1, 1, "
		    "x, 1, 1, 1, 1, 1, 1]}\n",
		"LUT_output_efficiency: entry [5]: expected a number, found a string 'x'");
}

static void same_harvester(const struct vharvester *a, const struct vharvester *b)
{
	for (int k = 0; k < VHF_COUNT; k++)
		if (memcmp((const char *)a + vh_fields[k].offset,
			   (const char *)b + vh_fields[k].offset, vh_fields[k].size) != 0)
			fail_msg("harvester field %s differs", vh_fields[k].name);
}

static void dump_reads_back_to_the_same_models(void **state)
{
	(void)state;
	static struct shp_task t, back;
	assert_int_equal(parse(HRV "  virtual_harvester: {name: mine, algorithm: mppt_po, "
				   "voltage_mV: 1234.5678, interval_ms: 0.015, setpoint_n: 1e-5, "
				   "rising: false, wait_cycles: 3}\n",
			       &t),
			 SHP_OK);
	char *dump = task_to_yaml(&t, 1893553445);
	assert_non_null(dump);
	assert_non_null(
		strstr(dump, "virtual_harvester:\n  name: \"mine\"\n  algorithm: mppt_po\n"));
	assert_non_null(strstr(dump, "  setpoint_n: 1.0e-05\n"));
	assert_non_null(strstr(dump, "  voltage_max_mV: 5000.0\n"));
	char *wrapped = test_rewrap("datatype: HarvestTask\nparameters:\n", dump);
	assert_non_null(wrapped);
	assert_int_equal(parse(wrapped, &back), SHP_OK);
	same_harvester(&t.virtual_harvester, &back.virtual_harvester);
	free(wrapped);
	free(dump);

	assert_int_equal(parse(EMU "  virtual_source: {inherit_from: BQ25570, V_output_mV: 3300, "
				   "harvester: {name: cv33, voltage_mV: 3100.25}}\n",
			       &t),
			 SHP_OK);
	dump = task_to_yaml(&t, 1893553445);
	assert_non_null(dump);
	assert_non_null(strstr(dump, "  harvester:\n    name: \"cv33\"\n    algorithm: cv\n"));
	assert_non_null(strstr(dump, "  LUT_output_efficiency: [0.4, 0.5, 0.6, 0.73, 0.82, "));
	assert_non_null(strstr(dump, "  LUT_input_efficiency: [[0.01, 0.01, 0.02, 0.05, 0.1, "));
	wrapped = test_rewrap("datatype: EmulationTask\nparameters:\n", dump);
	assert_non_null(wrapped);
	assert_int_equal(parse(wrapped, &back), SHP_OK);
	same_harvester(&t.virtual_source.harvester, &back.virtual_source.harvester);
	for (int k = 0; k < VSF_COUNT; k++)
		if (vs_fields[k].type != SFT_HARVESTER &&
		    memcmp((const char *)&t.virtual_source + vs_fields[k].offset,
			   (const char *)&back.virtual_source + vs_fields[k].offset,
			   vs_fields[k].size) != 0)
			fail_msg("source field %s differs", vs_fields[k].name);
	assert_true(back.virtual_source.harvester.voltage_mV == 3100.25);
	free(wrapped);
	free(dump);
}

int main(void)
{
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	collect_errors();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(herd_harvest_tasks),
		cmocka_unit_test(herd_emulation_tasks),
		cmocka_unit_test(predecessors_emulation_config),
		cmocka_unit_test(defaults_and_names),
		cmocka_unit_test(bad_harvesters),
		cmocka_unit_test(bad_sources),
		cmocka_unit_test(dump_reads_back_to_the_same_models),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
