/* charts.c - see charts.h */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../sim/version.h"
#include "charts.h"
#include "gnuplot.h"
#include "out.h"

/* ---- the chart's files -------------------------------------------------- */

int chart_open(struct chart *ch, const char *out, const char *deflt, struct err *e)
{
	memset(ch, 0, sizeof *ch);
	return gnuplot_stem(out ? out : deflt, ch->stem, sizeof ch->stem, e);
}

void chart_free(struct chart *ch)
{
	sbuf_free(&ch->dat);
	sbuf_free(&ch->gp);
}

int chart_close(struct chart *ch, int render, struct err *e)
{
	char dat[4200], gp[4200];
	struct out_file files[2];
	int rc = 0;

	snprintf(dat, sizeof dat, "%s.dat", ch->stem);
	snprintf(gp, sizeof gp, "%s.gp", ch->stem);
	if (ch->dat.oom || ch->gp.oom)
		rc = err_set(e, EXIT_ENV, "out of memory building '%s'", ch->dat.oom ? dat : gp);
	files[0] = (struct out_file){dat, ch->dat.data ? ch->dat.data : "", ch->dat.len};
	files[1] = (struct out_file){gp, ch->gp.data ? ch->gp.data : "", ch->gp.len};
	/* the script reads the data: both new or both as they were */
	if (!rc)
		rc = out_write_group(files, 2, e);
	chart_free(ch);
	if (!rc && render)
		rc = gnuplot_render(ch->stem, e);
	return rc;
}

/* ---- small helpers ------------------------------------------------------ */

/* Append printf text to buf[*k..n) without overflowing. */
static void cat(char *buf, size_t n, size_t *k, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void cat(char *buf, size_t n, size_t *k, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*k >= n)
		return;
	va_start(ap, fmt);
	r = vsnprintf(buf + *k, n - *k, fmt, ap);
	va_end(ap);
	if (r > 0)
		*k = *k + (size_t)r < n ? *k + (size_t)r : n - 1;
}

char *chart_deploy_text(const struct deployment *d, unsigned omit, char *buf, size_t n)
{
	size_t k = 0;

	buf[0] = 0;
	if (!(omit & CHART_OMIT_PAR))
		cat(buf, n, &k, "tp %g x dp %g x pp %g = %g GPUs, ep %g, ", d->tp, d->dp, d->pp,
		    d->tp * d->dp * d->pp, d->ep);
	if (!(omit & CHART_OMIT_BATCH))
		cat(buf, n, &k, "batch %g, ", d->w.batch);
	if (d->w.micro_batches > 1)
		cat(buf, n, &k, "%g micro-batches, ", d->w.micro_batches);
	if (d->mtp > 0)
		cat(buf, n, &k, "MTP %g, ", d->mtp);
	cat(buf, n, &k, "context %g, %s weights, %s KV%s", d->context, d->weights.name, d->kv.name,
	    d->w.ideal ? ", --ideal" : "");
	return buf;
}

/* A number for a .dat file: NaN (gnuplot skips it) when not finite. */
static void num(struct sbuf *b, double v)
{
	if (isfinite(v))
		sbuf_printf(b, " %.6g", v);
	else
		sbuf_printf(b, " NaN");
}

/* Break a long line at the space nearest its middle so a title fits the chart. */
static void wrap(char *t, size_t max)
{
	char *best = NULL, *s;
	long mid = (long)strlen(t) / 2;

	if (strlen(t) <= max)
		return;
	for (s = strchr(t, ' '); s; s = strchr(s + 1, ' '))
		if (!best || labs((long)(s - t) - mid) < labs((long)(best - t) - mid))
			best = s;
	if (best)
		*best = '\n';
}

/* set title "line1\nline2", the deployment line wrapped when long */
static void title(struct sbuf *gp, const char *line1, const char *line2)
{
	char t[1200], l1[600], l2[600];

	snprintf(l1, sizeof l1, "%s", line1);
	snprintf(l2, sizeof l2, "%s", line2 ? line2 : "");
	wrap(l1, 110);
	wrap(l2, 110);
	snprintf(t, sizeof t, "%s%s%s", l1, *l2 ? "\n" : "", l2);
	sbuf_printf(gp, "set title ");
	gnuplot_str(gp, t);
	sbuf_printf(gp, " font \",14\"\n");
}

/* "plot" the first time, ", \\\n  " after. */
static void plot_sep(struct sbuf *gp, int *first)
{
	sbuf_printf(gp, *first ? "plot \\\n  " : ", \\\n  ");
	*first = 0;
}

/* ---- kv ----------------------------------------------------------------- */

static void chart_kv_data(struct sbuf *b, const struct model *m, const struct kvfmt *fmt,
			  const struct series_kv *s)
{
	int i, j;

	sbuf_printf(b, "# mlasim %s chart kv: KV cache per sequence, %s\n", MLASIM_VERSION, fmt->name);
	sbuf_printf(b, "# columns: context (tokens)");
	for (j = 0; j < s->n; j++)
		sbuf_printf(b, " | %s (GB, 1e9 B)", m[j].name);
	sbuf_printf(b, "\n# kv bytes per token:");
	for (j = 0; j < s->n; j++)
		sbuf_printf(b, " %s %.15g;", m[j].name, s->per_token[j]);
	sbuf_printf(b, "\n");
	for (i = 0; i < SERIES_KV_POINTS; i++) {
		sbuf_printf(b, "%.0f", s->context[i]);
		for (j = 0; j < s->n; j++)
			sbuf_printf(b, " %.9g", s->seq_gb[i][j]);
		sbuf_printf(b, "\n");
	}
}

