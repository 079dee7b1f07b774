/*
 * power.h - watts per GPU to dollars per million tokens.
 *
 * GPU power during a step (docs/hardware.md s4.4):
 *   P = P_idle + (P_tdp - P_idle) x u,  u = the share of the step the GPU runs
 *   kernels at their achievable roofline: sum over operators of
 *   max(FLOPs / (peak x eff), bytes / (HBM bandwidth x eff)) / step time, capped
 *   at 1 -- a GEMM at its achievable rate draws the power cap (docs/probes.md s0:
 *   large GEMMs hit 700 W on H100); fixed kernel latencies and communication
 *   count as idle.  When the card's calibration has
 *   probe-measured energies, P = P_idle + (FLOPs x J/FLOP + bytes x J/byte) / t,
 *   capped at the TDP.  P_idle: the card's gpu.idle_w, else TDP x 80.3/700 (the
 *   H200's measured idle share, docs/hardware.md s4.4, a secondary source).
 * Node: the GPUs plus the rest (CPUs, memory, NICs, fans, conversion): the
 *   card's node.cpu_w + node.other_w, else the node maximum less its GPUs' TDP
 *   (DGX H100: 10.2 kW - 8 x 700 W), drawn whatever the load.
 * Rack: nodes per rack from rack.gpus / node.gpus.  Cooling is decided on the
 *   rack at full load (every GPU at TDP, what must be provisioned): air up to
 *   the card's rack.air_limit_kw (30 kW, docs/hardware.md s4.2), liquid above.
 * Facility: IT power x PUE (card facility.pue: 1.58, Uptime 2023).
 * Energy per token: (GPU + its share of the node) x step time / tokens.
 * Cost: $/GPU-hour, or capex over years plus energy at $/kWh; $/Mtok =
 *   $/GPU-hour / 3600 / (tokens/s per GPU) x 1e6.
 */
#ifndef MLASIM_POWER_H
#define MLASIM_POWER_H

#include "hw.h"
#include "perf.h"

struct power_args {
	double pue;              /* NAN: the card's */
	double gpu_hour_usd;     /* NAN: the card's, or capex + energy */
	double usd_per_kwh;      /* NAN: the card's */
	double capex_years;      /* NAN: the card's cost.amortization_years */
	double fleet_gpus;       /* GPUs of the fleet for $/day; 0: one instance */
	double nodes_per_rack;   /* NAN: rack.gpus / node.gpus, else 1 */
};

/* What the power model had to assume or found wrong: flags, worded on output
 * by power_warning() (formatting text a million times a second would cost more
 * than the model). */
enum power_warning {
	PW_NO_TDP = 1, PW_IDLE_ASSUMED = 2, PW_NO_NODE = 4, PW_AIR_LIMIT = 8,
	PW_RACK_LIMIT = 16, PW_NO_PRICE = 32,
};

struct power {
	double idle_w, tdp_w;
	double util_decode, util_prefill;
	double gpu_decode_w, gpu_prefill_w, gpu_w;   /* gpu_w: the higher, for provisioning */
	double node_gpus, node_rest_w, node_kw;
	double nodes_per_rack, rack_kw;
	double node_full_kw, rack_full_kw;           /* every GPU at TDP: what to provision and cool */
	double pue, it_kw, facility_kw;              /* for the instance's GPUs */
	int liquid;
	double j_per_token_decode, j_per_token_prefill, j_per_request;
	double usd_per_gpu_hour, usd_per_mtok_input, usd_per_mtok_output, usd_per_day, fleet_gpus;
	const char *cost_basis;                      /* "gpu-hour" or "capex+energy" */
	int calibrated;
	unsigned warnings;                           /* enum power_warning flags */
	double air_limit_kw, rack_limit_kw;          /* for the warnings' text */
};

/*
 * Word warning `flag` of p into buf; returns buf, or NULL when p has not that
 * flag.  Iterate flags from 1 while flag <= PW_NO_PRICE.
 */
const char *power_warning(const struct power *p, unsigned flag, char *buf, size_t n);

/* Defaults into *a: everything from the card, no fleet (a day's cost is one
 * instance's). */
void power_default_args(struct power_args *a);

/*
 * Power, cooling and cost of a plan whose performance is `f` on hardware h,
 * with `gpus` GPUs per instance, micro-batches mb (a step's operators run mb
 * times), and a request of isl_new prefill and osl decode tokens (for
 * j_per_request), under the options `a`, into *p (all of it overwritten);
 * what had to be assumed is flagged in p->warnings.  Pure.
 */
void power_compute(const struct hw *h, const struct perf *f, double gpus, double mb,
		   double isl_new, double osl, const struct power_args *a, struct power *p);

#endif
