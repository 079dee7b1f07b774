/*
 * sbuf.h - a growable string: every report is built in memory first, so that a
 * file written with -o appears whole or not at all.
 */
#ifndef MLASIM_SBUF_H
#define MLASIM_SBUF_H

#include <stddef.h>

struct sbuf {
	char *data;      /* NUL-terminated; NULL until something is added */
	size_t len, cap;
	int oom;         /* an allocation failed: the content is incomplete */
};

/* Append printf-style text.  On allocation failure sets b->oom and drops it,
 * and every later append to b (check oom once, before using data). */
void sbuf_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append len bytes of s (NUL bytes too); on allocation failure as sbuf_printf. */
void sbuf_add(struct sbuf *b, const char *s, size_t len);

/* Free the buffer and reset it to empty. */
void sbuf_free(struct sbuf *b);

#endif
