/* service_cli.c - version, logging, option values and exit codes of the two services. */
#include "service/service_cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "common/version.h"

void service_print_version(const char *prog)
{
	printf("%s %s\n", prog, SHEEP_VERSION);
}

void service_log_init(bool verbose)
{
	shp_log_set_console_level(verbose ? SHP_LOG_DEBUG : SHP_LOG_INFO);
}

bool service_parse_seconds(const char *text, double *out)
{
	char *end;
	double v = strtod(text, &end);
	if (end == text || *end || !isfinite(v) || v <= 0 || v > 1e6)
		return false;
	*out = v;
	return true;
}

int service_exit_code(shp_err err)
{
	switch (err) {
	case SHP_OK:
	case SHP_ERR_INTERRUPTED:
		return 0;
	case SHP_ERR_USAGE:
		return 2;
	default:
		return 1;
	}
}
