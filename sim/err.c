/* err.c - see err.h */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "err.h"

const char *err_sys(int errnum)
{
	static char buf[128];

	snprintf(buf, sizeof buf, "%s", strerror(errnum));
	buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

void err_blame_set(struct err *e, const char *const *sets, int nsets)
{
	char quoted[140];
	size_t len;
	int i;

	for (i = 0; i < nsets; i++) {
		len = strcspn(sets[i], "=");
		if (len == 0 || len > 120)
			continue;
		snprintf(quoted, sizeof quoted, "'%.*s'", (int)len, sets[i]);
		if (strstr(e->msg, quoted) && strlen(e->msg) + strlen(sets[i]) + 40 < sizeof e->msg) {
			len = strlen(e->msg);
			snprintf(e->msg + len, sizeof e->msg - len, " (the value comes from '--set %s')", sets[i]);
			return;
		}
	}
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return code;
}
