/*
 * kern.h - the time of one kernel call: the roofline of its class, shaped by
 * what real kernels measured (reference: hw/published/, README "How a kernel
 * time is made").
 *
 *   t = max(roof, t_k) + t0
 *   roof = max(t_c, t_m), or (t_c^p + t_m^p)^(1/p) when the class blends
 *   t_c = (F / (eff_compute x peak(dtype)) + X x elem_s + C x cta_s) x waves x SMs / tiles
 *   t_m = B / (eff_mem x HBM bandwidth)
 *   t_k = kblock_s x ceil(K / 128)
 *
 * For a GEMM (or grouped GEMM of G groups of m x n outputs) of depth K, the
 * output is cut into 128 x 128 tiles (the CTA tile of CUTLASS's and
 * DeepGEMM's Hopper kernels), tiles = G ceil(m/128) ceil(n/128), run in
 * waves = ceil(tiles / SMs).  With more tiles than SMs the last wave idles
 * SMs (wave quantization: t_c grows by waves x SMs / tiles); with fewer, the
 * libraries shrink tiles or split K to fill the GPU (DeepGEMM's block-size
 * heuristic, cuBLAS's split-K), so t_c keeps the whole GPU.  A CTA walks K
 * in 128-deep blocks, each at least kblock_s however small the GEMM: the
 * K-loop floor that DeepGEMM shows on H800, ~9.5 us at K = 7168 and ~18 us
 * at K = 16384 for any M <= 256 with N <= 576
 * (hw/published/h800-sxm/infersim-f2293dab.json), which neither roof nor a
 * fixed t0 gives.  The smooth maximum (p > 0) fits kernels that reach
 * neither roof near the ridge: MLA decode at h_q = 128, where the plain max
 * is 15-19% optimistic (hw/published/h100-sxm/aic-trtllm-mla.json, L 8k),
 * and TRT-LLM's MoE between its weight-streaming plateau and its compute
 * slope (hw/published/h100-sxm/aic-moe.json).  A call that is not a
 * GEMM has m = n = K = 0: no tiles, no K loop.  A card without an SM count
 * has no wave quantization.  Prefill attention also computes X = one
 * exponential per query-key pair and head on the SMs' special-function
 * units, at elem_s each beside its matrix products (FlashAttention-3, arXiv
 * 2407.08608 s3: H100 has 989 TFLOPS of FP16 matmul but 3.9 TFLOPS of
 * special functions, so a head of dimension 64 spends as long on exp as on
 * its 256 FLOPs per pair: why FA3 reaches 0.50 of the peak at d = 64, 0.76 at
 * d = 256).  And it runs C = one thread block (CTA) per 128 queries of each
 * head and sequence (FlashAttention-3's query tile, kBlockM = 128 for head
 * dims 96 to 256: Dao-AILab/flash-attention@07602adc:hopper/tile_size.h),
 * each costing cta_s of the whole GPU's time beyond its pairs: the CTA's
 * prologue and epilogue (load Q, normalise and store O) and the masked half
 * of its diagonal block, which a causal kernel computes whole.  TRT-LLM's
 * context attention on every aiconfigurator card shows it: at 16 heads and
 * 256 sequences of 1 token (4,096 CTAs, 4,096 pairs per head) B300 takes
 * 87 us where 4,096 pairs take nothing, and a per-CTA time fits batch 1 to
 * 256 and sequences of 1 to 32k alike
 * (hw/published/b300/aic-trtllm-mla-context.json).
 */
#ifndef MLASIM_KERN_H
#define MLASIM_KERN_H

#include <math.h>
#include "hw.h"
#include "precision.h"

/* The dtype a kernel computes in. */
enum dtype { DT_BF16, DT_FP8, DT_FP4 };

/* The dtype's name in tables, JSON and charts: "bf16", "fp8", "fp4". */
static inline const char *kern_dtype_name(enum dtype d)
{
	return d == DT_FP8 ? "fp8" : d == DT_FP4 ? "fp4" : "bf16";
}

/* The tile edge of the wave model, which is also the depth of one K block. */
#define KERN_TILE 128.0

/* What one kernel call does. */
struct kshape {
	double flops;     /* FLOPs of the call */
	double bytes;     /* HBM bytes read and written */
	double m, n, k;   /* GEMM: output rows and columns per group, depth; 0 otherwise */
	double groups;    /* grouped GEMM: groups of m x n; 1 for a dense GEMM */
	double elems;     /* prefill attention: softmax exponentials (query-key pairs x heads); else 0 */
	double ctas;      /* prefill attention: thread blocks, heads x sequences x ceil(queries / 128); else 0 */
};

