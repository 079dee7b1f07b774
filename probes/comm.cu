/*
 * comm.cu - probes P9 'p2p' and P10 'alltoall' (docs/probes.md s9):
 * GPU-to-GPU bandwidth inside this machine.  Both need two GPUs or more and
 * record status "skipped_single_gpu" otherwise.
 *
 * p2p: for every ordered pair with peer access, cudaMemcpyPeerAsync (the
 *   copy engines) of 4 KiB .. 1 GiB (x4 steps; x16 with --quick), one
 *   direction, then both at once on two streams; CUDA events on the source
 *   GPU's stream, median of 7.  GB/s per direction (1e9 B/s).
 * alltoall: NCCL loaded at run time (dlopen "libnccl.so.2"; nccl.h is used
 *   for its types only), one process driving n = 2, 4, 8 GPUs through
 *   ncclCommInitAll; ncclAlltoAll where the library has it (NCCL >= 2.28),
 *   else grouped ncclSend/ncclRecv as nccl-tests does; also ncclAllReduce
 *   and ncclAllGather.  S = bytes per rank (the send buffer) from 1 KiB to
 *   1 GiB; 5 warm-up calls, then 20 calls between events on every rank's
 *   stream, the slowest rank counting; median of 5.  algbw = S / t; busbw =
 *   algbw x (n-1)/n (all-to-all, all-gather) or 2(n-1)/n (all-reduce), the
 *   nccl-tests convention.  NCCL_ALGO / NCCL_PROTO are recorded if set.
 *
 * Build: 'make probes' (probes/probes.mk) compiles it with
 *   nvcc -std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -gencode arch=compute_100,code=sm_100 \
 *        -gencode arch=compute_90,code=compute_90 -Isim -Iprobes -c probes/comm.cu
 * and links build/mlasim-probe with -lcublasLt -ldl -lpthread -lcjson.
 */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nccl.h>
#include "common.cuh"

#define MAX_GPUS 16

/* ==== NCCL at run time ================================================================ */

struct nccl_fns {
	void *lib;
	decltype(&ncclGetVersion) get_version;
	decltype(&ncclCommInitAll) init_all;
	decltype(&ncclCommDestroy) destroy;
	decltype(&ncclAllReduce) all_reduce;
	decltype(&ncclAllGather) all_gather;
	decltype(&ncclAlltoAll) alltoall;     /* NULL before NCCL 2.28 */
	decltype(&ncclSend) send;
	decltype(&ncclRecv) recv;
	decltype(&ncclGroupStart) group_start;
	decltype(&ncclGroupEnd) group_end;
	decltype(&ncclGetErrorString) error_string;
};

template <typename F> static void sym(void *lib, const char *name, F *out)
{
	*out = reinterpret_cast<F>(dlsym(lib, name));
}

static int nccl_load(struct nccl_fns *f)
{
	memset(f, 0, sizeof *f);
	f->lib = dlopen("libnccl.so.2", RTLD_NOW | RTLD_LOCAL);
	if (!f->lib)
		return -1;
	sym(f->lib, "ncclGetVersion", &f->get_version);
	sym(f->lib, "ncclCommInitAll", &f->init_all);
	sym(f->lib, "ncclCommDestroy", &f->destroy);
	sym(f->lib, "ncclAllReduce", &f->all_reduce);
	sym(f->lib, "ncclAllGather", &f->all_gather);
	sym(f->lib, "ncclAlltoAll", &f->alltoall);
	sym(f->lib, "ncclSend", &f->send);
	sym(f->lib, "ncclRecv", &f->recv);
	sym(f->lib, "ncclGroupStart", &f->group_start);
	sym(f->lib, "ncclGroupEnd", &f->group_end);
	sym(f->lib, "ncclGetErrorString", &f->error_string);
	if (!f->get_version || !f->init_all || !f->destroy || !f->all_reduce || !f->all_gather || !f->send ||
	    !f->recv || !f->group_start || !f->group_end || !f->error_string) {
		dlclose(f->lib);
		f->lib = NULL;
		return -1;
	}
	return 0;
}

int nccl_version(void)
{
	struct nccl_fns f;
	int v = 0;

	if (nccl_load(&f))
		return 0;
	if (f.get_version(&v) != ncclSuccess)
		v = 0;
	dlclose(f.lib);
	return v;
}

static int skipped_single(struct run *r)
{
	cJSON *rec = rec_new(r, "%s", r->probe);

	rec_status(rec, "skipped_single_gpu", "needs two GPUs or more");
	note(r, "skipped: %d GPU visible", r->n_gpus);
	return 0;
}

