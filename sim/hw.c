/* hw.c - hardware card loader; see hw.h and hw/README.md */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "hw.h"
#include "jsonx.h"
#include "topo.h"

/* Card keys with their unit conversion to SI. */
#define GB 1e9
#define TFLOPS 1e12
#define US 1e-6
#define KW 1e3
#define MB 1e6
#define GBPS (1e9 / 8)            /* Gb/s -> B/s */

#define BIG 1e9                   /* bound on any card figure in its own unit */

struct hw_key {
	const char *section, *key;
	size_t offset;            /* into struct hw */
	double scale;             /* card unit -> SI */
	unsigned flags;
};

#define O(f) offsetof(struct hw, f)
static const struct hw_key hw_keys[] = {
	{"gpu", "hbm_gb", O(gpu.hbm_bytes), GB, JX_POSITIVE},
	{"gpu", "hbm_usable_gb", O(gpu.hbm_usable_bytes), GB, JX_REQUIRED | JX_POSITIVE},
	{"gpu", "hbm_gbs", O(gpu.hbm_bw), GB, JX_REQUIRED | JX_POSITIVE},
	{"gpu", "bf16_tflops", O(gpu.flops_bf16), TFLOPS, JX_REQUIRED | JX_POSITIVE},
	{"gpu", "fp8_tflops", O(gpu.flops_fp8), TFLOPS, 0},
	{"gpu", "fp4_tflops", O(gpu.flops_fp4), TFLOPS, 0},
	{"gpu", "tdp_w", O(gpu.tdp_w), 1, JX_POSITIVE},
	{"gpu", "idle_w", O(gpu.idle_w), 1, 0},
	{"gpu", "sms", O(gpu.sms), 1, JX_INT | JX_POSITIVE},
	{"gpu", "l2_mb", O(gpu.l2_bytes), MB, JX_POSITIVE},
	{"gpu", "runtime_reserve_gb", O(gpu.reserve_bytes), GB, 0},
	{"gpu", "compute_capability", O(gpu.compute_capability), 1, JX_POSITIVE},
	{"scale_up", "gbs_per_dir", O(scale_up.bw), GB, JX_POSITIVE},
	{"scale_up", "achievable_gbs_per_dir", O(scale_up.achievable_bw), GB, JX_POSITIVE},
	{"scale_up", "link_gbs_per_dir", O(scale_up.link_bw), GB, JX_POSITIVE},
	{"scale_up", "domain_gpus", O(scale_up.domain_gpus), 1, JX_INT | JX_POSITIVE},
	{"scale_up", "latency_us", O(scale_up.latency_s), US, 0},
	{"scale_out", "nic_gbps", O(scale_out.nic_bw), GBPS, JX_POSITIVE},
	{"scale_out", "nics_per_gpu", O(scale_out.nics_per_gpu), 1, 0},
	{"scale_out", "planes_per_nic", O(scale_out.planes_per_nic), 1, JX_INT | JX_POSITIVE},
	{"scale_out", "planes", O(scale_out.planes), 1, JX_INT | JX_POSITIVE},
	{"scale_out", "effective_gbs_per_nic", O(scale_out.effective_bw_per_nic), GB, JX_POSITIVE},
	{"scale_out", "switch_radix", O(scale_out.switch_radix), 1, JX_INT | JX_POSITIVE},
	{"scale_out", "switch_usd", O(scale_out.switch_usd), 1, 0},
	{"scale_out", "link_usd", O(scale_out.link_usd), 1, 0},
	{"scale_out", "endpoint_link_usd", O(scale_out.endpoint_link_usd), 1, 0},
	{"scale_out", "switch_w", O(scale_out.switch_w), 1, 0},
	{"scale_out", "latency_us", O(scale_out.latency_s), US, 0},
	{"scale_out", "hop_latency_us", O(scale_out.hop_latency_s), US, 0},
	{"node", "gpus", O(node.gpus), 1, JX_INT | JX_POSITIVE},
	{"node", "cpus", O(node.cpus), 1, JX_INT},
	{"node", "max_kw", O(node.max_w), KW, JX_POSITIVE},
	{"node", "cpu_w", O(node.cpu_w), 1, 0},
	{"node", "other_w", O(node.other_w), 1, 0},
	{"rack", "gpus", O(rack.gpus), 1, JX_INT | JX_POSITIVE},
	{"rack", "power_kw", O(rack.power_w), KW, JX_POSITIVE},
	{"rack", "air_limit_kw", O(rack.air_limit_w), KW, JX_POSITIVE},
	{"facility", "pue", O(facility.pue), 1, JX_POSITIVE},
	{"facility", "usd_per_kwh", O(facility.usd_per_kwh), 1, 0},
	{"cost", "gpu_hour_usd", O(cost.gpu_hour_usd), 1, 0},
	{"cost", "capex_usd_per_gpu", O(cost.capex_usd_per_gpu), 1, 0},
	{"cost", "amortization_years", O(cost.amortization_years), 1, JX_POSITIVE},
	{"efficiency", "compute", O(eff.compute), 1, JX_FRACTION},
	{"efficiency", "memory", O(eff.memory), 1, JX_FRACTION},
	{"efficiency", "scale_up", O(eff.scale_up), 1, JX_FRACTION},
	{"efficiency", "scale_out", O(eff.scale_out), 1, JX_FRACTION},
	{"efficiency", "kernel_latency_us", O(eff.kernel_latency_s), US, 0},
	{NULL, NULL, 0, 0, 0},
};

