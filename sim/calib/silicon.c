/* silicon.c - aiconfigurator silicon-sample rows, read and mapped; see silicon.h */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csv.h"
#include "ixrecipe.h"
#include "silicon.h"

/* ---- CSV: records split by reports/csv.h (RFC 4180, the CSV reader of 'chart --from') ---- */

#define SILICON_MAX_COLS 64

/*
 * The next record of the text at *p into a new NUL-terminated string (the
 * caller frees), its line break dropped and *p past it; a quoted field may
 * span lines, *lines counts them.  NULL at the end of the text, or when out
 * of memory (*oom set).
 */
static char *silicon_next(const char **p, int *lines, int *oom)
{
	const char *s = *p, *end;
	size_t len;
	char *r;

	*oom = 0;
	if (!*s)
		return NULL;
	end = s;
	for (;;) {
		end += strcspn(end, "\n");
		len = (size_t)(end - s);
		r = malloc(len + 1);
		if (!r) {
			*oom = 1;
			return NULL;
		}
		memcpy(r, s, len);
		r[len] = 0;
		(*lines)++;
		if (!*end || !csv_record_open(r))
			break;
		free(r);
		end++;   /* the line break inside a quoted field */
	}
	*p = *end ? end + 1 : end;
	if (len && r[len - 1] == '\r')
		r[len - 1] = 0;
	return r;
}

/* Where each field of a row goes: a string of `size` bytes or a double. */
struct silicon_col {
	const char *name;
	size_t off;
	size_t size;               /* 0: a number */
	int required;
};

#define S(f, req) {#f, offsetof(struct silicon_row, f), sizeof(((struct silicon_row *)0)->f), req}
#define N(name, f, req) {name, offsetof(struct silicon_row, f), 0, req}
#define POOL(pfx, pool, req) \
	N(pfx "batch_size", pool.batch, req), N(pfx "tp_size", pool.tp, req), \
	N(pfx "pp_size", pool.pp, req), N(pfx "attention_dp_size", pool.dp, 0), \
	N(pfx "moe_tp_size", pool.moe_tp, 0), N(pfx "moe_ep_size", pool.ep, 0)

static const struct silicon_col silicon_cols[] = {
	S(id, 1), {"silicon_data_source", offsetof(struct silicon_row, source),
		   sizeof(((struct silicon_row *)0)->source), 0},
	S(backend, 1), {"backend_version", offsetof(struct silicon_row, version),
				  sizeof(((struct silicon_row *)0)->version), 0},
	S(model_path, 1), S(system, 1), S(precision, 0), S(mode, 1),
	{"gemm_quant_mode", offsetof(struct silicon_row, gemm), sizeof(((struct silicon_row *)0)->gemm), 0},
	{"moe_quant_mode", offsetof(struct silicon_row, moe), sizeof(((struct silicon_row *)0)->moe), 0},
	N("isl", isl, 1), N("osl", osl, 1),
	POOL("", agg, 1), POOL("prefill_", prefill, 0), POOL("decode_", decode, 0),
	N("prefill_num_workers", prefill.workers, 0), N("decode_num_workers", decode.workers, 0),
	N("silicon_ttft_ms", ttft_ms, 1), N("silicon_tpot_ms", tpot_ms, 1),
	{NULL, 0, 0, 0},
};

/* A number cell: empty is NAN; anything strtod does not take whole is an error. */
static int silicon_number(const char *cell, double *v)
{
	char *end;

	if (!*cell) {
		*v = NAN;
		return 0;
	}
	*v = strtod(cell, &end);
	return *end || !isfinite(*v) ? -1 : 0;
}

/* The field of row r that number column c (c->size 0) fills. */
static double *silicon_num_field(struct silicon_row *r, const struct silicon_col *c)
{
	/* cppcheck-suppress invalidPointerCast ; a double field, found by its offsetof */
	return (double *)((char *)r + c->off);
}

static void silicon_blank(struct silicon_row *r)
{
	const struct silicon_col *c;

	memset(r, 0, sizeof *r);
	for (c = silicon_cols; c->name; c++)
		if (!c->size)
			*silicon_num_field(r, c) = NAN;
}

/* The header: map[i] is the silicon_cols entry of column i, or -1. */
static int silicon_header(char *line, const char *path, int *map, int *ncols, struct err *e)
{
	char *f[SILICON_MAX_COLS];
	int seen[sizeof silicon_cols / sizeof silicon_cols[0]] = {0};
	int i, j;

	*ncols = csv_split(line, f, SILICON_MAX_COLS);
	if (*ncols == -1)
		return err_set(e, EXIT_INPUT, "%s: line 1: a quote is left open", path);
	if (*ncols < 0)
		return err_set(e, EXIT_INPUT, "%s: line 1: more than %d columns: not a silicon sample",
			       path, SILICON_MAX_COLS);
	for (i = 0; i < *ncols; i++) {
		map[i] = -1;
		for (j = 0; silicon_cols[j].name; j++)
			if (strcmp(f[i], silicon_cols[j].name) == 0 && !seen[j]) {
				map[i] = j;
				seen[j] = 1;
			}
	}
	for (j = 0; silicon_cols[j].name; j++)
		if (silicon_cols[j].required && !seen[j])
			return err_set(e, EXIT_INPUT,
				       "%s: line 1: no '%s' column: not aiconfigurator's silicon-sample format",
				       path, silicon_cols[j].name);
	return 0;
}

/* One record (line `line` of the file) into r; returns 0, or the error. */
static int silicon_record(char *rec, const char *path, int line, const int *map, int ncols,
			  struct silicon_row *r, struct err *e)
{
	char *f[SILICON_MAX_COLS];
	int i, n = csv_split(rec, f, ncols);

	if (n == -1)
		return err_set(e, EXIT_INPUT, "%s: line %d: a quote is left open", path, line);
	if (n < 0)
		return err_set(e, EXIT_INPUT, "%s: line %d: more fields than the header's %d", path, line, ncols);
	silicon_blank(r);
	r->line = line;
	for (i = 0; i < n; i++) {
		const struct silicon_col *c;

		if (map[i] < 0)
			continue;
		c = &silicon_cols[map[i]];
		if (c->size) {
			if (strlen(f[i]) >= c->size)
				return err_set(e, EXIT_INPUT, "%s: line %d: column '%s' is longer than %zu characters",
					       path, line, c->name, c->size - 1);
			snprintf((char *)r + c->off, c->size, "%s", f[i]);
		} else if (silicon_number(f[i], silicon_num_field(r, c))) {
			return err_set(e, EXIT_INPUT, "%s: line %d: column '%s' must be a number, got '%.40s'",
				       path, line, c->name, f[i]);
		}
	}
	return 0;
}

static void silicon_recipe_fill(struct silicon_row *r);

int silicon_parse(const char *text, const char *path, struct silicon_row **rows, int *n,
		  struct err *e)
{
	const char *p = text;
	int map[SILICON_MAX_COLS], ncols, cap = 0, lines = 0, oom, rc = 0;
	struct silicon_row *out = NULL;
	char *rec;

