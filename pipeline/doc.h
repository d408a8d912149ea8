/*
 * doc.h: the document record of DESIGN.md, held as a jansson object, with
 * the text's code-point index and helpers to add warnings, entities and
 * relations. The module parses and serialises records and writes error
 * records; it never prints and never exits.
 *
 * Offsets in records are code points into "text"; C code walks bytes, and
 * doc_byte()/doc_cp() translate.
 */
#ifndef VNIE_DOC_H
#define VNIE_DOC_H

#include <stddef.h>
#include <jansson.h>

#include "buf.h"
#include "utf8.h"
#include "vnie.h"

struct doc {
	json_t *root;         /* the record, owned */
	const char *text;     /* root["text"] bytes, borrowed from root */
	size_t len;           /* its length in bytes */
	unsigned long line;   /* input line number, for messages */
	struct utf8_idx idx;  /* code point <-> byte map, built on first use */
	int have_idx;
	long next_t, next_r;  /* next free entity/relation number, or -1 */
};

/* What doc_parse found. */
enum {
	DOC_RECORD = 0,      /* a document: d is filled */
	DOC_PASS = 1,        /* an error record: pass the line through as is */
	DOC_BAD = -1         /* not a record: err says why */
};

/*
 * Parse one input line. On DOC_RECORD the caller owns d and must
 * doc_release() it. Duplicate keys, non-objects, a missing or non-string
 * "text" (or "id" that is not a string) give DOC_BAD.
 */
int doc_parse(struct doc *d, const char *line, size_t n, unsigned long lineno,
	      struct vnie_error *err);

/* Make a new document record {"id": id, "text": text}. */
void doc_new(struct doc *d, const char *id, const char *text, size_t n);

void doc_release(struct doc *d);

/* Replace the text (for normalize). Invalidates the index. */
void doc_set_text(struct doc *d, const char *s, size_t n);

/* Length of the text in code points. */
size_t doc_ncp(struct doc *d);
/* Byte offset of code point cp; code point of byte b. */
size_t doc_byte(struct doc *d, size_t cp);
size_t doc_cp(struct doc *d, size_t b);

/* The record's id, or "" when it has none. */
const char *doc_id(const struct doc *d);

/* Append a message to the record's "warnings" array. */
void doc_warn(struct doc *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The record's "entities" (or "relations", "sentences") array, created
 * empty if absent when create is set; NULL if absent and !create.
 */
json_t *doc_array(struct doc *d, const char *key, int create);

/*
 * Add an entity [start, end) (code points) of the given type. Its "id" is
 * the next free T<n>, "text" is cut from the text; the caller may add
 * canonical, value and the like to the returned object (borrowed).
 */
json_t *doc_add_entity(struct doc *d, const char *type, size_t start,
		       size_t end, const char *source);

/* One more than the largest n of the ids "<c>n" in the array a (1 if none;
 * ids past 10^12 are not ours and are skipped). */
long doc_next_id(json_t *a, char c);

/* doc_next_id()'s step: next, or one more than n if the id s is "<c>n"
 * with n from next on (s may be NULL). */
long doc_id_next(const char *s, char c, long next);

/* Add a relation with an empty "args" object to fill; borrowed result. */
json_t *doc_add_relation(struct doc *d, const char *type, const char *source);

/*
 * Check that incoming "sentences", "entities" and "relations" are well
 * formed: right types, offsets inside the text, entity text equal to the
 * span, unique ids, relation arguments naming entities. 0 or -1 with err.
 */
int doc_check(struct doc *d, struct vnie_error *err);

/* Read [start, end] from a JSON pair or an entity; 0 ok, -1 not integers. */
int doc_span(json_t *pair_or_entity, size_t *start, size_t *end);

/*
 * A record read straight from its line, for a stage's quick path: one in
 * json_write()'s own form (jsonparse.h's canonical JSON), with a string
 * "text", a string "id" if any, and no "entities", "relations" or
 * "error". Such a line is what parsing and writing it would give, so a
 * stage that only adds keys may copy it and append them.
 */
struct doc_quick {
	const char *text;     /* the text: in the line, or in tmp */
	size_t len;
	struct buf tmp;       /* the text unescaped, when it had escapes */
	size_t *pairs;        /* "sentences" (code points, two a pair) */
	size_t npairs, cap_pairs;
	int has_sentences;    /* the record has "sentences" */
	int has_warnings;     /* the record has "warnings" */
};

#define DOC_QUICK_INIT { NULL, 0, BUF_INIT, NULL, 0, 0, 0, 0 }

/*
 * Read line[0..n) into q (reset first); 0, or -1 if the line is not such
 * a record or its sentences are not [start, end] pairs of integers
 * (their range is the caller's to check). doc_quick_release() frees q.
 */
int doc_quick_read(struct doc_quick *q, const char *line, size_t n);
void doc_quick_release(struct doc_quick *q);

/* Append the record as one compact JSON line (with '\n') to out. */
void doc_write(struct doc *d, struct buf *out);

/*
 * Append an error record in place of a bad input line:
 * {"error": {"stage", "line", "message"}, "input": "..."}; the input is
 * kept (made valid UTF-8) up to VNIE_ERROR_INPUT_MAX bytes.
 */
void doc_write_error(struct buf *out, const char *stage, unsigned long line,
		     const char *message, const char *input, size_t n);

/* Append a JSON value compactly, key order kept, UTF-8 unescaped. */
void json_write(json_t *v, struct buf *out);

/* Append s[0..n) as a quoted JSON string, escaped as json_write does. */
void json_write_string(const char *s, size_t n, struct buf *out);

#endif
