/*
 * cmd_node.c - fix, pru, target-power, blink and rpc (node-control.md 1.5, 1.6, 2.5, 2.6, 7):
 * options, defaults and exit codes as the predecessor's click commands (an invalid choice or
 * number is a usage error, exit 2).
 */
#include "cli/cmd_node.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/stop.h"
#include "node/cape.h"
#include "node/kmod.h"
#include "node/node_env.h"
#include "node/pru_firmware.h"

#define BLINK_DEFAULT_S 30
#define BLINK_STEP_S 0.125

/* Whether -h or --help is among the arguments. */
static bool wants_help(int argc, char **argv)
{
	for (int k = 1; k < argc; k++)
		if (strcmp(argv[k], "-h") == 0 || strcmp(argv[k], "--help") == 0)
			return true;
	return false;
}

shp_err cmd_fix(const struct node_paths *paths, int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		fputs("Usage: shepherd-sheep fix\n\n"
		      "Reloads the shepherd kernel module: 'modprobe -rf shepherd' three times, then\n"
		      "'modprobe -a shepherd' (SHEPHERD_MODPROBE), each retried up to 6 times.\n"
		      "Both PRUs restart with their default firmware. Exit 0, or 1 if it failed.\n",
		      stdout);
		return SHP_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "shepherd-sheep fix: takes no arguments, got '%s'\n", argv[1]);
		return SHP_ERR_USAGE;
	}
	shp_log_set_console_level(SHP_LOG_DEBUG);
	return kmod_reload(paths->sysfs_root);
}

static const char *const pru_choices[] = {"default", "emu", "hrv", "swd", "sbw", "sync"};
#define PRU_CHOICES_N (sizeof(pru_choices) / sizeof(pru_choices[0]))

shp_err cmd_pru(const struct node_paths *paths, int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		fputs("Usage: shepherd-sheep pru [default|emu|hrv|swd|sbw|sync]\n\n"
		      "Loads a firmware onto PRU0 (default: default): emu = emulation (also for\n"
		      "default and sync), hrv = harvesting, swd = the nRF52 programmer, sbw = the\n"
		      "MSP430 programmer. PRU0 restarts and its settings return to the kernel's\n"
		      "test patterns; PRU1 is left alone. Exit 0, 1 if the driver stays locked up,\n"
		      "2 for an unknown firmware.\n",
		      stdout);
		return SHP_OK;
	}
	if (argc > 2) {
		fprintf(stderr, "shepherd-sheep pru: takes one FIRMWARE, got %d arguments\n",
			argc - 1);
		return SHP_ERR_USAGE;
	}
	const char *choice = argc > 1 ? argv[1] : "default";
	bool known = false;
	for (unsigned k = 0; k < PRU_CHOICES_N; k++)
		known = known || strcmp(choice, pru_choices[k]) == 0;
	if (!known) {
		fprintf(stderr,
			"shepherd-sheep pru: invalid value for FIRMWARE: '%s' is not one of "
			"'default', 'emu', 'hrv', 'swd', 'sbw', 'sync'\n",
			choice);
		return SHP_ERR_USAGE;
	}
	shp_log_set_console_level(SHP_LOG_DEBUG);
	SHP_TRY(kmod_check_access(paths->sysfs_root));
	return pru_fw_load(paths->sysfs_root, pru_fw_pick(choice));
}

static void target_power_usage(FILE *out)
{
	fputs("Usage: shepherd-sheep target-power [--on|--off] [-v VOLTS] [--gpio-pass|--gpio-omit]\n"
	      "                                   [-p A|B]\n\n"
	      "Powers the target port from the cape's aux rail, as the predecessor does: cape\n"
	      "supply on (23), target_pwr_sel (31) and target_io_sel (30) for the port, the level\n"
	      "converter (60) on with --gpio-pass, the aux word of VOLTS (default calibration),\n"
	      "PRU0 re-initialised in mode emulator. The levels stay after the command ends.\n\n"
	      "Options:\n"
	      "      --on / --off        cape and aux rail on (default) or off (0 V)\n"
	      "  -v, --voltage VOLTS     aux rail voltage, 0 to 5 (default 3.0)\n"
	      "      --gpio-pass / --gpio-omit\n"
	      "                          level converter to the target on (default) or off\n"
	      "  -p, --target-port A|B   the port that gets the aux rail and the IO (default A)\n"
	      "  -h, --help              show this help and exit\n",
	      out);
}

static bool parse_volts(const char *text, double *volts)
{
	char *end;
	*volts = strtod(text, &end);
	return end != text && *end == '\0';
}

