/* perf.c - operators, roofline and steps; the formulas and their sources are in perf.h */
#include <math.h>
#include <stddef.h>
#include <string.h>
#include "deploy.h"
#include "kv.h"
#include "perf.h"

/* What quantising activations to format f costs (perf_quant_bytes): kernel
 * calls, bytes per element in and out (a scale per group of elements
 * included, as a share of a scale per element), per token (a scale per
 * token) and per call (a scale per tensor). */
struct pquant { double kernels, elem_bytes, token_bytes, tensor_bytes; };

/* Everything an operator builder needs, derived once per perf_compute(). */
struct ctx {
	const struct model *m;
	const struct hw *h;
	const struct deployment *d;
	const struct workload *w;
	const struct hw_kernel_eff *kern;   /* [K_CLASSES]: the card's, or perf_ideal under --ideal */
	double peak[3];            /* FLOP/s by dtype */
	double hbm;                /* B/s */
	double sms;                /* SMs for the wave model (kern.h); 0 under --ideal */
	double heads;              /* attention heads per TP rank */
	struct kind_ctx {          /* per layer kind, m->kind[k], k < m->nkinds */
		double kv_heads;   /* KV heads per TP rank (GQA): max(kind's KV heads / tp, 1) */
		double kvb;        /* KV bytes per token per GPU its attention reads (latent or K
		                      and V; a shared-KV layer's from the cache it reuses; DSA's
		                      indexer key apart) */
		double state;      /* recurrent state per sequence per GPU (DeltaNet, Mamba-2) */
	} kind[MODEL_MAX_KINDS];
	enum dtype gemm_dt;        /* dtype the linear layers compute in */
	enum dtype attn_dt;        /* that of the attention projections */
	enum dtype expert_dt;      /* dtype the routed experts compute in */
	enum dtype index_dt;       /* dtype of DSA's indexer scores: fp8 where the card has it */
	enum kclass gemm_k, attn_k;   /* their GEMMs' kernel classes (routed experts: perf_moe) */
	struct pquant gemm_q, attn_q;   /* what quantising their inputs costs apart
	                              (perf_quant_bytes): no kernels for bf16 GEMMs, or a
	                              class whose fit carries it (hw_kernel_eff.act_quant) */
	enum kclass decode_k;      /* decode attention's class: by the KV format (perf_decode_kernel) */
	enum kclass gqa_decode_k;  /* MHA/GQA decode attention's: attention_decode_gqa where calibrated */
	enum dtype decode_dt;
	double disp_payload;       /* bytes per token copy, EP dispatch */
	double comb_payload;       /* bytes per token copy, EP combine */
	struct links links;
	double experts_local;      /* physical experts per EP rank */
	double moe_tp;             /* tp x dp / ep */
	int same_mixer[MODEL_MAX_KINDS];   /* the first kind whose mixer this kind's equals (k < nkinds) */
};

/* --ideal: every kernel class on its roofline, without latency. */
#define PERF_ROOF {1, 1, 0, 0, 0, 0, 0, KCAL_DEFAULTS, 0}
_Static_assert(K_CLASSES == 13, "perf_ideal has one entry per kernel class");
static const struct hw_kernel_eff perf_ideal[K_CLASSES] = {
	PERF_ROOF, PERF_ROOF, PERF_ROOF, PERF_ROOF, PERF_ROOF, PERF_ROOF, PERF_ROOF, PERF_ROOF, PERF_ROOF,
	PERF_ROOF, PERF_ROOF, PERF_ROOF, PERF_ROOF,
};

/* A kind's mixer operators in the step, and its elementwise kernels and
 * their bytes (perf_mixer_elementwise), for the kinds that share it. */
struct range { int first, last; double ew_n, ew_b; };

static const char *const class_names[OPC_CLASSES] = {
	"attention projections", "attention core", "dense ffn", "router",
	"shared experts", "routed experts", "output head", "mtp module",
	"elementwise", "tp all-reduce", "ep dispatch", "ep combine", "pp transfer",
};
static const char *const class_keys[OPC_CLASSES] = {
	"attention_projections", "attention_core", "dense_ffn", "router",
	"shared_experts", "routed_experts", "output_head", "mtp", "elementwise", "tp_allreduce",
	"ep_dispatch", "ep_combine", "pp_transfer",
};
static const char *const bound_names[BOUND_KINDS] = {
	"compute", "hbm", "scale-up", "scale-out", "latency",
};

const char *perf_class_name(enum opclass c) { return class_names[c]; }
const char *perf_class_key(enum opclass c) { return class_keys[c]; }
const char *perf_bound_name(enum bound b) { return bound_names[b]; }

enum overlap perf_overlap(const struct workload *w)
{
	return w->sbo ? OVERLAP_SBO : w->micro_batches >= 2 ? OVERLAP_TBO : OVERLAP_NONE;
}

const char *perf_overlap_name(int mode)
{
	static const char *const names[OVERLAP_MODES] = {"none", "tbo", "sbo"};

	return mode >= 0 && mode < OVERLAP_MODES ? names[mode] : NULL;
}

void perf_default_workload(const struct model *m, struct workload *w)
{
	memset(w, 0, sizeof *w);
	w->batch = 1;
	w->micro_batches = 1;
	w->mtp_accept = 0.85;      /* DeepSeek-V3 report s5.4.3: second-token acceptance 85-90% */
	w->context = 4096;
	w->isl = 4096;
	w->osl = 1024;
	/* chunked-prefill budget per step: mini-SGLang's default --max-prefill-length
	 * (docs: sgl-project/mini-sglang server options); vLLM and SGLang pick theirs
	 * by GPU, so users should pass their engine's */
	w->prefill_tokens = 8192;
	w->recv_interval = 1;      /* SGLang's scheduler_recv_interval default, every engine's behaviour */
	w->dp_balance_iters = NAN; /* the serving engine's */
	w->batch_wait_iters = 0;   /* TensorRT-LLM's batch_wait_timeout_iters default: no waiting */
	w->batch_wait_ratio = 0;   /* its batch_wait_max_tokens_ratio default */
	w->imbalance = 1;          /* uniform routing, as the ISCA 2025 speed-limit analysis assumes */
	w->graph_saving = 0;       /* kernels as measured alone */
	w->max_nodes = NAN;        /* from the model's expert groups and the layout */
	w->dp_balance = -1;        /* the serving engine's */
	(void)m;
}

/* ---- roofline ------------------------------------------------------------ */

/* fmax without the libm call (operands are never NaN here). */
static inline double max2(double a, double b) { return a > b ? a : b; }

/* The kernel class of a GEMM on weights of format f computing in dt:
 * per-tensor and block-scaled fp8 differ (aiconfigurator's H100 tables,
 * hw/published/h100-sxm/aic-trtllm-gemm.json: fp8 18.5 us, fp8_block 10.5 us
 * at M 64, N 7168, K 2048). */
static enum kclass perf_gemm_kernel(enum dtype dt, enum wfmt f)
{
	if (dt == DT_FP8)
		return f == WF_FP8_BLOCK ? K_GEMM_FP8_BLOCK : K_GEMM_FP8;
	return dt == DT_FP4 ? K_GEMM_FP4 : K_GEMM_BF16;
}

double perf_kernel_seconds(const struct hw *h, enum kclass k, enum dtype dt, double flops,
			   double bytes)
{
	struct kshape s = {flops, bytes, 0, 0, 0, 1, 0, 0};

	return kern_seconds(&h->kern[k], kern_peak(h, dt), h->gpu.hbm_bw, 0, &s, NULL, NULL);
}

/*
 * A step being built (perf_step) and what adding an operator charges.  Each
 * operator is charged once, as it is added (perf_add): its time x count x
 * micro-batches to its class, and to its bound unless its layer may hide
 * its all-to-all behind compute (`defer`: perf_layers_time charges then the
 * side that shows, once the layer is whole); a compute operator's busy time;
 * and the sums the layer's and the step's times are made of.
 */
struct build {
	struct phase *ph;
	double mb;                 /* micro-batches per step (the workload's) */
	int layer;                 /* layer kind of the operators being added (op.layer) */
	int defer;                 /* this layer's bounds wait for perf_layers_time */
	double compute_s, comm_s;  /* the layer's operators, one occurrence each: all
	                              but the EP all-to-all, and the all-to-all */
	double counted_s;          /* sum of t x count since perf_begin */
	double saved_s[2];         /* --overlap sbo: seconds the layer's dispatch and combine
	                              hide behind compute (negative: compute they slow down),
	                              one occurrence each (perf_sbo_saving) */
	enum bound saved_bound[2]; /* the bounds of that dispatch and combine */
};

/* Start a layer of kind `layer`, or the operators outside the layers
 * (defer 0): the sums start from nothing. */
static void perf_begin(struct build *b, int layer, int defer)
{
	b->layer = layer;
	b->defer = defer;
	b->compute_s = b->comm_s = b->counted_s = 0;
	b->saved_s[0] = b->saved_s[1] = 0;
}

static inline int perf_class_is_a2a(enum opclass c)
{
	return c == OPC_EP_DISPATCH || c == OPC_EP_COMBINE;
}

/* The next free operator of the step, or NULL when it is full. */
static inline struct op *perf_slot(struct build *b)
{
	struct phase *ph = b->ph;

	return ph->nops < PERF_MAX_OPS ? &ph->op[ph->nops++] : NULL;
}

/* Charge operator o, just added (the struct build above). */
static inline void perf_add(struct build *b, const struct op *o)
{
	struct phase *ph = b->ph;
	double tc = o->t * o->count, t = tc * b->mb;

	ph->t_class[o->layer == LAYER_MTP ? OPC_MTP : o->cls] += t;
	if (!b->defer)
		ph->t_bound[o->bound] += t;
	if (!perf_class_is_comm(o->cls))
		ph->busy_s += o->count * o->t_busy;
	if (perf_class_is_a2a(o->cls))
		b->comm_s += o->t;
	else
		b->compute_s += o->t;
	b->counted_s += tc;
}

/* One kernel call of shape s (a GEMM's m, n, k for the wave model), timed
 * by kern_seconds() with the parameters of its class. */
static void perf_kernel_op(const struct ctx *x, struct build *b, const char *name,
			   enum opclass cls, enum kclass kernel, enum dtype dt, double count,
			   const struct kshape *s)
{
	static const enum bound bound_of[] = {
		[KB_COMPUTE] = BOUND_COMPUTE, [KB_MEMORY] = BOUND_HBM, [KB_LATENCY] = BOUND_LATENCY,
	};
	struct op *o = perf_slot(b);
	enum kbound kb;
	double t, busy;

	if (!o)
		return;
	t = kern_seconds(&x->kern[kernel], x->peak[dt], x->hbm, x->sms, s, &busy, &kb);
	*o = (struct op){.name = name, .cls = cls, .kernel = kernel, .dtype = dt, .layer = b->layer,
			 .count = count, .flops = s->flops, .bytes = s->bytes, .t = t, .t_busy = busy,
			 .bound = bound_of[kb]};
	perf_add(b, o);
}

