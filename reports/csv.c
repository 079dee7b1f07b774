/* csv.c - see csv.h */
#include <string.h>
#include "csv.h"

int csv_needs_quotes(const char *s)
{
	return strpbrk(s, ",\"\t\r\n") != NULL;
}

size_t csv_field(char *dst, size_t cap, const char *s, int always)
{
	size_t n = 0;

	if (!always && !csv_needs_quotes(s)) {
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

void csv_field_add(struct sbuf *b, const char *s, int always)
{
	if (!always && !csv_needs_quotes(s)) {
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
