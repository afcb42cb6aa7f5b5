/* task_emulation.c - the fields only an EmulationTask has, and the GPIO tracer mask. */
#include <stdio.h>
#include <string.h>

#include "task/task_fields.h"
#include "task/task_schema.h"
#include "task/task_settings.h"

/* ---- EmulationTask fields ---------------------------------------------------------------- */

void f_input_path(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	schema_text(c, n, path, T(b)->input_path, sizeof(T(b)->input_path),
		    "the path of a harvest recording");
}

void f_enable_io(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	schema_bool(c, n, path, &T(b)->enable_io);
}

void task_read_port(struct ynode_ctx *c, const yaml_node_t *n, const char *path, char *port)
{
	const char *t = ynode_text(n);
	if (ynode_kind(n) == YN_STRING && (strcmp(t, "A") == 0 || strcmp(t, "B") == 0))
		*port = t[0];
	else
		ynode_error(c, n, path, "expected target port A or B, found '%s'", t);
}

void f_io_port(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	task_read_port(c, n, path, &T(b)->io_port);
}

void f_pwr_port(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	task_read_port(c, n, path, &T(b)->pwr_port);
}

void f_voltage_aux(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	struct shp_task *t = T(b);
	double v;
	const char *text = ynode_text(n);
	if (ynode_kind(n) == YN_STRING && strcmp(text, "main") == 0) {
		t->aux_kind = SHP_AUX_MAIN;
	} else if (ynode_kind(n) == YN_STRING && strcmp(text, "buffer") == 0) {
		t->aux_kind = SHP_AUX_BUFFER;
	} else if (ynode_number(n, &v) && v >= 0 && v <= 4.5) {
		t->aux_kind = SHP_AUX_VOLTAGE;
		t->voltage_aux = v;
	} else {
		ynode_error(c, n, path,
			    "expected volts from 0 to 4.5, 'main' or 'buffer', found '%s'", text);
	}
}

void f_virtual_source(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	task_read_source(c, n, path, &T(b)->virtual_source);
}

void f_gpio_actuation(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	(void)b;
	if (ynode_kind(n) != YN_NULL)
		ynode_error(c, n, path, "GPIO actuation is not implemented: it must be null");
}

/* ---- gpio_tracing ------------------------------------------------------------------------ */

#define GT(base) ((struct shp_gpio_tracing *)(base))

static void gt_gpios(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	if (ynode_kind(n) != YN_SEQUENCE) {
		ynode_error(c, n, path,
			    "expected a list of target GPIO numbers (0 to 17), found %s",
			    ynode_kind_name(ynode_kind(n)));
		return;
	}
	GT(b)->gpios = 0;
	for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
	     i++) {
		const yaml_node_t *item = yaml_document_get_node(c->doc, *i);
		int64_t v;
		if (!ynode_int(item, &v) || v < 0 || v > 17)
			ynode_error(c, item, path,
				    "expected a target GPIO number from 0 to 17, found '%s'",
				    ynode_text(item));
		else
			GT(b)->gpios |= 1u << v;
	}
}

static void gt_delay(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	schema_seconds(c, n, path, &GT(b)->delay_s, true);
}

static void gt_duration(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	schema_limit(c, n, path, &GT(b)->duration_s);
}

static void gt_uart_decode(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	if (schema_bool(c, n, path, &GT(b)->uart_decode) && GT(b)->uart_decode)
		ynode_error(c, n, path,
			    "decoding UART from GPIO traces is not implemented (only false)");
}

static void gt_uart_pin(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	const char *t = ynode_text(n);
	unsigned pin;
	char tail;
	if (ynode_kind(n) != YN_STRING || sscanf(t, "GPIO%u%c", &pin, &tail) != 1 || pin > 17)
		ynode_error(c, n, path, "expected a target pin GPIO0 to GPIO17, found '%s'", t);
	else
		snprintf(GT(b)->uart_pin, sizeof(GT(b)->uart_pin), "GPIO%u", pin);
}

