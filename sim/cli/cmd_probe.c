/*
 * cmd_probe.c - 'mlasim probe': run the CUDA calibration probes (the runner
 * build/mlasim-probe, built from probes/ where nvcc exists), fit efficiency
 * curves to what they measured (calib.h) and write a calibrated hardware card.
 *
 * mlasim itself never links CUDA: it runs the runner next to its own
 * executable as a child process, which writes a results file (schema
 * mlasim.calib/1), and reads that file back.  '--from' skips the run and fits
 * a results file recorded earlier, which is how the fitting is tested on
 * machines without a GPU.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "anchors.h"
#include "borrow.h"
#include "calib.h"
#include "cards.h"
#include "cli.h"
#include "holdout.h"
#include "infile.h"
#include "jsonx.h"
#include "kfit.h"
#include "probecat.h"
#include "csv.h"
#include "report.h"
#include "units.h"

const char help_probe[] =
"usage: mlasim probe [KEY...] [--hw BASE] [-o FILE] [options]\n"
"       mlasim probe --from RESULTS --hw BASE -o FILE\n"
"       mlasim probe --published DIR --hw BASE -o FILE\n"
"       mlasim probe -l\n"
"\n"
"Run the CUDA calibration probes on this machine's NVIDIA GPU, fit the\n"
"efficiency of each kernel class to what they measured, and write the hardware\n"
"card BASE plus a 'calibration' section (schema mlasim.calib/1).  The engine\n"
"then times every operator with the measured efficiencies instead of the\n"
"card's 'efficiency' defaults.\n"
"\n"
"  KEY...           probes to run (default: all of them, a long sweep whose\n"
"                   length is not yet timed on a GPU; 'mlasim probe -l' lists them)\n"
"  -l, --list       list the probes and what each measures (needs no GPU)\n"
"  --hw BASE        the card to calibrate (a name or a file); its peaks are the\n"
"                   denominators of the fits.  Without it the results file is\n"
"                   written, fitted against the runner's built-in spec table\n"
"  -o FILE          write the calibrated card (or the results) to FILE, atomically;\n"
"                   by convention hw/<gpu>.calibrated.json ('mlasim list' skips\n"
"                   such files; use them by path: --hw hw/h100.calibrated.json).\n"
"                   A card that would not load is not written (exit 3); FILE may\n"
"                   not be the --from or --results file (exit 2)\n"
"  --from RESULTS   fit a results file recorded earlier instead of running probes\n"
"  --published DIR  fit published kernel measurements instead (DIR/*.json, one\n"
"                   file per source: hw/published/CARD/, README 'Published kernel\n"
"                   measurements'): the card BASE with its 'calibration' replaced\n"
"                   by the kernel model fitted per class (sim/kern.h: eff_compute,\n"
"                   eff_mem, t0_s, kblock_s, blend, elem_s, cta_s; GSL simplex on log\n"
"                   error), NCCL's protocols per collective, DeepEP's latency and\n"
"                   bandwidth inside a node and across nodes (deepep_rdma),\n"
"                   from its 'efficiency' defaults; -o may be BASE itself.  A\n"
"                   summary per class goes to stderr.  'make calibrate' does this\n"
"                   for every bundled card.  Where DIR holds borrow.json instead\n"
"                   of records (schema mlasim.borrow/1: from, why, classes), the\n"
"                   sibling's records (DIR/../FROM) are fitted on its card\n"
"                   (DIR/../../FROM.json) and those fits, fractions of each roof\n"
"                   and fixed times, written for the classes borrowed, with\n"
"                   calibration.borrowed_from: BASE keeps its own peaks.  Only\n"
"                   onto the same HBM bandwidth, and collectives and DeepEP only\n"
"                   onto the same scale-up link; a bad borrow file exits 3\n"
"  --holdout K      with --from: the held-out study instead of the card.  Every\n"
"                   K-th fitted record of each kernel class (K >= 2; 4 leaves a\n"
"                   quarter out) is left out of the fit, then predicted by the\n"
"                   engine on the card calibrated from the rest (with --hw; the\n"
"                   fits alone without it): median and worst error per class\n"
"  --anchors        with --from: what was measured next to what others reached on\n"
"                   the same GPU (docs/probes.md s0; H100 and H200) and the\n"
"                   targets of docs/probes.md s13, with the --holdout 4 error;\n"
"                   give --hw for the peaks\n"
"  --results FILE   keep the runner's raw results file\n"
"  --quick          smaller sweeps: a smoke run of a few minutes\n"
"  --time-limit S   the runner's wall-clock budget (480 or 480s): each probe gets a\n"
"                   share, no configuration starts after it, and the results are\n"
"                   marked partial, naming what was skipped\n"
"  --device N       the GPU to measure (default 0)\n"
"  --runner PATH    the probe runner (default: mlasim-probe next to mlasim)\n"
"  --format json    with -l: the list as JSON\n"
"\n"
"The probes' fit per kernel class (calibration.calib.<section>.<variant>.fit):\n"
"  t = max(FLOPs / (eff_compute x peak), bytes / (eff_mem x HBM bandwidth)) + t0\n"
"by least squares on relative error over every measured shape; a base card\n"
"with a published calibration keeps it as 'calibration.published', standing for\n"
"the classes the probes do not fit (probes take precedence).  Exit status 4\n"
"when there is no NVIDIA GPU, no driver or no runner; 3 for a results file that\n"
"is not one.  Probes change no clock or power setting: they record them.\n";

#define PROBE_MAX_KEYS 32

struct probe_args {
	const char *keys[PROBE_MAX_KEYS];
	int nkeys;
	int list;
	int quick;
	const char *from;
	const char *results;
	const char *runner;
	const char *device;
	const char *time_limit;   /* --time-limit as given to the runner, NULL: none */
	double limit_s;
	char limit[24];
	double holdout;     /* K of --holdout, 0: none */
	int anchors;        /* --anchors */
	const char *published;   /* --published DIR */
};

/* 1 when paths a and b name one file: the same string, or (when both exist)
 * the same device and inode. */
