/* kv.c - see kv.h for the formulas and their source */
#include <math.h>
#include "kv.h"

double kv_elements_per_layer(const struct model *m)
{
	if (m->attn == ATTN_MLA)
		return m->kv_lora + m->qk_rope;
	return 2 * m->kv_heads * m->head_dim;
}

double kv_bytes_per_layer(const struct model *m, const struct kvfmt *f, struct err *e)
{
	if (f->flashmla) {
		if (m->attn != ATTN_MLA) {
			err_set(e, EXIT_INPUT,
				"%s: kv dtype 'fp8-flashmla' is the MLA latent layout, but this model uses %s",
				m->path, model_attn_name(m->attn));
			return NAN;
		}
		return m->kv_lora + 4 * ceil(m->kv_lora / 128) + 2 * m->qk_rope;
	}
	return kv_elements_per_layer(m) * f->bits / 8;
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
