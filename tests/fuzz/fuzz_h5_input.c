/*
 * libFuzzer target: the checks of input recordings on well-formed HDF5 with hostile content.
 * The bytes decide what a generated file holds (modes and datatypes, which datasets exist, their
 * element types, rank, length, chunking and filters, the calibration attributes and their
 * types and values, NaN and infinities included); the file is then checked, read and converted
 * as an emulation would. Damaged HDF5 structure is the other target's business.
 */
#include <hdf5.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "h5/h5_common.h"
#include "h5/h5_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct bytes {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct bytes *b, unsigned nbytes)
{
	uint64_t v = 0;
	for (unsigned k = 0; k < nbytes; k++) {
		v = v << 8 | (b->n ? *b->p : 0);
		if (b->n) {
			b->p++;
			b->n--;
		}
	}
	return v;
}

static void put_str_attr(hid_t obj, const char *name, const char *value)
{
	hid_t type = H5Tcopy(H5T_C_S1);
	H5Tset_size(type, H5T_VARIABLE);
	hid_t space = H5Screate(H5S_SCALAR);
	hid_t attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
	H5Awrite(attr, type, &value);
	H5Aclose(attr);
	H5Sclose(space);
	H5Tclose(type);
}

static const char *const modes[] = {"harvester", "emulator", "", "harvester\n", "ivtrace"};
static const char *const datatypes[] = {"ivtrace", "ivsample", "ivsurface", "isc_voc", "x"};

static void put_attr(struct bytes *b, hid_t ds, const char *name)
{
	unsigned kind = (unsigned)take(b, 1) % 6;
	if (kind == 0)
		return; /* missing */
	static const double specials[] = {0.0, -1e-9, NAN, INFINITY, -INFINITY, 1e300, 3e-9, 1e-6};
	double v = specials[take(b, 1) % 8];
	if (kind == 1) {
		put_str_attr(ds, name, "0.5");
		return;
	}
	hid_t space = H5Screate(kind == 5 ? H5S_SIMPLE : H5S_SCALAR);
	if (kind == 5) {
		hsize_t two[1] = {2};
		H5Sset_extent_simple(space, 1, two, NULL);
	}
	hid_t type = kind == 2 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
	int64_t iv = (int64_t)take(b, 1);
	double pair[2] = {v, v};
	hid_t attr = H5Acreate2(ds, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
	H5Awrite(attr, type, kind == 2 ? (const void *)&iv : (const void *)pair);
	H5Aclose(attr);
	H5Sclose(space);
}

static void put_dataset(struct bytes *b, hid_t group, const char *name, uint64_t len)
{
	static const hid_t *types[] = {&H5T_NATIVE_UINT32_g, &H5T_NATIVE_UINT64_g,
				       &H5T_NATIVE_INT16_g,  &H5T_NATIVE_UINT8_g,
				       &H5T_NATIVE_DOUBLE_g, &H5T_NATIVE_FLOAT_g};
	unsigned choice = (unsigned)take(b, 1);
	if (choice % 11 == 0)
		return; /* missing */
	hid_t type = *types[choice % 6];
	int rank = choice % 7 == 0 ? 2 : 1;
	hsize_t dims[2] = {len, 2}, maxdims[2] = {H5S_UNLIMITED, 2};
	hid_t space = H5Screate_simple(rank, dims, maxdims);
	hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
	hsize_t chunk[2] = {1 + take(b, 1) % 64, 2};
	H5Pset_chunk(dcpl, rank, chunk);
	unsigned filters = (unsigned)take(b, 1) % 4;
	if (filters & 1)
		H5Pset_shuffle(dcpl);
	if (filters & 2)
		H5Pset_deflate(dcpl, 1);
	hid_t ds = H5Dcreate2(group, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
	size_t elems = (size_t)len * (rank == 2 ? 2 : 1);
	uint8_t *buf = calloc(elems ? elems : 1, 8);
	for (size_t k = 0; buf && k < elems * 8; k++)
		buf[k] = (uint8_t)take(b, 1);
	if (buf && elems)
		H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
	free(buf);
	put_attr(b, ds, "gain");
	put_attr(b, ds, "offset");
	H5Dclose(ds);
	H5Pclose(dcpl);
	H5Sclose(space);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static bool ready;
	if (!ready) {
		shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
		if (shp_h5_init() != SHP_OK)
			abort();
		snprintf(path, sizeof(path), "/dev/shm/sheep-fuzz-gen-%d.h5", (int)getpid());
		ready = true;
	}
	struct bytes b = {data, size};
	hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	if (file < 0)
		abort();
	unsigned flags = (unsigned)take(&b, 1);
	if (!(flags & 1))
		put_str_attr(file, "mode", modes[take(&b, 1) % 5]);
	if (!(flags & 2)) {
		hid_t group = H5Gcreate2(file, "data", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
		if (!(flags & 4))
			put_str_attr(group, "datatype", datatypes[take(&b, 1) % 5]);
		uint64_t len = take(&b, 2) % 3000;
		put_dataset(&b, group, "time", flags & 8 ? len + 1 : len);
		put_dataset(&b, group, "voltage", len);
		put_dataset(&b, group, "current", flags & 16 ? len / 2 : len);
		H5Gclose(group);
	}
	H5Fclose(file);

	struct h5_input in;
	if (h5_input_open_direct(path, &in) == SHP_OK) {
		static struct shp_iv_sample buf[3000];
		uint64_t ts[16];
		uint32_t n = (uint32_t)in.samples; /* < 3000 here */
		if (h5_input_read(&in, 0, n, buf) != SHP_OK ||
		    h5_input_read_time(&in, 0, n < 16 ? n : 16, ts) != SHP_OK)
			abort(); /* accepted files must be readable */
		h5_input_close(&in);
	}
	unlink(path);
	return 0;
}
