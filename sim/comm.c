/* comm.c - collective timing; formulas and sources in comm.h */
#include <math.h>
#include <string.h>
#include "comm.h"
#include "precision.h"

static double comm_or(double v, double fallback) { return isnan(v) ? fallback : v; }

double comm_planes(const struct hw *h)
{
	return comm_or(h->scale_out.planes, comm_or(h->scale_out.planes_per_nic, 1));
}

/*
 * Share of a nominal bandwidth a collective achieves: the card's measured
 * achievable figure over its nominal one where it gives both (what DeepEP or
 * p2pBandwidthLatencyTest saw), else its efficiency default.
 */
static double comm_eff(double achievable, double nominal, double eff)
{
	if (achievable > 0 && nominal > 0)
		return achievable / nominal;
	return comm_or(eff, 1);
}

void comm_links(const struct hw *h, int ideal, double gpus, double planes_down,
		struct links *l)
{
	double up_eff = ideal ? 1 : comm_eff(h->scale_up.achievable_bw, h->scale_up.bw, h->eff.scale_up);
	double out_eff = ideal ? 1 : comm_eff(h->scale_out.effective_bw_per_nic, h->scale_out.nic_bw,
					      h->eff.scale_out);
	double nics = comm_or(h->scale_out.nics_per_gpu, 1);
	double planes = comm_planes(h);
	double ports = gpus * nics * comm_or(h->scale_out.planes_per_nic, 1) / planes;

	l->up_bw = comm_or(h->scale_up.bw, 0) * up_eff;
	l->up_link_bw = comm_or(h->scale_up.link_bw, l->up_bw / up_eff) * up_eff;
	l->up_mesh = h->scale_up.topology[0] == 'm';
	l->up_latency_s = ideal ? 0 : comm_or(h->scale_up.latency_s, 0);
	l->up_domain = comm_or(h->scale_up.domain_gpus, 1);
	l->have_out = !isnan(h->scale_out.nic_bw);
	l->out_share = (planes - planes_down) / planes;
	l->out_bw = comm_or(h->scale_out.nic_bw, 0) * nics * out_eff * l->out_share;
	l->cross_leaf = ports > comm_or(h->scale_out.switch_radix, INFINITY) / 2;
	l->out_latency_s = ideal ? 0 : comm_or(h->scale_out.latency_s, 0) +
			   (l->cross_leaf ? 2 * comm_or(h->scale_out.hop_latency_s, 0) : 0);
}

double comm_allreduce_s(const struct links *l, double n, double bytes)
{
	double bw = l->up_mesh ? l->up_link_bw * (n - 1) : l->up_bw;

	if (n <= 1 || bytes <= 0)
		return 0;
	if (bw <= 0)
		return INFINITY;
	return l->up_latency_s + bytes * 2 * (n - 1) / n / bw;
}

void comm_nccl_topo(const struct hw *h, struct nccl_topo *t)
{
	double cc = comm_or(h->gpu.compute_capability, 0);
	double links = h->scale_up.bw / h->scale_up.link_bw;

	t->gen = cc >= 10 ? 10 : cc >= 9 ? 9 : 0;
	if (!(links >= 1))
		t->gen = 0;
	t->nvlink_gbs = t->gen ? round(links) * (t->gen == 10 ? 40.1 : 20.6) : 0;
}

double comm_nccl_lat_us(int op, double n, int p)
{
	static const double base[3] = {6.6, 14.0, 8.4}, hop[3] = {0.6, 1.9, 3.4};

	return base[p] + (op == HW_COLL_AR ? 2 * (n - 1) : n - 1) * hop[p];
}

/* NCCL's search speeds within one node, GB/s per channel (comm.h). */
static const double nccl_speed9[] = {60, 50, 40, 30, 24, 20, 15, 12, 11, 6, 3, 0};
static const double nccl_speed10[] = {90, 80, 70, 60, 50, 45, 40, 30, 24, 20, 19, 18, 0};

/* The ring graph on t: *ch channels at the speed returned (GB/s each). */
static double comm_nccl_ring(const struct nccl_topo *t, double *ch)
{
	const double *sp = t->gen == 10 ? nccl_speed10 : nccl_speed9;
	double first = 0, best_c = 0, best_s = 0;
	int i;

	for (i = 0; sp[i] > 0; i++) {
		double c;

		if (sp[i] > t->nvlink_gbs)
			continue;
		if (first == 0)
			first = sp[i];
		if (sp[i] / first <= 0.49)
			break;
		c = fmin(floor(t->nvlink_gbs / sp[i]), 32);
		if (c * sp[i] > best_c * best_s) {
			best_c = c;
			best_s = sp[i];
		}
	}
	if (best_s >= 50) {     /* ncclTopoDupChannels */
		best_c = fmin(2 * best_c, 32);
		best_s /= 2;
	}
	*ch = best_c;
	return best_s;
}

int comm_nccl_pick(const struct nccl_topo *t, int op, double n, double bytes)
{
	double bw[3], ch, r, ratio, best = INFINITY;
	int g10 = t->gen == 10, p, pick = NCCL_SIMPLE;

	if (!t->gen || n <= 1 || (op != HW_COLL_AR && op != HW_COLL_AG))
		return NCCL_SIMPLE;
	r = comm_nccl_ring(t, &ch) * ch;
	ratio = n / (op == HW_COLL_AR ? 2 * (n - 1) : n - 1);
	bw[NCCL_LL] = fmin(g10 ? 282 : 141, r * 0.5) * ratio;
	bw[NCCL_LL128] = fmin(r * 0.92, ch * (g10 ? 34.5 : 36.7)) * ratio;
	bw[NCCL_SIMPLE] = r * ratio;
	for (p = 0; p < 3; p++) {
		double tp = bw[p] > 0 ? comm_nccl_lat_us(op, n, p) + bytes / (1000 * bw[p]) : INFINITY;

		if (tp < best) {
			best = tp;
			pick = p;
		}
	}
	return pick;
}