/* A kernel that is not a GEMM: its FLOPs and bytes alone. */
static void perf_compute_op(const struct ctx *x, struct build *b, const char *name,
			    enum opclass cls, enum kclass kernel, enum dtype dt,
			    double count, double flops, double bytes)
{
	struct kshape s = {flops, bytes, 0, 0, 0, 1, 0, 0};

	perf_kernel_op(x, b, name, cls, kernel, dt, count, &s);
}

/*
 * `kernels` elementwise kernel calls moving `bytes` in all (perf.h), timed
 * by kern_stream_seconds(); bound by latency where the fixed times are the
 * larger part.
 */
static void perf_elementwise_op(const struct ctx *x, struct build *b, const char *name, double count,
				double kernels, double bytes)
{
	const struct hw_kernel_eff *k = &x->kern[K_ELEMWISE];
	struct op *o;
	double busy, t;

	if (kernels <= 0 || !(o = perf_slot(b)))
		return;
	t = kern_stream_seconds(k, x->hbm, kernels, bytes, &busy);
	*o = (struct op){.name = name, .cls = OPC_ELEMWISE, .kernel = K_ELEMWISE, .dtype = DT_BF16,
			 .layer = b->layer, .count = count, .bytes = bytes, .t = t, .t_busy = busy,
			 .bound = kernels * k->t0_s > busy ? BOUND_LATENCY : BOUND_HBM};
	perf_add(b, o);
}

/* What quantising to each format costs (perf_quant_bytes), dynamic
 * (static only differs for per-tensor fp8); a table, as it is read for
 * every plan.  Formats not listed quantise nothing. */
static const struct pquant perf_quant_costs[WF_FORMATS] = {
	[WF_FP8] = {2, 5, 0, 4},                  /* an amax pass (2 B in), then the quantiser (2 B in, 1 out) */
	[WF_FP8_BLOCK] = {1, 3 + 4.0 / 128, 0, 0},  /* a fp32 scale per 128 */
	[WF_INT8] = {1, 3, 4, 0},                 /* a fp32 scale per token */
	[WF_NVFP4] = {1, 2.5 + 1.0 / 16, 0, 4},     /* half a byte out, a fp8 scale per 16 and a fp32 one per tensor */
	[WF_MXFP4] = {1, 2.5 + 1.0 / 32, 0, 0},     /* an E8M0 scale per 32 */
};

static struct pquant perf_quant_cost(enum wfmt f, int dynamic)
{
	if (!(f >= 0 && f < WF_FORMATS))
		return (struct pquant){0, 0, 0, 0};
	if (f == WF_FP8 && !dynamic)   /* the quantiser alone, its scale given */
		return (struct pquant){1, 3, 0, 4};
	return perf_quant_costs[f];
}

/* The bytes of quantising T x K activations at cost q. */
static inline double perf_quant_eval(const struct pquant *q, double T, double K)
{
	return T * (K * q->elem_bytes + q->token_bytes) + q->tensor_bytes;
}

int perf_quant_bytes(enum wfmt f, int dynamic, double T, double K, double *bytes)
{
	struct pquant q = perf_quant_cost(f, dynamic);

	*bytes = q.kernels > 0 ? perf_quant_eval(&q, T, K) : 0;
	return (int)q.kernels;
}

/* Add to *kernels and *bytes the quantisation of T x K activations at cost
 * q (no kernels: none). */
static inline void perf_quant_add(const struct pquant *q, double T, double K, double *kernels, double *bytes)
{
	if (q->kernels > 0 && T > 0) {
		*kernels += q->kernels;
		*bytes += perf_quant_eval(q, T, K);
	}
}

/* The dtype a GEMM on weights of format f computes in on h. */
static enum dtype perf_format_dtype(const struct hw *h, enum wfmt f)
{
	switch (f) {
	case WF_FP8: case WF_FP8_BLOCK: case WF_INT8:
		return h->gpu.flops_fp8 > 0 ? DT_FP8 : DT_BF16;
	case WF_NVFP4: case WF_MXFP4:
		return h->gpu.flops_fp4 > 0 ? DT_FP4 : DT_BF16;
	default:
		return DT_BF16;
	}
}

void perf_gemm_shape(const struct wprec *w, enum dtype dt, double T, double N, double K,
		     struct kshape *s)
{
	double act_in = dt == DT_FP8 ? 1 : 2;   /* fp8 GEMMs quantise their input */

	*s = (struct kshape){2 * T * N * K, precision_matrix_bytes(w, N, K) + T * K * act_in + T * N * 2,
			     T, N, K, 1, 0, 0};
}

double perf_prefill_ctas(double h, double T, double q)
{
	return q > 0 ? h * (T / q) * kern_ceil_div(q, KERN_TILE) : 0;
}

double perf_qkv_pass_bytes(double h, double hk, double dh, double dv, double T)
{
	return 2 * 2 * T * (h * dh + hk * (dh + dv));
}

/* Causal prefill attention: its FLOPs, bytes, softmax exponentials (one per
 * query-key pair and head) and thread blocks (kern.h). */
static void perf_prefill_attention_op(const struct ctx *x, struct build *b, double count,
				      double flops, double bytes, double exps, double ctas)
{
	struct kshape s = {flops, bytes, 0, 0, 0, 1, exps, ctas};

	perf_kernel_op(x, b, "attention (prefill, causal)", OPC_ATTN_CORE, K_ATTN_PREFILL, DT_BF16, count, &s);
}

/* A linear layer: T tokens x [N outputs, K inputs] held by this GPU. */
static void perf_gemm(const struct ctx *x, struct build *b, const char *name,
		      enum opclass cls, double count, double T, double N, double K,
		      int bf16_weights)
{
	static const struct wprec bf16 = {WF_BF16, 128, "bf16"};
	int attn = cls == OPC_ATTN_PROJ && !bf16_weights;   /* --attention-weights */
	enum dtype dt = bf16_weights ? DT_BF16 : attn ? x->attn_dt : x->gemm_dt;
	enum kclass k = bf16_weights ? K_GEMM_BF16 : attn ? x->attn_k : x->gemm_k;
	struct kshape s;

	if (T <= 0)
		return;
	perf_gemm_shape(bf16_weights ? &bf16 : attn ? deploy_attn_format(x->d) : &x->d->weights,
			dt, T, N, K, &s);
	perf_kernel_op(x, b, name, cls, k, dt, count, &s);
}

/* A transfer of `bytes` over a link taking t seconds, bounded by bd (a
 * transfer of nothing by its latency). */
static void perf_comm_op(struct build *b, const char *name, enum opclass cls,
			 double count, double bytes, double t, enum bound bd)
{
	struct op *o = perf_slot(b);

	if (!o)
		return;
	*o = (struct op){.name = name, .cls = cls, .layer = b->layer, .count = count, .bytes = bytes, .t = t,
			 .bound = t > 0 && bytes <= 0 ? BOUND_LATENCY : bd};
	perf_add(b, o);
}

/* The fit of the serving engine's own all-reduce that runs a TP all-reduce
 * of `bytes` on n GPUs of one domain (below the engine's limit, where the
 * card has the fit; perf.h), or NULL where NCCL runs it. */
static const struct hw_car_fit *perf_custom_ar(const struct ctx *x, double n, double bytes)
{
	const struct engine *g = x->w->engine;

	if (!g || !g->nar || x->w->ideal || n > x->links.up_domain || !(bytes < engine_ar_max(g, x->h, n, ENGINE_AR_CUSTOM)))
		return NULL;
	return hw_car_fit_for(x->h, g->name, n);
}

/* Does the RMSNorm after a TP all-reduce of T tokens run inside it?  Where
 * the engine fuses them (engine.h, norm_in_allreduce), its own all-reduce
 * runs it (the fused kernels are one-shot and two-shot ones; NCCL's fuses
 * nothing) and the message is below the engine's limit for the fused kernel
 * (engine_ar_max, ENGINE_AR_FUSED_NORM: vLLM's FlashInfer fusion has its own). */
static int perf_norm_fused(const struct ctx *x, double T)
{
	const struct engine *g = x->w->engine;
	double n = x->d->tp, bytes = T * x->m->hidden * 2;

	return g && g->norm_in_allreduce && n > 1 && perf_custom_ar(x, n, bytes) &&
	       bytes < engine_ar_max(g, x->h, n, ENGINE_AR_FUSED_NORM);
}

/* TP all-reduce of T tokens' hidden states (bf16) after attention or FFN. */
static void perf_allreduce(const struct ctx *x, struct build *b, double count,
			   double n, double T)
{
	double bytes = T * x->m->hidden * 2;
	const struct links *l = &x->links;
	struct links out;
	const struct hw_coll_fit *fit;
	const struct hw_car_fit *car;
	struct nccl_topo topo;
	double t;

	if (n <= 1 || T <= 0)
		return;
	if (n > x->links.up_domain) {          /* the group spans domains: the NIC bounds it */
		out = x->links;
		out.up_bw = x->links.out_bw;
		out.up_mesh = 0;
		out.up_latency_s = x->links.out_latency_s;
		l = &out;
	}
	/* within a domain, the serving engine's own all-reduce below its limit
	 * where the card has its fit, else NCCL's protocols as the card's
	 * nccl-tests fit has them */
	if ((car = perf_custom_ar(x, n, bytes))) {
		perf_comm_op(b, "tp all-reduce (engine's own)", OPC_TP_COMM, count, bytes * 2 * (n - 1) / n,
			     comm_custom_ar_s(car, n, bytes), BOUND_SCALE_UP);
		return;
	}
	fit = x->w->ideal || n > x->links.up_domain ? NULL : hw_coll_fit_for(x->h, HW_COLL_AR, n);
	comm_nccl_topo(x->h, &topo);
	t = fit ? comm_nccl_s(fit, &topo, HW_COLL_AR, n, bytes) : comm_allreduce_s(l, n, bytes);
	perf_comm_op(b, "tp all-reduce", OPC_TP_COMM, count, bytes * 2 * (n - 1) / n, t,
		     n > x->links.up_domain ? BOUND_SCALE_OUT : BOUND_SCALE_UP);
}

/* ---- attention -------------------------------------------------------------- */

