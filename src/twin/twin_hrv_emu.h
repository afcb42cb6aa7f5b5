/*
 * twin_hrv_emu.h - the EMU firmware's harvester (virtual_harvester.c, emulation part,
 * pru-settings.md 7.4): ivcurve input turned into one operating point per sample by cv,
 * mppt_voc, mppt_po or mppt_opt; ivsample input passes unchanged. The algorithms' own
 * statics live in struct twin_statics and survive twin_init. Static inlines for the hot loop.
 */
#ifndef SHP_TWIN_HRV_EMU_H
#define SHP_TWIN_HRV_EMU_H

#include <stdint.h>

#include "settings/vharvester.h"
#include "twin_internal.h"
#include "twin_math.h"

static inline uint32_t twin_absdiff32(uint32_t a, uint32_t b)
{
	return a > b ? a - b : b - a;
}

/* Constant voltage from a sweep: the curve's point closest to the set point, tracked between
 * crossings by the last slope (or left alone without extrapolation). */
static inline void twin_emu_cv(struct twin *t, uint32_t *pV, uint32_t *pI)
{
	struct twin_hrv *h = &t->hrv;
	struct twin_statics *st = &t->st;
	const uint32_t V = *pV, I = *pI;
	const uint32_t set = h->voltage_set_uV;
	const bool cmp = V < set;
	const uint32_t step = twin_absdiff32(V, st->cv_V_last);
	const uint32_t d_now = twin_absdiff32(V, set);
	const uint32_t d_last = twin_absdiff32(st->cv_V_last, set);

	if (cmp != st->cv_cmp_last && step < h->step4_uV) {
		/* a crossing inside one ramp, not the sawtooth's jump back */
		if (d_now < d_last && d_now < h->step4_uV) {
			h->voltage_hold = V;
			h->current_hold = I;
			st->cv_dV = (int32_t)(V - st->cv_V_last);
			st->cv_dI = (int32_t)(I - st->cv_I_last);
		} else if (d_last < d_now && d_last < h->step4_uV) {
			h->voltage_hold = st->cv_V_last;
			h->current_hold = st->cv_I_last;
			st->cv_dV = (int32_t)(V - st->cv_V_last);
			st->cv_dI = (int32_t)(I - st->cv_I_last);
		}
	} else if (h->lin_extrapolation) {
		const int32_t dV = st->cv_dV, dI = st->cv_dI;
		/* wrapping u32 arithmetic as in the firmware */
		if ((h->voltage_hold < set) == (dV > 0)) {
			h->voltage_hold += (uint32_t)dV;
			h->current_hold += (uint32_t)dI;
		} else {
			const uint32_t dVp = dV > 0 ? (uint32_t)dV : 0u;
			const uint32_t dIp = dI > 0 ? (uint32_t)dI : 0u;
			h->voltage_hold =
				h->voltage_hold > dVp ? h->voltage_hold - (uint32_t)dV : 0u;
			h->current_hold =
				h->current_hold > dIp ? h->current_hold - (uint32_t)dI : 0u;
		}
	}
	st->cv_V_last = V;
	st->cv_I_last = I;
	st->cv_cmp_last = cmp;
	*pV = h->voltage_hold;
	*pI = h->current_hold;
}

static inline void twin_emu_interval_step(struct twin *t)
{
	struct twin_hrv *h = &t->hrv;
	if (++h->interval_step >= t->s.hrv.interval_n)
		h->interval_step = 0;
}

static inline void twin_emu_voc(struct twin *t, uint32_t *pV, uint32_t *pI)
{
	const struct pru_harvester *cfg = &t->s.hrv;
	struct twin_hrv *h = &t->hrv;
	struct twin_statics *st = &t->st;
	const uint32_t V = *pV, I = *pI;
	twin_emu_interval_step(t);
	st->voc_age_nxt++;
	st->voc_age_now++;
	if (I < cfg->current_limit_nA && V <= h->voc_nxt && V >= h->voc_min &&
	    V <= cfg->voltage_max_uV) {
		h->voc_nxt = V;
		st->voc_age_nxt = 0;
	}
	if (st->voc_age_now > h->age_max || h->voc_nxt <= h->voc_now) {
		st->voc_age_now = st->voc_age_nxt;
		h->voc_now = h->voc_nxt;
		st->voc_age_nxt = 0;
		h->voc_nxt = cfg->voltage_max_uV;
	}
	twin_emu_cv(t, pV, pI);
	if (h->interval_step < cfg->duration_n) {
		h->voltage_set_uV = cfg->voltage_max_uV;
		*pI = 0;
	} else if (h->interval_step == cfg->duration_n) {
		/* no clamp to min / max here (as the firmware) */
		h->voltage_set_uV = twin_mul32(h->voc_now, cfg->setpoint_n8) >> 8;
		*pI = 0;
	}
}

