/* h5_input.c - checks an input recording thoroughly, then reads it converted to uV and nA. */
#include "h5/h5_input.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/log.h"
#include "common/stop.h"
#include "common/time_bounds.h"
#include "h5/h5_common.h"

#define PROBE_SAMPLES 10000u

static shp_err bad(const struct h5_input *in, const char *what)
{
	log_error("input %s: %s", in->path, what);
	return SHP_ERR_INPUT;
}

static shp_err open_dataset(struct h5_input *in, const char *name, hid_t *ds, hsize_t *len)
{
	char msg[256];
	if (H5Lexists(in->file, name, H5P_DEFAULT) <= 0 ||
	    H5Oexists_by_name(in->file, name, H5P_DEFAULT) <= 0) {
		snprintf(msg, sizeof(msg), "dataset %s is missing: not a Shepherd recording", name);
		return bad(in, msg);
	}
	*ds = H5Dopen2(in->file, name, H5P_DEFAULT);
	if (*ds < 0) {
		snprintf(msg, sizeof(msg), "%s is not a dataset", name);
		return bad(in, msg);
	}
	hid_t type = H5Dget_type(*ds);
	hid_t space = H5Dget_space(*ds);
	int rank = space < 0 ? -1 : H5Sget_simple_extent_ndims(space);
	H5T_class_t cls = type < 0 ? H5T_NO_CLASS : H5Tget_class(type);
	size_t size = type < 0 ? 0 : H5Tget_size(type);
	hsize_t dims[1] = {0};
	if (rank == 1)
		H5Sget_simple_extent_dims(space, dims, NULL);
	if (space >= 0)
		H5Sclose(space);
	if (type >= 0)
		H5Tclose(type);
	if (rank != 1 || cls != H5T_INTEGER || size > 8) {
		snprintf(msg, sizeof(msg), "%s must be a 1-D integer dataset", name);
		return bad(in, msg);
	}
	*len = dims[0];
	return SHP_OK;
}

static shp_err read_calibration(struct h5_input *in, hid_t ds, const char *name,
				struct shp_cal_pair *cal)
{
	char msg[256];
	if (!shp_h5_read_attr_f64(ds, "gain", &cal->gain) ||
	    !shp_h5_read_attr_f64(ds, "offset", &cal->offset)) {
		snprintf(msg, sizeof(msg), "%s has no numeric gain/offset attributes", name);
		return bad(in, msg);
	}
	if (!(cal->gain > 0) || !isfinite(cal->gain) || !isfinite(cal->offset)) {
		snprintf(msg, sizeof(msg),
			 "calibration of %s is unusable (gain %g, offset %g): gain must be > 0 and "
			 "finite, offset finite",
			 name, cal->gain, cal->offset);
		return bad(in, msg);
	}
	return SHP_OK;
}

static shp_err check_header(struct h5_input *in)
{
	char msg[256];
	if (!shp_h5_read_attr_str(in->file, "mode", in->mode, sizeof(in->mode)))
		return bad(in, "root attribute 'mode' is missing: not a Shepherd recording");
	if (strcmp(in->mode, "harvester") != 0) {
		snprintf(msg, sizeof(msg),
			 "mode is '%s': an emulation replays harvest recordings (mode 'harvester')",
			 in->mode);
		return bad(in, msg);
	}
	if (H5Lexists(in->file, "data", H5P_DEFAULT) <= 0)
		return bad(in, "group /data is missing: not a Shepherd recording");
	hid_t data = H5Gopen2(in->file, "data", H5P_DEFAULT);
	if (data < 0)
		return bad(in, "/data is not a group");
	bool ok = shp_h5_read_attr_str(data, "datatype", in->datatype, sizeof(in->datatype));
	double window = 0;
	bool has_window = shp_h5_read_attr_f64(data, "window_samples", &window);
	H5Gclose(data);
	if (!ok)
		return bad(in, "/data has no 'datatype' attribute");
	if (!shp_dtype_parse(in->datatype, &in->dtype)) {
		snprintf(msg, sizeof(msg),
			 "datatype '%s' cannot be replayed: IV samples (ivtrace/ivsample) or IV "
			 "curves (ivcurve/ivsurface) are needed",
			 in->datatype);
		return bad(in, msg);
	}
	if (in->dtype == SHP_DTYPE_IVSAMPLE)
		return SHP_OK; /* window_samples plays no part: the PRU takes every sample as is */
	if (in->dtype == SHP_DTYPE_ISC_VOC)
		return bad(in,
			   "datatype 'isc_voc' cannot be emulated: the PRU's emulation firmware "
			   "has no harvester for open-circuit/short-circuit pairs (record with "
			   "ivcurve or an ivsample harvester)");
	if (!has_window || !(window >= 1 && window <= UINT32_MAX) || window != floor(window)) {
		snprintf(
			msg, sizeof(msg),
			"datatype '%s' needs a window_samples attribute of at least 1 (samples per "
			"curve), found %s",
			in->datatype, has_window ? "an unusable value" : "none");
		return bad(in, msg);
	}
	in->window_samples = (uint32_t)window;
	return SHP_OK;
}

