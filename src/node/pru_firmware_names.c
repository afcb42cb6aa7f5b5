/* pru_firmware_names.c - the firmware files and the two ways a request picks one
 * (pru_firmware.h); shared by the sheep and the simulator. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "node/pru_firmware.h"

static const char *const names[PRU_FW_COUNT_] = {
	[PRU_FW_EMU] = "am335x-pru0-shepherd-EMU-fw",
	[PRU_FW_HRV] = "am335x-pru0-shepherd-HRV-fw",
	[PRU_FW_SWD] = "am335x-pru0-programmer-SWD-fw",
	[PRU_FW_SBW] = "am335x-pru0-programmer-SBW-fw",
	[PRU_FW_PRU1] = "am335x-pru1-shepherd-fw",
};

/* the short forms the kernel takes as a prefix, PRU0 firmware only */
static const char *const short_forms[PRU_FW_PRU1] = {
	[PRU_FW_EMU] = "emu",
	[PRU_FW_HRV] = "hrv",
	[PRU_FW_SWD] = "swd",
	[PRU_FW_SBW] = "sbw",
};

const char *pru_fw_name(enum pru_fw fw)
{
	return (unsigned)fw < PRU_FW_COUNT_ ? names[fw] : names[PRU_FW_EMU];
}

int pru_fw_pru(enum pru_fw fw)
{
	return fw == PRU_FW_PRU1 ? 1 : 0;
}

enum pru_fw pru_fw_pick(const char *request)
{
	char lower[128];
	size_t n = 0;
	for (; request[n] && n + 1 < sizeof(lower); n++)
		lower[n] = (char)tolower((unsigned char)request[n]);
	lower[n] = '\0';
	for (int fw = 0; fw < PRU_FW_COUNT_; fw++) {
		char name[64];
		size_t k = 0;
		for (; names[fw][k] && k + 1 < sizeof(name); k++)
			name[k] = (char)tolower((unsigned char)names[fw][k]);
		name[k] = '\0';
		if (strstr(name, lower))
			return (enum pru_fw)fw;
	}
	return PRU_FW_EMU;
}

static bool starts_with(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

enum pru_fw pru_fw_kernel_pick(const char *text)
{
	for (int fw = 0; fw < PRU_FW_PRU1; fw++)
		if (starts_with(text, short_forms[fw]) || starts_with(text, names[fw]))
			return (enum pru_fw)fw;
	return PRU_FW_EMU;
}
