/*
 * tests/unit/serve.c - unit tests of silicon.h, engine.h, serve.h: the
 * silicon sample's rows, engine cards, and the serving model (aggregated,
 * disaggregated, open loop).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "comm.h"
#include "deploy.h"
#include "engine.h"
#include "err.h"
#include "hw.h"
#include "ixrecipe.h"
#include "model.h"
#include "perf.h"
#include "plan.h"
#include "serve.h"
#include "silicon.h"
#include "unit.h"

/* A header with the columns silicon_parse requires, in another order, a
 * quoted id with a comma and a doubled quote, and empty cells. */
static const char silicon_text[] =
	"silicon_tpot_ms,id,backend,backend_version,model_path,system,precision,mode,isl,osl,"
	"gemm_quant_mode,moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,"
	"moe_ep_size,silicon_ttft_ms,extra\n"
	"10.5,\"a,\"\"b\"\"\",vllm,0.19.0,deepseek-ai/DeepSeek-V3,b200_sxm,fp8,agg,1024,512,fp8,fp8_block,"
	"16,1,1,8,1,8,250,ignored\n"
	"\n"
	"5,row2,sglang,,meta-llama/Llama-3.1-8B-Instruct,h100_sxm,,agg,2000,100,,,4,2,1,,1,1,80,\r\n";

