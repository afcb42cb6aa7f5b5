/* pru_settings_text.c - token layout, field names and text formats of the PRU settings files. */
#include "pru/pru_settings_text.h"

#include <stdio.h>
#include <string.h>

#include "pru/shepherd_abi.h"

#define CONV_LUT_OUT_FIRST (PRU_CONVERTER_SCALARS + PRU_CONVERTER_LUT_IN)
#define SATURATE (1ll << 40)

static const char *const calibration_names[PRU_CALIBRATION_TOKENS] = {
	"adc_current_gain",   "adc_current_offset", "adc_voltage_gain",
	"adc_voltage_offset", "dac_voltage_gain",   "dac_voltage_offset",
};

static const char *const harvester_names[PRU_HARVESTER_TOKENS] = {
	"algorithm",      "hrv_mode",       "window_size",     "voltage_uV",
	"voltage_min_uV", "voltage_max_uV", "voltage_step_uV", "current_limit_nA",
	"setpoint_n8",    "interval_n",     "duration_n",      "wait_cycles_n",
};

static const char *const converter_names[PRU_CONVERTER_SCALARS] = {
	"converter_mode",
	"interval_startup_delay_drain_n",
	"V_input_max_uV",
	"I_input_max_nA",
	"V_input_drop_uV",
	"R_input_kOhm_n22",
	"Constant_us_per_nF_n28",
	"V_intermediate_init_uV",
	"I_intermediate_leak_nA",
	"V_enable_output_threshold_uV",
	"V_disable_output_threshold_uV",
	"dV_enable_output_uV",
	"interval_check_thresholds_n",
	"V_pwr_good_enable_threshold_uV",
	"V_pwr_good_disable_threshold_uV",
	"immediate_pwr_good_signal",
	"V_output_log_gpio_threshold_uV",
	"V_input_boost_threshold_uV",
	"V_intermediate_max_uV",
	"V_output_uV",
	"V_buck_drop_uV",
	"LUT_input_V_min_log2_uV",
	"LUT_input_I_min_log2_nA",
	"LUT_output_I_min_log2_nA",
};

const char *pru_block_file(enum pru_block b)
{
	switch (b) {
	case PRU_BLOCK_CALIBRATION:
		return SHP_SYSFS_CALIBRATION;
	case PRU_BLOCK_CONVERTER:
		return SHP_SYSFS_CONVERTER;
	case PRU_BLOCK_HARVESTER:
		return SHP_SYSFS_HARVESTER;
	}
	return "?";
}

unsigned pru_block_tokens(enum pru_block b)
{
	switch (b) {
	case PRU_BLOCK_CALIBRATION:
		return PRU_CALIBRATION_TOKENS;
	case PRU_BLOCK_CONVERTER:
		return PRU_CONVERTER_TOKENS;
	case PRU_BLOCK_HARVESTER:
		return PRU_HARVESTER_TOKENS;
	}
	return 0;
}

enum pru_token_kind pru_token_kind(enum pru_block b, unsigned k)
{
	if (b == PRU_BLOCK_CALIBRATION && k % 2 == 1)
		return PRU_TOKEN_I32; /* the offsets */
	if (b == PRU_BLOCK_CONVERTER && k >= PRU_CONVERTER_SCALARS && k < CONV_LUT_OUT_FIRST)
		return PRU_TOKEN_U8;
	return PRU_TOKEN_U32;
}

const char *pru_token_name(enum pru_block b, unsigned k, char *buf, size_t len)
{
	if (k >= pru_block_tokens(b))
		snprintf(buf, len, "token %u", k);
	else if (b == PRU_BLOCK_CALIBRATION)
		snprintf(buf, len, "%s", calibration_names[k]);
	else if (b == PRU_BLOCK_HARVESTER)
		snprintf(buf, len, "%s", harvester_names[k]);
	else if (k < PRU_CONVERTER_SCALARS)
		snprintf(buf, len, "%s", converter_names[k]);
	else if (k < CONV_LUT_OUT_FIRST)
		snprintf(buf, len, "LUT_inp_efficiency_n8[%u][%u]",
			 (k - PRU_CONVERTER_SCALARS) / VS_LUT_SIZE,
			 (k - PRU_CONVERTER_SCALARS) % VS_LUT_SIZE);
	else
		snprintf(buf, len, "LUT_out_inv_efficiency_n4[%u]", k - CONV_LUT_OUT_FIRST);
	return buf;
}

bool pru_token_fits(enum pru_token_kind kind, int64_t v)
{
	switch (kind) {
	case PRU_TOKEN_I32:
		return v >= INT32_MIN && v <= INT32_MAX;
	case PRU_TOKEN_U8:
		return v >= 0 && v <= UINT8_MAX;
	case PRU_TOKEN_U32:
		break;
	}
	return v >= 0 && v <= UINT32_MAX;
}

void pru_calibration_to_tokens(const struct pru_calibration *c, int64_t *tok)
{
	tok[0] = c->adc_current_gain;
	tok[1] = c->adc_current_offset;
	tok[2] = c->adc_voltage_gain;
	tok[3] = c->adc_voltage_offset;
	tok[4] = c->dac_voltage_gain;
	tok[5] = c->dac_voltage_offset;
}

