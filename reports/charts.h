/*
 * charts.h - the charts of a plan: each builder evaluates the plans it needs
 * (pure, in memory) and writes the chart's data (STEM.dat) and gnuplot script
 * (STEM.gp) into struct chart; chart_close() writes them atomically and runs
 * gnuplot (gnuplot.h).  Used by 'mlasim chart' and 'mlasim report'.
 *
 * Every chart's title names the model, the hardware and the deployment; axes
 * carry units; sizes are decimal (1 GB = 1e9 B); series take the palette of
 * gnuplot.h in order.
 *
 * Each builder (chart_memory ... chart_pareto) appends to ch and returns 0,
 * or EXIT_USAGE for arguments it cannot draw, the error of a plan it
 * evaluates (plan_compute), EXIT_ENV when out of memory, or the code its
 * comment names; on an error the caller frees ch with chart_free.  The
 * builders are not reentrant: some keep their tables in statics.
 */
#ifndef MLASIM_CHARTS_H
#define MLASIM_CHARTS_H

#include "../sim/err.h"
#include "../sim/hw.h"
#include "../sim/model.h"
#include "../sim/plan.h"
#include "sbuf.h"

/* The most bars, lines or points a chart draws from a list. */
#define CHART_MAX_LIST 32
/* Hardware cards one throughput chart compares (one colour each). */
#define CHART_MAX_HW 8
/* Batches of the throughput chart: 1 to 1024, doubling. */
#define CHART_BATCHES 11
/* The throughput knee when decode stays HBM-bound: doubling the batch adds
 * less than this share of tokens/s per GPU. */
#define CHART_KNEE_GAIN 0.20

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
 * `render`, draw STEM.png and STEM.svg.  Returns 0, out_write_group's error
 * (EXIT_USAGE for a path it refuses, EXIT_ENV), or gnuplot_render's EXIT_ENV
 * (gnuplot missing or failing: the .dat and .gp stay written).
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
 * memory: per-GPU stacked bars (weights by component, runtime reserve, KV
 * cache, headroom) for n deployments d[0..n-1] labelled labels[i] (n <=
 * CHART_MAX_LIST); `varied` names what differs between them ("tp"; NULL for
 * one bar).
 */
int chart_memory(struct chart *ch, const struct model *m, const struct hw *h,
		 const struct deployment *d, const char *const *labels, int n,
		 const char *varied, struct err *e);

/*
 * throughput: decode tokens/s per GPU and TPOT against batch 1..1024
 * (doubling) under deployment d, one line per card of h[0..nh-1], with each
 * line's knee: the first batch whose decode step is no longer HBM-bound,
 * else the batch from which every doubling adds less than CHART_KNEE_GAIN.
 * Batches whose sequences do not fit the KV cache are drawn dashed.  nh is 1
 * to CHART_MAX_HW.
 */
int chart_throughput(struct chart *ch, const struct model *m, const struct hw *h, int nh,
		     const struct deployment *d, struct err *e);

enum chart_over { CHART_OVER_EP, CHART_OVER_NIC };

/*
 * tpot: TPOT against the expert-parallel size (ep = x, dp = x / tp) or the
 * NIC bandwidth (scale_out.nic_gbps = x Gb/s), with the step's time split by
 * what bounds it, and the point where communication (scale-up or scale-out)
 * becomes, or stops being, the bound marked.  xin: the n values of x (NULL:
 * powers of two from tp to the expert count, or 100 to 6400 Gb/s).
 * EXIT_INPUT for --over ep on a model without experts.
 */
int chart_tpot(struct chart *ch, const struct model *m, const struct hw *h,
	       const struct deployment *d, enum chart_over over, const double *xin, int n,
	       struct err *e);

/*
 * roofline: the GPU's bf16, fp8 (and fp4) rooflines on log-log axes, with
 * each decode and prefill operator of the plan at its arithmetic intensity
 * (FLOPs / HBM bytes) and achieved FLOP/s (FLOPs / time).  EXIT_INPUT for a
 * card without gpu.hbm_gbs.
 */
int chart_roofline(struct chart *ch, const struct model *m, const struct hw *h,
		   const struct deployment *d, struct err *e);

/*
 * power: stacked bars per rack (per_node 0) or per node: GPUs, the rest of
 * the node, the network switches' share (when the card gives switch power),
 * and the facility overhead (PUE - 1) x IT, at decode, prefill and full load,
 * with the rack's power and air-cooling limits as reference lines.
 */
int chart_power(struct chart *ch, const struct model *m, const struct hw *h,
		const struct deployment *d, int per_node, struct err *e);

/*
 * topology: switches and cost per endpoint against GPU count for FT2, MPFT
 * (`planes` planes; NAN: the card's, else 8) and FT3 of radix-port switches
 * (NAN: the card's).  gin: n GPU counts (NULL: 128 to 65536, doubling).
 * EXIT_NO, as 'mlasim net' gives it, for a count no tree of the radix serves.
 */
int chart_topology(struct chart *ch, const struct hw *h, const double *gin, int n,
		   double planes, double radix, struct err *e);

/*
 * pareto: the points of a CSV written by 'mlasim sweep -o FILE' (tokens/s
 * per user against tokens/s per GPU; feasible ones faint) and, per model and
 * hardware, the Pareto front of the feasible ones as a line.  Returns 0, or
 * EXIT_INPUT for a file that cannot be read, lacks a column or is malformed.
 */
int chart_pareto(struct chart *ch, const char *csv_path, struct err *e);

#endif
