/*
 * cmd_node.h - the commands that drive the node itself rather than record: fix (reload the
 * kernel module), pru (swap PRU0's firmware), target-power, blink, and rpc (not rebuilt).
 */
#ifndef SHP_CMD_NODE_H
#define SHP_CMD_NODE_H

#include "common/error.h"
#include "node/debug_session.h"

shp_err cmd_fix(const struct node_paths *paths, int argc, char **argv);
shp_err cmd_pru(const struct node_paths *paths, int argc, char **argv);
shp_err cmd_target_power(const struct node_paths *paths, int argc, char **argv);
shp_err cmd_blink(const struct node_paths *paths, int argc, char **argv);
shp_err cmd_rpc(int argc, char **argv);

#endif