struct hw_str_key {
	const char *section, *key;
	size_t offset, size;
	const char *const *allowed;   /* NULL: any string */
};

static const char *const topologies[] = {"switch", "mesh", NULL};
static const char *const coolings[] = {"air", "liquid", NULL};

static const struct hw_str_key hw_str_keys[] = {
	{"scale_up", "technology", O(scale_up.technology), sizeof ((struct hw *)0)->scale_up.technology, NULL},
	{"scale_up", "topology", O(scale_up.topology), sizeof ((struct hw *)0)->scale_up.topology, topologies},
	{"scale_out", "technology", O(scale_out.technology), sizeof ((struct hw *)0)->scale_out.technology, NULL},
	{"rack", "cooling", O(rack.cooling), sizeof ((struct hw *)0)->rack.cooling, coolings},
	{NULL, NULL, 0, 0, NULL},
};

static const char *const sections[] = {
	"gpu", "scale_up", "scale_out", "node", "rack", "facility", "cost",
	"efficiency", NULL,
};

/* Top-level keys that are not sections but belong to the card. */
static const char *const top_keys[] = {
	"name", "display_name", "aliases", "sources", "notes", "calibration", NULL,
};

static int hw_in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

int hw_is_section(const char *key)
{
	char head[32];
	size_t len = strcspn(key, ".=");

	if (key[len] != '.' || len >= sizeof head)
		return 0;
	memcpy(head, key, len);
	head[len] = 0;
	return hw_in(head, sections);
}

static int hw_key_known(const char *section, const char *key)
{
	const struct hw_key *k;
	const struct hw_str_key *s;

	for (k = hw_keys; k->section; k++)
		if (!strcmp(k->section, section) && !strcmp(k->key, key))
			return 1;
	for (s = hw_str_keys; s->section; s++)
		if (!strcmp(s->section, section) && !strcmp(s->key, key))
			return 1;
	return 0;
}

int hw_set_known(const char *assignment)
{
	char section[32], key[64];
	size_t s = strcspn(assignment, "."), k;

	if (assignment[s] != '.' || s >= sizeof section)
		return 0;
	k = strcspn(assignment + s + 1, "=");
	if (k >= sizeof key || assignment[s + 1 + k] != '=')
		return 0;
	memcpy(section, assignment, s);
	section[s] = 0;
	memcpy(key, assignment + s + 1, k);
	key[k] = 0;
	return hw_key_known(section, key);
}

/* Every key of the card must be one mlasim reads: a typo must not pass silently. */
static int hw_check_keys(const cJSON *root, const char *file, struct err *e)
{
	const cJSON *sec, *item;

	cJSON_ArrayForEach(sec, root) {
		if (hw_in(sec->string, top_keys))
			continue;
		if (!hw_in(sec->string, sections))
			return err_set(e, EXIT_INPUT,
				       "%s: unknown section '%s' (expected one of gpu, scale_up, scale_out, node, rack, facility, cost, efficiency)",
				       file, sec->string);
		if (!cJSON_IsObject(sec))
			return err_set(e, EXIT_INPUT, "%s: '%s' must be an object", file, sec->string);
		cJSON_ArrayForEach(item, sec)
			if (!hw_key_known(sec->string, item->string))
				return err_set(e, EXIT_INPUT, "%s: unknown key '%s.%s' (see hw/README.md)",
					       file, sec->string, item->string);
	}
	return 0;
}

static int hw_read_numbers(const cJSON *root, const char *file, struct hw *h,
			   struct err *e)
{
	const struct hw_key *k;
	char path[64];

	for (k = hw_keys; k->section; k++) {
		const cJSON *sec = cJSON_GetObjectItemCaseSensitive(root, k->section);
		/* cppcheck-suppress invalidPointerCast ; a double field, found by its offsetof */
		double *dst = (double *)((char *)h + k->offset), v;
		int rc;

		*dst = NAN;
		snprintf(path, sizeof path, "%s.%s", k->section, k->key);
		if (!sec) {
			if (k->flags & JX_REQUIRED)
				return err_set(e, EXIT_INPUT, "%s: '%s' is missing: section '%s' is required",
					       file, path, k->section);
			continue;
		}
		rc = jsonx_num(sec, k->key, file, path, k->flags, BIG, &v, e);
		if (rc > 0)
			return rc;
		/* a positive figure below a millionth of its unit is a typo, and would
		 * overflow times to infinity */
		if (rc == 0 && (k->flags & (JX_POSITIVE | JX_FRACTION)) && v < 1e-6)
			return err_set(e, EXIT_INPUT, "%s: '%s' is absurdly small (%.6g)", file, path, v);
		if (rc == 0)
			*dst = v * k->scale;
	}
	return 0;
}

static int hw_read_strings(const cJSON *root, const char *file, struct hw *h,
			   struct err *e)
{
	const struct hw_str_key *s;

