/*
 * ref_fp8.c - FP8 E4M3 and BF16 rounding in plain C (see ref.h).
 * Build: compiled into build/mlasim-probe and build/unit_probes.
 */
#include <math.h>
#include <string.h>
#include "ref.h"

float ref_e4m3_decode(uint8_t b)
{
	int sign = b >> 7, e = (b >> 3) & 15, m = b & 7;
	float v;

	if (e == 15 && m == 7)
		return NAN;
	/* subnormal: m/8 * 2^-6 = m * 2^-9; normal: (1 + m/8) 2^(e-7) = (8 + m) 2^(e-10) */
	v = e == 0 ? ldexpf((float)m, -9) : ldexpf((float)(8 + m), e - 10);
	return sign ? -v : v;
}

uint8_t ref_e4m3_encode(float x)
{
	uint8_t sign = signbit(x) ? 0x80 : 0;
	double a = fabs((double)x), q;
	int ex, e;

	if (isnan(x))
		return 0x7F;
	if (a >= 448)
		return sign | 0x7E;
	if (a < 0x1p-6) {
		/* subnormal grid of 2^-9; q == 8 is the smallest normal, code 0x08 */
		q = rint(a * 512);          /* rint: the default mode, nearest even */
		return sign | (uint8_t)q;
	}
	frexp(a, &ex);                      /* a = f 2^ex, f in [0.5, 1) */
	e = ex - 1;                         /* a = (1 + m/8) 2^e */
	q = rint((ldexp(a, -e) - 1) * 8);   /* exact: a is a float */
	if (q == 8) {
		q = 0;
		e++;
	}
	if (e + 7 > 15 || (e + 7 == 15 && q == 7))
		return sign | 0x7E;         /* cannot happen below 448; kept for safety */
	return sign | (uint8_t)(((e + 7) << 3) | (int)q);
}

uint16_t ref_bf16_encode(float x)
{
	uint32_t u;

	memcpy(&u, &x, sizeof u);
	if (isnan(x))
		return (uint16_t)((u >> 16) | 0x40);   /* keep it a (quiet) NaN */
	u += 0x7FFF + ((u >> 16) & 1);
	return (uint16_t)(u >> 16);
}

float ref_bf16_decode(uint16_t h)
{
	uint32_t u = (uint32_t)h << 16;
	float x;

	memcpy(&x, &u, sizeof x);
	return x;
}

float ref_bf16_round(float x)
{
	return ref_bf16_decode(ref_bf16_encode(x));
}
