/*
 * model_fields.h - the fields of the two settings models as tables (name, kind, place in the
 * struct, bounds), and the "partial" form in which a task file or a fixture gives a model: only
 * some fields, an id, maybe a base to inherit from.
 *
 * One table per model serves the task reader (which keys exist, of which type), the checks
 * (bounds) and the config dump (every field, in upstream's declaration order), so a field is
 * spelt once. Overlaying a partial on another is shallow, as upstream's dict update: a given
 * field replaces the base's, a given nested harvester replaces the base's harvester whole.
 */
#ifndef SHP_SETTINGS_MODEL_FIELDS_H
#define SHP_SETTINGS_MODEL_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "settings/settings_issue.h"
#include "settings/vharvester.h"
#include "settings/vsource.h"

enum settings_ftype {
	SFT_NAME,      /* char[64] */
	SFT_ALGORITHM, /* enum vh_algorithm, 0 = none */
	SFT_NUMBER,    /* double */
	SFT_UINT,      /* uint32_t */
	SFT_BOOL,      /* bool */
	SFT_HARVESTER, /* struct vharvester, given as a partial of its own */
	SFT_LUT2,      /* double[12][12] */
	SFT_LUT1,      /* double[12] */
};

struct settings_field {
	const char *name;
	enum settings_ftype type;
	size_t offset, size; /* in struct vharvester / struct vsource */
	double min, max;     /* inclusive; of each entry for a LUT */
	bool nullable;       /* null is allowed (NAN): voltage_step_mV, computed then */
};

enum vh_field_id {
	VHF_NAME, /* index 0 in both models */
	VHF_ALGORITHM,
	VHF_SAMPLES_N,
	VHF_VOLTAGE,
	VHF_VOLTAGE_MIN,
	VHF_VOLTAGE_MAX,
	VHF_CURRENT_LIMIT,
	VHF_VOLTAGE_STEP,
	VHF_SETPOINT,
	VHF_INTERVAL,
	VHF_DURATION,
	VHF_RISING,
	VHF_EXTRAPOLATION,
	VHF_WAIT_CYCLES,
	VHF_COUNT,
};

enum vs_field_id {
	VSF_NAME,
	VSF_ENABLE_BOOST,
	VSF_ENABLE_BUCK,
	VSF_ENABLE_FEEDBACK,
	VSF_STARTUP_DELAY,
	VSF_HARVESTER,
	VSF_V_INPUT_MAX,
	VSF_I_INPUT_MAX,
	VSF_V_INPUT_DROP,
	VSF_R_INPUT,
	VSF_C_INTERMEDIATE,
	VSF_V_INTERMEDIATE_INIT,
	VSF_I_INTERMEDIATE_LEAK,
	VSF_V_ENABLE_THRESHOLD,
	VSF_V_DISABLE_THRESHOLD,
	VSF_INTERVAL_CHECK,
	VSF_V_PWR_GOOD_ENABLE,
	VSF_V_PWR_GOOD_DISABLE,
	VSF_IMMEDIATE_PWR_GOOD,
	VSF_C_OUTPUT,
	VSF_V_OUTPUT_LOG_GPIO,
	VSF_V_INPUT_BOOST,
	VSF_V_INTERMEDIATE_MAX,
	VSF_LUT_INPUT,
	VSF_LUT_INPUT_V_LOG2,
	VSF_LUT_INPUT_I_LOG2,
	VSF_V_OUTPUT,
	VSF_V_BUCK_DROP,
	VSF_LUT_OUTPUT,
	VSF_LUT_OUTPUT_I_LOG2,
	VSF_COUNT,
};

extern const struct settings_field vh_fields[VHF_COUNT];
extern const struct settings_field vs_fields[VSF_COUNT];

#define SETTINGS_BIT(field) (UINT64_C(1) << (field))

/* What both partials start with: which fields are given, the id, the base. */
struct settings_head {
	uint64_t given; /* bit k: field k of the model's table is given */
	bool has_id;
	int64_t id;
	char inherit_from[64]; /* "" = none */
};

struct vh_partial {
	struct settings_head h;
	struct vharvester v; /* the given fields' values */
};

struct vs_partial {
	struct settings_head h;
	struct vsource v;            /* the given fields' values; v.harvester unused */
	struct vh_partial harvester; /* with SETTINGS_BIT(VSF_HARVESTER) */
};

/* The field named name (exact spelling) of a table of n fields, or -1. */
int settings_field_index(const struct settings_field *fields, size_t n, const char *name);

/* Every field given in src replaces dst's (the nested harvester included); id too. */
void vh_partial_overlay(struct vh_partial *dst, const struct vh_partial *src);
void vs_partial_overlay(struct vs_partial *dst, const struct vs_partial *src);

/* The given fields of a partial onto complete values (class defaults, say). */
void vh_partial_apply(const struct vh_partial *p, struct vharvester *out);
void vs_partial_apply(const struct vs_partial *p, struct vsource *out); /* not the harvester */

/*
 * Reports every number of the model outside its field's bounds (LUT entries each with their
 * row and column); returns how many. in_harvester marks the issues of a source's harvester.
 */
int settings_check_bounds(const struct settings_field *fields, size_t n, const void *model,
			  bool in_harvester, settings_report_fn report, void *ctx);

/* Formats and passes one issue; returns 1 (one problem) for counting. */
int settings_report(settings_report_fn report, void *ctx, bool in_harvester, int field, int row,
		    int col, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* v as an integer if it is one, else in the fewest digits that read back as the same double. */
void settings_format_number(double v, char *buf, size_t len);

#endif
