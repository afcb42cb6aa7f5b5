/*
 * cape.c - the cape's control pins, the aux DAC word and target-power (node-control.md 2.2,
 * 2.4, 2.5). A pin that already is an output only gets its level written, so switching a
 * session on does not glitch a cape that is on already (the predecessor's GPIO library did).
 */
#include "node/cape.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "node/node_env.h"
#include "node/pru_firmware.h"
#include "node/sysfs_gpio.h"
#include "settings/calibration.h"
#include "settings/round_even.h"
#include "sheep/pru_control.h"

#define CAPE_SUPPLY_SETTLE_S 1.0 /* after en_shepherd goes high */
#define FRONT_END_SETTLE_S 0.5   /* after a front-end is enabled (ADC out of reset) */
#define AUX_LIMIT_V 5.0

void cape_init(struct cape *c, const char *gpio_root)
{
	c->gpio_root = gpio_root;
	c->why[0] = '\0';
}

shp_err cape_pin(struct cape *c, unsigned gpio, bool level)
{
	log_debug("cape: GPIO %u := %d", gpio, level ? 1 : 0);
	c->why[0] = '\0';
	if (sysfs_gpio_is_output(c->gpio_root, gpio))
		return sysfs_gpio_set(c->gpio_root, gpio, level, c->why, sizeof(c->why));
	return sysfs_gpio_output(c->gpio_root, gpio, level, c->why, sizeof(c->why));
}

/* cape_pin, with the failure logged under what the pin is for. */
static shp_err pin_logged(struct cape *c, unsigned gpio, bool level, const char *what)
{
	shp_err e = cape_pin(c, gpio, level);
	if (e != SHP_OK)
		log_error("cannot switch %s (GPIO %u) %s: %s", what, gpio, level ? "on" : "off",
			  c->why);
	return e;
}

shp_err cape_enter(struct cape *c)
{
	SHP_TRY(pin_logged(c, CAPE_GPIO_EN_HARVESTER, false, "the harvester front-end"));
	SHP_TRY(pin_logged(c, CAPE_GPIO_EN_EMULATOR, false, "the emulator front-end"));
	SHP_TRY(pin_logged(c, CAPE_GPIO_TARGET_PWR_SEL, false, "target_pwr_sel"));
	SHP_TRY(pin_logged(c, CAPE_GPIO_TARGET_IO_SEL, false, "target_io_sel"));
	SHP_TRY(pin_logged(c, CAPE_GPIO_TARGET_IO_EN, false, "the level converter"));
	SHP_TRY(pin_logged(c, CAPE_GPIO_EN_SHEPHERD, true, "the cape supply"));
	return node_settle(CAPE_SUPPLY_SETTLE_S);
}

shp_err cape_front_end(struct cape *c, unsigned gpio, bool on)
{
	const char *what = gpio == CAPE_GPIO_EN_HARVESTER ? "the harvester front-end"
							  : "the emulator front-end";
	SHP_TRY(pin_logged(c, gpio, on, what));
	return on ? node_settle(FRONT_END_SETTLE_S) : SHP_OK;
}

shp_err cape_leave(struct cape *c)
{
	static const struct {
		unsigned gpio;
		const char *what;
	} pins[] = {
		{CAPE_GPIO_TARGET_IO_EN, "the level converter"},
		{CAPE_GPIO_EN_EMULATOR, "the emulator front-end"},
		{CAPE_GPIO_EN_HARVESTER, "the harvester front-end"},
		{CAPE_GPIO_EN_SHEPHERD, "the cape supply"},
	};
	shp_err first = SHP_OK;
	for (unsigned k = 0; k < sizeof(pins) / sizeof(pins[0]); k++) {
		shp_err e = pin_logged(c, pins[k].gpio, false, pins[k].what);
		if (first == SHP_OK)
			first = e;
	}
	return first;
}

bool cape_port_is_a(char port)
{
	return port != 'B' && port != 'b';
}

struct shp_cal_pair cape_aux_default_cal(void)
{
	struct cal_cape nominal;
	cal_nominal(&nominal);
	return nominal.emulator.dac_V_A;
}

shp_err cape_aux_word(double volts, const struct shp_cal_pair *dac_V_A, uint32_t *word)
{
	if (isnan(volts)) {
		log_error("aux voltage is not a number");
		return SHP_ERR_CONFIG;
	}
	if (volts < 0) {
		log_error("sending voltage with negative value (%g V)", volts);
		return SHP_ERR_CONFIG;
	}
	if (volts > AUX_LIMIT_V) {
		log_error("sending voltage above limit of 5V (%g V)", volts);
		return SHP_ERR_CONFIG;
	}
	double raw = shp_round_half_even(fmax(0.0, (volts - dac_V_A->offset) / dac_V_A->gain));
	*word = raw > 65535.0 ? 65535u : (uint32_t)raw;
	return SHP_OK;
}

/*
 * Only the EMU firmware applies the aux word to the emulator's DAC and takes mode emulator; the
 * predecessor relied on it being loaded (a harvest leaves HRV behind). Loaded if another runs.
 */
static shp_err ensure_emu_firmware(const struct shp_sysfs *s)
{
	char now[128];
	const char *emu = pru_fw_name(PRU_FW_EMU);
	SHP_TRY(pru_stop(s)); /* the firmware file reads only while idle */
	SHP_TRY(pru_fw_loaded(s->root, 0, now, sizeof(now)));
	if (strcmp(now, emu) == 0)
		return SHP_OK;
	log_info("PRU0 runs %s: loading %s first, which the aux word and mode emulator need", now,
		 emu);
	return pru_fw_load(s->root, PRU_FW_EMU);
}

shp_err cape_target_power(struct cape *c, const char *sysfs_root,
			  const struct cape_power_request *req)
{
	double volts = req->on ? req->volts : 0.0;
	bool a_is_aux = cape_port_is_a(req->port);
	struct shp_cal_pair cal = cape_aux_default_cal();
	uint32_t word;
	SHP_TRY(cape_aux_word(volts, &cal, &word)); /* checked before any pin moves */
	struct shp_sysfs sysfs;
	SHP_TRY(sysfs_open(&sysfs, sysfs_root));
	SHP_TRY(ensure_emu_firmware(&sysfs));
	SHP_TRY(pin_logged(c, CAPE_GPIO_EN_SHEPHERD, req->on, "the cape supply"));
	SHP_TRY(pin_logged(c, CAPE_GPIO_TARGET_PWR_SEL, !a_is_aux, "target_pwr_sel"));
	SHP_TRY(pin_logged(c, CAPE_GPIO_TARGET_IO_SEL, a_is_aux, "target_io_sel"));
	SHP_TRY(pin_logged(c, CAPE_GPIO_TARGET_IO_EN, req->gpio_pass, "the level converter"));
	log_info("target-power: cape %s, port %c from the aux rail at %.3f V (aux word %u), IO "
		 "%s",
		 req->on ? "on" : "off", a_is_aux ? 'A' : 'B', volts, word,
		 req->gpio_pass ? "passed" : "omitted");
	/* the kernel takes the word only while idle; it re-initialises the PRU */
	SHP_TRY(pru_stop(&sysfs));
	SHP_TRY(pru_set_aux(&sysfs, word));
	/* write_mode("emulator", force=True): the re-init applies the aux code */
	SHP_TRY(pru_reset_to_mode(&sysfs, "emulator"));
	SHP_TRY(pru_stop(&sysfs));
	log_info("Re-Initialized PRU to finalize settings");
	return SHP_OK;
}
