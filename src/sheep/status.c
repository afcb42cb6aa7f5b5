/* status.c - a single self-overwriting progress line on stderr. */
#include "sheep/status.h"

#include <stdio.h>

#include "common/clock.h"
#include "common/log.h"

#define REDRAW_NS (500 * SHP_NS_PER_MS)

static bool enabled;
static bool shown;
static uint64_t last_draw;

void status_clear(void)
{
	if (shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		shown = false;
	}
}

void status_init(bool enable)
{
	enabled = enable;
	shown = false;
	last_draw = 0;
	shp_log_set_console_hook(enable ? status_clear : NULL);
}

bool status_enabled(void)
{
	return enabled;
}

void status_update(const struct status_figures *f)
{
	if (!enabled)
		return;
	uint64_t now = mono_ns();
	if (shown && now - last_draw < REDRAW_NS)
		return;
	last_draw = now;
	double remaining = f->total_s - f->elapsed_s;
	fprintf(stderr,
		"\r\033[K%7.1f s elapsed, %7.1f s left | %llu samples | %.1f MB | ring %4.1f %% | "
		"lost %llu",
		f->elapsed_s, remaining > 0 ? remaining : 0, (unsigned long long)f->samples,
		(double)f->bytes / 1e6, f->ring_fill * 100.0, (unsigned long long)f->lost);
	fflush(stderr);
	shown = true;
}
