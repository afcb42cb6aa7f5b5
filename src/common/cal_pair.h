/* cal_pair.h - a calibration pair: SI value = raw * gain + offset (V or A per LSB). */
#ifndef SHP_CAL_PAIR_H
#define SHP_CAL_PAIR_H

struct shp_cal_pair {
	double gain;
	double offset;
};

#endif
