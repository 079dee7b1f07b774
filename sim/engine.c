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
	EK("scheduler", "dp_balance_timeout_iters", dp_balance_iters, JX_INT | JX_POSITIVE, 1, 1e6),
	EK("scheduler", "graph_small_tp", graph_small_tp, JX_INT | JX_POSITIVE, 2, 1e6),
	EK("scheduler", "graph_max_batch_small_tp", graph_max_small_tp, JX_INT | JX_POSITIVE, 1, 1e5),
	EK("overheads", "step_s", step_overhead_s, JX_REQUIRED, 0, 10),
	EK("overheads", "step_per_sequence_s", step_seq_s, 0, 0, 1),
	EK("overheads", "request_s", request_overhead_s, JX_REQUIRED, 0, 100),
	EK("overheads", "request_per_op_s", request_op_s, 0, 0, 1),
	EK("overheads", "graph_latency_share", graph_latency_share, JX_REQUIRED, 0, 1),
	EK("benchmark", "waves", bench_waves, JX_REQUIRED, 1, 1e6),
	{NULL, NULL, 0, 0, 0, 0},
};

static const char *const engine_top[] = {"name", "display_name", "version", "aliases", "sources",
					 "fit", "scheduler", "memory", "overheads", "benchmark", "allreduce",
					 "kernels", "versions", NULL};

/* The fitted figures a version may give of its own (its bounds are engine_keys'). */
struct engine_vkey { const char *section, *key; size_t off; };
#define VK(sec, k, f) {sec, k, offsetof(struct engine_figures, f)}
static const struct engine_vkey engine_vkeys[] = {
	VK("overheads", "step_s", step_overhead_s),
	VK("overheads", "step_per_sequence_s", step_seq_s),
	VK("overheads", "request_s", request_overhead_s),
	VK("overheads", "request_per_op_s", request_op_s),
	VK("overheads", "graph_latency_share", graph_latency_share),
	VK("benchmark", "waves", bench_waves),
	{NULL, NULL, 0},
};

