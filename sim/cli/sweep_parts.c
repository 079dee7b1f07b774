/*
 * sweep_parts.c - see sweep_parts.h: the manifest beside a shard's rows, and
 * 'sweep --merge'.
 *
 * The merge reads each part once, in shard order, a record at a time: it
 * copies the record's bytes to the output and keeps the record only while it
 * is on the Pareto front (front.h, the rule the sweep itself uses), so memory
 * is the front and one record, however many rows the parts hold.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "../../reports/csv.h"
#include "../../reports/fmt.h"
#include "../../reports/out.h"
#include "../../reports/plan_fields.h"
#include "front.h"
#include "infile.h"
#include "jsonx.h"
#include "sweep_parts.h"

/* Largest numbers a manifest may hold: points and rows of a sweep capped at
 * 1e9 points by default (--max-points may raise it), bytes of a rows file. */
#define PART_MAX_COUNT 1e15
#define PART_MAX_BYTES 1e18
#define PART_MAX_SHARDS 1e9
/* Most columns a sweep writes: 26 and one per --set list (at most 8). */
#define MERGE_MAX_COLUMNS 64

void sweep_shard_range(long total, long i, long n, long *first, long *last)
{
	*first = total * (i - 1) / n;
	*last = total * i / n;
}

/* ---- writing a manifest ------------------------------------------------------------ */

/* Add a string array of n items to obj under key; returns the array or NULL. */
static cJSON *manifest_strings(cJSON *obj, const char *key, const char *const *items, int n)
{
	cJSON *a = cJSON_AddArrayToObject(obj, key);
	int i;

	for (i = 0; a && i < n; i++) {
		cJSON *s = cJSON_CreateString(items[i]);
		if (!s || !cJSON_AddItemToArray(a, s)) {
			cJSON_Delete(s);
			return NULL;
		}
	}
	return a;
}

