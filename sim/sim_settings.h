/*
 * sim_settings.h - the kernel module's three settings files in the simulator:
 * calibration_settings, virtual_converter_settings and virtual_harvester_settings, taken as the
 * kernel's store handlers take them and shown in its read format (pru-settings.md 1.1).
 *
 * A write is accepted only while the PRU is idle and only with all of the block's tokens
 * (decimal, in the field's range; extra trailing tokens are ignored; an input-LUT token above
 * 255 keeps its low byte, with a warning, as the kernel's iowrite8 does). Plain files cannot
 * refuse a write: a refused one restores the file to the last accepted values, and the caller
 * posts message 0xE0. The kernel's test patterns (1.2) are in place at start and after every
 * firmware write.
 */
#ifndef SIM_SETTINGS_H
#define SIM_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "pru/pru_settings_text.h"
#include "sim_sysfs.h"

/* What the PRU's shared RAM would hold. */
struct sim_settings_values {
	struct pru_calibration calibration;
	struct pru_converter converter;
	struct pru_harvester harvester;
};

struct sim_settings {
	struct sim_settings_values values; /* the last accepted ones */
	int verbose;
};

/* The kernel's test patterns into all three blocks, published in the read format. */
void sim_settings_reset(struct sim_settings *st, struct sim_sysfs *fs);

/* Whether name is one of the three settings files. */
bool sim_settings_owns(const char *name);

/*
 * Takes text written to the settings file name. Accepted: stored and republished in the
 * kernel's read format, true. Refused (busy, a missing, unparsable or out-of-range token): the
 * reason in why, the file restored to the last accepted values, false.
 */
bool sim_settings_write(struct sim_settings *st, struct sim_sysfs *fs, const char *name,
			const char *text, bool idle, char *why, size_t why_len);

/* The values last accepted, for the PRU models (they do not use them yet). */
const struct sim_settings_values *sim_settings_current(const struct sim_settings *st);

#endif
