/* Unit tests of cape.c: the aux word (node-control.md 2.4) and the pins in a GPIO tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/cape.h"
#include "settings/calibration.h"
#include "sheep/run_settings.h"
#include "task/task.h"

static void default_calibration_gives_the_spec_examples(void **state)
{
	(void)state;
	static const struct {
		double volts;
		uint32_t word;
	} rows[] = {
		{0.0, 0},     {1.0, 13107}, {1.5, 19660}, {1.8, 23593}, {2.0, 26214},
		{2.5, 32768}, {3.0, 39321}, {3.3, 43253}, {4.5, 58982}, {5.0, 65535},
	};
	struct shp_cal_pair cal = cape_aux_default_cal();
	assert_true(cal.gain == 1.0 / 13107.0);
	assert_true(cal.offset == 0.0);
	for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		uint32_t word = 1;
		assert_int_equal(cape_aux_word(rows[k].volts, &cal, &word), SHP_OK);
		if (word != rows[k].word)
			fail_msg("%g V: word %u, wanted %u", rows[k].volts, word, rows[k].word);
	}
}

static void out_of_range_is_refused(void **state)
{
	(void)state;
	struct shp_cal_pair cal = cape_aux_default_cal();
	const double bad[] = {-0.001, -1.0, 5.0000001, 6.0, 1e9, NAN};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		uint32_t word = 77;
		assert_int_equal(cape_aux_word(bad[k], &cal, &word), SHP_ERR_CONFIG);
		assert_int_equal(word, 77);
	}
}

static void offsets_clamp_at_zero_and_the_top(void **state)
{
	(void)state;
	uint32_t word = 1;
	struct shp_cal_pair high = {.gain = 1.0 / 13107.0, .offset = 0.5};
	assert_int_equal(cape_aux_word(0.2, &high, &word), SHP_OK);
	assert_int_equal(word, 0); /* max(0, negative) */
	struct shp_cal_pair low = {.gain = 1.0 / 13107.0, .offset = -0.5};
	assert_int_equal(cape_aux_word(5.0, &low, &word), SHP_OK);
	assert_int_equal(word, 65535); /* clamped */
	struct shp_cal_pair even = {.gain = 1.0, .offset = 0.0};
	assert_int_equal(cape_aux_word(2.5, &even, &word), SHP_OK);
	assert_int_equal(word, 2); /* half to even */
	assert_int_equal(cape_aux_word(3.5, &even, &word), SHP_OK);
	assert_int_equal(word, 4);
}

static void flags_are_the_spec_bits(void **state)
{
	(void)state;
	assert_int_equal(CAPE_AUX_MAIN, 1u << 20);
	assert_int_equal(CAPE_AUX_BUFFER, 1u << 21);
	assert_true(cape_port_is_a('A'));
	assert_false(cape_port_is_a('B'));
}

/* An emulation's voltage_aux takes the same word through the run's calibration (2.7). */
static void an_emulations_aux_word_is_the_capes(void **state)
{
	(void)state;
	struct run_settings rs;
	memset(&rs, 0, sizeof(rs));
	cal_nominal(&rs.cape);
	struct shp_task task;
	memset(&task, 0, sizeof(task));
	task.aux_kind = SHP_AUX_VOLTAGE;
	task.voltage_aux = 2.5;
	assert_int_equal(run_settings_aux_word(&rs, &task), 32768);
	task.voltage_aux = 0.0;
	assert_int_equal(run_settings_aux_word(&rs, &task), 0);
	rs.cape.emulator.dac_V_A = (struct shp_cal_pair){.gain = 1.0, .offset = 0.0};
	task.voltage_aux = 3.5;
	assert_int_equal(run_settings_aux_word(&rs, &task), 4); /* half to even */
	task.aux_kind = SHP_AUX_MAIN;
	assert_int_equal(run_settings_aux_word(&rs, &task), CAPE_AUX_MAIN);
	task.aux_kind = SHP_AUX_BUFFER;
	assert_int_equal(run_settings_aux_word(&rs, &task), CAPE_AUX_BUFFER);
}

static char *read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void pins_are_exported_set_and_kept(void **state)
{
	(void)state;
	char root[] = "/tmp/test_cape_XXXXXX";
	assert_non_null(mkdtemp(root));
	char path[256], buf[16];
	struct cape c;
	cape_init(&c, root);
	/* a tree whose export does nothing: the missing pin is named */
	snprintf(path, sizeof(path), "%s/export", root);
	FILE *f = fopen(path, "w");
	fclose(f);
	assert_int_equal(cape_pin(&c, 23, true), SHP_ERR_SYSFS);
	assert_non_null(strstr(c.why, "gpio23"));
	/* a present pin: direction out, then the level; an output only gets its level */
	snprintf(path, sizeof(path), "%s/gpio23", root);
	assert_int_equal(mkdir(path, 0755), 0);
	for (int k = 0; k < 2; k++) { /* sysfs has the files: a write never creates them */
		snprintf(path, sizeof(path), "%s/gpio23/%s", root, k ? "value" : "direction");
		f = fopen(path, "w");
		fputs(k ? "0" : "in", f);
		fclose(f);
	}
	assert_int_equal(cape_pin(&c, 23, true), SHP_OK);
	snprintf(path, sizeof(path), "%s/gpio23/direction", root);
	assert_string_equal(read_file(path, buf, sizeof(buf)), "out");
	snprintf(path, sizeof(path), "%s/gpio23/value", root);
	assert_string_equal(read_file(path, buf, sizeof(buf)), "1");
	assert_int_equal(cape_pin(&c, 23, false), SHP_OK);
	assert_string_equal(read_file(path, buf, sizeof(buf)), "0");
	/* no tree at all */
	struct cape none;
	cape_init(&none, "/nonexistent/gpio");
	assert_int_equal(cape_pin(&none, 23, true), SHP_ERR_SYSFS);
	assert_non_null(strstr(none.why, "no GPIO tree at /nonexistent/gpio"));
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_calibration_gives_the_spec_examples),
		cmocka_unit_test(out_of_range_is_refused),
		cmocka_unit_test(offsets_clamp_at_zero_and_the_top),
		cmocka_unit_test(flags_are_the_spec_bits),
		cmocka_unit_test(an_emulations_aux_word_is_the_capes),
		cmocka_unit_test(pins_are_exported_set_and_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
