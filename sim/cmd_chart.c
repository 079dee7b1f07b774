/* cmd_chart.c - 'mlasim chart KIND': gnuplot charts with their data and script */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "../reports/charts.h"
#include "../reports/gnuplot.h"
#include "infile.h"
#include "cli_plan.h"
#include "kv.h"
#include "units.h"

#define CHART_MAX_MODELS 8
/* Contexts drawn: 1Ki to 1Mi tokens, doubling (the range long-context serving spans). */
#define CHART_CTX_FIRST 1024.0
#define CHART_CTX_POINTS 11

static const char chart_kinds[] = "kv, memory, throughput, tpot, roofline, pareto, power, topology";

/* ---- kv ----------------------------------------------------------------- */

struct chart_kv {
	struct model m[CHART_MAX_MODELS];
	double per_token[CHART_MAX_MODELS];
	struct kv_account acc[CHART_MAX_MODELS];   /* windows and states too */
	int n;
	struct kvfmt fmt;
	struct hw hw;
	int have_hw;
};

static int chart_load_models(struct cli *c, struct chart_kv *k)
{
	char list[1024], *p, *save = NULL;

	if (!c->model_arg)
		return err_set(&c->err, EXIT_USAGE, "'chart kv' needs '--model A,B,...'");
	if (strlen(c->model_arg) >= sizeof list)
		return err_set(&c->err, EXIT_USAGE, "'--model' list is too long");
	strcpy(list, c->model_arg);
	for (p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (k->n == CHART_MAX_MODELS)
			return err_set(&c->err, EXIT_USAGE, "'chart kv' draws at most %d models",
				       CHART_MAX_MODELS);
		if (cli_load_model(c, p, &k->m[k->n]))
			return c->err.code;
		if (kv_account(&k->m[k->n], &k->fmt, 1, 0, &k->acc[k->n], &c->err))
			return c->err.code;
		k->per_token[k->n] = k->acc[k->n].per_token;
		k->n++;
	}
	if (k->n == 0)
		return err_set(&c->err, EXIT_USAGE, "'--model' names no model");
	return 0;
}

static void chart_kv_data(struct sbuf *b, const struct chart_kv *k)
{
	double ctx = CHART_CTX_FIRST;
	int i, j;

	sbuf_printf(b, "# mlasim %s chart kv: KV cache per sequence, %s\n", MLASIM_VERSION, k->fmt.name);
	sbuf_printf(b, "# columns: context (tokens)");
	for (j = 0; j < k->n; j++)
		sbuf_printf(b, " | %s (GB, 1e9 B)", k->m[j].name);
	sbuf_printf(b, "\n# kv bytes per token:");
	for (j = 0; j < k->n; j++)
		sbuf_printf(b, " %s %.15g;", k->m[j].name, k->per_token[j]);
	sbuf_printf(b, "\n");
	for (i = 0; i < CHART_CTX_POINTS; i++, ctx *= 2) {
		sbuf_printf(b, "%.0f", ctx);
		for (j = 0; j < k->n; j++)
			sbuf_printf(b, " %.9g", kv_seq_bytes(&k->acc[j], ctx, 1) / 1e9);
		sbuf_printf(b, "\n");
	}
}