void perf_mla_attention(const struct model *m, double h, double B, double sq, double L,
			double kvb, double *flops, double *bytes)
{
	double dk = m->kv_lora + m->qk_rope, dv = m->kv_lora;

	*flops = 2 * B * h * sq * L * (dk + dv);
	*bytes = B * (sq * h * dk * 2 + L * kvb + sq * h * dv * 2);
}

/* Keys seen by query positions 1..n (perf_window_pairs). */
static double perf_pairs_upto(enum mixer mix, double W, double n)
{
	double c, r;

	if (mix == MIX_WINDOW && n > W)        /* min(q, W): q up to W, then W each */
		return W * (W + 1) / 2 + (n - W) * W;
	if (mix == MIX_CHUNK && n > W) {       /* ((q - 1) mod C) + 1: whole chunks, then the rest */
		c = floor(n / W);
		r = n - c * W;
		return c * W * (W + 1) / 2 + r * (r + 1) / 2;
	}
	return n * (n + 1) / 2;
}

double perf_window_pairs(enum mixer mix, double W, double a, double b)
{
	if ((mix != MIX_WINDOW && mix != MIX_CHUNK) || !(W > 0))
		mix = MIX_FULL;
	return perf_pairs_upto(mix, W, b) - perf_pairs_upto(mix, W, a);
}

struct step_shape {
	double T;          /* tokens per micro-batch per attention group (decode: the engine's
	                      CUDA-graph batch, padded rows included: perf_graph_batch) */
	double Tr;         /* of which real: the sequences' own (T less the padding) */
	double B, sq, L;   /* decode: sequences per micro-batch, tokens each, context */
	double ctx_tokens; /* prefill: tokens whose K, V are up-projected (MLA) or read */
	double pairs;      /* prefill: causal query-key pairs; < 0 for decode */
	double P0, S;      /* prefill: one request's cached and new tokens */
	double q_span, kv_span;   /* prefill: one request's queries and keys in the step */
};

/* The share of a request's full causal pairs that a layer attending with mix
 * over W tokens computes (1 for full attention). */
static double perf_pairs_share(enum mixer mix, double W, const struct step_shape *s)
{
	return perf_window_pairs(mix, W, s->P0, s->P0 + s->S) /
	       perf_window_pairs(MIX_FULL, 0, s->P0, s->P0 + s->S);
}

/*
 * DSA's lightning indexer (DeepSeek-V3.2 inference/model.py, Indexer), on
 * every GPU of the group (its weights are not split): wq_b from the query
 * latent, wk and weights_proj from the hidden state, then the scores of
 * index_heads x index_dim fp8 dot products against every key it sees, its
 * fp8 keys with one fp32 scale each read from the cache.
 */
static void perf_indexer(const struct ctx *x, struct build *b, double count, double T,
			 double keys, double pairs, int decode)
{
	const struct model *m = x->m;
	double ni = m->index_heads, di = m->index_dim;

	perf_gemm(x, b, "indexer wq_b", OPC_ATTN_PROJ, count, T, ni * di,
		  m->q_lora > 0 ? m->q_lora : m->hidden, 0);
	perf_gemm(x, b, "indexer wk", OPC_ATTN_PROJ, count, T, di, m->hidden, 0);
	perf_gemm(x, b, "indexer weights_proj", OPC_ATTN_PROJ, count, T, ni, m->hidden, 1);
	perf_compute_op(x, b, decode ? "indexer scores (decode)" : "indexer scores (prefill)",
			OPC_ATTN_CORE, decode ? K_ATTN_DECODE : K_ATTN_PREFILL, x->index_dt, count,
			2 * ni * di * pairs, keys * (di + 4));
}

/* MLA decode, absorbed: B sequences of s_q tokens, context L (the indexer's),
 * La tokens attended (DSA: the top index_topk), kvb latent bytes per token. */
static void perf_mla_decode(const struct ctx *x, struct build *b, double count, double T,
			    double B, double sq, double L, double La, double kvb)
{
	const struct model *m = x->m;
	double h = x->heads, flops, bytes;

	if (m->q_lora > 0) {
		perf_gemm(x, b, "q_a + kv_a projection", OPC_ATTN_PROJ, count, T,
			  m->q_lora + m->kv_lora + m->qk_rope, m->hidden, 0);
		perf_gemm(x, b, "q_b projection", OPC_ATTN_PROJ, count, T,
			  h * (m->qk_nope + m->qk_rope), m->q_lora, 0);
	} else {
		perf_gemm(x, b, "q projection", OPC_ATTN_PROJ, count, T,
			  h * (m->qk_nope + m->qk_rope), m->hidden, 0);
		perf_gemm(x, b, "kv_a projection", OPC_ATTN_PROJ, count, T,
			  m->kv_lora + m->qk_rope, m->hidden, 0);
	}
	if (m->index_topk > 0)   /* each real query token scores the whole context, sq per sequence */
		perf_indexer(x, b, count, T, B * L, B * sq * L, 1);
	/* W_UK and W_UV come from kv_b_proj, dequantised to bf16 for absorption */
	perf_compute_op(x, b, "q_nope x W_UK (absorbed)", OPC_ATTN_PROJ, K_GEMM_BF16, DT_BF16,
			count, 2 * T * h * m->qk_nope * m->kv_lora,
			2 * h * m->qk_nope * m->kv_lora + 2 * T * h * (m->qk_nope + m->kv_lora));
	perf_mla_attention(m, h, B, sq, La, kvb, &flops, &bytes);
	perf_compute_op(x, b, "mla decode attention", OPC_ATTN_CORE, x->decode_k, x->decode_dt,
			count, flops, bytes);
	perf_compute_op(x, b, "W_UV (absorbed)", OPC_ATTN_PROJ, K_GEMM_BF16, DT_BF16, count,
			2 * T * h * m->kv_lora * m->v_head,
			2 * h * m->kv_lora * m->v_head + 2 * T * h * (m->kv_lora + m->v_head));
	perf_gemm(x, b, "o projection", OPC_ATTN_PROJ, count, T, m->hidden, h * m->v_head, 0);
}

/* MLA prefill, not absorbed: Tn new tokens, q of them per sequence, ctx
 * tokens up-projected, pairs q-k pairs attended (DSA: each query's top
 * index_topk), ipairs the indexer scores. */
static void perf_mla_prefill(const struct ctx *x, struct build *b, double count,
			     double Tn, double q, double ctx_tokens, double pairs, double ipairs)
{
	const struct model *m = x->m;
	double h = x->heads, dqk = m->qk_nope + m->qk_rope;

	if (m->q_lora > 0) {
		perf_gemm(x, b, "q_a + kv_a projection", OPC_ATTN_PROJ, count, Tn,
			  m->q_lora + m->kv_lora + m->qk_rope, m->hidden, 0);
		perf_gemm(x, b, "q_b projection", OPC_ATTN_PROJ, count, Tn, h * dqk, m->q_lora, 0);
	} else {
		perf_gemm(x, b, "q projection", OPC_ATTN_PROJ, count, Tn, h * dqk, m->hidden, 0);
		perf_gemm(x, b, "kv_a projection", OPC_ATTN_PROJ, count, Tn,
			  m->kv_lora + m->qk_rope, m->hidden, 0);
	}
	if (m->index_topk > 0)
		perf_indexer(x, b, count, Tn, ctx_tokens, ipairs, 0);
	perf_gemm(x, b, "kv_b projection (K, V up)", OPC_ATTN_PROJ, count, ctx_tokens,
		  h * (m->qk_nope + m->v_head), m->kv_lora, 0);
	perf_prefill_attention_op(x, b, count, 2 * h * (dqk + m->v_head) * pairs,
				  2 * (Tn * h * dqk + ctx_tokens * h * (dqk + m->v_head) + Tn * h * m->v_head),
				  h * pairs, perf_prefill_ctas(h, Tn, q));
	perf_gemm(x, b, "o projection", OPC_ATTN_PROJ, count, Tn, m->hidden, h * m->v_head, 0);
}

void perf_gqa_decode_shape(double h, double kvb, double dh, double dv, double B, double sq, double L,
			   struct kshape *s)
{
	*s = (struct kshape){2 * B * h * sq * L * (dh + dv), B * (L * kvb + sq * h * (dh + dv) * 2), 0, 0, 0, 1, 0, 0};
}

void perf_gqa_prefill_shape(double h, double hk, double dh, double dv, double T, double q, double ctx,
			    double pairs, struct kshape *s)
{
	*s = (struct kshape){2 * h * (dh + dv) * pairs, 2 * (T * h * (dh + dv) + ctx * hk * (dh + dv)), 0, 0, 0, 1,
			     h * pairs, perf_prefill_ctas(h, T, q)};
}

/*
 * MHA/GQA/MQA of layer kind k: decode when pairs < 0 (B sequences of s_q at
 * context L, La of it attended), else prefill (q new tokens per sequence,
 * pairs query-key pairs, ctx_tokens keys read, ipairs scored by DSA's
 * indexer; the attention op includes the RoPE and cache-write pass over the
 * new Q, K and V, perf.h).
 * q [H dh (x2 with an output gate), d], k [Hkv dh, d] and v [Hkv dv, d]
 * (none for a layer that reuses an earlier one's K and V), o [d, H dv].
 */
static void perf_gqa(const struct ctx *x, struct build *b, int k, double count, double T,
		     double B, double sq, double L, double La, double qspan, double ctx_tokens,
		     double pairs, double ipairs)
{
	const struct model *m = x->m;
	double h = x->heads, hk = x->kind[k].kv_heads, dh = m->head_dim, dv = m->v_dim;
	double q = h * dh * (m->attn_gate ? 2 : 1);
	struct kshape shape;

	if (m->kind[k].kv_shared)
		perf_gemm(x, b, "q projection", OPC_ATTN_PROJ, count, T, q, m->hidden, 0);
	else
		perf_gemm(x, b, "qkv projection", OPC_ATTN_PROJ, count, T, q + hk * (dh + dv),
			  m->hidden, 0);
	if (m->index_topk > 0)
		perf_indexer(x, b, count, T, pairs < 0 ? B * L : ctx_tokens, pairs < 0 ? T * L : ipairs,
			     pairs < 0);
	if (pairs < 0) {
		perf_gqa_decode_shape(h, x->kind[k].kvb, dh, dv, B, sq, La, &shape);
		perf_kernel_op(x, b, "attention (decode)", OPC_ATTN_CORE, x->gqa_decode_k, x->decode_dt, count,
			       &shape);
	} else {
		perf_gqa_prefill_shape(h, hk, dh, dv, T, qspan, ctx_tokens, pairs, &shape);
		/* a layer sharing an earlier one's cache writes no K and V */
		shape.bytes += perf_qkv_pass_bytes(h, m->kind[k].kv_shared ? 0 : hk, dh, dv, T);
		perf_kernel_op(x, b, "attention (prefill, causal)", OPC_ATTN_CORE, K_ATTN_PREFILL, DT_BF16, count,
			       &shape);
	}
	perf_gemm(x, b, "o projection", OPC_ATTN_PROJ, count, T, m->hidden, h * dv, 0);
}

