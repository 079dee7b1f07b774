/*
 * comm.h - time of the collectives a step needs, on the scale-up domain
 * (NVLink, Infinity Fabric) and the scale-out network (NICs).
 *
 * Model: time = latency + bytes x busbw factor / (link bandwidth per direction
 * x efficiency), with NCCL's bus-bandwidth factors
 * (NVIDIA/nccl-tests@03a204a:doc/PERFORMANCE.md; docs/hardware.md s3.3):
 * all-reduce 2(n-1)/n, reduce-scatter and all-gather (n-1)/n.  Expert-parallel
 * all-to-all is counted per GPU from the routing (comm_ep_traffic) and sent
 * over both tiers at once.
 */
#ifndef MLASIM_COMM_H
#define MLASIM_COMM_H

#include "hw.h"

/* Achievable link figures for one plan (ideal: efficiency 1, no latency). */
struct links {
	double up_bw;          /* scale-up, per GPU per direction, B/s (achievable) */
	double up_latency_s;
	double up_domain;      /* GPUs per scale-up domain */
	int up_mesh;           /* switchless mesh: a pair gets only its own link */
	double up_link_bw;     /* mesh: one pair's link, B/s */
	double out_bw;         /* scale-out, per GPU per direction, B/s (all its NICs) */
	double out_share;      /* of it, the share the planes left up carry: (P - down) / P */
	double out_latency_s;
	int have_out;          /* the card describes a scale-out network */
	int cross_leaf;        /* scale-out messages cross the spine */
};

/*
 * Fill the link figures from the card; ideal = 1 drops efficiencies and
 * latencies.  Achievable bandwidth: scale_up.achievable_gbs_per_dir and
 * scale_out.effective_gbs_per_nic where the card gives them (mesh links
 * scaled by the same share), else nominal x efficiency.scale_up/scale_out.  `gpus` talk over the scale-out network: when their ports in one
 * plane outnumber a leaf switch's (radix/2), a message crosses two more switch
 * hops (hop_latency_us each way up and down; DeepSeek measured 2.8 us same-leaf,
 * 3.7 us cross-leaf).  With `planes_down` of P planes failed, the GPUs of the
 * lost planes forward through their node's other NICs: scale-out bandwidth
 * falls to (P - down)/P.
 */
void comm_links(const struct hw *h, int ideal, double gpus, double planes_down,
		struct links *l);

/* Network planes of a card: scale_out.planes, else the NIC's planes, else 1. */
double comm_planes(const struct hw *h);

/* Ring all-reduce of `bytes` over n GPUs of one scale-up domain, seconds:
 * latency + bytes 2(n-1)/n / bandwidth (a mesh: n - 1 links at once); 0 for
 * n <= 1 or nothing to move, INFINITY without scale-up bandwidth. */
double comm_allreduce_s(const struct links *l, double n, double bytes);

/*
 * Expert-parallel all-to-all traffic of one GPU for one MoE layer.
 * tokens: tokens this GPU dispatches; copies: experts each token goes to
 * (k, plus shared experts when they are routed); experts: physical experts
 * over the ep GPUs; domain: GPUs of the EP group per scale-up domain;
 * max_domains: node-limited routing (0 = none).  Copies to experts on this
 * GPU stay local; copies to another domain cross the NIC once per distinct
 * destination domain (DeepEP forwards within the domain over NVLink).
 */
struct ep_traffic {
	double local_copies;     /* per token: stay on this GPU */
	double up_copies;        /* per token: over scale-up (same domain + forwarding) */
	double out_copies;       /* per token: over the NIC (distinct remote domains) */
	double remote_copies;    /* per token: to GPUs of other domains, before any forwarding
				  * (DeepEP's low-latency kernels send each alone, over the NIC) */
};
void comm_ep_traffic(double copies, double experts, double ep, double domain,
		     double max_domains, struct ep_traffic *t);

