/*
 * tests/unit/net.c - unit tests of topo.h, comm.h: fat trees and their cost,
 * collectives by hand, NCCL's protocols, engines' custom all-reduce, DeepEP,
 * and expert-parallel traffic.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "comm.h"
#include "engine.h"
#include "err.h"
#include "hw.h"
#include "kfit.h"
#include "topo.h"
#include "unit.h"

/* ---- expert-parallel traffic (comm.h) ------------------------------------ */

/*
 * EP traffic of one GPU for one MoE layer (comm.h).
 * (a) One expert per GPU: copies 9, experts 256, ep 256, domain 1, no node
 *     limit: 256 domains of one GPU.  local = 9/256 = 0.03515625; remote =
 *     9 x 255/256 = 8.96484375.  Hypergeometric, 1 expert per group:
 *     P(a group untouched) = prod_{i=0..8} (255 - i)/(256 - i) = 247/256
 *     (telescoping), touched = 256 x 9/256 = 9, remote touched =
 *     9 x 255/256 = 8.96484375 = out; up = 0 x ... + (remote - out) = 0.
 * (b) comm_groups_touched(8, 256, 8): 32 experts per group,
 *     P(untouched) = C(224,8)/C(256,8) = prod_{i=0..7} (224 - i)/(256 - i)
 *       = 5,585,745,606,995,473,920 / 16,517,640,193,528,320,000
 *       = 0.3381684999521900...
 *     touched = 8 x (1 - 0.33816849995219) = 5.294652000382479
 *     small cases: (1, 256, 32): 32 x (1 - 248/256) = 1;
 *     (2, 4, 2): P = (2/4)(1/3) = 1/6, 2 x 5/6 = 5/3; copies >= experts or
 *     one group: every group.
 * (c) Node limit: copies 8, experts 256, ep 256, domain 8 (32 domains),
 *     max_domains 4: remote = 8 x 248/256 = 7.75; unlimited out would be
 *     32 x (1 - prod_{i<8} (248 - i)/(256 - i)) x 31/32 = 7.0397; capped at
 *     4 x 31/32 = 3.875; up = 8 x 7/256 + (7.75 - 3.875) = 0.21875 + 3.875
 *     = 4.09375; local 8/256 = 0.03125; local + up + out = 8.
 */
static void t_perf_ep_traffic(void)
{
	struct ep_traffic t;
	static const double eps[] = {8, 16, 32, 64, 128, 256};
	static const double doms[] = {1, 4, 8, 72};
	static const double cps[] = {2, 6, 8, 9};
	size_t a, b, c;

	comm_ep_traffic(9, 256, 256, 1, 0, &t);
	CHECK_REL(t.local_copies, 0.03515625, 1e-15);
	CHECK_REL(t.out_copies, 8.96484375, 1e-12);
	CHECK_NEAR(t.up_copies, 0, 1e-12);

	CHECK_REL(comm_groups_touched(8, 256, 8), 5.294652000382479, 1e-12);
	CHECK_REL(comm_groups_touched(8, 256, 8), 8 * (1 - 5585745606995473920.0 / 16517640193528320000.0),
		  1e-12);
	CHECK_REL(comm_groups_touched(1, 256, 32), 1, 1e-12);
	CHECK_REL(comm_groups_touched(2, 4, 2), 5.0 / 3, 1e-12);
	CHECK_EQ(comm_groups_touched(300, 256, 32), 32);
	CHECK_EQ(comm_groups_touched(8, 256, 1), 1);

	comm_ep_traffic(8, 256, 256, 8, 0, &t);
	CHECK_REL(t.out_copies, 7.039712419935603, 1e-12);
	comm_ep_traffic(8, 256, 256, 8, 4, &t);
	CHECK_REL(t.out_copies, 3.875, 1e-15);
	CHECK_REL(t.up_copies, 4.09375, 1e-12);
	CHECK_REL(t.local_copies, 0.03125, 1e-15);

	/* properties: copies are conserved, none negative, the node limit holds,
	 * and a domain holding the whole group sends nothing over the NIC */
	for (a = 0; a < sizeof eps / sizeof eps[0]; a++)
		for (b = 0; b < sizeof doms / sizeof doms[0]; b++)
			for (c = 0; c < sizeof cps / sizeof cps[0]; c++) {
				double ep = eps[a], dom = doms[b] < ep ? doms[b] : ep, N = ep / dom;
				comm_ep_traffic(cps[c], 256, ep, doms[b], 4, &t);
				CHECK_REL(t.local_copies + t.up_copies + t.out_copies, cps[c], 1e-12);
				CHECK(t.local_copies >= 0 && t.up_copies >= -1e-12 && t.out_copies >= 0);
				CHECK(t.out_copies <= 4 * (N - 1) / N + 1e-12);
				CHECK(t.out_copies <= cps[c] * (ep - dom) / ep + 1e-12);
				if (doms[b] >= ep)
					CHECK_EQ(t.out_copies, 0);
			}
}

