/* series.c - see series.h */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "series.h"
#include "topo.h"

/* A plan on the heap (tens of KB: too big for a small stack). */
static struct plan *series_plan(struct err *e)
{
	struct plan *p = malloc(sizeof *p);

	if (!p)
		err_set(e, EXIT_ENV, "out of memory");
	return p;
}

/* ---- kv ----------------------------------------------------------------- */

void series_kv_init(struct series_kv *s)
{
	double ctx = SERIES_KV_FIRST;
	int i;

	memset(s, 0, sizeof *s);
	for (i = 0; i < SERIES_KV_POINTS; i++, ctx *= 2)
		s->context[i] = ctx;
}

int series_kv_add(struct series_kv *s, const struct model *m, const struct kvfmt *fmt, struct err *e)
{
	struct kv_account acc;
	int i;

	if (s->n == SERIES_KV_MODELS)
		return err_set(e, EXIT_USAGE, "a kv series holds at most %d models", SERIES_KV_MODELS);
	if (kv_account(m, fmt, 1, 0, &acc, e))
		return e->code;
	s->per_token[s->n] = acc.per_token;
	for (i = 0; i < SERIES_KV_POINTS; i++)
		s->seq_gb[i][s->n] = kv_seq_bytes(&acc, s->context[i], 1) / 1e9;
	s->n++;
	return 0;
}

/* ---- memory ------------------------------------------------------------- */

int series_memory(const struct model *m, const struct hw *h, const struct deployment *d, int n,
		  struct series_memory *out, struct err *e)
{
	struct plan *p;
	int i, k;

	if (n < 1 || n > SERIES_MAX_LIST)
		return err_set(e, EXIT_USAGE, "a memory series takes 1 to %d bars, got %d", SERIES_MAX_LIST, n);
	if (!(p = series_plan(e)))
		return e->code;
	out->n = n;
	for (i = 0; i < n; i++) {
		const struct memory *mem = &p->mem;
		struct series_memory_bar *b = &out->bar[i];
		if (plan_compute(m, h, &d[i], NULL, p, e)) {
			free(p);
			return e->code;
		}
		b->top_gb = 0;
		for (k = 0; k < COMP_N; k++) {
			b->comp_gb[k] = mem->comp_bytes_per_gpu[k] / 1e9;
			b->top_gb += b->comp_gb[k];
		}
		b->reserve_gb = mem->reserve_bytes / 1e9;
		b->kv_gb = mem->kv_bytes_per_gpu / 1e9;
		b->free_gb = mem->free_bytes_per_gpu / 1e9;
		b->usable_gb = mem->hbm_usable_bytes / 1e9;
		b->top_gb += b->reserve_gb;
		b->top_gb += b->kv_gb;
		b->top_gb += b->free_gb;
		b->seq_per_gpu = mem->max_sequences_per_gpu;
		b->fits = mem->fits;
	}
	free(p);
	return 0;
}

/* ---- throughput --------------------------------------------------------- */

/* The knee of one line (see series_throughput). */
static void series_tp_knee(struct series_tp_line *l)
{
	int i;

	l->knee = -1;
	l->knee_bound = 0;
	for (i = 1; i < SERIES_BATCHES; i++)
		if (l->bound[i - 1] == BOUND_HBM && l->bound[i] != BOUND_HBM) {
			l->knee = i;
			l->knee_bound = 1;
			return;
		}
	/* the first batch from which no doubling gains SERIES_KNEE_GAIN any more
	 * (a flat step early on, such as where micro-batching starts, is no knee) */
	for (i = SERIES_BATCHES - 1; i > 0 && l->tps_gpu[i] < l->tps_gpu[i - 1] * (1 + SERIES_KNEE_GAIN); i--)
		;
	if (i < SERIES_BATCHES - 1)
		l->knee = i;
}

int series_throughput(const struct model *m, const struct hw *h, int nh, const struct deployment *d,
		      struct series_throughput *out, struct err *e)
{
	struct plan *p;
	int i, j;

