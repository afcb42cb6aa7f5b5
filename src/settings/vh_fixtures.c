/*
 * vh_fixtures.c - the harvester fixtures: what each differs in from its base (pru-settings.md
 * 3.5). neutral is the base of all and has no algorithm; the aliases add only a name and an id.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "settings/fixtures.h"

#define G(field) SETTINGS_BIT(VHF_##field)
#define NAMED G(NAME)

#define FIXTURE(id_, base, given_, ...)                                                            \
	{                                                                                          \
		.h = {.given = NAMED | (given_),                                                   \
		      .has_id = true,                                                              \
		      .id = (id_),                                                                 \
		      .inherit_from = base},                                                       \
		.v = {__VA_ARGS__},                                                                \
	}

static const struct vh_partial fixtures[] = {
	FIXTURE(1000, "", 0, .name = "neutral"),
	/* IV curves: a ramp of samples_n steps between min and max, falling from max */
	FIXTURE(1100, "neutral", G(ALGORITHM) | G(SAMPLES_N) | G(RISING) | G(WAIT_CYCLES),
		.name = "ivcurve", .algorithm = VH_IVCURVE, .samples_n = 909, .rising = false,
		.wait_cycles = 0),
	FIXTURE(1101, "ivcurve", 0, .name = "ivsurface"),
	FIXTURE(1102, "ivcurve", G(SAMPLES_N), .name = "iv1000", .samples_n = 100),
	FIXTURE(1103, "ivcurve", 0, .name = "iv110"),
	FIXTURE(1200, "neutral", G(ALGORITHM) | G(WAIT_CYCLES), .name = "isc_voc",
		.algorithm = VH_ISC_VOC, .wait_cycles = 4),
	/* constant voltage */
	FIXTURE(2100, "neutral", G(ALGORITHM) | G(VOLTAGE), .name = "cv20", .algorithm = VH_CV,
		.voltage_mV = 2000),
	FIXTURE(2101, "cv20", G(VOLTAGE), .name = "cv24", .voltage_mV = 2400),
	FIXTURE(2102, "cv20", G(VOLTAGE), .name = "cv33", .voltage_mV = 3300),
	FIXTURE(2102, "cv20", G(VOLTAGE), .name = "cv10", .voltage_mV = 1000),
	/* maximum power point trackers */
	FIXTURE(2200, "neutral", G(ALGORITHM) | G(CURRENT_LIMIT) | G(SETPOINT) | G(DURATION),
		.name = "mppt_voc", .algorithm = VH_MPPT_VOC, .current_limit_uA = 5,
		.setpoint_n = 0.76, .duration_ms = 1.2),
	FIXTURE(2201, "mppt_voc", G(INTERVAL) | G(DURATION), .name = "mppt_bq",
		.interval_ms = 16000, .duration_ms = 256),
	FIXTURE(2202, "mppt_bq", G(SETPOINT), .name = "mppt_bqt", .setpoint_n = 0.5),
	FIXTURE(2203, "mppt_bq", 0, .name = "mppt_bq_solar"),
	FIXTURE(2204, "mppt_bqt", 0, .name = "mppt_bq_thermoelectric"),
	FIXTURE(2205, "neutral", G(ALGORITHM) | G(VOLTAGE_STEP) | G(INTERVAL), .name = "mppt_po",
		.algorithm = VH_MPPT_PO, .voltage_step_mV = 10, .interval_ms = 18),
	FIXTURE(2206, "neutral", G(ALGORITHM) | G(VOLTAGE_STEP) | G(INTERVAL), .name = "mppt_opt",
		.algorithm = VH_MPPT_OPT, .voltage_step_mV = 1, .interval_ms = 0.01),
	/* no harvesting: the input's IV samples pass through (emulation only) */
	FIXTURE(3000, "neutral", G(ALGORITHM), .name = "direct", .algorithm = VH_NEUTRAL),
};

#define COUNT (sizeof(fixtures) / sizeof(fixtures[0]))

size_t vh_fixture_count(void)
{
	return COUNT;
}

const struct vh_partial *vh_fixture_at(size_t k)
{
	return k < COUNT ? &fixtures[k] : NULL;
}

const struct vh_partial *vh_fixture_by_name(const char *name)
{
	for (size_t k = COUNT; k-- > 0;)
		if (strcasecmp(fixtures[k].v.name, name) == 0)
			return &fixtures[k];
	return NULL;
}

const struct vh_partial *vh_fixture_by_id(int64_t id)
{
	for (size_t k = COUNT; k-- > 0;) /* the later of two with one id */
		if (fixtures[k].h.id == id)
			return &fixtures[k];
	return NULL;
}

void vh_fixture_names(char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < COUNT && used < len; k++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s (%lld)", k ? ", " : "",
					 fixtures[k].v.name, (long long)fixtures[k].h.id);
}

void vh_partial_named(const char *name, struct vh_partial *out)
{
	*out = (struct vh_partial){.h = {.given = NAMED}};
	snprintf(out->v.name, sizeof(out->v.name), "%s", name);
}
