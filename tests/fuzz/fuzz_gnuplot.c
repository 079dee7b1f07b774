/*
 * fuzz_gnuplot.c - the gnuplot string writer, gnuplot_str(): every string a
 * card, a file name or an option puts into a .gp script goes through it.  The
 * property: the expression it writes evaluates, by gnuplot's rules, back to
 * exactly the input, and every byte of the input sits inside a single-quoted
 * string (where gnuplot substitutes no `command` and no @macro and ends no
 * line).  Outside the quotes there is only what the writer itself adds: '.'
 * joins and double-quoted three-digit octal escapes of control bytes.  The
 * input is the text, up to its first NUL (C strings have none).
 */
#include "fuzz.h"
#include "gnuplot.h"
#include "sbuf.h"

/* A byte that would end or break a single-quoted gnuplot string's line. */
static int fz_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * Evaluate the expression q of the grammar
 *   expr  := piece ('.' piece)*
 *   piece := "'" (any byte but "'" and control bytes | "''")* "'"
 *          | '"' '\' octal octal octal '"'      (a control byte)
 * into out (room for strlen(q) + 1 bytes).  Aborts on anything else.
 */
static void fz_unquote(const char *q, char *out)
{
	size_t o = 0;
	const char *p = q;

	for (;;) {
		if (*p == '\'') {
			for (p++;; p++) {
				FZ_CHECK(*p != 0, "'%s': unterminated single quote", q);
				FZ_CHECK(!fz_control((unsigned char)*p), "'%s': control byte 0x%02x inside quotes",
					 q, (unsigned char)*p);
				if (*p == '\'') {
					if (p[1] != '\'')
						break;
					p++;            /* '' is one quote */
				}
				out[o++] = *p;
			}
			p++;
		} else if (*p == '"') {
			unsigned v;
			FZ_CHECK(p[1] == '\\' && p[2] >= '0' && p[2] <= '3' && p[3] >= '0' && p[3] <= '7' &&
				 p[4] >= '0' && p[4] <= '7' && p[5] == '"', "'%s': not an octal escape at '%s'", q, p);
			v = (unsigned)(p[2] - '0') * 64 + (unsigned)(p[3] - '0') * 8 + (unsigned)(p[4] - '0');
			FZ_CHECK(v != 0 && fz_control((unsigned char)v), "'%s': escape of 0x%02x, not a control byte",
				 q, v);
			out[o++] = (char)v;
			p += 6;
		} else {
			FZ_CHECK(0, "'%s': '%c' outside a string", q, *p ? *p : '0');
		}
		if (*p == 0)
			break;
		FZ_CHECK(*p == '.', "'%s': '%c' between strings (expected '.')", q, *p);
		p++;
	}
	out[o] = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf b = {0}, f = {0};
	char *s = fz_str(data, size), *back;
	size_t cut = strlen(s) / 2;
	char ext[8];

	gnuplot_str(&b, s);
	FZ_CHECK(!b.oom && b.data, "gnuplot_str wrote nothing for '%s'", s);
	back = malloc(b.len + 1);
	if (!back)
		abort();
	fz_unquote(b.data, back);
	FZ_CHECK(strcmp(back, s) == 0, "'%s' unquotes to '%s', not the input", b.data, back);
	FZ_CHECK(*s || strcmp(b.data, "''") == 0, "the empty string is written '%s'", b.data);

	/* gnuplot_file(base, ext) is gnuplot_str(base ext) */
	snprintf(ext, sizeof ext, "%.7s", s + cut);
	s[cut] = 0;
	gnuplot_file(&f, s, ext);
	fz_unquote(f.data, back);
	FZ_CHECK(strncmp(back, s, cut) == 0 && strcmp(back + cut, ext) == 0,
		 "gnuplot_file('%s', '%s') unquotes to '%s'", s, ext, back);
	sbuf_free(&b);
	sbuf_free(&f);
	free(back);
	free(s);
	return 0;
}
