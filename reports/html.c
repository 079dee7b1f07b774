/* html.c - see html.h */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "../sim/version.h"
#include "html.h"

#define VERSION_TEXT "mlasim " MLASIM_VERSION

void html_esc(struct sbuf *b, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" :
				  *s == '"' ? "&quot;" : *s == '\'' ? "&#39;" : NULL;
		if (!rep)
			continue;
		sbuf_add(b, run, (size_t)(s - run));
		sbuf_add(b, rep, strlen(rep));
		run = s + 1;
	}
	sbuf_add(b, run, (size_t)(s - run));
}

/* Escaped printf: the formatted text goes through html_esc. */
static void esc_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void esc_printf(struct sbuf *b, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	html_esc(b, buf);
}

/* ---- inline SVG --------------------------------------------------------- */

/* Does s start with any of the id-bearing patterns?  Returns its length. */
static size_t svg_ref(const char *s)
{
	static const char *const pat[] = {"id='", "id=\"", "href='#", "href=\"#", "url(#", NULL};
	int i;

	for (i = 0; pat[i]; i++)
		if (strncmp(s, pat[i], strlen(pat[i])) == 0)
			return strlen(pat[i]);
	return 0;
}

void html_svg(struct sbuf *b, const char *svg, const char *prefix, const char *title)
{
	const char *s = strstr(svg, "<svg"), *run;
	const char *t;

	if (!s) {
		sbuf_printf(b, "<p class=\"missing\">the chart's SVG is empty</p>\n");
		return;
	}
	/* the opening tag, with an accessible name */
	t = strchr(s, '>');
	if (!t)
		return;
	sbuf_add(b, s, (size_t)(t - s));
	sbuf_printf(b, " role=\"img\" aria-label=\"");
	html_esc(b, title);
	sbuf_printf(b, "\">\n<title>");
	html_esc(b, title);
	sbuf_printf(b, "</title>");
	s = t + 1;
	/* gnuplot's own <title>Gnuplot</title> is dropped: one title is enough */
	if ((t = strstr(s, "<title>Gnuplot</title>")) != NULL) {
		sbuf_add(b, s, (size_t)(t - s));
		s = t + strlen("<title>Gnuplot</title>");
	}
	for (run = s; *s; s++) {
		size_t n = svg_ref(s);
		if (n == 0 || (s > svg && (s[-1] != ' ' && s[-1] != ':' && s[-1] != '\t' && s[-1] != '\n' &&
					  s[-1] != '"' && s[-1] != '(' && s[-1] != '\'')))
			continue;
		sbuf_add(b, run, (size_t)(s - run) + n);
		sbuf_printf(b, "%s-", prefix);
		s += n - 1;
		run = s + 1;
	}
	sbuf_add(b, run, (size_t)(s - run));
	sbuf_printf(b, "\n");
}

/* ---- numbers ------------------------------------------------------------ */

/* A number with `sig` significant digits, "n/a" when unknown. */
static void num(struct sbuf *b, double v, int sig)
{
	if (!isfinite(v))
		sbuf_printf(b, "n/a");
	else if (fabs(v) >= 1e5 && fabs(v) < 1e15 && v == floor(v))
		sbuf_printf(b, "%.0f", v);
	else
		sbuf_printf(b, "%.*g", sig, v);
}

/* <tr><th>label</th><td class="n">value unit</td><td>note</td></tr> */
static void row(struct sbuf *b, const char *label, double v, int sig, const char *unit, const char *note)
{
	/* a label indented with two spaces is a part of the row above */
	if (strncmp(label, "  ", 2) == 0) {
		sbuf_printf(b, "<tr class=\"part\"><th>");
		label += 2;
	} else {
		sbuf_printf(b, "<tr><th>");
	}
	html_esc(b, label);
	sbuf_printf(b, "</th><td class=\"n\">");
	num(b, v, sig);
	sbuf_printf(b, "</td><td>");
	html_esc(b, unit ? unit : "");
	sbuf_printf(b, "</td><td class=\"note\">");
	html_esc(b, note ? note : "");
	sbuf_printf(b, "</td></tr>\n");
}

/* A row whose value is text. */
static void row_text(struct sbuf *b, const char *label, const char *value, const char *note)
{
	sbuf_printf(b, "<tr><th>");
	html_esc(b, label);
	sbuf_printf(b, "</th><td colspan=\"2\">");
	html_esc(b, value);
	sbuf_printf(b, "</td><td class=\"note\">");
	html_esc(b, note ? note : "");
	sbuf_printf(b, "</td></tr>\n");
}

static void table_open(struct sbuf *b, const char *cls)
{
	sbuf_printf(b, "<table class=\"kv %s\"><tbody>\n", cls ? cls : "");
}

static void table_close(struct sbuf *b)
{
	sbuf_printf(b, "</tbody></table>\n");
}

/* ---- the page ----------------------------------------------------------- */

