/*
 * pareto.c - chart_pareto (charts.h): read the CSV of 'mlasim sweep -o FILE'
 * and draw its feasible points and, per model and hardware, the Pareto front
 * of tokens/s per GPU (throughput) against tokens/s per user (interactivity).
 *
 * The CSV has a header row; fields may be quoted as RFC 4180 says ("a,b",
 * "" for a quote, a line break inside quotes): csv_read, csv_split.
 * Rows whose two rates are empty or nan are skipped (a plan with no answer);
 * anything else that does not read is an error naming file, line and column.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../sim/front.h"
#include "charts.h"
#include "csv.h"
#include "gnuplot.h"
#include "infile.h"
#include "plan_fields.h"

#define PARETO_MAX_FIELDS 256
#define PARETO_GROUPS 8
/* Faint points kept per group: one per cell of a grid this fine in log space,
 * so a sweep of millions of rows still makes a small SVG. */
#define PARETO_GRID 500

/* Columns the chart cannot do without, and ones it uses for labels. */
enum { C_MODEL, C_HW, C_TPS_GPU, C_TPS_USER, C_FITS, C_BATCH_FITS, C_NEED,
       C_TP = C_NEED, C_DP, C_EP, C_PP, C_BATCH, C_MB, C_MTP, C_WEIGHTS, C_KV, C_COLS };
#define C_NUMS (C_MTP - C_TP + 1)      /* numeric label columns, C_TP..C_MTP */
static const enum plan_field col_field[C_COLS] = {
	PF_MODEL, PF_HW, PF_TPS_GPU, PF_TPS_USER, PF_FITS, PF_BATCH_FITS,
	PF_TP, PF_DP, PF_EP, PF_PP, PF_BATCH, PF_MICRO_BATCHES, PF_MTP, PF_WEIGHTS, PF_KV_DTYPE,
};
/* How a label names each numeric column, and the value it leaves out. */
static const char *const col_short[C_NUMS] = {"tp", "dp", "ep", "pp", "b", "mb", "mtp"};
static const double col_default[C_NUMS] = {1, NAN, NAN, 1, NAN, 1, 0};

struct ppoint {
	double x, y;            /* tokens/s per user, tokens/s per GPU */
	double v[C_NUMS];       /* the deployment (NAN: no such column) */
	char w[24], kv[24];     /* weight and KV formats */
};

struct pgroup {
	char model[64], hw[64];
	struct ppoint *pt;
	size_t n, cap;
	double range[C_NUMS][2];   /* min, max of the numeric label columns */
	int w_varies, kv_varies;   /* label the formats too */
};

struct pareto {
	const char *path;
	int col[C_COLS];           /* field index, -1: absent */
	int nfields;
	struct pgroup g[PARETO_GROUPS];
	int ng;
	size_t rows, feasible, skipped;
	double xlo, xhi, ylo, yhi;
};

static int pareto_header(struct pareto *P, char **f, int n, struct err *e)
{
	int i, k;

	P->nfields = n;
	for (k = 0; k < C_COLS; k++) {
		P->col[k] = -1;
		for (i = 0; i < n; i++)
			if (strcmp(f[i], plan_field_name(col_field[k])) == 0)
				P->col[k] = i;
		if (k < C_NEED && P->col[k] < 0)
			return err_set(e, EXIT_INPUT,
				       "%s: no column '%s' in the header (a CSV from 'mlasim sweep -o FILE' has it)",
				       P->path, plan_field_name(col_field[k]));
	}
	return 0;
}

/* A rate: 1 read into *v, 0 empty or nan (skip the row), -1 not a number. */
static int pareto_num(const char *s, double *v)
{
	char *end;

	if (!*s || !strcmp(s, "nan") || !strcmp(s, "NaN") || !strcmp(s, "null"))
		return 0;
	errno = 0;
	*v = strtod(s, &end);
	if (*end || end == s || errno == ERANGE)
		return -1;
	return isfinite(*v) && *v > 0 ? 1 : 0;
}

static int pareto_bool(const char *s)
{
	if (!strcmp(s, "true") || !strcmp(s, "1"))
		return 1;
	if (!strcmp(s, "false") || !strcmp(s, "0"))
		return 0;
	return -1;
}

/* Control characters (a quoted field may hold a line break) to spaces: the
 * names go on one-line comments of the .dat and into titles. */
