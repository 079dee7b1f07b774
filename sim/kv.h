/*
 * kv.h - KV-cache accounting per token, per layer and per sequence.
 *
 * Elements cached per token per layer (DeepSeek-V2 paper, Table 1):
 *   MHA 2 H dh,  GQA 2 Hkv dh,  MQA 2 dh,  MLA dc + dr (one latent shared by all heads);
 *   a value head of its own width dv makes GQA's Hkv (dh + dv).
 * Bytes = elements x bits / 8, except FlashMLA's FP8 layout:
 *   dc (fp8) + 4 ceil(dc/128) (fp32 scales) + 2 dr (bf16 RoPE) = 656 B for V3.
 * Layers that cache: the L main layers, plus the MTP layers when asked (their
 * draft tokens keep a cache of their own).
 */
#ifndef MLASIM_KV_H
#define MLASIM_KV_H

#include "err.h"
#include "model.h"
#include "precision.h"

/* KV elements cached per token in one full-attention layer of model m, by its
 * attention kind m->attn: dc + dr for MLA, else Hkv (dh + dv) (the whole
 * model's KV heads, before tensor parallelism; the DSA indexer key not
 * counted). */
double kv_elements_per_layer(const struct model *m);

/* Bytes per token of one plain full-attention layer (kv_kind_bytes of the
 * dense kind, or of the MoE kind when every layer is MoE) in format f.
 * Returns NAN with EXIT_INPUT in e if f does not apply to this attention kind
 * (fp8-flashmla needs MLA). */
double kv_bytes_per_layer(const struct model *m, const struct kvfmt *f, struct err *e);

/* The kind kv_bytes_per_layer() prices: 0 (dense), or 1 (MoE) when every
 * layer is MoE. */
static inline int kv_layer_kind(const struct model *m)
{
	return m->kind[0].count > 0 || !m->kind[1].count ? 0 : 1;
}

/* L main layers, plus num_nextn_predict_layers if with_mtp: the layers that
 * cache in a model of plain full-attention layers (a hybrid model's caching
 * layers are counted by kind: kv_account). */
double kv_layers(const struct model *m, int with_mtp);

/* Bytes per token per layer of FlashMLA's fp8 latent layout: the latent in
 * fp8 with an fp32 scale per 128, the rope part in bf16 (656 for V3). */
double kv_flashmla_bytes(const struct model *m);

/*
 * Bytes per token of one layer of kind l in format f, whole (before tensor
 * parallelism): full, window and chunked attention as above, plus DSA's
 * indexer key (index_head_dim fp8 + one fp32 scale: 132 B for V3.2,
 * DeepSeek-V3.2 inference/model.py); 0 for a layer that reuses an earlier
 * layer's KV (CLA), for Gated DeltaNet and Mamba-2 (their state is fixed)
 * and for mixer-less layers.  NAN with EXIT_INPUT via e as kv_bytes_per_layer.
 */
double kv_kind_bytes(const struct model *m, const struct layer_spec *l, const struct kvfmt *f,
		     struct err *e);

/* Ranks of a tensor-parallel group of tp that split kind l's cache or state:
 * min(tp, the kind's KV heads) for attention, 1 for MLA's latent, min(tp, key
 * heads) for Gated DeltaNet's state, min(tp, groups) for Mamba-2's. */
double kv_kind_split(const struct model *m, const struct layer_spec *l, double tp);

/*
 * Recurrent state of one sequence in one layer of kind l, bytes: Gated
 * DeltaNet conv (2 nk dk + nv dv) (K - 1) + nv dk dv (arXiv 2412.06464;
 * transformers Qwen3NextDynamicCache), Mamba-2 conv (di + 2 G N) (K - 1)
 * + nh p N (arXiv 2405.21060), in state_bytes (mamba_ssm_cache_dtype) for the
 * recurrent part and 2 B for the conv window; 0 for other kinds.
 */
double kv_kind_state(const struct model *m, const struct layer_spec *l);

/*
 * A model's cache for one GPU of a tensor-parallel group of tp (tp 1: the
 * whole model): bytes per token of the layers whose cache grows with the
 * context, the window layers' bytes per token and window by kind (each holds
 * at most `window` tokens: sliding W, chunked C), and the recurrent state per
 * sequence.  `mtp` MTP layers cache like a full-attention layer.  Fills *a
 * and returns 0, or EXIT_INPUT as kv_bytes_per_layer.
 */
struct kv_account {
	double per_token;
	double window_per_token[MODEL_MAX_KINDS];
	double window[MODEL_MAX_KINDS];
	double state;
	double fixed;        /* window layers at their whole window + state */
};
int kv_account(const struct model *m, const struct kvfmt *f, double tp, double mtp,
	       struct kv_account *a, struct err *e);

/* The same for count[k] main layers of each kind k (one pipeline stage's);
 * count[] has m->nkinds entries. */
int kv_account_counts(const struct model *m, const struct kvfmt *f, double tp,
		      const double *count, double mtp, struct kv_account *a, struct err *e);

/*
 * What one layer of each kind of m caches in format f, whole (tp 1), worked
 * out once for the several accounts a plan makes and its step times: bytes
 * per token (kv_kind_bytes), the recurrent state per sequence
 * (kv_kind_state), and the bytes per token its attention reads: its own
 * cache, or for a layer that reuses an earlier one's (CLA) that one's, less
 * DSA's indexer key (the indexer reads it apart).  An MTP layer caches as
 * the main model's MoE kind (dense kind without MoE).  Returns 0, or
 * EXIT_INPUT via e as kv_bytes_per_layer.
 */
struct kv_kinds {
	double bytes[MODEL_MAX_KINDS];
	double state[MODEL_MAX_KINDS];
	double read[MODEL_MAX_KINDS];
};
int kv_kinds(const struct model *m, const struct kvfmt *f, struct kv_kinds *t, struct err *e);

/* kv_account_counts from kv_kinds(m, f): cannot fail. */
void kv_account_kinds(const struct model *m, const struct kv_kinds *t, double tp,
		      const double *count, double mtp, struct kv_account *a);

/* Bytes one sequence of `context` tokens holds, pages of `block` tokens, on
 * one GPU of the tensor-parallel group `a` was made for. */
double kv_seq_bytes(const struct kv_account *a, double context, double block);

/* Tokens a sequence of `context` tokens occupies with pages of `block` tokens. */
double kv_paged_tokens(double context, double block);

/*
 * The same model's attention recast as MHA, GQA, MQA and MLA (kv --compare),
 * DeepSeek-V2 Table 1: MHA 2 H dh, GQA 2 g dh, MQA 2 dh, MLA (dc + dr).
 * For an MLA model dh is qk_nope_head_dim and MLA is its own; for a GQA/MHA
 * model MLA uses V2's ratios dc = 4 dh, dr = dh/2.  `groups` 0 means the
 * model's own KV heads (MLA and MHA models: 8).  Fills out[] with elements
 * per token over kv_layers(m, with_mtp) layers.
 */
struct kv_compare {
	enum attn_kind attn;
	double groups;               /* KV heads of that variant (MLA: 1 latent) */
	double elements_per_token;
};
void kv_compare(const struct model *m, double groups, int with_mtp,
		struct kv_compare out[4]);

#endif