	for (s = hw_str_keys; s->section; s++) {
		const cJSON *sec = cJSON_GetObjectItemCaseSensitive(root, s->section);
		char *dst = (char *)h + s->offset;

		dst[0] = 0;
		if (sec && jsonx_str(sec, s->key, file, 0, dst, s->size, e) > 0)
			return e->code;
		if (dst[0] && s->allowed && !hw_in(dst, s->allowed))
			return err_set(e, EXIT_INPUT, "%s: '%s.%s' must be '%s' or '%s', got '%s'",
				       file, s->section, s->key, s->allowed[0], s->allowed[1], dst);
	}
	return 0;
}

const char *hw_kclass_name(enum kclass k)
{
	static const char *const names[K_CLASSES] = {
		"gemm_bf16", "gemm_fp8", "gemm_fp8_block", "gemm_fp4", "attention_decode",
		"attention_decode_fp8", "attention_decode_gqa", "attention_prefill", "moe_grouped_gemm",
		"moe_grouped_gemm_prefill", "elementwise", "moe_grouped_gemm_vllm", "moe_grouped_gemm_sglang",
	};
	return names[k];
}

enum kclass hw_kclass_use(const struct hw *h, enum kclass k)
{
	if (h->kern[k].calibrated != KCAL_DEFAULTS)
		return k;
	if (k == K_ATTN_DECODE_GQA)
		return K_ATTN_DECODE;
	return k == K_MOE_PREFILL || k == K_MOE_VLLM || k == K_MOE_SGLANG ? K_MOE : k;
}

const char *hw_coll_name(int op)
{
	static const char *const names[HW_COLL_OPS] = {"all_reduce", "all_gather", "alltoall"};
	return names[op];
}

const struct hw_coll_fit *hw_coll_fit_for(const struct hw *h, int op, double n)
{
	const struct hw_coll_fit *best = NULL;
	int i;

	for (i = 0; i < h->ncoll[op]; i++) {
		const struct hw_coll_fit *f = &h->coll[op][i];
		if (!best || fabs(f->gpus - n) < fabs(best->gpus - n) ||
		    (fabs(f->gpus - n) == fabs(best->gpus - n) && f->gpus > best->gpus))
			best = f;
	}
	return best;
}

const struct hw_car_fit *hw_car_fit_for(const struct hw *h, const char *engine, double n)
{
	const struct hw_car_fit *best = NULL;
	int e, i;

	for (e = 0; e < h->ncar; e++) {
		if (strcmp(h->car[e].engine, engine))
			continue;
		for (i = 0; i < h->car[e].nfit; i++) {
			const struct hw_car_fit *f = &h->car[e].fit[i];
			if (!best || fabs(f->gpus - n) < fabs(best->gpus - n) ||
			    (fabs(f->gpus - n) == fabs(best->gpus - n) && f->gpus > best->gpus))
				best = f;
		}
	}
	return best;
}

/* One fit of calibration.calib.custom_allreduce.<engine>[i] at `path`:
 * {"gpus", "lat_s": [one-shot, two-shot], "gbs"}. */
static int hw_read_car_fit(const cJSON *it, const char *path, const char *file, struct hw_car_fit *f,
			   struct err *e)
{
	const cJSON *lat = cJSON_GetObjectItemCaseSensitive(it, "lat_s");
	int i;

	if (!cJSON_IsObject(it))
		return err_set(e, EXIT_INPUT, "%s: '%s' must be an object {gpus, lat_s, gbs}", file, path);
	if (jsonx_num(it, "gpus", file, path, JX_REQUIRED | JX_POSITIVE | JX_INT, 1e6, &f->gpus, e) ||
	    jsonx_num(it, "gbs", file, path, JX_REQUIRED | JX_POSITIVE, 1e6, &f->bw, e))
		return e->code;
	if (f->bw < 1e-3 || f->gpus < 2)
		return err_set(e, EXIT_INPUT,
			       "%s: '%s': an all-reduce on %g GPUs at %g GB/s: needs 2 GPUs or more and 0.001 GB/s or more",
			       file, path, f->gpus, f->bw);
	if (!cJSON_IsArray(lat) || cJSON_GetArraySize(lat) != 2)
		return err_set(e, EXIT_INPUT,
			       "%s: '%s.lat_s' must be the one-shot and two-shot kernels' latencies [one, two] in seconds",
			       file, path);
	for (i = 0; i < 2; i++) {
		const cJSON *v = cJSON_GetArrayItem(lat, i);
		if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble > 1)
			return err_set(e, EXIT_INPUT, "%s: '%s.lat_s[%d]' must be seconds from 0 to 1", file, path, i);
		f->lat_s[i] = v->valuedouble;
	}
	f->bw *= 1e9;
	return 0;
}

/*
 * calibration.calib.custom_allreduce.<engine>: [{"gpus", "lat_s": [one-shot,
 * two-shot], "gbs"}, ...], at most HW_MAX_COLL_FITS per engine and
 * HW_MAX_CAR_ENGINES engines.
 */
