/*
 * cmd_sweep.c - 'mlasim sweep': evaluate the cross product of many
 * deployments, stream one row per point to -o FILE, print the Pareto front.
 *
 * Every numeric plan option takes a list or a range: "8,16,32", "1..512:x2"
 * (multiplicative step), "1..4096:+1" (additive), "a..b" (step 1).  --model,
 * --hw and --set KEY=V1,V2 take lists too.  Points are numbered in a fixed
 * order (cards first, then options in the order given, the last one fastest),
 * so the output does not depend on --threads, and --shard i/N takes the i-th of
 * N contiguous slices: the shards' files concatenate to the whole.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "../../reports/csv.h"
#include "../../reports/fmt.h"
#include "../../reports/out.h"
#include "../../reports/plan_fields.h"
#include "cli_plan.h"
#include "front.h"
#include "sweep_parts.h"
#include "units.h"

const char help_sweep[] =
"usage: mlasim sweep --model M[,M2] --hw H[,H2] [plan options as lists] [-o FILE]\n"
"       mlasim sweep --merge PART... [-o FILE]\n"
"\n"
"Evaluate every combination of the values given and print the Pareto front of\n"
"tokens/s per GPU against tokens/s per user (decode) among the points that fit;\n"
"with -o FILE, write one row per point (CSV, or JSON lines with --format json).\n"
"\n"
"  values               every plan option ('mlasim help plan') takes a list or a\n"
"                       range: --ep 8,16,32,64  --batch 1..512:x2  --batch 1..4096:+1\n"
"                       --weights fp8-block,nvfp4  --kv-dtype bf16,fp8\n"
"  --model A,B          model cards;  --hw a,b,c  hardware cards\n"
"  --set KEY=V1,V2      a card key over several values: a model key varies the\n"
"                       model card, a hardware key (gpu.hbm_gbs=1000,3000) the\n"
"                       hardware card, each value checked as 'plan --set' checks it\n"
"  --prefill            also evaluate prefill (TTFT, prefill tokens/s): slower\n"
"  --front F            gpu-user (default: max tokens/s per GPU and per user) or\n"
"                       cost-latency (min $/Mtok output and min TPOT)\n"
"  --threads N          worker threads (default 1); the output is the same\n"
"  --shard i/N          evaluate only the i-th of N slices (1-based); shard 1 writes\n"
"                       the header, so the shards' files concatenate to the whole;\n"
"                       with -o FILE also writes the manifest FILE.sweep.json\n"
"  --merge PART...      put the parts of a sharded sweep together (see below)\n"
"  --max-points N       refuse a larger sweep (default 1e9)\n"
"  --format csv|json    rows as CSV (default) or JSON lines;  -o FILE (atomic)\n"
"\n"
"A progress bar goes to stderr when it is a terminal and the sweep takes over a\n"
"second.  Points that cannot be laid out (TP not dividing the heads, ...) are\n"
"skipped and counted; a warning on stderr gives the first one's reason.\n"
"Memory stays flat: rows stream to the file, only the\n"
"front is kept (the whole front).  Exit status 1 when no point fits (the rows\n"
"are still written).  CSV fields holding a comma, quote, tab or line break are\n"
"quoted (RFC 4180); JSON lines are written by cJSON.\n"
"\n"
"Sweeps across machines: run each shard where you like (a Slurm job array,\n"
"GNU parallel: examples/slurm-sweep.sbatch, examples/parallel-sweep.sh), each\n"
"with --shard i/N -o part-i.csv and any --threads, then merge.  The rows file\n"
"stays plain CSV (or JSON lines); the manifest FILE.sweep.json beside it says\n"
"what it is: mlasim_version, command (as run), options (the command less\n"
"--shard, --threads, --max-points, -o and --format, in order), rows_format,\n"
"columns, front, points, shard, shards, first_point, shard_points, rows, fit,\n"
"bytes, skipped, host, threads, seconds, finished_utc.  'sweep --merge' reads\n"
"the manifests and refuses (exit 3, naming them) parts of different sweeps\n"
"(version, options, columns, points or shards differ), a shard given twice or\n"
"missing, and a file whose size or rows are not what its manifest says; then\n"
"streams the parts in shard order (whatever order they are given in) to -o\n"
"FILE, with a manifest of its own naming each part's host and command, and\n"
"prints the front as the whole sweep prints it, computed from the rows (CSV\n"
"keeps 9 significant digits).  Memory stays flat.  A manifest's name stands\n"
"for its part, so 'sweep --merge parts/*' works.  Exit 1 when no row fits.\n"
"\n"
"csv columns: model,hw,gpus,tp,dp,ep,pp,batch,micro_batches,context,mtp,weights,\n"
"kv_dtype,fits,batch_fits,weights_bytes_per_gpu,kv_bytes_per_gpu,\n"
"max_sequences_per_gpu,tpot_s,tokens_per_s_per_gpu,tokens_per_s_per_user,\n"
"decode_bound,ttft_s,prefill_tokens_per_s_per_gpu,gpu_w,usd_per_mtok_output,\n"
"then one column per --set list (set.KEY).\n"
"\n"
"example: mlasim sweep --model v3 --hw h800,h200 --dp 8..64:x2 --ep 8..64:x2 \\\n"
"           --batch 1..256:x2 --micro-batches 1,2 --mtp 0,1 -o sweep.csv\n"
"         for i in 1 2 3 4; do mlasim sweep ... --shard $i/4 -o part-$i.csv & done; wait\n"
"         mlasim sweep --merge part-*.csv -o sweep.csv\n";

#define SWEEP_MAX_AXES 24
#define SWEEP_MAX_VALUES 10000000
#define SWEEP_MAX_CARDS 64
#define SWEEP_MAX_LISTS 8
#define SWEEP_MAX_VALUE 256       /* bytes of one --set list value, with the NUL */
#define SWEEP_ROW 16384           /* bytes of one row: 64-byte names quoted, 8 set values */
#define SWEEP_CHUNK 4096

