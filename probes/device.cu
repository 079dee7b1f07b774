/*
 * device.cu - probe P0 'device' (docs/probes.md s1): what the GPU is.
 * Name, compute capability, SMs, L2, HBM, opt-in shared memory and clocks
 * from the CUDA runtime; driver, power limit and current clocks from NVML
 * (power.cu, loaded at run time); cuBLASLt and NCCL versions; and the spec
 * row the runner's "derived" figures divide by.  run_describe() fills the
 * document's device, spec and env objects for every run; the 'device' probe
 * adds them as one record (status "info": nothing to time).
 *
 * Build: 'make probes' (probes/probes.mk) compiles it with
 *   nvcc -std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -gencode arch=compute_100,code=sm_100 \
 *        -gencode arch=compute_90,code=compute_90 -Isim -Iprobes -c probes/device.cu
 * and links build/mlasim-probe with -lcublasLt -ldl -lpthread -lcjson.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "common.cuh"

/*
 * Spec rows by device name (dense TFLOPS, docs/probes.md s0 and the cards in
 * hw/): the runner's own denominators.  mlasim refits against the card the
 * user calibrates, so these only label the raw records.
 */
static const struct { const char *has, *and_has, *not_has; struct spec s; } specs[] = {
	{"GB200", NULL, NULL, {"builtin:gb200", 8.0e12, 2500e12, 5000e12, 0, 1200, 900e9}},
	{"B200", NULL, NULL, {"builtin:b200", 8.0e12, 2250e12, 4500e12, 0, 1000, 900e9}},
	{"H200", NULL, NULL, {"builtin:h200_sxm", 4.8e12, 989e12, 1979e12, 0, 700, 450e9}},
	{"H800", NULL, NULL, {"builtin:h800_sxm", 3.35e12, 989e12, 1979e12, 0, 700, 200e9}},
	{"H20", NULL, "H200", {"builtin:h20", 4.0e12, 148e12, 296e12, 0, 400, 450e9}},
	{"H100", "PCIe", NULL, {"builtin:h100_pcie", 2.0e12, 756e12, 1513e12, 0, 350, 0}},
	{"H100", "NVL", NULL, {"builtin:h100_nvl", 3.9e12, 835e12, 1671e12, 0, 400, 300e9}},
	{"H100", NULL, NULL, {"builtin:h100_sxm", 3.35e12, 989e12, 1979e12, 0, 700, 450e9}},
};

/* Dense BF16 tensor FLOP per clock per SM by architecture: Ampere 2048
 * (312 TF / 108 SMs / 1.41 GHz), Hopper 4096 (989 TF / 132 / 1.83 GHz);
 * Blackwell 8192 is our estimate (2.25 PF / 148 SMs / ~1.9 GHz). */
static double flop_per_clk(int major)
{
	return major >= 10 ? 8192 : major == 9 ? 4096 : 2048;
}

static void spec_pick(struct run *r)
{
	const char *name = r->prop.name;
	size_t i;

	for (i = 0; i < sizeof specs / sizeof specs[0]; i++)
		if (strstr(name, specs[i].has) && (!specs[i].and_has || strstr(name, specs[i].and_has)) &&
		    (!specs[i].not_has || !strstr(name, specs[i].not_has))) {
			r->spec = specs[i].s;
			r->spec.flop_per_clk_per_sm_bf16 = flop_per_clk(r->cc_major);
			return;
		}
	/* unknown GPU: the clock-normalised peak and the DRAM interface's rate */
	r->spec.source = "clock-normalised estimate (GPU not in the runner's table)";
	r->spec.flop_per_clk_per_sm_bf16 = flop_per_clk(r->cc_major);
	r->spec.bf16_flops = r->spec.flop_per_clk_per_sm_bf16 * r->sms * r->max_sm_mhz * 1e6;
	r->spec.fp8_flops = (r->cc_major * 10 + r->cc_minor >= 89 ? 2 : 1) * r->spec.bf16_flops;
	r->spec.hbm_Bps = 0;
	r->spec.tdp_w = 0;
	r->spec.nvlink_uni_Bps = 0;
}

static int attr(struct run *r, enum cudaDeviceAttr a, int *v)
{
	CU(cudaDeviceGetAttribute(v, a, r->device));
	return 0;
}

__global__ void k_arch_marker(void) {}

