/*
 * norm.c: the normalisation passes of norm.h and the `normalize` stage.
 *
 * Each pass reads well-formed UTF-8 and either reports "no change" after a
 * scan that copies nothing (the common case: news text is mostly NFC with
 * plain spaces), or writes a new text and an offset map to its input. The
 * maps of several passes, and of an earlier run of normalize, are composed
 * so that "offsets" always points into the original "raw".
 *
 * Most texts need nothing from the first two passes (no CR, no special
 * spaces, already NFC), so norm_text() first tries one scan that does the
 * third pass and watches for anything the first two would change; only a
 * text where it finds something goes through the passes one by one. The
 * scan also checks the UTF-8, so the quick path of the stage need not.
 *
 * Tone placement works on letter runs. A run is rewritten only if it
 * carries a tone mark (or starts with Ð/ð), consists of letters of the
 * Vietnamese alphabet only, and parses as onset + vowel cluster + final
 * consonant with a vowel cluster and final that Vietnamese spelling allows;
 * anything else (Taylor, Salavan, URLs, numbers, words with other accents)
 * is copied as it is. The syllable keeps its letters and their case; only
 * the tone mark moves, so the pass keeps the length in code points except
 * where a second, combining tone mark is dropped.
 *
 * Not done here: case changes, spelling corrections beyond the tone mark
 * (i/y in "kỹ/kĩ" are different spellings, not misplaced marks), anything
 * that needs a dictionary.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "norm.h"
#include "stage.h"
#include "utf8.h"

/*
 * Longest letter run looked at as a syllable or an acronym, in code points.
 * The longest Vietnamese syllables have 7 letters (nghiêng, khuyếch); a
 * run may also hold a combining tone mark per letter. Longer runs are
 * copied unchanged.
 */
#define NORM_RUN_MAX 16

/* Longest all-capital run (LĐLĐ, ĐBQH) in which Ð is read as Đ. */
#define NORM_ACRONYM_MAX 8

/*
 * How far around a syllable to look, in bytes, for signs that it is part
 * of a URL or an e-mail address (which are never changed). Longer tokens
 * are judged on these bytes only.
 */
#define NORM_TOKEN_SCAN 512

/* UTF-16 units kept on the stack for one NFC chunk; longer ones (long
 * sequences of combining marks) are converted on the heap. */
#define NORM_CHUNK_STACK 256

/* ---- the Vietnamese alphabet ------------------------------------------ */

/* Letter codes: 1..26 are a..z, then the letters with diacritics. */
enum {
	L_AW = 27, /* ă */
	L_AA,      /* â */
	L_EE,      /* ê */
	L_OO,      /* ô */
	L_OW,      /* ơ */
	L_UW,      /* ư */
	L_DD,      /* đ */
	L_COUNT
};
#define L(c) ((c) - 'a' + 1)

/* Tones, in the order of the table below. */
enum { T_NONE, T_GRAVE, T_ACUTE, T_HOOK, T_TILDE, T_DOT, T_COUNT };

/* Vowels 1..12, the index into toned[]; 0 for consonants. */
static const uint8_t vowel_of[L_COUNT] = {
	[L('a')] = 1, [L_AW] = 2, [L_AA] = 3, [L('e')] = 4, [L_EE] = 5,
	[L('i')] = 6, [L('o')] = 7, [L_OO] = 8, [L_OW] = 9, [L('u')] = 10,
	[L_UW] = 11, [L('y')] = 12,
};
static const uint8_t letter_of_vowel[13] = {
	0, L('a'), L_AW, L_AA, L('e'), L_EE, L('i'), L('o'), L_OO, L_OW,
	L('u'), L_UW, L('y')
};
/* Vowels with a diacritic of their own: the tone goes on them. */
#define HAS_HAT(v) ((v) == 2 || (v) == 3 || (v) == 5 || (v) == 8 || \
		    (v) == 9 || (v) == 11)

/* Lower-case code point of each vowel with each tone. */
static const uint32_t toned[13][T_COUNT] = {
	{ 0, 0, 0, 0, 0, 0 },
	{ 0x61, 0xE0, 0xE1, 0x1EA3, 0xE3, 0x1EA1 },        /* a */
	{ 0x103, 0x1EB1, 0x1EAF, 0x1EB3, 0x1EB5, 0x1EB7 }, /* ă */
	{ 0xE2, 0x1EA7, 0x1EA5, 0x1EA9, 0x1EAB, 0x1EAD },  /* â */
	{ 0x65, 0xE8, 0xE9, 0x1EBB, 0x1EBD, 0x1EB9 },      /* e */
	{ 0xEA, 0x1EC1, 0x1EBF, 0x1EC3, 0x1EC5, 0x1EC7 },  /* ê */
	{ 0x69, 0xEC, 0xED, 0x1EC9, 0x129, 0x1ECB },       /* i */
	{ 0x6F, 0xF2, 0xF3, 0x1ECF, 0xF5, 0x1ECD },        /* o */
	{ 0xF4, 0x1ED3, 0x1ED1, 0x1ED5, 0x1ED7, 0x1ED9 },  /* ô */
	{ 0x1A1, 0x1EDD, 0x1EDB, 0x1EDF, 0x1EE1, 0x1EE3 }, /* ơ */
	{ 0x75, 0xF9, 0xFA, 0x1EE7, 0x169, 0x1EE5 },       /* u */
	{ 0x1B0, 0x1EEB, 0x1EE9, 0x1EED, 0x1EEF, 0x1EF1 }, /* ư */
	{ 0x79, 0x1EF3, 0xFD, 0x1EF7, 0x1EF9, 0x1EF5 },    /* y */
};

/* The upper-case partner of a lower-case letter of the tables above. */
static uint32_t upper_of(uint32_t c)
{
	if (c < 0x100)
		return c - 0x20; /* ASCII and Latin-1 */
	switch (c) {
	case 0x103: return 0x102;
	case 0x111: return 0x110;
	case 0x129: return 0x128;
	case 0x169: return 0x168;
	case 0x1A1: return 0x1A0;
	case 0x1B0: return 0x1AF;
	default: return c - 1; /* U+1EA0..U+1EF9 come in pairs */
	}
}

/* What one code point is as a letter; letter == 0: not in the alphabet. */
struct vlet {
	uint8_t letter; /* L_* code */
	uint8_t tone;   /* T_* */
	uint8_t flags;  /* F_* */
};
enum { F_UPPER = 1, F_ETH = 2 };

#define LAT_MAX 0x200           /* code points below: table lat */
#define EXT_LO 0x1EA0           /* Vietnamese block of Latin Ext. Add. */
#define EXT_HI 0x1EFA
static struct vlet lat[LAT_MAX];
static struct vlet ext[EXT_HI - EXT_LO];

/*
 * Vowel clusters (toneless, lower case) that Vietnamese spelling allows,
 * keyed by v1 + 16 v2 + 256 v3, with whether a final consonant must
 * follow, must not, or may.
 */
enum { C_BAD = 0, C_OPEN = 1, C_CLOSED = 2, C_ANY = 3 };
static uint8_t clusters[4096];

