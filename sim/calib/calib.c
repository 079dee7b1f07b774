/* calib.c - see calib.h */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_multifit.h>
#include "calib.h"
#include "jsonx.h"
#include "stats.h"

/* ==== the roofline fit ================================================== */

/* Parameters of the linearised model: t = a u + c (compute roof) or b v + c. */
enum { P_A, P_B, P_C, P_N };   /* a = 1/eff_compute, b = 1/eff_mem, c = t0 */

struct fit_state {
	const struct calib_point *p;
	int n;
	const double *u, *v;         /* ideal compute and memory seconds per point */
	unsigned char *roof;         /* 1: the point is on the compute roof */
};

/*
 * Weighted least squares for the free parameters under the current split;
 * th[] holds the fixed ones.  Weights 1/t^2 make it a fit of relative error,
 * so microsecond kernels count as much as second-long ones.
 */
static int fit_solve(const struct fit_state *s, const int *fixed, double *th)
{
	int cols[P_N], nc = 0, i, j, rc;
	gsl_matrix *X, *cov;
	gsl_vector *w, *y, *c;
	gsl_multifit_linear_workspace *ws;
	double chisq;

	for (j = 0; j < P_N; j++)
		if (!fixed[j])
			cols[nc++] = j;
	if (nc == 0)
		return 0;
	if (s->n < nc)
		return -1;
	X = gsl_matrix_alloc(s->n, nc);
	cov = gsl_matrix_alloc(nc, nc);
	w = gsl_vector_alloc(s->n);
	y = gsl_vector_alloc(s->n);
	c = gsl_vector_alloc(nc);
	ws = gsl_multifit_linear_alloc(s->n, nc);
	if (!X || !cov || !w || !y || !c || !ws) {
		rc = -1;
		goto end;
	}
	for (i = 0; i < s->n; i++) {
		double x[P_N], t = s->p[i].t_s, yi = t;
		x[P_A] = s->roof[i] ? s->u[i] : 0;
		x[P_B] = s->roof[i] ? 0 : s->v[i];
		x[P_C] = 1;
		for (j = 0; j < P_N; j++)
			if (fixed[j])
				yi -= x[j] * th[j];
		for (j = 0; j < nc; j++)
			gsl_matrix_set(X, i, j, x[cols[j]]);
		gsl_vector_set(y, i, yi);
		gsl_vector_set(w, i, 1 / (t * t));
	}
	rc = gsl_multifit_wlinear(X, w, y, c, cov, &chisq, ws) ? -1 : 0;
	for (j = 0; j < nc && rc == 0; j++)
		th[cols[j]] = gsl_vector_get(c, j);
end:
	gsl_multifit_linear_free(ws);
	gsl_vector_free(c);
	gsl_vector_free(y);
	gsl_vector_free(w);
	gsl_matrix_free(cov);
	gsl_matrix_free(X);
	return rc;
}

/* fit_solve with the bounds a >= 1, b >= 1, c >= 0: a parameter that lands
 * outside is pinned to its bound and the others are solved again. */
static int fit_bounded(const struct fit_state *s, int *fixed, double *th)
{
	int pass;

	for (pass = 0; pass < P_N + 1; pass++) {
		int moved = 0;
		if (fit_solve(s, fixed, th))
			return -1;
		if (!fixed[P_A] && th[P_A] < 1) {
			th[P_A] = 1;
			fixed[P_A] = moved = 1;
		}
		if (!fixed[P_B] && th[P_B] < 1) {
			th[P_B] = 1;
			fixed[P_B] = moved = 1;
		}
		if (!fixed[P_C] && th[P_C] < 0) {
			th[P_C] = 0;
			fixed[P_C] = moved = 1;
		}
		if (!moved)
			return 0;
	}
	return 0;
}

/* Sum of squared relative errors of the full (max) model; *maxrel the worst. */
static double fit_objective(const struct fit_state *s, const double *th, double *maxrel)
{
	double sum = 0;
	int i;

	*maxrel = 0;
	for (i = 0; i < s->n; i++) {
		double m = fmax(th[P_A] * s->u[i], th[P_B] * s->v[i]) + th[P_C];
		double r = (m - s->p[i].t_s) / s->p[i].t_s;
		sum += r * r;
		if (fabs(r) > *maxrel)
			*maxrel = fabs(r);
	}
	return sum;
}

/* Put each point on the roof that is higher under th; returns how many moved. */
static int fit_split(struct fit_state *s, double a, double b)
{
	int i, moved = 0;

	for (i = 0; i < s->n; i++) {
		unsigned char r = s->u[i] > 0 && a * s->u[i] >= b * s->v[i];
		moved += r != s->roof[i];
		s->roof[i] = r;
	}
	return moved;
}

static double fit_default(double eff)
{
	return isnan(eff) || eff <= 0 || eff > 1 ? 1 : 1 / eff;
}

/* Alternate split and solve from one starting split; returns the objective. */
static double fit_from(struct fit_state *s, double ratio, const double *def, double *th,
		       int *ncomp)
{
	double maxrel;
	int it, i;

	for (i = 0; i < s->n; i++)
		s->roof[i] = 255;               /* forces fit_split to count every point */
	fit_split(s, ratio, 1);
	for (it = 0; it < 200; it++) {
		int fixed[P_N] = {0, 0, 0};
		*ncomp = 0;
		for (i = 0; i < s->n; i++)
			*ncomp += s->roof[i];
		th[P_A] = def[P_A];
		th[P_B] = def[P_B];
		th[P_C] = 0;
		fixed[P_A] = *ncomp == 0;       /* nothing on that roof says what it is */
		fixed[P_B] = *ncomp == s->n;
		if (fit_bounded(s, fixed, th))
			return INFINITY;
		if (fit_split(s, th[P_A], th[P_B]) == 0)
			break;
	}
	*ncomp = 0;
	for (i = 0; i < s->n; i++)
		*ncomp += s->roof[i];
	return fit_objective(s, th, &maxrel);
}

