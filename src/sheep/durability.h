/*
 * durability.h - the run's one rule for what a crash keeps.
 *
 * The data of a stream reach the writer at the stream's poll (h5w_append_*). The writer's flush
 * is the commit point: everything handed to the writer before a flush is what a crash keeps;
 * what came after the last one may be lost. The rule:
 *
 *  - Once the file's structure is complete (the monitors' tables created), the writer commits
 *    it, so a crash during the set-up leaves every group with its datasets.
 *  - While the run records, the writer commits once a second (DURABILITY_COMMIT_EVERY_NS), so a
 *    crash loses at most about the last second, and sooner when a third of the space reserve
 *    was written since the last commit (a writer faster than real time); it commits a last
 *    time when it closes. A commit
 *    is atomic and synced (h5/commit_vfd.h); after a crash `shepherd-sheep repair` (run by the
 *    node) brings the file to its last commit.
 *  - No stream is flushed before a commit in the loop: GPIO, util, UART and the monitors hand
 *    everything over at their poll (the writer keeps the rows of their partial chunks in the
 *    commit's journal, not in the file), and the IV stream holds back its partial chunk (at
 *    most 9 999 samples), because only the file's last IV chunk may be partial.
 *  - After each commit the space guard checks that closing the file still fits (space_guard.h).
 *  - At the end, in this order: the last polls of GPIO and UART once the recording is complete
 *    (after a settle for events still on their way), the IV stream's flush (its last partial
 *    chunk), the rows of /losses, the monitors' close (the last records of the sheep's log, the
 *    end checks' messages among them), then durability_close: the writer's close, the last
 *    commit.
 */
#ifndef SHP_DURABILITY_H
#define SHP_DURABILITY_H

#include <stdint.h>

#include "common/clock.h"
#include "common/error.h"
#include "h5/h5_writer.h"
#include "sheep/space_guard.h"

#define DURABILITY_COMMIT_EVERY_NS (1000 * SHP_NS_PER_MS)

struct durability {
	struct space_guard space;
	uint64_t last_commit_ns; /* CLOCK_MONOTONIC */
};

/* Nothing open yet: durability_close is safe from here on. */
void durability_init(struct durability *d);

/* The file at path was just created for w: starts its space guard and checks it once. */
shp_err durability_open(struct durability *d, h5w_t *w, const char *path);

/* Commits w now (the file's structure once it is complete; the loop's commits), then checks
 * the space. */
shp_err durability_commit(struct durability *d, h5w_t *w);

/* The recording starts now (CLOCK_MONOTONIC): the first commit is due a period later. */
void durability_start(struct durability *d, uint64_t now);

/* Commits w when the rule says so, then checks the space. No-op without a writer. */
shp_err durability_commit_if_due(struct durability *d, h5w_t *w, uint64_t now);

/* The last commit: closes w (freeing it) and gives back the space reserve. Returns h5w_close's
 * result. */
shp_err durability_close(struct durability *d, h5w_t *w);

#endif
