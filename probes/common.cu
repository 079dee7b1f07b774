/*
 * common.cu - errors, tracked allocations, random data, timing and records
 * for every probe of the runner (see common.cuh for the method).
 *
 * Build: 'make probes' (probes/probes.mk) compiles it with
 *   nvcc -std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -gencode arch=compute_100,code=sm_100 \
 *        -gencode arch=compute_90,code=compute_90 -Isim -Iprobes -c probes/common.cu
 * and links build/mlasim-probe with -lcublasLt -ldl -lpthread -lcjson.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cuda_bf16.h>
#include <cuda_fp8.h>
#include "common.cuh"

/* ==== errors ================================================================ */

int run_fail(struct run *r, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	cJSON *o = cJSON_CreateObject();

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(o, "probe", r->probe ? r->probe : "runner");
	cJSON_AddStringToObject(o, "msg", msg);
	cJSON_AddItemToArray(r->errors, o);
	fprintf(stderr, "# %s: error: %s\n", r->probe ? r->probe : "runner", msg);
	return -1;
}

void note(struct run *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "# %s: ", r->probe ? r->probe : "runner");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ==== time budget and progress ================================================ */

volatile sig_atomic_t run_stop_signal;

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void run_clock_start(struct run *r)
{
	r->budget.t0 = mono_s();
}

double run_elapsed(const struct run *r)
{
	return mono_s() - r->budget.t0;
}

int cfg_begin(struct run *r, const char *id_fmt, ...)
{
	struct budget *b = &r->budget;
	double t = run_elapsed(r);
	char id[160];
	va_list ap;

	va_start(ap, id_fmt);
	vsnprintf(id, sizeof id, id_fmt, ap);
	va_end(ap);
	if (run_stop_signal || (b->limit_s > 0 && t >= b->probe_end_s)) {
		if (b->skipped++ == 0) {
			snprintf(b->first_skipped, sizeof b->first_skipped, "%s", id);
			fprintf(stderr, "# progress: %s: %s at %.1f s: skipping its remaining configurations\n",
				r->probe, run_stop_signal ? "stopped by a signal" : "its share of --time-limit is used",
				t);
		}
		return 1;
	}
	cudaGetLastError();        /* a failed call of the last configuration must not fail this one */
	b->done++;
	b->probe_done++;
	snprintf(b->id, sizeof b->id, "%s", id);
	fprintf(stderr, "# progress: %s config %d (%s), %.1f s elapsed\n", r->probe, b->probe_done, id, t);
	if (t - b->last_save_s >= 30)
		run_checkpoint(r);
	return 0;
}

/* ==== memory ================================================================ */

void *dev_alloc(struct run *r, size_t bytes)
{
	void *p = NULL;

	if (r->nallocs == PROBE_MAX_ALLOCS) {
		run_fail(r, "more than %d device allocations in one probe", PROBE_MAX_ALLOCS);
		return NULL;
	}
	if (cudaMalloc(&p, bytes ? bytes : 16) != cudaSuccess) {
		cudaGetLastError();    /* an allocation failure is not sticky: clear it */
		run_fail(r, "cannot allocate %.3g GB of device memory", bytes / 1e9);
		return NULL;
	}
	r->allocs[r->nallocs++] = p;
	return p;
}

void run_free_to(struct run *r, int mark)
{
	while (r->nallocs > mark)
		cudaFree(r->allocs[--r->nallocs]);
}

void run_free_all(struct run *r)
{
	run_free_to(r, 0);
}

size_t dev_free_bytes(void)
{
	size_t free_b = 0, total = 0;

	if (cudaMemGetInfo(&free_b, &total) != cudaSuccess)
		return 0;
	return free_b;
}

int dev_fits(const struct run *r, double bytes, char *why, size_t nwhy)
{
	double free_b = (double)dev_free_bytes(), keep = fmax(0.05 * r->hbm_bytes, 1024.0 * 1048576);

	if (bytes + keep <= free_b)
		return 1;
	snprintf(why, nwhy, "needs %.2f GB of device memory, %.2f GB free (%.2f GB kept back)", bytes / 1e9,
		 free_b / 1e9, keep / 1e9);
	return 0;
}

