/* energy_dtype.c - the names of the three kinds of energy data, with the readers' aliases. */
#include "settings/energy_dtype.h"

#include <stddef.h>
#include <string.h>

static const struct {
	const char *name;
	enum shp_energy_dtype dtype;
} aliases[] = {
	{"ivtrace", SHP_DTYPE_IVSAMPLE},   {"ivsample", SHP_DTYPE_IVSAMPLE},
	{"ivsamples", SHP_DTYPE_IVSAMPLE}, {"ivcurve", SHP_DTYPE_IVCURVE},
	{"ivcurves", SHP_DTYPE_IVCURVE},   {"ivsurface", SHP_DTYPE_IVCURVE},
	{"isc_voc", SHP_DTYPE_ISC_VOC},
};

bool shp_dtype_parse(const char *name, enum shp_energy_dtype *out)
{
	for (size_t k = 0; k < sizeof(aliases) / sizeof(aliases[0]); k++)
		if (strcmp(name, aliases[k].name) == 0) {
			*out = aliases[k].dtype;
			return true;
		}
	return false;
}

const char *shp_dtype_file_name(enum shp_energy_dtype dtype)
{
	switch (dtype) {
	case SHP_DTYPE_IVCURVE:
		return "ivcurve";
	case SHP_DTYPE_ISC_VOC:
		return "isc_voc";
	case SHP_DTYPE_IVSAMPLE:
	default:
		return "ivtrace";
	}
}
