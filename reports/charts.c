/* charts.c - see charts.h */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../sim/topo.h"
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

/* A plan on the heap (a few tens of KB: too big for a small stack). */
static struct plan *plan_new(struct err *e)
{
	struct plan *p = malloc(sizeof *p);

	if (!p)
		err_set(e, EXIT_ENV, "out of memory");
	return p;
}

/* "plot" the first time, ", \\\n  " after. */
static void plot_sep(struct sbuf *gp, int *first)
{
	sbuf_printf(gp, *first ? "plot \\\n  " : ", \\\n  ");
	*first = 0;
}

/* ---- memory ------------------------------------------------------------- */

/* Colours of the weight components, the same in every memory chart. */
static const char *const comp_color[COMP_N] = {
	"#E69F00", "#0072B2", "#000000", "#CC79A7", "#F0E442", "#009E73",
	"#56B4E9", "#8C6D31", "#7570B3",
};

/* Columns of a memory bar after the label: weights by component, then these. */
enum { MB_RESERVE = COMP_N, MB_KV, MB_FREE, MB_USABLE, MB_TOP, MB_COLS };

int chart_memory(struct chart *ch, const struct model *m, const struct hw *h,
		 const struct deployment *d, const char *const *labels, int n,
		 const char *varied, struct err *e)
{
	static double v[CHART_MAX_LIST][MB_COLS];
	double seq[CHART_MAX_LIST], ymax = 0;
	int fits[CHART_MAX_LIST], used[COMP_N] = {0}, i, k, first = 1;
	struct plan *p = plan_new(e);
	const char *base = gnuplot_base(ch->stem);
	char dep[512], line1[512];

	if (!p)
		return e->code;
	if (n < 1 || n > CHART_MAX_LIST) {
		free(p);
		return err_set(e, EXIT_USAGE, "'chart memory' draws 1 to %d bars, got %d", CHART_MAX_LIST, n);
	}
	for (i = 0; i < n; i++) {
		const struct memory *mem = &p->mem;
		if (plan_compute(m, h, &d[i], NULL, p, e)) {
			free(p);
			return e->code;
		}
		v[i][MB_TOP] = 0;
		for (k = 0; k < COMP_N; k++) {
			v[i][k] = mem->comp_bytes_per_gpu[k] / 1e9;
			used[k] |= v[i][k] > 0;
		}
		v[i][MB_RESERVE] = mem->reserve_bytes / 1e9;
		v[i][MB_KV] = mem->kv_bytes_per_gpu / 1e9;
		v[i][MB_FREE] = mem->free_bytes_per_gpu / 1e9;
		v[i][MB_USABLE] = mem->hbm_usable_bytes / 1e9;
		for (k = 0; k < MB_USABLE; k++)
			v[i][MB_TOP] += v[i][k];
		ymax = fmax(ymax, fmax(v[i][MB_TOP], v[i][MB_USABLE]));
		seq[i] = mem->max_sequences_per_gpu;
		fits[i] = mem->fits;
	}
	free(p);
	chart_deploy_text(&d[0], CHART_OMIT_BATCH, dep, sizeof dep);

	sbuf_printf(&ch->dat, "# mlasim chart memory: memory per GPU by use, GB (1 GB = 1e9 B), %s on %s\n",
		    m->display, h->display);
	sbuf_printf(&ch->dat, "# deployment (first bar): %s\n# columns: 1 deployment", dep);
	for (k = 0; k < COMP_N; k++)
		sbuf_printf(&ch->dat, " | %d weights: %s", k + 2, params_comp_name((enum comp)k));
	sbuf_printf(&ch->dat, " | %d runtime reserve | %d kv cache | %d headroom (1 - mem-fraction)"
		    " | %d usable HBM | %d top of the bar | %d sequences of the context per GPU | %d label\n",
		    MB_RESERVE + 2, MB_KV + 2, MB_FREE + 2, MB_USABLE + 2, MB_TOP + 2, MB_COLS + 2, MB_COLS + 3);
	for (i = 0; i < n; i++) {
		char lab[64];
		gnuplot_dat_str(&ch->dat, labels[i]);
		for (k = 0; k < MB_COLS; k++)
			num(&ch->dat, v[i][k]);
		num(&ch->dat, seq[i]);
		if (fits[i])
			snprintf(lab, sizeof lab, "%.3g seq/GPU of %g tokens", seq[i], d[i].context);
		else
			snprintf(lab, sizeof lab, "does not fit");
		sbuf_printf(&ch->dat, " ");
		gnuplot_dat_str(&ch->dat, lab);
		sbuf_printf(&ch->dat, "\n");
	}

	gnuplot_begin(&ch->gp, "memory", ch->stem);
	snprintf(line1, sizeof line1, "Memory per GPU%s%s: %s on %s", varied ? " across " : "",
		 varied ? varied : "", m->display, h->display);
	if (varied) {
		/* the parallelism that stays, the varied degrees named as such */
		static const char *const par[4] = {"tp", "dp", "pp", "ep"};
		const double pv[4] = {d[0].tp, d[0].dp, d[0].pp, d[0].ep};
		char rest[400];
		size_t q = 0;
		chart_deploy_text(&d[0], CHART_OMIT_PAR | CHART_OMIT_BATCH, rest, sizeof rest);
		dep[0] = 0;
		for (k = 0; k < 4; k++) {
			if (strstr(varied, par[k]))
				cat(dep, sizeof dep, &q, "%s%s per bar", k == 3 ? ", " : k ? " x " : "", par[k]);
			else
				cat(dep, sizeof dep, &q, "%s%s %g", k == 3 ? ", " : k ? " x " : "", par[k], pv[k]);
		}
		cat(dep, sizeof dep, &q, ", %s", rest);
	}
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
	sbuf_printf(&ch->gp, "%.6g with lines ls 99 title \"usable HBM (%.4g GB)\"", v[0][MB_USABLE],
		    v[0][MB_USABLE]);
	plot_sep(&ch->gp, &first);
	gnuplot_file(&ch->gp, base, ".dat");
	sbuf_printf(&ch->gp, " using 0:%d:%d with labels offset 0,0.9 font \",11\" notitle\n",
		    MB_TOP + 2, MB_COLS + 3);
	gnuplot_plots_end(&ch->gp);
	return 0;
}

