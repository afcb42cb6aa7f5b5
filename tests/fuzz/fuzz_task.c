/* libFuzzer target: task files (YAML wrapper, the schemas of the four task kinds, dump). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/log.h"
#include "task/task.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct shp_task task;
	shp_log_set_console_level(SHP_LOG_CRITICAL + 1);
	if (task_parse((const char *)data, size, "fuzz.yaml", &task) == SHP_OK) {
		/* an accepted task must also dump (it becomes the recording's config) */
		char *dump = task_to_yaml(&task, 1893553445);
		if (!dump)
			abort();
		free(dump);
		(void)task_gpio_mask(&task);
		task_free(&task);
	}
	return 0;
}
