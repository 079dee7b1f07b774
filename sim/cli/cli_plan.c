/* cli_plan.c - deployment and workload options shared by plan, report, chart and sweep */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli_plan.h"
#include "serve.h"
#include "units.h"


#define D(f) offsetof(struct deployment, f)
const struct popt plan_options[] = {
	{"--tp", PO_COUNT, D(tp)}, {"--dp", PO_COUNT, D(dp)}, {"--ep", PO_COUNT, D(ep)},
	{"--pp", PO_COUNT, D(pp)},
	{"--redundant-experts", PO_WHOLE, D(redundant_experts)},
	{"--mtp", PO_WHOLE, D(mtp)},
	{"--weights", PO_WEIGHTS, 0}, {"--expert-weights", PO_EXPERT_WEIGHTS, 0},
	{"--attention-weights", PO_ATTN_WEIGHTS, 0},
	{"--kv-dtype", PO_KV, 0},
	{"--kv-block", PO_COUNT, D(kv_block)}, {"--kv-mtp", PO_FLAG, D(kv_mtp)},
	{"--context", PO_COUNT, D(context)},
	{"--mem-fraction", PO_NUM, D(mem_fraction)}, {"--reserve", PO_BYTES, D(reserve_bytes)},
	{"--batch", PO_COUNT, D(w.batch)}, {"--micro-batches", PO_COUNT, D(w.micro_batches)},
	{"--overlap", PO_OVERLAP, 0},
	{"--mtp-accept", PO_NUM, D(w.mtp_accept)},
	{"--isl", PO_COUNT, D(w.isl)}, {"--osl", PO_COUNT, D(w.osl)},
	{"--prefill-tokens", PO_COUNT, D(w.prefill_tokens)},
	{"--recv-interval", PO_COUNT, D(w.recv_interval)},
	{"--dp-balance-iters", PO_COUNT, D(w.dp_balance_iters)},
	{"--batch-wait-iters", PO_WHOLE, D(w.batch_wait_iters)},
	{"--batch-wait-ratio", PO_NUM, D(w.batch_wait_ratio)},
	{"--prefix-hit", PO_NUM, D(w.prefix_hit)}, {"--imbalance", PO_NUM, D(w.imbalance)},
	{"--max-nodes", PO_WHOLE, D(w.max_nodes)},
	{"--shared-expert", PO_SHARED, D(w.shared_routed)},
	{"--dp-balance", PO_ONOFF, D(w.dp_balance)},
	{"--cuda-graphs", PO_GRAPHS, D(w.cuda_graphs)},
	{"--ideal", PO_FLAG, D(w.ideal)},
	{"--planes-down", PO_WHOLE, D(w.planes_down)},
	{"--pue", PO_NUM, D(pw.pue)}, {"--gpu-hour-usd", PO_NUM, D(pw.gpu_hour_usd)},
	{"--usd-per-kwh", PO_NUM, D(pw.usd_per_kwh)}, {"--capex-years", PO_NUM, D(pw.capex_years)},
	{"--fleet-gpus", PO_COUNT, D(pw.fleet_gpus)}, {"--nodes-per-rack", PO_COUNT, D(pw.nodes_per_rack)},
	{NULL, 0, 0},
};


/* The sizes of '--cuda-graphs 1,2,4,768' into sizes[PERF_MAX_GRAPH_SIZES]:
 * how many, or 0 unless it is 1 to PERF_MAX_GRAPH_SIZES ascending whole
 * numbers from 1 to 1e5 separated by commas. */
static int plan_graph_sizes(const char *v, double *sizes)
{
	int n = 0;

	while (*v) {
		char *end;
		double x;

		if (*v < '0' || *v > '9' || n == PERF_MAX_GRAPH_SIZES)
			return 0;
		x = strtod(v, &end);
		if (x != floor(x) || x < 1 || x > 1e5 || (n && x <= sizes[n - 1]) || (*end && *end != ','))
			return 0;
		sizes[n++] = x;
		v = *end ? end + 1 : end;
		if (*end && !*v)
			return 0;
	}
	return n;
}

/* Read '--overlap MODE' into *out (an enum overlap); 0 or -1 with c->err. */
static int plan_overlap_value(struct cli *c, const char *v, double *out)
{
	int i;

	for (i = 0; i < OVERLAP_MODES; i++)
		if (!strcmp(v, perf_overlap_name(i))) {
			*out = i;
			return 0;
		}
	err_set(&c->err, EXIT_USAGE, "'--overlap' expects none, tbo or sbo, got '%s'", v);
	return -1;
}

double plan_overlap_micro_batches(double mode)
{
	return mode == OVERLAP_TBO ? 2 : 1;
}

