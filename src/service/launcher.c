/*
 * launcher.c - shepherd-launcher (node-control.md 6): the cape's button starts and stops the
 * sheep's service, a double press powers the node off, the button's LED shows when a press is
 * taken.
 *
 * The loop: LED on, wait for a press, LED off. If the service does not run, a second press
 * within 2 s starts the shutdown routine (5 blinks, any press cancels it, then power-off);
 * otherwise the press toggles the service and the button rests for 10 s. The fixed pauses
 * (0.25 s, 1 s, 3 s, 10 s) are settle sleeps (SHEPHERD_SETTLE_SCALE shortens them in tests);
 * the windows a person presses within (2 s, 0.5 s) are real time. A wait that follows a pause
 * ignores what the button did during it (the pause is the debounce); a wait that follows
 * another wait takes a press made in between.
 *
 * Any failure ends the program with exit 1 (systemd restarts it after 5 s), a stop signal with
 * exit 0; the LED is switched off on the way out (a lit LED says "a press is taken now").
 */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "common/log.h"
#include "common/stop.h"
#include "node/cape.h"
#include "node/gpio_edge.h"
#include "node/node_env.h"
#include "node/sysfs_gpio.h"
#include "service/launcher_unit.h"
#include "service/service_cli.h"

#define LAUNCHER_PIN_BUTTON CAPE_GPIO_BUTTON  /* P8_18: idles high, a press pulls it low */
#define LAUNCHER_PIN_LED CAPE_GPIO_BUTTON_LED /* P8_19 "BTN Led" */
#define LAUNCHER_SERVICE "shepherd"
#define DOUBLE_PRESS_S 2.0 /* a second press within this powers off */
#define BLINK_HALF_S 0.5   /* each half of a shutdown blink */
#define SHUTDOWN_BLINKS 5

struct launcher {
	const char *root;
	char unit[256];
	struct gpio_edge *button;
};

static shp_err led(const struct launcher *l, bool on)
{
	char why[512];
	if (sysfs_gpio_set(l->root, LAUNCHER_PIN_LED, on, why, sizeof(why)) != SHP_OK) {
		log_error("launcher: LED: %s", why);
		return SHP_ERR_SYSFS;
	}
	return SHP_OK;
}

/* A press within seconds (negative: any time); fresh as gpio_edge_wait. */
static shp_err press(const struct launcher *l, double seconds, bool fresh, bool *seen)
{
	char why[512];
	shp_err err = gpio_edge_wait(l->button, seconds, fresh, seen, why, sizeof(why));
	if (err == SHP_ERR_SYSFS)
		log_error("launcher: button: %s", why);
	return err;
}

/* Step 6: five blinks, any press cancels; then power-off. */
static shp_err shutdown_routine(const struct launcher *l)
{
	SHP_TRY(node_settle(0.25));
	for (int i = 0; i < SHUTDOWN_BLINKS; i++) {
		bool seen;
		SHP_TRY(press(l, BLINK_HALF_S, i == 0, &seen));
		if (!seen) {
			SHP_TRY(led(l, true));
			SHP_TRY(press(l, BLINK_HALF_S, false, &seen));
		}
		if (seen) {
			log_info("Shutdown canceled");
			return SHP_OK;
		}
		SHP_TRY(led(l, false));
	}
	sync();
	log_info("Shutting down now");
	return launcher_unit_poweroff();
}

/* Step 4: the service to the requested state, checked a second later. */
static shp_err set_service(const struct launcher *l, bool requested)
{
	bool active;
	SHP_TRY(launcher_unit_active(l->unit, &active));
	if (active == requested) {
		log_info("launcher: %s is already %s", l->unit, active ? "active" : "inactive");
		return led(l, active);
	}
	shp_err err = launcher_unit_request(l->unit, requested);
	if (err)
		return err;
	SHP_TRY(node_settle(1.0));
	SHP_TRY(launcher_unit_active(l->unit, &active));
	if (active != requested) {
		log_error("launcher: State didn't change: %s is still %s", l->unit,
			  active ? "active" : "inactive");
		return SHP_ERR_SYSFS;
	}
	return SHP_OK;
}

