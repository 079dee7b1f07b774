/* cmd_plan.c - 'mlasim plan': size one deployment and predict its speed, power and cost */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include "cards.h"
#include "cli_plan.h"
#include "engine.h"
#include "infile.h"
#include "search.h"
#include "serve.h"
#include "report.h"
#include "units.h"

static const char *gb(double bytes, char *buf, size_t n)
{
	snprintf(buf, n, "%10.3f", bytes / 1e9);
	return buf;
}

/* The layer kinds of a hybrid model, and where its text model was read. */
static void plan_table_layers(struct sbuf *b, const struct model *m)
{
	char name[64];
	int k, first = 1;

	sbuf_printf(b, "  layers          %g:", m->layers);
	for (k = 0; k < m->nkinds; k++) {
		if (m->kind[k].count <= 0)
			continue;
		sbuf_printf(b, "%s %g %s", first ? "" : ",", m->kind[k].count,
			    model_kind_name(m, k, name, sizeof name));
		first = 0;
	}
	sbuf_printf(b, "%s\n", m->text_config[0] ? " (read from text_config)" : "");
}

static void plan_table_model(struct sbuf *b, const struct plan *p)
{
	const struct model *m = p->model;
	const struct params *q = p->params;

	sbuf_printf(b, "model\n");
	sbuf_printf(b, "  parameters      %.2f B total (main model with embedding and output head, without MTP)\n",
		    q->total / 1e9);
	if (m->is_moe)
		sbuf_printf(b, "                  %.2f B active per token (routed experts %g of %g; input embedding excluded), %.2f B with it\n",
			    q->active / 1e9, m->top_k, m->experts, q->active_with_embedding / 1e9);
	if (m->mtp_layers > 0)
		sbuf_printf(b, "                  MTP: %g module(s) of %.2f B, %s%s\n", m->mtp_layers,
			    q->mtp_total / m->mtp_layers / 1e9,
			    p->dep.mtp > 0 ? "loaded" : "not loaded (--mtp 1 loads it)",
			    p->dep.mtp > p->mtp_modules ? "; the draft steps beyond them reuse the last module" : "");
	sbuf_printf(b, "  weights         %.3f GB in all: %s linear layers%s%s%s%s; embedding, head, norms, router in bf16\n",
		    p->weights_bytes_total / 1e9, p->dep.weights.name,
		    p->dep.attn_weights.name[0] ? ", attention " : "", p->dep.attn_weights.name,
		    p->dep.expert_weights.name[0] ? ", routed experts " : "", p->dep.expert_weights.name);
	if (model_is_hybrid(m) || m->text_config[0])
		plan_table_layers(b, m);
	sbuf_printf(b, "  kv cache        %s %s: %.15g B per token (%g layers x %g B)\n",
		    model_attn_name(m->attn), p->dep.kv.name, p->kv_bytes_per_token, p->kv_layers,
		    p->kv_bytes_per_layer);
	if (p->kv.fixed > 0)
		sbuf_printf(b, "                  + %.15g B per sequence that does not grow past the windows (window layers at their window, recurrent state)\n",
			    p->kv.fixed);
	sbuf_printf(b, "\n");
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

static const char *dtype_name(enum dtype d)
{
	return d == DT_FP8 ? "fp8" : d == DT_FP4 ? "fp4" : "bf16";
}

/* Per-class times of a step: where the time goes. */
static void plan_table_classes(struct sbuf *b, const struct phase *ph)
{
	int k;

	sbuf_printf(b, "  %-26s %10s %7s\n", "time by class (before overlap)", "ms/step", "share");
	for (k = 0; k < OPC_CLASSES; k++)
		if (ph->t_class[k] > 0)
			sbuf_printf(b, "    %-24s %10.3f %6.1f%%\n", perf_class_name((enum opclass)k),
				    ph->t_class[k] * 1e3, 100 * ph->t_class[k] / ph->t_step);
}

static void plan_table_ops(struct sbuf *b, const struct model *m, const struct phase *ph)
{
	char name[64];
	int i, w = 5;

	for (i = 0; i < ph->nops; i++) {   /* hybrid kinds have longer names */
		const char *l = params_layer_name(m, (enum layer_kind)ph->op[i].layer, name, sizeof name);
		int n = strcmp(l, "global") == 0 ? 1 : (int)strlen(l);   /* printed as "-" */
		w = n > w ? n : w;
	}
	sbuf_printf(b, "  %-*s %-28s %5s %5s %11s %10s %9s %9s  %s\n", w, "layer", "operator (per GPU)", "x",
		    "dtype", "GFLOP", "MB", "us each", "ms/step", "bound");
	for (i = 0; i < ph->nops; i++) {
		const struct op *o = &ph->op[i];
		const char *l = params_layer_name(m, (enum layer_kind)o->layer, name, sizeof name);
		sbuf_printf(b, "  %-*s %-28s %5g %5s %11.3f %10.3f %9.2f %9.3f  %s\n", w,
			    strcmp(l, "global") == 0 ? "-" : l,
			    o->name, o->count,
			    o->cls >= OPC_TP_COMM ? "-" : dtype_name(o->dtype), o->flops / 1e9,
			    o->bytes / 1e6, o->t * 1e6, o->t * o->count * 1e3, perf_bound_name(o->bound));
	}
}

static void plan_table_power(struct sbuf *b, const struct plan *p)
{
	const struct power *w = &p->power;
	char text[256];
	unsigned flag;

	sbuf_printf(b, "\npower%s\n", w->calibrated ? " (probe-measured energies)" : "");
	sbuf_printf(b, "  GPU                 %.0f W decode (busy %.0f%%), %.0f W prefill (busy %.0f%%); idle %.0f W, TDP %.0f W\n",
		    w->gpu_decode_w, w->util_decode * 100, w->gpu_prefill_w, w->util_prefill * 100,
		    w->idle_w, w->tdp_w);
	sbuf_printf(b, "  node                %.2f kW (%g GPUs at %.0f W + %.0f W CPUs, memory, NICs, fans)\n",
		    w->node_kw, w->node_gpus, w->gpu_w, w->node_rest_w);
	sbuf_printf(b, "  rack                %.1f kW (%g nodes), %.1f kW at full load: %s cooling\n", w->rack_kw,
		    w->nodes_per_rack, w->rack_full_kw, w->liquid ? "liquid" : "air");
	sbuf_printf(b, "  facility            %.1f kW for the %g GPUs (IT %.1f kW x PUE %.2f)\n",
		    w->facility_kw, p->mem.gpus, w->it_kw, w->pue);
	sbuf_printf(b, "  energy              %.3f J per output token, %.3f J per input token, %.0f J per request (IT)\n",
		    w->j_per_token_decode, w->j_per_token_prefill, w->j_per_request);
	for (flag = 1; flag <= PW_NO_PRICE; flag <<= 1)
		if (power_warning(w, flag, text, sizeof text))
			sbuf_printf(b, "  warning             %s\n", text);
	if (!isnan(w->usd_per_gpu_hour))
		sbuf_printf(b, "\ncost (%s, $%.3f per GPU-hour)\n  per million tokens  $%.3f output, $%.3f input\n  per day             $%.0f for %g GPUs\n",
			    w->cost_basis, w->usd_per_gpu_hour, w->usd_per_mtok_output, w->usd_per_mtok_input,
			    w->usd_per_day, w->fleet_gpus);
}

/* The published sources' ids ("deepgemm-readme-v3, infersim-f2293dab"). */
static void plan_sources(struct sbuf *b, const struct hw *h)
{
	int i;

	for (i = 0; i < h->ncal_sources; i++)
		sbuf_printf(b, "%s%.*s", i ? ", " : "", (int)strcspn(h->cal_source[i], ":"), h->cal_source[i]);
}

/* The classes whose parameters come from kcal, ", "-separated; 0 if none. */
static int plan_classes_from(struct sbuf *b, const struct hw *h, int kcal)
{
	int k, n = 0;

	for (k = 0; k < K_CLASSES; k++)
		if (h->kern[k].calibrated == kcal)
			sbuf_printf(b, "%s%s", n++ ? ", " : " ", hw_kclass_name((enum kclass)k));
	return n;
}

/* Where the kernel times come from: probes run on a GPU, published
 * measurements (the card's own, or a sibling's it borrows), or the card's
 * defaults, and which classes (and links) each covers. */
static void plan_table_efficiency(struct sbuf *b, const struct hw *h)
{
	int probes = 0, published = 0, k;

	if (!h->calibrated) {
		sbuf_printf(b, "  calibration         card defaults (compute %.2f, memory %.2f, %.1f us per kernel)\n",
			    h->kern[K_GEMM_BF16].compute, h->kern[K_GEMM_BF16].memory,
			    h->kern[K_GEMM_BF16].t0_s * 1e6);
		return;
	}
	for (k = 0; k < K_CLASSES; k++) {
		probes += h->kern[k].calibrated == KCAL_PROBES;
		published += h->kern[k].calibrated == KCAL_PUBLISHED;
	}
	sbuf_printf(b, "  calibration         ");
	if (probes || h->links_calibrated == KCAL_PROBES) {
		sbuf_printf(b, "probes on %s%s%s for", h->calibration_device[0] ? h->calibration_device : "the GPU",
			    h->calibration_date[0] ? ", " : "", h->calibration_date);
		plan_classes_from(b, h, KCAL_PROBES);
		sbuf_printf(b, "%s; ", h->links_calibrated == KCAL_PROBES ? (probes ? ", collectives" : " collectives") : "");
	}
	if (published || h->links_calibrated == KCAL_PUBLISHED) {
		if (h->calibration_borrowed_from[0])   /* another card's fits on this card's peaks (borrow.h) */
			sbuf_printf(b, "published, borrowed from %s (", h->calibration_borrowed_from);
		else
			sbuf_printf(b, "published (");
		if (h->ncal_sources)
			plan_sources(b, h);
		else
			sbuf_printf(b, "no sources listed");
		sbuf_printf(b, ") for");
		plan_classes_from(b, h, KCAL_PUBLISHED);
		sbuf_printf(b, "%s; ", h->links_calibrated == KCAL_PUBLISHED ? (published ? ", collectives" : " collectives") : "");
	}
	sbuf_printf(b, "card defaults for the rest\n");
}

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

static void plan_table_perf(struct sbuf *b, const struct plan *p)
{
	const struct perf *f = &p->perf;
	const struct deployment *d = &p->dep;
	const struct workload *w = &d->w;

	sbuf_printf(b, "\ndecode: batch %g per attention group of %g GPU(s), %g micro-batch(es), context %g",
		    w->batch, d->tp, w->micro_batches, w->context);
	if (w->mtp_depth > 0)
		sbuf_printf(b, ", MTP %g at acceptance %.2f", w->mtp_depth, w->mtp_accept);
	sbuf_printf(b, "%s\n", w->ideal ? " (--ideal: efficiencies 1, no fixed latencies)" : "");
	if (!w->ideal)
		plan_table_efficiency(b, p->hw);
	sbuf_printf(b, "  TPOT                %.3f ms per token (%.1f tokens/s per user)\n",
		    f->tpot_s * 1e3, f->decode_tps_user);
	sbuf_printf(b, "  throughput          %.0f tokens/s per GPU\n", f->decode_tps_gpu);
	sbuf_printf(b, "  step                %.3f ms for %.3g token(s) per sequence; bound: %s%s\n",
		    f->decode.t_step * 1e3, f->tokens_per_step, perf_bound_name(f->decode.bound),
		    f->decode.overlapped ? " (all-to-all overlapped with compute)" : "");
	if (!p->batch_fits)
		sbuf_printf(b, "  warning             batch %g x pp %g sequences of %g tokens do not fit the KV cache (%.0f per group)\n",
			    w->batch, d->pp, w->context, p->mem.max_sequences_per_instance / d->dp);
	plan_table_classes(b, &f->decode);
	sbuf_printf(b, "\n");
	plan_table_ops(b, p->model, &f->decode);
	sbuf_printf(b, "\nprefill: %g-token prompts, prefix hit %.0f%%, %g tokens per step\n",
		    w->isl, w->prefix_hit * 100, w->prefill_tokens);
	sbuf_printf(b, "  TTFT                %.3f ms (%g new tokens per request", f->ttft_s * 1e3,
		    f->prefill_new_tokens);
	if (d->pp > 1)
		sbuf_printf(b, "; pipeline bubble %.0f%%", f->prefill_bubble * 100);
	sbuf_printf(b, ")\n");
	sbuf_printf(b, "  throughput          %.0f tokens/s per GPU; bound: %s\n", f->prefill_tps_gpu,
		    perf_bound_name(f->prefill.bound));
	plan_table_classes(b, &f->prefill);
	if (d->ep > 1) {
		sbuf_printf(b, "\nnetwork: expert parallelism over %g GPUs, scale-up domains of %g\n",
			    d->ep, f->links.up_domain);
		sbuf_printf(b, "  dispatch            %.3f MB per GPU per layer per micro-batch\n",
			    f->decode.dispatch_bytes / 1e6);
		sbuf_printf(b, "  combine             %.3f MB\n", f->decode.combine_bytes / 1e6);
		sbuf_printf(b, "  on scale-up         %.3f MB, on scale-out %.3f MB\n",
			    f->decode.up_bytes / 1e6, f->decode.out_bytes / 1e6);
		sbuf_printf(b, "  all-to-all          %.2f us per layer (dispatch + combine of one micro-batch)\n",
			    f->decode.a2a_s_per_layer * 1e6);
		sbuf_printf(b, "  busiest link        %s%s; the decode step is %snetwork-bound\n",
			    f->decode.out_bytes / fmax(f->links.out_bw, 1e-30) >
			    f->decode.up_bytes / fmax(f->links.up_bw, 1e-30) ? "scale-out (NIC)" : "scale-up",
			    f->links.cross_leaf ? ", messages cross the spine" : "",
			    f->decode.bound == BOUND_SCALE_OUT || f->decode.bound == BOUND_SCALE_UP ? "" : "not ");
		if (w->planes_down > 0)
			sbuf_printf(b, "  planes down         %g of %g: scale-out bandwidth at %.0f%%\n", w->planes_down,
				    comm_planes(p->hw), 100 * (1 - w->planes_down / comm_planes(p->hw)));
	}
	sbuf_printf(b, "\nserving (isl %g, osl %g): disaggregated, %.3f prefill GPUs per decode GPU\n",
		    w->isl, w->osl, f->prefill_to_decode_gpus);
	plan_table_power(b, p);
}

void plan_render_table(struct sbuf *b, const struct plan *p)
{
	const struct deployment *d = &p->dep;

	sbuf_printf(b, "mlasim plan: %s on %s\n", p->model->display, p->hw->display);
	sbuf_printf(b, "deployment: tp %g x dp %g x pp %g = %g GPUs, ep %g%s, context %g\n\n",
		    d->tp, d->dp, d->pp, p->mem.gpus, d->ep,
		    d->redundant_experts > 0 ? " (with redundant experts)" : "", d->context);
	plan_table_model(b, p);
	plan_table_memory(b, p);
	plan_table_capacity(b, p);
	plan_table_perf(b, p);
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
		cJSON_AddStringToObject(x, "dtype", op->cls >= OPC_TP_COMM ? "" : dtype_name(op->dtype));
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

	report_num(x, "gpu_w", w->gpu_w);
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
	report_num(x, "usd_per_mtok_output", w->usd_per_mtok_output);
	report_num(x, "usd_per_day", w->usd_per_day);
	report_num(x, "fleet_gpus", w->fleet_gpus);
}

static void plan_json_perf(cJSON *o, const struct plan *p)
{
	const struct perf *f = &p->perf;
	cJSON *x = plan_json_phase(p, &f->decode);

	report_num(x, "tpot_s", f->tpot_s);
	report_num(x, "tokens_per_s_per_gpu", f->decode_tps_gpu);
	report_num(x, "tokens_per_s_per_user", f->decode_tps_user);
	report_num(x, "tokens_per_step_per_sequence", f->tokens_per_step);
	report_num(x, "batch", p->dep.w.batch);
	cJSON_AddBoolToObject(x, "batch_fits", p->batch_fits);
	cJSON_AddItemToObject(o, "decode", x);
	x = plan_json_phase(p, &f->prefill);
	report_num(x, "ttft_s", f->ttft_s);
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
	report_num(x, "scale_up_bytes_per_s", f->links.up_bw);
	report_num(x, "scale_out_bytes_per_s", f->links.out_bw);
	report_num(x, "scale_out_latency_s", f->links.out_latency_s);
	report_num(x, "planes_down", p->dep.w.planes_down);
	cJSON_AddBoolToObject(x, "network_bound", f->decode.bound == BOUND_SCALE_OUT ||
			      f->decode.bound == BOUND_SCALE_UP);
	x = cJSON_AddObjectToObject(o, "serving");
	report_num(x, "prefill_gpus_per_decode_gpu", f->prefill_to_decode_gpus);
	plan_json_power(o, p);
}

/* The layout keys a plan and a planner's candidate share. */
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

static void plan_json_layout(cJSON *x, const struct deployment *d)
{
	report_num(x, "tp", d->tp);
	report_num(x, "dp", d->dp);
	report_num(x, "ep", d->ep);
	report_num(x, "pp", d->pp);
	report_num(x, "batch", d->w.batch);
	report_num(x, "micro_batches", d->w.micro_batches);
	report_num(x, "mtp", d->mtp);
	cJSON_AddStringToObject(x, "weights", d->weights.name);
	cJSON_AddStringToObject(x, "expert_weights", deploy_expert_format(d)->name);
	cJSON_AddStringToObject(x, "attention_weights", deploy_attn_format(d)->name);
	cJSON_AddStringToObject(x, "kv_dtype", d->kv.name);
}

cJSON *plan_render_json(const struct plan *p)
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
	report_num(x, "gpus", p->mem.gpus);
	plan_json_layout(x, d);
	report_num(x, "redundant_experts", d->redundant_experts);
	report_num(x, "kv_block", d->kv_block);
	report_num(x, "context", d->context);
	report_num(x, "mem_fraction", d->mem_fraction);
	report_num(x, "mtp_accept", d->w.mtp_accept);
	report_num(x, "isl", d->w.isl);
	report_num(x, "osl", d->w.osl);
	report_num(x, "prefill_tokens", d->w.prefill_tokens);
	report_num(x, "prefix_hit", d->w.prefix_hit);
	report_num(x, "imbalance", d->w.imbalance);
	report_num(x, "max_nodes", d->w.max_nodes);   /* null: from the model's expert groups */
	cJSON_AddStringToObject(x, "shared_expert", d->w.shared_routed ? "routed" : "local");
	cJSON_AddBoolToObject(x, "ideal", d->w.ideal);
	cJSON_AddItemToObject(o, "memory", plan_json_memory(p));
	plan_json_perf(o, p);
	return o;
}

