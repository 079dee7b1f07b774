/*
 * front.h - the Pareto front of points with two coordinates, both maximised
 * (negate one to minimise it): the one dominance rule behind 'sweep' (its
 * threads, and the front it prints) and 'sweep --merge' (the front of the
 * parts' rows).
 *
 * A point is kept unless a point already kept is at least as good in both
 * coordinates: of equal points the first added stays, so adding points in
 * index order gives the same front however they were split up.  Comparisons
 * with NaN are false, so a point with a NaN coordinate is never dominated and
 * dominates nothing.  The front keeps all of its points, however many.
 */
#ifndef MLASIM_FRONT_H
#define MLASIM_FRONT_H

#include <stddef.h>

struct front_point {
	double x, y;
	long index;              /* the caller's number for it (a sweep point, a row) */
	char *text;              /* a copy of the text given with it, or NULL */
};

struct front {
	struct front_point *p;   /* the kept points, in the order added */
	long n, cap;
};

/*
 * Offer (x, y) to f: when no kept point is at least as good in both, drop the
 * kept points it is at least as good as and keep it, with a copy of the len
 * bytes of text (a NUL is added; text NULL keeps none).  The front owns the
 * copies and frees a dropped point's.  Returns 1 kept, 0 dominated, -1 out of
 * memory (f unchanged).
 */
int front_add(struct front *f, double x, double y, long index, const char *text, size_t len);

/* Would front_add drop (x, y): is a kept point at least as good in both?  1 or 0. */
int front_dominated(const struct front *f, double x, double y);

/* Sort f by x ascending, equal x by index ascending: the order fronts print in. */
void front_sort(struct front *f);

/* Free f's points and their texts; f is empty afterwards. */
void front_free(struct front *f);

#endif
