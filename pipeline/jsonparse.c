/*
 * jsonparse.c: the fast JSON reader of jsonparse.h.
 *
 * Written here because jansson's own parser reads a character at a time
 * through a stream abstraction and is the largest single cost of a stage
 * that does little else (split, gazetteer); no other JSON library in Debian
 * builds jansson values. This reader scans the buffer directly, validates
 * strings with utf8_valid() in bulk and copies unescaped strings once.
 * Anything unusual makes it give up, and the caller asks jansson.
 *
 * Also scanners for canonical JSON (jsonparse.h): input in json_write()'s
 * own form, which the stages' quick paths copy instead of parsing. They
 * build nothing; they only say where values are, and accept a line only
 * when parsing and writing it again would give the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonparse.h"
#include "utf8.h"
#include "vnie.h"

/* jansson's JSON_PARSER_MAX_DEPTH: deeper input is jansson's error. */
#define JSONPARSE_MAX_DEPTH 2048

struct p {
	const char *s, *end;
	struct buf tmp;  /* unescaped strings */
	int depth;
};

static json_t *value(struct p *p);

static void ws(struct p *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' ||
				 *p->s == '\n' || *p->s == '\r'))
		p->s++;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* Write code point u (below 0x110000, not a surrogate) as UTF-8 at o. */
