/*
 * tests/unit/kv.c - unit tests of kv.h: KV-cache bytes per token of the
 * bundled models in each format, the --compare table, paging and the layers
 * that hold a cache.
 */
#include <math.h>
#include <string.h>
#include "err.h"
#include "kv.h"
#include "model.h"
#include "precision.h"
#include "unit.h"

static void t_kv_published(void)
{
	struct model m;

	/* ISCA 2025 "Insights into DeepSeek-V3" Table 1, BF16, KB = 1000 B */
	if (!load_model("deepseek-v3", &m))
		CHECK_EQ(kv_token(&m, "bf16"), 70272);    /* (512 + 64) x 61 x 2 = 70.272 KB */
	if (!load_model("qwen2.5-72b", &m))
		CHECK_EQ(kv_token(&m, "bf16"), 327680);   /* 2 x 8 x 128 x 80 x 2 = 327.680 KB */
	if (!load_model("llama-3.1-405b", &m))
		CHECK_EQ(kv_token(&m, "bf16"), 516096);   /* 2 x 8 x 128 x 126 x 2 = 516.096 KB */
}

static void t_kv_other_models(void)
{
	struct model m;

	if (!load_model("llama-3.1-8b", &m))
		CHECK_EQ(kv_token(&m, "bf16"), 131072);   /* 2 x 8 x 128 x 32 x 2 */
	if (!load_model("llama-3.1-70b", &m))
		CHECK_EQ(kv_token(&m, "bf16"), 327680);   /* 2 x 8 x 128 x 80 x 2 */
	if (!load_model("mixtral-8x7b", &m))
		CHECK_EQ(kv_token(&m, "bf16"), 131072);   /* 2 x 8 x 128 x 32 x 2 */
	if (!load_model("deepseek-llm-67b", &m))
		CHECK_EQ(kv_token(&m, "bf16"), 389120);   /* 2 x 8 x 128 x 95 x 2 */
	if (!load_model("deepseek-v2", &m))
		CHECK_EQ(kv_token(&m, "bf16"), 69120);    /* 576 x 60 x 2 */
	if (!load_model("deepseek-v2-lite", &m))
		CHECK_EQ(kv_token(&m, "bf16"), 31104);    /* 576 x 27 x 2 */
	if (!load_model("kimi-k2", &m))
		CHECK_EQ(kv_token(&m, "bf16"), 70272);    /* 576 x 61 x 2, heads do not matter */
	if (!load_model("llama-3.1-8b", &m)) {
		/* a value head narrower than the key head (v_head_dim 64, head_dim 128):
		 * elements and bytes count the same K and V, 8 x (128 + 64) = 1536 */
		m.v_dim = 64;
		CHECK_EQ(kv_elements_per_layer(&m), 1536);
		CHECK_EQ(kv_token(&m, "bf16"), 98304);    /* 1536 x 2 x 32 */
	}
}

static void t_kv_formats(void)
{
	struct model m;
	struct kvfmt f;
	struct err e;

	memset(&e, 0, sizeof e);
	if (!load_model("deepseek-v3", &m)) {
		/* FlashMLA FP8: 512 fp8 + 4 x ceil(512/128) fp32 scales + 64 x 2 bf16 RoPE
		 * = 512 + 16 + 128 = 656 B per layer; x 61 = 40,016 */
		CHECK_EQ(kv_token(&m, "fp8-flashmla"), 40016);
		CHECK_EQ(kv_token(&m, "fp8"), 35136);     /* 576 x 61 x 1 */
		CHECK_EQ(kv_token(&m, "fp32"), 140544);   /* 576 x 61 x 4 */
	}
	if (!load_model("deepseek-v2", &m))
		/* V2 paper: KV quantized to ~6 bits: 576 x 60 x 6 / 8 = 25,920 */
		CHECK_EQ(kv_token(&m, "bits:6"), 25920);
	if (!load_model("llama-3.1-70b", &m)) {
		/* fp8-flashmla is the MLA latent layout: refused on GQA */
		precision_parse_kv("fp8-flashmla", "kv", &f, &e);
		CHECK(isnan(kv_bytes_per_layer(&m, &f, &e)));
		CHECK_EQ(e.code, EXIT_INPUT);
		CHECK_CONTAINS(e.msg, "GQA");
		CHECK_EQ(kv_token(&m, "int4"), 81920);    /* 2 x 8 x 128 x 80 x 4 / 8 */
	}
}

