/*
 * launcher_unit.h - the launcher's view of the service manager (node-control.md 6 steps 4-6):
 * whether the unit runs, start/stop, power off.
 *
 * The predecessor talks to systemd over D-Bus (org.freedesktop.systemd1.Manager); this one runs
 * systemctl (node_systemctl(): SHEPHERD_SYSTEMCTL, default /usr/bin/systemctl): the same
 * requests without a D-Bus library on the node, and a service manager a test can stand in for
 * (tests/tools/fake_systemctl). `--no-block --job-mode=fail` makes start/stop what StartUnit /
 * StopUnit(name, "fail") are: the job is queued, not waited for.
 *
 * States (`systemctl is-active`): active and reloading count as running; inactive and failed
 * as not running, so that a press starts a unit again after a sheep run that failed (the
 * predecessor dies on "failed" and restarts every 5 s until someone resets the unit);
 * activating and deactivating are re-read every 0.1 s for up to 10 s; anything else is an
 * error.
 */
#ifndef SHP_LAUNCHER_UNIT_H
#define SHP_LAUNCHER_UNIT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* name with ".service" appended if it has no unit suffix; false if it does not fit. */
bool launcher_unit_name(const char *name, char *out, size_t len);

/* Whether the unit runs (see above). An error (logged): the state is unknown, stays in
 * transition for 10 s, or systemctl cannot be run; SHP_ERR_INTERRUPTED on a stop signal. */
shp_err launcher_unit_active(const char *unit, bool *active);

/* systemctl start or stop of the unit; a refusal is logged and an error. */
shp_err launcher_unit_request(const char *unit, bool start);

/* systemctl poweroff. */
shp_err launcher_unit_poweroff(void);

#endif
