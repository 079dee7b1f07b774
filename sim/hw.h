/*
 * hw.h - the hardware card (hw/README.md), read into SI units.
 *
 * Card keys carry their unit (_gb, _gbs, _tflops, _w, _kw, _us, _usd); the
 * loader converts once, so the engine sees bytes, bytes/s, FLOP/s, watts and
 * seconds.  A figure the card does not give is NAN: the engine says what it
 * lacks instead of guessing.
 */
#ifndef MLASIM_HW_H
#define MLASIM_HW_H

#include <cjson/cJSON.h>
#include "err.h"

struct hw_gpu {
	double hbm_bytes;          /* nominal HBM */
	double hbm_usable_bytes;   /* what software can allocate */
	double hbm_bw;             /* B/s */
	double flops_bf16;         /* dense FLOP/s */
	double flops_fp8;          /* dense FLOP/s; NAN: no FP8 units */
	double flops_fp4;          /* dense FLOP/s; 0 or NAN: no FP4 units */
	double tdp_w, idle_w;
	double sms;
	double l2_bytes;
	double reserve_bytes;      /* runtime: CUDA context, workspaces, NCCL buffers */
	double compute_capability; /* NVIDIA's SM version (9.0, 10.0, 10.3): what engines key their
	                              kernel choices on; NAN: not an NVIDIA GPU, or not given */
};

struct hw_scale_up {
	char technology[32];
	char topology[16];         /* "switch" or "mesh" */
	double bw;                 /* per GPU per direction, B/s */
	double achievable_bw;      /* what a collective sees (B/s); NAN: bw x efficiency.scale_up */
	double link_bw;            /* one link (mesh: per GPU pair), per direction */
	double domain_gpus;
	double latency_s;
};

struct hw_scale_out {
	char technology[32];
	double nic_bw;             /* per NIC per direction, B/s */
	double nics_per_gpu;
	double planes_per_nic;
	double planes;             /* network planes (multi-plane fat tree); NAN: one */
	double effective_bw_per_nic;   /* what a collective sees (B/s); NAN: nic_bw x efficiency.scale_out */
	double switch_radix;
	double switch_usd, link_usd, endpoint_link_usd, switch_w;
	double latency_s, hop_latency_s;
};

struct hw_node { double gpus, cpus, max_w, cpu_w, other_w; };
struct hw_rack { double gpus, power_w, air_limit_w; char cooling[16]; };
struct hw_facility { double pue, usd_per_kwh; };
struct hw_cost { double gpu_hour_usd, capex_usd_per_gpu, amortization_years; };
struct hw_efficiency { double compute, memory, scale_up, scale_out, kernel_latency_s; };

/*
 * Kernel classes whose achieved efficiency differs, and their parameters in
 * the kernel model of kern.h.  Filled from the card's `efficiency` section,
 * then replaced class by class by the fits in `calibration.calib`: published
 * kernel measurements (hw/published/) or probes run on a GPU.
 * Two classes specialise another where a card's measurements tell them
 * apart, and stand in for it only there (hw_kclass_use): MHA/GQA decode
 * attention (attention_decode_gqa; FlashInfer's GQA decode on H20 reaches
 * 0.46 of the BF16 peak at 64-128 query heads per KV head where its MLA
 * decode reaches 0.73-0.84, hw/published/h20/infersim-f2293dab.json) and the
 * contiguous grouped GEMM of prefill (moe_grouped_gemm_prefill; on H20
 * DeepGEMM's contiguous layout reaches 0.88-0.91 of the FP8 peak where the
 * masked layout of decode stays at 0.55-0.75, the same file).  Two more
 * specialise moe_grouped_gemm for a serving engine's own fused-MoE kernel
 * where its card names one (engine.h moe_class): vLLM's fused_moe and
 * SGLang's fused_moe_triton (moe_grouped_gemm_vllm, _sglang), measured by
 * aiconfigurator on Hopper, where both run Triton kernels that hold up at
 * MoE tensor parallelism (a 1/tp slice of every expert) where TensorRT-LLM's
 * CUTLASS module, the moe_grouped_gemm fit, takes 1.0-4.5x as long (median
 * 1.6: docs/kernels.md s5.11).
 */
