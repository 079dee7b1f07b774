/*
 * fuzz_cli.c - the whole command line: the input is argv, one word per
 * NUL-separated piece (the seeds are the golden commands and the bad-input
 * cases), run in-process through the command table as main() does.
 *
 * main() keeps its struct cli in a static that no call resets, so it cannot
 * run twice in one process; this harness calls the dispatch main() calls,
 * cli_run(), with a fresh struct cli per input (sim/cli/cli.c is compiled with
 * -Dmain=mlasim_main so that libFuzzer's main() links).  Nothing is written:
 * the functions of reports/out.h are replaced below (the atomic rename is
 * tested by tests/properties.sh), stdout goes to /dev/null, gnuplot is never
 * found, and the harness runs in a sandbox directory (copies of the cards)
 * where no input may name an absolute path or '..'.
 *
 * Contract: the exit status is 0, 1 (no good answer, no message needed) or
 * 2, 3, 4 with a one-line message; a report built for stdout or -o is text
 * without a NUL byte and no 'nan' or 'inf' where a number belongs.
 */
#include <strings.h>
#include <unistd.h>
#include <stdio.h>
#include "../../reports/out.h"
#include "cards.h"
#include "cli.h"
#include "fuzz.h"

#define FZ_MAX_WORDS 64
/* 'sweep' evaluates what it is asked to, up to --max-points (1e9 by default):
 * the harness appends '--max-points 2000' (the last one given counts) so an
 * input runs in well under libFuzzer's -timeout. */
#define FZ_SWEEP_POINTS "2000"
/* 'validate --kernels' refits every bundled card's kernel classes with their
 * cross-validation (about 20 s): the harness appends '--hw h800-sxm' (the last
 * --hw given counts; one card, under a second) for the same reason. */
#define FZ_KERNELS_HW "h800-sxm"

static char sandbox[512];

static void fz_cleanup(void)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", sandbox);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_cli: could not remove %s\n", sandbox);
}

/*
 * Work in a sandbox: a new directory holding copies of models/, hw/ and
 * tests/bad/, so that a relative path a command might write lands there.
 * Inputs with an absolute path or '..' are not run (LLVMFuzzerTestOneInput).
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char cmd[8192], bin[600], top[1024];

	(void)argc;
	(void)argv;
	if (access("models/deepseek-v3.json", R_OK) != 0 || access("tests/bad", R_OK) != 0) {
		fprintf(stderr, "fuzz_cli: run from the repository root\n");
		exit(2);
	}
	if (!getcwd(top, sizeof top) || strchr(top, '\'')) {
		fprintf(stderr, "fuzz_cli: the repository path is too long or holds a quote\n");
		exit(2);
	}
	snprintf(sandbox, sizeof sandbox, "%s/mlasim-fuzz-cli.XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(sandbox) || strchr(sandbox, '\'')) {
		perror("fuzz_cli: mkdtemp");
		exit(2);
	}
	atexit(fz_cleanup);
	/* fixtures: the recorded probe results, not the fake runner (no program
	 * in the sandbox is executable, so 'probe' runs none) */
	snprintf(cmd, sizeof cmd,
		 "cd '%s' && mkdir -p tests/fuzz bin && cp -R '%s/models' '%s/hw' . && "
		 "cp -R '%s/tests/bad' tests/ && cp -R '%s/tests/fuzz/cards' tests/fuzz/ && "
		 "if [ -d '%s/tests/fixtures' ]; then mkdir tests/fixtures && "
		 "cp '%s'/tests/fixtures/*.json tests/fixtures/; fi; chmod -R a-x+X .",
		 sandbox, top, top, top, top, top, top);
	if (system(cmd) != 0 || chdir(sandbox) != 0) {
		fprintf(stderr, "fuzz_cli: cannot set up the sandbox %s\n", sandbox);
		exit(2);
	}
	/* bundled cards: ./models and ./hw, and <exe_dir>/../models, the same */
	snprintf(bin, sizeof bin, "%s/bin", sandbox);
	cards_set_exe_dir(bin);
	setenv("MLASIM_GNUPLOT", "/nonexistent/gnuplot", 1);
	unsetenv("MLASIM_DATA");
	if (!freopen("/dev/null", "w", stdout)) {
		perror("fuzz_cli: /dev/null");
		exit(2);
	}
	return 0;
}