/* Check one option's value now; remember it for after the cards are read. */
int plan_cli_value(struct cli *c, const struct popt *o, const char *v, double *out)
{
	struct wprec wp;
	struct kvfmt kf;

	*out = 1;
	switch (o->kind) {
	case PO_COUNT: return cli_count(c, o->name, v, out) < 0 ? -1 : 0;
	case PO_NUM: return cli_number(c, o->name, v, UNIT_PLAIN, out) < 0 ? -1 : 0;
	case PO_BYTES: return cli_number(c, o->name, v, UNIT_BYTES, out) < 0 ? -1 : 0;
	case PO_WHOLE:
		if (cli_number(c, o->name, v, UNIT_PLAIN, out) < 0)
			return -1;
		if (*out != floor(*out) || *out > 1e6) {
			err_set(&c->err, EXIT_USAGE, "'%s' expects a whole number, got '%s'", o->name, v);
			return -1;
		}
		return 0;
	case PO_WEIGHTS: case PO_EXPERT_WEIGHTS: case PO_ATTN_WEIGHTS:
		return precision_parse_weights(v, o->name, &wp, &c->err) ? -1 : 0;
	case PO_KV: return precision_parse_kv(v, o->name, &kf, &c->err) ? -1 : 0;
	case PO_SHARED:
		if (strcmp(v, "local") && strcmp(v, "routed")) {
			err_set(&c->err, EXIT_USAGE, "'--shared-expert' expects local or routed, got '%s'", v);
			return -1;
		}
		*out = strcmp(v, "routed") == 0;
		return 0;
	case PO_OVERLAP:
		return plan_overlap_value(c, v, out);
	case PO_ONOFF:
		if (strcmp(v, "on") && strcmp(v, "off")) {
			err_set(&c->err, EXIT_USAGE, "'%s' expects on or off, got '%s'", o->name, v);
			return -1;
		}
		*out = strcmp(v, "on") == 0;
		return 0;
	case PO_GRAPHS: {
		static const char *const modes[] = {"engine", "every", "off"};
		double sizes[PERF_MAX_GRAPH_SIZES];
		int i;

		for (i = 0; i < 3; i++)
			if (!strcmp(v, modes[i])) {
				*out = i;
				return 0;
			}
		*out = GRAPHS_LIST;
		if (plan_graph_sizes(v, sizes) > 0)
			return 0;
		err_set(&c->err, EXIT_USAGE, "'--cuda-graphs' expects engine, every, off or up to %d ascending "
			"batch sizes such as 1,2,4,768, got '%s'", PERF_MAX_GRAPH_SIZES, v);
		return -1;
	}
	case PO_FLAG:
		return 0;
	}
	return 0;
}

/* Does setting s, just read, agree with the '--overlap' or '--micro-batches'
 * taken before it?  tbo is two micro-batches or more, none and sbo one.
 * 1, or 0 with c->err set. */
static int plan_overlap_agrees(struct cli *c, const struct plan_args *a, const struct setting *s)
{
	int i, mine = s->o->kind == PO_OVERLAP;

	if (!mine && strcmp(s->o->name, "--micro-batches"))
		return 1;
	for (i = 0; i < a->n; i++) {
		const struct setting *t = &a->set[i];
		const struct setting *ov = mine ? s : t, *mb = mine ? t : s;

		if ((mine ? strcmp(t->o->name, "--micro-batches") : t->o->kind != PO_OVERLAP) != 0)
			continue;
		if ((ov->v == OVERLAP_TBO) != (mb->v >= 2)) {
			err_set(&c->err, EXIT_USAGE, "'--overlap %s' runs %s, not '--micro-batches %s'",
				ov->text, ov->v == OVERLAP_TBO ? "two micro-batches or more" : "one micro-batch", mb->text);
			return 0;
		}
	}
	return 1;
}

static void plan_take(struct cli *c, struct plan_args *a, const struct popt *o, const char *v)
{
	struct setting *s;

	if (a->n == PLAN_MAX_SETTINGS) {
		err_set(&c->err, EXIT_USAGE, "too many options");
		return;
	}
	s = &a->set[a->n];
	s->o = o;
	s->text = v;
	if (plan_cli_value(c, o, v, &s->v) == 0 && plan_overlap_agrees(c, a, s))
		a->n++;
}

int plan_cli_take(struct cli *c, struct plan_args *a)
{
	const struct popt *o;
	const char *v;
	int r;

	for (o = plan_options; o->name; o++) {
		if (o->kind == PO_FLAG) {
			if (cli_flag(c, o->name)) {
				plan_take(c, a, o, NULL);
				return c->err.code ? -1 : 1;
			}
		} else if ((r = cli_opt(c, o->name, &v)) != 0) {
			if (r > 0)
				plan_take(c, a, o, v);
			return c->err.code ? -1 : 1;
		}
	}
	return 0;
}

