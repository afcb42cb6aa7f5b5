/*
 * h5gen - writes a recording with the sheep's own writer from generated data, plus the raw
 * bytes of what it wrote, so the end-to-end tests can check that h5py decodes our files.
 *
 * usage: h5gen OUT.h5 none|lzf|gzip1 shuffle|plain ramp|random
 * writes OUT.h5 and OUT.h5.time / .voltage / .current (raw little-endian)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5/h5_common.h"
#include "h5/h5_writer.h"

#define N 25000

static int dump(const char *out, const char *name, const void *data, size_t bytes)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s.%s", out, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t n = fwrite(data, 1, bytes, f);
	return fclose(f) == 0 && n == bytes ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: h5gen OUT.h5 none|lzf|gzip1 shuffle|plain ramp|random\n");
		return 2;
	}
	static uint64_t ts[N];
	static uint32_t v[N], i[N];
	bool random = strcmp(argv[4], "random") == 0;
	uint64_t x = 0x9E3779B97F4A7C15ull;
	for (uint32_t k = 0; k < N; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		ts[k] = 1700000000000000000ull + k * 10000ull;
		v[k] = random ? (uint32_t)x : 100000 + (k * 7) % 300;
		i[k] = random ? (uint32_t)(x >> 32) : 20000 + (k * 13) % 500;
	}
	struct h5w_info info = {
		.mode = "harvester",
		.hostname = "h5gen",
		.datatype = "ivtrace",
		.voltage = {1.953125e-05, 0.0},
		.current = {2.0345052083333335e-07, 0.0},
		.compression = strcmp(argv[2], "lzf") == 0     ? SHP_COMP_LZF
			       : strcmp(argv[2], "gzip1") == 0 ? SHP_COMP_GZIP1
							       : SHP_COMP_NONE,
		.shuffle = strcmp(argv[3], "shuffle") == 0,
		.overwrite = true,
	};
	h5w_t *w;
	if (shp_h5_init() != SHP_OK || h5w_create(argv[1], &info, &w) != SHP_OK)
		return 1;
	if (h5w_append_iv(w, ts, v, i, N) != SHP_OK || h5w_close(w) != SHP_OK)
		return 1;
	if (dump(argv[1], "time", ts, sizeof(ts)) || dump(argv[1], "voltage", v, sizeof(v)) ||
	    dump(argv[1], "current", i, sizeof(i)))
		return 1;
	return 0;
}
