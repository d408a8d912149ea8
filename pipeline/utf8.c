/*
 * utf8.c: UTF-8 decoding, validation with replacement and the code-point to
 * byte map.
 *
 * The decoder is written here rather than taken from utf8proc or ICU because
 * read needs the byte offset of every replaced sequence (for its warnings)
 * and the maximal-subpart rule for how many bytes one U+FFFD stands for;
 * utf8proc_iterate reports neither, and ICU's u_strFromUTF8WithSub converts
 * to UTF-16 without saying where it substituted.
 */
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "vnie.h"

size_t utf8_decode(const unsigned char *s, size_t n, int32_t *cp)
{
	unsigned c = s[0];
	unsigned lo = 0x80, hi = 0xBF;
	size_t len, i;
	int32_t v;

	if (c < 0x80) {
		*cp = (int32_t)c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0; /* no overlongs */
		else if (c == 0xED)
			hi = 0x9F; /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F; /* nothing past U+10FFFF */
	} else {
		*cp = -1;
		return 1;
	}
	for (i = 1; i < len; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*cp = -1;
			return i;
		}
		v = (v << 6) | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return len;
}

int utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t w;
	unsigned c;

	while (p < e) {
		/* ASCII eight bytes at a time; in a word that is not all
		 * ASCII, straight to its first byte that is not (words are
		 * read little-endian on every machine this builds for, and
		 * the byte order only changes how far the skip goes) */
		if (e - p >= 8) {
			memcpy(&w, p, 8);
			if ((w & high) == 0) {
				p += 8;
				continue;
			}
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			p += __builtin_ctzll(w & high) >> 3;
#endif
		}
		c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		/* the forms utf8_decode() accepts: no overlongs, no
		 * surrogates, nothing past U+10FFFF, no truncation */
		if (c >= 0xC2 && c <= 0xDF) {
			if (e - p < 2 || (p[1] & 0xC0) != 0x80)
				return 0;
			p += 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			if (e - p < 3 || (p[1] & 0xC0) != 0x80 ||
			    (p[2] & 0xC0) != 0x80 ||
			    (c == 0xE0 && p[1] < 0xA0) ||
			    (c == 0xED && p[1] > 0x9F))
				return 0;
			p += 3;
		} else if (c >= 0xF0 && c <= 0xF4) {
			if (e - p < 4 || (p[1] & 0xC0) != 0x80 ||
			    (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80 ||
			    (c == 0xF0 && p[1] < 0x90) ||
			    (c == 0xF4 && p[1] > 0x8F))
				return 0;
			p += 4;
		} else {
			return 0;
		}
	}
	return 1;
}

size_t utf8_sanitize(const char *s, size_t n, struct buf *out,
		     void (*bad)(size_t off, void *arg), void *arg)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, nbad = 0, k;
	int32_t cp;

	buf_grow(out, n);
	while (i < n) {
		k = utf8_decode(p + i, n - i, &cp);
		if (cp >= 0) {
			i += k;
			continue;
		}
		buf_add(out, s + run, i - run);
		buf_add(out, "\xEF\xBF\xBD", 3);
		if (bad != NULL)
			bad(i, arg);
		nbad++;
		i += k;
		run = i;
	}
	buf_add(out, s + run, n - run);
	return nbad;
}

size_t utf8_count(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, cont = 0;

	for (i = 0; i < n; i++)
		cont += (p[i] & 0xC0) == 0x80;
	return n - cont;
}

void utf8_idx_init(struct utf8_idx *x, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, cp = 0, cap;

	x->s = s;
	x->n = n;
	cap = n / UTF8_IDX_STEP + 2;
	x->marks = xmalloc(cap * sizeof(*x->marks));
	x->nmarks = 0;
	while (i < n) {
		if (cp % UTF8_IDX_STEP == 0)
			x->marks[x->nmarks++] = i;
		i += utf8_len(p[i]);
		cp++;
	}
	if (cp % UTF8_IDX_STEP == 0)
		x->marks[x->nmarks++] = i > n ? n : i;
	x->ncp = cp;
}

void utf8_idx_release(struct utf8_idx *x)
{
	free(x->marks);
	x->marks = NULL;
	x->nmarks = 0;
}

size_t utf8_idx_byte(const struct utf8_idx *x, size_t cp)
{
	const unsigned char *p = (const unsigned char *)x->s;
	size_t k, b;

	if (cp >= x->ncp)
		return x->n;
	k = cp / UTF8_IDX_STEP;
	b = x->marks[k];
	for (cp -= k * UTF8_IDX_STEP; cp > 0; cp--)
		b += utf8_len(p[b]);
	return b;
}

size_t utf8_idx_cp(const struct utf8_idx *x, size_t b)
{
	const unsigned char *p = (const unsigned char *)x->s;
	size_t lo = 0, hi = x->nmarks, mid, i, cp;

	if (b >= x->n)
		return x->ncp;
	/* the last mark at or before b */
	while (hi - lo > 1) {
		mid = (lo + hi) / 2;
		if (x->marks[mid] <= b)
			lo = mid;
		else
			hi = mid;
	}
	cp = lo * UTF8_IDX_STEP;
	for (i = x->marks[lo]; i < b; i += utf8_len(p[i]))
		cp++;
	return cp;
}