/* ---- network: fat trees and collectives (hand-derived closed forms) ------ */

static void t_topo_radices(void)
{
	struct topo_prices none = {NAN, NAN, NAN, NAN};
	struct topo t;
	struct err e;

	/* FT2: k^2/2 endpoints, k leaf + k/2 spine, k^2/2 switch links */
	CHECK_OK(topo_size(TOPO_FT2, 0, 40, 1, 1, &none, &t, &e), &e);
	CHECK_EQ(t.endpoints, 800);          /* Fire-Flyer's "800-port fat tree" */
	CHECK_EQ(t.switches, 60);
	CHECK_EQ(t.links, 800);
	CHECK_OK(topo_size(TOPO_FT2, 0, 128, 1, 1, &none, &t, &e), &e);
	CHECK_EQ(t.endpoints, 8192);
	CHECK_EQ(t.switches, 192);
	CHECK_EQ(t.links, 8192);
	CHECK_OK(topo_size(TOPO_FT2, 0, 144, 1, 1, &none, &t, &e), &e);
	CHECK_EQ(t.endpoints, 10368);        /* Quantum-X800: 144^2/2 */
	CHECK_EQ(t.switches, 216);
	/* FT3 at 40 ports: 40^3/4 = 16000 endpoints, 5 x 1600/4 = 2000 switches, 40^3/2 links */
	CHECK_OK(topo_size(TOPO_FT3, 0, 40, 1, 1, &none, &t, &e), &e);
	CHECK_EQ(t.endpoints, 16000);
	CHECK_EQ(t.switches, 2000);
	CHECK_EQ(t.core, 400);
	CHECK_EQ(t.links, 32000);
	/* MPFT, 4 planes of radix 128: 4 x 8192 endpoints, 4 x 192 switches */
	CHECK_OK(topo_size(TOPO_MPFT, 0, 128, 4, 1, &none, &t, &e), &e);
	CHECK_EQ(t.endpoints, 32768);
	CHECK_EQ(t.switches, 768);
	CHECK_EQ(t.links, 32768);
	/* a partial FT2: 1000 endpoints, radix 64 -> ceil(1000/32) = 32 leaves,
	 * ceil(32 x 32 / 64) = 16 spines, 32 x 32 = 1024 uplinks */
	CHECK_OK(topo_size(TOPO_FT2, 1000, 64, 1, 1, &none, &t, &e), &e);
	CHECK_EQ(t.leaf, 32);
	CHECK_EQ(t.spine, 16);
	CHECK_EQ(t.links, 1024);
	CHECK_EQ(t.endpoint_links, 1000);
	/* 3:1 oversubscription: 48 ports down, 16 up, 48 x 64 = 3072 endpoints */
	CHECK_OK(topo_size(TOPO_FT2, 0, 64, 1, 3, &none, &t, &e), &e);
	CHECK_EQ(t.endpoints, 3072);
	CHECK_EQ(t.spine, 16);              /* 64 leaves x 16 up / 64 ports */
	/* bad shapes */
	CHECK_RC(topo_size(TOPO_FT2, 0, 63, 1, 1, &none, &t, &e), EXIT_USAGE, &e);
	CHECK_RC(topo_size(TOPO_FT2, 0, 2, 1, 1, &none, &t, &e), EXIT_USAGE, &e);
	CHECK_RC(topo_size(TOPO_MPFT, 0, 64, 0, 1, &none, &t, &e), EXIT_USAGE, &e);
	CHECK_RC(topo_size(TOPO_FT2, 4096, 64, 1, 1, &none, &t, &e), EXIT_NO, &e);
	CHECK(isnan(t.cost_usd) || 1);
}

