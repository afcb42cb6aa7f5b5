/*
 * test_sim_ihex.c - the simulator's copy of the PRU programmer's Intel-HEX parser
 * (node-control.md 3.8) and its target memories: every error code, the address bases, and the
 * nRF52 flash's AND against the MSP430 FRAM's plain writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "prog/prog_abi.h"
#include "sim_ihex.h"
#include "sim_targets.h"
#include "test_util.h"

/* the result of the first call that is not a data record; data records counted */
static int parse(const char *text, unsigned *records, uint32_t *last_addr)
{
	struct sim_ihex h;
	struct sim_ihex_record rec;
	sim_ihex_init(&h, (const uint8_t *)text, strlen(text) + 1); /* the NUL included */
	int r;
	*records = 0;
	while ((r = sim_ihex_next(&h, &rec)) == 1) {
		(*records)++;
		*last_addr = rec.addr;
	}
	return r;
}

static void records_and_address_bases(void **state)
{
	(void)state;
	unsigned n;
	uint32_t addr = 0;
	assert_int_equal(parse(":0400100001020304E2\n:00000001FF\n", &n, &addr), 0);
	assert_int_equal(n, 1);
	assert_int_equal(addr, 0x10);
	/* extended linear 0x0002, then a zero-length data record (skipped) and a start record */
	assert_int_equal(parse(":020000040002F8\n:00001000F0\n:0400000500004000B7\n"
			       ":0400100001020304E2\n:00000001FF\n",
			       &n, &addr),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(addr, 0x20010);
	/* extended segment 0x1000 -> base 0x10000; CRLF line ends */
	assert_int_equal(
		parse(":020000021000EC\r\n:0400100001020304E2\r\n:00000001FF\r\n", &n, &addr), 0);
	assert_int_equal(addr, 0x10010);
}

static void every_error_code(void **state)
{
	(void)state;
	unsigned n;
	uint32_t addr;
	/* no EOF record: the text ends in NUL */
	assert_int_equal(parse(":0400100001020304E2\n", &n, &addr), -PROG_IHEX_ERR_START);
	assert_int_equal(n, 1);
	assert_int_equal(parse("0400100001020304E2\n", &n, &addr), -PROG_IHEX_ERR_START);
	assert_int_equal(parse(":0400100001020304E3\n", &n, &addr), -PROG_IHEX_ERR_CHECKSUM);
	/* lower-case digits decode wrongly */
	assert_int_equal(parse(":040010000102030aDC\n:00000001FF\n", &n, &addr),
			 -PROG_IHEX_ERR_CHECKSUM);
	assert_int_equal(parse(":0400100001020304E2 \n", &n, &addr), -PROG_IHEX_ERR_LINE_END);
	assert_int_equal(parse(":0400100001020304E2", &n, &addr), -PROG_IHEX_ERR_LINE_END);
	assert_int_equal(parse(":01000001AA54\n", &n, &addr), -PROG_IHEX_ERR_EOF_LEN);
	assert_int_equal(parse(":0100000210ED\n", &n, &addr), -PROG_IHEX_ERR_SEG_LEN);
	assert_int_equal(parse(":0100000410EB\n", &n, &addr), -PROG_IHEX_ERR_LIN_LEN);
	assert_int_equal(parse(":00000006FA\n", &n, &addr), -PROG_IHEX_ERR_TYPE);
}

static void flash_ands_fram_replaces_and_dumps(void **state)
{
	(void)state;
	char dir[64], path[128];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	struct sim_targets t;
	sim_targets_init(&t, dir);
	struct sim_target_mem *nrf = sim_targets_get(&t, 'A', SIM_MCU_NRF52);
	struct sim_target_mem *msp = sim_targets_get(&t, 'B', SIM_MCU_MSP430);
	assert_non_null(nrf);
	assert_non_null(msp);
	sim_target_begin(nrf);
	assert_true(sim_target_write(nrf, 8, 0x0F0F0F0Fu, 4, true));
	assert_true(sim_target_write(nrf, 8, 0xFF00FF00u, 4, true)); /* bits only clear */
	assert_int_equal(sim_target_read(nrf, 8, 4), 0x0F000F00u);
	assert_true(sim_target_write(nrf, 12, 0x11223344u, 4, true));
	assert_false(sim_target_write(nrf, SIM_TARGET_MEM_SIZE - 2, 0, 4, true));
	sim_target_begin(msp);
	assert_true(sim_target_write(msp, 0x4000, 0x0F0F, 2, false));
	assert_true(sim_target_write(msp, 0x4000, 0xF0F0, 2, false));
	assert_int_equal(sim_target_read(msp, 0x4000, 2), 0xF0F0);
	assert_true(sim_target_dump(&t, 'A', SIM_MCU_NRF52));
	snprintf(path, sizeof(path), "%s/target_A_nrf52.ranges", dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char text[128] = "";
	size_t len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	assert_string_equal(text, "0x00000008 0x00000010\n");
	sim_target_erase(nrf);
	assert_int_equal(sim_target_read(nrf, 8, 4), 0xFFFFFFFFu);
	sim_targets_free(&t);
	test_rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(records_and_address_bases),
		cmocka_unit_test(every_error_code),
		cmocka_unit_test(flash_ands_fram_replaces_and_dumps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
