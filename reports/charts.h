/*
 * charts.h - drawing the charts: each chart_draw_* takes the series the
 * engine computed for its kind (sim/series.h) and writes the chart's data
 * (STEM.dat) and gnuplot script (STEM.gp) into struct chart; chart_close()
 * writes them atomically and runs gnuplot (gnuplot.h).  Nothing here
 * evaluates a plan or checks a command line: 'mlasim chart' (cmd_chart.c) and
 * 'mlasim report' compute the series and draw them.
 *
 * Every chart's title names the model, the hardware and the deployment; axes
 * carry units; sizes are decimal (1 GB = 1e9 B); series take the palette of
 * gnuplot.h in order.
 *
 * A chart_draw_* cannot fail: it appends to ch's buffers (running out of
 * memory marks them, and chart_close says so).  The series it takes is one
 * its engine function returned 0 for.
 */
#ifndef MLASIM_CHARTS_H
#define MLASIM_CHARTS_H

#include "../sim/err.h"
#include "../sim/hw.h"
#include "../sim/model.h"
#include "../sim/plan.h"
#include "../sim/precision.h"
#include "../sim/series.h"
#include "sbuf.h"

struct chart {
	char stem[4096];          /* output path without extension */
	struct sbuf dat, gp;      /* the data and the script being built */
};

/*
 * Start a chart written to `out` (a name such as dir/x.png; NULL: `deflt`).
 * Returns 0 or EXIT_USAGE for a bad name.
 */
int chart_open(struct chart *ch, const char *out, const char *deflt, struct err *e);

/*
 * Write STEM.dat and STEM.gp atomically as a pair (out_write_group: both new,
 * or on failure both as they were), free the buffers (always), then, when
 * `render`, draw STEM.png and STEM.svg.  Returns 0, EXIT_ENV when a buffer ran
 * out of memory, out_write_group's error (EXIT_USAGE for a path it refuses,
 * EXIT_ENV), or gnuplot_render's EXIT_ENV (gnuplot missing or failing: the
 * .dat and .gp stay written).
 */
int chart_close(struct chart *ch, int render, struct err *e);

/* Free the buffers of a chart abandoned on an error. */
void chart_free(struct chart *ch);

/*
 * The deployment of d in words for a title: "tp 8 x dp 1 x pp 1 = 8 GPUs,
 * ep 8, batch 64, context 4096, fp8-block weights, bf16 KV".  `omit` leaves
 * out parts a chart varies (CHART_OMIT_*).  Returns buf.
 */
#define CHART_OMIT_BATCH 1u
#define CHART_OMIT_PAR 2u
char *chart_deploy_text(const struct deployment *d, unsigned omit, char *buf, size_t n);

/*
 * kv: KV cache per sequence against context (log-log), one line per model of
 * m[0..s->n-1] in KV format fmt; with h (NULL: none) its usable HBM per GPU
 * as a reference line.
 */
void chart_draw_kv(struct chart *ch, const struct model *m, const struct kvfmt *fmt, const struct hw *h,
		   const struct series_kv *s);

/*
 * memory: per-GPU stacked bars (weights by component, runtime reserve, KV
 * cache, headroom) of deployments d[0..s->n-1], labelled labels[i]; `varied`
 * names what differs between them ("tp"; NULL for one bar).
 */
void chart_draw_memory(struct chart *ch, const struct model *m, const struct hw *h,
		       const struct deployment *d, const char *const *labels, const char *varied,
		       const struct series_memory *s);

/*
 * throughput: decode tokens/s per GPU and TPOT against batch under
 * deployment d, one line per card of h[0..s->nh-1] with its knee; batches
 * whose sequences do not fit the KV cache are drawn dashed.
 */
void chart_draw_throughput(struct chart *ch, const struct model *m, const struct hw *h,
			   const struct deployment *d, const struct series_throughput *s);

/*
 * tpot: TPOT against the expert-parallel size or the NIC bandwidth, with the
 * step's time split into computation and communication, and the point where
 * communication (scale-up or scale-out) becomes, or stops being, the bound
 * marked.
 */
void chart_draw_tpot(struct chart *ch, const struct model *m, const struct hw *h,
		     const struct deployment *d, enum series_over over, const struct series_tpot *s);

/*
 * roofline: the GPU's rooflines on log-log axes, with each decode and prefill
 * operator at its arithmetic intensity and achieved FLOP/s.
 */
void chart_draw_roofline(struct chart *ch, const struct model *m, const struct hw *h,
			 const struct deployment *d, const struct series_roofline *s);

/*
 * power: stacked bars per rack (per_node 0) or per node at decode, prefill
 * and full load, with the rack's power and air-cooling limits as reference
 * lines.
 */
void chart_draw_power(struct chart *ch, const struct model *m, const struct hw *h,
		      const struct deployment *d, int per_node, const struct series_power *s);

/* topology: switches and cost per endpoint against GPU count for FT2, MPFT
 * and FT3 (the cost panel only when some cost is known). */
void chart_draw_topology(struct chart *ch, const struct hw *h, const struct series_topology *s);

/*
 * pareto: the points of a CSV written by 'mlasim sweep -o FILE' (tokens/s
 * per user against tokens/s per GPU; feasible ones faint) and, per model and
 * hardware, the Pareto front of the feasible ones (front.h) as a line: the
 * one chart drawn from a file, not from a series.  Returns 0, or EXIT_INPUT
 * for a file that cannot be read, lacks a column or is malformed, EXIT_NO
 * when no row fits.
 */
int chart_pareto(struct chart *ch, const char *csv_path, struct err *e);

#endif
