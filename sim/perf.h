/*
 * perf.h - the performance engine: operators of each layer kind with their
 * FLOPs and HBM bytes, a roofline time per operator, communication, and the
 * decode and prefill steps they add up to.
 *
 * Per operator (one kernel): the kernel model of kern.h, the roofline of its
 * class shaped by waves, the K-loop floor and the smooth maximum, with the
 * parameters of its class (hw.h: the card's `efficiency`, or its
 * calibration from published measurements or probes).  GEMMs on fp8
 * weights are gemm_fp8 (per-tensor) or gemm_fp8_block, routed experts
 * moe_grouped_gemm, decode attention over an fp8 cache attention_decode_fp8
 * where the card's calibration has it.
 * --ideal: efficiencies 1, t0 0, no waves, no floors, link latencies 0.
 *
 * Each layer kind of the model (model.h: its token mixer and FFN) is timed
 * once and counted as many times as the model has it.
 *
 * Decode (absorbed MLA, FlashMLA's counts, docs/probes.md s2), per attention group
 * of tp GPUs, B sequences, s_q = 1 + D tokens each (D = MTP depth), context L,
 * h = H/tp heads, dk = dc + dr, dv = dc:
 *   attention FLOPs = 2 B h s_q L (dk + dv)
 *   attention bytes = B (s_q h dk 2 + L kvb + s_q h dv 2)
 * (the latent cache is read once per request, not once per head; kvb the
 * kind's KV bytes per token per GPU, kv_kind_bytes / kv_kind_split).
 * Prefill (MLA not absorbed): K and V up-projected for every context token;
 * causal attention over P prefix + S new tokens has S P + S(S+1)/2 query-key
 * pairs, FLOPs 2 h (dn + dr + dv) per pair.
 * GQA/MHA/MQA: q [H dh, d] (x2 with attn_gate), k [Hkv dh, d], v [Hkv dv, d]
 * (neither for a layer sharing an earlier one's KV, which reads that cache),
 * o [d, H dv]; attention FLOPs 2 h (dh + dv) per query-key pair; decode reads
 * the KV of every KV head held by the GPU.
 * Windows: decode attends over min(L, W), sliding and chunked alike (chunked
 * sees ((L - 1) mod C) + 1 <= C: the bound); prefill query q (1-based) sees
 * min(q, W) keys sliding, ((q - 1) mod C) + 1 chunked (perf_window_pairs),
 * and the step's pairs and keys read scale by the request's share.
 * DSA (index_topk > 0): attention over min(L, topk) keys per query; the
 * lightning indexer (wq_b, wk, weights_proj, not split by tp) scores every
 * key: 2 index_heads index_dim FLOPs per query-key pair, index_dim + 4 bytes
 * per key (fp8 with an fp32 scale), in fp8 where the card has it.
 * Gated DeltaNet (Yang et al., arXiv 2412.06464 s3, chunkwise form) and
 * Mamba-2 (SSD, Dao & Gu, arXiv 2405.21060 s6-7): in and out projections as
 * GEMMs; decode reads and writes each sequence's recurrent state once
 * (kv_kind_state / kv_kind_split, x2) with 6 dk dv (DeltaNet, per value
 * head) or 6 p N (Mamba-2, per head) FLOPs per token; prefill runs the
 * chunked algorithm: 2 C (dk + dv) + 4 dk dv per token per head, C = 64
 * (DeltaNet), 2 C (N + p) + 4 N p, C = chunk_size (Mamba-2), moving the
 * activations in and out.  These costs, like the window bounds, are
 * approximate: gates, short convolutions, norms and sinks are left out as
 * negligible beside the projections, and a chunked layer is charged its
 * worst case in decode.
 * Mixer-less layers have no attention and no all-reduce after it; FFN-less
 * layers no FFN and no all-reduce after it.
 * FFN: gate and up [F, d] and down [d, F], or up and down alone (relu2); MoE
 * experts alike, shared experts one FFN of shared_inter; fp4 routed experts
 * compute in fp4 where the card has an fp4 peak.
 * MoE: token-expert copies per GPU = T k / ep x imbalance; weight bytes only
 * for the local experts touched: E_local (1 - (1 - k/E)^T) under uniform
 * routing (each token picks k distinct experts of E).
 * Elementwise kernels (the elementwise class, memory-bound with its floor),
 * those vLLM and SGLang run on their own, per layer and T tokens of hidden
 * size d, all bf16: the RMSNorm before the mixer and the one before the FFN,
 * each fused with the residual add (vLLM csrc/layernorm_kernels.cu
 * fused_add_rms_norm; SGLang's RMSNorm calls sgl-kernel's fused_add_rmsnorm):
 * 8 T d bytes each (hidden and residual read and written); MLA's q_a and kv_a
 * RMSNorms, 4 T q_lora and 4 T kv_lora; rotary embeddings in place on the
 * rotated dimensions of q and k (vLLM csrc/pos_encoding_kernels.cu
 * rotary_embedding): 4 T (h + 1) qk_rope for MLA (one shared k_pe), 4 T (h +
 * hk) head_dim otherwise in decode (an MHA/GQA prefill's attention op carries
 * that pass, perf_qkv_pass_bytes); the gated activation of a dense FFN or shared
 * experts of width f (vLLM csrc/activation_kernels.cu silu_and_mul):
 * 6 T f bytes, 4 T f ungated (relu2); the final norm before the head, 8 T d.
 * The routed experts' activation runs inside the MoE kernels.  With an
 * engine that fuses them (engine.h): no rope kernel where it applies rotary
 * inside attention, no norm where tp > 1 puts an all-reduce before it that
 * carries the residual add and RMSNorm (TensorRT-LLM's AllReduceFusionOp
 * RESIDUAL_RMS_NORM).  Each layer's part is one operator of n kernels,
 * n t0 + bytes / (eff_mem x HBM) (kern.h's time of memory-bound calls).
 * Activation quantisation: a GEMM on fp8 or fp4 weights computing in fp8 or
 * fp4 reads activations the engine quantised first (perf_quant_bytes), in the
 * elementwise class beside the layer's other elementwise kernels, unless the
 * fit of the GEMM's class timed it with the GEMM (hw_kernel_eff.act_quant:
 * aiconfigurator's TensorRT-LLM Linear ops, docs/kernels.md s5.2).  Routed
 * experts quantise inside DeepEP's dispatch or the fused MoE module: not
 * charged.
 */
