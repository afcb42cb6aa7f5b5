/* harvest.c - set-up, the poll loop and the end checks of a harvest recording. */
#include "sheep/harvest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/stop.h"
#include "h5/h5_writer.h"
#include "pru/iv_out_ring.h"
#include "pru/shared_mem.h"
#include "pru/util_ring.h"
#include "sheep/output_path.h"
#include "sheep/pru_control.h"
#include "sheep/status.h"
#include "task/timefmt.h"

#define CHUNK SHP_H5_CHUNK_SAMPLES
#define POLL_MAX_NS (50 * SHP_NS_PER_MS)
#define POLL_MIN_NS (1 * SHP_NS_PER_MS)
#define STALL_NS (5000 * SHP_NS_PER_MS)
#define RUNNING_TIMEOUT_NS (15000 * SHP_NS_PER_MS)
#define FLUSH_EVERY_NS (5000 * SHP_NS_PER_MS)
#define PROGRESS_EVERY_NS (10000 * SHP_NS_PER_MS)
#define STATE_CHECK_NS (500 * SHP_NS_PER_MS)
#define MAX_LOGGED_ANOMALIES 20
#define UTIL_BATCH 64
#define SETUP_MARGIN_S 0.5

/* Default harvester calibration of the cape v2.4c model (file-format.md 4). */
#define HRV_VOLTAGE_GAIN (1.0 / 51200.0)
#define HRV_CURRENT_GAIN (1.0 / 4915200.0)

struct harvest {
	const struct shp_harvest_task *task;
	const struct run_options *opt;
	struct shp_sysfs sysfs;
	struct shp_shm shm;
	h5w_t *writer;
	struct iv_out_reader iv;
	struct util_reader util;

	int64_t start_s;
	uint64_t start_ns, end_ns;         /* run window [start, end) */
	uint64_t win_start_ns, win_end_ns; /* power_tracing window inside it */
	uint64_t first_ts, last_ts;        /* first and last sample written */
	unsigned anomalies;
	uint64_t armed_mono;
	double first_sample_ms;

	uint32_t staged;
	uint64_t ts[CHUNK];
	uint32_t v[CHUNK];
	uint32_t i[CHUNK];
};

static void on_anomaly(void *ctx, enum iv_anomaly kind, uint64_t expected, uint64_t found,
		       uint64_t samples)
{
	struct harvest *h = ctx;
	if (++h->anomalies > MAX_LOGGED_ANOMALIES) {
		if (h->anomalies == MAX_LOGGED_ANOMALIES + 1)
			log_error("further IV stream anomalies are counted but not logged one by "
				  "one");
		return;
	}
	double at = (double)(expected - h->start_ns) / 1e9;
	switch (kind) {
	case IV_ANOMALY_GAP:
		log_error(
			"IV samples lost: %llu missing at %.5f s into the run (expected timestamp "
			"%llu, found %llu)",
			(unsigned long long)samples, at, (unsigned long long)expected,
			(unsigned long long)found);
		break;
	case IV_ANOMALY_BACKWARDS:
		log_error("IV sample dropped: timestamp %llu repeats or goes back (expected %llu)",
			  (unsigned long long)found, (unsigned long long)expected);
		break;
	case IV_ANOMALY_OVERRUN:
		log_error("IV ring overrun at %.5f s into the run: PRU0 overwrote %llu unread "
			  "samples "
			  "while they were copied; resynchronising",
			  at, (unsigned long long)samples);
		break;
	}
}

static shp_err flush_staging(struct harvest *h)
{
	if (h->staged == 0)
		return SHP_OK;
	SHP_TRY(h5w_append_iv(h->writer, h->ts, h->v, h->i, h->staged));
	if (h->first_ts == 0)
		h->first_ts = h->ts[0];
	h->last_ts = h->ts[h->staged - 1];
	h->staged = 0;
	return SHP_OK;
}

/* Keeps the samples of the new block [from, from+n) that lie in the tracing window. */
static uint32_t window_filter(struct harvest *h, uint32_t from, uint32_t n)
{
	/* the reader delivers rising timestamps: inside at both ends means inside throughout */
	if (n == 0 || (h->ts[from] >= h->win_start_ns && h->ts[from + n - 1] < h->win_end_ns))
		return n;
	uint32_t out = from;
	for (uint32_t k = from; k < from + n; k++) {
		uint64_t t = h->ts[k];
		if (t < h->win_start_ns || t >= h->win_end_ns)
			continue;
		h->ts[out] = t;
		h->v[out] = h->v[k];
		h->i[out] = h->i[k];
		out++;
	}
	return out - from;
}

