/*
 * test_norm.c: the normalize module. Tone placement from a table of
 * Vietnamese syllables written the way the orthography places the mark
 * (every vowel cluster, open and closed, qu- and gi-, both styles), tried
 * with all five tones, with the mark first put on every other vowel, in
 * lower, upper and title case; words that are not Vietnamese syllables;
 * and the offset map checked at every offset of changed texts.
 *
 * Expected forms are built with ICU (base letters plus a combining mark,
 * composed to NFC), independently of norm.c's own letter tables.
 */
#include <stdint.h>
#include <stdlib.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "norm.h"
#include "stage.h"
#include "t.h"
#include "utf8.h"

/* ---- helpers ---------------------------------------------------------- */

#define MAXCP 4096

/* Decode UTF-8 to code points; returns the count. */
static size_t cps(const char *s, size_t n, int32_t *out)
{
	size_t i = 0, k = 0;

	while (i < n && k < MAXCP)
		i += utf8_decode((const unsigned char *)s + i, n - i, &out[k++]);
	return k;
}

static void put(struct buf *b, const int32_t *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_add_cp(b, (unsigned)c[i]);
}

/* NFC (mode 0), NFD (1), upper (2) or title (3) case of a string, via ICU. */
static void icu(const char *s, int mode, struct buf *out)
{
	UChar a[512], b[512];
	int32_t na, nb, no;
	UErrorCode st = U_ZERO_ERROR;

	u_strFromUTF8(a, 512, &na, s, -1, &st);
	if (mode == 0)
		nb = unorm2_normalize(unorm2_getNFCInstance(&st), a, na, b,
				      512, &st);
	else if (mode == 1)
		nb = unorm2_normalize(unorm2_getNFDInstance(&st), a, na, b,
				      512, &st);
	else if (mode == 2)
		nb = u_strToUpper(b, 512, a, na, "", &st);
	else {
		nb = na;
		u_memcpy(b, a, na);
		if (nb > 0)
			b[0] = (UChar)u_toupper(b[0]);
	}
	buf_reset(out);
	buf_grow(out, 2048);
	u_strToUTF8(out->p, 2048, &no, b, nb, &st);
	out->n = (size_t)no;
	out->p[no] = '\0';
	if (U_FAILURE(st)) {
		printf("not ok - icu: %s\n", u_errorName(st));
		exit(1);
	}
}

static const int32_t tone_marks[5] = { 0x300, 0x301, 0x309, 0x303, 0x323 };

static int is_base_vowel(int32_t c)
{
	static const char v[] = "aeiouy";
	int32_t l = u_tolower(c);

	/* letters whose NFD starts with a vowel: a, ă, â, ê, ơ, ư ... */
	if (l < 0x80)
		return l > 0 && strchr(v, (int)l) != NULL;
	return l == 0x103 || l == 0xE2 || l == 0xEA || l == 0xF4 ||
	       l == 0x1A1 || l == 0x1B0;
}

/*
 * The toneless syllable (as code points, NFC) of a word written with a
 * grave accent, and the index of the letter that carries it.
 */
static size_t strip_grave(const char *word, int32_t *out, int *pos)
{
	struct buf d = BUF_INIT, c = BUF_INIT;
	int32_t x[64];
	size_t n, i, k = 0;

	icu(word, 1, &d);
	n = cps(d.p, d.n, x);
	*pos = -1;
	for (i = 0; i < n; i++) {
		if (x[i] == 0x300) {
			/* the letter it belongs to: count base letters */
			*pos = -2;
			continue;
		}
		if (*pos == -2)
			*pos = (int)k - 1;
		if (u_getCombiningClass(x[i]) == 0)
			k++;
		buf_add_cp(&c, (unsigned)x[i]);
	}
	if (*pos == -2)
		*pos = (int)k - 1;
	icu(c.p, 0, &d);
	n = cps(d.p, d.n, out);
	buf_release(&d);
	buf_release(&c);
	return n;
}

/* The syllable with tone mark m on letter p (NFC). */
static void with_tone(const int32_t *syl, size_t n, int p, int32_t m,
		      struct buf *out)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		buf_add_cp(&b, (unsigned)syl[i]);
		if ((int)i == p)
			buf_add_cp(&b, (unsigned)m);
	}
	icu(b.p, 0, out);
	buf_release(&b);
}

