/*
 * doc.c: document records (doc.h) on top of jansson. Parsing rejects what
 * would make a record ambiguous (duplicate keys) or unusable (no string
 * text); serialising is compact with keys in their input order, so a record
 * that passes through a stage unchanged comes out byte-identical.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "jalloc.h"
#include "jsonparse.h"

/* jansson's parser refuses nesting deeper than its own compile-time limit
 * (2048 levels), so a deeply nested line becomes an error record instead
 * of exhausting the stack. */
#define PARSE_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

/* Every program that reads records links this file: set jansson's
 * allocator here, before main() and so before any value exists. */
__attribute__((constructor)) static void doc_setup(void)
{
	jalloc_install();
}

static void reset(struct doc *d)
{
	d->root = NULL;
	d->text = NULL;
	d->len = 0;
	d->line = 0;
	d->have_idx = 0;
	d->next_t = d->next_r = -1;
}

int doc_parse(struct doc *d, const char *line, size_t n, unsigned long lineno,
	      struct vnie_error *err)
{
	json_error_t jerr;
	json_t *root, *text, *id;

	reset(d);
	d->line = lineno;
	root = jsonparse_object(line, n);
	if (root == NULL)
		root = json_loadb(line, n, PARSE_FLAGS, &jerr);
	if (root == NULL) {
		vnie_err(err, "invalid JSON at column %d: %s", jerr.column,
			 jerr.text);
		return DOC_BAD;
	}
	if (!json_is_object(root)) {
		vnie_err(err, "not a JSON object");
		json_decref(root);
		return DOC_BAD;
	}
	if (json_object_get(root, "error") != NULL) {
		json_decref(root);
		return DOC_PASS;
	}
	text = json_object_get(root, "text");
	if (text == NULL || !json_is_string(text)) {
		vnie_err(err, text ? "\"text\" is not a string"
				   : "no \"text\" field");
		json_decref(root);
		return DOC_BAD;
	}
	id = json_object_get(root, "id");
	if (id != NULL && !json_is_string(id)) {
		vnie_err(err, "\"id\" is not a string");
		json_decref(root);
		return DOC_BAD;
	}
	d->root = root;
	d->text = json_string_value(text);
	d->len = json_string_length(text);
	return DOC_RECORD;
}

void doc_new(struct doc *d, const char *id, const char *text, size_t n)
{
	reset(d);
	d->root = json_object();
	json_object_set_new(d->root, "id", json_string(id));
	json_object_set_new(d->root, "text", json_stringn(text, n));
	d->text = json_string_value(json_object_get(d->root, "text"));
	d->len = n;
}

void doc_release(struct doc *d)
{
	if (d->have_idx)
		utf8_idx_release(&d->idx);
	json_decref(d->root);
	reset(d);
}

void doc_set_text(struct doc *d, const char *s, size_t n)
{
	json_t *t;

	if (d->have_idx)
		utf8_idx_release(&d->idx);
	d->have_idx = 0;
	json_object_set_new(d->root, "text", json_stringn(s, n));
	t = json_object_get(d->root, "text");
	d->text = json_string_value(t);
	d->len = json_string_length(t);
}

static struct utf8_idx *idx(struct doc *d)
{
	if (!d->have_idx) {
		utf8_idx_init(&d->idx, d->text, d->len);
		d->have_idx = 1;
	}
	return &d->idx;
}

size_t doc_ncp(struct doc *d)
{
	return idx(d)->ncp;
}

size_t doc_byte(struct doc *d, size_t cp)
{
	return utf8_idx_byte(idx(d), cp);
}

size_t doc_cp(struct doc *d, size_t b)
{
	return utf8_idx_cp(idx(d), b);
}

const char *doc_id(const struct doc *d)
{
	const char *s = json_string_value(json_object_get(d->root, "id"));

	return s ? s : "";
}

void doc_warn(struct doc *d, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(doc_array(d, "warnings", 1), json_string(msg));
}

json_t *doc_array(struct doc *d, const char *key, int create)
{
	json_t *a = json_object_get(d->root, key);

	if (a == NULL && create) {
		a = json_array();
		json_object_set_new(d->root, key, a);
	}
	return a;
}

/*
 * Ids past this are not ones we gave out: a record cannot hold that many
 * annotations, and counting on from "T9223372036854775807" would overflow.
 * Such ids are left alone; the ones we make stay distinct from them.
 */
#define DOC_ID_MAX 1000000000000L

