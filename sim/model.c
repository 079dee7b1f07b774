/* model.c - HuggingFace config.json -> struct model; see model.h */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "jsonx.h"
#include "layers.h"
#include "model.h"
#include "precision.h"

/* Bounds that keep every product finite and flag typos: no released model
 * comes within three orders of magnitude of these. */
#define DIM_MAX 1e7      /* hidden, head, FFN widths */
#define COUNT_MAX 1e5    /* layers, heads, experts */
#define VOCAB_MAX 1e9

static const char *const known_types[] = {
	"deepseek_v3", "deepseek_v2", "deepseek_v32", "kimi_k2", "llama", "qwen2", "mixtral",
	"mistral", "qwen3", "qwen3_moe", "qwen3_next", "qwen3_5_moe_text", "qwen3_5_text",
	"gpt_oss", "llama4_text", "gemma3_text", "glm4_moe", "glm4_moe_lite", "glm_moe_dsa",
	"minimax_m2", "nemotron_h", "mimo_v2_flash", "hunyuan", NULL,
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
	if (i < 0 || i >= m->layers || i >= MODEL_MAX_LAYERS)
		return 0;
	return m->kind[m->layer_of[(int)i]].ffn == FFN_MOE;
}

double model_moe_layers(const struct model *m)
{
	return m->moe_layers;
}

const char *model_kind_name(const struct model *m, int k, char *buf, size_t n)
{
	static const char *const mix[MIX_KINDS] = {
		"attention", "window", "chunked", "deltanet", "mamba", "",
	};
	const struct layer_spec *l = &m->kind[k];
	const char *ffn = l->ffn == FFN_MOE ? "moe" : l->ffn == FFN_DENSE ? "dense" : "";

	if (k < 2 && !model_is_hybrid(m))   /* a plain model's two kinds keep their short names */
		return snprintf(buf, n, "%s", k == 0 ? "dense" : "moe"), buf;
	if (l->mix == MIX_WINDOW || l->mix == MIX_CHUNK)
		snprintf(buf, n, "%s %.0f%s%s%s", mix[l->mix], l->window, l->kv_shared ? " shared-kv" : "",
			 *ffn ? " + " : "", ffn);
	else
		snprintf(buf, n, "%s%s%s%s", mix[l->mix], l->kv_shared ? " shared-kv" : "",
			 *mix[l->mix] && *ffn ? " + " : "", ffn);
	return buf;
}

int model_is_hybrid(const struct model *m)
{
	return m->nkinds > 2;
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
	{"attention_head_dim", OFF(head_dim), JX_INT | JX_POSITIVE | JX_NULLABLE, DIM_MAX},  /* Nemotron-H */
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
		/* cppcheck-suppress invalidPointerCast ; a double field, found by its offsetof */
		double *dst = (double *)((char *)m + k->offset);
		int rc;

		if (strcmp(k->key, "moe_layer_freq") == 0 &&
		    cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, k->key)))
			continue;    /* MiMo's per-layer list: layers_read reads it */
		rc = jsonx_num(root, k->key, file, k->key, k->flags, k->max, dst, e);
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
	m->v_dim = NAN;
	m->norms_per_sublayer = 1;
	m->ffn_mats = 3;
	m->shared_inter = NAN;
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
		m->shared_inter = width;
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

/*
 * Shapes beyond the generic keys, per architecture: the value head and the
 * output gate of GQA attention, norms, FFN matrices, shared-expert width,
 * biases, Llama 4's two FFN widths, DSA's indexer, MTP modules of other
 * names.  Returns 0 or EXIT_INPUT.
 */
static int model_read_shapes(const cJSON *root, const char *file, struct model *m,
			     struct err *e)
{
	const char *t = m->model_type;
	double dense_width = 0, modules = 0;
	char act[32] = "";
	int use_mtp = 0;

