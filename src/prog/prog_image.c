/* prog_image.c - the node-independent parts of programming (prog_image.h). */
#include "prog/prog_image.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"

void prog_target_of(const char *mcu_type, char *out, size_t len, bool *known)
{
	size_t n = 0;
	for (; mcu_type[n] && n + 1 < len; n++)
		out[n] = (char)tolower((unsigned char)mcu_type[n]);
	out[n] = '\0';
	*known = true;
	if (strstr(out, "msp430"))
		snprintf(out, len, "msp430");
	else if (strstr(out, "nrf52"))
		snprintf(out, len, "nrf52");
	else
		*known = false;
}

void prog_pins_of(unsigned mcu_port, uint32_t pin[PROG_PIN_COUNT])
{
	static const uint32_t port1[3] = {5, 4, 10}, port2[3] = {8, 9, 11};
	const uint32_t *p = mcu_port == 1 ? port1 : port2;
	for (int k = 0; k < 3; k++)
		pin[k] = p[k];
	for (int k = 3; k < PROG_PIN_COUNT; k++)
		pin[k] = 0;
}

uint32_t prog_rate_of(uint32_t datarate, unsigned attempt)
{
	double factor = 1.0;
	for (unsigned k = 0; k < attempt; k++)
		factor *= PROG_RATE_FACTOR;
	return (uint32_t)(factor * (double)datarate);
}

shp_err prog_ctrl_check(const struct prog_ctrl *c, char *why, size_t len)
{
	for (int k = 0; k < 3; k++)
		if (c->pin[k] == 0) {
			snprintf(why, len, "ValueError: pin %d of the programmer must be > 0", k);
			return SHP_ERR_PROGRAM;
		}
	for (int a = 0; a < PROG_PIN_COUNT; a++)
		for (int b = a + 1; b < PROG_PIN_COUNT; b++)
			if (c->pin[a] != 0 && c->pin[a] == c->pin[b]) {
				snprintf(why, len,
					 "ValueError: pin %u used twice by the programmer",
					 (unsigned)c->pin[a]);
				return SHP_ERR_PROGRAM;
			}
	if (c->datarate == 0 || c->datarate > PROG_DATARATE_MAX) {
		snprintf(why, len, "ValueError: data rate %u bit/s is not in 1 ... %u",
			 (unsigned)c->datarate, PROG_DATARATE_MAX);
		return SHP_ERR_PROGRAM;
	}
	return SHP_OK;
}

bool prog_hex_suffix(const char *path)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');
	if (!dot || (slash && dot < slash))
		return false;
	return strcasecmp(dot, ".hex") == 0 || strcasecmp(dot, ".ihex") == 0 ||
	       strcasecmp(dot, ".ihx") == 0;
}

shp_err prog_image_load(const char *path, uint8_t **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		log_error("cannot read the aligned firmware %s: %s", path, strerror(errno));
		return SHP_ERR_FIRMWARE;
	}
	uint8_t *buf = malloc(PROG_IMAGE_MAX + 1);
	if (!buf) {
		fclose(f);
		return SHP_ERR_NOMEM;
	}
	size_t n = fread(buf, 1, PROG_IMAGE_MAX + 1, f);
	bool bad = ferror(f);
	fclose(f);
	const char *why = bad                  ? "cannot be read"
			  : n == 0             ? "Firmware file is empty"
			  : n > PROG_IMAGE_MAX ? "Firmware file is larger than the SharedMEM-Buffer"
					       : NULL;
	if (why) {
		log_error("ValueError: %s (%s, at most %u bytes)", why, path, PROG_IMAGE_MAX);
		free(buf);
		return SHP_ERR_FIRMWARE;
	}
	*data = buf;
	*len = n;
	return SHP_OK;
}

double prog_timeout_s(size_t text_bytes, uint32_t rate)
{
	double words = (double)text_bytes / 4.0;
	return 60.0 + 10.0 * words * 400.0 / (double)(rate ? rate : 1);
}

void prog_msg_text(const struct shp_pru_msg *m, char *buf, size_t len, int *level)
{
	unsigned v0 = m->value[0], v1 = m->value[1];
	*level = SHP_LOG_ERROR;
	switch (m->type) {
	case PROG_MSG_WRITE_ERROR:
		snprintf(buf, len, "PROGRAMMER-WRITE-ERROR: ihex to address @0x%x, data=%u [0x%x]",
			 v0, v1, v1);
		break;
	case PROG_MSG_VERIFY_ERROR:
		snprintf(buf, len,
			 "PROGRAMMER-VERIFY-ERROR: read-back failed @0x%x, data=%u [0x%x]", v0, v1,
			 v1);
		break;
	case PROG_MSG_PARSE_ERROR:
		snprintf(buf, len, "PROGRAMMER-PARSE-ERROR: ihex_return=%u, line=%u", v0, v1);
		break;
	case SHP_MSG_STATUS_RESTARTING_ROUTINE:
		*level = SHP_LOG_DEBUG;
		snprintf(buf, len, "PRU is restarting its main routine, val=[%u, %u]", v0, v1);
		break;
	default:
		snprintf(buf, len, "UNKNOWN PROGRAMMER-ERROR: type=0x%02x, val0=%u, val1=%u",
			 (unsigned)m->type, v0, v1);
	}
}