static int hw_read_custom_ar(const cJSON *calib, const char *file, struct hw *h, struct err *e)
{
	const cJSON *cs = cJSON_GetObjectItemCaseSensitive(calib, "custom_allreduce"), *eng, *it;
	char path[128];

	if (!cs)
		return 0;
	if (!cJSON_IsObject(cs))
		return err_set(e, EXIT_INPUT, "%s: 'calibration.calib.custom_allreduce' must be an object of engines", file);
	h->ncar = 0;
	cJSON_ArrayForEach(eng, cs) {
		struct hw_car *c = &h->car[h->ncar];
		if (h->ncar == HW_MAX_CAR_ENGINES)
			return err_set(e, EXIT_INPUT, "%s: 'calibration.calib.custom_allreduce': at most %d engines",
				       file, HW_MAX_CAR_ENGINES);
		if (!cJSON_IsArray(eng) || strlen(eng->string) >= sizeof c->engine)
			return err_set(e, EXIT_INPUT,
				       "%s: 'calibration.calib.custom_allreduce.%.40s' must be an engine name of at most %zu characters with an array of fits",
				       file, eng->string, sizeof c->engine - 1);
		memset(c, 0, sizeof *c);
		snprintf(c->engine, sizeof c->engine, "%s", eng->string);
		cJSON_ArrayForEach(it, eng) {
			snprintf(path, sizeof path, "calibration.calib.custom_allreduce.%s[%d]", c->engine, c->nfit);
			if (c->nfit == HW_MAX_COLL_FITS)
				return err_set(e, EXIT_INPUT, "%s: '%s': at most %d GPU counts per engine", file, path,
					       HW_MAX_COLL_FITS);
			if (hw_read_car_fit(it, path, file, &c->fit[c->nfit], e))
				return e->code;
			c->nfit++;
		}
		h->ncar++;
	}
	return 0;
}

/*
 * calibration.calib.collectives.<op>: [{"gpus", "lat_s": [LL, LL128, Simple],
 * "busbw_gbs"}, ...], at most HW_MAX_COLL_FITS per op.
 */
static int hw_read_collectives(const cJSON *calib, const char *file, struct hw *h, struct err *e)
{
	const cJSON *cs = cJSON_GetObjectItemCaseSensitive(calib, "collectives");
	int op;

	if (!cs)
		return 0;
	if (!cJSON_IsObject(cs))
		return err_set(e, EXIT_INPUT, "%s: 'calibration.calib.collectives' must be an object of collectives", file);
	for (op = 0; op < HW_COLL_OPS; op++) {
		const cJSON *arr = cJSON_GetObjectItemCaseSensitive(cs, hw_coll_name(op)), *it;
		char path[96];
		if (!arr)
			continue;
		if (!cJSON_IsArray(arr))
			return err_set(e, EXIT_INPUT, "%s: 'calibration.calib.collectives.%s' must be an array of fits",
				       file, hw_coll_name(op));
		cJSON_ArrayForEach(it, arr) {
			struct hw_coll_fit f;
			const cJSON *lat = cJSON_GetObjectItemCaseSensitive(it, "lat_s");
			int i;
			snprintf(path, sizeof path, "calibration.calib.collectives.%s[%d]", hw_coll_name(op), h->ncoll[op]);
			if (h->ncoll[op] == HW_MAX_COLL_FITS)
				return err_set(e, EXIT_INPUT, "%s: '%s': at most %d GPU counts per collective",
					       file, path, HW_MAX_COLL_FITS);
			if (!cJSON_IsObject(it))
				return err_set(e, EXIT_INPUT, "%s: '%s' must be an object {gpus, lat_s, busbw_gbs}", file, path);
			if (jsonx_num(it, "gpus", file, path, JX_REQUIRED | JX_POSITIVE, 1e6, &f.gpus, e) ||
			    jsonx_num(it, "busbw_gbs", file, path, JX_REQUIRED | JX_POSITIVE, 1e6, &f.busbw, e))
				return e->code;
			if (f.busbw < 1e-3 || f.gpus < 2)
				return err_set(e, EXIT_INPUT,
					       "%s: '%s': a collective on %g GPUs at %g GB/s: needs 2 GPUs or more and 0.001 GB/s or more",
					       file, path, f.gpus, f.busbw);
			if (!cJSON_IsArray(lat) || cJSON_GetArraySize(lat) != 3)
				return err_set(e, EXIT_INPUT,
					       "%s: '%s.lat_s' must be the three protocols' latencies [LL, LL128, Simple] in seconds",
					       file, path);
			for (i = 0; i < 3; i++) {
				const cJSON *v = cJSON_GetArrayItem(lat, i);
				if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble > 1)
					return err_set(e, EXIT_INPUT, "%s: '%s.lat_s[%d]' must be seconds from 0 to 1",
						       file, path, i);
				f.lat_s[i] = v->valuedouble;
			}
			f.busbw *= 1e9;
			h->coll[op][h->ncoll[op]++] = f;
		}
	}
	return 0;
}

/* calibration.calib.<key>.{dispatch, combine}: {"lat_s", "gbs", "round_s"
 * (optional, 0)} into f[2] (key "deepep": low latency inside one domain;
 * "deepep_rdma": across domains; "deepep_normal": the normal kernels inside
 * one domain, whose serial rounds take round_s each, comm_ep_s). */
