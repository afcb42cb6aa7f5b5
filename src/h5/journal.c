/* journal.c - encoding, reading back and applying the slots of a recording's commit journal. */
#include "h5/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "common/fs.h"
#include "common/log.h"

static const uint8_t magic[8] = {'S', 'H', 'P', 'J', 'R', 'N', 'L', '1'};
#define VERSION 1u

uint32_t journal_crc(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len > 0) { /* zlib takes a uInt length */
		uInt part = len > (1u << 30) ? (1u << 30) : (uInt)len;
		crc = (uint32_t)crc32(crc, p, part);
		p += part;
		len -= part;
	}
	return crc;
}

bool journal_path(char *out, size_t len, const char *recording, unsigned slot)
{
	int n = snprintf(out, len, "%s.journal.%u", recording, slot);
	return n > 0 && (size_t)n < len;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int k = 0; k < 8; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

void journal_encode_header(const struct journal_header *h, uint8_t *out)
{
	memcpy(out, magic, sizeof(magic));
	put32(out + 8, VERSION);
	put32(out + 12, h->records);
	put64(out + 16, h->generation);
	put64(out + 24, h->length);
	put64(out + 32, h->records_bytes);
	put64(out + 40, h->tail_bytes);
	put64(out + 48, h->summary.iv_samples);
	put64(out + 56, h->summary.gpio_events);
	put64(out + 64, h->summary.wall_ns);
	put32(out + 72, h->body_crc);
	put32(out + 76, journal_crc(0, out, 76));
}

static bool decode_header(const uint8_t *in, struct journal_header *h)
{
	if (memcmp(in, magic, sizeof(magic)) != 0 || get32(in + 8) != VERSION ||
	    get32(in + 76) != journal_crc(0, in, 76))
		return false;
	h->records = get32(in + 12);
	h->generation = get64(in + 16);
	h->length = get64(in + 24);
	h->records_bytes = get64(in + 32);
	h->tail_bytes = get64(in + 40);
	h->summary.iv_samples = get64(in + 48);
	h->summary.gpio_events = get64(in + 56);
	h->summary.wall_ns = get64(in + 64);
	h->body_crc = get32(in + 72);
	return h->records_bytes <= UINT64_MAX / 2 && h->tail_bytes <= UINT64_MAX / 2;
}

/* 1: read whole, 0: the file ends before, -1: an I/O error (errno). */
static int read_full(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 1;
}

bool journal_slot_is_ours(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	uint8_t head[sizeof(magic)];
	int rc = read_full(fd, head, sizeof(head), 0);
	close(fd);
	if (rc == 0)
		return true; /* shorter than a magic */
	static const uint8_t zeros[sizeof(magic)];
	return rc == 1 &&
	       (memcmp(head, magic, sizeof(magic)) == 0 || memcmp(head, zeros, sizeof(zeros)) == 0);
}

/* The slot in path if it is complete: 1 (s filled), 0 (absent, torn, or too big to hold),
 * -1 (an I/O error). */
static int read_slot(const char *path, struct journal_slot *s)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	uint8_t head[JOURNAL_HEADER_BYTES];
	struct stat st;
	s->body = NULL;
	int rc = fstat(fd, &st) == 0 ? read_full(fd, head, sizeof(head), 0) : -1;
	if (rc == 1 && !decode_header(head, &s->h))
		rc = 0;
	uint64_t len = rc == 1 ? s->h.records_bytes + s->h.tail_bytes : 0;
	if (rc == 1 && (len > (uint64_t)st.st_size - JOURNAL_HEADER_BYTES || len >= SIZE_MAX))
		rc = 0; /* the header claims more than the file holds */
	if (rc == 1 && !(s->body = malloc(len ? (size_t)len : 1)))
		rc = 0;
	if (rc == 1)
		rc = read_full(fd, s->body, (size_t)len, JOURNAL_HEADER_BYTES);
	if (rc == 1 && journal_crc(0, s->body, (size_t)len) != s->h.body_crc)
		rc = 0;
	int err = errno;
	close(fd);
	if (rc != 1) {
		free(s->body);
		s->body = NULL;
	}
	errno = err;
	return rc;
}

shp_err journal_read_latest(const char *recording, struct journal_slot *out, bool *found)
{
	*found = false;
	memset(out, 0, sizeof(*out));
	for (unsigned k = 0; k < JOURNAL_SLOTS; k++) {
		char path[4096];
		struct journal_slot s;
		if (!journal_path(path, sizeof(path), recording, k))
			return SHP_ERR_OUTPUT;
		int rc = read_slot(path, &s);
		if (rc < 0) {
			log_error("%s: cannot read: %s", path, strerror(errno));
			journal_slot_free(out);
			*found = false;
			return SHP_ERR_OUTPUT;
		}
		if (rc == 0)
			continue;
		if (!*found || s.h.generation > out->h.generation) {
			journal_slot_free(out);
			*out = s;
			*found = true;
		} else {
			journal_slot_free(&s);
		}
	}
	return SHP_OK;
}

shp_err journal_apply(int fd, const struct journal_slot *s)
{
	const uint8_t *p = s->body, *end = s->body + s->h.records_bytes;
	for (uint32_t k = 0; k < s->h.records; k++) {
		if ((size_t)(end - p) < JOURNAL_RECORD_HEADER)
			return SHP_ERR_OUTPUT;
		uint64_t off = get64(p), len = get64(p + 8);
		p += JOURNAL_RECORD_HEADER;
		uint64_t padded = (len + 7) & ~(uint64_t)7;
		if (padded < len || padded > (uint64_t)(end - p) ||
		    !fs_pwrite_full(fd, p, (size_t)len, off))
			return SHP_ERR_OUTPUT;
		p += padded;
	}
	if (ftruncate(fd, (off_t)s->h.length) != 0)
		return SHP_ERR_OUTPUT;
	return SHP_OK;
}

void journal_remove(const char *recording)
{
	for (unsigned k = 0; k < JOURNAL_SLOTS; k++) {
		char path[4096 + 16];
		if (journal_path(path, sizeof(path), recording, k) && journal_slot_is_ours(path))
			unlink(path);
	}
}

void journal_slot_free(struct journal_slot *s)
{
	free(s->body);
	s->body = NULL;
}
