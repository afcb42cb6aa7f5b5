/*
 * Unit tests of pru_settings.c and pru_settings_text.c: the exact text of each block, the parser
 * of the kernel's read format, the field-by-field comparison, and pru_settings_apply() against a
 * directory of plain files with a thread in the kernel's place (it watches the writes with
 * inotify and answers through a pru_msg_box FIFO, as the simulator does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "pru/pru_settings.h"
#include "test_util.h"

static char logged[16384];

static void capture(void *ctx, uint64_t time_ns, int level, const char *msg)
{
	(void)ctx;
	(void)time_ns;
	(void)level;
	size_t used = strlen(logged);
	snprintf(logged + used, sizeof(logged) - used, "%s\n", msg);
}

static int clear_log(void **state)
{
	(void)state;
	logged[0] = '\0';
	return 0;
}

#define assert_logged(text)                                                                        \
	do {                                                                                       \
		if (!strstr(logged, text))                                                         \
			fail_msg("not logged: '%s'; log:\n%s", text, logged);                      \
	} while (0)

static const struct pru_calibration test_cal = {57103, -2622240, 256000000, 0, 13750, 795};
static const struct pru_harvester test_hrv = {16,   4,        909, 2500000, 0,  5000000,
					      5507, 50000000, 179, 10000,   10, 0};

static void fill_converter(struct pru_converter *c)
{
	for (unsigned k = 0; k < 24; k++)
		c->scalar[k] = 1000 + k;
	c->scalar[6] = 57114;
	for (unsigned r = 0; r < 12; r++)
		for (unsigned i = 0; i < 12; i++)
			c->lut_input[r][i] = (uint8_t)(r * 20 + i);
	for (unsigned k = 0; k < 12; k++)
		c->lut_output[k] = 16 + k;
}

/* The converter's text built independently: one line per scalar, then the two tables. */
static void converter_expected(const struct pru_converter *c, char *buf, size_t len)
{
	size_t used = 0;
	for (unsigned k = 0; k < 24; k++)
		used += (size_t)snprintf(buf + used, len - used, "%u \n", c->scalar[k]);
	for (unsigned k = 0; k < 144; k++)
		used += (size_t)snprintf(buf + used, len - used, "%u%s",
					 c->lut_input[k / 12][k % 12], k == 143 ? " \n" : " ");
	for (unsigned k = 0; k < 12; k++)
		used += (size_t)snprintf(buf + used, len - used, "%u%s", c->lut_output[k],
					 k == 11 ? " \n" : " ");
}

static void calibration_text_is_three_lines_without_final_newline(void **state)
{
	(void)state;
	char buf[PRU_SETTINGS_TEXT_MAX];
	const char *want = "57103 -2622240 \n256000000 0 \n13750 795";
	assert_int_equal(pru_calibration_text(&test_cal, buf, sizeof(buf)), strlen(want));
	assert_string_equal(buf, want);
	struct pru_calibration extremes = {UINT32_MAX, INT32_MIN, 0, INT32_MAX, 1, -1};
	pru_calibration_text(&extremes, buf, sizeof(buf));
	assert_string_equal(buf, "4294967295 -2147483648 \n0 2147483647 \n1 -1");
}

static void harvester_text_is_twelve_lines(void **state)
{
	(void)state;
	char buf[PRU_SETTINGS_TEXT_MAX];
	const char *want = "16 \n4 \n909 \n2500000 \n0 \n5000000 \n5507 \n50000000 \n179 \n10000 \n"
			   "10 \n0 \n";
	assert_int_equal(pru_harvester_text(&test_hrv, buf, sizeof(buf)), strlen(want));
	assert_string_equal(buf, want);
}

