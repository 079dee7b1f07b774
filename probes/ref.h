/*
 * ref.h - plain-C reference implementations the CUDA probes are checked
 * against before they are timed (docs/probes.md s3.5):
 * FP8 E4M3 and BF16 rounding, GEMM, absorbed MLA decode over a paged latent
 * cache, and the log-sum-exp merge of split-KV partial results.
 *
 * Readable first, fast never: loops in the order of the formula, double
 * accumulation.  Compiled into the probe runner (by nvcc's host compiler) and
 * into build/unit_probes, which checks each against hand-worked cases.
 *
 * Dimension legend (DeepSeek-V3 values):
 *   B    requests in the batch            s_q  query tokens per request (1, 2 with MTP)
 *   h_q  query heads (128 / TP)           d_k  576 = 512 latent + 64 RoPE
 *   d_v  512 (V is the first 512 columns of the cached latent)
 *   page 64 tokens per KV page            L    tokens cached for a request
 */
#ifndef MLASIM_PROBES_REF_H
#define MLASIM_PROBES_REF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- number formats ------------------------------------------------------ */

/*
 * FP8 E4M3 as used by CUDA's __nv_fp8_e4m3 (OCP "e4m3fn"): 1 sign, 4 exponent
 * (bias 7), 3 mantissa bits; no infinities; 0x7F/0xFF are NaN; largest finite
 * 448 (0x7E), smallest subnormal 2^-9 (0x01).
 */
float ref_e4m3_decode(uint8_t b);

/* Round x to E4M3: nearest, ties to even; beyond +-448 (and +-inf) saturates
 * to +-448 (CUDA's __NV_SATFINITE); NaN gives 0x7F. */
uint8_t ref_e4m3_encode(float x);

/* BF16: the upper 16 bits of a float, rounded to nearest even; NaN stays NaN. */
uint16_t ref_bf16_encode(float x);
float ref_bf16_decode(uint16_t h);
/* x rounded to the nearest BF16 value, as a float. */
float ref_bf16_round(float x);

/* ---- GEMM ---------------------------------------------------------------- */

/*
 * "TN" GEMM as the probes run it through cuBLASLt: y[M][N] = x[M][K] . W[N][K]^T,
 * both operands K-contiguous (row-major x and W).  Accumulates in double.
 */
void ref_gemm_tn(int M, int N, int K, const float *x, const float *w, float *y);

/* One element of the above: sum_k a[k] b[k]. */
double ref_dot(int K, const float *a, const float *b);

/*
 * One element of a block-scaled FP8 GEMM (DeepSeek-V3's recipe): activations
 * x (E4M3) with one FP32 scale per 1x128 block along K, weights w (E4M3) with
 * one FP32 scale per 128x128 block.  x_row, w_row: K bytes; x_scale, w_scale:
 * ceil(K/128) scales for this row of x and this row-block of w.  Returns
 * sum over K-blocks kb of x_scale[kb] w_scale[kb] sum_k x[k] w[k].
 */
double ref_fp8_block_dot(int K, const uint8_t *x_row, const float *x_scale,
			 const uint8_t *w_row, const float *w_scale);

/* ---- MLA decode ----------------------------------------------------------- */

/* One decode step of absorbed MLA over a paged latent cache.  Arrays are
 * row-major, FP32 (BF16 or dequantised FP8 values widened to float). */
struct ref_mla {
	int batch, s_q, h_q;       /* B, s_q, h_q */
	int d_k, d_v;              /* 576, 512 */
	int page;                  /* tokens per page (64) */
	int max_pages;             /* columns of block_table */
	float scale;               /* softmax scale: 1/sqrt(192) for DeepSeek-V3 */
	const float *q;            /* [B][s_q][h_q][d_k]: q_nope W_UK | q_pe */
	const float *kv;           /* [pages][page][d_k]; V = the first d_v columns */
	const int *block_table;    /* [B][max_pages]: page of each request's i-th 64 tokens */
	const int *seqlens;        /* [B]: L of each request */
};

/*
 * Attention of request b's s_q*h_q query rows over its tokens [t0, t1) only,
 * one split of split-KV: o[row][d_v] = softmax-weighted V over the range and
 * lse2[row] = log2 sum_t 2^(s_t scale log2 e) (base 2, as the kernels keep it).
 * An empty range gives o = 0, lse2 = -inf.  Every query token sees all L
 * tokens (no causal mask between the s_q query tokens).  Returns 0, or -1
 * when out of memory.
 */
int ref_mla_partial(const struct ref_mla *p, int b, int t0, int t1, float *o, float *lse2);

/*
 * Merge n partial results of the same rows (split-KV combine, FlashMLA's
 * combine kernel): lse2 = max + log2 sum_i 2^(lse2_i - max), out = sum_i
 * 2^(lse2_i - lse2) o_i.  lse2_in [n][rows], o_in [n][rows][d_v]; out
 * [rows][d_v], lse2_out [rows] (may be NULL).
 */
void ref_mla_combine(int n, int rows, int d_v, const float *lse2_in, const float *o_in,
		     float *out, float *lse2_out);

/*
 * The whole decode step, unsplit: out [B][s_q][h_q][d_v]; lse [B][s_q][h_q]
 * in natural log (FlashMLA's convention; may be NULL).  Returns 0 or -1.
 */
int ref_mla_decode(const struct ref_mla *p, float *out, float *lse);

/*
 * Work of one decode step as FlashMLA's benchmark counts it (docs/probes.md s2):
 * FLOPs = h_q s_q sum_b L_b 2 (d_k + d_v);
 * bytes = sum_b (s_q h_q d_k 2 + L_b kv_bytes_per_token + s_q h_q d_v 2).
 * kv_bytes_per_token: 1152 BF16, 576 FP8 per-tensor, 656 FlashMLA FP8.
 */
double ref_mla_flops(int batch, int s_q, int h_q, int d_k, int d_v, const int *seqlens);
double ref_mla_bytes(int batch, int s_q, int h_q, int d_k, int d_v, const int *seqlens,
		     double kv_bytes_per_token);

#ifdef __cplusplus
}
#endif

#endif
