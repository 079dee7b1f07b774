/*
 * tests/unit/memory.c - unit tests of plan.h: what one GPU holds (weights,
 * KV cache, activations) under each kind of parallelism, and the layouts and
 * workloads plan_check refuses.
 */
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

/* ---- memory fit ---------------------------------------------------------- */

/*
 * Llama-3.1-70B bf16 on H100 (usable 85.899e9 B = 80 GiB, runtime_reserve 2e9 B), tp 4,
 * context 4096, mem_fraction 0.9:
 *   per GPU: embedding and head 128256 x 8192 x 2 / 4 = 525,336,576 each,
 *     final norm 16,384 (replicated);
 *     per layer q, o 8192 x 8192 x 2 / 4 = 33,554,432 each; k, v 1024 x 8192
 *     x 2 / min(4, 8) = 4,194,304 each; norms 32,768; FFN 3 x 28672 x 8192
 *     x 2 / 4 = 352,321,536: layer = 427,851,776; x 80 = 34,228,142,080
 *     weights = 34,228,142,080 + 1,050,673,152 + 16,384 = 35,278,831,616
 *   kv budget = 0.9 x 85.899e9 - 35,278,831,616 - 2e9 = 40,030,268,384
 *   kv per token per GPU = 80 x 2 x 8 x 128 x 2 / 4   = 81,920
 *   tokens = floor(40,030,268,384 / 81,920)           = 488,650
 *   sequences = floor(488,650 / 4096)                 = 119
 */
