/*
 * cmd_eeprom.c - `shepherd-sheep eeprom read|write`.
 *
 * read parses the EEPROM's image as a run does (cal_source.h) and prints it; write builds the
 * image from a CalibrationCape file over what the chip holds, drives the write-protect pin low
 * around the write and reads the image back: a protected chip acknowledges the bytes and keeps
 * the old ones, so only the comparison tells.
 */
#include "cli/cmd_eeprom.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/log.h"
#include "node/sysfs_gpio.h"
#include "settings/cal_file.h"
#include "settings/cal_source.h"
#include "settings/calibration.h"
#include "settings/cape_eeprom.h"

static void eeprom_usage(FILE *out)
{
	fputs("Usage: shepherd-sheep [--eeprom PATH] eeprom COMMAND [ARGS]\n"
	      "\n"
	      "The cape EEPROM (global option --eeprom, env SHEPHERD_EEPROM, default\n" CAPE_EEPROM_DEFAULT_PATH
	      "): the cape info (serial number, version,\n"
	      "...) in bytes 0..99 and the calibration, 16 big-endian doubles, in 512..639.\n"
	      "\n"
	      "Commands:\n"
	      "  read [-c FILE] [-r] [-f]  print the calibration (exit 2: no plausible data,\n"
	      "                            3: no EEPROM)\n"
	      "  write CAL_FILE            write a CalibrationCape YAML file (exit 2: no EEPROM)\n"
	      "\n"
	      "shepherd-sheep eeprom COMMAND --help tells more.\n",
	      out);
}

static void read_usage(FILE *out)
{
	fputs("Usage: shepherd-sheep eeprom read [-c|--cal-file FILE] [-r|--revision] [-f|--full]\n"
	      "\n"
	      "Prints the cape's calibration from its EEPROM: the eight pairs (SI = raw * gain +\n"
	      "offset) and the integers the PRU gets for a harvest and for an emulation.\n"
	      "\n"
	      "Options:\n"
	      "  -c, --cal-file FILE  write calibration and cape info as CalibrationCape YAML to\n"
	      "                       FILE (what eeprom write takes) instead of printing them\n"
	      "  -f, --full           print that YAML instead\n"
	      "  -r, --revision       print only the cape's version (e.g. 24B0)\n"
	      "  -h, --help           show this help and exit\n"
	      "\n"
	      "Exit codes: 0 read, 1 FILE cannot be written, 2 no plausible data (an erased or\n"
	      "damaged EEPROM, no serial number) or a bad command line, 3 no EEPROM file (is the\n"
	      "cape missing?).\n",
	      out);
}

static void write_usage(FILE *out)
{
	fputs("Usage: shepherd-sheep eeprom write CAL_FILE\n"
	      "\n"
	      "Writes the calibration of CAL_FILE, a CalibrationCape YAML file (as eeprom read -c\n"
	      "writes it), to the cape EEPROM, and its cape: info if it has one (fields it leaves\n"
	      "out take the defaults; without cape: the EEPROM's info stays). The write-protect\n"
	      "pin, GPIO 49 of the tree in env SHEPHERD_GPIO_ROOT (default " SYSFS_GPIO_DEFAULT_ROOT
	      "),\n"
	      "is driven low around the write; what was written is read back and compared.\n"
	      "\n"
	      "Exit codes: 0 written, 1 a bad CAL_FILE or a write that failed or did not stick,\n"
	      "2 no EEPROM file or a bad command line.\n",
	      out);
}

static void log_missing(const char *path, const char *why)
{
	log_error("cannot open the cape EEPROM %s: %s (is the cape missing?)", path, why);
}

/* ---- read --------------------------------------------------------------------------------- */

static void print_export(const char *part, shp_err e, const struct pru_calibration *p)
{
	if (e != SHP_OK) {
		printf("PRU calibration_settings, %s: out of the PRU's range (see above)\n", part);
		return;
	}
	printf("PRU calibration_settings, %-9s %u %d %u %d %u %d\n", part, p->adc_current_gain,
	       p->adc_current_offset, p->adc_voltage_gain, p->adc_voltage_offset,
	       p->dac_voltage_gain, p->dac_voltage_offset);
}

