/* cmd_help.c - 'mlasim help [command]' and the help text of every command */
#include <stdio.h>
#include <string.h>
#include "cli.h"

const char help_help[] =
"usage: mlasim help [COMMAND | --all]\n"
"\n"
"Show the commands, one command's options, or (--all) every command's help.\n";

const char help_list[] =
"usage: mlasim list [--models | --hw-only] [--format table|json|csv] [-o FILE]\n"
"\n"
"List the bundled model cards (models/) and hardware cards (hw/) with the short\n"
"names each is also found by.  Cards are looked up in ./models and ./hw, then\n"
"$MLASIM_DATA, then next to the executable, then the installed data directory.\n";

const char help_models[] =
"usage: mlasim help models\n"
"\n"
"A model card is a HuggingFace config.json.  Each main layer gets a token mixer\n"
"and an FFN, read from whichever key the config uses (first match wins):\n"
"\n"
"  mixer   hybrid_override_pattern (Nemotron-H: M Mamba-2, * attention, - MLP,\n"
"          E MoE), layer_types (full_attention, sliding_attention,\n"
"          chunked_attention, linear_attention), hybrid_layer_pattern (MiMo:\n"
"          1 = sliding window), full_attention_interval (Qwen3-Next: every n-th\n"
"          layer full, the rest Gated DeltaNet), attention_chunk_size with\n"
"          no_rope_layers (Llama 4: NoPE layers global, default every 4th),\n"
"          sliding_window (Gemma 3: every sliding_window_pattern-th layer global,\n"
"          default 6; use_sliding_window true: layers from max_window_layers on,\n"
"          false or absent on Qwen: none; otherwise every layer)\n"
"  FFN     the pattern, moe_layer_freq as a 0/1 list, mlp_only_layers with\n"
"          decoder_sparse_step, interleave_moe_layer_step, first_k_dense_replace\n"
"          with an integer moe_layer_freq; experts from n_routed_experts,\n"
"          num_local_experts or num_experts, top-k from num_experts_per_tok or\n"
"          moe_topk, shared experts from n_shared_experts, num_shared_expert,\n"
"          shared_expert_intermediate_size, moe_shared_expert_intermediate_size;\n"
"          mlp_hidden_act relu2: two-matrix FFNs and experts\n"
"  KV      swa_num_key_value_heads (window layers), use_cla + cla_share_factor\n"
"          (layers that reuse an earlier layer's K and V cache nothing),\n"
"          v_head_dim, sinks (gpt-oss; MiMo's add_*_attention_sink_bias)\n"
"  DSA     index_topk, index_n_heads, index_head_dim: indexer weights and its\n"
"          fp8 key (+132 B per token per layer for V3.2)\n"
"  state   Gated DeltaNet (linear_*), Mamba-2 (mamba_*, ssm_state_size,\n"
"          n_groups, conv_kernel), its dtype mamba_ssm_cache_dtype or\n"
"          mamba_ssm_dtype: conv window (2 B) + recurrent state per sequence\n"
"  other   text_config (multimodal wrappers: the text model is read from it,\n"
"          and plan says so), quantization_config (fp8 with or without 128x128\n"
"          blocks; mxfp4 experts when attention stays bf16, as gpt-oss ships;\n"
"          --expert-weights overrides), num_nextn_predict_layers,\n"
"          num_mtp_modules with use_mtp, mtp_num_hidden_layers (MTP modules;\n"
"          --mtp D beyond them reuses them)\n"
"\n"
"KV per sequence = per-token bytes of the full-attention layers x context +\n"
"window layers x min(context, window) + recurrent state, in pages of\n"
"--kv-block.  'kv' and 'plan' print the fixed part beside the per-token bytes.\n"
"A key mlasim reads but does not model is a warning on stderr and in\n"
"model.warnings[]; block_configs (per-block shapes, Nemotron-NAS) is refused\n"
"(exit 3); an unknown model_type is read by its generic keys, with a warning.\n"
"Time: windows bound decode and prefill attention; Gated DeltaNet and Mamba-2\n"
"are priced from their state size (approximate: see README).\n";

