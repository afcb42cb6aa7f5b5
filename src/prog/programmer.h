/*
 * programmer.h - programming a target MCU through the PRU programmer firmware
 * (node-control.md 3): ProgrammingTask and the `program` command.
 *
 * One attempt (3.4): a debug session (node/debug_session.h), the port to program on the aux
 * rail at the task's voltage (default calibration), IO routed to it, the image realigned with
 * srec_cat (prog_realign.h), PRU0 swapped to the SWD or SBW firmware, the aligned Intel-HEX
 * text placed at the start of the IV-input region, the programmer/ files written, the state
 * polled once a second and the PRU's messages logged; then the restore steps, whatever
 * happened: session closed, PRU0 EMU and PRU1 loaded again. The wrapper (3.3) makes up to 5
 * attempts (1 with simulate), the data rate times 0.6 after each failed one.
 */
#ifndef SHP_PROGRAMMER_H
#define SHP_PROGRAMMER_H

#include "common/error.h"
#include "node/debug_session.h"
#include "task/task.h"

/*
 * Runs a ProgrammingTask with its retries. SHP_OK when an attempt succeeded; SHP_ERR_PROGRAM
 * when the last one failed (each failure logged with the predecessor's message);
 * SHP_ERR_FIRMWARE for a firmware file that is missing, empty, too large or not Intel HEX;
 * SHP_ERR_INTERRUPTED on a stop signal (the restore steps still run). No PRU is left in a
 * programmer state in any case.
 */
shp_err prog_run_task(const struct shp_programming *task, const struct node_paths *paths);

#endif
