/*
 * lzf_codec.h - the LZF format (liblzf's, HDF5 filter 32000) written and read by the sheep.
 *
 * A stream is a sequence of tokens. A control byte below 32 starts 1..32 literal bytes; above, its
 * top three bits are the match length - 2 (7: one more length byte follows) and its low five bits
 * with the next byte the distance - 1 (1..8192) of a copy of 3..264 bytes from the output already
 * decoded. Streams of token sequences concatenate: the shuffled chunk codec writes each byte plane
 * as its own sequence, and every LZF decoder (liblzf, h5py) reads the result as one stream.
 *
 * The encoder here is for byte planes of a shuffled chunk (at most 64 KiB each), where liblzf's
 * costs 9 ARM instructions per byte on planes it turns into a handful of long matches and up to
 * 23 on mixed ones. It parses greedily like liblzf (one hash candidate per position, the longest
 * match there, up to 264 bytes), but extends matches a word at a time and copies literal runs in
 * blocks; its output is a valid LZF stream of about liblzf's size, not liblzf's byte sequence.
 * The decoder checks every token against both buffers, so a damaged chunk is an error, never a
 * write or read outside them.
 */
#ifndef SHP_LZF_CODEC_H
#define SHP_LZF_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define LZF_MAX_LITERALS 32u
#define LZF_MIN_MATCH 3u
#define LZF_MAX_MATCH 264u /* 2 + 7 + 255 */
#define LZF_MAX_DISTANCE 8192u
#define LZF_PLANE_MAX 65536u /* the encoder's largest input */

/* The encoder's hash table (positions in a plane); any content is safe, zeros to start with. */
struct lzf_encoder {
	uint16_t table[1u << 14];
};

/*
 * Appends the LZF tokens of n bytes (1 <= n <= LZF_PLANE_MAX) to dst. Returns the bytes written,
 * or 0 if they would exceed cap (the caller then stores the data raw). Bytes of dst beyond the
 * returned length, up to cap, may be overwritten.
 */
size_t lzf_encode_plane(struct lzf_encoder *enc, const uint8_t *src, size_t n, uint8_t *dst,
			size_t cap);

/* Tokens of count literal bytes, or a run of count copies of one byte (0 if cap is too small). */
size_t lzf_put_literals(const uint8_t *src, size_t count, uint8_t *dst, size_t cap);
size_t lzf_put_run(uint8_t value, size_t count, uint8_t *dst, size_t cap);

/*
 * Decodes a whole LZF stream of n bytes into dst (cap bytes). Returns the decoded length, or 0 if
 * the stream is damaged (a token beyond its end, a copy from before the start; errno EINVAL) or
 * needs more than cap bytes (E2BIG). Bytes of dst beyond the decoded length, up to cap, may be
 * overwritten.
 */
size_t lzf_decode(const uint8_t *src, size_t n, uint8_t *dst, size_t cap);

#endif
