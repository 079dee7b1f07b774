/*
 * fuzz_plan.c - the plan engine: plan_compute() on every bundled model and
 * hardware card with fuzzed deployment and workload numbers, each drawn from
 * what the command line lets through (counts 1 to 1e9, whole numbers 0 to
 * 1e6, fractions and sizes 0 to 1e24, every weight and KV format), the way
 * cmd_plan.c fills struct deployment.  plan_compute() must answer with a
 * documented error or a plan whose numbers are finite (check_plan.h).
 *
 * FUZZ_PLAN_RAW=1 in the environment draws raw doubles instead (NaN,
 * infinities, negatives): plan_check() is then the only guard.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include "check_plan.h"

#define FZ_MAX_CARDS 64

static struct model models[FZ_MAX_CARDS];
static struct hw hws[FZ_MAX_CARDS];
static int nmodels, nhws, raw;

static int fz_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load every card of dir, in name order (the seeds pick cards by index). */
static int fz_load_dir(const char *dir, int is_model)
{
	char path[1024], *names[FZ_MAX_CARDS];
	struct dirent *de;
	struct err e = {0};
	DIR *d = opendir(dir);
	int n = 0, i;

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL && n < FZ_MAX_CARDS) {
		size_t len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0 ||
		    strstr(de->d_name, ".calibrated."))
			continue;
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof names[0], fz_cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (is_model ? model_load(path, NULL, 0, &models[i], &e) :
			       hw_load(path, NULL, 0, &hws[i], &e)) {
			fprintf(stderr, "fuzz_plan: %s\n", e.msg);
			exit(2);
		}
		free(names[i]);
	}
	return n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	nmodels = fz_load_dir("models", 1);
	nhws = fz_load_dir("hw", 0);
	if (!nmodels || !nhws) {
		fprintf(stderr, "fuzz_plan: run from the repository root (no cards found)\n");
		exit(2);
	}
	raw = getenv("FUZZ_PLAN_RAW") && strcmp(getenv("FUZZ_PLAN_RAW"), "1") == 0;
	return 0;
}

/* The input, read front to back; zeros once it runs out. */
struct fz_in { const uint8_t *p; size_t n; };

static unsigned fz_byte(struct fz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint32_t fz_u32(struct fz_in *in)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++)
		v = v << 8 | fz_byte(in);
	return v;
}

static double fz_raw(struct fz_in *in)
{
	uint64_t bits = 0;
	double v;
	int i;

	for (i = 0; i < 8; i++)
		bits = bits << 8 | fz_byte(in);
	memcpy(&v, &bits, sizeof v);
	return v;
}

/* A count as cli_count() lets through: whole, 1 to 1e9. */
static double fz_count(struct fz_in *in)
{
	static const double t[] = {
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16, 24, 32, 48, 56, 61, 64, 72, 80, 96, 100,
		126, 128, 160, 256, 257, 512, 1024, 2048, 4096, 8192, 16384, 32768, 131072,
		1048576, 1e6, 1e8, 999999999, 1e9,
	};
	unsigned s = fz_byte(in);

	if (raw && s >= 250)
		return fz_raw(in);
	if (s < 200)
		return t[s % (sizeof t / sizeof t[0])];
	return 1 + fz_u32(in) % 1000000000u;
}

/* A whole number as PO_WHOLE lets through: 0 to 1e6. */
static double fz_whole_opt(struct fz_in *in)
{
	static const double t[] = {0, 0, 1, 2, 3, 4, 8, 16, 32, 64, 256, 1e6};
	unsigned s = fz_byte(in);

	if (raw && s >= 250)
		return fz_raw(in);
	if (s < 200)
		return t[s % (sizeof t / sizeof t[0])];
	return fz_u32(in) % 1000001u;
}

/* A number as units_parse() lets through: finite, 0 to 1e24. */
static double fz_num(struct fz_in *in)
{
	static const double t[] = {
		0, 1e-300, 1e-9, 0.01, 0.1, 0.5, 0.85, 0.9, 0.95, 0.999999, 1, 1.000001, 1.5, 2, 8,
		100, 1e6, 1e9, 80e9, 1e12, 1e18, 1e24,
	};
	unsigned s = fz_byte(in);

	if (raw && s >= 250)
		return fz_raw(in);
	if (s < 200)
		return t[s % (sizeof t / sizeof t[0])];
	if (s < 225)
		return fz_u32(in) / 4294967296.0;           /* a fraction in [0, 1) */
	return ldexp(fz_u32(in) / 4294967296.0, (int)(fz_byte(in) % 80)); /* up to 1.2e24 */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const wfmts[] = {
		"bf16", "fp16", "fp32", "fp8", "fp8-block", "int8", "nvfp4", "mxfp4", "int4",
		"int4:g1", "int4:g32", "int4:g128", "int4:g1000000",
	};
	static const char *const kvfmts[] = {
		"bf16", "fp16", "fp32", "fp8", "int8", "int4", "fp4", "fp8-flashmla", "bits:1",
		"bits:6", "bits:64", "bits:0.5",
	};
	struct fz_in in = {data, size};
	const struct model *m;
	const struct hw *h;
	struct deployment d;
	struct err e = {0};
	struct wprec wp;
	struct kvfmt kf;
	char kvname[32];
	unsigned s;

	m = &models[fz_byte(&in) % (unsigned)nmodels];
	h = &hws[fz_byte(&in) % (unsigned)nhws];
	plan_default_deployment(m, &d);
	d.tp = fz_count(&in);
	d.dp = fz_count(&in);
	d.ep = fz_count(&in);
	d.pp = fz_count(&in);
	d.redundant_experts = fz_whole_opt(&in);
	d.mtp = fz_whole_opt(&in);
	/* formats as the CLI takes them: only what the parsers accept */
	s = fz_byte(&in);
	if (s < 200 && !precision_parse_weights(wfmts[s % (sizeof wfmts / sizeof wfmts[0])],
						 "--weights", &wp, &e))
		d.weights = wp;
	s = fz_byte(&in);
	if (s < 128)
		snprintf(kvname, sizeof kvname, "%s", kvfmts[s % (sizeof kvfmts / sizeof kvfmts[0])]);
	else
		snprintf(kvname, sizeof kvname, "bits:%g", 1 + (fz_u32(&in) % 64000) / 1000.0);
	if (s < 200 && !precision_parse_kv(kvname, "--kv-dtype", &kf, &e))
		d.kv = kf;
	d.kv_block = fz_count(&in);
	d.kv_mtp = fz_byte(&in) & 1;
	d.context = fz_count(&in);
	d.mem_fraction = fz_num(&in);
	d.reserve_bytes = fz_byte(&in) & 1 ? fz_num(&in) : NAN;
	d.w.batch = fz_count(&in);
	d.w.micro_batches = fz_count(&in);
	d.w.mtp_accept = fz_num(&in);
	d.w.isl = fz_count(&in);
	d.w.osl = fz_count(&in);
	d.w.prefill_tokens = fz_count(&in);
	d.w.prefix_hit = fz_num(&in);
	d.w.imbalance = fz_num(&in);
	d.w.max_nodes = fz_whole_opt(&in);
	s = fz_byte(&in);
	d.w.shared_routed = s & 1;
	d.w.ideal = (s >> 1) & 1;
	if (fz_byte(&in) & 1)
		d.w.max_nodes = NAN;      /* the default: from the model's expert groups */
	d.w.context = d.context;      /* as plan_apply() does */
	d.w.mtp_depth = d.mtp;
	fz_plan(m, h, &d);
	return 0;
}