static void t_silicon_parse(void)
{
	struct silicon_row *r;
	struct err e;
	int n;

	memset(&e, 0, sizeof e);
	if (CHECK_OK(silicon_parse(silicon_text, "t.csv", &r, &n, &e), &e))
		return;
	CHECK_EQ(n, 2);
	CHECK_STR(r[0].id, "a,\"b\"");          /* quotes and the comma inside them */
	CHECK_EQ(r[0].line, 2);
	CHECK_EQ(r[0].agg.dp, 8);
	CHECK_EQ(r[0].ttft_ms, 250);
	CHECK_STR(r[0].moe, "fp8_block");
	CHECK_EQ(r[1].line, 4);                    /* the blank line 3 is skipped */
	CHECK(isnan(r[1].agg.dp));                 /* an empty cell reads NAN */
	CHECK_STR(r[1].version, "");
	CHECK_EQ(r[1].tpot_ms, 5);                 /* CRLF ends the record */
	free(r);
	CHECK_RC(silicon_parse("id,backend\n", "t.csv", &r, &n, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "t.csv: line 1: no 'model_path' column");
	CHECK_RC(silicon_parse("id,backend,model_path,system,mode,isl,osl,batch_size,tp_size,pp_size,"
			       "silicon_ttft_ms,silicon_tpot_ms\nx,vllm,m,s,agg,1k,1,1,1,1,1,1\n",
			       "t.csv", &r, &n, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "t.csv: line 2: column 'isl' must be a number, got '1k'");
	CHECK_RC(silicon_parse("id,backend,model_path,system,mode,isl,osl,batch_size,tp_size,pp_size,"
			       "silicon_ttft_ms,silicon_tpot_ms\nx,vllm,m,s,agg,1,1,1,1,1,1,1,extra\n",
			       "t.csv", &r, &n, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "line 2: more fields than the header's 12");
	CHECK_RC(silicon_parse("id,\"backend\n", "t.csv", &r, &n, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "a quote is left open");
	{
		/* a source longer than its 319 characters is refused, not cut short */
		char text[1024];
		int k = snprintf(text, sizeof text, "id,backend,model_path,system,mode,isl,osl,batch_size,tp_size,"
				 "pp_size,silicon_ttft_ms,silicon_tpot_ms,silicon_data_source\nx,vllm,m,s,agg,1,1,1,1,1,1,1,");

		memset(text + k, 'a', 320);
		snprintf(text + k + 320, sizeof text - (size_t)k - 320, "\n");
		CHECK_RC(silicon_parse(text, "t.csv", &r, &n, &e), EXIT_INPUT, &e);
		CHECK_CONTAINS(e.msg, "t.csv: line 2: column 'silicon_data_source' is longer than 319 characters");
	}
}

/* The plan option value of `opt` in a, or NULL. */
static const char *silicon_opt(const struct silicon_args *a, const char *opt)
{
	int i;

	for (i = 0; i + 1 < a->argc; i += 2)
		if (strcmp(a->argv[i], opt) == 0)
			return a->argv[i + 1];
	return NULL;
}

static void t_silicon_map(void)
{
	struct silicon_row *r;
	struct silicon_args a;
	struct err e;
	int n;

	memset(&e, 0, sizeof e);
	if (CHECK_OK(silicon_parse(silicon_text, "t.csv", &r, &n, &e), &e))
		return;
	/* DeepSeek on B200, tp 1 x attention dp 8, moe ep 8: batch 16 per rank, 128 in flight */
	CHECK(silicon_map(&r[0], SIDE_DECODE, 1, &a) == NULL);
	CHECK_STR(a.model, "deepseek-v3");
	CHECK_STR(a.hw, "b200");
	CHECK_STR(silicon_opt(&a, "--dp"), "8");
	CHECK_STR(silicon_opt(&a, "--ep"), "8");
	CHECK_STR(silicon_opt(&a, "--context"), "1280");   /* isl 1024 + osl 512 / 2 */
	CHECK_STR(silicon_opt(&a, "--weights"), "fp8");
	CHECK_STR(silicon_opt(&a, "--expert-weights"), "fp8-block");
	CHECK_STR(silicon_opt(&a, "--kv-dtype"), "fp8");
	CHECK_EQ(a.concurrency, 128);
	/* nvfp4 for both: DeepSeek's NVFP4 checkpoint as written; gpt-oss ships
	 * MXFP4 experts beside BF16 attention, its own formats (silicon_shipped) */
	snprintf(r[0].gemm, sizeof r[0].gemm, "nvfp4");
	snprintf(r[0].moe, sizeof r[0].moe, "nvfp4");
	CHECK(silicon_map(&r[0], SIDE_DECODE, 1, &a) == NULL);
	CHECK_STR(silicon_opt(&a, "--weights"), "nvfp4");
	CHECK(silicon_opt(&a, "--expert-weights") == NULL);
	snprintf(r[0].model_path, sizeof r[0].model_path, "openai/gpt-oss-120b");
	CHECK(silicon_map(&r[0], SIDE_DECODE, 1, &a) == NULL);
	CHECK_STR(a.model, "gpt-oss-120b");
	CHECK(silicon_opt(&a, "--weights") == NULL && silicon_opt(&a, "--expert-weights") == NULL);
	snprintf(r[0].moe, sizeof r[0].moe, "fp8");   /* a mode of its own: as written */
	CHECK(silicon_map(&r[0], SIDE_DECODE, 1, &a) == NULL);
	CHECK_STR(silicon_opt(&a, "--weights"), "nvfp4");
	CHECK_STR(silicon_opt(&a, "--expert-weights"), "fp8");
	/* the same row read as a MoE layout that does not multiply out: ep 8 x moe_tp 2 != 8 */
	r[0].agg.moe_tp = 2;
	CHECK_STR(silicon_map(&r[0], SIDE_DECODE, 1, &a), "moe_tp x moe_ep is not tp x attention_dp");
	/* Llama 8B is dense: its moe columns are not read; no quant mode keeps the checkpoint's format */
	CHECK(silicon_map(&r[1], SIDE_DECODE, 0, &a) == NULL);
	CHECK_STR(silicon_opt(&a, "--ep"), "1");
	CHECK(silicon_opt(&a, "--weights") == NULL);
	CHECK_STR(silicon_opt(&a, "--kv-dtype"), "bf16");
	CHECK_EQ(a.concurrency, 4);
	/* a disaggregated row without its pools' batch sizes cannot be split */
	snprintf(r[1].mode, sizeof r[1].mode, "disagg");
	r[1].decode.tp = 2;
	CHECK_CONTAINS(silicon_map(&r[1], SIDE_DECODE, 0, &a), "without batch sizes and worker counts");
	snprintf(r[1].model_path, sizeof r[1].model_path, "org/unknown");
	CHECK_STR(silicon_map(&r[1], SIDE_DECODE, 0, &a), "model not bundled");
	CHECK(a.repair == NULL && a.bench == NULL);
	CHECK_STR(silicon_bucket(1), "1");
	CHECK_STR(silicon_bucket(16), "2-16");
	CHECK_STR(silicon_bucket(128), "17-128");
	CHECK_STR(silicon_bucket(129), ">128");
	free(r);
}

/* Rows whose columns ask one 8-GPU node for g^2 GPUs are read as g GPUs, in
 * each of the three forms the sample writes; InferenceX rows take mean lengths. */
static void t_silicon_repair(void)
{
	static const char text[] =
		"id,silicon_data_source,backend,model_path,system,precision,mode,isl,osl,gemm_quant_mode,"
		"moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,"
		"silicon_ttft_ms,silicon_tpot_ms\n"
		/* tp 64 (TP 8 x EP 8): 4 in flight on 8 GPUs */
		"a_c4_tp8_ep8,db-dump/2026-04-27; config_id=1,sglang,deepseek-ai/DeepSeek-R1,b200_sxm,fp4,agg,"
		"8192,1024,nvfp4,nvfp4,4,64,1,1,8,8,500,10\n"
		/* attention dp 64 at batch 1: 64 in flight on 8 GPUs, 8 per rank */
		"b_c64_tp8_ep8,source_file=2026-04-06.csv; model=DeepSeek-R1,trtllm,deepseek-ai/DeepSeek-R1,"
		"h200_sxm,fp8,agg,1024,1024,fp8,fp8,1,1,1,64,8,8,500,10\n"
		/* tp 4 x attention dp 4, moe ep 16: 16 in flight on 4 GPUs, 4 per rank */
		"c_c16_tp4_ep4,elsewhere,vllm,moonshotai/Kimi-K2.5,b200_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,"
		"4,4,1,4,1,16,500,10\n"
		/* the same square on a 72-GPU NVLink domain is a real layout */
		"d,,trtllm,deepseek-ai/DeepSeek-R1,gb200,fp4,agg,1024,1024,nvfp4,nvfp4,4,16,1,1,4,4,500,10\n";
	struct silicon_row *r;
	struct silicon_args a;
	struct err e;
	int n;

	memset(&e, 0, sizeof e);
	if (CHECK_OK(silicon_parse(text, "t.csv", &r, &n, &e), &e))
		return;
	CHECK_EQ(n, 4);
	CHECK(silicon_map(&r[0], SIDE_DECODE, 1, &a) == NULL);
	CHECK_STR(silicon_opt(&a, "--tp"), "8");
	CHECK_STR(silicon_opt(&a, "--dp"), "1");
	CHECK_STR(silicon_opt(&a, "--ep"), "8");
	CHECK_STR(silicon_opt(&a, "--batch"), "4");
	CHECK_CONTAINS(a.repair, "tp_size g^2");
	/* InferenceX: lengths uniform over the integers [floor(0.8 L), L], mean (6553 + 8192) / 2 */
	CHECK_STR(a.bench, "InferenceX");
	CHECK_STR(silicon_opt(&a, "--isl"), "7373");      /* 7372.5, rounded half up */
	CHECK_STR(silicon_opt(&a, "--osl"), "922");       /* (819 + 1024) / 2 = 921.5 */
	CHECK_STR(silicon_opt(&a, "--context"), "7834");  /* 7373 + 461 */
	CHECK(silicon_map(&r[1], SIDE_DECODE, 1, &a) == NULL);
	CHECK_STR(silicon_opt(&a, "--tp"), "1");
	CHECK_STR(silicon_opt(&a, "--dp"), "8");
	CHECK_STR(silicon_opt(&a, "--ep"), "8");
	CHECK_STR(silicon_opt(&a, "--batch"), "8");
	CHECK_EQ(a.concurrency, 64);
	CHECK_STR(a.bench, "InferenceX");
	CHECK(silicon_map(&r[2], SIDE_DECODE, 1, &a) == NULL);
	CHECK_STR(silicon_opt(&a, "--tp"), "1");
	CHECK_STR(silicon_opt(&a, "--dp"), "4");
	CHECK_STR(silicon_opt(&a, "--ep"), "4");
	CHECK_STR(silicon_opt(&a, "--batch"), "4");
	CHECK_EQ(a.concurrency, 16);
	CHECK(a.bench == NULL);                           /* not a source it knows: lengths as given */
	CHECK_STR(silicon_opt(&a, "--isl"), "1024");
	CHECK(silicon_map(&r[3], SIDE_DECODE, 1, &a) == NULL);
	CHECK(a.repair == NULL);
	CHECK_STR(silicon_opt(&a, "--tp"), "16");
	/* a dense model's layout is never rewritten */
	CHECK(silicon_map(&r[0], SIDE_DECODE, 0, &a) == NULL);
	CHECK(a.repair == NULL);
	CHECK_STR(silicon_opt(&a, "--tp"), "64");
	free(r);
}

/* A disaggregated InferenceX row without its pools' batches and worker
 * counts takes them from the one InferenceX recipe at its concurrency and
 * pools' TP, the one listed on its measured date where any was
 * (sim/calib/ixrecipe_table.c: GLM-5 on GB200 under Dynamo with
 * TensorRT-LLM, listed from 2026-07-15 (1b0f55da18d6) and with MTP from
 * 2026-07-16 (1438043ea42c); Kimi-K2.5 at 2253 in flight with one prefill
 * worker from 2026-04-18 to 06-17, two from 06-19; Kimi-K2.5 under vLLM
 * written DEP4 as tp 1, ep 4). */
static void t_silicon_recipe(void)
{
#define RECIPE_ROW(id, conc, date, backend, model, isl, osl, ptp, dtp) \
	id ",source_file=2026-03-25.csv; silicon_concurrency=" #conc "; measured=" date "T00:00:00Z," backend \
	"," model ",gb200,fp4,disagg," #isl "," #osl ",nvfp4,nvfp4,,,,,,," #ptp "," #dtp ",500,20\n"
	static const char text[] =
		"id,silicon_data_source,backend,model_path,system,precision,mode,isl,osl,gemm_quant_mode,"
		"moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,"
		"prefill_tp_size,decode_tp_size,silicon_ttft_ms,silicon_tpot_ms\n"
		/* 10 in flight: prefill 1 x (TP 4, EP 4, attention DP), decode 5 x (TP 4, EP 4): 2 each */
		RECIPE_ROW("a", 10, "2026-04-02", "trtllm", "zhipuai/GLM-5", 8192, 1024, 4, 4)
		/* 5: the same pools with and without MTP, neither listed on the day */
		RECIPE_ROW("b", 5, "2026-04-02", "trtllm", "zhipuai/GLM-5", 8192, 1024, 4, 4)
		/* 308 over one decode pool of 32 attention-DP ranks: 9.625, rounded up */
		RECIPE_ROW("c", 308, "2026-04-02", "trtllm", "zhipuai/GLM-5", 8192, 1024, 4, 32)
		/* 7: no recipe */
		RECIPE_ROW("d", 7, "2026-04-02", "trtllm", "zhipuai/GLM-5", 8192, 1024, 4, 4)
		/* not InferenceX: nothing filled */
		"e,elsewhere; silicon_concurrency=10,trtllm,zhipuai/GLM-5,gb200,fp4,disagg,8192,1024,nvfp4,nvfp4,"
		",,,,,,4,4,500,20\n"
		/* 180 at 1k/1k: only an MTP recipe */
		RECIPE_ROW("f", 180, "2026-04-02", "trtllm", "zhipuai/GLM-5", 1024, 1024, 4, 32)
		/* 2253: the recipe listed on 2026-05-01 (one prefill worker); on 04-02 none was, so both */
		RECIPE_ROW("g", 2253, "2026-05-01", "trtllm", "moonshotai/Kimi-K2.5", 1024, 1024, 4, 32)
		RECIPE_ROW("h", 2253, "2026-04-02", "trtllm", "moonshotai/Kimi-K2.5", 1024, 1024, 4, 32)
		/* vLLM's DEP4 prefill and DEP8 decode, written tp 1 */
		RECIPE_ROW("i", 12288, "2026-07-01", "vllm", "moonshotai/Kimi-K2.5", 1024, 1024, 1, 1);
#undef RECIPE_ROW
	const struct ixrecipe *x;
	struct silicon_row *r;
	struct silicon_args a;
	struct err e;
	int n, spec;

	memset(&e, 0, sizeof e);
	if (CHECK_OK(silicon_parse(text, "t.csv", &r, &n, &e), &e))
		return;
	CHECK_EQ(n, 9);
	CHECK_STR(r[0].recipe, "1b0f55da18d6");
	CHECK(r[0].unfilled == NULL);
	CHECK(silicon_map(&r[0], SIDE_DECODE, 1, &a) == NULL);
	CHECK_STR(silicon_opt(&a, "--tp"), "4");
	CHECK_STR(silicon_opt(&a, "--dp"), "1");
	CHECK_STR(silicon_opt(&a, "--ep"), "4");
	CHECK_STR(silicon_opt(&a, "--batch"), "2");
	CHECK(silicon_opt(&a, "--dp-balance") == NULL);
	CHECK_EQ(silicon_workers(&r[0].decode), 5);
	CHECK_EQ(silicon_in_flight(&r[0], &a), 10);
	CHECK_CONTAINS(a.repair, "InferenceX's recipe");
	CHECK(silicon_map(&r[0], SIDE_PREFILL, 1, &a) == NULL);
	CHECK_STR(silicon_opt(&a, "--tp"), "1");
	CHECK_STR(silicon_opt(&a, "--dp"), "4");
	CHECK_STR(silicon_opt(&a, "--ep"), "4");
	CHECK_STR(silicon_opt(&a, "--batch"), "1");
	CHECK(silicon_opt(&a, "--dp-balance") == NULL);   /* aggregated recipes only */
	CHECK_EQ(silicon_workers(&r[0].prefill), 1);
	CHECK_CONTAINS(silicon_map(&r[1], SIDE_DECODE, 1, &a), "several recipes");
	CHECK_STR(r[1].recipe, "");
	CHECK(silicon_map(&r[2], SIDE_DECODE, 1, &a) == NULL);
	CHECK_STR(silicon_opt(&a, "--tp"), "1");
	CHECK_STR(silicon_opt(&a, "--dp"), "32");
	CHECK_STR(silicon_opt(&a, "--ep"), "32");
	CHECK_STR(silicon_opt(&a, "--batch"), "10");
	CHECK_EQ(a.concurrency, 320);                     /* the busiest rank's x 32 ranks */
	CHECK_EQ(silicon_in_flight(&r[2], &a), 308);      /* what the prefill pool serves */
	CHECK_CONTAINS(silicon_map(&r[3], SIDE_DECODE, 1, &a), "no InferenceX recipe");
	CHECK(r[4].unfilled == NULL && !r[4].recipe[0]);
	CHECK_CONTAINS(silicon_map(&r[4], SIDE_DECODE, 1, &a), "(its concurrency does not split)");
	CHECK_CONTAINS(silicon_map(&r[5], SIDE_DECODE, 1, &a), "speculative-decoding run");
	CHECK_STR(r[6].recipe, "e8924a6a4dab");
	CHECK_EQ(silicon_workers(&r[6].prefill), 1);
	CHECK(silicon_map(&r[6], SIDE_DECODE, 1, &a) == NULL);
	CHECK_STR(silicon_opt(&a, "--batch"), "71");      /* 2253 / 32 = 70.4 */
	CHECK_CONTAINS(silicon_map(&r[7], SIDE_DECODE, 1, &a), "several recipes");
	CHECK(silicon_map(&r[8], SIDE_DECODE, 1, &a) == NULL);
	CHECK_STR(silicon_opt(&a, "--tp"), "1");
	CHECK_STR(silicon_opt(&a, "--dp"), "8");
	CHECK_STR(silicon_opt(&a, "--ep"), "8");
	CHECK_STR(silicon_opt(&a, "--batch"), "1536");    /* 12288 / 8 */
	CHECK(silicon_map(&r[8], SIDE_PREFILL, 1, &a) == NULL);
	CHECK_STR(silicon_opt(&a, "--dp"), "4");
	CHECK_STR(silicon_opt(&a, "--ep"), "4");
	/* the lookup itself */
	CHECK_EQ(ixrecipe_find("zhipuai/GLM-5", "gb200", "fp4", "trtllm", 8192, 1024, 5, 4, 4, NULL, &x, &spec), 2);
	CHECK_EQ(spec, 1);
	CHECK_EQ(ixrecipe_find("zhipuai/GLM-5", "gb200", "fp4", "trtllm", 8192, 1024, 5, 4, 4, "2026-07-15", &x, &spec),
		 1);
	CHECK(x && !x->spec && spec == 0);
	CHECK_EQ(ixrecipe_find("zhipuai/GLM-5", "gb200", "fp4", "trtllm", 8192, 1024, 10, 4, 4, NULL, &x, &spec), 1);
	CHECK(x && x->decode_workers == 5 && x->prefill.dp_attn && !x->decode.dp_attn && !x->spec);
	CHECK_EQ(ixrecipe_find("moonshotai/Kimi-K2.5", "gb200", "fp4", "trtllm", 1024, 1024, 2253, 4, 32, "2026-06-19",
			       &x, &spec), 1);
	CHECK(x && x->prefill_workers == 2);
	CHECK_EQ(ixrecipe_find("zhipuai/GLM-5", "gb200", "fp4", "trtllm", 8192, 1024, 7, 4, 4, NULL, &x, &spec), 0);
	CHECK(x == NULL);
	CHECK_EQ(ixrecipe_find("zhipuai/GLM-5", "gb200", "fp4", "trtllm", 8192, 1024, 10, 4, 8, NULL, &x, &spec), 0);
	free(r);
}

/* InferenceX's SGLang recipes poll every 30 decode steps from CONC 16, every
 * 10 below (dsr1_fp8_b200.sh), and at 10 for TP 4 from 2026-01-13; other
 * engines, other sources and earlier dates poll every step. */
static void t_silicon_recv(void)
{
	static const char text[] =
		"id,silicon_data_source,backend,model_path,system,precision,mode,isl,osl,gemm_quant_mode,"
		"moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,"
		"silicon_ttft_ms,silicon_tpot_ms\n"
		"a,db-dump/2026-04-27; measured=2026-03-20,sglang,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,"
		"1024,1024,fp8_block,fp8_block,32,8,1,1,1,8,100,5\n"
		"b,db-dump/2026-04-27; measured=2026-03-20,sglang,deepseek-ai/DeepSeek-V3,b200_sxm,fp8,agg,"
		"1024,1024,fp8_block,fp8_block,8,8,1,1,1,8,100,5\n"
		"c,db-dump/2026-04-27; measured=2026-03-20,sglang,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,"
		"8192,1024,fp8_block,fp8_block,32,4,1,1,1,4,100,5\n"
		"d,db-dump/2026-04-27; measured=2025-09-01,sglang,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,"
		"1024,1024,fp8_block,fp8_block,32,8,1,1,1,8,100,5\n"
		"e,db-dump/2026-04-27; measured=2026-03-20,vllm,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,"
		"1024,1024,fp8_block,fp8_block,32,8,1,1,1,8,100,5\n"
		"f,elsewhere; measured=2026-03-20,sglang,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,"
		"1024,1024,fp8_block,fp8_block,32,8,1,1,1,8,100,5\n"
		/* CONC 15 and 16 either side of the rule; measured on the day the rule landed */
		"g,db-dump/2026-04-27; measured=2026-03-20,sglang,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,"
		"1024,1024,fp8_block,fp8_block,15,8,1,1,1,8,100,5\n"
		"h,db-dump/2026-04-27; measured=2025-09-23,sglang,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,"
		"1024,1024,fp8_block,fp8_block,16,8,1,1,1,8,100,5\n"
		/* attention DP 8 (SGLang's skipper refused it then) */
		"i,db-dump/2026-04-27; measured=2026-03-20,sglang,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,"
		"1024,1024,fp8_block,fp8_block,32,1,1,8,1,8,100,5\n";
	const char *want[] = {"30", "10", "10", NULL, NULL, NULL, "10", "30", NULL};
	/* --mem-fraction-static: 0.82 at TP 8 from 2025-09-12, 0.95 at TP 4 (silicon_mems) */
	const char *mem[] = {"0.82", "0.82", "0.95", NULL, NULL, NULL, "0.82", "0.82", NULL};
	struct silicon_row *r;
	struct silicon_args a;
	struct err e;
	int n, i;

	memset(&e, 0, sizeof e);
	if (CHECK_OK(silicon_parse(text, "t.csv", &r, &n, &e), &e))
		return;
	CHECK_EQ(n, 9);
	for (i = 0; i < n; i++) {
		CHECK(silicon_map(&r[i], SIDE_DECODE, 1, &a) == NULL);
		if (want[i])
			CHECK_STR(silicon_opt(&a, "--recv-interval"), want[i]);
		else
			CHECK(silicon_opt(&a, "--recv-interval") == NULL);
		if (mem[i])
			CHECK_STR(silicon_opt(&a, "--mem-fraction"), mem[i]);
		else
			CHECK(silicon_opt(&a, "--mem-fraction") == NULL);
	}
	free(r);
}

/* InferenceX's TensorRT-LLM recipes: Llama-3.1-70B 1k/1k below TP 8 holds
 * prompts 20 steps or 0.9 of 16384 tokens and every Llama run has 16384-token
 * steps, while its scripts lived (to 2025-10-29); DeepSeek-R1 fp8 on B200
 * 1k/1k holds 40 steps or 0.8 of 8192 from CONC 64 since 2026-01-29. */
static void t_silicon_wait(void)
{
	static const char text[] =
		"id,silicon_data_source,backend,model_path,system,precision,mode,isl,osl,gemm_quant_mode,"
		"moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,"
		"silicon_ttft_ms,silicon_tpot_ms\n"
		"a,db-dump/2026-04-06; measured=2025-10-29,trtllm,meta-llama/Llama-3.1-70B,b200_sxm,fp8,agg,"
		"1024,1024,fp8,fp8,16,4,1,1,4,1,100,5\n"
		"b,db-dump/2026-04-06; measured=2025-10-29,trtllm,meta-llama/Llama-3.1-70B,b200_sxm,fp8,agg,"
		"1024,1024,fp8,fp8,16,8,1,1,8,1,100,5\n"
		"c,db-dump/2026-04-06; measured=2025-10-29,trtllm,meta-llama/Llama-3.1-70B,h200_sxm,fp8,agg,"
		"1024,8192,fp8,fp8,16,4,1,1,4,1,100,5\n"
		"d,db-dump/2026-04-06; measured=2025-10-30,trtllm,meta-llama/Llama-3.1-70B,b200_sxm,fp8,agg,"
		"1024,1024,fp8,fp8,16,4,1,1,4,1,100,5\n"
		"e,db-dump/2026-04-06; measured=2025-10-29,vllm,meta-llama/Llama-3.1-70B,b200_sxm,fp8,agg,"
		"1024,1024,fp8,fp8,16,4,1,1,4,1,100,5\n"
		"f,db-dump/2026-04-06; measured=2026-01-29,trtllm,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,"
		"1024,1024,fp8_block,fp8_block,64,8,1,1,8,1,100,5\n"
		"g,db-dump/2026-04-06; measured=2026-01-29,trtllm,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,"
		"1024,1024,fp8_block,fp8_block,63,8,1,1,8,1,100,5\n"
		"h,db-dump/2026-04-06; measured=2026-01-28,trtllm,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,"
		"1024,1024,fp8_block,fp8_block,64,8,1,1,8,1,100,5\n";
	const char *iters[] = {"20", NULL, NULL, NULL, NULL, "40", NULL, NULL};
	const char *ratio[] = {"0.9", NULL, NULL, NULL, NULL, "0.8", NULL, NULL};
	/* g and h hold nothing back but run the recipe's step budget (t_silicon_budget) */
	const char *budget[] = {"16384", "16384", "16384", NULL, NULL, "8192", "8192", "8192"};
	struct silicon_row *r;
	struct silicon_args a;
	struct err e;
	int n, i;

	memset(&e, 0, sizeof e);
	if (CHECK_OK(silicon_parse(text, "t.csv", &r, &n, &e), &e))
		return;
	CHECK_EQ(n, 8);
	for (i = 0; i < n; i++) {
		const char *v;

		CHECK(silicon_map(&r[i], SIDE_DECODE, i >= 5, &a) == NULL);
		v = silicon_opt(&a, "--batch-wait-iters");
		CHECK(iters[i] ? v && strcmp(v, iters[i]) == 0 : v == NULL);
		v = silicon_opt(&a, "--batch-wait-ratio");
		CHECK(ratio[i] ? v && strcmp(v, ratio[i]) == 0 : v == NULL);
		v = silicon_opt(&a, "--prefill-tokens");
		CHECK(budget[i] ? v && strcmp(v, budget[i]) == 0 : v == NULL);
	}
	free(r);
}

/* InferenceX's step budgets: vLLM's MiniMax-M2.5 recipes twice the prompt
 * from their v0.19.0 update (2026-04-03 on B200 fp8), Kimi-K2.5 fp4 on B200
 * from 2026-04-20, SGLang's DeepSeek fp8 on B200 32768 and 8192 at TP 4 from
 * 2026-01-13, Qwen3.5 fp8 on B200 32768 until 2026-04-30 and 16384 after,
 * GLM-5 fp4 on B200 32768 from 2026-04-09, TensorRT-LLM's gpt-oss 20000 and
 * DeepSeek by concurrency and prompt; the engine's default elsewhere. */
static void t_silicon_budget(void)
{
	static const char text[] =
		"id,silicon_data_source,backend,model_path,system,precision,mode,isl,osl,gemm_quant_mode,"
		"moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,"
		"silicon_ttft_ms,silicon_tpot_ms\n"
		"a,db-dump/2026-04-27; measured=2026-04-22,vllm,MiniMaxAI/MiniMax-M2.5,b200_sxm,fp8,agg,"
		"1024,1024,fp8_block,fp8_block,16,4,1,1,4,1,100,5\n"
		"b,db-dump/2026-04-27; measured=2026-04-03,vllm,MiniMaxAI/MiniMax-M2.5,b200_sxm,fp8,agg,"
		"8192,1024,fp8_block,fp8_block,16,4,1,1,4,1,100,5\n"
		"c,db-dump/2026-04-27; measured=2026-04-02,vllm,MiniMaxAI/MiniMax-M2.5,b200_sxm,fp8,agg,"
		"1024,1024,fp8_block,fp8_block,16,4,1,1,4,1,100,5\n"
		"d,db-dump/2026-04-27; measured=2026-04-17,vllm,MiniMaxAI/MiniMax-M2.5,b300_sxm,fp4,agg,"
		"1024,1024,nvfp4,nvfp4,16,4,1,1,4,1,100,5\n"
		"e,db-dump/2026-04-27; measured=2026-03-20,sglang,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,"
		"1024,1024,fp8_block,fp8_block,32,8,1,1,1,8,100,5\n"
		"f,db-dump/2026-04-27; measured=2026-03-20,sglang,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,"
		"8192,1024,fp8_block,fp8_block,32,4,1,1,1,4,100,5\n"
		"g,db-dump/2026-04-27; measured=2025-12-01,sglang,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,"
		"8192,1024,fp8_block,fp8_block,32,4,1,1,1,4,100,5\n"
		"h,db-dump/2026-04-27; measured=2026-03-20,sglang,deepseek-ai/DeepSeek-R1,b200_sxm,fp4,agg,"
		"1024,1024,nvfp4,nvfp4,32,8,1,1,1,8,100,5\n"
		"i,db-dump/2026-04-27; measured=2026-03-20,sglang,Qwen/Qwen3.5-397B-A17B,b200_sxm,fp8,agg,"
		"1024,1024,fp8,fp8,16,8,1,1,1,8,100,5\n"
		"j,db-dump/2026-04-27; measured=2026-04-30,sglang,Qwen/Qwen3.5-397B-A17B,b200_sxm,fp8,agg,"
		"1024,1024,fp8,fp8,16,8,1,1,1,8,100,5\n"
		"k,db-dump/2026-04-27; measured=2025-12-15,trtllm,openai/gpt-oss-120b,h200_sxm,fp4,agg,"
		"1024,1024,nvfp4,nvfp4,16,8,1,1,1,8,100,5\n"
		"l,db-dump/2026-04-27; measured=2026-03-29,sglang,zhipuai/GLM-5,b200_sxm,fp4,agg,"
		"1024,1024,nvfp4,nvfp4,16,8,1,1,1,8,100,5\n"
		"m,db-dump/2026-04-27; measured=2026-04-09,sglang,zhipuai/GLM-5,b200_sxm,fp4,agg,"
		"1024,1024,nvfp4,nvfp4,16,8,1,1,1,8,100,5\n"
		"n,elsewhere; measured=2026-04-22,vllm,MiniMaxAI/MiniMax-M2.5,b200_sxm,fp8,agg,"
		"1024,1024,fp8_block,fp8_block,16,4,1,1,4,1,100,5\n"
		"o,db-dump/2026-04-27; measured=2026-04-20,vllm,moonshotai/Kimi-K2.5,b200_sxm,fp4,agg,"
		"8192,1024,nvfp4,nvfp4,16,4,1,1,4,1,100,5\n"
		/* TensorRT-LLM's DeepSeek: CONC + ISL + 64 up to a multiple of 64, from 2026-01-21 at
		 * least 8192: 16 + 1024 + 64 = 1104 -> 1152; 64 + 8192 + 64 = 8320; 4 + 8192 + 64 ->
		 * 8320; SGLang with attention DP keeps the default */
		"p,db-dump/2026-04-27; measured=2025-12-15,trtllm,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,"
		"1024,1024,fp8_block,fp8_block,16,8,1,1,1,8,100,5\n"
		"q,db-dump/2026-04-27; measured=2026-02-01,trtllm,deepseek-ai/DeepSeek-R1,b200_sxm,fp4,agg,"
		"1024,1024,nvfp4,nvfp4,16,8,1,1,1,8,100,5\n"
		"r,db-dump/2026-04-27; measured=2026-02-01,trtllm,deepseek-ai/DeepSeek-V3,b200_sxm,fp8,agg,"
		"8192,1024,fp8_block,fp8_block,64,8,1,1,1,8,100,5\n"
		"s,db-dump/2026-04-27; measured=2025-12-15,trtllm,deepseek-ai/DeepSeek-R1,h200_sxm,fp8,agg,"
		"8192,1024,fp8_block,fp8_block,4,8,1,1,1,8,100,5\n"
		"t,db-dump/2026-04-27; measured=2026-03-20,sglang,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,"
		"1024,1024,fp8_block,fp8_block,4,1,1,8,1,8,100,5\n";
	const char *want[] = {"2048", "16384", NULL, "2048", "32768", "8192", "32768", NULL, "32768", "16384",
			      "20000", NULL, "32768", NULL, "16384", "1152", "8192", "8320", "8320", NULL};
	struct silicon_row *r;
	struct silicon_args a;
	struct err e;
	int n, i;

	memset(&e, 0, sizeof e);
	if (CHECK_OK(silicon_parse(text, "t.csv", &r, &n, &e), &e))
		return;
	CHECK_EQ(n, 20);
	for (i = 0; i < n; i++) {
		const char *v;

		CHECK(silicon_map(&r[i], SIDE_DECODE, 1, &a) == NULL);
		v = silicon_opt(&a, "--prefill-tokens");
		if (!(want[i] ? v && strcmp(v, want[i]) == 0 : v == NULL))
			fprintf(stderr, "t_silicon_budget: row %s: --prefill-tokens %s, want %s\n", r[i].id,
				v ? v : "(none)", want[i] ? want[i] : "(none)");
		CHECK(want[i] ? v && strcmp(v, want[i]) == 0 : v == NULL);
	}
	free(r);
}

/* A row whose image InferenceX ran only with MTP is refused, whether the tag
 * comes as image=REPO:TAG or as a db-dump row's last field; another tag of
 * the same deployment, or another precision, is predicted.  So are
 * InferenceX's rack-wide "aggregated" rows, gpt-oss on H100 at the client's
 * hard-coded 512 (2025-11-21 to 2025-12-08), and rows whose
 * silicon_concurrency is not batch x attention DP; warm-up by date. */
static void t_silicon_spec(void)
{
	static const char text[] =
		"id,silicon_data_source,backend,model_path,system,precision,mode,isl,osl,gemm_quant_mode,"
		"moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,"
		"silicon_ttft_ms,silicon_tpot_ms\n"
		"a,source_file=2026-03-25.csv; model=DeepSeek-R1; image=nvcr.io#nvidia/tensorrt-llm/release:1.2.0rc6.post3,"
		"trtllm,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,1024,1024,fp8_block,fp8_block,4,8,1,1,1,8,100,5\n"
		"b,source_file=2026-03-25.csv; model=DeepSeek-R1; image=nvcr.io#nvidia/tensorrt-llm/release:1.2.0rc6.post2,"
		"trtllm,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,1024,1024,fp8_block,fp8_block,4,8,1,1,1,8,100,5\n"
		"c,db-dump/2026-04-27; config_id=1; measured=2026-03-20; lmsysorg/sglang:v0.5.9-cu130,"
		"sglang,Qwen/Qwen3.5-397B-A17B,b200_sxm,fp8,agg,1024,1024,fp8,fp8,4,8,1,1,1,8,100,5\n"
		"d,db-dump/2026-04-27; config_id=1; lmsysorg/sglang:v0.5.9-cu130-amd64,"
		"sglang,Qwen/Qwen3.5-397B-A17B,b200_sxm,fp8,agg,1024,1024,fp8,fp8,4,8,1,1,1,8,100,5\n"
		"e,source_file=2026-03-25.csv; image=lmsysorg/sglang:v0.5.8.post1-cu130; wip=False,"
		"sglang,deepseek-ai/DeepSeek-R1,b200_sxm,fp8,agg,1024,1024,fp8,fp8,4,8,1,1,1,8,100,5\n"
		/* GB200 'aggregated' over 32 GPUs from InferenceX: a Dynamo disaggregated run; one
		 * tray's 4 GPUs, or the same layout from elsewhere, are predicted */
		"f,source_file=2026-04-06.csv; model=DeepSeek-R1; measured=2025-11-17T00:00:00.000Z,"
		"trtllm,deepseek-ai/DeepSeek-R1,gb200,fp4,agg,8192,1024,nvfp4,nvfp4,538,32,1,1,32,1,100,5\n"
		"g,source_file=2026-04-06.csv; model=DeepSeek-R1; measured=2025-11-17T00:00:00.000Z,"
		"trtllm,deepseek-ai/DeepSeek-R1,gb200,fp4,agg,8192,1024,nvfp4,nvfp4,64,4,1,1,4,1,100,5\n"
		"h,elsewhere; measured=2025-11-17,"
		"trtllm,deepseek-ai/DeepSeek-R1,gb200,fp4,agg,8192,1024,nvfp4,nvfp4,64,32,1,1,32,1,100,5\n"
		/* GB300 at 8 GPUs; 5 GPUs as attention DP 5 (tp x dp x pp counts) */
		"i,source_file=2026-04-06.csv; model=DeepSeek-R1; measured=2025-11-17T00:00:00.000Z,"
		"trtllm,deepseek-ai/DeepSeek-R1,gb300,fp4,agg,8192,1024,nvfp4,nvfp4,64,8,1,1,8,1,100,5\n"
		"j,source_file=2026-04-06.csv; model=DeepSeek-R1; measured=2025-11-17T00:00:00.000Z,"
		"trtllm,deepseek-ai/DeepSeek-R1,gb200,fp4,agg,8192,1024,nvfp4,nvfp4,64,1,1,5,1,5,100,5\n"
		/* gpt-oss on H100 at the client's hard-coded 512 while 4e135fd3f's bug lasted
		 * (2025-11-21 to 2025-12-08); after it, or at a CONC of its own, predicted */
		"k,source_file=2026-04-06.csv; model=GPT-OSS-120B; measured=2025-12-08T00:00:00.000Z,"
		"vllm,openai/gpt-oss-120b,h100_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,512,8,1,1,8,1,20000,5\n"
		"l,source_file=2026-04-06.csv; model=GPT-OSS-120B; measured=2025-12-09T00:00:00.000Z,"
		"vllm,openai/gpt-oss-120b,h100_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,512,8,1,1,8,1,20000,5\n"
		"m,source_file=2026-04-06.csv; model=GPT-OSS-120B; measured=2025-12-05T00:00:00.000Z,"
		"vllm,openai/gpt-oss-120b,h100_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,64,8,1,1,8,1,200,5\n"
		"n,source_file=2026-04-06.csv; model=GPT-OSS-120B; measured=2025-11-20T00:00:00.000Z,"
		"vllm,openai/gpt-oss-120b,h100_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,512,8,1,1,8,1,20000,5\n"
		/* the client's silicon_concurrency against batch x attention DP: 224 at batch 56
		 * (refused), 56 at batch 56, 32 at batch 4 x DP 8 (predicted) */
		"o,x/gap.csv; silicon_concurrency=224; measured=2026-03-17,"
		"trtllm,deepseek-ai/DeepSeek-R1,b200_sxm,fp4,agg,4000,1000,nvfp4,nvfp4,56,4,1,1,1,4,500,90\n"
		"p,x/gap.csv; silicon_concurrency=56; measured=2026-03-17,"
		"trtllm,deepseek-ai/DeepSeek-R1,b200_sxm,fp4,agg,4000,1000,nvfp4,nvfp4,56,4,1,1,1,4,500,20\n"
		"q,x/gap.csv; silicon_concurrency=32; measured=2026-03-17,"
		"trtllm,deepseek-ai/DeepSeek-R1,b200_sxm,fp4,agg,4000,1000,nvfp4,nvfp4,4,1,1,8,1,8,500,20\n"
		/* the first day of the 512 window; the same row under TensorRT-LLM, or on H200 */
		"r,source_file=2026-04-06.csv; model=GPT-OSS-120B; measured=2025-11-21T00:00:00.000Z,"
		"vllm,openai/gpt-oss-120b,h100_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,512,8,1,1,8,1,20000,5\n"
		"s,source_file=2026-04-06.csv; model=GPT-OSS-120B; measured=2025-12-05T00:00:00.000Z,"
		"trtllm,openai/gpt-oss-120b,h100_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,512,8,1,1,8,1,20000,5\n"
		"t,source_file=2026-04-06.csv; model=GPT-OSS-120B; measured=2025-12-05T00:00:00.000Z,"
		"vllm,openai/gpt-oss-120b,h200_sxm,fp4,agg,1024,1024,nvfp4,nvfp4,512,8,1,1,8,1,20000,5\n"
		/* silicon_concurrency not of digits, 0, or one beside a blank attention DP */
		"u,x/gap.csv; silicon_concurrency=0x20; measured=2026-03-17,"
		"trtllm,deepseek-ai/DeepSeek-R1,b200_sxm,fp4,agg,4000,1000,nvfp4,nvfp4,56,4,1,1,1,4,500,20\n"
		"v,x/gap.csv; silicon_concurrency=0,"
		"trtllm,deepseek-ai/DeepSeek-R1,b200_sxm,fp4,agg,4000,1000,nvfp4,nvfp4,56,4,1,1,1,4,500,20\n"
		"w,x/gap.csv; silicon_concurrency=56,"
		"trtllm,deepseek-ai/DeepSeek-R1,b200_sxm,fp4,agg,4000,1000,nvfp4,nvfp4,56,4,1,,1,4,500,20\n"
		"x,x/gap.csv; silicon_concurrency=112,"
		"trtllm,deepseek-ai/DeepSeek-R1,b200_sxm,fp4,agg,4000,1000,nvfp4,nvfp4,56,4,1,0,1,4,500,20\n";
	struct silicon_row *r;
	struct silicon_args a;
	struct err e;
	int n;

	memset(&e, 0, sizeof e);
	if (CHECK_OK(silicon_parse(text, "t.csv", &r, &n, &e), &e))
		return;
	CHECK_EQ(n, 24);
	CHECK_CONTAINS(silicon_map(&r[17], SIDE_DECODE, 1, &a), "the benchmark client's hard-coded 512");
	CHECK(silicon_map(&r[18], SIDE_DECODE, 1, &a) == NULL);   /* TensorRT-LLM */
	CHECK(silicon_map(&r[19], SIDE_DECODE, 1, &a) == NULL);   /* H200 */
	CHECK(silicon_map(&r[20], SIDE_DECODE, 1, &a) == NULL);   /* 0x20: not digits */
	CHECK(silicon_map(&r[21], SIDE_DECODE, 1, &a) == NULL);   /* 0 */
	CHECK(silicon_map(&r[22], SIDE_DECODE, 1, &a) == NULL);   /* 56 at batch 56, DP blank */
	CHECK_CONTAINS(silicon_map(&r[23], SIDE_DECODE, 1, &a), "silicon_concurrency is not");   /* DP 0 reads 1 */
	CHECK_CONTAINS(silicon_map(&r[14], SIDE_DECODE, 1, &a), "silicon_concurrency is not batch_size x attention_dp_size");
	CHECK(silicon_map(&r[15], SIDE_DECODE, 1, &a) == NULL);
	CHECK(silicon_map(&r[16], SIDE_DECODE, 1, &a) == NULL);
	CHECK_CONTAINS(silicon_map(&r[10], SIDE_DECODE, 1, &a), "the benchmark client's hard-coded 512");
	CHECK(silicon_map(&r[11], SIDE_DECODE, 1, &a) == NULL);
	CHECK(silicon_map(&r[12], SIDE_DECODE, 1, &a) == NULL);
	CHECK(silicon_map(&r[13], SIDE_DECODE, 1, &a) == NULL);
	CHECK_CONTAINS(silicon_map(&r[5], SIDE_DECODE, 1, &a), "a disaggregated Dynamo run without its pools");
	CHECK_CONTAINS(silicon_map(&r[8], SIDE_DECODE, 1, &a), "a disaggregated Dynamo run without its pools");
	CHECK_CONTAINS(silicon_map(&r[9], SIDE_DECODE, 1, &a), "a disaggregated Dynamo run without its pools");
	CHECK(silicon_map(&r[6], SIDE_DECODE, 1, &a) == NULL);
	CHECK(silicon_map(&r[7], SIDE_DECODE, 1, &a) == NULL);
	CHECK_CONTAINS(silicon_map(&r[0], SIDE_DECODE, 1, &a), "speculative-decoding run");
	CHECK(silicon_map(&r[1], SIDE_DECODE, 1, &a) == NULL);     /* post2: the non-MTP image */
	CHECK_CONTAINS(silicon_map(&r[2], SIDE_DECODE, 1, &a), "speculative-decoding run");
	CHECK(silicon_map(&r[3], SIDE_DECODE, 1, &a) == NULL);     /* -amd64: another tag */
	CHECK(silicon_map(&r[4], SIDE_DECODE, 1, &a) == NULL);     /* fp8: only fp4 ran MTP-only */
	/* warm-ups since InferenceX#480, merged 2026-01-21: measured= dates either side */
	CHECK_STR(silicon_warmup(&r[2]), "InferenceX, warmed up");  /* measured=2026-03-20 */
	CHECK_STR(silicon_warmup(&r[0]), "InferenceX, undated");
	snprintf(r[2].source, sizeof r[2].source, "db-dump/2026-04-27; measured=2026-01-21T17:00:00Z");
	CHECK_STR(silicon_warmup(&r[2]), "InferenceX, no warm-up");
	snprintf(r[2].source, sizeof r[2].source, "db-dump/2026-04-27; measured=2026-01-22T00:00:00Z");
	CHECK_STR(silicon_warmup(&r[2]), "InferenceX, warmed up");
	snprintf(r[2].source, sizeof r[2].source, "elsewhere; measured=2026-03-20");
	CHECK_STR(silicon_warmup(&r[2]), "not InferenceX");
	free(r);
}

static void t_engine_cards(void)
{
	struct engine g;
	struct hw b200, h200;
	struct err e;
	char path[64];
	FILE *f;

	memset(&e, 0, sizeof e);
	if (load_hw("b200", &b200) || load_hw("h200-sxm", &h200))
		return;
	if (CHECK_OK(engine_load("engines/sglang.json", &g, &e), &e))
		return;
	/* SGLang's server_args rule: 8192-token chunks under 160 GiB, 16384 at or above */
	CHECK_EQ(engine_max_num_tokens(&g, &h200), 8192);    /* 141 GB */
	CHECK_EQ(engine_max_num_tokens(&g, &b200), 16384);   /* 192 GB */
	CHECK(g.graph_latency_share >= 0 && g.graph_latency_share <= 1);
	CHECK_CONTAINS(g.fitted_on, "held-out");
	/* SGLang's custom all-reduce below 8 MiB on 2, 4, 6, 8 GPUs, any GPU */
	CHECK_EQ(engine_ar_max(&g, &h200, 8, ENGINE_AR_CUSTOM), 8388608);
	CHECK_EQ(engine_ar_max(&g, &b200, 2, ENGINE_AR_CUSTOM), 8388608);
	CHECK_EQ(engine_ar_max(&g, &h200, 3, ENGINE_AR_CUSTOM), 0);
	/* no fused-norm table: the norm rides wherever its own all-reduce runs */
	CHECK_EQ(engine_ar_max(&g, &h200, 8, ENGINE_AR_FUSED_NORM), 8388608);
	/* SGLang's default moe_a2a_backend "none": EP under attention TP sums in the all-reduce */
	CHECK_EQ(g.ep_allreduce_without_dp, 1);
	CHECK_OK(engine_load("engines/vllm.json", &g, &e), &e);
	CHECK_EQ(engine_max_num_tokens(&g, &b200), 8192);    /* vLLM's API server on >= 70 GiB */
	CHECK_EQ(g.ep_allreduce_without_dp, 1);              /* use_all2all_kernels needs dp_size > 1 */
	/* vLLM's own all-reduce (custom, then symmetric memory) by compute capability:
	 * 64 MiB on 8 Hopper GPUs, 128 MiB on 8 B200s, 32 MiB on 4 of either */
	CHECK_EQ(engine_ar_max(&g, &h200, 8, ENGINE_AR_CUSTOM), 67108864);
	CHECK_EQ(engine_ar_max(&g, &b200, 8, ENGINE_AR_CUSTOM), 134217728);
	CHECK_EQ(engine_ar_max(&g, &b200, 4, ENGINE_AR_CUSTOM), 33554432);
	/* its FlashInfer all-reduce + RMSNorm fusion below FI_ALLREDUCE_FUSION_MAX_SIZE_MB:
	 * 0.5 MiB on 8 Hopper GPUs, 2 MiB on 4, 1 MiB on 8 B200s */
	CHECK_EQ(engine_ar_max(&g, &h200, 8, ENGINE_AR_FUSED_NORM), 524288);
	CHECK_EQ(engine_ar_max(&g, &h200, 4, ENGINE_AR_FUSED_NORM), 2097152);
	CHECK_EQ(engine_ar_max(&g, &b200, 8, ENGINE_AR_FUSED_NORM), 1048576);
	CHECK_EQ(engine_ar_max(&g, &b200, 6, ENGINE_AR_FUSED_NORM), 0);   /* no entry: no fused norm */
	h200.gpu.compute_capability = NAN;   /* a GPU it has no table for: NCCL */
	CHECK_EQ(engine_ar_max(&g, &h200, 8, ENGINE_AR_CUSTOM), 0);
	h200.gpu.compute_capability = 9;
	CHECK_OK(engine_load("engines/trtllm.json", &g, &e), &e);
	CHECK_EQ(engine_ar_max(&g, &b200, 2, ENGINE_AR_CUSTOM), 16777216);   /* its strategy table's NCCL zone */
	CHECK_EQ(engine_ar_max(&g, &b200, 8, ENGINE_AR_CUSTOM), 8388608);
	CHECK_EQ(engine_ar_max(&g, &b200, 6, ENGINE_AR_CUSTOM), 0);          /* TP 2, 4, 8 only */
	/* with its RESIDUAL_RMS_NORM fusion, 8 Hopper GPUs go to NCCL from 1 MiB */
	CHECK_EQ(engine_ar_max(&g, &h200, 8, ENGINE_AR_CUSTOM), 1048576);
	CHECK_EQ(g.ep_allreduce_without_dp, 1);   /* tokens travel only with attention DP */
	/* KV from free_gpu_memory_fraction of what the model leaves; vLLM and
	 * SGLang share usable HBM among weights and KV */
	CHECK_EQ(g.mem_of_free, 1);
	{
		struct deployment d;

		memset(&d, 0, sizeof d);
		serve_engine_apply(&g, &b200, &d);
		CHECK_EQ(d.mem_of_free, 1);
	}
	CHECK_OK(engine_load("engines/vllm.json", &g, &e), &e);
	CHECK_EQ(g.mem_of_free, 0);
	snprintf(path, sizeof path, "/tmp/mlasim-engine-%d.json", (int)getpid());
	if (!(f = fopen(path, "w")))
		return;
	fputs("{\"scheduler\": {\"max_num_tokens\": 8192, \"mixed\": true, \"chunk\": 1}, \"overheads\": {\"step_s\": 0, "
	      "\"request_s\": 0, \"graph_latency_share\": 1}, \"benchmark\": {\"waves\": 1}}", f);
	fclose(f);
	CHECK_RC(engine_load(path, &g, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "unknown key 'scheduler.chunk'");
	f = fopen(path, "w");
	fputs("{\"scheduler\": {\"max_num_tokens\": 8192, \"mixed\": true}, \"overheads\": {\"step_s\": 0, "
	      "\"request_s\": 0, \"graph_latency_share\": 1.5}, \"benchmark\": {\"waves\": 1}}", f);
	fclose(f);
	CHECK_RC(engine_load(path, &g, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "overheads.graph_latency_share");
	f = fopen(path, "w");
	fputs("{\"scheduler\": {\"max_num_tokens\": 8192, \"mixed\": true}, \"overheads\": {\"step_s\": 0, "
	      "\"graph_latency_share\": 1}, \"benchmark\": {\"waves\": 1}}", f);
	fclose(f);
	CHECK_RC(engine_load(path, &g, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'overheads.request_s' is missing");
	f = fopen(path, "w");
	fputs("{\"scheduler\": {\"max_num_tokens\": 8192, \"mixed\": true, \"dp_balance\": 1}, \"overheads\": "
	      "{\"step_s\": 0, \"request_s\": 0, \"graph_latency_share\": 1}, \"benchmark\": {\"waves\": 1}}", f);
	fclose(f);
	CHECK_RC(engine_load(path, &g, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'scheduler.dp_balance' must be true or false");
	f = fopen(path, "w");
	fputs("{\"scheduler\": {\"max_num_tokens\": 8192, \"mixed\": true}, \"memory\": {\"fraction_of\": \"all\"}, "
	      "\"overheads\": {\"step_s\": 0, \"request_s\": 0, \"graph_latency_share\": 1}, \"benchmark\": {\"waves\": 1}}", f);
	fclose(f);
	CHECK_RC(engine_load(path, &g, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'memory.fraction_of' must be \"usable\" or \"free\"");
	f = fopen(path, "w");
	fputs("{\"scheduler\": {\"max_num_tokens\": 8192, \"mixed\": true}, \"memory\": {\"fraction\": 0.9}, "
	      "\"overheads\": {\"step_s\": 0, \"request_s\": 0, \"graph_latency_share\": 1}, \"benchmark\": {\"waves\": 1}}", f);
	fclose(f);
	CHECK_RC(engine_load(path, &g, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "unknown key 'memory.fraction'");
	f = fopen(path, "w");
	fputs("{\"scheduler\": {\"max_num_tokens\": 8192, \"mixed\": true}, \"overheads\": "
	      "{\"step_s\": 0, \"request_s\": 0, \"graph_latency_share\": 1}, \"benchmark\": {\"waves\": 1}, "
	      "\"kernels\": {\"ep_allreduce_without_dp\": \"yes\"}}", f);
	fclose(f);
	CHECK_RC(engine_load(path, &g, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'kernels.ep_allreduce_without_dp' must be true or false");
	unlink(path);
}

/*
 * A card's "versions": each version's own figures in place of the
 * engine-level ones where it gives them, the rest engine-level, and back.
 * The card (figures written by hand, not fitted): engine level step 1 ms,
 * 20 us per sequence, request 50 ms, share 0.5, 1e6 waves; version 0.19.0
 * step 2 ms and request 30 ms; version 1.0.0rc3 waves 2.
 */
static void t_engine_versions(void)
{
	static struct plan p, s;
	struct engine g;
	struct model m;
	struct hw h;
	struct deployment d;
	struct serve_result lv, v19;
	struct err e;
	char path[64], buf[256];
	FILE *f;

	memset(&e, 0, sizeof e);
	snprintf(path, sizeof path, "/tmp/mlasim-engine-v-%d.json", (int)getpid());
	if (!(f = fopen(path, "w")))
		return;
	fputs("{\"scheduler\": {\"max_num_tokens\": 8192, \"mixed\": true}, \"overheads\": {\"step_s\": 1e-3, "
	      "\"step_per_sequence_s\": 2e-5, \"request_s\": 0.05, \"graph_latency_share\": 0.5}, "
	      "\"benchmark\": {\"waves\": 1e6}, \"versions\": {\"0.19.0\": {\"overheads\": {\"step_s\": 2e-3, "
	      "\"request_s\": 0.03}, \"fit\": {\"summary\": \"by hand\"}}, \"1.0.0rc3\": {\"benchmark\": {\"waves\": 2}}}}", f);
	fclose(f);
	if (CHECK_OK(engine_load(path, &g, &e), &e)) {
		unlink(path);
		return;
	}
	unlink(path);
	CHECK_EQ(g.nversions, 2);
	CHECK_EQ(g.version_used, -1);                  /* loaded: the engine-level figures */
	CHECK_EQ(g.step_overhead_s, 1e-3);
	CHECK_STR(engine_versions_list(&g, buf, sizeof buf), "0.19.0, 1.0.0rc3");
	CHECK_STR(engine_figures_said(&g, buf, sizeof buf), "engine-level (no version given)");
	CHECK_EQ(engine_use_version(&g, "0.19.0"), 0);
	CHECK_EQ(g.version_used, 0);
	CHECK_EQ(g.step_overhead_s, 2e-3);             /* its own */
	CHECK_EQ(g.request_overhead_s, 0.03);
	CHECK_EQ(g.step_seq_s, 2e-5);                  /* engine-level */
	CHECK_EQ(g.graph_latency_share, 0.5);
	CHECK_EQ(g.bench_waves, 1e6);
	CHECK_STR(g.versions[0].fitted_on, "by hand");
	CHECK_STR(engine_figures_said(&g, buf, sizeof buf), "version 0.19.0's own step_s, request_s; the rest engine-level");
	/* another version: nothing of the first stays */
	CHECK_EQ(engine_use_version(&g, "1.0.0rc3"), 0);
	CHECK_EQ(g.step_overhead_s, 1e-3);
	CHECK_EQ(g.request_overhead_s, 0.05);
	CHECK_EQ(g.bench_waves, 2);
	/* a version the card has no figures for (exact match only): engine-level, and -1 */
	CHECK_EQ(engine_use_version(&g, "0.19"), -1);
	CHECK_EQ(g.version_used, -1);
	CHECK_EQ(g.bench_waves, 1e6);
	CHECK_STR(g.version_asked, "0.19");
	CHECK_STR(engine_figures_said(&g, buf, sizeof buf), "engine-level (the card has none for version 0.19)");
	CHECK_EQ(engine_use_version(&g, NULL), 0);
	CHECK_STR(g.version_asked, "");
	CHECK(engine_version_valid("nightly-dev-20260216-d3bae71e") && !engine_version_valid("0.19 rc") &&
	      !engine_version_valid("a@b") && !engine_version_valid("a/b") && !engine_version_valid(""));
	/* the served figures move by the version's own, by hand: one request alone on
	 * one H100 (Llama-3.1-8B, 1000 in, 100 out), no other prompt to interleave,
	 * so TPOT = the step's own time + step_s + 1 x step_per_sequence_s and TTFT
	 * = the prefill + request_s: version 0.19.0 adds 2 - 1 = 1 ms to TPOT and
	 * takes 50 - 30 = 20 ms off TTFT */
	if (load_model("llama-3.1-8b", &m) || load_hw("h100-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	d.w.isl = 1000;
	d.w.osl = 100;
	d.context = d.w.context = 1050;
	engine_use_version(&g, NULL);
	serve_engine_apply(&g, &h, &d);
	if (CHECK_OK(plan_compute(&m, &h, &d, NULL, &p, &e), &e))
		return;
	CHECK_OK(serve_agg(&p, &g, &s, &lv, &e), &e);
	engine_use_version(&g, "0.19.0");
	CHECK_OK(serve_agg(&p, &g, &s, &v19, &e), &e);
	CHECK_REL(lv.tpot_s, p.perf.tpot_s + 1e-3 + 2e-5, 1e-12);
	CHECK_REL(v19.tpot_s - lv.tpot_s, 1e-3, 1e-9);
	CHECK_REL(lv.ttft_s - v19.ttft_s, 20e-3, 1e-6);
}

/* An engine with the given overheads and every request in the first burst or none. */
static struct engine serve_engine(double step, double request, double share, double waves)
{
	struct engine g;

	memset(&g, 0, sizeof g);
	snprintf(g.name, sizeof g.name, "test");
	g.max_num_tokens = 8192;
	g.large_hbm_gb = g.max_num_tokens_large = NAN;
	g.step_overhead_s = step;
	g.request_overhead_s = request;
	g.graph_latency_share = share;
	g.bench_waves = waves;
	return g;
}

static void t_serve_load(void)
{
	static struct plan p, q, s;
	struct model m;
	struct hw h;
	struct deployment d;
	struct serve_result r;
	struct engine g = serve_engine(1e-3, 10e-3, 1, 1e12);
	struct err e;
	double own, extra, life, tau;

	memset(&e, 0, sizeof e);
	if (load_model("llama-3.1-8b", &m) || load_hw("h100-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	d.w.isl = 1000;
	d.w.osl = 100;
	d.context = d.w.context = 1050;
	/* one request alone: its prefill and its decode, plus the engine's overheads */
	if (CHECK_OK(plan_compute(&m, &h, &d, NULL, &p, &e), &e))
		return;
	CHECK_OK(serve_agg(&p, &g, &s, &r, &e), &e);
	CHECK_REL(r.tpot_s, p.perf.tpot_s + 1e-3, 1e-12);
	CHECK_REL(r.ttft_s, p.perf.ttft_s + 10e-3, 1e-9);   /* the burst's 1e-12 share adds nothing */
	CHECK_REL(r.request_s, 10e-3, 1e-12);
	CHECK_EQ(r.waiting, 0);
	/* 50 us per operator of the prefill step: Llama-3.1-8B at TP 1 runs 32 layers of
	 * qkv, attention, o, gate + up, down and its elementwise kernels (6 x 32 = 192),
	 * then the final norm and the head: 194, so TTFT gains 194 x 50 us = 9.7 ms */
	{
		double ops = 0;
		int i;

		for (i = 0; i < p.perf.prefill.nops; i++)
			ops += p.perf.prefill.op[i].count;
		CHECK_EQ(ops, 194);
		g.request_op_s = 50e-6;
		CHECK_OK(serve_agg(&p, &g, &s, &r, &e), &e);
		CHECK_REL(r.request_s, 10e-3 + 194 * 50e-6, 1e-12);
		CHECK_REL(r.ttft_s, p.perf.ttft_s + 10e-3 + 9.7e-3, 1e-9);
		CHECK_REL(r.tpot_s, p.perf.tpot_s + 1e-3, 1e-12);   /* TPOT as before */
		g.request_op_s = 0;
	}
	/* 8 in flight, prefill apart (SGLang): each lifetime carries the prompts, each
	 * alone (its 1000 tokens at full-step speed, or its prefill alone if slower) or
	 * together in full 8192-token steps, whichever is less; the decode batch waits */
	d.w.batch = 8;
	CHECK_OK(plan_compute(&m, &h, &d, NULL, &p, &e), &e);
	CHECK_OK(serve_agg(&p, &g, &s, &r, &e), &e);
	tau = 1 / (p.perf.prefill_tps_gpu * d.tp);
	own = fmax(p.perf.ttft_s + 1e-3, 1000 * tau + 1e-3);
	extra = fmin(8 * own, 8192 * tau + 1e-3);
	CHECK_REL(r.tpot_s, p.perf.tpot_s + 1e-3 + extra / 100, 1e-12);
	CHECK_REL(r.rho, extra / (extra + 100 * (p.perf.tpot_s + 1e-3)), 1e-12);
	CHECK_REL(r.steady_ttft_s, own * (1 + r.rho / (2 * (1 - r.rho))) + (p.perf.tpot_s + 1e-3) / 2, 1e-12);
	/* a scheduler that polls every 30 decode steps (SGLang --scheduler-recv-interval 30):
	 * half a cycle of 30 steps, then the prompts received at the same poll before it,
	 * 8 / (100 t_gen + extra) per second over 29 steps, halved, each 1000 tokens at tau */
	{
		double gen = p.perf.tpot_s + 1e-3, mean = r.steady_ttft_s - gen / 2;

		d.w.recv_interval = 30;
		CHECK_OK(plan_compute(&m, &h, &d, NULL, &q, &e), &e);
		CHECK_OK(serve_agg(&q, &g, &s, &r, &e), &e);
		CHECK_REL(r.steady_ttft_s, mean + 30 * gen / 2 + 8 / (100 * gen + extra) * 29 * gen / 2 * 1000 * tau, 1e-12);
		CHECK_REL(r.poll_wait_s, r.steady_ttft_s - mean, 1e-12);
		CHECK_REL(r.tpot_s, p.perf.tpot_s + 1e-3 + extra / 100, 1e-12);   /* TPOT as before */
		d.w.recv_interval = 1;
	}
	/* batch waiting (TensorRT-LLM batch_wait_timeout_iters 20, max_tokens_ratio 0.9):
	 * the bound is 0.9 x 8192 - 8 decode tokens = 7364.8, 8 prompts of 1000 with the
	 * first, 7 / lambda away, so the 20 steps end it: F = 20 t_gen; 1 + lambda F held,
	 * the first waiting F and the rest F / 2, all prefilled in one step */
	{
		double gen = p.perf.tpot_s + 1e-3, lambda = 8 / (100 * gen + extra), base;
		double F = 20 * gen, held = 1 + lambda * F;

		CHECK(7 / lambda > F);
		CHECK_OK(serve_agg(&p, &g, &s, &r, &e), &e);
		base = r.steady_ttft_s;
		d.w.batch_wait_iters = 20;
		d.w.batch_wait_ratio = 0.9;
		CHECK_OK(plan_compute(&m, &h, &d, NULL, &q, &e), &e);
		CHECK_OK(serve_agg(&q, &g, &s, &r, &e), &e);
		CHECK_REL(r.batch_held, held, 1e-12);
		CHECK_REL(r.batch_wait_s, F * (1 + lambda * F / 2) / held + (held - 1) * 1000 * tau, 1e-12);
		CHECK_REL(r.steady_ttft_s, base + r.batch_wait_s, 1e-12);
		CHECK_REL(r.tpot_s, p.perf.tpot_s + 1e-3 + extra / 100, 1e-12);   /* TPOT as before */
		/* ratio 0.3: 0.3 x 8192 - 8 = 2449.6 tokens, 3 prompts: the third arrival
		 * ends it at 2 / lambda, before 1000 steps; 3 held, waits 2 / lambda (the
		 * first), 1 / lambda on average (the others), and 2 prompts more prefilled */
		d.w.batch_wait_iters = 1000;
		d.w.batch_wait_ratio = 0.3;
		CHECK_OK(plan_compute(&m, &h, &d, NULL, &q, &e), &e);
		CHECK_OK(serve_agg(&q, &g, &s, &r, &e), &e);
		CHECK_REL(r.batch_held, 3, 1e-12);
		CHECK_REL(r.batch_wait_s, (2 / lambda + 2 * (1 / lambda)) / 3 + 2 * 1000 * tau, 1e-12);
		/* ratio 0.1: one prompt (1000 > 811.2) meets it; ratio 0: met at once */
		d.w.batch_wait_ratio = 0.1;
		CHECK_OK(plan_compute(&m, &h, &d, NULL, &q, &e), &e);
		CHECK_OK(serve_agg(&q, &g, &s, &r, &e), &e);
		CHECK(r.batch_wait_s == 0 && r.batch_held == 1);
		d.w.batch_wait_ratio = 0;
		CHECK_OK(plan_compute(&m, &h, &d, NULL, &q, &e), &e);
		CHECK_OK(serve_agg(&q, &g, &s, &r, &e), &e);
		CHECK(r.batch_wait_s == 0);
		CHECK_REL(r.steady_ttft_s, base, 1e-12);
		/* half of each prompt in the prefix cache: 500 tokens to compute count
		 * toward 2449.6, so 5 prompts (4 more) end it at 4 / lambda; each of the
		 * 4 others adds its 500 tokens to the step */
		d.w.batch_wait_ratio = 0.3;
		d.w.prefix_hit = 0.5;
		CHECK_OK(plan_compute(&m, &h, &d, NULL, &q, &e), &e);
		CHECK_OK(serve_agg(&q, &g, &s, &r, &e), &e);
		{
			double tq = 1 / (q.perf.prefill_tps_gpu * d.tp), gq = q.perf.tpot_s + 1e-3;
			double oq = fmax(q.perf.ttft_s + 1e-3, 1000 * tq + 1e-3);
			double lq = 8 / (100 * gq + fmin(8 * oq, 8192 * tq + 1e-3));

			CHECK(4 / lq < 1000 * gq);
			CHECK_REL(r.batch_held, 5, 1e-12);
			CHECK_REL(r.batch_wait_s, (4 / lq) * 3 / 5 + 4 * 500 * tq, 1e-12);
		}
		d.w.prefix_hit = 0;
		d.w.batch_wait_iters = 0;
		d.w.batch_wait_ratio = 0;
	}
	/* mixed (vLLM, TensorRT-LLM): the 8 decode tokens take their share of the budget,
	 * and a step carrying a prompt replaces a decode step: it costs the prompt's
	 * and the batch's tokens through the layers and the decode attention */
	g.mixed = 1;
	CHECK_OK(serve_agg(&p, &g, &s, &r, &e), &e);
	{
		double attn = p.perf.decode.t_class[OPC_ATTN_CORE], gen = p.perf.tpot_s + 1e-3;
		double own_m = fmax(p.perf.ttft_s + 1e-3, (1000 + 8) * tau + attn + 1e-3 - gen);
		double full = 8192 * tau + attn + 1e-3 - gen;   /* ceil(8000 / 8184) = 1 step */

		CHECK_REL(r.tpot_s, gen + fmin(8 * own_m, full) / 100, 1e-12);
	}
	g.mixed = 0;
	/* host time per sequence: 8 sequences at 50 us add 0.4 ms to each step, so
	 * TPOT as with a 1.4 ms step (the prompts' steps carry it too) */
	{
		struct serve_result r1;
		struct engine g1 = serve_engine(1.4e-3, 10e-3, 1, 1e12);

		g.step_seq_s = 50e-6;
		CHECK_OK(serve_agg(&p, &g, &s, &r, &e), &e);
		CHECK_OK(serve_agg(&p, &g1, &s, &r1, &e), &e);
		CHECK_REL(r.tpot_s, r1.tpot_s, 1e-12);
		CHECK_REL(r.tpot_s, p.perf.tpot_s + 1.4e-3 + fmin(8 * fmax(p.perf.ttft_s + 1.4e-3, 1000 * tau + 1.4e-3),
								  8192 * tau + 1.4e-3) / 100, 1e-12);
		g.step_seq_s = 0;
	}
	/* the first burst: 8 x 1000 tokens fit one 8192-token step */
	CHECK_REL(r.burst_ttft_s, fmax(p.perf.ttft_s, 8000 / (p.perf.prefill_tps_gpu * d.tp)), 1e-12);
	/* every request in the burst (waves 1): TTFT is the burst's and the overhead */
	g = serve_engine(0, 10e-3, 1, 1);
	CHECK_OK(serve_agg(&p, &g, &s, &r, &e), &e);
	CHECK_REL(r.ttft_s, r.burst_ttft_s + 10e-3, 1e-12);
	/* a cache that holds fewer than the batch: the rest wait a slot, (B - N) / N lifetimes */
	d.w.batch = 64;
	d.mem_fraction = 0.25;   /* 85.9 GB (80 GiB) x 0.25 less 16 GB of weights and the reserve */
	CHECK_OK(plan_compute(&m, &h, &d, NULL, &p, &e), &e);
	CHECK(p.mem.max_sequences_per_instance >= 1 && p.mem.max_sequences_per_instance < 64);
	if (!(p.mem.max_sequences_per_instance >= 1 && p.mem.max_sequences_per_instance < 64))
		return;
	g = serve_engine(0, 0, 1, 1e12);
	CHECK_OK(serve_agg(&p, &g, &s, &r, &e), &e);
	CHECK_EQ(r.running, floor(p.mem.max_sequences_per_instance));
	CHECK_EQ(r.waiting, 64 - r.running);
	d.w.batch = r.running;
	CHECK_OK(plan_compute(&m, &h, &d, NULL, &q, &e), &e);
	{
		struct serve_result alone;

		CHECK_OK(serve_agg(&q, &g, &s, &alone, &e), &e);
		life = alone.ttft_s + 99 * alone.tpot_s;
		CHECK_REL(r.tpot_s, alone.tpot_s, 1e-12);
		CHECK_REL(r.ttft_s, alone.ttft_s + r.waiting / r.running * life, 1e-12);
	}
}

/*
 * Attention DP under load (serve.h): G groups each carrying prompts in a
 * share f of the steps on their own stretch the prompt steps by
 * (1 - (1 - f)^G) / f.  By hand: f 1/4, G 8: (1 - 0.75^8) / 0.25 =
 * (1 - 0.100112915) / 0.25 = 3.59954834; f 1/2, G 2: (1 - 0.25) / 0.5 = 1.5;
 * G 1 or f 1: 1.  DeepSeek-V3 on B200 at dp 8 ep 8: 8 groups (at tp 2 dp 4:
 * 4; at dp 8 ep 1, MoE tensor parallel: 8), Qwen3-32B (no experts) dp 8: 1.  In a plan, the prompts' extra time
 * over a lifetime, (TPOT - t_gen) x osl, grows by that factor with
 * --dp-balance off, and stays with on or an engine card that balances.
 * The groups' caches differ as well: the step's decode attention is the
 * longest group's (serve_lengths_max), balanced or not.
 */
static void t_serve_dp_sync(void)
{
	static struct plan p, s;
	struct model m, dense;
	struct hw h;
	struct deployment d;
	struct serve_result on, off;
	struct engine g = serve_engine(1e-3, 0, 1, 1e12);
	struct err e;
	double f, gen;

	CHECK_NEAR(serve_sync_share(0.25, 8), 3.59954834, 1e-8);
	CHECK_EQ(serve_sync_share(0.5, 2), 1.5);
	CHECK_EQ(serve_sync_share(0.25, 1), 1);
	CHECK_EQ(serve_sync_share(1, 8), 1);
	CHECK_EQ(serve_sync_share(0, 8), 1);
	/* the longest cache: 8 groups of 16 sequences, isl 1024, osl 2048: mu 2048,
	 * sigma 2048 / sqrt 12 = 591.2, Blom's e_8 = Phi^-1(7.625 / 8.25) = 1.43420:
	 * 1 + 1.43420 x 591.2 / (2048 x 4) = 1.10350 */
	CHECK_NEAR(serve_lengths_max(8, 16, 1024, 2048), 1.10350, 1e-5);
	CHECK_EQ(serve_lengths_max(1, 16, 1024, 2048), 1);
	CHECK_NEAR(serve_lengths_max(64, 1, 1024, 1024), 1 + 2.33672 * 1024 / sqrt(12) / 1536, 1e-5);
	memset(&e, 0, sizeof e);
	if (load_model("deepseek-v3", &m) || load_model("qwen3-32b", &dense) || load_hw("b200", &h))
		return;
	plan_default_deployment(&m, &d);
	d.dp = 8;
	d.ep = 8;
	d.w.batch = 64;
	d.w.isl = 1024;
	d.w.osl = 1024;
	d.w.prefill_tokens = 2048;
	d.context = d.w.context = 1536;
	g.mixed = 1;
	if (CHECK_OK(plan_compute(&m, &h, &d, NULL, &p, &e), &e))
		return;
	CHECK_EQ(serve_sync_groups(&p, &g), 8);
	CHECK_EQ(serve_dp_groups(&p), 8);
	CHECK_OK(serve_agg(&p, &g, &s, &off, &e), &e);
	CHECK_EQ(off.sync_groups, 8);
	CHECK_REL(off.longest, serve_lengths_max(8, 64, 1024, 1024), 1e-12);
	d.w.dp_balance = 1;
	CHECK_OK(plan_compute(&m, &h, &d, NULL, &p, &e), &e);
	CHECK_EQ(serve_sync_groups(&p, &g), 1);
	CHECK_OK(serve_agg(&p, &g, &s, &on, &e), &e);
	CHECK_EQ(serve_dp_groups(&p), 8);   /* balanced prompts, the groups still meet */
	gen = p.perf.tpot_s + g.step_overhead_s +
	      (on.longest - 1) * p.perf.decode.t_class[OPC_ATTN_CORE] / p.perf.tokens_per_step;
	f = on.mixed_steps / 1024;
	CHECK(f > 0 && f < 1);
	CHECK_EQ(off.mixed_steps, on.mixed_steps);
	CHECK_REL((off.tpot_s - gen) / (on.tpot_s - gen), (1 - pow(1 - f, 8)) / f, 1e-9);
	CHECK_EQ(off.rho, on.rho);   /* a group's own prefill load is its own */
	/* the engine card's default, overridden by --dp-balance off */
	d.w.dp_balance = -1;
	g.dp_balance = 1;
	CHECK_OK(plan_compute(&m, &h, &d, NULL, &p, &e), &e);
	CHECK_EQ(serve_sync_groups(&p, &g), 1);
	d.w.dp_balance = 0;
	CHECK_OK(plan_compute(&m, &h, &d, NULL, &p, &e), &e);
	CHECK_EQ(serve_sync_groups(&p, &g), 8);
	/* tp 2 x dp 4: the 4 groups meet; so do 8 at ep 1, whose MoE runs tensor
	 * parallel over all 8 GPUs; no experts: the groups are replicas */
	d.tp = 2;
	d.dp = 4;
	CHECK_OK(plan_compute(&m, &h, &d, NULL, &p, &e), &e);
	CHECK_EQ(serve_sync_groups(&p, &g), 4);
	d.tp = 1;
	d.dp = 8;
	d.ep = 1;
	CHECK_OK(plan_compute(&m, &h, &d, NULL, &p, &e), &e);
	CHECK_EQ(serve_dp_groups(&p), 8);
	plan_default_deployment(&dense, &d);
	d.dp = 8;
	d.w.dp_balance = 0;
	CHECK_OK(plan_compute(&dense, &h, &d, NULL, &p, &e), &e);
	CHECK_EQ(serve_sync_groups(&p, &g), 1);
}

/* A decode step replayed as a graph pays graph_latency_share of each kernel's fixed latency. */
static void t_serve_graph(void)
{
	static struct plan p, q;
	struct model m;
	struct hw h;
	struct deployment d;
	struct err e;
	struct engine g = serve_engine(0, 0, 0.25, 1);
	int i, n;
	double t0 = 0;

	memset(&e, 0, sizeof e);
	if (load_model("llama-3.1-8b", &m) || load_hw("h100-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	if (CHECK_OK(plan_compute(&m, &h, &d, NULL, &p, &e), &e))
		return;
	serve_engine_apply(&g, &h, &d);
	CHECK_EQ(d.w.graph_saving, 0.75);
	CHECK_EQ(d.w.prefill_tokens, 8192);
	CHECK_OK(plan_compute(&m, &h, &d, NULL, &q, &e), &e);
	/* batch 1 of an 8B model: latency-bound kernels, each 3/4 of t0 shorter (K floors too) */
	n = p.perf.decode.nops;
	for (i = 0; i < n; i++)
		if (p.perf.decode.op[i].kernel < K_CLASSES && p.perf.decode.op[i].flops > 0)
			t0 += h.kern[p.perf.decode.op[i].kernel].t0_s * p.perf.decode.op[i].count;
	CHECK(q.perf.tpot_s <= p.perf.tpot_s - 0.75 * t0 * 0.999);
	CHECK_REL(q.perf.ttft_s, p.perf.ttft_s, 1e-12);   /* prefill is not replayed */
}

/*
 * Padding to the captured CUDA-graph sizes (engine_graph_batch): with sizes
 * {1, 2, 4, 8, 16}, 1 stays 1, 3 runs at 4, 9 and 16 at 16, 17 is above the
 * largest (no graph: itself, eager).  Llama-3.1-8B at batch 9 then runs its
 * GEMMs at 16 rows, as at batch 16 (the same operator times), while its
 * attention reads the cache of 9 sequences and its output head 9 rows, not
 * 16.  Two micro-batches split the padded 16 (8 each); under MTP a card
 * with no sizes for it pads nothing.
 */
static void t_serve_graph_pad(void)
{
	static struct plan p9, p16;
	struct model m;
	struct hw h;
	struct deployment d;
	struct err e;
	struct engine g = serve_engine(0, 0, 1, 1);
	const double sizes[] = {1, 2, 4, 8, 16};
	int i, eager = -1;

	memset(&e, 0, sizeof e);
	if (load_model("llama-3.1-8b", &m) || load_hw("h100-sxm", &h))
		return;
	memcpy(g.graph_sizes, sizes, sizeof sizes);
	g.ngraph_sizes = 5;
	CHECK_EQ(engine_graph_batch(&g, &h, 1, 1, 1, &eager), 1);
	CHECK_EQ(eager, 0);
	CHECK_EQ(engine_graph_batch(&g, &h, 1, 3, 1, NULL), 4);
	CHECK_EQ(engine_graph_batch(&g, &h, 1, 8.5, 1, NULL), 16);
	CHECK_EQ(engine_graph_batch(&g, &h, 1, 16, 1, NULL), 16);
	CHECK_EQ(engine_graph_batch(&g, &h, 1, 17, 1, &eager), 17);
	CHECK_EQ(eager, 1);
	CHECK_EQ(engine_graph_batch(NULL, &h, 1, 3, 1, &eager), 3);
	CHECK_EQ(eager, 0);
	/* a rule capping the sizes below TP 4 on GPUs under 171.8 GB (SGLang's 256 on H100,
	 * here 8): an 80 GB H100 at TP 2 runs 9 without a graph, at TP 4 padded to 16 */
	g.large_hbm_gb = 171.8;
	g.graph_small_tp = 4;
	g.graph_max_small_tp = 8;
	CHECK_EQ(engine_graph_batch(&g, &h, 2, 9, 1, &eager), 9);
	CHECK_EQ(eager, 1);
	CHECK_EQ(engine_graph_batch(&g, &h, 2, 7, 1, &eager), 8);
	CHECK_EQ(eager, 0);
	CHECK_EQ(engine_graph_batch(&g, &h, 4, 9, 1, &eager), 16);
	g.graph_small_tp = g.graph_max_small_tp = g.large_hbm_gb = NAN;
	/* under MTP, 2 tokens a sequence: no sizes of its own, no padding; sizes
	 * of its own {3, 6}: 4 runs at 6; sizes counting tokens (vLLM), rounded
	 * up to even counts {2, 4, 8, 16} = {1, 2, 4, 8} sequences: 3 at 4, 9
	 * (18 tokens) without a graph */
	CHECK_EQ(engine_graph_batch(&g, &h, 1, 3, 2, &eager), 3);
	CHECK_EQ(eager, 0);
	g.graph_sizes_mtp[0] = 3;
	g.graph_sizes_mtp[1] = 6;
	g.ngraph_sizes_mtp = 2;
	CHECK_EQ(engine_graph_batch(&g, &h, 1, 4, 2, &eager), 6);
	g.ngraph_sizes_mtp = 0;
	g.graph_counts_tokens = 1;
	CHECK_EQ(engine_graph_batch(&g, &h, 1, 3, 2, &eager), 4);
	CHECK_EQ(eager, 0);
	CHECK_EQ(engine_graph_batch(&g, &h, 1, 9, 2, &eager), 9);
	CHECK_EQ(eager, 1);
	CHECK_EQ(engine_graph_batch(&g, &h, 1, 9, 1, &eager), 16);   /* without MTP, as before */
	/* 3 tokens a sequence: {3, 3, 6, 9, 18 > 16} = {1, 2, 3} sequences, 4 without a graph;
	 * 17 tokens a sequence: none left, so none at all */
	CHECK_EQ(engine_graph_batch(&g, &h, 1, 3, 3, &eager), 3);
	CHECK_EQ(eager, 0);
	CHECK_EQ(engine_graph_batch(&g, &h, 1, 4, 3, &eager), 4);
	CHECK_EQ(eager, 1);
	CHECK_EQ(engine_graph_batch(&g, &h, 1, 1, 17, &eager), 1);
	CHECK_EQ(eager, 1);
	g.graph_counts_tokens = 0;
	plan_default_deployment(&m, &d);
	serve_engine_apply(&g, &h, &d);
	d.w.batch = 9;
	if (CHECK_OK(plan_compute(&m, &h, &d, NULL, &p9, &e), &e))
		return;
	d.w.batch = 16;
	CHECK_OK(plan_compute(&m, &h, &d, NULL, &p16, &e), &e);
	CHECK_EQ(p9.perf.graph_batch, 16);
	CHECK_EQ(p9.perf.graph_eager, 0);
	CHECK_EQ(p9.perf.decode.nops, p16.perf.decode.nops);
	for (i = 0; i < p9.perf.decode.nops; i++) {
		const struct op *a = &p9.perf.decode.op[i], *b = &p16.perf.decode.op[i];

		if (a->cls == OPC_ATTN_CORE || a->cls == OPC_HEAD)
			CHECK(a->t < b->t);
		else
			CHECK_REL(a->t, b->t, 1e-12);
	}
	d.w.batch = 17;
	CHECK_OK(plan_compute(&m, &h, &d, NULL, &p9, &e), &e);
	CHECK_EQ(p9.perf.graph_batch, 17);
	CHECK_EQ(p9.perf.graph_eager, 1);
	d.w.batch = 9;
	d.w.micro_batches = 2;
	CHECK_OK(plan_compute(&m, &h, &d, NULL, &p9, &e), &e);
	CHECK_EQ(p9.perf.graph_batch, 16);
	CHECK_EQ(p9.perf.decode.tokens, 16);
	d.w.micro_batches = 1;
	d.w.mtp_depth = 1;
	CHECK_OK(plan_compute(&m, &h, &d, NULL, &p9, &e), &e);
	CHECK_EQ(p9.perf.graph_batch, 9);
	CHECK_EQ(p9.perf.graph_eager, 0);
}

/* The prefill pool of a disaggregated deployment: the closed loop's fixed
 * point alone and batching, either side of r1 = 1/2, the saturated pool, the
 * burst, a batch of the step budget and no jump at its capacity. */
static void t_serve_disagg(void)
{
	static struct plan p;
	struct model m;
	struct hw h;
	struct deployment d;
	struct serve_result r;
	struct engine g = serve_engine(0, 5e-3, 1, 1e6);
	struct err e;
	double S1, Sb, t, c, tau, kv, cap, lambda, r1, tpot = 20e-3, j, steps = 0;

	memset(&e, 0, sizeof e);
	if (load_model("llama-3.1-70b", &m) || load_hw("h100-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	d.tp = 4;
	d.w.batch = 2;
	d.w.isl = 4000;
	d.w.osl = 500;
	if (CHECK_OK(plan_compute(&m, &h, &d, NULL, &p, &e), &e))
		return;
	/* b = max(2, floor(8192 / 4000)) = 2 prompts a step: 8000 tokens at
	 * full-step speed, one prompt's prefill S1 at least */
	CHECK_EQ(p.dep.w.prefill_tokens, 8192);
	tau = 1 / (p.perf.prefill_tps_gpu * 4);
	S1 = fmax(p.perf.ttft_s, 4000 * tau);
	Sb = fmax(S1, 8000 * tau);
	kv = 4000 * p.kv_bytes_per_token / (p.perf.links.out_bw * 4) + p.perf.links.out_latency_s;
	cap = 3 * 2 / Sb;   /* 3 workers of one attention group, 2 prompts per step */
	/* 4 requests in flight: each server sees r1 < 1/2 arrivals per S1, a
	 * prompt goes alone after the M/D/1 wait: ttft = S1 (1 + md1(r1)) + kv */
	serve_disagg(&p, &g, 4, 3, tpot, &r);
	lambda = 4 / (r.steady_ttft_s + 499 * tpot);
	r1 = lambda / 3 * S1;
	CHECK(r1 < 0.5);
	CHECK_REL(r.rho, lambda / cap, 1e-6);
	CHECK_REL(r.steady_ttft_s, S1 * (1 + r1 / (2 * (1 - r1))) + kv, 1e-6);
	/* either side of r1 = 1/2: the concurrency whose fixed point has r1 =
	 * 0.45 waits as M/D/1, the one with r1 = 0.55 half a step */
	t = S1 * (1 + 0.45 / (2 * 0.55)) + kv;
	serve_disagg(&p, &g, 3 * 0.45 / S1 * (t + 499 * tpot), 3, tpot, &r);
	CHECK_REL(r.steady_ttft_s, t, 1e-9);
	t = 1.5 * S1 + kv;
	serve_disagg(&p, &g, 3 * 0.55 / S1 * (t + 499 * tpot), 3, tpot, &r);
	CHECK_REL(r.steady_ttft_s, t, 1e-9);
	/* 90 in flight: r1 > 1/2, the server batches the r1 prompts of a step
	 * (below the capacity r1 < 2 S1 / Sb, their tokens within S1); a prompt
	 * waits half of it, then its own: 1.5 S1 + kv */
	serve_disagg(&p, &g, 90, 3, tpot, &r);
	lambda = 90 / (r.steady_ttft_s + 499 * tpot);
	r1 = lambda / 3 * S1;
	CHECK(r1 > 0.5);
	CHECK_REL(r.rho, lambda / cap, 1e-6);
	CHECK_REL(r.steady_ttft_s, 1.5 * S1 + kv, 1e-6);
	CHECK_REL(r.ttft_s, (1 - 1e-6) * r.steady_ttft_s + 1e-6 * r.burst_ttft_s + 5e-3, 1e-12);
	/* the first burst: request j waits ceil(j / 6) full steps */
	for (j = 1; j <= 90; j++)
		steps += ceil(j / 6);
	CHECK_REL(r.burst_ttft_s, Sb * steps / 90 + kv, 1e-12);
	/* 100000 in flight: the pool is the bottleneck; Little's law gives the wait */
	serve_disagg(&p, &g, 1e5, 3, tpot, &r);
	CHECK_REL(r.steady_ttft_s, 1e5 / cap - 499 * tpot, 1e-12);
	CHECK_REL(r.rho, 1, 1e-12);
	/* the sample's batch of 1 at 1000-token prompts: the budget takes
	 * floor(8192 / 1000) = 8 a step, capacity 3 x 8 / step(8) */
	d.w.batch = 1;
	d.w.isl = 1000;
	if (CHECK_OK(plan_compute(&m, &h, &d, NULL, &p, &e), &e))
		return;
	tau = 1 / (p.perf.prefill_tps_gpu * 4);
	S1 = fmax(p.perf.ttft_s, 1000 * tau);
	Sb = fmax(S1, 8000 * tau);
	cap = 3 * 8 / Sb;
	serve_disagg(&p, &g, 1e5, 3, tpot, &r);
	CHECK_REL(r.steady_ttft_s, 1e5 / cap - 499 * tpot, 1e-12);
	/* its steps of 8 take more than 1.5 S1, yet at the capacity the TTFT
	 * goes on from 1.5 S1 + kv below into Little's law above, no jump */
	CHECK(Sb > 2 * S1);
	kv = 1000 * p.kv_bytes_per_token / (p.perf.links.out_bw * 4) + p.perf.links.out_latency_s;
	t = 1.5 * S1 + kv;
	c = cap * (t + 499 * tpot);
	serve_disagg(&p, &g, c * (1 - 1e-6), 3, tpot, &r);
	CHECK_REL(r.steady_ttft_s, t, 1e-9);
	CHECK(r.rho < 1);
	serve_disagg(&p, &g, c * (1 + 1e-6), 3, tpot, &r);
	CHECK_REL(r.steady_ttft_s, c * (1 + 1e-6) / cap - 499 * tpot, 1e-12);
	CHECK_REL(r.steady_ttft_s, t, 1e-3);
	CHECK_REL(r.rho, 1, 1e-12);
}

/* The open loop: Little's law at the fixed point, the prices serve_agg gives
 * at that batch without a burst, and the largest sustainable rate. */
static void t_serve_open(void)
{
	static struct plan p, q, s;
	struct model m;
	struct hw h;
	struct deployment d;
	struct serve_result r, a, t;
	struct engine g = serve_engine(1e-3, 20e-3, 1, 1e12);   /* 1e12 waves: no burst in serve_agg */
	struct err e;
	double life;

	memset(&e, 0, sizeof e);
	if (load_model("llama-3.1-8b", &m) || load_hw("h100-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	d.w.isl = 2000;
	d.w.osl = 200;
	d.context = d.w.context = 2100;
	if (CHECK_OK(plan_compute(&m, &h, &d, NULL, &p, &e), &e))
		return;
	CHECK_OK(serve_open(&p, &g, 4, &s, &r, &e), &e);
	CHECK(!r.saturated);
	CHECK_EQ(r.arrival_rate, 4);
	life = r.ttft_s + 199 * r.tpot_s;
	CHECK_REL(r.running, 4 * life, 1e-6);              /* Little's law, one attention group */
	/* the same batch, priced by the closed loop without its burst, gives the same times */
	d.w.batch = r.running;
	CHECK_OK(plan_compute(&m, &h, &d, NULL, &q, &e), &e);
	CHECK_OK(serve_agg(&q, &g, &s, &a, &e), &e);
	CHECK_REL(a.tpot_s, r.tpot_s, 1e-6);
	CHECK_REL(a.steady_ttft_s + 20e-3, r.ttft_s, 1e-6);
	/* a rate no cache holds: saturated, with the largest rate that has a steady state */
	CHECK_OK(serve_open(&p, &g, 1e6, &s, &r, &e), &e);
	CHECK(r.saturated);
	CHECK(r.max_rate > 4 && r.max_rate < 1e6);
	CHECK_OK(serve_open(&p, &g, r.max_rate * 0.999, &s, &t, &e), &e);
	CHECK(!t.saturated);
	CHECK_OK(serve_open(&p, &g, r.max_rate * 1.01, &s, &t, &e), &e);
	CHECK(t.saturated);
	/* two attention groups share the rate: the same per group as one at half the rate */
	d.w.batch = 1;
	d.dp = 2;
	CHECK_OK(plan_compute(&m, &h, &d, NULL, &q, &e), &e);
	CHECK_OK(serve_open(&q, &g, 8, &s, &t, &e), &e);
	CHECK_OK(serve_open(&p, &g, 4, &s, &r, &e), &e);
	CHECK_REL(t.running, r.running, 1e-6);
}

static const struct test tests[] = {
	{"serve: attention DP groups wait for each other's prompts unless balanced, by hand", t_serve_dp_sync},
	{"silicon_parse: quoted fields, blank lines, CRLF, and its errors", t_silicon_parse},
	{"silicon_map: a row's options, concurrency and the reasons it cannot be expressed", t_silicon_map},
	{"silicon_map: g^2 GPUs on one 8-GPU node read as g, three forms; InferenceX mean lengths", t_silicon_repair},
	{"silicon_parse: InferenceX's disaggregated pools from its one recipe at the row's concurrency", t_silicon_recipe},
	{"silicon_map: InferenceX's SGLang recipes poll every 10 or 30 steps and set memory shares, by date, TP and CONC", t_silicon_recv},
	{"silicon_map: InferenceX's TensorRT-LLM recipes hold prompts back, by date, lengths, TP and CONC",
	 t_silicon_wait},
	{"silicon_map: InferenceX's recipes' step budgets, by engine, model, system, precision, date and TP",
	 t_silicon_budget},
	{"silicon_map: rows from InferenceX's MTP-only images and rack-wide 'aggregated' runs are refused; warm-up by date",
	 t_silicon_spec},
	{"engine cards: SGLang's chunk by HBM, vLLM's, unknown and out-of-range keys", t_engine_cards},
	{"engine versions: a version's own figures, the rest engine-level, unknown ones fall back", t_engine_versions},
	{"serve_agg: overheads, mixed prefill, the M/D/1 queue, the first burst, KV slots", t_serve_load},
	{"serve_disagg: the prefill pool's closed-loop queue, saturation and burst", t_serve_disagg},
	{"serve_open: Little's law at the fixed point, serve_agg's prices there, the largest rate", t_serve_open},
	{"serve: a graph-replayed decode pays its share of fixed latency, prefill all of it", t_serve_graph},
	{"engine_graph_batch: a decode batch padded to the next captured size, by hand", t_serve_graph_pad},
};

const struct suite suite_serve = {"serve", tests, sizeof tests / sizeof tests[0]};
