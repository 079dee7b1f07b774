/*
 * tests/unit/perf.c - unit tests of perf.h, kern.h: the operators of a step
 * and their times, step assembly, properties of the performance model, the
 * layer kinds' times, the kernel model, and the engine's answers to hostile
 * input.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "comm.h"
#include "deploy.h"
#include "engine.h"
#include "err.h"
#include "hw.h"
#include "kern.h"
#include "kv.h"
#include "model.h"
#include "params.h"
#include "perf.h"
#include "plan.h"
#include "precision.h"
#include "serve.h"
#include "unit.h"

/* A bundled card as it would be without its "calibration": every kernel
 * class on the card's `efficiency` defaults (hw.h), for tests that work
 * times out by hand from those. */
static void hw_uncalibrate(struct hw *h)
{
	int k;

	for (k = 0; k < K_CLASSES; k++)
		h->kern[k] = (struct hw_kernel_eff){h->eff.compute, h->eff.memory, h->eff.kernel_latency_s,
						    0, 0, 0, 0, KCAL_DEFAULTS, 0};
	h->calibrated = KCAL_DEFAULTS;
}

/* ---- performance engine -------------------------------------------------- */

/*
 * Card figures used below (hw/h800-sxm.json, hw/h100-sxm.json, SI units):
 *   bf16 989 TF = 9.89e14 FLOP/s, fp8 1979 TF = 1.979e15, HBM 3350 GB/s =
 *   3.35e12 B/s; H800 NIC 400 Gb/s = 5e10 B/s, NVLink 200 GB/s per direction;
 *   H100 NVLink 450 GB/s = 4.5e11 B/s per direction.
 * Under --ideal (d.w.ideal = 1) efficiencies are 1 and t0 and link latencies
 * 0, so an operator's time is exactly max(FLOPs / peak, bytes / HBM).
 */
#define PEAK_BF16 9.89e14
#define PEAK_FP8 1.979e15
#define HBM_3350 3.35e12

/* A deployment with the workload's context kept equal to the fit context
 * and the MTP depth equal to the loaded modules, as 'mlasim plan' sets them. */
static void dep_setup(const struct model *m, struct deployment *d, double tp, double dp,
		      double ep, double batch, double context, int ideal)
{
	plan_default_deployment(m, d);
	d->tp = tp;
	d->dp = dp;
	d->ep = ep;
	d->w.batch = batch;
	d->context = d->w.context = context;
	d->w.ideal = ideal;
}

/* The first operator called `name` of layer kind `layer` (-1: any); the test
 * fails when there is none. */
static const struct op *op_find(const struct phase *ph, const char *name, int layer)
{
	int i;

	for (i = 0; i < ph->nops; i++)
		if (strcmp(ph->op[i].name, name) == 0 && (layer < 0 || ph->op[i].layer == layer))
			return &ph->op[i];
	t_failed++;
	printf("#   no operator '%s' (layer %d) among %d\n", name, layer, ph->nops);
	return NULL;
}

/* Sum over operators of t x count: the step when nothing overlaps. */
static double ops_sum(const struct phase *ph)
{
	double t = 0;
	int i;

	for (i = 0; i < ph->nops; i++)
		t += ph->op[i].t * ph->op[i].count;
	return t;
}

/* The step recomputed from the operator list with micro-batches mb: a dense
 * or MoE layer whose EP all-to-all can hide behind the other micro-batch's
 * compute takes mb x max(compute, comm), otherwise mb x (compute + comm);
 * everything outside those layers (head, MTP, pipeline) mb x t x count. */
static double ops_step(const struct phase *ph, double mb)
{
	double c[LAYER_KINDS] = {0}, m[LAYER_KINDS] = {0}, n[LAYER_KINDS] = {0}, t = 0;
	int i, k;

	for (i = 0; i < ph->nops; i++) {
		const struct op *o = &ph->op[i];
		if (o->layer == LAYER_DENSE || o->layer == LAYER_MOE) {
			if (o->cls == OPC_EP_DISPATCH || o->cls == OPC_EP_COMBINE)
				m[o->layer] += o->t;
			else
				c[o->layer] += o->t;
			n[o->layer] = o->count;
		} else {
			t += mb * o->t * o->count;
		}
	}
	/* overlapped, the compute beside the all-to-all loses the SMs it holds
	 * (ep_sm_share: DeepEP's normal kernels in prefill) */
	for (k = LAYER_DENSE; k <= LAYER_MOE; k++)
		t += mb * n[k] * (mb >= 2 && m[k] > 0 ? max_d(c[k] + m[k] * ph->ep_sm_share, m[k]) : c[k] + m[k]);
	return t;
}

/*
 * Absorbed MLA decode attention, DeepSeek-V3 (dc 512, dr 64: dk 576, dv 512),
 * 128 heads, B 1, s_q 1, L 4096, bf16 latent 1152 B per token per layer:
 *   FLOPs = 2 x 1 x 128 x 1 x 4096 x (576 + 512) = 1,048,576 x 1088
 *         = 1,140,850,688
 *   bytes = 1 x (1 x 128 x 576 x 2 + 4096 x 1152 + 1 x 128 x 512 x 2)
 *         = 147,456 + 4,718,592 + 131,072 = 4,997,120
 * B 4, s_q 2, h 16 (tp 8), L 1000:
 *   FLOPs = 2 x 4 x 16 x 2 x 1000 x 1088 = 278,528,000
 *   bytes = 4 x (2 x 16 x 576 x 2 + 1000 x 1152 + 2 x 16 x 512 x 2)
 *         = 4 x (36,864 + 1,152,000 + 32,768) = 4,886,528
 * Intensity (docs/probes.md s2): with bf16 (kvb = 2 dk) and h_q s_q = 128,
 *   FLOPs / bytes -> 2 x 128 x 1088 / 1152 = 241.777... as L grows
 *   (278,528 / 1152 = 241.7777...; "about 242 FLOP/B").  At L = 1e9 the Q
 *   and O terms (278,528 B) are 2.4e-7 of the latent (1.152e12 B).
 */
static void t_perf_mla_attention(void)
{
	struct model m;
	double f, b;

	if (load_model("deepseek-v3", &m))
		return;
	perf_mla_attention(&m, 128, 1, 1, 4096, 1152, &f, &b);
	CHECK_EQ(f, 1140850688.0);
	CHECK_EQ(b, 4997120);
	perf_mla_attention(&m, 16, 4, 2, 1000, 1152, &f, &b);
	CHECK_EQ(f, 278528000);
	CHECK_EQ(b, 4886528);
	perf_mla_attention(&m, 128, 1, 1, 1e9, 1152, &f, &b);
	CHECK_REL(f / b, 2.0 * 128 * 1088 / 1152, 1e-6);
	CHECK_NEAR(f / b, 242, 0.5);
	/* h_q x s_q is what counts: 64 heads x 2 tokens has the same intensity */
	perf_mla_attention(&m, 64, 1, 2, 1e9, 1152, &f, &b);
	CHECK_REL(f / b, 2.0 * 128 * 1088 / 1152, 1e-6);
	/* FP8 FlashMLA latent (656 B): the latent term shrinks by 1152/656 */
	perf_mla_attention(&m, 128, 1, 1, 1e9, 656, &f, &b);
	CHECK_REL(f / b, 2.0 * 128 * 1088 / 656, 1e-6);
}

/*
 * DeepSeek-V3 fp8-block on H800, tp 1, dp 1, ep 1, batch 32, context 4096,
 * --ideal.  T = 32 tokens (1 micro-batch, no MTP); GEMMs run in fp8
 * (act_in 1 B), their output is bf16.
 *
 * "q_a + kv_a projection": N = 1536 + 512 + 64 = 2112, K = 7168
 *   FLOPs = 2 x 32 x 2112 x 7168 = 968,884,224
 *   weights = 2112 x 7168 + 4 x ceil(2112/128)=17 x ceil(7168/128)=56
 *           = 15,138,816 + 3,808 = 15,142,624
 *   bytes = 15,142,624 + 32 x 7168 x 1 + 32 x 2112 x 2
 *         = 15,142,624 + 229,376 + 135,168 = 15,507,168
 *   t = max(968,884,224 / 1.979e15, 15,507,168 / 3.35e12) = the bytes term
 * "mla decode attention": B 32 x (the single-request figures above)
 *   FLOPs = 32 x 1,140,850,688 = 36,507,222,016 (bf16)
 *   bytes = 32 x 4,997,120 = 159,907,840
 * "o projection": N = 7168, K = 128 heads x v_head 128 = 16384
 *   FLOPs = 2 x 32 x 7168 x 16384 = 7,516,192,768
 *   weights = 117,440,512 + 4 x 56 x 128 = 117,469,184
 *   bytes = 117,469,184 + 32 x 16384 + 32 x 7168 x 2 = 118,452,224
 * "routed experts gate + up": copies = 32 x 8 / ep 1 = 256; 2 Fe = 4096
 *   FLOPs = 2 x 256 x 4096 x 7168 = 15,032,385,536 (fp8)
 *   touched = 256 x (1 - (1 - 8/256)^32) = 256 x (1 - 0.36205528925631...)
 *           = 163.31384595038296
 *   one expert's gate + up [4096, 7168] fp8-block: 29,360,128 + 4 x 32 x 56
 *           = 29,367,296
 *   bytes = 163.31384595038296 x 29,367,296 + 256 x 7168 x 1 + 256 x 4096 x 2
 *         = 4,796,086,062.92 + 1,835,008 + 2,097,152 = 4,800,018,214.92
 * "routed experts down": FLOPs 2 x 256 x 7168 x 2048 = 7,516,192,768;
 *   bytes = 163.31384595038296 x 14,683,648 + 256 x 2048 + 256 x 7168 x 2
 *         = 2,402,237,331.46
 * "output head" (bf16 whatever the weights): N = 129280, K = 7168
 *   FLOPs = 2 x 32 x 129280 x 7168 = 59,307,458,560
 *   bytes = 2 x 926,679,040 + 32 x 7168 x 2 + 32 x 129280 x 2
 *         = 1,853,358,080 + 458,752 + 8,273,920 = 1,862,090,752
 */
static void t_perf_decode_ops_v3(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct phase *ph = &g_plan.perf.decode;
	const struct op *o;
	double touched = 163.31384595038296;

	if (load_model("deepseek-v3", &m) || load_hw("h800-sxm", &h))
		return;
	dep_setup(&m, &d, 1, 1, 1, 32, 4096, 1);
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(ph, "q_a + kv_a projection", LAYER_MOE))) {
		CHECK_EQ(o->flops, 968884224);
		CHECK_EQ(o->bytes, 15507168);
		CHECK(o->dtype == DT_FP8);
		CHECK_EQ(o->count, 58);
		CHECK_REL(o->t, max_d(968884224 / PEAK_FP8, 15507168 / HBM_3350), 1e-12);
		CHECK(o->bound == BOUND_HBM);
	}
	if ((o = op_find(ph, "q_a + kv_a projection", LAYER_DENSE))) {
		CHECK_EQ(o->flops, 968884224);      /* the same in the 3 dense layers */
		CHECK_EQ(o->count, 3);
	}
	if ((o = op_find(ph, "mla decode attention", LAYER_MOE))) {
		CHECK_EQ(o->flops, 36507222016.0);
		CHECK_EQ(o->bytes, 159907840);
		CHECK(o->dtype == DT_BF16);
		CHECK_REL(o->t, max_d(36507222016.0 / PEAK_BF16, 159907840 / HBM_3350), 1e-12);
	}
	if ((o = op_find(ph, "o projection", LAYER_MOE))) {
		CHECK_EQ(o->flops, 7516192768.0);
		CHECK_EQ(o->bytes, 118452224);
		CHECK_REL(o->t, max_d(7516192768.0 / PEAK_FP8, 118452224 / HBM_3350), 1e-12);
	}
	if ((o = op_find(ph, "routed experts gate + up", LAYER_MOE))) {
		double bytes = touched * 29367296 + 256 * 7168 + 256 * 4096 * 2;
		CHECK_EQ(o->flops, 15032385536.0);
		CHECK_REL(o->bytes, bytes, 1e-12);
		CHECK_REL(o->bytes, 4800018214.92, 1e-11);
		CHECK(o->dtype == DT_FP8);
		CHECK_REL(o->t, max_d(15032385536.0 / PEAK_FP8, bytes / HBM_3350), 1e-12);
	}
	if ((o = op_find(ph, "routed experts down", LAYER_MOE))) {
		CHECK_EQ(o->flops, 7516192768.0);
		CHECK_REL(o->bytes, touched * 14683648 + 256 * 2048 + 256 * 7168 * 2, 1e-12);
	}
	if ((o = op_find(ph, "output head", LAYER_GLOBAL))) {
		CHECK_EQ(o->flops, 59307458560.0);
		CHECK_EQ(o->bytes, 1862090752);
		CHECK(o->dtype == DT_BF16);
		CHECK_EQ(o->count, 1);
		CHECK_REL(o->t, max_d(59307458560.0 / PEAK_BF16, 1862090752 / HBM_3350), 1e-12);
	}
	/* tp 1, ep 1: no communication at all */
	CHECK_EQ(g_plan.perf.decode.t_class[OPC_TP_COMM], 0);
	CHECK_EQ(g_plan.perf.decode.t_class[OPC_EP_DISPATCH], 0);

	/* the default efficiencies (H800 card: compute 0.79, memory 0.87, t0 3 us):
	 * t = max(FLOPs / (1.979e15 x 0.79), bytes / (3.35e12 x 0.87)) + 3e-6;
	 * the q_a + kv_a tiles (1 x 17 of 128 x 128) fill no wave of 132 SMs */
	hw_uncalibrate(&h);
	dep_setup(&m, &d, 1, 1, 1, 32, 4096, 0);
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(ph, "q_a + kv_a projection", LAYER_MOE)))
		CHECK_REL(o->t, max_d(968884224 / (PEAK_FP8 * 0.79),
				      15507168 / (HBM_3350 * 0.87)) + 3e-6, 1e-12);
	if ((o = op_find(ph, "output head", LAYER_GLOBAL)))
		CHECK_REL(o->t, max_d(59307458560.0 / (PEAK_BF16 * 0.79),
				      1862090752 / (HBM_3350 * 0.87)) + 3e-6, 1e-12);
}