/* Reads the first and the last chunk of each dataset: a file cut short fails here. */
static shp_err probe(struct h5_input *in)
{
	static struct shp_iv_sample buf[PROBE_SAMPLES];
	uint64_t n = in->samples < PROBE_SAMPLES ? in->samples : PROBE_SAMPLES;
	if (h5_input_read(in, 0, (uint32_t)n, buf) != SHP_OK ||
	    h5_input_read(in, in->samples - n, (uint32_t)n, buf) != SHP_OK)
		return bad(in, "its data cannot be read: the file is damaged or truncated");
	uint64_t t;
	if (h5_input_read_time(in, in->samples - 1, 1, &t) != SHP_OK)
		return bad(in, "its timestamps cannot be read: the file is damaged or truncated");
	return SHP_OK;
}

shp_err h5_input_open_direct(const char *path, struct h5_input *in)
{
	memset(in, 0, sizeof(*in));
	in->file = in->time = in->voltage = in->current = -1;
	snprintf(in->path, sizeof(in->path), "%s", path);
	FILE *f = fopen(path, "rb");
	if (!f) {
		log_error("input %s cannot be opened: %s", path, strerror(errno));
		return SHP_ERR_INPUT;
	}
	fclose(f);
	if (H5Fis_hdf5(path) <= 0)
		return bad(in, "not an HDF5 file (or its header is damaged)");
	/* a small fixed metadata cache and a chunk cache of about one chunk per dataset: the
	 * replay reads whole chunks in order, and hours of input must not fill memory */
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
	if (fapl >= 0 && (shp_h5_fixed_mdc(fapl, SHP_H5_MDC_BYTES) < 0 ||
			  H5Pset_cache(fapl, 0, 521, 128 * 1024, 0.75) < 0)) {
		H5Pclose(fapl);
		fapl = -1;
	}
	in->file = H5Fopen(path, H5F_ACC_RDONLY, fapl >= 0 ? fapl : H5P_DEFAULT);
	if (fapl >= 0)
		H5Pclose(fapl);
	if (in->file < 0)
		return bad(in, "the HDF5 file cannot be opened: damaged or truncated");

	hsize_t n_t = 0, n_v = 0, n_i = 0;
	shp_err e = check_header(in);
	if (e == SHP_OK)
		e = open_dataset(in, "/data/time", &in->time, &n_t);
	if (e == SHP_OK)
		e = open_dataset(in, "/data/voltage", &in->voltage, &n_v);
	if (e == SHP_OK)
		e = open_dataset(in, "/data/current", &in->current, &n_i);
	if (e == SHP_OK)
		e = read_calibration(in, in->voltage, "/data/voltage", &in->cal_voltage);
	if (e == SHP_OK)
		e = read_calibration(in, in->current, "/data/current", &in->cal_current);
	if (e == SHP_OK && (n_t != n_v || n_t != n_i)) {
		char msg[256];
		snprintf(msg, sizeof(msg),
			 "datasets differ in length (time %llu, voltage %llu, current %llu)",
			 (unsigned long long)n_t, (unsigned long long)n_v, (unsigned long long)n_i);
		e = bad(in, msg);
	}
	if (e == SHP_OK && n_t == 0)
		e = bad(in, "it holds no samples");
	/* a replay is a run's duration: beyond 366 days its nanosecond end could not be formed */
	if (e == SHP_OK && n_t > (hsize_t)SHP_SPAN_MAX_S * SHP_SAMPLE_RATE_SPS)
		e = bad(in, "it holds more than 366 days of samples (31622400 s at 100 kS/s)");
	in->samples = n_t;
	if (e == SHP_OK)
		e = probe(in);
	if (e != SHP_OK) {
		H5Eclear2(H5E_DEFAULT);
		h5_input_close(in);
	}
	return e;
}