static void chart_kv_script(struct sbuf *b, const struct model *m, const struct kvfmt *fmt,
			    const struct hw *h, const struct series_kv *s, const char *stem)
{
	const char *base = gnuplot_base(stem);
	char t[512];
	int j;

	gnuplot_begin(b, "kv", stem);
	snprintf(t, sizeof t, "KV cache per sequence vs context length (%s KV%s%s)", fmt->name,
		 h ? ", " : "", h ? h->display : "");
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
	for (j = 0; j < s->n; j++)
		sbuf_printf(b, "set style line %d lc rgb \"%s\" lw 2.5 pt %d ps %.2f\n", j + 1,
			    gnuplot_palette[j % 8], (int[]){7, 5, 9, 13, 11, 15, 3, 1}[j % 8], 1.6 - 0.12 * j);
	gnuplot_plots_begin(b, GNUPLOT_W, GNUPLOT_H);
	sbuf_printf(b, "plot \\\n");
	for (j = 0; j < s->n; j++) {
		snprintf(t, sizeof t, "%s (%s, %.1f KB/token)", m[j].display,
			 model_attn_name(m[j].attn), s->per_token[j] / 1e3);
		sbuf_printf(b, "  ");
		gnuplot_file(b, base, ".dat");
		sbuf_printf(b, " using 1:%d with linespoints ls %d title ", j + 2, j + 1);
		gnuplot_str(b, t);
		sbuf_printf(b, "%s\n", j + 1 < s->n || h ? ", \\" : "");
	}
	if (h) {
		snprintf(t, sizeof t, "%s usable HBM per GPU (%.0f GB)", h->display,
			 h->gpu.hbm_usable_bytes / 1e9);
		sbuf_printf(b, "  %.6g with lines ls 99 title ", h->gpu.hbm_usable_bytes / 1e9);
		gnuplot_str(b, t);
		sbuf_printf(b, "\n");
	}
	gnuplot_plots_end(b);
}

void chart_draw_kv(struct chart *ch, const struct model *m, const struct kvfmt *fmt, const struct hw *h,
		   const struct series_kv *s)
{
	chart_kv_data(&ch->dat, m, fmt, s);
	chart_kv_script(&ch->gp, m, fmt, h, s, ch->stem);
}

/* ---- memory ------------------------------------------------------------- */

/* Colours of the weight components, the same in every memory chart. */
static const char *const comp_color[COMP_N] = {
	"#E69F00", "#0072B2", "#000000", "#CC79A7", "#F0E442", "#009E73",
	"#56B4E9", "#8C6D31", "#7570B3",
};

/* Columns of a memory bar after the label: weights by component, then these. */
enum { MB_RESERVE = COMP_N, MB_KV, MB_FREE, MB_USABLE, MB_TOP, MB_COLS };

/* The .dat columns of one bar, in order. */
static void chart_memory_cols(const struct series_memory_bar *b, double v[MB_COLS])
{
	int k;

	for (k = 0; k < COMP_N; k++)
		v[k] = b->comp_gb[k];
	v[MB_RESERVE] = b->reserve_gb;
	v[MB_KV] = b->kv_gb;
	v[MB_FREE] = b->free_gb;
	v[MB_USABLE] = b->usable_gb;
	v[MB_TOP] = b->top_gb;
}

/* The deployment line of a chart across `varied` parallelism: the degrees
 * that stay, the varied ones named as such, then the rest of d. */
static void chart_memory_varied(const struct deployment *d, const char *varied, char *dep, size_t n)
{
	static const char *const par[4] = {"tp", "dp", "pp", "ep"};
	const double pv[4] = {d->tp, d->dp, d->pp, d->ep};
	char rest[400];
	size_t q = 0;
	int k;

	chart_deploy_text(d, CHART_OMIT_PAR | CHART_OMIT_BATCH, rest, sizeof rest);
	dep[0] = 0;
	for (k = 0; k < 4; k++) {
		if (strstr(varied, par[k]))
			cat(dep, n, &q, "%s%s per bar", k == 3 ? ", " : k ? " x " : "", par[k]);
		else
			cat(dep, n, &q, "%s%s %g", k == 3 ? ", " : k ? " x " : "", par[k], pv[k]);
	}
	cat(dep, n, &q, ", %s", rest);
}

static void chart_memory_data(struct sbuf *b, const struct model *m, const struct hw *h,
			      const struct deployment *d, const char *const *labels, const char *dep,
			      const struct series_memory *s)
{
	int i, k;

	sbuf_printf(b, "# mlasim chart memory: memory per GPU by use, GB (1 GB = 1e9 B), %s on %s\n",
		    m->display, h->display);
	sbuf_printf(b, "# deployment (first bar): %s\n# columns: 1 deployment", dep);
	for (k = 0; k < COMP_N; k++)
		sbuf_printf(b, " | %d weights: %s", k + 2, params_comp_name((enum comp)k));
	sbuf_printf(b, " | %d runtime reserve | %d kv cache | %d headroom (1 - mem-fraction)"
		    " | %d usable HBM | %d top of the bar | %d sequences of the context per GPU | %d label\n",
		    MB_RESERVE + 2, MB_KV + 2, MB_FREE + 2, MB_USABLE + 2, MB_TOP + 2, MB_COLS + 2, MB_COLS + 3);
	for (i = 0; i < s->n; i++) {
		const struct series_memory_bar *bar = &s->bar[i];
		double v[MB_COLS];
		char lab[64];
		chart_memory_cols(bar, v);
		gnuplot_dat_str(b, labels[i]);
		for (k = 0; k < MB_COLS; k++)
			num(b, v[k]);
		num(b, bar->seq_per_gpu);
		if (bar->fits)
			snprintf(lab, sizeof lab, "%.3g seq/GPU of %g tokens", bar->seq_per_gpu, d[i].context);
		else
			snprintf(lab, sizeof lab, "does not fit");
		sbuf_printf(b, " ");
		gnuplot_dat_str(b, lab);
		sbuf_printf(b, "\n");
	}
}

