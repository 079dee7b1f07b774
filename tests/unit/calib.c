/*
 * tests/unit/calib.c - unit tests of kfit.h, borrow.h: the kernel model
 * fitted to published kernel records, and a fit borrowed by another card.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "comm.h"
#include "err.h"
#include "hw.h"
#include "kern.h"
#include "kfit.h"
#include "model.h"
#include "perf.h"
#include "plan.h"
#include "precision.h"
#include "unit.h"

/* (tc^p + tm^p)^(1/p), or max() for p = 0: kern.h's roof, written out. */
static double roof_by_hand(double tc, double tm, double p)
{
	return p > 0 ? pow(pow(tc, p) + pow(tm, p), 1 / p) : max_d(tc, tm);
}

/*
 * A fit is fractions of each roof and fixed times, so a fit carried from one
 * card to another (what a borrowed calibration does, borrow.h) times kernels
 * on the receiving card's own peaks.  B200's NVFP4 GEMM fit on B300 (the
 * same 8 TB/s, FP4 13,125 TFLOPS against 9,000): a call with FLOPs and no
 * bytes is purely compute bound, t - t0 = F / (eff_compute x peak), so B200
 * over B300 is the FP4 peak ratio 13,125 / 9,000 = 1.4583 to rounding.  A
 * real NVFP4 GEMM, M = 148 x 128 = 18,944 (whole waves on B200's 148 SMs: no
 * wave quantization there; B300's SM count is not published, so none there),
 * N = K = 16,384: F = 2 M N K = 10,170,482,556,928 FLOPs, bytes = weights
 * N K / 2 + an fp8 scale per 16 + 4 (134,217,728 + 16,777,216 + 4) + input
 * 2 M K (620,756,992) + output 2 M N (620,756,992) = 1,392,508,932.  With
 * B200's fit as committed (eff 0.4449 / 0.7412, t0 5.877 us, blend 2):
 * t_c = 2.5400 ms on B200, 1.7417 ms on B300, t_m = 0.2348 ms on both
 * (same 8 TB/s), so t = 2.5567 ms and 1.7634 ms: 1.4499x, just under the
 * peak ratio because the memory roof and t0 do not shrink.  The test works
 * the times out from the parameters the card holds, so a refit of B200
 * keeps it true.  B300 and GB300 no longer borrow (hw/published/b300 and
 * gb300-nvl72 hold their own aiconfigurator records): their calibration is
 * their own, with every GEMM class fitted; tests/props/borrow.sh builds a
 * borrowing card and checks the mechanism.
 */
static void t_borrow_cards(void)
{
	struct hw b2, b3, g3;
	struct hw_kernel_eff carried;
	const struct hw_kernel_eff *k = &carried;
	struct wprec w;
	struct kshape gemm, pure = {1e12, 0, 0, 0, 0, 1, 0, 0};
	struct err e;
	double M = 148 * 128.0, N = 16384, K = 16384, F, B, tc2, tc3, tm, p;
	int c;

	memset(&e, 0, sizeof e);
	if (load_hw("b200", &b2) || load_hw("b300", &b3) || load_hw("gb300-nvl72", &g3))
		return;
	/* their own records now, not a sibling's */
	CHECK_STR(b3.calibration_borrowed_from, "");
	CHECK_STR(g3.calibration_borrowed_from, "");
	CHECK(b3.calibrated == KCAL_PUBLISHED && g3.calibrated == KCAL_PUBLISHED);
	for (c = K_GEMM_BF16; c <= K_GEMM_FP4; c++)
		CHECK(b3.kern[c].calibrated == KCAL_PUBLISHED && g3.kern[c].calibrated == KCAL_PUBLISHED);
	CHECK(b3.ncoll[HW_COLL_AR] >= 1 && b3.ep_up[0].bw > 0 && g3.ncoll[HW_COLL_AR] >= 1);
	/* the peaks stay each card's own */
	CHECK_EQ(kern_peak(&b3, DT_FP4), 13125e12);
	CHECK_EQ(kern_peak(&b2, DT_FP4), 9000e12);
	CHECK_EQ(kern_peak(&g3, DT_FP4), 15000e12);
	CHECK_EQ(b3.gpu.hbm_bw, b2.gpu.hbm_bw);
	/* cppcheck-suppress unreadVariable ; read through k */
	carried = b2.kern[K_GEMM_FP4];
	CHECK_REL((kern_seconds(k, kern_peak(&b2, DT_FP4), b2.gpu.hbm_bw, b2.gpu.sms, &pure, NULL, NULL) - k->t0_s) /
		  (kern_seconds(k, kern_peak(&b3, DT_FP4), b3.gpu.hbm_bw, b3.gpu.sms, &pure, NULL, NULL) - k->t0_s),
		  13125.0 / 9000, 1e-9);
	if (!CHECK_OK(precision_parse_weights("nvfp4", "--weights", &w, &e), &e))
		return;
	perf_gemm_shape(&w, DT_FP4, M, N, K, &gemm);
	F = 2 * M * N * K;
	B = N * K / 2 + N * K / 16 + 4 + 2 * M * K + 2 * M * N;
	CHECK_EQ(gemm.flops, F);
	CHECK_EQ(gemm.bytes, B);
	tc2 = F / (k->compute * 9000e12);
	tc3 = F / (k->compute * 13125e12);
	tm = B / (k->memory * 8000e9);
	p = k->blend;
	CHECK(k->kblock_s * K / 128 < tc3);   /* the K-loop floor is not what binds */
	CHECK_REL(kern_seconds(&b2.kern[K_GEMM_FP4], kern_peak(&b2, DT_FP4), b2.gpu.hbm_bw, b2.gpu.sms, &gemm, NULL, NULL),
		  roof_by_hand(tc2, tm, p) + k->t0_s, 1e-12);
	CHECK_REL(kern_seconds(k, kern_peak(&b3, DT_FP4), b3.gpu.hbm_bw, b3.gpu.sms, &gemm, NULL, NULL),
		  roof_by_hand(tc3, tm, p) + k->t0_s, 1e-12);
	/* 1.4499x as committed: compute bound, within 1% under the peak ratio */
	CHECK((roof_by_hand(tc2, tm, p) + k->t0_s) / (roof_by_hand(tc3, tm, p) + k->t0_s) > 13125.0 / 9000 * 0.99);
}

