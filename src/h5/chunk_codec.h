/*
 * chunk_codec.h - the writer's own filter pipeline for whole chunks.
 *
 * HDF5's pipeline costs the sheep more than the compressor itself: a chunk is copied into a
 * cache buffer, filled, byte-shuffled by a generic routine (4.4 instructions per byte) and only
 * then compressed. For full chunks the writer instead runs the same filters here and hands the
 * result to H5Dwrite_chunk(). Shuffle is HDF5's, deflate goes through zlib's compress2() at
 * level 1 as HDF5's deflate filter calls it, and unshuffled LZF is our registered filter's,
 * which stores a chunk that does not shrink uncompressed and marks it in the filter mask: those
 * chunks are byte for byte what HDF5 would write (a unit test compares them chunk by chunk).
 *
 * Shuffled chunks get LZF byte plane by byte plane, which decodes to the same data but is not
 * the same byte stream as liblzf's over the whole chunk. LZF back-references are relative, so token
 * streams of planes encoded one after the other form one valid LZF stream that every LZF decoder
 * (liblzf, h5py) reads as the whole chunk. A plane of one repeated byte (the zero upper bytes of
 * 18-bit codes) is written as a run, a plane of noise (the low bytes) as literals, and only the
 * rest goes through liblzf, which spends 8.5 instructions per byte even on zeros and 34 on noise.
 * Which planes are noise is learnt per series (struct chunk_hints) from liblzf's result on the
 * previous chunk and checked again every 16th chunk.
 */
#ifndef SHP_CHUNK_CODEC_H
#define SHP_CHUNK_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "h5/h5_common.h"

#define CHUNK_MAX_PLANES 8

/* What the codec learnt about one series' byte planes (zero-initialise). */
struct chunk_hints {
	uint32_t chunks;                 /* chunks encoded so far */
	uint8_t noise[CHUNK_MAX_PLANES]; /* liblzf saved < 3 % on this plane last time */
};

struct chunk_codec {
	enum shp_compression compression;
	int shuffle; /* byte-shuffle before compression (only with compression) */
	size_t capacity;
	uint8_t *shuffled;
	uint8_t *packed;
};

/* Buffers for chunks of up to max_bytes. */
shp_err chunk_codec_init(struct chunk_codec *c, enum shp_compression compression, int shuffle,
			 size_t max_bytes);
void chunk_codec_free(struct chunk_codec *c);

/*
 * Encodes one chunk of count elements of elem_size bytes. *out points into the codec (valid
 * until the next call), *out_len is its length and *filter_mask the mask H5Dwrite_chunk needs.
 * hints: the series' plane hints for shuffled LZF, or NULL.
 */
shp_err chunk_codec_encode(struct chunk_codec *c, struct chunk_hints *hints, const void *data,
			   size_t count, size_t elem_size, const void **out, size_t *out_len,
			   uint32_t *filter_mask);

/* LZF tokens: count literal bytes, or a run of count copies of one byte. Return the bytes
 * written to dst, 0 if cap is too small. */
size_t lzf_put_literals(const uint8_t *src, size_t count, uint8_t *dst, size_t cap);
size_t lzf_put_run(uint8_t value, size_t count, uint8_t *dst, size_t cap);

/* HDF5's shuffle: all first bytes of the elements, then all second bytes, and so on. */
void chunk_shuffle(const uint8_t *src, uint8_t *dst, size_t count, size_t elem_size);

#endif