	if (nh < 1 || nh > SERIES_MAX_HW)
		return err_set(e, EXIT_USAGE, "a throughput series compares 1 to %d hardware cards, got %d",
			       SERIES_MAX_HW, nh);
	if (!(p = series_plan(e)))
		return e->code;
	out->nh = nh;
	for (i = 0; i < SERIES_BATCHES; i++)
		out->batch[i] = ldexp(1, i);
	for (j = 0; j < nh; j++) {
		struct series_tp_line *l = &out->line[j];
		for (i = 0; i < SERIES_BATCHES; i++) {
			struct deployment di = *d;
			di.w.batch = out->batch[i];
			di.w.micro_batches = fmin(d->w.micro_batches, di.w.batch);
			di.w.decode_only = 1;
			if (plan_compute(m, &h[j], &di, NULL, p, e)) {
				free(p);
				return e->code;
			}
			l->tps_gpu[i] = p->perf.decode_tps_gpu;
			l->tpot_ms[i] = p->perf.tpot_s * 1e3;
			l->tps_user[i] = p->perf.decode_tps_user;
			l->fits[i] = p->mem.fits && p->batch_fits;
			l->bound[i] = p->perf.decode.bound;
		}
		series_tp_knee(l);
	}
	free(p);
	return 0;
}

/* ---- tpot --------------------------------------------------------------- */

int series_tpot_defaults(const struct model *m, const struct hw *h, const struct deployment *d,
			 enum series_over over, double *x)
{
	double v, most = m->experts + d->redundant_experts;
	int n = 0;

	if (over == SERIES_OVER_NIC) {
		for (v = 100; v <= 6400 && n < SERIES_TPOT_MAX; v *= 2)
			x[n++] = v;
		return n;
	}
	if (isnan(h->scale_out.nic_bw) && h->scale_up.domain_gpus > 0)
		most = fmin(most, h->scale_up.domain_gpus);
	for (v = d->tp; v <= most && n < SERIES_TPOT_MAX; v *= 2)
		x[n++] = v;
	return n;
}

/* One point: decode at x into pt, with p and hv as scratch. */
static int series_tpot_point(const struct model *m, const struct hw *h, const struct deployment *d,
			     enum series_over over, double x, struct plan *p, struct hw *hv,
			     struct series_tpot_point *pt, struct err *e)
{
	struct deployment di = *d;
	const struct perf *f = &p->perf;
	int k;

	*hv = *h;
	if (over == SERIES_OVER_EP) {
		di.ep = x;
		di.dp = x / d->tp;
	} else {
		hv->scale_out.nic_bw = x * 1e9 / 8;
	}
	di.w.decode_only = 1;
	if (plan_compute(m, hv, &di, NULL, p, e))
		return e->code;
	pt->x = x;
	pt->tpot_ms = f->tpot_s * 1e3;
	pt->tps_user = f->decode_tps_user;
	pt->compute_ms = pt->comm_ms = 0;
	for (k = 0; k < OPC_CLASSES; k++) {
		double ms = f->decode.t_class[k] / f->tokens_per_step * 1e3;
		if (perf_class_is_comm((enum opclass)k))
			pt->comm_ms += ms;
		else
			pt->compute_ms += ms;
	}
	for (k = 0; k < BOUND_KINDS; k++)
		pt->bound_ms[k] = f->decode.t_bound[k] / f->tokens_per_step * 1e3;
	pt->bound = f->decode.bound;
	pt->comm_bound = perf_bound_is_comm(pt->bound);
	pt->fits = p->mem.fits && p->batch_fits;
	return 0;
}

int series_tpot(const struct model *m, const struct hw *h, const struct deployment *d,
		enum series_over over, const double *xin, int n, struct series_tpot *out, struct err *e)
{
	double x[SERIES_TPOT_MAX];
	struct plan *p;
	struct hw *hv;
	int i, rc = 0;

	if (xin) {
		if (n < 1 || n > SERIES_TPOT_MAX)
			return err_set(e, EXIT_USAGE, "a tpot series takes 1 to %d points, got %d", SERIES_TPOT_MAX, n);
		memcpy(x, xin, (size_t)n * sizeof *x);
	} else {
		n = series_tpot_defaults(m, h, d, over, x);
	}
	if (n < 1)
		return err_set(e, EXIT_USAGE, "no EP size from '--tp %g' up to the %g experts", d->tp, m->experts);
	p = series_plan(e);
	hv = malloc(sizeof *hv);
	if (!p || !hv) {
		free(p);
		free(hv);
		return err_set(e, EXIT_ENV, "out of memory");
	}
	memset(out, 0, sizeof *out);
	out->n = n;
	for (i = 0; i < n && !rc; i++) {
		rc = series_tpot_point(m, h, d, over, x[i], p, hv, &out->pt[i], e);
		out->any_comm |= out->pt[i].comm_ms > 0;
		out->any_nofit |= !out->pt[i].fits;
	}
	free(p);
	free(hv);
	return rc;
}