static void t_topo_cost_order(void)
{
	struct hw h;
	struct err e;
	struct topo_prices pr;
	struct topo mpft, ft3, pick;

	if (!CHECK_OK(hw_load("hw/h800-sxm.json", NULL, 0, &h, &e), &e))
		return;
	pr = (struct topo_prices){h.scale_out.switch_usd, h.scale_out.link_usd,
				  h.scale_out.endpoint_link_usd, h.scale_out.switch_w};
	/* 16,384 endpoints: MPFT (8 planes) against FT3 at radix 64 */
	CHECK_OK(topo_size(TOPO_MPFT, 16384, 64, 8, 1, &pr, &mpft, &e), &e);
	CHECK_OK(topo_size(TOPO_FT3, 16384, 64, 1, 1, &pr, &ft3, &e), &e);
	CHECK(mpft.cost_usd < ft3.cost_usd);
	CHECK(mpft.cost_per_endpoint_usd < ft3.cost_per_endpoint_usd);
	/* MPFT cost = 768 x 52900 + 16384 x 1440 + 16384 x 470 = 71,918,640 */
	CHECK_EQ(mpft.cost_usd, 768 * 52900.0 + 16384 * 1440.0 + 16384 * 470.0);
	CHECK_OK(topo_smallest(16384, 64, 8, 1, &pr, &pick, &e), &e);
	CHECK(pick.kind == TOPO_MPFT);
	CHECK_OK(topo_smallest(2000, 64, 8, 1, &pr, &pick, &e), &e);
	CHECK(pick.kind == TOPO_FT2);
	CHECK_RC(topo_smallest(70000, 64, 1, 1, &pr, &pick, &e), EXIT_NO, &e);
}

static void t_comm_collectives(void)
{
	struct hw h;
	struct links l;
	struct err e;

	/* 1 GB all-reduce over 8 GPUs at 450 GB/s: 1e9 x 2 x 7/8 / 450e9 */
	CHECK_REL(comm_collective_s(COLL_ALLREDUCE, 8, 1e9, 450e9, 0), 1e9 * 1.75 / 450e9, 1e-12);
	CHECK_REL(comm_collective_s(COLL_ALLGATHER, 8, 1e9, 450e9, 3.33e-6), 3.33e-6 + 1e9 * 0.875 / 450e9, 1e-12);
	CHECK_REL(comm_collective_s(COLL_REDUCESCATTER, 4, 1e9, 100e9, 0), 1e9 * 0.75 / 100e9, 1e-12);
	CHECK_REL(comm_collective_s(COLL_P2P, 2, 1e9, 50e9, 2.8e-6), 2.8e-6 + 0.02, 1e-12);
	/* MI300X mesh: 4 GPUs all-to-all use 3 of the 64 GB/s pair links */
	CHECK_REL(comm_collective_s(COLL_ALLTOALL, 4, 1e9, 3 * 64e9, 0), 1e9 * 0.75 / 192e9, 1e-12);
	CHECK_EQ(comm_busbw_factor(COLL_ALLREDUCE, 8), 1.75);
	CHECK_EQ(comm_busbw_factor(COLL_ALLTOALL, 8), 0.875);
	CHECK(comm_collective_parse("all-reduce") == COLL_ALLREDUCE);
	CHECK(comm_collective_parse("gossip") < 0);
	/* H800: 8 planes; one down leaves 7/8 of 400 Gb/s x 0.8 efficiency */
	if (!CHECK_OK(hw_load("hw/h800-sxm.json", NULL, 0, &h, &e), &e))
		return;
	CHECK_EQ(comm_planes(&h), 8);
	comm_links(&h, 0, 256, 1, &l);
	CHECK_REL(l.out_bw, 50e9 * 0.8 * 7 / 8, 1e-12);
	/* 256 GPUs over 8 planes: 32 ports a plane fit one 64-port leaf (32 down): 2.8 us */
	CHECK(!l.cross_leaf);
	CHECK_REL(l.out_latency_s, 2.8e-6, 1e-9);
	/* 2048 GPUs: 256 a plane, more than a leaf: 2.8 + 2 x 0.45 = 3.7 us (ISCA Table 5) */
	comm_links(&h, 0, 2048, 0, &l);
	CHECK(l.cross_leaf);
	CHECK_REL(l.out_latency_s, 3.7e-6, 1e-9);
	CHECK_REL(l.out_bw, 50e9 * 0.8, 1e-12);
}

