/*
 * task_programming.c - the fields of a ProgrammingTask (node-control.md 3.1) and of a
 * FirmwareModTask (4.1). Strings are stripped of surrounding blanks, as the predecessor's models
 * do; a firmware file need not exist yet (an ObserverTasks' fw1_mod writes it before fw1_prog).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "task/task_fields.h"

#define FW_DATA_MIN_CHARS 3
#define FW_DATA_MAX_CHARS 8000000

#define P(base) (&T(base)->programming)
#define F(base) (&T(base)->firmware_mod)

/* A stripped path of fewer than PATH_MAX bytes into out. */
static bool read_path(struct ynode_ctx *c, const yaml_node_t *n, const char *path, char *out,
		      const char *what)
{
	size_t l;
	const char *t = schema_stripped(c, n, path, what, &l);
	if (!t)
		return false;
	if (l >= PATH_MAX) {
		ynode_error(c, n, path, "too long for a path (at most %d characters)",
			    PATH_MAX - 1);
		return false;
	}
	memcpy(out, t, l);
	out[l] = '\0';
	return true;
}

/* The suffix of the path's last component, as Python's Path.suffix: "" for ".hex" or "a". */
static const char *path_suffix(const char *path)
{
	const char *name = strrchr(path, '/');
	name = name ? name + 1 : path;
	const char *dot = strrchr(name, '.');
	return dot && dot > name && dot[1] ? dot : "";
}

static bool is_hex_suffix(const char *suffix)
{
	static const char *const hex[] = {".hex", ".ihex", ".ihx"};
	for (size_t k = 0; k < sizeof(hex) / sizeof(hex[0]); k++)
		if (strcasecmp(suffix, hex[k]) == 0)
			return true;
	return false;
}

static const char *const protocol_names[] = {[SHP_PROG_SWD] = "SWD",
					     [SHP_PROG_SBW] = "SBW",
					     [SHP_PROG_JTAG] = "JTAG",
					     [SHP_PROG_UART] = "UART"};