/* ---- roofline ----------------------------------------------------------- */

/* The compute operators of a phase into op[], one per distinct point;
 * returns how many, and marks their classes in *classes. */
static int series_roof_ops(const struct phase *ph, struct series_roof_op *op, unsigned *classes)
{
	int i, j, n = 0;

	for (i = 0; i < ph->nops; i++) {
		const struct op *o = &ph->op[i];
		double x, y;
		int dup = 0;
		if (perf_class_is_comm(o->cls) || !(o->flops > 0) || !(o->bytes > 0) || !(o->t > 0))
			continue;
		x = o->flops / o->bytes;
		y = o->flops / o->t / 1e12;
		for (j = 0; j < i && !dup; j++) {
			const struct op *q = &ph->op[j];
			dup = !perf_class_is_comm(q->cls) && q->flops > 0 && q->bytes > 0 && q->t > 0 &&
			      strcmp(q->name, o->name) == 0 &&
			      fabs(q->flops / q->bytes / x - 1) < 1e-3 && fabs(q->flops / q->t / 1e12 / y - 1) < 1e-3;
		}
		if (dup)
			continue;
		snprintf(op[n].name, sizeof op[n].name, "%s", o->name);
		op[n].intensity = x;
		op[n].tflops = y;
		op[n].time_s = o->t;
		op[n].dtype = o->dtype;
		op[n].bound = o->bound;
		op[n].cls = o->cls;
		*classes |= 1u << o->cls;
		n++;
	}
	return n;
}

int series_roofline(const struct model *m, const struct hw *h, const struct deployment *d,
		    struct series_roofline *out, struct err *e)
{
	const double peak[3] = {h->gpu.flops_bf16, h->gpu.flops_fp8, h->gpu.flops_fp4};
	struct plan *p;
	int k;

	if (!(h->gpu.hbm_bw > 0))
		return err_set(e, EXIT_INPUT, "%s: the roofline needs 'gpu.hbm_gbs'", h->path);
	if (!(p = series_plan(e)))
		return e->code;
	if (plan_compute(m, h, d, NULL, p, e)) {
		free(p);
		return e->code;
	}
	out->hbm_bw = h->gpu.hbm_bw;
	out->nroofs = 0;
	for (k = 0; k < 3; k++)
		if (peak[k] > 0) {
			out->roof[out->nroofs] = (enum dtype)k;
			out->peak[out->nroofs++] = peak[k];
		}
	out->classes = 0;
	out->nops[0] = series_roof_ops(&p->perf.decode, out->op[0], &out->classes);
	out->nops[1] = series_roof_ops(&p->perf.prefill, out->op[1], &out->classes);
	free(p);
	return 0;
}

/* ---- power -------------------------------------------------------------- */

static double or1(double v)
{
	return isfinite(v) && v > 0 ? v : 1;
}

/*
 * Watts of scale-out switches per GPU: the smallest fat tree of the card's
 * switches for the fleet (or the instance, or a rack, the largest), spread
 * over its GPUs.  0 within one node; NAN when the card gives no switch power.
 */
static double series_switch_w_per_gpu(const struct hw *h, const struct plan *p, double *gpus_out)
{
	struct topo_prices pr = {NAN, NAN, NAN, h->scale_out.switch_w};
	double g = fmax(fmax(p->dep.pw.fleet_gpus, p->mem.gpus), p->power.nodes_per_rack * p->power.node_gpus);
	double ports = g * or1(h->scale_out.nics_per_gpu) * or1(h->scale_out.planes_per_nic);
	double planes = isfinite(h->scale_out.planes) ? h->scale_out.planes : or1(h->scale_out.planes_per_nic);
	struct topo t;
	struct err ignore;

	*gpus_out = g;
	if (!isfinite(h->scale_out.switch_w) || !isfinite(h->scale_out.switch_radix))
		return NAN;
	if (g <= p->power.node_gpus)
		return 0;
	if (topo_smallest(ports, h->scale_out.switch_radix, planes, 1, &pr, &t, &ignore))
		return NAN;
	return t.switch_w / g;
}

