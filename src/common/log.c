/* log.c - console output and the optional record sink of the leveled logger. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

int shp_log_threshold = SHP_LOG_INFO;

static int console_level = SHP_LOG_INFO;
static shp_log_sink_fn sink_fn;
static void *sink_ctx;
static int sink_level = SHP_LOG_CRITICAL + 1;
static void (*console_hook)(void);

static void update_threshold(void)
{
	shp_log_threshold = console_level < sink_level ? console_level : sink_level;
}

void shp_log_set_console_level(int level)
{
	console_level = level;
	update_threshold();
}

int shp_log_console_level(void)
{
	return console_level;
}

void shp_log_set_sink(shp_log_sink_fn fn, void *ctx, int level)
{
	sink_fn = fn;
	sink_ctx = ctx;
	sink_level = fn ? level : SHP_LOG_CRITICAL + 1;
	update_threshold();
}

void shp_log_set_console_hook(void (*before_print)(void))
{
	console_hook = before_print;
}

static const char *level_name(int level)
{
	if (level >= SHP_LOG_CRITICAL)
		return "CRITICAL";
	if (level >= SHP_LOG_ERROR)
		return "ERROR";
	if (level >= SHP_LOG_WARNING)
		return "WARNING";
	if (level >= SHP_LOG_INFO)
		return "INFO";
	return "DEBUG";
}

void shp_log_write(int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);

	if (level >= console_level) {
		struct tm tm;
		char stamp[32];
		localtime_r(&now.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
		if (console_hook)
			console_hook();
		fprintf(stderr, "%s.%03ld %-8s %s\n", stamp, now.tv_nsec / 1000000L,
			level_name(level), msg);
	}
	if (sink_fn && level >= sink_level)
		sink_fn(sink_ctx, (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec,
			level, msg);
}
