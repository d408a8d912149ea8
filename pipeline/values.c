/*
 * values.c: Vietnamese dates, numbers and periods to normalised values
 * (values.h). Plain string work over lower-cased copies: no regex, no
 * record. What a value cannot be read from gives -1 and the caller leaves
 * the field out rather than guess.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "utf8.h"
#include "values.h"

/* Longest run of digits read as one number: past this it is not a count
 * or a date but an id, and reading it would overflow. */
#define VALUES_MAX_DIGITS 15

/*
 * utf8proc's lower case of the code points below this, in a table made
 * once, as UTF-8: its bytes from the lowest, and its length in the top
 * byte. Latin, Vietnamese (U+1EA0..U+1EF9), Greek, Cyrillic; the two-
 * and three-byte forms of them are read here without a decoder and
 * written without an encoder.
 */
#define VALUES_LOWER_TAB 0x2000
static uint32_t lower_tab[VALUES_LOWER_TAB];
static pthread_once_t lower_once = PTHREAD_ONCE_INIT;

/* Code point cp (valid, below 0x10000) as UTF-8 packed as in lower_tab. */
static uint32_t pack_utf8(uint32_t cp)
{
	if (cp < 0x80)
		return 1u << 24 | cp;
	if (cp < 0x800)
		return 2u << 24 | (0x80 | (cp & 0x3F)) << 8 | (0xC0 | cp >> 6);
	return 3u << 24 | (0x80 | (cp & 0x3F)) << 16 |
	       (0x80 | ((cp >> 6) & 0x3F)) << 8 | (0xE0 | cp >> 12);
}

static void lower_init(void)
{
	for (int32_t c = 0; c < VALUES_LOWER_TAB; c++)
		lower_tab[c] = pack_utf8((uint32_t)utf8proc_tolower(c));
}

static inline int cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

/* v in decimal, zeros in front to width digits: what printf's "%0*lld"
 * writes of a value >= 0, without its cost (most of a value's). */
static void add_num(struct buf *out, unsigned long long v, size_t width)
{
	char d[24];
	size_t n = buf_fmt_uint(d, v);

	for (; width > n; width--)
		buf_addc(out, '0');
	buf_add(out, d, n);
}