long doc_id_next(const char *s, char c, long next)
{
	long v;
	char *end;

	if (s == NULL || s[0] != c)
		return next;
	v = strtol(s + 1, &end, 10);
	if (*end == '\0' && v >= next && v < DOC_ID_MAX)
		next = v + 1;
	return next;
}

/* The largest n below DOC_ID_MAX of ids "<c>n" in array a, plus one. */
long doc_next_id(json_t *a, char c)
{
	long next = 1;
	size_t i;
	json_t *x;

	json_array_foreach(a, i, x)
		next = doc_id_next(json_string_value(json_object_get(x, "id")),
				   c, next);
	return next;
}

json_t *doc_add_entity(struct doc *d, const char *type, size_t start,
		       size_t end, const char *source)
{
	json_t *a = doc_array(d, "entities", 1), *e;
	size_t bs, be;
	char id[32];

	if (d->next_t < 0)
		d->next_t = doc_next_id(a, 'T');
	if (end > doc_ncp(d) || start > end)
		VNIE_BUG("entity %zu-%zu outside text of %zu", start, end,
			 doc_ncp(d));
	snprintf(id, sizeof(id), "T%ld", d->next_t++);
	bs = doc_byte(d, start);
	be = doc_byte(d, end);
	e = json_object();
	json_object_set_new(e, "id", json_string(id));
	json_object_set_new(e, "type", json_string(type));
	json_object_set_new(e, "start", json_integer((json_int_t)start));
	json_object_set_new(e, "end", json_integer((json_int_t)end));
	json_object_set_new(e, "text", json_stringn(d->text + bs, be - bs));
	if (source != NULL)
		json_object_set_new(e, "source", json_string(source));
	json_array_append_new(a, e);
	return e;
}

json_t *doc_add_relation(struct doc *d, const char *type, const char *source)
{
	json_t *a = doc_array(d, "relations", 1), *r;
	char id[32];

	if (d->next_r < 0)
		d->next_r = doc_next_id(a, 'R');
	snprintf(id, sizeof(id), "R%ld", d->next_r++);
	r = json_object();
	json_object_set_new(r, "id", json_string(id));
	json_object_set_new(r, "type", json_string(type));
	json_object_set_new(r, "args", json_object());
	if (source != NULL)
		json_object_set_new(r, "source", json_string(source));
	json_array_append_new(a, r);
	return r;
}

int doc_span(json_t *v, size_t *start, size_t *end)
{
	json_t *s, *e;

	if (json_is_array(v)) {
		if (json_array_size(v) != 2)
			return -1;
		s = json_array_get(v, 0);
		e = json_array_get(v, 1);
	} else {
		s = json_object_get(v, "start");
		e = json_object_get(v, "end");
	}
	if (!json_is_integer(s) || !json_is_integer(e) ||
	    json_integer_value(s) < 0 || json_integer_value(e) < 0)
		return -1;
	*start = (size_t)json_integer_value(s);
	*end = (size_t)json_integer_value(e);
	return 0;
}