/* An H800-like card for the fits: peaks of the card, defaults 0.79 / 0.87 / 3 us. */
static void kfit_card(struct hw *h)
{
	int k;

	memset(h, 0, sizeof *h);
	snprintf(h->name, sizeof h->name, "test");
	h->gpu.flops_bf16 = 989e12;
	h->gpu.flops_fp8 = K_FP8;
	h->gpu.hbm_bw = K_HBM;
	h->gpu.sms = K_SMS;
	for (k = 0; k < K_CLASSES; k++)
		h->kern[k] = (struct hw_kernel_eff){0.79, 0.87, 3e-6, 0, 0, 0, 0, KCAL_DEFAULTS, 0};
}

/*
 * The fit finds the parameters that made the times: fp8-block GEMMs of 7 M
 * x 4 (N, K) shapes timed by kern_seconds with (0.62, 0.78, 4 us, 0.12 us,
 * max) come back within 0.5%, and decode-attention calls made with a
 * smooth maximum p = 3 come back with p = 3.  A class with no point on its
 * compute roof keeps the card's default eff_compute and says so.  Prefill
 * attention of head dims 64, 128 and 256 (so FLOPs and exponentials move
 * apart), 8 and 64 heads, batch 1 and 16, sequences 16 to 4,096, timed
 * with (0.7, 0.6, 12 us, p = 2, 0.25 ns per exponential, 20 ns per thread
 * block) gives those back within 1%.
 */
