/*
 * tests/unit/helpers.c - what several areas of build/unit use (unit.h):
 * bundled cards loaded, cards from JSON text, KV bytes per token, a plan.
 * Each helper that fails counts as a failed check of the running test and
 * says why on a '#' line.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "kv.h"
#include "precision.h"
#include "unit.h"

/* Load bundled model card models/NAME.json; on failure the test fails. */
int load_model(const char *name, struct model *m)
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

int load_hw(const char *name, struct hw *h)
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

/* Parse a model card given as JSON text; returns model_from_json's code. */
int model_text(const char *text, struct model *m, struct err *e)
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

/* Bytes per token of the whole model (all L main layers) in KV format s. */
double kv_token(const struct model *m, const char *s)
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

/* A plan large enough (PLAN_MAX_STAGES stages) to keep off the stack. */
struct plan g_plan;

/* plan_compute with the error message printed on failure. */
int plan_run(const struct model *m, const struct hw *h, const struct deployment *d)
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

double max_d(double a, double b)
{
	return a > b ? a : b;
}
