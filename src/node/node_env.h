/*
 * node_env.h - the node's outside world as the node-control code reaches it: the commands it
 * runs (modprobe, systemctl, srec_cat, objcopy) and the fixed settle sleeps of the predecessor.
 *
 * Every command is an absolute path on a node and can be replaced through the environment, so
 * that the simulator and tests stand in for the kernel module and the service manager:
 *
 *   SHEPHERD_MODPROBE   default /usr/sbin/modprobe   (node-control.md 1.1)
 *   SHEPHERD_SYSTEMCTL  default /usr/bin/systemctl   (1.6 disable_ntp, the launcher)
 *   SHEPHERD_SREC_CAT   default /usr/bin/srec_cat    (3.5)
 *   SHEPHERD_OBJCOPY    default objcopy from PATH    (4.5)
 *
 * A command gets the sheep's environment plus SHEPHERD_SYSFS_ROOT set to the sysfs root in
 * use, which is how a stand-in module loader finds the simulator it controls.
 *
 * Settle sleeps (the module's 1 s and 3 s, a firmware swap's 2 s, the cape's 1 s and 0.5 s) are
 * the predecessor's fixed waits, for hardware that needs them. SHEPHERD_SETTLE_SCALE (a factor
 * from 0 to 1, default 1) shortens all of them at once: the simulator settles at once, and the
 * tests run with 0.01. On a node leave it unset.
 */
#ifndef SHP_NODE_ENV_H
#define SHP_NODE_ENV_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

#define NODE_MODPROBE_DEFAULT "/usr/sbin/modprobe"
#define NODE_SYSTEMCTL_DEFAULT "/usr/bin/systemctl"
#define NODE_SREC_CAT_DEFAULT "/usr/bin/srec_cat"
#define NODE_OBJCOPY_DEFAULT "objcopy"

/* The command of the variable, else its default. */
const char *node_modprobe(void);
const char *node_systemctl(void);
const char *node_srec_cat(void);
const char *node_objcopy(void);

/* SHEPHERD_SETTLE_SCALE, checked (0..1); an unusable value is reported once and taken as 1. */
double node_settle_scale(void);

/*
 * Sleeps seconds times the settle scale. SHP_ERR_INTERRUPTED as soon as a stop signal is
 * recorded (common/stop.h), else SHP_OK.
 */
shp_err node_settle(double seconds);

/* What a command run by node_command did. */
struct node_cmd_result {
	int status;        /* exit status; -1: it could not be started or was killed */
	bool timed_out;    /* killed after the timeout */
	bool not_found;    /* the program does not exist (ENOENT at exec) */
	char output[1024]; /* stdout and stderr, cut to fit, if captured */
};

/*
 * Runs argv (argv[0] is looked up in PATH unless it holds a '/') with SHEPHERD_SYSFS_ROOT =
 * sysfs_root (if not NULL) added to the environment; waits at most timeout_s, then kills it.
 * Output is captured into res->output when capture is set, else inherited.
 */
void node_command(char *const argv[], const char *sysfs_root, double timeout_s, bool capture,
		  struct node_cmd_result *res);

#endif
