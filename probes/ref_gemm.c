/*
 * ref_gemm.c - reference GEMMs for the cuBLASLt probes (see ref.h).
 * Build: compiled into build/mlasim-probe and build/unit_probes.
 */
#include "ref.h"

double ref_dot(int K, const float *a, const float *b)
{
	double s = 0;
	int k;

	for (k = 0; k < K; k++)
		s += (double)a[k] * b[k];
	return s;
}

void ref_gemm_tn(int M, int N, int K, const float *x, const float *w, float *y)
{
	int m, n;

	for (m = 0; m < M; m++)
		for (n = 0; n < N; n++)
			y[(size_t)m * N + n] = (float)ref_dot(K, x + (size_t)m * K, w + (size_t)n * K);
}

double ref_fp8_block_dot(int K, const uint8_t *x_row, const float *x_scale,
			 const uint8_t *w_row, const float *w_scale)
{
	double total = 0;
	int kb, k;

	for (kb = 0; kb * 128 < K; kb++) {
		double s = 0;
		int end = K < (kb + 1) * 128 ? K : (kb + 1) * 128;
		for (k = kb * 128; k < end; k++)
			s += (double)ref_e4m3_decode(x_row[k]) * ref_e4m3_decode(w_row[k]);
		total += (double)x_scale[kb] * w_scale[kb] * s;
	}
	return total;
}
