/*
 * watchdog.c - shepherd-watchdog (node-control.md 6): kicks the cape's watchdog, which would
 * otherwise reset the BeagleBone, with a 2 ms high pulse on GPIO 68 ("WD ACK", P8_10), the
 * first at once, then one every interval (600 s).
 *
 * The stop signals stay blocked except inside the wait between pulses (pselect), so a SIGTERM is
 * answered at once and never lost between a check and the sleep; a pulse is never cut short.
 */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <sys/select.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/stop.h"
#include "node/cape.h"
#include "node/sysfs_gpio.h"
#include "service/service_cli.h"

#define WATCHDOG_PIN_ACK CAPE_GPIO_WATCHDOG_ACK /* P8_10 "WD ACK" */
#define WATCHDOG_INTERVAL_S 600.0
#define WATCHDOG_PULSE_NS (2 * SHP_NS_PER_MS)

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: shepherd-watchdog [OPTIONS]\n"
		"Kicks the cape's watchdog: a 2 ms pulse on GPIO %d, at once and then every\n"
		"interval. Runs until SIGTERM or SIGINT (exit 0).\n"
		"\n"
		"  -i, --interval SECONDS  time between pulses (default %.0f)\n"
		"      --gpio-root DIR     the sysfs GPIO tree (default: $SHEPHERD_GPIO_ROOT, else\n"
		"                          " SYSFS_GPIO_DEFAULT_ROOT ")\n"
		"  -v, --verbose           debug messages too\n"
		"  -h, --help              print this help and exit\n"
		"  -V, --version           print the version and exit\n",
		WATCHDOG_PIN_ACK, WATCHDOG_INTERVAL_S);
}

/* Waits seconds with the stop signals let through; SHP_ERR_INTERRUPTED when one came. */
static shp_err wait_interval(double seconds, const sigset_t *open_mask)
{
	uint64_t deadline = mono_ns() + (uint64_t)llround(seconds * 1e9);
	for (;;) {
		if (shp_stop_signal)
			return SHP_ERR_INTERRUPTED;
		uint64_t now = mono_ns();
		if (now >= deadline)
			return SHP_OK;
		uint64_t left = deadline - now;
		struct timespec ts = {(time_t)(left / 1000000000ull), (long)(left % 1000000000ull)};
		pselect(0, NULL, NULL, NULL, &ts, open_mask);
	}
}

static shp_err pulse(const char *root)
{
	char why[512];
	shp_err err = sysfs_gpio_set(root, WATCHDOG_PIN_ACK, true, why, sizeof(why));
	if (!err) {
		sleep_ns(WATCHDOG_PULSE_NS);
		err = sysfs_gpio_set(root, WATCHDOG_PIN_ACK, false, why, sizeof(why));
	}
	if (err) {
		log_error("watchdog: %s", why);
		return err;
	}
	log_info("Signaled ACK to Watchdog");
	return SHP_OK;
}

static shp_err run(const char *root, double interval)
{
	sigset_t stops, open_mask;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	shp_stop_install();
	sigprocmask(SIG_BLOCK, &stops, &open_mask);
	sigdelset(&open_mask, SIGINT);
	sigdelset(&open_mask, SIGTERM);
	sigdelset(&open_mask, SIGHUP);

	char why[512];
	if (sysfs_gpio_output(root, WATCHDOG_PIN_ACK, false, why, sizeof(why)) != SHP_OK) {
		log_error("watchdog: cannot set up the ACK pin: %s", why);
		return SHP_ERR_SYSFS;
	}
	log_info("watchdog: pulses on GPIO %d of %s every %g s", WATCHDOG_PIN_ACK, root, interval);
	for (;;) {
		SHP_TRY(pulse(root));
		shp_err err = wait_interval(interval, &open_mask);
		if (err == SHP_ERR_INTERRUPTED)
			log_info("watchdog: stopped by signal %d", (int)shp_stop_signal);
		SHP_TRY(err);
	}
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"interval", required_argument, NULL, 'i'},
		{"gpio-root", required_argument, NULL, 'g'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	double interval = WATCHDOG_INTERVAL_S;
	const char *root = sysfs_gpio_root();
	bool verbose = false;
	int c;
	while ((c = getopt_long(argc, argv, "i:vhV", options, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (!service_parse_seconds(optarg, &interval)) {
				fprintf(stderr,
					"shepherd-watchdog: --interval takes seconds (> 0, at most "
					"1e6), not '%s'\n",
					optarg);
				return service_exit_code(SHP_ERR_USAGE);
			}
			break;
		case 'g':
			root = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			service_print_version("shepherd-watchdog");
			return 0;
		default:
			usage(stderr);
			return service_exit_code(SHP_ERR_USAGE);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "shepherd-watchdog: unexpected argument '%s'\n", argv[optind]);
		return service_exit_code(SHP_ERR_USAGE);
	}
	service_log_init(verbose);
	return service_exit_code(run(root, interval));
}