/* ---- tone placement --------------------------------------------------- */

/*
 * Syllables with the mark where Vietnamese writes it: traditional style,
 * and the new style where it differs (only the open oa, oe, uy).
 */
static const struct { const char *old, *new_; } syllables[] = {
	/* single vowels */
	{ "à", NULL }, { "bà", NULL }, { "tằm", NULL }, { "cần", NULL },
	{ "mè", NULL }, { "về", NULL }, { "mì", NULL }, { "bò", NULL },
	{ "cồ", NULL }, { "mờ", NULL }, { "mù", NULL }, { "lừ", NULL },
	{ "kỳ", NULL }, { "ỳ", NULL },
	/* two vowels, open: on the first ... */
	{ "hài", NULL }, { "bào", NULL }, { "màu", NULL }, { "mày", NULL },
	{ "cầu", NULL }, { "dầy", NULL }, { "mèo", NULL }, { "kều", NULL },
	{ "kìa", NULL }, { "dìu", NULL }, { "còi", NULL }, { "tồi", NULL },
	{ "mời", NULL }, { "mùa", NULL }, { "vùi", NULL }, { "thừa", NULL },
	{ "ngừi", NULL }, { "cừu", NULL }, { "huề", NULL }, { "thuờ", NULL },
	/* ... except oa, oe, uy in the new style */
	{ "hòa", "hoà" }, { "khòe", "khoè" }, { "thùy", "thuỳ" },
	{ "ùy", "uỳ" }, { "òa", "oà" }, { "lòe", "loè" }, { "tùy", "tuỳ" },
	/* three vowels: on the middle one or the one with a diacritic */
	{ "ngoài", NULL }, { "xoày", NULL }, { "ngoào", NULL },
	{ "ngoèo", NULL }, { "khuầy", NULL }, { "cuồi", NULL },
	{ "người", NULL }, { "rườu", NULL }, { "khuỳa", NULL },
	{ "khuỳu", NULL }, { "tiều", NULL }, { "yều", NULL },
	/* closed syllables: on the last vowel or the one with a diacritic */
	{ "hoàn", NULL }, { "toàn", NULL }, { "hoàng", NULL },
	{ "xoằn", NULL }, { "khoèn", NULL }, { "huỳnh", NULL },
	{ "tuần", NULL }, { "huềnh", NULL }, { "buồn", NULL },
	{ "đường", NULL }, { "tiền", NULL }, { "yền", NULL },
	{ "chuyền", NULL }, { "xoòng", NULL }, { "huỳt", NULL },
	{ "nghiềng", NULL }, { "khuyềch", NULL }, { "oành", NULL },
	/* qu- and gi-: their u and i belong to the onset */
	{ "quà", NULL }, { "quỳ", NULL }, { "quyền", NULL }, { "quồc", NULL },
	{ "quầy", NULL }, { "quài", NULL }, { "quành", NULL }, { "quờ", NULL },
	{ "già", NULL }, { "giừa", NULL }, { "giường", NULL },
	{ "giềng", NULL }, { "gìn", NULL }, { "gì", NULL }, { "giòi", NULL },
	{ "giàu", NULL }, { "giày", NULL }, { "giồng", NULL },
};

/* Closed-syllable stems: every final consonant goes after them. */
static const char *const stems[] = {
	"tà", "tằ", "tầ", "tè", "tề", "tì", "tò", "tồ", "tờ", "tù", "từ",
	"tiề", "toà", "toằ", "toè", "tuầ", "tuề", "tuồ", "tườ", "tuỳ",
	"tuyề", "yề", "xoò", "quà", "quyề", "giề", "già", "gì",
};
static const char *const finals[] = {
	"c", "ch", "m", "n", "ng", "nh", "p", "t"
};

static int tone_cases, tone_bad;

/* Check one syllable with its expected carrier in one style. */
static void check_syllable(const int32_t *syl, size_t n, int want,
			   enum norm_style style, const char *label)
{
	struct buf in = BUF_INIT, exp = BUF_INIT, got = BUF_INIT;
	struct buf cin = BUF_INIT, cexp = BUF_INIT;
	int m, p, c;

