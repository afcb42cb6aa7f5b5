/*
 * sim_programmer.h - the simulated PRU programmer (node-control.md 3.7, 3.8, 3.10): the
 * kernel's programmer/ files and the SWD/SBW firmware that flashes a target model.
 *
 * The programmer acts only while the SWD or the SBW firmware is loaded on PRU0, on a `start`
 * written while it is idle: INITIALIZING, the driver of the build and target (ERR_GENERIC for
 * a wrong one), open (ERR_OPEN without a target), erase, then the NUL-terminated Intel-HEX text
 * at offset 0 of the IV-input region is parsed record by record (sim_ihex.h) and written word
 * by word into the target model (sim_targets.h) at the pace of the data rate, `state` showing
 * the running byte count; the end is IDLE, or an error state with its message in pru_msg_box.
 * The control block goes back to the kernel's defaults on every PRU0 firmware swap and at the
 * module's load.
 *
 * Pace (scaled by the simulator's --speed; instant with `max`): nRF52 erases in 100 ms and
 * takes 322 bit times (7 SWD transfers of 46 bit) per 4-byte word at the data rate; MSP430
 * 50 ms to open and 120 us per 2-byte word (fixed ~500 kHz SBW); dummy no time at all.
 *
 * Faults (--program-fault KIND[:N], the first N starts fail, default all):
 *   no-target  open fails: ERR_OPEN
 *   verify     the first word reads back wrong: message 0x94, ERR_VERIFY
 *   write      the first word cannot be written: message 0x93, ERR_WRITE
 *   parse      the first record is taken for a bad checksum: message 0x96 (12, 0), ERR_PARSE
 * They apply to every driver, dummy included.
 */
#ifndef SIM_PROGRAMMER_H
#define SIM_PROGRAMMER_H

#include <stdbool.h>
#include <stdint.h>

#include "msg_box.h"
#include "prog/prog_abi.h"
#include "sim_ihex.h"
#include "sim_sysfs.h"
#include "sim_targets.h"

enum sim_prog_fault {
	SIM_PROG_FAULT_NONE,
	SIM_PROG_NO_TARGET,
	SIM_PROG_VERIFY,
	SIM_PROG_WRITE,
	SIM_PROG_PARSE
};

enum sim_prog_phase { SIM_PROG_OFF, SIM_PROG_OPENING, SIM_PROG_WRITING };

struct sim_programmer {
	/* the kernel's ProgrammerCtrl */
	int32_t state;
	uint32_t target, datarate, datasize;
	uint32_t pin[PROG_PIN_COUNT]; /* tck, tdio, dir_tdio, tdo, tms, dir_tms */

	/* fault injection */
	enum sim_prog_fault fault;
	int fault_left; /* starts that still fail; -1: all */

	/* the run in progress */
	enum sim_prog_phase phase;
	uint32_t driver; /* PROG_TARGET_* of the run */
	bool faulty;     /* this run fails as fault says */
	uint64_t t0;     /* CLOCK_MONOTONIC ns at the start of the phase */
	uint64_t words;  /* words written in the writing phase */
	struct sim_ihex hex;
	struct sim_target_mem *mem; /* NULL for dummy */
	char port;
	char why[96]; /* the end, for the log */

	struct sim_targets targets;
	double speed;      /* the simulator's --speed; 0: as fast as possible */
	bool ready;        /* sim_prog_init done */
	uint32_t dac_word; /* the aux word the DAC holds: the last one before the swap */
	int verbose;
};

/* Parses KIND[:N] of --program-fault; false with a message on stderr. */
bool sim_prog_parse_fault(struct sim_programmer *g, const char *text);

/* Creates the files with the defaults; root: where the target dumps go (the simulator's root). */
void sim_prog_init(struct sim_programmer *g, struct sim_sysfs *fs, const char *root);

/* The kernel's defaults again (a firmware swap, the module's load); a run in progress ends. */
void sim_prog_reset(struct sim_programmer *g, struct sim_sysfs *fs);

/* Whether name is one of the programmer/ files. */
bool sim_prog_owns(const char *name);

/*
 * A write of a programmer/ file (text as read). idle: the shepherd state is idle (else the
 * kernel refuses with -EBUSY). firmware0: what PRU0 runs; iv_inp: the IV-input region.
 */
void sim_prog_write(struct sim_programmer *g, struct sim_sysfs *fs, const char *name,
		    const char *text, bool idle, const char *firmware0, const uint8_t *iv_inp,
		    struct sim_msg_box *box);

/* Advances a run; returns the poll timeout in ms (-1: no run). */
int sim_prog_step(struct sim_programmer *g, struct sim_sysfs *fs, struct sim_msg_box *box);

/* The module's unload: a run in progress ends (its target dumped), nothing is published. */
void sim_prog_shutdown(struct sim_programmer *g);

void sim_prog_close(struct sim_programmer *g);

#endif
