/*
 * model.h - the model card: a HuggingFace config.json, read into SI-free
 * dimension counts.
 *
 * Legend used across sim/: L layers, d hidden size, H attention heads, Hkv KV
 * heads, dh head dim, V vocab, F dense FFN width, Fe expert FFN width, E routed
 * experts, Es shared experts, k experts per token; MLA: dc kv_lora_rank, dq
 * q_lora_rank (0 = queries not compressed), dn qk_nope_head_dim, dr
 * qk_rope_head_dim, dv v_head_dim.
 */
#ifndef MLASIM_MODEL_H
#define MLASIM_MODEL_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "err.h"

enum attn_kind { ATTN_MHA, ATTN_GQA, ATTN_MQA, ATTN_MLA };

/* What mixes tokens in a layer. */
enum mixer {
	MIX_FULL,      /* causal attention over the whole context (MLA or GQA/MHA/MQA) */
	MIX_WINDOW,    /* attention over the last `window` tokens (sliding window) */
	MIX_CHUNK,     /* attention within aligned chunks of `window` tokens (Llama 4) */
	MIX_LINEAR,    /* Gated DeltaNet linear attention: fixed recurrent state */
	MIX_MAMBA,     /* Mamba-2 selective state space: fixed recurrent state */
	MIX_NONE,      /* no token mixer (Nemotron-H's MLP-only and MoE-only layers) */
	MIX_KINDS,
};

/* What a layer's feed-forward part is. */
enum ffn_kind { FFN_DENSE, FFN_MOE, FFN_NONE };

/*
 * One kind of main layer.  The model computes each distinct kind once and
 * multiplies by how many layers have it.  Slots 0 and 1 always hold the
 * plain kinds, full attention with a dense FFN (LAYER_DENSE) and with MoE
 * (LAYER_MOE), their count 0 when the model has none; other kinds follow.
 */
struct layer_spec {
	enum mixer mix;
	enum ffn_kind ffn;
	double window;       /* MIX_WINDOW, MIX_CHUNK: tokens; 0 otherwise */
	double kv_heads;     /* KV heads of this kind's attention (MiMo's window layers differ) */
	int kv_shared;       /* reads the KV cache of an earlier layer (CLA): no k, v, no cache */
	int sinks;           /* a learnt sink logit per head (gpt-oss, MiMo) */
	double count;        /* main layers of this kind */
};

#define MODEL_MAX_KINDS 8
#define MODEL_MAX_LAYERS 4096
#define MODEL_MAX_UNMODELLED 16

struct model {
	char name[64];          /* bundled name, or the file name without .json */
	char display[128];      /* "DeepSeek-V3" */
	char path[512];         /* file it was read from */
	char model_type[48];    /* HF model_type */
	char weights[32];       /* default weight precision ("bf16", "fp8-block") */

	/* dimensions (whole numbers held in double: products exceed 2^31) */
	double layers;          /* L: num_hidden_layers (main model, no MTP) */
	double hidden;          /* d */
	double heads;           /* H */
	double kv_heads;        /* Hkv (MLA: H, a formality) */
	double head_dim;        /* dh (MLA: unused for projections) */
	double v_dim;           /* value head dim of GQA/MHA attention (v_head_dim; default dh) */
	int attn_gate;          /* q_proj also makes a per-head output gate (Qwen3-Next, Qwen3.5) */
	int norms_per_sublayer; /* RMSNorms around each attention or FFN: 1, Gemma 2 (pre and post) */
	int ffn_mats;           /* matrices of each FFN: 3 gated (SwiGLU, GeGLU), 2 plain (relu2) */
	double inter;           /* F: dense FFN intermediate size (0 if none) */
	double vocab;           /* V */
	int tie_embeddings;     /* output head shares the embedding matrix */
	int qkv_bias;           /* q, k, v projections carry a bias (Qwen2) */
	int qk_norm;            /* RMSNorm of head_dim on each q and k head (Qwen3) */
	int o_bias;             /* output projection and MLP carry biases */

	/* MLA (attn == ATTN_MLA) */
	double kv_lora;         /* dc */
	double q_lora;          /* dq; 0 = q projected directly from d */
	double qk_nope;         /* dn */
	double qk_rope;         /* dr */
	double v_head;          /* dv */

