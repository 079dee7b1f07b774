/* plan_json.c - see plan_json.h */
#include "plan_fields.h"
#include "plan_json.h"
#include "report.h"

/* hardware.calibration_sources[], calibrated_kernels[] and kernels[]: each
 * class's parameters (kern.h) and where they come from. */
static void plan_json_kernels(cJSON *x, const struct hw *h)
{
	cJSON *src = cJSON_AddArrayToObject(x, "calibration_sources");
	cJSON *cal = cJSON_AddArrayToObject(x, "calibrated_kernels");
	cJSON *arr = cJSON_AddArrayToObject(x, "kernels");
	int k;

	for (k = 0; k < h->ncal_sources; k++)
		cJSON_AddItemToArray(src, cJSON_CreateString(h->cal_source[k]));
	for (k = 0; k < K_CLASSES; k++) {
		const struct hw_kernel_eff *e = &h->kern[k];
		cJSON *y = cJSON_CreateObject();
		if (e->calibrated)
			cJSON_AddItemToArray(cal, cJSON_CreateString(hw_kclass_name((enum kclass)k)));
		cJSON_AddStringToObject(y, "class", hw_kclass_name((enum kclass)k));
		cJSON_AddStringToObject(y, "from", hw_kcal_name(e->calibrated));
		cJSON_AddNumberToObject(y, "eff_compute", e->compute);
		cJSON_AddNumberToObject(y, "eff_mem", e->memory);
		cJSON_AddNumberToObject(y, "t0_s", e->t0_s);
		cJSON_AddNumberToObject(y, "kblock_s", e->kblock_s);
		cJSON_AddNumberToObject(y, "blend", e->blend);
		cJSON_AddNumberToObject(y, "elem_s", e->elem_s);
		cJSON_AddNumberToObject(y, "cta_s", e->cta_s);
		cJSON_AddItemToArray(arr, y);
	}
}

static cJSON *plan_json_memory(const struct plan *p)
{
	const struct memory *mem = &p->mem;
	cJSON *o = cJSON_CreateObject(), *comp, *stages;
	int k, s;

	report_num(o, "hbm_usable_bytes", mem->hbm_usable_bytes);
	report_num(o, "budget_bytes_per_gpu", mem->budget_bytes);
	cJSON_AddStringToObject(o, "mem_fraction_of", p->dep.mem_of_free ? "free" : "usable");
	report_num(o, plan_field_name(PF_WEIGHTS_BYTES_PER_GPU), mem->weights_bytes_per_gpu);
	comp = cJSON_AddObjectToObject(o, "weights_bytes_per_gpu_by_component");
	for (k = 0; k < COMP_N; k++)
		report_num(comp, params_comp_key((enum comp)k), mem->comp_bytes_per_gpu[k]);
	report_num(o, "reserve_bytes_per_gpu", mem->reserve_bytes);
	report_num(o, plan_field_name(PF_KV_BYTES_PER_GPU), mem->kv_bytes_per_gpu);
	report_num(o, "headroom_bytes_per_gpu", mem->free_bytes_per_gpu);
	report_num(o, "kv_bytes_per_token_per_gpu", mem->kv_bytes_per_token_per_gpu);
	report_num(o, "max_tokens_per_instance", mem->max_tokens_per_instance);
	report_num(o, "max_tokens_per_gpu", mem->max_tokens_per_gpu);
	report_num(o, "max_sequences_per_instance", mem->max_sequences_per_instance);
	report_num(o, plan_field_name(PF_MAX_SEQUENCES_PER_GPU), mem->max_sequences_per_gpu);
	report_num(o, "experts_per_gpu", mem->experts_per_gpu);
	cJSON_AddBoolToObject(o, plan_field_name(PF_FITS), mem->fits);
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

static cJSON *plan_json_phase(const struct plan *p, const struct phase *ph)
{
	cJSON *o = cJSON_CreateObject(), *x, *arr;
	char name[64];
	int i;

	report_num(o, "step_s", ph->t_step);
	report_num(o, "tokens_per_step", ph->tokens);
	cJSON_AddStringToObject(o, "bound", perf_bound_name(ph->bound));
	x = cJSON_AddObjectToObject(o, "time_by_class_s");
	for (i = 0; i < OPC_CLASSES; i++)
		report_num(x, perf_class_key((enum opclass)i), ph->t_class[i]);
	x = cJSON_AddObjectToObject(o, "time_by_bound_s");
	for (i = 0; i < BOUND_KINDS; i++)
		report_num(x, perf_bound_name((enum bound)i), ph->t_bound[i]);
	arr = cJSON_AddArrayToObject(o, "operators");
	for (i = 0; i < ph->nops; i++) {
		const struct op *op = &ph->op[i];
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "name", op->name);
		cJSON_AddStringToObject(x, "layer", params_layer_name(p->model, (enum layer_kind)op->layer,
								     name, sizeof name));
		cJSON_AddStringToObject(x, "class", perf_class_key(op->cls));
		cJSON_AddStringToObject(x, "dtype", perf_class_is_comm(op->cls) ? "" : kern_dtype_name(op->dtype));
		/* the kernel class whose fit timed it (hw.h); none for communication */
		cJSON_AddStringToObject(x, "kernel", perf_class_is_comm(op->cls) ? "" : hw_kclass_name(op->kernel));
		report_num(x, "count", op->count);
		report_num(x, "flops", op->flops);
		report_num(x, "bytes", op->bytes);
		report_num(x, "time_s", op->t);
		cJSON_AddStringToObject(x, "bound", perf_bound_name(op->bound));
		cJSON_AddItemToArray(arr, x);
	}
	return o;
}