#ifndef MLASIM_PERF_H
#define MLASIM_PERF_H

#include "comm.h"
#include "engine.h"
#include "hw.h"
#include "kern.h"
#include "kv.h"
#include "model.h"
#include "params.h"
#include "precision.h"

enum opclass {
	OPC_ATTN_PROJ, OPC_ATTN_CORE, OPC_DENSE_FFN, OPC_ROUTER, OPC_SHARED,
	OPC_ROUTED, OPC_HEAD, OPC_MTP, OPC_ELEMWISE, OPC_TP_COMM, OPC_EP_DISPATCH, OPC_EP_COMBINE,
	OPC_PP_COMM, OPC_CLASSES,
};

enum bound {
	BOUND_COMPUTE, BOUND_HBM, BOUND_SCALE_UP, BOUND_SCALE_OUT, BOUND_LATENCY,
	BOUND_KINDS,
};

struct op {
	const char *name;
	enum opclass cls;
	enum kclass kernel;
	enum dtype dtype;
	int layer;             /* enum layer_kind: main kind m->kind[layer], mtp, or global (head) */
	double count;          /* occurrences per step (layers) */
	double flops;          /* per occurrence, per GPU */
	double bytes;          /* HBM bytes (compute ops) or link bytes (communication), per occurrence */
	double t;              /* seconds per occurrence */
	double t_busy;         /* of which at the achievable roofline (t less the fixed latency) */
	enum bound bound;
};

/* Room for MODEL_MAX_KINDS kinds of at most 21 operators each (MLA with
 * DSA's indexer and MoE, and their elementwise kernels), the MTP module,
 * final norm, output head and pipeline. */
#define PERF_MAX_OPS 200

