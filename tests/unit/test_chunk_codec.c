/* Unit tests of chunk_codec.c: LZF tokens decoded by liblzf, and chunks equal to what HDF5's own
 * filter pipeline stores (shuffle and LZF alone: test_byte_shuffle.c, test_lzf_codec.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <hdf5.h>
#include <lzf.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "h5/byte_shuffle.h"
#include "h5/chunk_codec.h"
#include "h5/h5_common.h"
#include "h5/h5_writer.h"
#include "h5/lzf_codec.h"
#include "test_util.h"

static void write_file(const char *path, enum shp_compression comp, bool shuffle, bool random,
		       bool pipeline_only)
{
	static uint64_t ts[25000];
	static uint32_t v[25000], i[25000];
	uint64_t x = 0x2545F4914F6CDD1Dull;
	for (uint32_t k = 0; k < 25000; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		ts[k] = random ? x : 1700000000000000000ull + k * 10000ull;
		v[k] = random ? (uint32_t)x : 90000 + (k * 37) % 1000;
		i[k] = random ? (uint32_t)(x >> 32) : 150000 - (k * 11) % 3000;
	}
	struct h5w_info info = {
		.mode = "harvester",
		.hostname = "unit",
		.datatype = "ivtrace",
		.voltage = {1e-6, 0},
		.current = {1e-9, 0},
		.compression = comp,
		.shuffle = shuffle,
		.overwrite = true,
		.pipeline_only = pipeline_only,
	};
	h5w_t *w;
	assert_int_equal(h5w_create(path, &info, &w), SHP_OK);
	for (uint32_t k = 0; k < 25000; k += 10000) {
		uint32_t n = 25000 - k < 10000 ? 25000 - k : 10000;
		assert_int_equal(h5w_append_iv(w, ts + k, v + k, i + k, n), SHP_OK);
	}
	assert_int_equal(h5w_close(w), SHP_OK);
}

/* Raw stored bytes and filter mask of one chunk. */
static uint8_t *stored_chunk(const char *path, const char *name, hsize_t row, hsize_t *size,
			     uint32_t *mask)
{
	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
	hsize_t offset[1] = {row};
	assert_true(H5Dget_chunk_storage_size(ds, offset, size) >= 0);
	uint8_t *buf = malloc(*size);
	assert_non_null(buf);
	assert_true(H5Dread_chunk(ds, H5P_DEFAULT, offset, mask, buf) >= 0);
	H5Dclose(ds);
	H5Fclose(f);
	return buf;
}

