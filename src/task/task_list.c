/*
 * task_list.c - a task file as the list of tasks it asks of this node (node-control.md 5): one
 * task, the members of an ObserverTasks, or those of the first TestbedTasks entry whose
 * observer is this host.
 *
 * The whole file is checked before anything runs, every entry of a TestbedTasks included (as
 * the predecessor validates the whole model): a member is read with the same field table as a
 * file of its kind, at its path ("parameters.observer_tasks[3].fw1_prog"), so an emulation in
 * an ObserverTasks is checked exactly as an EmulationTask file. Only the chosen entry's tasks
 * are kept; the others are freed as soon as they are checked.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "common/clock.h"
#include "common/log.h"
#include "task/task_fields.h"
#include "task/timefmt.h"

#define TESTBED_MAX_OBSERVERS 128

/* The members of an ObserverTasks in the order they run. */
enum member { M_FW1_MOD, M_FW2_MOD, M_FW1_PROG, M_FW2_PROG, M_EMULATION, M_COUNT };
_Static_assert(M_COUNT == SHP_TASK_LIST_MAX, "a list holds one ObserverTasks");

static const struct {
	const char *name;
	enum shp_task_kind kind;
} members[M_COUNT] = {
	[M_FW1_MOD] = {"fw1_mod", SHP_TASK_FIRMWARE_MOD},
	[M_FW2_MOD] = {"fw2_mod", SHP_TASK_FIRMWARE_MOD},
	[M_FW1_PROG] = {"fw1_prog", SHP_TASK_PROGRAMMING},
	[M_FW2_PROG] = {"fw2_prog", SHP_TASK_PROGRAMMING},
	[M_EMULATION] = {"emulation", SHP_TASK_EMULATION},
};

/* One ObserverTasks as it is read. */
struct observer_entry {
	char observer[sizeof(((struct shp_task_list *)0)->observer)];
	struct shp_task *task[M_COUNT]; /* NULL: null or absent */
};

static void entry_free(struct observer_entry *e)
{
	for (int k = 0; k < M_COUNT; k++) {
		if (e->task[k])
			task_free(e->task[k]);
		free(e->task[k]);
		e->task[k] = NULL;
	}
}

/* A new task of kind read from n at path; NULL (reported) when out of memory. */
static struct shp_task *read_task(struct ynode_ctx *c, const yaml_node_t *n, const char *path,
				  enum shp_task_kind kind)
{
	struct shp_task *t = malloc(sizeof(*t));
	if (!t) {
		ynode_error(c, n, path, "out of memory for a %s", task_kind_name(kind));
		return NULL;
	}
	task_init(t, kind, c->source);
	task_read_params(c, n, path, t);
	return t;
}

/* A list's emulation is refused with its start in the past, before anything of the list runs
 * (the predecessor's model validator); a file of one task gets run's own check. */
static void check_start_ahead(struct ynode_ctx *c, const yaml_node_t *n, const char *path,
			      const struct shp_task *t)
{
	if (!t->has_time_start || t->time_start > (double)wall_ns() / 1e9)
		return;
	char sub[256];
	schema_join(sub, sizeof(sub), path, "time_start");
	const yaml_node_t *at = schema_value(c, n, "time_start");
	ynode_error(c, at ? at : n, sub,
		    "'%s' lies in the past: an emulation cannot start then (the whole task list is "
		    "refused)",
		    ynode_text(at));
}

/* ---- ObserverTasks ------------------------------------------------------------------------- */

#define E(base) ((struct observer_entry *)(base))

static void read_member(struct ynode_ctx *c, const yaml_node_t *n, const char *path,
			struct observer_entry *e, enum member m)
{
	if (ynode_kind(n) == YN_NULL)
		return;
	e->task[m] = read_task(c, n, path, members[m].kind);
	if (e->task[m] && m == M_EMULATION)
		check_start_ahead(c, n, path, e->task[m]);
}

static void o_fw1_mod(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	read_member(c, n, path, E(b), M_FW1_MOD);
}

static void o_fw2_mod(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	read_member(c, n, path, E(b), M_FW2_MOD);
}

static void o_fw1_prog(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	read_member(c, n, path, E(b), M_FW1_PROG);
}

