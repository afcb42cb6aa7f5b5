/* Unit tests of held_writes.c: writes held for the commit, read back over the file's bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "h5/held_writes.h"

static void fill(uint8_t *p, size_t n, uint8_t v)
{
	memset(p, v, n);
}

static void the_same_entry_written_again_is_held_once(void **state)
{
	(void)state;
	struct held_writes h = {0};
	uint8_t a[100], b[100];
	fill(a, sizeof(a), 'a');
	fill(b, sizeof(b), 'b');
	assert_true(held_put(&h, 1000, sizeof(a), a));
	assert_true(held_put(&h, 1000, sizeof(b), b));
	assert_int_equal(h.n, 1);
	assert_int_equal(h.bytes, 100);
	uint8_t got[300];
	fill(got, sizeof(got), '.');
	held_overlay(&h, 950, sizeof(got), got); /* [950, 1250) */
	assert_int_equal(got[49], '.');
	assert_int_equal(got[50], 'b');
	assert_int_equal(got[149], 'b');
	assert_int_equal(got[150], '.');
	held_clear(&h);
	assert_int_equal(h.n, 0);
	fill(got, sizeof(got), '.');
	held_overlay(&h, 950, sizeof(got), got);
	assert_int_equal(got[50], '.');
	held_free(&h);
}

/* A = [100, 200), B = [150, 250), then A's extent again with new bytes C: the held state must
 * show C over [100, 200) and B only over [200, 250), whatever order the extents are kept in. */
static void overlapping_extents_agree_on_the_newest_bytes(void **state)
{
	(void)state;
	struct held_writes h = {0};
	uint8_t a[100], b[100], c[100];
	fill(a, sizeof(a), 'A');
	fill(b, sizeof(b), 'B');
	fill(c, sizeof(c), 'C');
	assert_true(held_put(&h, 100, sizeof(a), a));
	assert_true(held_put(&h, 150, sizeof(b), b));
	assert_true(held_put(&h, 100, sizeof(c), c));
	uint8_t got[200];
	fill(got, sizeof(got), '.');
	held_overlay(&h, 100, sizeof(got), got); /* [100, 300) */
	for (int k = 0; k < 100; k++)
		assert_int_equal(got[k], 'C');
	for (int k = 100; k < 150; k++)
		assert_int_equal(got[k], 'B');
	for (int k = 150; k < 200; k++)
		assert_int_equal(got[k], '.');
	/* the apply writes the extents in order: each must carry the newest bytes too */
	for (size_t k = 0; k < h.n; k++)
		for (size_t j = 0; j < h.e[k].len; j++) {
			uint64_t at = h.e[k].addr + j;
			assert_int_equal(h.e[k].data[j], at < 200 ? 'C' : 'B');
		}
	held_free(&h);
}

static void many_entries_grow_the_index(void **state)
{
	(void)state;
	struct held_writes h = {0};
	uint8_t v[8];
	for (uint32_t k = 0; k < 5000; k++) {
		memcpy(v, &k, sizeof(k));
		memset(v + 4, 0, 4);
		assert_true(held_put(&h, (uint64_t)k * 4096, sizeof(v), v));
	}
	for (uint32_t k = 0; k < 5000; k += 7) { /* again: in place */
		uint32_t x = k + 1;
		memcpy(v, &x, sizeof(x));
		assert_true(held_put(&h, (uint64_t)k * 4096, sizeof(v), v));
	}
	assert_int_equal(h.n, 5000);
	for (uint32_t k = 0; k < 5000; k++) {
		uint8_t got[8] = {0};
		held_overlay(&h, (uint64_t)k * 4096, sizeof(got), got);
		uint32_t x;
		memcpy(&x, got, sizeof(x));
		assert_int_equal(x, k % 7 ? k : k + 1);
	}
	held_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_same_entry_written_again_is_held_once),
		cmocka_unit_test(overlapping_extents_agree_on_the_newest_bytes),
		cmocka_unit_test(many_entries_grow_the_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
