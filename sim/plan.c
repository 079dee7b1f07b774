/* plan.c - memory fit of a deployment; see plan.h for the parallelism model */
#include <math.h>
#include <string.h>
#include "plan.h"

void plan_default_deployment(const struct model *m, struct deployment *d)
{
	struct err e;

	memset(d, 0, sizeof *d);
	d->tp = d->dp = d->ep = d->pp = 1;
	if (precision_parse_weights(m->weights, "weights", &d->weights, &e))
		precision_parse_weights("bf16", "weights", &d->weights, &e);
	if (m->expert_weights[0] &&
	    precision_parse_weights(m->expert_weights, "expert-weights", &d->expert_weights, &e))
		d->expert_weights.name[0] = 0;
	if (m->attn_weights[0] &&
	    precision_parse_weights(m->attn_weights, "attention-weights", &d->attn_weights, &e))
		d->attn_weights.name[0] = 0;
	precision_parse_kv("bf16", "kv-dtype", &d->kv, &e);
	d->kv_block = 1;
	d->context = 4096;
	d->mem_fraction = 0.9;     /* vLLM's default gpu_memory_utilization */
	d->reserve_bytes = NAN;
	perf_default_workload(m, &d->w);
	power_default_args(&d->pw);
}

static int whole(double x) { return x >= 1 && x == floor(x); }

/* a mod b for whole a >= 0 and b >= 1: fmod(a, b) without its libm call
 * (every plan checks several) below 2^52, where a / b cannot round up to
 * the next whole number, so a - b floor(a / b) is exact. */
static double plan_mod(double a, double b)
{
	return a < 0x1p52 ? a - b * floor(a / b) : fmod(a, b);
}

/* Greatest common divisor of two whole numbers >= 1 (Euclid). */
static double plan_gcd(double a, double b)
{
	while (b > 0) {
		double r = fmod(a, b);
		a = b;
		b = r;
	}
	return a;
}

