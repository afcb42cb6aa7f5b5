/*
 * prog_attempt.c - one programming attempt (node-control.md 3.4): the debug session, the port
 * on the aux rail, PRU0 swapped to the programmer, the image into the IV-input region, the
 * programmer/ files, the state polled, then the restore steps whatever happened.
 *
 * Unlike the predecessor, a timeout or a failed firmware load ends the attempt with a message
 * instead of the whole sheep, the restore steps still run, and a run that stays initializing or
 * running longer than prog_timeout_s() is stopped.
 */
#include "prog/prog_attempt.h"

#include <signal.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/stop.h"
#include "node/node_env.h"
#include "node/pru_firmware.h"
#include "prog/prog_image.h"
#include "sheep/pru_control.h"

#define POLL_S 1.0          /* the predecessor's poll interval */
#define POLL_MIN_S 0.1      /* ... under SHEPHERD_SETTLE_SCALE: the simulator reacts within ms */
#define DRAIN_EMPTY_S 0.1   /* between two empty reads of the message box */
#define DRAIN_MAX 256u      /* messages one drain logs at most */
#define NOT_STARTED_MAX 10u /* polls that still show "starting" */

static const char *const ctrl_files[2 + PROG_PIN_COUNT] = {
	PROG_SYSFS_TARGET,       PROG_SYSFS_DATARATE, PROG_SYSFS_PIN_TCK, PROG_SYSFS_PIN_TDIO,
	PROG_SYSFS_PIN_DIR_TDIO, PROG_SYSFS_PIN_TDO,  PROG_SYSFS_PIN_TMS, PROG_SYSFS_PIN_DIR_TMS};

/* sleeps seconds (no settle scale), SHP_ERR_INTERRUPTED at a stop signal */
static shp_err nap(double seconds)
{
	uint64_t end = mono_ns() + (uint64_t)(seconds * 1e9);
	while (mono_ns() < end) {
		if (shp_stop_signal)
			return SHP_ERR_INTERRUPTED;
		struct timespec ts = {0, 10000000};
		nanosleep(&ts, NULL);
	}
	return shp_stop_signal ? SHP_ERR_INTERRUPTED : SHP_OK;
}

/* The predecessor's drain: log messages until `empties` empty reads in a row (at most
 * DRAIN_MAX messages, so that a box that never runs dry cannot hold the attempt forever). */
static void drain(const struct shp_sysfs *s, int empties)
{
	unsigned got_n = 0;
	for (int empty = 0; empty < empties && got_n < DRAIN_MAX;) {
		struct shp_pru_msg m;
		bool got = false;
		if (sysfs_read_msg(s, &m, &got) != SHP_OK)
			return;
		if (!got) {
			empty++;
			if (nap(DRAIN_EMPTY_S) != SHP_OK)
				return;
			continue;
		}
		char text[160];
		int level;
		prog_msg_text(&m, text, sizeof(text), &level);
		shp_log(level, "%s", text);
		empty = 0;
		got_n++;
	}
}

static shp_err read_pstate(const struct shp_sysfs *s, char *buf, size_t len)
{
	shp_err e = sysfs_read(s, PROG_SYSFS_STATE, buf, len);
	if (e != SHP_OK)
		log_error("OSError - cannot read %s", PROG_SYSFS_STATE);
	return e;
}

