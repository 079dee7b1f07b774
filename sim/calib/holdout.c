/* holdout.c - held-out prediction error of the calibrated engine; see holdout.h */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "holdout.h"
#include "hw.h"
#include "perf.h"
#include "stats.h"

/* What the study keeps of a class besides struct holdout_class. */
struct hclass {
	const char *section, *variant;   /* the static strings of calib.c's rules */
	int seen;                        /* records of the class met so far */
	int n;                           /* records of the class in all */
};

static const cJSON *jget(const cJSON *o, const char *key)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static double jnum(const cJSON *o, const char *key)
{
	const cJSON *v = jget(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* The class of (section, variant), added when new; -1 when the table is full. */
static int holdout_class_of(struct holdout *h, struct hclass *hc, const char *section,
			    const char *variant)
{
	int i;

	for (i = 0; i < h->ncls; i++)
		if (hc[i].section == section && hc[i].variant == variant)
			return i;
	if (h->ncls == HOLDOUT_MAX_CLASSES)
		return -1;
	hc[i] = (struct hclass){section, variant, 0, 0};
	snprintf(h->cls[i].name, sizeof h->cls[i].name, "%s.%s", section, variant);
	h->cls[i].kclass = -1;
	h->cls[i].median_abs = h->cls[i].worst = NAN;
	h->cls[i].worst_row = -1;
	return h->ncls++;
}

/* Hold record idx of class c out: list it in h->rows, mark it for calib_build. */
static void holdout_hold(struct holdout *h, cJSON *rec, int idx, int c)
{
	struct holdout_row *r = &h->rows[h->nrows++];
	const cJSON *id = jget(rec, "id");
	struct calib_point p = {NAN, NAN, NAN};

	if (cJSON_IsString(id))
		snprintf(r->id, sizeof r->id, "%s", id->valuestring);
	else
		snprintf(r->id, sizeof r->id, "probes[%d]", idx);
	calib_record_point(rec, &p);   /* a classified record is a usable one */
	r->cls = c;
	r->t_measured = p.t_s;
	r->flops = p.flops;
	r->bytes = p.bytes;
	h->cls[c].n_held++;
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "status");
	cJSON_AddStringToObject(rec, "status", "held_out");
}

/*
 * Mark the held-out records of `copy` ("status": "held_out", which calib_build
 * skips) and list them in h->rows with their class.  Returns 0 or an error.
 */
static int holdout_split(cJSON *copy, const char *file, const struct calib_peaks *pk,
			 struct holdout *h, struct hclass *hc, struct err *e)
{
	cJSON *probes = cJSON_GetObjectItemCaseSensitive(copy, "probes"), *rec;
	const char *section, *variant;
	int idx = 0, c, n = cJSON_GetArraySize(probes);

	h->rows = calloc((size_t)n + 1, sizeof *h->rows);
	if (!h->rows)
		return err_set(e, EXIT_ENV, "out of memory reading '%s'", file);
	cJSON_ArrayForEach(rec, probes) {      /* the classes and their sizes */
		if (calib_record_class(rec, idx++, file, pk, &section, &variant, e))
			return e->code;
		if (section && (c = holdout_class_of(h, hc, section, variant)) >= 0)
			hc[c].n++;
	}
	idx = 0;
	cJSON_ArrayForEach(rec, probes) {
		calib_record_class(rec, idx, file, pk, &section, &variant, e);
		if (section && (c = holdout_class_of(h, hc, section, variant)) >= 0) {
			int pos = hc[c].seen++;
			if (pos % h->stride == h->stride / 2 && pos != hc[c].n - 1)
				holdout_hold(h, rec, idx, c);
			else
				h->cls[c].n_fit++;
		}
		idx++;
	}
	if (h->nrows == 0)
		return err_set(e, EXIT_INPUT,
			       "%s: no kernel class has the %d records it takes to hold one out and keep its first and last: nothing to predict",
			       file, h->stride / 2 + 2);
	return 0;
}

/*
 * The kernel class and dtype the engine times a record of this variant with;
 * *own = 1 when that class is calibrated from this variant's own records (its
 * fit, or the one filled from them: "measured_as", MXFP8 standing for FP8
 * block scales on sm_100).  Variants the engine has no fit of their own for
 * are timed as perf.c times them: every FP8 GEMM as gemm_fp8, decode
 * attention over any cache as attention_decode at the BF16 peak.  -1 for
 * elementwise: no operator is timed with it yet.
 */
static int holdout_kclass(const cJSON *calib, const struct hclass *hc, enum dtype *dt, int *own)
{
	const cJSON *sec = jget(calib, hc->section), *var;
	int k = hw_calib_kclass(hc->section, hc->variant), fp8 = strstr(hc->variant, "fp8") != NULL;

	cJSON_ArrayForEach(var, sec) {
		const cJSON *as = jget(var, "measured_as");
		if (k < 0 && cJSON_IsString(as) && strcmp(as->valuestring, hc->variant) == 0)
			k = hw_calib_kclass(hc->section, var->string);
	}
	*own = k >= 0;
	if (k < 0 && strcmp(hc->section, "gemm") == 0)
		k = fp8 ? (strstr(hc->variant, "block") ? K_GEMM_FP8_BLOCK : K_GEMM_FP8) :
		    strstr(hc->variant, "fp4") ? K_GEMM_FP4 : K_GEMM_BF16;
	else if (k < 0 && strcmp(hc->section, "attention_decode") == 0)
		k = fp8 ? K_ATTN_DECODE_FP8 : K_ATTN_DECODE;
	else if (k < 0 && strcmp(hc->section, "moe") == 0)
		k = K_MOE;
	if (k < 0 || k == K_ELEMWISE)
		return -1;
	*dt = k == K_GEMM_FP8 || k == K_GEMM_FP8_BLOCK || k == K_ATTN_DECODE_FP8 || (k == K_MOE && fp8) ? DT_FP8 :
	      k == K_GEMM_FP4 ? DT_FP4 : DT_BF16;
	return k;
}

/* The fitted roofline alone (calib.h): NAN when the class has no fit. */
static double holdout_fit_seconds(const cJSON *fit, double flops, double bytes)
{
	double tc = flops / (jnum(fit, "eff_compute") * jnum(fit, "peak_flops"));
	double tm = bytes / (jnum(fit, "eff_mem") * jnum(fit, "hbm_Bps"));

	return fmax(tc, tm) + jnum(fit, "t0_s");
}

/* Median |err| and the err of largest magnitude of rows whose class is c (-1: all). */
static void holdout_summary(const struct holdout *h, int c, double *scratch, double *median,
			    double *worst, int *worst_row)
{
	int i, n = 0;

	*median = *worst = NAN;
	*worst_row = -1;
	for (i = 0; i < h->nrows; i++) {
		if ((c >= 0 && h->rows[i].cls != c) || isnan(h->rows[i].err))
			continue;
		scratch[n++] = fabs(h->rows[i].err);
		if (*worst_row < 0 || fabs(h->rows[i].err) > fabs(*worst)) {
			*worst = h->rows[i].err;
			*worst_row = i;
		}
	}
	if (n > 0)
		*median = stats_median(scratch, n);
}

/* Predict every held-out row: through the engine on card `hw` (NULL: none), else the fit. */
static void holdout_predict(struct holdout *h, const struct hclass *hc, const cJSON *calib,
			    const struct hw *hw)
{
	int i, c;

	for (c = 0; c < h->ncls; c++) {
		const cJSON *fit = jget(jget(jget(calib, hc[c].section), hc[c].variant), "fit");
		h->cls[c].fitted = cJSON_IsObject(fit);
		h->cls[c].kclass = hw && h->cls[c].fitted ?
			holdout_kclass(calib, &hc[c], &h->cls[c].dtype, &h->cls[c].own) : -1;
	}
	h->engine_gap = NAN;
	for (i = 0; i < h->nrows; i++) {
		struct holdout_row *r = &h->rows[i];
		const struct hclass *k = &hc[r->cls];
		const cJSON *fit = jget(jget(jget(calib, k->section), k->variant), "fit");
		double t_fit;

		if (!h->cls[r->cls].fitted) {
			r->t_predicted = r->err = NAN;
			h->n_unpredicted++;
			continue;
		}
		t_fit = holdout_fit_seconds(fit, r->flops, r->bytes);
		r->t_predicted = t_fit;
		if (h->cls[r->cls].kclass >= 0) {
			r->t_predicted = perf_kernel_seconds(hw, (enum kclass)h->cls[r->cls].kclass,
							     h->cls[r->cls].dtype, r->flops, r->bytes);
			if (h->cls[r->cls].own)   /* the engine reads this very fit */
				h->engine_gap = isnan(h->engine_gap) ? fabs(r->t_predicted / t_fit - 1) :
					fmax(h->engine_gap, fabs(r->t_predicted / t_fit - 1));
		}
		r->err = r->t_predicted / r->t_measured - 1;
	}
}

int holdout_run(const cJSON *doc, const char *file, const cJSON *base, const char *base_file,
		const struct calib_peaks *pk, int stride, struct holdout *out, struct err *e)
{
	struct hclass hc[HOLDOUT_MAX_CLASSES];
	cJSON *copy, *calib = NULL, *card = NULL;
	struct hw hw;
	double *scratch = NULL;
	char name[600];
	int c;

	memset(out, 0, sizeof *out);
	out->stride = stride < 2 ? 2 : stride;
	out->engine = base != NULL;
	if (calib_check(doc, file, e))
		return e->code;
	copy = cJSON_Duplicate(doc, 1);
	if (!copy)
		return err_set(e, EXIT_ENV, "out of memory reading '%s'", file);
	if (holdout_split(copy, file, pk, out, hc, e) || calib_build(copy, file, pk, &calib, e))
		goto fail;
	if (base) {
		card = calib_card(base, copy, calib);   /* takes calib over */
		calib = NULL;
		snprintf(name, sizeof name, "%s, calibrated without the held-out records", base_file);
		if (!card) {
			err_set(e, EXIT_ENV, "out of memory building the calibrated card");
			goto fail;
		}
		if (hw_from_json(card, name, &hw, e))
			goto fail;
	}
	holdout_predict(out, hc, base ? jget(jget(card, "calibration"), "calib") : calib,
			base ? &hw : NULL);
	scratch = malloc(sizeof *scratch * ((size_t)out->nrows + 1));
	if (!scratch) {
		err_set(e, EXIT_ENV, "out of memory");
		goto fail;
	}
	for (c = 0; c < out->ncls; c++)
		holdout_summary(out, c, scratch, &out->cls[c].median_abs, &out->cls[c].worst,
				&out->cls[c].worst_row);
	holdout_summary(out, -1, scratch, &out->median_abs, &out->worst, &out->worst_row);
	free(scratch);
	cJSON_Delete(card);
	cJSON_Delete(calib);
	cJSON_Delete(copy);
	return 0;
fail:
	cJSON_Delete(card);
	cJSON_Delete(calib);
	cJSON_Delete(copy);
	holdout_free(out);
	return e->code;
}

void holdout_free(struct holdout *h)
{
	free(h->rows);
	h->rows = NULL;
	h->nrows = 0;
}
