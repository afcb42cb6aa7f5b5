/* pru_model.c - state machine, start/stop timing and IV/util production of the simulated PRUs. */
#include "pru_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "signal_model.h"

#define N_OUT SHP_IV_OUT_SAMPLES_N
#define MAX_BATCH SIM_MAX_BATCH
#define IDLE_POLL_MS 5          /* refill latency of the message box */
#define ARM_LEAD_NS 93750000ull /* kernel hrtimer fires at T - 15/16 * 100 ms */
#define STOP_LAG_NS 6250000ull  /* time_stop takes effect at T + 1/16 * 100 ms */

static const char *const mode_names[] = {"harvester",    "hrv_adc_read", "emulator", "emu_adc_read",
					 "emu_loopback", "debug",        "none",     NULL};

/*
 * The modes each PRU0 firmware acts on. debug and none are in both shepherd builds (the mode
 * none is what both boot into, and node-control.md 2.4 names debug among the modes of the
 * emulator and of the harvester); the programmer builds ignore the mode altogether, so the
 * kernel's write is all that happens (NULL: every mode is taken).
 */
static const char *const emu_modes[] = {"emulator", "emu_adc_read", "emu_loopback",
					"debug",    "none",         NULL};
static const char *const hrv_modes[] = {"harvester", "hrv_adc_read", "debug", "none", NULL};

static const char *const *firmware_modes(enum pru_fw fw)
{
	switch (fw) {
	case PRU_FW_EMU:
		return emu_modes;
	case PRU_FW_HRV:
		return hrv_modes;
	default:
		return NULL;
	}
}

static bool has_mode(const char *const *modes, const char *mode)
{
	if (!modes)
		return true;
	for (int k = 0; modes[k]; k++)
		if (strcmp(modes[k], mode) == 0)
			return true;
	return false;
}

bool sim_pru0_samples(const struct sim_pru *p)
{
	return p->fw0 == PRU_FW_EMU || p->fw0 == PRU_FW_HRV;
}

static const char *state_text(enum shp_pru_state st)
{
	switch (st) {
	case SHP_STATE_IDLE:
		return "idle";
	case SHP_STATE_ARMED:
		return "armed";
	case SHP_STATE_STARTING:
		return "starting";
	case SHP_STATE_RUNNING:
		return "running";
	case SHP_STATE_RESET:
		return "reset";
	case SHP_STATE_FAULT:
		return "fault";
	default:
		return "unknown"; /* the kernel module shows "stopped" as unknown, too */
	}
}

static void set_state(struct sim_pru *p, enum shp_pru_state st)
{
	if (p->verbose && st != p->state)
		fprintf(stderr, "shepherd-pru-sim: state %s -> %s\n", state_text(p->state),
			state_text(st));
	p->state = st;
	sim_sysfs_publish(p->sysfs, "state", state_text(st));
}

static void reject(struct sim_pru *p, const char *file, const char *value, const char *why)
{
	/* on one line, and not all of a converter's 180 numbers */
	char shown[72];
	size_t n = 0;
	for (; value[n] && n + 1 < sizeof(shown); n++)
		shown[n] = value[n] == '\n' ? ' ' : value[n];
	shown[n] = '\0';
	if (value[n])
		memcpy(shown + sizeof(shown) - 4, "...", 4);
	fprintf(stderr, "shepherd-pru-sim: rejected '%s' written to %s: %s\n", shown, file, why);
	sim_msg_box_post(&p->box, SHP_MSG_ERR_INVALID_CMD, 0, 0);
}

/* A reset re-initialises the PRUs: cursors back to zero, message 0xF0, then idle. */
static void pru_reset(struct sim_pru *p)
{
	set_state(p, SHP_STATE_RESET);
	p->cursor = 0;
	p->util_cursor = 0;
	p->inp_cursor = 0;
	p->gpio_cursor = 0;
	p->produced = 0;
	p->stop_ns = 0;
	p->start_s = 0;
	sim_pru0_reinit(p); /* PRU0 passes its reset label: re-reads the settings */
	sim_msg_box_post(&p->box, SHP_MSG_STATUS_RESTARTING_ROUTINE, 0, 0);
	set_state(p, SHP_STATE_IDLE);
}

void sim_programmer_reset(struct sim_pru *p)
{
	/* the programmer model (programmer/ files, programmer_ctrl) puts its defaults here */
	(void)p;
}