/*
 * Llama-3.1-70B bf16 on H100, tp 4, batch 16, context 2048, --ideal:
 * h = 64 / 4 = 16 heads, 8 / 4 = 2 KV heads per GPU, dh 128, T = 16.
 * "qkv projection": N = (16 + 2 x 2) x 128 = 2560, K = 8192
 *   FLOPs = 2 x 16 x 2560 x 8192 = 671,088,640
 *   bytes = 2 x 2560 x 8192 + 16 x 8192 x 2 + 16 x 2560 x 2
 *         = 41,943,040 + 262,144 + 81,920 = 42,287,104
 * "attention (decode)": KV per token per layer per GPU = 2 heads x (K, V)
 *   x 128 x 2 B = 1024
 *   FLOPs = 4 x 16 x 16 x 1 x 2048 x 128 = 268,435,456
 *   bytes = 16 x (2048 x 1024 + 2 x 1 x 16 x 128 x 2)
 *         = 16 x (2,097,152 + 8,192) = 33,685,504
 * "ffn gate + up": F / tp = 28672 / 4 = 7168, N = 14336, K = 8192
 *   FLOPs = 2 x 16 x 14336 x 8192 = 3,758,096,384
 *   bytes = 2 x 14336 x 8192 + 16 x 8192 x 2 + 16 x 14336 x 2
 *         = 234,881,024 + 262,144 + 458,752 = 235,601,920
 * "tp all-reduce": 16 x 8192 x 2 = 262,144 B of hidden states; bus bytes
 *   262,144 x 2 x 3/4 = 393,216; t = 393,216 / 4.5e11 = 873.8 ns; two per
 *   layer (after attention and after the FFN), 80 layers.
 */
static void t_perf_decode_ops_llama70b(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct phase *ph = &g_plan.perf.decode;
	const struct op *o;
	int i, n_ar = 0;

	if (load_model("llama-3.1-70b", &m) || load_hw("h100-sxm", &h))
		return;
	dep_setup(&m, &d, 4, 1, 1, 16, 2048, 1);
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(ph, "qkv projection", LAYER_DENSE))) {
		CHECK_EQ(o->flops, 671088640);
		CHECK_EQ(o->bytes, 42287104);
		CHECK_EQ(o->count, 80);
		CHECK(o->dtype == DT_BF16);
		CHECK_REL(o->t, max_d(671088640 / PEAK_BF16, 42287104 / HBM_3350), 1e-12);
	}
	if ((o = op_find(ph, "attention (decode)", LAYER_DENSE))) {
		CHECK_EQ(o->flops, 268435456);
		CHECK_EQ(o->bytes, 33685504);
		CHECK_REL(o->t, max_d(268435456 / PEAK_BF16, 33685504 / HBM_3350), 1e-12);
	}
	if ((o = op_find(ph, "ffn gate + up", LAYER_DENSE))) {
		CHECK_EQ(o->flops, 3758096384.0);
		CHECK_EQ(o->bytes, 235601920);
	}
	if ((o = op_find(ph, "tp all-reduce", LAYER_DENSE))) {
		CHECK_EQ(o->bytes, 393216);
		CHECK_REL(o->t, 393216 / 4.5e11, 1e-12);
		CHECK(o->bound == BOUND_SCALE_UP);
	}
	for (i = 0; i < ph->nops; i++)
		n_ar += strcmp(ph->op[i].name, "tp all-reduce") == 0;
	CHECK_EQ(n_ar, 2);
	/* 2 all-reduces x 80 layers x 873.8 ns */
	CHECK_REL(ph->t_class[OPC_TP_COMM], 160 * 393216 / 4.5e11, 1e-12);
}

/*
 * Step assembly.
 * (a) --ideal, 1 micro-batch: nothing overlaps, so decode.t_step = sum of
 *     t x count over the operators, and so does prefill.t_step; the classes
 *     and bounds each add up to the step.
 * (b) DeepSeek-V3, dp = ep = 32 on H800, batch 64 in 2 micro-batches of 32:
 *     each MoE layer takes 2 x max(compute, all-to-all), each dense layer
 *     2 x compute, the head 2 x its time (ops_step above).
 * (c) tpot = t_step / tokens per step; MTP 1 at 0.85: 1 + 0.85 = 1.85;
 *     MTP 2 at 0.8: 1 + 0.8 + 0.64 = 2.44; decode tokens/s per GPU =
 *     batch x tokens per step / t_step / tp.
 */
static void t_perf_step_assembly(void)
{
	static const char *const mtp2[] = {"num_nextn_predict_layers=2"};
	struct model m, m2, ll;
	struct hw h, h1;
	struct deployment d;
	const struct perf *p = &g_plan.perf;
	const struct op *o;
	struct err e;
	double sum;
	int k;

	if (load_model("deepseek-v3", &m) || load_model("llama-3.1-70b", &ll) ||
	    load_hw("h800-sxm", &h) || load_hw("h100-sxm", &h1))
		return;
	/* (a) */
	dep_setup(&m, &d, 1, 1, 1, 32, 4096, 1);
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(p->decode.t_step, ops_sum(&p->decode), 1e-12);
	CHECK_REL(p->prefill.t_step, ops_sum(&p->prefill), 1e-12);
	CHECK(!p->decode.overlapped);
	dep_setup(&ll, &d, 4, 1, 1, 16, 2048, 1);
	if (plan_run(&ll, &h1, &d))
		return;
	CHECK_REL(p->decode.t_step, ops_sum(&p->decode), 1e-12);
	for (sum = 0, k = 0; k < OPC_CLASSES; k++)
		sum += p->decode.t_class[k];
	CHECK_REL(sum, p->decode.t_step, 1e-12);
	for (sum = 0, k = 0; k < BOUND_KINDS; k++)
		sum += p->decode.t_bound[k];
	CHECK_REL(sum, p->decode.t_step, 1e-12);
	/* batch 16 x 1 token / t_step / tp 4 */
	CHECK_REL(p->decode_tps_gpu, 16 / p->decode.t_step / 4, 1e-12);
	CHECK_REL(p->tpot_s, p->decode.t_step, 1e-15);

	/* (b) --ideal and with the card's efficiencies */
	for (k = 1; k >= 0; k--) {
		double t_moe_m = 0;
		int i;

		dep_setup(&m, &d, 1, 32, 32, 64, 4096, k);
		d.w.micro_batches = 2;
		if (plan_run(&m, &h, &d))
			return;
		CHECK(p->decode.overlapped);
		CHECK_REL(p->decode.t_step, ops_step(&p->decode, 2), 1e-12);
		CHECK_REL(p->prefill.t_step, ops_step(&p->prefill, 2), 1e-12);
		for (i = 0; i < p->decode.nops; i++) {
			const struct op *q = &p->decode.op[i];
			if (q->layer != LAYER_MOE)
				continue;
			if (q->cls == OPC_EP_DISPATCH || q->cls == OPC_EP_COMBINE)
				t_moe_m += q->t;
		}
		CHECK(t_moe_m > 0);             /* there is an all-to-all to hide */
		/* the micro-batch is 32 sequences: 32 tokens through every operator */
		if ((o = op_find(&p->decode, "q_a + kv_a projection", LAYER_MOE)))
			CHECK_EQ(o->flops, 968884224);
		/* the same layer without overlap would take 2 x (compute + comm) */
		CHECK(p->decode.t_step < ops_step(&p->decode, 1) * 2 + 1e-15);
		for (sum = 0, i = 0; i < BOUND_KINDS; i++)
			sum += p->decode.t_bound[i];
		CHECK_REL(sum, p->decode.t_step, 1e-12);
		/* batch 64 x 1 / t_step / tp 1 */
		CHECK_REL(p->decode_tps_gpu, 64 / p->decode.t_step, 1e-12);
	}

	/* (c) MTP 1 at the default acceptance 0.85 */
	dep_setup(&m, &d, 1, 1, 1, 32, 4096, 1);
	d.mtp = d.w.mtp_depth = 1;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(p->tokens_per_step, 1.85, 1e-15);
	CHECK_REL(p->tpot_s, p->decode.t_step / 1.85, 1e-15);
	CHECK_REL(p->decode_tps_gpu, 32 * 1.85 / p->decode.t_step, 1e-12);
	CHECK_REL(p->decode_tps_user, 1.85 / p->decode.t_step, 1e-12);
	CHECK_REL(p->decode.t_step, ops_sum(&p->decode), 1e-12);
	/* the main model sees s_q = 2 tokens per sequence: 64 tokens */
	if ((o = op_find(&p->decode, "q_a + kv_a projection", LAYER_MOE)))
		CHECK_EQ(o->flops, 2 * 968884224.0);
	/* the module drafts one token per sequence: eh_proj [7168, 14336] on 32 tokens */
	if ((o = op_find(&p->decode, "eh projection", LAYER_MTP))) {
		CHECK_EQ(o->flops, 2.0 * 32 * 7168 * 14336);
		CHECK_EQ(o->count, 1);
	}
	/* MTP 2 at 0.8 needs a model with two MTP modules */
	memset(&e, 0, sizeof e);
	if (CHECK_OK(model_load("models/deepseek-v3.json", mtp2, 1, &m2, &e), &e))
		return;
	dep_setup(&m2, &d, 1, 1, 1, 32, 4096, 1);
	d.mtp = d.w.mtp_depth = 2;
	d.w.mtp_accept = 0.8;
	if (plan_run(&m2, &h, &d))
		return;
	CHECK_REL(p->tokens_per_step, 2.44, 1e-12);
	CHECK_REL(p->tpot_s, p->decode.t_step / 2.44, 1e-12);
	CHECK_REL(p->decode_tps_gpu, 32 * 2.44 / p->decode.t_step, 1e-12);
	if ((o = op_find(&p->decode, "eh projection", LAYER_MTP)))
		CHECK_EQ(o->count, 2);
	CHECK_REL(p->decode.t_step, ops_sum(&p->decode), 1e-12);
}

/*
 * Pipeline hand-off is pipeline communication whether or not MTP modules
 * are loaded: DeepSeek-V3, pp 2, --ideal, batch 8.  The "pp stage transfer"
 * moves the step's tokens' hidden states once (pp - 1 = 1) over NVLink
 * (tp 1 x pp 2 = 2 GPUs within a domain of 8, 2e11 B/s):
 *   no MTP: 8 tokens x 7168 x 2 B = 114,688 B, 114,688 / 2e11 = 0.57344 us
 *   MTP 1:  8 x (1 + 1) tokens x 7168 x 2 B = 229,376 B, 1.14688 us
 * and belongs to class "pp transfer" and layer "global" in both cases.
 * (Regression: the transfer used to inherit the MTP module's layer kind, so
 * its time landed in t_class[OPC_MTP]; fixed in 7a3cb88.)
 */
