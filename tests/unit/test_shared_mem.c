/* Unit tests of shared_mem.c: layout checks, mapping a memory file, ring set-up, canaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/log.h"
#include "pru/shared_mem.h"
#include "test_util.h"

#define BASE 0x100000ull

static struct shp_mem_layout good_layout(void)
{
	struct shp_mem_layout l = {
		.address = {BASE + SHP_CARVEOUT_IV_INP_OFF, BASE + SHP_CARVEOUT_IV_OUT_OFF,
			    BASE + SHP_CARVEOUT_GPIO_OFF, BASE + SHP_CARVEOUT_UTIL_OFF},
		.size = {SHP_IV_INP_SIZE, SHP_IV_OUT_SIZE, SHP_GPIO_SIZE, SHP_UTIL_SIZE},
	};
	return l;
}

static void accepts_the_abi_layout(void **state)
{
	(void)state;
	struct shp_mem_layout l = good_layout();
	assert_int_equal(shm_check_layout(&l), SHP_OK);
}

static void rejects_wrong_sizes_overlaps_and_gaps(void **state)
{
	(void)state;
	struct shp_mem_layout l = good_layout();
	l.size[SHP_RING_GPIO] = 30000000; /* older firmware */
	assert_int_equal(shm_check_layout(&l), SHP_ERR_MEMORY);
	l = good_layout();
	l.address[SHP_RING_UTIL] -= 8; /* overlaps the GPIO ring */
	assert_int_equal(shm_check_layout(&l), SHP_ERR_MEMORY);
	/* every ring is pinned to the end of the one before it: a gap anywhere is refused */
	for (int r = SHP_RING_IV_OUT; r < SHP_RING_COUNT; r++) {
		l = good_layout();
		for (int k = r; k < SHP_RING_COUNT; k++)
			l.address[k] += 8;
		assert_int_equal(shm_check_layout(&l), SHP_ERR_MEMORY);
	}
	/* the same layout elsewhere is fine, out of order is not */
	l = good_layout();
	for (int k = 0; k < SHP_RING_COUNT; k++)
		l.address[k] += 0x10000;
	assert_int_equal(shm_check_layout(&l), SHP_OK);
	l = good_layout();
	uint64_t gpio = l.address[SHP_RING_GPIO];
	l.address[SHP_RING_GPIO] = l.address[SHP_RING_UTIL];
	l.address[SHP_RING_UTIL] = gpio;
	assert_int_equal(shm_check_layout(&l), SHP_ERR_MEMORY);
}

static void maps_inits_and_detects_canary_damage(void **state)
{
	(void)state;
	char dir[64], path[128];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/mem", dir);
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)(BASE + SHP_CARVEOUT_SIZE)), 0);
	close(fd);

	struct shp_mem_layout l = good_layout();
	struct shp_shm shm;
	assert_int_equal(shm_map(&shm, path, &l), SHP_OK);
	/* dirty every ring, then check that set-up cleans exactly what it should */
	memset(shm.ring[SHP_RING_IV_OUT], 0xAB, SHP_IV_OUT_SIZE);
	memset(shm.ring[SHP_RING_UTIL], 0xCD, SHP_UTIL_SIZE);
	memset(shm.ring[SHP_RING_GPIO], 0xEF, SHP_GPIO_SIZE);
	shm_init_rings(&shm, SHM_RING_BIT(SHP_RING_IV_OUT) | SHM_RING_BIT(SHP_RING_UTIL));
	assert_int_equal(pru_mem_load_u32(shm.ring[SHP_RING_IV_OUT] + SHP_IV_OUT_IDX_OFF), 0);
	assert_int_equal(pru_mem_load_u32(shm.ring[SHP_RING_UTIL] + SHP_UTIL_IDX_OFF), 0);
	assert_int_equal(pru_mem_load_u32(shm.ring[SHP_RING_IV_INP] + SHP_IV_INP_IDX_SYS_OFF),
			 SHP_IDX_OUT_OF_BOUND);
	assert_int_equal(shm.ring[SHP_RING_IV_OUT][SHP_IV_OUT_V_OFF + 1000], 0);
	assert_int_equal(shm.ring[SHP_RING_UTIL][SHP_UTIL_P1_MAX_OFF], 0);
	/* unused ring: index reset, samples left alone */
	assert_int_equal(pru_mem_load_u32(shm.ring[SHP_RING_GPIO] + SHP_GPIO_IDX_OFF), 0);
	assert_int_equal(shm.ring[SHP_RING_GPIO][SHP_GPIO_MASK_OFF], 0xEF);
	assert_int_equal(shm_check_canaries(&shm), SHP_OK);
	shm_init_rings(&shm, SHM_ALL_RINGS);
	assert_int_equal(shm.ring[SHP_RING_GPIO][SHP_GPIO_MASK_OFF], 0);

	pru_mem_store_u32(shm.ring[SHP_RING_GPIO] + SHP_GPIO_CANARY_OFF, 0x12345678);
	assert_int_equal(shm_check_canary(&shm, SHP_RING_GPIO), SHP_ERR_CANARY);
	assert_int_equal(shm_check_canary(&shm, SHP_RING_UTIL), SHP_OK);
	assert_int_equal(shm_check_canaries(&shm), SHP_ERR_CANARY);
	shm_unmap(&shm);
	test_rm_rf(dir);
}

static void map_fails_on_missing_device(void **state)
{
	(void)state;
	struct shp_mem_layout l = good_layout();
	struct shp_shm shm;
	assert_int_equal(shm_map(&shm, "/nonexistent/mem", &l), SHP_ERR_MEMORY);
}

int main(void)
{
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_the_abi_layout),
		cmocka_unit_test(rejects_wrong_sizes_overlaps_and_gaps),
		cmocka_unit_test(maps_inits_and_detects_canary_damage),
		cmocka_unit_test(map_fails_on_missing_device),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
