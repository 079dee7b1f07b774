/* model.c - HuggingFace config.json -> struct model; see model.h */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "jsonx.h"
#include "model.h"

/* Bounds that keep every product finite and flag typos: no released model
 * comes within three orders of magnitude of these. */
#define DIM_MAX 1e7      /* hidden, head, FFN widths */
#define COUNT_MAX 1e5    /* layers, heads, experts */
#define VOCAB_MAX 1e9

static const char *const known_types[] = {
	"deepseek_v3", "deepseek_v2", "kimi_k2", "llama", "qwen2", "mixtral",
	"mistral", NULL,
};

static int model_type_known(const char *t)
{
	int i;

	for (i = 0; known_types[i]; i++)
		if (strcmp(t, known_types[i]) == 0)
			return 1;
	return 0;
}

const char *model_attn_name(enum attn_kind a)
{
	static const char *names[] = {"MHA", "GQA", "MQA", "MLA"};
	return names[a];
}

int model_layer_is_moe(const struct model *m, double i)
{
	if (!m->is_moe || i < m->first_dense)
		return 0;
	return fmod(i, m->moe_freq) == 0;
}

double model_moe_layers(const struct model *m)
{
	double i, n = 0;

	if (!m->is_moe)
		return 0;
	for (i = m->first_dense; i < m->layers; i++)
		n += model_layer_is_moe(m, i);
	return n;
}

/* Read an optional boolean; absent leaves *out as is. */
static int model_bool(const cJSON *root, const char *key, const char *file,
		      int *out, struct err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);

	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsBool(v))
		return err_set(e, EXIT_INPUT, "%s: '%s' must be true or false", file, key);
	*out = cJSON_IsTrue(v);
	return 0;
}

struct num_key {
	const char *key;
	size_t offset;        /* into struct model */
	unsigned flags;
	double max;
};

#define OFF(f) offsetof(struct model, f)

/* Keys every model reads; absent optional ones keep the defaults set before. */
static const struct num_key generic_keys[] = {
	{"num_hidden_layers", OFF(layers), JX_REQUIRED | JX_INT | JX_POSITIVE, COUNT_MAX},
	{"hidden_size", OFF(hidden), JX_REQUIRED | JX_INT | JX_POSITIVE, DIM_MAX},
	{"num_attention_heads", OFF(heads), JX_REQUIRED | JX_INT | JX_POSITIVE, COUNT_MAX},
	{"vocab_size", OFF(vocab), JX_REQUIRED | JX_INT | JX_POSITIVE, VOCAB_MAX},
	{"num_key_value_heads", OFF(kv_heads), JX_INT | JX_POSITIVE | JX_NULLABLE, COUNT_MAX},
	{"head_dim", OFF(head_dim), JX_INT | JX_POSITIVE | JX_NULLABLE, DIM_MAX},
	{"intermediate_size", OFF(inter), JX_INT | JX_NULLABLE, DIM_MAX},
	{"num_nextn_predict_layers", OFF(mtp_layers), JX_INT | JX_NULLABLE, COUNT_MAX},
	{NULL, 0, 0, 0},
};

static const struct num_key mla_keys[] = {
	{"kv_lora_rank", OFF(kv_lora), JX_REQUIRED | JX_INT | JX_POSITIVE, DIM_MAX},
	{"q_lora_rank", OFF(q_lora), JX_INT | JX_POSITIVE | JX_NULLABLE, DIM_MAX},
	{"qk_nope_head_dim", OFF(qk_nope), JX_REQUIRED | JX_INT | JX_POSITIVE, DIM_MAX},
	{"qk_rope_head_dim", OFF(qk_rope), JX_REQUIRED | JX_INT | JX_POSITIVE, DIM_MAX},
	{"v_head_dim", OFF(v_head), JX_REQUIRED | JX_INT | JX_POSITIVE, DIM_MAX},
	{NULL, 0, 0, 0},
};