/* The manifest of m as a cJSON object, or NULL when out of memory. */
static cJSON *manifest_build(const struct sweep_part_info *m)
{
	cJSON *doc = cJSON_CreateObject(), *sk;
	char host[256] = "unknown", when[32] = "";
	long first, last;
	time_t now = time(NULL);
	struct tm tm;
	int ok = doc != NULL;

	if (gethostname(host, sizeof host - 1) != 0)
		snprintf(host, sizeof host, "unknown");
	host[sizeof host - 1] = 0;
	if (gmtime_r(&now, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	sweep_shard_range(m->points, m->shard, m->shards, &first, &last);
#define ADD(x) (ok = ok && (x) != NULL)
	ADD(cJSON_AddStringToObject(doc, "schema", SWEEP_MANIFEST_SCHEMA));
	ADD(cJSON_AddStringToObject(doc, "mlasim_version", MLASIM_VERSION));
	ADD(manifest_strings(doc, "command", (const char *const *)m->argv, m->argc));
	ADD(manifest_strings(doc, "options", m->options, m->noptions));
	ADD(cJSON_AddStringToObject(doc, "rows_format", m->json ? "json-lines" : "csv"));
	ADD(cJSON_AddStringToObject(doc, "columns", m->columns));
	ADD(cJSON_AddStringToObject(doc, "front", m->cost_front ? "cost-latency" : "gpu-user"));
	ADD(cJSON_AddNumberToObject(doc, "points", (double)m->points));
	ADD(cJSON_AddNumberToObject(doc, "shard", (double)m->shard));
	ADD(cJSON_AddNumberToObject(doc, "shards", (double)m->shards));
	ADD(cJSON_AddNumberToObject(doc, "first_point", (double)first + 1));
	ADD(cJSON_AddNumberToObject(doc, "shard_points", (double)(last - first)));
	ADD(cJSON_AddBoolToObject(doc, "header", !m->json && m->shard == 1));
	ADD(cJSON_AddNumberToObject(doc, "rows", (double)m->rows));
	ADD(cJSON_AddNumberToObject(doc, "fit", (double)m->fit));
	ADD(cJSON_AddNumberToObject(doc, "bytes", m->bytes));
	ADD(sk = cJSON_AddObjectToObject(doc, "skipped"));
	if (ok) {
		ADD(cJSON_AddNumberToObject(sk, "points", (double)m->skipped));
		if (m->skipped_first >= 0) {
			ADD(cJSON_AddNumberToObject(sk, "first_point", (double)m->skipped_first + 1));
			ADD(cJSON_AddStringToObject(sk, "reason", m->skipped_reason ? m->skipped_reason : ""));
		} else {
			ADD(cJSON_AddNullToObject(sk, "first_point"));
			ADD(cJSON_AddNullToObject(sk, "reason"));
		}
	}
	ADD(cJSON_AddStringToObject(doc, "host", host));
	if (m->threads > 0)
		ADD(cJSON_AddNumberToObject(doc, "threads", m->threads));
	if (m->seconds >= 0)
		ADD(cJSON_AddNumberToObject(doc, "seconds", m->seconds));
	ADD(cJSON_AddStringToObject(doc, "finished_utc", when));
	if (ok && m->parts) {
		cJSON *parts = cJSON_Duplicate(m->parts, 1);
		ok = parts && cJSON_AddItemToObject(doc, "parts", parts);
		if (!ok)
			cJSON_Delete(parts);
	}
#undef ADD
	if (!ok) {
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}

int sweep_manifest_write(const char *rows_path, const struct sweep_part_info *m, struct err *e)
{
	cJSON *doc = manifest_build(m);
	char *text = doc ? cJSON_Print(doc) : NULL;
	struct sbuf path = {0}, out = {0};
	int rc, printed = text != NULL;

	cJSON_Delete(doc);
	sbuf_printf(&path, "%s%s", rows_path, SWEEP_MANIFEST_SUFFIX);
	if (printed)
		sbuf_printf(&out, "%s\n", text);   /* cJSON_Print ends without a line break */
	free(text);
	if (!printed || path.oom || out.oom)
		rc = err_set(e, EXIT_ENV, "out of memory writing the manifest of '%s'", rows_path);
	else
		rc = out_write(path.data, out.data, out.len, e);
	sbuf_free(&path);
	sbuf_free(&out);
	return rc;
}

/* ---- reading a manifest ------------------------------------------------------------- */

struct part {
	const char *path;            /* the rows file, as given */
	char *own;                   /* path, when it was given by its manifest's name */
	int arg;                     /* its place among the arguments */
	char *mpath;                 /* its manifest */
	cJSON *root;
	const cJSON *options;        /* the "options" array, in root */
	const char *columns;         /* in root */
	char version[32];
	int json, cost_front, header;
	long points, shard, shards, first, count, rows, fit, skipped, skipped_first;
	const char *skipped_reason;  /* in root, or NULL */
	double bytes;
	dev_t dev, mdev;             /* the rows file and the manifest, to refuse '-o' over them */
	ino_t ino, mino;
};

/* A whole number of the manifest: 0, or EXIT_INPUT naming the key. */
static int part_long(const struct part *p, const cJSON *obj, const char *key, const char *keypath,
		     unsigned flags, double max, long *out, struct err *e)
{
	double v = 0;
	int rc = jsonx_num(obj, key, p->mpath, keypath, flags | JX_INT, max, &v, e);

	if (rc > 0)
		return rc;
	*out = rc < 0 ? -1 : (long)v;
	return 0;
}

/* A string of the manifest that must be one of `a` or `b`: sets *is_b. */
static int part_choice(const struct part *p, const char *key, const char *a, const char *b, int *is_b,
		       struct err *e)
{
	char v[32];

	if (jsonx_str(p->root, key, p->mpath, JX_REQUIRED, v, sizeof v, e))
		return e->code;
	if (strcmp(v, a) && strcmp(v, b))
		return err_set(e, EXIT_INPUT, "%s: '%s' must be '%s' or '%s', got '%s'", p->mpath, key, a, b, v);
	*is_b = !strcmp(v, b);
	return 0;
}

/* The "skipped" object: points, first_point (null: none), reason. */
static int part_skipped(struct part *p, struct err *e)
{
	const cJSON *sk = cJSON_GetObjectItemCaseSensitive(p->root, "skipped"), *r;

	if (!cJSON_IsObject(sk))
		return err_set(e, EXIT_INPUT, "%s: 'skipped' must be an object {points, first_point, reason}", p->mpath);
	if (part_long(p, sk, "points", "skipped.points", JX_REQUIRED, PART_MAX_COUNT, &p->skipped, e) ||
	    part_long(p, sk, "first_point", "skipped.first_point", JX_NULLABLE | JX_POSITIVE, PART_MAX_COUNT,
		      &p->skipped_first, e))
		return e->code;
	if (p->skipped_first > 0)
		p->skipped_first--;   /* 0-based, as the sweep numbers points */
	r = cJSON_GetObjectItemCaseSensitive(sk, "reason");
	p->skipped_reason = cJSON_IsString(r) ? r->valuestring : NULL;
	if ((p->skipped > 0) != (p->skipped_first >= 0) || (p->skipped > 0 && !p->skipped_reason))
		return err_set(e, EXIT_INPUT, "%s: 'skipped' must give first_point and reason when points > 0, and only then",
			       p->mpath);
	return 0;
}

/* The numbers of the manifest and how they hang together. */
static int part_numbers(struct part *p, struct err *e)
{
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(p->root, "header");
	long first, last;

	if (part_long(p, p->root, "points", "points", JX_REQUIRED | JX_POSITIVE, PART_MAX_COUNT, &p->points, e) ||
	    part_long(p, p->root, "shards", "shards", JX_REQUIRED | JX_POSITIVE, PART_MAX_SHARDS, &p->shards, e) ||
	    part_long(p, p->root, "shard", "shard", JX_REQUIRED | JX_POSITIVE, PART_MAX_SHARDS, &p->shard, e) ||
	    part_long(p, p->root, "first_point", "first_point", JX_REQUIRED | JX_POSITIVE, PART_MAX_COUNT, &p->first, e) ||
	    part_long(p, p->root, "shard_points", "shard_points", JX_REQUIRED, PART_MAX_COUNT, &p->count, e) ||
	    part_long(p, p->root, "rows", "rows", JX_REQUIRED, PART_MAX_COUNT, &p->rows, e) ||
	    part_long(p, p->root, "fit", "fit", JX_REQUIRED, PART_MAX_COUNT, &p->fit, e) ||
	    jsonx_num(p->root, "bytes", p->mpath, "bytes", JX_REQUIRED | JX_INT, PART_MAX_BYTES, &p->bytes, e) ||
	    part_skipped(p, e))
		return e->code;
	if (!cJSON_IsBool(h))
		return err_set(e, EXIT_INPUT, "%s: 'header' must be true or false", p->mpath);
	p->header = cJSON_IsTrue(h);
	if (p->shard > p->shards)
		return err_set(e, EXIT_INPUT, "%s: 'shard' %ld is more than 'shards' %ld", p->mpath, p->shard, p->shards);
	sweep_shard_range(p->points, p->shard, p->shards, &first, &last);
	if (p->first != first + 1 || p->count != last - first)
		return err_set(e, EXIT_INPUT,
			       "%s: points %ld to %ld are not shard %ld of %ld of a sweep of %ld points (%ld to %ld)",
			       p->mpath, p->first, p->first + p->count - 1, p->shard, p->shards, p->points, first + 1, last);
	if (p->rows + p->skipped != p->count || p->fit > p->rows)
		return err_set(e, EXIT_INPUT, "%s: %ld rows, %ld fitting and %ld skipped do not add up to the shard's %ld points",
			       p->mpath, p->rows, p->fit, p->skipped, p->count);
	if (p->header != (!p->json && p->shard == 1))
		return err_set(e, EXIT_INPUT, "%s: 'header' must be true for the CSV of shard 1 only", p->mpath);
	return 0;
}

/* Read the manifest beside part p's rows file, and check it on its own. */
static int part_load(struct part *p, struct err *e)
{
	size_t n = strlen(p->path), k = strlen(SWEEP_MANIFEST_SUFFIX);
	const cJSON *o;
	struct stat st;
	char schema[32];

	if (stat(p->path, &st) != 0)
		return err_set(e, EXIT_INPUT, "cannot open '%s': %s", p->path, err_sys(errno));
	p->dev = st.st_dev;
	p->ino = st.st_ino;
	if (!(p->mpath = malloc(n + k + 1)))
		return err_set(e, EXIT_ENV, "out of memory");
	memcpy(p->mpath, p->path, n);
	memcpy(p->mpath + n, SWEEP_MANIFEST_SUFFIX, k + 1);
	if (access(p->mpath, F_OK) != 0 && errno == ENOENT)
		return err_set(e, EXIT_INPUT,
			       "'%s' has no manifest '%s' beside it: parts are written by 'mlasim sweep --shard i/N -o FILE'",
			       p->path, p->mpath);
	if (jsonx_load(p->mpath, &p->root, e))
		return e->code;
	if (stat(p->mpath, &st) == 0) {
		p->mdev = st.st_dev;
		p->mino = st.st_ino;
	}
	if (jsonx_str(p->root, "schema", p->mpath, JX_REQUIRED, schema, sizeof schema, e))
		return e->code;
	if (strcmp(schema, SWEEP_MANIFEST_SCHEMA))
		return err_set(e, EXIT_INPUT, "%s: 'schema' is '%s': this mlasim reads '%s'", p->mpath, schema,
			       SWEEP_MANIFEST_SCHEMA);
	if (jsonx_str(p->root, "mlasim_version", p->mpath, JX_REQUIRED, p->version, sizeof p->version, e) ||
	    part_choice(p, "rows_format", "csv", "json-lines", &p->json, e) ||
	    part_choice(p, "front", "gpu-user", "cost-latency", &p->cost_front, e))
		return e->code;
	o = cJSON_GetObjectItemCaseSensitive(p->root, "columns");
	if (!cJSON_IsString(o) || !*o->valuestring || strpbrk(o->valuestring, "\r\n"))
		return err_set(e, EXIT_INPUT, "%s: 'columns' must be the CSV header line", p->mpath);
	p->columns = o->valuestring;
	p->options = cJSON_GetObjectItemCaseSensitive(p->root, "options");
	if (!cJSON_IsArray(p->options))
		return err_set(e, EXIT_INPUT, "%s: 'options' must be an array of strings", p->mpath);
	cJSON_ArrayForEach(o, p->options)
		if (!cJSON_IsString(o))
			return err_set(e, EXIT_INPUT, "%s: 'options' must be an array of strings", p->mpath);
	return part_numbers(p, e);
}

/* Does part b belong to the sweep of part a?  0, or EXIT_INPUT saying how not. */
static int part_same_sweep(const struct part *a, const struct part *b, struct err *e)
{
	const cJSON *x = a->options ? a->options->child : NULL, *y = b->options ? b->options->child : NULL;

	if (strcmp(a->version, b->version))
		return err_set(e, EXIT_INPUT, "'%s' was written by mlasim %s, '%s' by mlasim %s: merge parts of one version",
			       b->path, b->version, a->path, a->version);
	for (; x && y && !strcmp(x->valuestring, y->valuestring); x = x->next, y = y->next)
		;
	if (x || y)
		return err_set(e, EXIT_INPUT,
			       "'%s' is not a part of the sweep of '%s': its options have %s%.100s%s where those have %s%.100s%s",
			       b->path, a->path, y ? "'" : "", y ? y->valuestring : "no more", y ? "'" : "",
			       x ? "'" : "", x ? x->valuestring : "no more", x ? "'" : "");
	if (a->json != b->json || a->cost_front != b->cost_front || strcmp(a->columns, b->columns))
		return err_set(e, EXIT_INPUT, "'%s' is not a part of the sweep of '%s': its %s differ%s", b->path,
			       a->path, a->json != b->json ? "rows_format" : a->cost_front != b->cost_front ? "front" : "columns",
			       a->json != b->json || a->cost_front != b->cost_front ? "s" : "");
	if (a->points != b->points)
		return err_set(e, EXIT_INPUT, "'%s' is a part of a sweep of %ld points, '%s' of %ld: not the same sweep",
			       b->path, b->points, a->path, a->points);
	if (a->shards != b->shards)
		return err_set(e, EXIT_INPUT, "'%s' is shard %ld of %ld, '%s' one of %ld: merge the parts of one split",
			       b->path, b->shard, b->shards, a->path, a->shards);
	return 0;
}

static int part_by_shard(const void *x, const void *y)
{
	const struct part *a = x, *b = y;

	if (a->shard != b->shard)
		return a->shard < b->shard ? -1 : 1;
	return (a->arg > b->arg) - (a->arg < b->arg);
}

/* Sort the parts by shard; refuse a shard twice or a shard missing, naming them. */
static int parts_cover(struct part *p, int n, struct err *e)
{
	char list[300];
	size_t k = 0;
	long shards = p[0].shards, missing = 0, s, first = 0, last = 0;
	int i, listed = 0;

	qsort(p, (size_t)n, sizeof *p, part_by_shard);
	for (i = 1; i < n; i++)
		if (p[i].shard == p[i - 1].shard)
			return err_set(e, EXIT_INPUT, "'--merge': '%s' and '%s' are both shard %ld of %ld: give each shard once",
				       p[i - 1].path, p[i].path, p[i].shard, shards);
	if (n == shards)
		return 0;
	list[0] = 0;
	/* walk the given shards in order: the gap before each is missing */
	for (s = 1, i = 0; s <= shards; i++) {
		long next = i < n ? p[i].shard : shards + 1, t;
		if (!missing && s < next)
			sweep_shard_range(p[0].points, s, shards, &first, &last);
		missing += next - s;
		for (t = s; t < next && listed < 10 && k < sizeof list; t++, listed++)
			k += (size_t)snprintf(list + k, sizeof list - k, "%s%ld", listed ? ", " : "", t);
		s = next + 1;
	}
	if (missing == 1)
		return err_set(e, EXIT_INPUT,
			       "'--merge': shard %s of %ld is missing (points %ld to %ld of %ld): give one part per shard",
			       list, shards, first + 1, last, p[0].points);
	return err_set(e, EXIT_INPUT, "'--merge': %ld of %ld shards are missing: %s%s: give one part per shard",
		       missing, shards, list, missing > listed ? ", ..." : "");
}

/* ---- merging -------------------------------------------------------------------------- */

struct merge {
	struct cli *c;
	struct part *parts;
	int nparts;
	const struct part *ref;      /* the first part: what the others agree with */
	char *colbuf;                /* the column names, split */
	char *name[MERGE_MAX_COLUMNS];
	int ncol;
	int col_fits, col_bfits, col_x, col_y;
	FILE *out;                   /* the merged rows, or NULL (no -o) */
	struct front front;
	long rows, fit;
	char *scratch;               /* a CSV record to split */
	size_t scap;
	struct sbuf row;             /* a JSON row as CSV */
};

static int part_by_arg(const void *x, const void *y)
{
	const struct part *a = x, *b = y;

	return (a->arg > b->arg) - (a->arg < b->arg);
}

static int part_by_path(const void *x, const void *y)
{
	const struct part *a = x, *b = y;
	int d = strcmp(a->path, b->path);

	return d ? d : (a->own != NULL) - (b->own != NULL);
}

/*
 * A manifest's name (FILE.sweep.json) stands for its part, FILE, so that a
 * glob that matches both (part-*.json, every file of a directory) gives each
 * part once: drop the manifest's name when FILE is given too.  FILE itself
 * given twice is left for parts_cover to refuse.
 */
static void merge_manifest_names(struct merge *m)
{
	size_t k = strlen(SWEEP_MANIFEST_SUFFIX);
	int i, j;

	for (i = 0; i < m->nparts; i++) {
		struct part *p = &m->parts[i];
		size_t n = strlen(p->path);
		if (n <= k || strcmp(p->path + n - k, SWEEP_MANIFEST_SUFFIX))
			continue;
		if (!(p->own = strndup(p->path, n - k))) {
			err_set(&m->c->err, EXIT_ENV, "out of memory");
			return;
		}
		p->path = p->own;
	}
	qsort(m->parts, (size_t)m->nparts, sizeof *m->parts, part_by_path);
	for (i = j = 0; i < m->nparts; i++) {
		if (j > 0 && m->parts[i].own && !strcmp(m->parts[i].path, m->parts[j - 1].path)) {
			free(m->parts[i].own);
			continue;
		}
		m->parts[j++] = m->parts[i];
	}
	m->nparts = j;
	/* back in the order given: the first is the one the others must agree with */
	qsort(m->parts, (size_t)m->nparts, sizeof *m->parts, part_by_arg);
}

/* The arguments: parts and -o.  Every sweep option comes from the manifests. */
static int merge_parse(struct merge *m)
{
	struct cli *c = m->c;
	const char *v;
	int r;

	if (!(m->parts = calloc((size_t)c->argc, sizeof *m->parts)))
		return err_set(&c->err, EXIT_ENV, "out of memory");
	while (cli_more(c)) {
		const char *a = c->argv[c->i];
		if (cli_flag(c, "--merge"))
			continue;
		if (cli_flag(c, "--help") || cli_flag(c, "-h")) {
			c->help = 1;
		} else if ((r = cli_opt(c, "-o", &v)) != 0 || (r = cli_opt(c, "--output", &v)) != 0) {
			if (r > 0 && !*v)
				err_set(&c->err, EXIT_USAGE, "'-o' needs a file name, got an empty one");
			else if (r > 0)
				c->out = v;
		} else if (a[0] == '-' && a[1]) {
			err_set(&c->err, EXIT_USAGE,
				"'%s' does not go with '--merge', which takes the parts' files and '-o FILE': the sweep's options come from the parts",
				a);
		} else {
			m->parts[m->nparts].path = a;
			m->parts[m->nparts].arg = m->nparts;
			m->nparts++;
			c->i++;
		}
	}
	if (!c->err.code)
		merge_manifest_names(m);
	if (!c->err.code && !c->help && m->nparts == 0)
		err_set(&c->err, EXIT_USAGE, "'--merge' needs the parts' files: mlasim sweep --merge part-*.csv -o sweep.csv");
	return c->err.code;
}

/* The column names of the sweep, and where the front's four columns are. */
static int merge_columns(struct merge *m)
{
	static const enum plan_field want[4] = {PF_FITS, PF_BATCH_FITS, PF_TPS_USER, PF_TPS_GPU};
	static const enum plan_field want_cost[2] = {PF_USD_PER_MTOK_OUTPUT, PF_TPOT};
	int *at[4] = {&m->col_fits, &m->col_bfits, &m->col_x, &m->col_y}, i, k;

	if (!(m->colbuf = strdup(m->ref->columns)))
		return err_set(&m->c->err, EXIT_ENV, "out of memory");
	m->ncol = csv_split(m->colbuf, m->name, MERGE_MAX_COLUMNS);
	if (m->ncol < 0)
		return err_set(&m->c->err, EXIT_INPUT, "%s: 'columns' is not a CSV header of at most %d names",
			       m->ref->mpath, MERGE_MAX_COLUMNS);
	for (k = 0; k < 4; k++) {
		const char *name = plan_field_name(k >= 2 && m->ref->cost_front ? want_cost[k - 2] : want[k]);
		*at[k] = -1;
		for (i = 0; i < m->ncol; i++)
			if (!strcmp(m->name[i], name))
				*at[k] = i;
		if (*at[k] < 0)
			return err_set(&m->c->err, EXIT_INPUT, "%s: 'columns' has no '%s'", m->ref->mpath, name);
	}
	return 0;
}

/* A front coordinate from a CSV field: empty is NaN (fmt_csv_num writes
 * nothing for a number that is not finite).  0, or -1 when not a number. */
static int merge_num(const char *s, double *v)
{
	char *end;

	if (!*s) {
		*v = NAN;
		return 0;
	}
	errno = 0;
	*v = strtod(s, &end);
	return *end || end == s ? -1 : 0;
}

/* Offer a fitting row to the front: its coordinates as the sweep takes them. */
static int merge_offer(struct merge *m, double x, double y, const char *text, size_t len)
{
	if (m->ref->cost_front) {   /* cheapest and fastest: both minimised */
		x = -x;
		y = -y;
	}
	if (front_add(&m->front, x, y, m->rows, text, len) < 0)
		return err_set(&m->c->err, EXIT_ENV, "out of memory: the Pareto front has %ld points", m->front.n);
	return 0;
}

/* One CSV row of part p, at line `line`: counted, and offered to the front. */
static int merge_csv_row(struct merge *m, const struct part *p, const char *rec, size_t len, long line)
{
	char *f[MERGE_MAX_COLUMNS + 1];
	double x = NAN, y = NAN;
	int n, fits, bfits, bad;

	if (len + 1 > m->scap) {
		char *s = realloc(m->scratch, 2 * (len + 1));
		if (!s)
			return err_set(&m->c->err, EXIT_ENV, "out of memory reading '%s'", p->path);
		m->scratch = s;
		m->scap = 2 * (len + 1);
	}
	memcpy(m->scratch, rec, len + 1);
	n = csv_split(m->scratch, f, MERGE_MAX_COLUMNS + 1);
	if (n == -1)
		return err_set(&m->c->err, EXIT_INPUT, "%s:%ld: unterminated quoted field", p->path, line);
	if (n != m->ncol)
		return err_set(&m->c->err, EXIT_INPUT, "%s:%ld: %s fields, the header has %d", p->path, line,
			       n < 0 ? "too many" : "a different number of", m->ncol);
	fits = !strcmp(f[m->col_fits], "true") ? 1 : !strcmp(f[m->col_fits], "false") ? 0 : -1;
	bfits = !strcmp(f[m->col_bfits], "true") ? 1 : !strcmp(f[m->col_bfits], "false") ? 0 : -1;
	if (fits < 0 || bfits < 0)
		return err_set(&m->c->err, EXIT_INPUT, "%s:%ld: '%s' must be true or false, got '%.40s'", p->path, line,
			       m->name[fits < 0 ? m->col_fits : m->col_bfits], f[fits < 0 ? m->col_fits : m->col_bfits]);
	m->rows++;
	if (!fits || !bfits)
		return 0;
	m->fit++;
	if ((bad = merge_num(f[m->col_x], &x) ? m->col_x : merge_num(f[m->col_y], &y) ? m->col_y : -1) >= 0)
		return err_set(&m->c->err, EXIT_INPUT, "%s:%ld: '%s' is not a number: '%.40s'", p->path, line,
			       m->name[bad], f[bad]);
	return merge_offer(m, x, y, rec, len);
}

/* A JSON value of a row as its CSV field (the sweep's row_num, row_str,
 * row_bool).  A set.KEY column the sweep wrote as typed ("3e3") comes back as
 * the number it read (3000): JSON lines keep the number, not its spelling. */
static void merge_json_field(struct sbuf *b, const cJSON *v)
{
	char num[32];

	if (cJSON_IsNumber(v))
		sbuf_add(b, num, (size_t)fmt_csv_num(v->valuedouble, num));
	else if (cJSON_IsBool(v))
		sbuf_printf(b, "%s", cJSON_IsTrue(v) ? "true" : "false");
	else if (cJSON_IsString(v))
		csv_field_add(b, v->valuestring);
	/* null: an empty field */
}

/* A JSON value that is a number or null (NaN). */
static int merge_json_num(const cJSON *v, double *out)
{
	if (cJSON_IsNull(v)) {
		*out = NAN;
		return 0;
	}
	if (!cJSON_IsNumber(v))
		return -1;
	*out = v->valuedouble;
	return 0;
}

/* One JSON line of part p: counted, and offered to the front as a CSV row. */
static int merge_json_row(struct merge *m, const struct part *p, const char *rec, size_t len, long line)
{
	cJSON *o = cJSON_ParseWithLength(rec, len);
	const cJSON *fits, *bfits;
	double x, y;
	int i, rc = 0;

	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return err_set(&m->c->err, EXIT_INPUT, "%s:%ld: not a JSON object (a row of 'sweep --format json')",
			       p->path, line);
	}
	fits = cJSON_GetObjectItemCaseSensitive(o, plan_field_name(PF_FITS));
	bfits = cJSON_GetObjectItemCaseSensitive(o, plan_field_name(PF_BATCH_FITS));
	if (!cJSON_IsBool(fits) || !cJSON_IsBool(bfits)) {
		rc = err_set(&m->c->err, EXIT_INPUT, "%s:%ld: '%s' must be true or false", p->path, line,
			     plan_field_name(cJSON_IsBool(fits) ? PF_BATCH_FITS : PF_FITS));
		goto out;
	}
	m->rows++;
	if (!cJSON_IsTrue(fits) || !cJSON_IsTrue(bfits))
		goto out;
	m->fit++;
	if (merge_json_num(cJSON_GetObjectItemCaseSensitive(o, m->name[m->col_x]), &x) ||
	    merge_json_num(cJSON_GetObjectItemCaseSensitive(o, m->name[m->col_y]), &y)) {
		rc = err_set(&m->c->err, EXIT_INPUT, "%s:%ld: '%s' and '%s' must be numbers or null", p->path, line,
			     m->name[m->col_x], m->name[m->col_y]);
		goto out;
	}
	if (front_dominated(&m->front, m->ref->cost_front ? -x : x, m->ref->cost_front ? -y : y))
		goto out;
	/* on the front for now: its row as the sweep prints it, in CSV */
	m->row.len = 0;
	for (i = 0; i < m->ncol; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, m->name[i]);
		if (!v) {
			rc = err_set(&m->c->err, EXIT_INPUT, "%s:%ld: no '%s' in the row", p->path, line, m->name[i]);
			goto out;
		}
		if (i)
			sbuf_add(&m->row, ",", 1);
		merge_json_field(&m->row, v);
	}
	if (m->row.oom)
		rc = err_set(&m->c->err, EXIT_ENV, "out of memory reading '%s'", p->path);
	else
		rc = merge_offer(m, x, y, m->row.data, m->row.len);
out:
	cJSON_Delete(o);
	return rc;
}

/* Stream part p: check its size and header, copy its records to m->out, read its rows. */
static int merge_part(struct merge *m, struct part *p)
{
	struct err *e = &m->c->err;
	struct csv_reader r = {0};
	struct stat st;
	long rows0 = m->rows, fit0 = m->fit;
	ssize_t len;
	int rc = 0, first = 1;

	if (!(r.f = infile_open(p->path, e)))
		return e->code;
	if (fstat(fileno(r.f), &st) != 0 || (double)st.st_size != p->bytes) {
		rc = err_set(e, EXIT_INPUT, "'%s' is %.0f bytes, its manifest says %.0f: cut short or changed since it was written",
			     p->path, (double)st.st_size, p->bytes);
		goto out;
	}
	r.lines = p->json;
	while (!rc && (len = csv_read(&r)) != -1) {
		if (len == -2 || len == -3) {
			rc = len == -2 ? err_set(e, EXIT_INPUT, "%s:%ld: contains a NUL byte", p->path, r.line) :
					 err_set(e, EXIT_ENV, "out of memory reading '%s'", p->path);
			break;
		}
		if (m->out) {
			fwrite(r.rec, 1, (size_t)len, m->out);
			fputs(r.eol, m->out);
		}
		if (first && p->header) {
			if (strcmp(r.rec, p->columns))
				rc = err_set(e, EXIT_INPUT, "%s:1: the header is not the manifest's 'columns'", p->path);
		} else if (len == 0) {
			rc = err_set(e, EXIT_INPUT, "%s:%ld: an empty line: a sweep writes none", p->path, r.first_line);
		} else {
			rc = p->json ? merge_json_row(m, p, r.rec, (size_t)len, r.first_line) :
				       merge_csv_row(m, p, r.rec, (size_t)len, r.first_line);
		}
		first = 0;
	}
	if (!rc && ferror(r.f))
		rc = err_set(e, EXIT_INPUT, "cannot read '%s': %s", p->path, err_sys(errno));
	if (!rc && m->out && ferror(m->out))
		rc = err_set(e, EXIT_ENV, "cannot write '%s'", m->c->out);
	if (!rc && (m->rows - rows0 != p->rows || m->fit - fit0 != p->fit))
		rc = err_set(e, EXIT_INPUT, "'%s' holds %ld rows, %ld fitting; its manifest says %ld, %ld: changed since it was written",
			     p->path, m->rows - rows0, m->fit - fit0, p->rows, p->fit);
out:
	csv_reader_free(&r);
	fclose(r.f);
	return rc;
}

/* Refuse '-o' naming one of the parts or their manifests (under any name),
 * as out_resolve refuses an input: the merge would destroy what it reads. */
static int merge_check_output(struct merge *m)
{
	struct stat st;
	int i;

	if (!m->c->out || stat(m->c->out, &st) != 0)
		return 0;
	for (i = 0; i < m->nparts; i++) {
		const struct part *p = &m->parts[i];
		if ((p->dev == st.st_dev && p->ino == st.st_ino) || (p->mdev == st.st_dev && p->mino == st.st_ino))
			return err_set(&m->c->err, EXIT_USAGE, "'-o %s' would overwrite the '--merge' input '%s'",
				       m->c->out, p->dev == st.st_dev && p->ino == st.st_ino ? p->path : p->mpath);
	}
	return 0;
}

/* Each part's provenance for the merged manifest: file, shard and what the
 * part's manifest says of where and how it ran.  NULL when out of memory. */
static cJSON *merge_provenance(const struct merge *m)
{
	static const char *const keys[] = {"host", "command", "threads", "seconds", "finished_utc", NULL};
	cJSON *a = cJSON_CreateArray();
	int i, k, ok = a != NULL;

	for (i = 0; ok && i < m->nparts; i++) {
		cJSON *o = cJSON_CreateObject();
		ok = o && cJSON_AddItemToArray(a, o) && cJSON_AddStringToObject(o, "file", m->parts[i].path) &&
		     cJSON_AddNumberToObject(o, "shard", (double)m->parts[i].shard);
		if (!o)
			break;
		for (k = 0; ok && keys[k]; k++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(m->parts[i].root, keys[k]);
			cJSON *d = v ? cJSON_Duplicate(v, 1) : NULL;
			if (v && (!d || !cJSON_AddItemToObject(o, keys[k], d))) {
				cJSON_Delete(d);
				ok = 0;
			}
		}
	}
	if (!ok) {
		cJSON_Delete(a);
		return NULL;
	}
	return a;
}

/* The merged file's manifest: one shard of one, its parts named. */
static int merge_manifest(struct merge *m, double bytes, const struct part *skipped)
{
	const struct part *r = m->ref;
	const char **opts = calloc((size_t)cJSON_GetArraySize(r->options) + 1, sizeof *opts);
	cJSON *prov = merge_provenance(m), *o;
	struct sweep_part_info info = {0};
	int n = 0, rc;

	if (!opts || !prov) {
		free(opts);
		cJSON_Delete(prov);
		return err_set(&m->c->err, EXIT_ENV, "out of memory writing the manifest of '%s'", m->c->out);
	}
	cJSON_ArrayForEach(o, r->options)
		opts[n++] = o->valuestring;
	info.argv = m->c->argv;
	info.argc = m->c->argc;
	info.options = opts;
	info.noptions = n;
	info.json = r->json;
	info.cost_front = r->cost_front;
	info.columns = r->columns;
	info.points = r->points;
	info.shard = info.shards = 1;
	info.rows = m->rows;
	info.fit = m->fit;
	info.bytes = bytes;
	info.skipped = r->points - m->rows;
	info.skipped_first = skipped ? skipped->skipped_first : -1;
	info.skipped_reason = skipped ? skipped->skipped_reason : NULL;
	info.seconds = -1;
	info.parts = prov;
	rc = sweep_manifest_write(m->c->out, &info, &m->c->err);
	free(opts);
	cJSON_Delete(prov);
	return rc;
}

/* What 'sweep' prints, into c->buf: the counts and the front, sorted. */
static void merge_report(struct merge *m, const struct part *skipped)
{
	struct sbuf *b = &m->c->buf;
	long k;

	front_sort(&m->front);
	sbuf_printf(b, "# mlasim sweep: %ld points, %ld could be laid out, %ld fit\n", m->ref->points, m->rows, m->fit);
	if (skipped)
		fprintf(stderr, "mlasim: warning: %ld of %ld points could not be laid out; point %ld: %s\n",
			m->ref->points - m->rows, m->ref->points, skipped->skipped_first + 1, skipped->skipped_reason);
	sbuf_printf(b, "# Pareto front (%s), %ld point(s):\n",
		    m->ref->cost_front ? "lowest $/Mtok output and TPOT" : "most tokens/s per GPU and per user", m->front.n);
	sbuf_printf(b, "%s\n", m->ref->columns);
	for (k = 0; k < m->front.n; k++)
		sbuf_printf(b, "%s\n", m->front.p[k].text);
}

static void merge_free(struct merge *m)
{
	int i;

	for (i = 0; m->parts && i < m->nparts; i++) {
		free(m->parts[i].own);
		free(m->parts[i].mpath);
		cJSON_Delete(m->parts[i].root);
	}
	free(m->parts);
	free(m->colbuf);
	free(m->scratch);
	sbuf_free(&m->row);
	front_free(&m->front);
}

/* Load and check every part; sort them by shard. */
static int merge_check(struct merge *m)
{
	int i;

	for (i = 0; i < m->nparts; i++)
		if (part_load(&m->parts[i], &m->c->err))
			return m->c->err.code;
	for (i = 1; i < m->nparts; i++)
		if (part_same_sweep(&m->parts[0], &m->parts[i], &m->c->err))
			return m->c->err.code;
	if (parts_cover(m->parts, m->nparts, &m->c->err))
		return m->c->err.code;
	m->ref = &m->parts[0];
	return merge_columns(m) || merge_check_output(m) ? m->c->err.code : 0;
}

/* Stream the parts in shard order to -o (if given); the first part with a
 * skipped point into *skipped. */
static int merge_stream(struct merge *m, const struct part **skipped, double *bytes)
{
	struct out_stream os;
	int i, rc = 0;

	*skipped = NULL;
	if (m->c->out) {
		if (out_stream_open(&os, m->c->out, &m->c->err))
			return m->c->err.code;
		m->out = os.f;
	}
	for (i = 0; !rc && i < m->nparts; i++) {
		rc = merge_part(m, &m->parts[i]);
		if (!*skipped && m->parts[i].skipped_first >= 0)
			*skipped = &m->parts[i];
	}
	if (!m->c->out)
		return rc;
	*bytes = (double)ftello(m->out);
	m->out = NULL;
	if (rc) {
		out_stream_abort(&os);
		return rc;
	}
	if ((rc = out_stream_commit(&os, &m->c->err)) != 0)
		return rc;
	/* a FIFO or a device (-o /dev/null) has no place for a manifest beside it */
	return os.target.direct ? 0 : merge_manifest(m, *bytes, *skipped);
}

static double merge_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int sweep_merge_with(struct cli *c, struct merge *mp)
{
	const struct part *skipped = NULL;
	double t0 = merge_now(), bytes = 0;
	const char *saved;
	int rc;

	mp->c = c;
	if (merge_parse(mp) || c->help) {
		merge_free(mp);
		return c->help && !c->err.code ? cli_help(c) : c->err.code;
	}
	if (merge_check(mp) || merge_stream(mp, &skipped, &bytes)) {
		merge_free(mp);
		return c->err.code;
	}
	merge_report(mp, skipped);
	fprintf(stderr, "sweep --merge: %d part(s), %ld rows in %.3f s\n", mp->nparts, mp->rows, merge_now() - t0);
	/* the front goes to stdout (the rows went to -o) */
	saved = c->out;
	c->out = NULL;
	rc = cli_emit(c);
	c->out = saved;
	if (!rc && mp->fit == 0)
		rc = err_set(&c->err, EXIT_NO, "none of the sweep's %ld points fits (fits and batch_fits both true): no Pareto front",
			     mp->ref->points);
	merge_free(mp);
	return rc;
}

int sweep_merge(struct cli *c)
{
	struct merge *mp = calloc(1, sizeof *mp);
	int rc;

	if (!mp)
		return err_set(&c->err, EXIT_ENV, "out of memory");
	rc = sweep_merge_with(c, mp);
	free(mp);
	return rc;
}
