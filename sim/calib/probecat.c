/* probecat.c - see probecat.h */
#include <string.h>
#include "probecat.h"

static const struct probe_info probes[] = {
	{"device", "device.cu",
	 "GPU inventory: name, SMs, L2, clocks, driver, CUDA, cuBLASLt and NCCL versions, power limit",
	 "device, spec", 0},
	{"launch", "launch.cu",
	 "latency of an empty kernel: back-to-back launches, CUDA-graph nodes, one cold launch",
	 "launch", 0},
	{"hbm", "hbm.cu",
	 "STREAM read/write/copy/scale/add/triad and copy-engine memcpy, 256 KiB to 4 GiB per array",
	 "memory, elementwise.bf16", 0},
	{"paged_kv_read", "mla_decode.cu",
	 "gather-reduce of a paged MLA latent cache through a block table, no math (the decode memory roof)",
	 "attention_decode (memory roof)", 0},
	{"gemm_bf16", "gemm.cu",
	 "cuBLASLt BF16 GEMM over the DeepSeek-V3 projection shapes, M from 1 to 16384, and 8192^3",
	 "gemm.bf16", 0},
	{"gemm_fp8", "gemm.cu",
	 "cuBLASLt FP8 E4M3 GEMM, FP32 accumulate: tensorwide and 128x128/1x128 block scales (sm_90), MXFP8 (sm_100)",
	 "gemm.fp8_block, gemm.fp8_tensor, gemm.mxfp8", 0},
	{"mla_decode", "mla_decode.cu",
	 "our split-KV MLA decode kernel (paged latent cache, block 64, 576/512 dims, BF16 and FP8) plus combine",
	 "attention_decode.bf16, attention_decode.fp8", 0},
	{"moe_gemm", "moe_gemm.cu",
	 "MoE expert GEMMs (gate+up, down) for E/EP local experts, balanced and power-law routing",
	 "moe.fp8_block, moe.bf16", 0},
	{"power", "power.cu",
	 "NVML energy around steady loops of HBM and GEMM work: idle watts, joules per FLOP and per byte",
	 "power", 0},
	{"p2p", "comm.cu",
	 "GPU-to-GPU copies through the copy engines (cudaMemcpyPeer), one direction and both, all pairs",
	 "comm.p2p", 1},
	{"alltoall", "comm.cu",
	 "NCCL all-to-all, all-reduce and all-gather over 2..n GPUs of this machine, 1 KiB to 1 GiB",
	 "comm.alltoall, comm.allreduce, comm.allgather", 1},
	{NULL, NULL, NULL, NULL, 0},
};

const struct probe_info *probecat_list(void)
{
	return probes;
}

const struct probe_info *probecat_find(const char *key)
{
	const struct probe_info *p;

	for (p = probes; p->key; p++)
		if (strcmp(p->key, key) == 0)
			return p;
	return NULL;
}