static void plan_json_power(cJSON *o, const struct plan *p)
{
	const struct power *w = &p->power;
	cJSON *x = cJSON_AddObjectToObject(o, "power"), *arr;
	char text[256];
	unsigned flag;

	report_num(x, plan_field_name(PF_GPU_W), w->gpu_w);
	report_num(x, "gpu_decode_w", w->gpu_decode_w);
	report_num(x, "gpu_prefill_w", w->gpu_prefill_w);
	report_num(x, "gpu_idle_w", w->idle_w);
	report_num(x, "utilization_decode", w->util_decode);
	report_num(x, "utilization_prefill", w->util_prefill);
	report_num(x, "node_kw", w->node_kw);
	report_num(x, "rack_kw", w->rack_kw);
	report_num(x, "node_full_load_kw", w->node_full_kw);
	report_num(x, "rack_full_load_kw", w->rack_full_kw);
	report_num(x, "it_kw", w->it_kw);
	report_num(x, "pue", w->pue);
	report_num(x, "facility_kw", w->facility_kw);
	cJSON_AddStringToObject(x, "cooling", w->liquid ? "liquid" : "air");
	report_num(x, "joules_per_token", w->j_per_token_decode);
	report_num(x, "joules_per_token_prefill", w->j_per_token_prefill);
	report_num(x, "joules_per_request", w->j_per_request);
	cJSON_AddBoolToObject(x, "calibrated", w->calibrated);
	arr = cJSON_AddArrayToObject(x, "warnings");
	for (flag = 1; flag <= PW_NO_PRICE; flag <<= 1)
		if (power_warning(w, flag, text, sizeof text))
			cJSON_AddItemToArray(arr, cJSON_CreateString(text));
	x = cJSON_AddObjectToObject(o, "cost");
	cJSON_AddStringToObject(x, "basis", w->cost_basis ? w->cost_basis : "");
	report_num(x, "usd_per_gpu_hour", w->usd_per_gpu_hour);
	report_num(x, "usd_per_mtok_input", w->usd_per_mtok_input);
	report_num(x, plan_field_name(PF_USD_PER_MTOK_OUTPUT), w->usd_per_mtok_output);
	report_num(x, "usd_per_day", w->usd_per_day);
	report_num(x, "fleet_gpus", w->fleet_gpus);
}