static int engine_known(const char *section, const char *key)
{
	const struct engine_key *k;

	if (key && strcmp(section, "scheduler") == 0 &&
	    (!strcmp(key, "mixed") || !strcmp(key, "dp_balance") || !strcmp(key, "graph_batch_sizes") ||
	     !strcmp(key, "graph_batch_sizes_mtp") || !strcmp(key, "graph_counts_tokens")))
		return 1;
	if (strcmp(section, "memory") == 0)
		return !key || !strcmp(key, "fraction_of");
	if (strcmp(section, "allreduce") == 0)
		return !key || !strcmp(key, "custom_max_bytes") || !strcmp(key, "custom_max_bytes_by_sm") ||
		       !strcmp(key, "fused_norm_max_bytes") || !strcmp(key, "fused_norm_max_bytes_by_sm");
	if (strcmp(section, "kernels") == 0)
		return !key || !strcmp(key, "rope_in_attention") || !strcmp(key, "norm_in_allreduce") ||
		       !strcmp(key, "ep_allreduce_without_dp") || !strcmp(key, "moe_class") ||
		       !strcmp(key, "moe_masks_padding");

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
				       "%s: unknown key '%s' (expected scheduler, memory, overheads, benchmark, allreduce, kernels, versions, fit, sources, name, display_name, version, aliases; see engines/README.md)",
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

/* scheduler.KEY (optional, "graph_batch_sizes" or "graph_batch_sizes_mtp"):
 * ascending whole batch sizes from 1 to 1e5, at most ENGINE_MAX_GRAPH_SIZES,
 * into sizes[], *n of them. */
static int engine_graph_sizes(const cJSON *sch, const char *key, const char *file, double *sizes, int *n,
			      struct err *e)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(sch, key), *it;

	*n = 0;
	if (!a)
		return 0;
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1 || cJSON_GetArraySize(a) > ENGINE_MAX_GRAPH_SIZES)
		return err_set(e, EXIT_INPUT, "%s: 'scheduler.%s' must be an array of 1 to %d batch sizes",
			       file, key, ENGINE_MAX_GRAPH_SIZES);
	cJSON_ArrayForEach(it, a) {
		double v = cJSON_IsNumber(it) ? it->valuedouble : NAN;

		if (!(v >= 1 && v <= 1e5) || v != floor(v) || (*n && !(v > sizes[*n - 1]))) {
			char got[32] = "not a number";

			if (cJSON_IsNumber(it))
				snprintf(got, sizeof got, "%g", v);
			return err_set(e, EXIT_INPUT,
				       "%s: 'scheduler.%s[%d]' must be a whole batch size from 1 to 1e5, "
				       "above the one before it, got %s", file, key, *n, got);
		}
		sizes[(*n)++] = v;
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
		m = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "memory"), "fraction_of");
		if (m && (!cJSON_IsString(m) || (strcmp(m->valuestring, "usable") && strcmp(m->valuestring, "free"))))
			return err_set(e, EXIT_INPUT, "%s: 'memory.fraction_of' must be \"usable\" or \"free\"", file);
		g->mem_of_free = m && !strcmp(m->valuestring, "free");
		if (engine_graph_sizes(sch, "graph_batch_sizes", file, g->graph_sizes, &g->ngraph_sizes, e) ||
		    engine_graph_sizes(sch, "graph_batch_sizes_mtp", file, g->graph_sizes_mtp, &g->ngraph_sizes_mtp, e))
			return e->code;
		m = cJSON_GetObjectItemCaseSensitive(sch, "graph_counts_tokens");
		if (m && !cJSON_IsBool(m))
			return err_set(e, EXIT_INPUT, "%s: 'scheduler.graph_counts_tokens' must be true or false", file);
		g->graph_counts_tokens = cJSON_IsTrue(m);
	}
	if (isnan(g->step_seq_s))   /* a card from before it was modelled: none */
		g->step_seq_s = 0;
	if (isnan(g->request_op_s))
		g->request_op_s = 0;
	if (isnan(g->large_hbm_gb) != isnan(g->max_num_tokens_large))
		return err_set(e, EXIT_INPUT,
			       "%s: 'scheduler.large_hbm_gb' and 'scheduler.max_num_tokens_large_hbm' go together", file);
	if (isnan(g->graph_small_tp) != isnan(g->graph_max_small_tp) ||
	    (!isnan(g->graph_small_tp) && isnan(g->large_hbm_gb)))
		return err_set(e, EXIT_INPUT, "%s: 'scheduler.graph_small_tp' and 'scheduler.graph_max_batch_small_tp' "
			       "go together, with 'scheduler.large_hbm_gb'", file);
	return 0;
}

double engine_graph_pad(const double *sizes, int n, double B, int *eager)
{
	double b = ceil(B);
	int i;

	if (eager)
		*eager = 0;
	if (!n || !(b >= 1))
		return B;
	for (i = 0; i < n; i++)
		if (sizes[i] >= b)
			return sizes[i];
	if (eager)
		*eager = 1;
	return B;
}

/* Sequences of q tokens each that fill the captured token counts sizes[n]
 * rounded up to multiples of q (vLLM's spec-decode rule), those rounded
 * above the largest dropped, into out[]: how many; none left, q itself
 * where it is not above the largest (vLLM's fallback), else 0. */
static int engine_graph_by_tokens(const double *sizes, int n, double q, double *out)
{
	int i, k = 0;

	for (i = 0; i < n; i++) {
		double r = ceil(sizes[i] / q);

		if (r * q <= sizes[n - 1] && (k == 0 || r > out[k - 1]))
			out[k++] = r;
	}
	if (k == 0 && n && q <= sizes[n - 1])
		out[k++] = 1;
	return k;
}

