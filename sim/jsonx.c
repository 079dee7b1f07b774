/* jsonx.c - see jsonx.h */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "infile.h"
#include "jsonx.h"

/* Line and column (1-based) of byte `off` in text. */
static void jsonx_position(const char *text, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && text[i]; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int jsonx_read_file(const char *path, char **text, struct err *e)
{
	size_t len = 0;
	char *buf = NULL;

	if (infile_read(path, JSONX_MAX_FILE, "a card", &buf, &len, e))
		return e->code;
	if (strlen(buf) != len) {
		free(buf);
		return err_set(e, EXIT_INPUT, "%s: contains a NUL byte: not a JSON text", path);
	}
	*text = buf;
	return 0;
}

/* Is c part of a bare word (so "Infinity" inside "xInfinity" is no token)? */
static int jsonx_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/*
 * HuggingFace writes config.json with Python's json module, which writes an
 * infinite float as a bare Infinity or -Infinity and NaN as NaN (Nemotron-H's
 * time_step_limit); JSON has neither, so cJSON refuses the file.  Rewrite
 * them outside strings as 1e999, which strtod reads as inf: a key mlasim
 * reads then refuses it as non-finite, as NaN is too (Infinity padded to
 * keep columns).
 * Returns a new text (caller frees), or NULL when out of memory.
 */
char *jsonx_python_literals(const char *in)
{
	size_t len = strlen(in), i, o = 0;
	char *out = malloc(len + len + 2);       /* NaN (3) -> 1e999 (5) grows most */
	int str = 0;

	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		int edge = i == 0 || !jsonx_word_char(in[i - 1]);
		if (str) {
			if (in[i] == '\\' && i + 1 < len)
				out[o++] = in[i++];
			else if (in[i] == '"')
				str = 0;
		} else if (in[i] == '"') {
			str = 1;
		} else if (edge && strncmp(in + i, "Infinity", 8) == 0 && !jsonx_word_char(in[i + 8])) {
			memcpy(out + o, "1e999   ", 8);
			o += 8;
			i += 7;
			continue;
		} else if (edge && strncmp(in + i, "NaN", 3) == 0 && !jsonx_word_char(in[i + 3])) {
			memcpy(out + o, "1e999", 5);
			o += 5;
			i += 2;
			continue;
		}
		out[o++] = in[i];
	}
	out[o] = 0;
	return out;
}

int jsonx_load(const char *path, cJSON **root, struct err *e)
{
	const char *end = NULL;
	char *text = NULL;
	cJSON *j;
	int line, col;

	if (jsonx_read_file(path, &text, e))
		return e->code;
	if (strstr(text, "Infinity") || strstr(text, "NaN")) {
		char *t = jsonx_python_literals(text);
		free(text);
		if (!t)
			return err_set(e, EXIT_ENV, "out of memory reading '%s'", path);
		text = t;
	}
	j = cJSON_ParseWithOpts(text, &end, 1);
	if (!j) {
		size_t off = end ? (size_t)(end - text) : 0;
		jsonx_position(text, off, &line, &col);
		free(text);
		return err_set(e, EXIT_INPUT, "%s: malformed JSON at line %d column %d",
			       path, line, col);
	}
	free(text);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return err_set(e, EXIT_INPUT, "%s: expected a JSON object at the top level", path);
	}
	if (jsonx_check_unique(j, path, e)) {
		cJSON_Delete(j);
		return e->code;
	}
	*root = j;
	return 0;
}

/* ---- repeated keys ---------------------------------------------------------- */

/* Objects up to this many members are checked pair by pair (no allocation);
 * larger ones (calibration grids) by sorting, so no input is quadratic. */
#define JSONX_PAIRWISE_MAX 32

struct jsonx_key {
	const char *key;
	int index;               /* position among the object's members */
};