void h5_input_close(struct h5_input *in)
{
	hid_t *ids[] = {&in->time, &in->voltage, &in->current};
	for (int k = 0; k < 3; k++) {
		if (*ids[k] >= 0)
			H5Dclose(*ids[k]);
		*ids[k] = -1;
	}
	if (in->file >= 0)
		H5Fclose(in->file);
	in->file = -1;
}

/*
 * Truncates toward zero into 0..UINT32_MAX, as the predecessor's astype(uint32) after its clip:
 * NaN and values not above 0 give 0, values from UINT32_MAX on give UINT32_MAX.
 */
static inline uint32_t truncate_to_u32(double v)
{
#if defined(__arm__) && defined(__ARM_FP) && (__ARM_FP & 8)
	/* VCVT rounds toward zero and saturates, NaN giving 0: exactly the cases spelt out below,
	 * in one instruction instead of two compares and branches (half the input conversion) */
	float bits;
	__asm__("vcvt.u32.f64 %0, %P1" : "=t"(bits) : "w"(v));
	uint32_t u;
	memcpy(&u, &bits, sizeof(u));
	return u;
#else
	if (!(v > 0))
		return 0;
	if (v >= 4294967295.0)
		return UINT32_MAX;
	return (uint32_t)v;
#endif
}

uint32_t h5_input_to_pru_unit(uint32_t raw, const struct shp_cal_pair *cal, double scale)
{
	return truncate_to_u32((double)raw * (cal->gain * scale) + cal->offset * scale);
}

/* Reads elements [first, first + n) of a 1-D dataset as mem_type. */
static herr_t read_range(hid_t ds, hid_t mem_type, uint64_t first, uint32_t n, void *out)
{
	hsize_t start[1] = {first}, count[1] = {n};
	hid_t fspace = H5Dget_space(ds);
	hid_t mspace = H5Screate_simple(1, count, NULL);
	herr_t rc = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL);
	if (rc >= 0)
		rc = H5Dread(ds, mem_type, mspace, fspace, H5P_DEFAULT, out);
	H5Sclose(mspace);
	H5Sclose(fspace);
	return rc;
}

shp_err h5_input_read_voltage_raw(const struct h5_input *in, uint64_t first, uint32_t n,
				  uint32_t *out)
{
	if (first + n > in->samples)
		return SHP_ERR_INPUT;
	return read_range(in->voltage, H5T_NATIVE_UINT32, first, n, out) < 0 ? SHP_ERR_INPUT
									     : SHP_OK;
}

shp_err h5_input_read_time(const struct h5_input *in, uint64_t first, uint32_t n, uint64_t *out)
{
	if (first + n > in->samples)
		return SHP_ERR_INPUT;
	return read_range(in->time, H5T_NATIVE_UINT64, first, n, out) < 0 ? SHP_ERR_INPUT : SHP_OK;
}

