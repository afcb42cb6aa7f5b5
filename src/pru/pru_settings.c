/* pru_settings.c - writing the PRU settings blocks, the re-init, and the read-back check. */
#include "pru/pru_settings.h"

#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "sheep/pru_control.h"

#define SETTLE_NS (20 * SHP_NS_PER_MS)
#define MSG_BOX_DEPTH 128
#define DIFFS_SHOWN 8

size_t pru_calibration_text(const struct pru_calibration *c, char *buf, size_t len)
{
	int64_t tok[PRU_CALIBRATION_TOKENS];
	pru_calibration_to_tokens(c, tok);
	return pru_block_format(PRU_BLOCK_CALIBRATION, tok, PRU_TEXT_WRITE, buf, len);
}

size_t pru_converter_text(const struct pru_converter *c, char *buf, size_t len)
{
	int64_t tok[PRU_CONVERTER_TOKENS];
	pru_converter_to_tokens(c, tok);
	return pru_block_format(PRU_BLOCK_CONVERTER, tok, PRU_TEXT_WRITE, buf, len);
}

size_t pru_harvester_text(const struct pru_harvester *h, char *buf, size_t len)
{
	int64_t tok[PRU_HARVESTER_TOKENS];
	pru_harvester_to_tokens(h, tok);
	return pru_block_format(PRU_BLOCK_HARVESTER, tok, PRU_TEXT_WRITE, buf, len);
}

static unsigned count_tokens(const char *text)
{
	unsigned n = 0;
	size_t len;
	while (pru_token_next(&text, &len))
		n++;
	return n;
}

static shp_err parse_tokens(enum pru_block b, const char *text, int64_t *tok)
{
	const char *file = pru_block_file(b);
	unsigned want = pru_block_tokens(b), found = count_tokens(text);
	char shown[96], name[48];
	if (found != want) {
		log_error("%s: expected %u numbers, found %u: '%s'", file, want, found,
			  sysfs_shorten(text, shown, sizeof(shown)));
		return SHP_ERR_SYSFS;
	}
	const char *pos = text;
	for (unsigned k = 0; k < want; k++) {
		size_t len;
		const char *t = pru_token_next(&pos, &len);
		int len_shown = len > 24 ? 24 : (int)len;
		if (!pru_token_value(t, len, &tok[k])) {
			log_error("%s: field %u (%s) reads '%.*s', not a decimal number", file, k,
				  pru_token_name(b, k, name, sizeof(name)), len_shown, t);
			return SHP_ERR_SYSFS;
		}
		if (!pru_token_fits(pru_token_kind(b, k), tok[k])) {
			log_error("%s: field %u (%s) reads %.*s, outside the field's range", file,
				  k, pru_token_name(b, k, name, sizeof(name)), len_shown, t);
			return SHP_ERR_SYSFS;
		}
	}
	return SHP_OK;
}

shp_err pru_calibration_parse(const char *text, struct pru_calibration *out)
{
	int64_t tok[PRU_CALIBRATION_TOKENS];
	SHP_TRY(parse_tokens(PRU_BLOCK_CALIBRATION, text, tok));
	pru_calibration_from_tokens(tok, out);
	return SHP_OK;
}

shp_err pru_converter_parse(const char *text, struct pru_converter *out)
{
	int64_t tok[PRU_CONVERTER_TOKENS];
	SHP_TRY(parse_tokens(PRU_BLOCK_CONVERTER, text, tok));
	pru_converter_from_tokens(tok, out);
	return SHP_OK;
}

shp_err pru_harvester_parse(const char *text, struct pru_harvester *out)
{
	int64_t tok[PRU_HARVESTER_TOKENS];
	SHP_TRY(parse_tokens(PRU_BLOCK_HARVESTER, text, tok));
	pru_harvester_from_tokens(tok, out);
	return SHP_OK;
}

