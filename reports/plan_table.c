/* plan_table.c - see plan_table.h */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "../sim/comm.h"
#include "plan_table.h"

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
	if (p->dep.mem_of_free)   /* TensorRT-LLM's rule (engine.h) */
		sbuf_printf(b, "  budget              %s   (kv: %.2f of what weights and reserve leave)\n",
			    gb(mem->budget_bytes, s1, sizeof s1), p->dep.mem_fraction);
	else
		sbuf_printf(b, "  budget x %.2f       %s\n", p->dep.mem_fraction, gb(mem->budget_bytes, s1, sizeof s1));
	sbuf_printf(b, "  weights             %s\n", gb(mem->weights_bytes_per_gpu, s1, sizeof s1));
	for (k = 0; k < COMP_N; k++)
		if (mem->comp_bytes_per_gpu[k] > 0)
			sbuf_printf(b, "    %-17s %s\n", params_comp_name((enum comp)k),
				    gb(mem->comp_bytes_per_gpu[k], s1, sizeof s1));
	sbuf_printf(b, "  runtime reserve     %s\n", gb(mem->reserve_bytes, s1, sizeof s1));
	sbuf_printf(b, "  kv cache            %s\n", gb(mem->kv_bytes_per_gpu, s1, sizeof s1));
	sbuf_printf(b, "  headroom            %s   (1 - mem-fraction%s: activations, graphs, fragmentation)\n\n",
		    gb(mem->free_bytes_per_gpu, s1, sizeof s1), p->dep.mem_of_free ? " of what weights and reserve leave" : "");
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
			    perf_class_is_comm(o->cls) ? "-" : kern_dtype_name(o->dtype), o->flops / 1e9,
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


static void plan_table_perf(struct sbuf *b, const struct plan *p)
{
	const struct perf *f = &p->perf;
	const struct deployment *d = &p->dep;
	const struct workload *w = &d->w;

	sbuf_printf(b, "\ndecode: batch %g per attention group of %g GPU(s), %g micro-batch(es)%s, context %g",
		    w->batch, d->tp, w->micro_batches, w->sbo ? " with single-batch overlap" : "", w->context);
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
	if (f->graph_batch != w->batch)
		sbuf_printf(b, "  cuda graph          %g sequences per attention group, the engine's next captured size: "
			    "the batch's GEMMs, MoE and collectives run padded to it\n", f->graph_batch);
	if (f->graph_eager)
		sbuf_printf(b, "  warning             %s: its decode runs without a CUDA graph, kernels at their standalone "
			    "latency, the host launching them not modelled\n",
			    w->cuda_graphs == GRAPHS_OFF ? "--cuda-graphs off" :
			    "the batch is above the engine's largest captured size");
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
		sbuf_printf(b, "  exposed             %.3f ms of the decode step's %.3f ms of all-to-all (overlap: %s)\n",
			    f->decode.a2a_exposed_s * 1e3,
			    (f->decode.t_class[OPC_EP_DISPATCH] + f->decode.t_class[OPC_EP_COMBINE]) * 1e3,
			    perf_overlap_name(perf_overlap(w)));
		sbuf_printf(b, "  busiest link        %s%s; the decode step is %snetwork-bound\n",
			    f->decode.out_bytes / fmax(f->links.out_bw, 1e-30) >
			    f->decode.up_bytes / fmax(f->links.up_bw, 1e-30) ? "scale-out (NIC)" : "scale-up",
			    f->links.cross_leaf ? ", messages cross the spine" : "",
			    perf_bound_is_comm(f->decode.bound) ? "" : "not ");
		if (w->planes_down > 0)
			sbuf_printf(b, "  planes down         %g of %g: scale-out bandwidth at %.0f%%\n", w->planes_down,
				    comm_planes(p->hw), 100 * (1 - w->planes_down / comm_planes(p->hw)));
	}
	sbuf_printf(b, "\nserving (isl %g, osl %g): disaggregated, %.3f prefill GPUs per decode GPU\n",
		    w->isl, w->osl, f->prefill_to_decode_gpus);
	plan_table_power(b, p);
}