/* ---- throughput --------------------------------------------------------- */

struct tp_line {
	double tps[CHART_BATCHES], tpot[CHART_BATCHES], user[CHART_BATCHES];
	int fits[CHART_BATCHES];
	enum bound bound[CHART_BATCHES];
	int knee;                  /* index of the knee, -1: none */
	int knee_bound;            /* 1: stopped being HBM-bound; 0: gain threshold */
};

/* The knee of one line (see charts.h). */
static void tp_knee(struct tp_line *l)
{
	int i;

	l->knee = -1;
	for (i = 1; i < CHART_BATCHES; i++)
		if (l->bound[i - 1] == BOUND_HBM && l->bound[i] != BOUND_HBM) {
			l->knee = i;
			l->knee_bound = 1;
			return;
		}
	/* the first batch from which no doubling gains CHART_KNEE_GAIN any more
	 * (a flat step early on, such as where micro-batching starts, is no knee) */
	for (i = CHART_BATCHES - 1; i > 0 && l->tps[i] < l->tps[i - 1] * (1 + CHART_KNEE_GAIN); i--)
		;
	if (i < CHART_BATCHES - 1) {
		l->knee = i;
		l->knee_bound = 0;
	}
}

/* Column value for the solid (fits) or dashed (does not fit) part of a line:
 * the dashed part starts at the last point that fits so the two join. */
static double tp_part(const struct tp_line *l, int i, int dashed, double v)
{
	if (!dashed)
		return l->fits[i] ? v : NAN;
	return !l->fits[i] || (i + 1 < CHART_BATCHES && !l->fits[i + 1]) ? v : NAN;
}

