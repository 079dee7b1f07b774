/* power.c - the power, cooling and cost model; formulas and sources in power.h */
#include <math.h>
#include <stdio.h>
#include "power.h"

/* H200 idle 80.3 W of 700 W TDP (docs/hardware.md s4.4, [serialalice], S/U): the
 * only measured idle share in the references, used when a card has no idle_w. */
#define IDLE_SHARE (80.3 / 700.0)

void power_default_args(struct power_args *a)
{
	a->pue = NAN;
	a->gpu_hour_usd = NAN;
	a->usd_per_kwh = NAN;
	a->capex_years = NAN;
	a->fleet_gpus = 0;
	a->nodes_per_rack = NAN;
}

static double or_nan(double v, double fallback) { return isnan(v) ? fallback : v; }

const char *power_warning(const struct power *p, unsigned flag, char *buf, size_t n)
{
	if (!(p->warnings & flag))
		return NULL;
	switch (flag) {
	case PW_NO_TDP:
		snprintf(buf, n, "the card gives no gpu.tdp_w: no power model");
		break;
	case PW_IDLE_ASSUMED:
		snprintf(buf, n, "idle power assumed %.0f W (TDP x 80.3/700, the H200's measured idle share): the card gives no gpu.idle_w",
			 p->idle_w);
		break;
	case PW_NO_NODE:
		snprintf(buf, n, "the card gives no node power beyond the GPUs (node.max_kw or node.cpu_w): node, rack and facility power count GPUs only");
		break;
	case PW_AIR_LIMIT:
		snprintf(buf, n, "%.1f kW per rack at full load exceeds the %.0f kW air cooling handles: needs liquid cooling or fewer nodes per rack",
			 p->rack_full_kw, p->air_limit_kw);
		break;
	case PW_RACK_LIMIT:
		snprintf(buf, n, "%.1f kW per rack at full load exceeds the rack's %.0f kW", p->rack_full_kw,
			 p->rack_limit_kw);
		break;
	default:
		snprintf(buf, n, "no price: pass --gpu-hour-usd, or give the card cost.capex_usd_per_gpu, cost.amortization_years and facility.usd_per_kwh");
	}
	return buf;
}

/* Busy share of a step: compute operators at their achievable roofline. */
static double power_util(const struct phase *ph, double mb)
{
	return ph->t_step > 0 ? num_min(1, ph->busy_s * mb / ph->t_step) : 0;
}

/* FLOPs and HBM bytes of a step's compute operators (for measured energies). */
static void power_work(const struct phase *ph, double mb, double *flops, double *bytes)
{
	int i;

	*flops = *bytes = 0;
	for (i = 0; i < ph->nops; i++) {
		if (perf_class_is_comm(ph->op[i].cls))
			continue;
		*flops += ph->op[i].count * mb * ph->op[i].flops;
		*bytes += ph->op[i].count * mb * ph->op[i].bytes;
	}
}

static double power_gpu_w(const struct hw *h, const struct power *p, const struct phase *ph,
			  double mb, double *util)
{
	double flops, bytes, w;

	*util = power_util(ph, mb);
	if (h->power_calibrated) {
		power_work(ph, mb, &flops, &bytes);
		w = p->idle_w + (flops * h->e_per_flop + bytes * h->e_per_byte) / ph->t_step;
	} else {
		w = p->idle_w + (p->tdp_w - p->idle_w) * *util;
	}
	return num_min(w, p->tdp_w);
}

static void power_node(const struct hw *h, const struct power_args *a, struct power *p)
{
	p->node_gpus = or_nan(h->node.gpus, 8);
	if (!isnan(h->node.cpu_w) || !isnan(h->node.other_w))
		p->node_rest_w = or_nan(h->node.cpu_w, 0) + or_nan(h->node.other_w, 0);
	else if (!isnan(h->node.max_w))
		p->node_rest_w = num_max(0, h->node.max_w - p->node_gpus * p->tdp_w);
	else {
		p->node_rest_w = 0;
		p->warnings |= PW_NO_NODE;
	}
	p->node_kw = (p->node_gpus * p->gpu_w + p->node_rest_w) / 1e3;
	p->node_full_kw = (p->node_gpus * p->tdp_w + p->node_rest_w) / 1e3;
	p->nodes_per_rack = !isnan(a->nodes_per_rack) ? a->nodes_per_rack :
			    !isnan(h->rack.gpus) ? h->rack.gpus / p->node_gpus : 1;
	p->rack_kw = p->nodes_per_rack * p->node_kw;
	p->rack_full_kw = p->nodes_per_rack * p->node_full_kw;
}