static void print_calibration(const char *path, const struct cape_eeprom *ee)
{
	const struct cape_info *i = &ee->info;
	printf("cape EEPROM %s\n", path);
	printf("cape:      serial number %s, version %s, %s, calibrated %s\n", i->serial_number,
	       i->version, i->board_name, i->cal_date[0] ? i->cal_date : "?");
	for (int k = 0; k < CAL_PAIR_COUNT; k++) {
		const struct shp_cal_pair *p = cal_pair_at_const(&ee->cal, k);
		const char *unit = cal_pairs[k].name[4] == 'C' ? "A" : "V";
		char gain[40], offset[40], label[16];
		cal_format_double(p->gain, gain, sizeof(gain));
		cal_format_double(p->offset, offset, sizeof(offset));
		snprintf(label, sizeof(label), "%s:", cal_pairs[k].part);
		printf("%-10s %-12s gain %-24s %s/LSB, offset %s %s\n",
		       k == 0 || k == 4 ? label : "", cal_pairs[k].name, gain, unit, offset, unit);
	}
	struct pru_calibration hrv, emu;
	shp_err hrv_err = cal_harvester_export(&ee->cal.harvester, &hrv);
	shp_err emu_err = cal_emulator_export(&ee->cal.emulator, &emu);
	print_export("harvester", hrv_err, &hrv);
	print_export("emulator", emu_err, &emu);
}

static shp_err eeprom_read(int argc, char **argv, const char *path)
{
	static const struct option opts[] = {
		{"cal-file", required_argument, NULL, 'c'},
		{"revision", no_argument, NULL, 'r'},
		{"full", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cal_file = NULL;
	bool revision = false, full = false;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "c:rfh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cal_file = optarg;
			break;
		case 'r':
			revision = true;
			break;
		case 'f':
			full = true;
			break;
		case 'h':
			read_usage(stdout);
			return SHP_OK;
		default:
			read_usage(stderr);
			return SHP_ERR_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "shepherd-sheep eeprom read: unexpected argument '%s'\n",
			argv[optind]);
		return SHP_ERR_USAGE;
	}
	if (revision && full) {
		fprintf(stderr, "shepherd-sheep eeprom read: -r and -f exclude each other\n");
		return SHP_ERR_USAGE;
	}

	uint8_t image[CAPE_EEPROM_IMAGE_SIZE];
	size_t len;
	char why[256];
	shp_err e = cape_eeprom_read_file(path, image, &len, why, sizeof(why));
	if (e == SHP_ERR_SYSFS) {
		log_missing(path, why);
		return e;
	}
	if (e != SHP_OK) {
		log_error("cannot read the cape EEPROM %s: %s", path, why);
		return SHP_ERR_OUTPUT;
	}
	struct cape_eeprom ee;
	if (cape_eeprom_parse(image, len, &ee, why, sizeof(why)) != SHP_OK) {
		log_error("the cape EEPROM %s holds no plausible data: %s", path, why);
		return SHP_ERR_INPUT;
	}

	struct cal_file cf = {.cal = ee.cal, .has_cape = true, .info = ee.info};
	if (cal_file) {
		SHP_TRY(cal_file_save(cal_file, &cf));
		log_info("the calibration of cape %s is written to %s", ee.info.serial_number,
			 cal_file);
	}
	if (revision)
		printf("%s\n", ee.info.version);
	else if (full)
		cal_file_write(stdout, &cf);
	else if (!cal_file)
		print_calibration(path, &ee);
	return SHP_OK;
}

/* ---- write -------------------------------------------------------------------------------- */