/* Takes everything available from the IV ring into the staging chunk, writing full chunks. */
static shp_err take_iv(struct harvest *h, uint64_t *got)
{
	*got = 0;
	for (;;) {
		uint32_t cap = CHUNK - h->staged;
		uint32_t n;
		SHP_TRY(iv_out_read(&h->iv, h->ts + h->staged, h->v + h->staged, h->i + h->staged,
				    cap, &n));
		*got += n;
		h->staged += window_filter(h, h->staged, n);
		if (h->staged == CHUNK)
			SHP_TRY(flush_staging(h));
		if (n < cap || h->iv.check.expected >= h->end_ns)
			return SHP_OK;
	}
}

static shp_err take_util(struct harvest *h)
{
	struct util_row rows[UTIL_BATCH];
	uint32_t n;
	while ((n = util_read(&h->util, rows, UTIL_BATCH)) > 0) {
		for (uint32_t k = 0; k < n; k++)
			if (rows[k].ts > h->start_ns && rows[k].ts <= h->end_ns)
				SHP_TRY(h5w_append_util(h->writer, rows[k].ts, rows[k].values));
		if (n < UTIL_BATCH)
			break;
	}
	return SHP_OK;
}

static void report_status(struct harvest *h)
{
	uint64_t expected = h->iv.check.expected;
	struct status_figures f = {
		.elapsed_s = expected > h->start_ns ? (double)(expected - h->start_ns) / 1e9 : 0,
		.total_s = (double)(h->end_ns - h->start_ns) / 1e9,
		.samples = h5w_iv_samples(h->writer) + h->staged,
		.bytes = h5w_file_size(h->writer),
		.ring_fill = (double)iv_out_available(&h->iv) / SHP_IV_OUT_SAMPLES_N,
		.lost = h->iv.stats.lost,
	};
	status_update(&f);
}

