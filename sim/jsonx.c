/* jsonx.c - see jsonx.h */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	FILE *f = fopen(path, "rb");
	size_t len = 0, cap = 4096, got;
	char *buf;

	if (!f)
		return err_set(e, EXIT_INPUT, "cannot open '%s': %s", path, err_sys(errno));
	buf = malloc(cap + 1);
	if (!buf) {
		fclose(f);
		return err_set(e, EXIT_ENV, "out of memory reading '%s'", path);
	}
	while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			char *bigger;
			if (cap >= JSONX_MAX_FILE) {
				free(buf);
				fclose(f);
				return err_set(e, EXIT_INPUT, "'%s' is larger than %u MiB: not a card",
					       path, JSONX_MAX_FILE >> 20);
			}
			cap *= 2;
			bigger = realloc(buf, cap + 1);
			if (!bigger) {
				free(buf);
				fclose(f);
				return err_set(e, EXIT_ENV, "out of memory reading '%s'", path);
			}
			buf = bigger;
		}
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return err_set(e, EXIT_INPUT, "cannot read '%s' (is it a directory?)", path);
	}
	fclose(f);
	buf[len] = 0;
	if (strlen(buf) != len) {
		free(buf);
		return err_set(e, EXIT_INPUT, "%s: contains a NUL byte: not a JSON text", path);
	}
	*text = buf;
	return 0;
}

int jsonx_load(const char *path, cJSON **root, struct err *e)
{
	const char *end = NULL;
	char *text = NULL;
	cJSON *j;
	int line, col;

	if (jsonx_read_file(path, &text, e))
		return e->code;
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
	*root = j;
	return 0;
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
	value = cJSON_Parse(eq + 1);
	if (!value)
		value = cJSON_CreateString(eq + 1);
	if (!value)
		return err_set(e, EXIT_ENV, "out of memory applying '--set %s'", assignment);
	if (cJSON_GetObjectItemCaseSensitive(parent, leaf))
		cJSON_ReplaceItemInObjectCaseSensitive(parent, leaf, value);
	else
		cJSON_AddItemToObject(parent, leaf, value);
	return 0;
}
