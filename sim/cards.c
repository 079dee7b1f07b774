/* cards.c - see cards.h */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "cards.h"
#include "jsonx.h"

#ifndef MLASIM_DATADIR
#define MLASIM_DATADIR "/usr/local/share/mlasim"
#endif

static char exe_dir[512];

void cards_set_exe_dir(const char *dir)
{
	snprintf(exe_dir, sizeof exe_dir, "%s", dir ? dir : "");
}

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Candidate directories for `kind`, existing ones only; returns the count. */
static int cards_dirs(enum card_kind kind, char dirs[][600], int max)
{
	const char *sub = kind == CARD_MODEL ? "models" : kind == CARD_HW ? "hw" : "engines";
	const char *env = getenv("MLASIM_DATA");
	char cand[5][600];
	int i, j, n = 0, c = 0;

	snprintf(cand[c++], 600, "%s", sub);
	if (env && *env)
		snprintf(cand[c++], 600, "%s/%s", env, sub);
	if (exe_dir[0]) {
		snprintf(cand[c++], 600, "%s/../%s", exe_dir, sub);
		snprintf(cand[c++], 600, "%s/../share/mlasim/%s", exe_dir, sub);
	}
	snprintf(cand[c++], 600, "%s/%s", MLASIM_DATADIR, sub);
	for (i = 0; i < c && n < max; i++) {
		int dup = 0;
		if (!is_dir(cand[i]))
			continue;
		for (j = 0; j < n; j++)
			dup |= strcmp(dirs[j], cand[i]) == 0;
		if (!dup)
			memcpy(dirs[n++], cand[i], 600);
	}
	return n;
}

/* Read name, display name and aliases of one card file. */
static int cards_read_entry(enum card_kind kind, const char *path, struct card_entry *c)
{
	struct err e;
	cJSON *root, *holder, *al, *it;
	const cJSON *v;
	const char *base = strrchr(path, '/');

	memset(c, 0, sizeof *c);
	snprintf(c->path, sizeof c->path, "%.511s", path);
	base = base ? base + 1 : path;
	snprintf(c->name, sizeof c->name, "%.63s", base);
	if (strlen(c->name) > 5 && strcmp(c->name + strlen(c->name) - 5, ".json") == 0)
		c->name[strlen(c->name) - 5] = 0;
	if (jsonx_load(path, &root, &e))
		return -1;
	holder = kind == CARD_MODEL ? cJSON_GetObjectItemCaseSensitive(root, "mlasim") : root;
	if (cJSON_IsObject(holder)) {
		v = cJSON_GetObjectItemCaseSensitive(holder, "display_name");
		if (cJSON_IsString(v))
			snprintf(c->display, sizeof c->display, "%s", v->valuestring);
		al = cJSON_GetObjectItemCaseSensitive(holder, "aliases");
		cJSON_ArrayForEach(it, al) {
			size_t len = strlen(c->aliases);
			if (cJSON_IsString(it) && len + strlen(it->valuestring) + 2 < sizeof c->aliases)
				snprintf(c->aliases + len, sizeof c->aliases - len, "%s%s",
					 len ? "," : "", it->valuestring);
		}
	}
	cJSON_Delete(root);
	return 0;
}

static int cards_has_alias(const struct card_entry *c, const char *name)
{
	const char *p = c->aliases;
	size_t len = strlen(name);

	while (*p) {
		size_t l = strcspn(p, ",");
		if (l == len && strncasecmp(p, name, len) == 0)
			return 1;
		p += l;
		if (*p)
			p++;
	}
	return 0;
}

static int cards_cmp(const void *a, const void *b)
{
	return strcmp(((const struct card_entry *)a)->name, ((const struct card_entry *)b)->name);
}

int cards_list(enum card_kind kind, struct card_entry *list, int max)
{
	char dirs[6][600], path[1200];
	int nd = cards_dirs(kind, dirs, 6), n = 0, i, j;

	for (i = 0; i < nd; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *de;
		if (!d)
			continue;
		while ((de = readdir(d)) != NULL && n < max) {
			size_t len = strlen(de->d_name);
			int dup = 0;
			if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0 ||
			    strstr(de->d_name, ".calibrated.") || de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%.600s/%.255s", dirs[i], de->d_name);
			if (cards_read_entry(kind, path, &list[n]))
				continue;
			for (j = 0; j < n; j++)
				dup |= strcmp(list[j].name, list[n].name) == 0;
			if (!dup)
				n++;
		}
		closedir(d);
	}
	qsort(list, (size_t)n, sizeof *list, cards_cmp);
	return n;
}