int run_describe(struct run *r)
{
	cJSON *dev, *spec, *env, *tc, *fc;
	int v, mem_khz = 0, bus_bits = 0, rt = 0, drv = 0;
	char pci[32] = "", host[128] = "";
	struct cudaFuncAttributes fa;

	CU(cudaGetDeviceProperties(&r->prop, r->device));
	r->cc_major = r->prop.major;
	r->cc_minor = r->prop.minor;
	if (attr(r, cudaDevAttrMultiProcessorCount, &r->sms) || attr(r, cudaDevAttrL2CacheSize, &v))
		return -1;
	r->l2_bytes = v;
	if (attr(r, cudaDevAttrMaxSharedMemoryPerBlockOptin, &v))
		return -1;
	r->smem_optin = v;
	r->hbm_bytes = (double)r->prop.totalGlobalMem;
	if (attr(r, cudaDevAttrClockRate, &v))
		return -1;
	r->max_sm_mhz = v / 1e3;
	if (attr(r, cudaDevAttrMemoryClockRate, &mem_khz) || attr(r, cudaDevAttrGlobalMemoryBusWidth, &bus_bits))
		return -1;
	r->max_mem_mhz = mem_khz / 1e3;
	spec_pick(r);
	if (r->spec.hbm_Bps == 0)   /* double data rate x bus width */
		r->spec.hbm_Bps = 2.0 * mem_khz * 1e3 * bus_bits / 8;
	cudaDeviceGetPCIBusId(pci, sizeof pci, r->device);

	dev = cJSON_AddObjectToObject(r->doc, "device");
	cJSON_AddNumberToObject(dev, "index", r->device);
	cJSON_AddStringToObject(dev, "name", r->prop.name);
	cJSON_AddStringToObject(dev, "pci_bus_id", pci);
	{
		char cc[16];
		snprintf(cc, sizeof cc, "%d.%d", r->cc_major, r->cc_minor);
		cJSON_AddStringToObject(dev, "cc", cc);
	}
	cJSON_AddNumberToObject(dev, "sms", r->sms);
	cJSON_AddNumberToObject(dev, "l2_bytes", r->l2_bytes);
	cJSON_AddNumberToObject(dev, "hbm_bytes", r->hbm_bytes);
	cJSON_AddNumberToObject(dev, "smem_optin_per_block", r->smem_optin);
	cJSON_AddNumberToObject(dev, "max_sm_mhz", r->max_sm_mhz);
	cJSON_AddNumberToObject(dev, "max_mem_mhz", r->max_mem_mhz);
	cJSON_AddNumberToObject(dev, "mem_bus_bits", bus_bits);
	cJSON_AddNumberToObject(dev, "n_gpus_visible", r->n_gpus);
	nvml_describe(r, dev);

	spec = cJSON_AddObjectToObject(r->doc, "spec");
	cJSON_AddStringToObject(spec, "source", r->spec.source);
	cJSON_AddNumberToObject(spec, "hbm_Bps", r->spec.hbm_Bps);
	tc = cJSON_AddObjectToObject(spec, "tc_flops");
	cJSON_AddNumberToObject(tc, "bf16", r->spec.bf16_flops);
	cJSON_AddNumberToObject(tc, "fp8", r->spec.fp8_flops);
	fc = cJSON_AddObjectToObject(spec, "flop_per_clk_per_sm");
	cJSON_AddNumberToObject(fc, "bf16", r->spec.flop_per_clk_per_sm_bf16);
	cJSON_AddNumberToObject(fc, "fp8", 2 * r->spec.flop_per_clk_per_sm_bf16);
	cJSON_AddNumberToObject(spec, "clock_normalised_bf16_flops",
				r->spec.flop_per_clk_per_sm_bf16 * r->sms * r->max_sm_mhz * 1e6);
	if (r->spec.nvlink_uni_Bps > 0)
		cJSON_AddNumberToObject(spec, "nvlink_uni_Bps", r->spec.nvlink_uni_Bps);
	if (r->spec.tdp_w > 0)
		cJSON_AddNumberToObject(spec, "tdp_w", r->spec.tdp_w);

	env = cJSON_AddObjectToObject(r->doc, "env");
	cudaRuntimeGetVersion(&rt);
	cudaDriverGetVersion(&drv);
	cJSON_AddNumberToObject(env, "cuda_runtime", rt);
	cJSON_AddNumberToObject(env, "cuda_driver_api", drv);
	cJSON_AddNumberToObject(env, "cublaslt", (double)cublasLtGetVersion());
	cJSON_AddNumberToObject(env, "nccl", nccl_version());
	cJSON_AddStringToObject(env, "nvml", r->nvml ? "dlopen-ok" : "missing");
	if (cudaFuncGetAttributes(&fa, k_arch_marker) == cudaSuccess) {
		cJSON_AddNumberToObject(env, "loaded_binary_arch", fa.binaryVersion);
		cJSON_AddNumberToObject(env, "loaded_ptx_arch", fa.ptxVersion);
	}
	if (gethostname(host, sizeof host - 1) == 0)
		cJSON_AddStringToObject(env, "host", host);
	cJSON_AddStringToObject(env, "clocks", "not changed by the probes: recorded per record where NVML is there");
	return 0;
}

int probe_device(struct run *r)
{
	cJSON *rec = rec_new(r, "device/%d", r->device);
	const cJSON *dev = cJSON_GetObjectItemCaseSensitive(r->doc, "device");

	cJSON_ReplaceItemInObjectCaseSensitive(rec, "params", cJSON_Duplicate(dev, 1));
	rec_status(rec, "info", "inventory: nothing is timed");
	note(r, "%s, cc %d.%d, %d SMs, L2 %.0f MB, HBM %.1f GB, spec %s", r->prop.name, r->cc_major,
	     r->cc_minor, r->sms, r->l2_bytes / 1e6, r->hbm_bytes / 1e9, r->spec.source);
	return 0;
}
