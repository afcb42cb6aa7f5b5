/* time_bounds.c - the checked seconds-to-nanoseconds conversion. */
#include "common/time_bounds.h"

#include <math.h>

bool shp_seconds_to_ns(double s, uint64_t step_ns, uint64_t *ns)
{
	/* written so that NaN fails every comparison */
	if (!(s >= 0 && s <= (double)SHP_SPAN_MAX_S))
		return false;
	if (step_ns == 0 || SHP_BOUNDS_NS_PER_S % step_ns != 0)
		return false;
	/*
	 * At most SHP_SPAN_MAX_NS / step_ns steps: that product is exact in a double, and rounding
	 * is monotonic, so the result never passes SHP_SPAN_MAX_NS (3.2e16, far below 2^63).
	 */
	double steps = round(s * (double)(SHP_BOUNDS_NS_PER_S / step_ns));
	*ns = (uint64_t)steps * step_ns;
	return true;
}
