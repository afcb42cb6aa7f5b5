/* gpio_tree.c - the simulated sysfs GPIO tree: export/unexport, pin files, the write log. */
#include "gpio_tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"

static void log_line(struct sim_gpio_tree *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void log_line(struct sim_gpio_tree *t, const char *fmt, ...)
{
	char what[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	uint64_t ns = wall_ns();
	if (t->log) {
		fprintf(t->log, "%llu.%06llu %s\n", (unsigned long long)(ns / 1000000000ull),
			(unsigned long long)(ns % 1000000000ull / 1000ull), what);
		fflush(t->log);
	}
	if (t->verbose)
		fprintf(stderr, "shepherd-pru-sim: gpio: %s\n", what);
}

/* Writes text to dir/name through a hidden temporary file renamed over it. */
static int publish(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX + 64], tmp[PATH_MAX + 80];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	close(fd);
	if (n != (ssize_t)len || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int read_trimmed(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return (int)n;
}

static void pin_dir(const struct sim_gpio_tree *t, unsigned n, char *buf, size_t len)
{
	snprintf(buf, len, "%s/gpio%u", t->dir, n);
}

static bool reads(const struct sim_gpio_pin *p)
{
	return (p->output ? p->drive : p->outside) != p->active_low;
}

/* Remembers the value file as it is now: a later change is a write of others. */
static void note_value(struct sim_gpio_tree *t, unsigned n)
{
	char path[PATH_MAX + 64];
	pin_dir(t, n, path, sizeof(path));
	strncat(path, "/value", sizeof(path) - strlen(path) - 1);
	struct stat st;
	struct sim_gpio_pin *p = &t->pins[n];
	p->value_ino = stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
	p->value_ctime = p->value_ino ? (int64_t)st.st_ctim.tv_sec * 1000000000ll +
						(int64_t)st.st_ctim.tv_nsec
				      : 0;
}

static bool value_unchanged(struct sim_gpio_tree *t, unsigned n)
{
	struct sim_gpio_pin *p = &t->pins[n];
	uint64_t ino = p->value_ino;
	int64_t ctime = p->value_ctime;
	note_value(t, n);
	return ino != 0 && ino == p->value_ino && ctime == p->value_ctime;
}

/* Shows the pin's level in its value file once the writes queued so far are handled
 * (publish_values): a write of others to the value file that is already queued wins. */
static void show_value(struct sim_gpio_tree *t, unsigned n)
{
	t->pins[n].show = true;
}

/* The deferred value files, with no event left in the queue: unless a write of others changed
 * the file since the simulator last published it (its event is then still to come). */
static void publish_values(struct sim_gpio_tree *t)
{
	for (unsigned n = 0; n < SIM_GPIO_PINS; n++) {
		struct sim_gpio_pin *p = &t->pins[n];
		if (!p->show)
			continue;
		p->show = false;
		if (!p->exported || !value_unchanged(t, n))
			continue;
		/* Replaced only if it still holds what the simulator knows it to hold and the level
		 * differs: other text (empty too, as a write truncates first) is a write of others
		 * in progress, whose event sets the level, and replacing the file then would put
		 * their write into the old one. */
		char dir[PATH_MAX + 16], path[PATH_MAX + 32], text[sizeof(p->shown)];
		pin_dir(t, n, dir, sizeof(dir));
		snprintf(path, sizeof(path), "%s/value", dir);
		const char *level = reads(p) ? "1" : "0";
		if (read_trimmed(path, text, sizeof(text)) < 0 || strcmp(text, p->shown) != 0 ||
		    strcmp(text, level) == 0)
			continue;
		publish(dir, "value", reads(p) ? "1\n" : "0\n");
		snprintf(p->shown, sizeof(p->shown), "%s", level);
		note_value(t, n);
	}
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			char path[PATH_MAX + 300];
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

static const char *export_pin(struct sim_gpio_tree *t, unsigned n)
{
	struct sim_gpio_pin *p = &t->pins[n];
	if (p->exported)
		return "busy: already exported";
	char hidden[PATH_MAX + 32], dir[PATH_MAX + 16];
	snprintf(hidden, sizeof(hidden), "%s/.gpio%u", t->dir, n);
	pin_dir(t, n, dir, sizeof(dir));
	remove_dir(hidden);
	if (mkdir(hidden, 0755) != 0)
		return "cannot create its directory";
	/* watched before it appears: the first write of others is never missed */
	p->wd = inotify_add_watch(t->inotify_fd, hidden, IN_CLOSE_WRITE);
	p->output = p->drive = p->active_low = false;
	snprintf(p->edge, sizeof(p->edge), "none\n");
	char value[4];
	snprintf(value, sizeof(value), "%d\n", reads(p) ? 1 : 0);
	if (p->wd < 0 || publish(hidden, "direction", "in\n") != 0 ||
	    publish(hidden, "value", value) != 0 || publish(hidden, "edge", "none\n") != 0 ||
	    publish(hidden, "active_low", "0\n") != 0 || rename(hidden, dir) != 0) {
		if (p->wd >= 0)
			inotify_rm_watch(t->inotify_fd, p->wd);
		remove_dir(hidden);
		return "cannot create its files";
	}
	p->exported = true;
	snprintf(p->shown, sizeof(p->shown), "%d", reads(p) ? 1 : 0);
	note_value(t, n);
	return NULL;
}

static const char *unexport_pin(struct sim_gpio_tree *t, unsigned n)
{
	struct sim_gpio_pin *p = &t->pins[n];
	if (!p->exported)
		return "not exported";
	char dir[PATH_MAX + 16];
	pin_dir(t, n, dir, sizeof(dir));
	inotify_rm_watch(t->inotify_fd, p->wd);
	p->wd = -1;
	remove_dir(dir);
	p->exported = false;
	p->output = false; /* the line is released */
	return NULL;
}

/* export / unexport: a pin number; the file is emptied again after each write. */
static void on_root_write(struct sim_gpio_tree *t, const char *name)
{
	char path[PATH_MAX + 16], text[64];
	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	if (read_trimmed(path, text, sizeof(text)) <= 0)
		return; /* empty: a write still in progress, or the simulator's own */
	publish(t->dir, name, "");
	char *end;
	long n = strtol(text, &end, 10);
	const char *why;
	if (*end || end == text || n < 0 || n >= SIM_GPIO_PINS)
		why = "invalid: no such GPIO (0 to 127)";
	else if (strcmp(name, "export") == 0)
		why = export_pin(t, (unsigned)n);
	else
		why = unexport_pin(t, (unsigned)n);
	if (why)
		log_line(t, "%s %s (refused: %s)", name, text, why);
	else
		log_line(t, "%s %ld", name, n);
}

static bool parse_flag(const char *text, bool *v)
{
	char *end;
	long x = strtol(text, &end, 0);
	if (*end || end == text)
		return false;
	*v = x != 0;
	return true;
}

/* Puts a refused write's file back as the pin has it. */
static void restore(struct sim_gpio_tree *t, unsigned n, const char *file)
{
	const struct sim_gpio_pin *p = &t->pins[n];
	char dir[PATH_MAX + 16];
	pin_dir(t, n, dir, sizeof(dir));
	if (strcmp(file, "direction") == 0)
		publish(dir, file, p->output ? "out\n" : "in\n");
	else if (strcmp(file, "value") == 0)
		publish(dir, file, reads(p) ? "1\n" : "0\n");
	else if (strcmp(file, "active_low") == 0)
		publish(dir, file, p->active_low ? "1\n" : "0\n");
	else
		publish(dir, file, p->edge);
	if (strcmp(file, "value") == 0) {
		snprintf(t->pins[n].shown, sizeof(t->pins[n].shown), "%d", reads(p) ? 1 : 0);
		note_value(t, n);
	}
}

static const char *on_direction(struct sim_gpio_tree *t, unsigned n, const char *text)
{
	struct sim_gpio_pin *p = &t->pins[n];
	if (strcmp(text, "in") == 0) {
		p->output = false;
	} else if (strcmp(text, "out") == 0 || strcmp(text, "low") == 0) {
		p->output = true; /* out drives low, as Linux does */
		p->drive = false;
	} else if (strcmp(text, "high") == 0) {
		p->output = true;
		p->drive = true;
	} else {
		return "not in, out, high or low";
	}
	if (strcmp(text, "high") == 0 || strcmp(text, "low") == 0) {
		char dir[PATH_MAX + 16];
		pin_dir(t, n, dir, sizeof(dir));
		publish(dir, "direction", "out\n");
	}
	show_value(t, n);
	return NULL;
}

static void on_pin_write(struct sim_gpio_tree *t, unsigned n, const char *file)
{
	char path[PATH_MAX + 64], text[64];
	pin_dir(t, n, path, sizeof(path));
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s", file);
	if (read_trimmed(path, text, sizeof(text)) <= 0)
		return;
	struct sim_gpio_pin *p = &t->pins[n];
	const char *why = NULL;
	bool v;
	const char *external = "";
	if (strcmp(file, "direction") == 0) {
		why = on_direction(t, n, text);
	} else if (strcmp(file, "value") == 0) {
		if (!parse_flag(text, &v)) {
			why = "not a number";
		} else if (p->output) {
			p->drive = v != p->active_low;
		} else {
			p->outside = v != p->active_low; /* the world outside changes the line */
			external = " (external)";
		}
		if (!why) {
			snprintf(p->shown, sizeof(p->shown), "%.7s", text);
			note_value(t, n);
			log_line(t, "gpio%u value %d%s", n, v ? 1 : 0, external);
			return;
		}
	} else if (strcmp(file, "active_low") == 0) {
		if (!parse_flag(text, &v))
			why = "not a number";
		else
			p->active_low = v;
		if (!why)
			show_value(t, n);
	} else if (strcmp(file, "edge") == 0) {
		if (strcmp(text, "none") && strcmp(text, "rising") && strcmp(text, "falling") &&
		    strcmp(text, "both")) {
			why = "not none, rising, falling or both";
		} else {
			snprintf(p->edge, sizeof(p->edge), "%.8s\n", text);
		}
	} else {
		return; /* a file of others' own: not the kernel's */
	}
	if (why) {
		restore(t, n, file);
		log_line(t, "gpio%u %s %s (refused: %s)", n, file, text, why);
	} else {
		log_line(t, "gpio%u %s %s", n, file, text);
	}
}

/* Handles one read of the queue; false when it was empty. */
static bool handle_queued(struct sim_gpio_tree *t)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n = read(t->inotify_fd, buf, sizeof(buf));
	if (n <= 0)
		return false;
	for (char *q = buf; q < buf + n;) {
		struct inotify_event *ev = (struct inotify_event *)(void *)q;
		q += sizeof(*ev) + ev->len;
		if (ev->len == 0 || ev->name[0] == '.' || !(ev->mask & IN_CLOSE_WRITE))
			continue;
		if (ev->wd == t->root_wd) {
			if (strcmp(ev->name, "export") == 0 || strcmp(ev->name, "unexport") == 0)
				on_root_write(t, ev->name);
			continue;
		}
		for (unsigned k = 0; k < SIM_GPIO_PINS; k++)
			if (t->pins[k].exported && t->pins[k].wd == ev->wd)
				on_pin_write(t, k, ev->name);
	}
	return true;
}

void sim_gpio_tree_events(struct sim_gpio_tree *t)
{
	/* A program sets a pin with "out" to direction and then its level to value at once:
	 * publishing the "out" level before the queue is empty could overwrite the level it
	 * wrote since (a file's change time is too coarse to tell). */
	while (handle_queued(t))
		;
	publish_values(t);
	sim_gpio_cape_report(t);
}

int sim_gpio_tree_open(struct sim_gpio_tree *t, const char *dir, const char *log_path,
		       const char *aux_file, int verbose)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "%s", dir);
	snprintf(t->aux_file, sizeof(t->aux_file), "%s", aux_file);
	snprintf(t->log_path, sizeof(t->log_path), "%s", log_path);
	t->verbose = verbose;
	for (unsigned k = 0; k < SIM_GPIO_PINS; k++) {
		t->pins[k].wd = -1;
		t->pins[k].outside = k == SIM_GPIO_BUTTON; /* the button's pull-up */
	}
	t->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (t->inotify_fd < 0)
		return -1;
	if ((mkdir(dir, 0755) != 0 && errno != EEXIST) || publish(dir, "export", "") != 0 ||
	    publish(dir, "unexport", "") != 0)
		return -1;
	t->root_wd = inotify_add_watch(t->inotify_fd, dir, IN_CLOSE_WRITE);
	t->log = fopen(log_path, "w");
	if (t->root_wd < 0 || !t->log)
		return -1;
	return 0;
}

void sim_gpio_tree_close(struct sim_gpio_tree *t, bool keep)
{
	if (t->log)
		fclose(t->log);
	t->log = NULL;
	if (t->inotify_fd >= 0)
		close(t->inotify_fd);
	t->inotify_fd = -1;
	if (keep)
		return;
	for (unsigned k = 0; k < SIM_GPIO_PINS; k++) {
		if (!t->pins[k].exported)
			continue;
		char path[PATH_MAX + 16];
		pin_dir(t, k, path, sizeof(path));
		remove_dir(path);
	}
	unlink(t->log_path);
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/export", t->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/unexport", t->dir);
	unlink(path);
	rmdir(t->dir);
}

bool sim_gpio_level(const struct sim_gpio_tree *t, unsigned n)
{
	if (n >= SIM_GPIO_PINS || !t->pins[n].exported)
		return false;
	const struct sim_gpio_pin *p = &t->pins[n];
	return p->output ? p->drive : p->outside;
}