shp_err h5_input_read(const struct h5_input *in, uint64_t first, uint32_t n,
		      struct shp_iv_sample *out)
{
	if (first + n > in->samples)
		return SHP_ERR_INPUT;
	uint32_t *raw = malloc((size_t)n * 2 * sizeof(uint32_t) + 1);
	if (!raw)
		return SHP_ERR_NOMEM;
	shp_err e = SHP_OK;
	if (read_range(in->voltage, H5T_NATIVE_UINT32, first, n, raw) < 0 ||
	    read_range(in->current, H5T_NATIVE_UINT32, first, n, raw + n) < 0) {
		log_error("input %s: reading samples %llu..%llu failed: %s", in->path,
			  (unsigned long long)first, (unsigned long long)(first + n),
			  shp_h5_error());
		e = SHP_ERR_INPUT;
	} else {
		/* the same arithmetic as h5_input_to_pru_unit, its factors computed once */
		double vg = in->cal_voltage.gain * 1e6, vo = in->cal_voltage.offset * 1e6;
		double ig = in->cal_current.gain * 1e9, io = in->cal_current.offset * 1e9;
		for (uint32_t k = 0; k < n; k++) {
			out[k].voltage = truncate_to_u32((double)raw[k] * vg + vo);
			out[k].current = truncate_to_u32((double)raw[n + k] * ig + io);
		}
	}
	free(raw);
	return e;
}

/* Every chunk of a chunked dataset is looked up in its index: damaged index nodes show here. */
static bool walk_chunks(hid_t ds, uint64_t rows)
{
	hid_t dcpl = H5Dget_create_plist(ds);
	hsize_t chunk[1] = {0};
	bool chunked = dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED &&
		       H5Pget_chunk(dcpl, 1, chunk) == 1 && chunk[0] > 0;
	if (dcpl >= 0)
		H5Pclose(dcpl);
	if (!chunked)
		return true;
	/* H5Dget_chunk_storage_size looks a chunk up in the index (a B-tree descent);
	 * H5Dget_chunk_info_by_coord iterates over all chunks in 1.10, which made this walk
	 * quadratic: 140 s for an input of 3 hours */
	for (hsize_t at = 0; at < rows; at += chunk[0]) {
		hsize_t offset[1] = {at};
		hsize_t size;
		if (H5Dget_chunk_storage_size(ds, offset, &size) < 0 || size == 0)
			return false;
	}
	return true;
}

/* The child's side: everything h5_input_open_direct does, plus the whole chunk index. */
static int check_in_child(const char *path)
{
	struct h5_input in;
	if (h5_input_open_direct(path, &in) != SHP_OK)
		return 1;
	bool ok = walk_chunks(in.time, in.samples) && walk_chunks(in.voltage, in.samples) &&
		  walk_chunks(in.current, in.samples);
	if (!ok)
		log_error("input %s is refused: its chunk index is damaged", path);
	h5_input_close(&in);
	return ok ? 0 : 1;
}

static double check_timeout_s(void)
{
	const char *v = getenv("SHEPHERD_CHECK_TIMEOUT_S");
	double s = v ? strtod(v, NULL) : 0;
	return s > 0 ? s : 60.0;
}

shp_err h5_input_check_isolated(const char *path)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		log_warn("cannot fork to check %s apart (%s): checking in-process", path,
			 strerror(errno));
		return SHP_OK;
	}
	if (pid == 0)
		_exit(check_in_child(path));
	double limit = check_timeout_s();
	uint64_t waited_ms = 0;
	int status = 0;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			log_error("input %s: lost the checking process: %s", path, strerror(errno));
			return SHP_ERR_INPUT;
		}
		if (shp_stop_signal) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return SHP_ERR_INTERRUPTED;
		}
		if ((double)waited_ms / 1000.0 >= limit) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			log_error("input %s is refused: checking it did not finish within %.0f s: "
				  "the "
				  "file is damaged (libhdf5 loops on some damaged files), or "
				  "larger than "
				  "SHEPHERD_CHECK_TIMEOUT_S allows",
				  path, limit);
			return SHP_ERR_INPUT;
		}
		struct timespec ts = {0, 5 * 1000000L};
		nanosleep(&ts, NULL);
		waited_ms += 5;
	}
	if (WIFSIGNALED(status)) {
		log_error(
			"input %s is refused: the HDF5 library crashed reading it (signal %d): the "
			"file is damaged",
			path, WTERMSIG(status));
		return SHP_ERR_INPUT;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? SHP_OK : SHP_ERR_INPUT;
}

shp_err h5_input_open(const char *path, struct h5_input *in)
{
	memset(in, 0, sizeof(*in));
	in->file = in->time = in->voltage = in->current = -1;
	SHP_TRY(h5_input_check_isolated(path));
	return h5_input_open_direct(path, in);
}
