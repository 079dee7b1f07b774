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
	double step_overhead_s;     /* host time per decode step the GPU waits for */
	double step_seq_s;          /* and per sequence in the step: sampling, stop checks, output
	                               streaming, scheduler bookkeeping (0 when the card has none) */
	double request_overhead_s;  /* per request before its first token: API, tokenizer, scheduling */
	double graph_latency_share; /* share of a kernel's standalone fixed latency (t0, K-loop floor)
	                               paid inside the engine's CUDA-graph decode step, 0..1 */
	double bench_waves;         /* benchmark requests over concurrency: the first burst is 1/waves of them */
	char fitted_on[320];        /* "training ..., held-out TTFT x%, TPOT y%" */
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
};

/* Load the engine card at `path` into *g: every key checked (unknown ones
 * are errors naming the file and key); g->name is the file name without
 * .json.  Returns 0, or EXIT_INPUT (EXIT_ENV when out of memory). */
int engine_load(const char *path, struct engine *g, struct err *e);

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