static size_t put_cp(char *o, unsigned u)
{
	if (u < 0x80) {
		o[0] = (char)u;
		return 1;
	}
	if (u < 0x800) {
		o[0] = (char)(0xC0 | (u >> 6));
		o[1] = (char)(0x80 | (u & 0x3F));
		return 2;
	}
	if (u < 0x10000) {
		o[0] = (char)(0xE0 | (u >> 12));
		o[1] = (char)(0x80 | ((u >> 6) & 0x3F));
		o[2] = (char)(0x80 | (u & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (u >> 18));
	o[1] = (char)(0x80 | ((u >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((u >> 6) & 0x3F));
	o[3] = (char)(0x80 | (u & 0x3F));
	return 4;
}

/*
 * A string at p->s (after the opening quote): its bytes in *str, *len.
 * Points into the input when there is no escape, else into p->tmp.
 */
static int string(struct p *p, const char **str, size_t *len)
{
	const char *a = p->s, *q;
	unsigned u, lo;
	uint64_t w, seen = 0;

	/* plain content eight bytes at a time, noting any byte >= 0x80 */
	for (q = a; p->end - q >= 8; q += 8) {
		memcpy(&w, q, 8);
		if (json_word_special(w))
			break;
		seen |= w;
	}
	while (q < p->end && *q != '"' && *q != '\\' &&
	       (unsigned char)*q >= 0x20)
		seen |= (unsigned char)*q++;
	if (q >= p->end)
		return -1;
	if (*q == '"') {
		/* ASCII is valid UTF-8 */
		if ((seen & 0x8080808080808080u) != 0 &&
		    !utf8_valid(a, (size_t)(q - a)))
			return -1;
		*str = a;
		*len = (size_t)(q - a);
		p->s = q + 1;
		return 0;
	}
	/* Unescaped, the string is no longer than the rest of the input:
	 * room for that once per object read, and no growing */
	buf_reset(&p->tmp);
	buf_grow(&p->tmp, (size_t)(p->end - a));
	for (;;) {
		char *o = p->tmp.p + p->tmp.n;

		while (q < p->end && *q != '"' && *q != '\\' &&
		       (unsigned char)*q >= 0x20)
			q++;
		if (q >= p->end || (unsigned char)*q < 0x20)
			return -1;
		memcpy(o, a, (size_t)(q - a));
		o += q - a;
		if (*q == '"') {
			p->tmp.n = (size_t)(o - p->tmp.p);
			break;
		}
		if (q + 1 >= p->end)
			return -1;
		switch (q[1]) {
		case '"': *o++ = '"'; q += 2; break;
		case '\\': *o++ = '\\'; q += 2; break;
		case '/': *o++ = '/'; q += 2; break;
		case 'b': *o++ = '\b'; q += 2; break;
		case 'f': *o++ = '\f'; q += 2; break;
		case 'n': *o++ = '\n'; q += 2; break;
		case 'r': *o++ = '\r'; q += 2; break;
		case 't': *o++ = '\t'; q += 2; break;
		case 'u':
			if (p->end - q < 6 || hex4(q + 2, &u) < 0)
				return -1;
			q += 6;
			if (u >= 0xDC00 && u <= 0xDFFF)
				return -1;
			if (u >= 0xD800 && u <= 0xDBFF) {
				if (p->end - q < 6 || q[0] != '\\' ||
				    q[1] != 'u' || hex4(q + 2, &lo) < 0 ||
				    lo < 0xDC00 || lo > 0xDFFF)
					return -1;
				q += 6;
				u = 0x10000 + ((u - 0xD800) << 10) +
				    (lo - 0xDC00);
			}
			o += put_cp(o, u);
			break;
		default:
			return -1;
		}
		p->tmp.n = (size_t)(o - p->tmp.p);
		a = q;
	}
	if (!utf8_valid(p->tmp.p, p->tmp.n))
		return -1;
	*str = p->tmp.p;
	*len = p->tmp.n;
	p->s = q + 1;
	return 0;
}

static json_t *number(struct p *p)
{
	const char *q = p->s;
	int neg = 0, digits = 0;
	int64_t v = 0;

	if (q < p->end && *q == '-') {
		neg = 1;
		q++;
	}
	if (q >= p->end || *q < '0' || *q > '9')
		return NULL;
	if (*q == '0' && q + 1 < p->end && q[1] >= '0' && q[1] <= '9')
		return NULL;
	while (q < p->end && *q >= '0' && *q <= '9') {
		/* 18 digits always fit; with more it might overflow (before
		 * the count was checked, the 19th digit did): jansson decides */
		if (++digits > 18)
			return NULL;
		v = v * 10 + (*q - '0');
		q++;
	}
	if (q < p->end && (*q == '.' || *q == 'e' || *q == 'E'))
		return NULL; /* reals: jansson's digits */
	p->s = q;
	return json_integer(neg ? -v : v);
}

/* Keys up to this long are copied to the stack when they must be copied
 * (an escaped key, held in p->tmp, which the value may overwrite). */
#define JSONPARSE_KEY_STACK 64

static json_t *object(struct p *p)
{
	json_t *o = json_object(), *v;
	const char *k;
	size_t kn;
	char kbuf[JSONPARSE_KEY_STACK], *kcopy = NULL;
	size_t size;

	ws(p);
	if (p->s < p->end && *p->s == '}') {
		p->s++;
		return o;
	}
	for (;;) {
		ws(p);
		if (p->s >= p->end || *p->s != '"')
			goto fail;
		p->s++;
		if (string(p, &k, &kn) < 0 || memchr(k, '\0', kn) != NULL)
			goto fail;
		if (k == p->tmp.p) {
			if (kn < sizeof(kbuf)) {
				memcpy(kbuf, k, kn);
				k = kbuf;
			} else {
				k = kcopy = xstrndup(k, kn);
			}
		}
		ws(p);
		if (p->s >= p->end || *p->s != ':')
			goto fail;
		p->s++;
		v = value(p);
		/* a duplicate key replaces its value and leaves the size be:
		 * that tells it without looking the key up first */
		size = json_object_size(o);
		if (v == NULL ||
		    json_object_setn_new_nocheck(o, k, kn, v) < 0 ||
		    json_object_size(o) == size)
			goto fail;
		free(kcopy);
		kcopy = NULL;
		ws(p);
		switch (jsonparse_canon_next(&p->s, p->end, '}')) {
		case 1:
			continue;
		case 0:
			return o;
		default:
			goto fail;
		}
	}
fail:
	free(kcopy);
	json_decref(o);
	return NULL;
}

static json_t *array(struct p *p)
{
	json_t *a = json_array(), *v;

	ws(p);
	if (p->s < p->end && *p->s == ']') {
		p->s++;
		return a;
	}
	for (;;) {
		v = value(p);
		if (v == NULL || json_array_append_new(a, v) < 0)
			goto fail;
		ws(p);
		switch (jsonparse_canon_next(&p->s, p->end, ']')) {
		case 1:
			continue;
		case 0:
			return a;
		default:
			goto fail;
		}
	}
fail:
	json_decref(a);
	return NULL;
}

static json_t *value(struct p *p)
{
	const char *str;
	size_t len;
	json_t *v = NULL;

	ws(p);
	if (p->s >= p->end)
		return NULL;
	switch (*p->s) {
	case '{':
	case '[':
		if (++p->depth > JSONPARSE_MAX_DEPTH)
			return NULL;
		p->s++;
		v = *(p->s - 1) == '{' ? object(p) : array(p);
		p->depth--;
		return v;
	case '"':
		p->s++;
		if (string(p, &str, &len) < 0)
			return NULL;
		return json_stringn_nocheck(str, len);
	case 't':
		if (p->end - p->s >= 4 && memcmp(p->s, "true", 4) == 0) {
			p->s += 4;
			return json_true();
		}
		return NULL;
	case 'f':
		if (p->end - p->s >= 5 && memcmp(p->s, "false", 5) == 0) {
			p->s += 5;
			return json_false();
		}
		return NULL;
	case 'n':
		if (p->end - p->s >= 4 && memcmp(p->s, "null", 4) == 0) {
			p->s += 4;
			return json_null();
		}
		return NULL;
	default:
		return number(p);
	}
}

json_t *jsonparse_object(const char *s, size_t n)
{
	struct p p = { s, s + n, BUF_INIT, 0 };
	json_t *v;

	ws(&p);
	if (p.s >= p.end || *p.s != '{') {
		buf_release(&p.tmp);
		return NULL;
	}
	v = value(&p);
	ws(&p);
	if (v != NULL && p.s != p.end) {
		json_decref(v);
		v = NULL;
	}
	buf_release(&p.tmp);
	return v;
}

/* ---- canonical input ---------------------------------------------------- */

/*
 * Deeper or wider values are not scanned as canonical (the usual path reads
 * them): records nest two or three levels, and the duplicate-key test
 * compares each key with those before it.
 */
#define JSONPARSE_CANON_DEPTH 16

static int canon_hex(char c)
{
	return (c >= '0' && c <= '9') ? c - '0'
	       : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

static int canon_string(const char **pp, const char *end, unsigned *flags,
			int check_utf8)
{
	const char *a = *pp, *q;
	uint64_t w, seen = 0;
	unsigned f = 0;

	if (a >= end || *a != '"')
		return -1;
	q = ++a;
	for (;;) {
		while (end - q >= 8) {
			memcpy(&w, q, 8);
			if (json_word_special(w))
				break;
			seen |= w;
			q += 8;
		}
		while (q < end && *q != '"' && *q != '\\' &&
		       (unsigned char)*q >= 0x20)
			seen |= (unsigned char)*q++;
		if (q >= end || (unsigned char)*q < 0x20)
			return -1;
		if (*q == '"')
			break;
		/* an escape json_write_string() would write */
		if (end - q < 2)
			return -1;
		f |= JSONPARSE_ESC;
		switch (q[1]) {
		case '"': case '\\': case 'b': case 'f': case 'n': case 'r':
		case 't':
			q += 2;
			continue;
		case 'u': {
			int h, l;

			if (end - q < 6 || q[2] != '0' || q[3] != '0' ||
			    (h = canon_hex(q[4])) < 0 || h > 1 ||
			    (l = canon_hex(q[5])) < 0)
				return -1;
			l |= h << 4;
			if (l == '\b' || l == '\f' || l == '\n' || l == '\r' ||
			    l == '\t')
				return -1;
			if (l == 0)
				f |= JSONPARSE_NUL;
			q += 6;
			continue;
		}
		default:
			return -1;
		}
	}
	if (check_utf8 && (seen & 0x8080808080808080u) != 0 &&
	    !utf8_valid(a, (size_t)(q - a)))
		return -1;
	*pp = q + 1;
	*flags = f;
	return 0;
}

int jsonparse_canon_string(const char **pp, const char *end, unsigned *flags)
{
	return canon_string(pp, end, flags, 1);
}

int jsonparse_canon_string_bytes(const char **pp, const char *end,
				 unsigned *flags)
{
	return canon_string(pp, end, flags, 0);
}

int jsonparse_canon_int(const char **pp, const char *end, long long *v)
{
	const char *q = *pp;
	int neg = 0, digits = 0;
	long long x = 0;

	if (q < end && *q == '-') {
		neg = 1;
		q++;
	}
	if (q >= end || *q < '0' || *q > '9')
		return -1;
	if (*q == '0' && (neg || (q + 1 < end && q[1] >= '0' && q[1] <= '9')))
		return -1; /* "-0", "01": written otherwise */
	while (q < end && *q >= '0' && *q <= '9') {
		if (++digits > 18)
			return -1;
		x = x * 10 + (*q++ - '0');
	}
	if (q < end && (*q == '.' || *q == 'e' || *q == 'E'))
		return -1;
	*pp = q;
	*v = neg ? -x : x;
	return 0;
}

int jsonparse_keys_add(struct jsonparse_keys *ks, const char *k, size_t n)
{
	size_t i;

	if (ks->nk == JSONPARSE_CANON_KEYS)
		return -1;
	for (i = 0; i < ks->nk; i++)
		if (ks->n[i] == n && memcmp(ks->k[i], k, n) == 0)
			return -1;
	ks->k[ks->nk] = k;
	ks->n[ks->nk++] = n;
	return 0;
}

int jsonparse_canon_key(const char **pp, const char *end,
			struct jsonparse_keys *ks, const char **key,
			size_t *kn)
{
	const char *k = *pp, *q = k + 1;
	unsigned f;
	size_t n;

	/* the usual key, [a-z_] only, without the general scan */
	while (q < end && ((*q >= 'a' && *q <= 'z') || *q == '_'))
		q++;
	if (k < end && *k == '"' && q < end && *q == '"')
		*pp = q + 1;
	else if (jsonparse_canon_string(pp, end, &f) < 0 ||
		 (f & JSONPARSE_NUL))
		return -1;
	n = (size_t)(*pp - k);
	if (ks != NULL && jsonparse_keys_add(ks, k, n) < 0)
		return -1;
	if (*pp >= end || **pp != ':')
		return -1;
	(*pp)++;
	*key = k;
	*kn = n;
	return 0;
}

int jsonparse_canon_pairs(const char **pp, const char *end, size_t **v,
			  size_t *n, size_t *cap)
{
	const char *q = *pp;
	long long a, b;

	if (q >= end || *q++ != '[')
		return -1;
	if (q < end && *q == ']') {
		*pp = q + 1;
		return 0;
	}
	for (;;) {
		if (q >= end || *q++ != '[' ||
		    jsonparse_canon_int(&q, end, &a) < 0 || a < 0 ||
		    q >= end || *q++ != ',' ||
		    jsonparse_canon_int(&q, end, &b) < 0 || b < 0 ||
		    q >= end || *q++ != ']')
			return -1;
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			*v = xrealloc(*v, 2 * *cap * sizeof(**v));
		}
		(*v)[2 * *n] = (size_t)a;
		(*v)[2 * *n + 1] = (size_t)b;
		(*n)++;
		switch (jsonparse_canon_next(&q, end, ']')) {
		case 1:
			continue;
		case 0:
			*pp = q;
			return 0;
		default:
			return -1;
		}
	}
}

static int canon_value(const char **pp, const char *end, int depth)
{
	const char *q = *pp, *k;
	struct jsonparse_keys ks;
	size_t kn;
	unsigned f;
	long long v;

	if (q >= end)
		return -1;
	switch (*q) {
	case '"':
		return jsonparse_canon_string(pp, end, &f);
	case '{':
	case '[': {
		/* an object's members and an array's elements: the same
		 * steps, a key before each member */
		char close = *q == '{' ? '}' : ']';

		if (depth >= JSONPARSE_CANON_DEPTH)
			return -1;
		q++;
		if (q < end && *q == close) {
			*pp = q + 1;
			return 0;
		}
		ks.nk = 0;
		for (;;) {
			if ((close == '}' &&
			     jsonparse_canon_key(&q, end, &ks, &k, &kn) < 0) ||
			    canon_value(&q, end, depth + 1) < 0)
				return -1;
			switch (jsonparse_canon_next(&q, end, close)) {
			case 1:
				continue;
			case 0:
				*pp = q;
				return 0;
			default:
				return -1;
			}
		}
	}
	case 't':
		if (end - q >= 4 && memcmp(q, "true", 4) == 0) {
			*pp = q + 4;
			return 0;
		}
		return -1;
	case 'f':
		if (end - q >= 5 && memcmp(q, "false", 5) == 0) {
			*pp = q + 5;
			return 0;
		}
		return -1;
	case 'n':
		if (end - q >= 4 && memcmp(q, "null", 4) == 0) {
			*pp = q + 4;
			return 0;
		}
		return -1;
	default:
		return jsonparse_canon_int(pp, end, &v);
	}
}

int jsonparse_canon_value(const char **p, const char *end)
{
	return canon_value(p, end, 0);
}

int jsonparse_canon_next(const char **q, const char *end, char c)
{
	if (*q >= end)
		return -1;
	if (**q == ',') {
		(*q)++;
		return 1;
	}
	if (**q != c)
		return -1;
	(*q)++;
	return 0;
}

int jsonparse_canon_text(const char **q, const char *end, struct buf *tmp,
			 const char **s, size_t *n, unsigned *f)
{
	const char *v = *q;

	if (jsonparse_canon_string(q, end, f) < 0)
		return -1;
	*s = v + 1;
	*n = (size_t)(*q - v) - 2;
	if (*f & JSONPARSE_ESC) {
		buf_reset(tmp);
		buf_grow(tmp, *n);
		*n = jsonparse_unescape(v + 1, *n, tmp->p);
		tmp->p[*n] = '\0';
		*s = tmp->p;
	}
	return 0;
}

size_t jsonparse_unescape(const char *s, size_t n, char *out)
{
	const char *e = s + n, *b;
	char *o = out;

	while (s < e) {
		b = memchr(s, '\\', (size_t)(e - s));
		if (b == NULL)
			b = e;
		memcpy(o, s, (size_t)(b - s));
		o += b - s;
		if (b == e)
			break;
		switch (b[1]) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			*o++ = (char)(canon_hex(b[4]) << 4 | canon_hex(b[5]));
			s = b + 6;
			continue;
		default: *o++ = b[1]; break; /* '"', '\\' */
		}
		s = b + 2;
	}
	return (size_t)(o - out);
}
