/* anchors.c - measured figures next to the reference anchors; see anchors.h */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "anchors.h"
#include "stats.h"

enum arow { A_TRIAD, A_BF16, A_FP8_TENSOR, A_FP8_BLOCK, A_MLA_SHARE, A_MLA_BW, A_MLA_TF_BF16,
	    A_MLA_TF_FP8, A_ROWS };

/* What others reached, per GPU family (docs/probes.md s0, s4.3): low, high in the row's unit. */
struct anchor_ref { double lo, hi; const char *source; };

static const struct anchor_ref h100_refs[A_ROWS] = {
	[A_TRIAD] = {2.9, 3.0, "STREAM-class kernels, FlashMLA README and [AIC] gemm (docs/probes.md s0)"},
	[A_BF16] = {783, 798, "[AIC] 783; fast.cu's cuBLAS baseline 798 (docs/probes.md s4.3)"},
	[A_FP8_TENSOR] = {1243, 1243, "[AIC] fp8, with TRT-LLM's activation quantisation (docs/probes.md s4.3)"},
	[A_FP8_BLOCK] = {1117, 1117, "[AIC] fp8_block, TRT-LLM's 1x128/128x128 kernel (docs/probes.md s4.3)"},
	[A_MLA_SHARE] = {NAN, NAN, NULL},
	[A_MLA_BW] = {2.35, 3.0, "TRT-LLM on H100 at b=128, L=8k [AIC]; FlashMLA on H800 (docs/probes.md s0)"},
	[A_MLA_TF_BF16] = {567, 660, "TRT-LLM on H100 at b=128, L=8k [AIC]; FlashMLA on H800 (docs/probes.md s0)"},
	[A_MLA_TF_FP8] = {674, 762, "TRT-LLM on H100, b=128 L=8k and b=256 L=32k [AIC] (docs/probes.md s0)"},
};

static const struct anchor_ref h200_refs[A_ROWS] = {
	[A_TRIAD] = {NAN, NAN, NULL},
	[A_BF16] = {806, 806, "[AIC] h200_sxm (docs/probes.md s4.3)"},
	[A_FP8_TENSOR] = {1243, 1243, "[AIC] h200_sxm at 8192^3 (docs/probes.md s4.3)"},
	[A_FP8_BLOCK] = {NAN, NAN, NULL},
	[A_MLA_SHARE] = {NAN, NAN, NULL},
	[A_MLA_BW] = {NAN, NAN, NULL},
	[A_MLA_TF_BF16] = {NAN, NAN, NULL},
	[A_MLA_TF_FP8] = {NAN, NAN, NULL},
};

#define TARGETS "docs/probes.md s13"

const char *anchors_family(const cJSON *doc)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(doc, "device"), "name");

	if (!cJSON_IsString(n))
		return NULL;
	/* the SXM parts the anchors were taken on: not H100 PCIe or NVL, not GH200 */
	if (strstr(n->valuestring, "PCIe") || strstr(n->valuestring, "NVL") ||
	    strstr(n->valuestring, "GH200"))
		return NULL;
	if (strstr(n->valuestring, "H100"))
		return "H100";
	if (strstr(n->valuestring, "H200"))
		return "H200";
	return NULL;
}

static int str_is(const char *s, const char *want)
{
	return s && strcmp(s, want) == 0;
}

/* A usable record of `probe` whose string parameter key is val (key NULL: any). */
static int rec_is(const cJSON *rec, const char *probe, const char *key, const char *val,
		  struct calib_point *p)
{
	const cJSON *pr = cJSON_GetObjectItemCaseSensitive(rec, "probe");

	return cJSON_IsString(pr) && strcmp(pr->valuestring, probe) == 0 &&
	       (!key || str_is(calib_param_str(rec, key), val)) && calib_record_point(rec, p);
}

static void row_shape(struct anchor_row *r, const cJSON *rec)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(rec, "id");

	snprintf(r->shape, sizeof r->shape, "%s", cJSON_IsString(id) ? id->valuestring : "");
}

/* The triad at its largest array. */
static void row_triad(const cJSON *probes, const struct calib_peaks *pk, struct anchor_row *r)
{
	const cJSON *rec;
	struct calib_point p;
	double size = 0;

	cJSON_ArrayForEach(rec, probes)
		if (rec_is(rec, "hbm", "kernel", "triad", &p) &&
		    calib_param_num(rec, "bytes_per_array") > size) {
			size = calib_param_num(rec, "bytes_per_array");
			r->measured = p.bytes / p.t_s / 1e12;
			r->share = p.bytes / p.t_s / pk->hbm_bw;
			row_shape(r, rec);
		}
}

/* The fastest 8192^3 GEMM of `probe` with params.scale == scale (NULL: any). */
static void row_gemm(const cJSON *probes, const char *probe, const char *scale, double peak,
		     struct anchor_row *r)
{
	const cJSON *rec;
	struct calib_point p;

	cJSON_ArrayForEach(rec, probes)
		if (rec_is(rec, probe, scale ? "scale" : NULL, scale, &p) &&
		    calib_param_num(rec, "m") == 8192 && calib_param_num(rec, "n") == 8192 &&
		    calib_param_num(rec, "k") == 8192 &&
		    (isnan(r->measured) || p.flops / p.t_s / 1e12 > r->measured)) {
			r->measured = p.flops / p.t_s / 1e12;
			r->share = p.flops / p.t_s / peak;
			row_shape(r, rec);
		}
}