static void t_perf_pp_class(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct phase *ph = &g_plan.perf.decode;
	const struct op *o;
	int mtp;

	if (load_model("deepseek-v3", &m) || load_hw("h800-sxm", &h))
		return;
	for (mtp = 0; mtp <= 1; mtp++) {
		double bytes = 8.0 * (1 + mtp) * 7168 * 2;
		dep_setup(&m, &d, 1, 1, 1, 8, 4096, 1);
		d.pp = 2;
		d.mtp = d.w.mtp_depth = mtp;
		if (plan_run(&m, &h, &d))
			return;
		if ((o = op_find(ph, "pp stage transfer", -1))) {
			CHECK_EQ(o->bytes, bytes);
			CHECK_EQ(o->count, 1);
			CHECK_REL(o->t, bytes / 2e11, 1e-12);
			CHECK(o->cls == OPC_PP_COMM);
			CHECK(o->layer == LAYER_GLOBAL);
		}
		CHECK_REL(ph->t_class[OPC_PP_COMM], bytes / 2e11, 1e-12);
	}
}

/*
 * The ISCA 2025 speed-limit case (cmd_validate.c): DeepSeek-V3 on H800 with
 * scale_up.domain_gpus = 1, dp = ep = 256, batch 64 in 2 micro-batches,
 * shared expert routed (9 copies), no node limit, context 1, --ideal.
 * Per micro-batch 32 tokens per GPU; remote copies per token 9 x 255/256 =
 * 8.96484375 (the up + out split does not change their sum):
 *   dispatch bytes = 32 x 8.96484375 x (7168 + 4 x 56) = 286.875 x 7392
 *                  = 2,120,580
 *   combine bytes  = 286.875 x 14336 = 4,112,640
 * with every remote copy on the 50 GB/s NIC: (2,120,580 + 4,112,640) / 5e10
 * = 124.6644 us per layer (the engine counts 257 physical experts, shared
 * one included, which moves 0.006% of the copies off the NIC: within 1e-4).
 * The step's all-to-all: 2 micro-batches x 58 MoE layers x that.
 * With 4 of the card's 8 planes down the NIC bandwidth is (8 - 4)/8 = 1/2 of
 * 50 GB/s, so the (NIC-bound) all-to-all takes twice as long; all 8 down is
 * refused.  Latency (card's figures, not --ideal): 256 GPUs put 256 x 1 NIC
 * / 8 planes = 32 ports in a plane, which one leaf of radix 64 (32 down)
 * holds: 2.8 us; 288 GPUs (ep 288 with 32 redundant experts) need 36 > 32:
 * two more hops of 0.45 us, 3.7 us (ISCA 2025 Table 5: 2.8 same leaf, 3.7
 * cross leaf).
 */
static void t_perf_isca_a2a(void)
{
	static const char *const sets[] = {"scale_up.domain_gpus=1"};
	struct model m;
	struct hw h;
	struct deployment d;
	struct err e;
	const struct phase *ph = &g_plan.perf.decode;
	double a2a;

	memset(&e, 0, sizeof e);
	if (load_model("deepseek-v3", &m) ||
	    CHECK_OK(hw_load("hw/h800-sxm.json", sets, 1, &h, &e), &e))
		return;
	dep_setup(&m, &d, 1, 256, 256, 64, 1, 1);
	d.w.micro_batches = 2;
	d.w.shared_routed = 1;
	d.w.max_nodes = 0;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(ph->dispatch_bytes, 2120580, 1e-12);
	CHECK_REL(ph->combine_bytes, 4112640, 1e-12);
	CHECK_REL(ph->up_bytes + ph->out_bytes, 2120580 + 4112640, 1e-12);
	CHECK_REL(ph->a2a_s_per_layer, 124.6644e-6, 1e-4);
	CHECK_REL(ph->t_class[OPC_EP_DISPATCH] + ph->t_class[OPC_EP_COMBINE],
		  2 * 58 * ph->a2a_s_per_layer, 1e-12);
	CHECK_NEAR(ph->t_class[OPC_EP_DISPATCH] + ph->t_class[OPC_EP_COMBINE], 14.46e-3, 0.01e-3);
	a2a = ph->a2a_s_per_layer;
	d.w.planes_down = 4;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(g_plan.perf.links.out_bw, 2.5e10, 1e-15);
	CHECK_REL(ph->a2a_s_per_layer, 2 * a2a, 1e-12);
	d.w.planes_down = 8;
	memset(&g_plan, 0, sizeof g_plan);
	CHECK_RC(plan_compute(&m, &h, &d, NULL, &g_plan, &e), EXIT_USAGE, &e);
	d.w.planes_down = 0;
	d.w.ideal = 0;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(g_plan.perf.links.out_latency_s, 2.8e-6, 1e-12);
	d.redundant_experts = 32;
	d.dp = d.ep = 288;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(g_plan.perf.links.out_latency_s, 3.7e-6, 1e-12);
}

/*
 * Prefill, DeepSeek-V3 on H800, --ideal, 8192 tokens per step.
 * isl 4096: S = 4096 new tokens, P = 0, two requests per step (r = 2):
 *   pairs = 2 x 4096 x 4097 / 2 = 16,781,312
 *   "attention (prefill, causal)" FLOPs = 2 x 128 x (192 + 128) x pairs
 *     = 81,920 x 16,781,312 = 1,374,725,079,040
 *   bytes = 2 x (8192 x 128 x 192 + 8192 x 128 x 320 + 8192 x 128 x 128)
 *         = 2 x 8192 x 128 x 640 = 1,342,177,280
 *   "kv_b projection (K, V up)" over 2 x 4096 = 8192 context tokens:
 *     FLOPs = 2 x 8192 x (128 x (128 + 128)) x 512 = 274,877,906,944
 *   "output head": one logit row per request, 2 rows:
 *     FLOPs = 2 x 2 x 129280 x 7168 = 3,706,716,160
 *   ttft = 1 step; prefill tokens/s per GPU = 8192 / t_step.
 * isl 32768: 4 chunks of 8192; pairs per chunk = (32768 x 32769 / 2) / 4
 *   = 536,887,296 / 4 = 134,221,824 -> FLOPs 81,920 x 134,221,824 =
 *   10,995,451,822,080; context up-projected on average 8192 x (1+2+3+4)/4
 *   = 20,480 tokens; ttft = 4 x t_step.
 * isl 4096, prefix hit 0.5: S = 2048 new tokens after P = 2048 cached, 4
 *   requests per step: pairs = 4 x (2048 x 2048 + 2048 x 2049 / 2) =
 *   4 x 6,292,480 = 25,169,920 -> FLOPs 2,061,919,846,400; context 4 x 4096
 *   = 16,384 tokens up-projected.
 */
static void t_perf_prefill(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct perf *p = &g_plan.perf;
	const struct op *o;

	if (load_model("deepseek-v3", &m) || load_hw("h800-sxm", &h))
		return;
	dep_setup(&m, &d, 1, 1, 1, 1, 4096, 1);
	d.w.isl = 4096;
	d.w.prefill_tokens = 8192;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(p->prefill_new_tokens, 4096);
	CHECK_EQ(p->prefill.tokens, 8192);
	if ((o = op_find(&p->prefill, "attention (prefill, causal)", LAYER_MOE))) {
		CHECK_EQ(o->flops, 1374725079040.0);
		CHECK_EQ(o->bytes, 1342177280);
		CHECK_REL(o->t, max_d(1374725079040.0 / PEAK_BF16, 1342177280 / HBM_3350), 1e-12);
	}
	if ((o = op_find(&p->prefill, "kv_b projection (K, V up)", LAYER_MOE)))
		CHECK_EQ(o->flops, 274877906944.0);
	if ((o = op_find(&p->prefill, "q_a + kv_a projection", LAYER_MOE)))
		CHECK_EQ(o->flops, 2.0 * 8192 * 2112 * 7168);
	if ((o = op_find(&p->prefill, "output head", LAYER_GLOBAL)))
		CHECK_EQ(o->flops, 3706716160.0);
	/* TTFT is one request alone: its 4096 tokens, not the shared step */
	CHECK(p->ttft_s < p->prefill.t_step);
	CHECK_REL(p->prefill_tps_gpu, 8192 / p->prefill.t_step, 1e-12);

	d.w.isl = 32768;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(p->prefill_new_tokens, 32768);
	CHECK_EQ(p->prefill.tokens, 8192);
	if ((o = op_find(&p->prefill, "attention (prefill, causal)", LAYER_MOE)))
		CHECK_EQ(o->flops, 10995451822080.0);
	if ((o = op_find(&p->prefill, "kv_b projection (K, V up)", LAYER_MOE)))
		CHECK_EQ(o->flops, 2.0 * 20480 * 32768 * 512);
	CHECK_REL(p->ttft_s, 4 * p->prefill.t_step, 1e-15);

	d.w.isl = 4096;
	d.w.prefix_hit = 0.5;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(p->prefill_new_tokens, 2048);
	if ((o = op_find(&p->prefill, "attention (prefill, causal)", LAYER_MOE)))
		CHECK_EQ(o->flops, 2061919846400.0);
	if ((o = op_find(&p->prefill, "kv_b projection (K, V up)", LAYER_MOE)))
		CHECK_EQ(o->flops, 2.0 * 16384 * 32768 * 512);
	if ((o = op_find(&p->prefill, "output head", LAYER_GLOBAL)))
		CHECK_EQ(o->flops, 4.0 * 2 * 129280 * 7168);   /* 4 requests */
	CHECK(p->ttft_s < p->prefill.t_step);

	/* GQA prefill, Llama-3.1-70B tp 4 on H100: isl 2048, 8192 per step = 4
	 * requests: pairs 4 x 2048 x 2049 / 2 = 8,392,704; FLOPs 4 h dh pairs =
	 * 4 x 16 x 128 x 8,392,704 = 68,753,031,168 */
	if (load_model("llama-3.1-70b", &m) || load_hw("h100-sxm", &h))
		return;
	dep_setup(&m, &d, 4, 1, 1, 1, 2048, 1);
	d.w.isl = 2048;
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(&p->prefill, "attention (prefill, causal)", LAYER_DENSE)))
		CHECK_EQ(o->flops, 68753031168.0);
}

/* ---- performance properties ---------------------------------------------- */

struct pcase { const char *model, *hw; double tp, dp, ep; };

/* Layouts that plan_check accepts and whose cards have the links they need. */
static const struct pcase pcases[] = {
	{"llama-3.1-70b", "h100-sxm", 4, 1, 1},
	{"llama-3.1-8b", "h200-sxm", 1, 1, 1},
	{"qwen2.5-72b", "b200", 8, 1, 1},
	{"mixtral-8x7b", "mi300x", 2, 1, 1},
	{"deepseek-v3", "h800-sxm", 1, 32, 32},
	{"deepseek-v3", "h800-sxm", 8, 1, 1},
	{"deepseek-v2-lite", "h20", 1, 8, 8},
	{"kimi-k2", "gb200-nvl72", 1, 64, 64},
};
#define NPCASES (sizeof pcases / sizeof pcases[0])

/* Decode and prefill step, tpot and tokens/s per GPU of one plan. */
struct pres { double dec, pre, tpot, tps; };

static int prun(const struct pcase *c, const char *set, double batch, double mb,
		double context, int ideal, struct pres *r)
{
	const char *sets[1];
	struct model m;
	struct hw h;
	struct deployment d;
	struct err e;
	char path[256];

	sets[0] = set;
	memset(&e, 0, sizeof e);
	snprintf(path, sizeof path, "hw/%s.json", c->hw);
	if (load_model(c->model, &m))
		return -1;
	if (hw_load(path, sets, set ? 1 : 0, &h, &e)) {
		t_failed++;
		printf("#   cannot load %s with '%s': %s\n", path, set ? set : "", e.msg);
		return -1;
	}
	dep_setup(&m, &d, c->tp, c->dp, c->ep, batch, context, ideal);
	d.w.micro_batches = mb;
	if (plan_run(&m, &h, &d))
		return -1;
	r->dec = g_plan.perf.decode.t_step;
	r->pre = g_plan.perf.prefill.t_step;
	r->tpot = g_plan.perf.tpot_s;
	r->tps = g_plan.perf.decode_tps_gpu;
	return 0;
}

static void prop_fail(const struct pcase *c, const char *what, double x, double a, double b)
{
	t_failed++;
	printf("#   %s on %s tp %g dp %g ep %g: %s at %g: %.9g then %.9g\n", c->model, c->hw,
	       c->tp, c->dp, c->ep, what, x, a, b);
}

/*
 * Doubling the batch never lowers decode tokens/s per GPU: every operator's
 * FLOPs and activation bytes grow linearly in the tokens while its weight
 * bytes and t0 do not, and touched experts E(1 - q^2T) <= 2 E(1 - q^T), so
 * t(2B) <= 2 t(B).  Checked with the card's efficiencies (t0 > 0) over
 * batch 1..64 (Llama-3.1-70B tp 4 on H100 is the memory-bound case asked
 * for) and over every case of the table.
 */
