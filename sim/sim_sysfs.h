/*
 * sim_sysfs.h - the simulator's stand-in for /sys/shepherd: plain files in a directory.
 *
 * The simulator publishes a file by writing a hidden temporary file and renaming it over the
 * old one, so readers never see half a value and the simulator's own writes raise no
 * IN_CLOSE_WRITE event. Writes by others (the sheep) arrive through inotify. inotify names the
 * file only: an event may find the file as a later write left it, or as the simulator
 * republished it after handling that write; sim_sysfs_is_own() recognises the latter.
 * pru_msg_box is a FIFO instead (see msg_box.h): a read takes exactly one record out of it,
 * which is the "pop" of the real file without any race.
 */
#ifndef SIM_SYSFS_H
#define SIM_SYSFS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define SIM_SYSFS_TRACKED 64

/* What the simulator last published to a file. */
struct sim_published {
	char name[40];
	uint64_t ino, size, hash;
	int64_t ctime_ns;
};

#define SIM_SYSFS_WATCHES 8

/* A watched directory: its events name their file prefix + name ("" for the top). */
struct sim_watch {
	int wd;
	char prefix[32];
};

struct sim_sysfs {
	char dir[PATH_MAX];
	int inotify_fd;
	struct sim_published published[SIM_SYSFS_TRACKED];
	unsigned n_published;
	struct sim_watch watches[SIM_SYSFS_WATCHES];
	unsigned n_watches;
};

/* Creates dir (if missing) and watches it for writes by others. */
int sim_sysfs_create(struct sim_sysfs *s, const char *dir);

/*
 * Creates the subdirectory sub (e.g. "memory", "programmer") if missing; with watch, writes by
 * others to its files arrive as events named "sub/NAME".
 */
int sim_sysfs_subdir(struct sim_sysfs *s, const char *sub, bool watch);

/*
 * Removes every file and subdirectory of the tree except the top-level names in keep
 * (NULL-terminated; NULL: none): the kernel module's unload.
 */
void sim_sysfs_clear(struct sim_sysfs *s, const char *const *keep);

/* Removes the whole tree and stops watching. */
void sim_sysfs_remove(struct sim_sysfs *s);

int sim_sysfs_publish(struct sim_sysfs *s, const char *name, const char *text);
int sim_sysfs_publish_u64(struct sim_sysfs *s, const char *name, uint64_t value);
/*
 * Whether name still holds what the simulator last published to it: the same inode (a write by
 * another process truncates it in place, a publish renames a new one over it), the same change
 * time (a write sets it anew: distinct from the publish's on kernels with fine-grained
 * timestamps, at worst the same tick on others) and the same bytes.
 */
bool sim_sysfs_is_own(const struct sim_sysfs *s, const char *name);
int sim_sysfs_read(const struct sim_sysfs *s, const char *name, char *buf, int len);

/* Creates name as a FIFO and returns a non-blocking read-write descriptor of it (-1 on error). */
int sim_sysfs_fifo(const struct sim_sysfs *s, const char *name);

enum sim_event_kind { SIM_EVENT_WRITE };

/* Calls fn for each pending event (non-blocking). */
void sim_sysfs_events(struct sim_sysfs *s,
		      void (*fn)(void *ctx, enum sim_event_kind kind, const char *name), void *ctx);

#endif
