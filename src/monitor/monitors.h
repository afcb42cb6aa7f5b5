/*
 * monitors.h - the node monitors of a recording, driven from the run's poll loop.
 *
 * No threads: each monitor does its work when it is due (system use once a second, the kernel
 * log four times a second, the time-sync journals twice a second, the sheep's own log at every
 * poll) and costs a clock comparison otherwise. Which ones run is the task's sys_logging.
 */
#ifndef SHP_MONITORS_H
#define SHP_MONITORS_H

#include "common/error.h"
#include "h5/h5_writer.h"
#include "monitor/journal.h"
#include "monitor/kmsg.h"
#include "monitor/sys_util.h"
#include "task/task.h"

struct monitors {
	bool open;
	bool sheep;
	struct sys_util_monitor sys;
	struct kmsg_monitor kmsg;
	struct journal_monitor journal[3];
};

/* Starts the monitors flags asks for, writing into w. Warnings for the ones that cannot run. */
shp_err monitors_open(struct monitors *m, h5w_t *w, const struct shp_sys_logging *flags);

/* Lets every monitor do what is due. */
shp_err monitors_poll(struct monitors *m);

/* Stops them; the last sheep log records go into the file. */
void monitors_close(struct monitors *m);

#endif
