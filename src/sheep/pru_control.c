/* pru_control.c - start/stop protocol of the shepherd kernel module, as seen from user space. */
#include "sheep/pru_control.h"

#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/stop.h"

#define POLL_NS (10 * SHP_NS_PER_MS)
#define IDLE_TIMEOUT_NS (5000 * SHP_NS_PER_MS)
#define ARM_TIMEOUT_NS (2000 * SHP_NS_PER_MS)
#define SETTLE_NS (20 * SHP_NS_PER_MS)
#define REINIT_TIMEOUT_NS (3000 * SHP_NS_PER_MS)
#define MSG_POLL_NS (5 * SHP_NS_PER_MS)
#define MSG_BOX_DEPTH 128 /* the kernel's queue of PRU messages */
#define STOP_ATTEMPTS 5

/* Polls the state until it is one of wanted[] or done(ctx) holds; see pru_wait_state(). */
static shp_err wait_until(const struct shp_sysfs *s, const enum shp_pru_state *wanted, int n_wanted,
			  uint64_t timeout_ns, enum shp_pru_state *found, bool (*done)(void *ctx),
			  void *ctx)
{
	uint64_t deadline = mono_ns() + timeout_ns;
	enum shp_pru_state st = SHP_STATE_UNKNOWN;
	shp_err e = SHP_ERR_PRU;
	for (;;) {
		SHP_TRY(sysfs_read_state(s, &st));
		bool reached = done && done(ctx);
		for (int k = 0; k < n_wanted && !reached; k++)
			reached = st == wanted[k];
		if (reached) {
			e = SHP_OK;
			break;
		}
		if (mono_ns() >= deadline)
			break;
		if (shp_stop_signal)
			return SHP_ERR_INTERRUPTED;
		sleep_ns(POLL_NS);
	}
	if (found)
		*found = st;
	return e;
}

shp_err pru_wait_state(const struct shp_sysfs *s, const enum shp_pru_state *wanted, int n_wanted,
		       uint64_t timeout_ns, enum shp_pru_state *found)
{
	return wait_until(s, wanted, n_wanted, timeout_ns, found, NULL, NULL);
}

shp_err pru_stop(const struct shp_sysfs *s)
{
	enum shp_pru_state st = SHP_STATE_UNKNOWN;
	SHP_TRY(sysfs_read_state(s, &st));
	/* as the predecessor: "now" again while the PRU is not idle, 5 times a second apart (a
	 * write can go unanswered: the simulator may replace the file while it is written); not
	 * cut short by a stop signal, which is what usually brings the sheep here */
	for (int attempt = 0; attempt < STOP_ATTEMPTS && st != SHP_STATE_IDLE; attempt++) {
		SHP_TRY(sysfs_write(s, SHP_SYSFS_TIME_STOP, "now"));
		uint64_t deadline = mono_ns() + IDLE_TIMEOUT_NS / STOP_ATTEMPTS;
		do {
			sleep_ns(POLL_NS);
			SHP_TRY(sysfs_read_state(s, &st));
		} while (st != SHP_STATE_IDLE && mono_ns() < deadline);
	}
	if (st == SHP_STATE_IDLE)
		return SHP_OK;
	log_error("PRU did not stop: state is still '%s' after %d times 'now' in time_stop, 5 s",
		  shp_state_name(st), STOP_ATTEMPTS);
	return SHP_ERR_PRU;
}

/* Logs a PRU message as a drain does and counts it into sum. */
static void note_msg(const struct shp_pru_msg *msg, struct pru_msg_summary *sum)
{
	sum->total++;
	if (msg->type == SHP_MSG_STATUS_RESTARTING_ROUTINE) {
		sum->restarts++;
		log_debug("PRU message 0x%02X (%s)", msg->type, shp_msg_name(msg->type));
	} else if (msg->type >= SHP_MSG_ERR_INVALID_CMD && msg->type <= SHP_MSG_ERR_ADC_NOT_FOUND) {
		sum->errors++;
		log_error("PRU reports 0x%02X (%s), values %u %u", msg->type,
			  shp_msg_name(msg->type), msg->value[0], msg->value[1]);
	} else {
		log_info("PRU message 0x%02X (%s), values %u %u", msg->type,
			 shp_msg_name(msg->type), msg->value[0], msg->value[1]);
	}
}

/* Reads messages until the PRU's 0xF0; *seen stays false when the timeout passes first. */
static shp_err wait_restart(const struct shp_sysfs *s, uint64_t timeout_ns,
			    struct pru_msg_summary *sum, bool *seen)
{
	uint64_t deadline = mono_ns() + timeout_ns;
	*seen = false;
	while (mono_ns() < deadline) {
		struct shp_pru_msg msg;
		bool got;
		SHP_TRY(sysfs_read_msg(s, &msg, &got));
		if (got) {
			note_msg(&msg, sum);
			if (msg.type == SHP_MSG_STATUS_RESTARTING_ROUTINE) {
				*seen = true;
				return SHP_OK;
			}
			continue;
		}
		if (shp_stop_signal)
			return SHP_ERR_INTERRUPTED;
		sleep_ns(MSG_POLL_NS);
	}
	return SHP_OK;
}

/* Writes text to name, which re-initialises an idle PRU, and waits for the 0xF0 and idle; what
 * names the write in messages. */
