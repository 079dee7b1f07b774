/*
 * fuzz_units.c - the units parser: units_parse() and units_parse_list() for
 * each kind (plain, count, bytes, rate, time), then the formatters on what they
 * returned.  Byte 0 picks the kind, byte 1 the list capacity; the rest is the
 * text.  A parsed quantity is finite, not negative and at most UNITS_MAX.
 */
#include "fuzz.h"
#include "units.h"

#define FZ_LIST_MAX 64

static void fz_check_value(double v, const char *s)
{
	char buf[64];

	FZ_CHECK(isfinite(v) && v >= 0 && v <= UNITS_MAX, "'%s' parsed as %g", s, v);
	units_fmt_bytes(v, 0, buf, sizeof buf);
	FZ_CHECK(memchr(buf, 0, sizeof buf) && strstr(buf, "nan") == NULL, "fmt_bytes(%g) = '%s'", v, buf);
	units_fmt_bytes(v, 1, buf, sizeof buf);
	units_fmt_count(v, buf, sizeof buf);
	FZ_CHECK(memchr(buf, 0, sizeof buf) && strstr(buf, "nan") == NULL, "fmt_count(%g) = '%s'", v, buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	double out[FZ_LIST_MAX + 1], v = -1;
	struct err e = {0};
	enum unit_kind kind;
	char *s;
	int max, n = -1, rc, i;

	if (size < 2)
		return 0;
	kind = (enum unit_kind)(data[0] % 5);   /* UNIT_PLAIN .. UNIT_TIME */
	max = 1 + data[1] % FZ_LIST_MAX;
	s = fz_str(data + 2, size - 2);

	rc = units_parse(s, kind, "--x", &v, &e);
	fz_check_err(rc, &e, "units_parse");
	FZ_CHECK(rc == 0 || rc == EXIT_USAGE, "units_parse returned %d", rc);
	if (rc == 0)
		fz_check_value(v, s);

	out[max] = -12345;   /* canary: the list must stay within max */
	memset(&e, 0, sizeof e);
	rc = units_parse_list(s, kind, "--x", out, max, &n, &e);
	fz_check_err(rc, &e, "units_parse_list");
	FZ_CHECK(rc == 0 || rc == EXIT_USAGE, "units_parse_list returned %d", rc);
	FZ_CHECK(out[max] == -12345, "units_parse_list wrote past %d values", max);
	if (rc == 0) {
		FZ_CHECK(n >= 1 && n <= max, "units_parse_list gave %d values of at most %d", n, max);
		for (i = 0; i < n; i++)
			fz_check_value(out[i], s);
		/* a list of one is the single value */
		if (!strchr(s, ','))
			FZ_CHECK(n == 1 && out[0] == v, "'%s': list %g, single %g", s, out[0], v);
	}
	free(s);
	return 0;
}
