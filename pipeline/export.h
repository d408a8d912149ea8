/*
 * export.h: records to the formats people load elsewhere: entities and
 * relations as JSON lines, TSV, CoNLL (BIO), brat standoff and an HTML
 * view. A record is first turned into a view (struct export_doc) whose
 * offsets point into the exported text: the record's "text", or with
 * --offsets raw its "raw" through "offsets". Each format appends to
 * caller's buffers; the module never prints, never writes files and never
 * exits (cmd_export.c does).
 */
#ifndef VNIE_EXPORT_H
#define VNIE_EXPORT_H

#include <stddef.h>
#include <jansson.h>

#include "buf.h"
#include "doc.h"
#include "utf8.h"
#include "vnie.h"

/*
 * Context of an entity in the "entities" format: its sentence when it is
 * at most EXPORT_SENTENCE_MAX_CP code points long, otherwise up to
 * EXPORT_WINDOW_CP code points each side within its line, so that a
 * record without sentences does not copy the whole text per entity.
 */
#define EXPORT_SENTENCE_MAX_CP 1000
#define EXPORT_WINDOW_CP 60

struct export_ent {
	json_t *obj;        /* the entity, borrowed from the record */
	const char *id;     /* borrowed */
	const char *type;   /* borrowed */
	size_t s, e;        /* span in the exported text (code points) */
	long sent;          /* index of the sentence holding start, or -1 */
};

struct export_doc {
	struct doc *d;          /* the record, borrowed */
	const char *id;         /* its id, borrowed */
	const char *text;       /* the exported text, borrowed */
	size_t len;             /* its length in bytes */
	struct utf8_idx idx;    /* over text */
	struct export_ent *ents; /* owned, in record order */
	size_t nents;
	size_t *sent;           /* sentence pairs, exported text, owned */
	size_t nsent;
	json_t *rels;           /* "relations", borrowed, may be NULL */
};

/*
 * Build the view of a checked record (doc_check passed). With raw set and
 * a "raw" field present, offsets are mapped to raw through "offsets";
 * -1 with err if those are malformed.
 */
int export_doc_load(struct export_doc *x, struct doc *d, int raw,
		    struct vnie_error *err);
void export_doc_release(struct export_doc *x);

/* Index of the entity with this id, or (size_t)-1. */
size_t export_ent_find(const struct export_doc *x, const char *id);

/* Byte offset in the exported text of code point cp. */
size_t export_byte(const struct export_doc *x, size_t cp);

/* One JSON line per entity / per relation. */
void export_entities(struct export_doc *x, struct buf *out);
void export_relations(struct export_doc *x, struct buf *out);

/* The TSV header line, and one line per entity. */
void export_tsv_header(struct buf *out);
void export_tsv(struct export_doc *x, struct buf *out);

/*
 * CoNLL: "# doc_id = ID", then per sentence one token per line,
 * TOKEN START END TAG [TAG2] separated by tabs, and a blank line. TAG2 (the
 * entities nested in others) is left out with no_nested. An entity that
 * fits in neither column is left out, with one line in warn saying so.
 */
void export_conll(struct export_doc *x, int no_nested, struct buf *out,
		  struct buf *warn);

/*
 * brat: the .txt and .ann contents of one document. Entity and relation
 * types met are added to types (an object: "entities" and "relations",
 * each an object used as a set) for annotation.conf. Relations that cannot
 * be made binary (one role) are left out with a line in warn.
 */
void export_brat(struct export_doc *x, struct buf *txt, struct buf *ann,
		 json_t *types, struct buf *warn);
/* annotation.conf for the types met. */
void export_brat_conf(json_t *types, struct buf *out);

/*
 * HTML: one page. export_html_doc() appends a document's section (n is
 * its number in the page, for anchors); export_html_error() a section for
 * an error record or a line that could not be read; export_html_page()
 * wraps the sections with the style, a legend of the types in types, and
 * the page's head.
 */
void export_html_doc(struct export_doc *x, size_t n, json_t *types,
		     struct buf *out);
void export_html_error(unsigned long line, const char *message,
		       const char *input, size_t n, struct buf *out);
void export_html_page(json_t *types, const struct buf *body, size_t ndocs,
		      size_t nerrors, struct buf *out);

/* Append s[0..n) HTML-escaped. */
void export_html_escape(struct buf *out, const char *s, size_t n);

#endif
