/* run_settings.c - the PRU settings of a run, from the task and the input (run_settings.h). */
#include "sheep/run_settings.h"

#include <string.h>

#include "common/log.h"
#include "node/cape.h"
#include "pru/pru_settings.h"
#include "settings/cal_source.h"

static shp_err prepare_harvest(struct run_settings *rs, const struct shp_task *task)
{
	const struct vharvester *vh = &task->virtual_harvester;
	SHP_TRY(vh_export_recording(vh, &rs->harvester));
	SHP_TRY(cal_harvester_export(&rs->cape.harvester, &rs->calibration));
	rs->datatype = vh_datatype(vh);
	rs->window_samples = vh_window_samples(vh);
	rs->voltage = rs->cape.harvester.adc_V_Sense;
	rs->current = rs->cape.harvester.adc_C_Hrv;
	return SHP_OK;
}

static shp_err prepare_emulation(struct run_settings *rs, const struct shp_task *task,
				 const struct h5_input *input)
{
	const struct vsource *vs = &task->virtual_source;
	/* the input's own harvester step: required for its curves, taken over for samples as the
	 * predecessor does (the firmware ignores it there) */
	bool curves = input->dtype == SHP_DTYPE_IVCURVE;
	double step_V = h5_input_voltage_step_V(input, curves);
	if (curves && !(step_V > 0)) {
		log_error("input %s: its IV curves have no voltage step (its config names none and "
			  "its first 2000 voltages do not change)",
			  input->path);
		return SHP_ERR_INPUT;
	}
	if (curves)
		log_info("input %s: IV curves of %u samples, voltage step %.4f mV", input->path,
			 input->window_samples, step_V * 1e3);
	SHP_TRY(vh_export_emulation(&vs->harvester, input->dtype, input->window_samples, step_V,
				    &rs->harvester));
	bool log_mid = task->power_tracing.present && task->power_tracing.intermediate_voltage;
	SHP_TRY(vs_export(vs, input->dtype, log_mid, &rs->converter));
	SHP_TRY(cal_emulator_export(&rs->cape.emulator, &rs->calibration));
	rs->datatype = SHP_DTYPE_IVSAMPLE;
	rs->window_samples = 0;
	rs->voltage = rs->cape.emulator.dac_V_A;
	rs->current = rs->cape.emulator.adc_C_A;
	return SHP_OK;
}

shp_err run_settings_prepare(struct run_settings *rs, const struct shp_task *task,
			     const struct h5_input *input, const char *eeprom_path)
{
	memset(rs, 0, sizeof(*rs));
	rs->emulation = task->kind == SHP_TASK_EMULATION;
	SHP_TRY(cal_for_run(eeprom_path, task->use_cal_default, &rs->cape, NULL));
	return rs->emulation ? prepare_emulation(rs, task, input) : prepare_harvest(rs, task);
}

shp_err run_settings_apply(const struct run_settings *rs, const struct shp_sysfs *s)
{
	struct pru_settings set = {
		.calibration = &rs->calibration,
		.harvester = &rs->harvester,
		.converter = rs->emulation ? &rs->converter : NULL,
	};
	return pru_settings_apply(s, rs->emulation ? "emulator" : "harvester", &set);
}

uint32_t run_settings_aux_word(const struct run_settings *rs, const struct shp_task *task)
{
	if (task->aux_kind == SHP_AUX_MAIN)
		return CAPE_AUX_MAIN;
	if (task->aux_kind == SHP_AUX_BUFFER)
		return CAPE_AUX_BUFFER;
	/* with DAC A's pair of the cape's calibration (node-control.md 2.4); the task's 0 ... 4.5 V
	 * are within what cape_aux_word takes */
	uint32_t word = 0;
	cape_aux_word(task->voltage_aux, &rs->cape.emulator.dac_V_A, &word);
	return word;
}
