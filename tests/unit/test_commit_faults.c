/* Faults at every step of a commit: each pwrite, fdatasync and ftruncate of the second commit
 * fails in turn (once, or for good for the written region, as a bad block or a full disk would),
 * the writer closes, the repair runs as the node runs it. The recording must then be exactly
 * the first commit, the second, or the cleanly closed file: never anything in between.
 * (The calls are wrapped at link time: -Wl,--wrap, see tests/CMakeLists.txt.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "h5/h5_common.h"
#include "h5/h5_reader.h"
#include "h5/h5_repair.h"
#include "h5/h5_writer.h"
#include "test_util.h"

ssize_t __real_pwrite64(int fd, const void *buf, size_t n, off_t off);
int __real_fdatasync(int fd);
int __real_ftruncate64(int fd, off_t len);
ssize_t __wrap_pwrite64(int fd, const void *buf, size_t n, off_t off);
int __wrap_fdatasync(int fd);
int __wrap_ftruncate64(int fd, off_t len);

enum mode { ONCE, FOR_GOOD };
static struct {
	bool armed;
	enum mode mode;
	int fail_at, calls;
	int bad_fd;
	off_t bad_from, bad_to; /* FOR_GOOD: writes into this region keep failing */
} fault = {.bad_fd = -1};

static bool hit(void)
{
	return fault.armed && ++fault.calls == fault.fail_at;
}

ssize_t __wrap_pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	if (fd == fault.bad_fd && off < fault.bad_to && off + (off_t)n > fault.bad_from) {
		errno = EIO;
		return -1;
	}
	if (hit()) {
		if (fault.mode == FOR_GOOD) {
			fault.bad_fd = fd;
			fault.bad_from = off;
			fault.bad_to = off + (off_t)n;
		}
		errno = ENOSPC;
		return -1;
	}
	return __real_pwrite64(fd, buf, n, off);
}

int __wrap_fdatasync(int fd)
{
	if (hit()) {
		errno = EIO;
		return -1;
	}
	return __real_fdatasync(fd);
}

int __wrap_ftruncate64(int fd, off_t len)
{
	if (hit()) {
		errno = ENOSPC;
		return -1;
	}
	return __real_ftruncate64(fd, len);
}

enum { IV = 10000, B_CHUNKS = 200 };
static uint64_t ts[IV];
static uint32_t v[IV], cur[IV];

static uint64_t rows_or_none(const char *path, const char *ds)
{
	uint64_t rows = 0;
	return h5r_dataset_rows(path, ds, &rows) == SHP_OK ? rows : UINT64_MAX;
}

/* Every dataset of /data reads whole. */
static bool data_reads(const char *path)
{
	static const char *const names[] = {"/data/time", "/data/voltage", "/data/current",
					    "/gpio/time", "/pru_util/values"};
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		void *data;
		size_t count, size;
		if (h5r_read_dataset(path, names[k], &data, &count, &size) != SHP_OK)
			return false;
		free(data);
	}
	return true;
}

/* In a child: commit A, the faulty commit B, close, repair. Exit 0 if the file is A, B or the
 * closed file exactly; 1 if it is anything else; 2 if the fault was never reached. */
static int one_run(const char *dir, enum mode mode, int fail_at)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/r%d.h5", dir, fail_at);
	struct h5w_info info = {.mode = "emulator",
				.hostname = "unit",
				.datatype = "ivtrace",
				.voltage = {1e-5, 0},
				.current = {1e-7, 0},
				.compression = SHP_COMP_LZF,
				.shuffle = true,
				.gpio = true};
	h5w_t *w;
	if (h5w_create(path, &info, &w) != SHP_OK)
		return 3;
	uint64_t g[100];
	uint16_t gv[100];
	for (int k = 0; k < 100; k++) {
		g[k] = 1800000000000000000ull + (uint64_t)k;
		gv[k] = (uint16_t)k;
	}
	uint16_t util[3] = {1, 2, 3};
	h5w_append_iv(w, ts, v, cur, IV);
	h5w_append_gpio(w, g, gv, 100);
	for (int k = 0; k < 10; k++)
		h5w_append_util(w, 100u + (uint64_t)k, util);
	if (h5w_flush(w) != SHP_OK) /* commit A: 1 IV chunk, 100 GPIO events, 10 util rows */
		return 3;
	for (int c = 0; c < B_CHUNKS; c++) /* enough chunks for new B-tree nodes */
		h5w_append_iv(w, ts, v, cur, IV);
	h5w_append_gpio(w, g, gv, 50);
	for (int k = 0; k < 7; k++)
		h5w_append_util(w, 200u + (uint64_t)k, util);
	fault.mode = mode;
	fault.fail_at = fail_at;
	fault.calls = 0;
	fault.armed = true;
	h5w_flush(w); /* commit B: 41 IV chunks, 150 events, 17 rows */
	fault.armed = false;
	h5w_append_gpio(w, g, gv, 5); /* only a clean close writes these */
	h5w_close(w);
	fault.bad_fd = -1;
	struct repair_result r;
	h5_repair(path, &r);
	uint64_t iv = rows_or_none(path, "/data/time"), gp = rows_or_none(path, "/gpio/time");
	uint64_t ut = rows_or_none(path, "/pru_util/time");
	bool a = iv == IV && gp == 100 && ut == 10;
	bool b = iv == IV * (1 + B_CHUNKS) && gp == 150 && ut == 17;
	bool closed = iv == IV * (1 + B_CHUNKS) && gp == 155 && ut == 17;
	if (!(a || b || closed) || !data_reads(path)) {
		fprintf(stderr, "fault %d (%s): iv %llu gpio %llu util %llu\n", fail_at,
			mode == ONCE ? "once" : "for good", (unsigned long long)iv,
			(unsigned long long)gp, (unsigned long long)ut);
		return 1;
	}
	return fault.calls < fail_at ? 2 : 0;
}

static void every_step(enum mode mode)
{
	for (int k = 0; k < IV; k++) {
		ts[k] = 1800000000000000000ull + (uint64_t)k * 10000u;
		v[k] = (uint32_t)(k % 977);
		cur[k] = (uint32_t)(k % 13);
	}
	char dir[64];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	int reached = 0;
	for (int n = 1; n < 400; n++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			_exit(one_run(dir, mode, n));
		int st;
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st));
		if (WEXITSTATUS(st) == 2)
			break; /* past the last call of the commit */
		assert_int_equal(WEXITSTATUS(st), 0);
		reached++;
	}
	assert_true(reached > 10); /* the commit's calls were all tried */
	test_rm_rf(dir);
}

static void a_fault_once_leaves_one_commit_or_the_other(void **state)
{
	(void)state;
	every_step(ONCE);
}

static void a_region_that_fails_for_good_leaves_one_commit_or_the_other(void **state)
{
	(void)state;
	every_step(FOR_GOOD);
}

int main(void)
{
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	assert_int_equal(shp_h5_init(), SHP_OK);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_fault_once_leaves_one_commit_or_the_other),
		cmocka_unit_test(a_region_that_fails_for_good_leaves_one_commit_or_the_other),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
