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
#include "stats.h"

#define VS_MAX_CARDS 32
#define VS_MAX_ENGINES 8
#define VS_MAX_REASONS 32
#define VS_WORST 15

/*
 * A version's own figures take this many training rows (predicted rows of
 * the declared training part): each is fitted by the median's loss, whose
 * relative standard error is about 1.25 s / sqrt(n) for a robust scatter s
 * of the rows' log error (1.4826 x its MAD over the bundled cards' training
 * rows: 0.17 in TPOT, 0.43 in TTFT); at 40 rows 3.4% and 8.5%, below the 10
 * to 50% by which the versions' median signed errors differ, so a version's
 * figure is not the noise of its few rows.  Fewer: the version runs on the
 * engine-level figures.
 */
#define VS_VERSION_MIN_ROWS 40

/* Cards loaded once for the whole sample. */
struct vs_cards {
	const char *model_name[VS_MAX_CARDS], *hw_name[VS_MAX_CARDS];
	struct model *model[VS_MAX_CARDS];
	struct params *params[VS_MAX_CARDS];
	struct hw *hw[VS_MAX_CARDS];
	struct engine engine[VS_MAX_ENGINES];   /* by the rows' backend names */
	int nmodels, nhw, nengines;
};

/* What became of one row. */
struct vs_row {
	const struct silicon_row *r;
	int engine;                    /* index in vs_cards.engine, -1 before it is known */
	const char *model;             /* the bundled model card it maps to (NULL: none) */
	int train;                     /* in the declared training part of the fit */
	char version[72];              /* "backend version", a partition */
	char version_part[88];         /* "backend version training" (or held-out): the fit's report */
	int is_moe;                    /* the model has experts (for the command) */
	char engine_part[56];          /* "vllm training", "vllm held-out": the fit's report */
	const char *reason;            /* NULL when predicted */
	const char *repair;            /* how a contradictory layout was read (silicon_map), or NULL */
	const char *bench;             /* the benchmark recognised (silicon_bench), or NULL */
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
	if (k->nengines == VS_MAX_ENGINES)
		return err_set(&c->err, EXIT_INPUT, "more than %d engine cards", VS_MAX_ENGINES), -1;
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
	plan_cli_engine_apply(g, k->hw[hi], &pa, &d);
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
	v->repair = a.repair;
	v->bench = a.bench;
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
	if (!agg) {   /* the prefill pool, fed by every decode worker's requests */
		double conc = silicon_in_flight(r, &a);

		v->reason = vs_plan(c, k, r, SIDE_PREFILL, g, p, &a, v->detail, sizeof v->detail);
		if (v->reason)
			return;
		serve_disagg(p, g, conc, silicon_workers(&r->prefill), sr.tpot_s, &sr);
		v->ttft_s = sr.ttft_s;
	}
	v->ttft_err = v->ttft_s / (r->ttft_ms * 1e-3) - 1;
	v->tpot_err = v->tpot_s / (r->tpot_ms * 1e-3) - 1;
}

/* The row's engine card (its backend) with the figures of the row's version
 * in use (engine_use_version: the engine-level ones for a version the card
 * has none for, as 'plan --engine NAME@VERSION'), or NULL with v->reason set. */
static const struct engine *vs_row_engine(struct cli *c, struct vs_cards *k, struct vs_row *v)
{
	if (v->engine < 0 && (v->engine = vs_engine(c, k, v->r->backend)) < 0) {
		snprintf(v->detail, sizeof v->detail, "%.150s", c->err.msg);
		v->reason = "no engine card for the backend";
		c->err.code = 0;
		return NULL;
	}
	engine_use_version(&k->engine[v->engine], v->r->version);
	return &k->engine[v->engine];
}

/* ---- statistics -------------------------------------------------------------- */

/* Error figures of a set of rows. */
struct vs_stats {
	int n;
	double tpot_mape, ttft_mape;          /* mean |err| */
	double tpot_med, ttft_med;            /* median |err| */
	double tpot_signed, ttft_signed;      /* median err */
};

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
		s.tpot_med = stats_median(x, m);
		for (j = 0; j < m; j++) x[j] = fabs(rows[(int)buf[j]].ttft_err);
		s.ttft_med = stats_median(x, m);
		for (j = 0; j < m; j++) x[j] = rows[(int)buf[j]].tpot_err;
		s.tpot_signed = stats_median(x, m);
		for (j = 0; j < m; j++) x[j] = rows[(int)buf[j]].ttft_err;
		s.ttft_signed = stats_median(x, m);
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
static const char *vs_key_warmup(const struct vs_row *v) { return silicon_warmup(v->r); }
static const char *vs_key_engine_part(const struct vs_row *v) { return v->engine_part; }
static const char *vs_key_version_part(const struct vs_row *v) { return v->version_part; }

