/* clock.h - the two clocks the sheep uses: wall time (PRU timestamps) and monotonic (pacing). */
#ifndef SHP_CLOCK_H
#define SHP_CLOCK_H

#include <stdint.h>
#include <time.h>

/* tv_sec of a 32-bit time_t goes negative on 2038-01-19: every ns below would be wrong */
_Static_assert(sizeof(time_t) == 8, "time_t must be 64-bit: build with _TIME_BITS=64");

#define SHP_NS_PER_MS 1000000ull

static inline uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void sleep_ns(uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
	nanosleep(&ts, NULL);
}

#endif