	buf_reset(&in);
	put(&in, syl, n);
	if (norm_tone_position(in.p, in.n, style) != want) {
		printf("not ok - position of '%s' (%s): got %d, want %d\n",
		       in.p, label, norm_tone_position(in.p, in.n, style),
		       want);
		tone_bad++;
	}
	for (m = 0; m < 5; m++) {
		with_tone(syl, n, want, tone_marks[m], &exp);
		for (p = 0; p < (int)n; p++) {
			if (!is_base_vowel(syl[p]))
				continue;
			with_tone(syl, n, p, tone_marks[m], &in);
			for (c = 0; c < 3; c++) {
				/* lower, UPPER, Title */
				if (c == 0) {
					buf_reset(&cin);
					buf_add(&cin, in.p, in.n);
					buf_reset(&cexp);
					buf_add(&cexp, exp.p, exp.n);
				} else {
					icu(in.p, c + 1, &cin);
					icu(exp.p, c + 1, &cexp);
				}
				buf_reset(&got);
				norm_tone_text(cin.p, cin.n, style, &got);
				tone_cases++;
				if (got.n != cexp.n ||
				    memcmp(got.p, cexp.p, got.n) != 0) {
					printf("not ok - tone %s: '%s' gave "
					       "'%s', want '%s'\n", label,
					       cin.p, got.p, cexp.p);
					tone_bad++;
				}
			}
		}
	}
	buf_release(&in);
	buf_release(&exp);
	buf_release(&got);
	buf_release(&cin);
	buf_release(&cexp);
}

static void test_tone_table(void)
{
	int32_t syl[64];
	size_t i, f, n;
	int pos;
	char w[64];

	for (i = 0; i < sizeof(syllables) / sizeof(syllables[0]); i++) {
		n = strip_grave(syllables[i].old, syl, &pos);
		check_syllable(syl, n, pos, NORM_TONE_OLD, "old");
		if (syllables[i].new_ != NULL)
			n = strip_grave(syllables[i].new_, syl, &pos);
		check_syllable(syl, n, pos, NORM_TONE_NEW, "new");
	}
	for (i = 0; i < sizeof(stems) / sizeof(stems[0]); i++)
		for (f = 0; f < sizeof(finals) / sizeof(finals[0]); f++) {
			snprintf(w, sizeof(w), "%s%s", stems[i], finals[f]);
			n = strip_grave(w, syl, &pos);
			check_syllable(syl, n, pos, NORM_TONE_OLD, "closed");
			check_syllable(syl, n, pos, NORM_TONE_NEW, "closed");
		}
	printf("# %d tone cases\n", tone_cases);
	CHECK("tone placement table (all clusters, tones, styles, cases)",
	      tone_bad == 0 && tone_cases > 5000);
}

static void tone_is(const char *in, enum norm_style st, const char *want)
{
	struct buf got = BUF_INIT;
	char name[256];

	norm_tone_text(in, strlen(in), st, &got);
	snprintf(name, sizeof(name), "tone %s: %s", st ? "new" : "old", in);
	CHECK_STR(name, got.p ? got.p : "", got.n, want);
	buf_release(&got);
}

static void test_tone_cases(void)
{
	/* the two conventions */
	tone_is("hoà thuỷ Uỷ ban khoẻ", NORM_TONE_OLD, "hòa thủy Ủy ban khỏe");
	tone_is("hòa thủy Ủy ban khỏe", NORM_TONE_NEW, "hoà thuỷ Uỷ ban khoẻ");
	/* misplaced marks */
	tone_is("baỏ nghịêm lựơng đaị", NORM_TONE_OLD,
		"bảo nghiệm lượng đại");
	tone_is("ngừơi tòan qúy gìa", NORM_TONE_OLD, "người toàn quý già");
	/* case kept */
	tone_is("HOÀ Thuỷ ỦY HOÀN TOÀN", NORM_TONE_OLD,
		"HÒA Thủy ỦY HOÀN TOÀN");
	tone_is("HOÀ", NORM_TONE_NEW, "HOÀ");
	tone_is("ỦY", NORM_TONE_NEW, "UỶ");
	/* punctuation and digits around syllables */
	tone_is("(hoà), \"thuỷ\"; 12 hoà.", NORM_TONE_OLD,
		"(hòa), \"thủy\"; 12 hòa.");
	/* not Vietnamese syllables: unchanged */
	static const char *const keep[] = {
		"Taylor", "Salavan", "Champasak", "café", "José", "Pérez",
		"résumé", "Øresund", "naïve", "hoà3", "3hoà", "Ñoà",
		"http://hoà.vn/thuỷ", "www.thuỷ.vn", "thuỷ@hoà.vn",
		"hoàhoà", "ooà", "qoà", "fòa", "wòa", "zòa",
		"hoàx", "hoàng̀", "12.345", "COVID-19",
		"ĐÀO", "Ðórr", "aðà",
	};
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		tone_is(keep[i], NORM_TONE_OLD, keep[i]);
	/* syllables already right: unchanged (and reported unchanged) */
	struct buf b = BUF_INIT;
	const char *ok = "Liên đoàn Lao động tỉnh Lạng Sơn, Ủy ban, hòa";
	CHECK("tone: correct text reports 0 changes",
	      norm_tone_text(ok, strlen(ok), NORM_TONE_OLD, &b) == 0);
	buf_release(&b);
}

