/* stream_util.c - PRU utilisation rows from PRU1's ring into the recording. */
#include "sheep/stream_util.h"

#define BATCH 64

void stream_util_open(struct stream_util *u, uint8_t *ring, const struct stream_window *win)
{
	u->start_ns = win->start_ns;
	u->end_ns = win->end_ns;
	util_reader_init(&u->reader, ring);
}

shp_err stream_util_poll(struct stream_util *u, h5w_t *w)
{
	struct util_row rows[BATCH];
	uint32_t n;
	while ((n = util_read(&u->reader, rows, BATCH)) > 0) {
		for (uint32_t k = 0; k < n; k++)
			if (w && rows[k].ts > u->start_ns && rows[k].ts <= u->end_ns)
				SHP_TRY(h5w_append_util(w, rows[k].ts, rows[k].values));
		if (n < BATCH)
			break;
	}
	return SHP_OK;
}
