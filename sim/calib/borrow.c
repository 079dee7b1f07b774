/* borrow.c - a card calibrated from a sibling card's records; see borrow.h */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "borrow.h"
#include "jsonx.h"

const char *borrow_part_name(int p)
{
	if (p == BORROW_COLLECTIVES)
		return "collectives";
	if (p == BORROW_DEEPEP)
		return "deepep";
	return hw_kclass_name((enum kclass)p);
}

/* ---- paths ------------------------------------------------------------------ */

/* `in` without its trailing '/'s (a lone "/" stays). */
static void borrow_trim(const char *in, char *out, size_t n)
{
	size_t len;

	snprintf(out, n, "%s", in);
	len = strlen(out);
	while (len > 1 && out[len - 1] == '/')
		out[--len] = '\0';
}

/* The directory above trimmed path p, by its text: "hw/published" for
 * "hw/published/b300", "." for "b300", ".." for ".". */
static void borrow_parent(const char *p, char *out, size_t n)
{
	const char *slash = strrchr(p, '/'), *last = slash ? slash + 1 : p;

	if (!strcmp(last, ".") || !strcmp(last, ".."))
		snprintf(out, n, "%s%s..", !strcmp(p, ".") ? "" : p, !strcmp(p, ".") ? "" : "/");
	else if (!slash)
		snprintf(out, n, ".");
	else if (slash == p)
		snprintf(out, n, "/");
	else
		snprintf(out, n, "%.*s", (int)(slash - p), p);
}

static int borrow_is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int borrow_is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int borrow_present(const char *dir)
{
	char d[512], path[600];

	borrow_trim(dir, d, sizeof d);
	snprintf(path, sizeof path, "%s/%s", d, BORROW_FILE);
	return borrow_is_file(path);
}

/* ---- the declaration -------------------------------------------------------- */

static const char *const borrow_keys[] = {"schema", "from", "why", "classes", "notes", NULL};

static int borrow_known_keys(const cJSON *root, const struct borrow *b, struct err *e)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, root) {
		int i, known = 0;
		for (i = 0; borrow_keys[i]; i++)
			known |= !strcmp(it->string, borrow_keys[i]);
		if (!known)
			return err_set(e, EXIT_INPUT,
				       "%s: unknown key '%s' (a borrow file has schema, from, why, classes and notes)",
				       b->file, it->string);
	}
	return 0;
}

/* 'classes': the parts borrowed, every one when absent. */
static int borrow_read_classes(const cJSON *root, struct borrow *b, struct err *e)
{
	const cJSON *cl = cJSON_GetObjectItemCaseSensitive(root, "classes"), *it;
	int p, i = 0;

	if (!cl) {
		for (p = 0; p < BORROW_PARTS; p++)
			b->part[p] = 1;
		return 0;
	}
	if (!cJSON_IsArray(cl) || cJSON_GetArraySize(cl) == 0)
		return err_set(e, EXIT_INPUT, "%s: 'classes' must be a non-empty array of class names (or absent: all of them)",
			       b->file);
	cJSON_ArrayForEach(it, cl) {
		for (p = 0; p < BORROW_PARTS && !(cJSON_IsString(it) && !strcmp(it->valuestring, borrow_part_name(p))); p++)
			;
		if (p == BORROW_PARTS)
			return err_set(e, EXIT_INPUT,
				       "%s: 'classes[%d]' must be a kernel class (gemm_bf16, gemm_fp8, gemm_fp8_block, gemm_fp4, attention_decode, attention_decode_fp8, attention_decode_gqa, attention_prefill, moe_grouped_gemm, moe_grouped_gemm_prefill, elementwise, moe_grouped_gemm_vllm, moe_grouped_gemm_sglang), collectives or deepep",
				       b->file, i);
		b->part[p] = 1;
		i++;
	}
	return 0;
}

/* 'notes': optional, strings. */
static int borrow_read_notes(const cJSON *root, const struct borrow *b, struct err *e)
{
	const cJSON *nt = cJSON_GetObjectItemCaseSensitive(root, "notes"), *it;

	if (!nt)
		return 0;
	if (!cJSON_IsArray(nt))
		return err_set(e, EXIT_INPUT, "%s: 'notes' must be an array of strings", b->file);
	cJSON_ArrayForEach(it, nt)
		if (!cJSON_IsString(it))
			return err_set(e, EXIT_INPUT, "%s: 'notes' must be an array of strings", b->file);
	return 0;
}

