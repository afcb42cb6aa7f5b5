/*
 * twin_harvest_grade - how much of the transducer's true maximum energy each recording
 * harvester of the HRV firmware's twin takes over a run: twin_harvest_block on the solar
 * transducer (twin_solar.h, nominal harvester calibration) from sample 0, harvested energy
 * (twin_energy: the stored codes' V*I through the calibration) against
 * twin_solar_max_energy_J over the same samples.
 *
 * Harvesters: the cv fixtures, cv at the best fixed voltage (found on the model, not a
 * fixture), mppt_voc, mppt_po, mppt_opt, all exported by the project's exporters
 * (vh_fixture, vh_export_recording). CPU time (CLOCK_PROCESS_CPUTIME_ID) covers only
 * twin_harvest_block: M samples/s per harvester.
 *
 * usage: twin_harvest_grade [--samples N] [--k0 K] [--seed S] [--json]
 *   (defaults: 6000000 samples = 60 s from sample k0 = 0 of the transducer's run, seed 1)
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
#include "twin/twin.h"
#include "twin/twin_solar.h"

#define BLOCK 100000u

struct grade_case {
	const char *fixture;
	bool best_cv; /* voltage_uV replaced by the best fixed voltage */
};

static const struct grade_case cases[] = {
	{"cv10", false}, {"cv20", false},     {"cv24", false},    {"cv33", false},
	{"cv20", true},  {"mppt_voc", false}, {"mppt_po", false}, {"mppt_opt", false},
};

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The model's energy at a fixed voltage over samples 0 .. n-1, every stride-th sample (a
 * stride that does not divide the flicker period samples it evenly over a long run). */
static double fixed_voltage_energy(const struct twin_solar *cell, double v, uint64_t k0, uint64_t n,
				   uint64_t stride)
{
	double e = 0.0;
	for (uint64_t k = k0; k < k0 + n; k += stride)
		e += v * twin_solar_current_A(cell, twin_solar_light(cell, k), v);
	return e * (double)stride * TWIN_SOLAR_SAMPLE_S;
}

/* The fixed voltage of most energy over the run: golden-section search (the energy is
 * unimodal in the voltage: a sum of unimodal V*I(V) curves with close maxima). */
static double best_fixed_voltage(const struct twin_solar *cell, uint64_t k0, uint64_t n)
{
	const uint64_t m = n < TWIN_SOLAR_PERIOD ? n : TWIN_SOLAR_PERIOD; /* the light repeats */
	const double r = (sqrt(5.0) - 1.0) / 2.0;
	double a = 1.0, b = 2.6;
	double x1 = b - r * (b - a), x2 = a + r * (b - a);
	double f1 = fixed_voltage_energy(cell, x1, k0, m, 7),
	       f2 = fixed_voltage_energy(cell, x2, k0, m, 7);
	while (b - a > 1e-4) {
		if (f1 > f2) {
			b = x2;
			x2 = x1;
			f2 = f1;
			x1 = b - r * (b - a);
			f1 = fixed_voltage_energy(cell, x1, k0, m, 7);
		} else {
			a = x1;
			x1 = x2;
			f1 = f2;
			x2 = a + r * (b - a);
			f2 = fixed_voltage_energy(cell, x2, k0, m, 7);
		}
	}
	return 0.5 * (a + b);
}

int main(int argc, char **argv)
{
	uint64_t samples = 6000000, seed = 1, k0 = 0;
	bool json = false;
	for (int a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[a], "--samples") == 0 && a + 1 < argc) {
			samples = strtoull(argv[++a], NULL, 10);
		} else if (strcmp(argv[a], "--k0") == 0 && a + 1 < argc) {
			k0 = strtoull(argv[++a], NULL, 10);
		} else if (strcmp(argv[a], "--seed") == 0 && a + 1 < argc) {
			seed = strtoull(argv[++a], NULL, 10);
		} else {
			fprintf(stderr, "usage: %s [--samples N] [--k0 K] [--seed S] [--json]\n",
				argv[0]);
			return 2;
		}
	}
	struct cal_cape cape;
	struct pru_calibration cal;
	cal_nominal(&cape);
	if (cal_harvester_export(&cape.harvester, &cal) != SHP_OK) {
		fprintf(stderr, "twin_harvest_grade: no calibration\n");
		return 1;
	}
	struct twin_solar cell;
	twin_solar_init(&cell, seed, &cal);
	uint32_t *ov = malloc(sizeof(uint32_t) * BLOCK);
	uint32_t *oc = malloc(sizeof(uint32_t) * BLOCK);
	struct twin *t = twin_new();
	if (!ov || !oc || !t) {
		fprintf(stderr, "twin_harvest_grade: no memory\n");
		return 1;
	}
	const double max_J = twin_solar_max_energy_J(&cell, k0, samples);
	const double v_best = best_fixed_voltage(&cell, k0, samples);
	if (json)
		printf("{\"samples\": %llu, \"k0\": %llu, \"seed\": %llu, \"transducer_max_J\": %.9g, "
		       "\"best_fixed_V\": %.4f, \"harvesters\": [",
		       (unsigned long long)samples, (unsigned long long)k0,
		       (unsigned long long)seed, max_J, v_best);
	const size_t n_cases = sizeof(cases) / sizeof(cases[0]);
	for (size_t c = 0; c < n_cases; c++) {
		struct vharvester vh;
		struct twin_settings s;
		memset(&s, 0, sizeof(s));
		s.cal = cal;
		if (vh_fixture(cases[c].fixture, &vh) != SHP_OK ||
		    vh_export_recording(&vh, &s.hrv) != SHP_OK) {
			fprintf(stderr, "twin_harvest_grade: no harvester %s\n", cases[c].fixture);
			return 1;
		}
		char name[48];
		if (cases[c].best_cv) {
			s.hrv.voltage_uV = (uint32_t)lround(v_best * 1e6);
			snprintf(name, sizeof(name), "cv_best(%.3f V)", v_best);
		} else {
			snprintf(name, sizeof(name), "%s", cases[c].fixture);
		}
		twin_load_firmware(t);
		if (!twin_init(t, &s, false)) {
			fprintf(stderr, "twin_harvest_grade: %s rejected\n", name);
			return 1;
		}
		uint64_t done = 0;
		const double t0 = cpu_seconds();
		while (done < samples) {
			const uint32_t n =
				samples - done < BLOCK ? (uint32_t)(samples - done) : BLOCK;
			twin_harvest_block(t, &cell, k0 + done, n, ov, oc);
			done += n;
		}
		const double dt = cpu_seconds() - t0;
		const double msps = dt > 0.0 ? (double)samples / dt * 1e-6 : 0.0;
		const struct twin_energy e = twin_energy(t);
		const double pct = max_J > 0.0 ? 100.0 * e.harvested_J / max_J : 0.0;
		if (json)
			printf("%s\n {\"name\": \"%s\", \"harvested_J\": %.9g, \"max_J\": %.9g, "
			       "\"percent\": %.3f, \"cpu_s\": %.6f, \"msps\": %.3f}",
			       c ? "," : "", name, e.harvested_J, max_J, pct, dt, msps);
		else
			printf("%s: harvested %.6f J, transducer maximum %.6f J, %.2f %% "
			       "(%.1f M samples/s)\n",
			       name, e.harvested_J, max_J, pct, msps);
	}
	if (json)
		printf("\n]}\n");
	twin_free(t);
	free(ov);
	free(oc);
	return 0;
}
