/* Unit tests of byte_shuffle.c: every implementation against the definition of the shuffle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "common/cpu.h"
#include "h5/byte_shuffle.h"

typedef void (*shuffle_fn)(const uint8_t *src, uint8_t *dst, size_t count, size_t elem_size);
typedef bool (*constant_fn)(const uint8_t *p, size_t n);
typedef bool (*shifted_fn)(const uint8_t *a, const uint8_t *b, size_t n, uint8_t shift);

static void naive_shuffle(const uint8_t *src, uint8_t *dst, size_t count, size_t elem)
{
	for (size_t j = 0; j < elem; j++)
		for (size_t i = 0; i < count; i++)
			dst[j * count + i] = src[i * elem + j];
}

/* Counts around the vector widths (8, 16) and a whole chunk; element sizes 1 to 8. */
static void check_shuffle(shuffle_fn shuffle)
{
	static const size_t counts[] = {1, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 10000, 10007};
	static uint8_t src[10007 * 8], want[10007 * 8], got[10007 * 8 + 16];
	for (size_t k = 0; k < sizeof(src); k++)
		src[k] = (uint8_t)(k * 131u + (k >> 5));
	for (size_t elem = 1; elem <= 8; elem++) {
		for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
			size_t n = counts[c] * elem;
			naive_shuffle(src, want, counts[c], elem);
			memset(got, 0xEE, sizeof(got));
			shuffle(src, got, counts[c], elem);
			assert_memory_equal(got, want, n);
			for (size_t k = n; k < sizeof(got); k++)
				assert_int_equal(got[k],
						 0xEE); /* nothing written beyond the chunk */
		}
	}
}

/* Constant planes of every length, and one differing byte at every position. */
static void check_constant(constant_fn constant)
{
	static uint8_t p[1100];
	assert_true(constant(p, 0));
	for (size_t n = 1; n <= sizeof(p); n += (n < 300 ? 1 : 97)) {
		memset(p, 0x5C, n);
		assert_true(constant(p, n));
		for (size_t k = 0; k < n && n > 1; k++) {
			p[k] ^= 0x10;
			if (constant(p, n))
				fail_msg("n=%zu: the byte at %zu differs, not noticed", n, k);
			p[k] ^= 0x10;
		}
	}
}

/* Shifted copies of every length and shift, with carries across bytes, and one wrong byte. */
static void check_shifted(shifted_fn shifted)
{
	static uint8_t a[1100], b[1100];
	for (size_t k = 0; k < sizeof(b); k++)
		b[k] = (uint8_t)(k * 77 + (k >> 3));
	for (unsigned shift = 0; shift < 256; shift += 51) {
		for (size_t n = 0; n <= sizeof(a); n += (n < 300 ? 1 : 97)) {
			for (size_t k = 0; k < n; k++)
				a[k] = (uint8_t)(b[k] + shift);
			assert_true(shifted(a, b, n, (uint8_t)shift));
			if (n == 0)
				continue;
			size_t bad =
				n * 7 / 11; /* anywhere: in a word, a vector block or the tail */
			a[bad] ^= 0x01;
			assert_false(shifted(a, b, n, (uint8_t)shift));
			a[bad] ^= 0x01;
			assert_false(shifted(a, b, n, (uint8_t)(shift + 1)));
		}
	}
}

static void portable(void **state)
{
	(void)state;
	check_shuffle(byte_shuffle_portable);
	check_constant(byte_plane_is_constant_portable);
	check_shifted(byte_plane_is_shifted_portable);
}

#ifdef SHEEP_HAVE_NEON
static void neon(void **state)
{
	(void)state;
	if (!cpu_use_neon())
		skip(); /* an armhf CPU without NEON (or SHEPHERD_NO_NEON): nothing to compare */
	check_shuffle(byte_shuffle_neon);
	check_constant(byte_plane_is_constant_neon);
	check_shifted(byte_plane_is_shifted_neon);
}
#endif

static void dispatched(void **state)
{
	(void)state;
	check_shuffle(byte_shuffle);
	check_constant(byte_plane_is_constant);
	check_shifted(byte_plane_is_shifted);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(portable),
#ifdef SHEEP_HAVE_NEON
		cmocka_unit_test(neon),
#endif
		cmocka_unit_test(dispatched),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