int chart_throughput(struct chart *ch, const struct model *m, const struct hw *h, int nh,
		     const struct deployment *d, struct err *e)
{
	static struct tp_line line[CHART_MAX_HW];
	struct plan *p;
	const char *base = gnuplot_base(ch->stem);
	char dep[512], line1[512], key[512];
	int i, j, first;

	if (nh < 1 || nh > CHART_MAX_HW)
		return err_set(e, EXIT_USAGE, "'chart throughput' compares 1 to %d hardware cards, got %d",
			       CHART_MAX_HW, nh);
	if (!(p = plan_new(e)))
		return e->code;
	for (j = 0; j < nh; j++) {
		for (i = 0; i < CHART_BATCHES; i++) {
			struct deployment di = *d;
			di.w.batch = ldexp(1, i);
			di.w.micro_batches = fmin(d->w.micro_batches, di.w.batch);
			di.w.decode_only = 1;
			if (plan_compute(m, &h[j], &di, NULL, p, e)) {
				free(p);
				return e->code;
			}
			line[j].tps[i] = p->perf.decode_tps_gpu;
			line[j].tpot[i] = p->perf.tpot_s * 1e3;
			line[j].user[i] = p->perf.decode_tps_user;
			line[j].fits[i] = p->mem.fits && p->batch_fits;
			line[j].bound[i] = p->perf.decode.bound;
		}
		tp_knee(&line[j]);
	}
	free(p);
	chart_deploy_text(d, CHART_OMIT_BATCH, dep, sizeof dep);

	sbuf_printf(&ch->dat, "# mlasim chart throughput: decode against batch, %s; %s\n", m->display, dep);
	sbuf_printf(&ch->dat, "# one block per hardware card (gnuplot 'index'), then a block of knees\n");
	sbuf_printf(&ch->dat, "# columns: 1 batch (sequences per attention group) | 2 tokens/s per GPU | 3 TPOT (ms)"
		    " | 4 tokens/s per user | 5 batch fits the KV cache (1/0) | 6 decode bound"
		    " | 7-8 columns 2-3 where it fits | 9-10 where it does not\n");
	for (j = 0; j < nh; j++) {
		sbuf_printf(&ch->dat, "# %s\n", h[j].display);
		for (i = 0; i < CHART_BATCHES; i++) {
			sbuf_printf(&ch->dat, "%g", ldexp(1, i));
			num(&ch->dat, line[j].tps[i]);
			num(&ch->dat, line[j].tpot[i]);
			num(&ch->dat, line[j].user[i]);
			sbuf_printf(&ch->dat, " %d %s", line[j].fits[i], perf_bound_name(line[j].bound[i]));
			num(&ch->dat, tp_part(&line[j], i, 0, line[j].tps[i]));
			num(&ch->dat, tp_part(&line[j], i, 0, line[j].tpot[i]));
			num(&ch->dat, tp_part(&line[j], i, 1, line[j].tps[i]));
			num(&ch->dat, tp_part(&line[j], i, 1, line[j].tpot[i]));
			sbuf_printf(&ch->dat, "\n");
		}
		sbuf_printf(&ch->dat, "\n\n");
	}
	sbuf_printf(&ch->dat, "# knees: 1 card (block index) | 2 batch | 3 tokens/s per GPU | 4 TPOT (ms)"
		    " | 5 why (1: no longer HBM-bound, 0: each doubling from there adds < %g%%)\n", CHART_KNEE_GAIN * 100);
	sbuf_printf(&ch->dat, "-1 NaN NaN NaN 0\n");   /* keeps the block non-empty */
	for (j = 0; j < nh; j++)
		if (line[j].knee >= 0) {
			sbuf_printf(&ch->dat, "%d %g", j, ldexp(1, line[j].knee));
			num(&ch->dat, line[j].tps[line[j].knee]);
			num(&ch->dat, line[j].tpot[line[j].knee]);
			sbuf_printf(&ch->dat, " %d\n", line[j].knee_bound);
		}

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
			 line1, dep, CHART_KNEE_GAIN * 100);
		sbuf_printf(&ch->gp, "set multiplot layout 1,2 title ");
		gnuplot_str(&ch->gp, t);
		sbuf_printf(&ch->gp, " font \",13\"\n");
	}
	/* left: tokens/s per GPU, with the key */
	{
		/* room below the lines for the key: a decade and more under the lowest point */
		double lo = INFINITY, hi = 0;
		for (j = 0; j < nh; j++)
			for (i = 0; i < CHART_BATCHES; i++)
				if (line[j].tps[i] > 0) {
					lo = fmin(lo, line[j].tps[i]);
					hi = fmax(hi, line[j].tps[i]);
				}
		if (hi > 0)
			sbuf_printf(&ch->gp, "set yrange [%.6g:%.6g]\n", pow(10, floor(log10(lo / (nh > 2 ? 30 : 12)))),
				    pow(10, ceil(log10(hi * 1.2))));
	}
	sbuf_printf(&ch->gp, "set ylabel \"decode tokens/s per GPU\"\nset key on bottom right Left reverse\n");
	first = 1;
	for (j = 0; j < nh; j++) {
		const struct tp_line *l = &line[j];
		if (l->knee < 0)
			snprintf(key, sizeof key, "%s: no knee up to 1024", h[j].name);
		else if (l->knee_bound)
			snprintf(key, sizeof key, "%s: knee at %g, %s-bound", h[j].name,
				 ldexp(1, l->knee), perf_bound_name(l->bound[l->knee]));
		else
			snprintf(key, sizeof key, "%s: knee at %g, doublings add < %g%%", h[j].name,
				 ldexp(1, l->knee), CHART_KNEE_GAIN * 100);
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
	return 0;
}

/* ---- tpot --------------------------------------------------------------- */

#define TPOT_MAX 24

/* Default x values: EP sizes tp, 2tp, ... up to the experts (and, without a
 * scale-out network, the scale-up domain); NIC Gb/s 100..6400. */
static int tpot_defaults(const struct model *m, const struct hw *h, const struct deployment *d,
			 enum chart_over over, double *x)
{
	double v, most = m->experts + d->redundant_experts;
	int n = 0;

	if (over == CHART_OVER_NIC) {
		for (v = 100; v <= 6400 && n < TPOT_MAX; v *= 2)
			x[n++] = v;
		return n;
	}
	if (isnan(h->scale_out.nic_bw) && h->scale_up.domain_gpus > 0)
		most = fmin(most, h->scale_up.domain_gpus);
	for (v = d->tp; v <= most && n < TPOT_MAX; v *= 2)
		x[n++] = v;
	return n;
}

int chart_tpot(struct chart *ch, const struct model *m, const struct hw *h,
	       const struct deployment *d, enum chart_over over, const double *xin, int n,
	       struct err *e)
{
	double x[TPOT_MAX], tpot[TPOT_MAX], comp[TPOT_MAX], comm[TPOT_MAX], user[TPOT_MAX];
	double part[TPOT_MAX][BOUND_KINDS];
	int fits[TPOT_MAX], cb[TPOT_MAX], i, k, any_comm = 0, any_nofit = 0;
	enum bound bnd[TPOT_MAX];
	struct plan *p;
	struct hw *hv;
	const char *base = gnuplot_base(ch->stem);
	const char *unit = over == CHART_OVER_EP ? "EP " : "", *sfx = over == CHART_OVER_EP ? "" : " Gb/s";
	char dep[512], line1[512];

