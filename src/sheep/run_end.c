/* run_end.c - the end of a run: stop the PRU, check what was recorded, close the file. */
#include <sys/resource.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/log.h"
#include "common/stop.h"
#include "sheep/pru_control.h"
#include "sheep/run_internal.h"
#include "sheep/run_plan.h"
#include "sheep/status.h"

static shp_err end_checks(struct run *h)
{
	struct stream_gpio_figures gpio = stream_gpio_figures(&h->gpio);
	struct stream_iv_figures iv = stream_iv_figures(&h->iv);
	uint64_t underrun = stream_feed_underrun(&h->feed);
	shp_err result = SHP_OK;
	if (gpio.lost) {
		log_error("%llu GPIO events were lost in %llu gaps (recorded in /losses)",
			  (unsigned long long)gpio.lost, (unsigned long long)gpio.gaps);
		result = SHP_ERR_DATA_LOSS;
	}
	if (underrun) {
		log_error(
			"PRU0 replayed %llu stale input samples: the recording does not show the input there",
			(unsigned long long)underrun);
		result = SHP_ERR_DATA_LOSS;
	}
	if (h->win_start_ns >= h->win_end_ns)
		return result;
	if (iv.written == 0) {
		log_error("no IV samples were recorded");
		return SHP_ERR_DATA_LOSS;
	}
	if (iv.first_ts > h->win_start_ns)
		log_error(
			"recording misses %.5f s after the start (first sample at %llu, wanted %llu)",
			(double)(iv.first_ts - h->win_start_ns) / 1e9,
			(unsigned long long)iv.first_ts, (unsigned long long)h->win_start_ns);
	if (iv.last_ts + SHP_SAMPLE_INTERVAL_NS < h->win_end_ns)
		log_error("recording misses %.5f s before the end (last sample at %llu)",
			  (double)(h->win_end_ns - iv.last_ts - SHP_SAMPLE_INTERVAL_NS) / 1e9,
			  (unsigned long long)iv.last_ts);
	if (iv.lost || iv.discarded || iv.first_ts > h->win_start_ns)
		return SHP_ERR_DATA_LOSS;
	return result;
}

/* The last commit (durability.h); *samples becomes what the file really holds if it fails. */
static shp_err close_output(struct run *h, shp_err e, struct run_result *res, uint64_t *samples)
{
	res->util_rows = h5w_util_rows(h->writer);
	e = run_plan_close_output(&h->durability, h->writer, res->path, e, samples);
	h->writer = NULL;
	if (res->path[0])
		res->file_bytes = fs_file_size(res->path);
	return e;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static void fill_result(const struct run *h, uint64_t samples, struct run_result *res)
{
	struct stream_iv_figures iv = stream_iv_figures(&h->iv);
	struct stream_gpio_figures gpio = stream_gpio_figures(&h->gpio);
	res->samples = samples;
	res->lost = iv.lost;
	res->discarded = iv.discarded;
	res->gpio_events = gpio.events;
	res->gpio_lost = gpio.lost;
	res->uart_bytes = stream_uart_bytes(&h->uart);
	res->input_underrun = stream_feed_underrun(&h->feed);
	res->duration_s = (double)res->samples / SHP_SAMPLE_RATE_SPS;
	res->cpu_s = cpu_seconds();
	res->armed_mono_s = (double)h->armed_mono / 1e9;
	res->first_sample_ms = h->first_sample_ms;
}

shp_err run_finish(struct run *h, shp_err e, struct run_result *res)
{
	status_clear();
	if (h->cape_entered)
		shp_stop_signal = 0; /* the node's teardown must not be cut short by the signal */
	if (h->sysfs.root[0] && (h->writer || h->armed_mono)) {
		shp_stop_signal = 0; /* stopping the PRU must not be cut short by the same signal */
		shp_err stop = pru_stop(&h->sysfs);
		if (e == SHP_OK)
			e = stop;
	}
	run_node_io_off(h); /* emulation: the target's IO off, 2 s before the rest */
	/* the end of durability.h: the IV stream's last chunk, /losses, the monitors, the file */
	shp_err fl = stream_iv_flush(&h->iv, h->writer);
	if (e == SHP_OK)
		e = fl;
	if (e == SHP_OK && h->armed_mono)
		e = end_checks(h);
	shp_err lo = losses_finish(&h->losses);
	if (e == SHP_OK)
		e = lo;
	/* a last look at the canaries while the log still goes into the file */
	if (h->shm.map && (e == SHP_OK || e == SHP_ERR_DATA_LOSS)) {
		shp_err c = shm_check_canaries(&h->shm);
		if (c != SHP_OK)
			e = c;
	}
	monitors_close(&h->monitors);
	uint64_t samples = stream_iv_figures(&h->iv).written;
	if (h->writer)
		e = close_output(h, e, res, &samples);
	/* the recording is safe: now the node goes back to rest */
	shp_err left = run_node_leave(h);
	if (e == SHP_OK)
		e = left;
	if (h->shm.map)
		shm_unmap(&h->shm);
	fill_result(h, samples, res);
	return e;
}
