/*
 * layers.h - the kinds of a model's main layers, read from a config.json.
 *
 * Each layer gets a token mixer and an FFN kind (model.h), from whichever
 * key the config uses to say it, first match wins:
 *   mixer  hybrid_override_pattern (Nemotron-H: one character a layer, M
 *          Mamba-2, * attention, - MLP, E MoE), layer_types (full_attention,
 *          sliding_attention, chunked_attention, linear_attention),
 *          hybrid_layer_pattern (MiMo: 1 sliding window, 0 full),
 *          full_attention_interval (Qwen3-Next: every n-th layer full, the
 *          rest Gated DeltaNet), attention_chunk_size with no_rope_layers
 *          (Llama 4: NoPE layers are global, the rest chunked; without the
 *          list every 4th layer is NoPE, transformers' Llama4TextConfig),
 *          sliding_window (Gemma 3: every sliding_window_pattern-th layer
 *          global, default 6; use_sliding_window true: layers from
 *          max_window_layers on; absent on Qwen: off, transformers'
 *          default; neither key elsewhere: every layer, Mistral's rule)
 *   FFN    the pattern above, moe_layer_freq as a per-layer 0/1 list (MiMo),
 *          mlp_only_layers and decoder_sparse_step (Qwen MoE: layer i is MoE
 *          when not listed and (i + 1) % step == 0), interleave_moe_layer_step
 *          (Llama 4: (i + 1) % step == 0), first_k_dense_replace with an
 *          integer moe_layer_freq (DeepSeek: i >= k and i % freq == 0)
 *   KV     use_cla with cla_share_factor f (Hunyuan: layer i computes K and
 *          V when i % f == 0, the others reuse them), swa_num_key_value_heads
 *   sinks  gpt_oss: every attention layer; MiMo: add_swa_attention_sink_bias,
 *          add_full_attention_sink_bias
 * with the shapes their kinds need: linear_* (Gated DeltaNet), mamba_*,
 * ssm_state_size, n_groups, conv_kernel, chunk_size, mamba_ssm_cache_dtype
 * or mamba_ssm_dtype (Mamba-2 and DeltaNet state), index_* (DSA).
 */
#ifndef MLASIM_LAYERS_H
#define MLASIM_LAYERS_H

#include <cjson/cJSON.h>
#include "err.h"
#include "model.h"

/*
 * Fill m->kind, m->nkinds, m->layer_of and m->moe_layers, and the shape keys
 * of the kinds present, for a model whose generic, attention and MoE keys
 * are read; shapes read but not modelled are added to m->unmodelled.  Returns
 * 0, EXIT_INPUT naming the file and key, or EXIT_ENV when the table of each
 * layer's kind (MODEL_MAX_LAYERS entries, allocated and freed here) cannot
 * be allocated.
 */
int layers_read(const cJSON *root, const char *file, struct model *m, struct err *e);

#endif
