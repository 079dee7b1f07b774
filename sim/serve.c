/* serve.c - TTFT and TPOT under load; the model and its sources are in serve.h */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "serve.h"

/* Seconds per prefill token per attention group at full steps. */
static double serve_tau(const struct plan *p)
{
	return 1 / (p->perf.prefill_tps_gpu * p->dep.tp);
}

/* A step that carries C prefill tokens beside p's decode batch: the prefill
 * step of C tokens and the decode batch's attention, which shares no weights
 * with it. */
static double serve_mix_s(const struct plan *p)
{
	return p->dep.w.prefill_tokens * serve_tau(p) + p->perf.decode.t_class[OPC_ATTN_CORE];
}

/* The engine's host time per step of n sequences (serve.h); 0 without an engine. */
static double serve_host_s(const struct engine *g, double n)
{
	return g ? g->step_overhead_s + g->step_seq_s * n : 0;
}

double serve_dp_groups(const struct plan *p)
{
	return p->model->is_moe && p->dep.dp > 1 ? p->dep.dp : 1;
}

double serve_sync_groups(const struct plan *p, const struct engine *g)
{
	const struct workload *w = &p->dep.w;
	int balance = w->dp_balance >= 0 ? w->dp_balance : g && g->dp_balance;

	return balance ? 1 : serve_dp_groups(p);
}

double serve_lengths_max(double G, double B, double isl, double osl)
{
	double mu = isl + osl / 2, sigma = osl / sqrt(12);

	if (!(G >= 2) || !(B >= 1) || !(mu > 0))
		return 1;
	return 1 + gsl_cdf_ugaussian_Pinv((G - 0.375) / (G + 0.25)) * sigma / (mu * sqrt(B));
}

double serve_sync_share(double f, double G)
{
	return G > 1 && f > 0 && f < 1 ? (1 - pow(1 - f, G)) / f : 1;
}

/* The M/D/1 mean wait in service times at load rho (serve.h); infinite at 1. */
static double serve_md1(double rho)
{
	return rho < 1 ? rho / (2 * (1 - rho)) : INFINITY;
}

/* The closed loop's arrival rate per attention group: N requests, each one
 * per lifetime of osl decode steps of t_gen and its share `extra` of the
 * prompt steps (as rho counts it; the wait itself left out). */
static double serve_arrival_rate(double N, double t_gen, double osl, double extra)
{
	return N / (osl * t_gen + extra);
}

/*
 * What a steady-state arrival waits for before its prefill starts (serve.h):
 * the next poll of the scheduler, every R = w->recv_interval decode steps of
 * t_gen (half a cycle on average; R = 1: the step in flight), and the
 * prompts of the others received at the same poll before it, prefilled
 * with it in full steps (tau per token): lambda (R - 1) t_gen / 2 of them at
 * arrival rate lambda.  The M/D/1 term holds the arrivals of one step, so
 * R = 1 adds none.
 */
static double serve_poll_s(const struct workload *w, double R, double lambda, double t_gen, double tau)
{
	return R * t_gen / 2 + lambda * (R - 1) * t_gen / 2 * w->isl * tau;
}

/*
 * The decode steps between the releases of prompts under balanced attention
 * DP (serve.h): TensorRT-LLM's attention_dp_config.enable_balance holds a
 * group's prompts until every one of the G groups has one, or until I =
 * timeout_iters steps have passed since the last release (plan q's
 * --dp-balance-iters, else engine g's; PyExecutor._balance_adp_requests).
 * With arrivals at lambda per group, every group has one after H_G / lambda
 * on average (the largest of G exponentials; H_G the harmonic number), so
 * a release comes every min(I, H_G / (lambda t_gen)) steps.  0 where the
 * groups are not balanced, there is one group, or no timeout is set.
 */
static double serve_balance_steps(const struct plan *q, const struct engine *g, double lambda, double t_gen)
{
	double G = serve_dp_groups(q), I = q->dep.w.dp_balance_iters, H = 0, i;

	if (isnan(I))
		I = g ? g->dp_balance_iters : NAN;
	if (!(G > 1) || serve_sync_groups(q, g) != 1 || !(I >= 1) || !(lambda > 0) || !(t_gen > 0))
		return 0;
	for (i = 1; i <= G && i <= 1e6; i++)
		H += 1 / i;
	return fmin(I, H / (lambda * t_gen));
}

