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
 * Where the bytes for an output path go, judged before anything is written
 * (out_resolve).  A symbolic link is followed: its target is replaced, the
 * link stays.  An existing FIFO or character device (/dev/null, /dev/stdout)
 * is written in place, as a shell's '>' does: renaming over it would replace
 * the device.  A regular file is replaced by a temporary one beside it that
 * keeps its permission bits.
 */
struct out_target {
	char path[4200];   /* the file itself: path with symbolic links followed */
	int link;          /* path is a symbolic link to it */
	int direct;        /* an existing FIFO or character device: written in place */
	int exists;        /* an existing regular file, whose mode (below) is kept */
	unsigned mode;     /* its permission bits */
};

/*
 * Judge `path` as an output into t.  Refuses (EXIT_USAGE) a path over 4000
 * bytes, a block device, a socket, a symbolic link to nothing, and a file
 * that is an input of this run (infile_note: the same device and inode,
 * under any name): "'-o X' would overwrite the '--model' input 'Y'"; a
 * directory is EXIT_ENV.  Returns 0 or that error; nothing is written.
 */
int out_resolve(const char *path, struct out_target *t, struct err *e);

/*
 * Write len bytes to `path` as out_target describes: for a regular or new
 * file, to a temporary file in the same directory, then fsync and rename over
 * it.  On any failure the temporary file is removed and a previous `path` is
 * left untouched.  path NULL or "-" writes to stdout.  Returns 0, EXIT_USAGE
 * (out_resolve) or EXIT_ENV naming the file.
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
 * old partner.  Returns 0, or EXIT_ENV naming the file that failed, or
 * out_resolve's EXIT_USAGE for a path it refuses (nothing written then).
 * Paths are files (no stdout here).
 */
int out_write_group(const struct out_file *files, int n, struct err *e);

/*
 * Move the finished file `tmp`, written beside `path` by someone else (gnuplot's
 * images), onto `path` as out_write would write it (through a link, into a
 * device, keeping an existing file's mode).  tmp is gone afterwards.  Returns
 * 0, or an error as out_write's.
 */
int out_place(const char *tmp, const char *path, struct err *e);

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
 * A scratch directory of ours (report's charts): until out_guard_scratch(NULL,
 * NULL), a terminating signal also removes stem.dat, .gp, .png and .svg
 * (when stem is given: the chart being drawn in it) and then the directory
 * dir, once empty.  The names are copied; a name too long is not guarded.
 */
void out_guard_scratch(const char *dir, const char *stem);

/*
 * Streaming output for large files: rows are written to a temporary file in
 * the same directory as they are made, and the file appears at `path` only on
 * out_stream_commit().  out_stream_abort() removes the temporary file.
 */
struct out_stream {
	FILE *f;
	char tmp[4200];             /* empty when written in place */
	char path[4100];
	struct out_target target;
};

/* Open the temporary file for `path` (a FIFO or device: `path` itself, as
 * out_resolve judges).  Returns 0, out_resolve's EXIT_USAGE, or EXIT_ENV. */
int out_stream_open(struct out_stream *s, const char *path, struct err *e);

/* Flush, fsync, close and rename into place.  Returns 0 or EXIT_ENV. */
int out_stream_commit(struct out_stream *s, struct err *e);

/* Close and remove the temporary file; `path` is left as it was. */
void out_stream_abort(struct out_stream *s);

#endif