static void gt_uart_baudrate(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	int64_t v;
	if (!ynode_int(n, &v) || v < 2400 || v > 1152000)
		ynode_error(c, n, path, "expected a baud rate from 2400 to 1152000, found '%s'",
			    ynode_text(n));
	else
		GT(b)->uart_baudrate = (uint32_t)v;
}

static const struct field gpio_tracing_fields[] = {
	{"gpios", gt_gpios, false},
	{"delay", gt_delay, false},
	{"duration", gt_duration, false},
	{"uart_decode", gt_uart_decode, false},
	{"uart_pin", gt_uart_pin, false},
	{"uart_baudrate", gt_uart_baudrate, false},
	{NULL, NULL, false},
};

void f_gpio_tracing(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	struct shp_gpio_tracing *gt = &T(b)->gpio_tracing;
	gt->present = ynode_kind(n) != YN_NULL;
	if (gt->present)
		schema_mapping(c, n, path, gpio_tracing_fields, gt, "GpioTracing");
}

uint32_t task_gpio_mask(const struct shp_task *task)
{
	/* target GPIO -> cape v2.4 tracer bit (sheep-datapath.md 6.4); others are not traced */
	static const int8_t bit_of[18] = {8,  7,  2,  3,  4,  5,  6,  0,  1,
					  -1, -1, -1, -1, -1, -1, -1, -1, 9};
	if (task->kind != SHP_TASK_EMULATION || !task->gpio_tracing.present)
		return 0;
	uint32_t mask = 0;
	for (int k = 0; k < 18; k++)
		if ((task->gpio_tracing.gpios >> k & 1u) && bit_of[k] >= 0)
			mask |= 1u << bit_of[k];
	return mask;
}

/* ---- uart_logging ------------------------------------------------------------------------ */

#define UL(base) ((struct shp_uart_logging *)(base))

static void ul_baudrate(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	static const int64_t rates[] = {2400,  4800,   9600,   19200, 38400,
					57600, 115200, 230400, 460800};
	int64_t v;
	if (ynode_int(n, &v))
		for (size_t k = 0; k < sizeof(rates) / sizeof(rates[0]); k++)
			if (rates[k] == v) {
				UL(b)->baudrate = (uint32_t)v;
				return;
			}
	ynode_error(c, n, path,
		    "expected a standard baud rate (2400, 4800, 9600, 19200, 38400, 57600, 115200, "
		    "230400 or 460800), found '%s'",
		    ynode_text(n));
}

static void ul_bytesize(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	int64_t v;
	if (!ynode_int(n, &v) || v < 5 || v > 8)
		ynode_error(c, n, path, "expected 5, 6, 7 or 8 data bits, found '%s'",
			    ynode_text(n));
	else
		UL(b)->bytesize = (unsigned)v;
}

static void ul_stopbits(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	double v;
	if (!ynode_number(n, &v) || (v != 1 && v != 1.5 && v != 2))
		ynode_error(c, n, path, "expected 1, 1.5 or 2 stop bits, found '%s'",
			    ynode_text(n));
	else
		UL(b)->stopbits = v;
}

static void ul_parity(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	const char *t = ynode_text(n);
	if (ynode_kind(n) == YN_STRING && strlen(t) == 1 && strchr("NEOMS", t[0]))
		UL(b)->parity = t[0];
	else
		ynode_error(c, n, path, "expected parity N, E, O, M or S, found '%s'", t);
}

static const struct field uart_logging_fields[] = {
	{"baudrate", ul_baudrate, false},
	{"bytesize", ul_bytesize, false},
	{"stopbits", ul_stopbits, false},
	{"parity", ul_parity, false},
	{NULL, NULL, false},
};

void f_uart_logging(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	struct shp_uart_logging *ul = &T(b)->uart_logging;
	ul->present = ynode_kind(n) != YN_NULL;
	if (ul->present)
		schema_mapping(c, n, path, uart_logging_fields, ul, "UartLogging");
}
