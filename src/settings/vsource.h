/*
 * vsource.h - the virtual source: shepherd-core's VirtualSourceConfig (pru-settings.md 4.2) with
 * its harvester, and its export to virtual_converter_settings (4.3): 24 scalars, the 12x12 input
 * efficiency table as bytes and the 12 output entries.
 */
#ifndef SHP_VSOURCE_H
#define SHP_VSOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "settings/energy_dtype.h"
#include "settings/settings_issue.h"
#include "settings/vharvester.h"

#define VS_LUT_SIZE 12

struct vsource {
	char name[64];
	bool enable_boost, enable_buck, enable_feedback_to_hrv;
	double interval_startup_delay_drain_ms;
	struct vharvester harvester;
	double V_input_max_mV, I_input_max_mA, V_input_drop_mV, R_input_mOhm;
	double C_intermediate_uF, V_intermediate_init_mV, I_intermediate_leak_nA;
	double V_intermediate_enable_threshold_mV, V_intermediate_disable_threshold_mV;
	double interval_check_thresholds_ms;
	double V_pwr_good_enable_threshold_mV, V_pwr_good_disable_threshold_mV;
	bool immediate_pwr_good_signal;
	double C_output_uF, V_output_log_gpio_threshold_mV, V_input_boost_threshold_mV;
	double V_intermediate_max_mV;
	double LUT_input_efficiency[VS_LUT_SIZE][VS_LUT_SIZE]; /* [voltage row][current column] */
	uint32_t LUT_input_V_min_log2_uV, LUT_input_I_min_log2_nA;
	double V_output_mV, V_buck_drop_mV;
	double LUT_output_efficiency[VS_LUT_SIZE];
	uint32_t LUT_output_I_min_log2_nA;
};

/* shepherd-core's class defaults, the harvester the resolved mppt_opt. */
void vs_defaults(struct vsource *vs);

/*
 * Reports every problem of a source whose harvester is already checked: a value out of
 * bounds, a harvester that cannot emulate (ivcurve, isc_voc). Returns how many.
 */
int vs_validate(const struct vsource *vs, settings_report_fn report, void *ctx);

/* virtual_converter_settings: scalar[k] is field k of pru-settings.md 4.1 (0..23). */
struct pru_converter {
	uint32_t scalar[24];
	uint8_t lut_input[VS_LUT_SIZE][VS_LUT_SIZE];
	uint32_t lut_output[VS_LUT_SIZE];
};

/*
 * The converter's integers for input of kind dtype_in; log_intermediate: power_tracing asks for
 * the intermediate voltage. Dropped features (boost without storage, feedback) are warned about.
 */
shp_err vs_export(const struct vsource *vs, enum shp_energy_dtype dtype_in, bool log_intermediate,
		  struct pru_converter *out);

#endif
