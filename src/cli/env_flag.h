/* env_flag.h - an on/off environment setting of the commands (SHEPHERD_SHUFFLE, ...). */
#ifndef SHP_CLI_ENV_FLAG_H
#define SHP_CLI_ENV_FLAG_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* fallback when unset or empty; off for 0, false, no, off; on for anything else. */
static inline bool env_flag(const char *name, bool fallback)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return fallback;
	return !(strcmp(v, "0") == 0 || strcmp(v, "false") == 0 || strcmp(v, "no") == 0 ||
		 strcmp(v, "off") == 0);
}

#endif