void plan_table_render(struct sbuf *b, const struct plan *p)
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

/* The engine card, its fit, and which of its figures are in use. */
static void plan_table_engine_card(struct sbuf *b, const struct engine *g)
{
	char said[256];

	sbuf_printf(b, "  engine card         %s (%s)\n", g->path, g->fitted_on[0] ? g->fitted_on : "no fit recorded");
	sbuf_printf(b, "  engine figures      %s", engine_figures_said(g, said, sizeof said));
	if (g->version_used >= 0 && g->versions[g->version_used].fitted_on[0])
		sbuf_printf(b, " (%s)", g->versions[g->version_used].fitted_on);
	sbuf_printf(b, "\n");
}

void plan_table_serving(struct sbuf *b, const struct plan *p, const struct engine *g,
			const struct serve_result *r)
{
	const struct workload *w = &p->dep.w;

	if (r->saturated) {
		sbuf_printf(b, "\nunder load: %s, open loop at %g requests/s: no steady state (the KV cache or the prefill\n"
			    "  load runs out); the deployment sustains at most %.4g requests/s\n",
			    g->display, r->arrival_rate, r->max_rate);
		plan_table_engine_card(b, g);
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
			    1e3 * r->ttft_s, r->rho, 1e3 * r->request_s);
	else
		sbuf_printf(b, "  TTFT                %.1f ms (spread %.1f ms, first burst %.1f ms, 1/%.3g of requests; %.1f ms per request)\n",
			    1e3 * r->ttft_s, 1e3 * r->steady_ttft_s, 1e3 * r->burst_ttft_s, g->bench_waves,
			    1e3 * r->request_s);
	if (r->release_steps > 1 && r->release_steps > w->recv_interval)
		sbuf_printf(b, "  taken in            %.1f ms: balanced attention DP gives prompts out every %.3g decode steps (every group holding one, or --dp-balance-iters)\n",
			    1e3 * r->poll_wait_s, r->release_steps);
	else if (w->recv_interval > 1)
		sbuf_printf(b, "  taken in            %.1f ms: the scheduler polls every %g decode steps (--recv-interval)\n",
			    1e3 * r->poll_wait_s, w->recv_interval);
	if (w->batch_wait_iters > 0 && w->batch_wait_ratio > 0) {
		if (r->batch_held > 1)
			sbuf_printf(b, "  held back           %.1f ms: %.3g prompts held together, up to %g decode steps or %.0f tokens (--batch-wait-iters, --batch-wait-ratio)\n",
				    1e3 * r->batch_wait_s, r->batch_held, w->batch_wait_iters,
				    w->batch_wait_ratio * w->prefill_tokens);
		else
			sbuf_printf(b, "  held back           none: %s\n",
				    serve_dp_groups(p) > 1 ? "the engine does not hold prompts with attention DP" :
				    r->running <= 1 ? "nothing decodes beside a lone request" :
				    "one prompt and the decode batch reach the token bound");
	}
	sbuf_printf(b, "  TPOT                %.3f ms (%.0f of %g steps carry prefill, load %.2f; %.3f ms host per step)\n",
		    1e3 * r->tpot_s, r->mixed_steps, w->osl, r->rho,
		    1e3 * (g->step_overhead_s + g->step_seq_s * r->running));
	if (serve_dp_groups(p) > 1) {
		sbuf_printf(b, "  attention DP        %g groups meet at each MoE layer: the step waits for the slowest\n",
			    serve_dp_groups(p));
		if (r->sync_groups > 1)
			sbuf_printf(b, "                      prompts scheduled apart: prompt steps x %.3g (--dp-balance on: x 1)\n",
				    serve_sync_share(r->mixed_steps / w->osl, r->sync_groups));
		else
			sbuf_printf(b, "                      prompts balanced: in the same steps in every group\n");
		sbuf_printf(b, "                      the longest cache: decode attention x %.4g\n", r->longest);
	}
	if (r->waiting > 0)
		sbuf_printf(b, "  KV cache            holds %g: %g wait for a slot\n", r->running, r->waiting);
	plan_table_engine_card(b, g);
}