static int probe_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return 1;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int probe_parse(struct cli *c, struct probe_args *a)
{
	const char *v;
	int r;

	while (cli_more(c)) {
		const char *arg = c->argv[c->i];
		if ((r = cli_common(c)) != 0)
			continue;
		if (cli_flag(c, "-l") || cli_flag(c, "--list")) {
			a->list = 1;
		} else if (cli_flag(c, "--quick")) {
			a->quick = 1;
		} else if ((r = cli_opt(c, "--from", &v)) != 0) {
			a->from = r > 0 ? v : NULL;
		} else if ((r = cli_opt(c, "--published", &v)) != 0) {
			a->published = r > 0 ? v : NULL;
		} else if ((r = cli_opt(c, "--results", &v)) != 0) {
			a->results = r > 0 ? v : NULL;
		} else if (cli_flag(c, "--anchors")) {
			a->anchors = 1;
		} else if ((r = cli_opt(c, "--holdout", &v)) != 0) {
			if (r > 0 && cli_count(c, "--holdout", v, &a->holdout) > 0 &&
			    (a->holdout < 2 || a->holdout > 1000))
				err_set(&c->err, EXIT_USAGE,
					"'--holdout' expects K from 2 to 1000 (every K-th record held out), got '%s'", v);
		} else if ((r = cli_opt(c, "--time-limit", &v)) != 0) {
			if (r > 0 && cli_number(c, "--time-limit", v, UNIT_TIME, &a->limit_s) > 0 &&
			    !(a->limit_s >= 1 && a->limit_s <= 7 * 86400))
				err_set(&c->err, EXIT_USAGE,
					"'--time-limit' expects seconds from 1 to 604800 (7 days), got '%s'", v);
			snprintf(a->limit, sizeof a->limit, "%.0f", a->limit_s);
			a->time_limit = r > 0 ? a->limit : NULL;
		} else if ((r = cli_opt(c, "--runner", &v)) != 0) {
			a->runner = r > 0 ? v : NULL;
		} else if ((r = cli_opt(c, "--device", &v)) != 0) {
			if (r > 0 && (strspn(v, "0123456789") != strlen(v) || !*v || strlen(v) > 3))
				err_set(&c->err, EXIT_USAGE, "'--device' expects a GPU number such as 0, got '%s'", v);
			a->device = v;
		} else if (arg[0] != '-') {
			if (!probecat_find(arg))
				return err_set(&c->err, EXIT_USAGE,
					       "unknown probe '%s' ('mlasim probe -l' lists them)", arg);
			if (a->nkeys == PROBE_MAX_KEYS)
				return err_set(&c->err, EXIT_USAGE, "at most %d probe keys", PROBE_MAX_KEYS);
			a->keys[a->nkeys++] = arg;
			c->i++;
		} else {
			cli_unknown(c);
		}
	}
	if (c->err.code)
		return c->err.code;
	if ((a->holdout || a->anchors) && !a->from)
		return err_set(&c->err, EXIT_USAGE,
			       "'%s' studies a recorded results file: give '--from RESULTS'",
			       a->anchors ? "--anchors" : "--holdout");
	if (a->holdout && a->anchors)
		return err_set(&c->err, EXIT_USAGE,
			       "'--anchors' and '--holdout' are two reports: give one ('--anchors' includes the --holdout 4 error)");
	if (a->from && (a->nkeys || a->quick || a->device || a->runner || a->results || a->time_limit))
		return err_set(&c->err, EXIT_USAGE,
			       "'--from' fits recorded results: it takes no probe keys, '--quick', '--device', '--runner', '--results' or '--time-limit'");
	if (a->published && (a->from || a->nkeys || a->quick || a->device || a->runner || a->results ||
			     a->time_limit || a->holdout || a->anchors))
		return err_set(&c->err, EXIT_USAGE,
			       "'--published' fits published records: it takes only '--hw BASE' and '-o FILE'");
	if (a->published && (c->nsets || c->model_arg || c->format != FMT_TABLE))
		return err_set(&c->err, EXIT_USAGE,
			       "'--published' writes the card BASE refitted: it takes no '--set', '--model' or '--format' (edit BASE instead)");
	if (a->published && !c->hw_arg)
		return err_set(&c->err, EXIT_USAGE,
			       "'--published DIR' calibrates a card: give '--hw BASE' (its peaks are the fits' denominators)");
	if (a->results && c->out && probe_same_file(a->results, c->out))
		return err_set(&c->err, EXIT_USAGE,
			       "'-o %s' and '--results %s' are the same file: the card would replace the measurements; give -o another file",
			       c->out, a->results);
	return 0;
}

/* ---- -l: the catalogue ------------------------------------------------------ */

static int probe_list(struct cli *c)
{
	const struct probe_info *p;

	if (c->format == FMT_JSON) {
		cJSON *arr = cJSON_CreateArray();
		for (p = probecat_list(); p->key; p++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "key", p->key);
			cJSON_AddStringToObject(o, "source", p->file);
			cJSON_AddStringToObject(o, "measures", p->summary);
			cJSON_AddStringToObject(o, "feeds", p->feeds);
			cJSON_AddBoolToObject(o, "multi_gpu", p->multi_gpu);
			cJSON_AddItemToArray(arr, o);
		}
		report_json(&c->buf, arr);
		return cli_emit(c);
	}
	if (c->format == FMT_CSV) {
		sbuf_printf(&c->buf, "key,source,multi_gpu,feeds,measures\n");
		for (p = probecat_list(); p->key; p++) {
			sbuf_printf(&c->buf, "%s,probes/%s,%d,", p->key, p->file, p->multi_gpu);
			csv_field_add(&c->buf, p->feeds);
			sbuf_add(&c->buf, ",", 1);
			csv_field_add(&c->buf, p->summary);
			sbuf_add(&c->buf, "\n", 1);
		}
		return cli_emit(c);
	}
	sbuf_printf(&c->buf, "mlasim probe: calibration probes (run by mlasim-probe on an NVIDIA GPU)\n\n");
	sbuf_printf(&c->buf, "  %-14s %-16s %s\n", "key", "source", "measures / feeds calibration.calib");
	for (p = probecat_list(); p->key; p++)
		sbuf_printf(&c->buf, "  %-14s probes/%-9s %s%s\n  %-14s %-16s -> %s\n", p->key, p->file,
			    p->summary, p->multi_gpu ? " (2+ GPUs)" : "", "", "", p->feeds);
	return cli_emit(c);
}

