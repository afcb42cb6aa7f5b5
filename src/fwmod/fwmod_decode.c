/*
 * fwmod_decode.c - the embedded firmware of a FirmwareModTask (node-control.md 4.3): standard
 * base64 (OpenSSL's EVP decoder) of zstd-compressed bytes (libzstd's streaming decoder, so that
 * frames without a content size and concatenated frames decode too).
 *
 * The decompressed size is capped at FWMOD_DECODED_MAX: a target's flash is at most a few MiB,
 * and a small payload must not be able to make the node allocate without bound.
 */
#include "fwmod/fwmod_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zstd.h>

#include "common/log.h"

#define B64_SLICE (1 << 20) /* characters per EVP_DecodeUpdate call (its length is an int) */

/* Only the base64 alphabet, its padding and whitespace: EVP's decoder stops silently at some
 * other characters ('-') instead of failing. */
static bool b64_text_ok(const char *text, size_t *bad_at)
{
	for (size_t i = 0; text[i]; i++) {
		unsigned char c = (unsigned char)text[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=' || c == ' ' ||
			  c == '\t' || c == '\n' || c == '\r';
		if (!ok) {
			*bad_at = i;
			return false;
		}
	}
	return true;
}

static shp_err b64_decode(const char *text, uint8_t **out, size_t *out_len)
{
	size_t bad_at;
	if (!b64_text_ok(text, &bad_at)) {
		log_error("FirmwareModTask: data is not base64: character %zu is '%c'", bad_at,
			  text[bad_at]);
		return SHP_ERR_FIRMWARE;
	}
	size_t len = strlen(text);
	uint8_t *buf = malloc(len / 4 * 3 + 3 + 80);
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	if (!buf || !ctx) {
		free(buf);
		EVP_ENCODE_CTX_free(ctx);
		return SHP_ERR_NOMEM;
	}
	EVP_DecodeInit(ctx);
	size_t used = 0;
	bool ok = true;
	for (size_t pos = 0; ok && pos < len; pos += B64_SLICE) {
		size_t n = len - pos < B64_SLICE ? len - pos : B64_SLICE;
		int got = 0;
		ok = EVP_DecodeUpdate(ctx, buf + used, &got, (const unsigned char *)text + pos,
				      (int)n) >= 0;
		used += (size_t)got;
	}
	int last = 0;
	ok = ok && EVP_DecodeFinal(ctx, buf + used, &last) == 1;
	used += (size_t)last;
	EVP_ENCODE_CTX_free(ctx);
	if (!ok) {
		free(buf);
		log_error("FirmwareModTask: data is not valid base64 (bad length or padding)");
		return SHP_ERR_FIRMWARE;
	}
	*out = buf;
	*out_len = used;
	return SHP_OK;
}

/* Grows *buf to at least need bytes (doubling, capped at FWMOD_DECODED_MAX). */
static bool grow(uint8_t **buf, size_t *cap, size_t need)
{
	size_t next = *cap ? *cap : 64 * 1024;
	while (next < need)
		next *= 2;
	if (next > FWMOD_DECODED_MAX)
		next = FWMOD_DECODED_MAX;
	uint8_t *p = realloc(*buf, next);
	if (!p)
		return false;
	*buf = p;
	*cap = next;
	return true;
}

static shp_err zstd_decode(const uint8_t *src, size_t src_len, uint8_t **out, size_t *out_len)
{
	if (src_len == 0) {
		log_error("FirmwareModTask: data decodes to nothing, not to a zstd frame");
		return SHP_ERR_FIRMWARE;
	}
	unsigned long long known = ZSTD_getFrameContentSize(src, src_len);
	if (known == ZSTD_CONTENTSIZE_ERROR) {
		log_error("FirmwareModTask: data is not zstd-compressed (no zstd frame header)");
		return SHP_ERR_FIRMWARE;
	}
	ZSTD_DStream *ds = ZSTD_createDStream();
	if (!ds)
		return SHP_ERR_NOMEM;
	uint8_t *buf = NULL;
	size_t cap = 0;
	size_t start =
		known != ZSTD_CONTENTSIZE_UNKNOWN && known < FWMOD_DECODED_MAX ? known + 1 : 0;
	shp_err err = grow(&buf, &cap, start) ? SHP_OK : SHP_ERR_NOMEM;
	ZSTD_inBuffer in = {src, src_len, 0};
	size_t ret = 1; /* 0 once a frame ends exactly */
	ZSTD_outBuffer ob = {buf, cap, 0};
	while (!err && (in.pos < in.size || ob.pos == ob.size)) {
		if (ob.pos == ob.size) {
			if (ret == 0 && in.pos == in.size)
				break; /* the last frame filled the buffer exactly */
			if (cap >= FWMOD_DECODED_MAX) {
				log_error(
					"FirmwareModTask: the firmware decompresses to more than %d MiB",
					FWMOD_DECODED_MAX >> 20);
				err = SHP_ERR_FIRMWARE;
				break;
			}
			if (!grow(&buf, &cap, cap + 1)) {
				err = SHP_ERR_NOMEM;
				break;
			}
			ob.dst = buf;
			ob.size = cap;
		}
		ret = ZSTD_decompressStream(ds, &ob, &in);
		if (ZSTD_isError(ret)) {
			log_error("FirmwareModTask: the zstd data is corrupt: %s",
				  ZSTD_getErrorName(ret));
			err = SHP_ERR_FIRMWARE;
		} else if (in.pos == in.size && ob.pos < ob.size) {
			break; /* all input consumed and nothing more to flush */
		}
	}
	ZSTD_freeDStream(ds);
	if (!err && ret != 0) {
		log_error(
			"FirmwareModTask: the zstd data ends in the middle of a frame (truncated)");
		err = SHP_ERR_FIRMWARE;
	}
	if (err) {
		free(buf);
		return err;
	}
	*out = buf;
	*out_len = ob.pos;
	return SHP_OK;
}

shp_err fwmod_decode(const char *text, uint8_t **out, size_t *out_len)
{
	uint8_t *packed;
	size_t packed_len;
	SHP_TRY(b64_decode(text, &packed, &packed_len));
	shp_err err = zstd_decode(packed, packed_len, out, out_len);
	free(packed);
	return err;
}
