/*
 * usage_log.h - one CSV row per shepherd-sheep invocation (sheep-datapath.md 6.1).
 *
 * The file (default /var/shepherd/log.csv) starts with the header
 * "time_start, time_stop, runtime [s], command"; each invocation but `usage` appends
 * "<ISO start>, <ISO stop>, <seconds>, <command line>" when it ends. A log that cannot be
 * written costs a debug line, never the command's result.
 */
#ifndef SHP_USAGE_LOG_H
#define SHP_USAGE_LOG_H

#include <stdint.h>

#include "common/error.h"

#define SHP_USAGE_LOG_DEFAULT "/var/shepherd/log.csv"
#define SHP_USAGE_LOG_HEADER "time_start, time_stop, runtime [s], command"

/* Appends the row (creating the file with its header, and its directory, if needed). */
void usage_log_append(const char *path, uint64_t start_ns, uint64_t stop_ns, int argc, char **argv);

/* Prints the last row; SHP_ERR_CONFIG with a message if there is none. */
shp_err usage_log_print_last(const char *path);

#endif
