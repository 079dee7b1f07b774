/*
 * tests/unit/params.c - unit tests of params.h: parameter counts and weight
 * bytes of the bundled models and of the model zoo's shapes, and the sizes
 * of each layer kind (their caches and states, kv.h).
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "deploy.h"
#include "err.h"
#include "hw.h"
#include "kv.h"
#include "model.h"
#include "params.h"
#include "plan.h"
#include "precision.h"
#include "unit.h"

/* ---- parameter counts ---------------------------------------------------- */

/*
 * DeepSeek-V3 by hand (d 7168, V 129280, H 128, dq 1536, dc 512, dn 128,
 * dr 64, dv 128, F 18432, Fe 2048, E 256, Es 1, L 61 of which 3 dense):
 *   embedding = output head = 129280 x 7168               =     926,679,040
 *   attention per layer:
 *     q_a_proj 1536 x 7168 = 11,010,048; q_a_layernorm 1536;
 *     q_b_proj 128 x 192 x 1536 = 37,748,736;
 *     kv_a_proj_with_mqa 576 x 7168 = 4,128,768; kv_a_layernorm 512;
 *     kv_b_proj 128 x 256 x 512 = 16,777,216; o_proj 7168 x 16384 = 117,440,512
 *                                                          =     187,107,328
 *   norms per layer 2 x 7168                               =          14,336
 *   dense FFN 3 x 7168 x 18432                             =     396,361,728
 *   router 256 x 7168 = 1,835,008, + e_score_correction_bias 256
 *   one expert (and the shared expert) 3 x 7168 x 2048     =      44,040,192
 *   dense layer 187,107,328 + 14,336 + 396,361,728         =     583,483,392
 *   MoE layer 187,107,328 + 14,336 + 1,835,008 + 256 + 44,040,192
 *             + 256 x 44,040,192 (= 11,274,289,152)        =  11,507,286,272
 *   total = 2 x 926,679,040 + 7168 (final norm) + 3 x 583,483,392
 *           + 58 x 11,507,286,272                         = 671,026,419,200
 *   active_with_embedding = total - 58 x (256 - 8) x 44,040,192
 *           = 671,026,419,200 - 633,474,121,728            =  37,552,297,472
 *   active = 37,552,297,472 - 926,679,040                  =  36,625,618,432
 *   MTP = enorm + hnorm + shared_head.norm 3 x 7168 = 21,504
 *         + eh_proj 7168 x 14336 = 102,760,448 + one MoE layer
 *                                                          =  11,610,068,224
 */
static void t_params_v3_totals(void)
{
	struct model m;
	struct params p;

	if (load_model("deepseek-v3", &m))
		return;
	params_count(&m, &p);
	CHECK_EQ(p.total, 671026419200.0);
	CHECK_EQ(p.active_with_embedding, 37552297472.0);
	CHECK_EQ(p.active, 36625618432.0);
	CHECK_EQ(p.mtp_total, 11610068224.0);
	/* the MTP block's routed experts count 8 of 256 too:
	 * 11,610,068,224 - 248 x 44,040,192 = 11,610,068,224 - 10,921,967,616 */
	CHECK_EQ(p.mtp_active, 688100608);
	CHECK_EQ(p.layer_count[LAYER_DENSE], 3);
	CHECK_EQ(p.layer_count[LAYER_MOE], 58);
	CHECK_EQ(p.layer_count[LAYER_MTP], 1);
}

static void t_params_v3_components(void)
{
	struct model m;
	struct params p;

	if (load_model("deepseek-v3", &m))
		return;
	params_count(&m, &p);
	CHECK_EQ(p.comp[COMP_EMBED], 926679040);            /* 129280 x 7168 */
	CHECK_EQ(p.comp[COMP_HEAD], 926679040);             /* untied */
	CHECK_EQ(p.comp[COMP_ATTN], 187107328.0 * 61);      /* = 11,413,547,008 */
	CHECK_EQ(p.comp[COMP_NORM], 14336.0 * 61 + 7168);   /* = 881,664 */
	CHECK_EQ(p.comp[COMP_FFN], 396361728.0 * 3);        /* = 1,189,085,184 */
	CHECK_EQ(p.comp[COMP_ROUTER], (1835008.0 + 256) * 58);   /* = 106,445,312 */
	CHECK_EQ(p.comp[COMP_SHARED], 44040192.0 * 58);     /* = 2,554,331,136 */
	CHECK_EQ(p.comp[COMP_ROUTED], 58.0 * 256 * 44040192);    /* = 653,908,770,816 */
	CHECK_EQ(p.comp_active[COMP_ROUTED], 58.0 * 8 * 44040192); /* = 20,434,649,088 */
	CHECK_EQ(p.comp[COMP_MTP], 11610068224.0);
	/* the components add up to the total (MTP apart) */
	CHECK_EQ(p.comp[COMP_EMBED] + p.comp[COMP_ATTN] + p.comp[COMP_NORM] +
		 p.comp[COMP_FFN] + p.comp[COMP_ROUTER] + p.comp[COMP_SHARED] +
		 p.comp[COMP_ROUTED] + p.comp[COMP_HEAD], 671026419200.0);
}