static void chart_kv_script(struct sbuf *b, const struct chart_kv *k, const char *stem)
{
	const char *base = gnuplot_base(stem);
	char t[512];
	int j;

	gnuplot_begin(b, "kv", stem);
	snprintf(t, sizeof t, "KV cache per sequence vs context length (%s KV%s%s)", k->fmt.name,
		 k->have_hw ? ", " : "", k->have_hw ? k->hw.display : "");
	sbuf_printf(b, "set title ");
	gnuplot_str(b, t);
	sbuf_printf(b, " font \",14\"\n");
	sbuf_printf(b, "set xlabel \"context length (tokens)\"\n");
	sbuf_printf(b, "set ylabel \"KV cache per sequence (GB, 1 GB = 1e9 B)\"\n");
	sbuf_printf(b, "set logscale x 2\nset logscale y 10\nset format y \"%%g\"\n");
	sbuf_printf(b, "set xtics (\"1Ki\" 1024, \"4Ki\" 4096, \"16Ki\" 16384, \"64Ki\" 65536, \"256Ki\" 262144, \"1Mi\" 1048576)\n");
	sbuf_printf(b, "set xrange [1024:1048576]\nset grid mytics\n");
	sbuf_printf(b, "set key top left Left reverse\n");
	/* distinct point types, larger first: models with the same KV per token
	 * (Llama 3.1 70B and Qwen2.5 72B) stay visible on one line */
	for (j = 0; j < k->n; j++)
		sbuf_printf(b, "set style line %d lc rgb \"%s\" lw 2.5 pt %d ps %.2f\n", j + 1,
			    gnuplot_palette[j % 8], (int[]){7, 5, 9, 13, 11, 15, 3, 1}[j % 8], 1.6 - 0.12 * j);
	gnuplot_plots_begin(b, GNUPLOT_W, GNUPLOT_H);
	sbuf_printf(b, "plot \\\n");
	for (j = 0; j < k->n; j++) {
		snprintf(t, sizeof t, "%s (%s, %.1f KB/token)", k->m[j].display,
			 model_attn_name(k->m[j].attn), k->per_token[j] / 1e3);
		sbuf_printf(b, "  ");
		gnuplot_file(b, base, ".dat");
		sbuf_printf(b, " using 1:%d with linespoints ls %d title ", j + 2, j + 1);
		gnuplot_str(b, t);
		sbuf_printf(b, "%s\n", j + 1 < k->n || k->have_hw ? ", \\" : "");
	}
	if (k->have_hw) {
		snprintf(t, sizeof t, "%s usable HBM per GPU (%.0f GB)", k->hw.display,
			 k->hw.gpu.hbm_usable_bytes / 1e9);
		sbuf_printf(b, "  %.6g with lines ls 99 title ", k->hw.gpu.hbm_usable_bytes / 1e9);
		gnuplot_str(b, t);
		sbuf_printf(b, "\n");
	}
	gnuplot_plots_end(b);
}

static int chart_kv(struct cli *c)
{
	static struct chart_kv k;
	struct chart ch;

	memset(&k, 0, sizeof k);
	precision_parse_kv("bf16", "--kv-dtype", &k.fmt, &c->err);
	while (cli_more(c)) {
		const char *v;
		int r;
		if (cli_common(c))
			continue;
		if ((r = cli_opt(c, "--kv-dtype", &v)) != 0) {
			if (r > 0)
				precision_parse_kv(v, "--kv-dtype", &k.fmt, &c->err);
		} else {
			cli_unknown(c);
		}
	}
	if (c->err.code)
		return c->err.code;
	if (c->help)
		return cli_help(c);
	if (chart_open(&ch, c->out, "kv.png", &c->err) || chart_load_models(c, &k))
		return c->err.code;
	if (c->hw_arg) {
		if (cli_load_hw(c, NULL, &k.hw))
			return c->err.code;
		k.have_hw = 1;
	}
	chart_kv_data(&ch.dat, &k);
	chart_kv_script(&ch.gp, &k, ch.stem);
	if (chart_close(&ch, 1, &c->err))
		return c->err.code;
	fprintf(stderr, "mlasim: wrote %s.png, %s.svg, %s.dat, %s.gp\n", ch.stem, ch.stem, ch.stem, ch.stem);
	return 0;
}

/* ---- the plan charts ---------------------------------------------------- */

/* A parallelism option given as a list (chart memory): one bar per value. */
struct chart_list {
	const char *name;           /* "--tp" */
	const struct popt *o;
	double v[CHART_MAX_LIST];
	int n;
};

struct chart_args {
	const char *kind;
	struct plan_args plan;
	struct chart_list list[4];  /* --tp --dp --ep --pp */
	int nlists;
	int over;                   /* tpot: -1 unset, enum chart_over */
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
	if (units_parse_list(v, UNIT_COUNT, names[k], l->v, CHART_MAX_LIST, &l->n, &c->err))
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
				a->over = CHART_OVER_EP;
			else if (r > 0 && !strcmp(v, "nic"))
				a->over = CHART_OVER_NIC;
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
	return 0;
}

static int chart_memory_cmd(struct cli *c, struct chart_args *a, struct chart *ch)
{
	static struct deployment d[CHART_MAX_LIST];
	static char label[CHART_MAX_LIST][96];
	const char *labels[CHART_MAX_LIST];
	char varied[64] = "";
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
	return chart_memory(ch, &m, &h, d, labels, n, a->nlists ? varied : NULL, &c->err);
}

