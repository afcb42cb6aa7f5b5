/*
 * Unit tests of space_guard.c on sparse files past 2 and 4 GiB: the size the run's summary
 * reports, the reserve taken beyond the end and given back at close, the file size limit.
 *
 * The files are made large with ftruncate (nothing written, no space used); only the reserves are
 * really allocated, so the directory must be on a file system with fallocate: /dev/shm (tmpfs),
 * else /tmp. Every size is chosen so that a 32-bit off_t or long would get it wrong: 3 GiB is
 * negative as an int32, 5 GiB is 1 GiB modulo 2^32.
 */
#define _GNU_SOURCE /* fallocate */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fs.h"
#include "sheep/space_guard.h"

#define MIB (1024ull * 1024ull)
#define GIB (1024ull * MIB)

struct fixture {
	char dir[256];
	char path[300];
};

/* A fresh directory on a file system where fallocate works, or NULL. */
static bool make_dir(struct fixture *fx)
{
	const char *bases[] = {"/dev/shm", "/tmp"};
	for (size_t k = 0; k < sizeof(bases) / sizeof(bases[0]); k++) {
		snprintf(fx->dir, sizeof(fx->dir), "%s/sheep-space-guard-XXXXXX", bases[k]);
		if (!mkdtemp(fx->dir))
			continue;
		snprintf(fx->path, sizeof(fx->path), "%s/rec.h5", fx->dir);
		int fd = open(fx->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		bool ok = fd >= 0 && fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 4096) == 0;
		if (fd >= 0)
			close(fd);
		unlink(fx->path);
		if (ok)
			return true;
		rmdir(fx->dir);
	}
	return false;
}

static int set_up(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	if (!fx || !make_dir(fx)) {
		free(fx);
		*state = NULL;
		return 0; /* each test skips */
	}
	*state = fx;
	return 0;
}

static int tear_down(void **state)
{
	struct fixture *fx = *state;
	if (fx) {
		unlink(fx->path);
		rmdir(fx->dir);
		free(fx);
	}
	return 0;
}

static struct fixture *fixture_or_skip(void **state)
{
	if (!*state) {
		print_message("no directory with fallocate support (/dev/shm, /tmp): skipped\n");
		skip();
	}
	return *state;
}

/* A sparse file of the given size: nothing allocated. */
static void make_sparse(const char *path, uint64_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	close(fd);
}

static struct stat stat_of(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st;
}

static uint64_t allocated(const char *path)
{
	return (uint64_t)stat_of(path).st_blocks * 512u;
}

static void file_size_is_exact_past_2_and_4_gib(void **state)
{
	struct fixture *fx = fixture_or_skip(state);
	const uint64_t sizes[] = {3 * GIB, 4 * GIB + 1, 5 * GIB + 12345};
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		make_sparse(fx->path, sizes[k]);
		assert_int_equal(fs_file_size(fx->path), sizes[k]);
		unlink(fx->path);
	}
	assert_int_equal(fs_file_size(fx->path), 0); /* gone: 0, as documented */
}

/* The reserve lies beyond a >2 GiB and a >4 GiB end and is released to exactly the file. */
static void reserve_past_a_large_end_is_taken_and_given_back(void **state)
{
	struct fixture *fx = fixture_or_skip(state);
	const uint64_t sizes[] = {3 * GIB, 5 * GIB};
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		make_sparse(fx->path, sizes[k]);
		assert_true(allocated(fx->path) < MIB);
		struct space_guard g;
		space_guard_open(&g, fx->path, 16 * MIB);
		assert_true(g.fd >= 0);
		assert_int_equal(space_guard_check(&g, sizes[k]), SHP_OK);
		assert_true(g.fallocate_ok); /* not fallen back to statvfs: fallocate worked */
		/* the size it was opened at is not growth: the configured reserve, not 3 x the file
		 */
		assert_int_equal(g.reserve, 16 * MIB);
		struct stat st = stat_of(fx->path);
		assert_int_equal((uint64_t)st.st_size, sizes[k]); /* blocks taken, size unchanged */
		uint64_t held = (uint64_t)st.st_blocks * 512u;
		assert_true(held >= 16 * MIB && held < 17 * MIB);
		space_guard_close(&g);
		assert_int_equal(g.fd, -1);
		st = stat_of(fx->path);
		assert_int_equal((uint64_t)st.st_size, sizes[k]);
		assert_int_equal(st.st_blocks, 0); /* nothing kept beyond the end */
		unlink(fx->path);
	}
}

