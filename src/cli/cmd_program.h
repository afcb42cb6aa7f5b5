/* cmd_program.h - the program command (node-control.md 3.2): flash a target through the PRU. */
#ifndef SHP_CMD_PROGRAM_H
#define SHP_CMD_PROGRAM_H

#include "common/error.h"
#include "node/debug_session.h"

/* SHP_ERR_USAGE for a bad command line (exit 2), SHP_ERR_CONFIG for an invalid task (exit 1),
 * else what prog_run_task returns. */
shp_err cmd_program(int argc, char **argv, const struct node_paths *paths);

#endif
