/*
 * vs_fixtures.c - the source fixtures: what each differs in from its base (pru-settings.md
 * 4.4). neutral is the class defaults; the aliases (dio_cap, dio_res_cap, *-Schmitt, default)
 * add only a name and an id.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "settings/fixtures.h"

#define G(field) SETTINGS_BIT(VSF_##field)
#define NAMED G(NAME)

#define FIXTURE(id_, base, given_, harvester_, ...)                                                \
	{                                                                                          \
		.h = {.given = NAMED | (given_),                                                   \
		      .has_id = true,                                                              \
		      .id = (id_),                                                                 \
		      .inherit_from = base},                                                       \
		.v = {__VA_ARGS__}, .harvester = harvester_,                                       \
	}

#define NO_HARVESTER                                                                               \
	{                                                                                          \
		.h = {.given = 0 }                                                                 \
	}
#define HARVESTER(name_)                                                                           \
	{                                                                                          \
		.h = {.given = SETTINGS_BIT(VHF_NAME)}, .v = {.name = name_ }                      \
	}

/* TI BQ255xx input efficiency: rows of 131 mV (2^17 uV), columns of doubling current from 8 uA */
#define BQ_INPUT_EFFICIENCY                                                                        \
	{                                                                                          \
		{0.01, 0.01, 0.02, 0.05, 0.10, 0.15, 0.15, 0.20, 0.25, 0.30, 0.30, 0.35},          \
			{0.10, 0.20, 0.30, 0.40, 0.50, 0.55, 0.56, 0.57, 0.58, 0.59, 0.60, 0.61},  \
			{0.20, 0.40, 0.50, 0.60, 0.65, 0.66, 0.67, 0.68, 0.69, 0.70, 0.71, 0.72},  \
			{0.35, 0.55, 0.65, 0.71, 0.73, 0.74, 0.75, 0.75, 0.76, 0.77, 0.77, 0.78},  \
			{0.45, 0.65, 0.70, 0.73, 0.75, 0.77, 0.78, 0.79, 0.80, 0.81, 0.81, 0.82},  \
			{0.50, 0.70, 0.74, 0.76, 0.78, 0.79, 0.80, 0.81, 0.82, 0.83, 0.83, 0.84},  \
			{0.52, 0.73, 0.76, 0.78, 0.80, 0.81, 0.82, 0.83, 0.84, 0.85, 0.85, 0.86},  \
			{0.53, 0.75, 0.77, 0.79, 0.81, 0.82, 0.83, 0.84, 0.85, 0.86, 0.86, 0.87},  \
			{0.55, 0.77, 0.78, 0.80, 0.82, 0.83, 0.85, 0.86, 0.87, 0.87, 0.87, 0.88},  \
			{0.56, 0.78, 0.79, 0.81, 0.83, 0.85, 0.87, 0.88, 0.88, 0.88, 0.88, 0.89},  \
			{0.58, 0.79, 0.80, 0.82, 0.84, 0.86, 0.88, 0.89, 0.89, 0.89, 0.89, 0.90},  \
			{0.60, 0.80, 0.81, 0.83, 0.85, 0.87, 0.89, 0.90, 0.90, 0.90, 0.90, 0.90},  \
	}

/* TI BQ25570 buck efficiency: columns of doubling current from 1 uA */
#define BQ25570_OUTPUT_EFFICIENCY                                                                  \
	{                                                                                          \
		0.40, 0.50, 0.60, 0.73, 0.82, 0.86, 0.88, 0.90, 0.91, 0.92, 0.93, 0.92             \
	}