enum kclass {
	K_GEMM_BF16, K_GEMM_FP8, K_GEMM_FP8_BLOCK, K_GEMM_FP4, K_ATTN_DECODE,
	K_ATTN_DECODE_FP8, K_ATTN_DECODE_GQA, K_ATTN_PREFILL, K_MOE, K_MOE_PREFILL, K_ELEMWISE,
	K_MOE_VLLM, K_MOE_SGLANG,
	K_CLASSES,
};

/* Where a class's parameters come from. */
enum kcal { KCAL_DEFAULTS, KCAL_PROBES, KCAL_PUBLISHED };

struct hw_kernel_eff {
	double compute;      /* fraction of the dtype's dense peak */
	double memory;       /* fraction of HBM bandwidth */
	double t0_s;         /* fixed time per kernel */
	double kblock_s;     /* GEMMs: the K-loop floor, seconds per 128-deep K block (kern.h); 0: none */
	double blend;        /* p of the smooth maximum of the two roofs; 0: max() */
	double elem_s;       /* prefill attention: seconds per softmax exponential (kern.h); 0: none */
	double cta_s;        /* prefill attention: seconds per thread block (kern.h); 0: none */
	int calibrated;      /* enum kcal */
	int act_quant;       /* GEMMs on fp8/fp4 weights: the fit's records timed the quantisation of
	                        the activations with the GEMM (aiconfigurator's TRT-LLM Linear ops),
	                        so the class carries it; 0: the engine charges it apart (perf.h) */
};

/*
 * A collective measured on `gpus` GPUs of one scale-up domain (nccl-tests),
 * fitted to NCCL's three protocols (comm.h, comm_nccl_s): per protocol a
 * latency, and the bus bandwidth that Simple reaches.
 */
enum { HW_COLL_AR, HW_COLL_AG, HW_COLL_A2A, HW_COLL_OPS };
#define HW_MAX_COLL_FITS 4
struct hw_coll_fit {
	double gpus;
	double lat_s[3];     /* LL, LL128, Simple */
	double busbw;        /* B/s, Simple's */
};

/* DeepEP's all-to-all (comm_ep_s), inside one scale-up domain or across
 * domains over RDMA: a latency, the time of one serial memory round (the
 * normal kernels', comm_ep_normal_rounds; 0 for the low-latency kernels) and
 * the bandwidth of the bytes the engine counts per GPU. */
struct hw_ep_fit {
	double lat_s;
	double bw;           /* B/s; 0: no fit */
	double round_s;
};

/* A serving engine's own all-reduce inside one NVLink domain measured on
 * `gpus` GPUs (comm_custom_ar_s): the latencies of its one-shot and two-shot
 * kernels and the bandwidth both read their peers' buffers at. */
struct hw_car_fit {
	double gpus;
	double lat_s[2];     /* one-shot, two-shot */
	double bw;           /* B/s */
};
/* The fits of one engine (calibration.calib.custom_allreduce.<engine>). */
#define HW_MAX_CAR_ENGINES 4
struct hw_car {
	char engine[16];     /* the engine card's name: "vllm", "sglang", "trtllm" */
	struct hw_car_fit fit[HW_MAX_COLL_FITS];
	int nfit;
};

/* Sources a published calibration was fitted from, as the card lists them. */
#define HW_MAX_CAL_SOURCES 32

struct hw {
	char name[64];
	char display[128];
	char path[512];
	struct hw_gpu gpu;
	struct hw_scale_up scale_up;
	struct hw_scale_out scale_out;
	struct hw_node node;
	struct hw_rack rack;
	struct hw_facility facility;
	struct hw_cost cost;
	struct hw_efficiency eff;
	struct hw_kernel_eff kern[K_CLASSES];
	int calibrated;                 /* enum kcal: the card's calibration, if any */
	struct hw_coll_fit coll[HW_COLL_OPS][HW_MAX_COLL_FITS];   /* calibration.calib.collectives */
	int ncoll[HW_COLL_OPS];
	struct hw_ep_fit ep_up[2];      /* calibration.calib.deepep.{dispatch, combine} */
	struct hw_ep_fit ep_rdma[2];    /* calibration.calib.deepep_rdma.{dispatch, combine}: across
					 * domains, over the NICs */
	struct hw_ep_fit ep_normal[2];  /* calibration.calib.deepep_normal.{dispatch, combine}: the
					 * normal (prefill) kernels inside one domain, at DeepEP's
					 * default SMs */
	struct hw_car car[HW_MAX_CAR_ENGINES];   /* calibration.calib.custom_allreduce */
	int ncar;
	int links_calibrated;           /* enum kcal of the collectives and DeepEP fits */
	int ncal_sources;
	char cal_source[HW_MAX_CAL_SOURCES][320];   /* "id: ref" of each published source */
	int power_calibrated;           /* calibration.calib.power: measured energies */
	double power_idle_w, e_per_flop, e_per_byte;   /* W, J/FLOP (bf16), J/HBM byte */
	char calibration_device[128];   /* device they were measured on */
	char calibration_date[32];      /* calibration.date when the document gives one */
	char calibration_borrowed_from[64];   /* calibration.borrowed_from: the published fits are
					       * another card's (borrow.h); "" when they are its own */
	char calibration_borrow_why[2048];    /* calibration.borrow.why */
};

