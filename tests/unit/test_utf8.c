/*
 * test_utf8.c: the UTF-8 module: decoding of every class of ill-formed
 * sequence with the maximal-subpart rule, replacement counts and offsets
 * in utf8_sanitize, and the code point <-> byte index checked exhaustively
 * against a plain walk on mixed texts (with NUL).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "t.h"
#include "utf8.h"

/* Decode s[0..n) once; return the length used, store cp. */
static size_t dec(const char *s, size_t n, int32_t *cp)
{
	return utf8_decode((const unsigned char *)s, n, cp);
}

struct dcase {
	const char *name;
	const char *s;
	size_t n;
	size_t len;   /* bytes used by the first decode */
	int32_t cp;   /* its code point, or -1 */
};

static const struct dcase dcases[] = {
	{ "ascii", "A", 1, 1, 0x41 },
	{ "nul", "\0", 1, 1, 0 },
	{ "2-byte min", "\xC2\x80", 2, 2, 0x80 },
	{ "2-byte max", "\xDF\xBF", 2, 2, 0x7FF },
	{ "3-byte min", "\xE0\xA0\x80", 3, 3, 0x800 },
	{ "vietnamese ệ", "\xE1\xBB\x87", 3, 3, 0x1EC7 },
	{ "last before surrogates", "\xED\x9F\xBF", 3, 3, 0xD7FF },
	{ "first after surrogates", "\xEE\x80\x80", 3, 3, 0xE000 },
	{ "U+FFFD", "\xEF\xBF\xBD", 3, 3, 0xFFFD },
	{ "4-byte min", "\xF0\x90\x80\x80", 4, 4, 0x10000 },
	{ "4-byte max U+10FFFF", "\xF4\x8F\xBF\xBF", 4, 4, 0x10FFFF },
	/* overlong forms: the lead alone is the maximal subpart */
	{ "overlong 2-byte C0 AF", "\xC0\xAF", 2, 1, -1 },
	{ "overlong 2-byte C1 BF", "\xC1\xBF", 2, 1, -1 },
	{ "overlong 3-byte E0 80 AF", "\xE0\x80\xAF", 3, 1, -1 },
	{ "overlong 3-byte E0 9F BF", "\xE0\x9F\xBF", 3, 1, -1 },
	{ "overlong 4-byte F0 80 80 AF", "\xF0\x80\x80\xAF", 4, 1, -1 },
	{ "overlong 4-byte F0 8F BF BF", "\xF0\x8F\xBF\xBF", 4, 1, -1 },
	/* encoded surrogates */
	{ "surrogate ED A0 80", "\xED\xA0\x80", 3, 1, -1 },
	{ "surrogate ED BF BF", "\xED\xBF\xBF", 3, 1, -1 },
	/* past U+10FFFF */
	{ "F4 90 80 80 > U+10FFFF", "\xF4\x90\x80\x80", 4, 1, -1 },
	{ "F5 lead", "\xF5\x80\x80\x80", 4, 1, -1 },
	{ "F8 lead", "\xF8\x88\x80\x80\x80", 5, 1, -1 },
	{ "FE byte", "\xFE", 1, 1, -1 },
	{ "FF byte", "\xFF", 1, 1, -1 },
	/* lone continuation bytes */
	{ "lone 80", "\x80", 1, 1, -1 },
	{ "lone BF", "\xBFx", 2, 1, -1 },
	/* truncated sequences: the valid prefix is one subpart */
	{ "truncated 2 at end", "\xC3", 1, 1, -1 },
	{ "truncated 3 at end (1)", "\xE1", 1, 1, -1 },
	{ "truncated 3 at end (2)", "\xE1\xBB", 2, 2, -1 },
	{ "truncated 4 at end (3)", "\xF0\x9F\x98", 3, 3, -1 },
	{ "truncated 3 mid-string", "\xE1\xBBx", 3, 2, -1 },
	{ "truncated 4 mid-string", "\xF0\x9F\x98 ", 4, 3, -1 },
	{ "truncated then lead", "\xE1\xBB\xE1\xBB\x87", 5, 2, -1 },
	{ "truncated E0 A0 then ascii", "\xE0\xA0" "a", 3, 2, -1 },
};