/* One step (decode or prefill) of one attention group. */
struct phase {
	struct op op[PERF_MAX_OPS];
	int nops;
	double t_step;                 /* seconds, overlap applied */
	double t_class[OPC_CLASSES];   /* seconds per step by class, before overlap */
	double t_bound[BOUND_KINDS];   /* seconds per step by what bounds them, after overlap */
	enum bound bound;              /* the largest of t_bound */
	double tokens;                 /* tokens in the step per attention group, CUDA-graph
	                                  padding included (perf.c perf_graph_batch) */
	double busy_s;                 /* seconds per micro-batch its compute operators spend at their
	                                  roofs (count x t_busy), before overlap */
	double a2a_s_per_layer;        /* EP dispatch + combine of one micro-batch, one MoE layer */
	double dispatch_bytes, combine_bytes;   /* per GPU per MoE layer per micro-batch */
	double up_bytes, out_bytes;    /* of those, on scale-up and scale-out */
	int overlapped;                /* micro-batches (or single-batch overlap) hid communication
	                                  behind compute */
	double a2a_exposed_s;          /* seconds per step the EP all-to-all adds to the compute
	                                  beside it: all of it without overlap, what compute does
	                                  not hide with it (perf_layers_time) */
	double ep_sm_share;            /* share of the SMs the EP all-to-all takes from the compute it
	                                  overlaps: DeepEP's normal kernels in prefill, their
	                                  DEEPEP_NORMAL_SMS of the card's (comm.h); 0: none */
};

/* The most CUDA-graph sizes plan --cuda-graphs takes. */
#define PERF_MAX_GRAPH_SIZES 16

/* What the performance engine needs beyond memory (struct deployment). */
struct workload {
	double batch;          /* sequences decoding per attention group (per GPU at tp 1) */
	double micro_batches;  /* 1, or 2 to overlap one's compute with the other's all-to-all */
	int dp_balance;        /* --dp-balance: 1 on, 0 off, -1 (the default) the serving
	                          engine's (engine.h dp_balance; serve.h) */
	int sbo;               /* single-batch overlap (--overlap sbo): in decode, the EP
	                          all-to-all beside the shared experts and the routed down GEMM
	                          of the same batch (perf_sbo_saving); micro_batches is then 1 */
	double mtp_depth;      /* D draft tokens per step (MTP modules used) */
	double mtp_accept;     /* acceptance rate of each draft token */
	double context;        /* KV length during decode */
	double isl, osl;       /* input and output tokens per request */
	double prefill_tokens; /* tokens per prefill step per attention group */
	int cuda_graphs;       /* enum graph_mode: the engine's CUDA graphs at decode (perf.c
	                          perf_graph_batch): GRAPHS_ENGINE, its card's captured sizes, a
	                          batch padded to the next; GRAPHS_EVERY, one at every batch (no
	                          padding); GRAPHS_OFF, none; GRAPHS_LIST, graph_sizes */
	double graph_sizes[PERF_MAX_GRAPH_SIZES];   /* GRAPHS_LIST: the sizes, ascending */
	int ngraph_sizes;
	double recv_interval;  /* decode steps between the scheduler's polls for new requests
	                          (SGLang's --scheduler-recv-interval; 1: every step, as every
	                          engine by default): serve.h */
	double dp_balance_iters;  /* with balanced attention DP, the steps after which the engine
	                          gives waiting prompts out though not every group has one
	                          (--dp-balance-iters; NAN: the engine card's): serve.h */
	double batch_wait_iters;  /* decode steps the engine holds new prompts back to batch them
	                          (TensorRT-LLM's batch_wait_timeout_iters; 0: none): serve.h */
	double batch_wait_ratio;  /* ... unless the step's tokens reach this share of
	                          prefill_tokens (batch_wait_max_tokens_ratio; 0: never waits) */
	double prefix_hit;     /* share of input tokens already in the prefix cache */
	double imbalance;      /* busiest EP rank's load over the mean */
	int shared_routed;     /* shared experts dispatched like routed ones */
	double max_nodes;      /* node-limited routing: domains a token may reach (0: none;
	                          NAN: from the model's expert groups, see perf_max_domains) */
	int ideal;             /* efficiencies 1, no fixed latencies */
	double planes_down;    /* failed scale-out planes */
	int decode_only;       /* skip prefill (a decode sweep): its outputs are NAN */
	double graph_saving;   /* share of each kernel's standalone fixed latency (t0, K-loop
	                          floor) a decode step saves: 0 as the kernels were measured
	                          alone; a serving engine's CUDA-graph replay saves
	                          1 - its graph_latency_share (engine.h) */
	const struct engine *engine;   /* the serving engine (serve_engine_apply): its own
	                          all-reduce inside a domain below its limits, where the card
	                          has its fit (comm_custom_ar_s), and the elementwise kernels it
	                          fuses (engine.h); NULL, as 'plan' without --engine: NCCL, and
	                          every elementwise kernel apart.  Not owned */
};

/* Defaults, each documented in 'mlasim help plan'. */
void perf_default_workload(const struct model *m, struct workload *w);

/* How a decode step overlaps its EP all-to-all with compute, as '--overlap'
 * names it: none; two-batch overlap (micro_batches 2 or more); single-batch
 * overlap (sbo). */
