/*
 * compress_only - the bare compressor on the bytes of a recording, for the benchmark.
 *
 * Reads /data/time, /data/voltage and /data/current of FILE and runs the sheep's filter pipeline
 * (chunk_codec: shuffle, then LZF or deflate) over every 10 000-sample chunk, exactly as the
 * sheep did while recording, and nothing else. Under callgrind with
 * --toggle-collect=encode_all, the instruction count is the compressor's own cost; the
 * benchmark compares it with the sheep's steady-state count per recorded second.
 *
 * usage: compress_only FILE none|lzf|gzip1 shuffle|plain
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5/chunk_codec.h"
#include "h5/h5_common.h"
#include "h5/h5_reader.h"
#include "h5/h5_writer.h"

struct series {
	void *data;
	size_t count;
	size_t elem;
};

/* Kept out of line so that callgrind can count exactly this function. */
__attribute__((noinline)) size_t encode_all(struct chunk_codec *codec, const struct series *s,
					    int n_series)
{
	size_t total = 0;
	for (int d = 0; d < n_series; d++) {
		struct chunk_hints hints = {0};
		for (size_t k = 0; k + SHP_H5_CHUNK_SAMPLES <= s[d].count;
		     k += SHP_H5_CHUNK_SAMPLES) {
			const void *out;
			size_t len;
			uint32_t mask;
			const uint8_t *chunk = (const uint8_t *)s[d].data + k * s[d].elem;
			if (chunk_codec_encode(codec, &hints, chunk, SHP_H5_CHUNK_SAMPLES,
					       s[d].elem, &out, &len, &mask) != SHP_OK) {
				chunk_hints_free(&hints);
				return 0;
			}
			total += len;
		}
		chunk_hints_free(&hints);
	}
	return total;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: compress_only FILE none|lzf|gzip1 shuffle|plain\n");
		return 2;
	}
	enum shp_compression comp = strcmp(argv[2], "lzf") == 0     ? SHP_COMP_LZF
				    : strcmp(argv[2], "gzip1") == 0 ? SHP_COMP_GZIP1
								    : SHP_COMP_NONE;
	if (shp_h5_init() != SHP_OK)
		return 1;
	static const char *const names[] = {"/data/time", "/data/voltage", "/data/current"};
	struct series s[3];
	for (int d = 0; d < 3; d++)
		if (h5r_read_dataset(argv[1], names[d], &s[d].data, &s[d].count, &s[d].elem) !=
		    SHP_OK)
			return 1;
	struct chunk_codec codec;
	if (chunk_codec_init(&codec, comp, strcmp(argv[3], "shuffle") == 0,
			     SHP_H5_CHUNK_SAMPLES * sizeof(uint64_t)) != SHP_OK)
		return 1;
	size_t bytes = encode_all(&codec, s, 3);
	printf("encoded %zu samples into %zu bytes\n", s[0].count, bytes);
	chunk_codec_free(&codec);
	for (int d = 0; d < 3; d++)
		free(s[d].data);
	return bytes ? 0 : 1;
}
