/*
 * cmd_vserving.c - 'mlasim validate --serving FILE': every row of a measured
 * serving sample in aiconfigurator's silicon-sample format (silicon.h)
 * mapped to a plan, its TTFT and TPOT predicted (serve.h) and compared:
 * MAPE, median |error| and median signed error overall and by system,
 * backend, model, mode, precision and batch bucket; the worst rows with the
 * command that reproduces each; the rows mlasim cannot express, by reason.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_multimin.h>
#include "cards.h"
#include "cli.h"
#include "cli_plan.h"
#include "engine.h"
#include "infile.h"
#include "kfit.h"
#include "plan.h"
#include "report.h"
#include "serve.h"
#include "silicon.h"

#define VS_MAX_CARDS 32
#define VS_MAX_REASONS 32
#define VS_WORST 15

/* Cards loaded once for the whole sample. */
struct vs_cards {
	const char *model_name[VS_MAX_CARDS], *hw_name[VS_MAX_CARDS];
	struct model *model[VS_MAX_CARDS];
	struct params *params[VS_MAX_CARDS];
	struct hw *hw[VS_MAX_CARDS];
	struct engine engine[VS_MAX_CARDS];   /* by the rows' backend names */
	int nmodels, nhw, nengines;
};

/* What became of one row. */
struct vs_row {
	const struct silicon_row *r;
	int engine;                    /* index in vs_cards.engine, -1 before it is known */
	const char *model;             /* the bundled model card it maps to (NULL: none) */
	int train;                     /* in the declared training part of the fit */
	char version[72];              /* "backend version", a partition */
	int is_moe;                    /* the model has experts (for the command) */
	char engine_part[56];          /* "vllm training", "vllm held-out": the fit's report */
	const char *reason;            /* NULL when predicted */
	char detail[160];              /* the plan's message when it refused */
	double ttft_s, tpot_s;         /* predicted */
	double ttft_err, tpot_err;     /* predicted / measured - 1 */
	double batch;                  /* concurrency per instance, for the bucket */
};

static void vs_cards_free(struct vs_cards *k)
{
	int i;

	for (i = 0; i < k->nmodels; i++) {
		free(k->model[i]);
		free(k->params[i]);
	}
	for (i = 0; i < k->nhw; i++)
		free(k->hw[i]);
}

/* The model card `name`, loaded on first use; NULL with c->err on failure. */
static int vs_model(struct cli *c, struct vs_cards *k, const char *name)
{
	int i;

	for (i = 0; i < k->nmodels; i++)
		if (strcmp(k->model_name[i], name) == 0)
			return i;
	if (k->nmodels == VS_MAX_CARDS)
		return err_set(&c->err, EXIT_INPUT, "more than %d model cards", VS_MAX_CARDS), -1;
	k->model[i] = malloc(sizeof *k->model[i]);
	k->params[i] = malloc(sizeof *k->params[i]);
	if (!k->model[i] || !k->params[i]) {
		free(k->model[i]);
		free(k->params[i]);
		return err_set(&c->err, EXIT_ENV, "out of memory loading %s", name), -1;
	}
	if (cli_load_model(c, name, k->model[i])) {
		free(k->model[i]);
		free(k->params[i]);
		return -1;
	}
	params_count(k->model[i], k->params[i]);
	k->model_name[i] = name;
	k->nmodels++;
	return i;
}

static int vs_hw(struct cli *c, struct vs_cards *k, const char *name)
{
	int i;

	for (i = 0; i < k->nhw; i++)
		if (strcmp(k->hw_name[i], name) == 0)
			return i;
	if (k->nhw == VS_MAX_CARDS)
		return err_set(&c->err, EXIT_INPUT, "more than %d hardware cards", VS_MAX_CARDS), -1;
	if (!(k->hw[i] = malloc(sizeof *k->hw[i])))
		return err_set(&c->err, EXIT_ENV, "out of memory loading %s", name), -1;
	if (cli_load_hw(c, name, k->hw[i])) {
		free(k->hw[i]);
		return -1;
	}
	k->hw_name[i] = name;
	k->nhw++;
	return i;
}

