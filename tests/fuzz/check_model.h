/*
 * check_model.h - what a model card the loader accepted must satisfy, and
 * what the engine must then do with it: count parameters, size the KV cache
 * and plan a default deployment on a bundled hardware card without a crash,
 * a NaN or an overflow.
 */
#ifndef MLASIM_FUZZ_CHECK_MODEL_H
#define MLASIM_FUZZ_CHECK_MODEL_H

#include "check_plan.h"
#include "kv.h"
#include "model.h"
#include "params.h"

#define FZ_DIM(x) FZ_CHECK(fz_whole(x, 1), "%s = %g", #x, (double)(x))

static inline void fz_check_model(const struct model *m)
{
	struct params q;
	struct kv_compare cmp[4];
	struct kvfmt f;
	struct err e = {0};
	double kvb;
	int i;

	FZ_CHECK(memchr(m->name, 0, sizeof m->name) && memchr(m->display, 0, sizeof m->display) &&
		 memchr(m->model_type, 0, sizeof m->model_type) && memchr(m->weights, 0, sizeof m->weights),
		 "a string field is not terminated");
	FZ_DIM(m->layers);
	FZ_DIM(m->hidden);
	FZ_DIM(m->heads);
	FZ_DIM(m->kv_heads);
	FZ_DIM(m->vocab);
	FZ_CHECK(fmod(m->heads, m->kv_heads) == 0, "kv_heads %g does not divide heads %g",
		 m->kv_heads, m->heads);
	FZ_CHECK(m->attn == ATTN_MLA || fz_whole(m->head_dim, 1), "head_dim = %g", m->head_dim);
	FZ_CHECK(fz_whole(m->inter, 0), "inter = %g", m->inter);
	FZ_CHECK(fz_whole(m->mtp_layers, 0), "mtp_layers = %g", m->mtp_layers);
	if (m->attn == ATTN_MLA) {
		FZ_DIM(m->kv_lora);
		FZ_DIM(m->qk_nope);
		FZ_DIM(m->qk_rope);
		FZ_DIM(m->v_head);
		FZ_CHECK(fz_whole(m->q_lora, 0), "q_lora = %g", m->q_lora);
	}
	if (m->is_moe) {
		FZ_DIM(m->experts);
		FZ_DIM(m->top_k);
		FZ_DIM(m->expert_inter);
		FZ_DIM(m->moe_freq);
		FZ_DIM(m->n_group);
		FZ_DIM(m->topk_group);
		FZ_CHECK(m->top_k <= m->experts, "top_k %g > experts %g", m->top_k, m->experts);
		FZ_CHECK(fz_whole(m->first_dense, 0) && m->first_dense <= m->layers,
			 "first_dense = %g", m->first_dense);
		FZ_CHECK(fz_whole(m->shared_experts, 0), "shared_experts = %g", m->shared_experts);
	}
	FZ_CHECK(fz_whole(m->moe_layers, 0) && m->moe_layers <= m->layers,
		 "moe_layers = %g of %g", m->moe_layers, m->layers);
	FZ_CHECK(m->moe_layers == model_moe_layers(m), "moe_layers cache %g != %g",
		 m->moe_layers, model_moe_layers(m));
	{                   /* the kinds cover every layer; dense FFNs have a width */
		double dense = 0, all = 0;
		int k, l;
		FZ_CHECK(m->nkinds >= 2 && m->nkinds <= MODEL_MAX_KINDS, "nkinds = %d", m->nkinds);
		for (k = 0; k < m->nkinds; k++) {
			all += m->kind[k].count;
			dense += m->kind[k].ffn == FFN_DENSE ? m->kind[k].count : 0;
		}
		FZ_CHECK(all == m->layers, "kinds hold %g of %g layers", all, m->layers);
		for (l = 0; l < (int)m->layers; l++)
			FZ_CHECK(m->layer_of[l] < m->nkinds, "layer %d of kind %d", l, m->layer_of[l]);
		FZ_CHECK(dense == 0 || m->inter >= 1,
			 "%g dense layers with intermediate_size %g", dense, m->inter);
	}
	FZ_CHECK(isnan(m->published_total) || (isfinite(m->published_total) && m->published_total > 0),
		 "published_total = %g", m->published_total);

	params_count(m, &q);
	FZ_CHECK(isfinite(q.total) && q.total > 0, "params total = %g", q.total);
	FZ_CHECK(isfinite(q.active) && q.active > 0 && q.active <= q.total * (1 + 1e-12),
		 "params active = %g of %g", q.active, q.total);
	for (i = 0; i < COMP_N; i++)
		FZ_CHECK(isfinite(q.comp[i]) && q.comp[i] >= 0, "params comp %d = %g", i, q.comp[i]);

	precision_parse_kv("bf16", "kv", &f, &e);
	kvb = kv_bytes_per_layer(m, &f, &e);
	FZ_CHECK(isfinite(kvb) && kvb > 0, "kv bytes per layer = %g", kvb);
	{
		struct kv_account acc;
		FZ_CHECK(kv_account(m, &f, 1, m->mtp_layers, &acc, &e) == 0, "kv_account: %s", e.msg);
		FZ_CHECK(isfinite(acc.per_token) && acc.per_token >= 0 && isfinite(acc.fixed) &&
			 acc.fixed >= 0 && isfinite(kv_seq_bytes(&acc, 1e6, 16)),
			 "kv_account per token %g fixed %g", acc.per_token, acc.fixed);
	}
	kv_compare(m, 0, 1, cmp);
	for (i = 0; i < 4; i++)
		FZ_CHECK(isfinite(cmp[i].elements_per_token) && cmp[i].elements_per_token >= 0,
			 "kv_compare[%d] = %g", i, cmp[i].elements_per_token);
	if (m->attn == ATTN_MLA) {
		precision_parse_kv("fp8-flashmla", "kv", &f, &e);
		kvb = kv_bytes_per_layer(m, &f, &e);
		FZ_CHECK(isfinite(kvb) && kvb > 0, "flashmla kv bytes per layer = %g", kvb);
	}
}

/* Plan m on h at tp 1 and at tp = kv heads (when that divides), default workload. */
static inline void fz_plan_model(const struct model *m, const struct hw *h)
{
	struct deployment d;

	plan_default_deployment(m, &d);
	fz_plan(m, h, &d);
	if (m->kv_heads > 1 && m->kv_heads <= 64 && fmod(m->heads, m->kv_heads) == 0) {
		d.tp = m->kv_heads;
		fz_plan(m, h, &d);
	}
	if (m->is_moe && m->experts >= 8) {
		plan_default_deployment(m, &d);
		d.dp = 8;
		d.ep = 8;
		d.w.batch = 64;
		fz_plan(m, h, &d);
	}
}

#endif