void plan_cli_set(const struct popt *o, double v, const char *text, struct deployment *d)
{
	char *field = (char *)d + o->off;
	struct err e;

	if (o->kind == PO_WEIGHTS)
		precision_parse_weights(text, o->name, &d->weights, &e);
	else if (o->kind == PO_EXPERT_WEIGHTS)
		precision_parse_weights(text, o->name, &d->expert_weights, &e);
	else if (o->kind == PO_ATTN_WEIGHTS)
		precision_parse_weights(text, o->name, &d->attn_weights, &e);
	else if (o->kind == PO_KV)
		precision_parse_kv(text, o->name, &d->kv, &e);
	else if (o->kind == PO_OVERLAP) {
		/* tbo keeps more micro-batches than two where '--micro-batches' said so */
		if (v != OVERLAP_TBO || d->w.micro_batches < 2)
			d->w.micro_batches = plan_overlap_micro_batches(v);
		d->w.sbo = v == OVERLAP_SBO;
	} else if (o->kind == PO_GRAPHS) {
		d->w.cuda_graphs = (int)v;
		d->w.ngraph_sizes = v == GRAPHS_LIST ? plan_graph_sizes(text, d->w.graph_sizes) : 0;
	} else if (o->kind == PO_FLAG || o->kind == PO_SHARED || o->kind == PO_ONOFF)
		*(int *)field = (int)v;
	else
		/* cppcheck-suppress invalidPointerCast ; a double field, found by its offsetof */
		*(double *)field = v;
}

int plan_cli_engine_only(const char *name)
{
	static const char *const under_load[] = {
		"--dp-balance", "--dp-balance-iters", "--recv-interval", "--batch-wait-iters", "--batch-wait-ratio",
		"--cuda-graphs", NULL,
	};
	int i;

	for (i = 0; under_load[i]; i++)
		if (!strcmp(name, under_load[i]))
			return 1;
	return 0;
}

/* The last setting of option `name` in a, or NULL where it was not given. */
static const struct setting *plan_cli_setting(const struct plan_args *a, const char *name)
{
	int i;

	for (i = a->n - 1; i >= 0; i--)
		if (!strcmp(a->set[i].o->name, name))
			return &a->set[i];
	return NULL;
}

int plan_cli_given(const struct plan_args *a, const char *name)
{
	return plan_cli_setting(a, name) != NULL;
}

/* The value given to option `name` in a, or 0 where it was not given. */
static double plan_cli_given_value(const struct plan_args *a, const char *name)
{
	const struct setting *s = plan_cli_setting(a, name);

	return s ? s->v : 0;
}

void plan_cli_engine_apply(const struct engine *g, const struct hw *h, const struct plan_args *a,
			   struct deployment *d)
{
	double chunk = d->w.prefill_tokens;

	serve_engine_apply(g, h, d);
	if (plan_cli_given(a, "--prefill-tokens"))
		d->w.prefill_tokens = chunk;
}

void plan_cli_warn_engine_only(const struct plan_args *a, int has_engine)
{
	int i;

	for (i = 0; i < a->n && !has_engine; i++) {
		const char *name = a->set[i].o->name;

		if (plan_cli_engine_only(name))
			fprintf(stderr, "mlasim: warning: '%s' acts on serving under load: it does nothing without '--engine'\n",
				name);
	}
}

void plan_cli_warn_batch_wait(const struct plan_args *a, const struct engine *g)
{
	double iters = plan_cli_given_value(a, "--batch-wait-iters");
	double ratio = plan_cli_given_value(a, "--batch-wait-ratio");

	if (!g || !(iters > 0 || ratio > 0))
		return;
	/* TensorRT-LLM stops waiting once either bound is met, at once when one is 0 */
	if ((iters > 0) != (ratio > 0))
		fprintf(stderr, "mlasim: warning: '%s' holds prompts back only with '%s' above 0 too: no batch waiting\n",
			iters > 0 ? "--batch-wait-iters" : "--batch-wait-ratio",
			iters > 0 ? "--batch-wait-ratio" : "--batch-wait-iters");
	if (strcmp(g->name, "trtllm") != 0)
		fprintf(stderr, "mlasim: warning: batch waiting is TensorRT-LLM's (batch_wait_timeout_iters, batch_wait_max_tokens_ratio); engine '%s' is planned as if it had it\n",
			g->name);
}

/* The model's defaults, then what the user said, in order. */
void plan_cli_apply(const struct model *m, const struct plan_args *a, struct deployment *d)
{
	int i, batch_given = 0;

	plan_default_deployment(m, d);
	for (i = 0; i < a->n; i++) {
		plan_cli_set(a->set[i].o, a->set[i].v, a->set[i].text, d);
		batch_given |= strcmp(a->set[i].o->name, "--batch") == 0;
	}
	/* '--micro-batches 2' alone (a prefill question, say) must not fail on the
	 * default decode batch of 1: the default is then one sequence per
	 * micro-batch, the smallest batch that splits (cmd_help.c says so) */
	if (!batch_given && d->w.micro_batches > d->w.batch)
		d->w.batch = d->w.micro_batches;
	d->w.context = d->context;
	d->w.mtp_depth = d->mtp;
}