int plan_check(const struct model *m, const struct deployment *d, struct err *e)
{
	const char *f = m->path;
	double moe_gpus = d->tp * d->dp;

	if (!whole(d->tp) || !whole(d->dp) || !whole(d->ep) || !whole(d->pp))
		return err_set(e, EXIT_USAGE, "'--tp', '--dp', '--ep' and '--pp' must be positive integers");
	if (plan_mod(m->heads, d->tp) != 0)
		return err_set(e, EXIT_INPUT, "%s: '--tp %g' must divide the %g attention heads",
			       f, d->tp, m->heads);
	if (m->attn != ATTN_MLA && d->tp <= m->kv_heads && plan_mod(m->kv_heads, d->tp) != 0)
		return err_set(e, EXIT_INPUT, "%s: '--tp %g' must divide the %g KV heads",
			       f, d->tp, m->kv_heads);
	if (m->attn != ATTN_MLA && d->tp > m->kv_heads && plan_mod(d->tp, m->kv_heads) != 0)
		return err_set(e, EXIT_INPUT,
			       "%s: '--tp %g' above the %g KV heads must be a multiple of them",
			       f, d->tp, m->kv_heads);
	if (d->pp > m->layers)
		return err_set(e, EXIT_INPUT, "%s: '--pp %g' exceeds the %g layers", f, d->pp, m->layers);
	if (d->pp > PLAN_MAX_STAGES)
		return err_set(e, EXIT_USAGE, "'--pp' is at most %d, got %g", PLAN_MAX_STAGES, d->pp);
	if (!m->is_moe && (d->ep > 1 || d->redundant_experts > 0))
		return err_set(e, EXIT_INPUT, "%s: '--ep' and '--redundant-experts' need a MoE model", f);
	if (m->is_moe && d->ep > m->experts + d->redundant_experts)
		return err_set(e, EXIT_INPUT,
			       "%s: '--ep %g' exceeds the %g routed experts (+%g redundant): some GPUs would hold none",
			       f, d->ep, m->experts, d->redundant_experts);
	if (plan_mod(moe_gpus, d->ep) != 0) {
		/* the smallest dp (attention data parallelism, DeepSeek's layout)
		 * with ep | tp x dp is ep / gcd(ep, tp); likewise for tp */
		return err_set(e, EXIT_USAGE,
			       "'--ep %g' must divide the %g GPUs of a stage (tp %g x dp %g): "
			       "give '--dp %g' for attention data parallelism, or '--tp %g'",
			       d->ep, moe_gpus, d->tp, d->dp, d->ep / plan_gcd(d->ep, d->tp),
			       d->ep / plan_gcd(d->ep, d->dp));
	}
	if (d->mtp > 0 && m->mtp_layers == 0)
		return err_set(e, EXIT_INPUT, "%s: '--mtp %g' needs MTP modules, and the model has none ('num_nextn_predict_layers', 'num_mtp_modules')",
			       f, d->mtp);
	if (!(d->context >= 1) || !(d->kv_block >= 1) || d->kv_block != floor(d->kv_block))
		return err_set(e, EXIT_USAGE, "'--context' and '--kv-block' must be at least 1");
	if (d->w.sbo && d->w.micro_batches != 1)
		return err_set(e, EXIT_USAGE, "'--overlap sbo' overlaps within one batch: it takes one micro-batch, got %g",
			       d->w.micro_batches);
	if (!(d->w.batch >= 1) || !(d->w.micro_batches >= 1) || d->w.micro_batches > d->w.batch)
		return err_set(e, EXIT_USAGE, "'--batch' must be at least 1 and at least '--micro-batches' (%g), got %g",
			       d->w.micro_batches, d->w.batch);
	if (!(d->w.mtp_accept >= 0 && d->w.mtp_accept <= 1) || !(d->w.prefix_hit >= 0 && d->w.prefix_hit < 1))
		return err_set(e, EXIT_USAGE, "'--mtp-accept' must be in [0, 1] and '--prefix-hit' in [0, 1)");
	if (!(d->w.imbalance >= 1))
		return err_set(e, EXIT_USAGE, "'--imbalance' is the busiest rank's load over the mean: at least 1, got %g",
			       d->w.imbalance);
	if (!(d->w.isl >= 1) || !(d->w.osl >= 1) || !(d->w.prefill_tokens >= 1))
		return err_set(e, EXIT_USAGE, "'--isl', '--osl' and '--prefill-tokens' must be at least 1");
	if (!(isnan(d->pw.pue) || hw_pue_valid(d->pw.pue)))
		return err_set(e, EXIT_USAGE, "'--pue' is facility power over IT power: from 1 to 5, got %g", d->pw.pue);
	if (!(isnan(d->pw.capex_years) || d->pw.capex_years > 0))
		return err_set(e, EXIT_USAGE, "'--capex-years' must be positive, got %g", d->pw.capex_years);
	if (!(d->mem_fraction > 0 && d->mem_fraction <= 1))
		return err_set(e, EXIT_USAGE, "'--mem-fraction' must be in (0, 1], got %g", d->mem_fraction);
	if (!(d->w.batch_wait_ratio >= 0 && d->w.batch_wait_ratio <= 1))
		return err_set(e, EXIT_USAGE, "'--batch-wait-ratio' is a share of the step's token budget: in [0, 1], got %g",
			       d->w.batch_wait_ratio);
	return 0;
}

/* MoE layers among main layers [a, b). */
/* Main layers of each kind among layers [a, a + n): count[0 .. nkinds). */
static void plan_kinds_in(const struct model *m, double a, double n, double *count)
{
	int i, k;

	for (k = 0; k < m->nkinds; k++)
		count[k] = n == m->layers ? m->kind[k].count : 0;
	if (n == m->layers)
		return;
	for (i = (int)a; i < (int)(a + n) && i < MODEL_MAX_LAYERS; i++)
		count[m->layer_of[i]]++;
}