static const char *const data_type_names[] = {[SHP_FW_HEX] = "hex",
					      [SHP_FW_ELF] = "elf",
					      [SHP_FW_PATH_HEX] = "path_hex",
					      [SHP_FW_PATH_ELF] = "path_elf"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *task_protocol_name(enum shp_prog_protocol protocol)
{
	return (unsigned)protocol < COUNT(protocol_names) ? protocol_names[protocol] : "?";
}

const char *task_fw_data_type_name(enum shp_fw_data_type type)
{
	return (unsigned)type < COUNT(data_type_names) ? data_type_names[type] : "?";
}

/* ---- ProgrammingTask ----------------------------------------------------------------------- */

static void p_firmware_file(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	char *file = P(b)->firmware_file;
	if (read_path(c, n, path, file, "the path of an Intel HEX file") &&
	    !is_hex_suffix(path_suffix(file)))
		ynode_error(c, n, path,
			    "'%s' is not an Intel HEX file name: the suffix must be .hex, .ihex or "
			    ".ihx",
			    file);
}

static void p_target_port(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	task_read_port(c, n, path, &P(b)->target_port);
}

static void p_mcu_port(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	int64_t v;
	if (!ynode_int(n, &v) || v < 1 || v > 2)
		ynode_error(c, n, path, "expected the programmer's pin set 1 or 2, found '%s'",
			    ynode_text(n));
	else
		P(b)->mcu_port = (unsigned)v;
}

static void p_mcu_type(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	size_t l;
	const char *t = schema_stripped(c, n, path, "an MCU name like nRF52 or MSP430FR", &l);
	if (!t)
		return;
	for (size_t k = 0; k < l; k++)
		if ((unsigned char)t[k] < 0x20 || (unsigned char)t[k] > 0x7e) {
			ynode_error(c, n, path,
				    "only printable ASCII is allowed in an MCU name, found byte "
				    "0x%02x at %zu",
				    (unsigned char)t[k], k);
			return;
		}
	if (l >= sizeof(P(b)->mcu_type)) {
		ynode_error(c, n, path, "too long (at most %zu characters)",
			    sizeof(P(b)->mcu_type) - 1);
		return;
	}
	memcpy(P(b)->mcu_type, t, l);
	P(b)->mcu_type[l] = '\0';
}

static void p_voltage(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	double v;
	if (!ynode_number(n, &v) || !(v >= 1 && v < 5))
		ynode_error(c, n, path,
			    "expected the target's supply in volts, 1 <= voltage < 5, found '%s'",
			    ynode_text(n));
	else
		P(b)->voltage = v;
}

static void p_datarate(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	int64_t v;
	if (!ynode_int(n, &v) || v < 1 || v > 1000000)
		ynode_error(c, n, path,
			    "expected bit/s as an integer, 0 < datarate <= 1000000, found '%s'",
			    ynode_text(n));
	else
		P(b)->datarate = (uint32_t)v;
}

static void p_protocol(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	const char *t = ynode_text(n);
	if (ynode_kind(n) == YN_STRING)
		for (size_t k = 0; k < COUNT(protocol_names); k++)
			if (strcmp(t, protocol_names[k]) == 0) {
				P(b)->protocol = (enum shp_prog_protocol)k;
				return;
			}
	ynode_error(c, n, path, "expected protocol SWD, SBW, JTAG or UART, found '%s'", t);
}

static void p_simulate(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	schema_bool(c, n, path, &P(b)->simulate);
}

const struct field programming_fields[] = {
	{"firmware_file", p_firmware_file, true},
	{"target_port", p_target_port, false},
	{"mcu_port", p_mcu_port, false},
	{"mcu_type", p_mcu_type, true},
	{"voltage", p_voltage, false},
	{"datarate", p_datarate, false},
	{"protocol", p_protocol, true},
	{"simulate", p_simulate, false},
	{"verbose", f_verbose, false},
	{NULL, NULL, false},
};

/* ---- FirmwareModTask ----------------------------------------------------------------------- */

static bool data_type_of(const yaml_node_t *n, enum shp_fw_data_type *type)
{
	if (ynode_kind(n) != YN_STRING)
		return false;
	for (size_t k = 0; k < COUNT(data_type_names); k++)
		if (strcmp(ynode_text(n), data_type_names[k]) == 0) {
			*type = (enum shp_fw_data_type)k;
			return true;
		}
	return false;
}

static bool is_elf(enum shp_fw_data_type type)
{
	return type == SHP_FW_ELF || type == SHP_FW_PATH_ELF;
}

static bool is_embedded(enum shp_fw_data_type type)
{
	return type == SHP_FW_HEX || type == SHP_FW_ELF;
}

static void f_data(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	size_t l;
	const char *t =
		schema_stripped(c, n, path, "embedded firmware (base64) or a file path", &l);
	if (!t)
		return;
	char *copy = malloc(l + 1);
	if (!copy) {
		ynode_error(c, n, path, "out of memory for %zu characters", l);
		return;
	}
	memcpy(copy, t, l);
	copy[l] = '\0';
	F(b)->data = copy;
}

static void f_data_type(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	if (!data_type_of(n, &F(b)->data_type)) {
		ynode_error(c, n, path,
			    "expected data_type hex, elf, path_hex or path_elf, found '%s'",
			    ynode_text(n));
		return;
	}
	if (!is_elf(F(b)->data_type)) /* as the predecessor's model, custom_id or not */
		log_warn("%s: %s: Firmware is scheduled to get custom-ID but is not in elf-format",
			 c->source, path);
}

static void f_custom_id(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	int64_t v;
	if (ynode_kind(n) == YN_NULL) {
		F(b)->has_custom_id = false;
	} else if (!ynode_int(n, &v) || v < 0 || v > 65535) {
		ynode_error(c, n, path, "expected null or a node id from 0 to 65535, found '%s'",
			    ynode_text(n));
	} else {
		F(b)->has_custom_id = true;
		F(b)->custom_id = (uint16_t)v;
	}
}

static void f_fw_file(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	read_path(c, n, path, F(b)->firmware_file, "the path the HEX file is written to");
}

const struct field firmware_mod_fields[] = {
	{"data", f_data, true},
	{"data_type", f_data_type, true},
	{"custom_id", f_custom_id, false},
	{"firmware_file", f_fw_file, true},
	{"verbose", f_verbose, false},
	{NULL, NULL, false},
};

void task_check_firmware_mod(struct ynode_ctx *c, const yaml_node_t *node, const char *path,
			     struct shp_task *task)
{
	struct shp_firmware_mod *fm = &task->firmware_mod;
	enum shp_fw_data_type type;
	const yaml_node_t *type_node = schema_value(c, node, "data_type");
	if (!fm->data || !type_node || !data_type_of(type_node, &type))
		return; /* reported already */
	char sub[256];
	schema_join(sub, sizeof(sub), path, "data");
	const yaml_node_t *data_node = schema_value(c, node, "data");
	size_t len = strlen(fm->data);
	if (is_embedded(type) && (len < FW_DATA_MIN_CHARS || len > FW_DATA_MAX_CHARS))
		ynode_error(c, data_node, sub,
			    "embedded firmware (data_type %s) must have 3 to 8000000 characters of "
			    "base64, found %zu",
			    ynode_text(type_node), len);
	else if (!is_embedded(type) && len >= PATH_MAX)
		ynode_error(c, data_node, sub,
			    "too long for a path (data_type %s: at most %d characters)",
			    ynode_text(type_node), PATH_MAX - 1);
	if (is_elf(type) && !fm->has_custom_id) {
		schema_join(sub, sizeof(sub), path, "custom_id");
		const yaml_node_t *id_node = schema_value(c, node, "custom_id");
		ynode_error(
			c, id_node ? id_node : node, sub,
			"an ELF firmware (data_type %s) gets SHEPHERD_NODE_ID patched: custom_id "
			"must be a node id from 0 to 65535, not null",
			ynode_text(type_node));
	}
}
