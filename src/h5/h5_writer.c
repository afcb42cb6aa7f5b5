/* h5_writer.c - the Shepherd file skeleton and the appenders for IV samples and PRU util rows. */
#include "h5/h5_writer.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "h5/chunk_codec.h"

#define TIME_DESC "system time [s] = value * gain + (offset)"
#define UTIL_DESC                                                                                  \
	"pru0_vsrc_tsample_mean [ns], pru0_vsrc_tsample_max [ns], pru1_gpio_tsample_max [ns], "    \
	"with 10000 ns per sample-step"

#define GPIO_DESC                                                                                  \
	"0: {name: tgt_gpio0}\n1: {name: tgt_gpio1}\n2: {name: tgt_gpio2}\n3: {name: tgt_gpio3}\n" \
	"4: {name: tgt_gpio4}\n5: {name: tgt_gpio5}\n6: {name: tgt_gpio6}\n7: {name: "             \
	"tgt_uart_rx}\n"                                                                           \
	"8: {name: tgt_uart_tx}\n9: {name: tgt_bat_ok}\n"
#define GPIO_LOST_DESC                                                                             \
	"one row per loss: [last event before [ns], first event after [ns] (0: unknown), events "  \
	"lost]"

/* Groups the predecessor always creates; datasets appear once their recorder runs. */
static const char *const empty_groups[] = {"sheep", "sys_util", "kernel", "ptp", "phc2sys", "ntp"};

/* An appendable dataset: rows of cols values of one type. */
struct series {
	hid_t ds;
	hid_t mem_type;
	hsize_t rows;
	hsize_t cols;              /* 0 for a 1-D dataset */
	hsize_t chunk_rows;        /* rows per chunk */
	size_t elem_size;          /* bytes per value */
	struct chunk_codec *codec; /* whole chunks of 1-D series bypass HDF5's pipeline */
	struct chunk_hints hints;
};

struct h5w {
	hid_t file;
	struct chunk_codec codec;
	bool direct_chunks;
	struct series time, voltage, current;
	struct series util_time, util_values;
	uint64_t util_ts[SHP_H5_UTIL_CHUNK_ROWS];
	uint16_t util_vals[SHP_H5_UTIL_CHUNK_ROWS][3];
	uint32_t util_pending;

	hid_t gpio_group;
	struct chunk_codec gpio_codec;
	struct series gpio_time, gpio_value, gpio_lost;
	uint64_t *gpio_ts; /* staging of one chunk */
	uint16_t *gpio_val;
	uint32_t gpio_pending;
	uint64_t gpio_lost_total;

	struct series uart_time, uart_message;
	hid_t vlen_str;
	uint64_t uart_ts[SHP_H5_UART_CHUNK_ROWS];
	char *uart_msg[SHP_H5_UART_CHUNK_ROWS];
	uint32_t uart_pending;
	char path[4096];
};

static shp_err h5_fail(const h5w_t *w, const char *what)
{
	log_error("%s: %s failed: %s", w->path, what, shp_h5_error());
	return SHP_ERR_OUTPUT;
}

static hid_t create_series(hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
			   hsize_t cols, hsize_t chunk_rows, const struct h5w_info *info,
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
	    shp_h5_set_filters(dcpl, rank, chunk, info->compression, info->shuffle) >= 0 &&
	    H5Pset_chunk_cache(dapl, H5D_CHUNK_CACHE_NSLOTS_DEFAULT, 0, 1.0) >= 0)
		s->ds = H5Dcreate2(loc, name, file_type, space, H5P_DEFAULT, dcpl, dapl);
	s->mem_type = mem_type;
	s->rows = 0;
	s->cols = cols;
	s->chunk_rows = chunk_rows;
	s->elem_size = H5Tget_size(file_type);
	s->codec = NULL;
	memset(&s->hints, 0, sizeof(s->hints));
	if (dapl >= 0)
		H5Pclose(dapl);
	if (dcpl >= 0)
		H5Pclose(dcpl);
	if (space >= 0)
		H5Sclose(space);
	return s->ds;
}