static void t_perf_prop_batch(void)
{
	size_t i;
	double b;
	struct pres r0, r1;

	for (i = 0; i < NPCASES; i++) {
		if (prun(&pcases[i], NULL, 1, 1, 4096, 0, &r0))
			return;
		for (b = 2; b <= 64; b *= 2) {
			if (prun(&pcases[i], NULL, b, 1, 4096, 0, &r1))
				return;
			if (!(r1.tps >= r0.tps * (1 - 1e-12)))
				prop_fail(&pcases[i], "tokens/s per GPU fell, batch", b, r0.tps, r1.tps);
			if (!(r1.dec >= r0.dec))
				prop_fail(&pcases[i], "a larger batch took less time, batch", b, r0.dec, r1.dec);
			r0 = r1;
		}
	}
}

/* More HBM bandwidth (gpu.hbm_gbs doubled) never makes a decode or prefill
 * step slower; nor does more scale-out bandwidth (scale_out.nic_gbps
 * doubled) an expert-parallel one, with 1 or 2 micro-batches. */
static void t_perf_prop_bandwidth(void)
{
	size_t i;
	int ideal;
	double mb;
	struct pres r0, r1;
	struct hw h;
	char set[64];

	for (i = 0; i < NPCASES; i++)
		for (ideal = 0; ideal <= 1; ideal++) {
			if (load_hw(pcases[i].hw, &h) || prun(&pcases[i], NULL, 32, 1, 4096, ideal, &r0))
				return;
			snprintf(set, sizeof set, "gpu.hbm_gbs=%.17g", 2 * h.gpu.hbm_bw / 1e9);
			if (prun(&pcases[i], set, 32, 1, 4096, ideal, &r1))
				return;
			if (!(r1.dec <= r0.dec))
				prop_fail(&pcases[i], "2x HBM slowed decode, ideal", ideal, r0.dec, r1.dec);
			if (!(r1.pre <= r0.pre))
				prop_fail(&pcases[i], "2x HBM slowed prefill, ideal", ideal, r0.pre, r1.pre);
			if (pcases[i].ep <= 1 || isnan(h.scale_out.nic_bw))
				continue;
			for (mb = 1; mb <= 2; mb++) {
				if (prun(&pcases[i], NULL, 32, mb, 4096, ideal, &r0))
					return;
				snprintf(set, sizeof set, "scale_out.nic_gbps=%.17g", 2 * 8 * h.scale_out.nic_bw / 1e9);
				if (prun(&pcases[i], set, 32, mb, 4096, ideal, &r1))
					return;
				if (!(r1.dec <= r0.dec))
					prop_fail(&pcases[i], "2x NIC slowed decode, micro-batches", mb, r0.dec, r1.dec);
				if (!(r1.pre <= r0.pre))
					prop_fail(&pcases[i], "2x NIC slowed prefill, micro-batches", mb, r0.pre, r1.pre);
			}
		}
}

/*
 * --ideal (efficiencies 1, t0 0, no latencies) is never slower than the
 * card's efficiencies, for decode and prefill, 1 or 2 micro-batches; and
 * TPOT never falls as the context doubles from 512 to 131072.
 *
 * Not asserted: "more micro-batches never make a MoE layer slower".  Two
 * micro-batches read every weight twice and launch every kernel twice (2 t0),
 * so when the all-to-all is small against compute (tp 1, ep 1, or a fast
 * scale-up) a step with 2 micro-batches is slower by design; the overlap
 * only pays when 2 max(c/2', m/2') < c + m.
 */
static void t_perf_prop_ideal_context(void)
{
	size_t i;
	double mb, L;
	struct pres r0, r1;

	for (i = 0; i < NPCASES; i++) {
		for (mb = 1; mb <= 2; mb++) {
			if (prun(&pcases[i], NULL, 32, mb, 4096, 0, &r0) ||
			    prun(&pcases[i], NULL, 32, mb, 4096, 1, &r1))
				return;
			if (!(r1.dec <= r0.dec))
				prop_fail(&pcases[i], "--ideal slower in decode, micro-batches", mb, r0.dec, r1.dec);
			if (!(r1.pre <= r0.pre))
				prop_fail(&pcases[i], "--ideal slower in prefill, micro-batches", mb, r0.pre, r1.pre);
		}
		if (prun(&pcases[i], NULL, 8, 1, 512, 0, &r0))
			return;
		for (L = 1024; L <= 131072; L *= 2) {
			if (prun(&pcases[i], NULL, 8, 1, L, 0, &r1))
				return;
			if (!(r1.tpot >= r0.tpot))
				prop_fail(&pcases[i], "TPOT fell, context", L, r0.tpot, r1.tpot);
			r0 = r1;
		}
	}
}

/* ---- hostile input: the engine's answers --------------------------------- */

/*
 * TTFT is the time until one request's first token: its (1 - prefix hit) x isl
 * new tokens, alone, in chunks of --prefill-tokens, attending to the whole isl.
 * DeepSeek-V3 on H800 tp 1, --ideal, chunk 8192:
 *  - isl 16384, prefix hit 0.5: S = 8192 new tokens after P = 8192 cached, one
 *    chunk alone: pairs = 8192 x 8192 + 8192 x 8193 / 2 = 100,667,392, so the
 *    attention FLOPs are 2 x 128 x (192 + 128) x pairs = 8,246,672,752,640,
 *    K and V up-projected for all 16,384 tokens; TTFT = that step.
 *  - isl 4096, hit 0 (half a chunk): TTFT equals the step of a 4096-token
 *    budget (the request alone), below the shared 8192-token step.
 *  - isl 8192 = one chunk, hit 0: TTFT = the step time of the old model.
 */
static void t_engine_ttft_request(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct perf *p = &g_plan.perf;
	const struct op *o;
	double alone, prev;
	static const double hits[] = {0, 0.25, 0.5, 0.75, 0.9};
	static const double isls[] = {512, 2048, 4096, 8192, 16384, 32768};
	size_t i;

	if (load_model("deepseek-v3", &m) || load_hw("h800-sxm", &h))
		return;
	dep_setup(&m, &d, 1, 1, 1, 1, 32768, 1);
	d.w.prefill_tokens = 8192;
	d.w.isl = 16384;
	d.w.prefix_hit = 0.5;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(p->prefill_new_tokens, 8192);
	if ((o = op_find(&p->prefill, "attention (prefill, causal)", LAYER_MOE)))
		CHECK_EQ(o->flops, 8246672752640.0);
	if ((o = op_find(&p->prefill, "kv_b projection (K, V up)", LAYER_MOE)))
		CHECK_EQ(o->flops, 2.0 * 16384 * 32768 * 512);
	CHECK_REL(p->ttft_s, p->prefill.t_step, 1e-15);

	d.w.isl = 4096;
	d.w.prefix_hit = 0;
	d.w.prefill_tokens = 4096;
	if (plan_run(&m, &h, &d))
		return;
	alone = p->prefill.t_step;
	CHECK_REL(p->ttft_s, alone, 1e-15);
	d.w.prefill_tokens = 8192;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(p->ttft_s, alone, 1e-12);
	CHECK(p->prefill.t_step > alone);    /* the shared step holds two requests */
	CHECK_REL(p->prefill_tps_gpu, 8192 / p->prefill.t_step, 1e-12);

	/* Llama-3.1-70B on H100 tp 4, chunk 8192, default
	 * efficiencies: strictly falls with the prefix hit, grows with isl */
	if (load_model("llama-3.1-70b", &m) || load_hw("h100-sxm", &h))
		return;
	dep_setup(&m, &d, 4, 1, 1, 1, 32768, 0);
	d.w.isl = 4096;
	prev = INFINITY;
	for (i = 0; i < sizeof hits / sizeof hits[0]; i++) {
		d.w.prefix_hit = hits[i];
		if (plan_run(&m, &h, &d))
			return;
		if (!(p->ttft_s < prev))
			printf("#   prefix hit %g: TTFT %g s not below %g s\n", hits[i], p->ttft_s, prev);
		CHECK(p->ttft_s < prev);
		prev = p->ttft_s;
	}
	d.w.prefix_hit = 0;
	prev = 0;
	for (i = 0; i < sizeof isls / sizeof isls[0]; i++) {
		d.w.isl = isls[i];
		if (plan_run(&m, &h, &d))
			return;
		if (!(p->ttft_s > prev))
			printf("#   isl %g: TTFT %g s not above %g s\n", isls[i], p->ttft_s, prev);
		CHECK(p->ttft_s > prev);
		prev = p->ttft_s;
		if (isls[i] == 8192)     /* one chunk: the request fills the step */
			CHECK_REL(p->ttft_s, p->prefill.t_step, 1e-15);
	}
	/* isl = one chunk, --ideal: the old model's step time, 0.37747105688609167 s
	 * (mlasim before this change, same case) */
	d.w.isl = 8192;
	d.w.ideal = 1;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(p->ttft_s, 0.37747105688609167, 1e-12);
}

/*
 * Elementwise kernels by hand (perf.h).  Llama 3.1 8B decode on H100, tp 2,
 * batch 16, bf16 (nothing to quantise): T = 16 tokens, d = 4096, h = 16 and
 * hk = 4 heads of 128 per GPU, FFN width f = 14336 / 2 = 7168.  Per layer the
 * norm before attention and the one before the FFN, 8 T d = 524,288 B each
 * (fused_add_rms_norm), rope 4 T (h + hk) 128 = 163,840 B, silu x mul
 * 6 T f = 688,128 B: 4 kernels, 1,900,544 B, at t0 and eff_mem of the card's
 * elementwise class.  Under vLLM (its card: the norm rides in the all-reduce
 * where its own all-reduce runs it, here 131,072 B on 2 Hopper GPUs, below
 * its 64 MiB) the norms go: 2 kernels, 851,968 B, t0 scaled by its CUDA-graph
 * share; under TensorRT-LLM rope goes too: 1 kernel, 688,128 B.  The final
 * norm is 524,288 B.  Quantisation (perf_quant_bytes), 16 x 7168: fp8 block
 * 16 x 7168 x (3 + 4/128) = 347,648 B in one kernel; per-tensor fp8 dynamic
 * 16 x 7168 x 5 + 4 = 573,444 B in two, static 344,068 B in one; nvfp4
 * 16 x 7168 x (2.5 + 1/16) + 4 = 293,892 B; bf16 nothing.
 */
