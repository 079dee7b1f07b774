/* cmd_plan.c - 'mlasim plan': size one deployment and predict its speed, power and cost */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include "../../reports/plan_json.h"
#include "../../reports/plan_search.h"
#include "../../reports/plan_table.h"
#include "../../reports/report.h"
#include "cards.h"
#include "cli_plan.h"
#include "engine.h"
#include "infile.h"
#include "search.h"
#include "serve.h"
#include "units.h"

/* Planner options: a workload and targets turn 'plan' into a search. */
struct planner {
	int on;
	struct slo slo;
	double tokens_per_day, tps_user;
	enum objective objective;
	int disaggregation;      /* -1 both */
	const char *emit;        /* "vllm", "sglang" or NULL */
	const char *workload;    /* a length distribution file, or NULL */
	const char *engine;      /* --engine NAME|FILE (without @VERSION), or NULL */
	const char *engine_version;   /* --engine NAME@VERSION: VERSION, or NULL */
	char engine_buf[1024];   /* --engine's NAME|FILE, split from its @VERSION */
	double arrival_rate;     /* --arrival-rate: open loop, requests/s (0: closed loop at --batch) */
	int pin_weights, pin_kv, pin_context;
};

/*
 * Read a planner target into *out: a quantity of `kind` in (0, max].  Zero
 * would drop the target without a word (and a rate of 0 is no workload);
 * beyond `max` it is a slip of units, not a target.  Returns 1, or -1 with a
 * usage error naming the option and the range in `want`.
 */
static int plan_target(struct cli *c, const char *name, const char *v, int kind, double max,
		       const char *want, double *out)
{
	double x;

	if (cli_number(c, name, v, kind, &x) < 0)
		return -1;
	if (!(x > 0 && x <= max)) {
		err_set(&c->err, EXIT_USAGE, "'%s' expects %s, got '%s'", name, want, v);
		return -1;
	}
	*out = x;
	return 1;
}

/*
 * --engine NAME[@VERSION]: the card (a bundled name or a file) and the
 * version whose figures to use, split at the last '@' when what follows has
 * no '/' and no file has the whole name (a file path may hold an '@').  Sets pl->engine and
 * pl->engine_version, or a usage error.
 */
static void plan_engine_arg(struct cli *c, const char *v, struct planner *pl)
{
	const char *at = strrchr(v, '@');

	/* a file by that whole name (my@card.json) is the card itself */
	if (at && (strchr(at, '/') || access(v, F_OK) == 0))
		at = NULL;
	if (!*v || at == v) {
		err_set(&c->err, EXIT_USAGE, "'--engine' needs a card: sglang, vllm, trtllm or a file, then @VERSION if you like");
		return;
	}
	if (at && !at[1]) {
		err_set(&c->err, EXIT_USAGE, "'--engine %s' needs a version after '@' (vllm@0.19.0) or no '@'", v);
		return;
	}
	if (strlen(v) >= sizeof pl->engine_buf) {
		err_set(&c->err, EXIT_USAGE, "'--engine': a card name or file of at most %zu characters is expected",
			sizeof pl->engine_buf - 1);
		return;
	}
	snprintf(pl->engine_buf, sizeof pl->engine_buf, "%.*s", (int)(at ? at - v : (long)strlen(v)), v);
	pl->engine = pl->engine_buf;
	pl->engine_version = at ? at + 1 : NULL;
}

/* Latency targets are seconds to minutes: an hour (3600 s) per token or to
 * the first token is no target but a slip of units. */
#define PLAN_MAX_TARGET_S 3600

