/*
 * borrow.h - a card calibrated from a sibling card's published kernel
 * records, where it has none of its own (README "Published kernel
 * measurements", hw/README.md "calibration").
 *
 * The declaration is hw/published/CARD/borrow.json, in place of records:
 *
 *   {"schema": "mlasim.borrow/1", "from": "b200",
 *    "why": "the physical reason, with public sources (URLs)",
 *    "classes": ["gemm_bf16", ..., "collectives", "deepep"],   optional: all
 *    "notes": ["why a class is or is not borrowed", ...]}      optional
 *
 * 'mlasim probe --published hw/published/CARD' then fits the records of
 * hw/published/FROM against the card hw/FROM.json, exactly as FROM's own
 * calibration is fitted, and writes those fits for the borrowed parts into
 * CARD.  A fit is a fraction of a roof (eff_compute, eff_mem) and fixed times
 * (t0_s, kblock_s, elem_s, a blend exponent), so CARD's kernels keep its own
 * peaks and bandwidth; a refit of FROM flows into CARD by 'make calibrate'.
 * "collectives" covers NCCL's fits and the serving engines' own all-reduce,
 * "deepep" DeepEP's low-latency and normal kernels inside a domain.
 * The collectives and DeepEP fits measured FROM's scale-up link: they are
 * borrowed only where CARD's is the same one (technology, topology, GB/s per
 * direction, domain size), and a collective measured on more GPUs than
 * FROM's domain (across its NICs) never is.  Kernel classes need the same
 * HBM bandwidth: the premise is one memory system.
 */
#ifndef MLASIM_BORROW_H
#define MLASIM_BORROW_H

#include <cjson/cJSON.h>
#include "err.h"
#include "hw.h"
#include "kfit.h"

#define BORROW_FILE "borrow.json"
#define BORROW_SCHEMA "mlasim.borrow/1"

/* What may be borrowed: the kernel classes (enum kclass), then the links. */
enum { BORROW_COLLECTIVES = K_CLASSES, BORROW_DEEPEP, BORROW_PARTS };

struct borrow {
	char dir[512];           /* the borrowing card's records directory, no trailing '/' */
	char file[600];          /* dir/borrow.json */
	char card[64];           /* the borrowing card: dir's last component */
	char from[64];           /* the card borrowed from */
	char records[600];       /* its records: <dir>/../<from> */
	char from_card[600];     /* its card: <dir>/../../<from>.json */
	char why[2048];
	int part[BORROW_PARTS];  /* 1: borrowed */
};

/* Name of part p ("gemm_bf16", ..., "collectives", "deepep"): static text. */
const char *borrow_part_name(int p);

/* 1 when records directory `dir` holds a borrow file. */
int borrow_present(const char *dir);

/*
 * Read dir/borrow.json into *b.  Returns 0, or EXIT_INPUT with one line
 * naming the file and key: a schema other than mlasim.borrow/1, an unknown
 * key, 'from' missing or naming this card, a card without its card file or
 * records directory beside it, or one that borrows in turn (a cycle is named
 * as one); 'why' missing or without a URL; an unknown class; record files
 * beside the borrow file (a card borrows or has records, not both); EXIT_ENV
 * when out of memory.
 */
int borrow_read(const char *dir, struct borrow *b, struct err *e);

/*
 * Check that the borrowed parts of b may go from card src to card dst: the
 * same HBM bandwidth for kernel classes, the same scale-up link for the
 * collectives and DeepEP.  Returns 0 or EXIT_INPUT naming b->file.
 */
int borrow_check(const struct borrow *b, const struct hw *src, const struct hw *dst,
		 struct err *e);

/* Drop from s (src's records) what b does not borrow (the serving engines'
 * own all-reduce goes with the collectives), and the collectives measured on
 * more GPUs than src's scale-up domain. */
void borrow_filter(const struct borrow *b, const struct hw *src, struct kset *s);

/*
 * The borrowing card's calibration from `cal`, the source's fitted one
 * (kfit_calibration of the filtered records; consumed): "provenance",
 * "borrowed_from", "borrow" {"file", "why", "classes"}, then cal's
 * "records", "sources" and "calib".  The caller owns the result (NULL when
 * out of memory).
 */
cJSON *borrow_calibration(const struct borrow *b, cJSON *cal);

#endif
