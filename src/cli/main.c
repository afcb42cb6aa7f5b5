/*
 * main.c - the shepherd-sheep command line: global options, the commands, and the one place
 * where errors become exit codes (0 ok, 1 failed, 2 usage, 3 recorded with losses,
 * 4 interrupted).
 */
#include <getopt.h>
#include <hdf5.h>
#include <lzf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>
#include <zlib.h>

#include "cli/cmd_eeprom.h"
#include "cli/cmd_node.h"
#include "cli/cmd_program.h"
#include "cli/cmd_repair.h"
#include "cli/cmd_run.h"
#include "cli/cmd_simulate.h"
#include "cli/usage_log.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/version.h"
#include "h5/h5_common.h"
#include "h5/h5_input.h"
#include "monitor/log_capture.h"
#include "node/sysfs_gpio.h"
#include "settings/cal_source.h"
#include "settings/cape_eeprom.h"
#include "sheep/inventory.h"
#include "task/timefmt.h"

#define DEFAULT_SYSFS "/sys/shepherd"
#define DEFAULT_MEM "/dev/mem"
#define DEFAULT_INVENTORY "/var/shepherd/inventory.yaml"
#define RECORDINGS_DIR "/var/shepherd/recordings"

struct globals {
	const char *sysfs_root;
	const char *mem_device;
	const char *usage_log;
	const char *eeprom_path;
	const char *gpio_root;
	bool verbose;
};

static void usage(FILE *out)
{
	fputs("Usage: shepherd-sheep [OPTIONS] COMMAND [ARGS]\n"
	      "\n"
	      "Node software of the Shepherd testbed: records PRU data into HDF5.\n"
	      "\n"
	      "Options:\n"
	      "  -v, --verbose          debug output on the console\n"
	      "      --sysfs-root DIR   shepherd sysfs directory (env SHEPHERD_SYSFS_ROOT,\n"
	      "                         default " DEFAULT_SYSFS ")\n"
	      "      --mem-device PATH  physical memory device (env SHEPHERD_MEM_DEVICE,\n"
	      "                         default " DEFAULT_MEM ")\n"
	      "      --usage-log PATH   the invocation log (env SHEPHERD_USAGE_LOG,\n"
	      "                         default " SHP_USAGE_LOG_DEFAULT ")\n"
	      "      --eeprom PATH      the cape EEPROM (env SHEPHERD_EEPROM, default\n"
	      "                         " CAPE_EEPROM_DEFAULT_PATH ")\n"
	      "      --gpio-root DIR    the sysfs GPIO tree of the cape's pins (env\n"
	      "                         SHEPHERD_GPIO_ROOT, default " SYSFS_GPIO_DEFAULT_ROOT ")\n"
	      "      --version          print the version and exit\n"
	      "  -h, --help             show this help and exit\n"
	      "\n"
	      "Commands:\n"
	      "  run [CONFIG]           run a task file (default " CMD_RUN_DEFAULT_CONFIG "): one\n"
	      "                         task, an ObserverTasks or this host's TestbedTasks entry;\n"
	      "                         reloads the kernel module, stops systemd-timesyncd, loads\n"
	      "                         each task's PRU firmware, powers the cape for a run\n"
	      "  simulate [OPT] TASK    run a task through the PRU's twin in this process, as\n"
	      "                         fast as it goes, into the file a node would write\n"
	      "  check FILE...          check recordings as emulation inputs, print a summary\n"
	      "  inventorize [-o PATH]  write the node's inventory as YAML (default\n"
	      "                         " DEFAULT_INVENTORY ", - for stdout)\n"
	      "  repair PATH...         bring recordings cut off by a crash (or a directory of\n"
	      "                         them) to their last commit\n"
	      "  eeprom read|write      the cape EEPROM's calibration and cape info\n"
	      "  fix                    reload the shepherd kernel module\n"
	      "  pru [FIRMWARE]         load a PRU0 firmware: default, emu, hrv, swd, sbw, sync\n"
	      "  target-power [OPT]     power a target port from the aux rail (--on/--off,\n"
	      "                         -v VOLTS, --gpio-pass/--gpio-omit, -p A|B)\n"
	      "  blink [SECONDS]        blink the LEDs next to the target ports (default 30 s)\n"
	      "  rpc [-p PORT]          not rebuilt (exit 2)\n"
	      "  program [OPT] FILE     flash a target MCU with an Intel-HEX image (the port on\n"
	      "                         the aux rail, PRU0 swapped to the SWD/SBW programmer\n"
	      "                         and back to EMU; program --help)\n"
	      "  usage                  print the last entry of the usage log\n"
	      "\n"
	      "Exit codes: 0 success, 1 failed (message says why), 2 bad command line, 3 recorded\n"
	      "but samples were lost, 4 interrupted by a signal; eeprom has codes of its own\n"
	      "(shepherd-sheep eeprom --help).\n",
	      out);
}

