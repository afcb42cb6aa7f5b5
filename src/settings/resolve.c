/*
 * resolve.c - from a model as a task gives it to a complete, checked model (pru-settings.md 5).
 *
 * The chain is the same for both models, so it is written once over a small description of
 * the model (its fixtures and its overlay). Bases are fixtures only: a task cannot make a
 * cycle, and the fixtures have none (a depth limit guards the tables all the same).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "settings/fixtures.h"

#define MAX_DEPTH 8

struct model {
	const char *what; /* "harvester" or "source" */
	size_t size;      /* of the partial */
	const void *(*by_name)(const char *name);
	const void *(*by_id)(int64_t id);
	void (*overlay)(void *dst, const void *src);
	const char *(*name)(const void *p);
	void (*names)(char *buf, size_t len);
};

union any_partial {
	struct vh_partial vh;
	struct vs_partial vs;
};

static const void *vh_name_fn(const char *name)
{
	return vh_fixture_by_name(name);
}

static const void *vh_id_fn(int64_t id)
{
	return vh_fixture_by_id(id);
}

static void vh_overlay_fn(void *dst, const void *src)
{
	vh_partial_overlay(dst, src);
}

static const char *vh_partial_name(const void *p)
{
	return ((const struct vh_partial *)p)->v.name;
}

static const void *vs_name_fn(const char *name)
{
	return vs_fixture_by_name(name);
}

static const void *vs_id_fn(int64_t id)
{
	return vs_fixture_by_id(id);
}

static void vs_overlay_fn(void *dst, const void *src)
{
	vs_partial_overlay(dst, src);
}

static const char *vs_partial_name(const void *p)
{
	return ((const struct vs_partial *)p)->v.name;
}

static const struct model harvester_model = {
	"harvester",   sizeof(struct vh_partial), vh_name_fn,      vh_id_fn,
	vh_overlay_fn, vh_partial_name,           vh_fixture_names};
static const struct model source_model = {
	"source",      sizeof(struct vs_partial), vs_name_fn,      vs_id_fn,
	vs_overlay_fn, vs_partial_name,           vs_fixture_names};

static bool named(const void *p)
{
	return ((const struct settings_head *)p)->given & SETTINGS_BIT(0); /* NAME is field 0 */
}

/* The fixture the partial's {name} or {id} alone stands for; NULL (reported) if none. */
static const void *lone_key_fixture(const struct model *m, const void *p, bool in_harvester,
				    settings_report_fn report, void *ctx)
{
	const struct settings_head *h = p;
	const void *fx = named(p) ? m->by_name(m->name(p)) : m->by_id(h->id);
	if (!fx) {
		char known[1024];
		m->names(known, sizeof(known));
		if (named(p))
			settings_report(report, ctx, in_harvester, 0, -1, -1,
					"no %s fixture is named '%s' (known: %s)", m->what,
					m->name(p), known);
		else
			settings_report(report, ctx, in_harvester, SETTINGS_ID, -1, -1,
					"no %s fixture has the id %lld (known: %s)", m->what,
					(long long)h->id, known);
	}
	return fx;
}

/*
 * Resolves p in place: its inherit_from, else the fixture its name or id matches; *matched
 * tells whether a fixture took part. Returns the number of problems reported.
 */
static int chain(const struct model *m, void *p, int depth, bool *matched, bool in_harvester,
		 settings_report_fn report, void *ctx)
{
	struct settings_head *h = p;
	if (depth > MAX_DEPTH)
		return settings_report(report, ctx, in_harvester, SETTINGS_INHERIT, -1, -1,
				       "the inherit_from chain of '%s' is longer than %d",
				       m->name(p), MAX_DEPTH);
	union any_partial base;
	if (h->inherit_from[0]) {
		const void *fx = m->by_name(h->inherit_from);
		if (!fx) {
			char known[1024];
			m->names(known, sizeof(known));
			return settings_report(report, ctx, in_harvester, SETTINGS_INHERIT, -1, -1,
					       "no %s fixture is named '%s' (known: %s)", m->what,
					       h->inherit_from, known);
		}
		if (named(p) && strcasecmp(m->name(p), h->inherit_from) == 0)
			return settings_report(report, ctx, in_harvester, SETTINGS_INHERIT, -1, -1,
					       "'%s' inherits from itself", m->name(p));
		memcpy(&base, fx, m->size);
		*matched = true;
		int problems = chain(m, &base, depth + 1, matched, in_harvester, report, ctx);
		if (problems)
			return problems;
		h->inherit_from[0] = '\0';
		m->overlay(&base, p);
		memcpy(p, &base, m->size);
		return 0;
	}
	const void *fx = named(p) ? m->by_name(m->name(p)) : NULL;
	if (!fx && h->has_id)
		fx = m->by_id(h->id);
	if (!fx)
		return 0; /* as given */
	*matched = true;
	memcpy(&base, fx, m->size);
	m->overlay(&base, p); /* the fixture's inherit_from stays: followed next */
	memcpy(p, &base, m->size);
	return h->inherit_from[0] ? chain(m, p, depth + 1, matched, in_harvester, report, ctx) : 0;
}