void values_lower(const char *s, size_t n, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;
	int32_t cp;
	uint32_t e;
	char *o;

	pthread_once(&lower_once, lower_init);
	/* a lower case is at most half as long again (U+023A, two bytes,
	 * lower-cases to three), and a table's form is stored as 4 bytes:
	 * room for all of it once */
	buf_grow(out, n + n / 2 + 4);
	o = out->p + out->n;
	while (i < n) {
		unsigned char c = u[i];

		/* ASCII, most of the bytes even of Vietnamese text, needs no
		 * decoding: utf8proc lower-cases it as this does; the run
		 * of it in the next eight bytes at once, all eight written */
		if (c < 0x80) {
			const uint64_t hi = 0x8080808080808080u;
			uint64_t x, x7, up, high;
			size_t run;

			if (n - i < 8) {
				*o++ = (char)((unsigned)(c - 'A') < 26u ?
					      c + ('a' - 'A') : c);
				i++;
				continue;
			}
			memcpy(&x, u + i, 8);
			high = x & hi;
			x7 = x & ~hi;
			/* 'A'..'Z' in an ASCII byte: top bit of >= 'A' and
			 * not of >= '[' (no carries: each byte < 0x80) */
			up = (x7 + 0x3F3F3F3F3F3F3F3Fu) &
			     ~(x7 + 0x2525252525252525u) & ~x & hi;
			x |= up >> 2;
			memcpy(o, &x, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			run = high ? (size_t)__builtin_ctzll(high) / 8 : 8;
#else
			run = high ? (size_t)__builtin_clzll(high) / 8 : 8;
#endif
			o += run;
			i += run;
			continue;
		}
		/* well-formed two-byte forms, and E1 xx xx (U+1000..U+1FFF),
		 * as utf8_decode reads them */
		if (c >= 0xC2 && c < 0xE0 && i + 1 < n && cont(u[i + 1])) {
			e = lower_tab[((c & 0x1F) << 6) | (u[i + 1] & 0x3F)];
			i += 2;
		} else if (c == 0xE1 && i + 2 < n && cont(u[i + 1]) &&
			   cont(u[i + 2])) {
			e = lower_tab[0x1000 | ((u[i + 1] & 0x3F) << 6) |
				      (u[i + 2] & 0x3F)];
			i += 3;
		} else {
			k = utf8_decode(u + i, n - i, &cp);
			if (cp < 0) {
				memcpy(o, s + i, k);
				o += k;
				i += k;
				continue;
			}
			i += k;
			if (cp < VALUES_LOWER_TAB) {
				e = lower_tab[cp];
			} else {
				cp = utf8proc_tolower(cp);
				if (cp >= 0x10000) {
					*o++ = (char)(0xF0 | (cp >> 18));
					*o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
					*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
					*o++ = (char)(0x80 | (cp & 0x3F));
					continue;
				}
				e = pack_utf8((uint32_t)cp);
			}
		}
		/* the form's bytes, and its length byte after them, which
		 * the next write or the NUL covers */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		memcpy(o, &e, 4);
#else
		o[0] = (char)e;
		o[1] = (char)(e >> 8);
		o[2] = (char)(e >> 16);
#endif
		o += e >> 24;
	}
	out->n = (size_t)(o - out->p);
	out->p[out->n] = '\0';
}

void values_upperfirst(const char *s, size_t n, struct buf *out)
{
	int32_t cp;
	size_t k;

	if (n == 0)
		return;
	k = utf8_decode((const unsigned char *)s, n, &cp);
	if (cp < 0)
		buf_add(out, s, k);
	else
		buf_add_cp(out, (unsigned)utf8proc_toupper(cp));
	buf_add(out, s + k, n - k);
}

/* A token of a lower-cased string: a run of digits (with inner '.' and
 * ','), or a run of letters; everything else separates. */
struct tok {
	const char *p;
	size_t n;
	int num;   /* a digit run */
};

#define VALUES_MAX_TOKS 64 /* tokens looked at: mentions are short */

static int is_letter(int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);

	return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME;
}

static size_t tokenize(const char *s, size_t n, struct tok *t, size_t max)
{
	size_t i = 0, k, nt = 0, j;
	int32_t cp;

	while (i < n && nt < max) {
		unsigned char c = (unsigned char)s[i];

		if (c >= '0' && c <= '9') {
			j = i;
			while (j < n && ((s[j] >= '0' && s[j] <= '9') ||
					 ((s[j] == '.' || s[j] == ',') &&
					  j + 1 < n && s[j + 1] >= '0' &&
					  s[j + 1] <= '9')))
				j++;
			t[nt++] = (struct tok){ s + i, j - i, 1 };
			i = j;
			continue;
		}
		k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (cp >= 0 && is_letter(cp)) {
			j = i + k;
			while (j < n) {
				k = utf8_decode((const unsigned char *)s + j,
						n - j, &cp);
				if (cp < 0 || !is_letter(cp))
					break;
				j += k;
			}
			t[nt++] = (struct tok){ s + i, j - i, 0 };
			i = j;
			continue;
		}
		i += k;
	}
	return nt;
}

static int tok_is(const struct tok *t, const char *w)
{
	size_t n = strlen(w);

	return !t->num && t->n == n && memcmp(t->p, w, n) == 0;
}

/* The digits of t as a number when it is a plain digit run; -1 if not. */
static long plain_number(const struct tok *t)
{
	long v = 0;

	if (!t->num || t->n > 9)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		if (t->p[i] < '0' || t->p[i] > '9')
			return -1;
		v = v * 10 + (t->p[i] - '0');
	}
	return v;
}

static const char *const weekdays[] = {
	"hai", "ba", "tư", "năm", "sáu", "bảy", "2", "3", "4", "5", "6", "7",
	NULL
};