/* A record with the common fields of both probes. */
static void comm_record(struct run *r, cJSON *rec, double bytes_moved, double t)
{
	cJSON *tm;

	rec_work(rec, 0, bytes_moved, 0);
	tm = cJSON_AddObjectToObject(rec, "timing");
	cJSON_AddStringToObject(tm, "method", "cuda events, median");
	cJSON_AddNumberToObject(tm, "median_s", t);
	(void)r;
}

/* ==== p2p ========================================================================== */

int probe_p2p(struct run *r)
{
	size_t max_bytes = (size_t)1 << 30, bytes, step = r->quick ? 16 : 4;
	int src, dst, k, reps = r->quick ? 5 : 7, dir, ok;
	void *bs[MAX_GPUS] = {0}, *bd[MAX_GPUS] = {0};
	cudaStream_t st[MAX_GPUS] = {0};
	cudaEvent_t ev[MAX_GPUS][2];
	double s[7];
	float ms;
	int n = r->n_gpus < MAX_GPUS ? r->n_gpus : MAX_GPUS, rc = -1, made = 0;

	if (r->check_only)
		return 0;
	if (r->n_gpus < 2)
		return skipped_single(r);
	for (src = 0; src < n; src++) {
		made = src + 1;
		memset(ev[src], 0, sizeof ev[src]);
		if (cudaSetDevice(src) != cudaSuccess || cudaMalloc(&bs[src], max_bytes) != cudaSuccess ||
		    cudaMalloc(&bd[src], max_bytes) != cudaSuccess ||
		    cudaStreamCreateWithFlags(&st[src], cudaStreamNonBlocking) != cudaSuccess ||
		    cudaEventCreate(&ev[src][0]) != cudaSuccess || cudaEventCreate(&ev[src][1]) != cudaSuccess) {
			run_fail(r, "cannot set up GPU %d for peer copies: %s", src, cudaGetErrorString(cudaGetLastError()));
			goto end;
		}
		for (dst = 0; dst < n; dst++) {
			int can = 0;
			if (dst != src && cudaDeviceCanAccessPeer(&can, src, dst) == cudaSuccess && can) {
				cudaError_t e = cudaDeviceEnablePeerAccess(dst, 0);
				if (e != cudaSuccess && e != cudaErrorPeerAccessAlreadyEnabled) {
					run_fail(r, "cannot enable peer access %d -> %d: %s", src, dst, cudaGetErrorString(e));
					goto end;
				}
				cudaGetLastError();
			}
		}
	}
	for (src = 0; src < n; src++)
		for (dst = 0; dst < n; dst++) {
			int can = 0;
			if (src == dst)
				continue;
			cudaDeviceCanAccessPeer(&can, src, dst);
			for (dir = 0; dir < 2; dir++)
				for (bytes = 4096; bytes <= max_bytes; bytes *= step) {
					cJSON *rec;
					if (cfg_begin(r, "p2p/src=%d,dst=%d,bytes=%zu,dir=%s", src, dst, bytes,
						      dir ? "bidir" : "uni"))
						continue;
					for (k = -2; k < reps; k++) {      /* two warm-ups */
						ok = cudaSetDevice(src) == cudaSuccess &&
						     cudaEventRecord(ev[src][0], st[src]) == cudaSuccess &&
						     cudaMemcpyPeerAsync(bd[dst], dst, bs[src], src, bytes, st[src]) == cudaSuccess;
						if (ok && dir)   /* the other direction at the same time */
							ok = cudaSetDevice(dst) == cudaSuccess &&
							     cudaMemcpyPeerAsync(bd[src], src, bs[dst], dst, bytes, st[dst]) == cudaSuccess &&
							     cudaEventRecord(ev[dst][1], st[dst]) == cudaSuccess &&
							     cudaSetDevice(src) == cudaSuccess &&
							     cudaStreamWaitEvent(st[src], ev[dst][1], 0) == cudaSuccess;
						ok = ok && cudaEventRecord(ev[src][1], st[src]) == cudaSuccess &&
						     cudaEventSynchronize(ev[src][1]) == cudaSuccess &&
						     cudaEventElapsedTime(&ms, ev[src][0], ev[src][1]) == cudaSuccess;
						if (!ok) {
							run_fail(r, "peer copy %d -> %d failed: %s", src, dst,
								 cudaGetErrorString(cudaGetLastError()));
							goto end;
						}
						if (k >= 0)
							s[k] = ms * 1e-3;
					}
					rec = rec_cfg(r);
					cJSON_AddNumberToObject(rec_params(rec), "src", src);
					cJSON_AddNumberToObject(rec_params(rec), "dst", dst);
					cJSON_AddNumberToObject(rec_params(rec), "bytes", (double)bytes);
					cJSON_AddStringToObject(rec_params(rec), "dir", dir ? "bidir" : "uni");
					cJSON_AddStringToObject(rec_params(rec), "engine", "ce");
					cJSON_AddBoolToObject(rec_params(rec), "peer_access", can);
					comm_record(r, rec, (dir ? 2.0 : 1.0) * bytes, stats_median(s, reps));
					if (bytes * step > max_bytes)
						note(r, "%d -> %d %s %7.1f GB/s per direction", src, dst, dir ? "bidir" : "uni  ",
						     bytes / stats_median(s, reps) / 1e9);
				}
		}
	rc = 0;
end:
	for (src = 0; src < made; src++) {
		cudaSetDevice(src);
		cudaFree(bs[src]);
		cudaFree(bd[src]);
		if (st[src])
			cudaStreamDestroy(st[src]);
		if (ev[src][0])
			cudaEventDestroy(ev[src][0]);
		if (ev[src][1])
			cudaEventDestroy(ev[src][1]);
	}
	cudaSetDevice(r->device);
	return rc;
}

