/* sim_sysfs.c - atomic publishing of sysfs-like files and inotify of outside writes and reads. */
#include "sim_sysfs.h"

#include "prog/prog_abi.h"
#include "pru/shepherd_abi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static const char *const removable[] = {SHP_SYSFS_STATE,
					SHP_SYSFS_MODE,
					SHP_SYSFS_TIME_START,
					SHP_SYSFS_TIME_STOP,
					SHP_SYSFS_MSG_BOX,
					SHP_SYSFS_CALIBRATION,
					SHP_SYSFS_HARVESTER,
					SHP_SYSFS_CONVERTER,
					SHP_SYSFS_GPIO_MASK,
					SHP_SYSFS_AUX_VOLTAGE,
					SHP_SYSFS_PRU0_FW,
					SHP_SYSFS_PRU1_FW,
					"memory/iv_inp_address",
					"memory/iv_inp_size",
					"memory/iv_out_address",
					"memory/iv_out_size",
					"memory/gpio_address",
					"memory/gpio_size",
					"memory/util_address",
					"memory/util_size",
					"sync/error",
					"sync/error_sum",
					"sync/correction",
					SHP_SYSFS_SIM_LOCKSTEP,
					PROG_SYSFS_STATE,
					PROG_SYSFS_TARGET,
					PROG_SYSFS_DATARATE,
					PROG_SYSFS_DATASIZE,
					PROG_SYSFS_PIN_TCK,
					PROG_SYSFS_PIN_TDIO,
					PROG_SYSFS_PIN_DIR_TDIO,
					PROG_SYSFS_PIN_TDO,
					PROG_SYSFS_PIN_TMS,
					PROG_SYSFS_PIN_DIR_TMS,
					NULL};

int sim_sysfs_create(struct sim_sysfs *s, const char *dir)
{
	char sub[PATH_MAX + 16];
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	s->n_published = 0;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -1;
	snprintf(sub, sizeof(sub), "%s/memory", dir);
	if (mkdir(sub, 0755) != 0 && errno != EEXIST)
		return -1;
	snprintf(sub, sizeof(sub), "%s/sync", dir);
	if (mkdir(sub, 0755) != 0 && errno != EEXIST)
		return -1;
	snprintf(sub, sizeof(sub), "%s/" PROG_SYSFS_DIR, dir);
	if (mkdir(sub, 0755) != 0 && errno != EEXIST)
		return -1;
	s->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->inotify_fd < 0)
		return -1;
	if (inotify_add_watch(s->inotify_fd, dir, IN_CLOSE_WRITE) < 0)
		return -1;
	s->prog_wd = inotify_add_watch(s->inotify_fd, sub, IN_CLOSE_WRITE);
	return s->prog_wd < 0 ? -1 : 0;
}

void sim_sysfs_remove(struct sim_sysfs *s)
{
	char path[PATH_MAX + 64];
	for (int k = 0; removable[k]; k++) {
		snprintf(path, sizeof(path), "%s/%s", s->dir, removable[k]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/memory", s->dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sync", s->dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/" PROG_SYSFS_DIR, s->dir);
	rmdir(path);
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
			if (ev->len == 0 || ev->name[0] == '.')
				continue;
			if (!(ev->mask & IN_CLOSE_WRITE))
				continue;
			if (ev->wd == s->prog_wd) {
				char name[NAME_MAX + sizeof(PROG_SYSFS_DIR) + 2];
				snprintf(name, sizeof(name), PROG_SYSFS_DIR "/%s", ev->name);
				fn(ctx, SIM_EVENT_WRITE, name);
			} else {
				fn(ctx, SIM_EVENT_WRITE, ev->name);
			}
		}
	}
}
