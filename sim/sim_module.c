/* sim_module.c - the kernel module's load and unload, requested through sysfs/sim_module. */
#include "sim_module.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pru/shepherd_abi.h"

/* what an unload leaves: the simulator's own files */
static const char *const own_files[] = {SIM_MODULE_FILE, SHP_SYSFS_SIM_LOCKSTEP, NULL};

static int write_memory_files(struct sim_module *m)
{
	static const char *const names[] = {"iv_inp", "iv_out", "gpio", "util"};
	static const uint64_t offsets[] = {SHP_CARVEOUT_IV_INP_OFF, SHP_CARVEOUT_IV_OUT_OFF,
					   SHP_CARVEOUT_GPIO_OFF, SHP_CARVEOUT_UTIL_OFF};
	static const uint64_t sizes[] = {SHP_IV_INP_SIZE, SHP_IV_OUT_SIZE, SHP_GPIO_SIZE,
					 SHP_UTIL_SIZE};
	if (sim_sysfs_subdir(m->sysfs, "memory", false) != 0 ||
	    sim_sysfs_subdir(m->sysfs, "sync", false) != 0)
		return -1;
	char name[64];
	for (int r = 0; r < 4; r++) {
		snprintf(name, sizeof(name), "memory/%s_address", names[r]);
		if (sim_sysfs_publish_u64(m->sysfs, name, m->carveout_addr + offsets[r]) != 0)
			return -1;
		snprintf(name, sizeof(name), "memory/%s_size", names[r]);
		if (sim_sysfs_publish_u64(m->sysfs, name, sizes[r]) != 0)
			return -1;
	}
	static const char *const zeros[] = {"sync/error", "sync/error_sum", "sync/correction",
					    SHP_SYSFS_GPIO_MASK, NULL};
	for (int k = 0; zeros[k]; k++)
		if (sim_sysfs_publish(m->sysfs, zeros[k], "0") != 0)
			return -1;
	return 0; /* the settings, firmware and aux files: sim_pru_init() */
}

/* As after the firmware's boot: indices "none yet", canaries in place. */
static void init_rings(uint8_t *base)
{
	static const uint32_t idx_offs[] = {SHP_CARVEOUT_IV_INP_OFF, SHP_CARVEOUT_IV_OUT_OFF,
					    SHP_CARVEOUT_GPIO_OFF, SHP_CARVEOUT_UTIL_OFF};
	static const uint32_t canary_offs[] = {SHP_CARVEOUT_IV_INP_OFF + SHP_IV_INP_CANARY_OFF,
					       SHP_CARVEOUT_IV_OUT_OFF + SHP_IV_OUT_CANARY_OFF,
					       SHP_CARVEOUT_GPIO_OFF + SHP_GPIO_CANARY_OFF,
					       SHP_CARVEOUT_UTIL_OFF + SHP_UTIL_CANARY_OFF};
	uint32_t none = SHP_IDX_OUT_OF_BOUND, canary = SHP_CANARY_VALUE_U32;
	for (int r = 0; r < 4; r++) {
		memcpy(base + idx_offs[r], &none, 4);
		memcpy(base + canary_offs[r], &canary, 4);
	}
}

int sim_module_publish(struct sim_module *m)
{
	return sim_sysfs_publish(m->sysfs, SIM_MODULE_FILE, m->loaded ? "loaded" : "unloaded");
}

int sim_module_load(struct sim_module *m)
{
	sim_sysfs_clear(m->sysfs, own_files); /* what others wrote while unloaded */
	if (write_memory_files(m) != 0)
		return -1;
	init_rings(m->carveout);
	if (!sim_pru_init(m->pru)) {
		errno = ENOMEM;
		return -1;
	}
	m->loaded = true;
	return 0;
}

void sim_module_unload(struct sim_module *m)
{
	sim_pru_shutdown(m->pru);
	sim_sysfs_clear(m->sysfs, own_files);
	m->loaded = false;
}

/* Carries out a request; NULL on success, else why it failed. */
static const char *carry_out(struct sim_module *m, const char *what)
{
	if (m->fail_next > 0) {
		m->fail_next--;
		return "injected failure (--module-fail)";
	}
	bool load = strcmp(what, "load") == 0;
	if (load == m->loaded)
		return NULL; /* as kmod: loading a loaded module, removing a removed one */
	if (!load) {
		sim_module_unload(m);
		return NULL;
	}
	if (sim_module_load(m) != 0) {
		sim_module_unload(m);
		return "the module's files could not be made";
	}
	return NULL;
}

static void on_request(struct sim_module *m)
{
	if (sim_sysfs_is_own(m->sysfs, SIM_MODULE_FILE))
		return;
	char text[160], what[16], id[64];
	if (sim_sysfs_read(m->sysfs, SIM_MODULE_FILE, text, sizeof(text)) <= 0)
		return; /* empty: a write still in progress */
	char answer[320];
	if (sscanf(text, "%15s %63s", what, id) != 2 ||
	    (strcmp(what, "load") != 0 && strcmp(what, "unload") != 0)) {
		fprintf(stderr,
			"shepherd-pru-sim: module: bad request '%s' (wanted: load ID or unload ID)\n",
			text);
		snprintf(answer, sizeof(answer), "%s - failed: bad request (load ID or unload ID)",
			 m->loaded ? "loaded" : "unloaded");
		sim_sysfs_publish(m->sysfs, SIM_MODULE_FILE, answer);
		return;
	}
	const char *why = carry_out(m, what);
	if (why)
		fprintf(stderr, "shepherd-pru-sim: module: %s refused: %s\n", what, why);
	else
		fprintf(stderr, "shepherd-pru-sim: module: %s done, the module is %s\n", what,
			m->loaded ? "loaded" : "unloaded");
	snprintf(answer, sizeof(answer), "%s %s %s%s", m->loaded ? "loaded" : "unloaded", id,
		 why ? "failed: " : "ok", why ? why : "");
	sim_sysfs_publish(m->sysfs, SIM_MODULE_FILE, answer);
}

void sim_module_on_event(void *ctx, enum sim_event_kind kind, const char *name)
{
	struct sim_module *m = ctx;
	if (strcmp(name, SIM_MODULE_FILE) == 0) {
		on_request(m);
	} else if (m->loaded) {
		sim_pru_on_event(m->pru, kind, name);
	} else if (m->verbose && strcmp(name, SHP_SYSFS_SIM_LOCKSTEP) != 0 &&
		   strcmp(name, SHP_SYSFS_MSG_BOX) != 0) {
		fprintf(stderr,
			"shepherd-pru-sim: %s written while the module is unloaded: ignored\n",
			name);
	}
}
