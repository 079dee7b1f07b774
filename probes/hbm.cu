/*
 * hbm.cu - probe P2 'hbm' (docs/probes.md s6): memory bandwidth from
 * L2-resident sizes to many GB, STREAM-style (McCalpin; BabelStream), our
 * own kernels on 16-byte float4 accesses, fully coalesced, grid-stride:
 *
 *   read   sum = sum a          (a per-thread partial is written, so the
 *                                loads cannot be dropped)          1 array
 *   write  a = v                                                   1 array
 *   copy   b = a                                                   2 arrays
 *   scale  b = s a                                                 2 arrays
 *   add    c = a + b                                               3 arrays
 *   triad  a = b + s c  (common.cu's kernel, power.cu's too)       3 arrays
 *   memcpy cudaMemcpyAsync device to device (the copy engine)      2 arrays
 *
 * Bytes counted: every array read plus every array written (STREAM and
 * BabelStream; nvbandwidth counts the copy size only, which is half for
 * copy: memcpy records give both).  Sizes 256 KiB to 4 GiB per array in x2
 * steps (x4 up to 1 GiB with --quick), skipping what does not fit; block
 * sizes 256, 512 and 1024, the fastest kept.  Back-to-back calls: small
 * arrays stay in L2 (the L2 plateau), arrays >= 4 x L2 measure HBM.
 * Each kernel is checked on 1 MiB against the values it must produce.
 *
 * Build: 'make probes' (probes/probes.mk) compiles it with
 *   nvcc -std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -gencode arch=compute_100,code=sm_100 \
 *        -gencode arch=compute_90,code=compute_90 -Isim -Iprobes -c probes/hbm.cu
 * and links build/mlasim-probe with -lcublasLt -ldl -lpthread -lcjson.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.cuh"

enum { H_READ, H_WRITE, H_COPY, H_SCALE, H_ADD, H_TRIAD, H_MEMCPY, H_KINDS };
static const char *const kname[H_KINDS] = {"read", "write", "copy", "scale", "add", "triad", "memcpy"};
static const int n_read[H_KINDS] = {1, 0, 1, 1, 2, 2, 1}, n_write[H_KINDS] = {0, 1, 1, 1, 1, 1, 1};

#define SCALAR 3.0f

__global__ void k_read(const float4 *__restrict__ a, size_t n, float *__restrict__ partial)
{
	size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x, stride = (size_t)gridDim.x * blockDim.x;
	float4 s = make_float4(0, 0, 0, 0);

	for (; i < n; i += stride) {
		float4 v = a[i];
		s.x += v.x;
		s.y += v.y;
		s.z += v.z;
		s.w += v.w;
	}
	partial[blockIdx.x * (size_t)blockDim.x + threadIdx.x] = s.x + s.y + s.z + s.w;
}

__global__ void k_write(float4 *__restrict__ a, size_t n, float v)
{
	size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x, stride = (size_t)gridDim.x * blockDim.x;

	for (; i < n; i += stride)
		a[i] = make_float4(v, v, v, v);
}

__global__ void k_copy(const float4 *__restrict__ a, float4 *__restrict__ b, size_t n)
{
	size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x, stride = (size_t)gridDim.x * blockDim.x;

	for (; i < n; i += stride)
		b[i] = a[i];
}

__global__ void k_scale(const float4 *__restrict__ a, float4 *__restrict__ b, size_t n, float s)
{
	size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x, stride = (size_t)gridDim.x * blockDim.x;

	for (; i < n; i += stride) {
		float4 v = a[i];
		b[i] = make_float4(s * v.x, s * v.y, s * v.z, s * v.w);
	}
}

__global__ void k_add(const float4 *__restrict__ a, const float4 *__restrict__ b, float4 *__restrict__ c,
		      size_t n)
{
	size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x, stride = (size_t)gridDim.x * blockDim.x;

	for (; i < n; i += stride) {
		float4 x = a[i], y = b[i];
		c[i] = make_float4(x.x + y.x, x.y + y.y, x.z + y.z, x.w + y.w);
	}
}

struct hbm_ctx {
	int kind;
	float4 *a, *b, *c;
	float *partial;
	size_t n4;                 /* float4 elements per array */
	unsigned block, grid;
};