static const struct { const char *v; uint8_t fin; } cluster_list[] = {
	{ "a", C_ANY }, { "ă", C_CLOSED }, { "â", C_CLOSED }, { "e", C_ANY },
	{ "ê", C_ANY }, { "i", C_ANY }, { "o", C_ANY }, { "ô", C_ANY },
	{ "ơ", C_ANY }, { "u", C_ANY }, { "ư", C_ANY }, { "y", C_ANY },
	{ "ai", C_OPEN }, { "ao", C_OPEN }, { "au", C_OPEN }, { "ay", C_OPEN },
	{ "âu", C_OPEN }, { "ây", C_OPEN }, { "eo", C_OPEN }, { "êu", C_OPEN },
	{ "ia", C_OPEN }, { "iê", C_CLOSED }, { "iu", C_OPEN },
	{ "oa", C_ANY }, { "oă", C_CLOSED }, { "oe", C_ANY }, { "oi", C_OPEN },
	{ "oo", C_CLOSED }, { "ôi", C_OPEN }, { "ơi", C_OPEN },
	{ "ua", C_OPEN }, { "uâ", C_CLOSED }, { "uê", C_ANY }, { "ui", C_OPEN },
	{ "uô", C_CLOSED }, { "uơ", C_OPEN }, { "ươ", C_CLOSED },
	{ "ưa", C_OPEN }, { "ưi", C_OPEN }, { "ưu", C_OPEN }, { "uy", C_ANY },
	{ "yê", C_CLOSED },
	{ "iêu", C_OPEN }, { "yêu", C_OPEN }, { "oai", C_OPEN },
	{ "oay", C_OPEN }, { "oao", C_OPEN }, { "oeo", C_OPEN },
	{ "uây", C_OPEN }, { "uôi", C_OPEN }, { "ươi", C_OPEN },
	{ "ươu", C_OPEN }, { "uya", C_OPEN }, { "uyê", C_CLOSED },
	{ "uyu", C_OPEN },
};

/* ASCII bytes for the syllable scan. */
enum { A_ALNUM = 1, A_VOWEL = 2, A_DIGIT = 4, A_CR = 8 };
static uint8_t ascii_class[128];
static uint8_t ascii_letter[128]; /* L_* code of an ASCII letter, or 0 */

static const UNormalizer2 *nfc;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void set_letter(uint32_t c, uint8_t letter, uint8_t tone,
		       uint8_t flags)
{
	struct vlet v = { letter, tone, flags };

	if (c < LAT_MAX)
		lat[c] = v;
	else if (c >= EXT_LO && c < EXT_HI)
		ext[c - EXT_LO] = v;
	else
		VNIE_BUG("letter U+%04X outside the tables", (unsigned)c);
}

static void init_tables(void)
{
	UErrorCode st = U_ZERO_ERROR;
	size_t i, j;
	int v, t;

	for (i = 'a'; i <= 'z'; i++) {
		set_letter((uint32_t)i, (uint8_t)L(i), T_NONE, 0);
		set_letter((uint32_t)(i - 0x20), (uint8_t)L(i), T_NONE,
			   F_UPPER);
	}
	for (v = 1; v <= 12; v++)
		for (t = 0; t < T_COUNT; t++) {
			uint8_t l = letter_of_vowel[v];

			set_letter(toned[v][t], l, (uint8_t)t, 0);
			set_letter(upper_of(toned[v][t]), l, (uint8_t)t,
				   F_UPPER);
		}
	set_letter(0x111, L_DD, T_NONE, 0);
	set_letter(0x110, L_DD, T_NONE, F_UPPER);
	set_letter(0xF0, L_DD, T_NONE, F_ETH);
	set_letter(0xD0, L_DD, T_NONE, F_UPPER | F_ETH);
	for (i = 0; i < 128; i++) {
		if ((i | 0x20) >= 'a' && (i | 0x20) <= 'z') {
			ascii_class[i] = A_ALNUM;
			ascii_letter[i] = (uint8_t)L(i | 0x20);
		}
		if (i >= '0' && i <= '9')
			ascii_class[i] = A_ALNUM | A_DIGIT;
	}
	for (i = 0; i < 6; i++) {
		ascii_class[(unsigned char)"aeiouy"[i]] |= A_VOWEL;
		ascii_class[(unsigned char)"AEIOUY"[i]] |= A_VOWEL;
	}
	ascii_class['\r'] = A_CR;

	for (i = 0; i < sizeof(cluster_list) / sizeof(cluster_list[0]); i++) {
		const unsigned char *p = (const unsigned char *)cluster_list[i].v;
		size_t n = strlen(cluster_list[i].v), k = 0;
		unsigned key = 0, mult = 1;
		int32_t c;

		for (j = 0; j < n; j += k) {
			k = utf8_decode(p + j, n - j, &c);
			key += mult * vowel_of[lat[c].letter];
			mult *= 16;
		}
		clusters[key] = cluster_list[i].fin;
	}
	nfc = unorm2_getNFCInstance(&st);
	if (U_FAILURE(st))
		VNIE_BUG("ICU has no NFC normaliser: %s", u_errorName(st));
}

static void tables(void)
{
	pthread_once(&tables_once, init_tables);
}

static inline const struct vlet *vlet_get(int32_t c)
{
	static const struct vlet none = { 0, 0, 0 };

	if (c >= 0 && c < LAT_MAX)
		return &lat[c];
	if (c >= EXT_LO && c < EXT_HI)
		return &ext[c - EXT_LO];
	return &none;
}

/* Decode one code point of well-formed UTF-8. */
static inline size_t dec(const unsigned char *p, size_t n, int32_t *c)
{
	/* the input is well-formed (jansson checked it), so the lead byte
	 * gives the length; utf8_decode() guards against the rest */
	if (p[0] < 0x80) {
		*c = p[0];
		return 1;
	}
	if (p[0] < 0xE0 && n >= 2) {
		*c = ((p[0] & 0x1F) << 6) | (p[1] & 0x3F);
		return 2;
	}
	if (p[0] < 0xF0 && n >= 3) {
		*c = ((p[0] & 0x0F) << 12) | ((p[1] & 0x3F) << 6) |
		     (p[2] & 0x3F);
		return 3;
	}
	return utf8_decode(p, n, c);
}

/* ---- offset maps ------------------------------------------------------- */

/* Builds the map of one pass while its output is written. */
struct mapper {
	struct offmap *m; /* the map, or NULL when none is wanted */
	size_t t, r;      /* code points written and read so far */
	size_t lt, lr;    /* the last breakpoint */
};

static void map_start(struct mapper *mp, struct offmap *m)
{
	mp->m = m;
	mp->t = mp->r = mp->lt = mp->lr = 0;
	if (m != NULL)
		offmap_add(m, 0, 0);
}

static void map_keep(struct mapper *mp, size_t n)
{
	mp->t += n;
	mp->r += n;
}

/* rn code points of input became tn code points of output. */
static void map_replace(struct mapper *mp, size_t rn, size_t tn)
{
	if (rn == tn) {
		map_keep(mp, rn);
		return;
	}
	if (mp->m != NULL && mp->lr + (mp->t - mp->lt) != mp->r)
		offmap_add(mp->m, mp->t, mp->r);
	mp->t += tn;
	mp->r += rn;
	if (mp->m != NULL)
		offmap_add(mp->m, mp->t, mp->r);
	mp->lt = mp->t;
	mp->lr = mp->r;
}

static void map_finish(struct mapper *mp)
{
	if (mp->m != NULL) {
		mp->m->tlen = mp->t;
		mp->m->rlen = mp->r;
	}
}

/*
 * offmap_to_raw() for offsets that never decrease from one call to the
 * next: *k is the breakpoint cursor, 0 at first.
 */