static void t_elementwise(void)
{
	struct model m;
	struct hw h, h800;
	struct deployment d;
	struct engine g;
	struct err e;
	const struct op *o;
	const struct hw_kernel_eff *k;
	double b, busy;

	memset(&e, 0, sizeof e);
	CHECK_EQ(perf_quant_bytes(WF_FP8_BLOCK, 1, 16, 7168, &b), 1);
	CHECK_REL(b, 347648, 1e-12);
	CHECK_EQ(perf_quant_bytes(WF_FP8, 1, 16, 7168, &b), 2);
	CHECK_REL(b, 573444, 1e-12);
	CHECK_EQ(perf_quant_bytes(WF_FP8, 0, 16, 7168, &b), 1);
	CHECK_REL(b, 344068, 1e-12);
	CHECK_EQ(perf_quant_bytes(WF_NVFP4, 1, 16, 7168, &b), 1);
	CHECK_REL(b, 293892, 1e-12);
	CHECK_EQ(perf_quant_bytes(WF_BF16, 1, 16, 7168, &b), 0);
	CHECK_EQ(b, 0);
	if (load_model("llama-3.1-8b", &m) || load_hw("h100-sxm", &h) || load_hw("h800-sxm", &h800))
		return;
	/* aiconfigurator's TRT-LLM Linear times the quantisation with the GEMM;
	 * DeepGEMM's and InferSim's kernels (H800) do not */
	CHECK(h.kern[K_GEMM_FP8_BLOCK].act_quant && h.kern[K_GEMM_FP8].act_quant);
	CHECK(!h800.kern[K_GEMM_FP8_BLOCK].act_quant);
	k = &h.kern[K_ELEMWISE];
	CHECK(k->calibrated == KCAL_PUBLISHED);
	/* one kernel: kern_stream_seconds is kern_seconds of a shape with no FLOPs */
	{
		struct kshape s = {0, 1e6, 0, 0, 0, 1, 0, 0};
		CHECK_REL(kern_stream_seconds(k, h.gpu.hbm_bw, 1, 1e6, &busy),
			  kern_seconds(k, kern_peak(&h, DT_BF16), h.gpu.hbm_bw, 0, &s, NULL, NULL), 1e-12);
	}
	dep_setup(&m, &d, 2, 1, 1, 16, 4096, 0);
	if (plan_run(&m, &h, &d))
		return;
	o = op_find(&g_plan.perf.decode, "elementwise kernels", -1);
	if (!o)
		return;
	CHECK_REL(o->bytes, 1900544, 1e-12);
	CHECK_REL(o->t, 4 * k->t0_s + 1900544 / (k->memory * 3.35e12), 1e-12);
	o = op_find(&g_plan.perf.decode, "final rmsnorm", -1);
	if (o)
		CHECK_REL(o->t, k->t0_s + 524288 / (k->memory * 3.35e12), 1e-12);
	if (CHECK_OK(engine_load("engines/vllm.json", &g, &e), &e))
		return;
	serve_engine_apply(&g, &h, &d);
	if (plan_run(&m, &h, &d))
		return;
	o = op_find(&g_plan.perf.decode, "elementwise kernels", -1);
	if (o) {
		CHECK_REL(o->bytes, 851968, 1e-12);
		CHECK_REL(o->t, 2 * k->t0_s * g.graph_latency_share + 851968 / (k->memory * 3.35e12), 1e-12);
	}
	/* TP 4, 512 tokens: a 4 MiB message, past vLLM's 2 MiB for the fused kernel on
	 * Hopper, so both norms run apart again: 2 x 8 T d + rope 4 T (8 + 2) 128 +
	 * silu x mul 6 T 14336 / 4 = 47185920 bytes in 4 kernels */
	dep_setup(&m, &d, 4, 1, 1, 512, 4096, 0);
	serve_engine_apply(&g, &h, &d);
	if (plan_run(&m, &h, &d))
		return;
	o = op_find(&g_plan.perf.decode, "elementwise kernels", -1);
	if (o) {
		CHECK_REL(o->bytes, 47185920, 1e-12);
		CHECK_REL(o->t, 4 * k->t0_s * g.graph_latency_share + 47185920 / (k->memory * 3.35e12), 1e-12);
	}
	dep_setup(&m, &d, 2, 1, 1, 16, 4096, 0);
	if (CHECK_OK(engine_load("engines/trtllm.json", &g, &e), &e))
		return;
	serve_engine_apply(&g, &h, &d);
	if (plan_run(&m, &h, &d))
		return;
	o = op_find(&g_plan.perf.decode, "elementwise kernels", -1);
	if (o)
		CHECK_REL(o->bytes, 688128, 1e-12);
	/* --ideal: the closed-form analyses count no elementwise kernels */
	d.w.ideal = 1;
	d.w.engine = NULL;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(g_plan.perf.decode.t_class[OPC_ELEMWISE], 0);
}

/* Seconds of a phase's ops of class c, each op x its count. */
static double class_seconds(const struct phase *ph, enum opclass c)
{
	double t = 0;
	int i;

	for (i = 0; i < ph->nops; i++)
		if (ph->op[i].cls == c)
			t += ph->op[i].t * ph->op[i].count;
	return t;
}

/*
 * An engine that runs expert parallelism under attention TP without an
 * all-to-all (engine.h, ep_allreduce_without_dp: vLLM, SGLang without an
 * a2a backend, TensorRT-LLM without attention DP).  DeepSeek-V3 on B200, tp
 * 4, ep 4, dp 1, 4 sequences: every rank holds the 4 tokens and runs its 64
 * experts on the 4 x 8 / 4 = 8 copies that land on them, 2 x 8 x 4096 x 7168
 * = 469762048 FLOPs in the gate + up GEMM (moe_tp 1: the full 2048 width),
 * then sums the ranks' outputs in the TP all-reduce of 4 x 7168 x 2 = 57344
 * bytes (NCCL's ring: 2 x 3/4 of it on the links): the plan without the
 * engine charges the same GEMM and all-reduce plus DeepEP's dispatch and
 * combine, and the step is longer by exactly those.  With attention DP (dp
 * 4, tp 1) the tokens must travel: the dispatch stays.
 */
static void t_ep_allreduce_without_dp(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	struct engine g;
	const struct op *o;
	const struct phase *dec = &g_plan.perf.decode, *pre = &g_plan.perf.prefill;
	double t_step, a2a, flops;

	if (load_model("deepseek-v3", &m) || load_hw("b200", &h))
		return;
	dep_setup(&m, &d, 4, 1, 4, 4, 4096, 0);
	if (plan_run(&m, &h, &d))
		return;
	t_step = dec->t_step;
	a2a = class_seconds(dec, OPC_EP_DISPATCH) + class_seconds(dec, OPC_EP_COMBINE);
	CHECK(a2a > 0);
	o = op_find(dec, "routed experts gate + up", LAYER_MOE);
	flops = o ? o->flops : NAN;
	CHECK_REL(flops, 469762048, 1e-12);
	memset(&g, 0, sizeof g);
	g.ep_allreduce_without_dp = 1;
	d.w.engine = &g;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(class_seconds(dec, OPC_EP_DISPATCH), 0);
	CHECK_EQ(class_seconds(dec, OPC_EP_COMBINE), 0);
	CHECK_EQ(class_seconds(pre, OPC_EP_DISPATCH), 0);
	CHECK_EQ(dec->dispatch_bytes, 0);
	o = op_find(dec, "routed experts gate + up", LAYER_MOE);
	if (o)
		CHECK_REL(o->flops, 469762048, 1e-12);
	o = op_find(dec, "tp all-reduce", LAYER_MOE);
	if (o)
		CHECK_REL(o->bytes, 57344 * 2 * 3 / 4.0, 1e-12);
	CHECK_REL(dec->t_step, t_step - a2a, 1e-9);
	/* attention DP: each group's tokens go to the experts' ranks */
	dep_setup(&m, &d, 1, 4, 4, 4, 4096, 0);
	d.w.engine = &g;
	if (plan_run(&m, &h, &d))
		return;
	CHECK(class_seconds(dec, OPC_EP_DISPATCH) > 0);
}

/*
 * DeepEP's normal kernels in prefill (comm.h).  DeepSeek-V3, top-8 of 256
 * experts on EP 8: a token reaches 8 (1 - (224 x 223 x ... x 217) / (256 x
 * 255 x ... x 249)) = 8 (1 - 0.33816850) = 5.2946520 of the 8 GPUs, 4.6328205
 * of them others (x 7/8), once each.  H100, dp 8, ep 8, prefill in steps of
 * 8192 tokens, one micro-batch: dispatch moves 8192 x 4.6328205 x 7392 B (fp8
 * with its scales) and takes the card's deepep_normal fit, lat + rounds x
 * round_s + bytes / bw, in ceil(8192 / 10 channels) = 820 rounds; combine
 * ceil(820 / 23 warps) = 36 tokens a warp of 1 + ceil(2 x 7168 / 512) = 29
 * rounds each, 1044 (comm_ep_normal_rounds).  With two micro-batches a MoE layer's compute C beside its all-to-all A
 * takes max(A, C + A x 20/132): DeepEP's 20 SMs of H100's 132 (Buffer.num_sms).
 */
static void t_deepep_normal(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct op *o;
	const struct phase *ph = &g_plan.perf.prefill;
	double bytes, c = 0, a = 0, count = 0, rest = 0, s = 20.0 / 132;
	int i;

	CHECK_REL(comm_ep_normal_copies(8, 256, 8), 8 * (1 - 0.33816849995218995) * 7 / 8, 1e-12);
	CHECK_EQ(comm_ep_normal_copies(8, 256, 1), 0);
	if (load_model("deepseek-v3", &m) || load_hw("h100-sxm", &h))
		return;
	CHECK(h.ep_normal[0].bw > 0 && h.ep_normal[1].bw > 0);
	dep_setup(&m, &d, 1, 8, 8, 64, 4096, 0);
	if (plan_run(&m, &h, &d))
		return;
	bytes = 8192 * comm_ep_normal_copies(8, 256, 8) * 7392;
	o = op_find(ph, "ep dispatch", LAYER_MOE);
	if (o) {
		CHECK_REL(o->bytes, bytes, 1e-12);
		CHECK_REL(o->t, h.ep_normal[0].lat_s + 820 * h.ep_normal[0].round_s + bytes / h.ep_normal[0].bw, 1e-12);
	}
	o = op_find(ph, "ep combine", LAYER_MOE);
	if (o)
		CHECK_REL(o->t, h.ep_normal[1].lat_s + 1044 * h.ep_normal[1].round_s +
			  bytes / 7392 * 14336 / h.ep_normal[1].bw, 1e-12);
	CHECK(h.ep_normal[0].round_s > 0 && h.ep_normal[1].round_s > 0);
	d.w.micro_batches = 2;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(ph->ep_sm_share, s, 1e-12);
	for (i = 0; i < ph->nops; i++) {
		const struct op *q = &ph->op[i];
		if (q->layer == LAYER_MOE && (q->cls == OPC_EP_DISPATCH || q->cls == OPC_EP_COMBINE))
			a += q->t;
		else if (q->layer == LAYER_MOE)
			c += q->t, count = q->count;
		else
			rest += q->t * q->count;   /* dense layers (no all-to-all), head, final norm */
	}
	CHECK_REL(ph->t_step, 2 * (count * (c + a * s > a ? c + a * s : a) + rest), 1e-12);
}

/*
 * --overlap sbo (sim/perf.c, SGLang's single-batch overlap).  By hand:
 * a 10 us combine beside a 20 us down GEMM that gives 3 of 132 SMs up
 * takes max(10, 20 x 132 / 129 = 20.4651) = 20.4651 us: 9.5349 us saved;
 * beside a 4 us one on 32 of 148 SMs, max(10, 4 x 148 / 116 = 5.1034):
 * the 4 us are saved; a 1 us combine beside a 100 us GEMM on 3 of 132 SMs
 * costs 100 x 3 / 129 - 1 = 1.3256 us more than it hides.  In a plan,
 * DeepSeek-V3 dp 8 ep 8 batch 64 decode: on H800 (compute capability 9)
 * each of the 58 MoE layers saves min(dispatch, shared experts) plus the
 * combine's pair with the routed down GEMM; on B200 (10) only the
 * combine's pair with the shared experts, on 32 of 148 SMs.  The same
 * operators either way; what the all-to-all exposes falls by the saving.
 */
static void t_perf_sbo(void)
{
	static const char *const cards[2] = {"h800-sxm", "b200"};
	struct model m;
	struct hw h;
	struct deployment d;
	const struct phase *ph = &g_plan.perf.decode;
	int c;

	CHECK_REL(perf_sbo_pair(10, 20, 132, 3), 30 - 20.0 * 132 / 129, 1e-12);
	CHECK_NEAR(perf_sbo_pair(10, 20, 132, 3), 9.5349, 1e-4);
	CHECK_EQ(perf_sbo_pair(10, 4, 148, 32), 4);
	CHECK_NEAR(perf_sbo_pair(1, 100, 132, 3), -1.3256, 1e-4);
	CHECK_EQ(perf_sbo_pair(5, 3, 132, 0), 3);
	if (load_model("deepseek-v3", &m))
		return;
	for (c = 0; c < 2; c++) {
		const struct op *o[5];
		double t0, x0, p0, disp, comb, shared, down, saved, n;
		int i;

		if (load_hw(cards[c], &h))
			return;
		dep_setup(&m, &d, 1, 8, 8, 64, 4096, 0);
		if (plan_run(&m, &h, &d))
			return;
		t0 = ph->t_step;
		x0 = ph->a2a_exposed_s;
		p0 = g_plan.perf.prefill.t_step;
		o[0] = op_find(ph, "ep dispatch", LAYER_MOE);
		o[1] = op_find(ph, "ep combine", LAYER_MOE);
		o[2] = op_find(ph, "shared experts gate + up", LAYER_MOE);
		o[3] = op_find(ph, "shared experts down", LAYER_MOE);
		o[4] = op_find(ph, "routed experts down", LAYER_MOE);
		for (i = 0; i < 5; i++)
			if (!o[i])
				return;
		disp = o[0]->t, comb = o[1]->t, shared = o[2]->t + o[3]->t, down = o[4]->t;
		n = o[0]->count;
		CHECK_EQ(n, 58);
		CHECK_REL(x0, n * (disp + comb), 1e-12);
		if (h.gpu.compute_capability >= 10)
			saved = perf_sbo_pair(comb, shared, 148, 32);
		else
			saved = (disp < shared ? disp : shared) + perf_sbo_pair(comb, down, 132, 3);
		CHECK(saved > 0);
		d.w.sbo = 1;
		if (plan_run(&m, &h, &d))
			return;
		CHECK_REL(ph->t_step, t0 - n * saved, 1e-12);
		CHECK_REL(ph->a2a_exposed_s, x0 - n * saved, 1e-12);
		CHECK(ph->overlapped);
		CHECK_REL(op_find(ph, "ep combine", LAYER_MOE)->t, comb, 1e-12);
		CHECK_EQ(perf_overlap(&d.w), OVERLAP_SBO);
		/* prefill runs without it */
		CHECK_EQ(g_plan.perf.prefill.t_step, p0);
	}
	/* one batch only: two micro-batches with it are refused */
	{
		struct err e;
		d.w.micro_batches = 2;
		CHECK_RC(plan_compute(&m, &h, &d, NULL, &g_plan, &e), EXIT_USAGE, &e);
		CHECK_CONTAINS(e.msg, "'--overlap sbo' overlaps within one batch");
	}
}

