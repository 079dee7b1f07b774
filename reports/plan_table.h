/*
 * plan_table.h - a plan as the table people read ('mlasim plan', the text of
 * 'mlasim report'): model, memory per GPU, capacity, decode and prefill
 * operator by operator, network, power and cost; and the serving section a
 * plan under an engine card adds.  Sizes in decimal units (GB = 1e9 B).
 */
#ifndef MLASIM_PLAN_TABLE_H
#define MLASIM_PLAN_TABLE_H

#include "../sim/engine.h"
#include "../sim/plan.h"
#include "../sim/serve.h"
#include "sbuf.h"

/* Append the table of plan p (computed by plan_compute) to b. */
void plan_table_render(struct sbuf *b, const struct plan *p);

/*
 * Append the "under load" section of plan p served by engine g, r being what
 * serve_agg or serve_open found (a saturated open loop says only that and the
 * highest rate the deployment sustains).
 */
void plan_table_serving(struct sbuf *b, const struct plan *p, const struct engine *g,
			const struct serve_result *r);

#endif
