/*
 * fuzz_writers.c - the CSV and JSON writers read back.  The input is
 * fields separated by NUL bytes; byte 0 holds flags (bit 1: indented JSON;
 * bit 0 is unused: it chose quoting every field, which CSV no longer does).
 *
 *   CSV   each field through csv_field (and csv_field_add: the same bytes),
 *         joined by commas into records; the records, one a line, are read as
 *         'chart pareto --from' reads a file (lines joined while csv_record_open,
 *         then csv_split) and must give back the fields.  Truncated csv_field
 *         output is a NUL-terminated prefix of the whole.  report_csv_flat on
 *         {field: next field} reads back as key,value rows.  csv_split on the raw
 *         text must not overrun.
 *   JSON  the fields as strings, and their bytes as doubles, in a cJSON array
 *         printed (as sweep's JSON lines and report_json are) parse back to the
 *         same strings and numbers (null for a number that is not finite;
 *         a number within DBL_EPSILON relative: cJSON prints 15 significant
 *         digits when they read back that close).
 */
#include <float.h>
#include <cjson/cJSON.h>
#include "fuzz.h"
#include "../../reports/csv.h"
#include "../../reports/report.h"

#define FZ_FIELDS 64

/* Split the input at NUL bytes into at most FZ_FIELDS fields (pointers into s). */
static int fz_fields(char *s, size_t n, char **f)
{
	size_t i, start = 0;
	int k = 0;

	for (i = 0; i <= n && k < FZ_FIELDS; i++)
		if (i == n || s[i] == 0) {
			s[i] = 0;
			f[k++] = s + start;
			start = i + 1;
		}
	return k;
}

/* The records of text (lines joined while a quoted field is open), as pareto.c
 * reads them; each split and compared with the fields. */
static void fz_read_back(char *text, char **want, int nwant, int records)
{
	char *line = text, *rec = malloc(strlen(text) + 1), *got[FZ_FIELDS + 1];
	size_t have = 0;
	int r = 0, n, i;

	if (!rec)
		abort();
	while (*line) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
		memcpy(rec + have, line, len);
		have += len;
		rec[have] = 0;
		line += len;
		if (csv_record_open(rec) && *line)
			continue;
		while (have > 0 && (rec[have - 1] == '\n' || rec[have - 1] == '\r'))
			rec[--have] = 0;
		n = csv_split(rec, got, FZ_FIELDS + 1);
		FZ_CHECK(n == nwant, "record %d: %d fields read back, %d written", r, n, nwant);
		for (i = 0; i < n; i++)
			FZ_CHECK(strcmp(got[i], want[i]) == 0, "record %d field %d: '%s' read back, '%s' written",
				 r, i, got[i], want[i]);
		r++;
		have = 0;
	}
	FZ_CHECK(r == records, "%d records read back, %d written", r, records);
	free(rec);
}

static void fz_csv(char **f, int n)
{
	struct sbuf b = {0}, flat = {0};
	char small[8], *copy, *kv[2];
	size_t need;
	int i, rec;

	for (rec = 0; rec < 2; rec++) {
		for (i = 0; i < n; i++) {
			size_t before = b.len;
			if (i)
				sbuf_add(&b, ",", 1);
			need = csv_field(small, sizeof small, f[i]);
			csv_field_add(&b, f[i]);
			FZ_CHECK(b.len - before - (i > 0) == need, "csv_field needs %zu, csv_field_add wrote %zu",
				 need, b.len - before - (i > 0));
			FZ_CHECK(memchr(small, 0, sizeof small) != NULL, "csv_field: no NUL in a short buffer");
			FZ_CHECK(strncmp(small, b.data + before + (i > 0), strlen(small)) == 0,
				 "a truncated field is not a prefix of the whole");
			FZ_CHECK(strlen(small) == (need < sizeof small ? need : sizeof small - 1),
				 "truncated to %zu bytes of %zu", strlen(small), need);
		}
		sbuf_add(&b, "\n", 1);
	}
	FZ_CHECK(!b.oom, "out of memory");
	fz_read_back(b.data, f, n, 2);

	/* the flat key,value writer: one row per member, header first */
	if (n >= 2 && f[0][0] && strlen(f[0]) < 400) {   /* report.c keys: 511 bytes */
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, f[0], f[1]);
		report_csv_flat(&flat, o);
		cJSON_Delete(o);
		FZ_CHECK(!flat.oom && !strncmp(flat.data, "key,value\n", 10), "report_csv_flat header");
		kv[0] = f[0];
		kv[1] = f[1];
		fz_read_back(flat.data + 10, kv, 2, 1);
	}
	/* the reader on anything: no overrun, a count in range */
	copy = strdup(b.data);
	if (!copy)
		abort();
	{
		char *got[4];
		int k = csv_split(copy, got, 4);
		FZ_CHECK(k >= -2 && k <= 4 && k != 0, "csv_split returned %d", k);
	}
	free(copy);
	sbuf_free(&flat);
	sbuf_free(&b);
}

static void fz_json(char **f, int n, const uint8_t *data, size_t size, int pretty)
{
	cJSON *a = cJSON_CreateArray(), *back, *it;
	double v[FZ_FIELDS];
	char *text;
	int i, nv = 0, k;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(f[i]));
	for (i = 0; (size_t)(i + 1) * 8 <= size && nv < FZ_FIELDS; i++, nv++) {
		memcpy(&v[nv], data + i * 8, 8);
		/* as report_num and the sweep's rows: null when not finite */
		cJSON_AddItemToArray(a, isfinite(v[nv]) ? cJSON_CreateNumber(v[nv]) : cJSON_CreateNull());
	}
	if (pretty) {            /* every command's --format json */
		struct sbuf b = {0};
		report_json(&b, a);  /* frees a */
		a = NULL;
		FZ_CHECK(!b.oom && b.data, "report_json could not print");
		text = b.data;
	} else {                 /* the sweep's JSON lines */
		text = cJSON_PrintUnformatted(a);
		FZ_CHECK(text != NULL, "cJSON could not print");
	}
	back = cJSON_Parse(text);
	FZ_CHECK(back && cJSON_IsArray(back) && cJSON_GetArraySize(back) == n + nv,
		 "printed JSON does not parse back to %d items: %.200s", n + nv, text);
	k = 0;
	cJSON_ArrayForEach(it, back) {
		if (k < n) {
			FZ_CHECK(cJSON_IsString(it) && strcmp(it->valuestring, f[k]) == 0, "string %d changed", k);
		} else if (isfinite(v[k - n])) {
			/* cJSON keeps 15 significant digits when they read back within
			 * DBL_EPSILON relative (its compare_double), else prints 17 */
			double w = v[k - n], got = cJSON_IsNumber(it) ? it->valuedouble : NAN;
			FZ_CHECK(fabs(got - w) <= fmax(fabs(got), fabs(w)) * DBL_EPSILON,
				 "number %.17g read back as %.17g", w, got);
		} else {
			FZ_CHECK(cJSON_IsNull(it), "a number that is not finite is not null");
		}
		k++;
	}
	free(text);
	cJSON_Delete(back);
	cJSON_Delete(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *f[FZ_FIELDS];
	int n;

	if (size < 1)
		return 0;
	s = malloc(size);
	if (!s)
		abort();
	memcpy(s, data + 1, size - 1);
	n = fz_fields(s, size - 1, f);
	fz_csv(f, n);
	fz_json(f, n, data + 1, size - 1, data[0] & 2);
	free(s);
	return 0;
}
