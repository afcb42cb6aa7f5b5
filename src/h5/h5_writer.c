/* h5_writer.c - the Shepherd file skeleton, IV and GPIO appenders, and the tables it owns. */
#include "h5/h5_writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/log.h"
#include "h5/chunk_codec.h"
#include "h5/commit_vfd.h"
#include "h5/h5_series.h"
#include "h5/h5_tail.h"

#define UTIL_DESC                                                                                  \
	"pru0_vsrc_tsample_mean [ns], pru0_vsrc_tsample_max [ns], pru1_gpio_tsample_max [ns], "    \
	"with 10000 ns per sample-step"
#define GPIO_DESC                                                                                  \
	"0: {name: tgt_gpio0}\n1: {name: tgt_gpio1}\n2: {name: tgt_gpio2}\n"                       \
	"3: {name: tgt_gpio3}\n4: {name: tgt_gpio4}\n5: {name: tgt_gpio5}\n"                       \
	"6: {name: tgt_gpio6}\n7: {name: tgt_uart_rx}\n8: {name: tgt_uart_tx}\n"                   \
	"9: {name: tgt_bat_ok}\n"
#define MAX_TABLES 12
#define PLAIN_TABLE_BYTES (SHP_H5_TABLE_CHUNK_ROWS * 64u)

/* Groups the predecessor always creates; datasets appear once their recorder runs. */
static const char *const groups[] = {"gpio",   "pru_util", "sheep",   "uart", "sys_util",
				     "kernel", "ptp",      "phc2sys", "ntp"};

static const struct h5w_column util_columns[] = {
	{"values", H5W_COL_U16, 3, true, "ns, ns, ns", UTIL_DESC},
};
static const struct h5w_column uart_columns[] = {
	{"message", H5W_COL_BYTES, 0, true, NULL, "raw ascii-bytes"},
};

struct h5w {
	hid_t file;
	struct commit_vfd *vfd;
	enum shp_compression compression;
	bool shuffle;
	struct chunk_codec codec, plain_codec;
	struct table_codecs table_codecs;
	struct tail_buf tail;
	bool direct_chunks;
	struct series time, voltage, current;

	hid_t gpio_group;
	struct chunk_codec gpio_codec;
	struct series gpio_time, gpio_value;
	uint64_t *gpio_ts; /* staging of one chunk */
	uint16_t *gpio_val;
	uint32_t gpio_pending;

	bool failed; /* a write failed: nothing more reaches the disk */
	h5w_table_t *util, *uart;
	h5w_table_t *tables[MAX_TABLES];
	unsigned ntables;
	char path[4096];
};

static shp_err h5_fail(h5w_t *w, const char *what)
{
	log_error("%s: %s failed: %s", w->path, what, shp_h5_error());
	w->failed = true;
	return SHP_ERR_OUTPUT;
}

/* After a failed write nothing more reaches the file: it stays at its last commit, and the
 * journal's slots stay for the repair (commit_vfd.h). */
static void freeze(h5w_t *w)
{
	if (w->vfd)
		commit_vfd_freeze(w->vfd);
}

