/*
 * search.h - the capacity planner: the cheapest deployment that serves a
 * workload within its latency targets.
 *
 * A family is one layout of one model on one card: tp, dp, ep, pp,
 * micro-batches, KV dtype, weight format, MTP on or off.  For each family:
 *  1. memory at batch 1 (prune: the weights do not fit);
 *  2. TPOT at batch 1 (prune: it misses the target even unloaded);
 *  3. the largest batch that meets the TPOT target, solved with GSL's Brent
 *     root finder on TPOT(batch) - target (TPOT grows with batch), capped by the
 *     sequences that fit in HBM;
 *  4. TTFT of one request at that layout (prune: it misses the target);
 *  5. the GPUs the request rate needs: prefill GPU-seconds rate x S / prefill
 *     tokens/s per GPU, decode rate x osl / decode tokens/s per GPU, rounded up
 *     to whole instances.  Disaggregated: separate pools of that layout.
 *     Aggregated: one pool doing both; decode stalls while prefill runs, so its
 *     TPOT is TPOT / (1 - prefill share of the GPU time), solved the same way;
 *  6. cost per day (GPU-hours), GPUs, or facility power, the objective;
 *     a family whose rack exceeds the card's rack power is rejected.
 * Pinned values (search_space.pin_*) are constraints: only families with
 * them are built, even outside the ranges searched otherwise (tp beyond the
 * scale-up domain, more than 512 GPUs); a pinned batch replaces step 3.
 * A family is skipped before step 3 when even its best possible GPU count
 * (all the memory's batch at the unloaded TPOT) cannot beat the best found.
 */
#ifndef MLASIM_SEARCH_H
#define MLASIM_SEARCH_H

#include "plan.h"

enum objective { OBJ_COST, OBJ_GPUS, OBJ_POWER };

enum reject {
	REJ_NONE, REJ_NOFIT, REJ_TPOT, REJ_TTFT, REJ_RACK, REJ_PRICE, REJ_KINDS,
};

/* One class of requests of a length distribution (--workload FILE). */
struct request_class {
	double isl, osl, weight;   /* weights sum to 1 */
};

#define SEARCH_MAX_CLASSES 64

struct slo {
	double rate;             /* requests per second */
	double ttft_s;           /* NAN: no target */
	double tpot_s;           /* NAN: no target */
	/* a length distribution, or none (nclasses 0: every request is isl, osl).
	 * With one, prefill is costed class by class (its attention grows with the
	 * square of the prompt), TTFT must hold for the longest prompt, and decode
	 * uses the mean answer over the mean context. */
	struct request_class classes[SEARCH_MAX_CLASSES];
	int nclasses;
};

struct candidate {
	int hw;                  /* index of the card */
	struct deployment d;     /* the decode layout with the batch solved */
	int disaggregated;
	double instance_gpus;
	double prefill_gpus, decode_gpus, gpus;
	double tpot_s, ttft_s, tps_user, decode_tps_gpu, prefill_tps_gpu;
	double usd_per_day, facility_kw;
	const char *cost_basis;  /* "gpu-hour" or "capex+energy" (power.h) */
	double max_sequences;    /* per instance, at the context */
	double objective;
};

#define SEARCH_MAX_REJECTED 4096
#define SEARCH_MAX_CARDS 16      /* cards one search compares */

struct rejected {
	int hw;
	double tp, dp, ep, pp, mb, mtp;
	char weights[24], kv[40];
	enum reject why;
	double value;            /* the miss: TPOT or TTFT at batch 1, kW, bytes over */
};

struct search_result {
	struct candidate best, runner_up;
	int found, have_runner_up;
	struct rejected rej[SEARCH_MAX_REJECTED];
	int nrej;
	long rejected_by[REJ_KINDS];
	long families, evaluations, pruned;
	/* per card (index into space.hws): families dropped because the card has
	 * no price under the cost objective, so the caller can name those cards */
	long unpriced[SEARCH_MAX_CARDS];
	struct err layout;       /* the first deployment that could not be laid out */
};

struct search_space {
	const struct hw *hws;
	int nhws;
	const char *const *weights;  /* formats to try (NULL-terminated); NULL: the model's */
	const char *const *kvs;      /* KV dtypes to try; NULL: bf16 and fp8 */
	/* pinned values (the user's --tp, --dp, --ep, --pp, --micro-batches,
	 * --mtp, --batch): only deployments with them are searched; NAN: searched */
	double pin_tp, pin_dp, pin_ep, pin_pp, pin_mb, pin_mtp, pin_batch;
	enum objective objective;
	int disaggregation;          /* -1 both, 0 aggregated only, 1 disaggregated only */
};

/* Nothing pinned, cost objective, both modes, the model's weights, bf16 and
 * fp8 KV, and no cards: the caller sets hws and nhws. */
void search_default_space(struct search_space *sp);

/*
 * Find the best deployment of model m (params pc) for workload `base` (isl,
 * osl, prefix hit, context, ...) under `slo` over the space `sp`, into *r
 * (about 560 KB: the caller allocates it, not on the stack).  Returns 0
 * (r->found says whether anything met the targets) or an error for bad
 * arguments: EXIT_USAGE for no request rate, for more than SEARCH_MAX_CARDS
 * cards, for a weight or KV format that does not parse, or, naming the pin,
 * when no deployment with the pinned values can be laid out at all (e.g.
 * '--ep 256' dividing no tp x dp); with nothing pinned and no deployment
 * laid out, the first layout error (r->layout).  A card without a price
 * under the cost objective is not compared: r->unpriced[card] counts its
 * families; EXIT_ENV when its working family (a plan and its scratch,
 * allocated and freed here) cannot be allocated.  Not reentrant: it turns
 * GSL's error handler off for the whole process.
 */
int search_run(const struct model *m, const struct params *pc, const struct deployment *base,
	       const struct slo *slo, const struct search_space *sp, struct search_result *r,
	       struct err *e);

/* Why a family was rejected, in words (static text). */
const char *search_reject_name(enum reject why);     /* "misses TPOT" */
const char *search_reject_plural(enum reject why);   /* "miss TPOT" */

#endif
