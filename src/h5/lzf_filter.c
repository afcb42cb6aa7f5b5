/*
 * lzf_filter.c - the LZF filter callbacks: set_local fills cd_values, filter (de)compresses.
 * Compression is liblzf's (so that chunks through HDF5's pipeline are byte for byte h5py's),
 * decompression the sheep's checked decoder (lzf_codec.h), 2.5 times cheaper on ARM.
 */
#include "h5/lzf_filter.h"

#include <errno.h>
#include <hdf5.h>
#include <lzf.h>
#include <stdlib.h>

#include "h5/lzf_codec.h"

#define CD_COUNT 3
#define MAX_GROWTH_STEPS 8

/* Stores revision, lzf version and the chunk size in bytes, which the decoder uses as its size. */
static herr_t lzf_set_local(hid_t dcpl, hid_t type, hid_t space)
{
	(void)space;
	unsigned flags;
	size_t nelmts = 8;
	unsigned values[8] = {0};
	if (H5Pget_filter_by_id2(dcpl, SHP_H5Z_FILTER_LZF, &flags, &nelmts, values, 0, NULL, NULL) <
	    0)
		return -1;
	int rank = H5Pget_chunk(dcpl, 0, NULL);
	hsize_t dims[H5S_MAX_RANK];
	if (rank <= 0 || H5Pget_chunk(dcpl, rank, dims) < 0)
		return -1;
	size_t bytes = H5Tget_size(type);
	if (bytes == 0)
		return -1;
	for (int d = 0; d < rank; d++)
		bytes *= dims[d];
	if (bytes > UINT32_MAX)
		return -1;
	values[0] = SHP_LZF_FILTER_REVISION;
	values[1] = LZF_VERSION;
	values[2] = (unsigned)bytes;
	return H5Pmodify_filter(dcpl, SHP_H5Z_FILTER_LZF, flags, CD_COUNT, values);
}

static size_t lzf_compress_chunk(size_t nbytes, size_t *buf_size, void **buf)
{
	/* no room for growth: an incompressible chunk fails and HDF5 stores it raw */
	void *out = malloc(nbytes);
	if (!out)
		return 0;
	unsigned n = lzf_compress(*buf, (unsigned)nbytes, out, (unsigned)nbytes);
	if (n == 0) {
		free(out);
		return 0;
	}
	free(*buf);
	*buf = out;
	*buf_size = nbytes;
	return n;
}

static size_t lzf_decompress_chunk(size_t cd_nelmts, const unsigned cd_values[], size_t nbytes,
				   size_t *buf_size, void **buf)
{
	size_t cap = (cd_nelmts >= CD_COUNT && cd_values[2] != 0) ? cd_values[2] : *buf_size;
	for (int step = 0; step < MAX_GROWTH_STEPS; step++) {
		void *out = malloc(cap);
		if (!out)
			return 0;
		errno = 0;
		size_t n = lzf_decode(*buf, nbytes, out, cap);
		if (n != 0) {
			free(*buf);
			*buf = out;
			*buf_size = cap;
			return n;
		}
		free(out);
		if (errno != E2BIG)
			return 0; /* corrupt stream */
		cap *= 2;
	}
	return 0;
}

static size_t lzf_filter(unsigned flags, size_t cd_nelmts, const unsigned cd_values[],
			 size_t nbytes, size_t *buf_size, void **buf)
{
	if (nbytes == 0 || nbytes > UINT32_MAX)
		return 0;
	if (flags & H5Z_FLAG_REVERSE)
		return lzf_decompress_chunk(cd_nelmts, cd_values, nbytes, buf_size, buf);
	return lzf_compress_chunk(nbytes, buf_size, buf);
}

static const H5Z_class2_t lzf_class = {
	.version = H5Z_CLASS_T_VERS,
	.id = SHP_H5Z_FILTER_LZF,
	.encoder_present = 1,
	.decoder_present = 1,
	.name = "lzf",
	.can_apply = NULL,
	.set_local = lzf_set_local,
	.filter = lzf_filter,
};

int shp_lzf_register(void)
{
	/* registered directly, without H5Zfilter_avail(): that call would try to load a plugin
	 * of the same id from HDF5_PLUGIN_PATH, and Debian's LZF plugin is broken */
	static int registered;
	if (!registered && H5Zregister(&lzf_class) >= 0)
		registered = 1;
	return registered ? 0 : -1;
}
