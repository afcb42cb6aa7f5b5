/* durability.c - when the writer commits, and the space check after each commit. */
#include "sheep/durability.h"

void durability_init(struct durability *d)
{
	d->space.fd = -1;
	d->last_commit_ns = 0;
}

shp_err durability_open(struct durability *d, h5w_t *w, const char *path)
{
	space_guard_open(&d->space, path, space_guard_reserve_from_env());
	return space_guard_check(&d->space, h5w_file_size(w));
}

shp_err durability_commit(struct durability *d, h5w_t *w)
{
	SHP_TRY(h5w_flush(w));
	return space_guard_check(&d->space, h5w_file_size(w));
}

void durability_start(struct durability *d, uint64_t now)
{
	d->last_commit_ns = now;
}

/*
 * A writer faster than real time (simulate, a run against the simulator at full speed) writes
 * more in a second than the space reserve holds: a third of the reserve written since the last
 * check is due as well, so that the reserve (three times one interval) keeps up.
 */
static bool grown_past_reserve(const struct durability *d, h5w_t *w)
{
	const struct space_guard *g = &d->space;
	if (g->fd < 0 || g->base_reserve == 0)
		return false;
	uint64_t size = h5w_file_size(w);
	return size > g->last_size && size - g->last_size >= g->base_reserve / 3;
}

shp_err durability_commit_if_due(struct durability *d, h5w_t *w, uint64_t now)
{
	if (!w ||
	    (now - d->last_commit_ns < DURABILITY_COMMIT_EVERY_NS && !grown_past_reserve(d, w)))
		return SHP_OK;
	SHP_TRY(durability_commit(d, w));
	d->last_commit_ns = now;
	return SHP_OK;
}

shp_err durability_close(struct durability *d, h5w_t *w)
{
	shp_err e = h5w_close(w);
	space_guard_close(&d->space);
	return e;
}
