/*
 * out.h - write a finished report to stdout or, atomically, to a file.
 */
#ifndef MLASIM_OUT_H
#define MLASIM_OUT_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include "../sim/err.h"

/*
 * Write len bytes to `path`: to a temporary file in the same directory, then
 * fsync and rename over `path`.  On any failure the temporary file is removed
 * and a previous `path` is left untouched.  path NULL or "-" writes to stdout.
 * Returns 0 or EXIT_ENV naming the file.
 */
int out_write(const char *path, const char *data, size_t len, struct err *e);

/* One file of a group that out_write_group writes together. */
struct out_file {
	const char *path;
	const char *data;
	size_t len;
};

/* The most files one out_write_group call takes. */
#define OUT_GROUP_MAX 4

/*
 * Write n (1..OUT_GROUP_MAX) files that belong together, such as a chart's
 * data and the script that reads it: each to a temporary file in its
 * directory, fsynced, and only when all n are written (and no path names a
 * directory) rename them into place, one after the other.  A failure while
 * writing (disk full, the file-size limit, a terminating signal) leaves every
 * path as it was and no temporary file behind: never a new file next to an
 * old partner.  Returns 0, or EXIT_ENV naming the file that failed (EXIT_USAGE
 * for a path over 4000 bytes).  Paths are files (no stdout here).
 */
int out_write_group(const struct out_file *files, int n, struct err *e);

/*
 * Make SIGTERM, SIGINT, SIGHUP and SIGQUIT remove the temporary files being
 * written before the process dies, and make writes past the file-size limit
 * fail (EFBIG) rather than kill the process.  Call once, from main().
 */
void out_guard_install(void);

/*
 * Until out_guard_clear(), make a terminating signal first kill the process
 * group `pid` (a child writing files for us, in a group of its own) and reap
 * it, then remove the n (up to OUT_GROUP_MAX) files tmps, the child's
 * temporaries.  The names are copied.
 */
void out_guard_child(pid_t pid, const char *const *tmps, int n);

/* Forget the child and the temporary files out_guard_child named. */
void out_guard_clear(void);

/*
 * Streaming output for large files: rows are written to a temporary file in
 * the same directory as they are made, and the file appears at `path` only on
 * out_stream_commit().  out_stream_abort() removes the temporary file.
 */
struct out_stream {
	FILE *f;
	char tmp[4200];
	char path[4100];
};

/* Open the temporary file for `path`.  Returns 0 or EXIT_ENV. */
int out_stream_open(struct out_stream *s, const char *path, struct err *e);

/* Flush, fsync, close and rename into place.  Returns 0 or EXIT_ENV. */
int out_stream_commit(struct out_stream *s, struct err *e);

/* Close and remove the temporary file; `path` is left as it was. */
void out_stream_abort(struct out_stream *s);

#endif
