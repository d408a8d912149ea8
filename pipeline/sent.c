/*
 * sent.c: sentence boundaries (sent.h).
 *
 * ICU's sentence break iterator runs once over the whole text, converted
 * to UTF-16 first: measured here, conversion plus iteration ran at 100
 * MB/s against 72 MB/s for the iterator reading UTF-8 in place through
 * utext_openUTF8 (tests/bench/split.sh prints both). Each boundary it
 * proposes is then kept or dropped by the genre's rules, in this order:
 *
 *   - a blank line between the two sides always ends a sentence;
 *   - a single newline ends one unless the line before ends in ',' or the
 *     line after starts with a lower-case letter (so a headline,
 *     caption or byline without final punctuation is a sentence of its own);
 *   - inside a line, no sentence starts with a lower-case letter (ICU would
 *     break `Tại sao? ông hỏi`) or with '/', ',', ';', ':' or a closing
 *     bracket (`năm 2023./.`, the genre's end-of-article mark);
 *   - after a word in the abbreviation file (`TP.`, `TS.`) no sentence
 *     ends, except after one marked `final` (`v.v.`) when a capital follows;
 *   - a list number alone (`1.`, `II.`) does not make a sentence.
 *
 * ICU itself keeps numbers (6.943, 06.11.2022, 1,5), `?!`, `...` and closing
 * quotes and brackets together; one boundary ICU does not propose is added:
 * after `…` followed by a capital on the same line.
 *
 * Offsets are computed in bytes and turned into code points once, in order,
 * at the end. Nothing here prints or exits. sent_quick() is the stage on a
 * record line, for records in json_write()'s form (doc_quick_read()).
 */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/ustring.h>
#include <utf8proc.h>

#include "data.h"
#include "sent.h"
#include "utf8.h"

/* The longest abbreviation an entry may be, in bytes: the list holds short
 * forms, and a longer entry is almost surely two lines run together. */
#define SENT_ABBREV_MAX 64

/* ICU break positions are int32_t: a text must be shorter than this. */
#define SENT_TEXT_MAX ((size_t)INT32_MAX)

/* The longest run (bytes) taken for a list number such as "12." or "IV." */
#define SENT_ENUM_MAX 8

struct abbrev {
	char *s;   /* the abbreviation, with its final '.', owned */
	size_t n;  /* its length in bytes */
	int final; /* may end a sentence when a capital follows */
};

struct sent {
	struct sent_opts o;  /* copy of the options; paths not kept */
	struct abbrev *ab;   /* sorted by bytes, unique */
	size_t nab;
};

/* Sentence spans under construction: byte pairs. */
struct spans {
	size_t *p;
	size_t n, cap; /* in pairs */
};

void sent_opts_init(struct sent_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_length = SENT_MAX_LENGTH_DEFAULT;
}

/* ---- characters ---- */

static int is_space(int32_t c)
{
	if (c < 0x80)
		return c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f);
	return c == 0x85 || c == 0xa0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
	       c == 0x202f || c == 0x205f || c == 0x3000;
}

/* Line separators as ICU's sentence rules have them (ParaSep). */
static int is_newline(int32_t c)
{
	return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 ||
	       c == 0x2029;
}

static int is_lower(int32_t c)
{
	if (c < 0x80)
		return c >= 'a' && c <= 'z';
	return c >= 0 && utf8proc_category(c) == UTF8PROC_CATEGORY_LL;
}

static int is_upper(int32_t c)
{
	utf8proc_category_t k;

	if (c < 0x80)
		return c >= 'A' && c <= 'Z';
	if (c < 0)
		return 0;
	k = utf8proc_category(c);
	return k == UTF8PROC_CATEGORY_LU || k == UTF8PROC_CATEGORY_LT;
}

