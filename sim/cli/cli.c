/* cli.c - main(), the command table and the option parsing every command shares */
#define _DEFAULT_SOURCE
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../reports/out.h"
#include "cards.h"
#include "infile.h"
#include "cli.h"
#include "units.h"

extern const char help_help[], help_list[], help_kv[], help_plan[],
	help_chart[], help_validate[], help_probe[], help_net[], help_report[], help_sweep[];

static const struct command commands[] = {
	{"plan", cmd_plan, "size one deployment: memory per GPU, KV capacity, what fits", help_plan, 1, NULL},
	{"kv", cmd_kv, "KV-cache bytes per token and per context, across attention kinds and dtypes", help_kv, 0, NULL},
	{"net", cmd_net, "size a fat-tree / multi-plane fat-tree fabric and time collectives on it", help_net, 1, NULL},
	{"sweep", cmd_sweep, "evaluate many deployments, write CSV/JSON, print the Pareto front", help_sweep, 1, NULL},
	{"chart", cmd_chart, "draw gnuplot charts: kv, memory, throughput, tpot, roofline, pareto, power, topology", help_chart, 1, "images (NAME.png, .svg, .dat and .gp)"},
	{"report", cmd_report, "write a self-contained HTML report of a plan with its charts", help_report, 1, "HTML"},
	{"validate", cmd_validate, "reproduce the published reference figures and say which hold", help_validate, 0, NULL},
	{"probe", cmd_probe, "run the CUDA calibration probes; write a calibrated hardware card", help_probe, 1, NULL},
	{"list", cmd_list, "list the bundled model and hardware cards", help_list, 0, NULL},
	{"help", cmd_help, "show help for mlasim or one command", help_help, 0, NULL},
	{NULL, NULL, NULL, NULL, 0, NULL},
};

const struct command *cli_commands(void) { return commands; }

