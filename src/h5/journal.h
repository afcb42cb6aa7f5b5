/*
 * journal.h - the commit journal of a recording: what makes a flush atomic.
 *
 * Beside a recording NAME lie, while it is written, two slots NAME.journal.0 and NAME.journal.1.
 * Commit g goes into slot g % 2, so the slot of the previous commit stays intact while the next
 * one is written. A slot holds:
 *   - a header: magic, generation, the file length of the committed state (HDF5's end of
 *     allocation), figures for messages, a CRC over the body and one over the header;
 *   - the body: the redo records (offset, length, bytes) of every write of this commit into
 *     space the previous commit already used (HDF5's metadata, overwritten in place), then the
 *     tail: the rows of partial chunks the writer keeps in memory (h5_tail.h).
 * A slot whose CRCs hold is complete; applying it (records in order, then the length) is
 * idempotent. The protocol around it is in commit_vfd.h.
 */
#ifndef SHP_JOURNAL_H
#define SHP_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define JOURNAL_SLOTS 2
#define JOURNAL_HEADER_BYTES 80u
#define JOURNAL_RECORD_HEADER 16u /* u64 offset, u64 length; the bytes follow, padded to 8 */

/* What a commit held, for messages (and the crash tests). */
struct journal_summary {
	uint64_t iv_samples;
	uint64_t gpio_events;
	uint64_t wall_ns; /* when the commit was written */
};

struct journal_header {
	uint64_t generation;
	uint64_t length; /* file length of the committed state */
	uint64_t records_bytes;
	uint64_t tail_bytes;
	uint32_t records;
	uint32_t body_crc;
	struct journal_summary summary;
};

/* A complete slot read back: header and body (records_bytes, then tail_bytes). */
struct journal_slot {
	struct journal_header h;
	uint8_t *body;
};

/* NAME.journal.<slot> into out; false if it does not fit. */
bool journal_path(char *out, size_t len, const char *recording, unsigned slot);

/* Encodes h (with its CRC) into out[JOURNAL_HEADER_BYTES]. */
void journal_encode_header(const struct journal_header *h, uint8_t *out);

/* Reads the complete slot of the highest generation; *found false if neither slot is complete
 * (or none exists). SHP_ERR_OUTPUT for an I/O error (a slot that cannot be read may be the
 * newest: falling back to the older one could undo it). A slot too big for memory is taken as
 * not complete. */
shp_err journal_read_latest(const char *recording, struct journal_slot *out, bool *found);

/* A file at path that can be one of our slots: shorter than a header (a slot just emptied or
 * torn), all zeros at the start (torn), or our magic. Anything else is someone else's file. */
bool journal_slot_is_ours(const char *path);

/* Removes the recording's slots that are ours (journal_slot_is_ours), never another file. */
void journal_remove(const char *recording);

/* Writes the slot's records into fd and sets the file to the committed length. */
shp_err journal_apply(int fd, const struct journal_slot *s);

void journal_slot_free(struct journal_slot *s);

/* zlib's CRC-32 continued over len bytes. */
uint32_t journal_crc(uint32_t crc, const void *data, size_t len);

#endif
