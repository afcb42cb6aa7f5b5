/*
 * Unit tests of the button's side of the GPIO tree: sysfs_gpio_input (sysfs_gpio.c) and the
 * falling-edge wait (gpio_edge.c), which reads the level, on a plain directory laid out as
 * /sys/class/gpio.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/stop.h"
#include "node/gpio_edge.h"
#include "node/sysfs_gpio.h"
#include "test_util.h"

static void make_pin(const char *dir, unsigned pin, const char *value)
{
	char name[64];
	snprintf(name, sizeof(name), "%s/gpio%u", dir, pin);
	assert_int_equal(mkdir(name, 0755), 0);
	snprintf(name, sizeof(name), "gpio%u/direction", pin);
	test_write_file(dir, name, "out\n");
	snprintf(name, sizeof(name), "gpio%u/edge", pin);
	test_write_file(dir, name, "none\n");
	snprintf(name, sizeof(name), "gpio%u/value", pin);
	test_write_file(dir, name, value);
}

/* A file of the tree: name relative to its root. */
static void read_attr(const char *dir, const char *name, char *out, size_t len)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	fclose(f);
}

static void input_sets_direction_and_edge(void **state)
{
	(void)state;
	char dir[64], why[256], text[32];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	test_write_file(dir, "export", "");
	make_pin(dir, 65, "1\n");
	assert_int_equal(sysfs_gpio_input(dir, 65, "falling", why, sizeof(why)), SHP_OK);
	read_attr(dir, "gpio65/direction", text, sizeof(text));
	assert_string_equal(text, "in");
	read_attr(dir, "gpio65/edge", text, sizeof(text));
	assert_string_equal(text, "falling");
	/* without an edge, the edge file stays as it is */
	test_write_file(dir, "gpio65/edge", "none\n");
	assert_int_equal(sysfs_gpio_input(dir, 65, NULL, why, sizeof(why)), SHP_OK);
	read_attr(dir, "gpio65/edge", text, sizeof(text));
	assert_string_equal(text, "none\n");
	/* a pin the tree does not have: exporting is tried, and the message says so */
	assert_int_equal(sysfs_gpio_input(dir, 66, "falling", why, sizeof(why)), SHP_ERR_SYSFS);
	assert_non_null(strstr(why, "gpio66 is missing and exporting it failed"));
	read_attr(dir, "export", text, sizeof(text));
	assert_string_equal(text, "66");
	assert_int_equal(sysfs_gpio_input("/nonexistent/gpio", 65, NULL, why, sizeof(why)),
			 SHP_ERR_SYSFS);
	assert_non_null(strstr(why, "no GPIO tree"));
	test_rm_rf(dir);
}

/* In a child: after delay_ms, the value file gets text. */
static pid_t write_later(const char *dir, unsigned delay_ms, const char *text)
{
	pid_t pid = fork();
	if (pid == 0) {
		usleep(delay_ms * 1000);
		test_write_file(dir, "gpio65/value", text);
		_exit(0);
	}
	return pid;
}

static void wait_sees_a_falling_edge(void **state)
{
	(void)state;
	char dir[64], why[256];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	make_pin(dir, 65, "1\n");
	struct gpio_edge *e = NULL;
	assert_int_equal(gpio_edge_open(dir, 65, &e, why, sizeof(why)), SHP_OK);
	bool seen = true;
	/* nothing happens: the window closes without an edge */
	assert_int_equal(gpio_edge_wait(e, 0.05, true, &seen, why, sizeof(why)), SHP_OK);
	assert_false(seen);
	/* a press during the wait */
	pid_t pid = write_later(dir, 30, "0\n");
	assert_int_equal(gpio_edge_wait(e, 10.0, true, &seen, why, sizeof(why)), SHP_OK);
	assert_true(seen);
	waitpid(pid, NULL, 0);
	/* held down: no new edge; released and pressed again: one */
	assert_int_equal(gpio_edge_wait(e, 0.05, false, &seen, why, sizeof(why)), SHP_OK);
	assert_false(seen);
	test_write_file(dir, "gpio65/value", "1\n");
	pid = write_later(dir, 30, "0\n");
	assert_int_equal(gpio_edge_wait(e, 10.0, false, &seen, why, sizeof(why)), SHP_OK);
	assert_true(seen);
	waitpid(pid, NULL, 0);
	gpio_edge_close(e);
	test_rm_rf(dir);
}