/* Step 10: the image into shared memory, datasize, the control files, start. */
static shp_err configure(struct debug_session *d, const struct prog_job *job, uint32_t rate)
{
	struct prog_ctrl c;
	char why[160];
	snprintf(c.target, sizeof(c.target), "%s", job->task->simulate ? "dummy" : job->target);
	c.datarate = rate;
	prog_pins_of(job->task->mcu_port, c.pin);
	uint8_t *inp = d->shm.ring[SHP_RING_IV_INP];
	memcpy(inp, job->image, job->image_len);
	inp[job->image_len] = 0; /* the end of the text, whatever the rings held */
	if (prog_ctrl_check(&c, why, sizeof(why)) != SHP_OK) {
		log_error("%s", why);
		return SHP_ERR_PROGRAM;
	}
	bool ok = sysfs_write_u64(&d->sysfs, PROG_SYSFS_DATASIZE, job->image_len) == SHP_OK &&
		  sysfs_write(&d->sysfs, ctrl_files[0], c.target) == SHP_OK &&
		  sysfs_write_u64(&d->sysfs, ctrl_files[1], c.datarate) == SHP_OK;
	for (int k = 0; ok && k < PROG_PIN_COUNT; k++)
		ok = sysfs_write_u64(&d->sysfs, ctrl_files[2 + k], c.pin[k]) == SHP_OK;
	if (ok)
		log_info("Programmer initialized, will start now (data-rate = %u bit/s)",
			 (unsigned)rate);
	ok = ok && sysfs_write(&d->sysfs, PROG_SYSFS_STATE, "start") == SHP_OK;
	if (!ok) {
		log_error("OSError - Failed to initialize Programmer");
		return SHP_ERR_PROGRAM;
	}
	return SHP_OK;
}

static void stop_programmer(const struct shp_sysfs *s)
{
	sysfs_write(s, PROG_SYSFS_STATE, "stop");
}

/* Step 11: polls until idle, an error, "failed to start", the timeout or a stop signal. */
static shp_err poll_run(const struct shp_sysfs *s, double timeout_s)
{
	char pst[64], sst[32];
	double scale = node_settle_scale();
	double poll_s = POLL_S * scale > POLL_MIN_S ? POLL_S * scale : POLL_MIN_S;
	uint64_t deadline = mono_ns() + (uint64_t)(timeout_s * 1e9);
	unsigned not_started = 0;
	SHP_TRY(read_pstate(s, pst, sizeof(pst)) != SHP_OK ? SHP_ERR_PROGRAM : SHP_OK);
	while (strcmp(pst, "idle") != 0) {
		if (sysfs_read(s, SHP_SYSFS_STATE, sst, sizeof(sst)) != SHP_OK)
			snprintf(sst, sizeof(sst), "?");
		log_info("Programming in progress, pgm_state = %s, shp_state = %s", pst, sst);
		drain(s, 2);
		if (nap(poll_s) != SHP_OK) {
			stop_programmer(s);
			return SHP_ERR_INTERRUPTED;
		}
		if (read_pstate(s, pst, sizeof(pst)) != SHP_OK)
			return SHP_ERR_PROGRAM;
		if (strstr(pst, "error")) {
			log_error("SystemError - Failed during Programming, p_state = %s", pst);
			return SHP_ERR_PROGRAM;
		}
		if (strstr(pst, "start") && ++not_started > NOT_STARTED_MAX) {
			log_error("SystemError - Programmer failed to start");
			stop_programmer(s);
			return SHP_ERR_PROGRAM;
		}
		if (strcmp(pst, "idle") != 0 && mono_ns() > deadline) {
			log_error(
				"Programmer gave no result within %.0f s, p_state = %s - stopping "
				"it",
				timeout_s, pst);
			stop_programmer(s);
			return SHP_ERR_PROGRAM;
		}
	}
	return SHP_OK;
}

/* Step 12: the end's log lines and the last messages. */
static void report_end(const struct shp_sysfs *s, shp_err e)
{
	static const char *const names[] = {
		PROG_SYSFS_STATE,   PROG_SYSFS_TARGET,   PROG_SYSFS_DATARATE,
		PROG_SYSFS_PIN_TCK, PROG_SYSFS_PIN_TDIO, PROG_SYSFS_PIN_DIR_TDIO,
		PROG_SYSFS_PIN_TDO, PROG_SYSFS_PIN_TMS,  PROG_SYSFS_PIN_DIR_TMS};
	char v[64];
	if (e == SHP_OK)
		log_info("Finished Programming!");
	else
		log_error("Programming - Procedure failed - will exit now!");
	if (shp_log_threshold <= SHP_LOG_DEBUG) {
		if (sysfs_read(s, SHP_SYSFS_STATE, v, sizeof(v)) == SHP_OK)
			log_debug("\tshepherdState   = %s", v);
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (sysfs_read(s, names[k], v, sizeof(v)) == SHP_OK)
				log_debug("\t%-15s = %s", names[k] + sizeof(PROG_SYSFS_DIR), v);
	}
	if (e != SHP_ERR_INTERRUPTED)
		drain(s, 4);
}

