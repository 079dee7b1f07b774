/* topo.c - fat-tree sizing; the closed forms are in topo.h */
#include <math.h>
#include <string.h>
#include "topo.h"

const char *topo_name(enum topo_kind k)
{
	static const char *const names[] = {"FT2", "MPFT", "FT3"};
	return names[k];
}

int topo_radix_valid(double radix)
{
	return radix >= 4 && radix == floor(radix) && fmod(radix, 2) == 0 && radix <= 1e5;
}

static int topo_check(double radix, double planes, double oversub, struct err *e)
{
	if (!topo_radix_valid(radix))
		return err_set(e, EXIT_USAGE, "'--radix' must be an even whole number of switch ports, at least 4, got %g",
			       radix);
	if (!(planes >= 1) || planes != floor(planes) || planes > 1e4)
		return err_set(e, EXIT_USAGE, "'--planes' must be a whole number of at least 1, got %g", planes);
	if (!(oversub >= 1) || oversub > 64)
		return err_set(e, EXIT_USAGE, "'--oversubscription' must be from 1 (non-blocking) to 64, got %g",
			       oversub);
	return 0;
}

/* Ports of a leaf (or edge) switch facing down at oversubscription r:1. */
static double topo_down(double k, double r)
{
	return floor(k * r / (r + 1));
}

/* A two-layer tree for E endpoints. */
static void topo_two(double E, double k, double r, struct topo *t)
{
	double down = topo_down(k, r), up = k - down;

	t->leaf = ceil(E / down);
	t->spine = ceil(t->leaf * up / k);
	t->core = 0;
	t->switches = t->leaf + t->spine;
	t->links = t->leaf * up;
	t->endpoint_links = E;
}

/* A three-layer tree for E endpoints: edge (leaf), aggregation (spine), core. */
static void topo_three(double E, double k, double r, struct topo *t)
{
	double down = topo_down(k, r), up = k - down;

	t->leaf = ceil(E / down);
	t->spine = t->leaf * up / (k / 2);      /* aggregation: k/2 down, k/2 up */
	t->spine = ceil(t->spine);
	t->core = ceil(t->spine * (k / 2) / k);
	t->switches = t->leaf + t->spine + t->core;
	t->links = t->leaf * up + t->spine * (k / 2);
	t->endpoint_links = E;
}

static void topo_price(const struct topo_prices *pr, struct topo *t)
{
	t->cost_usd = t->switches * pr->switch_usd + t->links * pr->link_usd +
		      t->endpoint_links * pr->endpoint_link_usd;
	t->cost_per_endpoint_usd = t->cost_usd / t->endpoint_links;
	t->switch_w = t->switches * pr->switch_w;
}

int topo_size(enum topo_kind k, double endpoints, double radix, double planes,
	      double oversub, const struct topo_prices *pr, struct topo *t, struct err *e)
{
	double down = topo_down(radix, oversub), per_plane;

	if (topo_check(radix, planes, oversub, e))
		return e->code;
	memset(t, 0, sizeof *t);
	t->kind = k;
	t->radix = radix;
	t->planes = k == TOPO_MPFT ? planes : 1;
	t->oversub = oversub;
	switch (k) {
	case TOPO_FT2:
	case TOPO_MPFT:
		/* radix/2 spines of radix ports serve radix leaves: down x radix endpoints */
		t->max_endpoints = t->planes * down * radix;
		break;
	case TOPO_FT3:
		t->max_endpoints = down * radix * radix / 2;
		break;
	}
	if (endpoints <= 0)
		endpoints = t->max_endpoints;
	if (endpoints > t->max_endpoints)
		return err_set(e, EXIT_NO, "%.0f endpoints do not fit a %s of radix %g (at most %.0f)",
			       endpoints, topo_name(k), radix, t->max_endpoints);
	t->endpoints = endpoints;
	per_plane = ceil(endpoints / t->planes);
	if (k == TOPO_FT3)
		topo_three(per_plane, radix, oversub, t);
	else
		topo_two(per_plane, radix, oversub, t);
	t->leaf *= t->planes;
	t->spine *= t->planes;
	t->core *= t->planes;
	t->switches *= t->planes;
	t->links *= t->planes;
	t->endpoint_links = endpoints;
	topo_price(pr, t);
	return 0;
}

int topo_smallest(double endpoints, double radix, double planes, double oversub,
		  const struct topo_prices *pr, struct topo *t, struct err *e)
{
	static const enum topo_kind order[] = {TOPO_FT2, TOPO_MPFT, TOPO_FT3};
	struct topo cand;
	struct err ignore;
	int i, found = 0;

	if (topo_check(radix, planes, oversub, e))
		return e->code;
	for (i = 0; i < 3; i++) {
		if (order[i] == TOPO_MPFT && planes <= 1)
			continue;
		if (topo_size(order[i], endpoints, radix, planes, oversub, pr, &cand, &ignore))
			continue;
		/* fewer switches first (cost may be unknown), then fewer layers */
		if (!found || cand.switches < t->switches) {
			*t = cand;
			found = 1;
		}
	}
	if (!found)
		return err_set(e, EXIT_NO,
			       "%.0f endpoints fit no two- or three-layer fat tree of radix %g (at most %.0f)",
			       endpoints, radix, radix * topo_down(radix, oversub) * radix / 2);
	return 0;
}