struct axis {
	const struct popt *o;
	char *list;              /* a copy of the option's value, cut into the values (argv stays as typed) */
	double *v;               /* values */
	const char **text;       /* the typed values (names for weights, kv dtype) */
	long n;
};

struct card_variant {
	struct model m;
	struct params params;
	struct deployment base;  /* the model's defaults with the single-valued options */
	char value[SWEEP_MAX_LISTS][SWEEP_MAX_VALUE];   /* its value of each model --set list */
};

struct hw_variant {
	struct hw h;
	char value[SWEEP_MAX_LISTS][SWEEP_MAX_VALUE];   /* its value of each hardware --set list */
};

struct sweep {
	struct cli *c;
	struct axis axis[SWEEP_MAX_AXES];
	int naxes;
	const char *fixed_sets[CLI_MAX_SETS];       /* --set without a list */
	int nfixed;
	const char *list_sets[SWEEP_MAX_LISTS];     /* --set KEY=V1,V2 */
	int list_hw[SWEEP_MAX_LISTS];               /* a hardware key: varies the hw cards */
	int nlist;
	struct card_variant *models;
	int nmodels;
	struct hw_variant *hws;
	int nhws;
	struct plan_args fixed;                     /* plan options with one value */
	int prefill, cost_front, threads;
	long shard, shards;
	int sharded;                                /* --shard given: write a manifest beside -o */
	unsigned char *run_only;                    /* argv[i] is (a value of) an option of this run
	                                               alone, not of the sweep: sweep_run_only */
	double max_points, seconds;
	long total, first, last;                    /* points of this shard: [first, last) */
	long valid, fit;                            /* of those, laid out and fitting */
	long skipped_first;                         /* the first point not laid out, or -1 */
	struct err skipped;                         /* and why */
};

/* Where one row goes: CSV text into buf, or the members of a JSON object.
 * With header set, the CSV text is the column names instead of the values. */
struct row_sink {
	char *buf;
	size_t len, cap;
	int header;
	cJSON *obj;              /* JSON lines; NULL for CSV */
	int oom;                 /* a row did not fit buf, or cJSON could not allocate */
};

struct worker {
	struct sweep *s;
	long first, last;
	FILE *out;               /* this worker's rows (a temporary file), or NULL */
	struct front front;      /* x, y both maximised (cost-latency negates); index: the point,
	                            whose row is made again when the front is printed */
	long valid, fit, done;
	long skipped_first;      /* this worker's first point not laid out, or -1 */
	struct err skipped;      /* and why */
	struct err err;
	int failed;
};

/* ---- parsing ------------------------------------------------------------------ */

static int sweep_add_value(struct sweep *s, struct axis *a, double v, const char *text)
{
	if (a->n == SWEEP_MAX_VALUES)
		return err_set(&s->c->err, EXIT_USAGE, "'%s' has more than %d values", a->o->name,
			       SWEEP_MAX_VALUES);
	if ((a->n & (a->n - 1)) == 0) {   /* grow at powers of two */
		long cap = a->n ? 2 * a->n : 1;
		double *v2 = realloc(a->v, (size_t)cap * sizeof *v2);
		const char **t2 = realloc(a->text, (size_t)cap * sizeof *t2);
		if (v2)
			a->v = v2;
		if (t2)
			a->text = t2;
		if (!v2 || !t2)
			return err_set(&s->c->err, EXIT_ENV, "out of memory");
	}
	a->v[a->n] = v;
	a->text[a->n++] = text;
	return 0;
}

/* A range "lo..hi:xF" or "lo..hi:+S" (or "lo..hi") of a numeric option. */
static int sweep_range(struct sweep *s, struct axis *a, const char *item, const char *dots)
{
	char lo_s[64], hi_s[64];
	const char *colon = strchr(dots + 2, ':');
	double lo, hi, step = 1, v;
	int mult = 0;
	size_t len;

	len = (size_t)(dots - item);
	if (len >= sizeof lo_s)
		goto bad;
	memcpy(lo_s, item, len);
	lo_s[len] = 0;
	len = colon ? (size_t)(colon - dots - 2) : strlen(dots + 2);
	if (len >= sizeof hi_s)
		goto bad;
	memcpy(hi_s, dots + 2, len);
	hi_s[len] = 0;
	if (plan_cli_value(s->c, a->o, lo_s, &lo) || plan_cli_value(s->c, a->o, hi_s, &hi))
		return -1;
	if (colon) {
		if (colon[1] == 'x')
			mult = 1;
		else if (colon[1] != '+')
			goto bad;
		if (units_parse(colon + 2, UNIT_PLAIN, a->o->name, &step, &s->c->err))
			return -1;
	}
	if (!(hi >= lo) || !(step > 0) || (mult && !(step > 1 && lo > 0)))
		goto bad;
	for (v = lo; v <= hi * (1 + 1e-12); v = mult ? v * step : v + step)
		if (sweep_add_value(s, a, v, NULL))
			return -1;
	return 0;
bad:
	return err_set(&s->c->err, EXIT_USAGE,
		       "'%s' range must read LOW..HIGH, LOW..HIGH:xFACTOR (factor > 1) or LOW..HIGH:+STEP, got '%s'",
		       a->o->name, item);
}