static shp_err compare_tokens(enum pru_block b, const int64_t *written, const int64_t *read)
{
	unsigned diffs = 0;
	char name[48];
	for (unsigned k = 0; k < pru_block_tokens(b); k++) {
		if (written[k] == read[k])
			continue;
		if (++diffs <= DIFFS_SHOWN)
			log_error("%s: field %u (%s) reads %lld, %lld was written",
				  pru_block_file(b), k, pru_token_name(b, k, name, sizeof(name)),
				  (long long)read[k], (long long)written[k]);
	}
	if (diffs > DIFFS_SHOWN)
		log_error("%s: %u fields differ from what was written, the first %u are above",
			  pru_block_file(b), diffs, DIFFS_SHOWN);
	return diffs ? SHP_ERR_PRU : SHP_OK;
}

shp_err pru_calibration_compare(const struct pru_calibration *written,
				const struct pru_calibration *read)
{
	int64_t w[PRU_CALIBRATION_TOKENS], r[PRU_CALIBRATION_TOKENS];
	pru_calibration_to_tokens(written, w);
	pru_calibration_to_tokens(read, r);
	return compare_tokens(PRU_BLOCK_CALIBRATION, w, r);
}

shp_err pru_converter_compare(const struct pru_converter *written, const struct pru_converter *read)
{
	int64_t w[PRU_CONVERTER_TOKENS], r[PRU_CONVERTER_TOKENS];
	pru_converter_to_tokens(written, w);
	pru_converter_to_tokens(read, r);
	return compare_tokens(PRU_BLOCK_CONVERTER, w, r);
}

shp_err pru_harvester_compare(const struct pru_harvester *written, const struct pru_harvester *read)
{
	int64_t w[PRU_HARVESTER_TOKENS], r[PRU_HARVESTER_TOKENS];
	pru_harvester_to_tokens(written, w);
	pru_harvester_to_tokens(read, r);
	return compare_tokens(PRU_BLOCK_HARVESTER, w, r);
}

/* ---- apply ------------------------------------------------------------------------------- */

/* The blocks to write, in the predecessor's order for the mode (pru-settings.md 1.3). */
static unsigned plan(const char *mode, const struct pru_settings *set, enum pru_block *order)
{
	static const enum pru_block emu_order[] = {PRU_BLOCK_CALIBRATION, PRU_BLOCK_CONVERTER,
						   PRU_BLOCK_HARVESTER};
	static const enum pru_block hrv_order[] = {PRU_BLOCK_HARVESTER, PRU_BLOCK_CALIBRATION,
						   PRU_BLOCK_CONVERTER};
	const enum pru_block *all = strncmp(mode, "emu", 3) == 0 ? emu_order : hrv_order;
	unsigned n = 0;
	for (unsigned k = 0; k < PRU_BLOCK_COUNT; k++) {
		bool given = (all[k] == PRU_BLOCK_CALIBRATION && set->calibration) ||
			     (all[k] == PRU_BLOCK_CONVERTER && set->converter) ||
			     (all[k] == PRU_BLOCK_HARVESTER && set->harvester);
		if (given)
			order[n++] = all[k];
	}
	return n;
}

static void to_tokens(enum pru_block b, const struct pru_settings *set, int64_t *tok)
{
	if (b == PRU_BLOCK_CALIBRATION)
		pru_calibration_to_tokens(set->calibration, tok);
	else if (b == PRU_BLOCK_CONVERTER)
		pru_converter_to_tokens(set->converter, tok);
	else
		pru_harvester_to_tokens(set->harvester, tok);
}