static void test_decode(void)
{
	char name[128];
	size_t i, len;
	int32_t cp;

	for (i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
		const struct dcase *c = &dcases[i];

		len = dec(c->s, c->n, &cp);
		snprintf(name, sizeof(name), "decode %s: length", c->name);
		CHECK(name, len == c->len);
		snprintf(name, sizeof(name), "decode %s: code point", c->name);
		CHECK(name, cp == c->cp);
		snprintf(name, sizeof(name), "valid %s", c->name);
		CHECK(name, utf8_valid(c->s, c->len) == (c->cp >= 0));
	}
}

/* Every 2-, 3- and 4-byte lead with every second byte: the decoder agrees
 * with the table of well-formed sequences (Unicode 15, table 3-7). */
static void test_decode_table(void)
{
	unsigned a, b;
	int bad = 0;
	unsigned char s[4];
	int32_t cp;
	size_t len;

	for (a = 0x80; a <= 0xFF; a++) {
		for (b = 0; b <= 0xFF; b++) {
			unsigned lo = 0x80, hi = 0xBF, want;

			if (a == 0xE0) lo = 0xA0;
			if (a == 0xED) hi = 0x9F;
			if (a == 0xF0) lo = 0x90;
			if (a == 0xF4) hi = 0x8F;
			s[0] = (unsigned char)a;
			s[1] = (unsigned char)b;
			s[2] = 0x80;
			s[3] = 0x80;
			len = utf8_decode(s, 4, &cp);
			if (a < 0xC2 || a > 0xF4)
				want = 1;
			else if (b < lo || b > hi)
				want = 1;
			else
				want = a < 0xE0 ? 2 : a < 0xF0 ? 3 : 4;
			if (len != want || (a >= 0xC2 && a <= 0xF4 && b >= lo &&
					    b <= hi) != (cp >= 0))
				bad++;
		}
	}
	CHECK("decode agrees with table 3-7 on all lead/second pairs",
	      bad == 0);
}

struct scase {
	const char *name;
	const char *in;
	size_t n;
	const char *out;
	size_t outn;  /* its length: SIZE_MAX for strlen(out) */
	size_t nbad;
	size_t offs[6];
};

#define R "\xEF\xBF\xBD"

static const struct scase scases[] = {
	{ "clean", "Hà Nội", 9, "Hà Nội", SIZE_MAX, 0, { 0 } },
	{ "nul kept", "a\0b", 3, "a\0b", 3, 0, { 0 } },
	/* Unicode's own example of maximal subparts (ch. 3, U+FFFD
	 * substitution): 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 */
	{ "unicode example", "a\xF1\x80\x80\xE1\x80\xC2" "b\x80" "c\x80\xBF"
	  "d", 13, "a" R R R "b" R "c" R R "d", SIZE_MAX, 6, { 1, 4, 6, 8, 10, 11 } },
	{ "overlong C0 AF is two", "\xC0\xAF", 2, R R, SIZE_MAX, 2, { 0, 1 } },
	{ "surrogate is three", "x\xED\xA0\x80y", 5, "x" R R R "y", SIZE_MAX, 3,
	  { 1, 2, 3 } },
	{ "truncated at end is one", "ok\xE1\xBB", 4, "ok" R, SIZE_MAX, 1, { 2 } },
	{ "F4 90 is four", "\xF4\x90\x80\x80", 4, R R R R, SIZE_MAX, 4, { 0, 1, 2, 3 } },
	{ "FF and FE", "\xFF\xFE", 2, R R, SIZE_MAX, 2, { 0, 1 } },
};

struct offs {
	size_t o[16];
	size_t n;
};

static void note(size_t off, void *arg)
{
	struct offs *o = arg;

	if (o->n < 16)
		o->o[o->n] = off;
	o->n++;
}

