/*
 * power.cu - probe P12 'power' (docs/probes.md s8) and the NVML access
 * every probe uses to record clocks.
 *
 * NVML is loaded at run time (dlopen "libnvidia-ml.so.1"; no nvml.h on the
 * build machine), with our own prototypes of the dozen functions used, and
 * the GPU found by its PCI bus id (CUDA and NVML number GPUs differently).
 * Without NVML the power probe records status "unavailable".
 *
 * Method: an idle baseline of 2 s first; then, for each workload, a steady
 * loop of >= 5 s (2 s with --quick) between two readings of the board's
 * energy counter (nvmlDeviceGetTotalEnergyConsumption, mJ) and the host
 * monotonic clock, synchronised at both ends, while a sampler thread reads
 * power, SM clock, temperature and the clock-event reasons every 50 ms.
 *   P_avg = dE / dt;  J/iter = dE / iters;  dynamic J/iter = (dE - P_idle dt) / iters
 * Workloads: HBM triad on 3 x 1 GiB, BF16 GEMM 8192^3, FP8 GEMM 8192^3
 * (tensorwide scale, where supported), BF16 GEMM T=64 N=7168 K=16384
 * (weight streaming).  mlasim fits P_avg - P_idle = e_bf16 FLOP/s + e_fp8
 * FLOP/s + e_byte B/s over them (calib.power).  Power is a 1 s average on
 * H100 and sampled ~25% of the time (Yang et al., SC'24): the long windows
 * and the energy counter are what make the figures usable.  Clocks and power
 * limits are never changed: points where the SW power cap was active most of
 * the time are flagged (capped_frac).
 *
 * Build: 'make probes' (probes/probes.mk) compiles it with
 *   nvcc -std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -gencode arch=compute_100,code=sm_100 \
 *        -gencode arch=compute_90,code=compute_90 -Isim -Iprobes -c probes/power.cu
 * and links build/mlasim-probe with -lcublasLt -ldl -lpthread -lcjson.
 */
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "common.cuh"

typedef int nvml_ret;                       /* nvmlReturn_t: 0 = NVML_SUCCESS */
typedef struct nvml_dev_st *nvml_dev;       /* nvmlDevice_t */

enum { NVML_CLOCK_SM = 1, NVML_CLOCK_MEM = 2, NVML_TEMPERATURE_GPU = 0 };
/* clock-event reasons (nvmlClocksEventReasons) */
#define REASON_SW_POWER_CAP 0x4ull
#define REASON_HW_SLOWDOWN 0x8ull
#define REASON_SW_THERMAL 0x20ull
#define REASON_HW_THERMAL 0x40ull
#define REASON_HW_POWER_BRAKE 0x80ull

struct nvml {
	void *lib;
	nvml_ret (*init)(void);
	nvml_ret (*shutdown)(void);
	nvml_ret (*by_pci)(const char *, nvml_dev *);
	nvml_ret (*power)(nvml_dev, unsigned *);                  /* mW */
	nvml_ret (*energy)(nvml_dev, unsigned long long *);       /* mJ */
	nvml_ret (*clock)(nvml_dev, int, unsigned *);             /* MHz */
	nvml_ret (*max_clock)(nvml_dev, int, unsigned *);
	nvml_ret (*limit)(nvml_dev, unsigned *);                  /* mW */
	nvml_ret (*temp)(nvml_dev, int, unsigned *);              /* C */
	nvml_ret (*reasons)(nvml_dev, unsigned long long *);
	nvml_ret (*driver)(char *, unsigned);
	nvml_ret (*uuid)(nvml_dev, char *, unsigned);
};

template <typename F> static void sym(void *lib, const char *name, F *out)
{
	*out = reinterpret_cast<F>(dlsym(lib, name));
}