static herr_t describe(hid_t ds, const char *unit, const char *desc, const struct shp_cal_pair *cal)
{
	if (shp_h5_attr_str(ds, "unit", unit) < 0 || shp_h5_attr_str(ds, "description", desc) < 0)
		return -1;
	if (cal && (shp_h5_attr_f64(ds, "gain", cal->gain) < 0 ||
		    shp_h5_attr_f64(ds, "offset", cal->offset) < 0))
		return -1;
	return 0;
}

/* A whole, aligned chunk of a 1-D series: encoded here and written as it is. */
static herr_t write_whole_chunk(struct series *s, const void *data)
{
	hsize_t new_dims[1] = {s->rows + s->chunk_rows};
	hsize_t offset[1] = {s->rows};
	const void *buf;
	size_t len;
	uint32_t mask;
	if (H5Dset_extent(s->ds, new_dims) < 0)
		return -1;
	if (chunk_codec_encode(s->codec, &s->hints, data, s->chunk_rows, s->elem_size, &buf, &len,
			       &mask) != SHP_OK ||
	    H5Dwrite_chunk(s->ds, H5P_DEFAULT, mask, offset, len, buf) < 0) {
		new_dims[0] = s->rows;
		H5Dset_extent(s->ds, new_dims);
		return -1;
	}
	s->rows += s->chunk_rows;
	return 0;
}

