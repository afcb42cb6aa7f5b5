/*
 * twin_hrv_rec.c - harvester_initialize (both firmwares, pru-settings.md 7.4) and the HRV
 * firmware's recording harvesters (7.5): cv, ivcurve with its cut-out, isc_voc, mppt_voc and
 * mppt_po (which mppt_opt records with). The stored values stay raw ADC codes; the DAC code
 * written in one sample is what the transducer sees in the next.
 */
#include "settings/vharvester.h"
#include "twin.h"
#include "twin_calibration.h"
#include "twin_internal.h"
#include "twin_math.h"

/* the recording PO's step never grows past this */
#define TWIN_REC_PO_STEP_MAX_uV 300000u

/* the first samples of a new sweep are masked: the DAC jump back still settles there */
#define TWIN_REC_IV_CUTOUT 5u

void twin_hrv_init(struct twin *t)
{
	const struct pru_harvester *cfg = &t->s.hrv;
	struct twin_hrv *h = &t->hrv;
	/* one off the set point, so that CV writes its DAC in the first sample */
	h->voltage_set_uV = cfg->voltage_uV + 1;
	if ((cfg->hrv_mode & 1u) && cfg->interval_n > 2 * cfg->window_size)
		h->interval_step = cfg->interval_n - 2 * cfg->window_size;
	else
		h->interval_step = 1u << 30;
	h->is_rising = (cfg->hrv_mode & 2u) != 0;
	h->volt_step_uV = cfg->voltage_step_uV;
	h->voltage_hold = 0;
	h->current_hold = 0;
	h->step4_uV = 4 * cfg->voltage_step_uV;
	h->age_max = 2 * cfg->window_size;
	h->voc_now = cfg->voltage_max_uV;
	h->voc_nxt = cfg->voltage_max_uV;
	h->voc_min = cfg->voltage_min_uV > 1000u ? cfg->voltage_min_uV : 1000u;
	h->lin_extrapolation = (cfg->hrv_mode & 4u) != 0;
	/* recording state: one settle counter (ivcurve and isc_voc), PO's last power */
	h->settle_steps = 0;
	h->power_last_raw = 0;
	/* sample_init writes HRV channel B before harvester_initialize: DAC_MAX_VAL (open
	 * circuit), or the aux code when aux is linked to main ((aux >> 20) & 3 == 1) */
	const uint32_t aux = t->s.aux_word;
	h->dac = (((aux >> 20) & 3u) == 1u) ? (aux & 0xFFFFu) : 0xFFFFu;
}

bool twin_hrv_rec_algorithm_ok(uint32_t algorithm)
{
	return algorithm >= VH_ISC_VOC;
}

static void rec_set_dac(struct twin *t, uint32_t V_uV)
{
	t->hrv.dac = twin_cal_dac(&t->s.cal, V_uV);
}

static void rec_cv(struct twin *t)
{
	struct twin_hrv *h = &t->hrv;
	if (h->voltage_set_uV != t->s.hrv.voltage_uV) {
		h->voltage_set_uV = t->s.hrv.voltage_uV;
		rec_set_dac(t, h->voltage_set_uV);
	}
}

static void rec_ivcurve(struct twin *t, uint32_t *V, uint32_t *I)
{
	const struct pru_harvester *cfg = &t->s.hrv;
	struct twin_hrv *h = &t->hrv;
	/* the readings belong to the step set before, so the mask uses the counter before the
	 * update; rising sweeps start in short circuit (V 0), falling ones open (I 0) */
	if (h->interval_step < TWIN_REC_IV_CUTOUT) {
		if (h->is_rising) {
			*V = 0;
		} else {
			*V = 0x3FFFFu;
			*I = 0;
		}
	}
	if (h->settle_steps == 0) {
		if (++h->interval_step >= cfg->window_size) {
			h->interval_step = 0;
			h->voltage_set_uV =
				h->is_rising ? cfg->voltage_min_uV : cfg->voltage_max_uV;
		} else {
			h->voltage_set_uV =
				h->is_rising ? twin_add32(h->voltage_set_uV, h->volt_step_uV)
					     : twin_sub32(h->voltage_set_uV, h->volt_step_uV);
		}
		/* by direction only, as the firmware: rising against max, falling against min */
		if (h->is_rising && h->voltage_set_uV > cfg->voltage_max_uV)
			h->voltage_set_uV = cfg->voltage_max_uV;
		if (!h->is_rising && h->voltage_set_uV < cfg->voltage_min_uV)
			h->voltage_set_uV = cfg->voltage_min_uV;
		rec_set_dac(t, h->voltage_set_uV);
		h->settle_steps = cfg->wait_cycles_n;
	} else {
		h->settle_steps--;
	}
}

/* The phase comes from is_rising (hrv_mode bit1), flipped at every toggle: rising latches the
 * current (the DAC-0 phase just ended) and writes DAC_MAX_VAL (open circuit, the raw code, not
 * the code of voltage_max_uV); falling latches the voltage and writes 0 (short circuit). */
