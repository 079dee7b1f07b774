/*
 * html.h - the self-contained HTML report of a plan ('mlasim report'): the
 * plan's tables, its charts inline as SVG, and the assumptions and sources
 * behind the numbers.  One file, no scripts, no network: inline CSS with a
 * print stylesheet (A4, no navigation, figures and tables kept whole).
 */
#ifndef MLASIM_HTML_H
#define MLASIM_HTML_H

#include <cjson/cJSON.h>
#include "../sim/plan.h"
#include "sbuf.h"

/* One chart of the report: drawn (svg) or not (why). */
struct html_chart {
	const char *id;          /* anchor and SVG id prefix: letters, digits, '-' */
	const char *section;     /* the section it belongs to: "memory", "perf", "network", "power" */
	const char *title;
	const char *caption;     /* what to read in it */
	const char *svg;         /* gnuplot's SVG text (caller's); NULL: not drawn */
	const char *missing;     /* why not drawn (with svg NULL) */
};

/* What a report is made of.  Everything is the caller's; NULL means absent. */
struct html_report_in {
	const struct plan *p;
	const char *command;          /* the command line that reproduces the report */
	const char *plan_text;        /* the plan as 'mlasim plan' prints it */
	const cJSON *hw_card;         /* the hardware card as read (sources, notes) */
	const cJSON *model_card;      /* the model card as read ("mlasim" block) */
	const char *const *sets;      /* --set overrides */
	int nsets;
	const struct html_chart *charts;
	int ncharts;
	const char *charts_note;      /* said once above the charts (e.g. why none are drawn) */
};

/* Append text to b with &, <, >, " and ' escaped. */
void html_esc(struct sbuf *b, const char *s);

/*
 * Append gnuplot's SVG for inline use: drops what precedes <svg (the XML
 * declaration and doctype) and gnuplot's own <title>, gives it `title`, and
 * prefixes every id (and reference to one) with `prefix` so several charts
 * can share a page.  Text without <svg appends a line saying the chart is
 * empty.
 */
void html_svg(struct sbuf *b, const char *svg, const char *prefix, const char *title);

/* Append the whole report (an HTML5 document) to b; b->oom set if it cannot
 * grow.  Reads `in` only. */
void html_report(struct sbuf *b, const struct html_report_in *in);

#endif