/* Whole dataset as HDF5 decodes it. */
static uint8_t *decoded(const char *path, const char *name, size_t *bytes)
{
	hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
	hid_t type = H5Dget_type(ds);
	hid_t space = H5Dget_space(ds);
	*bytes = (size_t)H5Sget_simple_extent_npoints(space) * H5Tget_size(type);
	uint8_t *buf = malloc(*bytes);
	assert_non_null(buf);
	assert_true(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
	H5Sclose(space);
	H5Tclose(type);
	H5Dclose(ds);
	H5Fclose(f);
	return buf;
}

/*
 * Chunks written directly against chunks written by HDF5's pipeline: byte for byte where the
 * codec does what HDF5's filter does; for shuffled LZF (encoded plane by plane) the same decoded
 * data, the same filter mask, and a stored size within 1 % of liblzf's.
 */
static void compare_paths(enum shp_compression comp, bool shuffle, bool random)
{
	bool same_bytes = !(comp == SHP_COMP_LZF && shuffle);
	char dir[64], direct[128], pipeline[128];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(direct, sizeof(direct), "%s/direct.h5", dir);
	snprintf(pipeline, sizeof(pipeline), "%s/pipeline.h5", dir);
	write_file(direct, comp, shuffle, random, false);
	write_file(pipeline, comp, shuffle, random, true);
	static const char *const names[] = {"/data/time", "/data/voltage", "/data/current"};
	for (int d = 0; d < 3; d++) {
		for (hsize_t row = 0; row < 30000; row += 10000) {
			hsize_t size_a, size_b;
			uint32_t mask_a, mask_b;
			uint8_t *a = stored_chunk(direct, names[d], row, &size_a, &mask_a);
			uint8_t *b = stored_chunk(pipeline, names[d], row, &size_b, &mask_b);
			assert_int_equal(mask_a, mask_b);
			if (same_bytes) {
				assert_int_equal(size_a, size_b);
				assert_memory_equal(a, b, size_a);
			} else {
				assert_true(size_a * 100 <= size_b * 101);
			}
			free(a);
			free(b);
		}
		size_t bytes_a, bytes_b;
		uint8_t *a = decoded(direct, names[d], &bytes_a);
		uint8_t *b = decoded(pipeline, names[d], &bytes_b);
		assert_int_equal(bytes_a, bytes_b);
		assert_memory_equal(a, b, bytes_a);
		free(a);
		free(b);
	}
	test_rm_rf(dir);
}

static void lzf_chunks_equal_the_pipeline(void **state)
{
	(void)state;
	compare_paths(SHP_COMP_LZF, true, false);
	compare_paths(SHP_COMP_LZF, false, false);
	compare_paths(SHP_COMP_LZF, true, true); /* incompressible: stored raw, mask bit set */
	compare_paths(SHP_COMP_LZF, false, true);
}

static void gzip_chunks_equal_the_pipeline(void **state)
{
	(void)state;
	compare_paths(SHP_COMP_GZIP1, true, false);
	compare_paths(SHP_COMP_GZIP1, false, true);
}

static void plain_chunks_equal_the_pipeline(void **state)
{
	(void)state;
	compare_paths(SHP_COMP_NONE, false, false);
}

static void incompressible_lzf_chunk_is_marked(void **state)
{
	(void)state;
	struct chunk_codec c;
	assert_int_equal(chunk_codec_init(&c, SHP_COMP_LZF, 1, 4096), SHP_OK);
	uint8_t data[4096];
	uint64_t x = 88172645463325252ull;
	for (size_t k = 0; k < sizeof(data); k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		data[k] = (uint8_t)x;
	}
	const void *out;
	size_t len;
	uint32_t mask;
	assert_int_equal(chunk_codec_encode(&c, NULL, data, 512, 8, &out, &len, &mask), SHP_OK);
	assert_int_equal(mask, 2); /* LZF is filter 1, behind shuffle */
	assert_int_equal(len, sizeof(data));
	assert_int_equal(chunk_codec_encode(&c, NULL, data, 1024, 8, &out, &len, &mask),
			 SHP_ERR_OUTPUT);
	chunk_codec_free(&c);
}

/* Decodes an LZF stream with liblzf itself and compares it with what was encoded. */
static void assert_decodes_to(const uint8_t *stream, size_t len, const uint8_t *want, size_t n)
{
	static uint8_t out[800000];
	assert_true(n <= sizeof(out));
	unsigned got = lzf_decompress(stream, (unsigned)len, out, sizeof(out));
	assert_int_equal(got, n);
	assert_memory_equal(out, want, n);
}

static void literal_and_run_tokens_decode(void **state)
{
	(void)state;
	static uint8_t src[1000], want[1000], dst[2000];
	for (size_t k = 0; k < sizeof(src); k++)
		src[k] = (uint8_t)(k * 7 + 3);
	for (size_t n = 1; n <= 600; n++) {
		size_t len = lzf_put_literals(src, n, dst, sizeof(dst));
		assert_int_equal(len, n + (n + 31) / 32);
		assert_decodes_to(dst, len, src, n);
		memset(want, 0xA5, n);
		len = lzf_put_run(0xA5, n, dst, sizeof(dst));
		assert_true(len > 0 && len <= 2 + 3 * (n / 264 + 2));
		assert_decodes_to(dst, len, want, n);
	}
	assert_int_equal(lzf_put_literals(src, 100, dst, 103), 0); /* needs 104 */
	assert_int_equal(lzf_put_run(1, 1000, dst, 4), 0);
}

/* Planes of every kind in one chunk: constant, noise, ramp, a few distinct values. */
static void plane_encoding_decodes_to_the_shuffled_chunk(void **state)
{
	(void)state;
	static const size_t counts[] = {1, 2, 3, 5, 9, 100, 10000};
	static const size_t elems[] = {2, 4, 8};
	static uint8_t data[80000], shuffled[80000];
	uint64_t x = 0x9E3779B97F4A7C15ull;
	for (size_t e = 0; e < 3; e++) {
		for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
			size_t n = counts[c], elem = elems[e];
			for (size_t i = 0; i < n; i++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				uint64_t value = (x & 0xFF) | (uint64_t)(i / 7 % 3) << 8 |
						 (uint64_t)(i & 0xFF) << 16 | 0x4200000000ull;
				memcpy(data + i * elem, &value, elem);
			}
			struct chunk_codec codec;
			assert_int_equal(chunk_codec_init(&codec, SHP_COMP_LZF, 1, sizeof(data)),
					 SHP_OK);
			struct chunk_hints hints = {0};
			for (int round = 0; round < 20; round++) { /* hints learnt, then used */
				const void *out;
				size_t len;
				uint32_t mask;
				assert_int_equal(chunk_codec_encode(&codec, &hints, data, n, elem,
								    &out, &len, &mask),
						 SHP_OK);
				byte_shuffle(data, shuffled, n, elem);
				if (mask == 0)
					assert_decodes_to(out, len, shuffled, n * elem);
				else
					assert_memory_equal(out, shuffled, n * elem);
			}
			assert_true(n < 100 || hints.noise[0]); /* the noise plane was recognised */
			chunk_hints_free(&hints);
			chunk_codec_free(&codec);
		}
	}
}

