/*
 * version.h - the version of mlasim, written once: 'mlasim --version', the
 * help text, the sweep manifest, the chart data, the HTML report and the
 * probe runner's results document all print this string.
 */
#ifndef MLASIM_VERSION_H
#define MLASIM_VERSION_H

#define MLASIM_VERSION "0.1.0"

#endif
