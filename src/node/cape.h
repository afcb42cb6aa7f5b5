/*
 * cape.h - the cape's control pins and the target supply (node-control.md 2.2 - 2.8).
 *
 * Pins are driven through the sysfs GPIO tree (sysfs_gpio.h, root configurable). Unlike the
 * predecessor, setting a pin up as an output does not glitch it low first: the direction is
 * written only when the pin is not an output yet, and then the level. Levels persist after the
 * process ends, as the predecessor's pinned GPIO library leaves them.
 */
#ifndef SHP_CAPE_H
#define SHP_CAPE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/cal_pair.h"
#include "common/error.h"

/* Linux GPIO numbers (32 * bank + bit) of the cape's control pins (2.2) */
#define CAPE_GPIO_EN_SHEPHERD 23    /* P8_13: cape supplies on */
#define CAPE_GPIO_EN_HARVESTER 50   /* P9_14 "EN_Recorder": harvester front-end */
#define CAPE_GPIO_EN_EMULATOR 51    /* P9_16: emulator front-end */
#define CAPE_GPIO_TARGET_PWR_SEL 31 /* P9_13: high = main supply to port A, aux to B */
#define CAPE_GPIO_TARGET_IO_SEL 30  /* P9_11: high = IO to port A */
#define CAPE_GPIO_TARGET_IO_EN 60   /* P9_12: level translators and switches on */
#define CAPE_GPIO_WATCHDOG_ACK 68   /* P8_10: a 2 ms pulse kicks the cape watchdog */
#define CAPE_GPIO_BUTTON 65         /* P8_18: input, idle high, falling edge = press */
#define CAPE_GPIO_BUTTON_LED 22     /* P8_19: LED on */

/* The aux word's flags (dac_auxiliary_voltage_raw, 2.4) */
#define CAPE_AUX_MAIN (1u << 20)   /* both DAC channels get the main output */
#define CAPE_AUX_BUFFER (1u << 21) /* aux channel outputs the storage voltage */

/* Where a pin call leaves its reason: the caller logs or passes it on. */
struct cape {
	const char *gpio_root; /* the sysfs GPIO tree */
	char why[256];         /* the reason of the last failure */
};

void cape_init(struct cape *c, const char *gpio_root);

/* Makes gpio an output at level (exports it if needed). SHP_ERR_SYSFS, reason in c->why. */
shp_err cape_pin(struct cape *c, unsigned gpio, bool level);

/*
 * ShepherdIO's enter for the cape (sheep-datapath.md 2.5, node-control.md 2.8): the six control
 * pins as outputs, en_harvester, en_emulator, target_pwr_sel, target_io_sel and target_io_en
 * (the level converter) low, then en_shepherd high and a 1 s settle. Failures are logged.
 */
shp_err cape_enter(struct cape *c);

/* Switches a front-end pin (CAPE_GPIO_EN_HARVESTER or _EMULATOR) and, when on, settles 0.5 s. */
shp_err cape_front_end(struct cape *c, unsigned gpio, bool on);

/* The end of a session: target_io_en, en_emulator, en_harvester, en_shepherd low; all four
 * always tried, the first failure returned (logged). */
shp_err cape_leave(struct cape *c);

/* 'A' -> true, 'B' -> false (convert_target_port_to_bool). */
bool cape_port_is_a(char port);

/*
 * Volts to the aux word with the pair dac_V_A of an emulator calibration: round half to even
 * of max(0, (V - offset) / gain), clamped to 65535. SHP_ERR_CONFIG (message logged) below 0 V
 * ("sending voltage with negative value") or above 5 V ("... above limit of 5V").
 */
shp_err cape_aux_word(double volts, const struct shp_cal_pair *dac_V_A, uint32_t *word);

/* The default calibration's dac_V_A: gain 1/13107 V per LSB, offset 0. */
struct shp_cal_pair cape_aux_default_cal(void);

/*
 * target-power (2.5) step by step: cape supply on/off, pwr_sel = !port_A, io_sel = port_A,
 * io_en = gpio_pass, the aux word of volts (default calibration; --off: 0 V), mode emulator
 * (stop and wait idle first), a final time_stop. Unlike the predecessor it loads the EMU
 * firmware first if PRU0 runs another (only EMU applies the word), and it waits for each
 * re-init. SHP_ERR_* with the failing step logged.
 */
struct cape_power_request {
	bool on;
	double volts;
	bool gpio_pass;
	char port; /* 'A' or 'B' */
};
shp_err cape_target_power(struct cape *c, const char *sysfs_root,
			  const struct cape_power_request *req);

#endif
