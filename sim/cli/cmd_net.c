/* cmd_net.c - 'mlasim net': size a fat-tree fabric, compare topologies, time collectives */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "cli.h"
#include "comm.h"
#include "report.h"
#include "topo.h"
#include "units.h"

const char help_net[] =
"usage: mlasim net --hw H --gpus N [--radix K] [--planes P] [--oversubscription R]\n"
"                  [--topology auto|ft2|mpft|ft3]\n"
"       mlasim net --hw H --compare [--radix K] [--planes P]\n"
"       mlasim net --hw H --collective C --bytes SIZE --gpus N [--tier up|out]\n"
"\n"
"Size the scale-out fabric for N GPUs: the smallest non-blocking fat tree of the\n"
"card's switches that serves every NIC port (N x NICs per GPU x planes per NIC),\n"
"with its switches by layer, switch-to-switch and endpoint links, cost from the\n"
"card's unit prices, and switch power where the card gives it.\n"
"  FT2  two layers: k^2/2 endpoints, 3k/2 switches, k^2/2 links (radix k)\n"
"  MPFT P planes of FT2 (DeepSeek: NIC i of every node in plane i): P k^2/2\n"
"  FT3  three layers: k^3/4 endpoints, 5k^2/4 switches, k^3/2 links\n"
"  --radix K            switch ports (default: the card's scale_out.switch_radix)\n"
"  --planes P           planes of a multi-plane tree (default: the card's\n"
"                       scale_out.planes, else 1)\n"
"  --oversubscription R leaf ports down:up of R:1 (default 1, non-blocking)\n"
"  --topology T         force one kind instead of the cheapest that fits\n"
"  --compare            the 'Insights into DeepSeek-V3' Table 3 comparison: FT2,\n"
"                       MPFT and FT3 at their full size (links count switch-to-switch\n"
"                       links only, as the paper does)\n"
"\n"
"Collectives: time = latency + bytes x NCCL's bus-bandwidth factor / (per-GPU\n"
"bandwidth per direction x efficiency); factor 2(n-1)/n for allreduce, (n-1)/n\n"
"for reducescatter, allgather and alltoall, 1 for p2p; bytes is the whole array\n"
"(nccl-tests' convention).\n"
"  --collective C       allreduce, reducescatter, allgather, alltoall or p2p\n"
"  --bytes SIZE         e.g. 1GB, 64MiB\n"
"  --tier up|out        the scale-up domain (NVLink; default while N fits in it) or\n"
"                       the NICs\n"
"\n"
"json keys: topology, endpoints, switches, links, cost_usd, cost_per_endpoint_usd\n"
"(and with --compare a list 'compare' of those).\n";

struct net_args {
	double gpus, radix, planes, oversub, bytes;
	int compare, topology;      /* -1: auto */
	int collective;             /* -1: none */
	int tier;                   /* -1 auto, 0 up, 1 out */
};

static int net_parse(struct cli *c, struct net_args *a)
{
	const char *v;
	int r;

	while (cli_more(c)) {
		if (cli_common(c))
			continue;
		if ((r = cli_opt(c, "--gpus", &v)) != 0) {
			if (r > 0) cli_count(c, "--gpus", v, &a->gpus);
		} else if ((r = cli_opt(c, "--radix", &v)) != 0) {
			if (r > 0) cli_number(c, "--radix", v, UNIT_PLAIN, &a->radix);
		} else if ((r = cli_opt(c, "--planes", &v)) != 0) {
			if (r > 0) cli_number(c, "--planes", v, UNIT_PLAIN, &a->planes);
		} else if ((r = cli_opt(c, "--oversubscription", &v)) != 0) {
			if (r > 0) cli_number(c, "--oversubscription", v, UNIT_PLAIN, &a->oversub);
		} else if ((r = cli_opt(c, "--bytes", &v)) != 0) {
			if (r > 0) cli_number(c, "--bytes", v, UNIT_BYTES, &a->bytes);
		} else if ((r = cli_opt(c, "--topology", &v)) != 0) {
			if (r <= 0)
				continue;
			a->topology = !strcmp(v, "ft2") ? TOPO_FT2 : !strcmp(v, "mpft") ? TOPO_MPFT :
				      !strcmp(v, "ft3") ? TOPO_FT3 : !strcmp(v, "auto") ? -1 : -2;
			if (a->topology == -2)
				err_set(&c->err, EXIT_USAGE, "'--topology' expects auto, ft2, mpft or ft3, got '%s'", v);
		} else if ((r = cli_opt(c, "--collective", &v)) != 0) {
			if (r > 0 && (a->collective = comm_collective_parse(v)) < 0)
				err_set(&c->err, EXIT_USAGE,
					"'--collective' expects allreduce, reducescatter, allgather, alltoall or p2p, got '%s'", v);
		} else if ((r = cli_opt(c, "--tier", &v)) != 0) {
			if (r <= 0)
				continue;
			a->tier = !strcmp(v, "up") ? 0 : !strcmp(v, "out") ? 1 : -2;
			if (a->tier == -2)
				err_set(&c->err, EXIT_USAGE, "'--tier' expects up or out, got '%s'", v);
		} else if (cli_flag(c, "--compare")) {
			a->compare = 1;
		} else {
			cli_unknown(c);
		}
	}
	return c->err.code;
}