static void o_fw2_prog(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	read_member(c, n, path, E(b), M_FW2_PROG);
}

static void o_emulation(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	read_member(c, n, path, E(b), M_EMULATION);
}

static void o_observer(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	size_t len;
	const char *t = schema_stripped(c, n, path, "the observer's host name", &len);
	if (!t)
		return;
	if (len >= sizeof(E(b)->observer)) {
		ynode_error(c, n, path, "too long for a host name (at most %zu characters)",
			    sizeof(E(b)->observer) - 1);
		return;
	}
	memcpy(E(b)->observer, t, len);
	E(b)->observer[len] = '\0';
}

/* owner_id of both containers: a required key, null or an integer; the sheep does not use it. */
static void x_owner_id(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	(void)b;
	enum ynode_kind k = ynode_kind(n);
	if (k != YN_NULL && k != YN_INT)
		ynode_error(c, n, path,
			    "expected null or an owner's id (an integer), found %s '%s'",
			    ynode_kind_name(k), ynode_text(n));
}

static void o_time_prep(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	(void)b; /* checked, then ignored: "parameters currently not handled" */
	enum ynode_kind k = ynode_kind(n);
	double t;
	if (k != YN_INT && k != YN_FLOAT &&
	    !(k == YN_STRING && parse_iso_datetime(ynode_text(n), &t)))
		ynode_error(
			c, n, path,
			"expected a date-time like 2033-03-13 14:10:16 (or Unix seconds), found "
			"%s '%s'",
			ynode_kind_name(k), ynode_text(n));
}

static void o_root_path(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	(void)b; /* checked, then ignored, as time_prep */
	size_t len;
	if (schema_stripped(c, n, path, "the experiment's directory", &len) && len >= PATH_MAX)
		ynode_error(c, n, path, "too long for a path (at most %d characters)",
			    PATH_MAX - 1);
}

static void o_abort_on_error(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	(void)b;
	bool v;
	if (schema_bool(c, n, path, &v) && v)
		log_warn("%s: %s is deprecated and ignored", c->source, path);
}

static const struct field observer_fields[] = {
	{"observer", o_observer, true},
	{"owner_id", x_owner_id, true},
	{"time_prep", o_time_prep, true},
	{"root_path", o_root_path, true},
	{"abort_on_error", o_abort_on_error, false},
	{"fw1_mod", o_fw1_mod, false},
	{"fw2_mod", o_fw2_mod, false},
	{"fw1_prog", o_fw1_prog, false},
	{"fw2_prog", o_fw2_prog, false},
	{"emulation", o_emulation, false},
	{NULL, NULL, false},
};

/* ---- TestbedTasks -------------------------------------------------------------------------- */

struct testbed {
	const char *host;
	bool found;
	struct observer_entry chosen; /* the first entry of host */
};

#define TB(base) ((struct testbed *)(base))

static void t_name(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	(void)b;
	size_t len;
	schema_stripped(c, n, path, "the experiment's name", &len);
}

static void t_email_results(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	(void)b;
	bool v;
	schema_bool(c, n, path, &v);
}

static void t_observer_tasks(struct ynode_ctx *c, const yaml_node_t *n, const char *path, void *b)
{
	struct testbed *tb = TB(b);
	if (ynode_kind(n) != YN_SEQUENCE) {
		ynode_error(c, n, path, "expected a list of ObserverTasks, found %s",
			    ynode_kind_name(ynode_kind(n)));
		return;
	}
	size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (count < 1 || count > TESTBED_MAX_OBSERVERS)
		ynode_error(c, n, path, "expected 1 to %d ObserverTasks, found %zu",
			    TESTBED_MAX_OBSERVERS, count);
	for (size_t k = 0; k < count; k++) {
		const yaml_node_t *item =
			yaml_document_get_node(c->doc, n->data.sequence.items.start[k]);
		char sub[256];
		snprintf(sub, sizeof(sub), "%s[%zu]", path, k);
		struct observer_entry e;
		memset(&e, 0, sizeof(e));
		schema_mapping(c, item, sub, observer_fields, &e, "ObserverTasks");
		if (!tb->found && strcmp(e.observer, tb->host) == 0) {
			tb->found = true;
			tb->chosen = e;
		} else {
			entry_free(&e);
		}
	}
}

