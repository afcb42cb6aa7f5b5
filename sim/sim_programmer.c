/* sim_programmer.c - the simulated programmer/ files and SWD/SBW firmware (sim_programmer.h). */
#include "sim_programmer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "node/cape.h"
#include "node/pru_firmware.h"
#include "pru/shepherd_abi.h"

#define POLL_MS 5
#define NRF52_OPEN_NS 100000000ull /* SWD connect, halt and ERASEALL */
#define MSP430_OPEN_NS 50000000ull /* SBW connect, JTAG id, fuse check */
#define NRF52_BITS_PER_WORD 322ull /* 7 transfers of 46 bit */
#define MSP430_WORD_NS 120000ull   /* fixed ~500 kHz SBW */

static const char *const pin_files[PROG_PIN_COUNT] = {
	PROG_SYSFS_PIN_TCK, PROG_SYSFS_PIN_TDIO, PROG_SYSFS_PIN_DIR_TDIO,
	PROG_SYSFS_PIN_TDO, PROG_SYSFS_PIN_TMS,  PROG_SYSFS_PIN_DIR_TMS};

bool sim_prog_parse_fault(struct sim_programmer *g, const char *text)
{
	static const char *const names[] = {"", "no-target", "verify", "write", "parse"};
	const char *colon = strchr(text, ':');
	size_t n = colon ? (size_t)(colon - text) : strlen(text);
	g->fault = SIM_PROG_FAULT_NONE;
	for (int k = 1; k <= SIM_PROG_PARSE; k++)
		if (strlen(names[k]) == n && strncmp(text, names[k], n) == 0)
			g->fault = (enum sim_prog_fault)k;
	g->fault_left = -1;
	if (g->fault != SIM_PROG_FAULT_NONE && colon) {
		char *end;
		long v = strtol(colon + 1, &end, 10);
		if (*end || end == colon + 1 || v < 1 || v > 1000000)
			g->fault = SIM_PROG_FAULT_NONE;
		g->fault_left = (int)v;
	}
	if (g->fault == SIM_PROG_FAULT_NONE)
		fprintf(stderr,
			"shepherd-pru-sim: --program-fault takes no-target, verify, write or parse, "
			"optionally with :N (the first N starts fail, N >= 1), not '%s'\n",
			text);
	return g->fault != SIM_PROG_FAULT_NONE;
}

bool sim_prog_owns(const char *name)
{
	return strncmp(name, PROG_SYSFS_DIR "/", sizeof(PROG_SYSFS_DIR)) == 0;
}

static void publish_state(struct sim_programmer *g, struct sim_sysfs *fs)
{
	char buf[48];
	sim_sysfs_publish(fs, PROG_SYSFS_STATE, prog_state_text(g->state, buf, sizeof(buf)));
}

/* One file as the kernel shows it. Only the file written: republishing another one could
 * replace a write of it that is not handled yet (inotify names files, the sheep writes the
 * files one after the other without waiting). */
static void publish_file(struct sim_programmer *g, struct sim_sysfs *fs, const char *name)
{
	if (strcmp(name, PROG_SYSFS_STATE) == 0)
		publish_state(g, fs);
	else if (strcmp(name, PROG_SYSFS_TARGET) == 0)
		sim_sysfs_publish(fs, name, prog_target_text(g->target));
	else if (strcmp(name, PROG_SYSFS_DATARATE) == 0)
		sim_sysfs_publish_u64(fs, name, g->datarate);
	else if (strcmp(name, PROG_SYSFS_DATASIZE) == 0)
		sim_sysfs_publish_u64(fs, name, g->datasize);
	for (int k = 0; k < PROG_PIN_COUNT; k++)
		if (strcmp(name, pin_files[k]) == 0)
			sim_sysfs_publish_u64(fs, name, g->pin[k]);
}

