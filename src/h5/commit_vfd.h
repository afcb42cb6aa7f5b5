/*
 * commit_vfd.h - an HDF5 file driver that turns every flush into an atomic, durable commit.
 *
 * HDF5 overwrites its metadata (superblock, object headers, B-tree nodes) in place, and a power
 * cut in the middle of those writes, or any subset of them reaching the card, leaves a file that
 * does not open. This driver keeps the file on disk in a committed state at every instant:
 *   - writes into space the last commit already used (the file's committed length) are held in
 *     memory; writes beyond it (new chunks, new metadata) go straight to the file, where nothing
 *     refers to them yet; reads see the held writes;
 *   - a flush (H5Fflush, H5Fclose) commits:
 *       1. fdatasync(file): the new data, and the previous commit's writes, are on the card;
 *       2. the held writes and the writer's tail go into journal slot g % 2, fdatasync(slot):
 *          this is the commit point;
 *       3. the held writes are applied to the file and its length is set (synced by step 1 of
 *          the next commit, or at close).
 *   - the close commits, fdatasyncs the file and removes both slots.
 * So the file on disk is always the last commit, or the last commit with part of the next
 * one's step 3: then its slot is complete and h5_repair.c rolls it forward. A cut before the
 * commit point leaves the previous commit (and its slot) intact. Two syncs per flush.
 *
 * After commit_vfd_freeze (a failed write) the driver writes nothing more: the file stays at its
 * last commit and the slots stay for the repair.
 */
#ifndef SHP_COMMIT_VFD_H
#define SHP_COMMIT_VFD_H

#include <hdf5.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "h5/journal.h"

struct commit_vfd;

/* Figures of the commits so far (the benchmark's sync row). */
struct commit_stats {
	uint64_t commits;
	uint64_t syncs;
	uint64_t sync_ns;         /* wall time spent in fdatasync */
	uint64_t journal_bytes;   /* bytes written into the slots */
	uint64_t held_bytes_peak; /* most bytes held in memory between two commits */
};

/* Registers the driver (shp_h5_init). */
hid_t commit_vfd_register(void);

/*
 * Makes fapl use the driver for the recording whose final name is recording (the file HDF5
 * opens may be NAME.incomplete). resume_after: 0 for a new recording (both slots are created
 * empty), else the generation of the complete slot a repair continues from.
 */
herr_t commit_vfd_set_fapl(hid_t fapl, const char *recording, uint64_t resume_after);

/* The driver of an open file (NULL if the file does not use it). */
struct commit_vfd *commit_vfd_of(hid_t file);

/* What the next commit stores beside its records: the tail (h5_tail.h; it and what it refers
 * to stay valid until the flush returns; NULL for none). */
struct tail_buf;
void commit_vfd_set_tail(struct commit_vfd *v, const struct tail_buf *tail,
			 const struct journal_summary *summary);

void commit_vfd_freeze(struct commit_vfd *v);

const struct commit_stats *commit_vfd_stats(const struct commit_vfd *v);

#endif
