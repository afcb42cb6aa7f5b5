/* h5_reader.c - whole-dataset reads with error messages naming file and dataset. */
#include "h5/h5_reader.h"

#include <hdf5.h>
#include <stdlib.h>

#include "common/log.h"
#include "h5/h5_common.h"

/* Opens path read-only, or says why not and returns -1. */
static hid_t open_readonly(const char *path)
{
	hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (file < 0)
		log_error("%s: not a readable HDF5 file: %s", path, shp_h5_error());
	return file;
}

shp_err h5r_read_dataset(const char *path, const char *dataset, void **data, size_t *count,
			 size_t *elem_size)
{
	*data = NULL;
	*count = 0;
	*elem_size = 0;
	hid_t file = open_readonly(path);
	if (file < 0)
		return SHP_ERR_INPUT;
	shp_err e = SHP_ERR_INPUT;
	hid_t ds = H5Dopen2(file, dataset, H5P_DEFAULT);
	hid_t ftype = ds < 0 ? -1 : H5Dget_type(ds);
	hid_t mtype = ftype < 0 ? -1 : H5Tget_native_type(ftype, H5T_DIR_ASCEND);
	hid_t space = ds < 0 ? -1 : H5Dget_space(ds);
	if (ds < 0 || mtype < 0 || space < 0) {
		log_error("%s: no dataset %s: %s", path, dataset, shp_h5_error());
		goto out;
	}
	hssize_t n = H5Sget_simple_extent_npoints(space);
	size_t size = H5Tget_size(mtype);
	/* on 32-bit ARM size_t is 32 bits: a large dataset must not wrap the allocation */
	if (size == 0 || (n > 0 && (uint64_t)n > SIZE_MAX / size)) {
		log_error("%s: dataset %s is too large to read into memory here", path, dataset);
		e = SHP_ERR_NOMEM;
		goto out;
	}
	void *buf = malloc(n > 0 ? (size_t)n * size : 1);
	if (!buf) {
		e = SHP_ERR_NOMEM;
		goto out;
	}
	if (n > 0 && H5Dread(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
		log_error("%s: cannot read %s: %s", path, dataset, shp_h5_error());
		free(buf);
		goto out;
	}
	*data = buf;
	*count = (size_t)n;
	*elem_size = size;
	e = SHP_OK;
out:
	if (space >= 0)
		H5Sclose(space);
	if (mtype >= 0)
		H5Tclose(mtype);
	if (ftype >= 0)
		H5Tclose(ftype);
	if (ds >= 0)
		H5Dclose(ds);
	H5Fclose(file);
	return e;
}

shp_err h5r_dataset_rows(const char *path, const char *dataset, uint64_t *rows)
{
	*rows = 0;
	hid_t file = open_readonly(path);
	if (file < 0)
		return SHP_ERR_INPUT;
	shp_err e = SHP_ERR_INPUT;
	hid_t ds = H5Dopen2(file, dataset, H5P_DEFAULT);
	hid_t space = ds >= 0 ? H5Dget_space(ds) : -1;
	hsize_t dims[2] = {0, 0};
	if (space >= 0 && H5Sget_simple_extent_dims(space, dims, NULL) >= 1) {
		*rows = dims[0];
		e = SHP_OK;
	} else {
		log_error("%s: %s cannot be read: %s", path, dataset, shp_h5_error());
	}
	if (space >= 0)
		H5Sclose(space);
	if (ds >= 0)
		H5Dclose(ds);
	H5Fclose(file);
	return e;
}
