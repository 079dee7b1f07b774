/*
 * jsonx.h - defensive cJSON helpers shared by the card loaders.
 *
 * cJSON traps this avoids (docs/design.md s6): numbers are read through
 * valuedouble (valueint saturates at INT_MAX), keys are matched case-sensitively,
 * parse errors are reported with line and column.
 */
#ifndef MLASIM_JSONX_H
#define MLASIM_JSONX_H

#include <cjson/cJSON.h>
#include "err.h"

/* Largest card file read: a config.json is a few KB; 16 MiB leaves room for
 * calibration grids while refusing to slurp a wrong file of gigabytes. */
#define JSONX_MAX_FILE (16u << 20)

enum jsonx_flag {
	JX_REQUIRED = 1,   /* absent is an error */
	JX_INT = 2,        /* must be a whole number */
	JX_POSITIVE = 4,   /* must be > 0 (otherwise >= 0) */
	JX_FRACTION = 8,   /* must be in (0, 1] */
	JX_NULLABLE = 16,  /* JSON null reads as absent */
};

/*
 * `in` with Python json's bare Infinity, -Infinity and NaN (outside strings)
 * rewritten as 1e999, which cJSON reads as infinite, as jsonx_load reads
 * them.  Returns a new text the caller frees, or NULL when out of memory.
 */
char *jsonx_python_literals(const char *in);

/*
 * Read and parse the JSON object in `path`: every JSON document a user gives
 * mlasim (model and hardware cards, probe results) comes in here.  On success
 * *root is owned by the caller (cJSON_Delete).  Errors (EXIT_INPUT; EXIT_ENV
 * when out of memory) name the file and, for a syntax error, the line and
 * column; a key repeated within one object is an error too
 * (jsonx_check_unique).  On error *root is untouched and nothing is left
 * allocated.
 */
int jsonx_load(const char *path, cJSON **root, struct err *e);

/*
 * Refuse a document in which one object holds the same key twice.  cJSON
 * keeps both members and every lookup finds the first, so the second would
 * be ignored without a word; a card is a hand-edited file, and a key pasted
 * twice is a mistake we must name.  Keys compare byte for byte, as the
 * case-sensitive lookups do ("a" and "A" are two keys).  Walks every object,
 * nested and inside arrays.  Returns 0, or EXIT_INPUT (EXIT_ENV when out of
 * memory) with the message "FILE: key 'PATH' appears twice; each key may
 * appear once", PATH the key's full dotted path ("gpu.hbm_gbs",
 * "probes[3].id", shortened to "...": at most JSONX_PATH_MAX bytes) and the
 * first repetition in the text the one named.  jsonx_load calls it.
 */
#define JSONX_PATH_MAX 200
int jsonx_check_unique(const cJSON *root, const char *file, struct err *e);

/*
 * jsonx_load, then apply the "key=value" overrides in `sets` (see jsonx_set).
 * Returns 0 with *root owned by the caller, or jsonx_load's error, or
 * jsonx_set's (EXIT_USAGE) with *root NULL; on failure nothing is left
 * allocated.
 */
int jsonx_load_set(const char *path, const char *const *sets, int nsets, cJSON **root,
		   struct err *e);

/*
 * Read number `key` of `obj` into *out with the checks in `flags`, and no
 * larger than `max`.  `file` and `keypath` (e.g. "gpu.hbm_gbs") name it in
 * errors.  Returns 0 when read, -1 when absent and not required (leaving *out
 * untouched), EXIT_INPUT otherwise.
 */
int jsonx_num(const cJSON *obj, const char *key, const char *file,
	      const char *keypath, unsigned flags, double max, double *out,
	      struct err *e);

/*
 * Copy string `key` of `obj` into buf (at most n-1 bytes and a NUL); `file`
 * names it in errors, `flags` takes JX_REQUIRED and JX_NULLABLE.  Returns 0
 * when read, -1 when absent and not required (buf untouched), EXIT_INPUT when
 * not a string or too long.
 */
int jsonx_str(const cJSON *obj, const char *key, const char *file,
	      unsigned flags, char *buf, size_t n, struct err *e);

/*
 * Apply one "key=value" override to `root`.  `key` may be a dotted path
 * ("gpu.hbm_gbs"); missing objects on the way are created.  The value is read
 * as a JSON literal (number, true, false, null, "string", [...]) and, failing
 * that, as a bare string; a value that starts like a number but is not one
 * is an error, not a string.  The new value replaces the old.  Returns 0, or
 * EXIT_USAGE naming the '--set' text (EXIT_ENV when out of memory).
 */
int jsonx_set(cJSON *root, const char *assignment, struct err *e);

#endif