/* ---- collectives as NCCL, engines and DeepEP run them -------------------- */

/*
 * comm_nccl_s by hand, H100's 8-GPU all-reduce fit (hw/h100-sxm.json):
 * latencies 16, 63.6, 71.9 us (LL, LL128, Simple), Simple's bus bandwidth
 * 460 GB/s.  1 MiB: bus bytes 1,048,576 x 2 x 7/8 = 1,835,008; LL 16 us +
 * 1,835,008 / (460e9 / 2) = 23.98 us beats LL128's 67.9 and Simple's 75.9.
 * 512 MiB: 939,524,096 bus bytes; Simple 71.9 + 2042.4 = 2114.3 us beats
 * LL128's 2242.2 and LL's 4100.9 (nccl-tests measured 2111 us).
 */
static void t_comm_nccl(void)
{
	const struct hw_coll_fit f = {8, {16e-6, 63.6e-6, 71.9e-6}, 460e9};
	const struct nccl_topo none = {0, 0};

	/* no choice modelled (gen 0): the fastest of the three */
	CHECK_REL(comm_nccl_s(&f, &none, HW_COLL_AR, 8, 1048576), 16e-6 + 1835008 / 230e9, 1e-12);
	CHECK_REL(comm_nccl_s(&f, &none, HW_COLL_AR, 8, 536870912), 71.9e-6 + 939524096 / 460e9, 1e-12);
	/* all-gather's factor is (n - 1)/n: LL128 wins at 32 MiB there */
	CHECK_REL(comm_nccl_s(&f, &none, HW_COLL_AG, 8, 33554432),
		  63.6e-6 + 33554432 * 7.0 / 8 / (460e9 * 120 / 128), 1e-12);
	CHECK_EQ(comm_nccl_s(&f, &none, HW_COLL_AR, 1, 1048576), 0);
}

/*
 * comm_nccl_pick by hand with NCCL 2.29.2's constants (comm.h).  B200: 900
 * / 50 = 18 links x 40.1 = 721.8 GB/s; speeds 90 (8 channels, 720), 80 (9,
 * 720), 70 (10, 700), ... down to 40; 30 is under half of 90: ring 8 x 90,
 * doubled to 16 x 45, R = 720.  All-reduce on 4: nsteps 6, ratio 4/6; LL
 * 6.6 + 6 x 0.6 = 10.2 us at min(282, 360) x 4/6 = 188 GB/s, LL128 14 +
 * 11.4 = 25.4 us at min(662.4, 552) x 4/6 = 368, Simple 8.4 + 20.4 = 28.8
 * us at 480: Simple overtakes LL at 18.6 us / (1/188 - 1/480) / 1000 =
 * 5.748 MB, before LL128 would (5.842 MB): LL at 4 MiB, Simple at 8 MiB
 * (nccl-tests on 4 B200s: 35.8 then 84.9 us).  H100: 18 x 20.6 = 370.8;
 * 6 x 60 = 360 first, 12 x 30 after doubling, R = 360.  All-reduce on 8:
 * nsteps 14, ratio 8/14; LL 15.0 us at 141 x 8/14 = 80.57, LL128 40.6 us
 * at 331.2 x 8/14 = 189.26, Simple 56.0 us at 205.71: LL to 25.6 /
 * (1/80.57 - 1/189.26) / 1000 = 3.592 MB, LL128 to 15.4 / (1/189.26 -
 * 1/205.71) / 1000 = 36.4 MB, then Simple.
 */
