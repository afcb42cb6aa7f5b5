/* stop.c - async-signal-safe recording of a stop request. */
#include "common/stop.h"

#include <string.h>

volatile sig_atomic_t shp_stop_signal;

static void on_signal(int sig)
{
	shp_stop_signal = sig;
}

static void on_pipe(int sig)
{
	(void)sig;
}

void shp_stop_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/*
	 * The terminal went away (an SSH session that dropped): stop the PRU and finish the file,
	 * unless the sheep was started to outlive it (nohup leaves SIGHUP ignored).
	 */
	struct sigaction old;
	if (sigaction(SIGHUP, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
		sigaction(SIGHUP, &sa, NULL);
	/*
	 * An SSH session without a terminal that dropped sends no SIGHUP: the next write to its
	 * stdout or stderr raises SIGPIPE, which would kill the sheep with the PRU running. The
	 * write fails instead and the run goes on into its file. (A handler, not SIG_IGN: children
	 * such as journalctl get the default back at exec.)
	 */
	sa.sa_handler = on_pipe;
	sigaction(SIGPIPE, &sa, NULL);
}