static void converter_text_is_scalars_then_tables(void **state)
{
	(void)state;
	static struct pru_converter c;
	fill_converter(&c);
	char buf[PRU_SETTINGS_TEXT_MAX], want[PRU_SETTINGS_TEXT_MAX];
	converter_expected(&c, want, sizeof(want));
	assert_int_equal(pru_converter_text(&c, buf, sizeof(buf)), strlen(want));
	assert_string_equal(buf, want);
	/* spot checks of the layout itself */
	assert_int_equal(strncmp(buf, "1000 \n1001 \n", 12), 0);
	assert_non_null(strstr(buf, "\n1023 \n0 1 2 3 4 5 6 7 8 9 10 11 20 21 "));
	assert_non_null(strstr(buf, " 230 231 \n16 17 18 19 20 21 22 23 24 25 26 27 \n"));
	unsigned lines = 0;
	for (const char *p = buf; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 26);
}

static void text_that_does_not_fit_gives_zero(void **state)
{
	(void)state;
	char buf[20];
	assert_int_equal(pru_calibration_text(&test_cal, buf, sizeof(buf)), 0);
	assert_int_equal(pru_harvester_text(&test_hrv, buf, 1), 0);
}

static void field_names(void **state)
{
	(void)state;
	char name[48];
	assert_string_equal(pru_token_name(PRU_BLOCK_CONVERTER, 6, name, sizeof(name)),
			    "Constant_us_per_nF_n28");
	assert_string_equal(pru_token_name(PRU_BLOCK_CONVERTER, 23, name, sizeof(name)),
			    "LUT_output_I_min_log2_nA");
	assert_string_equal(pru_token_name(PRU_BLOCK_CONVERTER, 24, name, sizeof(name)),
			    "LUT_inp_efficiency_n8[0][0]");
	assert_string_equal(pru_token_name(PRU_BLOCK_CONVERTER, 167, name, sizeof(name)),
			    "LUT_inp_efficiency_n8[11][11]");
	assert_string_equal(pru_token_name(PRU_BLOCK_CONVERTER, 179, name, sizeof(name)),
			    "LUT_out_inv_efficiency_n4[11]");
	assert_string_equal(pru_token_name(PRU_BLOCK_HARVESTER, 8, name, sizeof(name)),
			    "setpoint_n8");
	assert_string_equal(pru_token_name(PRU_BLOCK_CALIBRATION, 5, name, sizeof(name)),
			    "dac_voltage_offset");
}

static void parses_the_kernels_read_format(void **state)
{
	(void)state;
	struct pru_calibration cal;
	assert_int_equal(pru_calibration_parse("57103 -2622240 \n256000000 0 \n13750 795 \n", &cal),
			 SHP_OK);
	assert_memory_equal(&cal, &test_cal, sizeof(cal));
	struct pru_harvester hrv;
	assert_int_equal(pru_harvester_parse("16 \n4 \n909 \n2500000 \n0 \n5000000 \n5507 \n"
					     "50000000 \n179 \n10000 \n10 \n0 \n",
					     &hrv),
			 SHP_OK);
	assert_memory_equal(&hrv, &test_hrv, sizeof(hrv));
	/* what sysfs_read() leaves: trailing white space stripped */
	static struct pru_converter c, back;
	fill_converter(&c);
	char text[PRU_SETTINGS_TEXT_MAX];
	converter_expected(&c, text, sizeof(text));
	text[strlen(text) - 2] = '\0';
	assert_int_equal(pru_converter_parse(text, &back), SHP_OK);
	assert_memory_equal(&back, &c, sizeof(c));
}

