/*
 * pru_settings_text.h - the text of the kernel module's three settings files, shared by the sheep
 * (which writes them and reads them back) and the simulator (which takes them as the kernel
 * does): the tokens of each block, the field names, the two text formats (pru-settings.md 1.1).
 *
 * A block is handled as its tokens: int64_t values in the kernel's order (2.1, 3.1, 4.1), so that
 * formatting, parsing and comparing are written once for all three blocks. Pure functions, no
 * I/O and no logging, so that the simulator links this file alone.
 */
#ifndef SHP_PRU_SETTINGS_TEXT_H
#define SHP_PRU_SETTINGS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "settings/calibration.h"
#include "settings/vharvester.h"
#include "settings/vsource.h"

enum pru_block {
	PRU_BLOCK_CALIBRATION,
	PRU_BLOCK_CONVERTER,
	PRU_BLOCK_HARVESTER,
};
#define PRU_BLOCK_COUNT 3

#define PRU_CALIBRATION_TOKENS 6
#define PRU_CONVERTER_SCALARS 24
#define PRU_CONVERTER_LUT_IN (VS_LUT_SIZE * VS_LUT_SIZE)
#define PRU_CONVERTER_TOKENS (PRU_CONVERTER_SCALARS + PRU_CONVERTER_LUT_IN + VS_LUT_SIZE)
#define PRU_HARVESTER_TOKENS 12
#define PRU_TOKENS_MAX PRU_CONVERTER_TOKENS
/* Room for any block's text in either format (the converter's is ~1 KB at most); sysfs takes
 * up to a page per write. */
#define PRU_SETTINGS_TEXT_MAX 4096

_Static_assert(sizeof(struct pru_calibration) == PRU_CALIBRATION_TOKENS * 4, "calibration");
_Static_assert(sizeof(struct pru_harvester) == PRU_HARVESTER_TOKENS * 4, "harvester");
_Static_assert(sizeof(((struct pru_converter *)0)->scalar) == PRU_CONVERTER_SCALARS * 4,
	       "converter scalars");

/* What a token holds in the PRU's struct. */
enum pru_token_kind {
	PRU_TOKEN_U32,
	PRU_TOKEN_I32,
	PRU_TOKEN_U8, /* the input LUT: the kernel parses a u32 and stores its low byte */
};

enum pru_text_format {
	PRU_TEXT_WRITE, /* what the predecessor writes */
	PRU_TEXT_READ,  /* what the kernel shows on read */
};

/* The sysfs file of a block (SHP_SYSFS_CALIBRATION, ...). */
const char *pru_block_file(enum pru_block b);
unsigned pru_block_tokens(enum pru_block b);
enum pru_token_kind pru_token_kind(enum pru_block b, unsigned k);
/* The field name of token k, e.g. "Constant_us_per_nF_n28", "LUT_inp_efficiency_n8[2][11]". */
const char *pru_token_name(enum pru_block b, unsigned k, char *buf, size_t len);
/* Whether v fits the token's field. */
bool pru_token_fits(enum pru_token_kind kind, int64_t v);

void pru_calibration_to_tokens(const struct pru_calibration *c, int64_t *tok);
void pru_converter_to_tokens(const struct pru_converter *c, int64_t *tok);
void pru_harvester_to_tokens(const struct pru_harvester *h, int64_t *tok);
/* The tokens must fit their fields (pru_token_fits); a U8 token is stored as its low byte. */
void pru_calibration_from_tokens(const int64_t *tok, struct pru_calibration *c);
void pru_converter_from_tokens(const int64_t *tok, struct pru_converter *c);
void pru_harvester_from_tokens(const int64_t *tok, struct pru_harvester *h);

/*
 * The text of a block: tokens of a line joined by single spaces, each line ending in " \n"
 * (calibration: three lines of two; converter: 24 lines of one, the input LUT row-major on one
 * line, the output LUT on one line; harvester: 12 lines of one). The two formats differ in the
 * calibration only, whose written text has no " \n" after the last token. Returns the length,
 * or 0 if the text does not fit in len bytes with its NUL.
 */
size_t pru_block_format(enum pru_block b, const int64_t *tok, enum pru_text_format format,
			char *buf, size_t len);

/* The next white-space separated token at *pos: its start and length, *pos moved past it; NULL
 * when only white space is left. */
const char *pru_token_next(const char **pos, size_t *len);
/*
 * A decimal integer with an optional '-': false for anything else. Magnitudes beyond 2^40
 * saturate there, so that pru_token_fits() refuses them without an overflow.
 */
bool pru_token_value(const char *tok, size_t len, int64_t *v);

#endif
