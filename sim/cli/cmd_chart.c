/* cmd_chart.c - 'mlasim chart KIND': gnuplot charts with their data and script */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../reports/charts.h"
#include "../../reports/gnuplot.h"
#include "infile.h"
#include "cli_plan.h"
#include "kv.h"
#include "series.h"
#include "units.h"

static const char chart_kinds[] = "kv, memory, throughput, tpot, roofline, pareto, power, topology";

/* ---- kv ----------------------------------------------------------------- */

struct chart_kv {
	struct model m[SERIES_KV_MODELS];
	struct series_kv s;
	struct kvfmt fmt;
	struct hw hw;
	int have_hw;
};

/* Load each model of '--model A,B,...' and add its line to k->s. */
static int chart_load_models(struct cli *c, struct chart_kv *k)
{
	char list[1024], *p, *save = NULL;

	if (!c->model_arg)
		return err_set(&c->err, EXIT_USAGE, "'chart kv' needs '--model A,B,...'");
	if (strlen(c->model_arg) >= sizeof list)
		return err_set(&c->err, EXIT_USAGE, "'--model' list is too long");
	strcpy(list, c->model_arg);
	for (p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (k->s.n == SERIES_KV_MODELS)
			return err_set(&c->err, EXIT_USAGE, "'chart kv' draws at most %d models",
				       SERIES_KV_MODELS);
		if (cli_load_model(c, p, &k->m[k->s.n]))
			return c->err.code;
		if (series_kv_add(&k->s, &k->m[k->s.n], &k->fmt, &c->err))
			return c->err.code;
	}
	if (k->s.n == 0)
		return err_set(&c->err, EXIT_USAGE, "'--model' names no model");
	return 0;
}

static int chart_kv_with(struct cli *c, struct chart_kv *kp)
{
	struct chart ch;

	series_kv_init(&kp->s);
	precision_parse_kv("bf16", "--kv-dtype", &kp->fmt, &c->err);
	while (cli_more(c)) {
		const char *v;
		int r;
		if (cli_common(c))
			continue;
		if ((r = cli_opt(c, "--kv-dtype", &v)) != 0) {
			if (r > 0)
				precision_parse_kv(v, "--kv-dtype", &kp->fmt, &c->err);
		} else {
			cli_unknown(c);
		}
	}
	if (c->err.code)
		return c->err.code;
	if (c->help)
		return cli_help(c);
	if (chart_open(&ch, c->out, "kv.png", &c->err) || chart_load_models(c, kp))
		return c->err.code;
	if (c->hw_arg) {
		if (cli_load_hw(c, NULL, &kp->hw))
			return c->err.code;
		kp->have_hw = 1;
	}
	chart_draw_kv(&ch, kp->m, &kp->fmt, kp->have_hw ? &kp->hw : NULL, &kp->s);
	if (chart_close(&ch, 1, &c->err))
		return c->err.code;
	fprintf(stderr, "mlasim: wrote %s.png, %s.svg, %s.dat, %s.gp\n", ch.stem, ch.stem, ch.stem, ch.stem);
	return 0;
}

static int chart_kv(struct cli *c)
{
	struct chart_kv *k = calloc(1, sizeof *k);
	int rc;

	if (!k)
		return err_set(&c->err, EXIT_ENV, "out of memory");
	rc = chart_kv_with(c, k);
	free(k);
	return rc;
}

/* ---- the plan charts ---------------------------------------------------- */

/* A parallelism option given as a list (chart memory): one bar per value. */
struct chart_list {
	const char *name;           /* "--tp" */
	const struct popt *o;
	double v[SERIES_MAX_LIST];
	int n;
};

struct chart_args {
	const char *kind;
	struct plan_args plan;
	struct chart_list list[4];  /* --tp --dp --ep --pp */
	int nlists;
	int over;                   /* tpot: -1 unset, enum series_over */
	const char *values;         /* tpot --values, topology --gpus */
	int per_node;               /* power --per node */
	double planes, radix;       /* topology --planes, --radix; NAN: the card's */
	const char *from;           /* pareto --from */
};

