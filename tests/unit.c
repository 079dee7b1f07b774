/*
 * tests/unit.c - unit tests of the mlasim engine (libmlasim.a).
 *
 * Every expected value below is worked out by hand from the published
 * sources (docs/models.md, the HF config.json shapes listed in
 * sim/params.h, the DeepSeek-V2 paper's Table 1, the ISCA 2025 "Insights into
 * DeepSeek-V3" Table 1, the hardware cards' own numbers), with the derivation
 * in a comment next to it.  Integer quantities (parameter counts, bytes,
 * tokens, sequences) are asserted with exact equality: every one of them is
 * below 2^53, so a double holds it exactly.
 *
 * Output (read by tests/run.sh): one line per test, 'ok - NAME' or
 * 'not ok - NAME'; diagnostics on lines starting with '#'.  Exit status 1 if
 * any test failed.  Run from the repository root: bundled cards are read as
 * models/NAME.json and hw/NAME.json.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "cards.h"
#include "err.h"
#include "hw.h"
#include "jsonx.h"
#include "kern.h"
#include "kfit.h"
#include "kv.h"
#include "model.h"
#include "params.h"
#include "topo.h"
#include "comm.h"
#include "plan.h"
#include "power.h"
#include "precision.h"
#include "units.h"
#include "engine.h"
#include "serve.h"
#include "silicon.h"
#include "../reports/csv.h"
#include "front.h"
#include "../reports/fmt.h"
#include "../reports/gnuplot.h"
#include "../reports/out.h"
#include "../reports/sbuf.h"
#include "infile.h"
#include "../reports/report.h"
#include "series.h"
#include "stats.h"

/* ---- a tiny framework ---------------------------------------------------- */

static int t_failed;   /* checks that failed in the running test */

static void check_num_at(double got, double want, double tol, int rel,
			 const char *expr, int line)
{
	double lim = rel ? tol * fabs(want) : tol;

	/* got == want first so that equal infinities pass; NAN never passes */
	if (got == want || fabs(got - want) <= lim)
		return;
	t_failed++;
	printf("#   line %d: %s\n", line, expr);
	printf("#     got %.17g want %.17g (%s tolerance %g)\n", got, want,
	       rel ? "relative" : "absolute", tol);
}

static void check_true_at(int cond, const char *expr, int line)
{
	if (cond)
		return;
	t_failed++;
	printf("#   line %d: CHECK(%s) failed\n", line, expr);
}

static void check_str_at(const char *got, const char *want, const char *expr, int line)
{
	if (got && strcmp(got, want) == 0)
		return;
	t_failed++;
	printf("#   line %d: %s\n#     got '%s' want '%s'\n", line, expr,
	       got ? got : "(null)", want);
}

static void check_contains_at(const char *got, const char *want, const char *expr, int line)
{
	if (got && strstr(got, want))
		return;
	t_failed++;
	printf("#   line %d: %s\n#     got '%s', which does not contain '%s'\n", line,
	       expr, got ? got : "(null)", want);
}

/* An engine call's return code, with its error message on failure. */
static void check_rc_at(int got, int want, const struct err *e, const char *expr, int line)
{
	if (got == want)
		return;
	t_failed++;
	printf("#   line %d: %s\n#     returned %d, want %d", line, expr, got, want);
	if (got)
		printf(" (message: %s)", e->msg);
	printf("\n");
}

/* Check that an engine call succeeded; evaluates to its return code so that
 * dependent checks can be skipped: if (!CHECK_OK(call, &e)) { ... } */
static int check_ok_at(int rc, const struct err *e, const char *expr, int line)
{
	check_rc_at(rc, 0, e, expr, line);
	return rc;
}

/* Exact: integer counts, bytes, tokens (all < 2^53, held exactly in double). */
#define CHECK_EQ(got, want) check_num_at((got), (want), 0, 0, #got, __LINE__)
/* Absolute tolerance. */
#define CHECK_NEAR(got, want, tol) check_num_at((got), (want), (tol), 0, #got, __LINE__)
/* Relative tolerance (fraction of want). */
#define CHECK_REL(got, want, rel) check_num_at((got), (want), (rel), 1, #got, __LINE__)
#define CHECK(cond) check_true_at(!!(cond), #cond, __LINE__)
#define CHECK_STR(got, want) check_str_at((got), (want), #got, __LINE__)
#define CHECK_CONTAINS(got, want) check_contains_at((got), (want), #got, __LINE__)
#define CHECK_RC(call, want, e) check_rc_at((call), (want), (e), #call, __LINE__)
#define CHECK_OK(call, e) check_ok_at((call), (e), #call, __LINE__)

/* Load bundled model card models/NAME.json; on failure the test fails. */
static int load_model(const char *name, struct model *m)
{
	char path[256];
	struct err e;
	int rc;

	snprintf(path, sizeof path, "models/%s.json", name);
	memset(&e, 0, sizeof e);
	rc = model_load(path, NULL, 0, m, &e);
	if (rc) {
		t_failed++;
		printf("#   cannot load %s: %s\n", path, e.msg);
	}
	return rc;
}

static int load_hw(const char *name, struct hw *h)
{
	char path[256];
	struct err e;
	int rc;

	snprintf(path, sizeof path, "hw/%s.json", name);
	memset(&e, 0, sizeof e);
	rc = hw_load(path, NULL, 0, h, &e);
	if (rc) {
		t_failed++;
		printf("#   cannot load %s: %s\n", path, e.msg);
	}
	return rc;
}

/* A bundled card as it would be without its "calibration": every kernel
 * class on the card's `efficiency` defaults (hw.h), for tests that work
 * times out by hand from those. */
static void hw_uncalibrate(struct hw *h)
{
	int k;

	for (k = 0; k < K_CLASSES; k++)
		h->kern[k] = (struct hw_kernel_eff){h->eff.compute, h->eff.memory, h->eff.kernel_latency_s,
						    0, 0, 0, 0, KCAL_DEFAULTS, 0};
	h->calibrated = KCAL_DEFAULTS;
}

/* Parse a model card given as JSON text; returns model_from_json's code. */
static int model_text(const char *text, struct model *m, struct err *e)
{
	cJSON *root = cJSON_Parse(text);
	int rc;

	memset(e, 0, sizeof *e);
	if (!root) {
		t_failed++;
		printf("#   the test's own JSON does not parse: %s\n", text);
		return -1;
	}
	rc = model_from_json(root, "test.json", m, e);
	cJSON_Delete(root);
	return rc;
}

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

/* Bytes per token of the whole model (all L main layers) in KV format s. */
static double kv_token(const struct model *m, const char *s)
{
	struct kvfmt f;
	struct err e;

	memset(&e, 0, sizeof e);
	if (precision_parse_kv(s, "kv", &f, &e)) {
		t_failed++;
		printf("#   kv format '%s' rejected: %s\n", s, e.msg);
		return NAN;
	}
	return kv_bytes_per_layer(m, &f, &e) * kv_layers(m, 0);
}

static double mbytes(const char *fmt, double rows, double cols)
{
	struct wprec p;
	struct err e;

	if (precision_parse_weights(fmt, "weights", &p, &e)) {
		t_failed++;
		printf("#   weight format '%s' rejected: %s\n", fmt, e.msg);
		return NAN;
	}
	return precision_matrix_bytes(&p, rows, cols);
}

/* A plan large enough (PLAN_MAX_STAGES stages) to keep off the stack. */
static struct plan g_plan;

/* plan_compute with the error message printed on failure. */
static int plan_run(const struct model *m, const struct hw *h, const struct deployment *d)
{
	struct err e;
	int rc;

	memset(&e, 0, sizeof e);
	memset(&g_plan, 0, sizeof g_plan);
	rc = plan_compute(m, h, d, NULL, &g_plan, &e);
	if (rc) {
		t_failed++;
		printf("#   plan_compute failed (%d): %s\n", rc, e.msg);
	}
	return rc;
}

/* ---- 1. units -------------------------------------------------------------- */

static double parse_ok(const char *s, enum unit_kind k)
{
	struct err e;
	double v = NAN;

	memset(&e, 0, sizeof e);
	if (units_parse(s, k, "--x", &v, &e)) {
		t_failed++;
		printf("#   units_parse('%s') rejected: %s\n", s, e.msg);
		return NAN;
	}
	return v;
}

static void t_units_accept(void)
{
	/* units.h suffix table: k = 1e3, Ki = 2^10, GB = 1e9 B, GiB = 2^30 B,
	 * Gb/s = 1e9 bits/s = 1e9/8 B/s.  All exact in binary floating point. */
	CHECK_EQ(parse_ok("128k", UNIT_COUNT), 128000);          /* 128 x 1e3 */
	CHECK_EQ(parse_ok("128Ki", UNIT_COUNT), 131072);         /* 128 x 1024 */
	CHECK_EQ(parse_ok("4096", UNIT_COUNT), 4096);            /* bare number */
	CHECK_EQ(parse_ok("1M", UNIT_COUNT), 1e6);
	CHECK_EQ(parse_ok("80GB", UNIT_BYTES), 8e10);            /* 80 x 1e9 */
	CHECK_EQ(parse_ok("64GiB", UNIT_BYTES), 68719476736.0);  /* 64 x 2^30 = 2^36 */
	CHECK_EQ(parse_ok("1.5GiB", UNIT_BYTES), 1610612736.0);  /* 1.5 x 2^30 */
	CHECK_EQ(parse_ok("4096", UNIT_BYTES), 4096);            /* bare number = bytes */
	CHECK_EQ(parse_ok("50GB/s", UNIT_RATE), 5e10);           /* 50 x 1e9 B/s */
	CHECK_EQ(parse_ok("400Gb/s", UNIT_RATE), 5e10);          /* 400e9 bit/s / 8 */
	CHECK_EQ(parse_ok("1e3", UNIT_PLAIN), 1000);             /* exponent form */
	CHECK_EQ(parse_ok("1e24", UNIT_PLAIN), 1e24);            /* UNITS_MAX itself is allowed */
}

static void t_units_reject(void)
{
	/* Each must fail with EXIT_USAGE (units.h: decimal only, finite, not
	 * negative, a suffix of the kind asked for, no space before it). */
	static const struct { const char *s; enum unit_kind k; } bad[] = {
		{"", UNIT_COUNT}, {"-5", UNIT_COUNT}, {"nan", UNIT_COUNT},
		{"inf", UNIT_COUNT}, {"1e400", UNIT_COUNT}, {"12x", UNIT_COUNT},
		{"0x10", UNIT_COUNT}, {"5 GB", UNIT_BYTES}, {"1.2.3", UNIT_PLAIN},
		{"2e24", UNIT_PLAIN}, {"k", UNIT_COUNT}, {".", UNIT_COUNT},
		{"80GB", UNIT_COUNT},      /* a byte suffix where a count is asked */
		{"400Gb/s", UNIT_BYTES},   /* a rate where a size is asked */
		{"128k", UNIT_PLAIN},      /* no suffix allowed at all */
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct err e;
		double v = -1;
		int rc;

		memset(&e, 0, sizeof e);
		rc = units_parse(bad[i].s, bad[i].k, "--context", &v, &e);
		if (rc != EXIT_USAGE) {
			t_failed++;
			printf("#   units_parse('%s') returned %d (value %g), want %d\n",
			       bad[i].s, rc, v, EXIT_USAGE);
		} else {
			/* the message names the option and starts lowercase with it */
			CHECK_CONTAINS(e.msg, "'--context'");
			CHECK_EQ(v, -1);   /* *out untouched on error */
		}
	}
}

static void t_units_list(void)
{
	double v[4] = {0, 0, 0, 0};
	struct err e;
	int n = 0;

	memset(&e, 0, sizeof e);
	CHECK_RC(units_parse_list("4k,32k,128Ki", UNIT_COUNT, "--context", v, 4, &n, &e), 0, &e);
	CHECK_EQ(n, 3);
	CHECK_EQ(v[0], 4000);      /* 4 x 1e3 */
	CHECK_EQ(v[1], 32000);     /* 32 x 1e3 */
	CHECK_EQ(v[2], 131072);    /* 128 x 1024 */
	CHECK_RC(units_parse_list("7", UNIT_COUNT, "--context", v, 4, &n, &e), 0, &e);
	CHECK_EQ(n, 1);
	CHECK_EQ(v[0], 7);
	/* an empty item, a bad item, more than max, nothing at all */
	CHECK_RC(units_parse_list("4k,,8k", UNIT_COUNT, "--context", v, 4, &n, &e), EXIT_USAGE, &e);
	CHECK_RC(units_parse_list("4k,x", UNIT_COUNT, "--context", v, 4, &n, &e), EXIT_USAGE, &e);
	CHECK_RC(units_parse_list("1,2,3", UNIT_COUNT, "--context", v, 2, &n, &e), EXIT_USAGE, &e);
	CHECK_RC(units_parse_list("", UNIT_COUNT, "--context", v, 4, &n, &e), EXIT_USAGE, &e);
	CHECK_RC(units_parse_list("4k,", UNIT_COUNT, "--context", v, 4, &n, &e), EXIT_USAGE, &e);
}

static void t_units_format(void)
{
	char buf[64];

	/* 70272 B = 70.272 KB (ISCA 2025 Table 1 prints V3 as 70.272 KB);
	 * 70272 / 1024 = 68.625 KiB exactly */
	CHECK_STR(units_fmt_bytes(70272, 0, buf, sizeof buf), "70.272 KB");
	CHECK_STR(units_fmt_bytes(70272, 1, buf, sizeof buf), "68.625 KiB");
	CHECK_STR(units_fmt_bytes(999, 0, buf, sizeof buf), "999 B");
	CHECK_STR(units_fmt_count(4096, buf, sizeof buf), "4Ki");       /* 4 x 1024 */
	CHECK_STR(units_fmt_count(128000, buf, sizeof buf), "128k");    /* 128 x 1e3 */
	CHECK_STR(units_fmt_count(131072, buf, sizeof buf), "128Ki");   /* 128 x 1024 */
	CHECK_STR(units_fmt_count(100, buf, sizeof buf), "100");
}

/* ---- 2. precision ---------------------------------------------------------- */

/*
 * Layouts (precision.h), a matrix of r rows (outputs) x c cols (inputs), n = r c:
 *   bf16/fp16 2n; fp32 4n; fp8 n + 4; fp8-block n + 4 ceil(r/128) ceil(c/128);
 *   int8 n + 4r; nvfp4 n/2 + r ceil(c/16) + 4; mxfp4 n/2 + r ceil(c/32);
 *   int4:gG n/2 + 2 r ceil(c/G).
 */
static void t_precision_7168x2048(void)
{
	/* a DeepSeek-V3 expert down_proj: r 7168, c 2048, n = 14,680,064 */
	CHECK_EQ(mbytes("bf16", 7168, 2048), 29360128);       /* 2n */
	CHECK_EQ(mbytes("fp16", 7168, 2048), 29360128);       /* 2n */
	CHECK_EQ(mbytes("fp32", 7168, 2048), 58720256);       /* 4n */
	CHECK_EQ(mbytes("fp8", 7168, 2048), 14680068);        /* n + 4 */
	/* 7168/128 = 56, 2048/128 = 16: 896 blocks x 4 B = 3584 */
	CHECK_EQ(mbytes("fp8-block", 7168, 2048), 14683648);
	/* n + 4 x 7168 = 14,680,064 + 28,672 */
	CHECK_EQ(mbytes("int8", 7168, 2048), 14708736);
	/* n/2 = 7,340,032; 2048/16 = 128 scales x 7168 rows = 917,504; + 4 */
	CHECK_EQ(mbytes("nvfp4", 7168, 2048), 8257540);
	/* 7,340,032 + 7168 x 2048/32 = 7168 x 64 = 458,752 */
	CHECK_EQ(mbytes("mxfp4", 7168, 2048), 7798784);
	/* 7,340,032 + 2 x 7168 x 2048/128 = 2 x 7168 x 16 = 229,376 */
	CHECK_EQ(mbytes("int4", 7168, 2048), 7569408);
	CHECK_EQ(mbytes("int4:g128", 7168, 2048), 7569408);
	/* g32: 7,340,032 + 2 x 7168 x 64 = 917,504 */
	CHECK_EQ(mbytes("int4:g32", 7168, 2048), 8257536);
}

static void t_precision_129280x7168(void)
{
	/* the DeepSeek-V3 embedding / output head: r 129280, c 7168,
	 * n = 926,679,040 (docs/models.md s1: vocab_size x hidden_size) */
	CHECK_EQ(mbytes("bf16", 129280, 7168), 1853358080);   /* 2n */
	CHECK_EQ(mbytes("fp32", 129280, 7168), 3706716160.0); /* 4n */
	CHECK_EQ(mbytes("fp8", 129280, 7168), 926679044);     /* n + 4 */
	/* 129280/128 = 1010, 7168/128 = 56: 56,560 blocks x 4 = 226,240 */
	CHECK_EQ(mbytes("fp8-block", 129280, 7168), 926905280);
	/* n + 4 x 129,280 = n + 517,120 */
	CHECK_EQ(mbytes("int8", 129280, 7168), 927196160);
	/* n/2 = 463,339,520; 7168/16 = 448 x 129,280 = 57,917,440; + 4 */
	CHECK_EQ(mbytes("nvfp4", 129280, 7168), 521256964);
	/* 463,339,520 + 129,280 x 224 = 28,958,720 */
	CHECK_EQ(mbytes("mxfp4", 129280, 7168), 492298240);
	/* 463,339,520 + 2 x 129,280 x 56 = 14,479,360 */
	CHECK_EQ(mbytes("int4:g128", 129280, 7168), 477818880);
}

static void t_precision_ragged(void)
{
	/* kv_a_proj_with_mqa of V3: r 576 = 4.5 x 128, c 7168; n = 4,128,768 */
	CHECK_EQ(mbytes("bf16", 576, 7168), 8257536);
	/* ceil(576/128) = 5, 56: 280 blocks x 4 = 1120 (the partial block counts) */
	CHECK_EQ(mbytes("fp8-block", 576, 7168), 4129888);
	CHECK_EQ(mbytes("int8", 576, 7168), 4131072);         /* n + 2304 */
	/* 2,064,384 + 576 x 448 = 258,048; + 4 */
	CHECK_EQ(mbytes("nvfp4", 576, 7168), 2322436);
	CHECK_EQ(mbytes("mxfp4", 576, 7168), 2193408);        /* + 576 x 224 */
	CHECK_EQ(mbytes("int4", 576, 7168), 2128896);         /* + 2 x 576 x 56 */

	/* 100 x 100, n = 10,000: every group is partial */
	CHECK_EQ(mbytes("bf16", 100, 100), 20000);
	CHECK_EQ(mbytes("fp32", 100, 100), 40000);
	CHECK_EQ(mbytes("fp8", 100, 100), 10004);
	CHECK_EQ(mbytes("fp8-block", 100, 100), 10004);       /* one 128x128 block */
	CHECK_EQ(mbytes("int8", 100, 100), 10400);            /* + 4 x 100 */
	CHECK_EQ(mbytes("nvfp4", 100, 100), 5704);            /* 5000 + 100 x ceil(6.25)=7 + 4 */
	CHECK_EQ(mbytes("mxfp4", 100, 100), 5400);            /* 5000 + 100 x ceil(3.125)=4 */
	CHECK_EQ(mbytes("int4", 100, 100), 5200);             /* 5000 + 2 x 100 x 1 */
	CHECK_EQ(mbytes("int4:g64", 100, 100), 5400);         /* 5000 + 2 x 100 x 2 */
}

static void t_precision_parse(void)
{
	static const char *const bad_w[] = {
		"", "bf8", "FP8", "int4:g", "int4:g0", "int4:g1.5", "int4:gx",
		"int4:g128x", "fp8block", "int3",
	};
	static const char *const bad_kv[] = {
		"", "bits:", "bits:0", "bits:65", "bits:6x", "bits:-1", "fp9",
		"flashmla", "BF16",
	};
	struct wprec w;
	struct kvfmt k;
	struct err e;
	size_t i;

	memset(&e, 0, sizeof e);
	CHECK_RC(precision_parse_weights("int4:g64", "--weights", &w, &e), 0, &e);
	CHECK(w.fmt == WF_INT4);
	CHECK_EQ(w.group, 64);
	CHECK_STR(w.name, "int4:g64");
	CHECK_RC(precision_parse_weights("int4", "--weights", &w, &e), 0, &e);
	CHECK_EQ(w.group, 128);                 /* default group: GPTQ/AWQ's 128 */
	CHECK_RC(precision_parse_weights("fp8-block", "--weights", &w, &e), 0, &e);
	CHECK(w.fmt == WF_FP8_BLOCK);
	CHECK_EQ(precision_weight_bits(&w), 8);
	CHECK_RC(precision_parse_weights("nvfp4", "--weights", &w, &e), 0, &e);
	CHECK_EQ(precision_weight_bits(&w), 4);
	CHECK_RC(precision_parse_weights("bf16", "--weights", &w, &e), 0, &e);
	CHECK_EQ(precision_weight_bits(&w), 16);
	for (i = 0; i < sizeof bad_w / sizeof bad_w[0]; i++) {
		int rc = precision_parse_weights(bad_w[i], "--weights", &w, &e);
		if (rc != EXIT_USAGE) {
			t_failed++;
			printf("#   precision_parse_weights('%s') returned %d, want %d\n",
			       bad_w[i], rc, EXIT_USAGE);
		}
	}
	CHECK_CONTAINS(e.msg, "'--weights'");
	/* no name at all reads as the empty one: the same error, not a crash */
	CHECK_EQ(precision_parse_weights(NULL, "--weights", &w, &e), EXIT_USAGE);
	CHECK_CONTAINS(e.msg, "got ''");

	CHECK_RC(precision_parse_kv("bits:6", "--kv-dtype", &k, &e), 0, &e);
	CHECK_EQ(k.bits, 6);
	CHECK(!k.flashmla);
	CHECK_RC(precision_parse_kv("fp8-flashmla", "--kv-dtype", &k, &e), 0, &e);
	CHECK(k.flashmla);
	CHECK_RC(precision_parse_kv("fp8", "--kv-dtype", &k, &e), 0, &e);
	CHECK_EQ(k.bits, 8);
	CHECK_RC(precision_parse_kv("bf16", "--kv-dtype", &k, &e), 0, &e);
	CHECK_EQ(k.bits, 16);
	for (i = 0; i < sizeof bad_kv / sizeof bad_kv[0]; i++) {
		int rc = precision_parse_kv(bad_kv[i], "--kv-dtype", &k, &e);
		if (rc != EXIT_USAGE) {
			t_failed++;
			printf("#   precision_parse_kv('%s') returned %d, want %d\n",
			       bad_kv[i], rc, EXIT_USAGE);
		}
	}
	CHECK_CONTAINS(e.msg, "'--kv-dtype'");
	CHECK_EQ(precision_parse_kv(NULL, "--kv-dtype", &k, &e), EXIT_USAGE);
	CHECK_CONTAINS(e.msg, "got ''");
}

/* ---- 3. KV cache ----------------------------------------------------------- */

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

/* ---- 4. parameter counts --------------------------------------------------- */

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

/* ---- 5. weight bytes --------------------------------------------------------- */

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

/* ---- 6. memory fit ------------------------------------------------------------ */

/*
 * Llama-3.1-70B bf16 on H100 (usable 80e9 B, runtime_reserve 2e9 B), tp 4,
 * context 4096, mem_fraction 0.9:
 *   per GPU: embedding and head 128256 x 8192 x 2 / 4 = 525,336,576 each,
 *     final norm 16,384 (replicated);
 *     per layer q, o 8192 x 8192 x 2 / 4 = 33,554,432 each; k, v 1024 x 8192
 *     x 2 / min(4, 8) = 4,194,304 each; norms 32,768; FFN 3 x 28672 x 8192
 *     x 2 / 4 = 352,321,536: layer = 427,851,776; x 80 = 34,228,142,080
 *     weights = 34,228,142,080 + 1,050,673,152 + 16,384 = 35,278,831,616
 *   kv budget = 0.9 x 80e9 - 35,278,831,616 - 2e9     = 34,721,168,384
 *   kv per token per GPU = 80 x 2 x 8 x 128 x 2 / 4   = 81,920
 *   tokens = floor(34,721,168,384 / 81,920)           = 423,842
 *   sequences = floor(423,842 / 4096)                 = 103
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
	CHECK_EQ(mem->budget_bytes, 72e9);
	CHECK_EQ(mem->reserve_bytes, 2e9);
	CHECK_EQ(mem->weights_bytes_per_gpu, 35278831616.0);
	CHECK_EQ(mem->comp_bytes_per_gpu[COMP_EMBED], 525336576);
	CHECK_EQ(mem->comp_bytes_per_gpu[COMP_HEAD], 525336576);
	/* (2 x 33,554,432 + 2 x 4,194,304) x 80 */
	CHECK_EQ(mem->comp_bytes_per_gpu[COMP_ATTN], 6039797760.0);
	CHECK_EQ(mem->kv_bytes_per_token_per_gpu, 81920);
	CHECK_EQ(mem->kv_bytes_per_gpu, 34721168384.0);
	CHECK_EQ(mem->stage[0].max_tokens, 423842);
	CHECK_EQ(mem->max_sequences_per_instance, 103);
	CHECK_EQ(mem->max_sequences_per_gpu, 25.75);       /* 103 / 4 */
	CHECK_EQ(mem->max_tokens_per_gpu, 105960.5);       /* 423,842 / 4 */
	CHECK_EQ(mem->free_bytes_per_gpu, 8e9);            /* 80e9 x (1 - 0.9) */
	CHECK(mem->fits);
	/* an explicit reserve replaces the card's: budget + 2e9 -> 1e9 more KV
	 * = 35,721,168,384 / 81,920 = 436,049.4 -> 436,049 tokens, 106 seqs */
	d.reserve_bytes = 1e9;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(mem->stage[0].max_tokens, 436049);
	CHECK_EQ(mem->max_sequences_per_instance, 106);
}

