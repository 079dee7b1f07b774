/* layers.c - per-layer kinds from a config.json; the rules are in layers.h */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jsonx.h"
#include "layers.h"

#define DIM_MAX 1e7
#define COUNT_MAX 1e5

static const cJSON *layers_item(const cJSON *root, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);

	return cJSON_IsNull(v) ? NULL : v;
}

/* The per-layer list `key`, if present: it must be an array of num_hidden_layers. */
static int layers_list(const cJSON *root, const char *key, const char *file,
		       const struct model *m, const cJSON **out, struct err *e)
{
	const cJSON *v = layers_item(root, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != (int)m->layers)
		return err_set(e, EXIT_INPUT, "%s: '%s' must be a list of %.0f entries, one per layer",
			       file, key, m->layers);
	*out = v;
	return 0;
}

/* Entry i of a 0/1 list, as an int; -1 when it is neither. */
static int layers_flag(const cJSON *list, int i)
{
	const cJSON *v = cJSON_GetArrayItem(list, i);

	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v);
	if (cJSON_IsNumber(v) && (v->valuedouble == 0 || v->valuedouble == 1))
		return (int)v->valuedouble;
	return -1;
}

/* Nemotron-H's pattern: one character a layer. */
static int layers_pattern(const char *pat, const char *file, const struct model *m,
			  struct layer_spec *l, struct err *e)
{
	int i;

	if (strlen(pat) != (size_t)m->layers)
		return err_set(e, EXIT_INPUT, "%s: 'hybrid_override_pattern' has %zu characters, expected %.0f (one per layer)",
			       file, strlen(pat), m->layers);
	for (i = 0; i < (int)m->layers; i++) {
		switch (pat[i]) {
		case 'M': l[i].mix = MIX_MAMBA; l[i].ffn = FFN_NONE; break;
		case '*': l[i].mix = MIX_FULL; l[i].ffn = FFN_NONE; break;
		case '-': l[i].mix = MIX_NONE; l[i].ffn = FFN_DENSE; break;
		case 'E':
			if (!m->is_moe)
				return err_set(e, EXIT_INPUT,
					       "%s: 'hybrid_override_pattern' character %d is E (MoE), but the config gives no experts ('n_routed_experts')",
					       file, i);
			l[i].mix = MIX_NONE;
			l[i].ffn = FFN_MOE;
			break;
		default:
			return err_set(e, EXIT_INPUT,
				       "%s: 'hybrid_override_pattern' character %d is '%c': expected M (Mamba-2), * (attention), - (MLP) or E (MoE)",
				       file, i, pat[i]);
		}
	}
	return 0;
}

/* layer_types: the mixer of each layer by name. */
static int layers_types(const cJSON *list, const char *file, double window, double chunk,
			struct layer_spec *l, int n, struct err *e)
{
	int i;

	for (i = 0; i < n; i++) {
		const cJSON *v = cJSON_GetArrayItem(list, i);
		const char *s = cJSON_IsString(v) ? v->valuestring : "";

		if (strcmp(s, "full_attention") == 0 || strcmp(s, "attention") == 0) {
			l[i].mix = MIX_FULL;
		} else if (strcmp(s, "sliding_attention") == 0) {
			if (!(window > 0))
				return err_set(e, EXIT_INPUT, "%s: 'layer_types[%d]' is sliding_attention but 'sliding_window' is not a positive integer",
					       file, i);
			l[i].mix = MIX_WINDOW;
			l[i].window = window;
		} else if (strcmp(s, "chunked_attention") == 0) {
			if (!(chunk > 0))
				return err_set(e, EXIT_INPUT, "%s: 'layer_types[%d]' is chunked_attention but 'attention_chunk_size' is not a positive integer",
					       file, i);
			l[i].mix = MIX_CHUNK;
			l[i].window = chunk;
		} else if (strcmp(s, "linear_attention") == 0) {
			l[i].mix = MIX_LINEAR;
		} else {
			return err_set(e, EXIT_INPUT,
				       "%s: 'layer_types[%d]' is '%s': expected full_attention, sliding_attention, chunked_attention or linear_attention",
				       file, i, s);
		}
	}
	return 0;
}

