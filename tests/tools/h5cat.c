/*
 * h5cat - writes one dataset of a recording, decoded by the sheep's own reader and filters, to
 * stdout as raw little-endian bytes. The end-to-end tests compare it with what h5py decodes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/error.h"
#include "h5/h5_common.h"
#include "h5/h5_reader.h"

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: h5cat FILE DATASET\n");
		return 2;
	}
	if (shp_h5_init() != SHP_OK)
		return 1;
	void *data;
	size_t count, size;
	if (h5r_read_dataset(argv[1], argv[2], &data, &count, &size) != SHP_OK)
		return 1;
	size_t written = fwrite(data, size, count, stdout);
	free(data);
	return written == count ? 0 : 1;
}
