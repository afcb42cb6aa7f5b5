/* Unit tests of the commit journal, the tails and the repair (journal.c, h5_tail.c,
 * h5_repair.c), on file states a kill or a torn commit leaves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>
#include <hdf5.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/log.h"
#include "h5/commit_vfd.h"
#include "h5/h5_common.h"
#include "h5/h5_reader.h"
#include "h5/h5_repair.h"
#include "h5/h5_writer.h"
#include "h5/journal.h"
#include "test_util.h"

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static void copy_file(const char *from, const char *to)
{
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

/* What a kill -9 leaves of an open recording: its file and both slots, as they are now. */
static void snapshot(const char *path, const char *copy)
{
	copy_file(path, copy);
	for (unsigned k = 0; k < JOURNAL_SLOTS; k++) {
		char a[512], b[512];
		journal_path(a, sizeof(a), path, k);
		journal_path(b, sizeof(b), copy, k);
		copy_file(a, b);
	}
}

static uint64_t rows_of(const char *path, const char *ds)
{
	uint64_t rows = 0;
	assert_int_equal(h5r_dataset_rows(path, ds, &rows), SHP_OK);
	return rows;
}

static void write_slot(const char *recording, unsigned slot, uint64_t gen, const char *body,
		       bool tear)
{
	char path[512];
	journal_path(path, sizeof(path), recording, slot);
	struct journal_header h = {.generation = gen, .length = 7, .tail_bytes = strlen(body)};
	h.body_crc = journal_crc(0, body, strlen(body));
	uint8_t head[JOURNAL_HEADER_BYTES];
	journal_encode_header(&h, head);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fwrite(head, 1, sizeof(head), f);
	fwrite(body, 1, strlen(body) - (tear ? 1 : 0), f); /* torn: the last byte missing */
	if (tear)
		fputc('#', f);
	fclose(f);
}

static void the_newest_complete_slot_wins(void **state)
{
	(void)state;
	char dir[64], rec[128];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(rec, sizeof(rec), "%s/r.h5", dir);
	struct journal_slot s;
	bool found;
	assert_int_equal(journal_read_latest(rec, &s, &found), SHP_OK);
	assert_false(found);

	write_slot(rec, 1, 3, "three", false);
	write_slot(rec, 0, 4, "four", false);
	assert_int_equal(journal_read_latest(rec, &s, &found), SHP_OK);
	assert_true(found);
	assert_int_equal(s.h.generation, 4);
	assert_memory_equal(s.body, "four", 4);
	journal_slot_free(&s);

	write_slot(rec, 0, 4, "four", true); /* commit 4 torn: commit 3 holds */
	assert_int_equal(journal_read_latest(rec, &s, &found), SHP_OK);
	assert_true(found);
	assert_int_equal(s.h.generation, 3);
	journal_slot_free(&s);

	/* a damaged header does not count either */
	char path[512];
	journal_path(path, sizeof(path), rec, 1);
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "X", 1, 20), 1);
	close(fd);
	assert_int_equal(journal_read_latest(rec, &s, &found), SHP_OK);
	assert_false(found);
	test_rm_rf(dir);
}

static struct h5w_info info_for_gpio(void)
{
	struct h5w_info info = {
		.mode = "emulator",
		.hostname = "unit",
		.datatype = "ivtrace",
		.voltage = {1e-5, 0.0},
		.current = {1e-7, 0.0},
		.compression = SHP_COMP_LZF,
		.shuffle = true,
		.gpio = true,
		.uart = true,
	};
	return info;
}

enum { IV = 30000, EVENTS = 1234, UTIL = 57 };
static uint64_t ts[IV], gts[EVENTS];
static uint32_t v[IV], i[IV];
static uint16_t gval[EVENTS];

