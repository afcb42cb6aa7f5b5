/* util_ring.c - reads PRU utilisation entries and warns on broken real-time conditions. */
#include "pru/util_ring.h"

#include <string.h>

#include "common/log.h"
#include "pru/shared_mem.h"
#include "pru/shepherd_abi.h"

#define N SHP_UTIL_SAMPLES_N
#define MAX_WARNINGS 10

void util_reader_init(struct util_reader *r, uint8_t *ring)
{
	memset(r, 0, sizeof(*r));
	r->ring = ring;
}

static uint32_t ring_u32(const uint8_t *ring, uint32_t off, uint32_t k)
{
	uint32_t v;
	pru_mem_copy_from(&v, ring + off + (size_t)k * 4, 4);
	return v;
}

static uint16_t clamp_u16(uint64_t v)
{
	return v > UINT16_MAX ? UINT16_MAX : (uint16_t)v;
}

uint32_t util_read(struct util_reader *r, struct util_row *rows, uint32_t cap)
{
	uint32_t idx = pru_mem_load_u32(r->ring + SHP_UTIL_IDX_OFF);
	if (idx >= N)
		return 0;
	uint32_t avail = (idx + N - r->next) % N;
	uint32_t count = avail < cap ? avail : cap;
	for (uint32_t k = 0; k < count; k++) {
		uint32_t slot = (r->next + k) % N;
		uint64_t ts = pru_mem_load_u64(r->ring + SHP_UTIL_TS_OFF + (size_t)slot * 8);
		uint32_t p0max = ring_u32(r->ring, SHP_UTIL_P0_MAX_OFF, slot);
		uint32_t p0sum = ring_u32(r->ring, SHP_UTIL_P0_SUM_OFF, slot);
		uint32_t p0cnt = ring_u32(r->ring, SHP_UTIL_P0_COUNT_OFF, slot);
		uint32_t p1max = ring_u32(r->ring, SHP_UTIL_P1_MAX_OFF, slot);
		uint32_t mean = p0sum / (p0cnt ? p0cnt : 1);
		rows[k].ts = ts;
		rows[k].values[0] = clamp_u16(mean);
		rows[k].values[1] = clamp_u16(p0max);
		rows[k].values[2] = clamp_u16(p1max);
		if ((mean * 100u > 95u * SHP_SAMPLE_INTERVAL_NS ||
		     p0max >= SHP_SAMPLE_INTERVAL_NS) &&
		    r->warnings < MAX_WARNINGS) {
			r->warnings++;
			log_warn("PRU0 loop took mean %u ns / max %u ns of the %u ns per sample: "
				 "probably "
				 "broken real-time condition%s",
				 mean, p0max, SHP_SAMPLE_INTERVAL_NS,
				 r->warnings == MAX_WARNINGS ? " (further warnings suppressed)"
							     : "");
		}
	}
	r->next = (r->next + count) % N;
	r->rows += count;
	return count;
}
