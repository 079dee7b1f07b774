/* kfit.c - published kernel records, the per-class fit, held-out errors; see kfit.h */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include "borrow.h"
#include "jsonx.h"
#include "kfit.h"
#include "kv.h"
#include "model.h"
#include "comm.h"
#include "perf.h"
#include "precision.h"
#include "stats.h"

/* ---- reading ------------------------------------------------------------ */

static const cJSON *jget(const cJSON *o, const char *key)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = jget(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Shapes, counts and sizes past 1e12 (a 1 TB message, a trillion tokens)
 * are typos; measured times outside 1 ns .. 1e4 s too. */
#define KFIT_MAX_PARAM 1e12
#define KFIT_TIME_OK(t) ((t) >= 1e-9 && (t) <= 1e4)

/* A record's params.<key>, which must be a positive finite number. */
static int kfit_param(const cJSON *rec, int idx, const char *key, const char *file, double *v,
		      struct err *e)
{
	const cJSON *p = jget(jget(rec, "params"), key);

	if (!cJSON_IsNumber(p) || !(p->valuedouble > 0) || !(p->valuedouble <= KFIT_MAX_PARAM))
		return err_set(e, EXIT_INPUT, "%s: 'probes[%d].params.%s' must be a positive number up to %g",
			       file, idx, key, KFIT_MAX_PARAM);
	*v = p->valuedouble;
	return 0;
}

/* params.<key> into *v when present (then as kfit_param checks it), else def. */
static int kfit_param_or(const cJSON *rec, int idx, const char *key, double def, const char *file,
			 double *v, struct err *e)
{
	if (!jget(jget(rec, "params"), key)) {
		*v = def;
		return 0;
	}
	return kfit_param(rec, idx, key, file, v, e);
}

/* A dtype name as the records write it: the class of a GEMM in it, its
 * compute dtype and weight format; -1 when unknown. */
static int kfit_dtype(const char *name, enum kclass *k, enum dtype *dt, enum wfmt *f)
{
	static const struct { const char *name; enum kclass k; enum dtype dt; enum wfmt f; } t[] = {
		{"bf16", K_GEMM_BF16, DT_BF16, WF_BF16}, {"fp16", K_GEMM_BF16, DT_BF16, WF_FP16},
		{"fp8", K_GEMM_FP8, DT_FP8, WF_FP8}, {"fp8_block", K_GEMM_FP8_BLOCK, DT_FP8, WF_FP8_BLOCK},
		{"nvfp4", K_GEMM_FP4, DT_FP4, WF_NVFP4}, {"mxfp4", K_GEMM_FP4, DT_FP4, WF_MXFP4},
	};
	size_t i;

	for (i = 0; name && i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(name, t[i].name)) {
			*k = t[i].k;
			*dt = t[i].dt;
			*f = t[i].f;
			return 0;
		}
	return -1;
}

static int kfit_bad_dtype(const char *file, int idx, const char *dt, struct err *e)
{
	if (!dt)
		return err_set(e, EXIT_INPUT,
			       "%s: 'probes[%d].params.dtype' must be a string: bf16, fp16, fp8, fp8_block, nvfp4 or mxfp4",
			       file, idx);
	return err_set(e, EXIT_INPUT,
		       "%s: 'probes[%d].params.dtype' must be bf16, fp16, fp8, fp8_block, nvfp4 or mxfp4, got '%s'",
		       file, idx, dt);
}

/* gemm: one dense GEMM of M x N x K. */
static int kfit_gemm(const cJSON *rec, int idx, const char *file, struct krec *r, struct err *e)
{
	struct wprec w = {WF_BF16, 128, ""};
	double M, N, K;

	if (kfit_dtype(jstr(jget(rec, "params"), "dtype"), &r->cls, &r->dt, &w.fmt))
		return kfit_bad_dtype(file, idx, jstr(jget(rec, "params"), "dtype"), e);
	if (kfit_param(rec, idx, "m", file, &M, e) || kfit_param(rec, idx, "n", file, &N, e) ||
	    kfit_param(rec, idx, "k", file, &K, e))
		return e->code;
	perf_gemm_shape(&w, r->dt, M, N, K, &r->call[0]);
	r->ncalls = 1;
	return 0;
}

/* grouped_gemm: G groups of m tokens through [n, k] each, the moe class. */
static int kfit_grouped(const cJSON *rec, int idx, const char *file, struct krec *r, struct err *e)
{
	const char *layout = jstr(jget(rec, "params"), "layout");
	struct wprec w = {WF_BF16, 128, ""};
	struct kshape down;
	enum kclass ignored;
	double G, M, N, K;

	if (kfit_dtype(jstr(jget(rec, "params"), "dtype"), &ignored, &r->dt, &w.fmt))
		return kfit_bad_dtype(file, idx, jstr(jget(rec, "params"), "dtype"), e);
	if (kfit_param(rec, idx, "groups", file, &G, e) || kfit_param(rec, idx, "m", file, &M, e) ||
	    kfit_param(rec, idx, "n", file, &N, e) || kfit_param(rec, idx, "k", file, &K, e))
		return e->code;
	/* the up projection of an ungated FFN of width n over hidden k is exactly [n, k] */
	perf_moe_shapes(&w, r->dt, G * M, G, K, N, 0, &r->call[0], &down);
	/* prefill's contiguous layout, decode's masked one (hw.h) */
	r->cls = layout && !strcmp(layout, "contiguous") ? K_MOE_PREFILL : K_MOE;
	r->ncalls = 1;
	return 0;
}

/* The class a whole-MoE-module record fits, by params.kernel into *k: an
 * engine's own fused-MoE kernel (vLLM's fused_moe, SGLang's fused_moe_triton)
 * its own class (hw.h), TensorRT-LLM's and DeepGEMM's modules (or none
 * named) moe_grouped_gemm.  Returns 0, or EXIT_INPUT for a kernel it does
 * not know (a typo must not fit the wrong class). */
static int kfit_moe_class(const char *kernel, int idx, const char *file, enum kclass *k, struct err *e)
{
	static const struct { const char *name; enum kclass k; } t[] = {
		{"vllm_fused_moe", K_MOE_VLLM}, {"sglang_fused_moe_triton", K_MOE_SGLANG},
		{"moe_torch_flow_cutlass", K_MOE}, {"deepgemm", K_MOE}, {"deepgemm_mega_moe", K_MOE},
	};
	size_t i;

	*k = K_MOE;
	for (i = 0; kernel && i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(kernel, t[i].name)) {
			*k = t[i].k;
			return 0;
		}
	if (!kernel)
		return 0;
	return err_set(e, EXIT_INPUT,
		       "%s: 'probes[%d].params.kernel' of a moe record must be vllm_fused_moe, sglang_fused_moe_triton, moe_torch_flow_cutlass, deepgemm or deepgemm_mega_moe, got '%s'",
		       file, idx, kernel);
}

/* moe: a whole module (aiconfigurator): T tokens per rank routed top-k over
 * E experts, the E/ep local ones computed: gate + up and down, as perf_moe;
 * params.tp slices every expert's width (MoE tensor parallelism). */
static int kfit_moe(const cJSON *rec, int idx, const char *file, struct krec *r, struct err *e)
{
	struct wprec w = {WF_BF16, 128, ""};
	const char *routing = jstr(jget(rec, "params"), "routing");
	enum kclass ignored;
	double E, k, H, I, ep, tp, T, local, touched;

	if (kfit_dtype(jstr(jget(rec, "params"), "dtype"), &ignored, &r->dt, &w.fmt))
		return kfit_bad_dtype(file, idx, jstr(jget(rec, "params"), "dtype"), e);
	if (kfit_param(rec, idx, "experts", file, &E, e) || kfit_param(rec, idx, "topk", file, &k, e) ||
	    kfit_param(rec, idx, "hidden", file, &H, e) || kfit_param(rec, idx, "inter", file, &I, e) ||
	    kfit_param(rec, idx, "ep", file, &ep, e) || kfit_param(rec, idx, "tokens", file, &T, e) ||
	    kfit_param_or(rec, idx, "tp", 1, file, &tp, e))
		return e->code;
	if (k > E || ep > E || tp > I)
		return err_set(e, EXIT_INPUT,
			       "%s: 'probes[%d].params': topk (%g) and ep (%g) must not exceed experts (%g), nor tp (%g) inter (%g)",
			       file, idx, k, ep, E, tp, I);
	if (kfit_moe_class(jstr(jget(rec, "params"), "kernel"), idx, file, &r->cls, e))
		return e->code;
	local = E / ep;
	/* the experts the measured rank computed: aiconfigurator's balanced
	 * routing (collector/helper.py balanced_logits, ai-dynamo/aiconfigurator
	 * @095f58a5) gives token t its j-th expert o + j s (mod E), s = ceil(E / k),
	 * o = t where T >= s, else floor(t s / T): spread evenly, min(E, T k)
	 * distinct in all, min(local, T k / ep) on a rank and at least one;
	 * other routing, as serving is priced, uniform */
	touched = routing && !strcmp(routing, "balanced") ? fmin(local, fmax(1, T * k / ep)) :
							   fmin(local, perf_experts_touched(local, k, E, T));
	/* MoE tensor parallelism: each rank holds a 1/tp slice of every local expert's width */
	perf_moe_shapes(&w, r->dt, T * k / ep, touched, H, I / tp, 1, &r->call[0], &r->call[1]);
	r->ncalls = 2;
	return 0;
}

/* mla_decode: FlashMLA's counts (perf_mla_attention) over a bf16 or fp8 latent. */
static int kfit_mla_decode(const cJSON *rec, int idx, const char *file, struct krec *r,
			   struct err *e)
{
	const char *kd = jstr(jget(rec, "params"), "kv_dtype"), *kern = jstr(jget(rec, "params"), "kernel");
	struct model m;
	double h, B, L, kvb, f, b, sq;
	int fp8 = kd && !strcmp(kd, "fp8");

	if (kd && !fp8 && strcmp(kd, "bf16"))
		return err_set(e, EXIT_INPUT, "%s: 'probes[%d].params.kv_dtype' must be bf16 or fp8, got '%s'",
			       file, idx, kd);
	if (kfit_param(rec, idx, "heads", file, &h, e) || kfit_param(rec, idx, "batch", file, &B, e) ||
	    kfit_param(rec, idx, "kv_len", file, &L, e))
		return e->code;
	memset(&m, 0, sizeof m);
	if (kfit_param_or(rec, idx, "kv_lora", 512, file, &m.kv_lora, e) ||
	    kfit_param_or(rec, idx, "rope", 64, file, &m.qk_rope, e) ||
	    kfit_param_or(rec, idx, "s_q", 1, file, &sq, e))
		return e->code;
	/* bytes per token: bf16 latent and rope; fp8 per-tensor one byte each;
	 * FlashMLA's fp8 layout (kv_flashmla_bytes: 656 for 512 + 64) */
	kvb = (m.kv_lora + m.qk_rope) * (fp8 ? 1 : 2);
	if (fp8 && kern && !strcmp(kern, "flashmla"))
		kvb = kv_flashmla_bytes(&m);
	perf_mla_attention(&m, h, B, sq, L, kvb, &f, &b);
	r->call[0] = (struct kshape){f, b, 0, 0, 0, 1, 0, 0};
	r->cls = fp8 ? K_ATTN_DECODE_FP8 : K_ATTN_DECODE;
	r->dt = fp8 ? DT_FP8 : DT_BF16;
	r->ncalls = 1;
	return 0;
}

/* mla_prefill, attention_prefill: causal (or not) attention over `seq` new
 * tokens per sequence, as perf.c prices prefill attention: 2 h (d_qk + d_v)
 * FLOPs and h softmax exponentials per query-key pair, a thread block per
 * 128 queries of each head and sequence, queries, keys, values and output
 * read or written once in bf16, and with params.qkv_pass (the time includes
 * the RoPE and cache-write pass, perf_qkv_pass_bytes) that pass's bytes. */
static int kfit_prefill(const cJSON *rec, int idx, const char *file, struct krec *r, struct err *e)
{
	const cJSON *causal = jget(jget(rec, "params"), "causal"), *pass = jget(jget(rec, "params"), "qkv_pass");
	double h, dqk, dv, S, B, hk, T, pairs;

	if (kfit_param(rec, idx, "heads", file, &h, e) || kfit_param(rec, idx, "d_qk", file, &dqk, e) ||
	    kfit_param(rec, idx, "d_v", file, &dv, e) || kfit_param(rec, idx, "seq", file, &S, e))
		return e->code;
	if (kfit_param_or(rec, idx, "batch", 1, file, &B, e) || kfit_param_or(rec, idx, "kv_heads", h, file, &hk, e))
		return e->code;
	if (pass && !cJSON_IsBool(pass))
		return err_set(e, EXIT_INPUT, "%s: 'probes[%d].params.qkv_pass' must be true or false", file, idx);
	T = B * S;
	pairs = cJSON_IsFalse(causal) ? B * S * S : B * S * (S + 1) / 2;
	perf_gqa_prefill_shape(h, hk, dqk, dv, T, S, T, pairs, &r->call[0]);
	if (cJSON_IsTrue(pass))
		r->call[0].bytes += perf_qkv_pass_bytes(h, hk, dqk, dv, T);
	r->cls = K_ATTN_PREFILL;
	r->dt = DT_BF16;
	r->ncalls = 1;
	return 0;
}

/* gqa_decode: B sequences reading L tokens of K and V of kv_heads heads. */
static int kfit_gqa_decode(const cJSON *rec, int idx, const char *file, struct krec *r,
			   struct err *e)
{
	const char *kd = jstr(jget(rec, "params"), "kv_dtype");
	int fp8 = kd && !strcmp(kd, "fp8");
	double h, hk, d, B, L;

	if (kfit_param(rec, idx, "heads", file, &h, e) || kfit_param(rec, idx, "kv_heads", file, &hk, e) ||
	    kfit_param(rec, idx, "head_dim", file, &d, e) || kfit_param(rec, idx, "batch", file, &B, e) ||
	    kfit_param(rec, idx, "kv_len", file, &L, e))
		return e->code;
	perf_gqa_decode_shape(h, 2 * hk * d * (fp8 ? 1 : 2), d, d, B, 1, L, &r->call[0]);
	r->cls = fp8 ? K_ATTN_DECODE_FP8 : K_ATTN_DECODE_GQA;
	r->dt = fp8 ? DT_FP8 : DT_BF16;
	r->ncalls = 1;
	return 0;
}

/* quantize: a static activation quantiser (the elementwise class) of m x k
 * bf16 activations with a given scale, as perf_quant_bytes prices it (one
 * kernel: 2 m k in, m k and the scale out). */
static int kfit_quantize(const cJSON *rec, int idx, const char *file, struct krec *r, struct err *e)
{
	const char *fmt = jstr(jget(rec, "params"), "format"), *scale = jstr(jget(rec, "params"), "scale");
	double m, k, b;

	if (!fmt || strcmp(fmt, "fp8") || !scale || strcmp(scale, "static"))
		return err_set(e, EXIT_INPUT,
			       "%s: 'probes[%d].params': a quantize record is a static fp8 quantiser ('format': \"fp8\", 'scale': \"static\")",
			       file, idx);
	if (kfit_param(rec, idx, "m", file, &m, e) || kfit_param(rec, idx, "k", file, &k, e))
		return e->code;
	r->ncalls = perf_quant_bytes(WF_FP8, 0, m, k, &b);
	r->call[0] = (struct kshape){0, b, 0, 0, 0, 1, 0, 0};
	r->cls = K_ELEMWISE;
	r->dt = DT_BF16;
	return 0;
}

/* Kinds that describe links or fused modules, not calibrated yet. */
static int kfit_not_calibrated(const char *kind, const cJSON *rec)
{
	const char *routing = jstr(jget(rec, "params"), "routing");
	const char *dt = jstr(jget(rec, "params"), "dtype");

	if (!strcmp(kind, "deepep") || !strcmp(kind, "p2p") || !strcmp(kind, "nccl") ||
	    !strcmp(kind, "custom_allreduce"))   /* kfit_nccl, kfit_car_rec, kfit_deepep_rec */
		return 1;
	/* skewed routing is --imbalance, a workload figure, not a kernel one; the
	 * fp8 x fp4 mega kernel fuses dispatch and combine */
	if (!strcmp(kind, "moe") && ((routing && strcmp(routing, "balanced")) || (dt && !strcmp(dt, "fp8xfp4"))))
		return 1;
	/* the engine prices prefill attention in bf16 (perf.h) */
	if ((!strcmp(kind, "attention_prefill") || !strcmp(kind, "mla_prefill")) && dt && !strcmp(dt, "fp8"))
		return 1;
	return 0;
}

/* Record idx of a document into *r: 1 when read, 0 when skipped, -1 (and
 * e set) when it is not a record. */
static int kfit_record(const cJSON *rec, int idx, const char *file, struct krec *r, struct err *e)
{
	static const struct {
		const char *kind;
		int (*read)(const cJSON *, int, const char *, struct krec *, struct err *);
	} kinds[] = {
		{"gemm", kfit_gemm}, {"grouped_gemm", kfit_grouped}, {"moe", kfit_moe},
		{"mla_decode", kfit_mla_decode}, {"mla_prefill", kfit_prefill},
		{"attention_prefill", kfit_prefill}, {"gqa_decode", kfit_gqa_decode}, {"quantize", kfit_quantize},
	};
	const char *kind = jstr(rec, "probe"), *status = jstr(rec, "status"), *id = jstr(rec, "id");
	const cJSON *t = jget(jget(rec, "timing"), "median_s");
	size_t i;

	if (!kind) {
		err_set(e, EXIT_INPUT, "%s: 'probes[%d].probe' must be a string", file, idx);
		return -1;
	}
	memset(r, 0, sizeof *r);
	snprintf(r->id, sizeof r->id, "%s", id ? id : "");
	if (!status || strcmp(status, "ok") || !t || kfit_not_calibrated(kind, rec))
		return 0;
	if (!cJSON_IsNumber(t) || !KFIT_TIME_OK(t->valuedouble)) {
		err_set(e, EXIT_INPUT, "%s: 'probes[%d].timing.median_s' must be seconds from 1e-9 to 1e4",
			file, idx);
		return -1;
	}
	r->t_s = t->valuedouble;
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (!strcmp(kind, kinds[i].kind))
			return kinds[i].read(rec, idx, file, r, e) ? -1 : 1;
	err_set(e, EXIT_INPUT,
		"%s: 'probes[%d].probe' must be gemm, grouped_gemm, moe, mla_decode, mla_prefill, attention_prefill, gqa_decode, quantize, nccl, custom_allreduce, deepep or p2p, got '%s'",
		file, idx, kind);
	return -1;
}

/*
 * An nccl record into s->coll: 1 when it is one (a timed all_reduce,
 * all_gather or alltoall on two GPUs or more), 3 when it is an nccl record
 * not fitted (another collective, untimed, one GPU: skipped), 0 when it is
 * no nccl record, -1 on error.
 */
static int kfit_nccl(const cJSON *rec, int idx, const char *file, struct kset *s, struct err *e)
{
	const char *kind = jstr(rec, "probe"), *op = jstr(jget(rec, "params"), "op"), *st = jstr(rec, "status");
	const cJSON *t = jget(jget(rec, "timing"), "median_s");
	struct kcoll *c;
	int o;

	if (!kind || strcmp(kind, "nccl"))
		return 0;
	for (o = 0; o < HW_COLL_OPS && !(op && !strcmp(op, hw_coll_name(o))); o++)
		;
	if (o == HW_COLL_OPS || !st || strcmp(st, "ok") || !cJSON_IsNumber(t))
		return 3;   /* another collective or untimed: skipped */
	if (s->ncoll == KFIT_MAX_RECORDS) {
		err_set(e, EXIT_INPUT, "%s: more than %d collective records in one directory", file, KFIT_MAX_RECORDS);
		return -1;
	}
	c = &s->coll[s->ncoll];
	memset(c, 0, sizeof *c);
	c->op = o;
	if (kfit_param(rec, idx, "gpus", file, &c->gpus, e) || kfit_param(rec, idx, "bytes", file, &c->bytes, e))
		return -1;
	if (c->gpus < 2)
		return 3;   /* one GPU has nothing to exchange: skipped */
	if (!KFIT_TIME_OK(t->valuedouble)) {
		err_set(e, EXIT_INPUT, "%s: 'probes[%d].timing.median_s' must be seconds from 1e-9 to 1e4", file, idx);
		return -1;
	}
	c->t_s = t->valuedouble;
	snprintf(c->id, sizeof c->id, "%s", jstr(rec, "id") ? jstr(rec, "id") : "");
	s->ncoll++;
	return 1;
}

/*
 * A custom_allreduce record (an engine's own all-reduce, params engine,
 * gpus, bytes) into s->car: 1 when it is one, 3 when it is one not fitted
 * (status other than ok, untimed), 0 when it is no such record, -1 on error.
 */
static int kfit_car_rec(const cJSON *rec, int idx, const char *file, struct kset *s, struct err *e)
{
	const char *kind = jstr(rec, "probe"), *eng = jstr(jget(rec, "params"), "engine"), *st = jstr(rec, "status");
	const cJSON *t = jget(jget(rec, "timing"), "median_s");
	struct kcar *c;

	if (!kind || strcmp(kind, "custom_allreduce"))
		return 0;
	if (!st || strcmp(st, "ok") || !cJSON_IsNumber(t))
		return 3;
	if (!eng || !eng[0] || strlen(eng) >= sizeof c->engine) {
		err_set(e, EXIT_INPUT, "%s: 'probes[%d].params.engine' must name the engine card (at most %zu characters)",
			file, idx, sizeof c->engine - 1);
		return -1;
	}
	if (s->ncar == KFIT_MAX_RECORDS) {
		err_set(e, EXIT_INPUT, "%s: more than %d custom_allreduce records in one directory", file, KFIT_MAX_RECORDS);
		return -1;
	}
	c = &s->car[s->ncar];
	memset(c, 0, sizeof *c);
	snprintf(c->engine, sizeof c->engine, "%s", eng);
	if (kfit_param(rec, idx, "gpus", file, &c->gpus, e) || kfit_param(rec, idx, "bytes", file, &c->bytes, e))
		return -1;
	if (c->gpus < 2)
		return 3;
	if (!KFIT_TIME_OK(t->valuedouble)) {
		err_set(e, EXIT_INPUT, "%s: 'probes[%d].timing.median_s' must be seconds from 1e-9 to 1e4", file, idx);
		return -1;
	}
	c->t_s = t->valuedouble;
	snprintf(c->id, sizeof c->id, "%s", jstr(rec, "id") ? jstr(rec, "id") : "");
	s->ncar++;
	return 1;
}

/*
 * A DeepEP record into s->ep, with the bytes per GPU the engine moves for it
 * (comm_ep_traffic over `nodes` domains of ep / nodes GPUs,
 * comm_ep_payload).  Low latency: inside one node (KEP_LL) every copy to
 * another GPU, over NVLink; across nodes (KEP_LL_RDMA) every copy to another
 * node, each sent alone over the NIC; with "transport": "rdma" (DeepEP's
 * first low-latency kernels, which used no NVLink, on one node too) every
 * copy, as DeepEP's test counts its RDMA GB/s (tokens x selected experts x
 * bytes per copy, deepseek-ai/DeepEP@ebfe47e:tests/test_low_latency.py).
 * Normal mode on one node (KEP_NORMAL): each token once per other GPU
 * holding one of its experts (comm_ep_normal_copies); across nodes it is
 * not fitted.  1 when it is one, 0 when not (or untimed), -1 on error.
 */
static int kfit_deepep_rec(const cJSON *rec, int idx, const char *file, struct kset *s, struct err *e)
{
	const cJSON *p = jget(rec, "params"), *t = jget(jget(rec, "timing"), "median_s");
	const char *kind = jstr(rec, "probe"), *mode = jstr(p, "mode"), *phase = jstr(p, "phase");
	const char *st = jstr(rec, "status"), *ddt = jstr(p, "dispatch_dtype"), *tp = jstr(p, "transport");
	double nodes = 1, hidden, k, E, copies;
	struct ep_traffic tr;
	struct kdeepep *r;
	int normal;

	if (!kind || strcmp(kind, "deepep"))
		return 0;
	if (kfit_param_or(rec, idx, "nodes", 1, file, &nodes, e))
		return -1;
	normal = mode && !strcmp(mode, "normal");
	if (!mode || (strcmp(mode, "low_latency") && !(normal && nodes == 1)) || !phase || !st || strcmp(st, "ok") ||
	    !cJSON_IsNumber(t))
		return 0;
	if (s->nep == KFIT_MAX_RECORDS) {
		err_set(e, EXIT_INPUT, "%s: more than %d DeepEP records in one directory", file, KFIT_MAX_RECORDS);
		return -1;
	}
	if (strcmp(phase, "dispatch") && strcmp(phase, "combine")) {
		err_set(e, EXIT_INPUT, "%s: 'probes[%d].params.phase' must be dispatch or combine, got '%s'", file, idx, phase);
		return -1;
	}
	r = &s->ep[s->nep];
	memset(r, 0, sizeof *r);
	r->phase = !strcmp(phase, "combine");
	if (kfit_param(rec, idx, "ep", file, &r->ep, e) || kfit_param(rec, idx, "tokens", file, &r->tokens, e) ||
	    kfit_param(rec, idx, "hidden", file, &hidden, e) || kfit_param(rec, idx, "topk", file, &k, e) ||
	    kfit_param(rec, idx, "experts", file, &E, e))
		return -1;
	if (nodes > r->ep || r->ep / nodes != floor(r->ep / nodes)) {
		err_set(e, EXIT_INPUT, "%s: 'probes[%d].params.nodes' (%g) must divide ep (%g)", file, idx, nodes, r->ep);
		return -1;
	}
	if (!KFIT_TIME_OK(t->valuedouble)) {
		err_set(e, EXIT_INPUT, "%s: 'probes[%d].timing.median_s' must be seconds from 1e-9 to 1e4", file, idx);
		return -1;
	}
	if (k > E || r->ep > E) {
		err_set(e, EXIT_INPUT, "%s: 'probes[%d].params': topk (%g) and ep (%g) must not exceed experts (%g)",
			file, idx, k, r->ep, E);
		return -1;
	}
	comm_ep_traffic(k, E, r->ep, r->ep / nodes, 0, &tr);
	r->link = normal ? KEP_NORMAL : nodes > 1 || (tp && !strcmp(tp, "rdma")) ? KEP_LL_RDMA : KEP_LL;
	copies = r->link == KEP_NORMAL ? comm_ep_normal_copies(k, E, r->ep) :
		 r->link == KEP_LL ? tr.up_copies : nodes > 1 && strcmp(tp ? tp : "", "rdma") ? tr.remote_copies : k;
	r->bytes = r->tokens * copies * comm_ep_payload(hidden, !ddt || strcmp(ddt, "bf16"), r->phase);
	r->rounds = r->link == KEP_NORMAL ? comm_ep_normal_rounds(r->phase, r->tokens, hidden) : 0;
	r->t_s = t->valuedouble;
	snprintf(r->id, sizeof r->id, "%s", jstr(rec, "id") ? jstr(rec, "id") : "");
	s->nep++;
	return 1;
}

/* One record file into s. */
static int kfit_load_file(const char *path, struct kset *s, struct err *e)
{
	const cJSON *src, *probes, *rec;
	const char *schema, *sid, *ref;
	cJSON *doc;
	int idx = 0, rc = 0;

	if (jsonx_load(path, &doc, e))
		return e->code;
	schema = jstr(doc, "schema");
	src = jget(doc, "source");
	sid = jstr(src, "id");
	ref = jstr(src, "ref");
	probes = jget(doc, "probes");
	if (!schema || strcmp(schema, "mlasim.calib/1"))
		rc = err_set(e, EXIT_INPUT, "%s: 'schema' must be \"mlasim.calib/1\"", path);
	else if (!sid || !ref)
		rc = err_set(e, EXIT_INPUT, "%s: 'source.id' and 'source.ref' must name where the figures come from", path);
	else if (!cJSON_IsArray(probes))
		rc = err_set(e, EXIT_INPUT, "%s: 'probes' must be an array of records", path);
	else if (s->nsources == KFIT_MAX_SOURCES)
		rc = err_set(e, EXIT_INPUT, "%s: more than %d record files in one directory", path, KFIT_MAX_SOURCES);
	if (rc) {
		cJSON_Delete(doc);
		return rc;
	}
	snprintf(s->source[s->nsources], sizeof s->source[0], "%s", sid);
	snprintf(s->ref[s->nsources], sizeof s->ref[0], "%s", ref);
	snprintf(s->file[s->nsources], sizeof s->file[0], "%.255s", path);
	s->act_quant[s->nsources] = jstr(src, "activation_quant") && !strcmp(jstr(src, "activation_quant"), "included");
	cJSON_ArrayForEach(rec, probes) {
		int got;
		if (s->n == KFIT_MAX_RECORDS) {
			rc = err_set(e, EXIT_INPUT, "%s: more than %d records in one directory", path, KFIT_MAX_RECORDS);
			break;
		}
		got = kfit_nccl(rec, idx, path, s, e);
		if (got == 0)
			got = kfit_car_rec(rec, idx, path, s, e);
		if (got == 0)
			got = kfit_deepep_rec(rec, idx, path, s, e);
		if (got == 0)
			got = kfit_record(rec, idx, path, &s->rec[s->n], e);
		else if (got == 3)
			got = 0;   /* a link record not fitted: skipped */
		else if (got > 0)
			got = 2;   /* a collective, kept in s->coll or s->ep */
		idx++;
		if (got < 0) {
			rc = e->code;
			break;
		}
		if (got == 1) {
			s->rec[s->n].source = s->nsources;
			s->n++;
		} else if (got == 2 && !strcmp(jstr(rec, "probe"), "nccl")) {
			s->coll[s->ncoll - 1].source = s->nsources;
		} else if (got == 2 && !strcmp(jstr(rec, "probe"), "custom_allreduce")) {
			s->car[s->ncar - 1].source = s->nsources;
		} else if (got == 2) {
			s->ep[s->nep - 1].source = s->nsources;
		} else {
			s->skipped++;
		}
	}
	s->nsources++;
	cJSON_Delete(doc);
	return rc;
}

static int kfit_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int kfit_load_dir(const char *dir, struct kset *s, struct err *e)
{
	char *names[KFIT_MAX_SOURCES + 1], path[1024];
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0, i, rc = 0;

	memset(s, 0, sizeof *s);
	if (!d)
		return err_set(e, EXIT_ENV, "%s: cannot read the records directory (%s)", dir, err_sys(errno));
	while ((de = readdir(d)) && n <= KFIT_MAX_SOURCES) {
		size_t len = strlen(de->d_name);
		if (len > 5 && !strcmp(de->d_name + len - 5, ".json") && de->d_name[0] != '.' &&
		    strcmp(de->d_name, BORROW_FILE))   /* a declaration, not records (borrow.h) */
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof names[0], kfit_cmp_names);
	s->rec = calloc(KFIT_MAX_RECORDS, sizeof *s->rec);
	s->coll = calloc(KFIT_MAX_RECORDS, sizeof *s->coll);
	s->ep = calloc(KFIT_MAX_RECORDS, sizeof *s->ep);
	s->car = calloc(KFIT_MAX_RECORDS, sizeof *s->car);
	if (!s->rec || !s->coll || !s->ep || !s->car)
		rc = err_set(e, EXIT_ENV, "out of memory reading %s", dir);
	for (i = 0; i < n; i++) {
		if (!rc && names[i]) {
			snprintf(path, sizeof path, "%s/%s", dir, names[i]);
			rc = kfit_load_file(path, s, e);
		}
		free(names[i]);
	}
	if (!rc && s->n == 0 && s->ncoll == 0 && s->nep == 0 && s->ncar == 0)
		rc = err_set(e, EXIT_INPUT, "%s: no record files with a timed, calibrated kind", dir);
	if (rc)
		kfit_free(s);
	return rc;
}

void kfit_free(struct kset *s)
{
	free(s->rec);
	free(s->coll);
	free(s->ep);
	free(s->car);
	s->rec = NULL;
	s->coll = NULL;
	s->ep = NULL;
	s->car = NULL;
	s->n = s->ncoll = s->nep = s->ncar = 0;
}

void kfit_records_dir(const char *card_path, const char *card_name, char *out, size_t n)
{
	const char *slash = strrchr(card_path, '/');

	if (slash)
		snprintf(out, n, "%.*s/published/%s", (int)(slash - card_path), card_path, card_name);
	else
		snprintf(out, n, "published/%s", card_name);
}

/* ---- the model and the fit ------------------------------------------------ */

double kfit_predict(const struct hw *h, const struct hw_kernel_eff *k, const struct krec *r)
{
	double t = 0, peak = kern_peak(h, r->dt), sms = h->gpu.sms > 0 ? h->gpu.sms : 0;
	int i;

	for (i = 0; i < r->ncalls; i++)
		t += kern_seconds(k, peak, h->gpu.hbm_bw, sms, &r->call[i], NULL, NULL);
	return t;
}

double kfit_engine_seconds(const struct hw *h, const struct krec *r)
{
	struct krec bf = *r;

	if (r->cls == K_ATTN_DECODE_FP8 && !h->kern[K_ATTN_DECODE_FP8].calibrated) {
		bf.cls = K_ATTN_DECODE;
		bf.dt = DT_BF16;
	}
	return kfit_predict(h, &h->kern[hw_kclass_use(h, bf.cls)], &bf);
}

/* Parameters the simplex moves, in unbounded coordinates. */
enum { P_EC, P_EM, P_T0, P_KB, P_EL, P_CT, NPAR };

struct fitctx {
	const struct hw *h;
	const struct krec *const *r;
	int n;
	struct hw_kernel_eff base;   /* fixed parameters and the blend */
	int free_[NPAR];             /* which move */
	int map[NPAR];               /* coordinate of each free parameter */
};

static double logistic(double u) { return 1 / (1 + exp(-u)); }
static double logit(double p) { return log(p / (1 - p)); }

static struct hw_kernel_eff fit_params(const struct fitctx *c, const gsl_vector *v)
{
	struct hw_kernel_eff k = c->base;

	if (c->free_[P_EC])
		k.compute = logistic(gsl_vector_get(v, c->map[P_EC]));
	if (c->free_[P_EM])
		k.memory = logistic(gsl_vector_get(v, c->map[P_EM]));
	if (c->free_[P_T0])
		k.t0_s = exp(gsl_vector_get(v, c->map[P_T0]));
	if (c->free_[P_KB])
		k.kblock_s = exp(gsl_vector_get(v, c->map[P_KB]));
	if (c->free_[P_EL])
		k.elem_s = exp(gsl_vector_get(v, c->map[P_EL]));
	if (c->free_[P_CT])
		k.cta_s = exp(gsl_vector_get(v, c->map[P_CT]));
	return k;
}

static double fit_objective(const gsl_vector *v, void *param)
{
	const struct fitctx *c = param;
	struct hw_kernel_eff k = fit_params(c, v);
	double sum = 0;
	int i;

	for (i = 0; i < c->n; i++) {
		double d = log(kfit_predict(c->h, &k, c->r[i]) / c->r[i]->t_s);
		sum += d * d;
	}
	return isfinite(sum) ? sum : GSL_POSINF;
}

/*
 * Minimise f from x (left at the minimum) with GSL's Nelder-Mead simplex:
 * `restarts` runs of at most `iters` steps, each from the last one's best
 * with a fresh simplex of `step` (restarts escape a collapsed simplex),
 * until its size is below tol.  Returns the minimum.
 */
double kfit_simplex(gsl_multimin_function *f, gsl_vector *x, double step, int restarts, int iters,
		    double tol)
{
	gsl_multimin_fminimizer *m = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, f->n);
	gsl_vector *st = gsl_vector_alloc(f->n);
	double best;
	int r, it;

	gsl_set_error_handler_off();   /* a failed step is a worse fit, not an abort */
	for (r = 0; r < restarts; r++) {
		gsl_vector_set_all(st, step);
		gsl_multimin_fminimizer_set(m, f, x, st);
		for (it = 0; it < iters; it++)
			if (gsl_multimin_fminimizer_iterate(m) ||
			    gsl_multimin_test_size(gsl_multimin_fminimizer_size(m), tol) == GSL_SUCCESS)
				break;
		gsl_vector_memcpy(x, gsl_multimin_fminimizer_x(m));
	}
	best = gsl_multimin_fminimizer_minimum(m);
	gsl_multimin_fminimizer_free(m);
	gsl_vector_free(st);
	return best;
}