int calib_fit_roofline(const struct calib_point *pts, int n, double peak_flops, double bw,
		       double default_compute, double default_mem, struct calib_fit *fit)
{
	/* starting splits: the compute roof scaled by 1/16 .. 16 against the memory roof */
	static const double ratios[] = {1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0 / 2, 1, 2, 4, 8, 16};
	struct fit_state s;
	double *u, *v, def[P_N], th[P_N], best[P_N], best_obj = INFINITY, maxrel;
	int i, r, ncomp, best_ncomp = 0, rc = -1;
	gsl_error_handler_t *old;

	memset(fit, 0, sizeof *fit);
	if (n < 2 || !(peak_flops > 0) || !(bw > 0) || !isfinite(peak_flops) || !isfinite(bw))
		return -1;
	/* a kernel between a picosecond and a day: beyond, the weights 1/t^2 overflow */
	for (i = 0; i < n; i++)
		if (!(pts[i].t_s >= 1e-12) || !(pts[i].t_s <= 1e5) || !(pts[i].flops >= 0) ||
		    !(pts[i].bytes >= 0) || !isfinite(pts[i].flops) || !isfinite(pts[i].bytes) ||
		    pts[i].flops + pts[i].bytes <= 0)
			return -1;
	u = malloc(sizeof *u * (size_t)n);
	v = malloc(sizeof *v * (size_t)n);
	s.roof = malloc((size_t)n);
	if (!u || !v || !s.roof)
		goto end;
	for (i = 0; i < n; i++) {
		u[i] = pts[i].flops / peak_flops;
		v[i] = pts[i].bytes / bw;
	}
	s.p = pts;
	s.n = n;
	s.u = u;
	s.v = v;
	def[P_A] = fit_default(default_compute);
	def[P_B] = fit_default(default_mem);
	def[P_C] = 0;
	old = gsl_set_error_handler_off();      /* a singular split is an answer, not an abort */
	for (r = 0; r < (int)(sizeof ratios / sizeof ratios[0]); r++) {
		double obj = fit_from(&s, ratios[r], def, th, &ncomp);
		if (obj < best_obj) {
			best_obj = obj;
			memcpy(best, th, sizeof best);
			best_ncomp = ncomp;
		}
	}
	gsl_set_error_handler(old);
	if (!isfinite(best_obj) || !isfinite(best[P_A]) || !isfinite(best[P_B]) || !isfinite(best[P_C]))
		goto end;
	fit->eff_compute = 1 / best[P_A];
	fit->eff_mem = 1 / best[P_B];
	fit->t0_s = best[P_C];
	fit->rmse_rel = sqrt(fit_objective(&s, best, &maxrel) / n);
	fit->max_rel = maxrel;
	fit->n_points = n;
	fit->n_compute = best_ncomp;
	fit->n_memory = n - best_ncomp;
	fit->fixed_compute = best_ncomp == 0;
	fit->fixed_mem = best_ncomp == n;
	rc = 0;
end:
	free(u);
	free(v);
	free(s.roof);
	return rc;
}

/* ==== reading the results document ======================================= */

