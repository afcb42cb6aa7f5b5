/*
 * twin_solar.c - the harvest transducer of the simulator and of `shepherd-sheep simulate`: a
 * small solar module under a deterministic light, read by the harvester's ADCs.
 *
 * THE MODULE: single-diode model with series resistance R_s = 0, so the current is explicit in
 * the voltage and costs one exp() per evaluation:
 *
 *   I(V) = max(0, g * I_ph - I_0 * (exp(V / nV_t) - 1) - V / R_sh)
 *
 *   I_ph = 35 mA    photo current at full light (g = 1); with R_s = 0 it is also I_sc
 *   I_0  = 2.5 nA   the diode's saturation current (of the whole module)
 *   nV_t = 0.155112 V: 4 cells in series * ideality 1.5 * kT/q at 300 K (25.852 mV)
 *   R_sh = 5 kOhm   shunt resistance
 *   g               the light, in full light
 *
 * The current is 0 at and above V_oc: the cape cannot push current into the cell. At full light
 * V_oc = 2.550 V and the MPP is 2.131 V, 32.26 mA, 68.74 mW; at a quarter of it V_oc = 2.329 V,
 * MPP 1.921 V, 7.77 mA, 14.92 mW. Over the profile's light (0.2425 .. 1.03) the MPP reads, through
 * the nominal calibration, ~98 000 .. 109 000 voltage and ~37 000 .. 163 000 current codes.
 *
 * THE LIGHT at sample k since the run's start (10 us per sample), the same for every seed:
 *
 *   p   = k mod 2 000 000,  tri = (p < 1 000 000 ? p : 2 000 000 - p) / 1 000 000   (20 s, 0..1)
 *   f   = k mod 1000,       fl  = (f < 500 ? f : 1000 - f) / 250 - 1              (100 Hz, -1..1)
 *   g   = (0.25 + 0.75 * tri) * (1 + 0.03 * fl)
 *
 * so g runs from 0.2425 to 1.03, and the profile repeats exactly every 2 000 000 samples.
 *
 * A READ at sample k with the DAC at code c, through the harvester calibration block (the
 * integers the PRU takes, pru-settings.md 2.1; c above 0xFFFF is 0xFFFF, as the PRU clamps):
 *
 *   V_set = max(0, c * 2^20 / dac_voltage_gain + dac_voltage_offset)          [uV]
 *   V     = min(V_set, V_oc(g)),  I = I(V)   (0 at V_oc: no current pushed into the cell)
 *   voltage = clamp(floor((V[uV] - adc_voltage_offset) * 2^8 / adc_voltage_gain) + n_v)
 *   current = clamp(floor((I[nA] - adc_current_offset) * 2^8 / adc_current_gain) + n_i)
 *
 * clamped to 0 .. 2^18-1 (the floor to rounding), with the noise
 *
 *   r   = splitmix64(k + splitmix64(seed ^ 0x5348454550))            (64 bits; the hex is "SHEEP")
 *   n_i = trunc((r[0..15] - r[16..31]) * 256 / 65535)      (bits of r as unsigned 16-bit fields)
 *   n_v = trunc((r[32..47] - r[48..63]) * 32 / 65535)
 *
 * triangular and exactly zero-mean, at most +-256 codes on the current (52 uA nominal, standard
 * deviation 21 uA) and +-32 codes on the voltage (0.63 mV, s.d. 0.26 mV). A gain of 0 counts as
 * infinitely fine: any positive value reads full scale (DAC: any code above 0 is far above V_oc).
 *
 * V_oc: V_0 = nV_t * ln(1 + g I_ph / I_0) (exact without R_sh), then two Newton steps including
 * R_sh on the same equation in log form, h(V) = V - nV_t * ln(1 + (g I_ph - V / R_sh) / I_0),
 * which is almost linear: one step leaves < 4e-9 V in the profile's light (2e-4 of a voltage
 * LSB; a read stops there), two reach rounding.
 * Where the shunt would take more than half of the light's current, Newton on I(V) = 0 itself
 * from V_0 instead, to convergence. twin_solar_voc_V then moves up by the few doubles where
 * rounding left I(V_oc) a hair above 0, so that I(V_oc) is 0 exactly (a read does not need it).
 *
 * MPP: Newton on dP/dV = 0, P = V * I(V), from V_oc - nV_t * ln(1 + V_oc / nV_t); dP/dV is
 * concave and decreasing for V >= 0, so the iteration converges from either side (a step past
 * the no-shunt V_0 is held there). It stops when the step is below 1e-10 of V; the power is the
 * maximum of the quadratic model at the last point, P + P'^2 / (2 |P''|).
 *
 * Maximum energy: the same Newton warm-started at the previous sample's MPP; a single step is
 * taken when the cubic term it neglects, |P'''| dv^3 / 6, is below 1e-12 of P (one exp per
 * sample), else the full iteration. Summed with Neumaier's compensation, times 10 us.
 */