double comm_nccl_s(const struct hw_coll_fit *f, const struct nccl_topo *t, int op, double n, double bytes)
{
	static const double eta[3] = {4.0 / 8, 120.0 / 128, 1};
	double busbytes = bytes * (op == HW_COLL_AR ? 2 * (n - 1) / n : (n - 1) / n), best = INFINITY;
	int p;

	if (n <= 1 || bytes <= 0)
		return 0;
	if (t->gen && op != HW_COLL_A2A) {
		p = comm_nccl_pick(t, op, n, bytes);
		return f->lat_s[p] + busbytes / (f->busbw * eta[p]);
	}
	for (p = 0; p < 3; p++) {
		double tp = f->lat_s[p] + busbytes / (f->busbw * eta[p]);

		if (tp < best)
			best = tp;
	}
	return best;
}

double comm_custom_ar_s(const struct hw_car_fit *f, double n, double bytes)
{
	double one, two;

	if (n <= 1 || bytes <= 0)
		return 0;
	one = f->lat_s[0] + bytes * (n - 1) / f->bw;
	two = f->lat_s[1] + bytes * 2 * (n - 1) / n / f->bw;
	return one < two ? one : two;
}

double comm_ep_payload(double hidden, int fp8_dispatch, int combine)
{
	return combine || !fp8_dispatch ? 2 * hidden : hidden + 4 * ceil(hidden / 128);
}

double comm_ep_s(const struct hw_ep_fit *f, double rounds, double bytes)
{
	return bytes > 0 ? f->lat_s + rounds * f->round_s + bytes / f->bw : 0;
}

double comm_ep_normal_rounds(int combine, double tokens, double hidden)
{
	double per_channel = ceil(tokens / (DEEPEP_NORMAL_SMS / 2));

	if (tokens <= 0)
		return 0;
	if (!combine)
		return per_channel;
	return ceil(per_channel / (DEEPEP_NORMAL_WARPS - 1)) * (1 + ceil(2 * hidden / 512));
}

double comm_ep_normal_copies(double copies, double experts, double ep)
{
	return ep > 1 ? comm_groups_touched(copies, experts, ep) * (ep - 1) / ep : 0;
}

double comm_groups_touched(double copies, double experts, double groups)
{
	double per = experts / groups, p = 1;
	int i;

	if (groups <= 1)
		return groups;
	if (copies >= experts)
		return groups;
	/* P(a group is untouched) = C(E - per, c) / C(E, c) */
	for (i = 0; i < (int)ceil(copies); i++) {
		double frac = copies - i < 1 ? copies - i : 1;   /* fractional copies */
		double q = (experts - per - i) / (experts - i);
		p *= q <= 0 ? 0 : frac == 1 ? q : pow(q, frac);
	}
	return groups * (1 - p);
}

void comm_ep_traffic(double copies, double experts, double ep, double domain,
		     double max_domains, struct ep_traffic *t)
{
	double d = num_min(domain, ep), domains = ep / d;
	double remote = copies * (ep - d) / ep, out;

	t->local_copies = copies / ep;
	t->remote_copies = remote;
	/* distinct remote domains the token's copies reach: one NIC send each */
	out = comm_groups_touched(copies, experts, domains) * (domains - 1) / domains;
	if (max_domains > 0)
		out = num_min(out, max_domains * (domains - 1) / domains);
	out = num_min(out, remote);
	t->out_copies = out;
	/* same-domain copies, plus copies forwarded inside the remote domains */
	t->up_copies = copies * (d - 1) / ep + (remote - out);
}

double comm_a2a_s(const struct links *l, double up_bytes, double out_bytes, int *bound_out)
{
	double tu = 0, to = 0;

	if (up_bytes > 0)
		tu = l->up_bw > 0 ? l->up_latency_s + up_bytes / l->up_bw : INFINITY;
	if (out_bytes > 0)
		to = l->out_bw > 0 ? l->out_latency_s + out_bytes / l->out_bw : INFINITY;
	*bound_out = to > tu;
	return num_max(tu, to);
}

int comm_collective_parse(const char *s)
{
	static const char *const names[][2] = {
		{"allreduce", "all-reduce"}, {"reducescatter", "reduce-scatter"},
		{"allgather", "all-gather"}, {"alltoall", "all-to-all"}, {"p2p", "sendrecv"},
	};
	int i;

	for (i = 0; i < 5; i++)
		if (!strcmp(s, names[i][0]) || !strcmp(s, names[i][1]))
			return i;
	return -1;
}

const char *comm_collective_name(enum collective c)
{
	static const char *const names[] = {"allreduce", "reducescatter", "allgather", "alltoall", "p2p"};
	return names[c];
}

double comm_busbw_factor(enum collective c, double n)
{
	switch (c) {
	case COLL_ALLREDUCE: return 2 * (n - 1) / n;
	case COLL_P2P: return 1;
	default: return (n - 1) / n;
	}
}

double comm_collective_s(enum collective c, double n, double bytes, double bw, double lat)
{
	if (c != COLL_P2P && n <= 1)
		return 0;
	return lat + bytes * comm_busbw_factor(c, n) / bw;
}
