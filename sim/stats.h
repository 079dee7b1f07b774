/*
 * stats.h - small statistics over arrays of doubles, written once for every
 * part of mlasim that summarises measurements or errors (the kernel and probe
 * fits, the held-out study, the anchors, serving validation, the probe
 * runner's timings).
 */
#ifndef MLASIM_STATS_H
#define MLASIM_STATS_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The median of v[0..n): the middle value, or the mean of the two middle
 * values when n is even.  Sorts v in place (ascending; NaNs compare equal to
 * everything, so give none).  Returns NAN when n <= 0.  Pure: no I/O, no
 * allocation.
 */
double stats_median(double *v, int n);

#ifdef __cplusplus
}
#endif

#endif
