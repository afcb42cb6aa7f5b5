/* sysfs.c - strict reading and writing of the kernel module's (or simulator's) sysfs files. */
#include "pru/sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

shp_err sysfs_open(struct shp_sysfs *s, const char *root)
{
	struct stat st;
	if (snprintf(s->root, sizeof(s->root), "%s", root) >= (int)sizeof(s->root)) {
		log_error("sysfs root path is too long: %s", root);
		return SHP_ERR_SYSFS;
	}
	if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
		log_error("sysfs root '%s' not found: is the shepherd kernel module loaded (or "
			  "shepherd-pru-sim running)?",
			  root);
		return SHP_ERR_SYSFS;
	}
	char state[32];
	return sysfs_read(s, SHP_SYSFS_STATE, state, sizeof(state));
}

static int sysfs_path(const struct shp_sysfs *s, const char *name, char *path, size_t len)
{
	return snprintf(path, len, "%s/%s", s->root, name) < (int)len ? 0 : -1;
}

shp_err sysfs_read(const struct shp_sysfs *s, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX + 64];
	if (sysfs_path(s, name, path, sizeof(path)) != 0 || len == 0)
		return SHP_ERR_SYSFS;
	/* non-blocking: no effect on sysfs attributes, and a FIFO (the simulator's message box)
	 * that holds nothing reads as empty instead of blocking */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		log_error("cannot read %s: %s%s", path, strerror(errno),
			  errno == EACCES ? " (run as root?)" : "");
		return SHP_ERR_SYSFS;
	}
	ssize_t n = read(fd, buf, len - 1);
	int saved = errno;
	close(fd);
	if (n < 0 && (saved == EAGAIN || saved == EWOULDBLOCK))
		n = 0;
	if (n < 0) {
		log_error("cannot read %s: %s", path, strerror(saved));
		return SHP_ERR_SYSFS;
	}
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\t' ||
			 buf[n - 1] == '\r' || buf[n - 1] == '\0'))
		buf[--n] = '\0';
	return SHP_OK;
}

bool parse_u64_strict(const char *text, uint64_t *value)
{
	const char *p = text;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	uint64_t v = 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (*p != '\0')
		return false;
	*value = v;
	return true;
}

bool sysfs_has(const struct shp_sysfs *s, const char *name)
{
	char path[PATH_MAX + 64];
	return sysfs_path(s, name, path, sizeof(path)) == 0 && access(path, F_OK) == 0;
}

shp_err sysfs_read_u64(const struct shp_sysfs *s, const char *name, uint64_t *value)
{
	char buf[64];
	SHP_TRY(sysfs_read(s, name, buf, sizeof(buf)));
	if (!parse_u64_strict(buf, value)) {
		log_error("%s/%s: expected an unsigned decimal number, found '%s'", s->root, name,
			  buf);
		return SHP_ERR_SYSFS;
	}
	return SHP_OK;
}

const char *sysfs_shorten(const char *text, char *buf, size_t len)
{
	size_t n = strlen(text), used = 0, k = 0;
	if (len == 0)
		return "";
	/* room for "...", " (NNNN bytes)" and the NUL */
	size_t room = len > 24 ? len - 24 : 0;
	for (; k < n && used + (text[k] == '\n' ? 2 : 1) <= room; k++) {
		if (text[k] == '\n') {
			buf[used++] = '\\';
			buf[used++] = 'n';
		} else {
			buf[used++] = text[k];
		}
	}
	buf[used] = '\0';
	if (k < n) {
		char tail[32];
		int t = snprintf(tail, sizeof(tail), "... (%zu bytes)", n);
		if (t > 0 && used + (size_t)t < len)
			memcpy(buf + used, tail, (size_t)t + 1);
	}
	return buf;
}

static const char *write_hint(int err)
{
	switch (err) {
	case EACCES:
		return " (run as root?)";
	case EBUSY:
		return " (the kernel module takes this only while the PRU is idle)";
	case EINVAL:
		return " (the kernel module does not take this value)";
	default:
		return "";
	}
}

