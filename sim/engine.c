/* engine.c - serving-engine cards; see engine.h and engines/README.md */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "engine.h"
#include "jsonx.h"

/* One number of the card: section.key, where it lands, its checks and bounds. */
struct engine_key {
	const char *section, *key;
	size_t off;
	unsigned flags;
	double min, max;
};

#define EK(sec, k, f, fl, lo, hi) {sec, k, offsetof(struct engine, f), fl, lo, hi}
static const struct engine_key engine_keys[] = {
	EK("scheduler", "max_num_tokens", max_num_tokens, JX_REQUIRED | JX_INT | JX_POSITIVE, 1, 1e7),
	EK("scheduler", "large_hbm_gb", large_hbm_gb, JX_POSITIVE, 0, 1e5),
	EK("scheduler", "max_num_tokens_large_hbm", max_num_tokens_large, JX_INT | JX_POSITIVE, 1, 1e7),
	EK("overheads", "step_s", step_overhead_s, JX_REQUIRED, 0, 10),
	EK("overheads", "step_per_sequence_s", step_seq_s, 0, 0, 1),
	EK("overheads", "request_s", request_overhead_s, JX_REQUIRED, 0, 100),
	EK("overheads", "graph_latency_share", graph_latency_share, JX_REQUIRED, 0, 1),
	EK("benchmark", "waves", bench_waves, JX_REQUIRED, 1, 1e6),
	{NULL, NULL, 0, 0, 0, 0},
};

static const char *const engine_top[] = {"name", "display_name", "version", "aliases", "sources",
					 "fit", "scheduler", "overheads", "benchmark", NULL};

static int engine_known(const char *section, const char *key)
{
	const struct engine_key *k;

	if (key && strcmp(section, "scheduler") == 0 && strcmp(key, "mixed") == 0)
		return 1;

	for (k = engine_keys; k->section; k++)
		if (strcmp(k->section, section) == 0 && (!key || strcmp(k->key, key) == 0))
			return 1;
	return 0;
}

/* Every key must be one mlasim reads: a typo must not pass silently. */
static int engine_check_keys(const cJSON *root, const char *file, struct err *e)
{
	const cJSON *sec, *item;
	int i;

	cJSON_ArrayForEach(sec, root) {
		for (i = 0; engine_top[i] && strcmp(engine_top[i], sec->string) != 0; i++)
			;
		if (!engine_top[i])
			return err_set(e, EXIT_INPUT,
				       "%s: unknown key '%s' (expected scheduler, overheads, benchmark, fit, sources, name, display_name, version, aliases; see engines/README.md)",
				       file, sec->string);
		if (!engine_known(sec->string, NULL))
			continue;
		if (!cJSON_IsObject(sec))
			return err_set(e, EXIT_INPUT, "%s: '%s' must be an object", file, sec->string);
		cJSON_ArrayForEach(item, sec)
			if (!engine_known(sec->string, item->string))
				return err_set(e, EXIT_INPUT, "%s: unknown key '%s.%s' (see engines/README.md)",
					       file, sec->string, item->string);
	}
	return 0;
}

static int engine_numbers(const cJSON *root, const char *file, struct engine *g, struct err *e)
{
	const struct engine_key *k;
	char path[64];

	for (k = engine_keys; k->section; k++) {
		const cJSON *sec = cJSON_GetObjectItemCaseSensitive(root, k->section);
		/* cppcheck-suppress invalidPointerCast ; a double field, found by its offsetof */
		double *out = (double *)((char *)g + k->off);
		int r;

		snprintf(path, sizeof path, "%s.%s", k->section, k->key);
		*out = NAN;
		if (!cJSON_IsObject(sec)) {
			if (k->flags & JX_REQUIRED)
				return err_set(e, EXIT_INPUT, "%s: missing '%s'", file, path);
			continue;
		}
		r = jsonx_num(sec, k->key, file, path, k->flags, k->max, out, e);
		if (r > 0)
			return r;
		if (r == 0 && *out < k->min)
			return err_set(e, EXIT_INPUT, "%s: '%s' must be at least %g, got %g", file, path, k->min, *out);
	}
	{
		const cJSON *sch = cJSON_GetObjectItemCaseSensitive(root, "scheduler");
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(sch, "mixed");

		if (!cJSON_IsBool(m))
			return err_set(e, EXIT_INPUT, "%s: 'scheduler.mixed' must be true or false (%s)", file,
				       m ? "not a boolean" : "missing");
		g->mixed = cJSON_IsTrue(m);
	}
	if (isnan(g->step_seq_s))   /* a card from before it was modelled: none */
		g->step_seq_s = 0;
	if (isnan(g->large_hbm_gb) != isnan(g->max_num_tokens_large))
		return err_set(e, EXIT_INPUT,
			       "%s: 'scheduler.large_hbm_gb' and 'scheduler.max_num_tokens_large_hbm' go together", file);
	return 0;
}

int engine_load(const char *path, struct engine *g, struct err *e)
{
	cJSON *root;
	const cJSON *fit;
	const char *base = strrchr(path, '/');
	int rc;

	memset(g, 0, sizeof *g);
	if (jsonx_load(path, &root, e))
		return e->code;
	snprintf(g->path, sizeof g->path, "%s", path);
	snprintf(g->name, sizeof g->name, "%.31s", base ? base + 1 : path);
	if (strlen(g->name) > 5 && strcmp(g->name + strlen(g->name) - 5, ".json") == 0)
		g->name[strlen(g->name) - 5] = 0;
	rc = engine_check_keys(root, path, e);
	if (!rc && jsonx_str(root, "display_name", path, 0, g->display, sizeof g->display, e) > 0)
		rc = e->code;
	if (!rc && jsonx_str(root, "version", path, 0, g->version, sizeof g->version, e) > 0)
		rc = e->code;
	if (!rc)
		rc = engine_numbers(root, path, g, e);
	fit = cJSON_GetObjectItemCaseSensitive(root, "fit");
	if (!rc && fit && jsonx_str(fit, "summary", path, 0, g->fitted_on, sizeof g->fitted_on, e) > 0)
		rc = e->code;
	if (!g->display[0])
		snprintf(g->display, sizeof g->display, "%s", g->name);
	cJSON_Delete(root);
	return rc;
}

double engine_max_num_tokens(const struct engine *g, const struct hw *h)
{
	if (!isnan(g->large_hbm_gb) && h->gpu.hbm_bytes >= g->large_hbm_gb * 1e9)
		return g->max_num_tokens_large;
	return g->max_num_tokens;
}