/* Bytes of group g (its tensors split alike) held by one GPU, given its whole `bytes`. */
static double plan_group_per_gpu(const struct plan *p, const struct tensor_group *g, double bytes)
{
	const struct deployment *d = &p->dep;

	switch (g->split) {
	case SPLIT_TP:
	case SPLIT_VOCAB:
		return bytes / d->tp;
	case SPLIT_KV:
		return bytes / num_min(d->tp, p->model->kv_heads);
	case SPLIT_EXPERT:
		return bytes / g->count * p->mem.experts_per_gpu / p->mem.moe_tp;
	default:
		return bytes;
	}
}

/* Weight bytes of one layer of a kind: whole, and held by one GPU, in all
 * and by component (comp[] holds the kind's components, params.comps, and
 * nothing else).  For the global tensors, `first` is the embedding (first
 * pipeline stage) and the rest the final norm and head (last stage). */
struct kind_bytes {
	double total;
	double per_gpu, comp[COMP_N];
	double first;
};

static void plan_kind_bytes(const struct plan *p, const struct wprec *const fmt[3],
			    enum layer_kind k, struct kind_bytes *kb)
{
	const struct params *pr = p->params;
	double total = 0, per_gpu = 0, first = 0;
	int g, i;

	for (i = 0; i < pr->ncomps[k]; i++)
		kb->comp[pr->comps[k][i]] = 0;
	for (g = 0; g < pr->ngroups[k]; g++) {
		const struct tensor_group *gr = &pr->groups[k][g];
		double all = params_group_bytes(pr, k, g, fmt[gr->role]);
		double b = plan_group_per_gpu(p, gr, all);

		total += all;
		if (k == LAYER_GLOBAL && gr->comp == COMP_EMBED) {
			first += b;
		} else {
			per_gpu += b;
			kb->comp[gr->comp] += b;
		}
	}
	kb->total = total;
	kb->per_gpu = per_gpu;
	kb->first = first;
}

/* Add n layers of kind k (or the global tensors but the embedding) of
 * per-GPU bytes kb to a stage. */
static void plan_stage_add(const struct params *pr, struct memory_stage *s, enum layer_kind k,
			   double n, const struct kind_bytes *kb)
{
	int i;

	if (n <= 0)
		return;
	s->weights_bytes += n * kb->per_gpu;
	for (i = 0; i < pr->ncomps[k]; i++) {
		enum comp c = pr->comps[k][i];
		s->comp_bytes[c] += n * kb->comp[c];
	}
}

/* The KV bytes per GPU beside `weights` bytes of weights: within the budget
 * (usable x mem_fraction) less weights and reserve, or, with mem_of_free,
 * mem_fraction of what weights and reserve leave of the usable HBM. */
static double plan_kv_budget(const struct plan *p, double weights)
{
	double left = p->mem.hbm_usable_bytes - weights - p->mem.reserve_bytes;

	return p->dep.mem_of_free ? p->dep.mem_fraction * left : p->mem.budget_bytes - weights - p->mem.reserve_bytes;
}

/* Capacity of one stage: KV tokens and sequences per tensor-parallel group. */
static void plan_stage_capacity(struct plan *p, struct memory_stage *s)
{
	const struct deployment *d = &p->dep;
	double page_bytes, pages, pages_per_seq;

	s->kv_budget_bytes = plan_kv_budget(p, s->weights_bytes);
	if (s->kv_budget_bytes <= 0) {
		s->max_tokens = 0;
		s->max_sequences = 0;
		return;
	}
	if (s->kv_bytes_per_token <= 0 && s->kv.fixed <= 0) {
		s->max_tokens = INFINITY;
		s->max_sequences = INFINITY;
		return;
	}
	if (s->kv.fixed > 0) {    /* windows and states: a sequence costs its whole footprint */
		s->max_sequences = floor(s->kv_budget_bytes / kv_seq_bytes(&s->kv, d->context, d->kv_block));
		s->max_tokens = s->max_sequences * kv_paged_tokens(d->context, d->kv_block);
		return;
	}
	page_bytes = d->kv_block * s->kv_bytes_per_token;
	pages = floor(s->kv_budget_bytes / page_bytes);
	pages_per_seq = ceil(d->context / d->kv_block);
	s->max_tokens = pages * d->kv_block;
	s->max_sequences = floor(pages / pages_per_seq);
}