/* A borrowing directory holds the declaration and no records. */
static int borrow_no_records(const struct borrow *b, struct err *e)
{
	struct dirent *de;
	DIR *d = opendir(b->dir);
	char other[256] = "";

	if (!d)
		return err_set(e, EXIT_ENV, "%s: cannot read the records directory (%s)", b->dir, err_sys(errno));
	while ((de = readdir(d)) && !other[0]) {
		size_t len = strlen(de->d_name);
		if (len > 5 && !strcmp(de->d_name + len - 5, ".json") && de->d_name[0] != '.' &&
		    strcmp(de->d_name, BORROW_FILE))
			snprintf(other, sizeof other, "%s", de->d_name);
	}
	closedir(d);
	if (other[0])
		return err_set(e, EXIT_INPUT,
			       "%s: a card borrows its calibration or has records of its own, not both: '%s' sits beside it",
			       b->file, other);
	return 0;
}

/* 'from': a sibling with a card and records of its own; a source that
 * borrows in turn is refused, and a cycle named. */
static int borrow_check_from(struct borrow *b, const char *root_dir, struct err *e)
{
	char cards_dir[520], next[700];
	cJSON *doc;
	const cJSON *f;

	if (!strcmp(b->from, b->card))
		return err_set(e, EXIT_INPUT,
			       "%s: 'from' names this card itself ('%s'): borrow from a sibling with records of its own",
			       b->file, b->from);
	borrow_parent(root_dir, cards_dir, sizeof cards_dir);
	snprintf(b->records, sizeof b->records, "%s/%s", root_dir, b->from);
	snprintf(b->from_card, sizeof b->from_card, "%s/%s.json", cards_dir, b->from);
	if (!borrow_is_file(b->from_card))
		return err_set(e, EXIT_INPUT, "%s: 'from': no card '%s' (expected %s)", b->file, b->from, b->from_card);
	if (!borrow_is_dir(b->records))
		return err_set(e, EXIT_INPUT, "%s: 'from': card '%s' has no records directory (expected %s/)",
			       b->file, b->from, b->records);
	snprintf(next, sizeof next, "%s/%s", b->records, BORROW_FILE);
	if (!borrow_is_file(next))
		return 0;
	if (jsonx_load(next, &doc, e))
		return e->code;
	f = cJSON_GetObjectItemCaseSensitive(doc, "from");
	if (cJSON_IsString(f) && !strcmp(f->valuestring, b->card))
		err_set(e, EXIT_INPUT, "%s: 'from': a cycle: '%s' borrows from '%s', which borrows from '%s' (%s)",
			b->file, b->card, b->from, b->card, next);
	else
		err_set(e, EXIT_INPUT,
			"%s: 'from': '%s' borrows its calibration too (%s): borrow from a card with records of its own",
			b->file, b->from, next);
	cJSON_Delete(doc);
	return EXIT_INPUT;
}

int borrow_read(const char *dir, struct borrow *b, struct err *e)
{
	const char *slash, *schema;
	char root_dir[512];
	cJSON *doc;
	int rc;

	memset(b, 0, sizeof *b);
	borrow_trim(dir, b->dir, sizeof b->dir);
	snprintf(b->file, sizeof b->file, "%s/%s", b->dir, BORROW_FILE);
	slash = strrchr(b->dir, '/');
	slash = slash ? slash + 1 : b->dir;
	if (strlen(slash) >= sizeof b->card)
		return err_set(e, EXIT_INPUT, "%s: '%s' is no card name: at most %zu characters", b->dir, slash,
			       sizeof b->card - 1);
	snprintf(b->card, sizeof b->card, "%.*s", (int)sizeof b->card - 1, slash);
	borrow_parent(b->dir, root_dir, sizeof root_dir);
	if (jsonx_load(b->file, &doc, e))
		return e->code;
	schema = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "schema")) ?
		 cJSON_GetObjectItemCaseSensitive(doc, "schema")->valuestring : NULL;
	if ((rc = borrow_known_keys(doc, b, e)) != 0)
		;
	else if (!schema || strcmp(schema, BORROW_SCHEMA))
		rc = err_set(e, EXIT_INPUT, "%s: 'schema' must be \"%s\"", b->file, BORROW_SCHEMA);
	else if (jsonx_str(doc, "from", b->file, JX_REQUIRED, b->from, sizeof b->from, e) ||
		 jsonx_str(doc, "why", b->file, JX_REQUIRED, b->why, sizeof b->why, e))
		rc = e->code;
	else if (!b->from[0] || strchr(b->from, '/'))
		rc = err_set(e, EXIT_INPUT, "%s: 'from' must name a card (\"b200\"), got '%s'", b->file, b->from);
	else if (!strstr(b->why, "https://") && !strstr(b->why, "http://"))
		rc = err_set(e, EXIT_INPUT,
			     "%s: 'why' must give the physical reason the cards' kernels run alike, with a public source (a URL)",
			     b->file);
	else
		rc = borrow_read_classes(doc, b, e) || borrow_read_notes(doc, b, e) ||
		     borrow_no_records(b, e) || borrow_check_from(b, root_dir, e) ? e->code : 0;
	cJSON_Delete(doc);
	return rc;
}

