/*
 * tests/unit_probes.c - tests of the calibration path that need no GPU: the
 * CPU reference kernels the CUDA probes are checked against (probes/ref_*.c),
 * the roofline fit on synthetic timings, results parsing, the calibrated card
 * and what it does to a plan, and 'mlasim probe' end to end ($MLASIM, set by
 * tests/run.sh).  Tests that need a GPU print 'skip - NAME (reason)' where
 * there is none.
 *
 * Every expected value is worked out by hand in the comment next to it.  The
 * synthetic results (synth_doc) are generated from known efficiencies; they
 * are NOT measurements, and every record says so ("provenance":
 * "synthetic-test-fixture").  The same generator writes the checked-in fixture:
 *
 *   build/unit_probes --write-fixture tests/fixtures/probes-synthetic-h100.json
 *
 * and a test checks that the file still equals what it writes.
 *
 * The checks, the output read by tests/run.sh ('ok - NAME', 'not ok - NAME',
 * 'skip - NAME (REASON)', diagnostics on '#' lines) and the arguments
 * ('build/unit_probes -l', 'build/unit_probes PATTERN') are the unit tests'
 * harness, tests/unit/harness.h.  Exit status 1 if any test failed.  Run
 * from the repository root.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "../probes/ref.h"
#include "anchors.h"
#include "calib.h"
#include "err.h"
#include "holdout.h"
#include "hw.h"
#include "jsonx.h"
#include "model.h"
#include "perf.h"
#include "plan.h"
#include "probecat.h"
#include "unit/harness.h"

#define FIXTURE "tests/fixtures/probes-synthetic-h100.json"
#define PROV "synthetic-test-fixture"

/* A deterministic generator for test data (no dependence on libc's rand). */
static uint64_t lcg_state = 88172645463325252ull;

static double lcg_uniform(void)     /* [0, 1) */
{
	lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(lcg_state >> 11) / 9007199254740992.0;
}

/* ==== FP8 E4M3 and BF16 ===================================================== */

/* Decoding by the format's definition: (8 + m) 2^(e-10) for e >= 1, m 2^-9 for e = 0. */
static void t_e4m3_decode(void)
{
	CHECK_EQ(ref_e4m3_decode(0x38), 1.0);          /* e = 7, m = 0: 1.0 x 2^0 */
	CHECK_EQ(ref_e4m3_decode(0x7E), 448.0);        /* e = 15, m = 6: 1.75 x 2^8 */
	CHECK_EQ(ref_e4m3_decode(0x01), 0x1p-9);       /* smallest subnormal: 1/8 x 2^-6 */
	CHECK_EQ(ref_e4m3_decode(0x07), 7 * 0x1p-9);   /* largest subnormal */
	CHECK_EQ(ref_e4m3_decode(0x08), 0x1p-6);       /* smallest normal */
	CHECK_EQ(ref_e4m3_decode(0xC0), -2.0);         /* sign, e = 8, m = 0 */
	CHECK_EQ(ref_e4m3_decode(0x3B), 1.375);        /* m = 3: 1 + 3/8 */
	CHECK(ref_e4m3_decode(0x00) == 0 && !signbit(ref_e4m3_decode(0x00)));
	CHECK(ref_e4m3_decode(0x80) == 0 && signbit(ref_e4m3_decode(0x80)));
	CHECK(isnan(ref_e4m3_decode(0x7F)) && isnan(ref_e4m3_decode(0xFF)));
	CHECK_EQ(ref_e4m3_decode(0x77), 240.0);        /* e = 14, m = 7: 1.875 x 2^7, finite */
}

/* Encoding: nearest, ties to even, saturating at 448. */
static void t_e4m3_encode(void)
{
	CHECK_EQ(ref_e4m3_encode(1.0f), 0x38);
	CHECK_EQ(ref_e4m3_encode(448.0f), 0x7E);
	CHECK_EQ(ref_e4m3_encode(0x1p-9f), 0x01);
	CHECK_EQ(ref_e4m3_encode(-2.0f), 0xC0);
	CHECK_EQ(ref_e4m3_encode(500.0f), 0x7E);       /* beyond 448: saturates */
	CHECK_EQ(ref_e4m3_encode(464.0f), 0x7E);       /* halfway to 480 (a NaN code): saturates */
	CHECK_EQ(ref_e4m3_encode(-INFINITY), 0xFE);
	CHECK_EQ(ref_e4m3_encode(NAN), 0x7F);
	CHECK_EQ(ref_e4m3_encode(0x1p-10f), 0x00);     /* half the smallest subnormal: tie to even 0 */
	CHECK_EQ(ref_e4m3_encode(3 * 0x1p-10f), 0x02); /* 1.5 subnormal steps: tie to even 2 */
	CHECK_EQ(ref_e4m3_encode(1.0625f), 0x38);      /* 1 + 1/16, between m = 0 and 1: even 0 */
	CHECK_EQ(ref_e4m3_encode(1.1875f), 0x3A);      /* 1 + 3/16, between m = 1 and 2: even 2 */
	CHECK_EQ(ref_e4m3_encode(1.2f), 0x3A);         /* nearest of 1.125, 1.25 */
	CHECK_EQ(ref_e4m3_encode(0.0155f), 0x08);      /* 7.94 subnormal steps: rounds up to 2^-6 */
	/* 15.5 = 1.9375 x 2^3: mantissa 7.5 eighths, tie to even 8: carries to 1.0 x 2^4 = 16 */
	CHECK_EQ(ref_e4m3_encode(15.5f), 0x58);
}

/* Every finite code decodes and encodes back to itself. */
static void t_e4m3_roundtrip(void)
{
	int b, bad = 0;

	for (b = 0; b < 256; b++) {
		float v = ref_e4m3_decode((uint8_t)b);
		if (!isnan(v) && ref_e4m3_encode(v) != b && !bad++)
			printf("#   code 0x%02X -> %g -> 0x%02X\n", b, v, ref_e4m3_encode(v));
	}
	CHECK_EQ(bad, 0);
}

static void t_bf16(void)
{
	CHECK_EQ(ref_bf16_encode(1.0f), 0x3F80);
	CHECK_EQ(ref_bf16_encode(-2.0f), 0xC000);
	/* 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even, 1 */
	CHECK_EQ(ref_bf16_round(1.0f + 0x1p-8f), 1.0);
	/* 1 + 3 2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6: even, 1 + 2^-6 */
	CHECK_EQ(ref_bf16_round(1.0f + 3 * 0x1p-8f), 1.0 + 0x1p-6);
	CHECK_EQ(ref_bf16_decode(0x4040), 3.0);
	CHECK(isnan(ref_bf16_decode(ref_bf16_encode(NAN))));
}

/* ==== GEMM ================================================================= */

/*
 * x = [1 2 3; 4 5 6], W = [1 0 -1; 2 1 0], y = x W^T:
 *   y00 = 1 - 3 = -2, y01 = 2 + 2 = 4, y10 = 4 - 6 = -2, y11 = 8 + 5 = 13.
 */
static void t_gemm_tn(void)
{
	const float x[6] = {1, 2, 3, 4, 5, 6}, w[6] = {1, 0, -1, 2, 1, 0};
	float y[4];

	ref_gemm_tn(2, 2, 3, x, w, y);
	CHECK_EQ(y[0], -2);
	CHECK_EQ(y[1], 4);
	CHECK_EQ(y[2], -2);
	CHECK_EQ(y[3], 13);
}

/*
 * K = 256, two 128-blocks; x all 1.0 (0x38), w all 2.0 (0x40); x scales
 * (0.5, 2), w scales (3, 0.25):
 *   block 0: 0.5 x 3 x 128 x 2 = 384;  block 1: 2 x 0.25 x 128 x 2 = 128;  sum 512.
 * K = 200: the second block has 72 elements: 384 + 2 x 0.25 x 72 x 2 = 456.
 */
static void t_fp8_block_dot(void)
{
	uint8_t x[256], w[256];
	const float xs[2] = {0.5f, 2.0f}, ws[2] = {3.0f, 0.25f};

	memset(x, 0x38, sizeof x);
	memset(w, 0x40, sizeof w);
	CHECK_EQ(ref_fp8_block_dot(256, x, xs, w, ws), 512);
	CHECK_EQ(ref_fp8_block_dot(200, x, xs, w, ws), 456);
}

/* ==== MLA decode ============================================================ */

/*
 * A 2-token softmax by hand: d_k = 2, d_v = 1, page 2, scale 1, q = (1, 0).
 * Token 0 caches (0, 5), token 1 (ln 3, 7): scores 0 and ln 3, weights
 * 1/(1+3) and 3/(1+3), V = first column: out = 3/4 ln 3 = 0.823959...;
 * lse = ln(1 + 3) = ln 4.
 */
static void t_mla_two_tokens(void)
{
	const float q[2] = {1, 0}, kv[4] = {0, 5, (float)log(3.0), 7};
	const int table[1] = {0}, lens[1] = {2};
	struct ref_mla p = {1, 1, 1, 2, 1, 2, 1, 1.0f, q, kv, table, lens};
	float out[1], lse[1];

	CHECK(ref_mla_decode(&p, out, lse) == 0);
	CHECK_NEAR(out[0], 0.75 * log(3.0), 1e-6);
	CHECK_NEAR(lse[0], log(4.0), 1e-6);
}

/*
 * Paging: three tokens in pages of 2 placed at physical pages 1 and 0
 * (block_table (1, 0)) give what the same tokens in order give.
 * Tokens (scores with q = (1, 0), scale 1): 0, ln 3, ln 4 -> weights 1/8,
 * 3/8, 4/8; V = scores: out = (3 ln 3 + 4 ln 4) / 8.
 */
