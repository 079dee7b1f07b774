/* precision.c - see precision.h for every layout and its source */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "precision.h"
#include "units.h"

struct wname { const char *name; enum wfmt fmt; };

static const struct wname wnames[] = {
	{"bf16", WF_BF16}, {"fp16", WF_FP16}, {"fp32", WF_FP32}, {"fp8", WF_FP8},
	{"fp8-block", WF_FP8_BLOCK}, {"int8", WF_INT8}, {"nvfp4", WF_NVFP4},
	{"mxfp4", WF_MXFP4}, {"int4", WF_INT4}, {NULL, WF_BF16},
};

int precision_parse_weights(const char *s, const char *what, struct wprec *p,
			    struct err *e)
{
	const struct wname *w;
	struct err scratch;

	if (!s)
		s = "";      /* nothing given: the unknown-format error below */
	memset(p, 0, sizeof *p);
	p->group = 128;
	if (strncmp(s, "int4:g", 6) == 0) {
		/* units_parse, not strtod alone: no hex, no leading space (as every number) */
		if (units_parse(s + 6, UNIT_PLAIN, what, &p->group, &scratch))
			p->group = NAN;
		if (!(p->group >= 1 && p->group <= 1e6) ||
		    p->group != floor(p->group))
			return err_set(e, EXIT_USAGE,
				       "'%s' int4 group must be a whole number such as int4:g128, got '%s'",
				       what, s);
		p->fmt = WF_INT4;
		snprintf(p->name, sizeof p->name, "int4:g%.0f", p->group);
		return 0;
	}
	for (w = wnames; w->name; w++) {
		if (strcmp(s, w->name) == 0) {
			p->fmt = w->fmt;
			snprintf(p->name, sizeof p->name, "%s", w->name);
			return 0;
		}
	}
	return err_set(e, EXIT_USAGE,
		       "'%s' expects bf16, fp16, fp32, fp8, fp8-block, int8, nvfp4, mxfp4, int4 or int4:gN, got '%s'",
		       what, s);
}

double precision_weight_bits(const struct wprec *p)
{
	switch (p->fmt) {
	case WF_FP32: return 32;
	case WF_BF16: case WF_FP16: return 16;
	case WF_FP8: case WF_FP8_BLOCK: case WF_INT8: return 8;
	default: return 4;   /* nvfp4, mxfp4, int4 */
	}
}

struct kname { const char *name; double bits; };

static const struct kname knames[] = {
	{"bf16", 16}, {"fp16", 16}, {"fp32", 32}, {"fp8", 8}, {"fp8-e4m3", 8},
	{"fp8-e5m2", 8}, {"int8", 8}, {"int4", 4}, {"fp4", 4}, {NULL, 0},
};

int precision_parse_kv(const char *s, const char *what, struct kvfmt *k,
		       struct err *e)
{
	const struct kname *n;
	struct err scratch;

	if (!s)
		s = "";      /* nothing given: the unknown-format error below */
	memset(k, 0, sizeof *k);
	if (strcmp(s, "fp8-flashmla") == 0) {
		k->bits = 8;
		k->flashmla = 1;
		strcpy(k->name, s);
		return 0;
	}
	if (strncmp(s, "bits:", 5) == 0) {
		if (units_parse(s + 5, UNIT_PLAIN, what, &k->bits, &scratch))
			k->bits = NAN;
		if (!(k->bits >= 1 && k->bits <= 64))
			return err_set(e, EXIT_USAGE,
				       "'%s' bit width must be a number from 1 to 64 such as bits:6, got '%s'",
				       what, s);
		/* the name must say the width computed with, digit for digit */
		snprintf(k->name, sizeof k->name, "bits:%.15g", k->bits);
		if (strtod(k->name + 5, NULL) != k->bits)
			snprintf(k->name, sizeof k->name, "bits:%.17g", k->bits);
		return 0;
	}
	for (n = knames; n->name; n++) {
		if (strcmp(s, n->name) == 0) {
			k->bits = n->bits;
			strcpy(k->name, n->name);
			return 0;
		}
	}
	return err_set(e, EXIT_USAGE,
		       "'%s' expects bf16, fp16, fp32, fp8, int8, int4, fp8-flashmla or bits:N, got '%s'",
		       what, s);
}
