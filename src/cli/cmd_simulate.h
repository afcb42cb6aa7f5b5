/* cmd_simulate.h - the simulate command: a task through the PRU's twin, in this process. */
#ifndef SHP_CMD_SIMULATE_H
#define SHP_CMD_SIMULATE_H

#include <stdbool.h>

#include "common/error.h"

/* argv[0] is "simulate"; eeprom_path: the global --eeprom; verbose: the global -v. */
shp_err cmd_simulate(int argc, char **argv, const char *eeprom_path, bool verbose);

#endif