static void pareto_one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20)
			*s = ' ';
}

static struct pgroup *pareto_group(struct pareto *P, const char *model, const char *hw, long line,
				   struct err *e)
{
	int i, k;

	for (i = 0; i < P->ng; i++)
		if (!strcmp(P->g[i].model, model) && !strcmp(P->g[i].hw, hw))
			return &P->g[i];
	if (P->ng == PARETO_GROUPS) {
		err_set(e, EXIT_INPUT, "%s:%ld: more than %d model and hardware pairs: split the file",
			P->path, line, PARETO_GROUPS);
		return NULL;
	}
	snprintf(P->g[i].model, sizeof P->g[i].model, "%s", model);
	snprintf(P->g[i].hw, sizeof P->g[i].hw, "%s", hw);
	for (k = 0; k < C_NUMS; k++) {
		P->g[i].range[k][0] = INFINITY;
		P->g[i].range[k][1] = -INFINITY;
	}
	P->ng++;
	return &P->g[i];
}

/* One data row. */
static int pareto_row(struct pareto *P, char **f, int n, long line, struct err *e)
{
	double x, y;
	int rx, ry, fits, bfits, k;
	struct pgroup *g;
	struct ppoint *pt;

	if (n != P->nfields)
		return err_set(e, EXIT_INPUT, "%s:%ld: %d fields, the header has %d", P->path, line, n,
			       P->nfields);
	P->rows++;
	fits = pareto_bool(f[P->col[C_FITS]]);
	bfits = pareto_bool(f[P->col[C_BATCH_FITS]]);
	if (fits < 0 || bfits < 0)
		return err_set(e, EXIT_INPUT, "%s:%ld: '%s' must be true or false, got '%.40s'", P->path, line,
			       plan_field_name(col_field[fits < 0 ? C_FITS : C_BATCH_FITS]),
			       f[P->col[fits < 0 ? C_FITS : C_BATCH_FITS]]);
	ry = pareto_num(f[P->col[C_TPS_GPU]], &y);
	rx = pareto_num(f[P->col[C_TPS_USER]], &x);
	if (ry < 0 || rx < 0)
		return err_set(e, EXIT_INPUT, "%s:%ld: '%s' is not a number: '%.40s'", P->path, line,
			       plan_field_name(col_field[ry < 0 ? C_TPS_GPU : C_TPS_USER]),
			       f[P->col[ry < 0 ? C_TPS_GPU : C_TPS_USER]]);
	if (!rx || !ry) {
		P->skipped++;
		return 0;
	}
	if (!fits || !bfits)
		return 0;
	pareto_one_line(f[P->col[C_MODEL]]);
	pareto_one_line(f[P->col[C_HW]]);
	if (!(g = pareto_group(P, f[P->col[C_MODEL]], f[P->col[C_HW]], line, e)))
		return e->code;
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 1024;
		struct ppoint *q = realloc(g->pt, cap * sizeof *q);
		if (!q)
			return err_set(e, EXIT_ENV, "out of memory reading '%s'", P->path);
		g->pt = q;
		g->cap = cap;
	}
	pt = &g->pt[g->n++];
	pt->x = x;
	pt->y = y;
	for (k = 0; k < C_NUMS; k++) {
		const char *f1 = P->col[C_TP + k] >= 0 ? f[P->col[C_TP + k]] : "";
		char *end;
		pt->v[k] = *f1 ? strtod(f1, &end) : NAN;
		if (*f1 && (*end || !isfinite(pt->v[k])))
			pt->v[k] = NAN;
		if (isnan(pt->v[k]))
			continue;
		g->range[k][0] = fmin(g->range[k][0], pt->v[k]);
		g->range[k][1] = fmax(g->range[k][1], pt->v[k]);
	}
	snprintf(pt->w, sizeof pt->w, "%s", P->col[C_WEIGHTS] >= 0 ? f[P->col[C_WEIGHTS]] : "");
	snprintf(pt->kv, sizeof pt->kv, "%s", P->col[C_KV] >= 0 ? f[P->col[C_KV]] : "");
	if (g->n > 1) {
		g->w_varies |= strcmp(pt->w, g->pt[0].w) != 0;
		g->kv_varies |= strcmp(pt->kv, g->pt[0].kv) != 0;
	}
	P->feasible++;
	P->xlo = fmin(P->xlo, x);
	P->xhi = fmax(P->xhi, x);
	P->ylo = fmin(P->ylo, y);
	P->yhi = fmax(P->yhi, y);
	return 0;
}

