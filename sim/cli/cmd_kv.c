/* cmd_kv.c - 'mlasim kv': KV-cache bytes per token and per context */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "cli.h"
#include "kv.h"
#include "csv.h"
#include "report.h"
#include "units.h"

#define KV_MAX_CONTEXTS 64

struct kv_args {
	struct kvfmt fmt;
	double contexts[KV_MAX_CONTEXTS];
	int ncontexts;
	double block;
	double groups;
	int compare;
	int with_mtp;
};

static int kv_parse(struct cli *c, struct kv_args *a)
{
	const char *v;
	int r;

	precision_parse_kv("bf16", "--kv-dtype", &a->fmt, &c->err);
	a->contexts[0] = 4096;
	a->contexts[1] = 32768;
	a->contexts[2] = 131072;
	a->ncontexts = 3;
	a->block = 1;
	while (cli_more(c)) {
		if ((r = cli_common(c)) != 0)
			continue;
		if ((r = cli_opt(c, "--kv-dtype", &v)) != 0) {
			if (r > 0)
				precision_parse_kv(v, "--kv-dtype", &a->fmt, &c->err);
		} else if ((r = cli_opt(c, "--context", &v)) != 0) {
			if (r > 0 && !units_parse_list(v, UNIT_COUNT, "--context", a->contexts,
						       KV_MAX_CONTEXTS, &a->ncontexts, &c->err)) {
				int i;
				for (i = 0; i < a->ncontexts; i++)
					if (a->contexts[i] < 1 || a->contexts[i] > 1e9 ||
					    a->contexts[i] != floor(a->contexts[i]))
						err_set(&c->err, EXIT_USAGE,
							"'--context' expects whole numbers from 1 to 1e9, got '%s'", v);
			}
		} else if ((r = cli_opt(c, "--kv-block", &v)) != 0) {
			if (r > 0)
				cli_count(c, "--kv-block", v, &a->block);
		} else if ((r = cli_opt(c, "--groups", &v)) != 0) {
			if (r > 0)
				cli_count(c, "--groups", v, &a->groups);
		} else if (cli_flag(c, "--compare")) {
			a->compare = 1;
		} else if (cli_flag(c, "--kv-mtp")) {
			a->with_mtp = 1;
		} else {
			cli_unknown(c);
		}
	}
	return c->err.code;
}

static void kv_describe(const struct model *m, char *buf, size_t n)
{
	if (m->attn == ATTN_MLA)
		snprintf(buf, n, "MLA: latent %g (kv_lora_rank) + RoPE key %g per layer, shared by all %g heads",
			 m->kv_lora, m->qk_rope, m->heads);
	else
		snprintf(buf, n, "%s: K and V for %g KV heads of %g dims per layer (%g query heads)",
			 model_attn_name(m->attn), m->kv_heads, m->head_dim, m->heads);
}

/* What a hybrid or windowed model holds beside the per-token cache. */
static void kv_table_fixed(struct sbuf *b, const struct model *m, const struct kv_account *acc)
{
	char s1[64], name[64];
	int k;

	if (m->index_topk > 0)
		sbuf_printf(b, "  indexer     DSA: + %g B per token per layer (fp8 key of %g + fp32 scale), in the figures above\n",
			    m->index_dim + 4, m->index_dim);
	if (acc->fixed <= 0)
		return;
	sbuf_printf(b, "  fixed       %.15g B = %s per sequence, however long:\n", acc->fixed,
		    units_fmt_bytes(acc->fixed, 0, s1, sizeof s1));
	for (k = 0; k < m->nkinds; k++)
		if (acc->window_per_token[k] > 0)
			sbuf_printf(b, "              %g %s layers hold at most %g tokens: %.15g B per token\n",
				    m->kind[k].count, model_kind_name(m, k, name, sizeof name),
				    acc->window[k], acc->window_per_token[k]);
	if (acc->state > 0)
		sbuf_printf(b, "              recurrent state (conv window + SSM/DeltaNet state, %g B elements): %.15g B\n",
			    m->state_bytes, acc->state);
}