static const cJSON *jget(const cJSON *o, const char *key)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = jget(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A number of record `idx` at rec[.obj].key; see jsonx_num for the return. */
static int rec_num(const cJSON *rec, int idx, const char *obj, const char *key,
		   const char *file, unsigned flags, double *out, struct err *e)
{
	const cJSON *o = obj ? jget(rec, obj) : rec;
	char path[128];

	snprintf(path, sizeof path, "probes[%d].%s%s%s", idx, obj ? obj : "", obj ? "." : "", key);
	if (!cJSON_IsObject(o)) {
		if (!(flags & JX_REQUIRED))
			return -1;
		return err_set(e, EXIT_INPUT, "%s: 'probes[%d].%s' %s: expected an object", file, idx,
			       obj, o ? "must be an object" : "is missing");
	}
	return jsonx_num(o, key, file, path, flags, 1e30, out, e);
}

/* A string parameter of record idx; EXIT_INPUT when missing or not a string. */
static int rec_param(const cJSON *rec, int idx, const char *key, const char *file,
		     const char **out, struct err *e)
{
	const cJSON *v = jget(jget(rec, "params"), key);

	if (cJSON_IsString(v)) {
		*out = v->valuestring;
		return 0;
	}
	return err_set(e, EXIT_INPUT, "%s: 'probes[%d].params.%s' %s: expected a string", file, idx,
		       key, v ? "must be a string" : "is missing");
}

/* A record whose numbers may be used: status "ok" (or none) and no failed check. */
static int rec_usable(const cJSON *rec)
{
	const char *st = jstr(rec, "status");

	if (st && strcmp(st, "ok") != 0)
		return 0;
	return !cJSON_IsFalse(jget(jget(rec, "check"), "ok"));
}

static const char *const statuses[] = {"ok", "partial", "no_gpu", "error", NULL};

int calib_check(const cJSON *doc, const char *file, struct err *e)
{
	const char *schema = jstr(doc, "schema"), *status = jstr(doc, "status");
	const cJSON *probes = jget(doc, "probes"), *rec;
	int i, known = 0, idx = 0;
	double x;

	if (!schema)
		return err_set(e, EXIT_INPUT, "%s: 'schema' is missing: expected '%s' (is it a probe results file?)",
			       file, CALIB_SCHEMA);
	if (strcmp(schema, CALIB_SCHEMA) != 0)
		return err_set(e, EXIT_INPUT, "%s: 'schema' must be '%s', got '%.60s'", file,
			       CALIB_SCHEMA, schema);
	for (i = 0; status && statuses[i]; i++)
		known |= strcmp(status, statuses[i]) == 0;
	if (!known)
		return err_set(e, EXIT_INPUT, "%s: 'status' must be ok, partial, no_gpu or error, got %s%.40s%s",
			       file, status ? "'" : "", status ? status : "none", status ? "'" : "");
	if (!cJSON_IsObject(jget(doc, "device")))
		return err_set(e, EXIT_INPUT, "%s: 'device' %s: expected an object", file,
			       jget(doc, "device") ? "must be an object" : "is missing");
	if (strcmp(status, "no_gpu") != 0 && !jstr(jget(doc, "device"), "name"))
		return err_set(e, EXIT_INPUT, "%s: 'device.name' is missing: expected a string", file);
	if (!probes && (strcmp(status, "ok") == 0 || strcmp(status, "partial") == 0))
		return err_set(e, EXIT_INPUT, "%s: 'probes' is missing: expected an array of records", file);
	if (probes && !cJSON_IsArray(probes))
		return err_set(e, EXIT_INPUT, "%s: 'probes' must be an array of records", file);
	cJSON_ArrayForEach(rec, probes) {
		if (!cJSON_IsObject(rec))
			return err_set(e, EXIT_INPUT, "%s: 'probes[%d]' must be an object", file, idx);
		if (!jstr(rec, "probe"))
			return err_set(e, EXIT_INPUT, "%s: 'probes[%d].probe' is missing: expected a string",
				       file, idx);
		if (!jstr(rec, "provenance"))
			return err_set(e, EXIT_INPUT,
				       "%s: 'probes[%d].provenance' is missing: expected 'measured' or another source",
				       file, idx);
		if (rec_usable(rec) &&
		    (rec_num(rec, idx, "work", "flops", file, JX_REQUIRED, &x, e) ||
		     rec_num(rec, idx, "work", "bytes_read", file, JX_REQUIRED, &x, e) ||
		     rec_num(rec, idx, "work", "bytes_written", file, JX_REQUIRED, &x, e) ||
		     rec_num(rec, idx, "timing", "median_s", file, JX_REQUIRED | JX_POSITIVE, &x, e)))
			return e->code;
		idx++;
	}
	return 0;
}

/* ==== peaks ================================================================ */

void calib_peaks_from_hw(const struct hw *h, struct calib_peaks *pk)
{
	memset(pk, 0, sizeof *pk);
	pk->flops_bf16 = h->gpu.flops_bf16;
	pk->flops_fp8 = h->gpu.flops_fp8 > 0 ? h->gpu.flops_fp8 : h->gpu.flops_bf16;
	pk->hbm_bw = h->gpu.hbm_bw;
	pk->l2_bytes = h->gpu.l2_bytes > 0 ? h->gpu.l2_bytes : NAN;
	snprintf(pk->source, sizeof pk->source, "card '%.100s'", h->name);
	memcpy(pk->def, h->kern, sizeof pk->def);
}

int calib_peaks_from_doc(const cJSON *doc, const char *file, struct calib_peaks *pk,
			 struct err *e)
{
	const cJSON *spec = jget(doc, "spec"), *tc = jget(spec, "tc_flops");
	const cJSON *bf = jget(tc, "bf16"), *f8 = jget(tc, "fp8"), *bw = jget(spec, "hbm_Bps");
	const cJSON *l2 = jget(jget(doc, "device"), "l2_bytes");
	int k;

	memset(pk, 0, sizeof *pk);
	if (!cJSON_IsNumber(bf) || !cJSON_IsNumber(bw) || !(bf->valuedouble > 0) ||
	    !(bw->valuedouble > 0))
		return err_set(e, EXIT_INPUT,
			       "%s: 'spec.tc_flops.bf16' and 'spec.hbm_Bps' are needed to fit without a card: give '--hw CARD'",
			       file);
	pk->flops_bf16 = bf->valuedouble;
	pk->flops_fp8 = cJSON_IsNumber(f8) && f8->valuedouble > 0 ? f8->valuedouble : pk->flops_bf16;
	pk->hbm_bw = bw->valuedouble;
	pk->l2_bytes = cJSON_IsNumber(l2) && l2->valuedouble > 0 ? l2->valuedouble : NAN;
	snprintf(pk->source, sizeof pk->source, "results spec: %.100s",
		 jstr(spec, "source") ? jstr(spec, "source") : "unnamed");
	for (k = 0; k < K_CLASSES; k++)
		pk->def[k] = (struct hw_kernel_eff){NAN, NAN, 0, 0, 0, 0, 0, KCAL_DEFAULTS, 0};
	return 0;
}

/* ==== building the calib object ============================================ */

/* The provenance shared by the records used, or "mixed". */
struct prov {
	const char *value;
	int mixed;
};

static void prov_add(struct prov *p, const cJSON *rec)
{
	const char *v = jstr(rec, "provenance");

	if (!p->value)
		p->value = v;
	else if (v && strcmp(v, p->value) != 0)
		p->mixed = 1;
}

static const char *prov_str(const struct prov *p)
{
	return p->mixed ? "mixed" : p->value ? p->value : "unknown";
}

/* Work and time of a usable record (calib_check has vouched for them). */
static struct calib_point rec_point(const cJSON *rec)
{
	const cJSON *w = jget(rec, "work");
	struct calib_point p;

	p.flops = jget(w, "flops")->valuedouble;
	p.bytes = jget(w, "bytes_read")->valuedouble + jget(w, "bytes_written")->valuedouble;
	p.t_s = jget(jget(rec, "timing"), "median_s")->valuedouble;
	return p;
}

static double point_util(const struct calib_point *p, double peak, double bw)
{
	return fmax(p->flops / peak, p->bytes / bw) / p->t_s;
}

/* Numeric parameter or NAN. */
static double pnum(const cJSON *rec, const char *key)
{
	const cJSON *v = jget(jget(rec, "params"), key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

double calib_param_num(const cJSON *rec, const char *key)
{
	return pnum(rec, key);
}

const char *calib_param_str(const cJSON *rec, const char *key)
{
	return jstr(jget(rec, "params"), key);
}

int calib_record_point(const cJSON *rec, struct calib_point *p)
{
	const cJSON *w = jget(rec, "work"), *t = jget(jget(rec, "timing"), "median_s");

	if (!rec_usable(rec) || !cJSON_IsNumber(jget(w, "flops")) ||
	    !cJSON_IsNumber(jget(w, "bytes_read")) || !cJSON_IsNumber(jget(w, "bytes_written")) ||
	    !cJSON_IsNumber(t) || !(t->valuedouble > 0))
		return 0;
	*p = rec_point(rec);
	return 1;
}

enum grid { GRID_NONE, GRID_GEMM, GRID_MLA, GRID_MOE };

/* One fitted (section, variant): which records, which peak, what else to keep. */
struct rule {
	const char *section, *variant, *probe;
	const char *k1, *v1, *k2, *v2;   /* string params that must match (k NULL: any) */
	const char *nk;                  /* numeric param that must equal nv (NULL: any) */
	double nv;
	int fp8_peak;                    /* divide FLOPs by the FP8 peak, not BF16 */
	enum kclass kind;                /* whose card efficiency stands in for an unfit roof */
	enum grid grid;
	int only_if_absent;              /* a fallback for a variant no earlier rule filled */
	int hbm_sized;                   /* only working sets of 4 x L2 and more */
};

static const struct rule rules[] = {
	{"gemm", "bf16", "gemm_bf16", NULL, NULL, NULL, NULL, NULL, 0, 0, K_GEMM_BF16, GRID_GEMM, 0, 0},
	{"gemm", "fp8_tensor", "gemm_fp8", "scale", "tensor", NULL, NULL, "fast_accum", 0, 1, K_GEMM_FP8, GRID_GEMM, 0, 0},
	{"gemm", "fp8_block", "gemm_fp8", "scale", "blk128", NULL, NULL, "fast_accum", 0, 1, K_GEMM_FP8_BLOCK, GRID_GEMM, 0, 0},
	{"gemm", "mxfp8", "gemm_fp8", "scale", "mxfp8", NULL, NULL, "fast_accum", 0, 1, K_GEMM_FP8, GRID_GEMM, 0, 0},
	/* sm_100 has no 128-block modes: its block-scaled FP8 is MXFP8 */
	{"gemm", "fp8_block", "gemm_fp8", "scale", "mxfp8", NULL, NULL, "fast_accum", 0, 1, K_GEMM_FP8_BLOCK, GRID_GEMM, 1, 0},
	{"attention_decode", "bf16", "mla_decode", "kv", "bf16", NULL, NULL, NULL, 0, 0, K_ATTN_DECODE, GRID_MLA, 0, 0},
	/* an fp8 cache: the engine's attention_decode_fp8 class, at the FP8 peak (perf.h) */
	{"attention_decode", "fp8", "mla_decode", "kv", "fp8", NULL, NULL, NULL, 0, 1, K_ATTN_DECODE_FP8, GRID_MLA, 0, 0},
	{"attention_decode", "fp8_flashmla", "mla_decode", "kv", "fp8_flashmla", NULL, NULL, NULL, 0, 1, K_ATTN_DECODE_FP8, GRID_MLA, 0, 0},
	{"moe", "fp8_block", "moe_gemm", "dtype", "fp8", "routing", "balanced", NULL, 0, 1, K_MOE, GRID_MOE, 0, 0},
	{"moe", "bf16", "moe_gemm", "dtype", "bf16", "routing", "balanced", NULL, 0, 0, K_MOE, GRID_MOE, 0, 0},
	{"elementwise", "bf16", "hbm", "class", "stream", NULL, NULL, NULL, 0, 0, K_ELEMWISE, GRID_NONE, 0, 1},
	{NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, GRID_NONE, 0, 0},
};

/* Does record idx belong to rule r?  EXIT_INPUT when it lacks a parameter r needs. */
static int rule_match(const struct rule *r, const cJSON *rec, int idx, const char *file,
		      const struct calib_peaks *pk, int *match, struct err *e)
{
	const char *s;
	double x;

	*match = 0;
	if (strcmp(jstr(rec, "probe"), r->probe) != 0 || !rec_usable(rec))
		return 0;
	if (r->k1 && (rec_param(rec, idx, r->k1, file, &s, e) || strcmp(s, r->v1) != 0))
		return e->code;
	if (r->k2 && (rec_param(rec, idx, r->k2, file, &s, e) || strcmp(s, r->v2) != 0))
		return e->code;
	if (r->nk) {
		if (rec_num(rec, idx, "params", r->nk, file, JX_REQUIRED, &x, e))
			return e->code;
		if (x != r->nv)
			return 0;
	}
	if (r->hbm_sized) {
		struct calib_point p = rec_point(rec);
		/* L2 unknown: 1 GB, beyond any GPU's L2 so far */
		if (p.bytes < 4 * (isnan(pk->l2_bytes) ? 0.25e9 : pk->l2_bytes))
			return 0;
	}
	*match = 1;
	return 0;
}

int calib_record_class(const cJSON *rec, int idx, const char *file, const struct calib_peaks *pk,
		       const char **section, const char **variant, struct err *e)
{
	const struct rule *r;
	int match;

	*section = *variant = NULL;
	for (r = rules; r->section; r++) {
		if (r->only_if_absent)
			continue;
		if (rule_match(r, rec, idx, file, pk, &match, e))
			return e->code;
		if (match) {
			*section = r->section;
			*variant = r->variant;
			return 0;
		}
	}
	return 0;
}

static const char *const m_buckets[] = {"1-16", "17-64", "65-256", "257-1024", ">1024"};

static int m_bucket(double m)
{
	return m <= 16 ? 0 : m <= 64 ? 1 : m <= 256 ? 2 : m <= 1024 ? 3 : 4;
}

/* The grid of utilisations (t_SOL / t, aiconfigurator's definition) and the
 * summaries each kind of probe adds next to its fit. */
static void rule_grid(const struct rule *r, const cJSON *const *recs, const struct calib_point *pts,
		      int n, double peak, double bw, cJSON *out)
{
	cJSON *g = cJSON_AddObjectToObject(out, "grid"), *arr, *row;
	double *bucket[5], *comb, u;
	int nb[5] = {0}, nc = 0, i, j;

	if (r->grid == GRID_GEMM)
		cJSON_AddItemToObject(g, "axes", cJSON_CreateStringArray((const char *[]){"m", "n", "k"}, 3));
	else if (r->grid == GRID_MLA)
		cJSON_AddItemToObject(g, "axes", cJSON_CreateStringArray((const char *[]){"h_q", "s_q", "b", "L"}, 4));
	else
		cJSON_AddItemToObject(g, "axes", cJSON_CreateStringArray((const char *[]){"tokens_per_expert"}, 1));
	arr = cJSON_AddArrayToObject(g, "util");
	comb = malloc(sizeof *comb * (size_t)n);
	for (j = 0; j < 5; j++)
		bucket[j] = malloc(sizeof *bucket[j] * (size_t)n);
	for (i = 0; i < n; i++) {
		static const char *const gk[3][4] = {
			{"m", "n", "k", NULL}, {"h_q", "s_q", "b", "L"}, {"tokens_per_expert", NULL, NULL, NULL},
		};
		const char *const *keys = gk[r->grid - GRID_GEMM];
		row = cJSON_CreateArray();
		for (j = 0; j < 4 && keys[j]; j++)
			cJSON_AddItemToArray(row, cJSON_CreateNumber(pnum(recs[i], keys[j])));
		u = point_util(&pts[i], peak, bw);
		cJSON_AddItemToArray(row, cJSON_CreateNumber(u));
		cJSON_AddItemToArray(arr, row);
		if (r->grid == GRID_GEMM && bucket[0] && !isnan(pnum(recs[i], "m"))) {
			j = m_bucket(pnum(recs[i], "m"));
			if (bucket[j])
				bucket[j][nb[j]++] = u;
		}
		if (r->grid == GRID_MLA && comb) {
			const cJSON *cs = jget(jget(recs[i], "timing"), "combine_s");
			if (cJSON_IsNumber(cs))
				comb[nc++] = cs->valuedouble / pts[i].t_s;
		}
	}
	if (r->grid == GRID_GEMM) {
		cJSON *mb = cJSON_AddObjectToObject(out, "by_m_bucket");
		for (j = 0; j < 5; j++)
			if (nb[j] && bucket[j])
				cJSON_AddNumberToObject(mb, m_buckets[j], stats_median(bucket[j], nb[j]));
	}
	if (r->grid == GRID_MLA) {
		cJSON *ref = cJSON_AddObjectToObject(out, "reference");
		if (nc)
			cJSON_AddNumberToObject(out, "combine_frac", stats_median(comb, nc));
		/* what production kernels reach (docs/probes.md s0): the fit above is our
		 * mma.sync kernel's, a floor rather than a ceiling */
		cJSON_AddStringToObject(ref, "source", "FlashMLA H800 README / AIC trtllm h100 (docs/probes.md s0)");
		cJSON_AddNumberToObject(ref, "eff_mem", 0.90);
		cJSON_AddNumberToObject(ref, "eff_compute", 0.67);
	}
	free(comb);
	for (j = 0; j < 5; j++)
		free(bucket[j]);
}

static void add_fit(cJSON *o, const struct calib_fit *f, double peak, double bw,
		    const struct prov *pv)
{
	cJSON *fit = cJSON_AddObjectToObject(o, "fit"), *fixed;

	cJSON_AddNumberToObject(fit, "eff_compute", f->eff_compute);
	cJSON_AddNumberToObject(fit, "eff_mem", f->eff_mem);
	cJSON_AddNumberToObject(fit, "t0_s", f->t0_s);
	cJSON_AddNumberToObject(fit, "rmse_rel", f->rmse_rel);
	cJSON_AddNumberToObject(fit, "max_rel", f->max_rel);
	cJSON_AddNumberToObject(fit, "n_points", f->n_points);
	cJSON_AddNumberToObject(fit, "n_compute_bound", f->n_compute);
	cJSON_AddNumberToObject(fit, "n_memory_bound", f->n_memory);
	fixed = cJSON_AddArrayToObject(fit, "not_fitted");
	if (f->fixed_compute)
		cJSON_AddItemToArray(fixed, cJSON_CreateString("eff_compute"));
	if (f->fixed_mem)
		cJSON_AddItemToArray(fixed, cJSON_CreateString("eff_mem"));
	cJSON_AddNumberToObject(fit, "peak_flops", peak);
	cJSON_AddNumberToObject(fit, "hbm_Bps", bw);
	cJSON_AddStringToObject(fit, "model", "t = max(flops/(eff_compute*peak_flops), bytes/(eff_mem*hbm_Bps)) + t0_s");
	cJSON_AddStringToObject(fit, "provenance", prov_str(pv));
}

static cJSON *obj_child(cJSON *parent, const char *key)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(parent, key);

	return o ? o : cJSON_AddObjectToObject(parent, key);
}

static void note_error(cJSON *errors, const char *probe, const char *msg)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "probe", probe);
	cJSON_AddStringToObject(o, "msg", msg);
	cJSON_AddItemToArray(errors, o);
}