/* ---- the whole text --------------------------------------------------- */

struct wcount {
	int n;
	char last[512];
};

static void count_warn(void *arg, const char *msg)
{
	struct wcount *w = arg;

	w->n++;
	snprintf(w->last, sizeof(w->last), "%s", msg);
}

/* Normalise with o; "" means unchanged is expected. */
static void text_is(const struct norm_opts *o, const char *name,
		    const char *in, const char *want, int warnings)
{
	struct buf out = BUF_INIT;
	struct offmap m;
	struct wcount w = { 0, "" };
	char nm[256];
	int r;

	offmap_init(&m);
	r = norm_text(o, in, strlen(in), &out, &m, count_warn, &w);
	snprintf(nm, sizeof(nm), "text %s", name);
	if (*want == '\0')
		CHECK(nm, r == 0 && out.n == 0);
	else
		CHECK_STR(nm, out.p ? out.p : "", out.n, want);
	snprintf(nm, sizeof(nm), "text %s: %d warnings", name, warnings);
	CHECK(nm, w.n == warnings);
	if (w.n != warnings)
		printf("# last warning: %s\n", w.last);
	offmap_release(&m);
	buf_release(&out);
}

static void test_text(void)
{
	struct norm_opts o, off;

	norm_opts_init(&o);
	text_is(&o, "already normal", "Hòa bình, Ủy ban.\n\tĐà Nẵng", "", 0);
	text_is(&o, "spaces", "a\xC2\xA0" "b\xE2\x80\x83" "c\xE3\x80\x80" "d"
		"\xE2\x80\xAF" "e\xE1\x9A\x80" "f\xE2\x81\x9F" "g",
		"a b c d e f g", 0);
	text_is(&o, "zero width", "a\xE2\x80\x8B" "b\xE2\x80\x8C" "c"
		"\xE2\x80\x8D" "d\xE2\x81\xA0" "e\xEF\xBB\xBF" "f\xC2\xAD" "g",
		"abcdefg", 0);
	text_is(&o, "line ends", "a\r\nb\rc\n\td\r", "a\nb\nc\n\td\n", 0);
	text_is(&o, "decomposed", "Vie\xCC\x82\xCC\xA3t Nam hoa\xCC\x80",
		"Việt Nam hòa", 0);
	text_is(&o, "decomposed, marks out of order",
		"Vie\xCC\xA3\xCC\x82t", "Việt", 0);
	text_is(&o, "U+0340/U+0341", "ho\xCD\x80" "a a\xCD\x81",
		"hòa á", 0);
	text_is(&o, "soft hyphen inside a syllable", "Hoa\xC2\xAD\xCC\x80",
		"Hòa", 0);
	text_is(&o, "two tone marks", "hóà", "hóa", 1);
	text_is(&o, "tone mark on a toned letter", "ho\xCC\x81\xCC\x80",
		"hó", 1);
	text_is(&o, "eth", "\xC3\x90\xC3\xA0 N\xE1\xBA\xB5ng, "
		"\xC3\xB0i\xE1\xBB\x81u, L\xC3\x90L\xC3\x90, \xC3\x90/c",
		"Đà Nẵng, điều, LĐLĐ, Đ/c", 1);
	text_is(&o, "eth in Icelandic words", "\xC3\x90\xC3\xB3rr "
		"Gu\xC3\xB0r\xC3\xBAn", "", 0);

	off = o;
	off.nfc = off.tone = off.spaces = off.zero_width = off.newlines = 0;
	off.dstroke = 0;
	text_is(&off, "all off", "hoà\xC2\xA0thuỷ\r\nVie\xCC\x82t \xC3\x90\xC3\xA0",
		"", 0);
	off = o;
	off.nfc = 0;
	text_is(&off, "--no-nfc keeps combining marks",
		"Vie\xCC\x82\xCC\xA3t hoà", "Vie\xCC\x82\xCC\xA3t hòa", 0);
	off = o;
	off.tone = 0;
	text_is(&off, "--no-tone", "hoà \xC3\x90\xC3\xA0", "hoà Đà", 1);
	off = o;
	off.spaces = 0;
	text_is(&off, "--no-spaces", "a\xC2\xA0\xE2\x80\x8B" "b",
		"a\xC2\xA0" "b", 0);
	off = o;
	off.zero_width = 0;
	text_is(&off, "--no-zero-width", "a\xC2\xA0\xE2\x80\x8B" "b",
		"a \xE2\x80\x8B" "b", 0);
	off = o;
	off.newlines = 0;
	text_is(&off, "--no-newlines", "a\r\nb", "", 0);
	off = o;
	off.dstroke = 0;
	text_is(&off, "--no-dstroke", "\xC3\x90o\xC3\xA0n", "", 0);
	text_is(&off, "--no-dstroke still places tones", "\xC3\x90oàn \xC3\x90oà",
		"\xC3\x90oàn \xC3\x90òa", 0);
}

