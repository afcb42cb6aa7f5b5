/*
 * cmd_run.c - `shepherd-sheep run [OPTIONS] [CONFIG]`: the task file as a list of tasks
 * (task.h), checked as a whole before anything happens; the node prepared once if a task drives
 * the PRUs (node_run.h); then each task in order - a harvest or emulation as a recording, a
 * ProgrammingTask through the programmer, a FirmwareModTask through fwmod - each logged as it
 * starts, a failure not stopping the list, a stop signal ending it.
 */
#include "cli/cmd_run.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd_repair.h"
#include "cli/env_flag.h"
#include "common/log.h"
#include "common/stop.h"
#include "fwmod/fwmod.h"
#include "h5/h5_common.h"
#include "monitor/log_capture.h"
#include "node/kmod.h"
#include "node/node_run.h"
#include "prog/programmer.h"
#include "sheep/governor.h"
#include "sheep/run.h"
#include "sheep/status.h"
#include "sheep/uart.h"
#include "task/task.h"
#include "task/timefmt.h"

/* What the command line asks of a run. */
struct run_cli {
	struct run_options ro;
	const char *monitors; /* --monitors as given; NULL: each task's sys_logging */
	const char *config;
	bool help; /* --help was printed */
};

static void run_usage(FILE *out)
{
	fputs("Usage: shepherd-sheep run [OPTIONS] [CONFIG]\n"
	      "\n"
	      "Runs the task file CONFIG (default " CMD_RUN_DEFAULT_CONFIG "): one task, an\n"
	      "ObserverTasks, or the entry of a TestbedTasks whose observer is this host. The\n"
	      "whole file is checked first: any problem and nothing runs. Then, if a task drives\n"
	      "the PRUs, the kernel module is reloaded and systemd-timesyncd stopped, and the\n"
	      "tasks run in order (fw1_mod, fw2_mod, fw1_prog, fw2_prog, emulation); a failed\n"
	      "task does not stop the others, a stop signal does. Exit code: the first failed\n"
	      "task's (1, 3 samples lost), 4 on a stop signal.\n"
	      "\n"
	      "Options:\n"
	      "      --no-shuffle       compress without the byte-shuffle filter in front\n"
	      "                         (env SHEPHERD_SHUFFLE=0)\n"
	      "      --start-delay S    lead time in seconds when the task has no time_start\n"
	      "                         (env SHEPHERD_START_DELAY; default as the predecessor:\n"
	      "                         the first whole second >= now + 10 s for a harvest,\n"
	      "                         now + 15 s for an emulation)\n"
	      "      --no-status        no live status line, even on a terminal\n"
	      "      --cpu-governor NAME\n"
	      "                         CPU frequency governor during the run (e.g. performance;\n"
	      "                         the previous one is restored afterwards)\n"
	      "      --monitors LIST    which monitors run, instead of the task's sys_logging:\n"
	      "                         all, none, or a comma list of kernel, time_sync, sheep,\n"
	      "                         sys_util\n"
	      "      --uart-device TTY  the target's UART for uart_logging (env\n"
	      "                         SHEPHERD_UART_DEVICE, default " SHP_UART_DEFAULT_DEVICE
	      ")\n"
	      "  -h, --help             show this help and exit\n",
	      out);
}

/* Seconds of lead time, 1 to 3600. */
static bool parse_start_delay(const char *text, double *out)
{
	char *end;
	double v = strtod(text, &end);
	if (*end || end == text || !(v >= 1 && v <= 3600))
		return false;
	*out = v;
	return true;
}