static void t_mla_paging(void)
{
	const float q[2] = {1, 0};
	const float l3 = (float)log(3.0), l4 = (float)log(4.0);
	const float inorder[8] = {0, 0, l3, 0, l4, 0, 9, 9};
	const float swapped[8] = {l4, 0, 9, 9, 0, 0, l3, 0};   /* page 0 holds token 2 */
	const int t_in[2] = {0, 1}, t_sw[2] = {1, 0}, lens[1] = {3};
	struct ref_mla a = {1, 1, 1, 2, 1, 2, 2, 1.0f, q, inorder, t_in, lens};
	struct ref_mla b = {1, 1, 1, 2, 1, 2, 2, 1.0f, q, swapped, t_sw, lens};
	float oa[1], ob[1];

	CHECK(ref_mla_decode(&a, oa, NULL) == 0 && ref_mla_decode(&b, ob, NULL) == 0);
	CHECK_NEAR(oa[0], (3 * log(3.0) + 4 * log(4.0)) / 8, 1e-6);
	CHECK_EQ(oa[0], ob[0]);
}

/* Random DeepSeek-sized data: 2 requests, s_q 2, 4 heads, lengths 150 and 97. */
struct mla_case {
	float *q, *kv;
	int table[2 * 3], lens[2];
	struct ref_mla p;
};

static int mla_case_init(struct mla_case *c)
{
	size_t nq = 2 * 2 * 4 * 576, nkv = 6 * 64 * 576, i;
	int t;

	c->q = malloc(nq * sizeof *c->q);
	c->kv = malloc(nkv * sizeof *c->kv);
	if (!c->q || !c->kv)
		return -1;
	for (i = 0; i < nq; i++)
		c->q[i] = ref_bf16_round((float)(lcg_uniform() * 2 - 1));
	for (i = 0; i < nkv; i++)
		c->kv[i] = ref_bf16_round((float)(lcg_uniform() * 2 - 1));
	for (t = 0; t < 6; t++)
		c->table[t] = (t * 5 + 2) % 6;       /* a shuffled page order */
	c->lens[0] = 150;
	c->lens[1] = 97;
	c->p = (struct ref_mla){2, 2, 4, 576, 512, 64, 3, 1.0f / sqrtf(192.0f), c->q, c->kv,
				c->table, c->lens};
	return 0;
}

/* The combine of splits [0,64), [64,100), [100,150) equals the unsplit result. */
static void t_mla_combine_equals_unsplit(void)
{
	struct mla_case c;
	int rows = 2 * 4, cut[4] = {0, 64, 100, 150}, i;
	float *whole = malloc(sizeof(float) * 2 * rows * 512), *part = malloc(sizeof(float) * 3 * rows * 512);
	float lse_whole[16], lse2[3 * 8], merged[8 * 512], merged_lse2[8];
	double worst = 0;

	if (!whole || !part || mla_case_init(&c)) {
		CHECK(!"out of memory");
		goto end;
	}
	CHECK(ref_mla_decode(&c.p, whole, lse_whole) == 0);
	for (i = 0; i < 3; i++)
		CHECK(ref_mla_partial(&c.p, 0, cut[i], cut[i + 1], part + (size_t)i * rows * 512,
				      lse2 + i * rows) == 0);
	ref_mla_combine(3, rows, 512, lse2, part, merged, merged_lse2);
	for (i = 0; i < rows * 512; i++)
		worst = fmax(worst, fabs(merged[i] - whole[i]));
	CHECK_NEAR(worst, 0, 1e-6);
	/* the merged base-2 LSE is the natural one times log2 e */
	for (i = 0; i < rows; i++)
		CHECK_NEAR(merged_lse2[i], lse_whole[i] * 1.4426950408889634, 1e-5);
end:
	free(whole);
	free(part);
	free(c.q);
	free(c.kv);
}

/* An empty split (lse -inf, o 0) changes nothing in the combine. */
static void t_mla_combine_empty(void)
{
	const float lse2[2] = {-INFINITY, 1.5f}, o[2 * 2] = {0, 0, 0.25f, -3};
	float out[2], l;

	ref_mla_combine(2, 1, 2, lse2, o, out, &l);
	CHECK_EQ(out[0], 0.25);
	CHECK_EQ(out[1], -3);
	CHECK_EQ(l, 1.5);
}

/*
 * FlashMLA's counts for one request, s_q 1, 128 heads, L 1:
 *   FLOPs 128 x 1 x 2 x (576 + 512) = 278,528
 *   bytes 128 x 576 x 2 + 1,152 + 128 x 512 x 2 = 147,456 + 1,152 + 131,072 = 279,680
 * and for two requests of 4096 and 1024 tokens in FP8 (656 B/token):
 *   FLOPs 128 x 5120 x 2176 = 1,426,063,360; bytes 2 x 278,528 + 5120 x 656 = 3,915,776
 */
static void t_mla_counts(void)
{
	const int one[1] = {1}, two[2] = {4096, 1024};

	CHECK_EQ(ref_mla_flops(1, 1, 128, 576, 512, one), 278528);
	CHECK_EQ(ref_mla_bytes(1, 1, 128, 576, 512, one, 1152), 279680);
	CHECK_EQ(ref_mla_flops(2, 1, 128, 576, 512, two), 1426063360.0);
	CHECK_EQ(ref_mla_bytes(2, 1, 128, 576, 512, two, 656), 3915776);
}

/* ==== the roofline fit ====================================================== */

#define H100_BF16 989e12
#define H100_FP8 1979e12
#define H100_HBM 3350e9

/* Work of a TN GEMM: 2MNK FLOPs; bytes of x, W and y. */
static struct calib_point gemm_point(double m, double n, double k, double in_bytes,
				     double scale_bytes)
{
	struct calib_point p;

	p.flops = 2 * m * n * k;
	p.bytes = (m * k + n * k) * in_bytes + 2 * m * n + scale_bytes;
	p.t_s = 0;
	return p;
}

/* t = max(F/(ec peak), B/(em bw)) + t0: the model being fitted. */
static double roof_time(const struct calib_point *p, double peak, double bw, double ec,
			double em, double t0)
{
	return fmax(p->flops / (ec * peak), p->bytes / (em * bw)) + t0;
}

static const double gemm_nk[][2] = {
	{2112, 7168}, {24576, 1536}, {32768, 512}, {7168, 16384}, {4096, 7168}, {7168, 2048},
};

/* DeepSeek-V3 shapes x M = 1 .. 16384 plus 8192^3: 91 points. */
static int gemm_points(struct calib_point *pts, double in_bytes)
{
	int n = 0, s, e;

	for (s = 0; s < 6; s++)
		for (e = 0; e <= 14; e++)
			pts[n++] = gemm_point(ldexp(1, e), gemm_nk[s][0], gemm_nk[s][1], in_bytes, 0);
	pts[n++] = gemm_point(8192, 8192, 8192, in_bytes, 0);
	return n;
}

/* Timings made from known efficiencies are fitted back exactly. */
static void t_fit_exact(void)
{
	struct calib_point pts[100];
	struct calib_fit f;
	int n = gemm_points(pts, 2), i;

	for (i = 0; i < n; i++)
		pts[i].t_s = roof_time(&pts[i], H100_BF16, H100_HBM, 0.7, 0.85, 4e-6);
	CHECK(calib_fit_roofline(pts, n, H100_BF16, H100_HBM, 0.5, 0.5, &f) == 0);
	CHECK_REL(f.eff_compute, 0.7, 1e-9);
	CHECK_REL(f.eff_mem, 0.85, 1e-9);
	CHECK_REL(f.t0_s, 4e-6, 1e-9);
	CHECK_NEAR(f.rmse_rel, 0, 1e-12);
	CHECK_EQ(f.n_points, 91);
	CHECK(f.n_compute > 10 && f.n_memory > 10);
	CHECK(!f.fixed_compute && !f.fixed_mem);
}

/*
 * Multiplicative noise, uniform in +-3% per point, as run-to-run spread:
 * stated tolerance 2% on each efficiency and 1 us on t0 (91 points average
 * the noise down; the worst point stays within about 3% of the fit).
 */
static void t_fit_noisy(void)
{
	struct calib_point pts[100];
	struct calib_fit f;
	int n = gemm_points(pts, 1), i;

	lcg_state = 12345;
	for (i = 0; i < n; i++)
		pts[i].t_s = roof_time(&pts[i], H100_FP8, H100_HBM, 0.58, 0.8, 6e-6) *
			     (1 + 0.06 * (lcg_uniform() - 0.5));
	CHECK(calib_fit_roofline(pts, n, H100_FP8, H100_HBM, NAN, NAN, &f) == 0);
	CHECK_REL(f.eff_compute, 0.58, 0.02);
	CHECK_REL(f.eff_mem, 0.8, 0.02);
	CHECK_NEAR(f.t0_s, 6e-6, 1e-6);
	CHECK(f.rmse_rel < 0.03 && f.max_rel < 0.05);
}

/* Streaming kernels do no FLOPs: eff_mem and t0 are fitted, eff_compute is
 * not, and keeps the default given (0.79) and says so. */
static void t_fit_memory_only(void)
{
	struct calib_point pts[8];
	struct calib_fit f;
	int i;

	for (i = 0; i < 8; i++) {
		pts[i].flops = 0;
		pts[i].bytes = ldexp(1, 28 + i);
		pts[i].t_s = pts[i].bytes / (0.88 * H100_HBM) + 3e-6;
	}
	CHECK(calib_fit_roofline(pts, 8, H100_BF16, H100_HBM, 0.79, 0.5, &f) == 0);
	CHECK_REL(f.eff_mem, 0.88, 1e-9);
	CHECK_REL(f.t0_s, 3e-6, 1e-6);
	CHECK_EQ(f.eff_compute, 0.79);
	CHECK(f.fixed_compute && !f.fixed_mem && f.n_memory == 8);
}

