/*
 * node_run.c - what `run` does to the node before its tasks (node-control.md 1.6): a fresh
 * kernel module, and systemd-timesyncd out of the way of PTP.
 */
#include "node/node_run.h"

#include "common/log.h"
#include "node/kmod.h"
#include "node/node_env.h"

#define SYSTEMCTL_TIMEOUT_S 20.0
#define TIMESYNCD "systemd-timesyncd.service"

/* disable_ntp(): stops timesyncd if it is active; a failure is only a warning. */
static void stop_timesyncd(void)
{
	char *is_active[] = {(char *)node_systemctl(), "is-active", "--quiet", TIMESYNCD, NULL};
	struct node_cmd_result res;
	node_command(is_active, NULL, SYSTEMCTL_TIMEOUT_S, true, &res);
	if (res.not_found || res.timed_out || res.status < 0) {
		log_warn("cannot ask %s whether %s is active: %s", is_active[0], TIMESYNCD,
			 res.timed_out ? "no answer within 20 s" : res.output);
		return;
	}
	if (res.status != 0) {
		log_debug("%s is not active", TIMESYNCD);
		return;
	}
	char *stop[] = {(char *)node_systemctl(), "stop", TIMESYNCD, NULL};
	node_command(stop, NULL, SYSTEMCTL_TIMEOUT_S, true, &res);
	if (res.status == 0)
		log_info("stopped %s (it would fight PTP over the clock)", TIMESYNCD);
	else
		log_warn("could not stop %s (%s): the clock may be steered twice", TIMESYNCD,
			 res.timed_out ? "no answer within 20 s" : res.output);
}

shp_err node_prepare_run(const char *sysfs_root)
{
	/* "more reliable with fresh states" */
	SHP_TRY(kmod_reload(sysfs_root));
	stop_timesyncd();
	return SHP_OK;
}
