/*
 * test_check.h - checks the unit tests share: the error messages the sheep logged during a step
 * (every one, one per line, and how many) and bit-exact doubles. Include after cmocka.h.
 */
#ifndef TEST_CHECK_H
#define TEST_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"

static int errors_logged;
static char logged_errors[16384];

static inline void capture_errors(void *ctx, uint64_t t, int level, const char *msg)
{
	(void)ctx;
	(void)t;
	if (level >= SHP_LOG_ERROR) {
		errors_logged++;
		size_t used = strlen(logged_errors);
		snprintf(logged_errors + used, sizeof(logged_errors) - used, "%s\n", msg);
	}
}

/* Forgets what was logged so far. */
static inline void reset_errors(void)
{
	errors_logged = 0;
	logged_errors[0] = '\0';
}

/* From now on every error message is collected (all levels still pass the sink). */
static inline void collect_errors(void)
{
	reset_errors();
	shp_log_set_sink(capture_errors, NULL, SHP_LOG_DEBUG);
}

/* Bit-exact equality, so that -0.0 and +0.0 differ. */
static inline void assert_same_double(double a, double b)
{
	uint64_t x, y;
	memcpy(&x, &a, 8);
	memcpy(&y, &b, 8);
	if (x != y)
		fail_msg("%.17g (0x%016llx) != %.17g (0x%016llx)", a, (unsigned long long)x, b,
			 (unsigned long long)y);
}

#endif