static void parser_is_strict(void **state)
{
	(void)state;
	struct pru_calibration cal;
	struct pru_harvester hrv;
	static struct pru_converter conv;
	assert_int_equal(pru_calibration_parse("1 2 \n3 4 \n5", &cal), SHP_ERR_SYSFS);
	assert_logged("calibration_settings: expected 6 numbers, found 5: '1 2 \\n3 4 \\n5'");
	assert_int_equal(pru_calibration_parse("1 2 3 4 5 6 7", &cal), SHP_ERR_SYSFS);
	assert_logged("expected 6 numbers, found 7");
	assert_int_equal(pru_calibration_parse("1 2 3 x4 5 6", &cal), SHP_ERR_SYSFS);
	assert_logged(
		"calibration_settings: field 3 (adc_voltage_offset) reads 'x4', not a decimal number");
	assert_int_equal(pru_calibration_parse("-1 2 3 4 5 6", &cal), SHP_ERR_SYSFS);
	assert_logged("field 0 (adc_current_gain) reads -1, outside the field's range");
	assert_int_equal(pru_calibration_parse("1 -2147483649 3 4 5 6", &cal), SHP_ERR_SYSFS);
	assert_int_equal(pru_calibration_parse("1 2147483648 3 4 5 6", &cal), SHP_ERR_SYSFS);
	assert_int_equal(pru_calibration_parse("4294967296 2 3 4 5 6", &cal), SHP_ERR_SYSFS);
	assert_int_equal(pru_calibration_parse("", &cal), SHP_ERR_SYSFS);
	assert_int_equal(pru_calibration_parse("+1 2 3 4 5 6", &cal), SHP_ERR_SYSFS);
	assert_int_equal(pru_harvester_parse("0 200 201 202 203 204 205 206 207 208 209", &hrv),
			 SHP_ERR_SYSFS);
	assert_logged("virtual_harvester_settings: expected 12 numbers, found 11");
	assert_int_equal(
		pru_harvester_parse("0 200 201 202 203 204 205 206 207 208 209 9999999999", &hrv),
		SHP_ERR_SYSFS);
	/* a byte of the input table must read back as a byte */
	static struct pru_converter c;
	fill_converter(&c);
	char text[PRU_SETTINGS_TEXT_MAX];
	converter_expected(&c, text, sizeof(text));
	char *lut = strstr(text, "\n0 1 2 ");
	lut[2] = '9'; /* "0 1" becomes "091": one token fewer */
	assert_int_equal(pru_converter_parse(text, &conv), SHP_ERR_SYSFS);
	assert_logged("virtual_converter_settings: expected 180 numbers, found 179");
	int64_t tok[PRU_CONVERTER_TOKENS];
	pru_converter_to_tokens(&c, tok);
	tok[24] = 256;
	pru_block_format(PRU_BLOCK_CONVERTER, tok, PRU_TEXT_READ, text, sizeof(text));
	assert_int_equal(pru_converter_parse(text, &conv), SHP_ERR_SYSFS);
	assert_logged(
		"field 24 (LUT_inp_efficiency_n8[0][0]) reads 256, outside the field's range");
}

static void comparison_names_each_differing_field(void **state)
{
	(void)state;
	static struct pru_converter w, r;
	fill_converter(&w);
	r = w;
	assert_int_equal(pru_converter_compare(&w, &r), SHP_OK);
	r.scalar[6] = 57113;
	r.lut_input[0][6] = 7;
	r.lut_output[11] = 1;
	assert_int_equal(pru_converter_compare(&w, &r), SHP_ERR_PRU);
	assert_logged(
		"virtual_converter_settings: field 6 (Constant_us_per_nF_n28) reads 57113, 57114 was written");
	assert_logged(
		"virtual_converter_settings: field 30 (LUT_inp_efficiency_n8[0][6]) reads 7, 6 was written");
	assert_logged(
		"virtual_converter_settings: field 179 (LUT_out_inv_efficiency_n4[11]) reads 1, 27 was written");
	struct pru_calibration cal = test_cal;
	assert_int_equal(pru_calibration_compare(&test_cal, &cal), SHP_OK);
	cal.adc_current_offset = -5;
	assert_int_equal(pru_calibration_compare(&test_cal, &cal), SHP_ERR_PRU);
	assert_logged(
		"calibration_settings: field 1 (adc_current_offset) reads -5, -2622240 was written");
	struct pru_harvester hrv = test_hrv;
	hrv.wait_cycles_n = 3;
	assert_int_equal(pru_harvester_compare(&test_hrv, &hrv), SHP_ERR_PRU);
	assert_logged(
		"virtual_harvester_settings: field 11 (wait_cycles_n) reads 3, 0 was written");
	/* many differences: the first few and a count */
	for (unsigned k = 0; k < 24; k++)
		r.scalar[k] = 0;
	assert_int_equal(pru_converter_compare(&w, &r), SHP_ERR_PRU);
	assert_logged(
		"virtual_converter_settings: 26 fields differ from what was written, the first 8 are above");
}