	*rows = NULL;
	*n = 0;
	if (!(rec = silicon_next(&p, &lines, &oom)))
		return oom ? err_set(e, EXIT_ENV, "out of memory reading %s", path) :
			     err_set(e, EXIT_INPUT, "%s: empty: not a silicon sample", path);
	rc = silicon_header(rec, path, map, &ncols, e);
	free(rec);
	while (!rc) {
		int line = lines + 1;

		if (!(rec = silicon_next(&p, &lines, &oom))) {
			if (oom)
				rc = err_set(e, EXIT_ENV, "out of memory reading %s", path);
			break;
		}
		if (!*rec) {             /* a blank line */
			free(rec);
			continue;
		}
		if (*n == SILICON_MAX_ROWS) {
			rc = err_set(e, EXIT_INPUT, "%s: more than %d rows", path, SILICON_MAX_ROWS);
		} else if (*n == cap) {
			struct silicon_row *g;

			cap = cap ? 2 * cap : 256;
			if (!(g = realloc(out, (size_t)cap * sizeof *out)))
				rc = err_set(e, EXIT_ENV, "out of memory reading %s", path);
			else
				out = g;
		}
		if (!rc && !(rc = silicon_record(rec, path, line, map, ncols, &out[*n], e)))
			silicon_recipe_fill(&out[(*n)++]);
		free(rec);
	}
	if (rc) {
		free(out);
		*n = 0;
		return rc;
	}
	*rows = out;
	return 0;
}

/* ---- mapping ------------------------------------------------------------------- */

struct silicon_name { const char *from, *to; };

/* HuggingFace ids of the sample to bundled model cards (an -FP8 / -NVFP4
 * checkpoint is its base model; the quant modes give the formats). */
static const struct silicon_name silicon_models[] = {
	{"deepseek-ai/DeepSeek-R1", "deepseek-v3"}, {"deepseek-ai/DeepSeek-V3", "deepseek-v3"},
	{"nvidia/DeepSeek-R1-NVFP4", "deepseek-v3"}, {"nvidia/DeepSeek-V3.1-NVFP4", "deepseek-v3"},
	{"MiniMaxAI/MiniMax-M2.5", "minimax-m2.5"}, {"openai/gpt-oss-120b", "gpt-oss-120b"},
	{"meta-llama/Llama-3.1-70B", "llama-3.1-70b"}, {"meta-llama/Llama-3.1-8B-Instruct", "llama-3.1-8b"},
	{"nvidia/Llama-3.1-8B-Instruct-FP8", "llama-3.1-8b"}, {"Qwen/Qwen3-32B", "qwen3-32b"},
	{"nvidia/Qwen3-32B-NVFP4", "qwen3-32b"}, {"Qwen/Qwen3.5-397B-A17B", "qwen3.5-397b-a17b"},
	{"moonshotai/Kimi-K2.5", "kimi-k2.5"}, {"Qwen/Qwen3-235B-A22B-FP8", "qwen3-235b-a22b"},
	{"Qwen/Qwen3-235B-A22B", "qwen3-235b-a22b"}, {"zhipuai/GLM-5", "glm-5"},
	{NULL, NULL},
};

/* Models whose rows run their checkpoint's own formats where the sample
 * writes nvfp4 for both quant modes: openai/gpt-oss ships MXFP4 experts
 * beside BF16 attention, router, embedding and head (its config.json,
 * quantization_config: quant_method mxfp4, modules_to_not_convert
 * model.layers.*.self_attn, ...mlp.router, model.embed_tokens, lm_head),
 * the only gpt-oss checkpoint InferenceX serves; the sample's quant columns
 * have no mxfp4, and nvfp4 would price its attention in FP4. */
static const char *const silicon_shipped[] = {"openai/gpt-oss-120b", "openai/gpt-oss-20b", NULL};

/* aiconfigurator's system names to bundled hardware cards. */
static const struct silicon_name silicon_systems[] = {
	{"h100_sxm", "h100-sxm"}, {"h200_sxm", "h200-sxm"}, {"b200_sxm", "b200"},
	{"b300_sxm", "b300"}, {"gb200", "gb200-nvl72"}, {"gb300", "gb300-nvl72"},
	{NULL, NULL},
};

/* The systems that are one HGX node of 8 GPUs (the hardware cards' node). */
static const char *const silicon_hgx[] = {"h100_sxm", "h200_sxm", "b200_sxm", "b300_sxm", NULL};

/*
 * The benchmarks recognised by their silicon_data_source.  InferenceX
 * (SemiAnalysis, formerly InferenceMAX) rows come as "db-dump/DATE; ..."
 * or "source_file=DATE.csv; ...": its runs draw input and output lengths
 * uniformly in [0.8 L, L] (.github/workflows/benchmark-tmpl.yml,
 * RANDOM_RANGE_RATIO 0.8; utils/bench_serving/benchmark_serving.py,
 * sample_random_requests: numpy randint(int(L * ratio), L + 1)), at
 * github.com/SemiAnalysisAI/InferenceX commit 843c6254ff69.  (Its scripts
 * also send 10 x CONC prompts at CONC in flight; the engine cards' fitted
 * benchmark.waves is what TTFT makes of that, engines/README.md.)
 */
static const struct silicon_bench silicon_benches[] = {
	{"InferenceX", 0.8,
	 "github.com/SemiAnalysisAI/InferenceX@843c6254ff69: .github/workflows/benchmark-tmpl.yml RANDOM_RANGE_RATIO 0.8"},
};

/* Does s start with "YYYY-MM-DD"? */
static int silicon_dated(const char *s)
{
	int i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !(s[i] >= '0' && s[i] <= '9'))
			return 0;
	return 1;
}

const struct silicon_bench *silicon_bench_of(const struct silicon_row *r)
{
	const char *s = r->source;

	if ((strncmp(s, "db-dump/", 8) == 0 && silicon_dated(s + 8)) ||
	    (strncmp(s, "source_file=", 12) == 0 && silicon_dated(s + 12) && strncmp(s + 22, ".csv;", 5) == 0))
		return &silicon_benches[0];
	return NULL;
}

/*
 * Deployments InferenceX ran with speculative decoding (MTP, EAGLE) whose
 * rows the sample does not mark: each (model, system, backend, precision)
 * ran the image tag here only in its "-mtp" configs, while the same key
 * without MTP ran another tag (1.2.0rc6.post2; v0.5.8.post1-cu130-runtime;
 * v0.5.9-cu129-amd64 and v0.5.9-cu130-amd64).  The runs' draft acceptance is not
 * published, and depends on the prompts (InferenceX sends MTP runs chat-
 * templated ones: "Raw random tokens tank spec-decode acceptance",
 * SemiAnalysisAI/InferenceX@843c6254ff69:.claude/commands/add-model-hardware.md),
 * so such a row's TPOT cannot be predicted; it is skipped.  Each line names the commit of
 * .github/configs/nvidia-master.yaml that shows it
 * (github.com/SemiAnalysisAI/InferenceX).
 */
