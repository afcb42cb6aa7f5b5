/* log_capture.c - the sheep's log records, held and then written into /sheep. */
#include "monitor/log_capture.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#define LEVEL_DESC "from [0..+10..50] = [NOTSET, DEBUG, INFO, WARNING, ERROR, CRITICAL]"

struct record {
	uint64_t time_ns;
	uint8_t level;
	char *msg;
};

static struct {
	bool on;
	struct record *rec;
	size_t n, cap;
	uint64_t dropped;
	h5w_table_t *table;
	uint64_t written;
	bool draining; /* a write that logs must not recurse into the queue being written */
} cap;

static const struct h5w_column sheep_columns[] = {
	{"message", H5W_COL_STR, 0, false, NULL, NULL},
	{"level", H5W_COL_U8, 0, false, "n", LEVEL_DESC},
};

static void sink(void *ctx, uint64_t time_ns, int level, const char *msg)
{
	(void)ctx;
	if (cap.n == cap.cap) {
		size_t want = cap.cap ? cap.cap * 2 : 64;
		struct record *grown = NULL;
		if (want <= SHP_LOG_CAPTURE_MAX)
			grown = realloc(cap.rec, want * sizeof(*grown));
		if (!grown) {
			cap.dropped++;
			return;
		}
		cap.rec = grown;
		cap.cap = want;
	}
	char *copy = strdup(msg);
	if (!copy) {
		cap.dropped++;
		return;
	}
	cap.rec[cap.n++] = (struct record){time_ns, (uint8_t)level, copy};
}

void log_capture_start(void)
{
	if (cap.on)
		return;
	cap.on = true;
	shp_log_set_sink(sink, NULL, SHP_LOG_DEBUG);
}

static void release(void)
{
	for (size_t k = 0; k < cap.n; k++)
		free(cap.rec[k].msg);
	cap.n = 0;
}

void log_capture_stop(void)
{
	if (!cap.on)
		return;
	shp_log_set_sink(NULL, NULL, 0);
	release();
	free(cap.rec);
	memset(&cap, 0, sizeof(cap));
}

shp_err log_capture_attach(h5w_t *w)
{
	return h5w_table_create(w, "sheep", sheep_columns, 2, &cap.table);
}

shp_err log_capture_drain(void)
{
	if (!cap.table || cap.n == 0 || cap.draining)
		return SHP_OK;
	cap.draining = true;
	shp_err e = SHP_OK;
	size_t k = 0;
	for (; k < cap.n && e == SHP_OK; k++) {
		size_t len = strlen(cap.rec[k].msg);
		const void *row[2] = {cap.rec[k].msg, &cap.rec[k].level};
		size_t lens[2] = {len, 0};
		e = h5w_table_append(cap.table, cap.rec[k].time_ns, row, lens);
	}
	cap.written += k;
	/* records logged while writing (an HDF5 error) stay for the next drain */
	for (size_t j = 0; j < k; j++)
		free(cap.rec[j].msg);
	memmove(cap.rec, cap.rec + k, (cap.n - k) * sizeof(*cap.rec));
	cap.n -= k;
	cap.draining = false;
	return e;
}

uint64_t log_capture_detach(void)
{
	if (cap.dropped && cap.table)
		log_warn("%llu log records were dropped before the recording could take them",
			 (unsigned long long)cap.dropped);
	log_capture_drain();
	cap.table = NULL;
	return cap.written;
}
