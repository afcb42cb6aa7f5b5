/* h5_common.c - HDF5 initialisation, error text, attribute and filter helpers. */
#include "h5/h5_common.h"

#include <stdio.h>
#include <string.h>

#include "h5/commit_vfd.h"
#include "h5/lzf_filter.h"

/*
 * H5pubconf.h describes the ABI libhdf5 was built for. A cross build that picked up the build
 * machine's header (64-bit sizes) would compile and then pass wrong-sized arguments: stop it
 * here. (libhdf5:armhf has a 32-bit time_t while the sheep uses a 64-bit one; the sheep calls no
 * HDF5 function that takes or returns a time_t, such as H5Oget_info's H5O_info_t.)
 */
_Static_assert(H5_SIZEOF_SIZE_T == sizeof(size_t), "H5pubconf.h is for another ABI (size_t)");
_Static_assert(H5_SIZEOF_LONG == sizeof(long), "H5pubconf.h is for another ABI (long)");
_Static_assert(H5_SIZEOF_OFF_T == 8, "libhdf5 without 64-bit file offsets");

const char *shp_compression_name(enum shp_compression c)
{
	switch (c) {
	case SHP_COMP_LZF:
		return "lzf";
	case SHP_COMP_GZIP1:
		return "gzip1";
	default:
		return "none";
	}
}

bool shp_h5_unclean;

static hid_t append_dxpl = H5P_DEFAULT;

hid_t shp_h5_append_dxpl(void)
{
	return append_dxpl;
}

shp_err shp_h5_init(void)
{
	H5dont_atexit(); /* main decides whether the library is torn down (shp_h5_unclean) */
	if (H5open() < 0)
		return SHP_ERR_OUTPUT;
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	if (shp_lzf_register() != 0 || commit_vfd_register() < 0)
		return SHP_ERR_OUTPUT;
	if (append_dxpl == H5P_DEFAULT) {
		hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
		if (dxpl < 0 || H5Pset_buffer(dxpl, 64 * 1024, NULL, NULL) < 0)
			return SHP_ERR_OUTPUT;
		append_dxpl = dxpl;
	}
	return SHP_OK;
}

static char last_error[512];

static herr_t take_innermost(unsigned n, const H5E_error2_t *err, void *data)
{
	(void)data;
	if (n == 0 && err->desc)
		snprintf(last_error, sizeof(last_error), "%s", err->desc);
	return 0;
}

const char *shp_h5_error(void)
{
	snprintf(last_error, sizeof(last_error), "unknown HDF5 error");
	H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, take_innermost, NULL);
	H5Eclear2(H5E_DEFAULT);
	/* the innermost entry of a failed write carries the OS error: keep just that part */
	char *msg = strstr(last_error, "error message = '");
	if (msg) {
		msg += strlen("error message = '");
		char *end = strchr(msg, '\'');
		if (end)
			*end = '\0';
		memmove(last_error, msg, strlen(msg) + 1);
	}
	return last_error;
}

herr_t shp_h5_set_filters(hid_t dcpl, int rank, const hsize_t *chunk, enum shp_compression comp,
			  bool shuffle)
{
	if (H5Pset_chunk(dcpl, rank, chunk) < 0)
		return -1;
	if (comp != SHP_COMP_NONE && shuffle && H5Pset_shuffle(dcpl) < 0)
		return -1;
	if (comp == SHP_COMP_GZIP1)
		return H5Pset_deflate(dcpl, 1);
	if (comp == SHP_COMP_LZF)
		return H5Pset_filter(dcpl, SHP_H5Z_FILTER_LZF, H5Z_FLAG_OPTIONAL, 0, NULL);
	return 0;
}

