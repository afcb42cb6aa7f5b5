/* error.c - descriptions and exit codes of the shared error list. */
#include "error.h"

static const char *const descriptions[SHP_ERR_COUNT_] = {
	[SHP_OK] = "success",
	[SHP_ERR_USAGE] = "bad command line",
	[SHP_ERR_CONFIG] = "invalid task configuration",
	[SHP_ERR_SYSFS] = "PRU control (sysfs) not usable",
	[SHP_ERR_MEMORY] = "PRU shared memory not usable",
	[SHP_ERR_PRU] = "PRU error",
	[SHP_ERR_CANARY] = "shared-memory canary damaged",
	[SHP_ERR_OUTPUT] = "output file error",
	[SHP_ERR_INPUT] = "input file error",
	[SHP_ERR_NOMEM] = "out of memory",
	[SHP_ERR_INTERRUPTED] = "interrupted",
	[SHP_ERR_DATA_LOSS] = "samples were lost",
	[SHP_ERR_PROGRAM] = "programming the target failed",
	[SHP_ERR_FIRMWARE] = "target firmware unusable",
};

const char *shp_err_str(shp_err err)
{
	if ((unsigned)err >= SHP_ERR_COUNT_)
		return "unknown error";
	return descriptions[err];
}

int shp_err_exit_code(shp_err err)
{
	switch (err) {
	case SHP_OK:
		return 0;
	case SHP_ERR_USAGE:
		return 2;
	case SHP_ERR_DATA_LOSS:
		return 3;
	case SHP_ERR_INTERRUPTED:
		return 4;
	default:
		return 1;
	}
}
