/*
 * cmd_eeprom.h - `shepherd-sheep eeprom read|write`: the cape EEPROM's calibration and cape
 * info (pru-settings.md 9, sheep-datapath.md 6.1).
 */
#ifndef SHP_CMD_EEPROM_H
#define SHP_CMD_EEPROM_H

#include "common/error.h"

/*
 * Runs `eeprom read ...` or `eeprom write ...` (argv[0] is "eeprom") on the EEPROM file at
 * eeprom_path. Errors: SHP_ERR_SYSFS the EEPROM file is missing, SHP_ERR_INPUT it holds no
 * plausible data (read), SHP_ERR_CONFIG a bad CAL_FILE, SHP_ERR_OUTPUT a write that failed or
 * did not stick, SHP_ERR_USAGE a bad command line.
 */
shp_err cmd_eeprom(int argc, char **argv, const char *eeprom_path);

/*
 * The exit status for what cmd_eeprom returned: the predecessor's codes, read: 2 no plausible
 * data, 3 no EEPROM; write: 2 no EEPROM; else shp_err_exit_code() (1 failed, 2 usage).
 */
int cmd_eeprom_exit_code(int argc, char **argv, shp_err e);

#endif
