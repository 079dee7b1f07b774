/* ixrecipe.c - InferenceX's disaggregated recipes looked up (ixrecipe.h; the
 * table itself is ixrecipe_table.c, generated) */
#include <string.h>
#include "ixrecipe.h"

int ixrecipe_find(const char *model, const char *system, const char *precision, const char *backend,
		  double isl, double osl, double conc, double ptp, double dtp, const struct ixrecipe **first)
{
	const struct ixrecipe *x;
	int n = 0;

	*first = NULL;
	for (x = ixrecipes; x->model; x++) {
		if (strcmp(x->model, model) || strcmp(x->system, system) || strcmp(x->precision, precision) ||
		    strcmp(x->backend, backend) || x->isl != isl || x->osl != osl || x->conc != conc ||
		    x->prefill.tp != ptp || x->decode.tp != dtp)
			continue;
		if (!n++)
			*first = x;
	}
	return n;
}