/*
 * DeepSeek-V2 (d 5120, V 102400, H 128, dq 1536, dc 512, F 12288, Fe 1536,
 * E 160, Es 2, k 6, L 60 of which 1 dense, topk_method group_limited_greedy:
 * no bias):
 *   attention: q_a 1536 x 5120 = 7,864,320; q_b 24576 x 1536 = 37,748,736;
 *     kv_a 576 x 5120 = 2,949,120; kv_b 32768 x 512 = 16,777,216;
 *     o 5120 x 16384 = 83,886,080; norms 1536 + 512     =   149,227,520
 *   dense layer + 2 x 5120 norms + 3 x 5120 x 12288       =   337,981,440
 *   MoE layer: 149,227,520 + 10,240 + router 160 x 5120 = 819,200
 *     + shared 3 x 5120 x 3072 = 47,185,920
 *     + routed 160 x 3 x 5120 x 1536 = 3,774,873,600      = 3,972,116,480
 *   total = 2 x 102400 x 5120 + 5120 + 337,981,440 + 59 x 3,972,116,480
 *                                                         = 235,741,434,880
 *   active_with_embedding = total - 59 x 154 x 23,592,960 = 21,375,800,320
 *   active = - 524,288,000 embedding                      = 20,851,512,320
 */
static void t_params_v2(void)
{
	struct model m;
	struct params p;

	if (load_model("deepseek-v2", &m))
		return;
	params_count(&m, &p);
	CHECK_EQ(p.total, 235741434880.0);
	CHECK_EQ(p.active_with_embedding, 21375800320.0);
	CHECK_EQ(p.active, 20851512320.0);
	CHECK_EQ(p.comp[COMP_ATTN], 149227520.0 * 60);
	CHECK_EQ(p.comp[COMP_ROUTER], 819200.0 * 59);      /* no correction bias */
	CHECK_EQ(p.mtp_total, 0);
}

/*
 * DeepSeek-V2-Lite (d 2048, V 102400, H 16, no q_lora_rank, dc 512,
 * F 10944, Fe 1408, E 64, Es 2, k 6, L 27 of which 1 dense):
 *   attention: q_proj 16 x 192 x 2048 = 6,291,456; kv_a 576 x 2048
 *     = 1,179,648; kv_a_layernorm 512; kv_b 16 x 256 x 512 = 2,097,152;
 *     o 2048 x 2048 = 4,194,304                           =    13,763,072
 *   dense layer + 4096 norms + 3 x 2048 x 10944 = 67,239,936  =  81,007,104
 *   MoE layer: 13,763,072 + 4096 + router 131,072
 *     + shared 3 x 2048 x 2816 = 17,301,504
 *     + routed 64 x 3 x 2048 x 1408 = 553,648,128          =   584,847,872
 *   total = 2 x 209,715,200 + 2048 + 81,007,104 + 26 x 584,847,872
 *                                                         = 15,706,484,224
 *   active_with_embedding = total - 26 x 58 x 8,650,752   =  2,661,150,208
 *   active = - 209,715,200                                =  2,451,435,008
 */
static void t_params_v2_lite(void)
{
	struct model m;
	struct params p;

	if (load_model("deepseek-v2-lite", &m))
		return;
	params_count(&m, &p);
	CHECK_EQ(p.total, 15706484224.0);
	CHECK_EQ(p.active_with_embedding, 2661150208.0);
	CHECK_EQ(p.active, 2451435008.0);
	CHECK_EQ(p.comp[COMP_ATTN], 13763072.0 * 27);
}