static void print_summary(const struct run_result *r)
{
	if (!r->path[0] && !(r->emulation && r->armed_mono_s > 0))
		return;
	printf("recording: %s\n", r->path[0] ? r->path : "none (no output_path)");
	printf("samples:   %llu (%.2f s), lost %llu, dropped %llu\n",
	       (unsigned long long)r->samples, r->duration_s, (unsigned long long)r->lost,
	       (unsigned long long)r->discarded);
	if (r->emulation) {
		printf("input:     %llu samples replayed, %llu stale\n",
		       (unsigned long long)r->input_samples, (unsigned long long)r->input_underrun);
		printf("gpio:      %llu events, lost %llu\n", (unsigned long long)r->gpio_events,
		       (unsigned long long)r->gpio_lost);
		printf("uart:      %llu bytes\n", (unsigned long long)r->uart_bytes);
	}
	printf("file size: %.2f MB (%.1f kB per recorded second)\n", (double)r->file_bytes / 1e6,
	       r->duration_s > 0 ? (double)r->file_bytes / r->duration_s / 1e3 : 0.0);
	printf("cpu time:  %.3f s\n", r->cpu_s);
	if (r->armed_mono_s > 0)
		printf("timing:    armed_mono=%.6f first_sample_ms=%.3f\n", r->armed_mono_s,
		       r->first_sample_ms);
	fflush(stdout);
}

/* "all", "none" or a comma list of monitor names. */
static bool parse_monitors(const char *text, struct shp_sys_logging *out)
{
	*out = (struct shp_sys_logging){.present = true};
	if (strcmp(text, "none") == 0)
		return true;
	if (strcmp(text, "all") == 0) {
		out->kernel = out->time_sync = out->sheep = out->sys_util = true;
		return true;
	}
	char copy[128];
	if (snprintf(copy, sizeof(copy), "%s", text) >= (int)sizeof(copy))
		return false;
	for (char *save = NULL, *t = strtok_r(copy, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "kernel") == 0)
			out->kernel = true;
		else if (strcmp(t, "time_sync") == 0)
			out->time_sync = true;
		else if (strcmp(t, "sheep") == 0)
			out->sheep = true;
		else if (strcmp(t, "sys_util") == 0)
			out->sys_util = true;
		else
			return false;
	}
	return true;
}

static shp_err parse_options(int argc, char **argv, const struct node_paths *paths,
			     struct run_cli *cli)
{
	static const struct option opts[] = {
		{"no-shuffle", no_argument, NULL, 'S'},
		{"start-delay", required_argument, NULL, 'd'},
		{"no-status", no_argument, NULL, 'n'},
		{"uart-device", required_argument, NULL, 'u'},
		{"monitors", required_argument, NULL, 'M'},
		{"cpu-governor", required_argument, NULL, 'G'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	*cli = (struct run_cli){0};
	cli->ro = (struct run_options){
		.sysfs_root = paths->sysfs_root,
		.mem_device = paths->mem_device,
		.eeprom_path = paths->eeprom_path,
		.shuffle = env_flag("SHEPHERD_SHUFFLE", true),
		.start_delay_s = 0, /* 0: the task kind's default lead time */
		.status_line = true,
		.uart_device = getenv("SHEPHERD_UART_DEVICE"),
		.gpio_root = paths->gpio_root,
	};
	if (!cli->ro.uart_device || !*cli->ro.uart_device)
		cli->ro.uart_device = SHP_UART_DEFAULT_DEVICE;
	cli->ro.cpu_sysfs = getenv("SHEPHERD_CPU_SYSFS");
	if (!cli->ro.cpu_sysfs || !*cli->ro.cpu_sysfs)
		cli->ro.cpu_sysfs = SHP_CPU_SYSFS_DEFAULT;
	const char *delay_env = getenv("SHEPHERD_START_DELAY");
	if (delay_env && *delay_env && !parse_start_delay(delay_env, &cli->ro.start_delay_s)) {
		fprintf(stderr,
			"shepherd-sheep run: SHEPHERD_START_DELAY takes seconds from 1 to 3600, not "
			"'%s'\n",
			delay_env);
		return SHP_ERR_USAGE;
	}
	cli->monitors = NULL;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			cli->ro.shuffle = false;
			break;
		case 'd':
			if (!parse_start_delay(optarg, &cli->ro.start_delay_s)) {
				fprintf(stderr,
					"shepherd-sheep run: --start-delay takes seconds from 1 to "
					"3600, not '%s'\n",
					optarg);
				return SHP_ERR_USAGE;
			}
			break;
		case 'n':
			cli->ro.status_line = false;
			break;
		case 'u':
			cli->ro.uart_device = optarg;
			break;
		case 'G':
			cli->ro.cpu_governor = optarg;
			break;
		case 'M':
			if (!parse_monitors(optarg, &cli->ro.monitors)) {
				fprintf(stderr,
					"shepherd-sheep run: --monitors takes all, none or a comma "
					"list of kernel, time_sync, sheep, sys_util, not '%s'\n",
					optarg);
				return SHP_ERR_USAGE;
			}
			cli->monitors = optarg;
			break;
		case 'h':
			run_usage(stdout);
			cli->help = true;
			return SHP_OK;
		default:
			run_usage(stderr);
			return SHP_ERR_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "shepherd-sheep run: takes one CONFIG file, got %d arguments\n",
			argc - optind);
		return SHP_ERR_USAGE;
	}
	cli->config = optind < argc ? argv[optind] : CMD_RUN_DEFAULT_CONFIG;
	return SHP_OK;
}

