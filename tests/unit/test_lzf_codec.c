/* Unit tests of lzf_codec.c: the plane encoder and the decoder, each checked against liblzf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <lzf.h>
#include <stdlib.h>
#include <string.h>

#include "h5/lzf_codec.h"

#define MAX_N 20000
#define GUARD 0xC3

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

enum kind { NOISE, CONSTANT, PERIODIC, RUNS, FEW_VALUES, RAMP, SPARSE, KINDS };

/* Planes of the kinds the sheep's chunks have, and harder ones. */
static void make_plane(uint8_t *p, size_t n, enum kind kind)
{
	uint8_t value = (uint8_t)next_random();
	size_t period = 1 + next_random() % 300;
	for (size_t k = 0; k < n; k++) {
		switch (kind) {
		case NOISE:
			p[k] = (uint8_t)next_random();
			break;
		case CONSTANT:
			p[k] = value;
			break;
		case PERIODIC:
			p[k] = k < period ? (uint8_t)next_random() : p[k - period];
			break;
		case RUNS:
			if (next_random() % 7 == 0)
				value = (uint8_t)next_random();
			p[k] = value;
			break;
		case FEW_VALUES:
			p[k] = (uint8_t)(value + next_random() % 3);
			break;
		case RAMP:
			p[k] = (uint8_t)(k * 10 / 65); /* a staircase: the timestamps' third byte */
			break;
		default:
			p[k] = next_random() % 50 == 0 ? (uint8_t)next_random() : 0;
			break;
		}
	}
}

/*
 * Encodes from a heap copy of exactly n bytes (the ASan build sees any read beyond the plane),
 * checks the output stays inside cap, decodes with liblzf and with ours.
 */
static size_t round_trip(struct lzf_encoder *enc, const uint8_t *plane, size_t n, size_t cap)
{
	static uint8_t out[2 * MAX_N + 64], back[MAX_N], mine[MAX_N];
	memset(out, GUARD, sizeof(out));
	uint8_t *exact = malloc(n);
	assert_non_null(exact);
	memcpy(exact, plane, n);
	size_t len = lzf_encode_plane(enc, exact, n, out, cap);
	free(exact);
	for (size_t k = cap; k < sizeof(out); k++)
		if (out[k] != GUARD)
			fail_msg("n=%zu cap=%zu: the encoder wrote at %zu", n, cap, k);
	if (len == 0)
		return 0;
	assert_true(len <= cap);
	unsigned got = lzf_decompress(out, (unsigned)len, back, sizeof(back));
	assert_int_equal(got, n);
	assert_memory_equal(back, plane, n);
	assert_int_equal(lzf_decode(out, len, mine, sizeof(mine)), n);
	assert_memory_equal(mine, plane, n);
	return len;
}

static void encoder_round_trips_every_kind(void **state)
{
	(void)state;
	static const size_t lengths[] = {1,  2,  3,  4,   5,   6,    7,     8,    9,
					 31, 32, 33, 100, 264, 1000, 10000, MAX_N};
	static uint8_t plane[MAX_N];
	static struct lzf_encoder enc; /* never cleared between planes: any content must be safe */
	for (int kind = 0; kind < KINDS; kind++) {
		for (size_t l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++) {
			size_t n = lengths[l];
			make_plane(plane, n, (enum kind)kind);
			/* room for all literals: never refused */
			size_t len = round_trip(&enc, plane, n, n + n / 32 + 1);
			assert_true(len > 0 && len <= n + (n + 31) / 32);
			/* structured planes shrink, a plane of three random values less */
			if (kind != NOISE && n >= 1000)
				if (!(len < n * (kind == FEW_VALUES ? 9 : 7) / 10))
					fail_msg("kind %d n %zu: %zu bytes", kind, n, len);
			/* too little room: refused without writing past cap, never truncated */
			if (len > 1)
				assert_int_equal(round_trip(&enc, plane, n, len - 1), 0);
		}
	}
}

static void encoder_is_safe_with_any_table(void **state)
{
	(void)state;
	static uint8_t plane[MAX_N];
	static struct lzf_encoder enc;
	for (int round = 0; round < 50; round++) {
		for (size_t k = 0; k < sizeof(enc.table) / sizeof(enc.table[0]); k++)
			enc.table[k] = (uint16_t)next_random();
		size_t n = 1 + next_random() % MAX_N;
		make_plane(plane, n, (enum kind)(round % KINDS));
		assert_true(round_trip(&enc, plane, n, n + n / 32 + 1) > 0);
	}
}

/* On the kinds of plane the sheep compresses, the encoder is about as good as liblzf. */
static void encoder_size_is_close_to_liblzf(void **state)
{
	(void)state;
	static uint8_t plane[10000], out[11000];
	static struct lzf_encoder enc;
	size_t ours = 0, theirs = 0;
	for (int kind = CONSTANT; kind < KINDS; kind++) {
		make_plane(plane, sizeof(plane), (enum kind)kind);
		ours += lzf_encode_plane(&enc, plane, sizeof(plane), out, sizeof(out));
		theirs += lzf_compress(plane, sizeof(plane), out, sizeof(out));
	}
	assert_true(ours * 100 <= theirs * 103);
}