	if (m->attn != ATTN_MLA &&
	    jsonx_num(root, "v_head_dim", file, "v_head_dim", JX_INT | JX_POSITIVE | JX_NULLABLE,
		      DIM_MAX, &m->v_dim, e) > 0)
		return e->code;
	if (isnan(m->v_dim))
		m->v_dim = m->head_dim;
	/* Qwen3-Next's q_proj makes queries and a sigmoid gate per head (transformers
	 * Qwen3NextAttention: q_proj out 2 H dh); Qwen3.5 says it with attn_output_gate */
	m->attn_gate = strcmp(t, "qwen3_next") == 0;
	if (model_bool(root, "attn_output_gate", file, &m->attn_gate, e) ||
	    model_bool(root, "use_qk_norm", file, &m->qk_norm, e) ||
	    model_bool(root, "use_mtp", file, &use_mtp, e))
		return e->code;
	if (strcmp(t, "llama4_text") == 0)
		m->qk_norm = 0;      /* Llama 4's qk norm is an L2 norm without weights */
	/* Gemma 2 and 3 norm before and after each attention and FFN */
	m->norms_per_sublayer = strncmp(t, "gemma", 5) == 0 ? 2 : 1;
	if (strncmp(t, "gemma", 5) == 0 && !cJSON_GetObjectItemCaseSensitive(root, "tie_word_embeddings"))
		m->tie_embeddings = 1;   /* transformers Gemma3TextConfig default */
	if (jsonx_str(root, "mlp_hidden_act", file, JX_NULLABLE, act, sizeof act, e) > 0)
		return e->code;
	m->ffn_mats = strcmp(act, "relu2") == 0 ? 2 : 3;   /* Nemotron-H: up, down */
	if (strcmp(t, "gpt_oss") == 0)
		m->expert_bias = m->o_bias = 1;   /* transformers GptOssMLP, GptOssAttention */
	if (m->is_moe &&
	    jsonx_num(root, "moe_shared_expert_intermediate_size", file, "moe_shared_expert_intermediate_size",
		      JX_INT | JX_NULLABLE, DIM_MAX, &m->shared_inter, e) > 0)
		return e->code;
	if (strcmp(t, "llama4_text") == 0 && m->is_moe) {
		/* Llama4TextMoe: a shared expert as wide as each routed one; the
		 * dense layers use intermediate_size_mlp */
		if (jsonx_num(root, "intermediate_size_mlp", file, "intermediate_size_mlp",
			      JX_INT | JX_POSITIVE | JX_NULLABLE, DIM_MAX, &dense_width, e) > 0)
			return e->code;
		m->shared_experts = 1;
		if (dense_width > 0)
			m->inter = dense_width;
	}
	if (isnan(m->shared_inter))
		m->shared_inter = m->shared_experts * m->expert_inter;
	if (jsonx_num(root, "index_topk", file, "index_topk", JX_INT | JX_POSITIVE | JX_NULLABLE,
		      1e9, &m->index_topk, e) > 0)
		return e->code;
	if (m->index_topk > 0 &&
	    (m->attn != ATTN_MLA ||
	     jsonx_num(root, "index_n_heads", file, "index_n_heads", JX_REQUIRED | JX_INT | JX_POSITIVE,
		       COUNT_MAX, &m->index_heads, e) > 0 ||
	     jsonx_num(root, "index_head_dim", file, "index_head_dim", JX_REQUIRED | JX_INT | JX_POSITIVE,
		       DIM_MAX, &m->index_dim, e) > 0))
		return e->code ? e->code :
		       err_set(e, EXIT_INPUT, "%s: 'index_topk' (DSA) needs MLA attention ('kv_lora_rank')", file);
	if (jsonx_num(root, use_mtp ? "num_mtp_modules" : "mtp_num_hidden_layers", file,
		      use_mtp ? "num_mtp_modules" : "mtp_num_hidden_layers", JX_INT | JX_NULLABLE,
		      COUNT_MAX, &modules, e) > 0)
		return e->code;
	if (modules > 0 && m->mtp_layers == 0)
		m->mtp_layers = modules;
	return 0;
}

static int model_check_ffn(const cJSON *root, const char *file, struct model *m,
			   struct err *e)
{
	double dense = m->kind[0].count;
	int k;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "intermediate_size");

	for (k = 2; k < m->nkinds; k++)
		dense += m->kind[k].ffn == FFN_DENSE ? m->kind[k].count : 0;

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
	    jsonx_str(x, "weights", file, 0, m->weights, sizeof m->weights, e) > 0 ||
	    jsonx_str(x, "expert_weights", file, 0, m->expert_weights, sizeof m->expert_weights, e) > 0 ||
	    jsonx_str(x, "attention_weights", file, 0, m->attn_weights, sizeof m->attn_weights, e) > 0)
		return e->code;
	{
		struct wprec w;
		struct err pe;
		if (precision_parse_weights(m->weights, "mlasim.weights", &w, &pe) ||
		    (m->expert_weights[0] &&
		     precision_parse_weights(m->expert_weights, "mlasim.expert_weights", &w, &pe)) ||
		    (m->attn_weights[0] &&
		     precision_parse_weights(m->attn_weights, "mlasim.attention_weights", &w, &pe)))
			return err_set(e, EXIT_INPUT, "%s: %s", file, pe.msg);
	}
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

