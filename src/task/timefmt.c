/* timefmt.c - ISO 8601 date-times and durations, clock helpers. */
#define _GNU_SOURCE /* timegm, tm_gmtoff */
#include "task/timefmt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h" /* checks the 64-bit time_t a start after 2038 needs */

static bool read_digits(const char **p, int count, int *value)
{
	int v = 0;
	for (int k = 0; k < count; k++) {
		if (!isdigit((unsigned char)(*p)[k]))
			return false;
		v = v * 10 + ((*p)[k] - '0');
	}
	*p += count;
	*value = v;
	return true;
}

static bool read_fraction(const char **p, double *frac)
{
	*frac = 0.0;
	if (**p != '.' && **p != ',')
		return true;
	(*p)++;
	double scale = 0.1;
	if (!isdigit((unsigned char)**p))
		return false;
	while (isdigit((unsigned char)**p)) {
		*frac += (**p - '0') * scale;
		scale /= 10;
		(*p)++;
	}
	return true;
}

static bool read_zone(const char **p, bool *has_zone, int *offset_s)
{
	while (**p == ' ')
		(*p)++;
	*has_zone = false;
	*offset_s = 0;
	if (**p == '\0')
		return true;
	*has_zone = true;
	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		return **p == '\0';
	}
	int sign = **p == '+' ? 1 : **p == '-' ? -1 : 0;
	if (!sign)
		return false;
	(*p)++;
	int hh, mm = 0;
	if (!read_digits(p, 2, &hh))
		return false;
	if (**p == ':')
		(*p)++;
	if (**p && !read_digits(p, 2, &mm))
		return false;
	if (**p != '\0' || hh > 23 || mm > 59)
		return false;
	*offset_s = sign * (hh * 3600 + mm * 60);
	return true;
}

bool parse_iso_datetime(const char *text, double *epoch_s)
{
	const char *p = text;
	int year, mon, day, hh = 0, mi = 0, ss = 0;
	double frac = 0.0;
	if (!read_digits(&p, 4, &year) || *p++ != '-' || !read_digits(&p, 2, &mon) || *p++ != '-' ||
	    !read_digits(&p, 2, &day))
		return false;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (!read_digits(&p, 2, &hh) || *p++ != ':' || !read_digits(&p, 2, &mi))
			return false;
		if (*p == ':') {
			p++;
			if (!read_digits(&p, 2, &ss) || !read_fraction(&p, &frac))
				return false;
		}
	}
	bool has_zone;
	int offset_s;
	if (!read_zone(&p, &has_zone, &offset_s))
		return false;
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mi > 59 || ss > 60)
		return false;
	struct tm tm = {.tm_year = year - 1900,
			.tm_mon = mon - 1,
			.tm_mday = day,
			.tm_hour = hh,
			.tm_min = mi,
			.tm_sec = ss,
			.tm_isdst = -1};
	/* the failure value is checked before the zone offset moves it */
	time_t t = has_zone ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1)
		return false;
	if (tm.tm_mday != day) /* normalised, e.g. 31 February */
		return false;
	*epoch_s = (double)(t - offset_s) + frac;
	return true;
}

bool time_start_in_range(double epoch_s)
{
	return epoch_s >= (double)SHP_TIME_START_MIN_S && epoch_s < (double)SHP_TIME_START_MAX_S;
}

/*
 * A plain decimal number at *p: digits, then optionally '.' and digits. strtod alone would also
 * take exponents, hex, "inf" and "nan", which no duration format has.
 */
static bool read_decimal(const char **p, double *value)
{
	const char *q = *p;
	if (!isdigit((unsigned char)*q))
		return false;
	while (isdigit((unsigned char)*q))
		q++;
	if (*q == '.') {
		q++;
		if (!isdigit((unsigned char)*q))
			return false;
		while (isdigit((unsigned char)*q))
			q++;
	}
	char *end;
	*value = strtod(*p, &end); /* exact rounding; very long digit runs give inf, not UB */
	if (end != q)
		return false;
	*p = q;
	return true;
}

static bool parse_iso_duration(const char *p, double *seconds)
{
	if (*p != 'P' && *p != 'p')
		return false;
	p++;
	bool in_time = false, any = false;
	double total = 0;
	while (*p) {
		if (*p == 'T' || *p == 't') {
			if (in_time)
				return false;
			in_time = true;
			p++;
			continue;
		}
		double v;
		if (!read_decimal(&p, &v))
			return false;
		double unit;
		switch (*p) {
		case 'W':
			unit = in_time ? -1 : 604800;
			break;
		case 'D':
			unit = in_time ? -1 : 86400;
			break;
		case 'H':
			unit = in_time ? 3600 : -1;
			break;
		case 'M':
			unit = in_time ? 60 : -1; /* months are not a fixed length */
			break;
		case 'S':
			unit = in_time ? 1 : -1;
			break;
		default:
			return false;
		}
		if (unit < 0)
			return false;
		total += v * unit;
		any = true;
		p++;
	}
	if (!any)
		return false;
	*seconds = total;
	return true;
}

/* HH:MM:SS[.f]: hours of any number of digits, minutes and seconds of one or two, below 60. */
static bool parse_clock_duration(const char *p, double *seconds)
{
	double hh, mm, ss;
	const char *field = p;
	if (!read_decimal(&p, &hh) || memchr(field, '.', (size_t)(p - field)) || *p++ != ':')
		return false;
	field = p; /* two characters at most: no room for a fraction */
	if (!read_decimal(&p, &mm) || p - field > 2 || mm >= 60 || *p++ != ':')
		return false;
	field = p;
	if (!read_decimal(&p, &ss) || *p != '\0' || strcspn(field, ".") > 2 || ss >= 60)
		return false;
	*seconds = hh * 3600.0 + mm * 60.0 + ss;
	return true;
}

bool parse_duration_text(const char *text, double *seconds)
{
	return parse_iso_duration(text, seconds) || parse_clock_duration(text, seconds);
}

/* Local time of epoch_s; false, with "@<seconds>" in buf, if tm_year cannot hold it. */
static bool local_time(int64_t epoch_s, struct tm *tm, char *buf, size_t len)
{
	time_t t = (time_t)epoch_s;
	if (localtime_r(&t, tm))
		return true;
	snprintf(buf, len, "@%lld", (long long)epoch_s);
	return false;
}

void format_iso_local(int64_t epoch_s, char *buf, size_t len)
{
	struct tm tm;
	if (!local_time(epoch_s, &tm, buf, len))
		return;
	long off = tm.tm_gmtoff;
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	char base[32];
	strftime(base, sizeof(base), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, len, "%s%c%02ld:%02ld", base, sign, off / 3600, (off % 3600) / 60);
}

void format_file_stamp(int64_t epoch_s, char *buf, size_t len)
{
	struct tm tm;
	if (!local_time(epoch_s, &tm, buf, len))
		return;
	strftime(buf, len, "%Y-%m-%d_%H-%M-%S", &tm);
}
