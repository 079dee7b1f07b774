/* cmd_plan.c - 'mlasim plan': size one deployment (memory sections) */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "cli.h"
#include "plan.h"
#include "report.h"
#include "units.h"

/* Parse the deployment options shared with later commands. */
static int plan_parse(struct cli *c, const char **weights, const char **kvdtype,
		      struct deployment *d)
{
	const char *v;
	int r;

	while (cli_more(c)) {
		if ((r = cli_common(c)) != 0)
			continue;
		if ((r = cli_opt(c, "--tp", &v)) != 0) {
			if (r > 0) cli_count(c, "--tp", v, &d->tp);
		} else if ((r = cli_opt(c, "--dp", &v)) != 0) {
			if (r > 0) cli_count(c, "--dp", v, &d->dp);
		} else if ((r = cli_opt(c, "--ep", &v)) != 0) {
			if (r > 0) cli_count(c, "--ep", v, &d->ep);
		} else if ((r = cli_opt(c, "--pp", &v)) != 0) {
			if (r > 0) cli_count(c, "--pp", v, &d->pp);
		} else if ((r = cli_opt(c, "--redundant-experts", &v)) != 0) {
			if (r > 0) cli_number(c, "--redundant-experts", v, UNIT_PLAIN, &d->redundant_experts);
		} else if ((r = cli_opt(c, "--mtp", &v)) != 0) {
			if (r > 0) cli_number(c, "--mtp", v, UNIT_PLAIN, &d->mtp);
		} else if ((r = cli_opt(c, "--weights", &v)) != 0) {
			if (r > 0) *weights = v;
		} else if ((r = cli_opt(c, "--kv-dtype", &v)) != 0) {
			if (r > 0) *kvdtype = v;
		} else if ((r = cli_opt(c, "--kv-block", &v)) != 0) {
			if (r > 0) cli_count(c, "--kv-block", v, &d->kv_block);
		} else if ((r = cli_opt(c, "--context", &v)) != 0) {
			if (r > 0) cli_count(c, "--context", v, &d->context);
		} else if ((r = cli_opt(c, "--mem-fraction", &v)) != 0) {
			if (r > 0) cli_number(c, "--mem-fraction", v, UNIT_PLAIN, &d->mem_fraction);
		} else if ((r = cli_opt(c, "--reserve", &v)) != 0) {
			if (r > 0) cli_number(c, "--reserve", v, UNIT_BYTES, &d->reserve_bytes);
		} else if (cli_flag(c, "--kv-mtp")) {
			d->kv_mtp = 1;
		} else {
			cli_unknown(c);
		}
	}
	if (!c->err.code && d->mtp != floor(d->mtp))
		err_set(&c->err, EXIT_USAGE, "'--mtp' expects a whole number of MTP modules, got %g", d->mtp);
	if (!c->err.code && d->redundant_experts != floor(d->redundant_experts))
		err_set(&c->err, EXIT_USAGE, "'--redundant-experts' expects a whole number, got %g",
			d->redundant_experts);
	return c->err.code;
}

static const char *gb(double bytes, char *buf, size_t n)
{
	snprintf(buf, n, "%10.3f", bytes / 1e9);
	return buf;
}

static void plan_table_model(struct sbuf *b, const struct plan *p)
{
	const struct model *m = p->model;
	const struct params *q = &p->params;

	sbuf_printf(b, "model\n");
	sbuf_printf(b, "  parameters      %.2f B total (main model with embedding and output head, without MTP)\n",
		    q->total / 1e9);
	if (m->is_moe)
		sbuf_printf(b, "                  %.2f B active per token (routed experts %g of %g; input embedding excluded), %.2f B with it\n",
			    q->active / 1e9, m->top_k, m->experts, q->active_with_embedding / 1e9);
	if (m->mtp_layers > 0)
		sbuf_printf(b, "                  MTP: %g module(s) of %.2f B, %s\n", m->mtp_layers,
			    q->mtp_total / m->mtp_layers / 1e9,
			    p->dep.mtp > 0 ? "loaded" : "not loaded (--mtp 1 loads it)");
	sbuf_printf(b, "  weights         %.3f GB in all: %s linear layers; embedding, head, norms, router in bf16\n",
		    p->weights_bytes_total / 1e9, p->dep.weights.name);
	sbuf_printf(b, "  kv cache        %s %s: %.15g B per token (%g layers x %g B)\n\n",
		    model_attn_name(m->attn), p->dep.kv.name, p->kv_bytes_per_token, p->kv_layers,
		    p->kv_bytes_per_layer);
}