/*
 * Kimi K2 (V3 architecture with H 64, E 384, V 163840, 1 dense layer, no MTP):
 *   attention: q_a 11,010,048 + 1536 + q_b 64 x 192 x 1536 = 18,874,368
 *     + kv_a 4,128,768 + 512 + kv_b 64 x 256 x 512 = 8,388,608
 *     + o 7168 x 8192 = 58,720,256                        =   101,124,096
 *   dense layer 101,124,096 + 14,336 + 396,361,728        =   497,500,160
 *   MoE layer 101,124,096 + 14,336 + 384 x 7168 + 384 (noaux_tc bias)
 *     + 44,040,192 shared + 384 x 44,040,192              = 17,059,365,248
 *   total = 2 x 163840 x 7168 + 7168 + 497,500,160 + 60 x 17,059,365,248
 *                                                        = 1,026,408,232,448
 *   active_with_embedding = total - 60 x 376 x 44,040,192 = 32,861,500,928
 */
static void t_params_kimi_k2(void)
{
	struct model m;
	struct params p;

	if (load_model("kimi-k2", &m))
		return;
	params_count(&m, &p);
	CHECK_EQ(p.total, 1026408232448.0);
	CHECK_EQ(p.active_with_embedding, 32861500928.0);
	CHECK_EQ(p.active, 32861500928.0 - 163840.0 * 7168);  /* = 31,687,095,808 */
	CHECK_EQ(p.mtp_total, 0);
}

/*
 * Mixtral 8x7B (d 4096, V 32000, H 32, Hkv 8, dh 128, 8 experts of 14336,
 * top-2, L 32, every layer MoE, no shared expert):
 *   attention 2 x 4096 x 4096 + 2 x 1024 x 4096          =    41,943,040
 *   MoE layer 41,943,040 + 8192 norms + router 8 x 4096 = 32,768
 *     + 8 x 3 x 4096 x 14336 = 1,409,286,144              = 1,451,270,144
 *   total = 2 x 131,072,000 + 4096 + 32 x 1,451,270,144    = 46,702,792,704
 *   active_with_embedding = total - 32 x 6 x 176,160,768  = 12,879,925,248
 *   (Mistral: "46.7B total parameters, 12.9B used per token")
 */
static void t_params_mixtral(void)
{
	struct model m;
	struct params p;

	if (load_model("mixtral-8x7b", &m))
		return;
	params_count(&m, &p);
	CHECK_EQ(p.total, 46702792704.0);
	CHECK_EQ(p.active_with_embedding, 12879925248.0);
	CHECK_EQ(p.active, 12879925248.0 - 131072000);      /* = 12,748,853,248 */
	CHECK_EQ(p.comp[COMP_SHARED], 0);
	CHECK_EQ(p.comp[COMP_FFN], 0);                      /* no dense layer */
	CHECK_EQ(p.comp[COMP_ROUTED], 32.0 * 8 * 3 * 4096 * 14336);
}

/*
 * Dense GQA models, layer = q, o [H dh, d] + k, v [Hkv dh, d] + 2 d norms
 * + 3 d F; total = L x layer + 2 V d (untied) + d:
 *   Llama-3.1-8B   L 32, d 4096, F 14336, V 128256:
 *     layer 16,777,216 x 2 + 4,194,304 x 2 + 8192 + 176,160,768 = 218,112,000
 *     32 x 218,112,000 + 1,050,673,152 + 4096        =   8,030,261,248
 *   Llama-3.1-70B  L 80, d 8192, F 28672, V 128256:
 *     layer 67,108,864 x 2 + 8,388,608 x 2 + 16384 + 704,643,072 = 855,654,400
 *     80 x 855,654,400 + 2,101,346,304 + 8192        =  70,553,706,496
 *   Llama-3.1-405B L 126, d 16384, H 128, F 53248, V 128256:
 *     layer 268,435,456 x 2 + 16,777,216 x 2 + 32768 + 2,617,245,696
 *           = 3,187,703,808; 126 x that + 4,202,692,608 + 16384
 *                                                   = 405,853,388,800
 *   Llama-2-70B    as 3.1-70B with V 32000: 80 x 855,654,400 + 524,288,000
 *                  + 8192                            =  68,976,648,192
 */
