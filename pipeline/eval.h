/*
 * eval.h: scoring predicted records against gold records. The module
 * checks records, aligns a gold and a predicted record whose texts differ
 * by normalisation (through "raw" and "offsets"), matches entities (strict:
 * same type and span; overlap: same type, spans sharing a code point) and
 * relations (same type, every gold role filled by an entity of the same
 * type and span), and keeps counts per type and per "source". It renders
 * the results as a table or as JSON into a buffer; it never prints, never
 * reads files and never exits: cmd_eval.c does that.
 */
#ifndef VNIE_EVAL_H
#define VNIE_EVAL_H

#include <stddef.h>
#include <jansson.h>

#include "buf.h"
#include "doc.h"
#include "vnie.h"

/*
 * Context shown around a span in error listings: the sentence holding it
 * when the record has sentences and the sentence is at most this many code
 * points long, otherwise this many code points on each side (stopping at
 * a line break), so that a listing line stays readable.
 */
#define EVAL_SENTENCE_MAX_CP 400
#define EVAL_WINDOW_CP 50

/* Counts for one entity or relation type (or for all of them). */
struct eval_stats {
	char *type;         /* owned; NULL for the overall row */
	size_t ngold;       /* gold annotations */
	size_t npred;       /* predicted annotations */
	size_t tp;          /* strict matches (one to one) */
	size_t ov_pred;     /* predictions overlapping a gold of their type */
	size_t ov_gold;     /* gold overlapped by a prediction of its type */
	/* of the strict matches (entities): those whose gold gives a
	 * canonical form, a value, and those where the prediction agrees */
	size_t ncanon, canon_ok;
	size_t nvalue, value_ok;
};

/* True and false hits of one "source" (rule or gazetteer line). */
struct eval_source {
	char *source;       /* owned; "(none)" for annotations without one */
	size_t ok;          /* predictions that match gold strictly */
	size_t bad;         /* predictions that do not */
};

/* A miss, a false hit, or a strict match whose canonical form or value
 * differs from the gold's. */
enum { EVAL_MISS = 0, EVAL_FALSE = 1, EVAL_CANON = 2, EVAL_VALUE = 3 };

/* One miss, false hit or disagreement, for --errors. */
struct eval_item {
	int kind;           /* EVAL_MISS ... EVAL_VALUE */
	int is_rel;         /* a relation rather than an entity */
	int near;           /* an entity that overlaps one of its type */
	char *type;         /* owned */
	char *doc_id;       /* owned */
	char *ann_id;       /* owned: the entity's or relation's id */
	size_t start, end;  /* span in the compared text (entities) */
	char *shown;        /* owned: context with [[ ]], or relation args */
	char *source;       /* owned, may be NULL */
	char *gold, *pred;  /* owned, EVAL_CANON and EVAL_VALUE: the two
			     * canonical forms or values as text */
	unsigned long line; /* the gold record's line: listings follow gold */
};

struct eval {
	struct eval_stats ent_all, rel_all;
	struct eval_stats *ents, *rels; /* per type, owned */
	size_t nents, nrels;
	struct eval_source *srcs;       /* owned */
	size_t nsrcs, capsrcs;
	json_t *src_index;              /* source -> index in srcs */
	struct eval_item *items;        /* owned, only with keep_items */
	size_t nitems, capitems;
	int keep_items;
	size_t docs;                    /* record pairs scored */
};

void eval_init(struct eval *ev, int keep_items);
void eval_release(struct eval *ev);

/*
 * Check a record for scoring: doc_check(), and for a gold record also that
 * no two entities of the same type overlap (the guidelines allow only a
 * LOC nested in an ORG, so that is an annotation error). Predictions may
 * hold such overlaps: intermediate stages emit nested candidates, and each
 * is scored. 0 or -1 with err naming the entities.
 */
int eval_check(struct doc *d, int gold, struct vnie_error *err);

/*
 * Score one pair of checked records; pred may be NULL (everything in gold
 * is missed). When the texts differ, both sides are mapped to the text
 * they share: gold's raw equal to pred's text, pred's raw equal to gold's
 * text, or both raws equal. If none holds, returns -1 with err and counts
 * nothing. The records stay the caller's.
 */
int eval_pair(struct eval *ev, struct doc *gold, struct doc *pred,
	      struct vnie_error *err);

/*
 * Sort the per-type rows by name and the sources worst first (most false
 * hits, then lowest precision, then name); call once before rendering.
 */
void eval_finish(struct eval *ev);

/* Precision, recall and F1 of a row, strict or overlap. */
double eval_precision(const struct eval_stats *s, int overlap);
double eval_recall(const struct eval_stats *s, int overlap);
double eval_f1(const struct eval_stats *s, int overlap);

/* The results as a JSON object (a new reference). */
json_t *eval_to_json(const struct eval *ev);

/* Append the readable tables (and, with items, the error listing). */
void eval_table(const struct eval *ev, int with_items, struct buf *out);

#endif