static void plan_table_memory(struct sbuf *b, const struct plan *p)
{
	const struct memory *mem = &p->mem;
	char s1[32];
	int k;

	sbuf_printf(b, "memory per GPU (GB = 1e9 B)%s\n", mem->stages > 1 ? ", heaviest pipeline stage" : "");
	sbuf_printf(b, "  usable HBM          %s\n", gb(mem->hbm_usable_bytes, s1, sizeof s1));
	sbuf_printf(b, "  budget x %.2f       %s\n", p->dep.mem_fraction, gb(mem->budget_bytes, s1, sizeof s1));
	sbuf_printf(b, "  weights             %s\n", gb(mem->weights_bytes_per_gpu, s1, sizeof s1));
	for (k = 0; k < COMP_N; k++)
		if (mem->comp_bytes_per_gpu[k] > 0)
			sbuf_printf(b, "    %-17s %s\n", params_comp_name((enum comp)k),
				    gb(mem->comp_bytes_per_gpu[k], s1, sizeof s1));
	sbuf_printf(b, "  runtime reserve     %s\n", gb(mem->reserve_bytes, s1, sizeof s1));
	sbuf_printf(b, "  kv cache            %s\n", gb(mem->kv_bytes_per_gpu, s1, sizeof s1));
	sbuf_printf(b, "  headroom            %s   (1 - mem-fraction: activations, graphs, fragmentation)\n\n",
		    gb(mem->free_bytes_per_gpu, s1, sizeof s1));
}

static void plan_table_capacity(struct sbuf *b, const struct plan *p)
{
	const struct memory *mem = &p->mem;
	const struct deployment *d = &p->dep;

	sbuf_printf(b, "capacity\n");
	if (p->model->is_moe && d->ep == 1)
		sbuf_printf(b, "  experts             all %g on every GPU, each split %g ways (MoE tensor parallel)\n",
			    mem->experts_per_gpu, mem->moe_tp);
	else if (p->model->is_moe)
		sbuf_printf(b, "  experts             %g per GPU (%g routed + %g redundant over ep %g)%s\n",
			    mem->experts_per_gpu, p->model->experts, d->redundant_experts, d->ep,
			    mem->moe_tp > 1 ? ", each split further" : "");
	sbuf_printf(b, "  kv per token/GPU    %.15g B%s\n", mem->kv_bytes_per_token_per_gpu,
		    p->model->attn == ATTN_MLA && d->tp > 1 ?
		    " (the MLA latent is replicated on every TP rank)" : "");
	sbuf_printf(b, "  kv tokens           %.0f per instance, %.0f per GPU\n",
		    mem->max_tokens_per_instance, mem->max_tokens_per_gpu);
	sbuf_printf(b, "  sequences of %-6g %.0f per instance of %g GPUs, %.2f per GPU\n",
		    d->context, mem->max_sequences_per_instance, mem->gpus, mem->max_sequences_per_gpu);
	sbuf_printf(b, "  fits                %s\n", mem->fits ? "yes" :
		    mem->kv_bytes_per_gpu <= 0 ? "NO: the weights and reserve exceed the budget" :
		    "NO: not even one sequence of that context fits");
}

static void plan_table(struct sbuf *b, const struct plan *p)
{
	const struct deployment *d = &p->dep;

	sbuf_printf(b, "mlasim plan: %s on %s\n", p->model->display, p->hw->display);
	sbuf_printf(b, "deployment: tp %g x dp %g x pp %g = %g GPUs, ep %g%s, context %g\n\n",
		    d->tp, d->dp, d->pp, p->mem.gpus, d->ep,
		    d->redundant_experts > 0 ? " (with redundant experts)" : "", d->context);
	plan_table_model(b, p);
	plan_table_memory(b, p);
	plan_table_capacity(b, p);
}

static cJSON *plan_json_memory(const struct plan *p)
{
	const struct memory *mem = &p->mem;
	cJSON *o = cJSON_CreateObject(), *comp, *stages;
	int k, s;

	report_num(o, "hbm_usable_bytes", mem->hbm_usable_bytes);
	report_num(o, "budget_bytes_per_gpu", mem->budget_bytes);
	report_num(o, "weights_bytes_per_gpu", mem->weights_bytes_per_gpu);
	comp = cJSON_AddObjectToObject(o, "weights_bytes_per_gpu_by_component");
	for (k = 0; k < COMP_N; k++)
		report_num(comp, params_comp_key((enum comp)k), mem->comp_bytes_per_gpu[k]);
	report_num(o, "reserve_bytes_per_gpu", mem->reserve_bytes);
	report_num(o, "kv_bytes_per_gpu", mem->kv_bytes_per_gpu);
	report_num(o, "headroom_bytes_per_gpu", mem->free_bytes_per_gpu);
	report_num(o, "kv_bytes_per_token_per_gpu", mem->kv_bytes_per_token_per_gpu);
	report_num(o, "max_tokens_per_instance", mem->max_tokens_per_instance);
	report_num(o, "max_tokens_per_gpu", mem->max_tokens_per_gpu);
	report_num(o, "max_sequences_per_instance", mem->max_sequences_per_instance);
	report_num(o, "max_sequences_per_gpu", mem->max_sequences_per_gpu);
	report_num(o, "experts_per_gpu", mem->experts_per_gpu);
	cJSON_AddBoolToObject(o, "fits", mem->fits);
	stages = cJSON_AddArrayToObject(o, "stages");
	for (s = 0; s < mem->stages; s++) {
		cJSON *st = cJSON_CreateObject();
		report_num(st, "layers", mem->stage[s].layers);
		report_num(st, "moe_layers", mem->stage[s].moe_layers);
		report_num(st, "weights_bytes_per_gpu", mem->stage[s].weights_bytes);
		report_num(st, "kv_bytes_per_token_per_gpu", mem->stage[s].kv_bytes_per_token);
		report_num(st, "max_sequences_per_group", mem->stage[s].max_sequences);
		cJSON_AddItemToArray(stages, st);
	}
	return o;
}