/* Planner options: a workload and targets turn 'plan' into a search. */
struct planner {
	int on;
	struct slo slo;
	double tokens_per_day, tps_user;
	enum objective objective;
	int disaggregation;      /* -1 both */
	const char *emit;        /* "vllm", "sglang" or NULL */
	const char *workload;    /* a length distribution file, or NULL */
	const char *engine;      /* --engine NAME|FILE, or NULL */
	double arrival_rate;     /* --arrival-rate: open loop, requests/s (0: closed loop at --batch) */
	int pin_weights, pin_kv, pin_context;
};

/*
 * Read a planner target into *out: a quantity of `kind` in (0, max].  Zero
 * would drop the target without a word (and a rate of 0 is no workload);
 * beyond `max` it is a slip of units, not a target.  Returns 1, or -1 with a
 * usage error naming the option and the range in `want`.
 */
static int plan_target(struct cli *c, const char *name, const char *v, int kind, double max,
		       const char *want, double *out)
{
	double x;

	if (cli_number(c, name, v, kind, &x) < 0)
		return -1;
	if (!(x > 0 && x <= max)) {
		err_set(&c->err, EXIT_USAGE, "'%s' expects %s, got '%s'", name, want, v);
		return -1;
	}
	*out = x;
	return 1;
}

/* Latency targets are seconds to minutes: an hour (3600 s) per token or to
 * the first token is no target but a slip of units. */