static int hw_read_deepep(const cJSON *calib, const char *key, const char *file, struct hw_ep_fit *fit,
			  struct err *e)
{
	static const char *const phase[2] = {"dispatch", "combine"};
	const cJSON *dp = cJSON_GetObjectItemCaseSensitive(calib, key);
	int i;

	if (dp && !cJSON_IsObject(dp))
		return err_set(e, EXIT_INPUT, "%s: 'calibration.calib.%s' must be an object {dispatch, combine}", file, key);
	for (i = 0; dp && i < 2; i++) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(dp, phase[i]);
		char path[80];
		double gbs;
		if (!f)
			continue;
		snprintf(path, sizeof path, "calibration.calib.%s.%s", key, phase[i]);
		if (!cJSON_IsObject(f))
			return err_set(e, EXIT_INPUT, "%s: '%s' must be an object {\"lat_s\", \"gbs\"}", file, path);
		fit[i].round_s = 0;
		if (jsonx_num(f, "lat_s", file, path, JX_REQUIRED, 1, &fit[i].lat_s, e) ||
		    jsonx_num(f, "gbs", file, path, JX_REQUIRED | JX_POSITIVE, 1e6, &gbs, e) ||
		    jsonx_num(f, "round_s", file, path, 0, 1e-3, &fit[i].round_s, e) > 0)
			return e->code;
		if (gbs < 1e-3)
			return err_set(e, EXIT_INPUT, "%s: '%s.gbs' must be 0.001 GB/s or more, got %g", file, path, gbs);
		fit[i].bw = gbs * 1e9;
	}
	return 0;
}

const char *hw_kcal_name(int kcal)
{
	return kcal == KCAL_PUBLISHED ? "published" : kcal == KCAL_PROBES ? "probes" : "defaults";
}

/*
 * Kernel efficiencies: every class starts from the card's `efficiency`
 * section (1 where it says nothing: the ideal roofline, and the output says
 * so); probe fits replace them class by class.
 */
static void hw_default_kernels(struct hw *h)
{
	double c = isnan(h->eff.compute) ? 1 : h->eff.compute;
	double m = isnan(h->eff.memory) ? 1 : h->eff.memory;
	double t0 = isnan(h->eff.kernel_latency_s) ? 0 : h->eff.kernel_latency_s;
	int k;

	for (k = 0; k < K_CLASSES; k++)
		h->kern[k] = (struct hw_kernel_eff){c, m, t0, 0, 0, 0, 0, KCAL_DEFAULTS, 0};
}

/* Calibration fit keys, schema mlasim.calib/1: calib.<section>.<dtype>.fit. */
struct hw_calib_key { const char *section, *variant; enum kclass k; };
static const struct hw_calib_key calib_keys[] = {
	{"gemm", "bf16", K_GEMM_BF16}, {"gemm", "fp8_tensor", K_GEMM_FP8},
	{"gemm", "fp8_block", K_GEMM_FP8_BLOCK}, {"gemm", "nvfp4", K_GEMM_FP4},
	{"gemm", "mxfp4", K_GEMM_FP4}, {"attention_decode", "bf16", K_ATTN_DECODE},
	{"attention_decode", "fp8", K_ATTN_DECODE_FP8}, {"attention_decode", "gqa", K_ATTN_DECODE_GQA},
	{"attention_prefill", "bf16", K_ATTN_PREFILL}, {"moe", "fp8_block", K_MOE},
	{"moe", "prefill", K_MOE_PREFILL}, {"moe", "vllm", K_MOE_VLLM}, {"moe", "sglang", K_MOE_SGLANG},
	{"elementwise", "bf16", K_ELEMWISE}, {NULL, NULL, 0},
};

int hw_calib_kclass(const char *section, const char *variant)
{
	const struct hw_calib_key *k;

	for (k = calib_keys; k->section; k++)
		if (strcmp(k->section, section) == 0 && strcmp(k->variant, variant) == 0)
			return (int)k->k;
	return -1;
}

int hw_calib_key_of(enum kclass c, const char **section, const char **variant)
{
	const struct hw_calib_key *k;

	for (k = calib_keys; k->section; k++)
		if (k->k == c) {
			*section = k->section;
			*variant = k->variant;
			return 0;
		}
	return -1;
}

/* calibration.calib.<section>.<variant>.fit.<key>, at most max: 0 when read,
 * -1 when absent and not required, EXIT_INPUT. */
static int hw_calib_num(const cJSON *fit, const struct hw_calib_key *k, const char *key,
			const char *file, unsigned flags, double max, double *out, struct err *e)
{
	char path[160];

	snprintf(path, sizeof path, "calibration.calib.%s.%s.fit.%s", k->section, k->variant, key);
	return jsonx_num(fit, key, file, path, flags, max, out, e);
}

/* One class's fit: eff_compute, eff_mem, t0_s, and the kernel model's
 * optional kblock_s, blend, elem_s and cta_s (kern.h; absent: 0). */