static void fill(void)
{
	for (uint32_t k = 0; k < IV; k++) {
		ts[k] = 1800000000000000000ull + (uint64_t)k * 10000u;
		v[k] = k % 991;
		i[k] = k % 17;
	}
	for (uint32_t k = 0; k < EVENTS; k++) {
		gts[k] = 1800000000000000000ull + (uint64_t)k * 777u;
		gval[k] = (uint16_t)(k & 0x3FF);
	}
}

/* A recording with whole IV chunks, partial GPIO and table chunks, committed once. */
static h5w_t *committed_recording(const char *path)
{
	fill();
	struct h5w_info info = info_for_gpio();
	h5w_t *w;
	assert_int_equal(h5w_create(path, &info, &w), SHP_OK);
	assert_int_equal(h5w_append_iv(w, ts, v, i, 10000), SHP_OK);
	assert_int_equal(h5w_append_iv(w, ts + 10000, v + 10000, i + 10000, 10000), SHP_OK);
	assert_int_equal(h5w_append_gpio(w, gts, gval, EVENTS), SHP_OK);
	for (uint16_t k = 0; k < UTIL; k++) {
		uint16_t row[3] = {k, (uint16_t)(k * 2), (uint16_t)(k * 3)};
		assert_int_equal(h5w_append_util(w, 1000u + k, row), SHP_OK);
	}
	assert_int_equal(h5w_append_uart(w, 5, "hello", 5), SHP_OK);
	assert_int_equal(h5w_flush(w), SHP_OK);
	/* after the commit: appended, not committed */
	assert_int_equal(h5w_append_iv(w, ts + 20000, v + 20000, i + 20000, 10000), SHP_OK);
	assert_int_equal(h5w_append_gpio(w, gts, gval, 10), SHP_OK);
	return w;
}

static void check_committed_state(const char *path)
{
	assert_int_equal(rows_of(path, "/data/time"), 20000);
	assert_int_equal(rows_of(path, "/data/current"), 20000);
	assert_int_equal(rows_of(path, "/gpio/time"), EVENTS);
	assert_int_equal(rows_of(path, "/gpio/value"), EVENTS);
	assert_int_equal(rows_of(path, "/pru_util/time"), UTIL);
	assert_int_equal(rows_of(path, "/uart/time"), 1);
	void *data;
	size_t count, size;
	assert_int_equal(h5r_read_dataset(path, "/gpio/time", &data, &count, &size), SHP_OK);
	assert_memory_equal(data, gts, sizeof(gts));
	free(data);
	assert_int_equal(h5r_read_dataset(path, "/pru_util/values", &data, &count, &size), SHP_OK);
	assert_int_equal(count, UTIL * 3);
	assert_int_equal(((uint16_t *)data)[3 * 56 + 2], 168);
	free(data);
	assert_int_equal(h5r_read_dataset(path, "/data/voltage", &data, &count, &size), SHP_OK);
	assert_memory_equal(data, v, 20000 * sizeof(uint32_t));
	free(data);
}

static void a_killed_recording_rolls_forward_with_its_tails(void **state)
{
	(void)state;
	char dir[64], path[128], copy[128];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/live.h5", dir);
	snprintf(copy, sizeof(copy), "%s/killed.h5", dir);
	h5w_t *w = committed_recording(path);
	snapshot(path, copy);

	/* while the writer runs, its recording is left alone */
	struct repair_result r;
	assert_int_equal(h5_repair(path, &r), SHP_OK);
	assert_int_equal(r.outcome, REPAIR_BUSY);
	assert_int_equal(h5w_close(w), SHP_OK);

	/* without the repair the copy opens, without the rows of partial chunks */
	assert_int_equal(rows_of(copy, "/data/time"), 20000);
	assert_int_equal(rows_of(copy, "/gpio/time"), 0);
	assert_int_equal(h5_repair(copy, &r), SHP_OK);
	assert_int_equal(r.outcome, REPAIR_ROLLED);
	assert_int_equal(r.samples, 20000);
	assert_int_equal(r.gpio_events, EVENTS);
	assert_int_equal(r.tail_rows, 2 * EVENTS + 2 * UTIL + 2);
	check_committed_state(copy);
	char slot[512];
	journal_path(slot, sizeof(slot), copy, 0);
	assert_false(exists(slot));

	/* again: nothing to do, nothing changes */
	uint64_t size = (uint64_t)fs_file_size(copy);
	assert_int_equal(h5_repair(copy, &r), SHP_OK);
	assert_int_equal(r.outcome, REPAIR_HEALTHY);
	assert_int_equal((uint64_t)fs_file_size(copy), size);
	check_committed_state(copy);
	test_rm_rf(dir);
}