/* ---- running the runner --------------------------------------------------- */

/* The runner: --runner, else mlasim-probe next to this executable. */
static int probe_runner_path(struct cli *c, const struct probe_args *a, char *buf, size_t n)
{
	char exe[PATH_MAX];
	ssize_t len;
	char *slash;

	if (a->runner) {
		snprintf(buf, n, "%s", a->runner);
	} else {
		len = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (len <= 0)
			return err_set(&c->err, EXIT_ENV,
				       "cannot run the probes: cannot find mlasim's own directory; give '--runner PATH'");
		exe[len] = 0;
		slash = strrchr(exe, '/');
		if (slash)
			*slash = 0;
		snprintf(buf, n, "%.*s/mlasim-probe", (int)(n - 16), exe);
	}
	if (access(buf, X_OK) != 0)
		return err_set(&c->err, EXIT_ENV,
			       "cannot run the probes: no probe runner '%s' ('make probes' builds it; it needs nvcc and runs on an NVIDIA GPU)",
			       buf);
	return 0;
}

/* The first error message of a results file the runner left, if any. */
static void probe_runner_reason(const char *path, const char *fallback, char *buf, size_t n)
{
	struct err e;
	cJSON *doc;
	const cJSON *errs, *first;

	snprintf(buf, n, "%s", fallback);
	if (jsonx_load(path, &doc, &e))
		return;
	errs = cJSON_GetObjectItemCaseSensitive(doc, "errors");
	first = cJSON_IsArray(errs) ? cJSON_GetArrayItem(errs, 0) : NULL;
	first = first ? cJSON_GetObjectItemCaseSensitive(first, "msg") : NULL;
	if (cJSON_IsString(first))
		snprintf(buf, n, "%s", first->valuestring);
	cJSON_Delete(doc);
}

/* Run the runner, writing its results to `out`.  Its stdout goes to our
 * stderr (progress lines), so that mlasim's stdout holds only the card. */
static int probe_run(struct cli *c, const struct probe_args *a, const char *runner,
		     const char *out)
{
	char *argv[PROBE_MAX_KEYS + 10];
	char reason[400];
	int n = 0, i, status;
	pid_t pid;

	argv[n++] = (char *)runner;
	argv[n++] = "-o";
	argv[n++] = (char *)out;
	if (a->quick)
		argv[n++] = "--quick";
	if (a->device) {
		argv[n++] = "--device";
		argv[n++] = (char *)a->device;
	}
	if (a->time_limit) {
		argv[n++] = "--time-limit";
		argv[n++] = (char *)a->time_limit;
	}
	for (i = 0; i < a->nkeys; i++)
		argv[n++] = (char *)a->keys[i];
	argv[n] = NULL;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return err_set(&c->err, EXIT_ENV, "cannot run the probes: fork: %s", err_sys(errno));
	if (pid == 0) {
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execv(runner, argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set(&c->err, EXIT_ENV, "cannot run the probes: waitpid: %s", err_sys(errno));
	if (WIFSIGNALED(status))
		return err_set(&c->err, EXIT_ENV, "the probe runner '%s' was killed by signal %d",
			       runner, WTERMSIG(status));
	switch (WEXITSTATUS(status)) {
	case 0:
		return 0;
	case 4:
		probe_runner_reason(out, "no CUDA GPU", reason, sizeof reason);
		return err_set(&c->err, EXIT_ENV, "cannot run the probes: %s", reason);
	case 127:
		return err_set(&c->err, EXIT_ENV,
			       "cannot run the probes: '%s' did not start (is the CUDA runtime, libcublasLt.so.13, installed?)",
			       runner);
	case 5:   /* no probe succeeded: the file says why */
		probe_runner_reason(out, "no message", reason, sizeof reason);
		return err_set(&c->err, EXIT_ENV, "every probe failed: %s", reason);
	default:
		return err_set(&c->err, EXIT_ENV, "the probe runner '%s' failed (exit status %d)",
			       runner, WEXITSTATUS(status));
	}
}

/* ---- the card ------------------------------------------------------------- */

/* The base card's JSON with the hardware --set overrides applied, as hw_load does. */
static int probe_base_json(struct cli *c, cJSON **root)
{
	char path[1024];
	int i;

	if (cards_resolve(CARD_HW, c->hw_arg, path, sizeof path, &c->err))
		return c->err.code;
	infile_note(path, "--hw");
	if (jsonx_load(path, root, &c->err))
		return c->err.code;
	for (i = 0; i < c->nsets; i++)
		if (hw_is_section(c->sets[i]) && jsonx_set(*root, c->sets[i], &c->err)) {
			cJSON_Delete(*root);
			return c->err.code;
		}
	return 0;
}

/* 1 when the fit's "not_fitted" list names `key`. */
static int probe_not_fitted(const cJSON *fit, const char *key)
{
	const cJSON *it, *nf = cJSON_GetObjectItemCaseSensitive(fit, "not_fitted");

	cJSON_ArrayForEach(it, nf)
		if (cJSON_IsString(it) && strcmp(it->valuestring, key) == 0)
			return 1;
	return 0;
}

static double probe_fitnum(const cJSON *fit, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(fit, key);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* One line per fitted kernel class, after the file is written. */
static void probe_summary(const struct cli *c, const cJSON *out, const cJSON *doc, int card)
{
	const cJSON *calib = card ? cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(out, "calibration"), "calib") :
		cJSON_GetObjectItemCaseSensitive(out, "calib");
	const cJSON *dev = cJSON_GetObjectItemCaseSensitive(doc, "device");
	const cJSON *sec, *var, *name = cJSON_GetObjectItemCaseSensitive(out, "name");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(dev, "name");
	int defaults = 0;

	printf("mlasim probe: wrote '%s'", c->out);
	if (card && cJSON_IsString(name))
		printf(" (card '%s')", name->valuestring);
	printf(", measured on %s\n", cJSON_IsString(d) ? d->valuestring : "an unnamed device");
	printf("  %-28s %11s %8s %9s %7s %8s\n", "kernel class", "eff_compute", "eff_mem", "t0 (us)",
	       "points", "rms err");
	cJSON_ArrayForEach(sec, calib) {
		cJSON_ArrayForEach(var, sec) {
			const cJSON *fit = cJSON_GetObjectItemCaseSensitive(var, "fit");
			int nc, nm;
			char label[64];
			if (!cJSON_IsObject(fit))
				continue;
			nc = probe_not_fitted(fit, "eff_compute");
			nm = probe_not_fitted(fit, "eff_mem");
			defaults |= nc || nm;
			snprintf(label, sizeof label, "%s.%s", sec->string, var->string);
			printf("  %-28s %10.3f%c %7.3f%c %9.2f %7.0f %7.1f%%\n", label,
			       probe_fitnum(fit, "eff_compute"), nc ? '*' : ' ', probe_fitnum(fit, "eff_mem"),
			       nm ? '*' : ' ', probe_fitnum(fit, "t0_s") * 1e6, probe_fitnum(fit, "n_points"),
			       probe_fitnum(fit, "rmse_rel") * 100);
		}
	}
	if (defaults)
		printf("  * not measured (no point on that roof): the card's efficiency is kept\n");
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "errors")) > 0)
		printf("  %d probe error(s): see 'errors' in the file\n",
		       cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "errors")));
}