/* Steps 2-4, until a failure or a stop signal. */
static shp_err launcher_loop(const struct launcher *l)
{
	for (;;) {
		bool seen = false;
		SHP_TRY(led(l, true));
		while (!seen)
			SHP_TRY(press(l, -1, true, &seen));
		SHP_TRY(led(l, false));
		log_debug("launcher: button pressed");
		bool active;
		SHP_TRY(launcher_unit_active(l->unit, &active));
		if (!active) {
			SHP_TRY(node_settle(0.25));
			SHP_TRY(press(l, DOUBLE_PRESS_S, true, &seen));
			if (seen) {
				log_info("launcher: double press: shutdown requested");
				SHP_TRY(shutdown_routine(l));
				SHP_TRY(led(l, false));
				SHP_TRY(node_settle(3.0));
				continue;
			}
		}
		SHP_TRY(set_service(l, !active));
		SHP_TRY(node_settle(10.0));
	}
}

static shp_err run(struct launcher *l)
{
	char why[512];
	shp_stop_install();
	if (sysfs_gpio_output(l->root, LAUNCHER_PIN_LED, false, why, sizeof(why)) != SHP_OK ||
	    sysfs_gpio_input(l->root, LAUNCHER_PIN_BUTTON, "falling", why, sizeof(why)) != SHP_OK ||
	    gpio_edge_open(l->root, LAUNCHER_PIN_BUTTON, &l->button, why, sizeof(why)) != SHP_OK) {
		log_error("launcher: cannot set up the button and its LED: %s", why);
		return SHP_ERR_SYSFS;
	}
	log_info("launcher: button GPIO %d, LED GPIO %d of %s, service %s", LAUNCHER_PIN_BUTTON,
		 LAUNCHER_PIN_LED, l->root, l->unit);
	shp_err err = launcher_loop(l);
	if (err == SHP_ERR_INTERRUPTED)
		log_info("launcher: stopped by signal %d", (int)shp_stop_signal);
	led(l, false);
	gpio_edge_close(l->button);
	return err;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: shepherd-launcher [OPTIONS]\n"
		"The cape's button (GPIO %d) starts and stops a service; a double press while it\n"
		"does not run powers the node off (5 blinks of the LED, GPIO %d, first: a press\n"
		"cancels). Runs until SIGTERM or SIGINT (exit 0); exit 1 on a failure.\n"
		"\n"
		"  -s, --service NAME   the unit the button drives (default " LAUNCHER_SERVICE ")\n"
		"      --gpio-root DIR  the sysfs GPIO tree (default: $SHEPHERD_GPIO_ROOT, else\n"
		"                       " SYSFS_GPIO_DEFAULT_ROOT ")\n"
		"  -v, --verbose        debug messages too\n"
		"  -h, --help           print this help and exit\n"
		"  -V, --version        print the version and exit\n"
		"\n"
		"The service manager is reached through systemctl ($SHEPHERD_SYSTEMCTL, default\n" NODE_SYSTEMCTL_DEFAULT
		").\n",
		LAUNCHER_PIN_BUTTON, LAUNCHER_PIN_LED);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"service", required_argument, NULL, 's'},
		{"gpio-root", required_argument, NULL, 'g'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct launcher l = {.root = sysfs_gpio_root()};
	const char *service = LAUNCHER_SERVICE;
	bool verbose = false;
	int c;
	while ((c = getopt_long(argc, argv, "s:vhV", options, NULL)) != -1) {
		switch (c) {
		case 's':
			service = optarg;
			break;
		case 'g':
			l.root = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			service_print_version("shepherd-launcher");
			return 0;
		default:
			usage(stderr);
			return service_exit_code(SHP_ERR_USAGE);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "shepherd-launcher: unexpected argument '%s'\n", argv[optind]);
		return service_exit_code(SHP_ERR_USAGE);
	}
	if (!launcher_unit_name(service, l.unit, sizeof(l.unit))) {
		fprintf(stderr, "shepherd-launcher: --service takes a unit name, not '%s'\n",
			service);
		return service_exit_code(SHP_ERR_USAGE);
	}
	service_log_init(verbose);
	return service_exit_code(run(&l));
}
