/*
 * common.cuh - what every probe of the runner (build/mlasim-probe) shares:
 * the run state, CUDA error handling, tracked device allocations, the timing
 * method of docs/probes.md s7, random data, and the mlasim.calib/1
 * record writer.
 *
 * Timing (docs/probes.md s7, which names STREAM's and llm.c's rules it follows):
 *   - warm-up: 3 untimed calls after setup (lazy loading, heuristics), and
 *     ~200 ms of busy work before the first probe so the clocks have ramped;
 *   - CUDA events on the probe's stream, never host timers, for kernels;
 *   - L2: either a 2 x L2 (>= 256 MiB) write between timed calls ("flush",
 *     for GEMM and MLA, whose operands could sit in the 50 MB L2), or a
 *     working set that is itself larger than L2 ("loop", for STREAM sizes);
 *   - "flush": each sample is one call between two events, the flush before
 *     it; "loop": each sample is N back-to-back calls (N such that a sample
 *     lasts >= 1 ms) divided by N;
 *   - median of >= 7 samples (5 with --quick), with min, p10, p90 and the
 *     coefficient of variation; CV > 5% is flagged in the record.
 * Probes never change clocks or power limits: they record them (NVML).
 *
 * Build: part of build/mlasim-probe, see probes/probes.mk.
 */
#ifndef MLASIM_PROBES_COMMON_CUH
#define MLASIM_PROBES_COMMON_CUH

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <cuda_runtime.h>
#include <cublasLt.h>
#include <cjson/cJSON.h>
#include "stats.h"
#include "version.h"

#define PROBE_MAX_ALLOCS 256

/* The spec row of the GPU, by name (docs/probes.md s0, docs/hardware.md s1.1):
 * the runner's own denominators for "derived" figures; mlasim refits against the card. */
struct spec {
	const char *source;        /* "builtin:h100_sxm" or "clock-normalised estimate" */
	double hbm_Bps;
	double bf16_flops, fp8_flops;   /* dense */
	double flop_per_clk_per_sm_bf16;
	double tdp_w;
	double nvlink_uni_Bps;
};

struct nvml;                   /* power.cu: NVML loaded with dlopen */

/* The run's clock: --time-limit, progress lines and checkpoints (cfg_begin). */
struct budget {
	double t0;                 /* host monotonic seconds at start */
	double limit_s;            /* 0: no limit */
	double probe_end_s;        /* elapsed seconds at which the running probe's share ends */
	int done;                  /* configurations started, whole run */
	int probe_done;            /* ... by the running probe */
	int skipped;               /* configurations of the running probe skipped for time */
	char id[160];              /* the configuration cfg_begin() last let start */
	char first_skipped[160];
	const char *out;           /* the results file, NULL for stdout: no checkpoints */
	double last_save_s;        /* elapsed seconds of the last checkpoint */
};

/* One invocation of the runner. */
struct run {
	int quick;                 /* smaller sweeps */
	int check_only;            /* validate kernels against the CPU references, time nothing */
	int device;                /* CUDA device index */
	int n_gpus;
	cudaStream_t stream;       /* non-blocking: copy with to_dev()/from_dev() */
	cudaDeviceProp prop;
	int sms, cc_major, cc_minor;
	double l2_bytes, smem_optin, hbm_bytes;
	double max_sm_mhz, max_mem_mhz;
	struct spec spec;
	cJSON *doc, *probes, *errors;
	const char *probe;         /* key of the probe running, for errors */
	void *allocs[PROBE_MAX_ALLOCS];
	int nallocs;
	void *flush_buf;           /* written between timed calls to evict L2 */
	size_t flush_bytes;
	int checks_failed;         /* validations that failed (exit 1 with --check) */
	struct nvml *nvml;         /* NULL when NVML is not there */
	void *nvml_dev;            /* nvmlDevice_t of this GPU */
	cublasLtHandle_t lt;       /* created on first use by gemm_lt_handle() */
	struct budget budget;      /* --time-limit, progress, checkpoints */
};

/* ---- errors ---------------------------------------------------------------- */