static const struct silicon_spec {
	const char *model, *system, *backend, *precision, *tag;
	const char *reason;        /* the skip reason, naming the config and commit */
} silicon_specs[] = {
	{"deepseek-ai/DeepSeek-R1", "b200_sxm", "trtllm", "fp8", "1.2.0rc6.post3",
	 "speculative-decoding run: its image ran only as dsr1-fp8-b200-trt-mtp (InferenceX@5d517074c122)"},
	{"deepseek-ai/DeepSeek-R1", "b200_sxm", "trtllm", "fp4", "1.2.0rc6.post3",
	 "speculative-decoding run: its image ran only as dsr1-fp4-b200-trt-mtp (InferenceX@0aae52d4ced7)"},
	{"deepseek-ai/DeepSeek-R1", "b200_sxm", "sglang", "fp4", "v0.5.8.post1-cu130",
	 "speculative-decoding run: its image ran only as dsr1-fp4-b200-dynamo-sglang-mtp (InferenceX@84b7df6837bc)"},
	{"Qwen/Qwen3.5-397B-A17B", "b200_sxm", "sglang", "fp8", "v0.5.9-cu130",
	 "speculative-decoding run: its image ran only as qwen3.5-fp8-b200-sglang-mtp (InferenceX@35d4bb3679f4)"},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

/* An empty or zero size is 1 (the sample leaves attention_dp and moe_ep blank). */
static double silicon_size(double v)
{
	return isnan(v) || v < 1 ? 1 : v;
}

/*
 * An aggregated InferenceX row on more GPUs than one GB200 or GB300 NVL72
 * compute tray holds (4: hw/gb200-nvl72.json node.gpus) is a disaggregated
 * run: InferenceX ran those racks only through Dynamo's disaggregated
 * scripts (frameworks dynamo-trtllm and dynamo-sglang, submit_disagg.sh:
 * .github/workflows/gb200-tests.yml and runners/launch_gb200-nv.sh at
 * SemiAnalysisAI/InferenceX@97f253b51), and the sample records the
 * run's GPU count as tp_size without its pools.
 */
static int silicon_rack_agg(const struct silicon_row *r)
{
	double gpus = r->agg.tp * silicon_size(r->agg.dp) * silicon_size(r->agg.pp);

	return strcmp(r->mode, "agg") == 0 && silicon_bench_of(r) &&
	       (strcmp(r->system, "gb200") == 0 || strcmp(r->system, "gb300") == 0) && gpus > 4;
}

/* The concurrency row r's silicon_data_source names ("silicon_concurrency=N",
 * N decimal digits ending the field: the benchmark client's), or 0. */
static double silicon_concurrency(const struct silicon_row *r)
{
	const char *c = strstr(r->source, "silicon_concurrency="), *p;
	double n = 0;

	if (!c)
		return 0;
	for (p = c + 20; *p >= '0' && *p <= '9' && n < 1e9; p++)
		n = 10 * n + (*p - '0');
	return p == c + 20 || (*p != ';' && *p != '\0') ? 0 : n;
}

/*
 * Whether an aggregated row's silicon_data_source names a concurrency
 * ("silicon_concurrency=N", N decimal digits ending the field: the
 * benchmark client's) other than its columns' batch_size x
 * attention_dp_size.  The sample's rows disagree in ways the row does not
 * tell apart: the client's requests spread over instances it does not
 * record (DeepSeek-V3.1-NVFP4 at batch 56 with 448 in flight, TP 8, planned
 * within 14% at batch 56), a measured TPOT 2-11 times the plan at its
 * batch (Qwen3-32B on GB200 at TP 2, batch 16 with 32 in flight), or the
 * whole concurrency in the batch column (an InferenceX row at attention DP
 * 64, batch 32, silicon_concurrency=32, where its siblings give 1 or 2 per
 * rank).  A field not of digits is ignored.
 */
static int silicon_concurrency_differs(const struct silicon_row *r)
{
	double n = silicon_concurrency(r);

	return strcmp(r->mode, "agg") == 0 && n >= 1 && n != r->agg.batch * silicon_size(r->agg.dp);
}

/*
 * InferenceX runs whose benchmark client did not run at the row's CONC: from
 * d22bf9ca9 (2025-11-21) until 4e135fd3f (2025-12-08, "fix h100 docker
 * error") benchmarks/gptoss_fp4_h100_docker.sh passed --max-concurrency 512
 * to the client whatever CONC, while the server took --max-num-seqs=$CONC
 * and the sweep ran CONC 4 to 64 (.github/configs/nvidia-master.yaml
 * gptoss-fp4-h100-vllm at 4e135fd3f).  The sample records the client's 512;
 * the requests the server ran at once are not in the row.
 */
static const struct silicon_client {
	const char *model, *system, *backend, *since, *until;
	double conc;               /* the client's hard-coded concurrency */
} silicon_clients[] = {
	{"openai/gpt-oss-120b", "h100_sxm", "vllm", "2025-11-21", "2025-12-09", 512},
	{NULL, NULL, NULL, NULL, NULL, 0},
};

/* Is r an InferenceX row measured by a client that ignored its CONC
 * (silicon_clients)? */
static int silicon_client_unknown(const struct silicon_row *r)
{
	const struct silicon_client *k;
	const char *d = strstr(r->source, "measured=");

	if (strcmp(r->mode, "agg") != 0 || !silicon_bench_of(r) || !d || !silicon_dated(d + 9))
		return 0;
	for (k = silicon_clients; k->model; k++)
		if (strcmp(k->model, r->model_path) == 0 && strcmp(k->system, r->system) == 0 &&
		    strcmp(k->backend, r->backend) == 0 && strncmp(d + 9, k->since, 10) >= 0 &&
		    strncmp(d + 9, k->until, 10) < 0 && r->agg.batch == k->conc)
			return 1;
	return 0;
}

/*
 * The image tag in a row's silicon_data_source, into tag[size]: the text
 * after the last ':' of its "image=REPO:TAG" field, or of the last field
 * when that is "REPO:TAG" (InferenceX's db-dump rows).  "" when there is none.
 */
static void silicon_image_tag(const char *source, char *tag, size_t size)
{
	const char *f = strstr(source, "image="), *end, *colon;

	tag[0] = '\0';
	if (f)
		f += 6;
	else if ((f = strrchr(source, ';')))
		f++;
	else
		return;
	while (*f == ' ')
		f++;
	for (end = f; *end && *end != ';' && *end != ' '; end++)
		;
	for (colon = end; colon > f && colon[-1] != ':'; colon--)
		;
	if (colon == f || (size_t)(end - colon) >= size)
		return;
	memcpy(tag, colon, (size_t)(end - colon));
	tag[end - colon] = '\0';
}

/* The speculative-decoding deployment row r comes from, or NULL. */
static const struct silicon_spec *silicon_spec_of(const struct silicon_row *r)
{
	const struct silicon_spec *k;
	char tag[64];

	silicon_image_tag(r->source, tag, sizeof tag);
	for (k = silicon_specs; k->model && *tag; k++)
		if (strcmp(k->model, r->model_path) == 0 && strcmp(k->system, r->system) == 0 &&
		    strcmp(k->backend, r->backend) == 0 && strcmp(k->precision, r->precision) == 0 &&
		    strcmp(k->tag, tag) == 0)
			return k;
	return NULL;
}

/*
 * InferenceX's benchmark warms the server up with 2 x CONC requests before
 * it measures since SemiAnalysisAI/InferenceX#480 (commit d053ae24ea30,
 * merged 2026-01-21: benchmarks/benchmark_lib.sh --num-warmups); a run
 * measured before it timed its first wave on a cold server.
 */
const char *silicon_warmup(const struct silicon_row *r)
{
	const char *d = strstr(r->source, "measured=");

	if (!silicon_bench_of(r))
		return "not InferenceX";
	if (!d || !silicon_dated(d + 9))
		return "InferenceX, undated";
	return strncmp(d + 9, "2026-01-22", 10) >= 0 ? "InferenceX, warmed up" :
	       "InferenceX, no warm-up";
}

/*
 * InferenceX's SGLang recipes poll for new requests every 10 or 30 decode
 * steps (--scheduler-recv-interval; SGLang's default is every step), by
 * script, tensor parallelism and CONC: the first rule that matches a row's
 * model, system, precision, TP and concurrency, measured on or after the
 * day (UTC) the commit that set it landed, gives its interval.  Each line names the commit
 * of github.com/SemiAnalysisAI/InferenceX that set it (benchmarks/, the
 * script named); they held to the sample's last date, 2026-04-27.  SGLang
 * refused the interval with DP attention (SchedulerRecvSkipper asserts
 * not enable_dp_attention, sgl-project/sglang@70310f05:
 * python/sglang/srt/managers/scheduler_recv_skipper.py), which no such row
 * uses.
 */
static const struct silicon_recv {
	const char *models;        /* model_path, or two joined by '|' */
	const char *system, *precision, *since;
	double tp;                 /* 0: any */
	double conc_min, interval;
} silicon_recvs[] = {
	/* dsr1_fp8_b200.sh: TP 4 at 10 from 1d29967c4; CONC >= 16 at 30, else 10 from 6be2c6997 */
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b200_sxm", "fp8", "2026-01-13", 4, 0, 10},
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b200_sxm", "fp8", "2025-09-23", 0, 16, 30},
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b200_sxm", "fp8", "2025-09-23", 0, 0, 10},
	/* dsr1_fp4_b200.sh: from 27f29acbe */
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b200_sxm", "fp4", "2025-09-22", 0, 16, 30},
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b200_sxm", "fp4", "2025-09-22", 0, 0, 10},
	/* dsr1_fp8_b300.sh (5b302f147), dsr1_fp4_b300.sh (9ebeafb4e) */
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b300_sxm", "fp8", "2026-04-17", 4, 0, 10},
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b300_sxm", "fp8", "2026-04-17", 0, 16, 30},
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b300_sxm", "fp8", "2026-04-17", 0, 0, 10},
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b300_sxm", "fp4", "2026-04-17", 0, 16, 30},
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b300_sxm", "fp4", "2026-04-17", 0, 0, 10},
	/* qwen3.5_bf16_b200.sh (9dc87a68c), _fp8_b200 (efd49e50b), _fp4_b200 (48d35c480),
	 * _fp4_b300 (8acbd08b7), _bf16_b300 (32274d6c1); qwen3.5_fp8_b300.sh at 10 (c0f62a2ef) */
	{"Qwen/Qwen3.5-397B-A17B", "b200_sxm", "bf16", "2026-02-20", 0, 16, 30},
	{"Qwen/Qwen3.5-397B-A17B", "b200_sxm", "bf16", "2026-02-20", 0, 0, 10},
	{"Qwen/Qwen3.5-397B-A17B", "b200_sxm", "fp8", "2026-03-03", 0, 16, 30},
	{"Qwen/Qwen3.5-397B-A17B", "b200_sxm", "fp8", "2026-03-03", 0, 0, 10},
	{"Qwen/Qwen3.5-397B-A17B", "b200_sxm", "fp4", "2026-04-08", 0, 16, 30},
	{"Qwen/Qwen3.5-397B-A17B", "b200_sxm", "fp4", "2026-04-08", 0, 0, 10},
	{"Qwen/Qwen3.5-397B-A17B", "b300_sxm", "fp4", "2026-04-18", 0, 16, 30},
	{"Qwen/Qwen3.5-397B-A17B", "b300_sxm", "fp4", "2026-04-18", 0, 0, 10},
	{"Qwen/Qwen3.5-397B-A17B", "b300_sxm", "bf16", "2026-04-18", 0, 16, 30},
	{"Qwen/Qwen3.5-397B-A17B", "b300_sxm", "bf16", "2026-04-18", 0, 0, 10},
	{"Qwen/Qwen3.5-397B-A17B", "b300_sxm", "fp8", "2026-04-17", 0, 0, 10},
	/* glm5_fp4_b200.sh at 10 from 475cc1dbc */
	{"zhipuai/GLM-5", "b200_sxm", "fp4", "2026-04-09", 0, 0, 10},
	{NULL, NULL, NULL, NULL, 0, 0, 0},
};

/* Is `model` one of the '|'-joined names in `list`? */
static int silicon_listed(const char *list, const char *model)
{
	size_t n = strlen(model);
	const char *s;

	if (n == 0)
		return 0;
	for (s = list; (s = strstr(s, model)); s += n)
		if ((s == list || s[-1] == '|') && (s[n] == '\0' || s[n] == '|'))
			return 1;
	return 0;
}

/*
 * The scheduler's poll interval of an aggregated SGLang InferenceX row at
 * tensor parallelism tp, attention DP dp and `conc` requests in flight, as
 * read (silicon_recvs); 1 where no rule matches.
 */
static double silicon_recv_interval(const struct silicon_row *r, double tp, double dp, double conc)
{
	const struct silicon_recv *k;
	const char *d = strstr(r->source, "measured=");

	if (strcmp(r->backend, "sglang") != 0 || strcmp(r->mode, "agg") != 0 || dp > 1 ||
	    !silicon_bench_of(r) || !d || !silicon_dated(d + 9))
		return 1;
	for (k = silicon_recvs; k->models; k++)
		if (silicon_listed(k->models, r->model_path) && strcmp(k->system, r->system) == 0 &&
		    strcmp(k->precision, r->precision) == 0 && strncmp(d + 9, k->since, 10) >= 0 &&
		    (k->tp == 0 || k->tp == tp) && conc >= k->conc_min)
			return k->interval;
	return 1;
}

/*
 * InferenceX's SGLang recipes that set --mem-fraction-static where the
 * share decides what the KV cache holds: the first rule that matches a
 * row's model, system, precision and TP, measured on or after the day the
 * commit of github.com/SemiAnalysisAI/InferenceX that set it landed, gives
 * the share of the GPU's memory for weights and KV (--mem-fraction).
 */
static const struct silicon_mem {
	const char *models, *system, *precision, *since;
	double tp, fraction;
} silicon_mems[] = {
	/* dsr1_fp8_b200.sh: TP 8 at 0.82 (425f74d51, dsr1_fp8_b200_docker.sh), TP 4
	 * (8k/1k only) at 0.95 from 1d29967c4; dsr1_fp8_b300.sh the same from 5b302f147 */
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b200_sxm", "fp8", "2026-01-13", 4, 0.95},
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b200_sxm", "fp8", "2025-09-12", 8, 0.82},
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b300_sxm", "fp8", "2026-04-17", 4, 0.95},
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b300_sxm", "fp8", "2026-04-17", 8, 0.82},
	{NULL, NULL, NULL, NULL, 0, 0},
};

/* The memory share of an aggregated SGLang InferenceX row at tensor
 * parallelism tp, as read (silicon_mems); 0 where no rule matches. */
static double silicon_mem_fraction(const struct silicon_row *r, double tp)
{
	const struct silicon_mem *k;
	const char *d = strstr(r->source, "measured=");

	if (strcmp(r->backend, "sglang") != 0 || strcmp(r->mode, "agg") != 0 || !silicon_bench_of(r) || !d ||
	    !silicon_dated(d + 9))
		return 0;
	for (k = silicon_mems; k->models; k++)
		if (silicon_listed(k->models, r->model_path) && strcmp(k->system, r->system) == 0 &&
		    strcmp(k->precision, r->precision) == 0 && strncmp(d + 9, k->since, 10) >= 0 && k->tp == tp)
			return k->fraction;
	return 0;
}

/*
 * InferenceX's TensorRT-LLM recipes that set batch waiting
 * (batch_wait_timeout_iters, batch_wait_max_tokens_ratio: serve.h) or a
 * step budget of their own (trtllm-serve --max_num_tokens), by script: the
 * first rule that matches a row's model, system, precision, nominal
 * lengths (0: any), TP (below tp_below; 0: any) and concurrency, measured
 * from `since` to `until` (UTC days, the script's life), gives its
 * settings.  Each line names the commit of
 * github.com/SemiAnalysisAI/InferenceX that set them (benchmarks/, the
 * script named).  TensorRT-LLM skips batch waiting with attention DP
 * (PyExecutor._schedule), as the plan does.
 */
static const struct silicon_wait {
	const char *models, *system, *precision, *since, *until;
	double isl, osl, tp_below, conc_min;
	double iters, ratio, max_num_tokens;     /* 0: none set */
} silicon_waits[] = {
	/* 70b_fp8_b200_trt_*.sh, 70b_fp4_b200_trt_*.sh, 70b_fp8_h200_trt_slurm.sh: 1k/1k below TP 8
	 * holds 20 steps or 0.9 of 16384 tokens, every run --max_num_tokens 16384, from 1b563c858
	 * (abfac0389 for the docker scripts) until they were removed, 2582bce40 */
	{"meta-llama/Llama-3.1-70B", "b200_sxm", "fp8", "2025-09-18", "2025-10-30", 1024, 1024, 8, 0, 20, 0.9, 16384},
	{"meta-llama/Llama-3.1-70B", "b200_sxm", "fp4", "2025-09-18", "2025-10-30", 1024, 1024, 8, 0, 20, 0.9, 16384},
	{"meta-llama/Llama-3.1-70B", "h200_sxm", "fp8", "2025-09-18", "2025-10-30", 1024, 1024, 8, 0, 20, 0.9, 16384},
	{"meta-llama/Llama-3.1-70B", "b200_sxm", "fp8", "2025-09-18", "2025-10-30", 0, 0, 0, 0, 0, 0, 16384},
	{"meta-llama/Llama-3.1-70B", "b200_sxm", "fp4", "2025-09-18", "2025-10-30", 0, 0, 0, 0, 0, 0, 16384},
	{"meta-llama/Llama-3.1-70B", "h200_sxm", "fp8", "2025-09-18", "2025-10-30", 0, 0, 0, 0, 0, 0, 16384},
	/* dsr1_fp8_b200_trt.sh: 1k/1k from CONC 64 holds 40 steps or 0.8 of 8192 tokens, from ec7bafaae */
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b200_sxm", "fp8", "2026-01-29", "9999-12-31", 1024, 1024,
	 0, 64, 40, 0.8, 8192},
	{NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, 0},
};

