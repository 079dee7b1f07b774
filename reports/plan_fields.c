/* plan_fields.c - see plan_fields.h */
#include <math.h>
#include "../sim/perf.h"
#include "plan_fields.h"

static const struct {
	const char *name;
	enum plan_field_type type;
} plan_fields[PF_N] = {
	[PF_MODEL] = {"model", PFT_TEXT},
	[PF_HW] = {"hw", PFT_TEXT},
	[PF_GPUS] = {"gpus", PFT_NUM},
	[PF_TP] = {"tp", PFT_NUM},
	[PF_DP] = {"dp", PFT_NUM},
	[PF_EP] = {"ep", PFT_NUM},
	[PF_PP] = {"pp", PFT_NUM},
	[PF_BATCH] = {"batch", PFT_NUM},
	[PF_MICRO_BATCHES] = {"micro_batches", PFT_NUM},
	[PF_OVERLAP] = {"overlap", PFT_TEXT},
	[PF_CONTEXT] = {"context", PFT_NUM},
	[PF_MTP] = {"mtp", PFT_NUM},
	[PF_WEIGHTS] = {"weights", PFT_TEXT},
	[PF_KV_DTYPE] = {"kv_dtype", PFT_TEXT},
	[PF_FITS] = {"fits", PFT_BOOL},
	[PF_BATCH_FITS] = {"batch_fits", PFT_BOOL},
	[PF_WEIGHTS_BYTES_PER_GPU] = {"weights_bytes_per_gpu", PFT_NUM},
	[PF_KV_BYTES_PER_GPU] = {"kv_bytes_per_gpu", PFT_NUM},
	[PF_MAX_SEQUENCES_PER_GPU] = {"max_sequences_per_gpu", PFT_NUM},
	[PF_TPOT] = {"tpot_s", PFT_NUM},
	[PF_TPS_GPU] = {"tokens_per_s_per_gpu", PFT_NUM},
	[PF_TPS_USER] = {"tokens_per_s_per_user", PFT_NUM},
	[PF_DECODE_BOUND] = {"decode_bound", PFT_TEXT},
	[PF_TTFT] = {"ttft_s", PFT_NUM},
	[PF_PREFILL_TPS_GPU] = {"prefill_tokens_per_s_per_gpu", PFT_NUM},
	[PF_GPU_W] = {"gpu_w", PFT_NUM},
	[PF_USD_PER_MTOK_OUTPUT] = {"usd_per_mtok_output", PFT_NUM},
};

const char *plan_field_name(enum plan_field f)
{
	return plan_fields[f].name;
}

enum plan_field_type plan_field_type(enum plan_field f)
{
	return plan_fields[f].type;
}

const char *plan_field_text(const struct plan *p, enum plan_field f)
{
	switch (f) {
	case PF_MODEL: return p->model->name;
	case PF_HW: return p->hw->name;
	case PF_WEIGHTS: return p->dep.weights.name;
	case PF_KV_DTYPE: return p->dep.kv.name;
	case PF_OVERLAP: return perf_overlap_name(perf_overlap(&p->dep.w));
	case PF_DECODE_BOUND: return perf_bound_name(p->perf.decode.bound);
	default: return "";
	}
}

double plan_field_num(const struct plan *p, enum plan_field f)
{
	switch (f) {
	case PF_GPUS: return p->mem.gpus;
	case PF_TP: return p->dep.tp;
	case PF_DP: return p->dep.dp;
	case PF_EP: return p->dep.ep;
	case PF_PP: return p->dep.pp;
	case PF_BATCH: return p->dep.w.batch;
	case PF_MICRO_BATCHES: return p->dep.w.micro_batches;
	case PF_CONTEXT: return p->dep.context;
	case PF_MTP: return p->dep.mtp;
	case PF_WEIGHTS_BYTES_PER_GPU: return p->mem.weights_bytes_per_gpu;
	case PF_KV_BYTES_PER_GPU: return p->mem.kv_bytes_per_gpu;
	case PF_MAX_SEQUENCES_PER_GPU: return p->mem.max_sequences_per_gpu;
	case PF_TPOT: return p->perf.tpot_s;
	case PF_TPS_GPU: return p->perf.decode_tps_gpu;
	case PF_TPS_USER: return p->perf.decode_tps_user;
	case PF_TTFT: return p->perf.ttft_s;
	case PF_PREFILL_TPS_GPU: return p->perf.prefill_tps_gpu;
	case PF_GPU_W: return p->power.gpu_w;
	case PF_USD_PER_MTOK_OUTPUT: return p->power.usd_per_mtok_output;
	default: return NAN;
	}
}

int plan_field_bool(const struct plan *p, enum plan_field f)
{
	switch (f) {
	case PF_FITS: return p->mem.fits;
	case PF_BATCH_FITS: return p->batch_fits;
	default: return 0;
	}
}
