/*
 * pru0_twin.c - the simulated PRU0: the PRU's twin (src/twin) on the input ring in an emulation
 * and on the solar transducer in a harvest, beside the loopback and the old harvest formula.
 *
 * As on the PRU: the firmware is loaded at start and by every pru0_firmware write
 * (twin_new / twin_load_firmware); its re-init reads the settings blocks and the aux word at
 * every reset (kept here); twin_init applies what it read when the run starts.
 */
#include "pru_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "signal_model.h"

#define N_INP SHP_IV_INP_SAMPLES_N
#define STALE_REPORT_NS 1000000000ull

bool sim_pru0_open(struct sim_pru *p)
{
	p->twin = twin_new();
	return p->twin != NULL;
}

void sim_pru0_close(struct sim_pru *p)
{
	twin_free(p->twin);
	p->twin = NULL;
}

void sim_pru0_firmware(struct sim_pru *p)
{
	twin_load_firmware(p->twin);
}

/* dac_auxiliary_voltage_raw as the kernel's "%u" takes it: 0 if absent or not a number. */
static uint32_t aux_word(const struct sim_pru *p)
{
	char text[64];
	if (sim_sysfs_read(p->sysfs, SHP_SYSFS_AUX_VOLTAGE, text, sizeof(text)) < 0)
		return 0;
	unsigned long long v;
	if (sscanf(text, "%llu", &v) != 1 || v > UINT32_MAX)
		return 0;
	return (uint32_t)v;
}

void sim_pru0_reinit(struct sim_pru *p)
{
	const struct sim_settings_values *v = sim_settings_current(&p->settings);
	p->reinit.cal = v->calibration;
	p->reinit.conv = v->converter;
	p->reinit.hrv = v->harvester;
	p->reinit.aux_word = aux_word(p);
}

/* The twin makes this run's samples: an emulation with the model (not emu_loopback), or a
 * harvest from the cell. */
static bool twin_wanted(const struct sim_pru *p)
{
	if (sim_pru_emulating(p))
		return p->emulation == SIM_EMU_MODEL && strcmp(p->mode, "emu_loopback") != 0;
	return p->harvest == SIM_HRV_CELL;
}

void sim_pru0_start(struct sim_pru *p)
{
	p->twin_runs = twin_wanted(p);
	if (!p->twin_runs)
		return;
	bool emu = sim_pru_emulating(p);
	if (!twin_init(p->twin, &p->reinit, emu)) {
		fprintf(stderr,
			"shepherd-pru-sim: PRU0 (%s firmware) rejects harvester algorithm %u: message "
			"0x%X\n",
			emu ? "EMU" : "HRV", (unsigned)p->reinit.hrv.algorithm,
			(unsigned)SHP_MSG_ERR_HRV_ALGO);
		sim_msg_box_post(&p->box, SHP_MSG_ERR_HRV_ALGO, p->reinit.hrv.algorithm, 0);
	}
	if (!emu)
		twin_solar_init(&p->cell, p->seed, &p->reinit.cal);
	p->gpio_pg = twin_power_good(p->twin);
}

void sim_pru0_report_stale(struct sim_pru *p, bool final)
{
	uint64_t now = mono_ns();
	if (p->stale == p->stale_reported ||
	    (!final && now - p->stale_report_mono < STALE_REPORT_NS))
		return;
	fprintf(stderr,
		"shepherd-pru-sim: input ring ran dry: PRU0 replayed %llu stale input samples so "
		"far\n",
		(unsigned long long)p->stale);
	p->stale_reported = p->stale;
	p->stale_report_mono = now;
}

/*
 * Up to count input samples (uV, nA pairs) from the input ring, one per output sample, setting
 * idx_pru to each slot read. Like the real PRU it never looks at idx_sys: a slot the sheep has
 * not written yet is read anyway (stale). Lock-step stops there instead; returns how many.
 */
static uint32_t read_input(struct sim_pru *p, uint32_t count, uint32_t *in)
{
	for (uint32_t k = 0; k < count; k++) {
		uint32_t sys = __atomic_load_n(
			(uint32_t *)(void *)(p->iv_inp + SHP_IV_INP_IDX_SYS_OFF), __ATOMIC_ACQUIRE);
		if (!(sys < N_INP && sys != p->inp_cursor)) {
			if (p->lockstep)
				return k;
			p->stale++;
		}
		memcpy(in + 2 * (size_t)k,
		       p->iv_inp + SHP_IV_INP_SAMPLE_OFF + (size_t)p->inp_cursor * 8, 8);
		__atomic_store_n((uint32_t *)(void *)(p->iv_inp + SHP_IV_INP_IDX_PRU_OFF),
				 p->inp_cursor, __ATOMIC_RELEASE);
		p->inp_cursor = (p->inp_cursor + 1) % N_INP;
	}
	return count;
}

uint32_t sim_pru0_produce(struct sim_pru *p, uint64_t ts0, uint32_t count, uint32_t *voltage,
			  uint32_t *current, uint8_t *flags, bool *with_flags)
{
	static uint32_t in[2 * SIM_MAX_BATCH];
	*with_flags = false;
	if (count > SIM_MAX_BATCH)
		count = SIM_MAX_BATCH;
	if (!sim_pru_emulating(p)) {
		if (p->twin_runs) /* sample k of the run: the cell at the DAC's set point */
			twin_harvest_block(p->twin, &p->cell, p->produced, count, voltage, current);
		else
			sim_signal_harvest(p->seed, ts0, count, voltage, current);
		return count;
	}
	count = read_input(p, count, in);
	if (p->twin_runs && count > 0) {
		twin_emulate_block(p->twin, &p->target, in, count, voltage, current, flags);
		*with_flags = true;
	} else {
		for (uint32_t k = 0; k < count; k++) {
			voltage[k] = in[2 * k];
			current[k] = in[2 * k + 1];
		}
	}
	sim_pru0_report_stale(p, false);
	return count;
}
