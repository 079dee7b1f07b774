/*
 * topo.h - sizing non-blocking fat trees of radix-k switches.
 *
 * Closed forms (docs/hardware.md s3.1; Al-Fares et al., SIGCOMM 2008; DeepSeek
 * ISCA 2025 s5.1 and Table 3), with k ports per switch and full bisection:
 *   FT2  (leaf/spine)  k^2/2 endpoints, k leaf + k/2 spine switches,
 *                      k^2/2 endpoint links, k^2/2 switch-to-switch links
 *   FT3  (k-ary)       k^3/4 endpoints, k^2/2 edge + k^2/2 aggregation + k^2/4
 *                      core switches, k^3/4 endpoint links, k^3/2 switch links
 *   MPFT (P planes)    P independent FT2s: P k^2/2 endpoints, each GPU's NIC
 *                      (or each plane of a multi-plane NIC) in its own plane
 * A partial tree for E < the maximum uses ceil(E / down) leaves, where a leaf
 * has k r/(r+1) ports down and k/(r+1) up at oversubscription r:1, and enough
 * upper switches for the leaves' uplinks.
 */
#ifndef MLASIM_TOPO_H
#define MLASIM_TOPO_H

#include "err.h"

enum topo_kind { TOPO_FT2, TOPO_MPFT, TOPO_FT3 };

struct topo_prices {
	double switch_usd, link_usd, endpoint_link_usd, switch_w;   /* NAN: unknown */
};

struct topo {
	enum topo_kind kind;
	double radix, planes, oversub;
	double endpoints;            /* endpoint ports the tree serves (capacity when full) */
	double max_endpoints;        /* the most this kind of tree reaches at this radix */
	double switches, leaf, spine, core;
	double links;                /* switch-to-switch links */
	double endpoint_links;
	double cost_usd, cost_per_endpoint_usd, switch_w;
};

/* 1 when `radix` is a switch radix the closed forms above take: an even
 * whole number of ports (half down, half up) from 4 to 1e5; 0 otherwise. */
int topo_radix_valid(double radix);

/* Name of a topology kind ("FT2", "MPFT", "FT3"): static text. */
const char *topo_name(enum topo_kind k);

/*
 * Size a tree of kind k for `endpoints` endpoint ports (0: the largest tree of
 * that kind) with radix-port switches, `planes` planes (MPFT; 1 otherwise) and
 * oversubscription r:1 (1 = non-blocking).  Prices may be NAN (cost NAN).
 * Returns 0, EXIT_USAGE for a bad radix/planes/oversubscription, or EXIT_NO
 * when the endpoints do not fit that kind at that radix.
 */
int topo_size(enum topo_kind k, double endpoints, double radix, double planes,
	      double oversub, const struct topo_prices *pr, struct topo *t, struct err *e);

/* Of FT2, MPFT (when planes > 1) and FT3, the tree that fits with the fewest
 * switches (prices may be unknown), on a tie the one of fewer layers, into *t.
 * Returns 0, EXIT_USAGE as topo_size, or EXIT_NO when none fits. */
int topo_smallest(double endpoints, double radix, double planes, double oversub,
		  const struct topo_prices *pr, struct topo *t, struct err *e);

#endif
