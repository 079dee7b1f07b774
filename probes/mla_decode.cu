/*
 * mla_decode.cu - probes P7 'mla_decode' and P3 'paged_kv_read'
 * (docs/probes.md s2, s3): our own absorbed-MLA decode kernel over a
 * paged latent cache, in plain CUDA (mma.sync, ldmatrix, cp.async: no
 * CUTLASS, no wgmma/TMA, so one source runs on sm_90 and sm_100), checked
 * against probes/ref_mla.c before it is timed.
 *
 * What it computes (DeepSeek-V3, legend in probes/ref.h): for every request
 * b and query row r (s_q x h_q rows), o = softmax(scale q K^T) V over the
 * L_b cached tokens, q = [q_nope W_UK (512) | q_pe (64)] (576), each cached
 * token a 576-dim latent whose first 512 dims are V.  No causal mask among
 * the s_q query tokens (every one sees all L_b tokens).
 *
 * Cache layouts, pages of 64 tokens anywhere in memory (block_table[b][i]):
 *   bf16          576 BF16 per token                 1152 B/token
 *   fp8           576 E4M3 and one FP32 scale for the whole cache  576 B/token
 *   fp8_flashmla  512 E4M3, 4 FP32 scales (one per 128), 64 BF16 RoPE  656 B/token
 *
 * Kernel (one CTA per (request, split, 64 query rows); 256 threads = 8 warps
 * as 4 (16-row slices) x 2 (token halves, then output-column halves)):
 *   Q tile 64 x 576 BF16 in shared memory, rows padded to 584 so that the
 *   fragment loads hit 32 different banks; K tiles of 32 tokens, two stages
 *   loaded with cp.async while the previous one is used (FP8 tiles land as
 *   bytes and are dequantised to BF16 in shared memory: the cost FlashMLA's
 *   FP8 deep-dive describes).  Per tile: S = Q K^T (mma m16n8k16 BF16, FP32
 *   accumulate), the online softmax in base 2 with the row maximum shared
 *   between the two token-half warps through shared memory, P (BF16) to
 *   shared memory, O = alpha O + P V with V read by ldmatrix.trans straight
 *   from the K tile.  A request cut into splits writes FP32 partial O and its
 *   base-2 LSE; the combine kernel (one warp per row, as FlashMLA's) merges
 *   them: lse = max + log2 sum 2^(lse_i - max), O = sum 2^(lse_i - lse) O_i.
 *   Splits: ceil(#SMs / (B x row blocks)) per request, at most 64 and at
 *   most its tile count (docs/probes.md s3.2), one wave of CTAs.
 *
 * Counts as FlashMLA's benchmark counts them (ref_mla_flops, ref_mla_bytes).
 * Sweep: h_q 128/64/32/16, s_q 1/2, B 1..256, L 1k..32k, fixed lengths and
 * N(L, L/2), pages shuffled; L2 flushed before every call.  Checked on B=4,
 * s_q=2 (lengths 200, 20, 64, 1000: ragged tiles, one request unsplit, splits
 * forced) for h_q 128 and 16 (padding rows) against ref_mla_decode,
 * |o - ref| <= 1e-2 + 1e-2 |ref| (FlashMLA's tolerance).  Expected: well below FlashMLA (mma.sync, not
 * wgmma; docs/probes.md s3.6): the fit is recorded as this kernel's efficiency.
 *
 * paged_kv_read: the same pages read through the same block table with no
 * math (a sum, so the loads stay), the memory roof of this access pattern.
 *
 * Build: 'make probes' (probes/probes.mk) compiles it with
 *   nvcc -std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -gencode arch=compute_100,code=sm_100 \
 *        -gencode arch=compute_90,code=compute_90 -Isim -Iprobes -c probes/mla_decode.cu
 * and links build/mlasim-probe with -lcublasLt -ldl -lpthread -lcjson.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include "common.cuh"
#include "ref.h"

#define D_K 576
#define D_V 512
#define PAGE 64
#define BM 64           /* query rows per CTA */
#define BN 32           /* tokens per tile */
#define LDS 584         /* padded row stride of the Q and K tiles, in BF16 */
#define P_LDS 40        /* padded row stride of the P tile */
#define THREADS 256
#define MAX_SPLITS 64

enum kv_fmt { KV_BF16, KV_FP8, KV_FLASHMLA, KV_FMTS };
static const char *const kv_name[KV_FMTS] = {"bf16", "fp8", "fp8_flashmla"};
static const int kv_token_bytes[KV_FMTS] = {1152, 576, 656};

struct mla_work {
	int b;              /* request */
	int t0, t1;         /* tiles [t0, t1) of BN tokens */
	int slot;           /* partial-result slot, -1: the request's only split */
};

struct mla_params {
	const __nv_bfloat16 *q;        /* [B][s_q][h_q][576] */
	const unsigned char *kv;       /* pages of PAGE tokens */
	const int *block_table;        /* [B][max_pages] */
	const int *seqlens;            /* [B] */
	const struct mla_work *work;
	__nv_bfloat16 *out;            /* [B][s_q][h_q][512] */
	float *oacc;                   /* [slots][rows][512] */
	float *lacc;                   /* [slots][rows], base 2 */
	int rows, max_pages;
	float scale_log2;              /* softmax scale x log2 e */
	float kv_scale;                /* fp8: the per-tensor dequantisation scale */
};

/* ==== PTX helpers ================================================================= */

__device__ __forceinline__ void mma_bf16(float *c, const uint32_t *a, uint32_t b0, uint32_t b1)
{
	asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
		     "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
		     : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
		     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

__device__ __forceinline__ void ldsm_x4_trans(uint32_t *d, const void *p)
{
	uint32_t a = (uint32_t)__cvta_generic_to_shared(p);

	asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
		     : "=r"(d[0]), "=r"(d[1]), "=r"(d[2]), "=r"(d[3])
		     : "r"(a));
}

/* 16 bytes global -> shared, asynchronously; src_bytes 0 writes zeros. */
__device__ __forceinline__ void cp_async16(void *dst, const void *src, int src_bytes)
{
	uint32_t s = (uint32_t)__cvta_generic_to_shared(dst);

	asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(s), "l"(src), "r"(src_bytes));
}