/* Every ring's idx_pru "none yet", as a booting PRU0 firmware leaves them. */
static void rings_boot(struct sim_pru *p)
{
	uint8_t *const rings[] = {p->iv_inp, p->iv_out, p->gpio, p->util};
	uint32_t none = SHP_IDX_OUT_OF_BOUND;
	for (int r = 0; r < 4; r++)
		if (rings[r])
			memcpy(rings[r], &none, 4);
}

/*
 * PRU0's firmware boots (node-control.md 1.2 step 4, 1.4): state idle, mode none, aux 0, the
 * ring indices "none yet", cursors back to zero, and message 0xF0, after the kernel has put
 * the settings blocks and the programmer block back to their defaults.
 */
static void pru0_boot(struct sim_pru *p)
{
	set_state(p, SHP_STATE_RESET);
	sim_settings_reset(&p->settings, p->sysfs);
	sim_programmer_reset(p);
	snprintf(p->mode, sizeof(p->mode), "none");
	sim_sysfs_publish(p->sysfs, SHP_SYSFS_MODE, p->mode);
	sim_sysfs_publish(p->sysfs, SHP_SYSFS_AUX_VOLTAGE, "0");
	rings_boot(p);
	p->cursor = p->util_cursor = p->inp_cursor = p->gpio_cursor = 0;
	p->produced = 0;
	p->stop_ns = 0;
	p->start_s = 0;
	sim_pru0_firmware(p); /* the twin's statics back to their initial values */
	sim_pru0_reinit(p);
	sim_msg_box_post(&p->box, SHP_MSG_STATUS_RESTARTING_ROUTINE, 0, 0);
	set_state(p, SHP_STATE_IDLE);
}

bool sim_pru_init(struct sim_pru *p)
{
	if (!p->twin && !sim_pru0_open(p))
		return false;
	p->state = SHP_STATE_UNKNOWN;
	sim_sysfs_publish(p->sysfs, "time_start", "None");
	sim_sysfs_publish(p->sysfs, "time_stop", "None");
	p->box.verbose = p->verbose;
	sim_msg_box_open(&p->box, p->sysfs);
	p->fw0 = PRU_FW_EMU;
	snprintf(p->firmware[0], sizeof(p->firmware[0]), "%s", pru_fw_name(PRU_FW_EMU));
	snprintf(p->firmware[1], sizeof(p->firmware[1]), "%s", pru_fw_name(PRU_FW_PRU1));
	sim_sysfs_publish(p->sysfs, SHP_SYSFS_PRU0_FW, p->firmware[0]);
	sim_sysfs_publish(p->sysfs, SHP_SYSFS_PRU1_FW, p->firmware[1]);
	p->settings.verbose = p->verbose;
	pru0_boot(p); /* as the kernel module's load does: defaults, then the firmware's boot */
	return true;
}

void sim_pru_shutdown(struct sim_pru *p)
{
	if (p->verbose && p->state != SHP_STATE_IDLE)
		fprintf(stderr, "shepherd-pru-sim: PRU0 shut down while %s\n",
			state_text(p->state));
	p->state = SHP_STATE_UNKNOWN;
	p->stop_ns = 0;
	sim_msg_box_close(&p->box);
}

static bool parse_int(const char *text, int64_t *v)
{
	char tail;
	long long x;
	if (sscanf(text, "%lld%c", &x, &tail) != 1)
		return false;
	*v = x;
	return true;
}

static void on_time_start(struct sim_pru *p, const char *text)
{
	int64_t t;
	uint64_t wall = wall_ns();
	char why[128];
	if (p->state != SHP_STATE_IDLE) {
		reject(p, "time_start", text, "busy: state is not idle");
	} else if (!sim_pru0_samples(p)) {
		snprintf(why, sizeof(why),
			 "PRU0 runs the programmer firmware %s, which never samples",
			 p->firmware[0]);
		reject(p, "time_start", text, why);
	} else if (strcmp(text, "now") == 0) {
		/* starts at the next 100 ms boundary */
		p->start_ns = (wall / SHP_SYNC_INTERVAL_NS + 1) * SHP_SYNC_INTERVAL_NS;
		p->start_s = 0;
		set_state(p, SHP_STATE_STARTING);
	} else if (!parse_int(text, &t)) {
		reject(p, "time_start", text, "not an integer number of seconds");
	} else if ((uint64_t)t * SHP_NS_PER_S < wall + SHP_NS_PER_S) {
		reject(p, "time_start", text, "must be at least 1 s in the future");
	} else {
		p->start_s = t;
		p->start_ns = (uint64_t)t * SHP_NS_PER_S;
		set_state(p, SHP_STATE_ARMED);
	}
	sim_sysfs_publish(p->sysfs, "time_start", "None");
}

