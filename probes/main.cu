/*
 * main.cu - mlasim-probe, the calibration probe runner: runs the probes of
 * sim/calib/probecat.c on one NVIDIA GPU and writes one mlasim.calib/1 document
 * (docs/probes.md s11) with a record per measured configuration.
 * 'mlasim probe' runs it and fits what it wrote (sim/calib/calib.c).
 *
 *   mlasim-probe [-o FILE] [--quick] [--check] [--device N] [--time-limit S] [KEY...]
 *   mlasim-probe -l
 *
 *   -o FILE    write the document to FILE atomically (default: stdout); while
 *              the probes run, the document so far is saved there too (status
 *              "partial") after every probe and every 30 s, so a run that is
 *              killed still leaves its records
 *   --quick    smaller sweeps, fewer samples: a smoke run of minutes
 *   --check    validate our kernels and the cuBLASLt modes against the CPU
 *              references (probes/ref_*.c) and time nothing; exit 1 if one
 *              disagrees
 *   --device N the CUDA device to measure (default 0)
 *   --time-limit S  wall-clock budget in seconds: each probe gets a share of
 *              what is left, in proportion to its weight below (a slow sweep
 *              cannot starve the probes after it; time a probe leaves unused
 *              goes to the next); no configuration starts after its probe's
 *              share or the limit is used, no probe starts after the limit.
 *              The document then has status "partial" and an error per probe
 *              that skipped configurations (how many, from which on).  One
 *              configuration may overrun: keep a margin (power: ~6 s)
 *
 * Progress goes to stderr: "# progress: KEY config N (ID), T s elapsed"
 * before every configuration, so a truncated log says where the run was.
 * SIGTERM or SIGINT: no new configuration starts, the document is written.
 *
 * Exit status: 0 document written (status ok or partial), 1 a --check
 * failed, 2 usage, 4 no usable GPU (the document still says why: status
 * "no_gpu", errors[0].msg), 5 no probe succeeded.  Nothing is printed on a
 * missing GPU: mlasim prints the one-line message.
 *
 * Build: 'make probes' (probes/probes.mk) compiles it with
 *   nvcc -std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -gencode arch=compute_100,code=sm_100 \
 *        -gencode arch=compute_90,code=compute_90 -Isim -Iprobes -c probes/main.cu
 * and links build/mlasim-probe with -lcublasLt -ldl -lpthread -lcjson.
 * NVML and NCCL are loaded at run time with dlopen when present.
 */
#include <errno.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "common.cuh"
#include "probecat.h"

static const struct runner_probe {
	const char *key;
	int (*fn)(struct run *r);
	int checks;      /* runs under --check */
	int multi_gpu;   /* needs 2+ GPUs: no share of --time-limit on one */
	double weight;   /* share of --time-limit: our guess of its seconds on an H100 */
} runner_probes[] = {
	{"device", probe_device, 0, 0, 0},
	{"launch", probe_launch, 0, 0, 2},
	{"hbm", probe_hbm, 0, 0, 10},
	{"paged_kv_read", probe_paged_kv_read, 0, 0, 10},
	{"gemm_bf16", probe_gemm_bf16, 1, 0, 25},
	{"gemm_fp8", probe_gemm_fp8, 1, 0, 60},
	{"mla_decode", probe_mla_decode, 1, 0, 150},
	{"moe_gemm", probe_moe_gemm, 0, 0, 50},
	{"power", probe_power, 0, 0, 35},
	{"p2p", probe_p2p, 0, 1, 10},
	{"alltoall", probe_alltoall, 0, 1, 20},
};
#define N_PROBES (int)(sizeof runner_probes / sizeof runner_probes[0])

static void usage(FILE *f)
{
	fprintf(f, "usage: mlasim-probe [-o FILE] [--quick] [--check] [--device N] [--time-limit SECONDS] [KEY...]\n"
		   "       mlasim-probe -l      (list the probes)\n");
}

static void list_probes(void)
{
	const struct probe_info *p;

	for (p = probecat_list(); p->key; p++)
		printf("%-14s %s%s\n", p->key, p->summary, p->multi_gpu ? " (2+ GPUs)" : "");
}

