/* ixrecipe.c - InferenceX's disaggregated recipes looked up (ixrecipe.h; the
 * table itself is ixrecipe_table.c, generated) */
#include <string.h>
#include "ixrecipe.h"

/* Does recipe x hold model, system, precision, backend, isl, osl, conc and
 * the pools' TP? */
static int ixrecipe_is(const struct ixrecipe *x, const char *model, const char *system, const char *precision,
		       const char *backend, double isl, double osl, double conc, double ptp, double dtp)
{
	return !strcmp(x->model, model) && !strcmp(x->system, system) && !strcmp(x->precision, precision) &&
	       !strcmp(x->backend, backend) && x->isl == isl && x->osl == osl && x->conc == conc &&
	       x->prefill.tp == ptp && x->decode.tp == dtp;
}

/* Was recipe x listed on `date` (YYYY-MM-DD; NULL: any day)? */
static int ixrecipe_listed(const struct ixrecipe *x, const char *date)
{
	return !date || (strncmp(date, x->since, 10) >= 0 && strncmp(date, x->until, 10) <= 0);
}

int ixrecipe_find(const char *model, const char *system, const char *precision, const char *backend,
		  double isl, double osl, double conc, double ptp, double dtp, const char *date,
		  const struct ixrecipe **first, int *spec)
{
	const struct ixrecipe *x;
	int n = 0, on_date = 0, pass;

	for (x = ixrecipes; x->model; x++)
		on_date += ixrecipe_is(x, model, system, precision, backend, isl, osl, conc, ptp, dtp) &&
			   ixrecipe_listed(x, date);
	*first = NULL;
	*spec = 0;
	for (pass = on_date ? 1 : 0, x = ixrecipes; x->model; x++) {
		if (!ixrecipe_is(x, model, system, precision, backend, isl, osl, conc, ptp, dtp) ||
		    (pass && !ixrecipe_listed(x, date)))
			continue;
		if (!n++)
			*first = x;
		*spec += x->spec != 0;
	}
	return n;
}
