/* sim_ihex.c - the PRU programmer's Intel-HEX parser (see sim_ihex.h). */
#include "sim_ihex.h"

#include "prog/prog_abi.h"

void sim_ihex_init(struct sim_ihex *h, const uint8_t *text, size_t len)
{
	h->text = text;
	h->len = len;
	h->pos = 0;
	h->base = 0;
}

static uint8_t ch(const struct sim_ihex *h, size_t at)
{
	return at < h->len ? h->text[at] : 0;
}

/* one nibble as the firmware decodes it: '0'-'9', else relative to 'A' (wrong for others) */
static uint8_t nibble(uint8_t c)
{
	return c <= '9' ? (uint8_t)(c - '0') : (uint8_t)(c - 'A' + 10);
}

static uint8_t byte_at(struct sim_ihex *h)
{
	uint8_t b = (uint8_t)(nibble(ch(h, h->pos)) * 16u + nibble(ch(h, h->pos + 1)));
	h->pos += 2;
	return b;
}

static int record_end(struct sim_ihex *h)
{
	if (ch(h, h->pos) == '\r')
		h->pos++;
	if (ch(h, h->pos) != '\n')
		return -PROG_IHEX_ERR_LINE_END;
	h->pos++;
	return 0;
}

int sim_ihex_next(struct sim_ihex *h, struct sim_ihex_record *rec)
{
	for (;;) {
		if (ch(h, h->pos) != ':')
			return -PROG_IHEX_ERR_START;
		h->pos++;
		uint8_t len = byte_at(h);
		uint8_t hi = byte_at(h), lo = byte_at(h);
		uint8_t type = byte_at(h);
		unsigned sum = len + hi + lo + type;
		for (unsigned k = 0; k < len; k++) {
			rec->data[k] = byte_at(h);
			sum += rec->data[k];
		}
		sum += byte_at(h);
		if ((sum & 0xFFu) != 0)
			return -PROG_IHEX_ERR_CHECKSUM;
		int e = record_end(h);
		if (e)
			return e;
		switch (type) {
		case 0x00:
			if (len == 0)
				continue;
			rec->len = len;
			rec->type = type;
			rec->addr = h->base + hi * 256u + lo;
			return 1;
		case 0x01:
			return len == 0 ? 0 : -PROG_IHEX_ERR_EOF_LEN;
		case 0x02:
			if (len != 2)
				return -PROG_IHEX_ERR_SEG_LEN;
			h->base = (rec->data[0] * 256u + rec->data[1]) * 16u;
			continue;
		case 0x03:
		case 0x05:
			continue; /* start addresses: stored by the firmware, never used */
		case 0x04:
			if (len != 2)
				return -PROG_IHEX_ERR_LIN_LEN;
			h->base = (rec->data[0] * 256u + rec->data[1]) << 16;
			continue;
		default:
			return -PROG_IHEX_ERR_TYPE;
		}
	}
}