static void t_comm_nccl_pick(void)
{
	const struct nccl_topo b200 = {10, 18 * 40.1}, h100 = {9, 18 * 20.6};
	const struct hw_coll_fit f = {4, {15e-6, 30e-6, 60e-6}, 700e9};

	CHECK_REL(comm_nccl_lat_us(HW_COLL_AR, 8, NCCL_LL128), 40.6, 1e-12);
	CHECK_REL(comm_nccl_lat_us(HW_COLL_AG, 4, NCCL_SIMPLE), 18.6, 1e-12);
	CHECK_EQ(comm_nccl_pick(&b200, HW_COLL_AR, 4, 4194304), NCCL_LL);
	CHECK_EQ(comm_nccl_pick(&b200, HW_COLL_AR, 4, 5.74e6), NCCL_LL);
	CHECK_EQ(comm_nccl_pick(&b200, HW_COLL_AR, 4, 5.76e6), NCCL_SIMPLE);
	CHECK_EQ(comm_nccl_pick(&h100, HW_COLL_AR, 8, 3.58e6), NCCL_LL);
	CHECK_EQ(comm_nccl_pick(&h100, HW_COLL_AR, 8, 3.61e6), NCCL_LL128);
	CHECK_EQ(comm_nccl_pick(&h100, HW_COLL_AR, 8, 3.63e7), NCCL_LL128);
	CHECK_EQ(comm_nccl_pick(&h100, HW_COLL_AR, 8, 3.65e7), NCCL_SIMPLE);
	CHECK_EQ(comm_nccl_pick(&b200, HW_COLL_A2A, 4, 4194304), NCCL_SIMPLE);
	/* 8 MiB on 4 B200s runs Simple: 60 + 12,582,912 / 700e9 = 77.98 us,
	 * though LL (15 + 12,582,912 / 350e9 = 50.95 us) would be quicker */
	CHECK_REL(comm_nccl_s(&f, &b200, HW_COLL_AR, 4, 8388608), 60e-6 + 12582912 / 700e9, 1e-12);
	CHECK_REL(comm_nccl_s(&f, &b200, HW_COLL_AR, 4, 1048576), 15e-6 + 1572864 / 350e9, 1e-12);
}

/*
 * kfit_coll on a Blackwell card keeps NCCL's latencies: from exact points
 * of start-up 5 us, NCCL's latencies x 1.5 and 650 GB/s on 4 B200s
 * (all-reduce: LL 5 + 1.5 x 10.2 = 20.3 us, LL128 5 + 1.5 x 25.4 = 43.1,
 * Simple 5 + 1.5 x 28.8 = 48.2), six sizes 512 B to 512 MiB as nccl-tests
 * runs them, the fit gives the three latencies and the bandwidth back.
 */
static void t_kfit_coll(void)
{
	struct hw h;
	struct kset s;
	struct hw_coll_fit g, f = {4, {20.3e-6, 43.1e-6, 48.2e-6}, 650e9};
	struct nccl_topo t;
	static const double sizes[] = {512, 1048576, 8388608, 33554432, 134217728, 536870912};
	int i;

	memset(&h, 0, sizeof h);
	h.gpu.compute_capability = 10;
	h.scale_up.bw = 900e9;
	h.scale_up.link_bw = 50e9;
	comm_nccl_topo(&h, &t);
	CHECK_EQ(t.gen, 10);
	CHECK_REL(t.nvlink_gbs, 721.8, 1e-12);
	memset(&s, 0, sizeof s);
	s.coll = calloc(6, sizeof *s.coll);
	if (!s.coll)
		return;
	for (i = 0; i < 6; i++) {
		s.coll[i] = (struct kcoll){HW_COLL_AR, 4, sizes[i], 0, 0, ""};
		s.coll[i].t_s = comm_nccl_s(&f, &t, HW_COLL_AR, 4, sizes[i]);
		s.ncoll++;
	}
	CHECK_EQ(kfit_coll(&h, &s, HW_COLL_AR, 4, -1, 0, 0, &g), 6);
	for (i = 0; i < 3; i++)
		CHECK_REL(g.lat_s[i], f.lat_s[i], 1e-3);
	CHECK_REL(g.busbw, 650e9, 1e-3);
	free(s.coll);
}

/*
 * comm_custom_ar_s by hand, H100's vLLM fit on 8 GPUs (round figures of
 * hw/h100-sxm.json: one-shot 4.7 us, two-shot 9.1 us, 342 GB/s).  64 KiB:
 * one-shot 4.7 + 65,536 x 7 / 342e9 = 6.041 us beats two-shot's 9.1 +
 * 65,536 x 1.75 / 342e9 = 9.435 us (vLLM measured 6.4).  1 MiB: two-shot
 * 9.1 + 1,048,576 x 1.75 / 342e9 = 14.465 us beats one-shot's 26.16 us
 * (measured 14.8).  On 2 GPUs both read the message once: the smaller
 * latency wins.  kfit_car gives back the parameters of exact points.
 */