/* compressed-tensors with one config group (Kimi K2.5's int4 experts):
 * int 4 bits in groups of g -> "int4:gG", int 8 -> "int8", float 8 -> "fp8". */
static const char *model_compressed_format(const cJSON *q, char *buf, size_t n)
{
	const cJSON *groups = cJSON_GetObjectItemCaseSensitive(q, "config_groups");
	const cJSON *w, *bits, *type, *group;

	if (!cJSON_IsObject(groups) || cJSON_GetArraySize(groups) != 1)
		return NULL;
	w = cJSON_GetObjectItemCaseSensitive(groups->child, "weights");
	bits = cJSON_GetObjectItemCaseSensitive(w, "num_bits");
	type = cJSON_GetObjectItemCaseSensitive(w, "type");
	group = cJSON_GetObjectItemCaseSensitive(w, "group_size");
	if (!cJSON_IsNumber(bits) || !cJSON_IsString(type))
		return NULL;
	if (strcmp(type->valuestring, "int") == 0 && bits->valuedouble == 4 && cJSON_IsNumber(group) &&
	    group->valuedouble >= 1 && group->valuedouble <= 1e6) {
		snprintf(buf, n, "int4:g%.0f", group->valuedouble);
		return buf;
	}
	if (bits->valuedouble == 8)
		return strcmp(type->valuestring, "int") == 0 ? "int8" :
		       strcmp(type->valuestring, "float") == 0 ? "fp8" : NULL;
	return NULL;
}

/*
 * The checkpoint's formats from quantization_config: fp8 (with 128x128
 * blocks, DeepSeek's layout) for every linear layer; mxfp4 (gpt-oss) for
 * the routed experts only when modules_to_not_convert keeps attention in
 * bf16, as gpt-oss's does.  Returns 1 when the method was read.
 */
static int model_weights_from_quant(const cJSON *root, struct model *m)
{
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(root, "quantization_config");
	const cJSON *method = q ? cJSON_GetObjectItemCaseSensitive(q, "quant_method") : NULL;
	const cJSON *block = q ? cJSON_GetObjectItemCaseSensitive(q, "weight_block_size") : NULL;
	const cJSON *keep = q ? cJSON_GetObjectItemCaseSensitive(q, "modules_to_not_convert") : NULL;
	const cJSON *it;
	int attn_kept = 0;

	const cJSON *algo = q ? cJSON_GetObjectItemCaseSensitive(q, "quant_algo") : NULL;
	const char *fmt;
	char buf[32];

	if (!cJSON_IsString(method))
		return 0;
	if (strcmp(method->valuestring, "fp8") == 0) {
		strcpy(m->weights, cJSON_IsArray(block) ? "fp8-block" : "fp8");
		return 1;
	}
	/* NVIDIA ModelOpt checkpoints name the format in quant_algo and the
	 * modules left unquantised in exclude_modules or ignore */
	if (strcmp(method->valuestring, "modelopt") == 0 && cJSON_IsString(algo)) {
		fmt = strcmp(algo->valuestring, "NVFP4") == 0 ? "nvfp4" :
		      strcmp(algo->valuestring, "FP8") == 0 ? "fp8" : NULL;
		if (!keep)
			keep = cJSON_GetObjectItemCaseSensitive(q, "exclude_modules");
		if (!keep)
			keep = cJSON_GetObjectItemCaseSensitive(q, "ignore");
	} else if (strcmp(method->valuestring, "compressed-tensors") == 0) {
		fmt = model_compressed_format(q, buf, sizeof buf);
		keep = cJSON_GetObjectItemCaseSensitive(q, "ignore");
	} else {
		fmt = strcmp(method->valuestring, "mxfp4") == 0 ? "mxfp4" : NULL;
	}
	if (!fmt)
		return 0;
	cJSON_ArrayForEach(it, keep)
		if (cJSON_IsString(it) && (strstr(it->valuestring, "self_attn") || strstr(it->valuestring, "attn")))
			attn_kept = 1;
	if (!attn_kept) {        /* every linear layer in the format */
		if (strcmp(fmt, "mxfp4") == 0)
			return 0;    /* gpt-oss's layout is the only mxfp4 one read */
		strcpy(m->weights, fmt);
		return 1;
	}
	if (!m->is_moe)
		return 0;
	strcpy(m->expert_weights, fmt);   /* attention and dense layers stay bf16 */
	return 1;
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
	{"mtp_use_dedicated_embeddings", 0, "'mtp_use_dedicated_embeddings': the MTP module's own embedding is not counted"},
	{"kv_lora_rank_swa", 0, "'kv_lora_rank_swa': a second latent width for window layers is not read"},
	{"attention_sink_size", 0, "'attention_sink_size': sink tokens kept beside the window are not counted"},
	{"num_sink_tokens", 0, "'num_sink_tokens': sink tokens kept beside the window are not counted"},
	{"moe_latent_size", 0, "'moe_latent_size': experts computing in a latent width are sized at the full width"},
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

	for (k = unmodelled_keys; k->key && m->nunmodelled < MODEL_MAX_UNMODELLED; k++) {
		if (!model_feature_on(root, k))
			continue;
		if (strcmp(k->key, "sliding_window") == 0 &&
		    cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(root, "use_sliding_window")))
			continue;
		m->unmodelled[m->nunmodelled++] = k->what;
	}
	q = cJSON_GetObjectItemCaseSensitive(root, "quantization_config");
	if (q && !cJSON_IsNull(q) && !model_weights_from_quant(root, m) &&
	    m->nunmodelled < MODEL_MAX_UNMODELLED)
		m->unmodelled[m->nunmodelled++] =
			"'quantization_config': this method is not read (fp8, mxfp4, modelopt NVFP4/FP8 and single-group compressed-tensors are); these weights are sized as the card's 'weights' (give '--weights', '--expert-weights')";
}

