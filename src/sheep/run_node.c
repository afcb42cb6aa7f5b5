/*
 * run_node.c - the node around a run, as the predecessor's ShepherdIO does it (sheep-datapath.md
 * 2.5, node-control.md 1.4, 2.7): the task's PRU firmware, the cape on with the mode's
 * front-end, the target ports of an emulation, and everything off again at the end - also
 * after a failure or a signal, once the recording is closed.
 */
#include <string.h>

#include "common/log.h"
#include "node/node_env.h"
#include "node/pru_firmware.h"
#include "node/sysfs_gpio.h"
#include "sheep/pru_control.h"
#include "sheep/run_internal.h"

#define IO_OFF_SETTLE_S 2.0 /* emulation: after the level converter goes off */

shp_err run_node_enter(struct run *h)
{
	const char *root = h->opt->sysfs_root;
	SHP_TRY(pru_fw_load(root, h->emu ? PRU_FW_EMU : PRU_FW_HRV));
	SHP_TRY(pru_fw_load(root, PRU_FW_PRU1));
	cape_init(&h->cape, h->opt->gpio_root ? h->opt->gpio_root : sysfs_gpio_root());
	h->cape_entered = true; /* from here on, the end switches the cape off */
	SHP_TRY(cape_enter(&h->cape));
	SHP_TRY(pru_stop(&h->sysfs));
	return cape_front_end(&h->cape, h->emu ? CAPE_GPIO_EN_EMULATOR : CAPE_GPIO_EN_HARVESTER,
			      true);
}

/* cape_pin, with a failure logged. */
static shp_err route_pin(struct run *h, unsigned gpio, bool level, const char *what)
{
	shp_err e = cape_pin(&h->cape, gpio, level);
	if (e != SHP_OK)
		log_error("cannot set %s (GPIO %u): %s", what, gpio, h->cape.why);
	return e;
}

shp_err run_node_route_ports(struct run *h)
{
	const struct shp_task *t = h->task;
	bool port_a = cape_port_is_a(t->io_port);
	if (t->pwr_port != t->io_port)
		log_warn("pwr_port %c is ignored, as the predecessor does: the target on the IO "
			 "port %c gets the emulated supply, the other port the aux rail",
			 t->pwr_port, t->io_port);
	SHP_TRY(route_pin(h, CAPE_GPIO_TARGET_IO_EN, t->enable_io, "the level converter"));
	SHP_TRY(route_pin(h, CAPE_GPIO_TARGET_IO_SEL, port_a, "target_io_sel"));
	SHP_TRY(route_pin(h, CAPE_GPIO_TARGET_PWR_SEL, port_a, "target_pwr_sel"));
	log_info("target port %c: emulated supply and IO (level converter %s)", t->io_port,
		 t->enable_io ? "on" : "off");
	return SHP_OK;
}

void run_node_io_off(struct run *h)
{
	if (!h->cape_entered || !h->emu)
		return;
	if (cape_pin(&h->cape, CAPE_GPIO_TARGET_IO_EN, false) != SHP_OK)
		log_error("cannot switch the level converter off: %s", h->cape.why);
	node_settle(IO_OFF_SETTLE_S);
}

shp_err run_node_leave(struct run *h)
{
	if (!h->cape_entered)
		return SHP_OK;
	shp_err result = SHP_OK;
	if (h->sysfs.root[0]) {
		/* write_mode("none", force=True), then stops until idle, then aux 0 V */
		pru_stop(&h->sysfs);
		if (sysfs_write(&h->sysfs, SHP_SYSFS_MODE, "none") != SHP_OK)
			result = SHP_ERR_SYSFS;
		if (pru_stop(&h->sysfs) == SHP_OK) {
			if (sysfs_write(&h->sysfs, SHP_SYSFS_AUX_VOLTAGE, "0") != SHP_OK)
				result = SHP_ERR_SYSFS;
		} else {
			result = SHP_ERR_PRU;
		}
	}
	shp_err e = cape_leave(&h->cape);
	if (result == SHP_OK)
		result = e;
	h->cape_entered = false;
	return result;
}
