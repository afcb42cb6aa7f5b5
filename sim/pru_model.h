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

#include "faults.h"
#include "gpio_model.h"
#include "msg_box.h"
#include "node/pru_firmware.h"
#include "pru/shepherd_abi.h"
#include "sim_programmer.h"
#include "sim_settings.h"
#include "sim_sysfs.h"
#include "twin/twin.h"
#include "twin/twin_solar.h"
#include "twin/twin_target.h"

#define SIM_MAX_BATCH 10000u /* samples produced at once */

enum sim_emulation { SIM_EMU_MODEL, SIM_EMU_LOOPBACK };
enum sim_harvest { SIM_HRV_CELL, SIM_HRV_FORMULA };

struct sim_pru {
	struct sim_sysfs *sysfs;
	uint8_t *iv_inp, *iv_out, *gpio, *util; /* rings in the mapped memory file */
	uint64_t seed;
	double speed; /* 0: as fast as possible */
	bool lockstep;
	int verbose;
	enum sim_emulation emulation; /* what the "emulator" mode does */
	enum sim_harvest harvest;     /* what the harvest modes record */
	struct twin_target target;    /* the load on the emulator's output */
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

	enum pru_fw fw0;              /* the firmware PRU0 runs: what it acts on */
	char firmware[2][64];         /* names last loaded into PRU0 / PRU1 */
	struct sim_settings settings; /* the kernel's three settings blocks */

	/* PRU0's twin (pru0_twin.c) */
	struct twin *twin;
	struct twin_settings reinit; /* what PRU0's last re-init (a reset) read */
	struct twin_solar cell;      /* the harvest transducer of this run */
	bool twin_runs;              /* this run's samples come from the twin */
	uint32_t inp_cursor;         /* input ring slot PRU0 reads next */
	uint64_t stale;              /* input samples read before the sheep wrote them */
	uint64_t stale_reported;
	uint64_t stale_report_mono;

	int64_t ts_shift;     /* samples the timestamps are ahead of the count (jump faults) */
	uint64_t stall_until; /* CLOCK_MONOTONIC end of a stall fault */
	bool halted;          /* a stop fault: nothing more is produced */

	uint32_t gpio_mask; /* tracer mask latched at the start */
	uint64_t gpio_next; /* index of the next event of the schedule */
	uint32_t gpio_cursor;
	uint64_t gpio_events;
	uint16_t gpio_pins; /* the pins as the last scheduled event left them (without BAT_OK) */
	bool gpio_pg;       /* BAT_OK (power-good) after the last sample */

	struct sim_msg_box box; /* pru_msg_box */

	struct sim_programmer prog; /* programmer/ and the SWD/SBW firmware (sim_programmer.h) */
	char root[PATH_MAX];        /* the simulator's root (target dumps, the GPIO tree) */
};

/*
 * The PRUs after the module's load (node-control.md 1.2): EMU and PRU1 firmware, the settings'
 * test patterns, the programmer defaults, idle, mode none, aux 0, message 0xF0. Also the load
 * after an unload. False: no memory for the twin.
 */
bool sim_pru_init(struct sim_pru *p);

/* The module's unload: both PRUs shut down (a run just ends), the message box closed. */
void sim_pru_shutdown(struct sim_pru *p);

/*
 * Whether PRU0 runs a firmware that samples (EMU or HRV). The programmer firmwares (SWD, SBW)
 * never do: a time_start is refused, and they ignore the mode (every mode is taken). The EMU
 * firmware takes emulator, emu_adc_read, emu_loopback, debug and none, the HRV firmware
 * harvester, hrv_adc_read, debug and none; another mode is refused with 0xE0.
 */
bool sim_pru0_samples(const struct sim_pru *p);

/*
 * Hook of the programmer model (node-control.md 3.7, 3.10): puts programmer_ctrl and the
 * programmer/ files to their defaults. Called at the module's load and at every firmware swap
 * of either PRU (mem_interface_reset), after the settings blocks got their test patterns and
 * before PRU0 boots (its 0xF0). p->fw0 tells which PRU0 firmware runs; the programmer acts
 * only when it is PRU_FW_SWD or PRU_FW_SBW and p->state is idle. Events of files in
 * sysfs/programmer/ (sim_sysfs watches that directory too) reach sim_pru_on_event as
 * "programmer/NAME".
 */
void sim_programmer_reset(struct sim_pru *p);

/* Reacts to a write of a sysfs file. */
void sim_pru_on_event(void *ctx, enum sim_event_kind kind, const char *name);

/* Advances timers and production; returns the poll timeout in ms until the next work. */
int sim_pru_step(struct sim_pru *p);

/* Whether the mode is one of the emulation modes (the EMU firmware's). */
bool sim_pru_emulating(const struct sim_pru *p);

/* ---- PRU0 (pru0_twin.c) ------------------------------------------------------------------ */

/* A freshly loaded firmware at start; false: no memory. */
bool sim_pru0_open(struct sim_pru *p);
void sim_pru0_close(struct sim_pru *p);
/* An accepted pru0_firmware write. */
void sim_pru0_firmware(struct sim_pru *p);
/* PRU0's re-init at a reset: the settings blocks and the aux word as they are now. */
void sim_pru0_reinit(struct sim_pru *p);
/* The run starts: the twin is initialised with what the last re-init read, if it runs. */
void sim_pru0_start(struct sim_pru *p);
/*
 * Samples [produced, produced + count) with timestamps from ts0: the output values and, if the
 * twin emulates, its TWIN_FLAG_* per sample (else flags is left alone). Returns how many were
 * made (fewer only in lock-step, when the input is not there yet) and whether flags were set.
 */
uint32_t sim_pru0_produce(struct sim_pru *p, uint64_t ts0, uint32_t count, uint32_t *voltage,
			  uint32_t *current, uint8_t *flags, bool *with_flags);
/* Logs the stale input samples read so far (at most once a second unless final). */
void sim_pru0_report_stale(struct sim_pru *p, bool final);

/* ---- PRU1 (pru1_gpio.c) ------------------------------------------------------------------ */

/* GPIO trace bit of the BAT_OK pin (power-good), spliced in by PRU1 in emulation. */
#define SIM_GPIO_BAT_OK (1u << 9)

/*
 * The GPIO events of the samples [ts0, ts0 + count * 10 us) into the GPIO ring. flags: the
 * twin's TWIN_FLAG_* of these samples (an emulation through the twin), or NULL.
 */
void sim_pru1_gpio(struct sim_pru *p, uint64_t ts0, uint32_t count, const uint8_t *flags);

#endif