static double net_or(double v, double fallback) { return isnan(v) ? fallback : v; }

static cJSON *net_json_topo(const struct topo *t, double gpus)
{
	cJSON *o = cJSON_CreateObject(), *x;

	cJSON_AddStringToObject(o, "topology", topo_name(t->kind));
	if (gpus > 0)
		report_num(o, "gpus", gpus);
	report_num(o, "radix", t->radix);
	report_num(o, "planes", t->planes);
	report_num(o, "oversubscription", t->oversub);
	report_num(o, "endpoints", t->endpoints);
	report_num(o, "max_endpoints", t->max_endpoints);
	report_num(o, "switches", t->switches);
	x = cJSON_AddObjectToObject(o, "switches_by_layer");
	report_num(x, "leaf", t->leaf);
	report_num(x, "spine", t->spine);
	report_num(x, "core", t->core);
	report_num(o, "links", t->links);
	report_num(o, "endpoint_links", t->endpoint_links);
	report_num(o, "cost_usd", t->cost_usd);
	report_num(o, "cost_per_endpoint_usd", t->cost_per_endpoint_usd);
	report_num(o, "switch_power_w", t->switch_w);
	return o;
}

static void net_table_topo(struct sbuf *b, const struct topo *t)
{
	sbuf_printf(b, "  topology          %s%s", topo_name(t->kind),
		    t->kind == TOPO_MPFT ? " (one two-layer fat tree per plane)" : "");
	if (t->planes > 1)
		sbuf_printf(b, ", %g planes", t->planes);
	sbuf_printf(b, ", radix %g%s\n", t->radix, t->oversub > 1 ? " oversubscribed" : "");
	sbuf_printf(b, "  endpoints         %.0f (this kind reaches %.0f)\n", t->endpoints, t->max_endpoints);
	sbuf_printf(b, "  switches          %.0f (%.0f leaf, %.0f spine", t->switches, t->leaf, t->spine);
	if (t->core > 0)
		sbuf_printf(b, ", %.0f core", t->core);
	sbuf_printf(b, ")\n  links             %.0f switch-to-switch, %.0f endpoint\n", t->links,
		    t->endpoint_links);
	if (isnan(t->cost_usd))
		sbuf_printf(b, "  cost              unknown: the card gives no switch and link prices\n");
	else
		sbuf_printf(b, "  cost              $%.2fM, $%.2fk per endpoint (unit prices from the card)\n",
			    t->cost_usd / 1e6, t->cost_per_endpoint_usd / 1e3);
	if (isnan(t->switch_w))
		sbuf_printf(b, "  switch power      unknown: the card gives no scale_out.switch_w\n");
	else
		sbuf_printf(b, "  switch power      %.1f kW\n", t->switch_w / 1e3);
}

