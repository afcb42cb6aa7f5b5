/* losses.c - the /losses table. */
#include "sheep/losses.h"

#include <string.h>

#include "pru/shepherd_abi.h"

static const char *const stream_names[] = {"iv", "iv_discarded", "gpio", "input_stale"};

static const struct h5w_column columns[] = {
	{"stream", H5W_COL_STR, 0, false, NULL,
	 "iv: samples missing, iv_discarded: repeated or backwards timestamps dropped, gpio: "
	 "events overwritten unread, input_stale: input samples PRU0 read before they were "
	 "written"},
	{"count", H5W_COL_U64, 0, false, "n", NULL},
	{"until", H5W_COL_U64, 0, false, "ns", "first timestamp after the loss, 0: unknown"},
	{"exact", H5W_COL_U8, 0, false, NULL, "1: count exact, 0: a lower bound"},
};

void losses_init(struct losses *l, h5w_t *writer)
{
	memset(l, 0, sizeof(*l));
	l->writer = writer;
}

static void write_row(struct losses *l, enum loss_stream stream, uint64_t at, uint64_t until,
		      uint64_t count, bool exact)
{
	l->rows++;
	if (!l->writer || l->error != SHP_OK)
		return;
	if (!l->table)
		l->error = h5w_table_create(l->writer, "losses", columns, 4, &l->table);
	if (l->error != SHP_OK)
		return;
	const char *name = stream_names[stream];
	uint8_t ex = exact;
	const void *row[4] = {name, &count, &until, &ex};
	size_t lens[4] = {strlen(name), 0, 0, 0};
	l->error = h5w_table_append(l->table, at, row, lens);
}

static void close_run(struct losses *l)
{
	if (!l->run_open)
		return;
	write_row(l, LOSS_IV_DISCARDED, l->run_at, 0, l->run_count, true);
	l->run_open = false;
}

void losses_note(struct losses *l, enum loss_stream stream, uint64_t at_ns, uint64_t until_ns,
		 uint64_t count, bool exact)
{
	if (stream == LOSS_IV_DISCARDED) {
		if (l->run_open && at_ns == l->run_last + SHP_SAMPLE_INTERVAL_NS) {
			l->run_last = at_ns;
			l->run_count += count;
			return;
		}
		close_run(l);
		l->run_open = true;
		l->run_at = l->run_last = at_ns;
		l->run_count = count;
		return;
	}
	close_run(l);
	write_row(l, stream, at_ns, until_ns, count, exact);
}

shp_err losses_finish(struct losses *l)
{
	close_run(l);
	return l->error;
}
