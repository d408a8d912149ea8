/*
 * norm.h: text normalisation for Vietnamese news (the `normalize` stage).
 *
 * Per text, in this order, each step optional:
 *   1. spaces: NBSP and other Unicode spaces to U+0020, zero-width
 *      characters and soft hyphens removed, CRLF and lone CR to LF;
 *   2. NFC, converting only the runs that fail a quick check;
 *   3. per letter run that parses as one Vietnamese syllable: the tone mark
 *      put on the vowel the orthographic rule names (traditional "hòa" or
 *      new "hoà" style), and a leading Ð/ð (U+00D0/U+00F0) read as Đ/đ.
 * Every change is recorded in an offset map from the new text to the
 * original (offmap.h), so annotations can point back into the raw text.
 *
 * The module neither prints nor exits; the options struct is read-only
 * while texts are normalised, so threads may share it.
 */
#ifndef VNIE_NORM_H
#define VNIE_NORM_H

#include <stddef.h>

#include "buf.h"
#include "doc.h"
#include "offmap.h"
#include "vnie.h"

/* Where a two-vowel open syllable (oa, oe, uy) takes its tone mark. */
enum norm_style {
	NORM_TONE_OLD = 0, /* traditional, the news genre's: hòa, khỏe, thủy */
	NORM_TONE_NEW = 1  /* hoà, khoẻ, thuỷ */
};

struct norm_opts {
	int nfc;               /* compose to NFC */
	int tone;              /* place tone marks by one rule per syllable */
	int spaces;            /* Unicode spaces to U+0020 */
	int zero_width;        /* drop zero-width characters, soft hyphens */
	int newlines;          /* CRLF and lone CR to LF */
	int dstroke;           /* Ð/ð read as Đ/đ in Vietnamese words */
	enum norm_style style; /* tone placement style */
	int max_warnings;      /* repair warnings per record before a summary */
};

/* Most warnings one record gets: a record full of broken marks would
 * otherwise carry one line per syllable; the rest are counted in one. */
#define NORM_MAX_WARNINGS_DEFAULT 5

/* All steps on, traditional tone style. */
void norm_opts_init(struct norm_opts *o);

/* Called for each repair worth telling the user (not for style changes). */
typedef void (*norm_warn_fn)(void *arg, const char *msg);

/*
 * Normalise s[0..n) (well-formed UTF-8) as the options say. Returns 0 if
 * nothing changes (out and map untouched), 1 if it does: then the new text
 * is appended to out and map (initialised by the caller) maps its code
 * point offsets to those of s. warn may be NULL.
 */
int norm_text(const struct norm_opts *o, const char *s, size_t n,
	      struct buf *out, struct offmap *map, norm_warn_fn warn,
	      void *warn_arg);

/*
 * Tone placement alone, on a whole string: every letter run that is a
 * Vietnamese syllable carrying a tone mark gets the mark on the vowel the
 * rule of style names; anything else is copied. Appends to out; returns
 * the number of syllables changed. For tests and for callers that only
 * want the orthographic rule.
 */
size_t norm_tone_text(const char *s, size_t n, enum norm_style style,
		      struct buf *out);

/*
 * The index (in letters, from 0) of the letter of one toneless syllable
 * s[0..n) (UTF-8, lower or upper case) that carries the tone mark, or -1
 * if s is not a Vietnamese syllable.
 */
int norm_tone_position(const char *s, size_t n, enum norm_style style);

/*
 * The offset map of applying inner (text -> mid) then outer (mid -> raw):
 * text -> raw, into out (initialised by the caller). tlen is the length
 * of text in code points.
 */
void norm_compose(const struct offmap *outer, const struct offmap *inner,
		  size_t tlen, struct offmap *out);

/*
 * The stage: ctx is a const struct norm_opts *. Replaces "text", adds
 * "raw" and "offsets" after it where anything changed (keeping an earlier
 * "raw" and composing the maps when run twice), and refuses records that
 * already carry sentences, entities or relations. Returns
 * STAGE_UNCHANGED (stage.h) when the text needs no change.
 */
int norm_stage(void *ctx, struct doc *d, struct vnie_error *err);

/*
 * The stage's quick path (struct stage's quick; ctx as for norm_stage):
 * for a simple record, appends the output line (without '\n') that the
 * full path would write and returns 1; otherwise returns 0.
 */
int norm_quick(void *ctx, const char *line, size_t n, struct buf *out);

#endif