static void on_time_stop(struct sim_pru *p, const char *text)
{
	int64_t t;
	if (strcmp(text, "now") == 0) {
		if (p->state != SHP_STATE_IDLE)
			pru_reset(p);
	} else if (!parse_int(text, &t) || t <= 0) {
		reject(p, "time_stop", text, "not an integer number of seconds");
	} else if (p->state == SHP_STATE_IDLE) {
		reject(p, "time_stop", text, "busy: nothing to stop while idle");
	} else {
		p->stop_ns = (uint64_t)t * SHP_NS_PER_S;
	}
	sim_sysfs_publish(p->sysfs, "time_stop", "None");
}

static void on_mode(struct sim_pru *p, const char *text)
{
	int k = 0;
	while (mode_names[k] && strcmp(mode_names[k], text) != 0)
		k++;
	char why[128];
	if (!mode_names[k]) {
		reject(p, "mode", text, "unknown mode");
	} else if (p->state != SHP_STATE_IDLE) {
		reject(p, "mode", text, "busy: state is not idle");
	} else if (!has_mode(firmware_modes(p->fw0), mode_names[k])) {
		snprintf(why, sizeof(why), "the loaded PRU0 firmware %s has no mode %s",
			 p->firmware[0], mode_names[k]);
		reject(p, "mode", text, why);
	} else {
		/* shown before the reset's 0xF0, which a reader may act on at once */
		memcpy(p->mode, mode_names[k], strlen(mode_names[k]) + 1);
		sim_sysfs_publish(p->sysfs, "mode", p->mode);
		pru_reset(p);
		return;
	}
	sim_sysfs_publish(p->sysfs, "mode", p->mode);
}

/*
 * A pru0_firmware write, taken only while idle: the kernel picks the firmware by prefix
 * (pru_fw_kernel_pick: anything it does not know is EMU), the file then reads its full name,
 * and the PRU0 boots it after the kernel put the settings and the programmer block back to
 * their defaults (mem_interface_reset).
 */
static void on_pru0_firmware(struct sim_pru *p, const char *text)
{
	if (p->state != SHP_STATE_IDLE) {
		reject(p, SHP_SYSFS_PRU0_FW, text, "-EBUSY: state is not idle");
		sim_sysfs_publish(p->sysfs, SHP_SYSFS_PRU0_FW, p->firmware[0]);
		return;
	}
	p->fw0 = pru_fw_kernel_pick(text);
	snprintf(p->firmware[0], sizeof(p->firmware[0]), "%s", pru_fw_name(p->fw0));
	sim_sysfs_publish(p->sysfs, SHP_SYSFS_PRU0_FW, p->firmware[0]);
	fprintf(stderr, "shepherd-pru-sim: PRU0 firmware %s loaded ('%s' written)\n",
		p->firmware[0], text);
	pru0_boot(p);
}

/*
 * A pru1_firmware write: a text starting with "sync" only gets the kernel's complaint (the sync
 * firmware was removed), anything else reloads the one PRU1 firmware. PRU1's boot resets the
 * settings and programmer blocks as well; PRU0 keeps running, so its mode and aux word stay.
 */
static void on_pru1_firmware(struct sim_pru *p, const char *text)
{
	if (p->state != SHP_STATE_IDLE) {
		reject(p, SHP_SYSFS_PRU1_FW, text, "-EBUSY: state is not idle");
	} else if (strncmp(text, "sync", 4) == 0) {
		fprintf(stderr,
			"shepherd-pru-sim: pru1_firmware '%s': sync-fw was removed, nothing changes\n",
			text);
	} else {
		fprintf(stderr, "shepherd-pru-sim: PRU1 firmware %s reloaded ('%s' written)\n",
			p->firmware[1], text);
		sim_settings_reset(&p->settings, p->sysfs);
		sim_programmer_reset(p);
	}
	sim_sysfs_publish(p->sysfs, SHP_SYSFS_PRU1_FW, p->firmware[1]);
}

/* The other files (gpio mask, aux voltage): stored as written (an aux word resets the PRU, as
 * the kernel does); refused only by a message. */