static size_t walk_raw(const struct offmap *m, size_t *k, size_t t)
{
	size_t r;

	if (m->n == 0 || t < m->t[0])
		return t;
	while (*k + 1 < m->n && m->t[*k + 1] <= t)
		(*k)++;
	r = m->r[*k] + (t - m->t[*k]);
	if (*k + 1 < m->n && r > m->r[*k + 1])
		r = m->r[*k + 1];
	if (r > m->rlen && m->rlen > 0)
		r = m->rlen;
	return r;
}

void norm_compose(const struct offmap *outer, const struct offmap *inner,
		  size_t tlen, struct offmap *out)
{
	size_t t, f, prev = 0, ki = 0, ko = 0;

	for (t = 0; t <= tlen; t++) {
		f = walk_raw(outer, &ko, walk_raw(inner, &ki, t));
		if (t == 0 || f != prev + 1)
			offmap_add(out, t, f);
		prev = f;
	}
	out->tlen = tlen;
	out->rlen = outer->n ? outer->rlen : inner->rlen;
	if (out->rlen < prev)
		out->rlen = prev;
}

/*
 * Output of one pass: text copied from the input lazily, so that a pass
 * that changes nothing copies nothing. Code points are counted only where
 * a change alters the length (a change that keeps it keeps the map too).
 */
struct writer {
	const char *s;     /* the input */
	size_t copied;     /* input bytes [0, copied) are written */
	size_t synced;     /* input bytes [0, synced) are counted in mp */
	struct buf *out;
	struct mapper mp;
	int changed;
};

static void w_init(struct writer *w, const char *s, struct buf *out,
		   struct offmap *map)
{
	w->s = s;
	w->copied = w->synced = 0;
	w->out = out;
	w->changed = 0;
	map_start(&w->mp, map);
}

/* Copy the input up to byte i unchanged. */
static void w_flush(struct writer *w, size_t i)
{
	if (i > w->copied) {
		buf_add(w->out, w->s + w->copied, i - w->copied);
		w->copied = i;
	}
}

/* Count the code points up to input byte i, all kept or replaced by as
 * many: the map moves one for one. */
static void w_sync(struct writer *w, size_t i)
{
	if (i > w->synced) {
		map_keep(&w->mp, utf8_count(w->s + w->synced, i - w->synced));
		w->synced = i;
	}
}

/* Input bytes [i, j) (rn code points) become p[0..pn) (tn code points). */
static void w_replace(struct writer *w, size_t i, size_t j, size_t rn,
		      const char *p, size_t pn, size_t tn)
{
	w_flush(w, i);
	buf_add(w->out, p, pn);
	if (rn != tn) {
		w_sync(w, i);
		map_replace(&w->mp, rn, tn);
		w->synced = j;
	}
	w->copied = j;
	w->changed = 1;
}

static int w_finish(struct writer *w, size_t n)
{
	if (!w->changed)
		return 0;
	w_flush(w, n);
	w_sync(w, n);
	map_finish(&w->mp);
	return 1;
}

/* ---- pass 1: spaces, zero-width characters, line ends ------------------ */

/* Lead bytes of the characters pass 1 may change: \r and the UTF-8 leads
 * of U+00A0/U+00AD, U+1680, U+2000-U+2060, U+3000, U+FEFF. */
static const unsigned char space_lead[256] = {
	['\r'] = 1, [0xC2] = 1, [0xE1] = 1, [0xE2] = 1, [0xE3] = 1, [0xEF] = 1,
};

static int is_space_cp(int32_t c)
{
	return c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
	       c == 0x202F || c == 0x205F || c == 0x3000;
}

static int is_zero_width(int32_t c)
{
	return c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 ||
	       c == 0xFEFF || c == 0xAD;
}

static int pass_spaces(const struct norm_opts *o, const char *s, size_t n,
		       struct buf *out, struct offmap *map)
{
	const unsigned char *p = (const unsigned char *)s;
	struct writer w;
	size_t i = 0, k;
	int32_t c;

	w_init(&w, s, out, map);
	while (i < n) {
		if (!space_lead[p[i]]) {
			i += utf8_len(p[i]);
			continue;
		}
		if (p[i] == '\r') {
			if (o->newlines) {
				if (i + 1 < n && p[i + 1] == '\n')
					w_replace(&w, i, i + 1, 1, "", 0, 0);
				else
					w_replace(&w, i, i + 1, 1, "\n", 1, 1);
			}
			i++;
			continue;
		}
		/* the common leads (E1 for U+1Exx letters) rarely matter */
		if ((p[i] == 0xC2 && i + 1 < n && p[i + 1] != 0xA0 &&
		     p[i + 1] != 0xAD) ||
		    (p[i] == 0xE1 && i + 1 < n && p[i + 1] != 0x9A)) {
			i += utf8_len(p[i]);
			continue;
		}
		k = dec(p + i, n - i, &c);
		if (o->spaces && is_space_cp(c))
			w_replace(&w, i, i + k, 1, " ", 1, 1);
		else if (o->zero_width && is_zero_width(c))
			w_replace(&w, i, i + k, 1, "", 0, 0);
		i += k;
	}
	return w_finish(&w, n);
}

/* ---- pass 2: NFC --------------------------------------------------------- */

/* Code points that are NFC-stable starters without asking ICU: everything
 * below the combining diacritics, and the Latin Extended Additional block
 * that holds the precomposed Vietnamese vowels. */
static inline int cheap_starter(int32_t c)
{
	return c < 0x300 || (c >= 0x1E00 && c <= 0x1EFF);
}

static inline int boundary_before(int32_t c)
{
	return cheap_starter(c) || unorm2_hasBoundaryBefore(nfc, c);
}

/*
 * NFC of the chunk s[0..n) (which starts at a normalisation boundary and
 * ends before one) appended to out. Returns -1 if ICU fails.
 */