__device__ __forceinline__ void cp_async_commit(void)
{
	asm volatile("cp.async.commit_group;\n" ::);
}

template <int N> __device__ __forceinline__ void cp_async_wait(void)
{
	asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

__device__ __forceinline__ uint32_t ld_u32(const __nv_bfloat16 *p)
{
	return *(const uint32_t *)p;
}

/* The A operand of mma m16n8k16 from a row-major BF16 tile (row stride ld):
 * rows r_lo and r_lo + 8, columns k0 + 2 tq (+1) and k0 + 8 + 2 tq (+1). */
__device__ __forceinline__ void load_a_frag(uint32_t *a, const __nv_bfloat16 *tile, int ld, int r_lo, int k0,
					    int tq)
{
	const __nv_bfloat16 *lo = tile + r_lo * ld + k0 + 2 * tq, *hi = lo + 8 * ld;

	a[0] = ld_u32(lo);
	a[1] = ld_u32(hi);
	a[2] = ld_u32(lo + 8);
	a[3] = ld_u32(hi + 8);
}

/* Two E4M3 bytes (low byte first) times s, as a BF16 pair. */
__device__ __forceinline__ uint32_t e4m3x2_to_bf16x2(uint16_t v, float s0, float s1)
{
	__half2 h(__nv_cvt_fp8x2_to_halfraw2((__nv_fp8x2_storage_t)v, __NV_E4M3));
	float2 f = __half22float2(h);
	__nv_bfloat162 b = __floats2bfloat162_rn(f.x * s0, f.y * s1);

	return *(const uint32_t *)&b;
}

/* ==== the decode kernel ============================================================= */

template <int FMT> struct kv_traits {
	static constexpr int token_bytes = FMT == KV_BF16 ? 1152 : FMT == KV_FP8 ? 576 : 656;
	static constexpr int chunks = token_bytes / 16;   /* 16-byte copies per token */
};

static size_t mla_smem_bytes(int fmt)
{
	size_t base = (size_t)BM * LDS * 2 + 2 * (size_t)BN * LDS * 2 + (size_t)BM * P_LDS * 2 + 4 * BM * 4;

	return base + (fmt == KV_BF16 ? 0 : 2 * (size_t)BN * kv_token_bytes[fmt]);
}

/* Issue the copies of tile t (BN tokens) of request b into stage buffer dst
 * (BF16 tile) or stage (bytes, FP8); tokens at or past L are zero-filled. */
template <int FMT>
__device__ __forceinline__ void load_tile(const struct mla_params &p, int b, int L, int t,
					  __nv_bfloat16 *dst, unsigned char *stage)
{
	const int tb = kv_traits<FMT>::token_bytes, ch = kv_traits<FMT>::chunks;
	int first = t * BN, c;
	/* BN divides PAGE: every token of the tile is on one page */
	const unsigned char *page = p.kv + (size_t)p.block_table[(size_t)b * p.max_pages + first / PAGE] *
				    PAGE * tb + (size_t)(first % PAGE) * tb;

	for (c = threadIdx.x; c < BN * ch; c += THREADS) {
		int j = c / ch, k = c % ch, live = first + j < L;
		const unsigned char *src = page + (size_t)j * tb + k * 16;
		if (FMT == KV_BF16)
			cp_async16(dst + j * LDS + k * 8, live ? src : p.kv, live ? 16 : 0);
		else
			cp_async16(stage + j * tb + k * 16, live ? src : p.kv, live ? 16 : 0);
	}
}

/* FP8 bytes of a tile -> BF16 in the K tile (FlashMLA format: 4 scales per
 * token, RoPE part already BF16). */
template <int FMT>
__device__ __forceinline__ void dequant_tile(const unsigned char *stage, __nv_bfloat16 *dst, float kv_scale)
{
	const int tb = kv_traits<FMT>::token_bytes;
	int c;

	for (c = threadIdx.x; c < BN * (D_K / 2); c += THREADS) {
		int j = c / (D_K / 2), col = 2 * (c % (D_K / 2));
		const unsigned char *tok = stage + j * tb;
		uint32_t v;
		if (FMT == KV_FP8) {
			v = e4m3x2_to_bf16x2(*(const uint16_t *)(tok + col), kv_scale, kv_scale);
		} else if (col < 512) {
			float s = *(const float *)(tok + 512 + 4 * (col / 128));
			v = e4m3x2_to_bf16x2(*(const uint16_t *)(tok + col), s, s);
		} else {
			v = *(const uint32_t *)(tok + 528 + 2 * (col - 512));
		}
		*(uint32_t *)(dst + j * LDS + col) = v;
	}
}

template <int FMT>
__global__ void __launch_bounds__(THREADS, 1) k_mla_decode(const struct mla_params p)
{
	extern __shared__ __align__(16) unsigned char smem[];
	__nv_bfloat16 *sQ = (__nv_bfloat16 *)smem;
	__nv_bfloat16 *sK = sQ + BM * LDS;                 /* [2][BN][LDS] */
	__nv_bfloat16 *sP = sK + 2 * BN * LDS;             /* [BM][P_LDS] */
	float *sMax = (float *)(sP + BM * P_LDS);          /* [BM][2] */
	float *sSum = sMax + 2 * BM;                       /* [BM][2] */
	unsigned char *sStage = (unsigned char *)(sSum + 2 * BM);   /* [2][BN][token bytes] */

	const struct mla_work w = p.work[blockIdx.x];
	const int b = w.b, L = p.seqlens[b], row0 = blockIdx.y * BM;
	const int nrows = min(BM, p.rows - row0);
	const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
	const int wi = warp & 3, wj = warp >> 2, g = lane >> 2, tq = lane & 3;
	const int r_lo = 16 * wi + g, r_hi = r_lo + 8;      /* this thread's two rows */
	float o[32][4], m_i[2] = {-INFINITY, -INFINITY}, l_i[2] = {0, 0};
	int t, c, i, e;

#pragma unroll
	for (i = 0; i < 32; i++)
		o[i][0] = o[i][1] = o[i][2] = o[i][3] = 0;
	/* Q rows of this CTA; padding rows are zeros (their scores are 0, harmless) */
	for (c = tid; c < BM * (D_K / 8); c += THREADS) {
		int row = c / (D_K / 8), k = c % (D_K / 8), live = row < nrows;
		const __nv_bfloat16 *src = p.q + ((size_t)b * p.rows + row0 + (live ? row : 0)) * D_K + k * 8;
		cp_async16(sQ + row * LDS + k * 8, src, live ? 16 : 0);
	}
	load_tile<FMT>(p, b, L, w.t0, sK, sStage);
	cp_async_commit();

	for (t = w.t0; t < w.t1; t++) {
		const int s = (t - w.t0) & 1;
		__nv_bfloat16 *K = sK + s * BN * LDS;
		float sacc[2][4], mx[2], ps[2], alpha[2], m_new[2];

		if (t + 1 < w.t1) {
			/* the other stage was last read before the barrier ending the previous tile */
			load_tile<FMT>(p, b, L, t + 1, sK + (s ^ 1) * BN * LDS,
				       sStage + (s ^ 1) * BN * kv_traits<FMT>::token_bytes);
			cp_async_commit();
			cp_async_wait<1>();
		} else {
			cp_async_wait<0>();
		}
		__syncthreads();
		if (FMT != KV_BF16) {
			dequant_tile<FMT>(sStage + s * BN * kv_traits<FMT>::token_bytes, K, p.kv_scale);
			__syncthreads();
		}

		/* S = Q K^T: rows 16 wi.., tokens 16 wj.. (two n-tiles of 8) */
#pragma unroll
		for (i = 0; i < 2; i++)
			sacc[i][0] = sacc[i][1] = sacc[i][2] = sacc[i][3] = 0;
#pragma unroll 4
		for (int k0 = 0; k0 < D_K; k0 += 16) {
			uint32_t a[4];
			load_a_frag(a, sQ, LDS, r_lo, k0, tq);
#pragma unroll
			for (i = 0; i < 2; i++) {
				const __nv_bfloat16 *kr = K + (16 * wj + 8 * i + g) * LDS + k0 + 2 * tq;
				mma_bf16(sacc[i], a, ld_u32(kr), ld_u32(kr + 8));
			}
		}
		/* scale to base-2 logits, mask tokens past L, row maxima */
		mx[0] = mx[1] = -INFINITY;
#pragma unroll
		for (i = 0; i < 2; i++)
#pragma unroll
			for (e = 0; e < 4; e++) {
				int tok = t * BN + 16 * wj + 8 * i + 2 * tq + (e & 1);
				sacc[i][e] = tok < L ? sacc[i][e] * p.scale_log2 : -INFINITY;
				mx[e >> 1] = fmaxf(mx[e >> 1], sacc[i][e]);
			}
#pragma unroll
		for (i = 0; i < 2; i++) {
			mx[i] = fmaxf(mx[i], __shfl_xor_sync(0xffffffffu, mx[i], 1));
			mx[i] = fmaxf(mx[i], __shfl_xor_sync(0xffffffffu, mx[i], 2));
		}
		if (tq == 0) {
			sMax[r_lo * 2 + wj] = mx[0];
			sMax[r_hi * 2 + wj] = mx[1];
		}
		__syncthreads();
		/* every tile holds its first token (t BN < L), so m_new is finite */
		m_new[0] = fmaxf(m_i[0], fmaxf(sMax[r_lo * 2], sMax[r_lo * 2 + 1]));
		m_new[1] = fmaxf(m_i[1], fmaxf(sMax[r_hi * 2], sMax[r_hi * 2 + 1]));
		alpha[0] = exp2f(m_i[0] - m_new[0]);
		alpha[1] = exp2f(m_i[1] - m_new[1]);
		ps[0] = ps[1] = 0;
#pragma unroll
		for (i = 0; i < 2; i++) {
			float p0 = exp2f(sacc[i][0] - m_new[0]), p1 = exp2f(sacc[i][1] - m_new[0]);
			float p2 = exp2f(sacc[i][2] - m_new[1]), p3 = exp2f(sacc[i][3] - m_new[1]);
			int col = 16 * wj + 8 * i + 2 * tq;
			ps[0] += p0 + p1;
			ps[1] += p2 + p3;
			*(__nv_bfloat162 *)(sP + r_lo * P_LDS + col) = __floats2bfloat162_rn(p0, p1);
			*(__nv_bfloat162 *)(sP + r_hi * P_LDS + col) = __floats2bfloat162_rn(p2, p3);
		}
#pragma unroll
		for (i = 0; i < 2; i++) {
			ps[i] += __shfl_xor_sync(0xffffffffu, ps[i], 1);
			ps[i] += __shfl_xor_sync(0xffffffffu, ps[i], 2);
		}
		if (tq == 0) {
			sSum[r_lo * 2 + wj] = ps[0];
			sSum[r_hi * 2 + wj] = ps[1];
		}
		__syncthreads();
		l_i[0] = alpha[0] * l_i[0] + sSum[r_lo * 2] + sSum[r_lo * 2 + 1];
		l_i[1] = alpha[1] * l_i[1] + sSum[r_hi * 2] + sSum[r_hi * 2 + 1];
		m_i[0] = m_new[0];
		m_i[1] = m_new[1];
#pragma unroll
		for (i = 0; i < 32; i++) {
			o[i][0] *= alpha[0];
			o[i][1] *= alpha[0];
			o[i][2] *= alpha[1];
			o[i][3] *= alpha[1];
		}
		/* O += P V: rows 16 wi.., output columns 256 wj.. (32 n-tiles) */
#pragma unroll
		for (int k0 = 0; k0 < BN; k0 += 16) {
			uint32_t a[4];
			load_a_frag(a, sP, P_LDS, r_lo, k0, tq);
#pragma unroll
			for (i = 0; i < 16; i++) {
				uint32_t v[4];
				int krow = k0 + (lane & 7) + ((lane >> 3) & 1) * 8;
				int ncol = 256 * wj + 16 * i + (lane >> 4) * 8;
				ldsm_x4_trans(v, K + krow * LDS + ncol);
				mma_bf16(o[2 * i], a, v[0], v[1]);
				mma_bf16(o[2 * i + 1], a, v[2], v[3]);
			}
		}
		__syncthreads();   /* K[s], P and the row statistics are free again */
	}

	/* epilogue: O / l, and the base-2 LSE for the combine */
	{
		float inv[2] = {1.0f / l_i[0], 1.0f / l_i[1]};
		int rr[2] = {r_lo, r_hi};
#pragma unroll
		for (e = 0; e < 2; e++) {
			size_t row;
			if (rr[e] >= nrows)
				continue;
			row = (size_t)row0 + rr[e];
#pragma unroll
			for (i = 0; i < 32; i++) {
				int col = 256 * wj + 8 * i + 2 * tq;
				float v0 = o[i][2 * e] * inv[e], v1 = o[i][2 * e + 1] * inv[e];
				if (w.slot < 0)
					*(__nv_bfloat162 *)(p.out + ((size_t)b * p.rows + row) * D_V + col) =
						__floats2bfloat162_rn(v0, v1);
				else
					*(float2 *)(p.oacc + ((size_t)w.slot * p.rows + row) * D_V + col) =
						make_float2(v0, v1);
			}
			if (w.slot >= 0 && wj == 0 && tq == 0)
				p.lacc[(size_t)w.slot * p.rows + row] = m_i[e] + log2f(l_i[e]);
		}
	}
}

/* One warp per (request, row): merge the request's splits (FlashMLA's combine). */
__global__ void k_mla_combine(const float *__restrict__ oacc, const float *__restrict__ lacc,
			      const int *__restrict__ slot0, const int *__restrict__ nsplit, int rows,
			      __nv_bfloat16 *__restrict__ out)
{
	const int b = blockIdx.x, row = blockIdx.y * 8 + (threadIdx.x >> 5), lane = threadIdx.x & 31;
	const int n = nsplit[b], s0 = slot0[b];
	float mx = -INFINITY, sum = 0, lse;
	float4 acc[4];
	int i, c;

	if (n <= 1 || row >= rows)
		return;
	for (i = 0; i < n; i++)
		mx = fmaxf(mx, lacc[(size_t)(s0 + i) * rows + row]);
	for (i = 0; i < n; i++)
		sum += exp2f(lacc[(size_t)(s0 + i) * rows + row] - mx);
	lse = mx + log2f(sum);
	for (c = 0; c < 4; c++)
		acc[c] = make_float4(0, 0, 0, 0);
	for (i = 0; i < n; i++) {
		float wgt = exp2f(lacc[(size_t)(s0 + i) * rows + row] - lse);
		const float4 *src = (const float4 *)(oacc + ((size_t)(s0 + i) * rows + row) * D_V);
		for (c = 0; c < 4; c++) {
			float4 v = src[lane + 32 * c];
			acc[c].x += wgt * v.x;
			acc[c].y += wgt * v.y;
			acc[c].z += wgt * v.z;
			acc[c].w += wgt * v.w;
		}
	}
	for (c = 0; c < 4; c++) {
		__nv_bfloat16 *dst = out + ((size_t)b * rows + row) * D_V + 4 * (lane + 32 * c);
		*(__nv_bfloat162 *)dst = __floats2bfloat162_rn(acc[c].x, acc[c].y);
		*(__nv_bfloat162 *)(dst + 2) = __floats2bfloat162_rn(acc[c].z, acc[c].w);
	}
}

/* FlashMLA layout: after filling the whole cache with E4M3 bytes, give each
 * token its 4 FP32 scales (powers of two, exact in BF16) and BF16 RoPE part. */
__global__ void k_flashmla_fix(unsigned char *kv, size_t tokens, uint32_t seed)
{
	size_t t;

	for (t = blockIdx.x * (size_t)blockDim.x + threadIdx.x; t < tokens; t += (size_t)gridDim.x * blockDim.x) {
		unsigned char *tok = kv + t * 656;
		int i;
		for (i = 0; i < 4; i++)
			((float *)(tok + 512))[i] = ldexpf(1.0f, (int)((t * 4 + i + seed) % 4) - 2);
		for (i = 0; i < 64; i++) {
			uint32_t h = (uint32_t)(t * 64 + i) * 2654435761u ^ seed;
			h ^= h >> 15;
			h *= 0x2c1b3c6dU;
			h ^= h >> 12;
			((__nv_bfloat16 *)(tok + 528))[i] = __float2bfloat16_rn(((h >> 8) * (1.0f / 16777216.0f)) * 2 - 1);
		}
	}
}

/* ==== host side ====================================================================== */

struct mla_case {
	int batch, s_q, h_q, fmt, rows, row_blocks, max_pages, force_splits;
	int *lens;                     /* host [batch] */
	int nwork, nslots, max_split;
	size_t pages, kv_bytes;
	float kv_scale;
	struct mla_params p;
	int *slot0, *nsplit;           /* device [batch] */
};

static size_t cdivz(size_t a, size_t b) { return (a + b - 1) / b; }

/* splitmix64: the next pseudo-random 64-bit value of state *s. */
static uint64_t next_u64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Allocate, fill and plan one case; returns 0 or -1 (error recorded). */
static int mla_setup(struct run *r, struct mla_case *m, uint32_t seed)
{
	int b, i, *h_table, *h_slot0, *h_nsplit, tiles, ns, chunk, nsb;
	size_t pg = 0, *perm = NULL, j;
	uint64_t rng = seed;
	struct mla_work *h_work;
	int rc = -1;

	m->rows = m->s_q * m->h_q;
	m->row_blocks = (m->rows + BM - 1) / BM;
	m->max_pages = 0;
	m->pages = 0;
	for (b = 0; b < m->batch; b++) {
		int np = (int)cdivz(m->lens[b], PAGE);
		m->pages += np;
		if (np > m->max_pages)
			m->max_pages = np;
	}
	m->kv_bytes = m->pages * PAGE * (size_t)kv_token_bytes[m->fmt];
	/* splits: one wave of CTAs over the SMs (docs/probes.md s3.2) */
	ns = m->force_splits ? m->force_splits :
	     (int)cdivz((size_t)r->sms, (size_t)m->batch * m->row_blocks);
	ns = ns < 1 ? 1 : ns > MAX_SPLITS ? MAX_SPLITS : ns;
	h_table = (int *)calloc((size_t)m->batch * m->max_pages, sizeof(int));
	h_slot0 = (int *)calloc((size_t)m->batch, sizeof(int));
	h_nsplit = (int *)calloc((size_t)m->batch, sizeof(int));
	h_work = (struct mla_work *)malloc(sizeof *h_work * (size_t)m->batch * (MAX_SPLITS + 1));
	perm = (size_t *)malloc(sizeof *perm * (m->pages + 1));
	if (!h_table || !h_slot0 || !h_nsplit || !h_work || !perm) {
		run_fail(r, "out of host memory");
		goto end;
	}
	/* shuffled pages (docs/probes.md s12.9): a Fisher-Yates permutation */
	for (j = 0; j < m->pages; j++)
		perm[j] = j;
	for (j = m->pages; j > 1; j--) {
		size_t k = (size_t)(next_u64(&rng) % j), tmp = perm[j - 1];
		perm[j - 1] = perm[k];
		perm[k] = tmp;
	}
	m->nwork = m->nslots = m->max_split = 0;
	for (b = 0; b < m->batch; b++) {
		int np = (int)cdivz(m->lens[b], PAGE);
		for (i = 0; i < np; i++)
			h_table[(size_t)b * m->max_pages + i] = (int)perm[pg++];
		tiles = (int)cdivz(m->lens[b], BN);
		nsb = ns < tiles ? ns : tiles;
		chunk = (tiles + nsb - 1) / nsb;
		nsb = (tiles + chunk - 1) / chunk;
		h_nsplit[b] = nsb;
		h_slot0[b] = nsb > 1 ? m->nslots : -1;
		for (i = 0; i < nsb; i++) {
			struct mla_work *w = &h_work[m->nwork++];
			w->b = b;
			w->t0 = i * chunk;
			w->t1 = (i + 1) * chunk < tiles ? (i + 1) * chunk : tiles;
			w->slot = nsb > 1 ? m->nslots + i : -1;
		}
		if (nsb > 1)
			m->nslots += nsb;
		if (nsb > m->max_split)
			m->max_split = nsb;
	}
	{
		__nv_bfloat16 *q = (__nv_bfloat16 *)dev_alloc(r, (size_t)m->batch * m->rows * D_K * 2);
		unsigned char *kv = (unsigned char *)dev_alloc(r, m->kv_bytes);
		int *bt = (int *)dev_alloc(r, sizeof(int) * (size_t)m->batch * m->max_pages);
		int *sl = (int *)dev_alloc(r, sizeof(int) * (size_t)m->batch);
		struct mla_work *wk = (struct mla_work *)dev_alloc(r, sizeof *wk * (size_t)m->nwork);
		__nv_bfloat16 *out = (__nv_bfloat16 *)dev_alloc(r, (size_t)m->batch * m->rows * D_V * 2);
		float *oacc = (float *)dev_alloc(r, sizeof(float) * ((size_t)m->nslots * m->rows * D_V + 4));
		float *lacc = (float *)dev_alloc(r, sizeof(float) * ((size_t)m->nslots * m->rows + 4));
		m->slot0 = (int *)dev_alloc(r, sizeof(int) * (size_t)m->batch);
		m->nsplit = (int *)dev_alloc(r, sizeof(int) * (size_t)m->batch);
		if (!q || !kv || !bt || !sl || !wk || !out || !oacc || !lacc || !m->slot0 || !m->nsplit)
			goto end;
		if (fill_bf16(r, q, (size_t)m->batch * m->rows * D_K, seed, 1.0f))
			goto end;
		if (m->fmt == KV_BF16 ? fill_bf16(r, kv, m->kv_bytes / 2, seed + 1, 1.0f) :
		    fill_e4m3(r, kv, m->kv_bytes, seed + 1, 1.0f))
			goto end;
		if (m->fmt == KV_FLASHMLA) {
			k_flashmla_fix<<<r->sms * 4, 256, 0, r->stream>>>(kv, m->pages * PAGE, seed);
			if (cudaGetLastError() != cudaSuccess) {
				run_fail(r, "k_flashmla_fix failed to launch");
				goto end;
			}
		}
		if (to_dev(r, bt, h_table, sizeof(int) * (size_t)m->batch * m->max_pages) ||
		    to_dev(r, sl, m->lens, sizeof(int) * (size_t)m->batch) ||
		    to_dev(r, wk, h_work, sizeof *wk * (size_t)m->nwork) ||
		    to_dev(r, m->slot0, h_slot0, sizeof(int) * (size_t)m->batch) ||
		    to_dev(r, m->nsplit, h_nsplit, sizeof(int) * (size_t)m->batch))
			goto end;
		m->kv_scale = 0.5f;
		m->p.q = q;
		m->p.kv = kv;
		m->p.block_table = bt;
		m->p.seqlens = sl;
		m->p.work = wk;
		m->p.out = out;
		m->p.oacc = oacc;
		m->p.lacc = lacc;
		m->p.rows = m->rows;
		m->p.max_pages = m->max_pages;
		m->p.scale_log2 = (float)(1.4426950408889634 / sqrt(192.0));   /* (128 + 64)^-1/2 */
		m->p.kv_scale = m->kv_scale;
	}
	rc = 0;
end:
	free(h_table);
	free(h_slot0);
	free(h_nsplit);
	free(h_work);
	free(perm);
	return rc;
}

static int mla_launch_main(struct run *r, struct mla_case *m)
{
	dim3 grid((unsigned)m->nwork, (unsigned)m->row_blocks);
	size_t smem = mla_smem_bytes(m->fmt);

	switch (m->fmt) {
	case KV_BF16: k_mla_decode<KV_BF16><<<grid, THREADS, smem, r->stream>>>(m->p); break;
	case KV_FP8: k_mla_decode<KV_FP8><<<grid, THREADS, smem, r->stream>>>(m->p); break;
	default: k_mla_decode<KV_FLASHMLA><<<grid, THREADS, smem, r->stream>>>(m->p); break;
	}
	CU(cudaGetLastError());
	return 0;
}

static int mla_launch_combine(struct run *r, void *ctx)
{
	struct mla_case *m = (struct mla_case *)ctx;

	if (m->nslots == 0)
		return 0;
	k_mla_combine<<<dim3((unsigned)m->batch, (unsigned)((m->rows + 7) / 8)), 256, 0, r->stream>>>(
		m->p.oacc, m->p.lacc, m->slot0, m->nsplit, m->rows, m->p.out);
	CU(cudaGetLastError());
	return 0;
}

static int mla_launch(struct run *r, void *ctx)
{
	struct mla_case *m = (struct mla_case *)ctx;

	return mla_launch_main(r, m) || mla_launch_combine(r, m) ? -1 : 0;
}

static int mla_smem_optin(struct run *r)
{
	static int done;

	if (done)
		return 0;
	CU(cudaFuncSetAttribute(k_mla_decode<KV_BF16>, cudaFuncAttributeMaxDynamicSharedMemorySize,
				(int)mla_smem_bytes(KV_BF16)));
	CU(cudaFuncSetAttribute(k_mla_decode<KV_FP8>, cudaFuncAttributeMaxDynamicSharedMemorySize,
				(int)mla_smem_bytes(KV_FP8)));
	CU(cudaFuncSetAttribute(k_mla_decode<KV_FLASHMLA>, cudaFuncAttributeMaxDynamicSharedMemorySize,
				(int)mla_smem_bytes(KV_FLASHMLA)));
	done = 1;
	return 0;
}

/* ==== the check against probes/ref_mla.c ============================================ */

/* The cache as the kernel sees it, as floats: BF16 values, or E4M3 x scale
 * rounded to BF16 (the kernel dequantises to BF16 before its MMAs). */
static void mla_host_cache(const struct mla_case *m, const unsigned char *kv, float *f)
{
	size_t t, tokens = m->pages * PAGE;
	int c;

	for (t = 0; t < tokens; t++) {
		const unsigned char *tok = kv + t * kv_token_bytes[m->fmt];
		for (c = 0; c < D_K; c++) {
			float v;
			if (m->fmt == KV_BF16)
				v = bf16_bits_to_float(((const uint16_t *)tok)[c]);
			else if (m->fmt == KV_FP8)
				v = ref_bf16_round(ref_e4m3_decode(tok[c]) * m->kv_scale);
			else if (c < 512)
				v = ref_bf16_round(ref_e4m3_decode(tok[c]) * ((const float *)(tok + 512))[c / 128]);
			else
				v = bf16_bits_to_float(((const uint16_t *)(tok + 528))[c - 512]);
			f[t * D_K + c] = v;
		}
	}
}

struct mla_check {
	int ok;
	double max_err;
};

static int mla_check_case(struct run *r, int fmt, int h_q, struct mla_check *res)
{
	int lens[4] = {200, 20, 64, 1000}, mark = r->nallocs, rc = -1, *table = NULL;
	cudaError_t ce;
	struct mla_case m;
	size_t nq, nout, j;
	unsigned char *kv = NULL;
	uint16_t *q16 = NULL, *o16 = NULL;
	float *qf = NULL, *kvf = NULL, *ref = NULL;
	struct ref_mla rp;

	memset(&m, 0, sizeof m);
	m.batch = 4;
	m.s_q = 2;
	m.h_q = h_q;
	m.fmt = fmt;
	m.lens = lens;
	/* 32-token tiles: 200 -> 7 tiles in 4 splits, 20 -> 1 tile unsplit (written
	 * directly), 64 -> 2 splits of one tile, 1000 -> 4 splits of 8 tiles */
	m.force_splits = 4;
	if (mla_setup(r, &m, 77) || mla_launch(r, &m))
		goto end;
	if ((ce = cudaStreamSynchronize(r->stream)) != cudaSuccess) {
		run_fail(r, "the MLA check kernel failed: %s", cudaGetErrorString(ce));
		goto end;
	}
	nq = (size_t)m.batch * m.rows * D_K;
	nout = (size_t)m.batch * m.rows * D_V;
	kv = (unsigned char *)malloc(m.kv_bytes);
	q16 = (uint16_t *)malloc(nq * 2);
	o16 = (uint16_t *)malloc(nout * 2);
	qf = (float *)malloc(nq * 4);
	kvf = (float *)malloc(m.pages * PAGE * D_K * 4);
	ref = (float *)malloc(nout * 4);
	table = (int *)malloc(sizeof(int) * (size_t)m.batch * m.max_pages);
	if (!kv || !q16 || !o16 || !qf || !kvf || !ref || !table) {
		run_fail(r, "out of host memory");
		goto end;
	}
	if (from_dev(r, kv, m.p.kv, m.kv_bytes) || from_dev(r, q16, m.p.q, nq * 2) ||
	    from_dev(r, o16, m.p.out, nout * 2) ||
	    from_dev(r, table, m.p.block_table, sizeof(int) * (size_t)m.batch * m.max_pages))
		goto end;
	for (j = 0; j < nq; j++)
		qf[j] = bf16_bits_to_float(q16[j]);
	mla_host_cache(&m, kv, kvf);
	rp.batch = m.batch;
	rp.s_q = m.s_q;
	rp.h_q = m.h_q;
	rp.d_k = D_K;
	rp.d_v = D_V;
	rp.page = PAGE;
	rp.max_pages = m.max_pages;
	rp.scale = (float)(1 / sqrt(192.0));
	rp.q = qf;
	rp.kv = kvf;
	rp.block_table = table;
	rp.seqlens = lens;
	if (ref_mla_decode(&rp, ref, NULL)) {
		run_fail(r, "out of host memory in the reference");
		goto end;
	}
	res->ok = check_bf16(o16, ref, nout, 1e-2, 1e-2, &res->max_err);
	rc = 0;
end:
	free(kv);
	free(q16);
	free(o16);
	free(qf);
	free(kvf);
	free(ref);
	free(table);
	run_free_to(r, mark);
	return rc;
}

/* ==== the sweep =========================================================================== */

/* Request lengths: all L, or N(L, L/2) clipped to [1, 2L] (FlashMLA's test). */
static void mla_lengths(int *lens, int batch, int L, int varied, uint32_t seed)
{
	uint64_t s = 0x9e3779b97f4a7c15ull ^ seed;
	int b;

	for (b = 0; b < batch; b++) {
		double u1, u2, z, v;
		if (!varied) {
			lens[b] = L;
			continue;
		}
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		u1 = ((s >> 11) + 1) / 9007199254740993.0;
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		u2 = (s >> 11) / 9007199254740992.0;
		z = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
		v = L + z * L / 2;
		lens[b] = v < 1 ? 1 : v > 2.0 * L ? 2 * L : (int)v;
	}
}

static int mla_point(struct run *r, int fmt, int h_q, int s_q, int batch, int L, int varied,
		     const struct mla_check *chk)
{
	int lens[256], mark = r->nallocs, rc, b;
	double flops, bytes, mean = 0, need, rows = (double)s_q * h_q;
	struct mla_case m;
	struct timing t, tc;
	char why[200];
	cJSON *rec, *p;

	if (cfg_begin(r, "mla_decode/h_q=%d,s_q=%d,b=%d,L=%d,kv=%s,lengths=%s", h_q, s_q, batch, L, kv_name[fmt],
		      varied ? "normal" : "fixed"))
		return 0;
	mla_lengths(lens, batch, L, varied, (uint32_t)(batch * 131 + L));
	for (b = 0; b < batch; b++)
		mean += lens[b] / (double)batch;
	rec = rec_cfg(r);
	p = rec_params(rec);
	cJSON_AddNumberToObject(p, "h_q", h_q);
	cJSON_AddNumberToObject(p, "s_q", s_q);
	cJSON_AddNumberToObject(p, "b", batch);
	cJSON_AddNumberToObject(p, "L", L);
	cJSON_AddNumberToObject(p, "L_mean", mean);
	cJSON_AddStringToObject(p, "kv", kv_name[fmt]);
	cJSON_AddNumberToObject(p, "kv_bytes_per_token", kv_token_bytes[fmt]);
	cJSON_AddStringToObject(p, "lengths", varied ? "normal" : "fixed");
	cJSON_AddStringToObject(p, "pages", "shuffled");
	memset(&m, 0, sizeof m);
	m.batch = batch;
	m.s_q = s_q;
	m.h_q = h_q;
	m.fmt = fmt;
	m.lens = lens;
	/* the cache (whole pages), Q, O and the split partials (at most #SMs + B splits) */
	need = (double)batch * (mean + PAGE) * kv_token_bytes[fmt] + (double)batch * rows * (D_K + D_V) * 2 +
	       ((double)r->sms + batch) * rows * (D_V + 1) * 4;
	if (!dev_fits(r, need, why, sizeof why)) {
		rec_status(rec, "skipped", why);
		return 0;
	}
	if (mla_setup(r, &m, 5)) {
		rec_status(rec, "error", "setup failed");
		run_free_to(r, mark);
		return -1;
	}
	cJSON_AddNumberToObject(p, "splits_max", m.max_split);
	cJSON_AddNumberToObject(p, "ctas", m.nwork * m.row_blocks);
	rc = time_calls(r, mla_launch, &m, L2_FLUSH, &t);
	if (rc == 0 && m.nslots > 0)
		rc = time_calls(r, mla_launch_combine, &m, L2_FLUSH, &tc);
	if (rc == 0) {
		flops = ref_mla_flops(batch, s_q, h_q, D_K, D_V, lens);
		bytes = ref_mla_bytes(batch, s_q, h_q, D_K, D_V, lens, kv_token_bytes[fmt]);
		rec_work(rec, flops, bytes - (double)batch * s_q * h_q * D_V * 2, (double)batch * s_q * h_q * D_V * 2);
		rec_timing(rec, &t);
		if (m.nslots > 0)
			cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(rec, "timing"), "combine_s", tc.median_s);
		rec_derived(r, rec, flops, bytes, t.median_s, 0);
		rec_check(rec, chk->ok, chk->max_err, 1e-2, "probes/ref_mla.c on B=4, s_q=2, lengths 200/20/64/1000, h_q 128 and 16, forced splits");
		if (batch >= 32 || h_q == 128)
			note(r, "%-12s h=%3d s_q=%d b=%3d L=%5d %s %9.1f us %6.1f TFLOP/s %7.1f GB/s", kv_name[fmt], h_q,
			     s_q, batch, L, varied ? "N" : "=", t.median_s * 1e6, flops / t.median_s / 1e12,
			     bytes / t.median_s / 1e9);
	} else {
		rec_status(rec, "error", "timing failed");
	}
	run_free_to(r, mark);
	return rc;
}

