/*
 * gemm.cu - probes P4 'gemm_bf16' and P5 'gemm_fp8' (docs/probes.md
 * s1, s4): what cuBLASLt, the library a serving stack calls, achieves on the
 * linear layers of DeepSeek-V3, and the cuBLASLt helper moe_gemm.cu and
 * power.cu share.
 *
 * Each matmul is y[T][N] = x[T][K] W[N][K]^T with row-major operands
 * ("TN": cuBLASLt m = N, n = T, k = K, A = W, B = x; required for FP8 on
 * sm_90), FP32 accumulation (CUBLAS_COMPUTE_32F), BF16 output, 32 MiB
 * workspace, heuristic #0 of up to 8 candidates (what a stack without
 * autotuning gets; the best of the first 4 is recorded too at 8192^3 and
 * M = 128).  FP8 E4M3 modes, each only where this cuBLASLt supports it:
 *   tensor  one FP32 scale per tensor (SCALAR_32F), fast accumulation 0 and 1
 *   blk128  sm_90: 128x128 weight blocks (BLK128x128_32F) x 1x128 activation
 *           blocks (VEC128_32F), DeepSeek-V3's recipe
 *   mxfp8   sm_100: one UE8M0 scale per 32 values (VEC32_UE8M0)
 * No D or C scale pointer is set: cuBLAS 13.0 rejects them for a BF16 D.
 *
 * Shapes: the DeepSeek-V3 (N, K) of docs/probes.md s1 - (2112, 7168) q_a+kv_a,
 * (24576, 1536) q_b, (32768, 512) kv_b, (7168, 16384) o_proj, (4096, 7168)
 * expert gate+up, (7168, 2048) expert down - for T = 1, 2, 4 .. 16384, and
 * 8192^3.  Each mode is first checked on T=256, N=384, K=512 against
 * probes/ref_gemm.c (every output element, |y - ref| <= 1e-2 |ref| + 1e-2
 * rms(ref)); for blk128 the check also finds which of the two documented
 * readings of the scale layouts this cuBLASLt uses.  Timing: L2 flushed
 * before each call, median of 15 (common.cuh).
 *
 * Build: 'make probes' (probes/probes.mk) compiles it with
 *   nvcc -std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -gencode arch=compute_100,code=sm_100 \
 *        -gencode arch=compute_90,code=compute_90 -Isim -Iprobes -c probes/gemm.cu
 * and links build/mlasim-probe with -lcublasLt -ldl -lpthread -lcjson.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.cuh"
#include "ref.h"

#define WS_BYTES (32u << 20)

static const float one_f = 1.0f, zero_f = 0.0f;

const char *lt_scale_name(enum lt_scale s)
{
	static const char *const n[] = {"none", "tensor", "blk128", "mxfp8"};
	return n[s];
}

cublasLtHandle_t gemm_lt_handle(struct run *r)
{
	if (!r->lt && cublasLtCreate(&r->lt) != CUBLAS_STATUS_SUCCESS)
		r->lt = NULL;
	return r->lt;
}

static size_t cdiv(size_t a, size_t b) { return (a + b - 1) / b; }
static size_t rup(size_t a, size_t b) { return cdiv(a, b) * b; }

/* Scale storage per operand, generous enough for either layout reading. */
static void lt_scale_bytes(struct lt_gemm *g)
{
	size_t kb = cdiv(g->K, 128);

	switch (g->scale) {
	case LT_FP8_TENSOR:
		g->sw_bytes = g->sx_bytes = 16;
		break;
	case LT_FP8_BLK128:
		g->sw_bytes = 4 * rup(kb, 4) * rup(cdiv(g->N, 128), 4);
		g->sx_bytes = 4 * rup(g->T, 128) * rup(kb, 4);
		break;
	case LT_FP8_MXFP8:   /* UE8M0 bytes, 128 x 4 tiles */
		g->sw_bytes = rup(g->N, 128) * rup(cdiv(g->K, 32), 4);
		g->sx_bytes = rup(g->T, 128) * rup(cdiv(g->K, 32), 4);
		break;
	default:
		g->sw_bytes = g->sx_bytes = 0;
	}
}

