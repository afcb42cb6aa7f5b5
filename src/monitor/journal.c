/* journal.c - journalctl followers for ptp4l, phc2sys and systemd-timesyncd. */
#define _GNU_SOURCE /* pipe2 */
#include "monitor/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"

#define PERIOD_NS (500 * SHP_NS_PER_MS)
#define TEXT_MAX 128

extern char **environ;

static const char *const groups[] = {"ptp", "phc2sys", "ntp"};
static const char *const units[] = {"ptp4l@eth0.service", "phc2sys@eth0.service",
				    "systemd-timesyncd.service"};
static const char *const default_dirs[] = {"/etc/systemd/system", "/run/systemd/system",
					   "/lib/systemd/system", "/usr/lib/systemd/system", NULL};

static const struct h5w_column ptp_columns[] = {
	{"values", H5W_COL_I64, 3, false, "ns, Hz, ns",
	 "main offset [ns], s2 freq [Hz], path delay [ns]"},
};
static const struct h5w_column phc_columns[] = {
	{"values", H5W_COL_I64, 3, false, "ns, Hz, ns",
	 "phc offset [ns], s2 freq [Hz], path delay [ns]"},
};
static const struct h5w_column ntp_columns[] = {
	{"message", H5W_COL_STR, 0, false, NULL, NULL},
};

const char *journal_unit(enum journal_kind kind)
{
	return units[kind];
}

bool journal_unit_installed(const char *unit, const char *const *unit_dirs)
{
	char templ[256];
	snprintf(templ, sizeof(templ), "%s", unit);
	char *at = strchr(templ, '@'), *dot = strrchr(templ, '.');
	if (at && dot && dot > at)
		memmove(at + 1, dot, strlen(dot) + 1); /* ptp4l@eth0.service -> ptp4l@.service */
	for (const char *const *dir = unit_dirs ? unit_dirs : default_dirs; *dir; dir++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", *dir, unit);
		if (access(path, F_OK) == 0)
			return true;
		snprintf(path, sizeof(path), "%s/%s", *dir, templ);
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
}

bool journal_parse_line(const char *line, uint64_t *time_ns, const char **msg)
{
	char *end;
	unsigned long long s = strtoull(line, &end, 10);
	if (end == line || *end != '.')
		return false;
	const char *frac = end + 1;
	unsigned long long us = strtoull(frac, &end, 10);
	if (end - frac != 6 || *end != ' ')
		return false;
	*time_ns = (uint64_t)s * 1000000000ull + (uint64_t)us * 1000ull;
	const char *colon = strstr(end, ": "); /* after "host ident[pid]" */
	if (!colon)
		return false;
	*msg = colon + 2;
	return true;
}

bool journal_parse_values(const char *msg, enum journal_kind kind, int64_t values[3])
{
	static const int ptp_at[3] = {1, 4, 7}, phc_at[3] = {1, 4, 6};
	const int *at = kind == JOURNAL_PTP ? ptp_at : phc_at;
	char copy[512];
	snprintf(copy, sizeof(copy), "%s", msg);
	char *tokens[16];
	int n = 0, start = -1;
	for (char *save = NULL, *t = strtok_r(copy, " \t", &save); t && n < 16;
	     t = strtok_r(NULL, " \t", &save)) {
		if (start < 0 && strcmp(t, "offset") == 0)
			start = n;
		tokens[n++] = t;
	}
	if (start < 0 || start + at[2] >= n)
		return false;
	for (int k = 0; k < 3; k++) {
		char *end;
		values[k] = strtoll(tokens[start + at[k]], &end, 10);
		if (*end || end == tokens[start + at[k]])
			return false;
	}
	return true;
}

shp_err journal_open(struct journal_monitor *m, h5w_t *w, enum journal_kind kind)
{
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->fd = -1;
	m->pid = -1;
	const char *unit = units[kind];
	if (!journal_unit_installed(unit, NULL)) {
		log_warn("%s is not installed: /%s stays empty", unit, groups[kind]);
		return SHP_OK;
	}
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return SHP_OK;
	char unit_arg[300];
	snprintf(unit_arg, sizeof(unit_arg), "--unit=%s", unit);
	char *argv[] = {"journalctl", "--follow", "--lines=0", "--output=short-unix",
			"--no-pager", "--quiet",  unit_arg,    NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int rc = posix_spawnp(&pid, "journalctl", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc != 0) {
		log_warn("journalctl cannot be started (%s): /%s stays empty", strerror(rc),
			 groups[kind]);
		close(fds[0]);
		return SHP_OK;
	}
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
	m->pid = pid;
	m->fd = fds[0];
	const struct h5w_column *cols = kind == JOURNAL_PTP       ? ptp_columns
					: kind == JOURNAL_PHC2SYS ? phc_columns
								  : ntp_columns;
	shp_err e = h5w_table_create(w, groups[kind], cols, 1, &m->table);
	if (e != SHP_OK)
		journal_close(m);
	m->next_ns = mono_ns();
	return e;
}

static shp_err take_line(struct journal_monitor *m, const char *line)
{
	uint64_t t;
	const char *msg;
	if (!journal_parse_line(line, &t, &msg))
		return SHP_OK;
	if (m->kind == JOURNAL_NTP) {
		size_t len = strlen(msg);
		const void *row[1] = {msg};
		size_t lens[1] = {len > TEXT_MAX ? TEXT_MAX : len};
		m->lines++;
		return h5w_table_append(m->table, t, row, lens);
	}
	int64_t values[3];
	if (!journal_parse_values(msg, m->kind, values))
		return SHP_OK; /* not a servo line */
	const void *row[1] = {values};
	m->lines++;
	return h5w_table_append(m->table, t, row, NULL);
}

shp_err journal_poll(struct journal_monitor *m, uint64_t mono_now)
{
	if (!m->table || mono_now < m->next_ns)
		return SHP_OK;
	m->next_ns = mono_now + PERIOD_NS;
	for (;;) {
		ssize_t n = read(m->fd, m->buf + m->used, sizeof(m->buf) - 1 - m->used);
		if (n <= 0)
			return SHP_OK; /* EAGAIN, or journalctl ended */
		m->used += (size_t)n;
		m->buf[m->used] = '\0';
		char *line = m->buf, *nl;
		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			SHP_TRY(take_line(m, line));
			line = nl + 1;
		}
		m->used = (size_t)(m->buf + m->used - line);
		memmove(m->buf, line, m->used);
		if (m->used == sizeof(m->buf) - 1)
			m->used = 0; /* a line longer than the buffer: dropped */
	}
}

void journal_close(struct journal_monitor *m)
{
	if (m->pid > 0) {
		kill(m->pid, SIGTERM);
		waitpid(m->pid, NULL, 0);
	}
	if (m->fd >= 0)
		close(m->fd);
	m->pid = -1;
	m->fd = -1;
	m->table = NULL;
}