/* ---- offset maps, checked at every offset ------------------------------ */

static int is_plain(int32_t c)
{
	/* characters normalize never changes: ASCII other than vowels and
	 * CR, and LF and space, which may stand for a CR or another space */
	return c < 0x80 && c != '\r' && c != '\n' && c != ' ' &&
	       !is_base_vowel(c);
}

static int map_bad;

static void check_map(const char *name, const char *raw, size_t rn,
		      const char *text, size_t tn, const struct offmap *m)
{
	static int32_t r[MAXCP], t[MAXCP];
	size_t nr = cps(raw, rn, r), nt = cps(text, tn, t), i, prev = 0;
	struct vnie_error err;
	struct offmap back;
	json_t *j;
	int bad = 0;

	for (i = 0; i <= nt; i++) {
		size_t x = offmap_to_raw(m, i);

		if (x < prev || x > nr)
			bad = 1;
		if (i < nt && is_plain(t[i]) && (x >= nr || r[x] != t[i])) {
			if (!bad)
				printf("# text %zu U+%04X -> raw %zu\n", i,
				       (unsigned)t[i], x);
			bad = 1;
		}
		prev = x;
	}
	if (offmap_to_raw(m, nt) != nr)
		bad = 1;
	/* the JSON form reads back */
	j = offmap_to_json(m);
	if (offmap_from_json(&back, j, nt, nr, &err) < 0)
		bad = 1;
	else {
		for (i = 0; i <= nt; i++)
			if (offmap_to_raw(&back, i) != offmap_to_raw(m, i))
				bad = 1;
		offmap_release(&back);
	}
	json_decref(j);
	if (bad) {
		printf("not ok - map of %s: ", name);
		for (i = 0; i < rn; i++)
			printf((unsigned char)raw[i] < 0x20 ||
			       (unsigned char)raw[i] >= 0x7F ? "\\x%02X" : "%c",
			       (unsigned char)raw[i]);
		printf("\n");
		map_bad++;
	}
}

static const char *const pieces[] = {
	"a", "b", "t", " ", "\n", "\r", "\r\n", "\t", ".", "1",
	"\xC2\xA0", "\xE2\x80\x8B", "\xC2\xAD", "\xEF\xBB\xBF", "\xE2\x80\x83",
	"\xCC\x80", "\xCC\x81", "\xCC\xA3", "\xCC\x82", "\xCD\x81",
	"hoà", "thuỷ", "Uỷ", "baỏ", "nghịêm", "lựơng", "đaị", "hóà",
	"\xC3\x90\xC3\xA0", "L\xC3\x90", "Vie\xCC\x82\xCC\xA3t", "Taylor",
	"người", "ĐÀ", "http://x.vn/hoà",
};

