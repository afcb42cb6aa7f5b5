/*
 * cpu.h - which optional instruction sets the CPU running the sheep has.
 *
 * The armhf build targets Debian's baseline (ARMv7 with VFPv3-D16), which does not include
 * NEON; the BeagleBone's Cortex-A8 has it. Code with NEON lives in its own files, compiled for
 * NEON, and is chosen at run time from the kernel's hardware capabilities, so the same binary
 * runs on any armhf machine. SHEPHERD_NO_NEON=1 in the environment forces the portable paths
 * (the benchmark and the tests compare both).
 */
#ifndef SHP_CPU_H
#define SHP_CPU_H

#include <stdbool.h>

/* True if the NEON paths may be used: compiled in, present in the CPU, not turned off. */
bool cpu_use_neon(void);

#endif