/* ---- pru_settings_apply() against plain files ------------------------------------------ */

struct fake_kernel {
	char dir[64];
	int fifo, inotify;
	pthread_t thread;
	atomic_bool stop;
	bool answer;          /* post 0xF0 when mode is written */
	const char *refuse;   /* the first write of this file: its old text back, then 0xE0 */
	const char *old_text; /* that old text */
	const char *tamper;   /* before the 0xF0: this file gets tamper_text */
	const char *tamper_text;
	char order[8][40]; /* the files written, in order */
	atomic_uint n_order;
};

static void put_file(const char *dir, const char *name, const char *text)
{
	test_write_file(dir, name, text);
}

/* One record in the FIFO, and wait until the reader took it (it reads one record per open). */
static void post(struct fake_kernel *k, const char *record)
{
	if (write(k->fifo, record, strlen(record)) < 0)
		return;
	for (int n = 0; n < 2000 && !atomic_load(&k->stop); n++) {
		int pending = 0;
		if (ioctl(k->fifo, FIONREAD, &pending) != 0 || pending == 0)
			return;
		usleep(1000);
	}
}

static void on_write(struct fake_kernel *k, const char *name)
{
	unsigned n = atomic_load(&k->n_order);
	if (n < 8) {
		snprintf(k->order[n], sizeof(k->order[n]), "%s", name);
		atomic_store(&k->n_order, n + 1);
	}
	if (k->refuse && strcmp(name, k->refuse) == 0) {
		k->refuse = NULL; /* the rewrite below raises an event of its own */
		put_file(k->dir, name, k->old_text);
		post(k, "224 0 0\n");
	}
	if (strcmp(name, "mode") == 0) {
		if (k->tamper)
			put_file(k->dir, k->tamper, k->tamper_text);
		if (k->answer)
			post(k, "240 0 0\n");
	}
}

static void *fake_kernel_run(void *arg)
{
	struct fake_kernel *k = arg;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	while (!atomic_load(&k->stop)) {
		struct pollfd pfd = {.fd = k->inotify, .events = POLLIN};
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		ssize_t n = read(k->inotify, buf, sizeof(buf));
		for (char *p = buf; n > 0 && p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)(void *)p;
			p += sizeof(*ev) + ev->len;
			if (ev->len)
				on_write(k, ev->name);
		}
	}
	return NULL;
}

static void fake_kernel_start(struct fake_kernel *k, const char *state_text)
{
	assert_non_null(test_tmpdir(k->dir, sizeof(k->dir)));
	put_file(k->dir, "state", state_text);
	put_file(k->dir, "mode", "harvester");
	put_file(k->dir, "time_stop", "None");
	put_file(k->dir, "calibration_settings", "255 -1 \n254 -2 \n253 -3 \n");
	put_file(k->dir, "virtual_harvester_settings", "0 \n200 \n");
	put_file(k->dir, "virtual_converter_settings", "100 \n");
	char path[128];
	snprintf(path, sizeof(path), "%s/pru_msg_box", k->dir);
	assert_int_equal(mkfifo(path, 0666), 0);
	k->fifo = open(path, O_RDWR | O_NONBLOCK);
	assert_true(k->fifo >= 0);
	k->inotify = inotify_init1(IN_NONBLOCK);
	assert_true(inotify_add_watch(k->inotify, k->dir, IN_CLOSE_WRITE) >= 0);
	atomic_store(&k->stop, false);
	atomic_store(&k->n_order, 0);
	assert_int_equal(pthread_create(&k->thread, NULL, fake_kernel_run, k), 0);
}

static void fake_kernel_stop(struct fake_kernel *k)
{
	atomic_store(&k->stop, true);
	pthread_join(k->thread, NULL);
	close(k->fifo);
	close(k->inotify);
	test_rm_rf(k->dir);
}

