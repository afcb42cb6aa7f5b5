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

#include "common/time_bounds.h" /* SHP_TIME_START_MIN_S, _MAX_S, SHP_SPAN_MAX_S */

/* Unix seconds of an ISO 8601 date-time (years 0000-9999); false if it is not one. */
bool parse_iso_datetime(const char *text, double *epoch_s);
/*
 * Seconds of a duration in one of the forms above, its numbers plain decimals (no exponent, inf or
 * nan); false if it is none. The range is checked by the task schema (common/time_bounds.h).
 */
bool parse_duration_text(const char *text, double *seconds);

/* Whether a run can start at epoch_s: SHP_TIME_START_MIN_S <= epoch_s < SHP_TIME_START_MAX_S. */
bool time_start_in_range(double epoch_s);

/*
 * "2026-11-25 10:00:03+01:00" in local time; "@<seconds>" for a time the C library cannot break
 * down (beyond the year 2^31).
 */
void format_iso_local(int64_t epoch_s, char *buf, size_t len);
/* "2026-11-25_10-00-03" in local time, for file names; "@<seconds>" as above. */
void format_file_stamp(int64_t epoch_s, char *buf, size_t len);

#endif
