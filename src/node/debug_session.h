/*
 * debug_session.h - the predecessor's ShepherdDebug session (node-control.md 2.8): PRU0 EMU and
 * PRU1 firmware loaded, the cape on, the PRU in mode debug with both front-ends on, the rings
 * mapped and initialised. Used by program (prog/) and blink.
 */
#ifndef SHP_DEBUG_SESSION_H
#define SHP_DEBUG_SESSION_H

#include <stdbool.h>

#include "common/error.h"
#include "node/cape.h"
#include "pru/shared_mem.h"
#include "pru/sysfs.h"

struct node_paths {
	const char *sysfs_root;
	const char *mem_device;
	const char *gpio_root;
	const char *eeprom_path;
};

struct debug_session {
	struct node_paths paths;
	struct cape cape;
	struct shp_sysfs sysfs;
	struct shp_shm shm;
	bool mapped;
	bool open;
};

/*
 * Constructor and enter of 2.8: the access check, EMU + PRU1 firmware, the six cape pins as
 * outputs, cape on (+1 s), level converter off, stop + idle, front-ends off, mode debug, idle,
 * map and initialise the rings, drain the message box, front-ends on (+0.5 s each), stop + idle.
 * On failure what was switched on is switched off again.
 */
shp_err debug_session_open(struct debug_session *d, const struct node_paths *paths);

/* Unmaps the rings (canaries checked) so that another PRU0 firmware can be loaded. */
shp_err debug_session_unmap(struct debug_session *d);

/* Maps the rings again (the carve-out may have moved) and initialises them. */
shp_err debug_session_remap(struct debug_session *d);

/*
 * Exit of 2.8: mode none, up to 5 stops until idle, aux 0 V, io_en, en_emulator, en_harvester
 * and en_shepherd low, unmap with canary checks. Always does all of it; returns the first
 * error. A closed session is left alone.
 */
shp_err debug_session_close(struct debug_session *d);

#endif