/* Note a fact mlasim assumed, like an unmodelled key. */
static void model_note(struct model *m, const char *what)
{
	if (m->nunmodelled < MODEL_MAX_UNMODELLED)
		m->unmodelled[m->nunmodelled++] = what;
}

/*
 * The object the text model's keys are read from: the config itself, or for
 * a multimodal wrapper (Llama 4, Gemma 3, Qwen3.5, Kimi-K2.5) a copy of its
 * text_config with the wrapper's other top-level keys (mlasim,
 * quantization_config, tie_word_embeddings) added where text_config lacks
 * them.  *own is set when the caller must free the result.
 */
static const cJSON *model_text_view(const cJSON *root, struct model *m, cJSON **own)
{
	const cJSON *tc = cJSON_GetObjectItemCaseSensitive(root, "text_config");
	const cJSON *it;
	cJSON *view;

	*own = NULL;
	if (!cJSON_IsObject(tc) || cJSON_GetObjectItemCaseSensitive(root, "num_hidden_layers"))
		return root;
	view = cJSON_Duplicate(tc, 1);
	if (!view)
		return root;
	cJSON_ArrayForEach(it, root) {
		const char *k = it->string;
		size_t n = k ? strlen(k) : 0;

		if (!k || cJSON_GetObjectItemCaseSensitive(view, k) ||
		    (n > 7 && strcmp(k + n - 7, "_config") == 0 && strcmp(k, "quantization_config") != 0))
			continue;    /* text_config itself, vision_config, audio_config */
		cJSON_AddItemToObject(view, k, cJSON_Duplicate(it, 1));
	}
	strcpy(m->text_config, "text_config");
	*own = view;
	return view;
}

/* Facts a config leaves out that its architecture fixes, each said. */
static void model_fill_gaps(cJSON *view, struct model *m)
{
	if (!view)
		return;
	if (strncmp(m->model_type, "gemma3", 6) == 0 &&
	    !cJSON_GetObjectItemCaseSensitive(view, "vocab_size")) {
		/* transformers Gemma3TextConfig default vocab_size; the published
		 * config leaves it out */
		cJSON_AddNumberToObject(view, "vocab_size", 262208);
		model_note(m, "'vocab_size' is absent: Gemma 3's 262,208 (transformers Gemma3TextConfig default) is used");
	}
}

static int model_read(const cJSON *root, const char *file, cJSON *own, struct model *m,
		      struct err *e)
{
	const cJSON *bc = cJSON_GetObjectItemCaseSensitive(root, "block_configs");