/*
 * Attention of layer kind k over the step: a sliding window attends to the
 * last W keys, a chunked layer to those of its own chunk, DSA to the top
 * index_topk the indexer picks (the indexer itself scores every key).
 */
static void perf_attention(const struct ctx *x, struct build *b, int k, double count,
			   const struct step_shape *s)
{
	const struct model *m = x->m;
	const struct layer_spec *l = &m->kind[k];
	double W = l->mix == MIX_WINDOW || l->mix == MIX_CHUNK ? l->window : 0;
	double topk = m->index_topk, L = s->L, La, ctx = s->ctx_tokens, pairs = s->pairs, pa;

	if (s->pairs < 0) {
		/* decode: a sliding window reads the last min(L, W) tokens; a chunked
		 * layer the tokens of the current chunk, ((L - 1) mod C) + 1, which
		 * min(L, C) bounds (it averages about C/2 over a long decode: the
		 * bound is the chunk's last token) */
		if (W > 0)
			L = num_min(L, W);
		La = topk > 0 ? num_min(L, topk) : L;
		if (m->attn == ATTN_MLA)
			perf_mla_decode(x, b, count, s->T, s->B, s->sq, L, La, x->kind[k].kvb);
		else
			perf_gqa(x, b, k, count, s->T, s->B, s->sq, L, La, 0, 0, -1, 0);
		return;
	}
	if (W > 0) {
		/* the request's pairs in the window over its full causal pairs scales
		 * the step's (chunks averaged alike); the keys one request reads in
		 * the step: its W before the step's first query and its q_span queries */
		pairs *= perf_pairs_share(l->mix, W, s);
		ctx *= num_min(1, (W + s->q_span) / s->kv_span);
	}
	pa = topk > 0 ? num_min(pairs, s->pairs * perf_pairs_share(MIX_WINDOW, topk, s)) : pairs;
	if (m->attn == ATTN_MLA)
		perf_mla_prefill(x, b, count, s->T, s->q_span, ctx, pa, pairs);
	else
		perf_gqa(x, b, k, count, s->T, s->B, s->sq, 0, 0, s->q_span, ctx, pa, pairs);
}

/*
 * Gated DeltaNet (MIX_LINEAR; Yang et al., arXiv 2412.06464 s3, the
 * chunkwise form; transformers Qwen3NextGatedDeltaNet), per GPU of tp:
 * in_proj_qkvz [2 nk dk + 2 nv dv, d] and in_proj_ba [2 nv, d], then the
 * recurrence, then out_proj [d, nv dv].  Decode: each sequence's state (S of
 * dk x dv per value head, and the conv window) read and written once, 6 dk dv
 * FLOPs per head per token (decay, the rank-1 delta update, the output q S).
 * Prefill, chunks of C = 64: 2 C (dk + dv) per token per head for the
 * intra-chunk attention-like products, 4 dk dv for the state's update and
 * its read-out; bytes the activations in and out.
 */
static void perf_deltanet(const struct ctx *x, struct build *b, int k, double count,
			  const struct step_shape *s)
{
	const struct model *m = x->m;
	double tp = x->d->tp, dk = m->lin_k_dim, dv = m->lin_v_dim, nv = m->lin_v_heads / tp;
	double kd = m->lin_k_heads * dk, vd = m->lin_v_heads * dv, T = s->T;

	perf_gemm(x, b, "deltanet in_proj_qkvz", OPC_ATTN_PROJ, count, T, (2 * kd + 2 * vd) / tp,
		  m->hidden, 0);
	perf_gemm(x, b, "deltanet in_proj_ba", OPC_ATTN_PROJ, count, T, 2 * m->lin_v_heads / tp,
		  m->hidden, 0);
	if (s->pairs < 0)
		perf_compute_op(x, b, "deltanet state (decode)", OPC_ATTN_CORE, K_ATTN_DECODE,
				DT_BF16, count, 6 * T * nv * dk * dv, s->B * 2 * x->kind[k].state);
	else
		perf_compute_op(x, b, "deltanet chunked (prefill)", OPC_ATTN_CORE, K_ATTN_PREFILL,
				DT_BF16, count, T * nv * (2 * 64 * (dk + dv) + 4 * dk * dv),
				T * (2 * kd + 2 * vd) / tp * 2);
	perf_gemm(x, b, "deltanet out_proj", OPC_ATTN_PROJ, count, T, m->hidden, vd / tp, 0);
}

/*
 * Mamba-2 (MIX_MAMBA; SSD, Dao & Gu, arXiv 2405.21060 s6-7; transformers
 * NemotronHMamba2Mixer), per GPU of tp: in_proj [2 di + 2 G N + nh, d],
 * the scan, out_proj [d, di], di = nh p.  Decode: the state (nh p N, and the
 * conv window) read and written once per sequence, 6 p N FLOPs per head per
 * token (the state update dA h + B x and the output C h).  Prefill, the SSD
 * chunked algorithm with chunks of C = chunk_size: 2 C (N + p) per token per
 * head within chunks, 4 N p for the chunk states and their output; bytes the
 * activations in (x, B, C, dt) and out (y).
 */
static void perf_mamba(const struct ctx *x, struct build *b, int k, double count,
		       const struct step_shape *s)
{
	const struct model *m = x->m;
	double tp = x->d->tp, p = m->mamba_head_dim, N = m->ssm_state, nh = m->mamba_heads / tp;
	double di = m->mamba_heads * p, gn = m->ssm_groups * N, C = m->ssm_chunk, T = s->T;

	perf_gemm(x, b, "ssm in_proj", OPC_ATTN_PROJ, count, T,
		  (2 * di + 2 * gn + m->mamba_heads) / tp, m->hidden, 0);
	if (s->pairs < 0)
		perf_compute_op(x, b, "ssm state (decode)", OPC_ATTN_CORE, K_ATTN_DECODE, DT_BF16,
				count, 6 * T * nh * p * N, s->B * 2 * x->kind[k].state);
	else
		perf_compute_op(x, b, "ssd chunked scan (prefill)", OPC_ATTN_CORE, K_ATTN_PREFILL,
				DT_BF16, count, T * nh * (2 * C * (N + p) + 4 * N * p),
				T * (2 * di + 2 * gn + m->mamba_heads) / tp * 2);
	perf_gemm(x, b, "ssm out_proj", OPC_ATTN_PROJ, count, T, m->hidden, di / tp, 0);
}

/*
 * Add to *n and *b the elementwise kernels of layer kind k's mixer (perf.h):
 * the RMSNorm before it with the residual add, MLA's q_a and kv_a RMSNorms,
 * rotary embeddings, and the quantisation of its projections' inputs where
 * charged apart: the hidden state (one for q_a and kv_a, or qkv: they read
 * the same input), MLA's q latent and, in prefill, the cached latent kv_b
 * up-projects, and the attention output o reads.
 */
static void perf_mixer_elementwise(const struct ctx *x, int k, const struct step_shape *s, int norm_fused,
				   double *kernels, double *bytes)
{
	const struct model *m = x->m;
	const struct layer_spec *l = &m->kind[k];
	double T = s->T, d = m->hidden, h = x->heads, n = 0, b = 0, tp = x->d->tp;
	const struct pquant *q = &x->attn_q;

	if (l->mix == MIX_NONE)
		return;
	if (!norm_fused) {
		n++;
		b += 8 * T * d;
	}
	switch (l->mix) {
	case MIX_FULL: case MIX_WINDOW: case MIX_CHUNK:
		perf_quant_add(q, T, d, &n, &b);
		if (m->attn == ATTN_MLA) {
			n += m->q_lora > 0 ? 2 : 1;
			b += 4 * T * (m->q_lora + m->kv_lora);
			if (!x->w->engine || !x->w->engine->rope_in_attention) {
				n++;
				b += 4 * T * (h + 1) * m->qk_rope;
			}
			if (m->q_lora > 0)
				perf_quant_add(q, T, m->q_lora, &n, &b);
			if (s->pairs >= 0)
				perf_quant_add(q, s->ctx_tokens, m->kv_lora, &n, &b);
			perf_quant_add(q, T, h * m->v_head, &n, &b);
		} else {
			/* prefill's attention op carries the RoPE and cache-write
			 * pass over the new tokens (perf_qkv_pass_bytes) */
			if (s->pairs < 0 && (!x->w->engine || !x->w->engine->rope_in_attention)) {
				n++;
				b += 4 * T * (h + (l->kv_shared ? 0 : x->kind[k].kv_heads)) * m->head_dim;
			}
			perf_quant_add(q, T, h * m->v_dim, &n, &b);
		}
		break;
	case MIX_LINEAR:
		perf_quant_add(q, T, d, &n, &b);
		perf_quant_add(q, T, m->lin_v_heads * m->lin_v_dim / tp, &n, &b);
		break;
	case MIX_MAMBA:
		perf_quant_add(q, T, d, &n, &b);
		perf_quant_add(q, T, m->mamba_heads * m->mamba_head_dim / tp, &n, &b);
		break;
	default:
		break;
	}
	*kernels += n;
	*bytes += b;
}

/*
 * Add to *n and *b the elementwise kernels of layer kind k's FFN of T
 * tokens (perf.h): the RMSNorm before it with the residual add, the
 * activation of a dense FFN or shared experts computed apart (gated: silu x
 * mul; the routed experts' runs inside the MoE kernels, their inputs
 * quantised in DeepEP's dispatch or the fused module), and the quantisation
 * of the inputs of those GEMMs where charged apart: the hidden state for
 * gate and up, the activation for down.
 */
static void perf_ffn_elementwise(const struct ctx *x, int k, double T, int norm_fused, double *kernels,
				 double *bytes)
{
	const struct model *m = x->m;
	double f = 0, n = 0, b = 0;

	if (m->kind[k].ffn == FFN_NONE)
		return;
	if (m->kind[k].ffn == FFN_DENSE)
		f = m->inter / x->d->tp;
	else if (m->shared_inter > 0 && !x->w->shared_routed)
		f = m->shared_inter / x->d->tp;
	if (!norm_fused) {
		n++;
		b += 8 * T * m->hidden;
	}
	if (f > 0) {
		n++;
		b += (m->ffn_mats == 3 ? 6 : 4) * T * f;
		perf_quant_add(&x->gemm_q, T, m->hidden, &n, &b);
		perf_quant_add(&x->gemm_q, T, f, &n, &b);
	}
	*kernels += n;
	*bytes += b;
}

