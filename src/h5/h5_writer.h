/*
 * h5_writer.h - writes a Shepherd recording (shared/spec/file-format.md) that h5py and the
 * shepherd-data tools read like one from the Python predecessor.
 *
 * The IV datasets always have their true length: each append extends them by exactly what it
 * writes (whole 10 000-sample chunks, only the last one may be partial), so there is nothing to
 * trim at close and an interrupted file holds exactly what was written. Whole chunks are encoded
 * by chunk_codec.c and written directly (text columns: through HDF5's pipeline); a chunk reaches
 * the file once, when it is full or at close, so there are no dead copies.
 *
 * Crash safety (the contract): after a power cut or a kill at any moment, also in the middle of
 * a flush, the recording holds everything appended before its last completed h5w_flush (at most
 * one flush interval before the cut), once `shepherd-sheep repair` has run over it; the node runs
 * that by itself at the next run and at boot. Without the repair it still opens unless the cut
 * fell into the few writes that apply a commit, and it lacks only the rows of partial chunks.
 *   - The file is made as NAME.incomplete and renamed to NAME after its first commit, so NAME
 *     never names a file that does not open.
 *   - Every flush is an atomic commit (commit_vfd.h): new data, fdatasync, the overwritten
 *     metadata and the rows of partial chunks into a journal slot, fdatasync, then the overwrites.
 *   - Freed file space is never reused (strategy NONE), the file is not locked (readers may open
 *     it while it is written), and after a failed write nothing more is written.
 * The metadata cache has a fixed size and evicts; memory does not grow with the recording.
 *
 * One deviation from the predecessor's layout, invisible to readers: /gpio/time has chunks of
 * 100 000 events like /gpio/value, instead of h5py's automatic 1 563 (64 times fewer chunks at
 * GPIO rates of a MHz).
 */
#ifndef SHP_H5_WRITER_H
#define SHP_H5_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "h5/h5_common.h"
#include "h5/h5_table.h"

#define SHP_H5_CHUNK_SAMPLES 10000u
#define SHP_H5_GPIO_CHUNK_EVENTS 100000u

struct h5w_info {
	const char *mode; /* "harvester" or "emulator" */
	const char *hostname;
	const char *config_yaml; /* the task, stored as root attribute "config" */
	const char *datatype;    /* "ivtrace", "ivsurface", "isc_voc" */
	int64_t window_samples;
	struct shp_cal_pair voltage;
	struct shp_cal_pair current;
	enum shp_compression compression;
	bool shuffle;
	bool gpio;          /* GPIO is traced (/gpio/time and /gpio/value always exist) */
	bool uart;          /* create /uart/time and /uart/message (UART is logged) */
	bool overwrite;     /* truncate an existing file instead of refusing it */
	bool pipeline_only; /* write every chunk through HDF5's filter pipeline (tests) */
};

/* Creates the file with its full skeleton of groups, datasets and attributes. */
shp_err h5w_create(const char *path, const struct h5w_info *info, h5w_t **out);

/* Appends n IV samples. */
shp_err h5w_append_iv(h5w_t *w, const uint64_t *ts, const uint32_t *v, const uint32_t *i,
		      uint32_t n);

/* Appends one PRU utilisation row (buffered to whole chunks of 100 rows). */
shp_err h5w_append_util(h5w_t *w, uint64_t ts, const uint16_t values[3]);

/* Appends n GPIO events (buffered to whole chunks of 100 000 events). Needs info.gpio. */
shp_err h5w_append_gpio(h5w_t *w, const uint64_t *ts, const uint16_t *value, uint32_t n);

/* Appends one /uart row: len bytes received at ts. Needs info.uart. */
shp_err h5w_append_uart(h5w_t *w, uint64_t ts, const char *bytes, size_t len);

/* Commits: everything appended so far becomes the state a crash falls back to. */
shp_err h5w_flush(h5w_t *w);

/* The commits' figures (syncs and their time); NULL without the committing driver. */
struct commit_stats;
const struct commit_stats *h5w_commit_stats(const h5w_t *w);

uint64_t h5w_iv_samples(const h5w_t *w);
uint64_t h5w_util_rows(const h5w_t *w);
uint64_t h5w_gpio_events(const h5w_t *w);

/* Current size of the file in bytes (0 if unknown). */
uint64_t h5w_file_size(const h5w_t *w);

/* Flushes and closes; returns the first error seen while closing. Frees w. */
shp_err h5w_close(h5w_t *w);

#endif
