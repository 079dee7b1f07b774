/*
 * silicon.h - measured serving points in aiconfigurator's silicon-sample
 * format (ai-dynamo/aiconfigurator, Apache-2.0: one row per benchmarked
 * deployment, with its measured TTFT and TPOT), read and mapped to the plan
 * options that express each row.  Pure: the text comes in, rows and option
 * lists go out; the CLI (cmd_vserving.c) loads files and runs the plans.
 *
 * The columns read, by name (any order, others ignored): id, backend,
 * backend_version, model_path, system, precision, mode (agg or disagg),
 * isl, osl, gemm_quant_mode, moe_quant_mode, batch_size, tp_size, pp_size,
 * attention_dp_size, moe_tp_size, moe_ep_size, their prefill_ and decode_
 * twins with prefill_/decode_num_workers and _batch_size, silicon_ttft_ms
 * and silicon_tpot_ms; silicon_data_source, when present, names the
 * benchmark a row came from (silicon_bench below).
 */
#ifndef MLASIM_SILICON_H
#define MLASIM_SILICON_H

#include "err.h"

/* The most rows one file may hold, and its largest size. */
#define SILICON_MAX_ROWS 100000
#define SILICON_MAX_FILE (64u << 20)

/* One side of a deployment: the whole of an aggregated one, or the prefill
 * or decode pool of a disaggregated one. */
struct silicon_pool {
	double batch;              /* sequences per attention-DP rank */
	double workers;            /* instances of this pool (1 when aggregated) */
	double tp, pp, dp, moe_tp, ep;
};

struct silicon_row {
	int line;                  /* in the file, for messages */
	char id[128];
	char source[320];          /* silicon_data_source: where the row was measured */
	char backend[16], version[48];
	char model_path[96], system[32], precision[16], mode[8];
	char gemm[16], moe[16];    /* quant modes: fp8, fp8_block, nvfp4, int4_wo, "" */
	double isl, osl;
	struct silicon_pool agg, prefill, decode;
	double ttft_ms, tpot_ms;   /* measured */
	char recipe[16];           /* the InferenceX commit whose recipe filled the pools, or "" */
	double concurrency;        /* the requests in flight the recipe split (0 unless recipe) */
	const char *unfilled;      /* why no recipe filled a disaggregated row's missing pools, or NULL */
};

/*
 * Parse the CSV text of `path` (RFC 4180: quoted fields, "" inside quotes)
 * into a new array *rows of *n rows (caller frees).  A disaggregated
 * InferenceX row (silicon_bench) without its pools' batches and worker
 * counts gets them, with each pool's TP, EP and attention DP, from the one
 * InferenceX recipe at its model, system, precision, engine, lengths,
 * concurrency and pools' TP (ixrecipe.h; the one listed on its
 * silicon_data_source's measured=DATE where any was) that ran no
 * speculative decoding:
 * prefill batch 1, decode batch the concurrency over the decode workers x
 * their attention-DP ranks, rounded up (the busiest rank's: an attention-DP
 * instance steps at its fullest rank's pace), recipe set to its commit;
 * where none, several or a speculative one match, `unfilled` says so (and
 * silicon_map refuses the row with it).  The header names the
 * columns; a missing required column, a row with more fields than the
 * header, a number that does not read, a text longer than its field holds
 * (silicon_row), or more than SILICON_MAX_ROWS rows is EXIT_INPUT naming
 * the file, line and column; running out of memory is
 * EXIT_ENV.  Empty cells read as NAN (numbers) or "" (strings).  Returns 0,
 * or the error code with *n 0 and *rows untouched (nothing left allocated).
 */
int silicon_parse(const char *text, const char *path, struct silicon_row **rows, int *n,
		  struct err *e);

/* Which pool a plan predicts: TTFT comes from the prefill side, TPOT from
 * the decode side (both the one pool when aggregated). */
enum silicon_side { SIDE_PREFILL, SIDE_DECODE };

#define SILICON_MAX_ARGS 40