/* The decoder agrees with liblzf on every stream liblzf writes, also with little room left. */
static void decoder_reads_liblzf_streams(void **state)
{
	(void)state;
	static uint8_t plane[MAX_N], packed[MAX_N + MAX_N / 16], out[MAX_N + 300];
	for (int kind = 0; kind < KINDS; kind++) {
		for (size_t n = 1; n <= MAX_N; n = n * 3 + 1) {
			make_plane(plane, n, (enum kind)kind);
			unsigned len = lzf_compress(plane, (unsigned)n, packed, sizeof(packed));
			if (len == 0)
				continue;
			for (size_t slack = 0; slack < 300; slack += 37) {
				memset(out, GUARD, sizeof(out));
				assert_int_equal(lzf_decode(packed, len, out, n + slack), n);
				assert_memory_equal(out, plane, n);
				for (size_t k = n + slack; k < sizeof(out); k++)
					assert_int_equal(out[k], GUARD);
			}
			errno = 0;
			if (n > 1) {
				assert_int_equal(lzf_decode(packed, len, out, n - 1), 0);
				assert_int_equal(errno, E2BIG);
			}
		}
	}
}

/*
 * Overlapping copies: every distance up to 17 and length up to 264, against a byte loop. Each
 * match is followed by 96 literals, so that with room to spare it runs in the decoder's fast
 * loop; with exactly the room needed, in the checked one.
 */
static void decoder_repeats_short_distances(void **state)
{
	(void)state;
	static uint8_t stream[256], want[500], got[1000];
	for (size_t distance = 1; distance <= 17; distance++) {
		for (size_t len = 3; len <= 264; len += (len < 20 ? 1 : 23)) {
			size_t s = 0, w = 0;
			stream[s++] = (uint8_t)(distance - 1); /* distance literal bytes */
			for (size_t k = 0; k < distance; k++)
				stream[s++] = want[w++] = (uint8_t)(k * 29 + 1);
			size_t l = len - 2, d = distance - 1;
			if (l < 7) {
				stream[s++] = (uint8_t)(l << 5 | d >> 8);
			} else {
				stream[s++] = (uint8_t)(7u << 5 | d >> 8);
				stream[s++] = (uint8_t)(l - 7);
			}
			stream[s++] = (uint8_t)d;
			for (size_t k = 0; k < len; k++, w++)
				want[w] = want[w - distance];
			for (int run = 0; run < 3; run++) {
				stream[s++] = 31;
				for (size_t k = 0; k < 32; k++)
					stream[s++] = want[w++] = (uint8_t)(k * 7 + run);
			}
			for (size_t cap = w; cap <= w + 300; cap += 300) {
				uint8_t *exact =
					malloc(s); /* ASan sees any read beyond the stream */
				assert_non_null(exact);
				memcpy(exact, stream, s);
				assert_int_equal(lzf_decode(exact, s, got, cap), w);
				free(exact);
				assert_memory_equal(got, want, w);
			}
		}
	}
}

static void decoder_refuses_damaged_streams(void **state)
{
	(void)state;
	uint8_t out[64];
	const uint8_t before_start[] = {0x00, 'a', 0x20, 0x05}; /* copy from 6 back after 1 byte */
	const uint8_t short_literals[] = {0x04, 'a', 'b'};      /* 5 literals announced, 2 there */
	const uint8_t short_match[] = {0x00, 'a', 0x20};        /* distance byte missing */
	const uint8_t short_long_match[] = {0x00, 'a', 0xE0};   /* length byte missing */
	const struct {
		const uint8_t *s;
		size_t n;
	} cases[] = {{before_start, sizeof(before_start)},
		     {short_literals, sizeof(short_literals)},
		     {short_match, sizeof(short_match)},
		     {short_long_match, sizeof(short_long_match)}};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		errno = 0;
		assert_int_equal(lzf_decode(cases[k].s, cases[k].n, out, sizeof(out)), 0);
		assert_int_equal(errno, EINVAL);
	}
}

/* Random damage: never outside the buffers (the ASan build checks), the same verdict as liblzf. */
static void decoder_agrees_with_liblzf_on_damage(void **state)
{
	(void)state;
	static uint8_t plane[5000], packed[6000], a[5000], b[5000];
	for (int round = 0; round < 3000; round++) {
		size_t n = 100 + next_random() % 4900;
		make_plane(plane, n, (enum kind)(round % KINDS));
		unsigned len = lzf_compress(plane, (unsigned)n, packed, sizeof(packed));
		if (len == 0)
			continue;
		for (int flips = 1 + round % 4; flips; flips--)
			packed[next_random() % len] ^= (uint8_t)(1u << (next_random() % 8));
		size_t cut = round % 5 == 0 ? next_random() % len : len;
		unsigned theirs = lzf_decompress(packed, (unsigned)cut, a, (unsigned)n);
		uint8_t *exact = malloc(cut ? cut : 1); /* the stream alone: ASan sees beyond it */
		assert_non_null(exact);
		memcpy(exact, packed, cut);
		size_t ours = lzf_decode(exact, cut, b, n);
		free(exact);
		assert_int_equal(ours, theirs);
		assert_memory_equal(a, b, ours);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encoder_round_trips_every_kind),
		cmocka_unit_test(encoder_is_safe_with_any_table),
		cmocka_unit_test(encoder_size_is_close_to_liblzf),
		cmocka_unit_test(decoder_reads_liblzf_streams),
		cmocka_unit_test(decoder_repeats_short_distances),
		cmocka_unit_test(decoder_refuses_damaged_streams),
		cmocka_unit_test(decoder_agrees_with_liblzf_on_damage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
