/* report.c - see report.h */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csv.h"
#include "report.h"

void report_json(struct sbuf *b, cJSON *o)
{
	char *text = o ? cJSON_Print(o) : NULL;

	if (!text) {
		b->oom = 1;
	} else {
		sbuf_add(b, text, strlen(text));
		sbuf_add(b, "\n", 1);
	}
	free(text);
	cJSON_Delete(o);
}

char *report_fmt_num(double v, char *buf, size_t n)
{
	snprintf(buf, n, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, n, "%.17g", v);
	return buf;
}

void report_tree(struct sbuf *b, cJSON *o, int csv)
{
	if (!csv) {
		report_json(b, o);
		return;
	}
	report_csv_flat(b, o);
	cJSON_Delete(o);
}

void report_num(cJSON *o, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static void report_csv_walk(struct sbuf *b, const cJSON *o, char *key, size_t len, size_t cap)
{
	const cJSON *it;
	char num[32];
	int i = 0;

	if (cJSON_IsObject(o) || cJSON_IsArray(o)) {
		cJSON_ArrayForEach(it, o) {
			int n = cJSON_IsArray(o) ?
				snprintf(key + len, cap - len, "%s%d", len ? "." : "", i) :
				snprintf(key + len, cap - len, "%s%s", len ? "." : "", it->string);
			if (n > 0 && len + (size_t)n < cap)
				report_csv_walk(b, it, key, len + (size_t)n, cap);
			key[len] = 0;
			i++;
		}
		return;
	}
	csv_field_add(b, key);
	sbuf_add(b, ",", 1);
	if (cJSON_IsNumber(o) && isfinite(o->valuedouble))
		sbuf_printf(b, "%s", report_fmt_num(o->valuedouble, num, sizeof num));
	else if (cJSON_IsString(o))
		csv_field_add(b, o->valuestring);
	else if (cJSON_IsBool(o))
		sbuf_printf(b, "%s", cJSON_IsTrue(o) ? "true" : "false");
	/* else null, or a number not finite: an empty value (README, fmt_csv_num) */
	sbuf_add(b, "\n", 1);
}

void report_csv_flat(struct sbuf *b, const cJSON *o)
{
	char key[512] = "";

	sbuf_printf(b, "key,value\n");
	report_csv_walk(b, o, key, 0, sizeof key);
}