double lt_gemm_flops(const struct lt_gemm *g)
{
	return 2.0 * g->T * g->N * g->K * g->batch;
}

/* Bytes a call must move: both operands and their scales in, y out. */
double lt_gemm_bytes_read(const struct lt_gemm *g)
{
	double elt = g->scale == LT_BF16 ? 2 : 1, scales = 0, kb = ceil(g->K / 128.0);

	if (g->scale == LT_FP8_BLK128)
		scales = 4 * (g->T * kb + ceil(g->N / 128.0) * kb);
	else if (g->scale == LT_FP8_MXFP8)
		scales = (double)(g->T + g->N) * ceil(g->K / 32.0);
	return ((double)g->N * g->K + (double)g->T * g->K) * elt * g->batch + scales * g->batch;
}

double lt_gemm_bytes_written(const struct lt_gemm *g)
{
	return 2.0 * g->T * g->N * g->batch;
}

static int lt_attr(struct run *r, cublasLtMatmulDesc_t op, cublasLtMatmulDescAttributes_t a,
		   const void *v, size_t n)
{
	LT(cublasLtMatmulDescSetAttribute(op, a, v, n));
	return 0;
}

static int lt_layout(struct run *r, cublasLtMatrixLayout_t *l, cudaDataType_t t, int rows, int cols,
		     int ld, int batch, long long stride)
{
	int32_t b = batch;

	LT(cublasLtMatrixLayoutCreate(l, t, rows, cols, ld));
	if (batch > 1) {
		LT(cublasLtMatrixLayoutSetAttribute(*l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &b, sizeof b));
		LT(cublasLtMatrixLayoutSetAttribute(*l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride,
						    sizeof stride));
	}
	return 0;
}

/* FP32 scales of 1.0 for timing (the check sets its own). */
static int set_ones(struct run *r, float *d, size_t bytes)
{
	float *h = (float *)malloc(bytes);
	size_t i;
	int rc;

	if (!h)
		return run_fail(r, "out of host memory");
	for (i = 0; i < bytes / 4; i++)
		h[i] = 1.0f;
	rc = to_dev(r, d, h, bytes);
	free(h);
	return rc;
}