void chart_draw_memory(struct chart *ch, const struct model *m, const struct hw *h,
		       const struct deployment *d, const char *const *labels, const char *varied,
		       const struct series_memory *s)
{
	const char *base = gnuplot_base(ch->stem);
	char dep[512], line1[512];
	double ymax = 0;
	int used[COMP_N] = {0}, i, k, first = 1, n = s->n;

	for (i = 0; i < n; i++) {
		for (k = 0; k < COMP_N; k++)
			used[k] |= s->bar[i].comp_gb[k] > 0;
		ymax = fmax(ymax, fmax(s->bar[i].top_gb, s->bar[i].usable_gb));
	}
	chart_deploy_text(&d[0], CHART_OMIT_BATCH, dep, sizeof dep);
	chart_memory_data(&ch->dat, m, h, d, labels, dep, s);

	gnuplot_begin(&ch->gp, "memory", ch->stem);
	snprintf(line1, sizeof line1, "Memory per GPU%s%s: %s on %s", varied ? " across " : "",
		 varied ? varied : "", m->display, h->display);
	if (varied)
		chart_memory_varied(&d[0], varied, dep, sizeof dep);
	title(&ch->gp, line1, dep);
	sbuf_printf(&ch->gp, "set ylabel \"memory per GPU (GB, 1 GB = 1e9 B)\"\n");
	sbuf_printf(&ch->gp, "set style data histograms\nset style histogram rowstacked\n"
		    "set style fill solid 1.0 border rgb \"#FFFFFF\"\nset boxwidth %s relative\n",
		    n == 1 ? "0.45" : "0.6");
	sbuf_printf(&ch->gp, "set xrange [%g:%g]\nset yrange [0:%.6g]\nset grid noxtics ytics\n",
		    n == 1 ? -1.0 : -0.6, n == 1 ? 1.0 : n - 0.4, ymax * 1.12);
	sbuf_printf(&ch->gp, "set key outside below center horizontal Left reverse maxcols 3 nobox\nset xtics scale 0\n");
	gnuplot_plots_begin(&ch->gp, GNUPLOT_W, 850);
	for (k = 0; k < COMP_N; k++) {
		if (!used[k])
			continue;
		plot_sep(&ch->gp, &first);
		gnuplot_file(&ch->gp, base, ".dat");
		sbuf_printf(&ch->gp, " using %d lc rgb \"%s\" title \"weights: %s\"", k + 2, comp_color[k], params_comp_name((enum comp)k));
	}
	plot_sep(&ch->gp, &first);
	gnuplot_file(&ch->gp, base, ".dat");
	sbuf_printf(&ch->gp, " using %d lc rgb \"%s\" title \"runtime reserve\"", MB_RESERVE + 2, GNUPLOT_RESERVE);
	plot_sep(&ch->gp, &first);
	gnuplot_file(&ch->gp, base, ".dat");
	sbuf_printf(&ch->gp, " using %d lc rgb \"%s\" title \"KV cache\"", MB_KV + 2,
		    GNUPLOT_KV);
	plot_sep(&ch->gp, &first);
	gnuplot_file(&ch->gp, base, ".dat");
	sbuf_printf(&ch->gp, " using %d:xtic(1) lc rgb \"%s\" title \"headroom (1 - mem-fraction %.2g)\"",
		    MB_FREE + 2, GNUPLOT_FREE, d[0].mem_fraction);
	plot_sep(&ch->gp, &first);
	sbuf_printf(&ch->gp, "%.6g with lines ls 99 title \"usable HBM (%.4g GB)\"", s->bar[0].usable_gb,
		    s->bar[0].usable_gb);
	plot_sep(&ch->gp, &first);
	gnuplot_file(&ch->gp, base, ".dat");
	sbuf_printf(&ch->gp, " using 0:%d:%d with labels offset 0,0.9 font \",11\" notitle\n",
		    MB_TOP + 2, MB_COLS + 3);
	gnuplot_plots_end(&ch->gp);
}

/* ---- throughput --------------------------------------------------------- */

/* Column value for the solid (fits) or dashed (does not fit) part of a line:
 * the dashed part starts at the last point that fits so the two join. */
static double tp_part(const struct series_tp_line *l, int i, int dashed, double v)
{
	if (!dashed)
		return l->fits[i] ? v : NAN;
	return !l->fits[i] || (i + 1 < SERIES_BATCHES && !l->fits[i + 1]) ? v : NAN;
}

static void chart_throughput_data(struct sbuf *b, const struct model *m, const struct hw *h,
				  const char *dep, const struct series_throughput *s)
{
	int i, j, nh = s->nh;

	sbuf_printf(b, "# mlasim chart throughput: decode against batch, %s; %s\n", m->display, dep);
	sbuf_printf(b, "# one block per hardware card (gnuplot 'index'), then a block of knees\n");
	sbuf_printf(b, "# columns: 1 batch (sequences per attention group) | 2 tokens/s per GPU | 3 TPOT (ms)"
		    " | 4 tokens/s per user | 5 batch fits the KV cache (1/0) | 6 decode bound"
		    " | 7-8 columns 2-3 where it fits | 9-10 where it does not\n");
	for (j = 0; j < nh; j++) {
		const struct series_tp_line *l = &s->line[j];
		sbuf_printf(b, "# %s\n", h[j].display);
		for (i = 0; i < SERIES_BATCHES; i++) {
			sbuf_printf(b, "%g", s->batch[i]);
			num(b, l->tps_gpu[i]);
			num(b, l->tpot_ms[i]);
			num(b, l->tps_user[i]);
			sbuf_printf(b, " %d %s", l->fits[i], perf_bound_name(l->bound[i]));
			num(b, tp_part(l, i, 0, l->tps_gpu[i]));
			num(b, tp_part(l, i, 0, l->tpot_ms[i]));
			num(b, tp_part(l, i, 1, l->tps_gpu[i]));
			num(b, tp_part(l, i, 1, l->tpot_ms[i]));
			sbuf_printf(b, "\n");
		}
		sbuf_printf(b, "\n\n");
	}
	sbuf_printf(b, "# knees: 1 card (block index) | 2 batch | 3 tokens/s per GPU | 4 TPOT (ms)"
		    " | 5 why (1: no longer HBM-bound, 0: each doubling from there adds < %g%%)\n", SERIES_KNEE_GAIN * 100);
	sbuf_printf(b, "-1 NaN NaN NaN 0\n");   /* keeps the block non-empty */
	for (j = 0; j < nh; j++) {
		const struct series_tp_line *l = &s->line[j];
		if (l->knee >= 0) {
			sbuf_printf(b, "%d %g", j, s->batch[l->knee]);
			num(b, l->tps_gpu[l->knee]);
			num(b, l->tpot_ms[l->knee]);
			sbuf_printf(b, " %d\n", l->knee_bound);
		}
	}
}

