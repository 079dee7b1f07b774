/* plan_search.c - see plan_search.h */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "plan_json.h"
#include "plan_search.h"
#include "report.h"

static const char *const objective_names[] = {"cost ($/day)", "GPUs", "facility power"};

static void plan_search_candidate(struct sbuf *b, const char *title, const struct candidate *c,
				  const struct hw *hws)
{
	const struct deployment *d = &c->d;

	sbuf_printf(b, "%s: %s, %s\n", title, hws[c->hw].name, c->disaggregated ? "disaggregated prefill and decode" : "aggregated");
	sbuf_printf(b, "  layout         tp %g x dp %g x pp %g = %g GPUs per instance, ep %g, %g micro-batch(es)%s\n",
		    d->tp, d->dp, d->pp, c->instance_gpus, d->ep, d->w.micro_batches, d->mtp > 0 ? ", MTP 1" : "");
	sbuf_printf(b, "  precision      %s weights, %s KV cache\n", d->weights.name, d->kv.name);
	sbuf_printf(b, "  batch          %g sequences per attention group (%.0f fit per instance at %g tokens)\n",
		    d->w.batch, c->max_sequences, d->context);
	if (c->disaggregated)
		sbuf_printf(b, "  GPUs           %g = %g prefill + %g decode\n", c->gpus, c->prefill_gpus, c->decode_gpus);
	else
		sbuf_printf(b, "  GPUs           %g\n", c->gpus);
	sbuf_printf(b, "  latency        TPOT %.2f ms (%.1f tokens/s per user), TTFT %.3f s\n", c->tpot_s * 1e3,
		    c->tps_user, c->ttft_s);
	sbuf_printf(b, "  throughput     %.0f decode and %.0f prefill tokens/s per GPU\n", c->decode_tps_gpu,
		    c->prefill_tps_gpu);
	/* capex + energy leaves out what a rental price carries: say so where it
	 * is compared with GPU-hour prices */
	sbuf_printf(b, "  cost           $%.0f per day%s; facility %.1f kW\n", c->usd_per_day,
		    c->cost_basis && !strcmp(c->cost_basis, "capex+energy") ?
		    " (capex + energy: no data-centre costs or margin)" : "", c->facility_kw);
}

/* Launch settings for the serving engine (flag names of vLLM and SGLang). */
static void plan_search_launch(struct sbuf *b, const char *engine, const struct model *m,
			       const struct candidate *c)
{
	const struct deployment *d = &c->d;
	int fp8kv = d->kv.bits == 8;
	const char *roles[2] = {"prefill", "decode"};
	int i, n = c->disaggregated ? 2 : 1;

	sbuf_printf(b, "\nlaunch (%s, one instance of %g GPUs; model path: your copy of %s):\n", engine,
		    c->instance_gpus, m->display);
	for (i = 0; i < n; i++) {
		if (!strcmp(engine, "vllm")) {
			sbuf_printf(b, "  vllm serve MODEL --tensor-parallel-size %g --pipeline-parallel-size %g", d->tp, d->pp);
			if (d->dp > 1)
				sbuf_printf(b, " --data-parallel-size %g", d->dp);
			if (d->ep > 1)
				sbuf_printf(b, " --enable-expert-parallel");
			sbuf_printf(b, " --max-num-seqs %g --max-model-len %g --gpu-memory-utilization %g",
				    d->w.batch * d->dp, d->context, d->mem_fraction);
			if (fp8kv)
				sbuf_printf(b, " --kv-cache-dtype fp8");
			if (d->mtp > 0)
				sbuf_printf(b, " --speculative-config '{\"method\": \"deepseek_mtp\", \"num_speculative_tokens\": %g}'", d->mtp);
		} else {
			sbuf_printf(b, "  python -m sglang.launch_server --model-path MODEL --tp %g", d->tp * d->dp);
			if (d->dp > 1)
				sbuf_printf(b, " --dp %g --enable-dp-attention", d->dp);
			if (d->ep > 1)
				sbuf_printf(b, " --ep-size %g", d->ep);
			if (d->pp > 1)
				sbuf_printf(b, " --pp-size %g", d->pp);
			sbuf_printf(b, " --max-running-requests %g --context-length %g --mem-fraction-static %g",
				    d->w.batch * d->dp, d->context, d->mem_fraction);
			if (fp8kv)
				sbuf_printf(b, " --kv-cache-dtype fp8_e4m3");
			if (c->disaggregated)
				sbuf_printf(b, " --disaggregation-mode %s", roles[i]);
		}
		sbuf_printf(b, "%s\n", c->disaggregated && !strcmp(engine, "vllm") ? (i ? "   # decode pool" : "   # prefill pool") : "");
	}
	sbuf_printf(b, "  (%s: %g instance(s)%s)\n", c->disaggregated ? "pools" : "replicas",
		    c->gpus / c->instance_gpus, c->disaggregated ? " in all, prefill and decode" : "");
}