/* A cut while a commit was applied: its records are garbage in the file, its slot complete. */
static void a_torn_apply_is_rolled_forward(void **state)
{
	(void)state;
	char dir[64], path[128], copy[128];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/live.h5", dir);
	snprintf(copy, sizeof(copy), "%s/torn.h5", dir);
	h5w_t *w = committed_recording(path);
	assert_int_equal(h5w_flush(w), SHP_OK); /* a commit that overwrites metadata */
	snapshot(path, copy);
	assert_int_equal(h5w_close(w), SHP_OK);

	struct journal_slot s;
	bool found;
	assert_int_equal(journal_read_latest(copy, &s, &found), SHP_OK);
	assert_true(found);
	assert_true(s.h.records > 0); /* metadata overwritten in place */
	int fd = open(copy, O_WRONLY);
	assert_true(fd >= 0);
	const uint8_t *p = s.body;
	for (uint32_t k = 0; k < s.h.records; k++) {
		uint64_t off, len;
		memcpy(&off, p, 8);
		memcpy(&len, p + 8, 8);
		uint8_t *junk = malloc(len);
		memset(junk, 0xA5, len);
		assert_int_equal(pwrite(fd, junk, len, (off_t)off), (ssize_t)len);
		free(junk);
		p += JOURNAL_RECORD_HEADER + ((len + 7) & ~7ull);
	}
	close(fd);
	journal_slot_free(&s);
	uint64_t rows = 0;
	shp_err torn = h5r_dataset_rows(copy, "/data/time", &rows);
	assert_true(torn != SHP_OK || rows != 30000); /* the damage is real */

	struct repair_result r;
	assert_int_equal(h5_repair(copy, &r), SHP_OK);
	assert_int_equal(r.outcome, REPAIR_ROLLED);
	assert_int_equal(rows_of(copy, "/data/time"), 30000);
	assert_int_equal(rows_of(copy, "/gpio/time"), EVENTS + 10);
	test_rm_rf(dir);
}

static void a_repair_leaves_a_recording_another_one_holds_alone(void **state)
{
	(void)state;
	char dir[64], path[128], copy[128], slot[512];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/live.h5", dir);
	snprintf(copy, sizeof(copy), "%s/killed.h5", dir);
	h5w_t *w = committed_recording(path);
	snapshot(path, copy);
	assert_int_equal(h5w_close(w), SHP_OK);
	journal_path(slot, sizeof(slot), copy, 0);
	int held = open(slot, O_RDONLY);
	assert_true(held >= 0);
	assert_int_equal(flock(held, LOCK_EX), 0); /* as a repair at work would */
	struct repair_result r;
	assert_int_equal(h5_repair(copy, &r), SHP_OK);
	assert_int_equal(r.outcome, REPAIR_BUSY);
	assert_true(exists(slot));
	close(held);
	assert_int_equal(h5_repair(copy, &r), SHP_OK);
	assert_int_equal(r.outcome, REPAIR_ROLLED);
	check_committed_state(copy);

	/* an incomplete file whose writer holds the lock is not taken for a dead one */
	char tmp[160];
	snprintf(tmp, sizeof(tmp), "%s/new.h5.incomplete", dir);
	test_write_file(dir, "new.h5.incomplete", "");
	test_write_file(dir, "new.h5.journal.0", "");
	snprintf(slot, sizeof(slot), "%s/new.h5.journal.0", dir);
	held = open(slot, O_RDONLY);
	assert_int_equal(flock(held, LOCK_EX), 0);
	snprintf(path, sizeof(path), "%s/new.h5", dir);
	assert_int_equal(h5_repair(path, &r), SHP_OK);
	assert_int_equal(r.outcome, REPAIR_BUSY);
	assert_true(exists(tmp));
	close(held);
	test_rm_rf(dir);
}

