/*
 * moe_gemm.cu - probe P8 'moe_gemm' (docs/probes.md s1, s4.4): the
 * routed-expert GEMMs of one DeepSeek-V3 MoE layer on one GPU of an EP
 * group: E_local = 256 / EP experts, each gate+up (N = 2 x 2048, K = 7168)
 * then down (N = 7168, K = 2048), through cuBLASLt (gemm.cu's helper).
 *
 *   balanced        every local expert gets the same tokens: one strided-
 *                   batched matmul per GEMM (the upper bound a grouped GEMM
 *                   reaches with equal groups)
 *   power_law_1.2   token counts per expert from a power law of exponent 1.2
 *                   (aiconfigurator's skewed case; docs/probes.md s12.10): one
 *                   matmul per expert that has tokens, all captured in one
 *                   CUDA graph (CUDA 13.0 has no grouped cuBLASLt layout on
 *                   sm_90: grouped_api "graph_loop")
 *
 * EP 8, 16, 32, 64 (8 and 32 with --quick); tokens per expert 1 .. 512;
 * FP8 E4M3 (128x128 block scales where cuBLASLt supports them batched,
 * else one scale per tensor; token counts padded to 4 for FP8) and BF16.
 * The SiLU x up product between the two GEMMs is not run: the down GEMM
 * reads its own random input of the same shape.  Work counts the weights of
 * experts that have tokens, the activations in and the outputs.  L2 flushed
 * before each call.  The GEMM modes themselves are checked against the CPU
 * reference by the gemm probes.
 *
 * Build: 'make probes' (probes/probes.mk) compiles it with
 *   nvcc -std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -gencode arch=compute_100,code=sm_100 \
 *        -gencode arch=compute_90,code=compute_90 -Isim -Iprobes -c probes/moe_gemm.cu
 * and links build/mlasim-probe with -lcublasLt -ldl -lpthread -lcjson.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.cuh"

#define HIDDEN 7168
#define INTER 2048
#define N_EXPERTS 256

struct moe_ctx {
	int n;                       /* GEMMs per call */
	struct lt_gemm *g;           /* [n] */
	cudaGraphExec_t graph;       /* NULL: launch g[] directly */
};

static int moe_launch(struct run *r, void *p)
{
	struct moe_ctx *x = (struct moe_ctx *)p;
	int i;

	if (x->graph) {
		CU(cudaGraphLaunch(x->graph, r->stream));
		return 0;
	}
	for (i = 0; i < x->n; i++)
		if (lt_gemm_launch(r, &x->g[i]))
			return -1;
	return 0;
}

/* Token counts per expert proportional to (rank + 1)^-1.2, summing to copies. */
static void power_law(int *cnt, int experts, int copies)
{
	double w[N_EXPERTS], sum = 0;
	int e, given = 0;

	for (e = 0; e < experts; e++)
		sum += w[e] = pow(e + 1, -1.2);
	for (e = 0; e < experts; e++)
		given += cnt[e] = (int)floor(copies * w[e] / sum);
	for (e = 0; given < copies; e = (e + 1) % experts, given++)
		cnt[e]++;
}

static int pad(int t, int fp8)
{
	return fp8 ? (t + 3) / 4 * 4 : t;
}

/* Set up one GEMM on buffers the caller owns (weights of one expert, or of
 * all experts for a batch). Returns lt_gemm_setup's code. */
static int moe_gemm_setup(struct run *r, struct lt_gemm *g, int T, int N, int K, int batch,
			  enum lt_scale s, void *w, void *x, void *y, float *sw, float *sx, void *ws,
			  char *why, size_t nwhy)
{
	memset(g, 0, sizeof *g);
	g->T = T;
	g->N = N;
	g->K = K;
	g->batch = batch;
	g->scale = s;
	g->w = w;
	g->x = x;
	g->y = y;
	g->sw = sw;
	g->sx = sx;
	g->ws = ws;
	return lt_gemm_setup(r, g, 0, why, nwhy);
}