static void t_kv_compare_v3(void)
{
	struct kv_compare c[4];
	struct model m;

	if (load_model("deepseek-v3", &m))
		return;
	/* DeepSeek-V2 Table 1 with V3's n_h 128, d_h = qk_nope 128, l 61,
	 * GQA groups 8 by default for an MLA model (kv.h) */
	kv_compare(&m, 0, 0, c);
	CHECK(c[0].attn == ATTN_MHA && c[1].attn == ATTN_GQA &&
	      c[2].attn == ATTN_MQA && c[3].attn == ATTN_MLA);
	CHECK_EQ(c[0].elements_per_token, 1998848);  /* 2 x 128 x 128 x 61 */
	CHECK_EQ(c[0].groups, 128);
	CHECK_EQ(c[1].elements_per_token, 124928);   /* 2 x 8 x 128 x 61 */
	CHECK_EQ(c[1].groups, 8);
	CHECK_EQ(c[2].elements_per_token, 15616);    /* 2 x 128 x 61 */
	CHECK_EQ(c[3].elements_per_token, 35136);    /* (512 + 64) x 61 */
	/* the MHA:MLA ratio V2's Table 1 argues for: 2 n_h d_h / (d_c + d_r)
	 * = 32768 / 576 = 56.888... */
	CHECK_NEAR(c[0].elements_per_token / c[3].elements_per_token, 32768.0 / 576, 1e-12);
	/* with the MTP layer and 16 groups: l = 62 */
	kv_compare(&m, 16, 1, c);
	CHECK_EQ(c[0].elements_per_token, 2031616);  /* 2 x 128 x 128 x 62 */
	CHECK_EQ(c[1].elements_per_token, 253952);   /* 2 x 16 x 128 x 62 */
	CHECK_EQ(c[3].elements_per_token, 35712);    /* 576 x 62 */
}

static void t_kv_compare_llama70b(void)
{
	struct kv_compare c[4];
	struct model m;

	if (load_model("llama-3.1-70b", &m))
		return;
	/* n_h 64, d_h 128, l 80, the model's own 8 KV heads for GQA; MLA with
	 * V2's ratios d_c = 4 d_h = 512, d_r = d_h / 2 = 64 */
	kv_compare(&m, 0, 0, c);
	CHECK_EQ(c[0].elements_per_token, 1310720);  /* 2 x 64 x 128 x 80 */
	CHECK_EQ(c[1].elements_per_token, 163840);   /* 2 x 8 x 128 x 80 */
	CHECK_EQ(c[1].groups, 8);
	CHECK_EQ(c[2].elements_per_token, 20480);    /* 2 x 128 x 80 */
	CHECK_EQ(c[3].elements_per_token, 46080);    /* (512 + 64) x 80 */
	/* GQA's figure is the model's own cache: 163,840 elements x 2 B = 327,680 */
	CHECK_EQ(c[1].elements_per_token * 2, kv_token(&m, "bf16"));
	kv_compare(&m, 4, 0, c);
	CHECK_EQ(c[1].elements_per_token, 81920);    /* 2 x 4 x 128 x 80 */
}

static void t_kv_paging_layers(void)
{
	struct model m;

	/* pages of 64 tokens: ceil(4097/64) = 65 pages = 4160 tokens */
	CHECK_EQ(kv_paged_tokens(4097, 64), 4160);
	CHECK_EQ(kv_paged_tokens(4096, 64), 4096);   /* exactly 64 pages */
	CHECK_EQ(kv_paged_tokens(1, 16), 16);        /* vLLM's 16-token block */
	CHECK_EQ(kv_paged_tokens(100, 1), 100);      /* unpaged */
	if (!load_model("deepseek-v3", &m)) {
		CHECK_EQ(kv_layers(&m, 0), 61);
		CHECK_EQ(kv_layers(&m, 1), 62);          /* + num_nextn_predict_layers 1 */
	}
	if (!load_model("llama-3.1-8b", &m))
		CHECK_EQ(kv_layers(&m, 1), 32);          /* no MTP layers */
}

static const struct test tests[] = {
	{"kv bytes per token match ISCA 2025 Table 1 (V3, Qwen2.5-72B, Llama-3.1-405B)", t_kv_published},
	{"kv bytes per token of the other bundled models", t_kv_other_models},
	{"kv formats: fp8-flashmla 656 B/layer, bits:6, refusal on GQA", t_kv_formats},
	{"kv --compare for DeepSeek-V3 (DeepSeek-V2 Table 1)", t_kv_compare_v3},
	{"kv --compare for Llama-3.1-70B (MLA with dc = 4 dh, dr = dh/2)", t_kv_compare_llama70b},
	{"kv_paged_tokens and kv_layers", t_kv_paging_layers},
};

const struct suite suite_kv = {"kv", tests, sizeof tests / sizeof tests[0]};