/* The batch-waiting rule of an aggregated TensorRT-LLM InferenceX row at
 * tensor parallelism tp and `conc` requests in flight (silicon_waits), or
 * NULL where none matches. */
static const struct silicon_wait *silicon_wait_of(const struct silicon_row *r, double tp, double conc)
{
	const struct silicon_wait *k;
	const char *d = strstr(r->source, "measured=");

	if (strcmp(r->backend, "trtllm") != 0 || strcmp(r->mode, "agg") != 0 || !silicon_bench_of(r) || !d ||
	    !silicon_dated(d + 9))
		return NULL;
	for (k = silicon_waits; k->models; k++)
		if (silicon_listed(k->models, r->model_path) && strcmp(k->system, r->system) == 0 &&
		    strcmp(k->precision, r->precision) == 0 && strncmp(d + 9, k->since, 10) >= 0 &&
		    strncmp(d + 9, k->until, 10) < 0 && (k->isl == 0 || k->isl == r->isl) &&
		    (k->osl == 0 || k->osl == r->osl) && (k->tp_below == 0 || tp < k->tp_below) &&
		    conc >= k->conc_min)
			return k;
	return NULL;
}


/*
 * InferenceX's aggregated recipes that set the engine's step budget where
 * it differs from the engine card's default (scheduler.max_num_tokens):
 * vLLM's --max-num-batched-tokens, the smaller of SGLang's
 * --max-prefill-tokens and --chunked-prefill-size (its PrefillAdder spends
 * every prompt's tokens from both and stops at either: schedule_policy.py,
 * _update_prefill_budget and budget_state, github.com/sgl-project/sglang;
 * --max-prefill-tokens defaults to 16384), TensorRT-LLM's --max_num_tokens.
 * The first rule that matches a row's model, system, precision ("": any),
 * engine and TP (0: any), measured on or after the UTC day the commit of
 * github.com/SemiAnalysisAI/InferenceX named beside it landed
 * (benchmarks/, the script named), gives the budget: per_isl x the row's
 * nominal prompt length; with conc_isl, the recipe's CONC + ISL + 64
 * rounded up to 64 tokens, at least `tokens`; else `tokens`.  Rules are
 * ordered latest first within a script; a run measured on its pull
 * request's branch before the script landed keeps the card's default.
 * SGLang shares its chunk among attention-DP ranks, so its rules hold
 * without attention DP only (the sample has no such row with DP).
 */
