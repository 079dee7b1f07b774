/*
 * units.h - one parser for every number a user types, one formatter for every
 * size mlasim prints.
 *
 * Suffix table (case-sensitive where it matters: b = bit, B = byte):
 *   counts  k = 1e3, M = 1e6, G = 1e9, T = 1e12;  Ki = 2^10, Mi = 2^20, Gi = 2^30
 *           ("128k" tokens = 128 000, "128Ki" = 131 072)
 *   bytes   B; KB MB GB TB PB = 1e3..1e15; KiB MiB GiB TiB = 2^10..2^40
 *           ("80GB" = 8e10 bytes; a bare number is bytes)
 *   rates   KB/s MB/s GB/s TB/s (bytes per second);  Kb/s Mb/s Gb/s Tb/s (bits
 *           per second, divided by 8: "400Gb/s" = 5e10 B/s); a bare number is B/s
 *   times   s, ms = 1e-3 s, us (or µs) = 1e-6 s; a bare number is seconds
 * Numbers are decimal (no hex, no nan, no inf), finite and not negative.
 */
#ifndef MLASIM_UNITS_H
#define MLASIM_UNITS_H

#include <stddef.h>
#include "err.h"

enum unit_kind {
	UNIT_PLAIN,   /* a bare number, no suffix */
	UNIT_COUNT,   /* tokens, sequences: k M G Ki Mi Gi */
	UNIT_BYTES,   /* bytes: B KB GB KiB GiB ... */
	UNIT_RATE,    /* bytes per second: GB/s, Gb/s ... */
	UNIT_TIME,    /* seconds: s ms us */
};

/* Largest value any parsed quantity may take: beyond this a size is absurd
 * for a planner (1e24 bytes is a million exabytes) and products may overflow. */
#define UNITS_MAX 1e24

/*
 * Parse `s` as a quantity of `kind` into *out (SI: count, bytes, bytes/s,
 * seconds).  `what` names the option or key for the error message.  Returns
 * 0, or EXIT_USAGE (a NULL or empty s too) with a message like "'--context'
 * expects a count such as 4096, 128k or 128Ki, got 'x'", *out untouched.
 */
int units_parse(const char *s, enum unit_kind kind, const char *what,
		double *out, struct err *e);

/*
 * Parse a comma-separated list ("4k,32k,128k") of at most `max` quantities
 * into out[0..max-1], each as units_parse.  Returns 0 and sets *n, or
 * EXIT_USAGE leaving *n untouched (out[] may be partly written).
 */
int units_parse_list(const char *s, enum unit_kind kind, const char *what,
		     double *out, int max, int *n, struct err *e);

/*
 * Format `bytes` for people into buf of n bytes: decimal ("70.272 KB") or
 * binary ("68.625 KiB") with 3 decimals, the unit stepping up at 1000 (1024)
 * up to EB (EiB); below one KB (KiB) whole bytes ("512 B").  Returns buf.
 */
char *units_fmt_bytes(double bytes, int binary, char *buf, size_t n);

/* Format a token count compactly into buf of n bytes, with the first suffix
 * of M, Mi, k, Ki that divides it: 4096 -> "4Ki", 128000 -> "128k", 100 ->
 * "100".  Returns buf. */
char *units_fmt_count(double count, char *buf, size_t n);

#endif
