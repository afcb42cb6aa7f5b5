/* test_rings.h - rings of the PRU's shared memory in plain memory, for the unit tests. */
#ifndef TEST_RINGS_H
#define TEST_RINGS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pru/pru_mem.h"
#include "pru/shepherd_abi.h"

/* An IV-out ring whose u64 array is 8-byte aligned, as in the carve-out, with its canary. */
static inline uint8_t *test_iv_out_ring_new(void)
{
	uint8_t *mem = aligned_alloc(8, SHP_IV_OUT_SIZE + 8);
	if (!mem)
		return NULL;
	memset(mem, 0, SHP_IV_OUT_SIZE + 8);
	uint8_t *ring = mem + 4;
	pru_mem_store_u32(ring + SHP_IV_OUT_CANARY_OFF, SHP_CANARY_VALUE_U32);
	return ring;
}

static inline void test_iv_out_ring_free(uint8_t *ring)
{
	free(ring - 4);
}

#endif