static void plan_json_perf(cJSON *o, const struct plan *p)
{
	const struct perf *f = &p->perf;
	cJSON *x = plan_json_phase(p, &f->decode);

	report_num(x, plan_field_name(PF_TPOT), f->tpot_s);
	report_num(x, plan_field_name(PF_TPS_GPU), f->decode_tps_gpu);
	report_num(x, plan_field_name(PF_TPS_USER), f->decode_tps_user);
	report_num(x, "tokens_per_step_per_sequence", f->tokens_per_step);
	report_num(x, "graph_batch", f->graph_batch);
	cJSON_AddBoolToObject(x, "graph_eager", f->graph_eager);
	report_num(x, plan_field_name(PF_BATCH), p->dep.w.batch);
	cJSON_AddBoolToObject(x, plan_field_name(PF_BATCH_FITS), p->batch_fits);
	cJSON_AddItemToObject(o, "decode", x);
	x = plan_json_phase(p, &f->prefill);
	report_num(x, plan_field_name(PF_TTFT), f->ttft_s);
	report_num(x, "tokens_per_s_per_gpu", f->prefill_tps_gpu);
	report_num(x, "new_tokens_per_request", f->prefill_new_tokens);
	report_num(x, "pipeline_bubble", f->prefill_bubble);
	cJSON_AddItemToObject(o, "prefill", x);
	x = cJSON_AddObjectToObject(o, "network");
	report_num(x, "dispatch_bytes_per_gpu_per_layer", f->decode.dispatch_bytes);
	report_num(x, "combine_bytes_per_gpu_per_layer", f->decode.combine_bytes);
	report_num(x, "scale_up_bytes_per_gpu_per_layer", f->decode.up_bytes);
	report_num(x, "scale_out_bytes_per_gpu_per_layer", f->decode.out_bytes);
	report_num(x, "a2a_s_per_layer", f->decode.a2a_s_per_layer);
	report_num(x, "a2a_exposed_s_per_step", f->decode.a2a_exposed_s);
	report_num(x, "scale_up_bytes_per_s", f->links.up_bw);
	report_num(x, "scale_out_bytes_per_s", f->links.out_bw);
	report_num(x, "scale_out_latency_s", f->links.out_latency_s);
	report_num(x, "planes_down", p->dep.w.planes_down);
	cJSON_AddBoolToObject(x, "network_bound", perf_bound_is_comm(f->decode.bound));
	x = cJSON_AddObjectToObject(o, "serving");
	report_num(x, "prefill_gpus_per_decode_gpu", f->prefill_to_decode_gpus);
	plan_json_power(o, p);
}

/* "layer_kinds": each kind of main layer and how many layers have it. */
static void plan_json_kinds(cJSON *x, const struct model *m)
{
	cJSON *arr = cJSON_AddArrayToObject(x, "layer_kinds");
	char name[64];
	int k;

	for (k = 0; k < m->nkinds; k++) {
		cJSON *o;
		if (m->kind[k].count <= 0)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", model_kind_name(m, k, name, sizeof name));
		report_num(o, "layers", m->kind[k].count);
		cJSON_AddItemToArray(arr, o);
	}
}

void plan_json_layout(cJSON *x, const struct deployment *d)
{
	report_num(x, plan_field_name(PF_TP), d->tp);
	report_num(x, plan_field_name(PF_DP), d->dp);
	report_num(x, plan_field_name(PF_EP), d->ep);
	report_num(x, plan_field_name(PF_PP), d->pp);
	report_num(x, plan_field_name(PF_BATCH), d->w.batch);
	report_num(x, plan_field_name(PF_MICRO_BATCHES), d->w.micro_batches);
	cJSON_AddStringToObject(x, plan_field_name(PF_OVERLAP), perf_overlap_name(perf_overlap(&d->w)));
	report_num(x, plan_field_name(PF_MTP), d->mtp);
	cJSON_AddStringToObject(x, plan_field_name(PF_WEIGHTS), d->weights.name);
	cJSON_AddStringToObject(x, "expert_weights", deploy_expert_format(d)->name);
	cJSON_AddStringToObject(x, "attention_weights", deploy_attn_format(d)->name);
	cJSON_AddStringToObject(x, plan_field_name(PF_KV_DTYPE), d->kv.name);
}

