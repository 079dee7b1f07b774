/*
 * tests/unit/harness.h - the harness of mlasim's C unit tests: checks that
 * count what failed and say why, and a runner that prints one line per test.
 * build/unit (the files of tests/unit/) and build/unit_probes
 * (tests/unit_probes.c) both use it.
 *
 * A test is a function of no arguments listed, with its name, in a table of
 * struct test; a suite is one such table (one area of the engine).  A test
 * passes when none of its checks failed.  It may set t_skip to a reason and
 * return: it is then reported as skipped (unless a check failed first).
 *
 * Output (read by tests/run.sh): one line per test, 'ok - NAME',
 * 'not ok - NAME' or 'skip - NAME (REASON)'; each failed check is explained
 * on lines starting with '#', naming its file and line.
 */
#ifndef MLASIM_TESTS_HARNESS_H
#define MLASIM_TESTS_HARNESS_H

#include <stddef.h>

struct err;

extern int t_failed;       /* checks that failed in the running test */
extern char t_skip[200];   /* set by a test: it is skipped, and why */

/* Failed when |got - want| exceeds tol (rel: tol x |want|); equal values,
 * equal infinities included, pass; NAN never does. */
void check_num_at(double got, double want, double tol, int rel, const char *expr,
		  const char *file, int line);
/* Failed when cond is 0. */
void check_true_at(int cond, const char *expr, const char *file, int line);
/* Failed when got is NULL or differs from want. */
void check_str_at(const char *got, const char *want, const char *expr, const char *file,
		  int line);
/* Failed when got is NULL or does not contain want. */
void check_contains_at(const char *got, const char *want, const char *expr, const char *file,
		       int line);
/* Failed when an engine call returned got, not want; says e->msg when got is
 * not 0. */
void check_rc_at(int got, int want, const struct err *e, const char *expr, const char *file,
		 int line);
/* check_rc_at(rc, 0, ...); returns rc, so that dependent checks can be
 * skipped: if (CHECK_OK(call, &e)) return; */
int check_ok_at(int rc, const struct err *e, const char *expr, const char *file, int line);

/* Exact: integer counts, bytes, tokens (all < 2^53, held exactly in double). */
#define CHECK_EQ(got, want) check_num_at((got), (want), 0, 0, #got " == " #want, __FILE__, __LINE__)
/* Absolute tolerance. */
#define CHECK_NEAR(got, want, tol) \
	check_num_at((got), (want), (tol), 0, #got " ~ " #want, __FILE__, __LINE__)
/* Relative tolerance (fraction of want). */
#define CHECK_REL(got, want, rel) \
	check_num_at((got), (want), (rel), 1, #got " ~ " #want, __FILE__, __LINE__)
#define CHECK(cond) check_true_at(!!(cond), #cond, __FILE__, __LINE__)
#define CHECK_STR(got, want) check_str_at((got), (want), #got, __FILE__, __LINE__)
#define CHECK_CONTAINS(got, want) \
	check_contains_at((got), (want), #got " contains " #want, __FILE__, __LINE__)
#define CHECK_RC(call, want, e) check_rc_at((call), (want), (e), #call, __FILE__, __LINE__)
#define CHECK_OK(call, e) check_ok_at((call), (e), #call, __FILE__, __LINE__)

struct test {
	const char *name;
	void (*fn)(void);
};

/* The tests of one area, in the order they run. */
struct suite {
	const char *name;
	const struct test *tests;
	size_t n;
};

/*
 * Run the tests of suites[0..nsuites-1], in order, and print a line for each
 * (above), then '# N tests, N failed'.  Arguments:
 *
 *   PATTERN...   run only the tests whose name, as tests/run.sh prints it
 *                ('unit: NAME': the program's own file name, ': ', the
 *                test's), contains one of the patterns (case-sensitive)
 *   -l           list those names instead of running them
 *   --           what follows is a pattern, even when it starts with '-'
 *
 * Returns the exit status: 0 when no test failed, 1 when one did, 2 for an
 * option it does not know (after saying so on stderr).
 */
int harness_main(int argc, char **argv, const struct suite *const *suites, size_t nsuites);

#endif