void chart_draw_throughput(struct chart *ch, const struct model *m, const struct hw *h,
			   const struct deployment *d, const struct series_throughput *s)
{
	const char *base = gnuplot_base(ch->stem);
	char dep[512], line1[512], key[512];
	int i, j, first, nh = s->nh;

	chart_deploy_text(d, CHART_OMIT_BATCH, dep, sizeof dep);
	chart_throughput_data(&ch->dat, m, h, dep, s);

	gnuplot_begin(&ch->gp, "throughput", ch->stem);
	for (j = 0; j < nh; j++)
		sbuf_printf(&ch->gp, "set style line %d lc rgb \"%s\" lw 2.5 pt 7 ps 0.9\n", j + 1,
			    gnuplot_palette[j % 8]);
	sbuf_printf(&ch->gp, "set logscale x 2\nset xrange [0.8:1300]\n"
		    "set xtics (\"1\" 1, \"2\" 2, \"4\" 4, \"8\" 8, \"16\" 16, \"32\" 32, \"64\" 64,"
		    " \"128\" 128, \"256\" 256, \"512\" 512, \"1024\" 1024)\n");
	sbuf_printf(&ch->gp, "set xlabel \"batch (sequences decoding per attention group of %g GPU%s)\"\n",
		    d->tp, d->tp > 1 ? "s" : "");
	sbuf_printf(&ch->gp, "set logscale y 10\nset format y \"%%g\"\nset grid mytics\n");
	{
		size_t k = 0;
		cat(line1, sizeof line1, &k, "Decode throughput and TPOT vs batch: %s on ", m->display);
		for (j = 0; j < nh; j++)
			cat(line1, sizeof line1, &k, "%s%s", j ? ", " : "", nh == 1 ? h[j].display : h[j].name);
	}
	gnuplot_plots_begin(&ch->gp, 1500, 760);
	{
		char t[1200];
		snprintf(t, sizeof t, "%s\n%s\nknee: the first batch no longer HBM-bound, else the batch from which each doubling adds < %g%% tokens/s per GPU",
			 line1, dep, SERIES_KNEE_GAIN * 100);
		sbuf_printf(&ch->gp, "set multiplot layout 1,2 title ");
		gnuplot_str(&ch->gp, t);
		sbuf_printf(&ch->gp, " font \",13\"\n");
	}
	/* left: tokens/s per GPU, with the key */
	{
		/* room below the lines for the key: a decade and more under the lowest point */
		double lo = INFINITY, hi = 0;
		for (j = 0; j < nh; j++)
			for (i = 0; i < SERIES_BATCHES; i++)
				if (s->line[j].tps_gpu[i] > 0) {
					lo = fmin(lo, s->line[j].tps_gpu[i]);
					hi = fmax(hi, s->line[j].tps_gpu[i]);
				}
		if (hi > 0)
			sbuf_printf(&ch->gp, "set yrange [%.6g:%.6g]\n", pow(10, floor(log10(lo / (nh > 2 ? 30 : 12)))),
				    pow(10, ceil(log10(hi * 1.2))));
	}
	sbuf_printf(&ch->gp, "set ylabel \"decode tokens/s per GPU\"\nset key on bottom right Left reverse\n");
	first = 1;
	for (j = 0; j < nh; j++) {
		const struct series_tp_line *l = &s->line[j];
		if (l->knee < 0)
			snprintf(key, sizeof key, "%s: no knee up to 1024", h[j].name);
		else if (l->knee_bound)
			snprintf(key, sizeof key, "%s: knee at %g, %s-bound", h[j].name,
				 s->batch[l->knee], perf_bound_name(l->bound[l->knee]));
		else
			snprintf(key, sizeof key, "%s: knee at %g, doublings add < %g%%", h[j].name,
				 s->batch[l->knee], SERIES_KNEE_GAIN * 100);
		plot_sep(&ch->gp, &first);
		gnuplot_file(&ch->gp, base, ".dat");
		sbuf_printf(&ch->gp, " index %d using 1:7 with linespoints ls %d title ", j, j + 1);
		gnuplot_str(&ch->gp, key);
		sbuf_printf(&ch->gp, ", \\\n  \"\" index %d using 1:9 with linespoints ls %d dt 2 pt 6 notitle", j, j + 1);
		sbuf_printf(&ch->gp, ", \\\n  \"\" index %d using ($1 == %d ? $2 : NaN):3 with points pt 6 ps 3.5 lw 2 lc rgb \"%s\" notitle",
			    nh, j, gnuplot_palette[j % 8]);
	}
	sbuf_printf(&ch->gp, ", \\\n  NaN with linespoints lc rgb \"#444444\" lw 2 dt 2 pt 6 title \"batch exceeds the KV cache\"");
	sbuf_printf(&ch->gp, ", \\\n  NaN with points lc rgb \"#444444\" pt 6 ps 3 lw 2 title \"knee\"\n");
	/* right: TPOT */
	sbuf_printf(&ch->gp, "set ylabel \"TPOT (ms per output token)\"\nset key off\nset yrange [*:*]\n");
	first = 1;
	for (j = 0; j < nh; j++) {
		plot_sep(&ch->gp, &first);
		gnuplot_file(&ch->gp, base, ".dat");
		sbuf_printf(&ch->gp, " index %d using 1:8 with linespoints ls %d notitle", j, j + 1);
		sbuf_printf(&ch->gp, ", \\\n  \"\" index %d using 1:10 with linespoints ls %d dt 2 pt 6 notitle", j, j + 1);
		sbuf_printf(&ch->gp, ", \\\n  \"\" index %d using ($1 == %d ? $2 : NaN):4 with points pt 6 ps 3.5 lw 2 lc rgb \"%s\" notitle",
			    nh, j, gnuplot_palette[j % 8]);
	}
	sbuf_printf(&ch->gp, "\nunset multiplot\n");
	gnuplot_plots_end(&ch->gp);
}

/* ---- tpot --------------------------------------------------------------- */

static void chart_tpot_data(struct sbuf *b, const struct model *m, const struct hw *h, const char *dep,
			    enum series_over over, const struct series_tpot *s)
{
	int i, k;

	sbuf_printf(b, "# mlasim chart tpot: decode TPOT against %s, %s on %s\n",
		    over == SERIES_OVER_EP ? "the expert-parallel size (dp = ep / tp)" : "the NIC bandwidth",
		    m->display, h->display);
	sbuf_printf(b, "# deployment: %s\n", dep);
	sbuf_printf(b, "# columns: 1 %s | 2 TPOT (ms) | 3 computation per token (ms, operators on the GPU,"
		    " before overlap) | 4 communication per token (ms: TP all-reduce, EP dispatch and combine, PP;"
		    " before overlap) | 5 decode bound | 6 communication-bound (1/0) | 7 fits (1/0)"
		    " | 8 tokens/s per user | 9-13 ms per token by bound after overlap: compute, hbm, scale-up,"
		    " scale-out, latency\n",
		    over == SERIES_OVER_EP ? "EP size (GPUs)" : "NIC bandwidth (Gb/s per NIC)");
	for (i = 0; i < s->n; i++) {
		const struct series_tpot_point *p = &s->pt[i];
		sbuf_printf(b, "%g", p->x);
		num(b, p->tpot_ms);
		num(b, p->compute_ms > 0 ? p->compute_ms : NAN);
		num(b, p->comm_ms > 0 ? p->comm_ms : NAN);
		sbuf_printf(b, " %s %d %d", perf_bound_name(p->bound), p->comm_bound, p->fits);
		num(b, p->tps_user);
		for (k = 0; k < BOUND_KINDS; k++)
			num(b, p->bound_ms[k]);
		sbuf_printf(b, "\n");
	}
}