int doc_check(struct doc *d, struct vnie_error *err)
{
	json_t *a, *x, *ids = NULL, *args, *v;
	size_t i, s, e, n = doc_ncp(d), bs, be;
	const char *key, *t;
	int rc = -1;

	if ((a = json_object_get(d->root, "sentences")) != NULL) {
		if (!json_is_array(a)) {
			vnie_err(err, "\"sentences\" is not an array");
			goto out;
		}
		json_array_foreach(a, i, x) {
			if (doc_span(x, &s, &e) < 0 || s > e || e > n) {
				vnie_err(err, "sentence %zu is not a pair of "
					 "offsets within the text (0-%zu)", i,
					 n);
				goto out;
			}
		}
	}
	ids = json_object();
	if ((a = json_object_get(d->root, "entities")) != NULL) {
		if (!json_is_array(a)) {
			vnie_err(err, "\"entities\" is not an array");
			goto out;
		}
		json_array_foreach(a, i, x) {
			if (!json_is_object(x) || doc_span(x, &s, &e) < 0 ||
			    s > e || e > n) {
				vnie_err(err, "entity %zu has no valid "
					 "start/end within the text (0-%zu)",
					 i, n);
				goto out;
			}
			if (!json_is_string(json_object_get(x, "type"))) {
				vnie_err(err, "entity %zu has no string type",
					 i);
				goto out;
			}
			t = json_string_value(json_object_get(x, "id"));
			if (t == NULL || json_object_get(ids, t) != NULL) {
				vnie_err(err, "entity %zu has a missing or "
					 "duplicate id", i);
				goto out;
			}
			json_object_set_new(ids, t, json_true());
			v = json_object_get(x, "text");
			bs = doc_byte(d, s);
			be = doc_byte(d, e);
			if (!json_is_string(v) ||
			    json_string_length(v) != be - bs ||
			    memcmp(json_string_value(v), d->text + bs,
				   be - bs) != 0) {
				vnie_err(err, "entity %s: text does not match "
					 "the span %zu-%zu", t, s, e);
				goto out;
			}
		}
	}
	if ((a = json_object_get(d->root, "relations")) != NULL) {
		if (!json_is_array(a)) {
			vnie_err(err, "\"relations\" is not an array");
			goto out;
		}
		json_array_foreach(a, i, x) {
			args = json_object_get(x, "args");
			if (!json_is_object(x) || !json_is_object(args) ||
			    !json_is_string(json_object_get(x, "type"))) {
				vnie_err(err, "relation %zu has no type or "
					 "args", i);
				goto out;
			}
			json_object_foreach(args, key, v) {
				if (!json_is_string(v) ||
				    !json_object_get(ids,
						     json_string_value(v))) {
					vnie_err(err, "relation %zu: role "
						 "'%s' names no entity", i,
						 key);
					goto out;
				}
			}
		}
	}
	rc = 0;
out:
	json_decref(ids);
	return rc;
}

int doc_quick_read(struct doc_quick *dq, const char *line, size_t n)
{
	const char *q = line + 1, *end = line + n, *k;
	struct jsonparse_keys ks;
	size_t kn;
	unsigned f;
	int have_text = 0, rc;

	dq->text = NULL;
	dq->len = dq->npairs = 0;
	dq->has_sentences = dq->has_warnings = 0;
	if (n < 2 || line[0] != '{' || line[n - 1] != '}')
		return -1;
	ks.nk = 0;
	for (;;) {
		if (jsonparse_canon_key(&q, end, &ks, &k, &kn) < 0)
			return -1;
		if (JSONPARSE_KEY_IS(k, kn, "\"text\"")) {
			if (jsonparse_canon_text(&q, end, &dq->tmp, &dq->text,
						 &dq->len, &f) < 0)
				return -1;
			have_text = 1;
		} else if (JSONPARSE_KEY_IS(k, kn, "\"sentences\"")) {
			if (jsonparse_canon_pairs(&q, end, &dq->pairs,
						  &dq->npairs,
						  &dq->cap_pairs) < 0)
				return -1;
			dq->has_sentences = 1;
		} else if (JSONPARSE_KEY_IS(k, kn, "\"id\"")) {
			if (jsonparse_canon_string(&q, end, &f) < 0)
				return -1;
		} else if (JSONPARSE_KEY_IS(k, kn, "\"entities\"") ||
			   JSONPARSE_KEY_IS(k, kn, "\"relations\"") ||
			   JSONPARSE_KEY_IS(k, kn, "\"error\"") ||
			   jsonparse_canon_value(&q, end) < 0) {
			return -1;
		} else if (JSONPARSE_KEY_IS(k, kn, "\"warnings\"")) {
			dq->has_warnings = 1;
		}
		rc = jsonparse_canon_next(&q, end, '}');
		if (rc > 0)
			continue;
		if (rc < 0 || q != end)
			return -1;
		break;
	}
	return have_text ? 0 : -1;
}

void doc_quick_release(struct doc_quick *q)
{
	buf_release(&q->tmp);
	free(q->pairs);
	q->pairs = NULL;
	q->npairs = q->cap_pairs = 0;
}

static int dump_cb(const char *p, size_t n, void *arg)
{
	buf_add(arg, p, n);
	return 0;
}

/* Append one byte; the common case inline, with no call. */
static inline void put_c(struct buf *out, char c)
{
	if (out->n + 2 > out->cap)
		buf_grow(out, 1);
	out->p[out->n++] = c;
	out->p[out->n] = '\0';
}

/* Past the whole 8-byte words of p[i..n) that need no escape. */
static inline size_t skip_plain8(const unsigned char *p, size_t i, size_t n)
{
	while (i + 8 <= n) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		if (json_word_special(w))
			break;
		i += 8;
	}
	return i;
}

