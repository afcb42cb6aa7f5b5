/*
 * round_even.h - Python's round(), which every export to the PRU's integers uses (calibration,
 * harvester, converter, the aux word): to the nearest integer, ties to even (round(0.5) == 0,
 * round(2.5) == 2, round(-0.5) == -0.0), on the double as it is.
 *
 * nearbyint() rounds in the current rounding mode; the sheep never leaves the default
 * (to nearest, ties to even), so it is exactly Python's rule.
 */
#ifndef SHP_SETTINGS_ROUND_EVEN_H
#define SHP_SETTINGS_ROUND_EVEN_H

#include <math.h>

static inline double shp_round_half_even(double x)
{
	return nearbyint(x);
}

#endif
