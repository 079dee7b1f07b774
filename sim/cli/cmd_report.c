/* cmd_report.c - 'mlasim report': one self-contained HTML file of a plan with its charts */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../../reports/charts.h"
#include "../../reports/gnuplot.h"
#include "../../reports/html.h"
#include "../../reports/out.h"
#include "../../reports/plan_table.h"
#include "cli_plan.h"
#include "infile.h"
#include "jsonx.h"
#include "series.h"

const char help_report[] =
"usage: mlasim report --model M --hw H [plan options] [-o report.html]\n"
"\n"
"Write one self-contained HTML file (no scripts, no network needed to view it)\n"
"about a plan: a summary; the model; memory per GPU; decode and prefill latency\n"
"and throughput with the time by class and operator by operator; the network\n"
"links and expert-parallel traffic; power, cooling and cost; and the assumptions\n"
"and sources behind the numbers (conventions, --set overrides, the efficiencies\n"
"used, the hardware card's sources map and notes, the model card's sources, the\n"
"power model's warnings).  The charts are drawn by gnuplot and embedded as SVG:\n"
"memory per GPU, throughput and TPOT against batch, the roofline with the plan's\n"
"operators, TPOT against the expert-parallel size (MoE models) and against the NIC\n"
"bandwidth (when the EP group leaves the scale-up domain), power per rack.  A print\n"
"stylesheet lays it out on A4.  Written atomically to -o FILE (default: stdout).\n"
"\n"
"Takes every option of 'mlasim plan' (mlasim help plan), and:\n"
"  --no-charts          leave the charts out (no gnuplot needed)\n"
"  --charts-dir DIR     also keep each chart's .png, .svg, .dat and .gp in DIR\n"
"                       (an existing directory; default: a temporary one, removed)\n"
"\n"
"Exit status: 0 written; 1 written, but the model does not fit the deployment;\n"
"4 written without charts because gnuplot is missing or failed (the message says\n"
"which; install gnuplot-nox or pass --no-charts), or the file cannot be written.\n"
"\n"
"example: mlasim report --model deepseek-v3 --hw h800 --dp 32 --ep 32 --batch 64 -o v3.html\n";

/* The charts a report holds, in the order they appear. */
enum rchart { RC_MEMORY, RC_THROUGHPUT, RC_ROOFLINE, RC_TPOT_EP, RC_TPOT_NIC, RC_POWER, RC_N };

static const struct {
	const char *id, *section, *title, *caption;
} rchart_info[RC_N] = {
	{"memory", "memory", "Memory per GPU",
	 "Weights by component, runtime reserve, KV cache and headroom; the dashed line is the usable HBM. "
	 "Above the bar: the sequences of the context that fit per GPU."},
	{"throughput", "perf", "Decode throughput and TPOT against batch",
	 "This deployment with the batch doubled from 1 to 1024. Dashed: batches whose sequences do not fit the KV cache. "
	 "The circle marks the knee: the first batch no longer HBM-bound, else the batch from which each doubling adds less than 20% tokens/s per GPU."},
	{"roofline", "perf", "Roofline with the plan's operators",
	 "Each compute operator at its arithmetic intensity (FLOPs per HBM byte) and achieved FLOP/s (FLOPs over its time, "
	 "kernel latency included); filled: decode, open: prefill. Below the slope an operator is memory-bound; under the flat roof, compute-bound."},
	{"tpot-ep", "network", "TPOT against the expert-parallel size",
	 "The same batch per GPU with ep = dp x tp GPUs sharing the experts: computation per token falls as each GPU holds fewer "
	 "experts, communication grows once the group leaves the scale-up domain. Where communication takes over is marked."},
	{"tpot-nic", "network", "TPOT against the NIC bandwidth",
	 "The 'Insights into DeepSeek-V3' speed-limit argument: with computation hidden behind communication, "
	 "the all-to-all sets TPOT until the network is fast enough."},
	{"power", "power", "Power per rack",
	 "GPUs, the rest of the nodes, the network switches' share when the card gives switch power, and the facility "
	 "overhead (PUE - 1) x IT, at decode, prefill and full load, against the rack's power and air-cooling limits."},
};

struct report_args {
	struct plan_args plan;
	int no_charts;
	const char *charts_dir;
};

static int report_parse(struct cli *c, struct report_args *a)
{
	const char *v;
	int r;

	while (cli_more(c)) {
		if (cli_common(c))
			continue;
		if (cli_flag(c, "--no-charts")) {
			a->no_charts = 1;
			continue;
		}
		if ((r = cli_opt(c, "--charts-dir", &v)) != 0) {
			a->charts_dir = v;
			continue;
		}
		if (!plan_cli_take(c, &a->plan))
			cli_unknown(c);
	}
	return c->err.code;
}

/* The command line, quoted where needed, to reproduce the report. */
static void report_command(const struct cli *c, struct sbuf *b)
{
	int i;

	sbuf_printf(b, "mlasim");
	for (i = 1; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (*a && !strpbrk(a, " \t\n'\"\\$`*?;&|<>()[]{}"))
			sbuf_printf(b, " %s", a);
		else {
			const char *s;
			sbuf_printf(b, " '");
			for (s = a; *s; s++)
				if (*s == '\'')
					sbuf_printf(b, "'\\''");
				else
					sbuf_add(b, s, 1);
			sbuf_printf(b, "'");
		}
	}
}