static int nfc_chunk(const char *s, size_t n, struct buf *out)
{
	UChar sbuf[NORM_CHUNK_STACK], dbuf[NORM_CHUNK_STACK * 3];
	UChar *src = sbuf, *dst = dbuf;
	int32_t slen = 0, dlen = 0, olen = 0;
	size_t cap = n + 1; /* UTF-16 units never outnumber UTF-8 bytes */
	UErrorCode st = U_ZERO_ERROR;
	int rc = -1;

	if (n > INT32_MAX / 4)
		return -1;
	if (cap > NORM_CHUNK_STACK) {
		src = xmalloc(cap * sizeof(UChar));
		dst = xmalloc(3 * cap * sizeof(UChar)); /* NFC grows <= 3x */
	}
	u_strFromUTF8(src, (int32_t)cap, &slen, s, (int32_t)n, &st);
	if (U_FAILURE(st))
		goto out;
	dlen = unorm2_normalize(nfc, src, slen, dst, (int32_t)(3 * cap), &st);
	if (U_FAILURE(st))
		goto out;
	u_strToUTF8(NULL, 0, &olen, dst, dlen, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		goto out;
	st = U_ZERO_ERROR;
	buf_grow(out, (size_t)olen + 1);
	u_strToUTF8(out->p + out->n, olen + 1, NULL, dst, dlen, &st);
	if (U_FAILURE(st))
		goto out;
	out->n += (size_t)olen;
	out->p[out->n] = '\0';
	rc = 0;
out:
	if (src != sbuf) {
		free(src);
		free(dst);
	}
	return rc;
}

static int pass_nfc(const char *s, size_t n, struct buf *out,
		    struct offmap *map, struct buf *tmp)
{
	const unsigned char *p = (const unsigned char *)s;
	struct writer w;
	size_t i = 0, k, bnd = 0, j;
	int32_t c;
	int last_ccc = 0, ccc;

	w_init(&w, s, out, map);
	while (i < n) {
		if (p[i] < 0x80) {
			bnd = i++;
			last_ccc = 0;
			continue;
		}
		/* C2..CB: below U+0300; E1 B8..BB: U+1E00..U+1EFF */
		if (p[i] < 0xCC || (p[i] == 0xE1 && i + 1 < n &&
				    p[i + 1] >= 0xB8 && p[i + 1] <= 0xBB)) {
			bnd = i;
			i += utf8_len(p[i]);
			last_ccc = 0;
			continue;
		}
		k = dec(p + i, n - i, &c);
		if (cheap_starter(c)) {
			bnd = i;
			i += k;
			last_ccc = 0;
			continue;
		}
		ccc = u_getCombiningClass(c);
		if (u_getIntPropertyValue(c, UCHAR_NFC_QUICK_CHECK) == UNORM_YES
		    && (ccc == 0 || ccc >= last_ccc)) {
			if (unorm2_hasBoundaryBefore(nfc, c))
				bnd = i;
			last_ccc = ccc;
			i += k;
			continue;
		}
		/* the chunk from the last boundary to the next one */
		j = i + k;
		while (j < n) {
			int32_t c2;
			size_t k2 = dec(p + j, n - j, &c2);

			if (boundary_before(c2))
				break;
			j += k2;
		}
		buf_reset(tmp);
		if (nfc_chunk(s + bnd, j - bnd, tmp) == 0 &&
		    (tmp->n != j - bnd || memcmp(tmp->p, s + bnd, tmp->n) != 0))
			w_replace(&w, bnd, j, utf8_count(s + bnd, j - bnd),
				  tmp->p, tmp->n, utf8_count(tmp->p, tmp->n));
		i = bnd = j;
		last_ccc = 0;
	}
	return w_finish(&w, n);
}

/* ---- pass 3: tone marks and Đ ----------------------------------------- */

/*
 * Where the tone of a syllable of n letters (L_* codes, toneless) goes,
 * as a letter index, or -1 if it is not a Vietnamese syllable.
 */
static int syl_place(const uint8_t *l, int n, enum norm_style style)
{
	int i = 0, nv, k, fin;
	unsigned key = 0, mult = 1;
	const uint8_t *f;

	/* onset */
	if (n > 0 && vowel_of[l[0]] == 0) {
		uint8_t a = l[0], b = n > 1 ? l[1] : 0;

		if (a == L('n') && b == L('g'))
			i = (n > 2 && l[2] == L('h')) ? 3 : 2;
		else if ((b == L('h') && (a == L('c') || a == L('g') ||
					   a == L('k') || a == L('n') ||
					   a == L('p') || a == L('t'))) ||
			 (a == L('t') && b == L('r')))
			i = 2;
		else if (a == L('q'))
			/* qu-: the u is part of the onset */
			i = (b == L('u') && n > 2 && vowel_of[l[2]]) ? 2 : -1;
		else if (a == L('g') && b == L('i') && n > 2 && vowel_of[l[2]])
			i = 2; /* gi- before a vowel: già, giữa, giếng */
		else if (a == L('f') || a == L('j') || a == L('w') ||
			 a == L('z'))
			i = -1;
		else
			i = 1;
		if (i < 0)
			return -1;
	}
	/* vowel cluster */
	for (nv = 0; i + nv < n && vowel_of[l[i + nv]]; nv++) {
		if (nv == 3)
			return -1;
		key += mult * vowel_of[l[i + nv]];
		mult *= 16;
	}
	if (nv == 0)
		return -1;
	/* final consonant: c ch m n ng nh p t */
	f = l + i + nv;
	k = n - i - nv;
	if (k == 0)
		fin = 0;
	else if (k == 1 && (f[0] == L('c') || f[0] == L('m') ||
			    f[0] == L('n') || f[0] == L('p') ||
			    f[0] == L('t')))
		fin = 1;
	else if (k == 2 && ((f[0] == L('c') && f[1] == L('h')) ||
			    (f[0] == L('n') && (f[1] == L('g') ||
						f[1] == L('h')))))
		fin = 1;
	else
		return -1;
	if (!(clusters[key] & (fin ? C_CLOSED : C_OPEN)))
		return -1;
	/* a vowel with its own diacritic takes the mark (ươ: the ơ) */
	for (k = nv - 1; k >= 0; k--)
		if (HAS_HAT(vowel_of[l[i + k]]))
			return i + k;
	if (fin || nv == 1)
		return i + nv - 1;
	if (nv == 3)
		return i + 1;
	if (style == NORM_TONE_NEW) {
		uint8_t a = l[i], b = l[i + 1];

		if ((a == L('o') && (b == L('a') || b == L('e'))) ||
		    (a == L('u') && b == L('y')))
			return i + 1;
	}
	return i;
}

/* The tone a combining mark stands for, or T_NONE. */
static int combining_tone(int32_t c)
{
	switch (c) {
	case 0x300: case 0x340: return T_GRAVE;
	case 0x301: case 0x341: return T_ACUTE;
	case 0x309: return T_HOOK;
	case 0x303: return T_TILDE;
	case 0x323: return T_DOT;
	default: return T_NONE;
	}
}

/* One letter run, as read. */
struct run {
	size_t b0, b1;                /* its bytes in the input */
	size_t ncp;                   /* its length in code points */
	int32_t cp[NORM_RUN_MAX];     /* its code points */
	uint8_t l[NORM_RUN_MAX];      /* their L_* codes (0: not a letter) */
	int nonviet;                  /* holds a character not in the alphabet */
	int marked;                   /* holds a tone mark or Ð/ð */
};

struct pass3 {
	const struct norm_opts *o;
	norm_warn_fn warn;
	void *warn_arg;
	size_t changed;               /* runs rewritten */
};

static const char *const tone_name[T_COUNT] = {
	"none", "grave", "acute", "hook above", "tilde", "dot below"
};

/* 1 if the token around bytes [b0, b1) of s looks like a URL or address. */
static int in_url(const char *s, size_t n, size_t b0, size_t b1)
{
	size_t a = b0, z = b1, lim;

	lim = b0 > NORM_TOKEN_SCAN ? b0 - NORM_TOKEN_SCAN : 0;
	while (a > lim && s[a - 1] != ' ' && s[a - 1] != '\n' &&
	       s[a - 1] != '\t')
		a--;
	lim = n - b1 > NORM_TOKEN_SCAN ? b1 + NORM_TOKEN_SCAN : n;
	while (z < lim && s[z] != ' ' && s[z] != '\n' && s[z] != '\t')
		z++;
	return memmem(s + a, z - a, "://", 3) != NULL ||
	       memmem(s + a, z - a, "www.", 4) != NULL ||
	       memchr(s + a, '@', z - a) != NULL;
}

/* What fix_run did to a run. */
struct fix {
	size_t tn;      /* code points written; 0: keep the run */
	int ntones;     /* tone marks found */
	int kept;       /* the tone kept */
	int dropped;    /* a second tone dropped, or T_NONE */
	int eth;        /* Ð/ð read as Đ/đ */
	uint8_t span[NORM_RUN_MAX]; /* input code points of each letter */
};

/*
 * Rewrite one run if it needs it: appends the new bytes to res and sets
 * fx->tn to their length in code points, or leaves fx->tn 0 to keep the
 * run as it is.
 */
static void fix_run(const struct norm_opts *o, const struct run *r,
		    struct buf *res, struct fix *fx)
{
	uint8_t l[NORM_RUN_MAX], tone[NORM_RUN_MAX], fl[NORM_RUN_MAX];
	int32_t orig[NORM_RUN_MAX];
	uint32_t outc[NORM_RUN_MAX];
	int n = 0, comb = 0, diff, pos, k, acronym = 1, eth = 0;
	size_t i;

	memset(fx, 0, sizeof(*fx));
	fx->kept = fx->dropped = T_NONE;
	for (i = 0; i < r->ncp; i++) {
		int32_t c = r->cp[i];
		const struct vlet *v = vlet_get(c);
		int t = combining_tone(c);

		if (t != T_NONE) {
			/* a combining mark NFC could not compose (or --no-nfc) */
			if (n == 0 || vowel_of[l[n - 1]] == 0)
				return;
			comb = 1;
			fx->span[n - 1]++;
			if (tone[n - 1] == T_NONE)
				tone[n - 1] = (uint8_t)t;
			if (fx->ntones++ == 0)
				fx->kept = t;
			else if (fx->dropped == T_NONE)
				fx->dropped = t;
			continue;
		}
		if (v->letter == 0)
			return;
		l[n] = v->letter;
		tone[n] = v->tone;
		fl[n] = v->flags;
		orig[n] = c;
		fx->span[n] = 1;
		if (v->tone != T_NONE) {
			if (fx->ntones++ == 0)
				fx->kept = v->tone;
			else if (fx->dropped == T_NONE)
				fx->dropped = v->tone;
		}
		if (!(v->flags & F_UPPER) || v->tone != T_NONE ||
		    (v->letter > 26 && !(v->flags & F_ETH)))
			acronym = 0;
		if (v->flags & F_ETH)
			eth = 1;
		n++;
	}
	if (eth && !o->dstroke)
		eth = 0;
	if (eth && acronym && n <= NORM_ACRONYM_MAX && !comb) {
		/* LÐLÐ, Ð/c: every Ð of an all-capital run is Đ */
		for (k = 0; k < n; k++)
			buf_add_cp(res, (fl[k] & F_ETH) ? 0x110u
						       : (unsigned)orig[k]);
		fx->tn = (size_t)n;
		fx->eth = 1;
		fx->ntones = 0;
		return;
	}
	for (k = 1; k < n; k++)
		if (fl[k] & F_ETH)
			return; /* ð inside a word: not Vietnamese */
	if (comb && !o->tone)
		return;
	pos = syl_place(l, n, o->style);
	if (pos < 0)
		return;
	if (fx->ntones > 0 && o->tone) {
		for (k = 0; k < n; k++)
			tone[k] = T_NONE;
		tone[pos] = (uint8_t)fx->kept;
	}
	diff = comb;
	for (k = 0; k < n; k++) {
		uint32_t c = (uint32_t)orig[k];
		int v = vowel_of[l[k]];

		if (v) {
			c = toned[v][tone[k]];
			if (fl[k] & F_UPPER)
				c = upper_of(c);
		} else if ((fl[k] & F_ETH) && eth) {
			c = (fl[k] & F_UPPER) ? 0x110 : 0x111;
			fx->eth = 1;
		}
		if (c != (uint32_t)orig[k])
			diff = 1;
		outc[k] = c;
	}
	if (!diff)
		return;
	for (k = 0; k < n; k++)
		buf_add_cp(res, outc[k]);
	fx->tn = (size_t)n;
	if (!o->tone)
		fx->ntones = 0;
}

/*
 * What a fused scan (below) can report besides 0 and 1: a character that
 * pass 1 or 2 may change, or a message the scan would have to take back,
 * so the text must go through the passes one by one; or ill-formed UTF-8.
 */
enum { SCAN_PASSES = -1, SCAN_INVALID = -2 };

/*
 * Decode one code point and check that it is well-formed UTF-8: its
 * length, or 0 if it is not (the rules of utf8_decode(): no overlongs,
 * no surrogates, nothing past U+10FFFF).
 */
static inline size_t dec_valid(const unsigned char *p, size_t n, int32_t *c)
{
	unsigned b = p[0];
	size_t k;

	if (b < 0x80) {
		*c = (int32_t)b;
		return 1;
	}
	if (b < 0xE0) {
		if (b < 0xC2 || n < 2 || (p[1] & 0xC0) != 0x80)
			return 0;
		*c = (int32_t)(((b & 0x1F) << 6) | (p[1] & 0x3F));
		return 2;
	}
	if (b < 0xF0) {
		if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		*c = (int32_t)(((b & 0x0F) << 12) | ((p[1] & 0x3Fu) << 6) |
			       (p[2] & 0x3F));
		if (*c < 0x800 || (*c >= 0xD800 && *c <= 0xDFFF))
			return 0;
		return 3;
	}
	k = utf8_decode(p, n, c);
	return *c < 0 ? 0 : k;
}

/* Where the NFC check of a fused scan stands. */
struct nfc_state {
	size_t end;   /* input byte after the last code point ICU was asked
		       * about (not a cheap starter) */
	int ccc;      /* its combining class */
};

/*
 * In a fused scan, for a code point c at bytes [i, i + k) that is not a
 * letter of the alphabet: 1 if pass 1 or pass 2 could change it (a space
 * or zero-width character to replace, or a code point where pass_nfc()
 * would convert a chunk), 0 if both leave it alone.
 */
static int scan_other(const struct norm_opts *o, int32_t c, size_t i,
		      size_t k, struct nfc_state *ns)
{
	int ccc, last;

	if ((o->spaces && is_space_cp(c)) || (o->zero_width && is_zero_width(c)))
		return 1;
	if (!o->nfc || cheap_starter(c))
		return 0;
	/* what pass_nfc() asks, with its last_ccc: the combining class of
	 * the code point just before, 0 after a starter */
	ccc = u_getCombiningClass(c);
	last = ns->end == i ? ns->ccc : 0;
	if (u_getIntPropertyValue(c, UCHAR_NFC_QUICK_CHECK) != UNORM_YES ||
	    (ccc != 0 && ccc < last))
		return 1;
	ns->end = i + k;
	ns->ccc = ccc;
	return 0;
}

/*
 * Pass 3 over s[0..n). With fused set it stands for all three passes on
 * a text that passes 1 and 2 leave alone, and finds out whether they do:
 * it also checks that the text is well-formed UTF-8 (SCAN_INVALID if
 * not) and returns SCAN_PASSES, with out and map to be discarded, at the
 * first character pass 1 or 2 may change (or a warning it would have to
 * take back). Otherwise 0 if nothing changes, 1 if the new text was
 * appended to out.
 */
static inline int syl_scan(struct pass3 *ps, const char *s, size_t n,
			   struct buf *out, struct offmap *map, const int fused)
{
	const struct norm_opts *o = ps->o;
	const unsigned char *p = (const unsigned char *)s;
	const int syl = o->tone || o->dstroke;
	struct writer w;
	struct buf res = BUF_INIT;
	struct nfc_state ns = { SIZE_MAX, 0 };
	struct run r;
	struct fix fx;
	size_t i = 0, k, neth = 0;
	int32_t c;
	int nvow, ntone, other, rc, tidx = 0, pos;
	char msg[512], eth[256];

	w_init(&w, s, out, map);
	while (i < n) {
		int ascii = 1;

		/* skip to the next letter or digit */
		if (p[i] < 0x80) {
			unsigned cl = ascii_class[p[i]];

			if (!(cl & A_ALNUM)) {
				if (fused && (cl & A_CR) && o->newlines) {
					rc = SCAN_PASSES;
					goto out;
				}
				i++;
				continue;
			}
		} else {
			if (!fused)
				k = dec(p + i, n - i, &c);
			else if ((k = dec_valid(p + i, n - i, &c)) == 0) {
				rc = SCAN_INVALID;
				goto out;
			}
			if (vlet_get(c)->letter == 0) {
				if (fused && scan_other(o, c, i, k, &ns)) {
					rc = SCAN_PASSES;
					goto out;
				}
				if (!u_isalnum(c)) {
					i += k;
					continue;
				}
			}
		}
		/* read the run */
		r.b0 = i;
		r.ncp = 0;
		r.nonviet = 0;
		r.marked = 0;
		nvow = ntone = 0;
		other = 0;
		while (i < n) {
			if (p[i] < 0x80) {
				unsigned cl = ascii_class[p[i]];

				if (!(cl & A_ALNUM))
					break;
				c = p[i];
				nvow += (cl & A_VOWEL) != 0;
				if (cl & A_DIGIT)
					r.nonviet = 1;
				else if (r.ncp < NORM_RUN_MAX)
					r.l[r.ncp] = ascii_letter[c];
				k = 1;
			} else {
				const struct vlet *v;

				if (!fused)
					k = dec(p + i, n - i, &c);
				else if ((k = dec_valid(p + i, n - i, &c)) == 0) {
					rc = SCAN_INVALID;
					goto out;
				}
				v = vlet_get(c);
				ascii = 0;
				if (v->letter != 0) {
					if (v->tone != T_NONE) {
						r.marked = 1;
						tidx = (int)r.ncp;
						ntone++;
					}
					if (v->flags & F_ETH)
						r.marked = other = 1;
					nvow += vowel_of[v->letter] != 0;
					if (r.ncp < NORM_RUN_MAX)
						r.l[r.ncp] = v->letter;
				} else if (fused && scan_other(o, c, i, k, &ns)) {
					rc = SCAN_PASSES;
					goto out;
				} else if (combining_tone(c) != T_NONE) {
					r.marked = 1;
					other = 1;
				} else if (u_isalnum(c) ||
					   u_getCombiningClass(c) != 0 ||
					   u_charType(c) == U_NON_SPACING_MARK) {
					r.nonviet = 1;
				} else {
					break;
				}
			}
			if (r.ncp < NORM_RUN_MAX)
				r.cp[r.ncp] = c;
			else
				r.nonviet = 1;
			r.ncp++;
			i += k;
		}
		r.b1 = i;
		if (ascii || !r.marked || r.nonviet || !syl)
			continue;
		/* letters only, one of them carrying the one tone mark: if
		 * the rule puts the mark there (always so with one vowel, the
		 * commonest case), or the run is no syllable, fix_run() would
		 * change nothing; nor would it without tone placement */
		if (!other && (!o->tone || (ntone == 1 &&
			(nvow == 1 || (pos = syl_place(r.l, (int)r.ncp,
						       o->style)) < 0 ||
			 pos == tidx))))
			continue;
		buf_reset(&res);
		fix_run(o, &r, &res, &fx);
		if (fx.tn == 0 || in_url(s, n, r.b0, r.b1))
			continue;
		if (fused && fx.ntones > 1 && ps->warn != NULL) {
			/* the passes one by one say it (if nothing else
			 * makes them fall back first) */
			rc = SCAN_PASSES;
			goto out;
		}
		/* letter by letter, so that a dropped combining mark shifts
		 * only the letter it followed */
		w_flush(&w, r.b0);
		buf_add(w.out, res.p, res.n);
		if (fx.tn != r.ncp) {
			w_sync(&w, r.b0);
			for (k = 0; k < fx.tn; k++)
				map_replace(&w.mp, fx.span[k], 1);
			w.synced = r.b1;
		}
		w.copied = r.b1;
		w.changed = 1;
		if (fx.ntones > 1 || fx.eth)
			w_sync(&w, r.b1); /* for the text offset */
		ps->changed++;
		if (ps->warn == NULL)
			continue;
		if (fx.ntones > 1) {
			snprintf(msg, sizeof(msg), "normalize: two tone marks "
				 "in '%.*s' at text offset %zu: kept the first "
				 "(%s), dropped %s", (int)(r.b1 - r.b0),
				 s + r.b0, w.mp.t - fx.tn, tone_name[fx.kept],
				 tone_name[fx.dropped]);
			ps->warn(ps->warn_arg, msg);
		}
		if (fx.eth && neth++ == 0)
			snprintf(eth, sizeof(eth), "'%.*s' at text offset "
				 "%zu", (int)(r.b1 - r.b0), s + r.b0,
				 w.mp.t - fx.tn);
	}
	if (neth > 0 && ps->warn != NULL) {
		/* one warning per text: some sources use Ð throughout */
		snprintf(msg, sizeof(msg), "normalize: eth (U+00D0/U+00F0) "
			 "read as d with stroke (U+0110/U+0111) in %zu "
			 "word%s, first %s", neth, neth == 1 ? "" : "s", eth);
		ps->warn(ps->warn_arg, msg);
	}
	rc = w_finish(&w, n);
out:
	buf_release(&res);
	return rc;
}

static int pass_syllables(struct pass3 *ps, const char *s, size_t n,
			  struct buf *out, struct offmap *map)
{
	return syl_scan(ps, s, n, out, map, 0);
}

int norm_parse_style(const char *s, enum norm_style *style)
{
	if (strcmp(s, "old") == 0)
		*style = NORM_TONE_OLD;
	else if (strcmp(s, "new") == 0)
		*style = NORM_TONE_NEW;
	else
		return -1;
	return 0;
}

void norm_opts_init(struct norm_opts *o)
{
	o->nfc = o->tone = o->spaces = o->zero_width = o->newlines = 1;
	o->dstroke = 1;
	o->style = NORM_TONE_OLD;
	o->max_warnings = NORM_MAX_WARNINGS_DEFAULT;
}

/* A map of one pass that kept every length: [[0, 0]]. */
static int is_identity(const struct offmap *m)
{
	return m->n == 0 || (m->n == 1 && m->t[0] == 0 && m->r[0] == 0 &&
			     m->tlen == m->rlen);
}

/*
 * norm_text(), checking that s[0..n) is well-formed UTF-8 if check is set:
 * -1 if it is not.
 */
static int norm_text_x(const struct norm_opts *o, const char *s, size_t n,
		       struct buf *out, struct offmap *map, norm_warn_fn warn,
		       void *warn_arg, int check)
{
	struct buf b[2] = { BUF_INIT, BUF_INIT }, tmp = BUF_INIT;
	struct offmap acc, pm, both;
	struct pass3 ps = { o, warn, warn_arg, 0 };
	const char *cur = s;
	size_t curn = n, before = out->n;
	int step, got, have = 0, nb = 0;

	tables();
	/* most texts need none of passes 1 and 2: one scan does it all */
	got = syl_scan(&ps, s, n, out, map, 1);
	if (got == 1)
		return 1;
	out->n = before; /* drop the scan's partial copy */
	if (out->p != NULL)
		out->p[before] = '\0';
	offmap_release(map);
	offmap_init(map);
	if (got == 0)
		return 0;
	if (check && (got == SCAN_INVALID || !utf8_valid(s, n)))
		return -1;

	offmap_init(&acc);
	for (step = 0; step < 3; step++) {
		struct buf *dst = &b[nb];

		buf_reset(dst);
		offmap_init(&pm);
		if (step == 0)
			got = (o->spaces || o->zero_width || o->newlines) &&
			      pass_spaces(o, cur, curn, dst, &pm);
		else if (step == 1)
			got = o->nfc && pass_nfc(cur, curn, dst, &pm, &tmp);
		else
			got = (o->tone || o->dstroke) &&
			      pass_syllables(&ps, cur, curn, dst, &pm);
		if (!got) {
			offmap_release(&pm);
			continue;
		}
		if (have && is_identity(&pm)) {
			acc.tlen = pm.tlen; /* the same length as before */
			offmap_release(&pm);
		} else if (have && is_identity(&acc)) {
			offmap_release(&acc);
			acc = pm;
		} else if (have) {
			offmap_init(&both);
			norm_compose(&acc, &pm, pm.tlen, &both);
			offmap_release(&acc);
			offmap_release(&pm);
			acc = both;
		} else {
			acc = pm;
			have = 1;
		}
		cur = dst->p ? dst->p : "";
		curn = dst->n;
		nb ^= 1;
	}
	if (have) {
		buf_add(out, cur, curn);
		*map = acc;
	}
	buf_release(&b[0]);
	buf_release(&b[1]);
	buf_release(&tmp);
	return have;
}

int norm_text(const struct norm_opts *o, const char *s, size_t n,
	      struct buf *out, struct offmap *map, norm_warn_fn warn,
	      void *warn_arg)
{
	return norm_text_x(o, s, n, out, map, warn, warn_arg, 0);
}

size_t norm_tone_text(const char *s, size_t n, enum norm_style style,
		      struct buf *out)
{
	struct norm_opts o;
	struct pass3 ps = { &o, NULL, NULL, 0 };
	size_t before = out->n;

	tables();
	norm_opts_init(&o);
	o.dstroke = 0;
	o.style = style;
	if (!pass_syllables(&ps, s, n, out, NULL)) {
		out->n = before;
		buf_add(out, s, n);
	}
	return ps.changed;
}

int norm_tone_position(const char *s, size_t n, enum norm_style style)
{
	const unsigned char *p = (const unsigned char *)s;
	uint8_t l[NORM_RUN_MAX];
	size_t i = 0;
	int k = 0;
	int32_t c;

	tables();
	while (i < n) {
		const struct vlet *v;

		i += utf8_decode(p + i, n - i, &c);
		v = vlet_get(c);
		if (v->letter == 0 || v->tone != T_NONE || k == NORM_RUN_MAX)
			return -1;
		l[k++] = v->letter;
	}
	return syl_place(l, k, style);
}

/* ---- the stage --------------------------------------------------------- */

/*
 * The quick path: most records come from `read` as {"id": "...", "text":
 * "..."} (perhaps with "warnings"). For a line of that simple shape (an
 * object whose values are strings or arrays of strings, keys unique and
 * without escapes, strings without \u escapes, valid UTF-8) the text is
 * normalised without building a jansson object:
 *   - text unchanged: the line goes out as it came, as in the full path;
 *   - text changed, no warnings, and the line is compact JSON as doc_write
 *     writes it (no blanks between tokens, no "\/"): the output line is
 *     spliced together from the input: the new text, "raw" (the old text's
 *     JSON, unchanged) and "offsets" after it, the rest as it was.
 * Any other line takes the full path. The grammar accepted here is a
 * subset of what doc_parse() accepts and the splice reproduces what
 * doc_write() writes, so both paths give the same bytes (tests/unit
 * compares them).
 */

/* Keys remembered per line to reject duplicates; more go the full path. */
#define NORM_QUICK_KEYS 16

enum { Q_ESC = 1, Q_LOOSE = 2 }; /* escapes seen; not doc_write's form */

static size_t q_ws(const char *s, size_t n, size_t i, int *fl)
{
	size_t i0 = i;

	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
			 s[i] == '\r'))
		i++;
	if (i != i0)
		*fl |= Q_LOOSE;
	return i;
}