static void publish_all(struct sim_programmer *g, struct sim_sysfs *fs)
{
	publish_state(g, fs);
	sim_sysfs_publish(fs, PROG_SYSFS_TARGET, prog_target_text(g->target));
	sim_sysfs_publish_u64(fs, PROG_SYSFS_DATARATE, g->datarate);
	sim_sysfs_publish_u64(fs, PROG_SYSFS_DATASIZE, g->datasize);
	for (int k = 0; k < PROG_PIN_COUNT; k++)
		sim_sysfs_publish_u64(fs, pin_files[k], g->pin[k]);
}

/* a level of the simulator's GPIO tree; dflt when the pin is not there */
static bool gpio_level(const struct sim_programmer *g, unsigned gpio, bool dflt)
{
	char path[PATH_MAX + 64], c = 0;
	snprintf(path, sizeof(path), "%s/gpio/gpio%u/value", g->targets.root, gpio);
	FILE *f = fopen(path, "r");
	if (!f)
		return dflt;
	bool ok = fread(&c, 1, 1, f) == 1;
	fclose(f);
	return ok ? c == '1' : dflt;
}

static void log_run(struct sim_programmer *g, struct sim_sysfs *fs, const char *result)
{
	(void)fs;
	uint32_t word = g->dac_word;
	/* target_pwr_sel high: main to port A, aux to B */
	char aux_port = gpio_level(g, CAPE_GPIO_TARGET_PWR_SEL, false) ? 'B' : 'A';
	fprintf(stderr,
		"shepherd-pru-sim: programmer: target %s on port %c (pins tck %u, tdio %u, "
		"dir_tdio %u), %u bit/s, aux %.3f V on port %c, io_en %d: %s\n",
		prog_target_text(g->driver), g->port, (unsigned)g->pin[0], (unsigned)g->pin[1],
		(unsigned)g->pin[2], (unsigned)g->datarate, (double)(word & 0xFFFFu) / 13107.0,
		aux_port, gpio_level(g, CAPE_GPIO_TARGET_IO_EN, false), result);
}

static void end_run(struct sim_programmer *g, struct sim_sysfs *fs, int32_t state, const char *why)
{
	char buf[48], result[160];
	uint32_t bytes = g->state >= 0 ? (uint32_t)g->state : 0;
	g->state = state;
	g->phase = SIM_PROG_OFF;
	publish_state(g, fs);
	if (g->mem)
		sim_target_dump(&g->targets, g->port,
				g->driver == PROG_TARGET_MSP430 ? SIM_MCU_MSP430 : SIM_MCU_NRF52);
	snprintf(result, sizeof(result), "%u B written, %s%s%s", (unsigned)bytes,
		 prog_state_text(state, buf, sizeof(buf)), why[0] ? " - " : "", why);
	log_run(g, fs, result);
}

void sim_prog_reset(struct sim_programmer *g, struct sim_sysfs *fs)
{
	if (g->phase != SIM_PROG_OFF)
		end_run(g, fs, PROG_STATE_IDLE, "ended by a firmware swap");
	/* the DAC keeps the level of the last re-init while another firmware runs */
	char aux[32];
	if (sim_sysfs_read(fs, SHP_SYSFS_AUX_VOLTAGE, aux, sizeof(aux)) > 0)
		g->dac_word = (uint32_t)strtoul(aux, NULL, 10);
	sim_sysfs_subdir(fs, PROG_SYSFS_DIR, true); /* gone after a module unload */
	g->state = PROG_STATE_IDLE;
	g->target = PROG_TARGET_NONE;
	g->datarate = PROG_DEFAULT_DATARATE;
	g->datasize = 0;
	for (int k = 0; k < PROG_PIN_COUNT; k++)
		g->pin[k] = PROG_DEFAULT_PIN_FIRST + (uint32_t)k;
	publish_all(g, fs);
}

void sim_prog_init(struct sim_programmer *g, struct sim_sysfs *fs, const char *root)
{
	g->phase = SIM_PROG_OFF;
	g->mem = NULL;
	sim_targets_init(&g->targets, root);
	g->ready = true;
	sim_prog_reset(g, fs);
}