cJSON *plan_json_render(const struct plan *p)
{
	const struct model *m = p->model;
	const struct deployment *d = &p->dep;
	cJSON *o = cJSON_CreateObject(), *x;

	x = cJSON_AddObjectToObject(o, "model");
	cJSON_AddStringToObject(x, "name", m->name);
	cJSON_AddStringToObject(x, "attention", model_attn_name(m->attn));
	report_num(x, "params_total", p->params->total);
	report_num(x, "params_active", p->params->active);
	report_num(x, "params_active_with_embedding", p->params->active_with_embedding);
	report_num(x, "params_mtp", p->params->mtp_total);
	cJSON_AddStringToObject(x, "params_convention",
				"total: main model with embedding and output head, without MTP; active: per token, routed experts k of E, without the input embedding (tied to the head, it counts as the head)");
	report_num(x, "weights_bytes", p->weights_bytes_total);
	report_num(x, "kv_bytes_per_token", p->kv_bytes_per_token);
	report_num(x, "kv_fixed_bytes_per_sequence", p->kv.fixed);
	cJSON_AddBoolToObject(x, "from_text_config", m->text_config[0] != 0);
	plan_json_kinds(x, m);
	{                       /* config features mlasim does not model (stderr says them too) */
		cJSON *arr = cJSON_AddArrayToObject(x, "warnings");
		int k;
		for (k = 0; k < m->nunmodelled; k++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(m->unmodelled[k]));
	}
	x = cJSON_AddObjectToObject(o, "hardware");
	cJSON_AddStringToObject(x, "name", p->hw->name);
	report_num(x, "hbm_usable_bytes", p->hw->gpu.hbm_usable_bytes);
	cJSON_AddBoolToObject(x, "calibrated", p->hw->calibrated);
	cJSON_AddStringToObject(x, "calibration", hw_kcal_name(p->hw->calibrated));
	cJSON_AddStringToObject(x, "calibration_device", p->hw->calibration_device);
	cJSON_AddStringToObject(x, "calibration_borrowed_from", p->hw->calibration_borrowed_from);
	cJSON_AddStringToObject(x, "calibration_borrow_why", p->hw->calibration_borrow_why);
	plan_json_kernels(x, p->hw);
	x = cJSON_AddObjectToObject(o, "deployment");
	report_num(x, plan_field_name(PF_GPUS), p->mem.gpus);
	plan_json_layout(x, d);
	report_num(x, "redundant_experts", d->redundant_experts);
	report_num(x, "kv_block", d->kv_block);
	report_num(x, plan_field_name(PF_CONTEXT), d->context);
	report_num(x, "mem_fraction", d->mem_fraction);
	report_num(x, "mtp_accept", d->w.mtp_accept);
	report_num(x, "isl", d->w.isl);
	report_num(x, "osl", d->w.osl);
	report_num(x, "prefill_tokens", d->w.prefill_tokens);
	report_num(x, "recv_interval", d->w.recv_interval);
	report_num(x, "dp_balance_iters", d->w.dp_balance_iters);   /* null: the engine's */
	report_num(x, "batch_wait_iters", d->w.batch_wait_iters);
	report_num(x, "batch_wait_ratio", d->w.batch_wait_ratio);
	report_num(x, "prefix_hit", d->w.prefix_hit);
	report_num(x, "imbalance", d->w.imbalance);
	report_num(x, "max_nodes", d->w.max_nodes);   /* null: from the model's expert groups */
	cJSON_AddStringToObject(x, "shared_expert", d->w.shared_routed ? "routed" : "local");
	cJSON_AddBoolToObject(x, "ideal", d->w.ideal);
	cJSON_AddItemToObject(o, "memory", plan_json_memory(p));
	plan_json_perf(o, p);
	return o;
}

void plan_json_serving(cJSON *o, const struct engine *g, const struct serve_result *r)
{
	cJSON *x = cJSON_GetObjectItemCaseSensitive(o, "serving");

	if (!x)
		x = cJSON_AddObjectToObject(o, "serving");
	cJSON_AddStringToObject(x, "engine", g->name);
	cJSON_AddStringToObject(x, "loop", r->arrival_rate > 0 ? "open" : "closed");
	if (r->arrival_rate > 0) {
		report_num(x, "arrival_rate", r->arrival_rate);
		cJSON_AddBoolToObject(x, "saturated", r->saturated);
		if (r->saturated)
			report_num(x, "max_rate", r->max_rate);
	}
	report_num(x, "ttft_s", r->ttft_s);
	report_num(x, "tpot_s", r->tpot_s);
	report_num(x, "steady_ttft_s", r->steady_ttft_s);
	report_num(x, "poll_wait_s", r->poll_wait_s);
	report_num(x, "release_steps", r->release_steps);
	report_num(x, "batch_wait_s", r->batch_wait_s);
	report_num(x, "batch_held", r->batch_held);
	report_num(x, "burst_ttft_s", r->burst_ttft_s);
	report_num(x, "request_s", r->request_s);
	report_num(x, "running_per_group", r->running);
	report_num(x, "waiting_per_group", r->waiting);
	report_num(x, "mixed_steps", r->mixed_steps);
	report_num(x, "prefill_load", r->rho);
	report_num(x, "dp_sync_groups", r->sync_groups);
	report_num(x, "dp_longest_attention", r->longest);
	cJSON_AddStringToObject(x, "engine_fit", g->fitted_on);
	/* which figures: a version's own (engine_version) or the engine-level ones (null) */
	if (g->version_used >= 0) {
		cJSON_AddStringToObject(x, "engine_version", g->versions[g->version_used].name);
		cJSON_AddStringToObject(x, "engine_version_fit", g->versions[g->version_used].fitted_on);
	} else {
		cJSON_AddNullToObject(x, "engine_version");
		cJSON_AddNullToObject(x, "engine_version_fit");
	}
	if (g->version_asked[0])
		cJSON_AddStringToObject(x, "engine_version_asked", g->version_asked);
	else
		cJSON_AddNullToObject(x, "engine_version_asked");
	{
		char said[256];
		cJSON_AddStringToObject(x, "engine_figures", engine_figures_said(g, said, sizeof said));
	}
}
