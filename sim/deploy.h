/*
 * deploy.h - a deployment: how a model is laid out on GPUs (tp, dp, ep, pp),
 * in which formats, and the workload it serves.  Its own header so that the
 * memory plan (plan.h) and the performance engine (perf.h) both read it
 * without including each other: plan_compute() calls perf_compute(), and
 * perf_compute() only needs the deployment.  The parallelism is described
 * in plan.h.
 */
#ifndef MLASIM_DEPLOY_H
#define MLASIM_DEPLOY_H

#include "kv.h"
#include "perf.h"
#include "power.h"
#include "precision.h"

struct deployment {
	double tp, dp, ep, pp;
	double redundant_experts;   /* extra physical expert copies (EPLB) */
	double mtp;                 /* MTP modules loaded (0..num_nextn_predict_layers) */
	struct wprec weights;       /* format of linear layers */
	struct wprec expert_weights; /* routed experts' format; name "" when the same as weights */
	struct wprec attn_weights;  /* attention projections' format; name "" when the same */
	struct kvfmt kv;
	double kv_block;            /* tokens per KV page (1 = unpaged) */
	int kv_mtp;                 /* MTP layers keep a KV cache too */
	double context;             /* tokens per sequence for the fit question */
	double mem_fraction;        /* share of usable HBM for weights + KV (vLLM
	                               gpu_memory_utilization; default 0.9), or with
	                               mem_of_free the share of what weights and reserve leave */
	int mem_of_free;            /* mem_fraction is TensorRT-LLM's free_gpu_memory_fraction:
	                               KV = mem_fraction x (usable - weights - reserve) (engine.h) */
	double reserve_bytes;       /* per GPU: runtime reserve; NAN = the card's */
	struct workload w;          /* what the performance engine needs (perf.h) */
	struct power_args pw;       /* power and cost options (power.h) */
};

/* The format of the routed experts: their own, or the linear layers'. */
static inline const struct wprec *deploy_expert_format(const struct deployment *d)
{
	return d->expert_weights.name[0] ? &d->expert_weights : &d->weights;
}

/* The format of the attention projections: their own, or the linear layers'. */
static inline const struct wprec *deploy_attn_format(const struct deployment *d)
{
	return d->attn_weights.name[0] ? &d->attn_weights : &d->weights;
}

#endif