/* Whether any byte of the 64-bit word w is zero, or less than x (x <=
 * 128): the bit tricks of "Bit Twiddling Hacks" (exact as a yes/no). */
#define SWAR_ONES 0x0101010101010101ULL
#define SWAR_HIGH 0x8080808080808080ULL
#define SWAR_ZERO(w) (((w) - SWAR_ONES) & ~(w) & SWAR_HIGH)
#define SWAR_LESS(w, x) (((w) - SWAR_ONES * (x)) & ~(w) & SWAR_HIGH)

/*
 * The string at s[i] == '"': index past its closing quote, or 0. With
 * check set, also 0 if the string is not well-formed UTF-8 (the text is
 * checked by the normalising scan instead).
 */
static size_t q_string(const char *s, size_t n, size_t i, int *fl, int check)
{
	const unsigned char *p = (const unsigned char *)s;
	int32_t cp;
	size_t k;

	for (i++; i < n; i++) {
		unsigned char c;

		/* unchecked (the text: most of the line), eight bytes at a
		 * time up to the next quote, backslash or control byte */
		while (!check && i + 8 <= n) {
			uint64_t w;

			memcpy(&w, p + i, 8);
			if (SWAR_ZERO(w ^ (SWAR_ONES * '"')) ||
			    SWAR_ZERO(w ^ (SWAR_ONES * '\\')) ||
			    SWAR_LESS(w, 0x20))
				break;
			i += 8;
		}
		if (i >= n)
			break;
		c = p[i];
		if (c >= 0x80) {
			if (check) {
				if ((k = dec_valid(p + i, n - i, &cp)) == 0)
					return 0;
				i += k - 1;
			}
			continue;
		}
		if (c == '"')
			return i + 1;
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			if (i + 1 >= n || p[i + 1] == 0 ||
			    memchr("\"\\/bfnrt", p[i + 1], 8) == NULL)
				return 0;
			*fl |= Q_ESC;
			if (p[i + 1] == '/')
				*fl |= Q_LOOSE; /* doc_write writes '/' */
			i++;
		}
	}
	return 0;
}

