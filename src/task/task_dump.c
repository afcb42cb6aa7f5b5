/* task_dump.c - a task as YAML with every effective value, for the recording's "config". */
#define _GNU_SOURCE /* open_memstream */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "task/task.h"
#include "task/task_schema.h"
#include "task/task_settings.h"
#include "task/timefmt.h"

static void put_seconds(FILE *f, double s)
{
	if (s == floor(s) && fabs(s) < 1e15)
		fprintf(f, "%.0f", s);
	else
		fprintf(f, "%.6f", s);
}

static void put_limit(FILE *f, double s)
{
	if (s < 0)
		fputs("null", f);
	else
		put_seconds(f, s);
}

static const char *bool_str(bool b)
{
	return b ? "true" : "false";
}

static void put_power_tracing(FILE *f, const struct shp_power_tracing *pt)
{
	if (!pt->present) {
		fputs("power_tracing: null\n", f);
		return;
	}
	fprintf(f, "power_tracing:\n  intermediate_voltage: %s\n  delay: ",
		bool_str(pt->intermediate_voltage));
	put_seconds(f, pt->delay_s);
	fputs("\n  duration: ", f);
	put_limit(f, pt->duration_s);
	fprintf(f,
		"\n  calculate_power: %s\n  samplerate: %u\n  discard_current: %s\n"
		"  discard_voltage: %s\n",
		bool_str(pt->calculate_power), pt->samplerate, bool_str(pt->discard_current),
		bool_str(pt->discard_voltage));
}

static void put_emulation(FILE *f, const struct shp_task *t)
{
	fprintf(f,
		"enable_io: %s\nio_port: %c\npwr_port: %c\nvoltage_aux: ", bool_str(t->enable_io),
		t->io_port, t->pwr_port);
	if (t->aux_kind == SHP_AUX_MAIN)
		fputs("main\n", f);
	else if (t->aux_kind == SHP_AUX_BUFFER)
		fputs("buffer\n", f);
	else
		fprintf(f, "%g\n", t->voltage_aux);
	fputs("virtual_source:\n", f);
	task_put_source(f, &t->virtual_source, "  ");
	put_power_tracing(f, &t->power_tracing);
	const struct shp_gpio_tracing *gt = &t->gpio_tracing;
	if (!gt->present) {
		fputs("gpio_tracing: null\n", f);
	} else {
		fputs("gpio_tracing:\n  gpios: [", f);
		bool first = true;
		for (int k = 0; k < 18; k++)
			if (gt->gpios >> k & 1u) {
				fprintf(f, "%s%d", first ? "" : ", ", k);
				first = false;
			}
		fputs("]\n  delay: ", f);
		put_seconds(f, gt->delay_s);
		fputs("\n  duration: ", f);
		put_limit(f, gt->duration_s);
		fprintf(f, "\n  uart_decode: %s\n  uart_pin: %s\n  uart_baudrate: %u\n",
			bool_str(gt->uart_decode), gt->uart_pin, gt->uart_baudrate);
	}
	const struct shp_uart_logging *ul = &t->uart_logging;
	if (!ul->present)
		fputs("uart_logging: null\n", f);
	else
		fprintf(f,
			"uart_logging:\n  baudrate: %u\n  bytesize: %u\n  stopbits: %g\n"
			"  parity: %c\n",
			ul->baudrate, ul->bytesize, ul->stopbits, ul->parity);
	fputs("gpio_actuation: null\n", f);
}

static void put_programming(FILE *f, const struct shp_programming *p)
{
	fputs("firmware_file: ", f);
	schema_put_str(f, p->firmware_file);
	fprintf(f, "\ntarget_port: %c\nmcu_port: %u\nmcu_type: ", p->target_port, p->mcu_port);
	schema_put_str(f, p->mcu_type);
	char volts[32];
	for (int digits = 6; digits <= 17; digits++) { /* the fewest that read back the same */
		snprintf(volts, sizeof(volts), "%.*g", digits, p->voltage);
		if (strtod(volts, NULL) == p->voltage)
			break;
	}
	fprintf(f, "\nvoltage: %s\ndatarate: %" PRIu32 "\nprotocol: %s\nsimulate: %s\n", volts,
		p->datarate, task_protocol_name(p->protocol), bool_str(p->simulate));
}

static void put_firmware_mod(FILE *f, const struct shp_firmware_mod *m)
{
	fputs("data: ", f);
	schema_put_str(f, m->data ? m->data : "");
	fprintf(f, "\ndata_type: %s\ncustom_id: ", task_fw_data_type_name(m->data_type));
	if (m->has_custom_id)
		fprintf(f, "%u\n", (unsigned)m->custom_id);
	else
		fputs("null\n", f);
	fputs("firmware_file: ", f);
	schema_put_str(f, m->firmware_file);
	fputc('\n', f);
}

/* The fields of a harvest or an emulation. */
static void put_recording(FILE *f, const struct shp_task *t, int64_t time_start_s)
{
	bool emu = t->kind == SHP_TASK_EMULATION;
	if (emu) {
		fputs("input_path: ", f);
		schema_put_str(f, t->input_path);
		fputc('\n', f);
	}
	fputs("output_path: ", f);
	if (t->has_output)
		schema_put_str(f, t->output_path);
	else
		fputs("null", f);
	fprintf(f, "\nforce_overwrite: %s\n", bool_str(t->force_overwrite));
	fprintf(f, "output_compression: %s\n",
		t->compression == SHP_COMP_LZF     ? "lzf"
		: t->compression == SHP_COMP_GZIP1 ? "'1'"
						   : "null");
	char iso[48];
	format_iso_local(time_start_s, iso, sizeof(iso));
	fprintf(f, "time_start: %s\n", iso);
	fputs("duration: ", f);
	put_seconds(f, t->has_duration ? t->duration_s : SHP_DURATION_DEFAULT_S);
	fprintf(f, "\nabort_on_error: %s\n", bool_str(t->abort_on_error));
	fprintf(f, "use_cal_default: %s\n", bool_str(t->use_cal_default));
	if (emu) {
		put_emulation(f, t);
	} else {
		fputs("virtual_harvester:\n", f);
		task_put_harvester(f, &t->virtual_harvester, "  ");
		put_power_tracing(f, &t->power_tracing);
	}
	const struct shp_sys_logging *sl = &t->sys_logging;
	if (!sl->present)
		fputs("sys_logging: null\n", f);
	else
		fprintf(f,
			"sys_logging:\n  kernel: %s\n  time_sync: %s\n  sheep: %s\n  sys_util: "
			"%s\n",
			bool_str(sl->kernel), bool_str(sl->time_sync), bool_str(sl->sheep),
			bool_str(sl->sys_util));
}

char *task_to_yaml(const struct shp_task *t, int64_t time_start_s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	if (t->kind == SHP_TASK_PROGRAMMING)
		put_programming(f, &t->programming);
	else if (t->kind == SHP_TASK_FIRMWARE_MOD)
		put_firmware_mod(f, &t->firmware_mod);
	else
		put_recording(f, t, time_start_s);
	fprintf(f, "verbose: %d\n", t->verbose);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
