/*
 * time_bounds.h - the ranges every time a run is built from must lie in, and the conversion of
 * seconds to nanoseconds that refuses a value outside them instead of wrapping.
 *
 * A run's times are u64 nanoseconds since the epoch (the PRU's timestamps). A task gives them as
 * seconds in doubles: time_start, duration, and the delay and duration of each tracing window.
 * The task parser (src/task/) refuses anything outside these ranges, so that the sums the run
 * forms - start + delay + duration, rounded up to the PRU's next whole second, plus its 100 ms
 * stop window - stay below 2^64 (static assertion below):
 *
 *   time_start                 2000-01-01T00:00:00Z <= t < 2500-01-01T00:00:00Z
 *   duration (the run's)       0 < d <= 31 622 400 s (366 days)
 *   tracing window duration    0 < d <= 31 622 400 s, or null (no limit)
 *   tracing window delay       0 <= d <= 31 622 400 s
 *
 * NaN and infinities are refused everywhere.
 */
#ifndef SHP_TIME_BOUNDS_H
#define SHP_TIME_BOUNDS_H

#include <stdbool.h>
#include <stdint.h>

#define SHP_BOUNDS_NS_PER_S 1000000000ull

/* The longest duration or delay a task may give: 366 days, a leap year of recording. */
#define SHP_SPAN_MAX_S 31622400ull
#define SHP_SPAN_MAX_TEXT "31622400 s, 366 days"
#define SHP_SPAN_MAX_NS (SHP_SPAN_MAX_S * SHP_BOUNDS_NS_PER_S)

/* The earliest time_start: before 2000 it is surely a mistake (milliseconds? relative?). */
#define SHP_TIME_START_MIN_S 946684800ull
#define SHP_TIME_START_MIN_ISO "2000-01-01T00:00:00Z"
/*
 * The latest time_start (exclusive): 2500-01-01T00:00:00Z. 64-bit nanoseconds since the epoch run
 * out in July 2554; the margin holds the longest run. (shepherd-core allows any datetime up to the
 * year 9999.)
 */
#define SHP_TIME_START_MAX_S 16725225600ull
#define SHP_TIME_START_MAX_ISO "2500-01-01T00:00:00Z"

/*
 * The latest nanosecond a run's arithmetic reaches: its latest start (time_start rounded to the
 * second may reach SHP_TIME_START_MAX_S), plus the longest delay and the longest duration (a
 * tracing window), plus the PRU's rounding up to the next whole second and its 100 ms stop window.
 */
#define SHP_RUN_NS_MAX                                                                             \
	(SHP_TIME_START_MAX_S * SHP_BOUNDS_NS_PER_S + 2 * SHP_SPAN_MAX_NS + 2 * SHP_BOUNDS_NS_PER_S)

/* each term and sum is checked without forming a value that could itself wrap */
_Static_assert(SHP_TIME_START_MAX_S <= UINT64_MAX / SHP_BOUNDS_NS_PER_S,
	       "the latest start must fit in 64-bit nanoseconds");
_Static_assert(2 * SHP_SPAN_MAX_NS + 2 * SHP_BOUNDS_NS_PER_S <=
		       UINT64_MAX - SHP_TIME_START_MAX_S * SHP_BOUNDS_NS_PER_S,
	       "start + delay + duration + 1 s + 100 ms must fit in 64-bit nanoseconds");

/*
 * s seconds as nanoseconds, rounded to the nearest multiple of step_ns (1 for plain nanoseconds;
 * step_ns must divide 10^9). Returns false, and leaves *ns alone, for NaN, a negative value, more
 * than SHP_SPAN_MAX_S, or a step that does not divide a second; never wraps. The result is at most
 * SHP_SPAN_MAX_NS.
 */
bool shp_seconds_to_ns(double s, uint64_t step_ns, uint64_t *ns);

#endif