static void t_kfit_recovers(void)
{
	static const double Ms[] = {1, 16, 64, 256, 1024, 4096, 16384};
	static const double NK[][2] = {{7168, 2048}, {4096, 7168}, {576, 7168}, {512, 16384}};
	const struct hw_kernel_eff gemm = {0.62, 0.78, 4e-6, 0.12e-6, 0, 0, 0, KCAL_PUBLISHED, 0};
	const struct hw_kernel_eff attn = {0.55, 0.9, 15e-6, 0, 3, 0, 0, KCAL_PUBLISHED, 0};
	const struct hw_kernel_eff pre = {0.7, 0.6, 12e-6, 0, 2, 0.25e-12, 20e-9, KCAL_PUBLISHED, 0};
	static const double dh[] = {64, 128, 256}, heads[] = {8, 64}, Bs[] = {1, 16}, Ss[] = {16, 512, 4096};
	int a, c;
	static const struct wprec blk = {WF_FP8_BLOCK, 128, "fp8-block"};
	struct kset s;
	struct hw h;
	struct hw_kernel_eff out;
	struct kfit_stats st;
	int i, j;

	kfit_card(&h);
	memset(&s, 0, sizeof s);
	s.rec = calloc(128, sizeof *s.rec);
	if (!s.rec)
		return;
	s.nsources = 1;
	for (i = 0; i < 7; i++)
		for (j = 0; j < 4; j++) {
			struct krec *r = &s.rec[s.n++];
			r->cls = K_GEMM_FP8_BLOCK;
			r->dt = DT_FP8;
			r->ncalls = 1;
			perf_gemm_shape(&blk, DT_FP8, Ms[i], NK[j][0], NK[j][1], &r->call[0]);
			r->t_s = kfit_predict(&h, &gemm, r);
		}
	CHECK_EQ(kfit_class(&h, &s, K_GEMM_FP8_BLOCK, -1, 0, 0, &h.kern[K_GEMM_FP8_BLOCK], &out, &st), 28);
	CHECK_REL(out.compute, 0.62, 5e-3);
	CHECK_REL(out.memory, 0.78, 5e-3);
	CHECK_REL(out.t0_s, 4e-6, 5e-3);
	CHECK_REL(out.kblock_s, 0.12e-6, 5e-3);
	CHECK_EQ(out.blend, 0);
	CHECK(st.median_rel < 1e-3 && st.n_compute > 0 && st.n_memory > 0 && st.n_latency > 0);
	/* MLA decode at 128 and 16 heads, batch 1 .. 243, context 1k .. 27k */
	for (i = 0; i < 6; i++)
		for (j = 0; j < 4; j++) {
			struct krec *r = &s.rec[s.n++];
			struct model m;
			double f, b;
			memset(&m, 0, sizeof m);
			m.kv_lora = 512;
			m.qk_rope = 64;
			perf_mla_attention(&m, j % 2 ? 16 : 128, pow(3, i), 1, 1024 * pow(2, 1.6 * j), 1152, &f, &b);
			*r = (struct krec){K_ATTN_DECODE, DT_BF16, 1, {{f, b, 0, 0, 0, 1, 0, 0}}, 0, 0, ""};
			r->t_s = kfit_predict(&h, &attn, r);
		}
	CHECK_EQ(kfit_class(&h, &s, K_ATTN_DECODE, -1, 0, 0, &h.kern[K_ATTN_DECODE], &out, &st), 24);
	CHECK_EQ(out.blend, 3);
	CHECK_REL(out.compute, 0.55, 5e-3);
	CHECK_REL(out.memory, 0.9, 5e-3);
	CHECK_REL(out.t0_s, 15e-6, 5e-3);
	/* memory-bound only: the compute share cannot be seen, the default stays */
	for (i = 28; i < s.n; i++) {
		s.rec[i].call[0].flops *= 1e-3;
		s.rec[i].t_s = kfit_predict(&h, &attn, &s.rec[i]);
	}
	kfit_class(&h, &s, K_ATTN_DECODE, -1, 0, 0, &h.kern[K_ATTN_DECODE], &out, &st);
	CHECK(st.fixed_compute);
	CHECK_EQ(out.compute, 0.79);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 2; j++)
			for (a = 0; a < 2; a++)
				for (c = 0; c < 3; c++) {
					struct krec *r = &s.rec[s.n++];
					double T = Bs[a] * Ss[c];
					r->cls = K_ATTN_PREFILL;
					r->dt = DT_BF16;
					r->ncalls = 1;
					perf_gqa_prefill_shape(heads[j], heads[j] / 8, dh[i], dh[i], T, Ss[c], T,
							       Bs[a] * Ss[c] * (Ss[c] + 1) / 2, &r->call[0]);
					r->t_s = kfit_predict(&h, &pre, r);
				}
	CHECK_EQ(kfit_class(&h, &s, K_ATTN_PREFILL, -1, 0, 0, &h.kern[K_ATTN_PREFILL], &out, &st), 36);
	CHECK_EQ(out.blend, 2);
	CHECK_REL(out.compute, 0.7, 1e-2);
	CHECK_REL(out.memory, 0.6, 1e-2);
	CHECK_REL(out.t0_s, 12e-6, 1e-2);
	CHECK_REL(out.elem_s, 0.25e-12, 1e-2);
	CHECK_REL(out.cta_s, 20e-9, 1e-2);
	free(s.rec);
}

