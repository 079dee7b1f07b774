/*
 * engine.h - serving-engine cards (engines/NAME.json): what an engine does
 * around the kernels that a plan's step times leave out.  Scheduler defaults
 * come from the engine's source, each with its citation in the card's
 * "sources"; the overheads no publication gives are fitted on a declared
 * training part of aiconfigurator's silicon sample ('mlasim validate
 * --serving FILE --fit'), and the card says on what, with the held-out error.
 * engines/README.md has the schema.
 */
#ifndef MLASIM_ENGINE_H
#define MLASIM_ENGINE_H

#include "err.h"
#include "hw.h"

/* GPU counts an engine's own all-reduce may serve (its card's "allreduce"),
 * and entries of that table: vLLM's and SGLang's custom all-reduce support 2,
 * 4, 6 and 8 GPUs, TensorRT-LLM's strategy table 2, 4 and 8 (engines/README.md). */
#define ENGINE_AR_MAX_GPUS 8
#define ENGINE_MAX_AR 32

/* Versions a card may give figures of their own ("versions"), and the
 * longest version name (aiconfigurator's backend_version column: at most 47). */
#define ENGINE_MAX_VERSIONS 24
#define ENGINE_MAX_GRAPH_SIZES 128
#define ENGINE_VERSION_LEN 48

/* The fitted figures of an engine, or of one of its versions: NAN in a
 * version's where it takes the engine-level figure. */
struct engine_figures {
	double step_overhead_s, step_seq_s, request_overhead_s, request_op_s, graph_latency_share, bench_waves;
};

/* A version's own figures (the card's "versions.V"), with their provenance. */
struct engine_version {
	char name[ENGINE_VERSION_LEN];   /* the engine's version string: "0.19.0", "1.0.0rc3" */
	struct engine_figures f;
	char fitted_on[320];             /* its "fit.summary" ("" when none) */
};

