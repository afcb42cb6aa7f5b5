/*
 * inventory.h - what a node is: OS, kernel, host, CPU, memory, disk, uptime, time sync and the
 * versions of the sheep and its libraries, as YAML (`shepherd-sheep inventorize`).
 *
 * Everything comes from /proc, /sys, uname, statvfs and adjtimex, so it costs milliseconds;
 * what a machine does not have (cpufreq in a VM) is written as null.
 */
#ifndef SHP_INVENTORY_H
#define SHP_INVENTORY_H

#include <stdio.h>

#include "common/error.h"

/* Writes the inventory to f; disk_path is the directory whose file system is reported. */
void inventory_write(FILE *f, const char *disk_path, const char *versions_yaml);

/* Writes it to path (creating its directory); SHP_ERR_OUTPUT with a message on failure. */
shp_err inventory_save(const char *path, const char *disk_path, const char *versions_yaml);

#endif