static const struct popt *chart_popt(const char *name)
{
	const struct popt *o;

	for (o = plan_options; o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

/*
 * chart memory: '--tp 1,2,4,8' (or --dp, --ep, --pp) draws one bar per value.
 * Returns 1 when argv[i] is such a list (consumed), 0 when not, -1 on error.
 */
static int chart_take_list(struct cli *c, struct chart_args *a)
{
	static const char *const names[] = {"--tp", "--dp", "--ep", "--pp"};
	const char *arg = c->argv[c->i], *v = NULL;
	struct chart_list *l;
	unsigned k;
	int i, adv = 0;

	for (k = 0; k < 4 && !v; k++) {
		size_t len = strlen(names[k]);
		if (strncmp(arg, names[k], len) != 0)
			continue;
		if (arg[len] == '=')
			v = arg + len + 1, adv = 1;
		else if (arg[len] == 0 && c->i + 1 < c->argc)
			v = c->argv[c->i + 1], adv = 2;
		if (v && !strchr(v, ','))
			return 0;
		if (v)
			break;
	}
	if (!v)
		return 0;
	for (i = 0; i < a->nlists; i++)
		if (strcmp(a->list[i].name, names[k]) == 0) {
			err_set(&c->err, EXIT_USAGE, "'%s' is given twice", names[k]);
			return -1;
		}
	l = &a->list[a->nlists++];
	l->name = names[k];
	l->o = chart_popt(names[k]);
	if (units_parse_list(v, UNIT_COUNT, names[k], l->v, SERIES_MAX_LIST, &l->n, &c->err))
		return -1;
	for (i = 0; i < l->n; i++)
		if (l->v[i] < 1 || l->v[i] != floor(l->v[i])) {
			err_set(&c->err, EXIT_USAGE, "'%s' expects whole numbers from 1, got '%s'", names[k], v);
			return -1;
		}
	c->i += adv;
	return 1;
}

static int chart_parse(struct cli *c, struct chart_args *a)
{
	const char *v;
	int r;

	a->over = -1;
	a->planes = a->radix = NAN;
	while (cli_more(c)) {
		if (cli_common(c))
			continue;
		if (!strcmp(a->kind, "memory") && (r = chart_take_list(c, a)) != 0)
			continue;
		if (!strcmp(a->kind, "tpot") && (r = cli_opt(c, "--over", &v)) != 0) {
			if (r > 0 && !strcmp(v, "ep"))
				a->over = SERIES_OVER_EP;
			else if (r > 0 && !strcmp(v, "nic"))
				a->over = SERIES_OVER_NIC;
			else if (r > 0)
				err_set(&c->err, EXIT_USAGE, "'--over' expects ep or nic, got '%s'", v);
			continue;
		}
		if ((!strcmp(a->kind, "tpot") && (r = cli_opt(c, "--values", &v)) != 0) ||
		    (!strcmp(a->kind, "topology") && (r = cli_opt(c, "--gpus", &v)) != 0)) {
			if (r > 0)   /* r < 0: no value, and v is not set */
				a->values = v;
			continue;
		}
		if (!strcmp(a->kind, "topology") && (r = cli_opt(c, "--planes", &v)) != 0) {
			if (r > 0)
				cli_count(c, "--planes", v, &a->planes);
			continue;
		}
		if (!strcmp(a->kind, "topology") && (r = cli_opt(c, "--radix", &v)) != 0) {
			if (r > 0)
				cli_count(c, "--radix", v, &a->radix);
			continue;
		}
		if (!strcmp(a->kind, "power") && (r = cli_opt(c, "--per", &v)) != 0) {
			if (r > 0 && (!strcmp(v, "node") || !strcmp(v, "rack")))
				a->per_node = !strcmp(v, "node");
			else if (r > 0)
				err_set(&c->err, EXIT_USAGE, "'--per' expects rack or node, got '%s'", v);
			continue;
		}
		if (!strcmp(a->kind, "pareto") && (r = cli_opt(c, "--from", &v)) != 0) {
			if (r > 0)
				a->from = v;
			continue;
		}
		if (strcmp(a->kind, "pareto") && strcmp(a->kind, "topology") && plan_cli_take(c, &a->plan))
			continue;
		cli_unknown(c);
	}
	return c->err.code;
}

/* Load the model and one card, and the deployment the options describe. */
static int chart_plan_inputs(struct cli *c, const struct chart_args *a, struct model *m,
			     struct hw *h, struct deployment *d)
{
	if (!c->model_arg)
		return err_set(&c->err, EXIT_USAGE, "'chart %s' needs '--model M'", a->kind);
	if (strchr(c->model_arg, ','))
		return err_set(&c->err, EXIT_USAGE, "'chart %s' takes one '--model', got '%s'", a->kind,
			       c->model_arg);
	if (h && c->hw_arg && strchr(c->hw_arg, ','))
		return err_set(&c->err, EXIT_USAGE, "'chart %s' takes one '--hw' (chart throughput compares several)",
			       a->kind);
	if (cli_load_model(c, NULL, m) || (h && cli_load_hw(c, NULL, h)))
		return c->err.code;
	plan_cli_apply(m, &a->plan, d);
	plan_cli_warn_engine_only(&a->plan, 0);
	return 0;
}

/* The deployments a memory chart compares and their labels. */
struct chart_memory_list {
	struct deployment d[SERIES_MAX_LIST];
	char label[SERIES_MAX_LIST][96];
};

static int chart_memory_with(struct cli *c, struct chart_args *a, struct chart *ch,
			     struct deployment *d, char (*label)[96])
{
	const char *labels[SERIES_MAX_LIST];
	char varied[64] = "";
	struct series_memory *sm;
	struct model m;
	struct hw h;
	int i, j, n = 1;

	if (chart_plan_inputs(c, a, &m, &h, &d[0]))
		return c->err.code;
	for (j = 0; j < a->nlists; j++) {
		if (j > 0 && a->list[j].n != n)
			return err_set(&c->err, EXIT_USAGE, "'%s' lists %d values and '%s' %d: lists go together, value by value",
				       a->list[j].name, a->list[j].n, a->list[0].name, n);
		n = a->list[j].n;
		snprintf(varied + strlen(varied), sizeof varied - strlen(varied), "%s%s", j ? " and " : "",
			 a->list[j].name + 2);
	}
	for (i = 0; i < n; i++) {
		size_t k = 0;
		d[i] = d[0];
		label[i][0] = 0;
		for (j = 0; j < a->nlists; j++) {
			plan_cli_set(a->list[j].o, a->list[j].v[i], NULL, &d[i]);
			k += (size_t)snprintf(label[i] + k, sizeof label[i] - k, "%s%s %g", j ? ", " : "",
					      a->list[j].name + 2, a->list[j].v[i]);
		}
		if (a->nlists == 0)
			snprintf(label[i], sizeof label[i], "tp %g x dp %g x pp %g (%g GPUs), ep %g", d[i].tp,
				 d[i].dp, d[i].pp, d[i].tp * d[i].dp * d[i].pp, d[i].ep);
		labels[i] = label[i];
	}
	if (!(sm = malloc(sizeof *sm)))
		return err_set(&c->err, EXIT_ENV, "out of memory");
	if (series_memory(&m, &h, d, n, sm, &c->err) == 0)
		chart_draw_memory(ch, &m, &h, d, labels, a->nlists ? varied : NULL, sm);
	free(sm);
	return c->err.code;
}

static int chart_memory_cmd(struct cli *c, struct chart_args *a, struct chart *ch)
{
	struct chart_memory_list *l = malloc(sizeof *l);
	int rc;

	if (!l)
		return err_set(&c->err, EXIT_ENV, "out of memory");
	rc = chart_memory_with(c, a, ch, l->d, l->label);
	free(l);
	return rc;
}

static int chart_throughput_with(struct cli *c, struct chart_args *a, struct chart *ch, struct hw *h)
{
	char list[1024], *p, *save = NULL;
	struct series_throughput *st;
	struct model m;
	struct deployment d;
	int n = 0;

	if (!c->hw_arg)
		return err_set(&c->err, EXIT_USAGE, "'chart throughput' needs '--hw A,B,...'");
	if (strlen(c->hw_arg) >= sizeof list)
		return err_set(&c->err, EXIT_USAGE, "'--hw' list is too long");
	if (chart_plan_inputs(c, a, &m, NULL, &d))
		return c->err.code;
	strcpy(list, c->hw_arg);
	for (p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (n == SERIES_MAX_HW)
			return err_set(&c->err, EXIT_USAGE, "'chart throughput' compares at most %d cards", SERIES_MAX_HW);
		if (cli_load_hw(c, p, &h[n]))
			return c->err.code;
		n++;
	}
	if (n == 0)
		return err_set(&c->err, EXIT_USAGE, "'--hw' names no hardware card");
	if (!(st = malloc(sizeof *st)))
		return err_set(&c->err, EXIT_ENV, "out of memory");
	if (series_throughput(&m, h, n, &d, st, &c->err) == 0)
		chart_draw_throughput(ch, &m, h, &d, st);
	free(st);
	return c->err.code;
}

static int chart_throughput_cmd(struct cli *c, struct chart_args *a, struct chart *ch)
{
	struct hw *h = calloc(SERIES_MAX_HW, sizeof *h);
	int rc;

	if (!h)
		return err_set(&c->err, EXIT_ENV, "out of memory");
	rc = chart_throughput_with(c, a, ch, h);
	free(h);
	return rc;
}

/* Parse tpot's --values: EP sizes, or NIC bandwidths in Gb/s (400 or 400Gb/s). */
static int chart_values(struct cli *c, const struct chart_args *a, double *x, int *n)
{
	char list[1024], *p, *save = NULL;

	*n = 0;
	if (strlen(a->values) >= sizeof list)
		return err_set(&c->err, EXIT_USAGE, "'--values' list is too long");
	strcpy(list, a->values);
	for (p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		double v;
		if (*n == SERIES_MAX_LIST)
			return err_set(&c->err, EXIT_USAGE, "'--values' takes at most %d values", SERIES_MAX_LIST);
		if (a->over == SERIES_OVER_EP) {
			if (cli_count(c, "--values", p, &v) < 0)
				return c->err.code;
		} else if (strstr(p, "/s")) {
			if (units_parse(p, UNIT_RATE, "--values", &v, &c->err))
				return c->err.code;
			v = v * 8 / 1e9;
		} else if (units_parse(p, UNIT_PLAIN, "--values", &v, &c->err)) {
			return c->err.code;
		}
		x[(*n)++] = v;
	}
	if (*n == 0)
		return err_set(&c->err, EXIT_USAGE, "'--values' names no value");
	return 0;
}

/* Check tpot's --values against the deployment: as many as a series takes,
 * positive, increasing, and EP sizes multiples of --tp (dp = ep / tp). */
static int chart_check_values(struct cli *c, const struct chart_args *a, const struct deployment *d,
			      const double *x, int n)
{
	int i;

	if (n < 1 || n > SERIES_TPOT_MAX)
		return err_set(&c->err, EXIT_USAGE, "'--values' takes 1 to %d values, got %d", SERIES_TPOT_MAX, n);
	for (i = 0; i < n; i++) {
		if (!(x[i] > 0))
			return err_set(&c->err, EXIT_USAGE, "'--values' must be positive, got %g", x[i]);
		if (i > 0 && x[i] <= x[i - 1])
			return err_set(&c->err, EXIT_USAGE, "'--values' must be increasing, got %g after %g",
				       x[i], x[i - 1]);
		if (a->over == SERIES_OVER_EP && fmod(x[i], d->tp) != 0)
			return err_set(&c->err, EXIT_USAGE, "EP size %g is not a multiple of '--tp %g' (dp = ep / tp)",
				       x[i], d->tp);
	}
	return 0;
}

static int chart_tpot_cmd(struct cli *c, struct chart_args *a, struct chart *ch)
{
	double x[SERIES_MAX_LIST];
	struct series_tpot *st;
	struct model m;
	struct hw h;
	struct deployment d;
	int n = 0;

	if (a->over < 0)
		return err_set(&c->err, EXIT_USAGE, "'chart tpot' needs '--over ep' or '--over nic'");
	if (a->values && chart_values(c, a, x, &n))
		return c->err.code;
	if (chart_plan_inputs(c, a, &m, &h, &d))
		return c->err.code;
	if (!m.is_moe && a->over == SERIES_OVER_EP)
		return err_set(&c->err, EXIT_INPUT, "%s: 'chart tpot --over ep' needs a MoE model", m.path);
	if (a->values && chart_check_values(c, a, &d, x, n))
		return c->err.code;
	if (!(st = malloc(sizeof *st)))
		return err_set(&c->err, EXIT_ENV, "out of memory");
	if (series_tpot(&m, &h, &d, (enum series_over)a->over, a->values ? x : NULL, n, st, &c->err) == 0)
		chart_draw_tpot(ch, &m, &h, &d, (enum series_over)a->over, st);
	free(st);
	return c->err.code;
}

static int chart_topology_cmd(struct cli *c, struct chart_args *a, struct chart *ch)
{
	double g[SERIES_MAX_LIST];
	struct series_topology st;
	struct hw h;
	int n = 0, i;

	if (c->model_arg)
		return err_set(&c->err, EXIT_USAGE, "'chart topology' takes no '--model': it sizes the fabric for GPU counts");
	if (a->values && units_parse_list(a->values, UNIT_COUNT, "--gpus", g, SERIES_MAX_LIST, &n, &c->err))
		return c->err.code;
	for (i = 0; i < n; i++)   /* the counts 'net --gpus' takes (cli_count): 0 would mean "the largest tree" */
		if (!(g[i] >= 1 && g[i] <= 1e9) || g[i] != floor(g[i]))
			return err_set(&c->err, EXIT_USAGE, "'--gpus' expects whole numbers from 1 to 1e9, got '%s'",
				       a->values);
	if (cli_load_hw(c, NULL, &h))
		return c->err.code;
	if (isnan(a->radix) && !isfinite(h.scale_out.switch_radix))
		return err_set(&c->err, EXIT_USAGE, "%s gives no 'scale_out.switch_radix': pass '--radix K'", h.path);
	for (i = 1; i < n; i++)
		if (g[i] <= g[i - 1])
			return err_set(&c->err, EXIT_USAGE, "'--gpus' must be increasing, got %g after %g", g[i], g[i - 1]);
	if (series_topology(&h, a->values ? g : NULL, n, a->planes, a->radix, &st, &c->err) == 0)
		chart_draw_topology(ch, &h, &st);
	return c->err.code;
}

static int chart_roofline_cmd(struct cli *c, struct chart_args *a, struct chart *ch)
{
	struct series_roofline *sr;
	struct model m;
	struct hw h;
	struct deployment d;

	if (chart_plan_inputs(c, a, &m, &h, &d))
		return c->err.code;
	if (!(sr = malloc(sizeof *sr)))
		return err_set(&c->err, EXIT_ENV, "out of memory");
	if (series_roofline(&m, &h, &d, sr, &c->err) == 0)
		chart_draw_roofline(ch, &m, &h, &d, sr);
	free(sr);
	return c->err.code;
}

static int chart_power_cmd(struct cli *c, struct chart_args *a, struct chart *ch)
{
	struct series_power sp;
	struct model m;
	struct hw h;
	struct deployment d;

	if (chart_plan_inputs(c, a, &m, &h, &d))
		return c->err.code;
	if (series_power(&m, &h, &d, a->per_node, &sp, &c->err) == 0)
		chart_draw_power(ch, &m, &h, &d, a->per_node, &sp);
	return c->err.code;
}

static int chart_one_with(struct cli *c, const char *kind, struct chart_args *ap)
{
	struct chart ch;
	char deflt[32];
	int rc;

	ap->kind = kind;
	if (chart_parse(c, ap))
		return c->err.code;
	if (c->help)
		return cli_help(c);
	if (!strcmp(kind, "pareto") && !ap->from)
		return err_set(&c->err, EXIT_USAGE, "'chart pareto' needs '--from FILE.csv' (written by 'mlasim sweep -o FILE.csv')");
	snprintf(deflt, sizeof deflt, "%s.png", kind);
	if (ap->from)
		infile_note(ap->from, "--from");  /* so that no -o file overwrites it */
	if (chart_open(&ch, c->out, deflt, &c->err))
		return c->err.code;
	if (!strcmp(kind, "memory"))
		rc = chart_memory_cmd(c, ap, &ch);
	else if (!strcmp(kind, "throughput"))
		rc = chart_throughput_cmd(c, ap, &ch);
	else if (!strcmp(kind, "tpot"))
		rc = chart_tpot_cmd(c, ap, &ch);
	else if (!strcmp(kind, "topology"))
		rc = chart_topology_cmd(c, ap, &ch);
	else if (!strcmp(kind, "pareto"))
		rc = chart_pareto(&ch, ap->from, &c->err);
	else if (!strcmp(kind, "roofline"))
		rc = chart_roofline_cmd(c, ap, &ch);
	else
		rc = chart_power_cmd(c, ap, &ch);
	if (rc) {
		chart_free(&ch);
		return c->err.code ? c->err.code : rc;
	}
	if (chart_close(&ch, 1, &c->err))
		return c->err.code;
	fprintf(stderr, "mlasim: wrote %s.png, %s.svg, %s.dat, %s.gp\n", ch.stem, ch.stem, ch.stem, ch.stem);
	return 0;
}

static int chart_one(struct cli *c, const char *kind)
{
	struct chart_args *a = calloc(1, sizeof *a);
	int rc;

	if (!a)
		return err_set(&c->err, EXIT_ENV, "out of memory");
	rc = chart_one_with(c, kind, a);
	free(a);
	return rc;
}

int cmd_chart(struct cli *c)
{
	static const char *const kinds[] = {"memory", "throughput", "tpot", "roofline", "pareto",
					    "power", "topology", NULL};
	const char *kind;
	int i;

	if (c->i >= c->argc || c->argv[c->i][0] == '-') {
		if (c->i < c->argc && (!strcmp(c->argv[c->i], "--help") || !strcmp(c->argv[c->i], "-h")))
			return cli_help(c);
		return err_set(&c->err, EXIT_USAGE, "'chart' needs a kind: %s", chart_kinds);
	}
	kind = c->argv[c->i++];
	if (strcmp(kind, "kv") == 0)
		return chart_kv(c);
	for (i = 0; kinds[i]; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return chart_one(c, kinds[i]);
	return err_set(&c->err, EXIT_USAGE, "unknown chart kind '%s' (known: %s)", kind, chart_kinds);
}
