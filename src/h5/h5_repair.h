/*
 * h5_repair.h - brings a recording to its last commit after a crash (`shepherd-sheep repair`).
 *
 * A recording NAME that was not closed cleanly has journal slots beside it (journal.h), and if
 * it never got its name, NAME.incomplete instead of NAME. The repair takes the newest complete
 * slot, applies its records (idempotent: the file may already hold some or all of them), sets
 * the file's length, appends the slot's tail (the rows of partial chunks) through HDF5 with a
 * commit of its own, removes the slots and gives an incomplete file its name. A crash during the
 * repair leaves what the next repair starts from again. A file without slots is left alone.
 */
#ifndef SHP_H5_REPAIR_H
#define SHP_H5_REPAIR_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

enum repair_outcome {
	REPAIR_HEALTHY, /* nothing to do */
	REPAIR_ROLLED,  /* brought to its last commit */
	REPAIR_REMOVED, /* never committed (or journal without recording): removed */
	REPAIR_TIDIED,  /* complete; leftover slots of a finished close removed */
	REPAIR_BUSY,    /* being written by a running sheep: left alone */
};

struct repair_result {
	enum repair_outcome outcome;
	uint64_t generation;  /* of the commit rolled forward to */
	uint64_t samples;     /* IV samples of that commit */
	uint64_t gpio_events; /* GPIO events, the tail's included */
	uint64_t tail_rows;   /* rows appended from the tail */
	uint64_t commit_wall_ns;
};

/* Repairs the recording whose final name is recording (NAME, not NAME.incomplete). */
shp_err h5_repair(const char *recording, struct repair_result *r);

/* The final name a repair works on for path: NAME for NAME.incomplete and NAME.journal.N,
 * else path itself. */
void h5_repair_name(const char *path, char *out, size_t len);

/* True for names that show an unfinished recording (.incomplete, .journal.N). */
int h5_repair_is_leftover(const char *name);

#endif
