/*
 * shared_mem.h - discovery, mapping and set-up of the DDR carve-out that holds the four rings.
 *
 * Addresses and sizes come from sysfs (memory/ *_address, *_size); they are checked against the
 * ABI before anything is mapped, then the carve-out is mapped once from the memory device
 * (/dev/mem, or the simulator's file) and each ring is addressed inside that one mapping.
 */
#ifndef SHP_SHARED_MEM_H
#define SHP_SHARED_MEM_H

#include <stdint.h>

#include "common/error.h"
#include "pru/pru_mem.h"
#include "pru/sysfs.h"

enum shp_ring_id { SHP_RING_IV_INP, SHP_RING_IV_OUT, SHP_RING_GPIO, SHP_RING_UTIL, SHP_RING_COUNT };

struct shp_mem_layout {
	uint64_t address[SHP_RING_COUNT];
	uint64_t size[SHP_RING_COUNT];
};

struct shp_shm {
	uint8_t *map; /* page-aligned start of the mapping */
	size_t map_len;
	uint8_t *ring[SHP_RING_COUNT];
	struct shp_mem_layout layout;
};

const char *shp_ring_name(enum shp_ring_id id);

/* Reads memory/ *_address and *_size from sysfs and checks them (shm_check_layout). */
shp_err shm_discover(const struct shp_sysfs *s, struct shp_mem_layout *layout);

/* Checks sizes against the ABI and that the rings lie back to back in the ABI's order, as the
 * firmware lays them out in its one carve-out struct. */
shp_err shm_check_layout(const struct shp_mem_layout *layout);

/* Maps the carve-out from the memory device (file offset = physical address). */
shp_err shm_map(struct shp_shm *shm, const char *mem_device, const struct shp_mem_layout *layout);
void shm_unmap(struct shp_shm *shm);

#define SHM_RING_BIT(id) (1u << (id))
#define SHM_ALL_RINGS 0xFu

/*
 * Prepares the rings for a run (PRU idle): zeroes idx_pru of IV-out, GPIO and util, sets idx_sys
 * (and, if the input ring is used, its idx_pru) to "none yet", writes all canaries, and zeroes the
 * sample areas of the rings in used (a bit set of SHM_RING_BIT). Rings a run never reads are left
 * alone: on the BeagleBone the carve-out is uncached, and zeroing 30 MB of unused GPIO ring would
 * cost a harvest about as much CPU as minutes of recording.
 */
void shm_init_rings(struct shp_shm *shm, unsigned used);

/* Checks all four canaries; logs and returns SHP_ERR_CANARY naming the damaged ring. */
shp_err shm_check_canaries(const struct shp_shm *shm);
shp_err shm_check_canary(const struct shp_shm *shm, enum shp_ring_id id);

/* The same for one ring given by its start (for the ring readers and writers). */
shp_err shm_check_ring_canary(const uint8_t *ring, enum shp_ring_id id);

#endif