/* Record an error of the running probe in doc.errors; returns -1. */
int run_fail(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Return run_fail(...) from the calling probe function (which has `r`) when
 * `call` does not give `ok`; `str` names the status. */
#define RUN_CHECK(type, call, ok, str)                                                   \
	do {                                                                             \
		type s_ = (call);                                                        \
		if (s_ != (ok))                                                          \
			return run_fail(r, "%s:%d: %s: %s", __FILE__, __LINE__, #call, str(s_)); \
	} while (0)
#define CU(call) RUN_CHECK(cudaError_t, call, cudaSuccess, cudaGetErrorString)
#define LT(call) RUN_CHECK(cublasStatus_t, call, CUBLAS_STATUS_SUCCESS, cublasLtGetStatusString)

/* ---- time budget and progress ------------------------------------------------ */

/* Set by main.cu's SIGTERM/SIGINT handler: cfg_begin() then skips the rest. */
extern volatile sig_atomic_t run_stop_signal;

/* Start the run's clock (main); seconds since then (host monotonic clock). */
void run_clock_start(struct run *r);
double run_elapsed(const struct run *r);

/*
 * Call before each configuration of a sweep, id as its record will be named
 * (printf-style).  Returns 0: go ahead (a progress line "probe: config N
 * (id), T s" went to stderr, a non-sticky CUDA error left by the previous
 * configuration was cleared, and every 30 s the document so far was saved
 * to the results file with status "partial", so a killed run leaves data);
 * 1: the time limit (or this probe's share of it, see main.cu) has passed,
 * skip it (main.cu records the skipped count in doc.errors).
 */
int cfg_begin(struct run *r, const char *id_fmt, ...) __attribute__((format(printf, 2, 3)));
/* rec_new() for the configuration cfg_begin() let start, named by its id. */
cJSON *rec_cfg(struct run *r);

/* Write the document as it is now, status "partial", to the results file
 * (nothing when writing to stdout).  main.cu. */
void run_checkpoint(struct run *r);

/* ---- memory ------------------------------------------------------------------ */

/* cudaMalloc tracked by the run: every allocation of a probe is freed by
 * run_free_all() after it, whatever path it left by.  NULL on failure. */
void *dev_alloc(struct run *r, size_t bytes);
void run_free_all(struct run *r);
/* Free the allocations made since r->nallocs was `mark` (per-shape buffers). */
void run_free_to(struct run *r, int mark);
/* Free device memory in bytes (cudaMemGetInfo), 0 on error. */
size_t dev_free_bytes(void);
/* 1 when `bytes` more can be allocated and still leave 5% of the device's
 * memory (at least 1 GiB) free for cuBLASLt, graphs and the driver; else 0
 * and why (for the record's "why").  Call before a sweep point allocates. */
int dev_fits(const struct run *r, double bytes, char *why, size_t nwhy);
/* Copy host -> device (to_dev) or device -> host (from_dev) in order on
 * r->stream, and wait for it: never races a kernel on the stream.  0 or -1
 * (error recorded). */
int to_dev(struct run *r, void *dst, const void *src, size_t bytes);
int from_dev(struct run *r, void *dst, const void *src, size_t bytes);

/* Fill with uniform random values in [-amp, amp) from `seed` (a hash per
 * index, so the host can regenerate nothing: copy back what you check). */
int fill_bf16(struct run *r, void *p, size_t n, uint32_t seed, float amp);
int fill_f32(struct run *r, float *p, size_t n, uint32_t seed, float amp);
/* E4M3 bytes of uniform values in [-amp, amp), saturating. */
int fill_e4m3(struct run *r, void *p, size_t n, uint32_t seed, float amp);
/* BF16 bits to float (host). */
float bf16_bits_to_float(uint16_t h);

/* Compare n BF16 results with a reference: every |got - ref| <= atol + rtol
 * |ref|.  Returns 1 if all are within, 0 if not (NaN fails); *max_err gets
 * the largest error. */
int check_bf16(const uint16_t *got, const float *ref, size_t n, double atol, double rtol,
	       double *max_err);

/* ---- timing ------------------------------------------------------------------ */

/* Enqueue one call of the code under test on r->stream. */
typedef int (*launch_fn)(struct run *r, void *ctx);

enum l2_mode { L2_FLUSH, L2_LOOP };

struct timing {
	double median_s, min_s, max_s, p10_s, p90_s, cv;
	int samples;               /* timed samples */
	int calls_per_sample;      /* 1 with L2_FLUSH */
	enum l2_mode l2;
};

/* Time f(ctx) as above.  Returns 0, or -1 (error recorded) when a call fails. */
int time_calls(struct run *r, launch_fn f, void *ctx, enum l2_mode l2, struct timing *t);

/* Evict L2: write r->flush_bytes on r->stream. */
int l2_flush(struct run *r);

/* STREAM triad a = b + s c on n4 float4 elements, on r->stream (hbm.cu and
 * power.cu).  0, or -1 with the launch error recorded. */
int triad_launch(struct run *r, float4 *a, const float4 *b, const float4 *c, size_t n4, float s,
		 unsigned grid, unsigned block);

/* ---- records ------------------------------------------------------------------ */

/* A new record {probe, id, status "ok", params {}, provenance "measured"},
 * appended to doc.probes.  id is printf-style. */
cJSON *rec_new(struct run *r, const char *id_fmt, ...) __attribute__((format(printf, 2, 3)));
cJSON *rec_params(cJSON *rec);
void rec_status(cJSON *rec, const char *status, const char *why);
/* work: FLOPs, HBM bytes read and written by one call */
void rec_work(cJSON *rec, double flops, double bytes_read, double bytes_written);
void rec_timing(cJSON *rec, const struct timing *t);
/* derived: TFLOP/s, GB/s, t_SOL against the runner's spec, util, bound */
void rec_derived(struct run *r, cJSON *rec, double flops, double bytes, double t_s, int fp8);
void rec_check(cJSON *rec, int ok, double max_err, double tol, const char *what);

/* Progress for the person running it, on stderr: "# probe: text". */
void note(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- probes (one file each; return 0, or -1 with the error recorded) ------------ */

int probe_device(struct run *r);        /* device.cu: the 'device' record */
int run_describe(struct run *r);        /* device.cu: doc.device, doc.spec, doc.env */
int probe_launch(struct run *r);        /* launch.cu */
int probe_hbm(struct run *r);           /* hbm.cu */
int probe_paged_kv_read(struct run *r); /* mla_decode.cu */
int probe_gemm_bf16(struct run *r);     /* gemm.cu */
int probe_gemm_fp8(struct run *r);      /* gemm.cu */
int probe_mla_decode(struct run *r);    /* mla_decode.cu */
int probe_moe_gemm(struct run *r);      /* moe_gemm.cu */
int probe_power(struct run *r);         /* power.cu */
int probe_p2p(struct run *r);           /* comm.cu */
int probe_alltoall(struct run *r);      /* comm.cu */

/* ---- cuBLASLt, shared by gemm.cu, moe_gemm.cu and power.cu ------------------------ */

enum lt_scale { LT_BF16, LT_FP8_TENSOR, LT_FP8_BLK128, LT_FP8_MXFP8 };

/*
 * One matmul as a serving stack runs a linear layer: y[T][N] = x[T][K] W[N][K]^T,
 * row-major x, W and y (cuBLASLt "TN": m = N, n = T, k = K; A = W, B = x).
 * Inputs BF16 or FP8 E4M3, FP32 accumulation, BF16 output.  batch > 1:
 * strided batch of identical problems (MoE experts with equal load).
 */
struct lt_gemm {
	int T, N, K, batch;
	enum lt_scale scale;
	int fast_accum;
	size_t w_bytes, x_bytes, y_bytes, sw_bytes, sx_bytes;   /* per batch entry */
	void *w, *x, *y;           /* device */
	float *sw, *sx;            /* device scales (FP8 modes) */
	void *ws;                  /* workspace */
	size_t ws_bytes;
	cublasLtMatmulDesc_t op;
	cublasLtMatrixLayout_t A, B, C;
	cublasLtMatmulHeuristicResult_t heur[8];
	int nheur, algo;           /* candidates and the one in use (0: heuristic #0) */
};

cublasLtHandle_t gemm_lt_handle(struct run *r);
/* Describe g (T, N, K, batch, scale, fast_accum set by the caller); allocate
 * and fill its operands unless alloc == 0.  Returns 0, 1 when cuBLASLt has no
 * algorithm for it (why says so), -1 on error. */
int lt_gemm_setup(struct run *r, struct lt_gemm *g, int alloc, char *why, size_t nwhy);
int lt_gemm_launch(struct run *r, void *g);   /* a launch_fn */
void lt_gemm_destroy(struct lt_gemm *g);
/* FLOPs and HBM bytes of one call (all batch entries) */
double lt_gemm_flops(const struct lt_gemm *g);
double lt_gemm_bytes_read(const struct lt_gemm *g);
double lt_gemm_bytes_written(const struct lt_gemm *g);
const char *lt_scale_name(enum lt_scale s);

/* ---- NCCL (comm.cu) -------------------------------------------------------------- */

/* NCCL's version code (22809 for 2.28.9) from libnccl.so.2 loaded at run
 * time, or 0 when the library is not there. */
int nccl_version(void);

/* ---- NVML (power.cu) ------------------------------------------------------------ */

/* Load NVML and find this GPU by PCI bus id; r->nvml stays NULL without it. */
void nvml_open(struct run *r);
void nvml_close(struct run *r);
/* Read what NVML says about the device into o (name-less keys; missing ones left out). */
void nvml_describe(struct run *r, cJSON *o);

#endif
