/*
 * output_path.h - where a recording goes (sheep-datapath.md 4.1): a directory gets
 * <prefix>_YYYY-MM-DD_HH-MM-SS.h5 from the start time; an existing file is kept and the new one
 * becomes <stem>.<n>.h5 unless force_overwrite; missing parent directories are created. A path
 * ending in / is a directory and is created if missing.
 */
#ifndef SHP_OUTPUT_PATH_H
#define SHP_OUTPUT_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

shp_err output_path_resolve(const char *requested, const char *prefix, int64_t start_s, bool force,
			    char *out, size_t len);

#endif