/*
 * tp 16 above 8 KV heads: k and v replicate (each GPU holds one KV head, so
 * they divide by min(16, 8) = 8) and so does the cache:
 *   kv per token per GPU = 80 x 2 x 1 x 128 x 2           = 40,960
 *   weights: embedding + head 2 x 2,101,346,304 / 16 = 262,668,288, norm
 *     16,384; layer q, o 134,217,728 / 16 = 8,388,608 each, k, v
 *     16,777,216 / 8 = 2,097,152 each, norms 32,768, FFN 1,409,286,144 / 16
 *     = 88,080,384: 109,084,672 x 80 = 8,726,773,760    => 8,989,458,432
 *   kv budget 72e9 - 8,989,458,432 - 2e9              = 61,010,541,568
 *   tokens floor(61,010,541,568 / 40,960) = 1,489,515; sequences 363
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
	CHECK_EQ(mem->stage[0].max_tokens, 1489515);
	CHECK_EQ(mem->max_sequences_per_instance, 363);
	CHECK_EQ(mem->max_sequences_per_gpu, 363.0 / 16);
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
 *   over the 72e9 budget: does not fit, no sequence.
 *   DeepSeek-V2-Lite tp 8 on H100 (bf16): kv per token per GPU 576 x 27 x 2
 *   = 31,104; weights per GPU: embedding + head 2 x 419,430,400 / 8 +
 *   norm 4,096 = 104,861,696; attention 6,291,456 x 2 / 8 + kv_a 2,359,296 +
 *   1,024 + 2,097,152 x 2 / 8 + 4,194,304 x 2 / 8 = 5,506,048; dense layer
 *   5,506,048 + 8,192 + 134,479,872 / 8 = 22,324,224; MoE layer 5,506,048 +
 *   8,192 + router 262,144 + shared 34,603,008 / 8 + routed 1,107,296,256 / 8
 *   = 148,513,792: 104,861,696 + 22,324,224 + 26 x 148,513,792 = 3,988,544,512
 *   kv budget 72e9 - 3,988,544,512 - 2e9 = 66,011,455,488; / 31,104 =
 *   2,122,281 tokens; 518 sequences of 4096.
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
			CHECK_EQ(mem->stage[0].max_tokens, 2122281);
			CHECK_EQ(mem->max_sequences_per_instance, 518);
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
 *   kv budget 72e9 - 59,961,471,328 - 2e9 = 10,038,528,672; / 70,272
 *     = 142,852 tokens per attention group; 34 sequences of 4096;
 *     x 16 dp groups = 544 per instance, 34 per GPU
 * with 16 redundant experts: ceil(272 / 16) = 17 per GPU,
 *   routed 58 x 17 x 44,050,944 = 43,434,230,784; weights 62,516,426,080;
 *   kv budget 7,483,573,920 / 70,272 = 106,494 tokens, 25 sequences
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
	CHECK_EQ(mem->stage[0].max_tokens, 142852);
	CHECK_EQ(mem->stage[0].max_sequences, 34);
	CHECK_EQ(mem->max_sequences_per_instance, 544);
	CHECK_EQ(mem->max_sequences_per_gpu, 34);
	CHECK(mem->fits);

	d.redundant_experts = 16;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(mem->experts_per_gpu, 17);
	CHECK_EQ(mem->comp_bytes_per_gpu[COMP_ROUTED], 43434230784.0);
	CHECK_EQ(mem->weights_bytes_per_gpu, 62516426080.0);
	CHECK_EQ(mem->stage[0].max_tokens, 106494);
	CHECK_EQ(mem->stage[0].max_sequences, 25);
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
	CHECK(!mem->fits);                                      /* 325 GB on an 80 GB GPU */

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
 *   page = 64 x 81,920 = 5,242,880 B; pages = floor(34,721,168,384 /
 *   5,242,880) = 6,622 (6,622 x 5,242,880 = 34,718,351,360); max tokens
 *   6,622 x 64 = 423,808; a sequence takes ceil(4097 / 64) = 65 pages:
 *   floor(6,622 / 65) = 101 sequences.  Unpaged, the same context fits
 *   floor(423,842 / 4097) = 103.
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
	CHECK_EQ(mem->max_sequences_per_instance, 103);
	d.kv_block = 64;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(mem->stage[0].max_tokens, 423808);
	CHECK_EQ(mem->max_sequences_per_instance, 101);
	d.context = 4096;        /* exactly 64 pages: floor(6,622 / 64) = 103 */
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(mem->max_sequences_per_instance, 103);
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

/* ---- 7. model cards from JSON text ------------------------------------------- */

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

/* ---- 8. hardware cards ------------------------------------------------------- */

static void t_hw_h800(void)
{
	struct hw h;

	if (load_hw("h800-sxm", &h))
		return;
	/* card: hbm_usable_gb 80, hbm_gbs 3350, bf16_tflops 989, fp8_tflops
	 * 1979, gbs_per_dir 200, nic_gbps 400, runtime_reserve_gb 2,
	 * scale_up latency_us 3.33; decimal units (1 GB = 1e9 B) */
	CHECK_EQ(h.gpu.hbm_usable_bytes, 8e10);
	CHECK_EQ(h.gpu.hbm_bytes, 8e10);
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
	/* on an 80 GB H800 the same override exceeds hbm_gb: refused */
	CHECK_RC(hw_load("hw/h800-sxm.json", up, 1, &h, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'gpu.hbm_usable_gb'");
	if (!CHECK_OK(hw_load("hw/h800-sxm.json", multi, 2, &h, &e), &e)) {
		CHECK_EQ(h.gpu.hbm_usable_bytes, 7e10);
		CHECK_EQ(h.scale_out.nic_bw, 1e11);          /* 800 Gb/s / 8 */
		CHECK_EQ(h.gpu.hbm_bytes, 8e10);             /* untouched */
	}
	/* a path through a number is a usage error */
	CHECK_RC(hw_load("hw/h800-sxm.json", bad, 1, &h, &e), EXIT_USAGE, &e);
	CHECK(hw_is_section("gpu.hbm_gbs=1"));
	CHECK(!hw_is_section("kv_lora_rank=256"));
	CHECK(!hw_is_section("mlasim.name=x"));
}

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

/* Every CSV writes a number that is unknown (NAN), infinite or null as an
 * empty field; JSON writes null (README, "A tour"). */
static void t_csv_missing(void)
{
	cJSON *o = cJSON_CreateObject(), *x;
	struct sbuf b = {0};
	char buf[32];

	CHECK(fmt_csv_num(NAN, buf) == 0 && buf[0] == 0);
	CHECK(fmt_csv_num(-INFINITY, buf) == 0 && buf[0] == 0);
	CHECK(fmt_csv_num(2.5, buf) == 3);
	CHECK_STR(buf, "2.5");
	if (!o) {
		t_failed++;
		return;
	}
	report_num(o, "unknown", NAN);
	report_num(o, "huge", INFINITY);
	x = cJSON_AddObjectToObject(o, "o");
	cJSON_AddNumberToObject(x, "raw_nan", NAN);   /* not through report_num */
	report_num(x, "n", 1.5);
	cJSON_AddStringToObject(x, "s", "a,b");
	report_csv_flat(&b, o);
	CHECK_STR(b.data, "key,value\nunknown,\nhuge,\no.raw_nan,\no.n,1.5\no.s,\"a,b\"\n");
	sbuf_free(&b);
	cJSON_Delete(o);
}

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

/* ---- 9. finding cards by name ------------------------------------------------ */

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

/* ---- 10. performance engine ---------------------------------------------------- */

/*
 * Card figures used below (hw/h800-sxm.json, hw/h100-sxm.json, SI units):
 *   bf16 989 TF = 9.89e14 FLOP/s, fp8 1979 TF = 1.979e15, HBM 3350 GB/s =
 *   3.35e12 B/s; H800 NIC 400 Gb/s = 5e10 B/s, NVLink 200 GB/s per direction;
 *   H100 NVLink 450 GB/s = 4.5e11 B/s per direction.
 * Under --ideal (d.w.ideal = 1) efficiencies are 1 and t0 and link latencies
 * 0, so an operator's time is exactly max(FLOPs / peak, bytes / HBM).
 */
#define PEAK_BF16 9.89e14
#define PEAK_FP8 1.979e15
#define HBM_3350 3.35e12

/* A deployment with the workload's context kept equal to the fit context
 * and the MTP depth equal to the loaded modules, as 'mlasim plan' sets them. */
static void dep_setup(const struct model *m, struct deployment *d, double tp, double dp,
		      double ep, double batch, double context, int ideal)
{
	plan_default_deployment(m, d);
	d->tp = tp;
	d->dp = dp;
	d->ep = ep;
	d->w.batch = batch;
	d->context = d->w.context = context;
	d->w.ideal = ideal;
}

/* The first operator called `name` of layer kind `layer` (-1: any); the test
 * fails when there is none. */
static const struct op *op_find(const struct phase *ph, const char *name, int layer)
{
	int i;

	for (i = 0; i < ph->nops; i++)
		if (strcmp(ph->op[i].name, name) == 0 && (layer < 0 || ph->op[i].layer == layer))
			return &ph->op[i];
	t_failed++;
	printf("#   no operator '%s' (layer %d) among %d\n", name, layer, ph->nops);
	return NULL;
}

static double max_d(double a, double b) { return a > b ? a : b; }

/* Sum over operators of t x count: the step when nothing overlaps. */
static double ops_sum(const struct phase *ph)
{
	double t = 0;
	int i;

	for (i = 0; i < ph->nops; i++)
		t += ph->op[i].t * ph->op[i].count;
	return t;
}

/* The step recomputed from the operator list with micro-batches mb: a dense
 * or MoE layer whose EP all-to-all can hide behind the other micro-batch's
 * compute takes mb x max(compute, comm), otherwise mb x (compute + comm);
 * everything outside those layers (head, MTP, pipeline) mb x t x count. */
static double ops_step(const struct phase *ph, double mb)
{
	double c[LAYER_KINDS] = {0}, m[LAYER_KINDS] = {0}, n[LAYER_KINDS] = {0}, t = 0;
	int i, k;

	for (i = 0; i < ph->nops; i++) {
		const struct op *o = &ph->op[i];
		if (o->layer == LAYER_DENSE || o->layer == LAYER_MOE) {
			if (o->cls == OPC_EP_DISPATCH || o->cls == OPC_EP_COMBINE)
				m[o->layer] += o->t;
			else
				c[o->layer] += o->t;
			n[o->layer] = o->count;
		} else {
			t += mb * o->t * o->count;
		}
	}
	/* overlapped, the compute beside the all-to-all loses the SMs it holds
	 * (ep_sm_share: DeepEP's normal kernels in prefill) */
	for (k = LAYER_DENSE; k <= LAYER_MOE; k++)
		t += mb * n[k] * (mb >= 2 && m[k] > 0 ? max_d(c[k] + m[k] * ph->ep_sm_share, m[k]) : c[k] + m[k]);
	return t;
}

/*
 * Absorbed MLA decode attention, DeepSeek-V3 (dc 512, dr 64: dk 576, dv 512),
 * 128 heads, B 1, s_q 1, L 4096, bf16 latent 1152 B per token per layer:
 *   FLOPs = 2 x 1 x 128 x 1 x 4096 x (576 + 512) = 1,048,576 x 1088
 *         = 1,140,850,688
 *   bytes = 1 x (1 x 128 x 576 x 2 + 4096 x 1152 + 1 x 128 x 512 x 2)
 *         = 147,456 + 4,718,592 + 131,072 = 4,997,120
 * B 4, s_q 2, h 16 (tp 8), L 1000:
 *   FLOPs = 2 x 4 x 16 x 2 x 1000 x 1088 = 278,528,000
 *   bytes = 4 x (2 x 16 x 576 x 2 + 1000 x 1152 + 2 x 16 x 512 x 2)
 *         = 4 x (36,864 + 1,152,000 + 32,768) = 4,886,528
 * Intensity (docs/probes.md s2): with bf16 (kvb = 2 dk) and h_q s_q = 128,
 *   FLOPs / bytes -> 2 x 128 x 1088 / 1152 = 241.777... as L grows
 *   (278,528 / 1152 = 241.7777...; "about 242 FLOP/B").  At L = 1e9 the Q
 *   and O terms (278,528 B) are 2.4e-7 of the latent (1.152e12 B).
 */
static void t_perf_mla_attention(void)
{
	struct model m;
	double f, b;

	if (load_model("deepseek-v3", &m))
		return;
	perf_mla_attention(&m, 128, 1, 1, 4096, 1152, &f, &b);
	CHECK_EQ(f, 1140850688.0);
	CHECK_EQ(b, 4997120);
	perf_mla_attention(&m, 16, 4, 2, 1000, 1152, &f, &b);
	CHECK_EQ(f, 278528000);
	CHECK_EQ(b, 4886528);
	perf_mla_attention(&m, 128, 1, 1, 1e9, 1152, &f, &b);
	CHECK_REL(f / b, 2.0 * 128 * 1088 / 1152, 1e-6);
	CHECK_NEAR(f / b, 242, 0.5);
	/* h_q x s_q is what counts: 64 heads x 2 tokens has the same intensity */
	perf_mla_attention(&m, 64, 1, 2, 1e9, 1152, &f, &b);
	CHECK_REL(f / b, 2.0 * 128 * 1088 / 1152, 1e-6);
	/* FP8 FlashMLA latent (656 B): the latent term shrinks by 1152/656 */
	perf_mla_attention(&m, 128, 1, 1, 1e9, 656, &f, &b);
	CHECK_REL(f / b, 2.0 * 128 * 1088 / 656, 1e-6);
}

/*
 * DeepSeek-V3 fp8-block on H800, tp 1, dp 1, ep 1, batch 32, context 4096,
 * --ideal.  T = 32 tokens (1 micro-batch, no MTP); GEMMs run in fp8
 * (act_in 1 B), their output is bf16.
 *
 * "q_a + kv_a projection": N = 1536 + 512 + 64 = 2112, K = 7168
 *   FLOPs = 2 x 32 x 2112 x 7168 = 968,884,224
 *   weights = 2112 x 7168 + 4 x ceil(2112/128)=17 x ceil(7168/128)=56
 *           = 15,138,816 + 3,808 = 15,142,624
 *   bytes = 15,142,624 + 32 x 7168 x 1 + 32 x 2112 x 2
 *         = 15,142,624 + 229,376 + 135,168 = 15,507,168
 *   t = max(968,884,224 / 1.979e15, 15,507,168 / 3.35e12) = the bytes term
 * "mla decode attention": B 32 x (the single-request figures above)
 *   FLOPs = 32 x 1,140,850,688 = 36,507,222,016 (bf16)
 *   bytes = 32 x 4,997,120 = 159,907,840
 * "o projection": N = 7168, K = 128 heads x v_head 128 = 16384
 *   FLOPs = 2 x 32 x 7168 x 16384 = 7,516,192,768
 *   weights = 117,440,512 + 4 x 56 x 128 = 117,469,184
 *   bytes = 117,469,184 + 32 x 16384 + 32 x 7168 x 2 = 118,452,224
 * "routed experts gate + up": copies = 32 x 8 / ep 1 = 256; 2 Fe = 4096
 *   FLOPs = 2 x 256 x 4096 x 7168 = 15,032,385,536 (fp8)
 *   touched = 256 x (1 - (1 - 8/256)^32) = 256 x (1 - 0.36205528925631...)
 *           = 163.31384595038296
 *   one expert's gate + up [4096, 7168] fp8-block: 29,360,128 + 4 x 32 x 56
 *           = 29,367,296
 *   bytes = 163.31384595038296 x 29,367,296 + 256 x 7168 x 1 + 256 x 4096 x 2
 *         = 4,796,086,062.92 + 1,835,008 + 2,097,152 = 4,800,018,214.92
 * "routed experts down": FLOPs 2 x 256 x 7168 x 2048 = 7,516,192,768;
 *   bytes = 163.31384595038296 x 14,683,648 + 256 x 2048 + 256 x 7168 x 2
 *         = 2,402,237,331.46
 * "output head" (bf16 whatever the weights): N = 129280, K = 7168
 *   FLOPs = 2 x 32 x 129280 x 7168 = 59,307,458,560
 *   bytes = 2 x 926,679,040 + 32 x 7168 x 2 + 32 x 129280 x 2
 *         = 1,853,358,080 + 458,752 + 8,273,920 = 1,862,090,752
 */
static void t_perf_decode_ops_v3(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct phase *ph = &g_plan.perf.decode;
	const struct op *o;
	double touched = 163.31384595038296;

	if (load_model("deepseek-v3", &m) || load_hw("h800-sxm", &h))
		return;
	dep_setup(&m, &d, 1, 1, 1, 32, 4096, 1);
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(ph, "q_a + kv_a projection", LAYER_MOE))) {
		CHECK_EQ(o->flops, 968884224);
		CHECK_EQ(o->bytes, 15507168);
		CHECK(o->dtype == DT_FP8);
		CHECK_EQ(o->count, 58);
		CHECK_REL(o->t, max_d(968884224 / PEAK_FP8, 15507168 / HBM_3350), 1e-12);
		CHECK(o->bound == BOUND_HBM);
	}
	if ((o = op_find(ph, "q_a + kv_a projection", LAYER_DENSE))) {
		CHECK_EQ(o->flops, 968884224);      /* the same in the 3 dense layers */
		CHECK_EQ(o->count, 3);
	}
	if ((o = op_find(ph, "mla decode attention", LAYER_MOE))) {
		CHECK_EQ(o->flops, 36507222016.0);
		CHECK_EQ(o->bytes, 159907840);
		CHECK(o->dtype == DT_BF16);
		CHECK_REL(o->t, max_d(36507222016.0 / PEAK_BF16, 159907840 / HBM_3350), 1e-12);
	}
	if ((o = op_find(ph, "o projection", LAYER_MOE))) {
		CHECK_EQ(o->flops, 7516192768.0);
		CHECK_EQ(o->bytes, 118452224);
		CHECK_REL(o->t, max_d(7516192768.0 / PEAK_FP8, 118452224 / HBM_3350), 1e-12);
	}
	if ((o = op_find(ph, "routed experts gate + up", LAYER_MOE))) {
		double bytes = touched * 29367296 + 256 * 7168 + 256 * 4096 * 2;
		CHECK_EQ(o->flops, 15032385536.0);
		CHECK_REL(o->bytes, bytes, 1e-12);
		CHECK_REL(o->bytes, 4800018214.92, 1e-11);
		CHECK(o->dtype == DT_FP8);
		CHECK_REL(o->t, max_d(15032385536.0 / PEAK_FP8, bytes / HBM_3350), 1e-12);
	}
	if ((o = op_find(ph, "routed experts down", LAYER_MOE))) {
		CHECK_EQ(o->flops, 7516192768.0);
		CHECK_REL(o->bytes, touched * 14683648 + 256 * 2048 + 256 * 7168 * 2, 1e-12);
	}
	if ((o = op_find(ph, "output head", LAYER_GLOBAL))) {
		CHECK_EQ(o->flops, 59307458560.0);
		CHECK_EQ(o->bytes, 1862090752);
		CHECK(o->dtype == DT_BF16);
		CHECK_EQ(o->count, 1);
		CHECK_REL(o->t, max_d(59307458560.0 / PEAK_BF16, 1862090752 / HBM_3350), 1e-12);
	}
	/* tp 1, ep 1: no communication at all */
	CHECK_EQ(g_plan.perf.decode.t_class[OPC_TP_COMM], 0);
	CHECK_EQ(g_plan.perf.decode.t_class[OPC_EP_DISPATCH], 0);

	/* the default efficiencies (H800 card: compute 0.79, memory 0.87, t0 3 us):
	 * t = max(FLOPs / (1.979e15 x 0.79), bytes / (3.35e12 x 0.87)) + 3e-6;
	 * the q_a + kv_a tiles (1 x 17 of 128 x 128) fill no wave of 132 SMs */
	hw_uncalibrate(&h);
	dep_setup(&m, &d, 1, 1, 1, 32, 4096, 0);
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(ph, "q_a + kv_a projection", LAYER_MOE)))
		CHECK_REL(o->t, max_d(968884224 / (PEAK_FP8 * 0.79),
				      15507168 / (HBM_3350 * 0.87)) + 3e-6, 1e-12);
	if ((o = op_find(ph, "output head", LAYER_GLOBAL)))
		CHECK_REL(o->t, max_d(59307458560.0 / (PEAK_BF16 * 0.79),
				      1862090752 / (HBM_3350 * 0.87)) + 3e-6, 1e-12);
}

/*
 * Llama-3.1-70B bf16 on H100, tp 4, batch 16, context 2048, --ideal:
 * h = 64 / 4 = 16 heads, 8 / 4 = 2 KV heads per GPU, dh 128, T = 16.
 * "qkv projection": N = (16 + 2 x 2) x 128 = 2560, K = 8192
 *   FLOPs = 2 x 16 x 2560 x 8192 = 671,088,640
 *   bytes = 2 x 2560 x 8192 + 16 x 8192 x 2 + 16 x 2560 x 2
 *         = 41,943,040 + 262,144 + 81,920 = 42,287,104
 * "attention (decode)": KV per token per layer per GPU = 2 heads x (K, V)
 *   x 128 x 2 B = 1024
 *   FLOPs = 4 x 16 x 16 x 1 x 2048 x 128 = 268,435,456
 *   bytes = 16 x (2048 x 1024 + 2 x 1 x 16 x 128 x 2)
 *         = 16 x (2,097,152 + 8,192) = 33,685,504
 * "ffn gate + up": F / tp = 28672 / 4 = 7168, N = 14336, K = 8192
 *   FLOPs = 2 x 16 x 14336 x 8192 = 3,758,096,384
 *   bytes = 2 x 14336 x 8192 + 16 x 8192 x 2 + 16 x 14336 x 2
 *         = 234,881,024 + 262,144 + 458,752 = 235,601,920
 * "tp all-reduce": 16 x 8192 x 2 = 262,144 B of hidden states; bus bytes
 *   262,144 x 2 x 3/4 = 393,216; t = 393,216 / 4.5e11 = 873.8 ns; two per
 *   layer (after attention and after the FFN), 80 layers.
 */
static void t_perf_decode_ops_llama70b(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct phase *ph = &g_plan.perf.decode;
	const struct op *o;
	int i, n_ar = 0;

	if (load_model("llama-3.1-70b", &m) || load_hw("h100-sxm", &h))
		return;
	dep_setup(&m, &d, 4, 1, 1, 16, 2048, 1);
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(ph, "qkv projection", LAYER_DENSE))) {
		CHECK_EQ(o->flops, 671088640);
		CHECK_EQ(o->bytes, 42287104);
		CHECK_EQ(o->count, 80);
		CHECK(o->dtype == DT_BF16);
		CHECK_REL(o->t, max_d(671088640 / PEAK_BF16, 42287104 / HBM_3350), 1e-12);
	}
	if ((o = op_find(ph, "attention (decode)", LAYER_DENSE))) {
		CHECK_EQ(o->flops, 268435456);
		CHECK_EQ(o->bytes, 33685504);
		CHECK_REL(o->t, max_d(268435456 / PEAK_BF16, 33685504 / HBM_3350), 1e-12);
	}
	if ((o = op_find(ph, "ffn gate + up", LAYER_DENSE))) {
		CHECK_EQ(o->flops, 3758096384.0);
		CHECK_EQ(o->bytes, 235601920);
	}
	if ((o = op_find(ph, "tp all-reduce", LAYER_DENSE))) {
		CHECK_EQ(o->bytes, 393216);
		CHECK_REL(o->t, 393216 / 4.5e11, 1e-12);
		CHECK(o->bound == BOUND_SCALE_UP);
	}
	for (i = 0; i < ph->nops; i++)
		n_ar += strcmp(ph->op[i].name, "tp all-reduce") == 0;
	CHECK_EQ(n_ar, 2);
	/* 2 all-reduces x 80 layers x 873.8 ns */
	CHECK_REL(ph->t_class[OPC_TP_COMM], 160 * 393216 / 4.5e11, 1e-12);
}

/*
 * Step assembly.
 * (a) --ideal, 1 micro-batch: nothing overlaps, so decode.t_step = sum of
 *     t x count over the operators, and so does prefill.t_step; the classes
 *     and bounds each add up to the step.
 * (b) DeepSeek-V3, dp = ep = 32 on H800, batch 64 in 2 micro-batches of 32:
 *     each MoE layer takes 2 x max(compute, all-to-all), each dense layer
 *     2 x compute, the head 2 x its time (ops_step above).
 * (c) tpot = t_step / tokens per step; MTP 1 at 0.85: 1 + 0.85 = 1.85;
 *     MTP 2 at 0.8: 1 + 0.8 + 0.64 = 2.44; decode tokens/s per GPU =
 *     batch x tokens per step / t_step / tp.
 */