/* Expected distinct groups touched when `copies` distinct experts are drawn
 * from `experts` split evenly into `groups` groups (hypergeometric). */
double comm_groups_touched(double copies, double experts, double groups);

/*
 * Time to move per-GPU bytes `up_bytes` over scale-up and `out_bytes` over
 * scale-out at once: the slower tier plus its latency (0 when both are 0;
 * INFINITY when a tier with bytes has no bandwidth).  *bound_out (not NULL)
 * is set to 1 when scale-out is the slower tier, else 0.
 */
double comm_a2a_s(const struct links *l, double up_bytes, double out_bytes, int *bound_out);


/*
 * What NCCL's cost model knows of a card's scale-up domain (comm_nccl_pick):
 * gen 9 (Hopper) or 10 (Blackwell and later), from gpu.compute_capability,
 * picks NCCL's constants for that architecture; 0 where NCCL's choice is not
 * modelled (no compute capability, no NVLink link figure on the card).
 * nvlink_gbs is the GPU's NVLink bandwidth as NCCL counts it:
 * scale_up.gbs_per_dir / link_gbs_per_dir links x NCCL's per-link figure,
 * 20.6 GB/s on Hopper and 40.1 on Blackwell
 * (NVIDIA/nccl@v2.29.2-1:src/graph/topo.h, SM90_NVLINK_BW, SM100_NVLINK_BW).
 */
struct nccl_topo {
	int gen;
	double nvlink_gbs;
};
void comm_nccl_topo(const struct hw *h, struct nccl_topo *t);

/* NCCL's ring protocols, in the order of hw_coll_fit.lat_s. */
enum { NCCL_LL, NCCL_LL128, NCCL_SIMPLE };

/*
 * The latency NCCL's cost model gives ring protocol p (NCCL_*) of op
 * (HW_COLL_AR or HW_COLL_AG) on n GPUs of one NVLink domain, in
 * microseconds (NVIDIA/nccl@v2.29.2-1:src/graph/tuning.cc, baseLat and
 * hwLat[NCCL_HW_NVLINK] for the ring):
 *   base + nsteps x hw, nsteps = 2 (n - 1) (all-reduce) or n - 1,
 *   base 6.6 / 14.0 / 8.4, hw 0.6 / 1.9 / 3.4 us (LL / LL128 / Simple).
 * The card's fit scales these (kfit_coll): the three latencies keep NCCL's
 * structure and cost two parameters, not three.
 */
double comm_nccl_lat_us(int op, double n, int p);

/*
 * The ring protocol (NCCL_*) NCCL 2.29.2 runs op (HW_COLL_AR or
 * HW_COLL_AG) of `bytes` on n GPUs of one domain with: the one its own cost
 * model predicts fastest, t = lat + bytes / (1000 bw) us
 * (NVIDIA/nccl@v2.29.2-1: src/graph/tuning.cc, ncclTopoTuneModel and
 * ncclTopoGetAlgoTime; src/enqueue.cc, topoGetAlgoInfo), bytes the whole
 * message (all-gather: its output), lat comm_nccl_lat_us, and with
 * ratio = n / nsteps:
 *   bw Simple = R ratio, LL = min(llMax, R / 2) ratio, LL128 =
 *   min(0.92 R, ch x perCh) ratio; llMax 141 (Hopper), 282 (Blackwell),
 *   perCh 36.7, 34.5 GB/s.
 * R = ch x s is the ring graph NCCL's search finds on the switch: the
 * largest channels x speed within nvlink_gbs over its speeds (60, 50, 40,
 * 30, 24, ... on Hopper, 90, 80, 70, 60, ... on Blackwell; src/graph/
 * search.cc, sm90SpeedArrayIntra, sm100SpeedArrayIntra), down to half the
 * first that fits, channels doubled and speed halved where the speed is 50
 * or more (ncclTopoDupChannels): 12 x 30 on H100, 16 x 45 on B200.  Tree
 * and NVLS are left out: on one switch Tree's 2 (n - 1) hops never make it
 * the fastest, and an NVLS pick, modelled and fitted on its own, improved
 * none of the published curves (its bandwidth is in the fitted busbw).
 * NCCL_SIMPLE for gen 0, n <= 1 or another op.
 */