static void t_comm_custom_ar(void)
{
	const struct hw_car_fit f = {8, {4.7e-6, 9.1e-6}, 342e9}, f2 = {2, {4.2e-6, 13e-6}, 228e9};
	struct kset s;
	struct hw_car_fit g;
	int i;

	CHECK_REL(comm_custom_ar_s(&f, 8, 65536), 4.7e-6 + 65536 * 7 / 342e9, 1e-12);
	CHECK_REL(comm_custom_ar_s(&f, 8, 1048576), 9.1e-6 + 1048576 * 1.75 / 342e9, 1e-12);
	CHECK_REL(comm_custom_ar_s(&f2, 2, 1048576), 4.2e-6 + 1048576 / 228e9, 1e-12);
	CHECK_EQ(comm_custom_ar_s(&f, 1, 1048576), 0);
	CHECK_EQ(comm_custom_ar_s(&f, 8, 0), 0);
	memset(&s, 0, sizeof s);
	s.car = calloc(16, sizeof *s.car);
	if (!s.car)
		return;
	for (i = 0; i < 12; i++) {   /* 256 B to 512 KiB, x4, and 6 more on 4 GPUs (not fitted) */
		struct kcar *r = &s.car[s.ncar++];
		snprintf(r->engine, sizeof r->engine, "%s", i < 10 ? "vllm" : "sglang");
		r->gpus = 8;
		r->bytes = 256 * pow(4, i % 10);
		r->t_s = comm_custom_ar_s(&f, 8, r->bytes);
	}
	CHECK_EQ(kfit_car(&s, "vllm", 8, -1, 0, 0, &g), 10);
	CHECK_REL(g.lat_s[0], 4.7e-6, 1e-3);
	CHECK_REL(g.lat_s[1], 9.1e-6, 1e-3);
	CHECK_REL(g.bw, 342e9, 1e-3);
	CHECK_EQ(kfit_car(&s, "sglang", 8, -1, 0, 0, &g), 2);   /* too few to fit */
	CHECK_EQ(kfit_car(&s, "vllm", 4, -1, 0, 0, &g), 0);
	free(s.car);
}


/*
 * DeepEP low latency inside a domain: 128 tokens x 8 copies, 7 of 8 to other
 * GPUs of an 8-GPU domain, 7168 + 4 x 56 = 7392 bytes each in fp8: 6,623,232
 * bytes; at 12 us + bytes / 250 GB/s, 38.49 us.  kfit_deepep gives back the
 * latency and bandwidth of exact points (the linear least squares).
 */
static void t_comm_deepep(void)
{
	const struct hw_ep_fit f = {12e-6, 250e9, 0};
	struct kset s;
	struct hw_ep_fit g;
	struct ep_traffic tr;
	int i;

	CHECK_EQ(comm_ep_payload(7168, 1, 0), 7392);
	CHECK_EQ(comm_ep_payload(7168, 1, 1), 14336);
	comm_ep_traffic(8, 256, 8, 8, 0, &tr);
	CHECK_EQ(tr.up_copies, 7);
	CHECK_REL(comm_ep_s(&f, 0, 128 * 7 * 7392.0), 12e-6 + 6623232 / 250e9, 1e-12);
	memset(&s, 0, sizeof s);
	s.ep = calloc(8, sizeof *s.ep);
	if (!s.ep)
		return;
	for (i = 0; i < 6; i++) {
		s.ep[s.nep].bytes = 7 * 7392.0 * pow(4, i);
		s.ep[s.nep].t_s = comm_ep_s(&f, 0, s.ep[s.nep].bytes);
		s.nep++;
	}
	CHECK_EQ(kfit_deepep(&s, 0, 0, 0, 0, -1, 0, &g), 6);
	CHECK_REL(g.lat_s, 12e-6, 1e-9);
	CHECK_REL(g.bw, 250e9, 1e-9);
	CHECK_EQ(kfit_deepep(&s, 0, 1, 0, 0, -1, 0, &g), 0);   /* no combine records */
	CHECK_EQ(kfit_deepep(&s, 1, 0, 0, 0, -1, 0, &g), 0);   /* none across nodes */
	free(s.ep);
}