/* '--overlap' sets the micro-batches too (cli_plan.c), so a sweep over both
 * would give points whose micro-batches depend on the order the options are
 * applied: refused.  1 (with the error set) when option o is one of them and
 * the sweep already has the other. */
static int sweep_overlap_clash(struct sweep *s, const struct popt *o)
{
	int i, mine = o->kind == PO_OVERLAP;

	if (!mine && strcmp(o->name, "--micro-batches"))
		return 0;
	for (i = 0; i < s->naxes; i++)
		if (mine ? !strcmp(s->axis[i].o->name, "--micro-batches") : s->axis[i].o->kind == PO_OVERLAP) {
			err_set(&s->c->err, EXIT_USAGE,
				"a sweep takes '--overlap' or '--micro-batches', not both ('--overlap tbo' is two micro-batches)");
			return 1;
		}
	return 0;
}

/* One option's list of values; each item checked as 'plan' would check it. */
static int sweep_axis(struct sweep *s, const struct popt *o, const char *text)
{
	struct axis *a;
	char *item, *save = NULL;
	double v;

	if (s->naxes == SWEEP_MAX_AXES)
		return err_set(&s->c->err, EXIT_USAGE, "at most %d swept options", SWEEP_MAX_AXES);
	if (sweep_overlap_clash(s, o))
		return -1;
	if (plan_cli_engine_only(o->name))
		return err_set(&s->c->err, EXIT_USAGE,
			       "'%s' acts on serving under load ('plan --engine'): a sweep's points have no engine",
			       o->name);
	a = &s->axis[s->naxes++];
	memset(a, 0, sizeof *a);
	a->o = o;
	if (!(a->list = strdup(text)))
		return err_set(&s->c->err, EXIT_ENV, "out of memory");
	for (item = strtok_r(a->list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		const char *dots = strstr(item, "..");
		if (dots && o->kind != PO_WEIGHTS && o->kind != PO_EXPERT_WEIGHTS &&
		    o->kind != PO_ATTN_WEIGHTS && o->kind != PO_KV && o->kind != PO_SHARED &&
		    o->kind != PO_OVERLAP && o->kind != PO_ONOFF) {
			if (sweep_range(s, a, item, dots))
				return -1;
		} else if (plan_cli_value(s->c, o, item, &v) || sweep_add_value(s, a, v, item)) {
			return -1;
		}
	}
	if (a->n == 0)
		return err_set(&s->c->err, EXIT_USAGE, "'%s' has no values", o->name);
	return 0;
}

/* Is argv[c->i] a plan option?  Lists go to an axis, single values to s->fixed. */
static int sweep_take_option(struct sweep *s)
{
	struct cli *c = s->c;
	const struct popt *o;
	const char *v;
	int r;

	for (o = plan_options; o->name; o++) {
		if (o->kind == PO_FLAG) {
			if (!strcmp(c->argv[c->i], o->name))
				return plan_cli_take(c, &s->fixed);
			continue;
		}
		if ((r = cli_opt(c, o->name, &v)) == 0)
			continue;
		if (r < 0)
			return -1;
		return sweep_axis(s, o, v) ? -1 : 1;
	}
	return 0;
}

/*
 * Is option `arg` one of how this run goes or where its rows go (--shard,
 * --threads, --max-points, -o, --format), rather than of which points the
 * sweep has and what their rows hold?  The manifest leaves these out of the
 * sweep's options, so that shards run with any of them merge.
 */
static int sweep_run_only(const char *arg)
{
	static const char *const names[] = {"--shard", "--threads", "--max-points", "-o", "--output", "--format",
					    "--json", NULL};
	int k;

	for (k = 0; names[k]; k++) {
		size_t n = strlen(names[k]);
		if (!strncmp(arg, names[k], n) && (arg[n] == 0 || arg[n] == '='))
			return 1;
	}
	return 0;
}

/* The option at c->i, consumed. */
static void sweep_parse_option(struct sweep *s)
{
	struct cli *c = s->c;
	const char *v;
	int r;

	if (cli_common(c))
		return;
	if (cli_flag(c, "--prefill")) {
		s->prefill = 1;
	} else if ((r = cli_opt(c, "--front", &v)) != 0) {
		if (r > 0 && strcmp(v, "gpu-user") && strcmp(v, "cost-latency"))
			err_set(&c->err, EXIT_USAGE, "'--front' expects gpu-user or cost-latency, got '%s'", v);
		else if (r > 0)
			s->cost_front = !strcmp(v, "cost-latency");
	} else if ((r = cli_opt(c, "--threads", &v)) != 0) {
		double t;
		if (r > 0 && cli_count(c, "--threads", v, &t) > 0) {
			if (t > 256)
				err_set(&c->err, EXIT_USAGE, "'--threads' is at most 256, got %g", t);
			s->threads = (int)t;
		}
	} else if ((r = cli_opt(c, "--shard", &v)) != 0) {
		long i, n;
		char end;
		if (r > 0 && (sscanf(v, "%ld/%ld%c", &i, &n, &end) != 2 || n < 1 || i < 1 || i > n))
			err_set(&c->err, EXIT_USAGE, "'--shard' expects i/N with 1 <= i <= N, got '%s'", v);
		else if (r > 0) {
			s->shard = i;
			s->shards = n;
			s->sharded = 1;
		}
	} else if ((r = cli_opt(c, "--max-points", &v)) != 0) {
		if (r > 0)
			cli_number(c, "--max-points", v, UNIT_COUNT, &s->max_points);
	} else if (!sweep_take_option(s)) {
		cli_unknown(c);
	}
}

static int sweep_parse(struct sweep *s)
{
	struct cli *c = s->c;
	int i0;

	s->threads = 1;
	s->shard = s->shards = 1;
	s->max_points = 1e9;
	if (!(s->run_only = calloc((size_t)c->argc, 1)))
		return err_set(&c->err, EXIT_ENV, "out of memory");
	while (cli_more(c)) {
		i0 = c->i;
		sweep_parse_option(s);
		/* cppcheck-suppress knownConditionTrueFalse ; the option moved c->i through s->c */
		if (c->i > i0 && sweep_run_only(c->argv[i0]))   /* the option and its value, if apart */
			memset(s->run_only + i0, 1, (size_t)(c->i - i0));
	}
	return c->err.code;
}

/* ---- cards ----------------------------------------------------------------------- */

/* Split c->sets into fixed ones and lists (KEY=V1,V2). */
static int sweep_split_sets(struct sweep *s)
{
	int i;

	for (i = 0; i < s->c->nsets; i++) {
		const char *eq = strchr(s->c->sets[i], '=');
		if (eq && strchr(eq, ',') && eq[1] != '[' && eq[1] != '"') {
			if (s->nlist == SWEEP_MAX_LISTS)
				return err_set(&s->c->err, EXIT_USAGE, "at most %d '--set' lists", SWEEP_MAX_LISTS);
			s->list_hw[s->nlist] = hw_is_section(s->c->sets[i]);
			s->list_sets[s->nlist++] = s->c->sets[i];
		} else {
			s->fixed_sets[s->nfixed++] = s->c->sets[i];
		}
	}
	return 0;
}

/* Values of list set j ("KEY=a,b,c"): how many; the k-th copied as "KEY=b". */
static int sweep_set_count(const char *set)
{
	int n = 1;

	for (; *set; set++)
		n += *set == ',';
	return n;
}

/* The k-th value of list `set` ("KEY=a,b,c") copied as "KEY=b" into out[n]
 * and as "b" into value[SWEEP_MAX_VALUE].  Returns 0, or EXIT_USAGE when it
 * does not fit (no silent truncation of what the user typed). */
static int sweep_set_value(struct sweep *s, const char *set, int k, char *out, size_t n, char *value)
{
	const char *eq = strchr(set, '='), *p = eq + 1;
	size_t klen = (size_t)(eq - set), len;

	while (k-- > 0)
		p = strchr(p, ',') + 1;
	len = strcspn(p, ",");
	if (len >= SWEEP_MAX_VALUE || klen + len + 2 > n)
		return err_set(&s->c->err, EXIT_USAGE, "'--set %.*s': a value of a list is at most %d bytes",
			       (int)klen, set, SWEEP_MAX_VALUE - 1);
	snprintf(out, n, "%.*s=%.*s", (int)klen, set, (int)len, p);
	snprintf(value, SWEEP_MAX_VALUE, "%.*s", (int)len, p);
	return 0;
}

/*
 * Point c->sets at the fixed sets and, for combination k of the lists whose
 * list_hw is `hw`, one value of each such list (the last list fastest); the
 * values' text goes to value[j] and the "KEY=V" assignments to assign[j].
 * Returns 0 or EXIT_USAGE.
 */
static int sweep_combo_sets(struct sweep *s, int hw, int k, char assign[][2 * SWEEP_MAX_VALUE],
			    char value[][SWEEP_MAX_VALUE])
{
	struct cli *c = s->c;
	int j;

	c->nsets = 0;
	for (j = 0; j < s->nfixed; j++)
		c->sets[c->nsets++] = s->fixed_sets[j];
	for (j = s->nlist - 1; j >= 0; j--) {
		int nv;
		if (s->list_hw[j] != hw)
			continue;
		nv = sweep_set_count(s->list_sets[j]);
		if (sweep_set_value(s, s->list_sets[j], k % nv, assign[j], sizeof assign[j], value[j]))
			return c->err.code;
		k /= nv;
		c->sets[c->nsets++] = assign[j];
	}
	return 0;
}

/* How many combinations the lists of model (hw 0) or hardware (hw 1) keys make. */
static int sweep_combos(const struct sweep *s, int hw)
{
	int j, n = 1;

	for (j = 0; j < s->nlist; j++)
		if (s->list_hw[j] == hw)
			n *= sweep_set_count(s->list_sets[j]);
	return n;
}

/* Load every card variant: model names x the values of the model-key lists,
 * hardware names x the values of the hardware-key lists.  Each is loaded as
 * 'plan --set' would load it, so an unknown key or a bad value is the same
 * error with the same exit code. */
static int sweep_load_cards(struct sweep *s)
{
	struct cli *c = s->c;
	char names[2][2048], *name, *save;
	char assign[SWEEP_MAX_LISTS][2 * SWEEP_MAX_VALUE];   /* 4 KB: the --set texts c->sets points into while loading */
	const char *saved_sets[CLI_MAX_SETS];
	int combos[2], k, nsaved = c->nsets, rc = 0;

	if (!c->model_arg || !c->hw_arg)
		return err_set(&c->err, EXIT_USAGE, "'sweep' needs '--model' and '--hw' (lists allowed)");
	if (strlen(c->model_arg) >= sizeof names[0] || strlen(c->hw_arg) >= sizeof names[1])
		return err_set(&c->err, EXIT_USAGE, "'--model' or '--hw' list is too long");
	if (sweep_split_sets(s))
		return c->err.code;
	combos[0] = sweep_combos(s, 0);
	combos[1] = sweep_combos(s, 1);
	s->models = calloc(SWEEP_MAX_CARDS, sizeof *s->models);
	s->hws = calloc(SWEEP_MAX_CARDS, sizeof *s->hws);
	if (!s->models || !s->hws)
		return err_set(&c->err, EXIT_ENV, "out of memory");
	memcpy(saved_sets, c->sets, sizeof saved_sets);
	strcpy(names[0], c->model_arg);
	strcpy(names[1], c->hw_arg);
	for (name = strtok_r(names[0], ",", &save); name && !rc; name = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < combos[0] && !rc; k++) {
			struct card_variant *v = &s->models[s->nmodels];
			if (s->nmodels == SWEEP_MAX_CARDS) {
				rc = err_set(&c->err, EXIT_USAGE, "at most %d model variants", SWEEP_MAX_CARDS);
				break;
			}
			if ((rc = sweep_combo_sets(s, 0, k, assign, v->value)) != 0 ||
			    (rc = cli_load_model(c, name, &v->m)) != 0)
				break;
			params_count(&v->m, &v->params);
			plan_cli_apply(&v->m, &s->fixed, &v->base);
			s->nmodels++;
		}
	}
	for (name = strtok_r(names[1], ",", &save); name && !rc; name = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < combos[1] && !rc; k++) {
			struct hw_variant *v = &s->hws[s->nhws];
			if (s->nhws == SWEEP_MAX_CARDS) {
				rc = err_set(&c->err, EXIT_USAGE, "at most %d hardware variants", SWEEP_MAX_CARDS);
				break;
			}
			if ((rc = sweep_combo_sets(s, 1, k, assign, v->value)) != 0 ||
			    (rc = cli_load_hw(c, name, &v->h)) != 0)
				break;
			s->nhws++;
		}
	}
	memcpy(c->sets, saved_sets, sizeof saved_sets);
	c->nsets = nsaved;
	return rc;
}

