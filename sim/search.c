/* search.c - the capacity planner; the method is in search.h */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include "search.h"

/* Largest instance the search builds (GPUs): a few NVL72 racks or 64 HGX nodes. */
#define SEARCH_MAX_INSTANCE 512

struct family {
	const struct model *m;
	const struct params *pc;
	const struct hw *h;
	int hw;
	struct deployment d;
	const struct slo *slo;
	struct search_result *r;
	struct plan p;           /* scratch */
	double prefill_share_num; /* prefill GPU-seconds per request (aggregated mode) */
	int aggregated;
	struct err e;
};

const char *search_reject_name(enum reject why)
{
	static const char *const names[REJ_KINDS] = {
		"", "does not fit", "misses TPOT", "misses TTFT", "exceeds rack power", "has no price",
	};
	return names[why];
}

const char *search_reject_plural(enum reject why)
{
	static const char *const names[REJ_KINDS] = {
		"", "do not fit", "miss TPOT", "miss TTFT", "exceed rack power", "have no price (--gpu-hour-usd)",
	};
	return names[why];
}

static void search_reject(struct family *f, enum reject why, double value)
{
	struct search_result *r = f->r;
	struct rejected *x;

	r->rejected_by[why]++;
	if (r->nrej == SEARCH_MAX_REJECTED)
		return;
	x = &r->rej[r->nrej++];
	x->hw = f->hw;
	x->tp = f->d.tp;
	x->dp = f->d.dp;
	x->ep = f->d.ep;
	x->pp = f->d.pp;
	x->mb = f->d.w.micro_batches;
	x->mtp = f->d.mtp;
	snprintf(x->weights, sizeof x->weights, "%s", f->d.weights.name);
	snprintf(x->kv, sizeof x->kv, "%s", f->d.kv.name);
	x->why = why;
	x->value = value;
}

/* Decode TPOT at batch b, as the aggregated or disaggregated pool sees it. */
static double search_tpot(struct family *f, double b)
{
	double tpot, decode_s;

	f->d.w.batch = b;
	f->r->evaluations++;
	if (plan_compute(f->m, f->h, &f->d, f->pc, &f->p, &f->e))
		return INFINITY;
	tpot = f->p.perf.tpot_s;
	if (!f->aggregated)
		return tpot;
	/* decode stalls while the same GPUs prefill: share of GPU time in prefill */
	decode_s = f->d.w.osl / f->p.perf.decode_tps_gpu;
	return tpot / (1 - f->prefill_share_num / (f->prefill_share_num + decode_s));
}

static double search_root_fn(double b, void *arg)
{
	struct family *f = arg;

	return search_tpot(f, b) - f->slo->tpot_s;
}

/* Largest batch in [lo, hi] whose TPOT meets the target (TPOT(lo) meets it). */
static double search_batch(struct family *f, double lo, double hi)
{
	gsl_function fn = {search_root_fn, f};
	gsl_root_fsolver *s;
	double root = lo, b;
	int i;

	if (lo >= hi || isnan(f->slo->tpot_s) || search_tpot(f, hi) <= f->slo->tpot_s)
		return hi;
	s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
	if (!s)
		return lo;
	gsl_root_fsolver_set(s, &fn, lo, hi);
	for (i = 0; i < 50; i++) {
		gsl_root_fsolver_iterate(s);
		root = gsl_root_fsolver_root(s);
		if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
					   0.5, 0) == GSL_SUCCESS)
			break;
	}
	gsl_root_fsolver_free(s);
	/* whole sequences: step down until the target holds */
	for (b = floor(root); b > lo && search_tpot(f, b) > f->slo->tpot_s; b--)
		;
	return fmax(b, lo);
}

static double search_objective(const struct search_space *sp, const struct candidate *c)
{
	switch (sp->objective) {
	case OBJ_GPUS: return c->gpus;
	case OBJ_POWER: return c->facility_kw;
	default: return c->usd_per_day;
	}
}

static int search_same_layout(const struct candidate *a, const struct candidate *b)
{
	return a->hw == b->hw && a->d.tp == b->d.tp && a->d.dp == b->d.dp && a->d.ep == b->d.ep &&
	       a->d.pp == b->d.pp && a->disaggregated == b->disaggregated;
}

/* a better than b: the objective, then fewer GPUs, then lower TPOT. */
static int search_better(const struct candidate *a, const struct candidate *b)
{
	if (a->objective != b->objective)
		return a->objective < b->objective;
	if (a->gpus != b->gpus)
		return a->gpus < b->gpus;
	return a->tpot_s < b->tpot_s;
}

