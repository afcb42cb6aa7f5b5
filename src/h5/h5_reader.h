/*
 * h5_reader.h - reading datasets of a recording, with the same filters the writer uses (LZF is
 * decoded by our in-process filter). Later the emulation input reader builds on this.
 */
#ifndef SHP_H5_READER_H
#define SHP_H5_READER_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/*
 * Reads a whole dataset into a malloc'd buffer in its native little-endian layout.
 * *count is the number of elements, *elem_size the bytes of each.
 */
shp_err h5r_read_dataset(const char *path, const char *dataset, void **data, size_t *count,
			 size_t *elem_size);

/* Number of rows of a dataset, or a message and SHP_ERR_INPUT if the file cannot be read. */
shp_err h5r_dataset_rows(const char *path, const char *dataset, uint64_t *rows);

#endif
