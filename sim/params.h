/*
 * params.h - parameter accounting: every weight tensor of each layer kind,
 * with its shape, how tensor/expert parallelism splits it, and how it is
 * stored.  Counts and bytes both come from these lists, so a formula for a
 * tensor's size is written once.
 *
 * Shapes follow the HuggingFace checkpoints (rows = outputs, cols = inputs):
 *   MLA  q_a_proj [dq, d], q_a_layernorm [dq], q_b_proj [H(dn+dr), dq]
 *        (or q_proj [H(dn+dr), d] without q_lora_rank), kv_a_proj_with_mqa
 *        [dc+dr, d], kv_a_layernorm [dc], kv_b_proj [H(dn+dv), dc],
 *        o_proj [d, H dv]                      (DeepSeek-V2 paper s2.1.2)
 *   GQA  q_proj [H dh, d], k_proj and v_proj [Hkv dh, d], o_proj [d, H dh]
 *   FFN  gate_proj and up_proj [F, d], down_proj [d, F] (SwiGLU)
 *   MoE  gate [E, d] (+ e_score_correction_bias [E] with noaux_tc), shared
 *        experts as one SwiGLU of width Es Fe, E routed SwiGLU experts of width Fe
 *   MTP  enorm, hnorm [d], eh_proj [d, 2d], one transformer layer, norm [d]
 *        (DeepSeek-V3 report s2.2; embedding and output head shared with the main model)
 */
#ifndef MLASIM_PARAMS_H
#define MLASIM_PARAMS_H

#include "model.h"
#include "precision.h"

enum comp {
	COMP_EMBED, COMP_ATTN, COMP_NORM, COMP_FFN, COMP_ROUTER, COMP_SHARED,
	COMP_ROUTED, COMP_HEAD, COMP_MTP, COMP_N,
};

/* How a tensor is divided among the GPUs of a parallel group. */
enum split {
	SPLIT_NONE,     /* replicated on every rank */
	SPLIT_TP,       /* divided by the tensor-parallel degree */
	SPLIT_KV,       /* divided by min(TP, KV heads): KV heads replicate past that */
	SPLIT_VOCAB,    /* vocabulary-parallel embedding and head: divided by TP */
	SPLIT_EXPERT,   /* routed experts: spread over EP ranks (and MoE-TP within) */
};

enum store {
	STORE_QUANT,    /* the deployment's weight format */
	STORE_BF16,     /* embeddings, head, norms, router stay in bf16 */
	STORE_FP32,     /* router score-correction bias */
};

struct tensor {
	const char *name;
	enum comp comp;
	double rows, cols;
	double count;       /* copies per layer: E for routed experts, else 1 */
	enum split split;
	enum store store;
};

/* Main layer kinds are m->kind[0 .. MODEL_MAX_KINDS-1] (model.h): 0 and 1
 * the plain dense and MoE ones, then windows, hybrids and the like. */
enum layer_kind {
	LAYER_DENSE = 0, LAYER_MOE = 1, LAYER_MTP = MODEL_MAX_KINDS, LAYER_GLOBAL, LAYER_KINDS,
};

/* Most tensors any layer kind has. */
#define PARAMS_MAX_TENSORS 40

/* Fill t[] (room for PARAMS_MAX_TENSORS) with the tensors of one layer of
 * kind k; returns how many (0 for a main kind the model does not have). */
int params_layer(const struct model *m, enum layer_kind k, struct tensor *t);

/* Elements of one tensor entry (all its copies). */
double params_tensor_count(const struct tensor *t);

/* Bytes of one tensor entry (all its copies) when linear layers use w. */
double params_tensor_bytes(const struct tensor *t, const struct wprec *w);

/* Which of a deployment's weight formats a tensor's linear layers take. */
enum frole { FROLE_WEIGHTS, FROLE_ATTN, FROLE_EXPERT };

/* Tensors of one layer kind that a plan prices alike (the same component,
 * split and copies, so the same format and divisor): their bytes summed per
 * weight format, int4 at its default group of 128.  A plan adds a handful of
 * groups instead of every tensor. */
struct tensor_group {
	enum comp comp;
	enum split split;
	enum frole role;
	double count;                 /* copies per layer of each tensor (E for routed experts) */
	double bytes[WF_FORMATS];
};

/*
 * Parameter totals.  Convention, stated in every output that shows them:
 * `total` is the main model with embedding and output head, without MTP
 * modules; `active` is what one token touches in the main model, without the
 * input embedding (a table lookup; tied to the output head, it counts as the
 * head) and with the output head, routed experts
 * counted k of E; `active_with_embedding` adds the embedding back.
 */
struct params {
	double comp[COMP_N];          /* total per component (main model; MTP in COMP_MTP) */
	double comp_active[COMP_N];
	double total, active, active_with_embedding;
	double mtp_total, mtp_active; /* all num_nextn_predict_layers modules */
	double layer_count[LAYER_KINDS]; /* layers of each kind in the main model */
	/* the tensor lists themselves, built once (plan_compute reuses them) */
	struct tensor tensors[LAYER_KINDS][PARAMS_MAX_TENSORS];
	int ntensors[LAYER_KINDS];
	/* the tensors a plan prices alike, grouped: group_of[k][i] is tensor i's */
	struct tensor_group groups[LAYER_KINDS][PARAMS_MAX_TENSORS];
	int ngroups[LAYER_KINDS];
	int group_of[LAYER_KINDS][PARAMS_MAX_TENSORS];
	/* the components kind k's groups hold, comps[k][0 .. ncomps[k]), in
	 * order of first appearance: a plan adds these, not all COMP_N */
	enum comp comps[LAYER_KINDS][COMP_N];
	int ncomps[LAYER_KINDS];
};

/* The deployment format a group's linear layers are stored in (plan.h
 * resolves it): the experts', the attention projections' or the weights'. */
static inline enum frole params_role(const struct tensor *t)
{
	if (t->comp == COMP_ROUTED || (t->comp == COMP_MTP && t->split == SPLIT_EXPERT))
		return FROLE_EXPERT;
	return t->comp == COMP_ATTN ? FROLE_ATTN : FROLE_WEIGHTS;
}

/* Bytes of group g of layer kind k (all its tensors and copies) in format
 * w, int4 with a group other than 128: summed tensor by tensor. */
double params_group_bytes_regrouped(const struct params *p, enum layer_kind k, int g,
				    const struct wprec *w);

/* Bytes of group g of layer kind k (all its tensors and copies) in format w:
 * from the table for every format but int4 with a group other than 128.
 * Inline: a plan prices every group of every kind. */
static inline double params_group_bytes(const struct params *p, enum layer_kind k, int g,
					const struct wprec *w)
{
	if (!(w->fmt == WF_INT4 && w->group != 128))
		return p->groups[k][g].bytes[w->fmt];
	return params_group_bytes_regrouped(p, k, g, w);
}

/* Count the parameters of model m into *p (all of it overwritten: totals,
 * the tensor lists and their groups; about 60 KB). */
void params_count(const struct model *m, struct params *p);

/* Name of layer kind k in operator lists: model_kind_name() for main
 * kinds (written into buf of n bytes), else the static "mtp" or "global"
 * (embedding, final norm, head). */
const char *params_layer_name(const struct model *m, enum layer_kind k, char *buf, size_t n);

/* Short lowercase component name ("routed experts"). */
const char *params_comp_name(enum comp c);
/* JSON key of a component ("routed_experts"). */
const char *params_comp_key(enum comp c);

#endif