/*
 * Check results `doc` and choose the denominators of its fits: with --hw, the
 * card (loaded into *h, its JSON into *base for the caller to free), else
 * the document's own "spec" (*base NULL).  Returns 0 or the error code.
 */
static int probe_peaks(struct cli *c, const cJSON *doc, const char *file, struct hw *h,
		       struct calib_peaks *pk, cJSON **base)
{
	*base = NULL;
	if (calib_check(doc, file, &c->err))
		return c->err.code;
	if (!c->hw_arg)
		return calib_peaks_from_doc(doc, file, pk, &c->err);
	if (cli_load_hw(c, NULL, h) || probe_base_json(c, base))
		return c->err.code;
	calib_peaks_from_hw(h, pk);
	return 0;
}

/* Fit `doc` (read from `file`) and emit the calibrated card or the results. */
/*
 * Load the card `text` with mlasim's own hardware loader (from a temporary
 * file: hw_load reads files) before anything is written, so that probe never
 * leaves a card that 'plan --hw' then refuses.  Returns 0, or EXIT_INPUT
 * with the loader's reason.
 */
static int probe_check_card(struct cli *c, const char *text)
{
	const char *dir = getenv("TMPDIR");
	char tmp[PATH_MAX];
	struct hw h;
	struct err e = {0};
	size_t len = strlen(text);
	int fd, rc;

	snprintf(tmp, sizeof tmp, "%s/mlasim-card.XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(tmp);
	if (fd < 0)
		return err_set(&c->err, EXIT_ENV, "cannot create a temporary file in '%s': %s",
			       dir && *dir ? dir : "/tmp", err_sys(errno));
	rc = write(fd, text, len) == (ssize_t)len ? 0 : -1;
	if (close(fd) || rc) {
		unlink(tmp);
		return err_set(&c->err, EXIT_ENV, "cannot write a temporary file in '%s'",
			       dir && *dir ? dir : "/tmp");
	}
	rc = hw_load(tmp, NULL, 0, &h, &e);
	unlink(tmp);
	if (rc) {
		const char *why = e.msg;
		if (strncmp(why, tmp, strlen(tmp)) == 0)    /* the temporary's name says nothing */
			why += strlen(tmp);
		while (*why == ':' || *why == ' ')
			why++;
		return err_set(&c->err, EXIT_INPUT, "the calibrated card would not load, so nothing was written: %s",
			       why);
	}
	return 0;
}

static int probe_fit_emit(struct cli *c, cJSON *doc, const char *file)
{
	struct calib_peaks pk;
	struct hw h;
	cJSON *calib = NULL, *base = NULL, *out;
	char *text;
	int rc;

	if (probe_peaks(c, doc, file, &h, &pk, &base))
		return c->err.code;
	if (calib_build(doc, file, &pk, &calib, &c->err)) {
		cJSON_Delete(base);
		return c->err.code;
	}
	if (base) {
		out = calib_card(base, doc, calib);
		cJSON_Delete(base);
	} else {
		out = cJSON_Duplicate(doc, 1);
		if (out) {
			cJSON_DeleteItemFromObjectCaseSensitive(out, "calib");
			cJSON_AddItemToObject(out, "calib", calib);
		} else {
			cJSON_Delete(calib);
		}
	}
	text = out ? cJSON_Print(out) : NULL;
	if (!text) {
		cJSON_Delete(out);
		return err_set(&c->err, EXIT_ENV, "out of memory writing the calibration");
	}
	/* a card (with --hw) must load; without a base it is the results with their fit */
	rc = base ? probe_check_card(c, text) : 0;
	if (rc) {
		free(text);
		cJSON_Delete(out);
		return rc;
	}
	sbuf_add(&c->buf, text, strlen(text));
	sbuf_add(&c->buf, "\n", 1);
	free(text);
	rc = cli_emit(c);
	if (rc == 0 && c->out && strcmp(c->out, "-") != 0)
		probe_summary(c, out, doc, base != NULL);
	cJSON_Delete(out);
	return rc;
}

/* ---- --published: a card calibrated from published kernel records --------- */

/* The parts a borrow declares that its source has no fit for (they stay on
 * the card's defaults), on stderr. */
static void probe_borrow_unfitted(const cJSON *cal)
{
	const cJSON *calib = cJSON_GetObjectItemCaseSensitive(cal, "calib");
	const cJSON *cl = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cal, "borrow"), "classes");
	const cJSON *it;
	int n = 0;

	cJSON_ArrayForEach(it, cl) {
		const char *section = it->valuestring, *variant = NULL;
		const cJSON *sec;
		int p;
		for (p = 0; p < K_CLASSES && strcmp(hw_kclass_name((enum kclass)p), it->valuestring); p++)
			;
		if (p < K_CLASSES && hw_calib_key_of((enum kclass)p, &section, &variant))
			continue;
		sec = cJSON_GetObjectItemCaseSensitive(calib, section);
		if (sec && (!variant || cJSON_GetObjectItemCaseSensitive(sec, variant)))
			continue;
		fprintf(stderr, "%s%s", n++ ? ", " : "  borrowed but not fitted on the source (card defaults): ",
			it->valuestring);
	}
	if (n)
		fprintf(stderr, "\n");
}