/* The seconds of the first operator of class c in ph, less `latency`. */
static double op_busy(const struct phase *ph, enum opclass c, double latency)
{
	int i;

	for (i = 0; i < ph->nops; i++)
		if (ph->op[i].cls == c)
			return ph->op[i].t - latency;
	t_failed++;
	printf("#   no operator of class %s\n", perf_class_name(c));
	return NAN;
}

/*
 * The achievable link figures are what a collective sees.  H800: NVLink 200
 * GB/s nominal, 160 achievable; NIC 400 Gb/s = 50 GB/s nominal, 40 effective.
 * Halving either figure with --set halves that link's bandwidth, so the
 * bandwidth part of a TP all-reduce (tp 8, one domain) doubles; the nominal
 * figures and efficiency.* stay for sizing and for cards without the keys.
 * DeepSeek-V3 tp 8, batch 16 decode: 16 x 7168 x 2 B = 229,376 B per all-reduce,
 * x 2 x 7/8 = 401,408 B over 160 GB/s = 2.5088 us past the latency.
 */
static void t_engine_achievable_links(void)
{
	const char *up80[] = {"scale_up.achievable_gbs_per_dir=80"};
	const char *nic20[] = {"scale_out.effective_gbs_per_nic=20"};
	const char *over[] = {"scale_up.achievable_gbs_per_dir=300"};
	struct model m;
	struct hw h;
	struct deployment d;
	struct links l;
	struct err e;
	double base;

	memset(&e, 0, sizeof e);
	if (load_hw("h800-sxm", &h) || load_model("deepseek-v3", &m))
		return;
	comm_links(&h, 0, 8, 0, &l);
	CHECK_REL(l.up_bw, 160e9, 1e-12);
	CHECK_REL(l.out_bw, 40e9, 1e-12);
	dep_setup(&m, &d, 8, 1, 1, 16, 4096, 0);
	if (plan_run(&m, &h, &d))
		return;
	base = op_busy(&g_plan.perf.decode, OPC_TP_COMM, l.up_latency_s);
	CHECK_REL(base, 2.5088e-6, 1e-9);
	if (CHECK_OK(hw_load("hw/h800-sxm.json", up80, 1, &h, &e), &e))
		return;
	comm_links(&h, 0, 8, 0, &l);
	CHECK_REL(l.up_bw, 80e9, 1e-12);
	CHECK_REL(l.out_bw, 40e9, 1e-12);
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(op_busy(&g_plan.perf.decode, OPC_TP_COMM, l.up_latency_s), 2 * base, 1e-9);
	if (CHECK_OK(hw_load("hw/h800-sxm.json", nic20, 1, &h, &e), &e))
		return;
	comm_links(&h, 0, 8, 0, &l);
	CHECK_REL(l.up_bw, 160e9, 1e-12);
	CHECK_REL(l.out_bw, 20e9, 1e-12);
	/* faster than the spec is refused */
	CHECK_RC(hw_load("hw/h800-sxm.json", over, 1, &h, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'scale_up.achievable_gbs_per_dir' (300) must not exceed");
}

/*
 * A larger NVLink domain can give a slower TPOT, and that is the model's
 * physics, not a defect: an EP group split over two domains sends part of its
 * all-to-all over the NICs at the same time as NVLink (DeepEP: one NIC copy per
 * remote domain, forwarded inside it), so each GPU has NVLink + NIC bandwidth;
 * in one domain the NICs sit idle and NVLink carries every copy.
 * DeepSeek-V3 (8 of 256 experts) on H800, tp 1 x dp 32, ep 32, batch 32:
 *  - domain 32: up copies 8 x 31/32 = 7.75, none out; dispatch (fp8 payload
 *    7168 + 4 x 56 = 7392 B) = 3.33 us + 32 x 7.75 x 7392 B / 160 GB/s
 *    = 3.33 + 11.4576 = 14.7876 us.
 *  - domain 16: remote domain untouched with p = C(128,8)/C(256,8) =
 *    0.0034899, out = 1 - p = 0.99651 NIC copies, up = 8 x 15/32 + (4 - out)
 *    = 6.75349; dispatch = max(3.33 + 32 x 6.75349 x 7392 / 160e9 = 13.3143,
 *    2.8 + 32 x 0.99651 x 7392 / 40e9 = 8.6931) = 13.3143 us: faster.
 * This is the link model of the normal kernels: the --set of scale_out (the
 * card's own figure) sets aside the card's DeepEP fit across domains, whose
 * low-latency kernels decode would otherwise run (t_engine_ep_rdma).
 */
static void t_engine_domain_split(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	struct ep_traffic t;
	const struct op *o;
	double up, t16, t32;
	const char *d16[] = {"scale_up.domain_gpus=16", "scale_out.effective_gbs_per_nic=40"};
	const char *d32[] = {"scale_up.domain_gpus=32", "scale_out.effective_gbs_per_nic=40"};
	struct err e;

	memset(&e, 0, sizeof e);
	comm_ep_traffic(8, 256, 32, 32, 0, &t);
	CHECK_REL(t.up_copies, 7.75, 1e-12);
	CHECK_EQ(t.out_copies, 0);
	comm_ep_traffic(8, 256, 32, 16, 0, &t);
	CHECK_REL(t.out_copies, 0.9965100577159106, 1e-9);
	CHECK_REL(t.up_copies, 6.753489942284089, 1e-9);
	if (load_model("deepseek-v3", &m))
		return;
	dep_setup(&m, &d, 1, 32, 32, 32, 4096, 0);
	if (CHECK_OK(hw_load("hw/h800-sxm.json", d16, 2, &h, &e), &e) || plan_run(&m, &h, &d))
		return;
	up = 3.33e-6 + 32 * 6.753489942284089 * 7392 / 160e9;
	if (!(o = op_find(&g_plan.perf.decode, "ep dispatch", LAYER_MOE)))
		return;
	CHECK_REL(o->t, up, 1e-9);
	t16 = g_plan.perf.tpot_s;
	if (CHECK_OK(hw_load("hw/h800-sxm.json", d32, 2, &h, &e), &e) || plan_run(&m, &h, &d))
		return;
	if (!(o = op_find(&g_plan.perf.decode, "ep dispatch", LAYER_MOE)))
		return;
	CHECK_REL(o->t, 3.33e-6 + 32 * 7.75 * 7392 / 160e9, 1e-9);
	t32 = g_plan.perf.tpot_s;
	CHECK(t32 > t16);
	CHECK(t32 < 1.05 * t16);   /* a few per cent: one copy in 7.75 moves to the NIC */
}

/*
 * Decode's EP all-to-all across domains runs DeepEP's low-latency kernels,
 * where the card's calibration has their fit (comm_ep_s): every copy bound
 * for another domain goes alone over the NIC.  DeepSeek-V3 on H800, tp 1 x
 * dp 32, ep 32 over 4 nodes of 8, batch 32: of 8 copies per token 8 x 24/32
 * = 6 go to the other nodes, so dispatch moves 32 x 6 x 7392 B = 1,419,264 B
 * over the NIC: lat + 1,419,264 / bw with the card's deepep_rdma fit, and
 * combine 32 x 6 x 14336 = 2,752,512 B.  With one of the card's 8 planes
 * down the NICs left carry 7/8 (as the link model has it).  Prefill keeps
 * the normal kernels (no fit: the link model), and a --set of scale_out sets
 * the fit aside.
 */
static void t_engine_ep_rdma(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	struct ep_traffic t;
	const struct op *o;
	double disp;
	const char *nic[] = {"scale_out.effective_gbs_per_nic=40"};
	struct err e;

	memset(&e, 0, sizeof e);
	comm_ep_traffic(8, 256, 32, 8, 0, &t);
	CHECK_EQ(t.remote_copies, 6);
	if (load_model("deepseek-v3", &m))
		return;
	dep_setup(&m, &d, 1, 32, 32, 32, 4096, 0);
	if (CHECK_OK(hw_load("hw/h800-sxm.json", NULL, 0, &h, &e), &e) || plan_run(&m, &h, &d))
		return;
	CHECK(h.ep_rdma[0].bw > 0 && h.ep_rdma[1].bw > 0 && h.ep_rdma[0].bw <= 50e9);
	if (!(o = op_find(&g_plan.perf.decode, "ep dispatch", LAYER_MOE)))
		return;
	disp = h.ep_rdma[0].lat_s + 1419264 / h.ep_rdma[0].bw;
	CHECK_REL(o->t, disp, 1e-12);
	CHECK(o->bound == BOUND_SCALE_OUT);
	if ((o = op_find(&g_plan.perf.decode, "ep combine", LAYER_MOE)))
		CHECK_REL(o->t, h.ep_rdma[1].lat_s + 2752512 / h.ep_rdma[1].bw, 1e-12);
	if ((o = op_find(&g_plan.perf.prefill, "ep dispatch", LAYER_MOE)))   /* not the low-latency kernels' time */
		CHECK(fabs(o->t - (h.ep_rdma[0].lat_s + g_plan.perf.prefill.tokens * 6 * 7392 / h.ep_rdma[0].bw)) > 1e-6);
	d.w.planes_down = 1;   /* of 8 planes: the NICs left carry 7/8 */
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(&g_plan.perf.decode, "ep dispatch", LAYER_MOE)))
		CHECK_REL(o->t, h.ep_rdma[0].lat_s + 1419264 / (h.ep_rdma[0].bw * 7 / 8), 1e-12);
	d.w.planes_down = 0;
	if (CHECK_OK(hw_load("hw/h800-sxm.json", nic, 1, &h, &e), &e) || plan_run(&m, &h, &d))
		return;
	CHECK(h.ep_rdma[0].bw == 0 && h.ep_rdma[1].bw == 0);
	if ((o = op_find(&g_plan.perf.decode, "ep dispatch", LAYER_MOE)))
		CHECK(fabs(o->t - disp) > 1e-6);
}

/* ---- layer kinds: time --------------------------------------------------- */

/* The first kind of m with mixer mix (and ffn, or any when ffn < 0), or -1. */
static int kind_find(const struct model *m, enum mixer mix, int ffn)
{
	int k;

	for (k = 0; k < m->nkinds; k++)
		if (m->kind[k].mix == mix && (ffn < 0 || (int)m->kind[k].ffn == ffn) && m->kind[k].count > 0)
			return k;
	t_failed++;
	printf("#   the model has no layer of mixer %d\n", (int)mix);
	return -1;
}

/* Operators of kind `layer` in class c. */
static int ops_count(const struct phase *ph, int layer, enum opclass c)
{
	int i, n = 0;

	for (i = 0; i < ph->nops; i++)
		n += ph->op[i].layer == layer && ph->op[i].cls == c;
	return n;
}

/*
 * Causal pairs of query positions a+1..b by hand.
 * Sliding W 4, queries 3..10: min(q, 4) = 3 + 4 x 7 = 31.
 * Chunked C 4, queries 3..10: ((q - 1) mod 4) + 1 = 3 4 | 1 2 3 4 | 1 2 = 20.
 * Full, queries 3..10: 3 + ... + 10 = 52.
 * Sliding W 128 over a whole 4096-token prompt: 1 + ... + 128 = 8,256, then
 *   3,968 queries of 128 = 507,904: 516,160 (full: 4096 x 4097 / 2 = 8,390,656).
 * Chunked C 8192 over 0..4096: within one chunk, the full 8,390,656.
 * Chunked C 1000, queries 1..2500: 2 x 500,500 + 500 x 501 / 2 = 1,126,250;
 *   queries 1501..2500: 500 x (501 + 1000) / 2 = 375,250 (q 1501..2000 see
 *   501..1000) + 500 x 501 / 2 = 125,250 (q 2001..2500 see 1..500): 500,500.
 * A window or chunk of 0 means full attention.
 */