/* Reads up to len bytes at offset 0; the count, or -1 (errno). */
static ssize_t pread_full(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* The image to write: what the chip holds (erased past its end), the new calibration over it,
 * and the cape info of the file, or else the chip's own, which must be there. */
static shp_err build_image(const struct cal_file *cf, const char *cal_path, const char *path,
			   const uint8_t *held, size_t held_len, uint8_t *image)
{
	memset(image, 0xFF, CAPE_EEPROM_IMAGE_SIZE);
	memcpy(image, held, held_len);
	cape_cal_build(&cf->cal, image);
	if (cf->has_cape)
		return cape_info_build(&cf->info, image);
	struct cape_info info;
	char why[256];
	if (cape_info_parse(held, held_len, &info, why, sizeof(why)) != SHP_OK) {
		log_error(
			"%s has no cape: and the EEPROM %s holds no cape info (%s): give cape: with at least serial_number",
			cal_path, path, why);
		return SHP_ERR_CONFIG;
	}
	log_info("%s has no cape: the EEPROM keeps its cape info (serial number %s)", cal_path,
		 info.serial_number);
	return SHP_OK;
}

/* Drives the write-protect pin low; false (and a note) if there is no such pin to drive. */
static bool write_protection_off(void)
{
	char why[512];
	if (sysfs_gpio_output(sysfs_gpio_root(), GPIO_EEPROM_WRITE_PROTECT, false, why,
			      sizeof(why)) == SHP_OK)
		return true;
	log_info(
		"EEPROM write protection (GPIO %d) not driven: %s; the read-back tells whether the chip took the data",
		GPIO_EEPROM_WRITE_PROTECT, why);
	return false;
}

static void write_protection_on(void)
{
	char why[512];
	if (sysfs_gpio_set(sysfs_gpio_root(), GPIO_EEPROM_WRITE_PROTECT, true, why, sizeof(why)) !=
	    SHP_OK)
		log_warn("EEPROM write protection could not be set again: %s", why);
}

static shp_err write_ranges(int fd, const uint8_t *image, bool cape)
{
	if (cape && !fs_pwrite_full(fd, image, CAPE_EEPROM_INFO_SIZE, 0))
		return SHP_ERR_OUTPUT;
	if (!fs_pwrite_full(fd, image + CAPE_EEPROM_CAL_OFFSET, CAPE_EEPROM_CAL_SIZE,
			    CAPE_EEPROM_CAL_OFFSET))
		return SHP_ERR_OUTPUT;
	return fsync(fd) == 0 || errno == EINVAL || errno == EROFS ? SHP_OK : SHP_ERR_OUTPUT;
}

static shp_err write_and_verify(int fd, const char *path, const uint8_t *image, bool cape)
{
	bool pin = write_protection_off();
	shp_err e = write_ranges(fd, image, cape);
	int err = errno;
	if (pin)
		write_protection_on();
	if (e != SHP_OK) {
		log_error("writing the cape EEPROM %s failed: %s (write-protected?)", path,
			  strerror(err));
		return e;
	}
	uint8_t back[CAPE_EEPROM_IMAGE_SIZE];
	ssize_t n = pread_full(fd, back, sizeof(back));
	if (n < 0) {
		log_error("reading back the cape EEPROM %s failed: %s", path, strerror(errno));
		return SHP_ERR_OUTPUT;
	}
	if ((size_t)n != sizeof(back) || memcmp(back, image, sizeof(back)) != 0) {
		log_error("the EEPROM did not keep what was written (write-protected?): %s", path);
		return SHP_ERR_OUTPUT;
	}
	return SHP_OK;
}

static shp_err eeprom_write(int argc, char **argv, const char *path)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		write_usage(c == 'h' ? stdout : stderr);
		return c == 'h' ? SHP_OK : SHP_ERR_USAGE;
	}
	if (argc - optind != 1) {
		fprintf(stderr,
			"shepherd-sheep eeprom write: takes one CAL_FILE, got %d arguments\n",
			argc - optind);
		return SHP_ERR_USAGE;
	}
	const char *cal_path = argv[optind];
	struct cal_file cf;
	SHP_TRY(cal_file_load(cal_path, &cf));

	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		if (err == ENOENT || err == ENODEV || err == ENXIO) {
			log_missing(path, strerror(err));
			return SHP_ERR_SYSFS;
		}
		log_error("cannot open the cape EEPROM %s for writing: %s", path, strerror(err));
		return SHP_ERR_OUTPUT;
	}
	uint8_t held[CAPE_EEPROM_IMAGE_SIZE], image[CAPE_EEPROM_IMAGE_SIZE];
	ssize_t n = pread_full(fd, held, sizeof(held));
	shp_err e = SHP_ERR_OUTPUT;
	if (n < 0)
		log_error("cannot read the cape EEPROM %s: %s", path, strerror(errno));
	else
		e = build_image(&cf, cal_path, path, held, (size_t)n, image);
	if (e == SHP_OK)
		e = write_and_verify(fd, path, image, cf.has_cape);
	close(fd);
	if (e == SHP_OK) {
		struct cape_info info;
		char why[256];
		cape_info_parse(image, sizeof(image), &info, why, sizeof(why));
		log_info(
			"the calibration of %s is written to the cape EEPROM %s (serial number %s)",
			cal_path, path, info.serial_number);
	}
	return e;
}

shp_err cmd_eeprom(int argc, char **argv, const char *eeprom_path)
{
	if (argc < 2) {
		eeprom_usage(stderr);
		return SHP_ERR_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		eeprom_usage(stdout);
		return SHP_OK;
	}
	if (strcmp(argv[1], "read") == 0)
		return eeprom_read(argc - 1, argv + 1, eeprom_path);
	if (strcmp(argv[1], "write") == 0)
		return eeprom_write(argc - 1, argv + 1, eeprom_path);
	fprintf(stderr, "shepherd-sheep eeprom: unknown command '%s' (read or write)\n", argv[1]);
	return SHP_ERR_USAGE;
}

int cmd_eeprom_exit_code(int argc, char **argv, shp_err e)
{
	bool write = argc >= 2 && strcmp(argv[1], "write") == 0;
	bool read = argc >= 2 && strcmp(argv[1], "read") == 0;
	if (e == SHP_ERR_SYSFS && (read || write))
		return read ? 3 : 2;
	if (e == SHP_ERR_INPUT && read)
		return 2;
	return shp_err_exit_code(e);
}