/* Write `text` to dir/name. */
static void kfit_write(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/*
 * An attention_prefill record becomes perf.c's prefill attention: 8 heads,
 * 1 KV head of 128, batch 4 of 300 tokens (T 1,200), causal: pairs 4 x 300 x
 * 301 / 2 = 180,600, FLOPs 2 x 8 x 256 x 180,600 = 739,737,600, thread
 * blocks 8 x 4 x ceil(300 / 128) = 96, bytes 2 x (1200 x 8 x 256 + 1200 x 1
 * x 256) = 5,529,600 and, with qkv_pass, 4 x 1200 x (8 x 128 + 256) =
 * 6,144,000 more (11,673,600); qkv_pass that is not a boolean names the key.
 */
static void t_kfit_prefill_record(void)
{
	char dir[] = "/tmp/mlasim-unit-kfitp.XXXXXX", path[256];
	const char *head = "{\"schema\": \"mlasim.calib/1\", \"source\": {\"id\": \"t\", \"ref\": \"https://example.org/t\"}, \"probes\": [";
	const char *p = "{\"probe\": \"attention_prefill\", \"id\": \"%s\", \"status\": \"ok\", \"params\": {\"heads\": 8, \"kv_heads\": 1, \"d_qk\": 128, \"d_v\": 128, \"seq\": 300, \"batch\": 4, \"causal\": true%s}, \"timing\": {\"median_s\": 1e-4}}";
	char text[2048], r1[512], r2[512];
	struct kset s;
	struct err e = {0};

	CHECK(mkdtemp(dir) != NULL);
	snprintf(r1, sizeof r1, p, "kernel", "");
	snprintf(r2, sizeof r2, p, "op", ", \"qkv_pass\": true");
	snprintf(text, sizeof text, "%s%s, %s]}", head, r1, r2);
	kfit_write(dir, "a.json", text);
	if (CHECK_OK(kfit_load_dir(dir, &s, &e), &e) == 0) {
		CHECK_EQ(s.n, 2);
		CHECK(s.rec[0].cls == K_ATTN_PREFILL && s.rec[0].ncalls == 1);
		CHECK_EQ(s.rec[0].call[0].flops, 739737600.0);
		CHECK_EQ(s.rec[0].call[0].ctas, 96);
		CHECK_EQ(s.rec[0].call[0].bytes, 5529600);
		CHECK_EQ(s.rec[1].call[0].bytes, 11673600);
		kfit_free(&s);
	}
	snprintf(r2, sizeof r2, p, "op", ", \"qkv_pass\": \"yes\"");
	snprintf(text, sizeof text, "%s%s]}", head, r2);
	kfit_write(dir, "a.json", text);
	CHECK_RC(kfit_load_dir(dir, &s, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "a.json: 'probes[0].params.qkv_pass' must be true or false");
	kfit_free(&s);
	snprintf(path, sizeof path, "%s/a.json", dir);
	unlink(path);
	rmdir(dir);
}

/*
 * kfit_load_dir: records become the engine's calls (a gemm one call of
 * 2 M N K FLOPs; an aiconfigurator moe module two, gate + up and down, over
 * the experts a uniform routing touches; an nccl figure a collective); what
 * is not timed or not calibrated is counted as skipped; a malformed record
 * names file and key.
 */
static void t_kfit_records(void)
{
	char dir[] = "/tmp/mlasim-unit-kfit.XXXXXX", path[256];
	const char *head = "{\"schema\": \"mlasim.calib/1\", \"source\": {\"id\": \"t\", \"ref\": \"https://example.org/t\"}, \"probes\": [";
	char text[2048];
	struct kset s;
	struct err e = {0};
	double touched;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(text, sizeof text, "%s%s", head,
		 "{\"probe\": \"gemm\", \"id\": \"g\", \"status\": \"ok\", \"params\": {\"dtype\": \"fp8_block\", \"m\": 64, \"n\": 7168, \"k\": 2048}, \"timing\": {\"median_s\": 6.4e-6}},"
		 "{\"probe\": \"moe\", \"id\": \"m\", \"status\": \"ok\", \"params\": {\"dtype\": \"fp8_block\", \"experts\": 256, \"topk\": 8, \"hidden\": 7168, \"inter\": 2048, \"ep\": 8, \"tokens\": 16, \"routing\": \"balanced\"}, \"timing\": {\"median_s\": 2.55e-4}},"
		 "{\"probe\": \"moe\", \"id\": \"u\", \"status\": \"ok\", \"params\": {\"dtype\": \"fp8_block\", \"experts\": 256, \"topk\": 8, \"hidden\": 7168, \"inter\": 2048, \"ep\": 8, \"tokens\": 16}, \"timing\": {\"median_s\": 2.2e-4}},"
		 "{\"probe\": \"moe\", \"id\": \"skew\", \"status\": \"ok\", \"params\": {\"dtype\": \"fp8_block\", \"experts\": 256, \"topk\": 8, \"hidden\": 7168, \"inter\": 2048, \"ep\": 8, \"tokens\": 16, \"routing\": \"power_law_1.2\"}, \"timing\": {\"median_s\": 2.31e-4}},"
		 "{\"probe\": \"nccl\", \"id\": \"n\", \"status\": \"ok\", \"params\": {\"op\": \"all_reduce\", \"gpus\": 8, \"bytes\": 512}, \"timing\": {\"median_s\": 1.56e-5}},"
		 "{\"probe\": \"gemm\", \"id\": \"untimed\", \"status\": \"partial\", \"params\": {\"dtype\": \"bf16\", \"m\": 1, \"n\": 1, \"k\": 1}, \"timing\": {\"tflops\": 1}}]}");
	kfit_write(dir, "a.json", text);
	if (CHECK_OK(kfit_load_dir(dir, &s, &e), &e) == 0) {
		CHECK_EQ(s.n, 3);
		CHECK_EQ(s.ncoll, 1);      /* the nccl figure, a collective */
		CHECK(s.coll[0].op == HW_COLL_AR && s.coll[0].gpus == 8 && s.coll[0].bytes == 512);
		CHECK_EQ(s.skipped, 2);    /* skewed routing, no time */
		CHECK(s.rec[0].cls == K_GEMM_FP8_BLOCK && s.rec[0].ncalls == 1);
		CHECK_EQ(s.rec[0].call[0].flops, 2.0 * 64 * 7168 * 2048);
		/* weights 7168 x 2048 + 56 x 16 block scales x 4 B, input 64 x 2048 fp8, output bf16 */
		CHECK_EQ(s.rec[0].call[0].bytes, 7168.0 * 2048 + 4 * 56 * 16 + 64 * 2048 + 64 * 7168 * 2);
		/* balanced routing (aiconfigurator's balanced_logits): 16 tokens x
		 * top-8 reach 128 distinct experts of 256, 16 of a rank's 32 */
		CHECK(s.rec[1].cls == K_MOE && s.rec[1].ncalls == 2);
		CHECK_REL(s.rec[1].call[0].flops, 2 * 16.0 * 8 / 8 * 4096 * 7168, 1e-12);
		CHECK_REL(s.rec[1].call[0].groups, 16, 1e-12);
		CHECK_REL(s.rec[1].call[1].n, 7168, 0);
		/* no routing given: uniform, 12.39 of the 32 local experts */
		touched = 32 * (1 - pow(1 - 8.0 / 256, 16));
		CHECK_REL(s.rec[2].call[0].groups, touched, 1e-12);
		CHECK_STR(s.source[0], "t");
		kfit_free(&s);
	}
	snprintf(text, sizeof text, "%s%s", head,
		 "{\"probe\": \"gemm\", \"status\": \"ok\", \"params\": {\"dtype\": \"fp8_block\", \"m\": -64, \"n\": 7168, \"k\": 2048}, \"timing\": {\"median_s\": 6.4e-6}}]}");
	kfit_write(dir, "b.json", text);
	CHECK_RC(kfit_load_dir(dir, &s, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "b.json: 'probes[0].params.m' must be a positive number");
	kfit_free(&s);
	snprintf(text, sizeof text, "%s%s", head,
		 "{\"probe\": \"gemv\", \"status\": \"ok\", \"params\": {}, \"timing\": {\"median_s\": 1e-6}}]}");
	kfit_write(dir, "b.json", text);
	CHECK_RC(kfit_load_dir(dir, &s, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'probes[0].probe' must be gemm, grouped_gemm");
	kfit_free(&s);
	kfit_write(dir, "b.json", "{\"schema\": \"mlasim.calib/1\", \"probes\": []}");
	CHECK_RC(kfit_load_dir(dir, &s, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'source.id' and 'source.ref'");
	kfit_free(&s);
	snprintf(path, sizeof path, "%s/b.json", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/a.json", dir);
	unlink(path);
	CHECK_RC(kfit_load_dir(dir, &s, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "no record files with a timed, calibrated kind");
	kfit_free(&s);
	rmdir(dir);
	CHECK_RC(kfit_load_dir(dir, &s, &e), EXIT_ENV, &e);
	kfit_free(&s);
}

/*
 * The classes records go to, and the bytes a DeepEP record moves per GPU
 * (DeepSeek-V3's test: 128 tokens, hidden 7168, top-8, fp8 dispatch of
 * 7168 + 4 x 56 = 7392 B per copy):
 *  - inside one node of ep 8 (NVLink): the 7 copies of 8 to other GPUs,
 *    128 x 7 x 7392 = 6,623,232 B;
 *  - DeepEP's first kernels, pure RDMA ("transport": "rdma"), on one node:
 *    every copy over the NIC, 128 x 8 x 7392 = 7,569,408 B, as DeepEP's test
 *    counts its RDMA GB/s;
 *  - ep 32 over 4 nodes, copies to the same node over NVLink: the 8 x 24/32
 *    = 6 copies to other nodes, 128 x 6 x 7392 = 5,677,056 B.
 * Grouped GEMMs go by layout (contiguous: prefill's class), GQA decode over
 * a 16-bit cache to its own; a record "kept" by its file is not fitted.
 * The fit across nodes is bounded by the NIC's line rate: records on
 * t = 30 us + b / 100 GB/s (b = 1 MB: 40 us; 2 MB: 50 us, three each)
 * against a 50 GB/s line give bw = 50 GB/s and lat = (r1 - s12 / bw) / s11
 * with x1 = 1/t, x2 = b/t: r1 = 3 (25000 + 20000) = 135000, s11 = 3 (6.25e8
 * + 4e8) = 3.075e9, s12 = 3 (1e6 / 1.6e-9 + 2e6 / 2.5e-9) = 4.275e15, so
 * lat = (135000 - 85500) / 3.075e9 = 16.0976 us.
 */
static void t_kfit_classes(void)
{
	char dir[] = "/tmp/mlasim-unit-kfitc.XXXXXX", path[256];
	const char *head = "{\"schema\": \"mlasim.calib/1\", \"source\": {\"id\": \"t\", \"ref\": \"https://example.org/t\"}, \"probes\": [";
	const char *ll = "\"mode\": \"low_latency\", \"phase\": \"dispatch\", \"tokens\": 128, \"hidden\": 7168, \"topk\": 8, \"experts\": 256";
	char text[4096];
	struct kset s;
	struct hw h;
	struct hw_ep_fit f;
	struct err e = {0};
	int i;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(text, sizeof text,
		 "%s{\"probe\": \"deepep\", \"id\": \"nvl\", \"status\": \"ok\", \"params\": {%s, \"ep\": 8, \"nodes\": 1}, \"timing\": {\"median_s\": 7.7e-5}},"
		 "{\"probe\": \"deepep\", \"id\": \"pure\", \"status\": \"ok\", \"params\": {%s, \"ep\": 8, \"nodes\": 1, \"transport\": \"rdma\"}, \"timing\": {\"median_s\": 1.63e-4}},"
		 "{\"probe\": \"deepep\", \"id\": \"x4\", \"status\": \"ok\", \"params\": {%s, \"ep\": 32, \"nodes\": 4}, \"timing\": {\"median_s\": 1.55e-4}},"
		 "{\"probe\": \"deepep\", \"id\": \"normal\", \"status\": \"ok\", \"params\": {\"mode\": \"normal\", \"phase\": \"dispatch\", \"ep\": 16, \"nodes\": 2}, \"timing\": {\"median_s\": 1e-3}},"
		 "{\"probe\": \"deepep\", \"id\": \"normal1\", \"status\": \"ok\", \"params\": {\"mode\": \"normal\", \"phase\": \"dispatch\", \"tokens\": 4096, \"hidden\": 7168, \"topk\": 8, \"experts\": 256, \"ep\": 8}, \"timing\": {\"median_s\": 6e-4}},"
		 "{\"probe\": \"grouped_gemm\", \"id\": \"c\", \"status\": \"ok\", \"params\": {\"dtype\": \"fp8_block\", \"layout\": \"contiguous\", \"groups\": 4, \"m\": 8192, \"n\": 4096, \"k\": 7168}, \"timing\": {\"median_s\": 1.43e-3}},"
		 "{\"probe\": \"grouped_gemm\", \"id\": \"m\", \"status\": \"ok\", \"params\": {\"dtype\": \"fp8_block\", \"layout\": \"masked\", \"groups\": 4, \"m\": 256, \"n\": 4096, \"k\": 7168}, \"timing\": {\"median_s\": 6.45e-5}},"
		 "{\"probe\": \"gqa_decode\", \"id\": \"g\", \"status\": \"ok\", \"params\": {\"heads\": 32, \"kv_heads\": 4, \"head_dim\": 128, \"batch\": 64, \"kv_len\": 4096}, \"timing\": {\"median_s\": 1.9e-4}},"
		 "{\"probe\": \"gqa_decode\", \"id\": \"k\", \"status\": \"kept\", \"why\": \"a test\", \"params\": {\"heads\": 32, \"kv_heads\": 4, \"head_dim\": 128, \"batch\": 1, \"kv_len\": 1024}, \"timing\": {\"median_s\": 3e-5}}]}",
		 head, ll, ll, ll);
	kfit_write(dir, "a.json", text);
	if (CHECK_OK(kfit_load_dir(dir, &s, &e), &e) == 0) {
		CHECK_EQ(s.nep, 4);
		CHECK(s.ep[0].link == KEP_LL && s.ep[1].link == KEP_LL_RDMA && s.ep[2].link == KEP_LL_RDMA);
		/* normal mode on one node: each token once per other GPU holding one of
		 * its experts, 4.6328205 of them on EP 8 (t_deepep_normal) */
		CHECK(s.ep[3].link == KEP_NORMAL);
		CHECK_REL(s.ep[3].bytes, 4096 * comm_ep_normal_copies(8, 256, 8) * 7392, 1e-12);
		CHECK_EQ(s.ep[0].bytes, 6623232);
		CHECK_EQ(s.ep[1].bytes, 7569408);
		CHECK_EQ(s.ep[2].bytes, 5677056);
		CHECK_EQ(s.n, 3);
		CHECK_EQ(s.skipped, 2);   /* normal mode across nodes, kept */
		CHECK(s.rec[0].cls == K_MOE_PREFILL && s.rec[1].cls == K_MOE && s.rec[2].cls == K_ATTN_DECODE_GQA);
		kfit_free(&s);
	}
	snprintf(path, sizeof path, "%s/a.json", dir);
	unlink(path);
	snprintf(text, sizeof text, "%s{\"probe\": \"deepep\", \"status\": \"ok\", \"params\": {%s, \"ep\": 12, \"nodes\": 8}, \"timing\": {\"median_s\": 1e-4}}]}",
		 head, ll);
	kfit_write(dir, "b.json", text);
	CHECK_RC(kfit_load_dir(dir, &s, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "b.json: 'probes[0].params.nodes' (8) must divide ep (12)");
	kfit_free(&s);
	snprintf(path, sizeof path, "%s/b.json", dir);
	unlink(path);
	rmdir(dir);

	memset(&s, 0, sizeof s);
	s.ep = calloc(6, sizeof *s.ep);
	if (!s.ep)
		return;
	for (i = 0; i < 6; i++) {
		s.ep[i].link = 1;
		s.ep[i].bytes = i < 3 ? 1e6 : 2e6;
		s.ep[i].t_s = 30e-6 + s.ep[i].bytes / 100e9;
	}
	s.nep = 6;
	CHECK_EQ(kfit_deepep(&s, 1, 0, 0, 0, -1, 0, &f), 6);   /* unbounded: the line itself */
	CHECK_REL(f.lat_s, 30e-6, 1e-9);
	CHECK_REL(f.bw, 100e9, 1e-9);
	CHECK_EQ(kfit_deepep(&s, 1, 0, 0, 0, -1, 50e9, &f), 6);
	CHECK_EQ(f.bw, 50e9);
	CHECK_REL(f.lat_s, 49500 / 3.075e9, 1e-9);
	CHECK_EQ(kfit_deepep(&s, 1, 0, 0, 0, 0, 50e9, &f), 0);   /* all of source 0 left out */
	CHECK_EQ(kfit_deepep(&s, 1, 0, 2, 0, -1, 50e9, &f), 3);  /* every second left out: too few */
	free(s.ep);

	/* a class that specialises another stands in for it only where calibrated */
	kfit_card(&h);
	CHECK(hw_kclass_use(&h, K_ATTN_DECODE_GQA) == K_ATTN_DECODE);
	CHECK(hw_kclass_use(&h, K_MOE_PREFILL) == K_MOE);
	CHECK(hw_kclass_use(&h, K_GEMM_BF16) == K_GEMM_BF16);
	h.kern[K_MOE_PREFILL].calibrated = KCAL_PUBLISHED;
	CHECK(hw_kclass_use(&h, K_MOE_PREFILL) == K_MOE_PREFILL);
	CHECK(hw_kclass_use(&h, K_MOE_VLLM) == K_MOE && hw_kclass_use(&h, K_MOE_SGLANG) == K_MOE);
	h.kern[K_MOE_VLLM].calibrated = KCAL_PUBLISHED;
	CHECK(hw_kclass_use(&h, K_MOE_VLLM) == K_MOE_VLLM);
}

/*
 * Whole-MoE-module records (aiconfigurator's tables) fit the class of the
 * kernel that ran them: vLLM's fused_moe and SGLang's fused_moe_triton their
 * own, any other moe_grouped_gemm; params.tp (MoE tensor parallelism) gives
 * each rank a 1/tp slice of every expert's width.  MiniMax-M2.5's shape, 16
 * tokens, top-8 of 256 experts, H 3072, I 1536, balanced routing: 128
 * copies over 128 distinct experts (16 x 8, aiconfigurator's
 * balanced_logits), one token each; at tp 4 the gate + up GEMM is
 * [2 x 384, 3072] and the down [3072, 384]; at tp 1 [3072, 3072] and
 * [3072, 1536].
 */
static void t_kfit_moe_engine(void)
{
	char dir[] = "/tmp/mlasim-unit-kfitm.XXXXXX", path[256];
	const char *head = "{\"schema\": \"mlasim.calib/1\", \"source\": {\"id\": \"t\", \"ref\": \"https://example.org/t\"}, \"probes\": [";
	const char *shape = "\"dtype\": \"fp8_block\", \"experts\": 256, \"topk\": 8, \"hidden\": 3072, \"inter\": 1536, \"ep\": 1, \"tokens\": 16, \"routing\": \"balanced\"";
	char text[2048];
	struct kset s;
	struct err e = {0};

	CHECK(mkdtemp(dir) != NULL);
	snprintf(text, sizeof text,
		 "%s{\"probe\": \"moe\", \"id\": \"v\", \"status\": \"ok\", \"params\": {%s, \"tp\": 4, \"kernel\": \"vllm_fused_moe\"}, \"timing\": {\"median_s\": 1.5e-4}},"
		 "{\"probe\": \"moe\", \"id\": \"s\", \"status\": \"ok\", \"params\": {%s, \"kernel\": \"sglang_fused_moe_triton\"}, \"timing\": {\"median_s\": 4.5e-4}},"
		 "{\"probe\": \"moe\", \"id\": \"t\", \"status\": \"ok\", \"params\": {%s, \"tp\": 4, \"kernel\": \"moe_torch_flow_cutlass\"}, \"timing\": {\"median_s\": 1.9e-4}}]}",
		 head, shape, shape, shape);
	kfit_write(dir, "a.json", text);
	if (CHECK_OK(kfit_load_dir(dir, &s, &e), &e) == 0) {
		CHECK_EQ(s.n, 3);
		CHECK(s.rec[0].cls == K_MOE_VLLM && s.rec[1].cls == K_MOE_SGLANG && s.rec[2].cls == K_MOE);
		CHECK_REL(s.rec[0].call[0].groups, 128, 1e-12);
		CHECK_REL(s.rec[0].call[0].m, 1, 1e-12);
		CHECK(s.rec[0].call[0].n == 768 && s.rec[0].call[0].k == 3072);
		CHECK(s.rec[0].call[1].n == 3072 && s.rec[0].call[1].k == 384);
		CHECK(s.rec[1].call[0].n == 3072 && s.rec[1].call[1].k == 1536);
		CHECK(s.rec[2].call[0].n == 768);
		kfit_free(&s);
	}
	snprintf(path, sizeof path, "%s/a.json", dir);
	unlink(path);
	/* a slice wider than the expert */
	snprintf(text, sizeof text, "%s{\"probe\": \"moe\", \"status\": \"ok\", \"params\": {%s, \"tp\": 2048}, \"timing\": {\"median_s\": 1e-4}}]}",
		 head, shape);
	kfit_write(dir, "b.json", text);
	CHECK_RC(kfit_load_dir(dir, &s, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "b.json: 'probes[0].params': topk (8) and ep (1) must not exceed experts (256), nor tp (2048) inter (1536)");
	kfit_free(&s);
	snprintf(path, sizeof path, "%s/b.json", dir);
	unlink(path);
	/* a kernel name it does not know fits no class */
	snprintf(text, sizeof text, "%s{\"probe\": \"moe\", \"status\": \"ok\", \"params\": {%s, \"kernel\": \"vllm_fusedmoe\"}, \"timing\": {\"median_s\": 1e-4}}]}",
		 head, shape);
	kfit_write(dir, "c.json", text);
	CHECK_RC(kfit_load_dir(dir, &s, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "c.json: 'probes[0].params.kernel' of a moe record must be vllm_fused_moe, sglang_fused_moe_triton, moe_torch_flow_cutlass, deepgemm or deepgemm_mega_moe, got 'vllm_fusedmoe'");
	kfit_free(&s);
	snprintf(path, sizeof path, "%s/c.json", dir);
	unlink(path);
	rmdir(dir);
}

static const struct test tests[] = {
	{"kfit: whole-MoE records fit their engine's class (vLLM, SGLang) and slice experts by tp", t_kfit_moe_engine},
	{"borrow: a fit carried to another card runs on its own peaks; B300/GB300 fit their own", t_borrow_cards},
	{"kfit: the fit finds the parameters that made the times", t_kfit_recovers},
	{"kfit: records become the engine's calls; bad ones name file and key", t_kfit_records},
	{"kfit: grouped GEMMs by layout, GQA decode, DeepEP in and across nodes, the NIC's line rate", t_kfit_classes},
	{"kfit: a prefill attention record counts thread blocks and the QKV pass", t_kfit_prefill_record},
};

const struct suite suite_calib = {"calib", tests, sizeof tests / sizeof tests[0]};