static herr_t series_append(struct series *s, const void *data, hsize_t rows)
{
	if (rows == 0)
		return 0;
	if (s->codec && s->cols == 0 && rows == s->chunk_rows && s->rows % s->chunk_rows == 0)
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
		rc = H5Dwrite(s->ds, s->mem_type, mspace, fspace, H5P_DEFAULT, data);
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

static herr_t build_skeleton(h5w_t *w, const struct h5w_info *info)
{
	static const struct shp_cal_pair time_cal = {1e-9, 0.0};
	if (shp_h5_attr_str(w->file, "mode", info->mode) < 0 ||
	    shp_h5_attr_str(w->file, "hostname", info->hostname) < 0 ||
	    (info->config_yaml && shp_h5_attr_str(w->file, "config", info->config_yaml) < 0))
		return -1;

	hid_t data = H5Gcreate2(w->file, "data", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	if (data < 0)
		return -1;
	herr_t rc = -1;
	if (shp_h5_attr_str(data, "datatype", info->datatype) >= 0 &&
	    shp_h5_attr_i64(data, "window_samples", info->window_samples) >= 0 &&
	    create_series(data, "time", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, SHP_H5_CHUNK_SAMPLES,
			  info, &w->time) >= 0 &&
	    create_series(data, "current", H5T_STD_U32LE, H5T_NATIVE_UINT32, 0,
			  SHP_H5_CHUNK_SAMPLES, info, &w->current) >= 0 &&
	    create_series(data, "voltage", H5T_STD_U32LE, H5T_NATIVE_UINT32, 0,
			  SHP_H5_CHUNK_SAMPLES, info, &w->voltage) >= 0 &&
	    describe(w->time.ds, "s", TIME_DESC, &time_cal) >= 0 &&
	    describe(w->current.ds, "A", "current [A] = value * gain + offset", &info->current) >=
		    0 &&
	    describe(w->voltage.ds, "V", "voltage [V] = value * gain + offset", &info->voltage) >=
		    0)
		rc = 0;
	H5Gclose(data);
	if (rc < 0)
		return -1;
	if (w->direct_chunks)
		w->time.codec = w->voltage.codec = w->current.codec = &w->codec;

	hid_t util = H5Gcreate2(w->file, "pru_util", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	if (util < 0)
		return -1;
	rc = -1;
	if (create_series(util, "time", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, SHP_H5_UTIL_CHUNK_ROWS,
			  info, &w->util_time) >= 0 &&
	    create_series(util, "values", H5T_STD_U16LE, H5T_NATIVE_UINT16, 3,
			  SHP_H5_UTIL_CHUNK_ROWS, info, &w->util_values) >= 0 &&
	    describe(w->util_time.ds, "s", TIME_DESC, &time_cal) >= 0 &&
	    describe(w->util_values.ds, "ns, ns, ns", UTIL_DESC, NULL) >= 0)
		rc = 0;
	H5Gclose(util);
	if (rc < 0)
		return -1;

	w->gpio_group = H5Gcreate2(w->file, "gpio", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	if (w->gpio_group < 0)
		return -1;
	if (info->gpio) {
		if (create_series(w->gpio_group, "time", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0,
				  SHP_H5_GPIO_CHUNK_EVENTS, info, &w->gpio_time) < 0 ||
		    create_series(w->gpio_group, "value", H5T_STD_U16LE, H5T_NATIVE_UINT16, 0,
				  SHP_H5_GPIO_CHUNK_EVENTS, info, &w->gpio_value) < 0 ||
		    describe(w->gpio_time.ds, "s", TIME_DESC, &time_cal) < 0 ||
		    describe(w->gpio_value.ds, "n", GPIO_DESC, NULL) < 0)
			return -1;
		if (w->direct_chunks)
			w->gpio_time.codec = w->gpio_value.codec = &w->gpio_codec;
	}

	hid_t uart = H5Gcreate2(w->file, "uart", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	if (uart < 0)
		return -1;
	rc = 0;
	if (info->uart &&
	    (create_series(uart, "time", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0,
			   SHP_H5_UART_CHUNK_ROWS, info, &w->uart_time) < 0 ||
	     create_series(uart, "message", w->vlen_str, w->vlen_str, 0, SHP_H5_UART_CHUNK_ROWS,
			   info, &w->uart_message) < 0 ||
	     describe(w->uart_time.ds, "s", TIME_DESC, &time_cal) < 0 ||
	     shp_h5_attr_str(w->uart_message.ds, "description", "raw ascii-bytes") < 0))
		rc = -1;
	H5Gclose(uart);
	if (rc < 0)
		return -1;

	for (size_t g = 0; g < sizeof(empty_groups) / sizeof(empty_groups[0]); g++) {
		hid_t grp =
			H5Gcreate2(w->file, empty_groups[g], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
		if (grp < 0)
			return -1;
		H5Gclose(grp);
	}
	return 0;
}

static void close_series(struct series *s)
{
	if (s->ds >= 0)
		H5Dclose(s->ds);
	s->ds = -1;
}

static void close_all(h5w_t *w)
{
	close_series(&w->time);
	close_series(&w->voltage);
	close_series(&w->current);
	close_series(&w->util_time);
	close_series(&w->util_values);
	close_series(&w->gpio_time);
	close_series(&w->gpio_value);
	close_series(&w->gpio_lost);
	close_series(&w->uart_time);
	close_series(&w->uart_message);
	if (w->gpio_group >= 0)
		H5Gclose(w->gpio_group);
	w->gpio_group = -1;
}

static void free_buffers(h5w_t *w)
{
	for (uint32_t k = 0; k < w->uart_pending; k++)
		free(w->uart_msg[k]);
	w->uart_pending = 0;
	if (w->vlen_str >= 0)
		H5Tclose(w->vlen_str);
	free(w->gpio_ts);
	free(w->gpio_val);
	chunk_codec_free(&w->gpio_codec);
	chunk_codec_free(&w->codec);
	free(w);
}

shp_err h5w_create(const char *path, const struct h5w_info *info, h5w_t **out)
{
	*out = NULL;
	h5w_t *w = calloc(1, sizeof(*w));
	if (!w)
		return SHP_ERR_NOMEM;
	struct series *all[] = {&w->time,        &w->voltage,     &w->current,    &w->util_time,
				&w->util_values, &w->gpio_time,   &w->gpio_value, &w->gpio_lost,
				&w->uart_time,   &w->uart_message};
	for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
		all[k]->ds = -1;
	w->gpio_group = -1;
	snprintf(w->path, sizeof(w->path), "%s", path);
	w->direct_chunks = !info->pipeline_only;
	w->vlen_str = H5Tcopy(H5T_C_S1);
	bool ok = w->vlen_str >= 0 && H5Tset_size(w->vlen_str, H5T_VARIABLE) >= 0 &&
		  H5Tset_cset(w->vlen_str, H5T_CSET_ASCII) >= 0;
	if (ok && w->direct_chunks)
		ok = chunk_codec_init(&w->codec, info->compression, info->shuffle,
				      SHP_H5_CHUNK_SAMPLES * sizeof(uint64_t)) == SHP_OK;
	if (ok && info->gpio) {
		w->gpio_ts = malloc(SHP_H5_GPIO_CHUNK_EVENTS * sizeof(uint64_t));
		w->gpio_val = malloc(SHP_H5_GPIO_CHUNK_EVENTS * sizeof(uint16_t));
		ok = w->gpio_ts && w->gpio_val;
		if (ok && w->direct_chunks)
			ok = chunk_codec_init(&w->gpio_codec, info->compression, info->shuffle,
					      SHP_H5_GPIO_CHUNK_EVENTS * sizeof(uint64_t)) ==
			     SHP_OK;
	}
	if (!ok) {
		free_buffers(w);
		return SHP_ERR_NOMEM;
	}

	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
	H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
	w->file =
		H5Fcreate(path, info->overwrite ? H5F_ACC_TRUNC : H5F_ACC_EXCL, H5P_DEFAULT, fapl);
	H5Pclose(fapl);
	if (w->file < 0) {
		shp_err e = h5_fail(w, "creating the file");
		free_buffers(w);
		return e;
	}
	if (build_skeleton(w, info) < 0) {
		shp_err e = h5_fail(w, "creating the file structure");
		close_all(w);
		H5Fclose(w->file);
		free_buffers(w);
		return e;
	}
	*out = w;
	return SHP_OK;
}

shp_err h5w_append_iv(h5w_t *w, const uint64_t *ts, const uint32_t *v, const uint32_t *i,
		      uint32_t n)
{
	/* time first: a reader that sees a sample's voltage/current also sees its timestamp */
	if (series_append(&w->time, ts, n) < 0)
		return h5_fail(w, "writing /data/time");
	if (series_append(&w->voltage, v, n) < 0)
		return h5_fail(w, "writing /data/voltage");
	if (series_append(&w->current, i, n) < 0)
		return h5_fail(w, "writing /data/current");
	return SHP_OK;
}

static shp_err flush_util(h5w_t *w)
{
	if (w->util_pending == 0)
		return SHP_OK;
	uint32_t n = w->util_pending;
	w->util_pending = 0;
	if (series_append(&w->util_time, w->util_ts, n) < 0 ||
	    series_append(&w->util_values, w->util_vals, n) < 0)
		return h5_fail(w, "writing /pru_util");
	return SHP_OK;
}

shp_err h5w_append_util(h5w_t *w, uint64_t ts, const uint16_t values[3])
{
	w->util_ts[w->util_pending] = ts;
	memcpy(w->util_vals[w->util_pending], values, sizeof(w->util_vals[0]));
	if (++w->util_pending == SHP_H5_UTIL_CHUNK_ROWS)
		return flush_util(w);
	return SHP_OK;
}

static shp_err flush_gpio(h5w_t *w)
{
	if (w->gpio_pending == 0)
		return SHP_OK;
	uint32_t n = w->gpio_pending;
	w->gpio_pending = 0;
	if (series_append(&w->gpio_time, w->gpio_ts, n) < 0 ||
	    series_append(&w->gpio_value, w->gpio_val, n) < 0)
		return h5_fail(w, "writing /gpio");
	return SHP_OK;
}

shp_err h5w_append_gpio(h5w_t *w, const uint64_t *ts, const uint16_t *value, uint32_t n)
{
	if (w->gpio_time.ds < 0)
		return SHP_OK;
	while (n > 0) {
		uint32_t part = SHP_H5_GPIO_CHUNK_EVENTS - w->gpio_pending;
		if (part > n)
			part = n;
		memcpy(w->gpio_ts + w->gpio_pending, ts, (size_t)part * sizeof(*ts));
		memcpy(w->gpio_val + w->gpio_pending, value, (size_t)part * sizeof(*value));
		w->gpio_pending += part;
		ts += part;
		value += part;
		n -= part;
		if (w->gpio_pending == SHP_H5_GPIO_CHUNK_EVENTS)
			SHP_TRY(flush_gpio(w));
	}
	return SHP_OK;
}

shp_err h5w_note_gpio_loss(h5w_t *w, uint64_t after_ts, uint64_t before_ts, uint64_t lost,
			   bool lower_bound)
{
	if (w->gpio_lost.ds < 0) {
		struct h5w_info info = {.compression = SHP_COMP_NONE};
		if (create_series(w->gpio_group, "lost", H5T_STD_U64LE, H5T_NATIVE_UINT64, 3, 16,
				  &info, &w->gpio_lost) < 0 ||
		    describe(w->gpio_lost.ds, "ns, ns, n", GPIO_LOST_DESC, NULL) < 0)
			return h5_fail(w, "creating /gpio/lost");
	}
	uint64_t row[3] = {after_ts, before_ts, lost};
	w->gpio_lost_total += lost;
	if (series_append(&w->gpio_lost, row, 1) < 0 ||
	    shp_h5_attr_i64(w->gpio_group, "lost_events", (int64_t)w->gpio_lost_total) < 0 ||
	    shp_h5_attr_str(w->gpio_group, "lost_events_exact", lower_bound ? "no" : "yes") < 0)
		return h5_fail(w, "writing /gpio/lost");
	return SHP_OK;
}

static shp_err flush_uart(h5w_t *w)
{
	if (w->uart_pending == 0)
		return SHP_OK;
	uint32_t n = w->uart_pending;
	herr_t rc = series_append(&w->uart_time, w->uart_ts, n);
	if (rc >= 0)
		rc = series_append(&w->uart_message, w->uart_msg, n);
	for (uint32_t k = 0; k < n; k++)
		free(w->uart_msg[k]);
	w->uart_pending = 0;
	return rc < 0 ? h5_fail(w, "writing /uart") : SHP_OK;
}

shp_err h5w_append_uart(h5w_t *w, uint64_t ts, const char *bytes, size_t len)
{
	if (w->uart_time.ds < 0 || len == 0)
		return SHP_OK;
	char *copy = malloc(len + 1);
	if (!copy)
		return SHP_ERR_NOMEM;
	memcpy(copy, bytes, len);
	copy[len] = '\0';
	w->uart_ts[w->uart_pending] = ts;
	w->uart_msg[w->uart_pending] = copy;
	if (++w->uart_pending == SHP_H5_UART_CHUNK_ROWS)
		return flush_uart(w);
	return SHP_OK;
}

shp_err h5w_flush(h5w_t *w)
{
	SHP_TRY(flush_util(w));
	SHP_TRY(flush_uart(w));
	if (H5Fflush(w->file, H5F_SCOPE_LOCAL) < 0)
		return h5_fail(w, "flushing");
	return SHP_OK;
}

uint64_t h5w_iv_samples(const h5w_t *w)
{
	return w->time.rows;
}

uint64_t h5w_util_rows(const h5w_t *w)
{
	return w->util_time.rows + w->util_pending;
}

uint64_t h5w_gpio_events(const h5w_t *w)
{
	return w->gpio_time.rows + w->gpio_pending;
}

uint64_t h5w_uart_rows(const h5w_t *w)
{
	return w->uart_time.rows + w->uart_pending;
}

uint64_t h5w_file_size(const h5w_t *w)
{
	hsize_t size = 0;
	return H5Fget_filesize(w->file, &size) < 0 ? 0 : (uint64_t)size;
}

shp_err h5w_close(h5w_t *w)
{
	if (!w)
		return SHP_OK;
	shp_err e = flush_util(w);
	shp_err g = flush_gpio(w);
	shp_err u = flush_uart(w);
	if (e == SHP_OK)
		e = g != SHP_OK ? g : u;
	close_all(w);
	if (H5Fclose(w->file) < 0 && e == SHP_OK)
		e = h5_fail(w, "closing the file");
	free_buffers(w);
	return e;
}
