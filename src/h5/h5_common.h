/*
 * h5_common.h - HDF5 library set-up and small helpers shared by the writer and the reader:
 * silent error stack with our own messages, string and number attributes, filter pipelines.
 */
#ifndef SHP_H5_COMMON_H
#define SHP_H5_COMMON_H

#include <hdf5.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cal_pair.h" /* the calibration of a dataset */
#include "common/error.h"

enum shp_compression {
	SHP_COMP_NONE,
	SHP_COMP_LZF,
	SHP_COMP_GZIP1,
};

/* Name for messages and the task dump: "lzf", "gzip1", "none". */
const char *shp_compression_name(enum shp_compression c);

/* Turns off HDF5's own error printing and registers the LZF filter. Call once. */
shp_err shp_h5_init(void);

/*
 * The transfer property list for appends: a 64 KiB type-conversion buffer instead of HDF5's
 * 1 MiB, which HDF5 allocates and clears on every write that converts (the tables' strings),
 * about a third of a million ARM instructions each time. Made by shp_h5_init.
 */
hid_t shp_h5_append_dxpl(void);

/*
 * Set by a writer whose file did not close cleanly (a full disk). HDF5 1.10 crashes tearing
 * down such a file, so the process must then leave without H5close or exit handlers.
 */
extern bool shp_h5_unclean;

/* Innermost message of the current HDF5 error stack (e.g. "No space left on device"). */
const char *shp_h5_error(void);

/*
 * A metadata cache of a fixed size that evicts. HDF5 counts an entry by its size in the file:
 * a chunk-index node of 2 096 bytes takes 18.3 KB of memory (its keys are sized for 33
 * dimensions), so the cache's heap is about 9 times its size. The writer and the input reader
 * use SHP_H5_MDC_BYTES (~2.3 MB of heap), enough for the hot paths of every index.
 */
#define SHP_H5_MDC_BYTES (256u * 1024u)
herr_t shp_h5_fixed_mdc(hid_t fapl, size_t bytes);

/* Adds chunking, optional shuffle and the compression filter to a dataset creation list. */
herr_t shp_h5_set_filters(hid_t dcpl, int rank, const hsize_t *chunk, enum shp_compression comp,
			  bool shuffle);

herr_t shp_h5_attr_str(hid_t obj, const char *name, const char *value);
herr_t shp_h5_attr_f64(hid_t obj, const char *name, double value);
herr_t shp_h5_attr_i64(hid_t obj, const char *name, int64_t value);

/* Reads a scalar string attribute (vlen or fixed) into buf; false if absent or not a string. */
bool shp_h5_read_attr_str(hid_t obj, const char *name, char *buf, size_t len);
/* Reads a numeric scalar attribute as double; false if absent or not numeric. */
bool shp_h5_read_attr_f64(hid_t obj, const char *name, double *value);

#endif