static void t_kinds_window_pairs(void)
{
	CHECK_EQ(perf_window_pairs(MIX_WINDOW, 4, 2, 10), 31);
	CHECK_EQ(perf_window_pairs(MIX_CHUNK, 4, 2, 10), 20);
	CHECK_EQ(perf_window_pairs(MIX_FULL, 4, 2, 10), 52);
	CHECK_EQ(perf_window_pairs(MIX_WINDOW, 128, 0, 4096), 516160);
	CHECK_EQ(perf_window_pairs(MIX_FULL, 0, 0, 4096), 8390656);
	CHECK_EQ(perf_window_pairs(MIX_CHUNK, 8192, 0, 4096), 8390656);
	CHECK_EQ(perf_window_pairs(MIX_CHUNK, 1000, 0, 2500), 1126250);
	CHECK_EQ(perf_window_pairs(MIX_CHUNK, 1000, 1500, 2500), 500500);
	CHECK_EQ(perf_window_pairs(MIX_WINDOW, 0, 2, 10), 52);
	/* a window no shorter than the prompt is full attention */
	CHECK_EQ(perf_window_pairs(MIX_WINDOW, 4096, 0, 4096), 8390656);
}

#define WINDOW_MODEL "{\"model_type\":\"llama\",\"num_hidden_layers\":2,\"hidden_size\":512," \
	"\"num_attention_heads\":8,\"num_key_value_heads\":2,\"head_dim\":64," \
	"\"intermediate_size\":1024,\"vocab_size\":1000," \
	"\"layer_types\":[\"sliding_attention\",\"full_attention\"],\"sliding_window\":128}"

/*
 * A window layer and a full one: H 8, Hkv 2, dh = dv = 64, window 128, tp 1,
 * batch 1, --ideal on H800.  KV per token per layer 2 x (64 + 64) x 2 B = 512.
 * Decode attention (B 1, s_q 1):
 *   window, L_eff = min(L, 128) = 128 whether L is 4096 or 128:
 *     bytes = 128 x 512 + 1 x 8 x (64 + 64) x 2 = 65,536 + 2,048 = 67,584
 *     FLOPs = 2 x 1 x 8 x 1 x 128 x (64 + 64) = 262,144
 *   full at 4096: 4096 x 512 + 2,048 = 2,099,200 B; 8,388,608 FLOPs.
 * Prefill, isl 4096 with the 8192-token budget: 2 requests a step, T 8192;
 *   full pairs 2 x 8,390,656 = 16,781,312, FLOPs 2 x 8 x 128 x that =
 *   34,368,126,976; the window's 2 x 516,160 = 1,032,320 pairs, FLOPs
 *   2 x 8 x 128 x 1,032,320 = 2,114,191,360.  Keys read: each request's 4096
 *   queries need all its 4096 keys (W + 4096 > 4096), as the full layer:
 *   2 x (8192 x 8 x 128 + 8192 x 2 x 128) = 20,971,520 B, and the RoPE and
 *   cache-write pass over the new Q, K, V (perf_qkv_pass_bytes) 4 x 8192 x
 *   (8 x 64 + 2 x 128) = 25,165,824 B: 46,137,344 B.
 */
static void t_kinds_window_time(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct op *o;
	struct err e;
	double win_bytes = NAN, win_flops = NAN;
	int kw, kf;

	if (CHECK_OK(model_text(WINDOW_MODEL, &m, &e), &e) || load_hw("h800-sxm", &h))
		return;
	if ((kw = kind_find(&m, MIX_WINDOW, -1)) < 0 || (kf = kind_find(&m, MIX_FULL, -1)) < 0)
		return;
	CHECK_EQ(m.kind[kw].window, 128);
	dep_setup(&m, &d, 1, 1, 1, 1, 4096, 1);
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(&g_plan.perf.decode, "attention (decode)", kw))) {
		CHECK_EQ(o->bytes, 67584);
		CHECK_EQ(o->flops, 262144);
		win_bytes = o->bytes;
		win_flops = o->flops;
	}
	if ((o = op_find(&g_plan.perf.decode, "attention (decode)", kf))) {
		CHECK_EQ(o->bytes, 2099200);
		CHECK_EQ(o->flops, 8388608);
	}
	if ((o = op_find(&g_plan.perf.prefill, "attention (prefill, causal)", kw))) {
		CHECK_REL(o->flops, 2114191360.0, 1e-12);
		CHECK_EQ(o->bytes, 46137344);
	}
	if ((o = op_find(&g_plan.perf.prefill, "attention (prefill, causal)", kf)))
		CHECK_EQ(o->flops, 34368126976.0);
	/* at context = window the window layer reads exactly as much */
	dep_setup(&m, &d, 1, 1, 1, 1, 128, 1);
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(&g_plan.perf.decode, "attention (decode)", kw))) {
		CHECK_EQ(o->bytes, win_bytes);
		CHECK_EQ(o->flops, win_flops);
	}
}

/*
 * Mamba-2 (Nemotron-H pattern "M*-": a Mamba layer, an attention layer, an
 * MLP layer; relu2): nh 8 heads of p 32 (di 256), N 16, G 2, conv 4, chunk
 * 128, fp32 state.  State per sequence per layer (kv.h):
 *   conv (di + 2 G N) (K - 1) x 2 B = (256 + 64) x 3 x 2 = 1,920
 *   ssm  nh p N x 4 B = 8 x 32 x 16 x 4 = 16,384;  in all 18,304 B
 * Decode, --ideal on H800:
 *   tp 1, B 1: state op bytes = 1 x 2 x 18,304 = 36,608 (read and written),
 *     FLOPs = 6 x T 1 x 8 heads x 32 x 16 = 24,576
 *   tp 2 (state split by min(tp, G) = 2: 9,152 B a GPU), B 4:
 *     bytes = 4 x 2 x 9,152 = 73,216; FLOPs = 6 x 4 x 4 heads x 32 x 16 = 49,152
 *   The Mamba and attention layers have no FFN and one all-reduce each; the
 *   MLP layer no attention, its one all-reduce after the FFN, and relu2's
 *   up alone: N = F / tp = 256, K = 256: FLOPs = 2 x 4 x 256 x 256 = 524,288.
 * Prefill, tp 1, isl 4096, two requests a step: T = 8192
 *   FLOPs = T nh (2 C (N + p) + 4 N p) = 8192 x 8 x (2 x 128 x 48 + 4 x 16 x 32)
 *         = 8192 x 8 x 14,336 = 939,524,096
 *   bytes = T (2 di + 2 G N + nh) x 2 = 8192 x 584 x 2 = 9,568,256
 */
#define MAMBA_MODEL "{\"model_type\":\"nemotron_h\",\"num_hidden_layers\":3," \
	"\"hybrid_override_pattern\":\"M*-\",\"hidden_size\":256,\"num_attention_heads\":4," \
	"\"num_key_value_heads\":2,\"head_dim\":64,\"intermediate_size\":512,\"vocab_size\":1000," \
	"\"mlp_hidden_act\":\"relu2\",\"mamba_num_heads\":8,\"mamba_head_dim\":32," \
	"\"ssm_state_size\":16,\"n_groups\":2,\"conv_kernel\":4,\"chunk_size\":128," \
	"\"mamba_ssm_cache_dtype\":\"float32\"}"

static void t_kinds_mamba_time(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct phase *ph = &g_plan.perf.decode;
	const struct op *o;
	struct err e;
	int km, ka, kn;

	if (CHECK_OK(model_text(MAMBA_MODEL, &m, &e), &e) || load_hw("h800-sxm", &h))
		return;
	if ((km = kind_find(&m, MIX_MAMBA, FFN_NONE)) < 0 || (ka = kind_find(&m, MIX_FULL, FFN_NONE)) < 0 ||
	    (kn = kind_find(&m, MIX_NONE, FFN_DENSE)) < 0)
		return;
	CHECK_EQ(kv_kind_state(&m, &m.kind[km]), 18304);
	dep_setup(&m, &d, 1, 1, 1, 1, 4096, 1);
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(ph, "ssm state (decode)", km))) {
		CHECK_EQ(o->bytes, 2 * 18304);
		CHECK_EQ(o->flops, 24576);
		CHECK(o->kernel == K_ATTN_DECODE);
	}
	if ((o = op_find(&g_plan.perf.prefill, "ssd chunked scan (prefill)", km))) {
		CHECK_EQ(o->flops, 939524096);
		CHECK_EQ(o->bytes, 9568256);
		CHECK(o->kernel == K_ATTN_PREFILL);
	}
	dep_setup(&m, &d, 2, 1, 1, 4, 4096, 1);
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(ph, "ssm state (decode)", km))) {
		CHECK_EQ(o->bytes, 73216);
		CHECK_EQ(o->flops, 49152);
	}
	CHECK_EQ(ops_count(ph, km, OPC_DENSE_FFN), 0);
	CHECK_EQ(ops_count(ph, km, OPC_TP_COMM), 1);
	CHECK_EQ(ops_count(ph, ka, OPC_DENSE_FFN), 0);
	CHECK_EQ(ops_count(ph, ka, OPC_TP_COMM), 1);
	CHECK_EQ(ops_count(ph, kn, OPC_ATTN_PROJ) + ops_count(ph, kn, OPC_ATTN_CORE), 0);
	CHECK_EQ(ops_count(ph, kn, OPC_TP_COMM), 1);
	CHECK_EQ(ops_count(ph, kn, OPC_DENSE_FFN), 2);
	if ((o = op_find(ph, "ffn up", kn)))
		CHECK_EQ(o->flops, 524288);
}

/*
 * Gated DeltaNet (Qwen3-Next names, every 2nd layer full): nk 2 key heads of
 * dk 16, nv 4 value heads of dv 32, conv 4, bf16 state.  State per sequence
 * per layer (kv.h): conv (2 nk dk + nv dv) (K - 1) x 2 B = (64 + 128) x 3 x 2
 * = 1,152, recurrent nv dk dv x 2 B = 4 x 16 x 32 x 2 = 4,096: 5,248 B.
 * Decode, tp 1, B 1, --ideal: bytes 2 x 5,248 = 10,496, FLOPs 6 x 4 x 16 x 32
 * = 12,288.  Prefill, T 8192 (C 64): FLOPs 8192 x 4 x (2 x 64 x 48 + 4 x 16
 * x 32) = 8192 x 4 x 8,192 = 268,435,456.
 */
static void t_kinds_deltanet_time(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct op *o;
	struct err e;
	int k;

	if (CHECK_OK(model_text("{\"model_type\":\"qwen3_next\",\"num_hidden_layers\":2,\"hidden_size\":128,"
				"\"num_attention_heads\":4,\"num_key_value_heads\":2,\"head_dim\":32,"
				"\"intermediate_size\":256,\"vocab_size\":1000,\"full_attention_interval\":2,"
				"\"linear_num_key_heads\":2,\"linear_num_value_heads\":4,"
				"\"linear_key_head_dim\":16,\"linear_value_head_dim\":32,"
				"\"linear_conv_kernel_dim\":4}", &m, &e), &e) || load_hw("h800-sxm", &h))
		return;
	if ((k = kind_find(&m, MIX_LINEAR, -1)) < 0)
		return;
	CHECK_EQ(kv_kind_state(&m, &m.kind[k]), 5248);
	dep_setup(&m, &d, 1, 1, 1, 1, 4096, 1);
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(&g_plan.perf.decode, "deltanet state (decode)", k))) {
		CHECK_EQ(o->bytes, 2 * 5248);
		CHECK_EQ(o->flops, 12288);
	}
	if ((o = op_find(&g_plan.perf.prefill, "deltanet chunked (prefill)", k)))
		CHECK_EQ(o->flops, 268435456);
}

/*
 * DSA on DeepSeek-V3's shapes (V3.2: index_topk 2048, 64 indexer heads of
 * 128), bf16 KV, tp 1, B 1, --ideal on H800.  The latent is (512 + 64) x 2 =
 * 1,152 B a token (the indexer's 132 B key is its own op's).  Decode MLA
 * attention over min(L, 2048) tokens, at L 131,072 as at L 2048:
 *   FLOPs = 2 x 1 x 128 x 1 x 2048 x (576 + 512) = 570,425,344
 *   bytes = 128 x 576 x 2 + 2048 x 1,152 + 128 x 512 x 2 = 2,637,824
 * The indexer scores every cached token: 2 x 64 x 128 = 16,384 FLOPs and
 * 128 + 4 = 132 B per token: at L 131,072 FLOPs 2,147,483,648 and bytes
 * 17,301,504; at 2048 and 65,536 in proportion (linear in L); in fp8.
 */