int lt_gemm_setup(struct run *r, struct lt_gemm *g, int alloc, char *why, size_t nwhy)
{
	cublasLtHandle_t lt = gemm_lt_handle(r);
	int fp8 = g->scale != LT_BF16, elt = fp8 ? 1 : 2;
	cudaDataType_t ab = fp8 ? CUDA_R_8F_E4M3 : CUDA_R_16BF;
	cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
	cublasLtMatmulPreference_t pref;
	cublasStatus_t st;
	size_t ws = WS_BYTES;

	if (!lt)
		return run_fail(r, "cublasLtCreate failed");
	if (g->batch < 1)
		g->batch = 1;
	g->w_bytes = (size_t)g->N * g->K * elt;
	g->x_bytes = (size_t)g->T * g->K * elt;
	g->y_bytes = (size_t)g->T * g->N * 2;
	g->ws_bytes = WS_BYTES;
	lt_scale_bytes(g);
	if (alloc) {
		g->w = dev_alloc(r, g->w_bytes * g->batch);
		g->x = dev_alloc(r, g->x_bytes * g->batch);
		g->y = dev_alloc(r, g->y_bytes * g->batch);
		g->ws = dev_alloc(r, g->ws_bytes);
		if (fp8) {
			g->sw = (float *)dev_alloc(r, g->sw_bytes);
			g->sx = (float *)dev_alloc(r, g->sx_bytes);
		}
		if (!g->w || !g->x || !g->y || !g->ws || (fp8 && (!g->sw || !g->sx)))
			return -1;
		if (fp8) {
			if (fill_e4m3(r, g->w, g->w_bytes * g->batch, 11, 1) ||
			    fill_e4m3(r, g->x, g->x_bytes * g->batch, 12, 1))
				return -1;
			if (g->scale == LT_FP8_MXFP8) {   /* UE8M0 127 = 2^0 */
				CU(cudaMemsetAsync(g->sw, 127, g->sw_bytes, r->stream));
				CU(cudaMemsetAsync(g->sx, 127, g->sx_bytes, r->stream));
			} else if (set_ones(r, g->sw, g->sw_bytes) || set_ones(r, g->sx, g->sx_bytes)) {
				return -1;
			}
		} else if (fill_bf16(r, g->w, g->w_bytes / 2 * g->batch, 11, 1) ||
			   fill_bf16(r, g->x, g->x_bytes / 2 * g->batch, 12, 1)) {
			return -1;
		}
	}
	LT(cublasLtMatmulDescCreate(&g->op, CUBLAS_COMPUTE_32F, CUDA_R_32F));
	if (lt_attr(r, g->op, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta) ||
	    lt_attr(r, g->op, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb))
		return -1;
	if (fp8) {
		int8_t fa = (int8_t)g->fast_accum;
		if (lt_attr(r, g->op, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &g->sw, sizeof g->sw) ||
		    lt_attr(r, g->op, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &g->sx, sizeof g->sx) ||
		    lt_attr(r, g->op, CUBLASLT_MATMUL_DESC_FAST_ACCUM, &fa, sizeof fa))
			return -1;
		if (g->scale == LT_FP8_BLK128 || g->scale == LT_FP8_MXFP8) {
			int32_t ma = g->scale == LT_FP8_BLK128 ? CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F :
				     CUBLASLT_MATMUL_MATRIX_SCALE_VEC32_UE8M0;
			int32_t mb = g->scale == LT_FP8_BLK128 ? CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F :
				     CUBLASLT_MATMUL_MATRIX_SCALE_VEC32_UE8M0;
			if (lt_attr(r, g->op, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, &ma, sizeof ma) ||
			    lt_attr(r, g->op, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, &mb, sizeof mb))
				return -1;
		}
	}
	if (lt_layout(r, &g->A, ab, g->K, g->N, g->K, g->batch, (long long)g->N * g->K) ||
	    lt_layout(r, &g->B, ab, g->K, g->T, g->K, g->batch, (long long)g->T * g->K) ||
	    lt_layout(r, &g->C, CUDA_R_16BF, g->N, g->T, g->N, g->batch, (long long)g->T * g->N))
		return -1;
	LT(cublasLtMatmulPreferenceCreate(&pref));
	st = cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws);
	if (st == CUBLAS_STATUS_SUCCESS)
		st = cublasLtMatmulAlgoGetHeuristic(lt, g->op, g->A, g->B, g->C, g->C, pref, 8, g->heur, &g->nheur);
	cublasLtMatmulPreferenceDestroy(pref);
	if (st != CUBLAS_STATUS_SUCCESS || g->nheur == 0) {
		/* returnedResults == 0 means unsupported: record it, do not abort the sweep */
		snprintf(why, nwhy, "cuBLASLt has no algorithm for %s T=%d N=%d K=%d%s (%s)",
			 lt_scale_name(g->scale), g->T, g->N, g->K, g->fast_accum ? " fast-accum" : "",
			 st != CUBLAS_STATUS_SUCCESS ? cublasLtGetStatusString(st) : "0 heuristic results");
		return 1;
	}
	g->algo = 0;
	return 0;
}

int lt_gemm_launch(struct run *r, void *p)
{
	struct lt_gemm *g = (struct lt_gemm *)p;

	LT(cublasLtMatmul(r->lt, g->op, &one_f, g->w, g->A, g->x, g->B, &zero_f, g->y, g->C, g->y, g->C,
			  &g->heur[g->algo].algo, g->ws, g->ws_bytes, r->stream));
	return 0;
}

