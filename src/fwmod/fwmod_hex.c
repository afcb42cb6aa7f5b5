/*
 * fwmod_hex.c - what a firmware file is (ELF or Intel HEX), and ELF -> Intel HEX through
 * objcopy (node-control.md 4.5), the tool the predecessor uses, so that the records are the
 * ones it writes.
 */
#include "fwmod/fwmod_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "node/node_env.h"

#define OBJCOPY_TIMEOUT_S 60.0
#define HEX_RECORD_BYTES_MAX (5 + 255) /* count, address, type, checksum and 255 data */
#define HEX_LINE_MAX 1024              /* longer lines are not records */

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One record line (no line end): NULL if it is a record (*eof: the end-of-file record), else
 * what is wrong with it. */
static const char *hex_record(const char *line, size_t len, bool *eof)
{
	if (line[0] != ':')
		return "does not start with ':'";
	if (len < 11 || len > 1 + 2 * HEX_RECORD_BYTES_MAX || (len - 1) % 2 != 0)
		return "has no record's length";
	unsigned sum = 0, bytes[HEX_RECORD_BYTES_MAX];
	size_t n = (len - 1) / 2;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(line[1 + 2 * i]), lo = hex_digit(line[2 + 2 * i]);
		if (hi < 0 || lo < 0)
			return "holds a character that is not a hex digit";
		bytes[i] = (unsigned)(hi << 4 | lo);
		sum += bytes[i];
	}
	if (bytes[0] + 5 != n)
		return "is not as long as its byte count says";
	if ((sum & 0xFF) != 0)
		return "has a wrong checksum";
	if (bytes[3] > 5)
		return "has an unknown record type";
	*eof = bytes[3] == 1;
	return NULL;
}

bool fwmod_hex_check(FILE *f, char *why, size_t why_len)
{
	char line[HEX_LINE_MAX + 2];
	bool eof_seen = false;
	unsigned number = 0;
	while (fgets(line, sizeof(line), f)) {
		number++;
		size_t len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			snprintf(why, why_len, "line %u is too long for a record", number);
			return false;
		}
		while (len &&
		       (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
			len--;
		if (len == 0)
			continue;
		if (eof_seen) {
			snprintf(why, why_len, "line %u follows the end-of-file record", number);
			return false;
		}
		const char *wrong = hex_record(line, len, &eof_seen);
		if (wrong) {
			snprintf(why, why_len, "line %u %s", number, wrong);
			return false;
		}
	}
	if (ferror(f)) {
		snprintf(why, why_len, "read error");
		return false;
	}
	if (!eof_seen) {
		snprintf(why, why_len, "no end-of-file record");
		return false;
	}
	return true;
}

enum fwmod_kind fwmod_detect(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return FWMOD_OTHER;
	unsigned char magic[4] = {0};
	size_t got = fread(magic, 1, sizeof(magic), f);
	enum fwmod_kind kind = FWMOD_OTHER;
	if (got == 4 && memcmp(magic,
			       "\x7f"
			       "ELF",
			       4) == 0) {
		kind = FWMOD_ELF;
	} else {
		rewind(f);
		char why[128];
		kind = fwmod_hex_check(f, why, sizeof(why)) ? FWMOD_HEX : FWMOD_OTHER;
	}
	fclose(f);
	return kind;
}

shp_err fwmod_elf_to_hex(const char *elf_path, const char *hex_path)
{
	const char *objcopy = node_objcopy();
	char *argv[] = {(char *)objcopy, "-O", "ihex", (char *)elf_path, (char *)hex_path, NULL};
	struct node_cmd_result res;
	node_command(argv, NULL, OBJCOPY_TIMEOUT_S, true, &res);
	if (res.not_found) {
		log_error("FirmwareModTask: objcopy '%s' not found (install binutils or set "
			  "SHEPHERD_OBJCOPY)",
			  objcopy);
		return SHP_ERR_FIRMWARE;
	}
	if (res.status != 0) {
		size_t len = strlen(res.output);
		while (len && (res.output[len - 1] == '\n' || res.output[len - 1] == ' '))
			res.output[--len] = '\0';
		if (res.timed_out)
			log_error("FirmwareModTask: %s -O ihex %s did not finish in %.0f s",
				  objcopy, elf_path, OBJCOPY_TIMEOUT_S);
		else
			log_error("FirmwareModTask: %s -O ihex %s failed (exit status %d): %s",
				  objcopy, elf_path, res.status, res.output);
		return SHP_ERR_FIRMWARE;
	}
	if (fwmod_detect(hex_path) != FWMOD_HEX) {
		log_error("FirmwareModTask: objcopy wrote no valid Intel HEX to %s", hex_path);
		return SHP_ERR_FIRMWARE;
	}
	return SHP_OK;
}