struct engine {
	char name[32];              /* file name without .json: "vllm" */
	char display[64];           /* "vLLM" */
	char version[48];           /* the version its defaults were read from */
	char path[512];
	double max_num_tokens;      /* tokens one step may carry (the prefill chunk budget) */
	double large_hbm_gb;        /* GPUs with at least this much HBM take ... */
	double max_num_tokens_large;   /* ... this budget instead (NAN: the same) */
	int mixed;                  /* decode tokens ride in prefill steps and count against the
	                               budget (vLLM V1, TensorRT-LLM); 0: prefill steps run apart
	                               and the decode batch waits (SGLang without --enable-mixed-chunk) */
	int dp_balance;             /* "scheduler.dp_balance": the attention-DP groups of an EP group
	                               take prompts in the same steps (TensorRT-LLM's
	                               attention_dp_config.enable_balance); 0 (the default of every
	                               engine): each group schedules its own, and a step waits for
	                               the slowest (serve.h) */
	double dp_balance_iters;    /* "scheduler.dp_balance_timeout_iters": with dp_balance, the
	                               steps after which it gives the groups' waiting prompts out
	                               though not every group has one (TensorRT-LLM's
	                               attention_dp_config.timeout_iters; NAN: none, serve.h) */
	int mem_of_free;            /* "memory.fraction_of": "free": the memory fraction is a share
	                               of what weights and the runtime reserve leave, all of it KV
	                               (TensorRT-LLM's free_gpu_memory_fraction); "usable" (the
	                               default): weights and KV within that share of usable HBM
	                               (vLLM's gpu_memory_utilization, SGLang's mem_fraction_static) */
	double step_overhead_s;     /* host time per decode step the GPU waits for */
	double step_seq_s;          /* and per sequence in the step: sampling, stop checks, output
	                               streaming, scheduler bookkeeping (0 when the card has none) */
	double request_overhead_s;  /* per request before its first token: API, tokenizer, scheduling */
	double request_op_s;        /* and per operator of its prefill step (the plan's operator
	                               count): the host launching a step the engine runs outside
	                               CUDA graphs (0 when the card has none) */
	double graph_latency_share; /* share of a kernel's standalone fixed latency (t0, K-loop floor)
	                               paid inside the engine's CUDA-graph decode step, 0..1 */
	double bench_waves;         /* benchmark requests over concurrency: the first burst is 1/waves of them */
	char fitted_on[320];        /* "training ..., held-out TTFT x%, TPOT y%" */
	/* The six figures above are those in use: the engine-level ones (`level`,
	 * fitted over every version) unless engine_use_version chose a version's. */
	struct engine_figures level;
	struct engine_version versions[ENGINE_MAX_VERSIONS];
	int nversions;
	int version_used;           /* index in versions[] of the figures in use, -1: engine-level */
	char version_asked[ENGINE_VERSION_LEN];   /* the version engine_use_version was asked for ("": none) */
	/* its own all-reduce inside one NVLink domain (comm_custom_ar_s): message bytes
	 * below which it runs (kind ENGINE_AR_CUSTOM, "allreduce.custom_max_bytes") or
	 * below which it carries the residual add and RMSNorm after it (kind
	 * ENGINE_AR_FUSED_NORM, "allreduce.fused_norm_max_bytes"), by GPU count
	 * 2..ENGINE_AR_MAX_GPUS, on GPUs of compute capability cc (0: any GPU; else
	 * the "..._by_sm" tables); a count with no entry runs NCCL, or no fused norm */
	struct engine_ar { int kind; double cc, gpus, max_bytes; } ar[ENGINE_MAX_AR];
	int nar;
	int has_fused_norm_limits;  /* the card has an "allreduce.fused_norm_max_bytes..." table */
	int rope_in_attention;      /* "kernels.rope_in_attention": rotary embeddings applied inside
	                               its attention kernels, no rope kernel of their own */
	int norm_in_allreduce;      /* "kernels.norm_in_allreduce": the residual add and RMSNorm after a
	                               TP all-reduce run inside it (where tp > 1) */
	int ep_allreduce_without_dp;   /* "kernels.ep_allreduce_without_dp": with attention TP alone
	                               (dp 1) its expert parallelism runs each rank's experts on the
	                               tokens every rank holds and sums the ranks' outputs in the TP
	                               all-reduce: no dispatch or combine (perf.c perf_moe) */
	double graph_sizes[ENGINE_MAX_GRAPH_SIZES];   /* "scheduler.graph_batch_sizes": the decode
	                               batch sizes its default CUDA graphs are captured at, ascending;
	                               a batch runs padded to the next one (engine_graph_batch) */
	int ngraph_sizes;           /* how many (0: the card gives none, no padding) */
	double graph_sizes_mtp[ENGINE_MAX_GRAPH_SIZES];   /* "scheduler.graph_batch_sizes_mtp": the
	                               batch sizes it captures under speculative decoding instead
	                               (SGLang's own list) */
	int ngraph_sizes_mtp;       /* how many (0: none; under MTP no padding unless
	                               graph_counts_tokens) */
	int graph_counts_tokens;    /* "scheduler.graph_counts_tokens": its sizes count tokens, so
	                               under MTP (q = 1 + draft tokens per sequence) they round up
	                               to multiples of q and a batch of B runs at B q padded (vLLM) */
	double graph_small_tp, graph_max_small_tp;   /* "scheduler.graph_small_tp",
	                               "graph_max_batch_small_tp": below that TP, on GPUs under
	                               large_hbm_gb, it captures sizes up to this one only (NAN:
	                               no such rule; SGLang's 256 on H100/H200 below TP 4) */
	int moe_masks_padding;      /* "kernels.moe_masks_padding": the rows a CUDA graph pads the
	                               decode batch with choose no expert, so the routed experts
	                               and the EP all-to-all carry the real tokens alone (perf.c
	                               perf_moe; SGLang's top-k) */
	int moe_class;              /* "kernels.moe_class": the kernel class of its routed experts
	                               (enum kclass, hw.h): moe_grouped_gemm (the default), or its own
	                               fused-MoE kernel's, moe_grouped_gemm_vllm or _sglang, used
	                               where the hardware card fits it (perf.c perf_moe_class) */
};