/* ---- evaluation ---------------------------------------------------------------------- */

/* The deployment of point `index`: card variant digits first, the last axis fastest. */
static void sweep_point(const struct sweep *s, long index, int *mi, int *hi, struct deployment *d)
{
	long rest = index;
	int a;

	for (a = s->naxes - 1; a >= 0; a--)
		rest /= s->axis[a].n;
	*hi = (int)(rest % s->nhws);
	*mi = (int)(rest / s->nhws);
	*d = s->models[*mi].base;
	rest = index;
	for (a = s->naxes - 1; a >= 0; a--) {
		long k = rest % s->axis[a].n;
		plan_cli_set(s->axis[a].o, s->axis[a].v[k], s->axis[a].text[k], d);
		rest /= s->axis[a].n;
	}
	d->w.context = d->context;
	d->w.mtp_depth = d->mtp;
	d->w.decode_only = !s->prefill;
}

/* ---- rows ---------------------------------------------------------------------------- */

/* Append text of length n to a CSV row, with the comma before every field but the first. */
static void row_add(struct row_sink *r, const char *text, size_t n)
{
	if (r->len + n + 2 > r->cap) {
		r->oom = 1;
		return;
	}
	if (r->len)
		r->buf[r->len++] = ',';
	memcpy(r->buf + r->len, text, n);
	r->len += n;
	r->buf[r->len] = 0;
}