static int pareto_read(struct pareto *P, struct err *e)
{
	struct csv_reader r = {0};
	char *fld[PARETO_MAX_FIELDS];
	ssize_t len;
	int n, rc = 0, header = 0;

	if (!(r.f = infile_open(P->path, e)))   /* a FIFO or /dev/zero is refused */
		return e->code;
	while (!rc) {
		len = csv_read(&r);
		if (len == -1)
			break;
		if (len == -2) {
			rc = err_set(e, EXIT_INPUT, "%s:%ld: contains a NUL byte", P->path, r.line);
			break;
		}
		if (len == -3) {
			rc = err_set(e, EXIT_ENV, "out of memory reading '%s'", P->path);
			break;
		}
		if (len == 0)
			continue;
		n = csv_split(r.rec, fld, PARETO_MAX_FIELDS);
		if (n == -1)
			rc = err_set(e, EXIT_INPUT, "%s:%ld: unterminated quoted field", P->path, r.first_line);
		else if (n == -2)
			rc = err_set(e, EXIT_INPUT, "%s:%ld: more than %d fields", P->path, r.first_line, PARETO_MAX_FIELDS);
		else if (!header) {
			header = 1;
			rc = pareto_header(P, fld, n, e);
		} else {
			rc = pareto_row(P, fld, n, r.first_line, e);
		}
	}
	if (!rc && ferror(r.f))
		rc = err_set(e, EXIT_INPUT, "cannot read '%s': %s", P->path, err_sys(errno));
	csv_reader_free(&r);
	fclose(r.f);
	if (!rc && !header)
		rc = err_set(e, EXIT_INPUT, "%s: empty: expected a header row and the rows of 'mlasim sweep -o FILE'",
			     P->path);
	return rc;
}

/* Sort by tokens/s per user, descending; ties by tokens/s per GPU, descending:
 * the order the front is offered in and the thinned points are kept in. */
static int by_x_desc(const void *a, const void *b)
{
	const struct ppoint *p = a, *q = b;

	if (p->x != q->x)
		return p->x < q->x ? 1 : -1;
	return p->y < q->y ? 1 : p->y > q->y ? -1 : 0;
}

/* Write the Pareto front of g (sorted by the caller) as a block, x ascending:
 * the engine's rule (front.h), the points offered in g's order. */
static size_t pareto_front(struct sbuf *b, const struct pgroup *g, int ngroups)
{
	struct front f = {0};
	size_t i, nf, step;

	for (i = 0; i < g->n; i++)
		if (front_add(&f, g->pt[i].x, g->pt[i].y, (long)i, NULL, 0) < 0) {
			b->oom = 1;
			front_free(&f);
			return 0;
		}
	front_sort(&f);
	nf = (size_t)f.n;
	/* label about ten of them; five each when fronts share the chart */
	step = ngroups > 1 ? (nf + 4) / 5 : nf > 12 ? (nf + 9) / 10 : 1;
	if (step < 1)
		step = 1;
	sbuf_printf(b, "# front of %s on %s: 1 tokens/s per user | 2 tokens/s per GPU | 3 deployment | 4 label\n",
		    g->model, g->hw);
	for (i = 0; i < nf; i++) {
		const struct ppoint *p = &g->pt[f.p[i].index];
		char label[160];
		size_t k = 0;
		int c;
		label[0] = 0;
		for (c = 0; c < C_NUMS; c++)
			if (!isnan(p->v[c]) && p->v[c] != col_default[c] && k < sizeof label)
				k += (size_t)snprintf(label + k, sizeof label - k, "%s%s%g", k ? " " : "",
						      col_short[c], p->v[c]);
		if (g->w_varies && k < sizeof label)
			k += (size_t)snprintf(label + k, sizeof label - k, " %s", p->w);
		if (g->kv_varies && k < sizeof label)
			snprintf(label + k, sizeof label - k, " kv %s", p->kv);
		sbuf_printf(b, "%.6g %.6g ", p->x, p->y);
		gnuplot_dat_str(b, label);
		sbuf_printf(b, " ");
		gnuplot_dat_str(b, i % step == 0 ? label : "");
		sbuf_printf(b, "\n");
	}
	sbuf_printf(b, "\n\n");
	front_free(&f);
	return nf;
}