static void kv_table(struct cli *c, const struct model *m, const struct kv_args *a,
		     double per_layer, double layers, const struct kv_account *acc,
		     const struct kv_compare *cmp)
{
	struct sbuf *b = &c->buf;
	char s1[64], s2[64], s3[64], desc[256];
	double per_token = acc->per_token;
	int i;

	kv_describe(m, desc, sizeof desc);
	sbuf_printf(b, "mlasim kv: %s (%s)\n\n", m->display, m->path);
	sbuf_printf(b, "  attention   %s\n", desc);
	sbuf_printf(b, "  layers      %g cache%s\n", layers,
		    m->mtp_layers > 0 ? (a->with_mtp ? " (main + MTP layers)" :
					 " (main layers; MTP layers not counted, --kv-mtp adds them)") : "");
	if (a->fmt.flashmla)
		sbuf_printf(b, "  kv dtype    fp8-flashmla (fp8 latent + fp32 scale per 128 + bf16 RoPE)\n");
	else
		sbuf_printf(b, "  kv dtype    %s (%.15g bits per element)\n", a->fmt.name, a->fmt.bits);
	sbuf_printf(b, "  per layer   %g elements, %s\n", kv_elements_per_layer(m),
		    units_fmt_bytes(per_layer, 0, s1, sizeof s1));
	sbuf_printf(b, "  per token   %g elements, %.15g B = %s = %s\n",
		    kv_elements_per_layer(m) * layers, per_token,
		    units_fmt_bytes(per_token, 0, s2, sizeof s2),
		    units_fmt_bytes(per_token, 1, s3, sizeof s3));
	kv_table_fixed(b, m, acc);
	sbuf_printf(b, "\n");
	sbuf_printf(b, "  %-10s %14s %20s %12s %12s\n", "context", "tokens held",
		    "bytes/sequence", "GB", "GiB");
	for (i = 0; i < a->ncontexts; i++) {
		double held = kv_paged_tokens(a->contexts[i], a->block);
		double seq = kv_seq_bytes(acc, a->contexts[i], a->block);
		sbuf_printf(b, "  %-10s %14.0f %20.0f %12.3f %12.3f\n",
			    units_fmt_count(a->contexts[i], s1, sizeof s1), held,
			    seq, seq / 1e9, seq / 1073741824.0);
	}
	if (a->block > 1)
		sbuf_printf(b, "  (pages of %g tokens: a sequence holds whole pages)\n", a->block);
	if (!cmp)
		return;
	sbuf_printf(b, "\n  same model, other attention kinds (DeepSeek-V2 Table 1), %s:\n",
		    a->fmt.flashmla ? "fp8 elements" : a->fmt.name);
	sbuf_printf(b, "  %-5s %8s %18s %16s %10s\n", "kind", "kv heads", "elements/token",
		    "bytes/token", "vs MLA");
	for (i = 0; i < 4; i++)
		sbuf_printf(b, "  %-5s %8g %18.0f %16.0f %9.2fx\n", model_attn_name(cmp[i].attn),
			    cmp[i].groups, cmp[i].elements_per_token,
			    cmp[i].elements_per_token * a->fmt.bits / 8,
			    cmp[i].elements_per_token / cmp[3].elements_per_token);
}