static int chart_throughput_cmd(struct cli *c, struct chart_args *a, struct chart *ch)
{
	static struct hw h[CHART_MAX_HW];
	char list[1024], *p, *save = NULL;
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
		if (n == CHART_MAX_HW)
			return err_set(&c->err, EXIT_USAGE, "'chart throughput' compares at most %d cards", CHART_MAX_HW);
		if (cli_load_hw(c, p, &h[n]))
			return c->err.code;
		n++;
	}
	if (n == 0)
		return err_set(&c->err, EXIT_USAGE, "'--hw' names no hardware card");
	return chart_throughput(ch, &m, h, n, &d, &c->err);
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
		if (*n == CHART_MAX_LIST)
			return err_set(&c->err, EXIT_USAGE, "'--values' takes at most %d values", CHART_MAX_LIST);
		if (a->over == CHART_OVER_EP) {
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

static int chart_tpot_cmd(struct cli *c, struct chart_args *a, struct chart *ch)
{
	double x[CHART_MAX_LIST];
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
	return chart_tpot(ch, &m, &h, &d, (enum chart_over)a->over, a->values ? x : NULL, n, &c->err);
}

static int chart_topology_cmd(struct cli *c, struct chart_args *a, struct chart *ch)
{
	double g[CHART_MAX_LIST];
	struct hw h;
	int n = 0, i;

	if (c->model_arg)
		return err_set(&c->err, EXIT_USAGE, "'chart topology' takes no '--model': it sizes the fabric for GPU counts");
	if (a->values && units_parse_list(a->values, UNIT_COUNT, "--gpus", g, CHART_MAX_LIST, &n, &c->err))
		return c->err.code;
	for (i = 0; i < n; i++)   /* the counts 'net --gpus' takes (cli_count): 0 would mean "the largest tree" */
		if (!(g[i] >= 1 && g[i] <= 1e9) || g[i] != floor(g[i]))
			return err_set(&c->err, EXIT_USAGE, "'--gpus' expects whole numbers from 1 to 1e9, got '%s'",
				       a->values);
	if (cli_load_hw(c, NULL, &h))
		return c->err.code;
	return chart_topology(ch, &h, a->values ? g : NULL, n, a->planes, a->radix, &c->err);
}

static int chart_one(struct cli *c, const char *kind)
{
	static struct chart_args a;
	struct model m;
	struct hw h;
	struct deployment d;
	struct chart ch;
	char deflt[32];
	int rc;

	memset(&a, 0, sizeof a);
	a.kind = kind;
	if (chart_parse(c, &a))
		return c->err.code;
	if (c->help)
		return cli_help(c);
	if (!strcmp(kind, "pareto") && !a.from)
		return err_set(&c->err, EXIT_USAGE, "'chart pareto' needs '--from FILE.csv' (written by 'mlasim sweep -o FILE.csv')");
	snprintf(deflt, sizeof deflt, "%s.png", kind);
	if (a.from)
		infile_note(a.from, "--from");  /* so that no -o file overwrites it */
	if (chart_open(&ch, c->out, deflt, &c->err))
		return c->err.code;
	if (!strcmp(kind, "memory"))
		rc = chart_memory_cmd(c, &a, &ch);
	else if (!strcmp(kind, "throughput"))
		rc = chart_throughput_cmd(c, &a, &ch);
	else if (!strcmp(kind, "tpot"))
		rc = chart_tpot_cmd(c, &a, &ch);
	else if (!strcmp(kind, "topology"))
		rc = chart_topology_cmd(c, &a, &ch);
	else if (!strcmp(kind, "pareto"))
		rc = chart_pareto(&ch, a.from, &c->err);
	else if ((rc = chart_plan_inputs(c, &a, &m, &h, &d)) == 0)
		rc = !strcmp(kind, "roofline") ? chart_roofline(&ch, &m, &h, &d, &c->err) :
		     chart_power(&ch, &m, &h, &d, a.per_node, &c->err);
	if (rc) {
		chart_free(&ch);
		return c->err.code ? c->err.code : rc;
	}
	if (chart_close(&ch, 1, &c->err))
		return c->err.code;
	fprintf(stderr, "mlasim: wrote %s.png, %s.svg, %s.dat, %s.gp\n", ch.stem, ch.stem, ch.stem, ch.stem);
	return 0;
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
