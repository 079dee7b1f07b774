/*
 * tests/unit/units.c - unit tests of units.h: numbers with units (counts,
 * sizes, rates, times), their parsing and their formatting.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "err.h"
#include "units.h"
#include "unit.h"

/* ---- parsing and formatting ---------------------------------------------- */

static double parse_ok(const char *s, enum unit_kind k)
{
	struct err e;
	double v = NAN;

	memset(&e, 0, sizeof e);
	if (units_parse(s, k, "--x", &v, &e)) {
		t_failed++;
		printf("#   units_parse('%s') rejected: %s\n", s, e.msg);
		return NAN;
	}
	return v;
}

static void t_units_accept(void)
{
	/* units.h suffix table: k = 1e3, Ki = 2^10, GB = 1e9 B, GiB = 2^30 B,
	 * Gb/s = 1e9 bits/s = 1e9/8 B/s.  All exact in binary floating point. */
	CHECK_EQ(parse_ok("128k", UNIT_COUNT), 128000);          /* 128 x 1e3 */
	CHECK_EQ(parse_ok("128Ki", UNIT_COUNT), 131072);         /* 128 x 1024 */
	CHECK_EQ(parse_ok("4096", UNIT_COUNT), 4096);            /* bare number */
	CHECK_EQ(parse_ok("1M", UNIT_COUNT), 1e6);
	CHECK_EQ(parse_ok("80GB", UNIT_BYTES), 8e10);            /* 80 x 1e9 */
	CHECK_EQ(parse_ok("64GiB", UNIT_BYTES), 68719476736.0);  /* 64 x 2^30 = 2^36 */
	CHECK_EQ(parse_ok("1.5GiB", UNIT_BYTES), 1610612736.0);  /* 1.5 x 2^30 */
	CHECK_EQ(parse_ok("4096", UNIT_BYTES), 4096);            /* bare number = bytes */
	CHECK_EQ(parse_ok("50GB/s", UNIT_RATE), 5e10);           /* 50 x 1e9 B/s */
	CHECK_EQ(parse_ok("400Gb/s", UNIT_RATE), 5e10);          /* 400e9 bit/s / 8 */
	CHECK_EQ(parse_ok("1e3", UNIT_PLAIN), 1000);             /* exponent form */
	CHECK_EQ(parse_ok("1e24", UNIT_PLAIN), 1e24);            /* UNITS_MAX itself is allowed */
}

static void t_units_reject(void)
{
	/* Each must fail with EXIT_USAGE (units.h: decimal only, finite, not
	 * negative, a suffix of the kind asked for, no space before it). */
	static const struct { const char *s; enum unit_kind k; } bad[] = {
		{"", UNIT_COUNT}, {"-5", UNIT_COUNT}, {"nan", UNIT_COUNT},
		{"inf", UNIT_COUNT}, {"1e400", UNIT_COUNT}, {"12x", UNIT_COUNT},
		{"0x10", UNIT_COUNT}, {"5 GB", UNIT_BYTES}, {"1.2.3", UNIT_PLAIN},
		{"2e24", UNIT_PLAIN}, {"k", UNIT_COUNT}, {".", UNIT_COUNT},
		{"80GB", UNIT_COUNT},      /* a byte suffix where a count is asked */
		{"400Gb/s", UNIT_BYTES},   /* a rate where a size is asked */
		{"128k", UNIT_PLAIN},      /* no suffix allowed at all */
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct err e;
		double v = -1;
		int rc;

		memset(&e, 0, sizeof e);
		rc = units_parse(bad[i].s, bad[i].k, "--context", &v, &e);
		if (rc != EXIT_USAGE) {
			t_failed++;
			printf("#   units_parse('%s') returned %d (value %g), want %d\n",
			       bad[i].s, rc, v, EXIT_USAGE);
		} else {
			/* the message names the option and starts lowercase with it */
			CHECK_CONTAINS(e.msg, "'--context'");
			CHECK_EQ(v, -1);   /* *out untouched on error */
		}
	}
}