/* One simplex run from k; returns the objective and the fitted k. */
static double fit_run(struct fitctx *c, struct hw_kernel_eff *k)
{
	int dim = 0, i;
	gsl_multimin_function f;
	gsl_vector *x;
	double best;

	for (i = 0; i < NPAR; i++)
		if (c->free_[i])
			c->map[i] = dim++;
	c->base = *k;
	if (dim == 0)
		return fit_objective(NULL, c);
	x = gsl_vector_alloc(dim);
	if (c->free_[P_EC])
		gsl_vector_set(x, c->map[P_EC], logit(fmin(fmax(k->compute, 0.02), 0.98)));
	if (c->free_[P_EM])
		gsl_vector_set(x, c->map[P_EM], logit(fmin(fmax(k->memory, 0.02), 0.98)));
	if (c->free_[P_T0])
		gsl_vector_set(x, c->map[P_T0], log(fmax(k->t0_s, 1e-7)));
	if (c->free_[P_KB])
		gsl_vector_set(x, c->map[P_KB], log(fmax(k->kblock_s, 1e-8)));
	if (c->free_[P_EL])
		gsl_vector_set(x, c->map[P_EL], log(fmax(k->elem_s, 1e-14)));
	if (c->free_[P_CT])
		gsl_vector_set(x, c->map[P_CT], log(fmax(k->cta_s, 1e-12)));
	f = (gsl_multimin_function){fit_objective, (size_t)dim, c};
	best = kfit_simplex(&f, x, 1.0, 3, 3000, 1e-7);
	*k = fit_params(c, x);
	gsl_vector_free(x);
	return best;
}

