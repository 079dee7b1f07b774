/*
 * series.h - the numbers each chart plots, computed by the engine: one pure
 * function per chart kind evaluates the plans (or fabrics, or KV accounts)
 * the chart needs and returns them as arrays of points.  No I/O and no
 * gnuplot: reports/charts.c draws a series, 'mlasim chart' and 'mlasim
 * report' compute and draw it.
 *
 * Units are the ones the charts show: GB (1e9 B), ms, tokens/s, kW,
 * TFLOP/s (1e12), FLOP per HBM byte, USD.  A number a point does not have is
 * NAN.  Each function fills the whole of *out and returns 0, or the error of
 * the plan or fabric that failed (e set); then *out is not to be drawn.
 * Preconditions on counts are checked and refused with EXIT_USAGE, but
 * naming the user's options is the command line's job: it checks them first.
 */
#ifndef MLASIM_SERIES_H
#define MLASIM_SERIES_H

#include "err.h"
#include "hw.h"
#include "kv.h"
#include "model.h"
#include "perf.h"
#include "plan.h"
#include "power.h"

/* The most bars, lines or points a series takes from a list. */
#define SERIES_MAX_LIST 32
/* Hardware cards one throughput series compares. */
#define SERIES_MAX_HW 8
/* Batches of the throughput series: 1 to 1024, doubling. */
#define SERIES_BATCHES 11
/* The throughput knee when decode stays HBM-bound: doubling the batch adds
 * less than this share of tokens/s per GPU. */
#define SERIES_KNEE_GAIN 0.20
/* Points of a TPOT series. */
#define SERIES_TPOT_MAX 24
/* Models of a KV series, and its contexts: 1Ki to 1Mi tokens, doubling (the
 * range long-context serving spans). */
#define SERIES_KV_MODELS 8
#define SERIES_KV_POINTS 11
#define SERIES_KV_FIRST 1024.0

/* ---- kv: KV cache per sequence against context, one line per model ------ */

struct series_kv {
	int n;                                            /* models added */
	double context[SERIES_KV_POINTS];                 /* tokens */
	double per_token[SERIES_KV_MODELS];               /* bytes per token (kv_account) */
	double seq_gb[SERIES_KV_POINTS][SERIES_KV_MODELS];   /* GB per sequence, windows and states too */
};

/* Empty s and set its contexts. */
void series_kv_init(struct series_kv *s);

/*
 * Add model m's line in KV format fmt (blocks of 1 token, no MTP layer).
 * Returns 0; EXIT_USAGE when s already holds SERIES_KV_MODELS lines; or
 * kv_account's error (a format that does not apply to the model).
 */
int series_kv_add(struct series_kv *s, const struct model *m, const struct kvfmt *fmt, struct err *e);

/* ---- memory: per-GPU stacked bars, one per deployment -------------------- */

struct series_memory_bar {
	double comp_gb[COMP_N];        /* weights by component (params.h) */
	double reserve_gb, kv_gb;      /* runtime reserve, KV cache */
	double free_gb;                /* headroom: 1 - mem-fraction of the usable HBM */
	double usable_gb;              /* usable HBM */
	double top_gb;                 /* the stack: weights + reserve + KV + headroom */
	double seq_per_gpu;            /* sequences of the context per GPU */
	int fits;
};

struct series_memory {
	int n;
	struct series_memory_bar bar[SERIES_MAX_LIST];
};

/* Bars of model m on h under deployments d[0..n-1], 1 <= n <= SERIES_MAX_LIST. */
int series_memory(const struct model *m, const struct hw *h, const struct deployment *d, int n,
		  struct series_memory *out, struct err *e);

/* ---- throughput: decode against batch, one line per card ----------------- */

struct series_tp_line {
	double tps_gpu[SERIES_BATCHES];    /* decode tokens/s per GPU */
	double tpot_ms[SERIES_BATCHES];
	double tps_user[SERIES_BATCHES];
	int fits[SERIES_BATCHES];          /* the model and the batch fit */
	enum bound bound[SERIES_BATCHES];  /* what bounds the decode step */
	int knee;                          /* index of the knee, -1: none */
	int knee_bound;                    /* 1: stopped being HBM-bound there; 0: the gain rule */
};

struct series_throughput {
	int nh;
	double batch[SERIES_BATCHES];      /* 1, 2, 4, ... 1024 */
	struct series_tp_line line[SERIES_MAX_HW];
};

/*
 * Decode of model m under deployment d with the batch doubled from 1 to 1024
 * (micro-batches at most the batch; prefill not evaluated), on each card of
 * h[0..nh-1] (1 <= nh <= SERIES_MAX_HW).  A line's knee is the first batch
 * whose step is no longer HBM-bound, else the batch from which every doubling
 * adds less than SERIES_KNEE_GAIN tokens/s per GPU, else none.
 */
int series_throughput(const struct model *m, const struct hw *h, int nh, const struct deployment *d,
		      struct series_throughput *out, struct err *e);

/* ---- tpot: TPOT against the EP size or the NIC bandwidth ----------------- */

enum series_over { SERIES_OVER_EP, SERIES_OVER_NIC };