const char help_kv[] =
"usage: mlasim kv --model M [options]\n"
"\n"
"KV-cache bytes per token and per sequence.  Per token per layer: MHA 2*H*dh,\n"
"GQA 2*Hkv*dh, MQA 2*dh elements, MLA kv_lora_rank + qk_rope_head_dim (one latent\n"
"shared by all heads); times the dtype's bits / 8, times the caching layers.\n"
"\n"
"  --model M            model card: file, bundled name or short name (v3, llama-70b)\n"
"  --kv-dtype D         bf16 (default), fp16, fp32, fp8, int8, int4, bits:N (any width,\n"
"                       e.g. bits:6 as DeepSeek-V2 deployed), fp8-flashmla (FlashMLA's\n"
"                       656 B/token/layer layout: fp8 latent + fp32 scale per 128 + bf16 RoPE)\n"
"  --context LIST       contexts in tokens, e.g. 4k,32k,128Ki (default 4Ki,32Ki,128Ki;\n"
"                       k = 1000, Ki = 1024)\n"
"  --kv-block N         paged cache: a sequence holds whole pages of N tokens (default 1)\n"
"  --kv-mtp             count the MTP layers' cache too (default: main layers only)\n"
"  --compare            also show the model recast as MHA, GQA, MQA and MLA\n"
"                       (DeepSeek-V2 Table 1); MLA for a GQA model uses dc = 4dh, dr = dh/2\n"
"  --groups G           KV heads of the GQA variant in --compare, a divisor of the\n"
"                       heads (default: the model's, or 8 for MHA and MLA models)\n"
"  --set KEY=VALUE      override a card key, e.g. --set kv_lora_rank=256 (repeatable)\n"
"  --format F           table (default), json, csv;  -o FILE writes atomically\n"
"\n"
"json keys: model, attention, layers, kv_dtype, kv_bits, kv_block,\n"
"kv_elements_per_layer, kv_elements_per_token, kv_bytes_per_layer,\n"
"kv_bytes_per_token, kv_fixed_bytes_per_sequence (window layers at their window +\n"
"recurrent state), state_bytes_per_sequence,\n"
"contexts[] {context, tokens_held, kv_bytes_per_sequence},\n"
"compare[] {attention, kv_heads, kv_elements_per_token, kv_bytes_per_token}.\n"
"\n"
"example: mlasim kv --model deepseek-v3 --kv-dtype fp8-flashmla --kv-block 64\n";

