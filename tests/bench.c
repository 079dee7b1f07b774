/*
 * bench.c - how fast the engine sizes a deployment.
 *
 * Prints in-process plan_compute() evaluations per second for DeepSeek-V3 on
 * H800 (memory plan, a deployment varied each call so nothing is hoisted),
 * single-threaded.  Target (issue "Foundation"): at least 1,000,000 per second.
 * Usage: build/bench [seconds]   (run from the repository root)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "plan.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	static struct plan p;
	struct model m;
	struct hw h;
	struct params pc;
	struct deployment d;
	struct err e = {0, ""};
	double seconds = argc > 1 ? atof(argv[1]) : 1.0, t0, t, sink = 0;
	long n = 0;
	static const double dps[] = {1, 2, 4, 8, 16, 32};

	if (model_load("models/deepseek-v3.json", NULL, 0, &m, &e) ||
	    hw_load("hw/h800-sxm.json", NULL, 0, &h, &e)) {
		fprintf(stderr, "bench: %s\n", e.msg);
		return 1;
	}
	params_count(&m, &pc);
	plan_default_deployment(&m, &d);
	t0 = now();
	do {
		int i;
		for (i = 0; i < 1000; i++, n++) {
			d.dp = dps[n % 6];
			d.ep = d.dp;
			d.context = 1024 + (double)(n % 64) * 512;
			if (plan_compute(&m, &h, &d, &pc, &p, &e)) {
				fprintf(stderr, "bench: %s\n", e.msg);
				return 1;
			}
			sink += p.mem.max_sequences_per_gpu;
		}
		t = now() - t0;
	} while (t < seconds);
	printf("bench: plan_compute (memory + decode + prefill, DeepSeek-V3 on H800): %.0f evaluations/s on one core (%.2f us each, %ld in %.2f s; target >= 1,000,000/s)\n",
	       n / t, t / n * 1e6, n, t);
	return sink < 0;   /* keep the results alive */
}
