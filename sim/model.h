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

#include <cjson/cJSON.h>
#include "err.h"

enum attn_kind { ATTN_MHA, ATTN_GQA, ATTN_MQA, ATTN_MLA };

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
	double first_dense;     /* first_k_dense_replace: leading dense layers */
	double moe_freq;        /* moe_layer_freq: every n-th layer after those is MoE */
	double n_group, topk_group;
	int router_bias;        /* per-expert score-correction bias (noaux_tc) */
	double mtp_layers;      /* num_nextn_predict_layers */
	double moe_layers;      /* main layers that are MoE (derived at load) */

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
 * Load model card `path`, applying the "key=value" overrides in `sets`
 * (nsets of them) to the JSON before reading it.  `name` is the bundled name to
 * record (NULL: taken from the card or the file name).  Returns 0 or
 * EXIT_INPUT / EXIT_USAGE with a one-line message naming file and key.
 */
int model_load(const char *path, const char *const *sets, int nsets,
	       struct model *m, struct err *e);

/* Read a model from an already-parsed card; `file` names it in errors.
 * m->unmodelled lists the config's features that change memory or time and
 * that mlasim does not model, for the caller to warn of. */
int model_from_json(const cJSON *root, const char *file, struct model *m,
		    struct err *e);

/* "MHA", "GQA", "MQA" or "MLA". */
const char *model_attn_name(enum attn_kind a);

/* Number of MoE layers among the L main layers (counted; m->moe_layers caches it). */
double model_moe_layers(const struct model *m);

/* 1 when main layer i (0-based) is a MoE layer. */
int model_layer_is_moe(const struct model *m, double i);

/* 1 when `key` is a config.json key the loader reads (for --set checking). */
int model_key_known(const char *key);

#endif
