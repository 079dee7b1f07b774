/* kern.c - the time of one kernel call; the formula and its sources are in kern.h */
#include <math.h>
#include "kern.h"
#include "precision.h"

double kern_peak(const struct hw *h, enum dtype dt)
{
	double p = dt == DT_FP8 ? h->gpu.flops_fp8 : dt == DT_FP4 ? h->gpu.flops_fp4 : 0;

	return p > 0 ? p : h->gpu.flops_bf16;
}

/* (a^p + b^p)^(1/p) = hi (1 + r^p)^(1/p), r = lo / hi <= 1, without libm's
 * pow for the exponents the fits choose (2, 3, 4): this runs for every
 * operator of every plan. */
static double kern_blend(double a, double b, double p)
{
	double hi = a > b ? a : b, lo = a > b ? b : a, r, s;

	if (!(lo > 0))
		return hi;
	r = lo / hi;
	switch ((int)p == p ? (int)p : 0) {
	case 1: return hi + lo;
	case 2: return hi * sqrt(1 + r * r);
	case 3: return hi * cbrt(1 + r * r * r);
	case 4: s = r * r; return hi * sqrt(sqrt(1 + s * s));
	default: return hi * pow(1 + pow(r, p), 1 / p);
	}
}

/* ceil(a / b) for any a >= 0: precision.h's fast one below 2^53, ceil()
 * above (a plan's absurd --imbalance can ask for 1e20 tiles). */
static inline double kern_ceil_div(double a, double b)
{
	return a < 9007199254740992.0 ? ceil_div(a, b) : ceil(a / b);
}

double kern_seconds(const struct hw_kernel_eff *k, double peak, double hbm, double sms,
		    const struct kshape *s, double *busy, enum kbound *bound)
{
	double tc = s->flops / (peak * k->compute) + s->elems * k->elem_s, tm = s->bytes / (hbm * k->memory);
	double tk = 0, roof, t;

	if (s->m > 0 && s->n > 0) {
		double tiles = s->groups * kern_ceil_div(s->m, KERN_TILE) * kern_ceil_div(s->n, KERN_TILE);

		if (sms > 0 && tiles > sms)   /* the last wave idles SMs */
			tc *= kern_ceil_div(tiles, sms) * sms / tiles;
		if (k->kblock_s > 0)
			tk = k->kblock_s * kern_ceil_div(s->k, KERN_TILE);
	}
	roof = k->blend > 0 ? kern_blend(tc, tm, k->blend) : tc > tm ? tc : tm;
	t = roof > tk ? roof : tk;
	if (busy)
		*busy = t;
	if (bound)
		*bound = k->t0_s > t || tk >= roof ? KB_LATENCY : tc >= tm ? KB_COMPUTE : KB_MEMORY;
	return t + k->t0_s;
}