/* A number column: empty in CSV and null in JSON when not finite (fmt_csv_num). */
static void row_num(struct row_sink *r, const char *name, double v)
{
	char num[32];

	if (r->obj) {
		if (!(isfinite(v) ? cJSON_AddNumberToObject(r->obj, name, v) : cJSON_AddNullToObject(r->obj, name)))
			r->oom = 1;
	} else if (r->header) {
		row_add(r, name, strlen(name));
	} else {
		row_add(r, num, (size_t)fmt_csv_num(v, num));
	}
}

/* A text column, quoted in CSV only where it must be (csv_field). */
static void row_str(struct row_sink *r, const char *name, const char *v)
{
	char field[2 * SWEEP_MAX_VALUE + 8];
	const char *t = r->header ? name : v;
	size_t n;

	if (r->obj) {
		if (!cJSON_AddStringToObject(r->obj, name, v))
			r->oom = 1;
		return;
	}
	if (!csv_needs_quotes(t)) {      /* the common case: as it is, no copy */
		row_add(r, t, strlen(t));
		return;
	}
	n = csv_field(field, sizeof field, t);
	if (n >= sizeof field)
		r->oom = 1;
	else
		row_add(r, field, n);
}

static void row_bool(struct row_sink *r, const char *name, int v)
{
	if (r->obj) {
		if (!cJSON_AddBoolToObject(r->obj, name, v))
			r->oom = 1;
	} else {
		const char *t = r->header ? name : v ? "true" : "false";
		row_add(r, t, strlen(t));
	}
}

/* A --set list column "set.KEY": the value as typed; in JSON a number when
 * the whole of it reads as a finite number, a boolean for true and false, a
 * string otherwise (a card name, a dtype). */
static void row_set(struct row_sink *r, const char *set, const char *value)
{
	char name[2 * SWEEP_MAX_VALUE];
	double v;
	char *end;

	snprintf(name, sizeof name, "set.%.*s", (int)strcspn(set, "="), set);
	if (!r->obj) {
		row_str(r, name, value);
		return;
	}
	v = strtod(value, &end);
	if (*value && !*end && isfinite(v) && !strchr(" \t\n\r\f\v", *value))
		row_num(r, name, v);
	else if (!strcmp(value, "true") || !strcmp(value, "false"))
		row_bool(r, name, !strcmp(value, "true"));
	else
		row_str(r, name, value);
}

/*
 * One row of point (mi, hi) with plan p into r: the plan's fields
 * (plan_fields.h) in order, then a column per --set list, so the CSV header,
 * the CSV rows and the JSON objects cannot drift apart.  The README and
 * 'mlasim help sweep' list these columns.
 */