/* The other ways of saying which layers are windowed; first match wins. */
static int layers_windows(const cJSON *root, const char *file, const struct model *m,
			  double window, double chunk, struct layer_spec *l, struct err *e)
{
	const cJSON *list;
	double every = 0, pattern = 6, maxwin = 0;
	int i, n = (int)m->layers, use = -1;

	if (layers_list(root, "hybrid_layer_pattern", file, m, &list, e))
		return e->code;
	if (list) {              /* MiMo: 1 sliding window, 0 full */
		for (i = 0; i < n; i++) {
			int f = layers_flag(list, i);
			if (f < 0)
				return err_set(e, EXIT_INPUT, "%s: 'hybrid_layer_pattern[%d]' must be 0 or 1", file, i);
			if (f && !(window > 0))
				return err_set(e, EXIT_INPUT, "%s: 'hybrid_layer_pattern' marks window layers but 'sliding_window' is not a positive integer", file);
			l[i].mix = f ? MIX_WINDOW : MIX_FULL;
			l[i].window = f ? window : 0;
		}
		return 0;
	}
	if (jsonx_num(root, "full_attention_interval", file, "full_attention_interval",
		      JX_INT | JX_POSITIVE | JX_NULLABLE, COUNT_MAX, &every, e) > 0)
		return e->code;
	if (every > 0) {         /* Qwen3-Next: every n-th layer full, the rest Gated DeltaNet */
		for (i = 0; i < n; i++)
			l[i].mix = (i + 1) % (int)every == 0 ? MIX_FULL : MIX_LINEAR;
		return 0;
	}
	if (chunk > 0) {         /* Llama 4: NoPE layers are global */
		if (layers_list(root, "no_rope_layers", file, m, &list, e))
			return e->code;
		for (i = 0; i < n; i++) {
			int rope = list ? layers_flag(list, i) : (i + 1) % 4 != 0;
			if (rope < 0)
				return err_set(e, EXIT_INPUT, "%s: 'no_rope_layers[%d]' must be 0 or 1", file, i);
			l[i].mix = rope ? MIX_CHUNK : MIX_FULL;
			l[i].window = rope ? chunk : 0;
		}
		return 0;
	}
	if (!(window > 0))
		return 0;
	{
		const cJSON *u = layers_item(root, "use_sliding_window");
		if (u && !cJSON_IsBool(u))
			return err_set(e, EXIT_INPUT, "%s: 'use_sliding_window' must be true or false", file);
		if (u)
			use = cJSON_IsTrue(u);
	}
	if (use < 0 && strncmp(m->model_type, "qwen", 4) == 0)
		use = 0;    /* transformers Qwen2Config, Qwen3Config: use_sliding_window False */
	if (use == 0)
		return 0;
	if (jsonx_num(root, "sliding_window_pattern", file, "sliding_window_pattern",
		      JX_INT | JX_POSITIVE | JX_NULLABLE, COUNT_MAX, &pattern, e) > 0 ||
	    jsonx_num(root, "max_window_layers", file, "max_window_layers",
		      JX_INT | JX_NULLABLE, COUNT_MAX, &maxwin, e) > 0)
		return e->code;
	for (i = 0; i < n; i++) {
		int win;
		if (strncmp(m->model_type, "gemma", 5) == 0)
			win = (i + 1) % (int)pattern != 0;   /* transformers Gemma3TextConfig */
		else if (use == 1)
			win = i >= maxwin;                  /* Qwen2: layers from max_window_layers on */
		else
			win = 1;                            /* Mistral: every layer */
		l[i].mix = win ? MIX_WINDOW : MIX_FULL;
		l[i].window = win ? window : 0;
	}
	return 0;
}

/* Which layers are MoE, for configs without a pattern; first match wins. */
static int layers_ffn(const cJSON *root, const char *file, const struct model *m,
		      struct layer_spec *l, struct err *e)
{
	const cJSON *list, *only;
	double step = 0, inter = 0;
	int i, n = (int)m->layers;

