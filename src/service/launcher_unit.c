/* launcher_unit.c - unit state, start/stop and power-off through systemctl (launcher_unit.h). */
#include "service/launcher_unit.h"

#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/stop.h"
#include "node/node_env.h"

#define SYSTEMCTL_TIMEOUT_S 30.0
#define TRANSITION_STEP_NS (100 * SHP_NS_PER_MS) /* re-read while activating/deactivating */
#define TRANSITION_MAX_NS (10000 * SHP_NS_PER_MS)

bool launcher_unit_name(const char *name, char *out, size_t len)
{
	int n = strchr(name, '.') ? snprintf(out, len, "%s", name)
				  : snprintf(out, len, "%s.service", name);
	return *name && n >= 0 && (size_t)n < len;
}

/* Runs systemctl with args; res holds its output. False (logged) if it could not run. */
static bool systemctl(char *const args[], struct node_cmd_result *res)
{
	char *argv[8];
	size_t n = 0;
	argv[n++] = (char *)node_systemctl();
	for (size_t i = 0; args[i] && n < 7; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	node_command(argv, NULL, SYSTEMCTL_TIMEOUT_S, true, res);
	size_t len = strlen(res->output);
	while (len && (res->output[len - 1] == '\n' || res->output[len - 1] == ' '))
		res->output[--len] = '\0';
	if (res->status < 0) {
		log_error("launcher: cannot run %s %s: %s", argv[0], args[0],
			  res->timed_out ? "no answer in 30 s" : res->output);
		return false;
	}
	return true;
}

enum unit_state { STATE_RUNNING, STATE_STOPPED, STATE_MOVING, STATE_UNKNOWN };

static enum unit_state classify(const char *text)
{
	size_t len = strcspn(text, " \t\n");
	static const struct {
		const char *name;
		enum unit_state state;
	} states[] = {
		{"active", STATE_RUNNING},    {"reloading", STATE_RUNNING},
		{"inactive", STATE_STOPPED},  {"failed", STATE_STOPPED},
		{"activating", STATE_MOVING}, {"deactivating", STATE_MOVING},
	};
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strlen(states[i].name) == len && strncmp(text, states[i].name, len) == 0)
			return states[i].state;
	return STATE_UNKNOWN;
}

shp_err launcher_unit_active(const char *unit, bool *active)
{
	uint64_t deadline = mono_ns() + TRANSITION_MAX_NS;
	for (;;) {
		struct node_cmd_result res;
		char *args[] = {"is-active", (char *)unit, NULL};
		if (!systemctl(args, &res))
			return SHP_ERR_SYSFS;
		enum unit_state state = classify(res.output);
		if (state == STATE_UNKNOWN) {
			log_error("launcher: Unknown state '%s' of %s", res.output, unit);
			return SHP_ERR_SYSFS;
		}
		if (state != STATE_MOVING) {
			*active = state == STATE_RUNNING;
			log_debug("launcher: %s is %s", unit, res.output);
			return SHP_OK;
		}
		if (mono_ns() >= deadline) {
			log_error("launcher: %s is still '%s' after 10 s", unit, res.output);
			return SHP_ERR_SYSFS;
		}
		if (shp_stop_signal)
			return SHP_ERR_INTERRUPTED;
		sleep_ns(TRANSITION_STEP_NS);
	}
}

shp_err launcher_unit_request(const char *unit, bool start)
{
	const char *verb = start ? "start" : "stop";
	log_info("launcher: %s %s", start ? "starting" : "stopping", unit);
	struct node_cmd_result res;
	char *args[] = {"--no-block", "--job-mode=fail", (char *)verb, (char *)unit, NULL};
	if (!systemctl(args, &res))
		return SHP_ERR_SYSFS;
	if (res.status != 0) {
		log_error("launcher: systemctl %s %s failed (exit status %d): %s", verb, unit,
			  res.status, res.output);
		return SHP_ERR_SYSFS;
	}
	return SHP_OK;
}

shp_err launcher_unit_poweroff(void)
{
	struct node_cmd_result res;
	char *args[] = {"poweroff", NULL};
	if (!systemctl(args, &res))
		return SHP_ERR_SYSFS;
	if (res.status != 0) {
		log_error("launcher: systemctl poweroff failed (exit status %d): %s", res.status,
			  res.output);
		return SHP_ERR_SYSFS;
	}
	return SHP_OK;
}