static int q_key(const char *k, size_t kn, const char *lit)
{
	return kn == strlen(lit) && memcmp(k, lit, kn) == 0;
}

static void count_warning(void *arg, const char *msg)
{
	(void)msg;
	(*(int *)arg)++;
}

int norm_quick(void *ctx, const char *s, size_t n, struct buf *res)
{
	const struct norm_opts *o = ctx;
	const char *key[NORM_QUICK_KEYS], *text = NULL;
	size_t klen[NORM_QUICK_KEYS], nk = 0, i, j, tn = 0, a, tv0 = 0, tv1 = 0;
	struct buf un = BUF_INIT, out = BUF_INIT;
	struct offmap m;
	int fl = 0, efl, tfl = 0, nwarn = 0, done = 0, r;

	i = q_ws(s, n, 0, &fl);
	if (i >= n || s[i] != '{')
		return 0;
	i = q_ws(s, n, i + 1, &fl);
	for (;;) {
		const char *k;
		size_t kn;

		if (i >= n || s[i] != '"' || nk == NORM_QUICK_KEYS)
			return 0;
		efl = 0;
		if ((j = q_string(s, n, i, &efl, 1)) == 0 || efl)
			return 0;
		k = s + i + 1;
		kn = j - i - 2;
		for (a = 0; a < nk; a++)
			if (klen[a] == kn && memcmp(key[a], k, kn) == 0)
				return 0;
		if (q_key(k, kn, "error") || q_key(k, kn, "raw") ||
		    q_key(k, kn, "offsets") || q_key(k, kn, "sentences") ||
		    q_key(k, kn, "entities") || q_key(k, kn, "relations"))
			return 0;
		key[nk] = k;
		klen[nk++] = kn;
		i = q_ws(s, n, j, &fl);
		if (i >= n || s[i] != ':')
			return 0;
		i = q_ws(s, n, i + 1, &fl);
		if (i < n && s[i] == '"') {
			efl = 0;
			if ((j = q_string(s, n, i, &efl,
					  !q_key(k, kn, "text"))) == 0)
				return 0;
			fl |= efl & Q_LOOSE;
			if (q_key(k, kn, "text")) {
				text = s + i + 1;
				tn = j - i - 2;
				tfl = efl;
				tv0 = i;
				tv1 = j;
			}
			i = j;
		} else if (i < n && s[i] == '[' && !q_key(k, kn, "text") &&
			   !q_key(k, kn, "id")) {
			i = q_ws(s, n, i + 1, &fl);
			if (i < n && s[i] == ']')
				i++;
			else
				for (;;) {
					efl = 0;
					if (i >= n || s[i] != '"' ||
					    (j = q_string(s, n, i, &efl, 1)) == 0)
						return 0;
					fl |= efl & Q_LOOSE;
					i = q_ws(s, n, j, &fl);
					if (i < n && s[i] == ',') {
						i = q_ws(s, n, i + 1, &fl);
						continue;
					}
					if (i < n && s[i] == ']') {
						i++;
						break;
					}
					return 0;
				}
		} else {
			return 0;
		}
		i = q_ws(s, n, i, &fl);
		if (i < n && s[i] == ',') {
			i = q_ws(s, n, i + 1, &fl);
			continue;
		}
		if (i < n && s[i] == '}')
			break;
		return 0;
	}
	if (q_ws(s, n, i + 1, &fl) != n || text == NULL)
		return 0;
	if (tfl & Q_ESC) {
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *bs;

		buf_grow(&un, tn);
		for (a = 0; a < tn; a = (size_t)(bs - text) + 2) {
			bs = memchr(text + a, '\\', tn - a);
			if (bs == NULL) {
				buf_add(&un, text + a, tn - a);
				break;
			}
			buf_add(&un, text + a, (size_t)(bs - text) - a);
			buf_addc(&un, to[strchr(from, bs[1]) - from]);
		}
		text = un.p ? un.p : "";
		tn = un.n;
	}
	offmap_init(&m);
	r = norm_text_x(o, text, tn, &out, &m, count_warning, &nwarn, 1);
	if (r < 0) {
		/* not UTF-8: the full path makes it an error record */
	} else if (r == 0) {
		buf_add(res, s, n);
		done = 1;
	} else if (nwarn == 0 && !(fl & Q_LOOSE)) {
		buf_add(res, s, tv0);
		json_write_string(out.p, out.n, res);
		buf_adds(res, ",\"raw\":");
		buf_add(res, s + tv0, tv1 - tv0);
		buf_adds(res, ",\"offsets\":[");
		for (a = 0; a < m.n; a++)
			buf_printf(res, "%s[%zu,%zu]", a ? "," : "", m.t[a],
				   m.r[a]);
		buf_addc(res, ']');
		buf_add(res, s + tv1, n - tv1);
		done = 1;
	}
	offmap_release(&m);
	buf_release(&out);
	buf_release(&un);
	return done;
}

