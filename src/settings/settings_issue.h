/*
 * settings_issue.h - how the settings models report a problem: which field of which model, in
 * words, so that the task reader can point at the line the field came from.
 *
 * The models check everything and report every problem they find (a task file's problems are
 * all shown in one go); the caller decides where the message goes.
 */
#ifndef SHP_SETTINGS_ISSUE_H
#define SHP_SETTINGS_ISSUE_H

#include <stdbool.h>

/* field values besides the indexes into vh_fields / vs_fields (model_fields.h) */
enum {
	SETTINGS_WHOLE = -1,   /* the model as a whole */
	SETTINGS_INHERIT = -2, /* its inherit_from */
	SETTINGS_ID = -3,      /* its id */
};

struct settings_issue {
	bool in_harvester; /* a source's harvester (a harvester of its own: false) */
	int field;         /* index into vh_fields / vs_fields, or one of the above */
	int row, col;      /* the LUT entry, -1 if none */
	char msg[512];
};

typedef void (*settings_report_fn)(void *ctx, const struct settings_issue *issue);

#endif
