/*
 * lzf_filter.h - HDF5 filter 32000 ("lzf"): Debian's liblzf compresses, lzf_codec.c decodes.
 *
 * Compatible with h5py's built-in LZF filter in both directions: the same filter id, the same
 * client data {filter revision 4, LZF_VERSION, chunk size in bytes}, the same stream format
 * (one raw lzf block per chunk), and registered as optional, so a chunk that does not shrink is
 * stored uncompressed, as h5py does. Debian's hdf5-plugin-lzf cannot be used: it lacks the liblzf
 * symbols.
 */
#ifndef SHP_LZF_FILTER_H
#define SHP_LZF_FILTER_H

#define SHP_H5Z_FILTER_LZF 32000
#define SHP_LZF_FILTER_REVISION 4

/* Registers the filter with the HDF5 library (idempotent). Returns 0 on success. */
int shp_lzf_register(void);

#endif