static void t_params_llama(void)
{
	struct model m;
	struct params p;

	if (!load_model("llama-3.1-8b", &m)) {
		params_count(&m, &p);
		CHECK_EQ(p.total, 8030261248.0);
		CHECK_EQ(p.active_with_embedding, 8030261248.0);  /* dense: all active */
		CHECK_EQ(p.active, 8030261248.0 - 525336576);     /* - 128256 x 4096 */
	}
	if (!load_model("llama-3.1-70b", &m)) {
		params_count(&m, &p);
		CHECK_EQ(p.total, 70553706496.0);
		CHECK_EQ(p.comp[COMP_ATTN], 80.0 * 150994944);    /* 2 x 67.1M + 2 x 8.4M */
		CHECK_EQ(p.comp[COMP_FFN], 80.0 * 704643072);     /* 3 x 8192 x 28672 */
	}
	if (!load_model("llama-3.1-405b", &m)) {
		params_count(&m, &p);
		CHECK_EQ(p.total, 405853388800.0);
	}
	if (!load_model("llama-2-70b", &m)) {
		params_count(&m, &p);
		CHECK_EQ(p.total, 68976648192.0);
	}
}

/*
 *   Qwen2.5-72B  L 80, d 8192, H 64, Hkv 8, F 29568, V 152064, q/k/v biases:
 *     layer 2 x 67,108,864 + 2 x 8,388,608 + biases 8192 + 1024 + 1024
 *           + 16384 norms + 3 x 8192 x 29568 = 726,663,168   = 877,684,736
 *     80 x 877,684,736 + 2 x 152064 x 8192 + 8192     =  72,706,203,648
 *     (model card: 72.7B; non-embedding 70.0B: total - 2 x 152064 x 8192
 *      = 72,706,203,648 - 2,491,416,576 = 70,214,787,072)
 *   DeepSeek-LLM-67B  L 95, d 8192, H 64, Hkv 8, F 22016, V 102400:
 *     layer 150,994,944 + 16384 + 3 x 8192 x 22016 = 541,065,216  = 692,076,544
 *     95 x 692,076,544 + 2 x 102400 x 8192 + 8192     =  67,425,001,472
 */
static void t_params_qwen_ds67b(void)
{
	struct model m;
	struct params p;

	if (!load_model("qwen2.5-72b", &m)) {
		params_count(&m, &p);
		CHECK(m.qkv_bias);
		CHECK_EQ(p.total, 72706203648.0);
		CHECK_EQ(p.comp[COMP_ATTN], 80.0 * (150994944 + 8192 + 1024 + 1024));
		CHECK_EQ(p.total - p.comp[COMP_EMBED] - p.comp[COMP_HEAD], 70214787072.0);
	}
	if (!load_model("deepseek-llm-67b", &m)) {
		params_count(&m, &p);
		CHECK(!m.qkv_bias);
		CHECK_EQ(p.total, 67425001472.0);
	}
}

/* Every card's computed totals lie within 3% of the figure its authors
 * published (the published ones are rounded: 671B, 1T, 70B, ...). */
static void t_params_vs_published(void)
{
	DIR *d = opendir("models");
	struct dirent *de;
	int checked = 0;

	if (!d) {
		t_failed++;
		printf("#   cannot open models/ (run from the repository root)\n");
		return;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char name[256];
		struct model m;
		struct params p;

		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(name, sizeof name, "%.*s", (int)(len - 5), de->d_name);
		if (load_model(name, &m) || isnan(m.published_total))
			continue;
		params_count(&m, &p);
		checked++;
		if (fabs(p.total / m.published_total - 1) > 0.03) {
			t_failed++;
			printf("#   %s: total %.0f vs published %.0f\n", name, p.total,
			       m.published_total);
		}
		/* 'active' excludes the input embedding, as DeepSeek's published
		 * active counts do (V2-Lite 2.45B vs 2.4B; with it, 2.66B); Meta
		 * and Qwen count it (Llama 4's 17B: 16.14B + 1.03B embedding) */
		if (!isnan(m.published_active) &&
		    fabs(p.active / m.published_active - 1) > 0.03 &&
		    fabs(p.active_with_embedding / m.published_active - 1) > 0.03) {
			t_failed++;
			printf("#   %s: active %.0f vs published %.0f\n", name, p.active,
			       m.published_active);
		}
	}
	closedir(d);
	CHECK(checked >= 11);   /* the 11 bundled cards all carry a published total */
}

