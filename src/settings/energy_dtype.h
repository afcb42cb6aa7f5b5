/*
 * energy_dtype.h - the three kinds of energy data a recording holds (file-format.md 6).
 *
 * A file's /data attribute "datatype" names one of them; readers look it up by name and accept
 * every alias, so the names written here are the ones the issue tracker and the users expect.
 */
#ifndef SHP_ENERGY_DTYPE_H
#define SHP_ENERGY_DTYPE_H

#include <stdbool.h>

enum shp_energy_dtype {
	SHP_DTYPE_IVSAMPLE, /* one (V, I) per sample: "ivtrace", "ivsample", "ivsamples" */
	SHP_DTYPE_IVCURVE,  /* voltage sweeps: "ivcurve", "ivcurves", "ivsurface" */
	SHP_DTYPE_ISC_VOC,  /* open-circuit voltage / short-circuit current pairs: "isc_voc" */
};

/* Maps a datatype attribute (any alias, case-sensitive as the reference Reader) to its kind. */
bool shp_dtype_parse(const char *name, enum shp_energy_dtype *out);

/* The name this sheep writes: "ivtrace", "ivcurve" or "isc_voc". */
const char *shp_dtype_file_name(enum shp_energy_dtype dtype);

#endif
