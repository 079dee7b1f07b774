/* front.c - see front.h */
#include <stdlib.h>
#include <string.h>
#include "front.h"

int front_dominated(const struct front *f, double x, double y)
{
	long i;

	for (i = 0; i < f->n; i++)
		if (f->p[i].x >= x && f->p[i].y >= y)
			return 1;
	return 0;
}

int front_add(struct front *f, double x, double y, long index, const char *text, size_t len)
{
	char *copy = NULL;
	long i, j;

	if (front_dominated(f, x, y))
		return 0;
	if (f->n == f->cap) {
		long cap = f->cap ? 2 * f->cap : 256;
		struct front_point *p = realloc(f->p, (size_t)cap * sizeof *p);
		if (!p)
			return -1;
		f->p = p;
		f->cap = cap;
	}
	if (text) {
		if (!(copy = malloc(len + 1)))
			return -1;
		memcpy(copy, text, len);
		copy[len] = 0;
	}
	for (i = j = 0; i < f->n; i++) {
		if (x >= f->p[i].x && y >= f->p[i].y)
			free(f->p[i].text);
		else
			f->p[j++] = f->p[i];
	}
	f->n = j;
	f->p[f->n].x = x;
	f->p[f->n].y = y;
	f->p[f->n].index = index;
	f->p[f->n].text = copy;
	f->n++;
	return 1;
}

static int front_cmp(const void *a, const void *b)
{
	const struct front_point *p = a, *q = b;

	return p->x < q->x ? -1 : p->x > q->x ? 1 : (p->index > q->index) - (p->index < q->index);
}

void front_sort(struct front *f)
{
	if (f->n > 1)   /* an empty front has no array to sort */
		qsort(f->p, (size_t)f->n, sizeof *f->p, front_cmp);
}

void front_free(struct front *f)
{
	long i;

	for (i = 0; i < f->n; i++)
		free(f->p[i].text);
	free(f->p);
	f->p = NULL;
	f->n = f->cap = 0;
}