static shp_err write_and_reinit(const struct shp_sysfs *s, const char *name, const char *text,
				const char *what, struct pru_msg_summary *sum)
{
	static const enum shp_pru_state idle[] = {SHP_STATE_IDLE};
	unsigned errors = sum->errors;
	SHP_TRY(sysfs_write(s, name, text));
	bool seen;
	SHP_TRY(wait_restart(s, REINIT_TIMEOUT_NS, sum, &seen));
	if (!seen) {
		log_error(
			"PRU did not re-initialise after %s was written: no message 0x%02X (%s) within 3 s%s",
			what, SHP_MSG_STATUS_RESTARTING_ROUTINE,
			shp_msg_name(SHP_MSG_STATUS_RESTARTING_ROUTINE),
			sum->errors > errors ? " (it reported an error instead, see above)" : "");
		return SHP_ERR_PRU;
	}
	enum shp_pru_state st = SHP_STATE_UNKNOWN;
	shp_err e = pru_wait_state(s, idle, 1, IDLE_TIMEOUT_NS, &st);
	if (e == SHP_ERR_PRU)
		log_error("PRU did not return to idle after %s was written (state '%s')", what,
			  shp_state_name(st));
	return e;
}

shp_err pru_reinit(const struct shp_sysfs *s, const char *mode, struct pru_msg_summary *sum)
{
	char what[48];
	snprintf(what, sizeof(what), "mode '%.32s'", mode);
	SHP_TRY(write_and_reinit(s, SHP_SYSFS_MODE, mode, what, sum));
	char back[32];
	SHP_TRY(sysfs_read(s, SHP_SYSFS_MODE, back, sizeof(back)));
	if (strcmp(back, mode) != 0) {
		log_error("PRU mode reads '%s' after selecting '%s'", back, mode);
		return SHP_ERR_PRU;
	}
	return SHP_OK;
}

shp_err pru_set_aux(const struct shp_sysfs *s, uint32_t word)
{
	struct pru_msg_summary sum = {0};
	SHP_TRY(pru_drain_messages(s, MSG_BOX_DEPTH, SETTLE_NS, &sum));
	char text[16], what[64];
	snprintf(text, sizeof(text), "%u", word);
	snprintf(what, sizeof(what), "the aux word %s (dac_auxiliary_voltage_raw)", text);
	return write_and_reinit(s, SHP_SYSFS_AUX_VOLTAGE, text, what, &sum);
}

shp_err pru_reset_to_mode(const struct shp_sysfs *s, const char *mode)
{
	struct pru_msg_summary sum = {0};
	SHP_TRY(pru_stop(s));
	/* older news first, so that the 0xF0 waited for is the answer to this mode write */
	SHP_TRY(pru_drain_messages(s, MSG_BOX_DEPTH, SETTLE_NS, &sum));
	return pru_reinit(s, mode, &sum);
}

shp_err pru_arm(const struct shp_sysfs *s, int64_t start_s, int64_t stop_s)
{
	static const enum shp_pru_state armed[] = {SHP_STATE_ARMED, SHP_STATE_STARTING,
						   SHP_STATE_RUNNING};
	enum shp_pru_state st = SHP_STATE_UNKNOWN;
	SHP_TRY(sysfs_write_u64(s, SHP_SYSFS_TIME_START, (uint64_t)start_s));
	shp_err e = pru_wait_state(s, armed, 3, ARM_TIMEOUT_NS, &st);
	if (e != SHP_OK && e != SHP_ERR_PRU)
		return e; /* interrupted, or sysfs unreadable (already logged) */
	if (e == SHP_ERR_PRU) {
		struct pru_msg_summary sum = {0};
		pru_drain_messages(s, 8, SETTLE_NS, &sum);
		log_error("PRU did not accept the start at %lld: state is '%s' after 2 s%s",
			  (long long)start_s, shp_state_name(st),
			  sum.errors ? " (see the PRU message above)" : "");
		return SHP_ERR_PRU;
	}
	/* scheduled while armed, so that a fast simulated PRU cannot run past it */
	return sysfs_write_u64(s, SHP_SYSFS_TIME_STOP, (uint64_t)stop_s);
}

shp_err pru_wait_running(const struct shp_sysfs *s, int64_t start_s, uint64_t timeout_ns,
			 bool (*started)(void *ctx), void *ctx)
{
	static const enum shp_pru_state running[] = {SHP_STATE_RUNNING};
	uint64_t now = wall_ns();
	uint64_t start_ns = (uint64_t)start_s * SHP_NS_PER_S;
	uint64_t wait = (start_ns > now ? start_ns - now : 0) + timeout_ns;
	enum shp_pru_state st = SHP_STATE_UNKNOWN;
	shp_err e = wait_until(s, running, 1, wait, &st, started, ctx);
	if (e == SHP_ERR_PRU)
		log_error("PRU did not start running at %lld: state is '%s'", (long long)start_s,
			  shp_state_name(st));
	return e;
}

shp_err pru_drain_messages(const struct shp_sysfs *s, int max, uint64_t settle_ns,
			   struct pru_msg_summary *sum)
{
	for (int k = 0; k < max; k++) {
		struct shp_pru_msg msg;
		bool got;
		SHP_TRY(sysfs_read_msg(s, &msg, &got));
		if (!got && settle_ns) {
			sleep_ns(settle_ns);
			SHP_TRY(sysfs_read_msg(s, &msg, &got));
		}
		if (!got)
			break;
		note_msg(&msg, sum);
	}
	return SHP_OK;
}