/* Mark where communication takes over, or lets go, along the x axis. */
static void chart_tpot_marks(struct sbuf *gp, const struct hw *h, enum series_over over,
			     const struct series_tpot *s)
{
	const char *unit = over == SERIES_OVER_EP ? "EP " : "", *sfx = over == SERIES_OVER_EP ? "" : " Gb/s";
	const struct series_tpot_point *pt = s->pt;
	int i, k = 0, n = s->n;

	for (i = 1; i < n; i++)
		if (pt[i].comm_bound != pt[i - 1].comm_bound) {
			double xm = sqrt(pt[i].x * pt[i - 1].x);
			char t[160];
			snprintf(t, sizeof t, pt[i].comm_bound ? " communication-bound from %s%g%s" :
				 " communication stops being the bound at %s%g%s", unit, pt[i].x, sfx);
			sbuf_printf(gp, "set arrow from %.6g, graph 0 to %.6g, graph 1 nohead lc rgb \"%s\" lw 2 dt 3\n",
				    xm, xm, GNUPLOT_KV);
			sbuf_printf(gp, "set label ");
			gnuplot_str(gp, t);
			sbuf_printf(gp, " at %.6g, graph 0.05 left tc rgb \"%s\"\n", xm, GNUPLOT_KV);
			k++;
		}
	if (k == 0)
		sbuf_printf(gp, "set label \" %s (decode bound: %s)\" at graph 0, graph 0.05 left tc rgb \"%s\"\n",
			    pt[0].comm_bound ? "communication-bound over the whole range" : "never communication-bound in this range",
			    perf_bound_name(pt[0].bound), pt[0].comm_bound ? GNUPLOT_KV : GNUPLOT_REF);
	if (over == SERIES_OVER_EP && h->scale_up.domain_gpus > pt[0].x && h->scale_up.domain_gpus < pt[n - 1].x) {
		double dom = h->scale_up.domain_gpus;
		sbuf_printf(gp, "set arrow from %.6g, graph 0 to %.6g, graph 1 nohead ls 99 lw 1\n", dom, dom);
		sbuf_printf(gp, "set label \" EP beyond the scale-up domain (%g GPUs): all-to-all over the NICs\" at %.6g, graph 0.11 left tc rgb \"%s\"\n",
			    dom, dom, GNUPLOT_REF);
	}
}

void chart_draw_tpot(struct chart *ch, const struct model *m, const struct hw *h,
		     const struct deployment *d, enum series_over over, const struct series_tpot *s)
{
	const char *base = gnuplot_base(ch->stem);
	char dep[512], line1[512];
	int i, n = s->n;

	chart_deploy_text(d, over == SERIES_OVER_EP ? CHART_OMIT_PAR : 0, dep, sizeof dep);
	chart_tpot_data(&ch->dat, m, h, dep, over, s);

	gnuplot_begin(&ch->gp, "tpot", ch->stem);
	if (over == SERIES_OVER_EP)
		snprintf(line1, sizeof line1, "TPOT vs expert-parallel size: %s on %s (tp %g, dp = ep / tp)",
			 m->display, h->display, d->tp);
	else
		snprintf(line1, sizeof line1, "TPOT vs scale-out bandwidth: %s on %s", m->display, h->display);
	title(&ch->gp, line1, dep);
	sbuf_printf(&ch->gp, "set logscale x 2\nset xrange [%.6g:%.6g]\nset xtics (", s->pt[0].x / 1.3,
		    s->pt[n - 1].x * 1.3);
	for (i = 0; i < n; i++)
		sbuf_printf(&ch->gp, "%s\"%g\" %g", i ? ", " : "", s->pt[i].x, s->pt[i].x);
	sbuf_printf(&ch->gp, ")\n");
	sbuf_printf(&ch->gp, "set xlabel \"%s\"\n", over == SERIES_OVER_EP ?
		    "expert-parallel size (GPUs sharing the routed experts)" :
		    "NIC bandwidth (Gb/s per NIC, per direction: scale_out.nic_gbps)");
	sbuf_printf(&ch->gp, "set ylabel \"ms per output token\"\nset logscale y 10\nset format y \"%%g\"\nset grid mytics\n");
	sbuf_printf(&ch->gp, "set key top right Left reverse\n");
	chart_tpot_marks(&ch->gp, h, over, s);
	gnuplot_plots_begin(&ch->gp, GNUPLOT_W, GNUPLOT_H);
	sbuf_printf(&ch->gp, "plot \\\n  ");
	gnuplot_file(&ch->gp, base, ".dat");
	sbuf_printf(&ch->gp, " using 1:($7 > 0 ? $2 : NaN) with linespoints lc rgb \"#000000\" lw 5 pt 7 ps 1.6 title \"TPOT%s\"",
		    s->any_nofit ? " (batch fits the KV cache)" : "");
	if (s->any_nofit)
		sbuf_printf(&ch->gp, ", \\\n  \"\" using 1:($7 > 0 ? NaN : $2) with points lc rgb \"#000000\" lw 1.5 pt 6 ps 1.4 title \"TPOT where the model or the batch does not fit\"");
	sbuf_printf(&ch->gp, ", \\\n  \"\" using 1:3 with linespoints lc rgb \"%s\" lw 2 pt 5 ps 0.8 title \"computation per token (HBM and FLOPs)\"",
		    gnuplot_palette[0]);
	if (s->any_comm)
		sbuf_printf(&ch->gp, ", \\\n  \"\" using 1:4 with linespoints lc rgb \"%s\" lw 2 pt 9 ps 1 title \"communication per token%s\"",
			    GNUPLOT_KV, d->w.micro_batches > 1 ? " (hidden behind computation while below it)" : "");
	sbuf_printf(&ch->gp, "\n");
	gnuplot_plots_end(&ch->gp);
}