const char help_plan[] =
"usage: mlasim plan --model M --hw H [parallelism] [workload] [options]\n"
"       mlasim plan --model M --hw A[,B,...] --rate R [--ttft S] [--tpot S] [options]\n"
"\n"
"Size one deployment and predict its speed: parameters, weight bytes, memory per\n"
"GPU and the sequences that fit; decode TPOT and tokens/s per GPU and per user;\n"
"prefill TTFT and tokens/s per GPU; what bounds each step (compute, HBM,\n"
"scale-up, scale-out, latency) and where the time goes, operator by operator;\n"
"the expert-parallel traffic; the prefill:decode GPU ratio of disaggregated\n"
"serving.  Exit status 1 when the model does not fit.\n"
"\n"
"parallelism (one instance uses tp x dp x pp GPUs):\n"
"  --tp N               tensor parallelism of attention, dense FFN, shared experts,\n"
"                       embedding and head, with an all-reduce after each.  MLA's\n"
"                       latent cache is replicated on every TP rank; GQA KV heads split\n"
"                       up to their number, then replicate\n"
"  --dp N               attention data parallelism: N groups of tp GPUs, each with its\n"
"                       own attention weights and sequences, sharing the experts\n"
"  --ep N               expert parallelism: routed experts spread over N GPUs, tokens\n"
"                       dispatched (fp8 + fp32 scale per 128 channels) and combined\n"
"                       (bf16) by all-to-all; the rest of tp x dp splits each expert\n"
"                       An EP group spread over several scale-up domains sends\n"
"                       at once over NVLink and the NICs (one NIC copy per remote\n"
"                       domain); in one domain the NICs idle, so a larger\n"
"                       scale_up.domain_gpus can make TPOT a few per cent slower\n"
"  --pp N               pipeline stages: layers split evenly, embedding on the first,\n"
"                       head on the last; the heaviest stage is reported\n"
"  --redundant-experts R  extra expert copies spread with the others (EPLB)\n"
"  --shared-expert local|routed  shared experts on every GPU (default) or sent\n"
"                       like a routed expert (one more copy per token)\n"
"  --max-nodes M        node-limited routing: a token reaches at most M scale-up\n"
"                       domains (default: the model's topk_group when it groups its\n"
"                       experts, 4 for DeepSeek-V3; 0 = no limit)\n"
"\n"
"workload:\n"
"  --batch B            sequences decoding at once per attention group (per GPU at\n"
"                       tp 1; default 1, or K of --micro-batches K).  tokens/s per\n"
"                       GPU = B x tokens per step / step time / tp\n"
"  --micro-batches K    2 overlaps one micro-batch's compute with the other's\n"
"                       all-to-all: a MoE layer takes 2 x max(compute, comm) (default 1)\n"
"  --context N          KV length during decode, and the sequence length of the fit\n"
"                       question (default 4096)\n"
"  --mtp D              MTP depth: D draft tokens per step; min(D, the model's) modules\n"
"                       loaded (DeepSeek-V3 has 1), steps beyond them reuse them as\n"
"                       SGLang and vLLM do; tokens per step 1 + a + ... + a^D\n"
"  --mtp-accept A       acceptance rate of a draft token (default 0.85, DeepSeek-V3\n"
"                       report: 85-90%)\n"
"  --isl N, --osl N     input and output tokens per request (default 4096, 1024)\n"
"  --prefill-tokens N   tokens per prefill step per attention group (default 8192,\n"
"                       mini-SGLang's chunk size; pass your engine's); longer\n"
"                       prompts are chunked, shorter ones batched\n"
"  --prefix-hit F       share of input tokens found in the prefix cache (default 0)\n"
"  TTFT is the time until one request's first token: its (1 - prefix hit) x isl\n"
"  new tokens prefilled alone, in chunks of --prefill-tokens, attending to all\n"
"  isl tokens (no queueing); prefill tokens/s per GPU is of full steps\n"
"  --imbalance X        the busiest expert-parallel rank's load over the mean (default\n"
"                       1: uniform routing, as the ISCA 2025 analysis assumes)\n"
"  --ideal              every efficiency 1, no kernel or link latencies: the papers'\n"
"                       closed-form speed limits\n"
"  --planes-down N      N of the card's network planes failed: the GPUs of those\n"
"                       planes forward through their node's other NICs, scale-out\n"
"                       bandwidth falls to (P - N)/P\n"
"\n"
"power and cost:\n"
"  GPU watts = idle + (TDP - idle) x the share of the step spent at the achievable\n"
"  roofline (or probe-measured J/FLOP and J/byte); node = GPUs + the rest of the\n"
"  node (the card's node.cpu_w + other_w, else node.max_kw less the GPUs' TDP);\n"
"  cooling is chosen on the rack at full load (air up to rack.air_limit_kw, 30 kW)\n"
"  --pue X              facility power over IT power (default: the card's, 1.58)\n"
"  --gpu-hour-usd X     price per GPU-hour (default: the card's dated price)\n"
"  --usd-per-kwh X, --capex-years N   without a GPU-hour price: capex per GPU\n"
"                       over N years plus energy at X $/kWh\n"
"  --fleet-gpus N       fleet size for $/day (default: the instance's GPUs)\n"
"  --nodes-per-rack N   (default: rack.gpus / node.gpus from the card, else 1)\n"
"\n"
"precision and memory:\n"
"  --weights W          linear layers in bf16, fp16, fp32, fp8 (per-tensor scale),\n"
"                       fp8-block (fp32 scale per 128x128 block, DeepSeek), int8,\n"
"                       nvfp4, mxfp4, int4 or int4:gN; embedding, head, norms and\n"
"                       router stay bf16 (default: the card's checkpoint format).\n"
"                       fp8 weights run fp8 GEMMs where the GPU has FP8 units\n"
"  --expert-weights W   the routed experts' format when it differs (default: the\n"
"                       checkpoint's, e.g. mxfp4 for gpt-oss; else as --weights)\n"
"  --kv-dtype D         as in 'mlasim kv' (default bf16);  --kv-block N pages\n"
"  --kv-mtp             the MTP modules keep a KV cache too\n"
"  --mem-fraction F     share of usable HBM for weights, reserve and KV (default 0.9,\n"
"                       vLLM's gpu_memory_utilization); the rest is headroom for\n"
"                       activations and CUDA graphs\n"
"  --reserve SIZE       runtime reserve per GPU (default: the card's\n"
"                       gpu.runtime_reserve_gb: CUDA context, workspaces, NCCL buffers)\n"
"  --set KEY=VALUE      override a model key (kv_lora_rank=256) or a hardware key\n"
"                       (gpu.hbm_usable_gb=96, efficiency.memory=0.8): repeatable\n"
"  --format F           table (default), json, csv (flat key,value);  -o FILE\n"
"\n"
"timing: each operator takes max(FLOPs / (peak of its dtype x compute efficiency),\n"
"HBM bytes / (bandwidth x memory efficiency)) + a fixed kernel latency, with the\n"
"card's efficiencies (or its probe calibration, when present); collectives take\n"
"latency + bytes / achievable link bandwidth (the card's\n"
"scale_up.achievable_gbs_per_dir and scale_out.effective_gbs_per_nic, else the\n"
"nominal figure x efficiency.scale_up / scale_out).\n"
"\n"
"json keys (a contract): model.params_total, model.params_active,\n"
"model.kv_bytes_per_token, model.kv_fixed_bytes_per_sequence, model.layer_kinds[]\n"
"{kind, layers}, model.from_text_config, model.warnings[], memory.weights_bytes_per_gpu, memory.kv_bytes_per_gpu,\n"
"memory.max_sequences_per_gpu, memory.fits, decode.tpot_s,\n"
"decode.tokens_per_s_per_gpu, decode.tokens_per_s_per_user, decode.bound,\n"
"decode.operators[], prefill.ttft_s, prefill.tokens_per_s_per_gpu,\n"
"network.dispatch_bytes_per_gpu_per_layer, network.combine_bytes_per_gpu_per_layer,\n"
"network.a2a_s_per_layer, serving.prefill_gpus_per_decode_gpu, power.gpu_w,\n"
"power.node_kw, power.rack_kw, power.facility_kw, power.cooling, power.warnings[],\n"
"power.joules_per_token, power.joules_per_token_prefill, cost.usd_per_mtok_input,\n"
"cost.usd_per_mtok_output, cost.usd_per_day.\n"
"\n"
"planner (a workload and targets turn plan into a search for the cheapest\n"
"deployment; --tp --dp --ep --pp --micro-batches --mtp --batch then pin what\n"
"they name: only deployments with those values are searched, even a tp beyond\n"
"the NVLink domain; pins no deployment can have exit 2 and say why):\n"
"  --rate R             requests per second;  --tokens-per-day N  instead: input +\n"
"                       output tokens a day (rate = N / (isl + osl) / 86400);\n"
"                       above 0, at most 1e9 requests/s or 1e18 tokens a day\n"
"  --ttft S, --tpot S   targets: 2 or 2s, 50ms, 120us (a bare number is seconds;\n"
"                       --tps-user X: TPOT = 1/X); above 0, at most 3600 s\n"
"  --hw A,B,C           the cards to choose from\n"
"  --objective O        cost ($/day at the cards' GPU-hour prices, the default),\n"
"                       gpus, or power (facility kW); under cost a card with no\n"
"                       price is left out and named (gb300-nvl72 and mi355x\n"
"                       have none: pass --gpu-hour-usd)\n"
"  --disaggregation D   auto (try both, default), on (separate prefill and decode\n"
"                       pools) or off (one pool; decode stalls while it prefills)\n"
"  --emit vllm|sglang   print launch settings for the chosen deployment\n"
"  --workload FILE      a distribution of lengths instead of --isl/--osl: one\n"
"                       request class a line, 'ISL OSL [WEIGHT]'; prefill is costed\n"
"                       class by class, TTFT must hold for the longest prompt, and\n"
"                       decode uses the mean lengths\n"
"  Unless --context is given, memory holds isl + osl tokens per sequence and\n"
"  decode reads isl + osl/2 on average.\n"
"  Families (card x tp x dp x ep x pp x micro-batches x KV dtype x MTP) that do\n"
"  not fit, miss TPOT unloaded or miss TTFT are rejected; for the rest the largest\n"
"  batch meeting TPOT is solved (GSL Brent root finding) and the pools sized for\n"
"  the rate.  Exit 1 when nothing meets the targets, with the closest misses.\n"
"  json keys: deployment.{hw,gpus,tp,dp,ep,pp,batch,disaggregated,prefill_gpus,\n"
"  decode_gpus,cost_basis}, cost.usd_per_day, latency.{tpot_s,ttft_s}, runner_up,\n"
"  rejected[], search.unpriced_hw[].\n"
"\n"
"examples:\n"
"  mlasim plan --model v3 --hw h800 --dp 32 --ep 32 --batch 64 --micro-batches 2 --mtp 1\n"
"  mlasim plan --model v3 --hw h800,h200,gb200 --rate 10 --ttft 2 --tpot 0.05 \\\n"
"         --gpu-hour-usd 3 --emit sglang\n"
"  mlasim plan --model llama-3.1-70b --hw h100 --tp 4 --batch 32 --context 8k\n";