/* ---- FFN and MoE ------------------------------------------------------------ */

/* A dense FFN of width F split by tp: gate and up [F, d] (relu2: up only), down [d, F]. */
static void perf_dense_ffn(const struct ctx *x, struct build *b, double count, double T)
{
	double f = x->m->inter / x->d->tp;

	if (x->m->ffn_mats == 3)
		perf_gemm(x, b, "ffn gate + up", OPC_DENSE_FFN, count, T, 2 * f, x->m->hidden, 0);
	else
		perf_gemm(x, b, "ffn up", OPC_DENSE_FFN, count, T, f, x->m->hidden, 0);
	perf_gemm(x, b, "ffn down", OPC_DENSE_FFN, count, T, x->m->hidden, f, 0);
	perf_allreduce(x, b, count, x->d->tp, T);
}

double perf_experts_touched(double local, double k, double experts, double tokens)
{
	return local * (1 - pow(1 - k / experts, tokens));
}

/*
 * Scale-up domains a token may reach.  Group-limited routing (DeepSeek-V3:
 * experts in n_group groups, a token picks from topk_group of them) becomes
 * node-limited when the groups are laid out on domains: a group spans
 * domains / n_group of them (at least one), so a token reaches at most
 * topk_group x that (4 for V3 on 8 domains of 32 experts: the report's M = 4).
 */
static double perf_max_domains(const struct ctx *x, double domains)
{
	const struct model *m = x->m;

	if (!isnan(x->w->max_nodes))
		return x->w->max_nodes;
	if (m->n_group <= 1 || m->topk_group >= m->n_group)
		return 0;
	return m->topk_group * max2(1, ceil_div(domains, m->n_group));
}

/*
 * EP all-to-all of T/tp tokens per GPU: dispatch and combine ops; returns
 * their time.  Prefill runs DeepEP's normal kernels: inside one domain the
 * card's fit of them where it has one (each token once per other GPU
 * holding one of its experts), else, and across domains, their link model
 * (a copy to another domain crosses the NIC once per distinct domain and is
 * forwarded inside it); while they run they hold DeepEP's SMs
 * (ph->ep_sm_share).  Decode runs its low-latency kernels, which inside one
 * domain take the card's DeepEP fit and across domains send every copy
 * bound for another domain alone over the NIC (comm_ep_s): the card's fit
 * across domains where it has one, else the link model of normal mode.
 */
static double perf_ep_a2a(const struct ctx *x, struct build *b, double count, double T, int decode)
{
	const struct model *m = x->m;
	const struct deployment *d = x->d;
	double copies = m->top_k + (x->w->shared_routed ? m->shared_experts : 0);
	double experts = m->experts + d->redundant_experts + (x->w->shared_routed ? m->shared_experts : 0);
	double tokens = T / d->tp, t_disp, t_comb;
	struct phase *ph = b->ph;
	struct ep_traffic tr;
	int out_d, out_c;

	comm_ep_traffic(copies, experts, d->ep, x->links.up_domain,
			perf_max_domains(x, d->ep / num_min(x->links.up_domain, d->ep)), &tr);
	ph->dispatch_bytes = tokens * (tr.up_copies + tr.out_copies) * x->disp_payload;
	ph->combine_bytes = tokens * (tr.up_copies + tr.out_copies) * x->comb_payload;
	ph->up_bytes = tokens * tr.up_copies * (x->disp_payload + x->comb_payload);
	ph->out_bytes = tokens * tr.out_copies * (x->disp_payload + x->comb_payload);
	t_disp = comm_a2a_s(&x->links, tokens * tr.up_copies * x->disp_payload,
			    tokens * tr.out_copies * x->disp_payload, &out_d);
	t_comb = comm_a2a_s(&x->links, tokens * tr.up_copies * x->comb_payload,
			    tokens * tr.out_copies * x->comb_payload, &out_c);
	/* inside one domain, DeepEP's low-latency kernels as the card's fit has them */
	if (!x->w->ideal && tr.out_copies == 0 && x->h->ep_up[0].bw > 0 && x->h->ep_up[1].bw > 0) {
		t_disp = comm_ep_s(&x->h->ep_up[0], 0, tokens * tr.up_copies * x->disp_payload);
		t_comb = comm_ep_s(&x->h->ep_up[1], 0, tokens * tr.up_copies * x->comb_payload);
	}
	/* prefill inside one domain: DeepEP's normal kernels, each token once per
	 * other GPU holding one of its experts (comm_ep_normal_copies), with the
	 * serial rounds of their channels (comm_ep_normal_rounds), as the card's
	 * fit of them has it */
	if (!decode && !x->w->ideal && tr.out_copies == 0 && x->h->ep_normal[0].bw > 0 && x->h->ep_normal[1].bw > 0) {
		double c = tokens * comm_ep_normal_copies(copies, experts, d->ep);
		t_disp = comm_ep_s(&x->h->ep_normal[0], comm_ep_normal_rounds(0, tokens, m->hidden), c * x->disp_payload);
		t_comb = comm_ep_s(&x->h->ep_normal[1], comm_ep_normal_rounds(1, tokens, m->hidden), c * x->comb_payload);
		ph->dispatch_bytes = c * x->disp_payload;
		ph->combine_bytes = c * x->comb_payload;
		ph->up_bytes = ph->dispatch_bytes + ph->combine_bytes;
		ph->out_bytes = 0;
	}
	/* prefill's normal kernels hold DeepEP's SMs while they run (comm.h) */
	if (!decode && !x->w->ideal && x->h->gpu.sms > DEEPEP_NORMAL_SMS)
		ph->ep_sm_share = DEEPEP_NORMAL_SMS / x->h->gpu.sms;
	/* across domains in decode, the low-latency kernels over RDMA: each copy
	 * to another domain crosses the NIC (no forwarding), the same-domain
	 * ones go over NVLink alongside */
	if (decode && !x->w->ideal && tr.out_copies > 0 && x->h->ep_rdma[0].bw > 0 && x->h->ep_rdma[1].bw > 0) {
		double peer = tr.up_copies + tr.out_copies - tr.remote_copies;   /* other GPUs of this domain */
		struct hw_ep_fit fd = x->h->ep_rdma[0], fc = x->h->ep_rdma[1];
		fd.bw *= x->links.out_share;   /* --planes-down: the NICs of the planes left up */
		fc.bw *= x->links.out_share;
		t_disp = comm_ep_s(&fd, 0, tokens * tr.remote_copies * x->disp_payload);
		t_comb = comm_ep_s(&fc, 0, tokens * tr.remote_copies * x->comb_payload);
		ph->up_bytes = tokens * peer * (x->disp_payload + x->comb_payload);
		ph->out_bytes = tokens * tr.remote_copies * (x->disp_payload + x->comb_payload);
		ph->dispatch_bytes = tokens * (peer + tr.remote_copies) * x->disp_payload;
		ph->combine_bytes = tokens * (peer + tr.remote_copies) * x->comb_payload;
		out_d = out_c = 1;
	}
	perf_comm_op(b, "ep dispatch", OPC_EP_DISPATCH, count, ph->dispatch_bytes, t_disp,
		     out_d ? BOUND_SCALE_OUT : BOUND_SCALE_UP);
	perf_comm_op(b, "ep combine", OPC_EP_COMBINE, count, ph->combine_bytes, t_comb,
		     out_c ? BOUND_SCALE_OUT : BOUND_SCALE_UP);
	ph->a2a_s_per_layer = t_disp + t_comb;
	return t_disp + t_comb;
}

void perf_moe_shapes(const struct wprec *w, enum dtype dt, double copies, double touched,
		     double d, double fe, int gated, struct kshape *up, struct kshape *down)
{
	double act = dt == DT_FP8 ? 1 : 2, n_up = (gated ? 2 : 1) * fe;
	double g = touched > 0 ? touched : 1, mg = copies / g;

	*up = (struct kshape){2 * copies * n_up * d,
			      touched * precision_matrix_bytes(w, n_up, d) + copies * d * act + copies * n_up * 2,
			      mg, n_up, d, g, 0, 0};
	*down = (struct kshape){2 * copies * d * fe,
				touched * precision_matrix_bytes(w, d, fe) + copies * fe * act + copies * d * 2,
				mg, d, fe, g, 0, 0};
}

/*
 * SGLang's single-batch overlap (--overlap sbo; python/sglang/srt/
 * batch_overlap/single_batch_overlap.py, sgl-project/sglang@0ac832c39444):
 * in a decode step with DeepEP's low-latency kernels, one batch on two
 * streams.  Before Blackwell the dispatch is sent, the shared experts run,
 * then the tokens are received (the transfer needs no SMs meanwhile), and
 * the combine runs beside the routed down GEMM, on 3 SMs the GEMM gives up;
 * from Blackwell on the dispatch shows whole and the combine runs beside the
 * shared experts, on 32 SMs of its own (the DeepGEMM runner's flags; with
 * the flashinfer_cutedsl runner SGLang also puts the combine beside the down
 * GEMM on Blackwell, not modelled).  Two kernels side by side take
 * max(comm, compute x S / (S - s)) for S SMs, s of them the
 * communication's: they save comm + compute minus that (perf_sbo_pair,
 * perf.h).
 */
double perf_sbo_pair(double comm, double compute, double sms, double taken)
{
	double c = taken > 0 && sms > taken ? compute * sms / (sms - taken) : compute;

	return comm + compute - max2(comm, c);
}

/* SBO's saving in the MoE layer being built (the struct build's saved_s):
 * its ops from i_shared (the shared experts, up to i_a2a), i_a2a (dispatch
 * and combine, when there) and i_down (the routed down GEMM). */
static void perf_sbo_saving(const struct ctx *x, struct build *b, int i_shared, int i_a2a, int i_down)
{
	const struct op *op = b->ph->op;
	double shared = 0, sms = x->h->gpu.sms;
	int i;

	/* SGLang's SBO is NVIDIA's (DeepEP, DeepGEMM; the SM counts above): a card
	 * with no compute capability runs without it; nor is there anything to
	 * overlap without dispatch and combine (the step ran out of operator slots) */
	if (!(x->h->gpu.compute_capability > 0) || i_a2a + 1 >= i_down || op[i_a2a].cls != OPC_EP_DISPATCH || op[i_a2a + 1].cls != OPC_EP_COMBINE)
		return;
	for (i = i_shared; i < i_a2a; i++)
		shared += op[i].t;
	b->saved_bound[0] = op[i_a2a].bound;
	b->saved_bound[1] = op[i_a2a + 1].bound;
	if (x->h->gpu.compute_capability >= 10) {
		b->saved_s[1] = perf_sbo_pair(op[i_a2a + 1].t, shared, sms, 32);
	} else {
		b->saved_s[0] = perf_sbo_pair(op[i_a2a].t, shared, sms, 0);
		b->saved_s[1] = perf_sbo_pair(op[i_a2a + 1].t, op[i_down].t, sms, 3);
	}
}