/* The engine card of a backend ("vllm"), loaded on first use; -1 with c->err. */
static int vs_engine(struct cli *c, struct vs_cards *k, const char *backend)
{
	char path[1024];
	int i;

	for (i = 0; i < k->nengines; i++)
		if (strcmp(k->engine[i].name, backend) == 0)
			return i;
	if (k->nengines == VS_MAX_CARDS)
		return err_set(&c->err, EXIT_INPUT, "more than %d engine cards", VS_MAX_CARDS), -1;
	if (cards_resolve(CARD_ENGINE, backend, path, sizeof path, &c->err) ||
	    engine_load(path, &k->engine[i], &c->err))
		return -1;
	snprintf(k->engine[i].name, sizeof k->engine[i].name, "%s", backend);
	k->nengines++;
	return i;
}

/* The plan of one side of row r; NULL reason and *p filled, or why not. */
static const char *vs_plan(struct cli *c, struct vs_cards *k, const struct silicon_row *r,
			   enum silicon_side s, const struct engine *g, struct plan *p,
			   struct silicon_args *a, char *detail, size_t dn)
{
	struct cli t;
	struct plan_args pa;
	struct deployment d;
	const char *name = silicon_model(r), *why;
	int mi, hi;

	memset(a, 0, sizeof *a);
	if (!name)
		return "model not bundled";
	if ((mi = vs_model(c, k, name)) < 0)
		return "card failed to load";
	if ((why = silicon_map(r, s, k->model[mi]->is_moe, a)))
		return why;
	if ((hi = vs_hw(c, k, a->hw)) < 0)
		return "card failed to load";
	memset(&t, 0, sizeof t);
	memset(&pa, 0, sizeof pa);
	t.argc = a->argc;
	t.argv = (char **)a->argv;
	t.cmd = "plan";
	while (t.i < t.argc && plan_cli_take(&t, &pa) > 0)
		;
	if (t.err.code || t.i < t.argc) {
		snprintf(detail, dn, "%.150s", t.err.msg);
		return "plan options refused";
	}
	plan_cli_apply(k->model[mi], &pa, &d);
	serve_engine_apply(g, k->hw[hi], &d);
	if (plan_compute(k->model[mi], k->hw[hi], &d, k->params[mi], p, &t.err)) {
		snprintf(detail, dn, "%.150s", t.err.msg);
		return "mlasim refuses the layout";
	}
	return NULL;
}

/* Predict row r into v under engine g (the row's backend's card, or a
 * trial of the fit): TPOT from the decode side, TTFT from the prefill side
 * (one aggregated pool serves both). */
static void vs_predict(struct cli *c, struct vs_cards *k, struct vs_row *v, const struct engine *g,
		       struct plan *p, struct plan *scratch)
{
	const struct silicon_row *r = v->r;
	struct silicon_args a;
	struct serve_result sr;
	int agg = strcmp(r->mode, "agg") == 0;

	v->reason = vs_plan(c, k, r, SIDE_DECODE, g, p, &a, v->detail, sizeof v->detail);
	if (v->reason)
		return;
	v->is_moe = p->model->is_moe;
	v->batch = p->dep.w.batch;   /* per attention group, as the sample's batch_size */
	if (agg) {
		if (serve_agg(p, g, scratch, &sr, &c->err)) {
			snprintf(v->detail, sizeof v->detail, "%.150s", c->err.msg);
			v->reason = "mlasim refuses the layout";
			return;
		}
	} else {
		serve_decode(p, g, &sr);
	}
	v->tpot_s = sr.tpot_s;
	v->ttft_s = sr.ttft_s;
	if (!agg) {
		v->reason = vs_plan(c, k, r, SIDE_PREFILL, g, p, &a, v->detail, sizeof v->detail);
		if (v->reason)
			return;
		serve_prefill(p, g, &sr);
		v->ttft_s = sr.ttft_s;
	}
	v->ttft_err = v->ttft_s / (r->ttft_ms * 1e-3) - 1;
	v->tpot_err = v->tpot_s / (r->tpot_ms * 1e-3) - 1;
}