static void on_setting(struct sim_pru *p, const char *name, const char *text)
{
	char why[160];
	if (sim_settings_owns(name)) {
		if (!sim_settings_write(&p->settings, p->sysfs, name, text,
					p->state == SHP_STATE_IDLE, why, sizeof(why)))
			reject(p, name, text, why);
	} else if (strcmp(name, SHP_SYSFS_PRU0_FW) == 0) {
		on_pru0_firmware(p, text);
	} else if (strcmp(name, SHP_SYSFS_PRU1_FW) == 0) {
		on_pru1_firmware(p, text);
	} else if (p->state != SHP_STATE_IDLE) {
		reject(p, name, text, "busy: state is not idle");
	} else if (strcmp(name, SHP_SYSFS_AUX_VOLTAGE) == 0) {
		pru_reset(p); /* the kernel resets the PRU, whose re-init applies the word */
	}
}

void sim_pru_on_event(void *ctx, enum sim_event_kind kind, const char *name)
{
	struct sim_pru *p = ctx;
	(void)kind;
	if (strcmp(name, SHP_SYSFS_MSG_BOX) == 0)
		return; /* the FIFO: nothing to re-read */
	/* an event that finds the file as the simulator republished it after an earlier event:
	 * that write was handled already */
	if (sim_sysfs_is_own(p->sysfs, name))
		return;
	char text[PRU_SETTINGS_TEXT_MAX];
	if (sim_sysfs_read(p->sysfs, name, text, sizeof(text)) < 0)
		return;
	/* writes in quick succession give one event each, but every event finds the file as the
	 * last write left it: the first one handles that and puts back the read value "None",
	 * which the later ones then find (the kernel module has no such race) */
	bool start_stop = strcmp(name, "time_start") == 0 || strcmp(name, "time_stop") == 0;
	if (start_stop && strcmp(text, "None") == 0)
		return;
	/* empty: a second write of the file has truncated it and not written yet; its own event
	 * follows with the text (the earlier write's text is lost: a kernel module has no such
	 * race, and the sheep repeats what it must not lose) */
	if (text[0] == '\0')
		return;
	if (p->verbose && !sim_settings_owns(name))
		fprintf(stderr, "shepherd-pru-sim: %s <- '%s'\n", name, text);
	if (strcmp(name, "time_start") == 0)
		on_time_start(p, text);
	else if (strcmp(name, "time_stop") == 0)
		on_time_stop(p, text);
	else if (strcmp(name, "mode") == 0)
		on_mode(p, text);
	else if (strcmp(name, "state") == 0)
		set_state(p, p->state); /* not writable on hardware: restore */
	else
		on_setting(p, name, text);
}

/* ---- production -------------------------------------------------------------------------- */

static uint64_t sim_time_ns(const struct sim_pru *p)
{
	uint64_t mono = mono_ns();
	if (mono <= p->mono0)
		return p->start_ns;
	return p->start_ns + (uint64_t)((double)(mono - p->mono0) * p->speed);
}

/* Lock-step: a consumer mark half a ring ahead that is still set means the reader lags. */
static bool reader_lags(const struct sim_pru *p, uint32_t slot)
{
	if (slot % SHP_IV_OUT_MARK_INTERVAL != 0)
		return false;
	uint32_t ahead = (slot + N_OUT / 2) % N_OUT;
	uint64_t ts;
	memcpy(&ts, p->iv_out + SHP_IV_OUT_TS_OFF + (size_t)ahead * 8, 8);
	return ts != 0;
}

static void write_util(struct sim_pru *p, uint64_t window)
{
	uint32_t p0max, p0sum, p0cnt, p1max;
	sim_signal_util(p->seed, window, &p0max, &p0sum, &p0cnt, &p1max);
	uint32_t s = p->util_cursor;
	uint64_t ts = p->start_ns + (window + 1) * SHP_SYNC_INTERVAL_NS;
	memcpy(p->util + SHP_UTIL_TS_OFF + (size_t)s * 8, &ts, 8);
	memcpy(p->util + SHP_UTIL_P0_MAX_OFF + (size_t)s * 4, &p0max, 4);
	memcpy(p->util + SHP_UTIL_P0_SUM_OFF + (size_t)s * 4, &p0sum, 4);
	memcpy(p->util + SHP_UTIL_P0_COUNT_OFF + (size_t)s * 4, &p0cnt, 4);
	memcpy(p->util + SHP_UTIL_P1_MAX_OFF + (size_t)s * 4, &p1max, 4);
	__atomic_store_n((uint32_t *)(void *)(p->util + SHP_UTIL_IDX_OFF), s, __ATOMIC_RELEASE);
	p->util_cursor = (s + 1) % SHP_UTIL_SAMPLES_N;
}

