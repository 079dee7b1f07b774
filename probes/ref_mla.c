/*
 * ref_mla.c - reference absorbed-MLA decode over a paged latent cache and the
 * split-KV combine (see ref.h).  The CUDA kernel in mla_decode.cu computes the
 * same thing tile by tile with an online softmax; this one scores every token
 * of a range first, then normalises, so the two share no code.
 * Build: compiled into build/mlasim-probe and build/unit_probes.
 */
#include <math.h>
#include <stdlib.h>
#include "ref.h"

#define LOG2E 1.4426950408889634

/* The cached latent of token t of request b: page block_table[b][t/page]. */
static const float *ref_mla_token(const struct ref_mla *p, int b, int t)
{
	int pg = p->block_table[(size_t)b * p->max_pages + t / p->page];

	return p->kv + ((size_t)pg * p->page + t % p->page) * p->d_k;
}

int ref_mla_partial(const struct ref_mla *p, int b, int t0, int t1, float *o, float *lse2)
{
	int rows = p->s_q * p->h_q, r, t, d, n = t1 - t0;
	double *s, *acc;

	if (n <= 0) {
		for (r = 0; r < rows; r++) {
			lse2[r] = -INFINITY;
			for (d = 0; d < p->d_v; d++)
				o[(size_t)r * p->d_v + d] = 0;
		}
		return 0;
	}
	s = malloc(sizeof *s * (size_t)n);
	acc = malloc(sizeof *acc * (size_t)p->d_v);
	if (!s || !acc) {
		free(s);
		free(acc);
		return -1;
	}
	for (r = 0; r < rows; r++) {
		/* row r = query token r / h_q, head r % h_q: q is [B][s_q][h_q][d_k] */
		const float *q = p->q + ((size_t)b * rows + r) * p->d_k;
		double mx = -INFINITY, l = 0;
		for (t = 0; t < n; t++) {
			const float *k = ref_mla_token(p, b, t0 + t);
			s[t] = 0;
			for (d = 0; d < p->d_k; d++)
				s[t] += (double)q[d] * k[d];
			s[t] *= p->scale * LOG2E;           /* base-2 logit */
			if (s[t] > mx)
				mx = s[t];
		}
		for (d = 0; d < p->d_v; d++)
			acc[d] = 0;
		for (t = 0; t < n; t++) {
			const float *v = ref_mla_token(p, b, t0 + t);
			double w = exp2(s[t] - mx);
			l += w;
			for (d = 0; d < p->d_v; d++)
				acc[d] += w * v[d];
		}
		for (d = 0; d < p->d_v; d++)
			o[(size_t)r * p->d_v + d] = (float)(acc[d] / l);
		lse2[r] = (float)(mx + log2(l));
	}
	free(s);
	free(acc);
	return 0;
}

void ref_mla_combine(int n, int rows, int d_v, const float *lse2_in, const float *o_in,
		     float *out, float *lse2_out)
{
	int r, i, d;

	for (r = 0; r < rows; r++) {
		double mx = -INFINITY, sum = 0, lse;
		for (i = 0; i < n; i++)
			if (lse2_in[(size_t)i * rows + r] > mx)
				mx = lse2_in[(size_t)i * rows + r];
		for (d = 0; d < d_v; d++)
			out[(size_t)r * d_v + d] = 0;
		if (mx == -INFINITY) {          /* every split empty */
			if (lse2_out)
				lse2_out[r] = -INFINITY;
			continue;
		}
		for (i = 0; i < n; i++)
			sum += exp2(lse2_in[(size_t)i * rows + r] - mx);
		lse = mx + log2(sum);
		for (i = 0; i < n; i++) {
			double w = exp2(lse2_in[(size_t)i * rows + r] - lse);
			const float *oi = o_in + ((size_t)i * rows + r) * d_v;
			for (d = 0; d < d_v; d++)
				out[(size_t)r * d_v + d] += (float)(w * oi[d]);
		}
		if (lse2_out)
			lse2_out[r] = (float)lse;
	}
}

int ref_mla_decode(const struct ref_mla *p, float *out, float *lse)
{
	int rows = p->s_q * p->h_q, b, r;
	float *l2 = malloc(sizeof *l2 * (size_t)rows);

	if (!l2)
		return -1;
	for (b = 0; b < p->batch; b++) {
		if (ref_mla_partial(p, b, 0, p->seqlens[b], out + (size_t)b * rows * p->d_v, l2)) {
			free(l2);
			return -1;
		}
		if (lse)
			for (r = 0; r < rows; r++)
				lse[(size_t)b * rows + r] = (float)(l2[r] / LOG2E);
	}
	free(l2);
	return 0;
}

double ref_mla_flops(int batch, int s_q, int h_q, int d_k, int d_v, const int *seqlens)
{
	double tokens = 0;
	int b;

	for (b = 0; b < batch; b++)
		tokens += seqlens[b];
	return (double)h_q * s_q * tokens * 2.0 * (d_k + d_v);
}

double ref_mla_bytes(int batch, int s_q, int h_q, int d_k, int d_v, const int *seqlens,
		     double kv_bytes_per_token)
{
	double bytes = 0;
	int b;

	for (b = 0; b < batch; b++)
		bytes += (double)s_q * h_q * d_k * 2 + seqlens[b] * kv_bytes_per_token +
			 (double)s_q * h_q * d_v * 2;
	return bytes;
}