int values_date(const char *s, size_t n, struct buf *out)
{
	struct buf low = BUF_INIT;
	struct tok t[VALUES_MAX_TOKS];
	size_t nt, i = 0, k;
	long v[3] = { -1, -1, -1 }, x;
	int slot = -1, kw, rc = -1;
	size_t nnum = 0, first_len = 0, second_len = 0;

	values_lower(s, n, &low);
	nt = tokenize(low.p ? low.p : "", low.n, t, VALUES_MAX_TOKS);
	/* a leading weekday: "thứ năm", "thứ 5", "chủ nhật" */
	if (nt >= 2 && tok_is(&t[0], "thứ")) {
		for (k = 0; weekdays[k]; k++)
			if (t[1].n == strlen(weekdays[k]) &&
			    memcmp(t[1].p, weekdays[k], t[1].n) == 0)
				i = 2;
	} else if (nt >= 2 && tok_is(&t[0], "chủ") && tok_is(&t[1], "nhật")) {
		i = 2;
	}
	for (k = i; k < nt; k++)
		if (t[k].num) {
			nnum++;
			if (nnum == 1)
				first_len = t[k].n;
			else if (nnum == 2)
				second_len = t[k].n;
		}
	kw = -1;
	for (; i < nt; i++) {
		if (!t[i].num) {
			kw = tok_is(&t[i], "ngày") ? 0 :
			     tok_is(&t[i], "tháng") ? 1 :
			     tok_is(&t[i], "năm") ? 2 : -1;
			continue;
		}
		/* "06.11.2022" is one token: split it at its dots */
		if (memchr(t[i].p, '.', t[i].n) || memchr(t[i].p, ',', t[i].n)) {
			const char *p = t[i].p, *e = t[i].p + t[i].n;
			int sl = 0;

			if (slot >= 0 || kw > 0)
				goto out;
			while (p < e && sl < 3) {
				x = 0;
				k = 0;
				while (p < e && *p >= '0' && *p <= '9' && k < 5) {
					x = x * 10 + (*p++ - '0');
					k++;
				}
				v[sl++] = x;
				if (p < e)
					p++;
			}
			if (sl == 2 && v[1] >= 1000) {
				v[2] = v[1];
				v[1] = v[0];
				v[0] = -1;
			}
			slot = 3;
			kw = -1;
			continue;
		}
		x = plain_number(&t[i]);
		if (x < 0)
			goto out;
		if (kw >= 0)
			slot = kw;
		else if (slot < 0)
			slot = (nnum == 1 && first_len >= 3) ? 2 :
			       (nnum == 2 && second_len >= 3) ? 1 : 0;
		else
			slot++;
		if (slot > 2 || v[slot] >= 0)
			goto out;
		v[slot] = x;
		kw = -1;
	}
	if (v[0] < 0 && v[1] < 0 && v[2] < 0)
		goto out;
	if ((v[0] >= 0 && (v[0] < 1 || v[0] > 31)) ||
	    (v[1] >= 0 && (v[1] < 1 || v[1] > 12)) ||
	    (v[2] >= 0 && (v[2] < 1000 || v[2] > 2999)) ||
	    (v[0] >= 0 && v[1] < 0))
		goto out;
	if (v[2] >= 0)
		add_num(out, (unsigned long long)v[2], 4);
	else
		buf_adds(out, "XXXX");
	if (v[1] >= 0) {
		buf_addc(out, '-');
		add_num(out, (unsigned long long)v[1], 2);
	}
	if (v[0] >= 0) {
		buf_addc(out, '-');
		add_num(out, (unsigned long long)v[0], 2);
	}
	rc = 0;
out:
	buf_release(&low);
	return rc;
}

/* Number words and what they are worth (units; tens and scales apart). */
static const struct {
	const char *w;
	int v;
} digit_words[] = {
	{ "không", 0 }, { "một", 1 }, { "mốt", 1 }, { "hai", 2 }, { "ba", 3 },
	{ "bốn", 4 }, { "tư", 4 }, { "năm", 5 }, { "lăm", 5 }, { "nhăm", 5 },
	{ "sáu", 6 }, { "bảy", 7 }, { "bẩy", 7 }, { "tám", 8 }, { "chín", 9 },
	{ NULL, 0 }
};

static const struct {
	const char *w;
	double v;
} scale_words[] = {
	{ "nghìn", 1e3 }, { "ngàn", 1e3 }, { "triệu", 1e6 }, { "tỷ", 1e9 },
	{ "tỉ", 1e9 }, { NULL, 0 }
};