#define PLAN_MAX_TARGET_S 3600

static int plan_parse(struct cli *c, struct plan_args *a, struct planner *pl)
{
	const char *v;
	int r;

	pl->slo.ttft_s = pl->slo.tpot_s = NAN;
	pl->disaggregation = -1;
	while (cli_more(c)) {
		if (cli_common(c))
			continue;
		if ((r = cli_opt(c, "--rate", &v)) != 0) {
			if (r > 0 && plan_target(c, "--rate", v, UNIT_COUNT, 1e9,
						 "requests per second above 0 and at most 1e9", &pl->slo.rate) > 0)
				pl->on = 1;
		} else if ((r = cli_opt(c, "--tokens-per-day", &v)) != 0) {
			if (r > 0 && plan_target(c, "--tokens-per-day", v, UNIT_COUNT, 1e18,
						 "tokens a day above 0 and at most 1e18", &pl->tokens_per_day) > 0)
				pl->on = 1;
		} else if ((r = cli_opt(c, "--ttft", &v)) != 0) {
			if (r > 0 && plan_target(c, "--ttft", v, UNIT_TIME, PLAN_MAX_TARGET_S,
						 "a time above 0 and at most 3600s, such as 2s or 500ms", &pl->slo.ttft_s) > 0)
				pl->on = 1;
		} else if ((r = cli_opt(c, "--tpot", &v)) != 0) {
			if (r > 0 && plan_target(c, "--tpot", v, UNIT_TIME, PLAN_MAX_TARGET_S,
						 "a time above 0 and at most 3600s, such as 50ms", &pl->slo.tpot_s) > 0)
				pl->on = 1;
		} else if ((r = cli_opt(c, "--tps-user", &v)) != 0) {
			/* 1/X is the TPOT target: the same hour at most */
			if (r > 0 && plan_target(c, "--tps-user", v, UNIT_PLAIN, 1e6,
						 "tokens/s per user above 0 and at most 1e6", &pl->tps_user) > 0) {
				pl->on = 1;
				if (1 / pl->tps_user > PLAN_MAX_TARGET_S)
					err_set(&c->err, EXIT_USAGE,
						"'--tps-user %s' is a TPOT over 3600 s: expected at least 1/3600 tokens/s per user", v);
			}
		} else if ((r = cli_opt(c, "--objective", &v)) != 0) {
			if (r <= 0)
				continue;
			pl->objective = !strcmp(v, "cost") ? OBJ_COST : !strcmp(v, "gpus") ? OBJ_GPUS :
					!strcmp(v, "power") ? OBJ_POWER : (enum objective)-1;
			if ((int)pl->objective < 0)
				err_set(&c->err, EXIT_USAGE, "'--objective' expects cost, gpus or power, got '%s'", v);
		} else if ((r = cli_opt(c, "--disaggregation", &v)) != 0) {
			if (r <= 0)
				continue;
			pl->disaggregation = !strcmp(v, "auto") ? -1 : !strcmp(v, "on") ? 1 : !strcmp(v, "off") ? 0 : -2;
			if (pl->disaggregation == -2)
				err_set(&c->err, EXIT_USAGE, "'--disaggregation' expects auto, on or off, got '%s'", v);
		} else if ((r = cli_opt(c, "--workload", &v)) != 0) {
			if (r > 0) {
				pl->workload = v;
				pl->on = 1;
			}
		} else if ((r = cli_opt(c, "--engine", &v)) != 0) {
			if (r > 0 && !*v)
				err_set(&c->err, EXIT_USAGE, "'--engine' needs a card: sglang, vllm, trtllm or a file");
			else if (r > 0)
				pl->engine = v;
		} else if ((r = cli_opt(c, "--arrival-rate", &v)) != 0) {
			if (r > 0)
				plan_target(c, "--arrival-rate", v, UNIT_COUNT, 1e9,
					    "requests per second above 0 and at most 1e9", &pl->arrival_rate);
		} else if ((r = cli_opt(c, "--emit", &v)) != 0) {
			if (r > 0 && strcmp(v, "vllm") && strcmp(v, "sglang"))
				err_set(&c->err, EXIT_USAGE, "'--emit' expects vllm or sglang, got '%s'", v);
			else if (r > 0)
				pl->emit = v;
		} else if (!plan_cli_take(c, a)) {
			cli_unknown(c);
		}
	}
	if (c->err.code)
		return c->err.code;
	if (pl->tps_user > 0) {
		if (!isnan(pl->slo.tpot_s))
			return err_set(&c->err, EXIT_USAGE, "give '--tpot' or '--tps-user', not both");
		pl->slo.tpot_s = 1 / pl->tps_user;
	}
	if (pl->emit && !pl->on)
		return err_set(&c->err, EXIT_USAGE, "'--emit' needs a workload to plan for: '--rate' or '--tokens-per-day'");
	if (pl->arrival_rate > 0 && !pl->engine)
		return err_set(&c->err, EXIT_USAGE,
			       "'--arrival-rate' prices an open loop under an engine: give '--engine' too");
	if (pl->engine && pl->on)
		return err_set(&c->err, EXIT_USAGE,
			       "'--engine' prices one deployment under load; the planner's search does not take it yet");
	return 0;
}

