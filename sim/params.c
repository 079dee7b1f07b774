/* params.c - tensor lists and parameter counts; shapes in params.h */
#include <string.h>
#include "params.h"

static int add(struct tensor *t, int n, const char *name, enum comp c,
	       double rows, double cols, double count, enum split s, enum store st)
{
	t[n].name = name;
	t[n].comp = c;
	t[n].rows = rows;
	t[n].cols = cols;
	t[n].count = count;
	t[n].split = s;
	t[n].store = st;
	return n + 1;
}

static int params_mla(const struct model *m, struct tensor *t, int n)
{
	double d = m->hidden, H = m->heads, qk = m->qk_nope + m->qk_rope;

	if (m->q_lora > 0) {
		n = add(t, n, "q_a_proj", COMP_ATTN, m->q_lora, d, 1, SPLIT_NONE, STORE_QUANT);
		n = add(t, n, "q_a_layernorm", COMP_ATTN, 1, m->q_lora, 1, SPLIT_NONE, STORE_BF16);
		n = add(t, n, "q_b_proj", COMP_ATTN, H * qk, m->q_lora, 1, SPLIT_TP, STORE_QUANT);
	} else {
		n = add(t, n, "q_proj", COMP_ATTN, H * qk, d, 1, SPLIT_TP, STORE_QUANT);
	}
	n = add(t, n, "kv_a_proj_with_mqa", COMP_ATTN, m->kv_lora + m->qk_rope, d, 1,
		SPLIT_NONE, STORE_QUANT);
	n = add(t, n, "kv_a_layernorm", COMP_ATTN, 1, m->kv_lora, 1, SPLIT_NONE, STORE_BF16);
	n = add(t, n, "kv_b_proj", COMP_ATTN, H * (m->qk_nope + m->v_head), m->kv_lora, 1,
		SPLIT_TP, STORE_QUANT);
	return add(t, n, "o_proj", COMP_ATTN, d, H * m->v_head, 1, SPLIT_TP, STORE_QUANT);
}

/* GQA/MHA/MQA of one layer kind: its KV heads, shared KV (CLA), sinks. */
static int params_gqa(const struct model *m, const struct layer_spec *l, struct tensor *t, int n)
{
	double d = m->hidden, q = m->heads * m->head_dim, kv = l->kv_heads * m->head_dim;
	double vo = l->kv_heads * m->v_dim, o = m->heads * m->v_dim;

	/* Qwen3-Next: q_proj makes the queries and an output gate per head */
	n = add(t, n, "q_proj", COMP_ATTN, q * (m->attn_gate ? 2 : 1), d, 1, SPLIT_TP, STORE_QUANT);
	if (!l->kv_shared) {
		n = add(t, n, "k_proj", COMP_ATTN, kv, d, 1, SPLIT_KV, STORE_QUANT);
		n = add(t, n, "v_proj", COMP_ATTN, vo, d, 1, SPLIT_KV, STORE_QUANT);
	}
	if (m->qkv_bias) {
		n = add(t, n, "q_proj.bias", COMP_ATTN, 1, q, 1, SPLIT_TP, STORE_BF16);
		if (!l->kv_shared) {
			n = add(t, n, "k_proj.bias", COMP_ATTN, 1, kv, 1, SPLIT_KV, STORE_BF16);
			n = add(t, n, "v_proj.bias", COMP_ATTN, 1, vo, 1, SPLIT_KV, STORE_BF16);
		}
	}
	if (m->qk_norm) {
		n = add(t, n, "q_norm", COMP_ATTN, 1, m->head_dim, 1, SPLIT_NONE, STORE_BF16);
		n = add(t, n, "k_norm", COMP_ATTN, 1, m->head_dim, 1, SPLIT_NONE, STORE_BF16);
	}
	if (l->sinks)
		n = add(t, n, "sinks", COMP_ATTN, 1, m->heads, 1, SPLIT_TP, STORE_BF16);
	n = add(t, n, "o_proj", COMP_ATTN, d, o, 1, SPLIT_TP, STORE_QUANT);
	if (m->o_bias)
		n = add(t, n, "o_proj.bias", COMP_ATTN, 1, d, 1, SPLIT_NONE, STORE_BF16);
	return n;
}

