/* model_fields.c - the two models' field tables, shallow overlay of partials, bound checks. */
#include "settings/model_fields.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VH(field, type, member, min, max)                                                          \
	[field] = {#member,                                                                        \
		   type,                                                                           \
		   offsetof(struct vharvester, member),                                            \
		   sizeof(((struct vharvester *)0)->member),                                       \
		   min,                                                                            \
		   max,                                                                            \
		   false}
#define VS(field, type, member, min, max)                                                          \
	[field] = {#member,                                                                        \
		   type,                                                                           \
		   offsetof(struct vsource, member),                                               \
		   sizeof(((struct vsource *)0)->member),                                          \
		   min,                                                                            \
		   max,                                                                            \
		   false}

/* Bounds of shepherd-core's VirtualHarvesterConfig (pru-settings.md 3.2). */
const struct settings_field vh_fields[VHF_COUNT] = {
	VH(VHF_NAME, SFT_NAME, name, 0, 0),
	VH(VHF_ALGORITHM, SFT_ALGORITHM, algorithm, 0, 0),
	VH(VHF_SAMPLES_N, SFT_UINT, samples_n, 8, 2000),
	VH(VHF_VOLTAGE, SFT_NUMBER, voltage_mV, 0, 5000),
	VH(VHF_VOLTAGE_MIN, SFT_NUMBER, voltage_min_mV, 0, 5000),
	VH(VHF_VOLTAGE_MAX, SFT_NUMBER, voltage_max_mV, 0, 5000),
	VH(VHF_CURRENT_LIMIT, SFT_NUMBER, current_limit_uA, 1, 50000),
	[VHF_VOLTAGE_STEP] = {"voltage_step_mV", SFT_NUMBER,
			      offsetof(struct vharvester, voltage_step_mV), sizeof(double), 1, 1e6,
			      true},
	VH(VHF_SETPOINT, SFT_NUMBER, setpoint_n, 0, 1),
	VH(VHF_INTERVAL, SFT_NUMBER, interval_ms, 0.01, 1e6),
	VH(VHF_DURATION, SFT_NUMBER, duration_ms, 0.01, 1e6),
	VH(VHF_RISING, SFT_BOOL, rising, 0, 0),
	VH(VHF_EXTRAPOLATION, SFT_BOOL, enable_linear_extrapolation, 0, 0),
	VH(VHF_WAIT_CYCLES, SFT_UINT, wait_cycles, 0, 100),
};

/* Bounds of shepherd-core's VirtualSourceConfig (pru-settings.md 4.2). */
const struct settings_field vs_fields[VSF_COUNT] = {
	VS(VSF_NAME, SFT_NAME, name, 0, 0),
	VS(VSF_ENABLE_BOOST, SFT_BOOL, enable_boost, 0, 0),
	VS(VSF_ENABLE_BUCK, SFT_BOOL, enable_buck, 0, 0),
	VS(VSF_ENABLE_FEEDBACK, SFT_BOOL, enable_feedback_to_hrv, 0, 0),
	VS(VSF_STARTUP_DELAY, SFT_NUMBER, interval_startup_delay_drain_ms, 0, 1e4),
	VS(VSF_HARVESTER, SFT_HARVESTER, harvester, 0, 0),
	VS(VSF_V_INPUT_MAX, SFT_NUMBER, V_input_max_mV, 0, 1e4),
	VS(VSF_I_INPUT_MAX, SFT_NUMBER, I_input_max_mA, 0, 4290),
	VS(VSF_V_INPUT_DROP, SFT_NUMBER, V_input_drop_mV, 0, 4.29e6),
	VS(VSF_R_INPUT, SFT_NUMBER, R_input_mOhm, 0, 4.29e6),
	VS(VSF_C_INTERMEDIATE, SFT_NUMBER, C_intermediate_uF, 0, 1e5),
	VS(VSF_V_INTERMEDIATE_INIT, SFT_NUMBER, V_intermediate_init_mV, 0, 1e4),
	VS(VSF_I_INTERMEDIATE_LEAK, SFT_NUMBER, I_intermediate_leak_nA, 0, 4.29e9),
	VS(VSF_V_ENABLE_THRESHOLD, SFT_NUMBER, V_intermediate_enable_threshold_mV, 0, 1e4),
	VS(VSF_V_DISABLE_THRESHOLD, SFT_NUMBER, V_intermediate_disable_threshold_mV, 0, 1e4),
	VS(VSF_INTERVAL_CHECK, SFT_NUMBER, interval_check_thresholds_ms, 0, 4290),
	VS(VSF_V_PWR_GOOD_ENABLE, SFT_NUMBER, V_pwr_good_enable_threshold_mV, 0, 1e4),
	VS(VSF_V_PWR_GOOD_DISABLE, SFT_NUMBER, V_pwr_good_disable_threshold_mV, 0, 1e4),
	VS(VSF_IMMEDIATE_PWR_GOOD, SFT_BOOL, immediate_pwr_good_signal, 0, 0),
	VS(VSF_C_OUTPUT, SFT_NUMBER, C_output_uF, 0, 4.29e6),
	VS(VSF_V_OUTPUT_LOG_GPIO, SFT_NUMBER, V_output_log_gpio_threshold_mV, 0, 4.29e6),
	VS(VSF_V_INPUT_BOOST, SFT_NUMBER, V_input_boost_threshold_mV, 0, 1e4),
	VS(VSF_V_INTERMEDIATE_MAX, SFT_NUMBER, V_intermediate_max_mV, 0, 1e4),
	VS(VSF_LUT_INPUT, SFT_LUT2, LUT_input_efficiency, 0, 1),
	VS(VSF_LUT_INPUT_V_LOG2, SFT_UINT, LUT_input_V_min_log2_uV, 0, 20),
	VS(VSF_LUT_INPUT_I_LOG2, SFT_UINT, LUT_input_I_min_log2_nA, 1, 20),
	VS(VSF_V_OUTPUT, SFT_NUMBER, V_output_mV, 0, 5000),
	VS(VSF_V_BUCK_DROP, SFT_NUMBER, V_buck_drop_mV, 0, 5000),
	VS(VSF_LUT_OUTPUT, SFT_LUT1, LUT_output_efficiency, 0, 1),
	VS(VSF_LUT_OUTPUT_I_LOG2, SFT_UINT, LUT_output_I_min_log2_nA, 1, 20),
};