/* Steps 2-6: the port on the aux rail, IO to it, PRU0 swapped to the programmer. */
static shp_err prepare(struct debug_session *d, const struct prog_job *job)
{
	const struct shp_programming *t = job->task;
	bool port_a = cape_port_is_a(t->target_port);
	uint32_t word;
	struct shp_cal_pair cal = cape_aux_default_cal();
	SHP_TRY(cape_pin(&d->cape, CAPE_GPIO_TARGET_PWR_SEL, !port_a));
	SHP_TRY(cape_pin(&d->cape, CAPE_GPIO_EN_EMULATOR, true));
	SHP_TRY(node_settle(0.5));
	SHP_TRY(cape_pin(&d->cape, CAPE_GPIO_TARGET_IO_SEL, port_a));
	SHP_TRY(cape_pin(&d->cape, CAPE_GPIO_TARGET_IO_EN, true));
	SHP_TRY(cape_aux_word(t->voltage, &cal, &word));
	SHP_TRY(pru_set_aux(&d->sysfs, word)); /* the kernel's reset, then idle */
	SHP_TRY(debug_session_unmap(d));
	enum pru_fw fw = t->protocol == SHP_PROG_SWD ? PRU_FW_SWD
			 : t->protocol == SHP_PROG_SBW
				 ? PRU_FW_SBW
				 : pru_fw_pick(t->protocol == SHP_PROG_JTAG ? "jtag" : "uart");
	SHP_TRY(pru_fw_load(job->paths->sysfs_root, fw));
	return debug_session_remap(d);
}

/* Step 13: whatever happened, the session closed and the shepherd firmware back. */
static shp_err restore(struct debug_session *d, const char *sysfs_root)
{
	/*
	 * A stop signal must not cut the restore short (the firmware loads' settle sleeps end at
	 * one, which would leave PRU0 running the programmer): one that came already is held, new
	 * ones stay pending until the restore is done and are delivered then.
	 */
	sigset_t stops, old;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	sigprocmask(SIG_BLOCK, &stops, &old);
	volatile sig_atomic_t held = shp_stop_signal;
	shp_stop_signal = 0;
	shp_err e = debug_session_close(d);
	shp_err e0 = pru_fw_load(sysfs_root, PRU_FW_EMU);
	shp_err e1 = pru_fw_load(sysfs_root, PRU_FW_PRU1);
	sigprocmask(SIG_SETMASK, &old, NULL); /* what came meanwhile is handled here */
	if (held && !shp_stop_signal)
		shp_stop_signal = held;
	if (e0 != SHP_OK || e1 != SHP_OK)
		log_error("could not load the shepherd firmware again after programming: PRU0 %s, "
			  "PRU1 %s",
			  e0 == SHP_OK ? "ok" : shp_err_str(e0),
			  e1 == SHP_OK ? "ok" : shp_err_str(e1));
	return e != SHP_OK ? e : e0 != SHP_OK ? e0 : e1;
}

shp_err prog_attempt(const struct prog_job *job, uint32_t rate)
{
	struct debug_session d;
	memset(&d, 0, sizeof(d));
	shp_err e = debug_session_open(&d, job->paths);
	if (e != SHP_OK)
		log_error("Programmer: the debug session could not be opened (%s)", shp_err_str(e));
	if (e == SHP_OK && (e = prepare(&d, job)) != SHP_OK)
		log_error("Programmer: preparing the node failed (%s)", shp_err_str(e));
	if (e == SHP_OK)
		e = configure(&d, job, rate);
	if (e == SHP_OK)
		e = poll_run(&d.sysfs,
			     prog_timeout_s(job->image_len, job->task->simulate ? 1000000 : rate));
	if (d.open)
		report_end(&d.sysfs, e);
	shp_err r = restore(&d, job->paths->sysfs_root);
	if (e == SHP_ERR_INTERRUPTED)
		return e;
	if (e != SHP_OK)
		return SHP_ERR_PROGRAM;
	return r == SHP_OK ? SHP_OK : SHP_ERR_PRU;
}
