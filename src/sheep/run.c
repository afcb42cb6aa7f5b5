/* run.c - a harvest or emulation run: its set-up, then the loop (run_loop.c) and the end
 * (run_end.c). */
#include "sheep/run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "sheep/pru_control.h"
#include "sheep/run_internal.h"
#include "sheep/run_plan.h"
#include "task/timefmt.h"

#define SETUP_MARGIN_S 0.5
/* a start without time_start: the first whole second this far ahead, as the predecessor and
 * shepherd-core document it (herd's own tests rely on it) */
#define HARVEST_LEAD_S 10.0
#define EMULATION_LEAD_S 15.0

/* ---- set-up ------------------------------------------------------------------------------ */

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
		/* from when the run began; the file is created and the rings are readied before
		 * the start is armed, which a short --start-delay must leave time for */
		double lead = h->opt->start_delay_s > 0 ? h->opt->start_delay_s
			      : h->emu                  ? EMULATION_LEAD_S
							: HARVEST_LEAD_S;
		double now = (double)wall_ns() / 1e9;
		h->start_s = (int64_t)ceil(h->begun_s + lead);
		/* the kernel takes a start at least 1 s ahead; the rest of the set-up needs a bit
		 */
		if ((double)h->start_s < now + 1.0 + SETUP_MARGIN_S)
			h->start_s = (int64_t)ceil(now + 1.0 + SETUP_MARGIN_S);
	}
	uint64_t duration_ns;
	if (h->emu) /* the task's duration, capped by the input */
		duration_ns = h->input_samples * SHP_SAMPLE_INTERVAL_NS;
	else
		duration_ns = run_plan_seconds_to_ns(
			h->task->has_duration ? h->task->duration_s : SHP_DURATION_DEFAULT_S);
	struct run_windows w;
	run_plan_windows(h->task, (uint64_t)h->start_s * SHP_NS_PER_S, duration_ns,
			 h->gpio_mask != 0, &w);
	h->start_ns = w.start_ns;
	h->end_ns = w.end_ns;
	h->win_start_ns = w.iv_from;
	h->win_end_ns = w.iv_to;
	h->gpio_win_start = w.gpio_from;
	h->gpio_win_end = w.gpio_to;
	return SHP_OK;
}

static shp_err open_input(struct run *h, struct run_result *res)
{
	uint64_t held;
	SHP_TRY(stream_feed_open(&h->feed, h->task->input_path, &held));
	uint64_t want = run_plan_input_samples(h->task, held);
	h->input_samples = want;
	res->input_samples = want;
	stream_feed_replay(&h->feed, want);
	return SHP_OK;
}

static shp_err open_output(struct run *h, struct run_result *res)
{
	if (!h->task->has_output) {
		log_info("no output_path: the run's data is read and dropped");
		return SHP_OK;
	}
	struct run_output_spec spec = {
		.task = h->task,
		.settings = &h->settings,
		.start_s = h->start_s,
		.shuffle = h->opt->shuffle,
		.gpio = h->gpio_mask != 0,
		.uart = stream_uart_on(&h->uart),
	};
	SHP_TRY(run_plan_create_output(&spec, res->path, sizeof(res->path), &h->writer));
	losses_init(&h->losses, h->writer);
	SHP_TRY(durability_open(&h->durability, h->writer, res->path));
	SHP_TRY(monitors_open(&h->monitors, h->writer, &h->opt->monitors));
	return durability_commit(&h->durability, h->writer);
}

/* The rings are ready and the windows known: every stream gets its ring, window and losses. */
static shp_err open_streams(struct run *h, struct run_result *res)
{
	struct stream_window run = {h->start_ns, h->end_ns, h->start_ns, h->end_ns};
	struct stream_window iv = {h->start_ns, h->end_ns, h->win_start_ns, h->win_end_ns};
	struct stream_window gpio = {h->start_ns, h->end_ns, h->gpio_win_start, h->gpio_win_end};
	if (h->emu)
		SHP_TRY(stream_feed_start(&h->feed, &run, &h->losses));
	bool marks = sysfs_has(&h->sysfs, SHP_SYSFS_SIM_LOCKSTEP);
	stream_iv_open(&h->iv, h->shm.ring[SHP_RING_IV_OUT], &iv, marks, &h->losses);
	if (marks)
		log_info(
			"the simulator runs in lock-step: consumed samples are marked in its ring");
	stream_util_open(&h->util, h->shm.ring[SHP_RING_UTIL], &run);
	stream_gpio_open(&h->gpio, h->shm.ring[SHP_RING_GPIO], &gpio, &h->losses);
	if (h->emu && h->task->uart_logging.present)
		stream_uart_open(&h->uart, h->opt->uart_device, &h->task->uart_logging);
	return open_output(h, res);
}

static shp_err set_up(struct run *h, struct run_result *res)
{
	if (h->emu)
		SHP_TRY(open_input(h, res)); /* a bad input is found before any PRU is touched */
	if (h->task->has_time_start)
		SHP_TRY(check_fixed_start((int64_t)llround(h->task->time_start)));
	SHP_TRY(run_settings_prepare(&h->settings, h->task, h->emu ? &h->feed.input : NULL,
				     h->opt->eeprom_path));
	struct shp_mem_layout layout;
	SHP_TRY(sysfs_open(&h->sysfs, h->opt->sysfs_root));
	SHP_TRY(run_node_enter(h)); /* firmware, cape and front-end (run_node.c) */
	SHP_TRY(shm_discover(&h->sysfs, &layout));
	SHP_TRY(shm_map(&h->shm, h->opt->mem_device, &layout));
	SHP_TRY(pru_reset_to_mode(&h->sysfs, h->emu ? "emulator" : "harvester"));
	SHP_TRY(run_settings_apply(&h->settings, &h->sysfs));
	if (h->emu) {
		SHP_TRY(run_node_route_ports(h));
		/* the aux word re-initialises the PRU once more, as the predecessor's does */
		SHP_TRY(pru_set_aux(&h->sysfs, run_settings_aux_word(&h->settings, h->task)));
	}
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
	if (h->emu)
		SHP_TRY(stream_feed_prefill(&h->feed, h->shm.ring[SHP_RING_IV_INP]));
	SHP_TRY(choose_start(h));
	return open_streams(h, res);
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
	h->begun_s = (double)wall_ns() / 1e9;
	h->gpio_mask = task_gpio_mask(task);
	stream_uart_init(&h->uart);
	durability_init(&h->durability);
	res->emulation = h->emu;
	shp_err e = stream_gpio_init(&h->gpio, h->gpio_mask != 0);
	if (e == SHP_OK && opt->cpu_governor)
		governor_set(opt->cpu_sysfs, opt->cpu_governor, &h->governor);
	if (e == SHP_OK)
		e = set_up(h, res);
	if (e == SHP_OK)
		e = run_recording(h);
	e = run_finish(h, e, res);

	stream_uart_close(&h->uart);
	governor_restore(&h->governor);
	stream_feed_close(&h->feed);
	stream_gpio_close(&h->gpio);
	free(h);
	return e;
}
