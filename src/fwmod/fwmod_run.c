/*
 * fwmod_run.c - the steps of a FirmwareModTask (node-control.md 4.2): extract the firmware next
 * to firmware_file (suffix .elf or .hex), patch and convert an ELF, and move the HEX to
 * firmware_file when that has another suffix. The .elf copy stays.
 *
 * Unlike the predecessor, which dies with a traceback, every problem is a message and
 * SHP_ERR_FIRMWARE; it is found before anything is written where that is possible (a node id
 * missing for an ELF, a payload that does not decode, a file that is not what data_type says).
 */
#include "fwmod/fwmod_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/log.h"

bool fwmod_with_suffix(const char *path, const char *suffix, char *out, size_t len)
{
	size_t end = strlen(path);
	while (end > 1 && path[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	size_t name_len = end - start;
	if (name_len == 0 || (name_len == 1 && path[start] == '.'))
		return false; /* "", "/", "dir/.": no name to give a suffix */
	size_t stem_end = end;
	for (size_t i = end - 1; i > start; i--) {
		if (path[i] == '.') {
			if (i < end - 1)
				stem_end = i; /* a dot that ends the name is not a suffix */
			break;
		}
	}
	int n = snprintf(out, len, "%.*s%s", (int)stem_end, path, suffix);
	return n >= 0 && (size_t)n < len;
}

static shp_err write_bytes(const char *path, const uint8_t *bytes, size_t len)
{
	int err = fs_make_parent(path);
	int fd = err ? -1 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_error("FirmwareModTask: cannot create %s: %s", path,
			  strerror(err ? err : errno));
		return SHP_ERR_OUTPUT;
	}
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, bytes + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_error("FirmwareModTask: cannot write %s: %s", path,
				  n < 0 ? strerror(errno) : "nothing written");
			close(fd);
			return SHP_ERR_OUTPUT;
		}
		done += (size_t)n;
	}
	if (close(fd) != 0) {
		log_error("FirmwareModTask: cannot write %s: %s", path, strerror(errno));
		return SHP_ERR_OUTPUT;
	}
	return SHP_OK;
}

/* Whether bytes are what want says (ELF magic, or Intel HEX); what names them in messages. */
static shp_err check_kind(const uint8_t *bytes, size_t len, bool want_elf, const char *what)
{
	if (want_elf) {
		if (len >= 4 && memcmp(bytes,
				       "\x7f"
				       "ELF",
				       4) == 0)
			return SHP_OK;
		log_error("FirmwareModTask: %s is not an ELF file (no ELF magic)", what);
		return SHP_ERR_FIRMWARE;
	}
	char why[128] = "empty";
	FILE *f = len ? fmemopen((void *)bytes, len, "rb") : NULL;
	bool ok = f && fwmod_hex_check(f, why, sizeof(why));
	if (f)
		fclose(f);
	if (!ok) {
		log_error("FirmwareModTask: %s is not an Intel HEX file: %s", what, why);
		return SHP_ERR_FIRMWARE;
	}
	return SHP_OK;
}

/* The whole of a firmware file named by data (path_elf, path_hex), at most the decoded cap. */
static shp_err read_source(const char *path, uint8_t **out, size_t *out_len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		log_error("FirmwareModTask: cannot read the firmware file %s: %s", path,
			  f ? "not a regular file" : strerror(errno));
		if (f)
			fclose(f);
		return SHP_ERR_FIRMWARE;
	}
	if ((uint64_t)st.st_size > FWMOD_DECODED_MAX) {
		log_error("FirmwareModTask: the firmware file %s is larger than %d MiB", path,
			  FWMOD_DECODED_MAX >> 20);
		fclose(f);
		return SHP_ERR_FIRMWARE;
	}
	size_t len = (size_t)st.st_size;
	uint8_t *buf = malloc(len ? len : 1);
	bool ok = buf && fread(buf, 1, len, f) == len;
	fclose(f);
	if (!ok) {
		free(buf);
		log_error("FirmwareModTask: cannot read the firmware file %s", path);
		return buf ? SHP_ERR_FIRMWARE : SHP_ERR_NOMEM;
	}
	*out = buf;
	*out_len = len;
	return SHP_OK;
}

/* Step 2: the firmware's bytes at dest, checked to be what the task's data_type says. */
static shp_err extract(const struct shp_firmware_mod *task, bool elf, const char *dest)
{
	bool embedded = task->data_type == SHP_FW_HEX || task->data_type == SHP_FW_ELF;
	uint8_t *bytes = NULL;
	size_t len = 0;
	if (embedded)
		SHP_TRY(fwmod_decode(task->data, &bytes, &len));
	else
		SHP_TRY(read_source(task->data, &bytes, &len));
	const char *what = embedded ? "the embedded firmware" : task->data;
	shp_err err = check_kind(bytes, len, elf, what);
	if (!err)
		err = write_bytes(dest, bytes, len);
	free(bytes);
	return err;
}

shp_err fwmod_run(const struct shp_firmware_mod *task)
{
	bool elf = task->data_type == SHP_FW_ELF || task->data_type == SHP_FW_PATH_ELF;
	char target[PATH_MAX], extracted[PATH_MAX], hex[PATH_MAX];
	if (!fwmod_with_suffix(task->firmware_file, elf ? ".elf" : ".hex", extracted,
			       sizeof(extracted)) ||
	    !fwmod_with_suffix(task->firmware_file, ".hex", hex, sizeof(hex))) {
		log_error("FirmwareModTask: firmware_file '%s' names no file", task->firmware_file);
		return SHP_ERR_FIRMWARE;
	}
	/* the path as Python's Path has it: without trailing slashes */
	snprintf(target, sizeof(target), "%s", task->firmware_file);
	for (size_t n = strlen(target); n > 1 && target[n - 1] == '/'; n--)
		target[n - 1] = '\0';
	if (elf && !task->has_custom_id) {
		log_error(
			"FirmwareModTask: custom_id is null, but an ELF firmware gets its node id "
			"patched into " FWMOD_NODE_ID_SYMBOL ": give custom_id (0 to 65535)");
		return SHP_ERR_FIRMWARE;
	}
	SHP_TRY(extract(task, elf, extracted));
	bool patched = !elf;
	if (elf) {
		SHP_TRY(fwmod_patch_node_id(extracted, task->custom_id, &patched));
		if (patched)
			log_info("FirmwareModTask: " FWMOD_NODE_ID_SYMBOL " = %u in %s",
				 (unsigned)task->custom_id, extracted);
		SHP_TRY(fwmod_elf_to_hex(extracted, hex));
	}
	if (strcmp(hex, target) != 0 && rename(hex, target) != 0) {
		log_error("FirmwareModTask: cannot move %s to %s: %s", hex, target,
			  strerror(errno));
		return SHP_ERR_OUTPUT;
	}
	if (!patched) {
		/* The predecessor logs this at debug level and succeeds. The node id asked for is
		 * not in the firmware, so the targets of an experiment would all run with the one
		 * id compiled in: the HEX is there for what follows, but the task fails. */
		log_error("FirmwareModTask: %s has no symbol " FWMOD_NODE_ID_SYMBOL
			  ": custom_id %u cannot be patched in; %s holds the firmware unpatched",
			  extracted, (unsigned)task->custom_id, target);
		return SHP_ERR_FIRMWARE;
	}
	log_info("FirmwareModTask: firmware written to %s", target);
	return SHP_OK;
}
