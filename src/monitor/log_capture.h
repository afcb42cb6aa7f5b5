/*
 * log_capture.h - every record of the sheep's own log, from process start, for /sheep.
 *
 * A log sink keeps the records (time, level 10..50, message) in memory until a recording takes
 * them; without a recording they are kept up to a limit and then counted as dropped. The sink
 * receives DEBUG and above, as the predecessor's file did, whatever the console shows.
 */
#ifndef SHP_LOG_CAPTURE_H
#define SHP_LOG_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "h5/h5_writer.h"

#define SHP_LOG_CAPTURE_MAX 20000 /* records kept while nothing takes them */

/* Starts capturing (idempotent). */
void log_capture_start(void);

/* Stops capturing and frees what is held. */
void log_capture_stop(void);

/* Creates /sheep in w; from now on log_capture_drain writes the records there. */
shp_err log_capture_attach(h5w_t *w);

/* Writes the held records into /sheep (if attached). Cheap when there are none. */
shp_err log_capture_drain(void);

/* Drains and detaches (before the writer closes). Returns the records written in all. */
uint64_t log_capture_detach(void);

#endif
