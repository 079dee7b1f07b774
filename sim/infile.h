/*
 * infile.h - the one way mlasim opens a file a user names as input (cards,
 * --workload, --from, --serving), and the record of those files that lets
 * '-o' refuse to overwrite one of them.
 */
#ifndef MLASIM_INFILE_H
#define MLASIM_INFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include "err.h"

/*
 * Open `path` for reading.  Only a regular file is accepted: a FIFO would
 * block until a writer comes, /dev/zero or /dev/urandom never end, a
 * directory has nothing to read.  The open itself never blocks (O_NONBLOCK,
 * cleared once the file is known to be regular).  Returns the stream (the
 * caller fcloses it), or NULL with EXIT_INPUT in e naming the file (EXIT_ENV
 * when the open file cannot be made a stream).
 */
FILE *infile_open(const char *path, struct err *e);

/*
 * Read all of the regular file `path` (as infile_open) into a new
 * NUL-terminated buffer *text (caller frees) of *len bytes.  A file over max
 * bytes is refused: "'PATH' is larger than N MiB: not WHAT" (what: "a card").
 * Returns 0, EXIT_INPUT, or EXIT_ENV when out of memory.
 */
int infile_read(const char *path, size_t max, const char *what, char **text, size_t *len,
		struct err *e);

/*
 * Remember that `path` is the input of option `opt` ("--model"), by its
 * device and inode, so that infile_input_of() recognises it under any name
 * (./x, a hard link, a symbolic link).  A path that cannot be stat'ed is not
 * remembered (opening it fails later anyway).  Up to INFILE_MAX_NOTED files;
 * `opt` must outlive the process (a string literal).  This list is the
 * module's one process-wide state: every writer of '-o' must see it.
 */
void infile_note(const char *path, const char *opt);

#define INFILE_MAX_NOTED 64

/*
 * The option whose input is the file (dev, ino), and in *path the name it was
 * given by; NULL when the file is no noted input.
 */
const char *infile_input_of(dev_t dev, ino_t ino, const char **path);

#endif
