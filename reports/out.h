/*
 * out.h - write a finished report to stdout or, atomically, to a file.
 */
#ifndef MLASIM_OUT_H
#define MLASIM_OUT_H

#include <stddef.h>
#include "../sim/err.h"

/*
 * Write len bytes to `path`: to a temporary file in the same directory, then
 * fsync and rename over `path`.  On any failure the temporary file is removed
 * and a previous `path` is left untouched.  path NULL or "-" writes to stdout.
 * Returns 0 or EXIT_ENV naming the file.
 */
int out_write(const char *path, const char *data, size_t len, struct err *e);

#endif
