/* h5_series.c - appendable datasets: creation, appends (whole chunks direct), attributes. */
#include "h5/h5_series.h"

#include <string.h>

hid_t series_create(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, hsize_t cols,
		    hsize_t chunk_rows, enum shp_compression compression, bool shuffle,
		    struct series *s)
{
	int rank = cols ? 2 : 1;
	hsize_t dims[2] = {0, cols};
	hsize_t maxdims[2] = {H5S_UNLIMITED, cols};
	hsize_t chunk[2] = {chunk_rows, cols};
	hid_t space = H5Screate_simple(rank, dims, maxdims);
	hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
	hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
	s->ds = -1;
	/* fill time as h5py sets it, so the storage properties match the reference files */
	if (dcpl >= 0)
		H5Pset_fill_time(dcpl, H5D_FILL_TIME_ALLOC);
	if (space >= 0 && dcpl >= 0 && dapl >= 0 &&
	    shp_h5_set_filters(dcpl, rank, chunk, compression, shuffle) >= 0 &&
	    H5Pset_chunk_cache(dapl, H5D_CHUNK_CACHE_NSLOTS_DEFAULT, 0, 1.0) >= 0)
		s->ds = H5Dcreate2(loc, name, file_type, space, H5P_DEFAULT, dcpl, dapl);
	s->mem_type = mem_type;
	s->rows = 0;
	s->cols = cols;
	s->chunk_rows = chunk_rows;
	s->elem_size = H5Tget_size(file_type);
	s->codec = NULL;
	memset(&s->hints, 0, sizeof(s->hints));
	s->path[0] = '\0';
	if (s->ds >= 0 && H5Iget_name(s->ds, s->path, sizeof(s->path)) >= (ssize_t)sizeof(s->path))
		s->path[0] = '\0';
	if (dapl >= 0)
		H5Pclose(dapl);
	if (dcpl >= 0)
		H5Pclose(dcpl);
	if (space >= 0)
		H5Sclose(space);
	return s->ds;
}

herr_t series_describe(hid_t ds, const char *unit, const char *desc, const struct shp_cal_pair *cal)
{
	if (shp_h5_attr_str(ds, "unit", unit) < 0 || shp_h5_attr_str(ds, "description", desc) < 0)
		return -1;
	if (cal && (shp_h5_attr_f64(ds, "gain", cal->gain) < 0 ||
		    shp_h5_attr_f64(ds, "offset", cal->offset) < 0))
		return -1;
	return 0;
}

/* A whole, aligned chunk: encoded here and written as it is. */
static herr_t write_whole_chunk(struct series *s, const void *data)
{
	hsize_t new_dims[2] = {s->rows + s->chunk_rows, s->cols};
	hsize_t offset[2] = {s->rows, 0};
	size_t values = (size_t)s->chunk_rows * (s->cols ? (size_t)s->cols : 1);
	const void *buf;
	size_t len;
	uint32_t mask;
	if (H5Dset_extent(s->ds, new_dims) < 0)
		return -1;
	if (chunk_codec_encode(s->codec, &s->hints, data, values, s->elem_size, &buf, &len,
			       &mask) != SHP_OK ||
	    H5Dwrite_chunk(s->ds, H5P_DEFAULT, mask, offset, len, buf) < 0) {
		new_dims[0] = s->rows;
		H5Dset_extent(s->ds, new_dims);
		return -1;
	}
	s->rows += s->chunk_rows;
	return 0;
}

herr_t series_append(struct series *s, const void *data, hsize_t rows)
{
	if (rows == 0)
		return 0;
	if (s->codec && rows == s->chunk_rows && s->rows % s->chunk_rows == 0 &&
	    s->chunk_rows * (s->cols ? s->cols : 1) * s->elem_size <= s->codec->capacity)
		return write_whole_chunk(s, data);
	int rank = s->cols ? 2 : 1;
	hsize_t new_dims[2] = {s->rows + rows, s->cols};
	hsize_t start[2] = {s->rows, 0};
	hsize_t count[2] = {rows, s->cols};
	if (H5Dset_extent(s->ds, new_dims) < 0)
		return -1;
	hid_t fspace = H5Dget_space(s->ds);
	hid_t mspace = H5Screate_simple(rank, count, NULL);
	herr_t rc = -1;
	if (fspace >= 0 && mspace >= 0 &&
	    H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) >= 0)
		rc = H5Dwrite(s->ds, s->mem_type, mspace, fspace, shp_h5_append_dxpl(), data);
	if (mspace >= 0)
		H5Sclose(mspace);
	if (fspace >= 0)
		H5Sclose(fspace);
	if (rc < 0) {
		/* keep the extent honest: shrink back to what is really there */
		new_dims[0] = s->rows;
		H5Dset_extent(s->ds, new_dims);
		return -1;
	}
	s->rows += rows;
	return 0;
}

void series_close(struct series *s)
{
	if (s->ds >= 0)
		H5Dclose(s->ds);
	s->ds = -1;
	chunk_hints_free(&s->hints);
}

herr_t series_describe_time(hid_t ds)
{
	static const struct shp_cal_pair time_cal = {1e-9, 0.0};
	return series_describe(ds, "s", SHP_H5_TIME_DESC, &time_cal);
}