	if (!m->is_moe && over == CHART_OVER_EP)
		return err_set(e, EXIT_INPUT, "%s: 'chart tpot --over ep' needs a MoE model", m->path);
	if (xin) {
		if (n < 1 || n > TPOT_MAX)
			return err_set(e, EXIT_USAGE, "'--values' takes 1 to %d values, got %d", TPOT_MAX, n);
		memcpy(x, xin, (size_t)n * sizeof *x);
	} else {
		n = tpot_defaults(m, h, d, over, x);
	}
	if (n < 1)
		return err_set(e, EXIT_USAGE, "no EP size from '--tp %g' up to the %g experts", d->tp, m->experts);
	for (i = 0; i < n; i++) {
		if (!(x[i] > 0))
			return err_set(e, EXIT_USAGE, "'--values' must be positive, got %g", x[i]);
		if (i > 0 && x[i] <= x[i - 1])
			return err_set(e, EXIT_USAGE, "'--values' must be increasing, got %g after %g",
				       x[i], x[i - 1]);
		if (over == CHART_OVER_EP && fmod(x[i], d->tp) != 0)
			return err_set(e, EXIT_USAGE, "EP size %g is not a multiple of '--tp %g' (dp = ep / tp)",
				       x[i], d->tp);
	}
	p = plan_new(e);
	hv = malloc(sizeof *hv);
	if (!p || !hv) {
		free(p);
		free(hv);
		return err_set(e, EXIT_ENV, "out of memory");
	}
	for (i = 0; i < n; i++) {
		struct deployment di = *d;
		const struct perf *f = &p->perf;
		*hv = *h;
		if (over == CHART_OVER_EP) {
			di.ep = x[i];
			di.dp = x[i] / d->tp;
		} else {
			hv->scale_out.nic_bw = x[i] * 1e9 / 8;
		}
		di.w.decode_only = 1;
		if (plan_compute(m, hv, &di, NULL, p, e)) {
			free(p);
			free(hv);
			return e->code;
		}
		tpot[i] = f->tpot_s * 1e3;
		user[i] = f->decode_tps_user;
		comp[i] = comm[i] = 0;
		for (k = 0; k < OPC_CLASSES; k++) {
			double ms = f->decode.t_class[k] / f->tokens_per_step * 1e3;
			if (perf_class_is_comm((enum opclass)k))
				comm[i] += ms;
			else
				comp[i] += ms;
		}
		for (k = 0; k < BOUND_KINDS; k++)
			part[i][k] = f->decode.t_bound[k] / f->tokens_per_step * 1e3;
		bnd[i] = f->decode.bound;
		cb[i] = perf_bound_is_comm(bnd[i]);
		fits[i] = p->mem.fits && p->batch_fits;
		any_comm |= comm[i] > 0;
		any_nofit |= !fits[i];
	}
	free(p);
	free(hv);
	chart_deploy_text(d, over == CHART_OVER_EP ? CHART_OMIT_PAR : 0, dep, sizeof dep);

	sbuf_printf(&ch->dat, "# mlasim chart tpot: decode TPOT against %s, %s on %s\n",
		    over == CHART_OVER_EP ? "the expert-parallel size (dp = ep / tp)" : "the NIC bandwidth",
		    m->display, h->display);
	sbuf_printf(&ch->dat, "# deployment: %s\n", dep);
	sbuf_printf(&ch->dat, "# columns: 1 %s | 2 TPOT (ms) | 3 computation per token (ms, operators on the GPU,"
		    " before overlap) | 4 communication per token (ms: TP all-reduce, EP dispatch and combine, PP;"
		    " before overlap) | 5 decode bound | 6 communication-bound (1/0) | 7 fits (1/0)"
		    " | 8 tokens/s per user | 9-13 ms per token by bound after overlap: compute, hbm, scale-up,"
		    " scale-out, latency\n",
		    over == CHART_OVER_EP ? "EP size (GPUs)" : "NIC bandwidth (Gb/s per NIC)");
	for (i = 0; i < n; i++) {
		sbuf_printf(&ch->dat, "%g", x[i]);
		num(&ch->dat, tpot[i]);
		num(&ch->dat, comp[i] > 0 ? comp[i] : NAN);
		num(&ch->dat, comm[i] > 0 ? comm[i] : NAN);
		sbuf_printf(&ch->dat, " %s %d %d", perf_bound_name(bnd[i]), cb[i], fits[i]);
		num(&ch->dat, user[i]);
		for (k = 0; k < BOUND_KINDS; k++)
			num(&ch->dat, part[i][k]);
		sbuf_printf(&ch->dat, "\n");
	}