/* DSA's lightning indexer (DeepSeek-V3.2 inference/model.py, Indexer). */
static int params_indexer(const struct model *m, struct tensor *t, int n)
{
	double ni = m->index_heads, di = m->index_dim;

	n = add(t, n, "indexer.wq_b", COMP_ATTN, ni * di, m->q_lora, 1, SPLIT_NONE, STORE_QUANT);
	n = add(t, n, "indexer.wk", COMP_ATTN, di, m->hidden, 1, SPLIT_NONE, STORE_QUANT);
	n = add(t, n, "indexer.k_norm", COMP_ATTN, 2, di, 1, SPLIT_NONE, STORE_BF16);  /* weight, bias */
	return add(t, n, "indexer.weights_proj", COMP_ATTN, ni, m->hidden, 1, SPLIT_NONE, STORE_BF16);
}

/* Gated DeltaNet (transformers Qwen3NextGatedDeltaNet). */
static int params_deltanet(const struct model *m, struct tensor *t, int n)
{
	double kd = m->lin_k_heads * m->lin_k_dim, vd = m->lin_v_heads * m->lin_v_dim;

	n = add(t, n, "in_proj_qkvz", COMP_ATTN, 2 * kd + 2 * vd, m->hidden, 1, SPLIT_TP, STORE_QUANT);
	n = add(t, n, "in_proj_ba", COMP_ATTN, 2 * m->lin_v_heads, m->hidden, 1, SPLIT_TP, STORE_QUANT);
	n = add(t, n, "conv1d", COMP_ATTN, 2 * kd + vd, m->lin_conv, 1, SPLIT_TP, STORE_BF16);
	n = add(t, n, "dt_bias, A_log", COMP_ATTN, 2, m->lin_v_heads, 1, SPLIT_TP, STORE_FP32);
	n = add(t, n, "norm", COMP_ATTN, 1, m->lin_v_dim, 1, SPLIT_NONE, STORE_BF16);
	return add(t, n, "out_proj", COMP_ATTN, m->hidden, vd, 1, SPLIT_TP, STORE_QUANT);
}

/* Mamba-2 mixer (transformers NemotronHMamba2Mixer; arXiv 2405.21060). */
static int params_mamba(const struct model *m, struct tensor *t, int n)
{
	double di = m->mamba_heads * m->mamba_head_dim, gn = m->ssm_groups * m->ssm_state;

	n = add(t, n, "in_proj", COMP_ATTN, 2 * di + 2 * gn + m->mamba_heads, m->hidden, 1,
		SPLIT_TP, STORE_QUANT);
	n = add(t, n, "conv1d", COMP_ATTN, di + 2 * gn, m->mamba_conv + 1, 1, SPLIT_TP, STORE_BF16);
	n = add(t, n, "dt_bias, A_log, D", COMP_ATTN, 3, m->mamba_heads, 1, SPLIT_TP, STORE_FP32);
	n = add(t, n, "norm", COMP_ATTN, 1, di, 1, SPLIT_TP, STORE_BF16);
	return add(t, n, "out_proj", COMP_ATTN, m->hidden, di, 1, SPLIT_TP, STORE_QUANT);
}

/* An FFN of width f: gate and up [f, d], down [d, f]; relu2 has no gate. */
static int params_ffn(const struct model *m, struct tensor *t, int n, enum comp c,
		      double f, double count, enum split s)
{
	if (m->ffn_mats == 3)
		n = add(t, n, "gate_proj", c, f, m->hidden, count, s, STORE_QUANT);
	n = add(t, n, "up_proj", c, f, m->hidden, count, s, STORE_QUANT);
	return add(t, n, "down_proj", c, m->hidden, f, count, s, STORE_QUANT);
}

static int params_moe(const struct model *m, struct tensor *t, int n)
{
	double E = m->experts, fe = m->expert_inter;

	n = add(t, n, "gate", COMP_ROUTER, E, m->hidden, 1, SPLIT_NONE, STORE_BF16);
	if (m->router_bias)
		n = add(t, n, "e_score_correction_bias", COMP_ROUTER, 1, E, 1, SPLIT_NONE, STORE_FP32);
	if (m->expert_bias)
		n = add(t, n, "gate.bias", COMP_ROUTER, 1, E, 1, SPLIT_NONE, STORE_BF16);
	if (m->shared_inter > 0)
		n = params_ffn(m, t, n, COMP_SHARED, m->shared_inter, 1, SPLIT_TP);
	n = params_ffn(m, t, n, COMP_ROUTED, fe, E, SPLIT_EXPERT);
	if (m->expert_bias) {   /* gpt-oss: gate_up_proj_bias [E, 2F], down_proj_bias [E, d] */
		n = add(t, n, "experts.gate_up_proj_bias", COMP_ROUTED, 1, 2 * fe, E, SPLIT_EXPERT, STORE_BF16);
		n = add(t, n, "experts.down_proj_bias", COMP_ROUTED, 1, m->hidden, E, SPLIT_EXPERT, STORE_BF16);
	}
	return n;
}