/* Faster than the spec sheet (data in L2) cannot give an efficiency above 1:
 * the fit pins it to 1 and the residual shows the misfit. */
static void t_fit_bounds(void)
{
	struct calib_point pts[6];
	struct calib_fit f;
	int i;

	for (i = 0; i < 6; i++) {
		pts[i].flops = 0;
		pts[i].bytes = 1e6 * (i + 1);
		pts[i].t_s = pts[i].bytes / (1.5 * H100_HBM);
	}
	CHECK(calib_fit_roofline(pts, 6, H100_BF16, H100_HBM, NAN, NAN, &f) == 0);
	CHECK_EQ(f.eff_mem, 1);
	CHECK(f.t0_s >= 0);
	CHECK(f.eff_compute > 0 && f.eff_compute <= 1);
}

static void t_fit_degenerate(void)
{
	struct calib_point p[2] = {{1e9, 1e6, 1e-3}, {2e9, 2e6, 2e-3}};
	struct calib_fit f;

	CHECK(calib_fit_roofline(p, 1, H100_BF16, H100_HBM, NAN, NAN, &f) == -1);
	CHECK(calib_fit_roofline(p, 2, 0, H100_HBM, NAN, NAN, &f) == -1);
	p[1].t_s = 0;
	CHECK(calib_fit_roofline(p, 2, H100_BF16, H100_HBM, NAN, NAN, &f) == -1);
	p[1].t_s = NAN;
	CHECK(calib_fit_roofline(p, 2, H100_BF16, H100_HBM, NAN, NAN, &f) == -1);
	p[1].t_s = 1e-300;      /* 1/t^2 would overflow */
	CHECK(calib_fit_roofline(p, 2, H100_BF16, H100_HBM, NAN, NAN, &f) == -1);
	p[1].t_s = 2e-3;
	p[1].flops = p[1].bytes = 0;
	CHECK(calib_fit_roofline(p, 2, H100_BF16, H100_HBM, NAN, NAN, &f) == -1);
}

/* ==== synthetic results (the fixture) ======================================== */

/*
 * The efficiencies the synthetic records are made from (against the H100 SXM
 * card's peaks: 989 TF BF16, 1979 TF FP8, 3350 GB/s).  Invented for the
 * tests, not measured.
 */
struct synth { double ec, em, t0; };
static const struct synth S_GEMM_BF16 = {0.80, 0.86, 5e-6};
static const struct synth S_GEMM_FP8_BLK = {0.57, 0.82, 6e-6};
static const struct synth S_GEMM_FP8_TENSOR = {0.63, 0.78, 5e-6};
static const struct synth S_MLA_BF16 = {0.35, 0.55, 9e-6};
static const struct synth S_MLA_FP8 = {0.30, 0.45, 10e-6};
static const struct synth S_MOE_FP8 = {0.48, 0.74, 12e-6};
#define S_HBM_EFF 0.88
#define S_HBM_T0 3e-6
#define S_L2_SPEEDUP 2.5          /* L2-resident streams run 2.5x the HBM spec */
#define S_IDLE_W 95.0
#define S_E_BF16 0.30e-12         /* J per FLOP */
#define S_E_FP8 0.17e-12
#define S_E_BYTE 45e-12           /* J per HBM byte */

static cJSON *synth_record(cJSON *arr, const char *probe, const char *id, double flops,
			   double bytes_read, double bytes_written, double t)
{
	cJSON *r = cJSON_CreateObject(), *o;

	cJSON_AddStringToObject(r, "probe", probe);
	cJSON_AddStringToObject(r, "id", id);
	cJSON_AddStringToObject(r, "status", "ok");
	cJSON_AddObjectToObject(r, "params");
	o = cJSON_AddObjectToObject(r, "work");
	cJSON_AddNumberToObject(o, "flops", flops);
	cJSON_AddNumberToObject(o, "bytes_read", bytes_read);
	cJSON_AddNumberToObject(o, "bytes_written", bytes_written);
	o = cJSON_AddObjectToObject(r, "timing");
	cJSON_AddStringToObject(o, "method", "synthetic: computed from known efficiencies");
	cJSON_AddNumberToObject(o, "median_s", t);
	cJSON_AddStringToObject(r, "provenance", PROV);
	cJSON_AddItemToArray(arr, r);
	return r;
}

static cJSON *params(cJSON *r)
{
	return cJSON_GetObjectItemCaseSensitive(r, "params");
}

static void synth_gemm(cJSON *arr, const char *probe, const char *scale, const struct synth *s,
		       double peak, double in_bytes)
{
	int sh, e;
	char id[128];

	for (sh = 0; sh <= 6; sh++)
		for (e = 0; e <= 14; e++) {
			double m = sh < 6 ? ldexp(1, e) : 8192, n = sh < 6 ? gemm_nk[sh][0] : 8192;
			double k = sh < 6 ? gemm_nk[sh][1] : 8192;
			/* FP8 block scales: 1x128 per activation row, 128x128 per weight block, fp32 */
			double sb = scale ? 4 * (m * ceil(k / 128) + ceil(n / 128) * ceil(k / 128)) : 0;
			struct calib_point p = gemm_point(m, n, k, in_bytes, sb);
			cJSON *r;
			if (sh == 6 && e > 0)
				break;
			snprintf(id, sizeof id, "%s/m=%g,n=%g,k=%g%s%s", probe, m, n, k,
				 scale ? ",scale=" : "", scale ? scale : "");
			r = synth_record(arr, probe, id, p.flops, (m * k + n * k) * in_bytes + sb,
					 2 * m * n, roof_time(&p, peak, H100_HBM, s->ec, s->em, s->t0));
			cJSON_AddNumberToObject(params(r), "m", m);
			cJSON_AddNumberToObject(params(r), "n", n);
			cJSON_AddNumberToObject(params(r), "k", k);
			if (scale) {
				cJSON_AddStringToObject(params(r), "scale", scale);
				cJSON_AddNumberToObject(params(r), "fast_accum", 0);
			}
		}
}

static void synth_mla(cJSON *arr, const char *kv, double kv_bytes, const struct synth *s)
{
	static const int heads[] = {128, 64, 32, 16}, batch[] = {1, 8, 32, 128};
	static const int ctx[] = {1024, 4096, 16384};
	int h, b, l, i, lens[128];
	char id[128];

	for (h = 0; h < 4; h++)
		for (b = 0; b < 4; b++)
			for (l = 0; l < 3; l++) {
				struct calib_point p = {0};    /* t_s: roof_time's, below */
				cJSON *r;
				for (i = 0; i < batch[b]; i++)
					lens[i] = ctx[l];
				p.flops = ref_mla_flops(batch[b], 1, heads[h], 576, 512, lens);
				p.bytes = ref_mla_bytes(batch[b], 1, heads[h], 576, 512, lens, kv_bytes);
				snprintf(id, sizeof id, "mla_decode/h_q=%d,s_q=1,b=%d,L=%d,kv=%s",
					 heads[h], batch[b], ctx[l], kv);
				r = synth_record(arr, "mla_decode", id, p.flops,
						 p.bytes - (double)batch[b] * heads[h] * 512 * 2,
						 (double)batch[b] * heads[h] * 512 * 2,
						 roof_time(&p, H100_BF16, H100_HBM, s->ec, s->em, s->t0));
				cJSON_AddNumberToObject(params(r), "h_q", heads[h]);
				cJSON_AddNumberToObject(params(r), "s_q", 1);
				cJSON_AddNumberToObject(params(r), "b", batch[b]);
				cJSON_AddNumberToObject(params(r), "L", ctx[l]);
				cJSON_AddStringToObject(params(r), "kv", kv);
				cJSON_AddStringToObject(params(r), "lengths", "fixed");
			}
}

/*
 * MoE gate+up and down GEMMs of DeepSeek-V3 (7168 -> 2 x 2048 -> 7168) for
 * E_local = 256/EP experts, FP8 weights: token-expert copies c on this GPU,
 * experts touched min(E_local, c); skewed routing takes 1.3x the balanced time.
 */
static void synth_moe(cJSON *arr)
{
	static const int eps[] = {8, 32};
	static const double copies[] = {8, 64, 512, 4096, 32768};
	const double wexp = 7168.0 * 4096 + 2048.0 * 7168;   /* weights per expert, 1 B each */
	int e, c, skew;
	char id[128];

	for (e = 0; e < 2; e++)
		for (c = 0; c < 5; c++)
			for (skew = 0; skew < 2; skew++) {
				double el = 256 / eps[e], touched = fmin(el, copies[c]);
				struct calib_point p = {0};    /* t_s: roof_time's, below */
				cJSON *r;
				p.flops = 2 * copies[c] * wexp;
				p.bytes = touched * wexp + copies[c] * (7168 + 4096 + 2048) +
					  copies[c] * (4096 + 7168) * 2;
				snprintf(id, sizeof id, "moe_gemm/ep=%d,copies=%g,routing=%s", eps[e],
					 copies[c], skew ? "power_law_1.2" : "balanced");
				r = synth_record(arr, "moe_gemm", id, p.flops,
						 touched * wexp + copies[c] * (7168 + 4096 + 2048),
						 copies[c] * (4096 + 7168) * 2,
						 roof_time(&p, H100_FP8, H100_HBM, S_MOE_FP8.ec, S_MOE_FP8.em,
							   S_MOE_FP8.t0) * (skew ? 1.3 : 1));
				cJSON_AddNumberToObject(params(r), "ep", eps[e]);
				cJSON_AddNumberToObject(params(r), "e_local", el);
				cJSON_AddNumberToObject(params(r), "copies", copies[c]);
				cJSON_AddNumberToObject(params(r), "tokens_per_expert", copies[c] / el);
				cJSON_AddStringToObject(params(r), "dtype", "fp8");
				cJSON_AddStringToObject(params(r), "routing", skew ? "power_law_1.2" : "balanced");
			}
}