shp_err cmd_target_power(const struct node_paths *paths, int argc, char **argv)
{
	static const struct option opts[] = {
		{"on", no_argument, NULL, 'O'},
		{"off", no_argument, NULL, 'F'},
		{"voltage", required_argument, NULL, 'v'},
		{"gpio-pass", no_argument, NULL, 'P'},
		{"gpio-omit", no_argument, NULL, 'M'},
		{"target-port", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cape_power_request req = {.on = true, .volts = 3.0, .gpio_pass = true, .port = 'A'};
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "v:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'O':
		case 'F':
			req.on = c == 'O';
			break;
		case 'P':
		case 'M':
			req.gpio_pass = c == 'P';
			break;
		case 'v':
			if (!parse_volts(optarg, &req.volts)) {
				fprintf(stderr,
					"shepherd-sheep target-power: invalid value for --voltage: "
					"'%s' is not a valid float\n",
					optarg);
				return SHP_ERR_USAGE;
			}
			break;
		case 'p':
			if (strcmp(optarg, "A") != 0 && strcmp(optarg, "B") != 0) {
				fprintf(stderr,
					"shepherd-sheep target-power: invalid value for "
					"--target-port: '%s' is not one of 'A', 'B'\n",
					optarg);
				return SHP_ERR_USAGE;
			}
			req.port = optarg[0];
			break;
		case 'h':
			target_power_usage(stdout);
			return SHP_OK;
		default:
			target_power_usage(stderr);
			return SHP_ERR_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "shepherd-sheep target-power: unexpected argument '%s'\n",
			argv[optind]);
		return SHP_ERR_USAGE;
	}
	SHP_TRY(kmod_check_access(paths->sysfs_root));
	struct cape cape;
	cape_init(&cape, paths->gpio_root);
	return cape_target_power(&cape, paths->sysfs_root, &req);
}

/* One blink period (0.5 s): io_sel to A, pwr_sel to A, pwr_sel to B, io_sel to B. */
static shp_err blink_once(struct cape *c)
{
	static const struct {
		unsigned gpio;
		bool level;
	} steps[] = {
		{CAPE_GPIO_TARGET_IO_SEL, true},
		{CAPE_GPIO_TARGET_PWR_SEL, true},
		{CAPE_GPIO_TARGET_PWR_SEL, false},
		{CAPE_GPIO_TARGET_IO_SEL, false},
	};
	for (unsigned k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		if (cape_pin(c, steps[k].gpio, steps[k].level) != SHP_OK) {
			log_error("blink: cannot switch GPIO %u: %s", steps[k].gpio, c->why);
			return SHP_ERR_SYSFS;
		}
		SHP_TRY(node_settle(BLINK_STEP_S));
	}
	return SHP_OK;
}

static shp_err blink_in_session(struct debug_session *d, long seconds)
{
	SHP_TRY(cape_front_end(&d->cape, CAPE_GPIO_EN_EMULATOR, true));
	if (cape_pin(&d->cape, CAPE_GPIO_TARGET_IO_EN, true) != SHP_OK) {
		log_error("blink: cannot switch the level converter on: %s", d->cape.why);
		return SHP_ERR_SYSFS;
	}
	for (long k = 0; k < 2 * seconds; k++)
		SHP_TRY(blink_once(&d->cape));
	return SHP_OK;
}

shp_err cmd_blink(const struct node_paths *paths, int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		fputs("Usage: shepherd-sheep blink [SECONDS]\n\n"
		      "Blinks the LEDs next to the target ports for SECONDS (default 30): a debug\n"
		      "session (PRU0 EMU firmware, cape on, mode debug), the emulator front-end and\n"
		      "the level converter on, then target_io_sel and target_pwr_sel toggled every\n"
		      "0.125 s; everything is switched off at the end.\n",
		      stdout);
		return SHP_OK;
	}
	long seconds = BLINK_DEFAULT_S;
	if (argc > 2) {
		fprintf(stderr, "shepherd-sheep blink: takes one SECONDS, got %d arguments\n",
			argc - 1);
		return SHP_ERR_USAGE;
	}
	if (argc == 2) {
		char *end;
		seconds = strtol(argv[1], &end, 10);
		if (end == argv[1] || *end || seconds < 0 || seconds > 86400) {
			fprintf(stderr,
				"shepherd-sheep blink: invalid value for SECONDS: '%s' is not a "
				"whole number of seconds from 0 to 86400\n",
				argv[1]);
			return SHP_ERR_USAGE;
		}
	}
	shp_log_set_console_level(SHP_LOG_DEBUG);
	shp_stop_install();
	log_info("Blinks LEDs IO & EMU next to Target-Ports for %ld s", seconds);
	struct debug_session d;
	SHP_TRY(debug_session_open(&d, paths));
	shp_err e = blink_in_session(&d, seconds);
	shp_stop_signal = 0; /* the session is closed in full, also after a stop signal */
	shp_err closed = debug_session_close(&d);
	return e != SHP_OK ? e : closed;
}

shp_err cmd_rpc(int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		fputs("Usage: shepherd-sheep rpc [-p PORT]\n\n"
		      "Not rebuilt: the predecessor's zerorpc server for the calibration tool and\n"
		      "the device-test GUI. Exits 2.\n",
		      stdout);
		return SHP_OK;
	}
	fputs("shepherd-sheep rpc: not rebuilt in this sheep (the zerorpc ShepherdDebug server "
	      "was a lab and calibration tool; herd never uses it). Use target-power, blink, "
	      "program, pru or eeprom instead.\n",
	      stderr);
	return SHP_ERR_USAGE;
}
