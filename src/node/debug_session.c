/*
 * debug_session.c - the predecessor's ShepherdDebug session (node-control.md 2.8): what program
 * and blink run inside. Opening switches the cape on and puts PRU0 into mode debug with the
 * rings mapped; closing always switches everything off again, whatever failed before.
 */
#include "node/debug_session.h"

#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "node/kmod.h"
#include "node/pru_firmware.h"
#include "node/sysfs_gpio.h"
#include "sheep/pru_control.h"

#define GPIO_MASK_ALL 0x3FFu /* the tracer mask the session writes (all ten target pins) */
#define MSG_BOX_DEPTH 128
#define MSG_SETTLE_NS (20 * SHP_NS_PER_MS)

static shp_err map_rings(struct debug_session *d)
{
	struct shp_mem_layout layout;
	SHP_TRY(shm_discover(&d->sysfs, &layout));
	SHP_TRY(shm_map(&d->shm, d->paths.mem_device, &layout));
	d->mapped = true;
	shm_init_rings(&d->shm, SHM_RING_BIT(SHP_RING_IV_OUT) | SHM_RING_BIT(SHP_RING_UTIL));
	SHP_TRY(pru_stop(&d->sysfs));
	return sysfs_write_u64(&d->sysfs, SHP_SYSFS_GPIO_MASK, GPIO_MASK_ALL);
}

static shp_err enter(struct debug_session *d)
{
	SHP_TRY(cape_enter(&d->cape));
	SHP_TRY(pru_stop(&d->sysfs));
	SHP_TRY(cape_front_end(&d->cape, CAPE_GPIO_EN_EMULATOR, false));
	SHP_TRY(cape_front_end(&d->cape, CAPE_GPIO_EN_HARVESTER, false));
	SHP_TRY(pru_reset_to_mode(&d->sysfs, "debug"));
	SHP_TRY(map_rings(d));
	struct pru_msg_summary sum = {0};
	SHP_TRY(pru_drain_messages(&d->sysfs, MSG_BOX_DEPTH, MSG_SETTLE_NS, &sum));
	SHP_TRY(pru_stop(&d->sysfs));
	SHP_TRY(cape_front_end(&d->cape, CAPE_GPIO_EN_HARVESTER, true));
	SHP_TRY(cape_front_end(&d->cape, CAPE_GPIO_EN_EMULATOR, true));
	return pru_stop(&d->sysfs);
}

shp_err debug_session_open(struct debug_session *d, const struct node_paths *paths)
{
	memset(d, 0, sizeof(*d));
	d->paths = *paths;
	cape_init(&d->cape, paths->gpio_root ? paths->gpio_root : sysfs_gpio_root());
	SHP_TRY(kmod_check_access(paths->sysfs_root));
	SHP_TRY(pru_fw_load(paths->sysfs_root, PRU_FW_EMU));
	SHP_TRY(pru_fw_load(paths->sysfs_root, PRU_FW_PRU1));
	SHP_TRY(sysfs_open(&d->sysfs, paths->sysfs_root));
	d->open = true;
	shp_err e = enter(d);
	if (e != SHP_OK)
		debug_session_close(d);
	return e;
}

shp_err debug_session_unmap(struct debug_session *d)
{
	if (!d->mapped)
		return SHP_OK;
	shp_err e = shm_check_canaries(&d->shm);
	shm_unmap(&d->shm);
	d->mapped = false;
	return e;
}

shp_err debug_session_remap(struct debug_session *d)
{
	if (d->mapped)
		return SHP_OK;
	return map_rings(d);
}

/* A forced mode none (stop, then the mode), then stops until idle (pru_stop: up to 5); whether
 * the PRU is idle after it. */
static bool stop_pru(struct debug_session *d)
{
	pru_stop(&d->sysfs);
	if (sysfs_write(&d->sysfs, SHP_SYSFS_MODE, "none") != SHP_OK)
		log_warn("could not set the PRU's mode to none");
	return pru_stop(&d->sysfs) == SHP_OK;
}

shp_err debug_session_close(struct debug_session *d)
{
	if (!d->open)
		return SHP_OK;
	d->open = false;
	shp_err first = SHP_OK;
	if (stop_pru(d)) {
		if (sysfs_write(&d->sysfs, SHP_SYSFS_AUX_VOLTAGE, "0") != SHP_OK)
			first = SHP_ERR_SYSFS;
	} else {
		log_error("the PRU did not become idle when the session ended: aux voltage left");
		first = SHP_ERR_PRU;
	}
	shp_err e = cape_leave(&d->cape);
	if (first == SHP_OK)
		first = e;
	e = debug_session_unmap(d);
	if (first == SHP_OK)
		first = e;
	return first;
}