/* ---- the start of a task, as the log shows it -------------------------------------------- */

static void describe_start(const struct shp_task *t, char *out, size_t len)
{
	if (t->has_time_start)
		format_iso_local((int64_t)t->time_start, out, len);
	else
		snprintf(out, len, "as soon as ready");
}

static void describe_duration(const struct shp_task *t, char *out, size_t len)
{
	if (t->has_duration)
		snprintf(out, len, "%g s", t->duration_s);
	else if (t->kind == SHP_TASK_EMULATION)
		snprintf(out, len, "the input's");
	else
		snprintf(out, len, "%g s (none given)", SHP_DURATION_DEFAULT_S);
}

/* The key fields of a task on one line. */
static void describe(const struct shp_task *t, char *out, size_t len)
{
	char start[64], duration[64];
	describe_start(t, start, sizeof(start));
	describe_duration(t, duration, sizeof(duration));
	const struct shp_programming *p = &t->programming;
	const struct shp_firmware_mod *m = &t->firmware_mod;
	char id[16] = "null";
	switch (t->kind) {
	case SHP_TASK_HARVEST:
		snprintf(out, len,
			 "output_path %s, time_start %s, duration %s, virtual_harvester %s",
			 t->output_path, start, duration, t->virtual_harvester.name);
		break;
	case SHP_TASK_EMULATION:
		snprintf(out, len,
			 "input_path %s, output_path %s, time_start %s, duration %s, "
			 "virtual_source %s, io_port %c, enable_io %s",
			 t->input_path, t->has_output ? t->output_path : "null", start, duration,
			 t->virtual_source.name, t->io_port, t->enable_io ? "true" : "false");
		break;
	case SHP_TASK_PROGRAMMING:
		snprintf(out, len,
			 "firmware_file %s, mcu_type %s, protocol %s, target_port %c, mcu_port %u, "
			 "voltage %g V, datarate %" PRIu32 " bit/s, simulate %s",
			 p->firmware_file, p->mcu_type, task_protocol_name(p->protocol),
			 p->target_port, p->mcu_port, p->voltage, p->datarate,
			 p->simulate ? "true" : "false");
		break;
	case SHP_TASK_FIRMWARE_MOD:
		if (m->has_custom_id)
			snprintf(id, sizeof(id), "%u", (unsigned)m->custom_id);
		if (m->data_type == SHP_FW_PATH_HEX || m->data_type == SHP_FW_PATH_ELF)
			snprintf(out, len, "data_type %s, data %s, custom_id %s, firmware_file %s",
				 task_fw_data_type_name(m->data_type), m->data, id,
				 m->firmware_file);
		else
			snprintf(out, len,
				 "data_type %s, data %zu characters embedded, custom_id %s, "
				 "firmware_file %s",
				 task_fw_data_type_name(m->data_type), strlen(m->data), id,
				 m->firmware_file);
		break;
	}
}

/* "EmulationTask (emulation)", or just the type for a file of one task. */
static void task_label(const struct shp_task_list *list, unsigned k, char *out, size_t len)
{
	const char *type = task_kind_name(list->task[k]->kind);
	if (list->member[k][0])
		snprintf(out, len, "%s (%s)", type, list->member[k]);
	else
		snprintf(out, len, "%s", type);
}

/* ---- the tasks ------------------------------------------------------------------------------ */

