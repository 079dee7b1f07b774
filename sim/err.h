/*
 * err.h - how the engine reports failure without printing or exiting.
 *
 * Every engine function that can fail takes a `struct err *` and returns 0 on
 * success or one of the exit codes below.  The message is one line in the
 * style of docs/design.md s8 (lowercase, no final period, subject in single
 * quotes); the CLI prefixes "mlasim: " and prints it.  Only the CLI chooses to exit.
 */
#ifndef MLASIM_ERR_H
#define MLASIM_ERR_H

enum exit_code {
	EXIT_OK = 0,      /* success */
	EXIT_NO = 1,      /* the question has no good answer: does not fit, a validation case failed */
	EXIT_USAGE = 2,   /* bad command line */
	EXIT_INPUT = 3,   /* bad input file or card */
	EXIT_ENV = 4,     /* environment: no GPU, gnuplot missing, cannot write */
};

struct err {
	int code;           /* one of enum exit_code; 0 when no error */
	char msg[600];      /* one line, no trailing newline */
};

/* Record an error in *e (the message cut at 599 bytes); returns `code` so
 * callers can `return err_set(...)`.  A NULL e records nothing. */
int err_set(struct err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* strerror(errnum) with a lowercase first letter, for messages in our style.
 * The text is in a static buffer that the next call overwrites: use it at
 * once (as an err_set argument), and not from two threads. */
const char *err_sys(int errnum);

/* Append " (the value comes from '--set A')" when the message names the key
 * of one of the nsets assignments, so an error is not blamed on the file. */
void err_blame_set(struct err *e, const char *const *sets, int nsets);

#endif