	if (!m->is_moe) {
		for (i = 0; i < n; i++)
			l[i].ffn = FFN_DENSE;
		return 0;
	}
	list = layers_item(root, "moe_layer_freq");
	if (cJSON_IsArray(list)) {   /* MiMo: a 0/1 flag per layer */
		if (layers_list(root, "moe_layer_freq", file, m, &list, e))
			return e->code;
		for (i = 0; i < n; i++) {
			int f = layers_flag(list, i);
			if (f < 0)
				return err_set(e, EXIT_INPUT, "%s: 'moe_layer_freq[%d]' must be 0 or 1", file, i);
			l[i].ffn = f ? FFN_MOE : FFN_DENSE;
		}
		return 0;
	}
	only = layers_item(root, "mlp_only_layers");
	if (only && !cJSON_IsArray(only))
		return err_set(e, EXIT_INPUT, "%s: 'mlp_only_layers' must be a list of layer indices", file);
	if (jsonx_num(root, "decoder_sparse_step", file, "decoder_sparse_step",
		      JX_INT | JX_POSITIVE | JX_NULLABLE, COUNT_MAX, &step, e) > 0 ||
	    jsonx_num(root, "interleave_moe_layer_step", file, "interleave_moe_layer_step",
		      JX_INT | JX_POSITIVE | JX_NULLABLE, COUNT_MAX, &inter, e) > 0)
		return e->code;
	if (only || step > 0 || inter > 0) {
		double s = step > 0 ? step : inter > 0 ? inter : 1;
		for (i = 0; i < n; i++)
			l[i].ffn = (i + 1) % (int)s == 0 ? FFN_MOE : FFN_DENSE;
		for (i = 0; only && i < cJSON_GetArraySize(only); i++) {
			const cJSON *v = cJSON_GetArrayItem(only, i);
			if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble >= n ||
			    v->valuedouble != floor(v->valuedouble))
				return err_set(e, EXIT_INPUT, "%s: 'mlp_only_layers[%d]' must be a layer index below %d",
					       file, i, n);
			l[(int)v->valuedouble].ffn = FFN_DENSE;
		}
		return 0;
	}
	for (i = 0; i < n; i++)        /* DeepSeek: i >= first_k_dense_replace, every moe_layer_freq-th */
		l[i].ffn = i >= m->first_dense && fmod(i, m->moe_freq) == 0 ? FFN_MOE : FFN_DENSE;
	return 0;
}

/* Shape keys of Gated DeltaNet and Mamba-2, read when their layers are present. */
static const struct shape_key {
	const char *key;
	size_t offset;
	enum mixer needs;
	int required;
} shape_keys[] = {
	{"linear_num_key_heads", offsetof(struct model, lin_k_heads), MIX_LINEAR, 1},
	{"linear_num_value_heads", offsetof(struct model, lin_v_heads), MIX_LINEAR, 1},
	{"linear_key_head_dim", offsetof(struct model, lin_k_dim), MIX_LINEAR, 1},
	{"linear_value_head_dim", offsetof(struct model, lin_v_dim), MIX_LINEAR, 1},
	{"linear_conv_kernel_dim", offsetof(struct model, lin_conv), MIX_LINEAR, 1},
	{"mamba_num_heads", offsetof(struct model, mamba_heads), MIX_MAMBA, 1},
	{"mamba_head_dim", offsetof(struct model, mamba_head_dim), MIX_MAMBA, 1},
	{"ssm_state_size", offsetof(struct model, ssm_state), MIX_MAMBA, 1},
	{"n_groups", offsetof(struct model, ssm_groups), MIX_MAMBA, 0},
	{"conv_kernel", offsetof(struct model, mamba_conv), MIX_MAMBA, 0},
	{"chunk_size", offsetof(struct model, ssm_chunk), MIX_MAMBA, 0},
	{NULL, 0, MIX_FULL, 0},
};

/* Bytes of a recurrent-state dtype name; 0 when not one. */
static double layers_dtype_bytes(const char *s)
{
	if (strcmp(s, "float32") == 0 || strcmp(s, "fp32") == 0)
		return 4;
	if (strcmp(s, "bfloat16") == 0 || strcmp(s, "float16") == 0 || strcmp(s, "bf16") == 0 ||
	    strcmp(s, "fp16") == 0)
		return 2;
	return 0;
}