/* Fit one rule's records into calib.<section>.<variant>; *fitted += 1 on success. */
static int build_rule(const struct rule *r, const cJSON *doc, const char *file,
		      const struct calib_peaks *pk, cJSON *calib, cJSON *errors, int *fitted,
		      struct err *e)
{
	const cJSON *probes = jget(doc, "probes"), *rec;
	const cJSON **recs;
	struct calib_point *pts;
	struct calib_fit f;
	struct prov pv = {NULL, 0};
	double peak = r->fp8_peak ? pk->flops_fp8 : pk->flops_bf16;
	int n = 0, idx = 0, match, total = cJSON_GetArraySize(probes);
	cJSON *sec;
	char msg[200];

	if (r->only_if_absent && jget(jget(calib, r->section), r->variant))
		return 0;
	recs = malloc(sizeof *recs * (size_t)(total + 1));
	pts = malloc(sizeof *pts * (size_t)(total + 1));
	if (!recs || !pts) {
		free(recs);
		free(pts);
		return err_set(e, EXIT_ENV, "out of memory fitting '%s'", file);
	}
	cJSON_ArrayForEach(rec, probes) {
		if (rule_match(r, rec, idx, file, pk, &match, e))
			goto end;
		if (match) {
			recs[n] = rec;
			pts[n++] = rec_point(rec);
			prov_add(&pv, rec);
		}
		idx++;
	}
	if (n == 0)
		goto end;
	if (calib_fit_roofline(pts, n, peak, pk->hbm_bw, pk->def[r->kind].compute,
			       pk->def[r->kind].memory, &f)) {
		snprintf(msg, sizeof msg, "%s.%s: %d usable record%s, too few or degenerate to fit",
			 r->section, r->variant, n, n == 1 ? "" : "s");
		note_error(errors, r->probe, msg);
		goto end;
	}
	sec = obj_child(obj_child(calib, r->section), r->variant);
	add_fit(sec, &f, peak, pk->hbm_bw, &pv);
	if (r->only_if_absent)
		cJSON_AddStringToObject(sec, "measured_as", r->v1);
	if (r->grid != GRID_NONE)
		rule_grid(r, recs, pts, n, peak, pk->hbm_bw, sec);
	(*fitted)++;
end:
	free(recs);
	free(pts);
	return e->code;
}

