/*
 * gnuplot.h - write a chart's data and script, then run gnuplot on it.
 *
 * Every chart is three files beside the image: STEM.dat (the numbers, '#'
 * header lines naming columns and units), STEM.gp (a script that reads the
 * .dat and writes STEM.png and STEM.svg when run as 'gnuplot STEM.gp' from
 * the directory holding them), and the images.  mlasim runs the script in that
 * directory with the image names pointed at temporary files and renames them
 * when gnuplot succeeds, so an image appears whole or not at all.
 *
 * Scripts draw twice, once per terminal (pngcairo, then svg), inside a loop
 * opened by gnuplot_plots_begin() and closed by gnuplot_plots_end(): settings
 * made before the loop hold for both, and multiplot charts work too.
 */
#ifndef MLASIM_GNUPLOT_H
#define MLASIM_GNUPLOT_H

#include <stddef.h>
#include "../sim/err.h"
#include "sbuf.h"

/* One palette for every chart (colour-blind safe, Okabe-Ito): series 1..8. */
extern const char *const gnuplot_palette[8];

/* Colours with one meaning in every chart. */
#define GNUPLOT_REF     "#666666"   /* reference lines: HBM capacity, power limits */
#define GNUPLOT_KV      "#D55E00"   /* the KV cache */
#define GNUPLOT_RESERVE "#999999"   /* runtime reserve */
#define GNUPLOT_FREE    "#E5E5E5"   /* headroom, unused */
#define GNUPLOT_GRID    "#DDDDDD"

/*
 * Seconds gnuplot may take over one chart before it is killed.  Measured
 * with gnuplot 5.4 on a shared 2-core machine: a chart renders in 0.1 to
 * 0.2 s, the report's six in about 1 s; so a minute means it is stuck (a
 * hung font lookup, a full pipe), not slow.  $MLASIM_GNUPLOT_TIMEOUT
 * overrides it.
 */
#define GNUPLOT_TIMEOUT_S 60

/* How the message of a gnuplot killed for the limit begins. */
#define GNUPLOT_TIMEOUT_MSG "gnuplot did not finish"

/* Default image size in pixels (the SVG scales to its container). */
#define GNUPLOT_W 1200
#define GNUPLOT_H 750

/*
 * Split an output name "dir/kv.png" into its stem "dir/kv" (drops .png, .svg,
 * .gp, .dat) in stem (n bytes).  Returns 0 or EXIT_USAGE when the name is
 * empty, too long for n with an extension added, ends in '/', holds a quote,
 * backslash or newline (the script names its files in quotes), or names
 * something that is neither a regular file nor a directory.
 */
int gnuplot_stem(const char *out, char *stem, size_t n, struct err *e);

/* The last component of a stem ("dir/kv" -> "kv"), a pointer into stem: how
 * scripts name their files. */
const char *gnuplot_base(const char *stem);

/*
 * Append s to b as a gnuplot string expression that evaluates to exactly s:
 * single-quoted pieces (gnuplot substitutes nothing inside single quotes: no
 * `command`, no @macro, no escapes; a quote is written twice), joined by '.'
 * to a double-quoted octal escape ("\012") for each control byte, which in
 * a single-quoted string would end the command line.  No text of s ever
 * appears outside single quotes.  Scripts run in noenhanced mode, so no other
 * character is special.
 */
void gnuplot_str(struct sbuf *b, const char *s);

/* Append the file name base + ext (such as ".dat") as gnuplot_str does. */
void gnuplot_file(struct sbuf *b, const char *base, const char *ext);

/* Append s to b as one quoted column of a .dat file ('"' becomes '\'', a
 * newline a space). */
void gnuplot_dat_str(struct sbuf *b, const char *s);

/*
 * Start a script: a comment naming the chart and how to regenerate it, the
 * png and svg output names, noenhanced text, the common style (grid, border,
 * key box).  `kind` names the chart ("memory").
 */
void gnuplot_begin(struct sbuf *b, const char *kind, const char *stem);

/* Open and close the loop drawing for each terminal at w x h pixels. */
void gnuplot_plots_begin(struct sbuf *b, int w, int h);
void gnuplot_plots_end(struct sbuf *b);

/*
 * Render STEM.gp into STEM.png and STEM.svg, running gnuplot in the stem's
 * directory, in a process group of its own.  The gnuplot program is
 * $MLASIM_GNUPLOT or 'gnuplot' on PATH.  A gnuplot still running after
 * $MLASIM_GNUPLOT_TIMEOUT seconds (default GNUPLOT_TIMEOUT_S) is killed; so is
 * one running when a terminating signal arrives, and its temporary images are
 * removed.  Returns 0, or EXIT_ENV ("gnuplot not found: ...", "gnuplot failed
 * on ...", "gnuplot did not finish ...", a bad $MLASIM_GNUPLOT_TIMEOUT)
 * leaving any previous images untouched.
 */
int gnuplot_render(const char *stem, struct err *e);

/* 1 when the gnuplot program ($MLASIM_GNUPLOT or 'gnuplot') can be run. */
int gnuplot_available(void);

#endif