/* Under a smooth maximum a roof at half the other still moves the time
 * (by 4% at p = 3): both are seen. */
static int kfit_both_roofs(const struct hw_kernel_eff *k, double peak, double hbm, const struct kshape *s)
{
	double tc = s->flops / (peak * k->compute), tm = s->bytes / (hbm * k->memory);

	return tc >= 0.5 * tm && tm >= 0.5 * tc;
}

/* What bounds each point at k: counts into st. */
static void fit_bounds(const struct fitctx *c, const struct hw_kernel_eff *k, struct kfit_stats *st)
{
	int i, j;

	st->n_compute = st->n_memory = st->n_latency = st->n_blended = 0;
	for (i = 0; i < c->n; i++) {
		const struct krec *r = c->r[i];
		double peak = kern_peak(c->h, r->dt), sms = c->h->gpu.sms > 0 ? c->h->gpu.sms : 0;
		enum kbound b = KB_LATENCY, bj;
		double worst = -1, busy;
		for (j = 0; j < r->ncalls; j++) {   /* the longest call speaks for the record */
			double t = kern_seconds(k, peak, c->h->gpu.hbm_bw, sms, &r->call[j], &busy, &bj);
			if (t > worst) {
				worst = t;
				b = bj;
			}
		}
		st->n_compute += b == KB_COMPUTE;
		st->n_memory += b == KB_MEMORY;
		st->n_latency += b == KB_LATENCY;
		st->n_blended += k->blend > 0 && kfit_both_roofs(k, peak, c->h->gpu.hbm_bw, &r->call[0]);
	}
}

