/*
 * test_prog_realign.c - srec_cat as prog_realign() runs it (node-control.md 3.5): ranges widened
 * to 4-byte boundaries with 0xFF, gaps kept, records of at most 16 bytes, extended-address and
 * start records per address length, 2-byte mode refusing addresses above 0xFFFF, and the
 * errors with srec_cat's own message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "prog/prog_realign.h"
#include "test_util.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	return test_tmpdir(dir, sizeof(dir)) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	test_rm_rf(dir);
	return 0;
}

/* realigns text; returns the error, the output in out (when SHP_OK) */
static shp_err realign(const char *text, bool two_byte, char *out, size_t len)
{
	char in[128], res[128];
	test_write_file(dir, "in.hex", text);
	snprintf(in, sizeof(in), "%s/in.hex", dir);
	snprintf(res, sizeof(res), "%s/out.hex", dir);
	remove(res);
	shp_err e = prog_realign(in, two_byte, res);
	out[0] = '\0';
	FILE *f = fopen(res, "r");
	if (f) {
		size_t n = fread(out, 1, len - 1, f);
		out[n] = '\0';
		fclose(f);
	}
	return e;
}

static void ranges_widened_gaps_kept(void **state)
{
	(void)state;
	char out[1024];
	/* data 0x1005-0x1009 and 0x1013-0x1015 */
	assert_int_equal(realign(":051005000102030405D7\n:03101300060708C5\n:00000001FF\n", false,
				 out, sizeof(out)),
			 SHP_OK);
	assert_string_equal(out, ":020000040000FA\n"
				 ":08100400FF0102030405FFFFD8\n"
				 ":08101000FFFFFF060708FFFFC8\n"
				 ":00000001FF\n");
}

static void records_of_sixteen_bytes(void **state)
{
	(void)state;
	char out[1024];
	/* 40 bytes in records of 16, 5, 11 and 8 bytes */
	assert_int_equal(realign(":10000000000102030405060708090A0B0C0D0E0F78\n"
				 ":05001000101112131491\n"
				 ":0B00150015161718191A1B1C1D1E1FC2\n"
				 ":080020002021222324252627BC\n:00000001FF\n",
				 false, out, sizeof(out)),
			 SHP_OK);
	assert_string_equal(out, ":020000040000FA\n"
				 ":10000000000102030405060708090A0B0C0D0E0F78\n"
				 ":10001000101112131415161718191A1B1C1D1E1F68\n"
				 ":080020002021222324252627BC\n"
				 ":00000001FF\n");
}

static void extended_records_at_each_64k_change(void **state)
{
	(void)state;
	char out[1024];
	assert_int_equal(realign(":0400000001020304F2\n:020000040002F8\n:050010000506070809C8\n"
				 ":00000001FF\n",
				 false, out, sizeof(out)),
			 SHP_OK);
	assert_string_equal(out, ":020000040000FA\n"
				 ":0400000001020304F2\n"
				 ":020000040002F8\n"
				 ":080010000506070809FFFFFFC8\n"
				 ":00000001FF\n");
}

static void start_address_per_address_length(void **state)
{
	(void)state;
	char out[1024];
	const char *in = ":04400000AABBCCDDAE\n:0400000500004000B7\n:00000001FF\n";
	assert_int_equal(realign(in, false, out, sizeof(out)), SHP_OK);
	assert_string_equal(out, ":020000040000FA\n"
				 ":04400000AABBCCDDAE\n"
				 ":0400000500004000B7\n"
				 ":00000001FF\n");
	/* 2-byte addresses: no extended records, the start in the EOF record */
	assert_int_equal(realign(in, true, out, sizeof(out)), SHP_OK);
	assert_string_equal(out, ":04400000AABBCCDDAE\n:00400001BF\n");
}

static void crlf_input_gives_lf_output(void **state)
{
	(void)state;
	char out[1024];
	assert_int_equal(realign(":020010000102EB\r\n:00000001FF\r\n", false, out, sizeof(out)),
			 SHP_OK);
	assert_string_equal(out, ":020000040000FA\n:040010000102FFFFEB\n:00000001FF\n");
}

static void two_byte_mode_refuses_above_0xffff(void **state)
{
	(void)state;
	char out[1024];
	const char *in = ":0400000001020304F2\n:020000040001F9\n:0400000005060708E2\n:00000001FF\n";
	assert_int_equal(realign(in, true, out, sizeof(out)), SHP_ERR_FIRMWARE);
	assert_int_equal(realign(in, false, out, sizeof(out)), SHP_OK);
}

static void bad_checksum_and_empty_file_fail(void **state)
{
	(void)state;
	char out[1024];
	assert_int_equal(realign(":0400000001020304F3\n:00000001FF\n", false, out, sizeof(out)),
			 SHP_ERR_FIRMWARE);
	assert_int_equal(realign("", false, out, sizeof(out)), SHP_ERR_FIRMWARE);
	assert_int_equal(realign("not a hex file\n", false, out, sizeof(out)), SHP_ERR_FIRMWARE);
}

static void missing_srec_cat_is_a_config_error(void **state)
{
	(void)state;
	char out[1024];
	setenv("SHEPHERD_SREC_CAT", "/nonexistent/srec_cat", 1);
	shp_err e = realign(":0400000001020304F2\n:00000001FF\n", false, out, sizeof(out));
	unsetenv("SHEPHERD_SREC_CAT");
	assert_int_equal(e, SHP_ERR_CONFIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ranges_widened_gaps_kept),
		cmocka_unit_test(records_of_sixteen_bytes),
		cmocka_unit_test(extended_records_at_each_64k_change),
		cmocka_unit_test(start_address_per_address_length),
		cmocka_unit_test(crlf_input_gives_lf_output),
		cmocka_unit_test(two_byte_mode_refuses_above_0xffff),
		cmocka_unit_test(bad_checksum_and_empty_file_fail),
		cmocka_unit_test(missing_srec_cat_is_a_config_error),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