/* ---- roofline ----------------------------------------------------------- */

/* Write a phase's operators as "I TFLOP/s name dtype us bound class" rows,
 * a NaN row when there are none, and widen [lo, hi] and ylo. */
static void chart_roof_ops(struct sbuf *b, const struct series_roof_op *op, int n, double *lo, double *hi,
			   double *ylo)
{
	int i;

	for (i = 0; i < n; i++) {
		*lo = fmin(*lo, op[i].intensity);
		*hi = fmax(*hi, op[i].intensity);
		*ylo = fmin(*ylo, op[i].tflops);
		sbuf_printf(b, "%.6g %.6g ", op[i].intensity, op[i].tflops);
		gnuplot_dat_str(b, op[i].name);
		sbuf_printf(b, " %s %.6g %s %d\n", kern_dtype_name(op[i].dtype), op[i].time_s * 1e6,
			    perf_bound_name(op[i].bound), (int)op[i].cls);
	}
	if (n == 0)
		sbuf_printf(b, "NaN NaN \"\" - NaN - -1\n");
	sbuf_printf(b, "\n\n");
}

void chart_draw_roofline(struct chart *ch, const struct model *m, const struct hw *h,
			 const struct deployment *d, const struct series_roofline *s)
{
	double bw = s->hbm_bw, lo = INFINITY, hi = 0, ylo = INFINITY, yhi = 0, angle;
	int nd = s->nroofs, k, first = 1;
	struct sbuf ops = {0};
	const char *base = gnuplot_base(ch->stem);
	char dep[512], line1[512];

	for (k = 0; k < nd; k++) {
		lo = fmin(lo, s->peak[k] / bw);
		hi = fmax(hi, s->peak[k] / bw);
		yhi = fmax(yhi, s->peak[k] / 1e12);
	}
	sbuf_printf(&ops, "# decode operators: 1 FLOP per HBM byte | 2 achieved TFLOP/s | 3 operator | 4 dtype"
		    " | 5 us per occurrence | 6 bound | 7 class (0 attention projections, 1 attention core,"
		    " 2 dense ffn, 3 router, 4 shared experts, 5 routed experts, 6 output head, 7 mtp module)\n");
	chart_roof_ops(&ops, s->op[0], s->nops[0], &lo, &hi, &ylo);
	sbuf_printf(&ops, "# prefill operators (same columns)\n");
	chart_roof_ops(&ops, s->op[1], s->nops[1], &lo, &hi, &ylo);
	chart_deploy_text(d, 0, dep, sizeof dep);
	/* whole decades around the operators and the ridge points */
	lo = pow(10, floor(log10(lo / 2)));
	hi = pow(10, ceil(log10(hi * 2)));
	ylo = pow(10, floor(log10(fmin(ylo, lo * bw / 1e12) / 1.5)));
	/* cppcheck-suppress invalidFunctionArg ; yhi > 0: every card has a bf16 peak (hw.c: required, positive) */
	yhi = pow(10, ceil(log10(yhi * 1.5)));

	sbuf_printf(&ch->dat, "# mlasim chart roofline: %s GPU, operators of %s (%s)\n", h->display,
		    m->display, dep);
	sbuf_printf(&ch->dat, "# rooflines, one block per dtype: 1 FLOP per HBM byte | 2 TFLOP/s"
		    " (min(peak, intensity x %.4g TB/s))\n", bw / 1e12);
	for (k = 0; k < nd; k++) {
		double pk = s->peak[k] / 1e12, ridge = s->peak[k] / bw;
		sbuf_printf(&ch->dat, "# %s: peak %.6g TFLOP/s, ridge %.4g FLOP/B\n", kern_dtype_name(s->roof[k]), pk, ridge);
		sbuf_printf(&ch->dat, "%.6g %.6g\n%.6g %.6g\n%.6g %.6g\n\n\n", lo, lo * bw / 1e12, ridge, pk, hi, pk);
	}
	sbuf_add(&ch->dat, ops.data ? ops.data : "", ops.len);
	ch->dat.oom |= ops.oom;
	sbuf_free(&ops);

	gnuplot_begin(&ch->gp, "roofline", ch->stem);
	snprintf(line1, sizeof line1, "Roofline of %s with the operators of %s", h->display, m->display);
	title(&ch->gp, line1, dep);
	sbuf_printf(&ch->gp, "set logscale xy 10\nset format x \"%%g\"\nset format y \"%%g\"\n"
		    "set xrange [%.6g:%.6g]\nset yrange [%.6g:%.6g]\nset grid mxtics mytics\n", lo, hi, ylo, yhi);
	sbuf_printf(&ch->gp, "set xlabel \"arithmetic intensity (FLOP per HBM byte)\"\n"
		    "set ylabel \"FLOP/s per GPU (TFLOP/s, 1e12; achieved = FLOPs / operator time)\"\n");
	sbuf_printf(&ch->gp, "set key bottom right Left reverse\n");
	for (k = 0; k < nd; k++) {
		double pk = s->peak[k] / 1e12;
		sbuf_printf(&ch->gp, "set label \"%s %.4g TFLOP/s\" at %.6g, %.6g right offset -0.5,0.75 tc rgb \"#333333\"\n",
			    kern_dtype_name(s->roof[k]), pk, hi, pk);
	}
	/* the HBM slope's angle on the page: plot area about (W - 170) x (H - 190) pixels */
	angle = atan(((800.0 - 190) / log10(yhi / ylo)) / ((GNUPLOT_W - 170.0) / log10(hi / lo))) * 45 / atan(1.0);
	sbuf_printf(&ch->gp, "set label \"HBM %.3g TB/s\" at %.6g, %.6g left rotate by %.1f offset 0,1 tc rgb \"#333333\"\n",
		    bw / 1e12, lo * 2, lo * 2 * bw / 1e12, angle);
	gnuplot_plots_begin(&ch->gp, GNUPLOT_W, 800);
	for (k = 0; k < nd; k++) {
		plot_sep(&ch->gp, &first);
		gnuplot_file(&ch->gp, base, ".dat");
		sbuf_printf(&ch->gp, " index %d using 1:2 with lines lc rgb \"%s\" lw 2.5 dt %d title \"%s roofline: %.4g TFLOP/s, ridge %.0f FLOP/B\"",
			    k, k == 0 ? "#000000" : k == 1 ? "#666666" : "#999999", k + 1, kern_dtype_name(s->roof[k]),
			    s->peak[k] / 1e12, s->peak[k] / bw);
	}
	for (k = 0; k < OPC_CLASSES; k++) {
		if (perf_class_is_comm((enum opclass)k) || !(s->classes & (1u << k)))
			continue;
		sbuf_printf(&ch->gp, ", \\\n  \"\" index %d using 1:($7 == %d ? $2 : NaN) with points pt 7 ps 1.6 lc rgb \"%s\" title \"%s\"",
			    nd, k, gnuplot_palette[k % 8], perf_class_name((enum opclass)k));
		sbuf_printf(&ch->gp, ", \\\n  \"\" index %d using 1:($7 == %d ? $2 : NaN) with points pt 6 ps 1.6 lw 2 lc rgb \"%s\" notitle",
			    nd + 1, k, gnuplot_palette[k % 8]);
	}
	sbuf_printf(&ch->gp, ", \\\n  NaN with points pt 7 ps 1.6 lc rgb \"#444444\" title \"filled: decode (%d operators)\"", s->nops[0]);
	sbuf_printf(&ch->gp, ", \\\n  NaN with points pt 6 ps 1.6 lw 2 lc rgb \"#444444\" title \"open: prefill (%d operators)\"\n", s->nops[1]);
	gnuplot_plots_end(&ch->gp);
}