/* Our MLA decode kernel with a `kv` cache: the memory-bound share of the HBM
 * roofline (median), the best bandwidth and the best TFLOPS. */
static void row_mla(const cJSON *probes, const char *kv, const struct calib_peaks *pk,
		    struct anchor_row *share, struct anchor_row *bw, struct anchor_row *tf)
{
	const cJSON *rec;
	struct calib_point p;
	double *v = malloc(sizeof *v * ((size_t)cJSON_GetArraySize(probes) + 1));
	int n = 0;

	cJSON_ArrayForEach(rec, probes) {
		if (!rec_is(rec, "mla_decode", "kv", kv, &p))
			continue;
		if (tf && (isnan(tf->measured) || p.flops / p.t_s / 1e12 > tf->measured)) {
			tf->measured = p.flops / p.t_s / 1e12;
			tf->share = p.flops / p.t_s / pk->flops_bf16;
			row_shape(tf, rec);
		}
		if (!share || p.bytes / pk->hbm_bw < p.flops / pk->flops_bf16)
			continue;   /* compute-bound on the card's roofline */
		if (v)
			v[n++] = p.bytes / pk->hbm_bw / p.t_s;
		if (isnan(bw->measured) || p.bytes / p.t_s / 1e12 > bw->measured) {
			bw->measured = p.bytes / p.t_s / 1e12;
			bw->share = p.bytes / p.t_s / pk->hbm_bw;
			row_shape(bw, rec);
		}
	}
	if (share && n > 0) {
		share->measured = share->share = stats_median(v, n);
		snprintf(share->shape, sizeof share->shape, "median of %d memory-bound shapes", n);
	}
	free(v);
}

static void row_init(struct anchor_row *r, const char *what, const char *unit,
		     const struct anchor_ref *ref)
{
	memset(r, 0, sizeof *r);
	r->what = what;
	r->unit = unit;
	r->measured = r->share = r->target = NAN;
	r->anchor_lo = ref ? ref->lo : NAN;
	r->anchor_hi = ref ? ref->hi : NAN;
	r->anchor_source = ref ? ref->source : NULL;
}

int anchors_rows(const cJSON *doc, const struct calib_peaks *pk, struct anchor_row *rows)
{
	const char *fam = anchors_family(doc);
	const struct anchor_ref *refs = !fam ? NULL : strcmp(fam, "H100") == 0 ? h100_refs : h200_refs;
	const cJSON *probes = cJSON_GetObjectItemCaseSensitive(doc, "probes");

#define REF(i) (refs ? &refs[i] : NULL)
	row_init(&rows[A_TRIAD], "HBM triad, largest array", "TB/s", REF(A_TRIAD));
	row_init(&rows[A_BF16], "BF16 GEMM 8192^3 (cuBLASLt)", "TFLOPS", REF(A_BF16));
	row_init(&rows[A_FP8_TENSOR], "FP8 GEMM 8192^3, per-tensor scale", "TFLOPS", REF(A_FP8_TENSOR));
	row_init(&rows[A_FP8_BLOCK], "FP8 GEMM 8192^3, 128-block scales", "TFLOPS", REF(A_FP8_BLOCK));
	row_init(&rows[A_MLA_SHARE], "MLA decode BF16 KV: HBM roofline share", "", REF(A_MLA_SHARE));
	row_init(&rows[A_MLA_BW], "MLA decode BF16 KV: best bandwidth", "TB/s", REF(A_MLA_BW));
	row_init(&rows[A_MLA_TF_BF16], "MLA decode BF16 KV: best TFLOPS", "TFLOPS", REF(A_MLA_TF_BF16));
	row_init(&rows[A_MLA_TF_FP8], "MLA decode FP8 KV: best TFLOPS", "TFLOPS", REF(A_MLA_TF_FP8));
#undef REF
	rows[A_TRIAD].target = 0.85;
	rows[A_TRIAD].target_on_share = 1;
	rows[A_TRIAD].target_source = TARGETS;
	if (fam && strcmp(fam, "H100") == 0) {
		rows[A_FP8_TENSOR].target = 1100;
		rows[A_FP8_TENSOR].target_source = TARGETS;
	}
	rows[A_MLA_SHARE].target = 0.5;
	rows[A_MLA_SHARE].target_on_share = 1;
	rows[A_MLA_SHARE].target_source = TARGETS;
	row_triad(probes, pk, &rows[A_TRIAD]);
	row_gemm(probes, "gemm_bf16", NULL, pk->flops_bf16, &rows[A_BF16]);
	row_gemm(probes, "gemm_fp8", "tensor", pk->flops_fp8, &rows[A_FP8_TENSOR]);
	row_gemm(probes, "gemm_fp8", "blk128", pk->flops_fp8, &rows[A_FP8_BLOCK]);
	row_mla(probes, "bf16", pk, &rows[A_MLA_SHARE], &rows[A_MLA_BW], &rows[A_MLA_TF_BF16]);
	row_mla(probes, "fp8", pk, NULL, NULL, &rows[A_MLA_TF_FP8]);
	return A_ROWS;
}

int anchors_verdict(const struct anchor_row *r)
{
	double v = r->target_on_share ? r->share : r->measured;

	if (isnan(r->target) || isnan(v))
		return -1;
	return r->target_below ? v < r->target : v >= r->target;
}
