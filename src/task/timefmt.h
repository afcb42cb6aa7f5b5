/*
 * timefmt.h - the time formats a task file may use.
 *
 * time_start: Unix seconds (int or float) or an ISO 8601 date-time ("2026-11-25T10:00:00Z",
 * "2026-11-25 10:00:00+01:00"; without a zone it is local time, as Python reads it).
 * duration: seconds (int or float), an ISO 8601 duration ("PT1H30M", "P1DT2S") or "HH:MM:SS[.f]".
 */
#ifndef SHP_TIMEFMT_H
#define SHP_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool parse_iso_datetime(const char *text, double *epoch_s);
bool parse_duration_text(const char *text, double *seconds);

/* "2026-11-25 10:00:03+01:00" in local time. */
void format_iso_local(int64_t epoch_s, char *buf, size_t len);
/* "2026-11-25_10-00-03" in local time, for file names. */
void format_file_stamp(int64_t epoch_s, char *buf, size_t len);

#endif