static int net_compare(struct cli *c, const struct net_args *a, const struct topo_prices *pr)
{
	static const enum topo_kind kinds[] = {TOPO_FT2, TOPO_MPFT, TOPO_FT3};
	struct topo t[3];
	cJSON *o, *arr;
	int i;

	for (i = 0; i < 3; i++)
		if (topo_size(kinds[i], 0, a->radix, a->planes, a->oversub, pr, &t[i], &c->err))
			return c->err.code;
	if (c->format == FMT_TABLE) {
		sbuf_printf(&c->buf, "mlasim net --compare: radix %g, %g planes for MPFT ('Insights into DeepSeek-V3' Table 3)\n\n",
			    a->radix, a->planes);
		sbuf_printf(&c->buf, "  %-8s %10s %10s %12s %12s %16s\n", "metric", "FT2", "MPFT", "FT3", "", "");
		sbuf_printf(&c->buf, "  %-8s %10.0f %10.0f %12.0f\n", "endpoints", t[0].endpoints, t[1].endpoints, t[2].endpoints);
		sbuf_printf(&c->buf, "  %-8s %10.0f %10.0f %12.0f\n", "switches", t[0].switches, t[1].switches, t[2].switches);
		sbuf_printf(&c->buf, "  %-8s %10.0f %10.0f %12.0f   (switch-to-switch)\n", "links", t[0].links, t[1].links, t[2].links);
		sbuf_printf(&c->buf, "  %-8s %10.2f %10.2f %12.2f   (M$)\n", "cost", t[0].cost_usd / 1e6, t[1].cost_usd / 1e6, t[2].cost_usd / 1e6);
		sbuf_printf(&c->buf, "  %-8s %10.2f %10.2f %12.2f   (k$ per endpoint)\n", "cost/ep", t[0].cost_per_endpoint_usd / 1e3,
			    t[1].cost_per_endpoint_usd / 1e3, t[2].cost_per_endpoint_usd / 1e3);
		sbuf_printf(&c->buf, "\nunit prices: switch $%.0f, switch-to-switch link $%.0f, endpoint link $%.0f\n",
			    pr->switch_usd, pr->link_usd, pr->endpoint_link_usd);
		sbuf_printf(&c->buf, "(the paper publishes no prices; these are the card's, see its sources)\n");
		return 0;
	}
	o = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(o, "compare");
	for (i = 0; i < 3; i++)
		cJSON_AddItemToArray(arr, net_json_topo(&t[i], 0));
	report_tree(&c->buf, o, c->format == FMT_CSV);
	return 0;
}

static int net_collective(struct cli *c, const struct net_args *a, const struct hw *h)
{
	struct links l;
	int out;
	double bw, lat, t;
	cJSON *o;

	if (!(a->gpus >= 1) || !(a->bytes > 0))
		return err_set(&c->err, EXIT_USAGE, "'--collective' needs '--gpus N' and '--bytes SIZE'");
	/* one GPU moves nothing: the time would be 0 and the bandwidths inf/nan */
	if (a->gpus < 2)
		return err_set(&c->err, EXIT_USAGE, "'--collective %s' needs '--gpus' of at least 2, got %g",
			       comm_collective_name((enum collective)a->collective), a->gpus);
	comm_links(h, 0, a->gpus, 0, &l);
	out = a->tier >= 0 ? a->tier : a->gpus > l.up_domain;
	if (!out && a->gpus > l.up_domain)
		return err_set(&c->err, EXIT_USAGE, "'--tier up': %g GPUs exceed the scale-up domain of %g",
			       a->gpus, l.up_domain);
	if (out && !l.have_out)
		return err_set(&c->err, EXIT_INPUT, "%s: no 'scale_out' network in the card", h->path);
	if (!out && l.up_mesh)   /* a switchless mesh: each peer over its own link */
		bw = fmin(l.up_bw, l.up_link_bw * (a->gpus - 1));
	else
		bw = out ? l.out_bw : l.up_bw;
	lat = out ? l.out_latency_s : l.up_latency_s;
	if (!(bw > 0))
		return err_set(&c->err, EXIT_INPUT, "%s: the card gives no bandwidth for that tier", h->path);
	t = comm_collective_s((enum collective)a->collective, a->gpus, a->bytes, bw, lat);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "collective", comm_collective_name((enum collective)a->collective));
	cJSON_AddStringToObject(o, "tier", out ? "scale_out" : "scale_up");
	report_num(o, "gpus", a->gpus);
	report_num(o, "bytes", a->bytes);
	report_num(o, "bandwidth_bytes_per_s", bw);
	report_num(o, "latency_s", lat);
	report_num(o, "time_s", t);
	report_num(o, "algbw_bytes_per_s", a->bytes / t);
	report_num(o, "busbw_bytes_per_s", a->bytes / t * comm_busbw_factor((enum collective)a->collective, a->gpus));
	if (c->format == FMT_TABLE) {
		char s1[32];
		sbuf_printf(&c->buf, "mlasim net: %s of %s over %g GPUs on %s (%s)\n",
			    comm_collective_name((enum collective)a->collective),
			    units_fmt_bytes(a->bytes, 0, s1, sizeof s1), a->gpus, h->display,
			    out ? "scale-out NICs" : "scale-up domain");
		sbuf_printf(&c->buf, "  bandwidth         %.1f GB/s per GPU per direction (achievable)\n", bw / 1e9);
		sbuf_printf(&c->buf, "  latency           %.2f us\n", lat * 1e6);
		sbuf_printf(&c->buf, "  time              %.3f us\n", t * 1e6);
		sbuf_printf(&c->buf, "  algbw / busbw     %.1f / %.1f GB/s\n", a->bytes / t / 1e9,
			    a->bytes / t * comm_busbw_factor((enum collective)a->collective, a->gpus) / 1e9);
		cJSON_Delete(o);
	} else report_tree(&c->buf, o, c->format == FMT_CSV);
	return 0;
}