int comm_nccl_pick(const struct nccl_topo *t, int op, double n, double bytes);

/*
 * A collective op (HW_COLL_*) of S bytes on n GPUs as NCCL runs it (the
 * card's fit of nccl-tests, hw.h), on ring protocol p:
 *   t_p = lat_p + S x factor / (busbw x eta_p), eta = 4/8, 120/128, 1
 * (LL moves 8-byte words of 4 data bytes and a flag, LL128 128-byte lines
 * of 120 data bytes, Simple whole chunks behind memory fences; Hu et al.,
 * "Demystifying NCCL", arXiv 2507.04786 s3), factor NCCL's bus-bandwidth
 * factor (below).  p is the protocol NCCL picks (comm_nccl_pick), not the
 * fastest: on Blackwell NCCL prices LL at twice Hopper's bandwidth and
 * keeps it to about 5.75 MB on 4 GPUs, then runs Simple, whose start-up is
 * several times what it models: the measured time steps up there (4 B200s,
 * nccl-tests: 35.8 us at 4 MiB, 84.9 us at 8 MiB).  All-to-all (send and
 * receive, no such choice) and a card of gen 0 take the fastest of the
 * three.  Decode-size messages (1-8 MiB) so run at a small share of the
 * link.  Seconds; 0 for n <= 1 or nothing to move.
 */
double comm_nccl_s(const struct hw_coll_fit *f, const struct nccl_topo *t, int op, double n, double bytes);

/*
 * A serving engine's own all-reduce of S bytes on n GPUs of one NVLink domain
 * (vLLM's and SGLang's custom all-reduce and vLLM's symmetric-memory one,
 * TensorRT-LLM's one-shot and two-shot kernels), as the card's fit of
 * aiconfigurator's tables has it (hw.h, docs/kernels.md s5.8).  The
 * engines pick, per size, one of two kernels (vllm-project/vllm:
 * csrc/custom_all_reduce.cuh, cross_device_reduce_1stage and _2stage): the
 * one-shot kernel, in which every GPU reads the whole message from each of
 * the n - 1 others and sums it, and the two-shot kernel, a reduce-scatter
 * then an all-gather, in which each GPU reads 2 (n - 1) / n of it:
 *   t = min(lat_1 + S (n - 1) / bw, lat_2 + S 2 (n - 1) / n / bw)
 * Seconds; 0 for n <= 1 or nothing to move.
 */
double comm_custom_ar_s(const struct hw_car_fit *f, double n, double bytes);

/*
 * Copies per token DeepEP's normal (high-throughput) kernels move inside one
 * domain of `ep` GPUs: a token goes once to each other GPU holding one of
 * its `copies` experts (deepseek-ai/DeepEP@16c4c99:deep_ep/buffer.py,
 * get_dispatch_layout: num_tokens_per_rank and is_token_in_rank), the
 * distinct GPUs of comm_groups_touched over `experts` in ep groups, less the
 * token's own GPU, touched as often as any: touched x (ep - 1) / ep.
 */
double comm_ep_normal_copies(double copies, double experts, double ep);

/* SMs DeepEP's normal kernels take while they run: its default,
 * deepseek-ai/DeepEP@16c4c99:deep_ep/buffer.py Buffer.num_sms = 20 (the 20
 * of H800's 132 SMs DeepSeek-V3 gives communication, arXiv 2412.19437 s3.2.2). */
#define DEEPEP_NORMAL_SMS 20

/* Warps of a DeepEP normal-kernel block: kNumThreads 768 / 32
 * (deepseek-ai/DeepEP@16c4c99:csrc/kernels/intranode.cu, dispatch and combine). */
#define DEEPEP_NORMAL_WARPS 24