shp_err sysfs_write(const struct shp_sysfs *s, const char *name, const char *text)
{
	char path[PATH_MAX + 64], shown[96];
	if (sysfs_path(s, name, path, sizeof(path)) != 0)
		return SHP_ERR_SYSFS;
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		int saved = errno;
		log_error("cannot write '%s' to %s: %s%s",
			  sysfs_shorten(text, shown, sizeof(shown)), path, strerror(saved),
			  write_hint(saved));
		return SHP_ERR_SYSFS;
	}
	/* one write: sysfs hands each write() to the store function as a value of its own */
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	int saved = errno;
	if (close(fd) != 0 && n >= 0) {
		n = -1;
		saved = errno;
	}
	if (n != (ssize_t)len) {
		log_error("writing '%s' to %s was refused: %s%s",
			  sysfs_shorten(text, shown, sizeof(shown)), path,
			  n < 0 ? strerror(saved) : "short write", n < 0 ? write_hint(saved) : "");
		return SHP_ERR_SYSFS;
	}
	log_debug("sysfs: %s <- %s", name, sysfs_shorten(text, shown, sizeof(shown)));
	return SHP_OK;
}

shp_err sysfs_write_u64(const struct shp_sysfs *s, const char *name, uint64_t value)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)value);
	return sysfs_write(s, name, buf);
}

static const struct {
	enum shp_pru_state state;
	const char *name;
} state_names[] = {
	{SHP_STATE_IDLE, "idle"},         {SHP_STATE_ARMED, "armed"},
	{SHP_STATE_STARTING, "starting"}, {SHP_STATE_RUNNING, "running"},
	{SHP_STATE_RESET, "reset"},       {SHP_STATE_FAULT, "fault"},
	{SHP_STATE_STOPPED, "stopped"},
};

enum shp_pru_state sysfs_parse_state(const char *text)
{
	for (size_t k = 0; k < sizeof(state_names) / sizeof(state_names[0]); k++)
		if (strcmp(text, state_names[k].name) == 0)
			return state_names[k].state;
	return SHP_STATE_UNKNOWN;
}

const char *shp_state_name(enum shp_pru_state state)
{
	for (size_t k = 0; k < sizeof(state_names) / sizeof(state_names[0]); k++)
		if (state_names[k].state == state)
			return state_names[k].name;
	return "unknown";
}

shp_err sysfs_read_state(const struct shp_sysfs *s, enum shp_pru_state *state)
{
	char buf[32];
	SHP_TRY(sysfs_read(s, SHP_SYSFS_STATE, buf, sizeof(buf)));
	*state = sysfs_parse_state(buf);
	return SHP_OK;
}

bool sysfs_parse_msg(const char *text, struct shp_pru_msg *msg, bool *got)
{
	unsigned long long t, v0, v1;
	char tail;
	int n = sscanf(text, "%llu %llu %llu %c", &t, &v0, &v1, &tail);
	if (n < 2) {
		/* "0 " or empty: nothing queued; anything else that is not a number is garbage */
		*got = false;
		return n == 1 ? t == 0 : text[strspn(text, " \t\n")] == '\0';
	}
	if (n != 3 || t > 0xFF || v0 > UINT32_MAX || v1 > UINT32_MAX)
		return false;
	msg->type = (uint32_t)t;
	msg->value[0] = (uint32_t)v0;
	msg->value[1] = (uint32_t)v1;
	*got = msg->type != SHP_MSG_NONE;
	return true;
}

shp_err sysfs_read_msg(const struct shp_sysfs *s, struct shp_pru_msg *msg, bool *got)
{
	char buf[128];
	SHP_TRY(sysfs_read(s, SHP_SYSFS_MSG_BOX, buf, sizeof(buf)));
	if (!sysfs_parse_msg(buf, msg, got)) {
		log_warn("%s/%s: ignoring unreadable message '%s'", s->root, SHP_SYSFS_MSG_BOX,
			 buf);
		*got = false;
	}
	return SHP_OK;
}

const char *shp_msg_name(uint32_t type)
{
	switch (type) {
	case SHP_MSG_ERR_INVALID_CMD:
		return "invalid command";
	case SHP_MSG_ERR_MEM_CORRUPTION:
		return "memory corruption";
	case SHP_MSG_ERR_BACKPRESSURE:
		return "message backpressure";
	case SHP_MSG_ERR_TIMESTAMP:
		return "timestamp error";
	case SHP_MSG_ERR_CANARY:
		return "canary damaged";
	case SHP_MSG_ERR_SYNC_STATE_NOT_IDLE:
		return "sync state not idle";
	case SHP_MSG_ERR_VALUE:
		return "invalid value";
	case SHP_MSG_ERR_SAMPLE_MODE:
		return "invalid sample mode";
	case SHP_MSG_ERR_HRV_ALGO:
		return "invalid harvester algorithm";
	case SHP_MSG_ERR_ADC_NOT_FOUND:
		return "ADC not found";
	case SHP_MSG_STATUS_RESTARTING_ROUTINE:
		return "PRU restarting";
	case SHP_MSG_DBG_PRINT:
		return "debug print";
	default:
		return "unknown message";
	}
}