static const struct num_key moe_keys[] = {
	{"num_experts_per_tok", OFF(top_k), JX_INT | JX_POSITIVE, COUNT_MAX},   /* or moe_topk */
	{"moe_intermediate_size", OFF(expert_inter), JX_INT | JX_POSITIVE | JX_NULLABLE, DIM_MAX},
	{"n_shared_experts", OFF(shared_experts), JX_INT | JX_NULLABLE, COUNT_MAX},
	{"first_k_dense_replace", OFF(first_dense), JX_INT | JX_NULLABLE, COUNT_MAX},
	{"moe_layer_freq", OFF(moe_freq), JX_INT | JX_POSITIVE | JX_NULLABLE, COUNT_MAX},
	{"n_group", OFF(n_group), JX_INT | JX_POSITIVE | JX_NULLABLE, COUNT_MAX},
	{"topk_group", OFF(topk_group), JX_INT | JX_POSITIVE | JX_NULLABLE, COUNT_MAX},
	{NULL, 0, 0, 0},
};

static int model_read_keys(const cJSON *root, const char *file,
			   const struct num_key *k, struct model *m, struct err *e)
{
	for (; k->key; k++) {
		double *dst = (double *)((char *)m + k->offset);
		int rc = jsonx_num(root, k->key, file, k->key, k->flags, k->max, dst, e);
		if (rc > 0)
			return rc;
	}
	return 0;
}

static void model_defaults(struct model *m)
{
	memset(m, 0, sizeof *m);
	m->head_dim = NAN;
	m->kv_heads = NAN;
	m->moe_freq = 1;
	m->n_group = 1;
	m->topk_group = 1;
	m->published_total = NAN;
	m->published_active = NAN;
	strcpy(m->weights, "bf16");
}

/* Dense checks shared by every attention kind. */
static int model_check_attention(const cJSON *root, const char *file,
				 struct model *m, struct err *e)
{
	if (isnan(m->kv_heads))
		m->kv_heads = m->heads;
	if (m->kv_heads > m->heads || fmod(m->heads, m->kv_heads) != 0)
		return err_set(e, EXIT_INPUT,
			       "%s: 'num_key_value_heads' must divide 'num_attention_heads' (%.0f), got %.0f",
			       file, m->heads, m->kv_heads);
	if (isnan(m->head_dim)) {
		if (fmod(m->hidden, m->heads) != 0 && !cJSON_GetObjectItemCaseSensitive(root, "kv_lora_rank"))
			return err_set(e, EXIT_INPUT,
				       "%s: 'head_dim' is missing and 'hidden_size' %.0f is not a multiple of 'num_attention_heads' %.0f",
				       file, m->hidden, m->heads);
		m->head_dim = floor(m->hidden / m->heads);
	}
	if (cJSON_GetObjectItemCaseSensitive(root, "kv_lora_rank") &&
	    !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(root, "kv_lora_rank"))) {
		if (model_read_keys(root, file, mla_keys, m, e))
			return e->code;
		m->attn = ATTN_MLA;
		m->kv_heads = m->heads;
	} else if (m->kv_heads == m->heads) {
		m->attn = ATTN_MHA;
	} else if (m->kv_heads == 1) {
		m->attn = ATTN_MQA;
	} else {
		m->attn = ATTN_GQA;
	}
	return 0;
}

/*
 * The other names of the MoE keys, read into the fields moe_keys fill, so a
 * config that uses them passes moe_keys' checks: Hunyuan's moe_topk and
 * num_shared_expert; Qwen's shared_expert_intermediate_size, a shared
 * expert as wide as that (whole routed-expert widths; Qwen3-Next: 512 =
 * one expert of 512).  Returns 0 or EXIT_INPUT.
 */
static int model_moe_aliases(const cJSON *root, const char *file, struct model *m, struct err *e)
{
	double width = 0, expert = 0;
	int rc;

	if (!cJSON_GetObjectItemCaseSensitive(root, "num_experts_per_tok") &&
	    jsonx_num(root, "moe_topk", file, "moe_topk", JX_INT | JX_POSITIVE, COUNT_MAX, &m->top_k, e) > 0)
		return e->code;
	if (!cJSON_GetObjectItemCaseSensitive(root, "n_shared_experts") &&
	    jsonx_num(root, "num_shared_expert", file, "num_shared_expert", JX_INT, COUNT_MAX,
		      &m->shared_experts, e) > 0)
		return e->code;
	rc = jsonx_num(root, "shared_expert_intermediate_size", file, "shared_expert_intermediate_size",
		       JX_INT | JX_NULLABLE, DIM_MAX, &width, e);
	if (rc > 0)
		return rc;
	if (rc == 0 && width > 0) {
		if (jsonx_num(root, "moe_intermediate_size", file, "moe_intermediate_size",
			      JX_INT | JX_POSITIVE, DIM_MAX, &expert, e) > 0)
			return e->code;
		if (!(expert > 0) || fmod(width, expert) != 0)
			return err_set(e, EXIT_INPUT,
				       "%s: 'shared_expert_intermediate_size' (%.0f) must be a whole number of 'moe_intermediate_size' (%.0f)",
				       file, width, expert);
		m->shared_experts = width / expert;
	}
	return 0;
}

