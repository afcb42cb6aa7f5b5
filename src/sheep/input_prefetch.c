/* input_prefetch.c - the emulation input, decoded ahead by a reader thread (input_prefetch.h). */
#include "sheep/input_prefetch.h"

#include <pthread.h>
#include <stdlib.h>

struct input_prefetch {
	const struct h5_input *in;
	uint64_t total;
	bool threaded;
	pthread_t thread;
	pthread_mutex_t hdf5; /* every HDF5 call while the reader lives */
	pthread_mutex_t mu;   /* the ring's state below */
	pthread_cond_t filled, freed;
	uint64_t read_blocks;  /* blocks the reader has completed */
	uint64_t taken_blocks; /* blocks the caller has taken (the last one still in use) */
	bool quit;
	shp_err error; /* the reader's failure, after read_blocks good ones */
	uint32_t len[PREFETCH_SLOTS];
	struct shp_iv_sample slot[PREFETCH_SLOTS][PREFETCH_BLOCK];
};

static uint32_t block_len(const struct input_prefetch *p, uint64_t block)
{
	uint64_t first = block * PREFETCH_BLOCK;
	if (first >= p->total)
		return 0;
	uint64_t left = p->total - first;
	return left < PREFETCH_BLOCK ? (uint32_t)left : PREFETCH_BLOCK;
}

static void *reader(void *arg)
{
	struct input_prefetch *p = arg;
	pthread_mutex_lock(&p->mu);
	for (uint64_t b = 0;; b++) {
		/* the caller may still use the block it took last: a slot is free once the block
		 * PREFETCH_SLOTS before it was given back */
		while (!p->quit && b >= p->taken_blocks + PREFETCH_SLOTS - 1)
			pthread_cond_wait(&p->freed, &p->mu);
		uint32_t n = block_len(p, b);
		if (p->quit || n == 0)
			break;
		pthread_mutex_unlock(&p->mu);
		unsigned s = (unsigned)(b % PREFETCH_SLOTS);
		pthread_mutex_lock(&p->hdf5);
		shp_err e = h5_input_read(p->in, b * PREFETCH_BLOCK, n, p->slot[s]);
		pthread_mutex_unlock(&p->hdf5);
		pthread_mutex_lock(&p->mu);
		if (e != SHP_OK) {
			p->error = e;
			break;
		}
		p->len[s] = n;
		p->read_blocks = b + 1;
		pthread_cond_signal(&p->filled);
	}
	p->quit = true;
	pthread_cond_signal(&p->filled);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

shp_err input_prefetch_start(const struct h5_input *in, uint64_t total, bool threaded,
			     struct input_prefetch **out)
{
	struct input_prefetch *p = calloc(1, sizeof(*p));
	if (!p)
		return SHP_ERR_NOMEM;
	p->in = in;
	p->total = total;
	pthread_mutex_init(&p->hdf5, NULL);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->filled, NULL);
	pthread_cond_init(&p->freed, NULL);
	p->threaded = threaded && pthread_create(&p->thread, NULL, reader, p) == 0;
	*out = p;
	return SHP_OK;
}

static shp_err next_unthreaded(struct input_prefetch *p, const struct shp_iv_sample **block,
			       uint32_t *n)
{
	uint32_t len = block_len(p, p->taken_blocks);
	*block = p->slot[0];
	*n = len;
	if (len == 0)
		return SHP_OK;
	SHP_TRY(h5_input_read(p->in, p->taken_blocks * PREFETCH_BLOCK, len, p->slot[0]));
	p->taken_blocks++;
	return SHP_OK;
}

shp_err input_prefetch_next(struct input_prefetch *p, const struct shp_iv_sample **block,
			    uint32_t *n)
{
	if (!p->threaded)
		return next_unthreaded(p, block, n);
	pthread_mutex_lock(&p->mu);
	uint64_t b = p->taken_blocks;
	while (p->read_blocks <= b && !p->quit)
		pthread_cond_wait(&p->filled, &p->mu);
	shp_err e = SHP_OK;
	*n = 0;
	*block = p->slot[b % PREFETCH_SLOTS];
	if (p->read_blocks > b) {
		*n = p->len[b % PREFETCH_SLOTS];
		p->taken_blocks = b + 1; /* the block before it is free now */
		pthread_cond_signal(&p->freed);
	} else {
		e = p->error;
	}
	pthread_mutex_unlock(&p->mu);
	return e;
}

void input_prefetch_lock(struct input_prefetch *p)
{
	if (p && p->threaded)
		pthread_mutex_lock(&p->hdf5);
}

void input_prefetch_unlock(struct input_prefetch *p)
{
	if (p && p->threaded)
		pthread_mutex_unlock(&p->hdf5);
}

void input_prefetch_stop(struct input_prefetch *p)
{
	if (!p)
		return;
	if (p->threaded) {
		pthread_mutex_lock(&p->mu);
		p->quit = true;
		pthread_cond_signal(&p->freed);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->thread, NULL);
	}
	pthread_mutex_destroy(&p->hdf5);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->filled);
	pthread_cond_destroy(&p->freed);
	free(p);
}