/* Was option `name` given on the command line? */
static int plan_given(const struct plan_args *a, const char *name)
{
	int i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->set[i].o->name, name) == 0)
			return 1;
	return 0;
}

/* Load engine card `name` and set what it sets in d on h (the step budget
 * unless --prefill-tokens was given). */
static int plan_engine(struct cli *c, const char *name, const struct plan_args *a, const struct hw *h,
		       struct engine *g, struct deployment *d)
{
	char path[1024];
	double chunk = d->w.prefill_tokens;

	if (cards_resolve(CARD_ENGINE, name, path, sizeof path, &c->err))
		return c->err.code;
	infile_note(path, "--engine");
	if (engine_load(path, g, &c->err))
		return c->err.code;
	serve_engine_apply(g, h, d);
	if (plan_given(a, "--prefill-tokens"))
		d->w.prefill_tokens = chunk;
	return 0;
}

/* The plan's serving section under engine g: people's lines. */
static void plan_serving_table(struct sbuf *b, const struct plan *p, const struct engine *g,
			       const struct serve_result *r)
{
	const struct workload *w = &p->dep.w;

	if (r->saturated) {
		sbuf_printf(b, "\nunder load: %s, open loop at %g requests/s: no steady state (the KV cache or the prefill\n"
			    "  load runs out); the deployment sustains at most %.4g requests/s\n",
			    g->display, r->arrival_rate, r->max_rate);
		sbuf_printf(b, "  engine card         %s (%s)\n", g->path, g->fitted_on[0] ? g->fitted_on : "no fit recorded");
		return;
	}
	if (r->arrival_rate > 0)
		sbuf_printf(b, "\nunder load: %s, open loop at %g requests/s: %.3g in flight per attention group (x %g dp, Little's law), %g-token steps\n",
			    g->display, r->arrival_rate, r->running, p->dep.dp, w->prefill_tokens);
	else
		sbuf_printf(b, "\nunder load: %s, %g requests in flight per attention group (x %g dp), closed loop, %g-token steps\n",
			    g->display, w->batch, p->dep.dp, w->prefill_tokens);
	if (r->arrival_rate > 0)
		sbuf_printf(b, "  TTFT                %.1f ms (prefill and its M/D/1 queue at load %.2f; %.1f ms per request)\n",
			    1e3 * r->ttft_s, r->rho, 1e3 * g->request_overhead_s);
	else
		sbuf_printf(b, "  TTFT                %.1f ms (spread %.1f ms, first burst %.1f ms, 1/%.3g of requests; %.1f ms per request)\n",
			    1e3 * r->ttft_s, 1e3 * r->steady_ttft_s, 1e3 * r->burst_ttft_s, g->bench_waves,
			    1e3 * g->request_overhead_s);
	sbuf_printf(b, "  TPOT                %.3f ms (%.0f of %g steps carry prefill, load %.2f; %.3f ms host per step)\n",
		    1e3 * r->tpot_s, r->mixed_steps, w->osl, r->rho,
		    1e3 * (g->step_overhead_s + g->step_seq_s * r->running));
	if (r->waiting > 0)
		sbuf_printf(b, "  KV cache            holds %g: %g wait for a slot\n", r->running, r->waiting);
	sbuf_printf(b, "  engine card         %s (%s)\n", g->path, g->fitted_on[0] ? g->fitted_on : "no fit recorded");
}