/* What was fitted, one line per class, on stderr (the card goes to -o). */
static void probe_published_summary(const cJSON *cal, const char *dir)
{
	const cJSON *sec, *var, *calib = cJSON_GetObjectItemCaseSensitive(cal, "calib");
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(cal, "borrowed_from");

	if (cJSON_IsString(from))
		fprintf(stderr, "probe: %s borrows from %s: %s's records fitted on its card, its peaks kept\n", dir,
			from->valuestring, from->valuestring);
	fprintf(stderr, "probe: fitted from %s\n", cJSON_GetObjectItemCaseSensitive(cal, "records")->valuestring);
	cJSON_ArrayForEach(sec, calib) {
		if (!strcmp(sec->string, "collectives")) {
			cJSON_ArrayForEach(var, sec) {
				const cJSON *f;
				cJSON_ArrayForEach(f, var) {
					const cJSON *lat = cJSON_GetObjectItemCaseSensitive(f, "lat_s");
					fprintf(stderr, "  %-18s %-10s %4d points  median %5.1f%%  on %g GPUs: latency %.1f/%.1f/%.1f us (LL/LL128/Simple), busbw %.0f GB/s\n",
						"collective", var->string,
						(int)cJSON_GetObjectItemCaseSensitive(f, "points")->valuedouble,
						cJSON_GetObjectItemCaseSensitive(f, "median_err_pct")->valuedouble,
						cJSON_GetObjectItemCaseSensitive(f, "gpus")->valuedouble,
						cJSON_GetArrayItem(lat, 0)->valuedouble * 1e6, cJSON_GetArrayItem(lat, 1)->valuedouble * 1e6,
						cJSON_GetArrayItem(lat, 2)->valuedouble * 1e6,
						cJSON_GetObjectItemCaseSensitive(f, "busbw_gbs")->valuedouble);
				}
			}
			continue;
		}
		if (!strcmp(sec->string, "custom_allreduce")) {
			cJSON_ArrayForEach(var, sec) {
				const cJSON *f;
				cJSON_ArrayForEach(f, var) {
					const cJSON *lat = cJSON_GetObjectItemCaseSensitive(f, "lat_s");
					fprintf(stderr, "  %-18s %-10s %4d points  median %5.1f%%  on %g GPUs: latency %.1f/%.1f us (one-shot/two-shot), %.0f GB/s\n",
						"custom all-reduce", var->string,
						(int)cJSON_GetObjectItemCaseSensitive(f, "points")->valuedouble,
						cJSON_GetObjectItemCaseSensitive(f, "median_err_pct")->valuedouble,
						cJSON_GetObjectItemCaseSensitive(f, "gpus")->valuedouble,
						cJSON_GetArrayItem(lat, 0)->valuedouble * 1e6, cJSON_GetArrayItem(lat, 1)->valuedouble * 1e6,
						cJSON_GetObjectItemCaseSensitive(f, "gbs")->valuedouble);
				}
			}
			continue;
		}
		if (!strcmp(sec->string, "deepep") || !strcmp(sec->string, "deepep_rdma") ||
		    !strcmp(sec->string, "deepep_normal")) {
			cJSON_ArrayForEach(var, sec) {
				const cJSON *rs = cJSON_GetObjectItemCaseSensitive(var, "round_s");
				fprintf(stderr, "  %-18s %-10s %4d points  median %5.1f%%  latency %.1f us, %.0f GB/s",
					sec->string, var->string,
					(int)cJSON_GetObjectItemCaseSensitive(var, "points")->valuedouble,
					cJSON_GetObjectItemCaseSensitive(var, "median_err_pct")->valuedouble,
					cJSON_GetObjectItemCaseSensitive(var, "lat_s")->valuedouble * 1e6,
					cJSON_GetObjectItemCaseSensitive(var, "gbs")->valuedouble);
				if (cJSON_IsNumber(rs))
					fprintf(stderr, ", %.0f ns a round", rs->valuedouble * 1e9);
				fputc('\n', stderr);
			}
			continue;
		}
		cJSON_ArrayForEach(var, sec) {
			const cJSON *fit = cJSON_GetObjectItemCaseSensitive(var, "fit");
			fprintf(stderr, "  %-18s %-10s %4d points  median %5.1f%%  worst %6.1f%%  eff %.3f/%.3f  t0 %.2f us  kblock %.3f us  blend %g\n",
				sec->string, var->string,
				(int)cJSON_GetObjectItemCaseSensitive(var, "points")->valuedouble,
				cJSON_GetObjectItemCaseSensitive(var, "median_err_pct")->valuedouble,
				cJSON_GetObjectItemCaseSensitive(var, "worst_err_pct")->valuedouble,
				cJSON_GetObjectItemCaseSensitive(fit, "eff_compute")->valuedouble,
				cJSON_GetObjectItemCaseSensitive(fit, "eff_mem")->valuedouble,
				cJSON_GetObjectItemCaseSensitive(fit, "t0_s")->valuedouble * 1e6,
				cJSON_GetObjectItemCaseSensitive(fit, "kblock_s")->valuedouble * 1e6,
				cJSON_GetObjectItemCaseSensitive(fit, "blend")->valuedouble);
		}
	}
	probe_borrow_unfitted(cal);
}

/* The fit of the records in `dir` for card h (a calibration object), or,
 * where dir holds a borrow file, the fit of the source card's records on
 * its own card, for the parts borrowed (borrow.h).  NULL on error. */