/* ---- power -------------------------------------------------------------- */

static void chart_power_data(struct sbuf *b, const struct model *m, const struct hw *h, const char *dep,
			     int per_node, const struct series_power *s)
{
	static const char *const bar[3] = {"decode", "prefill", "full load (every GPU at TDP)"};
	const struct power *w = &s->w;
	const char *unit = per_node ? "node" : "rack";
	char t[256];
	int i, k;

	sbuf_printf(b, "# mlasim chart power: kW per %s, %s on %s (%s)\n", unit, m->display, h->display, dep);
	sbuf_printf(b, "# a %s: %g node(s) of %g GPUs; GPU %.0f W decode, %.0f W prefill, TDP %.0f W, idle %.0f W;"
		    " PUE %.3g\n", unit, s->scale, w->node_gpus, w->gpu_decode_w, w->gpu_prefill_w, w->tdp_w,
		    w->idle_w, w->pue);
	if (isnan(s->switch_w_per_gpu))
		sbuf_printf(b, "# network switches: unknown (the card gives no scale_out.switch_w)\n");
	else
		sbuf_printf(b, "# network switches: %.1f W per GPU, a fat tree for %g GPUs\n", s->switch_w_per_gpu,
			    s->fabric_gpus);
	sbuf_printf(b, "# columns: 1 load | 2 GPUs (kW) | 3 rest of the node: CPUs, memory, NICs, fans (kW)"
		    " | 4 network switches' share (kW) | 5 facility overhead (PUE - 1) x IT (kW) | 6 total (kW) | 7 label\n");
	for (i = 0; i < 3; i++) {
		const double *v = s->kw[i];
		gnuplot_dat_str(b, bar[i]);
		for (k = 0; k < SERIES_PW_PARTS; k++)
			num(b, v[k]);
		snprintf(t, sizeof t, "%.3g kW (IT %.3g)", v[SERIES_PW_TOTAL], v[SERIES_PW_TOTAL] - v[SERIES_PW_FACILITY]);
		sbuf_printf(b, " ");
		gnuplot_dat_str(b, t);
		sbuf_printf(b, "\n");
	}
}

void chart_draw_power(struct chart *ch, const struct model *m, const struct hw *h,
		      const struct deployment *d, int per_node, const struct series_power *s)
{
	const struct power *w = &s->w;
	const char *base = gnuplot_base(ch->stem), *unit = per_node ? "node" : "rack";
	double ymax = 0, scale = s->scale, sw = s->switch_w_per_gpu;
	char dep[512], line1[512], t[256];
	int i;

	for (i = 0; i < 3; i++)
		ymax = fmax(ymax, s->kw[i][SERIES_PW_TOTAL]);
	chart_deploy_text(d, 0, dep, sizeof dep);
	chart_power_data(&ch->dat, m, h, dep, per_node, s);

	gnuplot_begin(&ch->gp, "power", ch->stem);
	snprintf(line1, sizeof line1, "Power per %s: %s on %s (%g x %g-GPU node%s)", unit, m->display,
		 h->display, scale, w->node_gpus, scale == 1 ? "" : "s");
	title(&ch->gp, line1, dep);
	sbuf_printf(&ch->gp, "set ylabel \"kW per %s\"\n", unit);
	sbuf_printf(&ch->gp, "set style data histograms\nset style histogram rowstacked\n"
		    "set style fill solid 1.0 border rgb \"#FFFFFF\"\nset boxwidth 0.55 relative\n"
		    "set xrange [-0.6:2.6]\nset grid noxtics ytics\nset xtics scale 0\n"
		    "set key outside below center horizontal Left reverse maxcols 3 nobox\n");
	if (!per_node) {
		ymax = fmax(ymax, w->air_limit_kw);
		if (isfinite(w->rack_limit_kw))
			ymax = fmax(ymax, w->rack_limit_kw);
	}
	sbuf_printf(&ch->gp, "set yrange [0:%.6g]\n", ymax * 1.15);
	gnuplot_plots_begin(&ch->gp, GNUPLOT_W, 820);
	if (scale == 1)
		snprintf(t, sizeof t, "GPUs (%g)", w->node_gpus);
	else
		snprintf(t, sizeof t, "GPUs (%g nodes x %g)", scale, w->node_gpus);
	sbuf_printf(&ch->gp, "plot \\\n  ");
	gnuplot_file(&ch->gp, base, ".dat");
	sbuf_printf(&ch->gp, " using 2 lc rgb \"%s\" title \"%s\"", gnuplot_palette[0], t);
	if (w->warnings & PW_NO_NODE)
		sbuf_printf(&ch->gp, ", \\\n  \"\" using 3 lc rgb \"%s\" title \"rest of the node: unknown (no node.max_kw or node.cpu_w), 0 W\"",
			    gnuplot_palette[5]);
	else
		sbuf_printf(&ch->gp, ", \\\n  \"\" using 3 lc rgb \"%s\" title \"rest of the node (%.0f W: CPUs, memory, NICs, fans)\"",
			    gnuplot_palette[5], w->node_rest_w);
	if (isnan(sw))
		sbuf_printf(&ch->gp, ", \\\n  NaN with boxes lc rgb \"#FFFFFF\" title \"network switches: unknown (no scale_out.switch_w)\"");
	else
		sbuf_printf(&ch->gp, ", \\\n  \"\" using 4 lc rgb \"%s\" title \"network switches (share of a fabric for %g GPUs)\"",
			    gnuplot_palette[2], s->fabric_gpus);
	sbuf_printf(&ch->gp, ", \\\n  \"\" using 5:xtic(1) lc rgb \"%s\" title \"facility overhead (PUE %.3g - 1) x IT%s\"",
		    gnuplot_palette[4], w->pue, per_node ? "" : ", outside the rack");
	if (!per_node) {
		sbuf_printf(&ch->gp, ", \\\n  %.6g with lines ls 99 title \"air-cooling limit (%.3g kW of IT per rack)\"",
			    w->air_limit_kw, w->air_limit_kw);
		if (isfinite(w->rack_limit_kw))
			sbuf_printf(&ch->gp, ", \\\n  %.6g with lines lc rgb \"%s\" lw 2 dt 4 title \"rack power limit (%.4g kW of IT)\"",
				    w->rack_limit_kw, gnuplot_palette[1], w->rack_limit_kw);
	}
	sbuf_printf(&ch->gp, ", \\\n  \"\" using 0:6:7 with labels offset 0,0.9 font \",11\" notitle\n");
	gnuplot_plots_end(&ch->gp);
}

