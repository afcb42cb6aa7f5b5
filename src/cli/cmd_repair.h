/* cmd_repair.h - the repair command, and the same for the run's output directory. */
#ifndef SHP_CMD_REPAIR_H
#define SHP_CMD_REPAIR_H

#include "common/error.h"

shp_err cmd_repair(int argc, char **argv);

/* Repairs each path (a recording or a directory); *repaired counts what was changed. */
shp_err repair_paths(int n, char *const *paths, unsigned *repaired);

/* Before a run: every unfinished recording in the directory the task records into. */
void repair_output_dir(const char *output_path);

/* After a run whose file did not close cleanly (a full disk): its last commit, tails included. */
void repair_after_run(const char *recording);

#endif
