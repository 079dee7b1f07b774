/*
 * fuzz.h - helpers shared by the libFuzzer harnesses in tests/fuzz/.
 *
 * Every harness defines LLVMFuzzerTestOneInput (and LLVMFuzzerInitialize when
 * it needs cards loaded once).  A finding is a crash, a sanitizer report, a
 * timeout, or a broken contract, which the harness reports with FZ_CHECK: it
 * prints what broke on stderr and aborts, so libFuzzer saves the input.
 *
 * The harnesses run from the repository root (make fuzz does): bundled cards
 * are read from models/ and hw/.
 */
#ifndef MLASIM_FUZZ_H
#define MLASIM_FUZZ_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FZ_CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz: %s:%d: contract broken: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		abort(); \
	} \
} while (0)

/* A NUL-terminated copy of the input (the caller frees it). */
static inline char *fz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	return s;
}

/*
 * An engine function returned rc with *e: 0 and no error, or one of the
 * documented exit codes with a one-line message that fits the buffer.
 */
static inline void fz_check_err(int rc, const struct err *e, const char *what)
{
	if (rc == 0)
		return;
	FZ_CHECK(rc == EXIT_USAGE || rc == EXIT_INPUT || rc == EXIT_ENV,
		 "%s returned %d (documented: 0, 2, 3 or 4)", what, rc);
	FZ_CHECK(e->code == rc, "%s returned %d but recorded code %d", what, rc, e->code);
	FZ_CHECK(memchr(e->msg, 0, sizeof e->msg) != NULL, "%s: message not terminated", what);
	FZ_CHECK(e->msg[0] != 0, "%s returned %d with an empty message", what, rc);
}

/* A whole number of a dimension or count: finite, >= lo, integral. */
static inline int fz_whole(double x, double lo)
{
	return isfinite(x) && x >= lo && x == floor(x);
}

#endif