#include "twin_solar.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

/* The module and the noise of the simulator's transducer (see above). */
#define SOLAR_I_PH_A 35e-3
#define SOLAR_I_0_A 2.5e-9
#define SOLAR_CELLS 4
#define SOLAR_IDEALITY 1.5
#define SOLAR_T_K 300.0
#define SOLAR_R_SH_OHM 5e3
#define SOLAR_NOISE_V_CODES 32
#define SOLAR_NOISE_I_CODES 256

#define BOLTZMANN_J_PER_K 1.380649e-23
#define ELEMENTARY_CHARGE_C 1.602176634e-19

#define ADC_MAX 262143 /* 2^18 - 1 */
#define DAC_MAX 0xFFFFu

/* The splitmix64 step (Steele, Lea, Flood 2014): a bijective 64-bit mix of x + the golden
 * ratio increment. */
static inline uint64_t mix64(uint64_t x)
{
	uint64_t z = x + UINT64_C(0x9E3779B97F4A7C15);
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static inline double light(uint64_t k)
{
	const uint32_t half = TWIN_SOLAR_PERIOD / 2, fhalf = TWIN_SOLAR_FLICKER_PERIOD / 2;
	uint32_t p = (uint32_t)(k % TWIN_SOLAR_PERIOD);
	uint32_t f = p % TWIN_SOLAR_FLICKER_PERIOD; /* the flicker period divides the light's */
	uint32_t tri = p < half ? p : TWIN_SOLAR_PERIOD - p;
	uint32_t ft = f < fhalf ? f : TWIN_SOLAR_FLICKER_PERIOD - f;
	double base = TWIN_SOLAR_LIGHT_MIN +
		      (TWIN_SOLAR_LIGHT_MAX - TWIN_SOLAR_LIGHT_MIN) / half * (double)tri;
	return base * (1.0 + TWIN_SOLAR_FLICKER * ((double)ft * (2.0 / fhalf) - 1.0));
}

/* ln(1 + x), x > -1: plain log where 1 + x loses nothing that matters. */
static inline double ln_1p(double x)
{
	return x >= 1.0 ? log(1.0 + x) : log1p(x);
}

/* I(V) without the clamp at 0; il = g * I_ph. */
static inline double current_raw(const struct twin_solar *s, double il, double v)
{
	return il - s->i_0_A * (exp(v * s->inv_n_vt) - 1.0) - v * s->inv_r_sh;
}

/* Newton on I(V) = 0 from v at or above the root (I is concave and decreasing: the iterates
 * fall monotonically onto it). */
static double voc_newton_current(const struct twin_solar *s, double il, double v)
{
	for (int it = 0; it < 200; it++) {
		double ie = s->i_0_A * exp(v * s->inv_n_vt);
		double f = il + s->i_0_A - ie - v * s->inv_r_sh;
		double df = -ie * s->inv_n_vt - s->inv_r_sh;
		double dv = -f / df;
		v += dv;
		if (v <= 0.0)
			return 0.0;
		if (fabs(dv) <= 1e-15 * v)
			break;
	}
	return v;
}

/* V_oc under il = g * I_ph > 0 with a shunt: V_0 and one Newton step on h, to a few nV in the
 * profile's light (0.0 where the shunt takes more than half the light's current: the caller
 * must take another way). With w = V_0 / (R_sh (I_0 + il)), ln(1 + (il - V_0 / R_sh) / I_0) =
 * V_0 / nV_t + ln(1 - w), so h(V_0) = -nV_t ln(1 - w): rounding in 1 - w costs ~1e-17 V. */
static inline double voc_one_step(const struct twin_solar *s, double il, double v0)
{
	/* grouped so that the divisions run beside the logs, not after them */
	double w = v0 * (s->inv_r_sh / (s->i_0_A + il));
	if (!(w < 0.5))
		return 0.0;
	double h = -s->n_vt_V * log(1.0 - w);
	double a = s->i_0_A + il - v0 * s->inv_r_sh; /* I_0 + light's current - shunt's */
	return v0 - h * (a / (a + s->n_vt_V * s->inv_r_sh));
}

/* The read's V_oc: V_0 and one step. */
static inline double voc_fast(const struct twin_solar *s, double il)
{
	double v0 = s->n_vt_V * ln_1p(il * s->inv_i_0);
	if (s->inv_r_sh == 0.0)
		return v0;
	double v = voc_one_step(s, il, v0);
	return v > 0.0 ? v : voc_newton_current(s, il, v0);
}

/* V_oc: V_0, one step, a second one (to rounding). */
static double voc(const struct twin_solar *s, double g)
{
	if (!(g > 0.0))
		return 0.0;
	double il = g * s->i_ph_A;
	double v0 = s->n_vt_V * ln_1p(il / s->i_0_A);
	if (s->inv_r_sh == 0.0)
		return v0;
	double v = voc_one_step(s, il, v0);
	if (!(v > 0.0))
		return voc_newton_current(s, il, v0);
	double rest = il - v * s->inv_r_sh; /* larger than at V_0: v is between root and V_0 */
	double h = v - s->n_vt_V * ln_1p(rest / s->i_0_A);
	double a = s->i_0_A + rest;
	return v - h * a / (a + s->n_vt_V * s->inv_r_sh);
}

/* One Newton look at dP/dV = 0 from v: the step to take, the quadratic model's maximum power
 * and |P'''|. */
struct mpp_look {
	double dv, p_max, d3p;
};

static inline struct mpp_look mpp_look(const struct twin_solar *s, double il, double v)
{
	double ie = s->i_0_A * exp(v * s->inv_n_vt);
	double i = il + s->i_0_A - ie - v * s->inv_r_sh;
	double x = v * s->inv_n_vt;
	double dp = i - v * (ie * s->inv_n_vt + s->inv_r_sh);
	double d2p = -ie * s->inv_n_vt * (2.0 + x) - 2.0 * s->inv_r_sh;
	struct mpp_look r;
	r.dv = -dp / d2p;
	r.p_max = v * i + 0.5 * dp * r.dv;
	r.d3p = ie * s->inv_n_vt * s->inv_n_vt * (3.0 + x);
	return r;
}

/* The MPP under il = g * I_ph > 0 by Newton from v > 0: its power, and its voltage in *v. */
static double mpp_search(const struct twin_solar *s, double il, double *v)
{
	double v_top = s->n_vt_V * ln_1p(il / s->i_0_A); /* V_oc without shunt, above the MPP */
	double x = *v;
	struct mpp_look r = {0.0, 0.0, 0.0};
	for (int it = 0; it < 100; it++) {
		r = mpp_look(s, il, x);
		if (fabs(r.dv) <= 1e-10 * x)
			break;
		x += r.dv;
		if (x > v_top)
			x = v_top; /* right of the root: from there Newton only falls onto it */
	}
	*v = x + r.dv;
	return r.p_max;
}

static double mpp_cold(const struct twin_solar *s, double g, double *v)
{
	if (!(g > 0.0)) {
		*v = 0.0;
		return 0.0;
	}
	double v_oc = voc(s, g);
	double x = v_oc - s->n_vt_V * ln_1p(v_oc / s->n_vt_V);
	*v = x > 0.0 ? x : 0.5 * v_oc;
	if (!(*v > 0.0)) {
		*v = 0.0;
		return 0.0;
	}
	return mpp_search(s, g * s->i_ph_A, v);
}

void twin_solar_prepare(struct twin_solar *s)
{
	const struct pru_calibration *c = &s->cal;
	s->noise_key = mix64(s->seed ^ UINT64_C(0x5348454550)); /* "SHEEP" */
	s->inv_n_vt = 1.0 / s->n_vt_V;
	s->inv_i_0 = 1.0 / s->i_0_A;
	s->inv_r_sh = s->r_sh_ohm > 0.0 && isfinite(s->r_sh_ohm) ? 1.0 / s->r_sh_ohm : 0.0;
	/* V_oc rises with the light: no light of the profile has one above its brightest's (the
	 * margin covers an ulp of light); a read at or above it needs no exp() to know */
	s->v_oc_top = voc(s, TWIN_SOLAR_LIGHT_MAX * (1.0 + TWIN_SOLAR_FLICKER)) * (1.0 + 1e-12);
	if (c->dac_voltage_gain) {
		s->dac_V_per_code = 1048576.0 / (double)c->dac_voltage_gain * 1e-6;
	} else {
		s->dac_V_per_code = 1e9;
	}
	s->dac_V_offset = (double)c->dac_voltage_offset * 1e-6;
	if (c->adc_voltage_gain) {
		s->adc_v_per_V = 256e6 / (double)c->adc_voltage_gain;
		s->adc_v_offset =
			(double)c->adc_voltage_offset * 256.0 / (double)c->adc_voltage_gain;
	} else {
		s->adc_v_per_V = 1e12;
		s->adc_v_offset = 0.0;
	}
	if (c->adc_current_gain) {
		s->adc_i_per_A = 256e9 / (double)c->adc_current_gain;
		s->adc_i_offset =
			(double)c->adc_current_offset * 256.0 / (double)c->adc_current_gain;
	} else {
		s->adc_i_per_A = 1e12;
		s->adc_i_offset = 0.0;
	}
	double nv = s->noise_v_codes, ni = s->noise_i_codes;
	s->noise_v_peak = nv > 0.0 ? (nv < 32767.0 ? (int32_t)(nv + 0.5) : 32767) : 0;
	s->noise_i_peak = ni > 0.0 ? (ni < 32767.0 ? (int32_t)(ni + 0.5) : 32767) : 0;
}

void twin_solar_init(struct twin_solar *s, uint64_t seed, const struct pru_calibration *cal)
{
	memset(s, 0, sizeof(*s));
	s->seed = seed;
	s->cal = *cal;
	s->i_ph_A = SOLAR_I_PH_A;
	s->i_0_A = SOLAR_I_0_A;
	s->n_vt_V =
		SOLAR_CELLS * SOLAR_IDEALITY * BOLTZMANN_J_PER_K * SOLAR_T_K / ELEMENTARY_CHARGE_C;
	s->r_sh_ohm = SOLAR_R_SH_OHM;
	s->noise_v_codes = SOLAR_NOISE_V_CODES;
	s->noise_i_codes = SOLAR_NOISE_I_CODES;
	twin_solar_prepare(s);
}

double twin_solar_light(const struct twin_solar *s, uint64_t k)
{
	(void)s;
	return light(k);
}

double twin_solar_current_A(const struct twin_solar *s, double g, double v)
{
	double i = current_raw(s, g * s->i_ph_A, v);
	return i > 0.0 ? i : 0.0;
}

double twin_solar_voc_V(const struct twin_solar *s, double g)
{
	double v = voc(s, g);
	/* the root to rounding; where rounding left I(v) a hair above 0, the next doubles up */
	double il = g * s->i_ph_A;
	for (int i = 0; i < 64 && v > 0.0 && current_raw(s, il, v) > 0.0; i++)
		v = nextafter(v, INFINITY);
	return v;
}

double twin_solar_max_power_W(const struct twin_solar *s, double g)
{
	double v;
	return mpp_cold(s, g, &v);
}

double twin_solar_mpp_V(const struct twin_solar *s, double g)
{
	double v;
	mpp_cold(s, g, &v);
	return v;
}

double twin_solar_max_energy_J(const struct twin_solar *s, uint64_t k0, uint64_t n)
{
	double sum = 0.0, carry = 0.0, v = 0.0;
	for (uint64_t j = 0; j < n; j++) {
		double g = light(k0 + j), p;
		if (v > 0.0) {
			double il = g * s->i_ph_A;
			struct mpp_look r = mpp_look(s, il, v);
			double adv = fabs(r.dv);
			if (r.d3p * adv * adv * adv <= 6e-12 * r.p_max) {
				p = r.p_max;
				v += r.dv;
			} else {
				p = mpp_search(s, il, &v);
			}
		} else {
			p = mpp_cold(s, g, &v);
		}
		/* Neumaier: the low-order part lost in each addition, added at the end */
		double t = sum + p;
		carry += fabs(sum) >= fabs(p) ? (sum - t) + p : (p - t) + sum;
		sum = t;
	}
	return (sum + carry) * TWIN_SOLAR_SAMPLE_S;
}

/* Zero-mean triangular noise in -peak .. peak from two 16-bit fields of r. */
static inline int32_t noise(uint64_t r, int32_t peak)
{
	int32_t d = (int32_t)(r & 0xFFFFu) - (int32_t)((r >> 16) & 0xFFFFu);
	return d * peak / 65535;
}

/* floor(x) + n, clamped to the ADC's 18 bits. */
static inline uint32_t adc_code(double x, int32_t n)
{
	if (!(x > -1e9))
		x = -1e9; /* also NaN */
	else if (x > 1e9)
		x = 1e9;
	int32_t c = (int32_t)x;
	if ((double)c > x)
		c--;
	c += n;
	return c < 0 ? 0u : c > ADC_MAX ? (uint32_t)ADC_MAX : (uint32_t)c;
}

void twin_solar_read(const struct twin_solar *s, uint64_t k, uint32_t dac_code,
		     uint32_t *adc_voltage, uint32_t *adc_current)
{
	double g = light(k);
	double v = (double)(dac_code < DAC_MAX ? dac_code : DAC_MAX) * s->dac_V_per_code +
		   s->dac_V_offset;
	if (!(v > 0.0))
		v = 0.0;
	double il = g * s->i_ph_A, i = 0.0;
	if (v >= s->v_oc_top || !((i = current_raw(s, il, v)) > 0.0)) {
		double v_oc = g > 0.0 ? voc_fast(s, il) : 0.0;
		v = v_oc < v ? v_oc : v;
		i = 0.0;
	}
	uint64_t r = mix64(k + s->noise_key);
	*adc_voltage =
		adc_code(v * s->adc_v_per_V - s->adc_v_offset, noise(r >> 32, s->noise_v_peak));
	*adc_current = adc_code(i * s->adc_i_per_A - s->adc_i_offset, noise(r, s->noise_i_peak));
}