/* calib.memory from the hbm records: HBM and L2 bandwidth, the size curve. */
static void build_memory(const cJSON *doc, const struct calib_peaks *pk, cJSON *calib, int *fitted)
{
	static const char *const kernels[] = {"copy", "scale", "add", "triad", "read", "write", "memcpy", NULL};
	const cJSON *rec;
	double l2 = isnan(pk->l2_bytes) ? 0.25e9 : pk->l2_bytes, l2_bw = 0;
	int total = cJSON_GetArraySize(jget(doc, "probes")), nh = 0, nk, i, n = 0;
	double *hbm = malloc(sizeof *hbm * (size_t)(total + 1));
	double *kb = malloc(sizeof *kb * (size_t)(total + 1));
	struct prov pv = {NULL, 0};
	cJSON *mem, *byk, *curve;

	if (!hbm || !kb)
		goto end;
	mem = cJSON_CreateObject();
	byk = cJSON_AddObjectToObject(mem, "hbm_by_kernel_Bps");
	curve = cJSON_AddArrayToObject(mem, "size_curve");
	for (i = 0; kernels[i]; i++) {
		nk = 0;
		cJSON_ArrayForEach(rec, jget(doc, "probes")) {
			const char *k = jstr(jget(rec, "params"), "kernel");
			struct calib_point p;
			if (strcmp(jstr(rec, "probe"), "hbm") != 0 || !rec_usable(rec) || !k ||
			    strcmp(k, kernels[i]) != 0)
				continue;
			p = rec_point(rec);
			prov_add(&pv, rec);
			n++;
			if (p.bytes >= 4 * l2) {
				kb[nk++] = p.bytes / p.t_s;
				if (i < 4)
					hbm[nh++] = p.bytes / p.t_s;
			} else if (p.bytes <= l2 / 2 && p.bytes / p.t_s > l2_bw) {
				l2_bw = p.bytes / p.t_s;
			}
			if (strcmp(k, "triad") == 0) {
				cJSON *pt = cJSON_CreateArray();
				cJSON_AddItemToArray(pt, cJSON_CreateNumber(pnum(rec, "bytes_per_array")));
				cJSON_AddItemToArray(pt, cJSON_CreateNumber(p.bytes / p.t_s / pk->hbm_bw));
				cJSON_AddItemToArray(curve, pt);
			}
		}
		if (nk)
			cJSON_AddNumberToObject(byk, kernels[i], stats_median(kb, nk));
	}
	if (nh == 0) {
		cJSON_Delete(mem);
		goto end;
	}
	cJSON_AddNumberToObject(mem, "hbm_bw_Bps", stats_median(hbm, nh));
	cJSON_AddNumberToObject(mem, "hbm_eff", stats_median(hbm, nh) / pk->hbm_bw);
	if (l2_bw > 0)
		cJSON_AddNumberToObject(mem, "l2_bw_Bps", l2_bw);
	cJSON_AddStringToObject(mem, "counting", "bytes read + bytes written (STREAM, BabelStream)");
	cJSON_AddNumberToObject(mem, "n_points", n);
	cJSON_AddStringToObject(mem, "provenance", prov_str(&pv));
	cJSON_AddItemToObject(calib, "memory", mem);
	(*fitted)++;
end:
	free(hbm);
	free(kb);
}

