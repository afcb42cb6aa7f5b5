/* cape_eeprom.c - parse and build the cape EEPROM's image (cape info and calibration block). */
#include "settings/cape_eeprom.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

_Static_assert(sizeof(double) == 8 && sizeof(uint64_t) == 8, "IEEE-754 binary64 doubles");
#if defined(__FLOAT_WORD_ORDER__) && defined(__BYTE_ORDER__)
_Static_assert(__FLOAT_WORD_ORDER__ == __BYTE_ORDER__, "doubles in the integers' byte order");
#endif

static const uint8_t header_magic[4] = {0xAA, 0x55, 0x33, 0xEE};

#define FIELD(name, off, len)                                                                      \
	{                                                                                          \
#name, off, len, offsetof(struct cape_info, name)                                  \
	}

const struct cape_field cape_fields[] = {
	FIELD(eeprom_revision, 4, CAPE_REVISION_LEN),
	FIELD(board_name, 6, CAPE_BOARD_NAME_LEN),
	FIELD(version, 38, CAPE_VERSION_LEN),
	FIELD(manufacturer, 42, CAPE_MANUFACTURER_LEN),
	FIELD(part_number, 58, CAPE_PART_NUMBER_LEN),
	/* 74..75: the BeagleBone's "number of pins", left alone */
	FIELD(serial_number, 76, CAPE_SERIAL_LEN),
	FIELD(cal_date, 88, CAPE_CAL_DATE_LEN),
	{NULL, 0, 0, 0},
};

_Static_assert(88 + CAPE_CAL_DATE_LEN == CAPE_EEPROM_INFO_SIZE, "cape info ends at byte 100");
_Static_assert(CAPE_EEPROM_CAL_SIZE == CAL_PAIR_COUNT * 2 * 8, "16 doubles");
_Static_assert(CAPE_EEPROM_CAL_OFFSET + CAPE_EEPROM_CAL_SIZE == CAPE_EEPROM_IMAGE_SIZE,
	       "the calibration block ends the image");

char *cape_info_field(struct cape_info *info, const struct cape_field *f)
{
	return (char *)info + f->member;
}

const char *cape_info_field_const(const struct cape_info *info, const struct cape_field *f)
{
	return (const char *)info + f->member;
}

void cape_info_defaults(struct cape_info *info)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->eeprom_revision, sizeof(info->eeprom_revision), "A2");
	snprintf(info->board_name, sizeof(info->board_name), "BeagleBone SHEPHERD2 Cape");
	snprintf(info->version, sizeof(info->version), "24B0");
	snprintf(info->manufacturer, sizeof(info->manufacturer), "NES TU DRESDEN");
	snprintf(info->part_number, sizeof(info->part_number), "BB-SHPRD");
	time_t now = time(NULL);
	struct tm tm;
	if (localtime_r(&now, &tm))
		strftime(info->cal_date, sizeof(info->cal_date), "%Y-%m-%d", &tm);
}

/* Well-formed UTF-8 (shortest forms, no surrogates, at most U+10FFFF), as Python decodes it. */
static bool utf8_valid(const uint8_t *s, size_t n)
{
	/* lead byte of a 2-, 3- and 4-byte sequence: mask, value, payload bits, smallest code */
	static const struct {
		uint8_t mask, lead, payload;
		uint32_t min;
	} forms[] = {
		{0xE0, 0xC0, 0x1F, 0x80}, {0xF0, 0xE0, 0x0F, 0x800}, {0xF8, 0xF0, 0x07, 0x10000}};
	size_t i = 0;
	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		size_t more = 0;
		while (more < 3 && (s[i] & forms[more].mask) != forms[more].lead)
			more++;
		if (more == 3)
			return false; /* a continuation byte first, or 0xF8..0xFF (erased: 0xFF) */
		uint32_t cp = s[i] & forms[more].payload, min = forms[more].min;
		more++; /* continuation bytes */
		if (n - i - 1 < more)
			return false;
		for (size_t k = 1; k <= more; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3Fu);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += more + 1;
	}
	return true;
}

