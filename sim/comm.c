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

double comm_nccl_s(const struct hw_coll_fit *f, int all_reduce, double n, double bytes)
{
	static const double eta[3] = {4.0 / 8, 120.0 / 128, 1};
	double busbytes = bytes * (all_reduce ? 2 * (n - 1) / n : (n - 1) / n), best = INFINITY;
	int p;

	if (n <= 1 || bytes <= 0)
		return 0;
	for (p = 0; p < 3; p++) {
		double t = f->lat_s[p] + busbytes / (f->busbw * eta[p]);
		if (t < best)
			best = t;
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