/* A file that grew by 8 MiB past 4 GiB: the next reserve is 24 MiB, beyond the new end. */
static void reserve_grows_with_the_stream_past_4_gib(void **state)
{
	struct fixture *fx = fixture_or_skip(state);
	uint64_t size = 4 * GIB + 64 * MIB;
	make_sparse(fx->path, size);
	struct space_guard g;
	space_guard_open(&g, fx->path, 4 * MIB);
	assert_int_equal(space_guard_check(&g, size), SHP_OK);
	assert_int_equal(g.reserve, 4 * MIB);
	assert_true(allocated(fx->path) >= 4 * MIB);
	/* the first reserve becomes part of the file, as the writer's data would */
	make_sparse(fx->path, size + 8 * MIB);
	assert_int_equal(space_guard_check(&g, size + 8 * MIB), SHP_OK);
	assert_int_equal(g.reserve, 24 * MIB);
	uint64_t held = allocated(fx->path);
	assert_true(held >= 28 * MIB && held < 29 * MIB);
	space_guard_close(&g);
	/* what is left lies inside the file: the old reserve, [size, size + 4 MiB) */
	uint64_t kept = allocated(fx->path);
	assert_true(kept >= 4 * MIB && kept < 5 * MIB);
	assert_int_equal((uint64_t)stat_of(fx->path).st_size, size + 8 * MIB);
}

/* RLIMIT_FSIZE beyond 4 GiB: a 64-bit rlim_t, compared without truncation. */
static void file_size_limit_past_4_gib_is_respected(void **state)
{
	struct fixture *fx = fixture_or_skip(state);
	struct rlimit old;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	if (old.rlim_max != RLIM_INFINITY && old.rlim_max < 6 * GIB)
		skip();
	uint64_t size = 6 * GIB - 8 * MIB;
	make_sparse(fx->path, size);
	struct space_guard g;
	space_guard_open(&g, fx->path, 16 * MIB);
	struct rlimit lim = {.rlim_cur = 6 * GIB, .rlim_max = old.rlim_max};
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	/* 8 MiB left below the limit, 16 MiB needed */
	shp_err near = space_guard_check(&g, size);
	uint64_t near_reserve = g.reserve;
	/* 1 GiB left; a limit truncated to 32 bits (2 GiB) would refuse */
	shp_err far = space_guard_check(&g, 5 * GIB);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	space_guard_close(&g);
	assert_int_equal(near, SHP_ERR_OUTPUT);
	assert_int_equal(near_reserve, 16 * MIB);
	assert_int_equal(far, SHP_OK);
}

static void guard_off_touches_nothing(void **state)
{
	struct fixture *fx = fixture_or_skip(state);
	make_sparse(fx->path, 3 * GIB);
	struct space_guard g;
	space_guard_open(&g, fx->path, 0);
	assert_int_equal(g.fd, -1);
	assert_int_equal(space_guard_check(&g, 3 * GIB), SHP_OK);
	space_guard_close(&g);
	assert_int_equal(allocated(fx->path), 0);
}

int main(void)
{
	signal(SIGXFSZ, SIG_IGN); /* a limit test that fails must fail as an assertion */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(file_size_is_exact_past_2_and_4_gib, set_up,
						tear_down),
		cmocka_unit_test_setup_teardown(reserve_past_a_large_end_is_taken_and_given_back,
						set_up, tear_down),
		cmocka_unit_test_setup_teardown(reserve_grows_with_the_stream_past_4_gib, set_up,
						tear_down),
		cmocka_unit_test_setup_teardown(file_size_limit_past_4_gib_is_respected, set_up,
						tear_down),
		cmocka_unit_test_setup_teardown(guard_off_touches_nothing, set_up, tear_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
