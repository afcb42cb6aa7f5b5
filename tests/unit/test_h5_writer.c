/* Unit tests of h5_writer.c and the LZF filter: skeleton, appends, filters, raw fallback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <hdf5.h>
#include <stdlib.h>

#include "common/log.h"
#include "h5/h5_common.h"
#include "h5/h5_reader.h"
#include "h5/h5_writer.h"
#include "h5/lzf_filter.h"
#include "test_util.h"

#define N 25000 /* two full chunks and a partial one */

static struct h5w_info info_for(enum shp_compression comp, bool shuffle)
{
	struct h5w_info info = {
		.mode = "harvester",
		.hostname = "unit",
		.config_yaml = "x: 1\n",
		.datatype = "ivtrace",
		.voltage = {1.953125e-05, 0.0},
		.current = {2e-7, 0.5},
		.compression = comp,
		.shuffle = shuffle,
	};
	return info;
}

static void write_and_read_back(enum shp_compression comp, bool shuffle, bool random)
{
	char dir[64], path[128];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/w.h5", dir);
	static uint64_t ts[N];
	static uint32_t v[N], i[N];
	uint64_t x = 88172645463325252ull;
	for (uint32_t k = 0; k < N; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		ts[k] = random ? x : 1700000000000000000ull + k * 10000ull;
		v[k] = random ? (uint32_t)x : 100000 + k % 77;
		i[k] = random ? (uint32_t)(x >> 32) : 5000 + k % 13;
	}
	struct h5w_info info = info_for(comp, shuffle);
	h5w_t *w;
	assert_int_equal(h5w_create(path, &info, &w), SHP_OK);
	assert_int_equal(h5w_append_iv(w, ts, v, i, 10000), SHP_OK);
	assert_int_equal(h5w_append_iv(w, ts + 10000, v + 10000, i + 10000, N - 10000), SHP_OK);
	uint16_t row[3] = {1, 2, 3};
	assert_int_equal(h5w_append_util(w, 42, row), SHP_OK);
	assert_int_equal(h5w_iv_samples(w), N);
	assert_int_equal(h5w_close(w), SHP_OK);

	void *data;
	size_t count, size;
	assert_int_equal(h5r_read_dataset(path, "/data/time", &data, &count, &size), SHP_OK);
	assert_int_equal(count, N);
	assert_int_equal(size, 8);
	assert_memory_equal(data, ts, sizeof(ts));
	free(data);
	assert_int_equal(h5r_read_dataset(path, "/data/current", &data, &count, &size), SHP_OK);
	assert_memory_equal(data, i, sizeof(i));
	free(data);
	assert_int_equal(h5r_read_dataset(path, "/pru_util/values", &data, &count, &size), SHP_OK);
	assert_int_equal(count, 3);
	assert_int_equal(((uint16_t *)data)[2], 3);
	free(data);

	/* the filter pipeline is what was asked for */
	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t ds = H5Dopen2(f, "/data/voltage", H5P_DEFAULT);
	hid_t dcpl = H5Dget_create_plist(ds);
	int nf = H5Pget_nfilters(dcpl);
	int want = comp == SHP_COMP_NONE ? 0 : shuffle ? 2 : 1;
	assert_int_equal(nf, want);
	if (nf > 0) {
		unsigned flags, cd[8];
		size_t ncd = 8;
		H5Z_filter_t id =
			H5Pget_filter2(dcpl, (unsigned)(nf - 1), &flags, &ncd, cd, 0, NULL, NULL);
		assert_int_equal(id,
				 comp == SHP_COMP_LZF ? SHP_H5Z_FILTER_LZF : H5Z_FILTER_DEFLATE);
		if (comp == SHP_COMP_LZF) {
			assert_int_equal(ncd, 3);
			assert_int_equal(cd[0], SHP_LZF_FILTER_REVISION);
			assert_int_equal(cd[2], 40000); /* 10 000 x u32 */
		}
	}
	double gain;
	assert_true(shp_h5_read_attr_f64(ds, "gain", &gain));
	assert_true(gain == 1.953125e-05);
	H5Pclose(dcpl);
	H5Dclose(ds);
	char mode[32];
	assert_true(shp_h5_read_attr_str(f, "mode", mode, sizeof(mode)));
	assert_string_equal(mode, "harvester");
	H5Fclose(f);
	test_rm_rf(dir);
}