static int plan_parse(struct cli *c, struct plan_args *a, struct planner *pl)
{
	const char *v;
	int r;

	pl->slo.ttft_s = pl->slo.tpot_s = NAN;
	pl->disaggregation = -1;
	while (cli_more(c)) {
		if (cli_common(c))
			continue;
		if ((r = cli_opt(c, "--rate", &v)) != 0) {
			if (r > 0 && plan_target(c, "--rate", v, UNIT_COUNT, 1e9,
						 "requests per second above 0 and at most 1e9", &pl->slo.rate) > 0)
				pl->on = 1;
		} else if ((r = cli_opt(c, "--tokens-per-day", &v)) != 0) {
			if (r > 0 && plan_target(c, "--tokens-per-day", v, UNIT_COUNT, 1e18,
						 "tokens a day above 0 and at most 1e18", &pl->tokens_per_day) > 0)
				pl->on = 1;
		} else if ((r = cli_opt(c, "--ttft", &v)) != 0) {
			if (r > 0 && plan_target(c, "--ttft", v, UNIT_TIME, PLAN_MAX_TARGET_S,
						 "a time above 0 and at most 3600s, such as 2s or 500ms", &pl->slo.ttft_s) > 0)
				pl->on = 1;
		} else if ((r = cli_opt(c, "--tpot", &v)) != 0) {
			if (r > 0 && plan_target(c, "--tpot", v, UNIT_TIME, PLAN_MAX_TARGET_S,
						 "a time above 0 and at most 3600s, such as 50ms", &pl->slo.tpot_s) > 0)
				pl->on = 1;
		} else if ((r = cli_opt(c, "--tps-user", &v)) != 0) {
			/* 1/X is the TPOT target: the same hour at most */
			if (r > 0 && plan_target(c, "--tps-user", v, UNIT_PLAIN, 1e6,
						 "tokens/s per user above 0 and at most 1e6", &pl->tps_user) > 0) {
				pl->on = 1;
				if (1 / pl->tps_user > PLAN_MAX_TARGET_S)
					err_set(&c->err, EXIT_USAGE,
						"'--tps-user %s' is a TPOT over 3600 s: expected at least 1/3600 tokens/s per user", v);
			}
		} else if ((r = cli_opt(c, "--objective", &v)) != 0) {
			if (r <= 0)
				continue;
			pl->objective = !strcmp(v, "cost") ? OBJ_COST : !strcmp(v, "gpus") ? OBJ_GPUS :
					!strcmp(v, "power") ? OBJ_POWER : (enum objective)-1;
			if ((int)pl->objective < 0)
				err_set(&c->err, EXIT_USAGE, "'--objective' expects cost, gpus or power, got '%s'", v);
		} else if ((r = cli_opt(c, "--disaggregation", &v)) != 0) {
			if (r <= 0)
				continue;
			pl->disaggregation = !strcmp(v, "auto") ? -1 : !strcmp(v, "on") ? 1 : !strcmp(v, "off") ? 0 : -2;
			if (pl->disaggregation == -2)
				err_set(&c->err, EXIT_USAGE, "'--disaggregation' expects auto, on or off, got '%s'", v);
		} else if ((r = cli_opt(c, "--workload", &v)) != 0) {
			if (r > 0) {
				pl->workload = v;
				pl->on = 1;
			}
		} else if ((r = cli_opt(c, "--engine", &v)) != 0) {
			if (r > 0)
				plan_engine_arg(c, v, pl);
		} else if ((r = cli_opt(c, "--arrival-rate", &v)) != 0) {
			if (r > 0)
				plan_target(c, "--arrival-rate", v, UNIT_COUNT, 1e9,
					    "requests per second above 0 and at most 1e9", &pl->arrival_rate);
		} else if ((r = cli_opt(c, "--emit", &v)) != 0) {
			if (r > 0 && strcmp(v, "vllm") && strcmp(v, "sglang"))
				err_set(&c->err, EXIT_USAGE, "'--emit' expects vllm or sglang, got '%s'", v);
			else if (r > 0)
				pl->emit = v;
		} else if (!plan_cli_take(c, a)) {
			cli_unknown(c);
		}
	}
	if (c->err.code)
		return c->err.code;
	if (pl->tps_user > 0) {
		if (!isnan(pl->slo.tpot_s))
			return err_set(&c->err, EXIT_USAGE, "give '--tpot' or '--tps-user', not both");
		pl->slo.tpot_s = 1 / pl->tps_user;
	}
	if (pl->emit && !pl->on)
		return err_set(&c->err, EXIT_USAGE, "'--emit' needs a workload to plan for: '--rate' or '--tokens-per-day'");
	if (pl->arrival_rate > 0 && !pl->engine)
		return err_set(&c->err, EXIT_USAGE,
			       "'--arrival-rate' prices an open loop under an engine: give '--engine' too");
	if (pl->engine && pl->on)
		return err_set(&c->err, EXIT_USAGE,
			       "'--engine' prices one deployment under load; the planner's search does not take it yet");
	return 0;
}

