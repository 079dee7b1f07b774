/*
 * fuzz_silicon.c - the silicon-sample reader: silicon_parse() on any text,
 * then silicon_map() of every row it returns, both sides, as a dense and as
 * a MoE model.  A parse gives rows with their line numbers or a documented
 * error; a mapped row gives a card pair, an even list of option words whose
 * numbers read back as finite, and a concurrency of at least 1.
 */
#include <stdlib.h>
#include "fuzz.h"
#include "silicon.h"

static void fz_check_args(const struct silicon_args *a)
{
	int i;

	FZ_CHECK(a->model && a->hw, "a mapped row without its cards");
	FZ_CHECK(a->argc % 2 == 0 && a->argc <= SILICON_MAX_ARGS, "argc %d", a->argc);
	for (i = 0; i < a->argc; i += 2) {
		FZ_CHECK(a->argv[i][0] == '-' && a->argv[i][1] == '-', "option word '%s'", a->argv[i]);
		FZ_CHECK(a->argv[i + 1] && a->argv[i + 1][0], "%s without a value", a->argv[i]);
	}
	FZ_CHECK(isfinite(a->concurrency) && a->concurrency >= 1, "concurrency %g", a->concurrency);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct silicon_row *rows = NULL;
	struct silicon_args a;
	struct err e = {0};
	char *s = fz_str(data, size);
	int n = -1, rc, i, side, moe;

	rc = silicon_parse(s, "fuzz.csv", &rows, &n, &e);
	fz_check_err(rc, &e, "silicon_parse");
	FZ_CHECK(rc == 0 || rc == EXIT_INPUT || rc == EXIT_ENV, "silicon_parse returned %d", rc);
	FZ_CHECK(rc != 0 || (n >= 0 && n <= SILICON_MAX_ROWS), "%d rows", n);
	for (i = 0; rc == 0 && i < n; i++) {
		FZ_CHECK(rows[i].line >= 2, "row %d at line %d", i, rows[i].line);
		FZ_CHECK(!i || rows[i].line > rows[i - 1].line, "lines out of order");
		for (side = 0; side < 2; side++)
			for (moe = 0; moe < 2; moe++) {
				const char *why = silicon_map(&rows[i], (enum silicon_side)side, moe, &a);

				if (!why)
					fz_check_args(&a);
				else
					FZ_CHECK(why[0], "an empty reason");
			}
		(void)silicon_bucket(rows[i].agg.batch);
	}
	free(rows);
	free(s);
	return 0;
}