/* Write text to path atomically (temporary file + rename), or to stdout. */
static int write_doc(const char *path, const char *text)
{
	char tmp[4200];
	FILE *f;

	if (!path || strcmp(path, "-") == 0)
		return fputs(text, stdout) < 0 || fputc('\n', stdout) < 0 ? -1 : 0;
	if (strlen(path) > 4000)
		return -1;
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	if (fputs(text, f) < 0 || fputc('\n', f) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void doc_header(struct run *r, int argc, char **argv)
{
	char created[32];
	time_t now = time(NULL);
	struct tm tm;
	cJSON *tool, *args;
	int i;

	gmtime_r(&now, &tm);
	strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
	r->doc = cJSON_CreateObject();
	cJSON_AddStringToObject(r->doc, "schema", "mlasim.calib/1");
	cJSON_AddStringToObject(r->doc, "status", "ok");
	r->errors = cJSON_AddArrayToObject(r->doc, "errors");
	cJSON_AddStringToObject(r->doc, "created", created);
	tool = cJSON_AddObjectToObject(r->doc, "tool");
	cJSON_AddStringToObject(tool, "name", "mlasim-probe");
	cJSON_AddStringToObject(tool, "version", MLASIM_VERSION);
#ifdef PROBE_GIT
	cJSON_AddStringToObject(tool, "git", PROBE_GIT);
#endif
	args = cJSON_AddArrayToObject(tool, "args");
	for (i = 1; i < argc; i++)
		cJSON_AddItemToArray(args, cJSON_CreateString(argv[i]));
	cJSON_AddStringToObject(r->doc, "note",
				"results depend on clocks, power limit, driver and library versions: "
				"see env and each record's clocks");
}

/* No usable GPU: a valid document saying why (docs/probes.md s11, s12.13). */
static int no_gpu(struct run *r, const char *out, const char *why)
{
	cJSON *dev, *e = cJSON_CreateObject();
	char *text;

	cJSON_ReplaceItemInObjectCaseSensitive(r->doc, "status", cJSON_CreateString("no_gpu"));
	cJSON_AddStringToObject(e, "probe", "device");
	cJSON_AddStringToObject(e, "msg", why);
	cJSON_AddItemToArray(r->errors, e);
	/* run_describe() may have written it already: a key twice makes mlasim refuse the file */
	if (!cJSON_GetObjectItemCaseSensitive(r->doc, "device")) {
		dev = cJSON_AddObjectToObject(r->doc, "device");
		cJSON_AddNumberToObject(dev, "n_gpus_visible", r->n_gpus);
	}
	text = cJSON_Print(r->doc);
	if (!text || write_doc(out, text))
		fprintf(stderr, "mlasim-probe: %s (and cannot write '%s')\n", why, out ? out : "stdout");
	free(text);
	return 4;
}

/* ~200 ms of memory traffic so the clocks have ramped before the first probe
 * (one flush is ~0.1 ms on an H100: up to 10,000 of them). */
static void warm_up(struct run *r)
{
	size_t n = r->flush_bytes;
	cudaEvent_t a, b;
	float ms = 0, one;
	int i;

	if (cudaEventCreate(&a) != cudaSuccess || cudaEventCreate(&b) != cudaSuccess)
		return;
	for (i = 0; i < 10000 && ms < 200; i += 50) {
		int k;
		cudaEventRecord(a, r->stream);
		for (k = 0; k < 50; k++)
			cudaMemsetAsync(r->flush_buf, (i + k) & 255, n, r->stream);
		cudaEventRecord(b, r->stream);
		cudaEventSynchronize(b);
		one = 0;
		cudaEventElapsedTime(&one, a, b);
		ms += one;
	}
	cudaEventDestroy(a);
	cudaEventDestroy(b);
	cudaGetLastError();
}

void run_checkpoint(struct run *r)
{
	cJSON *copy, *e;
	char msg[300], *text;

	r->budget.last_save_s = run_elapsed(r);
	if (!r->budget.out || !r->doc)
		return;
	copy = cJSON_Duplicate(r->doc, 1);
	if (!copy)
		return;
	cJSON_ReplaceItemInObjectCaseSensitive(copy, "status", cJSON_CreateString("partial"));
	snprintf(msg, sizeof msg,
		 "checkpoint at %.1f s, during probe '%s': if this is the final file, the runner was killed "
		 "before it finished", r->budget.last_save_s, r->probe ? r->probe : "runner");
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "probe", "runner");
	cJSON_AddStringToObject(e, "msg", msg);
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(copy, "errors"), e);
	text = cJSON_Print(copy);
	if (text && write_doc(r->budget.out, text) == 0)
		fprintf(stderr, "# progress: checkpoint written to '%s' at %.1f s\n", r->budget.out,
			r->budget.last_save_s);
	free(text);
	cJSON_Delete(copy);
}

