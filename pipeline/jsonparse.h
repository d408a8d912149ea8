/*
 * jsonparse.h: a fast path for reading one JSON object into jansson values.
 * It accepts only what it can read exactly as jansson would (valid UTF-8,
 * integers that fit, no reals, no duplicate keys, nesting within jansson's
 * limit) and gives up on anything else, so that the caller falls back to
 * json_loadb() for the same result or for jansson's own error message.
 */
#ifndef VNIE_JSONPARSE_H
#define VNIE_JSONPARSE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/*
 * Nonzero if a byte of the 8-byte word w is below 0x20, '"' or '\\': the
 * bytes that end a run of plain string content in JSON, read or written
 * (the "has a byte less than n" and "has a zero byte" tests of Bit
 * Twiddling Hacks, exact as yes/no answers).
 */
static inline int json_word_special(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

	return ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) |
		 ((b - ones) & ~b)) & high) != 0;
}

/* The object in s[0..n), a new reference; NULL when the fast path gives up. */
json_t *jsonparse_object(const char *s, size_t n);

/*
 * Canonical JSON: exactly the bytes json_write() would write for the value
 * jansson reads from them (no white space; strings escaped only as
 * json_write_string() does; integers of at most 18 digits, no "-0"; no
 * reals; no duplicate keys). A reader that copies canonical input as it
 * came writes what parsing and serialising would have. These scanners take
 * *p at the value's first byte, move it past the value and return 0, or
 * return -1 for anything else (the caller then goes the usual way).
 */

/* What a canonical string held: a backslash escape, an escaped NUL. */
#define JSONPARSE_ESC 1
#define JSONPARSE_NUL 2

/* A string; *flags gets JSONPARSE_ESC and JSONPARSE_NUL as found. */
int jsonparse_canon_string(const char **p, const char *end, unsigned *flags);

/* The same without checking that the bytes are valid UTF-8: for a string
 * the caller will find equal to valid text, or else not use. */
int jsonparse_canon_string_bytes(const char **p, const char *end,
				 unsigned *flags);

/* An integer, its value in *v. */
int jsonparse_canon_int(const char **p, const char *end, long long *v);

/* Any value, nested at most JSONPARSE_CANON_DEPTH deep, objects of at
 * most JSONPARSE_CANON_KEYS keys. */
int jsonparse_canon_value(const char **p, const char *end);

/*
 * Keys of an object told apart by comparing each with those before it
 * (one spelling per key: equal keys are equal bytes); an object with more
 * keys than this (none of ours) is not read as canonical.
 */
#define JSONPARSE_CANON_KEYS 32

struct jsonparse_keys {
	const char *k[JSONPARSE_CANON_KEYS]; /* the keys so far, quoted */
	size_t n[JSONPARSE_CANON_KEYS];
	size_t nk;
};

/* The next key of an object (a string without NUL, unlike the keys in ks,
 * which it joins; ks NULL: the caller tells keys apart) and the ':' after
 * it; the key, quotes included, in *key, *kn. Start with ks->nk = 0. */
int jsonparse_canon_key(const char **p, const char *end,
			struct jsonparse_keys *ks, const char **key,
			size_t *kn);

/* Add the key k[0..kn) to ks; -1 if it is there already or ks is full. */
int jsonparse_keys_add(struct jsonparse_keys *ks, const char *k, size_t n);

/* Is the key k[0..kn) (quotes included) the string literal lit? */
#define JSONPARSE_KEY_IS(k, kn, lit) \
	((kn) == sizeof(lit) - 1 && memcmp((k), (lit), (kn)) == 0)

/* An array of [a, b] pairs of integers >= 0 (sentences), appended to *v
 * (2 * *n numbers, room for *cap pairs, grown with xrealloc). */
int jsonparse_canon_pairs(const char **p, const char *end, size_t **v,
			  size_t *n, size_t *cap);

/* The content s[0..n) of a canonical string (between its quotes)
 * unescaped into out, which has room for n bytes; returns its length. */
size_t jsonparse_unescape(const char *s, size_t n, char *out);

/* The canonical string value at *q (moved past it): its content as
 * (*s, *n), unescaped into tmp when it holds escapes (*s then points into
 * tmp, NUL-terminated); *f gets jsonparse_canon_string()'s flags. 0, or -1
 * when the value is not a canonical string. */
/* After a member or element, at *q: 1, past the comma, when another
 * follows; 0, past the closing c ('}' or ']'), when the container ends;
 * -1 when neither comes next. */
int jsonparse_canon_next(const char **q, const char *end, char c);

struct buf;
int jsonparse_canon_text(const char **q, const char *end, struct buf *tmp,
			 const char **s, size_t *n, unsigned *f);

#endif