/* Write g's points thinned to one per cell of a log grid over the data. */
static void pareto_points(struct sbuf *b, const struct pareto *P, const struct pgroup *g)
{
	size_t i, cells = (size_t)PARETO_GRID * PARETO_GRID / 8, kept = 0;
	unsigned char *seen = calloc(cells, 1);
	double lx = log(P->xhi / P->xlo), ly = log(P->yhi / P->ylo);

	sbuf_printf(b, "# feasible points of %s on %s (thinned to one per chart cell): 1 tokens/s per user"
		    " | 2 tokens/s per GPU\n", g->model, g->hw);
	for (i = 0; i < g->n; i++) {
		const struct ppoint *p = &g->pt[i];
		size_t cx = lx > 0 ? (size_t)((PARETO_GRID - 1) * log(p->x / P->xlo) / lx) : 0;
		size_t cy = ly > 0 ? (size_t)((PARETO_GRID - 1) * log(p->y / P->ylo) / ly) : 0;
		size_t c = cx * PARETO_GRID + cy;
		if (seen) {
			if (seen[c / 8] & (1u << (c % 8)))
				continue;
			seen[c / 8] |= (unsigned char)(1u << (c % 8));
		}
		sbuf_printf(b, "%.6g %.6g\n", p->x, p->y);
		kept++;
	}
	if (kept == 0)
		sbuf_printf(b, "NaN NaN\n");
	sbuf_printf(b, "\n\n");
	free(seen);
}

/* "tp 1-8, ep 8-256, batch 1-1024" over the groups. */
static void pareto_ranges(const struct pareto *P, char *buf, size_t n)
{
	static const int show[] = {C_TP, C_DP, C_EP, C_PP, C_BATCH, C_MB, C_MTP};
	size_t k = 0;
	unsigned i;
	int j;

	buf[0] = 0;
	for (i = 0; i < sizeof show / sizeof show[0]; i++) {
		double lo = INFINITY, hi = -INFINITY;
		for (j = 0; j < P->ng; j++) {
			lo = fmin(lo, P->g[j].range[show[i] - C_TP][0]);
			hi = fmax(hi, P->g[j].range[show[i] - C_TP][1]);
		}
		if (!isfinite(lo) || k >= n)
			continue;
		k += (size_t)snprintf(buf + k, n - k, lo == hi ? "%s%s %g" : "%s%s %g-%g", k ? ", " : "",
				      show[i] == C_BATCH ? "batch" : col_short[show[i] - C_TP], lo, hi);
	}
}

/*
 * Set the gnuplot axis `axis` ('x' or 'y') for data from lo to hi (> 0): when
 * the data spans more than 20x, logarithmic from lo / log_below to
 * hi x log_above; else linear, padded by the shares lin_below and lin_above
 * of the span (and 1% of hi) and never below 0.
 */
static void pareto_axis(struct sbuf *gp, char axis, double lo, double hi, double log_below,
			double log_above, double lin_below, double lin_above)
{
	if (hi / lo > 20)
		sbuf_printf(gp, "set logscale %c 10\nset format %c \"%%g\"\nset grid m%ctics\nset %crange [%.6g:%.6g]\n",
			    axis, axis, axis, axis, lo / log_below, hi * log_above);
	else
		sbuf_printf(gp, "set %crange [%.6g:%.6g]\n", axis, fmax(0, lo - (hi - lo) * lin_below),
			    hi + (hi - lo) * lin_above + hi * 0.01);
}