/*
 * DeepEP's normal kernels' serial rounds (comm_ep_normal_rounds), 20 SMs: 10
 * channels.  Dispatch of 4096 tokens: each sender warp walks ceil(409.6) =
 * 410 tokens.  Combine of 4096 tokens of 7168: 410 per channel over 23
 * reducing warps, ceil(410 / 23) = 18 tokens each, each 1 + ceil(14336 / 512)
 * = 29 rounds: 522.  One token of 2688: 1 x (1 + ceil(5376 / 512 = 10.5)) =
 * 12.  At 30 us + 522 x 0.5 us + 100 MB / 300 GB/s: 624.33 us.
 * kfit_deepep gives the three parameters back from exact points, and holds
 * round_s at 0 where the points would make it negative.
 */
static void t_comm_deepep_normal(void)
{
	const struct hw_ep_fit f = {30e-6, 300e9, 0.5e-6};
	struct kset s;
	struct hw_ep_fit g;
	int i;

	CHECK_EQ(comm_ep_normal_rounds(0, 4096, 7168), 410);
	CHECK_EQ(comm_ep_normal_rounds(1, 4096, 7168), 522);
	CHECK_EQ(comm_ep_normal_rounds(1, 1, 2688), 12);
	CHECK_EQ(comm_ep_normal_rounds(0, 1, 7168), 1);
	CHECK_EQ(comm_ep_normal_rounds(1, 0, 7168), 0);
	CHECK_REL(comm_ep_s(&f, 522, 100e6), 624.3333333333e-6, 1e-9);
	CHECK_EQ(comm_ep_s(&f, 522, 0), 0);
	memset(&s, 0, sizeof s);
	s.ep = calloc(8, sizeof *s.ep);
	if (!s.ep)
		return;
	for (i = 0; i < 8; i++) {   /* rounds and bytes not in proportion */
		s.ep[i].link = KEP_NORMAL;
		s.ep[i].phase = 1;
		s.ep[i].rounds = comm_ep_normal_rounds(1, pow(4, i), i % 2 ? 2048 : 7168);
		s.ep[i].bytes = pow(4, i) * 4.6 * (i % 3 + 1) * 4096;
		s.ep[i].t_s = comm_ep_s(&f, s.ep[i].rounds, s.ep[i].bytes);
	}
	s.nep = 8;
	CHECK_EQ(kfit_deepep(&s, KEP_NORMAL, 1, 0, 0, -1, 0, &g), 8);
	CHECK_REL(g.lat_s, 30e-6, 1e-6);
	CHECK_REL(g.round_s, 0.5e-6, 1e-6);
	CHECK_REL(g.bw, 300e9, 1e-6);
	for (i = 0; i < 8; i++)   /* faster where there are more rounds: round_s would be < 0 */
		s.ep[i].t_s = 30e-6 + s.ep[i].bytes / 300e9 - 1e-9 * s.ep[i].rounds;
	CHECK_EQ(kfit_deepep(&s, KEP_NORMAL, 1, 0, 0, -1, 0, &g), 8);
	CHECK_EQ(g.round_s, 0);
	CHECK(g.lat_s >= 0 && g.bw > 0);
	free(s.ep);
}

static const struct test tests[] = {
	{"comm_nccl_s: NCCL's three protocols by hand", t_comm_nccl},
	{"comm_nccl_pick: NCCL 2.29.2's cost model by hand", t_comm_nccl_pick},
	{"kfit_coll: NCCL's latencies scaled, given back from exact points", t_kfit_coll},
	{"comm_custom_ar_s: an engine's one-shot and two-shot all-reduce by hand, and its fit", t_comm_custom_ar},
	{"comm_ep_s: DeepEP low latency by hand; kfit_deepep gives it back", t_comm_deepep},
	{"comm_ep_normal_rounds: DeepEP normal kernels' serial rounds by hand; kfit_deepep gives three parameters back", t_comm_deepep_normal},
	{"comm EP traffic: hypergeometric groups, node limit, conservation", t_perf_ep_traffic},
	{"topo fat trees at radix 40, 64, 128, 144; planes; partial; oversubscribed; bad shapes", t_topo_radices},
	{"topo MPFT is cheaper than FT3 for 16,384 endpoints; the smallest tree that fits", t_topo_cost_order},
	{"comm collectives by hand; planes down; cross-leaf latency 3.7 us", t_comm_collectives},
};

const struct suite suite_net = {"net", tests, sizeof tests / sizeof tests[0]};