_Static_assert(VSF_COUNT <= 64 && VHF_COUNT <= 64, "the given-bits fit a uint64_t");

int settings_field_index(const struct settings_field *fields, size_t n, const char *name)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(fields[k].name, name) == 0)
			return (int)k;
	return -1;
}

/* The given fields' bytes of src onto dst; the nested harvester is the caller's. */
static void copy_given(const struct settings_field *fields, size_t n, void *dst, const void *src,
		       uint64_t given)
{
	for (size_t k = 0; k < n; k++)
		if ((given & SETTINGS_BIT(k)) && fields[k].type != SFT_HARVESTER)
			memcpy((char *)dst + fields[k].offset, (const char *)src + fields[k].offset,
			       fields[k].size);
}

static void overlay_head(struct settings_head *dst, const struct settings_head *src)
{
	dst->given |= src->given;
	if (src->has_id) {
		dst->has_id = true;
		dst->id = src->id;
	}
}

void vh_partial_overlay(struct vh_partial *dst, const struct vh_partial *src)
{
	copy_given(vh_fields, VHF_COUNT, &dst->v, &src->v, src->h.given);
	overlay_head(&dst->h, &src->h);
}

void vs_partial_overlay(struct vs_partial *dst, const struct vs_partial *src)
{
	copy_given(vs_fields, VSF_COUNT, &dst->v, &src->v, src->h.given);
	if (src->h.given & SETTINGS_BIT(VSF_HARVESTER))
		dst->harvester = src->harvester; /* whole: a shallow overlay */
	overlay_head(&dst->h, &src->h);
}

void vh_partial_apply(const struct vh_partial *p, struct vharvester *out)
{
	copy_given(vh_fields, VHF_COUNT, out, &p->v, p->h.given);
}

void vs_partial_apply(const struct vs_partial *p, struct vsource *out)
{
	copy_given(vs_fields, VSF_COUNT, out, &p->v, p->h.given);
}

void settings_format_number(double v, char *buf, size_t len)
{
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	for (int digits = 1; digits <= 17; digits++) {
		snprintf(buf, len, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

int settings_report(settings_report_fn report, void *ctx, bool in_harvester, int field, int row,
		    int col, const char *fmt, ...)
{
	struct settings_issue issue = {
		.in_harvester = in_harvester, .field = field, .row = row, .col = col};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(issue.msg, sizeof(issue.msg), fmt, ap);
	va_end(ap);
	if (report)
		report(ctx, &issue);
	return 1;
}

static int check_number(const struct settings_field *f, int field, double v, int row, int col,
			bool in_harvester, settings_report_fn report, void *ctx)
{
	if (v >= f->min && v <= f->max) /* NaN is out of range too */
		return 0;
	char value[32], min[32], max[32];
	settings_format_number(v, value, sizeof(value));
	settings_format_number(f->min, min, sizeof(min));
	settings_format_number(f->max, max, sizeof(max));
	if (row < 0)
		return settings_report(report, ctx, in_harvester, field, -1, -1,
				       "%s is out of range (%s <= %s <= %s)", value, min, f->name,
				       max);
	if (col < 0)
		return settings_report(report, ctx, in_harvester, field, row, -1,
				       "entry [%d] = %s is out of range (%s to %s)", row, value,
				       min, max);
	return settings_report(report, ctx, in_harvester, field, row, col,
			       "entry [%d][%d] = %s is out of range (%s to %s)", row, col, value,
			       min, max);
}

int settings_check_bounds(const struct settings_field *fields, size_t n, const void *model,
			  bool in_harvester, settings_report_fn report, void *ctx)
{
	int problems = 0;
	for (size_t k = 0; k < n; k++) {
		const struct settings_field *f = &fields[k];
		const char *at = (const char *)model + f->offset;
		int field = (int)k;
		if (f->type == SFT_NUMBER) {
			double v;
			memcpy(&v, at, sizeof(v));
			problems += check_number(f, field, v, -1, -1, in_harvester, report, ctx);
		} else if (f->type == SFT_UINT) {
			uint32_t v;
			memcpy(&v, at, sizeof(v));
			problems += check_number(f, field, v, -1, -1, in_harvester, report, ctx);
		} else if (f->type == SFT_LUT1 || f->type == SFT_LUT2) {
			size_t entries = f->size / sizeof(double);
			for (size_t e = 0; e < entries; e++) {
				double v;
				memcpy(&v, at + e * sizeof(double), sizeof(v));
				int row = f->type == SFT_LUT2 ? (int)(e / VS_LUT_SIZE) : (int)e;
				int col = f->type == SFT_LUT2 ? (int)(e % VS_LUT_SIZE) : -1;
				problems += check_number(f, field, v, row, col, in_harvester,
							 report, ctx);
			}
		}
	}
	return problems;
}