/* Memory of each stage and of the heaviest, given the model's cache by kind. */
static void plan_memory(struct plan *p, const struct kv_kinds *kk)
{
	const struct model *m = p->model;
	const struct deployment *d = &p->dep;
	struct memory *mem = &p->mem;
	struct kind_bytes kb[LAYER_KINDS];
	const struct wprec *fmt[3];   /* by enum frole */
	double base = floor(m->layers / d->pp), rem = plan_mod(m->layers, d->pp);
	double first = 0, min_tokens = INFINITY, min_seqs = INFINITY;
	double count[MODEL_MAX_KINDS];
	int s, k;

	mem->gpus = d->tp * d->dp * d->pp;
	mem->moe_tp = d->tp * d->dp / d->ep;
	mem->experts_per_gpu = m->is_moe ? ceil((m->experts + d->redundant_experts) / d->ep) : 0;
	mem->hbm_usable_bytes = p->hw->gpu.hbm_usable_bytes;
	mem->budget_bytes = mem->hbm_usable_bytes * d->mem_fraction;
	mem->reserve_bytes = isnan(d->reserve_bytes) ? p->hw->gpu.reserve_bytes : d->reserve_bytes;
	mem->stages = (int)d->pp;
	mem->weights_bytes_per_gpu = 0;
	mem->kv_bytes_per_token_per_gpu = 0;
	fmt[FROLE_WEIGHTS] = &d->weights;
	fmt[FROLE_ATTN] = deploy_attn_format(d);
	fmt[FROLE_EXPERT] = deploy_expert_format(d);
	for (k = 0; k < m->nkinds; k++)
		plan_kind_bytes(p, fmt, (enum layer_kind)k, &kb[k]);
	plan_kind_bytes(p, fmt, LAYER_GLOBAL, &kb[LAYER_GLOBAL]);
	p->weights_bytes_total = kb[LAYER_GLOBAL].total;
	if (p->mtp_modules > 0) {   /* otherwise no stage holds them */
		plan_kind_bytes(p, fmt, LAYER_MTP, &kb[LAYER_MTP]);
		p->weights_bytes_total += p->mtp_modules * kb[LAYER_MTP].total;
	}
	for (k = 0; k < m->nkinds; k++)
		p->weights_bytes_total += m->kind[k].count * kb[k].total;
	mem->fits = 1;
	for (s = 0; s < mem->stages; s++) {
		struct memory_stage *st = &mem->stage[s];
		double n = base + (s < rem);
		int last = s == mem->stages - 1;

		/* the accumulators; plan_stage_capacity and kv_account_counts set the rest */
		st->layers = n;
		st->moe_layers = st->weights_bytes = 0;
		memset(st->comp_bytes, 0, sizeof st->comp_bytes);
		plan_kinds_in(m, first, n, count);
		for (k = 0; k < m->nkinds; k++) {
			plan_stage_add(p->params, st, (enum layer_kind)k, count[k], &kb[k]);
			st->moe_layers += m->kind[k].ffn == FFN_MOE ? count[k] : 0;
		}
		if (s == 0) {   /* the embedding */
			st->weights_bytes += kb[LAYER_GLOBAL].first;
			st->comp_bytes[COMP_EMBED] += kb[LAYER_GLOBAL].first;
		}
		plan_stage_add(p->params, st, LAYER_GLOBAL, last, &kb[LAYER_GLOBAL]);
		plan_stage_add(p->params, st, LAYER_MTP, last ? p->mtp_modules : 0, &kb[LAYER_MTP]);
		if (mem->stages == 1 && d->tp == 1)   /* the whole model at tp 1: plan_compute's p->kv */
			st->kv = p->kv;
		else
			kv_account_kinds(m, kk, d->tp, count, last && d->kv_mtp ? p->mtp_modules : 0, &st->kv);
		st->kv_bytes_per_token = st->kv.per_token;
		first += n;
		plan_stage_capacity(p, st);
		if (st->max_sequences < 1)
			mem->fits = 0;
		if (st->weights_bytes >= mem->weights_bytes_per_gpu) {
			mem->weights_bytes_per_gpu = st->weights_bytes;
			memcpy(mem->comp_bytes_per_gpu, st->comp_bytes, sizeof st->comp_bytes);
		}
		mem->kv_bytes_per_token_per_gpu = num_max(mem->kv_bytes_per_token_per_gpu,
						       st->kv_bytes_per_token);
		min_tokens = num_min(min_tokens, st->max_tokens);
		min_seqs = num_min(min_seqs, st->max_sequences);
	}
	mem->kv_bytes_per_gpu = num_max(0, plan_kv_budget(p, mem->weights_bytes_per_gpu));
	if (d->mem_of_free)        /* headroom is 1 - fraction of what weights and reserve leave, none
	                              where they leave nothing: the budget is the rest of usable HBM */
		mem->budget_bytes = mem->hbm_usable_bytes - (1 - d->mem_fraction) *
				    num_max(0, mem->hbm_usable_bytes - mem->weights_bytes_per_gpu - mem->reserve_bytes);
	mem->free_bytes_per_gpu = mem->hbm_usable_bytes - mem->budget_bytes;
	mem->max_sequences_per_instance = min_seqs * d->dp;
	mem->max_sequences_per_gpu = mem->max_sequences_per_instance / mem->gpus;
	mem->max_tokens_per_instance = min_tokens * d->dp;
	mem->max_tokens_per_gpu = mem->max_tokens_per_instance / mem->gpus;
}