/* Norms of a layer: one before each sublayer (Gemma: also one after). */
static int params_norms(const struct model *m, const struct layer_spec *l, struct tensor *t, int n)
{
	int subs = (l->mix != MIX_NONE) + (l->ffn != FFN_NONE);

	if (subs == 2 && m->norms_per_sublayer == 1) {
		n = add(t, n, "input_layernorm", COMP_NORM, 1, m->hidden, 1, SPLIT_NONE, STORE_BF16);
		return add(t, n, "post_attention_layernorm", COMP_NORM, 1, m->hidden, 1, SPLIT_NONE, STORE_BF16);
	}
	return add(t, n, "layernorms", COMP_NORM, 1, m->hidden, subs * m->norms_per_sublayer,
		   SPLIT_NONE, STORE_BF16);
}

static int params_block(const struct model *m, const struct layer_spec *l, struct tensor *t, int n)
{
	switch (l->mix) {
	case MIX_FULL: case MIX_WINDOW: case MIX_CHUNK:
		if (m->attn != ATTN_MLA)
			n = params_gqa(m, l, t, n);
		else if ((n = params_mla(m, t, n)) > 0 && m->index_topk > 0)
			n = params_indexer(m, t, n);
		break;
	case MIX_LINEAR:
		n = params_deltanet(m, t, n);
		break;
	case MIX_MAMBA:
		n = params_mamba(m, t, n);
		break;
	default:
		break;
	}
	n = params_norms(m, l, t, n);
	if (l->ffn == FFN_DENSE)
		return params_ffn(m, t, n, COMP_FFN, m->inter, 1, SPLIT_TP);
	return l->ffn == FFN_MOE ? params_moe(m, t, n) : n;
}

int params_layer(const struct model *m, enum layer_kind k, struct tensor *t)
{
	int n = 0, i;

	if (k < MODEL_MAX_KINDS)
		return (int)k < m->nkinds || k < 2 ? params_block(m, &m->kind[k], t, 0) : 0;
	switch (k) {
	case LAYER_MTP:
		n = add(t, n, "enorm", COMP_MTP, 1, m->hidden, 1, SPLIT_NONE, STORE_BF16);
		n = add(t, n, "hnorm", COMP_MTP, 1, m->hidden, 1, SPLIT_NONE, STORE_BF16);
		n = add(t, n, "eh_proj", COMP_MTP, m->hidden, 2 * m->hidden, 1, SPLIT_TP, STORE_QUANT);
		n = add(t, n, "shared_head.norm", COMP_MTP, 1, m->hidden, 1, SPLIT_NONE, STORE_BF16);
		i = n;
		/* the MTP block is a full-attention layer past first_k_dense_replace:
		 * MoE in a MoE model */
		n = params_block(m, &m->kind[m->is_moe ? LAYER_MOE : LAYER_DENSE], t, n);
		for (; i < n; i++)
			t[i].comp = COMP_MTP;
		return n;
	case LAYER_GLOBAL:
		n = add(t, n, "embed_tokens", COMP_EMBED, m->vocab, m->hidden, 1, SPLIT_VOCAB, STORE_BF16);
		n = add(t, n, "norm", COMP_NORM, 1, m->hidden, 1, SPLIT_NONE, STORE_BF16);
		if (!m->tie_embeddings)
			n = add(t, n, "lm_head", COMP_HEAD, m->vocab, m->hidden, 1, SPLIT_VOCAB, STORE_BF16);
		return n;
	default:
		return 0;
	}
}

double params_tensor_count(const struct tensor *t)
{
	return t->rows * t->cols * t->count;
}

double params_tensor_bytes(const struct tensor *t, const struct wprec *w)
{
	static const struct wprec bf16 = {WF_BF16, 128, "bf16"};
	static const struct wprec fp32 = {WF_FP32, 128, "fp32"};
	const struct wprec *p = t->store == STORE_QUANT ? w :
				t->store == STORE_FP32 ? &fp32 : &bf16;

	return precision_matrix_bytes(p, t->rows, t->cols) * t->count;
}