static int jsonx_key_cmp(const void *a, const void *b)
{
	const struct jsonx_key *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/*
 * The position of the first member of object `o` (n members) whose key an
 * earlier member already has, or n when every key is unique; -1 when out of
 * memory.  The first in the text, whichever way it is found.
 */
static int jsonx_first_repeat(const cJSON *o, int n)
{
	const cJSON *a, *b;
	struct jsonx_key *k;
	int i, j, pos, first = n;

	if (n <= JSONX_PAIRWISE_MAX) {
		for (a = o->child, i = 0; a; a = a->next, i++)
			for (b = o->child; b != a; b = b->next)
				if (a->string && b->string && strcmp(a->string, b->string) == 0)
					return i;
		return n;
	}
	k = malloc((size_t)n * sizeof *k);
	if (!k)
		return -1;
	for (a = o->child, i = 0, pos = 0; a && i < n; a = a->next, pos++)
		if (a->string) {
			k[i].key = a->string;
			k[i].index = pos;
			i++;
		}
	qsort(k, (size_t)i, sizeof *k, jsonx_key_cmp);
	for (j = 1; j < i; j++)
		if (strcmp(k[j - 1].key, k[j].key) == 0 && k[j].index < first)
			first = k[j].index;
	free(k);
	return first;
}

/* Append ".key" (or "key" at the top) or "[i]" to path[0..len), as much of
 * it as fits in JSONX_PATH_MAX bytes; returns the length the whole path has
 * (the caller shortens it with "..." when that is longer than fits). */
static size_t jsonx_path_add(char *path, size_t len, const cJSON *member, int index)
{
	char *at = len < JSONX_PATH_MAX ? path + len : NULL;
	size_t room = len < JSONX_PATH_MAX ? JSONX_PATH_MAX + 1 - len : 0;
	int n = member->string ?
		snprintf(at, room, "%s%s", len ? "." : "", member->string) :
		snprintf(at, room, "[%d]", index);

	return len + (n > 0 ? (size_t)n : 0);
}

/* The walk of jsonx_check_unique below `v`, whose path is path[0..len). */
static int jsonx_unique_walk(const cJSON *v, char *path, size_t len, const char *file,
			     struct err *e)
{
	const cJSON *m, *same;
	int n = cJSON_GetArraySize(v), repeat = n, i, count = 0;

	if (cJSON_IsObject(v)) {
		repeat = jsonx_first_repeat(v, n);
		if (repeat < 0)
			return err_set(e, EXIT_ENV, "out of memory reading '%s'", file);
	}
	/* members before the repetition come first in the text: check inside them first */
	for (m = v->child, i = 0; m && i < repeat; m = m->next, i++) {
		if (!cJSON_IsObject(m) && !cJSON_IsArray(m))
			continue;
		if (jsonx_unique_walk(m, path, jsonx_path_add(path, len, m, i), file, e))
			return e->code;
		if (len <= JSONX_PATH_MAX)
			path[len] = 0;
	}
	if (!m)
		return 0;
	for (same = v->child; same; same = same->next)
		count += same->string && strcmp(same->string, m->string) == 0;
	if (jsonx_path_add(path, len, m, repeat) > JSONX_PATH_MAX)
		memcpy(path + JSONX_PATH_MAX - 3, "...", 4);
	if (count == 2)
		return err_set(e, EXIT_INPUT, "%s: key '%s' appears twice; each key may appear once",
			       file, path);
	return err_set(e, EXIT_INPUT, "%s: key '%s' appears %d times; each key may appear once",
		       file, path, count);
}

int jsonx_check_unique(const cJSON *root, const char *file, struct err *e)
{
	char path[JSONX_PATH_MAX + 1] = "";

	if (!cJSON_IsObject(root) && !cJSON_IsArray(root))
		return 0;
	return jsonx_unique_walk(root, path, 0, file, e);
}

int jsonx_load_set(const char *path, const char *const *sets, int nsets, cJSON **root,
		   struct err *e)
{
	int i;

	if (jsonx_load(path, root, e))
		return e->code;
	for (i = 0; i < nsets; i++) {
		if (jsonx_set(*root, sets[i], e)) {
			cJSON_Delete(*root);
			*root = NULL;
			return e->code;
		}
	}
	return 0;
}

static const char *jsonx_type_name(const cJSON *v)
{
	if (cJSON_IsNumber(v)) return "a number";
	if (cJSON_IsString(v)) return "a string";
	if (cJSON_IsBool(v)) return "a boolean";
	if (cJSON_IsNull(v)) return "null";
	if (cJSON_IsArray(v)) return "an array";
	if (cJSON_IsObject(v)) return "an object";
	return "something else";
}

static const char *jsonx_expected(unsigned flags)
{
	if (flags & JX_FRACTION) return "a fraction in (0, 1]";
	if ((flags & JX_INT) && (flags & JX_POSITIVE)) return "a positive integer";
	if (flags & JX_INT) return "a non-negative integer";
	if (flags & JX_POSITIVE) return "a positive number";
	return "a non-negative number";
}

int jsonx_num(const cJSON *obj, const char *key, const char *file,
	      const char *keypath, unsigned flags, double max, double *out,
	      struct err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	const char *want = jsonx_expected(flags);
	double x;

	if (!v || ((flags & JX_NULLABLE) && cJSON_IsNull(v))) {
		if (flags & JX_REQUIRED)
			return err_set(e, EXIT_INPUT, "%s: '%s' is missing: expected %s",
				       file, keypath, want);
		return -1;
	}
	if (!cJSON_IsNumber(v))
		return err_set(e, EXIT_INPUT, "%s: '%s' must be %s, got %s",
			       file, keypath, want, jsonx_type_name(v));
	x = v->valuedouble;
	if (!isfinite(x))
		return err_set(e, EXIT_INPUT, "%s: '%s' must be %s, got a non-finite number",
			       file, keypath, want);
	if (x < 0 || ((flags & (JX_POSITIVE | JX_FRACTION)) && x == 0) ||
	    ((flags & JX_INT) && x != floor(x)) || ((flags & JX_FRACTION) && x > 1))
		return err_set(e, EXIT_INPUT, "%s: '%s' must be %s, got %.17g",
			       file, keypath, want, x);
	if (x > max)
		return err_set(e, EXIT_INPUT, "%s: '%s' is absurdly large (%.6g > %.6g)",
			       file, keypath, x, max);
	*out = x;
	return 0;
}

int jsonx_str(const cJSON *obj, const char *key, const char *file,
	      unsigned flags, char *buf, size_t n, struct err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v || ((flags & JX_NULLABLE) && cJSON_IsNull(v))) {
		if (flags & JX_REQUIRED)
			return err_set(e, EXIT_INPUT, "%s: '%s' is missing: expected a string",
				       file, key);
		return -1;
	}
	if (!cJSON_IsString(v) || !v->valuestring)
		return err_set(e, EXIT_INPUT, "%s: '%s' must be a string, got %s",
			       file, key, jsonx_type_name(v));
	if (strlen(v->valuestring) >= n)
		return err_set(e, EXIT_INPUT, "%s: '%s' is longer than %zu characters",
			       file, key, n - 1);
	strcpy(buf, v->valuestring);
	return 0;
}

