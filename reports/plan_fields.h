/*
 * plan_fields.h - the flat fields of a plan's output, each named once: a
 * sweep row is these fields in this order (its CSV columns and JSON-lines
 * keys, 'mlasim help sweep'); 'chart pareto --from' and 'sweep --merge' find
 * the columns they read by these names; 'plan --format json' gives the same
 * quantity the same key (decode.tpot_s, memory.fits, ...).  Renaming a field
 * here renames it everywhere it is written or read.
 */
#ifndef MLASIM_PLAN_FIELDS_H
#define MLASIM_PLAN_FIELDS_H

#include "../sim/plan.h"

enum plan_field {
	PF_MODEL, PF_HW, PF_GPUS, PF_TP, PF_DP, PF_EP, PF_PP, PF_BATCH, PF_MICRO_BATCHES, PF_OVERLAP,
	PF_CONTEXT, PF_MTP, PF_WEIGHTS, PF_KV_DTYPE, PF_FITS, PF_BATCH_FITS,
	PF_WEIGHTS_BYTES_PER_GPU, PF_KV_BYTES_PER_GPU, PF_MAX_SEQUENCES_PER_GPU,
	PF_TPOT, PF_TPS_GPU, PF_TPS_USER, PF_DECODE_BOUND, PF_TTFT, PF_PREFILL_TPS_GPU,
	PF_GPU_W, PF_USD_PER_MTOK_OUTPUT,
	PF_N
};

/* What a field holds: text (a name), a number (SI, the unit in the name;
 * not finite when unknown) or a boolean. */
enum plan_field_type { PFT_TEXT, PFT_NUM, PFT_BOOL };

/* The field's name ("tokens_per_s_per_gpu"): a static string. */
const char *plan_field_name(enum plan_field f);

enum plan_field_type plan_field_type(enum plan_field f);

/* The field's value in plan p, for a field of that type: a static or p's own
 * string; a number; 1 or 0.  Pure. */
const char *plan_field_text(const struct plan *p, enum plan_field f);
double plan_field_num(const struct plan *p, enum plan_field f);
int plan_field_bool(const struct plan *p, enum plan_field f);

#endif
