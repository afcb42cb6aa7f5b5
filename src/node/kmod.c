/*
 * kmod.c - reloading the shepherd kernel module and the access check before a command
 * (node-control.md 1.1, 1.3). The module command is node_modprobe(); every wait goes through
 * node_settle(), so that a stop signal ends it and the tests can shorten it.
 */
#include "node/kmod.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "node/node_env.h"

#define KMOD_RUNS 6         /* runs of one modprobe step before it counts as failed */
#define KMOD_TIMEOUT_S 60.0 /* the predecessor's subprocess timeout */
#define KMOD_RETRY_S 1.0    /* between two runs of a failing step */
#define KMOD_REMOVED_S 1.0  /* after each successful removal */
#define KMOD_LOADED_S 3.0   /* after the load: the probe may defer until the PRUs are up */
#define ACCESS_RELOADS 5    /* reloads of the access check */

/* What one step of the reload ended with. */
enum step_end {
	STEP_DONE,
	STEP_FAILED,  /* every run exited non-zero */
	STEP_MISSING, /* the module command does not exist */
	STEP_HUNG,    /* a run outlived the timeout */
	STEP_STOPPED, /* a stop signal */
};

/* text without its trailing newlines */
static const char *trim(char *text)
{
	size_t n = strlen(text);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		text[--n] = '\0';
	return text;
}

/*
 * Runs modprobe with flag ("-rf" or "-a") and "shepherd" up to KMOD_RUNS times until it exits 0,
 * then settles done_s; what names the step in the log.
 */
static enum step_end run_step(const char *sysfs_root, const char *flag, bool capture,
			      const char *what, double done_s)
{
	char *argv[] = {(char *)node_modprobe(), (char *)flag, "shepherd", NULL};
	for (int run = 1; run <= KMOD_RUNS; run++) {
		struct node_cmd_result res;
		log_debug("kernel module: %s (%s %s shepherd, run %d/%d)", what, argv[0], flag, run,
			  KMOD_RUNS);
		node_command(argv, sysfs_root, KMOD_TIMEOUT_S, capture, &res);
		if (res.not_found) {
			log_error("the module command %s does not exist (set SHEPHERD_MODPROBE?)",
				  argv[0]);
			return STEP_MISSING;
		}
		if (res.timed_out) {
			log_error("%s %s shepherd did not finish within %.0f s: killed", argv[0],
				  flag, KMOD_TIMEOUT_S);
			return STEP_HUNG;
		}
		if (res.status == 0)
			return node_settle(done_s) == SHP_OK ? STEP_DONE : STEP_STOPPED;
		/* the last run's words go with the error, the others are detail */
		int level = run == KMOD_RUNS ? SHP_LOG_ERROR : SHP_LOG_DEBUG;
		if (capture && res.output[0])
			shp_log(level, "%s %s shepherd exited %d: %s", argv[0], flag, res.status,
				trim(res.output));
		else
			shp_log(level, "%s %s shepherd exited %d (%d runs)", argv[0], flag,
				res.status, run);
		if (run < KMOD_RUNS && node_settle(KMOD_RETRY_S) != SHP_OK)
			return STEP_STOPPED;
	}
	return STEP_FAILED;
}

static shp_err step_error(enum step_end end)
{
	return end == STEP_STOPPED ? SHP_ERR_INTERRUPTED : SHP_ERR_SYSFS;
}

/* The reload; *missing tells the access check that there is no module command at all. */
static shp_err reload(const char *sysfs_root, bool *missing)
{
	/* the predecessor's three removals are the same command; only the log names differ */
	static const char *const removals[] = {"shepherd", "remoteproc", "pruss"};
	*missing = false;
	for (unsigned k = 0; k < sizeof(removals) / sizeof(removals[0]); k++) {
		char what[48];
		snprintf(what, sizeof(what), "remove %s", removals[k]);
		enum step_end end = run_step(sysfs_root, "-rf", true, what, KMOD_REMOVED_S);
		if (end == STEP_DONE) {
			log_info("Deactivated %s kernel module", removals[k]);
			continue;
		}
		*missing = end == STEP_MISSING;
		if (end == STEP_FAILED)
			log_error("Failed to unload shepherd kernel module.");
		return step_error(end);
	}
	enum step_end end = run_step(sysfs_root, "-a", false, "load shepherd", KMOD_LOADED_S);
	if (end == STEP_DONE) {
		log_info("Activated shepherd kernel module");
		return SHP_OK;
	}
	*missing = end == STEP_MISSING;
	if (end == STEP_FAILED)
		log_error("Failed to load shepherd kernel module.");
	return step_error(end);
}

shp_err kmod_reload(const char *sysfs_root)
{
	bool missing;
	return reload(sysfs_root, &missing);
}

/* 0 when sysfs_root/mode can be opened for reading, else the errno. */
static int mode_access(const char *sysfs_root)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/mode", sysfs_root) >= (int)sizeof(path))
		return ENAMETOOLONG;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

shp_err kmod_check_access(const char *sysfs_root)
{
	for (int attempt = 1;; attempt++) {
		int err = mode_access(sysfs_root);
		if (err == 0)
			return SHP_OK;
		if (err == EACCES || err == EPERM) {
			log_error("cannot read %s/mode: %s: run shepherd-sheep with 'sudo'!",
				  sysfs_root, strerror(err));
			return SHP_ERR_SYSFS;
		}
		if (err != ENOENT && err != ENOTDIR) {
			log_error("cannot read %s/mode: %s", sysfs_root, strerror(err));
			return SHP_ERR_SYSFS;
		}
		if (attempt > ACCESS_RELOADS) {
			log_error("%s/mode is still missing after %d reloads of the kernel module: "
				  "ran out of retries (is the shepherd kernel module installed, or "
				  "shepherd-pru-sim running?)",
				  sysfs_root, ACCESS_RELOADS);
			return SHP_ERR_SYSFS;
		}
		log_warn("%s/mode is missing: will try to activate shepherd kernel module "
			 "(attempt %d/%d)",
			 sysfs_root, attempt, ACCESS_RELOADS);
		bool missing;
		shp_err e = reload(sysfs_root, &missing);
		if (missing) {
			log_error("make sure shepherd kernel module is active!");
			return SHP_ERR_SYSFS;
		}
		if (e == SHP_ERR_INTERRUPTED)
			return e;
	}
}