/* The row's engine card (its backend), or NULL with v->reason set. */
static const struct engine *vs_row_engine(struct cli *c, struct vs_cards *k, struct vs_row *v)
{
	if (v->engine < 0 && (v->engine = vs_engine(c, k, v->r->backend)) < 0) {
		snprintf(v->detail, sizeof v->detail, "%.150s", c->err.msg);
		v->reason = "no engine card for the backend";
		c->err.code = 0;
		return NULL;
	}
	return &k->engine[v->engine];
}

/* ---- statistics -------------------------------------------------------------- */

static int vs_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Error figures of a set of rows. */
struct vs_stats {
	int n;
	double tpot_mape, ttft_mape;          /* mean |err| */
	double tpot_med, ttft_med;            /* median |err| */
	double tpot_signed, ttft_signed;      /* median err */
};

static double vs_median(double *x, int n)
{
	qsort(x, (size_t)n, sizeof *x, vs_cmp);
	return n == 0 ? NAN : n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

/* The rows of rows[] that `keep` selects (NULL: every predicted row). */
static struct vs_stats vs_stats(const struct vs_row *rows, int n, const char *(*key)(const struct vs_row *),
				const char *want, double *buf)
{
	struct vs_stats s;
	double sum_t = 0, sum_f = 0;
	int i, m = 0;

	memset(&s, 0, sizeof s);
	for (i = 0; i < n; i++) {
		if (rows[i].reason || (key && strcmp(key(&rows[i]), want) != 0))
			continue;
		sum_t += fabs(rows[i].tpot_err);
		sum_f += fabs(rows[i].ttft_err);
		buf[m++] = i;
	}
	s.n = m;
	if (!m) {
		s.tpot_mape = s.ttft_mape = s.tpot_med = s.ttft_med = s.tpot_signed = s.ttft_signed = NAN;
		return s;
	}
	s.tpot_mape = sum_t / m;
	s.ttft_mape = sum_f / m;
	{
		double *x = buf + m;
		int j;

		for (j = 0; j < m; j++) x[j] = fabs(rows[(int)buf[j]].tpot_err);
		s.tpot_med = vs_median(x, m);
		for (j = 0; j < m; j++) x[j] = fabs(rows[(int)buf[j]].ttft_err);
		s.ttft_med = vs_median(x, m);
		for (j = 0; j < m; j++) x[j] = rows[(int)buf[j]].tpot_err;
		s.tpot_signed = vs_median(x, m);
		for (j = 0; j < m; j++) x[j] = rows[(int)buf[j]].ttft_err;
		s.ttft_signed = vs_median(x, m);
	}
	return s;
}

static const char *vs_key_system(const struct vs_row *v) { return v->r->system; }
static const char *vs_key_backend(const struct vs_row *v) { return v->r->backend; }
static const char *vs_key_model(const struct vs_row *v) { return v->r->model_path; }
static const char *vs_key_mode(const struct vs_row *v) { return v->r->mode; }
static const char *vs_key_precision(const struct vs_row *v) { return v->r->precision[0] ? v->r->precision : "(none)"; }
static const char *vs_key_bucket(const struct vs_row *v) { return silicon_bucket(v->batch); }
static const char *vs_key_version(const struct vs_row *v) { return v->version; }
static const char *vs_key_part(const struct vs_row *v) { return v->train ? "training" : "held-out"; }
static const char *vs_key_engine_part(const struct vs_row *v) { return v->engine_part; }

static const struct vs_part {
	const char *name;
	const char *(*key)(const struct vs_row *);
} vs_parts[] = {
	{"system", vs_key_system}, {"backend", vs_key_backend}, {"model", vs_key_model},
	{"mode", vs_key_mode}, {"precision", vs_key_precision}, {"batch", vs_key_bucket},
	{"version", vs_key_version}, {"part", vs_key_part},
	{NULL, NULL},
};

/* The distinct values of a partition key among predicted rows, in first-seen order. */
static int vs_values(const struct vs_row *rows, int n, const char *(*key)(const struct vs_row *),
		     const char **out, int max)
{
	int i, j, m = 0;

	for (i = 0; i < n; i++) {
		const char *v;

		if (rows[i].reason)
			continue;
		v = key(&rows[i]);
		for (j = 0; j < m && strcmp(out[j], v) != 0; j++)
			;
		if (j == m && m < max)
			out[m++] = v;
	}
	return m;
}

/* The command that reproduces one side of a predicted row. */
static void vs_command(const struct vs_row *v, enum silicon_side s, char *buf, size_t n)
{
	const struct silicon_row *r = v->r;
	struct silicon_args a;
	size_t used;
	int i;

	if (silicon_map(r, s, v->is_moe, &a)) {
		snprintf(buf, n, "-");
		return;
	}
	used = (size_t)snprintf(buf, n, "mlasim plan --model %s --hw %s --engine %s", a.model, a.hw, r->backend);
	for (i = 0; i < a.argc && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, " %s", a.argv[i]);
}

static double vs_badness(const struct vs_row *v)
{
	return fmax(fabs(v->tpot_err), fabs(v->ttft_err));
}

static int vs_cmp_worst(const void *a, const void *b)
{
	double x = vs_badness(*(const struct vs_row *const *)a), y = vs_badness(*(const struct vs_row *const *)b);

	return x > y ? -1 : x < y;
}

/* ---- output -------------------------------------------------------------------- */

static void vs_stats_json(cJSON *o, const struct vs_stats *s)
{
	cJSON_AddNumberToObject(o, "rows", s->n);
	report_num(o, "tpot_mape_pct", 100 * s->tpot_mape);
	report_num(o, "ttft_mape_pct", 100 * s->ttft_mape);
	report_num(o, "tpot_median_abs_err_pct", 100 * s->tpot_med);
	report_num(o, "ttft_median_abs_err_pct", 100 * s->ttft_med);
	report_num(o, "tpot_median_err_pct", 100 * s->tpot_signed);
	report_num(o, "ttft_median_err_pct", 100 * s->ttft_signed);
}

static void vs_stats_line(struct sbuf *b, const char *name, const struct vs_stats *s)
{
	sbuf_printf(b, "  %-34.34s %6d  %7.1f%% %7.1f%% %+7.1f%%   %7.1f%% %7.1f%% %+7.1f%%\n", name, s->n,
		    100 * s->tpot_mape, 100 * s->tpot_med, 100 * s->tpot_signed,
		    100 * s->ttft_mape, 100 * s->ttft_med, 100 * s->ttft_signed);
}

/* Reasons rows were skipped, counted, with one example each. */
struct vs_reason { const char *why; int n; const struct vs_row *example; };

static int vs_reasons(const struct vs_row *rows, int n, struct vs_reason *out)
{
	int i, j, m = 0;

	for (i = 0; i < n; i++) {
		if (!rows[i].reason)
			continue;
		for (j = 0; j < m && strcmp(out[j].why, rows[i].reason) != 0; j++)
			;
		if (j == m) {
			if (m == VS_MAX_REASONS)
				continue;
			out[m++] = (struct vs_reason){rows[i].reason, 0, &rows[i]};
		}
		out[j].n++;
	}
	return m;
}

/* The errors of engine g's training or held-out rows. */
static struct vs_stats vs_engine_stats(const struct vs_row *rows, int n, const struct engine *g, int train,
				       double *buf)
{
	char want[56];

	snprintf(want, sizeof want, "%s %s", g->name, train ? "training" : "held-out");
	return vs_stats(rows, n, vs_key_engine_part, want, buf);
}

/* The engine figures a fit chose, with their training and held-out errors: people's table. */
static void vs_fitted_table(struct sbuf *b, const struct vs_cards *k, const struct vs_row *rows, int n,
			    double *buf)
{
	int e, t;

	sbuf_printf(b, "\nfitted on the training part (engines/NAME.json 'overheads' and 'benchmark'):\n");
	for (e = 0; e < k->nengines; e++) {
		const struct engine *g = &k->engine[e];

		sbuf_printf(b, "  %-8s graph_latency_share %.3f  step_s %.3g  request_s %.3g  waves %.3g\n", g->name,
			    g->graph_latency_share, g->step_overhead_s, g->request_overhead_s, g->bench_waves);
		for (t = 1; t >= 0; t--) {
			struct vs_stats s = vs_engine_stats(rows, n, g, t, buf);
			vs_stats_line(b, t ? "    training" : "    held-out", &s);
		}
	}
}

static void vs_fitted_json(cJSON *o, const struct vs_cards *k, const struct vs_row *rows, int n, double *buf)
{
	cJSON *arr = cJSON_AddArrayToObject(o, "fitted");
	int e, t;

	for (e = 0; e < k->nengines; e++) {
		const struct engine *g = &k->engine[e];
		cJSON *x = cJSON_CreateObject();

		cJSON_AddStringToObject(x, "engine", g->name);
		report_num(x, "graph_latency_share", g->graph_latency_share);
		report_num(x, "step_s", g->step_overhead_s);
		report_num(x, "request_s", g->request_overhead_s);
		report_num(x, "waves", g->bench_waves);
		for (t = 1; t >= 0; t--) {
			struct vs_stats s = vs_engine_stats(rows, n, g, t, buf);
			vs_stats_json(cJSON_AddObjectToObject(x, t ? "training" : "heldout"), &s);
		}
		cJSON_AddItemToArray(arr, x);
	}
}

/* Every predicted row: people's lines or JSON rows[]. */
static void vs_rows_table(struct sbuf *b, const struct vs_row *rows, int n)
{
	int i;

	sbuf_printf(b, "\nrows (ms; err = predicted / measured - 1):\n  %-6s %-8s %10s %10s %7s %10s %10s %7s  id\n",
		    "line", "part", "TTFT", "measured", "err", "TPOT", "measured", "err");
	for (i = 0; i < n; i++)
		if (!rows[i].reason)
			sbuf_printf(b, "  %-6d %-8s %10.1f %10.1f %+6.0f%% %10.2f %10.2f %+6.0f%%  %s\n", rows[i].r->line,
				    rows[i].train ? "training" : "held-out", 1e3 * rows[i].ttft_s, rows[i].r->ttft_ms,
				    100 * rows[i].ttft_err, 1e3 * rows[i].tpot_s, rows[i].r->tpot_ms,
				    100 * rows[i].tpot_err, rows[i].r->id);
}

static void vs_rows_json(cJSON *o, const struct vs_row *rows, int n)
{
	cJSON *arr = cJSON_AddArrayToObject(o, "rows");
	int i;

	for (i = 0; i < n; i++) {
		cJSON *x;

		if (rows[i].reason)
			continue;
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "id", rows[i].r->id);
		cJSON_AddNumberToObject(x, "line", rows[i].r->line);
		cJSON_AddStringToObject(x, "engine", rows[i].r->backend);
		cJSON_AddStringToObject(x, "part", rows[i].train ? "training" : "held-out");
		report_num(x, "ttft_s", rows[i].ttft_s);
		report_num(x, "measured_ttft_s", rows[i].r->ttft_ms * 1e-3);
		report_num(x, "tpot_s", rows[i].tpot_s);
		report_num(x, "measured_tpot_s", rows[i].r->tpot_ms * 1e-3);
		cJSON_AddItemToArray(arr, x);
	}
}

