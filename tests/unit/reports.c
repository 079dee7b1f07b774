/*
 * tests/unit/reports.c - unit tests of the output layer (reports/, front.h,
 * infile.h, stats.h, series.h): CSV and JSON writers, the CSV reader, the
 * Pareto front, gnuplot strings, input files, -o targets, medians and the
 * series each chart plots.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "csv.h"
#include "deploy.h"
#include "err.h"
#include "fmt.h"
#include "front.h"
#include "gnuplot.h"
#include "hw.h"
#include "infile.h"
#include "kern.h"
#include "model.h"
#include "out.h"
#include "params.h"
#include "perf.h"
#include "plan.h"
#include "precision.h"
#include "report.h"
#include "sbuf.h"
#include "series.h"
#include "stats.h"
#include "unit.h"

/* ---- unknown numbers in CSV and JSON ------------------------------------- */

/* Every CSV writes a number that is unknown (NAN), infinite or null as an
 * empty field; JSON writes null (README, "A tour"). */
static void t_csv_missing(void)
{
	cJSON *o = cJSON_CreateObject(), *x;
	struct sbuf b = {0};
	char buf[32];

	CHECK(fmt_csv_num(NAN, buf) == 0 && buf[0] == 0);
	CHECK(fmt_csv_num(-INFINITY, buf) == 0 && buf[0] == 0);
	CHECK(fmt_csv_num(2.5, buf) == 3);
	CHECK_STR(buf, "2.5");
	if (!o) {
		t_failed++;
		return;
	}
	report_num(o, "unknown", NAN);
	report_num(o, "huge", INFINITY);
	x = cJSON_AddObjectToObject(o, "o");
	cJSON_AddNumberToObject(x, "raw_nan", NAN);   /* not through report_num */
	report_num(x, "n", 1.5);
	cJSON_AddStringToObject(x, "s", "a,b");
	report_csv_flat(&b, o);
	CHECK_STR(b.data, "key,value\nunknown,\nhuge,\no.raw_nan,\no.n,1.5\no.s,\"a,b\"\n");
	sbuf_free(&b);
	cJSON_Delete(o);
}

/* ---- the CSV field writer and reader (reports/csv.h), the Pareto front --- */

/* csv_field quotes only a field that needs it; a quote doubles (RFC 4180). */
static void t_csv_field_quoting(void)
{
	char buf[64];
	struct sbuf b = {0};

	CHECK_EQ(csv_field(buf, sizeof buf, "deepseek-v3"), 11);   /* as it is */
	CHECK_STR(buf, "deepseek-v3");
	CHECK_EQ(csv_field(buf, sizeof buf, "a,b"), 5);            /* "a,b" */
	CHECK_STR(buf, "\"a,b\"");
	CHECK_EQ(csv_field(buf, sizeof buf, "say \"hi\""), 12);    /* 8 + 2 doubled + 2 */
	CHECK_STR(buf, "\"say \"\"hi\"\"\"");
	csv_field(buf, sizeof buf, "a\tb");
	CHECK_STR(buf, "\"a\tb\"");
	csv_field(buf, sizeof buf, "a\nb");
	CHECK_STR(buf, "\"a\nb\"");
	csv_field(buf, sizeof buf, "a\rb");
	CHECK_STR(buf, "\"a\rb\"");
	CHECK_EQ(csv_field(buf, sizeof buf, ""), 0);
	CHECK_STR(buf, "");
	CHECK_EQ(csv_field(buf, sizeof buf, "DeepSeek-V3"), 11);   /* a display name: as it is */
	CHECK_STR(buf, "DeepSeek-V3");
	/* too small a buffer: truncated, NUL-terminated, the needed length returned */
	CHECK_EQ(csv_field(buf, 4, "a,bcdef"), 9);
	CHECK_STR(buf, "\"a,");
	CHECK_EQ(csv_field(buf, 3, "abcdef"), 6);
	CHECK_STR(buf, "ab");
	csv_field_add(&b, "x\"y,z");
	csv_field_add(&b, "plain");
	CHECK_STR(b.data, "\"x\"\"y,z\"plain");
	sbuf_free(&b);
}