/* Is there a "nan" or "inf" printed as a number (not inside a word such as 'info')? */
static const char *fz_bad_number(const char *s, size_t len)
{
	static const char *const bad[] = {"nan", "-nan", "inf", "-inf", NULL};
	size_t i;
	int k;

	for (i = 0; i < len; i++) {
		int start = i == 0 || s[i - 1] == ' ' || s[i - 1] == ',' || s[i - 1] == ':' ||
			    s[i - 1] == '\n' || s[i - 1] == '(' || s[i - 1] == '\t';
		if (!start)
			continue;
		for (k = 0; bad[k]; k++) {
			size_t l = strlen(bad[k]);
			if (i + l <= len && strncmp(s + i, bad[k], l) == 0 &&
			    (i + l == len || s[i + l] == ' ' || s[i + l] == ',' || s[i + l] == '\n' ||
			     s[i + l] == ')' || s[i + l] == '%'))
				return s + i;
		}
	}
	return NULL;
}

/* Set when some word holds "nan" or "inf": a name may then print as one. */
static int fz_words_name_nan;
/* Set when the command is 'sweep' (its points are capped: FZ_SWEEP_POINTS). */
static int fz_sweep;

/*
 * A report is text: no NUL byte, and (numbers != 0) no "nan" or "inf"
 * printed as a number.  A figure not evaluated or unknown is an empty CSV
 * field or a JSON null in every report, 'sweep' rows included.
 */
static void fz_check_report(const char *data, size_t len, int numbers)
{
	const char *bad;

	FZ_CHECK(data != NULL, "out_write got no data");
	FZ_CHECK(memchr(data, 0, len) == NULL, "the report holds a NUL byte");
	bad = fz_words_name_nan || !numbers ? NULL : fz_bad_number(data, len);
	FZ_CHECK(bad == NULL, "the report prints a non-finite number: '%.60s'", bad);
}

/*
 * These replace reports/out.c (every function of out.h: a new one there
 * makes this link fail, loudly, rather than write files): check the report,
 * write nothing.  The atomic rename is tested by tests/properties.sh.
 */
int out_write(const char *path, const char *data, size_t len, struct err *e)
{
	fz_check_report(data, len, 1);
	if (path && strlen(path) > 4000)
		return err_set(e, EXIT_USAGE, "'-o' path is too long");
	return 0;
}

int out_write_group(const struct out_file *files, int n, struct err *e)
{
	int i;

	FZ_CHECK(n >= 1 && n <= OUT_GROUP_MAX, "out_write_group of %d files", n);
	for (i = 0; i < n; i++) {
		fz_check_report(files[i].data, files[i].len, 1);
		if (strlen(files[i].path) > 4000)
			return err_set(e, EXIT_USAGE, "'-o' path is too long");
	}
	return 0;
}

void out_guard_install(void)
{
}

int out_resolve(const char *path, struct out_target *t, struct err *e)
{
	memset(t, 0, sizeof *t);
	if (strlen(path) >= sizeof t->path)
		return err_set(e, EXIT_USAGE, "'-o' path is too long");
	strcpy(t->path, path);
	return 0;
}

/* gnuplot never runs here (MLASIM_GNUPLOT names no program): nothing to place */
int out_place(const char *tmp, const char *path, struct err *e)
{
	(void)path;
	(void)e;
	FZ_CHECK(tmp != NULL, "out_place got no temporary file");
	return 0;
}

void out_guard_child(pid_t pid, const char *const *tmps, int n)
{
	(void)pid;
	(void)tmps;
	FZ_CHECK(n >= 0 && n <= OUT_GROUP_MAX, "out_guard_child of %d files", n);
}

void out_guard_clear(void)
{
}

void out_guard_scratch(const char *dir, const char *stem)
{
	(void)dir;
	(void)stem;
}

static char *stream_buf;
static size_t stream_len;

