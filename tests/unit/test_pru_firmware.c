/* Unit tests of the firmware picks (node-control.md 1.4, 1.5) and of pru_fw_load against a
 * directory standing in for sysfs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/pru_firmware.h"

static void the_cli_choices_pick_as_the_predecessor(void **state)
{
	(void)state;
	/* pru [FIRMWARE], every row of 1.5 */
	assert_int_equal(pru_fw_pick("emu"), PRU_FW_EMU);
	assert_int_equal(pru_fw_pick("hrv"), PRU_FW_HRV);
	assert_int_equal(pru_fw_pick("swd"), PRU_FW_SWD);
	assert_int_equal(pru_fw_pick("sbw"), PRU_FW_SBW);
	assert_int_equal(pru_fw_pick("default"), PRU_FW_EMU);
	assert_int_equal(pru_fw_pick("sync"), PRU_FW_EMU);
	/* substring and case rules of load_pru_firmware */
	assert_int_equal(pru_fw_pick("HRV"), PRU_FW_HRV);
	assert_int_equal(pru_fw_pick("pru1"), PRU_FW_PRU1);
	assert_int_equal(pru_fw_pick("programmer"), PRU_FW_SWD); /* the first that contains it */
	assert_int_equal(pru_fw_pick("am335x-pru0-programmer-SBW-fw"), PRU_FW_SBW);
	assert_int_equal(pru_fw_pick("shepherd"), PRU_FW_EMU);
	assert_int_equal(pru_fw_pick("nonsense"), PRU_FW_EMU);
	for (int fw = 0; fw < PRU_FW_COUNT_; fw++) {
		assert_int_equal(pru_fw_pick(pru_fw_name((enum pru_fw)fw)), fw);
		assert_int_equal(pru_fw_pru((enum pru_fw)fw), fw == PRU_FW_PRU1 ? 1 : 0);
	}
	assert_string_equal(pru_fw_name(PRU_FW_EMU), "am335x-pru0-shepherd-EMU-fw");
	assert_string_equal(pru_fw_name(PRU_FW_HRV), "am335x-pru0-shepherd-HRV-fw");
	assert_string_equal(pru_fw_name(PRU_FW_SWD), "am335x-pru0-programmer-SWD-fw");
	assert_string_equal(pru_fw_name(PRU_FW_SBW), "am335x-pru0-programmer-SBW-fw");
	assert_string_equal(pru_fw_name(PRU_FW_PRU1), "am335x-pru1-shepherd-fw");
}

static void the_kernel_matches_prefixes(void **state)
{
	(void)state;
	assert_int_equal(pru_fw_kernel_pick("hrv"), PRU_FW_HRV);
	assert_int_equal(pru_fw_kernel_pick("hrv-anything"), PRU_FW_HRV);
	assert_int_equal(pru_fw_kernel_pick("swd"), PRU_FW_SWD);
	assert_int_equal(pru_fw_kernel_pick("sbw\n"), PRU_FW_SBW);
	assert_int_equal(pru_fw_kernel_pick("am335x-pru0-shepherd-HRV-fw"), PRU_FW_HRV);
	assert_int_equal(pru_fw_kernel_pick("am335x-pru0-programmer-SBW-fw"), PRU_FW_SBW);
	assert_int_equal(pru_fw_kernel_pick("HRV"), PRU_FW_EMU); /* case matters to the kernel */
	assert_int_equal(pru_fw_kernel_pick("xyz"), PRU_FW_EMU);
}

static void load_writes_the_full_name_and_reads_it_back(void **state)
{
	(void)state;
	setenv("SHEPHERD_SETTLE_SCALE", "0", 1);
	char root[] = "/tmp/test_pru_fw_XXXXXX";
	assert_non_null(mkdtemp(root));
	char path[256], buf[64];
	snprintf(path, sizeof(path), "%s/pru0_firmware", root);
	FILE *f = fopen(path, "w");
	fputs("am335x-pru0-shepherd-EMU-fw", f);
	fclose(f);
	assert_int_equal(pru_fw_load(root, PRU_FW_HRV), SHP_OK);
	assert_int_equal(pru_fw_loaded(root, 0, buf, sizeof(buf)), SHP_OK);
	assert_string_equal(buf, "am335x-pru0-shepherd-HRV-fw");
	/* pru1_firmware is missing: every attempt fails and reloads the module (a command
	 * that exits 0 here), then the predecessor's last words */
	setenv("SHEPHERD_MODPROBE", "/bin/true", 1);
	assert_int_equal(pru_fw_load(root, PRU_FW_PRU1), SHP_ERR_PRU);
	assert_int_equal(pru_fw_loaded(root, 1, buf, sizeof(buf)), SHP_ERR_SYSFS);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_cli_choices_pick_as_the_predecessor),
		cmocka_unit_test(the_kernel_matches_prefixes),
		cmocka_unit_test(load_writes_the_full_name_and_reads_it_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