static int hw_read_fit(const cJSON *fit, const struct hw_calib_key *k, const char *file,
		       struct hw_kernel_eff *v, struct err *e)
{
	double kb = 0, p = 0, el = 0, ct = 0;
	const cJSON *aq;

	if (hw_calib_num(fit, k, "eff_compute", file, JX_REQUIRED | JX_FRACTION, 1, &v->compute, e) ||
	    hw_calib_num(fit, k, "eff_mem", file, JX_REQUIRED | JX_FRACTION, 1, &v->memory, e) ||
	    hw_calib_num(fit, k, "t0_s", file, JX_REQUIRED, 1, &v->t0_s, e) ||
	    hw_calib_num(fit, k, "kblock_s", file, 0, 1e-3, &kb, e) > 0 ||
	    hw_calib_num(fit, k, "blend", file, 0, 64, &p, e) > 0 ||
	    hw_calib_num(fit, k, "elem_s", file, 0, 1e-9, &el, e) > 0 ||
	    hw_calib_num(fit, k, "cta_s", file, 0, 1e-3, &ct, e) > 0)
		return e->code;
	if (p != 0 && p < 1)
		return err_set(e, EXIT_INPUT,
			       "%s: 'calibration.calib.%s.%s.fit.blend' is the exponent of a smooth maximum: 0 (max) or 1 to 64, got %.6g",
			       file, k->section, k->variant, p);
	v->kblock_s = kb;
	v->blend = p;
	v->elem_s = el;
	v->cta_s = ct;
	aq = cJSON_GetObjectItemCaseSensitive(fit, "act_quant");
	if (aq && !cJSON_IsBool(aq))
		return err_set(e, EXIT_INPUT,
			       "%s: 'calibration.calib.%s.%s.fit.act_quant' must be true (the fit's records timed the activation quantisation) or false",
			       file, k->section, k->variant);
	v->act_quant = cJSON_IsTrue(aq);
	return 0;
}

/* calibration.sources: ["id: ref", ...] of a published calibration. */
static int hw_read_cal_sources(const cJSON *cal, const char *file, struct hw *h, struct err *e)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(cal, "sources"), *it;

	if (!src)
		return 0;
	if (!cJSON_IsArray(src))
		return err_set(e, EXIT_INPUT, "%s: 'calibration.sources' must be an array of strings", file);
	cJSON_ArrayForEach(it, src) {
		if (!cJSON_IsString(it))
			return err_set(e, EXIT_INPUT, "%s: 'calibration.sources' must be an array of strings", file);
		if (h->ncal_sources < HW_MAX_CAL_SOURCES)
			snprintf(h->cal_source[h->ncal_sources++], sizeof h->cal_source[0], "%s",
				 it->valuestring);
	}
	return 0;
}

/* A published calibration borrowed from another card (borrow.h):
 * "borrowed_from": its name, "borrow": {"why", ...}. */
static int hw_read_borrow(const cJSON *cal, const char *path, const char *file, struct hw *h,
			  struct err *e)
{
	const cJSON *bo = cJSON_GetObjectItemCaseSensitive(cal, "borrow");
	char key[64];

	snprintf(key, sizeof key, "%s.borrowed_from", path);
	if (jsonx_str(cal, "borrowed_from", file, 0, h->calibration_borrowed_from,
		      sizeof h->calibration_borrowed_from, e) > 0)
		return err_set(e, EXIT_INPUT, "%s: '%s' must be the name of the card the fits come from: a string of at most %zu characters",
			       file, key, sizeof h->calibration_borrowed_from - 1);
	if (!bo)
		return 0;
	if (!cJSON_IsObject(bo))
		return err_set(e, EXIT_INPUT, "%s: '%s.borrow' must be an object {file, why, classes}", file, path);
	if (jsonx_str(bo, "why", file, 0, h->calibration_borrow_why, sizeof h->calibration_borrow_why, e) > 0)
		return err_set(e, EXIT_INPUT, "%s: '%s.borrow.why' must be a string of at most %zu characters", file, path,
			       sizeof h->calibration_borrow_why - 1);
	return 0;
}

/* calib.power: {idle_w, e_per_flop_J: {bf16}, e_per_hbm_byte_J} (docs/probes.md s11). */
static int hw_read_power_calibration(const cJSON *calib, const char *file, struct hw *h,
				     struct err *e)
{
	const cJSON *pw = cJSON_GetObjectItemCaseSensitive(calib, "power");
	const cJSON *ef = pw ? cJSON_GetObjectItemCaseSensitive(pw, "e_per_flop_J") : NULL;

	if (!cJSON_IsObject(pw))
		return 0;
	if (jsonx_num(pw, "idle_w", file, "calibration.calib.power.idle_w", JX_REQUIRED, 1e5,
		      &h->power_idle_w, e) ||
	    jsonx_num(pw, "e_per_hbm_byte_J", file, "calibration.calib.power.e_per_hbm_byte_J",
		      JX_REQUIRED, 1, &h->e_per_byte, e))
		return e->code;
	if (!cJSON_IsObject(ef))
		return err_set(e, EXIT_INPUT, "%s: 'calibration.calib.power.e_per_flop_J' must be an object with 'bf16'", file);
	if (jsonx_num(ef, "bf16", file, "calibration.calib.power.e_per_flop_J.bf16", JX_REQUIRED, 1,
		      &h->e_per_flop, e))
		return e->code;
	h->power_calibrated = 1;
	return 0;
}