static void sweep_row(const struct sweep *s, const struct plan *p, int mi, int hi, struct row_sink *r)
{
	int f, j;

	for (f = 0; f < PF_N; f++) {
		const char *name = plan_field_name((enum plan_field)f);
		switch (plan_field_type((enum plan_field)f)) {
		case PFT_TEXT: row_str(r, name, plan_field_text(p, (enum plan_field)f)); break;
		case PFT_NUM: row_num(r, name, plan_field_num(p, (enum plan_field)f)); break;
		case PFT_BOOL: row_bool(r, name, plan_field_bool(p, (enum plan_field)f)); break;
		}
	}
	for (j = 0; j < s->nlist; j++)
		row_set(r, s->list_sets[j], s->list_hw[j] ? s->hws[hi].value[j] : s->models[mi].value[j]);
}

/*
 * Write point (mi, hi)'s row, and a newline, to f: CSV, or with json set one
 * JSON object (cJSON, on one line).  buf holds SWEEP_ROW bytes.  Returns 0, or
 * -1 when the row could not be made (out of memory).
 */
static int sweep_write_row(const struct sweep *s, const struct plan *p, int mi, int hi, int json,
			   char *buf, FILE *f)
{
	struct row_sink r = {buf, 0, SWEEP_ROW, 0, NULL, 0};
	char *text;

	buf[0] = 0;
	if (!json) {
		sweep_row(s, p, mi, hi, &r);
		if (r.oom)
			return -1;
		buf[r.len++] = '\n';
		fwrite(buf, 1, r.len, f);
		return 0;
	}
	if (!(r.obj = cJSON_CreateObject()))
		return -1;
	sweep_row(s, p, mi, hi, &r);
	text = r.oom ? NULL : cJSON_PrintUnformatted(r.obj);
	cJSON_Delete(r.obj);
	if (!text)
		return -1;
	fputs(text, f);
	fputc('\n', f);
	free(text);
	return 0;
}

/* The CSV header line (no newline) into buf[SWEEP_ROW]: the names sweep_row
 * gives.  Returns 0, or EXIT_ENV in s->c->err when its blank plan cannot be
 * allocated. */
static int sweep_header(const struct sweep *s, char *buf)
{
	struct plan *p = calloc(1, sizeof *p);
	struct row_sink r = {buf, 0, SWEEP_ROW, 1, NULL, 0};

	buf[0] = 0;
	if (!p)
		return err_set(&s->c->err, EXIT_ENV, "out of memory writing the sweep's header");
	p->model = &s->models[0].m;
	p->hw = &s->hws[0].h;
	sweep_row(s, p, 0, 0, &r);
	free(p);
	return 0;
}