static void t_perf_step_assembly(void)
{
	static const char *const mtp2[] = {"num_nextn_predict_layers=2"};
	struct model m, m2, ll;
	struct hw h, h1;
	struct deployment d;
	const struct perf *p = &g_plan.perf;
	const struct op *o;
	struct err e;
	double sum;
	int k;

	if (load_model("deepseek-v3", &m) || load_model("llama-3.1-70b", &ll) ||
	    load_hw("h800-sxm", &h) || load_hw("h100-sxm", &h1))
		return;
	/* (a) */
	dep_setup(&m, &d, 1, 1, 1, 32, 4096, 1);
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(p->decode.t_step, ops_sum(&p->decode), 1e-12);
	CHECK_REL(p->prefill.t_step, ops_sum(&p->prefill), 1e-12);
	CHECK(!p->decode.overlapped);
	dep_setup(&ll, &d, 4, 1, 1, 16, 2048, 1);
	if (plan_run(&ll, &h1, &d))
		return;
	CHECK_REL(p->decode.t_step, ops_sum(&p->decode), 1e-12);
	for (sum = 0, k = 0; k < OPC_CLASSES; k++)
		sum += p->decode.t_class[k];
	CHECK_REL(sum, p->decode.t_step, 1e-12);
	for (sum = 0, k = 0; k < BOUND_KINDS; k++)
		sum += p->decode.t_bound[k];
	CHECK_REL(sum, p->decode.t_step, 1e-12);
	/* batch 16 x 1 token / t_step / tp 4 */
	CHECK_REL(p->decode_tps_gpu, 16 / p->decode.t_step / 4, 1e-12);
	CHECK_REL(p->tpot_s, p->decode.t_step, 1e-15);

	/* (b) --ideal and with the card's efficiencies */
	for (k = 1; k >= 0; k--) {
		double t_moe_m = 0;
		int i;

		dep_setup(&m, &d, 1, 32, 32, 64, 4096, k);
		d.w.micro_batches = 2;
		if (plan_run(&m, &h, &d))
			return;
		CHECK(p->decode.overlapped);
		CHECK_REL(p->decode.t_step, ops_step(&p->decode, 2), 1e-12);
		CHECK_REL(p->prefill.t_step, ops_step(&p->prefill, 2), 1e-12);
		for (i = 0; i < p->decode.nops; i++) {
			const struct op *q = &p->decode.op[i];
			if (q->layer != LAYER_MOE)
				continue;
			if (q->cls == OPC_EP_DISPATCH || q->cls == OPC_EP_COMBINE)
				t_moe_m += q->t;
		}
		CHECK(t_moe_m > 0);             /* there is an all-to-all to hide */
		/* the micro-batch is 32 sequences: 32 tokens through every operator */
		if ((o = op_find(&p->decode, "q_a + kv_a projection", LAYER_MOE)))
			CHECK_EQ(o->flops, 968884224);
		/* the same layer without overlap would take 2 x (compute + comm) */
		CHECK(p->decode.t_step < ops_step(&p->decode, 1) * 2 + 1e-15);
		for (sum = 0, i = 0; i < BOUND_KINDS; i++)
			sum += p->decode.t_bound[i];
		CHECK_REL(sum, p->decode.t_step, 1e-12);
		/* batch 64 x 1 / t_step / tp 1 */
		CHECK_REL(p->decode_tps_gpu, 64 / p->decode.t_step, 1e-12);
	}

	/* (c) MTP 1 at the default acceptance 0.85 */
	dep_setup(&m, &d, 1, 1, 1, 32, 4096, 1);
	d.mtp = d.w.mtp_depth = 1;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(p->tokens_per_step, 1.85, 1e-15);
	CHECK_REL(p->tpot_s, p->decode.t_step / 1.85, 1e-15);
	CHECK_REL(p->decode_tps_gpu, 32 * 1.85 / p->decode.t_step, 1e-12);
	CHECK_REL(p->decode_tps_user, 1.85 / p->decode.t_step, 1e-12);
	CHECK_REL(p->decode.t_step, ops_sum(&p->decode), 1e-12);
	/* the main model sees s_q = 2 tokens per sequence: 64 tokens */
	if ((o = op_find(&p->decode, "q_a + kv_a projection", LAYER_MOE)))
		CHECK_EQ(o->flops, 2 * 968884224.0);
	/* the module drafts one token per sequence: eh_proj [7168, 14336] on 32 tokens */
	if ((o = op_find(&p->decode, "eh projection", LAYER_MTP))) {
		CHECK_EQ(o->flops, 2.0 * 32 * 7168 * 14336);
		CHECK_EQ(o->count, 1);
	}
	/* MTP 2 at 0.8 needs a model with two MTP modules */
	memset(&e, 0, sizeof e);
	if (CHECK_OK(model_load("models/deepseek-v3.json", mtp2, 1, &m2, &e), &e))
		return;
	dep_setup(&m2, &d, 1, 1, 1, 32, 4096, 1);
	d.mtp = d.w.mtp_depth = 2;
	d.w.mtp_accept = 0.8;
	if (plan_run(&m2, &h, &d))
		return;
	CHECK_REL(p->tokens_per_step, 2.44, 1e-12);
	CHECK_REL(p->tpot_s, p->decode.t_step / 2.44, 1e-12);
	CHECK_REL(p->decode_tps_gpu, 32 * 2.44 / p->decode.t_step, 1e-12);
	if ((o = op_find(&p->decode, "eh projection", LAYER_MTP)))
		CHECK_EQ(o->count, 2);
	CHECK_REL(p->decode.t_step, ops_sum(&p->decode), 1e-12);
}

/*
 * Pipeline hand-off is pipeline communication whether or not MTP modules
 * are loaded: DeepSeek-V3, pp 2, --ideal, batch 8.  The "pp stage transfer"
 * moves the step's tokens' hidden states once (pp - 1 = 1) over NVLink
 * (tp 1 x pp 2 = 2 GPUs within a domain of 8, 2e11 B/s):
 *   no MTP: 8 tokens x 7168 x 2 B = 114,688 B, 114,688 / 2e11 = 0.57344 us
 *   MTP 1:  8 x (1 + 1) tokens x 7168 x 2 B = 229,376 B, 1.14688 us
 * and belongs to class "pp transfer" and layer "global" in both cases.
 * (Regression: the transfer used to inherit the MTP module's layer kind, so
 * its time landed in t_class[OPC_MTP]; fixed in 7a3cb88.)
 */
static void t_perf_pp_class(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct phase *ph = &g_plan.perf.decode;
	const struct op *o;
	int mtp;

	if (load_model("deepseek-v3", &m) || load_hw("h800-sxm", &h))
		return;
	for (mtp = 0; mtp <= 1; mtp++) {
		double bytes = 8.0 * (1 + mtp) * 7168 * 2;
		dep_setup(&m, &d, 1, 1, 1, 8, 4096, 1);
		d.pp = 2;
		d.mtp = d.w.mtp_depth = mtp;
		if (plan_run(&m, &h, &d))
			return;
		if ((o = op_find(ph, "pp stage transfer", -1))) {
			CHECK_EQ(o->bytes, bytes);
			CHECK_EQ(o->count, 1);
			CHECK_REL(o->t, bytes / 2e11, 1e-12);
			CHECK(o->cls == OPC_PP_COMM);
			CHECK(o->layer == LAYER_GLOBAL);
		}
		CHECK_REL(ph->t_class[OPC_PP_COMM], bytes / 2e11, 1e-12);
	}
}

/*
 * EP traffic of one GPU for one MoE layer (comm.h).
 * (a) One expert per GPU: copies 9, experts 256, ep 256, domain 1, no node
 *     limit: 256 domains of one GPU.  local = 9/256 = 0.03515625; remote =
 *     9 x 255/256 = 8.96484375.  Hypergeometric, 1 expert per group:
 *     P(a group untouched) = prod_{i=0..8} (255 - i)/(256 - i) = 247/256
 *     (telescoping), touched = 256 x 9/256 = 9, remote touched =
 *     9 x 255/256 = 8.96484375 = out; up = 0 x ... + (remote - out) = 0.
 * (b) comm_groups_touched(8, 256, 8): 32 experts per group,
 *     P(untouched) = C(224,8)/C(256,8) = prod_{i=0..7} (224 - i)/(256 - i)
 *       = 5,585,745,606,995,473,920 / 16,517,640,193,528,320,000
 *       = 0.3381684999521900...
 *     touched = 8 x (1 - 0.33816849995219) = 5.294652000382479
 *     small cases: (1, 256, 32): 32 x (1 - 248/256) = 1;
 *     (2, 4, 2): P = (2/4)(1/3) = 1/6, 2 x 5/6 = 5/3; copies >= experts or
 *     one group: every group.
 * (c) Node limit: copies 8, experts 256, ep 256, domain 8 (32 domains),
 *     max_domains 4: remote = 8 x 248/256 = 7.75; unlimited out would be
 *     32 x (1 - prod_{i<8} (248 - i)/(256 - i)) x 31/32 = 7.0397; capped at
 *     4 x 31/32 = 3.875; up = 8 x 7/256 + (7.75 - 3.875) = 0.21875 + 3.875
 *     = 4.09375; local 8/256 = 0.03125; local + up + out = 8.
 */
static void t_perf_ep_traffic(void)
{
	struct ep_traffic t;
	static const double eps[] = {8, 16, 32, 64, 128, 256};
	static const double doms[] = {1, 4, 8, 72};
	static const double cps[] = {2, 6, 8, 9};
	size_t a, b, c;

	comm_ep_traffic(9, 256, 256, 1, 0, &t);
	CHECK_REL(t.local_copies, 0.03515625, 1e-15);
	CHECK_REL(t.out_copies, 8.96484375, 1e-12);
	CHECK_NEAR(t.up_copies, 0, 1e-12);

	CHECK_REL(comm_groups_touched(8, 256, 8), 5.294652000382479, 1e-12);
	CHECK_REL(comm_groups_touched(8, 256, 8), 8 * (1 - 5585745606995473920.0 / 16517640193528320000.0),
		  1e-12);
	CHECK_REL(comm_groups_touched(1, 256, 32), 1, 1e-12);
	CHECK_REL(comm_groups_touched(2, 4, 2), 5.0 / 3, 1e-12);
	CHECK_EQ(comm_groups_touched(300, 256, 32), 32);
	CHECK_EQ(comm_groups_touched(8, 256, 1), 1);

	comm_ep_traffic(8, 256, 256, 8, 0, &t);
	CHECK_REL(t.out_copies, 7.039712419935603, 1e-12);
	comm_ep_traffic(8, 256, 256, 8, 4, &t);
	CHECK_REL(t.out_copies, 3.875, 1e-15);
	CHECK_REL(t.up_copies, 4.09375, 1e-12);
	CHECK_REL(t.local_copies, 0.03125, 1e-15);

	/* properties: copies are conserved, none negative, the node limit holds,
	 * and a domain holding the whole group sends nothing over the NIC */
	for (a = 0; a < sizeof eps / sizeof eps[0]; a++)
		for (b = 0; b < sizeof doms / sizeof doms[0]; b++)
			for (c = 0; c < sizeof cps / sizeof cps[0]; c++) {
				double ep = eps[a], dom = doms[b] < ep ? doms[b] : ep, N = ep / dom;
				comm_ep_traffic(cps[c], 256, ep, doms[b], 4, &t);
				CHECK_REL(t.local_copies + t.up_copies + t.out_copies, cps[c], 1e-12);
				CHECK(t.local_copies >= 0 && t.up_copies >= -1e-12 && t.out_copies >= 0);
				CHECK(t.out_copies <= 4 * (N - 1) / N + 1e-12);
				CHECK(t.out_copies <= cps[c] * (ep - dom) / ep + 1e-12);
				if (doms[b] >= ep)
					CHECK_EQ(t.out_copies, 0);
			}
}

/*
 * The ISCA 2025 speed-limit case (cmd_validate.c): DeepSeek-V3 on H800 with
 * scale_up.domain_gpus = 1, dp = ep = 256, batch 64 in 2 micro-batches,
 * shared expert routed (9 copies), no node limit, context 1, --ideal.
 * Per micro-batch 32 tokens per GPU; remote copies per token 9 x 255/256 =
 * 8.96484375 (the up + out split does not change their sum):
 *   dispatch bytes = 32 x 8.96484375 x (7168 + 4 x 56) = 286.875 x 7392
 *                  = 2,120,580
 *   combine bytes  = 286.875 x 14336 = 4,112,640
 * with every remote copy on the 50 GB/s NIC: (2,120,580 + 4,112,640) / 5e10
 * = 124.6644 us per layer (the engine counts 257 physical experts, shared
 * one included, which moves 0.006% of the copies off the NIC: within 1e-4).
 * The step's all-to-all: 2 micro-batches x 58 MoE layers x that.
 * With 4 of the card's 8 planes down the NIC bandwidth is (8 - 4)/8 = 1/2 of
 * 50 GB/s, so the (NIC-bound) all-to-all takes twice as long; all 8 down is
 * refused.  Latency (card's figures, not --ideal): 256 GPUs put 256 x 1 NIC
 * / 8 planes = 32 ports in a plane, which one leaf of radix 64 (32 down)
 * holds: 2.8 us; 288 GPUs (ep 288 with 32 redundant experts) need 36 > 32:
 * two more hops of 0.45 us, 3.7 us (ISCA 2025 Table 5: 2.8 same leaf, 3.7
 * cross leaf).
 */
static void t_perf_isca_a2a(void)
{
	static const char *const sets[] = {"scale_up.domain_gpus=1"};
	struct model m;
	struct hw h;
	struct deployment d;
	struct err e;
	const struct phase *ph = &g_plan.perf.decode;
	double a2a;

	memset(&e, 0, sizeof e);
	if (load_model("deepseek-v3", &m) ||
	    CHECK_OK(hw_load("hw/h800-sxm.json", sets, 1, &h, &e), &e))
		return;
	dep_setup(&m, &d, 1, 256, 256, 64, 1, 1);
	d.w.micro_batches = 2;
	d.w.shared_routed = 1;
	d.w.max_nodes = 0;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(ph->dispatch_bytes, 2120580, 1e-12);
	CHECK_REL(ph->combine_bytes, 4112640, 1e-12);
	CHECK_REL(ph->up_bytes + ph->out_bytes, 2120580 + 4112640, 1e-12);
	CHECK_REL(ph->a2a_s_per_layer, 124.6644e-6, 1e-4);
	CHECK_REL(ph->t_class[OPC_EP_DISPATCH] + ph->t_class[OPC_EP_COMBINE],
		  2 * 58 * ph->a2a_s_per_layer, 1e-12);
	CHECK_NEAR(ph->t_class[OPC_EP_DISPATCH] + ph->t_class[OPC_EP_COMBINE], 14.46e-3, 0.01e-3);
	a2a = ph->a2a_s_per_layer;
	d.w.planes_down = 4;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(g_plan.perf.links.out_bw, 2.5e10, 1e-15);
	CHECK_REL(ph->a2a_s_per_layer, 2 * a2a, 1e-12);
	d.w.planes_down = 8;
	memset(&g_plan, 0, sizeof g_plan);
	CHECK_RC(plan_compute(&m, &h, &d, NULL, &g_plan, &e), EXIT_USAGE, &e);
	d.w.planes_down = 0;
	d.w.ideal = 0;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(g_plan.perf.links.out_latency_s, 2.8e-6, 1e-12);
	d.redundant_experts = 32;
	d.dp = d.ep = 288;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(g_plan.perf.links.out_latency_s, 3.7e-6, 1e-12);
}

/*
 * Prefill, DeepSeek-V3 on H800, --ideal, 8192 tokens per step.
 * isl 4096: S = 4096 new tokens, P = 0, two requests per step (r = 2):
 *   pairs = 2 x 4096 x 4097 / 2 = 16,781,312
 *   "attention (prefill, causal)" FLOPs = 2 x 128 x (192 + 128) x pairs
 *     = 81,920 x 16,781,312 = 1,374,725,079,040
 *   bytes = 2 x (8192 x 128 x 192 + 8192 x 128 x 320 + 8192 x 128 x 128)
 *         = 2 x 8192 x 128 x 640 = 1,342,177,280
 *   "kv_b projection (K, V up)" over 2 x 4096 = 8192 context tokens:
 *     FLOPs = 2 x 8192 x (128 x (128 + 128)) x 512 = 274,877,906,944
 *   "output head": one logit row per request, 2 rows:
 *     FLOPs = 2 x 2 x 129280 x 7168 = 3,706,716,160
 *   ttft = 1 step; prefill tokens/s per GPU = 8192 / t_step.
 * isl 32768: 4 chunks of 8192; pairs per chunk = (32768 x 32769 / 2) / 4
 *   = 536,887,296 / 4 = 134,221,824 -> FLOPs 81,920 x 134,221,824 =
 *   10,995,451,822,080; context up-projected on average 8192 x (1+2+3+4)/4
 *   = 20,480 tokens; ttft = 4 x t_step.
 * isl 4096, prefix hit 0.5: S = 2048 new tokens after P = 2048 cached, 4
 *   requests per step: pairs = 4 x (2048 x 2048 + 2048 x 2049 / 2) =
 *   4 x 6,292,480 = 25,169,920 -> FLOPs 2,061,919,846,400; context 4 x 4096
 *   = 16,384 tokens up-projected.
 */
static void t_perf_prefill(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct perf *p = &g_plan.perf;
	const struct op *o;

	if (load_model("deepseek-v3", &m) || load_hw("h800-sxm", &h))
		return;
	dep_setup(&m, &d, 1, 1, 1, 1, 4096, 1);
	d.w.isl = 4096;
	d.w.prefill_tokens = 8192;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(p->prefill_new_tokens, 4096);
	CHECK_EQ(p->prefill.tokens, 8192);
	if ((o = op_find(&p->prefill, "attention (prefill, causal)", LAYER_MOE))) {
		CHECK_EQ(o->flops, 1374725079040.0);
		CHECK_EQ(o->bytes, 1342177280);
		CHECK_REL(o->t, max_d(1374725079040.0 / PEAK_BF16, 1342177280 / HBM_3350), 1e-12);
	}
	if ((o = op_find(&p->prefill, "kv_b projection (K, V up)", LAYER_MOE)))
		CHECK_EQ(o->flops, 274877906944.0);
	if ((o = op_find(&p->prefill, "q_a + kv_a projection", LAYER_MOE)))
		CHECK_EQ(o->flops, 2.0 * 8192 * 2112 * 7168);
	if ((o = op_find(&p->prefill, "output head", LAYER_GLOBAL)))
		CHECK_EQ(o->flops, 3706716160.0);
	/* TTFT is one request alone: its 4096 tokens, not the shared step */
	CHECK(p->ttft_s < p->prefill.t_step);
	CHECK_REL(p->prefill_tps_gpu, 8192 / p->prefill.t_step, 1e-12);

	d.w.isl = 32768;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(p->prefill_new_tokens, 32768);
	CHECK_EQ(p->prefill.tokens, 8192);
	if ((o = op_find(&p->prefill, "attention (prefill, causal)", LAYER_MOE)))
		CHECK_EQ(o->flops, 10995451822080.0);
	if ((o = op_find(&p->prefill, "kv_b projection (K, V up)", LAYER_MOE)))
		CHECK_EQ(o->flops, 2.0 * 20480 * 32768 * 512);
	CHECK_REL(p->ttft_s, 4 * p->prefill.t_step, 1e-15);

	d.w.isl = 4096;
	d.w.prefix_hit = 0.5;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(p->prefill_new_tokens, 2048);
	if ((o = op_find(&p->prefill, "attention (prefill, causal)", LAYER_MOE)))
		CHECK_EQ(o->flops, 2061919846400.0);
	if ((o = op_find(&p->prefill, "kv_b projection (K, V up)", LAYER_MOE)))
		CHECK_EQ(o->flops, 2.0 * 16384 * 32768 * 512);
	if ((o = op_find(&p->prefill, "output head", LAYER_GLOBAL)))
		CHECK_EQ(o->flops, 4.0 * 2 * 129280 * 7168);   /* 4 requests */
	CHECK(p->ttft_s < p->prefill.t_step);

	/* GQA prefill, Llama-3.1-70B tp 4 on H100: isl 2048, 8192 per step = 4
	 * requests: pairs 4 x 2048 x 2049 / 2 = 8,392,704; FLOPs 4 h dh pairs =
	 * 4 x 16 x 128 x 8,392,704 = 68,753,031,168 */
	if (load_model("llama-3.1-70b", &m) || load_hw("h100-sxm", &h))
		return;
	dep_setup(&m, &d, 4, 1, 1, 1, 2048, 1);
	d.w.isl = 2048;
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(&p->prefill, "attention (prefill, causal)", LAYER_DENSE)))
		CHECK_EQ(o->flops, 68753031168.0);
}

/* ---- 11. performance properties ------------------------------------------------ */

struct pcase { const char *model, *hw; double tp, dp, ep; };

/* Layouts that plan_check accepts and whose cards have the links they need. */
static const struct pcase pcases[] = {
	{"llama-3.1-70b", "h100-sxm", 4, 1, 1},
	{"llama-3.1-8b", "h200-sxm", 1, 1, 1},
	{"qwen2.5-72b", "b200", 8, 1, 1},
	{"mixtral-8x7b", "mi300x", 2, 1, 1},
	{"deepseek-v3", "h800-sxm", 1, 32, 32},
	{"deepseek-v3", "h800-sxm", 8, 1, 1},
	{"deepseek-v2-lite", "h20", 1, 8, 8},
	{"kimi-k2", "gb200-nvl72", 1, 64, 64},
};
#define NPCASES (sizeof pcases / sizeof pcases[0])

/* Decode and prefill step, tpot and tokens/s per GPU of one plan. */
struct pres { double dec, pre, tpot, tps; };

static int prun(const struct pcase *c, const char *set, double batch, double mb,
		double context, int ideal, struct pres *r)
{
	const char *sets[1];
	struct model m;
	struct hw h;
	struct deployment d;
	struct err e;
	char path[256];

	sets[0] = set;
	memset(&e, 0, sizeof e);
	snprintf(path, sizeof path, "hw/%s.json", c->hw);
	if (load_model(c->model, &m))
		return -1;
	if (hw_load(path, sets, set ? 1 : 0, &h, &e)) {
		t_failed++;
		printf("#   cannot load %s with '%s': %s\n", path, set ? set : "", e.msg);
		return -1;
	}
	dep_setup(&m, &d, c->tp, c->dp, c->ep, batch, context, ideal);
	d.w.micro_batches = mb;
	if (plan_run(&m, &h, &d))
		return -1;
	r->dec = g_plan.perf.decode.t_step;
	r->pre = g_plan.perf.prefill.t_step;
	r->tpot = g_plan.perf.tpot_s;
	r->tps = g_plan.perf.decode_tps_gpu;
	return 0;
}

static void prop_fail(const struct pcase *c, const char *what, double x, double a, double b)
{
	t_failed++;
	printf("#   %s on %s tp %g dp %g ep %g: %s at %g: %.9g then %.9g\n", c->model, c->hw,
	       c->tp, c->dp, c->ep, what, x, a, b);
}

/*
 * Doubling the batch never lowers decode tokens/s per GPU: every operator's
 * FLOPs and activation bytes grow linearly in the tokens while its weight
 * bytes and t0 do not, and touched experts E(1 - q^2T) <= 2 E(1 - q^T), so
 * t(2B) <= 2 t(B).  Checked with the card's efficiencies (t0 > 0) over
 * batch 1..64 (Llama-3.1-70B tp 4 on H100 is the memory-bound case asked
 * for) and over every case of the table.
 */
static void t_perf_prop_batch(void)
{
	size_t i;
	double b;
	struct pres r0, r1;

	for (i = 0; i < NPCASES; i++) {
		if (prun(&pcases[i], NULL, 1, 1, 4096, 0, &r0))
			return;
		for (b = 2; b <= 64; b *= 2) {
			if (prun(&pcases[i], NULL, b, 1, 4096, 0, &r1))
				return;
			if (!(r1.tps >= r0.tps * (1 - 1e-12)))
				prop_fail(&pcases[i], "tokens/s per GPU fell, batch", b, r0.tps, r1.tps);
			if (!(r1.dec >= r0.dec))
				prop_fail(&pcases[i], "a larger batch took less time, batch", b, r0.dec, r1.dec);
			r0 = r1;
		}
	}
}

/* More HBM bandwidth (gpu.hbm_gbs doubled) never makes a decode or prefill
 * step slower; nor does more scale-out bandwidth (scale_out.nic_gbps
 * doubled) an expert-parallel one, with 1 or 2 micro-batches. */
static void t_perf_prop_bandwidth(void)
{
	size_t i;
	int ideal;
	double mb;
	struct pres r0, r1;
	struct hw h;
	char set[64];

	for (i = 0; i < NPCASES; i++)
		for (ideal = 0; ideal <= 1; ideal++) {
			if (load_hw(pcases[i].hw, &h) || prun(&pcases[i], NULL, 32, 1, 4096, ideal, &r0))
				return;
			snprintf(set, sizeof set, "gpu.hbm_gbs=%.17g", 2 * h.gpu.hbm_bw / 1e9);
			if (prun(&pcases[i], set, 32, 1, 4096, ideal, &r1))
				return;
			if (!(r1.dec <= r0.dec))
				prop_fail(&pcases[i], "2x HBM slowed decode, ideal", ideal, r0.dec, r1.dec);
			if (!(r1.pre <= r0.pre))
				prop_fail(&pcases[i], "2x HBM slowed prefill, ideal", ideal, r0.pre, r1.pre);
			if (pcases[i].ep <= 1 || isnan(h.scale_out.nic_bw))
				continue;
			for (mb = 1; mb <= 2; mb++) {
				if (prun(&pcases[i], NULL, 32, mb, 4096, ideal, &r0))
					return;
				snprintf(set, sizeof set, "scale_out.nic_gbps=%.17g", 2 * 8 * h.scale_out.nic_bw / 1e9);
				if (prun(&pcases[i], set, 32, mb, 4096, ideal, &r1))
					return;
				if (!(r1.dec <= r0.dec))
					prop_fail(&pcases[i], "2x NIC slowed decode, micro-batches", mb, r0.dec, r1.dec);
				if (!(r1.pre <= r0.pre))
					prop_fail(&pcases[i], "2x NIC slowed prefill, micro-batches", mb, r0.pre, r1.pre);
			}
		}
}

/*
 * --ideal (efficiencies 1, t0 0, no latencies) is never slower than the
 * card's efficiencies, for decode and prefill, 1 or 2 micro-batches; and
 * TPOT never falls as the context doubles from 512 to 131072.
 *
 * Not asserted: "more micro-batches never make a MoE layer slower".  Two
 * micro-batches read every weight twice and launch every kernel twice (2 t0),
 * so when the all-to-all is small against compute (tp 1, ep 1, or a fast
 * scale-up) a step with 2 micro-batches is slower by design; the overlap
 * only pays when 2 max(c/2', m/2') < c + m.
 */
static void t_perf_prop_ideal_context(void)
{
	size_t i;
	double mb, L;
	struct pres r0, r1;

	for (i = 0; i < NPCASES; i++) {
		for (mb = 1; mb <= 2; mb++) {
			if (prun(&pcases[i], NULL, 32, mb, 4096, 0, &r0) ||
			    prun(&pcases[i], NULL, 32, mb, 4096, 1, &r1))
				return;
			if (!(r1.dec <= r0.dec))
				prop_fail(&pcases[i], "--ideal slower in decode, micro-batches", mb, r0.dec, r1.dec);
			if (!(r1.pre <= r0.pre))
				prop_fail(&pcases[i], "--ideal slower in prefill, micro-batches", mb, r0.pre, r1.pre);
		}
		if (prun(&pcases[i], NULL, 8, 1, 512, 0, &r0))
			return;
		for (L = 1024; L <= 131072; L *= 2) {
			if (prun(&pcases[i], NULL, 8, 1, L, 0, &r1))
				return;
			if (!(r1.tpot >= r0.tpot))
				prop_fail(&pcases[i], "TPOT fell, context", L, r0.tpot, r1.tpot);
			r0 = r1;
		}
	}
}

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

/* ---- the table ---------------------------------------------------------------- */

struct test {
	const char *name;
	void (*fn)(void);
};


/* ---- network: fat trees and collectives (hand-derived closed forms) ---------- */