static void plan_serving_json(cJSON *o, const struct engine *g, const struct serve_result *r)
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
	report_num(x, "burst_ttft_s", r->burst_ttft_s);
	report_num(x, "running_per_group", r->running);
	report_num(x, "waiting_per_group", r->waiting);
	report_num(x, "mixed_steps", r->mixed_steps);
	report_num(x, "prefill_load", r->rho);
	cJSON_AddStringToObject(x, "engine_fit", g->fitted_on);
}

/*
 * Read a length distribution: one request class a line, "ISL OSL [WEIGHT]"
 * (spaces or commas; '#' starts a comment; weights default to 1 and are
 * normalised).  Sets the weighted means into d.  Returns 0 or EXIT_INPUT
 * naming the file and line.
 */
static int plan_read_workload(struct cli *c, const char *path, struct slo *slo,
			      struct deployment *d)
{
	FILE *f = infile_open(path, &c->err);   /* a FIFO or /dev/zero is refused */
	char line[512];
	double total = 0, isl = 0, osl = 0;
	int n = 0, i;

	if (!f)
		return c->err.code;
	infile_note(path, "--workload");
	while (fgets(line, sizeof line, f)) {
		struct request_class k = {0, 0, 1};
		double *field[3] = {&k.isl, &k.osl, &k.weight};
		char *p, *save = NULL, *end, *bad = NULL;
		int got = 0;
		n++;
		if (!strchr(line, '\n') && !feof(f)) {
			fclose(f);
			return err_set(&c->err, EXIT_INPUT, "%s:%d: line longer than %d characters: expected 'ISL OSL [WEIGHT]'",
				       path, n, (int)sizeof line - 2);
		}
		if ((end = strchr(line, '#')) != NULL)
			*end = 0;
		/* every field whole: sscanf took "100 200 1 extra" and "200x" and
		 * hex; units_parse takes a decimal number and nothing after it */
		for (p = strtok_r(line, " ,\t\r\n", &save); p; p = strtok_r(NULL, " ,\t\r\n", &save)) {
			struct err ignore;
			if (got < 3 && !bad && units_parse(p, UNIT_PLAIN, "ISL", field[got], &ignore))
				bad = p;
			got++;
		}
		if (got == 0)
			continue;
		if (got > 3 || bad) {
			fclose(f);
			if (got > 3)
				return err_set(&c->err, EXIT_INPUT, "%s:%d: expected 'ISL OSL [WEIGHT]', got %d fields",
					       path, n, got);
			return err_set(&c->err, EXIT_INPUT,
				       "%s:%d: expected 'ISL OSL [WEIGHT]' in decimal, got '%s'", path, n, bad);
		}
		if (got < 2 || !(k.isl >= 1 && k.isl <= 1e9 && k.isl == floor(k.isl)) ||
		    !(k.osl >= 1 && k.osl <= 1e9 && k.osl == floor(k.osl)) ||
		    !(k.weight > 0 && k.weight <= 1e12)) {
			fclose(f);
			return err_set(&c->err, EXIT_INPUT,
				       "%s:%d: expected 'ISL OSL [WEIGHT]' with whole token counts from 1 to 1e9 and a positive weight",
				       path, n);
		}
		if (slo->nclasses == SEARCH_MAX_CLASSES) {
			fclose(f);
			return err_set(&c->err, EXIT_INPUT, "%s: at most %d request classes", path, SEARCH_MAX_CLASSES);
		}
		slo->classes[slo->nclasses++] = k;
		total += k.weight;
	}
	fclose(f);
	if (slo->nclasses == 0)
		return err_set(&c->err, EXIT_INPUT, "%s: no request class ('ISL OSL [WEIGHT]' lines)", path);
	for (i = 0; i < slo->nclasses; i++) {
		slo->classes[i].weight /= total;
		isl += slo->classes[i].weight * slo->classes[i].isl;
		osl += slo->classes[i].weight * slo->classes[i].osl;
	}
	d->w.isl = round(isl);
	d->w.osl = round(osl);
	return 0;
}