/* What bounds a call: its compute roof, its memory roof, or latency (t0 or
 * the K-loop floor). */
enum kbound { KB_COMPUTE, KB_MEMORY, KB_LATENCY };

/* The dense peak of dtype dt on h, FLOP/s: a dtype the card has no figure
 * for runs at the BF16 peak. */
double kern_peak(const struct hw *h, enum dtype dt);

/* ---- kern_seconds and its helpers, inline ------------------------------- */

/* (a^p + b^p)^(1/p) = hi (1 + r^p)^(1/p), r = lo / hi <= 1, without libm's
 * pow for the exponents the fits choose (2, 3, 4): this runs for every
 * operator of every plan. */
static inline double kern_blend(double a, double b, double p)
{
	double hi = a > b ? a : b, lo = a > b ? b : a, r, s;

	if (!(lo > 0))
		return hi;
	if (p == 2 && hi < 1e150)   /* no division where the squares cannot overflow */
		return sqrt(a * a + b * b);
	r = lo / hi;
	if (p == 2)
		return hi * sqrt(1 + r * r);
	if (p == 4) {
		s = r * r;
		return hi * sqrt(sqrt(1 + s * s));
	}
	if (p == 1)
		return hi + lo;
	if (p == 3)
		return hi * cbrt(1 + r * r * r);
	return hi * pow(1 + pow(r, p), 1 / p);
}

/* ceil(a / b) for any a >= 0: precision.h's fast one below 2^53, ceil()
 * above (a plan's absurd --imbalance can ask for 1e20 tiles). */
static inline double kern_ceil_div(double a, double b)
{
	return a < 9007199254740992.0 ? ceil_div(a, b) : ceil(a / b);
}

/*
 * Seconds of one call of shape s under the parameters k of its class, on a
 * GPU of dense peak `peak` FLOP/s, HBM bandwidth `hbm` B/s and `sms` SMs
 * (0 or NAN: no wave quantization).  *busy gets the time less t0 and *bound
 * what bounds it (either may be NULL).  Pure; the formula above.  Inline
 * (with its helpers): it runs for every operator of every plan.
 */
static inline double kern_seconds(const struct hw_kernel_eff *k, double peak, double hbm, double sms,
				   const struct kshape *s, double *busy, enum kbound *bound)
{
	double tc = s->flops / (peak * k->compute) + s->elems * k->elem_s + s->ctas * k->cta_s;
	double tm = s->bytes / (hbm * k->memory);
	double tk = 0, roof, t;

	if (s->m > 0 && s->n > 0) {
		double tiles = s->groups * kern_ceil_div(s->m, KERN_TILE) * kern_ceil_div(s->n, KERN_TILE);

		if (sms > 0 && tiles > sms)   /* the last wave idles SMs */
			tc *= kern_ceil_div(tiles, sms) * sms / tiles;
		if (k->kblock_s > 0)
			tk = k->kblock_s * kern_ceil_div(s->k, KERN_TILE);
	}
	roof = k->blend > 0 ? kern_blend(tc, tm, k->blend) : tc > tm ? tc : tm;
	t = roof > tk ? roof : tk;
	if (busy)
		*busy = t;
	if (bound)
		*bound = k->t0_s > t || tk >= roof ? KB_LATENCY : tc >= tm ? KB_COMPUTE : KB_MEMORY;
	return t + k->t0_s;
}

/*
 * `kernels` calls that only stream `bytes` in all through HBM (elementwise
 * kernels: no FLOPs to speak of, no GEMM shape): for one call, kern_seconds()
 * of a shape with no FLOPs, whose roof is the memory roof; for several, their
 * memory roofs add up to that of all the bytes and each pays t0:
 *   t = kernels x t0 + bytes / (eff_mem x HBM bandwidth)
 * *busy (not NULL) gets the time less the fixed ones.  Inline: it runs for
 * every layer of every plan.
 */
static inline double kern_stream_seconds(const struct hw_kernel_eff *k, double hbm, double kernels,
					 double bytes, double *busy)
{
	*busy = bytes / (hbm * k->memory);
	return *busy + kernels * k->t0_s;
}

#endif