	if (jsonx_str(root, "model_type", file, JX_REQUIRED, m->model_type,
		      sizeof m->model_type, e))
		return e->code;
	if (bc && !cJSON_IsNull(bc))
		return err_set(e, EXIT_INPUT,
			       "%s: 'block_configs' gives each block its own attention and FFN shape (Nemotron-NAS); mlasim does not read per-block shapes, and no flat key describes this model",
			       file);
	model_fill_gaps(own, m);
	if (!model_type_known(m->model_type))
		model_note(m, "'model_type': not one mlasim knows; read as a generic decoder from num_hidden_layers, hidden_size, num_attention_heads, num_key_value_heads, head_dim, intermediate_size and vocab_size");
	if (model_read_keys(root, file, generic_keys, m, e))
		return e->code;
	m->qkv_bias = strcmp(m->model_type, "qwen2") == 0;
	/* Qwen3, Qwen3-MoE and Qwen3-Next normalise each q and k head
	 * (transformers modeling_qwen3.py: q_norm, k_norm = RMSNorm(head_dim));
	 * so do Gemma 3's */
	m->qk_norm = strncmp(m->model_type, "qwen3", 5) == 0 || strncmp(m->model_type, "gemma3", 6) == 0;
	if (model_bool(root, "attention_bias", file, &m->qkv_bias, e) ||
	    model_bool(root, "tie_word_embeddings", file, &m->tie_embeddings, e))
		return e->code;
	m->o_bias = 0;
	if (strcmp(m->model_type, "llama") == 0 || strcmp(m->model_type, "mistral") == 0)
		m->o_bias = m->qkv_bias;   /* llama's attention_bias covers o_proj too */
	if (model_check_attention(root, file, m, e) || model_check_moe(root, file, m, e) ||
	    model_read_shapes(root, file, m, e) || layers_read(root, file, m, e) ||
	    model_check_ffn(root, file, m, e))
		return e->code;
	model_unmodelled(root, m);
	if (model_read_mlasim(root, file, m, e))
		return e->code;
	if (!m->name[0])
		model_name_from_file(file, m->name, sizeof m->name);
	if (!m->display[0])
		snprintf(m->display, sizeof m->display, "%s", m->name);
	return 0;
}

int model_from_json(const cJSON *root, const char *file, struct model *m,
		    struct err *e)
{
	cJSON *own;
	const cJSON *view;
	int rc;

	model_defaults(m);
	snprintf(m->path, sizeof m->path, "%s", file);
	view = model_text_view(root, m, &own);
	rc = model_read(view, file, own, m, e);
	cJSON_Delete(own);
	if (rc && m->text_config[0] && strlen(e->msg) + 40 < sizeof e->msg)
		snprintf(e->msg + strlen(e->msg), sizeof e->msg - strlen(e->msg), " (in 'text_config')");
	if (rc && m->model_type[0] && !model_type_known(m->model_type) &&
	    strlen(e->msg) + 120 < sizeof e->msg)
		snprintf(e->msg + strlen(e->msg), sizeof e->msg - strlen(e->msg),
			 " (model_type '%s' is not one mlasim knows, so every generic key is needed)",
			 m->model_type);
	return rc;
}

int model_key_known(const char *key)
{
	static const char *const other[] = {
		"model_type", "n_routed_experts", "num_local_experts", "attention_bias",
		"tie_word_embeddings", "topk_method", "num_experts", "moe_topk", "num_shared_expert",
		"shared_expert_intermediate_size", "sliding_window", "layer_types", "attention_chunk_size",
		"no_rope_layers", "hybrid_override_pattern", "hybrid_layer_pattern", "full_attention_interval",
		"use_sliding_window", "sliding_window_pattern", "max_window_layers", "decoder_sparse_step",
		"mlp_only_layers", "interleave_moe_layer_step", "use_cla", "cla_share_factor",
		"swa_num_key_value_heads", "v_head_dim", "index_topk", "index_n_heads", "index_head_dim",
		"linear_num_key_heads", "linear_num_value_heads", "linear_key_head_dim",
		"linear_value_head_dim", "linear_conv_kernel_dim", "mamba_num_heads", "mamba_head_dim",
		"ssm_state_size", "n_groups", "conv_kernel", "chunk_size", "mamba_ssm_cache_dtype",
		"mamba_ssm_dtype", "num_mtp_modules", "use_mtp", "mtp_num_hidden_layers",
		"attn_output_gate", "use_qk_norm", "mlp_hidden_act", "intermediate_size_mlp",
		"moe_shared_expert_intermediate_size", "attention_head_dim", NULL,
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
