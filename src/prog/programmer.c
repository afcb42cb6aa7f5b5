/*
 * programmer.c - ProgrammingTask with its retries (node-control.md 3.3): the firmware file
 * checked and realigned once, then up to 5 attempts (prog_attempt.h), the data rate times 0.6
 * after each failed one.
 *
 * Unlike the predecessor, which realigns in every attempt, a file that srec_cat refuses (bad
 * checksum, no data, an MSP430 image above 0xFFFF) or that is empty or too large is reported
 * once as SHP_ERR_FIRMWARE before the node is touched at all: all five attempts would fail the
 * same way, each after some 20 s of firmware swaps.
 */
#include "prog/programmer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "prog/prog_attempt.h"
#include "prog/prog_image.h"
#include "prog/prog_realign.h"

static shp_err check_file(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		log_error("Firmware file %s cannot be used: %s", path, strerror(errno));
		return SHP_ERR_FIRMWARE;
	}
	if (!S_ISREG(st.st_mode)) {
		log_error("Firmware file %s is not a regular file", path);
		return SHP_ERR_FIRMWARE;
	}
	if (!prog_hex_suffix(path))
		log_warn("Firmware seems not to be HEX - but will try to program anyway");
	return SHP_OK;
}

/* srec_cat into a temporary directory, the result read into memory, the directory removed */
static shp_err realign_image(const char *path, const char *target, uint8_t **image, size_t *len)
{
	char dir[] = "/tmp/shepherd-prog-XXXXXX", out[64];
	if (!mkdtemp(dir)) {
		log_error("cannot create a temporary directory for the realignment: %s",
			  strerror(errno));
		return SHP_ERR_FIRMWARE;
	}
	snprintf(out, sizeof(out), "%s/aligned.hex", dir);
	shp_err e = prog_realign(path, strstr(target, "msp") != NULL, out);
	if (e == SHP_OK)
		e = prog_image_load(out, image, len);
	unlink(out);
	rmdir(dir);
	return e;
}

static shp_err run_attempts(const struct prog_job *job)
{
	const struct shp_programming *t = job->task;
	int attempts = t->simulate ? 1 : PROG_ATTEMPTS;
	shp_err e = SHP_ERR_PROGRAM;
	for (int k = 0; k < attempts; k++) {
		log_info("Starting Programmer (%d retries left)", attempts - k - 1);
		e = prog_attempt(job, prog_rate_of(t->datarate, (unsigned)k));
		if (e != SHP_ERR_PROGRAM)
			break; /* done, interrupted, or the node could not be restored */
	}
	if (e == SHP_ERR_PROGRAM)
		log_error("Programming the target failed after %d attempt%s", attempts,
			  attempts == 1 ? "" : "s");
	return e;
}

shp_err prog_run_task(const struct shp_programming *task, const struct node_paths *paths)
{
	struct prog_job job = {.task = task, .paths = paths};
	bool known;
	int console = shp_log_console_level();
	if (task->verbose >= 3)
		shp_log_set_console_level(SHP_LOG_DEBUG);
	shp_err e = check_file(task->firmware_file);
	prog_target_of(task->mcu_type, job.target, sizeof(job.target), &known);
	if (!known)
		log_warn("MCU-Type needs to be [msp430, nrf52] but was: %s", task->mcu_type);
	uint8_t *image = NULL;
	if (e == SHP_OK)
		e = realign_image(task->firmware_file, job.target, &image, &job.image_len);
	if (e == SHP_OK) {
		job.image = image;
		e = run_attempts(&job);
	}
	free(image);
	shp_log_set_console_level(console);
	return e;
}