static void a_recording_that_never_committed_is_removed(void **state)
{
	(void)state;
	char dir[64], rec[128], tmp[160];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(rec, sizeof(rec), "%s/new.h5", dir);
	snprintf(tmp, sizeof(tmp), "%s.incomplete", rec);
	test_write_file(dir, "new.h5.incomplete", "HDF half");
	test_write_file(dir, "new.h5.journal.0", "");
	test_write_file(dir, "new.h5.journal.1", "");
	struct repair_result r;
	assert_int_equal(h5_repair(rec, &r), SHP_OK);
	assert_int_equal(r.outcome, REPAIR_REMOVED);
	assert_false(exists(tmp));
	assert_false(exists(rec));
	char slot[512];
	journal_path(slot, sizeof(slot), rec, 1);
	assert_false(exists(slot));
	test_rm_rf(dir);
}

static void an_incomplete_file_after_its_first_commit_gets_its_name(void **state)
{
	(void)state;
	char dir[64], path[128], rec[128], tmp[160];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/live.h5", dir);
	snprintf(rec, sizeof(rec), "%s/late.h5", dir);
	snprintf(tmp, sizeof(tmp), "%s.incomplete", rec);
	h5w_t *w = committed_recording(path);
	snapshot(path, rec);
	assert_int_equal(rename(rec, tmp), 0); /* as if the rename had not reached the card */
	assert_int_equal(h5w_close(w), SHP_OK);
	struct repair_result r;
	assert_int_equal(h5_repair(rec, &r), SHP_OK);
	assert_int_equal(r.outcome, REPAIR_ROLLED);
	assert_false(exists(tmp));
	check_committed_state(rec);
	test_rm_rf(dir);
}

/* A complete (CRC-valid) newest slot whose tail does not fit the file's datasets. */
static void write_evil_slot(const char *copy, const uint8_t *entry, size_t entry_len)
{
	struct journal_slot s;
	bool found;
	assert_int_equal(journal_read_latest(copy, &s, &found), SHP_OK);
	assert_true(found);
	struct journal_header h = s.h;
	h.generation++;
	h.tail_bytes = entry_len;
	size_t body = (size_t)h.records_bytes + entry_len;
	uint8_t *buf = malloc(JOURNAL_HEADER_BYTES + body);
	memcpy(buf + JOURNAL_HEADER_BYTES, s.body, (size_t)h.records_bytes);
	memcpy(buf + JOURNAL_HEADER_BYTES + h.records_bytes, entry, entry_len);
	h.body_crc = journal_crc(0, buf + JOURNAL_HEADER_BYTES, body);
	journal_encode_header(&h, buf);
	char path[512];
	journal_path(path, sizeof(path), copy, (unsigned)(h.generation % JOURNAL_SLOTS));
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, JOURNAL_HEADER_BYTES + body, f),
			 JOURNAL_HEADER_BYTES + body);
	fclose(f);
	free(buf);
	journal_slot_free(&s);
}

static size_t entry(uint8_t *out, uint8_t kind, const char *path, uint32_t rows, uint32_t row_bytes,
		    size_t data_len)
{
	size_t plen = strlen(path);
	out[0] = kind;
	out[1] = 0;
	out[2] = (uint8_t)plen;
	out[3] = 0;
	memcpy(out + 4, &rows, 4);
	memcpy(out + 8, &row_bytes, 4);
	memcpy(out + 12, path, plen);
	memset(out + 12 + plen, 0x41, data_len);
	return 12 + plen + data_len;
}