/* calib.launch: median seconds per launch by mode (stream, graph, cold). */
static void build_launch(const cJSON *doc, cJSON *calib, int *fitted)
{
	static const char *const modes[][2] = {
		{"stream", "stream_launch_s"}, {"graph", "graph_node_s"}, {"cold", "cold_launch_s"},
	};
	int total = cJSON_GetArraySize(jget(doc, "probes")), i, nv, n = 0;
	double *v = malloc(sizeof *v * (size_t)(total + 1));
	struct prov pv = {NULL, 0};
	const cJSON *rec;
	cJSON *l = cJSON_CreateObject();

	for (i = 0; i < 3 && v; i++) {
		nv = 0;
		cJSON_ArrayForEach(rec, jget(doc, "probes")) {
			const char *m = jstr(jget(rec, "params"), "mode");
			if (strcmp(jstr(rec, "probe"), "launch") != 0 || !rec_usable(rec) || !m ||
			    strcmp(m, modes[i][0]) != 0)
				continue;
			v[nv++] = rec_point(rec).t_s;
			prov_add(&pv, rec);
		}
		if (nv)
			cJSON_AddNumberToObject(l, modes[i][1], stats_median(v, nv));
		n += nv;
	}
	free(v);
	if (n == 0) {
		cJSON_Delete(l);
		return;
	}
	cJSON_AddNumberToObject(l, "n_points", n);
	cJSON_AddStringToObject(l, "provenance", prov_str(&pv));
	cJSON_AddItemToObject(calib, "launch", l);
	(*fitted)++;
}

/*
 * calib.power: P_avg - P_idle = e_bf16 FLOP/s(bf16) + e_fp8 FLOP/s(fp8) +
 * e_byte HBM B/s, least squares without intercept over the steady loops
 * (docs/probes.md s8 step 5).  hw.c reads idle_w, e_per_flop_J.bf16 and
 * e_per_hbm_byte_J: the section is written only when all three are measured,
 * finite and in [0, 1] J; otherwise what was measured goes to
 * calib.power_unfitted and the reason to errors.
 */
struct power_pts {
	int n, ni, capped;
	double *idle, (*x)[3], *y;   /* idle watts; FLOP/s bf16, FLOP/s fp8, B/s; watts */
	int used[3];
};

static void power_collect(const cJSON *doc, struct power_pts *pp, struct prov *pv)
{
	const cJSON *rec;

	cJSON_ArrayForEach(rec, jget(doc, "probes")) {
		const cJSON *pw = jget(rec, "power");
		const char *wl = jstr(jget(rec, "params"), "workload"), *dt;
		struct calib_point pt;
		int fp8, j;
		if (strcmp(jstr(rec, "probe"), "power") != 0 || !rec_usable(rec) || !wl ||
		    !cJSON_IsNumber(jget(pw, "avg_w")) || !isfinite(jget(pw, "avg_w")->valuedouble))
			continue;
		prov_add(pv, rec);
		if (strcmp(wl, "idle") == 0) {
			pp->idle[pp->ni++] = jget(pw, "avg_w")->valuedouble;
			continue;
		}
		pt = rec_point(rec);
		dt = jstr(jget(rec, "params"), "dtype");
		fp8 = dt && strcmp(dt, "fp8") == 0;
		pp->x[pp->n][0] = fp8 ? 0 : pt.flops / pt.t_s;
		pp->x[pp->n][1] = fp8 ? pt.flops / pt.t_s : 0;
		pp->x[pp->n][2] = pt.bytes / pt.t_s;
		pp->y[pp->n] = jget(pw, "avg_w")->valuedouble;
		pp->capped += cJSON_IsNumber(jget(pw, "capped_frac")) && jget(pw, "capped_frac")->valuedouble > 0.5;
		for (j = 0; j < 3; j++)
			pp->used[j] |= pp->x[pp->n][j] > 0 && isfinite(pp->x[pp->n][j]);
		pp->n++;
	}
}

/* Least squares of the dynamic watts on the used columns: c[3] (0 when unused),
 * *r2.  Returns 0, or -1 when there are too few points or GSL fails. */
static int power_regress(const struct power_pts *pp, double idle_w, double *c, double *r2)
{
	int cols[3], nc = 0, i, j, rc = -1;
	double chisq, tss = 0, mean = 0;
	gsl_matrix *X = NULL, *cov = NULL;
	gsl_vector *Y = NULL, *cv = NULL;
	gsl_multifit_linear_workspace *ws = NULL;
	gsl_error_handler_t *old;

	c[0] = c[1] = c[2] = 0;
	for (j = 0; j < 3; j++)
		if (pp->used[j])
			cols[nc++] = j;
	if (nc == 0 || pp->n < nc)
		return -1;
	X = gsl_matrix_alloc(pp->n, nc);
	Y = gsl_vector_alloc(pp->n);
	cv = gsl_vector_alloc(nc);
	cov = gsl_matrix_alloc(nc, nc);
	ws = gsl_multifit_linear_alloc(pp->n, nc);
	if (!X || !Y || !cv || !cov || !ws)
		goto end;
	for (i = 0; i < pp->n; i++) {
		for (j = 0; j < nc; j++)
			gsl_matrix_set(X, i, j, pp->x[i][cols[j]]);
		gsl_vector_set(Y, i, pp->y[i] - idle_w);
		mean += (pp->y[i] - idle_w) / pp->n;
	}
	old = gsl_set_error_handler_off();
	if (gsl_multifit_linear(X, Y, cv, cov, &chisq, ws) == 0) {
		for (j = 0; j < nc; j++)
			c[cols[j]] = gsl_vector_get(cv, j);
		for (i = 0; i < pp->n; i++)
			tss += (pp->y[i] - idle_w - mean) * (pp->y[i] - idle_w - mean);
		*r2 = tss > 0 ? 1 - chisq / tss : NAN;
		rc = 0;
	}
	gsl_set_error_handler(old);
end:
	gsl_multifit_linear_free(ws);
	gsl_vector_free(cv);
	gsl_vector_free(Y);
	gsl_matrix_free(cov);
	gsl_matrix_free(X);
	return rc;
}