static const struct vs_part {
	const char *name;
	const char *(*key)(const struct vs_row *);
} vs_parts[] = {
	{"system", vs_key_system}, {"backend", vs_key_backend}, {"model", vs_key_model},
	{"mode", vs_key_mode}, {"precision", vs_key_precision}, {"batch", vs_key_bucket},
	{"version", vs_key_version}, {"part", vs_key_part}, {"warmup", vs_key_warmup},
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
	/* a version no card can name runs, as here, on the engine-level figures */
	used = (size_t)snprintf(buf, n, "mlasim plan --model %s --hw %s --engine %s%s%s", a.model, a.hw, r->backend,
				engine_version_valid(r->version) ? "@" : "",
				engine_version_valid(r->version) ? r->version : "");
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

/* Why rows were skipped, or how layouts were read, counted, with one example each. */
struct vs_reason { const char *why; int n; const struct vs_row *example; };

static const char *vs_why_skipped(const struct vs_row *v) { return v->reason; }
static const char *vs_why_repaired(const struct vs_row *v) { return v->reason ? NULL : v->repair; }

/* The distinct non-NULL what(row) of rows[], counted, into out[]; returns how many. */
static int vs_tally(const struct vs_row *rows, int n, const char *(*what)(const struct vs_row *),
		    struct vs_reason *out)
{
	int i, j, m = 0;

	for (i = 0; i < n; i++) {
		const char *w = what(&rows[i]);

		if (!w)
			continue;
		for (j = 0; j < m && strcmp(out[j].why, w) != 0; j++)
			;
		if (j == m) {
			if (m == VS_MAX_REASONS)
				continue;
			out[m++] = (struct vs_reason){w, 0, &rows[i]};
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

/* The errors of the training or held-out rows of version ver of engine g. */
static struct vs_stats vs_version_stats(const struct vs_row *rows, int n, const struct engine *g,
					const struct engine_version *ver, int train, double *buf)
{
	char want[160];

	snprintf(want, sizeof want, "%s %s %s", g->name, ver->name, train ? "training" : "held-out");
	return vs_stats(rows, n, vs_key_version_part, want, buf);
}

/* A version's own figure, or NAN where it takes the engine-level one. */
static void vs_figure_json(cJSON *x, const char *name, double v)
{
	if (!isnan(v))
		report_num(x, name, v);
}

/* The engine figures a fit chose, with their training and held-out errors: people's table. */
static void vs_fitted_table(struct sbuf *b, const struct vs_cards *k, const struct vs_row *rows, int n,
			    double *buf)
{
	int e, t, i;

	sbuf_printf(b, "\nfitted on the training part (engines/NAME.json 'overheads' and 'benchmark'; with --fit-versions,\n"
		    "each version with %d training rows or more: its own step_s and request_s, 'versions'):\n",
		    VS_VERSION_MIN_ROWS);
	for (e = 0; e < k->nengines; e++) {
		const struct engine *g = &k->engine[e];
		const struct engine_figures *l = &g->level;

		sbuf_printf(b, "  %-8s graph_latency_share %.3f  step_s %.3g  step_per_sequence_s %.3g  request_s %.3g  request_per_op_s %.3g  waves %.3g\n",
			    g->name, l->graph_latency_share, l->step_overhead_s, l->step_seq_s, l->request_overhead_s,
			    l->request_op_s, l->bench_waves);
		for (t = 1; t >= 0; t--) {
			struct vs_stats s = vs_engine_stats(rows, n, g, t, buf);
			vs_stats_line(b, t ? "    training" : "    held-out", &s);
		}
		for (i = 0; i < g->nversions; i++) {
			const struct engine_version *ver = &g->versions[i];
			char name[64];

			sbuf_printf(b, "    %s %s: step_s %.3g  request_s %.3g\n", g->name, ver->name,
				    ver->f.step_overhead_s, ver->f.request_overhead_s);
			for (t = 1; t >= 0; t--) {
				struct vs_stats s = vs_version_stats(rows, n, g, ver, t, buf);

				snprintf(name, sizeof name, "      %s", t ? "training" : "held-out");
				vs_stats_line(b, name, &s);
			}
		}
	}
}

static void vs_fitted_json(cJSON *o, const struct vs_cards *k, const struct vs_row *rows, int n, double *buf)
{
	cJSON *arr = cJSON_AddArrayToObject(o, "fitted");
	int e, t, i;

	for (e = 0; e < k->nengines; e++) {
		const struct engine *g = &k->engine[e];
		const struct engine_figures *l = &g->level;
		cJSON *x = cJSON_CreateObject(), *vs;

		cJSON_AddStringToObject(x, "engine", g->name);
		report_num(x, "graph_latency_share", l->graph_latency_share);
		report_num(x, "step_s", l->step_overhead_s);
		report_num(x, "step_per_sequence_s", l->step_seq_s);
		report_num(x, "request_s", l->request_overhead_s);
		report_num(x, "request_per_op_s", l->request_op_s);
		report_num(x, "waves", l->bench_waves);
		for (t = 1; t >= 0; t--) {
			struct vs_stats s = vs_engine_stats(rows, n, g, t, buf);
			vs_stats_json(cJSON_AddObjectToObject(x, t ? "training" : "heldout"), &s);
		}
		cJSON_AddNumberToObject(x, "version_min_rows", VS_VERSION_MIN_ROWS);
		vs = cJSON_AddArrayToObject(x, "versions");
		for (i = 0; i < g->nversions; i++) {
			const struct engine_version *ver = &g->versions[i];
			cJSON *y = cJSON_CreateObject();

			cJSON_AddStringToObject(y, "version", ver->name);
			vs_figure_json(y, "graph_latency_share", ver->f.graph_latency_share);
			vs_figure_json(y, "step_s", ver->f.step_overhead_s);
			vs_figure_json(y, "step_per_sequence_s", ver->f.step_seq_s);
			vs_figure_json(y, "request_s", ver->f.request_overhead_s);
			vs_figure_json(y, "request_per_op_s", ver->f.request_op_s);
			vs_figure_json(y, "waves", ver->f.bench_waves);
			for (t = 1; t >= 0; t--) {
				struct vs_stats s = vs_version_stats(rows, n, g, ver, t, buf);
				vs_stats_json(cJSON_AddObjectToObject(y, t ? "training" : "heldout"), &s);
			}
			cJSON_AddItemToArray(vs, y);
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
	char cmd[512];
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
		vs_command(&rows[i], SIDE_DECODE, cmd, sizeof cmd);
		cJSON_AddStringToObject(x, "command", cmd);
		if (strcmp(rows[i].r->mode, "agg") != 0) {
			vs_command(&rows[i], SIDE_PREFILL, cmd, sizeof cmd);
			cJSON_AddStringToObject(x, "command_prefill", cmd);
		}
		cJSON_AddItemToArray(arr, x);
	}
}

static void vs_render(struct cli *c, const char *path, const struct vs_row *rows, int n, double *buf,
		      const struct vs_cards *fitted, int list)
{
	struct vs_reason why[VS_MAX_REASONS], fix[VS_MAX_REASONS];
	const struct vs_row **worst = malloc((size_t)(n > 0 ? n : 1) * sizeof *worst);
	struct vs_stats all = vs_stats(rows, n, NULL, NULL, buf);
	const struct vs_part *pt;
	const char *vals[256];
	int nwhy = vs_tally(rows, n, vs_why_skipped, why), nfix = vs_tally(rows, n, vs_why_repaired, fix);
	int nw = 0, i, j, skipped = n - all.n;
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
		for (i = j = 0; i < n; i++)
			j += !rows[i].reason && rows[i].bench;
		if (j)
			sbuf_printf(&c->buf, "%d of them from InferenceX, whose lengths are uniform in [0.8 L, L]: their means are used\n", j);
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
		if (nfix)
			sbuf_printf(&c->buf, "\nrows whose layout asks for more GPUs than their 8-GPU node, read as (silicon.h):\n");
		for (i = 0; i < nfix; i++)
			sbuf_printf(&c->buf, "  %5d  %s (line %d: %s)\n", fix[i].n, fix[i].why, fix[i].example->r->line,
				    fix[i].example->r->id);
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
	for (i = j = 0; i < n; i++)
		j += !rows[i].reason && rows[i].bench;
	cJSON_AddNumberToObject(arr, "rows_inferencex", j);
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
	arr = cJSON_AddArrayToObject(o, "repaired");
	for (i = 0; i < nfix; i++) {
		cJSON *x = cJSON_CreateObject();

		cJSON_AddStringToObject(x, "read_as", fix[i].why);
		cJSON_AddNumberToObject(x, "rows", fix[i].n);
		cJSON_AddNumberToObject(x, "example_line", fix[i].example->r->line);
		cJSON_AddStringToObject(x, "example_id", fix[i].example->r->id);
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

/* What the fit's objective needs: the rows of one engine (and version) that train it. */
struct vs_fit {
	struct cli *c;
	struct vs_cards *k;
	struct vs_row *rows;
	int n, engine;
	struct plan *p, *scratch;
	struct engine trial;
	int stage;                  /* enum vs_stage */
	int ver;                    /* the version of trial.versions[] being fitted, -1: engine-level */
};

/*
 * The fit runs in stages, each on its own measurements: the engine-level
 * decode figures (graph_latency_share, step_s, step_per_sequence_s) on TPOT,
 * then the first-token ones (request_s, request_per_op_s, waves) on TTFT
 * with the decode ones fixed, both over all the engine's training rows; then, for each version
 * with VS_VERSION_MIN_ROWS training rows or more, its own step_s on its
 * TPOT and request_s on its TTFT, the rest engine-level.  Coordinates are
 * unbounded: logistic for the share, exp for the rest.
 */
enum vs_stage { VS_DECODE, VS_FIRST, VS_VERSION_DECODE, VS_VERSION_FIRST };

static void vs_fit_params(const gsl_vector *x, const struct vs_fit *f, struct engine *g)
{
	struct engine_figures *t = f->ver < 0 ? &g->level : &g->versions[f->ver].f;

	switch (f->stage) {
	case VS_DECODE:
		t->graph_latency_share = 1 / (1 + exp(-gsl_vector_get(x, 0)));
		t->step_overhead_s = exp(gsl_vector_get(x, 1));
		t->step_seq_s = exp(gsl_vector_get(x, 2));
		break;
	case VS_FIRST:
		t->request_overhead_s = exp(gsl_vector_get(x, 0));
		t->bench_waves = 1 + exp(gsl_vector_get(x, 1));
		t->request_op_s = exp(gsl_vector_get(x, 2));
		break;
	case VS_VERSION_DECODE:
		t->step_overhead_s = exp(gsl_vector_get(x, 0));
		break;
	default:
		t->request_overhead_s = exp(gsl_vector_get(x, 0));
		break;
	}
	engine_use_version(g, f->ver < 0 ? NULL : g->versions[f->ver].name);
}

/* Does row v train the figures f fits? */
static int vs_fit_row(const struct vs_fit *f, const struct vs_row *v)
{
	return v->engine == f->engine && v->train && !v->reason &&
	       (f->ver < 0 || strcmp(v->r->version, f->trial.versions[f->ver].name) == 0);
}

/* Sum of |log(predicted / measured)| (the median's loss: robust to the
 * rows no mechanism here explains) of TPOT (the decode stages) or TTFT
 * over the training rows of the engine (or of the version). */
static double vs_fit_loss(const gsl_vector *x, void *arg)
{
	struct vs_fit *f = arg;
	int ttft = f->stage == VS_FIRST || f->stage == VS_VERSION_FIRST, i;
	double sum = 0;

	vs_fit_params(x, f, &f->trial);
	for (i = 0; i < f->n; i++) {
		struct vs_row *v = &f->rows[i];
		double pred, meas;

		if (!vs_fit_row(f, v))
			continue;
		vs_predict(f->c, f->k, v, &f->trial, f->p, f->scratch);
		f->c->err.code = 0;
		pred = ttft ? v->ttft_s : v->tpot_s;
		meas = 1e-3 * (ttft ? v->r->ttft_ms : v->r->tpot_ms);
		if (v->reason || !(pred > 0) || !isfinite(pred)) {
			v->reason = NULL;   /* a trial that breaks a row is only a bad trial */
			sum += 10;
			continue;
		}
		sum += fabs(log(pred / meas));
	}
	return sum;
}

/* Fit the version figures of the versions of engine f->engine that have
 * VS_VERSION_MIN_ROWS training rows, into f->trial.versions. */
static void vs_fit_versions(struct vs_fit *f)
{
	gsl_multimin_function fn = {vs_fit_loss, 1, f};
	gsl_vector *x = gsl_vector_alloc(1);
	int i, j;

	for (i = 0; i < f->n; i++) {
		const struct vs_row *v = &f->rows[i];
		struct engine_version *ver;
		int m = 0;

		if (v->engine != f->engine || !v->train || v->reason || !engine_version_valid(v->r->version) ||
		    f->trial.nversions == ENGINE_MAX_VERSIONS)
			continue;
		for (j = 0; j < f->trial.nversions && strcmp(f->trial.versions[j].name, v->r->version); j++)
			;
		if (j < f->trial.nversions)
			continue;   /* fitted at its first row */
		for (j = 0; j < f->n; j++)
			m += f->rows[j].engine == f->engine && f->rows[j].train && !f->rows[j].reason &&
			     strcmp(f->rows[j].r->version, v->r->version) == 0;
		if (m < VS_VERSION_MIN_ROWS)
			continue;
		ver = &f->trial.versions[f->trial.nversions];
		memset(ver, 0, sizeof *ver);
		snprintf(ver->name, sizeof ver->name, "%s", v->r->version);
		ver->f = (struct engine_figures){NAN, NAN, NAN, NAN, NAN, NAN};
		f->ver = f->trial.nversions++;
		/* each from the engine-level figure, at least 0.1 ms and 1 ms: SGLang's
		 * step_s fits to ~1e-17 s, where a unit step of its log moves nothing */
		f->stage = VS_VERSION_DECODE;
		gsl_vector_set(x, 0, log(fmax(f->trial.level.step_overhead_s, 1e-4)));
		kfit_simplex(&fn, x, 1.0, 3, 300, 1e-3);
		vs_fit_params(x, f, &f->trial);
		f->stage = VS_VERSION_FIRST;
		gsl_vector_set(x, 0, log(fmax(f->trial.level.request_overhead_s, 1e-3)));
		kfit_simplex(&fn, x, 1.0, 3, 300, 1e-3);
		vs_fit_params(x, f, &f->trial);
	}
	f->ver = -1;
	engine_use_version(&f->trial, NULL);
	gsl_vector_free(x);
}

/* Fit engine e's engine-level figures on its training rows, and with
 * `versions` its versions' (vs_fit_versions); the result replaces
 * k->engine[e] and the versions its card had. */
static void vs_fit_engine(struct vs_fit *f, int e, int versions)
{
	/* starts: request 20 ms, 3 waves, 20 us per prefill operator; step 1 ms and 10 us per sequence with
	 * three graph shares, the best kept: the shares and the step times trade
	 * against each other, and one start alone lands in whichever valley is near */
	const double shares[3] = {0.05, 0.5, 0.95};
	const double ttft_start[3] = {log(20e-3), log(2.0), log(20e-6)};
	gsl_multimin_function fn0 = {vs_fit_loss, 3, f}, fn1 = {vs_fit_loss, 3, f};
	gsl_vector *x = gsl_vector_alloc(3), *best = gsl_vector_alloc(3), *y = gsl_vector_alloc(3);
	double loss, best_loss = INFINITY;
	int i;

	f->engine = e;
	f->ver = -1;
	f->trial = f->k->engine[e];
	f->trial.nversions = 0;
	f->trial.level.request_overhead_s = 0;
	f->trial.level.request_op_s = 0;
	f->trial.level.bench_waves = 1e6;
	f->stage = VS_DECODE;
	for (i = 0; i < 3; i++) {
		gsl_vector_set(x, 0, log(shares[i] / (1 - shares[i])));
		gsl_vector_set(x, 1, log(1e-3));
		gsl_vector_set(x, 2, log(10e-6));
		loss = kfit_simplex(&fn0, x, 1.0, 3, 300, 1e-3);
		if (loss < best_loss) {
			best_loss = loss;
			gsl_vector_memcpy(best, x);
		}
	}
	vs_fit_params(best, f, &f->trial);
	f->stage = VS_FIRST;
	gsl_vector_set(y, 0, ttft_start[0]);
	gsl_vector_set(y, 1, ttft_start[1]);
	gsl_vector_set(y, 2, ttft_start[2]);
	kfit_simplex(&fn1, y, 1.0, 3, 300, 1e-3);
	vs_fit_params(y, f, &f->trial);
	if (versions)
		vs_fit_versions(f);
	f->k->engine[e] = f->trial;
	gsl_vector_free(x);
	gsl_vector_free(best);
	gsl_vector_free(y);
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
		snprintf(rows[i].version_part, sizeof rows[i].version_part, "%s %s", rows[i].version,
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
			vs_fit_engine(&f, e, fit > 1);
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

/* ---- the built-in published cases ------------------------------------------------ */

/* What a published serving figure measures. */
enum vs_metric {
	VM_DECODE_GPU,     /* output tokens/s per GPU of a decode pool */
	VM_DECODE_USER,    /* output tokens/s per user */
	VM_PREFILL_GPU,    /* input tokens/s per GPU of a prefill pool */
	VM_AGG_GPU,        /* output tokens/s per GPU of an aggregated pool, prefill included */
};

/* One published, measured serving figure, transcribed with its source. */
struct vs_case {
	const char *id;
	const char *engine;      /* the engine that ran it: its card */
	enum vs_metric metric;
	double measured;
	const char *model, *hw, *set;   /* set: one model --set, or NULL */
	const char *options;     /* plan options, space-separated */
	const char *source;      /* where, and the words the figure comes from */
};

/* D04, D05: the GB200 decode runs capture one CUDA graph, at the dispatch
 * tokens per rank, above SGLang's default largest of 512: --cuda-graph-bs
 * 1408 for low precision, 768 for high (github.com/shifangx/Scripts-SGLang@481e976,
 * z.blog2_Low-prec_decode.sh and z.blog2_High-prec_decode.sh); D05's
 * assumed batch of 640 runs padded to 768. */
static const struct vs_case vs_cases[] = {
	{"D04-sgl-gb200-decode-fp4", "sglang", VM_DECODE_GPU, 13386, "deepseek-v3", "gb200", NULL,
	 "--dp 48 --ep 48 --redundant-experts 32 --batch 1408 --kv-dtype fp8 --weights nvfp4 --context 2050 --cuda-graphs 1408",
	 "lmsys.org/blog/2025-09-25-gb200-part-2: 'SGLang achieved 26,156 input and 13,386 output tokens per "
	 "second per GPU' (FP8 attention, NVFP4 MoE, 48 decode ranks, 2000-token inputs)"},
	{"D05-sgl-gb200-decode-fp8", "sglang", VM_DECODE_GPU, 9087, "deepseek-v3", "gb200", NULL,
	 "--dp 48 --ep 48 --redundant-experts 32 --batch 640 --context 2050 --cuda-graphs 768",
	 "lmsys.org/blog/2025-09-25-gb200-part-2: 'with traditional BF16 attention and FP8 MoE, SGLang still "
	 "achieves 18,471 input and 9,087 output tokens per second' (batch not published: 640 assumed)"},
	{"D10-trt-b200-minlat", "trtllm", VM_DECODE_USER, 274.7188, "deepseek-v3", "b200", "num_nextn_predict_layers=3",
	 "--tp 8 --ep 2 --batch 1 --mtp 3 --mtp-accept 0.77 --weights nvfp4 --context 2048",
	 "NVIDIA/TensorRT-LLM docs/source/blogs/Best_perf_practice_on_DeepSeek-R1_in_TensorRT-LLM.md, B200 "
	 "min-latency: 'Per User Output Throughput (tokens/sec/user): 274.7188' (MTP 3, acceptance length 2.82)"},
	{"D12-trt-b200-maxtpt-fp8kv", "trtllm", VM_AGG_GPU, 5393.2755, "deepseek-v3", "b200", NULL,
	 "--dp 8 --ep 8 --batch 896 --kv-dtype fp8 --weights nvfp4 --context 2048 --isl 1024 --osl 2048 --prefill-tokens 2048",
	 "NVIDIA/TensorRT-LLM Best_perf_practice_on_DeepSeek-R1_in_TensorRT-LLM.md, B200 max-throughput, FP8 KV: "
	 "'Per GPU Output Throughput (tps/gpu): 5393.2755' (max_batch_size 896, max_num_tokens 2048)"},
	{"D15-mlperf41-h100-llama2-70b", "trtllm", VM_AGG_GPU, 3065.6125, "llama-2-70b", "h100", NULL,
	 "--tp 2 --batch 896 --weights fp8 --kv-dtype fp8 --context 440 --isl 294 --osl 290",
	 "mlcommons/inference_results_v4.1 closed/NVIDIA DGX-H100 llama2-70b-99.9 Offline: 'Tokens per second: "
	 "24524.9' on 8 GPUs (gpu_batch_size 896, TP2, FP8)"},
	{"D16-mlperf41-h200-llama2-70b", "trtllm", VM_AGG_GPU, 3912.8375, "llama-2-70b", "h200", NULL,
	 "--tp 1 --batch 806 --weights fp8 --kv-dtype fp8 --context 440 --isl 294 --osl 291",
	 "mlcommons/inference_results_v4.1 closed/NVIDIA H200-SXM-141GBx8 llama2-70b-99 Offline: 'Tokens per "
	 "second: 31302.7' on 8 GPUs (gpu_batch_size 806, TP1, FP8)"},
	{"D17-trtperf-llama70b-h200-tp1", "trtllm", VM_AGG_GPU, 2909, "llama-3.1-70b", "h200", NULL,
	 "--tp 1 --batch 159 --weights fp8 --kv-dtype fp8 --context 1500 --isl 1000 --osl 1000",
	 "NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md, Llama 3.3 70B, 1000/1000: H200 TP1 FP8 "
	 "2,909 output tokens/s"},
	{"D18-trtperf-llama70b-h100-tp2", "trtllm", VM_AGG_GPU, 2102.5, "llama-3.1-70b", "h100", NULL,
	 "--tp 2 --batch 205 --weights fp8 --kv-dtype fp8 --context 1500 --isl 1000 --osl 1000",
	 "NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md, Llama 3.3 70B, 1000/1000: H100 TP2 FP8 "
	 "4,205 output tokens/s for 2 GPUs"},
	{"D19-trtperf-llama405b-h200-tp8", "trtllm", VM_AGG_GPU, 416.25, "llama-3.1-405b", "h200", NULL,
	 "--tp 8 --batch 1141 --weights fp8 --kv-dtype fp8 --context 1500 --isl 1000 --osl 1000",
	 "NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md, Llama 3.1 405B, 1000/1000: H200 TP8 FP8 "
	 "3,330 output tokens/s for 8 GPUs"},
	{"D20-trtperf-llama8b-h100-tp1", "trtllm", VM_AGG_GPU, 15220, "llama-3.1-8b", "h100", NULL,
	 "--tp 1 --batch 464 --weights fp8 --kv-dtype fp8 --context 1500 --isl 1000 --osl 1000",
	 "NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md, Llama 3.1 8B, 1000/1000: H100 TP1 FP8 "
	 "15,220 output tokens/s"},
	{"D21-infersim-qwen3-30b-h20-decode", "sglang", VM_DECODE_GPU, 2749, "qwen3-30b-a3b", "h20", NULL,
	 "--dp 4 --ep 4 --batch 100 --context 5120",
	 "alibaba/InferSim README 'Simulation Result': '| Qwen3-30B-A3B-BF16 | H20 | 16594 | 17350 | 2749 | 2632 | "
	 "Actual data tested with SGLang' (decode TGS 2749)"},
	{"D22-infersim-qwen3-8b-h20-decode", "sglang", VM_DECODE_GPU, 2682, "qwen3-8b", "h20", NULL,
	 "--batch 64 --weights fp8 --context 5120",
	 "alibaba/InferSim README 'Simulation Result': '| Qwen3-8B-FP8 | H20 | 15061 | 16328 | 2682 | 2581 |' "
	 "(decode TGS 2682)"},
	{"P05-sgl-gb200-prefill-fp4", "sglang", VM_PREFILL_GPU, 26156, "deepseek-v3", "gb200", NULL,
	 "--dp 2 --ep 2 --batch 2 --kv-dtype fp8 --weights nvfp4 --isl 2000 --prefill-tokens 16384",
	 "lmsys.org/blog/2025-09-25-gb200-part-2: '26,156 input ... tokens per second per GPU for prefill' "
	 "(2 ranks per prefill instance for low precision)"},
	{"P06-sgl-gb200-prefill-fp8", "sglang", VM_PREFILL_GPU, 18471, "deepseek-v3", "gb200", NULL,
	 "--dp 4 --ep 4 --batch 2 --isl 2000 --prefill-tokens 16384",
	 "lmsys.org/blog/2025-09-25-gb200-part-2: 'SGLang still achieves 18,471 input ... tokens per second' "
	 "(4 ranks per prefill instance)"},
	{"P09-infersim-qwen3-30b-h20-prefill", "sglang", VM_PREFILL_GPU, 16594, "qwen3-30b-a3b", "h20", NULL,
	 "--isl 4096 --prefill-tokens 16384",
	 "alibaba/InferSim README 'Simulation Result': Qwen3-30B-A3B-BF16 on H20, prefill TGS actual 16594"},
	{"P10-infersim-qwen3-8b-h20-prefill", "sglang", VM_PREFILL_GPU, 15061, "qwen3-8b", "h20", NULL,
	 "--weights fp8 --isl 4096 --prefill-tokens 16384",
	 "alibaba/InferSim README 'Simulation Result': Qwen3-8B-FP8 on H20, prefill TGS actual 15061"},
	{NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

/* The published target: median |error| at most 10% per phase, none beyond 30%. */
#define VS_CASE_MEDIAN 0.10
#define VS_CASE_WORST 0.30

/* Predict case k; NAN with c->err set when a card or option fails. */
static double vs_case_predict(struct cli *c, const struct vs_case *k, struct vs_cards *cards,
			      struct plan *p, struct plan *scratch)
{
	char opts[512], *argv[SILICON_MAX_ARGS], *tok, *save;
	const char *sets[1];
	struct cli t;
	struct plan_args pa;
	struct deployment d;
	struct model m;
	struct hw h;
	struct serve_result r;
	const struct engine *g;
	int argc = 0, e;

	snprintf(opts, sizeof opts, "%s", k->options);
	for (tok = strtok_r(opts, " ", &save); tok && argc < SILICON_MAX_ARGS; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	memset(&t, 0, sizeof t);
	memset(&pa, 0, sizeof pa);
	t.argc = argc;
	t.argv = argv;
	t.cmd = "plan";
	sets[0] = k->set;
	t.nsets = k->set ? 1 : 0;
	memcpy(t.sets, sets, sizeof sets);
	while (t.i < t.argc && plan_cli_take(&t, &pa) > 0)
		;
	if (t.err.code || t.i < t.argc || cli_load_model(&t, k->model, &m) || cli_load_hw(&t, k->hw, &h) ||
	    (e = vs_engine(&t, cards, k->engine)) < 0) {
		err_set(&c->err, t.err.code ? t.err.code : EXIT_INPUT, "%s: %s", k->id, t.err.msg);
		return NAN;
	}
	g = &cards->engine[e];
	plan_cli_apply(&m, &pa, &d);
	plan_cli_engine_apply(g, &h, &pa, &d);
	if (plan_compute(&m, &h, &d, NULL, p, &t.err)) {
		err_set(&c->err, t.err.code, "%s: %s", k->id, t.err.msg);
		return NAN;
	}
	switch (k->metric) {
	case VM_DECODE_GPU:
		serve_decode(p, g, &r);
		return d.w.batch / r.tpot_s / d.tp;
	case VM_DECODE_USER:
		serve_decode(p, g, &r);
		return 1 / r.tpot_s;
	case VM_PREFILL_GPU:
		return p->perf.prefill_tps_gpu;
	case VM_AGG_GPU:
		/* a long throughput run: requests spread (no first burst), each slot's
		 * lifetime its first token and osl - 1 more; output tokens over it */
		if (serve_agg(p, g, scratch, &r, &t.err)) {
			err_set(&c->err, t.err.code, "%s: %s", k->id, t.err.msg);
			return NAN;
		}
		return r.running * d.w.osl /
		       (r.steady_ttft_s + r.request_s + (d.w.osl - 1) * r.tpot_s) / d.tp;
	}
	return NAN;
}

static const char *vs_metric_name(enum vs_metric m)
{
	return m == VM_DECODE_GPU ? "decode tok/s/GPU" : m == VM_DECODE_USER ? "decode tok/s/user" :
	       m == VM_PREFILL_GPU ? "prefill tok/s/GPU" : "agg out tok/s/GPU";
}

int validate_serving_cases(struct cli *c)
{
	struct plan *p = malloc(sizeof *p), *scratch = malloc(sizeof *scratch);
	struct vs_cards cards;
	double got[sizeof vs_cases / sizeof vs_cases[0]], dec[sizeof got / sizeof got[0]];
	double pre[sizeof got / sizeof got[0]];
	int n, i, nd = 0, np = 0, worst_ok = 1, pass;
	double md, mp;
	cJSON *o = NULL, *arr = NULL;

	memset(&cards, 0, sizeof cards);
	if (!p || !scratch) {
		free(p);
		free(scratch);
		return err_set(&c->err, EXIT_ENV, "out of memory");
	}
	for (n = 0; vs_cases[n].id; n++) {
		const struct vs_case *k = &vs_cases[n];
		double err;

		got[n] = vs_case_predict(c, k, &cards, p, scratch);
		if (isnan(got[n])) {
			vs_cards_free(&cards);
			free(p);
			free(scratch);
			return c->err.code;
		}
		err = fabs(got[n] / k->measured - 1);
		worst_ok &= err <= VS_CASE_WORST;
		if (k->metric == VM_PREFILL_GPU)
			pre[np++] = err;
		else
			dec[nd++] = err;
	}
	vs_cards_free(&cards);
	free(p);
	free(scratch);
	md = stats_median(dec, nd);
	mp = stats_median(pre, np);
	pass = md <= VS_CASE_MEDIAN && mp <= VS_CASE_MEDIAN && worst_ok;
	if (c->format == FMT_TABLE) {
		sbuf_printf(&c->buf, "mlasim validate --serving: %d published measured serving figures, each under its engine's card\n", n);
		sbuf_printf(&c->buf, "err = predicted / measured - 1; target: median |err| <= 10%% for decode and for prefill, none beyond 30%%\n\n");
		sbuf_printf(&c->buf, "  %-36s %-8s %-18s %11s %11s %7s\n", "case", "engine", "metric", "measured", "predicted", "err");
		for (i = 0; i < n; i++)
			sbuf_printf(&c->buf, "  %-36s %-8s %-18s %11.1f %11.1f %+6.1f%%\n     %s\n", vs_cases[i].id,
				    vs_cases[i].engine, vs_metric_name(vs_cases[i].metric), vs_cases[i].measured, got[i],
				    100 * (got[i] / vs_cases[i].measured - 1), vs_cases[i].source);
		sbuf_printf(&c->buf, "\nvalidate --serving: decode median |err| %.1f%% (%d cases), prefill %.1f%% (%d); %s\n",
			    100 * md, nd, 100 * mp, np, pass ? "target met" : "target not met");
	} else {
		o = cJSON_CreateObject();
		arr = cJSON_AddArrayToObject(o, "cases");
		for (i = 0; i < n; i++) {
			cJSON *x = cJSON_CreateObject();

			cJSON_AddStringToObject(x, "id", vs_cases[i].id);
			cJSON_AddStringToObject(x, "engine", vs_cases[i].engine);
			cJSON_AddStringToObject(x, "metric", vs_metric_name(vs_cases[i].metric));
			report_num(x, "measured", vs_cases[i].measured);
			report_num(x, "predicted", got[i]);
			report_num(x, "err_pct", 100 * (got[i] / vs_cases[i].measured - 1));
			cJSON_AddStringToObject(x, "source", vs_cases[i].source);
			cJSON_AddItemToArray(arr, x);
		}
		report_num(o, "decode_median_abs_err_pct", 100 * md);
		report_num(o, "prefill_median_abs_err_pct", 100 * mp);
		cJSON_AddBoolToObject(o, "pass", pass);
		report_tree(&c->buf, o, c->format == FMT_CSV);
	}
	if (cli_emit(c))
		return c->err.code;
	return pass ? EXIT_OK : EXIT_NO;
}