/* Warnings of one record, capped. */
struct warns {
	struct doc *d;
	int max;
	int n;
};

static void stage_warn(void *arg, const char *msg)
{
	struct warns *w = arg;

	if (w->n++ < w->max)
		doc_warn(w->d, "%s", msg);
}

/*
 * The record rebuilt with the new text, and "raw" and "offsets" right
 * after it (an earlier "raw"/"offsets" moves there too).
 */
static void rebuild(struct doc *d, json_t *raw, json_t *offsets)
{
	json_t *nr = json_object(), *v;
	void *it;

	for (it = json_object_iter(d->root); it != NULL;
	     it = json_object_iter_next(d->root, it)) {
		const char *key = json_object_iter_key(it);
		size_t klen = json_object_iter_key_len(it);

		v = json_object_iter_value(it);
		if ((klen == 3 && memcmp(key, "raw", 3) == 0) ||
		    (klen == 7 && memcmp(key, "offsets", 7) == 0))
			continue;
		json_object_setn(nr, key, klen, v);
		if (klen == 4 && memcmp(key, "text", 4) == 0) {
			json_object_set(nr, "raw", raw);
			json_object_set(nr, "offsets", offsets);
		}
	}
	json_decref(d->root);
	d->root = nr;
}

int norm_stage(void *ctx, struct doc *d, struct vnie_error *err)
{
	static const char *const later[] = { "sentences", "entities",
					     "relations" };
	const struct norm_opts *o = ctx;
	struct buf out = BUF_INIT;
	struct offmap map, old, both;
	struct warns w = { d, o->max_warnings, 0 };
	json_t *raw, *offsets = NULL;
	size_t i, tlen;
	int rc = -1;

	for (i = 0; i < sizeof(later) / sizeof(later[0]); i++)
		if (json_object_get(d->root, later[i]) != NULL) {
			vnie_err(err, "normalize must run before split, "
				 "gazetteer and rules (record has \"%s\")",
				 later[i]);
			return -1;
		}
	raw = json_object_get(d->root, "raw");
	if (raw != NULL && !json_is_string(raw)) {
		vnie_err(err, "\"raw\" is not a string");
		return -1;
	}
	offmap_init(&map);
	offmap_init(&old);
	if (raw != NULL && offmap_from_json(&old,
			json_object_get(d->root, "offsets"), doc_ncp(d),
			utf8_count(json_string_value(raw),
				   json_string_length(raw)), err) < 0)
		return -1;
	if (!norm_text(o, d->text, d->len, &out, &map, stage_warn, &w)) {
		rc = STAGE_UNCHANGED;
		goto out;
	}
	if (w.n > w.max)
		doc_warn(d, "normalize: %d more repairs not listed", w.n - w.max);
	tlen = utf8_count(out.p, out.n);
	if (raw != NULL) {
		/* normalize ran before: offsets still point into the first raw */
		offmap_init(&both);
		norm_compose(&old, &map, tlen, &both);
		offsets = offmap_to_json(&both);
		offmap_release(&both);
		json_incref(raw);
	} else {
		offsets = offmap_to_json(&map);
		raw = json_stringn(d->text, d->len);
	}
	rebuild(d, raw, offsets);
	doc_set_text(d, out.p, out.n);
	json_decref(raw);
	json_decref(offsets);
	rc = 0;
out:
	offmap_release(&map);
	offmap_release(&old);
	buf_release(&out);
	return rc;
}