int probe_mla_decode(struct run *r)
{
	static const int heads[] = {128, 64, 32, 16}, batches[] = {1, 8, 32, 64, 128, 256};
	static const int ctx[] = {1024, 4096, 8192, 16384, 32768};
	static const int q_heads[] = {128, 16}, q_batches[] = {1, 32, 128}, q_ctx[] = {1024, 8192};
	struct mla_check chk[KV_FMTS], c16;
	int fmt, h, s, b, l, varied, failed = 0;

	if (mla_smem_bytes(KV_FLASHMLA) > r->smem_optin) {
		cJSON *rec = rec_new(r, "mla_decode/unsupported");
		rec_status(rec, "unsupported", "the kernel needs more shared memory per block than this GPU opts in to");
		return 0;
	}
	if (mla_smem_optin(r))
		return -1;
	for (fmt = 0; fmt < KV_FMTS; fmt++) {
		if (mla_check_case(r, fmt, 128, &chk[fmt]) || mla_check_case(r, fmt, 16, &c16)) {
			/* the check did not run (error recorded): this format is not timed */
			chk[fmt].ok = 0;
			failed = 1;
			continue;
		}
		chk[fmt].ok &= c16.ok;
		chk[fmt].max_err = fmax(chk[fmt].max_err, c16.max_err);
		if (!chk[fmt].ok) {
			cJSON *rec = rec_new(r, "mla_decode/check,kv=%s", kv_name[fmt]);
			cJSON_AddStringToObject(rec_params(rec), "kv", kv_name[fmt]);
			rec_status(rec, "check_failed", "disagrees with probes/ref_mla.c: not timed");
			rec_check(rec, 0, chk[fmt].max_err, 1e-2, "probes/ref_mla.c");
			r->checks_failed++;
			run_fail(r, "%s cache: the kernel disagrees with the reference (max error %g)", kv_name[fmt],
				 chk[fmt].max_err);
		} else {
			note(r, "%s cache: matches the reference (max error %.3g)", kv_name[fmt], chk[fmt].max_err);
		}
	}
	if (r->check_only)
		return failed ? -1 : 0;
	/* the cache format innermost: a run cut short by --time-limit loses the
	 * last head counts of every format, not a whole format */
	for (h = 0; h < (r->quick ? 2 : 4); h++)
		for (s = 1; s <= (r->quick ? 1 : 2); s++)
			for (b = 0; b < (r->quick ? 3 : 6); b++)
				for (l = 0; l < (r->quick ? 2 : 5); l++)
					for (varied = 0; varied <= (!r->quick && batches[b] >= 32); varied++)
						for (fmt = 0; fmt < KV_FMTS; fmt++)
							if (chk[fmt].ok)
								failed |= mla_point(r, fmt, r->quick ? q_heads[h] : heads[h], s,
										    r->quick ? q_batches[b] : batches[b],
										    r->quick ? q_ctx[l] : ctx[l], varied,
										    &chk[fmt]) != 0;
	return failed ? -1 : 0;
}

