/* run.c - set-up, the poll loop and the end checks of a harvest or emulation run. */
#include "sheep/run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/stop.h"
#include "common/time_bounds.h"
#include "h5/h5_reader.h"
#include "sheep/output_path.h"
#include "sheep/pru_control.h"
#include "sheep/run_internal.h"
#include "sheep/status.h"
#include "task/timefmt.h"

/* ---- the poll loop ----------------------------------------------------------------------- */

static void report_status(struct run *h)
{
	uint64_t expected = h->iv.check.expected;
	struct status_figures f = {
		.elapsed_s = expected > h->start_ns ? (double)(expected - h->start_ns) / 1e9 : 0,
		.total_s = (double)(h->end_ns - h->start_ns) / 1e9,
		.samples = h->samples + h->staged,
		.bytes = h->writer ? h5w_file_size(h->writer) : 0,
		.ring_fill = (double)iv_out_available(&h->iv) / SHP_IV_OUT_SAMPLES_N,
		.lost = h->iv.stats.lost,
	};
	status_update(&f);
}

static shp_err check_pru(struct run *h)
{
	struct pru_msg_summary sum = {0};
	SHP_TRY(pru_drain_messages(&h->sysfs, 8, 0, &sum));
	if (sum.restarts) {
		log_error("PRU0 restarted during the recording: stopping (the file keeps what was "
			  "recorded so far)");
		return SHP_ERR_PRU;
	}
	if (sum.errors && h->emu) {
		/* an emulation cannot trust its output after a PRU error (the predecessor stops
		 * too) */
		log_error("stopping the emulation after the PRU error (the file keeps what was "
			  "recorded so far)");
		return SHP_ERR_PRU;
	}
	/* a ring overrun by something else shows in its canary: look twice a second */
	return shm_check_canaries(&h->shm);
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

/* One pass over every source; *got counts the IV samples read. */
static shp_err poll_once(struct run *h, uint64_t *got)
{
	if (h->emu)
		SHP_TRY(run_feed_input(h));
	SHP_TRY(run_take_gpio(h));
	SHP_TRY(run_take_iv(h, got));
	SHP_TRY(run_take_util(h));
	SHP_TRY(run_take_uart(h));
	return monitors_poll(&h->monitors);
}

static shp_err record(struct run *h)
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
		SHP_TRY(poll_once(h, &got));
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
		if (h->writer && now - last_flush >= FLUSH_EVERY_NS) {
			SHP_TRY(h5w_flush(h->writer));
			SHP_TRY(space_guard_check(&h->space, h5w_file_size(h->writer)));
			last_flush = now;
		}
		if (!status_enabled() && now - last_progress >= PROGRESS_EVERY_NS) {
			log_info("recorded %.1f of %.1f s, %llu samples, lost %llu",
				 (double)(h->iv.check.expected - h->start_ns) / 1e9,
				 (double)(h->end_ns - h->start_ns) / 1e9,
				 (unsigned long long)(h->samples + h->staged),
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
	/* events stamped before the end may still be on their way from PRU1 */
	sleep_ns(GPIO_SETTLE_NS);
	SHP_TRY(run_take_gpio(h));
	SHP_TRY(run_take_uart(h));
	return run_flush_staging(h);
}

/* ---- set-up ------------------------------------------------------------------------------ */

/*
 * Task seconds in whole samples. Every value here passed the task's range check, the same
 * conversion cannot refuse it, and start + delay + duration stays below SHP_RUN_NS_MAX, which
 * fits in 64 bits (static assertions in common/time_bounds.h); were one refused all the same,
 * the longest span would stand in: bounded, never wrapped.
 */
static uint64_t seconds_to_ns(double s)
{
	uint64_t ns = SHP_SPAN_MAX_NS;
	(void)shp_seconds_to_ns(s, SHP_SAMPLE_INTERVAL_NS, &ns);
	return ns;
}

/* The window [start + delay, start + delay + duration) inside the run [start, end). */
static void tracing_window(const struct run *h, double delay_s, double duration_s, uint64_t *from,
			   uint64_t *to)
{
	*from = h->start_ns + seconds_to_ns(delay_s);
	*to = h->end_ns;
	if (duration_s >= 0 && *from + seconds_to_ns(duration_s) < *to)
		*to = *from + seconds_to_ns(duration_s);
}

static shp_err check_fixed_start(int64_t start_s)
{
	double now = (double)wall_ns() / 1e9;
	if ((double)start_s >= now + 1.0)
		return SHP_OK;
	char iso[48];
	format_iso_local(start_s, iso, sizeof(iso));
	log_error("time_start %s lies %s: it must be at least 1 s in the future", iso,
		  (double)start_s < now ? "in the past" : "less than 1 s ahead");
	return SHP_ERR_CONFIG;
}

static shp_err choose_start(struct run *h)
{
	if (h->task->has_time_start) {
		h->start_s = (int64_t)llround(h->task->time_start);
		SHP_TRY(check_fixed_start(h->start_s));
	} else {
		/* the file is created and the rings are readied before the start is armed */
		double now = (double)wall_ns() / 1e9;
		h->start_s = (int64_t)ceil(now + h->opt->start_delay_s + SETUP_MARGIN_S);
	}
	uint64_t duration_ns;
	if (h->emu) /* the task's duration, capped by the input */
		duration_ns = h->feed_total * SHP_SAMPLE_INTERVAL_NS;
	else
		duration_ns = seconds_to_ns(h->task->has_duration ? h->task->duration_s
								  : SHP_DURATION_DEFAULT_S);
	h->start_ns = (uint64_t)h->start_s * SHP_NS_PER_S;
	h->end_ns = h->start_ns + duration_ns;
	h->win_start_ns = h->start_ns;
	h->win_end_ns = h->end_ns;
	const struct shp_power_tracing *pt = &h->task->power_tracing;
	if (pt->present) {
		tracing_window(h, pt->delay_s, pt->duration_s, &h->win_start_ns, &h->win_end_ns);
		if (h->win_start_ns >= h->end_ns)
			log_warn("power_tracing.delay reaches past the end of the run: no IV "
				 "samples will be recorded");
	}
	if (h->gpio_mask) {
		const struct shp_gpio_tracing *gt = &h->task->gpio_tracing;
		tracing_window(h, gt->delay_s, gt->duration_s, &h->gpio_win_start,
			       &h->gpio_win_end);
	}
	/* the PRU takes whole seconds and runs 100 ms past them: pad the input that far */
	uint64_t stop_ns = (h->end_ns + SHP_NS_PER_S - 1) / SHP_NS_PER_S * SHP_NS_PER_S;
	h->pad_left = (stop_ns + SHP_SYNC_INTERVAL_NS - h->end_ns) / SHP_SAMPLE_INTERVAL_NS + 1;
	return SHP_OK;
}

static shp_err open_input(struct run *h, struct run_result *res)
{
	SHP_TRY(h5_input_open(h->task->input_path, &h->input));
	h->input_open = true;
	uint64_t want = h->input.samples;
	if (h->task->has_duration) {
		uint64_t d = seconds_to_ns(h->task->duration_s) / SHP_SAMPLE_INTERVAL_NS;
		if (d < want)
			want = d;
		else if (d > want)
			log_info("the input holds %.2f s, less than the task's duration of %.2f s: "
				 "emulating %.2f s",
				 (double)want / SHP_SAMPLE_RATE_SPS, h->task->duration_s,
				 (double)want / SHP_SAMPLE_RATE_SPS);
	}
	h->feed_total = want;
	res->input_samples = want;
	log_info("input %s: %llu samples (%.2f s), replaying %.2f s", h->input.path,
		 (unsigned long long)h->input.samples,
		 (double)h->input.samples / SHP_SAMPLE_RATE_SPS,
		 (double)want / SHP_SAMPLE_RATE_SPS);
	return SHP_OK;
}

static shp_err open_output(struct run *h, struct run_result *res)
{
	if (!h->task->has_output) {
		log_info("no output_path: the run's data is read and dropped");
		return SHP_OK;
	}
	char host[256] = "unknown";
	gethostname(host, sizeof(host) - 1);
	SHP_TRY(output_path_resolve(h->task->output_path, h->emu ? "emu" : "hrv", h->start_s,
				    h->task->force_overwrite, res->path, sizeof(res->path)));
	char *config = task_to_yaml(h->task, h->start_s);
	if (!config)
		return SHP_ERR_NOMEM;
	if (!h->task->use_cal_default)
		log_warn("this sheep does not read the cape EEPROM yet: using the default %s "
			 "calibration",
			 h->emu ? "emulator" : "harvester");
	struct h5w_info info = {
		.mode = h->emu ? "emulator" : "harvester",
		.hostname = host,
		.config_yaml = config,
		.datatype = h->emu ? "ivtrace" : h->task->virtual_harvester.datatype,
		.window_samples = 0,
		.voltage = {h->emu ? DAC_VOLTAGE_GAIN : HRV_VOLTAGE_GAIN, 0.0},
		.current = {ADC_CURRENT_GAIN, 0.0},
		.compression = h->task->compression,
		.shuffle = h->opt->shuffle,
		.gpio = h->gpio_mask != 0,
		.uart = h->uart.fd >= 0,
		.overwrite = h->task->force_overwrite,
	};
	shp_err e = h5w_create(res->path, &info, &h->writer);
	free(config);
	if (e != SHP_OK) {
		res->path[0] = '\0';
		return e;
	}
	log_info("recording to %s (%s%s)", res->path, shp_compression_name(info.compression),
		 info.shuffle && info.compression != SHP_COMP_NONE ? " with shuffle" : "");
	losses_init(&h->losses, h->writer);
	space_guard_open(&h->space, res->path, space_guard_reserve_from_env());
	SHP_TRY(space_guard_check(&h->space, h5w_file_size(h->writer)));
	return monitors_open(&h->monitors, h->writer, &h->opt->monitors);
}

static shp_err write_aux_voltage(struct run *h)
{
	uint32_t raw;
	switch (h->task->aux_kind) {
	case SHP_AUX_MAIN:
		raw = AUX_MAIN_BIT;
		break;
	case SHP_AUX_BUFFER:
		raw = AUX_BUFFER_BIT;
		break;
	default:
		raw = (uint32_t)lround(h->task->voltage_aux / DAC_VOLTAGE_GAIN);
		if (raw > 0xFFFF)
			raw = 0xFFFF;
		break;
	}
	return sysfs_write_u64(&h->sysfs, SHP_SYSFS_AUX_VOLTAGE, raw);
}

static shp_err set_up(struct run *h, struct run_result *res)
{
	if (h->emu)
		SHP_TRY(open_input(h, res)); /* a bad input is found before any PRU is touched */
	if (h->task->has_time_start)
		SHP_TRY(check_fixed_start((int64_t)llround(h->task->time_start)));
	struct shp_mem_layout layout;
	SHP_TRY(sysfs_open(&h->sysfs, h->opt->sysfs_root));
	SHP_TRY(shm_discover(&h->sysfs, &layout));
	SHP_TRY(shm_map(&h->shm, h->opt->mem_device, &layout));
	SHP_TRY(pru_reset_to_mode(&h->sysfs, h->emu ? "emulator" : "harvester"));
	if (h->emu)
		SHP_TRY(write_aux_voltage(h));
	SHP_TRY(sysfs_write_u64(&h->sysfs, SHP_SYSFS_GPIO_MASK, h->gpio_mask));
	struct pru_msg_summary sum = {0};
	/* the reset's 0xF0 and older news, which must not be taken for events of this run */
	SHP_TRY(pru_drain_messages(&h->sysfs, 128, 20 * SHP_NS_PER_MS, &sum));
	unsigned rings = SHM_RING_BIT(SHP_RING_IV_OUT) | SHM_RING_BIT(SHP_RING_UTIL);
	if (h->emu)
		rings |= SHM_RING_BIT(SHP_RING_IV_INP);
	if (h->gpio_mask)
		rings |= SHM_RING_BIT(SHP_RING_GPIO);
	shm_init_rings(&h->shm, rings);
	if (h->emu) {
		iv_in_writer_init(&h->feed, h->shm.ring[SHP_RING_IV_INP]);
		h->pad_left = 0;
		SHP_TRY(run_feed_input(h)); /* pre-fill: ~10.5 s of input before the start */
		log_debug("input ring pre-filled with %llu samples",
			  (unsigned long long)h->feed.written);
	}
	SHP_TRY(choose_start(h));
	if (h->emu)
		SHP_TRY(run_feed_input(h)); /* the zeros after a short input's end */
	iv_out_reader_init(&h->iv, h->shm.ring[SHP_RING_IV_OUT], h->start_ns, run_on_anomaly, h);
	h->iv.marks = sysfs_has(&h->sysfs, SHP_SYSFS_SIM_LOCKSTEP);
	if (h->iv.marks)
		log_info(
			"the simulator runs in lock-step: consumed samples are marked in its ring");
	util_reader_init(&h->util, h->shm.ring[SHP_RING_UTIL]);
	gpio_reader_init(&h->gpio, h->shm.ring[SHP_RING_GPIO], run_on_gpio_gap, h);
	if (h->emu && h->task->uart_logging.present)
		uart_open(&h->uart, h->opt->uart_device, &h->task->uart_logging);
	return open_output(h, res);
}

static bool pru_has_produced(void *ctx)
{
	struct run *h = ctx;
	return iv_out_available(&h->iv) > 0;
}

static shp_err run_recording(struct run *h)
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

static shp_err end_checks(struct run *h)
{
	shp_err result = SHP_OK;
	if (h->gpio.stats.lost) {
		log_error("%llu GPIO events were lost in %llu gaps (recorded in /losses)",
			  (unsigned long long)h->gpio.stats.lost,
			  (unsigned long long)h->gpio.stats.gaps);
		result = SHP_ERR_DATA_LOSS;
	}
	if (h->feed.underrun) {
		log_error("PRU0 replayed %llu stale input samples: the recording does not show "
			  "the input there",
			  (unsigned long long)h->feed.underrun);
		result = SHP_ERR_DATA_LOSS;
	}
	if (h->win_start_ns >= h->win_end_ns)
		return result;
	if (h->samples == 0) {
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
	return result;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

/* Stops the PRU, completes and closes the file, checks the canaries; returns the run's result. */
static shp_err finish(struct run *h, shp_err e, struct run_result *res)
{
	status_clear();
	if (h->sysfs.root[0] && (h->writer || h->armed_mono)) {
		shp_stop_signal = 0; /* stopping the PRU must not be cut short by the same signal */
		shp_err stop = pru_stop(&h->sysfs);
		if (e == SHP_OK)
			e = stop;
	}
	shp_err fl = run_flush_staging(h);
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
	if (h->writer) {
		res->util_rows = h5w_util_rows(h->writer);
		shp_err cl = h5w_close(h->writer);
		h->writer = NULL;
		space_guard_close(&h->space);
		if (cl != SHP_OK && res->path[0]) {
			/* what the file really holds: the state of its last flush */
			uint64_t rows = 0;
			if (h5r_dataset_rows(res->path, "/data/time", &rows) == SHP_OK)
				log_error("%s keeps %llu samples (%.2f s), readable", res->path,
					  (unsigned long long)rows,
					  (double)rows / SHP_SAMPLE_RATE_SPS);
			h->samples = rows;
		}
		if (e == SHP_OK || e == SHP_ERR_DATA_LOSS)
			e = cl != SHP_OK ? cl : e;
		if (h->samples == 0 && e != SHP_OK && e != SHP_ERR_DATA_LOSS) {
			/* nothing recorded: leave no half-made file behind */
			unlink(res->path);
			log_info("removed %s: nothing was recorded", res->path);
			res->path[0] = '\0';
		}
		if (res->path[0])
			res->file_bytes = fs_file_size(res->path);
	}
	if (h->shm.map)
		shm_unmap(&h->shm);
	return e;
}

shp_err sheep_run(const struct shp_task *task, const struct run_options *opt,
		  struct run_result *res)
{
	memset(res, 0, sizeof(*res));
	struct run *h = calloc(1, sizeof(*h));
	if (!h)
		return SHP_ERR_NOMEM;
	h->task = task;
	h->opt = opt;
	h->emu = task->kind == SHP_TASK_EMULATION;
	h->gpio_mask = task_gpio_mask(task);
	h->uart.fd = -1;
	h->space.fd = -1;
	res->emulation = h->emu;
	shp_err e = SHP_OK;
	if (h->gpio_mask) {
		h->gpio_ts = malloc(GPIO_BATCH * sizeof(*h->gpio_ts));
		h->gpio_val = malloc(GPIO_BATCH * sizeof(*h->gpio_val));
		if (!h->gpio_ts || !h->gpio_val)
			e = SHP_ERR_NOMEM;
	}
	if (e == SHP_OK && opt->cpu_governor)
		governor_set(opt->cpu_sysfs, opt->cpu_governor, &h->governor);
	if (e == SHP_OK)
		e = set_up(h, res);
	if (e == SHP_OK)
		e = run_recording(h);
	e = finish(h, e, res);

	res->samples = h->samples;
	res->lost = h->iv.stats.lost;
	res->discarded = h->iv.stats.discarded;
	res->gpio_events = h->gpio_events;
	res->gpio_lost = h->gpio.stats.lost;
	res->uart_bytes = h->uart.bytes;
	res->input_underrun = h->feed.underrun;
	res->duration_s = (double)res->samples / SHP_SAMPLE_RATE_SPS;
	res->cpu_s = cpu_seconds();
	res->armed_mono_s = (double)h->armed_mono / 1e9;
	res->first_sample_ms = h->first_sample_ms;
	uart_close(&h->uart);
	governor_restore(&h->governor);
	if (h->input_open)
		h5_input_close(&h->input);
	free(h->gpio_ts);
	free(h->gpio_val);
	free(h);
	return e;
}