	gnuplot_begin(&ch->gp, "tpot", ch->stem);
	if (over == CHART_OVER_EP)
		snprintf(line1, sizeof line1, "TPOT vs expert-parallel size: %s on %s (tp %g, dp = ep / tp)",
			 m->display, h->display, d->tp);
	else
		snprintf(line1, sizeof line1, "TPOT vs scale-out bandwidth: %s on %s", m->display, h->display);
	title(&ch->gp, line1, dep);
	sbuf_printf(&ch->gp, "set logscale x 2\nset xrange [%.6g:%.6g]\nset xtics (", x[0] / 1.3, x[n - 1] * 1.3);
	for (i = 0; i < n; i++)
		sbuf_printf(&ch->gp, "%s\"%g\" %g", i ? ", " : "", x[i], x[i]);
	sbuf_printf(&ch->gp, ")\n");
	sbuf_printf(&ch->gp, "set xlabel \"%s\"\n", over == CHART_OVER_EP ?
		    "expert-parallel size (GPUs sharing the routed experts)" :
		    "NIC bandwidth (Gb/s per NIC, per direction: scale_out.nic_gbps)");
	sbuf_printf(&ch->gp, "set ylabel \"ms per output token\"\nset logscale y 10\nset format y \"%%g\"\nset grid mytics\n");
	sbuf_printf(&ch->gp, "set key top right Left reverse\n");
	/* where communication takes over, or lets go */
	k = 0;
	for (i = 1; i < n; i++)
		if (cb[i] != cb[i - 1]) {
			double xm = sqrt(x[i] * x[i - 1]);
			char t[160];
			snprintf(t, sizeof t, cb[i] ? " communication-bound from %s%g%s" :
				 " communication stops being the bound at %s%g%s", unit, x[i], sfx);
			sbuf_printf(&ch->gp, "set arrow from %.6g, graph 0 to %.6g, graph 1 nohead lc rgb \"%s\" lw 2 dt 3\n",
				    xm, xm, GNUPLOT_KV);
			sbuf_printf(&ch->gp, "set label ");
			gnuplot_str(&ch->gp, t);
			sbuf_printf(&ch->gp, " at %.6g, graph 0.05 left tc rgb \"%s\"\n", xm, GNUPLOT_KV);
			k++;
		}
	if (k == 0)
		sbuf_printf(&ch->gp, "set label \" %s (decode bound: %s)\" at graph 0, graph 0.05 left tc rgb \"%s\"\n",
			    cb[0] ? "communication-bound over the whole range" : "never communication-bound in this range",
			    perf_bound_name(bnd[0]), cb[0] ? GNUPLOT_KV : GNUPLOT_REF);
	if (over == CHART_OVER_EP && h->scale_up.domain_gpus > x[0] && h->scale_up.domain_gpus < x[n - 1]) {
		double dom = h->scale_up.domain_gpus;
		sbuf_printf(&ch->gp, "set arrow from %.6g, graph 0 to %.6g, graph 1 nohead ls 99 lw 1\n", dom, dom);
		sbuf_printf(&ch->gp, "set label \" EP beyond the scale-up domain (%g GPUs): all-to-all over the NICs\" at %.6g, graph 0.11 left tc rgb \"%s\"\n",
			    dom, dom, GNUPLOT_REF);
	}
	gnuplot_plots_begin(&ch->gp, GNUPLOT_W, GNUPLOT_H);
	sbuf_printf(&ch->gp, "plot \\\n  ");
	gnuplot_file(&ch->gp, base, ".dat");
	sbuf_printf(&ch->gp, " using 1:($7 > 0 ? $2 : NaN) with linespoints lc rgb \"#000000\" lw 5 pt 7 ps 1.6 title \"TPOT%s\"",
		    any_nofit ? " (batch fits the KV cache)" : "");
	if (any_nofit)
		sbuf_printf(&ch->gp, ", \\\n  \"\" using 1:($7 > 0 ? NaN : $2) with points lc rgb \"#000000\" lw 1.5 pt 6 ps 1.4 title \"TPOT where the model or the batch does not fit\"");
	sbuf_printf(&ch->gp, ", \\\n  \"\" using 1:3 with linespoints lc rgb \"%s\" lw 2 pt 5 ps 0.8 title \"computation per token (HBM and FLOPs)\"",
		    gnuplot_palette[0]);
	if (any_comm)
		sbuf_printf(&ch->gp, ", \\\n  \"\" using 1:4 with linespoints lc rgb \"%s\" lw 2 pt 9 ps 1 title \"communication per token%s\"",
			    GNUPLOT_KV, d->w.micro_batches > 1 ? " (hidden behind computation while below it)" : "");
	sbuf_printf(&ch->gp, "\n");
	gnuplot_plots_end(&ch->gp);
	return 0;
}

/* ---- roofline ----------------------------------------------------------- */

/* Write the compute operators of a phase as "I TFLOP/s name dtype us bound" rows,
 * one per distinct (name, place); returns how many, and widens [lo, hi] and ylo. */
static int roof_ops(struct sbuf *b, const struct phase *ph, double *lo, double *hi, double *ylo,
		    unsigned *used)
{
	static const char *const dt[] = {"bf16", "fp8", "fp4"};
	int i, j, n = 0;

	for (i = 0; i < ph->nops; i++) {
		const struct op *o = &ph->op[i];
		double x, y;
		int dup = 0;
		if (perf_class_is_comm(o->cls) || !(o->flops > 0) || !(o->bytes > 0) || !(o->t > 0))
			continue;
		x = o->flops / o->bytes;
		y = o->flops / o->t / 1e12;
		for (j = 0; j < i && !dup; j++) {
			const struct op *q = &ph->op[j];
			dup = !perf_class_is_comm(q->cls) && q->flops > 0 && q->bytes > 0 && q->t > 0 &&
			      strcmp(q->name, o->name) == 0 &&
			      fabs(q->flops / q->bytes / x - 1) < 1e-3 && fabs(q->flops / q->t / 1e12 / y - 1) < 1e-3;
		}
		if (dup)
			continue;
		*lo = fmin(*lo, x);
		*hi = fmax(*hi, x);
		*ylo = fmin(*ylo, y);
		sbuf_printf(b, "%.6g %.6g ", x, y);
		gnuplot_dat_str(b, o->name);
		sbuf_printf(b, " %s %.6g %s %d\n", dt[o->dtype], o->t * 1e6, perf_bound_name(o->bound), (int)o->cls);
		*used |= 1u << o->cls;
		n++;
	}
	if (n == 0)
		sbuf_printf(b, "NaN NaN \"\" - NaN - -1\n");
	sbuf_printf(b, "\n\n");
	return n;
}

