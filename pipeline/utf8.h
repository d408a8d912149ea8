/*
 * utf8.h: UTF-8 validation with replacement, and the map between code-point
 * offsets (what records use) and byte offsets (what the C code walks).
 * Text here is always (const char *s, size_t n) and may contain NUL.
 */
#ifndef VNIE_UTF8_H
#define VNIE_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * Decode one code point at s[0..n). Returns the number of bytes used (1..4)
 * and stores the code point in *cp; on an ill-formed sequence returns the
 * length of its maximal subpart (at least 1) and stores -1 (the Unicode
 * "substitution of maximal subparts" practice, as ICU and WHATWG do).
 */
size_t utf8_decode(const unsigned char *s, size_t n, int32_t *cp);

/* 1 if s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
int utf8_valid(const char *s, size_t n);

/*
 * Append s[0..n) to out with each ill-formed subsequence replaced by U+FFFD.
 * For each replacement, if bad != NULL, bad(byte offset in s, arg) is called.
 * Returns the number of replacements.
 */
size_t utf8_sanitize(const char *s, size_t n, struct buf *out,
		     void (*bad)(size_t off, void *arg), void *arg);

/* Number of code points in well-formed s[0..n). */
size_t utf8_count(const char *s, size_t n);

/* Byte length of the UTF-8 sequence that begins with lead byte c. */
static inline size_t utf8_len(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/*
 * A map from code-point offsets to byte offsets over one well-formed text,
 * with a checkpoint every UTF8_IDX_STEP code points, so it costs n/8 bytes of
 * memory at most and a lookup walks fewer than UTF8_IDX_STEP code points.
 * The text is borrowed: it must outlive the index and not change.
 */
#define UTF8_IDX_STEP 32

struct utf8_idx {
	const char *s;   /* the text, borrowed */
	size_t n;        /* its length in bytes */
	size_t ncp;      /* its length in code points */
	size_t *marks;   /* marks[k] = byte offset of code point k*STEP, owned */
	size_t nmarks;
};

void utf8_idx_init(struct utf8_idx *x, const char *s, size_t n);
void utf8_idx_release(struct utf8_idx *x);
/* Byte offset of code point cp (cp <= ncp). */
size_t utf8_idx_byte(const struct utf8_idx *x, size_t cp);
/* Code point offset of byte b (b <= n, on a character boundary). */
size_t utf8_idx_cp(const struct utf8_idx *x, size_t b);

#endif