static int chart_pareto_with(struct chart *ch, const char *csv_path, struct err *e, struct pareto *pp)
{
	size_t nf[PARETO_GROUPS];
	const char *base = gnuplot_base(ch->stem);
	char ranges[300], line1[600], line2[600], who[300];
	int i, rc, first = 1;
	size_t k = 0;

	pp->path = csv_path;
	pp->xlo = pp->ylo = INFINITY;
	pp->xhi = pp->yhi = 0;
	rc = pareto_read(pp, e);
	if (!rc && pp->feasible == 0)
		rc = err_set(e, EXIT_NO, "%s: none of its %zu rows fits (fits and batch_fits both true): no front to draw",
			     csv_path, pp->rows);
	if (rc) {
		for (i = 0; i < pp->ng; i++)
			free(pp->g[i].pt);
		return rc;
	}
	for (i = 0; i < pp->ng; i++)
		qsort(pp->g[i].pt, pp->g[i].n, sizeof *pp->g[i].pt, by_x_desc);

	sbuf_printf(&ch->dat, "# mlasim chart pareto: %s, %zu rows, %zu feasible, %zu without rates\n",
		    csv_path, pp->rows, pp->feasible, pp->skipped);
	sbuf_printf(&ch->dat, "# blocks: the front of each model and hardware pair, then its feasible points\n");
	for (i = 0; i < pp->ng; i++)
		nf[i] = pareto_front(&ch->dat, &pp->g[i], pp->ng);
	for (i = 0; i < pp->ng; i++)
		pareto_points(&ch->dat, pp, &pp->g[i]);

	who[0] = 0;
	for (i = 0; i < pp->ng && k < sizeof who; i++)
		k += (size_t)snprintf(who + k, sizeof who - k, "%s%s on %s", i ? ", " : "", pp->g[i].model, pp->g[i].hw);
	pareto_ranges(pp, ranges, sizeof ranges);
	snprintf(line1, sizeof line1, "Pareto front, tokens/s per GPU vs per user: %s", who);
	snprintf(line2, sizeof line2, "%zu deployments from %s (%zu fit: memory and batch)\n%s", pp->rows,
		 gnuplot_base(csv_path), pp->feasible, ranges);

	gnuplot_begin(&ch->gp, "pareto", ch->stem);
	sbuf_printf(&ch->gp, "set title ");
	{
		char t[1300];
		snprintf(t, sizeof t, "%s\n%s", line1, line2);
		gnuplot_str(&ch->gp, t);
	}
	sbuf_printf(&ch->gp, " font \",13\"\n");
	sbuf_printf(&ch->gp, "set xlabel \"decode tokens/s per user (interactivity; 1000 / TPOT in ms)\"\n"
		    "set ylabel \"decode tokens/s per GPU (throughput)\"\n");
	/* room right of the front for its labels, and below it for the key */
	pareto_axis(&ch->gp, 'x', pp->xlo, pp->xhi, 1.3, 2.5, 0.05, 0.22);
	pareto_axis(&ch->gp, 'y', pp->ylo, pp->yhi, 4, 1.6, 0.3, 0.08);
	sbuf_printf(&ch->gp, "set key bottom left Left reverse\nset style textbox opaque noborder margins 1,1\n");
	gnuplot_plots_begin(&ch->gp, GNUPLOT_W, 800);
	for (i = 0; i < pp->ng; i++) {
		const char *c = gnuplot_palette[i % 8];
		char t[200];
		sbuf_printf(&ch->gp, first ? "plot \\\n  " : ", \\\n  ");
		first = 0;
		snprintf(t, sizeof t, "%s on %s: feasible deployments (%zu)", pp->g[i].model, pp->g[i].hw, pp->g[i].n);
		gnuplot_file(&ch->gp, base, ".dat");
		sbuf_printf(&ch->gp, " index %d using 1:2 with points pt 7 ps 0.8 lc rgb \"#90%s\" title ",
			    pp->ng + i, c + 1);
		gnuplot_str(&ch->gp, t);
		snprintf(t, sizeof t, "%s on %s: Pareto front (%zu)", pp->g[i].model, pp->g[i].hw, nf[i]);
		sbuf_printf(&ch->gp, ", \\\n  \"\" index %d using 1:2 with linespoints lw 2.5 pt 7 ps 1 lc rgb \"%s\" title ",
			    i, c);
		gnuplot_str(&ch->gp, t);
		sbuf_printf(&ch->gp, ", \\\n  \"\" index %d using 1:2:4 with labels boxed %s font \",9\" tc rgb \"%s\" notitle",
			    i, "left offset 0.8,0.6", c);
	}
	sbuf_printf(&ch->gp, "\n");
	gnuplot_plots_end(&ch->gp);
	for (i = 0; i < pp->ng; i++)
		free(pp->g[i].pt);
	return 0;
}

int chart_pareto(struct chart *ch, const char *csv_path, struct err *e)
{
	struct pareto *pp = calloc(1, sizeof *pp);
	int rc;

	if (!pp)
		return err_set(e, EXIT_ENV, "out of memory drawing %s", csv_path);
	rc = chart_pareto_with(ch, csv_path, e, pp);
	free(pp);
	return rc;
}