/* A tree that replaces the value file (the simulator publishes by rename): the wait reads the
 * new file. */
static void replaced_value_file_is_followed(void **state)
{
	(void)state;
	char dir[64], why[256], tmp[128], path[128];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	make_pin(dir, 65, "1\n");
	struct gpio_edge *e = NULL;
	assert_int_equal(gpio_edge_open(dir, 65, &e, why, sizeof(why)), SHP_OK);
	test_write_file(dir, "gpio65/.value.tmp", "1\n");
	snprintf(tmp, sizeof(tmp), "%s/gpio65/.value.tmp", dir);
	snprintf(path, sizeof(path), "%s/gpio65/value", dir);
	assert_int_equal(rename(tmp, path), 0);
	bool seen = true;
	assert_int_equal(gpio_edge_wait(e, 0.05, true, &seen, why, sizeof(why)), SHP_OK);
	assert_false(seen);
	test_write_file(dir, "gpio65/value", "0\n"); /* into the new file */
	assert_int_equal(gpio_edge_wait(e, 0.05, false, &seen, why, sizeof(why)), SHP_OK);
	assert_true(seen);
	gpio_edge_close(e);
	test_rm_rf(dir);
}

/* Without fresh, a press made between two waits counts; with fresh, it does not. */
static void fresh_drops_what_came_before(void **state)
{
	(void)state;
	char dir[64], why[256];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	make_pin(dir, 65, "1\n");
	struct gpio_edge *e = NULL;
	assert_int_equal(gpio_edge_open(dir, 65, &e, why, sizeof(why)), SHP_OK);
	bool seen = false;
	test_write_file(dir, "gpio65/value", "0\n");
	assert_int_equal(gpio_edge_wait(e, 0.05, false, &seen, why, sizeof(why)), SHP_OK);
	assert_true(seen);
	test_write_file(dir, "gpio65/value", "1\n");
	assert_int_equal(gpio_edge_wait(e, 0.05, false, &seen, why, sizeof(why)), SHP_OK);
	assert_false(seen); /* a release is no edge */
	test_write_file(dir, "gpio65/value", "0\n");
	assert_int_equal(gpio_edge_wait(e, 0.05, true, &seen, why, sizeof(why)), SHP_OK);
	assert_false(seen);
	/* a file caught empty (mid-rewrite) keeps the last level */
	test_write_file(dir, "gpio65/value", "");
	assert_int_equal(gpio_edge_wait(e, 0.05, false, &seen, why, sizeof(why)), SHP_OK);
	assert_false(seen);
	gpio_edge_close(e);
	test_rm_rf(dir);
}

static void stop_signal_ends_the_wait(void **state)
{
	(void)state;
	char dir[64], why[256];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	make_pin(dir, 65, "1\n");
	struct gpio_edge *e = NULL;
	assert_int_equal(gpio_edge_open(dir, 65, &e, why, sizeof(why)), SHP_OK);
	shp_stop_install();
	raise(SIGTERM); /* recorded by the handler, as a kill would be */
	bool seen = true;
	assert_int_equal(gpio_edge_wait(e, -1, true, &seen, why, sizeof(why)), SHP_ERR_INTERRUPTED);
	assert_false(seen);
	shp_stop_signal = 0;
	gpio_edge_close(e);
	assert_int_equal(gpio_edge_open(dir, 99, &e, why, sizeof(why)), SHP_ERR_SYSFS);
	assert_non_null(strstr(why, "cannot open"));
	test_rm_rf(dir);
}

int main(void)
{
	shp_log_set_console_level(SHP_LOG_CRITICAL);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(input_sets_direction_and_edge),
		cmocka_unit_test(wait_sees_a_falling_edge),
		cmocka_unit_test(fresh_drops_what_came_before),
		cmocka_unit_test(replaced_value_file_is_followed),
		cmocka_unit_test(stop_signal_ends_the_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