/* A row as mlasim options: the bundled cards and the plan options. */
struct silicon_args {
	const char *model;         /* bundled model card name */
	const char *hw;            /* bundled hardware card name */
	const char *argv[SILICON_MAX_ARGS];
	int argc;
	char text[SILICON_MAX_ARGS][24];   /* storage for the numbers in argv */
	double concurrency;        /* requests in flight per instance of the pool */
	const char *bench;         /* the benchmark recognised (silicon_bench), or NULL */
	const char *repair;        /* how the layout was read when the columns contradict
	                              the system (silicon_map), or NULL */
};

/* The bundled model card row r names (static text), or NULL when none does. */
const char *silicon_model(const struct silicon_row *r);

/*
 * Map row r, side s, to a model card, a hardware card and plan options
 * (--tp --dp --ep --pp --batch --isl --osl --context --recv-interval
 * --weights --expert-weights --kv-dtype).  Returns NULL and fills *a, or a reason the
 * row cannot be expressed (a static string: "model not bundled", "moe_tp x
 * moe_ep is not tp x attention_dp", ...), counted by the caller.  `is_moe`
 * says whether the model has experts: a dense model's moe_tp and moe_ep are
 * not read.  The quant modes become --weights and --expert-weights, except
 * that a model whose checkpoint formats the sample cannot name (gpt-oss:
 * MXFP4 experts, BF16 attention) keeps them where the row writes nvfp4 for
 * both (silicon_shipped in silicon.c).
 *
 * A row whose image tag (silicon_data_source "image=REPO:TAG", or a last
 * field "REPO:TAG") InferenceX ran only in its speculative-decoding (-mtp)
 * configs for that model, system, backend and precision is refused
 * ("speculative-decoding run ..."): the sample does not mark MTP, and its
 * draft acceptance is not published (the table in silicon.c names the
 * InferenceX commit for each).
 * Where the row's benchmark is recognised (silicon_bench), its request
 * lengths are their means.  An aggregated SGLang row of InferenceX whose
 * recipe polled for requests every 10 or 30 decode steps at that date, TP
 * and concurrency (the table in silicon.c) gets --recv-interval.
 * An aggregated row on an 8-GPU HGX system whose tp x attention_dp is the
 * square g^2 of a GPU count g <= 8, with moe_tp x moe_ep the same square, is
 * read as g GPUs (a->repair says how): the sample multiplied the run's TP by
 * its EP (its ids say "tp8_ep8" where the columns say tp_size 64), which no
 * single node holds.
 */
const char *silicon_map(const struct silicon_row *r, enum silicon_side s, int is_moe, struct silicon_args *a);

/*
 * The benchmark a row's silicon_data_source names, with how it draws
 * request lengths: uniformly in [ratio x L, L] for the row's isl and osl L.
 * NULL when not recognised (the lengths are then taken as fixed).
 */
struct silicon_bench {
	const char *name;          /* "InferenceX" */
	double range_ratio;        /* lengths uniform in [ratio L, L] */
	const char *source;        /* where this is read */
};
const struct silicon_bench *silicon_bench_of(const struct silicon_row *r);

/*
 * Whether the row's benchmark warmed the server up before it measured:
 * "InferenceX, warmed up" for an InferenceX row measured on or after
 * 2026-01-22 (its silicon_data_source's "measured=DATE"; InferenceX sends
 * 2 x CONC warm-up requests since SemiAnalysisAI/InferenceX#480, merged
 * 2026-01-21), "InferenceX,
 * no warm-up" before, "InferenceX, undated" or "not InferenceX" (static
 * text).
 */
const char *silicon_warmup(const struct silicon_row *r);

/* A disaggregated row's requests in flight over all its decode workers,
 * which the prefill pool serves: the benchmark's concurrency where a recipe
 * filled its pools (their batches rounded up), else its decode side's
 * a->concurrency (silicon_map) x its decode workers. */
double silicon_in_flight(const struct silicon_row *r, const struct silicon_args *a);

/* The instances of a pool: its num_workers, 1 when the sample leaves it out. */
double silicon_workers(const struct silicon_pool *p);

/* The batch bucket aiconfigurator's studies use: "1", "2-16", "17-128", ">128"
 * (static text). */
const char *silicon_bucket(double batch);

#endif
