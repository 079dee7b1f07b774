/*
 * sweep_parts.h - a sweep run in parts, on one machine or a thousand: the
 * manifest that 'sweep --shard i/N -o FILE' writes beside its rows, and
 * 'sweep --merge', which checks that parts make one whole sweep, joins them
 * and prints the sweep's Pareto front.
 *
 * The rows file stays what it always was (CSV with its header in shard 1
 * only, or JSON lines), so that the parts still concatenate to the whole and
 * every reader of a sweep CSV reads a merged one.  What a part is and where
 * it came from goes beside it in FILE.sweep.json (SWEEP_MANIFEST_SUFFIX):
 *
 *   schema          "mlasim.sweep/1"
 *   mlasim_version  the version that computed the rows
 *   command         the command line as run, argv[0] first
 *   options         the options that make the sweep: the command's, less
 *                   those of the run alone (--shard, --threads, --max-points,
 *                   -o, --format), in the order given
 *   rows_format     "csv" or "json-lines";  columns: the CSV header line
 *   front           "gpu-user" or "cost-latency"
 *   points          the whole sweep's points;  shard, shards: this part i of N
 *   first_point, shard_points  its slice: points first_point (1-based) on
 *   header          whether the rows file starts with the header (CSV shard 1)
 *   rows, fit, bytes  rows written (points laid out), of them fitting, file size
 *   skipped         {points, first_point, reason}: points not laid out here
 *   host, threads, seconds, finished_utc   where and how it ran
 *   parts           (a merge's manifest) each part's file, host, command, ...
 *
 * A merge accepts parts whose mlasim_version, options, rows_format, front,
 * columns, points and shards all agree, one part per shard, each file as
 * long as its manifest says and holding the rows it says.
 */
#ifndef MLASIM_SWEEP_PARTS_H
#define MLASIM_SWEEP_PARTS_H

#include "cli.h"

#define SWEEP_MANIFEST_SUFFIX ".sweep.json"
#define SWEEP_MANIFEST_SCHEMA "mlasim.sweep/1"

/* What a part says about itself: sweep_manifest_write writes it. */
struct sweep_part_info {
	char *const *argv;             /* the command as run */
	int argc;
	const char *const *options;    /* the sweep's identity (see above) */
	int noptions;
	int json;                      /* rows are JSON lines, not CSV */
	int cost_front;
	const char *columns;           /* the CSV header line, without a line break */
	long points, shard, shards;
	long rows, fit;
	double bytes;                  /* size of the rows file */
	long skipped;                  /* points of the part not laid out */
	long skipped_first;            /* the first of them (0-based), -1 when none */
	const char *skipped_reason;
	int threads;                   /* 0: not a run of its own (a merge) */
	double seconds;                /* how long it ran; < 0: not recorded */
	const void *parts;             /* a merge's cJSON array of its parts, or NULL */
};

/*
 * Points [*first, *last) (0-based) of shard i of n (1 <= i <= n) of a sweep
 * of `total` points: n contiguous slices in order, sizes within one of each
 * other, which concatenate to the whole.
 */
void sweep_shard_range(long total, long i, long n, long *first, long *last);

/*
 * Write the manifest of the rows file `rows_path` to rows_path +
 * SWEEP_MANIFEST_SUFFIX, atomically (out_write), adding the host and the
 * time.  Call once the rows file is in place.  Returns 0, EXIT_USAGE (a path
 * too long) or EXIT_ENV (out of memory, cannot write).
 */
int sweep_manifest_write(const char *rows_path, const struct sweep_part_info *m, struct err *e);

/*
 * 'mlasim sweep --merge PART... [-o FILE]': the arguments after 'sweep' in
 * c (c->i on the first).  Reads every part's manifest and refuses (EXIT_INPUT,
 * naming them) parts of different sweeps, a shard given twice or missing,
 * a file shorter or longer than its manifest says, a row that does not read;
 * then streams the parts in shard order to -o FILE (atomically, with a
 * manifest of its own), keeping only the Pareto front, and prints what
 * 'sweep' prints: for CSV parts the same bytes as the sweep run whole (the
 * front is computed from the rows as written, 9 significant digits, so two
 * points that differ only past them tie, the earlier kept).  Exit status 1
 * when no row fits.  Returns the exit code, the message in c->err.
 */
int sweep_merge(struct cli *c);

#endif