shp_err cape_info_parse(const uint8_t *image, size_t len, struct cape_info *out, char *why,
			size_t why_len)
{
	if (len < CAPE_EEPROM_INFO_SIZE) {
		snprintf(why, why_len, "it holds %zu bytes, the cape info needs %u", len,
			 CAPE_EEPROM_INFO_SIZE);
		return SHP_ERR_INPUT;
	}
	memset(out, 0, sizeof(*out));
	for (const struct cape_field *f = cape_fields; f->name; f++) {
		const uint8_t *field = image + f->offset;
		const uint8_t *nul = memchr(field, 0, f->size);
		size_t n = nul ? (size_t)(nul - field) : f->size;
		if (!utf8_valid(field, n)) {
			snprintf(why, why_len, "%s (bytes %zu..%zu) is not UTF-8 text", f->name,
				 f->offset, f->offset + f->size - 1);
			return SHP_ERR_INPUT;
		}
		memcpy(cape_info_field(out, f), field, n);
	}
	/* upstream's model wants at least one character in every field; the serial number,
	 * which has no default, is the one an unwritten chip lacks first */
	if (!out->serial_number[0]) {
		snprintf(why, why_len, "serial_number is empty");
		return SHP_ERR_INPUT;
	}
	for (const struct cape_field *f = cape_fields; f->name; f++) {
		if (!cape_info_field(out, f)[0]) {
			snprintf(why, why_len, "%s (bytes %zu..%zu) is empty", f->name, f->offset,
				 f->offset + f->size - 1);
			return SHP_ERR_INPUT;
		}
	}
	return SHP_OK;
}

static double get_be_double(const uint8_t *p)
{
	uint64_t bits = 0;
	for (int k = 0; k < 8; k++)
		bits = (bits << 8) | p[k];
	double v;
	memcpy(&v, &bits, sizeof(v));
	return v;
}

static void put_be_double(uint8_t *p, double v)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof(bits));
	for (int k = 7; k >= 0; k--) {
		p[k] = (uint8_t)(bits & 0xFF);
		bits >>= 8;
	}
}

shp_err cape_eeprom_parse(const uint8_t *image, size_t len, struct cape_eeprom *out, char *why,
			  size_t why_len)
{
	if (len < CAPE_EEPROM_IMAGE_SIZE) {
		snprintf(why, why_len, "it holds %zu bytes, the calibration ends at byte %u", len,
			 CAPE_EEPROM_IMAGE_SIZE);
		return SHP_ERR_INPUT;
	}
	size_t erased = 0;
	for (size_t k = 0; k < CAPE_EEPROM_IMAGE_SIZE; k++)
		erased += image[k] == 0xFF;
	if (erased == CAPE_EEPROM_IMAGE_SIZE) {
		snprintf(why, why_len, "it is erased (all bytes 0xFF)");
		return SHP_ERR_INPUT;
	}
	SHP_TRY(cape_info_parse(image, len, &out->info, why, why_len));
	const uint8_t *block = image + CAPE_EEPROM_CAL_OFFSET;
	for (int k = 0; k < CAL_PAIR_COUNT; k++) {
		struct shp_cal_pair *p = cal_pair_at(&out->cal, k);
		p->gain = get_be_double(block + 16 * k);
		p->offset = get_be_double(block + 16 * k + 8);
		if (!cal_pair_plausible(p)) {
			snprintf(why, why_len,
				 "%s.%s has gain %g and offset %g (a gain must be finite and > 0, "
				 "an offset finite)",
				 cal_pairs[k].part, cal_pairs[k].name, p->gain, p->offset);
			return SHP_ERR_INPUT;
		}
	}
	return SHP_OK;
}

shp_err cape_info_build(const struct cape_info *info, uint8_t *image)
{
	/* a string that fills its member (no NUL in its size + 1 bytes) is one byte too long */
	for (const struct cape_field *f = cape_fields; f->name; f++) {
		if (strnlen(cape_info_field_const(info, f), f->size + 1) > f->size) {
			log_error(
				"cape info: %s has more than the %zu bytes of its field in the EEPROM",
				f->name, f->size);
			return SHP_ERR_CONFIG;
		}
	}
	memcpy(image, header_magic, sizeof(header_magic));
	for (const struct cape_field *f = cape_fields; f->name; f++) {
		const char *s = cape_info_field_const(info, f);
		size_t n = strlen(s);
		memcpy(image + f->offset, s, n);
		if (n < f->size)
			image[f->offset + n] = 0;
	}
	return SHP_OK;
}

void cape_cal_build(const struct cal_cape *cal, uint8_t *image)
{
	uint8_t *block = image + CAPE_EEPROM_CAL_OFFSET;
	for (int k = 0; k < CAL_PAIR_COUNT; k++) {
		const struct shp_cal_pair *p = cal_pair_at_const(cal, k);
		put_be_double(block + 16 * k, p->gain);
		put_be_double(block + 16 * k + 8, p->offset);
	}
}

shp_err cape_eeprom_build(const struct cape_eeprom *in, uint8_t image[CAPE_EEPROM_IMAGE_SIZE])
{
	memset(image, 0xFF, CAPE_EEPROM_IMAGE_SIZE);
	SHP_TRY(cape_info_build(&in->info, image));
	cape_cal_build(&in->cal, image);
	return SHP_OK;
}