/* Median and worst |t_model / t - 1| of c's points at k. */
static void fit_errors(const struct fitctx *c, const struct kset *s, const struct hw_kernel_eff *k,
		       struct kfit_stats *st)
{
	double *err = malloc(sizeof *err * (c->n > 0 ? c->n : 1));
	int i;

	st->worst_rel = 0;
	st->worst = -1;
	for (i = 0; err && i < c->n; i++) {
		err[i] = fabs(kfit_predict(c->h, k, c->r[i]) / c->r[i]->t_s - 1);
		if (err[i] > st->worst_rel) {
			st->worst_rel = err[i];
			st->worst = (int)(c->r[i] - s->rec);
		}
	}
	st->median_rel = err ? stats_median(err, c->n) : NAN;
	free(err);
}

static int kfit_is_gemm(enum kclass c)
{
	return c == K_GEMM_BF16 || c == K_GEMM_FP8 || c == K_GEMM_FP8_BLOCK || c == K_GEMM_FP4 || c == K_MOE ||
	       c == K_MOE_PREFILL || c == K_MOE_VLLM || c == K_MOE_SGLANG;
}

static int kfit_blends(enum kclass c)
{
	(void)c;
	return 1;
}

/* 1 when some record of the fit counts softmax exponentials. */
static int kfit_has_elems(const struct fitctx *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->r[i]->call[0].elems > 0)
			return 1;
	return 0;
}

