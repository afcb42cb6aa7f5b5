/*
 * sim_targets.h - the simulated target MCUs' memories, one per target port (A, B) and MCU
 * (nrf52, msp430), which tests compare with the realigned image byte for byte.
 *
 * Each memory spans 1 MiB from address 0 and starts as 0xFF (nRF52: erased flash; MSP430FR:
 * FRAM taken as 0xFF). nRF52: an erase sets all of it to 0xFF, a write ANDs into it (flash
 * bits only clear). MSP430FR: no erase, writes replace.
 *
 * After each programming run the memory is dumped to ROOT/target_<A|B>_<nrf52|msp430>.bin (the
 * whole 1 MiB, byte k = address k) and the addresses written in that run to
 * ROOT/target_<A|B>_<nrf52|msp430>.ranges: one line "0xSTART 0xEND" (hex, END exclusive) per
 * contiguous range, ascending, adjacent ranges merged; empty when nothing was written.
 */
#ifndef SIM_TARGETS_H
#define SIM_TARGETS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define SIM_TARGET_MEM_SIZE (1u << 20)

enum sim_mcu { SIM_MCU_NRF52, SIM_MCU_MSP430, SIM_MCU_COUNT };

struct sim_target_mem {
	uint8_t *bytes;   /* SIM_TARGET_MEM_SIZE */
	uint8_t *written; /* one flag per address, this run */
};

struct sim_targets {
	char root[PATH_MAX];
	struct sim_target_mem mem[2][SIM_MCU_COUNT]; /* [port B?][mcu] */
};

void sim_targets_init(struct sim_targets *t, const char *root);
void sim_targets_free(struct sim_targets *t);

/* The memory of port ('A'/'B') and mcu, allocated on first use; NULL without memory. */
struct sim_target_mem *sim_targets_get(struct sim_targets *t, char port, enum sim_mcu mcu);

/* A new run: nothing written yet. */
void sim_target_begin(struct sim_target_mem *m);
/* nRF52's ERASEALL. */
void sim_target_erase(struct sim_target_mem *m);
/* Writes width bytes of value (little endian) at addr; false outside the memory. */
bool sim_target_write(struct sim_target_mem *m, uint32_t addr, uint32_t value, unsigned width,
		      bool flash);
/* Reads width bytes (little endian) at addr. */
uint32_t sim_target_read(const struct sim_target_mem *m, uint32_t addr, unsigned width);

/* Dumps the memory and its ranges (see above); returns false on a file error. */
bool sim_target_dump(const struct sim_targets *t, char port, enum sim_mcu mcu);

const char *sim_mcu_name(enum sim_mcu mcu);

#endif