static void vs_render(struct cli *c, const char *path, const struct vs_row *rows, int n, double *buf,
		      const struct vs_cards *fitted, int list)
{
	struct vs_reason why[VS_MAX_REASONS];
	const struct vs_row **worst = malloc((size_t)(n > 0 ? n : 1) * sizeof *worst);
	struct vs_stats all = vs_stats(rows, n, NULL, NULL, buf);
	const struct vs_part *pt;
	const char *vals[256];
	int nwhy = vs_reasons(rows, n, why), nw = 0, i, j, skipped = n - all.n;
	char cmd[512];
	cJSON *o = NULL, *parts = NULL, *arr;

	for (i = 0; worst && i < n; i++)
		if (!rows[i].reason)
			worst[nw++] = &rows[i];
	if (worst)
		qsort(worst, (size_t)nw, sizeof *worst, vs_cmp_worst);
	if (c->format == FMT_TABLE) {
		sbuf_printf(&c->buf, "mlasim validate --serving: %s, %d rows: %d predicted, %d skipped\n", path, n,
			    all.n, skipped);
		sbuf_printf(&c->buf, "err = predicted / measured - 1; MAPE = mean |err|; med = median |err|; signed = median err\n\n");
		sbuf_printf(&c->buf, "  %-34s %6s  %8s %8s %8s   %8s %8s %8s\n", "", "rows", "TPOT", "med",
			    "signed", "TTFT", "med", "signed");
		vs_stats_line(&c->buf, "all", &all);
		for (pt = vs_parts; pt->name; pt++) {
			int nv = vs_values(rows, n, pt->key, vals, 256);

			sbuf_printf(&c->buf, "by %s\n", pt->name);
			for (j = 0; j < nv; j++) {
				struct vs_stats s = vs_stats(rows, n, pt->key, vals[j], buf);
				vs_stats_line(&c->buf, vals[j], &s);
			}
		}
		sbuf_printf(&c->buf, "\nworst %d rows (TPOT err, TTFT err, measured ms; the command for decode):\n",
			    nw < VS_WORST ? nw : VS_WORST);
		for (i = 0; i < nw && i < VS_WORST; i++) {
			vs_command(worst[i], SIDE_DECODE, cmd, sizeof cmd);
			sbuf_printf(&c->buf, "  %s (line %d): TPOT %+.0f%% of %.2f, TTFT %+.0f%% of %.1f\n    %s\n",
				    worst[i]->r->id, worst[i]->r->line, 100 * worst[i]->tpot_err, worst[i]->r->tpot_ms,
				    100 * worst[i]->ttft_err, worst[i]->r->ttft_ms, cmd);
		}
		if (nwhy)
			sbuf_printf(&c->buf, "\nskipped rows by reason:\n");
		for (i = 0; i < nwhy; i++)
			sbuf_printf(&c->buf, "  %5d  %s (line %d%s%s)\n", why[i].n, why[i].why, why[i].example->r->line,
				    why[i].example->detail[0] ? ": " : "", why[i].example->detail);
		if (fitted)
			vs_fitted_table(&c->buf, fitted, rows, n, buf);
		if (list)
			vs_rows_table(&c->buf, rows, n);
		free(worst);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "file", path);
	arr = cJSON_AddObjectToObject(o, "summary");
	vs_stats_json(arr, &all);   /* its "rows" are the predicted ones: the file's are these */
	cJSON_ReplaceItemInObjectCaseSensitive(arr, "rows", cJSON_CreateNumber(n));
	cJSON_AddNumberToObject(arr, "rows_predicted", all.n);
	cJSON_AddNumberToObject(arr, "rows_skipped", skipped);
	parts = cJSON_AddObjectToObject(o, "partitions");
	for (pt = vs_parts; pt->name; pt++) {
		cJSON *pa = cJSON_AddArrayToObject(parts, pt->name);
		int nv = vs_values(rows, n, pt->key, vals, 256);

		for (j = 0; j < nv; j++) {
			struct vs_stats s = vs_stats(rows, n, pt->key, vals[j], buf);
			cJSON *x = cJSON_CreateObject();

			cJSON_AddStringToObject(x, "value", vals[j]);
			vs_stats_json(x, &s);
			cJSON_AddItemToArray(pa, x);
		}
	}
	arr = cJSON_AddArrayToObject(o, "worst");
	for (i = 0; i < nw && i < VS_WORST; i++) {
		cJSON *x = cJSON_CreateObject();

		cJSON_AddStringToObject(x, "id", worst[i]->r->id);
		cJSON_AddNumberToObject(x, "line", worst[i]->r->line);
		report_num(x, "tpot_err_pct", 100 * worst[i]->tpot_err);
		report_num(x, "ttft_err_pct", 100 * worst[i]->ttft_err);
		report_num(x, "measured_tpot_s", worst[i]->r->tpot_ms * 1e-3);
		report_num(x, "measured_ttft_s", worst[i]->r->ttft_ms * 1e-3);
		report_num(x, "predicted_tpot_s", worst[i]->tpot_s);
		report_num(x, "predicted_ttft_s", worst[i]->ttft_s);
		vs_command(worst[i], SIDE_DECODE, cmd, sizeof cmd);
		cJSON_AddStringToObject(x, "command", cmd);
		if (strcmp(worst[i]->r->mode, "disagg") == 0) {
			vs_command(worst[i], SIDE_PREFILL, cmd, sizeof cmd);
			cJSON_AddStringToObject(x, "command_prefill", cmd);
		}
		cJSON_AddItemToArray(arr, x);
	}
	arr = cJSON_AddArrayToObject(o, "skipped");
	for (i = 0; i < nwhy; i++) {
		cJSON *x = cJSON_CreateObject();

		cJSON_AddStringToObject(x, "reason", why[i].why);
		cJSON_AddNumberToObject(x, "rows", why[i].n);
		cJSON_AddNumberToObject(x, "example_line", why[i].example->r->line);
		cJSON_AddStringToObject(x, "example_detail", why[i].example->detail);
		cJSON_AddItemToArray(arr, x);
	}
	if (fitted)
		vs_fitted_json(o, fitted, rows, n, buf);
	if (list)
		vs_rows_json(o, rows, n);
	free(worst);
	report_tree(&c->buf, o, c->format == FMT_CSV);
}