const char help_chart[] =
"usage: mlasim chart KIND [options] [-o FILE.png]\n"
"\n"
"Draw a chart with gnuplot: FILE.png (pngcairo) and FILE.svg, with FILE.dat (the\n"
"numbers, '#' lines naming columns and units) and FILE.gp (the script) beside\n"
"them; 'gnuplot FILE.gp' in that directory redraws both after a restyle.  The\n"
"default name is KIND.png.  Titles name the model, hardware and deployment;\n"
"sizes are decimal (1 GB = 1e9 B).  Without gnuplot ($MLASIM_GNUPLOT, else\n"
"'gnuplot' on PATH): exit 4 naming it, with the .dat and .gp still written.\n"
"A gnuplot running past $MLASIM_GNUPLOT_TIMEOUT seconds (default 60) is killed\n"
"(exit 4).  -o must name a regular file (or a new one): not /dev/null.\n"
"\n"
"kinds (the plan kinds take every option of 'mlasim plan'):\n"
"  kv --model A,B,... [--hw H] [--kv-dtype D]\n"
"        KV cache per sequence against context (1Ki..1Mi, log axes), one line\n"
"        per model; the card's usable HBM as a reference line\n"
"  memory --model M --hw H [plan options]\n"
"        per-GPU stacked bars: weights by component, runtime reserve, KV cache,\n"
"        headroom, against the usable HBM, with the sequences that fit.  A list\n"
"        '--tp 1,2,4,8' (or --dp, --ep, --pp) draws one bar per value; several\n"
"        lists of one length go together ('--dp 8,16,32 --ep 8,16,32')\n"
"  throughput --model M --hw A,B,... [plan options]\n"
"        decode tokens/s per GPU and TPOT against batch 1..1024 (doubling), one\n"
"        line per card, dashed where the batch does not fit the KV cache; the\n"
"        knee circled: the first batch whose decode step is no longer HBM-bound,\n"
"        else the batch from which each doubling adds < 20% tokens/s per GPU\n"
"  tpot --model M --hw H --over ep|nic [--values LIST] [plan options]\n"
"        TPOT against the expert-parallel size (ep = x, dp = x / tp; default tp,\n"
"        2tp, ... up to the experts) or the NIC bandwidth in Gb/s (the card's\n"
"        scale_out.nic_gbps = x; default 100..6400), with computation and\n"
"        communication per token, and where communication becomes (or stops\n"
"        being) the decode bound marked: the 'Insights into DeepSeek-V3' speed\n"
"        limit as a curve (examples/isca-speed-limit.sh)\n"
"  roofline --model M --hw H [plan options]\n"
"        the GPU's bf16, fp8 (and fp4) rooflines, log-log, with each decode and\n"
"        prefill operator at its FLOPs per HBM byte and achieved FLOP/s\n"
"  pareto --from SWEEP.csv\n"
"        the CSV of 'mlasim sweep -o': feasible deployments (fits and batch_fits\n"
"        true) faint, and per model and card the Pareto front of tokens/s per\n"
"        GPU against tokens/s per user.  Needs the columns model, hw, fits,\n"
"        batch_fits, tokens_per_s_per_gpu, tokens_per_s_per_user (exit 3 when one\n"
"        is missing or a row is malformed; exit 1 when no row fits)\n"
"  power --model M --hw H [--per rack|node] [plan options]\n"
"        stacked bars per rack (default) or node at decode, prefill and full\n"
"        load: GPUs, rest of the node, network switches (when the card gives\n"
"        scale_out.switch_w), facility overhead (PUE - 1) x IT; the rack's power\n"
"        and air-cooling limits as lines\n"
"  topology --hw H [--gpus N,N2,...] [--radix K] [--planes P]\n"
"        switches and cost per endpoint against GPUs for FT2, MPFT (P planes;\n"
"        default the card's, else 8) and FT3 (default GPUs 128..65536, doubling)\n"
"\n"
"  --set KEY=VALUE      override a model or hardware card key (kv: every model)\n"
"\n"
"examples:\n"
"  mlasim chart memory --model llama-3.1-70b --hw h100 --tp 1,2,4,8 -o mem.png\n"
"  mlasim chart throughput --model v3 --hw h800,h200,gb200 --dp 32 --ep 32\n"
"  mlasim chart tpot --model v3 --hw h800 --over ep --batch 64 --micro-batches 2\n";

