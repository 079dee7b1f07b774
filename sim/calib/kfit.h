/*
 * kfit.h - published kernel measurements (hw/published/CARD/NAME.json) as the
 * engine times them, the kernel model's parameters fitted to them per class,
 * and how well the fit predicts what it was not fitted on.
 *
 * A record file is a results document (schema mlasim.calib/1, README
 * "Published kernel records") with "provenance": "published", one "source"
 * {id, ref, ...} and "probes": records of a kind (gemm, grouped_gemm, moe,
 * mla_decode, mla_prefill, attention_prefill, gqa_decode, quantize (the
 * elementwise class), nccl, custom_allreduce, deepep, p2p)
 * with the shape in "params" and the measured seconds in "timing.median_s".
 * nccl records (all_reduce, all_gather, alltoall on one domain) fit the
 * card's collectives (comm_nccl_s); custom_allreduce records (a serving
 * engine's own all-reduce) its engines' all-reduce (comm_custom_ar_s);
 * deepep low-latency records on one
 * node fit its EP all-to-all inside a domain, those across nodes (and
 * DeepEP's first, pure-RDMA kernels on one node) its low-latency all-to-all
 * over RDMA (comm_ep_s), those in normal mode on one node its prefill
 * all-to-all inside a domain (comm_ep_normal_copies); deepep in normal mode
 * across nodes and p2p are kept, not fitted.  A record with a status other than "ok" ("partial": no time;
 * "kept": a timed figure its file says why the fit leaves out, in "why")
 * is kept, not fitted.
 * Each record becomes the kernel calls the engine would make for it (the
 * formulas of perf.h: perf_gemm_shape, perf_moe_shapes, perf_mla_attention),
 * so that the fit and the engine divide by the same work.
 *
 * The fit, per kernel class: minimise sum (ln(t_model / t_measured))^2 over
 * eff_compute, eff_mem, t0_s and, for GEMMs, kblock_s (kern.h; prefill
 * attention, whose records count softmax exponentials, elem_s), by the
 * Nelder-Mead simplex of GSL (gsl_multimin_fminimizer_nmsimplex2) from
 * several starts, at the plain maximum and the smooth maxima p = 2, 3, 4,
 * keeping the best.  A parameter no record is bound by (no
 * point on the compute roof, say, nor within half of it under a smooth
 * maximum), judged both at the card's defaults and at the fit, keeps the
 * card's default and is marked fixed: judged at the fit alone, a fit could
 * lower a roof no record reaches until it comes into view and shapes the
 * curve (H20's prefill attention took 0.14 of HBM so, from records that all
 * sit on the compute roof).
 */
#ifndef MLASIM_KFIT_H
#define MLASIM_KFIT_H

#include <cjson/cJSON.h>
#include "err.h"
#include "hw.h"
#include "kern.h"
#include <gsl/gsl_multimin.h>

#define KFIT_MAX_SOURCES 32
/* Fewer points than this leave a class on the card's defaults: five
 * parameters (kern.h) fit any handful exactly, which would prove nothing. */
#define KFIT_MIN_POINTS 6
#define KFIT_MAX_RECORDS 4096

/* One record as kernel calls of one class (a whole MoE module is two). */
struct krec {
	enum kclass cls;
	enum dtype dt;
	int ncalls;
	struct kshape call[2];
	double t_s;          /* measured seconds */
	int source;          /* index into kset.source */
	char id[96];
};

/* One nccl-tests figure: collective op (HW_COLL_*) of `bytes` on `gpus`. */
struct kcoll {
	int op;
	double gpus, bytes, t_s;
	int source;
	char id[96];
};

/* The DeepEP kernels and link a record measured: the low-latency kernels
 * inside one domain (NVLink) or over the NICs, the normal (high-throughput)
 * kernels inside one domain. */
enum { KEP_LL = 0, KEP_LL_RDMA = 1, KEP_NORMAL = 2, KEP_LINKS };

/* One DeepEP figure: phase 0 dispatch, 1 combine; link KEP_*; and the bytes
 * per GPU and serial rounds (comm_ep_normal_rounds; 0 for the low-latency
 * kernels) the engine counts for it (comm_ep_s). */
struct kdeepep {
	int phase;
	int link;
	double tokens, ep, bytes, rounds, t_s;
	int source;
	char id[96];
};

/* One engine all-reduce figure (aiconfigurator's custom_allreduce tables):
 * engine's own all-reduce of `bytes` on `gpus` GPUs. */