/* ---- the fit ------------------------------------------------------------------- */

/*
 * The declared training part: the bundled model cards the sample's rows map
 * to, in name order, every other one from the first (the rest are held
 * out).  Chosen by name, not by error.  Sets each row's `train`.
 */
static void vs_training(struct vs_row *rows, int n)
{
	const char *names[VS_MAX_CARDS];
	int i, j, m = 0;

	for (i = 0; i < n; i++) {
		rows[i].model = silicon_model(rows[i].r);
		if (!rows[i].model)
			continue;
		for (j = 0; j < m && strcmp(names[j], rows[i].model) != 0; j++)
			;
		if (j == m && m < VS_MAX_CARDS)
			names[m++] = rows[i].model;
	}
	for (i = 0; i < n; i++) {
		int rank = 0;

		if (!rows[i].model)
			continue;
		for (j = 0; j < m; j++)
			rank += strcmp(names[j], rows[i].model) < 0;
		rows[i].train = rank % 2 == 0;
	}
}

/* What the fit's objective needs: the rows of one engine that train it. */
struct vs_fit {
	struct cli *c;
	struct vs_cards *k;
	struct vs_row *rows;
	int n, engine;
	struct plan *p, *scratch;
	struct engine trial;
	int stage;                  /* 0: decode figures on TPOT; 1: first-token ones on TTFT */
};