static void search_keep(struct search_result *r, const struct candidate *c)
{
	if (!r->found || search_better(c, &r->best)) {
		if (r->found && !search_same_layout(&r->best, c)) {
			r->runner_up = r->best;
			r->have_runner_up = 1;
		}
		r->best = *c;
		r->found = 1;
	} else if (!search_same_layout(&r->best, c) &&
		   (!r->have_runner_up || search_better(c, &r->runner_up))) {
		r->runner_up = *c;
		r->have_runner_up = 1;
	}
}

/* Pools for the solved batch: GPUs, cost, power; then keep it if it is better. */
static void search_price(struct family *f, const struct search_space *sp, double prefill_tps,
			 double ttft)
{
	const struct slo *slo = f->slo;
	struct candidate c;
	double inst = f->p.mem.gpus;
	double pre = slo->rate * f->prefill_share_num, dec = slo->rate * f->d.w.osl / f->p.perf.decode_tps_gpu;

	memset(&c, 0, sizeof c);
	c.hw = f->hw;
	c.d = f->d;
	c.disaggregated = !f->aggregated;
	c.instance_gpus = inst;
	if (f->aggregated) {
		c.gpus = ceil((pre + dec) / inst) * inst;
		c.prefill_gpus = c.decode_gpus = NAN;
	} else {
		c.prefill_gpus = ceil(pre / inst) * inst;
		c.decode_gpus = ceil(dec / inst) * inst;
		c.gpus = c.prefill_gpus + c.decode_gpus;
	}
	c.tpot_s = search_tpot(f, f->d.w.batch);
	c.ttft_s = ttft;
	c.tps_user = 1 / c.tpot_s;
	c.decode_tps_gpu = f->p.perf.decode_tps_gpu;
	c.prefill_tps_gpu = prefill_tps;
	c.usd_per_day = c.gpus * f->p.power.usd_per_gpu_hour * 24;
	c.cost_basis = f->p.power.cost_basis;
	c.facility_kw = c.gpus * f->p.power.facility_kw / inst;
	c.max_sequences = f->p.mem.max_sequences_per_instance;
	c.objective = search_objective(sp, &c);
	if (isnan(c.objective)) {
		f->r->unpriced[f->hw]++;
		search_reject(f, REJ_PRICE, NAN);
		return;
	}
	search_keep(f->r, &c);
}

/*
 * Prefill of a length distribution: GPU-seconds per request averaged over the
 * classes, each at its own prompt length; TTFT of the longest prompt.  Leaves
 * the plan as it was for the mean workload.  Returns -1 when a class cannot
 * be evaluated.
 */
static int search_classes(struct family *f, double *ttft, double *prefill_tps)
{
	const struct slo *slo = f->slo;
	double isl = f->d.w.isl, osl = f->d.w.osl, gpu_s = 0, tokens = 0, worst = 0;
	int i;

	for (i = 0; i < slo->nclasses; i++) {
		f->d.w.isl = slo->classes[i].isl;
		f->d.w.osl = slo->classes[i].osl;
		f->r->evaluations++;
		if (plan_compute(f->m, f->h, &f->d, f->pc, &f->p, &f->e))
			return -1;
		gpu_s += slo->classes[i].weight * f->p.perf.prefill_new_tokens / f->p.perf.prefill_tps_gpu;
		tokens += slo->classes[i].weight * f->p.perf.prefill_new_tokens;
		worst = fmax(worst, f->p.perf.ttft_s);
	}
	f->d.w.isl = isl;
	f->d.w.osl = osl;
	f->r->evaluations++;
	if (plan_compute(f->m, f->h, &f->d, f->pc, &f->p, &f->e))
		return -1;
	f->prefill_share_num = gpu_s;
	*prefill_tps = tokens / gpu_s;
	*ttft = worst;
	return 0;
}