static void rec_isc_voc(struct twin *t, uint32_t *V, uint32_t *I)
{
	const struct pru_harvester *cfg = &t->s.hrv;
	struct twin_hrv *h = &t->hrv;
	if (h->settle_steps == 0) {
		if (h->is_rising)
			h->current_hold = *I;
		else
			h->voltage_hold = *V;
		h->dac = h->is_rising ? 0xFFFFu : 0u;
		h->is_rising = !h->is_rising;
		h->settle_steps = cfg->wait_cycles_n;
	} else {
		h->settle_steps--;
	}
	*V = h->voltage_hold;
	*I = h->current_hold;
}

static void rec_interval_step(struct twin *t)
{
	if (++t->hrv.interval_step >= t->s.hrv.interval_n)
		t->hrv.interval_step = 0;
}

static void rec_voc(struct twin *t, uint32_t *V, uint32_t *I)
{
	const struct pru_harvester *cfg = &t->s.hrv;
	struct twin_hrv *h = &t->hrv;
	rec_interval_step(t);
	if (h->interval_step == 0)
		h->dac = 0xFFFFu; /* DAC_MAX_VAL: open circuit, whatever voltage_max_uV is */
	/* a separate test: with duration_n 1 the set point follows in the same sample */
	if (h->interval_step == cfg->duration_n - 1) {
		uint32_t set = twin_mul32(twin_cal_uV(&t->s.cal, *V), cfg->setpoint_n8) >> 8;
		/* max first, then min: with min > max the firmware ends at min */
		if (set > cfg->voltage_max_uV)
			set = cfg->voltage_max_uV;
		if (set < cfg->voltage_min_uV)
			set = cfg->voltage_min_uV;
		h->voltage_set_uV = set;
		rec_set_dac(t, set);
	}
	if (h->interval_step < cfg->duration_n)
		*I = 0;
}

static void rec_po(struct twin *t, uint32_t V, uint32_t I)
{
	const struct pru_harvester *cfg = &t->s.hrv;
	struct twin_hrv *h = &t->hrv;
	rec_interval_step(t);
	if (h->interval_step != 0)
		return;
	const uint32_t P = twin_mul32(I, V);
	if (P > h->power_last_raw) {
		twin_po_move(h);
		h->volt_step_uV = twin_mul32(2, h->volt_step_uV);
		if (h->volt_step_uV > TWIN_REC_PO_STEP_MAX_uV)
			h->volt_step_uV = TWIN_REC_PO_STEP_MAX_uV;
	} else {
		/* reversing also moves, as the emulation PO does (spec: "reverse and reset") */
		h->is_rising = !h->is_rising;
		h->volt_step_uV = cfg->voltage_step_uV;
		twin_po_move(h);
	}
	h->power_last_raw = P;
	/* a set point far above what the cell delivers: come back from its actual voltage */
	const uint32_t V_uV = twin_cal_uV(&t->s.cal, V);
	if (h->is_rising && twin_sub32(h->voltage_set_uV, V_uV) > 2 * h->volt_step_uV) {
		h->is_rising = false;
		h->voltage_set_uV = twin_sub32(V_uV, h->volt_step_uV);
	}
	twin_po_clamp(h, cfg);
	rec_set_dac(t, h->voltage_set_uV);
}

uint32_t twin_harvest_dac(const struct twin *t)
{
	return t->hrv.dac;
}

uint32_t twin_harvest(struct twin *t, uint32_t adc_voltage, uint32_t adc_current,
		      uint32_t *out_voltage, uint32_t *out_current)
{
	uint32_t V = adc_voltage, I = adc_current;
	const uint32_t algo = t->s.hrv.algorithm;
	if (algo >= VH_MPPT_PO)
		rec_po(t, V, I);
	else if (algo >= VH_MPPT_VOC)
		rec_voc(t, &V, &I);
	else if (algo >= VH_CV)
		rec_cv(t);
	else if (algo >= VH_IVCURVE)
		rec_ivcurve(t, &V, &I);
	else if (algo >= VH_ISC_VOC)
		rec_isc_voc(t, &V, &I);
	/* else rejected at twin_init (< 8): the DAC is left alone. Deliberate deviation: the
	 * firmware only posts MSG_ERR_HRV_ALGO and writes no output slot; the twin stores the
	 * raw readings, as the simulator must put something into the ring. */
	*out_voltage = V;
	*out_current = I;

	/* The energy goes through the calibration without the residue: the HRV firmware never
	 * converts currents, so the sum must not disturb the statics. */
	const struct pru_calibration *c = &t->s.cal;
	const uint32_t V_uV = twin_cal_uV(c, V);
	const int64_t I_nA =
		(int64_t)(twin_mul64(I, c->adc_current_gain) >> 8) + (int64_t)c->adc_current_offset;
	if (I_nA > 0)
		t->sums.vi_fW += (double)V_uV * (double)I_nA;
	t->sums.samples++;
	return t->hrv.dac;
}