int chart_roofline(struct chart *ch, const struct model *m, const struct hw *h,
		   const struct deployment *d, struct err *e)
{
	const char *dname[3] = {"bf16", "fp8", "fp4"};
	const double peak[3] = {h->gpu.flops_bf16, h->gpu.flops_fp8, h->gpu.flops_fp4};
	double bw = h->gpu.hbm_bw, lo = INFINITY, hi = 0, ylo = INFINITY, yhi = 0;
	int nd = 0, idx[3], k, first = 1, ndec, npre;
	unsigned used = 0;
	double angle;
	struct plan *p;
	struct sbuf ops = {0};
	const char *base = gnuplot_base(ch->stem);
	char dep[512], line1[512];

	if (!(bw > 0))
		return err_set(e, EXIT_INPUT, "%s: the roofline needs 'gpu.hbm_gbs'", h->path);
	if (!(p = plan_new(e)))
		return e->code;
	if (plan_compute(m, h, d, NULL, p, e)) {
		free(p);
		return e->code;
	}
	for (k = 0; k < 3; k++)
		if (peak[k] > 0) {
			idx[nd++] = k;
			lo = fmin(lo, peak[k] / bw);
			hi = fmax(hi, peak[k] / bw);
			yhi = fmax(yhi, peak[k] / 1e12);
		}
	sbuf_printf(&ops, "# decode operators: 1 FLOP per HBM byte | 2 achieved TFLOP/s | 3 operator | 4 dtype"
		    " | 5 us per occurrence | 6 bound | 7 class (0 attention projections, 1 attention core,"
		    " 2 dense ffn, 3 router, 4 shared experts, 5 routed experts, 6 output head, 7 mtp module)\n");
	ndec = roof_ops(&ops, &p->perf.decode, &lo, &hi, &ylo, &used);
	sbuf_printf(&ops, "# prefill operators (same columns)\n");
	npre = roof_ops(&ops, &p->perf.prefill, &lo, &hi, &ylo, &used);
	chart_deploy_text(d, 0, dep, sizeof dep);
	free(p);
	/* whole decades around the operators and the ridge points */
	lo = pow(10, floor(log10(lo / 2)));
	hi = pow(10, ceil(log10(hi * 2)));
	ylo = pow(10, floor(log10(fmin(ylo, lo * bw / 1e12) / 1.5)));
	yhi = pow(10, ceil(log10(yhi * 1.5)));

	sbuf_printf(&ch->dat, "# mlasim chart roofline: %s GPU, operators of %s (%s)\n", h->display,
		    m->display, dep);
	sbuf_printf(&ch->dat, "# rooflines, one block per dtype: 1 FLOP per HBM byte | 2 TFLOP/s"
		    " (min(peak, intensity x %.4g TB/s))\n", bw / 1e12);
	for (k = 0; k < nd; k++) {
		double pk = peak[idx[k]] / 1e12, ridge = peak[idx[k]] / bw;
		sbuf_printf(&ch->dat, "# %s: peak %.6g TFLOP/s, ridge %.4g FLOP/B\n", dname[idx[k]], pk, ridge);
		sbuf_printf(&ch->dat, "%.6g %.6g\n%.6g %.6g\n%.6g %.6g\n\n\n", lo, lo * bw / 1e12, ridge, pk, hi, pk);
	}
	sbuf_add(&ch->dat, ops.data ? ops.data : "", ops.len);
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
		double pk = peak[idx[k]] / 1e12;
		sbuf_printf(&ch->gp, "set label \"%s %.4g TFLOP/s\" at %.6g, %.6g right offset -0.5,0.75 tc rgb \"#333333\"\n",
			    dname[idx[k]], pk, hi, pk);
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
			    k, k == 0 ? "#000000" : k == 1 ? "#666666" : "#999999", k + 1, dname[idx[k]],
			    peak[idx[k]] / 1e12, peak[idx[k]] / bw);
	}
	for (k = 0; k < OPC_CLASSES; k++) {
		if (perf_class_is_comm((enum opclass)k) || !(used & (1u << k)))
			continue;
		sbuf_printf(&ch->gp, ", \\\n  \"\" index %d using 1:($7 == %d ? $2 : NaN) with points pt 7 ps 1.6 lc rgb \"%s\" title \"%s\"",
			    nd, k, gnuplot_palette[k % 8], perf_class_name((enum opclass)k));
		sbuf_printf(&ch->gp, ", \\\n  \"\" index %d using 1:($7 == %d ? $2 : NaN) with points pt 6 ps 1.6 lw 2 lc rgb \"%s\" notitle",
			    nd + 1, k, gnuplot_palette[k % 8]);
	}
	sbuf_printf(&ch->gp, ", \\\n  NaN with points pt 7 ps 1.6 lc rgb \"#444444\" title \"filled: decode (%d operators)\"", ndec);
	sbuf_printf(&ch->gp, ", \\\n  NaN with points pt 6 ps 1.6 lw 2 lc rgb \"#444444\" title \"open: prefill (%d operators)\"\n", npre);
	gnuplot_plots_end(&ch->gp);
	return 0;
}

