/*
 * csv.h - RFC 4180 fields: the one writer behind every CSV mlasim writes and
 * the one reader behind every CSV it reads (chart pareto --from, sweep
 * --merge, validate --serving).  The writer has one rule (README, "CSV"): a
 * field is quoted exactly when csv_needs_quotes says so, and written as it
 * is otherwise.
 */
#ifndef MLASIM_CSV_H
#define MLASIM_CSV_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include "sbuf.h"

/*
 * Does s need quoting as a CSV field: does it hold a comma, a double quote,
 * a tab, CR or LF?  (Tab is not special in RFC 4180, but spreadsheets and
 * 'cut' take it for a separator.)  Returns 1 or 0.
 */
int csv_needs_quotes(const char *s);

/*
 * Write s as one CSV field into dst: as it is when it needs no quoting, else
 * between double quotes with each quote doubled.  Writes at most cap - 1
 * bytes and a NUL (cap > 0), like snprintf.  Returns the length the field
 * needs (without the NUL): the caller's buffer was too small when it is >= cap.
 */
size_t csv_field(char *dst, size_t cap, const char *s);

/* csv_field appended to b (b->oom set if it cannot grow). */
void csv_field_add(struct sbuf *b, const char *s);

/*
 * Is the CSV text s, read so far, inside an open quoted field, so that the
 * record goes on past the line break at its end?  RFC 4180 quotes pair up,
 * so it is whether s holds an odd number of double quotes.  Returns 1 or 0.
 */
int csv_record_open(const char *s);

/*
 * Split one CSV record (without its final line break; quoted fields may hold
 * commas, doubled quotes and line breaks) in place into at most max fields:
 * f[i] points into s, unquoted and NUL-terminated.  Returns the number of
 * fields, -1 for an unterminated quoted field, -2 for more than max fields.
 * An empty s is one empty field.
 */
int csv_split(char *s, char **f, int max);

/*
 * Reading a CSV file record by record: a record is a line, and the lines
 * after it while a quoted field is open (csv_record_open).  The caller zeroes
 * the reader, sets f, calls csv_read until it returns -1, then
 * csv_reader_free (which does not close f).
 */
struct csv_reader {
	FILE *f;
	int lines;               /* set: every line is a record (JSON lines: a quote
	                            inside a string is escaped, not paired) */
	char *rec;               /* the record, without its final line break, NUL-terminated */
	char eol[3];             /* the line break it had: "\n", "\r\n", or "" at the end of the file */
	long line;               /* the line the record ends on (1-based) */
	long first_line;         /* the line it starts on */
	char *buf;               /* getline's buffer */
	size_t cap, rcap;
};

/*
 * Read the next record into r->rec; its bytes in the file are r->rec then
 * r->eol.  Returns its length (0 for an empty line), -1 at the end of the
 * file, -2 for a NUL byte in it, -3 when out of memory.  A read error also
 * ends it with -1: the caller checks ferror(r->f).
 */
ssize_t csv_read(struct csv_reader *r);

/* Free r's buffers. */
void csv_reader_free(struct csv_reader *r);

#endif
