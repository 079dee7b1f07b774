/*
 * main.cu - mlasim-probe, the calibration probe runner: runs the probes of
 * sim/probecat.c on one NVIDIA GPU and writes one mlasim.calib/1 document
 * (reference/probes.md s11) with a record per measured configuration.
 * 'mlasim probe' runs it and fits what it wrote (sim/calib.c).
 *
 *   mlasim-probe [-o FILE] [--quick] [--check] [--device N] [KEY...]
 *   mlasim-probe -l
 *
 *   -o FILE    write the document to FILE atomically (default: stdout)
 *   --quick    smaller sweeps, fewer samples: a smoke run of minutes
 *   --check    validate our kernels and the cuBLASLt modes against the CPU
 *              references (probes/ref_*.c) and time nothing; exit 1 if one
 *              disagrees
 *   --device N the CUDA device to measure (default 0)
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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "common.cuh"
#include "probecat.h"

static const struct {
	const char *key;
	int (*fn)(struct run *r);
	int checks;      /* runs under --check */
} runner_probes[] = {
	{"device", probe_device, 0},
	{"launch", probe_launch, 0},
	{"hbm", probe_hbm, 0},
	{"paged_kv_read", probe_paged_kv_read, 0},
	{"gemm_bf16", probe_gemm_bf16, 1},
	{"gemm_fp8", probe_gemm_fp8, 1},
	{"mla_decode", probe_mla_decode, 1},
	{"moe_gemm", probe_moe_gemm, 0},
	{"power", probe_power, 0},
	{"p2p", probe_p2p, 0},
	{"alltoall", probe_alltoall, 0},
};
#define N_PROBES (int)(sizeof runner_probes / sizeof runner_probes[0])

static void usage(FILE *f)
{
	fprintf(f, "usage: mlasim-probe [-o FILE] [--quick] [--check] [--device N] [KEY...]\n"
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
	cJSON_AddStringToObject(tool, "version", PROBE_VERSION);
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

/* No usable GPU: a valid document saying why (probes.md s11, s12.13). */
static int no_gpu(struct run *r, const char *out, const char *why)
{
	cJSON *dev, *e = cJSON_CreateObject();
	char *text;

	cJSON_ReplaceItemInObjectCaseSensitive(r->doc, "status", cJSON_CreateString("no_gpu"));
	cJSON_AddStringToObject(e, "probe", "device");
	cJSON_AddStringToObject(e, "msg", why);
	cJSON_AddItemToArray(r->errors, e);
	dev = cJSON_AddObjectToObject(r->doc, "device");
	cJSON_AddNumberToObject(dev, "n_gpus_visible", r->n_gpus);
	text = cJSON_Print(r->doc);
	if (!text || write_doc(out, text))
		fprintf(stderr, "mlasim-probe: %s (and cannot write '%s')\n", why, out ? out : "stdout");
	free(text);
	return 4;
}

/* ~200 ms of memory traffic so the clocks have ramped before the first probe. */
static void warm_up(struct run *r)
{
	size_t n = r->flush_bytes;
	cudaEvent_t a, b;
	float ms = 0;
	int i;

	if (cudaEventCreate(&a) != cudaSuccess || cudaEventCreate(&b) != cudaSuccess)
		return;
	for (i = 0; i < 200 && ms < 200; i++) {
		cudaEventRecord(a, r->stream);
		cudaMemsetAsync(r->flush_buf, i, n, r->stream);
		cudaEventRecord(b, r->stream);
		cudaEventSynchronize(b);
		float one = 0;
		cudaEventElapsedTime(&one, a, b);
		ms += one;
	}
	cudaEventDestroy(a);
	cudaEventDestroy(b);
}

int main(int argc, char **argv)
{
	static struct run run;
	struct run *r = &run;
	const char *out = NULL, *keys[64];
	int nkeys = 0, i, j, rc, ok = 0, failed = 0, want;
	char why[400];
	cudaError_t ce;
	char *text;

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
		} else if (argv[i][0] != '-' && probecat_find(argv[i]) && nkeys < 64) {
			keys[nkeys++] = argv[i];
		} else {
			fprintf(stderr, "mlasim-probe: unknown argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
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
		want = nkeys == 0 ? (!r->check_only || runner_probes[j].checks) : 0;
		for (i = 0; i < nkeys; i++)
			want |= strcmp(keys[i], runner_probes[j].key) == 0;
		if (!want)
			continue;
		r->probe = runner_probes[j].key;
		note(r, "start");
		rc = runner_probes[j].fn(r);
		cudaStreamSynchronize(r->stream);
		run_free_all(r);
		if (rc == 0)
			ok++;
		else
			failed++;
		/* a kernel fault poisons the context: nothing after it can be trusted */
		if ((ce = cudaGetLastError()) != cudaSuccess && ce != cudaErrorMemoryAllocation) {
			run_fail(r, "stopping: the CUDA context is unusable (%s)", cudaGetErrorString(ce));
			failed++;
			break;
		}
	}
	r->probe = "runner";
	if (failed)
		cJSON_ReplaceItemInObjectCaseSensitive(r->doc, "status",
						       cJSON_CreateString(ok ? "partial" : "error"));
	text = cJSON_Print(r->doc);
	if (!text || write_doc(out, text)) {
		fprintf(stderr, "mlasim-probe: cannot write '%s': %s\n", out ? out : "stdout", strerror(errno));
		return 5;
	}
	free(text);
	cudaFree(r->flush_buf);
	if (r->lt)
		cublasLtDestroy(r->lt);
	nvml_close(r);
	if (r->check_only && r->checks_failed)
		return 1;
	return ok ? 0 : 5;
}
