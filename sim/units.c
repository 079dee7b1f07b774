/* units.c - see units.h for the suffix table */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "units.h"

struct suffix {
	const char *text;
	double factor;
};

static const struct suffix count_suffix[] = {
	{"", 1}, {"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12},
	{"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {NULL, 0},
};

static const struct suffix byte_suffix[] = {
	{"", 1}, {"B", 1}, {"KB", 1e3}, {"kB", 1e3}, {"MB", 1e6}, {"GB", 1e9},
	{"TB", 1e12}, {"PB", 1e15}, {"KiB", 1024.0}, {"MiB", 1048576.0},
	{"GiB", 1073741824.0}, {"TiB", 1099511627776.0}, {NULL, 0},
};

static const struct suffix rate_suffix[] = {
	{"", 1}, {"B/s", 1}, {"KB/s", 1e3}, {"kB/s", 1e3}, {"MB/s", 1e6},
	{"GB/s", 1e9}, {"TB/s", 1e12}, {"b/s", 1.0 / 8}, {"Kb/s", 1e3 / 8},
	{"kb/s", 1e3 / 8}, {"Mb/s", 1e6 / 8}, {"Gb/s", 1e9 / 8},
	{"Tb/s", 1e12 / 8}, {NULL, 0},
};

/* "\xc2\xb5s" is "µs" (MICRO SIGN, U+00B5, in UTF-8) */
static const struct suffix time_suffix[] = {
	{"", 1}, {"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"\xc2\xb5s", 1e-6}, {NULL, 0},
};

static const struct suffix plain_suffix[] = { {"", 1}, {NULL, 0} };

static const struct suffix *units_table(enum unit_kind kind)
{
	switch (kind) {
	case UNIT_COUNT: return count_suffix;
	case UNIT_BYTES: return byte_suffix;
	case UNIT_RATE: return rate_suffix;
	case UNIT_TIME: return time_suffix;
	default: return plain_suffix;
	}
}

static const char *units_example(enum unit_kind kind)
{
	switch (kind) {
	case UNIT_COUNT: return "a count such as 4096, 128k or 128Ki";
	case UNIT_BYTES: return "a size such as 80GB or 64GiB";
	case UNIT_RATE: return "a rate such as 50GB/s or 400Gb/s";
	case UNIT_TIME: return "a time such as 2, 2s, 50ms or 120us";
	default: return "a number";
	}
}

/* Length of the leading decimal number in s (digits, one '.', an exponent). */
static size_t units_number_len(const char *s)
{
	size_t i = 0, digits = 0;

	if (s[i] == '+')
		i++;
	while ((s[i] >= '0' && s[i] <= '9') || s[i] == '.') {
		if (s[i] != '.')
			digits++;
		i++;
	}
	if (!digits)
		return 0;
	if ((s[i] == 'e' || s[i] == 'E') &&
	    ((s[i + 1] >= '0' && s[i + 1] <= '9') ||
	     ((s[i + 1] == '-' || s[i + 1] == '+') && s[i + 2] >= '0' && s[i + 2] <= '9'))) {
		i += 2;
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i;
}

int units_parse(const char *s, enum unit_kind kind, const char *what,
		double *out, struct err *e)
{
	const struct suffix *t;
	char num[64], *end;
	size_t len;
	double v;

	if (!s || !*s)
		return err_set(e, EXIT_USAGE, "'%s' expects %s, got nothing",
			       what, units_example(kind));
	if (s[0] == '-')
		return err_set(e, EXIT_USAGE, "'%s' must not be negative, got '%s'",
			       what, s);
	len = units_number_len(s);
	if (!len || len >= sizeof num)
		goto bad;
	memcpy(num, s, len);
	num[len] = 0;
	v = strtod(num, &end);
	if (*end)
		goto bad;
	for (t = units_table(kind); t->text; t++) {
		if (strcmp(s + len, t->text) == 0) {
			/* divide by 1000 rather than multiply by 1e-3 (inexact): then
			 * "50ms" is the very double "0.05" is */
			if (t->factor < 1)
				v /= round(1 / t->factor);
			else
				v *= t->factor;
			if (!isfinite(v) || v > UNITS_MAX)
				return err_set(e, EXIT_USAGE,
					       "'%s' is absurdly large, got '%s'", what, s);
			*out = v;
			return 0;
		}
	}
bad:
	return err_set(e, EXIT_USAGE, "'%s' expects %s, got '%s'", what,
		       units_example(kind), s);
}

int units_parse_list(const char *s, enum unit_kind kind, const char *what,
		     double *out, int max, int *n, struct err *e)
{
	char item[128];
	const char *p = s, *comma;
	int count = 0;
	size_t len;

	if (!s || !*s)
		return err_set(e, EXIT_USAGE, "'%s' expects a list such as 4k,32k, got nothing", what);
	for (;;) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (len >= sizeof item)
			return err_set(e, EXIT_USAGE, "'%s' has an item that is too long", what);
		if (count == max)
			return err_set(e, EXIT_USAGE, "'%s' takes at most %d values", what, max);
		memcpy(item, p, len);
		item[len] = 0;
		if (units_parse(item, kind, what, &out[count], e))
			return e->code;
		count++;
		if (!comma)
			break;
		p = comma + 1;
	}
	*n = count;
	return 0;
}

char *units_fmt_bytes(double bytes, int binary, char *buf, size_t n)
{
	static const char *dec[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
	static const char *bin[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	double base = binary ? 1024.0 : 1000.0, v = bytes;
	int i = 0;

	while (fabs(v) >= base && i < 6) {
		v /= base;
		i++;
	}
	if (i == 0)
		snprintf(buf, n, "%.0f B", v);
	else
		snprintf(buf, n, "%.3f %s", v, binary ? bin[i] : dec[i]);
	return buf;
}

char *units_fmt_count(double count, char *buf, size_t n)
{
	/* decimal first: 128000 is also 125 x 1024, but people wrote 128k */
	if (count >= 1e6 && fmod(count, 1e6) == 0)
		snprintf(buf, n, "%.0fM", count / 1e6);
	else if (count >= 1048576 && fmod(count, 1048576) == 0)
		snprintf(buf, n, "%.0fMi", count / 1048576);
	else if (count >= 1000 && fmod(count, 1000) == 0)
		snprintf(buf, n, "%.0fk", count / 1000);
	else if (count >= 1024 && fmod(count, 1024) == 0)
		snprintf(buf, n, "%.0fKi", count / 1024);
	else
		snprintf(buf, n, "%.0f", count);
	return buf;
}
