/*
 * cmd_simulate.c - `shepherd-sheep simulate [OPTIONS] TASK`: its options and its summary, as
 * key: value lines or one JSON object (--json), on stdout and in the log.
 */
#include "cli/cmd_simulate.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/env_flag.h"
#include "common/log.h"
#include "common/stop.h"
#include "h5/h5_common.h"
#include "sheep/simulate.h"

#define DEFAULT_TARGET "resistor:1000"

static void simulate_usage(FILE *out)
{
	fputs("Usage: shepherd-sheep simulate [OPTIONS] TASK\n"
	      "\n"
	      "Runs the task file TASK (an EmulationTask, or a HarvestTask against a simulated\n"
	      "solar cell) through the PRU's twin in this process, as fast as it goes, and writes\n"
	      "the recording a node would have written for it: same task checks, settings and\n"
	      "calibration (the global --eeprom) as run, no PRU, no start to wait for. Not\n"
	      "simulated: /pru_util, the monitors and /uart (left empty). Prints a summary.\n"
	      "\n"
	      "Options:\n"
	      "      --target SPEC      the emulation's load (default " DEFAULT_TARGET "):\n"
	      "                         resistor:OHM, current:A[:SLEEP_A], power:W[:SLEEP_W] or\n"
	      "                         none; :controlled follows power-good\n"
	      "      --seed N           seed of a harvest's light and noise (default 1)\n"
	      "      --json             the summary as one JSON object instead of key: value lines\n"
	      "      --no-shuffle       compress without the byte-shuffle filter in front\n"
	      "                         (env SHEPHERD_SHUFFLE=0)\n"
	      "      --no-reader-thread decode the input in the simulating thread\n"
	      "  -h, --help             show this help and exit\n"
	      "\n"
	      "A HarvestTask needs its duration; an emulation lasts as run's (the task's duration,\n"
	      "capped by the input). The start is the task's time_start, else the next whole\n"
	      "second.\n",
	      out);
}

#define FIELD_COUNT (-2) /* decimals of a count: printed from count, exactly */

struct field {
	const char *key;
	const char *text; /* NULL: num or count */
	double num;
	int decimals; /* -1: 9 significant digits; FIELD_COUNT */
	uint64_t count;
};

/* A string as JSON wants it: quoted, with quotes, backslashes and control bytes escaped. */
static void json_string(const char *text, char *out, size_t len)
{
	size_t o = 0;
	out[o++] = '"';
	for (const char *p = text; *p && o + 8 < len; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch == '"' || ch == '\\')
			o += (size_t)snprintf(out + o, len - o, "\\%c", ch);
		else if (ch < 0x20)
			o += (size_t)snprintf(out + o, len - o, "\\u%04x", ch);
		else
			out[o++] = (char)ch;
	}
	out[o++] = '"';
	out[o] = '\0';
}

static void print_fields(const struct field *f, size_t n, bool json)
{
	char value[8300];
	if (json)
		fputc('{', stdout);
	for (size_t k = 0; k < n; k++) {
		if (f[k].text && json)
			json_string(f[k].text, value, sizeof(value));
		else if (f[k].text)
			snprintf(value, sizeof(value), "%s", f[k].text);
		else if (f[k].decimals == FIELD_COUNT)
			snprintf(value, sizeof(value), "%llu", (unsigned long long)f[k].count);
		else if (f[k].decimals < 0)
			snprintf(value, sizeof(value), "%.9g", f[k].num);
		else
			snprintf(value, sizeof(value), "%.*f", f[k].decimals, f[k].num);
		if (json)
			printf("%s\"%s\": %s", k ? ", " : "", f[k].key, value);
		else
			printf("%s: %s\n", f[k].key, value);
	}
	if (json)
		fputs("}\n", stdout);
	fflush(stdout);
}

static struct field text_field(const char *key, const char *text)
{
	return (struct field){.key = key, .text = text};
}

static struct field num_field(const char *key, double num, int decimals)
{
	return (struct field){.key = key, .num = num, .decimals = decimals};
}

static struct field count_field(const char *key, uint64_t count)
{
	return (struct field){.key = key, .decimals = FIELD_COUNT, .count = count};
}

