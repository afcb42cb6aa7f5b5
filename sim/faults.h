/*
 * faults.h - faults the simulator injects on demand (`--fault KIND@SECONDS[:ARG]`), at an exact
 * point of the run: when the sample with timestamp start + SECONDS is due.
 *
 *   canary@S:RING   overwrite the canary of RING (iv_inp, iv_out, gpio, util)
 *   jump@S:N        timestamps jump by N samples (N > 0: N samples missing; N < 0: the last
 *                   -N timestamps repeat)
 *   stall@S:MS      PRU0 pauses MS milliseconds, then catches up (nothing is lost)
 *   stop@S          PRU0 stops producing; the state stays "running"
 *   restart@S       the PRU restarts: state reset, message 0xF0, then idle
 *   error@S:CODE    PRU message CODE (e.g. 0xE3) in pru_msg_box
 */
#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H

#include <stdbool.h>
#include <stdint.h>

#define SIM_MAX_FAULTS 16

enum sim_fault_kind {
	FAULT_CANARY,
	FAULT_JUMP,
	FAULT_STALL,
	FAULT_STOP,
	FAULT_RESTART,
	FAULT_ERROR
};

struct sim_fault {
	enum sim_fault_kind kind;
	uint64_t at_sample; /* fires when this sample (counted from the start) is due */
	int64_t arg;        /* samples, ms, message code or ring number */
	bool fired;
};

/* Parses "KIND@SECONDS[:ARG]"; false (with a message on stderr) if it is not one. */
bool sim_fault_parse(const char *text, struct sim_fault *f);

const char *sim_fault_name(enum sim_fault_kind kind);

#endif