static const struct field testbed_fields[] = {
	{"name", t_name, true},
	{"observer_tasks", t_observer_tasks, true},
	{"email_results", t_email_results, false},
	{"owner_id", x_owner_id, true},
	{NULL, NULL, false},
};

/* ---- the file ------------------------------------------------------------------------------ */

void task_host_name(char *out, size_t len)
{
	struct utsname u;
	const char *name = getenv("SHEPHERD_HOSTNAME"); /* a stand-in's name, for tests */
	if (!name || !*name)
		name = uname(&u) == 0 ? u.nodename : "";
	while (isspace((unsigned char)*name))
		name++;
	snprintf(out, len, "%s", name);
	size_t l = strlen(out);
	while (l > 0 && isspace((unsigned char)out[l - 1]))
		out[--l] = '\0';
}

static void take_entry(struct shp_task_list *list, struct observer_entry *e)
{
	snprintf(list->observer, sizeof(list->observer), "%s", e->observer);
	for (int k = 0; k < M_COUNT; k++)
		if (e->task[k]) {
			list->task[list->n] = e->task[k];
			snprintf(list->member[list->n], sizeof(list->member[0]), "%s",
				 members[k].name);
			list->n++;
			e->task[k] = NULL;
		}
}

/* Reads the parameters of the wrapper's datatype into list (problems counted in c); *not_in_set:
 * a TestbedTasks without an entry of host. */
static void read_list(struct ynode_ctx *c, const yaml_node_t *datatype, const yaml_node_t *params,
		      const char *host, struct shp_task_list *list, bool *not_in_set)
{
	const char *type = ynode_text(datatype);
	snprintf(list->datatype, sizeof(list->datatype), "%s", type);
	enum shp_task_kind kind;
	if (task_kind_of(type, &kind)) {
		if (!params)
			return;
		list->task[0] = read_task(c, params, "parameters", kind);
		list->n = list->task[0] != NULL;
	} else if (strcmp(type, "ObserverTasks") == 0) {
		struct observer_entry e;
		memset(&e, 0, sizeof(e));
		if (params)
			schema_mapping(c, params, "parameters", observer_fields, &e,
				       "ObserverTasks");
		take_entry(list, &e);
	} else if (strcmp(type, "TestbedTasks") == 0) {
		struct testbed tb = {.host = host};
		if (params)
			schema_mapping(c, params, "parameters", testbed_fields, &tb,
				       "TestbedTasks");
		*not_in_set = params && !tb.found;
		take_entry(list, &tb.chosen);
	} else {
		ynode_error(c, datatype, "datatype",
			    "unknown task type '%s' (allowed: " TASK_DATATYPES ")", type);
	}
}

shp_err task_list_load(const char *path, const char *hostname, struct shp_task_list *list)
{
	memset(list, 0, sizeof(*list));
	char host[sizeof(list->observer)];
	if (!hostname) {
		task_host_name(host, sizeof(host));
		hostname = host;
	}
	char *text;
	size_t len;
	SHP_TRY(ynode_read_file(path, "task file", TASK_FILE_MAX_BYTES, &text, &len));
	yaml_document_t doc;
	bool loaded = ynode_load(text, len, path, &doc);
	free(text);
	if (!loaded)
		return SHP_ERR_CONFIG;
	struct ynode_ctx c = {.doc = &doc, .source = path, .errors = 0};
	bool not_in_set = false;
	const yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		log_error("%s: the task file is empty", path);
		c.errors++;
	} else {
		struct schema_wrapper w;
		schema_wrapper(&c, root, "a task file", &w);
		if (w.datatype)
			read_list(&c, w.datatype, w.parameters, hostname, list, &not_in_set);
	}
	yaml_document_delete(&doc);
	shp_err e = task_parse_result(&c, NULL);
	if (e == SHP_OK && not_in_set) {
		log_error("Observer '%s' is not in TestbedTask-Set", hostname);
		e = SHP_ERR_CONFIG;
	}
	if (e != SHP_OK)
		task_list_free(list);
	return e;
}

void task_list_free(struct shp_task_list *list)
{
	for (unsigned k = 0; k < list->n; k++) {
		task_free(list->task[k]);
		free(list->task[k]);
		list->task[k] = NULL;
	}
	list->n = 0;
}