/* ---- the cards, the records, the calibration ---------------------------------- */

/* a and b equal to 1e-9 relative (both NAN counts as equal: neither card has it) */
static int borrow_same(double a, double b)
{
	return (isnan(a) && isnan(b)) || fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

int borrow_check(const struct borrow *b, const struct hw *src, const struct hw *dst, struct err *e)
{
	const struct hw_scale_up *s = &src->scale_up, *d = &dst->scale_up;
	int p, kernels = 0;

	for (p = 0; p < K_CLASSES; p++)
		kernels |= b->part[p];
	if (kernels && !borrow_same(src->gpu.hbm_bw, dst->gpu.hbm_bw))
		return err_set(e, EXIT_INPUT,
			       "%s: 'from': %s's HBM (%.6g GB/s) is not %s's (%.6g GB/s): kernel fits are borrowed only on one memory system",
			       b->file, src->name, src->gpu.hbm_bw / 1e9, dst->name, dst->gpu.hbm_bw / 1e9);
	if ((b->part[BORROW_COLLECTIVES] || b->part[BORROW_DEEPEP]) &&
	    (strcmp(s->technology, d->technology) || strcmp(s->topology, d->topology) ||
	     !borrow_same(s->bw, d->bw) || !borrow_same(s->domain_gpus, d->domain_gpus)))
		return err_set(e, EXIT_INPUT,
			       "%s: 'classes': collectives and deepep measured %s's scale-up link (%s %s, %.6g GB/s, %.6g GPUs), not %s's (%s %s, %.6g GB/s, %.6g GPUs): list the classes without them",
			       b->file, src->name, s->technology, s->topology, s->bw / 1e9, s->domain_gpus, dst->name,
			       d->technology, d->topology, d->bw / 1e9, d->domain_gpus);
	return 0;
}

void borrow_filter(const struct borrow *b, const struct hw *src, struct kset *s)
{
	int i, n = 0;

	for (i = 0; i < s->n; i++)
		if (b->part[s->rec[i].cls])
			s->rec[n++] = s->rec[i];
	s->n = n;
	for (i = n = 0; i < s->ncoll; i++)   /* more GPUs than the domain: measured across NICs */
		if (b->part[BORROW_COLLECTIVES] && !(s->coll[i].gpus > src->scale_up.domain_gpus))
			s->coll[n++] = s->coll[i];
	s->ncoll = n;
	for (i = n = 0; i < s->ncar; i++)   /* the engines' own all-reduce, a collective of the link */
		if (b->part[BORROW_COLLECTIVES] && !(s->car[i].gpus > src->scale_up.domain_gpus))
			s->car[n++] = s->car[i];
	s->ncar = n;
	for (i = n = 0; i < s->nep; i++)   /* across nodes DeepEP measured the source's NICs: never */
		if (b->part[BORROW_DEEPEP] && s->ep[i].link != KEP_LL_RDMA)
			s->ep[n++] = s->ep[i];
	s->nep = n;
}

cJSON *borrow_calibration(const struct borrow *b, cJSON *cal)
{
	static const char *const rest[] = {"records", "sources", "calib", NULL};
	cJSON *out = cJSON_CreateObject(), *bo, *cl;
	int p, i;

	cJSON_AddStringToObject(out, "provenance", "published");
	cJSON_AddStringToObject(out, "borrowed_from", b->from);
	bo = cJSON_AddObjectToObject(out, "borrow");
	cJSON_AddStringToObject(bo, "file", b->file);
	cJSON_AddStringToObject(bo, "why", b->why);
	cl = cJSON_AddArrayToObject(bo, "classes");
	for (p = 0; p < BORROW_PARTS; p++)
		if (b->part[p])
			cJSON_AddItemToArray(cl, cJSON_CreateString(borrow_part_name(p)));
	for (i = 0; rest[i]; i++) {
		cJSON *it = cJSON_DetachItemFromObjectCaseSensitive(cal, rest[i]);
		if (it)
			cJSON_AddItemToObject(out, rest[i], it);
	}
	cJSON_Delete(cal);
	return out;
}
