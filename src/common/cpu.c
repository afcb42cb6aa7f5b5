/* cpu.c - run-time detection of NEON (see cpu.h). */
#include "common/cpu.h"

#include <stdlib.h>
#include <string.h>

#if defined(__arm__) && defined(SHEEP_HAVE_NEON)
#include <sys/auxv.h>
#ifndef HWCAP_ARM_NEON
#define HWCAP_ARM_NEON (1u << 12) /* asm/hwcap.h of the arm kernel */
#endif
#endif

static bool detect(void)
{
	const char *off = getenv("SHEPHERD_NO_NEON");
	if (off && *off && strcmp(off, "0") != 0)
		return false;
#if defined(__arm__) && defined(SHEEP_HAVE_NEON)
	return (getauxval(AT_HWCAP) & HWCAP_ARM_NEON) != 0;
#else
	return false;
#endif
}

bool cpu_use_neon(void)
{
	static int known = -1; /* asked once: the answer does not change during a run */
	if (known < 0)
		known = detect();
	return known == 1;
}