bool sim_pru_emulating(const struct sim_pru *p)
{
	return strncmp(p->mode, "emu", 3) == 0;
}

/* Lock-step: how many of the next count slots may be written before the reader's lag stops. */
static uint32_t writable(const struct sim_pru *p, uint32_t count)
{
	if (!p->lockstep)
		return count;
	for (uint32_t k = 0; k < count; k++)
		if (reader_lags(p, (p->cursor + k) % N_OUT))
			return k;
	return count;
}

/*
 * Writes samples [produced, target) into the IV-out ring, in batches: PRU0's samples first
 * (with the twin's flags in an emulation), then PRU1's GPIO events of the batch's time window,
 * which consult them. Returns false if lock-step blocked.
 */
static bool produce(struct sim_pru *p, uint64_t target)
{
	static uint32_t v[MAX_BATCH], i[MAX_BATCH];
	static uint8_t flags[MAX_BATCH];
	while (p->produced < target) {
		uint64_t left = target - p->produced;
		uint32_t count = writable(p, left > MAX_BATCH ? MAX_BATCH : (uint32_t)left);
		uint64_t ts0 = p->start_ns + (uint64_t)((int64_t)p->produced + p->ts_shift) *
						     SHP_SAMPLE_INTERVAL_NS;
		bool with_flags = false;
		if (count > 0)
			count = sim_pru0_produce(p, ts0, count, v, i, flags, &with_flags);
		sim_pru1_gpio(p, ts0, count, with_flags ? flags : NULL);
		for (uint32_t k = 0; k < count; k++) {
			uint32_t s = p->cursor;
			uint64_t ts = ts0 + (uint64_t)k * SHP_SAMPLE_INTERVAL_NS;
			memcpy(p->iv_out + SHP_IV_OUT_TS_OFF + (size_t)s * 8, &ts, 8);
			memcpy(p->iv_out + SHP_IV_OUT_V_OFF + (size_t)s * 4, &v[k], 4);
			memcpy(p->iv_out + SHP_IV_OUT_I_OFF + (size_t)s * 4, &i[k], 4);
			__atomic_store_n((uint32_t *)(void *)(p->iv_out + SHP_IV_OUT_IDX_OFF), s,
					 __ATOMIC_RELEASE);
			p->cursor = (s + 1) % N_OUT;
			p->produced++;
			if (p->produced % SHP_SAMPLES_PER_SYNC == 0)
				write_util(p, p->produced / SHP_SAMPLES_PER_SYNC - 1);
		}
		if (count == 0)
			return false;
	}
	return true;
}

static void start_running(struct sim_pru *p)
{
	uint64_t wall = wall_ns();
	uint64_t late = wall > p->start_ns ? wall - p->start_ns : 0;
	double speed = p->speed > 0 ? p->speed : 1.0;
	p->mono0 = mono_ns() - (uint64_t)((double)late / speed);
	p->produced = 0;
	char mask[64];
	uint64_t m = 0;
	if (sim_sysfs_read(p->sysfs, "gpio_tracer_mask", mask, sizeof(mask)) >= 0)
		m = strtoull(mask, NULL, 10);
	p->gpio_mask = (uint32_t)m & 0x3FFu; /* PRU1 keeps the ten cape bits */
	p->gpio_next = 0;
	p->gpio_events = 0;
	p->gpio_pins = 0;
	p->stale = p->stale_reported = 0;
	p->ts_shift = 0;
	p->stall_until = 0;
	p->halted = false;
	for (unsigned k = 0; k < p->nfaults; k++)
		p->faults[k].fired = false;
	sim_pru0_start(p);
	set_state(p, SHP_STATE_RUNNING);
}

static const uint32_t canary_offsets[] = {SHP_IV_INP_CANARY_OFF, SHP_IV_OUT_CANARY_OFF,
					  SHP_GPIO_CANARY_OFF, SHP_UTIL_CANARY_OFF};

