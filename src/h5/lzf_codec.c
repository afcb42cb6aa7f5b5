/* lzf_codec.c - LZF tokens: a greedy plane encoder, literal and run helpers, a checked decoder. */
#include "h5/lzf_codec.h"

#include <errno.h>
#include <string.h>

#define HASH_LOG 14u

static inline uint32_t load32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* The three bytes at p (little endian) spread over the table. */
static inline uint32_t hash3(uint32_t word)
{
	return ((word & 0xFFFFFFu) * 2654435761u) >> (32u - HASH_LOG);
}

/* Length of the common prefix of a and b, at most max: a word at a time, then bytes. */
static inline size_t common_prefix(const uint8_t *a, const uint8_t *b, size_t max)
{
	size_t n = 0;
	while (n + 4 <= max) {
		uint32_t diff = load32(a + n) ^ load32(b + n);
		if (diff)
			return n + (size_t)(__builtin_ctz(diff) >> 3);
		n += 4;
	}
	while (n < max && a[n] == b[n])
		n++;
	return n;
}

size_t lzf_put_literals(const uint8_t *src, size_t count, uint8_t *dst, size_t cap)
{
	size_t need = count + (count + LZF_MAX_LITERALS - 1) / LZF_MAX_LITERALS;
	if (need > cap)
		return 0;
	uint8_t *op = dst;
	for (; count >= LZF_MAX_LITERALS; count -= LZF_MAX_LITERALS) {
		*op++ = LZF_MAX_LITERALS - 1;
		memcpy(op, src, LZF_MAX_LITERALS); /* a fixed size: inlined as a few wide moves */
		op += LZF_MAX_LITERALS;
		src += LZF_MAX_LITERALS;
	}
	if (count) {
		*op++ = (uint8_t)(count - 1);
		memcpy(op, src, count);
		op += count;
	}
	return (size_t)(op - dst);
}

/* One match token: len bytes (3..264) from distance back (1..8192). */
static inline uint8_t *put_match(uint8_t *op, size_t len, size_t distance)
{
	size_t l = len - 2, d = distance - 1;
	if (l < 7) {
		*op++ = (uint8_t)((l << 5) | (d >> 8));
	} else {
		*op++ = (uint8_t)((7u << 5) | (d >> 8));
		*op++ = (uint8_t)(l - 7);
	}
	*op++ = (uint8_t)d;
	return op;
}

size_t lzf_put_run(uint8_t value, size_t count, uint8_t *dst, size_t cap)
{
	if (count == 0)
		return 0;
	size_t used = lzf_put_literals(&value, 1, dst, cap);
	if (!used)
		return 0;
	count--;
	while (count >= LZF_MIN_MATCH) { /* copies of the byte just before: distance 1 */
		size_t len = count < LZF_MAX_MATCH ? count : LZF_MAX_MATCH;
		if (count - len == 1 || count - len == 2)
			len -= 3; /* never leave a tail too short for a match */
		if (used + (len - 2 < 7 ? 2 : 3) > cap)
			return 0;
		used = (size_t)(put_match(dst + used, len, 1) - dst);
		count -= len;
	}
	for (; count; count--) {
		size_t n = lzf_put_literals(&value, 1, dst + used, cap - used);
		if (!n)
			return 0;
		used += n;
	}
	return used;
}

/*
 * A literal run of 1..32 bytes where both lit and op have 32 bytes to spare: the header and a
 * fixed-size copy of 8 or 32 bytes (the surplus is overwritten by what follows). Runs between
 * matches are mostly one to three bytes long.
 */
static inline uint8_t *put_short_literals(uint8_t *op, const uint8_t *lit, size_t n)
{
	*op = (uint8_t)(n - 1);
	if (n <= 8)
		memcpy(op + 1, lit, 8);
	else
		memcpy(op + 1, lit, LZF_MAX_LITERALS);
	return op + 1 + n;
}

/* Bytes a verified 3-byte match at ref extends to at ip (3..264, before end). */
static inline size_t match_length(const uint8_t *ref, const uint8_t *ip, const uint8_t *end)
{
	size_t max = (size_t)(end - ip) < LZF_MAX_MATCH ? (size_t)(end - ip) : LZF_MAX_MATCH;
	if (max < 7)
		return LZF_MIN_MATCH + common_prefix(ref + 3, ip + 3, max - 3);
	/* most matches end within the next word */
	uint32_t diff = load32(ref + 3) ^ load32(ip + 3);
	if (diff)
		return LZF_MIN_MATCH + (size_t)(__builtin_ctz(diff) >> 3);
	return 7 + common_prefix(ref + 7, ip + 7, max - 7);
}

/*
 * The greedy parse: at each position the one candidate the hash table remembers for its three
 * bytes, taken if it matches and is near enough, extended as far as it goes. Positions inside a
 * match are not hashed (liblzf hashes the last two): on the sheep's planes that costs 1 % in size
 * and saves 10 % of the time, most of it on planes of many short matches. Literals are copied as
 * a block when their run ends. No match starts in the last four positions (no room for the
 * 4-byte loads that verify one), though a match may cover them.
 *
 * The table holds positions in the plane; it is not cleared between planes: a candidate left by
 * an earlier plane is just a position that is verified like any other (and refused if it is not
 * behind the current one), so the result is valid whatever the table holds.
 */
