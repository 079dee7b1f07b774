/*
 * gnuplot.h - write a chart's data and script, then run gnuplot on it.
 *
 * Every chart is three files beside the image: STEM.dat (the numbers, '#'
 * header lines naming columns and units), STEM.gp (a script that reads the
 * .dat and writes STEM.png and STEM.svg when run as 'gnuplot STEM.gp'), and
 * the images.  mlasim runs the script with the image names pointed at
 * temporary files and renames them when gnuplot succeeds, so an image appears
 * whole or not at all.
 */
#ifndef MLASIM_GNUPLOT_H
#define MLASIM_GNUPLOT_H

#include <stddef.h>
#include "../sim/err.h"

/* One palette for every chart (colour-blind safe, Okabe-Ito). */
extern const char *const gnuplot_palette[8];

/*
 * Split an output name "dir/kv.png" into its stem "dir/kv" (drops .png, .svg,
 * .gp, .dat).  Returns 0 or EXIT_USAGE when the name is empty or too long.
 */
int gnuplot_stem(const char *out, char *stem, size_t n, struct err *e);

/*
 * Render STEM.gp into STEM.png and STEM.svg.  The gnuplot program is $MLASIM_GNUPLOT
 * or 'gnuplot' on PATH.  Returns 0, or EXIT_ENV ("gnuplot not found: ...",
 * "gnuplot failed on ...") leaving any previous images untouched.
 */
int gnuplot_render(const char *stem, struct err *e);

#endif