static cJSON *probe_published_fit(struct cli *c, const char *dir, const struct hw *h)
{
	struct borrow b;
	struct kset set;
	struct hw src;
	cJSON *sroot, *cal;

	if (!borrow_present(dir)) {
		if (kfit_load_dir(dir, &set, &c->err))
			return NULL;
		cal = kfit_calibration(h, &set, dir, &c->err);
		kfit_free(&set);
		return cal;
	}
	if (borrow_read(dir, &b, &c->err) || jsonx_load(b.from_card, &sroot, &c->err))
		return NULL;
	cJSON_DeleteItemFromObjectCaseSensitive(sroot, "calibration");   /* fitted afresh, as its own is */
	if (hw_from_json(sroot, b.from_card, &src, &c->err) || borrow_check(&b, &src, h, &c->err) ||
	    kfit_load_dir(b.records, &set, &c->err)) {
		cJSON_Delete(sroot);
		return NULL;
	}
	cJSON_Delete(sroot);
	borrow_filter(&b, &src, &set);
	cal = kfit_calibration(&src, &set, b.records, &c->err);
	kfit_free(&set);
	if (!cal)
		return NULL;
	return borrow_calibration(&b, cal);
}

/*
 * The base card with its "calibration" replaced by the fit of the records
 * in `dir` (or those a borrow file there names).  The fixed parameters fall
 * back on the card's own efficiency defaults (a borrow's on its source
 * card's; each previous calibration is set aside first), so refitting is
 * idempotent: -o may be the base card itself.
 */
static int probe_published(struct cli *c, const char *dir)
{
	char path[1024], *text;
	cJSON *root, *cal;
	struct hw h;
	int rc;

	if (cards_resolve(CARD_HW, c->hw_arg, path, sizeof path, &c->err) ||
	    jsonx_load(path, &root, &c->err))
		return c->err.code;
	cJSON_DeleteItemFromObjectCaseSensitive(root, "calibration");
	cal = hw_from_json(root, path, &h, &c->err) ? NULL : probe_published_fit(c, dir, &h);
	if (!cal) {
		cJSON_Delete(root);
		return c->err.code;
	}
	cJSON_AddItemToObject(root, "calibration", cal);
	text = cJSON_Print(root);
	rc = text ? probe_check_card(c, text) : err_set(&c->err, EXIT_ENV, "out of memory writing the card");
	if (rc == 0) {
		sbuf_add(&c->buf, text, strlen(text));
		sbuf_add(&c->buf, "\n", 1);
		rc = cli_emit(c);
		if (rc == 0)
			probe_published_summary(cal, dir);
	}
	free(text);
	cJSON_Delete(root);
	return rc;
}

/* ---- --holdout: the held-out prediction study ------------------------------ */

/* the calibrated engine's median held-out error at most 10% (docs/probes.md s13) */
#define HOLDOUT_TARGET 0.10

static void holdout_num(cJSON *o, const char *key, double v)
{
	if (isnan(v))
		cJSON_AddNullToObject(o, key);
	else
		report_num(o, key, v);
}

/* 100 x v, with a rounding residue shown as 0 rather than -0.0 */
static double holdout_pct(double v)
{
	return fabs(v) < 5e-5 ? 0 : 100 * v;
}

static const char *holdout_via(const struct holdout *h, int c)
{
	if (!h->cls[c].fitted)
		return "unfitted";
	return h->cls[c].kclass < 0 ? "fit" : h->cls[c].own ? "engine" : "engine*";
}

/* "1st", "2nd", "3rd", "4th", "11th", "21st" */
static const char *holdout_ordinal(int n)
{
	return n % 100 / 10 == 1 ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
}

/* The study as a tree (--format json|csv). */
static cJSON *holdout_tree(const struct holdout *h, const char *file, const char *card)
{
	cJSON *o = cJSON_CreateObject(), *arr, *it, *all;
	int i;

	cJSON_AddStringToObject(o, "results", file);
	if (card)
		cJSON_AddStringToObject(o, "card", card);
	else
		cJSON_AddNullToObject(o, "card");
	cJSON_AddNumberToObject(o, "stride", h->stride);
	report_num(o, "target_median_abs_err", HOLDOUT_TARGET);
	arr = cJSON_AddArrayToObject(o, "classes");
	for (i = 0; i < h->ncls; i++) {
		const struct holdout_class *k = &h->cls[i];
		it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "class", k->name);
		cJSON_AddStringToObject(it, "via", holdout_via(h, i));
		if (k->kclass >= 0)
			cJSON_AddStringToObject(it, "engine_class", hw_kclass_name((enum kclass)k->kclass));
		cJSON_AddNumberToObject(it, "n_fit", k->n_fit);
		cJSON_AddNumberToObject(it, "n_held", k->n_held);
		holdout_num(it, "median_abs_err", k->median_abs);
		holdout_num(it, "worst_err", k->worst);
		if (k->worst_row >= 0)
			cJSON_AddStringToObject(it, "worst_id", h->rows[k->worst_row].id);
		cJSON_AddItemToArray(arr, it);
	}
	all = cJSON_AddObjectToObject(o, "all");
	cJSON_AddNumberToObject(all, "n_held", h->nrows);
	cJSON_AddNumberToObject(all, "n_unpredicted", h->n_unpredicted);
	holdout_num(all, "median_abs_err", h->median_abs);
	holdout_num(all, "worst_err", h->worst);
	if (h->worst_row >= 0)
		cJSON_AddStringToObject(all, "worst_id", h->rows[h->worst_row].id);
	holdout_num(all, "engine_vs_fit_max_gap", h->engine_gap);
	arr = cJSON_AddArrayToObject(o, "records");
	for (i = 0; i < h->nrows; i++) {
		it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "id", h->rows[i].id);
		cJSON_AddStringToObject(it, "class", h->cls[h->rows[i].cls].name);
		report_num(it, "t_measured_s", h->rows[i].t_measured);
		holdout_num(it, "t_predicted_s", h->rows[i].t_predicted);
		holdout_num(it, "err", h->rows[i].err);
		cJSON_AddItemToArray(arr, it);
	}
	return o;
}

