/*
 * fuzz_precision.c - the weight and KV format parsers (--weights, --kv-dtype):
 * precision_parse_weights() and precision_parse_kv(), then the byte counts of
 * what they accepted.  Byte 0 picks the parser; the rest is the text.
 */
#include "fuzz.h"
#include "precision.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = {0};
	struct wprec w;
	struct kvfmt k;
	char *s;
	int rc;

	if (size < 1)
		return 0;
	s = fz_str(data + 1, size - 1);
	if (data[0] & 1) {
		rc = precision_parse_weights(s, "--weights", &w, &e);
		fz_check_err(rc, &e, "precision_parse_weights");
		FZ_CHECK(rc == 0 || rc == EXIT_USAGE, "precision_parse_weights returned %d", rc);
		if (rc == 0) {
			double b1 = precision_matrix_bytes(&w, 7168, 18432);
			double b2 = precision_matrix_bytes(&w, 1, 1);
			double bits = precision_weight_bits(&w);
			FZ_CHECK(memchr(w.name, 0, sizeof w.name) && w.name[0], "name not terminated");
			FZ_CHECK(fz_whole(w.group, 1) && w.group <= 1e6, "'%s': group %g", s, w.group);
			FZ_CHECK(isfinite(b1) && b1 > 0 && isfinite(b2) && b2 > 0,
				 "'%s': %g and %g bytes", s, b1, b2);
			FZ_CHECK(bits == 4 || bits == 8 || bits == 16 || bits == 32, "'%s': %g bits", s, bits);
			/* the printed name parses back to the same format */
			{
				struct wprec again;
				struct err e2 = {0};
				FZ_CHECK(precision_parse_weights(w.name, "--weights", &again, &e2) == 0 &&
					 again.fmt == w.fmt && again.group == w.group,
					 "'%s' prints as '%s', which does not parse back", s, w.name);
			}
		}
	} else {
		rc = precision_parse_kv(s, "--kv-dtype", &k, &e);
		fz_check_err(rc, &e, "precision_parse_kv");
		FZ_CHECK(rc == 0 || rc == EXIT_USAGE, "precision_parse_kv returned %d", rc);
		if (rc == 0) {
			FZ_CHECK(memchr(k.name, 0, sizeof k.name) && k.name[0], "name not terminated");
			FZ_CHECK(isfinite(k.bits) && k.bits >= 1 && k.bits <= 64, "'%s': %g bits", s, k.bits);
			/* the name a report prints parses back to the same width
			 * (FUZZ_SKIP_KNOWN: a known finding, not yet fixed) */
			if (!getenv("FUZZ_SKIP_KNOWN")) {
				struct kvfmt again;
				struct err e2 = {0};
				FZ_CHECK(precision_parse_kv(k.name, "--kv-dtype", &again, &e2) == 0 &&
					 again.bits == k.bits && again.flashmla == k.flashmla,
					 "'%s' (%.17g bits) prints as '%s', which reads back as %.17g bits",
					 s, k.bits, k.name, again.bits);
			}
		}
	}
	free(s);
	return 0;
}