/* A digit token: '.' groups thousands, ',' is the decimal comma. */
static int digits_value(const struct tok *t, double *out)
{
	char tmp[64];
	size_t i, k = 0, ndig = 0;
	int comma = 0;

	for (i = 0; i < t->n && k + 1 < sizeof(tmp); i++) {
		char c = t->p[i];

		if (c >= '0' && c <= '9') {
			tmp[k++] = c;
			ndig++;
		} else if (c == ',' && !comma) {
			tmp[k++] = '.';
			comma = 1;
		} else if (c == '.') {
			/* a dot followed by other than exactly three digits
			 * is a decimal point ("1.5") */
			size_t j = i + 1;

			while (j < t->n && t->p[j] >= '0' && t->p[j] <= '9')
				j++;
			if (j - i - 1 != 3 && !comma) {
				tmp[k++] = '.';
				comma = 1;
			}
		}
	}
	if (ndig == 0 || ndig > VALUES_MAX_DIGITS)
		return -1;
	tmp[k] = '\0';
	*out = strtod(tmp, NULL);
	return 0;
}

int values_int(const char *s, size_t n, struct buf *out)
{
	struct buf low = BUF_INIT;
	struct tok t[VALUES_MAX_TOKS];
	size_t nt, i, k;
	double total = 0, h = 0, c = 0, x;
	int found = 0, rc = -1, matched;

	values_lower(s, n, &low);
	nt = tokenize(low.p ? low.p : "", low.n, t, VALUES_MAX_TOKS);
	for (i = 0; i < nt; i++) {
		matched = 0;
		if (t[i].num) {
			if (found && c != 0)
				break;
			if (digits_value(&t[i], &x) < 0)
				goto out;
			c = x;
			matched = 1;
		} else if (tok_is(&t[i], "mười")) {
			h += 10;
			matched = 1;
		} else if (tok_is(&t[i], "mươi")) {
			h += c * 10;
			c = 0;
			matched = 1;
		} else if (tok_is(&t[i], "trăm")) {
			h = (h + c) * 100;
			c = 0;
			matched = 1;
		} else if (found && (tok_is(&t[i], "linh") ||
				     tok_is(&t[i], "lẻ"))) {
			matched = 1;
		} else {
			for (k = 0; scale_words[k].w; k++)
				if (tok_is(&t[i], scale_words[k].w)) {
					if (!found)
						break;
					total += (h + c) * scale_words[k].v;
					h = c = 0;
					matched = 1;
					break;
				}
			for (k = 0; !matched && digit_words[k].w; k++)
				if (tok_is(&t[i], digit_words[k].w)) {
					h += c;
					c = digit_words[k].v;
					matched = 1;
				}
		}
		if (matched)
			found = 1;
		else if (found)
			break;
	}
	if (!found)
		goto out;
	x = total + h + c;
	if (x < 0 || x > 9.0e15)
		goto out;
	add_num(out, (unsigned long long)llround(x), 0);
	rc = 0;
out:
	buf_release(&low);
	return rc;
}

/* The first n four-digit years (1000-2999) of s; returns how many. */
static size_t years(const char *s, size_t n, long *y, size_t max)
{
	size_t i = 0, j, k = 0;

	while (i < n && k < max) {
		if (s[i] >= '0' && s[i] <= '9') {
			j = i;
			while (j < n && s[j] >= '0' && s[j] <= '9')
				j++;
			if (j - i == 4 && (s[i] == '1' || s[i] == '2'))
				y[k++] = strtol(s + i, NULL, 10);
			i = j;
		} else {
			i++;
		}
	}
	return k;
}

int values_period(const char *a, size_t an, const char *b, size_t bn,
		  struct buf *out)
{
	long y[2];
	size_t k = years(a, an, y, b ? 1 : 2);

	if (k == 0)
		return -1;
	if (b != NULL)
		k += years(b, bn, y + 1, 1);
	add_num(out, (unsigned long long)y[0], 0);
	if (k > 1) {
		buf_addc(out, '/');
		add_num(out, (unsigned long long)y[1], 0);
	}
	return 0;
}