/* The study as a table. */
static void holdout_table(struct sbuf *b, const struct holdout *h, const char *file,
			  const char *card)
{
	int i;

	sbuf_printf(b, "mlasim probe: held-out prediction error, %s\n", file);
	sbuf_printf(b, "  every %d%s fitted record of each kernel class left out of the fit, then predicted\n",
		    h->stride, holdout_ordinal(h->stride));
	if (card)
		sbuf_printf(b, "  by the engine on '%s' calibrated from the rest (err = predicted / measured - 1)\n\n",
			    card);
	else
		sbuf_printf(b, "  by the fitted rooflines alone: no --hw card (err = predicted / measured - 1)\n\n");
	sbuf_printf(b, "  %-28s %-8s %5s %5s %12s %10s  %s\n", "kernel class", "via", "fit", "held",
		    "median |err|", "worst err", "worst shape");
	for (i = 0; i < h->ncls; i++) {
		const struct holdout_class *k = &h->cls[i];
		if (k->n_held == 0)
			continue;
		sbuf_printf(b, "  %-28s %-8s %5d %5d", k->name, holdout_via(h, i), k->n_fit, k->n_held);
		if (isnan(k->median_abs))
			sbuf_printf(b, " %12s %10s\n", "-", "-");
		else
			sbuf_printf(b, " %11.1f%% %+9.1f%%  %s\n", holdout_pct(k->median_abs), holdout_pct(k->worst),
				    h->rows[k->worst_row].id);
	}
	if (isnan(h->median_abs)) {
		sbuf_printf(b, "\n  no held-out record could be predicted: each class's remaining records were too few to fit\n");
		return;
	}
	sbuf_printf(b, "  %-28s %-8s %5s %5d %11.1f%% %+9.1f%%  %s\n", "all", "", "", h->nrows,
		    holdout_pct(h->median_abs), holdout_pct(h->worst), h->rows[h->worst_row].id);
	for (i = 0; i < h->ncls && (h->cls[i].own || h->cls[i].kclass < 0); i++)
		;
	if (i < h->ncls)
		sbuf_printf(b, "  * the engine has no fit of its own for this variant: it times it as perf.c does (engine_class in --format json)\n");
	if (h->n_unpredicted)
		sbuf_printf(b, "  %d held-out record%s of classes the rest could not fit: not predicted\n",
			    h->n_unpredicted, h->n_unpredicted == 1 ? "" : "s");
	sbuf_printf(b, "\n  median |err| %.1f%%: %s the target of under %.0f%%\n", holdout_pct(h->median_abs),
		    h->median_abs < HOLDOUT_TARGET ? "meets" : "misses", 100 * HOLDOUT_TARGET);
}

/* ---- --anchors: the measured figures against the references ---------------- */

/* "2.9-3.0" or "1117" in a row's unit; "-" when there is none. */
static const char *anchor_range(const struct anchor_row *r, char *buf, size_t n)
{
	int dig = strcmp(r->unit, "TB/s") == 0 ? 2 : 0;

	if (isnan(r->anchor_lo))
		return "-";
	if (r->anchor_hi > r->anchor_lo)
		snprintf(buf, n, "%.*f-%.*f %s", dig, r->anchor_lo, dig, r->anchor_hi, r->unit);
	else
		snprintf(buf, n, "%.*f %s", dig, r->anchor_lo, r->unit);
	return buf;
}

static const char *anchor_target(const struct anchor_row *r, char *buf, size_t n)
{
	if (isnan(r->target))
		return "";
	if (r->target_on_share || !*r->unit)
		snprintf(buf, n, "%s %.0f%%", r->target_below ? "<" : ">=", 100 * r->target);
	else
		snprintf(buf, n, "%s %.0f %s", r->target_below ? "<" : ">=", r->target, r->unit);
	return buf;
}

static void anchors_table(struct sbuf *b, const struct anchor_row *rows, int n, const char *file,
			  const char *device, const char *family, const char *peaks)
{
	static const char *const verdicts[] = {"misses", "meets"};
	char m[48], a[48], t[48];
	int i, srcs = 0;

	sbuf_printf(b, "mlasim probe: measured on %s (%s), against the references\n", device, file);
	sbuf_printf(b, "  shares are of %s; anchors: %s\n\n", peaks,
		    family ? family : "none known for this GPU (H100 and H200 have them)");
	sbuf_printf(b, "  %-40s %14s %7s %18s %14s  %s\n", "quantity", "measured", "share", "anchor",
		    "target", "verdict");
	for (i = 0; i < n; i++) {
		const struct anchor_row *r = &rows[i];
		int v = anchors_verdict(r);
		if (isnan(r->measured))
			snprintf(m, sizeof m, "not measured");
		else if (!*r->unit)
			snprintf(m, sizeof m, "%.1f%%", 100 * r->measured);
		else
			snprintf(m, sizeof m, strcmp(r->unit, "TB/s") == 0 ? "%.2f %s" : "%.0f %s",
				 r->measured, r->unit);
		sbuf_printf(b, "  %-40s %14s ", r->what, m);
		if (isnan(r->share) || !*r->unit)
			sbuf_printf(b, "%7s", "");
		else
			sbuf_printf(b, "%6.1f%%", 100 * r->share);
		sbuf_printf(b, " %18s", anchor_range(r, a, sizeof a));
		if (!isnan(r->target))
			sbuf_printf(b, " %14s  %s", anchor_target(r, t, sizeof t), v < 0 ? "-" : verdicts[v]);
		sbuf_printf(b, "\n");
	}
	for (i = 0; i < n; i++)
		if (rows[i].shape[0])
			sbuf_printf(b, "%s  %s: %s\n", srcs++ ? "" : "\n  from\n", rows[i].what,
				    rows[i].shape);
	srcs = 0;
	for (i = 0; i < n; i++)
		if (rows[i].anchor_source)
			sbuf_printf(b, "%s  %s: %s\n", srcs++ ? "" : "\n  anchors\n", rows[i].what,
				    rows[i].anchor_source);
}