/*
 * Serial memory rounds on the critical path of DeepEP's normal dispatch
 * (combine 0) or combine (combine 1) of `tokens` tokens of `hidden` channels
 * per GPU, with DEEPEP_NORMAL_SMS SMs: sms / 2 channels, each a sender and a
 * receiver block, each channel a contiguous ceil(tokens / channels) of the
 * tokens (deepseek-ai/DeepEP@16c4c99:csrc/kernels/intranode.cu,
 * get_channel_task_range in utils.cuh).  A dispatch sender warp walks every
 * token of its channel, reading is_token_in_rank before it knows whether to
 * copy it: one dependent load per token, whether or not it is sent,
 *   rounds = ceil(tokens / channels).
 * A combine receiver block gives the queue head to one warp and each of the
 * other warps - 1 every (warps - 1)-th token of its channel; per token one
 * load of send_head, then ceil(hidden_int4 / 32) steps (hidden_int4 = 2
 * hidden / 16: bf16 in 16-byte words, 32 lanes) each waiting on the loads
 * from the ranks holding the token:
 *   rounds = ceil(ceil(tokens / channels) / (warps - 1)) x (1 + ceil(2 hidden / 512)).
 * Time on top of a latency and the bytes (comm_ep_s); 0 for no tokens.
 */
double comm_ep_normal_rounds(int combine, double tokens, double hidden);

/* Bytes per token copy: DeepEP dispatches in fp8 with one fp32 scale per 128
 * channels (hidden + 4 ceil(hidden / 128)) or in bf16 (2 hidden), and
 * combines in bf16 (2 hidden). */
double comm_ep_payload(double hidden, int fp8_dispatch, int combine);

/*
 * DeepEP's dispatch or combine moving `bytes` per GPU in `rounds` serial
 * memory rounds (the card's fit of DeepEP's published times, hw.h):
 *   lat + rounds x round_s + bytes / bw.
 * The normal kernels' rounds are comm_ep_normal_rounds; the low-latency
 * kernels' fits have no round term (round_s 0).  For them, inside one
 * scale-up domain the bytes are every copy to another GPU, over NVLink;
 * size dominates above ~32 tokens per rank, below it the latency (12-22 us
 * in SGLang's DeepEP tables, hw/published/h100-sxm/aic-sglang-deepep.json
 * and the other cards').  Across domains the low-latency kernels send each
 * copy bound for another domain on its own over the NIC, by RDMA, with no
 * forwarding inside the domain (deepseek-ai/DeepEP@ebfe47e:README.md; since
 * de8cfca copies to the same domain go over NVLink alongside): the bytes are
 * those copies (ep_traffic.remote_copies), and the fit is DeepEP's
 * low-latency times on H800 with one 400 Gb/s NIC per GPU, EP 8 to 256
 * (hw/published/h800-sxm/deepep-ll-original.json, deepep-legacy.json).
 */
double comm_ep_s(const struct hw_ep_fit *f, double rounds, double bytes);

/* Collectives of 'mlasim net --collective' (NCCL conventions, docs/hardware.md s3.3). */
enum collective { COLL_ALLREDUCE, COLL_REDUCESCATTER, COLL_ALLGATHER, COLL_ALLTOALL, COLL_P2P };

/* Parse a collective name ("allreduce", "all-reduce", ...); -1 if unknown. */
int comm_collective_parse(const char *s);
/* The name of c as 'mlasim net' prints it ("allreduce"): static text. */
const char *comm_collective_name(enum collective c);

/* NCCL's bus-bandwidth factor: busbw = algbw x factor (n ranks). */
double comm_busbw_factor(enum collective c, double n);

/*
 * Time of collective c of S bytes (the whole array, nccl-tests convention) over
 * n GPUs at per-GPU bandwidth bw (B/s, per direction) with latency lat:
 * lat + S x factor / bw.
 */
double comm_collective_s(enum collective c, double n, double bytes, double bw, double lat);

#endif
