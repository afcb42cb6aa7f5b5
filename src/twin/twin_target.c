/*
 * twin_target.c - the load on the emulator's output (twin_target.h): parsing and formatting
 * of the target spec and the integer formulas of voltage, current and ADC code.
 */
#include "twin_target.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TWIN_DAC_LSB_PER_V 13107u
#define TWIN_ADC_LSB_PER_A 4915200u
#define TWIN_ADC_MAX ((1u << 18) - 1u)

/* bounds that keep the integer formulas inside 64 bits */
#define TWIN_TARGET_MAX_MOHM 1000000000000000ull /* 10^12 ohm */
#define TWIN_TARGET_MAX_NA 4294967295.0          /* the current is a u32 of nA */
#define TWIN_TARGET_MAX_NW 1e13                  /* 10 kW: nW * 10^6 < 2^64 */

__attribute__((format(printf, 3, 4))) static bool fail(char *why, size_t why_len, const char *fmt,
						       ...)
{
	if (why && why_len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, why_len, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* OHM with up to three decimals, exactly (no binary fraction in between), to mOhm. */
static bool parse_ohm(const char *s, uint64_t *mohm, char *why, size_t why_len)
{
	if (*s == '\0')
		return fail(why, why_len, "resistor: missing number of ohms");
	if (*s == '-')
		return fail(why, why_len, "resistor: negative resistance '%s'", s);
	uint64_t v = 0;
	int decimals = -1;
	bool digits = false;
	for (const char *p = s; *p; p++) {
		if (*p == '.' && decimals < 0) {
			decimals = 0;
			continue;
		}
		if (*p < '0' || *p > '9')
			return fail(why, why_len, "resistor: '%s' is not a number of ohms", s);
		if (decimals >= 0 && ++decimals > 3)
			return fail(why, why_len,
				    "resistor: '%s' has more than 3 decimals (mOhm resolution)", s);
		digits = true;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > TWIN_TARGET_MAX_MOHM)
			return fail(why, why_len, "resistor: '%s' is too large", s);
	}
	if (!digits)
		return fail(why, why_len, "resistor: '%s' is not a number of ohms", s);
	for (int k = decimals < 0 ? 0 : decimals; k < 3; k++)
		v *= 10;
	if (v > TWIN_TARGET_MAX_MOHM)
		return fail(why, why_len, "resistor: '%s' is too large", s);
	if (v == 0)
		return fail(why, why_len, "resistor: zero resistance '%s'", s);
	*mohm = v;
	return true;
}

/* A number of A or W to nA / nW; zero allowed only for a sleep value. */
static bool parse_si(const char *kind, const char *s, bool allow_zero, double max_n, uint64_t *out,
		     char *why, size_t why_len)
{
	if (*s == '\0')
		return fail(why, why_len, "%s: missing number", kind);
	errno = 0;
	char *end;
	const double v = strtod(s, &end);
	if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
		return fail(why, why_len, "%s: '%s' is not a number", kind, s);
	if (v < 0 || signbit(v))
		return fail(why, why_len, "%s: negative value '%s'", kind, s);
	const double n = nearbyint(v * 1e9); /* half-even, in the default rounding mode */
	if (n > max_n)
		return fail(why, why_len, "%s: '%s' is too large", kind, s);
	if (n == 0 && !allow_zero)
		return fail(why, why_len, "%s: zero (below 1 n) '%s'", kind, s);
	*out = (uint64_t)n;
	return true;
}

bool twin_target_parse(const char *spec, struct twin_target *out, char *why, size_t why_len)
{
	char buf[128];
	if (why && why_len)
		why[0] = '\0';
	if (!spec || strlen(spec) >= sizeof(buf))
		return fail(why, why_len, "target: %s", spec ? "too long" : "missing");
	strcpy(buf, spec);

	char *field[5];
	int n = 0;
	char *p = buf;
	for (;;) {
		if (n == 5)
			return fail(why, why_len, "target '%s': too many fields", spec);
		field[n++] = p;
		char *colon = strchr(p, ':');
		if (!colon)
			break;
		*colon = '\0';
		p = colon + 1;
	}
	struct twin_target t = {TWIN_TARGET_NONE, false, 0, 0};
	if (n > 1 && strcmp(field[n - 1], "controlled") == 0) {
		t.controlled = true;
		n--;
	}
	const char *kind = field[0];
	if (strcmp(kind, "none") == 0) {
		if (n > 1 || t.controlled)
			return fail(why, why_len, "target '%s': too many fields (none takes none)",
				    spec);
	} else if (strcmp(kind, "resistor") == 0) {
		t.kind = TWIN_TARGET_RESISTOR;
		if (n < 2)
			return fail(why, why_len, "resistor: missing number of ohms");
		if (n > 2)
			return fail(why, why_len, "target '%s': too many fields", spec);
		if (!parse_ohm(field[1], &t.active, why, why_len))
			return false;
	} else if (strcmp(kind, "current") == 0 || strcmp(kind, "power") == 0) {
		const bool current = kind[0] == 'c';
		t.kind = current ? TWIN_TARGET_CURRENT : TWIN_TARGET_POWER;
		const double max = current ? TWIN_TARGET_MAX_NA : TWIN_TARGET_MAX_NW;
		if (n < 2)
			return fail(why, why_len, "%s: missing number", kind);
		if (n > 3)
			return fail(why, why_len, "target '%s': too many fields", spec);
		if (!parse_si(kind, field[1], false, max, &t.active, why, why_len))
			return false;
		if (n == 3 && !parse_si(kind, field[2], true, max, &t.sleep, why, why_len))
			return false;
	} else {
		return fail(why, why_len,
			    "unknown target kind '%s' (none, resistor:OHM, current:A[:SLEEP_A], "
			    "power:W[:SLEEP_W], each optionally :controlled)",
			    kind);
	}
	*out = t;
	return true;
}

/* n nano-units as an exact decimal of units (no trailing zeros): strtod of it is the double
 * nearest n / 10^9, and n < 2^44 makes nearbyint(that * 1e9) n again, so parse(format(t)) ==
 * t for every value, unlike %g with a fixed number of digits. */
static void format_n(uint64_t n, char *buf, size_t len)
{
	const uint64_t whole = n / 1000000000u;
	uint64_t frac = n % 1000000000u;
	if (frac == 0) {
		snprintf(buf, len, "%" PRIu64, whole);
		return;
	}
	int digits = 9;
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	snprintf(buf, len, "%" PRIu64 ".%0*" PRIu64, whole, digits, frac);
}

void twin_target_format(const struct twin_target *t, char *buf, size_t len)
{
	const char *ctl = t->controlled ? ":controlled" : "";
	switch (t->kind) {
	case TWIN_TARGET_RESISTOR: {
		const uint64_t ohm = t->active / 1000, frac = t->active % 1000;
		if (frac == 0)
			snprintf(buf, len, "resistor:%" PRIu64 "%s", ohm, ctl);
		else if (frac % 100 == 0)
			snprintf(buf, len, "resistor:%" PRIu64 ".%01" PRIu64 "%s", ohm, frac / 100,
				 ctl);
		else if (frac % 10 == 0)
			snprintf(buf, len, "resistor:%" PRIu64 ".%02" PRIu64 "%s", ohm, frac / 10,
				 ctl);
		else
			snprintf(buf, len, "resistor:%" PRIu64 ".%03" PRIu64 "%s", ohm, frac, ctl);
		break;
	}
	case TWIN_TARGET_CURRENT:
	case TWIN_TARGET_POWER: {
		const char *kind = t->kind == TWIN_TARGET_CURRENT ? "current" : "power";
		char a[32], b[32];
		format_n(t->active, a, sizeof(a));
		if (t->sleep) {
			format_n(t->sleep, b, sizeof(b));
			snprintf(buf, len, "%s:%s:%s%s", kind, a, b, ctl);
		} else {
			snprintf(buf, len, "%s:%s%s", kind, a, ctl);
		}
		break;
	}
	default:
		snprintf(buf, len, "none");
		break;
	}
}

uint32_t twin_target_voltage_uV(uint32_t dac_code)
{
	return (uint32_t)((uint64_t)dac_code * 1000000u / TWIN_DAC_LSB_PER_V);
}

static uint32_t clamp_u32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

uint32_t twin_target_current_nA(const struct twin_target *t, uint32_t v_uV, bool power_good)
{
	const bool asleep = t->controlled && !power_good;
	switch (t->kind) {
	case TWIN_TARGET_RESISTOR:
		if (asleep)
			return 0;
		return clamp_u32((uint64_t)v_uV * 1000000u / t->active);
	case TWIN_TARGET_CURRENT:
		if (v_uV == 0)
			return 0;
		return clamp_u32(asleep ? t->sleep : t->active);
	case TWIN_TARGET_POWER: {
		if (v_uV == 0)
			return 0;
		const uint64_t nW = asleep ? t->sleep : t->active;
		return clamp_u32(nW * 1000000u / v_uV);
	}
	default:
		return 0;
	}
}

uint32_t twin_target_adc(uint32_t i_nA)
{
	const uint64_t code = (uint64_t)i_nA * TWIN_ADC_LSB_PER_A / 1000000000u;
	return code > TWIN_ADC_MAX ? TWIN_ADC_MAX : (uint32_t)code;
}
