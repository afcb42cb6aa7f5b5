/*
 * prog_abi.h - what the sheep and the simulator must agree on about the PRU programmer
 * (node-control.md 3.7, 3.8, 3.9): the sysfs files under programmer/, the kernel's codes for
 * targets and states, its limits and defaults, the programmer's messages and its parse codes.
 * One place for both sides, as pru/shepherd_abi.h is for the rings.
 */
#ifndef SHP_PROG_ABI_H
#define SHP_PROG_ABI_H

#include <stdint.h>
#include <stdio.h>

/* sysfs files, relative to the sysfs root, in the order the sheep writes them (3.4 step 10) */
#define PROG_SYSFS_DIR "programmer"
#define PROG_SYSFS_STATE "programmer/state"
#define PROG_SYSFS_TARGET "programmer/target"
#define PROG_SYSFS_DATARATE "programmer/datarate"
#define PROG_SYSFS_DATASIZE "programmer/datasize"
#define PROG_SYSFS_PIN_TCK "programmer/pin_tck"
#define PROG_SYSFS_PIN_TDIO "programmer/pin_tdio"
#define PROG_SYSFS_PIN_DIR_TDIO "programmer/pin_dir_tdio"
#define PROG_SYSFS_PIN_TDO "programmer/pin_tdo"
#define PROG_SYSFS_PIN_TMS "programmer/pin_tms"
#define PROG_SYSFS_PIN_DIR_TMS "programmer/pin_dir_tms"
#define PROG_PIN_COUNT 6

/* ProgrammerCtrl.target */
enum prog_target {
	PROG_TARGET_NONE = 0,
	PROG_TARGET_MSP430 = 1,
	PROG_TARGET_NRF52 = 2,
	PROG_TARGET_DUMMY = 3,
};

/* ProgrammerCtrl.state: negative codes; >= 0 is the number of bytes written so far */
#define PROG_STATE_ERR_GENERIC (-0xE1)
#define PROG_STATE_ERR_OPEN (-0xE2)
#define PROG_STATE_ERR_WRITE (-0xE3)
#define PROG_STATE_ERR_VERIFY (-0xE4)
#define PROG_STATE_ERR_ERASE (-0xE5)
#define PROG_STATE_ERR_PARSE (-0xE6)
#define PROG_STATE_IDLE (-0x7000)
#define PROG_STATE_STARTING (-0x7001)
#define PROG_STATE_INITIALIZING (-0x7002)

/* the kernel's limits on writes (all writes but state=stop need the shepherd state idle) */
#define PROG_DATARATE_MAX_KERNEL 10000000u
#define PROG_PIN_MAX_KERNEL 10000u
/* the sheep's own, stricter limit (3.6) */
#define PROG_DATARATE_MAX 1000000u

/* defaults after the module's load and after every PRU firmware swap */
#define PROG_DEFAULT_DATARATE 1000000u
#define PROG_DEFAULT_PIN_FIRST 1001u /* pins 1001 ... 1006 in file order */

/* programmer messages in pru_msg_box */
#define PROG_MSG_WRITE_ERROR 0x93u  /* address, data */
#define PROG_MSG_VERIFY_ERROR 0x94u /* address, data */
#define PROG_MSG_PARSE_ERROR 0x96u  /* ihex code, 0 */

/* the PRU's Intel-HEX parser's error codes */
#define PROG_IHEX_ERR_START 11    /* a record does not start with ':' */
#define PROG_IHEX_ERR_CHECKSUM 12 /* bad checksum (or a digit that is not 0-9A-F) */
#define PROG_IHEX_ERR_LINE_END 13 /* no "\n" or "\r\n" after the checksum */
#define PROG_IHEX_ERR_EOF_LEN 21  /* EOF record with data */
#define PROG_IHEX_ERR_SEG_LEN 22  /* extended segment address record not 2 bytes */
#define PROG_IHEX_ERR_LIN_LEN 24  /* extended linear address record not 2 bytes */
#define PROG_IHEX_ERR_TYPE 31     /* unknown record type */

/* MSP430FR: the JTAG signature words the SBW driver refuses to write */
#define PROG_MSP430_PROTECTED_LO 0xFF80u
#define PROG_MSP430_PROTECTED_HI 0xFF87u

/* The text the kernel shows in programmer/state for a state value. */
static inline const char *prog_state_text(int32_t state, char *buf, size_t len)
{
	if (state == PROG_STATE_IDLE)
		return "idle";
	if (state == PROG_STATE_STARTING)
		return "starting";
	if (state == PROG_STATE_INITIALIZING)
		return "initializing";
	if (state < 0)
		snprintf(buf, len, "error (-0x%X)", (unsigned)-(int64_t)state);
	else
		snprintf(buf, len, "running - %d B written", (int)state);
	return buf;
}

/* The text the kernel shows in programmer/target. */
static inline const char *prog_target_text(uint32_t target)
{
	switch (target) {
	case PROG_TARGET_NONE:
		return "none";
	case PROG_TARGET_MSP430:
		return "msp430";
	case PROG_TARGET_NRF52:
		return "nrf52";
	case PROG_TARGET_DUMMY:
		return "dummy";
	default:
		return "unknown";
	}
}

#endif
