/*
 * twin_internal.h - the state of one twin (struct twin), split as on the PRU into what
 * twin_init sets up (calibration block, converter and harvester state) and the firmware's
 * function statics (struct twin_statics, reset only by twin_new / twin_load_firmware).
 * Shared by the twin's own translation units and by the unit tests, which read V_mid, the
 * residue and the harvesters' statics through it. Not part of the public interface.
 */
#ifndef SHP_TWIN_INTERNAL_H
#define SHP_TWIN_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "twin.h"
#include "twin_math.h"

/* converter_mode bits (pru-settings.md 4.1) */
#define TWIN_CONV_STORAGE 0x01u
#define TWIN_CONV_BOOST 0x02u
#define TWIN_CONV_BUCK 0x04u
#define TWIN_CONV_LOG_MID 0x08u
#define TWIN_CONV_FEEDBACK 0x10u

/* aux word (7.1): the field (aux >> 20) & 3 is 1 (link A to main) or 2 (V_mid, "buffer");
 * 3 is neither */
#define TWIN_AUX_MAIN (1u << 20)
#define TWIN_AUX_BUFFER (1u << 21)
#define TWIN_AUX_MODE(aux) (((aux) >> 20) & 3u)

/* the calibration's cap on the remembered negative noise: NOISE_ESTIMATE 2000 nA x 30 */
#define TWIN_RESIDUE_MAX_nA 60000u

#define TWIN_DIV_LUT_SIZE 40u

/* Function statics of the firmware: they keep their values across twin_init. */
struct twin_statics {
	uint32_t residue_nA;   /* calibration: negative offset not yet compensated */
	uint32_t sample_count; /* converter: threshold check interval, starts 0xFFFFFFF0 */
	bool is_outputting;    /* converter: output switch */
	/* emulation CV (also run by mppt_voc and mppt_po) */
	uint32_t cv_V_last, cv_I_last;
	int32_t cv_dV, cv_dI;
	bool cv_cmp_last;
	/* emulation mppt_voc */
	uint32_t voc_age_now, voc_age_nxt;
	/* emulation mppt_po */
	uint64_t po_P_last;
	/* emulation mppt_opt */
	uint32_t opt_age_now, opt_age_nxt;
	uint32_t opt_V_now, opt_I_now, opt_V_nxt, opt_I_nxt;
	uint64_t opt_P_now, opt_P_nxt;
};

/* The converter as converter_initialize leaves it, then per sample. */
struct twin_conv {
	uint32_t mode;
	uint32_t startup_n; /* samples left with the output on but no drain */
	uint64_t P_inp_fW_n8, P_out_fW_n4;
	uint64_t V_mid_uV_n32;
	uint64_t V_enable_n32, V_disable_n32, dV_enable_n32;
	uint32_t V_out_dac_uV, V_out_dac_raw;
	uint32_t V_input_request_uV;
	bool power_good;
	bool gpio_paused;
};

/* The harvester as harvester_initialize leaves it; the rest of pru_harvester is read live. */
struct twin_hrv {
	uint32_t voltage_set_uV;
	uint32_t interval_step;
	uint32_t volt_step_uV;
	uint32_t voltage_hold, current_hold;
	uint32_t step4_uV;
	uint32_t age_max;
	uint32_t voc_now, voc_nxt, voc_min;
	bool is_rising, lin_extrapolation;
	/* recording (HRV firmware), reset by harvester_initialize */
	uint32_t settle_steps;   /* ivcurve and isc_voc share it */
	uint32_t power_last_raw; /* mppt_po: P = mul32(I_raw, V_raw) of the last step */
	uint32_t dac;            /* the DAC code last written (init: sample_init's) */
};

struct twin_sums {
	uint64_t samples, samples_power_good;
	double vi_fW;     /* harvester output, fW per sample summed */
	double inp_fW_n8; /* P_inp summed */
	double out_fW_n4; /* P_out summed */
	double target_fW; /* target V*I summed */
};

struct twin {
	struct twin_settings s; /* what twin_init read; the live fields are read from here */
	bool emulation;
	bool algo_ok; /* false: the firmware rejected the harvester algorithm */
	struct twin_statics st;
	struct twin_conv conv;
	struct twin_hrv hrv;
	uint32_t dac_a, dac_b;
	struct twin_sums sums;
};

/* The statics as a fresh firmware has them. */
void twin_statics_reset(struct twin_statics *st);

/* Harvester init (both firmwares) and the recording harvester (twin_hrv_rec.c). */
void twin_hrv_init(struct twin *t);
bool twin_hrv_rec_algorithm_ok(uint32_t algorithm);
bool twin_hrv_emu_algorithm_ok(const struct pru_harvester *cfg);

/* The division LUT of the storage update (pru-settings.md 7.2), for tests. */
extern const uint32_t twin_div_lut[TWIN_DIV_LUT_SIZE];

/* Internal entry points the tests use to reach single stages. */
uint32_t twin_cal_adc_to_nA(struct twin *t, uint32_t raw);
uint32_t twin_cal_adc_to_uV(const struct twin *t, uint32_t raw);
uint32_t twin_cal_uV_to_dac(const struct twin *t, uint32_t uV);
uint64_t twin_conv_div(uint64_t P_fW_n4, uint32_t V_uV);
uint32_t twin_conv_I_mid_out_nA(const struct twin *t);
void twin_conv_inp_power(struct twin *t, uint32_t V_uV, uint32_t I_nA);
/* Runs only the emulation harvester on one input sample. */
void twin_hrv_emu_run(struct twin *t, uint32_t *V_uV, uint32_t *I_nA);

static inline uint32_t twin_V_mid_uV(const struct twin *t)
{
	return (uint32_t)(t->conv.V_mid_uV_n32 >> 32);
}

/* Perturb & observe, as both firmwares have it: one step of the set point in its direction
 * (saturating). */
static inline void twin_po_move(struct twin_hrv *h)
{
	h->voltage_set_uV = h->is_rising ? twin_add32(h->voltage_set_uV, h->volt_step_uV)
					 : twin_sub32(h->voltage_set_uV, h->volt_step_uV);
}

/* ... and its clamps: at max it turns down, at min up, the step back to the configured one. */
static inline void twin_po_clamp(struct twin_hrv *h, const struct pru_harvester *cfg)
{
	if (h->voltage_set_uV >= cfg->voltage_max_uV) {
		h->voltage_set_uV = cfg->voltage_max_uV;
		h->is_rising = false;
		h->volt_step_uV = cfg->voltage_step_uV;
	}
	if (h->voltage_set_uV <= cfg->voltage_min_uV) {
		h->voltage_set_uV = cfg->voltage_min_uV;
		h->is_rising = true;
		h->volt_step_uV = cfg->voltage_step_uV;
	}
}

#endif