void nvml_open(struct run *r)
{
	struct nvml *n = (struct nvml *)calloc(1, sizeof *n);
	char pci[32];
	nvml_dev d;

	if (!n)
		return;
	n->lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!n->lib) {
		free(n);
		return;
	}
	sym(n->lib, "nvmlInit_v2", &n->init);
	sym(n->lib, "nvmlShutdown", &n->shutdown);
	sym(n->lib, "nvmlDeviceGetHandleByPciBusId_v2", &n->by_pci);
	sym(n->lib, "nvmlDeviceGetPowerUsage", &n->power);
	sym(n->lib, "nvmlDeviceGetTotalEnergyConsumption", &n->energy);
	sym(n->lib, "nvmlDeviceGetClockInfo", &n->clock);
	sym(n->lib, "nvmlDeviceGetMaxClockInfo", &n->max_clock);
	sym(n->lib, "nvmlDeviceGetEnforcedPowerLimit", &n->limit);
	sym(n->lib, "nvmlDeviceGetTemperature", &n->temp);
	sym(n->lib, "nvmlDeviceGetCurrentClocksEventReasons", &n->reasons);
	if (!n->reasons)   /* the name before NVML 12.2 */
		sym(n->lib, "nvmlDeviceGetCurrentClocksThrottleReasons", &n->reasons);
	sym(n->lib, "nvmlSystemGetDriverVersion", &n->driver);
	sym(n->lib, "nvmlDeviceGetUUID", &n->uuid);
	if (!n->init || !n->by_pci || n->init() != 0 ||
	    cudaDeviceGetPCIBusId(pci, sizeof pci, r->device) != cudaSuccess || n->by_pci(pci, &d) != 0) {
		if (n->shutdown && n->init)
			n->shutdown();
		dlclose(n->lib);
		free(n);
		return;
	}
	r->nvml = n;
	r->nvml_dev = d;
}

void nvml_close(struct run *r)
{
	if (!r->nvml)
		return;
	if (r->nvml->shutdown)
		r->nvml->shutdown();
	dlclose(r->nvml->lib);
	free(r->nvml);
	r->nvml = NULL;
}

void nvml_describe(struct run *r, cJSON *o)
{
	struct nvml *n = r->nvml;
	nvml_dev d = (nvml_dev)r->nvml_dev;
	char buf[96];
	unsigned v;
	unsigned long long bits;

	if (!n)
		return;
	if (n->driver && n->driver(buf, sizeof buf) == 0)
		cJSON_AddStringToObject(o, "driver", buf);
	if (n->uuid && n->uuid(d, buf, sizeof buf) == 0)
		cJSON_AddStringToObject(o, "uuid", buf);
	if (n->limit && n->limit(d, &v) == 0)
		cJSON_AddNumberToObject(o, "power_limit_w", v / 1000.0);
	if (n->max_clock && n->max_clock(d, NVML_CLOCK_SM, &v) == 0)
		cJSON_AddNumberToObject(o, "nvml_max_sm_mhz", v);
	if (n->max_clock && n->max_clock(d, NVML_CLOCK_MEM, &v) == 0)
		cJSON_AddNumberToObject(o, "nvml_max_mem_mhz", v);
	if (n->clock && n->clock(d, NVML_CLOCK_SM, &v) == 0)
		cJSON_AddNumberToObject(o, "sm_mhz_now", v);
	if (n->temp && n->temp(d, NVML_TEMPERATURE_GPU, &v) == 0)
		cJSON_AddNumberToObject(o, "temp_c_now", v);
	if (n->reasons && n->reasons(d, &bits) == 0)
		cJSON_AddNumberToObject(o, "clocks_event_reasons_now", (double)bits);
}

/* ==== the sampler thread ============================================================= */

struct sampler {
	struct nvml *n;
	nvml_dev d;
	int stop;                 /* set with __atomic_store_n */
	int count, capped, hw_slow;
	double w_sum, w_min, w_max, mhz_sum, temp_max;
	pthread_t th;
};