static void t_units_list(void)
{
	double v[4] = {0, 0, 0, 0};
	struct err e;
	int n = 0;

	memset(&e, 0, sizeof e);
	CHECK_RC(units_parse_list("4k,32k,128Ki", UNIT_COUNT, "--context", v, 4, &n, &e), 0, &e);
	CHECK_EQ(n, 3);
	CHECK_EQ(v[0], 4000);      /* 4 x 1e3 */
	CHECK_EQ(v[1], 32000);     /* 32 x 1e3 */
	CHECK_EQ(v[2], 131072);    /* 128 x 1024 */
	CHECK_RC(units_parse_list("7", UNIT_COUNT, "--context", v, 4, &n, &e), 0, &e);
	CHECK_EQ(n, 1);
	CHECK_EQ(v[0], 7);
	/* an empty item, a bad item, more than max, nothing at all */
	CHECK_RC(units_parse_list("4k,,8k", UNIT_COUNT, "--context", v, 4, &n, &e), EXIT_USAGE, &e);
	CHECK_RC(units_parse_list("4k,x", UNIT_COUNT, "--context", v, 4, &n, &e), EXIT_USAGE, &e);
	CHECK_RC(units_parse_list("1,2,3", UNIT_COUNT, "--context", v, 2, &n, &e), EXIT_USAGE, &e);
	CHECK_RC(units_parse_list("", UNIT_COUNT, "--context", v, 4, &n, &e), EXIT_USAGE, &e);
	CHECK_RC(units_parse_list("4k,", UNIT_COUNT, "--context", v, 4, &n, &e), EXIT_USAGE, &e);
}

static void t_units_format(void)
{
	char buf[64];

	/* 70272 B = 70.272 KB (ISCA 2025 Table 1 prints V3 as 70.272 KB);
	 * 70272 / 1024 = 68.625 KiB exactly */
	CHECK_STR(units_fmt_bytes(70272, 0, buf, sizeof buf), "70.272 KB");
	CHECK_STR(units_fmt_bytes(70272, 1, buf, sizeof buf), "68.625 KiB");
	CHECK_STR(units_fmt_bytes(999, 0, buf, sizeof buf), "999 B");
	CHECK_STR(units_fmt_count(4096, buf, sizeof buf), "4Ki");       /* 4 x 1024 */
	CHECK_STR(units_fmt_count(128000, buf, sizeof buf), "128k");    /* 128 x 1e3 */
	CHECK_STR(units_fmt_count(131072, buf, sizeof buf), "128Ki");   /* 128 x 1024 */
	CHECK_STR(units_fmt_count(100, buf, sizeof buf), "100");
}

/* ---- times with units ---------------------------------------------------- */

static void t_cli_units_time(void)
{
	/* units.h: s = 1, ms = 1e-3 s, us = µs = 1e-6 s; a bare number is seconds.
	 * The sub-second suffixes divide, so each equals the decimal literal
	 * (strtod rounds both to the nearest double). */
	static const struct { const char *s; enum unit_kind k; } bad[] = {
		{"50m", UNIT_TIME}, {"2 s", UNIT_TIME}, {"2sec", UNIT_TIME},
		{"-1s", UNIT_TIME}, {"nans", UNIT_TIME}, {"1e400ms", UNIT_TIME},
		{"50ms", UNIT_PLAIN}, {"2s", UNIT_COUNT},
	};
	size_t i;

	CHECK_EQ(parse_ok("2", UNIT_TIME), 2);
	CHECK_EQ(parse_ok("2s", UNIT_TIME), 2);
	CHECK_EQ(parse_ok("50ms", UNIT_TIME), 0.05);
	CHECK_EQ(parse_ok("2000ms", UNIT_TIME), 2);
	CHECK_EQ(parse_ok("120us", UNIT_TIME), 120e-6);
	CHECK_EQ(parse_ok("50000\xc2\xb5s", UNIT_TIME), 0.05);   /* µs in UTF-8 */
	CHECK_EQ(parse_ok("1.5e3ms", UNIT_TIME), 1.5);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct err e;
		double v = -1;

		memset(&e, 0, sizeof e);
		if (units_parse(bad[i].s, bad[i].k, "--tpot", &v, &e) != EXIT_USAGE) {
			t_failed++;
			printf("#   units_parse('%s') accepted (value %g)\n", bad[i].s, v);
		} else {
			CHECK_CONTAINS(e.msg, "'--tpot'");
		}
	}
}

static const struct test tests[] = {
	{"units_parse accepts counts, sizes and rates", t_units_accept},
	{"units_parse rejects malformed and out-of-range numbers", t_units_reject},
	{"units_parse_list", t_units_list},
	{"units_fmt_bytes and units_fmt_count", t_units_format},
	{"units_parse times: s, ms, us, µs; a bare number is seconds", t_cli_units_time},
};

const struct suite suite_units = {"units", tests, sizeof tests / sizeof tests[0]};