static int layers_shapes(const cJSON *root, const char *file, struct model *m,
			 const int *has, struct err *e)
{
	const struct shape_key *k;
	const char *dkeys[] = {"mamba_ssm_cache_dtype", "mamba_ssm_dtype", NULL};
	char dt[32];
	int i;

	/* absent keys take transformers NemotronHConfig's defaults (n_groups 8,
	 * conv_kernel 4, chunk_size 128); the state is kept in the model's bf16
	 * unless mamba_ssm_cache_dtype says otherwise (vLLM's "auto") */
	m->ssm_groups = 8;
	m->mamba_conv = 4;
	m->ssm_chunk = 128;
	m->state_bytes = 2;
	for (k = shape_keys; k->key; k++) {
		/* cppcheck-suppress invalidPointerCast ; a double field, found by its offsetof */
		double *dst = (double *)((char *)m + k->offset);
		if (!has[k->needs])
			continue;
		if (jsonx_num(root, k->key, file, k->key,
			      JX_INT | JX_POSITIVE | (k->required ? JX_REQUIRED : JX_NULLABLE),
			      DIM_MAX, dst, e) > 0)
			return e->code;
	}
	for (i = 0; dkeys[i]; i++) {
		int rc = jsonx_str(root, dkeys[i], file, JX_NULLABLE, dt, sizeof dt, e);
		if (rc > 0)
			return rc;
		if (rc == 0 && (has[MIX_LINEAR] || has[MIX_MAMBA])) {
			m->state_bytes = layers_dtype_bytes(dt);
			if (m->state_bytes == 0)
				return err_set(e, EXIT_INPUT, "%s: '%s' is '%s': expected float32, bfloat16 or float16",
					       file, dkeys[i], dt);
			break;
		}
	}
	if (has[MIX_LINEAR] && fmod(m->lin_v_heads, m->lin_k_heads) != 0)
		return err_set(e, EXIT_INPUT, "%s: 'linear_num_key_heads' (%.0f) must divide 'linear_num_value_heads' (%.0f)",
			       file, m->lin_k_heads, m->lin_v_heads);
	return 0;
}

/* 1 when number `key` is present and not `value`. */
static int layers_differs(const cJSON *root, const char *key, double value)
{
	const cJSON *v = layers_item(root, key);

	return cJSON_IsNumber(v) && v->valuedouble != value;
}

/* Note a shape read but not modelled (model.h: unmodelled). */
static void layers_note(struct model *m, const char *what)
{
	if (m->nunmodelled < MODEL_MAX_UNMODELLED)
		m->unmodelled[m->nunmodelled++] = what;
}

/* The slot of kind *l in m->kind, added when new; -1 when the slots are full. */
static int layers_slot(struct model *m, const struct layer_spec *l)
{
	int k;

	for (k = 0; k < m->nkinds; k++) {
		const struct layer_spec *o = &m->kind[k];
		if (o->mix == l->mix && o->ffn == l->ffn && o->window == l->window &&
		    o->kv_heads == l->kv_heads && o->kv_shared == l->kv_shared && o->sinks == l->sinks)
			return k;
	}
	if (m->nkinds == MODEL_MAX_KINDS)
		return -1;
	m->kind[m->nkinds] = *l;
	m->kind[m->nkinds].count = 0;
	return m->nkinds++;
}

/* Window KV heads, CLA and sinks of each attention layer. */
static int layers_attention(const cJSON *root, const char *file, struct model *m,
			    struct layer_spec *l, struct err *e)
{
	double swa_kv = m->kv_heads, cla = 1;
	int cla_on = 0, swa_sink = 0, full_sink = 0, i;