static void test_sanitize(void)
{
	char name[128];
	size_t i, k, nbad;

	for (i = 0; i < sizeof(scases) / sizeof(scases[0]); i++) {
		const struct scase *c = &scases[i];
		struct buf out = BUF_INIT;
		struct offs o = { { 0 }, 0 };
		int same = 1;

		nbad = utf8_sanitize(c->in, c->n, &out, note, &o);
		snprintf(name, sizeof(name), "sanitize %s: count", c->name);
		CHECK(name, nbad == c->nbad && o.n == c->nbad);
		snprintf(name, sizeof(name), "sanitize %s: output", c->name);
		CHECK(name, out.n == (c->outn == SIZE_MAX ? strlen(c->out)
							  : c->outn) &&
		      memcmp(out.p, c->out, out.n) == 0);
		for (k = 0; k < c->nbad && k < 6; k++)
			same &= o.o[k] == c->offs[k];
		snprintf(name, sizeof(name), "sanitize %s: offsets", c->name);
		CHECK(name, same);
		snprintf(name, sizeof(name), "sanitize %s: result valid",
			 c->name);
		CHECK(name, utf8_valid(out.p, out.n));
		buf_release(&out);
	}
	{
		struct buf out = BUF_INIT;

		CHECK("sanitize empty", utf8_sanitize("", 0, &out, NULL,
						      NULL) == 0 && out.n == 0);
		buf_release(&out);
	}
}

static void test_count(void)
{
	CHECK("count ascii", utf8_count("abc", 3) == 3);
	CHECK("count with nul", utf8_count("a\0b", 3) == 3);
	CHECK("count vietnamese", utf8_count("Nguyễn", 8) == 6);
	CHECK("count 4-byte", utf8_count("\xF0\x9F\x98\x80x", 5) == 2);
	CHECK("count empty", utf8_count("", 0) == 0);
}

/* utf8_idx against a plain walk, for every code point and every byte. */
static int idx_matches(const char *s, size_t n)
{
	struct utf8_idx x;
	size_t cpb[4096], i, cp = 0, b;
	int ok = 1;

	for (b = 0; b < n; b += utf8_len((unsigned char)s[b]))
		cpb[cp++] = b;
	cpb[cp] = n;
	utf8_idx_init(&x, s, n);
	ok &= x.ncp == cp;
	for (i = 0; i <= cp; i++) {
		ok &= utf8_idx_byte(&x, i) == cpb[i];
		ok &= utf8_idx_cp(&x, cpb[i]) == i;
	}
	ok &= utf8_idx_byte(&x, cp + 5) == n;
	ok &= utf8_idx_cp(&x, n + 5) == cp;
	utf8_idx_release(&x);
	return ok;
}

static void test_idx(void)
{
	static const char *pieces[] = {
		"a", "\0", "ệ", "Đ", "\xF0\x9F\x98\x80", " ", "ơ", "\xC2\xA0",
	};
	static const size_t plen[] = { 1, 1, 3, 2, 4, 1, 2, 2 };
	char s[3000];
	size_t n, len, k, i;
	unsigned seed = 1;
	int ok = 1;

	CHECK("idx empty text", idx_matches("", 0));
	CHECK("idx one nul", idx_matches("\0", 1));
	/* every length from 0 to 200 code points across the STEP marks,
	 * with pseudo-random mixes of 1- to 4-byte characters and NUL */
	for (len = 0; len <= 200; len++) {
		n = 0;
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			k = (seed >> 16) % 8;
			memcpy(s + n, pieces[k], plen[k]);
			n += plen[k];
		}
		ok &= idx_matches(s, n);
	}
	CHECK("idx byte<->cp exhaustive on 201 mixed texts", ok);
	/* all ASCII, exactly on and around the mark spacing */
	memset(s, 'x', sizeof(s));
	ok = 1;
	for (len = UTF8_IDX_STEP - 1; len <= 3 * UTF8_IDX_STEP + 1; len++)
		ok &= idx_matches(s, len);
	CHECK("idx ascii around mark boundaries", ok);
}

int main(void)
{
	test_decode();
	test_decode_table();
	test_sanitize();
	test_count();
	test_idx();
	T_DONE();
}
