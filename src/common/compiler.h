/* compiler.h - the few compiler attributes the sheep needs, for gcc and clang. */
#ifndef SHP_COMPILER_H
#define SHP_COMPILER_H

/*
 * Keeps a copy loop a loop: both compilers turn loops that copy or fill memory into memcpy or
 * memset calls, which must not touch the PRU's memory (pru_mem.h) and whose x86 `rep movsb`
 * makes valgrind's instruction counts meaningless.
 */
#if defined(__clang__)
#define SHP_NO_MEM_IDIOMS __attribute__((no_builtin("memcpy", "memset", "memmove")))
#elif defined(__GNUC__)
#define SHP_NO_MEM_IDIOMS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define SHP_NO_MEM_IDIOMS
#endif

#endif
