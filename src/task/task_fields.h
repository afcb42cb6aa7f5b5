/*
 * task_fields.h - the task module's inside: the field parsers shared between the kinds' tables
 * (task.c, task_emulation.c, task_programming.c) and the steps a file of one task and a task
 * list (task_list.c) are both read with. Each parser reads one YAML node into the task at base.
 */
#ifndef SHP_TASK_FIELDS_H
#define SHP_TASK_FIELDS_H

#include "task/task.h"
#include "task/task_schema.h"
#include "task/yaml_node.h"

#define T(base) ((struct shp_task *)(base))

/*
 * The largest task file read: an ObserverTasks may embed two firmwares of up to 8 000 000
 * characters each (node-control.md 4.1), and a TestbedTasks holds the ObserverTasks of
 * several observers.
 */
#define TASK_FILE_MAX_BYTES (64u * 1024 * 1024)

#define TASK_DATATYPES                                                                             \
	"HarvestTask, EmulationTask, ProgrammingTask, FirmwareModTask, ObserverTasks, TestbedTasks"

/* The kind of a single task's datatype ("HarvestTask", ...); false for anything else. */
bool task_kind_of(const char *name, enum shp_task_kind *kind);

/* A task of kind with its defaults; source names it in messages. */
void task_init(struct shp_task *task, enum shp_task_kind kind, const char *source);

/*
 * Reads the parameters of a task of task->kind from the mapping node at path ("parameters",
 * "parameters.observer_tasks[2].fw1_prog"): the kind's field table, then the checks across
 * fields. Problems are counted in c.
 */
void task_read_params(struct ynode_ctx *c, const yaml_node_t *node, const char *path,
		      struct shp_task *task);

/* SHP_OK without problems in c; else the summary line, task (if any) freed, SHP_ERR_CONFIG. */
shp_err task_parse_result(struct ynode_ctx *c, struct shp_task *task);

/* Fields of several kinds */
void f_verbose(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);
/* 'A' or 'B' into *port */
void task_read_port(struct ynode_ctx *c, const yaml_node_t *n, const char *path, char *port);

/* EmulationTask only (task_emulation.c) */
void f_input_path(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);
void f_enable_io(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);
void f_io_port(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);
void f_pwr_port(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);
void f_voltage_aux(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);
void f_virtual_source(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);
void f_gpio_actuation(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);
void f_gpio_tracing(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);
void f_uart_logging(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);

/* ProgrammingTask and FirmwareModTask (task_programming.c) */
extern const struct field programming_fields[];
extern const struct field firmware_mod_fields[];
/* What a FirmwareModTask's fields say together: data as its data_type wants it. */
void task_check_firmware_mod(struct ynode_ctx *c, const yaml_node_t *node, const char *path,
			     struct shp_task *task);

#endif