/* The roofs the records measure, judged at the card's defaults def rather
 * than at a fit (a fit could pull a roof no record reaches into view, to
 * shape its curve): a record measures the roof that bounds it, and under a
 * smooth maximum both roofs when they are within a factor 2 of each other. */
static void kfit_roofs_measured(const struct fitctx *c, const struct hw_kernel_eff *def, double blend,
				int *compute, int *memory)
{
	struct hw_kernel_eff k = *def;
	struct kfit_stats st;

	k.blend = blend;
	k.t0_s = k.kblock_s = k.elem_s = k.cta_s = 0;   /* which roof, not whether latency hides it */
	fit_bounds(c, &k, &st);
	*compute = st.n_compute + st.n_blended > 0;
	*memory = st.n_memory + st.n_blended > 0;
}

/* 1 when some record of the fit counts thread blocks (prefill attention). */
static int kfit_has_ctas(const struct fitctx *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->r[i]->call[0].ctas > 0)
			return 1;
	return 0;
}

/* Fit at one blend: free what the class has, then fix what no point is bound by. */
static double kfit_at_blend(struct fitctx *c, enum kclass cls, double blend,
			    const struct hw_kernel_eff *def, struct hw_kernel_eff *out,
			    struct kfit_stats *st)
{
	struct hw_kernel_eff k = *def;
	double obj;
	int pass;

	k.blend = blend;
	k.kblock_s = kfit_is_gemm(cls) ? 2e-7 : 0;
	k.t0_s = fmax(def->t0_s, 1e-6);
	/* softmax exponentials, where the records count them: FA3's 3.9 T/s to start */
	k.elem_s = kfit_has_elems(c) ? 1 / 3.9e12 : 0;
	/* thread blocks, where the records count them: to start, the time of the
	 * two products of one 128 x 128 block of a head of 128 at the default
	 * efficiency, 4 x 128^3 FLOPs (what a diagonal block's masked half and a
	 * CTA's prologue and epilogue are of the order of) */
	k.cta_s = kfit_has_ctas(c) ? 4 * KERN_TILE * KERN_TILE * KERN_TILE /
				     (def->compute * kern_peak(c->h, DT_BF16)) : 0;
	c->free_[P_EC] = c->free_[P_EM] = c->free_[P_T0] = 1;
	c->free_[P_KB] = kfit_is_gemm(cls);
	c->free_[P_EL] = k.elem_s > 0;
	kfit_roofs_measured(c, def, blend, &c->free_[P_EC], &c->free_[P_EM]);
	st->fixed_compute = !c->free_[P_EC];
	st->fixed_mem = !c->free_[P_EM];
	c->free_[P_CT] = k.cta_s > 0;
	obj = fit_run(c, &k);
	for (pass = 0; pass < 2; pass++) {
		int refit = 0;
		fit_bounds(c, &k, st);
		if (st->n_compute + st->n_blended == 0 && c->free_[P_EC]) {
			c->free_[P_EC] = 0;
			k.compute = def->compute;
			st->fixed_compute = refit = 1;
		}
		if (st->n_memory + st->n_blended == 0 && c->free_[P_EM]) {
			c->free_[P_EM] = 0;
			k.memory = def->memory;
			st->fixed_mem = refit = 1;
		}
		if (!refit)
			break;
		obj = fit_run(c, &k);
	}
	fit_bounds(c, &k, st);
	*out = k;
	return obj;
}