int out_stream_open(struct out_stream *s, const char *path, struct err *e)
{
	memset(s, 0, sizeof *s);
	if (strlen(path) > 4000)
		return err_set(e, EXIT_USAGE, "'-o' path is too long");
	snprintf(s->path, sizeof s->path, "%s", path);
	s->f = open_memstream(&stream_buf, &stream_len);
	FZ_CHECK(s->f != NULL, "open_memstream failed");
	return 0;
}

int out_stream_commit(struct out_stream *s, struct err *e)
{
	(void)e;
	FZ_CHECK(s->f != NULL, "out_stream_commit on a closed stream");
	fclose(s->f);
	s->f = NULL;
	fz_check_report(stream_buf, stream_len, 1);
	free(stream_buf);
	stream_buf = NULL;
	return 0;
}

void out_stream_abort(struct out_stream *s)
{
	if (s->f) {
		fclose(s->f);
		free(stream_buf);
		stream_buf = NULL;
	}
	s->f = NULL;
}

static int fz_run(int argc, char **argv)
{
	static struct cli c;
	const char *name;
	int rc;

	memset(&c, 0, sizeof c);
	if (argc < 2)
		return EXIT_USAGE;
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)
		return 0;
	rc = cli_run(&c, argc, argv);
	name = c.cmd ? c.cmd : "(unknown command)";
	FZ_CHECK(rc >= 0 && rc <= 4, "'%s' returned %d", name, rc);
	if (rc != 0 && c.err.code != 0) {
		if (c.err.code == EXIT_NO)   /* no good answer, said in a message */
			FZ_CHECK(c.err.msg[0] && memchr(c.err.msg, 0, sizeof c.err.msg),
				 "'%s' exits 1 with an empty message", name);
		else
			fz_check_err(c.err.code, &c.err, name);
		rc = c.err.code;
	}
	FZ_CHECK(rc <= 1 || c.err.code == rc, "'%s' exits %d without a message", name, rc);
	sbuf_free(&c.buf);
	return rc;
}

/* FUZZ_SKIP_KNOWN=1 (exploring, never CI): skip the known findings. */
static int skip_known = -1;

/* Does the word, or what follows its '=' or a unit prefix, read as a number past 2^63? */
static int fz_past_2_63(const char *w)
{
	const char *p;

	for (p = w; *p; p++) {
		if ((*p >= '0' && *p <= '9') || *p == '.') {
			double v = strtod(p, NULL);
			if (v >= 9.2e18)
				return 1;
		}
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_str(data, size), *argv[FZ_MAX_WORDS + 4];
	size_t i, start = 0;
	int argc = 0;

	argv[argc++] = "mlasim";
	for (i = 0; i <= size && argc <= FZ_MAX_WORDS; i++) {
		if (i == size || text[i] == 0) {
			if (i > start || i < size)
				argv[argc++] = text + start;
			start = i + 1;
		}
	}
	fz_sweep = argc > 1 && strcmp(argv[1], "sweep") == 0;
	if (fz_sweep) {
		argv[argc++] = "--max-points";
		argv[argc++] = FZ_SWEEP_POINTS;
	}
	if (argc > 1 && strcmp(argv[1], "validate") == 0)
		for (i = 2; i < (size_t)argc; i++)
			if (strcmp(argv[i], "--kernels") == 0) {
				argv[argc++] = "--hw";
				argv[argc++] = FZ_KERNELS_HW;
				break;
			}
	argv[argc] = NULL;
	fz_words_name_nan = 0;
	if (skip_known < 0)
		skip_known = getenv("FUZZ_SKIP_KNOWN") != NULL;
	for (i = 1; i < (size_t)argc; i++) {
		char *w = argv[i];
		if (skip_known && fz_past_2_63(w)) {
			free(text);   /* known finding: cli_count() casts before checking */
			return 0;
		}
		if (strstr(w, "..") || strchr(w, '/') == w || strstr(w, "=/")) {
			free(text);   /* could reach outside the sandbox */
			return 0;
		}
		for (; *w; w++)
			if (strncasecmp(w, "nan", 3) == 0 || strncasecmp(w, "inf", 3) == 0)
				fz_words_name_nan = 1;
	}
	fz_run(argc, argv);
	free(text);
	return 0;
}