static void test_maps(void)
{
	struct norm_opts o, o2;
	struct buf in = BUF_INIT, out = BUF_INIT, out2 = BUF_INIT;
	struct offmap m, m2, mc;
	unsigned seed = 12345;
	int i, k, len, idem_bad = 0, nfc_bad = 0;
	const size_t np = sizeof(pieces) / sizeof(pieces[0]);

	norm_opts_init(&o);
	o2 = o;
	o2.style = NORM_TONE_NEW;
	for (i = 0; i < 3000; i++) {
		buf_reset(&in);
		len = 1 + (int)(seed % 40);
		for (k = 0; k < len; k++) {
			seed = seed * 1103515245u + 12345u;
			buf_adds(&in, pieces[(seed >> 8) % np]);
		}
		seed = seed * 1103515245u + 12345u;
		buf_reset(&out);
		offmap_init(&m);
		if (!norm_text(&o, in.p, in.n, &out, &m, NULL, NULL)) {
			offmap_release(&m);
			continue;
		}
		check_map(in.p, in.p, in.n, out.p, out.n, &m);
		/* NFC */
		{
			UChar u[4096];
			int32_t un;
			UErrorCode st = U_ZERO_ERROR;

			u_strFromUTF8(u, 4096, &un, out.p, (int32_t)out.n, &st);
			if (!unorm2_isNormalized(unorm2_getNFCInstance(&st), u,
						 un, &st) || U_FAILURE(st))
				nfc_bad++;
		}
		/* idempotent */
		buf_reset(&out2);
		offmap_init(&m2);
		if (norm_text(&o, out.p, out.n, &out2, &m2, NULL, NULL)) {
			if (idem_bad++ < 3)
				printf("# not idempotent: '%s' -> '%s' -> '%s'\n",
				       in.p, out.p, out2.p);
		}
		offmap_release(&m2);
		/* a second run in the other style, composed with the first */
		buf_reset(&out2);
		offmap_init(&m2);
		if (norm_text(&o2, out.p, out.n, &out2, &m2, NULL, NULL)) {
			offmap_init(&mc);
			norm_compose(&m, &m2, utf8_count(out2.p, out2.n), &mc);
			check_map("composed", in.p, in.n, out2.p, out2.n, &mc);
			offmap_release(&mc);
		}
		offmap_release(&m2);
		offmap_release(&m);
	}
	CHECK("offset maps: monotone, inside raw, plain characters map to "
	      "themselves, at every offset of 3000 random texts", map_bad == 0);
	CHECK("output is NFC", nfc_bad == 0);
	CHECK("normalize is idempotent", idem_bad == 0);
	buf_release(&in);
	buf_release(&out);
	buf_release(&out2);
}

static void test_known_map(void)
{
	struct norm_opts o;
	struct buf out = BUF_INIT;
	struct offmap m;
	json_t *j;
	char *s;
	const char *in = "\xE2\x80\x8B" "a\r\nhoa\xCC\x80 b";

	norm_opts_init(&o);
	offmap_init(&m);
	norm_text(&o, in, strlen(in), &out, &m, NULL, NULL);
	CHECK_STR("known map: text", out.p, out.n, "a\nhòa b");
	j = offmap_to_json(&m);
	s = json_dumps(j, JSON_COMPACT);
	/* leading ZWSP dropped: text 0 is raw 1; CR: text 1 is raw 3;
	 * the composed à: text 5 is raw 8 */
	CHECK_STR("known map: offsets", s, strlen(s), "[[0,1],[1,3],[5,8]]");
	free(s);
	json_decref(j);
	offmap_release(&m);
	buf_release(&out);
}

/* ---- one scan or the passes one by one: the same ------------------------ */

/*
 * A text that passes 1 and 2 leave alone is normalised in one scan; one
 * they change goes through the three passes one by one. A trailing NBSP
 * (which pass 1 turns into a space, keeping every offset) sends the same
 * text the other way: text + NBSP must come out as text's result plus a
 * space, with the same map and the same warnings, for every option set.
 */
static const char *const scan_pieces[] = {
	"a", "b", "t", " ", "\n", "\t", ".", "1", "-", "/", "@", ":",
	"hoà", "thuỷ", "Uỷ", "baỏ", "nghịêm", "lựơng", "đaị", "hóà", "HÓÀ",
	"\xC3\x90\xC3\xA0", "L\xC3\x90", "\xC3\xB0i", "Taylor", "người",
	"ĐÀ", "http://x.vn/hoà", "www.", "khoẻ", "quý", "qủa", "gìa", "giữa",
	"\xE2\x80\x9C", "\xE2\x80\x93", "\xCE\xA9", "\xC3\xB1", "2\xC2\xB2",
	"\xE2\x82\xAC", "\xED\x95\x9C", "\xF0\x9F\x98\x80", "\xEF\xAC\x81",
};

