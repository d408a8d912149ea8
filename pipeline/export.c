/*
 * export.c: the view of a record that every export format reads (offsets
 * into the exported text, sentence of each entity), and the line formats:
 * entities and relations as JSON lines, and TSV. CoNLL, brat and HTML live
 * in export_conll.c, export_brat.c and export_html.c.
 */
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "offmap.h"

static const char *str_of(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A text offset in raw, never past its end whatever "offsets" says. */
static size_t to_raw(const struct offmap *m, size_t t, size_t rlen)
{
	size_t r = offmap_to_raw(m, t);

	return r < rlen ? r : rlen;
}

int export_doc_load(struct export_doc *x, struct doc *d, int raw,
		    struct vnie_error *err)
{
	json_t *a, *e, *r = raw ? json_object_get(d->root, "raw") : NULL;
	struct offmap m;
	size_t i, k, s, en, rlen = 0;

	memset(x, 0, sizeof(*x));
	x->d = d;
	x->id = doc_id(d);
	x->text = d->text;
	x->len = d->len;
	offmap_init(&m);
	if (r != NULL) {
		if (!json_is_string(r)) {
			vnie_err(err, "\"raw\" is not a string");
			return -1;
		}
		x->text = json_string_value(r);
		x->len = json_string_length(r);
		rlen = utf8_count(x->text, x->len);
		if (offmap_from_json(&m, json_object_get(d->root, "offsets"),
				     doc_ncp(d), rlen, err) < 0)
			return -1;
		if (m.n == 0 && rlen != doc_ncp(d)) {
			vnie_err(err, "\"raw\" and \"text\" differ in length "
				 "and there are no \"offsets\"");
			return -1;
		}
	}
	utf8_idx_init(&x->idx, x->text, x->len);
	a = json_object_get(d->root, "sentences");
	x->nsent = json_array_size(a);
	x->sent = xcalloc(2 * x->nsent + 1, sizeof(*x->sent));
	json_array_foreach(a, i, e) {
		doc_span(e, &s, &en);
		x->sent[2 * i] = r ? to_raw(&m, s, rlen) : s;
		x->sent[2 * i + 1] = r ? to_raw(&m, en, rlen) : en;
	}
	a = json_object_get(d->root, "entities");
	x->nents = json_array_size(a);
	x->ents = xcalloc(x->nents + 1, sizeof(*x->ents));
	json_array_foreach(a, i, e) {
		struct export_ent *t = &x->ents[i];

		doc_span(e, &s, &en);
		t->obj = e;
		t->id = str_of(e, "id");
		t->type = str_of(e, "type");
		t->s = r ? to_raw(&m, s, rlen) : s;
		t->e = r ? to_raw(&m, en, rlen) : en;
		t->sent = -1;
		for (k = 0; k < x->nsent; k++) {
			if (x->sent[2 * k] <= t->s &&
			    t->s < x->sent[2 * k + 1]) {
				t->sent = (long)k;
				break;
			}
		}
	}
	x->rels = json_object_get(d->root, "relations");
	offmap_release(&m);
	return 0;
}

void export_doc_release(struct export_doc *x)
{
	utf8_idx_release(&x->idx);
	free(x->ents);
	free(x->sent);
	memset(x, 0, sizeof(*x));
}

size_t export_ent_find(const struct export_doc *x, const char *id)
{
	size_t i;

	for (i = 0; id && i < x->nents; i++)
		if (strcmp(x->ents[i].id, id) == 0)
			return i;
	return (size_t)-1;
}

size_t export_byte(const struct export_doc *x, size_t cp)
{
	return utf8_idx_byte(&x->idx, cp);
}

static json_t *cut(const struct export_doc *x, size_t s, size_t e)
{
	size_t bs = export_byte(x, s), be = export_byte(x, e);

	return json_stringn(x->text + bs, be - bs);
}

/* The entity's sentence, or a window around it within its line. */
static json_t *context(const struct export_doc *x, const struct export_ent *t)
{
	size_t a, z, lim;

	if (t->sent >= 0) {
		a = x->sent[2 * t->sent];
		z = x->sent[2 * t->sent + 1];
		if (z >= t->e && z - a <= EXPORT_SENTENCE_MAX_CP)
			return cut(x, a, z);
	}
	a = t->s;
	z = t->e;
	lim = a > EXPORT_WINDOW_CP ? a - EXPORT_WINDOW_CP : 0;
	while (a > lim && x->text[export_byte(x, a - 1)] != '\n')
		a--;
	lim = z + EXPORT_WINDOW_CP < x->idx.ncp ? z + EXPORT_WINDOW_CP
						: x->idx.ncp;
	while (z < lim && x->text[export_byte(x, z)] != '\n')
		z++;
	return cut(x, a, z);
}

static void copy_field(json_t *to, json_t *from, const char *key)
{
	json_t *v = json_object_get(from, key);

	if (v != NULL)
		json_object_set(to, key, v);
}

void export_entities(struct export_doc *x, struct buf *out)
{
	size_t i;

	for (i = 0; i < x->nents; i++) {
		struct export_ent *t = &x->ents[i];
		json_t *o = json_object();

		json_object_set_new(o, "doc_id", json_string(x->id));
		json_object_set_new(o, "id", json_string(t->id));
		if (x->nsent > 0)
			json_object_set_new(o, "sentence", t->sent >= 0 ?
				json_integer(t->sent) : json_null());
		json_object_set_new(o, "type", json_string(t->type));
		json_object_set_new(o, "start", json_integer((json_int_t)t->s));
		json_object_set_new(o, "end", json_integer((json_int_t)t->e));
		json_object_set_new(o, "text", cut(x, t->s, t->e));
		copy_field(o, t->obj, "canonical");
		copy_field(o, t->obj, "value");
		copy_field(o, t->obj, "source");
		json_object_set_new(o, "context", context(x, t));
		json_write(o, out);
		buf_addc(out, '\n');
		json_decref(o);
	}
}

void export_relations(struct export_doc *x, struct buf *out)
{
	json_t *r, *args, *v;
	const char *role;
	size_t i, k;

	json_array_foreach(x->rels, i, r) {
		json_t *o = json_object(), *a = json_object();
		long sent = -1;

		json_object_set_new(o, "doc_id", json_string(x->id));
		copy_field(o, r, "id");
		copy_field(o, r, "type");
		args = json_object_get(r, "args");
		json_object_foreach(args, role, v) {
			const struct export_ent *t;

			k = export_ent_find(x, json_string_value(v));
			if (k == (size_t)-1)
				continue; /* doc_check rules this out */
			t = &x->ents[k];
			if (sent < 0)
				sent = t->sent;
			json_object_set_new(a, role, json_pack("{s:s,s:s,s:I,"
				"s:I,s:o}", "id", t->id, "type", t->type,
				"start", (json_int_t)t->s, "end",
				(json_int_t)t->e, "text", cut(x, t->s, t->e)));
		}
		if (x->nsent > 0)
			json_object_set_new(o, "sentence", sent >= 0 ?
					    json_integer(sent) : json_null());
		json_object_set_new(o, "args", a);
		copy_field(o, r, "source");
		json_write(o, out);
		buf_addc(out, '\n');
		json_decref(o);
	}
}

/* A TSV field: backslash, tab, line feed and carriage return escaped as
 * \\, \t, \n, \r (the convention of PostgreSQL's COPY and of MySQL). */
static void tsv_field(struct buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\': buf_adds(out, "\\\\"); break;
		case '\t': buf_adds(out, "\\t"); break;
		case '\n': buf_adds(out, "\\n"); break;
		case '\r': buf_adds(out, "\\r"); break;
		default: buf_addc(out, s[i]);
		}
	}
}