/* ---- topology ----------------------------------------------------------- */

static void chart_topology_data(struct sbuf *b, const struct hw *h, const struct series_topology *s)
{
	int i, k;

	sbuf_printf(b, "# mlasim chart topology: non-blocking fat trees of %g-port switches for %s\n",
		    s->radix, h->display);
	sbuf_printf(b, "# endpoints = GPUs x %g NIC port(s); MPFT: %g planes; NaN: does not fit that kind\n",
		    s->ports, s->planes);
	sbuf_printf(b, "# columns: 1 GPUs | 2-4 switches: FT2, MPFT, FT3 | 5-7 cost per endpoint (USD): FT2, MPFT, FT3\n");
	for (i = 0; i < s->n; i++) {
		sbuf_printf(b, "%g", s->gpus[i]);
		for (k = 0; k < 3; k++)
			num(b, s->switches[i][k]);
		for (k = 0; k < 3; k++)
			num(b, s->cost_usd[i][k]);
		sbuf_printf(b, "\n");
	}
}

void chart_draw_topology(struct chart *ch, const struct hw *h, const struct series_topology *s)
{
	const char *base = gnuplot_base(ch->stem);
	const double *g = s->gpus;
	char line1[512], line2[512];
	int i, k, n = s->n;

	chart_topology_data(&ch->dat, h, s);

	gnuplot_begin(&ch->gp, "topology", ch->stem);
	snprintf(line1, sizeof line1, "Scale-out fabric vs GPU count: %s (%g-port switches, %g NIC port%s per GPU)",
		 h->display, s->radix, s->ports, s->ports == 1 ? "" : "s");
	snprintf(line2, sizeof line2, "non-blocking fat trees: FT2 two layers, MPFT %g planes of FT2, FT3 three layers", s->planes);
	for (k = 0; k < 3; k++)
		sbuf_printf(&ch->gp, "set style line %d lc rgb \"%s\" lw %s pt %d ps 1\n", k + 1,
			    gnuplot_palette[k], k == 0 ? "5" : "2.5", k == 0 ? 7 : k == 1 ? 5 : 9);
	sbuf_printf(&ch->gp, "set logscale x 2\nset xrange [%.6g:%.6g]\nset xtics rotate by -30 (", g[0] / 1.4, g[n - 1] * 1.4);
	for (i = 0; i < n; i++)
		sbuf_printf(&ch->gp, "%s\"%g\" %g", i ? ", " : "", g[i], g[i]);
	sbuf_printf(&ch->gp, ")\n");
	if (!s->have_cost) {
		/* one panel: switches only */
		snprintf(line2 + strlen(line2), sizeof line2 - strlen(line2), "; no cost: the card gives no switch or link prices");
		title(&ch->gp, line1, line2);
		gnuplot_plots_begin(&ch->gp, GNUPLOT_W, GNUPLOT_H);
	} else {
		char t[1100];
		gnuplot_plots_begin(&ch->gp, 1500, 700);
		snprintf(t, sizeof t, "%s\n%s", line1, line2);
		sbuf_printf(&ch->gp, "set multiplot layout 1,2 title ");
		gnuplot_str(&ch->gp, t);
		sbuf_printf(&ch->gp, " font \",13\"\n");
	}
	sbuf_printf(&ch->gp, "set xlabel \"GPUs\"\nset ylabel \"switches\"\nset logscale y 10\nset yrange [*:*]\n"
		    "set offsets 0, 0, 0, 0\nset format y \"%%g\"\nset key on top left Left reverse\n");
	sbuf_printf(&ch->gp, "plot ");
	gnuplot_file(&ch->gp, base, ".dat");
	sbuf_printf(&ch->gp, " using 1:2 with linespoints ls 1 title \"FT2 (up to %.0f endpoints)\", \\\n"
		    "  \"\" using 1:3 with linespoints ls 2 title \"MPFT (up to %.0f)\", \\\n"
		    "  \"\" using 1:4 with linespoints ls 3 title \"FT3 (up to %.0f)\"\n",
		    s->max_endpoints[0], s->max_endpoints[1], s->max_endpoints[2]);
	if (s->have_cost) {
		sbuf_printf(&ch->gp, "unset logscale y\nset ylabel \"cost per endpoint (USD: switches and links)\"\n"
			    "set key bottom right Left reverse\nset offsets 0, 0, graph 0.06, 0\n");
		sbuf_printf(&ch->gp, "set yrange [0:*]\nplot ");
		gnuplot_file(&ch->gp, base, ".dat");
		sbuf_printf(&ch->gp, " using 1:5 with linespoints ls 1 title \"FT2\", \\\n"
			    "  \"\" using 1:6 with linespoints ls 2 title \"MPFT\", \\\n"
			    "  \"\" using 1:7 with linespoints ls 3 title \"FT3\"\n");
		sbuf_printf(&ch->gp, "unset multiplot\n");
	}
	gnuplot_plots_end(&ch->gp);
}