static void t_memory_llama70b_tp4(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct memory *mem = &g_plan.mem;

	if (load_model("llama-3.1-70b", &m) || load_hw("h100-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	d.tp = 4;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(mem->gpus, 4);
	CHECK_EQ(mem->budget_bytes, 0.9 * 85.899e9);
	CHECK_EQ(mem->reserve_bytes, 2e9);
	CHECK_EQ(mem->weights_bytes_per_gpu, 35278831616.0);
	CHECK_EQ(mem->comp_bytes_per_gpu[COMP_EMBED], 525336576);
	CHECK_EQ(mem->comp_bytes_per_gpu[COMP_HEAD], 525336576);
	/* (2 x 33,554,432 + 2 x 4,194,304) x 80 */
	CHECK_EQ(mem->comp_bytes_per_gpu[COMP_ATTN], 6039797760.0);
	CHECK_EQ(mem->kv_bytes_per_token_per_gpu, 81920);
	CHECK_REL(mem->kv_bytes_per_gpu, 40030268384.0, 1e-15);
	CHECK_EQ(mem->stage[0].max_tokens, 488650);
	CHECK_EQ(mem->max_sequences_per_instance, 119);
	CHECK_EQ(mem->max_sequences_per_gpu, 29.75);       /* 119 / 4 */
	CHECK_EQ(mem->max_tokens_per_gpu, 122162.5);       /* 488,650 / 4 */
	CHECK_REL(mem->free_bytes_per_gpu, 8.5899e9, 1e-12); /* 85.899e9 x (1 - 0.9) */
	CHECK(mem->fits);
	/* an explicit reserve replaces the card's: 1e9 more KV
	 * = 41,030,268,384 / 81,920 = 500,857.8 -> 500,857 tokens, 122 seqs */
	d.reserve_bytes = 1e9;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(mem->stage[0].max_tokens, 500857);
	CHECK_EQ(mem->max_sequences_per_instance, 122);
}

/*
 * tp 16 above 8 KV heads: k and v replicate (each GPU holds one KV head, so
 * they divide by min(16, 8) = 8) and so does the cache:
 *   kv per token per GPU = 80 x 2 x 1 x 128 x 2           = 40,960
 *   weights: embedding + head 2 x 2,101,346,304 / 16 = 262,668,288, norm
 *     16,384; layer q, o 134,217,728 / 16 = 8,388,608 each, k, v
 *     16,777,216 / 8 = 2,097,152 each, norms 32,768, FFN 1,409,286,144 / 16
 *     = 88,080,384: 109,084,672 x 80 = 8,726,773,760    => 8,989,458,432
 *   kv budget 77.3091e9 - 8,989,458,432 - 2e9         = 66,319,641,568
 *   tokens floor(66,319,641,568 / 40,960) = 1,619,131; sequences 395
 */
static void t_memory_llama70b_tp16(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct memory *mem = &g_plan.mem;

	if (load_model("llama-3.1-70b", &m) || load_hw("h100-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	d.tp = 16;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(mem->kv_bytes_per_token_per_gpu, 40960);
	CHECK_EQ(mem->weights_bytes_per_gpu, 8989458432.0);
	CHECK_EQ(mem->stage[0].max_tokens, 1619131);
	CHECK_EQ(mem->max_sequences_per_instance, 395);
	CHECK_EQ(mem->max_sequences_per_gpu, 395.0 / 16);
}

/*
 * MLA under TP keeps the whole latent on every rank: no division.
 *   DeepSeek-V3 tp 8 on H800, bf16 KV: 576 x 61 x 2 = 70,272 per GPU.
 *   Its fp8-block weights per GPU: replicated q_a 11,012,736, q_a_layernorm
 *   3,072, kv_a 4,129,888, kv_a_layernorm 1,024, norms 28,672 and router
 *   3,671,040; TP-split q_b + kv_b + o (with scales) 172,008,448 / 8, dense
 *   FFN 396,458,496 / 8, shared 44,050,944 / 8, 256 experts 256 x
 *   44,050,944 / 8 (all 256 on every GPU, each split 8 ways), embedding and
 *   head 1,853,358,080 / 8 each:
 *     attention 15,146,720 replicated + 172,008,448 / 8 = 21,501,056
 *               = 36,647,776 per layer
 *     dense layer 36,647,776 + 28,672 + 49,557,312 = 86,233,760 (x 3)
 *     MoE layer 36,647,776 + 28,672 + 3,671,040 + 257 x 5,506,368
 *               = 1,455,484,064 (x 58)
 *     463,353,856 + 258,701,280 + 84,418,075,712               => 85,140,130,848
 *   over the 0.9 x 85.899e9 = 77.3091e9 budget: does not fit, no sequence.
 *   DeepSeek-V2-Lite tp 8 on H100 (bf16): kv per token per GPU 576 x 27 x 2
 *   = 31,104; weights per GPU: embedding + head 2 x 419,430,400 / 8 +
 *   norm 4,096 = 104,861,696; attention 6,291,456 x 2 / 8 + kv_a 2,359,296 +
 *   1,024 + 2,097,152 x 2 / 8 + 4,194,304 x 2 / 8 = 5,506,048; dense layer
 *   5,506,048 + 8,192 + 134,479,872 / 8 = 22,324,224; MoE layer 5,506,048 +
 *   8,192 + router 262,144 + shared 34,603,008 / 8 + routed 1,107,296,256 / 8
 *   = 148,513,792: 104,861,696 + 22,324,224 + 26 x 148,513,792 = 3,988,544,512
 *   kv budget 0.9 x 85.899e9 - 3,988,544,512 - 2e9 = 71,320,555,488; / 31,104
 *   = 2,292,970 tokens; 559 sequences of 4096.
 */
static void t_memory_mla_tp8(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct memory *mem = &g_plan.mem;

	if (!load_model("deepseek-v3", &m) && !load_hw("h800-sxm", &h)) {
		plan_default_deployment(&m, &d);
		d.tp = 8;
		if (!plan_run(&m, &h, &d)) {
			CHECK_EQ(mem->kv_bytes_per_token_per_gpu, 70272);
			CHECK_EQ(mem->experts_per_gpu, 256);
			CHECK_EQ(mem->moe_tp, 8);
			CHECK_EQ(mem->weights_bytes_per_gpu, 85140130848.0);
			CHECK(!mem->fits);
			CHECK_EQ(mem->max_sequences_per_instance, 0);
			CHECK_EQ(mem->kv_bytes_per_gpu, 0);
		}
	}
	if (!load_model("deepseek-v2-lite", &m) && !load_hw("h100-sxm", &h)) {
		plan_default_deployment(&m, &d);
		d.tp = 8;
		if (!plan_run(&m, &h, &d)) {
			CHECK_EQ(mem->kv_bytes_per_token_per_gpu, 31104);
			CHECK_EQ(mem->weights_bytes_per_gpu, 3988544512.0);
			CHECK_EQ(mem->stage[0].max_tokens, 2292970);
			CHECK_EQ(mem->max_sequences_per_instance, 559);
			CHECK(mem->fits);
		}
	}
}

/*
 * Expert parallelism, DeepSeek-V3 fp8-block on H800, tp 1 x dp 16, ep 16:
 *   experts per GPU 256 / 16 = 16; MoE-TP 1 x 16 / 16 = 1
 *   routed bytes per GPU 58 x 16 x 44,050,944             = 40,879,276,032
 *   everything else whole on every GPU: 673,150,611,808 - 58 x 256 x
 *     44,050,944 = 19,082,195,296; weights per GPU       = 59,961,471,328
 *   kv budget 0.9 x 85.899e9 - 59,961,471,328 - 2e9 = 15,347,628,672;
 *     / 70,272 = 218,403 tokens per attention group; 53 sequences of 4096;
 *     x 16 dp groups = 848 per instance, 53 per GPU
 * with 16 redundant experts: ceil(272 / 16) = 17 per GPU,
 *   routed 58 x 17 x 44,050,944 = 43,434,230,784; weights 62,516,426,080;
 *   kv budget 12,792,673,920 / 70,272 = 182,045 tokens, 44 sequences
 */
static void t_memory_ep(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct memory *mem = &g_plan.mem;

	if (load_model("deepseek-v3", &m) || load_hw("h800-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	d.tp = 1;
	d.dp = 16;
	d.ep = 16;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(mem->gpus, 16);
	CHECK_EQ(mem->experts_per_gpu, 16);
	CHECK_EQ(mem->moe_tp, 1);
	CHECK_EQ(mem->comp_bytes_per_gpu[COMP_ROUTED], 40879276032.0);
	CHECK_EQ(mem->weights_bytes_per_gpu, 59961471328.0);
	CHECK_EQ(mem->kv_bytes_per_token_per_gpu, 70272);
	CHECK_EQ(mem->stage[0].max_tokens, 218403);
	CHECK_EQ(mem->stage[0].max_sequences, 53);
	CHECK_EQ(mem->max_sequences_per_instance, 848);
	CHECK_EQ(mem->max_sequences_per_gpu, 53);
	CHECK(mem->fits);

	d.redundant_experts = 16;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(mem->experts_per_gpu, 17);
	CHECK_EQ(mem->comp_bytes_per_gpu[COMP_ROUTED], 43434230784.0);
	CHECK_EQ(mem->weights_bytes_per_gpu, 62516426080.0);
	CHECK_EQ(mem->stage[0].max_tokens, 182045);
	CHECK_EQ(mem->stage[0].max_sequences, 44);
	/* redundant copies are not extra parameters */
	CHECK_EQ(g_plan.weights_bytes_total, 673150611808.0);

	/* EP with MoE tensor parallelism: tp 8 x dp 4 = 32 GPUs, ep 8: each EP
	 * rank holds 256 / 8 = 32 experts split 32 / 8 = 4 ways, so a GPU holds
	 * the equivalent of 58 x 32 x 44,050,944 / 4 = 20,439,638,016 B, the
	 * same as 256 experts spread evenly over 32 GPUs (58 x 8 experts) */
	d.redundant_experts = 0;
	d.tp = 8;
	d.dp = 4;
	d.ep = 8;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(mem->gpus, 32);
	CHECK_EQ(mem->experts_per_gpu, 32);
	CHECK_EQ(mem->moe_tp, 4);
	CHECK_EQ(mem->comp_bytes_per_gpu[COMP_ROUTED], 20439638016.0);
}

/*
 * Pipeline, DeepSeek-V3 fp8-block, tp 1, pp 2: 61 layers split 31 / 30.
 *   stage 0: layers 0..30 = 3 dense + 28 MoE, embedding 1,853,358,080:
 *     1,853,358,080 + 3 x 583,642,336 + 28 x 11,511,947,488 = 325,938,814,752
 *   stage 1: layers 31..60 = 30 MoE, head 1,853,358,080, final norm 14,336:
 *     30 x 11,511,947,488 + 1,853,372,416                 = 347,211,797,056
 *   kv per token: 31 x 1152 = 35,712 and 30 x 1152 = 34,560
 *   with --mtp 1 and its KV: the module goes on the last stage,
 *     + 11,614,776,032 = 358,826,573,088, kv 31 x 1152 = 35,712
 */
static void t_memory_pp(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct memory *mem = &g_plan.mem;

	if (load_model("deepseek-v3", &m) || load_hw("h800-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	d.pp = 2;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(mem->stages, 2);
	CHECK_EQ(mem->gpus, 2);
	CHECK_EQ(mem->stage[0].layers, 31);
	CHECK_EQ(mem->stage[1].layers, 30);
	CHECK_EQ(mem->stage[0].moe_layers, 28);
	CHECK_EQ(mem->stage[1].moe_layers, 30);
	CHECK_EQ(mem->stage[0].comp_bytes[COMP_EMBED], 1853358080);
	CHECK_EQ(mem->stage[0].comp_bytes[COMP_HEAD], 0);
	CHECK_EQ(mem->stage[1].comp_bytes[COMP_EMBED], 0);
	CHECK_EQ(mem->stage[1].comp_bytes[COMP_HEAD], 1853358080);
	CHECK_EQ(mem->stage[0].comp_bytes[COMP_FFN], 3 * 396458496.0);
	CHECK_EQ(mem->stage[1].comp_bytes[COMP_FFN], 0);
	CHECK_EQ(mem->stage[0].weights_bytes, 325938814752.0);
	CHECK_EQ(mem->stage[1].weights_bytes, 347211797056.0);
	CHECK_EQ(mem->weights_bytes_per_gpu, 347211797056.0);   /* the heavier stage */
	CHECK_EQ(mem->stage[0].kv_bytes_per_token, 35712);
	CHECK_EQ(mem->stage[1].kv_bytes_per_token, 34560);
	CHECK_EQ(mem->kv_bytes_per_token_per_gpu, 35712);
	CHECK(!mem->fits);                                      /* 325 GB on an 85.9 GB (80 GiB) GPU */

	d.mtp = 1;
	d.kv_mtp = 1;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(mem->stage[0].comp_bytes[COMP_MTP], 0);
	CHECK_EQ(mem->stage[1].comp_bytes[COMP_MTP], 11614776032.0);
	CHECK_EQ(mem->stage[1].weights_bytes, 358826573088.0);
	CHECK_EQ(mem->stage[1].kv_bytes_per_token, 35712);
	CHECK_EQ(g_plan.kv_layers, 62);
	CHECK_EQ(g_plan.kv_bytes_per_token, 71424);              /* 62 x 1152 */
}

/*
 * Paged KV (blocks of 64 tokens), Llama-3.1-70B tp 4 on H100, context 4097:
 *   page = 64 x 81,920 = 5,242,880 B; pages = floor(40,030,268,384 /
 *   5,242,880) = 7,635 (7,635 x 5,242,880 = 40,029,388,800); max tokens
 *   7,635 x 64 = 488,640; a sequence takes ceil(4097 / 64) = 65 pages:
 *   floor(7,635 / 65) = 117 sequences.  Unpaged, the same context fits
 *   floor(488,650 / 4097) = 119.
 */
static void t_memory_paged(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct memory *mem = &g_plan.mem;

	if (load_model("llama-3.1-70b", &m) || load_hw("h100-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	d.tp = 4;
	d.context = 4097;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(mem->max_sequences_per_instance, 119);
	d.kv_block = 64;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(mem->stage[0].max_tokens, 488640);
	CHECK_EQ(mem->max_sequences_per_instance, 117);
	d.context = 4096;        /* exactly 64 pages: floor(7,635 / 64) = 119 */
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(mem->max_sequences_per_instance, 119);
}

/*
 * TensorRT-LLM's rule (mem_of_free): the fraction is of what the weights and
 * the reserve leave, all of it KV.  Llama-3.1-70B tp 4 on H100 as above:
 *   left = 85.899e9 - 35,278,831,616 - 2e9 = 48,620,168,384
 *   kv = 0.9 x left = 43,758,151,545.6; tokens floor(/ 81,920) = 534,157;
 *   sequences floor(534,157 / 4096) = 130
 *   budget = weights + reserve + kv = 81,036,983,161.6; headroom 0.1 x left
 */
static void t_memory_of_free(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct memory *mem = &g_plan.mem;

	if (load_model("llama-3.1-70b", &m) || load_hw("h100-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	CHECK_EQ(d.mem_of_free, 0);
	d.tp = 4;
	d.mem_of_free = 1;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(mem->kv_bytes_per_gpu, 43758151545.6, 1e-12);
	CHECK_EQ(mem->stage[0].max_tokens, 534157);
	CHECK_EQ(mem->max_sequences_per_instance, 130);
	CHECK_REL(mem->budget_bytes, 81036983161.6, 1e-12);
	CHECK_REL(mem->free_bytes_per_gpu, 4862016838.4, 1e-9);
	/* weights past the usable HBM leave nothing: no KV, no fit, and no
	 * headroom: the budget is the usable HBM, not weights + reserve past it */
	d.tp = 1;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(mem->kv_bytes_per_gpu, 0);
	CHECK(!mem->fits);
	CHECK_EQ(mem->budget_bytes, 85.899e9);
	CHECK_EQ(mem->free_bytes_per_gpu, 0);
}

static void t_plan_check(void)
{
	struct model dense, moe, mix;
	struct deployment d;
	struct hw h;
	struct err e;

	if (load_model("llama-3.1-70b", &dense) || load_model("deepseek-v3", &moe) ||
	    load_model("mixtral-8x7b", &mix) || load_hw("h100-sxm", &h))
		return;
	memset(&e, 0, sizeof e);
	/* a valid layout passes */
	plan_default_deployment(&moe, &d);
	d.tp = 8; d.dp = 4; d.ep = 32;
	CHECK_RC(plan_check(&moe, &d, &e), 0, &e);
	/* tp 3 does not divide 64 heads */
	plan_default_deployment(&dense, &d);
	d.tp = 3;
	CHECK_RC(plan_check(&dense, &d, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'--tp 3'");
	/* tp 12: 64 mod 12 = 4, the heads do not split evenly either */
	d.tp = 12;
	CHECK_RC(plan_check(&dense, &d, &e), EXIT_INPUT, &e);
	/* ep on a dense model */
	plan_default_deployment(&dense, &d);
	d.dp = 2; d.ep = 2;
	CHECK_RC(plan_check(&dense, &d, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "MoE");
	/* ep 16 over Mixtral's 8 experts: some GPUs would hold none */
	plan_default_deployment(&mix, &d);
	d.dp = 16; d.ep = 16;
	CHECK_RC(plan_check(&mix, &d, &e), EXIT_INPUT, &e);
	/* ... unless 8 redundant copies make 16 */
	d.redundant_experts = 8;
	CHECK_RC(plan_check(&mix, &d, &e), 0, &e);
	/* ep 3 does not divide tp 8 x dp 2 = 16: the flags disagree among
	 * themselves whatever the model, so a usage error */
	plan_default_deployment(&moe, &d);
	d.tp = 8; d.dp = 2; d.ep = 3;
	CHECK_RC(plan_check(&moe, &d, &e), EXIT_USAGE, &e);
	CHECK_CONTAINS(e.msg, "'--ep 3'");
	/* mtp 2 beyond num_nextn_predict_layers 1 reuses the module; a model
	 * without MTP modules has nothing to draft with */
	plan_default_deployment(&moe, &d);
	d.mtp = 2;
	CHECK_RC(plan_check(&moe, &d, &e), 0, &e);
	plan_default_deployment(&dense, &d);
	d.mtp = 1;
	CHECK_RC(plan_check(&dense, &d, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'--mtp 1' needs MTP modules");
	/* pp 62 beyond 61 layers */
	plan_default_deployment(&moe, &d);
	d.pp = 62;
	CHECK_RC(plan_check(&moe, &d, &e), EXIT_INPUT, &e);
	/* command-line values out of range are usage errors */
	plan_default_deployment(&moe, &d);
	d.mem_fraction = 0;
	CHECK_RC(plan_check(&moe, &d, &e), EXIT_USAGE, &e);
	d.mem_fraction = 1.5;
	CHECK_RC(plan_check(&moe, &d, &e), EXIT_USAGE, &e);
	plan_default_deployment(&moe, &d);
	d.tp = 0;
	CHECK_RC(plan_check(&moe, &d, &e), EXIT_USAGE, &e);
	plan_default_deployment(&moe, &d);
	d.tp = 1.5;
	CHECK_RC(plan_check(&moe, &d, &e), EXIT_USAGE, &e);
	plan_default_deployment(&moe, &d);
	d.context = 0;
	CHECK_RC(plan_check(&moe, &d, &e), EXIT_USAGE, &e);
	/* fp8-flashmla KV on a GQA model fails in plan_compute */
	plan_default_deployment(&dense, &d);
	precision_parse_kv("fp8-flashmla", "kv", &d.kv, &e);
	memset(&e, 0, sizeof e);
	CHECK_RC(plan_compute(&dense, &h, &d, NULL, &g_plan, &e), EXIT_INPUT, &e);
}

/* ---- workloads plan_check refuses ---------------------------------------- */

/* The workload's values out of range are usage errors (plan.h, plan_check). */
static void t_perf_workload_check(void)
{
	struct model m;
	struct deployment d;
	struct err e;

	if (load_model("deepseek-v3", &m))
		return;
	memset(&e, 0, sizeof e);
	plan_default_deployment(&m, &d);
	CHECK_RC(plan_check(&m, &d, &e), 0, &e);
	d.w.batch = 0;
	CHECK_RC(plan_check(&m, &d, &e), EXIT_USAGE, &e);
	CHECK_CONTAINS(e.msg, "'--batch'");
	plan_default_deployment(&m, &d);
	d.w.batch = 2;
	d.w.micro_batches = 3;
	CHECK_RC(plan_check(&m, &d, &e), EXIT_USAGE, &e);
	d.w.micro_batches = 2;                  /* batch 2 in 2 micro-batches is fine */
	CHECK_RC(plan_check(&m, &d, &e), 0, &e);
	plan_default_deployment(&m, &d);
	d.w.mtp_accept = 1.5;
	CHECK_RC(plan_check(&m, &d, &e), EXIT_USAGE, &e);
	CHECK_CONTAINS(e.msg, "'--mtp-accept'");
	d.w.mtp_accept = 1;                     /* the closed end is allowed */
	CHECK_RC(plan_check(&m, &d, &e), 0, &e);
	plan_default_deployment(&m, &d);
	d.w.prefix_hit = 1;                     /* [0, 1): something must be new */
	CHECK_RC(plan_check(&m, &d, &e), EXIT_USAGE, &e);
	CHECK_CONTAINS(e.msg, "'--prefix-hit'");
	d.w.prefix_hit = -0.1;
	CHECK_RC(plan_check(&m, &d, &e), EXIT_USAGE, &e);
	plan_default_deployment(&m, &d);
	d.w.imbalance = 0.5;
	CHECK_RC(plan_check(&m, &d, &e), EXIT_USAGE, &e);
	CHECK_CONTAINS(e.msg, "'--imbalance'");
	plan_default_deployment(&m, &d);
	d.w.isl = 0;
	CHECK_RC(plan_check(&m, &d, &e), EXIT_USAGE, &e);
	plan_default_deployment(&m, &d);
	d.w.prefill_tokens = 0;
	CHECK_RC(plan_check(&m, &d, &e), EXIT_USAGE, &e);
}

static const struct test tests[] = {
	{"memory Llama-3.1-70B bf16 on H100 tp 4", t_memory_llama70b_tp4},
	{"memory Llama-3.1-70B tp 16: KV heads replicate past 8", t_memory_llama70b_tp16},
	{"memory MLA under tp 8: latent not divided", t_memory_mla_tp8},
	{"memory expert parallelism and redundant experts", t_memory_ep},
	{"memory pipeline stages of DeepSeek-V3 (31/30, embedding first, head and MTP last)", t_memory_pp},
	{"memory paged KV rounds sequences up to whole blocks", t_memory_paged},
	{"memory under TensorRT-LLM's rule: the fraction of what weights and reserve leave, by hand", t_memory_of_free},
	{"plan_check refuses impossible layouts", t_plan_check},
	{"plan_check refuses workloads out of range", t_perf_workload_check},
};

const struct suite suite_memory = {"memory", tests, sizeof tests / sizeof tests[0]};