static void a_tail_that_does_not_fit_its_dataset_is_refused(void **state)
{
	(void)state;
	uint8_t e[4][1024];
	size_t len[4] = {
		entry(e[0], 0, "/pru_util/time", 100, 1, 100),   /* rows of 1 byte for u8 */
		entry(e[1], 0, "/uart/message", 4, 8, 32),       /* fixed rows into text */
		entry(e[2], 1, "/gpio/time", 1, 0, 8),           /* text into u8 */
		entry(e[3], 0, "/gpio/time", 0x20000001u, 8, 8), /* more rows than bytes */
	};
	for (int k = 0; k < 4; k++) {
		char dir[64], path[128], copy[128];
		assert_non_null(test_tmpdir(dir, sizeof(dir)));
		snprintf(path, sizeof(path), "%s/live.h5", dir);
		snprintf(copy, sizeof(copy), "%s/evil.h5", dir);
		h5w_t *w = committed_recording(path);
		snapshot(path, copy);
		assert_int_equal(h5w_close(w), SHP_OK);
		write_evil_slot(copy, e[k], len[k]);
		struct repair_result r;
		assert_int_not_equal(h5_repair(copy, &r), SHP_OK);
		/* rolled forward, the tail refused: the file opens, the journal stays */
		assert_int_equal(rows_of(copy, "/data/time"), 20000);
		char slot[512];
		journal_path(slot, sizeof(slot), copy, 0);
		assert_true(exists(slot));
		test_rm_rf(dir);
	}
}

static void files_that_are_not_ours_are_left_alone(void **state)
{
	(void)state;
	char dir[64], iso[128], diary[128], path[160];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(iso, sizeof(iso), "%s/ubuntu.iso", dir);
	snprintf(diary, sizeof(diary), "%s/diary", dir);
	test_write_file(dir, "ubuntu.iso.incomplete", "a download in progress");
	test_write_file(dir, "diary.journal.0", "dear diary, today the sheep");
	struct repair_result r;
	assert_int_equal(h5_repair(iso, &r), SHP_OK);
	assert_int_equal(r.outcome, REPAIR_HEALTHY);
	snprintf(path, sizeof(path), "%s.incomplete", iso);
	assert_true(exists(path));
	assert_int_equal(h5_repair(diary, &r), SHP_OK);
	assert_int_equal(r.outcome, REPAIR_HEALTHY);
	snprintf(path, sizeof(path), "%s.journal.0", diary);
	assert_true(exists(path));
	test_rm_rf(dir);
}

static void names_of_leftovers(void **state)
{
	(void)state;
	char out[64];
	h5_repair_name("/a/b.h5.incomplete", out, sizeof(out));
	assert_string_equal(out, "/a/b.h5");
	h5_repair_name("b.h5.journal.1", out, sizeof(out));
	assert_string_equal(out, "b.h5");
	h5_repair_name("b.h5", out, sizeof(out));
	assert_string_equal(out, "b.h5");
	assert_true(h5_repair_is_leftover("x.journal.0"));
	assert_false(h5_repair_is_leftover("x.journal.2"));
	assert_false(h5_repair_is_leftover("x.h5"));
}

int main(void)
{
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	assert_int_equal(shp_h5_init(), SHP_OK);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_newest_complete_slot_wins),
		cmocka_unit_test(a_killed_recording_rolls_forward_with_its_tails),
		cmocka_unit_test(a_torn_apply_is_rolled_forward),
		cmocka_unit_test(a_repair_leaves_a_recording_another_one_holds_alone),
		cmocka_unit_test(a_recording_that_never_committed_is_removed),
		cmocka_unit_test(an_incomplete_file_after_its_first_commit_gets_its_name),
		cmocka_unit_test(a_tail_that_does_not_fit_its_dataset_is_refused),
		cmocka_unit_test(files_that_are_not_ours_are_left_alone),
		cmocka_unit_test(names_of_leftovers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