struct kcar {
	char engine[16];
	double gpus, bytes, t_s;
	int source;
	char id[96];
};

/* The records of one card, from all its files. */
struct kset {
	struct kcar *car;    /* owned; kfit_free */
	int ncar;
	struct kdeepep *ep;  /* owned; kfit_free */
	int nep;
	struct kcoll *coll;  /* owned; kfit_free */
	int ncoll;
	struct krec *rec;    /* owned; kfit_free */
	int n;
	int skipped;         /* records not fitted (no time, a kind not calibrated, skewed routing) */
	int nsources;
	char source[KFIT_MAX_SOURCES][64];     /* source.id of each file */
	char ref[KFIT_MAX_SOURCES][256];       /* source.ref */
	char file[KFIT_MAX_SOURCES][256];
	int act_quant[KFIT_MAX_SOURCES];       /* source.activation_quant is "included": its GEMM
						  times carry the quantisation of their inputs */
};

/* A class's fit and its errors on the points it was fitted on. */
struct kfit_stats {
	int points;
	int n_compute, n_memory, n_latency;   /* points each bound holds at the fit */
	int n_blended;                        /* of them, points a smooth maximum sees both roofs of */
	int fixed_compute, fixed_mem;         /* kept the default: no point bound by it */
	double median_rel, worst_rel;         /* |t_model / t - 1| */
	int worst;                            /* index of the worst record in the set */
};

/*
 * Read every *.json file of directory `dir` (sorted by name; borrow.json, a
 * declaration of borrow.h, is no record file) into *s for a
 * card whose device it describes.  Returns 0, or EXIT_INPUT naming the file
 * and key of a record that is not one (unknown probe kind, missing or
 * non-positive shape or time) or when no file holds a record it can use, or
 * EXIT_ENV when the directory cannot be read or memory runs out.  A record
 * with status other than "ok", with no median time, or of a
 * kind the engine does not calibrate yet (p2p, deepep in normal mode across
 * nodes; moe
 * with
 * routing other than balanced; fused fp8xfp4 modules; fp8 prefill
 * attention, which the engine does not run) is counted in
 * s->skipped, not read.  On failure nothing is left allocated.
 */
int kfit_load_dir(const char *dir, struct kset *s, struct err *e);

/* Free the records of s and leave it empty (kfit_load_dir may fill it again). */
void kfit_free(struct kset *s);

/* The records directory of a card file, <dir of card>/published/<card name>,
 * into out (n bytes). */
void kfit_records_dir(const char *card_path, const char *card_name, char *out, size_t n);

/* The model's seconds for record r on h with class parameters k. */
double kfit_predict(const struct hw *h, const struct hw_kernel_eff *k, const struct krec *r);

/* The engine's seconds for record r on h: as kfit_predict with h's own
 * parameters, except that decode over an fp8 cache on a card whose
 * attention_decode_fp8 class is not calibrated runs as perf.c runs it,
 * dequantised, in the attention_decode class at the BF16 peak, and that a
 * record of a class that specialises another runs in that other class
 * where the card does not calibrate it (hw_kclass_use). */
double kfit_engine_seconds(const struct hw *h, const struct krec *r);

/*
 * Fit class cls to the records of s that belong to it, leaving out those of
 * source `skip_source` (-1: none) and those whose index is `offset` modulo
 * `fold` (fold 0: none), starting from and falling back on def.  Returns the number
 * of points fitted; *out and *st are filled when it is at least
 * KFIT_MIN_POINTS.
 */
int kfit_class(const struct hw *h, const struct kset *s, enum kclass cls, int skip_source,
	       int fold, int offset, const struct hw_kernel_eff *def, struct hw_kernel_eff *out,
	       struct kfit_stats *st);

/*
 * Fit NCCL's protocols (comm_nccl_s) to the nccl records of s for op on
 * `gpus` GPUs of card h, leaving out those of source skip_source (-1: none)
 * and those whose index is offset modulo fold (fold 0: none), minimising
 * the squared log error.  Where NCCL's choice is modelled (h's gen, an
 * all-reduce or all-gather: comm_nccl_pick) each record runs on the
 * protocol NCCL picks, and the three latencies keep NCCL's own,
 * lat_p = start-up + scale x comm_nccl_lat_us(p): three parameters (start-up,
 * scale, bus bandwidth), so a protocol NCCL picks on one record is not left
 * to that record alone.  Elsewhere the fastest of the three: LL's latency,
 * the increments to LL128's and Simple's (NCCL's order: LL is the quickest
 * to start) and the bus bandwidth.  Returns the number of points; *f is
 * filled when there are at least KFIT_MIN_COLL_POINTS.
 */