void sim_prog_shutdown(struct sim_programmer *g)
{
	if (g->phase == SIM_PROG_OFF)
		return;
	if (g->mem)
		sim_target_dump(&g->targets, g->port,
				g->driver == PROG_TARGET_MSP430 ? SIM_MCU_MSP430 : SIM_MCU_NRF52);
	fprintf(stderr,
		"shepherd-pru-sim: programmer: target %s on port %c: %d B written, ended by "
		"the module's unload\n",
		prog_target_text(g->driver), g->port, g->state >= 0 ? (int)g->state : 0);
	g->phase = SIM_PROG_OFF;
	g->state = PROG_STATE_IDLE;
}

void sim_prog_close(struct sim_programmer *g)
{
	sim_targets_free(&g->targets);
}

static void refuse(struct sim_programmer *g, struct sim_sysfs *fs, const char *name,
		   const char *text, const char *why)
{
	fprintf(stderr, "shepherd-pru-sim: rejected '%.40s' written to %s: %s\n", text, name, why);
	publish_file(g, fs, name); /* the write never happened */
}

static bool parse_u32(const char *text, uint32_t lo, uint32_t hi, uint32_t *v)
{
	char *end;
	if (text[0] < '0' || text[0] > '9')
		return false;
	unsigned long long x = strtoull(text, &end, 10);
	if (*end || x < lo || x > hi)
		return false;
	*v = (uint32_t)x;
	return true;
}

/* the firmware: INITIALIZING, driver, open; then step() erases and writes */
static void begin_run(struct sim_programmer *g, struct sim_sysfs *fs, const char *firmware0,
		      const uint8_t *iv_inp)
{
	enum pru_fw fw = pru_fw_kernel_pick(firmware0);
	g->state = PROG_STATE_INITIALIZING;
	publish_state(g, fs);
	g->driver = g->target;
	g->mem = NULL;
	g->port = gpio_level(g, CAPE_GPIO_TARGET_IO_SEL, true) ? 'A' : 'B';
	bool swd = fw == PRU_FW_SWD, sbw = fw == PRU_FW_SBW;
	if (!(g->target == PROG_TARGET_DUMMY || (swd && g->target == PROG_TARGET_NRF52) ||
	      (sbw && g->target == PROG_TARGET_MSP430))) {
		end_run(g, fs, PROG_STATE_ERR_GENERIC, "no driver for this target in this build");
		return;
	}
	g->faulty = g->fault != SIM_PROG_FAULT_NONE && g->fault_left != 0;
	if (g->faulty && g->fault_left > 0)
		g->fault_left--;
	if (g->target != PROG_TARGET_DUMMY) {
		enum sim_mcu mcu = g->target == PROG_TARGET_MSP430 ? SIM_MCU_MSP430 : SIM_MCU_NRF52;
		g->mem = sim_targets_get(&g->targets, g->port, mcu);
		if (!g->mem) {
			end_run(g, fs, PROG_STATE_ERR_GENERIC, "no memory for the target model");
			return;
		}
		sim_target_begin(g->mem);
	}
	bool open_ok;
	if (g->target == PROG_TARGET_DUMMY)
		open_ok = g->pin[0] || g->pin[1] || g->pin[2] || g->datarate;
	else /* the lines of a real target: GPIO0 pins only, distinct */
		open_ok = g->pin[0] < 32 && g->pin[1] < 32 && g->pin[2] < 32 &&
			  g->pin[0] != g->pin[1] && g->pin[1] != g->pin[2] &&
			  g->pin[0] != g->pin[2];
	if (g->faulty && g->fault == SIM_PROG_NO_TARGET)
		open_ok = false;
	if (!open_ok) {
		end_run(g, fs, PROG_STATE_ERR_OPEN, "no target answers");
		return;
	}
	sim_ihex_init(&g->hex, iv_inp, SHP_IV_INP_SIZE);
	g->phase = SIM_PROG_OPENING;
	g->t0 = mono_ns();
}

