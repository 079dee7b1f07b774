/*
 * kv.h - KV-cache accounting per token, per layer and per sequence.
 *
 * Elements cached per token per layer (DeepSeek-V2 paper, Table 1):
 *   MHA 2 H dh,  GQA 2 Hkv dh,  MQA 2 dh,  MLA dc + dr (one latent shared by all heads).
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

/* KV elements cached per token per layer for attention kind a of model m. */
double kv_elements_per_layer(const struct model *m);

/* Bytes per token per layer in format f; EXIT_INPUT via e if f does not apply
 * to this attention kind (fp8-flashmla needs MLA).  Returns NAN on error. */
double kv_bytes_per_layer(const struct model *m, const struct kvfmt *f, struct err *e);

/* Layers that hold a cache: L, plus num_nextn_predict_layers if with_mtp. */
double kv_layers(const struct model *m, int with_mtp);

/* Tokens a sequence of `context` tokens occupies with pages of `block` tokens. */
double kv_paged_tokens(double context, double block);

/*
 * The same model's attention recast as MHA, GQA, MQA and MLA (kv --compare),
 * DeepSeek-V2 Table 1: MHA 2 H dh, GQA 2 g dh, MQA 2 dh, MLA (dc + dr).
 * For an MLA model dh is qk_nope_head_dim and MLA is its own; for a GQA/MHA
 * model MLA uses V2's ratios dc = 4 dh, dr = dh/2.  `groups` 0 means the
 * model's own KV heads (MLA models: 8).  Fills elements per token (all layers).
 */
struct kv_compare {
	enum attn_kind attn;
	double groups;               /* KV heads of that variant (MLA: 1 latent) */
	double elements_per_token;
};
void kv_compare(const struct model *m, double groups, int with_mtp,
		struct kv_compare out[4]);

#endif
