/*
 * fixtures.h - the harvester and source fixtures shepherd-core ships (pru-settings.md 3.5, 4.4)
 * and the resolution of a model as a task gives it (5): fixture by name or id, the inherit_from
 * chain, class defaults, the validator.
 *
 * Each fixture holds only what differs from its base (inherit_from) or the class defaults, so
 * the overlay rule of 5 is what makes the resolved values; the tests compare them with the
 * spec's tables. Names match case-insensitively; of two fixtures with one id the later wins
 * (cv33 and cv10 share 2102: the id finds cv10).
 */
#ifndef SHP_SETTINGS_FIXTURES_H
#define SHP_SETTINGS_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "settings/model_fields.h"

size_t vh_fixture_count(void);
const struct vh_partial *vh_fixture_at(size_t k);
const struct vh_partial *vh_fixture_by_name(const char *name); /* NULL if none */
const struct vh_partial *vh_fixture_by_id(int64_t id);

size_t vs_fixture_count(void);
const struct vs_partial *vs_fixture_at(size_t k);
const struct vs_partial *vs_fixture_by_name(const char *name);
const struct vs_partial *vs_fixture_by_id(int64_t id);

/* "neutral (1000), ivcurve (1100), ...", for messages. */
void vh_fixture_names(char *buf, size_t len);
void vs_fixture_names(char *buf, size_t len);

/* A partial that gives only a name: {name: ...}. */
void vh_partial_named(const char *name, struct vh_partial *out);
void vs_partial_named(const char *name, struct vs_partial *out);

/*
 * Resolves a harvester / source as a task gives it (pru-settings.md 5): {name} or {id} alone is
 * the fixture; inherit_from resolves the named base recursively and overlays the given fields;
 * a name or id that matches a fixture overlays the given fields on it (and follows its
 * inherit_from); else the fields are taken as given. Then the class defaults, the validator and,
 * for a source, its harvester the same way (mppt_opt when none is given). Every problem goes to
 * report; returns how many (0: out is complete and valid).
 */
int vh_resolve(const struct vh_partial *given, struct vharvester *out, settings_report_fn report,
	       void *ctx);
int vs_resolve(const struct vs_partial *given, struct vsource *out, settings_report_fn report,
	       void *ctx);

/* A fixture by name, resolved; SHP_ERR_CONFIG (logged) for a name that is none or neutral. */
shp_err vh_fixture(const char *name, struct vharvester *out);
shp_err vs_fixture(const char *name, struct vsource *out);

#endif