/* Which options did the user pin (the search then keeps them)?  The last
 * value of an option given twice wins, as in plan_cli_apply. */
static void plan_pins(const struct plan_args *a, struct planner *pl, struct search_space *sp)
{
	static const struct {
		const char *name;
		size_t off;
	} pins[] = {
		{"--tp", offsetof(struct search_space, pin_tp)},
		{"--dp", offsetof(struct search_space, pin_dp)},
		{"--ep", offsetof(struct search_space, pin_ep)},
		{"--pp", offsetof(struct search_space, pin_pp)},
		{"--micro-batches", offsetof(struct search_space, pin_mb)},
		{"--mtp", offsetof(struct search_space, pin_mtp)},
		{"--batch", offsetof(struct search_space, pin_batch)},
	};
	size_t k;
	int i;

	for (i = 0; i < a->n; i++) {
		const char *n = a->set[i].o->name;
		pl->pin_weights |= !strcmp(n, "--weights");
		pl->pin_kv |= !strcmp(n, "--kv-dtype");
		pl->pin_context |= !strcmp(n, "--context");
		for (k = 0; k < sizeof pins / sizeof pins[0]; k++)
			if (!strcmp(n, pins[k].name))
				/* cppcheck-suppress invalidPointerCast ; a double field, found by its offsetof */
				*(double *)((char *)sp + pins[k].off) = a->set[i].v;
	}
}