/* ---- weight bytes -------------------------------------------------------- */

/*
 * DeepSeek-V3 in its released fp8-block layout (params.h: embedding, head,
 * norms, router gate in bf16; e_score_correction_bias fp32; every other
 * linear layer 1 B per weight + a 4 B scale per 128x128 block):
 *   attention per layer, payload 187,105,280 (the 2048 layernorm elements
 *     apart) + scales q_a 12x56, q_b 192x12, kv_a 5x56, kv_b 256x4,
 *     o 56x128 = 11,448 blocks x 4 = 45,792 + layernorms 2048 x 2 = 4,096
 *                                                       =     187,155,168
 *   norms per layer 2 x 7168 x 2                        =          28,672
 *   dense FFN 396,361,728 + 3 x (144 x 56) x 4 = 96,768  =     396,458,496
 *   one expert 44,040,192 + 3 x (16 x 56) x 4 = 10,752  =      44,050,944
 *   router 1,835,008 x 2 + 256 x 4                       =       3,671,040
 *   dense layer 187,155,168 + 28,672 + 396,458,496      =     583,642,336
 *   MoE layer 187,155,168 + 28,672 + 3,671,040 + 257 x 44,050,944
 *                                                       =  11,511,947,488
 *   global: embedding + head 2 x 1,853,358,080 + final norm 14,336
 *                                                       =   3,706,730,496
 *   total = 3,706,730,496 + 3 x 583,642,336 + 58 x 11,511,947,488
 *                                                       = 673,150,611,808
 *   MTP module: 3 norms x 14,336 = 43,008 + eh_proj 7168 x 14336
 *     = 102,760,448 + 56 x 112 x 4 = 25,088 + one MoE layer
 *                                                       =  11,614,776,032
 */