static herr_t make_data_group(h5w_t *w, const struct h5w_info *info)
{
	hid_t data = H5Gcreate2(w->file, "data", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	if (data < 0)
		return -1;
	static const struct shp_cal_pair time_cal = {1e-9, 0.0};
	herr_t rc = -1;
	if (shp_h5_attr_str(data, "datatype", info->datatype) >= 0 &&
	    shp_h5_attr_i64(data, "window_samples", info->window_samples) >= 0 &&
	    series_create(data, "time", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, SHP_H5_CHUNK_SAMPLES,
			  info->compression, info->shuffle, &w->time) >= 0 &&
	    series_create(data, "current", H5T_STD_U32LE, H5T_NATIVE_UINT32, 0,
			  SHP_H5_CHUNK_SAMPLES, info->compression, info->shuffle,
			  &w->current) >= 0 &&
	    series_create(data, "voltage", H5T_STD_U32LE, H5T_NATIVE_UINT32, 0,
			  SHP_H5_CHUNK_SAMPLES, info->compression, info->shuffle,
			  &w->voltage) >= 0 &&
	    series_describe(w->time.ds, "s", SHP_H5_TIME_DESC, &time_cal) >= 0 &&
	    series_describe(w->current.ds, "A", "current [A] = value * gain + offset",
			    &info->current) >= 0 &&
	    series_describe(w->voltage.ds, "V", "voltage [V] = value * gain + offset",
			    &info->voltage) >= 0)
		rc = 0;
	H5Gclose(data);
	if (rc >= 0 && w->direct_chunks)
		w->time.codec = w->voltage.codec = w->current.codec = &w->codec;
	return rc;
}

static herr_t make_gpio_datasets(h5w_t *w, const struct h5w_info *info)
{
	if (series_create(w->gpio_group, "time", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0,
			  SHP_H5_GPIO_CHUNK_EVENTS, info->compression, info->shuffle,
			  &w->gpio_time) < 0 ||
	    series_create(w->gpio_group, "value", H5T_STD_U16LE, H5T_NATIVE_UINT16, 0,
			  SHP_H5_GPIO_CHUNK_EVENTS, info->compression, info->shuffle,
			  &w->gpio_value) < 0 ||
	    series_describe_time(w->gpio_time.ds) < 0 ||
	    series_describe(w->gpio_value.ds, "n", GPIO_DESC, NULL) < 0)
		return -1;
	if (w->direct_chunks)
		w->gpio_time.codec = w->gpio_value.codec = &w->gpio_codec;
	return 0;
}

static herr_t build_skeleton(h5w_t *w, const struct h5w_info *info)
{
	if (shp_h5_attr_str(w->file, "mode", info->mode) < 0 ||
	    shp_h5_attr_str(w->file, "hostname", info->hostname) < 0 ||
	    (info->config_yaml && shp_h5_attr_str(w->file, "config", info->config_yaml) < 0) ||
	    make_data_group(w, info) < 0)
		return -1;
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		hid_t grp = H5Gcreate2(w->file, groups[g], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
		if (grp < 0)
			return -1;
		H5Gclose(grp);
	}
	/* /gpio/time and /gpio/value exist, empty, when nothing is traced (the readers need them)
	 */
	w->gpio_group = H5Gopen2(w->file, "gpio", H5P_DEFAULT);
	if (w->gpio_group < 0 || make_gpio_datasets(w, info) < 0)
		return -1;
	if (h5w_table_create(w, "pru_util", util_columns, 1, &w->util) != SHP_OK)
		return -1;
	if (info->uart && h5w_table_create(w, "uart", uart_columns, 1, &w->uart) != SHP_OK)
		return -1;
	return 0;
}

static void close_all(h5w_t *w)
{
	struct series *all[] = {&w->time, &w->voltage, &w->current, &w->gpio_time, &w->gpio_value};
	for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
		series_close(all[k]);
	for (unsigned k = 0; k < w->ntables; k++)
		table_free(w->tables[k]);
	w->ntables = 0;
	if (w->gpio_group >= 0)
		H5Gclose(w->gpio_group);
	w->gpio_group = -1;
}

static void free_buffers(h5w_t *w)
{
	free(w->gpio_ts);
	free(w->gpio_val);
	chunk_codec_free(&w->gpio_codec);
	chunk_codec_free(&w->codec);
	chunk_codec_free(&w->plain_codec);
	tail_free(&w->tail);
	free(w);
}

/*
 * What makes a file survive a crash (h5_writer.h): the committing driver, freed space never
 * handed out again, no lock (readers may open the file while it is written), and a metadata
 * cache of fixed size that evicts (h5_common.h): the driver holds evicted metadata until the
 * commit, so memory stays flat however long the recording.
 */
static herr_t crash_safe_properties(hid_t fcpl, hid_t fapl, const char *path)
{
	if (fcpl < 0 || fapl < 0 || commit_vfd_set_fapl(fapl, path, 0) < 0 ||
	    H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0 ||
	    shp_h5_fixed_mdc(fapl, SHP_H5_MDC_BYTES) < 0 || H5Pset_file_locking(fapl, 0, 1) < 0 ||
	    H5Pset_file_space_strategy(fcpl, H5F_FSPACE_STRATEGY_NONE, 0, 1) < 0)
		return -1;
	return 0;
}

/* The recording is made as NAME.incomplete and gets its name after its first commit, so a
 * file under the name always opens. */
static shp_err publish(h5w_t *w, const char *tmp, bool overwrite)
{
	if (fs_rename(tmp, w->path, overwrite) != 0) {
		log_error("%s: cannot give the recording its name: %s", w->path, strerror(errno));
		return SHP_ERR_OUTPUT;
	}
	if (fs_sync_parent(w->path) != 0)
		log_warn("%s: syncing its directory failed: %s", w->path, strerror(errno));
	return SHP_OK;
}

shp_err h5w_create(const char *path, const struct h5w_info *info, h5w_t **out)
{
	*out = NULL;
	h5w_t *w = calloc(1, sizeof(*w));
	if (!w)
		return SHP_ERR_NOMEM;
	w->time.ds = w->voltage.ds = w->current.ds = -1;
	w->gpio_time.ds = w->gpio_value.ds = -1;
	w->gpio_group = -1;
	w->compression = info->compression;
	w->shuffle = info->shuffle;
	snprintf(w->path, sizeof(w->path), "%s", path);
	w->direct_chunks = !info->pipeline_only;
	bool ok = true;
	if (w->direct_chunks) {
		ok = chunk_codec_init(&w->codec, info->compression, info->shuffle,
				      SHP_H5_CHUNK_SAMPLES * sizeof(uint64_t)) == SHP_OK &&
		     chunk_codec_init(&w->plain_codec, SHP_COMP_NONE, 0, PLAIN_TABLE_BYTES) ==
			     SHP_OK;
		w->table_codecs.packed = &w->codec;
		w->table_codecs.plain = &w->plain_codec;
	}
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

	char tmp[4096 + 16];
	snprintf(tmp, sizeof(tmp), "%s.incomplete", path);
	hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
	herr_t props = crash_safe_properties(fcpl, fapl, path);
	/* EXCL: a NAME.incomplete whose repair failed is kept, and a live writer's too */
	w->file = props < 0 ? -1 : H5Fcreate(tmp, H5F_ACC_EXCL, fcpl, fapl);
	H5Pclose(fapl);
	H5Pclose(fcpl);
	if (w->file < 0) {
		shp_err e = h5_fail(w, "creating the file");
		free_buffers(w);
		return e;
	}
	w->vfd = commit_vfd_of(w->file);
	shp_err e = SHP_OK;
	if (build_skeleton(w, info) < 0 || H5Fflush(w->file, H5F_SCOPE_LOCAL) < 0)
		e = h5_fail(w, "creating the file structure");
	else
		e = publish(w, tmp, info->overwrite);
	if (e != SHP_OK) {
		freeze(w);
		close_all(w);
		H5Fclose(w->file);
		unlink(tmp); /* never committed: nothing of it is kept */
		journal_remove(path);
		free_buffers(w);
		return e;
	}
	*out = w;
	return SHP_OK;
}

shp_err h5w_table_create(h5w_t *w, const char *group, const struct h5w_column *cols, unsigned ncols,
			 h5w_table_t **out)
{
	*out = NULL;
	if (w->ntables == MAX_TABLES)
		return SHP_ERR_NOMEM;
	static const struct table_codecs pipeline_only = {NULL, NULL};
	h5w_table_t *t =
		table_create(w->file, group, cols, ncols, w->compression, w->shuffle,
			     w->direct_chunks ? &w->table_codecs : &pipeline_only, &w->failed);
	if (!t) {
		char what[128];
		snprintf(what, sizeof(what), "creating /%s", group);
		return h5_fail(w, what);
	}
	w->tables[w->ntables++] = t;
	*out = t;
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

shp_err h5w_append_util(h5w_t *w, uint64_t ts, const uint16_t values[3])
{
	const void *row[1] = {values};
	shp_err e = h5w_table_append(w->util, ts, row, NULL);
	return e == SHP_ERR_OUTPUT ? h5_fail(w, "writing /pru_util") : e;
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

shp_err h5w_append_uart(h5w_t *w, uint64_t ts, const char *bytes, size_t len)
{
	if (!w->uart || len == 0)
		return SHP_OK;
	const void *row[1] = {bytes};
	size_t lens[1] = {len};
	shp_err e = h5w_table_append(w->uart, ts, row, lens);
	return e == SHP_ERR_OUTPUT ? h5_fail(w, "writing /uart") : e;
}

static shp_err flush_tables(h5w_t *w)
{
	shp_err e = SHP_OK;
	for (unsigned k = 0; k < w->ntables; k++)
		if (table_flush(w->tables[k]) < 0 && e == SHP_OK)
			e = h5_fail(w, "writing a table");
	return e;
}

/* The rows of the chunks being filled, for the next commit's journal slot. */
static shp_err build_tail(h5w_t *w)
{
	tail_reset(&w->tail);
	if (w->gpio_pending) {
		tail_put_fixed(&w->tail, w->gpio_time.path, w->gpio_ts, w->gpio_pending,
			       sizeof(uint64_t));
		tail_put_fixed(&w->tail, w->gpio_value.path, w->gpio_val, w->gpio_pending,
			       sizeof(uint16_t));
	}
	for (unsigned k = 0; k < w->ntables; k++)
		table_tail(w->tables[k], &w->tail);
	if (w->tail.failed) {
		log_error("%s: no memory for the journal's tail", w->path);
		w->failed = true;
		return SHP_ERR_NOMEM;
	}
	struct journal_summary sum = {
		.iv_samples = w->time.rows,
		.gpio_events = h5w_gpio_events(w),
	};
	if (w->vfd)
		commit_vfd_set_tail(w->vfd, &w->tail, &sum);
	return SHP_OK;
}

shp_err h5w_flush(h5w_t *w)
{
	if (w->failed)
		return SHP_ERR_OUTPUT;
	SHP_TRY(build_tail(w));
	if (H5Fflush(w->file, H5F_SCOPE_LOCAL) < 0)
		return h5_fail(w, "committing");
	return SHP_OK;
}

const struct commit_stats *h5w_commit_stats(const h5w_t *w)
{
	return w->vfd ? commit_vfd_stats(w->vfd) : NULL;
}

uint64_t h5w_iv_samples(const h5w_t *w)
{
	return w->time.rows;
}

uint64_t h5w_util_rows(const h5w_t *w)
{
	return h5w_table_rows(w->util);
}

uint64_t h5w_gpio_events(const h5w_t *w)
{
	return w->gpio_time.rows + w->gpio_pending;
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
	shp_err e = SHP_OK;
	if (!w->failed) {
		/* the last chunks, partial: into the file, and no tail in the last commit */
		e = flush_tables(w);
		shp_err g = flush_gpio(w);
		if (e == SHP_OK)
			e = g;
		if (e == SHP_OK)
			e = build_tail(w); /* empty, with the final figures */
	}
	if (w->failed) {
		freeze(w);
		e = SHP_ERR_OUTPUT;
	}
	close_all(w);
	if (w->vfd) /* up to the close's commit; bench/memory_soak.py reads the line */
		log_debug(
			"commits: %llu, syncs %llu, %.3f s in fdatasync, journal %llu B, held at most %llu B",
			(unsigned long long)commit_vfd_stats(w->vfd)->commits,
			(unsigned long long)commit_vfd_stats(w->vfd)->syncs,
			(double)commit_vfd_stats(w->vfd)->sync_ns / 1e9,
			(unsigned long long)commit_vfd_stats(w->vfd)->journal_bytes,
			(unsigned long long)commit_vfd_stats(w->vfd)->held_bytes_peak);
	if (H5Fclose(w->file) < 0) {
		shp_h5_unclean = true;
		if (!w->failed)
			e = h5_fail(w, "closing the file");
	}
	free_buffers(w);
	return e;
}