static const char *const objective_names[] = {"cost ($/day)", "GPUs", "facility power"};

static void plan_table_candidate(struct sbuf *b, const char *title, const struct candidate *c,
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
static void plan_emit(struct sbuf *b, const char *engine, const struct model *m, const struct candidate *c)
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

static cJSON *plan_json_candidate(const struct candidate *c, const struct hw *hws)
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

static cJSON *plan_json_search(const struct search_result *r, const struct hw *hws,
			       const struct planner *pl)
{
	cJSON *o = cJSON_CreateObject(), *x, *arr;
	int i;

	x = cJSON_AddObjectToObject(o, "workload");
	report_num(x, "rate_per_s", pl->slo.rate);
	report_num(x, "ttft_s", pl->slo.ttft_s);
	report_num(x, "tpot_s", pl->slo.tpot_s);
	cJSON_AddBoolToObject(o, "feasible", r->found);
	if (r->found) {
		cJSON_AddItemToObject(o, "deployment", plan_json_candidate(&r->best, hws));
		x = cJSON_AddObjectToObject(o, "cost");
		report_num(x, "usd_per_day", r->best.usd_per_day);
		x = cJSON_AddObjectToObject(o, "latency");
		report_num(x, "tpot_s", r->best.tpot_s);
		report_num(x, "ttft_s", r->best.ttft_s);
	}
	if (r->have_runner_up)
		cJSON_AddItemToObject(o, "runner_up", plan_json_candidate(&r->runner_up, hws));
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

/* The cards the cost objective could not compare, as 'a', 'b' (empty: none). */
static void plan_unpriced_names(const struct search_result *r, const struct hw *hws, char *buf, size_t n)
{
	size_t used = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < SEARCH_MAX_CARDS && used < n; i++)
		if (r->unpriced[i])
			used += (size_t)snprintf(buf + used, n - used, "%s'%s'", used ? ", " : "", hws[i].name);
}

/* The rejected family that came closest, for each reason. */
static void plan_table_rejected(struct sbuf *b, const struct search_result *r, const struct hw *hws,
				const struct planner *pl)
{
	int why, i;

	sbuf_printf(b, "\nrejected families:");
	for (why = 1; why < REJ_KINDS; why++)
		if (r->rejected_by[why])
			sbuf_printf(b, " %ld %s;", r->rejected_by[why], search_reject_plural((enum reject)why));
	sbuf_printf(b, "\n");
	if (r->rejected_by[REJ_PRICE]) {
		char names[1024];
		plan_unpriced_names(r, hws, names, sizeof names);
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
				    (why == REJ_TPOT ? pl->slo.tpot_s : pl->slo.ttft_s) * 1e3,
				    why == REJ_TPOT ? "1 (unloaded)" : "1");
	}
}