/*
 * What batch waiting adds to a steady-state arrival's first token (serve.h):
 * plan q's engine holds prompts back while N decode beside them, until
 * w->batch_wait_iters decode steps of t_gen have passed or the step's
 * tokens (1 + the draft tokens of each of the N decoding, and the new tokens
 * of each prompt held) reach batch_wait_ratio x the step budget: k prompts,
 * the first with them; arrivals at lambda,
 * evenly spaced.  The wait F = min(iters t_gen, (k - 1) / lambda) starts at
 * the first; 1 + lambda F prompts are held, the first waits F and the others
 * F / 2 on average, and each waits for all of them prefilled in one step
 * (tau per token).  *held gets the prompts held together (1: none).  None
 * with attention DP (TensorRT-LLM skips it), when one bound is 0 (it is
 * then met at once), alone (no decode beside), or when one prompt meets it.
 */
static double serve_batch_wait_s(const struct plan *q, double N, double lambda, double t_gen, double tau,
				 double *held)
{
	const struct workload *w = &q->dep.w;
	double fresh = w->isl * (1 - w->prefix_hit);   /* a prompt's tokens to compute */
	double k = ceil((w->batch_wait_ratio * w->prefill_tokens - N * (1 + w->mtp_depth)) / fresh), F;

	*held = 1;
	if (!(w->batch_wait_iters >= 1 && w->batch_wait_ratio > 0) || N <= 1 || serve_dp_groups(q) > 1 ||
	    !(k > 1) || !(lambda > 0))
		return 0;
	F = fmin(w->batch_wait_iters * t_gen, (k - 1) / lambda);
	*held = 1 + lambda * F;
	return F * (1 + lambda * F / 2) / *held + (*held - 1) * fresh * tau;
}

/* Mean first-token time of N requests arriving at once, FIFO in steps of C tokens. */
static double serve_burst(const struct plan *q, double N)
{
	double isl = q->dep.w.isl, C = q->dep.w.prefill_tokens, steps = 0, j;

	if (N * isl <= C)        /* one step holds them all */
		return fmax(q->perf.ttft_s, N * isl * serve_tau(q));
	if (N > 1e6)             /* the mean of ceil(j a) over j = 1..N, a = isl / C */
		return serve_mix_s(q) * (N * isl / C + 1) / 2;
	for (j = 1; j <= N; j++)
		steps += ceil(j * isl / C);
	return fmax(q->perf.ttft_s, serve_mix_s(q) * steps / N);
}

/* A request's own time before its first token under g (0: none): the
 * card's request_s, and request_per_op_s for each operator the prefill step
 * of plan q runs (its operators' counts: layers x kernels, communication
 * included), the host launching a step the engines run outside CUDA graphs
 * (engines/README.md). */
static double serve_request_s(const struct plan *q, const struct engine *g)
{
	double ops = 0;
	int i;

	if (!g)
		return 0;
	for (i = 0; i < q->perf.prefill.nops; i++)
		ops += q->perf.prefill.op[i].count;
	return g->request_overhead_s + g->request_op_s * ops;
}

/* Steps, TPOT and TTFT of the running batch q (plan at batch N) under g;
 * `open`: requests arrive one by one (no first burst). */