static inline void twin_emu_po(struct twin *t, uint32_t *pV, uint32_t *pI)
{
	const struct pru_harvester *cfg = &t->s.hrv;
	struct twin_hrv *h = &t->hrv;
	struct twin_statics *st = &t->st;
	twin_emu_interval_step(t);
	twin_emu_cv(t, pV, pI);
	if (h->interval_step != 0)
		return;
	const uint64_t P = (uint64_t)*pV * *pI;
	if (P > st->po_P_last) {
		twin_po_move(h);
		h->volt_step_uV = twin_mul32(2, h->volt_step_uV);
	} else if (P == 0 && h->voltage_set_uV > 0) {
		h->is_rising = true;
		h->volt_step_uV = cfg->voltage_step_uV;
		h->voltage_set_uV = twin_sub32(h->voltage_set_uV, h->step4_uV);
	} else {
		h->is_rising = !h->is_rising;
		h->volt_step_uV = cfg->voltage_step_uV;
		twin_po_move(h);
	}
	st->po_P_last = P;
	/* the clamps run with the evaluation only: between evaluations the set point does not
	 * move (spec silent on their place; the outcome differs only before the first one) */
	twin_po_clamp(h, cfg);
	if (h->voltage_set_uV < cfg->voltage_step_uV) {
		h->voltage_set_uV = cfg->voltage_step_uV;
		h->is_rising = true;
		h->volt_step_uV = cfg->voltage_step_uV;
	}
}

/* The best point of the last one to two curves: a running maximum that ages out. */
static inline void twin_emu_opt(struct twin *t, uint32_t *pV, uint32_t *pI)
{
	const struct pru_harvester *cfg = &t->s.hrv;
	struct twin_hrv *h = &t->hrv;
	struct twin_statics *st = &t->st;
	const uint32_t V = *pV, I = *pI;
	st->opt_age_now++;
	st->opt_age_nxt++;
	const uint64_t P = (uint64_t)V * I;
	if (P >= st->opt_P_nxt && V >= cfg->voltage_min_uV && V <= cfg->voltage_max_uV) {
		st->opt_age_nxt = 0;
		st->opt_P_nxt = P;
		st->opt_V_nxt = V;
		st->opt_I_nxt = I;
	}
	if (st->opt_age_now > h->age_max || st->opt_P_nxt >= st->opt_P_now) {
		st->opt_age_now = st->opt_age_nxt;
		st->opt_P_now = st->opt_P_nxt;
		st->opt_V_now = st->opt_V_nxt;
		st->opt_I_now = st->opt_I_nxt;
		st->opt_age_nxt = 0;
		st->opt_P_nxt = 0;
		st->opt_V_nxt = 0;
		st->opt_I_nxt = 0;
	}
	*pV = st->opt_V_now;
	*pI = st->opt_I_now;
}

/* Dispatch with >= from the top; an algorithm in 8 .. 255 is rejected (twin_init said so)
 * and passes through, as does neutral and any ivsample input. */
static inline void twin_emu_harvest(struct twin *t, uint32_t *pV, uint32_t *pI)
{
	const uint32_t algo = t->s.hrv.algorithm;
	if (t->s.hrv.window_size <= 1)
		return;
	if (algo >= VH_MPPT_OPT)
		twin_emu_opt(t, pV, pI);
	else if (algo >= VH_MPPT_PO)
		twin_emu_po(t, pV, pI);
	else if (algo >= VH_MPPT_VOC)
		twin_emu_voc(t, pV, pI);
	else if (algo >= VH_CV)
		twin_emu_cv(t, pV, pI);
}

#endif
