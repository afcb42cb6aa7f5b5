/*
 * test_twin_util.h - settings for the twin's unit tests, made with the project's own
 * exporters (source and harvester fixtures, the nominal calibration), and small helpers.
 * Include after cmocka.h.
 */
#ifndef TEST_TWIN_UTIL_H
#define TEST_TWIN_UTIL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "settings/calibration.h"
#include "settings/fixtures.h"
#include "settings/vharvester.h"
#include "settings/vsource.h"
#include "twin/twin.h"
#include "twin/twin_internal.h"

/* The nominal emulator calibration block. */
static inline void tw_cal_emulator(struct pru_calibration *cal)
{
	struct cal_cape cape;
	cal_nominal(&cape);
	assert_int_equal(cal_emulator_export(&cape.emulator, cal), SHP_OK);
}

static inline void tw_cal_harvester(struct pru_calibration *cal)
{
	struct cal_cape cape;
	cal_nominal(&cape);
	assert_int_equal(cal_harvester_export(&cape.harvester, cal), SHP_OK);
}

/*
 * Settings of source NAME for input of kind dtype (window / step_V: the input's curve, for
 * ivcurve), the source's own harvester unless hrv_name is given.
 */
static inline void tw_settings(const char *name, const char *hrv_name, enum shp_energy_dtype dtype,
			       bool log_mid, uint32_t window, double step_V,
			       struct twin_settings *s)
{
	struct vsource vs;
	memset(s, 0, sizeof(*s));
	assert_int_equal(vs_fixture(name, &vs), SHP_OK);
	if (hrv_name)
		assert_int_equal(vh_fixture(hrv_name, &vs.harvester), SHP_OK);
	assert_int_equal(vs_export(&vs, dtype, log_mid, &s->conv), SHP_OK);
	assert_int_equal(vh_export_emulation(&vs.harvester, dtype, window, step_V, &s->hrv),
			 SHP_OK);
	tw_cal_emulator(&s->cal);
}

/* The nominal emulator ADC code of a load current. */
static inline uint32_t tw_load_code(double amps)
{
	return (uint32_t)floor(amps * 4915200.0);
}

#endif