static const struct vs_partial fixtures[] = {
	FIXTURE(1000, "", 0, NO_HARVESTER, .name = "neutral"),
	FIXTURE(1010, "neutral", G(HARVESTER), HARVESTER("direct"), .name = "direct"),
	/* a diode into a storage capacitor, feeding back its voltage to the harvester */
	FIXTURE(1011, "neutral",
		G(ENABLE_FEEDBACK) | G(HARVESTER) | G(V_INPUT_DROP) | G(C_INTERMEDIATE) |
			G(V_ENABLE_THRESHOLD) | G(V_DISABLE_THRESHOLD),
		HARVESTER("cv20"), .name = "diode+capacitor", .enable_feedback_to_hrv = true,
		.V_input_drop_mV = 300, .C_intermediate_uF = 47,
		.V_intermediate_enable_threshold_mV = 2000,
		.V_intermediate_disable_threshold_mV = 1800),
	FIXTURE(1012, "diode+capacitor", 0, NO_HARVESTER, .name = "dio_cap"),
	FIXTURE(1013, "diode+capacitor", G(R_INPUT), NO_HARVESTER,
		.name = "diode+resistor+capacitor", .R_input_mOhm = 10000),
	FIXTURE(1014, "diode+resistor+capacitor", 0, NO_HARVESTER, .name = "dio_res_cap"),
	/* TI BQ25504: boost converter into a storage capacitor */
	FIXTURE(1020, "neutral",
		G(ENABLE_BOOST) | G(HARVESTER) | G(V_INPUT_MAX) | G(I_INPUT_MAX) |
			G(C_INTERMEDIATE) | G(I_INTERMEDIATE_LEAK) | G(V_ENABLE_THRESHOLD) |
			G(INTERVAL_CHECK) | G(V_PWR_GOOD_DISABLE) | G(IMMEDIATE_PWR_GOOD) |
			G(V_INPUT_BOOST) | G(V_INTERMEDIATE_MAX) | G(LUT_INPUT) |
			G(LUT_INPUT_V_LOG2) | G(LUT_INPUT_I_LOG2),
		HARVESTER("mppt_bq_solar"), .name = "BQ25504", .enable_boost = true,
		.V_input_max_mV = 3000, .I_input_max_mA = 100, .C_intermediate_uF = 100,
		.I_intermediate_leak_nA = 330, .V_intermediate_enable_threshold_mV = 1000,
		.interval_check_thresholds_ms = 64, .V_pwr_good_disable_threshold_mV = 2340,
		.immediate_pwr_good_signal = false, .V_input_boost_threshold_mV = 130,
		.V_intermediate_max_mV = 3600, .LUT_input_efficiency = BQ_INPUT_EFFICIENCY,
		.LUT_input_V_min_log2_uV = 17, .LUT_input_I_min_log2_nA = 13),
	FIXTURE(1021, "BQ25504", G(IMMEDIATE_PWR_GOOD), NO_HARVESTER, .name = "BQ25504s",
		.immediate_pwr_good_signal = true),
	FIXTURE(1022, "BQ25504s", 0, NO_HARVESTER, .name = "BQ25504-Schmitt"),
	/* TI BQ25570: the BQ25504 with a buck converter behind the storage */
	FIXTURE(1030, "BQ25504",
		G(ENABLE_BUCK) | G(V_INPUT_MAX) | G(C_INTERMEDIATE) | G(V_INTERMEDIATE_INIT) |
			G(I_INTERMEDIATE_LEAK) | G(V_ENABLE_THRESHOLD) | G(V_DISABLE_THRESHOLD) |
			G(V_PWR_GOOD_ENABLE) | G(V_PWR_GOOD_DISABLE) | G(V_INPUT_BOOST) |
			G(V_INTERMEDIATE_MAX) | G(V_OUTPUT) | G(V_BUCK_DROP) | G(LUT_OUTPUT) |
			G(LUT_OUTPUT_I_LOG2),
		NO_HARVESTER, .name = "BQ25570", .enable_buck = true, .V_input_max_mV = 5100,
		.C_intermediate_uF = 33, .V_intermediate_init_mV = 3400,
		.I_intermediate_leak_nA = 0, .V_intermediate_enable_threshold_mV = 3000,
		.V_intermediate_disable_threshold_mV = 2400, .V_pwr_good_enable_threshold_mV = 3000,
		.V_pwr_good_disable_threshold_mV = 2500, .V_input_boost_threshold_mV = 100,
		.V_intermediate_max_mV = 5500, .V_output_mV = 2200, .V_buck_drop_mV = 200,
		.LUT_output_efficiency = BQ25570_OUTPUT_EFFICIENCY, .LUT_output_I_min_log2_nA = 10),
	FIXTURE(1031, "BQ25570", G(IMMEDIATE_PWR_GOOD), NO_HARVESTER, .name = "BQ25570s",
		.immediate_pwr_good_signal = true),
	FIXTURE(1032, "BQ25570s", 0, NO_HARVESTER, .name = "BQ25570-Schmitt"),
	FIXTURE(1033, "BQ25570s", 0, NO_HARVESTER, .name = "default"),
};

#define COUNT (sizeof(fixtures) / sizeof(fixtures[0]))

size_t vs_fixture_count(void)
{
	return COUNT;
}

const struct vs_partial *vs_fixture_at(size_t k)
{
	return k < COUNT ? &fixtures[k] : NULL;
}

const struct vs_partial *vs_fixture_by_name(const char *name)
{
	for (size_t k = COUNT; k-- > 0;)
		if (strcasecmp(fixtures[k].v.name, name) == 0)
			return &fixtures[k];
	return NULL;
}

const struct vs_partial *vs_fixture_by_id(int64_t id)
{
	for (size_t k = COUNT; k-- > 0;)
		if (fixtures[k].h.id == id)
			return &fixtures[k];
	return NULL;
}

void vs_fixture_names(char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < COUNT && used < len; k++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s (%lld)", k ? ", " : "",
					 fixtures[k].v.name, (long long)fixtures[k].h.id);
}

void vs_partial_named(const char *name, struct vs_partial *out)
{
	*out = (struct vs_partial){.h = {.given = NAMED}};
	snprintf(out->v.name, sizeof(out->v.name), "%s", name);
}
