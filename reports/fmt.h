/*
 * fmt.h - fast number formatting for sweeps that write half a million rows a
 * second: printf's %g costs more than evaluating a plan.
 */
#ifndef MLASIM_FMT_H
#define MLASIM_FMT_H

#include <stddef.h>

/*
 * Write v into buf with up to 9 significant digits, the shortest that
 * represents them (like %.9g: trailing zeros dropped, exponent form below 1e-5
 * and from 1e15), "nan" or "inf" when not finite.  Whole numbers below 1e15
 * print exactly.  buf needs 32 bytes.  Returns the length written.
 */
int fmt_num(double v, char *buf);

/*
 * fmt_num for a CSV field: nothing at all (an empty field, the README's rule
 * for every CSV mlasim writes) when v is not finite, a number not computed or
 * unknown.  buf needs 32 bytes.  Returns the length written (0 when empty).
 */
int fmt_csv_num(double v, char *buf);

#endif