static const struct silicon_budget {
	const char *models, *system, *precision, *backend, *since;
	double tp;
	double per_isl, tokens;
	int conc_isl;
} silicon_budgets[] = {
	/* minimaxm2.5_fp8_b200.sh (bddbf4031), _fp4_b200 (79bd988e9), _fp8_b300 (340d7854c),
	 * _fp4_b300 (22d0f12f7), kimik2.5_fp4_b200.sh (6c3acebfa): --max-num-batched-tokens
	 * "$((ISL * 2 ))" */
	{"MiniMaxAI/MiniMax-M2.5", "b200_sxm", "fp8", "vllm", "2026-04-03", 0, 2, 0, 0},
	{"MiniMaxAI/MiniMax-M2.5", "b200_sxm", "fp4", "vllm", "2026-04-08", 0, 2, 0, 0},
	{"MiniMaxAI/MiniMax-M2.5", "b300_sxm", "", "vllm", "2026-04-17", 0, 2, 0, 0},
	{"moonshotai/Kimi-K2.5", "b200_sxm", "fp4", "vllm", "2026-04-20", 0, 2, 0, 0},
	/* dsr1_fp8_b200.sh: 32768 (5118d2139), TP 4 at 8192 from 1d29967c4; dsr1_fp8_b300.sh the
	 * same (5b302f147); dsr1_fp8_h200_slurm.sh: 32768 (e617b3e63); the fp4 scripts' chunks of
	 * 16384 are the default */
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b200_sxm", "fp8", "sglang", "2026-01-13", 4, 0, 8192, 0},
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b200_sxm", "fp8", "sglang", "2025-08-25", 0, 0, 32768, 0},
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b300_sxm", "fp8", "sglang", "2026-04-17", 4, 0, 8192, 0},
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b300_sxm", "fp8", "sglang", "2026-04-17", 0, 0, 32768, 0},
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "h200_sxm", "fp8", "sglang", "2025-09-19", 0, 0, 32768, 0},
	/* glm5_fp8_b200.sh (13930ca61), glm5_fp4_b200.sh from 475cc1dbc (before it, chunks of
	 * 131072 and the default 16384 prefill tokens: d43805fc3), glm5_fp8_b300.sh (6c66a00d9),
	 * glm5_fp4_b300.sh (37120e65c) */
	{"zhipuai/GLM-5", "b200_sxm", "fp8", "sglang", "2026-03-20", 0, 0, 32768, 0},
	{"zhipuai/GLM-5", "b200_sxm", "fp4", "sglang", "2026-04-09", 0, 0, 32768, 0},
	{"zhipuai/GLM-5", "b300_sxm", "", "sglang", "2026-04-17", 0, 0, 32768, 0},
	/* qwen3.5_fp8_b200.sh 32768 (efd49e50b) until 16384 (515294190); _fp4_b200 32768
	 * (48d35c480) until 16384 (9189c1884); _bf16_b200 32768 (9dc87a68c); _fp8_h200
	 * --chunked-prefill-size 16384 (f65d6b4b1); _fp4_b300 (8acbd08b7) and _bf16_b300
	 * (32274d6c1) 32768 */
	{"Qwen/Qwen3.5-397B-A17B", "b200_sxm", "fp8", "sglang", "2026-04-30", 0, 0, 16384, 0},
	{"Qwen/Qwen3.5-397B-A17B", "b200_sxm", "fp8", "sglang", "2026-03-03", 0, 0, 32768, 0},
	{"Qwen/Qwen3.5-397B-A17B", "b200_sxm", "fp4", "sglang", "2026-05-01", 0, 0, 16384, 0},
	{"Qwen/Qwen3.5-397B-A17B", "b200_sxm", "fp4", "sglang", "2026-04-08", 0, 0, 32768, 0},
	{"Qwen/Qwen3.5-397B-A17B", "b200_sxm", "bf16", "sglang", "2026-02-20", 0, 0, 32768, 0},
	{"Qwen/Qwen3.5-397B-A17B", "h200_sxm", "fp8", "sglang", "2026-03-04", 0, 0, 16384, 0},
	{"Qwen/Qwen3.5-397B-A17B", "b300_sxm", "fp4", "sglang", "2026-04-18", 0, 0, 32768, 0},
	{"Qwen/Qwen3.5-397B-A17B", "b300_sxm", "bf16", "sglang", "2026-04-18", 0, 0, 32768, 0},
	/* gptoss_fp4_h200_trt_slurm.sh (551d81e95), gptoss_fp4_b200_trt_slurm.sh (28e5a01ea): 20000 */
	{"openai/gpt-oss-120b", "h200_sxm", "", "trtllm", "2025-09-15", 0, 0, 20000, 0},
	{"openai/gpt-oss-120b", "b200_sxm", "", "trtllm", "2025-09-19", 0, 0, 20000, 0},
	/* dsr1_fp8_b200_trt_slurm.sh, dsr1_fp4_b200_trt_slurm.sh, dsr1_fp8_h200_trt_slurm.sh:
	 * MAX_NUM_TOKENS=$(( ($CONC+$ISL+64+63)/64*64 )) (ec90f3fe7), at least 8192 from 64af5a771 */
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b200_sxm", "", "trtllm", "2026-01-21", 0, 0, 8192, 1},
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "b200_sxm", "", "trtllm", "2025-09-18", 0, 0, 0, 1},
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "h200_sxm", "fp8", "trtllm", "2026-01-21", 0, 0, 8192, 1},
	{"deepseek-ai/DeepSeek-R1|deepseek-ai/DeepSeek-V3", "h200_sxm", "fp8", "trtllm", "2025-09-18", 0, 0, 0, 1},
	{NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0},
};