static void serve_steps(const struct plan *q, const struct engine *g, int open, struct serve_result *r)
{
	const struct workload *w = &q->dep.w;
	double N = w->batch, isl = w->isl, osl = w->osl, C = w->prefill_tokens, tau = serve_tau(q);
	double host = serve_host_s(g, N), burst = g && !open ? 1 / g->bench_waves : 0;
	double attn = q->perf.decode.t_class[OPC_ATTN_CORE];
	/* the step's attention is the group's with the most tokens cached (serve.h) */
	double longest = serve_lengths_max(serve_dp_groups(q), N, isl, osl);
	double t_gen = q->perf.tpot_s + (host + (longest - 1) * attn) / q->perf.tokens_per_step;
	int mixed = g && g->mixed;
	/* mixed: decode tokens take N of the step's C, and a step carrying c prompt
	 * tokens runs c + N tokens through the layers and the decode attention in
	 * place of a decode step; apart: a prefill step of c tokens, the decode
	 * batch waiting, then the decode step as usual */
	double budget = mixed ? fmax(1, C - N) : C, chunks = ceil(isl / budget);
	double step_own = mixed ? (fmin(isl, budget) + N) * tau + longest * attn + host - t_gen :
				  fmin(isl, budget) * tau + host;
	double step_full = mixed ? C * tau + longest * attn + host - t_gen : C * tau + host;
	double own = fmax(q->perf.ttft_s + chunks * host, chunks * fmax(step_own, 0));
	double batched = ceil(N * isl / budget) * fmax(step_full, 0);
	double extra = N > 1 ? fmin(N * own, batched) : 0;

	r->running = N;
	r->longest = longest;
	r->batch_held = r->release_steps = 1;
	/* the steps that carry prompts: each alone, or together in full steps */
	r->mixed_steps = N <= 1 ? 0 : fmin(osl, N * own <= batched ? N * chunks : ceil(N * isl / budget));
	r->rho = extra / (extra + osl * t_gen);
	/* attention groups in step, each carrying prompts in a share of the
	 * steps of its own: the steps wait for the prompts of all (serve.h) */
	r->sync_groups = serve_sync_groups(q, g);
	extra *= serve_sync_share(r->mixed_steps / osl, r->sync_groups);
	r->tpot_s = t_gen + extra / osl;
	if (N <= 1) {            /* alone: its own prefill, then decode */
		r->steady_ttft_s = r->burst_ttft_s = q->perf.ttft_s;
	} else {
		double lambda = serve_arrival_rate(N, t_gen, osl, extra);

		double R = fmax(w->recv_interval >= 1 ? w->recv_interval : 1,
				serve_balance_steps(q, g, lambda, t_gen));

		r->release_steps = R;
		r->poll_wait_s = serve_poll_s(w, R, lambda, t_gen, tau);
		r->batch_wait_s = serve_batch_wait_s(q, N, lambda, t_gen, tau, &r->batch_held);
		r->steady_ttft_s = own * (1 + serve_md1(r->rho)) + r->poll_wait_s + r->batch_wait_s;
		r->burst_ttft_s = serve_burst(q, N);
	}
	r->request_s = serve_request_s(q, g);
	r->ttft_s = (1 - burst) * r->steady_ttft_s + burst * r->burst_ttft_s + r->request_s;
}

int serve_agg(const struct plan *p, const struct engine *g, struct plan *scratch,
	      struct serve_result *r, struct err *e)
{
	double B = p->dep.w.batch, dp = p->dep.dp;
	double N = floor(p->mem.max_sequences_per_instance / dp);
	const struct plan *q = p;

	memset(r, 0, sizeof *r);
	if (N >= 1 && N < B) {   /* the cache holds N: the step at that batch */
		struct deployment d = p->dep;

		d.w.batch = fmax(N, d.w.micro_batches);
		if (plan_compute(p->model, p->hw, &d, p->params, scratch, e))
			return e->code;
		q = scratch;
	}
	serve_steps(q, g, 0, r);
	if (q != p) {            /* closed loop: B - N wait for slots turning over each lifetime */
		double life = r->ttft_s + (p->dep.w.osl - 1) * r->tpot_s;

		r->waiting = B - q->dep.w.batch;
		r->ttft_s += r->waiting / q->dep.w.batch * life;
	}
	return 0;
}

void serve_engine_apply(const struct engine *g, const struct hw *h, struct deployment *d)
{
	if (!g)
		return;
	d->w.prefill_tokens = engine_max_num_tokens(g, h);
	d->w.graph_saving = 1 - g->graph_latency_share;
	d->mem_of_free = g->mem_of_free;
	d->w.engine = g;
}

void serve_decode(const struct plan *p, const struct engine *g, struct serve_result *r)
{
	const struct workload *w = &p->dep.w;
	double attn = p->perf.decode.t_class[OPC_ATTN_CORE];

	memset(r, 0, sizeof *r);
	r->batch_held = r->release_steps = 1;
	r->running = w->batch;
	r->longest = serve_lengths_max(serve_dp_groups(p), w->batch, w->isl, w->osl);
	r->tpot_s = p->perf.tpot_s + (serve_host_s(g, w->batch) + (r->longest - 1) * attn) / p->perf.tokens_per_step;
}

/* A prefill server's step of k prompts of plan p: one prompt's prefill
 * alone at least, else their tokens at full-step speed. */
static double serve_prefill_step_s(const struct plan *p, double k)
{
	return fmax(p->perf.ttft_s, k * p->dep.w.isl * serve_tau(p));
}