static void t_topo_radices(void)
{
	struct topo_prices none = {NAN, NAN, NAN, NAN};
	struct topo t;
	struct err e;

	/* FT2: k^2/2 endpoints, k leaf + k/2 spine, k^2/2 switch links */
	CHECK_OK(topo_size(TOPO_FT2, 0, 40, 1, 1, &none, &t, &e), &e);
	CHECK_EQ(t.endpoints, 800);          /* Fire-Flyer's "800-port fat tree" */
	CHECK_EQ(t.switches, 60);
	CHECK_EQ(t.links, 800);
	CHECK_OK(topo_size(TOPO_FT2, 0, 128, 1, 1, &none, &t, &e), &e);
	CHECK_EQ(t.endpoints, 8192);
	CHECK_EQ(t.switches, 192);
	CHECK_EQ(t.links, 8192);
	CHECK_OK(topo_size(TOPO_FT2, 0, 144, 1, 1, &none, &t, &e), &e);
	CHECK_EQ(t.endpoints, 10368);        /* Quantum-X800: 144^2/2 */
	CHECK_EQ(t.switches, 216);
	/* FT3 at 40 ports: 40^3/4 = 16000 endpoints, 5 x 1600/4 = 2000 switches, 40^3/2 links */
	CHECK_OK(topo_size(TOPO_FT3, 0, 40, 1, 1, &none, &t, &e), &e);
	CHECK_EQ(t.endpoints, 16000);
	CHECK_EQ(t.switches, 2000);
	CHECK_EQ(t.core, 400);
	CHECK_EQ(t.links, 32000);
	/* MPFT, 4 planes of radix 128: 4 x 8192 endpoints, 4 x 192 switches */
	CHECK_OK(topo_size(TOPO_MPFT, 0, 128, 4, 1, &none, &t, &e), &e);
	CHECK_EQ(t.endpoints, 32768);
	CHECK_EQ(t.switches, 768);
	CHECK_EQ(t.links, 32768);
	/* a partial FT2: 1000 endpoints, radix 64 -> ceil(1000/32) = 32 leaves,
	 * ceil(32 x 32 / 64) = 16 spines, 32 x 32 = 1024 uplinks */
	CHECK_OK(topo_size(TOPO_FT2, 1000, 64, 1, 1, &none, &t, &e), &e);
	CHECK_EQ(t.leaf, 32);
	CHECK_EQ(t.spine, 16);
	CHECK_EQ(t.links, 1024);
	CHECK_EQ(t.endpoint_links, 1000);
	/* 3:1 oversubscription: 48 ports down, 16 up, 48 x 64 = 3072 endpoints */
	CHECK_OK(topo_size(TOPO_FT2, 0, 64, 1, 3, &none, &t, &e), &e);
	CHECK_EQ(t.endpoints, 3072);
	CHECK_EQ(t.spine, 16);              /* 64 leaves x 16 up / 64 ports */
	/* bad shapes */
	CHECK_RC(topo_size(TOPO_FT2, 0, 63, 1, 1, &none, &t, &e), EXIT_USAGE, &e);
	CHECK_RC(topo_size(TOPO_FT2, 0, 2, 1, 1, &none, &t, &e), EXIT_USAGE, &e);
	CHECK_RC(topo_size(TOPO_MPFT, 0, 64, 0, 1, &none, &t, &e), EXIT_USAGE, &e);
	CHECK_RC(topo_size(TOPO_FT2, 4096, 64, 1, 1, &none, &t, &e), EXIT_NO, &e);
	CHECK(isnan(t.cost_usd) || 1);
}

static void t_topo_cost_order(void)
{
	struct hw h;
	struct err e;
	struct topo_prices pr;
	struct topo mpft, ft3, pick;

	if (!CHECK_OK(hw_load("hw/h800-sxm.json", NULL, 0, &h, &e), &e))
		return;
	pr = (struct topo_prices){h.scale_out.switch_usd, h.scale_out.link_usd,
				  h.scale_out.endpoint_link_usd, h.scale_out.switch_w};
	/* 16,384 endpoints: MPFT (8 planes) against FT3 at radix 64 */
	CHECK_OK(topo_size(TOPO_MPFT, 16384, 64, 8, 1, &pr, &mpft, &e), &e);
	CHECK_OK(topo_size(TOPO_FT3, 16384, 64, 1, 1, &pr, &ft3, &e), &e);
	CHECK(mpft.cost_usd < ft3.cost_usd);
	CHECK(mpft.cost_per_endpoint_usd < ft3.cost_per_endpoint_usd);
	/* MPFT cost = 768 x 52900 + 16384 x 1440 + 16384 x 470 = 71,918,640 */
	CHECK_EQ(mpft.cost_usd, 768 * 52900.0 + 16384 * 1440.0 + 16384 * 470.0);
	CHECK_OK(topo_smallest(16384, 64, 8, 1, &pr, &pick, &e), &e);
	CHECK(pick.kind == TOPO_MPFT);
	CHECK_OK(topo_smallest(2000, 64, 8, 1, &pr, &pick, &e), &e);
	CHECK(pick.kind == TOPO_FT2);
	CHECK_RC(topo_smallest(70000, 64, 1, 1, &pr, &pick, &e), EXIT_NO, &e);
}

static void t_comm_collectives(void)
{
	struct hw h;
	struct links l;
	struct err e;

	/* 1 GB all-reduce over 8 GPUs at 450 GB/s: 1e9 x 2 x 7/8 / 450e9 */
	CHECK_REL(comm_collective_s(COLL_ALLREDUCE, 8, 1e9, 450e9, 0), 1e9 * 1.75 / 450e9, 1e-12);
	CHECK_REL(comm_collective_s(COLL_ALLGATHER, 8, 1e9, 450e9, 3.33e-6), 3.33e-6 + 1e9 * 0.875 / 450e9, 1e-12);
	CHECK_REL(comm_collective_s(COLL_REDUCESCATTER, 4, 1e9, 100e9, 0), 1e9 * 0.75 / 100e9, 1e-12);
	CHECK_REL(comm_collective_s(COLL_P2P, 2, 1e9, 50e9, 2.8e-6), 2.8e-6 + 0.02, 1e-12);
	/* MI300X mesh: 4 GPUs all-to-all use 3 of the 64 GB/s pair links */
	CHECK_REL(comm_collective_s(COLL_ALLTOALL, 4, 1e9, 3 * 64e9, 0), 1e9 * 0.75 / 192e9, 1e-12);
	CHECK_EQ(comm_busbw_factor(COLL_ALLREDUCE, 8), 1.75);
	CHECK_EQ(comm_busbw_factor(COLL_ALLTOALL, 8), 0.875);
	CHECK(comm_collective_parse("all-reduce") == COLL_ALLREDUCE);
	CHECK(comm_collective_parse("gossip") < 0);
	/* H800: 8 planes; one down leaves 7/8 of 400 Gb/s x 0.8 efficiency */
	if (!CHECK_OK(hw_load("hw/h800-sxm.json", NULL, 0, &h, &e), &e))
		return;
	CHECK_EQ(comm_planes(&h), 8);
	comm_links(&h, 0, 256, 1, &l);
	CHECK_REL(l.out_bw, 50e9 * 0.8 * 7 / 8, 1e-12);
	/* 256 GPUs over 8 planes: 32 ports a plane fit one 64-port leaf (32 down): 2.8 us */
	CHECK(!l.cross_leaf);
	CHECK_REL(l.out_latency_s, 2.8e-6, 1e-9);
	/* 2048 GPUs: 256 a plane, more than a leaf: 2.8 + 2 x 0.45 = 3.7 us (ISCA Table 5) */
	comm_links(&h, 0, 2048, 0, &l);
	CHECK(l.cross_leaf);
	CHECK_REL(l.out_latency_s, 3.7e-6, 1e-9);
	CHECK_REL(l.out_bw, 50e9 * 0.8, 1e-12);
}

/* ---- hostile input: the engine's answers ------------------------------------ */

/*
 * TTFT is the time until one request's first token: its (1 - prefix hit) x isl
 * new tokens, alone, in chunks of --prefill-tokens, attending to the whole isl.
 * DeepSeek-V3 on H800 tp 1, --ideal, chunk 8192:
 *  - isl 16384, prefix hit 0.5: S = 8192 new tokens after P = 8192 cached, one
 *    chunk alone: pairs = 8192 x 8192 + 8192 x 8193 / 2 = 100,667,392, so the
 *    attention FLOPs are 2 x 128 x (192 + 128) x pairs = 8,246,672,752,640,
 *    K and V up-projected for all 16,384 tokens; TTFT = that step.
 *  - isl 4096, hit 0 (half a chunk): TTFT equals the step of a 4096-token
 *    budget (the request alone), below the shared 8192-token step.
 *  - isl 8192 = one chunk, hit 0: TTFT = the step time of the old model.
 */
static void t_engine_ttft_request(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct perf *p = &g_plan.perf;
	const struct op *o;
	double alone, prev;
	static const double hits[] = {0, 0.25, 0.5, 0.75, 0.9};
	static const double isls[] = {512, 2048, 4096, 8192, 16384, 32768};
	size_t i;

	if (load_model("deepseek-v3", &m) || load_hw("h800-sxm", &h))
		return;
	dep_setup(&m, &d, 1, 1, 1, 1, 32768, 1);
	d.w.prefill_tokens = 8192;
	d.w.isl = 16384;
	d.w.prefix_hit = 0.5;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(p->prefill_new_tokens, 8192);
	if ((o = op_find(&p->prefill, "attention (prefill, causal)", LAYER_MOE)))
		CHECK_EQ(o->flops, 8246672752640.0);
	if ((o = op_find(&p->prefill, "kv_b projection (K, V up)", LAYER_MOE)))
		CHECK_EQ(o->flops, 2.0 * 16384 * 32768 * 512);
	CHECK_REL(p->ttft_s, p->prefill.t_step, 1e-15);

	d.w.isl = 4096;
	d.w.prefix_hit = 0;
	d.w.prefill_tokens = 4096;
	if (plan_run(&m, &h, &d))
		return;
	alone = p->prefill.t_step;
	CHECK_REL(p->ttft_s, alone, 1e-15);
	d.w.prefill_tokens = 8192;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(p->ttft_s, alone, 1e-12);
	CHECK(p->prefill.t_step > alone);    /* the shared step holds two requests */
	CHECK_REL(p->prefill_tps_gpu, 8192 / p->prefill.t_step, 1e-12);

	/* Llama-3.1-70B on H100 tp 4, chunk 8192, default
	 * efficiencies: strictly falls with the prefix hit, grows with isl */
	if (load_model("llama-3.1-70b", &m) || load_hw("h100-sxm", &h))
		return;
	dep_setup(&m, &d, 4, 1, 1, 1, 32768, 0);
	d.w.isl = 4096;
	prev = INFINITY;
	for (i = 0; i < sizeof hits / sizeof hits[0]; i++) {
		d.w.prefix_hit = hits[i];
		if (plan_run(&m, &h, &d))
			return;
		if (!(p->ttft_s < prev))
			printf("#   prefix hit %g: TTFT %g s not below %g s\n", hits[i], p->ttft_s, prev);
		CHECK(p->ttft_s < prev);
		prev = p->ttft_s;
	}
	d.w.prefix_hit = 0;
	prev = 0;
	for (i = 0; i < sizeof isls / sizeof isls[0]; i++) {
		d.w.isl = isls[i];
		if (plan_run(&m, &h, &d))
			return;
		if (!(p->ttft_s > prev))
			printf("#   isl %g: TTFT %g s not above %g s\n", isls[i], p->ttft_s, prev);
		CHECK(p->ttft_s > prev);
		prev = p->ttft_s;
		if (isls[i] == 8192)     /* one chunk: the request fills the step */
			CHECK_REL(p->ttft_s, p->prefill.t_step, 1e-15);
	}
	/* isl = one chunk, --ideal: the old model's step time, 0.37747105688609167 s
	 * (mlasim before this change, same case) */
	d.w.isl = 8192;
	d.w.ideal = 1;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(p->ttft_s, 0.37747105688609167, 1e-12);
}

/*
 * Elementwise kernels by hand (perf.h).  Llama 3.1 8B decode on H100, tp 2,
 * batch 16, bf16 (nothing to quantise): T = 16 tokens, d = 4096, h = 16 and
 * hk = 4 heads of 128 per GPU, FFN width f = 14336 / 2 = 7168.  Per layer the
 * norm before attention and the one before the FFN, 8 T d = 524,288 B each
 * (fused_add_rms_norm), rope 4 T (h + hk) 128 = 163,840 B, silu x mul
 * 6 T f = 688,128 B: 4 kernels, 1,900,544 B, at t0 and eff_mem of the card's
 * elementwise class.  Under vLLM (its card: the norm rides in the all-reduce
 * where its own all-reduce runs it, here 131,072 B on 2 Hopper GPUs, below
 * its 64 MiB) the norms go: 2 kernels, 851,968 B, t0 scaled by its CUDA-graph
 * share; under TensorRT-LLM rope goes too: 1 kernel, 688,128 B.  The final
 * norm is 524,288 B.  Quantisation (perf_quant_bytes), 16 x 7168: fp8 block
 * 16 x 7168 x (3 + 4/128) = 347,648 B in one kernel; per-tensor fp8 dynamic
 * 16 x 7168 x 5 + 4 = 573,444 B in two, static 344,068 B in one; nvfp4
 * 16 x 7168 x (2.5 + 1/16) + 4 = 293,892 B; bf16 nothing.
 */
static void t_elementwise(void)
{
	struct model m;
	struct hw h, h800;
	struct deployment d;
	struct engine g;
	struct err e;
	const struct op *o;
	const struct hw_kernel_eff *k;
	double b, busy;

	memset(&e, 0, sizeof e);
	CHECK_EQ(perf_quant_bytes(WF_FP8_BLOCK, 1, 16, 7168, &b), 1);
	CHECK_REL(b, 347648, 1e-12);
	CHECK_EQ(perf_quant_bytes(WF_FP8, 1, 16, 7168, &b), 2);
	CHECK_REL(b, 573444, 1e-12);
	CHECK_EQ(perf_quant_bytes(WF_FP8, 0, 16, 7168, &b), 1);
	CHECK_REL(b, 344068, 1e-12);
	CHECK_EQ(perf_quant_bytes(WF_NVFP4, 1, 16, 7168, &b), 1);
	CHECK_REL(b, 293892, 1e-12);
	CHECK_EQ(perf_quant_bytes(WF_BF16, 1, 16, 7168, &b), 0);
	CHECK_EQ(b, 0);
	if (load_model("llama-3.1-8b", &m) || load_hw("h100-sxm", &h) || load_hw("h800-sxm", &h800))
		return;
	/* aiconfigurator's TRT-LLM Linear times the quantisation with the GEMM;
	 * DeepGEMM's and InferSim's kernels (H800) do not */
	CHECK(h.kern[K_GEMM_FP8_BLOCK].act_quant && h.kern[K_GEMM_FP8].act_quant);
	CHECK(!h800.kern[K_GEMM_FP8_BLOCK].act_quant);
	k = &h.kern[K_ELEMWISE];
	CHECK(k->calibrated == KCAL_PUBLISHED);
	/* one kernel: kern_stream_seconds is kern_seconds of a shape with no FLOPs */
	{
		struct kshape s = {0, 1e6, 0, 0, 0, 1, 0, 0};
		CHECK_REL(kern_stream_seconds(k, h.gpu.hbm_bw, 1, 1e6, &busy),
			  kern_seconds(k, kern_peak(&h, DT_BF16), h.gpu.hbm_bw, 0, &s, NULL, NULL), 1e-12);
	}
	dep_setup(&m, &d, 2, 1, 1, 16, 4096, 0);
	if (plan_run(&m, &h, &d))
		return;
	o = op_find(&g_plan.perf.decode, "elementwise kernels", -1);
	if (!o)
		return;
	CHECK_REL(o->bytes, 1900544, 1e-12);
	CHECK_REL(o->t, 4 * k->t0_s + 1900544 / (k->memory * 3.35e12), 1e-12);
	o = op_find(&g_plan.perf.decode, "final rmsnorm", -1);
	if (o)
		CHECK_REL(o->t, k->t0_s + 524288 / (k->memory * 3.35e12), 1e-12);
	if (CHECK_OK(engine_load("engines/vllm.json", &g, &e), &e))
		return;
	serve_engine_apply(&g, &h, &d);
	if (plan_run(&m, &h, &d))
		return;
	o = op_find(&g_plan.perf.decode, "elementwise kernels", -1);
	if (o) {
		CHECK_REL(o->bytes, 851968, 1e-12);
		CHECK_REL(o->t, 2 * k->t0_s * g.graph_latency_share + 851968 / (k->memory * 3.35e12), 1e-12);
	}
	/* TP 4, 512 tokens: a 4 MiB message, past vLLM's 2 MiB for the fused kernel on
	 * Hopper, so both norms run apart again: 2 x 8 T d + rope 4 T (8 + 2) 128 +
	 * silu x mul 6 T 14336 / 4 = 47185920 bytes in 4 kernels */
	dep_setup(&m, &d, 4, 1, 1, 512, 4096, 0);
	serve_engine_apply(&g, &h, &d);
	if (plan_run(&m, &h, &d))
		return;
	o = op_find(&g_plan.perf.decode, "elementwise kernels", -1);
	if (o) {
		CHECK_REL(o->bytes, 47185920, 1e-12);
		CHECK_REL(o->t, 4 * k->t0_s * g.graph_latency_share + 47185920 / (k->memory * 3.35e12), 1e-12);
	}
	dep_setup(&m, &d, 2, 1, 1, 16, 4096, 0);
	if (CHECK_OK(engine_load("engines/trtllm.json", &g, &e), &e))
		return;
	serve_engine_apply(&g, &h, &d);
	if (plan_run(&m, &h, &d))
		return;
	o = op_find(&g_plan.perf.decode, "elementwise kernels", -1);
	if (o)
		CHECK_REL(o->bytes, 688128, 1e-12);
	/* --ideal: the closed-form analyses count no elementwise kernels */
	d.w.ideal = 1;
	d.w.engine = NULL;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(g_plan.perf.decode.t_class[OPC_ELEMWISE], 0);
}

/*
 * DeepEP's normal kernels in prefill (comm.h).  DeepSeek-V3, top-8 of 256
 * experts on EP 8: a token reaches 8 (1 - (224 x 223 x ... x 217) / (256 x
 * 255 x ... x 249)) = 8 (1 - 0.33816850) = 5.2946520 of the 8 GPUs, 4.6328205
 * of them others (x 7/8), once each.  H100, dp 8, ep 8, prefill in steps of
 * 8192 tokens, one micro-batch: dispatch moves 8192 x 4.6328205 x 7392 B (fp8
 * with its scales) and takes the card's deepep_normal fit, lat + bytes / bw.
 * With two micro-batches a MoE layer's compute C beside its all-to-all A
 * takes max(A, C + A x 20/132): DeepEP's 20 SMs of H100's 132 (Buffer.num_sms).
 */
static void t_deepep_normal(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct op *o;
	const struct phase *ph = &g_plan.perf.prefill;
	double bytes, c = 0, a = 0, count = 0, rest = 0, s = 20.0 / 132;
	int i;

	CHECK_REL(comm_ep_normal_copies(8, 256, 8), 8 * (1 - 0.33816849995218995) * 7 / 8, 1e-12);
	CHECK_EQ(comm_ep_normal_copies(8, 256, 1), 0);
	if (load_model("deepseek-v3", &m) || load_hw("h100-sxm", &h))
		return;
	CHECK(h.ep_normal[0].bw > 0 && h.ep_normal[1].bw > 0);
	dep_setup(&m, &d, 1, 8, 8, 64, 4096, 0);
	if (plan_run(&m, &h, &d))
		return;
	bytes = 8192 * comm_ep_normal_copies(8, 256, 8) * 7392;
	o = op_find(ph, "ep dispatch", LAYER_MOE);
	if (o) {
		CHECK_REL(o->bytes, bytes, 1e-12);
		CHECK_REL(o->t, h.ep_normal[0].lat_s + bytes / h.ep_normal[0].bw, 1e-12);
	}
	o = op_find(ph, "ep combine", LAYER_MOE);
	if (o)
		CHECK_REL(o->t, h.ep_normal[1].lat_s + bytes / 7392 * 14336 / h.ep_normal[1].bw, 1e-12);
	d.w.micro_batches = 2;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(ph->ep_sm_share, s, 1e-12);
	for (i = 0; i < ph->nops; i++) {
		const struct op *q = &ph->op[i];
		if (q->layer == LAYER_MOE && (q->cls == OPC_EP_DISPATCH || q->cls == OPC_EP_COMBINE))
			a += q->t;
		else if (q->layer == LAYER_MOE)
			c += q->t, count = q->count;
		else
			rest += q->t * q->count;   /* dense layers (no all-to-all), head, final norm */
	}
	CHECK_REL(ph->t_step, 2 * (count * (c + a * s > a ? c + a * s : a) + rest), 1e-12);
}

/* The seconds of the first operator of class c in ph, less `latency`. */
static double op_busy(const struct phase *ph, enum opclass c, double latency)
{
	int i;

	for (i = 0; i < ph->nops; i++)
		if (ph->op[i].cls == c)
			return ph->op[i].t - latency;
	t_failed++;
	printf("#   no operator of class %s\n", perf_class_name(c));
	return NAN;
}

/*
 * The achievable link figures are what a collective sees.  H800: NVLink 200
 * GB/s nominal, 160 achievable; NIC 400 Gb/s = 50 GB/s nominal, 40 effective.
 * Halving either figure with --set halves that link's bandwidth, so the
 * bandwidth part of a TP all-reduce (tp 8, one domain) doubles; the nominal
 * figures and efficiency.* stay for sizing and for cards without the keys.
 * DeepSeek-V3 tp 8, batch 16 decode: 16 x 7168 x 2 B = 229,376 B per all-reduce,
 * x 2 x 7/8 = 401,408 B over 160 GB/s = 2.5088 us past the latency.
 */
static void t_engine_achievable_links(void)
{
	const char *up80[] = {"scale_up.achievable_gbs_per_dir=80"};
	const char *nic20[] = {"scale_out.effective_gbs_per_nic=20"};
	const char *over[] = {"scale_up.achievable_gbs_per_dir=300"};
	struct model m;
	struct hw h;
	struct deployment d;
	struct links l;
	struct err e;
	double base;

	memset(&e, 0, sizeof e);
	if (load_hw("h800-sxm", &h) || load_model("deepseek-v3", &m))
		return;
	comm_links(&h, 0, 8, 0, &l);
	CHECK_REL(l.up_bw, 160e9, 1e-12);
	CHECK_REL(l.out_bw, 40e9, 1e-12);
	dep_setup(&m, &d, 8, 1, 1, 16, 4096, 0);
	if (plan_run(&m, &h, &d))
		return;
	base = op_busy(&g_plan.perf.decode, OPC_TP_COMM, l.up_latency_s);
	CHECK_REL(base, 2.5088e-6, 1e-9);
	if (CHECK_OK(hw_load("hw/h800-sxm.json", up80, 1, &h, &e), &e))
		return;
	comm_links(&h, 0, 8, 0, &l);
	CHECK_REL(l.up_bw, 80e9, 1e-12);
	CHECK_REL(l.out_bw, 40e9, 1e-12);
	if (plan_run(&m, &h, &d))
		return;
	CHECK_REL(op_busy(&g_plan.perf.decode, OPC_TP_COMM, l.up_latency_s), 2 * base, 1e-9);
	if (CHECK_OK(hw_load("hw/h800-sxm.json", nic20, 1, &h, &e), &e))
		return;
	comm_links(&h, 0, 8, 0, &l);
	CHECK_REL(l.up_bw, 160e9, 1e-12);
	CHECK_REL(l.out_bw, 20e9, 1e-12);
	/* faster than the spec is refused */
	CHECK_RC(hw_load("hw/h800-sxm.json", over, 1, &h, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'scale_up.achievable_gbs_per_dir' (300) must not exceed");
}

/*
 * A larger NVLink domain can give a slower TPOT, and that is the model's
 * physics, not a defect: an EP group split over two domains sends part of its
 * all-to-all over the NICs at the same time as NVLink (DeepEP: one NIC copy per
 * remote domain, forwarded inside it), so each GPU has NVLink + NIC bandwidth;
 * in one domain the NICs sit idle and NVLink carries every copy.
 * DeepSeek-V3 (8 of 256 experts) on H800, tp 1 x dp 32, ep 32, batch 32:
 *  - domain 32: up copies 8 x 31/32 = 7.75, none out; dispatch (fp8 payload
 *    7168 + 4 x 56 = 7392 B) = 3.33 us + 32 x 7.75 x 7392 B / 160 GB/s
 *    = 3.33 + 11.4576 = 14.7876 us.
 *  - domain 16: remote domain untouched with p = C(128,8)/C(256,8) =
 *    0.0034899, out = 1 - p = 0.99651 NIC copies, up = 8 x 15/32 + (4 - out)
 *    = 6.75349; dispatch = max(3.33 + 32 x 6.75349 x 7392 / 160e9 = 13.3143,
 *    2.8 + 32 x 0.99651 x 7392 / 40e9 = 8.6931) = 13.3143 us: faster.
 * This is the link model of the normal kernels: the --set of scale_out (the
 * card's own figure) sets aside the card's DeepEP fit across domains, whose
 * low-latency kernels decode would otherwise run (t_engine_ep_rdma).
 */
static void t_engine_domain_split(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	struct ep_traffic t;
	const struct op *o;
	double up, t16, t32;
	const char *d16[] = {"scale_up.domain_gpus=16", "scale_out.effective_gbs_per_nic=40"};
	const char *d32[] = {"scale_up.domain_gpus=32", "scale_out.effective_gbs_per_nic=40"};
	struct err e;

	memset(&e, 0, sizeof e);
	comm_ep_traffic(8, 256, 32, 32, 0, &t);
	CHECK_REL(t.up_copies, 7.75, 1e-12);
	CHECK_EQ(t.out_copies, 0);
	comm_ep_traffic(8, 256, 32, 16, 0, &t);
	CHECK_REL(t.out_copies, 0.9965100577159106, 1e-9);
	CHECK_REL(t.up_copies, 6.753489942284089, 1e-9);
	if (load_model("deepseek-v3", &m))
		return;
	dep_setup(&m, &d, 1, 32, 32, 32, 4096, 0);
	if (CHECK_OK(hw_load("hw/h800-sxm.json", d16, 2, &h, &e), &e) || plan_run(&m, &h, &d))
		return;
	up = 3.33e-6 + 32 * 6.753489942284089 * 7392 / 160e9;
	if (!(o = op_find(&g_plan.perf.decode, "ep dispatch", LAYER_MOE)))
		return;
	CHECK_REL(o->t, up, 1e-9);
	t16 = g_plan.perf.tpot_s;
	if (CHECK_OK(hw_load("hw/h800-sxm.json", d32, 2, &h, &e), &e) || plan_run(&m, &h, &d))
		return;
	if (!(o = op_find(&g_plan.perf.decode, "ep dispatch", LAYER_MOE)))
		return;
	CHECK_REL(o->t, 3.33e-6 + 32 * 7.75 * 7392 / 160e9, 1e-9);
	t32 = g_plan.perf.tpot_s;
	CHECK(t32 > t16);
	CHECK(t32 < 1.05 * t16);   /* a few per cent: one copy in 7.75 moves to the NIC */
}

/*
 * Decode's EP all-to-all across domains runs DeepEP's low-latency kernels,
 * where the card's calibration has their fit (comm_ep_s): every copy bound
 * for another domain goes alone over the NIC.  DeepSeek-V3 on H800, tp 1 x
 * dp 32, ep 32 over 4 nodes of 8, batch 32: of 8 copies per token 8 x 24/32
 * = 6 go to the other nodes, so dispatch moves 32 x 6 x 7392 B = 1,419,264 B
 * over the NIC: lat + 1,419,264 / bw with the card's deepep_rdma fit, and
 * combine 32 x 6 x 14336 = 2,752,512 B.  With one of the card's 8 planes
 * down the NICs left carry 7/8 (as the link model has it).  Prefill keeps
 * the normal kernels (no fit: the link model), and a --set of scale_out sets
 * the fit aside.
 */
static void t_engine_ep_rdma(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	struct ep_traffic t;
	const struct op *o;
	double disp;
	const char *nic[] = {"scale_out.effective_gbs_per_nic=40"};
	struct err e;

	memset(&e, 0, sizeof e);
	comm_ep_traffic(8, 256, 32, 8, 0, &t);
	CHECK_EQ(t.remote_copies, 6);
	if (load_model("deepseek-v3", &m))
		return;
	dep_setup(&m, &d, 1, 32, 32, 32, 4096, 0);
	if (CHECK_OK(hw_load("hw/h800-sxm.json", NULL, 0, &h, &e), &e) || plan_run(&m, &h, &d))
		return;
	CHECK(h.ep_rdma[0].bw > 0 && h.ep_rdma[1].bw > 0 && h.ep_rdma[0].bw <= 50e9);
	if (!(o = op_find(&g_plan.perf.decode, "ep dispatch", LAYER_MOE)))
		return;
	disp = h.ep_rdma[0].lat_s + 1419264 / h.ep_rdma[0].bw;
	CHECK_REL(o->t, disp, 1e-12);
	CHECK(o->bound == BOUND_SCALE_OUT);
	if ((o = op_find(&g_plan.perf.decode, "ep combine", LAYER_MOE)))
		CHECK_REL(o->t, h.ep_rdma[1].lat_s + 2752512 / h.ep_rdma[1].bw, 1e-12);
	if ((o = op_find(&g_plan.perf.prefill, "ep dispatch", LAYER_MOE)))   /* not the low-latency kernels' time */
		CHECK(fabs(o->t - (h.ep_rdma[0].lat_s + g_plan.perf.prefill.tokens * 6 * 7392 / h.ep_rdma[0].bw)) > 1e-6);
	d.w.planes_down = 1;   /* of 8 planes: the NICs left carry 7/8 */
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(&g_plan.perf.decode, "ep dispatch", LAYER_MOE)))
		CHECK_REL(o->t, h.ep_rdma[0].lat_s + 1419264 / (h.ep_rdma[0].bw * 7 / 8), 1e-12);
	d.w.planes_down = 0;
	if (CHECK_OK(hw_load("hw/h800-sxm.json", nic, 1, &h, &e), &e) || plan_run(&m, &h, &d))
		return;
	CHECK(h.ep_rdma[0].bw == 0 && h.ep_rdma[1].bw == 0);
	if ((o = op_find(&g_plan.perf.decode, "ep dispatch", LAYER_MOE)))
		CHECK(fabs(o->t - disp) > 1e-6);
}

