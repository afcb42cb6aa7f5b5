/*
 * libFuzzer target: damaged and foreign HDF5 bytes through the check an emulation input gets.
 * libhdf5 itself can crash or loop on such files; the sheep checks them in a child process
 * with a time limit, so whatever the bytes are, this process must get an answer and live on.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/log.h"
#include "h5/h5_common.h"
#include "h5/h5_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static bool ready;
	if (!ready) {
		shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
		setenv("SHEPHERD_CHECK_TIMEOUT_S", "3", 1);
		if (shp_h5_init() != SHP_OK)
			abort();
		snprintf(path, sizeof(path), "/dev/shm/sheep-fuzz-dmg-%d.h5", (int)getpid());
		ready = true;
	}
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	shp_err e = h5_input_check_isolated(path);
	if (e != SHP_OK && e != SHP_ERR_INPUT)
		abort();
	unlink(path);
	return 0;
}
