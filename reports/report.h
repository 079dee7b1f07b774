/*
 * report.h - machine-readable writers shared by every command: JSON (a stable
 * contract: SI values, the unit in the key) and flat CSV.
 */
#ifndef MLASIM_REPORT_H
#define MLASIM_REPORT_H

#include <cjson/cJSON.h>
#include "sbuf.h"

/* Append `o` as indented JSON and a newline to b, then free `o`.  A NULL o (a
 * cJSON allocation that failed) or a failed print sets b->oom. */
void report_json(struct sbuf *b, cJSON *o);

/*
 * Append `o` as CSV: a "key,value" header, then a row per leaf with dotted
 * keys ("memory.fits") and array indices ("contexts.0.context"); strings are
 * quoted when needed; a null or a number that is not finite (unknown, not
 * computed) leaves the value empty, as in every CSV mlasim writes
 * (fmt_csv_num).  A leaf whose key would pass 511 bytes is left out.  Does
 * not free `o`.
 */
void report_csv_flat(struct sbuf *b, const cJSON *o);

/* Append `o` as CSV (csv != 0) or as JSON, then free `o`: the machine-readable
 * half of every command's output. */
void report_tree(struct sbuf *b, cJSON *o, int csv);

/* Add a number, or JSON null when it is not finite (NAN: unknown). */
void report_num(cJSON *o, const char *key, double v);

/* v as %.15g, or %.17g when that does not read back as v (cJSON's rule), into
 * buf of n bytes.  Returns buf. */
char *report_fmt_num(double v, char *buf, size_t n);

#endif
