/*
 * prog_image.h - the node-independent parts of programming (node-control.md 3.3, 3.4, 3.6,
 * 3.9): the target and pins a task asks for, the rates of the attempts, the sheep's checks of
 * the control values, the aligned image read into memory, the PRU's messages as log lines and
 * the overall timeout of a programming run. Pure functions but for prog_image_load.
 */
#ifndef SHP_PROG_IMAGE_H
#define SHP_PROG_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "prog/prog_abi.h"
#include "pru/sysfs.h"

#define PROG_IMAGE_MAX 8388608u /* the IV-input sample array: 2^20 samples of 8 bytes */
#define PROG_ATTEMPTS 5
#define PROG_RATE_FACTOR 0.6

/* What the sheep writes to programmer/ (3.4 step 10), in file order. */
struct prog_ctrl {
	char target[64];
	uint32_t datarate;
	uint32_t pin[PROG_PIN_COUNT]; /* tck, tdio, dir_tdio, tdo, tms, dir_tms */
};

/*
 * The target string of an MCU type (3.4 step 8): lower-cased; containing "msp430" -> "msp430",
 * else containing "nrf52" -> "nrf52", else the lower-cased name (*known false: the kernel will
 * refuse it).
 */
void prog_target_of(const char *mcu_type, char *out, size_t len, bool *known);

/* The pin set of mcu_port (3.6): 1 -> 5, 4, 10; anything else -> 8, 9, 11; then 0, 0, 0. */
void prog_pins_of(unsigned mcu_port, uint32_t pin[PROG_PIN_COUNT]);

/* The rate of attempt k (from 0): int(0.6^k x datarate), the factor multiplied as the
 * predecessor does (200000 -> 200000, 120000, 72000, 43200, 25920). */
uint32_t prog_rate_of(uint32_t datarate, unsigned attempt);

/* The sheep's checks before writing (3.6): SHP_ERR_PROGRAM with "ValueError: ..." in why. */
shp_err prog_ctrl_check(const struct prog_ctrl *c, char *why, size_t len);

/* Whether the path ends in .hex, .ihex or .ihx (any case). */
bool prog_hex_suffix(const char *path);

/*
 * Reads the aligned image into a malloc'd buffer. SHP_ERR_FIRMWARE (logged) when it cannot be
 * read, is empty ("Firmware file is empty") or larger than PROG_IMAGE_MAX ("Firmware file is
 * larger than the SharedMEM-Buffer").
 */
shp_err prog_image_load(const char *path, uint8_t **data, size_t *len);

/*
 * How long a run may stay initializing or running before the sheep gives up (the predecessor
 * waits for ever): 60 s for connecting and erasing, plus ten times the transfer of the image
 * taken as text_bytes of data at 400 bit per 4-byte word (SWD needs ~322) at rate; the MSP430's
 * fixed 500 kHz is faster than any rate this estimate assumes. Seconds.
 */
double prog_timeout_s(size_t text_bytes, uint32_t rate);

/* A PRU message as the predecessor logs it during programming (3.9); *level: SHP_LOG_*. */
void prog_msg_text(const struct shp_pru_msg *m, char *buf, size_t len, int *level);

#endif