void lt_gemm_destroy(struct lt_gemm *g)
{
	if (g->A)
		cublasLtMatrixLayoutDestroy(g->A);
	if (g->B)
		cublasLtMatrixLayoutDestroy(g->B);
	if (g->C)
		cublasLtMatrixLayoutDestroy(g->C);
	if (g->op)
		cublasLtMatmulDescDestroy(g->op);
	g->A = g->B = g->C = NULL;
	g->op = NULL;
}

/* ==== checking a mode against probes/ref_gemm.c ================================== */

/* The two readings of the 128-block scale layouts (docs/probes.md s4.1 and what
 * other users of the API write): which one this cuBLASLt uses is found by
 * checking, with scales that differ per block. */
static size_t vec128_index(int layout, size_t t, size_t kb, size_t T, size_t KB)
{
	return layout == 0 ? t + kb * T : kb + t * KB;        /* outer-major : K-major */
}

static size_t blk128_index(int layout, size_t nb, size_t kb, size_t NB, size_t KB)
{
	return layout == 0 ? kb + nb * rup(KB, 4) : nb + kb * NB;   /* K-major (ld 4k) : N-major */
}

static float scale_x(size_t t, size_t kb) { return ldexpf(1.0f, (int)((t + 2 * kb) % 3) - 1); }
static float scale_w(size_t nb, size_t kb) { return ldexpf(1.0f, (int)((2 * nb + kb) % 3) - 1); }

struct gemm_check {
	int ok;
	double max_err, tol;
	char what[160];
};

/* Run g (T=256, N=384, K=512, operands filled) and compare every element. */
static int check_one(struct run *r, struct lt_gemm *g, int xl, int wl, struct gemm_check *c)
{
	size_t T = g->T, N = g->N, K = g->K, KB = cdiv(K, 128), NB = cdiv(N, 128), t, n, kb;
	int fp8 = g->scale != LT_BF16, rc = -1;
	unsigned char *hx = (unsigned char *)malloc(g->x_bytes), *hw = (unsigned char *)malloc(g->w_bytes);
	uint16_t *hy = (uint16_t *)malloc(g->y_bytes);
	float *sx = (float *)calloc(g->sx_bytes / 4 + 1, 4), *sw = (float *)calloc(g->sw_bytes / 4 + 1, 4);
	float *fx = (float *)malloc(T * K * 4), *fw = (float *)malloc(N * K * 4), xs[64], wsc[64];
	float *ref = (float *)malloc(T * N * sizeof(float));
	double rms = 0;

	if (!hx || !hw || !hy || !sx || !sw || !fx || !fw || !ref || KB > 64) {
		run_fail(r, "out of host memory");
		goto end;
	}
	if (g->scale == LT_FP8_TENSOR) {     /* product 2: a scale left unread shows */
		sw[0] = 0.5f;
		sx[0] = 4.0f;
	} else if (g->scale == LT_FP8_BLK128) {
		for (t = 0; t < T; t++)
			for (kb = 0; kb < KB; kb++)
				sx[vec128_index(xl, t, kb, T, KB)] = scale_x(t, kb);
		for (n = 0; n < NB; n++)
			for (kb = 0; kb < KB; kb++)
				sw[blk128_index(wl, n, kb, NB, KB)] = scale_w(n, kb);
	}
	if (fp8 && g->scale != LT_FP8_MXFP8 &&
	    (to_dev(r, g->sx, sx, g->sx_bytes) || to_dev(r, g->sw, sw, g->sw_bytes)))
		goto end;
	if (lt_gemm_launch(r, g) || from_dev(r, hx, g->x, g->x_bytes) || from_dev(r, hw, g->w, g->w_bytes) ||
	    from_dev(r, hy, g->y, g->y_bytes)) {
		run_fail(r, "the %s check did not run", lt_scale_name(g->scale));
		goto end;
	}
	for (t = 0; t < T * K; t++)
		fx[t] = fp8 ? ref_e4m3_decode(hx[t]) : bf16_bits_to_float(((uint16_t *)hx)[t]);
	for (t = 0; t < N * K; t++)
		fw[t] = fp8 ? ref_e4m3_decode(hw[t]) : bf16_bits_to_float(((uint16_t *)hw)[t]);
	for (t = 0; t < T; t++)
		for (n = 0; n < N; n++) {
			double v;
			if (g->scale == LT_FP8_BLK128) {
				for (kb = 0; kb < KB; kb++) {
					xs[kb] = scale_x(t, kb);
					wsc[kb] = scale_w(n / 128, kb);
				}
				v = ref_fp8_block_dot((int)K, hx + t * K, xs, hw + n * K, wsc);
			} else {
				v = ref_dot((int)K, fx + t * K, fw + n * K);
				if (g->scale == LT_FP8_TENSOR)
					v *= 0.5 * 4.0;
			}
			ref[t * N + n] = (float)v;
			rms += v * v / (double)(T * N);
		}
	rms = sqrt(rms);
	c->tol = 1e-2 * rms;
	/* y is [T][N] row-major: cuBLASLt's D is N x T column-major */
	c->ok = check_bf16(hy, ref, T * N, 1e-2 * rms, 1e-2, &c->max_err);
	rc = 0;
end:
	free(hx);
	free(hw);
	free(hy);
	free(sx);
	free(sw);
	free(fx);
	free(fw);
	free(ref);
	return rc;
}