static void on_state(struct sim_programmer *g, struct sim_sysfs *fs, const char *text, bool idle,
		     const char *firmware0, const uint8_t *iv_inp)
{
	if (strncmp(text, "stop", 4) == 0) {
		if (g->phase != SIM_PROG_OFF)
			end_run(g, fs, PROG_STATE_IDLE, "stopped");
		g->state = PROG_STATE_IDLE;
		publish_state(g, fs);
	} else if (strncmp(text, "start", 5) != 0) {
		refuse(g, fs, PROG_SYSFS_STATE, text, "-EINVAL: neither start nor stop");
	} else if (!idle) {
		refuse(g, fs, PROG_SYSFS_STATE, text, "-EBUSY: state is not idle");
	} else if (g->phase != SIM_PROG_OFF) {
		refuse(g, fs, PROG_SYSFS_STATE, text, "a programming run is in progress");
	} else {
		g->state = PROG_STATE_STARTING;
		publish_state(g, fs);
		enum pru_fw fw = pru_fw_kernel_pick(firmware0);
		if (fw == PRU_FW_SWD || fw == PRU_FW_SBW)
			begin_run(g, fs, firmware0, iv_inp);
		/* else no programmer runs: the state stays "starting" */
	}
}

void sim_prog_write(struct sim_programmer *g, struct sim_sysfs *fs, const char *name,
		    const char *text, bool idle, const char *firmware0, const uint8_t *iv_inp,
		    struct sim_msg_box *box)
{
	(void)box;
	uint32_t v;
	if (strcmp(name, PROG_SYSFS_STATE) == 0) {
		on_state(g, fs, text, idle, firmware0, iv_inp);
		return;
	}
	if (!idle) {
		refuse(g, fs, name, text, "-EBUSY: state is not idle");
	} else if (strcmp(name, PROG_SYSFS_TARGET) == 0) {
		if (strncmp(text, "nrf52", 5) == 0)
			g->target = PROG_TARGET_NRF52;
		else if (strncmp(text, "msp430", 6) == 0)
			g->target = PROG_TARGET_MSP430;
		else if (strncmp(text, "dummy", 5) == 0)
			g->target = PROG_TARGET_DUMMY;
		else
			refuse(g, fs, name, text,
			       "-EINVAL: setting programmer-target failed -> unknown value");
	} else if (strcmp(name, PROG_SYSFS_DATARATE) == 0) {
		if (parse_u32(text, 1, PROG_DATARATE_MAX_KERNEL, &v))
			g->datarate = v;
		else
			refuse(g, fs, name, text, "-EINVAL: not 1 ... 10000000");
	} else if (strcmp(name, PROG_SYSFS_DATASIZE) == 0) {
		if (parse_u32(text, 1, SHP_CARVEOUT_SIZE, &v))
			g->datasize = v;
		else
			refuse(g, fs, name, text, "-EINVAL: not 1 ... the buffer size");
	} else {
		int k = 0;
		while (k < PROG_PIN_COUNT && strcmp(name, pin_files[k]) != 0)
			k++;
		if (k == PROG_PIN_COUNT)
			refuse(g, fs, name, text, "no such file");
		else if (parse_u32(text, 0, PROG_PIN_MAX_KERNEL, &v))
			g->pin[k] = v;
		else
			refuse(g, fs, name, text, "-EINVAL: not 0 ... 10000");
	}
	publish_file(g, fs, name); /* as the kernel shows it, accepted or not */
	if (g->verbose)
		fprintf(stderr, "shepherd-pru-sim: %s <- '%s'\n", name, text);
}

static uint64_t scaled(const struct sim_programmer *g, uint64_t ns)
{
	return g->speed > 0 ? (uint64_t)((double)ns / g->speed) : 0;
}

