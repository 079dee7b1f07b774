/*
 * holdout.h - how well the calibrated engine predicts shapes it was not
 * calibrated on: calibrate on some shapes, predict the held-out ones, report the
 * median and worst prediction error (the target: docs/probes.md s13).
 *
 * The records of a probe results document that feed a roofline fit
 * (calib_record_class) are taken class by class in document order; of each
 * class, every stride-th record (positions stride/2, stride/2 + stride, ...,
 * never the class's first or last, so that its extremes stay in the fit) is
 * left out of the fit.  calib_build() fits the rest; the calibrated card is
 * built and loaded as the engine loads any card; each held-out record is then
 * predicted:
 *
 *   engine   with a card: perf_kernel_seconds() on the loaded card, with the
 *            record's FLOPs and bytes, the call perf_compute() makes for an
 *            operator, in the kernel class the engine times such a kernel
 *            with: its own fit where the engine reads one (gemm.bf16,
 *            gemm.fp8_block, attention_decode.bf16, moe.fp8_block), else the
 *            class perf.c uses for it (an FP8 per-tensor GEMM as gemm_fp8, an
 *            FP8-cache decode as attention_decode), so the error is the
 *            engine's, not a fit's it never reads
 *   fit      without a card, or elementwise (no operator uses it yet): the
 *            fitted roofline of calib.<section>.<variant>.fit alone
 *
 * and compared with what was measured: err = predicted / measured - 1.
 */
#ifndef MLASIM_HOLDOUT_H
#define MLASIM_HOLDOUT_H

#include <cjson/cJSON.h>
#include "calib.h"
#include "err.h"
#include "perf.h"

#define HOLDOUT_MAX_CLASSES 24

/* One held-out record and its prediction. */
struct holdout_row {
	char id[96];           /* the record's "id", or probes[i] */
	int cls;               /* index into holdout.cls */
	double flops, bytes;   /* its work: FLOPs, HBM bytes read + written */
	double t_measured;     /* s */
	double t_predicted;    /* s */
	double err;            /* t_predicted / t_measured - 1 */
};

/* One fitted kernel class (section.variant). */
struct holdout_class {
	char name[48];         /* "gemm.bf16" */
	int kclass;            /* enum kclass the engine predicts it with; -1: the fit alone */
	enum dtype dtype;      /* whose peak the engine divides its FLOPs by */
	int own;               /* kclass is calibrated from this class's own records; 0: the
	                          engine has no fit of its own for this variant (FP8
	                          per-tensor GEMMs, FP8 KV caches) and times it as kclass */
	int n_fit, n_held;     /* records fitted, records held out */
	int fitted;            /* calib_build fitted the class from the n_fit records */
	double median_abs;     /* median |err| of its held-out records (NAN: none) */
	double worst;          /* err of largest magnitude (NAN: none) */
	int worst_row;         /* index into holdout.rows, -1: none */
};

struct holdout {
	int stride;
	struct holdout_class cls[HOLDOUT_MAX_CLASSES];
	int ncls;
	struct holdout_row *rows;   /* held-out records predicted (malloc'd) */
	int nrows;
	int n_unpredicted;          /* held out from a class the rest could not fit */
	double median_abs, worst;   /* over every predicted row (NAN: none) */
	int worst_row;
	int engine;                 /* a base card was given: engine classes go through it */
	double engine_gap;          /* largest |engine / fit - 1| over rows whose class the
	                               engine reads as its own: the card read back gives the
	                               fit's times (0 up to rounding); NAN: no such row */
};

/*
 * Run the study on results `doc` (read from `file`, already calib_check'ed or
 * not): fit against `pk`; when `base` (a hardware card's JSON, named
 * `base_file`) is given, predict the engine's classes through the calibrated
 * card it becomes, else through the fits.  Every stride-th record is held
 * out (a stride below 2 is taken as 2).  On success *out holds
 * the study (release with holdout_free).  Returns 0, or EXIT_INPUT when the
 * document is not a results file, no class has a record to hold out, or the
 * calibrated card does not load; EXIT_ENV when out of memory.
 */
int holdout_run(const cJSON *doc, const char *file, const cJSON *base, const char *base_file,
		const struct calib_peaks *pk, int stride, struct holdout *out, struct err *e);

/* Free what holdout_run allocated; *h may then be reused. */
void holdout_free(struct holdout *h);

#endif
