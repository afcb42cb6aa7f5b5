/*
 * sim_modprobe.c - sim-modprobe: the simulator's stand-in for /usr/sbin/modprobe, for the
 * module "shepherd" only (the sheep runs it as SHEPHERD_MODPROBE).
 *
 *   sim-modprobe -rf shepherd   unload: the simulator's sysfs tree disappears
 *   sim-modprobe -a shepherd    load: the tree as at the simulator's start
 *
 * It finds the simulator through SHEPHERD_SYSFS_ROOT (the sheep adds it to the environment of
 * every command it runs), writes the request to SHEPHERD_SYSFS_ROOT/sim_module and waits up to
 * 10 s for the answer (sim_module.h). Exit 0 when done, 1 with a message otherwise (no
 * simulator, no answer, refused, bad arguments), as modprobe fails with 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/version.h"
#include "sim_module.h"

#define ANSWER_TIMEOUT_MS 10000
#define POLL_MS 5

static void usage(FILE *out)
{
	fputs("Usage: sim-modprobe [-r] [-f] [-a] [-q] [-v] shepherd\n"
	      "\n"
	      "Stand-in for modprobe that loads and unloads the kernel module of the simulator\n"
	      "shepherd-pru-sim whose sysfs tree SHEPHERD_SYSFS_ROOT names (ROOT/sysfs).\n"
	      "\n"
	      "Options:\n"
	      "  -r, --remove   unload the module (default: load it)\n"
	      "  -a, --all      load every module named (modprobe's meaning; always so here)\n"
	      "  -f, --force    accepted, no effect\n"
	      "  -q, --quiet    accepted, no effect\n"
	      "  -v, --verbose  say what was done\n"
	      "  -h, --help     show this help and exit\n"
	      "      --version  print the version and exit\n"
	      "\n"
	      "Unloading an unloaded module and loading a loaded one succeed, as with kmod.\n"
	      "Exit status: 0 done; 1 no simulator, no answer within 10 s, refused (e.g. the\n"
	      "simulator's --module-fail), or bad arguments.\n",
	      out);
}

/* 0: no pid file or its process lives; -1: the simulator that made the tree is gone. */
static int check_simulator_alive(const char *sysfs_root, int *pid_out)
{
	char pidfile[PATH_MAX + 16], dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", sysfs_root);
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		*slash = '\0';
	snprintf(pidfile, sizeof(pidfile), "%s/pid", dir[0] ? dir : "/");
	FILE *f = fopen(pidfile, "r");
	if (!f)
		return 0;
	int pid = 0;
	bool gone = fscanf(f, "%d", &pid) == 1 && pid > 0 && kill(pid, 0) != 0 && errno == ESRCH;
	fclose(f);
	*pid_out = pid;
	return gone ? -1 : 0;
}

static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Sends one request and waits for its answer; 0 done, 1 failed (message printed). */
static int request(const char *sysfs_root, const char *what, bool verbose)
{
	char path[PATH_MAX + 32], id[64], text[512];
	snprintf(path, sizeof(path), "%s/%s", sysfs_root, SIM_MODULE_FILE);
	int pid = 0;
	if (check_simulator_alive(sysfs_root, &pid) != 0) {
		fprintf(stderr, "sim-modprobe: no simulator runs for %s (its pid %d is gone)\n",
			sysfs_root, pid);
		return 1;
	}
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "sim-modprobe: no simulator at %s: cannot open %s: %s\n",
			sysfs_root, path, strerror(errno));
		return 1;
	}
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(id, sizeof(id), "%ld-%lld%09ld", (long)getpid(), (long long)now.tv_sec,
		 (long)now.tv_nsec);
	char req[128];
	snprintf(req, sizeof(req), "%s %s", what, id);
	ssize_t w = write(fd, req, strlen(req));
	int werr = errno;
	close(fd);
	if (w != (ssize_t)strlen(req)) {
		fprintf(stderr, "sim-modprobe: cannot write %s: %s\n", path, strerror(werr));
		return 1;
	}
	for (long waited = 0; waited <= ANSWER_TIMEOUT_MS; waited += POLL_MS) {
		char state[16], got[64];
		int skip = 0;
		if (read_text(path, text, sizeof(text)) > 0 &&
		    sscanf(text, "%15s %63s %n", state, got, &skip) == 2 && skip > 0 &&
		    strcmp(got, id) == 0 &&
		    (strcmp(state, "loaded") == 0 || strcmp(state, "unloaded") == 0)) {
			const char *result = text + skip;
			if (strncmp(result, "ok", 2) == 0) {
				if (verbose)
					printf("sim-modprobe: shepherd %s\n", state);
				return 0;
			}
			if (strncmp(result, "failed: ", 8) == 0)
				result += 8;
			size_t len = strcspn(result, "\n");
			fprintf(stderr, "sim-modprobe: the simulator did not %s shepherd: %.*s\n",
				what, (int)len, result);
			return 1;
		}
		sleep_ms(POLL_MS);
	}
	fprintf(stderr, "sim-modprobe: no answer from the simulator at %s within %d s\n",
		sysfs_root, ANSWER_TIMEOUT_MS / 1000);
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"remove", no_argument, NULL, 'r'},  {"all", no_argument, NULL, 'a'},
		{"force", no_argument, NULL, 'f'},   {"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0},
	};
	bool remove = false, verbose = false;
	int c;
	while ((c = getopt_long(argc, argv, "rafqvh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			remove = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'a':
		case 'f':
		case 'q':
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("sim-modprobe %s\n", SHEEP_VERSION);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "sim-modprobe: missing module name.\n");
		usage(stderr);
		return 1;
	}
	for (int k = optind; k < argc; k++) {
		if (strcmp(argv[k], "shepherd") != 0) {
			fprintf(stderr,
				"sim-modprobe: FATAL: Module %s not found (the simulator has only "
				"shepherd).\n",
				argv[k]);
			return 1;
		}
	}
	const char *root = getenv("SHEPHERD_SYSFS_ROOT");
	if (!root || !*root) {
		fprintf(stderr, "sim-modprobe: SHEPHERD_SYSFS_ROOT is not set: it must name the "
				"simulator's sysfs directory (ROOT/sysfs)\n");
		return 1;
	}
	for (int k = optind; k < argc; k++)
		if (request(root, remove ? "unload" : "load", verbose) != 0)
			return 1;
	return 0;
}