static int model_check_moe(const cJSON *root, const char *file, struct model *m,
			   struct err *e)
{
	const char *ekey = "n_routed_experts";
	char method[32] = "";
	int rc;

	rc = jsonx_num(root, ekey, file, ekey, JX_INT | JX_NULLABLE, COUNT_MAX, &m->experts, e);
	if (rc == -1) {
		ekey = "num_local_experts";
		rc = jsonx_num(root, ekey, file, ekey, JX_INT | JX_NULLABLE, COUNT_MAX, &m->experts, e);
	}
	if (rc == -1) {          /* Qwen3-MoE, Qwen3-Next, Hunyuan */
		ekey = "num_experts";
		rc = jsonx_num(root, ekey, file, ekey, JX_INT | JX_NULLABLE, COUNT_MAX, &m->experts, e);
	}
	if (rc > 0)
		return rc;
	if (m->experts == 0)
		return 0;
	m->is_moe = 1;
	if ((rc = model_moe_aliases(root, file, m, e)) != 0)
		return rc;
	if (model_read_keys(root, file, moe_keys, m, e))
		return e->code;
	if (m->top_k == 0)
		return err_set(e, EXIT_INPUT, "%s: 'num_experts_per_tok' is missing: expected a positive integer", file);
	if (m->expert_inter == 0) {
		/* Mixtral (num_local_experts) and Hunyuan (num_experts without
		 * moe_intermediate_size): intermediate_size is each expert's width */
		if (m->inter == 0 || strcmp(ekey, "n_routed_experts") == 0)
			return err_set(e, EXIT_INPUT,
				       "%s: 'moe_intermediate_size' is missing: expected a positive integer",
				       file);
		m->expert_inter = m->inter;
	}
	if (m->top_k > m->experts)
		return err_set(e, EXIT_INPUT,
			       "%s: 'num_experts_per_tok' must be at most '%s' (%.0f), got %.0f",
			       file, ekey, m->experts, m->top_k);
	if (m->first_dense > m->layers)
		return err_set(e, EXIT_INPUT,
			       "%s: 'first_k_dense_replace' must be at most 'num_hidden_layers' (%.0f), got %.0f",
			       file, m->layers, m->first_dense);
	if (m->topk_group > m->n_group || fmod(m->experts, m->n_group) != 0)
		return err_set(e, EXIT_INPUT,
			       "%s: 'n_group' %.0f must divide '%s' %.0f and be at least 'topk_group' %.0f",
			       file, m->n_group, ekey, m->experts, m->topk_group);
	if (jsonx_str(root, "topk_method", file, JX_NULLABLE, method, sizeof method, e) > 0)
		return e->code;
	m->router_bias = strcmp(method, "noaux_tc") == 0;
	return 0;
}

static int model_check_ffn(const cJSON *root, const char *file, struct model *m,
			   struct err *e)
{
	double dense = m->layers - model_moe_layers(m);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "intermediate_size");

	if (dense > 0 && m->inter == 0 && v && !cJSON_IsNull(v))
		return err_set(e, EXIT_INPUT,
			       "%s: 'intermediate_size' must be a positive integer for the %.0f dense layers, got 0",
			       file, dense);
	if (dense > 0 && m->inter == 0)
		return err_set(e, EXIT_INPUT,
			       "%s: 'intermediate_size' is missing: %.0f dense layers need a positive integer",
			       file, dense);
	return 0;
}