/* csv_split reads back what csv_field wrote, field for field. */
static void t_csv_split_round_trip(void)
{
	static const char *const fields[] = {"my,8b", "q\"uote", "", "two\nlines", "tab\there", "plain", "\"\""};
	char rec[256], *f[10];
	size_t len = 0, i;
	int n;

	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if (i)
			rec[len++] = ',';
		len += csv_field(rec + len, sizeof rec - len, fields[i]);
	}
	CHECK_STR(rec, "\"my,8b\",\"q\"\"uote\",,\"two\nlines\",\"tab\there\",plain,\"\"\"\"\"\"");
	CHECK(!csv_record_open(rec));
	n = csv_split(rec, f, 10);
	CHECK_EQ(n, 7);
	for (i = 0; n == 7 && i < 7; i++)
		CHECK_STR(f[i], fields[i]);
	/* a record cut inside a quoted field is open; split calls it unterminated */
	strcpy(rec, "a,\"two\n");
	CHECK(csv_record_open(rec));
	CHECK_EQ(csv_split(rec, f, 10), -1);
	strcpy(rec, "a,b,c");
	CHECK_EQ(csv_split(rec, f, 2), -2);                 /* more than max fields */
	strcpy(rec, "");
	CHECK_EQ(csv_split(rec, f, 2), 1);                  /* one empty field */
	CHECK_STR(f[0], "");
}

/* csv_read: a record is a line, or lines while a quote is open; the line
 * break it had comes back in eol, so record + eol is the file's bytes. */
static void t_csv_read_records(void)
{
	static const char text[] = "a,b\n\"two\nlines\",c\r\n\nlast";
	struct csv_reader r = {0};
	char copy[64] = "";
	ssize_t n;

	r.f = fmemopen((void *)text, sizeof text - 1, "r");
	CHECK(r.f != NULL);
	if (!r.f)
		return;
	n = csv_read(&r);
	CHECK_EQ(n, 3);
	CHECK_STR(r.rec, "a,b");
	CHECK_STR(r.eol, "\n");
	strcat(copy, r.rec);
	strcat(copy, r.eol);
	n = csv_read(&r);                          /* a quoted line break: one record of two lines */
	CHECK_EQ(n, 13);
	CHECK_STR(r.eol, "\r\n");
	CHECK_EQ(r.first_line, 2);
	CHECK_EQ(r.line, 3);
	strcat(copy, r.rec);
	strcat(copy, r.eol);
	n = csv_read(&r);                          /* an empty line */
	CHECK_EQ(n, 0);
	strcat(copy, r.eol);
	n = csv_read(&r);                          /* the last line, without a line break */
	CHECK_EQ(n, 4);
	CHECK_STR(r.eol, "");
	strcat(copy, r.rec);
	CHECK_EQ(csv_read(&r), -1);
	CHECK_STR(copy, text);
	fclose(r.f);
	/* JSON lines: every line a record, though {"m":"q\"x"} (12 bytes) holds
	 * 5 quotes, which as CSV would leave a field open */
	r.f = fmemopen((void *)"{\"m\":\"q\\\"x\"}\n{}\n", 16, "r");
	r.lines = 1;
	r.line = 0;
	CHECK(r.f != NULL);
	if (r.f) {
		CHECK_EQ(csv_read(&r), 12);
		CHECK_EQ(csv_read(&r), 2);
		CHECK_EQ(csv_read(&r), -1);
		fclose(r.f);
	}
	csv_reader_free(&r);
}

/*
 * The Pareto front keeps the points no kept point is at least as good as in
 * both coordinates; of equal points the first.  Worked by hand: (1,5) (2,4)
 * (3,3) are a front; (2,2) is dominated by (2,4); (3,3) again is dropped as
 * equal; (4,4) drops (2,4) and (3,3); NaN is never dominated.  Sorted by x,
 * then index.
 */
