/*
 * sim_module.h - the shepherd kernel module's load and unload in the simulator
 * (node-control.md 1.1 - 1.3), driven by the stand-in loader sim-modprobe.
 *
 * The control file sysfs/sim_module (the simulator's own, kept while unloaded, like
 * sim_lockstep) reads "loaded" or "unloaded" at rest. sim-modprobe writes a request
 * "load ID" or "unload ID" (ID: any token without blanks, naming this request) and waits for
 * the answer, which the simulator publishes as
 *   "<loaded|unloaded> ID ok"            done (unloading twice and loading twice are fine,
 *                                         as with kmod: nothing happens the second time)
 *   "<loaded|unloaded> ID failed: WHY"   refused (an injected failure, a bad request)
 * Unload: a running PRU stops, every sysfs file but sim_module and sim_lockstep disappears
 * (subdirectories such as memory/ and programmer/ too), writes are ignored until the next
 * load. Load: everything as at the simulator's start (sim_pru_init). --module-fail N makes the
 * next N requests fail.
 */
#ifndef SIM_MODULE_H
#define SIM_MODULE_H

#include <stdbool.h>
#include <stdint.h>

#include "pru_model.h"
#include "sim_sysfs.h"

#define SIM_MODULE_FILE "sim_module"

struct sim_module {
	struct sim_sysfs *sysfs;
	struct sim_pru *pru;
	uint8_t *carveout;      /* the mapped rings */
	uint64_t carveout_addr; /* their "physical" address */
	bool loaded;
	unsigned fail_next; /* requests still to fail (--module-fail) */
	int verbose;
};

/*
 * Loads the module: the sysfs tree, the rings as after the firmware's boot (indices "none
 * yet", canaries), the PRUs (sim_pru_init). -1 if a file could not be made or there is no
 * memory for the twin (errno set).
 */
int sim_module_load(struct sim_module *m);

/* Unloads it: the PRUs shut down, the tree but the simulator's own files removed. */
void sim_module_unload(struct sim_module *m);

/* Publishes the control file at rest ("loaded" / "unloaded"). */
int sim_module_publish(struct sim_module *m);

/*
 * The inotify callback of the sysfs tree (ctx: the sim_module): requests to the control file,
 * everything else to the PRUs while loaded, ignored (and logged with -v) while not.
 */
void sim_module_on_event(void *ctx, enum sim_event_kind kind, const char *name);

#endif