/* Opening quotes and brackets that may precede a sentence's first word. */
static int is_opener(int32_t c)
{
	return c == '(' || c == '[' || c == '{' || c == '"' || c == '\'' ||
	       c == 0x201c || c == 0x2018 || c == 0xab || c == 0x201e;
}

/* Closing quotes and brackets that stay with the sentence before them. */
static int is_closer(int32_t c)
{
	return c == ')' || c == ']' || c == '}' || c == '"' || c == '\'' ||
	       c == 0x201d || c == 0x2019 || c == 0xbb;
}

static int32_t cp_at(const char *s, size_t n, size_t i, size_t *len)
{
	int32_t c;
	size_t k = utf8_decode((const unsigned char *)s + i, n - i, &c);

	if (len != NULL)
		*len = k;
	return c;
}

/* Start of the character that ends at byte i (i > 0). */
static size_t prev_start(const char *s, size_t i)
{
	do
		i--;
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80);
	return i;
}

/* The character before byte i, or -1 at the start. */
static int32_t cp_before(const char *s, size_t n, size_t i)
{
	return i == 0 ? -1 : cp_at(s, n, prev_start(s, i), NULL);
}

static size_t skip_space(const char *s, size_t n, size_t i)
{
	size_t k;

	while (i < n) {
		if (s[i] == ' ' || s[i] == '\n') {
			i++;
			continue;
		}
		if (!is_space(cp_at(s, n, i, &k)))
			break;
		i += k;
	}
	return i;
}

static size_t back_space(const char *s, size_t n, size_t i)
{
	while (i > 0) {
		size_t p = prev_start(s, i);

		if (!is_space(cp_at(s, n, p, NULL)))
			break;
		i = p;
	}
	return i;
}

/* Newlines in s[a..b), "\r\n" counted once. */
static int count_newlines(const char *s, size_t n, size_t a, size_t b)
{
	int k = 0;
	size_t len;

	while (a < b) {
		int32_t c = cp_at(s, n, a, &len);

		if (is_newline(c) &&
		    !(c == '\r' && a + 1 < b && s[a + 1] == '\n'))
			k++;
		a += len;
	}
	return k;
}

/* ---- abbreviations ---- */

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c != 0 ? c : (an > bn) - (an < bn);
}

static int cmp_abbrev(const void *x, const void *y)
{
	const struct abbrev *a = x, *b = y;

	return cmp_bytes(a->s, a->n, b->s, b->n);
}

