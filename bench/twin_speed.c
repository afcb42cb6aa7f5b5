/*
 * twin_speed - samples per second of the PRU's twin (src/twin) on one core: the emulation of
 * a few sources with a resistor:1000 target, settings made by the project's exporters
 * (fixtures, nominal calibration) as the sheep makes them.
 *
 * Input: for ivcurve a sawtooth of 110-sample sweeps over a diode-like cell curve, for
 * ivsample a slow smooth wave. One block of input is replayed until the sample count is
 * reached; CPU time (CLOCK_PROCESS_CPUTIME_ID) covers only twin_emulate_block.
 *
 * usage: twin_speed [--samples N] [--json]
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "settings/calibration.h"
#include "settings/fixtures.h"
#include "settings/vharvester.h"
#include "settings/vsource.h"
#include "twin/twin.h"
#include "twin/twin_target.h"

#define WINDOW 110u
#define BLOCK (WINDOW * 2000u) /* a whole number of sweeps */

struct bench_case {
	const char *source;
	const char *harvester; /* NULL: the source's own */
	enum shp_energy_dtype dtype;
};

static const struct bench_case cases[] = {
	{"BQ25570", "mppt_opt", SHP_DTYPE_IVCURVE}, {"BQ25504", NULL, SHP_DTYPE_IVSAMPLE},
	{"BQ25570", NULL, SHP_DTYPE_IVSAMPLE},      {"BQ25504", "mppt_po", SHP_DTYPE_IVCURVE},
	{"BQ25570", "mppt_voc", SHP_DTYPE_IVCURVE}, {"diode+capacitor", NULL, SHP_DTYPE_IVCURVE},
	{"direct", NULL, SHP_DTYPE_IVSAMPLE},
};

/* a cell of 4.5 V open circuit and 2 mA short circuit, exponential knee */
static uint32_t cell_current_nA(double v)
{
	const double i = 2e-3 * (1.0 - exp((v - 4.5) / 0.25));
	return i > 0 ? (uint32_t)(i * 1e9) : 0u;
}

static void make_input(enum shp_energy_dtype dtype, uint32_t *in)
{
	for (uint32_t k = 0; k < BLOCK; k++) {
		double v;
		uint32_t i;
		if (dtype == SHP_DTYPE_IVCURVE) {
			v = 4.6 * (double)(k % WINDOW) / (WINDOW - 1);
			i = cell_current_nA(v);
		} else {
			const double ph = 2.0 * M_PI * (double)k / BLOCK;
			v = 2.0 + 0.8 * sin(ph);
			i = (uint32_t)(1e6 * (1.5 + sin(3 * ph)));
		}
		in[2 * k] = (uint32_t)(v * 1e6);
		in[2 * k + 1] = i;
	}
}

static bool make_settings(const struct bench_case *c, struct twin_settings *s)
{
	struct vsource vs;
	struct cal_cape cape;
	memset(s, 0, sizeof(*s));
	if (vs_fixture(c->source, &vs) != SHP_OK)
		return false;
	if (c->harvester && vh_fixture(c->harvester, &vs.harvester) != SHP_OK)
		return false;
	const bool curve = c->dtype == SHP_DTYPE_IVCURVE;
	const double step_V = 4.6 / (WINDOW - 1);
	if (vs_export(&vs, c->dtype, false, &s->conv) != SHP_OK ||
	    vh_export_emulation(&vs.harvester, c->dtype, curve ? WINDOW : 0, curve ? step_V : NAN,
				&s->hrv) != SHP_OK)
		return false;
	cal_nominal(&cape);
	return cal_emulator_export(&cape.emulator, &s->cal) == SHP_OK;
}

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	uint64_t samples = 20000000;
	bool json = false;
	for (int a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[a], "--samples") == 0 && a + 1 < argc) {
			samples = strtoull(argv[++a], NULL, 10);
		} else {
			fprintf(stderr, "usage: %s [--samples N] [--json]\n", argv[0]);
			return 2;
		}
	}
	uint32_t *in = malloc(sizeof(uint32_t) * 2 * BLOCK);
	uint32_t *ov = malloc(sizeof(uint32_t) * BLOCK);
	uint32_t *oc = malloc(sizeof(uint32_t) * BLOCK);
	uint8_t *flags = malloc(BLOCK);
	struct twin *t = twin_new();
	struct twin_target target;
	char why[128];
	if (!in || !ov || !oc || !flags || !t ||
	    !twin_target_parse("resistor:1000", &target, why, sizeof(why))) {
		fprintf(stderr, "twin_speed: setup failed\n");
		return 1;
	}
	if (json)
		printf("[");
	const size_t n_cases = sizeof(cases) / sizeof(cases[0]);
	for (size_t c = 0; c < n_cases; c++) {
		struct twin_settings s;
		if (!make_settings(&cases[c], &s)) {
			fprintf(stderr, "twin_speed: no settings for %s\n", cases[c].source);
			return 1;
		}
		make_input(cases[c].dtype, in);
		twin_load_firmware(t);
		twin_init(t, &s, true);
		uint64_t done = 0;
		const double t0 = cpu_seconds();
		while (done < samples) {
			const uint32_t n =
				samples - done < BLOCK ? (uint32_t)(samples - done) : BLOCK;
			twin_emulate_block(t, &target, in, n, ov, oc, flags);
			done += n;
		}
		const double dt = cpu_seconds() - t0;
		const double msps = (double)samples / dt * 1e-6;
		const struct twin_energy e = twin_energy(t);
		const char *hrv = cases[c].harvester ? cases[c].harvester : "own";
		const char *input = cases[c].dtype == SHP_DTYPE_IVCURVE ? "ivcurve" : "ivsample";
		if (json)
			printf("%s\n {\"source\": \"%s\", \"harvester\": \"%s\", \"input\": \"%s\", "
			       "\"samples\": %llu, \"cpu_s\": %.6f, \"msps\": %.3f, "
			       "\"to_target_J\": %.9g}",
			       c ? "," : "", cases[c].source, hrv, input,
			       (unsigned long long)samples, dt, msps, e.to_target_J);
		else
			printf("%s %s %s: %.1f M samples/s\n", cases[c].source, hrv, input, msps);
	}
	if (json)
		printf("\n]\n");
	twin_free(t);
	free(in);
	free(ov);
	free(oc);
	free(flags);
	return 0;
}