static void t_weights_v3_fp8_block(void)
{
	struct model m;
	struct hw h;
	struct deployment d;

	if (load_model("deepseek-v3", &m) || load_hw("h800-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	CHECK_STR(d.weights.name, "fp8-block");   /* from quantization_config */
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(g_plan.weights_bytes_total, 673150611808.0);
	d.mtp = 1;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(g_plan.weights_bytes_total, 673150611808.0 + 11614776032.0);
}

static void t_weights_bf16(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	struct err e;

	memset(&e, 0, sizeof e);
	if (load_hw("h100-sxm", &h))
		return;
	if (!load_model("llama-3.1-70b", &m)) {
		plan_default_deployment(&m, &d);
		/* all bf16: 2 B x 70,553,706,496 */
		if (!plan_run(&m, &h, &d))
			CHECK_EQ(g_plan.weights_bytes_total, 141107412992.0);
	}
	if (!load_model("deepseek-v3", &m)) {
		plan_default_deployment(&m, &d);
		CHECK_RC(precision_parse_weights("bf16", "w", &d.weights, &e), 0, &e);
		/* 2 B x 671,026,419,200, plus 2 B more for each of the 58 x 256
		 * fp32 correction-bias entries: 1,342,052,838,400 + 29,696 */
		if (!plan_run(&m, &h, &d))
			CHECK_EQ(g_plan.weights_bytes_total, 1342052868096.0);
	}
}

/* ---- model zoo: Qwen3 shapes, MoE names, unmodelled features ------------- */

/*
 * Qwen3-0.6B's published shape (tied embeddings, q/k norms), counted by hand:
 * per layer q 2048x1024 + k, v 1024x1024 + o 1024x2048 = 6,291,456; q_norm and
 * k_norm 2 x 128; SwiGLU 3 x 3072 x 1024 = 9,437,184; two norms 2,048:
 * 15,730,944 x 28 = 440,466,432, + final norm 1,024 + embedding 151,936 x
 * 1,024 = 155,582,464: 596,049,920 (HF's safetensors count).  Tied, the
 * embedding is the output head: active = total.
 */
static void t_zoo_qwen3_dense(void)
{
	struct model m;
	struct params p;
	struct err e;

	if (CHECK_OK(model_text("{\"model_type\":\"qwen3\",\"num_hidden_layers\":28,\"hidden_size\":1024,"
				"\"num_attention_heads\":16,\"num_key_value_heads\":8,\"head_dim\":128,"
				"\"intermediate_size\":3072,\"vocab_size\":151936,\"tie_word_embeddings\":true}",
				&m, &e), &e))
		return;
	params_count(&m, &p);
	CHECK_EQ(p.total, 596049920);
	CHECK_EQ(p.active, 596049920);
	CHECK_EQ(m.nunmodelled, 0);
}

/*
 * Qwen3-MoE names: num_experts 8, top-2 of width 64; one shared expert given
 * as shared_expert_intermediate_size 64.  Hunyuan names: moe_topk,
 * num_shared_expert, experts as wide as intermediate_size.  A sliding window
 * that use_sliding_window turns off is no warning; use_cla is.
 */
static void t_zoo_moe_names(void)
{
	struct model m;
	struct err e;

	if (CHECK_OK(model_text("{\"model_type\":\"qwen3_moe\",\"num_hidden_layers\":2,\"hidden_size\":32,"
				"\"num_attention_heads\":4,\"num_key_value_heads\":2,\"head_dim\":8,"
				"\"intermediate_size\":96,\"vocab_size\":100,\"num_experts\":8,"
				"\"num_experts_per_tok\":2,\"moe_intermediate_size\":64,"
				"\"shared_expert_intermediate_size\":64,\"decoder_sparse_step\":1,"
				"\"mlp_only_layers\":[],\"sliding_window\":4096,\"use_sliding_window\":false}",
				&m, &e), &e))
		return;
	CHECK(m.is_moe);
	CHECK_EQ(m.experts, 8);
	CHECK_EQ(m.top_k, 2);
	CHECK_EQ(m.expert_inter, 64);
	CHECK_EQ(m.shared_experts, 1);
	CHECK_EQ(m.moe_layers, 2);
	CHECK_EQ(m.nunmodelled, 0);

	if (CHECK_OK(model_text("{\"model_type\":\"hunyuan\",\"num_hidden_layers\":2,\"hidden_size\":32,"
				"\"num_attention_heads\":4,\"num_key_value_heads\":2,\"head_dim\":8,"
				"\"intermediate_size\":96,\"vocab_size\":100,\"num_experts\":4,"
				"\"moe_topk\":1,\"num_shared_expert\":1,\"use_cla\":true,"
				"\"cla_share_factor\":2}", &m, &e), &e))
		return;
	CHECK_EQ(m.top_k, 1);
	CHECK_EQ(m.shared_experts, 1);
	CHECK_EQ(m.expert_inter, 96);
	CHECK_EQ(m.nunmodelled, 0);
	/* CLA: layer 1 reuses layer 0's K and V: one layer of 2 x 2 heads x 8 x 2 B */
	{
		struct kvfmt f;
		struct kv_account a;
		precision_parse_kv("bf16", "kv", &f, &e);
		CHECK_OK(kv_account(&m, &f, 1, 0, &a, &e), &e);
		CHECK_EQ(a.per_token, 64);
	}

	/* a shared width that is not whole experts is refused, naming the key */
	CHECK_EQ(model_text("{\"model_type\":\"qwen3_moe\",\"num_hidden_layers\":2,\"hidden_size\":32,"
			    "\"num_attention_heads\":4,\"head_dim\":8,\"vocab_size\":100,\"num_experts\":8,"
			    "\"num_experts_per_tok\":2,\"moe_intermediate_size\":64,"
			    "\"shared_expert_intermediate_size\":100}", &m, &e), EXIT_INPUT);
	CHECK(strstr(e.msg, "'shared_expert_intermediate_size' (100) must be a whole number") != NULL);
}

/* ---- layer kinds: sizes worked out by hand ------------------------------- */

/* bf16 KV format for the layer-kind tests. */
static struct kvfmt kv_bf16(void)
{
	struct kvfmt f;
	struct err e;

	precision_parse_kv("bf16", "kv", &f, &e);
	return f;
}

/*
 * A small gpt-oss: 4 layers [sliding 8, full, sliding 8, full], hidden 64,
 * 8 heads of 16, 2 KV heads, attention_bias, 4 experts of width 32, top 2.
 * Per layer: q [128, 64] 8,192 + k, v [32, 64] 2 x 2,048 + biases 128 + 32
 * + 32 + sinks 8 + o [64, 128] 8,192 + o bias 64 = 20,744; norms 128; router
 * [4, 64] 256 + bias 4, experts 4 x 3 x 2,048 = 24,576, their biases
 * 4 x (64 + 64) = 512: 25,348.  46,220 x 4 + embedding 6,400 + norm 64 +
 * head 6,400 = 197,744.  Active: experts 2 of 4 (12,288 + 256 biases):
 * 33,676 x 4 + 64 + 6,400 = 141,168.  KV: 2 full layers x 2 x 2 x 16 x 2 B
 * = 256 B per token; 2 window layers x 128 B x 8 tokens = 2,048 B fixed.
 */
static void t_kinds_window(void)
{
	struct model m;
	struct params p;
	struct kv_account a;
	struct kvfmt f = kv_bf16();
	struct err e;

	if (CHECK_OK(model_text("{\"model_type\":\"gpt_oss\",\"num_hidden_layers\":4,\"hidden_size\":64,"
				"\"num_attention_heads\":8,\"num_key_value_heads\":2,\"head_dim\":16,"
				"\"intermediate_size\":32,\"vocab_size\":100,\"num_local_experts\":4,"
				"\"num_experts_per_tok\":2,\"attention_bias\":true,\"sliding_window\":8,"
				"\"layer_types\":[\"sliding_attention\",\"full_attention\","
				"\"sliding_attention\",\"full_attention\"]}", &m, &e), &e))
		return;
	CHECK_EQ(m.nkinds, 3);
	CHECK_EQ(m.kind[LAYER_MOE].count, 2);
	CHECK(m.kind[2].mix == MIX_WINDOW && m.kind[2].window == 8 && m.kind[2].count == 2);
	params_count(&m, &p);
	CHECK_EQ(p.total, 197744);
	CHECK_EQ(p.active, 141168);
	if (CHECK_OK(kv_account(&m, &f, 1, 0, &a, &e), &e))
		return;
	CHECK_EQ(a.per_token, 256);
	CHECK_EQ(a.fixed, 2048);
	/* 5 tokens: full 256 x 5 + window 2 x 128 x 5 (under the window); 100
	 * tokens: 25,600 + 2,048 */
	CHECK_EQ(kv_seq_bytes(&a, 5, 1), 2560);
	CHECK_EQ(kv_seq_bytes(&a, 100, 1), 27648);
	/* tp 2: each of the 2 KV heads on its own GPU */
	if (CHECK_OK(kv_account(&m, &f, 2, 0, &a, &e), &e))
		return;
	CHECK_EQ(a.per_token, 128);
	CHECK_EQ(a.fixed, 1024);
}

/*
 * A small Nemotron-H, pattern "M*M-": Mamba-2 of 4 heads x 8 (inner 32),
 * state 16, 2 groups, conv 4; attention of 4 heads of 16, 2 KV heads;
 * relu2 MLP of 128.  Mamba layer: in_proj [2 x 32 + 2 x 32 + 4, 64] 8,448,
 * conv1d 96 x (4 + bias) 480, dt_bias, A_log, D 12, norm 32, out_proj
 * [64, 32] 2,048, one layer norm 64: 11,084.  Attention layer: q, o 4,096
 * each, k, v 2,048 each, norm 64: 12,352.  MLP layer: up and down 8,192
 * each, norm 64: 16,448.  2 x 11,084 + 12,352 + 16,448 + 12,864 (embedding,
 * norm, head) = 63,832.  State per Mamba layer: conv 96 x 3 x 2 B = 576 +
 * SSM 4 x 8 x 16 x 4 B (float32) = 2,048: 5,248 for two; KV 128 B a token.
 */
static void t_kinds_mamba(void)
{
	struct model m;
	struct params p;
	struct kv_account a;
	struct kvfmt f = kv_bf16();
	struct err e;

	if (CHECK_OK(model_text("{\"model_type\":\"nemotron_h\",\"num_hidden_layers\":4,\"hidden_size\":64,"
				"\"num_attention_heads\":4,\"num_key_value_heads\":2,\"head_dim\":16,"
				"\"intermediate_size\":128,\"vocab_size\":100,\"mlp_hidden_act\":\"relu2\","
				"\"hybrid_override_pattern\":\"M*M-\",\"mamba_num_heads\":4,"
				"\"mamba_head_dim\":8,\"ssm_state_size\":16,\"n_groups\":2,\"conv_kernel\":4,"
				"\"mamba_ssm_cache_dtype\":\"float32\"}", &m, &e), &e))
		return;
	CHECK(model_is_hybrid(&m));
	params_count(&m, &p);
	CHECK_EQ(p.total, 63832);
	if (CHECK_OK(kv_account(&m, &f, 1, 0, &a, &e), &e))
		return;
	CHECK_EQ(a.per_token, 128);
	CHECK_EQ(a.state, 5248);
	CHECK_EQ(a.fixed, 5248);
	CHECK_EQ(kv_seq_bytes(&a, 10, 1), 1280 + 5248);
	/* a pattern of the wrong length, or an unknown letter, names the key */
	CHECK_EQ(model_text("{\"model_type\":\"nemotron_h\",\"num_hidden_layers\":4,\"hidden_size\":64,"
			    "\"num_attention_heads\":4,\"vocab_size\":100,\"intermediate_size\":128,"
			    "\"hybrid_override_pattern\":\"M*X-\",\"mamba_num_heads\":4,"
			    "\"mamba_head_dim\":8,\"ssm_state_size\":16}", &m, &e), EXIT_INPUT);
	CHECK_CONTAINS(e.msg, "'hybrid_override_pattern' character 2 is 'X'");
}

/*
 * DeepSeek-V3.2 is V3 with DSA (index_n_heads 64, index_head_dim 128,
 * index_topk 2048): per layer wq_b [64 x 128, 1536] 12,582,912 + wk
 * [128, 7168] 917,504 + k_norm weight and bias 256 + weights_proj [64, 7168]
 * 458,752 = 13,959,424, x 61 = 851,524,864: 671,026,419,200 ->
 * 671,877,944,064 (expected.tsv's count), all of it active.  The fp8
 * indexer key adds 128 + 4 B per token per layer: 61 x 1,284 = 78,324 B.
 */
static void t_kinds_dsa(void)
{
	static const char *const sets[] = {"model_type=deepseek_v32", "index_topk=2048",
					   "index_n_heads=64", "index_head_dim=128"};
	struct model m;
	struct params p;
	struct kv_account a;
	struct kvfmt f = kv_bf16();
	struct err e;

	memset(&e, 0, sizeof e);
	if (CHECK_OK(model_load("models/deepseek-v3.json", sets, 4, &m, &e), &e))
		return;
	params_count(&m, &p);
	CHECK_EQ(p.total, 671877944064.0);
	CHECK_EQ(p.active, 36625618432.0 + 851524864.0);
	if (CHECK_OK(kv_account(&m, &f, 8, 0, &a, &e), &e))
		return;
	CHECK_EQ(a.per_token, 78324);      /* the latent is not split by tp */
	CHECK_EQ(a.fixed, 0);
}

static const struct test tests[] = {
	{"params DeepSeek-V3 totals, active and MTP", t_params_v3_totals},
	{"params DeepSeek-V3 by component", t_params_v3_components},
	{"params DeepSeek-V2", t_params_v2},
	{"params DeepSeek-V2-Lite", t_params_v2_lite},
	{"params Kimi K2", t_params_kimi_k2},
	{"params Mixtral 8x7B", t_params_mixtral},
	{"params Llama 3.1 8B/70B/405B and Llama 2 70B", t_params_llama},
	{"params Qwen2.5-72B (qkv bias) and DeepSeek-LLM-67B", t_params_qwen_ds67b},
	{"params within 3% of every card's published figures", t_params_vs_published},
	{"weights DeepSeek-V3 fp8-block whole model, with and without MTP", t_weights_v3_fp8_block},
	{"weights bf16 (Llama-3.1-70B, DeepSeek-V3 with fp32 router bias)", t_weights_bf16},
	{"zoo Qwen3-0.6B by hand: q/k norms, tied head active, 596,049,920", t_zoo_qwen3_dense},
	{"zoo MoE names: num_experts, moe_topk, num_shared_expert, shared width; CLA halves the cache", t_zoo_moe_names},
	{"kinds: gpt-oss-like windows by hand: 197,744 params, 256 B/token + 2,048 B fixed", t_kinds_window},
	{"kinds: Nemotron-H-like Mamba-2 by hand: 63,832 params, 5,248 B state", t_kinds_mamba},
	{"kinds: DeepSeek-V3.2 DSA indexer: 671,877,944,064 params, 78,324 B/token", t_kinds_dsa},
};

const struct suite suite_params = {"params", tests, sizeof tests / sizeof tests[0]};