/* ---- sweep branch: the CSV field writer and reader (reports/csv.h) ------- */

/* csv_field quotes only a field that needs it; a quote doubles (RFC 4180). */
static void t_csv_field_quoting(void)
{
	char buf[64];
	struct sbuf b = {0};

	CHECK_EQ(csv_field(buf, sizeof buf, "deepseek-v3"), 11);   /* as it is */
	CHECK_STR(buf, "deepseek-v3");
	CHECK_EQ(csv_field(buf, sizeof buf, "a,b"), 5);            /* "a,b" */
	CHECK_STR(buf, "\"a,b\"");
	CHECK_EQ(csv_field(buf, sizeof buf, "say \"hi\""), 12);    /* 8 + 2 doubled + 2 */
	CHECK_STR(buf, "\"say \"\"hi\"\"\"");
	csv_field(buf, sizeof buf, "a\tb");
	CHECK_STR(buf, "\"a\tb\"");
	csv_field(buf, sizeof buf, "a\nb");
	CHECK_STR(buf, "\"a\nb\"");
	csv_field(buf, sizeof buf, "a\rb");
	CHECK_STR(buf, "\"a\rb\"");
	CHECK_EQ(csv_field(buf, sizeof buf, ""), 0);
	CHECK_STR(buf, "");
	CHECK_EQ(csv_field(buf, sizeof buf, "DeepSeek-V3"), 11);   /* a display name: as it is */
	CHECK_STR(buf, "DeepSeek-V3");
	/* too small a buffer: truncated, NUL-terminated, the needed length returned */
	CHECK_EQ(csv_field(buf, 4, "a,bcdef"), 9);
	CHECK_STR(buf, "\"a,");
	CHECK_EQ(csv_field(buf, 3, "abcdef"), 6);
	CHECK_STR(buf, "ab");
	csv_field_add(&b, "x\"y,z");
	csv_field_add(&b, "plain");
	CHECK_STR(b.data, "\"x\"\"y,z\"plain");
	sbuf_free(&b);
}

/* csv_split reads back what csv_field wrote, field for field. */
static void t_csv_split_round_trip(void)
{
	static const char *const fields[] = {"my,8b", "q\"uote", "", "two\nlines", "tab\there", "plain", "\"\""};
	char rec[256], *f[10];
	size_t len = 0, i;
	int n;

	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if (i)
			rec[len++] = ',';
		len += csv_field(rec + len, sizeof rec - len, fields[i]);
	}
	CHECK_STR(rec, "\"my,8b\",\"q\"\"uote\",,\"two\nlines\",\"tab\there\",plain,\"\"\"\"\"\"");
	CHECK(!csv_record_open(rec));
	n = csv_split(rec, f, 10);
	CHECK_EQ(n, 7);
	for (i = 0; n == 7 && i < 7; i++)
		CHECK_STR(f[i], fields[i]);
	/* a record cut inside a quoted field is open; split calls it unterminated */
	strcpy(rec, "a,\"two\n");
	CHECK(csv_record_open(rec));
	CHECK_EQ(csv_split(rec, f, 10), -1);
	strcpy(rec, "a,b,c");
	CHECK_EQ(csv_split(rec, f, 2), -2);                 /* more than max fields */
	strcpy(rec, "");
	CHECK_EQ(csv_split(rec, f, 2), 1);                  /* one empty field */
	CHECK_STR(f[0], "");
}

/* csv_read: a record is a line, or lines while a quote is open; the line
 * break it had comes back in eol, so record + eol is the file's bytes. */
static void t_csv_read_records(void)
{
	static const char text[] = "a,b\n\"two\nlines\",c\r\n\nlast";
	struct csv_reader r = {0};
	char copy[64] = "";
	ssize_t n;

	r.f = fmemopen((void *)text, sizeof text - 1, "r");
	CHECK(r.f != NULL);
	if (!r.f)
		return;
	n = csv_read(&r);
	CHECK_EQ(n, 3);
	CHECK_STR(r.rec, "a,b");
	CHECK_STR(r.eol, "\n");
	strcat(copy, r.rec);
	strcat(copy, r.eol);
	n = csv_read(&r);                          /* a quoted line break: one record of two lines */
	CHECK_EQ(n, 13);
	CHECK_STR(r.eol, "\r\n");
	CHECK_EQ(r.first_line, 2);
	CHECK_EQ(r.line, 3);
	strcat(copy, r.rec);
	strcat(copy, r.eol);
	n = csv_read(&r);                          /* an empty line */
	CHECK_EQ(n, 0);
	strcat(copy, r.eol);
	n = csv_read(&r);                          /* the last line, without a line break */
	CHECK_EQ(n, 4);
	CHECK_STR(r.eol, "");
	strcat(copy, r.rec);
	CHECK_EQ(csv_read(&r), -1);
	CHECK_STR(copy, text);
	fclose(r.f);
	/* JSON lines: every line a record, though {"m":"q\"x"} (12 bytes) holds
	 * 5 quotes, which as CSV would leave a field open */
	r.f = fmemopen((void *)"{\"m\":\"q\\\"x\"}\n{}\n", 16, "r");
	r.lines = 1;
	r.line = 0;
	CHECK(r.f != NULL);
	if (r.f) {
		CHECK_EQ(csv_read(&r), 12);
		CHECK_EQ(csv_read(&r), 2);
		CHECK_EQ(csv_read(&r), -1);
		fclose(r.f);
	}
	csv_reader_free(&r);
}

/*
 * The Pareto front keeps the points no kept point is at least as good as in
 * both coordinates; of equal points the first.  Worked by hand: (1,5) (2,4)
 * (3,3) are a front; (2,2) is dominated by (2,4); (3,3) again is dropped as
 * equal; (4,4) drops (2,4) and (3,3); NaN is never dominated.  Sorted by x,
 * then index.
 */
static void t_front_rule(void)
{
	struct front f = {0};

	CHECK_EQ(front_add(&f, 1, 5, 0, "a", 1), 1);
	CHECK_EQ(front_add(&f, 2, 4, 1, "b", 1), 1);
	CHECK_EQ(front_add(&f, 3, 3, 2, "c", 1), 1);
	CHECK_EQ(front_add(&f, 2, 2, 3, "d", 1), 0);
	CHECK_EQ(front_add(&f, 3, 3, 4, "e", 1), 0);   /* equal: the first stays */
	CHECK_EQ(f.n, 3);
	CHECK(front_dominated(&f, 1, 5));
	CHECK(!front_dominated(&f, 1, 6));
	CHECK_EQ(front_add(&f, 4, 4, 5, "f", 1), 1);   /* drops (2,4) and (3,3) */
	CHECK_EQ(f.n, 2);
	CHECK_EQ(front_add(&f, NAN, 1, 6, NULL, 0), 1);
	CHECK_EQ(f.n, 3);
	front_sort(&f);
	CHECK_EQ(f.p[0].index, 0);
	CHECK_STR(f.p[0].text, "a");
	CHECK_EQ(f.p[1].index, 5);
	CHECK_STR(f.p[1].text, "f");
	CHECK(f.p[2].text == NULL);
	front_free(&f);
	CHECK_EQ(f.n, 0);
}

/* ---- command line: times with units -------------------------- */

static void t_cli_units_time(void)
{
	/* units.h: s = 1, ms = 1e-3 s, us = µs = 1e-6 s; a bare number is seconds.
	 * The sub-second suffixes divide, so each equals the decimal literal
	 * (strtod rounds both to the nearest double). */
	static const struct { const char *s; enum unit_kind k; } bad[] = {
		{"50m", UNIT_TIME}, {"2 s", UNIT_TIME}, {"2sec", UNIT_TIME},
		{"-1s", UNIT_TIME}, {"nans", UNIT_TIME}, {"1e400ms", UNIT_TIME},
		{"50ms", UNIT_PLAIN}, {"2s", UNIT_COUNT},
	};
	size_t i;

	CHECK_EQ(parse_ok("2", UNIT_TIME), 2);
	CHECK_EQ(parse_ok("2s", UNIT_TIME), 2);
	CHECK_EQ(parse_ok("50ms", UNIT_TIME), 0.05);
	CHECK_EQ(parse_ok("2000ms", UNIT_TIME), 2);
	CHECK_EQ(parse_ok("120us", UNIT_TIME), 120e-6);
	CHECK_EQ(parse_ok("50000\xc2\xb5s", UNIT_TIME), 0.05);   /* µs in UTF-8 */
	CHECK_EQ(parse_ok("1.5e3ms", UNIT_TIME), 1.5);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct err e;
		double v = -1;

		memset(&e, 0, sizeof e);
		if (units_parse(bad[i].s, bad[i].k, "--tpot", &v, &e) != EXIT_USAGE) {
			t_failed++;
			printf("#   units_parse('%s') accepted (value %g)\n", bad[i].s, v);
		} else {
			CHECK_CONTAINS(e.msg, "'--tpot'");
		}
	}
}

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

/* ---- end of the command-line block ---------------------------------- */

/* ---- files: the gnuplot string writer, input files, -o targets ---- */

/* gnuplot_str into a fresh buffer, as a C string (static: one at a time) */
static const char *gp_quoted(const char *s)
{
	static char out[256];
	struct sbuf b = {0};

	gnuplot_str(&b, s);
	snprintf(out, sizeof out, "%s", b.data ? b.data : "(null)");
	sbuf_free(&b);
	return out;
}

static void t_gnuplot_str_single_quoted(void)
{
	struct sbuf b = {0};

	/* worked out by hand from gnuplot's rules: '' is a quote, nothing else
	 * is special inside single quotes, a control byte leaves them */
	CHECK_STR(gp_quoted(""), "''");
	CHECK_STR(gp_quoted("it's"), "'it''s'");
	CHECK_STR(gp_quoted("x `touch PWNED` @y \"q\" \\n"), "'x `touch PWNED` @y \"q\" \\n'");
	CHECK_STR(gp_quoted("a\nb"), "'a'.\"\\012\".'b'");
	CHECK_STR(gp_quoted("\001"), "\"\\001\"");
	CHECK_STR(gp_quoted("\r\t"), "\"\\015\".\"\\011\"");
	CHECK_STR(gp_quoted("a\177"), "'a'.\"\\177\"");
	gnuplot_file(&b, "dir's kv", ".dat");
	CHECK_STR(b.data, "'dir''s kv.dat'");
	sbuf_free(&b);
}

static void t_infile_regular_only(void)
{
	char path[] = "/tmp/mlasim-unit-infile.XXXXXX", *text = NULL;
	struct err e = {0};
	size_t len = 0;
	FILE *f;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, "0123456789", 10) == 10);
	close(fd);
	/* 10 bytes: read whole under a cap of 10, refused under a cap of 9 */
	CHECK_OK(infile_read(path, 10, "a card", &text, &len, &e), &e);
	CHECK_EQ((double)len, 10);
	CHECK_STR(text, "0123456789");
	free(text);
	CHECK_RC(infile_read(path, 9, "a card", &text, &len, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "is larger than 9 bytes: not a card");
	unlink(path);
	/* what never ends or blocks is refused before a byte is read */
	memset(&e, 0, sizeof e);
	f = infile_open("/dev/zero", &e);
	CHECK(f == NULL && e.code == EXIT_INPUT);
	CHECK_CONTAINS(e.msg, "'/dev/zero' is a character device: expected a regular file");
	memset(&e, 0, sizeof e);
	CHECK(infile_open("tests", &e) == NULL);
	CHECK_CONTAINS(e.msg, "'tests' is a directory");
}

static void t_out_resolve_targets(void)
{
	char dir[] = "/tmp/mlasim-unit-out.XXXXXX", file[200], link[200];
	const char *in = NULL;
	struct out_target t;
	struct stat st;
	struct err e = {0};
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(file, sizeof file, "%s/card.json", dir);
	snprintf(link, sizeof link, "%s/link.json", dir);
	f = fopen(file, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs("{}\n", f);
	fclose(f);
	chmod(file, 0600);
	CHECK(symlink("card.json", link) == 0);
	/* a link is written through, the file's own mode kept */
	CHECK_OK(out_resolve(link, &t, &e), &e);
	CHECK(t.link == 1 && t.exists == 1 && t.direct == 0);
	CHECK_EQ((double)t.mode, 0600);
	CHECK(strcmp(t.path + strlen(t.path) - strlen("/card.json"), "/card.json") == 0);
	/* /dev/null is written in place */
	CHECK_OK(out_resolve("/dev/null", &t, &e), &e);
	CHECK(t.direct == 1 && t.exists == 0);
	/* an input, by device and inode, under another name */
	infile_note(file, "--model");
	CHECK(stat(file, &st) == 0);
	CHECK_STR(infile_input_of(st.st_dev, st.st_ino, &in), "--model");
	CHECK_STR(in, file);
	CHECK_RC(out_resolve(link, &t, &e), EXIT_USAGE, &e);
	CHECK_CONTAINS(e.msg, "would overwrite the '--model' input");
	unlink(link);
	unlink(file);
	rmdir(dir);
}

/* ---- model zoo: Qwen3 shapes, MoE names, unmodelled features ---- */

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

/* ---- layer kinds: sizes worked out by hand ---- */

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

/* ---- layer kinds: time ------------------------------------------------------ */

/* The first kind of m with mixer mix (and ffn, or any when ffn < 0), or -1. */
static int kind_find(const struct model *m, enum mixer mix, int ffn)
{
	int k;

	for (k = 0; k < m->nkinds; k++)
		if (m->kind[k].mix == mix && (ffn < 0 || (int)m->kind[k].ffn == ffn) && m->kind[k].count > 0)
			return k;
	t_failed++;
	printf("#   the model has no layer of mixer %d\n", (int)mix);
	return -1;
}

/* Operators of kind `layer` in class c. */
static int ops_count(const struct phase *ph, int layer, enum opclass c)
{
	int i, n = 0;

	for (i = 0; i < ph->nops; i++)
		n += ph->op[i].layer == layer && ph->op[i].cls == c;
	return n;
}

/*
 * Causal pairs of query positions a+1..b by hand.
 * Sliding W 4, queries 3..10: min(q, 4) = 3 + 4 x 7 = 31.
 * Chunked C 4, queries 3..10: ((q - 1) mod 4) + 1 = 3 4 | 1 2 3 4 | 1 2 = 20.
 * Full, queries 3..10: 3 + ... + 10 = 52.
 * Sliding W 128 over a whole 4096-token prompt: 1 + ... + 128 = 8,256, then
 *   3,968 queries of 128 = 507,904: 516,160 (full: 4096 x 4097 / 2 = 8,390,656).
 * Chunked C 8192 over 0..4096: within one chunk, the full 8,390,656.
 * Chunked C 1000, queries 1..2500: 2 x 500,500 + 500 x 501 / 2 = 1,126,250;
 *   queries 1501..2500: 500 x (501 + 1000) / 2 = 375,250 (q 1501..2000 see
 *   501..1000) + 500 x 501 / 2 = 125,250 (q 2001..2500 see 1..500): 500,500.
 * A window or chunk of 0 means full attention.
 */
static void t_kinds_window_pairs(void)
{
	CHECK_EQ(perf_window_pairs(MIX_WINDOW, 4, 2, 10), 31);
	CHECK_EQ(perf_window_pairs(MIX_CHUNK, 4, 2, 10), 20);
	CHECK_EQ(perf_window_pairs(MIX_FULL, 4, 2, 10), 52);
	CHECK_EQ(perf_window_pairs(MIX_WINDOW, 128, 0, 4096), 516160);
	CHECK_EQ(perf_window_pairs(MIX_FULL, 0, 0, 4096), 8390656);
	CHECK_EQ(perf_window_pairs(MIX_CHUNK, 8192, 0, 4096), 8390656);
	CHECK_EQ(perf_window_pairs(MIX_CHUNK, 1000, 0, 2500), 1126250);
	CHECK_EQ(perf_window_pairs(MIX_CHUNK, 1000, 1500, 2500), 500500);
	CHECK_EQ(perf_window_pairs(MIX_WINDOW, 0, 2, 10), 52);
	/* a window no shorter than the prompt is full attention */
	CHECK_EQ(perf_window_pairs(MIX_WINDOW, 4096, 0, 4096), 8390656);
}

#define WINDOW_MODEL "{\"model_type\":\"llama\",\"num_hidden_layers\":2,\"hidden_size\":512," \
	"\"num_attention_heads\":8,\"num_key_value_heads\":2,\"head_dim\":64," \
	"\"intermediate_size\":1024,\"vocab_size\":1000," \
	"\"layer_types\":[\"sliding_attention\",\"full_attention\"],\"sliding_window\":128}"

/*
 * A window layer and a full one: H 8, Hkv 2, dh = dv = 64, window 128, tp 1,
 * batch 1, --ideal on H800.  KV per token per layer 2 x (64 + 64) x 2 B = 512.
 * Decode attention (B 1, s_q 1):
 *   window, L_eff = min(L, 128) = 128 whether L is 4096 or 128:
 *     bytes = 128 x 512 + 1 x 8 x (64 + 64) x 2 = 65,536 + 2,048 = 67,584
 *     FLOPs = 2 x 1 x 8 x 1 x 128 x (64 + 64) = 262,144
 *   full at 4096: 4096 x 512 + 2,048 = 2,099,200 B; 8,388,608 FLOPs.
 * Prefill, isl 4096 with the 8192-token budget: 2 requests a step, T 8192;
 *   full pairs 2 x 8,390,656 = 16,781,312, FLOPs 2 x 8 x 128 x that =
 *   34,368,126,976; the window's 2 x 516,160 = 1,032,320 pairs, FLOPs
 *   2 x 8 x 128 x 1,032,320 = 2,114,191,360.  Keys read: each request's 4096
 *   queries need all its 4096 keys (W + 4096 > 4096), as the full layer:
 *   2 x (8192 x 8 x 128 + 8192 x 2 x 128) = 20,971,520 B, and the RoPE and
 *   cache-write pass over the new Q, K, V (perf_qkv_pass_bytes) 4 x 8192 x
 *   (8 x 64 + 2 x 128) = 25,165,824 B: 46,137,344 B.
 */
static void t_kinds_window_time(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct op *o;
	struct err e;
	double win_bytes = NAN, win_flops = NAN;
	int kw, kf;

	if (CHECK_OK(model_text(WINDOW_MODEL, &m, &e), &e) || load_hw("h800-sxm", &h))
		return;
	if ((kw = kind_find(&m, MIX_WINDOW, -1)) < 0 || (kf = kind_find(&m, MIX_FULL, -1)) < 0)
		return;
	CHECK_EQ(m.kind[kw].window, 128);
	dep_setup(&m, &d, 1, 1, 1, 1, 4096, 1);
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(&g_plan.perf.decode, "attention (decode)", kw))) {
		CHECK_EQ(o->bytes, 67584);
		CHECK_EQ(o->flops, 262144);
		win_bytes = o->bytes;
		win_flops = o->flops;
	}
	if ((o = op_find(&g_plan.perf.decode, "attention (decode)", kf))) {
		CHECK_EQ(o->bytes, 2099200);
		CHECK_EQ(o->flops, 8388608);
	}
	if ((o = op_find(&g_plan.perf.prefill, "attention (prefill, causal)", kw))) {
		CHECK_REL(o->flops, 2114191360.0, 1e-12);
		CHECK_EQ(o->bytes, 46137344);
	}
	if ((o = op_find(&g_plan.perf.prefill, "attention (prefill, causal)", kf)))
		CHECK_EQ(o->flops, 34368126976.0);
	/* at context = window the window layer reads exactly as much */
	dep_setup(&m, &d, 1, 1, 1, 1, 128, 1);
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(&g_plan.perf.decode, "attention (decode)", kw))) {
		CHECK_EQ(o->bytes, win_bytes);
		CHECK_EQ(o->flops, win_flops);
	}
}

/*
 * Mamba-2 (Nemotron-H pattern "M*-": a Mamba layer, an attention layer, an
 * MLP layer; relu2): nh 8 heads of p 32 (di 256), N 16, G 2, conv 4, chunk
 * 128, fp32 state.  State per sequence per layer (kv.h):
 *   conv (di + 2 G N) (K - 1) x 2 B = (256 + 64) x 3 x 2 = 1,920
 *   ssm  nh p N x 4 B = 8 x 32 x 16 x 4 = 16,384;  in all 18,304 B
 * Decode, --ideal on H800:
 *   tp 1, B 1: state op bytes = 1 x 2 x 18,304 = 36,608 (read and written),
 *     FLOPs = 6 x T 1 x 8 heads x 32 x 16 = 24,576
 *   tp 2 (state split by min(tp, G) = 2: 9,152 B a GPU), B 4:
 *     bytes = 4 x 2 x 9,152 = 73,216; FLOPs = 6 x 4 x 4 heads x 32 x 16 = 49,152
 *   The Mamba and attention layers have no FFN and one all-reduce each; the
 *   MLP layer no attention, its one all-reduce after the FFN, and relu2's
 *   up alone: N = F / tp = 256, K = 256: FLOPs = 2 x 4 x 256 x 256 = 524,288.
 * Prefill, tp 1, isl 4096, two requests a step: T = 8192
 *   FLOPs = T nh (2 C (N + p) + 4 N p) = 8192 x 8 x (2 x 128 x 48 + 4 x 16 x 32)
 *         = 8192 x 8 x 14,336 = 939,524,096
 *   bytes = T (2 di + 2 G N + nh) x 2 = 8192 x 584 x 2 = 9,568,256
 */
#define MAMBA_MODEL "{\"model_type\":\"nemotron_h\",\"num_hidden_layers\":3," \
	"\"hybrid_override_pattern\":\"M*-\",\"hidden_size\":256,\"num_attention_heads\":4," \
	"\"num_key_value_heads\":2,\"head_dim\":64,\"intermediate_size\":512,\"vocab_size\":1000," \
	"\"mlp_hidden_act\":\"relu2\",\"mamba_num_heads\":8,\"mamba_head_dim\":32," \
	"\"ssm_state_size\":16,\"n_groups\":2,\"conv_kernel\":4,\"chunk_size\":128," \
	"\"mamba_ssm_cache_dtype\":\"float32\"}"

