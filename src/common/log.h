/*
 * log.h - the sheep's one leveled logger.
 *
 * Levels use the numbers of the predecessor's file format (10 debug ... 50 critical). The level
 * check happens in the macro, before any argument is evaluated or formatted: a disabled debug
 * line costs one comparison (the predecessor lost 20 % CPU building strings nobody read).
 * Records go to stderr; a sink (set by the HDF5 recorder later) may receive every record at or
 * above its own level.
 */
#ifndef SHP_LOG_H
#define SHP_LOG_H

#include <stdint.h>

enum shp_log_level {
	SHP_LOG_DEBUG = 10,
	SHP_LOG_INFO = 20,
	SHP_LOG_WARNING = 30,
	SHP_LOG_ERROR = 40,
	SHP_LOG_CRITICAL = 50,
};

/* Lowest level that is formatted at all (min of console and sink levels). */
extern int shp_log_threshold;

/* Console level; records below it are not printed on stderr. */
void shp_log_set_console_level(int level);
int shp_log_console_level(void);

/* A sink receives every record >= its level with the wall-clock time in ns. */
typedef void (*shp_log_sink_fn)(void *ctx, uint64_t time_ns, int level, const char *msg);
void shp_log_set_sink(shp_log_sink_fn fn, void *ctx, int level);

/* Called before a console line is printed, e.g. to erase a live status line. */
void shp_log_set_console_hook(void (*before_print)(void));

void shp_log_write(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define shp_log(level, ...)                                                                        \
	do {                                                                                       \
		if ((level) >= shp_log_threshold)                                                  \
			shp_log_write((level), __VA_ARGS__);                                       \
	} while (0)

#define log_debug(...) shp_log(SHP_LOG_DEBUG, __VA_ARGS__)
#define log_info(...) shp_log(SHP_LOG_INFO, __VA_ARGS__)
#define log_warn(...) shp_log(SHP_LOG_WARNING, __VA_ARGS__)
#define log_error(...) shp_log(SHP_LOG_ERROR, __VA_ARGS__)
#define log_critical(...) shp_log(SHP_LOG_CRITICAL, __VA_ARGS__)

#endif
