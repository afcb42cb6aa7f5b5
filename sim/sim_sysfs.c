/* sim_sysfs.c - atomic publishing of sysfs-like files and inotify of outside writes and reads. */
#include "sim_sysfs.h"

#include "pru/shepherd_abi.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

int sim_sysfs_create(struct sim_sysfs *s, const char *dir)
{
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	s->n_published = 0;
	s->n_watches = 0;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -1;
	s->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->inotify_fd < 0)
		return -1;
	int wd = inotify_add_watch(s->inotify_fd, dir, IN_CLOSE_WRITE);
	if (wd < 0)
		return -1;
	s->watches[s->n_watches++] = (struct sim_watch){.wd = wd, .prefix = ""};
	return 0;
}

int sim_sysfs_subdir(struct sim_sysfs *s, const char *sub, bool watch)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", s->dir, sub);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return -1;
	if (!watch)
		return 0;
	int wd = inotify_add_watch(s->inotify_fd, path, IN_CLOSE_WRITE);
	if (wd < 0)
		return -1;
	for (unsigned k = 0; k < s->n_watches; k++)
		if (s->watches[k].wd == wd)
			return 0; /* watched already */
	if (s->n_watches == SIM_SYSFS_WATCHES || strlen(sub) >= sizeof(s->watches[0].prefix) - 1)
		return -1;
	struct sim_watch *w = &s->watches[s->n_watches++];
	w->wd = wd;
	snprintf(w->prefix, sizeof(w->prefix), "%s/", sub);
	return 0;
}

static bool kept(const char *name, const char *const *keep)
{
	for (int k = 0; keep && keep[k]; k++)
		if (strcmp(keep[k], name) == 0)
			return true;
	return false;
}

/* Removes everything below path (files, FIFOs, directories); the simulator's own tree. */
static void remove_below(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char sub[PATH_MAX + 256];
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		struct stat st;
		if (lstat(sub, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			remove_below(sub);
			rmdir(sub);
		} else {
			unlink(sub);
		}
	}
	closedir(d);
}

void sim_sysfs_clear(struct sim_sysfs *s, const char *const *keep)
{
	DIR *d = opendir(s->dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    kept(e->d_name, keep))
			continue;
		char path[PATH_MAX + 256];
		snprintf(path, sizeof(path), "%s/%s", s->dir, e->d_name);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			remove_below(path);
			rmdir(path);
		} else {
			unlink(path);
		}
	}
	closedir(d);
	/* the watches of removed directories end with them (IN_IGNORED) */
	unsigned n = 0;
	for (unsigned k = 0; k < s->n_watches; k++)
		if (s->watches[k].prefix[0] == '\0')
			s->watches[n++] = s->watches[k];
	s->n_watches = n;
	for (unsigned k = 0; k < s->n_published; k++)
		if (!kept(s->published[k].name, keep))
			s->published[k].ino = 0;
}

void sim_sysfs_remove(struct sim_sysfs *s)
{
	sim_sysfs_clear(s, NULL);
	rmdir(s->dir);
	if (s->inotify_fd >= 0)
		close(s->inotify_fd);
	s->inotify_fd = -1;
}

static uint64_t fnv1a(const char *data, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t k = 0; k < len; k++)
		h = (h ^ (uint8_t)data[k]) * 0x100000001b3ull;
	return h;
}

static struct sim_published *published_slot(struct sim_sysfs *s, const char *name)
{
	for (unsigned k = 0; k < s->n_published; k++)
		if (strcmp(s->published[k].name, name) == 0)
			return &s->published[k];
	if (s->n_published == SIM_SYSFS_TRACKED || strlen(name) >= sizeof(s->published[0].name))
		return NULL;
	struct sim_published *slot = &s->published[s->n_published++];
	snprintf(slot->name, sizeof(slot->name), "%s", name);
	return slot;
}

static void remember(struct sim_sysfs *s, const char *name, const char *path, const char *text,
		     size_t len)
{
	struct sim_published *slot = published_slot(s, name);
	struct stat st;
	if (!slot)
		return;
	if (stat(path, &st) != 0) {
		slot->ino = 0;
		return;
	}
	slot->ino = (uint64_t)st.st_ino;
	slot->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000ll + st.st_ctim.tv_nsec;
	slot->size = len;
	slot->hash = fnv1a(text, len);
}

bool sim_sysfs_is_own(const struct sim_sysfs *s, const char *name)
{
	const struct sim_published *slot = NULL;
	for (unsigned k = 0; k < s->n_published && !slot; k++)
		if (strcmp(s->published[k].name, name) == 0)
			slot = &s->published[k];
	if (!slot || slot->ino == 0)
		return false;
	char path[PATH_MAX + 64], buf[8192];
	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	ssize_t n = -1;
	if (fstat(fd, &st) == 0 && (uint64_t)st.st_ino == slot->ino &&
	    (int64_t)st.st_ctim.tv_sec * 1000000000ll + st.st_ctim.tv_nsec == slot->ctime_ns &&
	    (uint64_t)st.st_size == slot->size)
		n = read(fd, buf, sizeof(buf));
	close(fd);
	return n >= 0 && (uint64_t)n == slot->size && fnv1a(buf, (size_t)n) == slot->hash;
}

int sim_sysfs_publish(struct sim_sysfs *s, const char *name, const char *text)
{
	char path[PATH_MAX + 64], tmp[PATH_MAX + 80];
	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	const char *slash = strrchr(name, '/');
	if (slash)
		snprintf(tmp, sizeof(tmp), "%s/%.*s/.%s.tmp", s->dir, (int)(slash - name), name,
			 slash + 1);
	else
		snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", s->dir, name);
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
	remember(s, name, path, text, len);
	return 0;
}

int sim_sysfs_publish_u64(struct sim_sysfs *s, const char *name, uint64_t value)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)value);
	return sim_sysfs_publish(s, name, buf);
}

int sim_sysfs_read(const struct sim_sysfs *s, const char *name, char *buf, int len)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, (size_t)len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return (int)n;
}

int sim_sysfs_fifo(const struct sim_sysfs *s, const char *name)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	unlink(path);
	if (mkfifo(path, 0666) != 0)
		return -1;
	/* read-write: the FIFO always has a writer, so readers never see end-of-file */
	return open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
}

void sim_sysfs_events(struct sim_sysfs *s,
		      void (*fn)(void *ctx, enum sim_event_kind kind, const char *name), void *ctx)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t n = read(s->inotify_fd, buf, sizeof(buf));
		if (n <= 0)
			return;
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)(void *)p;
			p += sizeof(*ev) + ev->len;
			if (ev->len == 0 || ev->name[0] == '.' || !(ev->mask & IN_CLOSE_WRITE))
				continue;
			const char *prefix = NULL;
			for (unsigned k = 0; k < s->n_watches && !prefix; k++)
				if (s->watches[k].wd == ev->wd)
					prefix = s->watches[k].prefix;
			if (!prefix)
				continue; /* a directory removed since */
			char name[128];
			snprintf(name, sizeof(name), "%s%s", prefix, ev->name);
			fn(ctx, SIM_EVENT_WRITE, name);
		}
	}
}