int kfit_class(const struct hw *h, const struct kset *s, enum kclass cls, int skip_source,
	       int fold, int offset, const struct hw_kernel_eff *def, struct hw_kernel_eff *out,
	       struct kfit_stats *st)
{
	static const double blends[] = {0, 2, 3, 4};
	const struct krec **r = malloc(sizeof *r * (s->n > 0 ? s->n : 1));
	struct fitctx c;
	double best = INFINITY;
	int i, n = 0, nb;

	if (!r)
		return 0;
	for (i = 0; i < s->n; i++)
		if (s->rec[i].cls == cls && s->rec[i].source != skip_source && !(fold > 0 && i % fold == offset))
			r[n++] = &s->rec[i];
	memset(st, 0, sizeof *st);
	st->points = n;
	if (n >= KFIT_MIN_POINTS) {
		memset(&c, 0, sizeof c);
		c.h = h;
		c.r = r;
		c.n = n;
		nb = kfit_blends(cls) ? 4 : 1;
		for (i = 0; i < nb; i++) {
			struct hw_kernel_eff k;
			struct kfit_stats sk;
			double obj = kfit_at_blend(&c, cls, blends[i], def, &k, &sk);
			if (obj < best * (1 - 1e-9)) {
				best = obj;
				*out = k;
				*st = sk;
			}
		}
		out->calibrated = KCAL_PUBLISHED;
		st->points = n;
		fit_errors(&c, s, out, st);
	}
	free(r);
	return n;
}

/* ---- collectives -------------------------------------------------------------- */

/* Round to 4 significant figures: the card stays readable and stable. */
static double kfit_round(double v)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%.4g", v);
	return strtod(buf, NULL);
}

struct collctx {
	const struct kcoll *const *c;
	int n;
	int op;
	double gpus;
	struct nccl_topo topo;
};

/* Whether the fit of op on t keeps NCCL's latencies (kfit_coll). */
static int coll_tied(const struct nccl_topo *t, int op)
{
	return t->gen && op != HW_COLL_A2A;
}

/*
 * The fit of v: tied, exp(v) = (start-up, scale of NCCL's latencies, bus
 * bandwidth), lat_p = start-up + scale x comm_nccl_lat_us(p); else LL's
 * latency, the increments to LL128's and Simple's, the bus bandwidth.
 */
static struct hw_coll_fit coll_params(const struct collctx *c, const gsl_vector *v)
{
	struct hw_coll_fit f;
	int p;

	f.gpus = c->gpus;
	if (coll_tied(&c->topo, c->op)) {
		for (p = 0; p < 3; p++)
			f.lat_s[p] = exp(gsl_vector_get(v, 0)) +
				     exp(gsl_vector_get(v, 1)) * 1e-6 * comm_nccl_lat_us(c->op, c->gpus, p);
		f.busbw = exp(gsl_vector_get(v, 2));
		return f;
	}
	f.lat_s[0] = exp(gsl_vector_get(v, 0));
	f.lat_s[1] = f.lat_s[0] + exp(gsl_vector_get(v, 1));
	f.lat_s[2] = f.lat_s[1] + exp(gsl_vector_get(v, 2));
	f.busbw = exp(gsl_vector_get(v, 3));
	return f;
}

static double coll_objective(const gsl_vector *v, void *param)
{
	const struct collctx *c = param;
	struct hw_coll_fit f = coll_params(c, v);
	double sum = 0;
	int i;

	for (i = 0; i < c->n; i++) {
		double d = log(comm_nccl_s(&f, &c->topo, c->op, c->gpus, c->c[i]->bytes) / c->c[i]->t_s);
		sum += d * d;
	}
	return isfinite(sum) ? sum : GSL_POSINF;
}

int kfit_coll(const struct hw *h, const struct kset *s, int op, double gpus, int skip_source, int fold,
	      int offset, struct hw_coll_fit *f)
{
	const struct kcoll **c = malloc(sizeof *c * (s->ncoll > 0 ? s->ncoll : 1));
	struct collctx cx = {0};
	gsl_multimin_function fn;
	gsl_vector *x;
	double lo = INFINITY, big = 0, busbw = 0;
	int i, n = 0, m;

	if (!c)
		return 0;
	for (i = 0; i < s->ncoll; i++)
		if (s->coll[i].op == op && s->coll[i].gpus == gpus && s->coll[i].source != skip_source &&
		    !(fold > 0 && i % fold == offset)) {
			c[n++] = &s->coll[i];
			lo = fmin(lo, s->coll[i].t_s);
			if (s->coll[i].bytes > big) {   /* the largest message starts the bandwidth */
				big = s->coll[i].bytes;
				busbw = big * (op == HW_COLL_AR ? 2 : 1) * (gpus - 1) / gpus / s->coll[i].t_s;
			}
		}
	if (n < KFIT_MIN_COLL_POINTS) {
		free(c);
		return n;
	}
	cx = (struct collctx){c, n, op, gpus, {0, 0}};
	comm_nccl_topo(h, &cx.topo);
	m = coll_tied(&cx.topo, op) ? 3 : 4;
	x = gsl_vector_alloc((size_t)m);
	if (m == 3) {            /* a third of the smallest time to start, NCCL's latencies as they are */
		gsl_vector_set(x, 0, log(lo / 3));
		gsl_vector_set(x, 1, 0);
		gsl_vector_set(x, 2, log(busbw));
	} else {
		gsl_vector_set(x, 0, log(0.8 * lo));
		gsl_vector_set(x, 1, log(lo));
		gsl_vector_set(x, 2, log(lo));
		gsl_vector_set(x, 3, log(busbw));
	}
	fn = (struct gsl_multimin_function_struct){coll_objective, (size_t)m, &cx};
	kfit_simplex(&fn, x, 0.7, 4, 4000, 1e-8);
	*f = coll_params(&cx, x);
	gsl_vector_free(x);
	free(c);
	return n;
}

/* "median_err_pct" and "worst_err_pct" of n errors (sorted in place). */
static void kfit_add_errors(cJSON *x, double *err, int n)
{
	double med = stats_median(err, n);

	cJSON_AddNumberToObject(x, "median_err_pct", kfit_round(100 * med));
	cJSON_AddNumberToObject(x, "worst_err_pct", kfit_round(100 * err[n - 1]));
}

/* Every (op, gpus) of s with enough points, fitted into calib.collectives. */
static int kfit_collectives(const struct hw *h, const struct kset *s, cJSON *calib, int *used)
{
	cJSON *cs = NULL;
	struct nccl_topo topo;
	int op, i, j, fitted = 0;

	comm_nccl_topo(h, &topo);
	for (op = 0; op < HW_COLL_OPS; op++) {
		double seen[KFIT_MAX_RECORDS];
		int nseen = 0, nfit = 0;
		cJSON *arr = NULL;
		for (i = 0; i < s->ncoll; i++) {
			struct hw_coll_fit f;
			double err[KFIT_MAX_SOURCES * 8], g = s->coll[i].gpus;
			int n, ne = 0, dup = 0;
			cJSON *x, *lat;
			if (s->coll[i].op != op)
				continue;
			for (j = 0; j < nseen; j++)
				dup |= seen[j] == g;
			if (dup || nseen == KFIT_MAX_RECORDS)
				continue;
			seen[nseen++] = g;
			n = kfit_coll(h, s, op, g, -1, 0, 0, &f);
			if (n < KFIT_MIN_COLL_POINTS || nfit == HW_MAX_COLL_FITS)
				continue;
			nfit++;
			if (!cs)
				cs = cJSON_AddObjectToObject(calib, "collectives");
			if (!arr)
				arr = cJSON_AddArrayToObject(cs, hw_coll_name(op));
			x = cJSON_CreateObject();
			cJSON_AddNumberToObject(x, "gpus", g);
			lat = cJSON_AddArrayToObject(x, "lat_s");
			for (j = 0; j < 3; j++)
				cJSON_AddItemToArray(lat, cJSON_CreateNumber(kfit_round(f.lat_s[j])));
			cJSON_AddNumberToObject(x, "busbw_gbs", kfit_round(f.busbw / 1e9));
			for (j = 0; j < s->ncoll && ne < (int)(sizeof err / sizeof err[0]); j++)
				if (s->coll[j].op == op && s->coll[j].gpus == g) {
					err[ne++] = fabs(comm_nccl_s(&f, &topo, op, g, s->coll[j].bytes) / s->coll[j].t_s - 1);
					used[s->coll[j].source] = 1;
				}
			cJSON_AddNumberToObject(x, "points", n);
			kfit_add_errors(x, err, ne);
			cJSON_AddItemToArray(arr, x);
			fitted++;
		}
	}
	return fitted;
}

