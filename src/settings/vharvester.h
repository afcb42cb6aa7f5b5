/*
 * vharvester.h - the virtual harvester: shepherd-core's VirtualHarvesterConfig (every field,
 * class default, bound and validator correction of pru-settings.md 3) and its export to the
 * twelve integers of virtual_harvester_settings, for recording (HRV firmware) or emulation
 * (EMU firmware).
 */
#ifndef SHP_VHARVESTER_H
#define SHP_VHARVESTER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "settings/energy_dtype.h"
#include "settings/settings_issue.h"

enum vh_algorithm {
	VH_NEUTRAL = 1,
	VH_ISC_VOC = 8,
	VH_IVCURVE = 16,
	VH_CV = 256,
	VH_MPPT_VOC = 4096,
	VH_MPPT_PO = 8192,
	VH_MPPT_OPT = 16384,
};

/* A resolved harvester: fixture, inheritance, defaults and corrections applied. */
struct vharvester {
	char name[64];
	enum vh_algorithm algorithm;
	uint32_t samples_n;
	double voltage_mV, voltage_min_mV, voltage_max_mV;
	double current_limit_uA;
	double voltage_step_mV;
	double setpoint_n;
	double interval_ms, duration_ms;
	bool rising, enable_linear_extrapolation;
	uint32_t wait_cycles;
};

/* virtual_harvester_settings, fields 0..11 in the kernel's order. */
struct pru_harvester {
	uint32_t algorithm, hrv_mode, window_size, voltage_uV, voltage_min_uV, voltage_max_uV,
		voltage_step_uV, current_limit_nA, setpoint_n8, interval_n, duration_n,
		wait_cycles_n;
};

/* The canonical name of an algorithm ("mppt_opt"), "none" for 0. */
const char *vh_algorithm_name(enum vh_algorithm algorithm);

/* An algorithm by name or alias (direct, disable, ivcurves, ivsurface, constant, ...). */
bool vh_algorithm_parse(const char *name, enum vh_algorithm *out);

/* The algorithms' names, comma separated, for messages. */
const char *vh_algorithm_names(void);

/* shepherd-core's class defaults; no algorithm (0), voltage_step_mV NAN (computed). */
void vh_defaults(struct vharvester *vh);

/*
 * The model's validator (pru-settings.md 3.2): corrects current_limit_uA and voltage_step_mV
 * (computed when NAN) in place, then reports every problem: a harvester named neutral, no
 * algorithm, a value out of bounds, voltage_mV outside min..max. Returns how many.
 */
int vh_validate(struct vharvester *vh, bool in_source, settings_report_fn report, void *ctx);

/* The kind of data the harvester records. */
enum shp_energy_dtype vh_datatype(const struct vharvester *vh);

/* The /data window_samples a recording with vh gets (pru-settings.md 3.4). */
uint32_t vh_window_samples(const struct vharvester *vh);

/* For a harvest: refuses an algorithm the HRV firmware cannot record (neutral), logged. */
shp_err vh_export_recording(const struct vharvester *vh, struct pru_harvester *out);

/*
 * For an emulation with input of kind dtype_in: window_size and voltage_step_V are the input's
 * (0 / NAN when it has none). Refuses what the EMU firmware cannot do (an ivcurve or isc_voc
 * harvester, isc_voc input, ivcurve input without window or step), logged with the reason.
 */
shp_err vh_export_emulation(const struct vharvester *vh, enum shp_energy_dtype dtype_in,
			    uint32_t window_size, double voltage_step_V, struct pru_harvester *out);

#endif