static void t_kinds_mamba_time(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct phase *ph = &g_plan.perf.decode;
	const struct op *o;
	struct err e;
	int km, ka, kn;

	if (CHECK_OK(model_text(MAMBA_MODEL, &m, &e), &e) || load_hw("h800-sxm", &h))
		return;
	if ((km = kind_find(&m, MIX_MAMBA, FFN_NONE)) < 0 || (ka = kind_find(&m, MIX_FULL, FFN_NONE)) < 0 ||
	    (kn = kind_find(&m, MIX_NONE, FFN_DENSE)) < 0)
		return;
	CHECK_EQ(kv_kind_state(&m, &m.kind[km]), 18304);
	dep_setup(&m, &d, 1, 1, 1, 1, 4096, 1);
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(ph, "ssm state (decode)", km))) {
		CHECK_EQ(o->bytes, 2 * 18304);
		CHECK_EQ(o->flops, 24576);
		CHECK(o->kernel == K_ATTN_DECODE);
	}
	if ((o = op_find(&g_plan.perf.prefill, "ssd chunked scan (prefill)", km))) {
		CHECK_EQ(o->flops, 939524096);
		CHECK_EQ(o->bytes, 9568256);
		CHECK(o->kernel == K_ATTN_PREFILL);
	}
	dep_setup(&m, &d, 2, 1, 1, 4, 4096, 1);
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(ph, "ssm state (decode)", km))) {
		CHECK_EQ(o->bytes, 73216);
		CHECK_EQ(o->flops, 49152);
	}
	CHECK_EQ(ops_count(ph, km, OPC_DENSE_FFN), 0);
	CHECK_EQ(ops_count(ph, km, OPC_TP_COMM), 1);
	CHECK_EQ(ops_count(ph, ka, OPC_DENSE_FFN), 0);
	CHECK_EQ(ops_count(ph, ka, OPC_TP_COMM), 1);
	CHECK_EQ(ops_count(ph, kn, OPC_ATTN_PROJ) + ops_count(ph, kn, OPC_ATTN_CORE), 0);
	CHECK_EQ(ops_count(ph, kn, OPC_TP_COMM), 1);
	CHECK_EQ(ops_count(ph, kn, OPC_DENSE_FFN), 2);
	if ((o = op_find(ph, "ffn up", kn)))
		CHECK_EQ(o->flops, 524288);
}

/*
 * Gated DeltaNet (Qwen3-Next names, every 2nd layer full): nk 2 key heads of
 * dk 16, nv 4 value heads of dv 32, conv 4, bf16 state.  State per sequence
 * per layer (kv.h): conv (2 nk dk + nv dv) (K - 1) x 2 B = (64 + 128) x 3 x 2
 * = 1,152, recurrent nv dk dv x 2 B = 4 x 16 x 32 x 2 = 4,096: 5,248 B.
 * Decode, tp 1, B 1, --ideal: bytes 2 x 5,248 = 10,496, FLOPs 6 x 4 x 16 x 32
 * = 12,288.  Prefill, T 8192 (C 64): FLOPs 8192 x 4 x (2 x 64 x 48 + 4 x 16
 * x 32) = 8192 x 4 x 8,192 = 268,435,456.
 */
static void t_kinds_deltanet_time(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct op *o;
	struct err e;
	int k;

	if (CHECK_OK(model_text("{\"model_type\":\"qwen3_next\",\"num_hidden_layers\":2,\"hidden_size\":128,"
				"\"num_attention_heads\":4,\"num_key_value_heads\":2,\"head_dim\":32,"
				"\"intermediate_size\":256,\"vocab_size\":1000,\"full_attention_interval\":2,"
				"\"linear_num_key_heads\":2,\"linear_num_value_heads\":4,"
				"\"linear_key_head_dim\":16,\"linear_value_head_dim\":32,"
				"\"linear_conv_kernel_dim\":4}", &m, &e), &e) || load_hw("h800-sxm", &h))
		return;
	if ((k = kind_find(&m, MIX_LINEAR, -1)) < 0)
		return;
	CHECK_EQ(kv_kind_state(&m, &m.kind[k]), 5248);
	dep_setup(&m, &d, 1, 1, 1, 1, 4096, 1);
	if (plan_run(&m, &h, &d))
		return;
	if ((o = op_find(&g_plan.perf.decode, "deltanet state (decode)", k))) {
		CHECK_EQ(o->bytes, 2 * 5248);
		CHECK_EQ(o->flops, 12288);
	}
	if ((o = op_find(&g_plan.perf.prefill, "deltanet chunked (prefill)", k)))
		CHECK_EQ(o->flops, 268435456);
}

/*
 * DSA on DeepSeek-V3's shapes (V3.2: index_topk 2048, 64 indexer heads of
 * 128), bf16 KV, tp 1, B 1, --ideal on H800.  The latent is (512 + 64) x 2 =
 * 1,152 B a token (the indexer's 132 B key is its own op's).  Decode MLA
 * attention over min(L, 2048) tokens, at L 131,072 as at L 2048:
 *   FLOPs = 2 x 1 x 128 x 1 x 2048 x (576 + 512) = 570,425,344
 *   bytes = 128 x 576 x 2 + 2048 x 1,152 + 128 x 512 x 2 = 2,637,824
 * The indexer scores every cached token: 2 x 64 x 128 = 16,384 FLOPs and
 * 128 + 4 = 132 B per token: at L 131,072 FLOPs 2,147,483,648 and bytes
 * 17,301,504; at 2048 and 65,536 in proportion (linear in L); in fp8.
 */
static void t_kinds_dsa_time(void)
{
	static const double ctx[3] = {131072, 2048, 65536};
	struct model m;
	struct hw h;
	struct deployment d;
	const struct op *o;
	int i;

	if (load_model("deepseek-v3", &m) || load_hw("h800-sxm", &h))
		return;
	m.index_topk = 2048;
	m.index_heads = 64;
	m.index_dim = 128;
	for (i = 0; i < 3; i++) {
		dep_setup(&m, &d, 1, 1, 1, 1, ctx[i], 1);
		precision_parse_kv("bf16", "kv", &d.kv, NULL);
		if (plan_run(&m, &h, &d))
			return;
		if ((o = op_find(&g_plan.perf.decode, "mla decode attention", LAYER_MOE))) {
			CHECK_EQ(o->flops, 570425344);
			CHECK_EQ(o->bytes, 2637824);
		}
		if ((o = op_find(&g_plan.perf.decode, "indexer scores (decode)", LAYER_MOE))) {
			CHECK_EQ(o->flops, 16384 * ctx[i]);
			CHECK_EQ(o->bytes, 132 * ctx[i]);
			CHECK(o->dtype == DT_FP8);
		}
	}
	CHECK_EQ(16384 * ctx[0], 2147483648.0);
	CHECK_EQ(132 * ctx[0], 17301504);
}

/*
 * CLA (Hunyuan, cla_share_factor 2): layer 1 reuses layer 0's K and V.  H 4,
 * Hkv 2, dh 8, d 32; tp 1, B 1, context 4096, --ideal.  The sharing layer has
 * a q projection alone, N 32: FLOPs 2 x 1 x 32 x 32 = 2,048 (the other's qkv
 * N 32 + 2 x 16 = 64: 4,096), and reads the shared cache like its own:
 * 4096 x 2 x (8 + 8) x 2 B + 4 x 16 x 2 = 262,144 + 128 = 262,272 B.
 */
static void t_kinds_cla_time(void)
{
	struct model m;
	struct hw h;
	struct deployment d;
	const struct op *o;
	struct err e;
	int k, ks = -1;

	if (CHECK_OK(model_text("{\"model_type\":\"hunyuan\",\"num_hidden_layers\":2,\"hidden_size\":32,"
				"\"num_attention_heads\":4,\"num_key_value_heads\":2,\"head_dim\":8,"
				"\"intermediate_size\":96,\"vocab_size\":100,\"num_experts\":4,"
				"\"moe_topk\":1,\"num_shared_expert\":1,\"use_cla\":true,"
				"\"cla_share_factor\":2}", &m, &e), &e) || load_hw("h800-sxm", &h))
		return;
	for (k = 0; k < m.nkinds; k++)
		if (m.kind[k].kv_shared && m.kind[k].count > 0)
			ks = k;
	CHECK(ks >= 0);
	dep_setup(&m, &d, 1, 1, 1, 1, 4096, 1);
	if (ks < 0 || plan_run(&m, &h, &d))
		return;
	if ((o = op_find(&g_plan.perf.decode, "q projection", ks)))
		CHECK_EQ(o->flops, 2048);
	if ((o = op_find(&g_plan.perf.decode, "qkv projection", LAYER_MOE)))
		CHECK_EQ(o->flops, 4096);
	if ((o = op_find(&g_plan.perf.decode, "attention (decode)", ks)))
		CHECK_EQ(o->bytes, 262272);
	if ((o = op_find(&g_plan.perf.decode, "attention (decode)", LAYER_MOE)))
		CHECK_EQ(o->bytes, 262272);
}


/* ---- kernel model (kern.h) and its fit (kfit.h) ----------------------------- */

/* H800's figures (hw/h800-sxm.json): FP8 1979 TF dense, 3.35 TB/s, 132 SMs. */
#define K_FP8 1979e12
#define K_HBM 3.35e12
#define K_SMS 132.0

/*
 * kern_seconds by hand, class parameters eff_compute 0.7, eff_mem 0.8,
 * t0 3 us, kblock 0.1 us:
 * - M 4096, N 7168, K 16384: 2 M N K = 962,072,674,304 FLOPs; 32 x 56 =
 *   1792 tiles of 128 x 128 on 132 SMs = 14 waves (13.58), so t_c grows by
 *   14 x 132 / 1792 = 1848 / 1792; the K loop, 128 blocks x 0.1 us, is far
 *   below: t = 962,072,674,304 / (1979e12 x 0.7) x 1848 / 1792 + 3 us;
 * - M 64, N 576, K 7168 (a kv_a-like skinny GEMM): 1 x 5 tiles fill no wave;
 *   bytes 576 x 7168 + 64 x 7168 + 64 x 576 x 2 = 4,661,248 -> 1.74 us,
 *   FLOPs 528,482,304 -> 0.38 us, the K loop 56 x 0.1 = 5.6 us: t = 8.6 us,
 *   bound by latency;
 * - no SM count: no wave factor;
 * - a smooth maximum of 3 us and 4 us: p = 2 gives 5 us, p = 3 gives
 *   (27 + 64)^(1/3) = 4.4979 us.
 */
static void t_kern_model(void)
{
	struct hw_kernel_eff k = {0.7, 0.8, 3e-6, 0.1e-6, 0, 0, 0, KCAL_PUBLISHED, 0};
	struct kshape big = {962072674304.0, 1e8, 4096, 7168, 16384, 1, 0, 0};
	struct kshape skinny = {528482304.0, 4661248.0, 64, 576, 7168, 1, 0, 0};
	struct kshape roofs = {3e-6 * K_FP8 * 0.7, 4e-6 * K_HBM * 0.8, 0, 0, 0, 1, 0, 0};
	enum kbound b;
	double busy;

	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &big, &busy, &b),
		  962072674304.0 / (K_FP8 * 0.7) * 1848 / 1792 + 3e-6, 1e-12);
	CHECK(b == KB_COMPUTE);
	CHECK_REL(busy, 962072674304.0 / (K_FP8 * 0.7) * 1848 / 1792, 1e-12);
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, 0, &big, NULL, NULL),
		  962072674304.0 / (K_FP8 * 0.7) + 3e-6, 1e-12);
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &skinny, NULL, &b), 56 * 0.1e-6 + 3e-6, 1e-12);
	CHECK(b == KB_LATENCY);
	k.kblock_s = 0;     /* no floor: the memory roof, below t0 (latency-bound) */
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &skinny, NULL, &b), 4661248.0 / (K_HBM * 0.8) + 3e-6,
		  1e-12);
	CHECK(b == KB_LATENCY);
	k.t0_s = 1e-6;
	kern_seconds(&k, K_FP8, K_HBM, K_SMS, &skinny, NULL, &b);
	CHECK(b == KB_MEMORY);
	k.t0_s = 3e-6;
	k.blend = 2;
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &roofs, NULL, NULL), 5e-6 + 3e-6, 1e-12);
	k.blend = 3;
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &roofs, NULL, NULL), cbrt(91.0) * 1e-6 + 3e-6, 1e-12);
	k.blend = 2.5;      /* any other exponent: libm's pow */
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &roofs, NULL, NULL),
		  pow(pow(3.0, 2.5) + pow(4.0, 2.5), 1 / 2.5) * 1e-6 + 3e-6, 1e-12);
	/* 4e6 softmax exponentials at 0.25 ns each add 1 us to the compute side:
	 * max(3 + 1, 4) = 4 us (p = 0), then with a 2 us memory side 4 us too */
	k.blend = 0;
	k.elem_s = 0.25e-12;
	roofs.elems = 4e6;
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &roofs, NULL, &b), 4e-6 + 3e-6, 1e-12);
	roofs.bytes /= 2;
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &roofs, NULL, &b), 4e-6 + 3e-6, 1e-12);
	CHECK(b == KB_COMPUTE);
	/* 2,000 thread blocks at 1 ns each add 2 us more: 3 + 1 + 2 = 6 us over
	 * the 2 us memory side, + t0 3 us = 9 us; a block count with no cta_s
	 * (a class fitted without thread blocks) adds nothing */
	k.cta_s = 1e-9;
	roofs.ctas = 2000;
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &roofs, NULL, &b), 6e-6 + 3e-6, 1e-12);
	CHECK(b == KB_COMPUTE);
	k.cta_s = 0;
	CHECK_REL(kern_seconds(&k, K_FP8, K_HBM, K_SMS, &roofs, NULL, &b), 4e-6 + 3e-6, 1e-12);
}

/*
 * Prefill attention's shape (perf.h), Llama 3.1 70B at TP 8 (8 query heads,
 * 1 KV head of 128 per GPU), one request of 1,000 new tokens and no cache:
 * pairs 1000 x 1001 / 2 = 500,500; FLOPs 2 x 8 x 256 x 500,500 =
 * 2,050,048,000; exponentials 8 x 500,500 = 4,004,000; thread blocks 8 heads
 * x ceil(1000 / 128) = 8 query tiles = 64; bytes 2 x (1000 x 8 x 256 + 1000
 * x 1 x 256) = 4,608,000; the RoPE and cache-write pass 4 x 1000 x (8 x 128
 * + 1 x 256) = 5,120,000.  Three such requests in a step (T 3,000, q 1,000)
 * run 192 blocks; half a request per micro-batch (T 500, q 1,000) 32; a
 * query tile is 128 queries: 128 of them 1 tile, 129 2.
 */
static void t_prefill_attention_shape(void)
{
	struct kshape s;

	perf_gqa_prefill_shape(8, 1, 128, 128, 1000, 1000, 1000, 500500, &s);
	CHECK_EQ(s.flops, 2050048000.0);
	CHECK_EQ(s.elems, 4004000.0);
	CHECK_EQ(s.ctas, 64);
	CHECK_EQ(s.bytes, 4608000);
	CHECK(s.m == 0 && s.n == 0 && s.k == 0);
	CHECK_EQ(perf_qkv_pass_bytes(8, 1, 128, 128, 1000), 5120000);
	CHECK_EQ(perf_prefill_ctas(8, 3000, 1000), 192);
	CHECK_EQ(perf_prefill_ctas(8, 500, 1000), 32);
	CHECK_EQ(perf_prefill_ctas(1, 128, 128), 1);
	CHECK_EQ(perf_prefill_ctas(1, 129, 129), 2);
	CHECK_EQ(perf_prefill_ctas(8, 1000, 0), 0);
}

/* (tc^p + tm^p)^(1/p), or max() for p = 0: kern.h's roof, written out. */
static double roof_by_hand(double tc, double tm, double p)
{
	return p > 0 ? pow(pow(tc, p) + pow(tm, p), 1 / p) : max_d(tc, tm);
}

/*
 * A fit is fractions of each roof and fixed times, so a fit carried from one
 * card to another (what a borrowed calibration does, borrow.h) times kernels
 * on the receiving card's own peaks.  B200's NVFP4 GEMM fit on B300 (the
 * same 8 TB/s, FP4 13,125 TFLOPS against 9,000): a call with FLOPs and no
 * bytes is purely compute bound, t - t0 = F / (eff_compute x peak), so B200
 * over B300 is the FP4 peak ratio 13,125 / 9,000 = 1.4583 to rounding.  A
 * real NVFP4 GEMM, M = 148 x 128 = 18,944 (whole waves on B200's 148 SMs: no
 * wave quantization there; B300's SM count is not published, so none there),
 * N = K = 16,384: F = 2 M N K = 10,170,482,556,928 FLOPs, bytes = weights
 * N K / 2 + an fp8 scale per 16 + 4 (134,217,728 + 16,777,216 + 4) + input
 * 2 M K (620,756,992) + output 2 M N (620,756,992) = 1,392,508,932.  With
 * B200's fit as committed (eff 0.4449 / 0.7412, t0 5.877 us, blend 2):
 * t_c = 2.5400 ms on B200, 1.7417 ms on B300, t_m = 0.2348 ms on both
 * (same 8 TB/s), so t = 2.5567 ms and 1.7634 ms: 1.4499x, just under the
 * peak ratio because the memory roof and t0 do not shrink.  The test works
 * the times out from the parameters the card holds, so a refit of B200
 * keeps it true.  B300 and GB300 no longer borrow (hw/published/b300 and
 * gb300-nvl72 hold their own aiconfigurator records): their calibration is
 * their own, with every GEMM class fitted; tests/props/borrow.sh builds a
 * borrowing card and checks the mechanism.
 */
static void t_borrow_cards(void)
{
	struct hw b2, b3, g3;
	struct hw_kernel_eff carried;
	const struct hw_kernel_eff *k = &carried;
	struct wprec w;
	struct kshape gemm, pure = {1e12, 0, 0, 0, 0, 1, 0, 0};
	struct err e;
	double M = 148 * 128.0, N = 16384, K = 16384, F, B, tc2, tc3, tm, p;
	int c;

	memset(&e, 0, sizeof e);
	if (load_hw("b200", &b2) || load_hw("b300", &b3) || load_hw("gb300-nvl72", &g3))
		return;
	/* their own records now, not a sibling's */
	CHECK_STR(b3.calibration_borrowed_from, "");
	CHECK_STR(g3.calibration_borrowed_from, "");
	CHECK(b3.calibrated == KCAL_PUBLISHED && g3.calibrated == KCAL_PUBLISHED);
	for (c = K_GEMM_BF16; c <= K_GEMM_FP4; c++)
		CHECK(b3.kern[c].calibrated == KCAL_PUBLISHED && g3.kern[c].calibrated == KCAL_PUBLISHED);
	CHECK(b3.ncoll[HW_COLL_AR] >= 1 && b3.ep_up[0].bw > 0 && g3.ncoll[HW_COLL_AR] >= 1);
	/* the peaks stay each card's own */
	CHECK_EQ(kern_peak(&b3, DT_FP4), 13125e12);
	CHECK_EQ(kern_peak(&b2, DT_FP4), 9000e12);
	CHECK_EQ(kern_peak(&g3, DT_FP4), 15000e12);
	CHECK_EQ(b3.gpu.hbm_bw, b2.gpu.hbm_bw);
	/* cppcheck-suppress unreadVariable ; read through k */
	carried = b2.kern[K_GEMM_FP4];
	CHECK_REL((kern_seconds(k, kern_peak(&b2, DT_FP4), b2.gpu.hbm_bw, b2.gpu.sms, &pure, NULL, NULL) - k->t0_s) /
		  (kern_seconds(k, kern_peak(&b3, DT_FP4), b3.gpu.hbm_bw, b3.gpu.sms, &pure, NULL, NULL) - k->t0_s),
		  13125.0 / 9000, 1e-9);
	if (!CHECK_OK(precision_parse_weights("nvfp4", "--weights", &w, &e), &e))
		return;
	perf_gemm_shape(&w, DT_FP4, M, N, K, &gemm);
	F = 2 * M * N * K;
	B = N * K / 2 + N * K / 16 + 4 + 2 * M * K + 2 * M * N;
	CHECK_EQ(gemm.flops, F);
	CHECK_EQ(gemm.bytes, B);
	tc2 = F / (k->compute * 9000e12);
	tc3 = F / (k->compute * 13125e12);
	tm = B / (k->memory * 8000e9);
	p = k->blend;
	CHECK(k->kblock_s * K / 128 < tc3);   /* the K-loop floor is not what binds */
	CHECK_REL(kern_seconds(&b2.kern[K_GEMM_FP4], kern_peak(&b2, DT_FP4), b2.gpu.hbm_bw, b2.gpu.sms, &gemm, NULL, NULL),
		  roof_by_hand(tc2, tm, p) + k->t0_s, 1e-12);
	CHECK_REL(kern_seconds(k, kern_peak(&b3, DT_FP4), b3.gpu.hbm_bw, b3.gpu.sms, &gemm, NULL, NULL),
		  roof_by_hand(tc3, tm, p) + k->t0_s, 1e-12);
	/* 1.4499x as committed: compute bound, within 1% under the peak ratio */
	CHECK((roof_by_hand(tc2, tm, p) + k->t0_s) / (roof_by_hand(tc3, tm, p) + k->t0_s) > 13125.0 / 9000 * 0.99);
}

/*
 * comm_nccl_s by hand, H100's 8-GPU all-reduce fit (hw/h100-sxm.json):
 * latencies 16, 63.6, 71.9 us (LL, LL128, Simple), Simple's bus bandwidth
 * 460 GB/s.  1 MiB: bus bytes 1,048,576 x 2 x 7/8 = 1,835,008; LL 16 us +
 * 1,835,008 / (460e9 / 2) = 23.98 us beats LL128's 67.9 and Simple's 75.9.
 * 512 MiB: 939,524,096 bus bytes; Simple 71.9 + 2042.4 = 2114.3 us beats
 * LL128's 2242.2 and LL's 4100.9 (nccl-tests measured 2111 us).
 */
static void t_comm_nccl(void)
{
	const struct hw_coll_fit f = {8, {16e-6, 63.6e-6, 71.9e-6}, 460e9};

	CHECK_REL(comm_nccl_s(&f, 1, 8, 1048576), 16e-6 + 1835008 / 230e9, 1e-12);
	CHECK_REL(comm_nccl_s(&f, 1, 8, 536870912), 71.9e-6 + 939524096 / 460e9, 1e-12);
	/* all-gather's factor is (n - 1)/n: LL128 wins at 32 MiB there */
	CHECK_REL(comm_nccl_s(&f, 0, 8, 33554432), 63.6e-6 + 33554432 * 7.0 / 8 / (460e9 * 120 / 128), 1e-12);
	CHECK_EQ(comm_nccl_s(&f, 1, 1, 1048576), 0);
}

/*
 * comm_custom_ar_s by hand, H100's vLLM fit on 8 GPUs (round figures of
 * hw/h100-sxm.json: one-shot 4.7 us, two-shot 9.1 us, 342 GB/s).  64 KiB:
 * one-shot 4.7 + 65,536 x 7 / 342e9 = 6.041 us beats two-shot's 9.1 +
 * 65,536 x 1.75 / 342e9 = 9.435 us (vLLM measured 6.4).  1 MiB: two-shot
 * 9.1 + 1,048,576 x 1.75 / 342e9 = 14.465 us beats one-shot's 26.16 us
 * (measured 14.8).  On 2 GPUs both read the message once: the smaller
 * latency wins.  kfit_car gives back the parameters of exact points.
 */
static void t_comm_custom_ar(void)
{
	const struct hw_car_fit f = {8, {4.7e-6, 9.1e-6}, 342e9}, f2 = {2, {4.2e-6, 13e-6}, 228e9};
	struct kset s;
	struct hw_car_fit g;
	int i;

	CHECK_REL(comm_custom_ar_s(&f, 8, 65536), 4.7e-6 + 65536 * 7 / 342e9, 1e-12);
	CHECK_REL(comm_custom_ar_s(&f, 8, 1048576), 9.1e-6 + 1048576 * 1.75 / 342e9, 1e-12);
	CHECK_REL(comm_custom_ar_s(&f2, 2, 1048576), 4.2e-6 + 1048576 / 228e9, 1e-12);
	CHECK_EQ(comm_custom_ar_s(&f, 1, 1048576), 0);
	CHECK_EQ(comm_custom_ar_s(&f, 8, 0), 0);
	memset(&s, 0, sizeof s);
	s.car = calloc(16, sizeof *s.car);
	if (!s.car)
		return;
	for (i = 0; i < 12; i++) {   /* 256 B to 512 KiB, x4, and 6 more on 4 GPUs (not fitted) */
		struct kcar *r = &s.car[s.ncar++];
		snprintf(r->engine, sizeof r->engine, "%s", i < 10 ? "vllm" : "sglang");
		r->gpus = 8;
		r->bytes = 256 * pow(4, i % 10);
		r->t_s = comm_custom_ar_s(&f, 8, r->bytes);
	}
	CHECK_EQ(kfit_car(&s, "vllm", 8, -1, 0, 0, &g), 10);
	CHECK_REL(g.lat_s[0], 4.7e-6, 1e-3);
	CHECK_REL(g.lat_s[1], 9.1e-6, 1e-3);
	CHECK_REL(g.bw, 342e9, 1e-3);
	CHECK_EQ(kfit_car(&s, "sglang", 8, -1, 0, 0, &g), 2);   /* too few to fit */
	CHECK_EQ(kfit_car(&s, "vllm", 4, -1, 0, 0, &g), 0);
	free(s.car);
}

/*
 * DeepEP low latency inside a domain: 128 tokens x 8 copies, 7 of 8 to other
 * GPUs of an 8-GPU domain, 7168 + 4 x 56 = 7392 bytes each in fp8: 6,623,232
 * bytes; at 12 us + bytes / 250 GB/s, 38.49 us.  kfit_deepep gives back the
 * latency and bandwidth of exact points (the linear least squares).
 */
static void t_comm_deepep(void)
{
	const struct hw_ep_fit f = {12e-6, 250e9};
	struct kset s;
	struct hw_ep_fit g;
	struct ep_traffic tr;
	int i;

	CHECK_EQ(comm_ep_payload(7168, 1, 0), 7392);
	CHECK_EQ(comm_ep_payload(7168, 1, 1), 14336);
	comm_ep_traffic(8, 256, 8, 8, 0, &tr);
	CHECK_EQ(tr.up_copies, 7);
	CHECK_REL(comm_ep_s(&f, 128 * 7 * 7392.0), 12e-6 + 6623232 / 250e9, 1e-12);
	memset(&s, 0, sizeof s);
	s.ep = calloc(8, sizeof *s.ep);
	if (!s.ep)
		return;
	for (i = 0; i < 6; i++) {
		s.ep[s.nep].bytes = 7 * 7392.0 * pow(4, i);
		s.ep[s.nep].t_s = comm_ep_s(&f, s.ep[s.nep].bytes);
		s.nep++;
	}
	CHECK_EQ(kfit_deepep(&s, 0, 0, 0, 0, -1, 0, &g), 6);
	CHECK_REL(g.lat_s, 12e-6, 1e-9);
	CHECK_REL(g.bw, 250e9, 1e-9);
	CHECK_EQ(kfit_deepep(&s, 0, 1, 0, 0, -1, 0, &g), 0);   /* no combine records */
	CHECK_EQ(kfit_deepep(&s, 1, 0, 0, 0, -1, 0, &g), 0);   /* none across nodes */
	free(s.ep);
}

