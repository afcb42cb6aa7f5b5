/*
 * task_fields.h - the field parsers of the EmulationTask-only fields (task_emulation.c), for
 * the EmulationTask table in task.c. Each reads one YAML node into the task at base.
 */
#ifndef SHP_TASK_FIELDS_H
#define SHP_TASK_FIELDS_H

#include "task/task.h"
#include "task/yaml_node.h"

#define T(base) ((struct shp_task *)(base))

void f_input_path(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);
void f_enable_io(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);
void f_io_port(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);
void f_pwr_port(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);
void f_voltage_aux(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);
void f_virtual_source(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);
void f_gpio_actuation(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);
void f_gpio_tracing(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);
void f_uart_logging(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b);

#endif