/* ==== alltoall ======================================================================== */

enum coll { C_ALLTOALL, C_ALLREDUCE, C_ALLGATHER, C_N };
static const char *const coll_name[C_N] = {"alltoall", "allreduce", "allgather"};

struct nccl_run {
	struct nccl_fns *f;
	int n;
	ncclComm_t comm[MAX_GPUS];
	cudaStream_t st[MAX_GPUS];
	void *send[MAX_GPUS], *recv[MAX_GPUS];
};

/* One collective of S bytes per rank on every rank (bf16 elements). */
static ncclResult_t coll_call(struct nccl_run *x, enum coll c, size_t S)
{
	size_t count = S / 2, per = count / x->n;
	ncclResult_t res;
	int i, j;

	if ((res = x->f->group_start()) != ncclSuccess)
		return res;
	for (i = 0; i < x->n; i++) {
		switch (c) {
		case C_ALLREDUCE:
			res = x->f->all_reduce(x->send[i], x->recv[i], count, ncclBfloat16, ncclSum, x->comm[i], x->st[i]);
			break;
		case C_ALLGATHER:    /* each rank contributes S / n; S is the gathered size */
			res = x->f->all_gather(x->send[i], x->recv[i], per, ncclBfloat16, x->comm[i], x->st[i]);
			break;
		default:
			if (x->f->alltoall) {
				res = x->f->alltoall(x->send[i], x->recv[i], per, ncclBfloat16, x->comm[i], x->st[i]);
				break;
			}
			for (j = 0; j < x->n && res == ncclSuccess; j++) {
				res = x->f->send((char *)x->send[i] + j * per * 2, per, ncclBfloat16, j, x->comm[i], x->st[i]);
				if (res == ncclSuccess)
					res = x->f->recv((char *)x->recv[i] + j * per * 2, per, ncclBfloat16, j, x->comm[i],
							 x->st[i]);
			}
		}
		if (res != ncclSuccess) {
			x->f->group_end();
			return res;
		}
	}
	return x->f->group_end();
}

