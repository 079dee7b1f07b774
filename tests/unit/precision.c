/*
 * tests/unit/precision.c - unit tests of precision.h: the weight and KV
 * formats, and the bytes of a matrix in each.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "err.h"
#include "precision.h"
#include "unit.h"

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

static const struct test tests[] = {
	{"precision_matrix_bytes 7168x2048 in every format", t_precision_7168x2048},
	{"precision_matrix_bytes 129280x7168 in every format", t_precision_129280x7168},
	{"precision_matrix_bytes with partial scale groups (576x7168, 100x100)", t_precision_ragged},
	{"precision_parse_weights and precision_parse_kv", t_precision_parse},
};

const struct suite suite_precision = {"precision", tests, sizeof tests / sizeof tests[0]};