/*
 * Does the MoE's expert parallelism run an all-to-all?  Not where the
 * serving engine, with attention TP alone (dp 1), runs each rank's experts
 * on the tokens every rank already holds and sums the ranks' outputs in the
 * TP all-reduce (engine.h, ep_allreduce_without_dp: vLLM's
 * FusedMoEParallelConfig.use_all2all_kernels is dp_size > 1 and use_ep;
 * TensorRT-LLM's fused MoE sends tokens only with attention DP; SGLang's
 * default moe_a2a_backend "none"; the sources in engines/README.md).
 */
static int perf_ep_a2a_runs(const struct ctx *x)
{
	const struct engine *g = x->w->engine;

	return x->d->ep > 1 && !(g && g->ep_allreduce_without_dp && x->d->dp == 1);
}

/* The class of the routed experts' grouped GEMMs: the serving engine's own
 * fused-MoE class (engine.h moe_class) where the card's calibration fits it
 * and the plan is what its records measured (hw.h, docs/kernels.md s5.11):
 * FP8 experts (the records' block-scaled FP8; per-tensor FP8 runs the same
 * kernels with one scale per tensor), split by MoE tensor parallelism alone
 * (ep 1), or for vLLM's by expert parallelism alone (MoE TP 1) without
 * attention DP (the records' dp_size 1: every rank holds every token, no
 * all-to-all); else `base`. */
static enum kclass perf_moe_class(const struct ctx *x, enum kclass base)
{
	const struct engine *g = x->w->engine;
	enum wfmt f = deploy_expert_format(x->d)->fmt;
	enum kclass k = g ? (enum kclass)g->moe_class : K_MOE;

	if ((k == K_MOE_VLLM || k == K_MOE_SGLANG) &&
	    (x->d->ep == 1 || (k == K_MOE_VLLM && x->moe_tp == 1 && x->d->dp == 1)) &&
	    (f == WF_FP8_BLOCK || f == WF_FP8) &&
	    hw_kclass_use(x->h, k) == k)
		return k;
	return base;
}

/* The MoE block of T tokens per attention group, Tr of them real (the
 * rest CUDA-graph padding: the router and shared experts run them, the
 * routed experts and the all-to-all too unless the engine masks them,
 * engine.h moe_masks_padding); decode = 1 in a decode
 * step, whose grouped GEMMs run the masked layout (DeepGEMM's, with
 * DeepEP's low-latency kernels), 0 in prefill, whose run the contiguous
 * layout: moe_grouped_gemm_prefill where the card's calibration fits it;
 * either the engine's own class where perf_moe_class picks it. */
static void perf_moe(const struct ctx *x, struct build *b, double count, double T, double Tr, int decode)
{
	const struct model *m = x->m;
	const struct deployment *d = x->d;
	const struct engine *g = x->w->engine;
	double routed = g && g->moe_masks_padding ? Tr : T;   /* tokens routed per attention group */
	double all = routed * d->dp;   /* tokens of every attention group in the stage */
	double fe = m->expert_inter / x->moe_tp, copies, touched;
	int gated = m->ffn_mats == 3;
	enum kclass k = perf_moe_class(x, decode ? K_MOE : hw_kclass_use(x->h, K_MOE_PREFILL));
	struct kshape up, down;

	int i_shared, i_a2a, i_down;   /* where the shared experts, the all-to-all and the
	                                  routed down GEMM start in the step's operators */
	int a2a;

	perf_gemm(x, b, "router", OPC_ROUTER, count, T, m->experts, m->hidden, 1);
	i_shared = b->ph->nops;
	if (m->shared_inter > 0 && !x->w->shared_routed) {
		double fs = m->shared_inter / d->tp;
		perf_gemm(x, b, gated ? "shared experts gate + up" : "shared experts up", OPC_SHARED,
			  count, T, (gated ? 2 : 1) * fs, m->hidden, 0);
		perf_gemm(x, b, "shared experts down", OPC_SHARED, count, T, m->hidden, fs, 0);
	}
	i_a2a = b->ph->nops;
	a2a = perf_ep_a2a_runs(x);
	if (a2a)
		perf_ep_a2a(x, b, count, routed, decode);
	copies = all * (m->top_k + (x->w->shared_routed ? m->shared_experts : 0)) / d->ep * x->w->imbalance;
	touched = num_min(x->experts_local, perf_experts_touched(x->experts_local, m->top_k, m->experts, all * x->w->imbalance));
	if (x->w->shared_routed)
		touched = num_min(x->experts_local, touched + m->shared_experts / d->ep);
	perf_moe_shapes(deploy_expert_format(d), x->expert_dt, copies, touched, m->hidden, fe, gated,
			&up, &down);
	perf_kernel_op(x, b, gated ? "routed experts gate + up" : "routed experts up", OPC_ROUTED,
		       k, x->expert_dt, count, &up);
	i_down = b->ph->nops;
	perf_kernel_op(x, b, "routed experts down", OPC_ROUTED, k, x->expert_dt, count, &down);
	if (decode && x->w->sbo && a2a && !x->w->ideal && b->ph->nops == i_down + 1)
		perf_sbo_saving(x, b, i_shared, i_a2a, i_down);
	if (!a2a)   /* every rank holds all the tokens, padding too: sum the ranks' outputs */
		perf_allreduce(x, b, count, d->tp * d->dp, T * d->dp);
	else   /* each TP rank combined T/tp tokens: gather them back (and sum the shared experts) */
		perf_allreduce(x, b, count, d->tp, T);
}

/* ---- layers and steps --------------------------------------------------------- */

/* Copy ops [first, last) to the end of the step as occurring count times in
 * the layer kind being built. */
static void perf_copy_ops(struct build *b, int first, int last, double count)
{
	int i;

	for (i = first; i < last; i++) {
		struct op *o = perf_slot(b);

		if (!o)
			return;
		*o = b->ph->op[i];
		o->count = count;
		o->layer = b->layer;
		perf_add(b, o);
	}
}

/* Add the operators of one layer of kind k (a mixer-less layer has no
 * attention and no all-reduce after it, an FFN-less one no FFN). */
static void perf_layer(const struct ctx *x, struct build *b, int k, double count,
		       const struct step_shape *s, int norm_fused, struct range *mixers)
{
	const struct layer_spec *l = &x->m->kind[k];
	int first = b->ph->nops, j = x->same_mixer[k];
	double ew_n = 0, ew_b = 0;

	/* a kind whose mixer equals an earlier kind's in this step (DeepSeek's
	 * dense and MoE layers share their MLA) has the same attention operators
	 * and the same elementwise kernels around them */
	if (mixers && j != k && mixers[j].last > mixers[j].first) {
		perf_copy_ops(b, mixers[j].first, mixers[j].last, count);
		ew_n = mixers[j].ew_n;
		ew_b = mixers[j].ew_b;
		goto ffn;
	}
	switch (l->mix) {
	case MIX_FULL: case MIX_WINDOW: case MIX_CHUNK:
		perf_attention(x, b, k, count, s);
		break;
	case MIX_LINEAR:
		perf_deltanet(x, b, k, count, s);
		break;
	case MIX_MAMBA:
		perf_mamba(x, b, k, count, s);
		break;
	default:
		break;
	}
	if (l->mix != MIX_NONE)
		perf_allreduce(x, b, count, x->d->tp, s->T);
	/* none under --ideal, as the closed-form analyses count none */
	if (!x->w->ideal)
		perf_mixer_elementwise(x, k, s, norm_fused, &ew_n, &ew_b);
ffn:
	if (mixers)
		mixers[k] = (struct range){first, b->ph->nops, ew_n, ew_b};
	if (l->ffn == FFN_MOE)
		perf_moe(x, b, count, s->T, s->Tr, s->pairs < 0);
	else if (l->ffn == FFN_DENSE)
		perf_dense_ffn(x, b, count, s->T);
	/* the layer's elementwise kernels, the mixer's and the FFN's, one
	 * operator (perf.h) */
	if (!x->w->ideal) {
		perf_ffn_elementwise(x, k, s->T, norm_fused, &ew_n, &ew_b);
		perf_elementwise_op(x, b, "elementwise kernels", count, ew_n, ew_b);
	}
}

/* Charge ops [first, nops) of side `comm` (1 the EP all-to-all, 0 the rest,
 * -1 both) to their bounds, each weighted by w x its own count: a layer's
 * whose charge perf_add deferred. */
static void perf_charge_bounds(struct phase *ph, int first, double w, int comm)
{
	int i;

	for (i = first; i < ph->nops; i++) {
		const struct op *o = &ph->op[i];

		if (comm < 0 || perf_class_is_a2a(o->cls) == comm)
			ph->t_bound[o->bound] += o->t * o->count * w;
	}
}

/* The seconds --overlap sbo hides in a layer occurring n times in the step
 * (b->saved_s, one occurrence): taken off the bounds of the dispatch and
 * combine that hide, or, where the SMs they hold slow the compute beside
 * them more than they hide, added to compute.  Returns the seconds saved
 * per occurrence (0 without sbo). */
static double perf_sbo_charge(struct phase *ph, const struct build *b, double n)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (b->saved_s[i] > 0)
			ph->t_bound[b->saved_bound[i]] -= b->saved_s[i] * n;
		else
			ph->t_bound[BOUND_COMPUTE] -= b->saved_s[i] * n;
	}
	if (b->saved_s[0] != 0 || b->saved_s[1] != 0)
		ph->overlapped = 1;
	return b->saved_s[0] + b->saved_s[1];
}

/*
 * Time of `count` layers, ops [first, nops) of the step and one occurrence
 * each per micro-batch: with two or more micro-batches, each micro-batch's
 * all-to-all hides behind the other's compute, so a layer takes
 * mb x max(compute, comm) instead of their sum.  While the all-to-all runs
 * it holds a share s of the SMs (ph->ep_sm_share: DeepEP's normal kernels in
 * prefill), and the compute beside it runs on the rest: compute C beside an
 * all-to-all A completes after max(A, C + A s) (during A it does A (1 - s)
 * of its work).
 */