/* Parameters one token touches in tensor t: routed experts count k of E. */
static double params_tensor_active(const struct model *m, const struct tensor *t)
{
	if (t->split == SPLIT_EXPERT)
		return t->rows * t->cols * m->top_k;
	return params_tensor_count(t);
}

/* Add component c to kind k's list unless it is there. */
static void params_note_comp(struct params *p, enum layer_kind k, enum comp c)
{
	int i;

	for (i = 0; i < p->ncomps[k]; i++)
		if (p->comps[k][i] == c)
			return;
	p->comps[k][p->ncomps[k]++] = c;
}

/* Group the tensors of kind k that price alike and sum their bytes per format. */
static void params_group(struct params *p, enum layer_kind k)
{
	const struct tensor *t = p->tensors[k];
	int i, g, f;

	p->ngroups[k] = 0;
	p->ncomps[k] = 0;
	for (i = 0; i < p->ntensors[k]; i++) {
		struct tensor_group *gr;

		for (g = 0; g < p->ngroups[k]; g++) {
			gr = &p->groups[k][g];
			if (gr->comp == t[i].comp && gr->split == t[i].split && gr->count == t[i].count)
				break;
		}
		gr = &p->groups[k][g];
		if (g == p->ngroups[k]) {
			p->ngroups[k]++;
			*gr = (struct tensor_group){t[i].comp, t[i].split, params_role(&t[i]), t[i].count, {0}};
			params_note_comp(p, k, t[i].comp);
		}
		p->group_of[k][i] = g;
		for (f = 0; f < WF_FORMATS; f++) {
			struct wprec w = {(enum wfmt)f, 128, ""};
			gr->bytes[f] += params_tensor_bytes(&t[i], &w);
		}
	}
}

double params_group_bytes_regrouped(const struct params *p, enum layer_kind k, int g,
				    const struct wprec *w)
{
	double b = 0;
	int i;

	for (i = 0; i < p->ntensors[k]; i++)
		if (p->group_of[k][i] == g)
			b += params_tensor_bytes(&p->tensors[k][i], w);
	return b;
}

void params_count(const struct model *m, struct params *p)
{
	struct tensor t[PARAMS_MAX_TENSORS];
	double layers[LAYER_KINDS];
	int k, i, n;

	memset(p, 0, sizeof *p);
	for (k = 0; k < MODEL_MAX_KINDS; k++)
		layers[k] = k < m->nkinds ? m->kind[k].count : 0;
	layers[LAYER_MTP] = m->mtp_layers;
	layers[LAYER_GLOBAL] = 1;
	memcpy(p->layer_count, layers, sizeof layers);
	for (k = 0; k < LAYER_KINDS; k++) {
		n = params_layer(m, (enum layer_kind)k, t);
		memcpy(p->tensors[k], t, (size_t)n * sizeof t[0]);
		p->ntensors[k] = n;
		params_group(p, (enum layer_kind)k);
		for (i = 0; i < n; i++) {
			p->comp[t[i].comp] += params_tensor_count(&t[i]) * layers[k];
			p->comp_active[t[i].comp] += params_tensor_active(m, &t[i]) * layers[k];
		}
	}
	for (k = 0; k < COMP_N; k++) {
		if (k == COMP_MTP)
			continue;
		p->total += p->comp[k];
		p->active_with_embedding += p->comp_active[k];
	}
	/* tied embeddings: the matrix is also the output head every token multiplies */
	p->active = p->active_with_embedding - (m->tie_embeddings ? 0 : p->comp_active[COMP_EMBED]);
	p->mtp_total = p->comp[COMP_MTP];
	p->mtp_active = p->comp_active[COMP_MTP];
}

static const char *const comp_names[COMP_N] = {
	"embedding", "attention", "norms", "dense ffn", "router", "shared experts",
	"routed experts", "output head", "mtp module",
};
static const char *const comp_keys[COMP_N] = {
	"embedding", "attention", "norms", "dense_ffn", "router", "shared_experts",
	"routed_experts", "output_head", "mtp",
};

const char *params_layer_name(const struct model *m, enum layer_kind k, char *buf, size_t n)
{
	if (k == LAYER_MTP)
		return "mtp";
	if ((int)k >= MODEL_MAX_KINDS)
		return "global";
	return model_kind_name(m, (int)k, buf, n);
}

const char *params_comp_name(enum comp c) { return comp_names[c]; }
const char *params_comp_key(enum comp c) { return comp_keys[c]; }