static const char html_css[] =
":root{--ink:#1b1b1b;--muted:#5a5a5a;--rule:#dcdcdc;--accent:#0072B2;--bad:#B54A00;--good:#00785A}\n"
"*{box-sizing:border-box}\n"
"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:var(--ink);margin:0;background:#fff}\n"
"header{padding:22px 32px 12px;border-bottom:3px solid var(--accent)}\n"
"header p{margin:2px 0}\n"
"main{max-width:1180px;margin:0 auto;padding:4px 32px 48px}\n"
"h1{font-size:25px;margin:0 0 4px}\n"
"h2{font-size:20px;margin:34px 0 8px;border-bottom:1px solid var(--rule);padding-bottom:4px}\n"
"h3{font-size:16px;margin:20px 0 6px}\n"
"nav{margin:10px 0 0;font-size:14px}nav a{margin-right:14px;color:var(--accent);text-decoration:none}\n"
".sub,.note{color:var(--muted)}.note{font-size:13px}\n"
".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(175px,1fr));gap:10px;margin:16px 0}\n"
".card{border:1px solid var(--rule);border-radius:6px;padding:9px 12px}\n"
".card .v{font-size:21px;font-weight:600}.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}\n"
".no{color:var(--bad)}.yes{color:var(--good)}\n"
"table{border-collapse:collapse;margin:8px 0 16px;font-size:14px}\n"
"th,td{padding:3px 10px;border-bottom:1px solid #ececec;text-align:left;vertical-align:top}\n"
"table.kv th{font-weight:500;white-space:nowrap}\n"
"tr.part th{padding-left:26px;font-weight:400;color:var(--muted)}\n"
"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
"thead th{border-bottom:2px solid #bbb;background:#f4f4f4;font-weight:600}\n"
"table.ops tbody tr:nth-child(even),table.src tbody tr:nth-child(even){background:#fafafa}\n"
"table.ops{font-size:13px}\n"
".b-hbm{color:#0072B2}.b-compute{color:#00785A}.b-scale-up{color:#A66A00}.b-scale-out{color:#B54A00}.b-latency{color:#5a5a5a}\n"
".grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:0 28px}\n"
"figure{margin:14px 0 24px;border:1px solid var(--rule);border-radius:6px;padding:8px 8px 6px}\n"
"figure svg{width:100%;height:auto;display:block}\n"
"figcaption{color:var(--muted);font-size:13px;margin-top:6px}\n"
"figcaption b{color:var(--ink)}\n"
".missing{padding:22px;background:#fff4ec;color:#8a3b00;border-radius:4px}\n"
".warn{background:#fff4ec;border-left:4px solid var(--bad);padding:6px 10px;margin:6px 0}\n"
"code,pre{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,monospace;font-size:12.5px}\n"
"pre{background:#f6f6f6;padding:10px;overflow-x:auto;line-height:1.3}\n"
"table.src td:first-child{white-space:nowrap;font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12.5px}\n"
"table.src td{font-size:13px}\n"
"footer{color:var(--muted);font-size:12px;margin-top:40px;border-top:1px solid var(--rule);padding-top:8px}\n"
"@media print{\n"
"  @page{size:A4;margin:12mm 11mm}\n"
"  body{font-size:9.5pt;line-height:1.35}\n"
"  header{padding:0 0 6px;border-bottom-width:2px}\n"
"  main{max-width:none;padding:0}\n"
"  nav,details,.noprint{display:none}\n"
"  h2{font-size:14pt;margin-top:18px;break-after:avoid;page-break-after:avoid}\n"
"  h3{break-after:avoid;page-break-after:avoid}\n"
"  figure,.cards,table.kv,.warn{break-inside:avoid;page-break-inside:avoid}\n"
"  tr{break-inside:avoid;page-break-inside:avoid}\n"
"  figure{border:none;padding:0}\n"
"  figure svg{max-height:140mm}\n"
"  .grid2{grid-template-columns:1fr 1fr}\n"
"  table,table.ops{font-size:8pt}\n"
"  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
"  a{color:inherit;text-decoration:none}\n"
"}\n";

static void h_head(struct sbuf *b, const struct html_report_in *in)
{
	const struct plan *p = in->p;

	sbuf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<meta name=\"generator\" content=\"" VERSION_TEXT "\">\n<title>");
	esc_printf(b, "%s on %s: mlasim report", p->model->display, p->hw->display);
	sbuf_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", html_css);
}

/* The deployment in one line. */
static void deploy_line(struct sbuf *b, const struct plan *p)
{
	const struct deployment *d = &p->dep;

	esc_printf(b, "tp %g x dp %g x pp %g = %g GPUs, ep %g%s; batch %g per attention group, %g micro-batch%s; "
		   "context %g; %s weights, %s KV cache%s%s", d->tp, d->dp, d->pp, p->mem.gpus, d->ep,
		   d->redundant_experts > 0 ? " (+ redundant experts)" : "", d->w.batch, d->w.micro_batches,
		   d->w.micro_batches > 1 ? "es" : "", d->context, d->weights.name, d->kv.name,
		   d->mtp > 0 ? "; MTP" : "", d->w.ideal ? "; --ideal" : "");
}

static void h_header(struct sbuf *b, const struct html_report_in *in)
{
	const struct plan *p = in->p;

	sbuf_printf(b, "<header>\n<h1>");
	esc_printf(b, "%s on %s", p->model->display, p->hw->display);
	sbuf_printf(b, "</h1>\n<p class=\"sub\">");
	deploy_line(b, p);
	sbuf_printf(b, "</p>\n");
	if (in->command) {
		sbuf_printf(b, "<p class=\"sub\">reproduce: <code>");
		html_esc(b, in->command);
		sbuf_printf(b, "</code></p>\n");
	}
	sbuf_printf(b, "<nav class=\"noprint\"><a href=\"#summary\">summary</a><a href=\"#model\">model</a>"
		    "<a href=\"#memory\">memory</a><a href=\"#perf\">latency and throughput</a>"
		    "<a href=\"#network\">network</a><a href=\"#power\">power</a><a href=\"#cost\">cost</a>"
		    "<a href=\"#sources\">assumptions and sources</a></nav>\n</header>\n<main>\n");
}

