/*
 * sysfs_gpio.h - output pins of the cape through the kernel's sysfs GPIO tree
 * (/sys/class/gpio: export, gpioN/direction, gpioN/value; node-control.md 2.2).
 *
 * The tree's place is configurable (environment SHEPHERD_GPIO_ROOT), so that tests and the
 * simulator can stand in for it. A missing tree or pin is reported, not logged: whether that is
 * an error is the caller's decision.
 */
#ifndef SHP_SYSFS_GPIO_H
#define SHP_SYSFS_GPIO_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

#define SYSFS_GPIO_DEFAULT_ROOT "/sys/class/gpio"
#define GPIO_EEPROM_WRITE_PROTECT 49 /* P9_23 "Mem_WP": high = the EEPROM is write-protected */

/* SHEPHERD_GPIO_ROOT if set and not empty, else SYSFS_GPIO_DEFAULT_ROOT. */
const char *sysfs_gpio_root(void);

/*
 * Makes pin gpio of the tree at root an output driving value: exports it if its directory is
 * missing, writes direction "out", then value. SHP_ERR_SYSFS with the reason in why if the tree
 * or the pin is missing or a write fails.
 */
shp_err sysfs_gpio_output(const char *root, unsigned gpio, bool value, char *why, size_t why_len);

/*
 * Makes pin gpio an input (exported if needed) and, if edge is not NULL, sets its edge
 * ("none", "rising", "falling", "both").
 */
shp_err sysfs_gpio_input(const char *root, unsigned gpio, const char *edge, char *why,
			 size_t why_len);

/* Whether the pin's direction reads "out" (false also when it cannot be read). */
bool sysfs_gpio_is_output(const char *root, unsigned gpio);

/* Drives an output pin (already set up with sysfs_gpio_output). */
shp_err sysfs_gpio_set(const char *root, unsigned gpio, bool value, char *why, size_t why_len);

#endif