static void print_version(void)
{
	printf("shepherd-sheep %s (HDF5 %d.%d.%d, liblzf API %d.%d, libyaml %s)\n", SHEEP_VERSION,
	       H5_VERS_MAJOR, H5_VERS_MINOR, H5_VERS_RELEASE, LZF_VERSION >> 8, LZF_VERSION & 0xFF,
	       yaml_get_version_string());
}

/* Prints what an emulation would replay from one checked input. */
static void print_input(const struct h5_input *in)
{
	uint64_t t0;
	char when[48] = "?";
	if (h5_input_read_time(in, 0, 1, &t0) == SHP_OK)
		format_iso_local((int64_t)(t0 / 1000000000ull), when, sizeof(when));
	printf("%s: ok\n", in->path);
	printf("  mode %s, datatype %s, %llu samples (%.1f s), first sample %s\n", in->mode,
	       in->datatype, (unsigned long long)in->samples, (double)in->samples / 1e5, when);
	printf("  voltage = raw * %g %+g V, current = raw * %g %+g A\n", in->cal_voltage.gain,
	       in->cal_voltage.offset, in->cal_current.gain, in->cal_current.offset);
}

static shp_err cmd_check(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs("Usage: shepherd-sheep check FILE...\n\n"
		      "Checks recordings as inputs of an emulation (mode, datatype, datasets, "
		      "lengths,\n"
		      "calibration, readable data) and prints what would be replayed. Exit 0 if "
		      "all\n"
		      "are usable, 1 otherwise.\n",
		      argc < 2 ? stderr : stdout);
		return argc < 2 ? SHP_ERR_USAGE : SHP_OK;
	}
	SHP_TRY(shp_h5_init());
	shp_err result = SHP_OK;
	for (int k = 1; k < argc; k++) {
		struct h5_input in;
		if (h5_input_open(argv[k], &in) != SHP_OK) {
			result = SHP_ERR_INPUT;
			continue;
		}
		print_input(&in);
		h5_input_close(&in);
	}
	return result;
}

static void versions_yaml(char *buf, size_t len)
{
	snprintf(buf, len,
		 "software:\n  shepherd-sheep: \"%s\"\n  hdf5: \"%d.%d.%d\"\n  liblzf_api: "
		 "\"%d.%d\"\n"
		 "  libyaml: \"%s\"\n  zlib: \"%s\"\n",
		 SHEEP_VERSION, H5_VERS_MAJOR, H5_VERS_MINOR, H5_VERS_RELEASE, LZF_VERSION >> 8,
		 LZF_VERSION & 0xFF, yaml_get_version_string(), zlibVersion());
}

