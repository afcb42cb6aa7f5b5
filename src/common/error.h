/*
 * error.h - the one error list of the sheep.
 *
 * Every fallible function returns an shp_err (0 = success). A human-readable detail goes to the
 * log at the place the error is found; main() alone turns the code into an exit status.
 */
#ifndef SHP_ERROR_H
#define SHP_ERROR_H

typedef enum {
	SHP_OK = 0,
	SHP_ERR_USAGE,       /* bad command-line arguments */
	SHP_ERR_CONFIG,      /* task file missing, unreadable or invalid */
	SHP_ERR_SYSFS,       /* sysfs root missing, unreadable or odd content */
	SHP_ERR_MEMORY,      /* memory device cannot be opened/mapped, layout mismatch */
	SHP_ERR_PRU,         /* PRU did not react, reported a fault or restarted */
	SHP_ERR_CANARY,      /* a ring canary was damaged */
	SHP_ERR_OUTPUT,      /* output path unusable or HDF5 write failed */
	SHP_ERR_INPUT,       /* an input recording is damaged or foreign */
	SHP_ERR_NOMEM,       /* allocation failed */
	SHP_ERR_INTERRUPTED, /* stopped by a signal */
	SHP_ERR_DATA_LOSS,   /* recording finished, but samples were lost */
	SHP_ERR_PROGRAM,     /* programming the target failed */
	SHP_ERR_FIRMWARE,    /* a target firmware file is unusable */
	SHP_ERR_COUNT_,
} shp_err;

/* Short description of an error code. */
const char *shp_err_str(shp_err err);

/* Exit status of the CLI for an error code (see README, "Exit codes"). */
int shp_err_exit_code(shp_err err);

/* Return from the calling function if expr yields an error. */
#define SHP_TRY(expr)                                                                              \
	do {                                                                                       \
		shp_err err_ = (expr);                                                             \
		if (err_ != SHP_OK)                                                                \
			return err_;                                                               \
	} while (0)

#endif