double engine_graph_pad_sizes(const struct engine *g, const double *sizes, int n, double B, double q, int *eager)
{
	double seqs[ENGINE_MAX_GRAPH_SIZES];
	int k;

	if (!(g && g->graph_counts_tokens && q > 1 && n))
		return engine_graph_pad(sizes, n, B, eager);
	k = engine_graph_by_tokens(sizes, n, q, seqs);
	if (k)
		return engine_graph_pad(seqs, k, B, eager);
	if (eager)   /* every size below one step's tokens: no graph */
		*eager = 1;
	return B;
}

double engine_graph_batch(const struct engine *g, const struct hw *h, double tp, double B, double q, int *eager)
{
	double largest = INFINITY;
	const double *sizes;
	int n = 0, all;

	if (!g)
		return engine_graph_pad(NULL, 0, B, eager);
	sizes = q > 1 && !g->graph_counts_tokens ? g->graph_sizes_mtp : g->graph_sizes;
	all = q > 1 && !g->graph_counts_tokens ? g->ngraph_sizes_mtp : g->ngraph_sizes;
	if (!isnan(g->graph_small_tp) && tp < g->graph_small_tp && h->gpu.hbm_bytes < g->large_hbm_gb * 1e9)
		largest = g->graph_max_small_tp;
	while (n < all && sizes[n] <= largest)
		n++;
	return engine_graph_pad_sizes(g, sizes, n, B, q, eager);
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

/* "kernels": {"rope_in_attention": bool, "norm_in_allreduce": bool,
 * "ep_allreduce_without_dp": bool, "moe_masks_padding": bool}, each false
 * when absent, and
 * "moe_class": one of moe_grouped_gemm, moe_grouped_gemm_vllm,
 * moe_grouped_gemm_sglang (absent: moe_grouped_gemm). */
static int engine_kernels(const cJSON *root, const char *file, struct engine *g, struct err *e)
{
	static const char *const keys[4] = {"rope_in_attention", "norm_in_allreduce", "ep_allreduce_without_dp",
					    "moe_masks_padding"};
	static const enum kclass moe[3] = {K_MOE, K_MOE_VLLM, K_MOE_SGLANG};
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(root, "kernels");
	const cJSON *mc = cJSON_GetObjectItemCaseSensitive(k, "moe_class");
	int *dst[4] = {&g->rope_in_attention, &g->norm_in_allreduce, &g->ep_allreduce_without_dp,
		       &g->moe_masks_padding}, i;

	for (i = 0; k && i < 4; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(k, keys[i]);
		if (v && !cJSON_IsBool(v))
			return err_set(e, EXIT_INPUT, "%s: 'kernels.%s' must be true or false", file, keys[i]);
		*dst[i] = cJSON_IsTrue(v);
	}
	g->moe_class = K_MOE;
	if (!mc)
		return 0;
	for (i = 0; i < 3; i++)
		if (cJSON_IsString(mc) && !strcmp(mc->valuestring, hw_kclass_name(moe[i]))) {
			g->moe_class = moe[i];
			return 0;
		}
	return err_set(e, EXIT_INPUT,
		       "%s: 'kernels.moe_class' must be moe_grouped_gemm, moe_grouped_gemm_vllm or moe_grouped_gemm_sglang",
		       file);
}

/* The figures g has in use. */
static struct engine_figures engine_figures_of(const struct engine *g)
{
	return (struct engine_figures){g->step_overhead_s, g->step_seq_s, g->request_overhead_s,
				       g->request_op_s, g->graph_latency_share, g->bench_waves};
}

/* The bounds of section.key in engine_keys. */
static const struct engine_key *engine_key_of(const char *section, const char *key)
{
	const struct engine_key *k;

	for (k = engine_keys; k->section; k++)
		if (!strcmp(k->section, section) && !strcmp(k->key, key))
			return k;
	return NULL;
}

int engine_version_valid(const char *v)
{
	size_t n = strlen(v), i;

	if (n == 0 || n >= ENGINE_VERSION_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (v[i] <= ' ' || v[i] == '@' || v[i] == '/' || v[i] == 0x7f)
			return 0;
	return 1;
}

/* versions.V.SECTION ("overheads" or "benchmark") of object x into f;
 * returns how many figures it gave, or -1 (e set). */
static int engine_version_section(const cJSON *x, const char *section, const char *v, const char *file,
				  struct engine_figures *f, struct err *e)
{
	const cJSON *sec = cJSON_GetObjectItemCaseSensitive(x, section), *it;
	const struct engine_vkey *k;
	char path[128];
	int n = 0;

	if (!sec)
		return 0;
	if (!cJSON_IsObject(sec))
		return err_set(e, EXIT_INPUT, "%s: 'versions.%s.%s' must be an object", file, v, section), -1;
	cJSON_ArrayForEach(it, sec) {
		for (k = engine_vkeys; k->section && (strcmp(k->section, section) || strcmp(k->key, it->string)); k++)
			;
		if (!k->section)
			return err_set(e, EXIT_INPUT,
				       "%s: unknown key 'versions.%s.%s.%.40s' (a version gives overheads.step_s, step_per_sequence_s, request_s, request_per_op_s, graph_latency_share and benchmark.waves; see engines/README.md)",
				       file, v, section, it->string), -1;
	}
	for (k = engine_vkeys; k->section; k++) {
		const struct engine_key *b = engine_key_of(k->section, k->key);
		/* cppcheck-suppress invalidPointerCast ; a double field, found by its offsetof */
		double *out = (double *)((char *)f + k->off);
		int r;

		if (strcmp(k->section, section))
			continue;
		snprintf(path, sizeof path, "versions.%s.%s.%s", v, section, k->key);
		r = jsonx_num(sec, k->key, file, path, 0, b->max, out, e);
		if (r > 0)
			return -1;
		if (r == 0 && *out < b->min)
			return err_set(e, EXIT_INPUT, "%s: '%s' must be at least %g, got %g", file, path, b->min, *out), -1;
		n += r == 0;
	}
	return n;
}

/* One version "V": {"overheads": {...}, "benchmark": {...}, "fit": {...}} into g->versions. */
static int engine_version(const cJSON *x, const char *file, struct engine *g, struct err *e)
{
	struct engine_version *ver = &g->versions[g->nversions];
	const char *v = x->string;
	const cJSON *it, *fit;
	int n1, n2;

	if (!engine_version_valid(v))
		return err_set(e, EXIT_INPUT,
			       "%s: 'versions.%.60s': a version name of 1 to %d characters without spaces, '@' or '/' is expected",
			       file, v, ENGINE_VERSION_LEN - 1);
	if (!cJSON_IsObject(x))
		return err_set(e, EXIT_INPUT, "%s: 'versions.%s' must be an object of 'overheads', 'benchmark' and 'fit'",
			       file, v);
	if (g->nversions == ENGINE_MAX_VERSIONS)
		return err_set(e, EXIT_INPUT, "%s: 'versions': more than %d versions", file, ENGINE_MAX_VERSIONS);
	cJSON_ArrayForEach(it, x)
		if (strcmp(it->string, "overheads") && strcmp(it->string, "benchmark") && strcmp(it->string, "fit"))
			return err_set(e, EXIT_INPUT,
				       "%s: unknown key 'versions.%s.%.40s' (expected overheads, benchmark, fit; see engines/README.md)",
				       file, v, it->string);
	memset(ver, 0, sizeof *ver);
	snprintf(ver->name, sizeof ver->name, "%s", v);
	ver->f = (struct engine_figures){NAN, NAN, NAN, NAN, NAN, NAN};
	if ((n1 = engine_version_section(x, "overheads", v, file, &ver->f, e)) < 0 ||
	    (n2 = engine_version_section(x, "benchmark", v, file, &ver->f, e)) < 0)
		return e->code;
	if (n1 + n2 == 0)
		return err_set(e, EXIT_INPUT, "%s: 'versions.%s' gives no figure of its own (overheads or benchmark.waves)",
			       file, v);
	fit = cJSON_GetObjectItemCaseSensitive(x, "fit");
	if (fit && !cJSON_IsObject(fit))
		return err_set(e, EXIT_INPUT, "%s: 'versions.%s.fit' must be an object", file, v);
	if (fit && jsonx_str(fit, "summary", file, 0, ver->fitted_on, sizeof ver->fitted_on, e) > 0)
		return e->code;
	g->nversions++;
	return 0;
}

/* "versions": {"V": {...}, ...}, optional. */
static int engine_versions(const cJSON *root, const char *file, struct engine *g, struct err *e)
{
	const cJSON *vs = cJSON_GetObjectItemCaseSensitive(root, "versions"), *x;

	if (!vs)
		return 0;
	if (!cJSON_IsObject(vs))
		return err_set(e, EXIT_INPUT, "%s: 'versions' must be an object of version names to their figures", file);
	cJSON_ArrayForEach(x, vs)
		if (engine_version(x, file, g, e))
			return e->code;
	return 0;
}

/* A version's figure where it gives one, else the engine-level one. */
static double engine_pick(double own, double level)
{
	return isnan(own) ? level : own;
}

int engine_use_version(struct engine *g, const char *v)
{
	const struct engine_figures *l = &g->level, *o = NULL;
	int i, asked = v && *v;

	for (i = 0; asked && i < g->nversions && strcmp(g->versions[i].name, v); i++)
		;
	snprintf(g->version_asked, sizeof g->version_asked, "%s", asked ? v : "");
	g->version_used = asked && i < g->nversions ? i : -1;
	if (g->version_used >= 0)
		o = &g->versions[i].f;
	g->step_overhead_s = o ? engine_pick(o->step_overhead_s, l->step_overhead_s) : l->step_overhead_s;
	g->step_seq_s = o ? engine_pick(o->step_seq_s, l->step_seq_s) : l->step_seq_s;
	g->request_overhead_s = o ? engine_pick(o->request_overhead_s, l->request_overhead_s) : l->request_overhead_s;
	g->request_op_s = o ? engine_pick(o->request_op_s, l->request_op_s) : l->request_op_s;
	g->graph_latency_share = o ? engine_pick(o->graph_latency_share, l->graph_latency_share) : l->graph_latency_share;
	g->bench_waves = o ? engine_pick(o->bench_waves, l->bench_waves) : l->bench_waves;
	return asked && !o ? -1 : 0;
}

char *engine_versions_list(const struct engine *g, char *buf, size_t n)
{
	size_t used = 0;
	int i;

	if (n == 0)
		return buf;
	buf[0] = 0;
	for (i = 0; i < g->nversions && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", g->versions[i].name);
	if (!g->nversions)
		snprintf(buf, n, "none");
	return buf;
}

char *engine_figures_said(const struct engine *g, char *buf, size_t n)
{
	const struct engine_vkey *k;
	size_t used;
	int m = 0;

	if (n == 0)
		return buf;
	if (g->version_used < 0) {
		if (g->version_asked[0])
			snprintf(buf, n, "engine-level (the card has none for version %s)", g->version_asked);
		else
			snprintf(buf, n, "engine-level (no version given)");
		return buf;
	}
	used = (size_t)snprintf(buf, n, "version %s's own", g->versions[g->version_used].name);
	for (k = engine_vkeys; k->section && used < n; k++) {
		/* cppcheck-suppress invalidPointerCast ; a double field, found by its offsetof */
		const double *x = (const double *)((const char *)&g->versions[g->version_used].f + k->off);

		if (!isnan(*x))
			used += (size_t)snprintf(buf + used, n - used, "%s %s", m++ ? "," : "", k->key);
	}
	if (used < n && m < (int)(sizeof engine_vkeys / sizeof engine_vkeys[0]) - 1)
		snprintf(buf + used, n - used, "; the rest engine-level");
	return buf;
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
	g->level = engine_figures_of(g);
	g->version_used = -1;
	if (!rc)
		rc = engine_versions(root, path, g, e);
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