/* ==== paged_kv_read =========================================================================== */

/* One CTA per (request, page group): read every live byte of the request's
 * pages through the block table; the XOR of what was read keeps the loads. */
__global__ void k_paged_read(const unsigned char *__restrict__ kv, const int *__restrict__ table,
			     const int *__restrict__ lens, int max_pages, int token_bytes, int groups,
			     unsigned *__restrict__ sink)
{
	const int b = blockIdx.x, gidx = blockIdx.y, L = lens[b];
	const int pages = (L + PAGE - 1) / PAGE;
	unsigned acc = 0;
	int pg;

	for (pg = gidx; pg < pages; pg += groups) {
		int live = min(PAGE, L - pg * PAGE);
		const uint4 *src = (const uint4 *)(kv + (size_t)table[(size_t)b * max_pages + pg] * PAGE * token_bytes);
		int n = live * token_bytes / 16, i;
		for (i = threadIdx.x; i < n; i += blockDim.x) {
			uint4 v = src[i];
			acc ^= v.x ^ v.y ^ v.z ^ v.w;
		}
	}
	sink[((size_t)b * groups + gidx) * blockDim.x + threadIdx.x] = acc;
}

struct pkr_ctx {
	struct mla_case *m;
	int groups;
	unsigned *sink;
};