/* A JSON string, escaped exactly as jansson's compact dump does. */
void json_write_string(const char *s, size_t n, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	buf_grow(out, n + 2);
	out->p[out->n++] = '"';
	/* the usual string has nothing to escape: copy it whole */
	i = skip_plain8(p, 0, n);
	while (i < n && p[i] >= 0x20 && p[i] != '"' && p[i] != '\\')
		i++;
	if (i == n) {
		memcpy(out->p + out->n, s, n);
		out->n += n;
		out->p[out->n++] = '"';
		out->p[out->n] = '\0';
		return;
	}
	for (;;) {
		i = skip_plain8(p, i, n);
		if (i >= n)
			break;
		unsigned char c = p[i];
		const char *esc;
		char u[6];

		if (c >= 0x20 && c != '"' && c != '\\') {
			i++; /* the word held one of those, further on */
			continue;
		}
		buf_add(out, s + run, i - run);
		run = ++i;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			u[0] = '\\';
			u[1] = 'u';
			u[2] = '0';
			u[3] = '0';
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			buf_add(out, u, 6);
			continue;
		}
		buf_add(out, esc, 2);
	}
	buf_add(out, s + run, n - run);
	put_c(out, '"');
}

/* An integer in decimal, as jansson's "%" JSON_INTEGER_FORMAT prints it. */
static void write_int(json_int_t v, struct buf *out)
{
	if (v < 0)
		buf_addc(out, '-');
	buf_add_uint(out, v < 0 ? 0ull - (unsigned long long)v
				: (unsigned long long)v);
}

/*
 * Compact JSON, byte-identical to jansson's json_dump_callback() with
 * JSON_COMPACT (a test holds it to that) but about three times faster,
 * since it appends to one buffer instead of calling back per token: the
 * serialiser is a large part of every stage's time. Reals, rare in
 * records, are left to jansson so their digits match.
 */
static void write_value(json_t *v, struct buf *out)
{
	size_t i, n;
	void *it;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		put_c(out, '{');
		for (it = json_object_iter(v), i = 0; it != NULL;
		     it = json_object_iter_next(v, it), i++) {
			if (i > 0)
				put_c(out, ',');
			json_write_string(json_object_iter_key(it),
				     json_object_iter_key_len(it), out);
			put_c(out, ':');
			write_value(json_object_iter_value(it), out);
		}
		put_c(out, '}');
		break;
	case JSON_ARRAY:
		put_c(out, '[');
		n = json_array_size(v);
		for (i = 0; i < n; i++) {
			if (i > 0)
				put_c(out, ',');
			write_value(json_array_get(v, i), out);
		}
		put_c(out, ']');
		break;
	case JSON_STRING:
		json_write_string(json_string_value(v), json_string_length(v), out);
		break;
	case JSON_INTEGER:
		write_int(json_integer_value(v), out);
		break;
	case JSON_TRUE:
		buf_add(out, "true", 4);
		break;
	case JSON_FALSE:
		buf_add(out, "false", 5);
		break;
	case JSON_NULL:
		buf_add(out, "null", 4);
		break;
	default:
		json_dump_callback(v, dump_cb, out,
				   JSON_COMPACT | JSON_ENCODE_ANY);
		break;
	}
}

void json_write(json_t *v, struct buf *out)
{
	write_value(v, out);
}

void doc_write(struct doc *d, struct buf *out)
{
	json_write(d->root, out);
	buf_addc(out, '\n');
}

void doc_write_error(struct buf *out, const char *stage, unsigned long line,
		     const char *message, const char *input, size_t n)
{
	struct buf clean = BUF_INIT, msg = BUF_INIT;
	json_t *r, *e;

	if (n > VNIE_ERROR_INPUT_MAX)
		n = VNIE_ERROR_INPUT_MAX;
	utf8_sanitize(input, n, &clean, NULL, NULL);
	utf8_sanitize(message, strlen(message), &msg, NULL, NULL);
	r = json_object();
	e = json_object();
	json_object_set_new(e, "stage", json_string(stage));
	json_object_set_new(e, "line", json_integer((json_int_t)line));
	json_object_set_new(e, "message", json_stringn(msg.p ? msg.p : "",
						       msg.n));
	json_object_set_new(r, "error", e);
	json_object_set_new(r, "input", json_stringn(clean.p ? clean.p : "",
						     clean.n));
	json_write(r, out);
	buf_addc(out, '\n');
	json_decref(r);
	buf_release(&clean);
	buf_release(&msg);
}