static void card(struct sbuf *b, const char *k, const char *cls, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void card(struct sbuf *b, const char *k, const char *cls, const char *fmt, ...)
{
	char v[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof v, fmt, ap);
	va_end(ap);
	sbuf_printf(b, "<div class=\"card\"><div class=\"k\">");
	html_esc(b, k);
	sbuf_printf(b, "</div><div class=\"v %s\">", cls ? cls : "");
	html_esc(b, v);
	sbuf_printf(b, "</div></div>\n");
}

static void h_summary(struct sbuf *b, const struct html_report_in *in)
{
	const struct plan *p = in->p;
	const struct perf *f = &p->perf;
	const struct power *w = &p->power;

	sbuf_printf(b, "<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n");
	if (p->mem.fits)
		card(b, "sequences per GPU (fits)", "yes", "%.3g of %g tokens", p->mem.max_sequences_per_gpu, p->dep.context);
	else
		card(b, "fits", "no", "does not fit");
	card(b, "TPOT", NULL, "%.3g ms", f->tpot_s * 1e3);
	card(b, "decode tokens/s per GPU", NULL, "%.4g", f->decode_tps_gpu);
	card(b, "tokens/s per user", NULL, "%.3g", f->decode_tps_user);
	card(b, "TTFT", NULL, "%.4g ms", f->ttft_s * 1e3);
	card(b, "decode bound", NULL, "%s", perf_bound_name(f->decode.bound));
	card(b, "GPU power", NULL, "%.0f W", w->gpu_w);
	if (isfinite(w->usd_per_mtok_output))
		card(b, "$ per M output tokens", NULL, "$%.3g", w->usd_per_mtok_output);
	else
		card(b, "$ per M output tokens", NULL, "no price");
	sbuf_printf(b, "</div>\n");
	if (!p->mem.fits)
		sbuf_printf(b, "<p class=\"warn\">%s</p>\n", p->mem.kv_bytes_per_gpu <= 0 ?
			    "The weights and the runtime reserve exceed the memory budget: the model does not fit this deployment." :
			    "Not even one sequence of the context fits the KV cache left after the weights.");
	else if (!p->batch_fits)
		sbuf_printf(b, "<p class=\"warn\">The decode batch (%g x pp %g sequences of %g tokens) does not fit the KV cache: "
			    "at most %.0f per attention group.</p>\n", p->dep.w.batch, p->dep.pp, p->dep.context,
			    p->mem.max_sequences_per_instance / p->dep.dp);
	sbuf_printf(b, "</section>\n");
}

/* The figures of one section. */
static void h_charts(struct sbuf *b, const struct html_report_in *in, const char *section)
{
	int i;

	for (i = 0; i < in->ncharts; i++) {
		const struct html_chart *ch = &in->charts[i];
		if (strcmp(ch->section, section) != 0)
			continue;
		sbuf_printf(b, "<figure id=\"fig-%s\">\n", ch->id);
		if (ch->svg)
			html_svg(b, ch->svg, ch->id, ch->title);
		else {
			sbuf_printf(b, "<div class=\"missing\">chart not drawn: ");
			html_esc(b, ch->missing ? ch->missing : "unknown reason");
			sbuf_printf(b, "</div>\n");
		}
		sbuf_printf(b, "<figcaption><b>");
		html_esc(b, ch->title);
		sbuf_printf(b, ".</b> ");
		html_esc(b, ch->caption ? ch->caption : "");
		sbuf_printf(b, "</figcaption>\n</figure>\n");
	}
}

static void h_model(struct sbuf *b, const struct html_report_in *in)
{
	const struct plan *p = in->p;
	const struct model *m = p->model;
	const struct params *q = p->params;
	char t[256];

	sbuf_printf(b, "<section id=\"model\">\n<h2>Model</h2>\n");
	table_open(b, NULL);
	snprintf(t, sizeof t, "%s (%s)", m->display, m->model_type);
	row_text(b, "model", t, m->path);
	snprintf(t, sizeof t, "%s%s", model_attn_name(m->attn), m->is_moe ? ", mixture of experts" : ", dense");
	row_text(b, "architecture", t, NULL);
	row(b, "layers", m->layers, 6, "", m->is_moe ? "main layers (MoE and dense)" : "main layers");
	row(b, "parameters, total", q->total / 1e9, 5, "B",
	    "main model with embedding and output head, without MTP");
	if (m->is_moe) {
		snprintf(t, sizeof t, "routed experts %g of %g; input embedding excluded", m->top_k, m->experts);
		row(b, "parameters, active per token", q->active / 1e9, 5, "B", t);
		row(b, "active with the embedding", q->active_with_embedding / 1e9, 5, "B", NULL);
	}
	if (m->mtp_layers > 0)
		row(b, "MTP module(s)", q->mtp_total / 1e9, 4, "B", p->dep.mtp > 0 ? "loaded" : "not loaded (--mtp 1 loads it)");
	snprintf(t, sizeof t, "%s linear layers; embedding, head, norms and router in bf16", p->dep.weights.name);
	row(b, "weights", p->weights_bytes_total / 1e9, 5, "GB", t);
	snprintf(t, sizeof t, "%s: %g layers x %g B", p->dep.kv.name, p->kv_layers, p->kv_bytes_per_layer);
	row(b, "KV cache per token", p->kv_bytes_per_token, 8, "B", t);
	table_close(b);
	sbuf_printf(b, "</section>\n");
}

static void h_memory(struct sbuf *b, const struct html_report_in *in)
{
	const struct plan *p = in->p;
	const struct memory *mem = &p->mem;
	char t[256];
	int k;

	sbuf_printf(b, "<section id=\"memory\">\n<h2>Memory per GPU</h2>\n");
	sbuf_printf(b, "<p class=\"note\">GB = 10<sup>9</sup> B%s.</p>\n",
		    mem->stages > 1 ? "; the heaviest pipeline stage" : "");
	sbuf_printf(b, "<div class=\"grid2\"><div>\n");
	table_open(b, NULL);
	row(b, "usable HBM", mem->hbm_usable_bytes / 1e9, 5, "GB", NULL);
	snprintf(t, sizeof t, "usable x mem-fraction %.2f", p->dep.mem_fraction);
	row(b, "budget", mem->budget_bytes / 1e9, 5, "GB", t);
	row(b, "weights", mem->weights_bytes_per_gpu / 1e9, 5, "GB", NULL);
	for (k = 0; k < COMP_N; k++)
		if (mem->comp_bytes_per_gpu[k] > 0) {
			snprintf(t, sizeof t, "  %s", params_comp_name((enum comp)k));
			row(b, t, mem->comp_bytes_per_gpu[k] / 1e9, 4, "GB", NULL);
		}
	row(b, "runtime reserve", mem->reserve_bytes / 1e9, 4, "GB", "CUDA context, workspaces, NCCL buffers");
	row(b, "KV cache", mem->kv_bytes_per_gpu / 1e9, 5, "GB", NULL);
	row(b, "headroom", mem->free_bytes_per_gpu / 1e9, 4, "GB", "1 - mem-fraction: activations, graphs, fragmentation");
	table_close(b);
	sbuf_printf(b, "</div><div>\n");
	table_open(b, NULL);
	if (p->model->is_moe)
		row(b, "experts per GPU", mem->experts_per_gpu, 5, "", mem->moe_tp > 1 ? "each split further (MoE tensor parallel)" : NULL);
	row(b, "KV per token per GPU", mem->kv_bytes_per_token_per_gpu, 8, "B",
	    p->model->attn == ATTN_MLA && p->dep.tp > 1 ? "the MLA latent is replicated on every TP rank" : NULL);
	row(b, "KV tokens per instance", mem->max_tokens_per_instance, 6, "tokens", NULL);
	row(b, "KV tokens per GPU", mem->max_tokens_per_gpu, 6, "tokens", NULL);
	snprintf(t, sizeof t, "sequences of %g tokens", p->dep.context);
	row(b, t, mem->max_sequences_per_instance, 6, "per instance", NULL);
	row(b, "", mem->max_sequences_per_gpu, 4, "per GPU", NULL);
	row_text(b, "fits", mem->fits ? "yes" : "no", NULL);
	table_close(b);
	sbuf_printf(b, "</div></div>\n");
	h_charts(b, in, "memory");
	sbuf_printf(b, "</section>\n");
}

static void h_classes(struct sbuf *b, const struct plan *p)
{
	const struct phase *dec = &p->perf.decode, *pre = &p->perf.prefill;
	int k;

	sbuf_printf(b, "<table class=\"ops\"><thead><tr><th>time by class (before overlap)</th>"
		    "<th class=\"n\">decode ms/step</th><th class=\"n\">share</th>"
		    "<th class=\"n\">prefill ms/step</th><th class=\"n\">share</th></tr></thead><tbody>\n");
	for (k = 0; k < OPC_CLASSES; k++) {
		if (!(dec->t_class[k] > 0) && !(pre->t_class[k] > 0))
			continue;
		sbuf_printf(b, "<tr><td>%s</td><td class=\"n\">%.4g</td><td class=\"n\">%.1f%%</td>"
			    "<td class=\"n\">%.4g</td><td class=\"n\">%.1f%%</td></tr>\n",
			    perf_class_name((enum opclass)k), dec->t_class[k] * 1e3,
			    100 * dec->t_class[k] / dec->t_step, pre->t_class[k] * 1e3,
			    pre->nops ? 100 * pre->t_class[k] / pre->t_step : 0.0);
	}
	sbuf_printf(b, "<tr><th>step (overlap applied)</th><th class=\"n\">%.4g</th><th></th><th class=\"n\">%.4g</th><th></th></tr>\n",
		    dec->t_step * 1e3, pre->t_step * 1e3);
	sbuf_printf(b, "</tbody></table>\n");
}

static void h_ops(struct sbuf *b, const struct model *m, const struct phase *ph, const char *what)
{
	char name[64];
	int i;

	sbuf_printf(b, "<h3>%s: operator by operator (per GPU)</h3>\n", what);
	sbuf_printf(b, "<table class=\"ops\"><thead><tr><th>layer</th><th>operator</th><th class=\"n\">x per step</th>"
		    "<th>dtype</th><th class=\"n\">GFLOP</th><th class=\"n\">MB</th><th class=\"n\">FLOP/B</th>"
		    "<th class=\"n\">&micro;s each</th><th class=\"n\">ms/step</th><th class=\"n\">share</th><th>bound</th></tr></thead><tbody>\n");
	for (i = 0; i < ph->nops; i++) {
		const struct op *o = &ph->op[i];
		const char *bn = perf_bound_name(o->bound);
		const char *l = params_layer_name(m, (enum layer_kind)o->layer, name, sizeof name);
		sbuf_printf(b, "<tr><td>");
		html_esc(b, strcmp(l, "global") == 0 ? "-" : l);
		sbuf_printf(b, "</td><td>");
		html_esc(b, o->name);
		sbuf_printf(b, "</td><td class=\"n\">%g</td><td>%s</td><td class=\"n\">%.4g</td><td class=\"n\">%.4g</td>"
			    "<td class=\"n\">", o->count, perf_class_is_comm(o->cls) ? "-" : kern_dtype_name(o->dtype),
			    o->flops / 1e9, o->bytes / 1e6);
		if (!perf_class_is_comm(o->cls) && o->bytes > 0 && o->flops > 0)
			sbuf_printf(b, "%.4g", o->flops / o->bytes);
		else
			sbuf_printf(b, "-");
		sbuf_printf(b, "</td><td class=\"n\">%.4g</td><td class=\"n\">%.4g</td><td class=\"n\">%.1f%%</td>"
			    "<td class=\"b-%s\">%s</td></tr>\n", o->t * 1e6, o->t * o->count * 1e3,
			    ph->t_step > 0 ? 100 * o->t * o->count / ph->t_step : 0.0, bn, bn);
	}
	sbuf_printf(b, "</tbody></table>\n");
}

static void h_perf(struct sbuf *b, const struct html_report_in *in)
{
	const struct plan *p = in->p;
	const struct perf *f = &p->perf;
	const struct deployment *d = &p->dep;
	char t[256];

	sbuf_printf(b, "<section id=\"perf\">\n<h2>Latency and throughput</h2>\n<div class=\"grid2\"><div>\n");
	sbuf_printf(b, "<h3>Decode</h3>\n");
	table_open(b, NULL);
	snprintf(t, sizeof t, "per attention group of %g GPU(s), %g micro-batch(es)", d->tp, d->w.micro_batches);
	row(b, "batch", d->w.batch, 6, "sequences", t);
	row(b, "context", d->w.context, 8, "tokens", NULL);
	if (d->w.mtp_depth > 0) {
		snprintf(t, sizeof t, "MTP depth %g at acceptance %.2f", d->w.mtp_depth, d->w.mtp_accept);
		row(b, "tokens per step", f->tokens_per_step, 4, "per sequence", t);
	}
	row(b, "TPOT", f->tpot_s * 1e3, 4, "ms", NULL);
	row(b, "tokens/s per user", f->decode_tps_user, 4, "", NULL);
	row(b, "tokens/s per GPU", f->decode_tps_gpu, 5, "", NULL);
	row(b, "step", f->decode.t_step * 1e3, 4, "ms", f->decode.overlapped ? "all-to-all overlapped with compute" : NULL);
	row_text(b, "bound", perf_bound_name(f->decode.bound), "the largest share of the step");
	table_close(b);
	sbuf_printf(b, "</div><div>\n<h3>Prefill</h3>\n");
	table_open(b, NULL);
	row(b, "prompt", d->w.isl, 8, "tokens", NULL);
	snprintf(t, sizeof t, "prefix hit %.0f%%", d->w.prefix_hit * 100);
	row(b, "new tokens per request", f->prefill_new_tokens, 8, "tokens", t);
	row(b, "tokens per step", d->w.prefill_tokens, 8, "per attention group", NULL);
	row(b, "TTFT", f->ttft_s * 1e3, 4, "ms", NULL);
	row(b, "tokens/s per GPU", f->prefill_tps_gpu, 5, "", NULL);
	row_text(b, "bound", perf_bound_name(f->prefill.bound), NULL);
	snprintf(t, sizeof t, "disaggregated serving, isl %g, osl %g", d->w.isl, d->w.osl);
	row(b, "prefill GPUs per decode GPU", f->prefill_to_decode_gpus, 4, "", t);
	table_close(b);
	sbuf_printf(b, "</div></div>\n");
	h_classes(b, p);
	h_charts(b, in, "perf");
	h_ops(b, p->model, &f->decode, "Decode");
	if (f->prefill.nops > 0)
		h_ops(b, p->model, &f->prefill, "Prefill");
	sbuf_printf(b, "</section>\n");
}

static void h_network(struct sbuf *b, const struct html_report_in *in)
{
	const struct plan *p = in->p;
	const struct perf *f = &p->perf;
	const struct hw *h = p->hw;
	const struct deployment *d = &p->dep;

	sbuf_printf(b, "<section id=\"network\">\n<h2>Network</h2>\n<div class=\"grid2\"><div>\n<h3>Links</h3>\n");
	table_open(b, NULL);
	row_text(b, "scale-up", h->scale_up.technology[0] ? h->scale_up.technology : "n/a", NULL);
	row(b, "  domain", f->links.up_domain, 6, "GPUs", NULL);
	row(b, "  bandwidth", f->links.up_bw / 1e9, 4, "GB/s per GPU per direction", "achievable");
	row(b, "  latency", f->links.up_latency_s * 1e6, 4, "\xc2\xb5s", NULL);
	row_text(b, "scale-out", h->scale_out.technology[0] ? h->scale_out.technology : "none", NULL);
	if (f->links.have_out) {
		row(b, "  bandwidth", f->links.out_bw / 1e9, 4, "GB/s per GPU per direction", "all its NICs, achievable");
		row(b, "  latency", f->links.out_latency_s * 1e6, 4, "\xc2\xb5s",
		    f->links.cross_leaf ? "messages cross the spine" : NULL);
		row(b, "  planes", comm_planes(h), 4, "", d->w.planes_down > 0 ? "some planes down (--planes-down)" : NULL);
	}
	table_close(b);
	sbuf_printf(b, "</div><div>\n<h3>Expert-parallel traffic</h3>\n");
	if (d->ep > 1) {
		table_open(b, NULL);
		row(b, "EP group", d->ep, 6, "GPUs", NULL);
		row(b, "dispatch", f->decode.dispatch_bytes / 1e6, 4, "MB", "per GPU per MoE layer per micro-batch (fp8 + scales)");
		row(b, "combine", f->decode.combine_bytes / 1e6, 4, "MB", "bf16");
		row(b, "on scale-up", f->decode.up_bytes / 1e6, 4, "MB", NULL);
		row(b, "on scale-out", f->decode.out_bytes / 1e6, 4, "MB", NULL);
		row(b, "all-to-all", f->decode.a2a_s_per_layer * 1e6, 4, "\xc2\xb5s per layer",
		    "dispatch + combine of one micro-batch");
		row_text(b, "decode network-bound", perf_bound_is_comm(f->decode.bound) ? "yes" : "no", NULL);
		table_close(b);
	} else {
		sbuf_printf(b, "<p class=\"note\">No expert parallelism (ep 1): no all-to-all.%s</p>\n",
			    d->tp > 1 ? " Tensor parallelism all-reduces over the scale-up domain." : "");
	}
	sbuf_printf(b, "</div></div>\n");
	h_charts(b, in, "network");
	sbuf_printf(b, "</section>\n");
}

static void h_power(struct sbuf *b, const struct html_report_in *in)
{
	const struct power *w = &in->p->power;
	char t[256];
	unsigned flag;

	sbuf_printf(b, "<section id=\"power\">\n<h2>Power</h2>\n");
	table_open(b, NULL);
	snprintf(t, sizeof t, "busy %.0f%% of the step%s", w->util_decode * 100,
		 w->calibrated ? "; probe-measured energies" : "");
	row(b, "GPU, decode", w->gpu_decode_w, 4, "W", t);
	snprintf(t, sizeof t, "busy %.0f%% of the step", w->util_prefill * 100);
	row(b, "GPU, prefill", w->gpu_prefill_w, 4, "W", t);
	row(b, "GPU idle / TDP", w->idle_w, 4, "W", NULL);
	row(b, "", w->tdp_w, 4, "W TDP", NULL);
	snprintf(t, sizeof t, "%g GPUs + %.0f W CPUs, memory, NICs, fans", w->node_gpus, w->node_rest_w);
	row(b, "node", w->node_kw, 4, "kW", t);
	snprintf(t, sizeof t, "%g nodes; %.4g kW at full load: %s cooling", w->nodes_per_rack, w->rack_full_kw,
		 w->liquid ? "liquid" : "air");
	row(b, "rack", w->rack_kw, 4, "kW", t);
	snprintf(t, sizeof t, "IT %.4g kW x PUE %.3g, for the instance's %g GPUs", w->it_kw, w->pue, in->p->mem.gpus);
	row(b, "facility", w->facility_kw, 4, "kW", t);
	row(b, "energy per output token", w->j_per_token_decode, 4, "J", "IT power");
	row(b, "energy per input token", w->j_per_token_prefill, 4, "J", NULL);
	row(b, "energy per request", w->j_per_request, 4, "J", NULL);
	table_close(b);
	for (flag = 1; flag <= PW_NO_PRICE; flag <<= 1)
		if (power_warning(w, flag, t, sizeof t)) {
			sbuf_printf(b, "<p class=\"warn\">");
			html_esc(b, t);
			sbuf_printf(b, "</p>\n");
		}
	h_charts(b, in, "power");
	sbuf_printf(b, "</section>\n");
}

static void h_cost(struct sbuf *b, const struct html_report_in *in)
{
	const struct power *w = &in->p->power;
	char t[128];

	sbuf_printf(b, "<section id=\"cost\">\n<h2>Cost</h2>\n");
	if (!isfinite(w->usd_per_gpu_hour)) {
		sbuf_printf(b, "<p class=\"warn\">The card gives no price (cost.gpu_hour_usd, or capex and energy): pass --gpu-hour-usd.</p>\n</section>\n");
		return;
	}
	table_open(b, NULL);
	row(b, "per GPU-hour", w->usd_per_gpu_hour, 4, "USD", w->cost_basis);
	row(b, "per million output tokens", w->usd_per_mtok_output, 4, "USD", "decode tokens/s per GPU");
	row(b, "per million input tokens", w->usd_per_mtok_input, 4, "USD", "prefill tokens/s per GPU");
	snprintf(t, sizeof t, "for %g GPUs", w->fleet_gpus);
	row(b, "per day", w->usd_per_day, 6, "USD", t);
	table_close(b);
	sbuf_printf(b, "</section>\n");
}

/* The value at dotted path `key` of the card, as compact JSON text. */
static void card_value(struct sbuf *b, const cJSON *card, const char *key)
{
	char part[128];
	const cJSON *x = card;
	const char *s = key;
	char *text;

	while (x && *s) {
		size_t n = strcspn(s, ".");
		snprintf(part, sizeof part, "%.*s", (int)(n < sizeof part ? n : sizeof part - 1), s);
		x = cJSON_IsObject(x) ? cJSON_GetObjectItemCaseSensitive(x, part) : NULL;
		s += n;
		if (*s == '.')
			s++;
	}
	if (!x) {
		sbuf_printf(b, "-");
		return;
	}
	text = cJSON_PrintUnformatted(x);
	if (text) {
		html_esc(b, text);
		cJSON_free(text);
	}
}

/* The --set that overrides `key`, or NULL. */
static const char *overridden(const struct html_report_in *in, const char *key)
{
	size_t n = strlen(key);
	int i;

	for (i = 0; i < in->nsets; i++)
		if (strncmp(in->sets[i], key, n) == 0 && in->sets[i][n] == '=')
			return in->sets[i];
	return NULL;
}

/* A JSON item of a card's notes or sources as text: strings, arrays of them. */
static void notes_list(struct sbuf *b, const cJSON *x)
{
	const cJSON *it;

	if (!x)
		return;
	sbuf_printf(b, "<ul>\n");
	if (cJSON_IsString(x)) {
		sbuf_printf(b, "<li>");
		html_esc(b, x->valuestring);
		sbuf_printf(b, "</li>\n");
	} else {
		cJSON_ArrayForEach(it, x)
			if (cJSON_IsString(it)) {
				sbuf_printf(b, "<li>");
				html_esc(b, it->valuestring);
				sbuf_printf(b, "</li>\n");
			}
	}
	sbuf_printf(b, "</ul>\n");
}

static void h_sources(struct sbuf *b, const struct html_report_in *in)
{
	const struct plan *p = in->p;
	const struct hw *h = p->hw;
	const cJSON *src = in->hw_card ? cJSON_GetObjectItemCaseSensitive(in->hw_card, "sources") : NULL;
	const cJSON *mb = in->model_card ? cJSON_GetObjectItemCaseSensitive(in->model_card, "mlasim") : NULL;
	const cJSON *it;
	char t[256];
	unsigned flag;
	int i, k;

	sbuf_printf(b, "<section id=\"sources\">\n<h2>Assumptions and sources</h2>\n");
	sbuf_printf(b, "<h3>Conventions</h3>\n<ul>\n"
		    "<li>Decimal units: 1 GB = 10<sup>9</sup> B, 1 TB/s = 10<sup>12</sup> B/s; link bandwidths per direction; FLOPS dense, not sparse.</li>\n"
		    "<li>Parameters: <i>total</i> is the main model with embedding and output head, without MTP; <i>active</i> is what one token touches (routed experts k of E), without the input embedding lookup (a tied embedding counts as the output head).</li>\n"
		    "<li>Each operator takes max(FLOPs / (dtype peak x compute efficiency), bytes / (HBM bandwidth x memory efficiency)) + a kernel latency; communication is latency + bytes x the collective's bus factor / (link bandwidth x efficiency).</li>\n"
		    "<li>Memory: KV budget = usable HBM x mem-fraction - weights - runtime reserve (vLLM, SGLang), or under TensorRT-LLM mem-fraction x (usable HBM - weights - runtime reserve); the rest of HBM is headroom.</li>\n"
		    "<li>GPU power = idle + (TDP - idle) x the share of the step at the achievable roofline; facility = IT x PUE; $/Mtok = $/GPU-hour / 3600 / tokens/s per GPU x 10<sup>6</sup>.</li>\n"
		    "</ul>\n");
	if (in->nsets > 0) {
		sbuf_printf(b, "<h3>Overrides (--set)</h3>\n<ul>\n");
		for (i = 0; i < in->nsets; i++) {
			sbuf_printf(b, "<li><code>");
			html_esc(b, in->sets[i]);
			sbuf_printf(b, "</code></li>\n");
		}
		sbuf_printf(b, "</ul>\n");
	}
	if (p->power.warnings) {
		sbuf_printf(b, "<h3>What the power and cost model had to assume</h3>\n");
		for (flag = 1; flag <= PW_NO_PRICE; flag <<= 1)
			if (power_warning(&p->power, flag, t, sizeof t)) {
				sbuf_printf(b, "<p class=\"warn\">");
				html_esc(b, t);
				sbuf_printf(b, "</p>\n");
			}
	}
	sbuf_printf(b, "<h3>Kernel model by class</h3>\n<table class=\"ops\"><thead><tr><th>kernel class</th>"
		    "<th class=\"n\">compute</th><th class=\"n\">memory</th><th class=\"n\">latency &micro;s</th>"
		    "<th class=\"n\">K floor &micro;s / block</th><th class=\"n\">blend p</th>"
		    "<th class=\"n\">softmax ns / exp</th><th>from</th></tr></thead><tbody>\n");
	for (k = 0; k < K_CLASSES; k++) {
		int borrowed = h->kern[k].calibrated == KCAL_PUBLISHED && h->calibration_borrowed_from[0];
		sbuf_printf(b, "<tr><td>%s</td><td class=\"n\">%.3g</td><td class=\"n\">%.3g</td><td class=\"n\">%.3g</td>"
			    "<td class=\"n\">%.3g</td><td class=\"n\">%.3g</td><td class=\"n\">%.3g</td><td>%s",
			    hw_kclass_name((enum kclass)k), h->kern[k].compute, h->kern[k].memory, h->kern[k].t0_s * 1e6,
			    h->kern[k].kblock_s * 1e6, h->kern[k].blend, h->kern[k].elem_s * 1e9,
			    h->kern[k].calibrated == KCAL_PUBLISHED ? "published kernel measurements" :
			    h->kern[k].calibrated ? "probe calibration" : "the card's efficiency section");
		if (borrowed) {
			sbuf_printf(b, ", borrowed from ");
			html_esc(b, h->calibration_borrowed_from);
		}
		sbuf_printf(b, "</td></tr>\n");
	}
	sbuf_printf(b, "</tbody></table>\n");
	if (p->dep.w.ideal)
		sbuf_printf(b, "<p class=\"note\">--ideal: the plan used efficiencies of 1 and no fixed latencies instead.</p>\n");
	if (h->calibration_device[0]) {
		sbuf_printf(b, "<p class=\"note\">Calibrated by the probes on ");
		html_esc(b, h->calibration_device);
		sbuf_printf(b, ".</p>\n");
	}
	if (h->ncal_sources) {
		int j;
		if (h->calibration_borrowed_from[0]) {   /* borrow.h: a sibling's fits on this card's peaks */
			sbuf_printf(b, "<p class=\"note\">Calibration borrowed from ");
			html_esc(b, h->calibration_borrowed_from);
			sbuf_printf(b, ": its fits (fractions of each roof, fixed times) on this card's own peaks. ");
			html_esc(b, h->calibration_borrow_why);
			sbuf_printf(b, "</p>\n");
		}
		sbuf_printf(b, "<p class=\"note\">Fitted to published kernel measurements%s%s:",
			    h->calibration_borrowed_from[0] ? " of " : "", h->calibration_borrowed_from);
		for (j = 0; j < h->ncal_sources; j++) {
			sbuf_printf(b, "%s ", j ? ";" : "");
			html_esc(b, h->cal_source[j]);
		}
		sbuf_printf(b, ".</p>\n");
	}

	sbuf_printf(b, "<h3>Hardware card: ");
	html_esc(b, h->display);
	sbuf_printf(b, "</h3>\n<p class=\"note\">");
	html_esc(b, h->path);
	sbuf_printf(b, "</p>\n");
	if (cJSON_IsObject(src) && src->child) {
		sbuf_printf(b, "<table class=\"src\"><thead><tr><th>key</th><th class=\"n\">value</th><th>source</th></tr></thead><tbody>\n");
		cJSON_ArrayForEach(it, src) {
			const char *ov = overridden(in, it->string);
			sbuf_printf(b, "<tr><td>");
			html_esc(b, it->string);
			sbuf_printf(b, "</td><td class=\"n\">");
			card_value(b, in->hw_card, it->string);
			sbuf_printf(b, "</td><td>");
			if (cJSON_IsString(it))
				html_esc(b, it->valuestring);
			if (ov) {
				sbuf_printf(b, " <b>(overridden: --set ");
				html_esc(b, ov);
				sbuf_printf(b, ")</b>");
			}
			sbuf_printf(b, "</td></tr>\n");
		}
		sbuf_printf(b, "</tbody></table>\n");
	} else {
		sbuf_printf(b, "<p class=\"warn\">The hardware card has no sources map.</p>\n");
	}
	if (in->hw_card && cJSON_GetObjectItemCaseSensitive(in->hw_card, "notes")) {
		sbuf_printf(b, "<h3>Notes of the hardware card</h3>\n");
		notes_list(b, cJSON_GetObjectItemCaseSensitive(in->hw_card, "notes"));
	}

	sbuf_printf(b, "<h3>Model card: ");
	html_esc(b, p->model->display);
	sbuf_printf(b, "</h3>\n<p class=\"note\">");
	html_esc(b, p->model->path);
	sbuf_printf(b, "</p>\n");
	if (mb) {
		const cJSON *pub = cJSON_GetObjectItemCaseSensitive(mb, "published");
		if (cJSON_GetObjectItemCaseSensitive(mb, "sources")) {
			sbuf_printf(b, "<p>Sources:</p>\n");
			notes_list(b, cJSON_GetObjectItemCaseSensitive(mb, "sources"));
		}
		if (cJSON_IsObject(pub)) {
			const cJSON *s = cJSON_GetObjectItemCaseSensitive(pub, "source");
			sbuf_printf(b, "<p>Published parameter counts (checked by 'mlasim validate'): %s</p>\n", "");
			table_open(b, NULL);
			row(b, "published total", p->model->published_total / 1e9, 5, "B", NULL);
			row(b, "published active", p->model->published_active / 1e9, 5, "B",
			    cJSON_IsString(s) ? s->valuestring : NULL);
			table_close(b);
		}
		if (cJSON_GetObjectItemCaseSensitive(mb, "notes")) {
			sbuf_printf(b, "<p>Notes:</p>\n");
			notes_list(b, cJSON_GetObjectItemCaseSensitive(mb, "notes"));
		}
	} else {
		sbuf_printf(b, "<p class=\"note\">A plain HuggingFace config.json: no \"mlasim\" block with sources.</p>\n");
	}
	sbuf_printf(b, "</section>\n");
}

void html_report(struct sbuf *b, const struct html_report_in *in)
{
	h_head(b, in);
	h_header(b, in);
	h_summary(b, in);
	if (in->charts_note) {
		sbuf_printf(b, "<p class=\"warn\">");
		html_esc(b, in->charts_note);
		sbuf_printf(b, "</p>\n");
	}
	h_model(b, in);
	h_memory(b, in);
	h_perf(b, in);
	h_network(b, in);
	h_power(b, in);
	h_cost(b, in);
	h_sources(b, in);
	if (in->plan_text) {
		sbuf_printf(b, "<details><summary>The plan as 'mlasim plan' prints it</summary>\n<pre>");
		html_esc(b, in->plan_text);
		sbuf_printf(b, "</pre>\n</details>\n");
	}
	sbuf_printf(b, "<footer>Written by " VERSION_TEXT ", an analytical model: every figure above is a formula of the cards "
		    "and options shown, not a measurement (except probe-calibrated efficiencies).</footer>\n");
	sbuf_printf(b, "</main>\n</body>\n</html>\n");
}