/* The step budget of an aggregated InferenceX row at tensor parallelism tp,
 * attention DP dp and `conc` requests in flight as its recipe set it
 * (silicon_budgets), in tokens; 0 where no rule matches. */
static double silicon_budget_of(const struct silicon_row *r, double tp, double dp, double conc)
{
	const struct silicon_budget *k;
	const char *d = strstr(r->source, "measured=");

	if (strcmp(r->mode, "agg") != 0 || !silicon_bench_of(r) || !d || !silicon_dated(d + 9))
		return 0;
	for (k = silicon_budgets; k->models; k++) {
		if (!silicon_listed(k->models, r->model_path) || strcmp(k->system, r->system) != 0 ||
		    (*k->precision && strcmp(k->precision, r->precision) != 0) ||
		    strcmp(k->backend, r->backend) != 0 || strncmp(d + 9, k->since, 10) < 0 ||
		    (k->tp != 0 && k->tp != tp) || (dp > 1 && strcmp(k->backend, "sglang") == 0))
			continue;
		if (k->per_isl > 0)
			return k->per_isl * r->isl;
		if (k->conc_isl)
			return fmax(k->tokens, ceil((conc + r->isl + 64) / 64) * 64);
		return k->tokens;
	}
	return 0;
}

/* aiconfigurator's gemm/moe quant modes to mlasim weight formats ("" keeps the checkpoint's). */
static const struct silicon_name silicon_quants[] = {
	{"fp8", "fp8"}, {"fp8_block", "fp8-block"}, {"nvfp4", "nvfp4"}, {"int4_wo", "int4"},
	{"bf16", "bf16"}, {"float16", "fp16"}, {"", ""},
	{NULL, NULL},
};