/* Name of a kernel class ("gemm_fp8", static text). */
const char *hw_kclass_name(enum kclass k);

/* The class whose parameters time a call of class k on h: k itself where
 * h's calibration fits it (published or probes), else, for a class that
 * specialises another (attention_decode_gqa, moe_grouped_gemm_prefill,
 * moe_grouped_gemm_vllm, _sglang), the class it specialises
 * (attention_decode, moe_grouped_gemm); any other class is its own. */
enum kclass hw_kclass_use(const struct hw *h, enum kclass k);

/* The fit of collective op (HW_COLL_*) measured on the GPU count nearest n
 * (the larger of two as near), or NULL when the card has none. */
const struct hw_coll_fit *hw_coll_fit_for(const struct hw *h, int op, double n);

/* The fit of engine `engine`'s own all-reduce measured on the GPU count
 * nearest n (the larger of two as near), or NULL when the card has none for
 * that engine. */
const struct hw_car_fit *hw_car_fit_for(const struct hw *h, const char *engine, double n);

/* The card-key name of collective op: "all_reduce", "all_gather", "alltoall". */
const char *hw_coll_name(int op);

/* Where parameters came from, enum kcal: "defaults", "probes", "published". */
const char *hw_kcal_name(int kcal);

/*
 * Load hardware card `path` into *h, applying the nsets "section.key=value"
 * overrides in `sets` first.  An override of a scale_up key sets the card's
 * collective and DeepEP fits aside (they measured the card's own links), one
 * of a scale_out key its DeepEP fit across domains (it measured the card's
 * NICs).  Returns 0 or, with a message naming file and key, EXIT_INPUT (a bad
 * card), EXIT_USAGE (a bad --set) or EXIT_ENV (out of memory).
 */
int hw_load(const char *path, const char *const *sets, int nsets,
	    struct hw *h, struct err *e);

/* Read a card from parsed JSON into *h (all of it overwritten); `file` names
 * it in errors and becomes h->path.  Returns 0 or EXIT_INPUT. */
int hw_from_json(const cJSON *root, const char *file, struct hw *h, struct err *e);

/* The kernel class the engine times with the fit calibration.calib.<section>.
 * <variant>.fit of a calibrated card ("gemm", "fp8_block": K_GEMM_FP8_BLOCK),
 * or -1 when the engine reads no such fit. */
int hw_calib_kclass(const char *section, const char *variant);

/* The (section, variant) a fit of class c is written under ("gemm",
 * "fp8_block", static text): the first the engine reads for it.  Returns 0, or
 * -1 for none with *section and *variant untouched. */
int hw_calib_key_of(enum kclass c, const char **section, const char **variant);

/* 1 when `pue` is a power usage effectiveness mlasim takes (a card's
 * facility.pue, or --pue): facility power includes IT power, so at least 1
 * (The Green Grid, White Paper #49), and at most 5, past any data centre on
 * record; 0 otherwise (NAN included). */
int hw_pue_valid(double pue);

/* 1 when the key of "section.key=value" is one a hardware card may hold. */
int hw_set_known(const char *assignment);

/* 1 when `key` (the part before '.') names a hardware card section, so that a
 * '--set gpu.hbm_gbs=...' goes to the hardware card rather than the model. */
int hw_is_section(const char *key);

#endif