/* Read a chart's SVG (gnuplot's: under a MB); NULL on failure.  Caller frees. */
static char *report_slurp(const char *path)
{
	struct err e = {0};
	char *s = NULL;
	size_t n;

	return infile_read(path, 64u << 20, "a chart", &s, &n, &e) ? NULL : s;
}

/* The series behind one of the report's charts. */
union report_series {
	struct series_memory memory;
	struct series_throughput throughput;
	struct series_roofline roofline;
	struct series_tpot tpot;
	struct series_power power;
};

/* Compute chart k's series of the plan and draw it into ch.  Returns 0, or
 * an error in e. */
static int report_build(enum rchart k, struct chart *ch, const struct model *m, const struct hw *h,
			const struct deployment *d, struct err *e)
{
	static const char *const label[1] = {"this deployment"};
	union report_series *s = malloc(sizeof *s);
	enum series_over over = k == RC_TPOT_EP ? SERIES_OVER_EP : SERIES_OVER_NIC;

	if (!s)
		return err_set(e, EXIT_ENV, "out of memory");
	switch (k) {
	case RC_MEMORY:
		if (!series_memory(m, h, d, 1, &s->memory, e))
			chart_draw_memory(ch, m, h, d, label, NULL, &s->memory);
		break;
	case RC_THROUGHPUT:
		if (!series_throughput(m, h, 1, d, &s->throughput, e))
			chart_draw_throughput(ch, m, h, d, &s->throughput);
		break;
	case RC_ROOFLINE:
		if (!series_roofline(m, h, d, &s->roofline, e))
			chart_draw_roofline(ch, m, h, d, &s->roofline);
		break;
	case RC_TPOT_EP: case RC_TPOT_NIC:
		if (!series_tpot(m, h, d, over, NULL, 0, &s->tpot, e))
			chart_draw_tpot(ch, m, h, d, over, &s->tpot);
		break;
	case RC_POWER:
		if (!series_power(m, h, d, 0, &s->power, e))
			chart_draw_power(ch, m, h, d, 0, &s->power);
		break;
	case RC_N: break;
	}
	free(s);
	return e->code;
}

/* Which charts this plan calls for. */
static int report_wants(enum rchart k, const struct plan *p)
{
	if (k == RC_TPOT_EP)
		return p->model->is_moe;
	if (k == RC_TPOT_NIC)
		return p->model->is_moe && p->perf.links.have_out && p->dep.ep > p->perf.links.up_domain;
	return 1;
}

struct report_charts {
	struct html_chart c[RC_N];
	char *svg[RC_N];
	char why[RC_N][sizeof ((struct err *)0)->msg];
	int n;
	struct err first;          /* the first failure, for the exit status */
};

/* Remove a chart's four files from a temporary directory. */
static void report_unlink(const char *stem)
{
	static const char *const ext[] = {"dat", "gp", "png", "svg"};
	char path[4200];
	int i;

	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s.%s", stem, ext[i]);
		unlink(path);
	}
}

/* Draw the plan's charts into dir and keep their SVG text in r. */
static void report_draw(struct report_charts *r, const char *dir, int keep, const struct plan *p,
			const struct model *m, const struct hw *h)
{
	int k;

	for (k = 0; k < RC_N; k++) {
		struct html_chart *hc = &r->c[r->n];
		struct chart ch;
		struct err e = {0};
		char out[4100], svg[4300];

		if (!report_wants((enum rchart)k, p))
			continue;
		/* a gnuplot stuck once is stuck for the next chart too: not
		 * another full timeout for each */
		if (r->first.code && strncmp(r->first.msg, GNUPLOT_TIMEOUT_MSG, strlen(GNUPLOT_TIMEOUT_MSG)) == 0)
			err_set(&e, EXIT_ENV, "not drawn: %s", r->first.msg);
		hc->id = rchart_info[k].id;
		hc->section = rchart_info[k].section;
		hc->title = rchart_info[k].title;
		hc->caption = rchart_info[k].caption;
		snprintf(out, sizeof out, "%.4000s/%.32s.png", dir, rchart_info[k].id);
		if (!keep) {            /* a signal now removes this chart's files and dir */
			char stem[4100];
			snprintf(stem, sizeof stem, "%.4000s/%.32s", dir, rchart_info[k].id);
			out_guard_scratch(dir, stem);
		}
		if (!e.code && !chart_open(&ch, out, NULL, &e)) {
			if (report_build((enum rchart)k, &ch, m, h, &p->dep, &e))
				chart_free(&ch);
			else if (!chart_close(&ch, 1, &e)) {
				snprintf(svg, sizeof svg, "%s.svg", ch.stem);
				r->svg[r->n] = report_slurp(svg);
				if (!r->svg[r->n])
					err_set(&e, EXIT_ENV, "cannot read '%s'", svg);
			}
			if (!keep)
				report_unlink(ch.stem);
		}
		if (e.code) {
			snprintf(r->why[r->n], sizeof r->why[r->n], "%s", e.msg);
			hc->missing = r->why[r->n];
			if (!r->first.code)
				r->first = e;
		}
		hc->svg = r->svg[r->n];
		r->n++;
	}
}

