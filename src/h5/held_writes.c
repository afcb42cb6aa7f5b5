/* held_writes.c - metadata writes held until the commit (see held_writes.h). */
#include "h5/held_writes.h"

#include <stdlib.h>
#include <string.h>

static size_t hash_addr(uint64_t addr, size_t cap)
{
	return (size_t)((addr * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

static bool index_grow(struct held_writes *h)
{
	size_t cap = h->index_cap ? h->index_cap * 2 : 256;
	uint32_t *idx = calloc(cap, sizeof(*idx));
	if (!idx)
		return false;
	for (size_t k = 0; k < h->n; k++) {
		size_t at = hash_addr(h->e[k].addr, cap);
		while (idx[at])
			at = (at + 1) & (cap - 1);
		idx[at] = (uint32_t)(k + 1);
	}
	free(h->index);
	h->index = idx;
	h->index_cap = cap;
	return true;
}

/* The part of [from, to) that e and the range [addr, addr + len) share; false if none. */
static bool shared(const struct held *e, uint64_t addr, size_t len, uint64_t *from, uint64_t *to)
{
	*from = e->addr > addr ? e->addr : addr;
	*to = e->addr + e->len < addr + len ? e->addr + e->len : addr + len;
	return *from < *to;
}

bool held_put(struct held_writes *h, uint64_t addr, size_t len, const void *buf)
{
	if ((h->n + 1) * 2 > h->index_cap && !index_grow(h))
		return false;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 128;
		struct held *n = realloc(h->e, cap * sizeof(*n));
		if (!n)
			return false;
		h->e = n;
		h->cap = cap;
	}
	size_t at = hash_addr(addr, h->index_cap);
	bool same = false;
	for (; h->index[at]; at = (at + 1) & (h->index_cap - 1)) {
		const struct held *e = &h->e[h->index[at] - 1];
		if (e->addr != addr)
			continue;
		same = e->len == len; /* the same entry written again */
		break;                /* else another extent at this address: indexed from now on */
	}
	uint8_t *copy = NULL;
	if (!same && !(copy = malloc(len ? len : 1)))
		return false;
	const uint8_t *src = buf;
	for (size_t k = 0; k < h->n; k++) { /* the new bytes, wherever they are held */
		struct held *e = &h->e[k];
		uint64_t from, to;
		if (shared(e, addr, len, &from, &to))
			memcpy(e->data + (from - e->addr), src + (from - addr),
			       (size_t)(to - from));
	}
	if (same)
		return true;
	memcpy(copy, buf, len);
	h->e[h->n] = (struct held){addr, len, copy};
	h->index[at] = (uint32_t)++h->n;
	h->bytes += len;
	return true;
}

void held_overlay(const struct held_writes *h, uint64_t addr, size_t len, uint8_t *buf)
{
	for (size_t k = 0; k < h->n; k++) {
		const struct held *e = &h->e[k];
		uint64_t from, to;
		if (shared(e, addr, len, &from, &to))
			memcpy(buf + (from - addr), e->data + (from - e->addr),
			       (size_t)(to - from));
	}
}

void held_clear(struct held_writes *h)
{
	for (size_t k = 0; k < h->n; k++)
		free(h->e[k].data);
	h->n = 0;
	h->bytes = 0;
	if (h->index)
		memset(h->index, 0, h->index_cap * sizeof(*h->index));
}

void held_free(struct held_writes *h)
{
	held_clear(h);
	free(h->e);
	free(h->index);
	memset(h, 0, sizeof(*h));
}
