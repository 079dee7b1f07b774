/* csv.c - see csv.h */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include "csv.h"

int csv_needs_quotes(const char *s)
{
	return strpbrk(s, ",\"\t\r\n") != NULL;
}

size_t csv_field(char *dst, size_t cap, const char *s)
{
	size_t n = 0;

	if (!csv_needs_quotes(s)) {
		n = strlen(s);
		if (cap > 0) {
			size_t k = n < cap - 1 ? n : cap - 1;
			memcpy(dst, s, k);
			dst[k] = 0;
		}
		return n;
	}
	/* the byte at n goes to dst only while there is room for it and the NUL */
#define CSV_PUT(ch) do { if (n + 1 < cap) dst[n] = (ch); n++; } while (0)
	CSV_PUT('"');
	for (; *s; s++) {
		if (*s == '"')
			CSV_PUT('"');
		CSV_PUT(*s);
	}
	CSV_PUT('"');
#undef CSV_PUT
	if (cap > 0)
		dst[n < cap ? n : cap - 1] = 0;
	return n;
}

void csv_field_add(struct sbuf *b, const char *s)
{
	if (!csv_needs_quotes(s)) {
		sbuf_add(b, s, strlen(s));
		return;
	}
	sbuf_add(b, "\"", 1);
	while (*s) {
		size_t run = strcspn(s, "\"");
		sbuf_add(b, s, run);
		s += run;
		if (*s == '"') {
			sbuf_add(b, "\"\"", 2);
			s++;
		}
	}
	sbuf_add(b, "\"", 1);
}

int csv_record_open(const char *s)
{
	int open = 0;

	for (; (s = strchr(s, '"')) != NULL; s++)
		open = !open;
	return open;
}

int csv_split(char *s, char **f, int max)
{
	int n = 0;

	for (;;) {
		char *w = s;
		if (n == max)
			return -2;
		f[n++] = s;
		if (*s == '"') {
			s++;
			for (;;) {
				if (*s == 0)
					return -1;
				if (*s == '"' && s[1] == '"') {
					*w++ = '"';
					s += 2;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					*w++ = *s++;
				}
			}
			/* text after the closing quote ("a"b) is kept, as most readers do */
			while (*s && *s != ',')
				*w++ = *s++;
		} else {
			while (*s && *s != ',')
				s++;
			w = s;
		}
		if (*s == 0) {
			*w = 0;
			return n;
		}
		*w = 0;
		s++;
	}
}

ssize_t csv_read(struct csv_reader *r)
{
	size_t have = 0, k = 0;
	ssize_t len;

	r->first_line = r->line + 1;
	while ((len = getline(&r->buf, &r->cap, r->f)) >= 0) {
		r->line++;
		if ((size_t)len != strlen(r->buf))
			return -2;
		if (have + (size_t)len + 1 > r->rcap) {
			size_t ncap = 2 * (have + (size_t)len + 1);
			char *p = realloc(r->rec, ncap);
			if (!p)
				return -3;
			r->rec = p;
			r->rcap = ncap;
		}
		memcpy(r->rec + have, r->buf, (size_t)len + 1);
		have += (size_t)len;
		if (r->lines || !csv_record_open(r->rec))
			break;
	}
	if (have == 0 && len < 0)
		return -1;
	/* the final line break, kept so that a copy of the record is byte for byte */
	while (have > 0 && k < 2 && (r->rec[have - 1] == '\n' || r->rec[have - 1] == '\r')) {
		k++;
		have--;
	}
	memcpy(r->eol, r->rec + have, k);
	r->eol[k] = 0;
	r->rec[have] = 0;
	return (ssize_t)have;
}

void csv_reader_free(struct csv_reader *r)
{
	free(r->buf);
	free(r->rec);
	r->buf = r->rec = NULL;
	r->cap = r->rcap = 0;
}
