/* kv.c - see kv.h for the formulas and their source */
#include <math.h>
#include <string.h>
#include "kv.h"

double kv_elements_per_layer(const struct model *m)
{
	if (m->attn == ATTN_MLA)
		return m->kv_lora + m->qk_rope;
	return m->kv_heads * (m->head_dim + m->v_dim);   /* K and V, as kv_attn_bytes */
}

double kv_bytes_per_layer(const struct model *m, const struct kvfmt *f, struct err *e)
{
	return kv_kind_bytes(m, &m->kind[kv_layer_kind(m)], f, e);
}

/* The latent or K and V of one token in one attention layer. */
static double kv_attn_bytes(const struct model *m, const struct layer_spec *l,
			    const struct kvfmt *f, struct err *e)
{
	if (f->flashmla) {
		if (m->attn != ATTN_MLA) {
			err_set(e, EXIT_INPUT,
				"%s: kv dtype 'fp8-flashmla' is the MLA latent layout, but this model uses %s",
				m->path, model_attn_name(m->attn));
			return NAN;
		}
		return kv_flashmla_bytes(m);
	}
	if (m->attn == ATTN_MLA)
		return kv_elements_per_layer(m) * f->bits / 8;
	return l->kv_heads * (m->head_dim + m->v_dim) * f->bits / 8;
}

double kv_flashmla_bytes(const struct model *m)
{
	return m->kv_lora + 4 * ceil(m->kv_lora / 128) + 2 * m->qk_rope;
}

double kv_kind_bytes(const struct model *m, const struct layer_spec *l, const struct kvfmt *f,
		     struct err *e)
{
	double b;

	if (l->mix != MIX_FULL && l->mix != MIX_WINDOW && l->mix != MIX_CHUNK)
		return 0;
	b = kv_attn_bytes(m, l, f, e);
	if (l->kv_shared)
		return isnan(b) ? b : 0;
	if (m->index_topk > 0)
		b += m->index_dim + 4;   /* fp8 indexer key + its fp32 scale */
	return b;
}

double kv_kind_split(const struct model *m, const struct layer_spec *l, double tp)
{
	if (l->mix == MIX_LINEAR)
		return num_min(tp, m->lin_k_heads);
	if (l->mix == MIX_MAMBA)
		return num_min(tp, m->ssm_groups);
	return m->attn == ATTN_MLA ? 1 : num_min(tp, num_max(l->kv_heads, 1));
}

double kv_kind_state(const struct model *m, const struct layer_spec *l)
{
	if (l->mix == MIX_LINEAR) {
		double conv = 2 * m->lin_k_heads * m->lin_k_dim + m->lin_v_heads * m->lin_v_dim;
		return conv * (m->lin_conv - 1) * 2 +
		       m->lin_v_heads * m->lin_k_dim * m->lin_v_dim * m->state_bytes;
	}
	if (l->mix == MIX_MAMBA) {
		double di = m->mamba_heads * m->mamba_head_dim;
		return (di + 2 * m->ssm_groups * m->ssm_state) * (m->mamba_conv - 1) * 2 +
		       m->mamba_heads * m->mamba_head_dim * m->ssm_state * m->state_bytes;
	}
	return 0;
}

int kv_account(const struct model *m, const struct kvfmt *f, double tp, double mtp,
	       struct kv_account *a, struct err *e)
{
	double count[MODEL_MAX_KINDS];
	int k;

	for (k = 0; k < m->nkinds; k++)
		count[k] = m->kind[k].count;
	return kv_account_counts(m, f, tp, count, mtp, a, e);
}

int kv_account_counts(const struct model *m, const struct kvfmt *f, double tp,
		      const double *count, double mtp, struct kv_account *a, struct err *e)
{
	struct kv_kinds t;

	if (kv_kinds(m, f, &t, e))
		return e->code;
	kv_account_kinds(m, &t, tp, count, mtp, a);
	return 0;
}

int kv_kinds(const struct model *m, const struct kvfmt *f, struct kv_kinds *t, struct err *e)
{
	int k;

	for (k = 0; k < m->nkinds; k++) {
		double r;

		t->bytes[k] = r = kv_kind_bytes(m, &m->kind[k], f, e);
		if (isnan(r))
			return e->code;
		t->state[k] = kv_kind_state(m, &m->kind[k]);
		if (m->kind[k].kv_shared) {   /* it reads the cache it shares, priced as its own */
			struct layer_spec l = m->kind[k];
			l.kv_shared = 0;
			r = kv_kind_bytes(m, &l, f, e);
		}
		if (m->index_topk > 0 && r > 0)   /* the indexer reads its own key */
			r -= m->index_dim + 4;
		t->read[k] = r;
	}
	return 0;
}

void kv_account_kinds(const struct model *m, const struct kv_kinds *t, double tp,
		      const double *count, double mtp, struct kv_account *a)
{
	int k;

	a->per_token = a->state = a->fixed = 0;
	memset(a->window_per_token, 0, sizeof a->window_per_token);
	memset(a->window, 0, sizeof a->window);
	for (k = 0; k < m->nkinds; k++) {
		const struct layer_spec *l = &m->kind[k];
		double split;

		if (count[k] <= 0)
			continue;
		split = kv_kind_split(m, l, tp);
		if (l->mix == MIX_WINDOW || l->mix == MIX_CHUNK) {
			a->window_per_token[k] = count[k] * t->bytes[k] / split;
			a->window[k] = l->window;
			a->fixed += a->window_per_token[k] * l->window;
		} else {
			a->per_token += count[k] * t->bytes[k] / split;
		}
		a->state += count[k] * t->state[k] / split;
	}
	if (mtp > 0) {
		const struct layer_spec *l = &m->kind[m->is_moe ? 1 : 0];
		a->per_token += mtp * t->bytes[m->is_moe ? 1 : 0] / kv_kind_split(m, l, tp);
	}
	a->fixed += a->state;
}

double kv_seq_bytes(const struct kv_account *a, double context, double block)
{
	double b = a->per_token * kv_paged_tokens(context, block) + a->state;
	int k;

	for (k = 0; k < MODEL_MAX_KINDS; k++)
		if (a->window_per_token[k] > 0)
			b += a->window_per_token[k] * kv_paged_tokens(num_min(context, a->window[k]), block);
	return b;
}

double kv_layers(const struct model *m, int with_mtp)
{
	return m->layers + (with_mtp ? m->mtp_layers : 0);
}

double kv_paged_tokens(double context, double block)
{
	return ceil(context / block) * block;
}

void kv_compare(const struct model *m, double groups, int with_mtp,
		struct kv_compare out[4])
{
	double l = kv_layers(m, with_mtp);
	double dh = m->attn == ATTN_MLA ? m->qk_nope : m->head_dim;
	double dc = m->attn == ATTN_MLA ? m->kv_lora : 4 * dh;
	double dr = m->attn == ATTN_MLA ? m->qk_rope : dh / 2;
	double g = groups > 0 ? groups :
		   (m->attn == ATTN_MLA || m->attn == ATTN_MHA) ? 8 : m->kv_heads;

	out[0] = (struct kv_compare){ATTN_MHA, m->heads, 2 * m->heads * dh * l};
	out[1] = (struct kv_compare){ATTN_GQA, g, 2 * g * dh * l};
	out[2] = (struct kv_compare){ATTN_MQA, 1, 2 * dh * l};
	out[3] = (struct kv_compare){ATTN_MLA, 1, (dc + dr) * l};
}