	/* MoE (is_moe) */
	double experts;         /* E routed experts */
	double shared_experts;  /* Es */
	double top_k;           /* k */
	double expert_inter;    /* Fe */
	double shared_inter;    /* width of all shared experts together (default Es Fe) */
	int expert_bias;        /* experts and router carry biases (gpt-oss) */
	double first_dense;     /* first_k_dense_replace: leading dense layers */
	double moe_freq;        /* moe_layer_freq: every n-th layer after those is MoE */
	double n_group, topk_group;
	int router_bias;        /* per-expert score-correction bias (noaux_tc) */
	double mtp_layers;      /* num_nextn_predict_layers, num_mtp_modules */
	double moe_layers;      /* main layers that are MoE (derived at load) */

	/* DSA, DeepSeek Sparse Attention (index_topk > 0): a lightning indexer of
	 * index_n_heads x index_head_dim scores every cached token with an fp8
	 * key of its own; attention reads the top index_topk */
	double index_topk, index_heads, index_dim;

	/* Gated DeltaNet (MIX_LINEAR): key and value heads and dims, conv width */
	double lin_k_heads, lin_v_heads, lin_k_dim, lin_v_dim, lin_conv;
	/* Mamba-2 (MIX_MAMBA): heads x head dim = inner width, state N, groups G */
	double mamba_heads, mamba_head_dim, ssm_state, ssm_groups, mamba_conv, ssm_chunk;
	double state_bytes;     /* bytes per recurrent-state element (mamba_ssm_cache_dtype) */

	/* per-layer kinds: kind[layer_of[i]] is main layer i's */
	struct layer_spec kind[MODEL_MAX_KINDS];
	int nkinds;
	int full_sinks;          /* full-attention layers carry sinks (LAYER_DENSE, LAYER_MOE) */
	unsigned char layer_of[MODEL_MAX_LAYERS];
	char expert_weights[32]; /* routed experts' format when the checkpoint differs ("mxfp4"), or "" */
	char attn_weights[32];   /* attention projections' format when it differs (mlasim.attention_weights), or "" */
	char text_config[16];    /* "text_config" when the text model was read from it, or "" */

	enum attn_kind attn;
	int is_moe;

	/* config keys present that change memory or time and that mlasim does
	 * not model (model_unmodelled): each "'KEY' WHAT", static text */
	const char *unmodelled[MODEL_MAX_UNMODELLED];
	int nunmodelled;

	/* published figures from the card's "mlasim" block (NAN when absent) */
	double published_total, published_active;
	char published_source[256];
};

/*
 * Load model card `path` into *m, applying the "key=value" overrides in
 * `sets` (nsets of them) to the JSON before reading it.  m->name is the
 * card's "mlasim.name", else the file name without .json.  Returns 0 or, with
 * a one-line message naming file and key, EXIT_INPUT (a bad card), EXIT_USAGE
 * (a bad --set) or EXIT_ENV (out of memory); an error about a key that a
 * --set gave says so (err_blame_set).
 */
int model_load(const char *path, const char *const *sets, int nsets,
	       struct model *m, struct err *e);

/* Read a model from an already-parsed card into *m (all of it overwritten);
 * `file` names it in errors and becomes m->path.  Returns 0 or EXIT_INPUT.
 * m->unmodelled lists the config's features that change memory or time and
 * that mlasim does not model, for the caller to warn of. */
int model_from_json(const cJSON *root, const char *file, struct model *m,
		    struct err *e);

/* "MHA", "GQA", "MQA" or "MLA" (static text). */
const char *model_attn_name(enum attn_kind a);

/* Number of MoE layers among the L main layers: m->moe_layers, counted when
 * the card was read (layers_read). */
double model_moe_layers(const struct model *m);

/* 1 when main layer i (0-based) is a MoE layer; 0 outside 0..L-1. */
int model_layer_is_moe(const struct model *m, double i);

/* Short name of layer kind k, written into buf (n bytes): "dense", "moe",
 * "window 128 + moe", "mamba".  Returns buf. */
const char *model_kind_name(const struct model *m, int k, char *buf, size_t n);

/* 1 when the model has any layer kind other than full attention (windows,
 * chunks, linear attention, Mamba, shared KV, mixer-only or FFN-only layers). */
int model_is_hybrid(const struct model *m);

/* 1 when `key` is a config.json key the loader reads (for --set checking). */
int model_key_known(const char *key);

#endif