static void power_cooling(const struct hw *h, struct power *p)
{
	double air = or_nan(h->rack.air_limit_w, 30e3) / 1e3;   /* docs/hardware.md s4.2: ~30 kW */

	p->air_limit_kw = air;
	p->rack_limit_kw = h->rack.power_w / 1e3;
	p->liquid = p->rack_full_kw > air || h->rack.cooling[0] == 'l';
	if (p->rack_full_kw > air && h->rack.cooling[0] == 'a')
		p->warnings |= PW_AIR_LIMIT;
	if (!isnan(h->rack.power_w) && p->rack_full_kw > p->rack_limit_kw * 1.0001)
		p->warnings |= PW_RACK_LIMIT;
}

static void power_cost(const struct hw *h, const struct power_args *a, double gpus,
		       const struct perf *f, struct power *p)
{
	double kwh = or_nan(a->usd_per_kwh, h->facility.usd_per_kwh);
	double years = or_nan(a->capex_years, h->cost.amortization_years);
	double per_gpu_kw = p->facility_kw / gpus;

	p->usd_per_gpu_hour = or_nan(a->gpu_hour_usd, h->cost.gpu_hour_usd);
	p->cost_basis = "gpu-hour";
	if (isnan(p->usd_per_gpu_hour) && !isnan(h->cost.capex_usd_per_gpu) && !isnan(years) && !isnan(kwh)) {
		p->usd_per_gpu_hour = h->cost.capex_usd_per_gpu / (years * 8760) + per_gpu_kw * kwh;
		p->cost_basis = "capex+energy";
	}
	if (isnan(p->usd_per_gpu_hour))
		p->warnings |= PW_NO_PRICE;
	p->usd_per_mtok_output = p->usd_per_gpu_hour / 3600 / f->decode_tps_gpu * 1e6;
	p->usd_per_mtok_input = p->usd_per_gpu_hour / 3600 / f->prefill_tps_gpu * 1e6;
	p->fleet_gpus = a->fleet_gpus > 0 ? a->fleet_gpus : gpus;
	p->usd_per_day = p->fleet_gpus * p->usd_per_gpu_hour * 24;
}

void power_compute(const struct hw *h, const struct perf *f, double gpus, double mb,
		   double isl_new, double osl, const struct power_args *a, struct power *p)
{
	double share;

	p->warnings = 0;   /* the one accumulator: every other field is set below */
	p->calibrated = h->power_calibrated;
	p->tdp_w = h->gpu.tdp_w;
	if (isnan(p->tdp_w)) {
		p->warnings |= PW_NO_TDP;
		p->tdp_w = 0;
	}
	p->idle_w = h->power_calibrated ? h->power_idle_w : or_nan(h->gpu.idle_w, p->tdp_w * IDLE_SHARE);
	if (!h->power_calibrated && isnan(h->gpu.idle_w))
		p->warnings |= PW_IDLE_ASSUMED;
	p->gpu_decode_w = power_gpu_w(h, p, &f->decode, mb, &p->util_decode);
	if (f->prefill.nops > 0) {
		p->gpu_prefill_w = power_gpu_w(h, p, &f->prefill, mb, &p->util_prefill);
		p->gpu_w = num_max(p->gpu_decode_w, p->gpu_prefill_w);
	} else {
		p->gpu_prefill_w = p->util_prefill = NAN;
		p->gpu_w = p->gpu_decode_w;
	}
	power_node(h, a, p);
	power_cooling(h, p);
	p->pue = or_nan(a->pue, or_nan(h->facility.pue, 1));
	share = p->node_rest_w / p->node_gpus;   /* each GPU's share of the rest of its node */
	p->it_kw = gpus * (p->gpu_w + share) / 1e3;
	p->facility_kw = p->it_kw * p->pue;
	p->j_per_token_decode = (p->gpu_decode_w + share) / f->decode_tps_gpu;
	p->j_per_token_prefill = (p->gpu_prefill_w + share) / f->prefill_tps_gpu;
	p->j_per_request = isl_new * p->j_per_token_prefill + osl * p->j_per_token_decode;
	power_cost(h, a, gpus, f, p);
}