/*
 * Consecutive chunks of timestamps: the two low byte planes repeat shifted by a constant and are
 * taken from the memo; every chunk still decodes to its own shuffled bytes, also when the
 * sequence jumps (a gap) and the memo no longer fits.
 */
static void shifted_planes_come_from_the_memo(void **state)
{
	(void)state;
	enum { N = 10000 };
	static uint64_t ts[N];
	static uint8_t shuffled[N * 8];
	struct chunk_codec codec;
	assert_int_equal(chunk_codec_init(&codec, SHP_COMP_LZF, 1, sizeof(shuffled)), SHP_OK);
	struct chunk_hints hints = {0};
	uint64_t t0 = 1764590000000000000ull;
	int reused = 0;
	for (int chunk = 0; chunk < 40; chunk++) {
		if (chunk == 25)
			t0 += 123456789; /* a gap: the planes are not the previous ones shifted */
		for (size_t k = 0; k < N; k++)
			ts[k] = t0 + k * 10000ull;
		t0 += N * 10000ull;
		const void *out;
		size_t len;
		uint32_t mask;
		assert_int_equal(chunk_codec_encode(&codec, &hints, ts, N, 8, &out, &len, &mask),
				 SHP_OK);
		assert_int_equal(mask, 0);
		byte_shuffle((const uint8_t *)ts, shuffled, N, 8);
		assert_decodes_to(out, len, shuffled, sizeof(shuffled));
		reused += hints.memo[1] != NULL;
	}
	assert_true(reused >= 30); /* held from the first recheck on, dropped at the gap */
	chunk_hints_free(&hints);
	assert_null(hints.memo[1]);
	chunk_codec_free(&codec);
}

/* GPIO chunks have 100 000 rows: planes longer than the plane encoder takes at once. */
static void long_planes_go_in_pieces(void **state)
{
	(void)state;
	enum { N = 100000 };
	static uint64_t ts[N];
	static uint16_t value[N];
	static uint8_t shuffled[N * 8];
	uint64_t t = 1764590000000000000ull, x = 0x2545F4914F6CDD1Dull;
	for (size_t k = 0; k < N; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		t += 500 + x % 2000; /* irregular edges, about 1 MHz */
		ts[k] = t;
		value[k] = (uint16_t)(1u << (x % 10));
	}
	struct chunk_codec codec;
	assert_int_equal(chunk_codec_init(&codec, SHP_COMP_LZF, 1, sizeof(shuffled)), SHP_OK);
	struct chunk_hints hints = {0};
	const void *out;
	size_t len;
	uint32_t mask;
	assert_int_equal(chunk_codec_encode(&codec, &hints, ts, N, 8, &out, &len, &mask), SHP_OK);
	assert_int_equal(mask, 0);
	assert_true(len < sizeof(shuffled) / 2);
	byte_shuffle((const uint8_t *)ts, shuffled, N, 8);
	assert_decodes_to(out, len, shuffled, N * 8);
	assert_int_equal(chunk_codec_encode(&codec, &hints, value, N, 2, &out, &len, &mask),
			 SHP_OK);
	assert_int_equal(mask, 0);
	byte_shuffle((const uint8_t *)value, shuffled, N, 2);
	assert_decodes_to(out, len, shuffled, N * 2);
	chunk_hints_free(&hints);
	chunk_codec_free(&codec);
}

int main(void)
{
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	if (shp_h5_init() != SHP_OK)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lzf_chunks_equal_the_pipeline),
		cmocka_unit_test(gzip_chunks_equal_the_pipeline),
		cmocka_unit_test(plain_chunks_equal_the_pipeline),
		cmocka_unit_test(incompressible_lzf_chunk_is_marked),
		cmocka_unit_test(literal_and_run_tokens_decode),
		cmocka_unit_test(plane_encoding_decodes_to_the_shuffled_chunk),
		cmocka_unit_test(shifted_planes_come_from_the_memo),
		cmocka_unit_test(long_planes_go_in_pieces),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	H5close();
	return rc;
}
