/*
 * tests/unit/unit.h - what the files of build/unit share: the harness
 * (harness.h), the helpers several areas use (helpers.c), and the suites
 * main.c runs, one per area of the engine.
 *
 * Every expected value in these tests is worked out by hand from the
 * published sources (docs/models.md, the HF config.json shapes listed in
 * sim/params.h, the DeepSeek-V2 paper's Table 1, the ISCA 2025 "Insights into
 * DeepSeek-V3" Table 1, the hardware cards' own numbers), with the derivation
 * in a comment next to it.  Integer quantities (parameter counts, bytes,
 * tokens, sequences) are asserted with exact equality: every one of them is
 * below 2^53, so a double holds it exactly.
 *
 * Run from the repository root: bundled cards are read as models/NAME.json
 * and hw/NAME.json.
 */
#ifndef MLASIM_TESTS_UNIT_H
#define MLASIM_TESTS_UNIT_H

#include "harness.h"
#include "hw.h"
#include "model.h"
#include "plan.h"

/* H800's figures (hw/h800-sxm.json): FP8 1979 TF dense, 3.35 TB/s, 132 SMs. */
#define K_FP8 1979e12
#define K_HBM 3.35e12
#define K_SMS 132.0

/* Load the bundled model card models/NAME.json into m; returns model_load's
 * code, and on failure the running test fails. */
int load_model(const char *name, struct model *m);
/* Load the bundled hardware card hw/NAME.json into h, as load_model. */
int load_hw(const char *name, struct hw *h);
/* Parse a model card given as JSON text; returns model_from_json's code (-1,
 * and the test fails, when the text is not JSON). */
int model_text(const char *text, struct model *m, struct err *e);
/* Bytes per token of the whole model (all L main layers) in KV format s;
 * NAN, and the test fails, when s is not a KV format. */
double kv_token(const struct model *m, const char *s);

/* A plan large enough (PLAN_MAX_STAGES stages) to keep off the stack:
 * plan_run's result. */
extern struct plan g_plan;
/* plan_compute into g_plan; returns its code, and on failure the test fails,
 * saying why. */
int plan_run(const struct model *m, const struct hw *h, const struct deployment *d);

/* The larger of a and b. */
double max_d(double a, double b);

/* The areas, in the order main.c runs them. */
extern const struct suite suite_units, suite_precision, suite_kv, suite_params, suite_memory,
	suite_cards, suite_perf, suite_net, suite_calib, suite_serve, suite_reports;

#endif