int cmd_net(struct cli *c)
{
	struct net_args a = {0, NAN, NAN, 1, 0, 0, -1, -1, -1};
	struct topo_prices pr;
	struct topo t;
	struct hw h;
	double endpoints;

	if (net_parse(c, &a))
		return c->err.code;
	if (c->help)
		return cli_help(c);
	if (cli_load_hw(c, NULL, &h))
		return c->err.code;
	if (a.collective >= 0)
		return net_collective(c, &a, &h) ? c->err.code : cli_emit(c);
	if (isnan(a.radix))
		a.radix = h.scale_out.switch_radix;
	if (isnan(a.radix))
		return err_set(&c->err, EXIT_USAGE, "%s gives no 'scale_out.switch_radix': pass '--radix K'", h.path);
	if (isnan(a.planes))
		a.planes = net_or(h.scale_out.planes, net_or(h.scale_out.planes_per_nic, 1));
	{
		/* each plane needs a NIC port of every node (one GPU-NIC pair per plane) */
		double ports = net_or(h.node.gpus, 1) * net_or(h.scale_out.nics_per_gpu, 1) *
			       net_or(h.scale_out.planes_per_nic, 1);
		if (a.planes > ports && !isnan(h.node.gpus))
			return err_set(&c->err, EXIT_USAGE,
				       "'--planes %g' exceeds the %g NIC ports of a %s node: each plane needs one",
				       a.planes, ports, h.name);
	}
	pr = (struct topo_prices){h.scale_out.switch_usd, h.scale_out.link_usd,
				  h.scale_out.endpoint_link_usd, h.scale_out.switch_w};
	if (a.compare) {
		if (a.planes <= 1)
			a.planes = 8;   /* the paper's MPFT: 8 planes */
		return net_compare(c, &a, &pr) ? c->err.code : cli_emit(c);
	}
	if (!(a.gpus >= 1))
		return err_set(&c->err, EXIT_USAGE, "'net' needs '--gpus N' (or --compare, or --collective)");
	endpoints = a.gpus * net_or(h.scale_out.nics_per_gpu, 1) * net_or(h.scale_out.planes_per_nic, 1);
	if (a.topology >= 0 ? topo_size((enum topo_kind)a.topology, endpoints, a.radix, a.planes, a.oversub, &pr, &t, &c->err)
			    : topo_smallest(endpoints, a.radix, a.planes, a.oversub, &pr, &t, &c->err))
		return c->err.code;
	if (c->format == FMT_TABLE) {
		sbuf_printf(&c->buf, "mlasim net: %g GPUs of %s, %g NIC port(s) of %g Gb/s each\n\n", a.gpus,
			    h.display, endpoints / a.gpus,
			    net_or(h.scale_out.nic_bw, NAN) * 8 / 1e9 / net_or(h.scale_out.planes_per_nic, 1));
		net_table_topo(&c->buf, &t);
	} else {
		cJSON *o = net_json_topo(&t, a.gpus);
		report_tree(&c->buf, o, c->format == FMT_CSV);
	}
	return cli_emit(c);
}