int kfit_coll(const struct hw *h, const struct kset *s, int op, double gpus, int skip_source, int fold,
	      int offset, struct hw_coll_fit *f);

/*
 * Fit comm_ep_s (lat + rounds x round_s + bytes / bw) to the DeepEP records
 * of phase (0 dispatch, 1 combine) of link (KEP_*: low latency inside one
 * domain or over the NICs, normal inside one domain), by least squares on
 * relative error (linear in lat, round_s and 1 / bw), leaving out the
 * records of source skip_source (-1: none) and those whose position among
 * the phase's is offset modulo fold (fold 0: none).  No parameter is
 * negative: of the fits with some of lat and round_s held at 0 (round_s is
 * 0 where no record has rounds), the best with none negative.  A link
 * carries at most its line rate bw_max (B/s; 0: no bound): where the slope
 * would be faster, bw is bw_max and the others are fitted to what is left.
 * Returns the points; *f is filled with at least kfit_min_ep(link).
 */
int kfit_deepep(const struct kset *s, int link, int phase, int fold, int offset, int skip_source,
		double bw_max, struct hw_ep_fit *f);
#define KFIT_MIN_EP_POINTS 4
/* Across domains, six, as for a kernel class: the records mix two kernels
 * (DeepEP's first, pure-RDMA ones and the NVLink-assisted ones since), and
 * four of one would fit both parameters and say nothing of the other. */
#define KFIT_MIN_EP_RDMA_POINTS 6
#define kfit_min_ep(link) ((link) == KEP_LL_RDMA ? KFIT_MIN_EP_RDMA_POINTS : KFIT_MIN_EP_POINTS)

/* The line rate a DeepEP fit of h is bounded by (kfit_deepep): the scale-up
 * link's nominal GB/s per direction inside a domain, the GPU's NICs' across
 * domains; 0 where the card does not say. */
double kfit_ep_line_rate(const struct hw *h, int link);

/* The card-key section of DeepEP fits of link (KEP_*): "deepep", "deepep_rdma",
 * "deepep_normal" (static text). */
const char *kfit_ep_section(int link);

/* Four parameters need five points to mean anything. */
#define KFIT_MIN_COLL_POINTS 5

/*
 * Fit comm_custom_ar_s (the faster of a one-shot and a two-shot kernel) to
 * the custom_allreduce records of s for engine on `gpus` GPUs, leaving out
 * those of source skip_source (-1: none) and those whose position among
 * them is offset modulo fold (fold 0: none): minimise the squared log error
 * over the two latencies and the bandwidth.  Returns the number of points;
 * *f is filled when there are at least KFIT_MIN_COLL_POINTS.
 */
int kfit_car(const struct kset *s, const char *engine, double gpus, int skip_source, int fold, int offset,
	     struct hw_car_fit *f);

/*
 * The calibration section of a card fitted from s: {"provenance":
 * "published", "sources": ["id: ref", ...] of the fitted classes, "records": dir, "calib":
 * {section: {variant: {"fit": {...}, "points", "median_err_pct",
 * "worst_err_pct", "sources"}}, "collectives": {op: [{"gpus", "lat_s",
 * "busbw_gbs", "points", "median_err_pct", "sources"}]}, "custom_allreduce":
 * {engine: [{"gpus", "lat_s", "gbs", "points", ...}]}, "deepep" and
 * "deepep_rdma": {phase: {"lat_s", "gbs", "points", ...}}}}, every class
 * with KFIT_MIN_POINTS or more, every collective and GPU count with
 * KFIT_MIN_COLL_POINTS, DeepEP with kfit_min_ep points per phase.
 * Returns the object (the caller owns it) or NULL when no class could be
 * fitted (e->code EXIT_INPUT).
 */
cJSON *kfit_calibration(const struct hw *h, const struct kset *s, const char *dir,
			struct err *e);

/*
 * Minimise f from x (moved to the minimum found) with GSL's Nelder-Mead
 * simplex (nmsimplex2): `restarts` runs of at most `iters` iterations, each
 * from the last one's point with every initial step `step`, until the
 * simplex is smaller than `tol`.  GSL's error handler is turned off (a
 * failed step is a worse fit, not an abort).  Returns the minimum.
 */
double kfit_simplex(gsl_multimin_function *f, gsl_vector *x, double step, int restarts, int iters,
		    double tol);

#endif
