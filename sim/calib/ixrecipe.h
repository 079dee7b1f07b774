/*
 * ixrecipe.h - InferenceX's disaggregated serving recipes: for each model,
 * system, precision, engine, sequence lengths and concurrency it benchmarked
 * disaggregated, the prefill and decode pools it ran (TP, EP, attention DP,
 * worker counts) and whether it ran speculative decoding.  Facts read from
 * every committed version of github.com/SemiAnalysisAI/InferenceX's NVIDIA
 * master configs (.github/configs/nvidia-master.yaml, configs/nvidia-master.yaml,
 * configs/deprecated/nvidia-*.yaml, up to commit 843c6254ff69), each row with
 * the first commit that lists it, its date and the last listing commit's
 * (UTC), but those a metadata correction replaced (f316a0ef6) and SGLang's
 * pools sized by node counts;
 * sim/calib/ixrecipe-gen.py regenerates the table.  aiconfigurator's
 * silicon sample leaves the pools' worker counts and batches out of
 * InferenceX's disaggregated rows (and writes their layouts in its own
 * way); silicon.c fills them from here where exactly one recipe matches, on
 * the row's measurement date where one was listed then (silicon.h).  A
 * recipe is often listed days after a run measured it (the run comes
 * first, on its pull request's branch).
 */
#ifndef MLASIM_IXRECIPE_H
#define MLASIM_IXRECIPE_H

#include <stddef.h>

/* One pool of a recipe, as InferenceX writes it: tp, ep, dp-attn. */
struct ixrecipe_pool {
	int tp, ep;
	int dp_attn;               /* 1: attention data-parallel over the tp GPUs */
};

struct ixrecipe {
	const char *model;         /* the sample's model_path (HuggingFace id) */
	const char *system;        /* the sample's system: b200_sxm, gb200, ... */
	const char *precision;     /* fp4, fp8, bf16 */
	const char *backend;       /* sglang, trtllm, vllm (under Dynamo) */
	int isl, osl, conc;        /* the recipe's lengths and one of its concurrencies */
	struct ixrecipe_pool prefill, decode;
	int prefill_workers, decode_workers;
	int spec;                  /* 1: speculative decoding (MTP, EAGLE) */
	const char *commit;        /* the first InferenceX commit listing it */
	const char *since, *until; /* that commit's date and the last listing commit's, YYYY-MM-DD, UTC */
};

/* The table, ended by a row whose model is NULL. */
extern const struct ixrecipe ixrecipes[];

/*
 * The recipes of `model`, `system`, `precision` and `backend` at isl, osl
 * and concurrency conc whose prefill and decode pools have tp ptp and dtp
 * (the sample's prefill_/decode_tp_size), only those listed on `date`
 * (YYYY-MM-DD, between their since and until) where any is, and all of
 * them where none is or date is NULL: their number, with the first in
 * *first (NULL when none) and how many of them ran speculative decoding in
 * *spec.  The table holds no two rows that differ only in their dates;
 * more than one means InferenceX listed several recipes there (other
 * worker counts, EP or attention DP, or MTP).
 */
int ixrecipe_find(const char *model, const char *system, const char *precision, const char *backend,
		  double isl, double osl, double conc, double ptp, double dtp, const char *date,
		  const struct ixrecipe **first, int *spec);

#endif
