/*
 * launch.cu - probe P1 'launch' (docs/probes.md s1, s12.8):
 * what one kernel costs when it does nothing.
 *
 *   stream  10,000 launches of an empty kernel back to back on one stream,
 *           between two CUDA events: seconds per launch as the GPU sees it
 *           (the gap a serving engine without graphs pays per kernel)
 *   graph   the same 1,000 launches captured in one CUDA graph, replayed:
 *           seconds per graph node
 *   cold    the first launch of a kernel never launched before (lazy module
 *           loading), host clock around launch + synchronise
 *
 * Median of 7 repetitions (5 with --quick).  Feeds calib.launch and the t0
 * of every fit.
 *
 * Build: 'make probes' (probes/probes.mk) compiles it with
 *   nvcc -std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -gencode arch=compute_100,code=sm_100 \
 *        -gencode arch=compute_90,code=compute_90 -Isim -Iprobes -c probes/launch.cu
 * and links build/mlasim-probe with -lcublasLt -ldl -lpthread -lcjson.
 */
#include <math.h>
#include <stdlib.h>
#include <time.h>
#include "common.cuh"

__global__ void k_empty(void) {}
__global__ void k_empty_cold(void) {}

static double host_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void launch_record(struct run *r, const char *mode, double *s, int n, int per_sample,
			  const char *method)
{
	cJSON *rec = rec_new(r, "launch/%s", mode), *t;
	double median = stats_median(s, n);   /* sorts s */

	cJSON_AddStringToObject(rec_params(rec), "mode", mode);
	rec_work(rec, 0, 0, 0);
	t = cJSON_AddObjectToObject(rec, "timing");
	cJSON_AddStringToObject(t, "method", method);
	cJSON_AddNumberToObject(t, "samples", n);
	cJSON_AddNumberToObject(t, "calls_per_sample", per_sample);
	cJSON_AddNumberToObject(t, "median_s", median);
	cJSON_AddNumberToObject(t, "min_s", s[0]);
	cJSON_AddNumberToObject(t, "max_s", s[n - 1]);
	note(r, "%-6s %.2f us per launch", mode, (n % 2 ? s[n / 2] : s[n / 2 - 1]) * 1e6);
}

int probe_launch(struct run *r)
{
	const int n_stream = 10000, n_graph = 1000;
	int reps = r->quick ? 5 : 7, i, k;
	double s[7], t0;
	cudaEvent_t a, b;
	cudaGraph_t g;
	cudaGraphExec_t ge;
	float ms;

	CU(cudaEventCreate(&a));
	CU(cudaEventCreate(&b));
	/* cold first: nothing has launched k_empty_cold yet */
	CU(cudaStreamSynchronize(r->stream));
	t0 = host_now();
	k_empty_cold<<<1, 1, 0, r->stream>>>();
	CU(cudaGetLastError());
	CU(cudaStreamSynchronize(r->stream));
	s[0] = host_now() - t0;
	launch_record(r, "cold", s, 1, 1, "host clock around launch + synchronise, once");

	for (i = 0; i < 100; i++)
		k_empty<<<1, 1, 0, r->stream>>>();
	CU(cudaGetLastError());
	for (k = 0; k < reps; k++) {
		CU(cudaEventRecord(a, r->stream));
		for (i = 0; i < n_stream; i++)
			k_empty<<<1, 1, 0, r->stream>>>();
		CU(cudaEventRecord(b, r->stream));
		CU(cudaEventSynchronize(b));
		CU(cudaEventElapsedTime(&ms, a, b));
		s[k] = ms * 1e-3 / n_stream;
	}
	launch_record(r, "stream", s, reps, n_stream, "cuda events around back-to-back launches");

	CU(cudaStreamBeginCapture(r->stream, cudaStreamCaptureModeThreadLocal));
	for (i = 0; i < n_graph; i++)
		k_empty<<<1, 1, 0, r->stream>>>();
	CU(cudaStreamEndCapture(r->stream, &g));
	CU(cudaGraphInstantiate(&ge, g, 0));
	CU(cudaGraphLaunch(ge, r->stream));          /* warm-up: uploads the graph */
	CU(cudaStreamSynchronize(r->stream));
	for (k = 0; k < reps; k++) {
		CU(cudaEventRecord(a, r->stream));
		CU(cudaGraphLaunch(ge, r->stream));
		CU(cudaEventRecord(b, r->stream));
		CU(cudaEventSynchronize(b));
		CU(cudaEventElapsedTime(&ms, a, b));
		s[k] = ms * 1e-3 / n_graph;
	}
	launch_record(r, "graph", s, reps, n_graph, "cuda events around one graph of 1000 kernel nodes");
	cudaGraphExecDestroy(ge);
	cudaGraphDestroy(g);
	cudaEventDestroy(a);
	cudaEventDestroy(b);
	return 0;
}