static void tsv_json(struct buf *out, json_t *v)
{
	struct buf tmp = BUF_INIT;

	if (v == NULL || json_is_null(v))
		return;
	if (json_is_string(v)) {
		tsv_field(out, json_string_value(v), json_string_length(v));
		return;
	}
	json_write(v, &tmp);
	tsv_field(out, tmp.p, tmp.n);
	buf_release(&tmp);
}

void export_tsv_header(struct buf *out)
{
	buf_adds(out, "doc_id\tentity_id\ttype\tstart\tend\ttext\tcanonical\t"
		 "value\tsource\n");
}

void export_tsv(struct export_doc *x, struct buf *out)
{
	size_t i, bs, be;

	for (i = 0; i < x->nents; i++) {
		struct export_ent *t = &x->ents[i];

		tsv_json(out, json_object_get(x->d->root, "id"));
		buf_addc(out, '\t');
		tsv_json(out, json_object_get(t->obj, "id"));
		buf_addc(out, '\t');
		tsv_json(out, json_object_get(t->obj, "type"));
		buf_printf(out, "\t%zu\t%zu\t", t->s, t->e);
		bs = export_byte(x, t->s);
		be = export_byte(x, t->e);
		tsv_field(out, x->text + bs, be - bs);
		buf_addc(out, '\t');
		tsv_json(out, json_object_get(t->obj, "canonical"));
		buf_addc(out, '\t');
		tsv_json(out, json_object_get(t->obj, "value"));
		buf_addc(out, '\t');
		tsv_json(out, json_object_get(t->obj, "source"));
		buf_addc(out, '\n');
	}
}