/* One calibration object (a card's "calibration", or the published one a
 * probe-calibrated card keeps under it) onto h: each fit it has replaces
 * the class's parameters. */
static int hw_read_cal_object(const cJSON *cal, const char *path, const char *file, struct hw *h,
			      struct err *e)
{
	const cJSON *calib, *dev, *prov;
	const struct hw_calib_key *k;
	int kind;

	if (!cJSON_IsObject(cal))
		return err_set(e, EXIT_INPUT, "%s: '%s' must be an object", file, path);
	prov = cJSON_GetObjectItemCaseSensitive(cal, "provenance");
	kind = cJSON_IsString(prov) && !strcmp(prov->valuestring, "published") ? KCAL_PUBLISHED : KCAL_PROBES;
	dev = cJSON_GetObjectItemCaseSensitive(cal, "device");
	if (kind == KCAL_PROBES && cJSON_IsObject(dev) &&
	    jsonx_str(dev, "name", file, 0, h->calibration_device, sizeof h->calibration_device, e) > 0)
		return e->code;
	/* when it was measured: "date", or the probe runner's "created" */
	if (kind == KCAL_PROBES &&
	    (jsonx_str(cal, "date", file, 0, h->calibration_date, sizeof h->calibration_date, e) > 0 ||
	     (!h->calibration_date[0] &&
	      jsonx_str(cal, "created", file, 0, h->calibration_date, sizeof h->calibration_date, e) > 0)))
		return e->code;
	if (kind == KCAL_PUBLISHED && (hw_read_cal_sources(cal, file, h, e) || hw_read_borrow(cal, path, file, h, e)))
		return e->code;
	calib = cJSON_GetObjectItemCaseSensitive(cal, "calib");
	if (calib && !cJSON_IsObject(calib))
		return err_set(e, EXIT_INPUT, "%s: '%s.calib' must be an object of fits", file, path);
	for (k = calib_keys; k->section; k++) {
		const cJSON *sec = cJSON_GetObjectItemCaseSensitive(calib, k->section);
		const cJSON *var = cJSON_IsObject(sec) ? cJSON_GetObjectItemCaseSensitive(sec, k->variant) : NULL;
		const cJSON *fit = cJSON_IsObject(var) ? cJSON_GetObjectItemCaseSensitive(var, "fit") : NULL;
		struct hw_kernel_eff v = h->kern[k->k];
		if (fit && !cJSON_IsObject(fit))
			return err_set(e, EXIT_INPUT, "%s: '%s.calib.%s.%s.fit' must be an object", file, path,
				       k->section, k->variant);
		if (!fit)
			continue;
		if (hw_read_fit(fit, k, file, &v, e))
			return e->code;
		v.calibrated = kind;
		h->kern[k->k] = v;
		h->calibrated = kind;
	}
	if (hw_read_collectives(calib, file, h, e) || hw_read_deepep(calib, "deepep", file, h->ep_up, e) ||
	    hw_read_deepep(calib, "deepep_rdma", file, h->ep_rdma, e) ||
	    hw_read_deepep(calib, "deepep_normal", file, h->ep_normal, e) || hw_read_custom_ar(calib, file, h, e))
		return e->code;
	if (cJSON_GetObjectItemCaseSensitive(calib, "collectives") || cJSON_GetObjectItemCaseSensitive(calib, "deepep") ||
	    cJSON_GetObjectItemCaseSensitive(calib, "deepep_rdma") ||
	    cJSON_GetObjectItemCaseSensitive(calib, "deepep_normal") ||
	    cJSON_GetObjectItemCaseSensitive(calib, "custom_allreduce")) {
		h->links_calibrated = kind;
		if (!h->calibrated)
			h->calibrated = kind;   /* only links: still calibrated */
	}
	return hw_read_power_calibration(calib, file, h, e);
}

/*
 * "calibration": published fits, or probe fits; a probe-calibrated card made
 * from a published one keeps the published calibration as
 * "calibration.published", read first: probe fits take precedence class by
 * class, the published ones stand for the classes the probes did not fit.
 */
static int hw_read_calibration(const cJSON *root, const char *file, struct hw *h,
			       struct err *e)
{
	const cJSON *cal = cJSON_GetObjectItemCaseSensitive(root, "calibration");
	const cJSON *pub = cJSON_GetObjectItemCaseSensitive(cal, "published");

	if (!cal)
		return 0;
	if (!cJSON_IsObject(cal))
		return err_set(e, EXIT_INPUT, "%s: 'calibration' must be an object", file);
	if (pub && hw_read_cal_object(pub, "calibration.published", file, h, e))
		return e->code;
	return hw_read_cal_object(cal, "calibration", file, h, e);
}

/*
 * Figures that are positive yet impossible, refused here so that no command
 * blames an option the user never passed (a radix of 3 once read as a bad
 * '--radix').  NAN (absent) passes.
 */