/* A harvest or an emulation: a recording, as run has always made it. */
static shp_err run_recording(const struct shp_task *task, const struct run_cli *cli)
{
	struct run_options ro = cli->ro;
	if (!cli->monitors)
		ro.monitors = task->sys_logging;
	if (!ro.monitors.sheep)
		log_capture_stop();
	SHP_TRY(shp_h5_init());
	if (task->has_output)
		repair_output_dir(task->output_path); /* what a crash left there, before reuse */
	status_init(ro.status_line && isatty(STDERR_FILENO));
	struct run_result res;
	shp_err e = sheep_run(task, &ro, &res);
	repair_after_run(res.path);
	print_summary(&res);
	return e;
}

static shp_err run_firmware_mod(const struct shp_task *task, const struct run_cli *cli)
{
	/* as the predecessor, although no PRU is touched: a node without its module fails here */
	SHP_TRY(kmod_check_access(cli->ro.sysfs_root));
	return fwmod_run(&task->firmware_mod);
}

static shp_err run_task(const struct shp_task_list *list, unsigned k, const struct run_cli *cli,
			const struct node_paths *paths, bool verbose)
{
	const struct shp_task *task = list->task[k];
	char label[64], fields[2 * PATH_MAX + 512];
	task_label(list, k, label, sizeof(label));
	describe(task, fields, sizeof(fields));
	log_info("###~###~###~###~###~### Starting %s: %s", label, fields);
	int console = shp_log_console_level();
	if (!verbose && task->verbose >= 3)
		shp_log_set_console_level(SHP_LOG_DEBUG);
	shp_err e;
	switch (task->kind) {
	case SHP_TASK_PROGRAMMING:
		e = prog_run_task(&task->programming, paths);
		break;
	case SHP_TASK_FIRMWARE_MOD:
		e = run_firmware_mod(task, cli);
		break;
	default:
		e = run_recording(task, cli);
		break;
	}
	if (e != SHP_OK)
		log_error("%s failed: %s", label, shp_err_str(e));
	shp_log_set_console_level(console);
	return e;
}

/* Whether a task of the list needs the module and the PRUs (all kinds but FirmwareModTask). */
static bool drives_prus(const struct shp_task_list *list)
{
	for (unsigned k = 0; k < list->n; k++)
		if (list->task[k]->kind != SHP_TASK_FIRMWARE_MOD)
			return true;
	return false;
}

static shp_err run_list(const struct shp_task_list *list, const struct run_cli *cli,
			const struct node_paths *paths, bool verbose)
{
	if (list->n == 0) {
		log_info("%s of observer '%s' has no tasks: nothing to run", list->datatype,
			 list->observer);
		return SHP_OK;
	}
	shp_err e = drives_prus(list) ? node_prepare_run(cli->ro.sysfs_root) : SHP_OK;
	if (e != SHP_OK) {
		log_error("run failed: %s", shp_err_str(e));
		return e;
	}
	shp_err first = SHP_OK;
	for (unsigned k = 0; k < list->n; k++) {
		e = run_task(list, k, cli, paths, verbose);
		if (e == SHP_ERR_INTERRUPTED || shp_stop_signal) {
			if (k + 1 < list->n)
				log_warn(
					"stopped by a signal: the list ends here, %u task%s not run",
					list->n - k - 1, list->n - k - 1 > 1 ? "s" : "");
			return SHP_ERR_INTERRUPTED;
		}
		if (first == SHP_OK)
			first = e;
	}
	if (list->n > 1)
		log_info("%u tasks run, %s", list->n,
			 first == SHP_OK ? "all succeeded" : "at least one failed");
	return first;
}

shp_err cmd_run(int argc, char **argv, const struct node_paths *paths, bool verbose)
{
	struct run_cli cli;
	SHP_TRY(parse_options(argc, argv, paths, &cli));
	if (cli.help)
		return SHP_OK;
	char host[128];
	task_host_name(host, sizeof(host));
	struct shp_task_list list;
	shp_err e = task_list_load(cli.config, host, &list);
	if (e != SHP_OK) {
		log_error(
			"Task-Set was not usable for this observer '%s', with original error = %s "
			"(above)",
			host, shp_err_str(e));
		return e;
	}
	shp_stop_install(); /* from here a signal ends the list, and a recording cleanly */
	e = run_list(&list, &cli, paths, verbose);
	task_list_free(&list);
	return e;
}