/* Load engine card `name`, put version's figures in use (a version the
 * card has none for: the engine-level ones, and a warning naming those it
 * has), and set what it sets in d on h (the step budget unless
 * --prefill-tokens was given). */
static int plan_engine(struct cli *c, const char *name, const char *version, const struct plan_args *a,
		       const struct hw *h, struct engine *g, struct deployment *d)
{
	char path[1024], known[ENGINE_MAX_VERSIONS * ENGINE_VERSION_LEN];

	if (cards_resolve(CARD_ENGINE, name, path, sizeof path, &c->err))
		return c->err.code;
	infile_note(path, "--engine");
	if (engine_load(path, g, &c->err))
		return c->err.code;
	if (engine_use_version(g, version))
		fprintf(stderr, "mlasim: warning: %s has no figures for version '%s': its engine-level ones are used (versions with figures of their own: %s)\n",
			path, version, engine_versions_list(g, known, sizeof known));
	plan_cli_engine_apply(g, h, a, d);
	return 0;
}


/*
 * Read a length distribution: one request class a line, "ISL OSL [WEIGHT]"
 * (spaces or commas; '#' starts a comment; weights default to 1 and are
 * normalised).  Sets the weighted means into d.  Returns 0 or EXIT_INPUT
 * naming the file and line.
 */
static int plan_read_workload(struct cli *c, const char *path, struct slo *slo,
			      struct deployment *d)
{
	FILE *f = infile_open(path, &c->err);   /* a FIFO or /dev/zero is refused */
	char line[512];
	double total = 0, isl = 0, osl = 0;
	int n = 0, i;

	if (!f)
		return c->err.code;
	infile_note(path, "--workload");
	while (fgets(line, sizeof line, f)) {
		struct request_class k = {0, 0, 1};
		double *field[3] = {&k.isl, &k.osl, &k.weight};
		char *p, *save = NULL, *end, *bad = NULL;
		int got = 0;
		n++;
		if (!strchr(line, '\n') && !feof(f)) {
			fclose(f);
			return err_set(&c->err, EXIT_INPUT, "%s:%d: line longer than %d characters: expected 'ISL OSL [WEIGHT]'",
				       path, n, (int)sizeof line - 2);
		}
		if ((end = strchr(line, '#')) != NULL)
			*end = 0;
		/* every field whole: sscanf took "100 200 1 extra" and "200x" and
		 * hex; units_parse takes a decimal number and nothing after it */
		for (p = strtok_r(line, " ,\t\r\n", &save); p; p = strtok_r(NULL, " ,\t\r\n", &save)) {
			struct err ignore;
			if (got < 3 && !bad && units_parse(p, UNIT_PLAIN, "ISL", field[got], &ignore))
				bad = p;
			got++;
		}
		if (got == 0)
			continue;
		if (got > 3 || bad) {
			fclose(f);
			if (got > 3)
				return err_set(&c->err, EXIT_INPUT, "%s:%d: expected 'ISL OSL [WEIGHT]', got %d fields",
					       path, n, got);
			return err_set(&c->err, EXIT_INPUT,
				       "%s:%d: expected 'ISL OSL [WEIGHT]' in decimal, got '%s'", path, n, bad);
		}
		if (got < 2 || !(k.isl >= 1 && k.isl <= 1e9 && k.isl == floor(k.isl)) ||
		    !(k.osl >= 1 && k.osl <= 1e9 && k.osl == floor(k.osl)) ||
		    !(k.weight > 0 && k.weight <= 1e12)) {
			fclose(f);
			return err_set(&c->err, EXIT_INPUT,
				       "%s:%d: expected 'ISL OSL [WEIGHT]' with whole token counts from 1 to 1e9 and a positive weight",
				       path, n);
		}
		if (slo->nclasses == SEARCH_MAX_CLASSES) {
			fclose(f);
			return err_set(&c->err, EXIT_INPUT, "%s: at most %d request classes", path, SEARCH_MAX_CLASSES);
		}
		slo->classes[slo->nclasses++] = k;
		total += k.weight;
	}
	fclose(f);
	if (slo->nclasses == 0)
		return err_set(&c->err, EXIT_INPUT, "%s: no request class ('ISL OSL [WEIGHT]' lines)", path);
	for (i = 0; i < slo->nclasses; i++) {
		slo->classes[i].weight /= total;
		isl += slo->classes[i].weight * slo->classes[i].isl;
		osl += slo->classes[i].weight * slo->classes[i].osl;
	}
	d->w.isl = round(isl);
	d->w.osl = round(osl);
	return 0;
}