/* An H800-like card for the fits: peaks of the card, defaults 0.79 / 0.87 / 3 us. */
static void kfit_card(struct hw *h)
{
	int k;

	memset(h, 0, sizeof *h);
	snprintf(h->name, sizeof h->name, "test");
	h->gpu.flops_bf16 = 989e12;
	h->gpu.flops_fp8 = K_FP8;
	h->gpu.hbm_bw = K_HBM;
	h->gpu.sms = K_SMS;
	for (k = 0; k < K_CLASSES; k++)
		h->kern[k] = (struct hw_kernel_eff){0.79, 0.87, 3e-6, 0, 0, 0, 0, KCAL_DEFAULTS, 0};
}

/*
 * The fit finds the parameters that made the times: fp8-block GEMMs of 7 M
 * x 4 (N, K) shapes timed by kern_seconds with (0.62, 0.78, 4 us, 0.12 us,
 * max) come back within 0.5%, and decode-attention calls made with a
 * smooth maximum p = 3 come back with p = 3.  A class with no point on its
 * compute roof keeps the card's default eff_compute and says so.  Prefill
 * attention of head dims 64, 128 and 256 (so FLOPs and exponentials move
 * apart), 8 and 64 heads, batch 1 and 16, sequences 16 to 4,096, timed
 * with (0.7, 0.6, 12 us, p = 2, 0.25 ns per exponential, 20 ns per thread
 * block) gives those back within 1%.
 */
static void t_kfit_recovers(void)
{
	static const double Ms[] = {1, 16, 64, 256, 1024, 4096, 16384};
	static const double NK[][2] = {{7168, 2048}, {4096, 7168}, {576, 7168}, {512, 16384}};
	const struct hw_kernel_eff gemm = {0.62, 0.78, 4e-6, 0.12e-6, 0, 0, 0, KCAL_PUBLISHED, 0};
	const struct hw_kernel_eff attn = {0.55, 0.9, 15e-6, 0, 3, 0, 0, KCAL_PUBLISHED, 0};
	const struct hw_kernel_eff pre = {0.7, 0.6, 12e-6, 0, 2, 0.25e-12, 20e-9, KCAL_PUBLISHED, 0};
	static const double dh[] = {64, 128, 256}, heads[] = {8, 64}, Bs[] = {1, 16}, Ss[] = {16, 512, 4096};
	int a, c;
	static const struct wprec blk = {WF_FP8_BLOCK, 128, "fp8-block"};
	struct kset s;
	struct hw h;
	struct hw_kernel_eff out;
	struct kfit_stats st;
	int i, j;

	kfit_card(&h);
	memset(&s, 0, sizeof s);
	s.rec = calloc(128, sizeof *s.rec);
	if (!s.rec)
		return;
	s.nsources = 1;
	for (i = 0; i < 7; i++)
		for (j = 0; j < 4; j++) {
			struct krec *r = &s.rec[s.n++];
			r->cls = K_GEMM_FP8_BLOCK;
			r->dt = DT_FP8;
			r->ncalls = 1;
			perf_gemm_shape(&blk, DT_FP8, Ms[i], NK[j][0], NK[j][1], &r->call[0]);
			r->t_s = kfit_predict(&h, &gemm, r);
		}
	CHECK_EQ(kfit_class(&h, &s, K_GEMM_FP8_BLOCK, -1, 0, 0, &h.kern[K_GEMM_FP8_BLOCK], &out, &st), 28);
	CHECK_REL(out.compute, 0.62, 5e-3);
	CHECK_REL(out.memory, 0.78, 5e-3);
	CHECK_REL(out.t0_s, 4e-6, 5e-3);
	CHECK_REL(out.kblock_s, 0.12e-6, 5e-3);
	CHECK_EQ(out.blend, 0);
	CHECK(st.median_rel < 1e-3 && st.n_compute > 0 && st.n_memory > 0 && st.n_latency > 0);
	/* MLA decode at 128 and 16 heads, batch 1 .. 243, context 1k .. 27k */
	for (i = 0; i < 6; i++)
		for (j = 0; j < 4; j++) {
			struct krec *r = &s.rec[s.n++];
			struct model m;
			double f, b;
			memset(&m, 0, sizeof m);
			m.kv_lora = 512;
			m.qk_rope = 64;
			perf_mla_attention(&m, j % 2 ? 16 : 128, pow(3, i), 1, 1024 * pow(2, 1.6 * j), 1152, &f, &b);
			*r = (struct krec){K_ATTN_DECODE, DT_BF16, 1, {{f, b, 0, 0, 0, 1, 0, 0}}, 0, 0, ""};
			r->t_s = kfit_predict(&h, &attn, r);
		}
	CHECK_EQ(kfit_class(&h, &s, K_ATTN_DECODE, -1, 0, 0, &h.kern[K_ATTN_DECODE], &out, &st), 24);
	CHECK_EQ(out.blend, 3);
	CHECK_REL(out.compute, 0.55, 5e-3);
	CHECK_REL(out.memory, 0.9, 5e-3);
	CHECK_REL(out.t0_s, 15e-6, 5e-3);
	/* memory-bound only: the compute share cannot be seen, the default stays */
	for (i = 28; i < s.n; i++) {
		s.rec[i].call[0].flops *= 1e-3;
		s.rec[i].t_s = kfit_predict(&h, &attn, &s.rec[i]);
	}
	kfit_class(&h, &s, K_ATTN_DECODE, -1, 0, 0, &h.kern[K_ATTN_DECODE], &out, &st);
	CHECK(st.fixed_compute);
	CHECK_EQ(out.compute, 0.79);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 2; j++)
			for (a = 0; a < 2; a++)
				for (c = 0; c < 3; c++) {
					struct krec *r = &s.rec[s.n++];
					double T = Bs[a] * Ss[c];
					r->cls = K_ATTN_PREFILL;
					r->dt = DT_BF16;
					r->ncalls = 1;
					perf_gqa_prefill_shape(heads[j], heads[j] / 8, dh[i], dh[i], T, Ss[c], T,
							       Bs[a] * Ss[c] * (Ss[c] + 1) / 2, &r->call[0]);
					r->t_s = kfit_predict(&h, &pre, r);
				}
	CHECK_EQ(kfit_class(&h, &s, K_ATTN_PREFILL, -1, 0, 0, &h.kern[K_ATTN_PREFILL], &out, &st), 36);
	CHECK_EQ(out.blend, 2);
	CHECK_REL(out.compute, 0.7, 1e-2);
	CHECK_REL(out.memory, 0.6, 1e-2);
	CHECK_REL(out.t0_s, 12e-6, 1e-2);
	CHECK_REL(out.elem_s, 0.25e-12, 1e-2);
	CHECK_REL(out.cta_s, 20e-9, 1e-2);
	free(s.rec);
}