static double perf_layers_time(struct build *b, int first, double count)
{
	struct phase *ph = b->ph;
	double mb = b->mb, saved;

	if (first == ph->nops)
		return 0;
	if (mb >= 2 && b->comm_s > 0) {
		double compute = b->compute_s + b->comm_s * ph->ep_sm_share;
		ph->overlapped = 1;
		/* only the slower side is charged: the other is hidden behind it;
		 * the SMs' share of the compute side is compute time */
		perf_charge_bounds(ph, first, mb, b->comm_s > compute);
		if (compute >= b->comm_s)
			ph->t_bound[BOUND_COMPUTE] += mb * b->comm_s * ph->ep_sm_share * count;
		ph->a2a_exposed_s += mb * (max2(compute, b->comm_s) - b->compute_s) * count;
		return mb * max2(compute, b->comm_s) * count;
	}
	if (b->defer)
		perf_charge_bounds(ph, first, mb, -1);
	saved = perf_sbo_charge(ph, b, mb * count);
	ph->a2a_exposed_s += mb * (b->comm_s - saved) * count;
	return mb * (b->compute_s + b->comm_s - saved) * count;
}

static void perf_finish(struct phase *ph)
{
	int i;

	ph->bound = BOUND_COMPUTE;
	for (i = 1; i < BOUND_KINDS; i++)
		if (ph->t_bound[i] > ph->t_bound[ph->bound])
			ph->bound = (enum bound)i;
}

/* Pipeline hand-off of T tokens' hidden states between consecutive stages,
 * once per micro-batch: returns its time in the step. */
static double perf_pp(const struct ctx *x, struct build *b, double T)
{
	double bytes = T * x->m->hidden * 2, t;
	int across = x->d->tp * x->d->pp > x->links.up_domain;
	double bw = across ? x->links.out_bw : x->links.up_bw;

	if (x->d->pp <= 1)
		return 0;
	perf_begin(b, LAYER_GLOBAL, 0);
	t = (across ? x->links.out_latency_s : x->links.up_latency_s) + (bw > 0 ? bytes / bw : INFINITY);
	perf_comm_op(b, "pp stage transfer", OPC_PP_COMM, x->d->pp - 1, bytes, t,
		     across ? BOUND_SCALE_OUT : BOUND_SCALE_UP);
	return b->counted_s * b->mb;
}

/* A whole step: each layer kind, output head, MTP modules, pipeline. */
static void perf_step(const struct ctx *x, struct phase *ph, const struct step_shape *s,
		      double head_tokens, double mtp_depth)
{
	const struct model *m = x->m;
	struct build b = {.ph = ph, .mb = x->w->micro_batches};
	double t = 0;
	double net[5];
	struct range mixers[MODEL_MAX_KINDS];   /* each set below before it is read */
	/* whether the norms after this step's all-reduces run inside them: one
	 * answer for every layer, as they all carry T tokens */
	int first, k, fused = perf_norm_fused(x, s->T);

	/* reset all but the operator array, which is filled from the start */
	ph->nops = 0;
	memset(&ph->t_step, 0, sizeof *ph - offsetof(struct phase, t_step));
	ph->tokens = s->T * b.mb;
	for (k = 0; k < m->nkinds; k++) {
		const struct layer_spec *l = &m->kind[k];

		if (!(l->count > 0)) {
			mixers[k].first = mixers[k].last = 0;
			continue;
		}
		/* only a layer with an EP all-to-all may overlap it */
		perf_begin(&b, k, b.mb >= 2 && l->ffn == FFN_MOE && perf_ep_a2a_runs(x));
		first = ph->nops;
		perf_layer(x, &b, k, l->count, s, fused, mixers);
		t += perf_layers_time(&b, first, l->count);
	}
	/* the network figures are the main layers', not the MTP module's */
	net[0] = ph->a2a_s_per_layer;
	net[1] = ph->dispatch_bytes;
	net[2] = ph->combine_bytes;
	net[3] = ph->up_bytes;
	net[4] = ph->out_bytes;
	/* outside the layers, once per micro-batch: counted fully */
	perf_begin(&b, LAYER_GLOBAL, 0);
	/* the model's final RMSNorm, with the last residual add, on every token */
	if (!x->w->ideal)
		perf_elementwise_op(x, &b, "final rmsnorm", 1, !fused, 8 * s->T * m->hidden);
	perf_gemm(x, &b, "output head", OPC_HEAD, 1, head_tokens, m->vocab / x->d->tp, m->hidden, 1);
	if (mtp_depth > 0) {
		/* each MTP module drafts one token per sequence: eh_proj, one layer, head */
		struct step_shape ms = *s;
		ms.T = ms.Tr = s->B;   /* the draft steps' own graphs: unpadded (perf_graph_batch) */
		ms.sq = 1;
		b.layer = LAYER_MTP;
		perf_gemm(x, &b, "eh projection", OPC_ATTN_PROJ, mtp_depth, ms.T, m->hidden, 2 * m->hidden, 0);
		perf_layer(x, &b, m->is_moe ? LAYER_MOE : LAYER_DENSE, mtp_depth, &ms,
			   perf_norm_fused(x, ms.T), NULL);
		perf_gemm(x, &b, "mtp head", OPC_HEAD, mtp_depth, ms.T, m->vocab / x->d->tp, m->hidden, 1);
	}
	ph->a2a_s_per_layer = net[0];
	ph->dispatch_bytes = net[1];
	ph->combine_bytes = net[2];
	ph->up_bytes = net[3];
	ph->out_bytes = net[4];
	t += b.counted_s * b.mb;
	t += perf_pp(x, &b, s->T);
	ph->t_step = t;
	perf_finish(ph);
}

/*
 * Links a deployment needs that the card must describe: any parallelism needs
 * the scale-up figures (GPUs per domain and their bandwidth), and a group that
 * spans domains (EP, TP, or the pipeline's stages) needs a scale-out network
 * with bandwidth.
 */
static int perf_check_links(const struct ctx *x, const struct hw *h, const struct deployment *d,
			    struct err *e)
{
	double domain = x->links.up_domain;
	/* without EP, MoE layers are tensor-parallel over all tp x dp GPUs */
	int moe_tp_span = x->m->is_moe && d->ep == 1 && d->tp * d->dp > domain;
	int spans = d->ep > domain || d->tp > domain || d->tp * d->pp > domain || moe_tp_span;

	if ((d->tp > 1 || d->pp > 1 || d->ep > 1 || (x->m->is_moe && d->dp > 1)) &&
	    (!(x->links.up_bw > 0) || isnan(h->scale_up.domain_gpus)))
		return err_set(e, EXIT_INPUT,
			       "%s: tp %g, pp %g, ep %g need 'scale_up.gbs_per_dir' and 'scale_up.domain_gpus' in the card",
			       h->path, d->tp, d->pp, d->ep);
	if (spans && !x->links.have_out)
		return err_set(e, EXIT_INPUT,
			       "%s: tp %g x dp %g x pp %g (ep %g) spans scale-up domains of %g GPUs, but the card has no 'scale_out' network",
			       h->path, d->tp, d->dp, d->pp, d->ep, domain);
	if (spans && !(x->links.out_bw > 0))
		return err_set(e, EXIT_INPUT,
			       "%s: the deployment crosses domains but 'scale_out.nics_per_gpu' x 'scale_out.nic_gbps' is 0",
			       h->path);
	return 0;
}

/* ---- context ------------------------------------------------------------------ */

/*
 * Decode attention over an 8-bit cache runs FP8 MMAs where measurements of
 * the card show it (TRT-LLM on Blackwell: 0.58 of the FP8 peak,
 * hw/published/b200/aic-trtllm-mla.json): the attention_decode_fp8 class at the FP8 peak when the card's
 * calibration has it; otherwise as FlashMLA runs it, dequantised to BF16
 * for BF16 MMAs (FlashMLA README), in the attention_decode class, or, for
 * MHA/GQA, in attention_decode_gqa where the card's calibration has that.
 */
static void perf_decode_kernel(struct ctx *x)
{
	int fp8_kv = x->d->kv.bits <= 8;

	x->decode_k = K_ATTN_DECODE;
	x->decode_dt = DT_BF16;
	if (fp8_kv && x->h->kern[K_ATTN_DECODE_FP8].calibrated && x->h->gpu.flops_fp8 > 0) {
		x->decode_k = K_ATTN_DECODE_FP8;
		x->decode_dt = DT_FP8;
	}
	/* MHA/GQA over a 16-bit cache (or an 8-bit one dequantised to BF16) run
	 * their own kernels where the card's measurements fit them (hw.h) */
	x->gqa_decode_k = x->decode_k == K_ATTN_DECODE ? hw_kclass_use(x->h, K_ATTN_DECODE_GQA) : x->decode_k;
}

/* The format a GEMM's inputs are quantised to in a kernel of their own:
 * none for a GEMM computing in bf16, or one whose class's fit timed the
 * quantisation with it (hw_kernel_eff.act_quant). */
static struct pquant perf_quant_format(const struct ctx *x, enum dtype dt, enum kclass k, enum wfmt f)
{
	/* the engines quantise per-tensor fp8 dynamically (aiconfigurator's
	 * fp8 Linear, docs/kernels.md s5.2) */
	return perf_quant_cost(dt == DT_BF16 || x->kern[k].act_quant ? WF_BF16 : f, 1);
}

/* Do kinds j and k mix tokens alike: the same mixer, window, KV heads and
 * sharing, sinks, and the same cache bytes and state per GPU? */
static int perf_mixer_equal(const struct model *m, const struct ctx *x, int j, int k)
{
	const struct layer_spec *a = &m->kind[j], *b = &m->kind[k];

	return a->mix == b->mix && a->window == b->window && a->kv_heads == b->kv_heads &&
	       a->kv_shared == b->kv_shared && a->sinks == b->sinks &&
	       x->kind[j].kv_heads == x->kind[k].kv_heads && x->kind[j].kvb == x->kind[k].kvb &&
	       x->kind[j].state == x->kind[k].state;
}

static void perf_same_mixers(const struct model *m, struct ctx *x)
{
	int j, k;

	for (k = 0; k < m->nkinds; k++)
		for (j = 0, x->same_mixer[k] = k; j < k; j++)
			if (perf_mixer_equal(m, x, j, k)) {
				x->same_mixer[k] = j;
				break;
			}
}