static void *sweep_work(void *arg)
{
	struct worker *w = arg;
	const struct sweep *s = w->s;
	struct plan *p = malloc(sizeof *p);
	char *row = malloc(SWEEP_ROW);
	struct deployment d;
	long i;
	int mi, hi;

	if (!p || !row) {
		free(p);
		free(row);
		w->failed = err_set(&w->err, EXIT_ENV, "out of memory");
		return NULL;
	}
	for (i = w->first; i < w->last && !w->failed; i++) {
		sweep_point(s, i, &mi, &hi, &d);
		if (plan_compute(&s->models[mi].m, &s->hws[hi].h, &d, &s->models[mi].params, p, &w->err) == 0) {
			w->valid++;
			if (w->out && sweep_write_row(s, p, mi, hi, s->c->format == FMT_JSON, row, w->out))
				w->failed = err_set(&w->err, EXIT_ENV, "out of memory writing a row");
			if (p->mem.fits && p->batch_fits) {
				double x = s->cost_front ? -p->power.usd_per_mtok_output : p->perf.decode_tps_user;
				double y = s->cost_front ? -p->perf.tpot_s : p->perf.decode_tps_gpu;
				w->fit++;
				if (front_add(&w->front, x, y, i, NULL, 0) < 0)
					w->failed = err_set(&w->err, EXIT_ENV, "out of memory: the Pareto front has %ld points",
							    w->front.n);
			}
		} else if (w->skipped_first < 0) {
			w->skipped_first = i;
			w->skipped = w->err;
		}
		if (((i - w->first) & 1023) == 0)
			__atomic_store_n(&w->done, i - w->first, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&w->done, w->last - w->first, __ATOMIC_RELAXED);
	free(p);
	free(row);
	return NULL;
}

static double sweep_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A progress bar on stderr while the workers run, if it is a terminal. */
static void sweep_progress(struct worker *w, int n, long total, double t0)
{
	int shown = 0, i;
	struct timespec nap = {0, 20000000};

	if (!isatty(STDERR_FILENO))
		return;   /* nothing to show: just wait for the workers */
	for (;;) {
		long done = 0;
		for (i = 0; i < n; i++)
			done += __atomic_load_n(&w[i].done, __ATOMIC_RELAXED);
		if (done >= total)
			break;
		if (sweep_now() - t0 > 1) {
			int bar = (int)(40.0 * done / total);
			fprintf(stderr, "\rsweep [%.*s%*s] %5.1f%%  %ld/%ld", bar,
				"========================================", 40 - bar, "",
				100.0 * done / total, done, total);
			shown = 1;
		}
		nanosleep(&nap, NULL);
	}
	if (shown)
		fprintf(stderr, "\r%*s\r", 80, "");
}

/* Copy a worker's temporary file to the output. */
static int sweep_append(FILE *from, FILE *to)
{
	char buf[1 << 16];
	size_t n;

	rewind(from);
	while ((n = fread(buf, 1, sizeof buf, from)) > 0)
		if (fwrite(buf, 1, n, to) != n)
			return -1;
	return ferror(from) ? -1 : 0;
}

/* Say on stderr why points were skipped: the reason of the lowest-numbered
 * one, the same whatever --threads (a worker's points run in order).  It is
 * kept in s for the manifest. */
static void sweep_say_skipped(struct sweep *s, const struct worker *w, int n)
{
	const struct worker *first = NULL;
	long total = s->last - s->first;
	int i;

	for (i = 0; i < n; i++)
		if (w[i].skipped_first >= 0 && (!first || w[i].skipped_first < first->skipped_first))
			first = &w[i];
	s->skipped_first = first ? first->skipped_first : -1;
	if (first) {
		s->skipped = first->skipped;
		fprintf(stderr, "mlasim: warning: %ld of %ld points could not be laid out; point %ld: %s\n",
			total - s->valid, total, first->skipped_first + 1, first->skipped.msg);
	}
}

/* Merge the workers' fronts and print a summary and the front, each point's
 * row made again from its index.  Sets s->valid and s->fit.  Returns 0, or
 * EXIT_ENV when out of memory. */
static int sweep_report(struct sweep *s, struct worker *w, int n, double seconds)
{
	struct front all = {0};
	struct plan *p = malloc(sizeof *p);
	char *row = malloc(SWEEP_ROW);
	struct err e = {0};
	long k;
	int i, rc = 0, oom = 0;

	/* the workers' points in index order: the front of a single thread */
	s->valid = s->fit = 0;
	for (i = 0; i < n; i++) {
		s->valid += w[i].valid;
		s->fit += w[i].fit;
		for (k = 0; k < w[i].front.n && !oom; k++)
			oom = front_add(&all, w[i].front.p[k].x, w[i].front.p[k].y, w[i].front.p[k].index, NULL, 0) < 0;
	}
	if (!p || !row || oom) {
		rc = err_set(&s->c->err, EXIT_ENV, "out of memory merging the Pareto front");
		goto out;
	}
	front_sort(&all);
	sbuf_printf(&s->c->buf, "# mlasim sweep: %ld points%s, %ld could be laid out, %ld fit\n",
		    s->last - s->first, s->shards > 1 ? " in this shard" : "", s->valid, s->fit);
	sweep_say_skipped(s, w, n);
	/* timing varies run to run: not in the (deterministic) output */
	fprintf(stderr, "sweep: %ld points in %.3f s, %.0f points/s on %d thread(s)\n",
		s->last - s->first, seconds, (s->last - s->first) / fmax(seconds, 1e-9), s->threads);
	sbuf_printf(&s->c->buf, "# Pareto front (%s), %ld point(s):\n",
		    s->cost_front ? "lowest $/Mtok output and TPOT" : "most tokens/s per GPU and per user",
		    all.n);
	sweep_header(s, row);
	sbuf_printf(&s->c->buf, "%s\n", row);
	for (k = 0; k < all.n; k++) {
		struct row_sink r = {row, 0, SWEEP_ROW, 0, NULL, 0};
		struct deployment d;
		int mi, hi;
		sweep_point(s, all.p[k].index, &mi, &hi, &d);
		/* the same pure function of the same point: it computed before */
		if (plan_compute(&s->models[mi].m, &s->hws[hi].h, &d, &s->models[mi].params, p, &e)) {
			rc = err_set(&s->c->err, e.code, "%s", e.msg);
			break;
		}
		sweep_row(s, p, mi, hi, &r);
		if (r.oom) {
			rc = err_set(&s->c->err, EXIT_ENV, "out of memory printing the Pareto front");
			break;
		}
		sbuf_add(&s->c->buf, row, r.len);
		sbuf_add(&s->c->buf, "\n", 1);
	}
out:
	front_free(&all);
	free(p);
	free(row);
	return rc;
}

static void sweep_free(struct sweep *s)
{
	int a;

	for (a = 0; a < s->naxes; a++) {
		free(s->axis[a].list);
		free(s->axis[a].v);
		free(s->axis[a].text);
	}
	free(s->models);
	free(s->hws);
	free(s->run_only);
}

static int sweep_count(struct sweep *s)
{
	double total = (double)s->nmodels * s->nhws;
	int a;

	for (a = 0; a < s->naxes; a++)
		total *= (double)s->axis[a].n;
	if (total > s->max_points)
		return err_set(&s->c->err, EXIT_USAGE,
			       "the sweep has %.4g points, more than '--max-points' %.4g", total, s->max_points);
	s->total = (long)total;
	sweep_shard_range(s->total, s->shard, s->shards, &s->first, &s->last);
	return 0;
}

/* Run the workers over [first, last), rows into `out` (NULL: none). */
static int sweep_run(struct sweep *s, FILE *out)
{
	struct worker *w = calloc((size_t)s->threads, sizeof *w);
	pthread_t *tid = calloc((size_t)s->threads, sizeof *tid);
	long span = s->last - s->first;
	double t0 = sweep_now();
	int i, rc = 0, started = 0;

	if (!w || !tid)
		rc = err_set(&s->c->err, EXIT_ENV, "out of memory");
	for (i = 0; !rc && i < s->threads; i++) {
		w[i].s = s;
		w[i].first = s->first + span * i / s->threads;
		w[i].last = s->first + span * (i + 1) / s->threads;
		w[i].skipped_first = -1;
		w[i].out = out ? (s->threads == 1 ? out : tmpfile()) : NULL;
		if (out && !w[i].out)
			rc = err_set(&s->c->err, EXIT_ENV, "cannot make a temporary file for the sweep");
	}
	for (i = 0; !rc && i < s->threads; i++, started++)
		if (pthread_create(&tid[i], NULL, sweep_work, &w[i]))
			rc = err_set(&s->c->err, EXIT_ENV, "cannot start a sweep thread");
	if (!rc)
		sweep_progress(w, s->threads, span, t0);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; !rc && i < s->threads; i++)
		if (w[i].failed)
			rc = err_set(&s->c->err, w[i].err.code, "%s", w[i].err.msg);
	for (i = 0; !rc && out && s->threads > 1 && i < s->threads; i++)
		if (sweep_append(w[i].out, out))
			rc = err_set(&s->c->err, EXIT_ENV, "cannot write '%s'", s->c->out);
	s->seconds = sweep_now() - t0;
	if (!rc)
		rc = sweep_report(s, w, s->threads, s->seconds);
	for (i = 0; w && i < s->threads; i++) {
		if (w[i].out && w[i].out != out)
			fclose(w[i].out);
		front_free(&w[i].front);
	}
	free(w);
	free(tid);
	return rc;
}

