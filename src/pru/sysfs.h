/*
 * sysfs.h - the control path to the PRUs: the shepherd kernel module's sysfs files.
 *
 * Files hold short ASCII values without trailing newline. Everything read here is parsed strictly:
 * odd content is reported with the file name and the text found, never guessed at.
 */
#ifndef SHP_SYSFS_H
#define SHP_SYSFS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "pru/shepherd_abi.h"

struct shp_sysfs {
	char root[PATH_MAX];
};

/* A message from the PRUs, as read from pru_msg_box. */
struct shp_pru_msg {
	uint32_t type;
	uint32_t value[2];
};

/* Checks that root is a directory holding the state file; fails with a hint otherwise. */
shp_err sysfs_open(struct shp_sysfs *s, const char *root);

/* Reads a file, strips trailing white space. */
shp_err sysfs_read(const struct shp_sysfs *s, const char *name, char *buf, size_t len);
shp_err sysfs_read_u64(const struct shp_sysfs *s, const char *name, uint64_t *value);
/* Whether the file exists (for files only some implementations have). */
bool sysfs_has(const struct shp_sysfs *s, const char *name);
/* Writes text in one write(); a refusal is logged with the file, the errno text and the text. */
shp_err sysfs_write(const struct shp_sysfs *s, const char *name, const char *text);
shp_err sysfs_write_u64(const struct shp_sysfs *s, const char *name, uint64_t value);

/* text for a message: newlines shown as \n, cut to fit len with "... (N bytes)" appended. */
const char *sysfs_shorten(const char *text, char *buf, size_t len);

/* Parses a whole decimal unsigned number (surrounding white space allowed). */
bool parse_u64_strict(const char *text, uint64_t *value);

/* Maps the state file's text to a state; unknown text gives SHP_STATE_UNKNOWN. */
enum shp_pru_state sysfs_parse_state(const char *text);
const char *shp_state_name(enum shp_pru_state state);
shp_err sysfs_read_state(const struct shp_sysfs *s, enum shp_pru_state *state);

/* Reads the oldest PRU message; *got is false when the box is empty. */
shp_err sysfs_read_msg(const struct shp_sysfs *s, struct shp_pru_msg *msg, bool *got);
/* Parses "type v0 v1"; fewer than two tokens means "empty". Returns false on garbage. */
bool sysfs_parse_msg(const char *text, struct shp_pru_msg *msg, bool *got);
const char *shp_msg_name(uint32_t type);

#endif
