/*
 * h5_writer.h - writes a Shepherd recording (shared/spec/file-format.md) that h5py and the
 * shepherd-data tools read like one from the Python predecessor.
 *
 * The IV datasets always have their true length: each append extends them by exactly what it
 * writes (whole 10 000-sample chunks, only the last one may be partial), so there is nothing to
 * trim at close and an interrupted file holds exactly what was written. Whole IV and GPIO chunks
 * are encoded by chunk_codec.c and written directly; the rest (a last partial chunk, the PRU
 * utilisation and UART rows) goes through HDF5's filter pipeline with the chunk cache disabled.
 *
 * Crash safety: metadata leaves HDF5's cache only in h5w_flush (evictions off), freed file
 * space is never reused (strategy NONE) and the file is not locked. So the file on disk is
 * always the state of the last flush plus data nothing points to yet: it opens after a kill or
 * a power cut, and readers may open it while it is written. After a failed write nothing more
 * is written (h5w_close then leaves the last flushed state in place).
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
	bool gpio;          /* create /gpio/time and /gpio/value (GPIO is traced) */
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

/* Writes buffered rows (partial chunks included) and HDF5 metadata to disk: the next state a
 * crash falls back to. */
shp_err h5w_flush(h5w_t *w);

uint64_t h5w_iv_samples(const h5w_t *w);
uint64_t h5w_util_rows(const h5w_t *w);
uint64_t h5w_gpio_events(const h5w_t *w);

/* Current size of the file in bytes (0 if unknown). */
uint64_t h5w_file_size(const h5w_t *w);

/* Flushes and closes; returns the first error seen while closing. Frees w. */
shp_err h5w_close(h5w_t *w);

#endif
