/*
 * plan.h - a deployment of a model on hardware, and what it costs in memory.
 *
 * plan_compute() is a pure function of (model, hw, deployment): no I/O, no
 * globals, no allocation, cheap enough to call a million times a second.
 *
 * Parallelism (one model instance uses tp x dp x pp GPUs):
 *   tp  tensor parallelism of attention, dense FFN, shared experts, embedding
 *       and head within a group of tp GPUs
 *   dp  attention data parallelism: dp groups of tp GPUs each serve their own
 *       sequences with their own copy of attention, and share the experts
 *   ep  expert parallelism: routed experts (plus redundant copies) spread over
 *       ep GPUs; the remaining factor tp*dp/ep splits each expert (MoE-TP)
 *   pp  pipeline stages: layers split into pp contiguous stages, embedding on
 *       the first, output head (and MTP modules) on the last
 */
#ifndef MLASIM_PLAN_H
#define MLASIM_PLAN_H

#include "deploy.h"
#include "err.h"
#include "hw.h"
#include "kv.h"
#include "model.h"
#include "params.h"
#include "perf.h"
#include "power.h"
#include "precision.h"

/* The most pipeline stages a plan reports one by one. */
#define PLAN_MAX_STAGES 256

/* Defaults into *d: tp=dp=ep=pp=1, no redundant experts, no MTP, the model's
 * weight format (bf16 when it names none mlasim knows) and its expert and
 * attention formats where the card sets them, bf16 KV, unpaged, 4096-token
 * context, mem_fraction 0.9, the card's runtime reserve, and the defaults of
 * perf_default_workload and power_default_args. */
void plan_default_deployment(const struct model *m, struct deployment *d);

struct memory_stage {
	double layers, moe_layers;
	double weights_bytes;            /* per GPU of this stage */
	double comp_bytes[COMP_N];       /* per GPU, by component */
	double kv_bytes_per_token;       /* per GPU of this stage: layers whose cache grows */
	struct kv_account kv;            /* per GPU of this stage: also windows and states */
	double kv_budget_bytes;          /* per GPU: usable x fraction - weights - reserve, or with
	                                    mem_of_free fraction x (usable - weights - reserve) */
	double max_tokens;               /* per tensor-parallel group */
	double max_sequences;            /* per tensor-parallel group at `context` */
};

struct memory {
	double gpus;                     /* tp x dp x pp */
	double experts_per_gpu;          /* physical experts held by each EP rank */
	double moe_tp;                   /* tp x dp / ep */
	double hbm_usable_bytes;
	double budget_bytes;             /* usable x mem_fraction; with mem_of_free weights, reserve
	                                    and KV (usable where weights and reserve exceed it) */
	double reserve_bytes;
	double weights_bytes_per_gpu;    /* the heaviest stage */
	double comp_bytes_per_gpu[COMP_N];
	double kv_bytes_per_token_per_gpu;   /* heaviest stage */
	double kv_bytes_per_gpu;         /* KV space per GPU (budget left for KV, >= 0) */
	double free_bytes_per_gpu;       /* usable - budget (>= 0): activations, graphs, fragmentation */
	double max_tokens_per_instance;  /* KV tokens one instance holds (dp groups x tokens per group) */
	double max_tokens_per_gpu;       /* max_tokens_per_instance / GPUs */
	double max_sequences_per_instance;
	double max_sequences_per_gpu;    /* instance sequences / GPUs (may be fractional) */
	int fits;                        /* weights fit and one sequence of `context` fits */
	int stages;
	struct memory_stage stage[PLAN_MAX_STAGES];
};

struct plan {
	const struct model *model;
	const struct hw *hw;
	struct deployment dep;
	const struct params *params;     /* the model's (the caller's, or params_own) */
	struct params params_own;        /* counted here when the caller passes none */
	double weights_bytes_total;      /* whole model (main + loaded MTP) in dep.weights */
	double kv_bytes_per_token;       /* whole model, layers whose cache grows, unsplit */
	double kv_bytes_per_layer;       /* per token per full-attention layer */
	double kv_layers;                /* full-attention layers that cache (and MTP's) */
	double mtp_modules;              /* MTP modules loaded: min(--mtp, the model's) */
	struct kv_account kv;            /* whole model, unsplit: windows and states too */
	struct memory mem;
	struct perf perf;
	struct power power;
	int batch_fits;                  /* batch x pp sequences of `context` fit per attention group */
};

/*
 * Check that deployment d can be laid out for model m.  Returns 0, or with a
 * message saying what would be right: EXIT_USAGE when an option is wrong
 * whatever the model (tp, dp, ep, pp not whole; ep not dividing tp x dp;
 * more than PLAN_MAX_STAGES stages; a batch, context, share or price out of
 * range), EXIT_INPUT, naming the model file, when this model cannot take it
 * (tp not dividing its heads or KV heads, pp above its layers, ep on a dense
 * model or above its experts, MTP without MTP modules).
 */
int plan_check(const struct model *m, const struct deployment *d, struct err *e);

/*
 * Size model m on hardware h under deployment d into *p.  `params` may be a
 * precomputed params_count(m), which must outlive *p (NULL: counted here into
 * p->params_own; a sweep counts once and saves that work on every point).
 * *p keeps pointers to m, h and params: they must outlive it.  Returns 0, or
 * plan_check's error, EXIT_USAGE for '--planes-down' leaving no network
 * plane, or EXIT_INPUT from the KV format or perf_compute (the card lacks a
 * network the deployment needs); *p is then incomplete.
 */
int plan_compute(const struct model *m, const struct hw *h,
		 const struct deployment *d, const struct params *params,
		 struct plan *p, struct err *e);

#endif