/* Applies a due fault; false if the run ended with it (a restart). */
static bool fire(struct sim_pru *p, struct sim_fault *f)
{
	f->fired = true;
	fprintf(stderr, "shepherd-pru-sim: fault %s at sample %llu (arg %lld)\n",
		sim_fault_name(f->kind), (unsigned long long)f->at_sample, (long long)f->arg);
	switch (f->kind) {
	case FAULT_CANARY: {
		uint8_t *rings[] = {p->iv_inp, p->iv_out, p->gpio, p->util};
		uint32_t bad = 0x0BADC0DEu;
		memcpy(rings[f->arg] + canary_offsets[f->arg], &bad, 4);
		break;
	}
	case FAULT_JUMP:
		p->ts_shift += f->arg;
		break;
	case FAULT_STALL:
		p->stall_until = mono_ns() + (uint64_t)f->arg * 1000000ull;
		break;
	case FAULT_STOP:
		p->halted = true;
		break;
	case FAULT_RESTART:
		pru_reset(p);
		return false;
	case FAULT_ERROR:
		sim_msg_box_post(&p->box, (uint32_t)f->arg, 0, 0);
		break;
	}
	return true;
}

/* The next unfired fault at or before sample target, if any. */
static struct sim_fault *next_fault(struct sim_pru *p, uint64_t target)
{
	struct sim_fault *best = NULL;
	for (unsigned k = 0; k < p->nfaults; k++) {
		struct sim_fault *f = &p->faults[k];
		if (!f->fired && f->at_sample <= target &&
		    (!best || f->at_sample < best->at_sample))
			best = f;
	}
	return best;
}

static int ms_until(uint64_t now, uint64_t then)
{
	if (then <= now)
		return 0;
	uint64_t ms = (then - now + 999999) / 1000000;
	return ms > IDLE_POLL_MS ? IDLE_POLL_MS : (int)ms;
}

int sim_pru_step(struct sim_pru *p)
{
	sim_msg_box_sync(&p->box);
	uint64_t wall = wall_ns();
	switch (p->state) {
	case SHP_STATE_ARMED:
		if (wall + ARM_LEAD_NS < p->start_ns)
			return ms_until(wall + ARM_LEAD_NS, p->start_ns);
		set_state(p, SHP_STATE_STARTING);
		/* fall through */
	case SHP_STATE_STARTING:
		if (wall < p->start_ns)
			return ms_until(wall, p->start_ns);
		start_running(p);
		/* fall through */
	case SHP_STATE_RUNNING:
	case SHP_STATE_STOPPED: {
		uint64_t t = p->speed > 0 ? sim_time_ns(p)
					  : p->start_ns + (p->produced + MAX_BATCH) *
								  SHP_SAMPLE_INTERVAL_NS;
		uint64_t target =
			t >= p->start_ns ? (t - p->start_ns) / SHP_SAMPLE_INTERVAL_NS + 1 : 0;
		uint64_t last = UINT64_MAX;
		if (p->stop_ns) {
			/* the PRU sees the stop at the next sync boundary: samples up to +100 ms */
			int64_t n = (int64_t)((p->stop_ns + SHP_SYNC_INTERVAL_NS - p->start_ns) /
					      SHP_SAMPLE_INTERVAL_NS) -
				    p->ts_shift;
			last = n > 0 ? (uint64_t)n : 0;
			if (p->state == SHP_STATE_RUNNING && t >= p->stop_ns + STOP_LAG_NS)
				set_state(p, SHP_STATE_STOPPED);
		}
		if (target > last)
			target = last;
		if (p->halted || mono_ns() < p->stall_until)
			return 1;
		struct sim_fault *f = next_fault(p, target);
		if (f && f->at_sample < target)
			target = f->at_sample; /* produce up to the fault, exactly */
		bool flowing = produce(p, target);
		if (f && p->produced >= f->at_sample && !fire(p, f))
			return IDLE_POLL_MS;
		if (p->stop_ns && p->produced >= last) {
			sim_pru0_report_stale(p, true);
			if (p->verbose)
				fprintf(stderr,
					"shepherd-pru-sim: run ended: %llu samples, %llu GPIO "
					"events\n",
					(unsigned long long)p->produced,
					(unsigned long long)p->gpio_events);
			set_state(p, SHP_STATE_IDLE); /* cursors kept, no reset */
			p->stop_ns = 0;
			return IDLE_POLL_MS;
		}
		if (!flowing)
			return 1;
		return p->speed > 0 ? 1 : 0;
	}
	default:
		return IDLE_POLL_MS;
	}
}