static int plan_search(struct cli *c, struct plan_args *a, struct planner *pl)
{
	static struct hw hws[SEARCH_MAX_CARDS];
	static struct search_result r;
	static struct params pc;
	static const char *w1[2], *k1[2];
	struct search_space sp;
	struct deployment base;
	struct model m;
	char list[1024], *name, *save = NULL;
	int n = 0;

	if (cli_load_model(c, NULL, &m))
		return c->err.code;
	if (!c->hw_arg)
		return err_set(&c->err, EXIT_USAGE, "the planner needs '--hw NAME[,NAME...]'");
	snprintf(list, sizeof list, "%s", c->hw_arg);
	for (name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		if (n == SEARCH_MAX_CARDS)
			return err_set(&c->err, EXIT_USAGE, "the planner takes at most %d hardware cards",
				       SEARCH_MAX_CARDS);
		if (cli_load_hw(c, name, &hws[n++]))
			return c->err.code;
	}
	plan_cli_apply(&m, a, &base);
	search_default_space(&sp);
	plan_pins(a, pl, &sp);
	if (pl->workload && plan_read_workload(c, pl->workload, &pl->slo, &base))
		return c->err.code;
	if (pl->tokens_per_day > 0)
		pl->slo.rate = pl->tokens_per_day / (base.w.isl + base.w.osl) / 86400;
	if (!pl->pin_context) {
		/* each sequence needs room for its whole length; decode reads on average
		 * the prompt and half the answer */
		base.context = base.w.isl + base.w.osl;
		base.w.context = base.w.isl + base.w.osl / 2;
	}
	sp.hws = hws;
	sp.nhws = n;
	sp.objective = pl->objective;
	sp.disaggregation = pl->disaggregation;
	w1[0] = base.weights.name;
	k1[0] = base.kv.name;
	sp.weights = w1;                     /* the model's format unless --weights says */
	sp.kvs = pl->pin_kv ? k1 : NULL;     /* bf16 and fp8 unless --kv-dtype says */
	params_count(&m, &pc);
	if (search_run(&m, &pc, &base, &pl->slo, &sp, &r, &c->err))
		return c->err.code;
	if (r.rejected_by[REJ_PRICE]) {
		/* a card left out of the comparison is said, whatever the format */
		char names[1024];
		plan_unpriced_names(&r, hws, names, sizeof names);
		fprintf(stderr, "mlasim: warning: no price for %s: %ld families not compared on cost; pass '--gpu-hour-usd' or set 'cost.gpu_hour_usd'\n",
			names, r.rejected_by[REJ_PRICE]);
	}
	if (c->format == FMT_TABLE) {
		struct sbuf *b = &c->buf;
		sbuf_printf(b, "mlasim plan: %s for %.3g requests/s (%sisl %g, osl %g, prefix hit %.0f%%)",
			    m.display, pl->slo.rate, pl->slo.nclasses ? "a distribution of lengths: mean " : "",
			    base.w.isl, base.w.osl, base.w.prefix_hit * 100);
		if (!isnan(pl->slo.ttft_s))
			sbuf_printf(b, ", TTFT <= %g s", pl->slo.ttft_s);
		if (!isnan(pl->slo.tpot_s))
			sbuf_printf(b, ", TPOT <= %g ms", pl->slo.tpot_s * 1e3);
		sbuf_printf(b, "\nobjective: %s; searched %ld families (%ld plan evaluations, %ld pruned by bound)\n\n",
			    objective_names[pl->objective], r.families, r.evaluations, r.pruned);
		if (r.found)
			plan_table_candidate(b, "best", &r.best, hws);
		else
			sbuf_printf(b, "nothing meets the targets on %s\n", c->hw_arg);
		if (r.have_runner_up) {
			sbuf_printf(b, "\n");
			plan_table_candidate(b, "runner-up", &r.runner_up, hws);
		}
		plan_table_rejected(b, &r, hws, pl);
		if (r.found && pl->emit)
			plan_emit(b, pl->emit, &m, &r.best);
	} else {
		cJSON *j = plan_json_search(&r, hws, pl);
		report_tree(&c->buf, j, c->format == FMT_CSV);
	}
	if (cli_emit(c))
		return c->err.code;
	return r.found ? EXIT_OK : EXIT_NO;
}

int cmd_plan(struct cli *c)
{
	static struct plan p, scratch;
	static struct engine g;
	struct serve_result sr;
	static struct plan_args a;
	static struct planner pl;
	struct model m;
	struct hw h;
	struct deployment d;
	cJSON *j;

	memset(&a, 0, sizeof a);
	memset(&pl, 0, sizeof pl);
	if (plan_parse(c, &a, &pl))
		return c->err.code;
	if (c->help)
		return cli_help(c);
	if (pl.on)
		return plan_search(c, &a, &pl);
	if (cli_load_model(c, NULL, &m) || cli_load_hw(c, NULL, &h))
		return c->err.code;
	plan_cli_apply(&m, &a, &d);
	if (pl.engine && plan_engine(c, pl.engine, &a, &h, &g, &d))
		return c->err.code;
	if (plan_compute(&m, &h, &d, NULL, &p, &c->err))
		return c->err.code;
	if (pl.engine && (pl.arrival_rate > 0 ? serve_open(&p, &g, pl.arrival_rate, &scratch, &sr, &c->err) :
				  serve_agg(&p, &g, &scratch, &sr, &c->err)))
		return c->err.code;
	if (c->format == FMT_TABLE) {
		plan_render_table(&c->buf, &p);
		if (pl.engine)
			plan_serving_table(&c->buf, &p, &g, &sr);
	} else {
		j = plan_render_json(&p);
		if (pl.engine)
			plan_serving_json(j, &g, &sr);
		report_tree(&c->buf, j, c->format == FMT_CSV);
	}
	if (cli_emit(c))
		return c->err.code;
	return p.mem.fits && !(pl.engine && sr.saturated) ? EXIT_OK : EXIT_NO;
}
