/*
 * calib.h - probe results (schema mlasim.calib/1, docs/probes.md s11),
 * the efficiency curves fitted from them, and the calibrated hardware card.
 *
 * The probe runner (build/mlasim-probe, built from probes/) writes a results
 * document: device, env, spec and one record per measured configuration:
 *
 *   {"probe": "gemm_bf16", "id": "...", "status": "ok",
 *    "params": {"m": 128, "n": 7168, "k": 2048, ...},
 *    "work": {"flops": F, "bytes_read": R, "bytes_written": W},
 *    "timing": {"median_s": t, ...}, "check": {"ok": true, ...},
 *    "provenance": "measured"}
 *
 * calib_build() reads those records and fits, per kernel class, the roofline
 * the engine uses (perf.h):
 *
 *   t = max(F / (eff_compute x peak), B / (eff_mem x hbm_bw)) + t0      (B = R + W)
 *
 * with the peaks of the card being calibrated, so that the engine, dividing
 * by the same peaks, reproduces the measured times.  The result is the
 * "calib" object hw.c reads: calib.<section>.<variant>.fit.{eff_compute,
 * eff_mem, t0_s}, plus the raw grids and the provenance of every number.
 */
#ifndef MLASIM_CALIB_H
#define MLASIM_CALIB_H

#include <cjson/cJSON.h>
#include "err.h"
#include "hw.h"

#define CALIB_SCHEMA "mlasim.calib/1"

/* One measured configuration: its work and its median time. */
struct calib_point {
	double flops;      /* FLOPs of one call */
	double bytes;      /* HBM bytes read + written by one call */
	double t_s;        /* measured seconds per call */
};

/* A fitted roofline, t = max(F/(eff_compute peak), B/(eff_mem bw)) + t0_s. */
struct calib_fit {
	double eff_compute;    /* fraction of the dense peak, (0, 1] */
	double eff_mem;        /* fraction of HBM bandwidth, (0, 1] */
	double t0_s;           /* fixed seconds per call, >= 0 */
	double rmse_rel;       /* RMS of (t_fit - t) / t over the points */
	double max_rel;        /* largest |t_fit - t| / t */
	int n_points;
	int n_compute;         /* points on the compute roof at the fit */
	int n_memory;          /* points on the memory roof */
	int fixed_compute;     /* no point was compute-bound: eff_compute is the default given */
	int fixed_mem;         /* no point was memory-bound: eff_mem is the default given */
};

/*
 * Fit the roofline to n points by weighted least squares on relative error,
 * with eff_compute, eff_mem in (0, 1] and t0 >= 0.  For a fixed split of the
 * points between the two roofs the model is linear in (1/eff_compute,
 * 1/eff_mem, t0), solved by gsl_multifit_wlinear; the split is then
 * re-derived from the fit until it no longer changes, from several starting
 * splits, keeping the best.  peak_flops in FLOP/s and bw in B/s must be > 0;
 * a class with no point on one roof keeps default_compute / default_mem
 * (NAN: 1) and says so in fit->fixed_*.  Returns 0, or -1 with fewer than
 * two points or points that are not positive and finite.
 */
int calib_fit_roofline(const struct calib_point *pts, int n, double peak_flops, double bw,
		       double default_compute, double default_mem, struct calib_fit *fit);

/* The denominators of the fits: the card's dense peaks and HBM bandwidth. */
struct calib_peaks {
	double flops_bf16, flops_fp8;   /* FLOP/s, dense */
	double hbm_bw;                  /* B/s */
	double l2_bytes;                /* decides which HBM points are L2-resident; NAN: unknown */
	char source[160];               /* "card 'h100-sxm'" or "results spec: builtin:h100_sxm" */
	struct hw_kernel_eff def[K_CLASSES];   /* kept for what the data cannot identify */
};

/* Peaks and default efficiencies from a loaded hardware card. */
void calib_peaks_from_hw(const struct hw *h, struct calib_peaks *pk);

/* Peaks from the results document's own "spec" (no card given): EXIT_INPUT
 * naming `file` when it has none. */
int calib_peaks_from_doc(const cJSON *doc, const char *file, struct calib_peaks *pk,
			 struct err *e);

/*
 * Check that `doc` is a results document: "schema" is mlasim.calib/1,
 * "status" one of ok, partial, no_gpu, error, and, unless no GPU was found,
 * "device.name" and a "probes" array of records.  Returns 0 or EXIT_INPUT
 * ("FILE: 'probes[3].timing.median_s' is missing ...").
 */
int calib_check(const cJSON *doc, const char *file, struct err *e);

/*
 * Fit every calibration section the records of `doc` allow, against `pk`.
 * On success *calib is a new object (the caller owns it, cJSON_Delete).
 * Records whose "status" is not "ok" or whose "check.ok" is false are left
 * out.  Returns 0, or EXIT_INPUT (calib_check's, a document of no GPU, a
 * record that lacks what its probe needs, no section that could be fitted)
 * with *calib NULL.
 */
int calib_build(const cJSON *doc, const char *file, const struct calib_peaks *pk,
		cJSON **calib, struct err *e);

/*
 * The roofline fit that record idx of a results document feeds: its section
 * and variant ("gemm", "bf16"), the first fit whose probe and parameters it
 * matches, or NULL and NULL when it feeds none (a record that failed its
 * check, a probe fitted some other way, such as hbm sizes within 4 x L2,
 * launch, power).  Returns 0, or EXIT_INPUT when the record lacks a parameter
 * its probe needs.
 */
int calib_record_class(const cJSON *rec, int idx, const char *file, const struct calib_peaks *pk,
		       const char **section, const char **variant, struct err *e);

/* A usable record's work and median time (status "ok", check not failed,
 * numbers present): 1 and *p filled, else 0. */
int calib_record_point(const cJSON *rec, struct calib_point *p);

/* A record's parameter params.<key>: the number (NAN when absent or not a
 * number), or the string (NULL when absent or not a string). */
double calib_param_num(const cJSON *rec, const char *key);
const char *calib_param_str(const cJSON *rec, const char *key);

/*
 * The calibrated card: a copy of `base` (a hardware card's JSON) named
 * "<name>-calibrated", without aliases (they belong to the base card), with a
 * note, and with "calibration" = a copy of `doc` whose "calib" is `calib`
 * (taken over: freed with the card), and, when base had a published
 * calibration, that one as "calibration.published" (hw.c reads it first:
 * the probes' fits take precedence class by class).  Raw records are dropped from the copy
 * when the card would pass JSONX_MAX_FILE.  Returns the new card (the caller
 * owns it) or NULL when out of memory (calib freed then too).
 */
cJSON *calib_card(const cJSON *base, const cJSON *doc, cJSON *calib);

#endif
