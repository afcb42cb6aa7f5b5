/* cmd_run.h - the run command: a task file's tasks on this node. */
#ifndef SHP_CMD_RUN_H
#define SHP_CMD_RUN_H

#include <stdbool.h>

#include "common/error.h"
#include "node/debug_session.h" /* struct node_paths */

#define CMD_RUN_DEFAULT_CONFIG "/etc/shepherd/config.yaml"

/*
 * `run [OPTIONS] [CONFIG]`: paths are the node's trees and devices (the global options),
 * verbose the global -v (a task's verbose >= 3 then changes nothing). SHP_OK; the first failed
 * task's error; SHP_ERR_INTERRUPTED on a stop signal; SHP_ERR_CONFIG for a file not usable here
 * (nothing ran); SHP_ERR_USAGE for bad options.
 */
shp_err cmd_run(int argc, char **argv, const struct node_paths *paths, bool verbose);

#endif
