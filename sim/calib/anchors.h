/*
 * anchors.h - what the probes measured, next to what others measured on the
 * same GPU (docs/probes.md s0 and s4.3) and next to the targets of
 * docs/probes.md s13:
 * the table a calibration run is reported with.
 *
 * Rows, each from the usable records of a results document and the card's
 * peaks (calib_peaks):
 *   HBM triad        bytes / t of the triad at its largest array, over the
 *                    card's HBM bandwidth; target >= 85%
 *   GEMM 8192^3      2 x 8192^3 / t for BF16, FP8 per-tensor (the faster of
 *                    fast accumulation off and on; target >= 1,100 TFLOPS on
 *                    H100) and FP8 128-block scales
 *   MLA decode       our kernel, BF16 cache: over the records the card's
 *                    roofline calls memory-bound (bytes / HBM >= FLOPs / BF16
 *                    peak), the median of (bytes / HBM) / t, the share of the
 *                    HBM roofline reached (target >= 50%), and the best
 *                    bytes / t; the best FLOPs / t for BF16 and FP8 caches
 * Anchors are known for H100 and H200 SXM (by the device name; not PCIe, NVL
 * or GH200); other GPUs get the measured figures alone.
 */
#ifndef MLASIM_ANCHORS_H
#define MLASIM_ANCHORS_H

#include <cjson/cJSON.h>
#include "calib.h"

#define ANCHORS_MAX 12

struct anchor_row {
	const char *what;          /* "BF16 GEMM 8192^3 (cuBLASLt)" */
	const char *unit;          /* "TB/s", "TFLOPS", "" for a share */
	double measured;           /* in unit (a share: 0..1); NAN: no record */
	double share;              /* of the card's peak or roofline; NAN: none */
	char shape[160];           /* the record it came from, "median of N", or why not measured */
	double anchor_lo, anchor_hi;   /* in unit; NAN: none for this GPU */
	const char *anchor_source;
	double target;             /* NAN: none */
	int target_on_share;       /* the target bounds `share` (1) or `measured` (0) */
	int target_below;          /* the target is an upper bound (an error) */
	const char *target_source;
};

/* The GPU family anchors are known for: "H100", "H200", or NULL. */
const char *anchors_family(const cJSON *doc);

/*
 * Fill rows[] (room for ANCHORS_MAX) from results `doc` against the card
 * peaks `pk`; returns the number of rows, the same 8 for every GPU (a GPU
 * without anchors keeps them NAN).  A row whose records are missing keeps
 * measured = NAN.  Pure: reads doc and pk only.
 */
int anchors_rows(const cJSON *doc, const struct calib_peaks *pk, struct anchor_row *rows);

/* 1 when row r meets its target, 0 when it misses, -1 when there is no
 * target or nothing measured. */
int anchors_verdict(const struct anchor_row *r);

#endif
