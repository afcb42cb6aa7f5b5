/*
 * service_cli.h - what shepherd-launcher and shepherd-watchdog share: their version line,
 * option values, logging set-up and exit codes (node-control.md 6).
 *
 * Exit codes: 0 when stopped by SIGTERM/SIGINT (as the predecessor's), 2 for a bad command
 * line, 1 for every other failure, which is what makes systemd restart the unit
 * (Restart=on-failure).
 */
#ifndef SHP_SERVICE_CLI_H
#define SHP_SERVICE_CLI_H

#include <stdbool.h>

#include "common/error.h"

/* "<prog> <version>" on stdout. */
void service_print_version(const char *prog);

/* Console logging on stderr: info, or debug with verbose. */
void service_log_init(bool verbose);

/* A duration in seconds: a finite number > 0 and <= 1e6. */
bool service_parse_seconds(const char *text, double *out);

/* The exit status for how the program ended. */
int service_exit_code(shp_err err);

#endif