const char help_validate[] =
"usage: mlasim validate [--format table|json|csv] [-o FILE]\n"
"\n"
"Reproduce the published reference figures from the bundled cards: the ISCA 2025\n"
"KV-per-token table (DeepSeek-V3, Qwen-2.5 72B, LLaMA-3.1 405B), FlashMLA's FP8\n"
"cache layout, the published parameter counts of every bundled model, the ISCA\n"
"2025 expert-parallel speed limits (120.96 us per layer and 14.76 ms TPOT over\n"
"400G InfiniBand, 6.72 us and 0.82 ms over NVL72) and FlashMLA's roofline boundary\n"
"(compute-bound above h_q x s_q of about 128 on H800).  Prints each case with its\n"
"source, expected and computed values, tolerance and what explains the difference;\n"
"exits 1 if any case fails.\n";

static void help_overview(void)
{
	const struct command *k;

	printf("mlasim %s: capacity planner and analytical simulator for LLM inference\n\n",
	       MLASIM_VERSION);
	printf("usage: mlasim <command> [options]      mlasim help <command> for details\n\n");
	for (k = cli_commands(); k->name; k++)
		printf("  %-9s %s\n", k->name, k->summary);
	printf("\ncommon options: --model FILE|NAME  --hw FILE|NAME  --set KEY=VALUE\n"
	       "                --format table|json|csv  -o FILE\n"
	       "sizes: 128k = 128000 tokens, 128Ki = 131072; 80GB = 8e10 B, 64GiB; 50GB/s, 400Gb/s\n"
	       "times: 2s, 50ms, 120us (or µs); a bare number is seconds\n"
	       "cards: JSON objects (as are probe results), each key at most once per object\n"
	       "models: a HuggingFace config.json: windows, chunks, Mamba-2, Gated DeltaNet,\n"
	       "        DSA, CLA, MoE placements, text_config ('mlasim help models'); a key\n"
	       "        mlasim reads but does not model is warned of, never silent\n"
	       "exit codes: 0 ok, 1 no good answer (does not fit, a validation case failed),\n"
	       "            2 usage error, 3 bad input file or card, 4 environment (gnuplot, GPU)\n"
	       "-o: follows links, writes FIFOs and devices in place, keeps a file's mode,\n"
	       "    never overwrites an input (exit 2)\n");
}

int cmd_help(struct cli *c)
{
	const struct command *k;
	const char *topic = NULL;
	int all = 0;

	while (cli_more(c)) {
		if (cli_flag(c, "--all"))
			all = 1;
		else if (!topic && c->argv[c->i][0] != '-')
			topic = c->argv[c->i++];
		else if (!cli_common(c))
			cli_unknown(c);
	}
	if (c->err.code)
		return c->err.code;
	if (all) {
		help_overview();
		for (k = cli_commands(); k->name; k++)
			printf("\n== mlasim %s ==\n%s", k->name, k->usage);
		printf("\n== mlasim help models ==\n%s", help_models);
		return 0;
	}
	if (!topic) {
		help_overview();
		return 0;
	}
	if (strcmp(topic, "models") == 0) {
		fputs(help_models, stdout);
		return 0;
	}
	k = cli_find(topic);
	if (!k)
		return err_set(&c->err, EXIT_USAGE, "no command or topic '%s' ('mlasim help' lists them; topics: models)", topic);
	fputs(k->usage, stdout);
	return 0;
}