static cJSON *plan_json(const struct plan *p)
{
	const struct model *m = p->model;
	const struct deployment *d = &p->dep;
	cJSON *o = cJSON_CreateObject(), *x;

	x = cJSON_AddObjectToObject(o, "model");
	cJSON_AddStringToObject(x, "name", m->name);
	cJSON_AddStringToObject(x, "attention", model_attn_name(m->attn));
	report_num(x, "params_total", p->params.total);
	report_num(x, "params_active", p->params.active);
	report_num(x, "params_active_with_embedding", p->params.active_with_embedding);
	report_num(x, "params_mtp", p->params.mtp_total);
	cJSON_AddStringToObject(x, "params_convention",
				"total: main model with embedding and output head, without MTP; active: per token, routed experts k of E, without the input embedding");
	report_num(x, "weights_bytes", p->weights_bytes_total);
	report_num(x, "kv_bytes_per_token", p->kv_bytes_per_token);
	x = cJSON_AddObjectToObject(o, "hardware");
	cJSON_AddStringToObject(x, "name", p->hw->name);
	report_num(x, "hbm_usable_bytes", p->hw->gpu.hbm_usable_bytes);
	x = cJSON_AddObjectToObject(o, "deployment");
	report_num(x, "gpus", p->mem.gpus);
	report_num(x, "tp", d->tp);
	report_num(x, "dp", d->dp);
	report_num(x, "ep", d->ep);
	report_num(x, "pp", d->pp);
	report_num(x, "redundant_experts", d->redundant_experts);
	report_num(x, "mtp", d->mtp);
	cJSON_AddStringToObject(x, "weights", d->weights.name);
	cJSON_AddStringToObject(x, "kv_dtype", d->kv.name);
	report_num(x, "kv_block", d->kv_block);
	report_num(x, "context", d->context);
	report_num(x, "mem_fraction", d->mem_fraction);
	cJSON_AddItemToObject(o, "memory", plan_json_memory(p));
	return o;
}

int cmd_plan(struct cli *c)
{
	static struct plan p;
	struct model m;
	struct hw h;
	struct deployment d;
	const char *weights = NULL, *kvdtype = NULL;
	cJSON *j;

	memset(&d, 0, sizeof d);
	d.tp = d.dp = d.ep = d.pp = 1;
	d.kv_block = 1;
	d.context = 4096;
	d.mem_fraction = 0.9;
	d.reserve_bytes = NAN;
	if (plan_parse(c, &weights, &kvdtype, &d))
		return c->err.code;
	if (c->help)
		return cli_help(c);
	if (cli_load_model(c, NULL, &m) || cli_load_hw(c, NULL, &h))
		return c->err.code;
	{
		/* model defaults first, then what the user said */
		struct deployment base;
		plan_default_deployment(&m, &base);
		d.weights = base.weights;
		d.kv = base.kv;
	}
	if ((weights && precision_parse_weights(weights, "--weights", &d.weights, &c->err)) ||
	    (kvdtype && precision_parse_kv(kvdtype, "--kv-dtype", &d.kv, &c->err)))
		return c->err.code;
	if (plan_compute(&m, &h, &d, NULL, &p, &c->err))
		return c->err.code;
	if (c->format == FMT_TABLE) {
		plan_table(&c->buf, &p);
	} else {
		j = plan_json(&p);
		if (c->format == FMT_CSV) {
			report_csv_flat(&c->buf, j);
			cJSON_Delete(j);
		} else {
			report_json(&c->buf, j);
		}
	}
	if (cli_emit(c))
		return c->err.code;
	return p.mem.fits ? EXIT_OK : EXIT_NO;
}