enum overlap { OVERLAP_NONE, OVERLAP_TBO, OVERLAP_SBO, OVERLAP_MODES };

/* Seconds single-batch overlap saves on a communication kernel of `comm`
 * seconds run beside a compute kernel of `compute` seconds that gives
 * `taken` of the GPU's `sms` SMs up to it: comm + compute - max(comm,
 * compute x sms / (sms - taken)); negative where the SMs lost cost more
 * than the overlap hides.  taken 0 (or not below sms): the compute keeps
 * every SM. */
double perf_sbo_pair(double comm, double compute, double sms, double taken);

/* The mode workload w runs. */
enum overlap perf_overlap(const struct workload *w);

/* "none", "tbo" or "sbo"; NULL for a value out of range. */
const char *perf_overlap_name(int mode);

/* plan --cuda-graphs: engine, every, off, or a list of sizes (struct workload cuda_graphs). */
enum graph_mode { GRAPHS_ENGINE, GRAPHS_EVERY, GRAPHS_OFF, GRAPHS_LIST };

struct perf {
	struct phase decode, prefill;
	double tokens_per_step;        /* per sequence: 1 + a + ... + a^D */
	double graph_batch;            /* sequences per attention group the decode step's GEMMs,
	                                  MoE and collectives run at (micro-batches split it): the
	                                  engine's next captured CUDA-graph size (perf.c
	                                  perf_graph_batch), else the batch */
	int graph_eager;               /* the engine runs the decode step without a CUDA graph
	                                  (--cuda-graphs off, or above its largest size) */
	double tpot_s;
	double decode_tps_gpu, decode_tps_user;
	double ttft_s;
	double prefill_new_tokens;     /* per request, after the prefix cache */
	double prefill_tps_gpu;
	double prefill_bubble;         /* pipeline fill share of a request's prefill */
	double prefill_to_decode_gpus; /* GPUs of prefill per GPU of decode for the workload */
	struct links links;
};

struct deployment;

/*
 * Predict decode and prefill for model m on hardware h under deployment d and
 * workload w into *out, given what each layer kind caches in d's KV format
 * (kk: kv_kinds(m, &d->kv), which plan_compute has worked out).  Pure: no
 * I/O.  Returns 0, or EXIT_INPUT when the card lacks what the deployment
 * needs (a scale-out network for EP across domains).
 */
int perf_compute(const struct model *m, const struct hw *h, const struct deployment *d,
		 const struct workload *w, const struct kv_kinds *kk, struct perf *out, struct err *e);

/*
 * Causal query-key pairs of query positions a+1 .. b (1-based) in a layer
 * mixing with mix over W tokens: query q sees min(q, W) keys (MIX_WINDOW),
 * ((q - 1) mod W) + 1 (MIX_CHUNK, chunks of W), or q (anything else).
 * Closed form: O(1) whatever the lengths.
 */
double perf_window_pairs(enum mixer mix, double W, double a, double b);

/*
 * FLOPs and HBM bytes of absorbed MLA decode attention on one GPU holding h
 * heads: B requests of s_q query tokens over context L, KV bytes per token per
 * layer kvb (FlashMLA's counts, docs/probes.md s2; the formula of perf.h).
 */
void perf_mla_attention(const struct model *m, double h, double B, double sq, double L,
			double kvb, double *flops, double *bytes);

/*
 * The kernel shape (kern.h) of a GEMM of T tokens through an [N, K] matrix
 * stored in format w, computing in dt: 2 T N K FLOPs; the weights, the input
 * (1 byte per element in fp8, which quantises it, else 2) and the bf16 output.
 */
void perf_gemm_shape(const struct wprec *w, enum dtype dt, double T, double N, double K,
		     struct kshape *s);

/*
 * The two grouped GEMMs of the routed experts on one GPU: `copies`
 * token-expert copies over `touched` experts (groups of copies / touched
 * tokens each) of hidden size d and width fe, gate and up [2 fe, d] (gated)
 * or up [fe, d], then down [d, fe], stored in w, computing in dt.
 */
void perf_moe_shapes(const struct wprec *w, enum dtype dt, double copies, double touched,
		     double d, double fe, int gated, struct kshape *up, struct kshape *down);