/* Write `text` to dir/name. */
static void kfit_write(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/*
 * An attention_prefill record becomes perf.c's prefill attention: 8 heads,
 * 1 KV head of 128, batch 4 of 300 tokens (T 1,200), causal: pairs 4 x 300 x
 * 301 / 2 = 180,600, FLOPs 2 x 8 x 256 x 180,600 = 739,737,600, thread
 * blocks 8 x 4 x ceil(300 / 128) = 96, bytes 2 x (1200 x 8 x 256 + 1200 x 1
 * x 256) = 5,529,600 and, with qkv_pass, 4 x 1200 x (8 x 128 + 256) =
 * 6,144,000 more (11,673,600); qkv_pass that is not a boolean names the key.
 */
static void t_kfit_prefill_record(void)
{
	char dir[] = "/tmp/mlasim-unit-kfitp.XXXXXX", path[256];
	const char *head = "{\"schema\": \"mlasim.calib/1\", \"source\": {\"id\": \"t\", \"ref\": \"https://example.org/t\"}, \"probes\": [";
	const char *p = "{\"probe\": \"attention_prefill\", \"id\": \"%s\", \"status\": \"ok\", \"params\": {\"heads\": 8, \"kv_heads\": 1, \"d_qk\": 128, \"d_v\": 128, \"seq\": 300, \"batch\": 4, \"causal\": true%s}, \"timing\": {\"median_s\": 1e-4}}";
	char text[2048], r1[512], r2[512];
	struct kset s;
	struct err e = {0};

	CHECK(mkdtemp(dir) != NULL);
	snprintf(r1, sizeof r1, p, "kernel", "");
	snprintf(r2, sizeof r2, p, "op", ", \"qkv_pass\": true");
	snprintf(text, sizeof text, "%s%s, %s]}", head, r1, r2);
	kfit_write(dir, "a.json", text);
	if (CHECK_OK(kfit_load_dir(dir, &s, &e), &e) == 0) {
		CHECK_EQ(s.n, 2);
		CHECK(s.rec[0].cls == K_ATTN_PREFILL && s.rec[0].ncalls == 1);
		CHECK_EQ(s.rec[0].call[0].flops, 739737600.0);
		CHECK_EQ(s.rec[0].call[0].ctas, 96);
		CHECK_EQ(s.rec[0].call[0].bytes, 5529600);
		CHECK_EQ(s.rec[1].call[0].bytes, 11673600);
		kfit_free(&s);
	}
	snprintf(r2, sizeof r2, p, "op", ", \"qkv_pass\": \"yes\"");
	snprintf(text, sizeof text, "%s%s]}", head, r2);
	kfit_write(dir, "a.json", text);
	CHECK_RC(kfit_load_dir(dir, &s, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "a.json: 'probes[0].params.qkv_pass' must be true or false");
	kfit_free(&s);
	snprintf(path, sizeof path, "%s/a.json", dir);
	unlink(path);
	rmdir(dir);
}

/*
 * kfit_load_dir: records become the engine's calls (a gemm one call of
 * 2 M N K FLOPs; an aiconfigurator moe module two, gate + up and down, over
 * the experts a uniform routing touches; an nccl figure a collective); what
 * is not timed or not calibrated is counted as skipped; a malformed record
 * names file and key.
 */
static void t_kfit_records(void)
{
	char dir[] = "/tmp/mlasim-unit-kfit.XXXXXX", path[256];
	const char *head = "{\"schema\": \"mlasim.calib/1\", \"source\": {\"id\": \"t\", \"ref\": \"https://example.org/t\"}, \"probes\": [";
	char text[2048];
	struct kset s;
	struct err e = {0};
	double touched;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(text, sizeof text, "%s%s", head,
		 "{\"probe\": \"gemm\", \"id\": \"g\", \"status\": \"ok\", \"params\": {\"dtype\": \"fp8_block\", \"m\": 64, \"n\": 7168, \"k\": 2048}, \"timing\": {\"median_s\": 6.4e-6}},"
		 "{\"probe\": \"moe\", \"id\": \"m\", \"status\": \"ok\", \"params\": {\"dtype\": \"fp8_block\", \"experts\": 256, \"topk\": 8, \"hidden\": 7168, \"inter\": 2048, \"ep\": 8, \"tokens\": 16, \"routing\": \"balanced\"}, \"timing\": {\"median_s\": 2.55e-4}},"
		 "{\"probe\": \"moe\", \"id\": \"skew\", \"status\": \"ok\", \"params\": {\"dtype\": \"fp8_block\", \"experts\": 256, \"topk\": 8, \"hidden\": 7168, \"inter\": 2048, \"ep\": 8, \"tokens\": 16, \"routing\": \"power_law_1.2\"}, \"timing\": {\"median_s\": 2.31e-4}},"
		 "{\"probe\": \"nccl\", \"id\": \"n\", \"status\": \"ok\", \"params\": {\"op\": \"all_reduce\", \"gpus\": 8, \"bytes\": 512}, \"timing\": {\"median_s\": 1.56e-5}},"
		 "{\"probe\": \"gemm\", \"id\": \"untimed\", \"status\": \"partial\", \"params\": {\"dtype\": \"bf16\", \"m\": 1, \"n\": 1, \"k\": 1}, \"timing\": {\"tflops\": 1}}]}");
	kfit_write(dir, "a.json", text);
	if (CHECK_OK(kfit_load_dir(dir, &s, &e), &e) == 0) {
		CHECK_EQ(s.n, 2);
		CHECK_EQ(s.ncoll, 1);      /* the nccl figure, a collective */
		CHECK(s.coll[0].op == HW_COLL_AR && s.coll[0].gpus == 8 && s.coll[0].bytes == 512);
		CHECK_EQ(s.skipped, 2);    /* skewed routing, no time */
		CHECK(s.rec[0].cls == K_GEMM_FP8_BLOCK && s.rec[0].ncalls == 1);
		CHECK_EQ(s.rec[0].call[0].flops, 2.0 * 64 * 7168 * 2048);
		/* weights 7168 x 2048 + 56 x 16 block scales x 4 B, input 64 x 2048 fp8, output bf16 */
		CHECK_EQ(s.rec[0].call[0].bytes, 7168.0 * 2048 + 4 * 56 * 16 + 64 * 2048 + 64 * 7168 * 2);
		touched = 32 * (1 - pow(1 - 8.0 / 256, 16));   /* 12.39 of the 32 local experts */
		CHECK(s.rec[1].cls == K_MOE && s.rec[1].ncalls == 2);
		CHECK_REL(s.rec[1].call[0].flops, 2 * 16.0 * 8 / 8 * 4096 * 7168, 1e-12);
		CHECK_REL(s.rec[1].call[0].groups, touched, 1e-12);
		CHECK_REL(s.rec[1].call[1].n, 7168, 0);
		CHECK_STR(s.source[0], "t");
		kfit_free(&s);
	}
	snprintf(text, sizeof text, "%s%s", head,
		 "{\"probe\": \"gemm\", \"status\": \"ok\", \"params\": {\"dtype\": \"fp8_block\", \"m\": -64, \"n\": 7168, \"k\": 2048}, \"timing\": {\"median_s\": 6.4e-6}}]}");
	kfit_write(dir, "b.json", text);
	CHECK_RC(kfit_load_dir(dir, &s, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "b.json: 'probes[0].params.m' must be a positive number");
	kfit_free(&s);
	snprintf(text, sizeof text, "%s%s", head,
		 "{\"probe\": \"gemv\", \"status\": \"ok\", \"params\": {}, \"timing\": {\"median_s\": 1e-6}}]}");
	kfit_write(dir, "b.json", text);
	CHECK_RC(kfit_load_dir(dir, &s, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'probes[0].probe' must be gemm, grouped_gemm");
	kfit_free(&s);
	kfit_write(dir, "b.json", "{\"schema\": \"mlasim.calib/1\", \"probes\": []}");
	CHECK_RC(kfit_load_dir(dir, &s, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "'source.id' and 'source.ref'");
	kfit_free(&s);
	snprintf(path, sizeof path, "%s/b.json", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/a.json", dir);
	unlink(path);
	CHECK_RC(kfit_load_dir(dir, &s, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "no record files with a timed, calibrated kind");
	kfit_free(&s);
	rmdir(dir);
	CHECK_RC(kfit_load_dir(dir, &s, &e), EXIT_ENV, &e);
	kfit_free(&s);
}


/*
 * The classes records go to, and the bytes a DeepEP record moves per GPU
 * (DeepSeek-V3's test: 128 tokens, hidden 7168, top-8, fp8 dispatch of
 * 7168 + 4 x 56 = 7392 B per copy):
 *  - inside one node of ep 8 (NVLink): the 7 copies of 8 to other GPUs,
 *    128 x 7 x 7392 = 6,623,232 B;
 *  - DeepEP's first kernels, pure RDMA ("transport": "rdma"), on one node:
 *    every copy over the NIC, 128 x 8 x 7392 = 7,569,408 B, as DeepEP's test
 *    counts its RDMA GB/s;
 *  - ep 32 over 4 nodes, copies to the same node over NVLink: the 8 x 24/32
 *    = 6 copies to other nodes, 128 x 6 x 7392 = 5,677,056 B.
 * Grouped GEMMs go by layout (contiguous: prefill's class), GQA decode over
 * a 16-bit cache to its own; a record "kept" by its file is not fitted.
 * The fit across nodes is bounded by the NIC's line rate: records on
 * t = 30 us + b / 100 GB/s (b = 1 MB: 40 us; 2 MB: 50 us, three each)
 * against a 50 GB/s line give bw = 50 GB/s and lat = (r1 - s12 / bw) / s11
 * with x1 = 1/t, x2 = b/t: r1 = 3 (25000 + 20000) = 135000, s11 = 3 (6.25e8
 * + 4e8) = 3.075e9, s12 = 3 (1e6 / 1.6e-9 + 2e6 / 2.5e-9) = 4.275e15, so
 * lat = (135000 - 85500) / 3.075e9 = 16.0976 us.
 */
static void t_kfit_classes(void)
{
	char dir[] = "/tmp/mlasim-unit-kfitc.XXXXXX", path[256];
	const char *head = "{\"schema\": \"mlasim.calib/1\", \"source\": {\"id\": \"t\", \"ref\": \"https://example.org/t\"}, \"probes\": [";
	const char *ll = "\"mode\": \"low_latency\", \"phase\": \"dispatch\", \"tokens\": 128, \"hidden\": 7168, \"topk\": 8, \"experts\": 256";
	char text[4096];
	struct kset s;
	struct hw h;
	struct hw_ep_fit f;
	struct err e = {0};
	int i;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(text, sizeof text,
		 "%s{\"probe\": \"deepep\", \"id\": \"nvl\", \"status\": \"ok\", \"params\": {%s, \"ep\": 8, \"nodes\": 1}, \"timing\": {\"median_s\": 7.7e-5}},"
		 "{\"probe\": \"deepep\", \"id\": \"pure\", \"status\": \"ok\", \"params\": {%s, \"ep\": 8, \"nodes\": 1, \"transport\": \"rdma\"}, \"timing\": {\"median_s\": 1.63e-4}},"
		 "{\"probe\": \"deepep\", \"id\": \"x4\", \"status\": \"ok\", \"params\": {%s, \"ep\": 32, \"nodes\": 4}, \"timing\": {\"median_s\": 1.55e-4}},"
		 "{\"probe\": \"deepep\", \"id\": \"normal\", \"status\": \"ok\", \"params\": {\"mode\": \"normal\", \"phase\": \"dispatch\", \"ep\": 16, \"nodes\": 2}, \"timing\": {\"median_s\": 1e-3}},"
		 "{\"probe\": \"deepep\", \"id\": \"normal1\", \"status\": \"ok\", \"params\": {\"mode\": \"normal\", \"phase\": \"dispatch\", \"tokens\": 4096, \"hidden\": 7168, \"topk\": 8, \"experts\": 256, \"ep\": 8}, \"timing\": {\"median_s\": 6e-4}},"
		 "{\"probe\": \"grouped_gemm\", \"id\": \"c\", \"status\": \"ok\", \"params\": {\"dtype\": \"fp8_block\", \"layout\": \"contiguous\", \"groups\": 4, \"m\": 8192, \"n\": 4096, \"k\": 7168}, \"timing\": {\"median_s\": 1.43e-3}},"
		 "{\"probe\": \"grouped_gemm\", \"id\": \"m\", \"status\": \"ok\", \"params\": {\"dtype\": \"fp8_block\", \"layout\": \"masked\", \"groups\": 4, \"m\": 256, \"n\": 4096, \"k\": 7168}, \"timing\": {\"median_s\": 6.45e-5}},"
		 "{\"probe\": \"gqa_decode\", \"id\": \"g\", \"status\": \"ok\", \"params\": {\"heads\": 32, \"kv_heads\": 4, \"head_dim\": 128, \"batch\": 64, \"kv_len\": 4096}, \"timing\": {\"median_s\": 1.9e-4}},"
		 "{\"probe\": \"gqa_decode\", \"id\": \"k\", \"status\": \"kept\", \"why\": \"a test\", \"params\": {\"heads\": 32, \"kv_heads\": 4, \"head_dim\": 128, \"batch\": 1, \"kv_len\": 1024}, \"timing\": {\"median_s\": 3e-5}}]}",
		 head, ll, ll, ll);
	kfit_write(dir, "a.json", text);
	if (CHECK_OK(kfit_load_dir(dir, &s, &e), &e) == 0) {
		CHECK_EQ(s.nep, 4);
		CHECK(s.ep[0].link == KEP_LL && s.ep[1].link == KEP_LL_RDMA && s.ep[2].link == KEP_LL_RDMA);
		/* normal mode on one node: each token once per other GPU holding one of
		 * its experts, 4.6328205 of them on EP 8 (t_deepep_normal) */
		CHECK(s.ep[3].link == KEP_NORMAL);
		CHECK_REL(s.ep[3].bytes, 4096 * comm_ep_normal_copies(8, 256, 8) * 7392, 1e-12);
		CHECK_EQ(s.ep[0].bytes, 6623232);
		CHECK_EQ(s.ep[1].bytes, 7569408);
		CHECK_EQ(s.ep[2].bytes, 5677056);
		CHECK_EQ(s.n, 3);
		CHECK_EQ(s.skipped, 2);   /* normal mode across nodes, kept */
		CHECK(s.rec[0].cls == K_MOE_PREFILL && s.rec[1].cls == K_MOE && s.rec[2].cls == K_ATTN_DECODE_GQA);
		kfit_free(&s);
	}
	snprintf(path, sizeof path, "%s/a.json", dir);
	unlink(path);
	snprintf(text, sizeof text, "%s{\"probe\": \"deepep\", \"status\": \"ok\", \"params\": {%s, \"ep\": 12, \"nodes\": 8}, \"timing\": {\"median_s\": 1e-4}}]}",
		 head, ll);
	kfit_write(dir, "b.json", text);
	CHECK_RC(kfit_load_dir(dir, &s, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "b.json: 'probes[0].params.nodes' (8) must divide ep (12)");
	kfit_free(&s);
	snprintf(path, sizeof path, "%s/b.json", dir);
	unlink(path);
	rmdir(dir);

	memset(&s, 0, sizeof s);
	s.ep = calloc(6, sizeof *s.ep);
	if (!s.ep)
		return;
	for (i = 0; i < 6; i++) {
		s.ep[i].link = 1;
		s.ep[i].bytes = i < 3 ? 1e6 : 2e6;
		s.ep[i].t_s = 30e-6 + s.ep[i].bytes / 100e9;
	}
	s.nep = 6;
	CHECK_EQ(kfit_deepep(&s, 1, 0, 0, 0, -1, 0, &f), 6);   /* unbounded: the line itself */
	CHECK_REL(f.lat_s, 30e-6, 1e-9);
	CHECK_REL(f.bw, 100e9, 1e-9);
	CHECK_EQ(kfit_deepep(&s, 1, 0, 0, 0, -1, 50e9, &f), 6);
	CHECK_EQ(f.bw, 50e9);
	CHECK_REL(f.lat_s, 49500 / 3.075e9, 1e-9);
	CHECK_EQ(kfit_deepep(&s, 1, 0, 0, 0, 0, 50e9, &f), 0);   /* all of source 0 left out */
	CHECK_EQ(kfit_deepep(&s, 1, 0, 2, 0, -1, 50e9, &f), 3);  /* every second left out: too few */
	free(s.ep);

	/* a class that specialises another stands in for it only where calibrated */
	kfit_card(&h);
	CHECK(hw_kclass_use(&h, K_ATTN_DECODE_GQA) == K_ATTN_DECODE);
	CHECK(hw_kclass_use(&h, K_MOE_PREFILL) == K_MOE);
	CHECK(hw_kclass_use(&h, K_GEMM_BF16) == K_GEMM_BF16);
	h.kern[K_MOE_PREFILL].calibrated = KCAL_PUBLISHED;
	CHECK(hw_kclass_use(&h, K_MOE_PREFILL) == K_MOE_PREFILL);
}

/* ---- serving: silicon-sample rows, engine cards, the load model ------------- */

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
	CHECK_OK(engine_load("engines/vllm.json", &g, &e), &e);
	CHECK_EQ(engine_max_num_tokens(&g, &b200), 8192);    /* vLLM's API server on >= 70 GiB */
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
	unlink(path);
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
	CHECK_EQ(r.waiting, 0);
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
	d.mem_fraction = 0.25;   /* 80 GB x 0.25 less 16 GB of weights and the reserve */
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


/* The prefill pool of a disaggregated deployment: the closed loop's fixed
 * point, the saturated pool, the burst. */
static void t_serve_disagg(void)
{
	static struct plan p;
	struct model m;
	struct hw h;
	struct deployment d;
	struct serve_result r;
	struct engine g = serve_engine(0, 5e-3, 1, 1e6);
	struct err e;
	double S, kv, cap, lambda, tpot = 20e-3, j, steps = 0;

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
	/* a batch of 2 x 4000 tokens: one 8192-token step at full-step speed */
	S = fmax(p.perf.ttft_s, 8192 / (p.perf.prefill_tps_gpu * 4));
	kv = 4000 * p.kv_bytes_per_token / (p.perf.links.out_bw * 4) + p.perf.links.out_latency_s;
	cap = 3 * 2 / S;   /* 3 workers of one attention group, 2 prompts per S */
	/* 40 requests in flight: the TTFT solves ttft = S (1 + M/D/1 wait) + kv */
	serve_disagg(&p, &g, 40, 3, tpot, &r);
	lambda = 40 / (r.steady_ttft_s + 499 * tpot);
	CHECK_REL(r.rho, lambda / cap, 1e-6);
	CHECK_REL(r.steady_ttft_s, S * (1 + r.rho / (2 * (1 - r.rho))) + kv, 1e-6);
	CHECK_REL(r.ttft_s, (1 - 1e-6) * r.steady_ttft_s + 1e-6 * r.burst_ttft_s + 5e-3, 1e-12);
	/* the first burst: request j waits ceil(j / 6) batches */
	for (j = 1; j <= 40; j++)
		steps += ceil(j / 6);
	CHECK_REL(r.burst_ttft_s, S * steps / 40 + kv, 1e-12);
	/* 100000 in flight: the pool is the bottleneck; Little's law gives the wait */
	serve_disagg(&p, &g, 1e5, 3, tpot, &r);
	CHECK_REL(r.steady_ttft_s, 1e5 / cap - 499 * tpot, 1e-12);
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

/* ---- output layer: statistics, chart series -------------------------------- */

/* stats_median: the middle of an odd count, the mean of the two middle values
 * of an even one (by hand), sorted in place; NAN for none. */
static void t_stats_median(void)
{
	double odd[5] = {9, -1, 4, 7, 2};            /* sorted: -1 2 4 7 9 */
	double even[6] = {0.5, 10, 3, -2, 8, 1};     /* sorted: -2 0.5 1 3 8 10: (1 + 3) / 2 */
	double one[1] = {42};

	CHECK_EQ(stats_median(odd, 5), 4);
	CHECK(odd[0] == -1 && odd[4] == 9);          /* sorted ascending */
	CHECK_EQ(stats_median(even, 6), 2);
	CHECK_EQ(stats_median(one, 1), 42);
	CHECK(isnan(stats_median(one, 0)));
	CHECK(isnan(stats_median(NULL, -3)));
}

/* series_kv by hand: DeepSeek-V3's MLA latent, 61 layers x (512 + 64) x 2 B =
 * 70,272 B per token; Llama-3.1-70B's GQA cache, 80 layers x 8 KV heads x
 * 128 x 2 (K and V) x 2 B = 327,680 B; a sequence of C tokens holds C times
 * that.  Contexts 1Ki to 1Mi; a ninth model is refused. */
static void t_series_kv(void)
{
	static struct model m[2];
	struct series_kv s;
	struct kvfmt f;
	struct err e;
	int i;

	memset(&e, 0, sizeof e);
	if (load_model("deepseek-v3", &m[0]) || load_model("llama-3.1-70b", &m[1]))
		return;
	CHECK_OK(precision_parse_kv("bf16", "kv", &f, &e), &e);
	series_kv_init(&s);
	CHECK_EQ(s.n, 0);
	CHECK_EQ(s.context[0], 1024);
	CHECK_EQ(s.context[SERIES_KV_POINTS - 1], 1048576);
	CHECK_OK(series_kv_add(&s, &m[0], &f, &e), &e);
	CHECK_OK(series_kv_add(&s, &m[1], &f, &e), &e);
	CHECK_EQ(s.n, 2);
	CHECK_EQ(s.per_token[0], 70272);
	CHECK_EQ(s.per_token[1], 327680);
	CHECK_REL(s.seq_gb[0][0], 70272.0 * 1024 / 1e9, 1e-15);        /* 0.071958528 GB */
	CHECK_REL(s.seq_gb[10][1], 327680.0 * 1048576 / 1e9, 1e-15);   /* 343.597 GB */
	for (i = 1; i < SERIES_KV_POINTS; i++)
		CHECK_REL(s.seq_gb[i][0], 2 * s.seq_gb[i - 1][0], 1e-12);   /* no window: linear */
	s.n = SERIES_KV_MODELS;
	CHECK_RC(series_kv_add(&s, &m[0], &f, &e), EXIT_USAGE, &e);
}

/*
 * series_memory: Llama-3.1-70B bf16 on H100 (usable 80 GB, reserve 2 GB,
 * mem-fraction 0.9) at tp 1, 2, 4, 8.  At tp 4 by hand: the 70,553,706,496
 * parameters less the 161 x 8192 = 1,318,912 norm weights split 4 ways at
 * 2 B, the norms replicated: 35,276,193,792 + 2,637,824 = 35,278,831,616 B of
 * weights; KV 72 - 35.278831616 - 2 = 34.721168384 GB; headroom 8 GB; the
 * stack tops out at the usable 80 GB.  At tp 1 the 141 GB of weights do not
 * fit: no KV cache.  Each bar is the plan's own memory.
 */
static void t_series_memory(void)
{
	static struct series_memory s;
	struct deployment d[4];
	struct model m;
	struct hw h;
	struct err e;
	double w = 0;
	int i, k;

	memset(&e, 0, sizeof e);
	if (load_model("llama-3.1-70b", &m) || load_hw("h100-sxm", &h))
		return;
	for (i = 0; i < 4; i++) {
		plan_default_deployment(&m, &d[i]);
		d[i].tp = 1 << i;
	}
	if (CHECK_OK(series_memory(&m, &h, d, 4, &s, &e), &e))
		return;
	CHECK_EQ(s.n, 4);
	for (k = 0; k < COMP_N; k++)
		w += s.bar[2].comp_gb[k];
	CHECK_REL(w, 35.278831616, 1e-12);
	CHECK_REL(s.bar[2].kv_gb, 34.721168384, 1e-12);
	CHECK_EQ(s.bar[2].reserve_gb, 2);
	CHECK_REL(s.bar[2].free_gb, 8, 1e-12);
	CHECK_EQ(s.bar[2].usable_gb, 80);
	CHECK_REL(s.bar[2].top_gb, 80, 1e-12);
	CHECK(s.bar[2].fits && !s.bar[0].fits);
	CHECK_EQ(s.bar[0].kv_gb, 0);
	for (i = 0; i < 4; i++) {
		if (plan_run(&m, &h, &d[i]))
			return;
		CHECK_EQ(s.bar[i].kv_gb, g_plan.mem.kv_bytes_per_gpu / 1e9);
		CHECK_EQ(s.bar[i].seq_per_gpu, g_plan.mem.max_sequences_per_gpu);
	}
	CHECK_RC(series_memory(&m, &h, d, 0, &s, &e), EXIT_USAGE, &e);
}

/*
 * series_throughput: Llama-3.1-70B on H100 at tp 4, batches 1 to 1024.  Each
 * point is the plan's decode at that batch; tokens/s per GPU is batch x
 * tokens/s per user / tp, per user 1000 / TPOT in ms (no MTP); the knee
 * follows its rule on the line's own values.
 */
static void t_series_throughput(void)
{
	static struct series_throughput s;
	struct deployment d;
	struct model m;
	struct hw h;
	struct err e;
	const struct series_tp_line *l = &s.line[0];
	int i;

	memset(&e, 0, sizeof e);
	if (load_model("llama-3.1-70b", &m) || load_hw("h100-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	d.tp = 4;
	if (CHECK_OK(series_throughput(&m, &h, 1, &d, &s, &e), &e))
		return;
	CHECK_EQ(s.nh, 1);
	CHECK_EQ(s.batch[0], 1);
	CHECK_EQ(s.batch[SERIES_BATCHES - 1], 1024);
	for (i = 0; i < SERIES_BATCHES; i++) {
		CHECK_REL(l->tps_gpu[i], s.batch[i] * l->tps_user[i] / 4, 1e-12);
		CHECK_REL(l->tps_user[i], 1e3 / l->tpot_ms[i], 1e-12);
	}
	d.w.batch = 64;
	d.w.decode_only = 1;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(l->tps_gpu[6], g_plan.perf.decode_tps_gpu);
	CHECK_EQ(l->tpot_ms[6], g_plan.perf.tpot_s * 1e3);
	CHECK_EQ(l->fits[6], g_plan.mem.fits && g_plan.batch_fits);
	/* the knee: where HBM stops bounding, else the gain rule */
	if (l->knee_bound) {
		CHECK(l->knee > 0 && l->bound[l->knee - 1] == BOUND_HBM && l->bound[l->knee] != BOUND_HBM);
	} else if (l->knee >= 0) {
		if (l->knee > 0)
			CHECK(l->tps_gpu[l->knee] >= l->tps_gpu[l->knee - 1] * (1 + SERIES_KNEE_GAIN));
		for (i = l->knee + 1; i < SERIES_BATCHES; i++)
			CHECK(l->tps_gpu[i] < l->tps_gpu[i - 1] * (1 + SERIES_KNEE_GAIN));
	}
	CHECK_RC(series_throughput(&m, &h, SERIES_MAX_HW + 1, &d, &s, &e), EXIT_USAGE, &e);
}

/*
 * series_tpot: the default x values by hand (DeepSeek-V3's 256 routed
 * experts on H800 at tp 1: EP 1, 2, ... 256, nine sizes; NIC 100 to 6400
 * Gb/s, seven), each point the plan's decode with ep = dp = x; computation
 * and communication add up to the step's time by class; a dense model has
 * no EP size.
 */
static void t_series_tpot(void)
{
	static struct series_tpot s;
	struct deployment d;
	struct model m, dense;
	struct hw h;
	struct err e;
	double x[SERIES_TPOT_MAX], sum = 0;
	int k;

	memset(&e, 0, sizeof e);
	if (load_model("deepseek-v3", &m) || load_model("llama-3.1-70b", &dense) || load_hw("h800-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	d.w.batch = 64;
	CHECK_EQ(series_tpot_defaults(&m, &h, &d, SERIES_OVER_EP, x), 9);
	CHECK(x[0] == 1 && x[8] == 256);
	CHECK_EQ(series_tpot_defaults(&m, &h, &d, SERIES_OVER_NIC, x), 7);
	CHECK(x[0] == 100 && x[6] == 6400);
	if (CHECK_OK(series_tpot(&m, &h, &d, SERIES_OVER_EP, NULL, 0, &s, &e), &e))
		return;
	CHECK_EQ(s.n, 9);
	CHECK_EQ(s.pt[5].x, 32);
	d.ep = d.dp = 32;
	d.w.decode_only = 1;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(s.pt[5].tpot_ms, g_plan.perf.tpot_s * 1e3);
	CHECK_EQ(s.pt[5].bound, g_plan.perf.decode.bound);
	CHECK_EQ(s.pt[5].comm_bound, perf_bound_is_comm(g_plan.perf.decode.bound));
	for (k = 0; k < OPC_CLASSES; k++)
		sum += g_plan.perf.decode.t_class[k];
	CHECK_REL(s.pt[5].compute_ms + s.pt[5].comm_ms, sum / g_plan.perf.tokens_per_step * 1e3, 1e-12);
	CHECK(s.pt[5].comm_ms > 0 && s.any_comm);      /* EP 32 dispatches and combines */
	CHECK_EQ(s.pt[0].comm_ms, 0);                   /* EP 1 at tp 1: nothing to send */
	plan_default_deployment(&dense, &d);
	CHECK_EQ(series_tpot_defaults(&dense, &h, &d, SERIES_OVER_EP, x), 0);
	CHECK_RC(series_tpot(&dense, &h, &d, SERIES_OVER_EP, NULL, 0, &s, &e), EXIT_USAGE, &e);
}

/*
 * series_roofline on H800 (3,350 GB/s; 989 bf16 and 1,979 fp8 TFLOP/s, no
 * fp4): two roofs; every operator is compute, under its dtype's roof and
 * under the HBM slope (achieved FLOP/s <= min(peak, intensity x bandwidth)).
 */
static void t_series_roofline(void)
{
	static struct series_roofline s;
	struct deployment d;
	struct model m;
	struct hw h;
	struct err e;
	int ph, i;

	memset(&e, 0, sizeof e);
	if (load_model("deepseek-v3", &m) || load_hw("h800-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	d.ep = d.dp = 32;
	d.w.batch = 64;
	if (CHECK_OK(series_roofline(&m, &h, &d, &s, &e), &e))
		return;
	CHECK_EQ(s.hbm_bw, 3350e9);
	CHECK_EQ(s.nroofs, 2);
	CHECK(s.roof[0] == DT_BF16 && s.roof[1] == DT_FP8);
	CHECK_EQ(s.peak[0], 989e12);
	CHECK_EQ(s.peak[1], 1979e12);
	CHECK(s.nops[0] > 0 && s.nops[1] > 0);
	for (ph = 0; ph < 2; ph++)
		for (i = 0; i < s.nops[ph]; i++) {
			const struct series_roof_op *o = &s.op[ph][i];
			double roof = fmin(o->dtype == DT_FP8 ? 1979e12 : 989e12, o->intensity * 3350e9);
			CHECK(!perf_class_is_comm(o->cls));
			CHECK(o->tflops * 1e12 <= roof * (1 + 1e-9));
			CHECK(s.classes & (1u << o->cls));
		}
	h.gpu.hbm_bw = 0;
	CHECK_RC(series_roofline(&m, &h, &d, &s, &e), EXIT_INPUT, &e);
}

/*
 * series_power by hand on a GB200 NVL72 rack (18 nodes of 4 GPUs, TDP
 * 1,200 W, node.max_kw 6.667, PUE 1.58, no switch power): at full load the
 * GPUs draw 18 x 4 x 1.2 = 86.4 kW, the rest of the nodes 18 x (6.667 -
 * 4 x 1.2) = 33.606 kW, the facility (1.58 - 1) x 120.006 = 69.60348 kW; per
 * node a bar is 1/18 of that.
 */
static void t_series_power(void)
{
	struct series_power s, node;
	struct deployment d;
	struct model m;
	struct hw h;
	struct err e;
	const double *full;

	memset(&e, 0, sizeof e);
	if (load_model("deepseek-v3", &m) || load_hw("gb200-nvl72", &h))
		return;
	plan_default_deployment(&m, &d);
	d.ep = d.dp = 72;
	d.w.batch = 64;
	if (CHECK_OK(series_power(&m, &h, &d, 0, &s, &e), &e) || CHECK_OK(series_power(&m, &h, &d, 1, &node, &e), &e))
		return;
	full = s.kw[2];
	CHECK_EQ(s.scale, 18);
	CHECK_REL(full[SERIES_PW_GPUS], 86.4, 1e-12);
	CHECK_REL(full[SERIES_PW_NODE_REST], 33.606, 1e-12);
	CHECK(isnan(full[SERIES_PW_SWITCHES]) && isnan(s.switch_w_per_gpu));
	CHECK_REL(full[SERIES_PW_FACILITY], 0.58 * 120.006, 1e-12);
	CHECK_REL(full[SERIES_PW_TOTAL], 86.4 + 33.606 + 0.58 * 120.006, 1e-12);
	CHECK_EQ(node.scale, 1);
	CHECK_REL(node.kw[2][SERIES_PW_GPUS], 4.8, 1e-12);
	CHECK_REL(s.kw[0][SERIES_PW_GPUS], 72 * s.w.gpu_decode_w / 1e3, 1e-12);
}

/*
 * series_topology by hand, 64-port switches, one NIC port per GPU (H800):
 * FT2 holds 64^2 / 2 = 2,048 endpoints with 2N/64 leaves + N/64 spines (48
 * switches for 1,024, 96 for 2,048), FT3 64^3 / 4 = 65,536 with 5N/64 (80 for
 * 1,024); 4,096 GPUs need more than FT2.  By default 128 to 65,536 GPUs.
 */
static void t_series_topology(void)
{
	static struct series_topology s;
	const double g[3] = {1024, 2048, 4096};
	struct hw h;
	struct err e;

	memset(&e, 0, sizeof e);
	if (load_hw("h800-sxm", &h))
		return;
	if (CHECK_OK(series_topology(&h, g, 3, NAN, NAN, &s, &e), &e))
		return;
	CHECK(s.radix == 64 && s.ports == 1 && s.planes == 8);
	CHECK_EQ(s.max_endpoints[0], 2048);
	CHECK_EQ(s.max_endpoints[2], 65536);
	CHECK_EQ(s.switches[0][0], 48);
	CHECK_EQ(s.switches[1][0], 96);
	CHECK_EQ(s.switches[0][2], 80);
	CHECK(isnan(s.switches[2][0]) && isnan(s.cost_usd[2][0]));
	if (CHECK_OK(series_topology(&h, NULL, 0, NAN, NAN, &s, &e), &e))
		return;
	CHECK(s.n == 10 && s.gpus[0] == 128 && s.gpus[9] == 65536);
}

static const struct test tests[] = {
	{"silicon_parse: quoted fields, blank lines, CRLF, and its errors", t_silicon_parse},
	{"silicon_map: a row's options, concurrency and the reasons it cannot be expressed", t_silicon_map},
	{"silicon_map: g^2 GPUs on one 8-GPU node read as g, three forms; InferenceX mean lengths", t_silicon_repair},
	{"engine cards: SGLang's chunk by HBM, vLLM's, unknown and out-of-range keys", t_engine_cards},
	{"serve_agg: overheads, mixed prefill, the M/D/1 queue, the first burst, KV slots", t_serve_load},
	{"serve_disagg: the prefill pool's closed-loop queue, saturation and burst", t_serve_disagg},
	{"serve_open: Little's law at the fixed point, serve_agg's prices there, the largest rate", t_serve_open},
	{"serve: a graph-replayed decode pays its share of fixed latency, prefill all of it", t_serve_graph},
	{"units_parse accepts counts, sizes and rates", t_units_accept},
	{"units_parse rejects malformed and out-of-range numbers", t_units_reject},
	{"units_parse_list", t_units_list},
	{"units_fmt_bytes and units_fmt_count", t_units_format},
	{"precision_matrix_bytes 7168x2048 in every format", t_precision_7168x2048},
	{"precision_matrix_bytes 129280x7168 in every format", t_precision_129280x7168},
	{"precision_matrix_bytes with partial scale groups (576x7168, 100x100)", t_precision_ragged},
	{"precision_parse_weights and precision_parse_kv", t_precision_parse},
	{"kv bytes per token match ISCA 2025 Table 1 (V3, Qwen2.5-72B, Llama-3.1-405B)", t_kv_published},
	{"kv bytes per token of the other bundled models", t_kv_other_models},
	{"kv formats: fp8-flashmla 656 B/layer, bits:6, refusal on GQA", t_kv_formats},
	{"kv --compare for DeepSeek-V3 (DeepSeek-V2 Table 1)", t_kv_compare_v3},
	{"kv --compare for Llama-3.1-70B (MLA with dc = 4 dh, dr = dh/2)", t_kv_compare_llama70b},
	{"kv_paged_tokens and kv_layers", t_kv_paging_layers},
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
	{"memory Llama-3.1-70B bf16 on H100 tp 4", t_memory_llama70b_tp4},
	{"memory Llama-3.1-70B tp 16: KV heads replicate past 8", t_memory_llama70b_tp16},
	{"memory MLA under tp 8: latent not divided", t_memory_mla_tp8},
	{"memory expert parallelism and redundant experts", t_memory_ep},
	{"memory pipeline stages of DeepSeek-V3 (31/30, embedding first, head and MTP last)", t_memory_pp},
	{"memory paged KV rounds sequences up to whole blocks", t_memory_paged},
	{"plan_check refuses impossible layouts", t_plan_check},
	{"model attention kinds and head_dim default", t_model_attention_kinds},
	{"model MLA keys, q_lora_rank null, DeepSeek-V3 card", t_model_mla},
	{"model MoE layout: Mixtral widths, first_k_dense_replace, moe_layer_freq", t_model_moe_layout},
	{"model --set overrides", t_model_set},
	{"hw H800 card in SI units", t_hw_h800},
	{"hw card errors: unknown key or section, missing or bad values", t_hw_reject},
	{"hw --set dotted overrides", t_hw_set},
	{"jsonx_set paths and values", t_jsonx_set},
	{"jsonx refuses a key twice in one object, naming its path", t_jsonx_unique},
	{"csv: an unknown or infinite number is an empty field", t_csv_missing},
	{"every bundled model and hardware card loads", t_bundled_cards_load},
	{"cards_resolve finds cards by name, alias and path", t_cards_resolve},
	{"cards_resolve refuses unknown names and suggests close ones", t_cards_unknown},
	{"perf_mla_attention: FlashMLA FLOP and byte counts, intensity ~242", t_perf_mla_attention},
	{"kern: waves, the K-loop floor and the smooth maximum by hand", t_kern_model},
	{"borrow: a fit carried to another card runs on its own peaks; B300/GB300 fit their own", t_borrow_cards},
	{"comm_nccl_s: NCCL's three protocols by hand", t_comm_nccl},
	{"comm_custom_ar_s: an engine's one-shot and two-shot all-reduce by hand, and its fit", t_comm_custom_ar},
	{"elementwise kernels and activation quantisation by hand, with and without an engine's fusions", t_elementwise},
	{"DeepEP's normal kernels in prefill, and the SMs they take from the compute they overlap", t_deepep_normal},
	{"comm_ep_s: DeepEP low latency by hand; kfit_deepep gives it back", t_comm_deepep},
	{"perf: prefill attention's FLOPs, exponentials, thread blocks and bytes", t_prefill_attention_shape},
	{"kfit: the fit finds the parameters that made the times", t_kfit_recovers},
	{"kfit: records become the engine's calls; bad ones name file and key", t_kfit_records},
	{"kfit: grouped GEMMs by layout, GQA decode, DeepEP in and across nodes, the NIC's line rate", t_kfit_classes},
	{"kfit: a prefill attention record counts thread blocks and the QKV pass", t_kfit_prefill_record},
	{"perf decode operators of DeepSeek-V3 fp8-block on H800 (--ideal and default)", t_perf_decode_ops_v3},
	{"perf decode operators of Llama-3.1-70B tp 4 on H100, tp all-reduce", t_perf_decode_ops_llama70b},
	{"perf step assembly: sums, micro-batch overlap, MTP tokens per step", t_perf_step_assembly},
	{"perf pipeline transfer is charged to pp transfer, with and without MTP", t_perf_pp_class},
	{"comm EP traffic: hypergeometric groups, node limit, conservation", t_perf_ep_traffic},
	{"perf ISCA 2025 EP all-to-all on H800 (124.66 us per layer)", t_perf_isca_a2a},
	{"perf prefill: causal pairs, chunks, prefix cache", t_perf_prefill},
	{"perf property: doubling the batch never lowers tokens/s per GPU", t_perf_prop_batch},
	{"perf property: more HBM or NIC bandwidth never slows a step", t_perf_prop_bandwidth},
	{"perf property: --ideal never slower, TPOT grows with context", t_perf_prop_ideal_context},
	{"plan_check refuses workloads out of range", t_perf_workload_check},
	{"topo fat trees at radix 40, 64, 128, 144; planes; partial; oversubscribed; bad shapes", t_topo_radices},
	{"topo MPFT is cheaper than FT3 for 16,384 endpoints; the smallest tree that fits", t_topo_cost_order},
	{"comm collectives by hand; planes down; cross-leaf latency 3.7 us", t_comm_collectives},
	/* hostile input: the engine's answers */
	{"engine TTFT: one request alone, falls with prefix hit, grows with isl", t_engine_ttft_request},
	{"engine links: achievable_gbs_per_dir and effective_gbs_per_nic set the bandwidth", t_engine_achievable_links},
	{"engine a larger NVLink domain leaves the NICs idle: EP all-to-all slower (physics)", t_engine_domain_split},
	{"engine decode across nodes: DeepEP's low-latency kernels over RDMA, as the card's fit has them", t_engine_ep_rdma},
	/* sweep branch: CSV */
	{"csv_field quotes only what needs it (comma, quote, tab, CR, LF)", t_csv_field_quoting},
	{"csv_split reads back csv_field's fields, line breaks and quotes too", t_csv_split_round_trip},
	{"csv_read: records of one line or more, their line breaks given back; JSON lines", t_csv_read_records},
	{"front: the Pareto rule, equal points, NaN, kept texts, the print order", t_front_rule},
	{"units_parse times: s, ms, us, µs; a bare number is seconds", t_cli_units_time},
	{"jsonx_set refuses a number with trailing text, keeps quoted strings", t_cli_jsonx_set_strict},
	{"card ranges: switch radix even from 4, PUE from 1 to 5", t_cli_card_ranges},
	{"gnuplot_str: single-quoted, quotes doubled, control bytes as octal escapes", t_gnuplot_str_single_quoted},
	{"infile: regular files only, a size cap to the byte", t_infile_regular_only},
	{"out_resolve: links followed, devices in place, modes kept, inputs refused", t_out_resolve_targets},
	/* model zoo */
	{"zoo Qwen3-0.6B by hand: q/k norms, tied head active, 596,049,920", t_zoo_qwen3_dense},
	{"zoo MoE names: num_experts, moe_topk, num_shared_expert, shared width; CLA halves the cache", t_zoo_moe_names},
	/* layer kinds: sizes */
	{"kinds: gpt-oss-like windows by hand: 197,744 params, 256 B/token + 2,048 B fixed", t_kinds_window},
	{"kinds: Nemotron-H-like Mamba-2 by hand: 63,832 params, 5,248 B state", t_kinds_mamba},
	{"kinds: DeepSeek-V3.2 DSA indexer: 671,877,944,064 params, 78,324 B/token", t_kinds_dsa},
	/* layer kinds: time */
	{"kinds: window pairs by hand (sliding, chunked, full) in closed form", t_kinds_window_pairs},
	{"kinds: a window layer decodes over min(L, W), prefills its window's pairs", t_kinds_window_time},
	{"kinds: Mamba-2 state op reads and writes 2 x state; no FFN, no attention where absent", t_kinds_mamba_time},
	{"kinds: Gated DeltaNet state op 2 x state, chunked prefill FLOPs", t_kinds_deltanet_time},
	{"kinds: DSA attends to index_topk tokens, its indexer grows linearly with context", t_kinds_dsa_time},
	{"kinds: a CLA layer skips k and v but reads the shared cache", t_kinds_cla_time},
	/* output layer */
	{"stats_median: odd and even counts by hand, sorted in place, NAN for none", t_stats_median},
	{"series kv: 70,272 and 327,680 B per token by hand, linear in context, 8 models at most", t_series_kv},
	{"series memory: Llama-3.1-70B tp 4 on H100 by hand, each bar the plan's memory", t_series_memory},
	{"series throughput: each batch the plan's decode, per GPU = batch x per user / tp, the knee rule", t_series_throughput},
	{"series tpot: default EP sizes and NIC rates by hand, a point the plan's decode split by class", t_series_tpot},
	{"series roofline: H800's two roofs, every operator under its roof and the HBM slope", t_series_roofline},
	{"series power: GB200 NVL72 rack at full load by hand, per node 1/18", t_series_power},
	{"series topology: FT2 and FT3 of 64-port switches by hand, the default GPU counts", t_series_topology},
};

int main(void)
{
	size_t i, n = sizeof tests / sizeof tests[0];
	int failed = 0;

	for (i = 0; i < n; i++) {
		t_failed = 0;
		tests[i].fn();
		printf("%s - %s\n", t_failed ? "not ok" : "ok", tests[i].name);
		fflush(stdout);
		failed += t_failed != 0;
	}
	printf("# %zu tests, %d failed\n", n, failed);
	return failed ? 1 : 0;
}
