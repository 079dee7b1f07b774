/*
 * tests/unit/main.c - build/unit: the unit tests of the mlasim engine
 * (libmlasim.a), one suite per area, each in its own file.  'build/unit -l'
 * lists the tests, 'build/unit PATTERN' runs those whose name contains it
 * (harness.h); tests/run.sh runs them all.
 */
#include "unit.h"

static const struct suite *const suites[] = {
	&suite_units, &suite_precision, &suite_kv, &suite_params, &suite_memory, &suite_cards,
	&suite_perf, &suite_net, &suite_calib, &suite_serve, &suite_reports,
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, suites, sizeof suites / sizeof suites[0]);
}