/* STREAM kernels, 256 KiB .. 4 GiB per array; L2 (50 MB) resident sets run faster. */
static void synth_hbm(cJSON *arr)
{
	static const char *const kern[] = {"read", "write", "copy", "scale", "add", "triad"};
	static const int rd[] = {1, 0, 1, 1, 2, 2}, wr[] = {0, 1, 1, 1, 1, 1};
	int k, e;
	char id[96];

	for (k = 0; k < 6; k++)
		for (e = 18; e <= 32; e += 2) {
			double a = ldexp(1, e), bytes = a * (rd[k] + wr[k]);
			double bw = bytes <= 50e6 ? S_L2_SPEEDUP * H100_HBM : S_HBM_EFF * H100_HBM;
			cJSON *r;
			snprintf(id, sizeof id, "hbm/%s,bytes_per_array=%.0f", kern[k], a);
			r = synth_record(arr, "hbm", id, 0, a * rd[k], a * wr[k], bytes / bw + S_HBM_T0);
			cJSON_AddStringToObject(params(r), "kernel", kern[k]);
			cJSON_AddStringToObject(params(r), "class", "stream");
			cJSON_AddNumberToObject(params(r), "bytes_per_array", a);
			cJSON_AddNumberToObject(params(r), "arrays", rd[k] + wr[k]);
		}
}

static void synth_launch_power(cJSON *arr)
{
	static const char *const modes[] = {"stream", "graph", "cold"};
	static const double lat[] = {2.4e-6, 1.1e-6, 45e-6};
	/* steady loops: (workload, dtype, FLOPs/iter, bytes/iter, s/iter) */
	static const struct { const char *wl, *dt; double f, b, t; } pw[] = {
		{"hbm_triad", "none", 0, 3 * 1073741824.0, 3 * 1073741824.0 / (0.88 * H100_HBM)},
		{"gemm_bf16_8192", "bf16", 2 * 8192.0 * 8192 * 8192, 3 * 2 * 8192.0 * 8192, 1.4e-3},
		{"gemm_fp8_8192", "fp8", 2 * 8192.0 * 8192 * 8192, 4 * 8192.0 * 8192, 0.95e-3},
		{"gemm_bf16_m64", "bf16", 2 * 64 * 7168.0 * 16384, 2 * 7168.0 * 16384, 95e-6},
	};
	int i;
	char id[64];
	cJSON *r, *p;

	for (i = 0; i < 3; i++) {
		snprintf(id, sizeof id, "launch/%s", modes[i]);
		r = synth_record(arr, "launch", id, 0, 0, 0, lat[i]);
		cJSON_AddStringToObject(params(r), "mode", modes[i]);
	}
	r = synth_record(arr, "power", "power/idle", 0, 0, 0, 1);
	cJSON_AddStringToObject(params(r), "workload", "idle");
	p = cJSON_AddObjectToObject(r, "power");
	cJSON_AddNumberToObject(p, "avg_w", S_IDLE_W);
	cJSON_AddNumberToObject(p, "window_s", 2);
	for (i = 0; i < 4; i++) {
		double w = S_IDLE_W + (strcmp(pw[i].dt, "fp8") == 0 ? S_E_FP8 : S_E_BF16) * pw[i].f / pw[i].t +
			   S_E_BYTE * pw[i].b / pw[i].t;
		snprintf(id, sizeof id, "power/%s", pw[i].wl);
		r = synth_record(arr, "power", id, pw[i].f, pw[i].b, 0, pw[i].t);
		cJSON_AddStringToObject(params(r), "workload", pw[i].wl);
		cJSON_AddStringToObject(params(r), "dtype", pw[i].dt);
		p = cJSON_AddObjectToObject(r, "power");
		cJSON_AddNumberToObject(p, "avg_w", w);
		cJSON_AddNumberToObject(p, "idle_w", S_IDLE_W);
		cJSON_AddNumberToObject(p, "window_s", 5);
		cJSON_AddNumberToObject(p, "capped_frac", 0);
	}
	/* one GPU: the multi-GPU probes say so and carry no numbers */
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "probe", "alltoall");
	cJSON_AddStringToObject(r, "id", "alltoall");
	cJSON_AddStringToObject(r, "status", "skipped_single_gpu");
	cJSON_AddStringToObject(r, "provenance", PROV);
	cJSON_AddItemToArray(arr, r);
}

/* A whole results document, made from the known efficiencies above. */
static cJSON *synth_doc(void)
{
	cJSON *d = cJSON_CreateObject(), *o, *arr;

	cJSON_AddStringToObject(d, "schema", CALIB_SCHEMA);
	cJSON_AddStringToObject(d, "status", "ok");
	cJSON_AddStringToObject(d, "provenance", PROV);
	cJSON_AddStringToObject(d, "note",
				"SYNTHETIC TEST FIXTURE: every time below is computed from invented efficiencies "
				"(tests/unit_probes.c synth_doc); nothing here was measured on any GPU");
	cJSON_AddArrayToObject(d, "errors");
	cJSON_AddStringToObject(d, "created", "2000-01-01T00:00:00Z");
	o = cJSON_AddObjectToObject(d, "tool");
	cJSON_AddStringToObject(o, "name", "unit_probes --write-fixture");
	cJSON_AddStringToObject(o, "version", "synthetic");
	o = cJSON_AddObjectToObject(d, "device");
	cJSON_AddNumberToObject(o, "index", 0);
	cJSON_AddStringToObject(o, "name", "SYNTHETIC TEST FIXTURE (not a measurement)");
	cJSON_AddNumberToObject(o, "sms", 132);
	cJSON_AddNumberToObject(o, "l2_bytes", 50e6);
	cJSON_AddNumberToObject(o, "n_gpus_visible", 1);
	o = cJSON_AddObjectToObject(d, "spec");
	cJSON_AddStringToObject(o, "source", "synthetic: the H100 SXM card's peaks");
	cJSON_AddNumberToObject(o, "hbm_Bps", H100_HBM);
	o = cJSON_AddObjectToObject(o, "tc_flops");
	cJSON_AddNumberToObject(o, "bf16", H100_BF16);
	cJSON_AddNumberToObject(o, "fp8", H100_FP8);
	arr = cJSON_AddArrayToObject(d, "probes");
	synth_launch_power(arr);
	synth_hbm(arr);
	synth_gemm(arr, "gemm_bf16", NULL, &S_GEMM_BF16, H100_BF16, 2);
	synth_gemm(arr, "gemm_fp8", "blk128", &S_GEMM_FP8_BLK, H100_FP8, 1);
	synth_gemm(arr, "gemm_fp8", "tensor", &S_GEMM_FP8_TENSOR, H100_FP8, 1);
	synth_mla(arr, "bf16", 1152, &S_MLA_BF16);
	synth_mla(arr, "fp8", 576, &S_MLA_FP8);
	synth_moe(arr);
	return d;
}

/* ==== parsing and building the calibration =================================== */

static const cJSON *path2(const cJSON *o, const char *a, const char *b)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, a), b);
}

static double fitv(const cJSON *calib, const char *sec, const char *var, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(path2(calib, sec, var), "fit"), key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static void check_fit_at(const cJSON *calib, const char *sec, const char *var,
			 const struct synth *s, int line)
{
	char what[96];

	snprintf(what, sizeof what, "%s.%s eff_compute", sec, var);
	check_num_at(fitv(calib, sec, var, "eff_compute"), s->ec, 1e-6, 1, what, __FILE__, line);
	snprintf(what, sizeof what, "%s.%s eff_mem", sec, var);
	check_num_at(fitv(calib, sec, var, "eff_mem"), s->em, 1e-6, 1, what, __FILE__, line);
	snprintf(what, sizeof what, "%s.%s t0_s", sec, var);
	check_num_at(fitv(calib, sec, var, "t0_s"), s->t0, 1e-6, 1, what, __FILE__, line);
}

#define CHECK_FIT(c, sec, var, s) check_fit_at((c), (sec), (var), (s), __LINE__)

static void h100_peaks(struct calib_peaks *pk)
{
	struct hw h;
	struct err e;

	memset(&e, 0, sizeof e);
	if (hw_load("hw/h100-sxm.json", NULL, 0, &h, &e)) {
		printf("#   cannot load hw/h100-sxm.json: %s\n", e.msg);
		t_failed++;
		memset(pk, 0, sizeof *pk);
		return;
	}
	calib_peaks_from_hw(&h, pk);
}

/* Every section the synthetic records feed comes back with the efficiencies
 * they were made from. */
static void t_build_recovers_synthetic(void)
{
	struct calib_peaks pk;
	struct err e;
	cJSON *doc = synth_doc(), *calib = NULL;
	const cJSON *v;

	memset(&e, 0, sizeof e);
	h100_peaks(&pk);
	CHECK(calib_build(doc, "synthetic", &pk, &calib, &e) == 0);
	if (!calib) {
		printf("#   %s\n", e.msg);
		cJSON_Delete(doc);
		return;
	}
	CHECK_FIT(calib, "gemm", "bf16", &S_GEMM_BF16);
	CHECK_FIT(calib, "gemm", "fp8_block", &S_GEMM_FP8_BLK);
	CHECK_FIT(calib, "gemm", "fp8_tensor", &S_GEMM_FP8_TENSOR);
	CHECK_FIT(calib, "attention_decode", "bf16", &S_MLA_BF16);
	{
		/* fitted against the FP8 peak (the engine's attention_decode_fp8
		 * class): the same times at half the share of a peak twice as high */
		struct synth at_fp8 = S_MLA_FP8;
		at_fp8.ec = S_MLA_FP8.ec * H100_BF16 / H100_FP8;
		CHECK_FIT(calib, "attention_decode", "fp8", &at_fp8);
	}
	CHECK_FIT(calib, "moe", "fp8_block", &S_MOE_FP8);
	CHECK_REL(fitv(calib, "elementwise", "bf16", "eff_mem"), S_HBM_EFF, 1e-6);
	CHECK_REL(fitv(calib, "elementwise", "bf16", "t0_s"), S_HBM_T0, 1e-6);
	/* no FLOPs in a stream: eff_compute is the card's (0.79) */
	CHECK_EQ(fitv(calib, "elementwise", "bf16", "eff_compute"), 0.79);
	CHECK_EQ(fitv(calib, "gemm", "bf16", "n_points"), 91);
	CHECK(cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(path2(calib, "gemm", "bf16"), "fit"), "provenance")) &&
	      strcmp(v->valuestring, PROV) == 0);
	/* no MXFP8 records (sm_90): absent, not zeros */
	CHECK(!path2(calib, "gemm", "mxfp8"));
	/* HBM: the median of copy/scale/add/triad at >= 4 x L2 is 0.88 x spec,
	 * less the 3 us each call adds (1.6% at 512 MiB moved, 0.1% at 8 GiB) */
	CHECK_REL(path2(calib, "memory", "hbm_eff")->valuedouble, S_HBM_EFF, 1e-2);
	CHECK(path2(calib, "memory", "hbm_eff")->valuedouble < S_HBM_EFF);
	CHECK(path2(calib, "memory", "l2_bw_Bps") &&
	      path2(calib, "memory", "l2_bw_Bps")->valuedouble > H100_HBM);
	CHECK_EQ(path2(calib, "launch", "stream_launch_s")->valuedouble, 2.4e-6);
	CHECK_EQ(path2(calib, "launch", "graph_node_s")->valuedouble, 1.1e-6);
	CHECK_EQ(path2(calib, "power", "idle_w")->valuedouble, S_IDLE_W);
	v = path2(calib, "power", "e_per_flop_J");
	CHECK_REL(cJSON_GetObjectItemCaseSensitive(v, "bf16")->valuedouble, S_E_BF16, 1e-6);
	CHECK_REL(cJSON_GetObjectItemCaseSensitive(v, "fp8")->valuedouble, S_E_FP8, 1e-6);
	CHECK_REL(path2(calib, "power", "e_per_hbm_byte_J")->valuedouble, S_E_BYTE, 1e-6);
	/* single GPU: no comm section */
	CHECK(!cJSON_GetObjectItemCaseSensitive(calib, "comm"));
	/* the MLA section keeps the production ceiling next to our kernel's fit */
	CHECK(path2(path2(calib, "attention_decode", "bf16"), "reference", "eff_mem"));
	cJSON_Delete(calib);
	cJSON_Delete(doc);
}