/* ---- engines' own all-reduce ---------------------------------------------------- */

struct carctx {
	const struct kcar *const *c;
	int n;
};

static struct hw_car_fit car_params(const gsl_vector *v, double gpus)
{
	return (struct hw_car_fit){gpus, {exp(gsl_vector_get(v, 0)), exp(gsl_vector_get(v, 1))},
				   exp(gsl_vector_get(v, 2))};
}

static double car_objective(const gsl_vector *v, void *param)
{
	const struct carctx *c = param;
	double sum = 0;
	int i;

	for (i = 0; i < c->n; i++) {
		struct hw_car_fit f = car_params(v, c->c[i]->gpus);
		double d = log(comm_custom_ar_s(&f, c->c[i]->gpus, c->c[i]->bytes) / c->c[i]->t_s);
		sum += d * d;
	}
	return isfinite(sum) ? sum : GSL_POSINF;
}

int kfit_car(const struct kset *s, const char *engine, double gpus, int skip_source, int fold, int offset,
	     struct hw_car_fit *f)
{
	const struct kcar **c = malloc(sizeof *c * (s->ncar > 0 ? s->ncar : 1));
	struct carctx cx;
	gsl_multimin_function fn;
	gsl_vector *x;
	double lo = INFINITY, big = 0, bw = 0, best = INFINITY;
	struct hw_car_fit keep = {0, {0, 0}, 0};
	int i, n = 0, q = -1, start;

	if (!c)
		return 0;
	for (i = 0; i < s->ncar; i++) {
		const struct kcar *r = &s->car[i];
		if (strcmp(r->engine, engine) || r->gpus != gpus || (++q, fold > 0 && q % fold == offset) ||
		    r->source == skip_source)
			continue;
		c[n++] = r;
		lo = fmin(lo, r->t_s);
		if (r->bytes > big) {   /* the largest message starts the bandwidth: two-shot's bytes */
			big = r->bytes;
			bw = big * 2 * (gpus - 1) / gpus / r->t_s;
		}
	}
	if (n < KFIT_MIN_COLL_POINTS) {
		free(c);
		return n;
	}
	cx = (struct carctx){c, n};
	fn = (struct gsl_multimin_function_struct){car_objective, 3, &cx};
	x = gsl_vector_alloc(3);
	/* two starts: the two-shot kernel's latency near the one-shot's, or twice it */
	for (start = 0; start < 2; start++) {
		double v;
		gsl_vector_set(x, 0, log(lo));
		gsl_vector_set(x, 1, log(lo * (start ? 2 : 1.2)));
		gsl_vector_set(x, 2, log(bw));
		v = kfit_simplex(&fn, x, 0.7, 4, 4000, 1e-9);
		if (v < best) {
			best = v;
			keep = car_params(x, gpus);
		}
	}
	*f = keep;
	gsl_vector_free(x);
	free(c);
	return n;
}

/* Every (engine, gpus) of s with enough points, fitted into calib.custom_allreduce. */
static int kfit_custom_ars(const struct kset *s, cJSON *calib, int *used)
{
	cJSON *cs = NULL;
	int i, j, k, fitted = 0;

	for (i = 0; i < s->ncar; i++) {
		const struct kcar *r = &s->car[i];
		struct hw_car_fit f;
		double err[KFIT_MAX_SOURCES * 8];
		int n, ne = 0, dup = 0;
		cJSON *arr, *x, *lat;
		for (j = 0; j < i; j++)   /* each (engine, gpus) once, at its first record */
			dup |= !strcmp(s->car[j].engine, r->engine) && s->car[j].gpus == r->gpus;
		if (dup || (n = kfit_car(s, r->engine, r->gpus, -1, 0, 0, &f)) < KFIT_MIN_COLL_POINTS)
			continue;
		if (!cs)
			cs = cJSON_AddObjectToObject(calib, "custom_allreduce");
		arr = cJSON_GetObjectItemCaseSensitive(cs, r->engine);
		if (!arr && cJSON_GetArraySize(cs) == HW_MAX_CAR_ENGINES)
			continue;   /* the card holds HW_MAX_CAR_ENGINES engines */
		if (!arr)
			arr = cJSON_AddArrayToObject(cs, r->engine);
		if (cJSON_GetArraySize(arr) == HW_MAX_COLL_FITS)
			continue;
		x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "gpus", r->gpus);
		lat = cJSON_AddArrayToObject(x, "lat_s");
		for (k = 0; k < 2; k++)
			cJSON_AddItemToArray(lat, cJSON_CreateNumber(kfit_round(f.lat_s[k])));
		cJSON_AddNumberToObject(x, "gbs", kfit_round(f.bw / 1e9));
		f.lat_s[0] = kfit_round(f.lat_s[0]);   /* the errors of the fit as the card holds it */
		f.lat_s[1] = kfit_round(f.lat_s[1]);
		f.bw = kfit_round(f.bw / 1e9) * 1e9;
		for (j = 0; j < s->ncar && ne < (int)(sizeof err / sizeof err[0]); j++)
			if (!strcmp(s->car[j].engine, r->engine) && s->car[j].gpus == r->gpus) {
				err[ne++] = fabs(comm_custom_ar_s(&f, r->gpus, s->car[j].bytes) / s->car[j].t_s - 1);
				used[s->car[j].source] = 1;
			}
		cJSON_AddNumberToObject(x, "points", n);
		kfit_add_errors(x, err, ne);
		cJSON_AddItemToArray(arr, x);
		fitted++;
	}
	return fitted;
}

/* ---- DeepEP ------------------------------------------------------------------ */

double kfit_ep_line_rate(const struct hw *h, int link)
{
	double v = link == KEP_LL_RDMA ? h->scale_out.nic_bw * (isnan(h->scale_out.nics_per_gpu) ? 1 : h->scale_out.nics_per_gpu) :
		   h->scale_up.bw;

	return v > 0 ? v : 0;
}

/* sum (c . x - 1)^2 over the records, from their sums: n - 2 c . b + c S c */
static double kfit_ep_sse(const double S[3][3], const double b[3], double n, const double c[3])
{
	double v = n;
	int i, j;

	for (i = 0; i < 3; i++) {
		v -= 2 * c[i] * b[i];
		for (j = 0; j < 3; j++)
			v += c[i] * S[i][j] * c[j];
	}
	return v;
}

/* Least squares of c . x = 1 over the parameters with free_[i], the others
 * held at c[i]: S_FF c_F = b_F - S_FH c_H, by elimination.  0, or -1 when
 * the free columns are (near) dependent, e.g. a column of zeros. */
static int kfit_ep_solve(const double S[3][3], const double b[3], const int free_[3], double c[3])
{
	double a[3][4];
	int idx[3] = {0, 0, 0}, m = 0, i, j, k;

	for (i = 0; i < 3; i++)
		if (free_[i])
			idx[m++] = i;
	for (i = 0; i < m; i++) {
		if (!(S[idx[i]][idx[i]] > 0))
			return -1;
		a[i][m] = b[idx[i]];
		for (k = 0; k < 3; k++)
			if (!free_[k])
				a[i][m] -= S[idx[i]][k] * c[k];
		for (j = 0; j < m; j++)   /* scaled to a unit diagonal: the columns differ by 1e7 */
			a[i][j] = S[idx[i]][idx[j]] / sqrt(S[idx[i]][idx[i]] * S[idx[j]][idx[j]]);
		a[i][m] /= sqrt(S[idx[i]][idx[i]]);
	}
	for (i = 0; i < m; i++) {   /* a is symmetric positive semi-definite: no pivoting */
		if (!(a[i][i] > 1e-10))
			return -1;
		for (j = i + 1; j < m; j++) {
			double r = a[j][i] / a[i][i];
			for (k = i; k <= m; k++)
				a[j][k] -= r * a[i][k];
		}
	}
	for (i = m - 1; i >= 0; i--) {
		double v = a[i][m];
		for (j = i + 1; j < m; j++)
			v -= a[i][j] * c[idx[j]] * sqrt(S[idx[j]][idx[j]]);
		c[idx[i]] = v / a[i][i] / sqrt(S[idx[i]][idx[i]]);
	}
	return 0;
}

/* Of the fits with lat and round_s each free or held at 0 (u = 1 / bw free,
 * or held at u_fixed > 0), the one with no negative parameter and the least
 * error, into c; 0, or -1 when none has u > 0. */
static int kfit_ep_best(const double S[3][3], const double b[3], double n, double u_fixed, double c[3])
{
	double best = INFINITY;
	int mask;

	for (mask = 0; mask < 4; mask++) {
		int free_[3] = {mask & 1, mask >> 1, !(u_fixed > 0)};
		double t[3] = {0, 0, u_fixed > 0 ? u_fixed : 0}, sse;
		if ((free_[0] || free_[1] || free_[2]) && kfit_ep_solve(S, b, free_, t))
			continue;
		if (t[0] < 0 || t[1] < 0 || !(t[2] > 0))
			continue;
		sse = kfit_ep_sse(S, b, n, t);
		if (sse < best) {
			best = sse;
			memcpy(c, t, sizeof t);
		}
	}
	return best < INFINITY ? 0 : -1;
}