/* One family: memory, bounds, TTFT, the batch, the pools. */
static void search_family(struct family *f, const struct search_space *sp)
{
	const struct slo *slo = f->slo;
	double bmax, lo, t1, prefill_tps, ttft, step1, lower, best;
	int mode;

	/* unloaded: the fewest sequences the micro-batches take, or the pinned batch */
	f->d.w.batch = isnan(sp->pin_batch) ? f->d.w.micro_batches : sp->pin_batch;
	f->d.w.decode_only = 0;
	f->r->evaluations++;
	if (plan_compute(f->m, f->h, &f->d, f->pc, &f->p, &f->e)) {
		if (!f->r->layout.code)               /* cannot be laid out: not a family */
			f->r->layout = f->e;
		return;
	}
	f->r->families++;
	if (!f->p.mem.fits) {
		search_reject(f, REJ_NOFIT, f->p.mem.weights_bytes_per_gpu);
		return;
	}
	if (f->p.power.warnings & PW_RACK_LIMIT) {
		search_reject(f, REJ_RACK, f->p.power.rack_full_kw);
		return;
	}
	ttft = f->p.perf.ttft_s;
	prefill_tps = f->p.perf.prefill_tps_gpu;
	f->prefill_share_num = f->p.perf.prefill_new_tokens / prefill_tps;
	if (slo->nclasses > 0 && search_classes(f, &ttft, &prefill_tps))
		return;
	if (!isnan(slo->ttft_s) && ttft > slo->ttft_s) {
		search_reject(f, REJ_TTFT, ttft);
		return;
	}
	t1 = f->p.perf.tpot_s;
	if (!isnan(slo->tpot_s) && t1 > slo->tpot_s) {
		search_reject(f, REJ_TPOT, t1);
		return;
	}
	bmax = floor(f->p.mem.max_sequences_per_instance / f->d.dp / f->d.pp);
	lo = f->d.w.micro_batches;
	if (!isnan(sp->pin_batch)) {
		/* a pinned batch is the batch: it fits or the family does not */
		lo = sp->pin_batch;
		bmax = bmax >= lo ? lo : 0;
	}
	if (bmax < lo) {
		search_reject(f, REJ_NOFIT, f->p.mem.weights_bytes_per_gpu);
		return;
	}
	/* bound: tokens/s per GPU at any batch <= bmax x tokens per step / (step at batch 1 x tp) */
	step1 = f->p.perf.decode.t_step;
	f->d.w.decode_only = 1;
	for (mode = 0; mode < 2; mode++) {
		if ((sp->disaggregation == 0 && mode == 1) || (sp->disaggregation == 1 && mode == 0))
			continue;
		f->aggregated = mode == 0;
		lower = slo->rate * ((f->aggregated ? f->prefill_share_num : 0) +
				     f->d.w.osl * step1 * f->d.tp / (bmax * f->p.perf.tokens_per_step));
		/* the objective this family could reach at best; skip it when even that
		 * cannot beat the runner-up (so best and runner-up stay exact) */
		best = f->r->have_runner_up ? f->r->runner_up.objective : INFINITY;
		lower *= sp->objective == OBJ_GPUS ? 1 :
			 sp->objective == OBJ_POWER ? f->p.power.facility_kw / f->p.mem.gpus :
			 f->p.power.usd_per_gpu_hour * 24;
		if (lower >= best) {
			f->r->pruned++;
			continue;
		}
		f->d.w.batch = search_batch(f, lo, bmax);
		if (search_tpot(f, f->d.w.batch) > (isnan(slo->tpot_s) ? INFINITY : slo->tpot_s)) {
			search_reject(f, REJ_TPOT, search_tpot(f, f->d.w.batch));
			continue;
		}
		search_price(f, sp, prefill_tps, ttft);
	}
}

static const char *const default_kvs[] = {"bf16", "fp8", NULL};

void search_default_space(struct search_space *sp)
{
	memset(sp, 0, sizeof *sp);
	sp->disaggregation = -1;
	sp->pin_tp = sp->pin_dp = sp->pin_ep = sp->pin_pp = NAN;
	sp->pin_mb = sp->pin_mtp = sp->pin_batch = NAN;
}

#define SEARCH_MAX_VALUES 16

/* The values one parallelism dimension takes: the pin alone, or the powers of
 * two from 1 to hi (at most SEARCH_MAX_VALUES).  Returns how many. */
static int search_values(double pin, double hi, double *v)
{
	double x;
	int n = 0;

	if (!isnan(pin)) {
		v[0] = pin;
		return 1;
	}
	for (x = 1; x <= hi && n < SEARCH_MAX_VALUES; x *= 2)
		v[n++] = x;
	return n;
}

/* Expert parallelism to try for a tp x dp stage: none, or over every GPU. */
static int search_eps(const struct model *m, const struct search_space *sp, double tp, double dp,
		      double *v)
{
	if (!isnan(sp->pin_ep)) {
		v[0] = sp->pin_ep;
		return 1;
	}
	v[0] = 1;
	v[1] = tp * dp;
	return m->is_moe && tp * dp > 1 ? 2 : 1;
}

