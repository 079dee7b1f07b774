/*
 * cli.h - the command-line layer: the command table, option parsing shared by
 * every command, and loading the cards a command names.  Only this layer
 * prints to the terminal and chooses exit codes (docs/design.md s2, s8).
 */
#ifndef MLASIM_CLI_H
#define MLASIM_CLI_H

#include "../../reports/sbuf.h"
#include "err.h"
#include "hw.h"
#include "model.h"
#include "version.h"

#define CLI_MAX_SETS 64

enum format { FMT_TABLE, FMT_JSON, FMT_CSV };

/* Options every command accepts, and the state of one command's run. */
struct cli {
	int argc;
	char **argv;
	int i;                        /* index of the argument being parsed */
	const char *cmd;              /* command name, for usage lines */
	const char *model_arg;        /* --model (may be a comma list for some commands) */
	const char *hw_arg;           /* --hw */
	const char *sets[CLI_MAX_SETS];
	int nsets;
	enum format format;
	const char *out;              /* -o FILE; NULL = stdout */
	int help;                     /* --help seen */
	struct sbuf buf;              /* the report being built */
	struct err err;
};

/* A command: int cmd_<name>(struct cli *c) returns an exit code. */
struct command {
	const char *name;
	int (*fn)(struct cli *c);
	const char *summary;          /* one line for 'mlasim help' */
	const char *usage;            /* the text of 'mlasim help <name>' */
	int takes_hw;                 /* reads a hardware card (--hw, hardware --set keys) */
	const char *writes;           /* what it writes whatever --format says, which it then
	                                 refuses ("HTML"); NULL: --format chooses */
};

/* The command table, ending with a NULL name. */
const struct command *cli_commands(void);
/* The command called `name`, or NULL. */
const struct command *cli_find(const char *name);

/*
 * Run the command argv[1] ("--help" and "-h" name 'help'; argc >= 2) on the
 * options after it, in `c`, which the caller zeroes and afterwards frees
 * (c->buf).  Returns the command's exit code; an unknown command is
 * EXIT_USAGE with the message in c->err and c->cmd left NULL.  What main()
 * and the command-line fuzzer share: printing is the caller's.
 */
int cli_run(struct cli *c, int argc, char **argv);

/*
 * Option parsing.  A command loops `while (cli_more(c))`: cli_common()
 * consumes an option every command takes and returns 1; cli_opt(c, "--x", &v)
 * consumes "--x V" or "--x=V" and returns 1; cli_flag(c, "--x") a flag without
 * value; each returns 0 when argv[c->i] is not theirs.  Anything else ends in
 * cli_unknown(), which records a usage error and returns EXIT_USAGE.  A
 * missing value is a usage error recorded in c->err (the function returns -1).
 * cli_more() is 0 past the last argument or once c->err holds an error.
 */
int cli_more(const struct cli *c);
int cli_common(struct cli *c);
int cli_opt(struct cli *c, const char *name, const char **value);
int cli_flag(struct cli *c, const char *name);
int cli_unknown(struct cli *c);

/* Parse a number option with units (kind: enum unit_kind, units.h) into
 * *out.  Returns 1, or -1 with the usage error in c->err. */
int cli_number(struct cli *c, const char *name, const char *text, int kind, double *out);
/* Parse a whole number from 1 to 1e9 (a count, units allowed) into *out.
 * Returns 1, or -1 with the usage error in c->err. */
int cli_count(struct cli *c, const char *name, const char *text, double *out);

/* Load the model named by `name` (NULL: c->model_arg), with the --set
 * overrides that are not hardware keys, note the file as an input
 * (infile_note) and warn on stderr of each feature it does not model
 * (m->unmodelled).  Returns 0, or an exit code with its message in c->err:
 * EXIT_USAGE for no model or a --set key no model card has, else
 * cards_resolve's or model_load's. */
int cli_load_model(struct cli *c, const char *name, struct model *m);
/* Load the hardware card named by `name` (NULL: c->hw_arg), with the hardware
 * --set keys, and note the file as an input.  Returns 0, or an exit code with
 * its message in c->err: EXIT_USAGE for no card or an unknown hardware key,
 * else cards_resolve's or hw_load's. */
int cli_load_hw(struct cli *c, const char *name, struct hw *h);

/* Write c->buf to stdout or -o, atomically.  Returns 0, or out_write's error
 * in c->err (EXIT_USAGE for an -o it refuses, EXIT_ENV), or EXIT_ENV when the
 * report ran out of memory. */
int cli_emit(struct cli *c);

/* Commands (one file each). */
int cmd_help(struct cli *c);
int cmd_list(struct cli *c);
int cmd_kv(struct cli *c);
int cmd_plan(struct cli *c);
int cmd_chart(struct cli *c);
int cmd_validate(struct cli *c);
/* validate --serving FILE [--fit|--fit-versions] [--rows] (cmd_vserving.c): a
 * silicon sample predicted and compared; --fit (fit 1) refits the engine
 * cards' engine-level figures first, --fit-versions (fit 2) those and each
 * version's with enough training rows, --rows (list) prints every row */
int validate_serving(struct cli *c, const char *path, int fit, int list);
/* validate --serving alone (cmd_vserving.c): the published measured serving cases */
int validate_serving_cases(struct cli *c);
int cmd_probe(struct cli *c);
int cmd_net(struct cli *c);
int cmd_report(struct cli *c);
int cmd_sweep(struct cli *c);

/* Print the current command's help text to stdout; returns 0. */
int cli_help(struct cli *c);

#endif
