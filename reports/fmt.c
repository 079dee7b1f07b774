/* fmt.c - see fmt.h */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "fmt.h"

static const double pow10_table[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
	1e14, 1e15, 1e16, 1e17, 1e18,
};

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Digits of an unsigned integer into buf (no terminator); returns the count.
 * Two digits per division. */
static int fmt_uint(unsigned long long u, char *buf)
{
	char tmp[24];
	int n = 24, len;

	while (u >= 100) {
		unsigned r = (unsigned)(u % 100);
		u /= 100;
		tmp[--n] = digit_pairs[2 * r + 1];
		tmp[--n] = digit_pairs[2 * r];
	}
	if (u >= 10) {
		tmp[--n] = digit_pairs[2 * u + 1];
		tmp[--n] = digit_pairs[2 * u];
	} else {
		tmp[--n] = (char)('0' + u);
	}
	len = 24 - n;
	memcpy(buf, tmp + n, (size_t)len);
	return len;
}

int fmt_num(double v, char *buf)
{
	unsigned long long m;
	int n = 0, e, digits, point, len, i;
	char d[24];

	if (!isfinite(v))
		return sprintf(buf, isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
	if (v < 0) {
		buf[n++] = '-';
		v = -v;
	}
	if (v < 1e15 && v == (double)(unsigned long long)v) {
		n += fmt_uint((unsigned long long)v, buf + n);
		buf[n] = 0;
		return n;
	}
	if (v < 1e-5 || v >= 1e15)
		return n + sprintf(buf + n, "%.9g", v);
	/* 9 significant digits: m = round(v x 10^(8 - e)), e = floor(log10 v),
	 * found in the table rather than with log10 */
	if (v >= 1) {
		for (e = 0; e < 15 && v >= pow10_table[e + 1]; e++)
			;
	} else {
		for (e = -1; e > -6 && v * pow10_table[-e] < 1; e--)
			;
	}
	m = (unsigned long long)((e <= 8 ? v * pow10_table[8 - e] : v / pow10_table[e - 8]) + 0.5);
	if (m >= 1000000000ULL) {   /* rounding carried into a new digit */
		m /= 10;
		e++;
	}
	digits = fmt_uint(m, d);          /* 9 digits */
	while (digits > 1 && d[digits - 1] == '0')
		digits--;
	point = e + 1;                    /* digits before the decimal point */
	if (point <= 0) {
		buf[n++] = '0';
		buf[n++] = '.';
		for (i = 0; i < -point; i++)
			buf[n++] = '0';
		memcpy(buf + n, d, (size_t)digits);
		n += digits;
	} else {
		len = digits > point ? point : digits;
		memcpy(buf + n, d, (size_t)len);
		n += len;
		for (i = len; i < point; i++)
			buf[n++] = '0';
		if (digits > point) {
			buf[n++] = '.';
			memcpy(buf + n, d + point, (size_t)(digits - point));
			n += digits - point;
		}
	}
	buf[n] = 0;
	return n;
}

int fmt_csv_num(double v, char *buf)
{
	if (!isfinite(v)) {
		buf[0] = 0;
		return 0;
	}
	return fmt_num(v, buf);
}
