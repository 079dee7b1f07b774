/*
 * jsonx.h - defensive cJSON helpers shared by the card loaders.
 *
 * cJSON traps this avoids (reference/style.md): numbers are read through
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
 * Read and parse the JSON object in `path`.  On success *root is owned by the
 * caller (cJSON_Delete).  Errors (EXIT_INPUT) name the file and, for a syntax
 * error, the line and column.
 */
int jsonx_load(const char *path, cJSON **root, struct err *e);

/*
 * jsonx_load, then apply the "key=value" overrides in `sets` (see jsonx_set).
 * On success *root is owned by the caller; on failure nothing is left allocated.
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
 * Copy string `key` of `obj` into buf (at most n-1 bytes).  Returns 0 when
 * read, -1 when absent and not required, EXIT_INPUT when not a string or too long.
 */
int jsonx_str(const cJSON *obj, const char *key, const char *file,
	      unsigned flags, char *buf, size_t n, struct err *e);

/*
 * Apply one "key=value" override to `root`.  `key` may be a dotted path
 * ("gpu.hbm_gbs"); missing objects on the way are created.  The value is read
 * as a JSON literal (number, true, false, null, "string", [...]) and, failing
 * that, as a bare string.  Errors are EXIT_USAGE naming the '--set' text.
 */
int jsonx_set(cJSON *root, const char *assignment, struct err *e);

#endif
