/*
 * sent.h: sentence boundaries for Vietnamese news text (the `split`
 * stage). ICU's sentence break iterator proposes boundaries; this module
 * corrects them for the genre: abbreviations from a data file (TP., TS.,
 * v.v. ...), numbers such as 6.943 and 06.11.2022, "…", list numbers,
 * lines without final punctuation (headlines, captions, bylines), blank
 * lines, and newlines inside a paragraph. It also cuts runaway sentences at
 * a length limit. It does not tokenise, and it never prints or exits.
 *
 * Sentences are written to the record as "sentences": [[start, end], ...]
 * in code points, end exclusive, in order; they cover every non-space
 * character of the text exactly once and never start or end with a space.
 */
#ifndef VNIE_SENT_H
#define VNIE_SENT_H

#include <stddef.h>

#include "doc.h"
#include "vnie.h"

/*
 * Default --max-length, in code points. The longest real sentences of the
 * genre are a few hundred characters; past 2000 the text is a table, a list
 * run together or scraped junk, and downstream regexes should not see it
 * as one sentence.
 */
#define SENT_MAX_LENGTH_DEFAULT 2000

/* Default abbreviation file, relative to the data directory. */
#define SENT_ABBREV_FILE "rules/abbreviations.txt"

struct sent_opts {
	int lines;               /* one sentence per non-blank line, no ICU */
	size_t max_length;       /* cut longer sentences (code points); 0: never */
	const char *abbrev_path; /* abbreviation file; NULL: the default one */
	const char *abbrev_data; /* or its contents (tests); used if non-NULL */
	size_t abbrev_len;       /* length of abbrev_data */
};

/* Options as `vnie split` has them by default. */
void sent_opts_init(struct sent_opts *o);

struct sent;

/*
 * Build a splitter: loads the abbreviation file and checks that ICU's
 * sentence rules are available. Returns NULL with err filled (a message of
 * the form "file:line:col: what" for a bad abbreviation file). The result
 * is read-only afterwards and may be shared by threads.
 */
struct sent *sent_new(const struct sent_opts *o, struct vnie_error *err);
void sent_free(struct sent *s);

/*
 * The stage: set d's "sentences" (replacing any there), and add a warning
 * when a sentence was cut at max_length. Safe to call from several threads
 * at once with the same ctx (a struct sent *): each thread keeps its own
 * ICU iterator. Returns 0, or -1 with err if ICU fails.
 */
int sent_stage(void *ctx, struct doc *d, struct vnie_error *err);

/*
 * The stage's quick path (struct stage's quick): a record in
 * json_write()'s own form without sentences or annotations is copied from
 * its line with "sentences" (and a warning) appended, byte-identical to
 * parsing it, sent_stage() and json_write(). 1 when it wrote the line to
 * out; 0, out left alone, for a record it leaves to the usual path.
 */
int sent_quick(void *ctx, const char *line, size_t n, struct buf *out);

/*
 * The same on bare text, for tests and other modules: the sentences of
 * s[0..n) (valid UTF-8) as byte offsets, pairs in *out (malloc'd, caller
 * frees), count in *nout; *ncut counts the cuts made at max_length.
 * Returns 0, or -1 with err.
 */
int sent_split(const struct sent *st, const char *s, size_t n, size_t **out,
	       size_t *nout, size_t *ncut, struct vnie_error *err);

/* Close the calling thread's ICU iterator (other threads close theirs
 * when they exit). */
void sent_thread_release(void);

#endif