/*
 * The batch a decode step of B sequences per attention group, q tokens each
 * (1 + MTP draft tokens), runs at under g's CUDA graphs on GPUs h at TP
 * size tp: the smallest captured size (scheduler.graph_batch_sizes, or
 * graph_batch_sizes_mtp where q > 1; up to graph_max_batch_small_tp where
 * that rule holds; with graph_counts_tokens and q > 1, the sizes rounded up
 * to multiples of q, in sequences) at least ceil(B), the engines padding the
 * batch to it (vLLM gpu_model_runner, SGLang cuda_graph_runner).  B itself
 * when g is NULL, its card has no sizes for q, or B exceeds the largest (the
 * step then runs without a graph; *eager, when not NULL, is set to 1 then
 * and 0 otherwise).
 */
double engine_graph_batch(const struct engine *g, const struct hw *h, double tp, double B, double q, int *eager);

/* The same over n ascending sizes of one's own (engine_graph_batch's rule),
 * in sequences. */
double engine_graph_pad(const double *sizes, int n, double B, int *eager);

/* The same over n ascending sizes in g's units: tokens where its card says
 * graph_counts_tokens and q > 1 (rounded up to multiples of q, as
 * engine_graph_batch), else sequences; no graph where none is left. */
double engine_graph_pad_sizes(const struct engine *g, const double *sizes, int n, double B, double q, int *eager);

/* Load the engine card at `path` into *g: every key checked (unknown ones
 * are errors naming the file and key); g->name is the file name without
 * .json.  Returns 0, or EXIT_INPUT (EXIT_ENV when out of memory). */
int engine_load(const char *path, struct engine *g, struct err *e);

/*
 * Put the figures of version `v` of g's card in use: the engine-level ones
 * (g->level), each replaced by the version's own where "versions.V" gives it
 * (exact string match), and g->version_used its index.  v NULL or "" puts
 * the engine-level figures back.  Returns 0, or -1 when the card has no
 * figures for v: g then runs on the engine-level figures (version_used -1),
 * and the caller says so (engine_versions_list names those it knows).
 * g->version_asked keeps v (truncated to ENGINE_VERSION_LEN - 1 bytes).
 */
int engine_use_version(struct engine *g, const char *v);

/* Is v a version name a card may give figures for: 1 to
 * ENGINE_VERSION_LEN - 1 printable characters without space, '@' or '/'
 * (plan --engine NAME@VERSION splits at the last '@' not followed by a '/')? */
int engine_version_valid(const char *v);

/* The versions g's card has figures for, ", "-separated into buf ("none"
 * when it has none); returns buf. */
char *engine_versions_list(const struct engine *g, char *buf, size_t n);

/* Which figures g has in use, in words, into buf: "version V's own step_s
 * and request_s, the rest engine-level", "engine-level (the card has none
 * for version V)" or "engine-level (no version given)"; returns buf. */
char *engine_figures_said(const struct engine *g, char *buf, size_t n);

/* The two limits of an engine's all-reduce table (struct engine_ar). */
enum { ENGINE_AR_CUSTOM, ENGINE_AR_FUSED_NORM };

/* Message bytes below which engine g runs its own all-reduce on n GPUs of
 * card h (kind ENGINE_AR_CUSTOM), or below which that all-reduce also runs
 * the residual add and RMSNorm after it (ENGINE_AR_FUSED_NORM): its entry
 * for h's compute capability, else for any GPU; 0 where there is none (NCCL,
 * or a norm of its own).  A card with no fused-norm table fuses wherever its
 * own all-reduce runs: ENGINE_AR_FUSED_NORM then gives the custom limit. */
double engine_ar_max(const struct engine *g, const struct hw *h, double n, int kind);

/* The step token budget on card h: the large-HBM one where the GPU has it. */
double engine_max_num_tokens(const struct engine *g, const struct hw *h);

#endif