/* Check one mode; *supported = 0 when cuBLASLt has no algorithm for it. */
static int check_mode(struct run *r, enum lt_scale s, int fast, int *supported, struct gemm_check *c)
{
	struct lt_gemm g;
	char why[300];
	int mark = r->nallocs, rc, xl, wl;

	memset(&g, 0, sizeof g);
	memset(c, 0, sizeof *c);
	g.T = 256;
	g.N = 384;
	g.K = 512;
	g.scale = s;
	g.fast_accum = fast;
	rc = lt_gemm_setup(r, &g, 1, why, sizeof why);
	*supported = rc == 0;
	if (rc != 0) {
		lt_gemm_destroy(&g);
		run_free_to(r, mark);
		if (rc == 1)
			snprintf(c->what, sizeof c->what, "%.150s", why);
		return rc < 0 ? -1 : 0;
	}
	rc = -1;
	for (xl = 0; xl < (s == LT_FP8_BLK128 ? 2 : 1); xl++)
		for (wl = 0; wl < (s == LT_FP8_BLK128 ? 2 : 1); wl++) {
			if (check_one(r, &g, xl, wl, c))
				goto end;
			snprintf(c->what, sizeof c->what,
				 "every element of T=256 N=384 K=512 vs probes/ref_gemm.c%s%s%s",
				 s == LT_FP8_BLK128 ? ", scales per block; layout x " : "",
				 s == LT_FP8_BLK128 ? (xl ? "K-major" : "outer-major") : "",
				 s == LT_FP8_BLK128 ? (wl ? ", w N-major" : ", w K-major") : "");
			if (c->ok) {
				rc = 0;
				goto end;
			}
		}
	rc = 0;
end:
	lt_gemm_destroy(&g);
	run_free_to(r, mark);
	if (rc == 0 && !c->ok) {
		r->checks_failed++;
		run_fail(r, "%s%s disagrees with the reference (max error %g, tolerance %g): not timed",
			 lt_scale_name(s), fast ? " fast-accum" : "", c->max_err, c->tol);
	} else if (rc == 0) {
		note(r, "%s%s matches the reference (max error %.3g)", lt_scale_name(s), fast ? " fast-accum" : "",
		     c->max_err);
	}
	return rc;
}

/* ==== the sweep =================================================================== */