int to_dev(struct run *r, void *dst, const void *src, size_t bytes)
{
	CU(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, r->stream));
	CU(cudaStreamSynchronize(r->stream));
	return 0;
}

int from_dev(struct run *r, void *dst, const void *src, size_t bytes)
{
	CU(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, r->stream));
	CU(cudaStreamSynchronize(r->stream));
	return 0;
}

/* ==== random data ============================================================ */

/* A 32-bit hash (lowbias32): uniform enough for test data, and stateless. */
__host__ __device__ static inline uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

__device__ static inline float uniform_at(uint32_t seed, size_t i, float amp)
{
	uint32_t h = mix32((uint32_t)i ^ mix32(seed ^ mix32((uint32_t)(i >> 32) + 0x9e3779b9U)));

	return ((float)(h >> 8) * (1.0f / 16777216.0f) * 2.0f - 1.0f) * amp;
}

__global__ void k_fill_bf16(__nv_bfloat16 *p, size_t n, uint32_t seed, float amp)
{
	size_t i;

	for (i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
		p[i] = __float2bfloat16_rn(uniform_at(seed, i, amp));
}

__global__ void k_fill_f32(float *p, size_t n, uint32_t seed, float amp)
{
	size_t i;

	for (i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
		p[i] = uniform_at(seed, i, amp);
}

__global__ void k_fill_e4m3(__nv_fp8_storage_t *p, size_t n, uint32_t seed, float amp)
{
	size_t i;

	for (i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
		p[i] = __nv_cvt_float_to_fp8(uniform_at(seed, i, amp), __NV_SATFINITE, __NV_E4M3);
}

static unsigned fill_blocks(const struct run *r)
{
	return (unsigned)(r->sms > 0 ? r->sms * 8 : 1024);
}

int fill_bf16(struct run *r, void *p, size_t n, uint32_t seed, float amp)
{
	k_fill_bf16<<<fill_blocks(r), 256, 0, r->stream>>>((__nv_bfloat16 *)p, n, seed, amp);
	CU(cudaGetLastError());
	return 0;
}

int fill_f32(struct run *r, float *p, size_t n, uint32_t seed, float amp)
{
	k_fill_f32<<<fill_blocks(r), 256, 0, r->stream>>>(p, n, seed, amp);
	CU(cudaGetLastError());
	return 0;
}

int fill_e4m3(struct run *r, void *p, size_t n, uint32_t seed, float amp)
{
	k_fill_e4m3<<<fill_blocks(r), 256, 0, r->stream>>>((__nv_fp8_storage_t *)p, n, seed, amp);
	CU(cudaGetLastError());
	return 0;
}

float bf16_bits_to_float(uint16_t h)
{
	uint32_t u = (uint32_t)h << 16;
	float x;

	memcpy(&x, &u, sizeof x);
	return x;
}

int check_bf16(const uint16_t *got, const float *ref, size_t n, double atol, double rtol,
	       double *max_err)
{
	size_t i;
	int ok = 1;

	*max_err = 0;
	for (i = 0; i < n; i++) {
		double err = fabs((double)bf16_bits_to_float(got[i]) - ref[i]);
		*max_err = fmax(*max_err, err);
		if (!(err <= atol + rtol * fabs((double)ref[i])))
			ok = 0;
	}
	return ok;
}

/* ==== timing ================================================================= */

#define MAX_SAMPLES 31

int l2_flush(struct run *r)
{
	static unsigned char v;

	CU(cudaMemsetAsync(r->flush_buf, v++, r->flush_bytes, r->stream));
	return 0;
}

__global__ void k_triad(float4 *__restrict__ a, const float4 *__restrict__ b, const float4 *__restrict__ c,
			size_t n, float s)
{
	size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x, stride = (size_t)gridDim.x * blockDim.x;

	for (; i < n; i += stride) {
		float4 y = b[i], z = c[i];
		a[i] = make_float4(y.x + s * z.x, y.y + s * z.y, y.z + s * z.z, y.w + s * z.w);
	}
}

int triad_launch(struct run *r, float4 *a, const float4 *b, const float4 *c, size_t n4, float s,
		 unsigned grid, unsigned block)
{
	k_triad<<<grid, block, 0, r->stream>>>(a, b, c, n4, s);
	CU(cudaGetLastError());
	return 0;
}

static void timing_stats(double *s, int n, struct timing *t)
{
	double mean = 0, var = 0;
	int i;

	t->median_s = stats_median(s, n);   /* sorts s */
	for (i = 0; i < n; i++)
		mean += s[i] / n;
	for (i = 0; i < n; i++)
		var += (s[i] - mean) * (s[i] - mean) / (n > 1 ? n - 1 : 1);
	t->samples = n;
	t->min_s = s[0];
	t->max_s = s[n - 1];
	t->p10_s = s[(n - 1) / 10];
	t->p90_s = s[(n - 1) - (n - 1) / 10];
	t->cv = mean > 0 ? sqrt(var) / mean : 0;
}

int time_calls(struct run *r, launch_fn f, void *ctx, enum l2_mode l2, struct timing *t)
{
	cudaEvent_t ev[2 * MAX_SAMPLES];
	double s[MAX_SAMPLES], t1;
	float ms;
	int n = l2 == L2_FLUSH ? (r->quick ? 7 : 15) : (r->quick ? 5 : 7), i, c, calls = 1, made = 0, rc = -1;

	memset(t, 0, sizeof *t);
	t->l2 = l2;
	for (i = 0; i < 2 * n; i++, made++)
		if (cudaEventCreate(&ev[i]) != cudaSuccess) {
			run_fail(r, "cudaEventCreate failed");
			goto end;
		}
	/* warm-up: first use loads modules, picks kernels, fills TLBs */
	for (i = 0; i < 3; i++)
		if (f(r, ctx))
			goto end;
	if (cudaStreamSynchronize(r->stream) != cudaSuccess || cudaGetLastError() != cudaSuccess) {
		run_fail(r, "the warm-up calls failed: %s", cudaGetErrorString(cudaGetLastError()));
		goto end;
	}
	/* one call to size the loop */
	if (cudaEventRecord(ev[0], r->stream) || f(r, ctx) || cudaEventRecord(ev[1], r->stream) ||
	    cudaEventSynchronize(ev[1]) || cudaEventElapsedTime(&ms, ev[0], ev[1])) {
		run_fail(r, "timing a call failed: %s", cudaGetErrorString(cudaGetLastError()));
		goto end;
	}
	t1 = ms > 0 ? ms * 1e-3 : 1e-6;
	if (l2 == L2_LOOP)
		calls = t1 >= 1e-3 ? 1 : (int)fmin(10000, ceil(1e-3 / t1));
	for (i = 0; i < n; i++) {
		if (l2 == L2_FLUSH && l2_flush(r))
			goto end;
		if (cudaEventRecord(ev[2 * i], r->stream) != cudaSuccess) {
			run_fail(r, "cudaEventRecord failed");
			goto end;
		}
		for (c = 0; c < calls; c++)
			if (f(r, ctx))
				goto end;
		if (cudaEventRecord(ev[2 * i + 1], r->stream) != cudaSuccess) {
			run_fail(r, "cudaEventRecord failed");
			goto end;
		}
	}
	if (cudaStreamSynchronize(r->stream) != cudaSuccess) {
		run_fail(r, "the timed calls failed: %s", cudaGetErrorString(cudaGetLastError()));
		goto end;
	}
	for (i = 0; i < n; i++) {
		if (cudaEventElapsedTime(&ms, ev[2 * i], ev[2 * i + 1]) != cudaSuccess) {
			run_fail(r, "cudaEventElapsedTime failed");
			goto end;
		}
		s[i] = ms * 1e-3 / calls;
	}
	timing_stats(s, n, t);
	t->calls_per_sample = calls;
	rc = 0;
end:
	for (i = 0; i < made; i++)
		cudaEventDestroy(ev[i]);
	return rc;
}

/* ==== records =================================================================== */

cJSON *rec_new(struct run *r, const char *id_fmt, ...)
{
	cJSON *o = cJSON_CreateObject();
	char id[256];
	va_list ap;

	va_start(ap, id_fmt);
	vsnprintf(id, sizeof id, id_fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(o, "probe", r->probe);
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "status", "ok");
	cJSON_AddObjectToObject(o, "params");
	cJSON_AddStringToObject(o, "provenance", "measured");
	cJSON_AddItemToArray(r->probes, o);
	return o;
}

cJSON *rec_cfg(struct run *r)
{
	return rec_new(r, "%s", r->budget.id);
}

cJSON *rec_params(cJSON *rec)
{
	return cJSON_GetObjectItemCaseSensitive(rec, "params");
}

void rec_status(cJSON *rec, const char *status, const char *why)
{
	cJSON_ReplaceItemInObjectCaseSensitive(rec, "status", cJSON_CreateString(status));
	if (why)
		cJSON_AddStringToObject(rec, "why", why);
}

void rec_work(cJSON *rec, double flops, double bytes_read, double bytes_written)
{
	cJSON *w = cJSON_AddObjectToObject(rec, "work");

	cJSON_AddNumberToObject(w, "flops", flops);
	cJSON_AddNumberToObject(w, "bytes_read", bytes_read);
	cJSON_AddNumberToObject(w, "bytes_written", bytes_written);
}

void rec_timing(cJSON *rec, const struct timing *t)
{
	cJSON *o = cJSON_AddObjectToObject(rec, "timing");

	cJSON_AddStringToObject(o, "method", "cuda events");
	cJSON_AddStringToObject(o, "l2", t->l2 == L2_FLUSH ? "flushed before each call" :
				"back-to-back calls (working set as it is)");
	cJSON_AddNumberToObject(o, "samples", t->samples);
	cJSON_AddNumberToObject(o, "calls_per_sample", t->calls_per_sample);
	cJSON_AddNumberToObject(o, "median_s", t->median_s);
	cJSON_AddNumberToObject(o, "min_s", t->min_s);
	cJSON_AddNumberToObject(o, "max_s", t->max_s);
	cJSON_AddNumberToObject(o, "p10_s", t->p10_s);
	cJSON_AddNumberToObject(o, "p90_s", t->p90_s);
	cJSON_AddNumberToObject(o, "cv", t->cv);
	if (t->cv > 0.05)
		cJSON_AddTrueToObject(o, "cv_above_5pct");
}

void rec_derived(struct run *r, cJSON *rec, double flops, double bytes, double t_s, int fp8)
{
	cJSON *o = cJSON_AddObjectToObject(rec, "derived");
	double peak = fp8 ? r->spec.fp8_flops : r->spec.bf16_flops;
	double tc = flops / peak, tm = bytes / r->spec.hbm_Bps, sol = tc > tm ? tc : tm;

	cJSON_AddNumberToObject(o, "tflops", flops / t_s / 1e12);
	cJSON_AddNumberToObject(o, "gbps", bytes / t_s / 1e9);
	cJSON_AddNumberToObject(o, "t_sol_s", sol);
	cJSON_AddNumberToObject(o, "util", sol / t_s);
	cJSON_AddStringToObject(o, "bound", tc > tm ? "compute" : "memory");
	if (bytes > 0)
		cJSON_AddNumberToObject(o, "ai_flop_per_byte", flops / bytes);
	cJSON_AddStringToObject(o, "spec", r->spec.source);
}

void rec_check(cJSON *rec, int ok, double max_err, double tol, const char *what)
{
	cJSON *o = cJSON_AddObjectToObject(rec, "check");

	cJSON_AddBoolToObject(o, "ok", ok);
	cJSON_AddNumberToObject(o, "max_err", max_err);
	cJSON_AddNumberToObject(o, "tolerance", tol);
	cJSON_AddStringToObject(o, "against", what);
}