/* The manifest beside -o FILE of a shard (sweep_parts.h), of `bytes` rows. */
static int sweep_manifest(struct sweep *s, double bytes)
{
	struct cli *c = s->c;
	const char **opts = calloc((size_t)c->argc, sizeof *opts);
	char *header = malloc(SWEEP_ROW);
	struct sweep_part_info m = {0};
	int i, rc;

	if (!opts || !header) {
		free(opts);
		free(header);
		return err_set(&c->err, EXIT_ENV, "out of memory writing the manifest of '%s'", c->out);
	}
	for (i = 2; i < c->argc; i++)   /* argv[1] is 'sweep' */
		if (!s->run_only[i])
			opts[m.noptions++] = c->argv[i];
	if (sweep_header(s, header)) {
		free(opts);
		free(header);
		return c->err.code;
	}
	m.argv = c->argv;
	m.argc = c->argc;
	m.options = opts;
	m.json = c->format == FMT_JSON;
	m.cost_front = s->cost_front;
	m.columns = header;
	m.points = s->total;
	m.shard = s->shard;
	m.shards = s->shards;
	m.rows = s->valid;
	m.fit = s->fit;
	m.bytes = bytes;
	m.skipped = s->last - s->first - s->valid;
	m.skipped_first = s->skipped_first;
	m.skipped_reason = s->skipped.msg;
	m.threads = s->threads;
	m.seconds = s->seconds;
	rc = sweep_manifest_write(c->out, &m, &c->err);
	free(opts);
	free(header);
	return rc;
}

/* Is --merge among the arguments: the parts of a sweep to put together? */
static int sweep_is_merge(const struct cli *c)
{
	int i;

	for (i = c->i; i < c->argc; i++)
		if (!strcmp(c->argv[i], "--merge"))
			return 1;
	return 0;
}

static int sweep_cmd_with(struct cli *c, struct sweep *sp)
{
	struct out_stream os;
	FILE *out = NULL;
	double bytes;
	int rc;

	sp->c = c;
	if (sweep_parse(sp)) {
		sweep_free(sp);
		return c->err.code;
	}
	if (c->help) {
		sweep_free(sp);
		return cli_help(c);
	}
	if (sweep_load_cards(sp) || sweep_count(sp)) {
		sweep_free(sp);
		return c->err.code;
	}
	if (c->out) {
		if (out_stream_open(&os, c->out, &c->err)) {
			sweep_free(sp);
			return c->err.code;
		}
		out = os.f;
		if (sp->shard == 1 && c->format != FMT_JSON) {
			char *header = malloc(SWEEP_ROW);

			if (!header || sweep_header(sp, header)) {
				free(header);
				out_stream_abort(&os);
				sweep_free(sp);
				return header ? c->err.code : err_set(&c->err, EXIT_ENV, "out of memory");
			}
			fprintf(out, "%s\n", header);
			free(header);
		}
	}
	rc = sweep_run(sp, out);
	if (c->out) {
		bytes = (double)ftello(out);
		if (rc)
			out_stream_abort(&os);
		else
			rc = out_stream_commit(&os, &c->err);
		/* a FIFO or a device (-o /dev/null) has no place for a manifest beside it */
		if (!rc && sp->sharded && os.target.direct)
			fprintf(stderr, "mlasim: warning: '-o %s' is not a regular file: no manifest beside it, so "
				"'sweep --merge' cannot take it\n", c->out);
		else if (!rc && sp->sharded)
			rc = sweep_manifest(sp, bytes);
	}
	sweep_free(sp);
	if (rc)
		return rc;
	{
		/* the front goes to stdout (the rows went to -o) */
		const char *saved = c->out;
		c->out = NULL;
		rc = cli_emit(c);
		c->out = saved;
	}
	/* the rows are written and the (empty) front printed; the answer is no */
	if (!rc && sp->fit == 0)
		rc = sp->shards > 1 ?
			err_set(&c->err, EXIT_NO, "none of the %ld points of shard %ld/%ld fits (fits and batch_fits both true): no Pareto front",
				sp->last - sp->first, sp->shard, sp->shards) :
			err_set(&c->err, EXIT_NO, "none of the sweep's %ld points fits (fits and batch_fits both true): no Pareto front",
				sp->last - sp->first);
	return rc;
}

int cmd_sweep(struct cli *c)
{
	struct sweep *s;
	int rc;

	if (sweep_is_merge(c))
		return sweep_merge(c);
	if (!(s = calloc(1, sizeof *s)))
		return err_set(&c->err, EXIT_ENV, "out of memory");
	rc = sweep_cmd_with(c, s);
	free(s);
	return rc;
}