int probe_alltoall(struct run *r)
{
	static const int ns[] = {2, 4, 8, 16};
	const int iters = 20, reps = r->quick ? 3 : 5;
	size_t max_bytes = r->quick ? (size_t)1 << 28 : (size_t)1 << 30, S, step = r->quick ? 16 : 4;
	struct nccl_fns f;
	struct nccl_run x;
	cudaEvent_t ev[MAX_GPUS][2];
	int k, i, c, devs[MAX_GPUS], ok = 1, failed = 0;
	size_t ni;
	double s[5];
	ncclResult_t res;

	if (r->check_only)
		return 0;
	if (r->n_gpus < 2)
		return skipped_single(r);
	if (nccl_load(&f)) {
		cJSON *rec = rec_new(r, "alltoall/unavailable");
		rec_status(rec, "unavailable", "libnccl.so.2 could not be loaded");
		return 0;
	}
	for (ni = 0; ni < sizeof ns / sizeof ns[0] && ns[ni] <= r->n_gpus && ns[ni] <= MAX_GPUS; ni++) {
		memset(&x, 0, sizeof x);
		memset(ev, 0, sizeof ev);
		x.f = &f;
		x.n = ns[ni];
		for (i = 0; i < x.n; i++)
			devs[i] = i;
		if ((res = f.init_all(x.comm, x.n, devs)) != ncclSuccess) {
			run_fail(r, "ncclCommInitAll(%d): %s", x.n, f.error_string(res));
			failed = 1;
			break;
		}
		for (i = 0; i < x.n && ok; i++)
			ok = cudaSetDevice(i) == cudaSuccess && cudaStreamCreateWithFlags(&x.st[i], cudaStreamNonBlocking) == cudaSuccess &&
			     cudaMalloc(&x.send[i], max_bytes) == cudaSuccess && cudaMalloc(&x.recv[i], max_bytes) == cudaSuccess &&
			     cudaMemsetAsync(x.send[i], 0x3c, max_bytes, x.st[i]) == cudaSuccess &&
			     cudaEventCreate(&ev[i][0]) == cudaSuccess && cudaEventCreate(&ev[i][1]) == cudaSuccess;
		if (!ok) {
			run_fail(r, "cannot set up %d GPUs for NCCL", x.n);
			failed = 1;
		}
		for (c = 0; c < C_N && ok; c++)
			for (S = 1024; S <= max_bytes && ok; S *= step) {
				cJSON *rec;
				double factor = (c == C_ALLREDUCE ? 2.0 : 1.0) * (x.n - 1) / x.n;
				if (S / 2 < (size_t)x.n ||
				    cfg_begin(r, "alltoall/coll=%s,n=%d,bytes=%zu", coll_name[c], x.n, S))
					continue;
				for (k = -1; k < reps && ok; k++) {
					double worst = 0;
					int it, warm = k < 0 ? 5 : 0;
					for (it = 0; it < warm && ok; it++)
						ok = coll_call(&x, (enum coll)c, S) == ncclSuccess;
					for (i = 0; i < x.n && ok; i++)
						ok = cudaSetDevice(i) == cudaSuccess && cudaEventRecord(ev[i][0], x.st[i]) == cudaSuccess;
					for (it = 0; it < iters && ok; it++)
						ok = coll_call(&x, (enum coll)c, S) == ncclSuccess;
					for (i = 0; i < x.n && ok; i++) {
						float ms = 0;
						ok = cudaSetDevice(i) == cudaSuccess && cudaEventRecord(ev[i][1], x.st[i]) == cudaSuccess &&
						     cudaEventSynchronize(ev[i][1]) == cudaSuccess &&
						     cudaEventElapsedTime(&ms, ev[i][0], ev[i][1]) == cudaSuccess;
						worst = fmax(worst, ms * 1e-3 / iters);
					}
					if (k >= 0)
						s[k] = worst;
				}
				if (!ok) {
					run_fail(r, "%s on %d GPUs failed at %zu bytes", coll_name[c], x.n, S);
					failed = 1;
					break;
				}
				rec = rec_cfg(r);
				cJSON_AddStringToObject(rec_params(rec), "coll", coll_name[c]);
				cJSON_AddNumberToObject(rec_params(rec), "n", x.n);
				cJSON_AddNumberToObject(rec_params(rec), "bytes", (double)S);
				cJSON_AddStringToObject(rec_params(rec), "dtype", "bf16");
				cJSON_AddStringToObject(rec_params(rec), "api", c == C_ALLTOALL && !f.alltoall ? "grouped send/recv" :
							c == C_ALLTOALL ? "ncclAlltoAll" : coll_name[c]);
				if (getenv("NCCL_ALGO"))
					cJSON_AddStringToObject(rec_params(rec), "NCCL_ALGO", getenv("NCCL_ALGO"));
				if (getenv("NCCL_PROTO"))
					cJSON_AddStringToObject(rec_params(rec), "NCCL_PROTO", getenv("NCCL_PROTO"));
				comm_record(r, rec, (double)S, stats_median(s, reps));
				{
					cJSON *d = cJSON_AddObjectToObject(rec, "derived");
					double t = stats_median(s, reps);
					cJSON_AddNumberToObject(d, "algbw_gbps", S / t / 1e9);
					cJSON_AddNumberToObject(d, "busbw_gbps", S / t / 1e9 * factor);
				}
				if (S * step > max_bytes)
					note(r, "%-9s n=%d %10zu B: busbw %7.1f GB/s", coll_name[c], x.n, S,
					     S / stats_median(s, reps) / 1e9 * factor);
			}
		for (i = 0; i < x.n; i++) {
			cudaSetDevice(i);
			if (x.comm[i])
				f.destroy(x.comm[i]);
			cudaFree(x.send[i]);
			cudaFree(x.recv[i]);
			if (x.st[i])
				cudaStreamDestroy(x.st[i]);
			if (ev[i][0])
				cudaEventDestroy(ev[i][0]);
			if (ev[i][1])
				cudaEventDestroy(ev[i][1]);
		}
		if (!ok)
			break;
	}
	cudaSetDevice(r->device);
	dlclose(f.lib);
	return failed ? -1 : 0;
}
