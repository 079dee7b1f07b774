/*
 * tests/unit/cards.c - unit tests of model.h, hw.h, jsonx.h, cards.h: model
 * and hardware cards read from JSON, --set overrides, every bundled card,
 * and finding cards by name.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "cards.h"
#include "deploy.h"
#include "err.h"
#include "hw.h"
#include "jsonx.h"
#include "kv.h"
#include "model.h"
#include "params.h"
#include "plan.h"
#include "topo.h"
#include "unit.h"

static int hw_text(const char *text, struct hw *h, struct err *e)
{
	cJSON *root = cJSON_Parse(text);
	int rc;

	memset(e, 0, sizeof *e);
	if (!root) {
		t_failed++;
		printf("#   the test's own JSON does not parse: %s\n", text);
		return -1;
	}
	rc = hw_from_json(root, "test.json", h, e);
	cJSON_Delete(root);
	return rc;
}

/* ---- model cards from JSON text ------------------------------------------ */

#define BASE "\"model_type\":\"llama\",\"num_hidden_layers\":2,\"hidden_size\":512," \
	     "\"num_attention_heads\":8,\"vocab_size\":1000,\"intermediate_size\":1024"

static void t_model_attention_kinds(void)
{
	struct model m;
	struct err e;

	/* no num_key_value_heads: kv heads = heads -> MHA; head_dim 512/8 = 64 */
	if (!CHECK_OK(model_text("{" BASE "}", &m, &e), &e)) {
		CHECK(m.attn == ATTN_MHA);
		CHECK_EQ(m.kv_heads, 8);
		CHECK_EQ(m.head_dim, 64);
		CHECK_STR(model_attn_name(m.attn), "MHA");
		CHECK_STR(m.name, "test");               /* file name without .json */
		CHECK_STR(m.weights, "bf16");
	}
	if (!CHECK_OK(model_text("{" BASE ",\"num_key_value_heads\":2}", &m, &e), &e)) {
		CHECK(m.attn == ATTN_GQA);
		/* 2 x 2 x 64 elements x 2 layers x 2 B = 1024 B per token */
		CHECK_EQ(kv_token(&m, "bf16"), 1024);
	}
	if (!CHECK_OK(model_text("{" BASE ",\"num_key_value_heads\":1}", &m, &e), &e))
		CHECK(m.attn == ATTN_MQA);
	if (!CHECK_OK(model_text("{" BASE ",\"num_key_value_heads\":8,\"head_dim\":128}", &m, &e), &e)) {
		CHECK(m.attn == ATTN_MHA);
		CHECK_EQ(m.head_dim, 128);               /* explicit head_dim wins */
	}
	/* kv heads must divide heads */
	CHECK_RC(model_text("{" BASE ",\"num_key_value_heads\":3}", &m, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'num_key_value_heads'");
	/* a missing required key, a negative and a fractional value */
	CHECK_RC(model_text("{\"model_type\":\"llama\",\"num_hidden_layers\":2,\"hidden_size\":512,"
			    "\"num_attention_heads\":8}", &m, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'vocab_size'");
	CHECK_RC(model_text("{" BASE ",\"num_key_value_heads\":-2}", &m, &e), EXIT_INPUT, &e);
	CHECK_RC(model_text("{" BASE ",\"head_dim\":64.5}", &m, &e), EXIT_INPUT, &e);
	/* a count above 2^31 is read exactly (valuedouble, not valueint) */
	if (!CHECK_OK(model_text("{\"model_type\":\"llama\",\"num_hidden_layers\":1,\"hidden_size\":8,"
			"\"num_attention_heads\":1,\"vocab_size\":300000000,\"intermediate_size\":8}",
			&m, &e), &e))
		CHECK_EQ(m.vocab, 300000000);
}

static void t_model_mla(void)
{
	struct model m;
	struct params p;
	struct err e;

	/* V2-Lite shape: q_lora_rank null -> queries projected from d directly */
	if (!CHECK_OK(model_text("{\"model_type\":\"deepseek_v2\",\"num_hidden_layers\":2,"
			"\"hidden_size\":2048,\"num_attention_heads\":16,\"num_key_value_heads\":16,"
			"\"vocab_size\":1000,\"intermediate_size\":4096,\"kv_lora_rank\":512,"
			"\"q_lora_rank\":null,\"qk_nope_head_dim\":128,\"qk_rope_head_dim\":64,"
			"\"v_head_dim\":128}", &m, &e), &e)) {
		CHECK(m.attn == ATTN_MLA);
		CHECK_EQ(m.q_lora, 0);
		CHECK_EQ(m.kv_lora, 512);
		CHECK(!m.is_moe);
		params_count(&m, &p);
		/* attention 16 x 192 x 2048 + 576 x 2048 + 512 + 16 x 256 x 512
		 * + 2048 x 2048 = 13,763,072 per layer (V2-Lite's) */
		CHECK_EQ(p.comp[COMP_ATTN], 2 * 13763072.0);
		CHECK_EQ(kv_token(&m, "bf16"), 2304);    /* 576 x 2 x 2 */
	}
	/* MLA without qk_rope_head_dim is incomplete */
	CHECK_RC(model_text("{" BASE ",\"kv_lora_rank\":512,\"qk_nope_head_dim\":128,"
			    "\"v_head_dim\":128}", &m, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'qk_rope_head_dim'");
	/* the bundled V3 card: MTP layers, router bias, first dense layers */
	if (!load_model("deepseek-v3", &m)) {
		CHECK(m.attn == ATTN_MLA && m.is_moe);
		CHECK_EQ(m.mtp_layers, 1);
		CHECK(m.router_bias);                    /* topk_method noaux_tc */
		CHECK_EQ(m.first_dense, 3);
		CHECK_EQ(m.moe_layers, 58);              /* 61 - 3 */
		CHECK_EQ(m.experts, 256);
		CHECK_EQ(m.top_k, 8);
		CHECK_STR(m.weights, "fp8-block");
		CHECK_STR(m.name, "deepseek-v3");
		CHECK_STR(m.display, "DeepSeek-V3");
		CHECK_EQ(m.published_total, 671e9);
		CHECK(!model_layer_is_moe(&m, 2));
		CHECK(model_layer_is_moe(&m, 3));
		CHECK(model_layer_is_moe(&m, 60));
	}
	if (!load_model("deepseek-v2", &m))
		CHECK(!m.router_bias);                   /* group_limited_greedy */
}

static void t_model_moe_layout(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	struct err e;

	/* Mixtral style: num_local_experts, no moe_intermediate_size: each
	 * expert is intermediate_size wide; every layer MoE */
	if (!CHECK_OK(model_text("{\"model_type\":\"mixtral\",\"num_hidden_layers\":4,\"hidden_size\":64,"
			"\"num_attention_heads\":4,\"num_key_value_heads\":2,\"vocab_size\":100,"
			"\"intermediate_size\":224,\"num_local_experts\":8,\"num_experts_per_tok\":2}",
			&m, &e), &e)) {
		CHECK(m.is_moe);
		CHECK_EQ(m.experts, 8);
		CHECK_EQ(m.expert_inter, 224);
		CHECK_EQ(m.moe_layers, 4);
		CHECK_EQ(m.shared_experts, 0);
	}
	if (!load_model("mixtral-8x7b", &m))
		CHECK_EQ(m.expert_inter, 14336);

	/* first_k_dense_replace 1, moe_layer_freq 2, 6 layers: HF's rule
	 * (layer_idx >= first_k_dense_replace and layer_idx % moe_layer_freq == 0)
	 * makes layers 2 and 4 MoE; 0, 1, 3, 5 dense */
	if (CHECK_OK(model_text("{\"model_type\":\"deepseek_v2\",\"num_hidden_layers\":6,\"hidden_size\":64,"
		       "\"num_attention_heads\":4,\"vocab_size\":100,\"intermediate_size\":256,"
		       "\"kv_lora_rank\":32,\"q_lora_rank\":null,\"qk_nope_head_dim\":16,"
		       "\"qk_rope_head_dim\":8,\"v_head_dim\":16,\"n_routed_experts\":4,"
		       "\"n_shared_experts\":1,\"num_experts_per_tok\":2,\"moe_intermediate_size\":32,"
		       "\"first_k_dense_replace\":1,\"moe_layer_freq\":2}", &m, &e), &e))
		return;
	CHECK(!model_layer_is_moe(&m, 0));
	CHECK(!model_layer_is_moe(&m, 1));
	CHECK(model_layer_is_moe(&m, 2));
	CHECK(!model_layer_is_moe(&m, 3));
	CHECK(model_layer_is_moe(&m, 4));
	CHECK(!model_layer_is_moe(&m, 5));
	CHECK_EQ(m.moe_layers, 2);
	CHECK_EQ(model_moe_layers(&m), 2);
	/* pipeline of 2 stages, layers [0,3) and [3,6): one MoE layer each;
	 * of 3 stages [0,2) [2,4) [4,6): 0, 1, 1 */
	if (load_hw("h100-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	d.pp = 2;
	if (!plan_run(&m, &h, &d)) {
		CHECK_EQ(g_plan.mem.stage[0].moe_layers, 1);
		CHECK_EQ(g_plan.mem.stage[1].moe_layers, 1);
	}
	d.pp = 3;
	if (!plan_run(&m, &h, &d)) {
		CHECK_EQ(g_plan.mem.stage[0].moe_layers, 0);
		CHECK_EQ(g_plan.mem.stage[1].moe_layers, 1);
		CHECK_EQ(g_plan.mem.stage[2].moe_layers, 1);
	}
	/* top_k above the expert count is refused */
	CHECK_RC(model_text("{\"model_type\":\"mixtral\",\"num_hidden_layers\":4,\"hidden_size\":64,"
			    "\"num_attention_heads\":4,\"vocab_size\":100,\"intermediate_size\":224,"
			    "\"num_local_experts\":2,\"num_experts_per_tok\":3}", &m, &e),
		 EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'num_experts_per_tok'");
}

static void t_model_set(void)
{
	const char *sets1[] = {"kv_lora_rank=256"};
	const char *sets2[] = {"num_nextn_predict_layers=0", "mlasim.name=v3-no-mtp"};
	const char *bad[] = {"=5"};
	const char *empty[] = {"kv_lora_rank="};
	const char *notnum[] = {"kv_lora_rank=abc"};
	struct model m;
	struct params p;
	struct err e;

	memset(&e, 0, sizeof e);
	/* kv_lora_rank 256: (256 + 64) x 61 x 2 = 39,040 B per token */
	if (!CHECK_OK(model_load("models/deepseek-v3.json", sets1, 1, &m, &e), &e)) {
		CHECK_EQ(m.kv_lora, 256);
		CHECK_EQ(kv_token(&m, "bf16"), 39040);
		/* fp8-flashmla: 256 + 4 x 2 + 128 = 392 B per layer x 61 = 23,912 */
		CHECK_EQ(kv_token(&m, "fp8-flashmla"), 23912);
		/* the parameters follow: kv_a [320, 7168], kv_a_layernorm [256] and
		 * kv_b [32768, 256] lose 256 x 7168 + 256 + 32768 x 256 =
		 * 1,835,008 + 256 + 8,388,608 = 10,223,872 per layer:
		 * 671,026,419,200 - 61 x 10,223,872 = 670,402,763,008 */
		params_count(&m, &p);
		CHECK_EQ(p.total, 670402763008.0);
	}
	if (!CHECK_OK(model_load("models/deepseek-v3.json", sets2, 2, &m, &e), &e)) {
		CHECK_EQ(m.mtp_layers, 0);
		CHECK_STR(m.name, "v3-no-mtp");          /* dotted path into "mlasim" */
		CHECK_EQ(kv_layers(&m, 1), 61);
	}
	CHECK_RC(model_load("models/deepseek-v3.json", bad, 1, &m, &e), EXIT_USAGE, &e);
	CHECK_RC(model_load("models/deepseek-v3.json", empty, 1, &m, &e), EXIT_USAGE, &e);
	/* a bare word becomes a string, which the loader then refuses */
	CHECK_RC(model_load("models/deepseek-v3.json", notnum, 1, &m, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'kv_lora_rank'");
	CHECK_RC(model_load("models/no-such-card.json", NULL, 0, &m, &e), EXIT_INPUT, &e);
}

/* ---- hardware cards ------------------------------------------------------ */

static void t_hw_h800(void)
{
	struct hw h;

	if (load_hw("h800-sxm", &h))
		return;
	/* card: hbm_usable_gb 85.899 (80 GiB), hbm_gbs 3350, bf16_tflops 989,
	 * fp8_tflops 1979, gbs_per_dir 200, nic_gbps 400, runtime_reserve_gb 2,
	 * scale_up latency_us 3.33; decimal units (1 GB = 1e9 B) */
	CHECK_EQ(h.gpu.hbm_usable_bytes, 85.899e9);
	CHECK_EQ(h.gpu.hbm_bytes, 85.899e9);
	CHECK_REL(h.gpu.hbm_bw, 3.35e12, 1e-15);          /* 3350 x 1e9 */
	CHECK_REL(h.gpu.flops_bf16, 9.89e14, 1e-15);      /* 989 x 1e12 */
	CHECK_REL(h.gpu.flops_fp8, 1.979e15, 1e-15);      /* 1979 x 1e12 */
	CHECK_EQ(h.gpu.flops_fp4, 0);                     /* Hopper: none */
	CHECK_EQ(h.gpu.reserve_bytes, 2e9);
	CHECK_EQ(h.gpu.sms, 132);
	CHECK(isnan(h.gpu.l2_bytes));                     /* not on the card */
	CHECK_EQ(h.scale_up.bw, 2e11);                    /* 200 GB/s per direction */
	CHECK_EQ(h.scale_up.domain_gpus, 8);
	CHECK_REL(h.scale_up.latency_s, 3.33e-6, 1e-12);
	CHECK_EQ(h.scale_out.nic_bw, 5e10);               /* 400 Gb/s / 8 */
	CHECK_EQ(h.scale_out.effective_bw_per_nic, 4e10); /* 40 GB/s */
	CHECK_STR(h.scale_up.technology, "nvlink4");
	CHECK_STR(h.scale_up.topology, "switch");
	CHECK_STR(h.name, "h800-sxm");
	CHECK_STR(h.rack.cooling, "air");
	CHECK_REL(h.eff.compute, 0.79, 1e-15);
}

#define HW_MIN "\"name\":\"t\",\"gpu\":{\"hbm_usable_gb\":80,\"hbm_gbs\":3350,\"bf16_tflops\":989"

static void t_hw_reject(void)
{
	struct hw h;
	struct err e;

	/* the minimal card is accepted, so the refusals below are the typo's doing */
	CHECK_RC(hw_text("{" HW_MIN "}}", &h, &e), 0, &e);
	CHECK_EQ(h.gpu.hbm_usable_bytes, 8e10);
	CHECK_EQ(h.gpu.reserve_bytes, 0);                 /* absent reserve: 0 */
	CHECK(isnan(h.gpu.flops_fp8));                    /* absent: NAN, not guessed */
	CHECK_RC(hw_text("{" HW_MIN ",\"hbm_gbs_typo\":1}}", &h, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'gpu.hbm_gbs_typo'");
	CHECK_RC(hw_text("{" HW_MIN "},\"gpux\":{}}", &h, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'gpux'");
	/* missing a required key */
	CHECK_RC(hw_text("{\"name\":\"t\",\"gpu\":{\"hbm_usable_gb\":80,\"bf16_tflops\":989}}",
			 &h, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'gpu.hbm_gbs'");
	/* usable above nominal */
	CHECK_RC(hw_text("{" HW_MIN ",\"hbm_gb\":64}}", &h, &e), EXIT_INPUT, &e);
	/* a fraction above 1, a string where a number is due, a bad enum */
	CHECK_RC(hw_text("{" HW_MIN "},\"efficiency\":{\"compute\":1.2}}", &h, &e), EXIT_INPUT, &e);
	CHECK_RC(hw_text("{" HW_MIN ",\"tdp_w\":\"700\"}}", &h, &e), EXIT_INPUT, &e);
	CHECK_RC(hw_text("{" HW_MIN "},\"rack\":{\"cooling\":\"water\"}}", &h, &e), EXIT_INPUT, &e);
	CHECK_RC(hw_text("{" HW_MIN ",\"sms\":0}}", &h, &e), EXIT_INPUT, &e);     /* positive */
	CHECK_RC(hw_text("{" HW_MIN ",\"sms\":1.5}}", &h, &e), EXIT_INPUT, &e);   /* integer */
	CHECK_RC(hw_text("{" HW_MIN ",\"tdp_w\":-700}}", &h, &e), EXIT_INPUT, &e);
}

static void t_hw_set(void)
{
	const char *up[] = {"gpu.hbm_usable_gb=96"};
	const char *multi[] = {"gpu.hbm_usable_gb=70", "scale_out.nic_gbps=800"};
	const char *bad[] = {"gpu.hbm_gbs.x=1"};
	struct hw h;
	struct err e;

	memset(&e, 0, sizeof e);
	/* H200's 141 GB leave room for 96: 96e9 B */
	if (!CHECK_OK(hw_load("hw/h200-sxm.json", up, 1, &h, &e), &e))
		CHECK_EQ(h.gpu.hbm_usable_bytes, 9.6e10);
	/* on an 80 GiB (85.899 GB) H800 the same override exceeds hbm_gb: refused */
	CHECK_RC(hw_load("hw/h800-sxm.json", up, 1, &h, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'gpu.hbm_usable_gb'");
	if (!CHECK_OK(hw_load("hw/h800-sxm.json", multi, 2, &h, &e), &e)) {
		CHECK_EQ(h.gpu.hbm_usable_bytes, 7e10);
		CHECK_EQ(h.scale_out.nic_bw, 1e11);          /* 800 Gb/s / 8 */
		CHECK_EQ(h.gpu.hbm_bytes, 85.899e9);         /* untouched */
	}
	/* a path through a number is a usage error */
	CHECK_RC(hw_load("hw/h800-sxm.json", bad, 1, &h, &e), EXIT_USAGE, &e);
	CHECK(hw_is_section("gpu.hbm_gbs=1"));
	CHECK(!hw_is_section("kv_lora_rank=256"));
	CHECK(!hw_is_section("mlasim.name=x"));
}

/* ---- jsonx: --set paths and values, a key twice -------------------------- */

/* A cJSON allocator that fails once failing_allocs allocations are made. */
static int failing_allocs;
static void *failing_malloc(size_t n)
{
	return failing_allocs-- > 0 ? malloc(n) : NULL;
}

static void t_jsonx_set(void)
{
	cJSON *root = cJSON_Parse("{\"a\":1,\"o\":{\"b\":2}}");
	cJSON_Hooks failing = {failing_malloc, free};
	struct err e;
	int rc, allocs;

	memset(&e, 0, sizeof e);
	if (!root) {
		t_failed++;
		return;
	}
	CHECK_RC(jsonx_set(root, "a=5", &e), 0, &e);
	CHECK_EQ(cJSON_GetObjectItemCaseSensitive(root, "a")->valuedouble, 5);
	CHECK_RC(jsonx_set(root, "o.b=3.5", &e), 0, &e);
	CHECK_EQ(cJSON_GetObjectItemCaseSensitive(
			 cJSON_GetObjectItemCaseSensitive(root, "o"), "b")->valuedouble, 3.5);
	/* missing objects on the way are created */
	CHECK_RC(jsonx_set(root, "n.m.k=true", &e), 0, &e);
	CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(root, "n"), "m"), "k")));
	CHECK_RC(jsonx_set(root, "s=hello", &e), 0, &e);   /* bare word: a string */
	CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "s")));
	CHECK_RC(jsonx_set(root, "a.x=1", &e), EXIT_USAGE, &e);   /* a is a number */
	CHECK_RC(jsonx_set(root, "noequals", &e), EXIT_USAGE, &e);
	CHECK_RC(jsonx_set(root, "o..b=1", &e), EXIT_USAGE, &e);
	CHECK_RC(jsonx_set(root, ".b=1", &e), EXIT_USAGE, &e);
	/* out of memory making the path's object x (its item, then its key):
	 * EXIT_ENV, where it once returned 0 with the override silently missing */
	for (allocs = 0; allocs < 2; allocs++) {
		memset(&e, 0, sizeof e);
		failing_allocs = allocs;
		cJSON_InitHooks(&failing);
		rc = jsonx_set(root, "x.y=1", &e);
		cJSON_InitHooks(NULL);
		CHECK_EQ(rc, EXIT_ENV);
		CHECK_CONTAINS(e.msg, "out of memory applying '--set x.y=1'");
		CHECK(!cJSON_GetObjectItemCaseSensitive(root, "x"));
	}
	cJSON_Delete(root);
}

/* jsonx_check_unique's answer for JSON text: its return code, message in e. */
static int unique_text(const char *text, struct err *e)
{
	cJSON *root = cJSON_Parse(text);
	int rc;

	memset(e, 0, sizeof *e);
	if (!root) {
		t_failed++;
		printf("#   the test's own JSON does not parse: %.80s\n", text);
		return -1;
	}
	rc = jsonx_check_unique(root, "t.json", e);
	cJSON_Delete(root);
	return rc;
}

/* A key twice in one object is refused, naming its whole path, the first
 * repetition in the text; keys differing in case are two keys. */
static void t_jsonx_unique(void)
{
	char big[4096], *p;
	cJSON *root = NULL;
	struct err e;
	size_t k = 0;
	int i;

	CHECK_RC(unique_text("{\"a\":1,\"o\":{\"a\":2,\"b\":[{\"a\":1},{\"a\":1}]},\"A\":3}", &e), 0, &e);
	CHECK_RC(unique_text("{}", &e), 0, &e);
	CHECK_RC(unique_text("{\"a\":1,\"b\":2,\"a\":3}", &e), EXIT_INPUT, &e);
	CHECK_STR(e.msg, "t.json: key 'a' appears twice; each key may appear once");
	CHECK_RC(unique_text("{\"name\":\"x\",\"gpu\":{\"hbm_gbs\":1,\"sms\":2,\"hbm_gbs\":3}}", &e),
		 EXIT_INPUT, &e);
	CHECK_STR(e.msg, "t.json: key 'gpu.hbm_gbs' appears twice; each key may appear once");
	CHECK_RC(unique_text("{\"probes\":[{\"id\":1},{\"id\":2},{\"id\":3},{\"id\":4,\"x\":0,\"id\":5}]}",
			     &e), EXIT_INPUT, &e);
	CHECK_STR(e.msg, "t.json: key 'probes[3].id' appears twice; each key may appear once");
	CHECK_RC(unique_text("{\"a\":[[1,{\"b\":{\"c\":1,\"c\":2,\"c\":3}}]]}", &e), EXIT_INPUT, &e);
	CHECK_STR(e.msg, "t.json: key 'a[0][1].b.c' appears 3 times; each key may appear once");
	/* the first in the text: inside an earlier member before a later repetition */
	CHECK_RC(unique_text("{\"o\":{\"x\":1,\"x\":2},\"a\":1,\"a\":2}", &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "key 'o.x'");
	CHECK_RC(unique_text("{\"a\":1,\"a\":2,\"o\":{\"x\":1,\"x\":2}}", &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "key 'a'");
	/* a large object (checked by sorting): "k3" repeats at member 70, "k1" at
	 * 80, "k0" at 90; the first repetition in the text is k3's */
	k += (size_t)snprintf(big + k, sizeof big - k, "{");
	for (i = 0; i < 100; i++)
		k += (size_t)snprintf(big + k, sizeof big - k, "%s\"k%d\":%d", i ? "," : "",
				      i == 70 ? 3 : i == 80 ? 1 : i == 90 ? 0 : i, i);
	snprintf(big + k, sizeof big - k, "}");
	CHECK_RC(unique_text(big, &e), EXIT_INPUT, &e);
	CHECK_STR(e.msg, "t.json: key 'k3' appears twice; each key may appear once");
	p = strstr(big, "\"k3\":70");
	if (p)
		memcpy(p, "\"x3\"", 4);    /* now k1 at 80 is the first */
	CHECK_RC(unique_text(big, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "key 'k1' appears twice");
	for (i = 0; i < 2 && (p = strstr(big, i ? "\"k0\":90" : "\"k1\":80")); i++)
		p[1] = 'y';
	CHECK_RC(unique_text(big, &e), 0, &e);
	/* a path too long to print whole is shortened, the message still one line */
	k = 0;
	for (i = 0; i < 60; i++)
		k += (size_t)snprintf(big + k, sizeof big - k, "{\"level%02d\":", i);
	k += (size_t)snprintf(big + k, sizeof big - k, "{\"d\":1,\"d\":2}");
	for (i = 0; i < 60; i++)
		k += (size_t)snprintf(big + k, sizeof big - k, "}");
	CHECK_RC(unique_text(big, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "t.json: key 'level00.level01.");
	CHECK_CONTAINS(e.msg, "...' appears twice");
	CHECK(strlen(e.msg) < 300 && !strchr(e.msg, '\n'));
	/* jsonx_load refuses such a file and leaves *root alone */
	memset(&e, 0, sizeof e);
	CHECK_RC(jsonx_load("tests/bad/hw-dup-key.json", &root, &e), EXIT_INPUT, &e);
	CHECK_STR(e.msg, "tests/bad/hw-dup-key.json: key 'gpu.hbm_gbs' appears twice; each key may appear once");
	CHECK(root == NULL);
	cJSON_Delete(root);
}

/* ---- every bundled card -------------------------------------------------- */

/* Every bundled card loads, and says something sane. */
static void t_bundled_cards_load(void)
{
	const char *dirs[2] = {"models", "hw"};
	int counts[2] = {0, 0}, k;

	for (k = 0; k < 2; k++) {
		DIR *d = opendir(dirs[k]);
		struct dirent *de;

		if (!d) {
			t_failed++;
			printf("#   cannot open %s/ (run from the repository root)\n", dirs[k]);
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			size_t len = strlen(de->d_name);
			char path[512];
			struct err e;
			struct model m;
			struct hw h;
			int rc;

			if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
				continue;
			snprintf(path, sizeof path, "%s/%s", dirs[k], de->d_name);
			memset(&e, 0, sizeof e);
			rc = k == 0 ? model_load(path, NULL, 0, &m, &e) : hw_load(path, NULL, 0, &h, &e);
			counts[k]++;
			if (rc) {
				t_failed++;
				printf("#   %s: %s\n", path, e.msg);
				continue;
			}
			if (k == 0 && !(m.layers >= 1 && m.hidden >= 1 && kv_token(&m, "bf16") > 0)) {
				t_failed++;
				printf("#   %s: implausible dimensions\n", path);
			}
			if (k == 1 && !(h.gpu.hbm_usable_bytes > 1e9 && h.gpu.hbm_bw > 1e11 &&
					h.gpu.flops_bf16 > 1e13)) {
				t_failed++;
				printf("#   %s: implausible GPU figures\n", path);
			}
		}
		closedir(d);
	}
	CHECK(counts[0] >= 11);   /* 11 bundled model cards */
	CHECK(counts[1] >= 9);    /* 9 bundled hardware cards */
}

/* ---- finding cards by name ----------------------------------------------- */

static void t_cards_resolve(void)
{
	static const struct { enum card_kind k; const char *name, *path; } ok[] = {
		{CARD_MODEL, "v3", "models/deepseek-v3.json"},           /* alias */
		{CARD_MODEL, "v3.json", "models/deepseek-v3.json"},      /* alias + .json */
		{CARD_MODEL, "deepseek-v3", "models/deepseek-v3.json"},  /* file stem */
		{CARD_MODEL, "deepseek-v3.json", "models/deepseek-v3.json"},
		{CARD_MODEL, "DeepSeek-V3", "models/deepseek-v3.json"},  /* case-insensitive name */
		{CARD_MODEL, "r1", "models/deepseek-v3.json"},
		{CARD_MODEL, "mixtral", "models/mixtral-8x7b.json"},
		{CARD_MODEL, "models/llama-3.1-8b.json", "models/llama-3.1-8b.json"},  /* a path */
		{CARD_HW, "gb200", "hw/gb200-nvl72.json"},
		{CARD_HW, "gb200.json", "hw/gb200-nvl72.json"},
		{CARD_HW, "H800", "hw/h800-sxm.json"},                   /* alias, any case */
		{CARD_HW, "h800-sxm", "hw/h800-sxm.json"},
		{CARD_HW, "mi300x", "hw/mi300x.json"},
	};
	char out[1024];
	struct err e;
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int rc;

		memset(&e, 0, sizeof e);
		out[0] = 0;
		rc = cards_resolve(ok[i].k, ok[i].name, out, sizeof out, &e);
		if (rc || strcmp(out, ok[i].path) != 0) {
			t_failed++;
			printf("#   cards_resolve('%s') = %d '%s' (%s), want '%s'\n", ok[i].name,
			       rc, out, rc ? e.msg : "", ok[i].path);
		}
	}
}

static void t_cards_unknown(void)
{
	char out[1024];
	struct err e;

	memset(&e, 0, sizeof e);
	CHECK_RC(cards_resolve(CARD_MODEL, "deepseek-v4", out, sizeof out, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'deepseek-v4'");
	CHECK_CONTAINS(e.msg, "'deepseek-v3'");          /* one edit away */
	CHECK_RC(cards_resolve(CARD_HW, "h900", out, sizeof out, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "did you mean");
	CHECK_RC(cards_resolve(CARD_MODEL, "nowhere/x.json", out, sizeof out, &e), EXIT_INPUT, &e);
	CHECK_RC(cards_resolve(CARD_MODEL, "", out, sizeof out, &e), EXIT_USAGE, &e);
	/* a hardware name is not a model */
	CHECK_RC(cards_resolve(CARD_MODEL, "h800", out, sizeof out, &e), EXIT_INPUT, &e);
}

/* ---- command line: strict --set values, card ranges ---------------------- */

static void t_cli_jsonx_set_strict(void)
{
	/* jsonx_set: the whole value is the JSON literal; one that starts like
	 * a number and is not one is a usage error naming the key */
	cJSON *root = cJSON_CreateObject(), *v;
	struct err e;

	memset(&e, 0, sizeof e);
	CHECK_RC(jsonx_set(root, "gpu.hbm_gbs=3350abc", &e), EXIT_USAGE, &e);
	CHECK_CONTAINS(e.msg, "'gpu.hbm_gbs' expects a decimal number");
	CHECK_RC(jsonx_set(root, "a=0x10", &e), EXIT_USAGE, &e);
	CHECK_RC(jsonx_set(root, "a=8,9", &e), EXIT_USAGE, &e);
	CHECK_RC(jsonx_set(root, "a=-5x", &e), EXIT_USAGE, &e);
	CHECK_RC(jsonx_set(root, "a=.5.", &e), EXIT_USAGE, &e);
	CHECK(cJSON_GetObjectItemCaseSensitive(root, "a") == NULL);   /* nothing applied */
	CHECK_RC(jsonx_set(root, "a=1.5e3", &e), 0, &e);
	v = cJSON_GetObjectItemCaseSensitive(root, "a");
	CHECK(cJSON_IsNumber(v));
	CHECK_EQ(v ? v->valuedouble : NAN, 1500);
	CHECK_RC(jsonx_set(root, "s=\"405b\"", &e), 0, &e);   /* a quoted string stays one */
	v = cJSON_GetObjectItemCaseSensitive(root, "s");
	CHECK_STR(cJSON_IsString(v) ? v->valuestring : "", "405b");
	CHECK_RC(jsonx_set(root, "t=air", &e), 0, &e);          /* a bare word too */
	CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "t")));
	cJSON_Delete(root);
}

static void t_cli_card_ranges(void)
{
	/* topo.h: radix even, 4 to 1e5; hw.h: PUE 1 to 5 */
	CHECK(!topo_radix_valid(3));
	CHECK(topo_radix_valid(4));
	CHECK(!topo_radix_valid(5));
	CHECK(!topo_radix_valid(64.5));
	CHECK(topo_radix_valid(1e5));
	CHECK(!topo_radix_valid(1e5 + 2));
	CHECK(!topo_radix_valid(NAN));
	CHECK(!hw_pue_valid(0.99));
	CHECK(hw_pue_valid(1));
	CHECK(hw_pue_valid(5));
	CHECK(!hw_pue_valid(5.01));
	CHECK(!hw_pue_valid(NAN));
}

static const struct test tests[] = {
	{"model attention kinds and head_dim default", t_model_attention_kinds},
	{"model MLA keys, q_lora_rank null, DeepSeek-V3 card", t_model_mla},
	{"model MoE layout: Mixtral widths, first_k_dense_replace, moe_layer_freq", t_model_moe_layout},
	{"model --set overrides", t_model_set},
	{"hw H800 card in SI units", t_hw_h800},
	{"hw card errors: unknown key or section, missing or bad values", t_hw_reject},
	{"hw --set dotted overrides", t_hw_set},
	{"jsonx_set paths and values", t_jsonx_set},
	{"jsonx refuses a key twice in one object, naming its path", t_jsonx_unique},
	{"every bundled model and hardware card loads", t_bundled_cards_load},
	{"cards_resolve finds cards by name, alias and path", t_cards_resolve},
	{"cards_resolve refuses unknown names and suggests close ones", t_cards_unknown},
	{"jsonx_set refuses a number with trailing text, keeps quoted strings", t_cli_jsonx_set_strict},
	{"card ranges: switch radix even from 4, PUE from 1 to 5", t_cli_card_ranges},
};

const struct suite suite_cards = {"cards", tests, sizeof tests / sizeof tests[0]};