static int pkr_launch(struct run *r, void *p)
{
	struct pkr_ctx *x = (struct pkr_ctx *)p;

	k_paged_read<<<dim3((unsigned)x->m->batch, (unsigned)x->groups), 256, 0, r->stream>>>(
		x->m->p.kv, x->m->p.block_table, x->m->p.seqlens, x->m->max_pages, kv_token_bytes[x->m->fmt],
		x->groups, x->sink);
	CU(cudaGetLastError());
	return 0;
}

int probe_paged_kv_read(struct run *r)
{
	static const int batches[] = {1, 8, 32, 128, 256}, ctx[] = {1024, 4096, 16384, 32768};
	int fmt, b, l, lens[256], i, mark, failed = 0;
	struct mla_case m;
	struct pkr_ctx x;
	struct timing t;

	if (r->check_only)
		return 0;
	for (fmt = 0; fmt < KV_FMTS; fmt += 1)
		for (b = 0; b < (r->quick ? 3 : 5); b++)
			for (l = 0; l < (r->quick ? 2 : 4); l++) {
				double bytes = 0;
				char why[200];
				cJSON *rec;
				if (cfg_begin(r, "paged_kv_read/b=%d,L=%d,kv=%s", batches[b], ctx[l], kv_name[fmt]))
					continue;
				for (i = 0; i < batches[b]; i++)
					lens[i] = ctx[l];
				bytes = (double)batches[b] * ctx[l] * kv_token_bytes[fmt];
				rec = rec_cfg(r);
				cJSON_AddNumberToObject(rec_params(rec), "b", batches[b]);
				cJSON_AddNumberToObject(rec_params(rec), "L", ctx[l]);
				cJSON_AddStringToObject(rec_params(rec), "kv", kv_name[fmt]);
				cJSON_AddStringToObject(rec_params(rec), "pages", "shuffled");
				if (!dev_fits(r, bytes + (double)batches[b] * (16 * 1152 + 64 * 1152 + r->sms * 4 * 1024),
					      why, sizeof why)) {
					rec_status(rec, "skipped", why);
					continue;
				}
				mark = r->nallocs;
				memset(&m, 0, sizeof m);
				m.batch = batches[b];
				m.s_q = 1;
				m.h_q = 16;
				m.fmt = fmt;
				m.lens = lens;
				x.m = &m;
				x.groups = (int)cdivz((size_t)r->sms * 4, (size_t)m.batch);
				if (x.groups < 1)
					x.groups = 1;
				x.sink = NULL;
				if (mla_setup(r, &m, 9) ||
				    !(x.sink = (unsigned *)dev_alloc(r, sizeof(unsigned) * (size_t)m.batch * x.groups * 256)) ||
				    time_calls(r, pkr_launch, &x, L2_FLUSH, &t)) {
					rec_status(rec, "error", "setup or timing failed");
					failed = 1;
					run_free_to(r, mark);
					continue;
				}
				rec_work(rec, 0, bytes, 0);
				rec_timing(rec, &t);
				rec_derived(r, rec, 0, bytes, t.median_s, 0);
				note(r, "%-12s b=%3d L=%5d %7.1f GB/s", kv_name[fmt], batches[b], ctx[l], bytes / t.median_s / 1e9);
				run_free_to(r, mark);
			}
	return failed ? -1 : 0;
}