struct series_tpot_point {
	double x;                          /* EP size (GPUs) or NIC Gb/s */
	double tpot_ms;
	double compute_ms, comm_ms;        /* per token, before overlap (0: none) */
	double tps_user;
	double bound_ms[BOUND_KINDS];      /* per token by what bounds it, after overlap */
	enum bound bound;                  /* of the decode step */
	int comm_bound;                    /* the step is bound by a link (perf_bound_is_comm) */
	int fits;                          /* the model and the batch fit */
};

struct series_tpot {
	int n;
	struct series_tpot_point pt[SERIES_TPOT_MAX];
	int any_comm;                      /* some point communicates */
	int any_nofit;                     /* some point does not fit */
};

/*
 * The default x values into x[SERIES_TPOT_MAX]: EP sizes tp, 2 tp, ... up to
 * the routed and redundant experts (and, without a scale-out network, the
 * scale-up domain); NIC bandwidths 100 to 6400 Gb/s, doubling.  Returns how
 * many (0 when no EP size fits).
 */
int series_tpot_defaults(const struct model *m, const struct hw *h, const struct deployment *d,
			 enum series_over over, double *x);

/*
 * Decode of model m under deployment d at each x of xin[0..n-1] (NULL: the
 * defaults): with ep = x and dp = x / tp (SERIES_OVER_EP), or with
 * scale_out.nic_gbps = x (SERIES_OVER_NIC).  The values must be positive and
 * increasing, EP sizes multiples of tp (the command line checks).  EXIT_USAGE
 * when the defaults hold no EP size, or n is outside 1..SERIES_TPOT_MAX.
 */
int series_tpot(const struct model *m, const struct hw *h, const struct deployment *d,
		enum series_over over, const double *xin, int n, struct series_tpot *out, struct err *e);

/* ---- roofline: the GPU's roofs and the plan's operators ------------------ */

struct series_roof_op {
	char name[64];
	double intensity;                  /* FLOP per HBM byte */
	double tflops;                     /* achieved: FLOPs / time, TFLOP/s */
	double time_s;                     /* per occurrence */
	enum dtype dtype;
	enum bound bound;
	enum opclass cls;
};

struct series_roofline {
	double hbm_bw;                     /* B/s */
	int nroofs;                        /* dtypes with a peak, in the order bf16, fp8, fp4 */
	enum dtype roof[3];
	double peak[3];                    /* FLOP/s of roof[i] */
	int nops[2];                       /* decode [0], prefill [1] */
	struct series_roof_op op[2][PERF_MAX_OPS];
	unsigned classes;                  /* bit 1 << opclass of each class present */
};

/*
 * The roofs of h and the compute operators (no communication, FLOPs, bytes
 * and time all positive) of model m's plan under d, decode and prefill, each
 * distinct operator once: an operator of the same name within 0.1% of an
 * earlier one's intensity and FLOP/s is the same point.  EXIT_INPUT when the
 * card has no 'gpu.hbm_gbs'.
 */
int series_roofline(const struct model *m, const struct hw *h, const struct deployment *d,
		    struct series_roofline *out, struct err *e);

/* ---- power: stacked bars at decode, prefill and full load ---------------- */

enum { SERIES_PW_GPUS, SERIES_PW_NODE_REST, SERIES_PW_SWITCHES, SERIES_PW_FACILITY, SERIES_PW_TOTAL,
       SERIES_PW_PARTS };

struct series_power {
	double kw[3][SERIES_PW_PARTS];     /* [decode, prefill, full load][part]: kW per bar;
	                                      switches NAN when the card gives no switch power */
	double scale;                      /* nodes per bar: 1 per node, else the rack's */
	double switch_w_per_gpu;           /* 0 within a node; NAN unknown */
	double fabric_gpus;                /* GPUs the switches' fabric is sized for */
	struct power w;                    /* the plan's power figures */
};

/*
 * Power per rack (per_node 0) or per node of model m's plan under d on h:
 * the GPUs, the rest of the node, the share of the smallest fat tree of the
 * card's switches for the fleet (or the instance, or a rack, the largest),
 * and the facility overhead (PUE - 1) x IT.
 */
int series_power(const struct model *m, const struct hw *h, const struct deployment *d, int per_node,
		 struct series_power *out, struct err *e);

/* ---- topology: fat trees against GPU count ------------------------------- */

struct series_topology {
	int n;
	double gpus[SERIES_MAX_LIST];
	double switches[SERIES_MAX_LIST][3];   /* FT2, MPFT, FT3; NAN: that kind does not reach */
	double cost_usd[SERIES_MAX_LIST][3];   /* per endpoint: switches and links */
	double max_endpoints[3];
	int have_cost;                         /* some cost is known */
	double ports;                          /* NIC ports per GPU */
	double planes, radix;                  /* as used */
};

/*
 * FT2, MPFT of `planes` planes (NAN: the card's when above 1, else 8) and FT3
 * of radix-port switches (NAN: the card's; it must give one) for each GPU
 * count gin[0..n-1] (NULL: 128 to 65536, doubling, as far as some tree
 * serves), each GPU an endpoint per NIC port.  The counts must be increasing
 * (the command line checks).  A count no tree serves fails as 'mlasim net'
 * does (EXIT_NO).
 */
int series_topology(const struct hw *h, const double *gin, int n, double planes, double radix,
		    struct series_topology *out, struct err *e);

#endif