/* Edit distance, capped: names are short. */
static int cards_distance(const char *a, const char *b)
{
	int la = (int)strlen(a), lb = (int)strlen(b), i, j;
	int row[65], prev;

	if (la > 64 || lb > 64)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			int cur = row[j];
			int sub = prev + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
			int best = sub;
			if (row[j] + 1 < best) best = row[j] + 1;
			if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/* Case-insensitive: does `hay` contain `needle`? */
static int cards_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

/* Distance of `name` to a card: its name, its aliases, or containment. */
static int cards_score(const struct card_entry *c, const char *name)
{
	int best = cards_distance(name, c->name);
	const char *p = c->aliases;
	char alias[64];

	if (strlen(name) >= 2 && cards_contains(c->name, name))
		best = best < 1 ? best : 1;
	while (*p) {
		size_t l = strcspn(p, ",");
		int d;
		snprintf(alias, sizeof alias, "%.*s", (int)(l < 63 ? l : 63), p);
		d = cards_distance(name, alias);
		if (d < best)
			best = d;
		p += l;
		if (*p)
			p++;
	}
	return best;
}

/* Up to three names of list[0..count) close to `name`, quoted, into buf. */
static void cards_suggest(const struct card_entry *list, int count, const char *name, char *buf, size_t n)
{
	int used[3] = {-1, -1, -1};
	int k, i, len;

	buf[0] = 0;
	for (k = 0; k < 3; k++) {
		int best = -1, bs = 1 << 30;
		for (i = 0; i < count; i++) {
			int s;
			if (i == used[0] || i == used[1])
				continue;
			s = cards_score(&list[i], name);
			if (s < bs) {
				bs = s;
				best = i;
			}
		}
		if (best < 0 || bs > 2 + (int)strlen(name) / 4)
			break;
		used[k] = best;
		len = (int)strlen(buf);
		snprintf(buf + len, n - (size_t)len, "%s'%s'", k ? ", " : "", list[best].name);
	}
}

/* The bundled card of `kind` whose name or alias is `stem`, its path into
 * out; else the error, with the names close to it. */
static int cards_find(enum card_kind kind, const char *name, const char *stem, const char *what,
		      char *out, size_t n, struct err *e)
{
	struct card_entry *list = malloc(CARDS_MAX * sizeof *list);
	char hint[300];
	int i, count;

	if (!list)
		return err_set(e, EXIT_ENV, "out of memory looking for the %s card '%s'", what, name);
	count = cards_list(kind, list, CARDS_MAX);
	for (i = 0; i < count; i++) {
		if (strcasecmp(list[i].name, stem) == 0 || cards_has_alias(&list[i], stem)) {
			snprintf(out, n, "%s", list[i].path);
			free(list);
			return 0;
		}
	}
	cards_suggest(list, count, stem, hint, sizeof hint);
	free(list);
	if (hint[0])
		return err_set(e, EXIT_INPUT, "no %s card '%s' (did you mean %s? 'mlasim list' shows all)",
			       what, name, hint);
	return err_set(e, EXIT_INPUT, "no %s card '%s' ('mlasim list' shows the bundled cards)",
		       what, name);
}

int cards_resolve(enum card_kind kind, const char *name, char *out, size_t n,
		  struct err *e)
{
	const char *what = kind == CARD_MODEL ? "model" : kind == CARD_HW ? "hardware" : "engine";
	char stem[256], path[1200], dirs[6][600];
	int nd, i;
	size_t len;

	if (!name || !*name)
		return err_set(e, EXIT_USAGE, "'--%s' needs a card name or file",
			       kind == CARD_MODEL ? "model" : kind == CARD_HW ? "hw" : "engine");
	if (is_file(name)) {
		snprintf(out, n, "%s", name);
		return 0;
	}
	if (is_dir(name))
		return err_set(e, EXIT_INPUT, "'%s' is a directory, not a %s card file", name, what);
	if (access(name, F_OK) == 0)
		return err_set(e, EXIT_INPUT, "'%s' is not a regular file: expected a %s card (JSON)", name, what);
	if (strchr(name, '/'))
		return err_set(e, EXIT_INPUT, "cannot open '%s': no such file", name);
	len = strlen(name);
	if (len >= sizeof stem)
		return err_set(e, EXIT_INPUT, "no %s card '%.40s...': name too long", what, name);
	snprintf(stem, sizeof stem, "%s", name);
	if (len > 5 && strcasecmp(stem + len - 5, ".json") == 0)
		stem[len - 5] = 0;
	nd = cards_dirs(kind, dirs, 6);
	for (i = 0; i < nd; i++) {
		snprintf(path, sizeof path, "%.600s/%.255s.json", dirs[i], stem);
		if (is_file(path)) {
			snprintf(out, n, "%s", path);
			return 0;
		}
	}
	return cards_find(kind, name, stem, what, out, n, e);
}