static void *sampler_main(void *p)
{
	struct sampler *s = (struct sampler *)p;
	struct timespec ts = {0, 50 * 1000 * 1000};

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		unsigned mw = 0, mhz = 0, t = 0;
		unsigned long long bits = 0;
		if (s->n->power && s->n->power(s->d, &mw) == 0) {
			double w = mw / 1000.0;
			s->w_sum += w;
			s->w_min = s->count ? fmin(s->w_min, w) : w;
			s->w_max = s->count ? fmax(s->w_max, w) : w;
			if (s->n->clock && s->n->clock(s->d, NVML_CLOCK_SM, &mhz) == 0)
				s->mhz_sum += mhz;
			if (s->n->temp && s->n->temp(s->d, NVML_TEMPERATURE_GPU, &t) == 0)
				s->temp_max = fmax(s->temp_max, t);
			if (s->n->reasons && s->n->reasons(s->d, &bits) == 0) {
				s->capped += (bits & REASON_SW_POWER_CAP) != 0;
				s->hw_slow += (bits & (REASON_HW_SLOWDOWN | REASON_SW_THERMAL | REASON_HW_THERMAL |
						       REASON_HW_POWER_BRAKE)) != 0;
			}
			s->count++;
		}
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ==== workloads ================================================================== */

struct triad_ctx {
	float4 *a, *b, *c;
	size_t n4;
};

/* A launch_fn: common.cu's STREAM triad over the three arrays. */
static int triad_call(struct run *r, void *p)
{
	struct triad_ctx *x = (struct triad_ctx *)p;

	return triad_launch(r, x->a, x->b, x->c, x->n4, 3.0f, (unsigned)r->sms * 4, 512);
}

/* Run f in a steady loop for `window` seconds and record energy and samples;
 * *avg_w_out (when not NULL) gets the average board power in W. */
static int power_point(struct run *r, const char *workload, const char *dtype, launch_fn f, void *ctx,
		       double flops, double bytes_r, double bytes_w, double window, double idle_w,
		       double *avg_w_out)
{
	struct sampler s;
	unsigned long long e0 = 0, e1 = 0;
	double t0, t1 = 0, dt, batch_s, avg_w, energy_j;
	long iters = 0, k, batch;
	int have_energy;
	cJSON *rec, *pw, *tm;

	memset(&s, 0, sizeof s);
	s.n = r->nvml;
	s.d = (nvml_dev)r->nvml_dev;
	/* size batches of calls to ~50 ms so the host checks the clock rarely */
	t0 = now_s();
	if (f(r, ctx) || cudaStreamSynchronize(r->stream) != cudaSuccess)
		return run_fail(r, "%s: the workload failed", workload);
	batch_s = now_s() - t0;
	batch = batch_s > 0.05 ? 1 : (long)(0.05 / fmax(batch_s, 1e-6));
	if (pthread_create(&s.th, NULL, sampler_main, &s) != 0)
		return run_fail(r, "cannot start the NVML sampler thread");
	have_energy = s.n->energy && s.n->energy(s.d, &e0) == 0;
	t0 = now_s();
	do {
		for (k = 0; k < batch; k++)
			if (f(r, ctx))
				break;
		iters += k;
		if (cudaStreamSynchronize(r->stream) != cudaSuccess || k < batch)
			break;
		t1 = now_s();
	} while (t1 - t0 < window);
	t1 = now_s();
	have_energy = have_energy && s.n->energy(s.d, &e1) == 0;
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	pthread_join(s.th, NULL);
	dt = t1 - t0;
	if (iters == 0 || cudaGetLastError() != cudaSuccess)
		return run_fail(r, "%s: the steady loop failed", workload);
	energy_j = have_energy ? (e1 - e0) / 1000.0 : (s.count ? s.w_sum / s.count * dt : NAN);
	avg_w = energy_j / dt;
	rec = rec_cfg(r);    /* "power/<workload>", from cfg_begin */
	cJSON_AddStringToObject(rec_params(rec), "workload", workload);
	cJSON_AddStringToObject(rec_params(rec), "dtype", dtype);
	rec_work(rec, flops, bytes_r, bytes_w);
	tm = cJSON_AddObjectToObject(rec, "timing");
	cJSON_AddStringToObject(tm, "method", strcmp(workload, "idle") == 0 ? "idle window (median_s = window)" :
				"steady loop, host monotonic clock / iterations");
	cJSON_AddNumberToObject(tm, "median_s", iters ? dt / iters : dt);
	cJSON_AddNumberToObject(tm, "iterations", (double)iters);
	pw = cJSON_AddObjectToObject(rec, "power");
	cJSON_AddStringToObject(pw, "status", "ok");
	cJSON_AddStringToObject(pw, "energy_source", have_energy ? "nvml energy counter" : "mean of sampled power");
	cJSON_AddNumberToObject(pw, "window_s", dt);
	cJSON_AddNumberToObject(pw, "energy_j", energy_j);
	cJSON_AddNumberToObject(pw, "avg_w", avg_w);
	if (!isnan(idle_w)) {
		cJSON_AddNumberToObject(pw, "idle_w", idle_w);
		cJSON_AddNumberToObject(pw, "j_per_iter", energy_j / iters);
		cJSON_AddNumberToObject(pw, "j_dyn_per_iter", (energy_j - idle_w * dt) / iters);
	}
	if (s.count) {
		cJSON_AddNumberToObject(pw, "samples", s.count);
		cJSON_AddNumberToObject(pw, "sampled_w_min", s.w_min);
		cJSON_AddNumberToObject(pw, "sampled_w_max", s.w_max);
		cJSON_AddNumberToObject(pw, "sm_mhz_mean", s.mhz_sum / s.count);
		cJSON_AddNumberToObject(pw, "temp_c_max", s.temp_max);
		cJSON_AddNumberToObject(pw, "capped_frac", (double)s.capped / s.count);
		cJSON_AddNumberToObject(pw, "hw_slowdown_frac", (double)s.hw_slow / s.count);
	}
	note(r, "%-16s %6.1f W over %.1f s (%ld iterations)", workload, avg_w, dt, iters);
	if (avg_w_out)
		*avg_w_out = avg_w;
	return 0;
}

static int idle_launch(struct run *r, void *ctx)
{
	(void)r;
	(void)ctx;
	usleep(100 * 1000);
	return 0;
}

/* The HBM workload: triad on three arrays of 1 GiB (less when memory is short). */
static int power_triad(struct run *r, double window, double idle_w)
{
	size_t arr = (size_t)1 << 30;
	struct triad_ctx tri;

	if (dev_free_bytes() < 4 * arr)
		arr = dev_free_bytes() / 8 / 16 * 16;
	tri.a = (float4 *)dev_alloc(r, arr);
	tri.b = (float4 *)dev_alloc(r, arr);
	tri.c = (float4 *)dev_alloc(r, arr);
	tri.n4 = arr / sizeof(float4);
	if (!tri.a || !tri.b || !tri.c || fill_f32(r, (float *)tri.b, arr / 4, 1, 1) ||
	    fill_f32(r, (float *)tri.c, arr / 4, 2, 1))
		return -1;
	return power_point(r, "hbm_triad", "none", triad_call, &tri, 0, 2.0 * arr, arr, window, idle_w, NULL);
}

/* A GEMM workload through gemm.cu's cuBLASLt helper; 0 also when cuBLASLt
 * has no algorithm for it (nothing recorded). */
static int power_gemm(struct run *r, const char *name, int T, int N, int K, enum lt_scale s, double window,
		      double idle_w)
{
	struct lt_gemm g;
	char why[300];
	int rc;

	memset(&g, 0, sizeof g);
	g.T = T;
	g.N = N;
	g.K = K;
	g.scale = s;
	rc = lt_gemm_setup(r, &g, 1, why, sizeof why);
	if (rc == 1)
		note(r, "%s: %s", name, why);
	if (rc == 0)
		rc = power_point(r, name, s == LT_BF16 ? "bf16" : "fp8", lt_gemm_launch, &g, lt_gemm_flops(&g),
				 lt_gemm_bytes_read(&g), lt_gemm_bytes_written(&g), window, idle_w, NULL);
	lt_gemm_destroy(&g);
	return rc < 0 ? -1 : 0;
}

int probe_power(struct run *r)
{
	static const struct { const char *name; int T, N, K; enum lt_scale s; } w[] = {
		{"gemm_bf16_8192", 8192, 8192, 8192, LT_BF16},
		{"gemm_fp8_8192", 8192, 8192, 8192, LT_FP8_TENSOR},
		{"gemm_bf16_m64", 64, 7168, 16384, LT_BF16},
	};
	double window = r->quick ? 2 : 5, idle_w = NAN;
	int mark = r->nallocs, failed = 0;
	size_t i;

	if (r->check_only)
		return 0;
	if (!r->nvml) {
		cJSON *rec = rec_new(r, "power/unavailable");
		rec_status(rec, "unavailable", "NVML (libnvidia-ml.so.1) could not be loaded or does not know this GPU");
		return 0;
	}
	/* idle first: nothing running, 2 s; a failed workload is recorded and the next one runs */
	if (!cfg_begin(r, "power/idle"))
		failed |= power_point(r, "idle", "none", idle_launch, NULL, 0, 0, 0, 2, NAN, &idle_w) != 0;
	if (!cfg_begin(r, "power/hbm_triad"))
		failed |= power_triad(r, window, idle_w) != 0;
	run_free_to(r, mark);
	for (i = 0; i < sizeof w / sizeof w[0]; i++) {
		if ((w[i].s != LT_BF16 && r->cc_major * 10 + r->cc_minor < 89) || cfg_begin(r, "power/%s", w[i].name))
			continue;
		failed |= power_gemm(r, w[i].name, w[i].T, w[i].N, w[i].K, w[i].s, window, idle_w) != 0;
		run_free_to(r, mark);
	}
	return failed ? -1 : 0;
}
