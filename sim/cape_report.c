/*
 * cape_report.c - the cape's state as its control pins and the aux word set it
 * (node-control.md 2.2, 2.4), one readable line on stderr when it changes.
 */
#include <stdio.h>
#include <string.h>

#include "gpio_tree.h"

#define PIN_EN_SHEPHERD 23    /* supplies on */
#define PIN_TARGET_PWR_SEL 31 /* high: main -> port A, aux -> B; low: main -> B, aux -> A */
#define PIN_TARGET_IO_SEL 30  /* high: IO to port A; low: to B */
#define PIN_TARGET_IO_EN 60   /* level translators and switches on */
#define AUX_MAIN (1u << 20)
#define AUX_BUFFER (1u << 21)

/* The aux rail as the word in dac_auxiliary_voltage_raw sets it. */
static void describe_aux(const struct sim_gpio_tree *t, char *buf, size_t len)
{
	FILE *f = fopen(t->aux_file, "r");
	unsigned long long word = 0;
	bool got = f && fscanf(f, "%llu", &word) == 1;
	if (f)
		fclose(f);
	unsigned features = (unsigned)(word >> 20) & 3u;
	if (!got)
		snprintf(buf, len, "aux (no aux word: module unloaded?)");
	else if (features == 1)
		snprintf(buf, len, "aux linked to main");
	else if (features == 2)
		snprintf(buf, len, "aux following the storage voltage");
	else
		snprintf(buf, len, "aux at %.2f V", (double)(word & 0xFFFFu) / 13107.0);
}

void sim_gpio_cape_report(struct sim_gpio_tree *t)
{
	if (!t->verbose ||
	    !(t->pins[PIN_EN_SHEPHERD].exported || t->pins[PIN_TARGET_PWR_SEL].exported ||
	      t->pins[PIN_TARGET_IO_SEL].exported || t->pins[PIN_TARGET_IO_EN].exported))
		return; /* the cape's pins untouched so far */
	bool on = sim_gpio_level(t, PIN_EN_SHEPHERD);
	char aux_port = sim_gpio_level(t, PIN_TARGET_PWR_SEL) ? 'B' : 'A';
	char io_port = sim_gpio_level(t, PIN_TARGET_IO_SEL) ? 'A' : 'B';
	const char *converter = sim_gpio_level(t, PIN_TARGET_IO_EN) ? "on" : "off";
	char aux[80], line[sizeof(t->cape_line)];
	describe_aux(t, aux, sizeof(aux));
	if (on)
		snprintf(line, sizeof(line),
			 "cape: on, port %c powered from %s, port %c from main, IO to %c, level "
			 "converter %s",
			 aux_port, aux, aux_port == 'A' ? 'B' : 'A', io_port, converter);
	else
		snprintf(line, sizeof(line), "cape: off, IO to %c, level converter %s", io_port,
			 converter);
	if (strcmp(line, t->cape_line) == 0)
		return;
	memcpy(t->cape_line, line, sizeof(line));
	fprintf(stderr, "shepherd-pru-sim: %s\n", line);
}