size_t lzf_encode_plane(struct lzf_encoder *enc, const uint8_t *src, size_t n, uint8_t *dst,
			size_t cap)
{
	if (n == 0 || n > LZF_PLANE_MAX)
		return 0;
	uint16_t *const table = enc->table;
	const uint8_t *ip = src, *lit = src;
	const uint8_t *const end = src + n;
	const uint8_t *const limit = n > 4 ? end - 4 : src; /* a 4-byte load at ip stays inside */
	uint8_t *op = dst, *const op_end = dst + cap;
	while (ip < limit) {
		uint32_t word = load32(ip);
		uint32_t h = hash3(word);
		size_t pos = (size_t)(ip - src);
		/* 1..8192 back, or a position not behind this one (the subtraction wraps) */
		size_t distance = pos - table[h];
		table[h] = (uint16_t)pos;
		if (distance - 1 >= LZF_MAX_DISTANCE ||
		    ((load32(ip - distance) ^ word) & 0xFFFFFFu)) {
			ip++;
			continue;
		}
		size_t len = match_length(ip - distance, ip, end);
		size_t lits = (size_t)(ip - lit);
		size_t room = (size_t)(op_end - op);
		/* the literals and this match do not fit: no other parse would be shorter */
		if (room < lits + (lits + LZF_MAX_LITERALS - 1) / LZF_MAX_LITERALS + 3)
			return 0;
		if (lits && lits <= LZF_MAX_LITERALS && room >= 1 + LZF_MAX_LITERALS + 3 &&
		    (size_t)(end - lit) >= LZF_MAX_LITERALS)
			op = put_short_literals(op, lit, lits);
		else if (lits)
			op += lzf_put_literals(lit, lits, op, room);
		op = put_match(op, len, distance);
		ip += len;
		lit = ip;
	}
	if (lit < end) {
		size_t w = lzf_put_literals(lit, (size_t)(end - lit), op, (size_t)(op_end - op));
		if (!w)
			return 0;
		op += w;
	}
	return (size_t)(op - dst);
}

/*
 * Copies a back-reference of len bytes from distance back, where out has at least len + 8 bytes
 * of room. Most matches of the sheep's inputs are 3 to 8 bytes long: from 8 or more back, whole
 * words are copied (the bytes written past len are overwritten by what follows); a shorter
 * distance overlaps the output, and the first distance bytes repeat: byte by byte (a loop the
 * compiler cannot turn into memmove, whose semantics differ for overlaps).
 */
static inline void copy_match(uint8_t *op, size_t distance, size_t len)
{
	const uint8_t *ref = op - distance;
	if (distance >= 8) {
		for (size_t k = 0; k < len; k += 8) {
			uint64_t w;
			memcpy(&w, ref + k, 8);
			memcpy(op + k, &w, 8);
		}
	} else if (distance >= 4 && len <= 4) {
		uint32_t w;
		memcpy(&w, ref, 4);
		memcpy(op, &w, 4);
	} else {
		for (size_t k = 0; k < len; k++)
			op[k] = ref[k];
	}
}

/* Bounds of one token in the fast loop of lzf_decode: it reads at most 1 + 32 bytes (a literal
 * run copied as a fixed 32; one more kept as a margin) and writes at most 264 + 7 (a match
 * copied in words; one more kept). */
#define TOKEN_IN_MAX 34u
#define TOKEN_OUT_MAX (LZF_MAX_MATCH + 8u)

/*
 * Every token is checked before it is copied. Far from both ends (the fast loop) a batch of as
 * many tokens as surely fit in both buffers runs without bounds checks; literal runs are copied
 * as a fixed 8 or 32 bytes and matches in words (copy_match), the surplus being overwritten by
 * what follows. Near the ends every length is checked and copied exactly.
 */
size_t lzf_decode(const uint8_t *src, size_t n, uint8_t *dst, size_t cap)
{
	const uint8_t *ip = src, *const in_end = src + n;
	uint8_t *op = dst, *const out_end = dst + cap;
	for (;;) {
		size_t in_room = (size_t)(in_end - ip), out_room = (size_t)(out_end - op);
		size_t batch = in_room / TOKEN_IN_MAX;
		if (batch > out_room / TOKEN_OUT_MAX)
			batch = out_room / TOKEN_OUT_MAX;
		if (batch < 2)
			break;
		for (batch--; batch; batch--) { /* one token of room is kept back */
			size_t ctrl = *ip++;
			if (ctrl < 32) {
				size_t len = ctrl + 1;
				if (len <= 8)
					memcpy(op, ip, 8);
				else
					memcpy(op, ip, 32);
				op += len;
				ip += len;
				continue;
			}
			size_t len = ctrl >> 5;
			if (len == 7)
				len += *ip++;
			size_t distance = ((ctrl & 0x1Fu) << 8 | *ip++) + 1;
			if ((size_t)(op - dst) < distance)
				goto damaged;
			len += 2;
			copy_match(op, distance, len);
			op += len;
		}
	}
	while (ip < in_end) {
		size_t ctrl = *ip++;
		if (ctrl < 32) {
			size_t len = ctrl + 1;
			if ((size_t)(in_end - ip) < len)
				goto damaged;
			if ((size_t)(out_end - op) < len)
				goto too_small;
			memcpy(op, ip, len);
			op += len;
			ip += len;
			continue;
		}
		size_t len = ctrl >> 5;
		if (ip >= in_end)
			goto damaged;
		if (len == 7)
			len += *ip++;
		if (ip >= in_end)
			goto damaged;
		size_t distance = ((ctrl & 0x1Fu) << 8 | *ip++) + 1;
		len += 2;
		if ((size_t)(op - dst) < distance)
			goto damaged;
		if ((size_t)(out_end - op) < len)
			goto too_small;
		const uint8_t *ref = op - distance;
		for (size_t k = 0; k < len; k++)
			op[k] = ref[k];
		op += len;
	}
	return (size_t)(op - dst);
damaged:
	errno = EINVAL;
	return 0;
too_small:
	errno = E2BIG;
	return 0;
}
