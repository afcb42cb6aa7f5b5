/*
 * prog_attempt.h - one programming attempt (node-control.md 3.4 steps 1-6, 10-13) on an image
 * that programmer.c has realigned and checked already.
 */
#ifndef SHP_PROG_ATTEMPT_H
#define SHP_PROG_ATTEMPT_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "node/debug_session.h"
#include "task/task.h"

struct prog_job {
	const struct shp_programming *task;
	const struct node_paths *paths;
	const uint8_t *image; /* the aligned Intel-HEX text */
	size_t image_len;
	char target[64]; /* from mcu_type (3.4 step 8); simulate makes it dummy */
};

/*
 * One attempt at rate bit/s: SHP_OK when programmer/state ended idle; SHP_ERR_PROGRAM when it
 * failed (the reason logged); SHP_ERR_INTERRUPTED on a stop signal. The restore steps (session
 * closed, PRU0 EMU and PRU1 loaded) run in every case, also after a stop signal; their own
 * failure is SHP_ERR_PRU unless the attempt failed otherwise first.
 */
shp_err prog_attempt(const struct prog_job *job, uint32_t rate);

#endif
