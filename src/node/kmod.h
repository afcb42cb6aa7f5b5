/*
 * kmod.h - the shepherd kernel module: reload and the access check (node-control.md 1.1, 1.3).
 *
 * The module command is node_modprobe() (node_env.h); it gets SHEPHERD_SYSFS_ROOT, so the
 * simulator's stand-in loader knows which simulator to unload and load.
 */
#ifndef SHP_KMOD_H
#define SHP_KMOD_H

#include "common/error.h"

/*
 * The predecessor's reload: "modprobe -rf shepherd" three times (each up to 6 runs, 1 s apart,
 * then 1 s settle), then "modprobe -a shepherd" (up to 6 runs, 1 s apart, then 3 s settle).
 * Each run has a 60 s timeout. SHP_ERR_SYSFS with a message naming the step ("Failed to unload
 * shepherd kernel module." / "Failed to load ..."), or when the command is missing;
 * SHP_ERR_INTERRUPTED on a stop signal.
 */
shp_err kmod_reload(const char *sysfs_root);

/*
 * Run before every command that drives the PRUs: reads sysfs_root/mode. Missing: reloads the
 * module and checks again, up to 5 reloads (unlike the predecessor, which ignored the result of
 * its own retries: here a tree that never appears is an error). Permission denied: "run
 * shepherd-sheep with sudo". SHP_OK, SHP_ERR_SYSFS or SHP_ERR_INTERRUPTED.
 */
shp_err kmod_check_access(const char *sysfs_root);

#endif