static int hbm_launch(struct run *r, void *p)
{
	struct hbm_ctx *x = (struct hbm_ctx *)p;

	switch (x->kind) {
	case H_READ: k_read<<<x->grid, x->block, 0, r->stream>>>(x->a, x->n4, x->partial); break;
	case H_WRITE: k_write<<<x->grid, x->block, 0, r->stream>>>(x->a, x->n4, 1.0f); break;
	case H_COPY: k_copy<<<x->grid, x->block, 0, r->stream>>>(x->a, x->b, x->n4); break;
	case H_SCALE: k_scale<<<x->grid, x->block, 0, r->stream>>>(x->a, x->b, x->n4, SCALAR); break;
	case H_ADD: k_add<<<x->grid, x->block, 0, r->stream>>>(x->a, x->b, x->c, x->n4); break;
	case H_TRIAD: return triad_launch(r, x->a, x->b, x->c, x->n4, SCALAR, x->grid, x->block);
	default:
		CU(cudaMemcpyAsync(x->b, x->a, x->n4 * sizeof(float4), cudaMemcpyDeviceToDevice, r->stream));
		return 0;
	}
	CU(cudaGetLastError());
	return 0;
}

/* Blocks that fill every SM once at full occupancy (2048 threads per SM),
 * fewer when the array is smaller. */
static unsigned hbm_grid(const struct run *r, size_t n4, unsigned block)
{
	size_t full = (size_t)r->sms * (2048 / block), need = (n4 + block - 1) / block;

	return (unsigned)(need < full ? (need ? need : 1) : full);
}

/* a = 1, b = 2, c = 0.5; run kind once; check the array it writes. */
static int hbm_check(struct run *r, struct hbm_ctx *x, int kind, double *err)
{
	size_t n = x->n4 * 4, i, nparts = (size_t)x->grid * x->block;
	float *h = (float *)malloc(n * sizeof(float)), want;
	float4 *out;
	double worst = 0, sum = 0;
	int rc = -1;

	if (!h)
		return run_fail(r, "out of host memory");
	k_write<<<x->grid, x->block, 0, r->stream>>>(x->a, x->n4, 1.0f);
	k_write<<<x->grid, x->block, 0, r->stream>>>(x->b, x->n4, 2.0f);
	k_write<<<x->grid, x->block, 0, r->stream>>>(x->c, x->n4, 0.5f);
	x->kind = kind;
	if (hbm_launch(r, x) || cudaStreamSynchronize(r->stream) != cudaSuccess) {
		free(h);
		return run_fail(r, "%s failed on 1 MiB: %s", kname[kind], cudaGetErrorString(cudaGetLastError()));
	}
	switch (kind) {
	case H_READ: out = NULL; want = 0; break;
	case H_WRITE: out = x->a; want = 1; break;
	case H_COPY: case H_MEMCPY: out = x->b; want = 1; break;
	case H_SCALE: out = x->b; want = SCALAR * 1; break;
	case H_ADD: out = x->c; want = 1 + 2; break;
	default: out = x->a; want = 2 + SCALAR * 0.5f; break;
	}
	if (out) {
		if (from_dev(r, h, out, n * sizeof(float)))
			goto end;
		for (i = 0; i < n; i++)
			worst = fmax(worst, fabs((double)h[i] - want));
	} else {
		if (nparts > n || from_dev(r, h, x->partial, nparts * sizeof(float)))
			goto end;
		for (i = 0; i < nparts; i++)
			sum += h[i];
		worst = fabs(sum - (double)n);    /* a = 1 everywhere */
	}
	*err = worst;
	rc = 0;
end:
	free(h);
	if (rc)
		run_fail(r, "cannot read back the %s check", kname[kind]);
	return rc;
}