static int power_ok(double v)
{
	return isfinite(v) && v >= 0 && v <= 1;
}

static void build_power(const cJSON *doc, cJSON *calib, cJSON *errors, int *fitted)
{
	int total = cJSON_GetArraySize(jget(doc, "probes"));
	struct power_pts pp;
	struct prov pv = {NULL, 0};
	double idle_w, c[3], r2 = NAN;
	const char *why = NULL;
	cJSON *p, *e;

	memset(&pp, 0, sizeof pp);
	pp.idle = malloc(sizeof *pp.idle * (size_t)(total + 1));
	pp.x = malloc(sizeof *pp.x * (size_t)(total + 1));
	pp.y = malloc(sizeof *pp.y * (size_t)(total + 1));
	if (!pp.idle || !pp.x || !pp.y)
		goto end;
	power_collect(doc, &pp, &pv);
	if (pp.ni == 0 && pp.n == 0)
		goto end;
	idle_w = pp.ni ? stats_median(pp.idle, pp.ni) : NAN;
	if (pp.ni == 0)
		why = "no idle baseline";
	else if (!(isfinite(idle_w) && idle_w >= 0))
		why = "the idle baseline is not a power";
	else if (power_regress(&pp, idle_w, c, &r2))
		why = "too few loaded points to fit";
	else if (!pp.used[0] || !pp.used[2])
		why = "no BF16 GEMM or no HBM point: joules per FLOP and per byte not both measured";
	else if (!power_ok(c[0]) || !power_ok(c[2]))
		why = "the fit gives a negative or absurd energy per FLOP or per byte";
	p = cJSON_CreateObject();
	if (isfinite(idle_w))
		cJSON_AddNumberToObject(p, "idle_w", idle_w);
	if (!why) {
		e = cJSON_AddObjectToObject(p, "e_per_flop_J");
		cJSON_AddNumberToObject(e, "bf16", c[0]);
		if (pp.used[1] && power_ok(c[1]))
			cJSON_AddNumberToObject(e, "fp8", c[1]);
		cJSON_AddNumberToObject(p, "e_per_hbm_byte_J", c[2]);
		if (isfinite(r2))
			cJSON_AddNumberToObject(p, "fit_r2", r2);
	} else {
		cJSON_AddStringToObject(p, "why", why);
		note_error(errors, "power", why);
	}
	cJSON_AddNumberToObject(p, "power_capped_points", pp.capped);
	cJSON_AddNumberToObject(p, "n_points", pp.n + pp.ni);
	cJSON_AddStringToObject(p, "provenance", prov_str(&pv));
	cJSON_AddItemToObject(calib, why ? "power_unfitted" : "power", p);
	*fitted += !why;
end:
	free(pp.idle);
	free(pp.x);
	free(pp.y);
}

/*
 * calib.comm: p2p bandwidth and latency; for each collective and GPU count n,
 * t(S) = alpha + S / algbw fitted with weights 1/t^2, busbw = algbw x the
 * nccl-tests factor ((n-1)/n all-to-all and all-gather, 2(n-1)/n all-reduce).
 */
static void build_comm(const cJSON *doc, cJSON *calib, int *fitted)
{
	static const char *const colls[] = {"alltoall", "allreduce", "allgather", NULL};
	const cJSON *rec;
	int total = cJSON_GetArraySize(jget(doc, "probes")), i, n, gpus;
	double *xs = malloc(sizeof *xs * (size_t)(total + 1)), *ts = malloc(sizeof *ts * (size_t)(total + 1));
	double *ws = malloc(sizeof *ws * (size_t)(total + 1));
	double uni = 0, bidir = 0, lat = INFINITY, lat_size = INFINITY;
	struct prov pv = {NULL, 0};
	cJSON *comm = cJSON_CreateObject(), *p2p;
	char key[16];

	if (!xs || !ts || !ws)
		goto end;
	cJSON_ArrayForEach(rec, jget(doc, "probes")) {
		const char *dir = jstr(jget(rec, "params"), "dir");
		double bytes = pnum(rec, "bytes"), t;
		if (strcmp(jstr(rec, "probe"), "p2p") != 0 || !rec_usable(rec) || !dir || !(bytes > 0))
			continue;
		t = rec_point(rec).t_s;
		prov_add(&pv, rec);
		if (strcmp(dir, "bidir") == 0)
			bidir = fmax(bidir, 2 * bytes / t);
		else
			uni = fmax(uni, bytes / t);
		if (bytes < lat_size || (bytes == lat_size && t < lat)) {
			lat_size = bytes;
			lat = t;
		}
	}
	if (uni > 0) {
		p2p = cJSON_AddObjectToObject(comm, "p2p");
		cJSON_AddNumberToObject(p2p, "uni_Bps", uni);
		if (bidir > 0)
			cJSON_AddNumberToObject(p2p, "bidir_Bps", bidir);
		cJSON_AddNumberToObject(p2p, "latency_s", lat);
		cJSON_AddNumberToObject(p2p, "latency_bytes", lat_size);
		cJSON_AddStringToObject(p2p, "provenance", prov_str(&pv));
	}
	for (i = 0; colls[i]; i++) {
		for (gpus = 2; gpus <= 64; gpus++) {
			double c0, c1, cov00, cov01, cov11, chisq, factor;
			cJSON *o, *curve;
			int k;
			n = 0;
			cJSON_ArrayForEach(rec, jget(doc, "probes")) {
				const char *cl = jstr(jget(rec, "params"), "coll");
				double bytes = pnum(rec, "bytes");
				if (strcmp(jstr(rec, "probe"), "alltoall") != 0 || !rec_usable(rec) || !cl ||
				    strcmp(cl, colls[i]) != 0 || pnum(rec, "n") != gpus || !(bytes > 0))
					continue;
				xs[n] = bytes;
				ts[n] = rec_point(rec).t_s;
				ws[n] = 1 / (ts[n] * ts[n]);
				prov_add(&pv, rec);
				n++;
			}
			if (n < 2 || gsl_fit_wlinear(xs, 1, ws, 1, ts, 1, (size_t)n, &c0, &c1, &cov00,
						     &cov01, &cov11, &chisq) || !(c1 > 0))
				continue;
			factor = (i == 1 ? 2.0 : 1.0) * (gpus - 1) / gpus;
			snprintf(key, sizeof key, "%d", gpus);
			o = obj_child(obj_child(comm, colls[i]), key);
			cJSON_AddNumberToObject(o, "alpha_s", fmax(c0, 0));
			cJSON_AddNumberToObject(o, "busbw_Bps", factor / c1);
			curve = cJSON_AddArrayToObject(o, "curve");
			for (k = 0; k < n; k++) {
				cJSON *pt = cJSON_CreateArray();
				cJSON_AddItemToArray(pt, cJSON_CreateNumber(xs[k]));
				cJSON_AddItemToArray(pt, cJSON_CreateNumber(factor * xs[k] / ts[k]));
				cJSON_AddItemToArray(curve, pt);
			}
			cJSON_AddNumberToObject(o, "n_points", n);
			cJSON_AddStringToObject(o, "provenance", prov_str(&pv));
		}
	}
end:
	free(xs);
	free(ts);
	free(ws);
	if (comm->child) {
		cJSON_AddItemToObject(calib, "comm", comm);
		(*fitted)++;
	} else {
		cJSON_Delete(comm);
	}
}

