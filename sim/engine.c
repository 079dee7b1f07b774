/* engine.c - serving-engine cards; see engine.h and engines/README.md */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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
					 "fit", "scheduler", "overheads", "benchmark", "allreduce", "kernels", NULL};

static int engine_known(const char *section, const char *key)
{
	const struct engine_key *k;

	if (key && strcmp(section, "scheduler") == 0 && (strcmp(key, "mixed") == 0 || strcmp(key, "dp_balance") == 0))
		return 1;
	if (strcmp(section, "allreduce") == 0)
		return !key || !strcmp(key, "custom_max_bytes") || !strcmp(key, "custom_max_bytes_by_sm") ||
		       !strcmp(key, "fused_norm_max_bytes") || !strcmp(key, "fused_norm_max_bytes_by_sm");
	if (strcmp(section, "kernels") == 0)
		return !key || !strcmp(key, "rope_in_attention") || !strcmp(key, "norm_in_allreduce");

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
				       "%s: unknown key '%s' (expected scheduler, overheads, benchmark, allreduce, kernels, fit, sources, name, display_name, version, aliases; see engines/README.md)",
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
		m = cJSON_GetObjectItemCaseSensitive(sch, "dp_balance");
		if (m && !cJSON_IsBool(m))
			return err_set(e, EXIT_INPUT, "%s: 'scheduler.dp_balance' must be true or false", file);
		g->dp_balance = cJSON_IsTrue(m);
	}
	if (isnan(g->step_seq_s))   /* a card from before it was modelled: none */
		g->step_seq_s = 0;
	if (isnan(g->large_hbm_gb) != isnan(g->max_num_tokens_large))
		return err_set(e, EXIT_INPUT,
			       "%s: 'scheduler.large_hbm_gb' and 'scheduler.max_num_tokens_large_hbm' go together", file);
	return 0;
}

/* One table {"GPUs": bytes, ...} at `path` into g->ar, of `kind`, for compute capability cc. */
static int engine_ar_table(const cJSON *t, const char *path, int kind, double cc, const char *file,
			   struct engine *g, struct err *e)
{
	const cJSON *it;

	if (!cJSON_IsObject(t))
		return err_set(e, EXIT_INPUT, "%s: '%s' must be an object of GPU counts (\"2\" to \"%d\") to message bytes",
			       file, path, ENGINE_AR_MAX_GPUS);
	cJSON_ArrayForEach(it, t) {
		char *end;
		long n = strtol(it->string, &end, 10);
		if (*end || end == it->string || n < 2 || n > ENGINE_AR_MAX_GPUS)
			return err_set(e, EXIT_INPUT, "%s: '%s.%s': a GPU count from 2 to %d is expected", file, path,
				       it->string, ENGINE_AR_MAX_GPUS);
		if (!cJSON_IsNumber(it) || !(it->valuedouble > 0) || it->valuedouble > 1e12)
			return err_set(e, EXIT_INPUT, "%s: '%s.%s' must be message bytes from 1 to 1e12", file, path,
				       it->string);
		if (g->nar == ENGINE_MAX_AR)
			return err_set(e, EXIT_INPUT, "%s: '%s': more than %d entries in 'allreduce'", file, path,
				       ENGINE_MAX_AR);
		g->ar[g->nar++] = (struct engine_ar){kind, cc, (double)n, it->valuedouble};
	}
	return 0;
}

/* "allreduce.NAME": {GPUs: bytes} and "allreduce.NAME_by_sm": {"9.0": {GPUs:
 * bytes}, ...}, both optional, into g->ar as limits of `kind`; returns how
 * many tables there were, or -1 (e set). */
static int engine_ar_limits(const cJSON *ar, const char *name, int kind, const char *file, struct engine *g,
			    struct err *e)
{
	const cJSON *t, *sm;
	char path[96], key[48];
	int n = 0;

	snprintf(path, sizeof path, "allreduce.%s", name);
	t = cJSON_GetObjectItemCaseSensitive(ar, name);
	if (t) {
		n++;
		if (engine_ar_table(t, path, kind, 0, file, g, e))
			return -1;
	}
	snprintf(key, sizeof key, "%s_by_sm", name);
	t = cJSON_GetObjectItemCaseSensitive(ar, key);
	if (t && !cJSON_IsObject(t)) {
		err_set(e, EXIT_INPUT,
			"%s: 'allreduce.%s' must be an object of compute capabilities (\"9.0\") to GPU-count tables",
			file, key);
		return -1;
	}
	n += t != NULL;
	cJSON_ArrayForEach(sm, t) {
		char *end;
		double cc = strtod(sm->string, &end);
		snprintf(path, sizeof path, "allreduce.%s.%.16s", key, sm->string);
		if (*end || end == sm->string || !(cc >= 1 && cc < 100)) {
			err_set(e, EXIT_INPUT, "%s: '%s': a compute capability such as \"9.0\" is expected", file,
				path);
			return -1;
		}
		if (engine_ar_table(sm, path, kind, cc, file, g, e))
			return -1;
	}
	return n;
}

/* "allreduce": the custom_max_bytes and fused_norm_max_bytes tables (and
 * their _by_sm forms), all optional. */
static int engine_allreduce(const cJSON *root, const char *file, struct engine *g, struct err *e)
{
	const cJSON *ar = cJSON_GetObjectItemCaseSensitive(root, "allreduce");
	int n;

	if (!ar)
		return 0;
	if (engine_ar_limits(ar, "custom_max_bytes", ENGINE_AR_CUSTOM, file, g, e) < 0 ||
	    (n = engine_ar_limits(ar, "fused_norm_max_bytes", ENGINE_AR_FUSED_NORM, file, g, e)) < 0)
		return e->code;
	g->has_fused_norm_limits = n > 0;
	return 0;
}

/* "kernels": {"rope_in_attention": bool, "norm_in_allreduce": bool}, each
 * false when absent. */
static int engine_kernels(const cJSON *root, const char *file, struct engine *g, struct err *e)
{
	static const char *const keys[2] = {"rope_in_attention", "norm_in_allreduce"};
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(root, "kernels");
	int *dst[2] = {&g->rope_in_attention, &g->norm_in_allreduce}, i;

	for (i = 0; k && i < 2; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(k, keys[i]);
		if (v && !cJSON_IsBool(v))
			return err_set(e, EXIT_INPUT, "%s: 'kernels.%s' must be true or false", file, keys[i]);
		*dst[i] = cJSON_IsTrue(v);
	}
	return 0;
}

double engine_ar_max(const struct engine *g, const struct hw *h, double n, int kind)
{
	double any = 0, own = -1, cc = h->gpu.compute_capability;
	int i;

	if (kind == ENGINE_AR_FUSED_NORM && !g->has_fused_norm_limits)
		kind = ENGINE_AR_CUSTOM;
	for (i = 0; i < g->nar; i++) {
		if (g->ar[i].gpus != n || g->ar[i].kind != kind)
			continue;
		if (g->ar[i].cc == 0)
			any = g->ar[i].max_bytes;
		else if (cc > 0 && fabs(g->ar[i].cc - cc) < 0.05)
			own = g->ar[i].max_bytes;
	}
	return own >= 0 ? own : any;
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
	if (!rc)
		rc = engine_allreduce(root, path, g, e);
	if (!rc)
		rc = engine_kernels(root, path, g, e);
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