static void summary(const struct simulate_result *r, const char *target, uint64_t seed, bool json)
{
	double msps = r->wall_s > 0 ? (double)r->samples / r->wall_s / 1e6 : 0;
	const struct twin_energy *en = &r->energy;
	double pg_pct =
		en->samples ? 100.0 * (double)en->samples_power_good / (double)en->samples : 0;
	double ratio = r->max_energy_J > 0 ? 100.0 * en->harvested_J / r->max_energy_J : 0;
	struct field f[16];
	size_t n = 0;
	f[n++] = text_field("recording", r->path[0] ? r->path : "none");
	f[n++] = text_field("mode", r->emulation ? "emulation" : "harvest");
	f[n++] = count_field("samples", r->samples);
	f[n++] = count_field("recorded", r->recorded);
	f[n++] = num_field("simulated_s", r->simulated_s, 5);
	f[n++] = num_field("wall_s", r->wall_s, 3);
	f[n++] = num_field("cpu_s", r->cpu_s, 3);
	f[n++] = num_field("msamples_per_s", msps, 2);
	f[n++] = num_field("energy_harvested_J", en->harvested_J, -1);
	if (r->emulation) {
		f[n++] = text_field("target", target);
		f[n++] = num_field("energy_into_storage_J", en->into_storage_J, -1);
		f[n++] = num_field("energy_out_of_storage_J", en->out_of_storage_J, -1);
		f[n++] = num_field("energy_to_target_J", en->to_target_J, -1);
		f[n++] = num_field("power_good_s", (double)en->samples_power_good / 1e5, 5);
		f[n++] = num_field("power_good_pct", pg_pct, 3);
		f[n++] = count_field("gpio_events", r->gpio_events);
	} else {
		f[n++] = count_field("seed", seed);
		f[n++] = num_field("energy_max_J", r->max_energy_J, -1);
		f[n++] = num_field("harvest_ratio_pct", ratio, 3);
	}
	print_fields(f, n, json);
	log_info("simulated %.2f s (%llu samples) in %.2f s wall, %.2f s CPU: %.1f M samples/s; "
		 "harvested %.6g J",
		 r->simulated_s, (unsigned long long)r->samples, r->wall_s, r->cpu_s, msps,
		 en->harvested_J);
	if (r->emulation)
		log_info("into storage %.6g J, out of storage %.6g J, to the target %.6g J, "
			 "power good %.3f s (%.1f %%)",
			 en->into_storage_J, en->out_of_storage_J, en->to_target_J,
			 (double)en->samples_power_good / 1e5, pg_pct);
	else
		log_info("the transducer's maximum %.6g J: %.1f %% of it harvested",
			 r->max_energy_J, ratio);
}

/* Decimal digits only (strtoull would take a sign or blanks), within 64 bits. */
static bool parse_seed(const char *text, uint64_t *out)
{
	if (*text < '0' || *text > '9')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno == ERANGE || *end != '\0')
		return false;
	*out = v;
	return true;
}

shp_err cmd_simulate(int argc, char **argv, const char *eeprom_path, bool verbose)
{
	static const struct option opts[] = {
		{"target", required_argument, NULL, 't'},
		{"seed", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"no-shuffle", no_argument, NULL, 'S'},
		{"no-reader-thread", no_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct simulate_options so = {
		.eeprom_path = eeprom_path,
		.shuffle = env_flag("SHEPHERD_SHUFFLE", true),
		.seed = 1,
		.reader_thread = true,
	};
	const char *target = DEFAULT_TARGET;
	bool json = false;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			target = optarg;
			break;
		case 's':
			if (!parse_seed(optarg, &so.seed)) {
				fprintf(stderr,
					"shepherd-sheep simulate: --seed takes an integer >= 0, "
					"not '%s'\n",
					optarg);
				return SHP_ERR_USAGE;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'S':
			so.shuffle = false;
			break;
		case 'R':
			so.reader_thread = false;
			break;
		case 'h':
			simulate_usage(stdout);
			return SHP_OK;
		default:
			simulate_usage(stderr);
			return SHP_ERR_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "shepherd-sheep simulate: takes one TASK file, got %d arguments\n",
			argc - optind);
		return SHP_ERR_USAGE;
	}
	char why[256];
	if (!twin_target_parse(target, &so.target, why, sizeof(why))) {
		fprintf(stderr, "shepherd-sheep simulate: --target '%s': %s\n", target, why);
		return SHP_ERR_USAGE;
	}
	char canonical[128];
	twin_target_format(&so.target, canonical, sizeof(canonical));

	struct shp_task task;
	SHP_TRY(task_load(argv[optind], &task));
	if (task.kind != SHP_TASK_HARVEST && task.kind != SHP_TASK_EMULATION) {
		log_error(
			"%s: simulate runs a HarvestTask or an EmulationTask, not a %s (it works on "
			"the node's target firmware: `run` takes it)",
			task.source, task_kind_name(task.kind));
		task_free(&task);
		return SHP_ERR_CONFIG;
	}
	if (!verbose && task.verbose >= 3)
		shp_log_set_console_level(SHP_LOG_DEBUG);
	SHP_TRY(shp_h5_init());
	shp_stop_install();
	if (task.kind == SHP_TASK_EMULATION)
		log_info("simulating %s with the target %s", task.source, canonical);
	else
		log_info("simulating %s against the solar transducer, seed %llu", task.source,
			 (unsigned long long)so.seed);

	struct simulate_result res;
	shp_err e = sheep_simulate(&task, &so, &res);
	if (e == SHP_OK || e == SHP_ERR_INTERRUPTED)
		summary(&res, canonical, so.seed, json);
	if (e != SHP_OK)
		log_error("simulate failed: %s", shp_err_str(e));
	return e;
}
