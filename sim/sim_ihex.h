/*
 * sim_ihex.h - the PRU programmer's Intel-HEX parser (node-control.md 3.8), record by record,
 * with its exact rules: ':' first (11), upper-case digits only (a lower-case one decodes to a
 * wrong nibble, usually a checksum error 12), byte sum 0 (12), "\n" or "\r\n" after the
 * checksum (13), EOF without data (21), extended segment (22) and linear (24) records of two
 * bytes, no other types than 00-05 (31). The text ends at its first NUL or at its length.
 */
#ifndef SIM_IHEX_H
#define SIM_IHEX_H

#include <stddef.h>
#include <stdint.h>

struct sim_ihex {
	const uint8_t *text;
	size_t len, pos;
	uint32_t base; /* from record 02 or 04 */
};

struct sim_ihex_record {
	uint8_t len, type;
	uint32_t addr; /* base + the record's 16-bit address */
	uint8_t data[255];
};

void sim_ihex_init(struct sim_ihex *h, const uint8_t *text, size_t len);

/* The next data record: 1 (rec filled, len > 0), 0 at the EOF record, or -code on an error. */
int sim_ihex_next(struct sim_ihex *h, struct sim_ihex_record *rec);

#endif