static int perf_context(const struct model *m, const struct hw *h, const struct deployment *d,
			const struct workload *w, const struct kv_kinds *kk, struct ctx *x, struct err *e)
{
	int k;

	/* every field is set below (kind[] and same_mixer[] for the model's kinds) */
	x->m = m;
	x->h = h;
	x->d = d;
	x->w = w;
	x->kern = w->ideal ? perf_ideal : h->kern;
	x->peak[DT_BF16] = kern_peak(h, DT_BF16);
	x->peak[DT_FP8] = kern_peak(h, DT_FP8);
	x->peak[DT_FP4] = kern_peak(h, DT_FP4);
	x->sms = w->ideal || !(h->gpu.sms > 0) ? 0 : h->gpu.sms;
	x->hbm = h->gpu.hbm_bw;
	x->heads = m->heads / d->tp;
	for (k = 0; k < m->nkinds; k++) {
		const struct layer_spec *l = &m->kind[k];
		double split = kv_kind_split(m, l, d->tp);

		x->kind[k].kv_heads = max2(l->kv_heads / d->tp, 1);
		x->kind[k].kvb = kk->read[k] / split;
		x->kind[k].state = kk->state[k] / split;
	}
	perf_same_mixers(m, x);
	x->gemm_dt = perf_format_dtype(h, d->weights.fmt);
	x->attn_dt = perf_format_dtype(h, deploy_attn_format(d)->fmt);
	/* fp4 experts (gpt-oss's mxfp4 beside bf16 attention) run in fp4 where the card can */
	x->expert_dt = (deploy_expert_format(d)->fmt == WF_NVFP4 || deploy_expert_format(d)->fmt == WF_MXFP4) &&
		       h->gpu.flops_fp4 > 0 ? DT_FP4 : x->gemm_dt;
	x->index_dt = h->gpu.flops_fp8 > 0 ? DT_FP8 : DT_BF16;
	x->gemm_k = perf_gemm_kernel(x->gemm_dt, d->weights.fmt);
	x->attn_k = perf_gemm_kernel(x->attn_dt, deploy_attn_format(d)->fmt);
	x->gemm_q = perf_quant_format(x, x->gemm_dt, x->gemm_k, d->weights.fmt);
	x->attn_q = perf_quant_format(x, x->attn_dt, x->attn_k, deploy_attn_format(d)->fmt);
	perf_decode_kernel(x);
	/* DeepEP: dispatch in fp8 with one fp32 scale per 128 channels, combine in bf16 */
	x->disp_payload = comm_ep_payload(m->hidden, x->gemm_dt != DT_BF16, 0);
	x->comb_payload = comm_ep_payload(m->hidden, 0, 1);
	comm_links(h, w->ideal, d->tp * d->dp * d->pp, w->planes_down, &x->links);
	if (x->links.up_mesh)   /* switchless mesh: only the links to the group's peers carry traffic */
		x->links.up_bw = num_min(x->links.up_bw, x->links.up_link_bw *
				      (num_min(x->links.up_domain, num_max(d->ep, d->tp)) - 1));
	x->experts_local = m->is_moe ? ceil((m->experts + d->redundant_experts) / d->ep) : 0;
	x->moe_tp = d->tp * d->dp / d->ep;
	return perf_check_links(x, h, d, e);
}

/* ---- decode and prefill --------------------------------------------------------- */

/*
 * The sequences per attention group a decode step of w's batch runs at under
 * its engine (plan --cuda-graphs): the whole batch padded to the engine's next
 * captured size (engine_graph_batch; two-batch overlap splits the padded
 * batch; under MTP the engine's rule for it) by default, or to the next of
 * --cuda-graphs' own sizes, the batch itself with a graph at every batch or
 * with none.  *eager is 1 where no graph runs it (--cuda-graphs off, or
 * above the engine's largest size), else 0.
 */
static double perf_graph_batch(const struct ctx *x, int *eager)
{
	const struct workload *w = x->w;

	*eager = !w->ideal && w->engine && w->cuda_graphs == GRAPHS_OFF;
	if (w->ideal || !w->engine || w->cuda_graphs == GRAPHS_EVERY || w->cuda_graphs == GRAPHS_OFF)
		return w->batch;
	if (w->cuda_graphs == GRAPHS_LIST)   /* in the engine's units */
		return engine_graph_pad_sizes(w->engine, w->graph_sizes, w->ngraph_sizes, w->batch, 1 + w->mtp_depth,
					      eager);
	/* the engine's TP size: every GPU of an instance under attention DP */
	return engine_graph_batch(w->engine, x->h, x->d->tp * (x->m->is_moe ? x->d->dp : 1), w->batch,
				  1 + w->mtp_depth, eager);
}

/*
 * A decode step replayed as a CUDA graph launches no kernel from the host
 * and overlaps each kernel's prologue with the one before (programmatic
 * dependent launch): it saves w->graph_saving of the fixed latency t0 and
 * of the K-loop floor that standalone measurements (hw/published/) include.
 * None where the engine runs the batch without a graph (`eager`,
 * perf_graph_batch).
 */
static void perf_graph_kernels(struct ctx *x, struct hw_kernel_eff *graph, int eager)
{
	double g = 1 - x->w->graph_saving;
	int k;

	if (x->w->ideal || eager || !(g >= 0 && g < 1))
		return;
	for (k = 0; k < K_CLASSES; k++) {
		graph[k] = x->kern[k];
		graph[k].t0_s *= g;
		graph[k].kblock_s *= g;
	}
	x->kern = graph;
}

static void perf_decode(const struct ctx *x, struct perf *p)
{
	const struct workload *w = x->w;
	double mb = w->micro_batches, D = w->mtp_depth, tps = 0, a = 1;
	struct step_shape s;
	int i;

	for (i = 0; i <= (int)D; i++, a *= w->mtp_accept)
		tps += a;
	memset(&s, 0, sizeof s);
	s.B = w->batch / mb;
	s.sq = 1 + D;
	/* the engine pads the batch to its next captured CUDA graph (p->graph_batch,
	 * perf_compute): the padded rows run the GEMMs and elementwise kernels but
	 * attend to nothing, nor reach the output head (engine.h) */
	s.T = p->graph_batch / mb * s.sq;
	s.Tr = s.B * s.sq;
	s.L = w->context;
	s.ctx_tokens = 0;
	s.pairs = -1;
	perf_step(x, &p->decode, &s, s.Tr, D);
	p->tokens_per_step = tps;
	p->tpot_s = p->decode.t_step / tps;
	p->decode_tps_user = 1 / p->tpot_s;
	p->decode_tps_gpu = w->batch * tps / p->decode.t_step / x->d->tp;
}

/*
 * The step that prefills r requests together, each S new tokens after P0
 * cached ones: one step when r S <= C (the chunk budget), else (r = 1) the
 * request in ceil(S / C) equal chunks, each attending to the cache and the
 * chunks before it (the averages of the chunks: time is near linear in
 * them).  Returns the steps a request takes; *head is the output-head tokens
 * per step (each request's last token).
 */
static double perf_prefill_shape(double S, double P0, double C, double r, double mb,
				 struct step_shape *s, double *head)
{
	double steps, pairs_req = S * P0 + S * (S + 1) / 2;

	memset(s, 0, sizeof *s);
	s->P0 = P0;
	s->S = S;
	if (r * S <= C) {
		steps = 1;
		s->T = r * S;
		s->pairs = r * pairs_req;
		s->ctx_tokens = r * (P0 + S);
		s->q_span = S;
		s->kv_span = P0 + S;
		*head = r;
	} else {
		steps = ceil(S / C);
		s->T = S / steps;
		s->pairs = pairs_req / steps;
		s->ctx_tokens = P0 + s->T * (steps + 1) / 2;
		s->q_span = s->T;
		s->kv_span = s->ctx_tokens;
		*head = 1 / steps;
	}
	s->T /= mb;
	s->pairs /= mb;
	s->ctx_tokens /= mb;
	s->B = s->T;
	s->Tr = s->T;
	s->sq = 1;
	return steps;
}

/*
 * Prefill two ways.  Throughput: steps filled to the chunk budget C, several
 * requests sharing one when they are short (p->prefill, prefill_tps_gpu,
 * power).  TTFT: one request alone, its S = (1 - prefix hit) x isl new tokens
 * in chunks of C attending to the whole isl context, so it falls with the
 * prefix hit and grows with isl (no queueing, no other requests' tokens).
 */
static void perf_prefill(const struct ctx *x, struct perf *p)
{
	const struct workload *w = x->w;
	double mb = w->micro_batches, C = w->prefill_tokens, pp = x->d->pp;
	double S = max2(1, round(w->isl * (1 - w->prefix_hit))), P0 = w->isl - S;
	double steps, head, t_first;
	struct step_shape s;

	perf_prefill_shape(S, P0, C, S < C ? C / S : 1, mb, &s, &head);
	perf_step(x, &p->prefill, &s, head / mb, 0);
	p->prefill_new_tokens = S;
	p->prefill_tps_gpu = s.T * mb / p->prefill.t_step / x->d->tp;
	steps = perf_prefill_shape(S, P0, C, 1, mb, &s, &head);
	t_first = p->prefill.t_step;
	if (S < C) {             /* the throughput step held other requests too */
		struct phase alone;   /* ~8 KB on the stack */
		perf_step(x, &alone, &s, head / mb, 0);
		t_first = alone.t_step;
	}
	/* a step's time runs through all pp stages; chunks pipeline behind each
	 * other, so a request's chunks take (steps + pp - 1) stage times: the
	 * bubble (pp - 1) / (steps + pp - 1) is in TTFT, and back-to-back
	 * requests keep every stage busy (throughput has none) */
	p->ttft_s = (steps + pp - 1) * t_first / pp;
	p->prefill_bubble = (pp - 1) / (steps + pp - 1);
}

int perf_compute(const struct model *m, const struct hw *h, const struct deployment *d,
		 const struct workload *w, const struct kv_kinds *kk, struct perf *out, struct err *e)
{
	struct ctx x;
	struct hw_kernel_eff graph[K_CLASSES];
	const struct hw_kernel_eff *alone;

	if (perf_context(m, h, d, w, kk, &x, e))
		return e->code;
	out->links = x.links;
	alone = x.kern;
	out->graph_batch = perf_graph_batch(&x, &out->graph_eager);
	perf_graph_kernels(&x, graph, out->graph_eager);
	perf_decode(&x, out);
	x.kern = alone;
	if (w->decode_only) {
		out->prefill.nops = 0;
		out->prefill.t_step = out->ttft_s = out->prefill_tps_gpu = out->prefill_bubble = NAN;
		out->prefill_new_tokens = round(w->isl * (1 - w->prefix_hit));
	} else {
		perf_prefill(&x, out);
	}
	/* GPU-seconds of prefill per GPU-second of decode for one request */
	out->prefill_to_decode_gpus = (out->prefill_new_tokens / out->prefill_tps_gpu) /
				      (w->osl / out->decode_tps_gpu);
	return 0;
}
