/* h5_input_step.c - the voltage step of an input's IV curves, from its config or its samples. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "h5/h5_common.h"
#include "h5/h5_input.h"

#define CONFIG_MAX_BYTES (256 * 1024)
#define STEP_PROBE_SAMPLES 2000

static const yaml_node_t *map_get(yaml_document_t *doc, const yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		const yaml_node_t *k = yaml_document_get_node(doc, p->key);
		if (k && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

/* config: virtual_harvester.voltage_step_mV in mV, or NAN. */
static double step_from_config(const char *config, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	double mv = NAN;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)config, len);
	if (yaml_parser_load(&parser, &doc)) {
		const yaml_node_t *root = yaml_document_get_root_node(&doc);
		const yaml_node_t *params = map_get(&doc, root, "parameters");
		const yaml_node_t *vh = map_get(&doc, params ? params : root, "virtual_harvester");
		const yaml_node_t *step = map_get(&doc, vh, "voltage_step_mV");
		if (step && step->type == YAML_SCALAR_NODE) {
			char *end;
			double v = strtod((const char *)step->data.scalar.value, &end);
			if (*end == '\0' && end != (const char *)step->data.scalar.value)
				mv = v;
		}
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	return mv;
}

/* The smallest positive difference of consecutive calibrated voltages, in V, or NAN. */
static double step_from_samples(const struct h5_input *in)
{
	uint32_t n = in->samples < STEP_PROBE_SAMPLES ? (uint32_t)in->samples : STEP_PROBE_SAMPLES;
	uint32_t *raw = malloc((size_t)n * sizeof(*raw));
	double best = NAN;
	if (raw && h5_input_read_voltage_raw(in, 0, n, raw) == SHP_OK) {
		for (uint32_t k = 1; k < n; k++) {
			double d =
				fabs(((double)raw[k] - (double)raw[k - 1]) * in->cal_voltage.gain);
			if (d > 0 && !(d >= best))
				best = d;
		}
	}
	free(raw);
	return best;
}

double h5_input_voltage_step_V(const struct h5_input *in, bool from_samples)
{
	char *config = malloc(CONFIG_MAX_BYTES);
	double mv = NAN;
	if (config && shp_h5_read_attr_str(in->file, "config", config, CONFIG_MAX_BYTES))
		mv = step_from_config(config, strlen(config));
	free(config);
	if (mv > 0 && isfinite(mv))
		return mv * 1e-3;
	return from_samples ? step_from_samples(in) : NAN;
}
