/*
 * pru_control.h - driving the PRU state machine through sysfs: reset into a mode, arm a start at
 * a whole second, wait for running, stop; and draining the PRU message box.
 *
 * Every wait has a timeout and names the state it found when it gives up, so that a missing
 * kernel module, a dead simulator or a hung PRU ends in a clear message, not a hang.
 */
#ifndef SHP_PRU_CONTROL_H
#define SHP_PRU_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "pru/sysfs.h"

struct pru_msg_summary {
	unsigned restarts; /* 0xF0 seen */
	unsigned errors;   /* 0xE0..0xE9 seen */
	unsigned total;
};

/* Polls the state file until it is one of wanted[]: SHP_ERR_PRU when the timeout passes,
 * SHP_ERR_INTERRUPTED on a stop signal, SHP_ERR_SYSFS if the state cannot be read. */
shp_err pru_wait_state(const struct shp_sysfs *s, const enum shp_pru_state *wanted, int n_wanted,
		       uint64_t timeout_ns, enum shp_pru_state *found);

/* Stops whatever runs, drains the message box and re-initialises the PRU in mode (pru_reinit). */
shp_err pru_reset_to_mode(const struct shp_sysfs *s, const char *mode);

/*
 * Writes mode, which re-initialises an idle PRU, and proves that it did: waits up to 3 s for the
 * PRU's message 0xF0 (restarting), then for idle, then reads the mode back. Messages before the
 * 0xF0 are logged as pru_drain_messages does and counted into sum (an 0xE0 among them: a write
 * was refused). The caller drains the box before whatever the 0xF0 is to prove: on hardware it
 * follows the mode write; in the simulator it also follows every write made before that one.
 */
shp_err pru_reinit(const struct shp_sysfs *s, const char *mode, struct pru_msg_summary *sum);

/*
 * Writes the aux channel's word (dac_auxiliary_voltage_raw), which the firmware applies only
 * when it re-initialises: as pru_reinit, it waits for the 0xF0 and idle.
 */
shp_err pru_set_aux(const struct shp_sysfs *s, uint32_t word);

/* Arms the start at start_s (whole Unix second) and schedules the stop at stop_s. */
shp_err pru_arm(const struct shp_sysfs *s, int64_t start_s, int64_t stop_s);

/*
 * Waits until the PRU runs, or until started(ctx) says it has produced data (a fast PRU, e.g.
 * the simulator at --speed max, can finish a short run between two polls of the state file).
 * Gives up timeout_ns after the start second.
 */
shp_err pru_wait_running(const struct shp_sysfs *s, int64_t start_s, uint64_t timeout_ns,
			 bool (*started)(void *ctx), void *ctx);

/* Stops the PRU if it is not idle and waits for idle. */
shp_err pru_stop(const struct shp_sysfs *s);

/*
 * Reads up to max messages, logs them and counts them into sum. With settle_ns > 0 the box must
 * also stay empty for that long: messages reach the box with some latency (the kernel's
 * forwarding, the simulator's FIFO refill), so one empty read does not prove there are none.
 */
shp_err pru_drain_messages(const struct shp_sysfs *s, int max, uint64_t settle_ns,
			   struct pru_msg_summary *sum);

#endif
