/*
 * plan_search.h - the planner's answer ('mlasim plan' with a workload and
 * targets): the best deployment and the runner-up, the families rejected and
 * why, the launch lines of a serving engine; as a table or as JSON.
 */
#ifndef MLASIM_PLAN_SEARCH_H
#define MLASIM_PLAN_SEARCH_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "../sim/search.h"
#include "sbuf.h"

/* What a search found, and what it was asked: the renderers' one input. */
struct plan_search_out {
	const struct model *m;            /* the model searched for */
	const struct deployment *base;    /* the workload: isl, osl, prefix hit */
	const struct slo *slo;            /* rate and targets */
	enum objective objective;
	const struct search_result *r;
	const struct hw *hws;             /* the cards, indexed by candidate.hw */
	const char *hw_list;              /* the cards as the user named them */
	const char *emit;                 /* "vllm", "sglang": launch lines; NULL: none */
};

/* Append the answer as the table people read to b. */
void plan_search_table(struct sbuf *b, const struct plan_search_out *out);

/* The answer as JSON: workload, feasible, deployment, cost, latency,
 * runner_up, search counts, rejected[].  The caller frees it. */
cJSON *plan_search_json(const struct plan_search_out *out);

/* The cards the cost objective could not compare, as 'a', 'b' into buf[n]
 * (empty: none). */
void plan_search_unpriced(const struct search_result *r, const struct hw *hws, char *buf, size_t n);

#endif
