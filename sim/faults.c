/* faults.c - parsing of --fault specifications. */
#include "faults.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = {"canary", "jump", "stall", "stop", "restart", "error"};
static const char *const rings[] = {"iv_inp", "iv_out", "gpio", "util"};

const char *sim_fault_name(enum sim_fault_kind kind)
{
	return names[kind];
}

static bool fail(const char *text, const char *why)
{
	fprintf(stderr, "shepherd-pru-sim: --fault '%s': %s\n", text, why);
	return false;
}

bool sim_fault_parse(const char *text, struct sim_fault *f)
{
	memset(f, 0, sizeof(*f));
	const char *at = strchr(text, '@');
	if (!at)
		return fail(text, "expected KIND@SECONDS[:ARG]");
	size_t len = (size_t)(at - text);
	int k = 0;
	while (k < 6 && !(strlen(names[k]) == len && strncmp(names[k], text, len) == 0))
		k++;
	if (k == 6)
		return fail(text, "kinds are canary, jump, stall, stop, restart, error");
	f->kind = (enum sim_fault_kind)k;
	char *end;
	double s = strtod(at + 1, &end);
	if (end == at + 1 || !(s >= 0 && s < 1e7))
		return fail(text, "SECONDS after @ must be a number >= 0");
	f->at_sample = (uint64_t)llround(s * 1e5);
	bool needs_arg = f->kind == FAULT_CANARY || f->kind == FAULT_JUMP ||
			 f->kind == FAULT_STALL || f->kind == FAULT_ERROR;
	if (!needs_arg)
		return *end == '\0' ? true : fail(text, "takes no argument");
	if (*end != ':')
		return fail(text, "needs :ARG");
	const char *arg = end + 1;
	if (f->kind == FAULT_CANARY) {
		for (int r = 0; r < 4; r++)
			if (strcmp(arg, rings[r]) == 0) {
				f->arg = r;
				return true;
			}
		return fail(text, "rings are iv_inp, iv_out, gpio, util");
	}
	f->arg = strtoll(arg, &end, 0);
	if (*end || end == arg)
		return fail(text, "ARG must be an integer");
	if (f->kind == FAULT_STALL && !(f->arg > 0 && f->arg <= 600000))
		return fail(text, "stall takes 1 to 600000 ms");
	if (f->kind == FAULT_JUMP && (f->arg == 0 || llabs(f->arg) > 100000000))
		return fail(text, "jump takes a non-zero number of samples");
	if (f->kind == FAULT_ERROR && !(f->arg > 0 && f->arg <= 0xFF))
		return fail(text, "error takes a message code from 1 to 0xFF");
	return true;
}