void pru_calibration_from_tokens(const int64_t *tok, struct pru_calibration *c)
{
	c->adc_current_gain = (uint32_t)tok[0];
	c->adc_current_offset = (int32_t)tok[1];
	c->adc_voltage_gain = (uint32_t)tok[2];
	c->adc_voltage_offset = (int32_t)tok[3];
	c->dac_voltage_gain = (uint32_t)tok[4];
	c->dac_voltage_offset = (int32_t)tok[5];
}

void pru_converter_to_tokens(const struct pru_converter *c, int64_t *tok)
{
	for (unsigned k = 0; k < PRU_CONVERTER_SCALARS; k++)
		tok[k] = c->scalar[k];
	for (unsigned k = 0; k < PRU_CONVERTER_LUT_IN; k++)
		tok[PRU_CONVERTER_SCALARS + k] = c->lut_input[k / VS_LUT_SIZE][k % VS_LUT_SIZE];
	for (unsigned k = 0; k < VS_LUT_SIZE; k++)
		tok[CONV_LUT_OUT_FIRST + k] = c->lut_output[k];
}

void pru_converter_from_tokens(const int64_t *tok, struct pru_converter *c)
{
	for (unsigned k = 0; k < PRU_CONVERTER_SCALARS; k++)
		c->scalar[k] = (uint32_t)tok[k];
	for (unsigned k = 0; k < PRU_CONVERTER_LUT_IN; k++)
		c->lut_input[k / VS_LUT_SIZE][k % VS_LUT_SIZE] =
			(uint8_t)(tok[PRU_CONVERTER_SCALARS + k] & 0xFF);
	for (unsigned k = 0; k < VS_LUT_SIZE; k++)
		c->lut_output[k] = (uint32_t)tok[CONV_LUT_OUT_FIRST + k];
}

void pru_harvester_to_tokens(const struct pru_harvester *h, int64_t *tok)
{
	const uint32_t f[PRU_HARVESTER_TOKENS] = {
		h->algorithm,      h->hrv_mode,       h->window_size,     h->voltage_uV,
		h->voltage_min_uV, h->voltage_max_uV, h->voltage_step_uV, h->current_limit_nA,
		h->setpoint_n8,    h->interval_n,     h->duration_n,      h->wait_cycles_n,
	};
	for (unsigned k = 0; k < PRU_HARVESTER_TOKENS; k++)
		tok[k] = f[k];
}

void pru_harvester_from_tokens(const int64_t *tok, struct pru_harvester *h)
{
	uint32_t *f[PRU_HARVESTER_TOKENS] = {
		&h->algorithm,      &h->hrv_mode,       &h->window_size,     &h->voltage_uV,
		&h->voltage_min_uV, &h->voltage_max_uV, &h->voltage_step_uV, &h->current_limit_nA,
		&h->setpoint_n8,    &h->interval_n,     &h->duration_n,      &h->wait_cycles_n,
	};
	for (unsigned k = 0; k < PRU_HARVESTER_TOKENS; k++)
		*f[k] = (uint32_t)tok[k];
}

/* Whether token k is the last of its line. */
static bool ends_line(enum pru_block b, unsigned k)
{
	if (b == PRU_BLOCK_CALIBRATION)
		return k % 2 == 1;
	if (b == PRU_BLOCK_CONVERTER)
		return k < PRU_CONVERTER_SCALARS || k == CONV_LUT_OUT_FIRST - 1 ||
		       k == PRU_CONVERTER_TOKENS - 1;
	return true;
}

size_t pru_block_format(enum pru_block b, const int64_t *tok, enum pru_text_format format,
			char *buf, size_t len)
{
	unsigned n = pru_block_tokens(b);
	size_t used = 0;
	for (unsigned k = 0; k < n; k++) {
		bool last = k + 1 == n;
		const char *sep = ends_line(b, k) ? " \n" : " ";
		if (last && b == PRU_BLOCK_CALIBRATION && format == PRU_TEXT_WRITE)
			sep = "";
		if (used >= len)
			return 0;
		int w = snprintf(buf + used, len - used, "%lld%s", (long long)tok[k], sep);
		if (w < 0 || (size_t)w >= len - used)
			return 0;
		used += (size_t)w;
	}
	if (len == 0)
		return 0;
	buf[used] = '\0';
	return used;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

const char *pru_token_next(const char **pos, size_t *len)
{
	const char *p = *pos;
	while (*p && is_space(*p))
		p++;
	if (!*p) {
		*pos = p;
		return NULL;
	}
	const char *start = p;
	while (*p && !is_space(*p))
		p++;
	*len = (size_t)(p - start);
	*pos = p;
	return start;
}

bool pru_token_value(const char *tok, size_t len, int64_t *v)
{
	size_t k = 0;
	bool negative = len > 0 && tok[0] == '-';
	if (negative)
		k++;
	if (k == len)
		return false;
	int64_t x = 0;
	for (; k < len; k++) {
		if (tok[k] < '0' || tok[k] > '9')
			return false;
		if (x < SATURATE)
			x = x * 10 + (tok[k] - '0');
	}
	if (x > SATURATE)
		x = SATURATE;
	*v = negative ? -x : x;
	return true;
}