int probe_hbm(struct run *r)
{
	static const unsigned blocks[] = {256, 512, 1024};
	size_t max_bytes = r->quick ? (size_t)1 << 30 : (size_t)1 << 32, bytes, step = r->quick ? 4 : 2;
	size_t fit = (size_t)(dev_free_bytes() * 0.8 / 3), check_bytes = 1 << 20;
	struct hbm_ctx x;
	struct timing t, best;
	double err[H_KINDS];
	int kind, b, ok[H_KINDS], failed = 0;

	if (fit < max_bytes)
		max_bytes = fit;
	memset(&x, 0, sizeof x);
	x.a = (float4 *)dev_alloc(r, max_bytes);
	x.b = (float4 *)dev_alloc(r, max_bytes);
	x.c = (float4 *)dev_alloc(r, max_bytes);
	x.partial = (float *)dev_alloc(r, (size_t)r->sms * 2048 * sizeof(float));
	if (!x.a || !x.b || !x.c || !x.partial)
		return -1;
	/* checks on 1 MiB: a kernel that computes the wrong thing is not timed */
	x.n4 = check_bytes / sizeof(float4);
	x.block = 256;
	x.grid = hbm_grid(r, x.n4, 256);
	for (kind = 0; kind < H_KINDS; kind++) {
		if (hbm_check(r, &x, kind, &err[kind])) {    /* did not run: error recorded, not timed */
			ok[kind] = 0;
			failed = 1;
			continue;
		}
		ok[kind] = err[kind] == 0;   /* small integers and halves: exact in float */
		if (!ok[kind]) {
			r->checks_failed++;
			run_fail(r, "%s computed a wrong value (error %g): not timed", kname[kind], err[kind]);
		}
	}
	if (r->check_only)
		return failed ? -1 : 0;
	/* random data for the timed runs: values, not zeros (docs/probes.md s7) */
	if (fill_f32(r, (float *)x.a, max_bytes / 4, 1, 1) || fill_f32(r, (float *)x.b, max_bytes / 4, 2, 1) ||
	    fill_f32(r, (float *)x.c, max_bytes / 4, 3, 1))
		return -1;
	for (kind = 0; kind < H_KINDS; kind++) {
		if (!ok[kind])
			continue;
		for (bytes = 256 << 10; bytes <= max_bytes; bytes *= step) {
			unsigned best_block = 0;
			cJSON *rec;
			double rd, wr;
			if (cfg_begin(r, "hbm/%s,bytes_per_array=%zu", kname[kind], bytes))
				continue;
			x.kind = kind;
			x.n4 = bytes / sizeof(float4);
			memset(&best, 0, sizeof best);
			for (b = 0; b < 3; b++) {
				if (kind == H_MEMCPY && b > 0)
					break;
				x.block = blocks[b];
				x.grid = hbm_grid(r, x.n4, x.block);
				if (time_calls(r, hbm_launch, &x, L2_LOOP, &t)) {   /* error recorded */
					failed = 1;
					continue;
				}
				if (!best_block || t.median_s < best.median_s) {
					best = t;
					best_block = x.block;
				}
			}
			rec = rec_cfg(r);
			if (!best_block) {
				rec_status(rec, "error", "timing failed (see errors)");
				continue;
			}
			rd = (double)bytes * n_read[kind];
			wr = (double)bytes * n_write[kind];
			cJSON_AddStringToObject(rec_params(rec), "kernel", kname[kind]);
			cJSON_AddStringToObject(rec_params(rec), "class", kind == H_MEMCPY ? "memcpy" : "stream");
			cJSON_AddNumberToObject(rec_params(rec), "bytes_per_array", (double)bytes);
			cJSON_AddNumberToObject(rec_params(rec), "arrays", n_read[kind] + n_write[kind]);
			if (kind != H_MEMCPY)
				cJSON_AddNumberToObject(rec_params(rec), "block", best_block);
			cJSON_AddBoolToObject(rec_params(rec), "l2_resident",
					      (rd + wr) <= r->l2_bytes);
			rec_work(rec, 0, rd, wr);
			rec_timing(rec, &best);
			rec_derived(r, rec, 0, rd + wr, best.median_s, 0);
			if (kind == H_MEMCPY)
				cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(rec, "derived"),
							"copy_size_gbps", bytes / best.median_s / 1e9);
			rec_check(rec, 1, err[kind], 0, "exact values on 1 MiB (a=1, b=2, c=0.5, s=3)");
			if (bytes >= (size_t)(4 * r->l2_bytes) || bytes == max_bytes)
				note(r, "%-6s %10.3f MiB x%d: %7.1f GB/s", kname[kind], bytes / 1048576.0,
				     n_read[kind] + n_write[kind], (rd + wr) / best.median_s / 1e9);
		}
	}
	return failed ? -1 : 0;
}