/* Tokens [from, to) as one line "v v v". */
static const char *join(const int64_t *tok, unsigned from, unsigned to, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (unsigned k = from; k < to && used < len; k++) {
		int w = snprintf(buf + used, len - used, "%s%lld", k > from ? " " : "",
				 (long long)tok[k]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}

static void log_vector(enum pru_block b, const int64_t *tok)
{
	if (SHP_LOG_DEBUG < shp_log_threshold)
		return; /* the joining is the expensive part */
	char line[800];
	const char *file = pru_block_file(b);
	if (b != PRU_BLOCK_CONVERTER) {
		log_debug("PRU settings: %s <- %s", file,
			  join(tok, 0, pru_block_tokens(b), line, sizeof(line)));
		return;
	}
	unsigned lut_out = PRU_CONVERTER_SCALARS + PRU_CONVERTER_LUT_IN;
	log_debug("PRU settings: %s <- scalars %s", file,
		  join(tok, 0, PRU_CONVERTER_SCALARS, line, sizeof(line)));
	log_debug("PRU settings: %s <- LUT_inp_efficiency_n8 %s", file,
		  join(tok, PRU_CONVERTER_SCALARS, lut_out, line, sizeof(line)));
	log_debug("PRU settings: %s <- LUT_out_inv_efficiency_n4 %s", file,
		  join(tok, lut_out, PRU_CONVERTER_TOKENS, line, sizeof(line)));
}

/* The kernel takes settings only while idle: stop what runs, refuse if it will not stop. */
static shp_err ensure_idle(const struct shp_sysfs *s)
{
	enum shp_pru_state st = SHP_STATE_UNKNOWN;
	SHP_TRY(sysfs_read_state(s, &st));
	if (st == SHP_STATE_IDLE)
		return SHP_OK;
	log_warn("PRU state is '%s': stopping it to write its settings", shp_state_name(st));
	shp_err e = pru_stop(s);
	if (e == SHP_ERR_PRU)
		log_error(
			"PRU settings not written: the PRU stays busy and the kernel module takes settings only while it is idle");
	return e;
}

static shp_err write_block(const struct shp_sysfs *s, enum pru_block b, const int64_t *tok)
{
	char text[PRU_SETTINGS_TEXT_MAX];
	if (pru_block_format(b, tok, PRU_TEXT_WRITE, text, sizeof(text)) == 0)
		return SHP_ERR_PRU; /* cannot happen: the text is ~1 KB at most */
	log_vector(b, tok);
	return sysfs_write(s, pru_block_file(b), text);
}

/* Reads every written block back; logs each difference. */
static shp_err verify(const struct shp_sysfs *s, const enum pru_block *order, unsigned n,
		      int64_t (*tok)[PRU_TOKENS_MAX])
{
	shp_err result = SHP_OK;
	char text[PRU_SETTINGS_TEXT_MAX];
	int64_t back[PRU_TOKENS_MAX];
	for (unsigned k = 0; k < n; k++) {
		shp_err e = sysfs_read(s, pru_block_file(order[k]), text, sizeof(text));
		if (e == SHP_OK)
			e = parse_tokens(order[k], text, back);
		if (e == SHP_OK)
			e = compare_tokens(order[k], tok[k], back);
		if (e != SHP_OK && result == SHP_OK)
			result = e;
	}
	return result;
}

shp_err pru_settings_apply(const struct shp_sysfs *s, const char *mode,
			   const struct pru_settings *set)
{
	enum pru_block order[PRU_BLOCK_COUNT];
	int64_t tok[PRU_BLOCK_COUNT][PRU_TOKENS_MAX];
	unsigned n = plan(mode, set, order);
	SHP_TRY(ensure_idle(s));
	struct pru_msg_summary sum = {0};
	/* older news first: what arrives from now on is the answer to these writes */
	SHP_TRY(pru_drain_messages(s, MSG_BOX_DEPTH, SETTLE_NS, &sum));
	sum = (struct pru_msg_summary){0};
	for (unsigned k = 0; k < n; k++) {
		to_tokens(order[k], set, tok[k]);
		SHP_TRY(write_block(s, order[k], tok[k]));
	}
	shp_err e = pru_reinit(s, mode, &sum);
	if (e == SHP_ERR_INTERRUPTED)
		return e;
	if (sum.errors)
		log_error(
			"PRU settings: the PRU reported %u error(s) while taking them (0x%02X: it refused a write)",
			sum.errors, SHP_MSG_ERR_INVALID_CMD);
	/* also after a failed re-init: the differences tell which write did not arrive */
	shp_err check = verify(s, order, n, tok);
	if (e != SHP_OK)
		return e;
	if (check != SHP_OK)
		return check;
	if (sum.errors)
		return SHP_ERR_PRU;
	log_info("PRU settings written and read back (%u of 3 files, mode %s)", n, mode);
	return SHP_OK;
}