/*
 * The fit runs in two stages, each on its own measurements: the decode
 * figures (graph_latency_share, step_s) on TPOT, then the first-token ones
 * (request_s, waves) on TTFT, with the decode ones fixed.  Coordinates are
 * unbounded: logistic for the share, exp for the rest.
 */
static void vs_fit_params(const gsl_vector *x, int stage, struct engine *g)
{
	if (stage == 0) {
		g->graph_latency_share = 1 / (1 + exp(-gsl_vector_get(x, 0)));
		g->step_overhead_s = exp(gsl_vector_get(x, 1));
	} else {
		g->request_overhead_s = exp(gsl_vector_get(x, 0));
		g->bench_waves = 1 + exp(gsl_vector_get(x, 1));
	}
}

/* Sum of |log(predicted / measured)| (the median's loss: robust to the
 * rows no mechanism here explains) of TPOT (stage 0) or TTFT (stage 1)
 * over the engine's training rows. */
static double vs_fit_loss(const gsl_vector *x, void *arg)
{
	struct vs_fit *f = arg;
	double sum = 0;
	int i;

	vs_fit_params(x, f->stage, &f->trial);
	for (i = 0; i < f->n; i++) {
		struct vs_row *v = &f->rows[i];
		double pred, meas;

		if (v->engine != f->engine || !v->train || v->reason)
			continue;
		vs_predict(f->c, f->k, v, &f->trial, f->p, f->scratch);
		f->c->err.code = 0;
		pred = f->stage ? v->ttft_s : v->tpot_s;
		meas = 1e-3 * (f->stage ? v->r->ttft_ms : v->r->tpot_ms);
		if (v->reason || !(pred > 0) || !isfinite(pred)) {
			v->reason = NULL;   /* a trial that breaks a row is only a bad trial */
			sum += 10;
			continue;
		}
		sum += fabs(log(pred / meas));
	}
	return sum;
}