/* Which options did the user pin (the search then keeps them)?  The last
 * value of an option given twice wins, as in plan_cli_apply. */
static void plan_pins(const struct plan_args *a, struct planner *pl, struct search_space *sp)
{
	static const struct {
		const char *name;
		size_t off;
	} pins[] = {
		{"--tp", offsetof(struct search_space, pin_tp)},
		{"--dp", offsetof(struct search_space, pin_dp)},
		{"--ep", offsetof(struct search_space, pin_ep)},
		{"--pp", offsetof(struct search_space, pin_pp)},
		{"--micro-batches", offsetof(struct search_space, pin_mb)},
		{"--mtp", offsetof(struct search_space, pin_mtp)},
		{"--batch", offsetof(struct search_space, pin_batch)},
	};
	size_t k;
	int i;

	for (i = 0; i < a->n; i++) {
		const char *n = a->set[i].o->name;
		pl->pin_weights |= !strcmp(n, "--weights");
		pl->pin_kv |= !strcmp(n, "--kv-dtype");
		pl->pin_context |= !strcmp(n, "--context");
		/* '--overlap' pins the micro-batches it runs (cli_plan.c: one that
		 * disagrees with '--micro-batches' was refused) */
		if (a->set[i].o->kind == PO_OVERLAP && (a->set[i].v != OVERLAP_TBO || isnan(sp->pin_mb)))
			sp->pin_mb = plan_overlap_micro_batches(a->set[i].v);
		for (k = 0; k < sizeof pins / sizeof pins[0]; k++)
			if (!strcmp(n, pins[k].name))
				/* cppcheck-suppress invalidPointerCast ; a double field, found by its offsetof */
				*(double *)((char *)sp + pins[k].off) = a->set[i].v;
	}
}


/* What the planner's search keeps: its cards and its result (about 560 KB)
 * are too big for the stack. */
struct plan_search_state {
	struct hw hws[SEARCH_MAX_CARDS];
	struct search_result r;
	struct params pc;
};

static int plan_search_with(struct cli *c, struct plan_args *a, struct planner *pl,
			    struct plan_search_state *st)
{
	struct hw *hws = st->hws;
	struct search_result *r = &st->r;
	const char *w1[2] = {NULL, NULL}, *k1[2] = {NULL, NULL};
	struct search_space sp;
	struct plan_search_out out;
	struct deployment base;
	struct model m;
	char list[1024], *name, *save = NULL;
	int n = 0;

	if (cli_load_model(c, NULL, &m))
		return c->err.code;
	if (!c->hw_arg)
		return err_set(&c->err, EXIT_USAGE, "the planner needs '--hw NAME[,NAME...]'");
	snprintf(list, sizeof list, "%s", c->hw_arg);
	for (name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		if (n == SEARCH_MAX_CARDS)
			return err_set(&c->err, EXIT_USAGE, "the planner takes at most %d hardware cards",
				       SEARCH_MAX_CARDS);
		if (cli_load_hw(c, name, &hws[n++]))
			return c->err.code;
	}
	plan_cli_apply(&m, a, &base);
	search_default_space(&sp);
	plan_pins(a, pl, &sp);
	if (pl->workload && plan_read_workload(c, pl->workload, &pl->slo, &base))
		return c->err.code;
	if (pl->tokens_per_day > 0)
		pl->slo.rate = pl->tokens_per_day / (base.w.isl + base.w.osl) / 86400;
	if (!pl->pin_context) {
		/* each sequence needs room for its whole length; decode reads on average
		 * the prompt and half the answer */
		base.context = base.w.isl + base.w.osl;
		base.w.context = base.w.isl + base.w.osl / 2;
	}
	sp.hws = hws;
	sp.nhws = n;
	sp.objective = pl->objective;
	sp.disaggregation = pl->disaggregation;
	w1[0] = base.weights.name;
	k1[0] = base.kv.name;
	sp.weights = w1;                     /* the model's format unless --weights says */
	sp.kvs = pl->pin_kv ? k1 : NULL;     /* bf16 and fp8 unless --kv-dtype says */
	params_count(&m, &st->pc);
	if (search_run(&m, &st->pc, &base, &pl->slo, &sp, r, &c->err))
		return c->err.code;
	if (r->rejected_by[REJ_PRICE]) {
		/* a card left out of the comparison is said, whatever the format */
		char names[1024];
		plan_search_unpriced(r, hws, names, sizeof names);
		fprintf(stderr, "mlasim: warning: no price for %s: %ld families not compared on cost; pass '--gpu-hour-usd' or set 'cost.gpu_hour_usd'\n",
			names, r->rejected_by[REJ_PRICE]);
	}
	out = (struct plan_search_out){&m, &base, &pl->slo, pl->objective, r, hws, c->hw_arg, pl->emit};
	if (c->format == FMT_TABLE)
		plan_search_table(&c->buf, &out);
	else
		report_tree(&c->buf, plan_search_json(&out), c->format == FMT_CSV);
	if (cli_emit(c))
		return c->err.code;
	return r->found ? EXIT_OK : EXIT_NO;
}

