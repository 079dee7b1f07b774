/* cmd_chart.c - 'mlasim chart KIND': gnuplot charts with their data and script */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "../reports/gnuplot.h"
#include "../reports/out.h"
#include "cli.h"
#include "kv.h"

#define CHART_MAX_MODELS 8
/* Contexts drawn: 1Ki to 1Mi tokens, doubling (the range long-context serving spans). */
#define CHART_CTX_FIRST 1024.0
#define CHART_CTX_POINTS 11

struct chart_kv {
	struct model m[CHART_MAX_MODELS];
	double per_token[CHART_MAX_MODELS];
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
		k->per_token[k->n] = kv_bytes_per_layer(&k->m[k->n], &k->fmt, &c->err) *
				     kv_layers(&k->m[k->n], 0);
		if (isnan(k->per_token[k->n]))
			return c->err.code;
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
			sbuf_printf(b, " %.9g", ctx * k->per_token[j] / 1e9);
		sbuf_printf(b, "\n");
	}
}

static void chart_kv_script(struct sbuf *b, const struct chart_kv *k, const char *stem)
{
	int j;

	sbuf_printf(b, "# mlasim %s chart kv: regenerate with 'gnuplot %s.gp' from this directory\n",
		    MLASIM_VERSION, stem);
	sbuf_printf(b, "if (!exists(\"png\")) png = \"%s.png\"\n", stem);
	sbuf_printf(b, "if (!exists(\"svg\")) svg = \"%s.svg\"\n", stem);
	sbuf_printf(b, "set title \"KV cache per sequence vs context length (%s KV%s%s)\" font \",14\"\n",
		    k->fmt.name, k->have_hw ? ", " : "", k->have_hw ? k->hw.display : "");
	sbuf_printf(b, "set xlabel \"context length (tokens)\"\n");
	sbuf_printf(b, "set ylabel \"KV cache per sequence (GB, 1 GB = 10^9 B)\"\n");
	sbuf_printf(b, "set logscale x 2\nset logscale y 10\nset format y \"%%g\"\n");
	sbuf_printf(b, "set xtics (\"1Ki\" 1024, \"4Ki\" 4096, \"16Ki\" 16384, \"64Ki\" 65536, \"256Ki\" 262144, \"1Mi\" 1048576)\n");
	sbuf_printf(b, "set xrange [1024:1048576]\nset grid xtics ytics mytics lc rgb \"#dddddd\"\n");
	sbuf_printf(b, "set key top left Left reverse box opaque\nset border 3\nset tics nomirror\n");
	sbuf_printf(b, "set style line 99 lc rgb \"#666666\" lw 2 dt 2\n");
	for (j = 0; j < k->n; j++)
		sbuf_printf(b, "set style line %d lc rgb \"%s\" lw 2.5 pt 7 ps 0.8\n", j + 1,
			    gnuplot_palette[j % 8]);
	sbuf_printf(b, "set terminal pngcairo size 1200,750 font \"sans,12\"\nset output png\n");
	sbuf_printf(b, "plot \\\n");
	for (j = 0; j < k->n; j++)
		sbuf_printf(b, "  \"%s.dat\" using 1:%d with linespoints ls %d title \"%s (%s, %.1f KB/token)\"%s\n",
			    stem, j + 2, j + 1, k->m[j].display, model_attn_name(k->m[j].attn),
			    k->per_token[j] / 1e3, j + 1 < k->n || k->have_hw ? ", \\" : "");
	if (k->have_hw)
		sbuf_printf(b, "  %.6g with lines ls 99 title \"%s usable HBM per GPU (%.0f GB)\"\n",
			    k->hw.gpu.hbm_usable_bytes / 1e9, k->hw.display,
			    k->hw.gpu.hbm_usable_bytes / 1e9);
	sbuf_printf(b, "set terminal svg size 1200,750 dynamic font \"sans,12\"\nset output svg\nreplot\nunset output\n");
}

/* Write text to `path` atomically. */
static int chart_write(struct cli *c, const char *path, struct sbuf *b)
{
	if (b->oom)
		return err_set(&c->err, EXIT_ENV, "out of memory building '%s'", path);
	return out_write(path, b->data, b->len, &c->err);
}

static int chart_kv(struct cli *c)
{
	static struct chart_kv k;
	struct sbuf dat = {0}, gp = {0};
	char stem[4096], path[4200];
	int rc;

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
	if (gnuplot_stem(c->out ? c->out : "kv.png", stem, sizeof stem, &c->err) ||
	    chart_load_models(c, &k))
		return c->err.code;
	if (c->hw_arg) {
		if (cli_load_hw(c, NULL, &k.hw))
			return c->err.code;
		k.have_hw = 1;
	}
	chart_kv_data(&dat, &k);
	chart_kv_script(&gp, &k, stem);
	snprintf(path, sizeof path, "%s.dat", stem);
	rc = chart_write(c, path, &dat);
	snprintf(path, sizeof path, "%s.gp", stem);
	if (!rc)
		rc = chart_write(c, path, &gp);
	sbuf_free(&dat);
	sbuf_free(&gp);
	if (rc || gnuplot_render(stem, &c->err))
		return c->err.code;
	fprintf(stderr, "mlasim: wrote %s.png, %s.svg, %s.dat, %s.gp\n", stem, stem, stem, stem);
	return 0;
}

int cmd_chart(struct cli *c)
{
	const char *kind;

	if (c->i >= c->argc || c->argv[c->i][0] == '-') {
		if (c->i < c->argc && (!strcmp(c->argv[c->i], "--help") || !strcmp(c->argv[c->i], "-h")))
			return cli_help(c);
		return err_set(&c->err, EXIT_USAGE, "'chart' needs a kind: kv");
	}
	kind = c->argv[c->i++];
	if (strcmp(kind, "kv") == 0)
		return chart_kv(c);
	return err_set(&c->err, EXIT_USAGE, "unknown chart kind '%s' (known: kv)", kind);
}