static const char *silicon_lookup(const struct silicon_name *t, const char *from)
{
	for (; t->from; t++)
		if (strcmp(t->from, from) == 0)
			return t->to;
	return NULL;
}

static void silicon_arg(struct silicon_args *a, const char *opt, const char *value)
{
	if (a->argc + 2 > SILICON_MAX_ARGS)
		return;
	a->argv[a->argc++] = opt;
	a->argv[a->argc++] = value;
}

/* Option opt with v as `fmt` prints it, the text kept in a. */
static void silicon_fmt(struct silicon_args *a, const char *opt, const char *fmt, double v)
{
	char *t = a->text[a->argc / 2];

	snprintf(t, sizeof a->text[0], fmt, v);
	silicon_arg(a, opt, t);
}

/* A whole number. */
static void silicon_num(struct silicon_args *a, const char *opt, double v)
{
	silicon_fmt(a, opt, "%.0f", v);
}

/* A fraction, as %g prints it. */
static void silicon_share(struct silicon_args *a, const char *opt, double v)
{
	silicon_fmt(a, opt, "%g", v);
}

/* The mean of lengths drawn uniformly from the integers in [floor(ratio L), L]. */
static double silicon_mean_length(double L, double ratio)
{
	return floor((floor(ratio * L) + L) / 2 + 0.5);
}

/*
 * An aggregated MoE row on one HGX node whose tp x attention_dp asks for
 * g^2 GPUs (g <= 8, moe_tp x moe_ep = g^2 too): the run had g GPUs and the
 * sample wrote its TP times its EP.  Three forms occur, all with the same
 * requests in flight: tp g^2 (TP g, EP g); attention_dp g^2 (attention DP
 * g, EP g, each rank g times the batch); tp g x attention_dp g with
 * moe_ep g^2 (attention DP g, EP g).  Rewrites the layout and returns how
 * it was read, or NULL (the row as it is).
 */
static const char *silicon_repair(const struct silicon_row *r, double *tp, double *dp, double *ep,
				  double *batch)
{
	double n = *tp * *dp, g = floor(sqrt(n) + 0.5);
	int i;

	for (i = 0; silicon_hgx[i] && strcmp(silicon_hgx[i], r->system) != 0; i++)
		;
	if (!silicon_hgx[i] || n <= 8 || g * g != n || g > 8 || *ep * silicon_size(r->agg.moe_tp) != n)
		return NULL;
	if (*dp == 1) {
		*tp = g;
		*ep = g;
		return "tp_size g^2 read as TP g, EP g on g GPUs";
	}
	if (*tp == 1) {
		*batch *= g;
		*dp = g;
		*ep = g;
		return "attention_dp_size g^2 read as attention DP g, EP g on g GPUs";
	}
	if (*tp == g && *dp == g) {
		*tp = 1;
		*ep = g;
		return "tp_size g x attention_dp_size g read as attention DP g, EP g on g GPUs";
	}
	return NULL;
}

/* Whether row r runs its checkpoint's own formats in place of the sample's
 * quant modes gemm and moe (silicon_shipped). */
static int silicon_own_formats(const struct silicon_row *r, const char *gemm, const char *moe)
{
	int i;

	for (i = 0; silicon_shipped[i] && strcmp(silicon_shipped[i], r->model_path) != 0; i++)
		;
	return silicon_shipped[i] && !strcmp(gemm, "nvfp4") && !strcmp(moe, "nvfp4");
}

const char *silicon_model(const struct silicon_row *r)
{
	return silicon_lookup(silicon_models, r->model_path);
}

const char *silicon_map(const struct silicon_row *r, enum silicon_side s, int is_moe, struct silicon_args *a)
{
	int agg = strcmp(r->mode, "agg") == 0;
	const struct silicon_pool *p = agg ? &r->agg : s == SIDE_PREFILL ? &r->prefill : &r->decode;
	const struct silicon_bench *b;
	const struct silicon_spec *k;
	const char *gemm, *moe;
	const struct silicon_wait *wait;
	double tp, dp, ep, moe_tp, batch, recv, mem, budget, isl = r->isl, osl = r->osl;

	memset(a, 0, sizeof *a);
	if (!agg && strcmp(r->mode, "disagg") != 0)
		return "mode is neither agg nor disagg";
	if (!(a->model = silicon_lookup(silicon_models, r->model_path)))
		return "model not bundled";
	if (!(a->hw = silicon_lookup(silicon_systems, r->system)))
		return "system not bundled";
	if (!(gemm = silicon_lookup(silicon_quants, r->gemm)) || !(moe = silicon_lookup(silicon_quants, r->moe)))
		return "quant mode without an mlasim format";
	if (!(r->isl >= 1) || !(r->osl >= 1))
		return "isl or osl missing";
	if (!(p->tp >= 1))
		return agg ? "tp_size missing" : "disaggregated row without its pool's tp size";
	if (!(p->batch >= 1))
		return agg ? "batch_size missing" : r->unfilled ? r->unfilled :
		       "disaggregated row without batch sizes and worker counts (its concurrency does not split)";
	if (!(r->ttft_ms > 0) || !(r->tpot_ms > 0))
		return "no measured TTFT or TPOT";
	if ((k = silicon_spec_of(r)))
		return k->reason;
	if (silicon_concurrency_differs(r))
		return "the source's silicon_concurrency is not batch_size x attention_dp_size: "
		       "the instances that shared it, or the batch per instance, are not in the row";
	if (silicon_client_unknown(r))
		return "concurrency is the benchmark client's hard-coded 512, not the server's CONC "
		       "(SemiAnalysisAI/InferenceX@4e135fd3f: benchmarks/gptoss_fp4_h100_docker.sh)";
	if (silicon_rack_agg(r))
		return "aggregated row on more GPUs than a GB200/GB300 tray: a disaggregated Dynamo run "
		       "without its pools (SemiAnalysisAI/InferenceX@97f253b51:runners/launch_gb200-nv.sh)";
	tp = p->tp;
	dp = silicon_size(p->dp);
	ep = is_moe ? silicon_size(p->ep) : 1;
	batch = p->batch;
	moe_tp = isnan(p->moe_tp) || !is_moe ? tp * dp / ep : p->moe_tp;
	if (moe_tp * ep != tp * dp)
		return "moe_tp x moe_ep is not tp x attention_dp";
	if (agg && is_moe)
		a->repair = silicon_repair(r, &tp, &dp, &ep, &batch);
	else if (!agg && r->recipe[0])
		a->repair = "disaggregated pools (layouts, worker counts, batches) from InferenceX's recipe at the row's "
			    "concurrency (sim/calib/ixrecipe.h)";
	if ((b = silicon_bench_of(r))) {
		a->bench = b->name;
		isl = silicon_mean_length(r->isl, b->range_ratio);
		osl = silicon_mean_length(r->osl, b->range_ratio);
	}
	silicon_num(a, "--tp", tp);
	silicon_num(a, "--dp", dp);
	silicon_num(a, "--ep", ep);
	silicon_num(a, "--pp", silicon_size(p->pp));
	silicon_num(a, "--batch", batch);
	silicon_num(a, "--isl", isl);
	silicon_num(a, "--osl", osl);
	/* decode reads isl + osl/2 tokens on average (as the planner assumes) */
	silicon_num(a, "--context", isl + floor(osl / 2));
	if ((recv = silicon_recv_interval(r, tp, dp, batch * dp)) > 1)
		silicon_num(a, "--recv-interval", recv);
	if ((mem = silicon_mem_fraction(r, tp)) > 0)
		silicon_share(a, "--mem-fraction", mem);
	if ((wait = silicon_wait_of(r, tp, batch * dp))) {
		if (wait->iters > 0) {
			silicon_num(a, "--batch-wait-iters", wait->iters);
			silicon_share(a, "--batch-wait-ratio", wait->ratio);
		}
		if (wait->max_num_tokens > 0)
			silicon_num(a, "--prefill-tokens", wait->max_num_tokens);
	}
	if (!(wait && wait->max_num_tokens > 0) && (budget = silicon_budget_of(r, tp, dp, batch * dp)) > 0)
		silicon_num(a, "--prefill-tokens", budget);
	if (silicon_own_formats(r, gemm, moe))
		gemm = moe = "";
	if (*gemm)
		silicon_arg(a, "--weights", gemm);
	if (*moe && strcmp(moe, gemm) != 0)
		silicon_arg(a, "--expert-weights", moe);
	/* InferenceX's TensorRT-LLM recipes turn attention_dp_config.enable_balance
	 * on with DP attention, timeout_iters 60 (the benchmarks/single_node/
	 * fixed_seq_len/ *_trt.sh, e.g. dsr1_fp4_b200_trt.sh,
	 * SemiAnalysisAI/InferenceX@843c6254ff69): the groups take their prompts
	 * in the same steps, given out every 60 steps or once every group has one
	 * (serve.h); its disaggregated recipes (multi_node/) set no balance */
	if (b && agg && dp > 1 && strcmp(r->backend, "trtllm") == 0) {
		silicon_arg(a, "--dp-balance", "on");
		silicon_num(a, "--dp-balance-iters", 60);
	}
	/* the sample names no KV dtype: an fp8 or fp4 run keeps an fp8 cache */
	silicon_arg(a, "--kv-dtype", strcmp(r->precision, "fp8") == 0 || strcmp(r->precision, "fp4") == 0 ?
		    "fp8" : "bf16");
	a->concurrency = batch * dp;
	return NULL;
}