static void read_file(const struct fake_kernel *k, const char *name, char *buf, size_t len)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", k->dir, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void apply_writes_in_the_emulators_order_and_checks(void **state)
{
	(void)state;
	struct fake_kernel k = {.answer = true};
	static struct pru_converter conv;
	fill_converter(&conv);
	fake_kernel_start(&k, "idle");
	struct shp_sysfs s;
	assert_int_equal(sysfs_open(&s, k.dir), SHP_OK);
	struct pru_settings set = {&test_cal, &test_hrv, &conv};
	assert_int_equal(pru_settings_apply(&s, "emulator", &set), SHP_OK);
	fake_kernel_stop(&k);
	assert_int_equal(atomic_load(&k.n_order), 4);
	assert_string_equal(k.order[0], "calibration_settings");
	assert_string_equal(k.order[1], "virtual_converter_settings");
	assert_string_equal(k.order[2], "virtual_harvester_settings");
	assert_string_equal(k.order[3], "mode");
	assert_logged("PRU settings written and read back (3 of 3 files, mode emulator)");
}

static void apply_writes_in_the_harvesters_order(void **state)
{
	(void)state;
	struct fake_kernel k = {.answer = true};
	fake_kernel_start(&k, "idle");
	struct shp_sysfs s;
	assert_int_equal(sysfs_open(&s, k.dir), SHP_OK);
	struct pru_settings set = {.calibration = &test_cal, .harvester = &test_hrv};
	assert_int_equal(pru_settings_apply(&s, "harvester", &set), SHP_OK);
	char text[256];
	read_file(&k, "calibration_settings", text, sizeof(text));
	assert_string_equal(text, "57103 -2622240 \n256000000 0 \n13750 795");
	read_file(&k, "virtual_converter_settings", text, sizeof(text));
	assert_string_equal(text, "100 \n"); /* not given: not written */
	fake_kernel_stop(&k);
	assert_int_equal(atomic_load(&k.n_order), 3);
	assert_string_equal(k.order[0], "virtual_harvester_settings");
	assert_string_equal(k.order[1], "calibration_settings");
	assert_string_equal(k.order[2], "mode");
}

static void apply_finds_a_value_that_reads_back_different(void **state)
{
	(void)state;
	static struct pru_converter conv;
	fill_converter(&conv);
	char changed[PRU_SETTINGS_TEXT_MAX];
	struct pru_converter other = conv;
	other.scalar[6] = 57113;
	pru_converter_text(&other, changed, sizeof(changed));
	struct fake_kernel k = {
		.answer = true, .tamper = "virtual_converter_settings", .tamper_text = changed};
	fake_kernel_start(&k, "idle");
	struct shp_sysfs s;
	assert_int_equal(sysfs_open(&s, k.dir), SHP_OK);
	struct pru_settings set = {.converter = &conv};
	assert_int_equal(pru_settings_apply(&s, "emulator", &set), SHP_ERR_PRU);
	fake_kernel_stop(&k);
	assert_logged(
		"virtual_converter_settings: field 6 (Constant_us_per_nF_n28) reads 57113, 57114 was written");
}

static void apply_reports_a_refused_write(void **state)
{
	(void)state;
	struct fake_kernel k = {.answer = true,
				.refuse = "calibration_settings",
				.old_text = "255 -1 \n254 -2 \n253 -3 \n"};
	fake_kernel_start(&k, "idle");
	struct shp_sysfs s;
	assert_int_equal(sysfs_open(&s, k.dir), SHP_OK);
	struct pru_settings set = {.calibration = &test_cal, .harvester = &test_hrv};
	assert_int_equal(pru_settings_apply(&s, "harvester", &set), SHP_ERR_PRU);
	fake_kernel_stop(&k);
	assert_logged("PRU reports 0xE0 (invalid command)");
	assert_logged("the PRU reported 1 error(s) while taking them (0xE0: it refused a write)");
	assert_logged(
		"calibration_settings: field 0 (adc_current_gain) reads 255, 57103 was written");
}