static int plan_run_search(struct cli *c, struct plan_args *a, struct planner *pl)
{
	struct plan_search_state *st = calloc(1, sizeof *st);
	int rc;

	if (!st)
		return err_set(&c->err, EXIT_ENV, "out of memory planning");
	rc = plan_search_with(c, a, pl, st);
	free(st);
	return rc;
}

/* What one 'mlasim plan' keeps: a plan is 64 KB, too big for the stack. */
struct plan_state {
	struct plan p, scratch;
	struct engine g;
	struct plan_args a;
	struct planner pl;
};

/* Options given that act on nothing in this plan, a warning each: --overlap
 * sbo where no decode all-to-all hid (no experts, ep 1, a GPU without a
 * compute capability). */
static void plan_warn_idle(const struct plan_args *a, const struct plan *p)
{
	int i;

	for (i = 0; i < a->n; i++)
		if (a->set[i].o->kind == PO_OVERLAP && a->set[i].v == OVERLAP_SBO && !p->perf.decode.overlapped)
			fprintf(stderr, "mlasim: warning: '--overlap sbo' hides nothing here: it overlaps a decode step's EP "
				"all-to-all on an NVIDIA GPU (a MoE model at --ep 2 or more, a card with gpu.compute_capability)\n");
}

static int plan_run(struct cli *c, struct plan_state *st)
{
	struct plan *p = &st->p;
	struct plan_args *a = &st->a;
	struct planner *pl = &st->pl;
	struct engine *g = &st->g;
	struct serve_result sr;
	struct model m;
	struct hw h;
	struct deployment d;
	cJSON *j;

	if (plan_parse(c, a, pl))
		return c->err.code;
	if (c->help)
		return cli_help(c);
	plan_cli_warn_engine_only(a, pl->engine != NULL);
	if (pl->on)
		return plan_run_search(c, a, pl);
	if (cli_load_model(c, NULL, &m) || cli_load_hw(c, NULL, &h))
		return c->err.code;
	plan_cli_apply(&m, a, &d);
	if (pl->engine && plan_engine(c, pl->engine, pl->engine_version, a, &h, g, &d))
		return c->err.code;
	plan_cli_warn_batch_wait(a, pl->engine ? g : NULL);
	if (plan_compute(&m, &h, &d, NULL, p, &c->err))
		return c->err.code;
	plan_warn_idle(a, p);
	if (pl->engine && (pl->arrival_rate > 0 ? serve_open(p, g, pl->arrival_rate, &st->scratch, &sr, &c->err) :
				  serve_agg(p, g, &st->scratch, &sr, &c->err)))
		return c->err.code;
	if (c->format == FMT_TABLE) {
		plan_table_render(&c->buf, p);
		if (pl->engine)
			plan_table_serving(&c->buf, p, g, &sr);
	} else {
		j = plan_json_render(p);
		if (pl->engine)
			plan_json_serving(j, g, &sr);
		report_tree(&c->buf, j, c->format == FMT_CSV);
	}
	if (cli_emit(c))
		return c->err.code;
	return p->mem.fits && !(pl->engine && sr.saturated) ? EXIT_OK : EXIT_NO;
}

int cmd_plan(struct cli *c)
{
	struct plan_state *st = calloc(1, sizeof *st);
	int rc;

	if (!st)
		return err_set(&c->err, EXIT_ENV, "out of memory");
	rc = plan_run(c, st);
	free(st);
	return rc;
}
