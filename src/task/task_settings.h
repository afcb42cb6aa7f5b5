/*
 * task_settings.h - a task file's virtual_harvester and virtual_source: read strictly from YAML
 * into the settings models' partial form (settings/model_fields.h), resolved by the settings
 * room (fixtures, inherit_from, class defaults, validator) with every problem reported at the
 * line of the field it concerns, and written back with every field for the config dump.
 *
 * Besides the model's fields a mapping may carry the metadata herd sends with an expanded
 * fixture (id, description, comment, created, updated_last, owner, group, visible2group,
 * visible2all) and inherit_from; the metadata is checked for its type and otherwise ignored.
 */
#ifndef SHP_TASK_SETTINGS_H
#define SHP_TASK_SETTINGS_H

#include <stdbool.h>
#include <stdio.h>

#include "settings/vharvester.h"
#include "settings/vsource.h"
#include "task/yaml_node.h"

/* A VirtualHarvesterConfig mapping at path, resolved into out; false if a problem was logged. */
bool task_read_harvester(struct ynode_ctx *c, const yaml_node_t *node, const char *path,
			 struct vharvester *out);

/* A VirtualSourceConfig mapping (with its harvester), resolved into out. */
bool task_read_source(struct ynode_ctx *c, const yaml_node_t *node, const char *path,
		      struct vsource *out);

/* Every field of a resolved model as YAML lines, each line starting with indent. */
void task_put_harvester(FILE *f, const struct vharvester *vh, const char *indent);
void task_put_source(FILE *f, const struct vsource *vs, const char *indent);

#endif