static int model_read_mlasim(const cJSON *root, const char *file,
			     struct model *m, struct err *e)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(root, "mlasim");
	const cJSON *pub;

	if (!x)
		return 0;
	if (!cJSON_IsObject(x))
		return err_set(e, EXIT_INPUT, "%s: 'mlasim' must be an object", file);
	if (jsonx_str(x, "name", file, 0, m->name, sizeof m->name, e) > 0 ||
	    jsonx_str(x, "display_name", file, 0, m->display, sizeof m->display, e) > 0 ||
	    jsonx_str(x, "weights", file, 0, m->weights, sizeof m->weights, e) > 0)
		return e->code;
	pub = cJSON_GetObjectItemCaseSensitive(x, "published");
	if (pub) {
		if (!cJSON_IsObject(pub))
			return err_set(e, EXIT_INPUT, "%s: 'mlasim.published' must be an object", file);
		if (jsonx_num(pub, "params_total", file, "mlasim.published.params_total",
			      JX_POSITIVE, 1e15, &m->published_total, e) > 0 ||
		    jsonx_num(pub, "params_active", file, "mlasim.published.params_active",
			      JX_POSITIVE, 1e15, &m->published_active, e) > 0 ||
		    jsonx_str(pub, "source", file, 0, m->published_source,
			      sizeof m->published_source, e) > 0)
			return e->code;
	}
	return 0;
}

/* Default display name: the file name without directory and extension. */
static void model_name_from_file(const char *file, char *buf, size_t n)
{
	const char *base = strrchr(file, '/');
	size_t len;

	base = base ? base + 1 : file;
	len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".json") == 0)
		len -= 5;
	if (len >= n)
		len = n - 1;
	memcpy(buf, base, len);
	buf[len] = 0;
}

/* A quantization_config of fp8 with 128x128 blocks means DeepSeek's layout. */
static void model_weights_from_quant(const cJSON *root, struct model *m)
{
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(root, "quantization_config");
	const cJSON *method = q ? cJSON_GetObjectItemCaseSensitive(q, "quant_method") : NULL;
	const cJSON *block = q ? cJSON_GetObjectItemCaseSensitive(q, "weight_block_size") : NULL;

	if (!cJSON_IsString(method) || strcmp(method->valuestring, "fp8") != 0)
		return;
	strcpy(m->weights, cJSON_IsArray(block) ? "fp8-block" : "fp8");
}

/*
 * Config keys that change a model's memory or time and that mlasim does not
 * model yet.  A key
 * counts when it is present and says the feature is on: any value but null
 * and false, and for a list, not empty; with `one`, a value other than 1.
 */
static const struct unmodelled_key {
	const char *key;
	int one;                 /* 1 is the "off" value (decoder_sparse_step) */
	const char *what;
} unmodelled_keys[] = {
	{"sliding_window", 0, "'sliding_window': window layers are sized and timed as full attention"},
	{"layer_types", 0, "'layer_types': per-layer attention kinds are not read; every layer is full attention"},
	{"attention_chunk_size", 0, "'attention_chunk_size': chunked attention is sized as full attention"},
	{"hybrid_override_pattern", 0, "'hybrid_override_pattern': Mamba-2 layers are sized as attention layers; their state is not counted"},
	{"full_attention_interval", 0, "'full_attention_interval': linear-attention layers are sized as full attention; their state is not counted"},
	{"index_topk", 0, "'index_topk': DSA's indexer and its key cache are not counted; attention is priced over the whole context"},
	{"use_cla", 0, "'use_cla': cross-layer KV sharing is not modelled; every layer's KV cache is counted"},
	{"num_mtp_modules", 0, "'num_mtp_modules': these MTP modules are not counted"},
	{"use_mtp", 0, "'use_mtp': MTP modules are not counted"},
	{"interleave_moe_layer_step", 1, "'interleave_moe_layer_step': MoE layer placement is not read; every layer is MoE"},
	{"decoder_sparse_step", 1, "'decoder_sparse_step': MoE layer placement is not read; every layer is MoE"},
	{"mlp_only_layers", 0, "'mlp_only_layers': these dense layers are sized as MoE layers"},
	{"block_configs", 0, "'block_configs': per-block shapes are not read"},
	{NULL, 0, NULL},
};

/* Is the feature `k` names on in this config? */
static int model_feature_on(const cJSON *root, const struct unmodelled_key *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, k->key);

	if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return 0;
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		return cJSON_GetArraySize(v) > 0;
	if (k->one && cJSON_IsNumber(v))
		return v->valuedouble != 1;
	return 1;
}

/* Note every unmodelled feature the config turns on, in m->unmodelled.  A
 * sliding window that use_sliding_window turns off (Qwen) is not one. */
