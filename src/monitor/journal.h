/*
 * journal.h - time-sync daemons' journal lines into /ptp, /phc2sys and /ntp.
 *
 * One `journalctl --follow --lines=0 --output=short-unix --unit=UNIT` per daemon whose unit is
 * installed, read through a non-blocking pipe. ptp4l and phc2sys lines become three numbers
 * (offset [ns], frequency [ppb as the daemon prints it], path delay [ns]: the tokens 1, 4 and 7
 * (ptp4l) or 1, 4 and 6 (phc2sys) after the word "offset"); lines without them are skipped.
 * timesyncd lines are kept as text (<= 128 characters). An absent unit or journalctl is one
 * warning and an empty group.
 */
#ifndef SHP_JOURNAL_H
#define SHP_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "h5/h5_writer.h"

enum journal_kind { JOURNAL_PTP, JOURNAL_PHC2SYS, JOURNAL_NTP };

struct journal_monitor {
	enum journal_kind kind;
	pid_t pid;
	int fd;
	h5w_table_t *table;
	uint64_t next_ns;
	uint64_t lines;
	char buf[4096];
	size_t used;
};

/* Parses "SECONDS.MICRO host ident[pid]: message": time in ns and the message. */
bool journal_parse_line(const char *line, uint64_t *time_ns, const char **msg);

/* The three numbers after "offset" for ptp4l (1, 4, 7) or phc2sys (1, 4, 6). */
bool journal_parse_values(const char *msg, enum journal_kind kind, int64_t values[3]);

/* The systemd unit of each kind, and whether it is installed (unit_dirs: NULL = system's). */
const char *journal_unit(enum journal_kind kind);
bool journal_unit_installed(const char *unit, const char *const *unit_dirs);

shp_err journal_open(struct journal_monitor *m, h5w_t *w, enum journal_kind kind);
shp_err journal_poll(struct journal_monitor *m, uint64_t mono_now);
void journal_close(struct journal_monitor *m);

#endif