/* A failed check or an unsupported configuration never enters a fit, however
 * wild its numbers. */
static void t_build_skips_failed(void)
{
	struct calib_peaks pk;
	struct err e;
	cJSON *doc = synth_doc(), *calib = NULL, *arr = cJSON_GetObjectItemCaseSensitive(doc, "probes");
	cJSON *r;

	memset(&e, 0, sizeof e);
	h100_peaks(&pk);
	r = synth_record(arr, "gemm_bf16", "gemm_bf16/bad", 2e12, 1e9, 1e6, 1e-9);
	cJSON_AddItemToObject(r, "check", cJSON_CreateObject());
	cJSON_AddFalseToObject(cJSON_GetObjectItemCaseSensitive(r, "check"), "ok");
	r = synth_record(arr, "gemm_bf16", "gemm_bf16/unsupported", 2e12, 1e9, 1e6, 1e-9);
	cJSON_ReplaceItemInObjectCaseSensitive(r, "status", cJSON_CreateString("unsupported"));
	CHECK(calib_build(doc, "synthetic", &pk, &calib, &e) == 0);
	CHECK_FIT(calib, "gemm", "bf16", &S_GEMM_BF16);
	cJSON_Delete(calib);
	cJSON_Delete(doc);
}

/* Power without a BF16 point cannot give J/FLOP: the section hw.c reads is not
 * written (it would refuse the card), what was measured is kept aside and the
 * reason is in errors. */
static void t_build_power_incomplete(void)
{
	struct calib_peaks pk;
	struct err e;
	cJSON *doc = synth_doc(), *calib = NULL, *arr = cJSON_GetObjectItemCaseSensitive(doc, "probes"), *rec;
	int i;

	memset(&e, 0, sizeof e);
	h100_peaks(&pk);
	for (i = cJSON_GetArraySize(arr) - 1; i >= 0; i--) {
		rec = cJSON_GetArrayItem(arr, i);
		if (strcmp(cJSON_GetObjectItemCaseSensitive(rec, "probe")->valuestring, "power") == 0 &&
		    strstr(cJSON_GetObjectItemCaseSensitive(rec, "id")->valuestring, "bf16"))
			cJSON_DeleteItemFromArray(arr, i);
	}
	CHECK(calib_build(doc, "synthetic", &pk, &calib, &e) == 0);
	CHECK(!cJSON_GetObjectItemCaseSensitive(calib, "power"));
	CHECK(path2(calib, "power_unfitted", "idle_w") &&
	      path2(calib, "power_unfitted", "idle_w")->valuedouble == S_IDLE_W);
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(calib, "errors")) == 1);
	cJSON_Delete(calib);
	cJSON_Delete(doc);
}

/* What a malformed results file is told. */
static void t_check_messages(void)
{
	struct calib_peaks pk;
	struct err e;
	cJSON *doc = synth_doc(), *calib = NULL;
	cJSON *rec = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "probes"), 1);

	memset(&e, 0, sizeof e);
	h100_peaks(&pk);
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "timing"), "median_s");
	CHECK(calib_check(doc, "r.json", &e) == EXIT_INPUT);
	CHECK_CONTAINS(e.msg, "r.json: 'probes[1].timing.median_s' is missing");
	cJSON_Delete(doc);

	doc = synth_doc();
	memset(&e, 0, sizeof e);
	rec = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "probes"), 200);
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "params"), "scale");
	CHECK(calib_build(doc, "r.json", &pk, &calib, &e) == EXIT_INPUT);
	CHECK_CONTAINS(e.msg, "'probes[200].params.scale' is missing");
	cJSON_Delete(doc);

	doc = synth_doc();
	memset(&e, 0, sizeof e);
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "schema", cJSON_CreateString("other/2"));
	CHECK(calib_check(doc, "r.json", &e) == EXIT_INPUT);
	CHECK_CONTAINS(e.msg, "'schema' must be 'mlasim.calib/1', got 'other/2'");
	cJSON_Delete(doc);

	/* the no-GPU file is valid but has nothing to fit */
	doc = cJSON_Parse("{\"schema\":\"mlasim.calib/1\",\"status\":\"no_gpu\",\"device\":{}}");
	memset(&e, 0, sizeof e);
	CHECK(calib_check(doc, "r.json", &e) == 0);
	CHECK(calib_build(doc, "r.json", &pk, &calib, &e) == EXIT_INPUT);
	CHECK_CONTAINS(e.msg, "found no GPU");
	cJSON_Delete(doc);
}

/* ==== the fixture, the card and the plan ===================================== */

/* ==== the held-out study =================================================== */

/* The H100 SXM card as JSON, the base a calibrated card is built on. */
static cJSON *h100_card_json(void)
{
	struct err e;
	cJSON *root = NULL;

	memset(&e, 0, sizeof e);
	if (jsonx_load("hw/h100-sxm.json", &root, &e)) {
		printf("#   %s\n", e.msg);
		t_failed++;
	}
	return root;
}

static const struct holdout_class *holdout_find(const struct holdout *h, const char *name)
{
	int i;

	for (i = 0; i < h->ncls; i++)
		if (strcmp(h->cls[i].name, name) == 0)
			return &h->cls[i];
	printf("#   no class '%s' in the study\n", name);
	t_failed++;
	return &h->cls[0];
}

/* Exact synthetic timings: every held-out shape is predicted exactly, through
 * the engine for the classes it reads, and the split is every 4th record. */
static void t_holdout_exact(void)
{
	struct calib_peaks pk;
	struct holdout h;
	struct err e;
	cJSON *doc = synth_doc(), *base = h100_card_json();
	const struct holdout_class *k;
	int found = 0;

	memset(&e, 0, sizeof e);
	h100_peaks(&pk);
	if (!base || holdout_run(doc, "synthetic", base, "hw/h100-sxm.json", &pk, 4, &h, &e)) {
		printf("#   %s\n", e.msg);
		t_failed++;
		cJSON_Delete(doc);
		cJSON_Delete(base);
		return;
	}
	/* 6 shapes x 15 m + 8192^3 = 91 GEMMs: positions 2, 6, ..., 86 held out,
	 * not 90, the last (8192^3), which stays in the fit */
	k = holdout_find(&h, "gemm.bf16");
	CHECK_EQ(k->n_fit, 69);
	CHECK_EQ(k->n_held, 22);
	CHECK_EQ(k->kclass, K_GEMM_BF16);
	CHECK(k->own);
	CHECK_NEAR(k->worst, 0, 1e-9);
	CHECK_EQ(holdout_find(&h, "gemm.fp8_block")->kclass, K_GEMM_FP8_BLOCK);
	CHECK_EQ(holdout_find(&h, "attention_decode.bf16")->kclass, K_ATTN_DECODE);
	CHECK_EQ(holdout_find(&h, "moe.fp8_block")->kclass, K_MOE);
	CHECK_EQ(holdout_find(&h, "elementwise.bf16")->kclass, -1);   /* no operator uses it */
	/* per-tensor FP8 and fp8-cache MLA have classes of their own: exact too */
	k = holdout_find(&h, "gemm.fp8_tensor");
	CHECK(k->kclass == K_GEMM_FP8 && k->own);
	CHECK_NEAR(k->worst, 0, 1e-9);
	k = holdout_find(&h, "attention_decode.fp8");
	CHECK(k->kclass == K_ATTN_DECODE_FP8 && k->own);
	CHECK_NEAR(k->worst, 0, 1e-9);
	(void)found;
	/* held: 5 of 20 large HBM streams, 22 of each of three GEMM sweeps, 12 of
	 * each of two MLA grids of 48, 2 of 10 balanced MoE points */
	CHECK_EQ(h.nrows, 5 + 3 * 22 + 2 * 12 + 2);
	CHECK_EQ(h.n_unpredicted, 0);
	CHECK_NEAR(h.median_abs, 0, 1e-9);
	CHECK_NEAR(h.engine_gap, 0, 1e-12);
	holdout_free(&h);
	cJSON_Delete(doc);
	cJSON_Delete(base);
}