static const struct abbrev *find_abbrev(const struct sent *st, const char *s,
					size_t n)
{
	size_t lo = 0, hi = st->nab;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_bytes(s, n, st->ab[mid].s, st->ab[mid].n);

		if (c == 0)
			return &st->ab[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Column (code points, from 1) of byte i of a line starting at byte l. */
static size_t col_of(const char *s, size_t l, size_t i)
{
	return utf8_count(s + l, i - l) + 1;
}

/*
 * Parse an abbreviation file: one entry per line, an optional flag
 * "final" after it, '#' starting a comment, blank lines ignored.
 */
static int parse_abbrevs(struct sent *st, const char *name, const char *s,
			 size_t n, struct vnie_error *err)
{
	size_t i = 0, lineno = 0, cap = 0;

	if (!utf8_valid(s, n)) {
		vnie_err(err, "%s: not valid UTF-8", name);
		return -1;
	}
	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t l = i, e = nl ? (size_t)(nl - s) : n, f[3][2];
		int nf = 0;
		const char *hash = memchr(s + l, '#', e - l);

		i = nl ? e + 1 : n;
		lineno++;
		if (hash != NULL)
			e = (size_t)(hash - s);
		for (size_t j = l; j < e;) {
			size_t k;

			if (s[j] == ' ' || s[j] == '\t' || s[j] == '\r') {
				j++;
				continue;
			}
			for (k = j; k < e && s[k] != ' ' && s[k] != '\t' &&
			     s[k] != '\r'; k++)
				;
			if (nf == 3)
				break; /* one extra field is enough to report */
			f[nf][0] = j;
			f[nf][1] = k;
			nf++;
			j = k;
		}
		if (nf == 0)
			continue;
		if (s[f[0][1] - 1] != '.') {
			vnie_err(err, "%s:%zu:%zu: abbreviation '%.*s' does "
				 "not end in '.'", name, lineno,
				 col_of(s, l, f[0][0]),
				 (int)(f[0][1] - f[0][0]), s + f[0][0]);
			return -1;
		}
		if (f[0][1] - f[0][0] > SENT_ABBREV_MAX) {
			vnie_err(err, "%s:%zu:%zu: abbreviation longer than "
				 "%d bytes", name, lineno,
				 col_of(s, l, f[0][0]), SENT_ABBREV_MAX);
			return -1;
		}
		if (nf >= 2 && !(f[1][1] - f[1][0] == 5 &&
				 memcmp(s + f[1][0], "final", 5) == 0)) {
			vnie_err(err, "%s:%zu:%zu: unknown flag '%.*s' (the "
				 "only flag is 'final')", name, lineno,
				 col_of(s, l, f[1][0]),
				 (int)(f[1][1] - f[1][0]), s + f[1][0]);
			return -1;
		}
		if (nf == 3) {
			vnie_err(err, "%s:%zu:%zu: unexpected '%.*s' after the "
				 "flag", name, lineno, col_of(s, l, f[2][0]),
				 (int)(f[2][1] - f[2][0]), s + f[2][0]);
			return -1;
		}
		if (st->nab == cap) {
			cap = cap ? 2 * cap : 64;
			st->ab = xrealloc(st->ab, cap * sizeof(*st->ab));
		}
		st->ab[st->nab].n = f[0][1] - f[0][0];
		st->ab[st->nab].s = xstrndup(s + f[0][0], st->ab[st->nab].n);
		st->ab[st->nab].final = nf == 2;
		st->nab++;
	}
	if (st->nab > 0) {
		size_t w = 0;

		qsort(st->ab, st->nab, sizeof(*st->ab), cmp_abbrev);
		/* duplicates: one entry, final if any copy says so */
		for (size_t r = 0; r < st->nab; r++) {
			if (w > 0 && cmp_abbrev(&st->ab[w - 1], &st->ab[r]) == 0) {
				st->ab[w - 1].final |= st->ab[r].final;
				free(st->ab[r].s);
			} else {
				st->ab[w++] = st->ab[r];
			}
		}
		st->nab = w;
	}
	return 0;
}

static int load_abbrevs(struct sent *st, const char *path,
			struct vnie_error *err)
{
	FILE *fp = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char tmp[8192];
	size_t got;
	int rc = -1;

	if (fp == NULL) {
		vnie_err(err, "cannot open '%s': %m", path);
		return -1;
	}
	while ((got = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		buf_add(&b, tmp, got);
	if (ferror(fp)) {
		vnie_err(err, "cannot read '%s': %m", path);
		goto out;
	}
	rc = parse_abbrevs(st, path, b.p ? b.p : "", b.n, err);
out:
	fclose(fp);
	buf_release(&b);
	return rc;
}

/* ---- the per-thread ICU iterator ---- */

static pthread_key_t sent_key;
static pthread_once_t sent_once = PTHREAD_ONCE_INIT;
static int sent_key_ok;
static _Thread_local UBreakIterator *sent_bi;
static const UChar sent_empty[1];

static void close_bi(void *p)
{
	ubrk_close(p);
}

static void make_key(void)
{
	sent_key_ok = pthread_key_create(&sent_key, close_bi) == 0;
}

static UBreakIterator *thread_bi(struct vnie_error *err)
{
	UErrorCode status = U_ZERO_ERROR;

	if (sent_bi != NULL)
		return sent_bi;
	sent_bi = ubrk_open(UBRK_SENTENCE, "vi", NULL, 0, &status);
	if (U_FAILURE(status)) {
		vnie_err(err, "cannot open ICU's sentence break iterator: %s",
			 u_errorName(status));
		sent_bi = NULL;
		return NULL;
	}
	pthread_once(&sent_once, make_key);
	if (sent_key_ok)
		pthread_setspecific(sent_key, sent_bi);
	return sent_bi;
}

void sent_thread_release(void)
{
	if (sent_bi == NULL)
		return;
	pthread_once(&sent_once, make_key);
	if (sent_key_ok)
		pthread_setspecific(sent_key, NULL);
	ubrk_close(sent_bi);
	sent_bi = NULL;
}

/* ---- construction ---- */

struct sent *sent_new(const struct sent_opts *o, struct vnie_error *err)
{
	struct sent *st = xcalloc(1, sizeof(*st));
	char *path = NULL;
	int rc = -1;

	st->o = *o;
	st->o.abbrev_path = NULL;
	st->o.abbrev_data = NULL;
	if (o->lines) {
		rc = 0;
		goto out;
	}
	if (thread_bi(err) == NULL)
		goto out;
	if (o->abbrev_data != NULL) {
		rc = parse_abbrevs(st, "<abbreviations>", o->abbrev_data,
				   o->abbrev_len, err);
		goto out;
	}
	if (o->abbrev_path == NULL &&
	    (path = data_path(SENT_ABBREV_FILE)) == NULL) {
		vnie_err(err, "cannot find the data directory for '%s': set "
			 "VNIE_DATA or give --abbrev FILE", SENT_ABBREV_FILE);
		goto out;
	}
	rc = load_abbrevs(st, o->abbrev_path ? o->abbrev_path : path, err);
out:
	free(path);
	if (rc < 0) {
		sent_free(st);
		return NULL;
	}
	return st;
}

void sent_free(struct sent *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->nab; i++)
		free(st->ab[i].s);
	free(st->ab);
	free(st);
}

/* ---- splitting ---- */

static void push(struct spans *sp, size_t a, size_t b)
{
	if (sp->n == sp->cap) {
		sp->cap = sp->cap ? 2 * sp->cap : 16;
		sp->p = xrealloc(sp->p, 2 * sp->cap * sizeof(size_t));
	}
	sp->p[2 * sp->n] = a;
	sp->p[2 * sp->n + 1] = b;
	sp->n++;
}

/* Is s[a..b) a list number alone: "1.", "2.1.", "IV.", "a)"? */
static int is_enumerator(const char *s, size_t a, size_t b)
{
	int alnum = 0, letters = 0;

	if (b - a < 2 || b - a > SENT_ENUM_MAX ||
	    (s[b - 1] != '.' && s[b - 1] != ')'))
		return 0;
	for (size_t i = a; i < b - 1; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			alnum++;
		else if (strchr("IVXLC", c) != NULL && c != '\0')
			alnum++;
		else if (((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) &&
			 b - a == 2)
			letters++;
		else if (c != '.')
			return 0;
	}
	return alnum + letters > 0;
}

/* The first letter at or after i, past opening quotes and brackets. */
static int32_t first_letter(const char *s, size_t n, size_t i)
{
	size_t k;
	int32_t c = -1;

	while (i < n) {
		c = cp_at(s, n, i, &k);
		if (!is_opener(c))
			break;
		i += k;
	}
	return c;
}

/*
 * Should the boundary between a sentence s[start..e) and the next one,
 * starting at nx (s[e..nx) is white space), be kept?
 */
static int keep_boundary(const struct sent *st, const char *s, size_t n,
			 size_t start, size_t e, size_t nx)
{
	int nl = count_newlines(s, n, e, nx);
	int32_t next = cp_at(s, n, nx, NULL), last;

	if (nl >= 2)
		return 1;
	last = cp_before(s, n, e);
	if (nl == 1)
		return last != ',' && !is_lower(next);
	if (is_lower(next))
		return 0;
	/* nothing starts with these: the "/." of "2023./." ends an article */
	if (next == '/' || next == ',' || next == ';' || next == ':' ||
	    (is_closer(next) && next != '"' && next != '\''))
		return 0;
	if (last == '.') {
		size_t t = e;
		const struct abbrev *ab;
		size_t k;

		while (t > start && !is_space(cp_before(s, n, t)))
			t = prev_start(s, t);
		while (t < e && is_opener(cp_at(s, n, t, &k)))
			t += k;
		/* the word, then what follows each inner '.': the TS.
		 * of PGS.TS., but not HCM. of TP.HCM. (not an entry) */
		while (t < e - 1) {
			const char *dot;

			ab = find_abbrev(st, s + t, e - t);
			if (ab != NULL)
				return ab->final &&
				       is_upper(first_letter(s, n, nx));
			dot = memchr(s + t, '.', e - 1 - t);
			if (dot == NULL)
				break;
			t = (size_t)(dot - s) + 1;
		}
	}
	if (is_enumerator(s, start, e))
		return 0;
	return 1;
}

/*
 * After "…" (and closing quotes or brackets), spaces without a newline and
 * a capital: the start of the next sentence, or 0 when this "…" at byte i
 * ends none.
 */
static size_t after_ellipsis(const char *s, size_t n, size_t i)
{
	size_t k, j;

	i += 3;
	while (i < n && is_closer(cp_at(s, n, i, &k)))
		i += k;
	j = i;
	while (j < n) {
		int32_t c = cp_at(s, n, j, &k);

		if (!is_space(c) || is_newline(c))
			break;
		j += k;
	}
	if (j == i || j >= n || !is_upper(first_letter(s, n, j)))
		return 0;
	return j;
}

/* Where the walk over a text's boundaries is. */
struct walk {
	size_t start; /* byte where the open sentence starts */
	size_t seen;  /* nx of the last boundary considered, or 0 */
};

/*
 * Consider a boundary at byte b; on a kept one, close the sentence. A
 * boundary inside or at the end of the white space already crossed for
 * the one before has the same sides, so the same answer: skipping it keeps
 * a run of a million newlines linear rather than quadratic.
 */
static void candidate(const struct sent *st, const char *s, size_t n,
		      size_t b, struct walk *w, struct spans *sp)
{
	size_t e, nx;

	if (b <= w->seen)
		return;
	e = back_space(s, n, b);
	nx = skip_space(s, n, b);
	w->seen = nx;
	if (e <= w->start || nx >= n)
		return;
	if (keep_boundary(st, s, n, w->start, e, nx)) {
		push(sp, w->start, e);
		w->start = nx;
	}
}

/*
 * Texts up to this many UTF-16 units are converted on the stack; longer
 * ones get a buffer of their own for the call. Most records are a few
 * kilobytes, so this saves a malloc per record.
 */
#define SENT_STACK_UNITS 4096

/*
 * The first "…" (U+2026, E2 80 A6) in s[0..n), or NULL. Called between
 * every two ICU boundaries: memchr() for its rare first byte costs less
 * there than memmem()'s set-up.
 */
static const char *find_ellipsis(const char *s, size_t n)
{
	const char *p = s, *end = s + n;

	while ((p = memchr(p, 0xE2, (size_t)(end - p))) != NULL) {
		if (end - p >= 3 && (unsigned char)p[1] == 0x80 &&
		    (unsigned char)p[2] == 0xA6)
			return p;
		p++;
	}
	return NULL;
}

static int split_icu(const struct sent *st, const char *s, size_t n,
		     struct spans *sp, struct vnie_error *err)
{
	UBreakIterator *bi = thread_bi(err);
	UErrorCode status = U_ZERO_ERROR;
	UChar stack[SENT_STACK_UNITS], *u = stack;
	int32_t ulen = 0, b, ub = 0;
	size_t scan = 0, e, at = 0;
	struct walk w = { skip_space(s, n, 0), 0 };
	int rc = -1;

	if (bi == NULL)
		return -1;
	if (n >= SENT_TEXT_MAX) {
		vnie_err(err, "text of %zu bytes is longer than ICU can "
			 "index (%zu)", n, SENT_TEXT_MAX);
		return -1;
	}
	/* UTF-16 units never outnumber UTF-8 bytes */
	if (n > SENT_STACK_UNITS)
		u = xmalloc(n * sizeof(UChar));
	u_strFromUTF8(u, (int32_t)(n > SENT_STACK_UNITS ? n : SENT_STACK_UNITS),
		      &ulen, s, (int32_t)n, &status);
	if (U_SUCCESS(status))
		ubrk_setText(bi, u, ulen, &status);
	if (U_FAILURE(status)) {
		vnie_err(err, "ICU sentence break: %s", u_errorName(status));
		goto out;
	}
	ubrk_first(bi);
	while ((b = ubrk_next(bi)) != UBRK_DONE && b < ulen) {
		const char *p;

		/* UTF-16 index to byte offset: boundaries only move on */
		while (ub < b) {
			size_t k = utf8_len((unsigned char)s[at]);

			at += k;
			ub += k == 4 ? 2 : 1;
		}
		while (scan < at &&
		       (p = find_ellipsis(s + scan, at - scan)) != NULL) {
			size_t x = (size_t)(p - s), nx = after_ellipsis(s, n, x);

			if (nx != 0 && nx < at)
				candidate(st, s, n, nx, &w, sp);
			scan = x + 3;
		}
		scan = at;
		candidate(st, s, n, at, &w, sp);
	}
	/* an ellipsis in the last ICU sentence */
	{
		const char *p;

		while (scan < n &&
		       (p = find_ellipsis(s + scan, n - scan)) != NULL) {
			size_t x = (size_t)(p - s), nx = after_ellipsis(s, n, x);

			if (nx != 0)
				candidate(st, s, n, nx, &w, sp);
			scan = x + 3;
		}
	}
	e = back_space(s, n, n);
	if (e > w.start)
		push(sp, w.start, e);
	rc = 0;
out:
	/* the iterator keeps a pointer to the text: leave it on an empty
	 * string rather than on a buffer about to be freed */
	status = U_ZERO_ERROR;
	ubrk_setText(bi, sent_empty, 0, &status);
	if (u != stack)
		free(u);
	return rc;
}

static void split_lines(const char *s, size_t n, struct spans *sp)
{
	size_t i = 0, k;

	while (i < n) {
		size_t a = skip_space(s, n, i), j = a, e;

		if (a >= n)
			break;
		while (j < n && !is_newline(cp_at(s, n, j, &k)))
			j += k;
		e = back_space(s, n, j);
		/* skip_space crossed blank lines; a holds no newline before e */
		push(sp, a, e);
		i = j;
	}
}

/*
 * Cut spans longer than max code points at the last space that keeps a
 * piece within the limit, or at the limit itself when there is none.
 */
static size_t cut_long(const char *s, size_t n, size_t max, struct spans *sp)
{
	struct spans out = { NULL, 0, 0 };
	size_t cuts = 0;

	for (size_t i = 0; i < sp->n; i++) {
		size_t a = sp->p[2 * i], b = sp->p[2 * i + 1];

		while (b - a > max) {
			size_t j = a, cps = 0, sp_at = 0, k;

			while (j < b && cps < max) {
				if (j > a && is_space(cp_at(s, n, j, &k)))
					sp_at = j;
				else
					k = utf8_len((unsigned char)s[j]);
				j += k;
				cps++;
			}
			if (j >= b)
				break; /* fewer than max code points */
			if (is_space(cp_at(s, n, j, NULL)))
				sp_at = j;
			cuts++;
			if (sp_at != 0) {
				push(&out, a, back_space(s, n, sp_at));
				a = skip_space(s, n, sp_at);
			} else {
				push(&out, a, j);
				a = j;
			}
		}
		if (b > a)
			push(&out, a, b);
	}
	free(sp->p);
	*sp = out;
	return cuts;
}

int sent_split(const struct sent *st, const char *s, size_t n, size_t **out,
	       size_t *nout, size_t *ncut, struct vnie_error *err)
{
	struct spans sp = { NULL, 0, 0 };

	*out = NULL;
	*nout = 0;
	*ncut = 0;
	if (st->o.lines)
		split_lines(s, n, &sp);
	else if (split_icu(st, s, n, &sp, err) < 0) {
		free(sp.p);
		return -1;
	}
	if (st->o.max_length > 0)
		*ncut = cut_long(s, n, st->o.max_length, &sp);
	*out = sp.p;
	*nout = sp.n;
	return 0;
}

int sent_stage(void *ctx, struct doc *d, struct vnie_error *err)
{
	const struct sent *st = ctx;
	size_t *p, np, ncut, at = 0, cp = 0;
	json_t *arr;

	if (sent_split(st, d->text, d->len, &p, &np, &ncut, err) < 0)
		return -1;
	arr = json_array();
	for (size_t i = 0; i < 2 * np; i += 2) {
		json_t *pair = json_array();

		/* offsets only grow: count code points as we go */
		for (int k = 0; k < 2; k++) {
			size_t b = p[i + k];

			for (; at < b; at++)
				cp += ((unsigned char)d->text[at] & 0xC0) != 0x80;
			json_array_append_new(pair, json_integer((json_int_t)cp));
		}
		json_array_append_new(arr, pair);
	}
	json_object_set_new(d->root, "sentences", arr);
	if (ncut > 0)
		doc_warn(d, "split: %zu cut%s made in sentences longer than "
			 "--max-length %zu", ncut, ncut == 1 ? "" : "s",
			 st->o.max_length);
	free(p);
	return 0;
}

int sent_quick(void *ctx, const char *line, size_t n, struct buf *out)
{
	const struct sent *st = ctx;
	struct doc_quick dq = DOC_QUICK_INIT;
	struct vnie_error err;
	size_t *p = NULL, np, ncut, at = 0, cp = 0, i;
	char msg[1024];
	int ok = 0;

	if (doc_quick_read(&dq, line, n) < 0 || dq.has_sentences ||
	    sent_split(st, dq.text, dq.len, &p, &np, &ncut, &err) < 0)
		goto out;
	/* a warning joins the record's own warnings: the usual path */
	if (ncut > 0 && dq.has_warnings)
		goto out;
	buf_add(out, line, n - 1);
	buf_adds(out, ",\"sentences\":[");
	for (i = 0; i < 2 * np; i += 2) {
		if (i > 0)
			buf_addc(out, ',');
		buf_addc(out, '[');
		for (int k = 0; k < 2; k++) {
			for (; at < p[i + k]; at++)
				cp += ((unsigned char)dq.text[at] & 0xC0) != 0x80;
			if (k > 0)
				buf_addc(out, ',');
			buf_add_uint(out, cp);
		}
		buf_addc(out, ']');
	}
	buf_addc(out, ']');
	if (ncut > 0) {
		/* as sent_stage() words it through doc_warn() */
		snprintf(msg, sizeof(msg), "split: %zu cut%s made in sentences "
			 "longer than --max-length %zu", ncut,
			 ncut == 1 ? "" : "s", st->o.max_length);
		buf_adds(out, ",\"warnings\":[");
		json_write_string(msg, strlen(msg), out);
		buf_addc(out, ']');
	}
	buf_addc(out, '}');
	ok = 1;
out:
	free(p);
	doc_quick_release(&dq);
	return ok;
}