/*
 * GQA/MHA attention on one GPU of h query heads of dimension dh (values dv):
 * decode of B sequences of s_q tokens over L keys of kvb cache bytes each
 * (2 B h s_q L (dh + dv) FLOPs, the cache read once, q and output in bf16);
 * prefill of T new tokens, q of them per sequence, over ctx keys of hk
 * heads, `pairs` query-key pairs (2 h (dh + dv) FLOPs and h softmax
 * exponentials per pair, q, k, v and output in bf16, perf_prefill_ctas
 * thread blocks).
 */
void perf_gqa_decode_shape(double h, double kvb, double dh, double dv, double B, double sq, double L,
			   struct kshape *s);
void perf_gqa_prefill_shape(double h, double hk, double dh, double dv, double T, double q, double ctx,
			    double pairs, struct kshape *s);

/* Thread blocks of a prefill attention kernel (kern.h): one per 128 queries
 * (KERN_TILE, FlashAttention-3's query tile) of each of h heads and each of
 * the T / q sequences of q new tokens; 0 when q <= 0. */
double perf_prefill_ctas(double h, double T, double q);

/*
 * Bytes of the pass that applies RoPE to the T new tokens' Q and K and writes
 * their K and V into the cache, before a GQA/MHA prefill kernel: it reads and
 * writes Q (h heads of dh) and K and V (hk heads of dh and dv) once each in
 * bf16, 4 T (h dh + hk (dh + dv)).  TRT-LLM's context attention runs it as
 * invokeQKVPreprocessing ahead of the FMHA
 * (NVIDIA/TensorRT-LLM@eea41b73:cpp/tensorrt_llm/common/attentionOp.cpp),
 * and aiconfigurator's context-attention times include it
 * (hw/published/b300/aic-trtllm-attention-context.json); the engine has no
 * operator of its own for it, so the prefill attention op carries it.  MLA's
 * RoPE runs on the latent (invokeMLARopeContext) and is not counted.
 */
double perf_qkv_pass_bytes(double h, double hk, double dh, double dv, double T);

/*
 * Quantising T x K bf16 activations for a GEMM on weights of format f, as
 * the engines run it: returns the kernel calls and sets *bytes to their HBM
 * bytes.  Per-tensor fp8, dynamic (vLLM scaled_fp8_quant without a scale,
 * TensorRT-LLM quantize_e4m3_per_tensor): an amax pass reading 2 T K, then
 * the quantiser reading 2 T K and writing T K and the fp32 scale; static (a
 * scale given): the quantiser alone.  128-block fp8 (per_token_group_quant_fp8):
 * one kernel, 2 T K in, T K and a fp32 scale per 128 out (4 / 128 B per
 * element).  int8 per token: T K and a fp32 scale per token out.  nvfp4:
 * T K / 2, a fp8 scale per 16 and a fp32 one per tensor out; mxfp4 an E8M0
 * scale per 32.  Other formats quantise nothing: 0.
 */
int perf_quant_bytes(enum wfmt f, int dynamic, double T, double K, double *bytes);

/* Expected experts touched of `local` on a GPU when `tokens` tokens each
 * choose k distinct experts of `experts` uniformly: local (1 - (1 - k/E)^T). */
double perf_experts_touched(double local, double k, double experts, double tokens);

/*
 * Seconds of one kernel of class k computing in dt, doing `flops` FLOPs and
 * moving `bytes` HBM bytes on h: kern_seconds() with h's parameters for the
 * class, for a call that is no GEMM (no waves, no K-loop floor, no softmax
 * term: perf_compute() times a GEMM with its shape).  A dtype h has no peak
 * for runs at the BF16 peak.
 */
double perf_kernel_seconds(const struct hw *h, enum kclass k, enum dtype dt, double flops,
			   double bytes);

/* An operator class in words ("attention core") and as a JSON key
 * ("attention_core"), and what bounds a step ("hbm"): static text. */
const char *perf_class_name(enum opclass c);
const char *perf_class_key(enum opclass c);
const char *perf_bound_name(enum bound b);

/* Is an operator of class c communication (TP all-reduce, EP dispatch and
 * combine, pipeline transfers) rather than work on the GPU?  1 or 0. */
static inline int perf_class_is_comm(enum opclass c)
{
	return c >= OPC_TP_COMM && c < OPC_CLASSES;
}

/* Is a step or operator bound by b bound by a link, scale-up or scale-out
 * (network-bound)?  1 or 0. */
static inline int perf_bound_is_comm(enum bound b)
{
	return b == BOUND_SCALE_UP || b == BOUND_SCALE_OUT;
}

#endif