static herr_t write_scalar_attr(hid_t obj, const char *name, hid_t file_type, hid_t mem_type,
				const void *value)
{
	hid_t space = H5Screate(H5S_SCALAR);
	if (space < 0)
		return -1;
	if (H5Aexists(obj, name) > 0)
		H5Adelete(obj, name);
	hid_t attr = H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
	herr_t rc = attr < 0 ? -1 : H5Awrite(attr, mem_type, value);
	if (attr >= 0)
		H5Aclose(attr);
	H5Sclose(space);
	return rc;
}

herr_t shp_h5_attr_str(hid_t obj, const char *name, const char *value)
{
	/* variable-length UTF-8, as h5py writes a Python str: readers require it */
	hid_t type = H5Tcopy(H5T_C_S1);
	H5Tset_size(type, H5T_VARIABLE);
	H5Tset_cset(type, H5T_CSET_UTF8);
	H5Tset_strpad(type, H5T_STR_NULLTERM);
	herr_t rc = write_scalar_attr(obj, name, type, type, &value);
	H5Tclose(type);
	return rc;
}

herr_t shp_h5_attr_f64(hid_t obj, const char *name, double value)
{
	return write_scalar_attr(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

herr_t shp_h5_attr_i64(hid_t obj, const char *name, int64_t value)
{
	return write_scalar_attr(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

bool shp_h5_read_attr_str(hid_t obj, const char *name, char *buf, size_t len)
{
	if (len == 0 || H5Aexists(obj, name) <= 0)
		return false;
	hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
	hid_t ftype = attr < 0 ? -1 : H5Aget_type(attr);
	bool ok = false;
	if (ftype >= 0 && H5Tget_class(ftype) == H5T_STRING) {
		hid_t mtype = H5Tcopy(H5T_C_S1);
		H5Tset_cset(mtype, H5Tget_cset(ftype)); /* HDF5 does not convert between charsets */
		if (H5Tis_variable_str(ftype) > 0) {
			char *value = NULL;
			H5Tset_size(mtype, H5T_VARIABLE);
			if (H5Aread(attr, mtype, &value) >= 0 && value) {
				snprintf(buf, len, "%s", value);
				ok = true;
			}
			if (value)
				H5free_memory(value);
		} else {
			H5Tset_size(mtype, len);
			memset(buf, 0, len);
			ok = H5Aread(attr, mtype, buf) >= 0;
			buf[len - 1] = '\0';
		}
		H5Tclose(mtype);
	}
	if (ftype >= 0)
		H5Tclose(ftype);
	if (attr >= 0)
		H5Aclose(attr);
	return ok;
}

bool shp_h5_read_attr_f64(hid_t obj, const char *name, double *value)
{
	if (H5Aexists(obj, name) <= 0)
		return false;
	hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
	hid_t ftype = attr < 0 ? -1 : H5Aget_type(attr);
	hid_t space = attr < 0 ? -1 : H5Aget_space(attr);
	H5T_class_t cls = ftype >= 0 ? H5Tget_class(ftype) : H5T_NO_CLASS;
	bool ok = (cls == H5T_INTEGER || cls == H5T_FLOAT) && space >= 0 &&
		  H5Sget_simple_extent_npoints(space) == 1 &&
		  H5Aread(attr, H5T_NATIVE_DOUBLE, value) >= 0;
	if (space >= 0)
		H5Sclose(space);
	if (ftype >= 0)
		H5Tclose(ftype);
	if (attr >= 0)
		H5Aclose(attr);
	return ok;
}

herr_t shp_h5_fixed_mdc(hid_t fapl, size_t bytes)
{
	H5AC_cache_config_t mdc = {.version = H5AC__CURR_CACHE_CONFIG_VERSION};
	if (H5Pget_mdc_config(fapl, &mdc) < 0)
		return -1;
	mdc.set_initial_size = 1;
	mdc.initial_size = bytes;
	mdc.max_size = bytes;
	mdc.min_size = bytes / 2;
	mdc.incr_mode = H5C_incr__off;
	mdc.flash_incr_mode = H5C_flash_incr__off;
	mdc.decr_mode = H5C_decr__off;
	return H5Pset_mdc_config(fapl, &mdc);
}