/* The CUDA context after a probe: cudaSuccess when it still works.  A failed
 * API call (a launch refused, an allocation) leaves an error that
 * cudaGetLastError() clears; a kernel fault is sticky and comes back from
 * every later call: only that one stops the run.  A capture left open by a
 * failed probe is ended. */
static cudaError_t context_error(struct run *r)
{
	cudaStreamCaptureStatus cs = cudaStreamCaptureStatusNone;
	cudaGraph_t g = NULL;
	cudaError_t e;

	if (cudaStreamIsCapturing(r->stream, &cs) == cudaSuccess && cs != cudaStreamCaptureStatusNone &&
	    cudaStreamEndCapture(r->stream, &g) == cudaSuccess && g)
		cudaGraphDestroy(g);
	cudaDeviceSynchronize();
	cudaGetLastError();
	e = cudaDeviceSynchronize();
	return e != cudaSuccess ? e : cudaGetLastError();
}

static void on_signal(int sig)
{
	(void)sig;
	run_stop_signal = 1;
}

/* The weights of the probes from j on that will run: what a share is taken of. */
static double weights_left(const struct run *r, const int *want, int j)
{
	double w = 0;

	for (; j < N_PROBES; j++)
		if (want[j] && !(runner_probes[j].multi_gpu && r->n_gpus < 2))
			w += runner_probes[j].weight;
	return w;
}

/* Before probe j: set its share of the time limit.  0 to run it, 1 when the
 * limit is used (an error says it did not start). */
static int budget_probe(struct run *r, const int *want, int j)
{
	struct budget *b = &r->budget;
	double t = run_elapsed(r), rest = weights_left(r, want, j), w = runner_probes[j].weight;

	b->probe_done = b->skipped = 0;
	b->first_skipped[0] = 0;
	if (run_stop_signal || (b->limit_s > 0 && t >= b->limit_s)) {
		run_fail(r, "%s: not started (%.1f s elapsed)",
			 run_stop_signal ? "stopped by a signal" : "time limit", t);
		return 1;
	}
	b->probe_end_s = b->limit_s <= 0 || w <= 0 || rest <= 0 ? b->limit_s : t + (b->limit_s - t) * w / rest;
	if (b->limit_s > 0)
		note(r, "share of --time-limit: until %.1f s (now %.1f s, limit %.0f s)", b->probe_end_s, t,
		     b->limit_s);
	return 0;
}

/* After a probe: an error entry when it skipped configurations; 1 if it did. */
static int budget_report(struct run *r)
{
	const struct budget *b = &r->budget;

	if (!b->skipped)
		return 0;
	run_fail(r, "%s: %d configuration%s skipped, from '%s' on (%d run; %.1f s elapsed; this probe's share "
		 "of --time-limit %.0f s ended at %.1f s)",
		 run_stop_signal ? "stopped by a signal" : "time limit", b->skipped, b->skipped == 1 ? "" : "s",
		 b->first_skipped, b->probe_done, run_elapsed(r), b->limit_s, b->probe_end_s);
	return 1;
}

/* Parse --time-limit's value: seconds > 0. */
static int parse_seconds(const char *v, double *out)
{
	char *end;
	double x = strtod(v, &end);

	if (end == v || *end || !(x > 0) || x > 1e7)
		return -1;
	*out = x;
	return 0;
}

