/*
 * tests/unit/harness.c - the unit tests' checks and runner (harness.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "err.h"
#include "harness.h"

int t_failed;
char t_skip[200];

void check_num_at(double got, double want, double tol, int rel, const char *expr,
		  const char *file, int line)
{
	double lim = rel ? tol * fabs(want) : tol;

	/* got == want first so that equal infinities pass; NAN never passes */
	if (got == want || fabs(got - want) <= lim)
		return;
	t_failed++;
	printf("#   %s:%d: %s\n", file, line, expr);
	printf("#     got %.17g want %.17g (%s tolerance %g)\n", got, want,
	       rel ? "relative" : "absolute", tol);
}

void check_true_at(int cond, const char *expr, const char *file, int line)
{
	if (cond)
		return;
	t_failed++;
	printf("#   %s:%d: CHECK(%s) failed\n", file, line, expr);
}

void check_str_at(const char *got, const char *want, const char *expr, const char *file,
		  int line)
{
	if (got && strcmp(got, want) == 0)
		return;
	t_failed++;
	printf("#   %s:%d: %s\n#     got '%s' want '%s'\n", file, line, expr,
	       got ? got : "(null)", want);
}

void check_contains_at(const char *got, const char *want, const char *expr, const char *file,
		       int line)
{
	if (got && strstr(got, want))
		return;
	t_failed++;
	printf("#   %s:%d: %s\n#     got '%s', which does not contain '%s'\n", file, line,
	       expr, got ? got : "(null)", want);
}

void check_rc_at(int got, int want, const struct err *e, const char *expr, const char *file,
		 int line)
{
	if (got == want)
		return;
	t_failed++;
	printf("#   %s:%d: %s\n#     returned %d, want %d", file, line, expr, got, want);
	if (got)
		printf(" (message: %s)", e->msg);
	printf("\n");
}

int check_ok_at(int rc, const struct err *e, const char *expr, const char *file, int line)
{
	check_rc_at(rc, 0, e, expr, file, line);
	return rc;
}

/* The program's file name without its directory: 'unit' for build/unit. */
static const char *harness_prog(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

	return slash ? slash + 1 : argv0 ? argv0 : "unit";
}

/* Whether 'PROG: NAME' contains one of the npat patterns (all when none). */
static int harness_selected(const char *prog, const char *name, char **pat, int npat)
{
	char full[512];
	int i;

	if (npat == 0)
		return 1;
	snprintf(full, sizeof full, "%s: %s", prog, name);
	for (i = 0; i < npat; i++)
		if (strstr(full, pat[i]))
			return 1;
	return 0;
}

/* Run one test and print its line; returns 1 when it failed. */
static int harness_run(const struct test *t)
{
	t_failed = 0;
	t_skip[0] = 0;
	t->fn();
	if (t_skip[0] && !t_failed)
		printf("skip - %s (%s)\n", t->name, t_skip);
	else
		printf("%s - %s\n", t_failed ? "not ok" : "ok", t->name);
	fflush(stdout);
	return t_failed != 0;
}

int harness_main(int argc, char **argv, const struct suite *const *suites, size_t nsuites)
{
	const char *prog = harness_prog(argc > 0 ? argv[0] : NULL);
	int i, first, list = 0, failed = 0;
	size_t s, k, ran = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-l") == 0) {
			list = 1;
			continue;
		}
		fprintf(stderr, "%s: unknown option '%s'\nusage: %s [-l] [--] [PATTERN...]\n",
			prog, argv[i], prog);
		return 2;
	}
	first = i;
	for (s = 0; s < nsuites; s++)
		for (k = 0; k < suites[s]->n; k++) {
			const struct test *t = &suites[s]->tests[k];

			if (!harness_selected(prog, t->name, argv + first, argc - first))
				continue;
			ran++;
			if (list)
				printf("%s\n", t->name);
			else
				failed += harness_run(t);
		}
	if (!list)
		printf("# %zu tests, %d failed\n", ran, failed);
	return failed ? 1 : 0;
}
