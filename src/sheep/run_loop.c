/*
 * run_loop.c - the poll loop of a run: arm the start, wait for the PRU, then poll every stream
 * until the window is complete, committing the file as durability.h says.
 */
#include <stdbool.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/stop.h"
#include "sheep/pru_control.h"
#include "sheep/run_internal.h"
#include "sheep/status.h"
#include "task/timefmt.h"

#define POLL_MAX_NS (50 * SHP_NS_PER_MS)
#define POLL_MIN_NS (1 * SHP_NS_PER_MS)
#define STALL_NS (5000 * SHP_NS_PER_MS)
#define RUNNING_TIMEOUT_NS (15000 * SHP_NS_PER_MS)
#define PROGRESS_EVERY_NS (10000 * SHP_NS_PER_MS)
#define STATE_CHECK_NS (500 * SHP_NS_PER_MS)
#define GPIO_SETTLE_NS (20 * SHP_NS_PER_MS)

/* One pass over every stream, the input ahead of PRU0 first; *got counts the IV samples read. */
static shp_err poll_streams(struct run *h, uint64_t *got)
{
	if (h->emu)
		SHP_TRY(stream_feed_poll(&h->feed));
	SHP_TRY(stream_gpio_poll(&h->gpio, h->writer));
	SHP_TRY(stream_iv_poll(&h->iv, h->writer, got));
	SHP_TRY(stream_util_poll(&h->util, h->writer));
	SHP_TRY(stream_uart_poll(&h->uart, h->writer));
	return monitors_poll(&h->monitors);
}

static void report_status(struct run *h)
{
	struct stream_iv_figures iv = stream_iv_figures(&h->iv);
	struct status_figures f = {
		.elapsed_s =
			iv.next_ts > h->start_ns ? (double)(iv.next_ts - h->start_ns) / 1e9 : 0,
		.total_s = (double)(h->end_ns - h->start_ns) / 1e9,
		.samples = iv.taken,
		.bytes = h->writer ? h5w_file_size(h->writer) : 0,
		.ring_fill = (double)stream_iv_available(&h->iv) / SHP_IV_OUT_SAMPLES_N,
		.lost = iv.lost,
	};
	status_update(&f);
}

/* Off a terminal: a plain progress line now and then instead of the status line. */
static void log_progress(const struct run *h)
{
	struct stream_iv_figures iv = stream_iv_figures(&h->iv);
	log_info("recorded %.1f of %.1f s, %llu samples, lost %llu",
		 (double)(iv.next_ts - h->start_ns) / 1e9, (double)(h->end_ns - h->start_ns) / 1e9,
		 (unsigned long long)iv.taken, (unsigned long long)iv.lost);
}

static shp_err check_pru(struct run *h)
{
	struct pru_msg_summary sum = {0};
	SHP_TRY(pru_drain_messages(&h->sysfs, 8, 0, &sum));
	if (sum.restarts) {
		log_error(
			"PRU0 restarted during the recording: stopping (the file keeps what was recorded so far)");
		return SHP_ERR_PRU;
	}
	if (sum.errors && h->emu) {
		/* an emulation cannot trust its output after a PRU error (the predecessor stops
		 * too) */
		log_error(
			"stopping the emulation after the PRU error (the file keeps what was recorded so far)");
		return SHP_ERR_PRU;
	}
	/* a ring overrun by something else shows in its canary: look twice a second */
	return shm_check_canaries(&h->shm);
}

static shp_err stalled(struct run *h)
{
	enum shp_pru_state st = SHP_STATE_UNKNOWN;
	sysfs_read_state(&h->sysfs, &st);
	log_error(
		"no IV samples for %.0f s (PRU state '%s'): the PRU stopped producing before the end of the recording",
		STALL_NS / 1e9, shp_state_name(st));
	return SHP_ERR_PRU;
}

static uint64_t poll_interval(uint64_t samples, uint64_t elapsed_ns)
{
	/* wake often enough that the ring never gets past 1/8 full at the observed rate */
	if (samples == 0 || elapsed_ns == 0)
		return POLL_MAX_NS;
	double rate = (double)samples * 1e9 / (double)elapsed_ns;
	double ns = (SHP_IV_OUT_SAMPLES_N / 8.0) / rate * 1e9;
	if (ns > POLL_MAX_NS)
		return POLL_MAX_NS;
	return ns < POLL_MIN_NS ? POLL_MIN_NS : (uint64_t)ns;
}

static shp_err record(struct run *h)
{
	uint64_t t0 = mono_ns();
	uint64_t last_data = t0, last_progress = t0, last_state = t0;
	uint64_t total = 0;
	durability_start(&h->durability, t0);

	while (!stream_iv_done(&h->iv)) {
		if (shp_stop_signal) {
			log_warn("stop requested (signal %d): finishing the file",
				 (int)shp_stop_signal);
			return SHP_ERR_INTERRUPTED;
		}
		uint64_t got;
		SHP_TRY(poll_streams(h, &got));
		uint64_t now = mono_ns();
		if (got && total == 0) {
			h->first_sample_ms = (double)(wall_ns() - h->start_ns) / 1e6;
			log_debug("first samples read %.1f ms after the start second",
				  h->first_sample_ms);
		}
		total += got;
		if (got)
			last_data = now;
		report_status(h);
		if (stream_iv_done(&h->iv))
			break;
		SHP_TRY(durability_commit_if_due(&h->durability, h->writer, now));
		if (!status_enabled() && now - last_progress >= PROGRESS_EVERY_NS) {
			log_progress(h);
			last_progress = now;
		}
		if (now - last_state >= STATE_CHECK_NS) {
			SHP_TRY(check_pru(h));
			last_state = now;
		}
		if (now - last_data >= STALL_NS)
			return stalled(h);
		sleep_ns(poll_interval(total, now - t0));
	}
	/* the end's last polls (durability.h): events stamped before the end may still be on
	 * their way from PRU1 */
	sleep_ns(GPIO_SETTLE_NS);
	SHP_TRY(stream_gpio_poll(&h->gpio, h->writer));
	SHP_TRY(stream_uart_poll(&h->uart, h->writer));
	return stream_iv_flush(&h->iv, h->writer);
}

static bool pru_has_produced(void *ctx)
{
	struct run *h = ctx;
	return stream_iv_available(&h->iv) > 0;
}

shp_err run_recording(struct run *h)
{
	int64_t stop_s = (int64_t)((h->end_ns + SHP_NS_PER_S - 1) / SHP_NS_PER_S);
	char iso[48];
	format_iso_local(h->start_s, iso, sizeof(iso));
	log_info("start at %s, duration %.2f s", iso, (double)(h->end_ns - h->start_ns) / 1e9);
	if (wall_ns() + SHP_NS_PER_S > h->start_ns) {
		log_error("set-up took too long: the start at %s is less than 1 s away now", iso);
		return SHP_ERR_PRU;
	}
	SHP_TRY(pru_arm(&h->sysfs, h->start_s, stop_s));
	h->armed_mono = mono_ns();
	SHP_TRY(pru_wait_running(&h->sysfs, h->start_s, RUNNING_TIMEOUT_NS, pru_has_produced, h));
	log_debug("PRU running");
	return record(h);
}