static void t_kinds_dsa_time(void)
{
	static const double ctx[3] = {131072, 2048, 65536};
	struct model m;
	struct hw h;
	struct deployment d;
	const struct op *o;
	int i;

	if (load_model("deepseek-v3", &m) || load_hw("h800-sxm", &h))
		return;
	m.index_topk = 2048;
	m.index_heads = 64;
	m.index_dim = 128;
	for (i = 0; i < 3; i++) {
		dep_setup(&m, &d, 1, 1, 1, 1, ctx[i], 1);
		precision_parse_kv("bf16", "kv", &d.kv, NULL);
		if (plan_run(&m, &h, &d))
			return;
		if ((o = op_find(&g_plan.perf.decode, "mla decode attention", LAYER_MOE))) {
			CHECK_EQ(o->flops, 570425344);
			CHECK_EQ(o->bytes, 2637824);
		}
		if ((o = op_find(&g_plan.perf.decode, "indexer scores (decode)", LAYER_MOE))) {
			CHECK_EQ(o->flops, 16384 * ctx[i]);
			CHECK_EQ(o->bytes, 132 * ctx[i]);
			CHECK(o->dtype == DT_FP8);
		}
	}
	CHECK_EQ(16384 * ctx[0], 2147483648.0);
	CHECK_EQ(132 * ctx[0], 17301504);
}

/*
 * CLA (Hunyuan, cla_share_factor 2): layer 1 reuses layer 0's K and V.  H 4,
 * Hkv 2, dh 8, d 32; tp 1, B 1, context 4096, --ideal.  The sharing layer has
 * a q projection alone, N 32: FLOPs 2 x 1 x 32 x 32 = 2,048 (the other's qkv
 * N 32 + 2 x 16 = 64: 4,096), and reads the shared cache like its own:
 * 4096 x 2 x (8 + 8) x 2 B + 4 x 16 x 2 = 262,144 + 128 = 262,272 B.
 */
static void t_kinds_cla_time(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct op *o;
	struct err e;
	int k, ks = -1;

	if (CHECK_OK(model_text("{\"model_type\":\"hunyuan\",\"num_hidden_layers\":2,\"hidden_size\":32,"
				"\"num_attention_heads\":4,\"num_key_value_heads\":2,\"head_dim\":8,"
				"\"intermediate_size\":96,\"vocab_size\":100,\"num_experts\":4,"
				"\"moe_topk\":1,\"num_shared_expert\":1,\"use_cla\":true,"
				"\"cla_share_factor\":2}", &m, &e), &e) || load_hw("h800-sxm", &h))
		return;
	for (k = 0; k < m.nkinds; k++)
		if (m.kind[k].kv_shared && m.kind[k].count > 0)
			ks = k;
	CHECK(ks >= 0);
	dep_setup(&m, &d, 1, 1, 1, 1, 4096, 1);
	if (ks < 0 || plan_run(&m, &h, &d))
		return;
	if ((o = op_find(&g_plan.perf.decode, "q projection", ks)))
		CHECK_EQ(o->flops, 2048);
	if ((o = op_find(&g_plan.perf.decode, "qkv projection", LAYER_MOE)))
		CHECK_EQ(o->flops, 4096);
	if ((o = op_find(&g_plan.perf.decode, "attention (decode)", ks)))
		CHECK_EQ(o->bytes, 262272);
	if ((o = op_find(&g_plan.perf.decode, "attention (decode)", LAYER_MOE)))
		CHECK_EQ(o->bytes, 262272);
}

/* ---- kernel model (kern.h) ----------------------------------------------- */

/*
 * kern_seconds by hand, class parameters eff_compute 0.7, eff_mem 0.8,
 * t0 3 us, kblock 0.1 us:
 * - M 4096, N 7168, K 16384: 2 M N K = 962,072,674,304 FLOPs; 32 x 56 =
 *   1792 tiles of 128 x 128 on 132 SMs = 14 waves (13.58), so t_c grows by
 *   14 x 132 / 1792 = 1848 / 1792; the K loop, 128 blocks x 0.1 us, is far
 *   below: t = 962,072,674,304 / (1979e12 x 0.7) x 1848 / 1792 + 3 us;
 * - M 64, N 576, K 7168 (a kv_a-like skinny GEMM): 1 x 5 tiles fill no wave;
 *   bytes 576 x 7168 + 64 x 7168 + 64 x 576 x 2 = 4,661,248 -> 1.74 us,
 *   FLOPs 528,482,304 -> 0.38 us, the K loop 56 x 0.1 = 5.6 us: t = 8.6 us,
 *   bound by latency;
 * - no SM count: no wave factor;
 * - a smooth maximum of 3 us and 4 us: p = 2 gives 5 us, p = 3 gives
 *   (27 + 64)^(1/3) = 4.4979 us.
 */
static void t_kern_model(void)
{
	struct hw_kernel_eff k = {0.7, 0.8, 3e-6, 0.1e-6, 0, 0, 0, KCAL_PUBLISHED, 0};
	struct kshape big = {962072674304.0, 1e8, 4096, 7168, 16384, 1, 0, 0};
	struct kshape skinny = {528482304.0, 4661248.0, 64, 576, 7168, 1, 0, 0};
	struct kshape roofs = {3e-6 * K_FP8 * 0.7, 4e-6 * K_HBM * 0.8, 0, 0, 0, 1, 0, 0};
	enum kbound b;
	double busy;

	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &big, &busy, &b),
		  962072674304.0 / (K_FP8 * 0.7) * 1848 / 1792 + 3e-6, 1e-12);
	CHECK(b == KB_COMPUTE);
	CHECK_REL(busy, 962072674304.0 / (K_FP8 * 0.7) * 1848 / 1792, 1e-12);
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, 0, &big, NULL, NULL),
		  962072674304.0 / (K_FP8 * 0.7) + 3e-6, 1e-12);
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &skinny, NULL, &b), 56 * 0.1e-6 + 3e-6, 1e-12);
	CHECK(b == KB_LATENCY);
	k.kblock_s = 0;     /* no floor: the memory roof, below t0 (latency-bound) */
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &skinny, NULL, &b), 4661248.0 / (K_HBM * 0.8) + 3e-6,
		  1e-12);
	CHECK(b == KB_LATENCY);
	k.t0_s = 1e-6;
	kern_seconds(&k, K_FP8, K_HBM, K_SMS, &skinny, NULL, &b);
	CHECK(b == KB_MEMORY);
	k.t0_s = 3e-6;
	k.blend = 2;
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &roofs, NULL, NULL), 5e-6 + 3e-6, 1e-12);
	k.blend = 3;
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &roofs, NULL, NULL), cbrt(91.0) * 1e-6 + 3e-6, 1e-12);
	k.blend = 2.5;      /* any other exponent: libm's pow */
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &roofs, NULL, NULL),
		  pow(pow(3.0, 2.5) + pow(4.0, 2.5), 1 / 2.5) * 1e-6 + 3e-6, 1e-12);
	/* 4e6 softmax exponentials at 0.25 ns each add 1 us to the compute side:
	 * max(3 + 1, 4) = 4 us (p = 0), then with a 2 us memory side 4 us too */
	k.blend = 0;
	k.elem_s = 0.25e-12;
	roofs.elems = 4e6;
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &roofs, NULL, &b), 4e-6 + 3e-6, 1e-12);
	roofs.bytes /= 2;
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &roofs, NULL, &b), 4e-6 + 3e-6, 1e-12);
	CHECK(b == KB_COMPUTE);
	/* 2,000 thread blocks at 1 ns each add 2 us more: 3 + 1 + 2 = 6 us over
	 * the 2 us memory side, + t0 3 us = 9 us; a block count with no cta_s
	 * (a class fitted without thread blocks) adds nothing */
	k.cta_s = 1e-9;
	roofs.ctas = 2000;
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &roofs, NULL, &b), 6e-6 + 3e-6, 1e-12);
	CHECK(b == KB_COMPUTE);
	k.cta_s = 0;
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &roofs, NULL, &b), 4e-6 + 3e-6, 1e-12);
}

/*
 * Prefill attention's shape (perf.h), Llama 3.1 70B at TP 8 (8 query heads,
 * 1 KV head of 128 per GPU), one request of 1,000 new tokens and no cache:
 * pairs 1000 x 1001 / 2 = 500,500; FLOPs 2 x 8 x 256 x 500,500 =
 * 2,050,048,000; exponentials 8 x 500,500 = 4,004,000; thread blocks 8 heads
 * x ceil(1000 / 128) = 8 query tiles = 64; bytes 2 x (1000 x 8 x 256 + 1000
 * x 1 x 256) = 4,608,000; the RoPE and cache-write pass 4 x 1000 x (8 x 128
 * + 1 x 256) = 5,120,000.  Three such requests in a step (T 3,000, q 1,000)
 * run 192 blocks; half a request per micro-batch (T 500, q 1,000) 32; a
 * query tile is 128 queries: 128 of them 1 tile, 129 2.
 */
static void t_prefill_attention_shape(void)
{
	struct kshape s;

	perf_gqa_prefill_shape(8, 1, 128, 128, 1000, 1000, 1000, 500500, &s);
	CHECK_EQ(s.flops, 2050048000.0);
	CHECK_EQ(s.elems, 4004000.0);
	CHECK_EQ(s.ctas, 64);
	CHECK_EQ(s.bytes, 4608000);
	CHECK(s.m == 0 && s.n == 0 && s.k == 0);
	CHECK_EQ(perf_qkv_pass_bytes(8, 1, 128, 128, 1000), 5120000);
	CHECK_EQ(perf_prefill_ctas(8, 3000, 1000), 192);
	CHECK_EQ(perf_prefill_ctas(8, 500, 1000), 32);
	CHECK_EQ(perf_prefill_ctas(1, 128, 128), 1);
	CHECK_EQ(perf_prefill_ctas(1, 129, 129), 2);
	CHECK_EQ(perf_prefill_ctas(8, 1000, 0), 0);
}

static const struct test tests[] = {
	{"perf_mla_attention: FlashMLA FLOP and byte counts, intensity ~242", t_perf_mla_attention},
	{"kern: waves, the K-loop floor and the smooth maximum by hand", t_kern_model},
	{"elementwise kernels and activation quantisation by hand, with and without an engine's fusions", t_elementwise},
	{"EP under attention TP in an engine that sums the experts in the TP all-reduce: no all-to-all", t_ep_allreduce_without_dp},
	{"DeepEP's normal kernels in prefill, and the SMs they take from the compute they overlap", t_deepep_normal},
	{"--overlap sbo: SGLang's single-batch overlap by hand, before and from Blackwell", t_perf_sbo},
	{"perf: prefill attention's FLOPs, exponentials, thread blocks and bytes", t_prefill_attention_shape},
	{"perf decode operators of DeepSeek-V3 fp8-block on H800 (--ideal and default)", t_perf_decode_ops_v3},
	{"perf decode operators of Llama-3.1-70B tp 4 on H100, tp all-reduce", t_perf_decode_ops_llama70b},
	{"perf step assembly: sums, micro-batch overlap, MTP tokens per step", t_perf_step_assembly},
	{"perf pipeline transfer is charged to pp transfer, with and without MTP", t_perf_pp_class},
	{"perf ISCA 2025 EP all-to-all on H800 (124.66 us per layer)", t_perf_isca_a2a},
	{"perf prefill: causal pairs, chunks, prefix cache", t_perf_prefill},
	{"perf property: doubling the batch never lowers tokens/s per GPU", t_perf_prop_batch},
	{"perf property: more HBM or NIC bandwidth never slows a step", t_perf_prop_bandwidth},
	{"perf property: --ideal never slower, TPOT grows with context", t_perf_prop_ideal_context},
	{"engine TTFT: one request alone, falls with prefix hit, grows with isl", t_engine_ttft_request},
	{"engine links: achievable_gbs_per_dir and effective_gbs_per_nic set the bandwidth", t_engine_achievable_links},
	{"engine a larger NVLink domain leaves the NICs idle: EP all-to-all slower (physics)", t_engine_domain_split},
	{"engine decode across nodes: DeepEP's low-latency kernels over RDMA, as the card's fit has them", t_engine_ep_rdma},
	{"kinds: window pairs by hand (sliding, chunked, full) in closed form", t_kinds_window_pairs},
	{"kinds: a window layer decodes over min(L, W), prefills its window's pairs", t_kinds_window_time},
	{"kinds: Mamba-2 state op reads and writes 2 x state; no FFN, no attention where absent", t_kinds_mamba_time},
	{"kinds: Gated DeltaNet state op 2 x state, chunked prefill FLOPs", t_kinds_deltanet_time},
	{"kinds: DSA attends to index_topk tokens, its indexer grows linearly with context", t_kinds_dsa_time},
	{"kinds: a CLA layer skips k and v but reads the shared cache", t_kinds_cla_time},
};

const struct suite suite_perf = {"perf", tests, sizeof tests / sizeof tests[0]};
