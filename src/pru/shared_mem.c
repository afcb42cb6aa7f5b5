/* shared_mem.c - checks and maps the carve-out, initialises rings and canaries. */
#include "pru/shared_mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/log.h"

static const char *const ring_names[SHP_RING_COUNT] = {"iv_inp", "iv_out", "gpio", "util"};
static const uint64_t ring_sizes[SHP_RING_COUNT] = {SHP_IV_INP_SIZE, SHP_IV_OUT_SIZE, SHP_GPIO_SIZE,
						    SHP_UTIL_SIZE};
static const uint32_t canary_offsets[SHP_RING_COUNT] = {
	SHP_IV_INP_CANARY_OFF, SHP_IV_OUT_CANARY_OFF, SHP_GPIO_CANARY_OFF, SHP_UTIL_CANARY_OFF};

const char *shp_ring_name(enum shp_ring_id id)
{
	return id < SHP_RING_COUNT ? ring_names[id] : "?";
}

shp_err shm_discover(const struct shp_sysfs *s, struct shp_mem_layout *layout)
{
	for (int r = 0; r < SHP_RING_COUNT; r++) {
		char name[64];
		snprintf(name, sizeof(name), "memory/%s_address", ring_names[r]);
		SHP_TRY(sysfs_read_u64(s, name, &layout->address[r]));
		snprintf(name, sizeof(name), "memory/%s_size", ring_names[r]);
		SHP_TRY(sysfs_read_u64(s, name, &layout->size[r]));
	}
	return shm_check_layout(layout);
}

shp_err shm_check_layout(const struct shp_mem_layout *layout)
{
	for (int r = 0; r < SHP_RING_COUNT; r++) {
		if (layout->size[r] != ring_sizes[r]) {
			log_error(
				"memory/%s_size is %llu bytes, this sheep expects %llu: the PRU firmware and the sheep disagree on the ring layout",
				ring_names[r], (unsigned long long)layout->size[r],
				(unsigned long long)ring_sizes[r]);
			return SHP_ERR_MEMORY;
		}
	}
	/* the firmware keeps the four rings in one struct: each follows the previous directly */
	for (int r = 1; r < SHP_RING_COUNT; r++) {
		uint64_t prev_end = layout->address[r - 1] + layout->size[r - 1];
		if (layout->address[r] != prev_end) {
			log_error(
				"memory/%s_address is 0x%llx, but %s ends at 0x%llx: the rings do not lie back to back as this sheep's ABI has them",
				ring_names[r], (unsigned long long)layout->address[r],
				ring_names[r - 1], (unsigned long long)prev_end);
			return SHP_ERR_MEMORY;
		}
	}
	if (layout->address[SHP_RING_IV_INP] % 8 != 0) {
		log_error("memory/iv_inp_address 0x%llx is not 8-byte aligned",
			  (unsigned long long)layout->address[SHP_RING_IV_INP]);
		return SHP_ERR_MEMORY;
	}
	return SHP_OK;
}

shp_err shm_map(struct shp_shm *shm, const char *mem_device, const struct shp_mem_layout *layout)
{
	memset(shm, 0, sizeof(*shm));
	shm->layout = *layout;
	uint64_t base = layout->address[SHP_RING_IV_INP];
	uint64_t end = layout->address[SHP_RING_UTIL] + layout->size[SHP_RING_UTIL];
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t map_start = base - base % page;

	int fd = open(mem_device, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		log_error("cannot open memory device %s: %s%s", mem_device, strerror(errno),
			  errno == EACCES ? " (run as root?)" : "");
		return SHP_ERR_MEMORY;
	}
	shm->map_len = (size_t)(end - map_start);
	void *p =
		mmap(NULL, shm->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)map_start);
	int saved = errno;
	close(fd);
	if (p == MAP_FAILED) {
		log_error("cannot map %zu bytes of %s at 0x%llx: %s", shm->map_len, mem_device,
			  (unsigned long long)map_start, strerror(saved));
		return SHP_ERR_MEMORY;
	}
	shm->map = p;
	for (int r = 0; r < SHP_RING_COUNT; r++)
		shm->ring[r] = shm->map + (layout->address[r] - map_start);
	log_debug("mapped %s: %zu bytes at 0x%llx", mem_device, shm->map_len,
		  (unsigned long long)map_start);
	return SHP_OK;
}

void shm_unmap(struct shp_shm *shm)
{
	if (shm->map)
		munmap(shm->map, shm->map_len);
	shm->map = NULL;
}

void shm_init_rings(struct shp_shm *shm, unsigned used)
{
	uint8_t *inp = shm->ring[SHP_RING_IV_INP];
	if (used & SHM_RING_BIT(SHP_RING_IV_INP)) {
		pru_mem_zero(inp + SHP_IV_INP_SAMPLE_OFF,
			     SHP_IV_INP_CANARY_OFF - SHP_IV_INP_SAMPLE_OFF);
		/* "nothing read yet", as after a firmware boot: the pre-fill must not depend on
		 * where a previous run left PRU0's read index */
		pru_mem_store_u32(inp + SHP_IV_INP_IDX_PRU_OFF, SHP_IDX_OUT_OF_BOUND);
	}
	pru_mem_store_u32(inp + SHP_IV_INP_IDX_SYS_OFF, SHP_IDX_OUT_OF_BOUND);
	/* the index word is the first 4 bytes of each output ring, the samples follow it */
	for (int r = SHP_RING_IV_OUT; r < SHP_RING_COUNT; r++) {
		size_t len = (used & SHM_RING_BIT(r)) ? canary_offsets[r] : sizeof(uint32_t);
		pru_mem_zero(shm->ring[r], len);
	}
	for (int r = 0; r < SHP_RING_COUNT; r++)
		pru_mem_store_u32(shm->ring[r] + canary_offsets[r], SHP_CANARY_VALUE_U32);
}

shp_err shm_check_canary(const struct shp_shm *shm, enum shp_ring_id id)
{
	return shm_check_ring_canary(shm->ring[id], id);
}

shp_err shm_check_ring_canary(const uint8_t *ring, enum shp_ring_id id)
{
	uint32_t v = pru_mem_load_u32(ring + canary_offsets[id]);
	if (v != SHP_CANARY_VALUE_U32) {
		log_error("canary of the %s ring is damaged (0x%08x instead of 0x%08x): something "
			  "wrote past the ring",
			  ring_names[id], v, SHP_CANARY_VALUE_U32);
		return SHP_ERR_CANARY;
	}
	return SHP_OK;
}

shp_err shm_check_canaries(const struct shp_shm *shm)
{
	shp_err first = SHP_OK;
	for (int r = 0; r < SHP_RING_COUNT; r++) {
		shp_err e = shm_check_canary(shm, (enum shp_ring_id)r);
		if (first == SHP_OK)
			first = e;
	}
	return first;
}
