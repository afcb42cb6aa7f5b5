/* fwmod_internal.h - what the files of the FirmwareModTask share (fwmod.h is the interface). */
#ifndef SHP_FWMOD_INTERNAL_H
#define SHP_FWMOD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "fwmod/fwmod.h"

/* The most a decoded firmware may be (node-control.md 4.1 allows 8 000 000 base64 chars). */
#define FWMOD_DECODED_MAX (64 << 20)

/* The symbol the patch writes, and its size (4.4). */
#define FWMOD_NODE_ID_SYMBOL "SHEPHERD_NODE_ID"
#define FWMOD_NODE_ID_SIZE 2

/*
 * path with its suffix replaced by suffix (".elf", ".hex"), as Python's Path.with_suffix: the
 * suffix is the last '.' of the final name and what follows, unless that '.' starts the name
 * or ends it; trailing slashes are dropped. False for an empty name or a result too long.
 */
bool fwmod_with_suffix(const char *path, const char *suffix, char *out, size_t len);

/* Whether f holds Intel HEX (every line a record with a right checksum, an EOF record last);
 * else the first problem in why. */
bool fwmod_hex_check(FILE *f, char *why, size_t why_len);

#endif