static cJSON *plan_search_json_candidate(const struct candidate *c, const struct hw *hws)
{
	cJSON *o = cJSON_CreateObject();
	const struct deployment *d = &c->d;

	cJSON_AddStringToObject(o, "hw", hws[c->hw].name);
	report_num(o, "gpus", c->gpus);
	report_num(o, "instance_gpus", c->instance_gpus);
	plan_json_layout(o, d);
	cJSON_AddBoolToObject(o, "disaggregated", c->disaggregated);
	report_num(o, "prefill_gpus", c->prefill_gpus);
	report_num(o, "decode_gpus", c->decode_gpus);
	report_num(o, "tpot_s", c->tpot_s);
	report_num(o, "ttft_s", c->ttft_s);
	report_num(o, "tokens_per_s_per_user", c->tps_user);
	report_num(o, "usd_per_day", c->usd_per_day);
	cJSON_AddStringToObject(o, "cost_basis", c->cost_basis ? c->cost_basis : "gpu-hour");
	report_num(o, "facility_kw", c->facility_kw);
	return o;
}

cJSON *plan_search_json(const struct plan_search_out *out)
{
	const struct search_result *r = out->r;
	const struct hw *hws = out->hws;
	cJSON *o = cJSON_CreateObject(), *x, *arr;
	int i;

	x = cJSON_AddObjectToObject(o, "workload");
	report_num(x, "rate_per_s", out->slo->rate);
	report_num(x, "ttft_s", out->slo->ttft_s);
	report_num(x, "tpot_s", out->slo->tpot_s);
	cJSON_AddBoolToObject(o, "feasible", r->found);
	if (r->found) {
		cJSON_AddItemToObject(o, "deployment", plan_search_json_candidate(&r->best, hws));
		x = cJSON_AddObjectToObject(o, "cost");
		report_num(x, "usd_per_day", r->best.usd_per_day);
		x = cJSON_AddObjectToObject(o, "latency");
		report_num(x, "tpot_s", r->best.tpot_s);
		report_num(x, "ttft_s", r->best.ttft_s);
	}
	if (r->have_runner_up)
		cJSON_AddItemToObject(o, "runner_up", plan_search_json_candidate(&r->runner_up, hws));
	x = cJSON_AddObjectToObject(o, "search");
	report_num(x, "families", (double)r->families);
	report_num(x, "evaluations", (double)r->evaluations);
	report_num(x, "pruned", (double)r->pruned);
	for (i = 1; i < REJ_KINDS; i++)
		report_num(x, search_reject_name((enum reject)i), (double)r->rejected_by[i]);
	arr = cJSON_AddArrayToObject(x, "unpriced_hw");
	for (i = 0; i < SEARCH_MAX_CARDS; i++)
		if (r->unpriced[i])
			cJSON_AddItemToArray(arr, cJSON_CreateString(hws[i].name));
	arr = cJSON_AddArrayToObject(o, "rejected");
	for (i = 0; i < r->nrej; i++) {
		const struct rejected *j = &r->rej[i];
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "hw", hws[j->hw].name);
		report_num(x, "tp", j->tp);
		report_num(x, "dp", j->dp);
		report_num(x, "ep", j->ep);
		report_num(x, "pp", j->pp);
		report_num(x, "micro_batches", j->mb);
		report_num(x, "mtp", j->mtp);
		cJSON_AddStringToObject(x, "weights", j->weights);
		cJSON_AddStringToObject(x, "kv_dtype", j->kv);
		cJSON_AddStringToObject(x, "reason", search_reject_name(j->why));
		report_num(x, "value", j->value);
		cJSON_AddItemToArray(arr, x);
	}
	return o;
}