	if (jsonx_num(root, "swa_num_key_value_heads", file, "swa_num_key_value_heads",
		      JX_INT | JX_POSITIVE | JX_NULLABLE, COUNT_MAX, &swa_kv, e) > 0 ||
	    jsonx_num(root, "cla_share_factor", file, "cla_share_factor",
		      JX_INT | JX_POSITIVE | JX_NULLABLE, COUNT_MAX, &cla, e) > 0)
		return e->code;
	cla_on = cJSON_IsTrue(layers_item(root, "use_cla"));
	if (layers_differs(root, "swa_head_dim", m->head_dim) ||
	    layers_differs(root, "swa_v_head_dim", m->v_dim) ||
	    layers_differs(root, "swa_num_attention_heads", m->heads))
		layers_note(m, "'swa_head_dim', 'swa_v_head_dim', 'swa_num_attention_heads': window layers with other head shapes are sized with the full layers' shapes");
	swa_sink = cJSON_IsTrue(layers_item(root, "add_swa_attention_sink_bias"));
	full_sink = cJSON_IsTrue(layers_item(root, "add_full_attention_sink_bias"));
	if (strcmp(m->model_type, "gpt_oss") == 0)   /* transformers GptOssAttention.sinks */
		swa_sink = full_sink = 1;
	if (fmod(m->heads, swa_kv) != 0)
		return err_set(e, EXIT_INPUT, "%s: 'swa_num_key_value_heads' %.0f must divide 'num_attention_heads' %.0f",
			       file, swa_kv, m->heads);
	for (i = 0; i < (int)m->layers; i++) {
		int window = l[i].mix == MIX_WINDOW || l[i].mix == MIX_CHUNK;
		if (l[i].mix != MIX_FULL && !window)
			continue;
		l[i].kv_heads = l[i].mix == MIX_WINDOW ? swa_kv : m->kv_heads;
		l[i].sinks = window ? swa_sink : full_sink;
		l[i].kv_shared = cla_on && cla > 1 && i % (int)cla != 0;
	}
	m->full_sinks = full_sink;
	return 0;
}

/* layers_read with l[] for each layer's kind, MODEL_MAX_LAYERS long. */
static int layers_read_into(const cJSON *root, const char *file, struct model *m, struct layer_spec *l,
			    struct err *e)
{
	const cJSON *pat = layers_item(root, "hybrid_override_pattern"), *types;
	double window = 0, chunk = 0;
	int has[MIX_KINDS] = {0}, i, n = (int)m->layers;

	if (n > MODEL_MAX_LAYERS)
		return err_set(e, EXIT_INPUT, "%s: 'num_hidden_layers' %d is more than the %d mlasim holds",
			       file, n, MODEL_MAX_LAYERS);
	if (jsonx_num(root, "sliding_window", file, "sliding_window",
		      JX_INT | JX_POSITIVE | JX_NULLABLE, 1e9, &window, e) > 0 ||
	    jsonx_num(root, "attention_chunk_size", file, "attention_chunk_size",
		      JX_INT | JX_POSITIVE | JX_NULLABLE, 1e9, &chunk, e) > 0 ||
	    layers_list(root, "layer_types", file, m, &types, e))
		return e->code;
	memset(l, 0, sizeof l[0] * (size_t)n);
	if (pat && !cJSON_IsString(pat))
		return err_set(e, EXIT_INPUT, "%s: 'hybrid_override_pattern' must be a string", file);
	if (pat) {
		if (layers_pattern(pat->valuestring, file, m, l, e))
			return e->code;
	} else {
		if (types ? layers_types(types, file, window, chunk, l, n, e) :
			    layers_windows(root, file, m, window, chunk, l, e))
			return e->code;
		if (layers_ffn(root, file, m, l, e))
			return e->code;
	}
	if (layers_attention(root, file, m, l, e))
		return e->code;
	for (i = 0; i < n; i++)
		has[l[i].mix] = 1;
	if (layers_shapes(root, file, m, has, e))
		return e->code;
	m->nkinds = 2;
	memset(m->kind, 0, sizeof m->kind);
	m->kind[0] = (struct layer_spec){MIX_FULL, FFN_DENSE, 0, m->kv_heads, 0, m->full_sinks, 0};
	m->kind[1] = (struct layer_spec){MIX_FULL, FFN_MOE, 0, m->kv_heads, 0, m->full_sinks, 0};
	m->moe_layers = 0;
	for (i = 0; i < n; i++) {
		int k = layers_slot(m, &l[i]);
		if (k < 0)
			return err_set(e, EXIT_INPUT, "%s: the layers have more than %d distinct kinds, more than mlasim holds",
				       file, MODEL_MAX_KINDS);
		m->layer_of[i] = (unsigned char)k;
		m->kind[k].count++;
		m->moe_layers += l[i].ffn == FFN_MOE;
	}
	return 0;
}

int layers_read(const cJSON *root, const char *file, struct model *m, struct err *e)
{
	struct layer_spec *l = malloc(MODEL_MAX_LAYERS * sizeof *l);
	int rc;

	if (!l)
		return err_set(e, EXIT_ENV, "out of memory reading the layers of %s", file);
	rc = layers_read_into(root, file, m, l, e);
	free(l);
	return rc;
}