/* Seven BF16 GEMMs at (0.5, 0.5, 10 us); stride 2 fits 0, 2, 4, 6 (two on
 * each roof: exact) and predicts 1 (exact), 3 (measured 1.25x the roofline:
 * err = 1/1.25 - 1 = -0.2) and 5 (0.8x: err = 1/0.8 - 1 = +0.25), so the
 * median |err| is 0.2 and the worst +0.25. */
static void t_holdout_by_hand(void)
{
	static const double shapes[7][4] = {   /* m, n, k, measured / roofline */
		{1, 8192, 8192, 1}, {2, 8192, 8192, 1}, {4, 8192, 8192, 1},
		{8192, 8192, 8192, 1.25}, {4096, 8192, 8192, 1}, {8192, 8192, 4096, 0.8},
		{8192, 4096, 8192, 1},
	};
	struct calib_peaks pk;
	struct holdout h;
	struct err e;
	cJSON *doc = synth_doc(), *base = h100_card_json(), *arr = cJSON_CreateArray();
	char id[64];
	int i;

	memset(&e, 0, sizeof e);
	h100_peaks(&pk);
	for (i = 0; i < 7; i++) {
		struct calib_point p = gemm_point(shapes[i][0], shapes[i][1], shapes[i][2], 2, 0);
		snprintf(id, sizeof id, "gemm %d", i);
		synth_record(arr, "gemm_bf16", id, p.flops, p.bytes, 0,
			     shapes[i][3] * roof_time(&p, H100_BF16, H100_HBM, 0.5, 0.5, 10e-6));
	}
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "probes", arr);
	if (!base || holdout_run(doc, "by-hand", base, "hw/h100-sxm.json", &pk, 2, &h, &e)) {
		printf("#   %s\n", e.msg);
		t_failed++;
		cJSON_Delete(doc);
		cJSON_Delete(base);
		return;
	}
	CHECK_EQ(h.ncls, 1);
	CHECK_EQ(h.cls[0].n_fit, 4);
	CHECK_EQ(h.nrows, 3);
	CHECK_CONTAINS(h.rows[0].id, "gemm 1");
	CHECK_NEAR(h.rows[0].err, 0, 1e-9);
	CHECK_NEAR(h.rows[1].err, -0.2, 1e-9);
	CHECK_NEAR(h.rows[2].err, 0.25, 1e-9);
	CHECK_NEAR(h.median_abs, 0.2, 1e-9);
	CHECK_NEAR(h.worst, 0.25, 1e-9);
	CHECK_CONTAINS(h.rows[h.worst_row].id, "gemm 5");
	CHECK_NEAR(h.cls[0].median_abs, 0.2, 1e-9);
	holdout_free(&h);

	/* three records: the middle one is held out, two remain to fit */
	cJSON_DeleteItemFromArray(arr, 6);
	cJSON_DeleteItemFromArray(arr, 5);
	cJSON_DeleteItemFromArray(arr, 4);
	cJSON_DeleteItemFromArray(arr, 3);
	CHECK_EQ(holdout_run(doc, "three", base, "hw/h100-sxm.json", &pk, 2, &h, &e), 0);
	CHECK_EQ(h.nrows, 1);
	holdout_free(&h);
	/* two: holding one out would leave the first or the last out */
	cJSON_DeleteItemFromArray(arr, 2);
	CHECK_EQ(holdout_run(doc, "two", base, "hw/h100-sxm.json", &pk, 2, &h, &e), EXIT_INPUT);
	CHECK_CONTAINS(e.msg, "two: no kernel class has the 3 records it takes to hold one out");
	cJSON_Delete(doc);
	cJSON_Delete(base);
}

/* ==== measured against the anchors ======================================== */

static cJSON *anchor_gemm(cJSON *arr, const char *probe, const char *scale, int fast, double tflops)
{
	double f = 2 * 8192.0 * 8192 * 8192;
	cJSON *r = synth_record(arr, probe, probe, f, 3 * 8192.0 * 8192, 2 * 8192.0 * 8192,
				f / (tflops * 1e12));

	cJSON_AddNumberToObject(params(r), "m", 8192);
	cJSON_AddNumberToObject(params(r), "n", 8192);
	cJSON_AddNumberToObject(params(r), "k", 8192);
	if (scale) {
		cJSON_AddStringToObject(params(r), "scale", scale);
		cJSON_AddNumberToObject(params(r), "fast_accum", fast);
	}
	return r;
}

/* An H100 by name: the triad at its largest array (0.9 of 3.35 TB/s), not
 * the faster small one; the faster FP8 accumulation mode (1200 TF >= the
 * 1,100 TF target); an MLA record at half the HBM roofline (share 0.5, just
 * meeting the 50% target, 1.675 TB/s) and one compute-bound at 600 TF, left
 * out of the share. */
static void t_anchors_by_hand(void)
{
	struct calib_peaks pk;
	struct anchor_row rows[ANCHORS_MAX];
	cJSON *doc = synth_doc(), *arr = cJSON_CreateArray(), *r;
	double a = 1 << 30;
	int n;

	h100_peaks(&pk);
	cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "device"), "name",
					       cJSON_CreateString("NVIDIA H100 80GB HBM3"));
	r = synth_record(arr, "hbm", "triad 1 GiB", 0, 2 * a, a, 3 * a / (0.9 * H100_HBM));
	cJSON_AddStringToObject(params(r), "kernel", "triad");
	cJSON_AddNumberToObject(params(r), "bytes_per_array", a);
	r = synth_record(arr, "hbm", "triad 256 MiB", 0, a / 2, a / 4, 0.75 * a / (2 * H100_HBM));
	cJSON_AddStringToObject(params(r), "kernel", "triad");
	cJSON_AddNumberToObject(params(r), "bytes_per_array", a / 4);
	anchor_gemm(arr, "gemm_bf16", NULL, 0, 700);
	anchor_gemm(arr, "gemm_fp8", "tensor", 0, 1000);
	anchor_gemm(arr, "gemm_fp8", "tensor", 1, 1200);
	r = synth_record(arr, "mla_decode", "memory-bound", 1e9, 1e9, 0, 2 * 1e9 / H100_HBM);
	cJSON_AddStringToObject(params(r), "kv", "bf16");
	r = synth_record(arr, "mla_decode", "compute-bound", 1e12, 1e6, 0, 1e12 / 600e12);
	cJSON_AddStringToObject(params(r), "kv", "bf16");
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "probes", arr);

	CHECK_CONTAINS(anchors_family(doc), "H100");
	n = anchors_rows(doc, &pk, rows);
	CHECK_EQ(n, 8);
	CHECK_REL(rows[0].measured, 0.9 * 3.35, 1e-12);
	CHECK_REL(rows[0].share, 0.9, 1e-12);
	CHECK_EQ(anchors_verdict(&rows[0]), 1);
	CHECK_CONTAINS(rows[0].shape, "triad 1 GiB");
	CHECK_REL(rows[1].measured, 700, 1e-12);
	CHECK_REL(rows[1].share, 700 / 989.0, 1e-12);
	CHECK_EQ(rows[1].anchor_lo, 783);
	CHECK_EQ(rows[1].anchor_hi, 798);
	CHECK_EQ(anchors_verdict(&rows[1]), -1);      /* no target for BF16 */
	CHECK_REL(rows[2].measured, 1200, 1e-12);
	CHECK_EQ(rows[2].target, 1100);
	CHECK_EQ(anchors_verdict(&rows[2]), 1);
	CHECK(isnan(rows[3].measured));                /* no block-scaled record */
	CHECK_EQ(anchors_verdict(&rows[3]), -1);
	CHECK_REL(rows[4].share, 0.5, 1e-12);
	CHECK_EQ(anchors_verdict(&rows[4]), 1);
	CHECK_CONTAINS(rows[4].shape, "median of 1 memory-bound");
	CHECK_REL(rows[5].measured, 3.35 / 2, 1e-12);
	CHECK_REL(rows[6].measured, 600, 1e-12);
	CHECK(isnan(rows[7].measured));                /* no FP8-cache record */

	/* 0.84 of the spec, just under the triad target, misses it; an unknown GPU has no anchors */
	cJSON_ReplaceItemInObjectCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, 0), "timing"), "median_s",
		cJSON_CreateNumber(3 * a / (0.84 * H100_HBM)));
	cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "device"), "name",
					       cJSON_CreateString("Some GPU"));
	n = anchors_rows(doc, &pk, rows);
	CHECK_EQ(n, 8);                                /* every row, with or without anchors */
	CHECK_EQ(anchors_verdict(&rows[0]), 0);
	CHECK(anchors_family(doc) == NULL && isnan(rows[1].anchor_lo) && isnan(rows[2].target));
	cJSON_Delete(doc);
}

static char *file_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = 0;
	fclose(f);
	return buf;
}

static char *synth_text(void)
{
	cJSON *d = synth_doc();
	char *t = cJSON_Print(d);

	cJSON_Delete(d);
	return t;
}