static cJSON *kv_json(const struct model *m, const struct kv_args *a, double per_layer,
		      double layers, const struct kv_account *acc, const struct kv_compare *cmp)
{
	cJSON *o = cJSON_CreateObject(), *arr, *it;
	int i;

	cJSON_AddStringToObject(o, "model", m->name);
	cJSON_AddStringToObject(o, "attention", model_attn_name(m->attn));
	cJSON_AddNumberToObject(o, "layers", layers);
	cJSON_AddStringToObject(o, "kv_dtype", a->fmt.name);
	cJSON_AddNumberToObject(o, "kv_bits", a->fmt.bits);
	cJSON_AddNumberToObject(o, "kv_block", a->block);
	cJSON_AddNumberToObject(o, "kv_elements_per_layer", kv_elements_per_layer(m));
	cJSON_AddNumberToObject(o, "kv_elements_per_token", kv_elements_per_layer(m) * layers);
	cJSON_AddNumberToObject(o, "kv_bytes_per_layer", per_layer);
	cJSON_AddNumberToObject(o, "kv_bytes_per_token", acc->per_token);
	cJSON_AddNumberToObject(o, "kv_fixed_bytes_per_sequence", acc->fixed);
	cJSON_AddNumberToObject(o, "state_bytes_per_sequence", acc->state);
	arr = cJSON_AddArrayToObject(o, "contexts");
	for (i = 0; i < a->ncontexts; i++) {
		double held = kv_paged_tokens(a->contexts[i], a->block);
		it = cJSON_CreateObject();
		cJSON_AddNumberToObject(it, "context", a->contexts[i]);
		cJSON_AddNumberToObject(it, "tokens_held", held);
		cJSON_AddNumberToObject(it, "kv_bytes_per_sequence", kv_seq_bytes(acc, a->contexts[i], a->block));
		cJSON_AddItemToArray(arr, it);
	}
	if (!cmp)
		return o;
	arr = cJSON_AddArrayToObject(o, "compare");
	for (i = 0; i < 4; i++) {
		it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "attention", model_attn_name(cmp[i].attn));
		cJSON_AddNumberToObject(it, "kv_heads", cmp[i].groups);
		cJSON_AddNumberToObject(it, "kv_elements_per_token", cmp[i].elements_per_token);
		cJSON_AddNumberToObject(it, "kv_bytes_per_token",
					cmp[i].elements_per_token * a->fmt.bits / 8);
		cJSON_AddItemToArray(arr, it);
	}
	return o;
}

static void kv_csv(struct cli *c, const struct model *m, const struct kv_args *a,
		   double layers, const struct kv_account *acc)
{
	int i;

	sbuf_printf(&c->buf, "model,attention,layers,kv_dtype,kv_bytes_per_token,context,tokens_held,kv_bytes_per_sequence\n");
	for (i = 0; i < a->ncontexts; i++) {
		double held = kv_paged_tokens(a->contexts[i], a->block);
		csv_field_add(&c->buf, m->name);
		sbuf_printf(&c->buf, ",%s,%g,", model_attn_name(m->attn), layers);
		csv_field_add(&c->buf, a->fmt.name);
		sbuf_printf(&c->buf, ",%.15g,%.15g,%.15g,%.15g\n", acc->per_token,
			    a->contexts[i], held, kv_seq_bytes(acc, a->contexts[i], a->block));
	}
}

int cmd_kv(struct cli *c)
{
	struct kv_args a;
	struct model m;
	struct kv_compare cmp[4];
	struct kv_account acc;
	double per_layer, layers;
	int k;

	memset(&a, 0, sizeof a);
	if (kv_parse(c, &a))
		return c->err.code;
	if (c->help)
		return cli_help(c);
	if (cli_load_model(c, NULL, &m))
		return c->err.code;
	per_layer = kv_bytes_per_layer(&m, &a.fmt, &c->err);
	if (isnan(per_layer))
		return c->err.code;
	if (kv_account(&m, &a.fmt, 1, a.with_mtp ? m.mtp_layers : 0, &acc, &c->err))
		return c->err.code;
	layers = a.with_mtp ? m.mtp_layers : 0;    /* layers whose cache grows with context */
	for (k = 0; k < m.nkinds; k++)
		layers += m.kind[k].mix == MIX_FULL && !m.kind[k].kv_shared ? m.kind[k].count : 0;
	if (a.groups > 0 && !a.compare)
		return err_set(&c->err, EXIT_USAGE, "'--groups' sets the GQA variant of '--compare': give '--compare' too");
	/* GQA shares each KV head among heads / G query heads: G must divide the
	 * heads, and G > heads would be a "GQA" larger than MHA */
	if (a.groups > 0 && fmod(m.heads, a.groups) != 0)
		return err_set(&c->err, EXIT_USAGE,
			       "'--groups %g' must divide the %g attention heads of %s (each KV head serves heads / G of them)",
			       a.groups, m.heads, m.display);
	if (a.compare)
		kv_compare(&m, a.groups, a.with_mtp, cmp);
	if (c->format == FMT_JSON)
		report_json(&c->buf, kv_json(&m, &a, per_layer, layers, &acc, a.compare ? cmp : NULL));
	else if (c->format == FMT_CSV)
		kv_csv(c, &m, &a, layers, &acc);
	else
		kv_table(c, &m, &a, per_layer, layers, &acc, a.compare ? cmp : NULL);
	return cli_emit(c);
}
