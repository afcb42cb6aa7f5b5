/*
 * pru_model.h - the simulated PRUs and kernel module: state machine and sample production.
 *
 * Time: the run starts at a whole wall-clock second T; from then on simulated time runs at
 * `speed` times real time (or as fast as possible), and every sample carries the timestamp
 * T + k * 10 us. A slow reader is overrun, as on hardware, unless lock-step is on.
 */
#ifndef SIM_PRU_MODEL_H
#define SIM_PRU_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "emu_model.h"
#include "faults.h"
#include "gpio_model.h"
#include "msg_box.h"
#include "pru/shepherd_abi.h"
#include "sim_settings.h"
#include "sim_sysfs.h"

enum sim_emulation { SIM_EMU_MODEL, SIM_EMU_LOOPBACK };

struct sim_pru {
	struct sim_sysfs *sysfs;
	uint8_t *iv_inp, *iv_out, *gpio, *util; /* rings in the mapped memory file */
	uint64_t seed;
	double speed; /* 0: as fast as possible */
	bool lockstep;
	int verbose;
	enum sim_emulation emulation; /* what the "emulator" mode does */
	double target_ohm;
	struct gpio_schedule gpio_sched;
	struct sim_fault faults[SIM_MAX_FAULTS];
	unsigned nfaults;

	enum shp_pru_state state;
	char mode[24];
	int64_t start_s;   /* armed start second */
	uint64_t start_ns; /* timestamp of sample 0 */
	uint64_t stop_ns;  /* 0: no stop scheduled */
	uint64_t mono0;    /* monotonic time that corresponds to start_ns */
	uint64_t produced; /* samples written since start */
	uint32_t cursor;   /* IV-out ring slot of the next sample */
	uint32_t util_cursor;

	char firmware[2][64];         /* names last loaded into PRU0 / PRU1 */
	struct sim_settings settings; /* the kernel's three settings blocks */

	struct emu_model model;
	uint32_t inp_cursor; /* input ring slot PRU0 reads next */
	uint64_t stale;      /* input samples read before the sheep wrote them */
	uint64_t stale_reported;
	uint64_t stale_report_mono;

	int64_t ts_shift;     /* samples the timestamps are ahead of the count (jump faults) */
	uint64_t stall_until; /* CLOCK_MONOTONIC end of a stall fault */
	bool halted;          /* a stop fault: nothing more is produced */

	uint32_t gpio_mask; /* tracer mask latched at the start */
	uint64_t gpio_next; /* index of the next event of the schedule */
	uint32_t gpio_cursor;
	uint64_t gpio_events;

	struct sim_msg_box box; /* pru_msg_box */
};

void sim_pru_init(struct sim_pru *p);

/* Reacts to a write of a sysfs file. */
void sim_pru_on_event(void *ctx, enum sim_event_kind kind, const char *name);

/* Advances timers and production; returns the poll timeout in ms until the next work. */
int sim_pru_step(struct sim_pru *p);

#endif