/* The checked-in fixture is exactly what the generator above writes. */
static void t_fixture_current(void)
{
	char *want = synth_text(), *got = file_text(FIXTURE);

	CHECK(got != NULL);
	if (got && want && (strlen(got) != strlen(want) + 1 || strncmp(got, want, strlen(want)) != 0))
		printf("#   %s differs from the generator: rerun 'build/unit_probes --write-fixture %s'\n",
		       FIXTURE, FIXTURE);
	CHECK(got && want && strlen(got) == strlen(want) + 1 && strncmp(got, want, strlen(want)) == 0);
	free(want);
	free(got);
}

/* The mlasim under test: $MLASIM (tests/run.sh sets it), else build/mlasim. */
static const char *mlasim_path(void)
{
	const char *m = getenv("MLASIM");

	return m && *m ? m : "build/mlasim";
}

/* A scratch file next to the binary under test (build/ or build-asan/). */
static const char *scratch(const char *name)
{
	static char buf[8][1024];
	static int next;
	const char *m = mlasim_path(), *slash = strrchr(m, '/');
	char *b = buf[next++ % 8];

	snprintf(b, sizeof buf[0], "%.*s.unit_probes-%s", slash ? (int)(slash - m + 1) : 0, m, name);
	return b;
}

/* Run "$MLASIM ARGS" with stdout and stderr to files; returns the exit status. */
static int run_mlasim(const char *args, char *err_line, size_t n)
{
	char cmd[4096];
	FILE *f;
	int st;

	snprintf(cmd, sizeof cmd, "'%s' %s > '%s' 2> '%s'", mlasim_path(), args, scratch("out"),
		 scratch("err"));
	st = system(cmd);
	if (err_line) {
		err_line[0] = 0;
		f = fopen(scratch("err"), "r");
		if (f) {
			if (!fgets(err_line, (int)n, f))
				err_line[0] = 0;
			err_line[strcspn(err_line, "\n")] = 0;
			fclose(f);
		}
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}


/*
 * 'mlasim probe --from FIXTURE --hw h100 -o CARD' writes a card that loads:
 * the fits land in h->kern[] class by class, the others keep the card's
 * 'efficiency' defaults (compute 0.79, memory 0.87, 3 us).
 */
static void t_cli_from_fixture(void)
{
	struct hw h, hb;
	struct err e;
	char line[600], args[1200];

	snprintf(args, sizeof args, "probe --from %s --hw h100 -o '%s'", FIXTURE, scratch("h100.calibrated.json"));
	CHECK_EQ(run_mlasim(args, line, sizeof line), 0);
	if (line[0])
		printf("#   stderr: %s\n", line);
	memset(&e, 0, sizeof e);
	if (hw_load(scratch("h100.calibrated.json"), NULL, 0, &h, &e)) {
		printf("#   %s\n", e.msg);
		t_failed++;
		return;
	}
	CHECK(h.calibrated);
	CHECK_CONTAINS(h.calibration_device, "SYNTHETIC");
	CHECK_CONTAINS(h.name, "h100-sxm-calibrated");
	CHECK_REL(h.kern[K_GEMM_BF16].compute, S_GEMM_BF16.ec, 1e-6);
	CHECK_REL(h.kern[K_GEMM_BF16].memory, S_GEMM_BF16.em, 1e-6);
	CHECK_REL(h.kern[K_GEMM_BF16].t0_s, S_GEMM_BF16.t0, 1e-6);
	CHECK_REL(h.kern[K_GEMM_FP8_BLOCK].compute, S_GEMM_FP8_BLK.ec, 1e-6);
	CHECK_REL(h.kern[K_GEMM_FP8].compute, S_GEMM_FP8_TENSOR.ec, 1e-6);
	CHECK_REL(h.kern[K_ATTN_DECODE].memory, S_MLA_BF16.em, 1e-6);
	CHECK_REL(h.kern[K_MOE].compute, S_MOE_FP8.ec, 1e-6);
	CHECK_REL(h.kern[K_ELEMWISE].memory, S_HBM_EFF, 1e-6);
	/* the probes' fits take precedence; prefill attention, which they do not
	 * fit, keeps the base card's published fit (calibration.published) */
	CHECK(h.kern[K_GEMM_BF16].calibrated == KCAL_PROBES && h.calibrated == KCAL_PROBES);
	if (hw_load("hw/h100-sxm.json", NULL, 0, &hb, &e) == 0) {
		CHECK(hb.kern[K_ATTN_PREFILL].calibrated == KCAL_PUBLISHED);
		CHECK(h.kern[K_ATTN_PREFILL].calibrated == KCAL_PUBLISHED);
		CHECK_EQ(h.kern[K_ATTN_PREFILL].compute, hb.kern[K_ATTN_PREFILL].compute);
		CHECK_EQ(h.kern[K_ATTN_PREFILL].t0_s, hb.kern[K_ATTN_PREFILL].t0_s);
		CHECK_EQ(h.kern[K_ATTN_PREFILL].blend, hb.kern[K_ATTN_PREFILL].blend);
		CHECK(h.ncoll[HW_COLL_AR] == hb.ncoll[HW_COLL_AR] && h.ncoll[HW_COLL_AR] > 0);
	} else {
		CHECK(!"hw/h100-sxm.json loads");
	}
	CHECK_EQ(h.gpu.hbm_bw, H100_HBM);           /* the base card's numbers stay */
	CHECK(h.power_calibrated);
	CHECK_REL(h.power_idle_w, S_IDLE_W, 1e-9);
	CHECK_REL(h.e_per_flop, S_E_BF16, 1e-6);
	CHECK_REL(h.e_per_byte, S_E_BYTE, 1e-6);
}

/* Find decode operator `name` of a plan. */
static const struct op *plan_op(const struct plan *p, const char *name)
{
	int i;

	for (i = 0; i < p->perf.decode.nops; i++)
		if (strcmp(p->perf.decode.op[i].name, name) == 0)
			return &p->perf.decode.op[i];
	return NULL;
}

/*
 * The calibrated card changes the prediction: DeepSeek-V3 decode on 8 GPUs
 * (tp 8, ep 8, batch 64) with the base H100 card and the calibrated one.  The
 * MLA attention operator's time is the roofline with the fitted (0.35, 0.55,
 * 9 us): max(F / (0.35 x 989e12), B / (0.55 x 3.35e12)) + 9e-6.
 */
static void t_plan_uses_calibration(void)
{
	static struct plan base, cal;
	struct model m;
	struct hw hb, hc;
	struct deployment d;
	struct err e;
	const struct op *ob, *oc;
	int i;

	memset(&e, 0, sizeof e);
	if (model_load("models/deepseek-v3.json", NULL, 0, &m, &e) ||
	    hw_load("hw/h100-sxm.json", NULL, 0, &hb, &e) || hw_load(scratch("h100.calibrated.json"), NULL, 0, &hc, &e)) {
		printf("#   %s\n", e.msg);
		t_failed++;
		return;
	}
	/* the bundled card's published calibration set aside: its efficiency defaults */
	for (i = 0; i < K_CLASSES; i++)
		hb.kern[i] = (struct hw_kernel_eff){hb.eff.compute, hb.eff.memory, hb.eff.kernel_latency_s, 0, 0, 0, 0,
						    KCAL_DEFAULTS, 0};
	plan_default_deployment(&m, &d);
	d.tp = 8;
	d.ep = 8;
	d.w.batch = 64;
	if (plan_compute(&m, &hb, &d, NULL, &base, &e) || plan_compute(&m, &hc, &d, NULL, &cal, &e)) {
		printf("#   plan_compute: %s\n", e.msg);
		t_failed++;
		return;
	}
	CHECK(cal.perf.tpot_s != base.perf.tpot_s);
	ob = plan_op(&base, "mla decode attention");
	oc = plan_op(&cal, "mla decode attention");
	CHECK(ob && oc);
	if (!ob || !oc)
		return;
	CHECK_EQ(oc->flops, ob->flops);
	CHECK_REL(oc->t, fmax(oc->flops / (S_MLA_BF16.ec * H100_BF16),
			      oc->bytes / (S_MLA_BF16.em * H100_HBM)) + S_MLA_BF16.t0, 1e-9);
	CHECK_REL(ob->t, fmax(ob->flops / (0.79 * H100_BF16), ob->bytes / (0.87 * H100_HBM)) + 3e-6, 1e-9);
}

/* 'mlasim probe -l' needs no GPU and lists every probe of the catalogue. */
static void t_cli_list(void)
{
	const struct probe_info *p;
	char *out;

	CHECK_EQ(run_mlasim("probe -l", NULL, 0), 0);
	out = file_text(scratch("out"));
	for (p = probecat_list(); p->key; p++)
		CHECK_CONTAINS(out, p->key);
	free(out);
	CHECK_EQ(run_mlasim("probe -l --format json", NULL, 0), 0);
	out = file_text(scratch("out"));
	{
		cJSON *j = out ? cJSON_Parse(out) : NULL;
		CHECK(cJSON_IsArray(j) && cJSON_GetArraySize(j) == 11);
		cJSON_Delete(j);
	}
	free(out);
}

/* Bad inputs: one line each, the documented exit status. */
static void t_cli_errors(void)
{
	char line[600];

	CHECK_EQ(run_mlasim("probe nosuch", line, sizeof line), 2);
	CHECK_CONTAINS(line, "mlasim: unknown probe 'nosuch'");
	CHECK_EQ(run_mlasim("probe --from tests/fixtures/probes-malformed.json --hw h100", line,
			    sizeof line), 3);
	CHECK_CONTAINS(line, "probes-malformed.json: malformed JSON at line");
	CHECK_EQ(run_mlasim("probe --from tests/fixtures/probes-no-median.json --hw h100", line,
			    sizeof line), 3);
	CHECK_CONTAINS(line, "'probes[0].timing.median_s' is missing");
	CHECK_EQ(run_mlasim("probe --runner tests/fixtures/no-such-runner --hw h100", line, sizeof line), 4);
	CHECK_CONTAINS(line, "mlasim: cannot run the probes: no probe runner");
	CHECK_EQ(run_mlasim("probe --from " FIXTURE " gemm_bf16", line, sizeof line), 2);
	CHECK_CONTAINS(line, "'--from' fits recorded results");
}

/* The last line of the scratch stderr file (the runner may print before mlasim). */
static void last_err_line(char *buf, size_t n)
{
	char *t = file_text(scratch("err")), *end, *start;

	buf[0] = 0;
	if (!t)
		return;
	end = t + strlen(t);
	while (end > t && end[-1] == '\n')
		*--end = 0;
	start = strrchr(t, '\n');
	snprintf(buf, n, "%s", start ? start + 1 : t);
	free(t);
}

/*
 * The protocol between mlasim and its runner, with tests/fixtures/fake-runner.sh
 * standing in for the CUDA one: the keys and options reach it, its results
 * file is fitted into a card, its stdout does not reach mlasim's stdout, and
 * its exit status 4 (no GPU) and any other failure become one line, exit 4.
 */
static void t_cli_runner_protocol(void)
{
	char line[600], args[1500], *got;
	struct hw h;
	struct err e;

	setenv("FAKE_RUNNER_ARGS", scratch("runner-args"), 1);
	setenv("FAKE_RUNNER_RC", "0", 1);
	snprintf(args, sizeof args,
		 "probe gemm_bf16 mla_decode --quick --device 1 --time-limit 480 --runner tests/fixtures/fake-runner.sh --hw h100 -o '%s' --results '%s'",
		 scratch("fake.card.json"), scratch("fake.results.json"));
	CHECK_EQ(run_mlasim(args, line, sizeof line), 0);
	got = file_text(scratch("runner-args"));
	CHECK_CONTAINS(got, "--quick --device 1 --time-limit 480 gemm_bf16 mla_decode");
	CHECK_CONTAINS(got, scratch("fake.results.json"));
	free(got);
	got = file_text(scratch("out"));
	CHECK(got && !strstr(got, "fake runner"));      /* the runner's stdout went to stderr */
	free(got);
	got = file_text(scratch("fake.results.json"));  /* --results keeps the raw file */
	CHECK_CONTAINS(got, PROV);
	free(got);
	memset(&e, 0, sizeof e);
	CHECK(hw_load(scratch("fake.card.json"), NULL, 0, &h, &e) == 0 && h.calibrated);
	CHECK_REL(h.kern[K_GEMM_BF16].compute, S_GEMM_BF16.ec, 1e-6);

	setenv("FAKE_RUNNER_RC", "4", 1);
	CHECK_EQ(run_mlasim("probe --runner tests/fixtures/fake-runner.sh --hw h100", line, sizeof line), 4);
	last_err_line(line, sizeof line);
	CHECK_CONTAINS(line, "mlasim: cannot run the probes: no CUDA GPU (fake runner)");
	got = file_text(scratch("out"));
	CHECK(got && !*got);
	free(got);
	setenv("FAKE_RUNNER_RC", "3", 1);
	CHECK_EQ(run_mlasim("probe --runner tests/fixtures/fake-runner.sh --hw h100", line, sizeof line), 4);
	last_err_line(line, sizeof line);
	CHECK_CONTAINS(line, "fake-runner.sh' failed (exit status 3)");
	unsetenv("FAKE_RUNNER_RC");
	unsetenv("FAKE_RUNNER_ARGS");
}

/* The runner, where nvcc built it: with no GPU it exits 4 with one clear line;
 * with a GPU, the 'device' probe runs and writes a valid results file. */
static int runner_present(char *path, size_t n)
{
	const char *m = mlasim_path(), *slash = strrchr(m, '/');

	snprintf(path, n, "%.*smlasim-probe", slash ? (int)(slash - m + 1) : 0, m);
	return access(path, X_OK) == 0;
}

static void t_gpu_no_gpu_exit(void)
{
	char runner[1024], line[600];
	int rc;

	if (!runner_present(runner, sizeof runner)) {
		snprintf(t_skip, sizeof t_skip, "the CUDA runner is not built (no nvcc)");
		return;
	}
	rc = run_mlasim("probe device --hw h100", line, sizeof line);
	if (rc == 0) {
		snprintf(t_skip, sizeof t_skip, "a GPU is present: the no-GPU path is not taken");
		return;
	}
	CHECK_EQ(rc, 4);
	CHECK_CONTAINS(line, "mlasim: cannot run the probes: ");
}

static void t_gpu_device_probe(void)
{
	char runner[1024], line[600], args[1200];
	struct err e;
	cJSON *doc;

	if (!runner_present(runner, sizeof runner)) {
		snprintf(t_skip, sizeof t_skip, "the CUDA runner is not built (no nvcc)");
		return;
	}
	snprintf(args, sizeof args, "probe device launch --results '%s'", scratch("gpu.json"));
	if (run_mlasim(args, line, sizeof line) == 4) {
		snprintf(t_skip, sizeof t_skip, "no CUDA GPU here");
		return;
	}
	memset(&e, 0, sizeof e);
	CHECK(jsonx_load(scratch("gpu.json"), &doc, &e) == 0);
	if (!e.code) {
		CHECK(calib_check(doc, "gpu", &e) == 0);
		CHECK(cJSON_IsString(path2(doc, "device", "name")));
		cJSON_Delete(doc);
	}
}

/* The runner's own checks against the CPU references (GEMM and MLA decode). */
static void t_gpu_kernels_match_reference(void)
{
	char runner[1024], cmd[1200];
	int st;

	if (!runner_present(runner, sizeof runner)) {
		snprintf(t_skip, sizeof t_skip, "the CUDA runner is not built (no nvcc)");
		return;
	}
	snprintf(cmd, sizeof cmd, "'%s' --check -o '%s' > /dev/null 2>&1", runner, scratch("check.json"));
	st = system(cmd);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 4) {
		snprintf(t_skip, sizeof t_skip, "no CUDA GPU here");
		return;
	}
	/* exit 1: a kernel disagreed with its reference (the file says which) */
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* ==== main ================================================================== */

static const struct test tests[] = {
	{"fp8 e4m3: decode 1.0, 448, 2^-9, NaN, signs", t_e4m3_decode},
	{"fp8 e4m3: encode rounds to nearest even and saturates at 448", t_e4m3_encode},
	{"fp8 e4m3: every finite code round-trips", t_e4m3_roundtrip},
	{"bf16: rounding to nearest even", t_bf16},
	{"gemm: 2x3 by 2x3^T by hand", t_gemm_tn},
	{"gemm: fp8 block-scaled dot product by hand", t_fp8_block_dot},
	{"mla: 2-token softmax by hand", t_mla_two_tokens},
	{"mla: a shuffled block table gives the in-order result", t_mla_paging},
	{"mla: combine of three splits equals the unsplit result", t_mla_combine_equals_unsplit},
	{"mla: an empty split changes nothing in the combine", t_mla_combine_empty},
	{"mla: FLOPs and bytes as FlashMLA counts them", t_mla_counts},
	{"fit: exact timings give back (0.7, 0.85, 4 us)", t_fit_exact},
	{"fit: +-3% noise gives back (0.58, 0.80, 6 us) within 2% and 1 us", t_fit_noisy},
	{"fit: streaming points fit eff_mem and keep the default eff_compute", t_fit_memory_only},
	{"fit: efficiencies stay in (0, 1] when data beat the spec", t_fit_bounds},
	{"fit: too few or invalid points are refused", t_fit_degenerate},
	{"calib: every section recovers the synthetic efficiencies", t_build_recovers_synthetic},
	{"calib: failed checks and unsupported configurations are left out", t_build_skips_failed},
	{"calib: power without a BF16 point is kept aside, not half-written", t_build_power_incomplete},
	{"calib: malformed results name the file and the key", t_check_messages},
	{"holdout: exact timings come back exact where the engine has their fit, not elsewhere", t_holdout_exact},
	{"holdout: 1.25x and 0.8x off the roofline give -20% and +25% by hand", t_holdout_by_hand},
	{"anchors: the measured figures and targets of an H100 by hand", t_anchors_by_hand},
	{"fixture: tests/fixtures file equals the generator's output", t_fixture_current},
	{"cli: probe --from fixture --hw h100 writes a card hw_load reads", t_cli_from_fixture},
	{"cli: a calibrated card changes the plan's prediction", t_plan_uses_calibration},
	{"cli: probe -l lists every probe without a GPU", t_cli_list},
	{"cli: bad keys, files and runners exit 2, 3, 4", t_cli_errors},
	{"cli: keys reach the runner, its results become the card, its failures exit 4", t_cli_runner_protocol},
	{"gpu: without a GPU, probe exits 4 with one line", t_gpu_no_gpu_exit},
	{"gpu: the device and launch probes write a valid results file", t_gpu_device_probe},
	{"gpu: cuBLASLt GEMMs and our MLA kernel match the CPU references", t_gpu_kernels_match_reference},
};

static const struct suite probes = {"probes", tests, sizeof tests / sizeof tests[0]};

int main(int argc, char **argv)
{
	static const struct suite *const suites[] = {&probes};

	if (argc == 3 && strcmp(argv[1], "--write-fixture") == 0) {
		char *t = synth_text();
		FILE *f = t ? fopen(argv[2], "w") : NULL;
		if (!f || fprintf(f, "%s\n", t) < 0 || fclose(f)) {
			fprintf(stderr, "unit_probes: cannot write '%s'\n", argv[2]);
			return 1;
		}
		free(t);
		return 0;
	}
	return harness_main(argc, argv, suites, 1);
}