/* ---- power -------------------------------------------------------------- */

static double or1(double v)
{
	return isfinite(v) && v > 0 ? v : 1;
}

/*
 * Watts of scale-out switches per GPU: the smallest fat tree of the card's
 * switches for the fleet (or the instance, or a rack, the largest), spread
 * over its GPUs.  0 within one node; NAN when the card gives no switch power.
 */
static double power_switch_w_per_gpu(const struct hw *h, const struct plan *p, double *gpus_out)
{
	struct topo_prices pr = {NAN, NAN, NAN, h->scale_out.switch_w};
	double g = fmax(fmax(p->dep.pw.fleet_gpus, p->mem.gpus), p->power.nodes_per_rack * p->power.node_gpus);
	double ports = g * or1(h->scale_out.nics_per_gpu) * or1(h->scale_out.planes_per_nic);
	double planes = isfinite(h->scale_out.planes) ? h->scale_out.planes : or1(h->scale_out.planes_per_nic);
	struct topo t;
	struct err ignore;

	*gpus_out = g;
	if (!isfinite(h->scale_out.switch_w) || !isfinite(h->scale_out.switch_radix))
		return NAN;
	if (g <= p->power.node_gpus)
		return 0;
	if (topo_smallest(ports, h->scale_out.switch_radix, planes, 1, &pr, &t, &ignore))
		return NAN;
	return t.switch_w / g;
}

int chart_power(struct chart *ch, const struct model *m, const struct hw *h,
		const struct deployment *d, int per_node, struct err *e)
{
	static const char *const bar[3] = {"decode", "prefill", "full load (every GPU at TDP)"};
	double v[3][5], gpu_w[3], scale, sw, fabric_gpus, ymax = 0;
	const struct power *w;
	struct plan *p;
	const char *base = gnuplot_base(ch->stem), *unit = per_node ? "node" : "rack";
	char dep[512], line1[512], t[256];
	int i, k;

	if (!(p = plan_new(e)))
		return e->code;
	if (plan_compute(m, h, d, NULL, p, e)) {
		free(p);
		return e->code;
	}
	w = &p->power;
	scale = per_node ? 1 : w->nodes_per_rack;
	sw = power_switch_w_per_gpu(h, p, &fabric_gpus);
	gpu_w[0] = w->gpu_decode_w;
	gpu_w[1] = w->gpu_prefill_w;
	gpu_w[2] = w->tdp_w;
	for (i = 0; i < 3; i++) {
		v[i][0] = scale * w->node_gpus * gpu_w[i] / 1e3;
		v[i][1] = scale * w->node_rest_w / 1e3;
		v[i][2] = scale * w->node_gpus * sw / 1e3;
		v[i][3] = (w->pue - 1) * (v[i][0] + v[i][1] + (isfinite(v[i][2]) ? v[i][2] : 0));
		v[i][4] = v[i][0] + v[i][1] + (isfinite(v[i][2]) ? v[i][2] : 0) + v[i][3];
		ymax = fmax(ymax, v[i][4]);
	}
	chart_deploy_text(d, 0, dep, sizeof dep);

	sbuf_printf(&ch->dat, "# mlasim chart power: kW per %s, %s on %s (%s)\n", unit, m->display, h->display, dep);
	sbuf_printf(&ch->dat, "# a %s: %g node(s) of %g GPUs; GPU %.0f W decode, %.0f W prefill, TDP %.0f W, idle %.0f W;"
		    " PUE %.3g\n", unit, scale, w->node_gpus, w->gpu_decode_w, w->gpu_prefill_w, w->tdp_w,
		    w->idle_w, w->pue);
	if (isnan(sw))
		sbuf_printf(&ch->dat, "# network switches: unknown (the card gives no scale_out.switch_w)\n");
	else
		sbuf_printf(&ch->dat, "# network switches: %.1f W per GPU, a fat tree for %g GPUs\n", sw, fabric_gpus);
	sbuf_printf(&ch->dat, "# columns: 1 load | 2 GPUs (kW) | 3 rest of the node: CPUs, memory, NICs, fans (kW)"
		    " | 4 network switches' share (kW) | 5 facility overhead (PUE - 1) x IT (kW) | 6 total (kW) | 7 label\n");
	for (i = 0; i < 3; i++) {
		gnuplot_dat_str(&ch->dat, bar[i]);
		for (k = 0; k < 5; k++)
			num(&ch->dat, v[i][k]);
		snprintf(t, sizeof t, "%.3g kW (IT %.3g)", v[i][4], v[i][4] - v[i][3]);
		sbuf_printf(&ch->dat, " ");
		gnuplot_dat_str(&ch->dat, t);
		sbuf_printf(&ch->dat, "\n");
	}

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
			    gnuplot_palette[2], fabric_gpus);
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
	free(p);
	return 0;
}

/* ---- topology ----------------------------------------------------------- */