static const int shapes[][2] = {
	{2112, 7168}, {24576, 1536}, {32768, 512}, {7168, 16384}, {4096, 7168}, {7168, 2048},
};

static int algo_id(const cublasLtMatmulAlgo_t *a)
{
	int id = -1;
	size_t got;

	cublasLtMatmulAlgoConfigGetAttribute(a, CUBLASLT_ALGO_CONFIG_ID, &id, sizeof id, &got);
	return id;
}

/* Time one shape of one mode and write its record. */
static int gemm_point(struct run *r, enum lt_scale s, int fast, int T, int N, int K,
		      const struct gemm_check *chk)
{
	struct lt_gemm g;
	struct timing t, tb;
	char why[300];
	int mark = r->nallocs, rc, k, best = 0;
	double best_s;
	cJSON *rec, *p, *kern;

	if (s == LT_BF16 ? cfg_begin(r, "gemm_bf16/m=%d,n=%d,k=%d", T, N, K) :
	    cfg_begin(r, "gemm_fp8/m=%d,n=%d,k=%d,scale=%s,fast=%d", T, N, K, lt_scale_name(s), fast))
		return 0;
	memset(&g, 0, sizeof g);
	g.T = T;
	g.N = N;
	g.K = K;
	g.scale = s;
	g.fast_accum = fast;
	rec = rec_cfg(r);
	p = rec_params(rec);
	cJSON_AddNumberToObject(p, "m", T);
	cJSON_AddNumberToObject(p, "n", N);
	cJSON_AddNumberToObject(p, "k", K);
	cJSON_AddStringToObject(p, "a", s == LT_BF16 ? "bf16" : "e4m3");
	cJSON_AddStringToObject(p, "b", s == LT_BF16 ? "bf16" : "e4m3");
	cJSON_AddStringToObject(p, "d", "bf16");
	if (s != LT_BF16) {
		cJSON_AddStringToObject(p, "scale", lt_scale_name(s));
		cJSON_AddNumberToObject(p, "fast_accum", fast);
	}
	{
		double elt = s == LT_BF16 ? 2 : 1;
		if (!dev_fits(r, ((double)N * K + (double)T * K) * elt + 2.0 * T * N + WS_BYTES, why, sizeof why)) {
			rec_status(rec, "skipped", why);
			return 0;
		}
	}
	rc = lt_gemm_setup(r, &g, 1, why, sizeof why);
	if (rc != 0) {
		rec_status(rec, rc == 1 ? "unsupported" : "error", rc == 1 ? why : "setup failed");
		lt_gemm_destroy(&g);
		run_free_to(r, mark);
		return rc < 0 ? -1 : 0;
	}
	rc = time_calls(r, lt_gemm_launch, &g, L2_FLUSH, &t);
	best_s = t.median_s;
	/* heuristic #0 is what a stack gets; the best of 4 says what tuning would add */
	if (rc == 0 && !r->quick && (T == 128 || (T == 8192 && N == 8192)))
		for (k = 1; k < g.nheur && k < 4; k++) {
			g.algo = k;
			if (time_calls(r, lt_gemm_launch, &g, L2_FLUSH, &tb) == 0 && tb.median_s < best_s) {
				best_s = tb.median_s;
				best = k;
			}
		}
	if (rc == 0) {
		kern = cJSON_AddObjectToObject(rec, "kernel");
		cJSON_AddStringToObject(kern, "lib", "cublasLt");
		cJSON_AddNumberToObject(kern, "algo_id", algo_id(&g.heur[0].algo));
		cJSON_AddNumberToObject(kern, "heuristic_rank", 0);
		cJSON_AddNumberToObject(kern, "n_candidates", g.nheur);
		cJSON_AddNumberToObject(kern, "workspace", (double)g.ws_bytes);
		rec_work(rec, lt_gemm_flops(&g), lt_gemm_bytes_read(&g), lt_gemm_bytes_written(&g));
		rec_timing(rec, &t);
		rec_derived(r, rec, lt_gemm_flops(&g), lt_gemm_bytes_read(&g) + lt_gemm_bytes_written(&g),
			    t.median_s, s != LT_BF16);
		if (best_s < t.median_s) {
			cJSON *d = cJSON_GetObjectItemCaseSensitive(rec, "derived");
			cJSON_AddNumberToObject(d, "best_of_4_s", best_s);
			cJSON_AddNumberToObject(d, "best_of_4_rank", best);
		}
		rec_check(rec, chk->ok, chk->max_err, chk->tol, chk->what);
		if (T >= 1024 || T == 1 || T == 128)
			note(r, "%s%s T=%5d N=%5d K=%5d %9.2f us %7.1f TFLOP/s %7.1f GB/s", lt_scale_name(s),
			     fast ? "+fast" : "", T, N, K, t.median_s * 1e6, lt_gemm_flops(&g) / t.median_s / 1e12,
			     (lt_gemm_bytes_read(&g) + lt_gemm_bytes_written(&g)) / t.median_s / 1e9);
	} else {
		rec_status(rec, "error", "timing failed");
	}
	lt_gemm_destroy(&g);
	run_free_to(r, mark);
	return rc;
}