int series_power(const struct model *m, const struct hw *h, const struct deployment *d, int per_node,
		 struct series_power *out, struct err *e)
{
	const struct power *w;
	double gpu_w[3], sw;
	struct plan *p;
	int i;

	if (!(p = series_plan(e)))
		return e->code;
	if (plan_compute(m, h, d, NULL, p, e)) {
		free(p);
		return e->code;
	}
	w = &p->power;
	out->w = *w;
	out->scale = per_node ? 1 : w->nodes_per_rack;
	out->switch_w_per_gpu = sw = series_switch_w_per_gpu(h, p, &out->fabric_gpus);
	gpu_w[0] = w->gpu_decode_w;
	gpu_w[1] = w->gpu_prefill_w;
	gpu_w[2] = w->tdp_w;
	for (i = 0; i < 3; i++) {
		double *v = out->kw[i];
		v[SERIES_PW_GPUS] = out->scale * w->node_gpus * gpu_w[i] / 1e3;
		v[SERIES_PW_NODE_REST] = out->scale * w->node_rest_w / 1e3;
		v[SERIES_PW_SWITCHES] = out->scale * w->node_gpus * sw / 1e3;
		v[SERIES_PW_FACILITY] = (w->pue - 1) * (v[0] + v[1] + (isfinite(v[2]) ? v[2] : 0));
		v[SERIES_PW_TOTAL] = v[0] + v[1] + (isfinite(v[2]) ? v[2] : 0) + v[3];
	}
	free(p);
	return 0;
}

/* ---- topology ----------------------------------------------------------- */

int series_topology(const struct hw *h, const double *gin, int n, double planes, double radix,
		    struct series_topology *out, struct err *e)
{
	static const enum topo_kind kind[3] = {TOPO_FT2, TOPO_MPFT, TOPO_FT3};
	struct topo_prices pr = {h->scale_out.switch_usd, h->scale_out.link_usd,
				 h->scale_out.endpoint_link_usd, h->scale_out.switch_w};
	double ports = or1(h->scale_out.nics_per_gpu) * or1(h->scale_out.planes_per_nic);
	int i, k;

	if (isnan(radix))
		radix = h->scale_out.switch_radix;
	if (!isfinite(radix))
		return err_set(e, EXIT_INPUT, "%s gives no 'scale_out.switch_radix'", h->path);
	if (isnan(planes))
		planes = isfinite(h->scale_out.planes) && h->scale_out.planes > 1 ? h->scale_out.planes : 8;
	memset(out, 0, sizeof *out);
	out->ports = ports;
	out->planes = planes;
	out->radix = radix;
	if (gin) {
		if (n < 1 || n > SERIES_MAX_LIST)
			return err_set(e, EXIT_USAGE, "a topology series takes 1 to %d counts, got %d", SERIES_MAX_LIST, n);
		memcpy(out->gpus, gin, (size_t)n * sizeof *gin);
	} else {
		/* 128 to 65536 GPUs, as far as some tree of this radix serves */
		struct topo best;
		struct err ignore;
		for (n = 0, i = 0; i < 10; i++)
			if (topo_smallest(ldexp(128, i) * ports, radix, planes, 1, &pr, &best, &ignore) == 0)
				out->gpus[n++] = ldexp(128, i);
		if (n == 0)
			return topo_smallest(128 * ports, radix, planes, 1, &pr, &best, e);
	}
	out->n = n;
	for (i = 0; i < n; i++) {
		struct topo best;
		/* a count no tree serves gets the answer and exit code 'mlasim net
		 * --gpus' gives it (EXIT_NO) */
		if (topo_smallest(out->gpus[i] * ports, radix, planes, 1, &pr, &best, e))
			return e->code;
		for (k = 0; k < 3; k++) {
			struct topo t;
			struct err ignore;
			out->switches[i][k] = out->cost_usd[i][k] = NAN;
			if (topo_size(kind[k], out->gpus[i] * ports, radix, kind[k] == TOPO_MPFT ? planes : 1, 1, &pr,
				      &t, &ignore)) {
				if (ignore.code != EXIT_NO)
					return err_set(e, ignore.code, "%s", ignore.msg);
				continue;
			}
			out->switches[i][k] = t.switches;
			out->cost_usd[i][k] = t.cost_per_endpoint_usd;
			out->max_endpoints[k] = t.max_endpoints;
			out->have_cost |= isfinite(out->cost_usd[i][k]);
		}
	}
	return 0;
}