/* Fit engine e's figures on its training rows; the result replaces k->engine[e]. */
static void vs_fit_engine(struct vs_fit *f, int e)
{
	gsl_multimin_function fn = {vs_fit_loss, 2, f};
	gsl_vector *x = gsl_vector_alloc(2);

	f->engine = e;
	f->trial = f->k->engine[e];
	f->trial.request_overhead_s = 0;
	f->trial.bench_waves = 1e6;
	for (f->stage = 0; f->stage < 2; f->stage++) {
		gsl_vector_set(x, 0, f->stage ? log(20e-3) : log(0.5));   /* request 20 ms; share 1/3 */
		gsl_vector_set(x, 1, f->stage ? log(2.0) : log(1e-3));    /* 3 waves; step 1 ms */
		kfit_simplex(&fn, x, 1.0, 3, 300, 1e-3);
		vs_fit_params(x, f->stage, &f->trial);
	}
	f->k->engine[e] = f->trial;
	gsl_vector_free(x);
}

/* ---- the command ----------------------------------------------------------------- */

static void vs_predict_all(struct cli *c, struct vs_cards *k, struct vs_row *rows, int n,
			   struct plan *p, struct plan *scratch)
{
	int i;

	for (i = 0; i < n; i++) {
		const struct engine *g;

		rows[i].reason = NULL;
		rows[i].detail[0] = 0;
		if (!(g = vs_row_engine(c, k, &rows[i])))
			continue;
		vs_predict(c, k, &rows[i], g, p, scratch);
		c->err.code = 0;
		snprintf(rows[i].engine_part, sizeof rows[i].engine_part, "%s %s", g->name,
			 rows[i].train ? "training" : "held-out");
	}
}

