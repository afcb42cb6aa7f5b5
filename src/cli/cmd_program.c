/*
 * cmd_program.c - `program FIRMWARE_FILE` (node-control.md 3.2): the options build a
 * ProgrammingTask, which is checked as the task model checks it and run with its retries.
 * A malformed command line (no such file, a bad choice, a number that is none) is exit 2, as
 * click has it; a value out of the task's range is exit 1.
 */
#include "cli/cmd_program.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"
#include "common/stop.h"
#include "node/kmod.h"
#include "prog/prog_image.h"
#include "prog/programmer.h"

static void program_usage(FILE *out)
{
	fputs("Usage: shepherd-sheep program [OPTIONS] FIRMWARE_FILE\n"
	      "\n"
	      "Flashes the target MCU on a target port with an Intel-HEX image through the PRU\n"
	      "programmer: the port is powered from the aux rail at VOLTAGE and gets the IO\n"
	      "lines, PRU0 runs the SWD (nrf52) or SBW (msp430) firmware, up to 5 attempts\n"
	      "(the data rate times 0.6 after each failed one); afterwards the cape is off and\n"
	      "PRU0 runs the EMU firmware again.\n"
	      "\n"
	      "Options:\n"
	      "  -p, --target-port A|B     the port of the target (default A)\n"
	      "  -m, --mcu-port N          the programmer's pin set, 1 or 2 (default 1)\n"
	      "  -v, --voltage V           target supply while programming, 1 <= V < 5\n"
	      "                            (default 3.0)\n"
	      "  -d, --datarate N          bit/s, 1 ... 1000000 (default 200000; SWD only)\n"
	      "  -t, --mcu-type nrf52|msp430\n"
	      "                            the target MCU (default nrf52)\n"
	      "      --simulate            dry-run the programmer - no data gets written\n"
	      "                            (target dummy, one attempt)\n"
	      "  -h, --help                show this help and exit\n"
	      "\n"
	      "Exit codes: 0 programmed, 1 failed or an invalid value, 2 bad command line,\n"
	      "            4 interrupted.\n",
	      out);
}

static bool parse_long(const char *text, long *v)
{
	char *end;
	*v = strtol(text, &end, 10);
	return end != text && *end == '\0';
}

static bool parse_double(const char *text, double *v)
{
	char *end;
	*v = strtod(text, &end);
	return end != text && *end == '\0';
}

static shp_err bad_option(const char *opt, const char *value, const char *what)
{
	fprintf(stderr, "shepherd-sheep program: invalid value '%s' for %s: %s\n", value, opt,
		what);
	return SHP_ERR_USAGE;
}

/* The command line into t (the task's defaults first). */
static shp_err parse_args(int argc, char **argv, struct shp_programming *t, long *mcu_port,
			  double *volts, long *rate, bool *help)
{
	static const struct option opts[] = {
		{"target-port", required_argument, NULL, 'p'},
		{"mcu-port", required_argument, NULL, 'm'},
		{"voltage", required_argument, NULL, 'v'},
		{"datarate", required_argument, NULL, 'd'},
		{"mcu-type", required_argument, NULL, 't'},
		{"simulate", no_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:m:v:d:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (strcmp(optarg, "A") != 0 && strcmp(optarg, "B") != 0)
				return bad_option("--target-port", optarg, "choose from A, B");
			t->target_port = optarg[0];
			break;
		case 'm':
			if (!parse_long(optarg, mcu_port))
				return bad_option("--mcu-port", optarg, "not an integer");
			break;
		case 'v':
			if (!parse_double(optarg, volts))
				return bad_option("--voltage", optarg, "not a number");
			break;
		case 'd':
			if (!parse_long(optarg, rate))
				return bad_option("--datarate", optarg, "not an integer");
			break;
		case 't':
			if (strcmp(optarg, "nrf52") != 0 && strcmp(optarg, "msp430") != 0)
				return bad_option("--mcu-type", optarg,
						  "choose from nrf52, msp430");
			snprintf(t->mcu_type, sizeof(t->mcu_type), "%s", optarg);
			break;
		case 'S':
			t->simulate = true;
			break;
		case 'h':
			*help = true;
			return SHP_OK;
		default:
			program_usage(stderr);
			return SHP_ERR_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "shepherd-sheep program: %s\n",
			optind >= argc ? "missing argument FIRMWARE_FILE"
				       : "one FIRMWARE_FILE only");
		return SHP_ERR_USAGE;
	}
	const char *file = argv[optind];
	struct stat st;
	if (stat(file, &st) != 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr,
			"shepherd-sheep program: invalid value for FIRMWARE_FILE: '%s' %s\n", file,
			stat(file, &st) != 0 ? "does not exist" : "is not a file");
		return SHP_ERR_USAGE;
	}
	if (strlen(file) >= sizeof(t->firmware_file)) {
		fprintf(stderr, "shepherd-sheep program: FIRMWARE_FILE path too long\n");
		return SHP_ERR_USAGE;
	}
	snprintf(t->firmware_file, sizeof(t->firmware_file), "%s", file);
	return SHP_OK;
}

/* The ProgrammingTask model's checks (3.1): every problem named, SHP_ERR_CONFIG on any. */
static shp_err validate(struct shp_programming *t, long mcu_port, double volts, long rate)
{
	shp_err e = SHP_OK;
	if (!prog_hex_suffix(t->firmware_file)) {
		log_error("ProgrammingTask: firmware_file %s must have the suffix .hex, .ihex or "
			  ".ihx",
			  t->firmware_file);
		e = SHP_ERR_CONFIG;
	}
	if (mcu_port < 1 || mcu_port > 2) {
		log_error("ProgrammingTask: mcu_port %ld is not 1 or 2", mcu_port);
		e = SHP_ERR_CONFIG;
	}
	if (!(volts >= 1.0 && volts < 5.0)) {
		log_error("ProgrammingTask: voltage %g V is not in 1 <= V < 5", volts);
		e = SHP_ERR_CONFIG;
	}
	if (rate < 1 || rate > (long)PROG_DATARATE_MAX) {
		log_error("ProgrammingTask: datarate %ld bit/s is not in 1 ... %u", rate,
			  PROG_DATARATE_MAX);
		e = SHP_ERR_CONFIG;
	}
	t->mcu_port = (unsigned)mcu_port;
	t->voltage = volts;
	t->datarate = (uint32_t)rate;
	t->protocol = strcmp(t->mcu_type, "msp430") == 0 ? SHP_PROG_SBW : SHP_PROG_SWD;
	return e;
}

shp_err cmd_program(int argc, char **argv, const struct node_paths *paths)
{
	struct shp_programming t;
	memset(&t, 0, sizeof(t));
	t.target_port = 'A';
	snprintf(t.mcu_type, sizeof(t.mcu_type), "nrf52");
	t.verbose = 2;
	long mcu_port = 1, rate = 200000;
	double volts = 3.0;
	bool help = false;
	SHP_TRY(parse_args(argc, argv, &t, &mcu_port, &volts, &rate, &help));
	if (help) {
		program_usage(stdout);
		return SHP_OK;
	}
	SHP_TRY(validate(&t, mcu_port, volts, rate));
	shp_stop_install();
	SHP_TRY(kmod_check_access(paths->sysfs_root));
	return prog_run_task(&t, paths);
}