static void plain_roundtrip(void **state)
{
	(void)state;
	write_and_read_back(SHP_COMP_NONE, false, false);
}

static void lzf_roundtrip(void **state)
{
	(void)state;
	write_and_read_back(SHP_COMP_LZF, false, false);
	write_and_read_back(SHP_COMP_LZF, true, false);
}

static void lzf_incompressible_chunks_are_stored_raw(void **state)
{
	(void)state;
	write_and_read_back(SHP_COMP_LZF, false, true);
	write_and_read_back(SHP_COMP_LZF, true, true);
}

static void gzip_roundtrip(void **state)
{
	(void)state;
	write_and_read_back(SHP_COMP_GZIP1, true, false);
	write_and_read_back(SHP_COMP_GZIP1, false, true);
}

static void existing_file_is_not_overwritten(void **state)
{
	(void)state;
	char dir[64], path[128];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/w.h5", dir);
	test_write_file(dir, "w.h5", "precious");
	struct h5w_info info = info_for(SHP_COMP_LZF, true);
	h5w_t *w;
	assert_int_equal(h5w_create(path, &info, &w), SHP_ERR_OUTPUT);
	assert_null(w);
	info.overwrite = true;
	assert_int_equal(h5w_create(path, &info, &w), SHP_OK);
	assert_int_equal(h5w_close(w), SHP_OK);
	test_rm_rf(dir);
}

static void reader_rejects_foreign_files(void **state)
{
	(void)state;
	char dir[64], path[128];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/x.h5", dir);
	test_write_file(dir, "x.h5", "not hdf5 at all");
	void *data;
	size_t count, size;
	assert_int_equal(h5r_read_dataset(path, "/data/time", &data, &count, &size), SHP_ERR_INPUT);
	test_rm_rf(dir);
}

/* Reads a whole 1-D vlen string dataset; the caller frees with H5Dvlen_reclaim-like free(). */
static size_t read_strings(hid_t file, const char *name, char **out, size_t cap)
{
	hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
	assert_true(ds >= 0);
	hid_t type = H5Dget_type(ds);
	hid_t space = H5Dget_space(ds);
	hsize_t n = 0;
	H5Sget_simple_extent_dims(space, &n, NULL);
	assert_true(n <= cap);
	assert_true(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0);
	H5Sclose(space);
	H5Tclose(type);
	H5Dclose(ds);
	return (size_t)n;
}

