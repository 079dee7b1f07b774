/*
 * fuzz_hw.c - the hardware-card loader: hw_from_json() on the parsed bytes.
 * An accepted card holds positive figures (or NAN where the card says
 * nothing), and the engine must plan bundled models on it (a dense model at
 * tp 8, DeepSeek-V3 with EP inside and across scale-up domains) without a
 * crash or a NaN: check_plan.h.
 */
#include <cjson/cJSON.h>
#include "check_plan.h"
#include "hw.h"

static struct model v3, llama;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct err e = {0};

	(void)argc;
	(void)argv;
	if (model_load("models/deepseek-v3.json", NULL, 0, &v3, &e) ||
	    model_load("models/llama-3.1-70b.json", NULL, 0, &llama, &e)) {
		fprintf(stderr, "fuzz_hw: run from the repository root: %s\n", e.msg);
		exit(2);
	}
	return 0;
}

#define FZ_POS_OR_NAN(x) FZ_CHECK(isnan(x) || (isfinite(x) && (x) >= 0), "%s = %g", #x, (double)(x))

static void fz_check_hw(const struct hw *h)
{
	int k;

	FZ_CHECK(memchr(h->name, 0, sizeof h->name) && memchr(h->display, 0, sizeof h->display) &&
		 memchr(h->scale_up.topology, 0, sizeof h->scale_up.topology) &&
		 memchr(h->rack.cooling, 0, sizeof h->rack.cooling) &&
		 memchr(h->calibration_device, 0, sizeof h->calibration_device),
		 "a string field is not terminated");
	FZ_CHECK(isfinite(h->gpu.hbm_usable_bytes) && h->gpu.hbm_usable_bytes > 0,
		 "hbm_usable_bytes = %g", h->gpu.hbm_usable_bytes);
	FZ_CHECK(isfinite(h->gpu.hbm_bw) && h->gpu.hbm_bw > 0, "hbm_bw = %g", h->gpu.hbm_bw);
	FZ_CHECK(isfinite(h->gpu.flops_bf16) && h->gpu.flops_bf16 > 0, "flops_bf16 = %g",
		 h->gpu.flops_bf16);
	FZ_CHECK(isfinite(h->gpu.reserve_bytes) && h->gpu.reserve_bytes >= 0, "reserve_bytes = %g",
		 h->gpu.reserve_bytes);
	FZ_POS_OR_NAN(h->gpu.flops_fp8);
	FZ_POS_OR_NAN(h->gpu.flops_fp4);
	FZ_POS_OR_NAN(h->scale_up.bw);
	FZ_POS_OR_NAN(h->scale_up.domain_gpus);
	FZ_POS_OR_NAN(h->scale_up.latency_s);
	FZ_POS_OR_NAN(h->scale_out.nic_bw);
	FZ_POS_OR_NAN(h->scale_out.nics_per_gpu);
	for (k = 0; k < K_CLASSES; k++)
		FZ_CHECK(h->kern[k].compute > 0 && h->kern[k].compute <= 1 && h->kern[k].memory > 0 &&
			 h->kern[k].memory <= 1 && isfinite(h->kern[k].t0_s) && h->kern[k].t0_s >= 0,
			 "kernel class %d: compute %g memory %g t0 %g", k, h->kern[k].compute,
			 h->kern[k].memory, h->kern[k].t0_s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hw h;
	struct deployment d;
	struct err e = {0};
	char *text = fz_str(data, size);
	cJSON *root = cJSON_ParseWithOpts(text, NULL, 1);
	int rc;

	free(text);
	if (!root || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return 0;
	}
	rc = hw_from_json(root, "fuzz.json", &h, &e);
	cJSON_Delete(root);
	fz_check_err(rc, &e, "hw_from_json");
	FZ_CHECK(rc == 0 || rc == EXIT_INPUT, "hw_from_json returned %d", rc);
	if (rc)
		return 0;
	fz_check_hw(&h);

	plan_default_deployment(&llama, &d);
	d.tp = 8;
	d.w.batch = 32;
	fz_plan(&llama, &h, &d);

	plan_default_deployment(&v3, &d);
	d.tp = 8;
	d.mtp = 1;
	d.w.mtp_depth = 1;
	fz_plan(&v3, &h, &d);

	plan_default_deployment(&v3, &d);
	d.dp = 72;
	d.ep = 72;
	d.w.batch = 64;
	d.w.micro_batches = 2;
	fz_plan(&v3, &h, &d);

	plan_default_deployment(&v3, &d);
	d.tp = 2;
	d.dp = 16;
	d.ep = 32;
	d.pp = 2;
	d.w.batch = 8;
	d.w.ideal = 1;
	fz_plan(&v3, &h, &d);
	return 0;
}
