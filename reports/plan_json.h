/*
 * plan_json.h - a plan as JSON, the stable contract of 'mlasim plan --format
 * json' (and, flattened by report_tree, of --format csv): SI values with the
 * unit in the key, null for a number not known ('mlasim help plan' lists the
 * keys).
 */
#ifndef MLASIM_PLAN_JSON_H
#define MLASIM_PLAN_JSON_H

#include <cjson/cJSON.h>
#include "../sim/engine.h"
#include "../sim/plan.h"
#include "../sim/serve.h"

/* The JSON document of plan p: model, hardware, deployment, memory, decode,
 * prefill, network, serving, power and cost.  The caller frees it; NULL when
 * out of memory. */
cJSON *plan_json_render(const struct plan *p);

/* Add to document o (from plan_json_render) the engine card g's serving
 * figures r into its "serving" object (made when absent). */
void plan_json_serving(cJSON *o, const struct engine *g, const struct serve_result *r);

/* The layout keys a plan and a planner's candidate share (tp, dp, ep, pp,
 * batch, micro_batches, mtp, the weight formats, kv_dtype), added to x. */
void plan_json_layout(cJSON *x, const struct deployment *d);

#endif