/* Charts that are not drawn, each saying why. */
static void report_no_charts(struct report_charts *r, const struct plan *p, const char *why)
{
	int k;

	for (k = 0; k < RC_N; k++) {
		if (!report_wants((enum rchart)k, p))
			continue;
		r->c[r->n] = (struct html_chart){rchart_info[k].id, rchart_info[k].section, rchart_info[k].title,
						 rchart_info[k].caption, NULL, why};
		r->n++;
	}
}

/* What one 'mlasim report' keeps: a plan is 64 KB, too big for the stack. */
struct report_state {
	struct report_args a;
	struct plan p;
	struct report_charts r;
	struct model m;
	struct hw h;
};

static int report_run(struct cli *c, struct report_state *st)
{
	struct report_args *a = &st->a;
	struct plan *p = &st->p;
	struct report_charts *r = &st->r;
	struct model *m = &st->m;
	struct hw *h = &st->h;
	struct deployment d;
	struct html_report_in in;
	struct sbuf text = {0}, cmd = {0};
	cJSON *hw_card = NULL, *model_card = NULL;
	struct err ignore;
	char tmp[4200] = "";
	int k, rc, drawn = 0;

	if (report_parse(c, a))
		return c->err.code;
	if (c->help)
		return cli_help(c);
	if (cli_load_model(c, NULL, m) || cli_load_hw(c, NULL, h))
		return c->err.code;
	plan_cli_apply(m, &a->plan, &d);
	plan_cli_warn_engine_only(&a->plan, 0);
	if (plan_compute(m, h, &d, NULL, p, &c->err))
		return c->err.code;
	if (a->charts_dir) {
		struct stat sb;
		if (stat(a->charts_dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
			return err_set(&c->err, EXIT_USAGE, "'--charts-dir %s' is not a directory", a->charts_dir);
	}

	if (a->no_charts) {
		/* nothing to draw, nothing to say */
	} else if (!gnuplot_available()) {
		report_no_charts(r, p, "gnuplot not found");
		err_set(&r->first, EXIT_ENV, "gnuplot not found ('%s')",
			getenv("MLASIM_GNUPLOT") && *getenv("MLASIM_GNUPLOT") ? getenv("MLASIM_GNUPLOT") : "gnuplot");
	} else {
		const char *dir = a->charts_dir;
		if (!dir) {
			const char *t = getenv("TMPDIR");
			snprintf(tmp, sizeof tmp, "%s/mlasim-report.XXXXXX", t && *t ? t : "/tmp");
			if (!mkdtemp(tmp))
				return err_set(&c->err, EXIT_ENV, "cannot make a temporary directory for the charts: %s",
					       err_sys(errno));
			dir = tmp;
			out_guard_scratch(tmp, NULL);
		}
		report_draw(r, dir, a->charts_dir != NULL, p, m, h);
		if (*tmp)
			rmdir(tmp);
		out_guard_scratch(NULL, NULL);
	}

	plan_table_render(&text, p);
	report_command(c, &cmd);
	if (jsonx_load(h->path, &hw_card, &ignore))
		hw_card = NULL;
	if (jsonx_load(m->path, &model_card, &ignore))
		model_card = NULL;
	memset(&in, 0, sizeof in);
	in.p = p;
	in.command = cmd.data;
	in.plan_text = text.data;
	in.hw_card = hw_card;
	in.model_card = model_card;
	in.sets = c->sets;
	in.nsets = c->nsets;
	in.charts = r->c;
	in.ncharts = r->n;
	if (r->first.code)
		in.charts_note = "Some charts are not drawn: see each figure for why.";
	html_report(&c->buf, &in);
	cJSON_Delete(hw_card);
	cJSON_Delete(model_card);
	sbuf_free(&text);
	sbuf_free(&cmd);
	for (k = 0; k < r->n; k++) {
		drawn += r->svg[k] != NULL;
		free(r->svg[k]);
	}
	if (cli_emit(c))
		return c->err.code;
	if (r->first.code) {
		rc = err_set(&c->err, r->first.code, "%s: wrote '%s' without %s%s", r->first.msg,
			     c->out ? c->out : "standard output", drawn == 0 ? "charts" : "some charts",
			     r->first.code == EXIT_ENV && !strstr(r->first.msg, GNUPLOT_TIMEOUT_MSG) ?
			     " (install gnuplot-nox: 'make deps', or pass --no-charts)" : "");
		return rc;
	}
	return p->mem.fits ? EXIT_OK : EXIT_NO;
}

int cmd_report(struct cli *c)
{
	struct report_state *st = calloc(1, sizeof *st);
	int rc;

	if (!st)
		return err_set(&c->err, EXIT_ENV, "out of memory");
	rc = report_run(c, st);
	free(st);
	return rc;
}