int validate_serving(struct cli *c, const char *path, int fit, int list)
{
	struct vs_cards cards;
	struct silicon_row *rows = NULL;
	struct vs_row *out = NULL;
	struct plan *p = NULL, *scratch = NULL;
	double *buf = NULL;
	char *text = NULL;
	size_t len;
	int n = 0, i, rc = 0;

	memset(&cards, 0, sizeof cards);
	if (infile_read(path, SILICON_MAX_FILE, "a silicon sample", &text, &len, &c->err))
		return c->err.code;
	infile_note(path, "--serving");
	if (silicon_parse(text, path, &rows, &n, &c->err)) {
		free(text);
		return c->err.code;
	}
	free(text);
	out = calloc((size_t)(n > 0 ? n : 1), sizeof *out);
	buf = malloc((size_t)(2 * n + 2) * sizeof *buf);
	p = malloc(sizeof *p);
	scratch = malloc(sizeof *scratch);
	if (!out || !buf || !p || !scratch) {
		rc = err_set(&c->err, EXIT_ENV, "out of memory for %d rows of %s", n, path);
		goto done;
	}
	for (i = 0; i < n; i++) {
		out[i].r = &rows[i];
		out[i].engine = -1;
		snprintf(out[i].version, sizeof out[i].version, "%s %s", rows[i].backend,
			 rows[i].version[0] ? rows[i].version : "?");
	}
	vs_training(out, n);
	vs_predict_all(c, &cards, out, n, p, scratch);
	if (fit) {
		struct vs_fit f = {.c = c, .k = &cards, .rows = out, .n = n, .p = p, .scratch = scratch};
		int e;

		for (e = 0; e < cards.nengines; e++)
			vs_fit_engine(&f, e);
		vs_predict_all(c, &cards, out, n, p, scratch);
	}
	vs_render(c, path, out, n, buf, fit ? &cards : NULL, list);
	rc = cli_emit(c) ? c->err.code : EXIT_OK;
done:
	vs_cards_free(&cards);
	free(rows);
	free(out);
	free(buf);
	free(p);
	free(scratch);
	return rc;
}
