/*
 * node_run.h - what `run` does to the node around its tasks (node-control.md 1.6, 2.7,
 * sheep-datapath.md 2.5).
 */
#ifndef SHP_NODE_RUN_H
#define SHP_NODE_RUN_H

#include <stdbool.h>

#include "common/error.h"

/*
 * Once before the tasks of a `run` that drive the PRUs: reloads the kernel module ("more
 * reliable with fresh states") and stops systemd-timesyncd if it is active (node_systemctl();
 * a failure there is a warning, not an error: PTP or NTP may be managed otherwise).
 */
shp_err node_prepare_run(const char *sysfs_root);

#endif
