/*
 * gpio_tree.h - the kernel's legacy sysfs GPIO interface (/sys/class/gpio) in the simulator:
 * ROOT/gpio with export, unexport and gpioN/{direction,value,edge,active_low}
 * (node-control.md 2.1), and the log of every write to it, ROOT/gpio.log.
 *
 * Semantics, as Linux has them except where a plain file cannot refuse a write:
 *   export N     gpioN/ appears (built under a hidden name, then renamed: it appears whole),
 *                an input; N from 0 to 127 (the AM335x's four banks), else refused
 *   unexport N   gpioN/ disappears
 *   direction    in | out | high | low; out drives the line low (also when it already was an
 *                output), high and low set the level too and then read "out"
 *   value        0/1 (a decimal number, non-zero = 1; newline allowed). Written to an output:
 *                its level. Written to an input: taken as the outside world changing the level
 *                (how tests press the cape button) and logged as external
 *   edge         none | rising | falling | both (stored; the simulator raises no interrupt)
 *   active_low   0/1: value reads and writes the inverted line level
 * An input reads the level the outside world gives it: pin 65 (the cape button, pulled up)
 * 1, the others 0, until an external write changes it. A refused write (bad text, export of
 * an exported pin, unexport of one that is not) puts the file back and is logged as refused.
 *
 * Writes of others arrive through inotify (one watch on the tree, one per pin directory);
 * inotify names the file only, so writes of one file in quick succession may be seen as the
 * last of them more than once. A level the simulator sets itself (direction, active_low) is
 * shown in value once no write is queued, so that a value written right after the direction
 * is not overwritten. Exports therefore one at a time: wait for gpioN/ before the
 * next (the kernel's export returns only once the directory is there).
 *
 * The log, one line per write, "<unix time, 6 decimals> <what>":
 *   1764640000.123456 export 60
 *   1764640000.123502 gpio60 direction out
 *   1764640000.123533 gpio60 value 1
 *   1764640000.223101 gpio65 value 0 (external)
 *   1764640000.323000 unexport 60
 *   1764640000.423000 gpio60 direction sideways (refused: not in, out, high or low)
 */
#ifndef SIM_GPIO_TREE_H
#define SIM_GPIO_TREE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define SIM_GPIO_PINS 128
#define SIM_GPIO_BUTTON 65 /* P8_18 "BTN Sense": pulled up, a press pulls it low */

struct sim_gpio_pin {
	bool exported;
	bool output;
	bool drive;   /* the level driven while an output */
	bool outside; /* the level the outside world gives it as an input */
	bool active_low;
	bool show;           /* its value file is to show its level (sim_gpio_tree_events) */
	char shown[8];       /* what the value file holds, as far as the simulator knows */
	char edge[12];       /* as the file reads: "none\n", ... */
	int wd;              /* inotify watch of gpioN/ */
	uint64_t value_ino;  /* value as the simulator last published it (others' writes change */
	int64_t value_ctime; /* the change time) */
};

struct sim_gpio_tree {
	char dir[PATH_MAX];
	int inotify_fd;
	int root_wd;
	FILE *log;
	char log_path[PATH_MAX];
	int verbose;
	char aux_file[PATH_MAX]; /* dac_auxiliary_voltage_raw, for the cape's state line */
	char cape_line[200];     /* the last one printed */
	struct sim_gpio_pin pins[SIM_GPIO_PINS];
};

/* Creates dir (export, unexport) and opens log_path; -1 on error (errno set). */
int sim_gpio_tree_open(struct sim_gpio_tree *t, const char *dir, const char *log_path,
		       const char *aux_file, int verbose);

/* Closes the log and stops watching; unless keep, removes the tree and the log. */
void sim_gpio_tree_close(struct sim_gpio_tree *t, bool keep);

/* Handles the pending writes (non-blocking); the descriptor to poll is t->inotify_fd. */
void sim_gpio_tree_events(struct sim_gpio_tree *t);

/* The line level of pin n as the cape sees it (not exported: low). */
bool sim_gpio_level(const struct sim_gpio_tree *t, unsigned n);

/*
 * With -v: prints the cape's state to stderr when it changed since the last print: supply,
 * which port gets main and which aux (target_pwr_sel), the IO port (target_io_sel), the level
 * converter (target_io_en) and the aux voltage from dac_auxiliary_voltage_raw (x 1/13107 V).
 */
void sim_gpio_cape_report(struct sim_gpio_tree *t);

#endif
