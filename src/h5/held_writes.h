/*
 * held_writes.h - writes into a file's committed space, held in memory until the commit that
 * stores them in its journal slot and then applies them (commit_vfd.h).
 *
 * HDF5 writes the same metadata entry (a B-tree node, an object header) many times between two
 * commits: an extent written again at the same place and length is updated in place (an index
 * on the address finds it). Any write also updates the overlapping part of every held extent,
 * so extents never disagree and their order does not matter, in the overlay of reads as in the
 * apply.
 */
#ifndef SHP_HELD_WRITES_H
#define SHP_HELD_WRITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct held {
	uint64_t addr;
	size_t len;
	uint8_t *data;
};

struct held_writes {
	struct held *e;
	size_t n, cap;
	size_t bytes;    /* held now */
	uint32_t *index; /* open addressing on addr: index into e + 1, 0 = empty */
	size_t index_cap;
};

/* Holds len bytes for addr; false without memory (nothing changed then). */
bool held_put(struct held_writes *h, uint64_t addr, size_t len, const void *buf);

/* Lays what is held over buf, which holds [addr, addr + len) as read from the file. */
void held_overlay(const struct held_writes *h, uint64_t addr, size_t len, uint8_t *buf);

/* Forgets everything held (after the commit), keeping the memory of the index. */
void held_clear(struct held_writes *h);

void held_free(struct held_writes *h);

#endif