static shp_err check_pru(struct harvest *h)
{
	struct pru_msg_summary sum = {0};
	SHP_TRY(pru_drain_messages(&h->sysfs, 8, 0, &sum));
	if (sum.restarts) {
		log_error("PRU0 restarted during the recording: stopping (the file keeps what was "
			  "recorded so far)");
		return SHP_ERR_PRU;
	}
	return SHP_OK;
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

static shp_err record(struct harvest *h)
{
	uint64_t t0 = mono_ns();
	uint64_t last_data = t0, last_flush = t0, last_progress = t0, last_state = t0;
	uint64_t total = 0;
	bool first_logged = false;

	while (h->iv.check.expected < h->end_ns) {
		if (shp_stop_signal) {
			log_warn("stop requested (signal %d): finishing the file",
				 (int)shp_stop_signal);
			return SHP_ERR_INTERRUPTED;
		}
		uint64_t got;
		SHP_TRY(take_iv(h, &got));
		SHP_TRY(take_util(h));
		uint64_t now = mono_ns();
		total += got;
		if (got) {
			last_data = now;
			if (!first_logged) {
				h->first_sample_ms = (double)(wall_ns() - h->start_ns) / 1e6;
				log_debug("first samples read %.1f ms after the start second",
					  h->first_sample_ms);
				first_logged = true;
			}
		}
		report_status(h);
		if (h->iv.check.expected >= h->end_ns)
			break;
		if (now - last_flush >= FLUSH_EVERY_NS) {
			SHP_TRY(h5w_flush(h->writer));
			last_flush = now;
		}
		if (!status_enabled() && now - last_progress >= PROGRESS_EVERY_NS) {
			log_info("recorded %.1f of %.1f s, %llu samples, lost %llu",
				 (double)(h->iv.check.expected - h->start_ns) / 1e9,
				 (double)(h->end_ns - h->start_ns) / 1e9,
				 (unsigned long long)(h5w_iv_samples(h->writer) + h->staged),
				 (unsigned long long)h->iv.stats.lost);
			last_progress = now;
		}
		if (now - last_state >= STATE_CHECK_NS) {
			SHP_TRY(check_pru(h));
			last_state = now;
		}
		if (now - last_data >= STALL_NS) {
			enum shp_pru_state st = SHP_STATE_UNKNOWN;
			sysfs_read_state(&h->sysfs, &st);
			log_error("no IV samples for %.0f s (PRU state '%s'): the PRU stopped "
				  "producing "
				  "before the end of the recording",
				  STALL_NS / 1e9, shp_state_name(st));
			return SHP_ERR_PRU;
		}
		sleep_ns(poll_interval(total, now - t0));
	}
	return flush_staging(h);
}

static shp_err choose_start(struct harvest *h)
{
	double now = (double)wall_ns() / 1e9;
	if (h->task->has_time_start) {
		h->start_s = (int64_t)llround(h->task->time_start);
		if ((double)h->start_s < now + 1.0) {
			char iso[48];
			format_iso_local(h->start_s, iso, sizeof(iso));
			log_error("time_start %s lies %s: it must be at least 1 s in the future",
				  iso,
				  (double)h->start_s < now ? "in the past" : "less than 1 s ahead");
			return SHP_ERR_CONFIG;
		}
	} else {
		/* set-up (zeroing the rings, creating the file) happens before the start is armed
		 */
		h->start_s = (int64_t)ceil(now + h->opt->start_delay_s + SETUP_MARGIN_S);
	}
	double duration = h->task->has_duration ? h->task->duration_s : SHP_DURATION_DEFAULT_S;
	uint64_t duration_ns = (uint64_t)llround(duration * 1e5) * SHP_SAMPLE_INTERVAL_NS;
	h->start_ns = (uint64_t)h->start_s * SHP_NS_PER_S;
	h->end_ns = h->start_ns + duration_ns;
	h->win_start_ns = h->start_ns;
	h->win_end_ns = h->end_ns;
	const struct shp_power_tracing *pt = &h->task->power_tracing;
	if (pt->present) {
		uint64_t delay = (uint64_t)llround(pt->delay_s * 1e5) * SHP_SAMPLE_INTERVAL_NS;
		h->win_start_ns = h->start_ns + delay;
		if (pt->duration_s >= 0) {
			uint64_t d =
				(uint64_t)llround(pt->duration_s * 1e5) * SHP_SAMPLE_INTERVAL_NS;
			if (h->win_start_ns + d < h->win_end_ns)
				h->win_end_ns = h->win_start_ns + d;
		}
		if (h->win_start_ns >= h->end_ns)
			log_warn("power_tracing.delay reaches past the end of the run: no IV "
				 "samples will "
				 "be recorded");
	}
	return SHP_OK;
}

static shp_err open_output(struct harvest *h, struct run_result *res)
{
	char host[256] = "unknown";
	gethostname(host, sizeof(host) - 1);
	SHP_TRY(output_path_resolve(h->task->output_path, "hrv", h->start_s,
				    h->task->force_overwrite, res->path, sizeof(res->path)));
	char *config = NULL;
	struct shp_task wrapper = {.kind = SHP_TASK_HARVEST, .harvest = *h->task};
	config = task_to_yaml(&wrapper, h->start_s);
	if (!config)
		return SHP_ERR_NOMEM;
	if (!h->task->use_cal_default)
		log_warn(
			"this sheep does not read the cape EEPROM yet: using the default harvester "
			"calibration");
	struct h5w_info info = {
		.mode = "harvester",
		.hostname = host,
		.config_yaml = config,
		.datatype = h->task->virtual_harvester.datatype,
		.window_samples = 0,
		.voltage = {HRV_VOLTAGE_GAIN, 0.0},
		.current = {HRV_CURRENT_GAIN, 0.0},
		.compression = h->task->compression,
		.shuffle = h->opt->shuffle,
		.overwrite = h->task->force_overwrite,
	};
	shp_err e = h5w_create(res->path, &info, &h->writer);
	free(config);
	if (e == SHP_OK)
		log_info("recording to %s (%s%s)", res->path,
			 shp_compression_name(info.compression),
			 info.shuffle && info.compression != SHP_COMP_NONE ? " with shuffle" : "");
	return e;
}

static shp_err set_up(struct harvest *h, struct run_result *res)
{
	struct shp_mem_layout layout;
	SHP_TRY(sysfs_open(&h->sysfs, h->opt->sysfs_root));
	SHP_TRY(shm_discover(&h->sysfs, &layout));
	SHP_TRY(shm_map(&h->shm, h->opt->mem_device, &layout));
	SHP_TRY(choose_start(h));
	SHP_TRY(pru_reset_to_mode(&h->sysfs, "harvester"));
	SHP_TRY(sysfs_write_u64(&h->sysfs, SHP_SYSFS_GPIO_MASK, 0)); /* no GPIO in harvest mode */
	struct pru_msg_summary sum = {0};
	/* the reset's 0xF0 and older news, which must not be taken for events of this run */
	SHP_TRY(pru_drain_messages(&h->sysfs, 128, 20 * SHP_NS_PER_MS, &sum));
	shm_init_rings(&h->shm, SHM_RING_BIT(SHP_RING_IV_OUT) | SHM_RING_BIT(SHP_RING_UTIL));
	iv_out_reader_init(&h->iv, h->shm.ring[SHP_RING_IV_OUT], h->start_ns, on_anomaly, h);
	util_reader_init(&h->util, h->shm.ring[SHP_RING_UTIL]);
	return open_output(h, res);
}

static bool pru_has_produced(void *ctx)
{
	struct harvest *h = ctx;
	return iv_out_available(&h->iv) > 0;
}

static shp_err run_recording(struct harvest *h)
{
	int64_t stop_s = (int64_t)((h->end_ns + SHP_NS_PER_S - 1) / SHP_NS_PER_S);
	char iso[48];
	format_iso_local(h->start_s, iso, sizeof(iso));
	log_info("start at %s, duration %.1f s", iso, (double)(h->end_ns - h->start_ns) / 1e9);
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

static shp_err end_checks(struct harvest *h)
{
	uint64_t written = h5w_iv_samples(h->writer);
	if (h->win_start_ns >= h->win_end_ns)
		return SHP_OK;
	if (written == 0) {
		log_error("no IV samples were recorded");
		return SHP_ERR_DATA_LOSS;
	}
	if (h->first_ts > h->win_start_ns)
		log_error("recording misses %.5f s after the start (first sample at %llu, wanted "
			  "%llu)",
			  (double)(h->first_ts - h->win_start_ns) / 1e9,
			  (unsigned long long)h->first_ts, (unsigned long long)h->win_start_ns);
	if (h->last_ts + SHP_SAMPLE_INTERVAL_NS < h->win_end_ns)
		log_error("recording misses %.5f s before the end (last sample at %llu)",
			  (double)(h->win_end_ns - h->last_ts - SHP_SAMPLE_INTERVAL_NS) / 1e9,
			  (unsigned long long)h->last_ts);
	if (h->iv.stats.lost || h->iv.stats.discarded || h->first_ts > h->win_start_ns)
		return SHP_ERR_DATA_LOSS;
	return SHP_OK;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

shp_err harvest_run(const struct shp_task *task, const struct run_options *opt,
		    struct run_result *res)
{
	memset(res, 0, sizeof(*res));
	struct harvest *h = calloc(1, sizeof(*h));
	if (!h)
		return SHP_ERR_NOMEM;
	h->task = &task->harvest;
	h->opt = opt;

	shp_err e = set_up(h, res);
	if (e == SHP_OK)
		e = run_recording(h);

	status_clear();
	if (h->sysfs.root[0] && h->writer) {
		shp_stop_signal = 0; /* stopping the PRU must not be cut short by the same signal */
		shp_err stop = pru_stop(&h->sysfs);
		if (e == SHP_OK)
			e = stop;
	}
	if (h->writer) {
		shp_err fl = flush_staging(h);
		shp_err chk = (e == SHP_OK && fl == SHP_OK) ? end_checks(h) : SHP_OK;
		res->samples = h5w_iv_samples(h->writer);
		res->util_rows = h5w_util_rows(h->writer);
		shp_err cl = h5w_close(h->writer);
		if (e == SHP_OK)
			e = fl != SHP_OK ? fl : cl != SHP_OK ? cl : chk;
		if (res->samples == 0 && e != SHP_OK && e != SHP_ERR_DATA_LOSS) {
			/* nothing recorded: leave no half-made file behind */
			unlink(res->path);
			log_info("removed %s: nothing was recorded", res->path);
			res->path[0] = '\0';
		}
		if (res->path[0]) {
			FILE *f = fopen(res->path, "rb");
			if (f) {
				fseek(f, 0, SEEK_END);
				res->file_bytes = (uint64_t)ftell(f);
				fclose(f);
			}
		}
	}
	if (h->shm.map) {
		shp_err c = shm_check_canaries(&h->shm);
		if (e == SHP_OK)
			e = c;
		shm_unmap(&h->shm);
	}
	res->lost = h->iv.stats.lost;
	res->discarded = h->iv.stats.discarded;
	res->duration_s = (double)res->samples / SHP_SAMPLE_RATE_SPS;
	res->cpu_s = cpu_seconds();
	res->armed_mono_s = (double)h->armed_mono / 1e9;
	res->first_sample_ms = h->first_sample_ms;
	free(h);
	return e;
}