static shp_err cmd_inventorize(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output-path", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out = DEFAULT_INVENTORY;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (c == 'o') {
			out = optarg;
		} else {
			fputs("Usage: shepherd-sheep inventorize [-o|--output-path PATH]\n\n"
			      "Writes the node's inventory (OS, kernel, host, CPU, memory, disk, "
			      "uptime,\n"
			      "time sync, versions) as YAML to PATH (default " DEFAULT_INVENTORY
			      ", - for stdout).\n",
			      c == 'h' ? stdout : stderr);
			return c == 'h' ? SHP_OK : SHP_ERR_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "shepherd-sheep inventorize: unexpected argument '%s'\n",
			argv[optind]);
		return SHP_ERR_USAGE;
	}
	char versions[512];
	versions_yaml(versions, sizeof(versions));
	if (strcmp(out, "-") == 0) {
		inventory_write(stdout, RECORDINGS_DIR, versions);
		return SHP_OK;
	}
	SHP_TRY(inventory_save(out, RECORDINGS_DIR, versions));
	log_info("inventory written to %s", out);
	return SHP_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{"sysfs-root", required_argument, NULL, 's'},
		{"mem-device", required_argument, NULL, 'm'},
		{"usage-log", required_argument, NULL, 'U'},
		{"eeprom", required_argument, NULL, 'E'},
		{"gpio-root", required_argument, NULL, 'g'},
		{NULL, 0, NULL, 0},
	};
	uint64_t started = wall_ns();
	struct globals g = {
		.sysfs_root = getenv("SHEPHERD_SYSFS_ROOT"),
		.mem_device = getenv("SHEPHERD_MEM_DEVICE"),
		.usage_log = getenv("SHEPHERD_USAGE_LOG"),
		.eeprom_path = cape_eeprom_default_path(),
	};
	if (!g.usage_log || !*g.usage_log)
		g.usage_log = SHP_USAGE_LOG_DEFAULT;
	if (!g.sysfs_root || !*g.sysfs_root)
		g.sysfs_root = DEFAULT_SYSFS;
	if (!g.mem_device || !*g.mem_device)
		g.mem_device = DEFAULT_MEM;

	int c;
	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			g.verbose = true;
			break;
		case 'V':
			print_version();
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		case 's':
			g.sysfs_root = optarg;
			break;
		case 'm':
			g.mem_device = optarg;
			break;
		case 'U':
			g.usage_log = optarg;
			break;
		case 'E':
			g.eeprom_path = optarg;
			break;
		case 'g':
			/* through the environment, so that every user of sysfs_gpio_root() sees it
			 */
			setenv("SHEPHERD_GPIO_ROOT", optarg, 1);
			break;
		default:
			usage(stderr);
			return shp_err_exit_code(SHP_ERR_USAGE);
		}
	}
	g.gpio_root = sysfs_gpio_root();
	if (g.verbose)
		shp_log_set_console_level(SHP_LOG_DEBUG);
	if (optind >= argc) {
		usage(stderr);
		return shp_err_exit_code(SHP_ERR_USAGE);
	}
	const char *cmd = argv[optind];
	int sub_argc = argc - optind;
	char **sub_argv = argv + optind;
	struct node_paths paths = {g.sysfs_root, g.mem_device, g.gpio_root, g.eeprom_path};
	shp_err e;
	int status = -1; /* a command's own exit status, else shp_err_exit_code(e) */
	if (strcmp(cmd, "run") == 0) {
		log_capture_start(); /* /sheep gets every record since the start */
		e = cmd_run(sub_argc, sub_argv, &paths, g.verbose);
		log_capture_stop();
	} else if (strcmp(cmd, "simulate") == 0) {
		e = cmd_simulate(sub_argc, sub_argv, g.eeprom_path, g.verbose);
	} else if (strcmp(cmd, "check") == 0) {
		e = cmd_check(sub_argc, sub_argv);
	} else if (strcmp(cmd, "inventorize") == 0) {
		e = cmd_inventorize(sub_argc, sub_argv);
	} else if (strcmp(cmd, "repair") == 0) {
		e = cmd_repair(sub_argc, sub_argv);
	} else if (strcmp(cmd, "eeprom") == 0) {
		e = cmd_eeprom(sub_argc, sub_argv, g.eeprom_path);
		status = cmd_eeprom_exit_code(sub_argc, sub_argv, e);
	} else if (strcmp(cmd, "fix") == 0) {
		e = cmd_fix(&paths, sub_argc, sub_argv);
	} else if (strcmp(cmd, "pru") == 0) {
		e = cmd_pru(&paths, sub_argc, sub_argv);
	} else if (strcmp(cmd, "target-power") == 0) {
		e = cmd_target_power(&paths, sub_argc, sub_argv);
	} else if (strcmp(cmd, "blink") == 0) {
		e = cmd_blink(&paths, sub_argc, sub_argv);
	} else if (strcmp(cmd, "rpc") == 0) {
		e = cmd_rpc(sub_argc, sub_argv);
	} else if (strcmp(cmd, "program") == 0) {
		e = cmd_program(sub_argc, sub_argv, &paths);
	} else if (strcmp(cmd, "usage") == 0) {
		if (sub_argc == 2 &&
		    (strcmp(sub_argv[1], "--help") == 0 || strcmp(sub_argv[1], "-h") == 0)) {
			printf("Usage: shepherd-sheep usage\n\n"
			       "Prints the last entry of the usage log (--usage-log, default %s):\n"
			       "start, stop, seconds and the command line of the last command.\n",
			       SHP_USAGE_LOG_DEFAULT);
			e = SHP_OK;
		} else {
			e = sub_argc > 1 ? SHP_ERR_USAGE : usage_log_print_last(g.usage_log);
		}
		if (e == SHP_ERR_USAGE)
			fprintf(stderr, "shepherd-sheep usage: takes no arguments\n");
	} else {
		fprintf(stderr, "shepherd-sheep: unknown command '%s' (try --help)\n", cmd);
		e = SHP_ERR_USAGE;
	}
	if (strcmp(cmd, "usage") != 0)
		usage_log_append(g.usage_log, started, wall_ns(), argc, argv);
	if (shp_h5_unclean) {
		/* HDF5 cannot be torn down after a failed close: leave without exit handlers */
		fflush(NULL);
		_exit(status >= 0 ? status : shp_err_exit_code(e));
	}
	H5close();
	return status >= 0 ? status : shp_err_exit_code(e);
}