static cJSON *anchors_tree(const struct anchor_row *rows, int n, const char *file,
			   const char *device, const char *family)
{
	cJSON *o = cJSON_CreateObject(), *arr, *it;
	int i;

	cJSON_AddStringToObject(o, "results", file);
	cJSON_AddStringToObject(o, "device", device);
	if (family)
		cJSON_AddStringToObject(o, "anchors_for", family);
	else
		cJSON_AddNullToObject(o, "anchors_for");
	arr = cJSON_AddArrayToObject(o, "rows");
	for (i = 0; i < n; i++) {
		const struct anchor_row *r = &rows[i];
		int v = anchors_verdict(r);
		it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "quantity", r->what);
		cJSON_AddStringToObject(it, "unit", *r->unit ? r->unit : r->target_below ? "error fraction" : "share");
		holdout_num(it, "measured", r->measured);
		holdout_num(it, "share", r->share);
		cJSON_AddStringToObject(it, "from", r->shape);
		holdout_num(it, "anchor_low", r->anchor_lo);
		holdout_num(it, "anchor_high", r->anchor_hi);
		if (r->anchor_source)
			cJSON_AddStringToObject(it, "anchor_source", r->anchor_source);
		holdout_num(it, "target", r->target);
		if (!isnan(r->target)) {
			cJSON_AddStringToObject(it, "target_is", r->target_below ? "below" : "at least");
			cJSON_AddStringToObject(it, "target_on", r->target_on_share ? "share" : "measured");
			cJSON_AddStringToObject(it, "target_source", r->target_source);
		}
		if (v < 0)
			cJSON_AddNullToObject(it, "meets_target");
		else
			cJSON_AddBoolToObject(it, "meets_target", v);
		cJSON_AddItemToArray(arr, it);
	}
	return o;
}

/* The held-out study as the last anchors row: its median |err| against the 10%
 * of docs/probes.md s13. */
static void anchors_holdout_row(struct anchor_row *r, const struct holdout *h, int ok,
				const char *why)
{
	memset(r, 0, sizeof *r);
	r->what = "held-out prediction: median |err|";
	r->unit = "";
	r->measured = ok ? h->median_abs : NAN;
	r->share = NAN;
	r->anchor_lo = r->anchor_hi = NAN;
	r->target = HOLDOUT_TARGET;
	r->target_on_share = 0;
	r->target_below = 1;
	r->target_source = "docs/probes.md s13";
	if (ok)
		snprintf(r->shape, sizeof r->shape, "every 4th shape of each class out: %d predicted",
			 h->nrows - h->n_unpredicted);
	else
		snprintf(r->shape, sizeof r->shape, "not run: %.140s", why);
}

/* --from RESULTS --holdout K | --anchors. */
static int probe_study(struct cli *c, const cJSON *doc, const char *file, int stride)
{
	struct anchor_row rows[ANCHORS_MAX];
	struct calib_peaks pk;
	struct holdout h;
	struct hw hw = {0};
	cJSON *base = NULL;
	const cJSON *dev;
	const char *card, *device;
	char peaks[200];
	int rc, n;

	if (probe_peaks(c, doc, file, &hw, &pk, &base))
		return c->err.code;
	card = base ? hw.name : NULL;
	if (!stride) {   /* --anchors: a file the fit refuses is refused here too */
		cJSON *calib = NULL;
		if (calib_build(doc, file, &pk, &calib, &c->err)) {
			cJSON_Delete(base);
			return c->err.code;
		}
		cJSON_Delete(calib);
	}
	rc = holdout_run(doc, file, base, hw.path, &pk, stride ? stride : 4, &h, &c->err);
	cJSON_Delete(base);
	if (rc && (stride || rc != EXIT_INPUT))
		return rc;
	if (stride) {
		if (c->format == FMT_TABLE)
			holdout_table(&c->buf, &h, file, card);
		else
			report_tree(&c->buf, holdout_tree(&h, file, card), c->format == FMT_CSV);
	} else {
		dev = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "device"), "name");
		device = cJSON_IsString(dev) ? dev->valuestring : "an unnamed device";
		n = anchors_rows(doc, &pk, rows);
		anchors_holdout_row(&rows[n++], &h, rc == 0, c->err.msg);
		snprintf(peaks, sizeof peaks, "the peaks of %s", pk.source);
		if (c->format == FMT_TABLE)
			anchors_table(&c->buf, rows, n, file, device, anchors_family(doc), peaks);
		else
			report_tree(&c->buf, anchors_tree(rows, n, file, device, anchors_family(doc)),
				    c->format == FMT_CSV);
	}
	if (rc == 0)
		holdout_free(&h);
	c->err.code = 0;        /* --anchors: a study that could not run is a row not measured */
	return cli_emit(c);
}

int cmd_probe(struct cli *c)
{
	struct probe_args a;
	char runner[PATH_MAX], tmp[PATH_MAX];
	const char *results;
	cJSON *doc;
	int rc, fd;

	memset(&a, 0, sizeof a);
	if (probe_parse(c, &a))
		return c->err.code;
	if (c->help)
		return cli_help(c);
	if (a.list)
		return probe_list(c);
	if (a.published)
		return probe_published(c, a.published);
	if (a.from) {
		infile_note(a.from, "--from");
		if (jsonx_load(a.from, &doc, &c->err))
			return c->err.code;
		rc = a.holdout || a.anchors ? probe_study(c, doc, a.from, (int)a.holdout) :
		     probe_fit_emit(c, doc, a.from);
		cJSON_Delete(doc);
		return rc;
	}
	if (c->hw_arg && (rc = cli_load_hw(c, NULL, &(struct hw){0})) != 0)
		return rc;                      /* a bad card fails before an hour of probing */
	if (probe_runner_path(c, &a, runner, sizeof runner))
		return c->err.code;
	results = a.results;
	if (!results) {
		const char *dir = getenv("TMPDIR");
		snprintf(tmp, sizeof tmp, "%s/mlasim-probe.XXXXXX", dir && *dir ? dir : "/tmp");
		fd = mkstemp(tmp);
		if (fd < 0)
			return err_set(&c->err, EXIT_ENV, "cannot create a temporary file in '%s': %s",
				       dir && *dir ? dir : "/tmp", err_sys(errno));
		close(fd);
		results = tmp;
	}
	rc = probe_run(c, &a, runner, results);
	if (a.results)
		infile_note(a.results, "--results");    /* now it exists: -o must not replace it */
	if (rc == 0 && jsonx_load(results, &doc, &c->err) == 0) {
		rc = probe_fit_emit(c, doc, results);
		cJSON_Delete(doc);
	}
	if (!a.results)
		unlink(tmp);
	return rc ? rc : c->err.code;
}