int hw_pue_valid(double pue)
{
	return pue >= 1 && pue <= 5;
}

static int hw_check_ranges(const struct hw *h, const char *file, struct err *e)
{
	double radix = h->scale_out.switch_radix, pue = h->facility.pue;

	if (!isnan(radix) && !topo_radix_valid(radix))
		return err_set(e, EXIT_INPUT,
			       "%s: 'scale_out.switch_radix' must be an even whole number of switch ports from 4 to 1e5, got %.6g",
			       file, radix);
	if (!isnan(pue) && !hw_pue_valid(pue))
		return err_set(e, EXIT_INPUT,
			       "%s: 'facility.pue' is facility power over IT power: from 1 to 5, got %.6g",
			       file, pue);
	/* power.h: P = P_idle + (P_tdp - P_idle) x u falls with load otherwise */
	if (h->gpu.idle_w > h->gpu.tdp_w)
		return err_set(e, EXIT_INPUT, "%s: 'gpu.idle_w' (%.6g) must not exceed 'gpu.tdp_w' (%.6g)",
			       file, h->gpu.idle_w, h->gpu.tdp_w);
	/* power.h: nodes per rack = rack.gpus / node.gpus, a whole number */
	if (!isnan(h->rack.gpus) && !isnan(h->node.gpus) && fmod(h->rack.gpus, h->node.gpus) != 0)
		return err_set(e, EXIT_INPUT,
			       "%s: 'rack.gpus' (%.6g) must be a whole number of nodes of 'node.gpus' (%.6g)",
			       file, h->rack.gpus, h->node.gpus);
	return 0;
}

int hw_from_json(const cJSON *root, const char *file, struct hw *h, struct err *e)
{
	memset(h, 0, sizeof *h);
	snprintf(h->path, sizeof h->path, "%s", file);
	if (jsonx_str(root, "name", file, JX_REQUIRED, h->name, sizeof h->name, e) ||
	    jsonx_str(root, "display_name", file, 0, h->display, sizeof h->display, e) > 0)
		return e->code;
	if (!h->display[0])
		snprintf(h->display, sizeof h->display, "%s", h->name);
	if (hw_check_keys(root, file, e) || hw_read_numbers(root, file, h, e) ||
	    hw_read_strings(root, file, h, e))
		return e->code;
	if (h->gpu.hbm_bytes > 0 && h->gpu.hbm_usable_bytes > h->gpu.hbm_bytes)
		return err_set(e, EXIT_INPUT,
			       "%s: 'gpu.hbm_usable_gb' (%.6g) must not exceed 'gpu.hbm_gb' (%.6g)",
			       file, h->gpu.hbm_usable_bytes / GB, h->gpu.hbm_bytes / GB);
	/* an achievable figure above the nominal one would make a link faster than its spec */
	if (h->scale_up.achievable_bw > h->scale_up.bw)
		return err_set(e, EXIT_INPUT,
			       "%s: 'scale_up.achievable_gbs_per_dir' (%.6g) must not exceed 'scale_up.gbs_per_dir' (%.6g)",
			       file, h->scale_up.achievable_bw / GB, h->scale_up.bw / GB);
	if (h->scale_out.effective_bw_per_nic > h->scale_out.nic_bw)
		return err_set(e, EXIT_INPUT,
			       "%s: 'scale_out.effective_gbs_per_nic' (%.6g GB/s) must not exceed 'scale_out.nic_gbps' (%.6g GB/s)",
			       file, h->scale_out.effective_bw_per_nic / GB, h->scale_out.nic_bw / GB);
	if (hw_check_ranges(h, file, e))
		return e->code;
	if (isnan(h->gpu.reserve_bytes))
		h->gpu.reserve_bytes = 0;
	hw_default_kernels(h);
	return hw_read_calibration(root, file, h, e);
}

/* A --set of the scale-up link changes what the collectives' and DeepEP's
 * fits measured: they are set aside, and the link figures time them; a
 * --set of the scale-out network, what DeepEP's fit across domains measured. */
static void hw_sets_aside_links(struct hw *h, const char *const *sets, int nsets)
{
	int i, op;

	for (i = 0; i < nsets; i++) {
		if (!strncmp(sets[i], "scale_out.", 10))
			h->ep_rdma[0].bw = h->ep_rdma[1].bw = 0;
		if (!strncmp(sets[i], "scale_up.", 9)) {
			for (op = 0; op < HW_COLL_OPS; op++)
				h->ncoll[op] = 0;
			h->ep_up[0].bw = h->ep_up[1].bw = 0;
			h->ep_normal[0].bw = h->ep_normal[1].bw = 0;
			h->ncar = 0;
			h->links_calibrated = KCAL_DEFAULTS;
		}
	}
}

int hw_load(const char *path, const char *const *sets, int nsets,
	    struct hw *h, struct err *e)
{
	cJSON *root;
	int rc;

	if (jsonx_load_set(path, sets, nsets, &root, e))
		return e->code;
	rc = hw_from_json(root, path, h, e);
	cJSON_Delete(root);
	if (rc)
		err_blame_set(e, sets, nsets);
	else
		hw_sets_aside_links(h, sets, nsets);
	return rc;
}