/* The GPUs of one worker of recipe pool x: its tp, or with attention DP
 * the larger of tp and ep (InferenceX writes DEP4 both ways: tp 1, ep 4 in
 * its SGLang entries until 2026-02-07 and its vLLM ones still, tp 4, ep 4
 * elsewhere; ixrecipe_table.c). */
static int silicon_recipe_gpus(const struct ixrecipe_pool *x)
{
	return x->dp_attn && x->ep > x->tp ? x->ep : x->tp;
}

/* Pool p as recipe pool x runs it: attention DP over its GPUs or TP over
 * them, the experts over its ep (moe_tp left to silicon_map). */
static void silicon_recipe_pool(struct silicon_pool *p, const struct ixrecipe_pool *x, int workers, double batch)
{
	p->tp = x->dp_attn ? 1 : x->tp;
	p->dp = x->dp_attn ? silicon_recipe_gpus(x) : 1;
	p->ep = x->ep;
	p->moe_tp = NAN;
	p->pp = 1;
	p->workers = workers;
	p->batch = batch;
}

/* Fill a disaggregated InferenceX row's missing pools from its recipe, or
 * say why not (silicon_parse, silicon.h). */
static void silicon_recipe_fill(struct silicon_row *r)
{
	const struct ixrecipe *x;
	const char *d = strstr(r->source, "measured=");
	double conc = silicon_concurrency(r), ranks;
	char date[11];
	int n, spec;

	if (strcmp(r->mode, "disagg") != 0 || !isnan(r->decode.batch) || !isnan(r->decode.workers) ||
	    !silicon_bench_of(r) || !(conc >= 1))
		return;
	if (d && silicon_dated(d + 9))
		snprintf(date, sizeof date, "%.10s", d + 9);
	n = ixrecipe_find(r->model_path, r->system, r->precision, r->backend, r->isl, r->osl, conc, r->prefill.tp,
			  r->decode.tp, d && silicon_dated(d + 9) ? date : NULL, &x, &spec);
	if (n && spec == n) {
		r->unfilled = "speculative-decoding run: InferenceX's recipe at its concurrency and pools' TP ran "
			      "MTP, whose acceptance is not published (sim/calib/ixrecipe.h)";
		return;
	}
	if (n != 1) {
		r->unfilled = n ? "disaggregated row without batch sizes and worker counts: InferenceX listed several "
				  "recipes at its concurrency and pools' TP (sim/calib/ixrecipe.h)" :
				  "disaggregated row without batch sizes and worker counts: no InferenceX recipe at "
				  "its concurrency and pools' TP (sim/calib/ixrecipe.h)";
		return;
	}
	ranks = x->decode_workers * (x->decode.dp_attn ? silicon_recipe_gpus(&x->decode) : 1);
	if (!(ranks >= 1) || !(x->prefill_workers >= 1) || (!x->prefill.dp_attn && x->prefill.ep > x->prefill.tp) ||
	    (!x->decode.dp_attn && x->decode.ep > x->decode.tp)) {
		r->unfilled = "disaggregated row without batch sizes and worker counts: its InferenceX recipe "
			      "has no decode ranks or prefill workers, or a pool whose ep exceeds its tp without "
			      "attention DP (sim/calib/ixrecipe.h)";
		return;
	}
	silicon_recipe_pool(&r->prefill, &x->prefill, x->prefill_workers, 1);
	/* the busiest rank's: an attention-DP instance steps at its fullest rank's pace */
	silicon_recipe_pool(&r->decode, &x->decode, x->decode_workers, ceil(conc / ranks));
	snprintf(r->recipe, sizeof r->recipe, "%s", x->commit);
	r->concurrency = conc;
}

double silicon_in_flight(const struct silicon_row *r, const struct silicon_args *a)
{
	return r->recipe[0] ? r->concurrency : a->concurrency * silicon_workers(&r->decode);
}

double silicon_workers(const struct silicon_pool *p)
{
	return silicon_size(p->workers);
}

const char *silicon_bucket(double batch)
{
	return batch <= 1 ? "1" : batch <= 16 ? "2-16" : batch <= 128 ? "17-128" : ">128";
}
