/* kern.c - the peak a kernel runs against; kern_seconds() is inline in kern.h */
#include <math.h>
#include "kern.h"

double kern_peak(const struct hw *h, enum dtype dt)
{
	double p = dt == DT_FP8 ? h->gpu.flops_fp8 : dt == DT_FP4 ? h->gpu.flops_fp4 : 0;

	return p > 0 ? p : h->gpu.flops_bf16;
}