int kfit_deepep(const struct kset *s, int link, int phase, int fold, int offset, int skip_source,
		double bw_max, struct hw_ep_fit *f)
{
	/* minimise sum ((lat + rounds x round_s + b x u) / t - 1)^2 over lat,
	 * round_s and u = 1 / bw: the normal equations of x = (1, rounds, b) / t
	 * against 1 */
	double S[3][3] = {{0}}, r[3] = {0}, c[3] = {0};
	int i, j, k, n = 0, q = -1;

	for (i = 0; i < s->nep; i++) {
		const struct kdeepep *e = &s->ep[i];
		double x[3];
		if (e->phase != phase || e->link != link || (++q, fold > 0 && q % fold == offset) ||
		    e->source == skip_source)
			continue;
		x[0] = 1 / e->t_s;
		x[1] = e->rounds / e->t_s;
		x[2] = e->bytes / e->t_s;
		for (j = 0; j < 3; j++) {
			r[j] += x[j];
			for (k = 0; k < 3; k++)
				S[j][k] += x[j] * x[k];
		}
		n++;
	}
	if (n < kfit_min_ep(link))
		return n;
	if (kfit_ep_best(S, r, n, 0, c) && !(bw_max > 0))
		return 0;
	/* faster than the link's line rate (or no slope at all): the line rate,
	 * and the others fitted to what is left */
	if (bw_max > 0 && !(c[2] > 0 && 1 / c[2] <= bw_max) && kfit_ep_best(S, r, n, 1 / bw_max, c))
		return 0;
	f->lat_s = c[0];
	f->round_s = c[1];
	f->bw = 1 / c[2];
	return n;
}

const char *kfit_ep_section(int link)
{
	static const char *const names[KEP_LINKS] = {"deepep", "deepep_rdma", "deepep_normal"};
	return names[link];
}

/* calib.deepep, deepep_rdma or deepep_normal (kfit_ep_section).{dispatch,
 * combine} when both phases have enough records. */
static int kfit_deepeps(const struct hw *h, const struct kset *s, int link, cJSON *calib, int *used)
{
	static const char *const phase[2] = {"dispatch", "combine"};
	double line = kfit_ep_line_rate(h, link);
	struct hw_ep_fit f[2];
	cJSON *dp;
	int i, p;

	if (kfit_deepep(s, link, 0, 0, 0, -1, line, &f[0]) < kfit_min_ep(link) ||
	    kfit_deepep(s, link, 1, 0, 0, -1, line, &f[1]) < kfit_min_ep(link))
		return 0;
	dp = cJSON_AddObjectToObject(calib, kfit_ep_section(link));
	for (p = 0; p < 2; p++) {
		double err[KFIT_MAX_SOURCES * 16];
		int ne = 0;
		cJSON *x = cJSON_AddObjectToObject(dp, phase[p]);
		cJSON_AddNumberToObject(x, "lat_s", kfit_round(f[p].lat_s));
		cJSON_AddNumberToObject(x, "gbs", kfit_round(f[p].bw / 1e9));
		if (link == KEP_NORMAL)
			cJSON_AddNumberToObject(x, "round_s", kfit_round(f[p].round_s));
		for (i = 0; i < s->nep && ne < (int)(sizeof err / sizeof err[0]); i++)
			if (s->ep[i].phase == p && s->ep[i].link == link) {
				err[ne++] = fabs(comm_ep_s(&f[p], s->ep[i].rounds, s->ep[i].bytes) / s->ep[i].t_s - 1);
				used[s->ep[i].source] = 1;
			}
		cJSON_AddNumberToObject(x, "points", ne);
		kfit_add_errors(x, err, ne);
	}
	return 2;
}

/* ---- the card's calibration section ------------------------------------- */

/* Names of the sources of class cls's records, into arr. */
static void kfit_class_sources(const struct kset *s, enum kclass cls, cJSON *arr)
{
	int seen[KFIT_MAX_SOURCES] = {0}, i;

	for (i = 0; i < s->n; i++)
		if (s->rec[i].cls == cls && !seen[s->rec[i].source]) {
			seen[s->rec[i].source] = 1;
			cJSON_AddItemToArray(arr, cJSON_CreateString(s->source[s->rec[i].source]));
		}
}

/* Whether class cls's fit carries the quantisation of its GEMMs' inputs:
 * more than half its records come from sources that timed it with them
 * (source.activation_quant "included"). */
static int kfit_act_quant(const struct kset *s, enum kclass cls)
{
	int i, n = 0, in = 0;

	if (cls != K_GEMM_FP8 && cls != K_GEMM_FP8_BLOCK && cls != K_GEMM_FP4)
		return 0;   /* a bf16 GEMM quantises nothing */
	for (i = 0; i < s->n; i++)
		if (s->rec[i].cls == cls) {
			n++;
			in += s->act_quant[s->rec[i].source];
		}
	return 2 * in > n;
}

cJSON *kfit_calibration(const struct hw *h, const struct kset *s, const char *dir, struct err *e)
{
	cJSON *cal = cJSON_CreateObject(), *src, *calib;
	char line[340];
	int k, i, fitted = 0, used[KFIT_MAX_SOURCES] = {0};

	cJSON_AddStringToObject(cal, "provenance", "published");
	cJSON_AddStringToObject(cal, "records", dir);
	src = cJSON_AddArrayToObject(cal, "sources");   /* those a fitted class used, below */
	calib = cJSON_AddObjectToObject(cal, "calib");
	for (k = 0; k < K_CLASSES; k++) {
		struct hw_kernel_eff out;
		struct kfit_stats st;
		const char *section, *variant;
		cJSON *var, *fit;
		if (kfit_class(h, s, (enum kclass)k, -1, 0, 0, &h->kern[k], &out, &st) < KFIT_MIN_POINTS ||
		    hw_calib_key_of((enum kclass)k, &section, &variant))
			continue;
		if (!cJSON_GetObjectItemCaseSensitive(calib, section))
			cJSON_AddObjectToObject(calib, section);
		var = cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(calib, section), variant);
		fit = cJSON_AddObjectToObject(var, "fit");
		cJSON_AddNumberToObject(fit, "eff_compute", kfit_round(out.compute));
		cJSON_AddNumberToObject(fit, "eff_mem", kfit_round(out.memory));
		cJSON_AddNumberToObject(fit, "t0_s", kfit_round(out.t0_s));
		cJSON_AddNumberToObject(fit, "kblock_s", kfit_round(out.kblock_s));
		cJSON_AddNumberToObject(fit, "blend", out.blend);
		if (out.elem_s > 0)
			cJSON_AddNumberToObject(fit, "elem_s", kfit_round(out.elem_s));
		if (out.cta_s > 0)
			cJSON_AddNumberToObject(fit, "cta_s", kfit_round(out.cta_s));
		if (kfit_act_quant(s, (enum kclass)k))
			cJSON_AddBoolToObject(fit, "act_quant", 1);
		cJSON_AddBoolToObject(fit, "fixed_compute", st.fixed_compute);
		cJSON_AddBoolToObject(fit, "fixed_mem", st.fixed_mem);
		cJSON_AddNumberToObject(var, "points", st.points);
		cJSON_AddNumberToObject(var, "median_err_pct", kfit_round(100 * st.median_rel));
		cJSON_AddNumberToObject(var, "worst_err_pct", kfit_round(100 * st.worst_rel));
		cJSON_AddStringToObject(var, "worst_record", st.worst >= 0 ? s->rec[st.worst].id : "");
		kfit_class_sources(s, (enum kclass)k, cJSON_AddArrayToObject(var, "sources"));
		for (i = 0; i < s->n; i++)
			used[s->rec[i].source] |= (int)s->rec[i].cls == k;
		fitted++;
	}
	fitted += kfit_collectives(h, s, calib, used);
	fitted += kfit_custom_ars(s, calib, used);
	fitted += kfit_deepeps(h, s, KEP_LL, calib, used);
	fitted += kfit_deepeps(h, s, KEP_LL_RDMA, calib, used);
	fitted += kfit_deepeps(h, s, KEP_NORMAL, calib, used);
	for (k = 0; k < s->nsources; k++)
		if (used[k]) {
			snprintf(line, sizeof line, "%s: %s", s->source[k], s->ref[k]);
			cJSON_AddItemToArray(src, cJSON_CreateString(line));
		}
	if (!fitted) {
		cJSON_Delete(cal);
		err_set(e, EXIT_INPUT,
			"%s: nothing to fit: a kernel class needs %d timed records, a collective %d sizes on one GPU count, DeepEP %d per phase (%d across nodes)",
			dir, KFIT_MIN_POINTS, KFIT_MIN_COLL_POINTS, KFIT_MIN_EP_POINTS, KFIT_MIN_EP_RDMA_POINTS);
		return NULL;
	}
	return cal;
}
