/*
 * precision.h - bytes of a weight matrix and of a KV-cache element in each
 * storage format mlasim knows.
 *
 * Weight formats (a matrix of `rows` outputs x `cols` inputs, PyTorch layout):
 *   bf16, fp16   2 B per element
 *   fp32         4 B per element
 *   fp8          1 B per element + one fp32 scale per tensor
 *   fp8-block    1 B per element + one fp32 scale per 128x128 block
 *                (DeepSeek-V3 checkpoint, quantization_config weight_block_size)
 *   int8         1 B per element + one fp32 scale per output row
 *   nvfp4        0.5 B per element + one fp8 E4M3 scale per 16 inputs + one
 *                fp32 scale per tensor (NVIDIA NVFP4 layout)
 *   mxfp4        0.5 B per element + one E8M0 scale byte per 32 inputs (OCP MX v1.0)
 *   int4[:gN]    0.5 B per element + one bf16 scale per group of N inputs
 *                (symmetric; default N = 128, as GPTQ/AWQ checkpoints commonly use)
 */
#ifndef MLASIM_PRECISION_H
#define MLASIM_PRECISION_H

#include <math.h>
#include "err.h"

enum wfmt {
	WF_BF16, WF_FP16, WF_FP32, WF_FP8, WF_FP8_BLOCK, WF_INT8, WF_NVFP4,
	WF_MXFP4, WF_INT4, WF_FORMATS,
};

struct wprec {
	enum wfmt fmt;
	double group;        /* int4 group size */
	char name[24];       /* as the user wrote it, normalised */
};

/* Parse a weight format name into *p.  Returns 0, or EXIT_USAGE naming
 * `what` for a name it does not know (NULL reads as ""); *p is then no format. */
int precision_parse_weights(const char *s, const char *what, struct wprec *p,
			    struct err *e);

/* ceil(a / b) for a >= 0, b > 0 below 2^53, without a libm call: this runs
 * for every tensor of every plan (a million plans a second). */
static inline double ceil_div(double a, double b)
{
	double q = (double)(long long)(a / b);

	return q * b < a ? q + 1 : q;
}

/* fmin() and fmax() as glibc's compute them, without the libm call (they
 * run several times in every plan): a NaN operand gives the other, and of
 * two equal operands (+0 and -0 too) the second. */
static inline double num_min(double a, double b)
{
	return a < b || isnan(b) ? a : b;
}

static inline double num_max(double a, double b)
{
	return a > b || isnan(b) ? a : b;
}

/* Bytes to store a rows x cols matrix in format p, scales included.
 * Inline: it runs for every tensor and operator of every plan. */
static inline double precision_matrix_bytes(const struct wprec *p, double rows, double cols)
{
	double n = rows * cols;

	switch (p->fmt) {
	case WF_BF16: case WF_FP16: return 2 * n;
	case WF_FP32: return 4 * n;
	case WF_FP8: return n + 4;
	case WF_FP8_BLOCK: return n + 4 * ceil_div(rows, 128) * ceil_div(cols, 128);
	case WF_INT8: return n + 4 * rows;
	case WF_NVFP4: return n / 2 + rows * ceil_div(cols, 16) + 4;
	case WF_MXFP4: return n / 2 + rows * ceil_div(cols, 32);
	case WF_INT4: return n / 2 + 2 * rows * ceil_div(cols, p->group);
	case WF_FORMATS: break;
	}
	return 2 * n;
}


/* Bits per element of the matrix payload alone (16, 8, 4), scales excluded. */
double precision_weight_bits(const struct wprec *p);

/*
 * KV-cache formats: a bit width per element ("bf16" 16, "fp8" 8, "bits:6" 6,
 * any width from 1 to 64), or "fp8-flashmla": FlashMLA's FP8 MLA layout, per
 * token per layer dc fp8 latent values + one fp32 scale per 128 of them +
 * dr bf16 RoPE values (656 B for dc 512, dr 64).
 */
struct kvfmt {
	double bits;         /* per element; for flashmla the latent's 8 */
	int flashmla;
	char name[40];
};

/* Parse a KV format into *k.  Returns 0, or EXIT_USAGE naming `what` for a
 * name it does not know (NULL reads as ""); *k is then no format. */
int precision_parse_kv(const char *s, const char *what, struct kvfmt *k,
		       struct err *e);

#endif