/* Find or create the object that holds the last component of a dotted path. */
static cJSON *jsonx_parent(cJSON *root, char *path, char **leaf, struct err *e,
			   const char *assignment)
{
	cJSON *cur = root;
	char *dot;

	while ((dot = strchr(path, '.')) != NULL) {
		cJSON *next;
		*dot = 0;
		if (!*path)
			goto bad;
		next = cJSON_GetObjectItemCaseSensitive(cur, path);
		if (!next) {
			next = cJSON_AddObjectToObject(cur, path);
			if (!next) {
				err_set(e, EXIT_ENV, "out of memory applying '--set %s'", assignment);
				return NULL;
			}
		} else if (!cJSON_IsObject(next)) {
			err_set(e, EXIT_USAGE, "'--set %s': '%s' is not an object", assignment, path);
			return NULL;
		}
		cur = next;
		path = dot + 1;
	}
	if (!*path)
		goto bad;
	*leaf = path;
	return cur;
bad:
	err_set(e, EXIT_USAGE, "'--set %s': expected KEY=VALUE with a non-empty key", assignment);
	return NULL;
}

/* Does a --set value start the way a number does ("3350abc", "-1x", ".5,")?
 * Such a value that is not a whole JSON number is a mistyped number, not a
 * string: taking it as text would hide the typo until a loader said "got a
 * string", or worse be read by a key that takes strings. */
static int jsonx_looks_numeric(const char *v)
{
	if (*v == '-' || *v == '+')
		v++;
	if (*v == '.')
		v++;
	return *v >= '0' && *v <= '9';
}

int jsonx_set(cJSON *root, const char *assignment, struct err *e)
{
	const char *eq = strchr(assignment, '=');
	char key[256], *leaf = NULL;
	cJSON *parent, *value;
	size_t klen;

	if (!eq || eq == assignment)
		return err_set(e, EXIT_USAGE, "'--set %s': expected KEY=VALUE, e.g. kv_lora_rank=256",
			       assignment);
	klen = (size_t)(eq - assignment);
	if (klen >= sizeof key)
		return err_set(e, EXIT_USAGE, "'--set': key is too long");
	memcpy(key, assignment, klen);
	key[klen] = 0;
	if (!eq[1])
		return err_set(e, EXIT_USAGE, "'--set %s': the value is empty", assignment);
	parent = jsonx_parent(root, key, &leaf, e, assignment);
	if (!parent)
		return e->code;
	/* the whole value must be the literal: cJSON_Parse alone reads a prefix
	 * and would take "3350abc" as 3350 */
	value = cJSON_ParseWithOpts(eq + 1, NULL, 1);
	if (!value && jsonx_looks_numeric(eq + 1))
		return err_set(e, EXIT_USAGE,
			       "'--set %s': '%.*s' expects a decimal number such as 3350 or 1.5e3, got '%s'"
			       " (quote a string that starts with a digit: '\"%s\"')",
			       assignment, (int)klen, assignment, eq + 1, eq + 1);
	if (!value)
		value = cJSON_CreateString(eq + 1);
	if (!value)
		return err_set(e, EXIT_ENV, "out of memory applying '--set %s'", assignment);
	if (!(cJSON_GetObjectItemCaseSensitive(parent, leaf) ?
	      cJSON_ReplaceItemInObjectCaseSensitive(parent, leaf, value) :
	      cJSON_AddItemToObject(parent, leaf, value))) {
		cJSON_Delete(value);
		return err_set(e, EXIT_ENV, "out of memory applying '--set %s'", assignment);
	}
	return 0;
}