static void tables_hold_every_row_across_flushes(void **state)
{
	(void)state;
	char dir[64], path[128];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/t.h5", dir);
	struct h5w_info info = info_for(SHP_COMP_LZF, true);
	h5w_t *w;
	assert_int_equal(h5w_create(path, &info, &w), SHP_OK);
	static const struct h5w_column cols[] = {
		{"message", H5W_COL_STR, 0, true, NULL, "text"},
		{"level", H5W_COL_U8, 0, false, "n", NULL},
		{"pair", H5W_COL_U64, 2, false, "ns", NULL},
	};
	h5w_table_t *t;
	assert_int_equal(h5w_table_create(w, "sheep", cols, 3, &t), SHP_OK);
	enum { ROWS = 257 }; /* two whole chunks of 100 and a partial one */
	for (uint32_t k = 0; k < ROWS; k++) {
		char msg[32];
		int len = snprintf(msg, sizeof(msg), "row %u", k);
		uint8_t level = (uint8_t)(10 + k % 5 * 10);
		uint64_t pair[2] = {k, (uint64_t)k * 1000};
		const void *row[3] = {msg, &level, pair};
		size_t lens[3] = {(size_t)len, 0, 0};
		assert_int_equal(h5w_table_append(t, 1000 + k, row, lens), SHP_OK);
		if (k == 150)
			assert_int_equal(h5w_flush(w),
					 SHP_OK); /* a partial chunk, rewritten later */
	}
	assert_int_equal(h5w_table_rows(t), ROWS);
	assert_int_equal(h5w_close(w), SHP_OK);

	hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	assert_true(file >= 0);
	static char *msgs[ROWS];
	assert_int_equal(read_strings(file, "/sheep/message", msgs, ROWS), ROWS);
	static uint64_t times[ROWS], pairs[ROWS][2];
	static uint8_t levels[ROWS];
	hid_t ds = H5Dopen2(file, "/sheep/time", H5P_DEFAULT);
	assert_true(H5Dread(ds, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, times) >= 0);
	H5Dclose(ds);
	ds = H5Dopen2(file, "/sheep/level", H5P_DEFAULT);
	assert_true(H5Dread(ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, levels) >= 0);
	H5Dclose(ds);
	ds = H5Dopen2(file, "/sheep/pair", H5P_DEFAULT);
	assert_true(H5Dread(ds, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, pairs) >= 0);
	H5Dclose(ds);
	for (uint32_t k = 0; k < ROWS; k++) {
		char want[32];
		snprintf(want, sizeof(want), "row %u", k);
		assert_string_equal(msgs[k], want);
		free(msgs[k]);
		assert_int_equal(times[k], 1000 + k);
		assert_int_equal(levels[k], 10 + k % 5 * 10);
		assert_int_equal(pairs[k][0], k);
		assert_int_equal(pairs[k][1], (uint64_t)k * 1000);
	}
	H5Fclose(file);
	test_rm_rf(dir);
}

static void gpio_events_arrive_whole_and_in_order(void **state)
{
	(void)state;
	char dir[64], path[128];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/g.h5", dir);
	struct h5w_info info = info_for(SHP_COMP_LZF, true);
	info.gpio = true;
	h5w_t *w;
	assert_int_equal(h5w_create(path, &info, &w), SHP_OK);
	enum { EVENTS = 250000 }; /* two whole chunks of 100 000 and a partial one */
	static uint64_t ts[EVENTS];
	static uint16_t val[EVENTS];
	for (uint32_t k = 0; k < EVENTS; k++) {
		ts[k] = 1700000000000000000ull + (uint64_t)k * 667;
		val[k] = (uint16_t)((k + 1) & 0x3FF);
	}
	/* odd batch sizes, and a flush in the middle of a chunk */
	assert_int_equal(h5w_append_gpio(w, ts, val, 12345), SHP_OK);
	assert_int_equal(h5w_flush(w), SHP_OK);
	assert_int_equal(h5w_append_gpio(w, ts + 12345, val + 12345, 150000), SHP_OK);
	assert_int_equal(h5w_append_gpio(w, ts + 162345, val + 162345, EVENTS - 162345), SHP_OK);
	assert_int_equal(h5w_gpio_events(w), EVENTS);
	assert_int_equal(h5w_close(w), SHP_OK);
	void *data;
	size_t count, size;
	assert_int_equal(h5r_read_dataset(path, "/gpio/time", &data, &count, &size), SHP_OK);
	assert_int_equal(count, EVENTS);
	assert_memory_equal(data, ts, sizeof(ts));
	free(data);
	assert_int_equal(h5r_read_dataset(path, "/gpio/value", &data, &count, &size), SHP_OK);
	assert_int_equal(count, EVENTS);
	assert_int_equal(size, 2);
	assert_memory_equal(data, val, sizeof(val));
	free(data);
	test_rm_rf(dir);
}

int main(void)
{
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	if (shp_h5_init() != SHP_OK)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_roundtrip),
		cmocka_unit_test(lzf_roundtrip),
		cmocka_unit_test(lzf_incompressible_chunks_are_stored_raw),
		cmocka_unit_test(gzip_roundtrip),
		cmocka_unit_test(existing_file_is_not_overwritten),
		cmocka_unit_test(reader_rejects_foreign_files),
		cmocka_unit_test(tables_hold_every_row_across_flushes),
		cmocka_unit_test(gpio_events_arrive_whole_and_in_order),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	H5close();
	return rc;
}