/* Every shape of one mode, after its check. */
static int gemm_sweep(struct run *r, enum lt_scale s, int fast)
{
	static const int quick_m[] = {1, 16, 128, 1024, 8192};
	struct gemm_check chk;
	int supported, sh, e, failed = 0;

	if (check_mode(r, s, fast, &supported, &chk))
		return -1;
	if (!supported || !chk.ok) {
		cJSON *rec = s == LT_BF16 ? rec_new(r, "gemm_bf16/mode") :
			     rec_new(r, "gemm_fp8/mode,scale=%s,fast=%d", lt_scale_name(s), fast);
		if (s != LT_BF16) {
			cJSON_AddStringToObject(rec_params(rec), "scale", lt_scale_name(s));
			cJSON_AddNumberToObject(rec_params(rec), "fast_accum", fast);
		}
		if (!supported)
			rec_status(rec, "unsupported", chk.what);
		else
			rec_status(rec, "check_failed", "disagrees with probes/ref_gemm.c: not timed");
		if (supported)
			rec_check(rec, 0, chk.max_err, chk.tol, chk.what);
		if (!supported)
			note(r, "%s: %s", lt_scale_name(s), chk.what);
		return 0;
	}
	if (r->check_only)
		return 0;
	for (sh = 0; sh < 6; sh++)
		for (e = 0; e < (r->quick ? 5 : 15); e++)
			failed |= gemm_point(r, s, fast, r->quick ? quick_m[e] : 1 << e, shapes[sh][0],
					     shapes[sh][1], &chk) != 0;
	failed |= gemm_point(r, s, fast, 8192, 8192, 8192, &chk) != 0;
	return failed ? -1 : 0;
}

int probe_gemm_bf16(struct run *r)
{
	return gemm_sweep(r, LT_BF16, 0);
}

int probe_gemm_fp8(struct run *r)
{
	int cc = r->cc_major * 10 + r->cc_minor, failed = 0;

	if (cc < 89) {
		cJSON *rec = rec_new(r, "gemm_fp8/unsupported");
		rec_status(rec, "unsupported", "FP8 tensor cores need compute capability 8.9 or later");
		return 0;
	}
	failed |= gemm_sweep(r, LT_FP8_TENSOR, 0) != 0;
	failed |= gemm_sweep(r, LT_FP8_TENSOR, 1) != 0;
	if (r->cc_major == 9)
		failed |= gemm_sweep(r, LT_FP8_BLK128, 0) != 0;
	if (r->cc_major >= 10)
		failed |= gemm_sweep(r, LT_FP8_MXFP8, 0) != 0;
	return failed ? -1 : 0;
}
