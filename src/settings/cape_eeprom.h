/*
 * cape_eeprom.h - the image of the cape's EEPROM (pru-settings.md 9): the BeagleBone cape
 * header with shepherd's fields at 0..99, and 16 big-endian IEEE-754 doubles of calibration at
 * 512..639.
 *
 * Pure data: an image in memory is parsed or built here; reading and writing the chip is the
 * caller's (cal_source.c, the eeprom command). Byte order is spelled out byte by byte, so that
 * the image is the same on the armhf node and on an amd64 machine.
 */
#ifndef SHP_CAPE_EEPROM_H
#define SHP_CAPE_EEPROM_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "settings/calibration.h"

#define CAPE_EEPROM_IMAGE_SIZE 640u /* everything the sheep reads or writes */
#define CAPE_EEPROM_INFO_SIZE 100u  /* cape info: header .. cal_date */
#define CAPE_EEPROM_CAL_OFFSET 512u
#define CAPE_EEPROM_CAL_SIZE 128u /* 16 doubles */

/* The at24 driver's file of the chip on I2C bus 2, address 0x54. */
#define CAPE_EEPROM_DEFAULT_PATH "/sys/bus/i2c/devices/2-0054/eeprom"

/* Sizes of the cape-info fields in the EEPROM; each string below holds one byte more. */
#define CAPE_REVISION_LEN 2
#define CAPE_BOARD_NAME_LEN 32
#define CAPE_VERSION_LEN 4
#define CAPE_MANUFACTURER_LEN 16
#define CAPE_PART_NUMBER_LEN 16
#define CAPE_SERIAL_LEN 12
#define CAPE_CAL_DATE_LEN 12

/* The cape info, UTF-8 strings (the 4-byte header is always AA 55 33 EE when written). */
struct cape_info {
	char eeprom_revision[CAPE_REVISION_LEN + 1];
	char board_name[CAPE_BOARD_NAME_LEN + 1];
	char version[CAPE_VERSION_LEN + 1];
	char manufacturer[CAPE_MANUFACTURER_LEN + 1];
	char part_number[CAPE_PART_NUMBER_LEN + 1];
	char serial_number[CAPE_SERIAL_LEN + 1];
	char cal_date[CAPE_CAL_DATE_LEN + 1];
};

struct cape_eeprom {
	struct cape_info info;
	struct cal_cape cal;
};

/* One string field of the cape info: its name (as in the YAML), place and size. */
struct cape_field {
	const char *name;
	size_t offset; /* in the EEPROM */
	size_t size;   /* bytes in the EEPROM */
	size_t member; /* offsetof in struct cape_info */
};

/* The seven string fields in EEPROM order, ended by a NULL name. */
extern const struct cape_field cape_fields[];

/* The string of field f in info. */
char *cape_info_field(struct cape_info *info, const struct cape_field *f);
const char *cape_info_field_const(const struct cape_info *info, const struct cape_field *f);

/* The tools' defaults ("A2", "BeagleBone SHEPHERD2 Cape", "24B0", ...), cal_date today's
 * local ISO date, serial_number empty (it has no default). */
void cape_info_defaults(struct cape_info *info);

/*
 * Reads an image of len bytes. SHP_ERR_INPUT, with the reason in why, when it is shorter than
 * CAPE_EEPROM_IMAGE_SIZE, erased (all 0xFF), a string is not UTF-8, the serial number is
 * empty, or a pair is not plausible (NaN of an erased block, gain <= 0). Nothing is logged.
 */
shp_err cape_eeprom_parse(const uint8_t *image, size_t len, struct cape_eeprom *out, char *why,
			  size_t why_len);

/* The cape-info part of that (bytes 0..99 only). */
shp_err cape_info_parse(const uint8_t *image, size_t len, struct cape_info *out, char *why,
			size_t why_len);

/*
 * Writes the cape info into image[0..99]: the header, then each string followed by one NUL if it
 * is shorter than its field (the bytes after that NUL keep what image held, as upstream leaves
 * them). A string longer than its field is refused (logged, SHP_ERR_CONFIG), image unchanged.
 */
shp_err cape_info_build(const struct cape_info *info, uint8_t *image);

/* Writes the 16 doubles into image[512..639]. */
void cape_cal_build(const struct cal_cape *cal, uint8_t *image);

/* A whole image from scratch: erased (0xFF) bytes, then the cape info and the calibration. */
shp_err cape_eeprom_build(const struct cape_eeprom *in, uint8_t image[CAPE_EEPROM_IMAGE_SIZE]);

#endif