static int moe_point(struct run *r, int ep, int tpe, int fp8, int skewed)
{
	const int el = N_EXPERTS / ep, copies = tpe * el, elt = fp8 ? 1 : 2;
	const double wexp = (double)HIDDEN * 2 * INTER + (double)INTER * HIDDEN;   /* weights per expert */
	int cnt[N_EXPERTS], e, n = 0, mark = r->nallocs, rc = -1, touched = 0, maxc = 0, i;
	enum lt_scale s = fp8 ? (r->cc_major == 9 ? LT_FP8_BLK128 : LT_FP8_TENSOR) : LT_BF16;
	size_t wgu = (size_t)2 * INTER * HIDDEN * elt, wdn = (size_t)HIDDEN * INTER * elt;
	size_t tmax = (size_t)pad(copies, fp8) + 4 * el;
	unsigned char *w_gu, *w_dn, *x_gu, *x_dn, *y;
	float *sw, *sx;
	void *ws;
	struct lt_gemm g[2 * N_EXPERTS];
	struct moe_ctx ctx;
	struct timing t;
	char why[300];
	double flops = 0, bytes_r = 0, bytes_w = 0;
	cJSON *rec, *p;
	cudaGraph_t graph;

	if (cfg_begin(r, "moe_gemm/ep=%d,tokens_per_expert=%d,dtype=%s,routing=%s", ep, tpe, fp8 ? "fp8" : "bf16",
		      skewed ? "power_law_1.2" : "balanced"))
		return 0;
	memset(&ctx, 0, sizeof ctx);
	memset(g, 0, sizeof g);
	rec = rec_cfg(r);
	p = rec_params(rec);
	cJSON_AddNumberToObject(p, "ep", ep);
	cJSON_AddNumberToObject(p, "e_local", el);
	cJSON_AddNumberToObject(p, "copies", copies);
	cJSON_AddNumberToObject(p, "tokens_per_expert", tpe);
	cJSON_AddStringToObject(p, "dtype", fp8 ? "fp8" : "bf16");
	cJSON_AddStringToObject(p, "routing", skewed ? "power_law_1.2" : "balanced");
	if (skewed)
		power_law(cnt, el, copies);
	else
		for (e = 0; e < el; e++)
			cnt[e] = tpe;
	if (!dev_fits(r, (double)(wgu + wdn) * el + (double)tmax * (HIDDEN + INTER) * elt +
			 (double)tmax * (2 * INTER + HIDDEN) * 2 + (32 << 20), why, sizeof why)) {
		rec_status(rec, "skipped", why);
		return 0;
	}
	w_gu = (unsigned char *)dev_alloc(r, wgu * el);
	w_dn = (unsigned char *)dev_alloc(r, wdn * el);
	x_gu = (unsigned char *)dev_alloc(r, tmax * HIDDEN * elt);
	x_dn = (unsigned char *)dev_alloc(r, tmax * INTER * elt);
	y = (unsigned char *)dev_alloc(r, tmax * 2 * INTER * 2 + tmax * HIDDEN * 2);
	sw = (float *)dev_alloc(r, 4 * 64 * 64 * (size_t)el + 64);
	sx = (float *)dev_alloc(r, 4 * (tmax + 128) * 64);
	ws = dev_alloc(r, 32u << 20);
	if (!w_gu || !w_dn || !x_gu || !x_dn || !y || !sw || !sx || !ws)
		goto end;
	if ((fp8 ? fill_e4m3(r, w_gu, wgu * el, 21, 1) || fill_e4m3(r, w_dn, wdn * el, 22, 1) ||
		   fill_e4m3(r, x_gu, tmax * HIDDEN, 23, 1) || fill_e4m3(r, x_dn, tmax * INTER, 24, 1) ||
		   fill_f32(r, sw, 64 * 64 * (size_t)el, 25, 0.01f) || fill_f32(r, sx, (tmax + 128) * 64, 26, 0.01f) :
		   fill_bf16(r, w_gu, wgu * el / 2, 21, 1) || fill_bf16(r, w_dn, wdn * el / 2, 22, 1) ||
		   fill_bf16(r, x_gu, tmax * HIDDEN, 23, 1) || fill_bf16(r, x_dn, tmax * INTER, 24, 1)))
		goto end;
	if (!skewed) {
		int T = pad(tpe, fp8), k;
		for (k = 0; k < 2; k++) {
			/* block scales with a batch may be unsupported: then one scale per tensor */
			enum lt_scale sk = s;
			int st = moe_gemm_setup(r, &g[k], T, k ? HIDDEN : 2 * INTER, k ? INTER : HIDDEN, el, sk,
						k ? w_dn : w_gu, k ? x_dn : x_gu, y, sw, sx, ws, why, sizeof why);
			if (st == 1 && sk == LT_FP8_BLK128) {
				lt_gemm_destroy(&g[k]);
				s = LT_FP8_TENSOR;
				st = moe_gemm_setup(r, &g[k], T, k ? HIDDEN : 2 * INTER, k ? INTER : HIDDEN, el, s,
						    k ? w_dn : w_gu, k ? x_dn : x_gu, y, sw, sx, ws, why, sizeof why);
			}
			if (st) {
				rec_status(rec, st == 1 ? "unsupported" : "error", st == 1 ? why : "setup failed");
				rc = st == 1 ? 0 : -1;
				goto end;
			}
		}
		n = 2;
		touched = el;
		maxc = tpe;
		flops = 2.0 * copies * wexp;
		bytes_r = el * wexp * elt + (double)el * T * (HIDDEN + INTER) * elt;
		bytes_w = (double)el * T * (2 * INTER + HIDDEN) * 2;
		cJSON_AddStringToObject(p, "grouped_api", "strided_batched");
	} else {
		size_t off = 0;
		s = fp8 ? LT_FP8_TENSOR : LT_BF16;    /* one launch per expert: tensorwide, as batched fallback */
		for (e = 0; e < el; e++) {
			int T = pad(cnt[e], fp8), k;
			if (cnt[e] == 0)
				continue;
			touched++;
			if (cnt[e] > maxc)
				maxc = cnt[e];
			for (k = 0; k < 2; k++) {
				int st = moe_gemm_setup(r, &g[n], T, k ? HIDDEN : 2 * INTER, k ? INTER : HIDDEN, 1, s,
							k ? w_dn + wdn * e : w_gu + wgu * e,
							k ? x_dn + off * INTER * elt : x_gu + off * HIDDEN * elt, y, sw, sx,
							ws, why, sizeof why);
				if (st) {
					rec_status(rec, st == 1 ? "unsupported" : "error", st == 1 ? why : "setup failed");
					rc = st == 1 ? 0 : -1;
					n++;
					goto end;
				}
				n++;
			}
			off += T;
			flops += 2.0 * cnt[e] * wexp;
			bytes_r += wexp * elt + (double)T * (HIDDEN + INTER) * elt;
			bytes_w += (double)T * (2 * INTER + HIDDEN) * 2;
		}
		ctx.g = g;
		ctx.n = n;
		/* capture the per-expert loop in one graph: launch gaps would dominate small M */
		if (cudaStreamBeginCapture(r->stream, cudaStreamCaptureModeThreadLocal) != cudaSuccess) {
			run_fail(r, "cannot capture the expert loop");
			goto end;
		}
		for (i = 0; i < n; i++)
			if (lt_gemm_launch(r, &g[i]))
				break;
		if (cudaStreamEndCapture(r->stream, &graph) != cudaSuccess || i < n ||
		    cudaGraphInstantiate(&ctx.graph, graph, 0) != cudaSuccess) {
			run_fail(r, "cannot build the expert-loop graph");
			goto end;
		}
		cudaGraphDestroy(graph);
		cJSON_AddStringToObject(p, "grouped_api", "graph_loop");
	}
	ctx.g = g;
	ctx.n = n;
	cJSON_AddStringToObject(p, "scale", lt_scale_name(s));
	cJSON_AddNumberToObject(p, "experts_touched", touched);
	cJSON_AddNumberToObject(p, "max_tokens_per_expert", maxc);
	if (time_calls(r, moe_launch, &ctx, L2_FLUSH, &t))
		goto end;
	rec_work(rec, flops, bytes_r, bytes_w);
	rec_timing(rec, &t);
	rec_derived(r, rec, flops, bytes_r + bytes_w, t.median_s, fp8);
	note(r, "%s ep=%2d tpe=%4d %-13s %9.1f us %7.1f TFLOP/s %7.1f GB/s", fp8 ? "fp8 " : "bf16", ep, tpe,
	     skewed ? "power_law_1.2" : "balanced", t.median_s * 1e6, flops / t.median_s / 1e12,
	     (bytes_r + bytes_w) / t.median_s / 1e9);
	rc = 0;
end:
	if (ctx.graph)
		cudaGraphExecDestroy(ctx.graph);
	for (i = 0; i < 2 * N_EXPERTS; i++)
		lt_gemm_destroy(&g[i]);
	run_free_to(r, mark);
	if (rc && !cJSON_GetObjectItemCaseSensitive(rec, "why"))
		rec_status(rec, "error", "see errors");
	return rc;
}

int probe_moe_gemm(struct run *r)
{
	static const int eps[] = {8, 16, 32, 64}, q_eps[] = {8, 32};
	static const int tpes[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512}, q_tpes[] = {1, 8, 64, 512};
	int e, t, fp8, skew, failed = 0;

	if (r->check_only)
		return 0;
	if (!gemm_lt_handle(r))
		return run_fail(r, "cublasLtCreate failed");
	for (fp8 = r->cc_major * 10 + r->cc_minor >= 89 ? 1 : 0; fp8 >= 0; fp8--)
		for (e = 0; e < (r->quick ? 2 : 4); e++)
			for (t = 0; t < (r->quick ? 4 : 10); t++)
				for (skew = 0; skew < 2; skew++)
					failed |= moe_point(r, r->quick ? q_eps[e] : eps[e],
							    r->quick ? q_tpes[t] : tpes[t], fp8, skew) != 0;
	return failed ? -1 : 0;
}