int main(int argc, char **argv)
{
	static struct run run;
	struct run *r = &run;
	const char *out = NULL, *keys[64];
	int nkeys = 0, i, j, rc, ok = 0, failed = 0, timed_out = 0;
	int want[sizeof runner_probes / sizeof(struct runner_probe)];   /* runs probe j */
	char why[400];
	cudaError_t ce;
	char *text;

	run_clock_start(r);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-l") == 0 || strcmp(argv[i], "--list") == 0) {
			list_probes();
			return 0;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else if (strcmp(argv[i], "--quick") == 0) {
			r->quick = 1;
		} else if (strcmp(argv[i], "--check") == 0) {
			r->check_only = 1;
		} else if (strcmp(argv[i], "--device") == 0 && i + 1 < argc) {
			r->device = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--time-limit") == 0 && i + 1 < argc) {
			if (parse_seconds(argv[++i], &r->budget.limit_s)) {
				fprintf(stderr, "mlasim-probe: '--time-limit' expects seconds > 0, got '%s'\n", argv[i]);
				return 2;
			}
		} else if (argv[i][0] != '-' && probecat_find(argv[i]) && nkeys < 64) {
			keys[nkeys++] = argv[i];
		} else {
			fprintf(stderr, "mlasim-probe: unknown argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	r->budget.out = out && strcmp(out, "-") != 0 ? out : NULL;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	doc_header(r, argc, argv);
	ce = cudaGetDeviceCount(&r->n_gpus);
	if (ce != cudaSuccess) {
		snprintf(why, sizeof why, "no CUDA GPU (cudaGetDeviceCount: %s)", cudaGetErrorString(ce));
		r->n_gpus = 0;
		return no_gpu(r, out, why);
	}
	if (r->n_gpus == 0)
		return no_gpu(r, out, "no CUDA GPU (cudaGetDeviceCount found none)");
	if (r->device < 0 || r->device >= r->n_gpus) {
		snprintf(why, sizeof why, "no CUDA GPU number %d (this machine has %d)", r->device, r->n_gpus);
		return no_gpu(r, out, why);
	}
	/* non-blocking: nothing on the legacy stream orders work on it, so every
	 * copy to or from the device goes through to_dev()/from_dev() on it (a
	 * cudaMemcpy from pageable memory may return before its DMA is done) */
	if ((ce = cudaSetDevice(r->device)) != cudaSuccess ||
	    (ce = cudaStreamCreateWithFlags(&r->stream, cudaStreamNonBlocking)) != cudaSuccess) {
		snprintf(why, sizeof why, "cannot use CUDA GPU %d: %s", r->device, cudaGetErrorString(ce));
		return no_gpu(r, out, why);
	}
	r->probes = cJSON_CreateArray();
	r->probe = "device";
	nvml_open(r);
	if (run_describe(r)) {
		snprintf(why, sizeof why, "cannot describe CUDA GPU %d", r->device);
		return no_gpu(r, out, why);
	}
	cJSON_AddItemToObject(r->doc, "probes", r->probes);
	/* the L2 flush buffer: 2 x L2, at least 256 MiB (DeepGEMM flushes 256 MB) */
	r->flush_bytes = (size_t)fmax(2 * r->l2_bytes, 256.0 * (1 << 20));
	if (cudaMalloc(&r->flush_buf, r->flush_bytes) != cudaSuccess) {
		snprintf(why, sizeof why, "cannot allocate the %zu-byte L2 flush buffer", r->flush_bytes);
		return no_gpu(r, out, why);
	}
	warm_up(r);
	for (j = 0; j < N_PROBES; j++) {
		want[j] = nkeys == 0 ? (!r->check_only || runner_probes[j].checks) : 0;
		for (i = 0; i < nkeys; i++)
			want[j] |= strcmp(keys[i], runner_probes[j].key) == 0;
	}
	for (j = 0; j < N_PROBES; j++) {
		if (!want[j])
			continue;
		r->probe = runner_probes[j].key;
		if (budget_probe(r, want, j)) {
			timed_out = 1;
			continue;
		}
		note(r, "start (%.1f s elapsed)", run_elapsed(r));
		rc = runner_probes[j].fn(r);
		cudaStreamSynchronize(r->stream);
		run_free_all(r);
		if (rc == 0)
			ok++;
		else
			failed++;
		timed_out |= budget_report(r);
		note(r, "done: %d configuration%s, %.1f s elapsed", r->budget.probe_done,
		     r->budget.probe_done == 1 ? "" : "s", run_elapsed(r));
		/* a kernel fault poisons the context: nothing after it can be trusted */
		if ((ce = context_error(r)) != cudaSuccess) {
			run_fail(r, "stopping: the CUDA context is unusable (%s)", cudaGetErrorString(ce));
			failed++;
			break;
		}
		run_checkpoint(r);
	}
	r->probe = "runner";
	if (failed || timed_out)
		cJSON_ReplaceItemInObjectCaseSensitive(r->doc, "status",
						       cJSON_CreateString(ok ? "partial" : "error"));
	text = cJSON_Print(r->doc);
	if (!text || write_doc(out, text)) {
		fprintf(stderr, "mlasim-probe: cannot write '%s': %s\n", out ? out : "stdout", strerror(errno));
		return 5;
	}
	free(text);
	fprintf(stderr, "# progress: finished: %d configurations in %.1f s, status %s\n", r->budget.done,
		run_elapsed(r), failed || timed_out ? (ok ? "partial" : "error") : "ok");
	cudaFree(r->flush_buf);
	if (r->lt)
		cublasLtDestroy(r->lt);
	nvml_close(r);
	if (r->check_only && r->checks_failed)
		return 1;
	return ok ? 0 : 5;
}