static void apply_without_the_reinit_message_fails(void **state)
{
	(void)state;
	struct fake_kernel k = {.answer = false};
	fake_kernel_start(&k, "idle");
	struct shp_sysfs s;
	assert_int_equal(sysfs_open(&s, k.dir), SHP_OK);
	struct pru_settings set = {.harvester = &test_hrv};
	assert_int_equal(pru_settings_apply(&s, "harvester", &set), SHP_ERR_PRU);
	fake_kernel_stop(&k);
	assert_logged(
		"PRU did not re-initialise after mode 'harvester' was written: no message 0xF0 (PRU restarting) within 3 s");
}

static void apply_refuses_a_pru_that_stays_busy(void **state)
{
	(void)state;
	struct fake_kernel k = {.answer = true};
	fake_kernel_start(&k, "running");
	struct shp_sysfs s;
	assert_int_equal(sysfs_open(&s, k.dir), SHP_OK);
	struct pru_settings set = {.calibration = &test_cal};
	assert_int_equal(pru_settings_apply(&s, "harvester", &set), SHP_ERR_PRU);
	char text[256];
	read_file(&k, "calibration_settings", text, sizeof(text));
	fake_kernel_stop(&k);
	assert_string_equal(text, "255 -1 \n254 -2 \n253 -3 \n");
	assert_logged("PRU state is 'running': stopping it to write its settings");
	assert_logged("PRU settings not written: the PRU stays busy");
}

static void apply_names_file_errno_and_text_of_a_failed_write(void **state)
{
	(void)state;
	struct fake_kernel k = {.answer = true};
	fake_kernel_start(&k, "idle");
	char path[128];
	snprintf(path, sizeof(path), "%s/virtual_harvester_settings", k.dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0); /* open for writing fails, even as root */
	struct shp_sysfs s;
	assert_int_equal(sysfs_open(&s, k.dir), SHP_OK);
	struct pru_settings set = {.calibration = &test_cal, .harvester = &test_hrv};
	assert_int_equal(pru_settings_apply(&s, "harvester", &set), SHP_ERR_SYSFS);
	rmdir(path);
	fake_kernel_stop(&k);
	/* the text shortened to one line, the file, the errno text */
	assert_logged("cannot write '16 \\n4 \\n909 \\n2500000 \\n0 \\n5000000 \\n");
	char want[256];
	snprintf(want, sizeof(want), "... (68 bytes)' to %s: %s", path, strerror(EISDIR));
	assert_logged(want);
	assert_int_equal(atomic_load(&k.n_order), 0); /* nothing after the failed write */
}

int main(void)
{
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	shp_log_set_sink(capture, NULL, SHP_LOG_DEBUG);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(calibration_text_is_three_lines_without_final_newline,
				       clear_log),
		cmocka_unit_test_setup(harvester_text_is_twelve_lines, clear_log),
		cmocka_unit_test_setup(converter_text_is_scalars_then_tables, clear_log),
		cmocka_unit_test_setup(text_that_does_not_fit_gives_zero, clear_log),
		cmocka_unit_test_setup(field_names, clear_log),
		cmocka_unit_test_setup(parses_the_kernels_read_format, clear_log),
		cmocka_unit_test_setup(parser_is_strict, clear_log),
		cmocka_unit_test_setup(comparison_names_each_differing_field, clear_log),
		cmocka_unit_test_setup(apply_writes_in_the_emulators_order_and_checks, clear_log),
		cmocka_unit_test_setup(apply_writes_in_the_harvesters_order, clear_log),
		cmocka_unit_test_setup(apply_finds_a_value_that_reads_back_different, clear_log),
		cmocka_unit_test_setup(apply_reports_a_refused_write, clear_log),
		cmocka_unit_test_setup(apply_without_the_reinit_message_fails, clear_log),
		cmocka_unit_test_setup(apply_refuses_a_pru_that_stays_busy, clear_log),
		cmocka_unit_test_setup(apply_names_file_errno_and_text_of_a_failed_write,
				       clear_log),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