/* Rule 1 and the chain; the partial's given fields are then what the model holds. */
static int resolve_partial(const struct model *m, void *p, bool *matched, bool in_harvester,
			   settings_report_fn report, void *ctx)
{
	struct settings_head *h = p;
	uint64_t fields = h->given & ~SETTINGS_BIT(0);
	bool lone_name = named(p) && !fields && !h->has_id;
	bool lone_id = !named(p) && !fields && h->has_id;
	*matched = false;
	if (!h->inherit_from[0] && (lone_name || lone_id)) {
		const void *fx = lone_key_fixture(m, p, in_harvester, report, ctx);
		if (!fx)
			return 1;
		memcpy(p, fx, m->size);
	}
	int problems = chain(m, p, 0, matched, in_harvester, report, ctx);
	if (!problems && !named(p))
		problems = settings_report(report, ctx, in_harvester, SETTINGS_WHOLE, -1, -1,
					   "a %s needs a name (or a fixture to inherit_from)",
					   m->what);
	return problems;
}

static int resolve_harvester(const struct vh_partial *given, struct vharvester *out, bool in_source,
			     settings_report_fn report, void *ctx)
{
	struct vh_partial p = *given;
	bool matched;
	vh_defaults(out);
	int problems = resolve_partial(&harvester_model, &p, &matched, in_source, report, ctx);
	if (problems)
		return problems;
	if (!matched && !(p.h.given & SETTINGS_BIT(VHF_ALGORITHM))) {
		char known[1024];
		vh_fixture_names(known, sizeof(known));
		return settings_report(
			report, ctx, in_source, VHF_NAME, -1, -1,
			"no harvester fixture is named '%s' and no algorithm is given "
			"(known: %s)",
			p.v.name, known);
	}
	if (!matched)
		log_info("harvester '%s' is no fixture: the class defaults with the given fields",
			 p.v.name);
	vh_partial_apply(&p, out);
	return vh_validate(out, in_source, report, ctx);
}

int vh_resolve(const struct vh_partial *given, struct vharvester *out, settings_report_fn report,
	       void *ctx)
{
	return resolve_harvester(given, out, false, report, ctx);
}

int vs_resolve(const struct vs_partial *given, struct vsource *out, settings_report_fn report,
	       void *ctx)
{
	struct vs_partial p = *given;
	bool matched;
	vs_defaults(out);
	int problems = resolve_partial(&source_model, &p, &matched, false, report, ctx);
	if (problems)
		return problems;
	uint64_t fields = p.h.given & ~SETTINGS_BIT(VSF_NAME);
	if (!matched && !fields) {
		char known[1024];
		vs_fixture_names(known, sizeof(known));
		return settings_report(report, ctx, false, VSF_NAME, -1, -1,
				       "no source fixture is named '%s' and no field is given "
				       "(known: %s)",
				       p.v.name, known);
	}
	if (!matched)
		log_warn("virtual source '%s' is no fixture: the class defaults with the given "
			 "fields",
			 p.v.name);
	vs_partial_apply(&p, out);
	if (p.h.given & SETTINGS_BIT(VSF_HARVESTER))
		problems = resolve_harvester(&p.harvester, &out->harvester, true, report, ctx);
	if (problems)
		return problems +
		       settings_check_bounds(vs_fields, VSF_COUNT, out, false, report, ctx);
	return vs_validate(out, report, ctx);
}

static void log_issue(void *ctx, const struct settings_issue *issue)
{
	log_error("fixture '%s'%s: %s", (const char *)ctx, issue->in_harvester ? ", harvester" : "",
		  issue->msg);
}

shp_err vh_fixture(const char *name, struct vharvester *out)
{
	struct vh_partial p;
	vh_partial_named(name, &p);
	return vh_resolve(&p, out, log_issue, (void *)name) ? SHP_ERR_CONFIG : SHP_OK;
}

shp_err vs_fixture(const char *name, struct vsource *out)
{
	struct vs_partial p;
	vs_partial_named(name, &p);
	return vs_resolve(&p, out, log_issue, (void *)name) ? SHP_ERR_CONFIG : SHP_OK;
}