static void model_unmodelled(const cJSON *root, struct model *m)
{
	const struct unmodelled_key *k;
	const cJSON *q;

	m->nunmodelled = 0;
	for (k = unmodelled_keys; k->key && m->nunmodelled < MODEL_MAX_UNMODELLED; k++) {
		if (!model_feature_on(root, k))
			continue;
		if (strcmp(k->key, "sliding_window") == 0 &&
		    cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(root, "use_sliding_window")))
			continue;
		m->unmodelled[m->nunmodelled++] = k->what;
	}
	q = cJSON_GetObjectItemCaseSensitive(root, "quantization_config");
	if (q && !cJSON_IsNull(q) && strncmp(m->weights, "fp8", 3) != 0 && m->nunmodelled < MODEL_MAX_UNMODELLED)
		m->unmodelled[m->nunmodelled++] =
			"'quantization_config': only quant_method 'fp8' is read; these weights are sized as bf16 (give '--weights')";
}

int model_from_json(const cJSON *root, const char *file, struct model *m,
		    struct err *e)
{
	int known;

	model_defaults(m);
	snprintf(m->path, sizeof m->path, "%s", file);
	if (jsonx_str(root, "model_type", file, JX_REQUIRED, m->model_type,
		      sizeof m->model_type, e))
		return e->code;
	known = model_type_known(m->model_type);
	if (model_read_keys(root, file, generic_keys, m, e))
		goto fail;
	m->qkv_bias = strcmp(m->model_type, "qwen2") == 0;
	/* Qwen3, Qwen3-MoE and Qwen3-Next normalise each q and k head
	 * (transformers modeling_qwen3.py: q_norm, k_norm = RMSNorm(head_dim)) */
	m->qk_norm = strncmp(m->model_type, "qwen3", 5) == 0;
	if (model_bool(root, "attention_bias", file, &m->qkv_bias, e) ||
	    model_bool(root, "tie_word_embeddings", file, &m->tie_embeddings, e))
		goto fail;
	m->o_bias = 0;
	if (strcmp(m->model_type, "llama") == 0 || strcmp(m->model_type, "mistral") == 0)
		m->o_bias = m->qkv_bias;   /* llama's attention_bias covers o_proj too */
	if (model_check_attention(root, file, m, e) || model_check_moe(root, file, m, e) ||
	    model_check_ffn(root, file, m, e))
		goto fail;
	m->moe_layers = model_moe_layers(m);
	model_weights_from_quant(root, m);
	model_unmodelled(root, m);
	if (model_read_mlasim(root, file, m, e))
		return e->code;
	if (!m->name[0])
		model_name_from_file(file, m->name, sizeof m->name);
	if (!m->display[0])
		snprintf(m->display, sizeof m->display, "%s", m->name);
	return 0;
fail:
	if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "text_config")) &&
	    !cJSON_GetObjectItemCaseSensitive(root, "num_hidden_layers"))
		return err_set(e, EXIT_INPUT,
			       "%s: the text model is in 'text_config', which mlasim does not read yet",
			       file);
	if (!known && strlen(e->msg) + 120 < sizeof e->msg)
		snprintf(e->msg + strlen(e->msg), sizeof e->msg - strlen(e->msg),
			 " (model_type '%s' is not one mlasim knows, so every generic key is needed)",
			 m->model_type);
	return e->code;
}

int model_key_known(const char *key)
{
	static const char *const other[] = {
		"model_type", "n_routed_experts", "num_local_experts", "attention_bias",
		"tie_word_embeddings", "topk_method", "num_experts", "moe_topk", "num_shared_expert",
		"shared_expert_intermediate_size", NULL,
	};
	const struct num_key *tables[] = {generic_keys, mla_keys, moe_keys};
	const struct num_key *k;
	int i;

	for (i = 0; i < 3; i++)
		for (k = tables[i]; k->key; k++)
			if (strcmp(k->key, key) == 0)
				return 1;
	for (i = 0; other[i]; i++)
		if (strcmp(other[i], key) == 0)
			return 1;
	return strncmp(key, "mlasim.", 7) == 0;
}

int model_load(const char *path, const char *const *sets, int nsets,
	       struct model *m, struct err *e)
{
	cJSON *root;
	int rc;

	if (jsonx_load_set(path, sets, nsets, &root, e))
		return e->code;
	rc = model_from_json(root, path, m, e);
	cJSON_Delete(root);
	if (rc)
		err_blame_set(e, sets, nsets);
	return rc;
}