static void test_one_scan(void)
{
	struct norm_opts o[6];
	struct buf in = BUF_INIT, in2 = BUF_INIT, out = BUF_INIT,
		   out2 = BUF_INIT, want = BUF_INIT;
	struct offmap m, m2;
	struct wcount w, w2;
	unsigned seed = 777;
	int i, k, len, v, bad = 0, changed = 0;
	const size_t np = sizeof(scan_pieces) / sizeof(scan_pieces[0]);

	for (v = 0; v < 6; v++)
		norm_opts_init(&o[v]);
	o[1].style = NORM_TONE_NEW;
	o[2].nfc = 0;
	o[3].tone = 0;
	o[4].dstroke = 0;
	o[5].tone = o[5].dstroke = 0;
	for (i = 0; i < 2000; i++) {
		buf_reset(&in);
		len = 1 + (int)(seed % 30);
		for (k = 0; k < len; k++) {
			seed = seed * 1103515245u + 12345u;
			buf_adds(&in, scan_pieces[(seed >> 8) % np]);
		}
		seed = seed * 1103515245u + 12345u;
		buf_reset(&in2);
		buf_add(&in2, in.p, in.n);
		buf_adds(&in2, "\xC2\xA0");
		for (v = 0; v < 6; v++) {
			int r, r2;

			buf_reset(&out);
			buf_reset(&out2);
			offmap_init(&m);
			offmap_init(&m2);
			w.n = w2.n = 0;
			r = norm_text(&o[v], in.p, in.n, &out, &m, count_warn, &w);
			r2 = norm_text(&o[v], in2.p, in2.n, &out2, &m2,
				       count_warn, &w2);
			changed += r;
			buf_reset(&want);
			if (r)
				buf_add(&want, out.p, out.n);
			else
				buf_add(&want, in.p, in.n);
			buf_addc(&want, ' ');
			if (r && m.n == 0)
				bad++;
			if (r2 != 1 || out2.n != want.n ||
			    memcmp(out2.p, want.p, want.n) != 0 ||
			    w.n != w2.n || m2.tlen != utf8_count(want.p, want.n) ||
			    (r && m2.n != m.n) || (!r && m2.n != 1) ||
			    (r && m.n && (memcmp(m.t, m2.t, m.n * sizeof(*m.t)) ||
				     memcmp(m.r, m2.r, m.n * sizeof(*m.r))))) {
				if (bad++ < 3)
					printf("# one scan and the passes differ "
					       "(options %d): '%s'\n", v, in.p);
			}
			offmap_release(&m);
			offmap_release(&m2);
		}
	}
	CHECK("one scan gives what the passes one by one give", bad == 0);
	CHECK("one scan: some texts changed", changed > 1000);
	buf_release(&in);
	buf_release(&in2);
	buf_release(&out);
	buf_release(&out2);
	buf_release(&want);
}

/* ---- the quick path gives what the full path gives -------------------- */