/* one word through the driver: 0 ok, else the error state (message posted) */
static int32_t put_word(struct sim_programmer *g, struct sim_msg_box *box, uint32_t addr,
			uint32_t value, unsigned width, bool first)
{
	bool ok, same;
	if (g->driver == PROG_TARGET_DUMMY) {
		ok = same = addr + value != 0;
	} else {
		bool msp = g->driver == PROG_TARGET_MSP430;
		ok = !(msp && addr >= PROG_MSP430_PROTECTED_LO &&
		       addr <= PROG_MSP430_PROTECTED_HI) &&
		     sim_target_write(g->mem, addr, value, width, !msp);
		same = ok && sim_target_read(g->mem, addr, width) == value;
	}
	if (first && g->faulty && g->fault == SIM_PROG_WRITE)
		ok = false;
	if (first && g->faulty && g->fault == SIM_PROG_VERIFY)
		same = false;
	if (!ok) {
		sim_msg_box_post(box, PROG_MSG_WRITE_ERROR, addr, value);
		return PROG_STATE_ERR_WRITE;
	}
	if (!same) {
		sim_msg_box_post(box, PROG_MSG_VERIFY_ERROR, addr, value);
		return PROG_STATE_ERR_VERIFY;
	}
	return 0;
}

/* records while the pace allows; false when the run ended */
static bool write_records(struct sim_programmer *g, struct sim_sysfs *fs, struct sim_msg_box *box,
			  uint64_t allowed)
{
	struct sim_ihex_record rec;
	unsigned width = g->driver == PROG_TARGET_MSP430 ? 2 : 4;
	while (g->words < allowed) {
		int r = g->faulty && g->fault == SIM_PROG_PARSE ? -PROG_IHEX_ERR_CHECKSUM
								: sim_ihex_next(&g->hex, &rec);
		if (r == 0) {
			end_run(g, fs, PROG_STATE_IDLE, "");
			return false;
		}
		if (r < 0) {
			sim_msg_box_post(box, PROG_MSG_PARSE_ERROR, (uint32_t)-r, 0);
			char why[48];
			snprintf(why, sizeof(why), "Intel-HEX error %d", -r);
			end_run(g, fs, PROG_STATE_ERR_PARSE, why);
			return false;
		}
		/* remainder bytes of a record that is not a whole number of words are dropped */
		for (unsigned k = 0; k + width <= rec.len; k += width) {
			uint32_t value = 0;
			for (unsigned b = 0; b < width; b++)
				value |= (uint32_t)rec.data[k + b] << (8 * b);
			int32_t e = put_word(g, box, rec.addr + k, value, width, g->words == 0);
			if (e) {
				end_run(g, fs, e, "");
				return false;
			}
			g->words++;
		}
		g->state += rec.len;
	}
	return true;
}

int sim_prog_step(struct sim_programmer *g, struct sim_sysfs *fs, struct sim_msg_box *box)
{
	if (g->phase == SIM_PROG_OFF)
		return -1;
	uint64_t now = mono_ns();
	if (g->phase == SIM_PROG_OPENING) {
		uint64_t open_ns = g->driver == PROG_TARGET_NRF52    ? NRF52_OPEN_NS
				   : g->driver == PROG_TARGET_MSP430 ? MSP430_OPEN_NS
								     : 0;
		uint64_t due = g->t0 + scaled(g, open_ns);
		if (now < due)
			return 1;
		if (g->driver == PROG_TARGET_NRF52)
			sim_target_erase(g->mem);
		g->state = 0;
		g->words = 0;
		g->phase = SIM_PROG_WRITING;
		g->t0 = now;
		publish_state(g, fs);
	}
	uint64_t word_ns = g->driver == PROG_TARGET_NRF52
				   ? NRF52_BITS_PER_WORD * SHP_NS_PER_S / g->datarate
			   : g->driver == PROG_TARGET_MSP430 ? MSP430_WORD_NS
							     : 0;
	word_ns = scaled(g, word_ns);
	uint64_t allowed = word_ns ? (now - g->t0) / word_ns + 1 : UINT64_MAX;
	int32_t before = g->state;
	if (!write_records(g, fs, box, allowed))
		return POLL_MS;
	if (g->state != before)
		publish_state(g, fs);
	return 1;
}