const struct command *cli_find(const char *name)
{
	const struct command *k;

	for (k = commands; k->name; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

int cli_more(const struct cli *c)
{
	return c->i < c->argc && c->err.code == 0;
}

/* Match argv[i] against `name` ("--x V" or "--x=V"); sets *value. */
int cli_opt(struct cli *c, const char *name, const char **value)
{
	const char *a = c->argv[c->i];
	size_t len = strlen(name);

	if (strncmp(a, name, len) != 0)
		return 0;
	if (a[len] == '=') {
		*value = a + len + 1;
		c->i++;
		return 1;
	}
	if (a[len] != 0)
		return 0;
	if (c->i + 1 >= c->argc) {
		err_set(&c->err, EXIT_USAGE, "option '%s' needs a value", name);
		return -1;
	}
	*value = c->argv[c->i + 1];
	c->i += 2;
	return 1;
}

int cli_flag(struct cli *c, const char *name)
{
	if (strcmp(c->argv[c->i], name) != 0)
		return 0;
	c->i++;
	return 1;
}

int cli_unknown(struct cli *c)
{
	const char *a = c->argv[c->i];

	/* the pointer to the help is part of the one line: errors are one line */
	if (a[0] == '-')
		return err_set(&c->err, EXIT_USAGE, "unknown option '%s' for '%s' ('mlasim help %s' lists them)",
			       a, c->cmd, c->cmd);
	return err_set(&c->err, EXIT_USAGE, "unexpected argument '%s' for '%s' ('mlasim help %s' shows the usage)",
		       a, c->cmd, c->cmd);
}

/* A command whose output has one form refuses --format rather than ignore it. */
static int cli_format_fixed(struct cli *c, const char *opt)
{
	const struct command *k = cli_find(c->cmd);

	if (!k || !k->writes)
		return 0;
	err_set(&c->err, EXIT_USAGE, "'%s' does not apply to '%s': it writes %s", opt, c->cmd, k->writes);
	return 1;
}

int cli_common(struct cli *c)
{
	const char *v;
	int r;

	if (cli_flag(c, "--help") || cli_flag(c, "-h")) {
		c->help = 1;
		return 1;
	}
	if ((r = cli_opt(c, "--model", &v)) != 0) {
		c->model_arg = v;
		return r;
	}
	if ((r = cli_opt(c, "--hw", &v)) != 0) {
		c->hw_arg = v;
		return r;
	}
	if ((r = cli_opt(c, "-o", &v)) != 0 || (r = cli_opt(c, "--output", &v)) != 0) {
		if (r > 0 && !*v) {
			err_set(&c->err, EXIT_USAGE, "'-o' needs a file name, got an empty one");
			return -1;
		}
		c->out = v;
		return r;
	}
	if ((r = cli_opt(c, "--set", &v)) != 0) {
		if (r < 0)
			return r;
		if (c->nsets == CLI_MAX_SETS) {
			err_set(&c->err, EXIT_USAGE, "at most %d '--set' options", CLI_MAX_SETS);
			return -1;
		}
		c->sets[c->nsets++] = v;
		return 1;
	}
	if ((r = cli_opt(c, "--format", &v)) != 0) {
		if (r < 0)
			return r;
		if (cli_format_fixed(c, "--format"))
			return -1;
		if (strcmp(v, "table") == 0)
			c->format = FMT_TABLE;
		else if (strcmp(v, "json") == 0)
			c->format = FMT_JSON;
		else if (strcmp(v, "csv") == 0)
			c->format = FMT_CSV;
		else {
			err_set(&c->err, EXIT_USAGE, "'--format' expects table, json or csv, got '%s'", v);
			return -1;
		}
		return 1;
	}
	if (cli_flag(c, "--json")) {
		if (cli_format_fixed(c, "--json"))
			return -1;
		c->format = FMT_JSON;
		return 1;
	}
	return 0;
}

int cli_number(struct cli *c, const char *name, const char *text, int kind, double *out)
{
	return units_parse(text, (enum unit_kind)kind, name, out, &c->err) ? -1 : 1;
}

int cli_count(struct cli *c, const char *name, const char *text, double *out)
{
	double v;

	if (units_parse(text, UNIT_COUNT, name, &v, &c->err))
		return -1;
	if (!(v >= 1 && v <= 1e9) || v != floor(v)) {   /* range first: no cast of a huge value */
		err_set(&c->err, EXIT_USAGE, "'%s' expects a whole number from 1 to 1e9, got '%s'",
			name, text);
		return -1;
	}
	*out = v;
	return 1;
}

/* Split --set overrides between the hardware card and the model card. */
static int cli_sets_for(const struct cli *c, int hw, const char **out)
{
	int i, n = 0;

	for (i = 0; i < c->nsets; i++)
		if (hw_is_section(c->sets[i]) == hw)
			out[n++] = c->sets[i];
	return n;
}

int cli_load_model(struct cli *c, const char *name, struct model *m)
{
	const char *sets[CLI_MAX_SETS];
	char path[1024], key[128];
	int i, n = cli_sets_for(c, 0, sets);

	if (!name)
		name = c->model_arg;
	if (!name)
		return err_set(&c->err, EXIT_USAGE, "'%s' needs '--model NAME|FILE' ('mlasim list' shows the bundled models)",
			       c->cmd);
	if (!cli_find(c->cmd)->takes_hw) {
		const char *hw_sets[CLI_MAX_SETS];
		if (cli_sets_for(c, 1, hw_sets) > 0)
			return err_set(&c->err, EXIT_USAGE, "'--set %s': '%s' reads no hardware card",
				       hw_sets[0], c->cmd);
	}
	for (i = 0; i < n; i++) {
		size_t klen = strcspn(sets[i], "=");
		snprintf(key, sizeof key, "%.*s", (int)(klen < 127 ? klen : 127), sets[i]);
		if (sets[i][klen] == '=' && klen > 0 && !model_key_known(key))
			return err_set(&c->err, EXIT_USAGE,
				       "'--set %s': '%s' is not a model key mlasim reads (hardware keys look like gpu.hbm_gbs)",
				       sets[i], key);
	}
	if (cards_resolve(CARD_MODEL, name, path, sizeof path, &c->err))
		return c->err.code;
	infile_note(path, "--model");
	if (model_load(path, sets, n, m, &c->err))
		return c->err.code;
	for (i = 0; i < m->nunmodelled; i++)
		fprintf(stderr, "mlasim: warning: %s: %s\n", path, m->unmodelled[i]);
	return 0;
}

int cli_load_hw(struct cli *c, const char *name, struct hw *h)
{
	const char *sets[CLI_MAX_SETS];
	char path[1024];
	int i, n = cli_sets_for(c, 1, sets);

	for (i = 0; i < n; i++)
		if (!hw_set_known(sets[i]))
			return err_set(&c->err, EXIT_USAGE,
				       "'--set %s': '%.*s' is not a hardware card key (hw/README.md lists them)",
				       sets[i], (int)strcspn(sets[i], "="), sets[i]);
	if (!name)
		name = c->hw_arg;
	if (!name)
		return err_set(&c->err, EXIT_USAGE, "'%s' needs '--hw NAME|FILE' ('mlasim list' shows the bundled hardware)",
			       c->cmd);
	if (cards_resolve(CARD_HW, name, path, sizeof path, &c->err))
		return c->err.code;
	infile_note(path, "--hw");
	return hw_load(path, sets, n, h, &c->err);
}

int cli_emit(struct cli *c)
{
	if (c->buf.oom)
		return err_set(&c->err, EXIT_ENV, "out of memory building the report");
	return out_write(c->out, c->buf.data ? c->buf.data : "", c->buf.len, &c->err);
}

/* Record the executable's directory so bundled cards are found from anywhere. */
static void cli_find_exe_dir(const char *argv0)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	char *slash;

	if (n > 0) {
		buf[n] = 0;
	} else if (argv0 && strchr(argv0, '/') && realpath(argv0, buf)) {
		/* fall through with the resolved path */
	} else {
		return;
	}
	slash = strrchr(buf, '/');
	if (slash) {
		*slash = 0;
		cards_set_exe_dir(buf);
	}
}

int cli_run(struct cli *c, int argc, char **argv)
{
	const struct command *k;

	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		argv[1] = "help";
	k = cli_find(argv[1]);
	if (!k)
		return err_set(&c->err, EXIT_USAGE, "unknown command '%s' ('mlasim help' lists the commands)", argv[1]);
	c->argc = argc;
	c->argv = argv;
	c->i = 2;
	c->cmd = k->name;
	return k->fn(c);
}

int main(int argc, char **argv)
{
	static struct cli c;
	int rc;

	cli_find_exe_dir(argv[0]);
	out_guard_install();
	if (argc < 2) {
		fprintf(stderr, "mlasim: no command given: usage is 'mlasim <command> [options]' ('mlasim help' lists the commands)\n");
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("mlasim %s\n", MLASIM_VERSION);
		return 0;
	}
	rc = cli_run(&c, argc, argv);
	if (rc != 0 && c.err.code != 0) {
		char *p;
		for (p = c.err.msg; *p; p++)   /* one line, whatever the input held */
			if ((unsigned char)*p < 0x20)
				*p = ' ';
		fprintf(stderr, "mlasim: %s\n", c.err.msg);   /* one line, no usage line after it */
		rc = c.err.code;
	}
	sbuf_free(&c.buf);
	return rc;
}

int cli_help(struct cli *c)
{
	const struct command *k = cli_find(c->cmd);

	fputs(k ? k->usage : "", stdout);
	return 0;
}