void plan_search_unpriced(const struct search_result *r, const struct hw *hws, char *buf, size_t n)
{
	size_t used = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < SEARCH_MAX_CARDS && used < n; i++)
		if (r->unpriced[i])
			used += (size_t)snprintf(buf + used, n - used, "%s'%s'", used ? ", " : "", hws[i].name);
}

/* The rejected family that came closest, for each reason. */
static void plan_search_rejected(struct sbuf *b, const struct plan_search_out *out)
{
	const struct search_result *r = out->r;
	const struct hw *hws = out->hws;
	int why, i;

	sbuf_printf(b, "\nrejected families:");
	for (why = 1; why < REJ_KINDS; why++)
		if (r->rejected_by[why])
			sbuf_printf(b, " %ld %s;", r->rejected_by[why], search_reject_plural((enum reject)why));
	sbuf_printf(b, "\n");
	if (r->rejected_by[REJ_PRICE]) {
		char names[1024];
		plan_search_unpriced(r, hws, names, sizeof names);
		sbuf_printf(b, "  no price for %s: pass --gpu-hour-usd, or give the card cost.gpu_hour_usd\n", names);
	}
	for (why = REJ_TPOT; why <= REJ_TTFT; why++) {
		const struct rejected *best = NULL;
		for (i = 0; i < r->nrej; i++)
			if (r->rej[i].why == (enum reject)why && (!best || r->rej[i].value < best->value))
				best = &r->rej[i];
		if (best)
			sbuf_printf(b, "  closest that %s: %s tp %g dp %g ep %g pp %g, %s %s: %.2f ms against %.2f ms at batch %s\n",
				    search_reject_name((enum reject)why), hws[best->hw].name, best->tp, best->dp,
				    best->ep, best->pp, best->weights, best->kv, best->value * 1e3,
				    (why == REJ_TPOT ? out->slo->tpot_s : out->slo->ttft_s) * 1e3,
				    why == REJ_TPOT ? "1 (unloaded)" : "1");
	}
}

void plan_search_table(struct sbuf *b, const struct plan_search_out *out)
{
	const struct search_result *r = out->r;
	const struct workload *w = &out->base->w;

	sbuf_printf(b, "mlasim plan: %s for %.3g requests/s (%sisl %g, osl %g, prefix hit %.0f%%)",
		    out->m->display, out->slo->rate, out->slo->nclasses ? "a distribution of lengths: mean " : "",
		    w->isl, w->osl, w->prefix_hit * 100);
	if (!isnan(out->slo->ttft_s))
		sbuf_printf(b, ", TTFT <= %g s", out->slo->ttft_s);
	if (!isnan(out->slo->tpot_s))
		sbuf_printf(b, ", TPOT <= %g ms", out->slo->tpot_s * 1e3);
	sbuf_printf(b, "\nobjective: %s; searched %ld families (%ld plan evaluations, %ld pruned by bound)\n\n",
		    objective_names[out->objective], r->families, r->evaluations, r->pruned);
	if (r->found)
		plan_search_candidate(b, "best", &r->best, out->hws);
	else
		sbuf_printf(b, "nothing meets the targets on %s\n", out->hw_list);
	if (r->have_runner_up) {
		sbuf_printf(b, "\n");
		plan_search_candidate(b, "runner-up", &r->runner_up, out->hws);
	}
	plan_search_rejected(b, out);
	if (r->found && out->emit)
		plan_search_launch(b, out->emit, out->m, &r->best);
}