static const char *const lines[] = {
	"{\"id\":\"a\",\"text\":\"Hòa bình\"}",
	"{\"id\":\"a\",\"text\":\"hoà\"}",
	"{\"text\":\"x\\ny\\t\\\"z\\\" \\\\ \\/\",\"id\":\"b\"}",
	"{\"text\":\"x\\r\\ny\"}",
	"{\"text\":\"x\\u00a0y\"}",
	"{\"text\":\"x\\u0000y\"}",
	"{\"text\":\"a\",\"text\":\"b\"}",
	"{\"te\\u0078t\":\"a\",\"text\":\"b\"}",
	"{\"id\":[\"a\"],\"text\":\"b\"}",
	"{\"id\":5,\"text\":\"b\"}",
	"{\"text\":5}",
	"{\"text\":[\"a\"]}",
	"{\"id\":\"x\"}",
	"{}",
	"[]",
	"",
	"  {\"text\" : \"b\" , \"warnings\" : [ \"w1\" , \"w2\" ] }  ",
	"{\"text\":\"b\",\"warnings\":[]}",
	"{\"text\":\"b\",\"warnings\":[\"a\",]}",
	"{\"text\":\"b\",\"warnings\":[\"a\" ,  ]}",
	"{\"text\":\"b\",}",
	"{\"text\":\"b\"} x",
	"{\"text\":\"b\"",
	"{\"text\":\"b\x01\"}",
	"{\"text\":\"b\xC3\"}",
	"{\"text\":\"\xED\xA0\x80\"}",
	"{\"text\":\"b\\x\"}",
	"{\"text\":\"b\\",
	"{\"error\":{\"stage\":\"x\"},\"text\":\"a\"}",
	"{\"text\":\"a\",\"raw\":\"a\"}",
	"{\"text\":\"a\",\"sentences\":[]}",
	"{\"text\":\"a\",\"meta\":{\"k\":1}}",
	"{\"text\":\"Ðà\"}",
	"{\"text\":\"\"}",
	/* records that change */
	"{\"id\":\"c\",\"text\":\"ho\u00e0\"}",
	"{\"id\":\"c\",\"text\":\"hoà\\nthuỷ\\t\\\"x\\\\\"}",
	"{\"id\":\"c\",\"text\":\"hoà\\r\\n\\b\\f/\",\"w\":[\"a\"]}",
	"{\"id\":\"c\",\"text\":\"hoà \\/\"}",
	"{\"id\":\"c\",\"text\":\"hoà\",\"x\":\"a\\/b\"}",
	"{\"id\": \"c\",\"text\":\"hoà\"}",
	"{\"id\":\"c\",\"text\":\"hoà\" }",
	"{\"id\":\"c\",\"text\":\"hóà \xC3\x90\xC3\xA0\"}",
	"{\"text\":\"\xE2\x80\x8B\",\"warnings\":[\"read: x\"],\"id\":\"z\"}",
	"{\"text\":\"a\xC2\xA0" "b\\u0001\"}",
	/* ill-formed UTF-8 outside the text, in it after a change, and in
	 * a text that goes through the passes one by one */
	"{\"id\":\"\xC3\",\"text\":\"hoà\"}",
	"{\"\xE0\x80\xAF\":\"a\",\"text\":\"hoà\"}",
	"{\"text\":\"hoà\",\"warnings\":[\"a\",\"\xF4\x90\x80\x80\"]}",
	"{\"text\":\"hoà b\xC0\xAF\"}",
	"{\"text\":\"hoà\xC2\xA0" "b\xED\xA0\x80\"}",
	"{\"text\":\"Vie\xCC\x82\xCC\xA3t\\n\xFF\"}",
	"{\"text\":\"hoà\xE1\xBB\"}",
};

static void test_quick(void)
{
	struct norm_opts o;
	struct stage full, quick;
	struct buf a = BUF_INIT, b = BUF_INIT, c = BUF_INIT;
	size_t i;
	int bad = 0, taken = 0;
	FILE *saved = stderr;

	norm_opts_init(&o);
	stage_init(&full, "normalize", norm_stage, &o);
	stage_init(&quick, "normalize", norm_stage, &o);
	full.check_input = quick.check_input = 0;
	quick.quick = norm_quick;
	stderr = fopen("/dev/null", "w"); /* rejected lines are reported */
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		size_t n = strlen(lines[i]);
		int ra, rb;

		buf_reset(&a);
		buf_reset(&b);
		ra = stage_line(&full, 1, lines[i], n, 0, 1, &a);
		rb = stage_line(&quick, 1, lines[i], n, 0, 1, &b);
		buf_reset(&c);
		taken += norm_quick(&o, lines[i], n, &c);
		if (ra != rb || a.n != b.n || memcmp(a.p, b.p, a.n) != 0) {
			printf("# quick path differs on line %zu: %.*s / %.*s",
			       i, (int)a.n, a.p, (int)b.n, b.p);
			bad++;
		}
	}
	fclose(stderr);
	stderr = saved;
	CHECK("quick path: same output as the full path on every line",
	      bad == 0);
	CHECK("quick path taken on simple records", taken >= 10);
	printf("# quick path taken on %d of %zu lines\n", taken,
	       sizeof(lines) / sizeof(lines[0]));
	buf_release(&a);
	buf_release(&b);
	buf_release(&c);
}

int main(void)
{
	test_tone_table();
	test_tone_cases();
	test_text();
	test_known_map();
	test_maps();
	test_one_scan();
	test_quick();
	T_DONE();
}