int plan_compute(const struct model *m, const struct hw *h,
		 const struct deployment *d, const struct params *params,
		 struct plan *p, struct err *e)
{
	struct kv_kinds kk;
	double count[MODEL_MAX_KINDS];
	int k;

	if (plan_check(m, d, e))
		return e->code;
	if (d->w.planes_down < 0 || d->w.planes_down >= comm_planes(h))
		return err_set(e, EXIT_USAGE, "'--planes-down %g' must leave at least one of the %g network planes of '%s'",
			       d->w.planes_down, comm_planes(h), h->name);
	p->model = m;
	p->hw = h;
	p->dep = *d;
	if (!params) {
		params_count(m, &p->params_own);
		params = &p->params_own;
	}
	p->params = params;
	if (kv_kinds(m, &d->kv, &kk, e))
		return e->code;
	p->kv_bytes_per_layer = kk.bytes[kv_layer_kind(m)];   /* kv_bytes_per_layer() */
	/* D draft steps beyond the checkpoint's modules reuse them (SGLang and
	 * vLLM run one MTP module D times): memory holds the modules there are */
	p->mtp_modules = num_min(d->mtp, m->mtp_layers);
	plan_kinds_in(m, 0, m->layers, count);
	kv_account_kinds(m, &kk, 1, count, d->kv_mtp ? p->mtp_modules : 0, &p->kv);
	p->kv_layers = d->kv_mtp ? p->mtp_modules : 0;
	for (k = 0; k < m->nkinds; k++)
		p->kv_layers += m->kind[k].mix == MIX_FULL && !m->kind[k].kv_shared ? m->kind[k].count : 0;
	p->kv_bytes_per_token = p->kv.per_token;
	plan_memory(p, &kk);
	if (perf_compute(m, h, &p->dep, &p->dep.w, &kk, &p->perf, e))
		return e->code;
	p->batch_fits = d->w.batch * d->pp <= p->mem.max_sequences_per_instance / d->dp;
	power_compute(h, &p->perf, p->mem.gpus, d->w.micro_batches, p->perf.prefill_new_tokens,
		      d->w.osl, &d->pw, &p->power);
	return 0;
}
