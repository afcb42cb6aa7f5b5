/* sim_targets.c - the simulated target memories and their dumps (see sim_targets.h). */
#include "sim_targets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const mcu_names[SIM_MCU_COUNT] = {"nrf52", "msp430"};

const char *sim_mcu_name(enum sim_mcu mcu)
{
	return mcu_names[mcu];
}

void sim_targets_init(struct sim_targets *t, const char *root)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->root, sizeof(t->root), "%s", root);
}

void sim_targets_free(struct sim_targets *t)
{
	for (int p = 0; p < 2; p++)
		for (int m = 0; m < SIM_MCU_COUNT; m++) {
			free(t->mem[p][m].bytes);
			free(t->mem[p][m].written);
			t->mem[p][m].bytes = t->mem[p][m].written = NULL;
		}
}

struct sim_target_mem *sim_targets_get(struct sim_targets *t, char port, enum sim_mcu mcu)
{
	struct sim_target_mem *m = &t->mem[port == 'B'][mcu];
	if (!m->bytes) {
		m->bytes = malloc(SIM_TARGET_MEM_SIZE);
		m->written = calloc(1, SIM_TARGET_MEM_SIZE);
		if (!m->bytes || !m->written) {
			free(m->bytes);
			free(m->written);
			m->bytes = m->written = NULL;
			return NULL;
		}
		memset(m->bytes, 0xFF, SIM_TARGET_MEM_SIZE);
	}
	return m;
}

void sim_target_begin(struct sim_target_mem *m)
{
	memset(m->written, 0, SIM_TARGET_MEM_SIZE);
}

void sim_target_erase(struct sim_target_mem *m)
{
	memset(m->bytes, 0xFF, SIM_TARGET_MEM_SIZE);
}

bool sim_target_write(struct sim_target_mem *m, uint32_t addr, uint32_t value, unsigned width,
		      bool flash)
{
	if (addr >= SIM_TARGET_MEM_SIZE || SIM_TARGET_MEM_SIZE - addr < width)
		return false;
	for (unsigned k = 0; k < width; k++) {
		uint8_t b = (uint8_t)(value >> (8 * k));
		m->bytes[addr + k] = flash ? (uint8_t)(m->bytes[addr + k] & b) : b;
		m->written[addr + k] = 1;
	}
	return true;
}

uint32_t sim_target_read(const struct sim_target_mem *m, uint32_t addr, unsigned width)
{
	uint32_t v = 0;
	for (unsigned k = 0; k < width && addr + k < SIM_TARGET_MEM_SIZE; k++)
		v |= (uint32_t)m->bytes[addr + k] << (8 * k);
	return v;
}

static bool write_ranges(FILE *f, const struct sim_target_mem *m)
{
	uint32_t a = 0;
	while (a < SIM_TARGET_MEM_SIZE) {
		if (!m->written[a]) {
			a++;
			continue;
		}
		uint32_t start = a;
		while (a < SIM_TARGET_MEM_SIZE && m->written[a])
			a++;
		if (fprintf(f, "0x%08X 0x%08X\n", (unsigned)start, (unsigned)a) < 0)
			return false;
	}
	return true;
}

bool sim_target_dump(const struct sim_targets *t, char port, enum sim_mcu mcu)
{
	const struct sim_target_mem *m = &t->mem[port == 'B'][mcu];
	char path[PATH_MAX + 64];
	if (!m->bytes)
		return false;
	snprintf(path, sizeof(path), "%s/target_%c_%s.bin", t->root, port, mcu_names[mcu]);
	FILE *f = fopen(path, "wb");
	bool ok = f && fwrite(m->bytes, 1, SIM_TARGET_MEM_SIZE, f) == SIM_TARGET_MEM_SIZE;
	if (f && fclose(f) != 0)
		ok = false;
	snprintf(path, sizeof(path), "%s/target_%c_%s.ranges", t->root, port, mcu_names[mcu]);
	f = fopen(path, "w");
	ok = ok && f && write_ranges(f, m);
	if (f && fclose(f) != 0)
		ok = false;
	return ok;
}
