/* node_env.c - the commands the node-control code runs, and its settle sleeps (node_env.h). */
#include "node/node_env.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/stop.h"

#define SETTLE_SLICE_NS (20 * SHP_NS_PER_MS) /* how often a settle looks for a stop signal */
#define EXEC_FAILED 127                      /* the child's status when exec fails */

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

const char *node_modprobe(void)
{
	return env_or("SHEPHERD_MODPROBE", NODE_MODPROBE_DEFAULT);
}

const char *node_systemctl(void)
{
	return env_or("SHEPHERD_SYSTEMCTL", NODE_SYSTEMCTL_DEFAULT);
}

const char *node_srec_cat(void)
{
	return env_or("SHEPHERD_SREC_CAT", NODE_SREC_CAT_DEFAULT);
}

const char *node_objcopy(void)
{
	return env_or("SHEPHERD_OBJCOPY", NODE_OBJCOPY_DEFAULT);
}

double node_settle_scale(void)
{
	static bool warned;
	const char *v = getenv("SHEPHERD_SETTLE_SCALE");
	if (!v || !*v)
		return 1.0;
	char *end;
	double scale = strtod(v, &end);
	if (*end || end == v || !(scale >= 0 && scale <= 1)) {
		if (!warned)
			log_warn("SHEPHERD_SETTLE_SCALE takes a factor from 0 to 1, not '%s': the "
				 "settle sleeps stay as they are",
				 v);
		warned = true;
		return 1.0;
	}
	return scale;
}

shp_err node_settle(double seconds)
{
	double scaled = seconds * node_settle_scale();
	uint64_t left = scaled > 0 ? (uint64_t)llround(scaled * 1e9) : 0;
	for (;;) {
		if (shp_stop_signal)
			return SHP_ERR_INTERRUPTED;
		if (left == 0)
			return SHP_OK;
		uint64_t slice = left < SETTLE_SLICE_NS ? left : SETTLE_SLICE_NS;
		sleep_ns(slice);
		left -= slice;
	}
}

/* A pipe whose ends are closed at exec. */
static int cloexec_pipe(int fds[2])
{
	if (pipe(fds) != 0)
		return -1;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

/* In the child: environment, output, exec. Never returns. */
static void run_child(char *const argv[], const char *sysfs_root, int out_fd, int err_fd)
{
	/* the command gets the signals the caller may hold back (the programmer's restore) */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (sysfs_root)
		setenv("SHEPHERD_SYSFS_ROOT", sysfs_root, 1);
	if (out_fd >= 0) {
		dup2(out_fd, STDOUT_FILENO);
		dup2(out_fd, STDERR_FILENO);
		close(out_fd);
	}
	execvp(argv[0], argv);
	int why = errno;
	/* the parent learns "not found" through the status pipe */
	if (write(err_fd, &why, sizeof(why)) < 0)
		_exit(EXEC_FAILED);
	_exit(EXEC_FAILED);
}

/* Reads what is there from fd into the result (non-blocking), up to its size. */
static void collect(int fd, struct node_cmd_result *res, size_t *used)
{
	char scratch[512];
	for (;;) {
		size_t room = sizeof(res->output) - 1 - *used;
		char *dst = room ? res->output + *used : scratch;
		size_t cap = room ? room : sizeof(scratch);
		ssize_t n = read(fd, dst, cap);
		if (n <= 0)
			return;
		if (room)
			*used += (size_t)n;
		res->output[*used] = '\0';
	}
}

void node_command(char *const argv[], const char *sysfs_root, double timeout_s, bool capture,
		  struct node_cmd_result *res)
{
	memset(res, 0, sizeof(*res));
	res->status = -1;
	int status_pipe[2], out_pipe[2] = {-1, -1};
	if (cloexec_pipe(status_pipe) != 0) {
		snprintf(res->output, sizeof(res->output), "pipe: %s", strerror(errno));
		return;
	}
	if (capture && cloexec_pipe(out_pipe) != 0) {
		snprintf(res->output, sizeof(res->output), "pipe: %s", strerror(errno));
		close(status_pipe[0]);
		close(status_pipe[1]);
		return;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(status_pipe[0]);
		if (capture)
			close(out_pipe[0]);
		run_child(argv, sysfs_root, capture ? out_pipe[1] : -1, status_pipe[1]);
	}
	close(status_pipe[1]);
	if (capture)
		close(out_pipe[1]);
	if (pid < 0) {
		snprintf(res->output, sizeof(res->output), "fork: %s", strerror(errno));
		close(status_pipe[0]);
		if (capture)
			close(out_pipe[0]);
		return;
	}
	if (capture)
		fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
	uint64_t deadline = mono_ns() + (uint64_t)llround(timeout_s * 1e9);
	size_t used = 0;
	int wstatus = 0;
	for (;;) {
		pid_t done = waitpid(pid, &wstatus, WNOHANG);
		if (capture)
			collect(out_pipe[0], res, &used);
		if (done == pid)
			break;
		if (done < 0 && errno != EINTR) {
			wstatus = -1;
			break;
		}
		if (mono_ns() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &wstatus, 0);
			res->timed_out = true;
			break;
		}
		if (capture) {
			struct pollfd p = {.fd = out_pipe[0], .events = POLLIN};
			poll(&p, 1, 10);
		} else {
			sleep_ns(5 * SHP_NS_PER_MS);
		}
	}
	int why = 0;
	if (read(status_pipe[0], &why, sizeof(why)) == (ssize_t)sizeof(why)) {
		res->not_found = why == ENOENT;
		if (!res->output[0])
			snprintf(res->output, sizeof(res->output), "cannot run %s: %s", argv[0],
				 strerror(why));
	} else if (!res->timed_out && wstatus >= 0 && WIFEXITED(wstatus)) {
		res->status = WEXITSTATUS(wstatus);
	}
	close(status_pipe[0]);
	if (capture)
		close(out_pipe[0]);
}