static void t_front_rule(void)
{
	struct front f = {0};

	CHECK_EQ(front_add(&f, 1, 5, 0, "a", 1), 1);
	CHECK_EQ(front_add(&f, 2, 4, 1, "b", 1), 1);
	CHECK_EQ(front_add(&f, 3, 3, 2, "c", 1), 1);
	CHECK_EQ(front_add(&f, 2, 2, 3, "d", 1), 0);
	CHECK_EQ(front_add(&f, 3, 3, 4, "e", 1), 0);   /* equal: the first stays */
	CHECK_EQ(f.n, 3);
	CHECK(front_dominated(&f, 1, 5));
	CHECK(!front_dominated(&f, 1, 6));
	CHECK_EQ(front_add(&f, 4, 4, 5, "f", 1), 1);   /* drops (2,4) and (3,3) */
	CHECK_EQ(f.n, 2);
	CHECK_EQ(front_add(&f, NAN, 1, 6, NULL, 0), 1);
	CHECK_EQ(f.n, 3);
	front_sort(&f);
	CHECK_EQ(f.p[0].index, 0);
	CHECK_STR(f.p[0].text, "a");
	CHECK_EQ(f.p[1].index, 5);
	CHECK_STR(f.p[1].text, "f");
	CHECK(f.p[2].text == NULL);
	front_free(&f);
	CHECK_EQ(f.n, 0);
}

/* ---- files: the gnuplot string writer, input files, -o targets ----------- */

/* gnuplot_str into a fresh buffer, as a C string (static: one at a time) */
static const char *gp_quoted(const char *s)
{
	static char out[256];
	struct sbuf b = {0};

	gnuplot_str(&b, s);
	snprintf(out, sizeof out, "%s", b.data ? b.data : "(null)");
	sbuf_free(&b);
	return out;
}

static void t_gnuplot_str_single_quoted(void)
{
	struct sbuf b = {0};

	/* worked out by hand from gnuplot's rules: '' is a quote, nothing else
	 * is special inside single quotes, a control byte leaves them */
	CHECK_STR(gp_quoted(""), "''");
	CHECK_STR(gp_quoted("it's"), "'it''s'");
	CHECK_STR(gp_quoted("x `touch PWNED` @y \"q\" \\n"), "'x `touch PWNED` @y \"q\" \\n'");
	CHECK_STR(gp_quoted("a\nb"), "'a'.\"\\012\".'b'");
	CHECK_STR(gp_quoted("\001"), "\"\\001\"");
	CHECK_STR(gp_quoted("\r\t"), "\"\\015\".\"\\011\"");
	CHECK_STR(gp_quoted("a\177"), "'a'.\"\\177\"");
	gnuplot_file(&b, "dir's kv", ".dat");
	CHECK_STR(b.data, "'dir''s kv.dat'");
	sbuf_free(&b);
}

static void t_infile_regular_only(void)
{
	char path[] = "/tmp/mlasim-unit-infile.XXXXXX", *text = NULL;
	struct err e = {0};
	size_t len = 0;
	FILE *f;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, "0123456789", 10) == 10);
	close(fd);
	/* 10 bytes: read whole under a cap of 10, refused under a cap of 9 */
	CHECK_OK(infile_read(path, 10, "a card", &text, &len, &e), &e);
	CHECK_EQ((double)len, 10);
	CHECK_STR(text, "0123456789");
	free(text);
	CHECK_RC(infile_read(path, 9, "a card", &text, &len, &e), EXIT_INPUT, &e);
	CHECK_CONTAINS(e.msg, "is larger than 9 bytes: not a card");
	unlink(path);
	/* what never ends or blocks is refused before a byte is read */
	memset(&e, 0, sizeof e);
	f = infile_open("/dev/zero", &e);
	CHECK(f == NULL && e.code == EXIT_INPUT);
	CHECK_CONTAINS(e.msg, "'/dev/zero' is a character device: expected a regular file");
	memset(&e, 0, sizeof e);
	CHECK(infile_open("tests", &e) == NULL);
	CHECK_CONTAINS(e.msg, "'tests' is a directory");
}

