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
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	H5close();
	return rc;
}
