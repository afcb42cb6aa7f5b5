/* sim_settings.c - the settings files as the kernel module's store and show handlers treat them. */
#include "sim_settings.h"

#include <stdio.h>
#include <string.h>

static void to_tokens(const struct sim_settings_values *v, enum pru_block b, int64_t *tok)
{
	if (b == PRU_BLOCK_CALIBRATION)
		pru_calibration_to_tokens(&v->calibration, tok);
	else if (b == PRU_BLOCK_CONVERTER)
		pru_converter_to_tokens(&v->converter, tok);
	else
		pru_harvester_to_tokens(&v->harvester, tok);
}

static void from_tokens(struct sim_settings_values *v, enum pru_block b, const int64_t *tok)
{
	if (b == PRU_BLOCK_CALIBRATION)
		pru_calibration_from_tokens(tok, &v->calibration);
	else if (b == PRU_BLOCK_CONVERTER)
		pru_converter_from_tokens(tok, &v->converter);
	else
		pru_harvester_from_tokens(tok, &v->harvester);
}

/* The file shows the values held, in the kernel's read format. */
static void publish(const struct sim_settings *st, struct sim_sysfs *fs, enum pru_block b)
{
	int64_t tok[PRU_TOKENS_MAX];
	char text[PRU_SETTINGS_TEXT_MAX];
	to_tokens(&st->values, b, tok);
	if (pru_block_format(b, tok, PRU_TEXT_READ, text, sizeof(text)) == 0 ||
	    sim_sysfs_publish(fs, pru_block_file(b), text) != 0)
		fprintf(stderr, "shepherd-pru-sim: cannot publish %s\n", pru_block_file(b));
}

/* mem_interface_reset() of the kernel module, values of its _commons_inits.h. */
void sim_settings_reset(struct sim_settings *st, struct sim_sysfs *fs)
{
	struct sim_settings_values *v = &st->values;
	v->calibration = (struct pru_calibration){255, -1, 254, -2, 253, -3};
	for (unsigned k = 0; k < PRU_CONVERTER_SCALARS; k++)
		v->converter.scalar[k] = 100 + k;
	for (unsigned k = 0; k < PRU_CONVERTER_LUT_IN; k++)
		v->converter.lut_input[k / VS_LUT_SIZE][k % VS_LUT_SIZE] = (uint8_t)k;
	for (unsigned k = 0; k < VS_LUT_SIZE; k++)
		v->converter.lut_output[k] = k;
	int64_t hrv[PRU_HARVESTER_TOKENS] = {0};
	for (unsigned k = 1; k < PRU_HARVESTER_TOKENS; k++)
		hrv[k] = 199 + k;
	pru_harvester_from_tokens(hrv, &v->harvester);
	for (int b = 0; b < PRU_BLOCK_COUNT; b++)
		publish(st, fs, (enum pru_block)b);
}

static bool block_of(const char *name, enum pru_block *b)
{
	for (int k = 0; k < PRU_BLOCK_COUNT; k++) {
		if (strcmp(name, pru_block_file((enum pru_block)k)) == 0) {
			*b = (enum pru_block)k;
			return true;
		}
	}
	return false;
}

bool sim_settings_owns(const char *name)
{
	enum pru_block b;
	return block_of(name, &b);
}

/*
 * The store handler: every token of the block, in order, from the start of text (-EINVAL if one
 * is missing, not a number or out of its u32 / i32 range). Input-LUT tokens above 255 keep their
 * low byte. False with the reason in why.
 */
static bool parse(enum pru_block b, const char *text, int64_t *tok, char *why, size_t why_len)
{
	const char *file = pru_block_file(b);
	const char *pos = text;
	char name[48];
	for (unsigned k = 0; k < pru_block_tokens(b); k++) {
		size_t len;
		const char *t = pru_token_next(&pos, &len);
		enum pru_token_kind kind = pru_token_kind(b, k);
		pru_token_name(b, k, name, sizeof(name));
		int shown = len > 24 ? 24 : (int)len;
		if (!t) {
			snprintf(why, why_len, "-EINVAL: %u numbers needed, found %u",
				 pru_block_tokens(b), k);
			return false;
		}
		if (!pru_token_value(t, len, &tok[k])) {
			snprintf(why, why_len,
				 "-EINVAL: token %u (%s) '%.*s' is not a decimal number", k, name,
				 shown, t);
			return false;
		}
		if (!pru_token_fits(kind == PRU_TOKEN_U8 ? PRU_TOKEN_U32 : kind, tok[k])) {
			snprintf(why, why_len, "-EINVAL: token %u (%s) %.*s is out of range", k,
				 name, shown, t);
			return false;
		}
		if (kind == PRU_TOKEN_U8 && tok[k] > UINT8_MAX) {
			fprintf(stderr,
				"shepherd-pru-sim: warning: %s token %u (%s) is %lld, more than a byte: stored as %lld, as the kernel does\n",
				file, k, name, (long long)tok[k], (long long)(tok[k] & 0xFF));
			tok[k] &= 0xFF;
		}
	}
	return true;
}

bool sim_settings_write(struct sim_settings *st, struct sim_sysfs *fs, const char *name,
			const char *text, bool idle, char *why, size_t why_len)
{
	enum pru_block b;
	int64_t tok[PRU_TOKENS_MAX];
	if (!block_of(name, &b)) {
		snprintf(why, why_len, "not a settings file");
		return false;
	}
	bool ok = false;
	if (!idle)
		snprintf(why, why_len, "-EBUSY: state is not idle");
	else
		ok = parse(b, text, tok, why, why_len);
	if (ok) {
		from_tokens(&st->values, b, tok);
		if (st->verbose)
			fprintf(stderr, "shepherd-pru-sim: %s accepted\n", name);
	}
	publish(st, fs, b); /* the new values, or the old ones back */
	return ok;
}

const struct sim_settings_values *sim_settings_current(const struct sim_settings *st)
{
	return &st->values;
}