static int search_pinned(const struct search_space *sp)
{
	return !isnan(sp->pin_tp) || !isnan(sp->pin_dp) || !isnan(sp->pin_ep) || !isnan(sp->pin_pp) ||
	       !isnan(sp->pin_mb) || !isnan(sp->pin_mtp) || !isnan(sp->pin_batch);
}

/* Build and evaluate every family of card hw for the values in the lists. */
static int search_card(struct family *f, const struct search_space *sp, int hw, struct err *e)
{
	const struct model *m = f->m;
	const struct hw *h = &sp->hws[hw];
	const char *model_w[2] = {f->d.weights.name, NULL};
	const char *const *kvs = sp->kvs ? sp->kvs : default_kvs;
	const char *const *ws = sp->weights ? sp->weights : model_w;
	struct deployment base = f->d;
	double domain = isnan(h->scale_up.domain_gpus) ? 1 : h->scale_up.domain_gpus;
	double tps[SEARCH_MAX_VALUES], pps[SEARCH_MAX_VALUES], dps[SEARCH_MAX_VALUES], eps[2];
	double mbs[2] = {1, 2}, mtps[2] = {0, 1};
	int nt, np, nd, ne, nm, nx, it, ip, id, ie, im, ix, wi, ki;

	nt = search_values(sp->pin_tp, fmin(domain, m->heads), tps);
	np = search_values(sp->pin_pp, 4, pps);
	for (it = 0; it < nt; it++) {
		if (isnan(sp->pin_tp) && fmod(m->heads, tps[it]) != 0)
			continue;
		for (ip = 0; ip < np; ip++) {
			/* a dense model has no experts to share: dp is replicas, searched as 1 */
			nd = search_values(sp->pin_dp, m->is_moe ? SEARCH_MAX_INSTANCE / (tps[it] * pps[ip]) : 1,
					   dps);
			for (id = 0; id < nd; id++) {
				ne = search_eps(m, sp, tps[it], dps[id], eps);
				for (ie = 0; ie < ne; ie++) {
					if (!isnan(sp->pin_mb))
						nm = 1, mbs[0] = sp->pin_mb;
					else
						nm = eps[ie] > 1 ? 2 : 1;
					if (!isnan(sp->pin_mtp))
						nx = 1, mtps[0] = sp->pin_mtp;
					else
						nx = m->mtp_layers > 0 ? 2 : 1;
					for (im = 0; im < nm; im++)
					for (ix = 0; ix < nx; ix++)
					for (wi = 0; ws[wi]; wi++)
					for (ki = 0; kvs[ki]; ki++) {
						f->h = h;
						f->hw = hw;
						f->d = base;
						f->d.tp = tps[it];
						f->d.dp = dps[id];
						f->d.pp = pps[ip];
						f->d.ep = eps[ie];
						f->d.w.micro_batches = mbs[im];
						f->d.mtp = f->d.w.mtp_depth = mtps[ix];
						if (precision_parse_weights(ws[wi], "--weights", &f->d.weights, e) ||
						    precision_parse_kv(kvs[ki], "--kv-dtype", &f->d.kv, e))
							return e->code;
						search_family(f, sp);
					}
				}
			}
		}
	}
	return 0;
}

int search_run(const struct model *m, const struct params *pc, const struct deployment *base,
	       const struct slo *slo, const struct search_space *sp, struct search_result *r,
	       struct err *e)
{
	struct family *f;
	int hw, rc = 0;

	if (!(slo->rate > 0))
		return err_set(e, EXIT_USAGE, "the planner needs a request rate: '--rate' or '--tokens-per-day'");
	if (sp->nhws > SEARCH_MAX_CARDS)
		return err_set(e, EXIT_USAGE, "the planner takes at most %d hardware cards", SEARCH_MAX_CARDS);
	if (!(f = malloc(sizeof *f)))
		return err_set(e, EXIT_ENV, "out of memory planning");
	memset(r, 0, sizeof *r);
	gsl_set_error_handler_off();
	for (hw = 0; hw < sp->nhws && !rc; hw++) {
		memset(f, 0, sizeof *f);
		f->m = m;
		f->pc = pc;
		f->slo = slo;
		f->r = r;
		f->d = *base;
		rc = search_card(f, sp, hw, e) ? e->code : 0;
	}
	free(f);
	if (rc)
		return rc;
	if (r->families == 0 && r->layout.code)
		return err_set(e, search_pinned(sp) ? EXIT_USAGE : r->layout.code, "%s%s", r->layout.msg,
			       search_pinned(sp) ? ", so no deployment has the pinned values" : "");
	return 0;
}
