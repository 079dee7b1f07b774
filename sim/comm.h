/*
 * comm.h - time of the collectives a step needs, on the scale-up domain
 * (NVLink, Infinity Fabric) and the scale-out network (NICs).
 *
 * Model (issue "Network" refines it): time = latency + bytes x busbw factor /
 * (link bandwidth per direction x efficiency), with NCCL's bus-bandwidth factors
 * (nccl-tests doc/PERFORMANCE.md): all-reduce 2(n-1)/n, reduce-scatter and
 * all-gather (n-1)/n.  Expert-parallel all-to-all is counted per GPU from the
 * routing (comm_ep_traffic) and sent over both tiers at once.
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
	double out_latency_s;
	int have_out;          /* the card describes a scale-out network */
};

/* Fill the link figures from the card; ideal = 1 drops efficiencies and latencies. */
void comm_links(const struct hw *h, int ideal, struct links *l);

/* Ring all-reduce of `bytes` over n GPUs of one scale-up domain, seconds. */
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
};
void comm_ep_traffic(double copies, double experts, double ep, double domain,
		     double max_domains, struct ep_traffic *t);

/* Expected distinct groups touched when `copies` distinct experts are drawn
 * from `experts` split evenly into `groups` groups (hypergeometric). */
double comm_groups_touched(double copies, double experts, double groups);

/*
 * Time to move per-GPU bytes `up_bytes` over scale-up and `out_bytes` over
 * scale-out at once: the slower tier plus its latency.  *bound_out is set to 1
 * when scale-out is the slower tier.
 */
double comm_a2a_s(const struct links *l, double up_bytes, double out_bytes, int *bound_out);

#endif