static void t_out_resolve_targets(void)
{
	char dir[] = "/tmp/mlasim-unit-out.XXXXXX", file[200], link[200];
	const char *in = NULL;
	struct out_target t;
	struct stat st;
	struct err e = {0};
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(file, sizeof file, "%s/card.json", dir);
	snprintf(link, sizeof link, "%s/link.json", dir);
	f = fopen(file, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs("{}\n", f);
	fclose(f);
	chmod(file, 0600);
	CHECK(symlink("card.json", link) == 0);
	/* a link is written through, the file's own mode kept */
	CHECK_OK(out_resolve(link, &t, &e), &e);
	CHECK(t.link == 1 && t.exists == 1 && t.direct == 0);
	CHECK_EQ((double)t.mode, 0600);
	CHECK(strcmp(t.path + strlen(t.path) - strlen("/card.json"), "/card.json") == 0);
	/* /dev/null is written in place */
	CHECK_OK(out_resolve("/dev/null", &t, &e), &e);
	CHECK(t.direct == 1 && t.exists == 0);
	/* an input, by device and inode, under another name */
	infile_note(file, "--model");
	CHECK(stat(file, &st) == 0);
	CHECK_STR(infile_input_of(st.st_dev, st.st_ino, &in), "--model");
	CHECK_STR(in, file);
	CHECK_RC(out_resolve(link, &t, &e), EXIT_USAGE, &e);
	CHECK_CONTAINS(e.msg, "would overwrite the '--model' input");
	unlink(link);
	unlink(file);
	rmdir(dir);
}

/* ---- statistics, chart series -------------------------------------------- */

/* stats_median: the middle of an odd count, the mean of the two middle values
 * of an even one (by hand), sorted in place; NAN for none. */
static void t_stats_median(void)
{
	double odd[5] = {9, -1, 4, 7, 2};            /* sorted: -1 2 4 7 9 */
	double even[6] = {0.5, 10, 3, -2, 8, 1};     /* sorted: -2 0.5 1 3 8 10: (1 + 3) / 2 */
	double one[1] = {42};

	CHECK_EQ(stats_median(odd, 5), 4);
	CHECK(odd[0] == -1 && odd[4] == 9);          /* sorted ascending */
	CHECK_EQ(stats_median(even, 6), 2);
	CHECK_EQ(stats_median(one, 1), 42);
	CHECK(isnan(stats_median(one, 0)));
	CHECK(isnan(stats_median(NULL, -3)));
}

/* series_kv by hand: DeepSeek-V3's MLA latent, 61 layers x (512 + 64) x 2 B =
 * 70,272 B per token; Llama-3.1-70B's GQA cache, 80 layers x 8 KV heads x
 * 128 x 2 (K and V) x 2 B = 327,680 B; a sequence of C tokens holds C times
 * that.  Contexts 1Ki to 1Mi; a ninth model is refused. */
static void t_series_kv(void)
{
	static struct model m[2];
	struct series_kv s;
	struct kvfmt f;
	struct err e;
	int i;

	memset(&e, 0, sizeof e);
	if (load_model("deepseek-v3", &m[0]) || load_model("llama-3.1-70b", &m[1]))
		return;
	CHECK_OK(precision_parse_kv("bf16", "kv", &f, &e), &e);
	series_kv_init(&s);
	CHECK_EQ(s.n, 0);
	CHECK_EQ(s.context[0], 1024);
	CHECK_EQ(s.context[SERIES_KV_POINTS - 1], 1048576);
	CHECK_OK(series_kv_add(&s, &m[0], &f, &e), &e);
	CHECK_OK(series_kv_add(&s, &m[1], &f, &e), &e);
	CHECK_EQ(s.n, 2);
	CHECK_EQ(s.per_token[0], 70272);
	CHECK_EQ(s.per_token[1], 327680);
	CHECK_REL(s.seq_gb[0][0], 70272.0 * 1024 / 1e9, 1e-15);        /* 0.071958528 GB */
	CHECK_REL(s.seq_gb[10][1], 327680.0 * 1048576 / 1e9, 1e-15);   /* 343.597 GB */
	for (i = 1; i < SERIES_KV_POINTS; i++)
		CHECK_REL(s.seq_gb[i][0], 2 * s.seq_gb[i - 1][0], 1e-12);   /* no window: linear */
	s.n = SERIES_KV_MODELS;
	CHECK_RC(series_kv_add(&s, &m[0], &f, &e), EXIT_USAGE, &e);
}

/*
 * series_memory: Llama-3.1-70B bf16 on H100 (usable 85.899 GB, reserve 2 GB,
 * mem-fraction 0.9) at tp 1, 2, 4, 8.  At tp 4 by hand: the 70,553,706,496
 * parameters less the 161 x 8192 = 1,318,912 norm weights split 4 ways at
 * 2 B, the norms replicated: 35,276,193,792 + 2,637,824 = 35,278,831,616 B of
 * weights; KV 77.3091 - 35.278831616 - 2 = 40.030268384 GB; headroom
 * 8.5899 GB; the stack tops out at the usable 85.899 GB.  At tp 1 the 141 GB of weights do not
 * fit: no KV cache.  Each bar is the plan's own memory.
 */
static void t_series_memory(void)
{
	static struct series_memory s;
	struct deployment d[4];
	struct model m;
	struct hw h;
	struct err e;
	double w = 0;
	int i, k;

	memset(&e, 0, sizeof e);
	if (load_model("llama-3.1-70b", &m) || load_hw("h100-sxm", &h))
		return;
	for (i = 0; i < 4; i++) {
		plan_default_deployment(&m, &d[i]);
		d[i].tp = 1 << i;
	}
	if (CHECK_OK(series_memory(&m, &h, d, 4, &s, &e), &e))
		return;
	CHECK_EQ(s.n, 4);
	for (k = 0; k < COMP_N; k++)
		w += s.bar[2].comp_gb[k];
	CHECK_REL(w, 35.278831616, 1e-12);
	CHECK_REL(s.bar[2].kv_gb, 40.030268384, 1e-12);   /* tests/unit/memory.c, by hand */
	CHECK_EQ(s.bar[2].reserve_gb, 2);
	CHECK_REL(s.bar[2].free_gb, 8.5899, 1e-12);
	CHECK_EQ(s.bar[2].usable_gb, 85.899);
	CHECK_REL(s.bar[2].top_gb, 85.899, 1e-12);
	CHECK(s.bar[2].fits && !s.bar[0].fits);
	CHECK_EQ(s.bar[0].kv_gb, 0);
	for (i = 0; i < 4; i++) {
		if (plan_run(&m, &h, &d[i]))
			return;
		CHECK_EQ(s.bar[i].kv_gb, g_plan.mem.kv_bytes_per_gpu / 1e9);
		CHECK_EQ(s.bar[i].seq_per_gpu, g_plan.mem.max_sequences_per_gpu);
	}
	CHECK_RC(series_memory(&m, &h, d, 0, &s, &e), EXIT_USAGE, &e);
}

/*
 * series_throughput: Llama-3.1-70B on H100 at tp 4, batches 1 to 1024.  Each
 * point is the plan's decode at that batch; tokens/s per GPU is batch x
 * tokens/s per user / tp, per user 1000 / TPOT in ms (no MTP); the knee
 * follows its rule on the line's own values.
 */
static void t_series_throughput(void)
{
	static struct series_throughput s;
	struct deployment d;
	struct model m;
	struct hw h;
	struct err e;
	const struct series_tp_line *l = &s.line[0];
	int i;

	memset(&e, 0, sizeof e);
	if (load_model("llama-3.1-70b", &m) || load_hw("h100-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	d.tp = 4;
	if (CHECK_OK(series_throughput(&m, &h, 1, &d, &s, &e), &e))
		return;
	CHECK_EQ(s.nh, 1);
	CHECK_EQ(s.batch[0], 1);
	CHECK_EQ(s.batch[SERIES_BATCHES - 1], 1024);
	for (i = 0; i < SERIES_BATCHES; i++) {
		CHECK_REL(l->tps_gpu[i], s.batch[i] * l->tps_user[i] / 4, 1e-12);
		CHECK_REL(l->tps_user[i], 1e3 / l->tpot_ms[i], 1e-12);
	}
	d.w.batch = 64;
	d.w.decode_only = 1;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(l->tps_gpu[6], g_plan.perf.decode_tps_gpu);
	CHECK_EQ(l->tpot_ms[6], g_plan.perf.tpot_s * 1e3);
	CHECK_EQ(l->fits[6], g_plan.mem.fits && g_plan.batch_fits);
	/* the knee: where HBM stops bounding, else the gain rule */
	if (l->knee_bound) {
		CHECK(l->knee > 0 && l->bound[l->knee - 1] == BOUND_HBM && l->bound[l->knee] != BOUND_HBM);
	} else if (l->knee >= 0) {
		if (l->knee > 0)
			CHECK(l->tps_gpu[l->knee] >= l->tps_gpu[l->knee - 1] * (1 + SERIES_KNEE_GAIN));
		for (i = l->knee + 1; i < SERIES_BATCHES; i++)
			CHECK(l->tps_gpu[i] < l->tps_gpu[i - 1] * (1 + SERIES_KNEE_GAIN));
	}
	CHECK_RC(series_throughput(&m, &h, SERIES_MAX_HW + 1, &d, &s, &e), EXIT_USAGE, &e);
}

/*
 * series_tpot: the default x values by hand (DeepSeek-V3's 256 routed
 * experts on H800 at tp 1: EP 1, 2, ... 256, nine sizes; NIC 100 to 6400
 * Gb/s, seven), each point the plan's decode with ep = dp = x; computation
 * and communication add up to the step's time by class; a dense model has
 * no EP size.
 */
static void t_series_tpot(void)
{
	static struct series_tpot s;
	struct deployment d;
	struct model m, dense;
	struct hw h;
	struct err e;
	double x[SERIES_TPOT_MAX], sum = 0;
	int k;

	memset(&e, 0, sizeof e);
	if (load_model("deepseek-v3", &m) || load_model("llama-3.1-70b", &dense) || load_hw("h800-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	d.w.batch = 64;
	CHECK_EQ(series_tpot_defaults(&m, &h, &d, SERIES_OVER_EP, x), 9);
	CHECK(x[0] == 1 && x[8] == 256);
	CHECK_EQ(series_tpot_defaults(&m, &h, &d, SERIES_OVER_NIC, x), 7);
	CHECK(x[0] == 100 && x[6] == 6400);
	if (CHECK_OK(series_tpot(&m, &h, &d, SERIES_OVER_EP, NULL, 0, &s, &e), &e))
		return;
	CHECK_EQ(s.n, 9);
	CHECK_EQ(s.pt[5].x, 32);
	d.ep = d.dp = 32;
	d.w.decode_only = 1;
	if (plan_run(&m, &h, &d))
		return;
	CHECK_EQ(s.pt[5].tpot_ms, g_plan.perf.tpot_s * 1e3);
	CHECK_EQ(s.pt[5].bound, g_plan.perf.decode.bound);
	CHECK_EQ(s.pt[5].comm_bound, perf_bound_is_comm(g_plan.perf.decode.bound));
	for (k = 0; k < OPC_CLASSES; k++)
		sum += g_plan.perf.decode.t_class[k];
	CHECK_REL(s.pt[5].compute_ms + s.pt[5].comm_ms, sum / g_plan.perf.tokens_per_step * 1e3, 1e-12);
	CHECK(s.pt[5].comm_ms > 0 && s.any_comm);      /* EP 32 dispatches and combines */
	CHECK_EQ(s.pt[0].comm_ms, 0);                   /* EP 1 at tp 1: nothing to send */
	plan_default_deployment(&dense, &d);
	CHECK_EQ(series_tpot_defaults(&dense, &h, &d, SERIES_OVER_EP, x), 0);
	CHECK_RC(series_tpot(&dense, &h, &d, SERIES_OVER_EP, NULL, 0, &s, &e), EXIT_USAGE, &e);
}

/*
 * series_roofline on H800 (3,350 GB/s; 989 bf16 and 1,979 fp8 TFLOP/s, no
 * fp4): two roofs; every operator is compute, under its dtype's roof and
 * under the HBM slope (achieved FLOP/s <= min(peak, intensity x bandwidth)).
 */
static void t_series_roofline(void)
{
	static struct series_roofline s;
	struct deployment d;
	struct model m;
	struct hw h;
	struct err e;
	int ph, i;

	memset(&e, 0, sizeof e);
	if (load_model("deepseek-v3", &m) || load_hw("h800-sxm", &h))
		return;
	plan_default_deployment(&m, &d);
	d.ep = d.dp = 32;
	d.w.batch = 64;
	if (CHECK_OK(series_roofline(&m, &h, &d, &s, &e), &e))
		return;
	CHECK_EQ(s.hbm_bw, 3350e9);
	CHECK_EQ(s.nroofs, 2);
	CHECK(s.roof[0] == DT_BF16 && s.roof[1] == DT_FP8);
	CHECK_EQ(s.peak[0], 989e12);
	CHECK_EQ(s.peak[1], 1979e12);
	CHECK(s.nops[0] > 0 && s.nops[1] > 0);
	for (ph = 0; ph < 2; ph++)
		for (i = 0; i < s.nops[ph]; i++) {
			const struct series_roof_op *o = &s.op[ph][i];
			double roof = fmin(o->dtype == DT_FP8 ? 1979e12 : 989e12, o->intensity * 3350e9);
			CHECK(!perf_class_is_comm(o->cls));
			CHECK(o->tflops * 1e12 <= roof * (1 + 1e-9));
			CHECK(s.classes & (1u << o->cls));
		}
	h.gpu.hbm_bw = 0;
	CHECK_RC(series_roofline(&m, &h, &d, &s, &e), EXIT_INPUT, &e);
}

/*
 * series_power by hand on a GB200 NVL72 rack (18 nodes of 4 GPUs, TDP
 * 1,200 W, node.max_kw 6.667, PUE 1.58, no switch power): at full load the
 * GPUs draw 18 x 4 x 1.2 = 86.4 kW, the rest of the nodes 18 x (6.667 -
 * 4 x 1.2) = 33.606 kW, the facility (1.58 - 1) x 120.006 = 69.60348 kW; per
 * node a bar is 1/18 of that.
 */
static void t_series_power(void)
{
	struct series_power s, node;
	struct deployment d;
	struct model m;
	struct hw h;
	struct err e;
	const double *full;

	memset(&e, 0, sizeof e);
	if (load_model("deepseek-v3", &m) || load_hw("gb200-nvl72", &h))
		return;
	plan_default_deployment(&m, &d);
	d.ep = d.dp = 72;
	d.w.batch = 64;
	if (CHECK_OK(series_power(&m, &h, &d, 0, &s, &e), &e) || CHECK_OK(series_power(&m, &h, &d, 1, &node, &e), &e))
		return;
	full = s.kw[2];
	CHECK_EQ(s.scale, 18);
	CHECK_REL(full[SERIES_PW_GPUS], 86.4, 1e-12);
	CHECK_REL(full[SERIES_PW_NODE_REST], 33.606, 1e-12);
	CHECK(isnan(full[SERIES_PW_SWITCHES]) && isnan(s.switch_w_per_gpu));
	CHECK_REL(full[SERIES_PW_FACILITY], 0.58 * 120.006, 1e-12);
	CHECK_REL(full[SERIES_PW_TOTAL], 86.4 + 33.606 + 0.58 * 120.006, 1e-12);
	CHECK_EQ(node.scale, 1);
	CHECK_REL(node.kw[2][SERIES_PW_GPUS], 4.8, 1e-12);
	CHECK_REL(s.kw[0][SERIES_PW_GPUS], 72 * s.w.gpu_decode_w / 1e3, 1e-12);
}

/*
 * series_topology by hand, 64-port switches, one NIC port per GPU (H800):
 * FT2 holds 64^2 / 2 = 2,048 endpoints with 2N/64 leaves + N/64 spines (48
 * switches for 1,024, 96 for 2,048), FT3 64^3 / 4 = 65,536 with 5N/64 (80 for
 * 1,024); 4,096 GPUs need more than FT2.  By default 128 to 65,536 GPUs.
 */
static void t_series_topology(void)
{
	static struct series_topology s;
	const double g[3] = {1024, 2048, 4096};
	struct hw h;
	struct err e;

	memset(&e, 0, sizeof e);
	if (load_hw("h800-sxm", &h))
		return;
	if (CHECK_OK(series_topology(&h, g, 3, NAN, NAN, &s, &e), &e))
		return;
	CHECK(s.radix == 64 && s.ports == 1 && s.planes == 8);
	CHECK_EQ(s.max_endpoints[0], 2048);
	CHECK_EQ(s.max_endpoints[2], 65536);
	CHECK_EQ(s.switches[0][0], 48);
	CHECK_EQ(s.switches[1][0], 96);
	CHECK_EQ(s.switches[0][2], 80);
	CHECK(isnan(s.switches[2][0]) && isnan(s.cost_usd[2][0]));
	if (CHECK_OK(series_topology(&h, NULL, 0, NAN, NAN, &s, &e), &e))
		return;
	CHECK(s.n == 10 && s.gpus[0] == 128 && s.gpus[9] == 65536);
}

static const struct test tests[] = {
	{"csv: an unknown or infinite number is an empty field", t_csv_missing},
	{"csv_field quotes only what needs it (comma, quote, tab, CR, LF)", t_csv_field_quoting},
	{"csv_split reads back csv_field's fields, line breaks and quotes too", t_csv_split_round_trip},
	{"csv_read: records of one line or more, their line breaks given back; JSON lines", t_csv_read_records},
	{"front: the Pareto rule, equal points, NaN, kept texts, the print order", t_front_rule},
	{"gnuplot_str: single-quoted, quotes doubled, control bytes as octal escapes", t_gnuplot_str_single_quoted},
	{"infile: regular files only, a size cap to the byte", t_infile_regular_only},
	{"out_resolve: links followed, devices in place, modes kept, inputs refused", t_out_resolve_targets},
	{"stats_median: odd and even counts by hand, sorted in place, NAN for none", t_stats_median},
	{"series kv: 70,272 and 327,680 B per token by hand, linear in context, 8 models at most", t_series_kv},
	{"series memory: Llama-3.1-70B tp 4 on H100 by hand, each bar the plan's memory", t_series_memory},
	{"series throughput: each batch the plan's decode, per GPU = batch x per user / tp, the knee rule", t_series_throughput},
	{"series tpot: default EP sizes and NIC rates by hand, a point the plan's decode split by class", t_series_tpot},
	{"series roofline: H800's two roofs, every operator under its roof and the HBM slope", t_series_roofline},
	{"series power: GB200 NVL72 rack at full load by hand, per node 1/18", t_series_power},
	{"series topology: FT2 and FT3 of 64-port switches by hand, the default GPU counts", t_series_topology},
};

const struct suite suite_reports = {"reports", tests, sizeof tests / sizeof tests[0]};