int calib_build(const cJSON *doc, const char *file, const struct calib_peaks *pk,
		cJSON **calib, struct err *e)
{
	const struct rule *r;
	cJSON *c, *errors, *peaks;
	int fitted = 0;

	*calib = NULL;
	if (calib_check(doc, file, e))
		return e->code;
	if (strcmp(jstr(doc, "status"), "no_gpu") == 0)
		return err_set(e, EXIT_INPUT, "%s: the probes found no GPU ('status' is 'no_gpu'): nothing to fit",
			       file);
	c = cJSON_CreateObject();
	peaks = cJSON_AddObjectToObject(c, "peaks");
	cJSON_AddStringToObject(peaks, "source", pk->source);
	cJSON_AddNumberToObject(peaks, "bf16_flops", pk->flops_bf16);
	cJSON_AddNumberToObject(peaks, "fp8_flops", pk->flops_fp8);
	cJSON_AddNumberToObject(peaks, "hbm_Bps", pk->hbm_bw);
	errors = cJSON_CreateArray();
	for (r = rules; r->section; r++)
		if (build_rule(r, doc, file, pk, c, errors, &fitted, e)) {
			cJSON_Delete(errors);
			cJSON_Delete(c);
			return e->code;
		}
	build_memory(doc, pk, c, &fitted);
	build_launch(doc, c, &fitted);
	build_power(doc, c, errors, &fitted);
	build_comm(doc, c, &fitted);
	if (fitted == 0) {
		cJSON_Delete(errors);
		cJSON_Delete(c);
		return err_set(e, EXIT_INPUT, "%s: no usable probe record: nothing to fit (%d record%s)",
			       file, cJSON_GetArraySize(jget(doc, "probes")),
			       cJSON_GetArraySize(jget(doc, "probes")) == 1 ? "" : "s");
	}
	if (cJSON_GetArraySize(errors) > 0)
		cJSON_AddItemToObject(c, "errors", errors);
	else
		cJSON_Delete(errors);
	*calib = c;
	return 0;
}

/* ==== the calibrated card ================================================= */

cJSON *calib_card(const cJSON *base, const cJSON *doc, cJSON *calib)
{
	cJSON *card = cJSON_Duplicate(base, 1), *cal = cJSON_Duplicate(doc, 1), *notes;
	const char *name = jstr(base, "name"), *disp = jstr(base, "display_name");
	const char *dev = jstr(jget(doc, "device"), "name"), *created = jstr(doc, "created");
	const char *prov = NULL;
	const cJSON *rec;
	char buf[512];
	char *text;
	int mixed = 0;

	if (!card || !cal) {
		cJSON_Delete(card);
		cJSON_Delete(cal);
		cJSON_Delete(calib);
		return NULL;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(cal, "calib");
	cJSON_AddItemToObject(cal, "calib", calib);
	{
		/* a published calibration stays for the classes the probes do not fit */
		const cJSON *old = jget(base, "calibration"), *op = jget(old, "provenance");
		const cJSON *keep = cJSON_IsString(op) && !strcmp(op->valuestring, "published") ? old :
				    jget(old, "published");   /* a probe-calibrated base: its published layer */
		cJSON_DeleteItemFromObjectCaseSensitive(cal, "published");
		if (cJSON_IsObject(keep))
			cJSON_AddItemToObject(cal, "published", cJSON_Duplicate(keep, 1));
	}
	cJSON_ArrayForEach(rec, jget(doc, "probes")) {
		const char *p = jstr(rec, "provenance");
		if (!prov)
			prov = p;
		else if (p && strcmp(p, prov) != 0)
			mixed = 1;
	}
	prov = mixed ? "mixed" : prov ? prov : "unknown";
	if (name && !strstr(name, "-calibrated")) {
		snprintf(buf, sizeof buf, "%.40s-calibrated", name);
		cJSON_ReplaceItemInObjectCaseSensitive(card, "name", cJSON_CreateString(buf));
	}
	if (!disp || !strstr(disp, "(calibrated")) {
		snprintf(buf, sizeof buf, "%.100s (calibrated: %.100s)", disp ? disp : name ? name : "card",
			 dev ? dev : "unknown device");
		if (disp)
			cJSON_ReplaceItemInObjectCaseSensitive(card, "display_name", cJSON_CreateString(buf));
		else
			cJSON_AddStringToObject(card, "display_name", buf);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(card, "aliases");
	notes = cJSON_GetObjectItemCaseSensitive(card, "notes");
	if (!cJSON_IsArray(notes)) {
		cJSON_DeleteItemFromObjectCaseSensitive(card, "notes");
		notes = cJSON_AddArrayToObject(card, "notes");
	}
	snprintf(buf, sizeof buf,
		 "calibration: 'mlasim probe' on %.100s, %.40s, provenance %.40s; its fits "
		 "(calibration.calib.*.fit) replace the 'efficiency' section class by class",
		 dev ? dev : "unknown device", created ? created : "undated", prov);
	cJSON_AddItemToArray(notes, cJSON_CreateString(buf));
	/* the card loader reads at most JSONX_MAX_FILE: keep the fits, drop the raw records */
	text = cJSON_PrintUnformatted(cal);
	if (text && strlen(text) > JSONX_MAX_FILE / 2) {
		int n = cJSON_GetArraySize(jget(cal, "probes"));
		cJSON_DeleteItemFromObjectCaseSensitive(cal, "probes");
		cJSON_AddNumberToObject(cal, "probes_omitted", n);
	}
	free(text);
	cJSON_DeleteItemFromObjectCaseSensitive(card, "calibration");
	cJSON_AddItemToObject(card, "calibration", cal);
	return card;
}
