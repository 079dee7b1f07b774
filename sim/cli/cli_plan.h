/*
 * cli_plan.h - the deployment and workload options shared by the commands
 * that evaluate a plan (plan, report, chart, sweep).  The plan's renderings
 * are in reports/ (plan_table.h, plan_json.h).
 */
#ifndef MLASIM_CLI_PLAN_H
#define MLASIM_CLI_PLAN_H

#include "cli.h"
#include "plan.h"

enum popt_kind { PO_COUNT, PO_NUM, PO_WHOLE, PO_BYTES, PO_FLAG, PO_WEIGHTS, PO_EXPERT_WEIGHTS, PO_ATTN_WEIGHTS, PO_KV, PO_SHARED,
		PO_OVERLAP, PO_ONOFF, PO_GRAPHS };

/* One option: its name, how its value reads, where it lands in struct deployment. */
struct popt {
	const char *name;
	enum popt_kind kind;
	size_t off;            /* double (or int for flags) in struct deployment */
};

/* The option table, ended by a NULL name. */
extern const struct popt plan_options[];

#define PLAN_MAX_SETTINGS 64

struct setting {
	const struct popt *o;
	double v;
	const char *text;
};

/* Options seen on a command line, checked, in order. */
struct plan_args {
	struct setting set[PLAN_MAX_SETTINGS];
	int n;
};

/*
 * If argv[c->i] is a plan option, check its value, remember it in a and return
 * 1 (or -1 with c->err set); 0 when it is not one.  a keeps pointers into
 * c->argv.
 */
int plan_cli_take(struct cli *c, struct plan_args *a);

/* The micro-batches of '--overlap' mode `mode` (an enum overlap, as
 * plan_cli_value reads it): 2 for tbo, 1 for none and sbo. */
double plan_overlap_micro_batches(double mode);
/* Check and read one value of option o (as typed) into *out; 0 or -1 with c->err. */
int plan_cli_value(struct cli *c, const struct popt *o, const char *v, double *out);

/* Apply a value parsed for option o to d (used by sweep for each value of a
 * list): v for a numeric option or flag, `text` (as typed) for a weight or KV
 * format option, which reads it alone (NULL is then the unknown-format error,
 * ignored: a text plan_cli_value accepted always parses). */
void plan_cli_set(const struct popt *o, double v, const char *text, struct deployment *d);

/* The model's defaults (plan_default_deployment), then the remembered options
 * in order, into *d; '--micro-batches' above the batch, without '--batch',
 * raises the batch to it. */
void plan_cli_apply(const struct model *m, const struct plan_args *a, struct deployment *d);

/* 1 when option `name` was given in a, else 0. */
int plan_cli_given(const struct plan_args *a, const char *name);

/* What engine g sets in d on card h (serve_engine_apply), the step token
 * budget kept where a gave '--prefill-tokens'. */
void plan_cli_engine_apply(const struct engine *g, const struct hw *h, const struct plan_args *a,
			   struct deployment *d);

/* 1 when option `name` acts only on serving under load (--dp-balance,
 * --recv-interval, --batch-wait-iters, --batch-wait-ratio), else 0. */
int plan_cli_engine_only(const char *name);

/* A warning on stderr for each option of a that acts only on serving under
 * load (plan_cli_engine_only) when no engine serves: `has_engine` 0 (plan
 * without --engine, its search, chart, report). */
void plan_cli_warn_engine_only(const struct plan_args *a, int has_engine);

/* With engine g serving (NULL: nothing), warnings on stderr when a gives
 * only one of --batch-wait-iters and --batch-wait-ratio above 0 (the engine
 * then never waits, serve.h), and when g is not TensorRT-LLM, whose setting
 * they are. */
void plan_cli_warn_batch_wait(const struct plan_args *a, const struct engine *g);

#endif