int chart_topology(struct chart *ch, const struct hw *h, const double *gin, int n,
		   double planes, double radix, struct err *e)
{
	static const enum topo_kind kind[3] = {TOPO_FT2, TOPO_MPFT, TOPO_FT3};
	struct topo_prices pr = {h->scale_out.switch_usd, h->scale_out.link_usd,
				 h->scale_out.endpoint_link_usd, h->scale_out.switch_w};
	double g[CHART_MAX_LIST], sw[CHART_MAX_LIST][3], cost[CHART_MAX_LIST][3], maxe[3] = {0, 0, 0};
	double ports = or1(h->scale_out.nics_per_gpu) * or1(h->scale_out.planes_per_nic);
	int i, k, have_cost = 0;
	const char *base = gnuplot_base(ch->stem);
	char line1[512], line2[512];

	if (isnan(radix))
		radix = h->scale_out.switch_radix;
	if (!isfinite(radix))
		return err_set(e, EXIT_USAGE, "%s gives no 'scale_out.switch_radix': pass '--radix K'", h->path);
	if (isnan(planes))
		planes = isfinite(h->scale_out.planes) && h->scale_out.planes > 1 ? h->scale_out.planes : 8;
	if (gin) {
		if (n < 1 || n > CHART_MAX_LIST)
			return err_set(e, EXIT_USAGE, "'--gpus' takes 1 to %d counts, got %d", CHART_MAX_LIST, n);
		memcpy(g, gin, (size_t)n * sizeof *g);
	} else {
		/* 128 to 65536 GPUs, as far as some tree of this radix serves */
		struct topo best;
		struct err ignore;
		for (n = 0, i = 0; i < 10; i++)
			if (topo_smallest(ldexp(128, i) * ports, radix, planes, 1, &pr, &best, &ignore) == 0)
				g[n++] = ldexp(128, i);
		if (n == 0)
			return topo_smallest(128 * ports, radix, planes, 1, &pr, &best, e);
	}
	for (i = 0; i < n; i++) {
		struct topo best;
		if (i > 0 && g[i] <= g[i - 1])
			return err_set(e, EXIT_USAGE, "'--gpus' must be increasing, got %g after %g", g[i], g[i - 1]);
		/* a count no tree serves gets the answer and exit code 'mlasim net
		 * --gpus' gives it (EXIT_NO), before gnuplot is asked to draw nothing */
		if (topo_smallest(g[i] * ports, radix, planes, 1, &pr, &best, e))
			return e->code;
		for (k = 0; k < 3; k++) {
			struct topo t;
			struct err ignore;
			sw[i][k] = cost[i][k] = NAN;
			if (topo_size(kind[k], g[i] * ports, radix, kind[k] == TOPO_MPFT ? planes : 1, 1, &pr, &t, &ignore)) {
				if (ignore.code != EXIT_NO)
					return err_set(e, ignore.code, "%s", ignore.msg);
				continue;
			}
			sw[i][k] = t.switches;
			cost[i][k] = t.cost_per_endpoint_usd;
			maxe[k] = t.max_endpoints;
			have_cost |= isfinite(cost[i][k]);
		}
	}

	sbuf_printf(&ch->dat, "# mlasim chart topology: non-blocking fat trees of %g-port switches for %s\n",
		    radix, h->display);
	sbuf_printf(&ch->dat, "# endpoints = GPUs x %g NIC port(s); MPFT: %g planes; NaN: does not fit that kind\n",
		    ports, planes);
	sbuf_printf(&ch->dat, "# columns: 1 GPUs | 2-4 switches: FT2, MPFT, FT3 | 5-7 cost per endpoint (USD): FT2, MPFT, FT3\n");
	for (i = 0; i < n; i++) {
		sbuf_printf(&ch->dat, "%g", g[i]);
		for (k = 0; k < 3; k++)
			num(&ch->dat, sw[i][k]);
		for (k = 0; k < 3; k++)
			num(&ch->dat, cost[i][k]);
		sbuf_printf(&ch->dat, "\n");
	}

	gnuplot_begin(&ch->gp, "topology", ch->stem);
	snprintf(line1, sizeof line1, "Scale-out fabric vs GPU count: %s (%g-port switches, %g NIC port%s per GPU)",
		 h->display, radix, ports, ports == 1 ? "" : "s");
	snprintf(line2, sizeof line2, "non-blocking fat trees: FT2 two layers, MPFT %g planes of FT2, FT3 three layers", planes);
	for (k = 0; k < 3; k++)
		sbuf_printf(&ch->gp, "set style line %d lc rgb \"%s\" lw %s pt %d ps 1\n", k + 1,
			    gnuplot_palette[k], k == 0 ? "5" : "2.5", k == 0 ? 7 : k == 1 ? 5 : 9);
	sbuf_printf(&ch->gp, "set logscale x 2\nset xrange [%.6g:%.6g]\nset xtics rotate by -30 (", g[0] / 1.4, g[n - 1] * 1.4);
	for (i = 0; i < n; i++)
		sbuf_printf(&ch->gp, "%s\"%g\" %g", i ? ", " : "", g[i], g[i]);
	sbuf_printf(&ch->gp, ")\n");
	if (!have_cost) {
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
		    maxe[0], maxe[1], maxe[2]);
	if (have_cost) {
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
	return 0;
}
