/*
 * settings_apply - writes PRU settings vectors with the sheep's pru_settings_apply(), so that the
 * end-to-end tests can check the whole path against the simulator.
 *
 * usage: settings_apply [-c "6 numbers"] [-k "180 numbers"] [-H "12 numbers"] [-d]
 *        SYSFS_ROOT MODE
 * -c calibration, -k converter, -H harvester (each white-space separated, kernel order);
 * -d logs at debug. Exit 0 when the settings are in place, else the sheep's exit code for the
 * error (2 for a bad command line).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "pru/pru_settings.h"

static int vector(enum pru_block b, const char *text, int64_t *tok)
{
	const char *pos = text;
	unsigned n = 0;
	size_t len;
	for (const char *t; (t = pru_token_next(&pos, &len));) {
		if (n == pru_block_tokens(b) || !pru_token_value(t, len, &tok[n]) ||
		    !pru_token_fits(pru_token_kind(b, n), tok[n])) {
			fprintf(stderr, "settings_apply: bad %s vector at token %u\n",
				pru_block_file(b), n);
			return -1;
		}
		n++;
	}
	if (n != pru_block_tokens(b)) {
		fprintf(stderr, "settings_apply: %s takes %u numbers, not %u\n", pru_block_file(b),
			pru_block_tokens(b), n);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct pru_calibration cal;
	static struct pru_converter conv;
	static struct pru_harvester hrv;
	struct pru_settings set = {0};
	int64_t tok[PRU_TOKENS_MAX];
	int c;
	while ((c = getopt(argc, argv, "c:k:H:d")) != -1) {
		switch (c) {
		case 'c':
			if (vector(PRU_BLOCK_CALIBRATION, optarg, tok) != 0)
				return 2;
			pru_calibration_from_tokens(tok, &cal);
			set.calibration = &cal;
			break;
		case 'k':
			if (vector(PRU_BLOCK_CONVERTER, optarg, tok) != 0)
				return 2;
			pru_converter_from_tokens(tok, &conv);
			set.converter = &conv;
			break;
		case 'H':
			if (vector(PRU_BLOCK_HARVESTER, optarg, tok) != 0)
				return 2;
			pru_harvester_from_tokens(tok, &hrv);
			set.harvester = &hrv;
			break;
		case 'd':
			shp_log_set_console_level(SHP_LOG_DEBUG);
			break;
		default:
			return 2;
		}
	}
	if (argc - optind != 2) {
		fputs("usage: settings_apply [-c CAL] [-k CONV] [-H HRV] [-d] SYSFS_ROOT MODE\n",
		      stderr);
		return 2;
	}
	struct shp_sysfs s;
	shp_err e = sysfs_open(&s, argv[optind]);
	if (e == SHP_OK)
		e = pru_settings_apply(&s, argv[optind + 1], &set);
	if (e != SHP_OK)
		fprintf(stderr, "settings_apply: %s\n", shp_err_str(e));
	return e == SHP_OK ? 0 : shp_err_exit_code(e);
}
