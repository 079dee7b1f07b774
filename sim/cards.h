/*
 * cards.h - find model and hardware cards by path, bundled name or the short
 * names people type ("v3", "v3.json", "gb200"), and suggest close names when
 * nothing matches.
 *
 * Search order for a name: the path itself if it names a file; then the
 * directories models/ (or hw/, engines/) in: the current directory, $MLASIM_DATA, the
 * directory above the executable (a build tree), <exe>/../share/mlasim, and
 * the installed data directory.  "<name>.json" in each of them first; then
 * any card (cards_list) whose file name or aliases match (case-insensitive).
 */
#ifndef MLASIM_CARDS_H
#define MLASIM_CARDS_H

#include <stddef.h>
#include "err.h"

enum card_kind { CARD_MODEL, CARD_HW, CARD_ENGINE };

#define CARDS_MAX 256

struct card_entry {
	char name[64];
	char path[512];
	char display[128];
	char aliases[256];   /* comma separated */
};

/*
 * Resolve `name` to a card file path in out (n bytes).  Returns 0, EXIT_USAGE
 * for a NULL or empty name, or EXIT_INPUT: "no model card 'x' (did you mean
 * 'a', 'b'? ...)", or a path that is a directory or no regular file;
 * EXIT_ENV when the list of cards it searches cannot be allocated.
 */
int cards_resolve(enum card_kind kind, const char *name, char *out, size_t n,
		  struct err *e);

/*
 * List the bundled cards of `kind` (first directory that has each name wins),
 * sorted by name; files that do not load as JSON and *.calibrated.json are
 * left out.  Returns how many were written to list (at most max).
 */
int cards_list(enum card_kind kind, struct card_entry *list, int max);

/* Set the directory holding the executable (from argv[0] or /proc), where
 * the search looks for ../models and ../share/mlasim; process-wide state,
 * set once at start (NULL or "" clears it). */
void cards_set_exe_dir(const char *dir);

#endif