void serve_disagg(const struct plan *p, const struct engine *g, double concurrency, double workers,
		  double tpot_s, struct serve_result *r)
{
	const struct workload *w = &p->dep.w;
	double osl = w->osl, b = fmax(w->batch, floor(w->prefill_tokens / w->isl));
	double S = serve_prefill_step_s(p, 1), Sb = serve_prefill_step_s(p, b);
	double servers = fmax(1, workers) * p->dep.dp, cap = servers * b / Sb, life = (osl - 1) * tpot_s;
	double gpus = p->dep.tp * p->dep.dp * p->dep.pp, burst = g ? 1 / g->bench_waves : 0;
	double kv = p->perf.links.out_bw > 0 ? w->isl * p->kv_bytes_per_token / (p->perf.links.out_bw * gpus) +
					       p->perf.links.out_latency_s : 0;
	double ttft = S + kv, lambda = 0, j, steps = 0;
	int it;

	memset(r, 0, sizeof *r);
	r->batch_held = r->release_steps = 1;
	for (it = 0; it < 50; it++) {   /* the lifetime sets the load, the load the wait */
		double r1;

		/* r1: a server's arrivals in one prompt's step S; below 1/2 the
		 * M/D/1 wait, above it the rest of the step in progress, half a
		 * step: below the capacity the r1 prompts it takes fill no more
		 * than S (serve.h); a NaN load gives no finite TTFT */
		lambda = concurrency / (ttft + life);
		r1 = lambda / servers * S;
		ttft = 0.5 * ttft + 0.5 * (S * (1 + (r1 >= 0.5 ? 0.5 : serve_md1(r1))) + kv);
	}
	lambda = concurrency / (ttft + life);
	if (lambda >= cap) {     /* the pool bounds the loop */
		lambda = cap;
		ttft = fmax(ttft, concurrency / cap - life);
	}
	r->rho = lambda / cap;
	r->steady_ttft_s = ttft;
	/* the first burst: request j waits for ceil(j / (servers b)) full batches */
	if (concurrency <= 1e6) {
		for (j = 1; j <= concurrency; j++)
			steps += ceil(j / (servers * b));
		r->burst_ttft_s = Sb * steps / fmax(1, concurrency) + kv;
	} else {
		r->burst_ttft_s = Sb * (concurrency / (servers * b) + 1) / 2 + kv;
	}
	r->request_s = serve_request_s(p, g);
	r->ttft_s = (1 - burst) * r->steady_ttft_s + burst * r->burst_ttft_s + r->request_s;
	r->running = concurrency;
	r->tpot_s = tpot_s;
}

/*
 * The open loop's fixed point at lambda requests/s per attention group: N in
 * flight is lambda x the lifetime the step at batch N gives (Little's law),
 * solved by damped iteration from one request.  Returns 0 with *r at the
 * fixed point, 1 when there is none within the KV cache (N outgrows it, or
 * the prefill load reaches 1), or the plan's error code.
 */
static int serve_open_at(const struct plan *p, const struct engine *g, double lambda, struct plan *scratch,
			 struct serve_result *r, struct err *e)
{
	struct deployment d = p->dep;
	double K = floor(p->mem.max_sequences_per_instance / p->dep.dp), N = 1, next;
	int it;

	for (it = 0; it < 200; it++) {
		d.w.batch = fmax(N, fmax(1, d.w.micro_batches));
		if (plan_compute(p->model, p->hw, &d, p->params, scratch, e))
			return e->code;
		memset(r, 0, sizeof *r);
		serve_steps(scratch, g, 1, r);
		if (!(r->rho < 1) || !isfinite(r->ttft_s))
			return 1;
		next = lambda * (r->ttft_s + (d.w.osl - 1) * r->tpot_s);
		if (K >= 1 && next > K)
			return 1;
		if (fabs(next - N) <= 1e-9 * fmax(N, 1))
			break;
		N = 0.5 * N + 0.5 * next;
	}
	r->running = lambda * (r->ttft_s + (d.w.osl - 1) * r->tpot_s);
	r->arrival_rate = lambda * p->dep.dp;
	return 0;
}

int serve_open(const struct plan *p, const struct engine *g, double rate, struct plan *scratch,
	       struct serve_result *r, struct err *e)
{
	double dp = p->dep.dp, lo = 0, hi = rate;
	struct serve_result t;
	int rc = serve_open_at(p, g, rate / dp, scratch, r, e), i;

	if (rc != 1)
		return rc;
	/* saturated: the largest rate with a fixed point, by bisection */
	for (i = 0; i < 60 && hi - lo > 1e-6 * hi; i++) {
		double mid = (lo + hi) / 2;
		int s = serve_open_at(p, g, mid / dp, scratch, &t, e);

		if (s > 1)
			return s;
		if (s == 0)
			lo = mid;
		else
			hi = mid;
	}
	memset(r, 0, sizeof *r);
	r->ttft_s = r->tpot_s = r->running = r->waiting = r->mixed_steps = r->rho = NAN;
	r->burst_ttft_s = r->steady_ttft_s = r->poll_wait_s = r->batch_wait_s = r->batch_held = r->release_steps = NAN;
	/* no steady state: no times */
	r->saturated = 1;
	r->arrival_rate = rate;
	r->max_rate = lo;
	return 0;
}
