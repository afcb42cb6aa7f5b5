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
 * (liblzf, h5py) reads as the whole chunk (h5/lzf_codec.h). A plane of one repeated byte (the zero
 * upper bytes of 18-bit codes) is written as a run, a plane of noise (the low bytes) as literals,
 * and only the rest goes through the plane encoder of lzf_codec.c (liblzf's compressor spends 9
 * ARM instructions per byte even on planes of long matches and up to 34 on noise). Which planes
 * are noise is learnt per series (struct chunk_hints) from the encoder's result on the previous
 * chunk and checked again every 16th chunk.
 *
 * A plane that equals the same plane of the series' previous chunk plus a constant (mod 256) is
 * not encoded again: its previous tokens, with the constant added to their literal bytes, decode
 * to it, since matches copy bytes that are all shifted alike. The two lowest bytes of the
 * timestamps are such planes (10 000 samples of 10 us move them by 0 and by 225), which saves a
 * seventh of a harvest's instructions on ARM. Candidates are tried every 16th chunk.
 */
#ifndef SHP_CHUNK_CODEC_H
#define SHP_CHUNK_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "h5/h5_common.h"

#define CHUNK_MAX_PLANES 8

struct plane_memo;

/* What the codec learnt about one series' byte planes (zero-initialise, chunk_hints_free). */
struct chunk_hints {
	uint32_t chunks;                 /* chunks encoded so far */
	uint8_t noise[CHUNK_MAX_PLANES]; /* LZF saved < 3 % on this plane last time */
	/* planes that are the previous chunk's plus a constant (the timestamps' low bytes) */
	struct plane_memo *memo[CHUNK_MAX_PLANES];
};

/* Frees what the hints hold and zeroes them. */
void chunk_hints_free(struct chunk_hints *h);

struct lzf_encoder;

struct chunk_codec {
	enum shp_compression compression;
	int shuffle; /* byte-shuffle before compression (only with compression) */
	size_t capacity;
	uint8_t *shuffled;
	uint8_t *packed;
	struct lzf_encoder *lzf; /* the plane encoder's table */
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

#endif
