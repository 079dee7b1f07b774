/*
 * report.h - machine-readable writers shared by every command: JSON (a stable
 * contract: SI values, the unit in the key) and flat CSV.
 */
#ifndef MLASIM_REPORT_H
#define MLASIM_REPORT_H

#include <cjson/cJSON.h>
#include "sbuf.h"

/* Append `o` as indented JSON and a newline to b, then free `o`. */
void report_json(struct sbuf *b, cJSON *o);

/*
 * Append `o` as CSV "key,value" rows with dotted keys ("memory.fits") and
 * array indices ("contexts.0.context"); strings are quoted when needed; a
 * null or a number that is not finite (unknown, not computed) leaves the
 * value empty, as in every CSV mlasim writes (fmt_csv_num).  Does not free `o`.
 */
void report_csv_flat(struct sbuf *b, const cJSON *o);

/* Append `o` as CSV (csv != 0) or as JSON, then free `o`: the machine-readable
 * half of every command's output. */
void report_tree(struct sbuf *b, cJSON *o, int csv);

/* Add a number, or JSON null when it is not finite (NAN: unknown). */
void report_num(cJSON *o, const char *key, double v);

/* Shortest of %.15g / %.17g that reads back as v (cJSON's rule). Returns buf. */
char *report_fmt_num(double v, char *buf, size_t n);

#endif
